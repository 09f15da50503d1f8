"""Exports of a result set, and the public SIRET check."""

import csv
import io

from openpyxl import load_workbook

from tests.conftest import visible_text


def test_logged_in_users_export_the_result_set_as_csv_and_xlsx(client, make_user, login, make_supplier):
    make_supplier(name="Propre et Net", kind="EI", email="contact@propre.example.org",
                  activities=[{"sector": "nettoyage", "range": "france"}], permanent_staff=5, insertion_staff=20)
    make_supplier(name="Hors sujet", activities=[{"sector": "stockage", "range": "france"}])
    login(client, make_user())

    response = client.get("/annuaire/export.csv?sector=nettoyage")
    assert response.status_code == 200
    assert "attachment" in response.headers["Content-Disposition"]
    rows = list(csv.reader(io.StringIO(response.get_data().decode("utf-8-sig")), delimiter=";"))
    assert rows[0][:4] == ["Raison sociale", "Enseigne", "SIRET", "Type de structure"]
    assert len(rows) == 2
    assert rows[1][0] == "Propre et Net" and "Nettoyage et propreté des locaux" in rows[1]
    assert "contact@propre.example.org" in rows[1] and "20" in rows[1]

    response = client.get("/annuaire/export.xlsx?sector=nettoyage")
    sheet = load_workbook(io.BytesIO(response.get_data())).active
    values = list(sheet.values)
    assert values[0][0] == "Raison sociale" and values[1][0] == "Propre et Net" and len(values) == 2


def test_anonymous_visitors_cannot_export(client, make_supplier):
    make_supplier(name="Propre et Net")
    for file_format in ("csv", "xlsx"):
        response = client.get(f"/annuaire/export.{file_format}")
        assert response.status_code == 302 and "/connexion" in response.headers["Location"]


def test_anyone_can_check_whether_a_siret_is_an_inclusive_supplier(client, make_supplier):
    make_supplier(name="ESAT du Soleil", kind="ESAT", siret="73282932000074")
    yes = client.get("/annuaire/verifier-siret?siret=732 829 320 00074", headers={"Accept": "application/json"})
    assert yes.get_json()["inclusive"] is True and yes.get_json()["supplier"]["name"] == "ESAT du Soleil"
    no = client.get("/annuaire/verifier-siret?siret=35600000000048", headers={"Accept": "application/json"})
    assert no.get_json() == {"siret": "35600000000048", "inclusive": False, "supplier": None}
    bad = client.get("/annuaire/verifier-siret?siret=123", headers={"Accept": "application/json"})
    assert bad.status_code == 422 and "siret" in bad.get_json()["errors"]
    page = visible_text(client.get("/annuaire/verifier-siret?siret=73282932000074"))
    assert "ESAT du Soleil est une structure inclusive référencée" in page

"""Importing a regional directory: dry run, a real run, an idempotent re-run, the merge
rule (never overwrite a field the supplier edited after the file's data), bad rows
reported with their reason, CSV and XLSX alike."""

import io
from datetime import date, timedelta

from openpyxl import Workbook
from sqlalchemy import func, select

from marketplace.extensions import db
from marketplace.suppliers.models import Supplier

HEADER = "siret;nom;type;code_postal;commune;email;telephone;mis_a_jour"


def send(client, content: bytes, filename="annuaire.csv", dry_run=False):
    data = {"file": (io.BytesIO(content), filename)}
    if dry_run:
        data["dry_run"] = "1"
    return client.post("/admin/import-annuaire", data=data, content_type="multipart/form-data",
                       headers={"Accept": "application/json"})


def outcomes(response) -> list[tuple]:
    return [(line["siret"], line["outcome"], line["changed"], line["kept"]) for line in response.get_json()["lines"]]


def count(app) -> int:
    with app.app_context():
        return db.session.scalar(select(func.count(Supplier.id)))


def test_dry_run_real_run_and_re_run_and_bad_rows(app, client, login, make_user, make_supplier):
    existing = make_supplier(name="Jardins de Provence", siret="73282932000074", email="ancien@jardins.fr")
    login(client, make_user(role="admin", email="admin@example.org"))
    today = date.today().isoformat()
    content = "\n".join([
        HEADER,
        f"73282932000074;Jardins de Provence;EI;06130;Grasse;contact@jardins.fr;0493000000;{today}",
        f"35600000000048;Atelier du Moulin;ESAT;34000;Montpellier;atelier@moulin.fr;;{today}",
        "12345678900000;Mauvais SIRET;EI;06130;Grasse;;;",
        "55210055400013;Sans type;;06130;Grasse;;;",
        "40483304800022;Date fausse;EI;06130;Grasse;;;hier",
    ]).encode()
    before = count(app)
    dry = send(client, content, dry_run=True)
    assert dry.status_code == 200 and dry.get_json()["dry_run"]
    lines = dry.get_json()["lines"]
    assert [line["outcome"] for line in lines] == ["mise à jour", "créée", "erreur", "erreur", "erreur"]
    assert set(lines[0]["changed"]) == {"email", "phone"}
    assert "siret" in lines[2]["message"] and "kind" in lines[3]["message"] and "date" in lines[4]["message"]
    assert count(app) == before  # a dry run changes nothing
    with app.app_context():
        assert db.session.get(Supplier, existing).email == "ancien@jardins.fr"

    real = send(client, content)
    assert [line["outcome"] for line in real.get_json()["lines"]][:2] == ["mise à jour", "créée"]
    assert count(app) == before + 1
    with app.app_context():
        assert db.session.get(Supplier, existing).email == "contact@jardins.fr"
    again = send(client, content)
    assert [line["outcome"] for line in again.get_json()["lines"]][:2] == ["inchangée", "inchangée"]
    assert count(app) == before + 1


def test_a_field_the_supplier_edited_after_the_file_s_data_is_kept(app, client, login, make_user, make_supplier):
    member = make_user(role="supplier", email="direction@jardins.fr")
    supplier = make_supplier(name="Jardins de Provence", siret="73282932000074", member_id=member,
                             email="ancien@jardins.fr", phone="0400000000")
    own = app.test_client()
    login(own, member)
    with app.app_context():
        from marketplace.accounts.models import User
        from marketplace.suppliers import services

        services.update_supplier(db.session.get(Supplier, supplier), {"email": "nouveau@jardins.fr"},
                                 db.session.get(User, member))
        db.session.commit()
    login(client, make_user(role="admin", email="admin@example.org"))
    last_month = (date.today() - timedelta(days=30)).isoformat()
    content = (f"{HEADER}\n73282932000074;Jardins de Provence;EI;06130;Grasse;vieux@annuaire.fr;"
               f"0493111111;{last_month}\n").encode()
    [line] = outcomes(send(client, content))
    assert line[1] == "mise à jour" and line[2] == ["phone"] and line[3] == ["email"]
    with app.app_context():
        stored = db.session.get(Supplier, supplier)
        assert (stored.email, stored.phone) == ("nouveau@jardins.fr", "0493111111")


def test_xlsx_files_and_only_admins(app, client, login, make_user):
    workbook = Workbook()
    sheet = workbook.active
    sheet.append(HEADER.split(";"))
    sheet.append(["35600000000048", "Atelier du Moulin", "ESAT", "34000", "Montpellier", "", "", ""])
    buffer = io.BytesIO()
    workbook.save(buffer)
    login(client, make_user(role="supplier", email="quelquun@example.org"))
    assert send(client, buffer.getvalue(), "annuaire.xlsx").status_code == 403
    admin = app.test_client()
    login(admin, make_user(role="admin", email="admin@example.org"))
    assert outcomes(send(admin, buffer.getvalue(), "annuaire.xlsx"))[0][1] == "créée"
    broken = send(admin, b"pas un classeur", "annuaire.xlsx")
    assert broken.status_code == 422 and "XLSX" in broken.get_json()["detail"]
    assert send(admin, b"nom;ville\nX;Y\n").status_code == 422


def test_a_directory_partner_imports_through_the_page_and_the_api(app, client, login, make_user):
    from tests.api.test_api import auth, new_key

    partner = make_user(role="organiser", email="annuaire@siae-occitanie.fr")
    admin = app.test_client()
    login(admin, make_user(role="admin", email="admin@example.org"))
    content = f"{HEADER}\n35600000000048;Atelier du Moulin;ESAT;34000;Montpellier;;;\n".encode()
    login(client, partner)
    assert send(client, content).status_code == 403
    admin.post(f"/admin/utilisateurs/{partner}/partenaire")
    assert outcomes(send(client, content, dry_run=True))[0][1] == "créée"

    key = new_key(app, app.test_client(), login, partner)
    api = app.test_client()
    response = api.post("/api/v1/suppliers/import", data={"file": (io.BytesIO(content), "annuaire.csv")},
                        content_type="multipart/form-data", headers=auth(key))
    assert response.status_code == 200 and response.get_json()[0]["outcome"] == "créée"
    again = api.post("/api/v1/suppliers/import", data={"file": (io.BytesIO(content), "annuaire.csv")},
                     content_type="multipart/form-data", headers=auth(key))
    assert again.get_json()[0]["outcome"] == "inchangée"
    admin.post(f"/admin/utilisateurs/{partner}/retirer")
    refused = api.post("/api/v1/suppliers/import", data={"file": (io.BytesIO(content), "annuaire.csv")},
                       content_type="multipart/form-data", headers=auth(key))
    assert refused.status_code == 403

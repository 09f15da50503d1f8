"""Rivals see nothing of each other; bad input gives field errors and changes nothing."""

import json
from datetime import timedelta
from io import BytesIO

import pytest
from sqlalchemy import func, select

from marketplace.attachments.models import Attachment
from marketplace.extensions import db
from marketplace.needs.models import Need
from marketplace.offers.models import Offer
from marketplace.timeutil import utcnow
from tests.needs.test_need_lifecycle import answer_all, lots_of, need_form, offer_form

JSON = {"Accept": "application/json"}


@pytest.fixture
def rivals(app, login, buyer, make_user, make_supplier, make_need):
    """Two suppliers told about the same need; A has offered (with a file) and talked to the buyer."""
    world = {"buyer": buyer}
    for name in ("a", "b"):
        world[f"user_{name}"] = make_user(role="supplier", email=f"{name}@example.org")
        world[f"supplier_{name}"] = make_supplier(name=f"Structure {name.upper()}", email=f"contact-{name}@example.org",
                                                  member_id=world[f"user_{name}"], activities=[{"sector": "nettoyage"}])
    world["need"] = make_need(buyer, questions=["Références ?"])
    world["lot"] = lots_of(app, world["need"])[0]
    client_a = app.test_client()
    login(client_a, world["user_a"])
    response = client_a.post(f"/besoins/{world['need']}/lots/{world['lot']}/offre?structure={world['supplier_a']}",
                             data=answer_all(app, world["need"],
                                             offer_form(description="Prix secret de la structure A")))
    assert response.status_code == 302
    with app.app_context():
        world["offer"] = db.session.scalar(select(Offer.id))
    client_a.post(f"/offres/{world['offer']}/pieces-jointes",
                  data={"file": (BytesIO(b"%PDF-1.4 devis A"), "devis-a.pdf")}, content_type="multipart/form-data")
    client_a.post(f"/besoins/{world['need']}/messages/{world['supplier_a']}", data={"body": "Question privée de A"})
    with app.app_context():
        world["attachment"] = db.session.scalar(select(Attachment.id))
    return world


def test_a_supplier_never_sees_a_rival_offer_file_or_thread(app, client, login, rivals):
    login(client, rivals["user_b"])
    need, offer = rivals["need"], rivals["offer"]
    assert client.get(f"/besoins/{need}").status_code == 200  # B was told: B sees the need
    for url in (f"/offres/{offer}", f"/besoins/{need}/offres", f"/pieces-jointes/{rivals['attachment']}",
                f"/besoins/{need}/messages/{rivals['supplier_a']}"):
        for headers in ({}, JSON):
            response = client.get(url, headers=headers)
            assert response.status_code == 404, url
            body = response.get_data().decode("utf-8", "replace")
            assert "Prix secret" not in body and "Question privée" not in body and "devis A" not in body
    assert "Prix secret" not in client.get("/mes-offres").get_data(as_text=True)
    # Nor can B act on A's offer or file.
    for url in (f"/offres/{offer}/retirer", f"/offres/{offer}/attribuer",
                f"/pieces-jointes/{rivals['attachment']}/supprimer"):
        assert client.post(url).status_code == 404, url
    with app.app_context():
        assert db.session.get(Offer, offer).status.value == "submitted"
        assert db.session.get(Attachment, rivals["attachment"]) is not None


def test_the_buyer_reads_offers_and_files_but_another_buyer_reads_nothing(app, client, login, rivals, make_user,
                                                                          make_organisation):
    login(client, rivals["buyer"])
    assert "Prix secret" in client.get(f"/besoins/{rivals['need']}/offres").get_data(as_text=True)
    download = client.get(f"/pieces-jointes/{rivals['attachment']}")
    assert download.status_code == 200 and download.data == b"%PDF-1.4 devis A"
    assert "attachment" in download.headers["Content-Disposition"]
    other = make_user(email="autre@acheteur.fr")
    make_organisation(other, name="Autre acheteur")
    outsider = app.test_client()
    login(outsider, other)
    for url in (f"/besoins/{rivals['need']}", f"/besoins/{rivals['need']}/offres", f"/offres/{rivals['offer']}",
                f"/pieces-jointes/{rivals['attachment']}"):
        assert outsider.get(url, headers=JSON).status_code == 404, url


def count(app, model) -> int:
    with app.app_context():
        return db.session.scalar(select(func.count()).select_from(model))


@pytest.mark.parametrize("changes, field", [
    ({"title": ""}, "title"),
    ({"description": ""}, "description"),
    ({"kind": "enchere"}, "kind"),
    ({"budget_min": "-5"}, "budget_min"),
    ({"budget_min": "abc"}, "budget_min"),
    ({"budget_min": "50000", "budget_max": "1000"}, "budget_max"),
    ({"deadline": (utcnow() - timedelta(days=1)).strftime("%Y-%m-%dT%H:%M")}, "deadline"),
    ({"deadline": "demain"}, "deadline"),
    ({"commune": ""}, "commune"),
    ({"commune": "Atlantide-sur-Mer"}, "commune"),
    ({"area": "zones"}, "departments"),
    ({"area": "zones", "departments": "999"}, "departments"),
    ({"sectors": "999999"}, "sectors"),
    ({"social_clause": "1"}, "insertion_hours"),
    ({"answer_mode": "external"}, "answer_instructions"),
    ({"lot_title": ["", "Vitrerie"], "lot_budget_min": ["100", ""]}, "lots.0.title"),
    ({"title": "Nettoyage\x00 de bureaux"}, "title"),  # PostgreSQL cannot store a NUL
])
def test_bad_need_input_gives_a_field_error_and_creates_nothing(app, client, login, buyer, changes, field):
    login(client, buyer)
    response = client.post("/besoins/nouveau", data=need_form(app, **changes))
    assert response.status_code == 422
    assert count(app, Need) == 0
    as_json = client.post("/besoins/nouveau", json={**need_form(app, **changes), "lot_title": None}
                          if field != "lots.0.title" else {**need_form(app), "lots": [{"title": ""}]},
                          headers=JSON)
    assert as_json.status_code == 422
    errors = as_json.get_json()["errors"]
    assert any(key.startswith(field.split(".")[0]) for key in errors), errors
    assert count(app, Need) == 0


def test_a_lone_surrogate_in_json_gives_a_field_error_and_creates_nothing(app, client, login, buyer):
    """A JSON escape can name half a character ("\\ud800"), which no database can store."""
    login(client, buyer)
    body = json.dumps({**need_form(app), "lot_title": None}).replace('"description": "', '"description": "\\ud800')
    response = client.post("/besoins/nouveau", data=body, headers={
        **JSON, "Content-Type": "application/json", "X-CSRFToken": client.csrf_token()})
    assert response.status_code == 422 and "description" in response.get_json()["errors"]
    assert count(app, Need) == 0


def test_a_draft_cannot_be_submitted_without_sectors_or_deadline(app, client, login, buyer):
    login(client, buyer)
    response = client.post("/besoins/nouveau", data=need_form(app, sectors="", deadline="", action="draft"))
    assert response.status_code == 302  # a draft may be incomplete
    with app.app_context():
        need_id = db.session.scalar(select(Need.id))
    response = client.post(f"/besoins/{need_id}/soumettre", json={}, headers=JSON)
    assert response.status_code == 422 and "sectors" in response.get_json()["errors"]
    with app.app_context():
        assert db.session.get(Need, need_id).status.value == "draft"


@pytest.mark.parametrize("changes, field", [
    ({"amount": "-100"}, "amount"),
    ({"amount": "0"}, "amount"),
    ({"amount": "12,345"}, "amount"),
    ({"vat_rate": "1900"}, "vat_rate"),
    ({"lead_time_days": "0"}, "lead_time_days"),
    ({"description": ""}, "description"),
    ({"valid_until": "2001-01-01"}, "valid_until"),
    ({"insertion_hours": "-3"}, "insertion_hours"),
])
def test_bad_offer_input_gives_a_field_error_and_changes_nothing(app, client, login, rivals, changes, field):
    login(client, rivals["user_b"])
    url = f"/besoins/{rivals['need']}/lots/{rivals['lot']}/offre?structure={rivals['supplier_b']}"
    form = answer_all(app, rivals["need"], offer_form(**changes))
    assert client.post(url, data=form).status_code == 422
    response = client.post(url, json=form, headers=JSON)
    assert response.status_code == 422 and field in response.get_json()["errors"]
    assert count(app, Offer) == 1  # A's offer only


def test_an_offer_must_answer_every_question(app, client, login, rivals):
    login(client, rivals["user_b"])
    url = f"/besoins/{rivals['need']}/lots/{rivals['lot']}/offre?structure={rivals['supplier_b']}"
    response = client.post(url, json=offer_form(), headers=JSON)
    assert response.status_code == 422
    assert any(key.startswith("answer_") for key in response.get_json()["errors"])
    assert count(app, Offer) == 1


@pytest.mark.parametrize("content, name, message", [
    (b"MZ\x90\x00 not a document", "devis.pdf", "Type de fichier refusé"),
    (b"<html><script>alert(1)</script></html>", "devis.html", "Type de fichier refusé"),
    (b"", "vide.pdf", "vide"),
    (b"%PDF-1.4 " + b"x" * 2048, "gros.pdf", "trop volumineux"),
])
def test_wrong_type_empty_or_oversized_files_are_refused(app, client, login, rivals, content, name, message):
    app.config["ATTACHMENT_MAX_BYTES"] = 1024
    login(client, rivals["buyer"])
    before = count(app, Attachment)
    response = client.post(f"/besoins/{rivals['need']}/pieces-jointes", data={"file": (BytesIO(content), name)},
                           content_type="multipart/form-data", headers=JSON)
    assert response.status_code == 422
    assert message in response.get_json()["errors"]["file"][0]
    assert count(app, Attachment) == before


def test_a_pdf_named_like_an_image_is_stored_as_what_it_is(app, client, login, rivals):
    login(client, rivals["buyer"])
    response = client.post(f"/besoins/{rivals['need']}/pieces-jointes",
                           data={"file": (BytesIO(b"%PDF-1.7 cahier des charges"), "../../etc/cahier.png")},
                           content_type="multipart/form-data", headers=JSON)
    assert response.status_code == 201
    body = response.get_json()
    assert body["content_type"] == "application/pdf" and body["filename"] == "etc_cahier.pdf"
    with app.app_context():
        stored = db.session.get(Attachment, body["id"])
        from pathlib import Path

        path = Path(app.config["UPLOAD_FOLDER"]) / stored.storage_name
        assert "/" not in stored.storage_name and ".." not in stored.storage_name  # never the sent path
        assert path.read_bytes() == b"%PDF-1.7 cahier des charges"
        assert "static" not in app.config["UPLOAD_FOLDER"]


def test_purchase_totals_reject_bad_years_amounts_and_csv_rows(app, client, login, buyer):
    from marketplace.dashboards.models import PurchaseTotal

    login(client, buyer)
    assert client.post("/tableau-de-bord/achats", data={"year": "1850", "amount": "1000"}).status_code == 422
    assert client.post("/tableau-de-bord/achats", data={"year": "2026", "amount": "-1"}).status_code == 422
    bad = client.post("/tableau-de-bord/achats/import", data={"file": (BytesIO(b"annee;montant\n2025;12000\n2026;abc"),
                                                                       "achats.csv")},
                      content_type="multipart/form-data", headers=JSON)
    assert bad.status_code == 422 and "Ligne 2" in bad.get_json()["errors"]["file"][0]
    assert count(app, PurchaseTotal) == 0  # all rows or none
    good = client.post("/tableau-de-bord/achats/import",
                       data={"file": (BytesIO("année;montant\n2025;1 250 000,50\n2026;980000\n".encode()),
                                      "achats.csv")},
                       content_type="multipart/form-data", headers=JSON)
    assert good.get_json() == {"imported": 2}
    figures = client.get("/tableau-de-bord?annee=2025", headers=JSON).get_json()
    assert figures["purchases_cents"] == 125_000_050

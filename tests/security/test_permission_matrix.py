"""Every route, as every kind of outsider, against someone else's things: nothing private
is shown and nothing changes.

The owners: buyer A (organisation A, a private favourite list, a pending join request
from C) and supplier user A (supplier A with an activity, a reference, a pending claim
from D, and an invitation to a consortium). The outsiders: an anonymous visitor, a
buyer of another organisation, a member of another supplier, and a fair organiser.
"""

import html
import re

import pytest
from sqlalchemy import select

from events.fairs.models import Fair, FairOrganiser, Participant, Talk
from events.meetings.models import Meeting, MeetingFeedback, MeetingRequest, ScheduleRun
from marketplace.accounts.models import User
from marketplace.api.models import ApiKey
from marketplace.attachments.models import Attachment
from marketplace.dashboards.models import PurchaseTotal
from marketplace.extensions import db
from marketplace.favourites.models import FavouriteItem, FavouriteList
from marketplace.impact.models import PurchaseImport, PurchaseLine
from marketplace.messaging.models import Message
from marketplace.needs.models import Need, NeedLot, NeedSupplier
from marketplace.offers.models import Offer
from marketplace.organisations.models import BuyerOrganisation, Membership
from marketplace.payments.models import Order, Product
from marketplace.suppliers.models import (
    ConsortiumMembership,
    Supplier,
    SupplierActivity,
    SupplierMember,
    SupplierReference,
)
from marketplace.webhooks.models import WebhookSubscription

PUBLIC_ENDPOINTS = {
    "main.home", "main.healthz", "main.readyz", "prometheus_metrics", "directory.search", "directory.search_json",
    "directory.count_json",
    "directory.communes_json", "directory.supplier", "directory.check_siret", "accounts.signup",
    "accounts.login", "accounts.logout", "accounts.forgot_password", "accounts.reset_password",
    "accounts.confirm_email", "accounts.resend_confirmation", "needs.pixel", "needs.unsubscribe_digest",
    "fairs.index", "fairs.show", "payments.pricing",
    # The legal pages and the price list are for everyone.
    "legal.notice", "legal.terms", "legal.privacy", "legal.cookies", "legal.accessibility",
    # The API's public part: its description, the directory's public data, fairs.
    "api-docs.openapi_json", "api_pages.docs", "annuaire.Suppliers", "annuaire.supplier",
    "annuaire.supplier_by_siret", "annuaire.sectors", "annuaire.supplier_kinds", "annuaire.service_kinds",
    "annuaire.regions", "annuaire.departments", "annuaire.supplier_changes", "salons.fairs", "salons.fair",
}
SECRET_LIST_NAME = "Liste confidentielle de A"
SECRET_NEED = "Besoin confidentiel de A"
SECRET_OFFER = "Offre confidentielle de la structure A"
SECRET_MESSAGE = "Message confidentiel entre A et A"
SECRET_MEETING_NOTE = "Demande de rendez-vous confidentielle de A"
SECRET_BILLING = "Facturation confidentielle de A"
SECRET_PURCHASE = "Fournisseur confidentiel de A"


@pytest.fixture
def world(app, make_user, make_organisation, make_supplier, login):
    ids = {}
    ids["buyer_a"] = make_user(email="acheteuse.a@example.org")
    ids["organisation_id"] = make_organisation(ids["buyer_a"], name="Organisation A")
    ids["requester_c"] = make_user(email="demandeur.c@example.org")
    ids["buyer_b"] = make_user(email="acheteur.b@example.org")
    make_organisation(ids["buyer_b"], name="Organisation B")
    ids["supplier_user_a"] = make_user(role="supplier", email="fournisseur.a@example.org")
    ids["supplier_id"] = make_supplier(name="Structure A", member_id=ids["supplier_user_a"],
                                       email="contact@structure-a.fr", activities=[{"sector": "nettoyage"}],
                                       references=[{"client": "Client A", "description": "Réf", "year": 2024}])
    ids["supplier_user_b"] = make_user(role="supplier", email="fournisseur.b@example.org")
    other = make_supplier(name="Structure B", member_id=ids["supplier_user_b"])
    ids["claimant_d"] = make_user(role="supplier", email="revendiquant.d@example.org")
    ids["organiser"] = make_user(role="organiser", email="organisateur@example.org")
    lead_user = make_user(role="supplier", email="chef.de.file@example.org")
    lead = make_supplier(name="Chef de file", member_id=lead_user)
    with app.app_context():
        from marketplace.organisations.services import request_to_join
        from marketplace.suppliers import consortiums, services

        actor = db.session.get
        request = request_to_join(db.session.get(BuyerOrganisation, ids["organisation_id"]),
                                  actor(User, ids["requester_c"]), "Bonjour")
        supplier_a = db.session.get(Supplier, ids["supplier_id"])
        claim = services.claim_supplier(supplier_a, actor(User, ids["claimant_d"]))
        consortium = consortiums.create_consortium(
            {"name": "Groupement Z", "siret": "35600000000048", "postcode": "06130", "city": "Grasse"},
            db.session.get(Supplier, lead), actor(User, lead_user))
        invitation = consortiums.invite_member(consortium, supplier_a, actor(User, lead_user))
        favourite = FavouriteList(organisation_id=ids["organisation_id"], owner_id=ids["buyer_a"],
                                  name=SECRET_LIST_NAME, shared=False)
        db.session.add(favourite)
        db.session.flush()
        db.session.add(FavouriteItem(list_id=favourite.id, supplier_id=other, added_by_id=ids["buyer_a"]))
        db.session.commit()
        ids.update(need_world(app, ids))
        ids.update(fair_world(app, ids))
        ids.update(
            join_request=request.id, claim=claim.id, invitation=invitation.id, list_id=favourite.id,
            activity_id=db.session.scalar(select(SupplierActivity.id).where(
                SupplierActivity.supplier_id == ids["supplier_id"])),
            reference_id=db.session.scalar(select(SupplierReference.id).where(
                SupplierReference.supplier_id == ids["supplier_id"])),
        )
    return ids


def need_world(app, ids: dict) -> dict:
    """Buyer A's published need with two lots and a question, told to supplier A, which
    offered on the first lot with an attachment and exchanged a message."""
    from datetime import date, timedelta
    from io import BytesIO

    from werkzeug.datastructures import FileStorage

    from marketplace.attachments.services import store_upload
    from marketplace.messaging.services import post_message
    from marketplace.needs import services as needs
    from marketplace.offers import services as offers
    from marketplace.timeutil import utcnow
    from tests.needs.conftest import need_data

    buyer = db.session.get(User, ids["buyer_a"])
    supplier_user = db.session.get(User, ids["supplier_user_a"])
    supplier = db.session.get(Supplier, ids["supplier_id"])
    need = needs.create_need(need_data(title=SECRET_NEED, questions=["Vos références ?"],
                                       lots=[{"title": "Lot 1"}, {"title": "Lot 2"}]), buyer)
    app.config["NEEDS_MODERATION"] = False
    needs.submit_need(need, buyer)
    app.config["NEEDS_MODERATION"] = True
    offer = offers.save_offer(need.lots[0], supplier, {
        "amount_cents": 100_000, "vat_rate": 2000, "lead_time_days": 10, "description": SECRET_OFFER,
        "insertion_hours": 10, "valid_until": date.today() + timedelta(days=60),
        "answers": {need.questions[0].id: "Réf"}}, supplier_user)
    attachment = store_upload(FileStorage(BytesIO(b"%PDF-1.4 secret"), filename="secret.pdf"), need.id, offer.id,
                              supplier_user)
    post_message(need, supplier, SECRET_MESSAGE, buyer)
    db.session.commit()
    assert need.deadline > utcnow()
    return {"need_id": need.id, "lot_id": need.lots[0].id, "offer_id": offer.id, "attachment_id": attachment.id}


def fair_world(app, ids: dict) -> dict:
    """A fair run by organiser A (not the outsider organiser), where buyer A's organisation
    asked supplier A for a meeting that was scheduled, published, and rated."""
    from datetime import date, timedelta

    from events.fairs import registration, services
    from events.fairs.schemas import FairSchema, RegistrationSchema
    from events.meetings import programme, requests, runs
    from tests.events.fairs.conftest import fair_form

    organiser = User(email="organisatrice.a@example.org", first_name="Orga", last_name="A", role="organiser")
    organiser.set_password("x" * 12)
    db.session.add(organiser)
    db.session.flush()
    fair = services.create_fair(FairSchema().load(fair_form(day=date.today() + timedelta(days=3))), organiser)
    services.add_talk(fair, {"title": "Table ronde", "speakers": None, "room": "Salle 1",
                             "starts_at": fair.sessions[0].slots[0].starts_at,
                             "ends_at": fair.sessions[0].slots[0].ends_at}, organiser)
    data = RegistrationSchema().load({"pitch": "Nous achetons des prestations", "sessions": [fair.sessions[0].id],
                                      "max_meetings": 3, "contact_email": "acheteuse.a@example.org"})
    buyer = registration.register(fair, f"buyer:{ids['organisation_id']}", data,
                                  db.session.get(User, ids["buyer_a"]))
    supplier = registration.register(fair, f"supplier:{ids['supplier_id']}",
                                     {**data, "contact_email": "fournisseur.a@example.org"},
                                     db.session.get(User, ids["supplier_user_a"]))
    made = requests.ask_meeting(buyer, supplier, {"priority": 1, "message": SECRET_MEETING_NOTE},
                                db.session.get(User, ids["buyer_a"]))
    requests.answer_request(made, True, db.session.get(User, ids["supplier_user_a"]))
    meeting = programme.add_meeting(fair, buyer, supplier, fair.sessions[0].slots[0].id, None, organiser)
    programme.publish_programme(fair, organiser)
    run = runs.start_run(fair, organiser)
    from marketplace.payments import services as payments
    from marketplace.payments.models import ProductCode

    order = payments.create_order(ProductCode.BOOST, "Mise en avant", 4900, db.session.get(User, ids["buyer_a"]),
                                  {"billing_name": SECRET_BILLING})
    payments.fulfil(order)
    from marketplace.api.keys import create_key
    from marketplace.webhooks.models import WebhookSubscription

    key, _text = create_key(db.session.get(User, ids["buyer_a"]), "Clé de A", ["read", "write"])
    subscription = WebhookSubscription(user_id=ids["buyer_a"], url="https://a.example.org/hook", secret="whk_a",
                                       events="supplier.changed")
    db.session.add(subscription)
    db.session.commit()
    from marketplace.impact import ledger
    from marketplace.organisations.models import BuyerOrganisation

    organisation = db.session.get(BuyerOrganisation, ids["organisation_id"])
    kept = ledger.upload_file(organisation, "achats-a.csv", f"Fournisseur;Montant;Date\n{SECRET_PURCHASE};1234;"
                              "02/03/2026\n".encode(), db.session.get(User, ids["buyer_a"]))
    ledger.run_import(kept, {"name": "Fournisseur", "amount": "Montant", "date": "Date"},
                      db.session.get(User, ids["buyer_a"]), dry_run=False)
    draft = ledger.upload_file(organisation, "brouillon-a.csv", f"Fournisseur;Montant;Date\n{SECRET_PURCHASE};9;"
                               "02/03/2026\n".encode(), db.session.get(User, ids["buyer_a"]))
    db.session.commit()
    return {"key_id": key.id, "subscription_id": subscription.id, "fair_id": fair.id, "participant_id": buyer.id,
            "request_id": made.id, "meeting_id": meeting.id, "run_id": run.id, "item_id": fair.talks[0].id,
            "order_id": order.id, "import_id": draft.id, "year": 2026, "client_siret": organisation.siret}


def url_for_rule(rule, ids: dict) -> str:
    """Fill a rule's placeholders with the owners' objects."""
    endpoint = rule.endpoint

    def value(name: str, converter_args: str) -> str:
        if converter_args:  # any(a, b): the first choice
            return converter_args.split(",")[0].strip()
        if name == "membership_id":
            return str(ids["invitation"] if endpoint.startswith("suppliers.") else ids["join_request"])
        if name == "member_id":
            return str(ids["claim"])
        if name == "user_id":
            return str(ids["buyer_a"])
        if name == "token":
            return "lien-invalide"
        if name == "siret":
            return "35600000000048"
        return str(ids[name])

    url = re.sub(r"<(?:(\w+)(?:\(([^)]*)\))?:)?(\w+)>",
                 lambda m: value(m.group(3), m.group(2) if m.group(1) == "any" else ""), rule.rule)
    if endpoint.startswith(("offers.", "needs.")):  # acting for supplier A, or asking it for a quote
        url += f"?structure={ids['supplier_id']}"
    if endpoint.startswith(("fairs.", "meetings.")):  # acting for buyer A's registration
        url += f"?participant={ids['participant_id']}"
    return url


POST_DATA = {
    "suppliers.edit": {"name": "Piratée", "kind": "EI", "postcode": "75011", "city": "Paris"},
    "suppliers.save_activity": {"sector_id": "1", "service_kinds": "service", "geo_range": "france"},
    "suppliers.add_reference": {"client": "Pirate", "description": "Pirate", "year": "2024"},
    "suppliers.invite": {"siret": "35600000000048"},
    "favourites.update": {"name": "Renommée", "shared": "1"},
    "favourites.add": {"supplier_id": "1"},
    "organisations.request_to_join": {"message": "Je m'invite"},
    "needs.edit": {"kind": "tender", "title": "Besoin piraté", "description": "Pirate", "area": "france"},
    "needs.reject": {"reason": "Refus pirate"},
    "needs.cancel": {"reason": "Annulation pirate"},
    "offers.edit": {"amount": "1", "vat_rate": "2000", "lead_time_days": "1", "description": "Offre pirate",
                    "valid_until": "2099-01-01"},
    "offers.not_interested": {"reason": "Pirate"},
    "offers.shortlist": {"shortlisted": "1"},
    "messaging.thread": {"body": "Message pirate"},
    "dashboards.set_purchases": {"year": "2026", "amount": "1000"},
    "meetings.move": {"slot": "1"},
    "meetings.no_show": {"absent": "1"},
    "meetings.add_meeting": {"a": "1", "b": "2", "slot": "2"},
    "meetings.must_meet": {"a": "1", "b": "2"},
    "meetings.feedback": {"rating": "1"},
    "meetings.ask": {"priority": "1", "message": "Pirate"},
    "fairs.register": {"pitch": "Inscription pirate", "sessions": "1", "max_meetings": "2",
                       "contact_email": "pirate@example.org", "identity": "buyer:1"},
    "fairs.add_organiser": {"email": "organisateur@example.org"},
    "fairs.add_talk": {"title": "Pirate", "room": "X", "starts_at": "2030-01-01T10:00", "ends_at": "2030-01-01T11:00"},
    "fairs.add_stand": {"name": "Pirate"},
    "payments.admin_refund": {"amount": "1"},
    "payments.catalogue": {"product_id": "1", "name": "Pirate", "amount": "0", "vat_rate": "0"},
}


def snapshot(app, ids) -> dict:
    """Everything the owners own, as it stands."""
    def rows(model, *conditions):
        return sorted(tuple(getattr(r, c.key) for c in model.__table__.columns)
                      for r in db.session.scalars(select(model).where(*conditions)))

    with app.app_context():
        return {
            "users": rows(User, User.id.in_([ids["buyer_a"], ids["supplier_user_a"]])),
            "organisation": rows(BuyerOrganisation, BuyerOrganisation.id == ids["organisation_id"]),
            "memberships": rows(Membership, Membership.organisation_id == ids["organisation_id"],
                                Membership.user_id != ids["buyer_b"]),
            "supplier": rows(Supplier, Supplier.id == ids["supplier_id"]),
            "activities": rows(SupplierActivity, SupplierActivity.supplier_id == ids["supplier_id"]),
            "references": rows(SupplierReference, SupplierReference.supplier_id == ids["supplier_id"]),
            "members": rows(SupplierMember, SupplierMember.supplier_id == ids["supplier_id"],
                            SupplierMember.user_id.notin_([ids["supplier_user_b"], ids["organiser"]])),
            "invitation": rows(ConsortiumMembership, ConsortiumMembership.member_id == ids["supplier_id"]),
            "favourites": rows(FavouriteList, FavouriteList.owner_id == ids["buyer_a"]),
            "favourite_items": rows(FavouriteItem, FavouriteItem.list_id == ids["list_id"]),
            "needs": rows(Need, Need.id == ids["need_id"]),
            "lots": rows(NeedLot, NeedLot.need_id == ids["need_id"]),
            "links": rows(NeedSupplier, NeedSupplier.need_id == ids["need_id"],
                          NeedSupplier.supplier_id == ids["supplier_id"]),
            "offers": rows(Offer, Offer.need_id == ids["need_id"]),
            "messages": rows(Message, Message.need_id == ids["need_id"]),
            "attachments": rows(Attachment, Attachment.need_id == ids["need_id"]),
            "purchases": rows(PurchaseTotal, PurchaseTotal.organisation_id == ids["organisation_id"]),
            "ledger": rows(PurchaseLine, PurchaseLine.organisation_id == ids["organisation_id"]),
            "ledger_files": rows(PurchaseImport, PurchaseImport.organisation_id == ids["organisation_id"]),
            "fair": rows(Fair, Fair.id == ids["fair_id"]),
            "fair_organisers": rows(FairOrganiser, FairOrganiser.fair_id == ids["fair_id"]),
            "participants": rows(Participant, Participant.fair_id == ids["fair_id"]),
            "talks": rows(Talk, Talk.fair_id == ids["fair_id"]),
            "meeting_requests": rows(MeetingRequest, MeetingRequest.fair_id == ids["fair_id"]),
            "meetings": rows(Meeting, Meeting.fair_id == ids["fair_id"]),
            "runs": rows(ScheduleRun, ScheduleRun.fair_id == ids["fair_id"]),
            "feedback": rows(MeetingFeedback),
            "orders": rows(Order, Order.id == ids["order_id"]),
            "products": rows(Product),
            "api_keys": rows(ApiKey, ApiKey.id == ids["key_id"]),
            "subscriptions": rows(WebhookSubscription, WebhookSubscription.id == ids["subscription_id"]),
        }


PRIVATE_MARKERS = ("acheteuse.a@example.org", "fournisseur.a@example.org", "demandeur.c@example.org",
                   "revendiquant.d@example.org", SECRET_LIST_NAME, SECRET_NEED, SECRET_OFFER, SECRET_MESSAGE,
                   SECRET_MEETING_NOTE, SECRET_BILLING, SECRET_PURCHASE,
                   "%PDF-1.4 secret")


@pytest.mark.parametrize("outsider", ["anonymous", "buyer_b", "supplier_user_b", "organiser"])
def test_no_route_shows_or_changes_what_belongs_to_someone_else(app, world, login, outsider):
    client = app.test_client()
    if outsider != "anonymous":
        login(client, world[outsider])
    before = snapshot(app, world)
    rules = [r for r in app.url_map.iter_rules() if "static" not in r.endpoint]
    assert len(rules) > 40
    for rule in rules:
        url = url_for_rule(rule, world)
        for method in sorted(rule.methods - {"HEAD", "OPTIONS"}):
            if rule.endpoint == "accounts.logout":
                continue  # logging oneself out changes nothing of anyone else
            if method == "GET":
                response = client.get(url)
                body = html.unescape(response.get_data().decode("utf-8", "replace"))
                leaked = [marker for marker in PRIVATE_MARKERS if marker in body]
                assert not leaked, f"{outsider} reads {leaked} at GET {url}"
                if rule.endpoint not in PUBLIC_ENDPOINTS and response.status_code == 200 and outsider == "anonymous":
                    raise AssertionError(f"anonymous visitors reach GET {url}")
            else:
                response = client.post(url, data=dict(POST_DATA.get(rule.endpoint, {})))
                assert response.status_code < 500, f"{outsider}: POST {url} -> {response.status_code}"
    after = snapshot(app, world)
    changed = {key for key in before if before[key] != after[key]}
    assert not changed, f"{outsider} changed {changed}"

"""The whole life of a need, through the pages and a real SMTP server: moderation,
publication, matching explained, batches, reminders, interest, offers, consortium
offers, messages, deadline closing, award and decline notices, digest."""

from datetime import timedelta

from sqlalchemy import select

from marketplace.extensions import db
from marketplace.needs.models import Need, NeedStatus, NeedSupplier
from marketplace.offers.models import Offer, OfferStatus
from marketplace.outbox.services import deliver_pending
from marketplace.suppliers.models import Supplier
from marketplace.timeutil import utcnow
from tests.conftest import email_of, visible_text
from tests.needs.conftest import pass_deadline, sector_id


def deliver(app) -> None:
    """Deliver what services called outside a request queued."""
    with app.app_context():
        deliver_pending(ignore_backoff=True)


def need_form(app, **fields) -> dict:
    with app.app_context():
        nettoyage = str(sector_id("nettoyage"))
    form = {"kind": "consultation", "title": "Nettoyage des bureaux de la mairie",
            "description": "Entretien quotidien de 1 200 m² de bureaux, 5 jours sur 7.", "sectors": nettoyage,
            "area": "commune", "commune": "06130", "radius_km": "10", "budget_min": "20 000", "budget_max": "35 000,50",
            "budget_visible": "1", "deadline": (utcnow() + timedelta(days=15)).strftime("%Y-%m-%dT%H:%M"),
            "show_contact": "1", "questions": "Combien de salariés en insertion affecterez-vous ?",
            "lot_title": ["Bureaux", "Vitrerie"], "lot_budget_min": ["", ""], "lot_budget_max": ["30000", "5000"],
            "lot_description": ["", "Vitres deux fois par an"], "action": "submit"}
    form.update(fields)
    return form


def link_of(app, need_id: int, supplier_id: int) -> NeedSupplier:
    with app.app_context():
        link = db.session.scalar(select(NeedSupplier).where(NeedSupplier.need_id == need_id,
                                                            NeedSupplier.supplier_id == supplier_id))
        db.session.expunge(link)
        return link


def offer_form(**fields) -> dict:
    form = {"amount": "28 500", "vat_rate": "2000", "lead_time_days": "15",
            "description": "Équipe de 4 agents dont 3 en parcours d'insertion, matériel fourni.",
            "insertion_hours": "1200", "valid_until": (utcnow() + timedelta(days=120)).date().isoformat()}
    form.update(fields)
    return form


def answer_all(app, need_id: int, form: dict) -> dict:
    with app.app_context():
        need = db.session.get(Need, need_id)
        form.update({f"answer_{q.id}": "Trois salariés en parcours." for q in need.questions})
        return form


def lots_of(app, need_id: int) -> list[int]:
    with app.app_context():
        return [lot.id for lot in db.session.get(Need, need_id).lots]


def test_a_need_is_moderated_published_and_told_to_matching_suppliers(app, client, login, buyer, make_user,
                                                                        make_supplier, mailbox):
    admin = make_user(role="admin", email="moderation@marche-inclusif.fr")
    near = make_supplier(name="Propreté du Pays de Grasse", email="contact@proprete-grasse.fr",
                         activities=[{"sector": "nettoyage", "range": "radius", "radius": 20}])
    far = make_supplier(name="Nettoyage Lillois", postcode="59000", city="Lille", email="contact@lille.fr",
                        activities=[{"sector": "nettoyage", "range": "radius", "radius": 20}])
    login(client, buyer)
    form_page = client.get("/besoins/nouveau").get_data(as_text=True)
    assert "relu par l'équipe de modération (délai habituel : un jour ouvré)" in form_page
    response = client.post("/besoins/nouveau", data=need_form(app))
    assert response.status_code == 302
    told = client.get(response.headers["Location"]).get_data(as_text=True)
    assert "envoyé à la modération" in told and "un jour ouvré" in told and "moderation@marche-inclusif.fr" in told
    with app.app_context():
        need = db.session.scalar(select(Need))
        assert need.status == NeedStatus.SUBMITTED
        assert [lot.title for lot in need.lots] == ["Bureaux", "Vitrerie"]
        assert (need.budget_min_cents, need.budget_max_cents) == (2_000_000, 3_500_050)
        need_id = need.id
    mailbox.wait_for(1)
    assert "Besoin à valider" in mailbox.to("moderation@marche-inclusif.fr")[0]["Subject"]
    assert not mailbox.to("contact@proprete-grasse.fr")  # nobody is told before moderation

    admin_client = app.test_client()
    login(admin_client, admin)
    assert "Nettoyage des bureaux de la mairie" in admin_client.get("/besoins/moderation").get_data(as_text=True)
    assert admin_client.post(f"/besoins/{need_id}/valider").status_code == 302
    mailbox.wait_for(3)
    told = mailbox.to("contact@proprete-grasse.fr")
    assert len(told) == 1 and "Nouvelle opportunité" in told[0]["Subject"]
    assert "rayon de 20 km" in mailbox.text(told[0])  # the mail says why
    assert not mailbox.to("contact@lille.fr")
    assert "est publié" in mailbox.to(email_of(app, buyer))[0]["Subject"]

    page = client.get(f"/besoins/{need_id}").get_data(as_text=True)
    assert "Propreté du Pays de Grasse" in page and "Nettoyage Lillois" not in page
    why = client.get(f"/besoins/{need_id}/fournisseurs/{far}", headers={"Accept": "application/json"}).get_json()
    assert why["matched"] is False and why["obstacles"]
    why = client.get(f"/besoins/{need_id}/fournisseurs/{near}", headers={"Accept": "application/json"}).get_json()
    assert why["matched"] is True and "rayon de 20 km" in why["reasons"][0]


def test_moderation_can_reject_with_a_reason_and_the_buyer_fixes_and_resubmits(app, client, login, buyer, make_user,
                                                                                make_need, mailbox):
    admin = make_user(role="admin")
    need_id = make_need(buyer, publish=False)
    login(client, buyer)
    client.post(f"/besoins/{need_id}/soumettre")
    admin_client = app.test_client()
    login(admin_client, admin)
    response = admin_client.post(f"/besoins/{need_id}/refuser", data={"reason": ""})
    assert response.status_code == 422  # a reason is required
    admin_client.post(f"/besoins/{need_id}/refuser", data={"reason": "Coordonnées personnelles dans le texte."})
    mailbox.wait_for(2)
    rejected = [m for m in mailbox.to(email_of(app, buyer)) if "pas été validé" in m["Subject"]]
    assert "Coordonnées personnelles" in mailbox.text(rejected[0])
    assert "Coordonnées personnelles" in client.get(f"/besoins/{need_id}").get_data(as_text=True)
    form = need_form(app, area="france", action="submit")
    client.post(f"/besoins/{need_id}/modifier", data=form)
    with app.app_context():
        assert db.session.get(Need, need_id).status == NeedStatus.SUBMITTED


def test_suppliers_are_told_in_batches_while_few_are_interested(app, buyer, make_supplier, make_need, mailbox):
    app.config.update(NEED_BATCH_SIZE=2, NEED_BATCH_INTERVAL_HOURS=0, NEED_INTEREST_TARGET=1)
    places = [("06130", "Grasse"), ("06400", "Cannes"), ("06000", "Nice"), ("83000", "Toulon"), ("13001", "Marseille")]
    ids = [make_supplier(name=f"Structure {city}", postcode=postcode, city=city, email=f"{postcode}@example.org",
                         activities=[{"sector": "nettoyage", "range": "france"}]) for postcode, city in places]
    make_need(buyer, area="commune", commune="06069", radius_km=0)
    deliver(app)
    assert {m["To"] for m in mailbox.messages if "opportunité" in m["Subject"]} == {"06130@example.org",
                                                                                   "06400@example.org"}
    from marketplace.needs import outreach

    with app.app_context():
        assert outreach.send_due_batches() == 2  # nobody interested yet: the next two nearest
        db.session.commit()
        told = set(db.session.scalars(select(NeedSupplier.supplier_id).where(NeedSupplier.told_at.is_not(None))))
        assert told == set(ids[:4])
        link = db.session.scalar(select(NeedSupplier).where(NeedSupplier.supplier_id == ids[0]))
        link.interested_at = utcnow()
        db.session.commit()
        assert outreach.send_due_batches() == 0  # enough interest: Marseille is kept for later
        db.session.commit()
    deliver(app)
    assert not mailbox.to("13001@example.org")


def test_suppliers_who_have_not_looked_are_reminded_before_the_deadline(app, client, login, buyer, make_user,
                                                                         make_supplier, make_need, mailbox):
    curious_user = make_user(role="supplier")
    curious = make_supplier(name="Curieuse", email="curieuse@example.org", member_id=curious_user,
                            activities=[{"sector": "nettoyage"}])
    make_supplier(name="Distraite", email="distraite@example.org", activities=[{"sector": "nettoyage"}])
    need_id = make_need(buyer, deadline=utcnow() + timedelta(days=2))
    deliver(app)
    token = link_of(app, need_id, curious).token
    login(client, curious_user)
    assert client.get(f"/o/{token}").status_code == 302  # the mail's link counts the visit
    assert link_of(app, need_id, curious).viewed_at is not None
    mailbox.clear()
    from marketplace.needs.services import run_schedule

    with app.app_context():
        assert run_schedule()["reminded"] == 1
        assert run_schedule()["reminded"] == 0  # once only
    deliver(app)
    assert [m["To"] for m in mailbox.messages] == ["distraite@example.org"]
    assert "Rappel" in mailbox.messages[0]["Subject"]


def test_a_supplier_shows_interest_sees_the_contact_and_offers_per_lot(app, client, login, buyer, make_user,
                                                                       make_supplier, make_need, mailbox):
    supplier_user = make_user(role="supplier", email="direction@proprete-grasse.fr")
    supplier_id = make_supplier(name="Propreté du Pays de Grasse", email="contact@proprete-grasse.fr",
                                member_id=supplier_user, activities=[{"sector": "nettoyage"}])
    need_id = make_need(buyer, questions=["Combien d'heures d'insertion ?"],
                        lots=[{"title": "Bureaux"}, {"title": "Vitrerie"}])
    deliver(app)
    mail = mailbox.to("contact@proprete-grasse.fr")[0]
    pixel = mailbox.last_link("contact@proprete-grasse.fr", "/o/").split('"')[0]
    login(client, supplier_user)
    page = client.get(f"/besoins/{need_id}?structure={supplier_id}").get_data(as_text=True)
    assert "acheteuse@ville-grasse.fr" not in page  # the contact shows once interested
    assert link_of(app, need_id, supplier_id).viewed_at is not None
    assert client.get(f"/o/{link_of(app, need_id, supplier_id).token}/pixel.gif").mimetype == "image/gif"
    assert link_of(app, need_id, supplier_id).email_opened_at is not None
    client.post(f"/besoins/{need_id}/interet?structure={supplier_id}")
    page = client.get(f"/besoins/{need_id}?structure={supplier_id}").get_data(as_text=True)
    assert "acheteuse@ville-grasse.fr" in page
    lots = lots_of(app, need_id)
    response = client.post(f"/besoins/{need_id}/lots/{lots[0]}/offre?structure={supplier_id}",
                           data=answer_all(app, need_id, offer_form()))
    assert response.status_code == 302
    mailbox.wait_for(2)
    assert any("Nouvelle offre" in m["Subject"] for m in mailbox.to(email_of(app, buyer)))
    # Changing it is possible until the deadline, and the buyer hears of it.
    client.post(f"/besoins/{need_id}/lots/{lots[0]}/offre?structure={supplier_id}",
                data=answer_all(app, need_id, offer_form(amount="27 900")))
    with app.app_context():
        offer = db.session.scalar(select(Offer))
        assert (offer.amount_cents, offer.status, offer.insertion_hours) == (2_790_000, OfferStatus.SUBMITTED, 1200)
        assert offer.answers[0].text == "Trois salariés en parcours."
    assert link_of(app, need_id, supplier_id).offer_submitted_at is not None
    assert mail["Subject"].startswith("Nouvelle opportunité") and pixel


def test_not_interested_takes_a_reason_that_the_buyer_reads(app, client, login, buyer, make_user, make_supplier,
                                                            make_need):
    supplier_user = make_user(role="supplier")
    supplier_id = make_supplier(email="s@example.org", member_id=supplier_user, activities=[{"sector": "nettoyage"}])
    need_id = make_need(buyer)
    login(client, supplier_user)
    client.post(f"/besoins/{need_id}/pas-interesse?structure={supplier_id}", data={"reason": ""})
    assert link_of(app, need_id, supplier_id).not_interested_at is None
    client.post(f"/besoins/{need_id}/pas-interesse?structure={supplier_id}", data={"reason": "Trop loin pour nous."})
    buyer_client = app.test_client()
    login(buyer_client, buyer)
    page = buyer_client.get(f"/besoins/{need_id}").get_data(as_text=True)
    assert "Pas intéressée" in page and "Trop loin pour nous." in page


def test_a_consortium_offers_with_its_members_and_only_the_lead_submits(app, client, login, buyer, make_user,
                                                                         make_supplier, make_need, mailbox):
    from marketplace.accounts.models import User
    from marketplace.suppliers import consortiums

    lead_user = make_user(role="supplier", email="chef@lead.fr")
    member_user = make_user(role="supplier", email="equipe@membre.fr")
    lead = make_supplier(name="Chef de file", email="lead@example.org", member_id=lead_user,
                         activities=[{"sector": "nettoyage"}])
    member = make_supplier(name="Membre", email="membre@example.org", member_id=member_user)
    with app.app_context():
        consortium = consortiums.create_consortium(
            {"name": "Groupement Azur", "siret": "35600000000048", "postcode": "06130", "city": "Grasse",
             "email": "groupement@example.org"}, db.session.get(Supplier, lead), db.session.get(User, lead_user))
        membership = consortiums.invite_member(consortium, db.session.get(Supplier, member),
                                               db.session.get(User, lead_user))
        consortiums.answer_invitation(membership, db.session.get(User, member_user), accept=True)
        db.session.commit()
        consortium_id = consortium.id
    need_id = make_need(buyer)  # the lead is told (the consortium has no activity of its own)
    lot = lots_of(app, need_id)[0]
    login(client, lead_user)
    page = client.get(f"/besoins/{need_id}").get_data(as_text=True)
    assert "Groupement Azur" in page  # the lead may answer as the consortium
    response = client.post(f"/besoins/{need_id}/lots/{lot}/offre?structure={consortium_id}",
                           data=offer_form(participants=str(member)))
    assert response.status_code == 302
    with app.app_context():
        offer = db.session.scalar(select(Offer).where(Offer.supplier_id == consortium_id))
        assert sorted(p.member_id for p in offer.participants) == sorted([lead, member])
        offer_id = offer.id
    member_client = app.test_client()
    login(member_client, member_user)
    assert "Équipe de 4 agents" in member_client.get(f"/offres/{offer_id}").get_data(as_text=True)
    assert "Groupement Azur" in member_client.get("/mes-offres").get_data(as_text=True)
    refused = member_client.post(f"/besoins/{need_id}/lots/{lot}/offre?structure={consortium_id}",
                                 data=offer_form(amount="1"))
    assert refused.status_code in (403, 404)
    with app.app_context():
        assert db.session.get(Offer, offer_id).amount_cents == 2_850_000


def test_buyer_and_supplier_exchange_messages_by_mail(app, client, login, buyer, make_user, make_supplier, make_need,
                                                      mailbox):
    supplier_user = make_user(role="supplier", email="direction@esat.fr")
    supplier_id = make_supplier(email="contact@esat.fr", member_id=supplier_user, activities=[{"sector": "nettoyage"}])
    need_id = make_need(buyer)
    login(client, buyer)
    client.post(f"/besoins/{need_id}/messages/{supplier_id}", data={"body": "Pouvez-vous visiter le site jeudi ?"})
    mailbox.wait_for(2)
    assert "visiter le site jeudi" in mailbox.text(mailbox.to("direction@esat.fr")[-1])
    supplier_client = app.test_client()
    login(supplier_client, supplier_user)
    supplier_client.post(f"/besoins/{need_id}/messages/{supplier_id}", data={"body": "Oui, à 10 h."})
    mailbox.wait_for(3)
    assert "Oui, à 10 h." in mailbox.text(mailbox.to(email_of(app, buyer))[-1])
    thread = client.get(f"/besoins/{need_id}/messages/{supplier_id}", headers={"Accept": "application/json"})
    assert [m["body"] for m in thread.get_json()["messages"]] == ["Pouvez-vous visiter le site jeudi ?",
                                                                  "Oui, à 10 h."]
    assert client.post(f"/besoins/{need_id}/messages/{supplier_id}", data={"body": " "}).status_code == 422


def test_the_deadline_closes_the_need_freezes_offers_and_the_buyer_awards_each_lot(
        app, client, login, buyer, make_user, make_supplier, make_need, mailbox):
    users = {name: make_user(role="supplier", email=f"{name}@example.org") for name in ("alpha", "beta", "gamma")}
    ids = {name: make_supplier(name=name.capitalize(), email=f"contact-{name}@example.org", member_id=user,
                               activities=[{"sector": "nettoyage"}]) for name, user in users.items()}
    need_id = make_need(buyer, lots=[{"title": "Bureaux"}, {"title": "Vitrerie"}])
    bureaux, vitrerie = lots_of(app, need_id)
    clients = {}
    for name, lot, amount in (("alpha", bureaux, "30000"), ("beta", vitrerie, "4000"), ("gamma", bureaux, "29000"),
                              ("gamma", vitrerie, "4500")):
        clients.setdefault(name, app.test_client())
        if len(clients) and name not in getattr(clients[name], "_logged", ()):
            login(clients[name], users[name])
            clients[name]._logged = (name,)
        response = clients[name].post(f"/besoins/{need_id}/lots/{lot}/offre?structure={ids[name]}",
                                      data=offer_form(amount=amount, insertion_hours="500"))
        assert response.status_code == 302, response.get_data(as_text=True)
    login(client, buyer)
    table = client.get(f"/besoins/{need_id}/offres").get_data(as_text=True)
    assert "29 000 €" in table.replace("\u202f", " ").replace("\xa0", " ")
    with app.app_context():
        alpha_offer = db.session.scalar(select(Offer).where(Offer.supplier_id == ids["alpha"]))
        beta_offer = db.session.scalar(select(Offer).where(Offer.supplier_id == ids["beta"]))
    assert client.post(f"/offres/{alpha_offer.id}/attribuer").status_code == 422  # not before the deadline

    pass_deadline(app, need_id)
    mailbox.clear()
    from marketplace.needs.services import run_schedule

    with app.app_context():
        assert run_schedule()["closed"] == 1
    deliver(app)
    assert "Réponses closes" in mailbox.to(email_of(app, buyer))[0]["Subject"]
    late = clients["alpha"].post(f"/besoins/{need_id}/lots/{bureaux}/offre?structure={ids['alpha']}",
                                 data=offer_form(amount="1000"))
    assert late.status_code == 422  # frozen after the deadline

    client.post(f"/offres/{alpha_offer.id}/preselection", data={"shortlisted": "1"})
    assert client.post(f"/offres/{alpha_offer.id}/attribuer").status_code == 302
    assert client.post(f"/offres/{beta_offer.id}/attribuer").status_code == 302
    mailbox.clear()
    assert client.post(f"/besoins/{need_id}/conclure").status_code == 302
    mailbox.wait_for(3)
    with app.app_context():
        assert db.session.get(Need, need_id).status == NeedStatus.AWARDED
        statuses = {(o.supplier_id, o.lot_id): o.status for o in db.session.scalars(select(Offer))}
    assert statuses == {(ids["alpha"], bureaux): OfferStatus.AWARDED, (ids["beta"], vitrerie): OfferStatus.AWARDED,
                        (ids["gamma"], bureaux): OfferStatus.DECLINED, (ids["gamma"], vitrerie): OfferStatus.DECLINED}
    assert "est retenue" in mailbox.text(mailbox.to("alpha@example.org")[0])
    gamma_mail = mailbox.text(mailbox.to("gamma@example.org")[0])
    assert gamma_mail.count("n'est pas retenue") == 2 and "est retenue" not in gamma_mail.replace("n'est pas", "")
    figures = client.get("/tableau-de-bord", headers={"Accept": "application/json"}).get_json()
    assert figures["awarded_cents"] == 3_400_000 and figures["insertion_hours"] == 1000
    assert figures["needs_by_status"]["awarded"] == 1 and figures["offers_received"] == 4
    supplier_figures = clients["alpha"].get("/tableau-de-bord", headers={"Accept": "application/json"}).get_json()
    assert (supplier_figures["offers_sent"], supplier_figures["offers_won"]) == (1, 1)
    assert supplier_figures["response_rate"] == 100.0  # told once, answered once

    # The shortlist marks the offers the buyer keeps an eye on, and only those.
    compare = visible_text(client.get(f"/besoins/{need_id}/offres"))
    assert compare.count("présélectionnée") == 1
    assert "Alpha présélectionnée" in compare

    # The inclusive share of the year's purchases: the awards over the total typed in.
    year = utcnow().year
    headers = {"X-CSRFToken": client.csrf_token()}
    assert client.post("/tableau-de-bord/achats", json={"year": year, "amount": "68 000"},
                       headers=headers).status_code == 200
    figures = client.get("/tableau-de-bord", headers={"Accept": "application/json"}).get_json()
    assert figures["inclusive_share"] == 50.0 and figures["purchases_cents"] == 6_800_000
    below = client.post("/tableau-de-bord/achats", json={"year": year, "amount": "10 000"}, headers=headers)
    assert below.status_code == 422 and "déjà attribué" in below.get_json()["errors"]["amount"][0]
    assert client.get("/tableau-de-bord", headers={"Accept": "application/json"}).get_json()[
        "purchases_cents"] == 6_800_000


def test_editing_or_cancelling_a_published_need_tells_the_suppliers_already_told(app, client, login, buyer,
                                                                                  make_supplier, make_need, mailbox):
    make_supplier(email="s@example.org", activities=[{"sector": "nettoyage"}])
    need_id = make_need(buyer)
    deliver(app)
    mailbox.clear()
    login(client, buyer)
    form = need_form(app, area="france", title="Nettoyage des bureaux (surface revue)", lot_title=["Lot unique"],
                     lot_budget_min=[""], lot_budget_max=[""], lot_description=[""], action="save")
    assert client.post(f"/besoins/{need_id}/modifier", data=form).status_code == 302
    mailbox.wait_for(1)
    assert "Besoin modifié" in mailbox.to("s@example.org")[0]["Subject"]
    client.post(f"/besoins/{need_id}/annuler", data={"reason": "Budget gelé."})
    mailbox.wait_for(2)
    cancelled = mailbox.to("s@example.org")[-1]
    assert "Besoin annulé" in cancelled["Subject"] and "Budget gelé." in mailbox.text(cancelled)


def test_the_weekly_digest_lists_open_matching_needs_and_can_be_stopped(app, client, buyer, make_supplier, make_need,
                                                                        mailbox):
    supplier_id = make_supplier(email="digest@example.org", activities=[{"sector": "nettoyage"}])
    make_need(buyer, title="Entretien des écoles & crèches")
    make_need(buyer, title="Restauration scolaire", sectors=["restauration"])
    from marketplace.needs.digest import build_digests

    mailbox.clear()
    with app.app_context():
        assert build_digests() == 1
        db.session.commit()
    deliver(app)
    digest = next(m for m in mailbox.to("digest@example.org") if "besoin ouvert" in m["Subject"])
    text = mailbox.text(digest)
    assert "Entretien des écoles & crèches" in text and "Restauration scolaire" not in text
    html = digest.get_body(("html",)).get_content()
    assert "Entretien des écoles &amp; crèches</a>" in html and "&amp;amp;" not in html  # escaped once
    unsubscribe = mailbox.last_link("digest@example.org", "/lettre/desabonnement/")
    assert "Ne plus recevoir" in client.get(unsubscribe).get_data(as_text=True)
    client.post(unsubscribe, data={"wanted": "0"})
    with app.app_context():
        assert db.session.get(Supplier, supplier_id).digest_opt_out
        assert build_digests() == 0


def test_digest_links_of_both_formats_stop_the_digest_and_forged_ones_are_refused(app, client, make_supplier):
    from itsdangerous import URLSafeSerializer

    from marketplace.needs.digest import OPT_OUT_SALT, opt_out_token

    supplier_id = make_supplier(email="digest@example.org")
    with app.app_context():
        before = URLSafeSerializer(app.config["SECRET_KEY"], salt=OPT_OUT_SALT).dumps(supplier_id)  # older mails
        now = opt_out_token(supplier_id)
    for token in (before, now):
        assert "Ne plus recevoir" in client.get(f"/lettre/desabonnement/{token}").get_data(as_text=True)
    for forged in (now[:-2] + "xx", f"{supplier_id}.abc", "rien"):
        page = client.get(f"/lettre/desabonnement/{forged}")
        assert page.status_code < 500 and "Ce lien n'est pas valide." in page.get_data(as_text=True), forged
        client.post(f"/lettre/desabonnement/{forged}", data={"wanted": "0"})
    with app.app_context():
        assert not db.session.get(Supplier, supplier_id).digest_opt_out


def test_a_buyer_asks_a_whole_favourite_list_for_quotes(app, client, login, buyer, make_supplier, mailbox):
    from marketplace.favourites.models import FavouriteItem, FavouriteList
    from marketplace.organisations.models import Membership

    first = make_supplier(name="Première", email="premiere@example.org")
    second = make_supplier(name="Seconde", email="seconde@example.org")
    with app.app_context():
        organisation_id = db.session.scalar(select(Membership.organisation_id).where(Membership.user_id == buyer))
        favourites = FavouriteList(organisation_id=organisation_id, owner_id=buyer, name="Traiteurs", shared=False)
        db.session.add(favourites)
        db.session.flush()
        db.session.add_all([FavouriteItem(list_id=favourites.id, supplier_id=s, added_by_id=buyer)
                            for s in (first, second)])
        db.session.commit()
        list_id = favourites.id
    login(client, buyer)
    deadline = (utcnow() + timedelta(days=7)).strftime("%Y-%m-%dT%H:%M")
    response = client.post(f"/besoins/demande-de-devis?liste={list_id}",
                           data={"title": "Buffet pour 80 personnes", "description": "Le 12 décembre, à midi.",
                                 "deadline": deadline})
    assert response.status_code == 302
    mailbox.wait_for(3)
    assert mailbox.to("premiere@example.org") and mailbox.to("seconde@example.org")
    with app.app_context():
        need = db.session.scalar(select(Need))
        assert (need.kind.value, need.status) == ("quote", NeedStatus.PUBLISHED)


def test_a_buyer_asks_one_supplier_for_a_quote_from_its_page(app, client, login, buyer, make_user, make_supplier,
                                                               mailbox):
    chosen = make_supplier(name="Traiteur des Iris", email="contact@traiteur-iris.fr",
                           activities=[{"sector": "restauration"}])
    make_supplier(name="Autre traiteur", email="autre@traiteur.fr", activities=[{"sector": "restauration"}])
    login(client, buyer)
    page = visible_text(client.get(f"/annuaire/structures/{chosen}"))
    assert "Demander un devis" in page
    form = client.get(f"/besoins/demande-de-devis?structure={chosen}")
    assert form.status_code == 200 and "Traiteur des Iris" in visible_text(form)
    deadline = (utcnow() + timedelta(days=7)).strftime("%Y-%m-%dT%H:%M")
    response = client.post(f"/besoins/demande-de-devis?structure={chosen}",
                           data={"title": "Buffet pour 80 personnes", "description": "Le 12 décembre, à midi.",
                                 "deadline": deadline})
    assert response.status_code == 302
    deliver(app)
    assert mailbox.to("contact@traiteur-iris.fr") and not mailbox.to("autre@traiteur.fr")
    with app.app_context():
        need = db.session.scalar(select(Need))
        links = list(db.session.scalars(select(NeedSupplier).where(NeedSupplier.need_id == need.id)))
        assert need.kind.value == "quote" and [link.supplier_id for link in links] == [chosen]
        assert links[0].told_at is not None


def test_a_public_need_is_open_to_every_supplier_a_private_one_to_those_told(app, client, login, buyer, make_user,
                                                                            make_supplier, make_need):
    outsider_user = make_user(role="supplier", email="gerant@ailleurs.fr")
    make_supplier(name="Jardins d'Ailleurs", member_id=outsider_user, activities=[{"sector": "espaces-verts"}])
    public = make_need(buyer, title="Entretien des gymnases", is_public=True)
    private = make_need(buyer, title="Nettoyage des bureaux de la mairie")
    outsider = app.test_client()
    login(outsider, outsider_user)
    assert outsider.get(f"/besoins/{public}").status_code == 200
    assert outsider.get(f"/besoins/{private}").status_code == 404
    anonymous = app.test_client()
    assert anonymous.get(f"/besoins/{public}").status_code in (302, 401)  # suppliers log in to answer

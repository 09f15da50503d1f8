"""`flask demo-data`: realistic, valid, idempotent, with a login per role."""
import re

from sqlalchemy import func, select
from stdnum.fr import siret

from marketplace.accounts.models import Role, User
from marketplace.demo import DEMO_PASSWORD, demo_siret
from marketplace.extensions import db
from marketplace.organisations.models import BuyerOrganisation
from marketplace.suppliers.models import ActivityReach, Supplier, SupplierActivity
from marketplace.suppliers.reach import refresh_reach


def test_demo_data_is_valid_idempotent_and_has_a_login_for_each_role(app):
    runner = app.test_cli_runner()
    first = runner.invoke(args=["demo-data", "--size", "60", "--organisations", "40"])
    assert first.exit_code == 0, first.output
    assert "40 new buyer organisations, 60 new suppliers" in first.output
    assert "acheteur@demo.marche-inclusif.fr" in first.output
    with app.app_context():
        users = db.session.scalar(select(func.count()).select_from(User))

    second = runner.invoke(args=["demo-data", "--size", "60", "--organisations", "40"])
    assert "0 new buyer organisations, 0 new suppliers" in second.output
    bigger = runner.invoke(args=["demo-data", "--size", "70", "--organisations", "50"])
    assert "10 new buyer organisations, 10 new suppliers" in bigger.output

    with app.app_context():
        sirets = list(db.session.scalars(select(BuyerOrganisation.siret)))
        assert len(sirets) == 50 and all(siret.is_valid(s) for s in sirets)
        roles = set(db.session.scalars(select(User.role)))
        assert roles == set(Role)
        # The five demo logins, and the accounts behind the fair buyers' past needs and
        # the offers on them (demo/history.py); nothing more on a second run.
        assert db.session.scalar(select(func.count()).select_from(User)) == users > 5
        suppliers = list(db.session.scalars(select(Supplier).order_by(Supplier.id)))
        assert len(suppliers) == 70 and all(siret.is_valid(s.siret) for s in suppliers)
        assert all(s.activities and s.commune_code for s in suppliers)
        # Each supplier's derived data is there: it is found by its sector where it works.
        first = db.session.scalar(select(Supplier).where(Supplier.siret == demo_siret(0, series=5)))
        activity = first.activities[0]
        assert db.session.scalar(select(func.count()).select_from(ActivityReach)
                                 .where(ActivityReach.activity_id == activity.id)) >= 1
        first_id, first_name, sector_slug = first.id, first.name, activity.sector.slug
        # The bulk loader writes the derived rows the services would (reach, the copied state).
        written = derived_rows()
        for supplier in suppliers:
            refresh_reach(supplier)
        assert derived_rows() == written
        db.session.rollback()

    skipped = runner.invoke(args=["demo-data", "--if-empty"])
    assert "already has data" in skipped.output

    client = app.test_client()
    response = client.post("/connexion", data={"email": "acheteur@demo.marche-inclusif.fr", "password": DEMO_PASSWORD})
    assert response.status_code == 302
    assert "Demandes en attente" in client.get("/organisations/mienne", follow_redirects=True).get_data(as_text=True)
    found = client.get("/annuaire/recherche.json", query_string={"q": first_name, "sector": sector_slug})
    assert first_id in [item["id"] for item in found.get_json()["items"]]

    # The demo supplier user manages the first demo supplier.
    supplier_user = app.test_client()
    supplier_user.post("/connexion", data={"email": "fournisseur@demo.marche-inclusif.fr", "password": DEMO_PASSWORD})
    assert supplier_user.get(f"/structures/{first_id}").status_code == 200


def derived_rows() -> tuple[set, set]:
    copied = [ActivityReach.supplier_listed, ActivityReach.supplier_contactable, ActivityReach.supplier_kind,
              ActivityReach.supplier_completion, ActivityReach.latitude, ActivityReach.longitude]
    reach = set(db.session.execute(select(ActivityReach.activity_id, ActivityReach.department_code,
                                          ActivityReach.whole_department, *copied)).all())
    activities = set(db.session.execute(select(
        SupplierActivity.id, *(getattr(SupplierActivity, column.key) for column in copied))).all())
    return reach, activities


def test_demo_data_gives_the_demo_buyer_needs_and_the_demo_supplier_opportunities(app):
    runner = app.test_cli_runner()
    assert runner.invoke(args=["demo-data", "--size", "80", "--organisations", "5"]).exit_code == 0
    assert runner.invoke(args=["demo-data", "--size", "80", "--organisations", "5"]).exit_code == 0  # idempotent
    from marketplace.demo.needs import NEED_TITLES
    from marketplace.needs.models import Need

    with app.app_context():
        demo_buyer = select(User.id).where(User.email == "acheteur@demo.marche-inclusif.fr").scalar_subquery()
        needs = list(db.session.scalars(select(Need).where(Need.author_id == demo_buyer).order_by(Need.id)))
        statuses = sorted(need.status.value for need in needs)
        # Each need is filed under the sector its title speaks of (the demo supplier's).
        sector = needs[0].sectors[0]
        open_title = NEED_TITLES.get(sector.slug, sector.name)
        assert needs[0].title == open_title and all(need.sectors == [sector] for need in needs)
        assert sector.name.lower() in needs[2].title and [lot.title for lot in needs[2].lots] == [
            "Sites du centre", "Sites périphériques"]
    assert statuses == ["closed", "draft", "published"]
    buyer = app.test_client()
    buyer.post("/connexion", data={"email": "acheteur@demo.marche-inclusif.fr", "password": DEMO_PASSWORD})
    needs_page = buyer.get("/besoins").get_data(as_text=True)
    assert open_title in needs_page and "Marché annuel en deux lots" in needs_page
    with app.app_context():
        closed_id = db.session.scalar(select(Need.id).where(Need.status == "closed", Need.author_id == demo_buyer))
    assert "Attribuer ce lot" in buyer.get(f"/besoins/{closed_id}/offres").get_data(as_text=True)
    supplier = app.test_client()
    supplier.post("/connexion", data={"email": "fournisseur@demo.marche-inclusif.fr", "password": DEMO_PASSWORD})
    assert open_title in supplier.get("/opportunites").get_data(as_text=True)


def test_demo_exhibitors_pitch_what_they_do_and_names_read_as_french(app):
    from events.fairs.models import Participant

    assert app.test_cli_runner().invoke(args=["demo-data", "--size", "80", "--organisations", "20"]).exit_code == 0
    with app.app_context():
        exhibitors = [p for p in db.session.scalars(select(Participant)) if p.supplier is not None]
        assert exhibitors
        for exhibitor in exhibitors:
            sectors = {activity.sector.name for activity in exhibitor.supplier.activities}
            assert any(name in exhibitor.pitch for name in sectors), (exhibitor.pitch, sectors)
        names = list(db.session.scalars(select(Supplier.name))) + list(db.session.scalars(
            select(BuyerOrganisation.name)))
        assert not [name for name in names if " de Le " in name or " de Les " in name or " du La " in name
                    or re.search(r" de [AEIOUÉ]", name)]
        for supplier in db.session.scalars(select(Supplier)):
            staff = supplier.permanent_staff + supplier.insertion_staff
            assert 30_000 * 100 * staff <= supplier.turnover_cents <= 70_000 * 100 * staff, supplier.name


def test_the_demo_buyer_has_a_purchase_ledger_whose_report_shows_an_inclusive_share(app):
    from marketplace.accounts.models import User
    from marketplace.impact.report import year_report
    from marketplace.organisations.services import organisation_of
    from marketplace.timeutil import utcnow

    runner = app.test_cli_runner()
    assert runner.invoke(args=["demo-data", "--size", "80", "--organisations", "5"]).exit_code == 0
    assert runner.invoke(args=["demo-data", "--size", "80", "--organisations", "5"]).exit_code == 0  # idempotent
    with app.app_context():
        buyer = db.session.scalar(select(User).where(User.email == "acheteur@demo.marche-inclusif.fr"))
        report = year_report(organisation_of(buyer), utcnow().year)
        assert report.previous is not None and 0 < report.share < 100
        assert report.suppliers_used >= 3 and {row.label for row in report.by["kind"]} >= {"Fournisseurs non inclusifs"}


def test_demo_fair_buyers_have_a_past_year_on_the_marketplace_that_the_suggestions_read(app):
    """The fair buyers published needs in what they come for; suppliers at the fair
    answered some: a buyer is told so among its suggestions, and the needs ask for the
    kinds of structure the buyer's policy names."""
    from events.fairs.models import Fair
    from events.meetings.suggestions import FairSuggestions, score
    from marketplace.demo.history import buying_policy
    from marketplace.needs.models import Need, NeedSupplier
    from marketplace.offers.models import Offer

    runner = app.test_cli_runner()
    assert runner.invoke(args=["demo-data", "--size", "400", "--organisations", "60"]).exit_code == 0
    with app.app_context():
        demo_buyer = select(User.id).where(User.email == "acheteur@demo.marche-inclusif.fr").scalar_subquery()
        needs = list(db.session.scalars(select(Need).where(Need.author_id != demo_buyer)))
        assert len(needs) >= 20 and {need.status.value for need in needs} <= {"closed", "awarded"}
        for need in needs:
            assert {kind.value for kind in need.supplier_kinds} == {k.value for k in buying_policy(need.organisation)}
            bidders = set(db.session.scalars(select(Offer.supplier_id).where(Offer.need_id == need.id)))
            told = set(db.session.scalars(select(NeedSupplier.supplier_id).where(
                NeedSupplier.need_id == need.id, NeedSupplier.offer_submitted_at.is_not(None))))
            assert bidders == told  # offers only from suppliers the need matched, tracked as answered
        fair = db.session.scalar(select(Fair).where(Fair.name == "Coventis 2027"))
        suggestions = FairSuggestions(fair)
        reasons = [reason for pid, person in suggestions.profiles.items() if person.buyer
                   for suggestion in suggestions.for_participant(pid) for reason in suggestion.reasons]
        assert any(reason.startswith("a répondu à votre besoin « ") for reason in reasons)
        # Each participant's candidates hold everyone who shares a fact with them.
        reading = suggestions.reading
        for pid, me in reading.profiles.items():
            sharing = {other_id for other_id, other in reading.profiles.items() if other.buyer != me.buyer and
                       score(reading.facts(*((pid, other_id) if me.buyer else (other_id, pid)))) > 0}
            assert sharing and sharing <= reading.candidates(pid), me.name

"""The change feed: a mirror built only from it equals the directory after any series of
creations, updates, delistings and relistings, with no change missed or repeated."""

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import func, select

from marketplace.accounts.models import Role, User
from marketplace.demo import demo_siret
from marketplace.extensions import db
from marketplace.suppliers import services
from marketplace.suppliers.changes import SupplierChange
from marketplace.suppliers.models import Supplier

OPERATIONS = st.lists(st.tuples(st.sampled_from(["create", "update", "delist", "relist"]),
                                st.integers(min_value=0, max_value=6)), min_size=1, max_size=14)
serial = iter(range(10_000, 1_000_000))


def admin(app) -> User:
    user = db.session.scalar(select(User).where(User.email == "feed-admin@example.org"))
    if user is None:
        user = User(email="feed-admin@example.org", first_name="Flux", last_name="Admin", role=Role.ADMIN)
        user.set_password("x" * 12)
        db.session.add(user)
        db.session.flush()
    return user


def apply(app, operations) -> list[int]:
    """Run the operations through the services; returns the suppliers created."""
    created = []
    with app.app_context():
        actor = admin(app)
        for action, index in operations:
            if action == "create" or not created:
                number = next(serial)
                supplier = services.create_supplier({"name": f"Structure {number}", "siret": demo_siret(number, 4),
                                                     "kind": "EI", "postcode": "06130", "city": "Grasse",
                                                     "labels": [], "networks": []}, actor)
                created.append(supplier.id)
            else:
                supplier = db.session.get(Supplier, created[index % len(created)])
                if action == "update":
                    services.update_supplier(supplier, {"name": f"{supplier.name} bis"}, actor)
                else:
                    services.set_listed(supplier, action == "relist", actor)
            db.session.commit()
    return created


def mirror_from_feed(client, since: str | None, mirror: dict, seen: set) -> str:
    while True:
        page = client.get("/api/v1/suppliers/changes", query_string={"limit": 3, **({"since": since} if since
                                                                                     else {})}).get_json()
        for item in page["items"]:
            assert item["cursor"] not in seen, "a change was served twice"
            seen.add(item["cursor"])
            if item["supplier"] is None:
                mirror.pop(item["supplier_id"], None)
            else:
                mirror[item["supplier_id"]] = item["supplier"]["name"]
        if page["next"] == since or not page["items"]:
            return page["next"]
        since = page["next"]


def test_a_mirror_built_from_the_feed_equals_the_directory(make_app):
    app = make_app(API_FEED_LAG_SECONDS=0)
    client = app.test_client()
    state = {"since": None, "mirror": {}, "seen": set()}
    state["since"] = mirror_from_feed(client, None, state["mirror"], state["seen"])

    @settings(max_examples=12, deadline=None, suppress_health_check=list(HealthCheck))
    @given(OPERATIONS, st.integers(min_value=1, max_value=3))
    def check(operations, polls):
        # The mirror polls now and then while the directory changes.
        chunk = max(1, len(operations) // polls)
        for start in range(0, len(operations), chunk):
            apply(app, operations[start:start + chunk])
            state["since"] = mirror_from_feed(client, state["since"], state["mirror"], state["seen"])
        with app.app_context():
            directory = {s.id: s.name for s in db.session.scalars(select(Supplier).where(Supplier.is_listed))}
            assert state["mirror"] == directory
            assert len(state["seen"]) == db.session.scalar(select(func.count(SupplierChange.id)))

    check()


def test_the_feed_refuses_a_bad_cursor_and_waits_for_fresh_changes(app, client, make_supplier):
    make_supplier(name="Trop récente")
    assert client.get("/api/v1/suppliers/changes").get_json()["items"] == []  # younger than the lag
    bad = client.get("/api/v1/suppliers/changes", query_string={"since": "!!"})
    assert bad.status_code == 422 and "since" in bad.get_json()["errors"]

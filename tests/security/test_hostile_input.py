"""Hostile input, as a careless client or an attacker sends it, on every page and JSON
endpoint of the demo: no answer is a server error, and a refusal of a JSON body names
its fields.

The test logs in as each demo role, visits every GET route of the application (with ids
of the demo's records), and
- sends each query parameter the application reads with hostile values (huge and
  negative numbers, floats, extreme dates, NUL, lone surrogates, long strings);
- collects every HTML form the pages show (<form method="post">) and posts it again
  with one field at a time replaced by each hostile value (the other fields keep what
  the page put in them, so the hostile value reaches the code past validation);
- posts hostile JSON to every POST/PUT route: bodies that are not objects, nested
  thousands deep, sent as text/plain, and objects whose fields are all hostile.
"""

import json
import re
from collections import Counter
from functools import partial
from html.parser import HTMLParser

import pytest
from sqlalchemy import select, text
from werkzeug.routing import IntegerConverter

from marketplace.accounts.models import User
from marketplace.api.keys import create_key
from marketplace.demo import DEMO_PASSWORD
from marketplace.extensions import db

ROLES = {
    "anonyme": None,
    "acheteur": "acheteur@demo.marche-inclusif.fr",
    "fournisseur": "fournisseur@demo.marche-inclusif.fr",
    "organisateur": "organisateur@demo.marche-inclusif.fr",
    "admin": "admin@demo.marche-inclusif.fr",
}

HUGE = "99999999999999999999"
HOSTILE_TEXT = [HUGE, "-" + HUGE, "12.999", "-1", "0001-01-01T00:00", "9999-12-31", "a\x00b", "x" * 20_000,
                "=HYPERLINK(\"http://x\",\"y\")"]
HOSTILE_JSON = [10**20, -(10**20), 1e30, 12.999, True, None, "0001-01-01T00:00:00", "a\x00b", "\ud800", "x" * 20_000,
                {"a": 1}, [1, [2]]]
QUERY_VALUES = [HUGE, "-" + HUGE, "1.5", "1e400", "0001-01-01", "9999-12-31T23:59", "a%00b", "%ED%B3%BF", "%FF",
                "x" * 5000, "%3DHYPERLINK(1)"]
FIELD_JSON = [10**20, 12.999, {"a": 1}, None, "\ud800"]
NOT_OBJECTS = ["null", "0", '"x"', "[]", "[1, 2]", "[" * 5000 + "]" * 5000, '{"a":' * 3000 + "1" + "}" * 3000]
# Query parameters that some page reads (request.args), plus the search schemas' fields.
QUERY_NAMES = ["page", "annee", "structure", "participant", "creneaux", "liste", "statut", "q", "sector", "sectors",
               "department", "region", "commune", "within_km", "kind", "kinds", "services", "per_page", "cursor",
               "limit", "since", "format", "role", "sort", "headcount", "turnover", "updated_since", "next",
               "siret", "email", "type", "tri", "secteur"]
SKIPPED_PATHS = ("/static/", "/bootstrap/", "/deconnexion", "/api/v1/docs", "/metrics", "/paiements/webhook")
# Rows to point URL ids at, by the URL's argument name (the demo's records).
ID_TABLES = {
    "fair_id": "fairs", "need_id": "needs", "supplier_id": "suppliers", "meeting_id": "meetings",
    "order_id": "orders", "list_id": "favourite_lists", "offer_id": "offers", "participant_id": "fair_participants",
    "organisation_id": "buyer_organisations", "request_id": "meeting_requests", "user_id": "users",
    "lot_id": "need_lots", "subscription_id": "webhook_subscriptions", "membership_id": "organisation_memberships",
    "attachment_id": "attachments", "activity_id": "supplier_activities", "key_id": "api_keys",
    "item_id": "fair_talks", "run_id": "schedule_runs", "reference_id": "supplier_references",
    "member_id": "supplier_members", "import_id": "purchase_imports",
}


class Forms(HTMLParser):
    """The POST forms of a page: their action and their fields with the page's values."""

    def __init__(self):
        super().__init__()
        self.forms: list[dict] = []
        self._form = None
        self._select = None
        self._textarea = None

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        if tag == "form":
            self._form = {"action": a.get("action") or "", "method": (a.get("method") or "get").lower(),
                          "fields": {}} if (a.get("method") or "").lower() == "post" else None
            if self._form is not None:
                self.forms.append(self._form)
        elif self._form is None or not a.get("name"):
            return
        elif tag == "input":
            kind = a.get("type", "text")
            if kind in ("checkbox", "radio") and "checked" not in a:
                self._form["fields"].setdefault(a["name"], None)
            elif kind not in ("submit", "button", "file", "image", "reset"):
                self._form["fields"][a["name"]] = a.get("value") or ""
        elif tag == "select":
            self._select = a["name"]
            self._form["fields"].setdefault(self._select, None)
        elif tag == "textarea":
            self._textarea = a["name"]
            self._form["fields"][self._textarea] = ""
        elif tag == "option" and self._select:
            if self._form["fields"].get(self._select) is None or "selected" in a:
                self._form["fields"][self._select] = a.get("value", "")

    def handle_endtag(self, tag):
        if tag == "form":
            self._form = None
        elif tag == "select":
            self._select = None
        elif tag == "textarea":
            self._textarea = None

    def handle_data(self, data):
        if self._textarea and self._form is not None:
            self._form["fields"][self._textarea] += data


@pytest.fixture
def demo(app):
    result = app.test_cli_runner().invoke(args=["demo-data", "--size", "60", "--organisations", "30"])
    assert result.exit_code == 0, result.output
    return app


def ids_for(app) -> dict[str, list[int]]:
    """Up to three ids per URL argument, the first rows of their table."""
    found = {}
    with app.app_context():
        for argument, table in ID_TABLES.items():
            found[argument] = list(db.session.scalars(text(f"SELECT id FROM {table} ORDER BY id LIMIT 3"))) or [1]  # noqa: S608
    return found


def urls(app, ids, methods) -> list[tuple[str, str]]:
    """(method, url) for every route with one of `methods`, each id argument given the
    demo's first record of its table."""
    out = []
    for rule in app.url_map.iter_rules():
        if rule.rule.startswith(SKIPPED_PATHS):
            continue
        for method in sorted(rule.methods & set(methods)):
            values = {}
            for argument, converter in rule._converters.items():
                if type(converter).__name__ == "AnyConverter":
                    values[argument] = sorted(converter.items)[0]
                elif argument in ids:
                    values[argument] = ids[argument][0]
                elif isinstance(converter, IntegerConverter):  # a year, or a number of another kind
                    values[argument] = 2026
                else:
                    values[argument] = "x"
            out.append((method, rule.build(values)[1]))
    return out


def client_for(app, email):
    """A client logged in as `email` (anonymous without), whose calls to /api/ carry an
    API key of the same user with both scopes."""
    client = app.test_client()
    if email:
        response = client.post("/connexion", data={"email": email, "password": DEMO_PASSWORD})
        assert response.status_code == 302
        with app.app_context():
            user = db.session.scalar(select(User).where(User.email == email))
            _key, secret = create_key(user, "fuzzing", ["read", "write"])
            db.session.commit()
        client.environ_base["HTTP_AUTHORIZATION"] = f"Bearer {secret}"
    return client


def check(response, what: str, failures: list) -> None:
    if response.status_code >= 500:
        failures.append(f"{response.status_code} {what}")
        return
    if response.status_code == 422 and response.mimetype == "application/problem+json":
        body = response.get_json()
        if body.get("detail") == "Certains champs sont invalides." and not body.get("errors"):
            failures.append(f"422 without field errors {what}")


@pytest.mark.parametrize("role", list(ROLES))
def test_hostile_input_never_gives_a_server_error(demo, role, capsys):
    app = demo
    ids = ids_for(app)
    client = client_for(app, ROLES[role])
    token = {"X-CSRFToken": re.search(r'name="csrf_token" value="([^"]+)"',
                                      client.get("/mot-de-passe-oublie").get_data(as_text=True)).group(1)}
    failures: list[str] = []
    sent = Counter()

    forms = []
    for _method, url in urls(app, ids, {"GET"}):
        page = client.get(url)
        check(page, f"GET {url}", failures)
        sent["pages"] += 1
        if page.status_code == 200 and page.mimetype == "text/html":
            parser = Forms()
            parser.feed(page.get_data(as_text=True))
            forms.extend((form["action"] or url, form["fields"]) for form in parser.forms)
        for value in QUERY_VALUES:  # already percent-encoded
            response = client.get(url, query_string="&".join(f"{name}={value}" for name in QUERY_NAMES))
            check(response, f"GET {url} with ?…={value[:20]!r}", failures)
            sent["query strings"] += 1

    seen = set()
    for action, fields in forms:
        path = action.split("?")[0]
        key = (path, tuple(sorted(fields)))
        if key in seen or path.startswith(SKIPPED_PATHS) or not path.startswith("/"):
            continue
        seen.add(key)
        baseline = {name: value for name, value in fields.items() if value is not None}
        for name in fields:
            if name == "csrf_token":
                continue
            for value in HOSTILE_TEXT:
                response = client.post(action, data={**baseline, name: value}, csrf=False)
                check(response, f"POST {action} with {name}={value[:30]!r}", failures)
                sent["form posts"] += 1
            for value in FIELD_JSON:  # the same form sent as JSON, as the pages' scripts do
                response = client.post(action, json={**baseline, name: value}, headers=token, csrf=False)
                check(response, f"POST {action} as JSON with {name}={str(value)[:30]!r}", failures)
                sent["JSON form posts"] += 1
        # Without its CSRF token, the form is refused, cleanly.
        refused = client.post(action, data={k: v for k, v in baseline.items() if k != "csrf_token"}, csrf=False)
        check(refused, f"POST {action} without CSRF", failures)
        if refused.status_code not in (400, 401, 403, 404, 405, 409, 422):
            failures.append(f"{refused.status_code} POST {action} without CSRF was not refused")
        sent["posts without CSRF"] += 1

    names = sorted({name for _, fields in forms for name in fields if name != "csrf_token"})
    for method, url in urls(app, ids, {"POST", "PUT"}):
        send = partial(client.open, method=method)
        for body in NOT_OBJECTS:
            response = send(url, data=body, content_type="application/json", headers=token)
            check(response, f"{method} {url} with body {body[:20]!r}", failures)
        response = send(url, data='{"title": "x"}', content_type="text/plain", headers=token)
        check(response, f"{method} {url} as text/plain", failures)
        for value in HOSTILE_JSON:
            body = json.dumps({name: value for name in names + ["lots", "answers", "to", "sectors", "zones"]})
            response = send(url, data=body, content_type="application/json", headers=token)
            check(response, f"{method} {url} with JSON fields = {str(value)[:20]!r}", failures)
        sent["JSON bodies"] += len(NOT_OBJECTS) + 1 + len(HOSTILE_JSON)

    with capsys.disabled():
        print(f"\nhostile input as {role}: " + ", ".join(f"{count} {what}" for what, count in sent.items())
              + f", {len(forms)} forms found, {len(failures)} failures")
    assert not failures, summary(failures)


def summary(failures: list[str]) -> str:
    """One line per route: how many hostile requests failed there, and the first one."""
    by_route: dict[str, list[str]] = {}
    for failure in failures:
        by_route.setdefault(" ".join(failure.split(" ")[:3]), []).append(failure)
    return "\n".join(f"{len(items)} x {items[0][:160]}" for _, items in sorted(by_route.items()))

"""Schemathesis fuzzes every endpoint of the live OpenAPI document against the demo
directory, as an anonymous caller, with a buyer's key and with a supplier's key (read
and write): no 5xx, no response that breaks the documented schema (status, content
type, body). The test prints how many cases it ran."""

import os

import pytest
import schemathesis
from hypothesis import HealthCheck, given, settings
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_schema_conformance,
    status_code_conformance,
)
from sqlalchemy import select

from marketplace.accounts.models import User
from marketplace.api.keys import create_key
from marketplace.extensions import db

EXAMPLES = int(os.environ.get("SCHEMATHESIS_EXAMPLES", "30"))  # per operation
IDENTITIES = {"anonyme": None, "acheteur": "acheteur@demo.marche-inclusif.fr",
              "fournisseur": "fournisseur@demo.marche-inclusif.fr"}
CHECKS = [not_a_server_error, response_schema_conformance, status_code_conformance, content_type_conformance]


@pytest.fixture
def demo(app):
    result = app.test_cli_runner().invoke(args=["demo-data", "--size", "60", "--organisations", "30"])
    assert result.exit_code == 0, result.output
    return app


@pytest.mark.parametrize("identity", list(IDENTITIES))
def test_no_endpoint_fails_or_breaks_its_schema(demo, identity, capsys):
    app = demo
    headers = {}
    if IDENTITIES[identity]:
        with app.app_context():
            user = db.session.scalar(select(User).where(User.email == IDENTITIES[identity]))
            _key, key = create_key(user, "fuzzing", ["read", "write"])
            db.session.commit()
        headers = {"Authorization": f"Bearer {key}"}
    schema = schemathesis.openapi.from_wsgi("/api/v1/openapi.json", app)
    operations = [result.ok() for result in schema.get_all_operations()]
    assert len(operations) >= 25
    ran = {"cases": 0}

    for operation in operations:
        @settings(max_examples=EXAMPLES, deadline=None, suppress_health_check=list(HealthCheck), database=None)
        @given(case=operation.as_strategy())
        def fuzz(case):
            ran["cases"] += 1
            case.call_and_validate(headers=headers, checks=CHECKS)

        fuzz()
    with capsys.disabled():
        print(f"\nschemathesis as {identity}: {ran['cases']} cases over {len(operations)} operations, no failure")

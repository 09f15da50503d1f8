"""Schemathesis fuzzes every endpoint of the live OpenAPI document with a valid key (read
and write): no 5xx, no response that breaks the documented schema. The test prints how
many cases it ran."""

import os

import schemathesis
from hypothesis import HealthCheck, given, settings
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import response_schema_conformance

from marketplace.accounts.models import User
from marketplace.api.keys import create_key
from marketplace.extensions import db

EXAMPLES = int(os.environ.get("SCHEMATHESIS_EXAMPLES", "30"))  # per operation


def test_no_endpoint_fails_or_breaks_its_schema(app, buyer, capsys):
    with app.app_context():
        _key, key = create_key(db.session.get(User, buyer), "fuzzing", ["read", "write"])
        db.session.commit()
    schema = schemathesis.openapi.from_wsgi("/api/v1/openapi.json", app)
    operations = [result.ok() for result in schema.get_all_operations()]
    assert len(operations) >= 25
    ran = {"cases": 0}

    for operation in operations:
        @settings(max_examples=EXAMPLES, deadline=None, suppress_health_check=list(HealthCheck), database=None)
        @given(case=operation.as_strategy())
        def fuzz(case):
            ran["cases"] += 1
            case.call_and_validate(headers={"Authorization": f"Bearer {key}"},
                                   checks=[not_a_server_error, response_schema_conformance])

        fuzz()
    with capsys.disabled():
        print(f"\nschemathesis: {ran['cases']} cases over {len(operations)} operations, no failure")

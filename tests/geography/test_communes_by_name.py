"""Communes are picked by name (as the suggestions write them: Grasse (06)), postcode or
INSEE code; a name several departments share must say which one."""

import pytest

from marketplace.errors import DomainError
from marketplace.geography.services import communes_from_text, resolve_commune


def codes(app, text):
    with app.app_context():
        return [commune.insee_code for commune in communes_from_text(text, "communes")]


def test_communes_are_read_by_name_postcode_or_code(app):
    assert codes(app, "Grasse, Mougins (06); 13100\n2A004") == ["06069", "06085", "13001", "2A004"]
    assert codes(app, "grasse, GRASSE (06)") == ["06069"]  # folded, each commune once
    assert codes(app, "") == []


@pytest.mark.parametrize("typed, message", [
    ("Sainte-Colombe", "Plusieurs communes s'appellent « Sainte-Colombe » : précisez le département"),
    ("Grasse (13)", "Commune inconnue : « Grasse (13) »"),
    ("Grase", "Vouliez-vous dire"),
    ("99999", "Commune inconnue"),
])
def test_an_unclear_commune_is_refused_on_its_field(app, typed, message):
    with app.app_context(), pytest.raises(DomainError) as refused:
        communes_from_text(typed, "communes")
    assert message in refused.value.message and refused.value.field == "communes"


def test_a_suggested_name_with_its_department_is_understood_in_single_fields(app):
    with app.app_context():
        assert resolve_commune("Sainte-Colombe (05)").department_code == "05"
        assert resolve_commune("Aix-en-Provence (13)").insee_code == "13001"

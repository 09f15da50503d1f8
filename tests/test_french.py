"""The French text helpers (marketplace.french): elisions and contractions before a
name, counts with agreeing nouns, money and distances written the French way; and no
template writes a plural by hand with "(s)"."""

from pathlib import Path

import pytest

from marketplace import french


@pytest.mark.parametrize("name, written", [
    ("Aix-en-Provence", "d'Aix-en-Provence"), ("Argenteuil", "d'Argenteuil"), ("Hyères", "d'Hyères"),
    ("Le Havre", "du Havre"), ("Les Mureaux", "des Mureaux"), ("La Seyne-sur-Mer", "de La Seyne-sur-Mer"),
    ("Grasse", "de Grasse"), ("Haguenau", "de Haguenau"), ("SNCF", "de SNCF"), ("Ussel", "d'Ussel"),
])
def test_de_before_a_name(name, written):
    assert french.of(name) == written


def test_counts_agree_with_their_noun():
    assert french.count(0, "offre") == "0 offre"
    assert french.count(1, "offre reçue") == "1 offre reçue"
    assert french.count(3, "offre reçue") == "3 offres reçues"
    assert french.count(2, "mise à jour", "mises à jour") == "2 mises à jour"
    assert french.count(1200, "heure") == "1\u202f200 heures"


def test_money_and_distances():
    assert french.money(123450) == "1\u202f234,50\u00a0€"
    assert french.money(100000) == "1\u202f000\u00a0€"
    assert french.km(0.04) == "0\u00a0km" and french.km(3.25) == "3,2\u00a0km" and french.km(12.6) == "13\u00a0km"


def test_no_template_writes_a_plural_by_hand():
    templates = Path(__file__).resolve().parents[1] / "templates"
    offenders = [str(path.relative_to(templates)) for path in templates.rglob("*.*") if "(s)" in path.read_text()]
    assert not offenders


def test_percentages_are_written_the_french_way():
    from marketplace.french import percent

    assert [percent(rate) for rate in (2000, 550, 210, 0, 1000, 1)] == ["20", "5,5", "2,1", "0", "10", "0,01"]


def test_dates_are_written_the_french_way():
    from datetime import date, datetime

    from marketplace.french import day, day_and_time

    assert day(date(2027, 3, 18)) == "18 mars 2027"
    assert day(date(2027, 3, 1)) == "1er mars 2027"
    assert day(date(2027, 3, 18), weekday=True) == "jeudi 18 mars 2027"
    assert day_and_time(datetime(2027, 3, 18, 14, 30)) == "18 mars 2027 à 14 h 30"
    assert day_and_time(datetime(2027, 3, 18, 9, 0)) == "18 mars 2027 à 9 h"


def test_a_span_of_days_says_each_part_once():
    from datetime import date

    from marketplace.french import days

    assert days(date(2027, 3, 18), date(2027, 3, 18)) == "le 18 mars 2027"
    assert days(date(2027, 3, 18), date(2027, 3, 19)) == "du 18 au 19 mars 2027"
    assert days(date(2027, 2, 28), date(2027, 3, 2)) == "du 28 février au 2 mars 2027"
    assert days(date(2026, 12, 30), date(2027, 1, 2)) == "du 30 décembre 2026 au 2 janvier 2027"
    assert days(date(2027, 3, 1), date(2027, 3, 2)) == "du 1er au 2 mars 2027"

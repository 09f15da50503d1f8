"""The shipped communes are where they are: namesakes do not swap places."""

import statistics
from collections import defaultdict

from marketplace.geography import reference
from marketplace.geography.build import _km, repair


def row(insee, department, lat, lon, postcodes, population=100, source="geonames"):
    return {"insee": insee, "department": department, "latitude": f"{lat:.5f}", "longitude": f"{lon:.5f}",
            "postcodes": postcodes, "population": population, "source": source}


def test_repair_replaces_a_namesake_match_from_the_postcode_neighbours():
    rows = [row(f"84{n:03d}", "84", 43.9 + n * 0.01, 5.0 + n * 0.01, "84390" if n < 3 else "84000")
            for n in range(40)]
    rows.append(row("84999", "84", 43.60, 6.91, "84390"))  # took a namesake's place near Grasse
    rows.append(row("84998", "84", 44.30, 5.45, "84400"))  # an edge commune, genuinely placed
    moved = repair(rows)
    stray = rows[-2]
    assert moved == 1
    assert stray["source"] == "postcode" and abs(float(stray["latitude"]) - 43.91) < 0.02
    assert rows[-1]["source"] == "geonames"


def test_a_place_claimed_by_several_communes_stays_with_the_most_populous():
    rows = [row(f"06{n:03d}", "06", 43.6 + n * 0.01, 7.0, "06100") for n in range(20)]
    rows += [row(f"05{n:03d}", "05", 44.6 + n * 0.01, 6.1, "05000") for n in range(20)]
    rows.append(row("06500", "06", 43.78, 7.24, "06100", population=2000))  # Aspremont, Alpes-Maritimes
    rows.append(row("05500", "05", 43.78, 7.24, "05000", population=300))  # Aspremont, Hautes-Alpes
    repair(rows)
    assert rows[-2]["source"] == "geonames"
    assert rows[-1]["source"] == "postcode" and float(rows[-1]["latitude"]) > 44.5


def test_shipped_communes_lie_in_their_own_department():
    communes = reference.communes()
    by_department = defaultdict(list)
    for commune in communes:
        by_department[commune["department_code"]].append(commune)
    for code, members in by_department.items():
        lat = statistics.median(c["latitude"] for c in members)
        lon = statistics.median(c["longitude"] for c in members)
        farthest = max(_km(c["latitude"], c["longitude"], lat, lon) for c in members)
        assert farthest < (250 if code == "973" else 150), code  # French Guiana is that large
    places = {c["insee_code"]: c for c in communes}
    avignon, gap = places["84007"], places["05061"]
    assert _km(places["84006"]["latitude"], places["84006"]["longitude"], avignon["latitude"],
               avignon["longitude"]) < 80  # Auribeau, Vaucluse: not at Auribeau-sur-Siagne any more
    assert _km(places["05008"]["latitude"], places["05008"]["longitude"], gap["latitude"], gap["longitude"]) < 80


def test_directory_refresh_derives_reach_again(app, make_supplier):
    make_supplier(activities=[{"sector": "nettoyage", "range": "radius", "radius": 20}])
    result = app.test_cli_runner().invoke(args=["directory", "refresh", "--commune", "06069"])
    assert result.exit_code == 0 and "1 structures refreshed" in result.output

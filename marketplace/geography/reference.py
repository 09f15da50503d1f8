"""Reading the shipped reference files (used by the migration that loads them, and by tests)."""

import csv
import gzip
from pathlib import Path

from marketplace.geography.text import fold

DATA = Path(__file__).resolve().parent / "data"


def regions() -> list[dict]:
    with open(DATA / "regions.csv", encoding="utf-8") as handle:
        return [{"code": r["code"], "name": r["name"]} for r in csv.DictReader(handle)]


def departments() -> list[dict]:
    with open(DATA / "departments.csv", encoding="utf-8") as handle:
        return [{"code": r["code"], "name": r["name"], "region_code": r["region"]} for r in csv.DictReader(handle)]


def communes() -> list[dict]:
    with gzip.open(DATA / "communes.csv.gz", "rt", encoding="utf-8") as handle:
        return [
            {
                "insee_code": r["insee"],
                "name": r["name"],
                "search_name": fold(r["name"]),
                "postcodes": r["postcodes"],
                "department_code": r["department"],
                "region_code": r["region"],
                "latitude": float(r["latitude"]),
                "longitude": float(r["longitude"]),
                "population": int(r["population"]),
                "coordinates_source": r["source"],
            }
            for r in csv.DictReader(handle)
        ]

"""Directory search benchmark: a fixed mix of realistic queries at national scale.

    python -m bench.directory [--suppliers 200000] [--backend sqlite|postgresql|both] [--queries 1000]

Builds (once, then reuses) a demo directory of N suppliers: SQLite under
instance/bench/, PostgreSQL in the database `bench_directory` on
postgresql://postgres@127.0.0.1:5432 (override with --postgres-url). Runs the same
query mix in-process (the search service) and through the HTTP endpoint
(/annuaire/recherche.json on a local server), and prints p50/p95/p99 per query type
and the database size.
"""

import argparse
import http.client
import json
import os
import random
import statistics
import threading
import time
from pathlib import Path
from urllib.parse import urlencode

from sqlalchemy import create_engine, func, select, text

ROOT = Path(__file__).resolve().parent.parent
TEXTS = ["nettoyage", "espaces verts", "traiteur", "recyclage", "conditionnement", "blanchisserie", "menuiserie",
         "peinture", "informatique", "vélo cargo", "entretien", "déchets", "tremplin", "passerelle", "jardins",
         "ressourcerie", "numérisation", "emballages", "intérim", "restauration collective"]
WORDS = ["nettoyage", "espaces verts", "traiteur", "ménage", "paysagiste", "emballage", "netoyage", "repas",
         "entretien des locaux", "intérim"]
TYPES = ["text", "text+department", "sector+radius", "filters", "deep-page", "words+place"]


def query_mix(count: int, departments: list[str], communes: list[str], sectors: list[str]) -> list[tuple[str, dict]]:
    rng = random.Random(42)
    mix = []
    for i in range(count):
        kind = TYPES[i % len(TYPES)]
        if kind == "text":
            params = {"q": rng.choice(TEXTS)}
        elif kind == "text+department":
            params = {"q": rng.choice(TEXTS), "department": rng.choice(departments)}
        elif kind == "sector+radius":
            params = {"sector": rng.choice(sectors), "commune": rng.choice(communes)}
            if rng.random() < 0.5:
                params.update(within_km=rng.choice([10, 20, 50]), sort="distance")
        elif kind == "filters":
            params = {"sector": rng.choice(sectors), "department": rng.choice(departments),
                      "kind": rng.sample(["EI", "ACI", "ESAT", "EA", "AI"], k=2), "service": "service"}
        elif kind == "deep-page":
            params = {"q": rng.choice(["solidaire", "atelier", "insertion"]) if rng.random() < 0.5 else None,
                      "page": rng.randint(20, 200)}
        else:  # words that name a sector, and a place: searched activity by activity
            params = {"q": rng.choice(WORDS)}
            if rng.random() < 0.5:
                params["department"] = rng.choice(departments)
            else:
                params["commune"] = rng.choice(communes)
                if rng.random() < 0.5:
                    params["within_km"] = rng.choice([10, 20, 50])
        mix.append((kind, {k: v for k, v in params.items() if v is not None}))
    return mix


def build(url: str, suppliers: int, instance: Path):
    os.environ["INSTANCE_PATH"] = str(instance)
    from marketplace.app import create_app
    from marketplace.extensions import db

    app = create_app({"SQLALCHEMY_DATABASE_URI": url, "RATELIMIT_ENABLED": False, "MAIL_BACKEND": "console"})
    with app.app_context():
        import flask_migrate

        flask_migrate.upgrade()
        from marketplace.suppliers.models import Supplier

        have = db.session.scalar(select(func.count()).select_from(Supplier))
        if have < suppliers:
            from marketplace.demo import load_demo_data

            started = time.monotonic()
            load_demo_data(50, suppliers)
            print(f"  built {suppliers} suppliers in {time.monotonic() - started:.0f} s")
        if db.engine.dialect.name == "postgresql":
            db.session.execute(text("ANALYZE"))
            db.session.commit()
    from marketplace.app import freeze_startup_heap

    freeze_startup_heap()  # as wsgi.py does in every serving process
    return app


def database_size(app) -> str:
    from marketplace.extensions import db

    with app.app_context():
        if db.engine.dialect.name == "sqlite":
            size = Path(db.engine.url.database).stat().st_size
        else:
            size = db.session.scalar(text("SELECT pg_database_size(current_database())"))
    return f"{size / 1e6:.0f} MB"


def percentiles(samples: list[float]) -> str:
    ordered = sorted(samples)

    def at(q):
        return ordered[min(len(ordered) - 1, int(q * len(ordered)))] * 1000

    return f"p50 {at(0.50):6.1f}  p95 {at(0.95):6.1f}  p99 {at(0.99):6.1f} ms"


def run(app, queries: int) -> dict:
    from marketplace.directory.schemas import SearchSchema
    from marketplace.extensions import db
    from marketplace.geography.models import Commune, Department
    from marketplace.suppliers.search import search_suppliers
    from marketplace.suppliers.taxonomy import Sector

    with app.app_context():
        departments = list(db.session.scalars(select(Department.code)))
        communes = list(db.session.scalars(select(Commune.insee_code).order_by(Commune.population.desc()).limit(500)))
        sectors = list(db.session.scalars(select(Sector.slug)))
    mix = query_mix(queries, departments, communes, sectors)

    in_process: dict[str, list[float]] = {t: [] for t in TYPES}
    with app.app_context():
        for _kind, params in mix[:20]:  # warm caches
            criteria = SearchSchema().load(params)
            search_suppliers(criteria, criteria["page"], criteria["per_page"])
        for kind, params in mix:
            criteria = SearchSchema().load(params)
            started = time.perf_counter()
            search_suppliers(criteria, criteria["page"], criteria["per_page"])
            in_process[kind].append(time.perf_counter() - started)
            db.session.remove()

    import logging

    from werkzeug.serving import make_server

    logging.getLogger("werkzeug").setLevel(logging.WARNING)

    server = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    over_http: dict[str, list[float]] = {t: [] for t in TYPES}
    connection = http.client.HTTPConnection("127.0.0.1", server.server_port)
    try:
        for kind, params in mix:
            started = time.perf_counter()
            connection.request("GET", "/annuaire/recherche.json?" + urlencode(params, doseq=True))
            response = connection.getresponse()
            body = response.read()
            over_http[kind].append(time.perf_counter() - started)
            assert response.status == 200, body[:300]
            json.loads(body)
    finally:
        connection.close()
        server.shutdown()
    return {"in_process": in_process, "http": over_http}


def bench_database_url(backend: str, suppliers: int, postgres_url: str, instance: Path) -> str:
    """The benchmark database of that size on that backend (the PostgreSQL one created if missing)."""
    if backend == "sqlite":
        return f"sqlite:///{instance}/directory-{suppliers}.db"
    name = f"bench_directory_{suppliers}"
    admin = create_engine(postgres_url.replace("postgresql://", "postgresql+psycopg://") + "/postgres",
                          isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        if not connection.scalar(text("SELECT 1 FROM pg_database WHERE datname = :n"), {"n": name}):
            connection.execute(text(f'CREATE DATABASE "{name}"'))
    admin.dispose()
    return f"{postgres_url}/{name}".replace("postgresql://", "postgresql+psycopg://")


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--suppliers", type=int, default=200_000)
    parser.add_argument("--backend", choices=["sqlite", "postgresql", "both"], default="both")
    parser.add_argument("--queries", type=int, default=1000)
    parser.add_argument("--postgres-url", default="postgresql://postgres@127.0.0.1:5432")
    args = parser.parse_args()
    instance = ROOT / "instance" / "bench"
    instance.mkdir(parents=True, exist_ok=True)
    backends = ["sqlite", "postgresql"] if args.backend == "both" else [args.backend]
    for backend in backends:
        url = bench_database_url(backend, args.suppliers, args.postgres_url, instance)
        print(f"== {backend}, {args.suppliers} suppliers")
        app = build(url, args.suppliers, instance)
        results = run(app, args.queries)
        print(f"  database size: {database_size(app)}")
        for where in ("in_process", "http"):
            print(f"  {where.replace('_', '-')}:")
            for kind in TYPES:
                samples = results[where][kind]
                print(f"    {kind:<16} n={len(samples):4d}  {percentiles(samples)}  mean "
                      f"{statistics.mean(samples) * 1000:5.1f} ms")


if __name__ == "__main__":
    main()

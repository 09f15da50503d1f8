"""Matching benchmark: one need against the whole demo directory, and the weekly digest.

    python -m bench.matching [--suppliers 200000] [--backend sqlite|postgresql|both] [--needs 40]
                             [--open-needs 2000]

Uses the directory benchmark's databases (built once by bench.directory's build).
Prints, per need shape (France-wide, one department, a commune and a radius, several
sectors), the time to find every matching supplier (the SQL rule, ids and ranks
fetched), with the number matched; then makes sure 2,000 needs are open with their
matches stored (built once) and times building every supplier's weekly digest (the
mails rendered and written to the outbox, then rolled back).
"""

import argparse
import random
import statistics
import time
from datetime import timedelta

from sqlalchemy import func, select

from bench.directory import ROOT, bench_database_url, build, percentiles

SHAPES = ["france", "department", "radius", "sectors"]
BENCH_TITLE = "Besoin de référence pour le banc d'essai"


def need_fields(shape: str, rng: random.Random, sectors: list[int], departments: list[str],
                communes: list[str]) -> dict:
    from marketplace.needs.models import NeedArea
    from marketplace.needs.schemas import blank_need_data
    from marketplace.timeutil import utcnow

    fields = blank_need_data(title=BENCH_TITLE, description="Banc d'essai.", sector_ids=[rng.choice(sectors)],
                             deadline=utcnow() + timedelta(days=3650))
    if shape == "department":
        fields.update(area=NeedArea.ZONES, departments=[rng.choice(departments)])
    elif shape == "radius":
        fields.update(area=NeedArea.COMMUNE, commune=rng.choice(communes), radius_km=rng.choice([10, 30, 60]))
    elif shape == "sectors":
        fields.update(sector_ids=rng.sample(sectors, 3), area=NeedArea.ZONES,
                      departments=rng.sample(departments, 2))
    return fields


def reference_data():
    from marketplace.extensions import db
    from marketplace.geography.models import Commune, Department
    from marketplace.suppliers.taxonomy import Sector

    return (list(db.session.scalars(select(Sector.id))), list(db.session.scalars(select(Department.code))),
            list(db.session.scalars(select(Commune.insee_code).order_by(Commune.population.desc()).limit(500))))


def a_buyer():
    from marketplace.accounts.models import Role, User
    from marketplace.extensions import db
    from marketplace.organisations.models import Membership, MembershipStatus

    return db.session.scalar(select(User).join(Membership, Membership.user_id == User.id).where(
        User.role == Role.BUYER, Membership.status == MembershipStatus.ACTIVE).limit(1))


def time_matching(app, per_shape: int) -> dict[str, tuple[list[float], list[int]]]:
    from marketplace.extensions import db
    from marketplace.needs import matching, services

    rng = random.Random(11)
    results = {}
    with app.app_context():
        sectors, departments, communes = reference_data()
        buyer = a_buyer()
        for shape in SHAPES:  # warm the process's caches (the departments' outlines), as a server is
            matching.matching_suppliers(services.create_need(need_fields(shape, rng, sectors, departments, communes),
                                                             buyer))
            db.session.rollback()
        for shape in SHAPES:
            times, counts = [], []
            for _ in range(per_shape):
                need = services.create_need(need_fields(shape, rng, sectors, departments, communes), buyer)
                started = time.perf_counter()
                matched = matching.matching_suppliers(need)
                times.append(time.perf_counter() - started)
                counts.append(len(matched))
                db.session.rollback()
            results[shape] = (times, counts)
    return results


def ensure_open_needs(app, count: int) -> float:
    """2,000 open needs (60 % one department, 30 % a radius, 10 % France-wide) with their
    matches stored, as publication leaves them; built once. Returns the seconds spent."""
    from marketplace.extensions import db
    from marketplace.needs import outreach, services
    from marketplace.needs.models import Need, NeedStatus
    from marketplace.timeutil import utcnow

    started = time.monotonic()
    with app.app_context():
        have = db.session.scalar(select(func.count()).select_from(Need).where(Need.title == BENCH_TITLE,
                                                                              Need.status == NeedStatus.PUBLISHED))
        rng = random.Random(5 + have)
        sectors, departments, communes = reference_data()
        buyer = a_buyer()
        for number in range(have, count):
            draw = rng.random()
            shape = "department" if draw < 0.6 else "radius" if draw < 0.9 else "france"
            need = services.create_need(need_fields(shape, rng, sectors, departments, communes), buyer)
            need.status, need.published_at = NeedStatus.PUBLISHED, utcnow()
            outreach.store_matches(need)
            if number % 100 == 99:
                db.session.commit()
                print(f"    {number + 1} open needs", flush=True)
        db.session.commit()
    return time.monotonic() - started


def time_digest(app) -> tuple[float, int, int]:
    from marketplace.extensions import db
    from marketplace.needs.digest import build_digests
    from marketplace.needs.models import NeedSupplier

    with app.app_context(), app.test_request_context(base_url=app.config["PUBLIC_URL"]):
        links = db.session.scalar(select(func.count()).select_from(NeedSupplier))
        started = time.perf_counter()
        mails = build_digests()
        db.session.flush()
        elapsed = time.perf_counter() - started
        db.session.rollback()
    return elapsed, mails, links


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--suppliers", type=int, default=200_000)
    parser.add_argument("--backend", choices=["sqlite", "postgresql", "both"], default="both")
    parser.add_argument("--needs", type=int, default=40, help="needs timed per shape")
    parser.add_argument("--open-needs", type=int, default=2000)
    parser.add_argument("--postgres-url", default="postgresql://postgres@127.0.0.1:5432")
    args = parser.parse_args()
    instance = ROOT / "instance" / "bench"
    instance.mkdir(parents=True, exist_ok=True)
    backends = ["sqlite", "postgresql"] if args.backend == "both" else [args.backend]
    for backend in backends:
        url = bench_database_url(backend, args.suppliers, args.postgres_url, instance)
        print(f"== {backend}, {args.suppliers} suppliers")
        app = build(url, args.suppliers, instance)
        print("  matching one need (SQL rule, every matching supplier fetched):")
        for shape, (times, counts) in time_matching(app, args.needs).items():
            print(f"    {shape:<11} n={len(times):3d}  {percentiles(times)}  max {max(times) * 1000:6.1f} ms"
                  f"  matched: median {statistics.median(counts):7.0f}, max {max(counts):7d}")
        built = ensure_open_needs(app, args.open_needs)
        if built > 1:
            print(f"  stored the matches of {args.open_needs} open needs in {built:.0f} s")
        elapsed, mails, links = time_digest(app)
        print(f"  weekly digest: {mails} mails from {links} stored matches in {elapsed:.1f} s")


if __name__ == "__main__":
    main()

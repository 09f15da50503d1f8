"""Offline evaluation of the fair suggestions (events/meetings/suggestions.py).

    python -m bench.recommendations [--size 2000] [--hide 0.3] [--seeds 3]

Builds the demo data in a fresh SQLite database (two fairs: SO EKO 2026, past, and
Coventis 2027, with requests on the way), then, for each seed, hides a share of the
pairs that met or wanted to: the accepted requests and the meetings rated 4 or 5. The
suggestions are computed as if the hidden requests had never been made, and each
participant's top 10 is scored against what was hidden from them: recall@10 (the
share of their hidden pairs in the top 10) and NDCG@10 (binary relevance), averaged
over the participants who had something hidden. Two baselines see the same data: the
same sector (the other side's participants who ticked a sector the participant ticked,
ties at random) and random order; and the ceiling: the demo's own interest model
(demo/fairs.py), without its chance, which no ranking can beat by more than luck.

The demo's requests are drawn from what participants want (demo/fairs.py, Motives: a
sector the buyer comes for that the supplier works in, the supplier working in the
buyer's department, the supplier being of a kind the buyer buys from by policy, the
supplier having answered one of the buyer's needs this past year (demo/history.py),
and chance), so the figures say how well the suggestions recover that behaviour from
what the marketplace shows (never from the demo's hidden policy or its draws); real
fairs will differ.
"""

import argparse
import math
import os
import random
import tempfile
import time
from collections import defaultdict


def _app(database: str):
    from marketplace.app import create_app

    return create_app({"SQLALCHEMY_DATABASE_URI": database, "TESTING": True,
                       "RATELIMIT_ENABLED": False, "PUBLIC_URL": "http://localhost"})


def relevant_pairs(fair) -> dict[int, tuple[int, int]]:
    """request id -> (requester, recipient) of the accepted requests; a meeting rated 4
    or 5 by either side counts through its request."""
    from sqlalchemy import select

    from events.meetings.models import MeetingRequest, RequestStatus
    from marketplace.extensions import db

    return {rid: (a, b) for rid, a, b in db.session.execute(select(
        MeetingRequest.id, MeetingRequest.requester_id, MeetingRequest.recipient_id).where(
        MeetingRequest.fair_id == fair.id, MeetingRequest.status == RequestStatus.ACCEPTED))}


def _metrics(ranked: list[int], hidden: set[int]) -> tuple[float, float]:
    top = ranked[:10]
    hits = [1 if other in hidden else 0 for other in top]
    recall = sum(hits) / len(hidden)
    dcg = sum(hit / math.log2(rank + 2) for rank, hit in enumerate(hits))
    ideal = sum(1 / math.log2(rank + 2) for rank in range(min(len(hidden), 10)))
    return recall, dcg / ideal


def evaluate(fair, hide: float, seed: int) -> dict[str, tuple[float, float, int]]:
    from sqlalchemy import select

    from events.fairs.models import Participant
    from events.meetings.suggestions import FairSuggestions
    from marketplace.demo.fairs import Motives
    from marketplace.extensions import db

    rng = random.Random(seed)
    pairs = relevant_pairs(fair)
    people = {p.id: p for p in db.session.scalars(select(Participant).where(Participant.fair_id == fair.id))}
    motives = Motives(list(people.values()))

    def demo_interest(me, other) -> float:
        """What the demo drew the requests from, without the chance: the ceiling."""
        buyer, supplier = (me, other) if me.role.value == "buyer" else (other, me)
        return motives.value(buyer, supplier)

    hidden_ids = set(rng.sample(sorted(pairs), round(hide * len(pairs))))
    suggestions = FairSuggestions(fair, hidden=hidden_ids)
    hidden: dict[int, set[int]] = defaultdict(set)
    for rid in hidden_ids:
        a, b = pairs[rid]
        hidden[a].add(b)
        hidden[b].add(a)
    scores: dict[str, list[tuple[float, float]]] = defaultdict(list)
    for person, theirs in hidden.items():
        if person not in suggestions.profiles:
            continue
        candidates = [other for other in suggestions.profiles if suggestions.can_suggest(person, other)]
        ours = [s.participant.id for s in suggestions.for_participant(person, limit=10)]
        ticked = suggestions.profiles[person].ticked
        shuffled = rng.sample(candidates, len(candidates))
        same_sector = sorted(shuffled, key=lambda other: -len(
            ticked & suggestions.profiles[other].ticked))
        me = people[person]
        ceiling = sorted(shuffled, key=lambda other: -demo_interest(me, people[other]))
        for name, ranked in (("ours", ours), ("same sector", same_sector), ("random", shuffled),
                             ("demo's own", ceiling)):
            scores[name].append(_metrics(ranked, theirs))
    return {name: (sum(r for r, _ in rows) / len(rows), sum(n for _, n in rows) / len(rows), len(rows))
            for name, rows in scores.items()}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--size", type=int, default=2000, help="demo size (suppliers; a tenth as many buyers)")
    parser.add_argument("--hide", type=float, default=0.3)
    parser.add_argument("--seeds", type=int, default=3)
    args = parser.parse_args()
    from sqlalchemy import select

    from events.fairs.models import Fair
    from marketplace import demo
    from marketplace.extensions import db

    folder = tempfile.mkdtemp(prefix="bench-recommendations-")
    app = _app(f"sqlite:///{os.path.join(folder, 'demo.db')}")
    with app.app_context():
        import logging

        from flask_migrate import upgrade

        started = time.monotonic()
        logging.disable(logging.INFO)  # alembic's configuration would print every migration
        upgrade()
        logging.disable(logging.NOTSET)
        demo.load_demo_data(max(args.size // 10, 30), args.size)
        print(f"demo data built in {time.monotonic() - started:.0f} s ({args.size} suppliers)")
        totals: dict[str, list[tuple[float, float, int]]] = defaultdict(list)
        print(f"{'fair':<16}{'seed':>5}  {'ranking':<12}{'recall@10':>10}{'NDCG@10':>9}{'people':>8}")
        for fair in db.session.scalars(select(Fair).order_by(Fair.starts_on)):
            for seed in range(1, args.seeds + 1):
                started = time.monotonic()
                result = evaluate(fair, args.hide, seed)
                for name, (recall, ndcg, people) in result.items():
                    totals[name].append((recall, ndcg, people))
                    print(f"{fair.name:<16}{seed:>5}  {name:<12}{recall:>10.3f}{ndcg:>9.3f}{people:>8}")
                print(f"  ({time.monotonic() - started:.1f} s)")
        print("\nOverall (weighted by participants):")
        overall = {}
        for name, rows in totals.items():
            people = sum(p for _, _, p in rows)
            overall[name] = (sum(r * p for r, _, p in rows) / people, sum(n * p for _, n, p in rows) / people)
            print(f"  {name:<12} recall@10 {overall[name][0]:.3f}  NDCG@10 {overall[name][1]:.3f}")
        base = overall["same sector"]
        for name in ("ours", "demo's own"):
            print(f"  {name} / same sector: {overall[name][0] / base[0]:.2f} x recall@10, "
                  f"{overall[name][1] / base[1]:.2f} x NDCG@10")


if __name__ == "__main__":
    main()

"""Planted fairs: instances whose optimum is known because it was built first.

Groups of four people who can all meet one another in three consecutive slots (a round
robin: nobody waits, 6 meetings), each group free over a wider window of slots, groups
spread over `blocks` starting times, just enough tables for the planted programme, and
requests between groups whose windows never meet (noise that cannot be held). The
optimum holds every planted meeting (value = the sum of their weights) with 0 breaks;
a programme of full value may still leave breaks, which is what the scheduler must
avoid. Used by the benchmark (`python -m bench.scheduling --sizes planted`) and the
tests (tests/events/test_breaks.py)."""

import math
import random


def planted(groups: int, window: int = 8, seed: int = 0, blocks: int | None = None) -> dict:
    rng = random.Random(seed)
    blocks = blocks or groups
    starts = [3 * (g % blocks) for g in range(groups)]
    slots_count = max(starts) + window
    slot_ids = [f"s{i:03d}" for i in range(slots_count)]
    tables = 2 * math.ceil(groups / blocks)
    slots = [{"id": s, "start": f"2026-11-27T{8 + i // 3:02d}:{(i % 3) * 20:02d}:00+01:00", "minutes": 20,
              "tables": tables} for i, s in enumerate(slot_ids)]
    participants, requests = [], []
    for g, start in enumerate(starts):
        people = [f"g{g}p{k}" for k in range(4)]
        for pid in people:
            participants.append({"id": pid, "role": "buyer" if pid.endswith(("0", "1")) else "supplier",
                                 "available": slot_ids[start:start + window]})
        for i, a in enumerate(people):
            for b in people[i + 1:]:
                requests.append({"from": a, "to": b, "weight": rng.randint(1, 3)})
    for g in range(groups):  # noise: a request to a group whose window never meets this one's
        far = [h for h in range(groups) if abs(starts[h] - starts[g]) >= window]
        if far:
            requests.append({"from": f"g{g}p0", "to": f"g{rng.choice(far)}p3", "weight": 3})
    rng.shuffle(requests)
    return {"name": f"planted-{4 * groups}", "slots": slots, "participants": participants, "requests": requests}


def planted_optimum(instance: dict) -> int:
    """The value of the planted programme: every request within a group."""
    return sum(r["weight"] for r in instance["requests"] if r["from"].split("p")[0] == r["to"].split("p")[0])

"""Planted fairs: instances whose optimum is known because it was built first.

Groups of four people who can all meet one another in three consecutive slots (a round
robin: nobody waits, 6 meetings), each group free over a wider window of slots, groups
spread over `blocks` starting times, just enough tables for the planted programme (plus
one a stand, in the stands variant), and
requests between groups whose windows never meet (noise that cannot be held). The
optimum holds every planted meeting (value = the sum of their weights) with 0 breaks;
a programme of full value may still leave breaks, which is what the scheduler must
avoid. Used by the benchmark (`python -m bench.scheduling --sizes planted`) and the
tests (tests/events/test_breaks.py)."""

import math
import random

ROUND_ROBIN = (((0, 1), (2, 3)), ((0, 2), (1, 3)), ((0, 3), (1, 2)))  # three slots, nobody waits


def planted(groups: int, window: int = 8, seed: int = 0, blocks: int | None = None,
            fixed: float = 0.0, stands: bool = False, forbidden: int = 0) -> dict:
    """A planted fair. Variants, each keeping the planted optimum:
    - `fixed`: that share of the planted meetings is given as fixed in advance
      (instance["fixed"], the scheduler's locked meetings), at their planted slot and table;
    - `stands`: the first person of each group has a table of their own all day;
    - `forbidden`: each group's meetings are forbidden in that many slots of its window
      outside its planted slots (requests[].slots)."""
    rng = random.Random(seed)
    blocks = blocks or groups
    starts = [3 * (g % blocks) for g in range(groups)]
    slots_count = max(starts) + window
    slot_ids = [f"s{i:03d}" for i in range(slots_count)]
    shared = 2 * math.ceil(groups / blocks)  # tables for the planted meetings of groups starting together
    tables = shared + (groups if stands else 0)
    slots = [{"id": s, "start": f"2026-11-27T{8 + i // 3:02d}:{(i % 3) * 20:02d}:00+01:00", "minutes": 20,
              "tables": tables} for i, s in enumerate(slot_ids)]
    participants, requests, programme = [], [], []
    for g, start in enumerate(starts):
        people = [f"g{g}p{k}" for k in range(4)]
        for pid in people:
            participants.append({"id": pid, "role": "buyer" if pid.endswith(("0", "1")) else "supplier",
                                 "available": slot_ids[start:start + window]})
        stand = shared + g + 1 if stands else None
        if stand:
            participants[-4]["table"] = stand
        allowed = slot_ids[start:start + window]
        outside = [s for s in allowed if s not in slot_ids[start:start + 3]]
        for s in rng.sample(outside, min(forbidden, len(outside))):
            allowed.remove(s)
        together = g // blocks  # groups starting at the same time share the tables 1..shared
        for offset, meetings in enumerate(ROUND_ROBIN):
            for k, (i, j) in enumerate(meetings):
                table = stand if stand and i == 0 else 2 * together + k + 1
                programme.append({"a": people[i], "b": people[j], "slot": slot_ids[start + offset], "table": table})
        for i, a in enumerate(people):
            for b in people[i + 1:]:
                request = {"from": a, "to": b, "weight": rng.randint(1, 3)}
                if forbidden:
                    request["slots"] = list(allowed)
                requests.append(request)
    for g in range(groups):  # noise: a request to a group whose window never meets this one's
        far = [h for h in range(groups) if abs(starts[h] - starts[g]) >= window]
        if far:
            requests.append({"from": f"g{g}p0", "to": f"g{rng.choice(far)}p3", "weight": 3})
    rng.shuffle(requests)
    variant = "".join(f"-{name}" for name, on in (("fixed", fixed), ("stands", stands), ("forbidden", forbidden))
                      if on)
    instance = {"name": f"planted-{4 * groups}{variant}", "slots": slots, "participants": participants,
                "requests": requests}
    if fixed:
        instance["fixed"] = rng.sample(programme, round(fixed * len(programme)))
    return instance


def planted_optimum(instance: dict) -> int:
    """The value of the planted programme: every request within a group."""
    return sum(r["weight"] for r in instance["requests"] if r["from"].split("p")[0] == r["to"].split("p")[0])

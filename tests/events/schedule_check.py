"""An independent check of a schedule against FORMAT.md, and an exact optimum for tiny instances."""

import itertools
from collections import defaultdict


def requested_pairs(instance: dict) -> tuple[dict, dict]:
    """Weight and allowed slots of each requested pair (mutual requests add up)."""
    slot_ids = [s["id"] for s in instance["slots"]]
    weight, allowed = defaultdict(int), {}
    for r in instance["requests"]:
        if r["from"] == r["to"]:
            continue
        pair = frozenset((r["from"], r["to"]))
        weight[pair] += r.get("weight", 1)
        allowed[pair] = allowed.get(pair, set(slot_ids)) & set(r.get("slots", slot_ids))
    return dict(weight), allowed


def check(instance: dict, meetings: list[dict]) -> int:
    """Assert the schedule is valid; return its value."""
    slot_ids = [s["id"] for s in instance["slots"]]
    tables = {s["id"]: s["tables"] for s in instance["slots"]}
    people = {p["id"]: p for p in instance["participants"]}
    weight, allowed = requested_pairs(instance)
    busy, count, seen, used = set(), defaultdict(int), set(), defaultdict(set)
    value = 0
    for m in meetings:
        pair = frozenset((m["a"], m["b"]))
        assert m["a"] != m["b"] and pair in weight, f"not requested: {m}"
        assert pair not in seen, f"pair twice: {m}"
        seen.add(pair)
        assert m["slot"] in allowed[pair], f"slot not allowed by the request: {m}"
        for person in (m["a"], m["b"]):
            assert m["slot"] in people[person].get("available", slot_ids), f"{person} unavailable: {m}"
            assert (person, m["slot"]) not in busy, f"{person} double-booked: {m}"
            busy.add((person, m["slot"]))
            count[person] += 1
        assert 1 <= m["table"] <= tables[m["slot"]] and m["table"] not in used[m["slot"]], f"bad table: {m}"
        stands = [people[p]["table"] for p in (m["a"], m["b"]) if people[p].get("table") is not None]
        assert not stands or m["table"] in stands, f"not at the stand {stands}: {m}"
        used[m["slot"]].add(m["table"])
        value += weight[pair]
    for person, n in count.items():
        limit = people[person].get("max_meetings")
        assert limit is None or n <= limit, f"{person} has {n} meetings > {limit}"
        row = people[person].get("max_in_a_row")
        assert row is None or longest_run(person, busy, slot_ids) <= row, f"{person}: over {row} in a row"
    return value


def longest_run(person: str, busy: set, slot_ids: list[str]) -> int:
    """The most meetings `person` has in adjacent slots."""
    longest = run = 0
    for slot in slot_ids:
        run = run + 1 if (person, slot) in busy else 0
        longest = max(longest, run)
    return longest


def brute_force_optimum(instance: dict) -> int:
    """The best value over every assignment of pairs to slots (tiny instances only)."""
    slot_ids = [s["id"] for s in instance["slots"]]
    tables = {s["id"]: s["tables"] for s in instance["slots"]}
    people = {p["id"]: p for p in instance["participants"]}
    weight, allowed = requested_pairs(instance)
    pairs = list(weight)
    options = []
    for pair in pairs:
        a, b = tuple(pair)
        slots = [s for s in slot_ids if s in allowed[pair]
                 and s in people[a].get("available", slot_ids) and s in people[b].get("available", slot_ids)
                 and all(people[p].get("table", 0) <= tables[s] for p in (a, b))]
        options.append([None, *slots])
    best = 0
    for choice in itertools.product(*options):
        busy, count, per_slot, value, ok = set(), defaultdict(int), defaultdict(int), 0, True
        for pair, slot in zip(pairs, choice, strict=True):
            if slot is None:
                continue
            per_slot[slot] += 1
            for person in pair:
                if (person, slot) in busy:
                    ok = False
                busy.add((person, slot))
                count[person] += 1
            value += weight[pair]
        ok = ok and all(n <= tables[s] for s, n in per_slot.items())
        ok = ok and all(people[p].get("max_meetings") is None or n <= people[p]["max_meetings"]
                        for p, n in count.items())
        ok = ok and all(people[p].get("max_in_a_row") is None
                        or longest_run(p, busy, slot_ids) <= people[p]["max_in_a_row"] for p in count)
        if ok:
            best = max(best, value)
    return best


def holdable(instance: dict, pairs: list[frozenset]) -> bool:
    """Whether these requested pairs can all be held at once (tiny instances only):
    slots, availability, stands, tables, limits and pauses respected."""
    slot_ids = [s["id"] for s in instance["slots"]]
    tables = {s["id"]: s["tables"] for s in instance["slots"]}
    people = {p["id"]: p for p in instance["participants"]}
    _, allowed = requested_pairs(instance)
    options = []
    for pair in pairs:
        a, b = tuple(pair)
        options.append([s for s in slot_ids if s in allowed[pair]
                        and all(s in people[p].get("available", slot_ids) and people[p].get("table", 0) <= tables[s]
                                for p in (a, b))])
    for choice in itertools.product(*options):
        busy, count, per_slot = set(), defaultdict(int), defaultdict(int)
        ok = True
        for pair, slot in zip(pairs, choice, strict=True):
            per_slot[slot] += 1
            for person in pair:
                ok = ok and (person, slot) not in busy
                busy.add((person, slot))
                count[person] += 1
        ok = ok and all(n <= tables[s] for s, n in per_slot.items())
        ok = ok and all(people[p].get("max_meetings") is None or n <= people[p]["max_meetings"]
                        for p, n in count.items())
        ok = ok and all(people[p].get("max_in_a_row") is None
                        or longest_run(p, busy, slot_ids) <= people[p]["max_in_a_row"] for p in count)
        if ok:
            return True
    return False

"""Least waiting once value is reached: on planted fairs whose requests can all be held
with nobody waiting, the scheduler holds them all with 0 breaks; it never trades value
for fewer breaks, and it keeps the locked meetings."""

import random

import pytest

from events.scheduling import load_problem, solve
from events.scheduling.board import Board
from events.scheduling.breaks import fewer_breaks, programme_waiting
from tests.events.schedule_check import check


def planted(groups: int, window: int = 7, seed: int = 0) -> dict:
    """Groups of four who can all meet one another in three consecutive slots (a round
    robin: nobody waits), each group free over a wider window, so that a programme of
    full value may still leave breaks; plus requests between groups that share no slot
    (noise that cannot be held)."""
    rng = random.Random(seed)
    slots_count = 3 * groups + window
    slot_ids = [f"s{i:02d}" for i in range(slots_count)]
    slots = [{"id": s, "start": f"2026-11-27T{8 + i // 3:02d}:{(i % 3) * 20:02d}:00+01:00", "minutes": 20,
              "tables": 2 * groups} for i, s in enumerate(slot_ids)]
    participants, requests = [], []
    for g in range(groups):
        start = 3 * g
        people = [f"g{g}p{k}" for k in range(4)]
        for pid in people:
            participants.append({"id": pid, "role": "buyer" if pid.endswith(("0", "1")) else "supplier",
                                 "available": slot_ids[start:start + window]})
        for i, a in enumerate(people):
            for b in people[i + 1:]:
                requests.append({"from": a, "to": b, "weight": rng.randint(1, 3)})
    for g in range(groups - 3):  # groups three apart share no slot when the window is short enough
        requests.append({"from": f"g{g}p0", "to": f"g{g + 3}p3", "weight": 3})
    rng.shuffle(requests)
    return {"name": "planted", "slots": slots, "participants": participants, "requests": requests}


@pytest.mark.parametrize("groups, seed", [(6, 1), (10, 2), (20, 4)])
def test_a_planted_fair_is_held_in_full_with_no_break(groups, seed):
    instance = planted(groups, window=8, seed=seed)
    result = solve(load_problem(instance), time_limit=20)
    value = check(instance, result.meetings)
    assert result.stats["meetings"] == 6 * groups  # every meeting that can be held
    assert value == result.stats["value"]
    assert result.stats["breaks"] == 0 and result.stats["worst_breaks"] == 0


def test_fewer_breaks_never_loses_value_and_keeps_locked_meetings():
    instance = planted(6, window=9, seed=3)
    problem = load_problem(instance)
    locked = [{"a": "g0p0", "b": "g0p1", "slot": "s05", "table": 1}]
    result = solve(problem, locked=locked, time_limit=20)
    assert {"a": "g0p0", "b": "g0p1", "slot": "s05", "table": 1} in result.meetings
    check(instance, result.meetings)
    # From a programme spread on purpose: the same value, fewer breaks.
    board = Board(problem)
    for e in range(len(problem.pairs)):
        free = board.free_slots(e)
        slots = [s for s in range(len(problem.slot_ids)) if free >> s & 1]
        if slots:
            board.place(e, slots[-1] if e % 2 else slots[0])
    value, (breaks_before, _, _) = board.value(), programme_waiting(board)
    report = fewer_breaks(board, time_limit=10)
    assert board.value() >= value
    assert report["status"] == "improved" and programme_waiting(board)[0] < breaks_before

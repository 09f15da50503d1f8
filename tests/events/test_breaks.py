"""Least waiting once value is reached: on planted fairs whose requests can all be held
with nobody waiting, the scheduler holds them all with 0 breaks; it never trades value
for fewer breaks, and it keeps the locked meetings."""

import pytest

from bench.planted import planted, planted_optimum
from events.scheduling import load_problem, solve
from events.scheduling.board import Board
from events.scheduling.breaks import fewer_breaks, programme_waiting
from tests.events.schedule_check import check


@pytest.mark.parametrize("groups, seed, blocks", [(6, 1, None), (10, 2, None), (20, 4, 5)])
def test_a_planted_fair_is_held_in_full_with_no_break(groups, seed, blocks):
    instance = planted(groups, window=8, seed=seed, blocks=blocks)
    result = solve(load_problem(instance), time_limit=20)
    value = check(instance, result.meetings)
    assert result.stats["meetings"] == 6 * groups  # every meeting that can be held
    assert value == result.stats["value"] == planted_optimum(instance)
    assert result.stats["breaks"] == 0 and result.stats["worst_breaks"] == 0


def test_fewer_breaks_never_loses_value_and_keeps_locked_meetings():
    instance = planted(6, window=9, seed=3)
    problem = load_problem(instance)
    locked = [{"a": "g0p0", "b": "g0p1", "slot": "s005", "table": 1}]
    result = solve(problem, locked=locked, time_limit=20)
    assert {"a": "g0p0", "b": "g0p1", "slot": "s005", "table": 1} in result.meetings
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


@pytest.mark.parametrize("variant", [{"fixed": 0.2}, {"stands": True}, {"forbidden": 2},
                                     {"fixed": 0.2, "stands": True, "forbidden": 2}])
def test_planted_variants_with_fixed_meetings_stands_and_forbidden_slots_reach_zero_breaks(variant):
    instance = planted(10, window=8, seed=5, blocks=None, **variant)
    result = solve(load_problem(instance), locked=instance.get("fixed"), time_limit=20)
    value = check(instance, result.meetings)
    assert value == planted_optimum(instance) and result.stats["breaks"] == 0
    for meeting in instance.get("fixed", []):
        assert meeting in result.meetings

"""What an organiser sets beyond requests: stands (a table of one's own all day), pauses
(most meetings in a row), meetings that must be held (and, when they cannot, the smallest
conflict), and a solve that reports its progress and can be stopped early."""

import os
import threading

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from events.scheduling import InstanceError, load_problem, solve
from events.scheduling.required import Unholdable
from tests.events.schedule_check import check, holdable, longest_run
from tests.events.test_scheduling import instances


def slots(count, tables=3):
    return [{"id": f"s{i}", "tables": tables} for i in range(count)]


def test_a_stand_owner_meets_everyone_at_their_stand_and_others_keep_off_it_when_they_can():
    instance = {"slots": slots(3, tables=3),
                "participants": [{"id": "buyer", "table": 3}] + [{"id": f"x{i}"} for i in range(6)],
                "requests": [{"from": f"x{i}", "to": "buyer"} for i in range(3)]
                + [{"from": "x3", "to": "x4"}, {"from": "x5", "to": "x4"}]}
    result = solve(load_problem(instance), time_limit=2)
    check(instance, result.meetings)
    assert result.stats["meetings"] == 5
    assert {m["table"] for m in result.meetings if "buyer" in (m["a"], m["b"])} == {3}
    assert all(m["table"] != 3 for m in result.meetings if "buyer" not in (m["a"], m["b"]))


def test_two_participants_cannot_share_a_stand_and_a_stand_beyond_the_tables_is_unusable():
    with pytest.raises(InstanceError, match="already the stand of"):
        load_problem({"slots": slots(1), "participants": [{"id": "a", "table": 1}, {"id": "b", "table": 1}],
                      "requests": []})
    instance = {"slots": [{"id": "s0", "tables": 1}, {"id": "s1", "tables": 2}],
                "participants": [{"id": "a", "table": 2}, {"id": "b"}], "requests": [{"from": "a", "to": "b"}]}
    result = solve(load_problem(instance), time_limit=2)
    assert result.meetings == [{"a": "a", "b": "b", "slot": "s1", "table": 2}]


@pytest.mark.parametrize("exact", [True, False])
def test_nobody_has_more_meetings_in_a_row_than_their_pause_rule_allows(exact, monkeypatch):
    if not exact:  # the path real fairs take
        monkeypatch.setattr("events.scheduling.solver.exact_assignment", lambda *args, **kwargs: None)
    instance = {"slots": slots(5), "participants": [{"id": "b", "max_in_a_row": 2}]
                + [{"id": f"s{i}"} for i in range(5)],
                "requests": [{"from": f"s{i}", "to": "b"} for i in range(5)]}
    result = solve(load_problem(instance), time_limit=2)
    check(instance, result.meetings)
    busy = {(p, m["slot"]) for m in result.meetings for p in (m["a"], m["b"])}
    assert longest_run("b", busy, [f"s{i}" for i in range(5)]) == 2
    assert result.stats["meetings"] == 4  # two, a pause, two


def test_required_meetings_are_held_even_when_others_are_worth_more():
    instance = {"slots": slots(1), "participants": [{"id": p} for p in "abc"],
                "requests": [{"from": "a", "to": "b", "weight": 1, "required": True},
                             {"from": "a", "to": "c", "weight": 3}]}
    result = solve(load_problem(instance), time_limit=2)
    assert [(m["a"], m["b"]) for m in result.meetings] == [("a", "b")]


def test_required_meetings_that_cannot_all_be_held_are_explained_by_the_smallest_conflict():
    # "busy" has 3 accepted meetings and 2 slots; the other required meetings are fine.
    people = ["busy", "x", "y", "z", "u", "v", "w"]
    instance = {"slots": slots(2, tables=5), "participants": [{"id": p} for p in people],
                "requests": [{"from": p, "to": "busy", "required": True} for p in ("x", "y", "z")]
                + [{"from": "u", "to": "v", "required": True}, {"from": "v", "to": "w", "required": True}]}
    with pytest.raises(Unholdable) as raised:
        solve(load_problem(instance), time_limit=5)
    conflict = raised.value.conflict
    assert sorted(r["from"] for r in conflict["requests"]) == ["x", "y", "z"]
    assert conflict["participants"] == ["busy", "x", "y", "z"]
    assert conflict["reasons"] == [{"code": "slots", "participant": "busy", "meetings": 3, "slots": 2}]


def test_a_required_pair_with_no_common_slot_is_named_alone():
    instance = {"slots": slots(2), "participants": [{"id": "a", "available": ["s0"]}, {"id": "b", "available": ["s1"]},
                                                    {"id": "c"}],
                "requests": [{"from": "a", "to": "b", "required": True}, {"from": "c", "to": "a", "required": True}]}
    with pytest.raises(Unholdable) as raised:
        solve(load_problem(instance), time_limit=5)
    assert raised.value.conflict["requests"] == [{"from": "a", "to": "b"}]
    assert raised.value.conflict["reasons"][0] == {"code": "no_common_slot", "participants": ["a", "b"]}


def crowded_fair():
    """Big enough that the least-waiting phase runs for its whole budget."""
    import random

    rng = random.Random(4)
    people = [f"p{i}" for i in range(120)]
    requests = [{"from": rng.choice(people[:30]), "to": rng.choice(people[30:]), "weight": rng.randint(1, 3)}
                for _ in range(500)]
    return {"slots": slots(16, tables=25), "participants": [{"id": p, "max_meetings": 8} for p in people],
            "requests": requests}


def test_the_solve_reports_its_progress_and_stops_early_with_its_best_programme():
    instance = crowded_fair()
    heard = []
    stop = threading.Event()

    def progress(state):
        heard.append(state)
        if state["phase"] == "waiting":
            stop.set()  # the organiser clicks "Arrêter"

    result = solve(load_problem(instance), time_limit=60, progress=progress, stop=stop)
    assert result.stats["stopped_early"] and result.stats["seconds"] < 30
    check(instance, result.meetings)
    assert heard[0]["phase"] == "value" and {"value", "upper_bound", "breaks", "elapsed"} <= heard[-1].keys()
    assert result.stats["value"] >= heard[0]["value"]  # never worse than the first programme it told of


@settings(max_examples=int(os.environ.get("SCHEDULER_EXAMPLES", 150)) // 2, deadline=None,
          suppress_health_check=[HealthCheck.too_slow])
@given(instances(max_people=5, max_slots=3, max_requests=6), st.data())
def test_required_meetings_are_all_held_or_their_conflict_is_minimal_and_real(instance, data):
    """Whichever path: either every required pair is in the programme, or the conflict
    named cannot be held (checked by brute force) and holds once any one of it is dropped."""
    for request in instance["requests"]:
        request["required"] = data.draw(st.booleans())
    required = {frozenset((r["from"], r["to"])) for r in instance["requests"] if r["required"] and r["from"] != r["to"]}
    try:
        result = solve(load_problem(instance), time_limit=2)
    except Unholdable as error:
        conflict = list(dict.fromkeys(frozenset((r["from"], r["to"])) for r in error.conflict["requests"]))
        assert conflict and set(conflict) <= required
        assert not holdable(instance, conflict)
        for dropped in conflict:
            assert holdable(instance, [pair for pair in conflict if pair != dropped])
        return
    check(instance, result.meetings)
    assert required <= {frozenset((m["a"], m["b"])) for m in result.meetings}

"""The meeting scheduler: valid programmes, locked meetings kept, optimal on tiny fairs,
never worse than first-come-first-served, clear errors on bad files."""

import json
import os
import subprocess
import sys

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from events.scheduling import InstanceError, first_come_first_served, load_problem, meetings_of, solve
from events.scheduling.__main__ import main
from tests.events.schedule_check import brute_force_optimum, check


@st.composite
def instances(draw, max_people=8, max_slots=4, max_requests=14):
    slot_ids = [f"s{i}" for i in range(draw(st.integers(1, max_slots)))]
    slots = [{"id": s, "start": f"2026-11-27T09:{i * 20:02d}:00+01:00", "minutes": 20,
              "tables": draw(st.integers(0, 3))} for i, s in enumerate(slot_ids)]
    people = [f"p{i}" for i in range(draw(st.integers(2, max_people)))]
    participants = []
    for pid in people:
        person = {"id": pid, "role": draw(st.sampled_from(["buyer", "supplier"]))}
        if draw(st.booleans()):
            person["available"] = draw(st.lists(st.sampled_from(slot_ids), unique=True))
        if draw(st.booleans()):
            person["max_meetings"] = draw(st.integers(0, 3))
        if draw(st.integers(0, 3)) == 0:
            person["max_in_a_row"] = draw(st.integers(1, 2))
        participants.append(person)
    stands = draw(st.lists(st.sampled_from(people), unique=True, max_size=3))
    for table, pid in enumerate(stands, start=1):  # stands: tables of their own all day
        participants[people.index(pid)]["table"] = table
    requests = []
    for _ in range(draw(st.integers(0, max_requests))):
        request = {"from": draw(st.sampled_from(people)), "to": draw(st.sampled_from(people)),
                   "weight": draw(st.integers(1, 3))}
        if draw(st.integers(0, 4)) == 0:
            request["slots"] = draw(st.lists(st.sampled_from(slot_ids), unique=True, min_size=1))
        requests.append(request)
    return {"name": "random", "slots": slots, "participants": participants, "requests": requests}


def schedule(instance, **kwargs):
    return solve(load_problem(instance), time_limit=kwargs.pop("time_limit", 2.0), **kwargs)


def baseline_meetings(instance) -> list[dict]:
    return meetings_of(first_come_first_served(load_problem(instance)))


# SCHEDULER_EXAMPLES=3000 for a deeper search than the default run.
PROPERTY_SETTINGS = settings(max_examples=int(os.environ.get("SCHEDULER_EXAMPLES", 150)), deadline=None,
                             suppress_health_check=[HealthCheck.too_slow])


@PROPERTY_SETTINGS
@given(instances())
def test_every_programme_is_valid_and_worth_at_least_the_baseline(instance):
    result = schedule(instance)
    value = check(instance, result.meetings)
    assert value == result.stats["value"]
    assert value >= check(instance, baseline_meetings(instance))
    assert value <= result.stats["upper_bound"] + 1e-6


@PROPERTY_SETTINGS
@given(instances(max_people=5, max_slots=3, max_requests=6))
def test_tiny_fairs_get_the_exact_optimum(instance):
    assert check(instance, schedule(instance).meetings) == brute_force_optimum(instance)


@PROPERTY_SETTINGS
@given(instances(), st.data())
def test_locked_meetings_are_kept_exactly(instance, data):
    possible = baseline_meetings(instance)
    locked = data.draw(st.lists(st.sampled_from(possible), unique_by=lambda m: (m["a"], m["b"]))) if possible else []
    result = schedule(instance, locked=locked)
    check(instance, result.meetings)
    kept = {(m["a"], m["b"], m["slot"], m["table"]) for m in result.meetings}
    assert all((m["a"], m["b"], m["slot"], m["table"]) in kept for m in locked)


@PROPERTY_SETTINGS
@given(instances())
def test_every_request_is_either_scheduled_or_reported_with_a_reason(instance):
    result = schedule(instance)
    met = {frozenset((m["a"], m["b"])) for m in result.meetings}
    reported = [(r["from"], r["to"]) for r in result.left_out]
    expected = [(r["from"], r["to"]) for r in instance["requests"] if frozenset((r["from"], r["to"])) not in met
                or r["from"] == r["to"]]
    assert sorted(reported) == sorted(expected)


def fair(slots=2, tables=5, people=("b1", "s1", "s2"), requests=(), **extra):
    instance = {
        "name": "edge",
        "slots": [{"id": f"t{i}", "start": "2026-11-27T09:00:00+01:00", "minutes": 20, "tables": tables}
                  for i in range(slots)],
        "participants": [{"id": p, "role": "buyer" if p.startswith("b") else "supplier"} for p in people],
        "requests": [dict(r) for r in requests],
    }
    instance.update(extra)
    return instance


def reasons(result) -> dict:
    return {(r["from"], r["to"]): r["reason"] for r in result.left_out}


def test_nobody_available_in_common_is_reported_as_no_common_slot():
    instance = fair(requests=[{"from": "s1", "to": "b1"}])
    instance["participants"][0]["available"] = ["t0"]
    instance["participants"][1]["available"] = ["t1"]
    result = schedule(instance)
    assert result.meetings == []
    assert reasons(result) == {("s1", "b1"): "no_common_slot"}


def test_one_table_holds_one_meeting_per_slot():
    instance = fair(slots=1, tables=1, people=("b1", "b2", "s1", "s2"),
                    requests=[{"from": "s1", "to": "b1", "weight": 3}, {"from": "s2", "to": "b2", "weight": 1}])
    result = schedule(instance)
    assert [(m["a"], m["b"], m["table"]) for m in result.meetings] == [("b1", "s1", 1)]
    assert reasons(result) == {("s2", "b2"): "tables_full"}


def test_a_participant_with_max_meetings_zero_meets_nobody():
    instance = fair(requests=[{"from": "s1", "to": "b1"}, {"from": "s2", "to": "b1"}])
    instance["participants"][0]["max_meetings"] = 0
    result = schedule(instance)
    assert result.meetings == []
    assert set(reasons(result).values()) == {"participant_at_capacity"}


def test_capacity_keeps_the_most_wanted_meetings():
    instance = fair(requests=[{"from": "s1", "to": "b1", "weight": 1}, {"from": "s2", "to": "b1", "weight": 3}])
    instance["participants"][0]["max_meetings"] = 1
    result = schedule(instance)
    assert [(m["a"], m["b"]) for m in result.meetings] == [("b1", "s2")]
    assert reasons(result) == {("s1", "b1"): "participant_at_capacity"}


def test_a_busy_pair_loses_to_more_valuable_meetings():
    # One slot: b1 can meet s1 (3) or s2 (1); s2 has room, and so has b1 in general, but not then.
    instance = fair(slots=1, requests=[{"from": "s1", "to": "b1", "weight": 3},
                                       {"from": "s2", "to": "b1", "weight": 1}])
    assert reasons(schedule(instance)) == {("s2", "b1"): "lower_value"}


def test_mutual_and_duplicate_requests_are_one_meeting_worth_their_sum_and_self_requests_are_ignored():
    instance = fair(requests=[{"from": "s1", "to": "b1", "weight": 2}, {"from": "b1", "to": "s1", "weight": 3},
                              {"from": "s2", "to": "s2", "weight": 3}])
    result = schedule(instance)
    assert len(result.meetings) == 1 and result.stats["value"] == 5
    assert reasons(result) == {("s2", "s2"): "self_request"}


def test_slots_with_no_tables_are_never_used():
    instance = fair(slots=3, requests=[{"from": "s1", "to": "b1"}, {"from": "s2", "to": "b1"}])
    instance["slots"][0]["tables"] = 0
    result = schedule(instance)
    assert len(result.meetings) == 2 and all(m["slot"] != "t0" for m in result.meetings)


def test_an_empty_instance_gives_an_empty_programme():
    result = schedule({"slots": [], "participants": [], "requests": []})
    assert result.meetings == [] and result.left_out == []


def test_locked_meetings_that_conflict_are_refused():
    instance = fair(requests=[{"from": "s1", "to": "b1"}, {"from": "s2", "to": "b1"}])
    clash = [{"a": "b1", "b": "s1", "slot": "t0", "table": 1}, {"a": "b1", "b": "s2", "slot": "t0", "table": 2}]
    with pytest.raises(InstanceError, match="already has a meeting"):
        schedule(instance, locked=clash)
    with pytest.raises(InstanceError, match="table 9 does not exist"):
        schedule(instance, locked=[{"a": "b1", "b": "s1", "slot": "t0", "table": 9}])


def test_a_realistic_fair_beats_first_come_first_served():
    import random

    rng = random.Random(5)
    people = [f"b{i}" for i in range(8)] + [f"s{i}" for i in range(40)]
    requests = [{"from": f"s{i}", "to": f"b{rng.randrange(8)}", "weight": rng.choice([1, 1, 2, 3])}
                for i in range(40) for _ in range(3)]
    instance = fair(slots=6, tables=6, people=people, requests=requests)
    result = schedule(instance)
    assert check(instance, result.meetings) > check(instance, baseline_meetings(instance))


@pytest.mark.parametrize("document, message", [
    ({"participants": [], "requests": []}, "missing key 'slots'"),
    ({"slots": [{"id": "t0"}], "participants": [], "requests": []}, "missing key 'tables'"),
    ({"slots": [], "participants": [{"id": "a"}], "requests": [{"from": "a", "to": "zz"}]},
     "unknown participant id 'zz'"),
    ({"slots": [], "participants": [{"id": "a"}, {"id": "b"}], "requests": [{"from": "a", "to": "b", "weight": -2}]},
     "weight: expected an integer >= 1"),
    ({"slots": [{"id": "t0", "tables": 1}], "participants": [{"id": "a", "available": ["t9"]}], "requests": []},
     "unknown slot id 't9'"),
    ({"slots": [{"id": "t0", "tables": -1}], "participants": [], "requests": []}, "tables: expected an integer >= 0"),
    ([1, 2], "must be a JSON object"),
])
def test_malformed_instances_give_a_clear_message_and_exit_code_2(tmp_path, capsys, document, message):
    path = tmp_path / "instance.json"
    path.write_text(json.dumps(document))
    assert main(["solve", str(path)]) == 2
    err = capsys.readouterr().err
    assert message in err and "Traceback" not in err


def test_the_command_line_writes_a_schedule_and_refuses_broken_json(tmp_path):
    path = tmp_path / "fair.json"
    path.write_text(json.dumps(fair(requests=[{"from": "s1", "to": "b1"}])))
    done = subprocess.run([sys.executable, "-m", "events.scheduling", "solve", str(path), "--time-limit", "2"],
                          capture_output=True, text=True, check=False)
    assert done.returncode == 0
    assert json.loads(done.stdout)["meetings"][0]["b"] == "s1"
    path.write_text("{not json")
    broken = subprocess.run([sys.executable, "-m", "events.scheduling", "solve", str(path)],
                            capture_output=True, text=True, check=False)
    assert broken.returncode == 2 and "not valid JSON" in broken.stderr and "Traceback" not in broken.stderr


def test_importing_the_scheduler_pulls_in_neither_flask_nor_sqlalchemy():
    code = ("import sys, events.scheduling; "
            "bad = [m for m in sys.modules if m.split('.')[0] in ('flask', 'sqlalchemy', 'flask_sqlalchemy')]; "
            "print(bad); sys.exit(1 if bad else 0)")
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=False)
    assert done.returncode == 0, done.stdout + done.stderr


# --- The approximate path that every real fair takes (too big for the exact MILP) -------------

def approximate(instance, **kwargs):
    """The programme the LP-guided path gives, forced on a small fair."""
    from unittest import mock

    with mock.patch("events.scheduling.solver.exact_assignment", return_value=None):
        result = schedule(instance, **kwargs)
    assert result.stats["method"] in ("lp-guided", "baseline")
    return result


@PROPERTY_SETTINGS
@given(instances(), st.data())
def test_the_approximate_path_is_valid_keeps_locked_meetings_and_beats_the_baseline(instance, data):
    possible = baseline_meetings(instance)
    locked = data.draw(st.lists(st.sampled_from(possible), unique_by=lambda m: (m["a"], m["b"]))) if possible else []
    result = approximate(instance, locked=locked)
    value = check(instance, result.meetings)
    assert value == result.stats["value"] and value <= result.stats["upper_bound"] + 1e-6
    kept = {(m["a"], m["b"], m["slot"], m["table"]) for m in result.meetings}
    assert all((m["a"], m["b"], m["slot"], m["table"]) in kept for m in locked)
    if not locked:
        assert value >= check(instance, baseline_meetings(instance))


@PROPERTY_SETTINGS
@given(instances())
def test_the_approximate_path_schedules_or_reports_every_request(instance):
    result = approximate(instance)
    met = {frozenset((m["a"], m["b"])) for m in result.meetings}
    reported = [(r["from"], r["to"]) for r in result.left_out]
    expected = [(r["from"], r["to"]) for r in instance["requests"] if frozenset((r["from"], r["to"])) not in met
                or r["from"] == r["to"]]
    assert sorted(reported) == sorted(expected)

"""Least waiting, once the value is reached: the same value or more, with the fewest
breaks (idle stretches between two of a participant's meetings), then the lowest worst
participant's breaks (fairness), then the fewest idle slots.

A CP-SAT model (OR-Tools) over every meeting that could take place, not only those of
the programme found for value: another set of meetings of equal value may wait less.
It starts from the programme found (a hint, so CP-SAT improves on it from the first
second), keeps the locked meetings, and uses the time it is given; a fair too big for
the model keeps the heuristic's programme.

Breaks of participant p: the blocks of consecutive busy slots, minus one. A block starts
at slot s when p is busy at s and not at s - 1.
"""

import threading
import time
from collections import defaultdict
from collections.abc import Callable
from threading import Event

from ortools.sat.python import cp_model

from events.scheduling.board import Board, bits

MAX_VARIABLES = 40_000  # meeting x slot variables; past this the model is too slow to help


def programme_waiting(board: Board) -> tuple[int, int, int]:
    """(breaks, worst_breaks, gaps) of the board's programme, as score.py counts them."""
    total = worst = gaps = 0
    for person, busy in enumerate(board.busy):
        if not busy:
            continue
        own = _own_breaks(board, person)
        total += own
        worst = max(worst, own)
        gaps += board.gaps(person)
    return total, worst, gaps


def fewer_breaks(board: Board, time_limit: float, workers: int = 2, stop: Event | None = None,
                 progress: Callable[[tuple], None] | None = None) -> dict:
    """Re-solve the programme on `board` for fewer breaks at no loss of value, in place:
    the whole fair at once when its model is small enough, else neighbourhoods of it.
    `progress` hears (breaks, worst_breaks, gaps) of each better programme found; `stop`
    ends the search with the best one so far.
    Returns what happened: {"status", "breaks_before", "breaks", "worst_breaks", ...}."""
    search = _Search(stop or Event(), progress or (lambda found: None))
    if search.stop.is_set():
        return {"status": "stopped"}
    report = _solve_region(board, None, time_limit, workers, search)
    if report["status"] == "skipped" and report.get("variables", 0) > MAX_VARIABLES:
        return _neighbourhoods(board, time_limit, workers, search)
    return report


class _Search:
    """What a search is told (stop) and tells (progress), shared by its solves."""

    def __init__(self, stop: Event, progress: Callable[[tuple], None]):
        self.stop, self.progress = stop, progress


NEIGHBOURHOOD_PEOPLE = 60


def _neighbourhoods(board: Board, time_limit: float, workers: int, search: _Search) -> dict:
    """Large-neighbourhood search for big fairs: again and again, the participants who
    wait the most and the people they meet are re-solved exactly (everyone else's
    meetings fixed), each time at no loss of value; until the time is up."""
    deadline = time.monotonic() + time_limit
    before = programme_waiting(board)
    rounds = improved = 0
    tried: set[int] = set()
    while time.monotonic() < deadline - 0.2 and not search.stop.is_set():
        waiting = sorted(((_own_breaks(board, p), p) for p in range(len(board.busy)) if p not in tried),
                         reverse=True)
        if not waiting or waiting[0][0] == 0:
            break
        seed = waiting[0][1]
        tried.add(seed)
        people = {seed}
        for meeting in board.meeting_at[seed].values():
            pair = board.problem.pairs[meeting]
            people |= {pair.a, pair.b}
        for _, other in waiting[1:]:
            if len(people) >= NEIGHBOURHOOD_PEOPLE:
                break
            people.add(other)
        report = _solve_region(board, people, min(2.0, deadline - time.monotonic()), workers, search)
        rounds += 1
        if report["status"] == "improved":
            improved += 1
            search.progress(programme_waiting(board))
    after = programme_waiting(board)
    return {"status": "improved" if after < before else "kept", "method": "neighbourhoods", "rounds": rounds,
            "improved_rounds": improved, "breaks_before": before[0], "breaks": after[0],
            "worst_breaks": after[1], "gaps": after[2]}


def _own_breaks(board: Board, person: int) -> int:
    slots = list(bits(board.busy[person]))
    return sum(1 for earlier, later in zip(slots, slots[1:], strict=False) if later > earlier + 1)


def _solve_region(board: Board, people: set[int] | None, time_limit: float, workers: int,
                  search: _Search) -> dict:
    """The CP-SAT model over the meetings among `people` (everyone: None); meetings with
    anyone else, and locked ones, stay where they are."""
    problem = board.problem
    before = programme_waiting(board)
    report = {"breaks_before": before[0], "worst_breaks_before": before[1], "gaps_before": before[2]}
    inside = (lambda e: True) if people is None else (
        lambda e: problem.pairs[e].a in people and problem.pairs[e].b in people)
    locked = {e: s for e, s in board.slot_of.items() if e in board.locked or not inside(e)}
    candidates = [e for e, feasible in enumerate(board.feasible) if feasible and e not in locked and inside(e)]
    columns = [(e, s) for e in candidates for s in bits(board.feasible[e]) if problem.tables[s] > 0]
    if not columns or len(columns) > MAX_VARIABLES or time_limit < 0.2:
        return {**report, "status": "skipped", "variables": len(columns)}

    model = cp_model.CpModel()
    slots = len(problem.slot_ids)
    locked_busy = defaultdict(set)
    locked_count = defaultdict(int)
    locked_used = defaultdict(int)
    for e, s in locked.items():
        pair = problem.pairs[e]
        for person in (pair.a, pair.b):
            locked_busy[person].add(s)
            locked_count[person] += 1
        locked_used[s] += 1

    at = defaultdict(list)  # (person, slot) -> variables
    in_slot = defaultdict(list)
    of_person = defaultdict(list)
    of_pair = defaultdict(list)
    worth = []
    variable = {}
    for e, s in columns:
        pair = problem.pairs[e]
        if s in locked_busy[pair.a] or s in locked_busy[pair.b]:
            continue
        x = model.new_bool_var(f"m{e}s{s}")
        variable[(e, s)] = x
        for person in (pair.a, pair.b):
            at[(person, s)].append(x)
            of_person[person].append(x)
        in_slot[s].append(x)
        of_pair[e].append(x)
        worth.append(pair.weight * x)
    for chosen in of_pair.values():
        model.add_at_most_one(chosen)
    for chosen in at.values():
        model.add_at_most_one(chosen)
    for s, chosen in in_slot.items():
        model.add(sum(chosen) <= problem.tables[s] - locked_used[s])
    for person, chosen in of_person.items():
        model.add(sum(chosen) <= problem.capacity[person] - locked_count[person])
    locked_value = sum(problem.pairs[e].weight for e in locked)
    model.add(sum(worth) >= board.value() - locked_value)  # value kept (or more)
    for e, chosen in of_pair.items():
        if problem.pairs[e].required:
            model.add(sum(chosen) == 1)

    considered = sorted({person for person, _ in at} | (set(locked_busy) if people is None else set()))
    breaks, gaps = [], []
    worst = model.new_int_var(0, slots, "worst")
    for person in considered:
        busy = []
        for s in range(slots):
            if s in locked_busy[person]:
                busy.append(1)
            elif at.get((person, s)):
                b = model.new_bool_var(f"b{person}s{s}")
                model.add(b == sum(at[(person, s)]))
                busy.append(b)
            else:
                busy.append(0)
        starts = []
        for s in range(slots):
            previous = busy[s - 1] if s else 0
            if isinstance(busy[s], int):
                if busy[s] == 1 and (isinstance(previous, int) and previous == 0):
                    starts.append(1)
                elif busy[s] == 1:
                    start = model.new_bool_var(f"st{person}s{s}")
                    model.add(start >= 1 - previous)
                    starts.append(start)
                continue
            start = model.new_bool_var(f"st{person}s{s}")
            model.add(start >= busy[s] - previous)
            starts.append(start)
        _paced(model, busy, problem.in_a_row[person])
        own = model.new_int_var(0, slots, f"breaks{person}")
        model.add(own >= sum(starts) - 1)
        model.add(worst >= own)
        breaks.append(own)
        gaps.append(_idle_slots(model, person, busy, problem.available[person], slots))

    weight_gaps = 1
    weight_worst = len(considered) * slots + 1
    weight_breaks = weight_worst * (slots + 1)
    model.minimize(weight_breaks * sum(breaks) + weight_worst * worst + weight_gaps * sum(gaps))

    for (e, s), x in variable.items():
        model.add_hint(x, board.slot_of.get(e) == s)

    solver = cp_model.CpSolver()
    solver.parameters.max_time_in_seconds = time_limit
    solver.parameters.num_workers = workers
    solver.parameters.random_seed = 0
    status = _solve_stoppable(solver, model, search, (weight_breaks, weight_worst) if people is None else None)
    if status not in (cp_model.OPTIMAL, cp_model.FEASIBLE):
        return {**report, "status": "no better programme", "variables": len(variable)}
    chosen = {e: s for (e, s), x in variable.items() if solver.boolean_value(x)}
    candidate = board.copy()
    for e in [e for e in candidate.slot_of if e not in locked]:
        candidate.remove(e)
    for e, s in chosen.items():
        candidate.place(e, s)
    after = programme_waiting(candidate)
    if candidate.value() < board.value() or after >= before:
        return {**report, "status": "kept", "variables": len(variable),
                "optimal": status == cp_model.OPTIMAL}
    for e in [e for e in board.slot_of if e not in locked]:
        board.remove(e)
    for e, s in chosen.items():
        board.place(e, s)
    return {**report, "status": "improved", "variables": len(variable), "optimal": status == cp_model.OPTIMAL,
            "breaks": after[0], "worst_breaks": after[1], "gaps": after[2]}


def _idle_slots(model: cp_model.CpModel, person: int, busy: list, available: int, slots: int):
    """Available slots left idle between the person's first and last meeting: a slot is
    inside when a meeting lies at or before it and at or after it."""
    if not any(not isinstance(b, int) or b for b in busy):
        return 0
    before, after = [], [None] * slots
    seen = 0
    for s in range(slots):
        seen = _or(model, seen, busy[s], f"pre{person}s{s}")
        before.append(seen)
    seen = 0
    for s in reversed(range(slots)):
        seen = _or(model, seen, busy[s], f"post{person}s{s}")
        after[s] = seen
    idle = []
    for s in range(slots):
        if not available >> s & 1 or (isinstance(busy[s], int) and busy[s]):
            continue
        if isinstance(before[s], int) and not before[s] or isinstance(after[s], int) and not after[s]:
            continue
        inside = model.new_bool_var(f"in{person}s{s}")
        # inside >= before + after - 1 - busy: idle and between two meetings
        model.add(inside >= before[s] + after[s] - 1 - busy[s])
        idle.append(inside)
    return sum(idle) if idle else 0


def _or(model: cp_model.CpModel, left, right, name: str):
    """left OR right, for 0/1 constants and boolean variables."""
    if isinstance(left, int) and isinstance(right, int):
        return 1 if left or right else 0
    if isinstance(left, int):
        return 1 if left else right
    if isinstance(right, int):
        return 1 if right else left
    either = model.new_bool_var(name)
    model.add_max_equality(either, [left, right])
    return either


def _paced(model: cp_model.CpModel, busy: list, limit: int) -> None:
    """At most `limit` meetings in any `limit` + 1 adjacent slots."""
    for first in range(len(busy) - limit) if limit < len(busy) else ():
        window = busy[first:first + limit + 1]
        if any(not isinstance(b, int) for b in window):
            model.add(sum(window) <= limit)


class _Found(cp_model.CpSolverSolutionCallback):
    """Tells the search's progress of each better programme (read off the objective)."""

    def __init__(self, search: _Search, weights: tuple[int, int]):
        super().__init__()
        self.search, self.weights = search, weights

    def on_solution_callback(self) -> None:
        weight_breaks, weight_worst = self.weights
        objective = int(self.objective_value)
        self.search.progress((objective // weight_breaks, objective % weight_breaks // weight_worst, None))


def _solve_stoppable(solver: cp_model.CpSolver, model: cp_model.CpModel, search: _Search,
                     weights: tuple[int, int] | None) -> int:
    """Solve, ending early (with the best programme so far) when the search's stop is set.
    With the objective's weights, each better programme is reported as it is found."""
    finished = Event()

    def watch() -> None:
        while not finished.wait(0.2):
            if search.stop.is_set():
                solver.stop_search()
                return

    watcher = threading.Thread(target=watch, daemon=True)
    watcher.start()
    try:
        return solver.solve(model, _Found(search, weights)) if weights else solver.solve(model)
    finally:
        finished.set()
        watcher.join()

"""Meetings that must be held (the organiser's "hold every accepted request"): placed
first, by CP-SAT, around the locked meetings; when they cannot all be held, the
smallest set of them that cannot, and why.

The conflict is a minimal unsatisfiable subset: CP-SAT names a set of required meetings
that cannot all be held (its assumptions core); each one is then dropped in turn and
kept out if the rest still cannot be held. What remains is explained in the facts an
organiser can act on: a participant with more of these meetings than slots or than their
limit, a pair with no slot in common, more of these meetings than tables.
"""

from collections import defaultdict

from ortools.sat.python import cp_model

from events.scheduling.board import Board, bits
from events.scheduling.problem import NO_LIMIT, InstanceError

SHRINK_SOLVES = 40  # solves spent making the conflict smaller


class Unholdable(InstanceError):
    """The required meetings cannot all be held. `conflict` = {"requests": [{"from", "to"}],
    "participants": [ids], "reasons": [{"code", ...}]} (codes: no_common_slot, capacity,
    slots, tables, overlap)."""

    def __init__(self, conflict: dict):
        self.conflict = conflict
        people = ", ".join(conflict["participants"])
        super().__init__(f"{len(conflict['requests'])} required meetings cannot all be held (participants: {people})")


def hold_required(board: Board, time_limit: float) -> None:
    """Place every required meeting not yet on the board, or raise Unholdable."""
    problem = board.problem
    wanted = [e for e, pair in enumerate(problem.pairs) if pair.required and e not in board.slot_of]
    if not wanted:
        return
    model, chosen, assume = _model(board, wanted)
    solver = cp_model.CpSolver()
    solver.parameters.max_time_in_seconds = max(time_limit, 1.0)
    solver.parameters.num_workers = 1  # assumption cores need a single worker
    status = solver.solve(model)
    if status in (cp_model.OPTIMAL, cp_model.FEASIBLE):
        for (e, s), x in chosen.items():
            if solver.boolean_value(x):
                board.place(e, s)
        return
    if status != cp_model.INFEASIBLE:
        raise InstanceError("the required meetings could not be placed in the time given")
    index = {assume[e].index: e for e in wanted}
    core = [index[i] for i in solver.sufficient_assumptions_for_infeasibility() if i in index] or wanted
    raise Unholdable(_explain(board, _shrink(board, core, time_limit)))


def _model(board: Board, wanted: list[int]):
    problem = board.problem
    model = cp_model.CpModel()
    chosen, assume = {}, {}
    at, in_slot, of_person = defaultdict(list), defaultdict(list), defaultdict(list)
    for e in wanted:
        pair = problem.pairs[e]
        options = []
        for s in bits(board.feasible[e] & ~board.busy[pair.a] & ~board.busy[pair.b]):
            if problem.tables[s] - board.used[s] <= 0:
                continue
            x = model.new_bool_var(f"m{e}s{s}")
            chosen[(e, s)] = x
            options.append(x)
            in_slot[s].append(x)
            for person in (pair.a, pair.b):
                at[(person, s)].append(x)
                of_person[person].append(x)
        assume[e] = model.new_bool_var(f"hold{e}")
        model.add(sum(options) == 1).only_enforce_if(assume[e])
        model.add_assumption(assume[e])
    for xs in at.values():
        model.add_at_most_one(xs)
    for s, xs in in_slot.items():
        model.add(sum(xs) <= problem.tables[s] - board.used[s])
    slots = len(problem.slot_ids)
    for person, xs in of_person.items():
        if problem.capacity[person] < NO_LIMIT:
            model.add(sum(xs) <= problem.capacity[person] - board.count[person])
        limit = problem.in_a_row[person]
        for first in range(0, slots - limit) if limit < slots else ():
            window = [x for s in range(first, first + limit + 1) for x in at.get((person, s), [])]
            fixed = (board.busy[person] >> first & ((1 << (limit + 1)) - 1)).bit_count()
            if window:
                model.add(sum(window) <= limit - fixed)
    return model, chosen, assume


def _holdable(board: Board, wanted: list[int], time_limit: float) -> bool | None:
    model, _, _ = _model(board, wanted)
    solver = cp_model.CpSolver()
    solver.parameters.max_time_in_seconds = time_limit
    solver.parameters.num_workers = 1
    status = solver.solve(model)
    if status == cp_model.INFEASIBLE:
        return False
    return True if status in (cp_model.OPTIMAL, cp_model.FEASIBLE) else None


def _shrink(board: Board, core: list[int], time_limit: float) -> list[int]:
    """Drop each meeting of the core in turn while the rest still cannot be held."""
    core = list(core)
    each = max(0.2, time_limit / SHRINK_SOLVES)
    for e in list(core)[:SHRINK_SOLVES]:
        rest = [other for other in core if other != e]
        if rest and _holdable(board, rest, each) is False:
            core = rest
    return core


def _explain(board: Board, core: list[int]) -> dict:
    problem = board.problem
    ids = problem.participant_ids
    reasons = []
    mine = defaultdict(list)
    for e in core:
        pair = problem.pairs[e]
        mine[pair.a].append(e)
        mine[pair.b].append(e)
        if not board.feasible[e] & ~board.busy[pair.a] & ~board.busy[pair.b]:
            reasons.append({"code": "no_common_slot", "participants": [ids[pair.a], ids[pair.b]]})
    for person, meetings in sorted(mine.items(), key=lambda item: -len(item[1])):
        room = problem.capacity[person] - board.count[person]
        reachable = 0
        for e in meetings:
            reachable |= board.feasible[e] & ~board.busy[person]
        if len(meetings) > room:
            reasons.append({"code": "capacity", "participant": ids[person], "meetings": len(meetings),
                            "limit": problem.capacity[person]})
        elif len(meetings) > reachable.bit_count():
            reasons.append({"code": "slots", "participant": ids[person], "meetings": len(meetings),
                            "slots": reachable.bit_count()})
    if not reasons:
        reachable = 0
        for e in core:
            reachable |= board.feasible[e]
        tables = sum(problem.tables[s] - board.used[s] for s in bits(reachable))
        if len(core) > tables:
            reasons.append({"code": "tables", "meetings": len(core), "tables": tables})
        else:
            shared = [ids[p] for p, meetings in mine.items() if len(meetings) > 1]
            reasons.append({"code": "overlap", "participants": shared,
                            "slots": [problem.slot_ids[s] for s in bits(reachable)]})
    people = sorted({ids[p] for p in mine})
    requests = [{"from": problem.requests[r]["from"], "to": problem.requests[r]["to"]}
                for e in core for r in problem.pairs[e].requests if problem.requests[r].get("required")]
    return {"requests": requests, "participants": people, "reasons": reasons}

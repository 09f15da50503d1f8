"""The scheduler: locked meetings first, then an LP-guided selection (or the exact model
on small fairs), placement with repair, a greedy fill, a compaction pass for fewer idle
slots, and, where the fair is small enough, CP-SAT for the fewest breaks at no loss of
value (events/scheduling/breaks.py)."""

import time
from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass, field
from threading import Event

from events.scheduling import assignment, breaks
from events.scheduling.baseline import first_come_first_served
from events.scheduling.board import Board
from events.scheduling.exact import exact_assignment
from events.scheduling.problem import InstanceError, Problem
from events.scheduling.required import hold_required
from events.scheduling.selection import select_pairs

# Why a request was left out, from the most to the least definite.
NO_COMMON_SLOT = "no_common_slot"
AT_CAPACITY = "participant_at_capacity"
TABLES_FULL = "tables_full"
LOWER_VALUE = "lower_value"
SELF_REQUEST = "self_request"

REASONS_FR = {
    NO_COMMON_SLOT: "aucun créneau commun",
    AT_CAPACITY: "un participant a atteint son nombre maximal de rendez-vous",
    TABLES_FULL: "plus de table libre sur les créneaux communs",
    LOWER_VALUE: "écarté au profit de rendez-vous plus demandés",
    SELF_REQUEST: "demande adressée à soi-même",
}


@dataclass
class Schedule:
    problem: Problem
    meetings: list[dict]  # {"a", "b", "slot", "table"}
    left_out: list[dict]  # {"from", "to", "reason"} per request not scheduled
    stats: dict = field(default_factory=dict)

    def to_json(self) -> dict:
        return {"meetings": self.meetings, "left_out": self.left_out, "stats": self.stats}


def board_with(problem: Problem, locked: list[dict] | None) -> tuple[Board, dict[int, int]]:
    """A board holding the locked meetings, and their tables (pair -> table)."""
    board = Board(problem)
    return board, _place_locked(board, locked or [])


def _place_locked(board: Board, locked: list[dict]) -> dict[int, int]:
    """Put the locked meetings on the board exactly as given; returns pair -> table."""
    problem = board.problem
    tables: dict[int, int] = {}
    taken: set[tuple[int, int]] = set()
    for i, meeting in enumerate(locked):
        where = f"locked meeting {i}"
        if not isinstance(meeting, dict) or not {"a", "b", "slot", "table"} <= meeting.keys():
            raise InstanceError(f"{where}: expected an object with a, b, slot and table")
        pair_index = problem.pair_of(meeting["a"], meeting["b"])
        if pair_index is None:
            raise InstanceError(f"{where}: {meeting['a']} and {meeting['b']} did not ask to meet")
        slot = problem.slot(meeting["slot"], where)
        table = meeting["table"]
        if isinstance(table, bool) or not isinstance(table, int) or not 1 <= table <= problem.tables[slot]:
            raise InstanceError(f"{where}: table {table!r} does not exist in slot {meeting['slot']}")
        if (slot, table) in taken:
            raise InstanceError(f"{where}: table {table} is already used in slot {meeting['slot']}")
        if pair_index in board.slot_of:
            raise InstanceError(f"{where}: this pair is locked twice")
        pair = problem.pairs[pair_index]
        for person in (pair.a, pair.b):
            if board.busy[person] >> slot & 1:
                raise InstanceError(
                    f"{where}: {problem.participant_ids[person]} already has a meeting in slot {meeting['slot']}"
                )
        taken.add((slot, table))
        board.place(pair_index, slot)
        board.locked.add(pair_index)
        tables[pair_index] = table
    _stands_taken(board, taken)
    return tables


def _stands_taken(board: Board, taken: set[tuple[int, int]]) -> None:
    """A stand that a locked meeting of others occupies in a slot: its owner cannot meet then."""
    problem = board.problem
    owner = {table: person for person, table in enumerate(problem.stand) if table is not None}
    blocked: dict[int, int] = {}
    for slot, table in taken:
        person = owner.get(table)
        if person is not None and not board.busy[person] >> slot & 1:
            blocked[person] = blocked.get(person, 0) | 1 << slot
    if blocked:
        board.feasible = [mask & ~blocked.get(pair.a, 0) & ~blocked.get(pair.b, 0)
                          for mask, pair in zip(board.feasible, problem.pairs, strict=True)]


def _number_tables(board: Board, locked_tables: dict[int, int]) -> dict[int, int]:
    """Table numbers: locked meetings keep theirs, a stand owner's meetings take their
    stand, the others the lowest free tables, stands left free only when nothing else is."""
    problem = board.problem
    numbers = dict(locked_tables)
    used: dict[int, set[int]] = defaultdict(set)
    for pair_index, table in locked_tables.items():
        used[board.slot_of[pair_index]].add(table)
    stands = {table for table in problem.stand if table is not None}
    rest = []
    for pair_index in sorted(board.slot_of, key=lambda p: (board.slot_of[p], p)):
        if pair_index in numbers:
            continue
        slot, pair = board.slot_of[pair_index], problem.pairs[pair_index]
        own = [t for t in (problem.stand[pair.a], problem.stand[pair.b]) if t is not None and t not in used[slot]]
        if own:
            numbers[pair_index] = own[0]
            used[slot].add(own[0])
        else:
            rest.append(pair_index)
    free: dict[int, list[int]] = {}
    for pair_index in rest:
        slot = board.slot_of[pair_index]
        if slot not in free:
            tables = [t for t in range(1, problem.tables[slot] + 1) if t not in used[slot]]
            free[slot] = [t for t in tables if t not in stands] + [t for t in tables if t in stands]
            free[slot].reverse()
        numbers[pair_index] = free[slot].pop()
    return numbers


def meetings_of(board: Board, locked_tables: dict[int, int] | None = None) -> list[dict]:
    """The board's meetings as FORMAT.md objects, ordered by slot and table."""
    problem = board.problem
    tables = _number_tables(board, locked_tables or {})
    meetings = []
    for pair_index, slot in sorted(board.slot_of.items(), key=lambda item: (item[1], tables[item[0]])):
        pair = problem.pairs[pair_index]
        meetings.append({"a": problem.participant_ids[pair.a], "b": problem.participant_ids[pair.b],
                         "slot": problem.slot_ids[slot], "table": tables[pair_index]})
    return meetings


def _reason(board: Board, pair_index: int) -> str:
    problem = board.problem
    pair = problem.pairs[pair_index]
    if not board.feasible[pair_index] or problem.capacity[pair.a] == 0 or problem.capacity[pair.b] == 0:
        return NO_COMMON_SLOT if not board.feasible[pair_index] else AT_CAPACITY
    if not (board.has_room(pair.a) and board.has_room(pair.b)):
        return AT_CAPACITY
    both_free = board.feasible[pair_index] & ~board.busy[pair.a] & ~board.busy[pair.b]
    if both_free and not both_free & board.open:
        return TABLES_FULL
    return LOWER_VALUE


def _lp_guided(board: Board, candidates: list[int], deadline: float, time_limit: float) -> dict[int, float]:
    """Place the meetings the LP selects, then fill and improve. Returns the LP values."""
    problem = board.problem
    lp_value = select_pairs(board, candidates, time_limit=max(time_limit * 0.5, 0.5))
    chosen = [e for e in candidates if lp_value.get(e, 0.0) > 0.5]
    # The most constrained meetings first: fewest possible slots, then the busiest people.
    degree = [0] * len(problem.participant_ids)
    for e in chosen:
        degree[problem.pairs[e].a] += 1
        degree[problem.pairs[e].b] += 1
    chosen.sort(key=lambda e: (
        board.feasible[e].bit_count(),
        -(degree[problem.pairs[e].a] + degree[problem.pairs[e].b]),
        -problem.pairs[e].weight,
    ))
    for e in chosen:
        assignment.insert(board, e)
    # Fill: every other meeting by decreasing value (and LP preference), if it still fits.
    rest = [e for e in candidates if e not in board.slot_of]
    rest.sort(key=lambda e: (-problem.pairs[e].weight, -lp_value.get(e, 0.0), board.feasible[e].bit_count()))
    for e in rest:
        if time.monotonic() > deadline:
            break
        assignment.insert(board, e)
    assignment.improve_by_ejection(board, [e for e in candidates if e not in board.slot_of], deadline)
    return lp_value


Progress = Callable[[dict], None]


def solve(problem: Problem, locked: list[dict] | None = None, time_limit: float = 10.0,
          progress: Progress | None = None, stop: Event | None = None) -> Schedule:
    """A programme for `problem` that keeps the `locked` meetings exactly as they are.

    Required meetings (`requests[].required`) are placed first, or Unholdable names the
    smallest set of them that cannot all be held. Small fairs are then solved exactly
    (MILP); larger ones follow the LP over pairs, with repair and improvement; the result
    is never worth less than first-come-first-served from the same meetings. Waiting is
    then reduced without losing value, for the rest of the time.

    `progress` hears {"phase", "value", "upper_bound", "breaks", "worst_breaks",
    "elapsed", "time_limit"} as the solve goes; setting `stop` ends it early with the
    best programme found so far.
    """
    started = time.monotonic()
    deadline = started + time_limit
    stop = stop or Event()

    def tell(phase: str, board: Board, upper_bound: float | None, waiting: tuple | None = None) -> None:
        if progress is not None:
            waiting = waiting or breaks.programme_waiting(board)
            progress({"phase": phase, "value": board.value(),
                      "upper_bound": None if upper_bound is None else round(upper_bound, 3),
                      "breaks": waiting[0], "worst_breaks": waiting[1],
                      "elapsed": round(time.monotonic() - started, 2), "time_limit": time_limit})

    board, locked_tables = board_with(problem, locked)
    hold_required(board, time_limit * 0.25)
    fixed_value = board.value()
    candidates = [
        e for e, pair in enumerate(problem.pairs)
        if e not in board.slot_of and board.feasible[e] and board.has_room(pair.a) and board.has_room(pair.b)
    ]

    baseline = first_come_first_served(problem, board.copy())
    tell("value", baseline, None)
    exact = exact_assignment(board, candidates, time_limit=time_limit * 0.5) if not stop.is_set() else None
    if exact is not None:
        for e, slot in exact.items():
            board.place(e, slot)
        method, upper_bound = "exact", board.value()
    elif stop.is_set():
        board, method, upper_bound = baseline, "baseline", baseline.value()
    else:
        lp_value = _lp_guided(board, candidates, deadline, time_limit)
        method = "lp-guided"
        upper_bound = fixed_value + sum(problem.pairs[e].weight * x for e, x in lp_value.items())
        if baseline.value() > board.value():
            board, method = baseline, "baseline"
    solved_seconds = time.monotonic() - started
    tell("value", board, upper_bound)

    if not stop.is_set():
        assignment.compact(board, deadline)
    if baseline.value() == board.value() and breaks.programme_waiting(baseline) < breaks.programme_waiting(board):
        board = baseline  # as much value, less waiting: the better start for the least-waiting phase
    tell("waiting", board, upper_bound)
    # Kept back for what follows the search (tables, left-out list): a 5,000-participant
    # fair needs about half a second of it.
    reserve = min(1.5, 0.05 * time_limit)
    waiting = breaks.fewer_breaks(board, deadline - reserve - time.monotonic(), stop=stop,
                                  progress=lambda found: tell("waiting", board, upper_bound, found))
    waiting_after = breaks.programme_waiting(board)
    meetings = meetings_of(board, locked_tables)

    left_out = []
    for pair_index, pair in enumerate(problem.pairs):
        if pair_index in board.slot_of:
            continue
        reason = _reason(board, pair_index)
        for r in pair.requests:
            request = problem.requests[r]
            left_out.append({"from": request["from"], "to": request["to"], "reason": reason})
    for r in problem.self_requests:
        request = problem.requests[r]
        left_out.append({"from": request["from"], "to": request["to"], "reason": SELF_REQUEST})

    stats = {
        "value": board.value(),
        "meetings": len(meetings),
        # No programme keeping the locked meetings is worth more (LP relaxation, or the optimum).
        "upper_bound": round(upper_bound, 3),
        "method": method,
        "solve_seconds": round(solved_seconds, 3),
        "breaks": waiting_after[0],
        "worst_breaks": waiting_after[1],
        "breaks_method": waiting["status"],
        "stopped_early": stop.is_set(),
        "seconds": round(time.monotonic() - started, 3),
    }
    return Schedule(problem, meetings, left_out, stats)

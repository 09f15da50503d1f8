"""The exact slot-indexed model, for fairs small enough to solve it outright.

One binary variable per meeting and possible slot; at most one meeting per
participant and slot, one slot per meeting, the tables of each slot, and each
participant's limit. HiGHS solves it to optimality in milliseconds when it has a few
thousand variables; larger fairs go through the LP-guided heuristic instead.
"""

import highspy
import numpy as np

from events.scheduling.board import Board, bits
from events.scheduling.selection import candidate_slots, new_solver

MAX_VARIABLES = 4000


def exact_assignment(board: Board, candidates: list[int], time_limit: float) -> dict[int, int] | None:
    """pair -> slot for an optimal programme around the fixed meetings, or None if too big
    or not solved to optimality in time."""
    problem = board.problem
    columns = [(e, s) for e in candidates for s in bits(candidate_slots(board, e))]
    if not columns or len(columns) > MAX_VARIABLES:
        return None if columns else {}
    row_of: dict[tuple, int] = {}
    upper: list[float] = []

    def row(key, limit) -> int:
        if key not in row_of:
            row_of[key] = len(upper)
            upper.append(limit)
        return row_of[key]

    column_rows = []
    for e, s in columns:
        pair = problem.pairs[e]
        keys = [row(("pair", e), 1), row(("slot", s), problem.tables[s] - board.used[s])]
        for person in (pair.a, pair.b):
            keys.append(row(("busy", person, s), 1))
            keys.append(row(("cap", person), min(problem.capacity[person] - board.count[person], 1 << 20)))
        column_rows.append(keys)
    _paced_rows(board, columns, column_rows, row)

    lp = highspy.HighsLp()
    lp.num_col_ = len(columns)
    lp.num_row_ = len(upper)
    lp.col_cost_ = np.array([-float(problem.pairs[e].weight) for e, _ in columns])
    lp.col_lower_ = np.zeros(len(columns))
    lp.col_upper_ = np.ones(len(columns))
    lp.row_lower_ = np.full(len(upper), -highspy.kHighsInf)
    lp.row_upper_ = np.array(upper, dtype=float)
    lp.integrality_ = [highspy.HighsVarType.kInteger] * len(columns)
    starts = np.zeros(len(columns) + 1, dtype=np.int32)
    starts[1:] = np.cumsum([len(r) for r in column_rows])
    lp.a_matrix_.format_ = highspy.MatrixFormat.kColwise
    lp.a_matrix_.start_ = starts
    lp.a_matrix_.index_ = np.array([r for rows in column_rows for r in rows], dtype=np.int32)
    lp.a_matrix_.value_ = np.ones(int(starts[-1]))

    solver = new_solver()
    solver.setOptionValue("time_limit", max(time_limit, 0.5))
    solver.passModel(lp)
    solver.run()
    if solver.getModelStatus() != highspy.HighsModelStatus.kOptimal:
        return None
    values = solver.getSolution().col_value
    return {e: s for (e, s), x in zip(columns, values, strict=True) if x > 0.5}


def _paced_rows(board: Board, columns: list[tuple[int, int]], column_rows: list[list[int]], row) -> None:
    """Each participant with a `max_in_a_row` of k: at most k meetings in any k + 1
    adjacent slots (their fixed meetings counted)."""
    problem = board.problem
    slots = len(problem.slot_ids)
    for i, (e, s) in enumerate(columns):
        pair = problem.pairs[e]
        for person in (pair.a, pair.b):
            limit = problem.in_a_row[person]
            if limit >= slots:
                continue
            for first in range(max(0, s - limit), min(s, slots - limit - 1) + 1):
                window = ((1 << (limit + 1)) - 1) << first
                fixed = (board.busy[person] & window).bit_count()
                column_rows[i].append(row(("row", person, first), limit - fixed))

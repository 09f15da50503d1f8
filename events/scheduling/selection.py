"""Which meetings to aim for: a linear programme over pairs, solved by HiGHS.

The full slot-indexed model (one variable per pair and slot) is exact but too large
to solve in seconds for a fair of 5,000 participants. This one has one variable per
pair and keeps what limits a programme at an aggregate level:

- each participant: at most as many meetings as their limit and their free slots;
- each participant and each set of slots M that some of their meetings are confined
  to (half-day attendance, themed sessions): at most |M| meetings confined to M;
- each such set M: at most the tables it offers.

These are Hall-type conditions of the slot model, so the optimum is an upper bound on
any programme and close to what a slot assignment can realise; the assignment step
then places the meetings, and repairs or replaces the few it cannot.
"""

import os
import sys
from collections import Counter, defaultdict
from contextlib import contextmanager

import highspy
import numpy as np

from events.scheduling.board import Board

MAX_SHARED_MASKS = 64


@contextmanager
def _stdout_to_stderr():
    """HiGHS prints a banner on standard output (at C level) when first created; the
    command line's standard output is the schedule, so the banner goes to stderr."""
    sys.stdout.flush()
    saved = os.dup(1)
    try:
        os.dup2(2, 1)
        yield
    finally:
        os.dup2(saved, 1)
        os.close(saved)


def new_solver() -> highspy.Highs:
    with _stdout_to_stderr():
        solver = highspy.Highs()
    solver.setOptionValue("output_flag", False)
    return solver


def candidate_slots(board: Board, pair_index: int) -> int:
    """Slots this meeting could take once the fixed meetings are in place."""
    pair = board.problem.pairs[pair_index]
    return board.feasible[pair_index] & ~board.busy[pair.a] & ~board.busy[pair.b] & board.open


def select_pairs(board: Board, candidates: list[int], time_limit: float) -> dict[int, float]:
    """The LP value (0..1) of each candidate meeting; missing means 0."""
    problem = board.problem
    masks = {e: candidate_slots(board, e) for e in candidates}
    candidates = [e for e in candidates if masks[e]]
    if not candidates:
        return {}

    incident: dict[int, list[int]] = defaultdict(list)
    for e in candidates:
        pair = problem.pairs[e]
        incident[pair.a].append(e)
        incident[pair.b].append(e)

    rows: list[list[int]] = []  # the candidates in each row
    upper: list[float] = []
    for person, edges in incident.items():
        reachable = 0
        for e in edges:
            reachable |= masks[e]
        limit = min(problem.capacity[person] - board.count[person], reachable.bit_count())
        if limit < len(edges):
            rows.append(edges)
            upper.append(limit)
        for mask in {masks[e] for e in edges}:
            within = [e for e in edges if masks[e] & ~mask == 0]
            size = mask.bit_count()
            if size < min(limit, len(within)):
                rows.append(within)
                upper.append(size)

    shared = Counter(masks[e] for e in candidates)
    for mask, _ in shared.most_common(MAX_SHARED_MASKS):
        tables = sum(problem.tables[s] - board.used[s] for s in range(len(problem.slot_ids)) if mask >> s & 1)
        within = [e for e in candidates if masks[e] & ~mask == 0]
        if tables < len(within):
            rows.append(within)
            upper.append(tables)

    column_rows: list[list[int]] = [[] for _ in candidates]
    position = {e: i for i, e in enumerate(candidates)}
    for r, edges in enumerate(rows):
        for e in edges:
            column_rows[position[e]].append(r)

    lp = highspy.HighsLp()
    lp.num_col_ = len(candidates)
    lp.num_row_ = len(rows)
    lp.col_cost_ = np.array([-float(problem.pairs[e].weight) for e in candidates])
    lp.col_lower_ = np.zeros(len(candidates))
    lp.col_upper_ = np.ones(len(candidates))
    lp.row_lower_ = np.full(len(rows), -highspy.kHighsInf)
    lp.row_upper_ = np.array(upper, dtype=float)
    starts = np.zeros(len(candidates) + 1, dtype=np.int32)
    starts[1:] = np.cumsum([len(r) for r in column_rows])
    lp.a_matrix_.format_ = highspy.MatrixFormat.kColwise
    lp.a_matrix_.start_ = starts
    lp.a_matrix_.index_ = np.array([r for col in column_rows for r in col], dtype=np.int32)
    lp.a_matrix_.value_ = np.ones(int(starts[-1]))

    solver = new_solver()
    solver.setOptionValue("time_limit", max(time_limit, 0.5))
    solver.passModel(lp)
    solver.run()
    values = solver.getSolution().col_value
    if len(values) != len(candidates):
        return {}
    return {e: float(values[i]) for i, e in enumerate(candidates) if values[i] > 1e-6}

"""First come, first served: what organisers' tools do today, the reference to beat.

Each request in turn (in the instance's order) takes the earliest slot where both
participants are free, available and under their limits, and a table is left.
"""

from events.scheduling.board import Board
from events.scheduling.problem import Problem


def first_come_first_served(problem: Problem, board: Board | None = None) -> Board:
    """The baseline programme, built on `board` (with its fixed meetings) if given."""
    board = board or Board(problem)
    seen = set(board.slot_of)
    for request in problem.requests:
        a, b = request["from"], request["to"]
        if a == b:
            continue
        pair_index = problem.pair_of(a, b)
        if pair_index is None or pair_index in seen:
            continue
        seen.add(pair_index)
        pair = problem.pairs[pair_index]
        if not (board.has_room(pair.a) and board.has_room(pair.b)):
            continue
        free = board.free_slots(pair_index)
        if free:
            board.place(pair_index, (free & -free).bit_length() - 1)
    return board

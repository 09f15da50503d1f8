"""Placing meetings in slots: direct placement, Kempe-chain repair, and compaction.

A meeting whose two participants have no free slot in common can often still be
placed: if A is free in slot s and B in slot t, the chain of B's meetings in s and t
(B's s-meeting moves to t, its partner's t-meeting moves to s, ...) is swapped, which
frees B in s. This is the classic step of bipartite edge colouring (Kőnig), here with
each meeting's own allowed slots and the tables of each slot respected.
"""

import time

from events.scheduling.board import Board, bits, idle_slots

MAX_CHAIN = 80
MAX_CHAIN_TRIES = 24


def _gap_cost(board: Board, person: int, add: int = 0, drop: int = 0) -> int:
    busy = (board.busy[person] & ~drop) | add
    return idle_slots(board.problem.available[person], busy)


def best_slot(board: Board, pair_index: int, options: int) -> int:
    """Of the free slots `options`, the one that leaves both participants the fewest idle slots."""
    pair = board.problem.pairs[pair_index]
    best, best_cost = -1, None
    for slot in bits(options):
        bit = 1 << slot
        cost = _gap_cost(board, pair.a, add=bit) + _gap_cost(board, pair.b, add=bit)
        # Next to an existing meeting is better than a fresh start far from the others.
        if not (board.busy[pair.a] | board.busy[pair.b]) & ((bit << 1) | (bit >> 1)):
            cost += 0.5
        if best_cost is None or cost < best_cost:
            best, best_cost = slot, cost
    return best


def _chain(board: Board, start: int, take: int, give: int, avoid: int) -> list[tuple[int, int]] | None:
    """Moves that free `start` in slot `take` by swapping `take`/`give` along its chain."""
    pairs = board.problem.pairs
    moves = []
    person, from_slot, to_slot = start, take, give
    while True:
        meeting = board.meeting_at[person].get(from_slot)
        if meeting is None:
            return moves
        if meeting in board.locked or not board.feasible[meeting] >> to_slot & 1:
            return None
        moves.append((meeting, to_slot))
        pair = pairs[meeting]
        person = pair.b if pair.a == person else pair.a
        if person == avoid or len(moves) > MAX_CHAIN:
            return None
        from_slot, to_slot = to_slot, from_slot


def _tables_allow(board: Board, moves: list[tuple[int, int]], slot: int) -> bool:
    change: dict[int, int] = {slot: 1}
    for meeting, target in moves:
        source = board.slot_of[meeting]
        change[source] = change.get(source, 0) - 1
        change[target] = change.get(target, 0) + 1
    return all(board.used[s] + d <= board.problem.tables[s] for s, d in change.items() if d > 0)


def insert(board: Board, pair_index: int) -> bool:
    """Place a meeting, moving others along a Kempe chain if needed. False if it cannot."""
    pair = board.problem.pairs[pair_index]
    if not (board.has_room(pair.a) and board.has_room(pair.b)):
        return False
    direct = board.free_slots(pair_index)
    if direct:
        board.place(pair_index, best_slot(board, pair_index, direct))
        return True
    feasible = board.feasible[pair_index]
    tries = 0
    for first, second in ((pair.a, pair.b), (pair.b, pair.a)):
        first_free = feasible & ~board.busy[first]
        second_free = feasible & ~board.busy[second]
        for take in bits(first_free & board.busy[second]):
            for give in bits(second_free & ~(1 << take)):
                tries += 1
                if tries > MAX_CHAIN_TRIES:
                    return False
                moves = _chain(board, second, take, give, avoid=first)
                if moves is None or not _tables_allow(board, moves, take):
                    continue
                if _apply(board, moves, pair_index, take):
                    return True
    return False


def _apply(board: Board, moves: list[tuple[int, int]], meeting: int, slot: int, was: int | None = None) -> bool:
    """Move the chain's meetings and put `meeting` in `slot` (from `was`, if it had a slot);
    undone, returning False, when it would give someone too many meetings in a row."""
    sources = [(moved, board.slot_of[moved]) for moved, _ in moves]
    if was is not None:
        board.remove(meeting)
    for moved, _ in moves:
        board.remove(moved)
    for moved, to in moves:
        board.place(moved, to)
    board.place(meeting, slot)
    pairs = board.problem.pairs
    if board.paced_ok({p for m in [meeting, *(m for m, _ in moves)] for p in (pairs[m].a, pairs[m].b)}):
        return True
    board.remove(meeting)
    for moved, _ in moves:
        board.remove(moved)
    for moved, source in sources:
        board.place(moved, source)
    if was is not None:
        board.place(meeting, was)
    return False


def _chain_end(board: Board, start: int, moves: list[tuple[int, int]]) -> int:
    """The participant at the far end of a chain (whose busy slots change)."""
    person = start
    for meeting, _ in moves:
        pair = board.problem.pairs[meeting]
        person = pair.b if pair.a == person else pair.a
    return person


def _try_better_slot(board: Board, meeting: int) -> bool:
    """Move one meeting (with a Kempe chain if needed) where it leaves fewer idle slots."""
    pair = board.problem.pairs[meeting]
    slot = board.slot_of[meeting]
    here = 1 << slot
    before_a, before_b = _gap_cost(board, pair.a), _gap_cost(board, pair.b)
    best = None
    for target in bits(board.feasible[meeting] & ~here):
        bit = 1 << target
        a_busy, b_busy = board.busy[pair.a] & bit, board.busy[pair.b] & bit
        if a_busy and b_busy:
            continue
        if not a_busy and not b_busy:
            if not board.open & bit:
                continue
            delta = (_gap_cost(board, pair.a, add=bit, drop=here) - before_a
                     + _gap_cost(board, pair.b, add=bit, drop=here) - before_b)
            moves = []
        else:
            # One of them is busy in the target slot: swap target/current along its chain.
            mover, blocked = (pair.a, pair.b) if b_busy else (pair.b, pair.a)
            moves = _chain(board, blocked, target, slot, avoid=mover)
            if not moves:
                continue
            end = _chain_end(board, blocked, moves)
            last_from = board.slot_of[moves[-1][0]]
            last_to = moves[-1][1]
            if end == mover:
                continue
            delta = (_gap_cost(board, mover, add=bit, drop=here) - _gap_cost(board, mover)
                     + _gap_cost(board, end, add=1 << last_to, drop=1 << last_from) - _gap_cost(board, end))
            change = {slot: -1, target: 1}
            for moved, to in moves:
                source = board.slot_of[moved]
                change[source] = change.get(source, 0) - 1
                change[to] = change.get(to, 0) + 1
            if any(board.used[s] + d > board.problem.tables[s] for s, d in change.items() if d > 0):
                continue
        if delta < 0 and (best is None or delta < best[0]):
            best = (delta, target, moves)
    if best is None:
        return False
    _, target, moves = best
    return _apply(board, moves, meeting, target, was=slot)


def compact(board: Board, deadline: float) -> int:
    """Move meetings to slots that leave their participants fewer idle slots. Returns moves made."""
    moved = 0
    pairs = board.problem.pairs
    while time.monotonic() < deadline:
        moved_this_round = 0
        for meeting in list(board.slot_of):
            if meeting in board.locked:
                continue
            pair = pairs[meeting]
            if not (_gap_cost(board, pair.a) or _gap_cost(board, pair.b)):
                continue
            if _try_better_slot(board, meeting):
                moved_this_round += 1
            if time.monotonic() >= deadline:
                break
        moved += moved_this_round
        if moved_this_round == 0:
            break
    return moved


def _cheapest_meeting(board: Board, person: int, exclude: set[int]) -> int | None:
    pairs = board.problem.pairs
    options = [m for m in board.meeting_at[person].values()
               if m not in board.locked and m not in exclude and not board.problem.pairs[m].required]
    return min(options, key=lambda m: pairs[m].weight, default=None)


def _ejection(board: Board, pair_index: int) -> tuple[int, int, set[int]] | None:
    """The best slot for this meeting if it displaces cheaper ones: (gain, slot, displaced)."""
    problem = board.problem
    pair = problem.pairs[pair_index]
    best = None
    for slot in bits(board.feasible[pair_index]):
        displaced: set[int] = set()
        blocked = False
        for person in (pair.a, pair.b):
            meeting = board.meeting_at[person].get(slot)
            if meeting is not None:
                if meeting in board.locked or problem.pairs[meeting].required:
                    blocked = True
                displaced.add(meeting)
        if blocked:
            continue
        if not displaced and not board.open >> slot & 1:
            continue
        for person in (pair.a, pair.b):
            frees = sum(1 for m in displaced if person in (problem.pairs[m].a, problem.pairs[m].b))
            if board.count[person] - frees >= problem.capacity[person]:
                cheapest = _cheapest_meeting(board, person, displaced)
                if cheapest is None:
                    blocked = True
                    break
                displaced.add(cheapest)
        if blocked:
            continue
        gain = pair.weight - sum(problem.pairs[m].weight for m in displaced)
        if gain > 0 and (best is None or gain > best[0]):
            best = (gain, slot, displaced)
    return best


def improve_by_ejection(board: Board, unscheduled: list[int], deadline: float) -> int:
    """Schedule meetings that are worth more than the ones they displace; the displaced
    ones are then placed elsewhere if they fit. Returns the value gained."""
    gained = 0
    pairs = board.problem.pairs
    changed = True
    while changed and time.monotonic() < deadline:
        changed = False
        for pair_index in sorted(unscheduled, key=lambda e: -pairs[e].weight):
            if pair_index in board.slot_of or time.monotonic() >= deadline:
                continue
            if insert(board, pair_index):
                gained += pairs[pair_index].weight
                changed = True
                continue
            move = _ejection(board, pair_index)
            if move is None:
                continue
            gain, slot, displaced = move
            sources = {meeting: board.remove(meeting) for meeting in displaced}
            board.place(pair_index, slot)
            if not board.paced_ok((pairs[pair_index].a, pairs[pair_index].b)):
                board.remove(pair_index)
                for meeting, source in sources.items():
                    board.place(meeting, source)
                continue
            gained += gain
            changed = True
            for meeting in sorted(displaced, key=lambda m: -pairs[m].weight):
                if insert(board, meeting):
                    gained += pairs[meeting].weight
        unscheduled = [e for e in unscheduled if e not in board.slot_of]
    return gained

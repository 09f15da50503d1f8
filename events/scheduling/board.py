"""The schedule being built: who meets whom in which slot, kept consistent at every step."""

from events.scheduling.problem import NO_LIMIT, Problem


def bits(mask: int):
    """The slot indexes set in `mask`, lowest first."""
    while mask:
        low = mask & -mask
        yield low.bit_length() - 1
        mask ^= low


def idle_slots(available: int, busy: int) -> int:
    """Available slots left idle between a participant's first and last meeting."""
    if busy == 0:
        return 0
    low = (busy & -busy).bit_length() - 1
    high = busy.bit_length() - 1
    window = ((1 << (high + 1)) - 1) ^ ((1 << low) - 1)
    return (available & window & ~busy).bit_count()


def _longest_run(busy: int) -> int:
    longest = 0
    while busy:
        busy &= busy << 1  # each step shortens every run of ones by one
        longest += 1
    return longest


class Board:
    def __init__(self, problem: Problem):
        self.problem = problem
        people = len(problem.participant_ids)
        self.busy = [0] * people  # slots in which each participant has a meeting
        self.count = [0] * people
        self.used = [0] * len(problem.slot_ids)  # meetings per slot
        self.open = 0  # slots with a table left
        for s, tables in enumerate(problem.tables):
            if tables > 0:
                self.open |= 1 << s
        self.meeting_at: list[dict[int, int]] = [{} for _ in range(people)]  # slot -> pair
        self.slot_of: dict[int, int] = {}  # pair -> slot
        self.locked: set[int] = set()
        self.feasible = [problem.feasible(pair) for pair in problem.pairs]
        self.paced = any(limit < NO_LIMIT for limit in problem.in_a_row)  # someone has a max_in_a_row

    def copy(self) -> "Board":
        other = Board.__new__(Board)
        other.problem = self.problem
        other.busy = list(self.busy)
        other.count = list(self.count)
        other.used = list(self.used)
        other.open = self.open
        other.meeting_at = [dict(slots) for slots in self.meeting_at]
        other.slot_of = dict(self.slot_of)
        other.locked = set(self.locked)
        other.feasible = self.feasible
        other.paced = self.paced
        return other

    # --- reading ---------------------------------------------------------------------
    def has_room(self, person: int) -> bool:
        return self.count[person] < self.problem.capacity[person]

    def free_slots(self, pair_index: int) -> int:
        """Slots where this meeting could go right now without moving anything."""
        pair = self.problem.pairs[pair_index]
        free = self.feasible[pair_index] & ~self.busy[pair.a] & ~self.busy[pair.b] & self.open
        if free and self.paced:
            free &= ~self.too_long_if_added(pair.a) & ~self.too_long_if_added(pair.b)
        return free

    def too_long_if_added(self, person: int) -> int:
        """The free slots where one more meeting would make a run of adjacent meetings
        longer than the person's `max_in_a_row`."""
        limit = self.problem.in_a_row[person]
        busy = self.busy[person]
        if limit >= NO_LIMIT or busy.bit_count() < limit:
            return 0
        slots = len(self.problem.slot_ids)
        before = [0] * (slots + 1)  # before[s]: busy slots in a row just before s
        for s in range(1, slots + 1):
            before[s] = before[s - 1] + 1 if busy >> (s - 1) & 1 else 0
        blocked, after = 0, 0
        for s in reversed(range(slots)):
            if not busy >> s & 1 and before[s] + after + 1 > limit:
                blocked |= 1 << s
            after = after + 1 if busy >> s & 1 else 0
        return blocked

    def paced_ok(self, people) -> bool:
        """True when none of `people` has more meetings in a row than allowed."""
        if not self.paced:
            return True
        return all(_longest_run(self.busy[p]) <= self.problem.in_a_row[p] for p in people)

    def value(self) -> int:
        return sum(self.problem.pairs[p].weight for p in self.slot_of)

    def gaps(self, person: int) -> int:
        return idle_slots(self.problem.available[person], self.busy[person])

    # --- changing --------------------------------------------------------------------
    def place(self, pair_index: int, slot: int) -> None:
        pair = self.problem.pairs[pair_index]
        bit = 1 << slot
        for person in (pair.a, pair.b):
            self.busy[person] |= bit
            self.count[person] += 1
            self.meeting_at[person][slot] = pair_index
        self.slot_of[pair_index] = slot
        self.used[slot] += 1
        if self.used[slot] >= self.problem.tables[slot]:
            self.open &= ~bit

    def remove(self, pair_index: int) -> int:
        slot = self.slot_of.pop(pair_index)
        pair = self.problem.pairs[pair_index]
        bit = 1 << slot
        for person in (pair.a, pair.b):
            self.busy[person] &= ~bit
            self.count[person] -= 1
            del self.meeting_at[person][slot]
        self.used[slot] -= 1
        self.open |= bit
        return slot

    def move(self, pair_index: int, slot: int) -> None:
        self.remove(pair_index)
        self.place(pair_index, slot)

"""A scheduling instance, checked and indexed for the solver.

Participants and slots become integer indexes; sets of slots are Python ints used as
bitmasks (bit i = slot i), which keeps availability tests to one `&`.
"""

from collections.abc import Iterable
from dataclasses import dataclass, field

NO_LIMIT = 1 << 30


class InstanceError(ValueError):
    """The instance (or the locked meetings) cannot be scheduled as given."""


@dataclass(frozen=True)
class Meeting:
    pair: int  # index into Problem.pairs
    slot: int
    table: int


@dataclass
class Pair:
    """One meeting that was asked for, whatever the number and direction of requests."""

    a: int
    b: int
    weight: int
    allowed: int  # slots its requests allow
    requests: list[int] = field(default_factory=list)  # indexes into the instance's requests
    required: bool = False  # one of its requests must be held (the organiser's "hold every accepted request")


@dataclass
class Problem:
    name: str
    slot_ids: list[str]
    tables: list[int]
    participant_ids: list[str]
    available: list[int]  # bitmask of slots per participant
    capacity: list[int]  # max meetings per participant (NO_LIMIT when absent)
    stand: list[int | None]  # the participant's own table all day, if any
    in_a_row: list[int]  # the most meetings in adjacent slots (NO_LIMIT when absent)
    pairs: list[Pair]
    pair_index: dict[tuple[int, int], int]
    self_requests: list[int]  # requests of a participant to themself (never scheduled)
    requests: list[dict]

    @property
    def all_slots(self) -> int:
        return (1 << len(self.slot_ids)) - 1

    def feasible(self, pair: Pair) -> int:
        """The slots in which this meeting may take place."""
        return pair.allowed & self.available[pair.a] & self.available[pair.b]

    def pair_of(self, a_id: str, b_id: str) -> int | None:
        a, b = self._participant(a_id, "meeting"), self._participant(b_id, "meeting")
        return self.pair_index.get((min(a, b), max(a, b)))

    def _participant(self, pid, where: str) -> int:
        try:
            return self._participant_index[pid]
        except (KeyError, TypeError):
            raise InstanceError(f"{where}: unknown participant id {pid!r}") from None

    def slot(self, sid, where: str) -> int:
        try:
            return self._slot_index[sid]
        except (KeyError, TypeError):
            raise InstanceError(f"{where}: unknown slot id {sid!r}") from None

    def __post_init__(self):
        self._participant_index = {pid: i for i, pid in enumerate(self.participant_ids)}
        self._slot_index = {sid: i for i, sid in enumerate(self.slot_ids)}


def _require(mapping, key: str, where: str):
    if not isinstance(mapping, dict):
        raise InstanceError(f"{where}: expected an object, got {type(mapping).__name__}")
    if key not in mapping:
        raise InstanceError(f"{where}: missing key {key!r}")
    return mapping[key]


def _list(value, where: str) -> list:
    if not isinstance(value, list):
        raise InstanceError(f"{where}: expected a list, got {type(value).__name__}")
    return value


def _count(value, where: str, minimum: int = 0) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or value < minimum:
        raise InstanceError(f"{where}: expected an integer >= {minimum}, got {value!r}")
    return value


def _mask(ids: Iterable, slot_index: dict[str, int], where: str) -> int:
    mask = 0
    for sid in _list(ids, where):
        if sid not in slot_index:
            raise InstanceError(f"{where}: unknown slot id {sid!r}")
        mask |= 1 << slot_index[sid]
    return mask


def load_problem(instance: dict) -> Problem:
    """Check an instance (FORMAT.md) and index it; raises InstanceError with a clear message."""
    if not isinstance(instance, dict):
        raise InstanceError("the instance must be a JSON object")
    slots = _list(_require(instance, "slots", "instance"), "slots")
    participants = _list(_require(instance, "participants", "instance"), "participants")
    requests = _list(_require(instance, "requests", "instance"), "requests")
    if len(slots) > 4096:
        raise InstanceError("slots: more than 4096 slots")

    slot_ids, tables, slot_index = [], [], {}
    for i, slot in enumerate(slots):
        sid = _require(slot, "id", f"slots[{i}]")
        if not isinstance(sid, str) or sid in slot_index:
            raise InstanceError(f"slots[{i}]: id {sid!r} is not a unique string")
        slot_index[sid] = i
        slot_ids.append(sid)
        tables.append(_count(_require(slot, "tables", f"slots[{i}]"), f"slots[{i}].tables"))
    all_slots = (1 << len(slot_ids)) - 1

    participant_ids, available, capacity, participant_index = [], [], [], {}
    stand, in_a_row, stand_owner = [], [], {}
    for i, person in enumerate(participants):
        pid = _require(person, "id", f"participants[{i}]")
        if not isinstance(pid, str) or pid in participant_index:
            raise InstanceError(f"participants[{i}]: id {pid!r} is not a unique string")
        participant_index[pid] = i
        participant_ids.append(pid)
        where = f"participants[{i}] ({pid})"
        available.append(
            _mask(person["available"], slot_index, f"{where}.available") if "available" in person else all_slots
        )
        limit = person.get("max_meetings")
        capacity.append(NO_LIMIT if limit is None else _count(limit, f"{where}.max_meetings"))
        row = person.get("max_in_a_row")
        in_a_row.append(NO_LIMIT if row is None else _count(row, f"{where}.max_in_a_row", minimum=1))
        table = person.get("table")
        if table is not None:
            table = _count(table, f"{where}.table", minimum=1)
            if table in stand_owner:
                raise InstanceError(f"{where}.table: table {table} is already the stand of {stand_owner[table]}")
            stand_owner[table] = pid
            # A stand owner meets only in slots that have their table.
            available[-1] &= sum(1 << s for s, count in enumerate(tables) if count >= table)
        stand.append(table)

    pairs: list[Pair] = []
    pair_index: dict[tuple[int, int], int] = {}
    self_requests = []
    for i, request in enumerate(requests):
        where = f"requests[{i}]"
        ends = []
        for key in ("from", "to"):
            pid = _require(request, key, where)
            if pid not in participant_index:
                raise InstanceError(f"{where}.{key}: unknown participant id {pid!r}")
            ends.append(participant_index[pid])
        weight = _count(request.get("weight", 1), f"{where}.weight", minimum=1)
        required = request.get("required", False)
        if not isinstance(required, bool):
            raise InstanceError(f"{where}.required: expected true or false, got {required!r}")
        allowed = _mask(request["slots"], slot_index, f"{where}.slots") if "slots" in request else all_slots
        a, b = ends
        if a == b:
            self_requests.append(i)
            continue
        key = (min(a, b), max(a, b))
        if key in pair_index:
            pair = pairs[pair_index[key]]
            pair.weight += weight
            pair.allowed &= allowed
        else:
            pair_index[key] = len(pairs)
            pair = Pair(key[0], key[1], weight, allowed)
            pairs.append(pair)
        pair.requests.append(i)
        pair.required |= required

    return Problem(
        name=str(instance.get("name", "")),
        slot_ids=slot_ids,
        tables=tables,
        participant_ids=participant_ids,
        available=available,
        capacity=capacity,
        stand=stand,
        in_a_row=in_a_row,
        pairs=pairs,
        pair_index=pair_index,
        self_requests=self_requests,
        requests=requests,
    )

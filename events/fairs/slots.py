"""Meeting slots from sessions and breaks.

Sessions and breaks are given in Paris wall-clock time; slots are stored in UTC. The
slot grid runs in elapsed time, so a 30-minute slot lasts 30 minutes even on the night
the clocks change.
"""

from dataclasses import dataclass
from datetime import datetime, timedelta

from marketplace.timeutil import paris_to_utc


@dataclass(frozen=True)
class SlotTimes:
    starts_at: datetime  # naive UTC
    ends_at: datetime


def session_slots(session) -> list[SlotTimes]:
    """The slots of one session: back to back with the pause between them, starting
    again at the end of any break they would overlap, none past the session's end."""
    def at(clock):
        return paris_to_utc(datetime.combine(session.day, clock))

    start, end = at(session.starts), at(session.ends)
    breaks = sorted((at(pause.starts), at(pause.ends)) for pause in session.breaks)
    length, pause = timedelta(minutes=session.slot_minutes), timedelta(minutes=session.pause_minutes)
    slots, cursor = [], start
    while cursor + length <= end:
        overlapping = next(((b_start, b_end) for b_start, b_end in breaks
                            if cursor < b_end and b_start < cursor + length), None)
        if overlapping:
            cursor = overlapping[1]
            continue
        slots.append(SlotTimes(cursor, cursor + length))
        cursor += length + pause
    return slots

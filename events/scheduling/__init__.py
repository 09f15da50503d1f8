"""The B2B meeting scheduler: which requested meetings take place, when, at which table.

Pure Python (plus the HiGHS solver through highspy): no Flask, no SQLAlchemy. The
fairs module and the command line (`python -m events.scheduling`) both call `solve`.
Formats: ../shared/bench/meetings/FORMAT.md.
"""

from events.scheduling.baseline import first_come_first_served
from events.scheduling.problem import InstanceError, Meeting, Problem, load_problem
from events.scheduling.solver import Schedule, meetings_of, solve

__all__ = [
    "InstanceError",
    "Meeting",
    "Problem",
    "Schedule",
    "first_come_first_served",
    "load_problem",
    "meetings_of",
    "solve",
]

"""CPU priority of the processes that share one machine (the production profile).

Linux shares the CPU fairly between sessions first (autogroup: each session a group),
then between the processes of a session. `nice` and SCHED_IDLE only act within a group.
Honcho starts each process of the Procfile in a session of its own, and PostgreSQL puts
each backend in one too, so that on this machine:

- a niced job consumer alone in its session still got a full share of the CPU: a fair's
  scheduling run took as much CPU as the three web workers together. Consumers lower
  their group's priority as well (`lower_group_priority`);
- the gunicorn workers shared one group, that is one share against each PostgreSQL
  backend's: each worker takes a session of its own (`own_group`, gunicorn's post_fork).

Where cgroups rule instead (systemd units, containers), the kernel ignores autogroups and
these calls change nothing; set the units' CPUWeight (see docs/deployment.md).
"""

import logging
import os
from pathlib import Path

log = logging.getLogger(__name__)
AUTOGROUP = Path("/proc/self/autogroup")


def lower_group_priority(nice: int) -> None:
    """Give this process's session group the priority of `nice` (lowering only)."""
    try:
        AUTOGROUP.write_text(str(nice))
    except OSError:  # no autogroups here (another OS, a kernel without them): nothing to lower
        log.debug("No autogroup to lower to nice %s", nice)


def own_group() -> None:
    """Put this process in a session (hence a CPU group) of its own."""
    try:
        os.setsid()
    except OSError:  # already a session leader
        pass

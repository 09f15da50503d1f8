"""The solver in a child process at a lower CPU priority, for the platform's jobs.

A big fair's run holds a core for up to its time limit. On a server where the web
workers share the CPU with the job consumers, the run should only take what the web
leaves: the child process is niced (`nice` added to its priority), so the kernel
serves the pages first and the run still finishes on an idle machine as fast as ever.
The child is spawned (not forked): the consumer is multi-threaded and holds database
connections that a fork would share. Like the rest of the package, nothing here
imports Flask or SQLAlchemy.
"""

import multiprocessing
import os
from concurrent.futures import ProcessPoolExecutor

from events.scheduling.problem import load_problem
from events.scheduling.solver import Schedule, solve


def _solve_instance(instance: dict, locked: list[dict], time_limit: float) -> Schedule:
    return solve(load_problem(instance), locked=locked, time_limit=time_limit)


def solve_niced(instance: dict, locked: list[dict], time_limit: float, nice: int) -> Schedule:
    """`solve(load_problem(instance), ...)`, computed in a child process niced by `nice`
    (errors such as InstanceError are raised here, as in-process)."""
    context = multiprocessing.get_context("spawn")
    with ProcessPoolExecutor(max_workers=1, mp_context=context, initializer=os.nice, initargs=(nice,)) as pool:
        return pool.submit(_solve_instance, instance, locked, time_limit).result()

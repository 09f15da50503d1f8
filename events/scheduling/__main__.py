"""Command line: python -m events.scheduling solve INSTANCE.json [--time-limit S] [--locked LOCKED.json]

Writes the schedule JSON to stdout (FORMAT.md), with `left_out` (every request not
scheduled, and why) and `stats`. A malformed instance gives a message and exit code 2.
"""

import argparse
import json
import sys

from events.scheduling.baseline import first_come_first_served
from events.scheduling.problem import InstanceError, load_problem
from events.scheduling.solver import meetings_of, solve


def _read_json(path: str, what: str):
    try:
        with open(path, encoding="utf-8") as handle:
            return json.load(handle)
    except OSError as error:
        raise InstanceError(f"cannot read the {what} file {path}: {error.strerror}") from error
    except json.JSONDecodeError as error:
        raise InstanceError(f"the {what} file {path} is not valid JSON: {error}") from error


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m events.scheduling", description=__doc__.splitlines()[0])
    commands = parser.add_subparsers(dest="command", required=True)
    solve_cmd = commands.add_parser("solve", help="schedule an instance")
    solve_cmd.add_argument("instance")
    solve_cmd.add_argument("--time-limit", type=float, default=10.0, help="seconds (default 10)")
    solve_cmd.add_argument("--locked", help="a schedule JSON whose meetings must be kept as they are")
    baseline_cmd = commands.add_parser("baseline", help="first-come-first-served, for comparison")
    baseline_cmd.add_argument("instance")
    args = parser.parse_args(argv)

    try:
        problem = load_problem(_read_json(args.instance, "instance"))
        if args.command == "baseline":
            json.dump({"meetings": meetings_of(first_come_first_served(problem))}, sys.stdout)
            return 0
        locked = []
        if args.locked:
            locked_doc = _read_json(args.locked, "locked meetings")
            locked = locked_doc.get("meetings", []) if isinstance(locked_doc, dict) else locked_doc
            if not isinstance(locked, list):
                raise InstanceError("the locked meetings must be a list, or a schedule with 'meetings'")
        schedule = solve(problem, locked=locked, time_limit=args.time_limit)
    except InstanceError as error:
        print(f"error: {error}", file=sys.stderr)
        return 2
    json.dump(schedule.to_json(), sys.stdout)
    sys.stdout.write("\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())

"""Benchmark of the meeting scheduler against first-come-first-served and the LP bound.

    python -m bench.scheduling [--sizes small,medium,large,xl,planted,small-stands,...] [--seeds 2] [--time-limit 20]

Instances come from ../shared/bench/meetings/generate.py (the standard sizes of
FORMAT.md), schedules are checked and scored by its score.py, and the LP relaxation
of the slot-indexed model (score.py --lp, slow: minutes on xl) is computed once per
instance and cached in bench/scheduling_lp_bounds.json. `planted` runs fairs of 40, 80,
152 and 300 participants whose optimum is known (bench/planted.py: every planted meeting
held, 0 breaks), each as published and with fixed meetings, stands and forbidden slots;
its lp_bound column is that optimum's value. A size ending in `-stands` (small-stands,
...) gives a third of the buyers a table of their own (generate.py --stands 0.3).
"""

import argparse
import hashlib
import importlib.util
import json
import os
import sys
import time
from pathlib import Path

from bench.planted import planted, planted_optimum
from events.scheduling import first_come_first_served, load_problem, meetings_of, solve
from events.scheduling.solver import board_with

ROOT = Path(__file__).resolve().parent.parent
CACHE = Path(__file__).resolve().parent / "scheduling_lp_bounds.json"
SHARED = Path(os.environ.get("MEETINGS_BENCH_DIR", ROOT.parent / "shared" / "bench" / "meetings"))

SIZES = {
    "small": dict(buyers=40, suppliers=160, requests_per_supplier=6, days=1, tables=40, themed=0.0, seeds=(1, 11, 21)),
    "medium": dict(buyers=150, suppliers=600, requests_per_supplier=6, days=1, tables=120, themed=0.1,
                   seeds=(2, 12, 22)),
    "large": dict(buyers=600, suppliers=2400, requests_per_supplier=8, days=2, tables=400, themed=0.0,
                  seeds=(3, 13, 23)),
    "xl": dict(buyers=1000, suppliers=4000, requests_per_supplier=10, days=2, tables=700, themed=0.0,
               seeds=(4, 14, 24)),
}


def _load(name: str):
    path = SHARED / f"{name}.py"
    if not path.exists():
        sys.exit(f"{path} not found: set MEETINGS_BENCH_DIR to the folder holding generate.py and score.py")
    spec = importlib.util.spec_from_file_location(f"meetings_{name}", path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def lp_reference(score, instance: dict, key: str, cache: dict) -> float | None:
    if key not in cache:
        try:
            started = time.monotonic()
            cache[key] = score.lp_bound(instance)
            print(f"  (LP reference for {key} computed in {time.monotonic() - started:.0f} s)", file=sys.stderr)
            CACHE.write_text(json.dumps(cache, indent=1, sort_keys=True) + "\n")
        except ImportError:
            return None
    return cache[key]


def run(sizes: list[str], seeds: int, time_limit: float, with_lp: bool) -> list[dict]:
    generate, score = _load("generate"), _load("score")
    cache = json.loads(CACHE.read_text()) if CACHE.exists() else {}
    rows = []
    for size, seed, instance in _instances(generate, sizes, seeds):
        if size == "planted":
            lp = planted_optimum(instance)
        else:
            digest = hashlib.sha256(json.dumps(instance, sort_keys=True).encode()).hexdigest()[:12]
            lp = lp_reference(score, instance, f"{size}-seed{seed}-{digest}", cache) if with_lp else None

        fixed = instance.get("fixed", [])  # a planted variant's meetings fixed in advance
        started = time.monotonic()
        schedule = solve(load_problem(instance), locked=fixed, time_limit=time_limit)
        ours_seconds = time.monotonic() - started
        started = time.monotonic()
        board, tables = board_with(load_problem(instance), fixed)
        baseline = meetings_of(first_come_first_served(board.problem, board), tables)
        base_seconds = time.monotonic() - started

        for name, meetings, seconds in (("ours", schedule.meetings, ours_seconds),
                                        ("fcfs", baseline, base_seconds)):
            details = score.score_details(instance, {"meetings": meetings})
            value, gaps, breaks, served, errors = (details[k] for k in ("value", "gaps", "breaks", "served",
                                                                         "errors"))
            rows.append({
                "size": size, "seed": seed, "scheduler": name, "variant": instance["name"],
                "participants": len(instance["participants"]), "requests": len(instance["requests"]),
                "value": value, "lp_bound": lp, "lp_ratio": round(value / lp, 4) if lp else None,
                "served": served, "gaps": gaps, "breaks": breaks, "worst_breaks": details["worst_breaks"],
                "seconds": round(seconds, 2),
                "valid": not errors,
            })
        print(_line(rows[-2]), flush=True)
        print(_line(rows[-1]), flush=True)
    return rows


def _instances(generate, sizes: list[str], seeds: int):
    """(size, seed, instance) for each generated size and seed, and the planted fairs."""
    for size in sizes:
        if size == "planted":
            for people in (40, 80, 152, 300):
                for variant in PLANTED_VARIANTS:
                    yield size, people, planted(people // 4, window=8, seed=people, blocks=8, **variant)
            continue
        stands = size.endswith("-stands")
        spec = SIZES[size.removesuffix("-stands")]
        for seed in spec["seeds"][:seeds]:
            yield size, seed, generate.generate(spec["buyers"], spec["suppliers"], spec["requests_per_supplier"],
                                                spec["days"], 20, spec["tables"], seed, f"{size}-{seed}",
                                                spec["themed"], stands=0.3 if stands else 0.0)


# The planted fairs as published (none), with 20 % of meetings fixed in advance, with a
# stand for one person in four, with meetings forbidden in two slots, and all three.
PLANTED_VARIANTS = ({}, {"fixed": 0.2}, {"stands": True}, {"forbidden": 2},
                    {"fixed": 0.2, "stands": True, "forbidden": 2})


HEADER = f"{'size':<26}{'seed':>5} {'scheduler':<10}{'people':>7}{'requests':>9}{'value':>8}{'lp_bound':>10}" \
         f"{'lp_ratio':>9}{'served':>8}{'gaps':>7}{'breaks':>7}{'worst':>6}{'seconds':>9} valid"


def _line(row: dict) -> str:
    lp = f"{row['lp_bound']:.0f}" if row["lp_bound"] else "-"
    ratio = f"{row['lp_ratio']:.4f}" if row["lp_ratio"] else "-"
    size = row["size"] if row["size"] != "planted" else row["variant"].replace("planted-", "planted ")
    return (f"{size[:26]:<26}{row['seed']:>5} {row['scheduler']:<10}{row['participants']:>7}{row['requests']:>9}"
            f"{row['value']:>8}{lp:>10}{ratio:>9}{row['served']:>8.4f}{row['gaps']:>7}{row['breaks']:>7}"
            f"{row['worst_breaks']:>6}"
            f"{row['seconds']:>9.2f} {'yes' if row['valid'] else 'NO'}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", default="small,medium,large,xl")
    parser.add_argument("--seeds", type=int, default=2, help="seeds per size (at most 3)")
    parser.add_argument("--time-limit", type=float, default=20.0)
    parser.add_argument("--no-lp", action="store_true", help="skip the LP reference (no scipy needed)")
    parser.add_argument("--json", help="also write the rows to this file")
    args = parser.parse_args()
    print(HEADER)
    rows = run([s.strip() for s in args.sizes.split(",")], args.seeds, args.time_limit, not args.no_lp)
    print("\nSummary (ours vs first-come-first-served):")
    for size in dict.fromkeys(r["size"] for r in rows):
        ours = [r for r in rows if r["size"] == size and r["scheduler"] == "ours"]
        fcfs = [r for r in rows if r["size"] == size and r["scheduler"] == "fcfs"]
        ratios = [r["lp_ratio"] for r in ours if r["lp_ratio"]]
        print(f"  {size:<26} lp_ratio min {min(ratios) if ratios else float('nan'):.4f}"
              f" | served {min(r['served'] - f['served'] for r, f in zip(ours, fcfs, strict=True)):+.4f} (worst)"
              f" | gaps x{max(r['gaps'] / max(f['gaps'], 1) for r, f in zip(ours, fcfs, strict=True)):.2f} (worst)"
              f" | breaks {sum(r['breaks'] for r in ours)} vs {sum(f['breaks'] for f in fcfs)}"
              f" | time max {max(r['seconds'] for r in ours):.2f} s")
    if args.json:
        Path(args.json).write_text(json.dumps(rows, indent=1))


if __name__ == "__main__":
    main()

"""Batch grading throughput: 200 self-check submissions, jailed, by worker count.

The class is a realistic mix: half correct, a quarter with one known mistake, a
tenth broken (syntax error, exception at import, blank template) and the rest slow
(one function never returns, so each costs a per-call time limit). Target: at most 30 s
for the 200 with 2 workers on a 2-core machine, with the scaling by worker count.

    python benchmarks/batch_200.py [--workers 1 2] [--count 200]
"""

from __future__ import annotations

import argparse
import os
import random
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from tests.conftest import TEMPLATE, reference_folder  # noqa: E402
from tests.graders.checks.zoo import ZOO  # noqa: E402

BROKEN = ["def relu(z)\n    return z\n", "import numpy as np\nraise RuntimeError('oops')\n"]
SLOW = "def softmax(z):\n    while True:\n        pass\n"


def make_class(folder: Path, count: int) -> dict[str, int]:
    """Write `count` submissions; return how many of each kind."""
    rng = random.Random(0)
    kinds = {"correct": 0, "one mistake": 0, "broken": 0, "slow": 0}
    for i in range(count):
        name = folder / f"student{i:03}"
        roll = rng.random()
        if roll < 0.5:
            reference_folder(name)
            kinds["correct"] += 1
        elif roll < 0.75:
            reference_folder(name, rng.choice(ZOO)[2])
            kinds["one mistake"] += 1
        elif roll < 0.85:
            source = rng.choice([*BROKEN, None])
            name.mkdir()
            if source is None:
                shutil.copy(TEMPLATE / "selfcheck.py", name / "selfcheck.py")
            else:
                (name / "selfcheck.py").write_text(source)
            kinds["broken"] += 1
        else:
            reference_folder(name, SLOW)
            kinds["slow"] += 1
    return kinds


def grade_class(folder: Path, db: Path, workers: int) -> float:
    """Seconds for `dlgrade grade` to grade the class from scratch (a new gradebook)."""
    started = time.perf_counter()
    subprocess.run(
        [sys.executable, "-m", "graders.cli", "grade", str(folder), "-a", "selfcheck",
         "--db", str(db), "--workers", str(workers)],
        check=True, cwd=ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
    )  # fmt: skip
    return time.perf_counter() - started


def main() -> None:
    options = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    options.add_argument("--workers", type=int, nargs="+", default=[1, 2])
    options.add_argument("--count", type=int, default=200)
    options.add_argument("--runs", type=int, default=1, help="runs per worker count (median)")
    args = options.parse_args()
    with tempfile.TemporaryDirectory() as scratch:
        folder = Path(scratch) / "class"
        folder.mkdir()
        kinds = make_class(folder, args.count)
        seconds: dict[int, float] = {}
        print(f"{args.count} submissions: " + ", ".join(f"{v} {k}" for k, v in kinds.items()))
        for workers in args.workers:
            runs = [
                grade_class(folder, Path(scratch) / f"grades-{workers}-{run}.db", workers)
                for run in range(args.runs)
            ]
            seconds[workers] = statistics.median(runs)
            each = f"; runs {', '.join(f'{r:.1f}' for r in runs)}" if len(runs) > 1 else ""
            print(
                f"  --workers {workers}: {seconds[workers]:6.1f} s  "
                f"({args.count / seconds[workers]:.1f} submissions/s, jailed{each})"
            )
    fewest = min(seconds)
    for workers in sorted(seconds):
        print(f"  scaling at {workers} workers: {seconds[fewest] / seconds[workers]:.2f}x")
    print(f"load average {os.getloadavg()[0]:.2f}; target: 200 in at most 30 s with 2 workers")


if __name__ == "__main__":
    main()

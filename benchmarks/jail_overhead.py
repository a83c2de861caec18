"""What the jail costs over the plain process level, per submission.

Grades the reference self-check repeatedly in one process at each isolation level
and prints the median wall time of (a) starting a child until it has loaded the
submission and (b) grading the whole submission. Target (issue 3): the jail adds
at most 50 ms per submission.

    python benchmarks/jail_overhead.py [--runs 15]
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from graders.grading import grade  # noqa: E402
from graders.sandbox.jail import JailLauncher  # noqa: E402
from graders.sandbox.job import Limits  # noqa: E402
from graders.sandbox.launch import ProcessLauncher  # noqa: E402
from graders.sandbox.runner import Sandbox  # noqa: E402
from graders.spec import load_spec  # noqa: E402
from graders.submission import load_submission  # noqa: E402


def measure(launcher, runs: int) -> tuple[float, float]:
    spec = load_spec("selfcheck")
    submission = load_submission(ROOT / "reference", spec.entry)
    starts, grades = [], []
    for _ in range(runs):
        started = time.perf_counter()
        with Sandbox(submission.code, Limits(**spec.limits), launcher) as box:
            box.get("Q1_ANSWER")  # waits until the submission is loaded
        starts.append(time.perf_counter() - started)
        started = time.perf_counter()
        grade(submission, spec, launcher=launcher)
        grades.append(time.perf_counter() - started)
    return statistics.median(starts), statistics.median(grades)


def main() -> None:
    options = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    options.add_argument("--runs", type=int, default=15)
    runs = options.parse_args().runs
    jail = JailLauncher.create(slot=0)
    measure(ProcessLauncher(), 2)  # warm the caches both levels share
    results = {"process": measure(ProcessLauncher(), runs), "jail": measure(jail, runs)}
    print(f"median of {runs} runs, seconds (cgroups: {jail.groups and jail.groups.version})")
    for level, (start, whole) in results.items():
        print(f"  {level:8} start+load {start:.3f}   whole grading {whole:.3f}")
    extra = results["jail"][1] - results["process"][1]
    print(f"  the jail adds {extra * 1000:.0f} ms per submission (target: at most 50 ms)")


if __name__ == "__main__":
    main()

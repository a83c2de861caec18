"""The MNIST MLP reference graded quiet and beside CPU-bound processes: training time by the
wall clock and as the budget counts it (CPU time per thread), medians of a few runs, with
the machine's load average.

    python benchmarks/training_under_load.py --data /path/to/mnist [--runs 3] [--hogs 2]
"""

import argparse
import os
import signal
import statistics
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
# Running `python benchmarks/training_under_load.py` puts benchmarks/ on sys.path, not the repo.
sys.path.insert(0, str(ROOT))

from graders.checks.core import Context  # noqa: E402
from graders.grading import grade  # noqa: E402
from graders.sandbox.isolation import Needs, choose  # noqa: E402
from graders.sandbox.job import Limits  # noqa: E402
from graders.spec import load_spec  # noqa: E402
from graders.submission import load_submission  # noqa: E402

# A CPU-bound loop that ends once its parent is gone: killed from outside (a timeout, a
# SIGKILL), the parent never reaches its `finally`, and a plain `while True` ran on for hours.
HOG = "import os\nparent = os.getppid()\nwhile os.getppid() == parent:\n    sum(range(10_000))\n"


def grade_once(data: str, train_limit: int | None, isolation: str) -> tuple[float, float, float]:
    """(wall seconds of the training check, CPU seconds counted, accuracy) of one grading."""
    spec = load_spec("mnist_mlp")
    submission = load_submission(ROOT / "reference" / "mnist_mlp.py", spec.entry)
    limits = Limits(**spec.limits)
    launcher = choose(isolation, Needs.of(spec, limits)).launcher
    context = Context(data_dir=data, train_limit=train_limit)
    report = grade(submission, spec, limits=limits, launcher=launcher, context=context)
    verdict = report.questions[0].verdicts[0]
    if not report.graded:
        raise SystemExit(f"not graded: {report.errors[0]}")
    return verdict.seconds, report.metrics["training_cpu_seconds"], report.metrics["accuracy"]


def series(label: str, runs: int, args: argparse.Namespace) -> None:
    walls, counted, loads = [], [], []
    accuracy = 0.0
    for _ in range(runs):
        wall, cpu, accuracy = grade_once(args.data, args.train_limit, args.isolation)
        walls.append(wall)
        counted.append(cpu)
        loads.append(os.getloadavg()[0])
    wall, cpu, load = (statistics.median(values) for values in (walls, counted, loads))
    print(
        f"{label:>8}: wall {wall:6.1f} s   counted {cpu:6.1f} s (CPU per thread)   "
        f"accuracy {accuracy:.2%}   load average {load:.2f}"
    )


def main() -> None:
    options = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    options.add_argument("--data", help="the MNIST folder (else $DLGRADE_MNIST_DIR, the cache)")
    options.add_argument("--runs", type=int, default=3)
    options.add_argument("--hogs", type=int, default=2, help="CPU-bound processes beside it")
    options.add_argument("--train-limit", type=int, help="train on the first N images only")
    options.add_argument("--isolation", default="auto")
    args = options.parse_args()
    print(f"{os.cpu_count()} cores; MNIST MLP reference, median of {args.runs} runs")
    series("quiet", args.runs, args)
    hogs = [
        subprocess.Popen([sys.executable, "-c", HOG], start_new_session=True)
        for _ in range(args.hogs)
    ]
    try:
        time.sleep(5)  # let the load average notice them
        series(f"{args.hogs} hogs", args.runs, args)
    finally:
        for hog in hogs:
            os.killpg(hog.pid, signal.SIGKILL)
            hog.wait()


if __name__ == "__main__":
    main()

"""Grade each MNIST reference the way a student's work is graded (in the sandbox, on the full
60,000 images) and print its training time, test accuracy and the child's peak memory.

    python benchmarks/mnist_references.py [--only mlp] [--runs 3] [--data DIR]

Targets: the NumPy MLP reaches 98.0% with at most 15 s of training on a 2-core machine.
"""

import argparse
import importlib.util
import os
import statistics
import sys
import time
from pathlib import Path
from typing import NamedTuple

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))  # `python benchmarks/...` puts benchmarks/ on the path, not the repo

from graders.checks.core import Context  # noqa: E402
from graders.grading import grade_path  # noqa: E402
from graders.sandbox.isolation import Needs, choose  # noqa: E402
from graders.spec import load_spec  # noqa: E402


class Target(NamedTuple):
    """What a reference must reach: test accuracy, and seconds of training at most."""

    assignment: str
    accuracy: float
    seconds: float
    needs_torch: bool


TARGETS = {
    "mlp": Target("mnist_mlp", 0.980, 15, needs_torch=False),
    "torch": Target("mnist_torch", 0.975, 60, needs_torch=True),
    "cnn": Target("mnist_cnn", 0.990, 240, needs_torch=True),
}


def run(name: str, target: Target, data: str, runs: int, isolation: str) -> bool:
    """Grade one reference `runs` times; print the medians; True if it met its targets."""
    if target.needs_torch and importlib.util.find_spec("torch") is None:
        print(f"{name:>6}: skipped (torch is not installed)")
        return True
    spec = load_spec(target.assignment)
    choice = choose(isolation, Needs.of(spec))
    walls, cpus, accuracies, memories = [], [], [], []
    for _ in range(runs):
        started = time.perf_counter()
        report = grade_path(
            spec.reference_submission,
            spec,
            launcher=choice.launcher,
            context=Context(data_dir=data),
        )
        walls.append(time.perf_counter() - started)
        cpus.append(report.metrics.get("training_cpu_seconds", float("nan")))
        accuracies.append(report.metrics.get("accuracy", 0.0))
        memories.append(report.metrics.get("peak_memory_mb", float("nan")))
    cpu, accuracy = statistics.median(cpus), statistics.median(accuracies)
    met = accuracy >= target.accuracy and cpu <= target.seconds
    print(
        f"{name:>6} ({choice.launcher.level}): training {cpu:5.1f} s of CPU per thread, "
        f"graded in {statistics.median(walls):5.1f} s wall; accuracy {accuracy:.2%}; "
        f"child's peak memory {statistics.median(memories):.0f} MiB "
        f"[target {target.accuracy:.1%} in {target.seconds:g} s: {'met' if met else 'MISSED'}]"
    )
    return met


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data", default=str(ROOT.parent / "shared" / "data" / "mnist"))
    parser.add_argument("--only", choices=sorted(TARGETS), action="append", help="repeatable")
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--isolation", default="auto")
    args = parser.parse_args(argv)
    print(f"{os.cpu_count()} cores; load average {os.getloadavg()[0]:.2f}; medians of {args.runs}")
    # One after the other on purpose: two trainings at once would fight over the cores.
    results = [
        run(name, TARGETS[name], args.data, args.runs, args.isolation)
        for name in args.only or TARGETS
    ]
    print(f"load average after: {os.getloadavg()[0]:.2f}")
    return 0 if all(results) else 1


if __name__ == "__main__":
    sys.exit(main())

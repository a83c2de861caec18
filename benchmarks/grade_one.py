"""Wall time to grade one self-check submission end to end through the CLI.

Runs `dlgrade check` as a fresh process (what a student or a platform does),
several times per submission, and prints the best and median wall times.
Target (issue 2): at most 1.0 s for one submission on a 2-core machine.

    python benchmarks/grade_one.py [--runs 7]
"""

from __future__ import annotations

import argparse
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from tests.conftest import reference_folder  # noqa: E402 - after the path is set

BROKEN = """
def softmax(z):
    e = np.exp(z)
    return e / e.sum(axis=-1, keepdims=True)

def one_hot(y, n_classes):
    return np.eye(int(y.max()) + 1)[y]

def relu(z):
    while True:
        pass
"""


def wall(path: Path, runs: int) -> list[float]:
    times = []
    for _ in range(runs):
        started = time.perf_counter()
        subprocess.run(
            [sys.executable, "-m", "graders.cli", "check", str(path), "--format", "json"],
            capture_output=True,
            check=False,
            cwd=ROOT,
        )
        times.append(time.perf_counter() - started)
    return times


def main() -> None:
    options = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    options.add_argument("--runs", type=int, default=7)
    runs = options.parse_args().runs
    with tempfile.TemporaryDirectory() as scratch:
        broken = reference_folder(Path(scratch) / "broken", BROKEN)
        cases = [
            ("reference (12/12)", ROOT / "reference"),
            ("template (0/12)", ROOT / "student_template" / "selfcheck.py"),
            ("broken: overflow, wrong width, endless loop (0.5 s limit)", broken),
        ]
        print(f"dlgrade check, end to end, {runs} runs each (wall seconds)")
        for name, path in cases:
            times = wall(path, runs)
            print(f"  {name:58} best {min(times):.3f}  median {statistics.median(times):.3f}")
    print("target: <= 1.0 s for an honest submission; a hanging function adds its time limit")


if __name__ == "__main__":
    main()

"""One self-check graded end to end through the CLI, against otter-grader in the same run.

Each round runs, one after the other: `dlgrade check` on the reference (jailed: what a
student or a platform runs), `otter run` on a one-question otter notebook (relu, graded by
otter's own test), and, as the floor, starting Python and importing NumPy inside the jail.
Medians over the rounds, the ratio of the medians, and the machine's load average.
Targets: dlgrade at most 0.10 x otter; moonshot: within 2 x the floor.

    python benchmarks/grade_one.py [--runs 7]
"""

from __future__ import annotations

import argparse
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import nbformat

ROOT = Path(__file__).resolve().parent.parent
RELU = "def relu(z):\n    return np.maximum(z, 0)"


def otter_assignment(folder: Path) -> tuple[Path, Path]:
    """A one-question otter assignment (relu) built with `otter assign`, and a correct
    student notebook for it: (the autograder zip, the notebook)."""
    cells = [
        nbformat.v4.new_raw_cell("# ASSIGNMENT CONFIG\nname: relu\nexport_cell: false\n"),
        nbformat.v4.new_code_cell("import numpy as np"),
        nbformat.v4.new_raw_cell("# BEGIN QUESTION\nname: q1\npoints: 1"),
        nbformat.v4.new_markdown_cell("**Question 1.** Write `relu(z)`."),
        nbformat.v4.new_raw_cell("# BEGIN SOLUTION"),
        nbformat.v4.new_code_cell(f"{RELU}  # SOLUTION"),
        nbformat.v4.new_raw_cell("# END SOLUTION"),
        nbformat.v4.new_raw_cell("# BEGIN TESTS"),
        nbformat.v4.new_code_cell(
            "np.testing.assert_allclose(relu(np.array([-1.0, 2.0])), [0.0, 2.0])"
        ),
        nbformat.v4.new_raw_cell("# END TESTS"),
        nbformat.v4.new_raw_cell("# END QUESTION"),
    ]
    master = nbformat.v4.new_notebook(cells=cells)
    master.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3"}
    nbformat.write(master, folder / "relu.ipynb")
    subprocess.run(
        [sys.executable, "-m", "otter", "assign", "relu.ipynb", "dist"],
        cwd=folder, check=True, capture_output=True,
    )  # fmt: skip
    student = nbformat.read(folder / "dist" / "student" / "relu.ipynb", as_version=4)
    for cell in student.cells:
        if cell.cell_type == "code" and "def relu" in cell.source:
            cell.source = RELU
    nbformat.write(student, folder / "submission.ipynb")
    (autograder,) = (folder / "dist" / "autograder").glob("*.zip")
    return autograder, folder / "submission.ipynb"


def seconds(argv: list[str], cwd: Path) -> float:
    started = time.perf_counter()
    subprocess.run(argv, cwd=cwd, check=False, capture_output=True)
    return time.perf_counter() - started


def main() -> None:
    options = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    options.add_argument("--runs", type=int, default=7)
    runs = options.parse_args().runs
    python = sys.executable
    with tempfile.TemporaryDirectory() as scratch:
        folder = Path(scratch)
        autograder, notebook = otter_assignment(folder)
        out = folder / "out"
        commands = {
            "dlgrade check (jail)": [python, "-m", "graders", "check", str(ROOT / "reference")],
            "otter run (1 question)": [
                python, "-m", "otter", "run", "-a", str(autograder), "-o", str(out), str(notebook)
            ],
            "floor: python + numpy, jailed": [
                "bwrap", "--unshare-all", "--die-with-parent", "--ro-bind", "/", "/",
                "--proc", "/proc", "--dev", "/dev", python, "-I", "-c", "import numpy",
            ],
        }  # fmt: skip
        if shutil.which("bwrap") is None:
            commands.pop("floor: python + numpy, jailed")
        times: dict[str, list[float]] = {name: [] for name in commands}
        load = os.getloadavg()[0]
        for _ in range(runs):  # interleaved, so a drift in the machine's speed hits all alike
            for name, argv in commands.items():
                out.mkdir(exist_ok=True)
                times[name].append(seconds(argv, ROOT))
                shutil.rmtree(out, ignore_errors=True)
    print(f"{os.cpu_count()} cores; load average {load:.2f} before, "
          f"{os.getloadavg()[0]:.2f} after; {runs} rounds")  # fmt: skip
    medians = {name: statistics.median(values) for name, values in times.items()}
    for name, values in times.items():
        print(f"  {name:32} median {medians[name]:.3f} s  (min {min(values):.3f})")
    ours, otter = medians["dlgrade check (jail)"], medians["otter run (1 question)"]
    print(f"dlgrade / otter: {ours / otter:.3f} (target <= 0.10)")
    if "floor: python + numpy, jailed" in medians:
        floor = medians["floor: python + numpy, jailed"]
        print(f"dlgrade / floor: {ours / floor:.2f} (moonshot <= 2)")


if __name__ == "__main__":
    main()

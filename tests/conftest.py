"""Shared helpers: build a self-check submission from the reference, grade it in a sandbox."""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import sys
import textwrap
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest

from graders.grading import grade
from graders.spec import load_spec
from graders.submission import load_submission
from graders.verdict import Report

ROOT = Path(__file__).resolve().parent.parent
REFERENCE = ROOT / "reference"
TEMPLATE = ROOT / "student_template"
SELFCHECK_MODULES = (
    "activations",
    "answers",
    "backprop",
    "encoding",
    "losses",
    "regularization",
    "selfcheck",
)


@contextmanager
def cpu_hogs(count: int = 2) -> Iterator[None]:
    """`count` processes that spin on a CPU each, for the length of the block."""
    hogs = [
        subprocess.Popen([sys.executable, "-c", "while True: pass"], start_new_session=True)
        for _ in range(count)
    ]
    try:
        yield
    finally:
        for hog in hogs:
            os.killpg(hog.pid, signal.SIGKILL)
            hog.wait()


def reference_folder(destination: Path, override: str = "") -> Path:
    """A copy of the reference self-check with `override` appended to selfcheck.py
    (a later `def` or assignment replaces the reference's name)."""
    destination.mkdir(parents=True, exist_ok=True)
    for name in SELFCHECK_MODULES:
        shutil.copy(REFERENCE / f"{name}.py", destination / f"{name}.py")
    if override:
        text = textwrap.dedent(override)
        with open(destination / "selfcheck.py", "a") as file:
            file.write(f"\n\nimport numpy as np\n\n{text}\n")
    return destination


def notebook(cells: list[tuple[str, str]]) -> str:
    """A valid Jupyter notebook (nbformat 4) with the given (kind, source) cells, as text."""
    import nbformat

    make = {"code": nbformat.v4.new_code_cell, "markdown": nbformat.v4.new_markdown_cell}
    document = nbformat.v4.new_notebook(cells=[make[kind](source) for kind, source in cells])
    return nbformat.writes(document)


def grade_path(
    path: Path, mode: str = "instructor", launcher=None, spec=None, **limits: float
) -> Report:
    """Grade a submission through the library API, as `dlgrade check` does."""
    from graders.sandbox.runner import Limits

    spec = spec or load_spec("selfcheck")
    merged = {**spec.limits, **limits}
    submission = load_submission(path, spec.entry)
    return grade(submission, spec, mode=mode, limits=Limits(**merged), launcher=launcher)


def question(report: Report, qid: str):
    return next(q for q in report.questions if q.id == qid)


def failed_questions(report: Report) -> list[str]:
    return [q.id for q in report.questions if not q.passed]


@pytest.fixture
def make_submission(tmp_path: Path):
    """Factory: make_submission(override) -> folder holding a modified reference self-check."""
    counter = iter(range(1000))

    def make(override: str = "") -> Path:
        return reference_folder(tmp_path / f"sub{next(counter)}", override)

    return make

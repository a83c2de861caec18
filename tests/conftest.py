"""Shared helpers: build a self-check submission from the reference, grade it in a sandbox."""

from __future__ import annotations

import contextlib
import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import textwrap
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import NoReturn

import pytest

# Inputs are drawn afresh in a cache of this run's own: what an earlier version left in the
# machine's cache must never decide whether the suite passes. Set before any spec loads.
FRESH_CACHE = None if os.environ.get("DLGRADE_CACHE") else tempfile.mkdtemp(prefix="dlgrade-")
os.environ.setdefault("DLGRADE_CACHE", FRESH_CACHE or "")

from graders.grading import grade  # noqa: E402
from graders.sandbox.isolation import Needs, canary  # noqa: E402
from graders.sandbox.jail import JailLauncher, JailUnavailable  # noqa: E402
from graders.spec import load_spec  # noqa: E402
from graders.submission import load_submission  # noqa: E402
from graders.verdict import Report  # noqa: E402

ROOT = Path(__file__).resolve().parent.parent


def pytest_unconfigure() -> None:
    if FRESH_CACHE:
        shutil.rmtree(FRESH_CACHE, ignore_errors=True)


REFERENCE = ROOT / "reference"
TEMPLATE = ROOT / "student_template"
SELFCHECK = load_spec("selfcheck")
FULL = SELFCHECK.max_score  # the reference's score
ONE_WRONG = FULL - 1  # one question lost (every self-check question is worth 1)
QUESTIONS = len(SELFCHECK.questions)
SELFCHECK_MODULES = (
    "activations",
    "answers",
    "backprop",
    "encoding",
    "losses",
    "regularization",
    "selfcheck",
)


# A CPU-bound loop that ends once its parent is gone: killed from outside (a timeout, a
# SIGKILL), the parent never reaches its `finally`, and a plain `while True` ran on for hours.
HOG = "import os\nparent = os.getppid()\nwhile os.getppid() == parent:\n    sum(range(10_000))\n"


@contextmanager
def cpu_hogs(count: int = 2) -> Iterator[None]:
    """`count` processes that spin on a CPU each, for the length of the block."""
    hogs = [
        subprocess.Popen([sys.executable, "-c", HOG], start_new_session=True) for _ in range(count)
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
    from graders.sandbox.job import Limits

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


@pytest.fixture(scope="session")
def moons_report() -> Report:
    """The moons reference graded once, in the best isolation here: a project report with
    metrics (test accuracy, training time) and figures (loss curve, confusion, boundary)."""
    from graders.sandbox.isolation import Needs, choose

    spec = load_spec("moons")
    launcher = choose("auto", Needs.of(spec)).launcher
    submission = load_submission(ROOT / "assignments" / "moons" / "reference" / "moons.py", "moons")
    return grade(submission, spec, launcher=launcher)


@pytest.fixture
def open_folder() -> Iterator[Path]:
    """A folder any user can read (a course's data folder left open, say). Named in
    $DLGRADE_PRIVATE, it makes the uid level refuse, whatever else this machine allows."""
    folder = Path(tempfile.mkdtemp(prefix="dlgrade-open-", dir="/var/tmp"))
    folder.chmod(0o755)
    (folder / "labels.csv").write_text("7,2,1\n")
    (folder / "labels.csv").chmod(0o644)
    yield folder
    shutil.rmtree(folder)


def scaffold(folder: Path) -> Path:
    """An assignment outside dlgrade, as `dlgrade new` writes it (its reference full marks)."""
    from graders.cli import main

    if main(["new", "week3", "-o", str(folder)]) != 0:
        raise RuntimeError(f"dlgrade new could not write {folder}")
    return folder


def break_reference(assignment: Path) -> str:
    """Make the reference of a scaffolded assignment lose q1 (its function returns a number
    instead of an array), as a broken grading environment would; what the report then says."""
    spec = load_spec(assignment)
    function = next(iter(spec.functions))
    entry = spec.reference_submission / f"{spec.entry}.py"
    entry.write_text(f"{entry.read_text()}\n\ndef {function}(*args):\n    return 0.0\n")
    return f"the reference solution scored {spec.max_score - 1:g}/{spec.max_score:g} at isolation"


# -- what is left running, and a server for network attacks ------------------------------


def running_as(uid: int) -> list[int]:
    """Live (not zombie) processes whose real, effective or saved uid is `uid`."""
    found = []
    for status in Path("/proc").glob("[0-9]*/status"):
        try:
            fields = dict(line.split(":", 1) for line in status.read_text().splitlines())
        except (OSError, ValueError):
            continue
        uids = {int(value) for value in fields.get("Uid", "").split()[:3]}
        if uid in uids and not fields.get("State", "").strip().startswith("Z"):
            found.append(int(status.parent.name))
    return found


def nothing_left_running(uid: int) -> list[int]:
    """Wait (boundedly) for the kernel to finish killing; what still runs as `uid`."""
    for _ in range(200):
        left = running_as(uid)
        if not left:
            return []
        time.sleep(0.02)
    return left


def alive(pid: int) -> bool:
    """True while `pid` runs (a zombie waiting to be reaped does not count)."""
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except (OSError, IndexError):
        return False
    return state != "Z"


@pytest.fixture
def server() -> Iterator[tuple[int, list[bytes]]]:
    """A TCP server on 127.0.0.1: its port, and what each connection sent."""
    received: list[bytes] = []
    listener = socket.create_server(("127.0.0.1", 0))
    listener.settimeout(0.2)
    stop = threading.Event()

    def accept() -> None:
        while not stop.is_set():
            try:
                connection, _ = listener.accept()
            except TimeoutError:
                continue
            with connection:
                connection.settimeout(5)
                chunks = []
                with contextlib.suppress(OSError):
                    while chunk := connection.recv(4096):
                        chunks.append(chunk)
                received.append(b"".join(chunks))

    thread = threading.Thread(target=accept, daemon=True)
    thread.start()
    yield listener.getsockname()[1], received
    stop.set()
    thread.join(5)
    listener.close()


def proven_jail(slot: int | None = None) -> JailLauncher:
    """The jail, once a canary has graded a call in it on this machine (a child started,
    NumPy imported); JailUnavailable says why not."""
    result = canary("jail", Needs())
    if not result.passed or not isinstance(result.launcher, JailLauncher):
        raise JailUnavailable(result.problem)
    return result.launcher if slot is None else result.launcher.for_slot(slot)


def required(reason: str) -> NoReturn:
    """Skip a test this machine cannot run; in CI, which must run it (see .ci/run), fail."""
    if os.environ.get("CI"):
        pytest.fail(f"CI must be able to run this (see .ci/run): {reason}")
    pytest.skip(reason)


def jail_here(slot: int | None = None) -> JailLauncher | None:
    """The proven jail, or None where this machine has none (in CI, a failure)."""
    try:
        return proven_jail(slot)
    except JailUnavailable as error:
        if os.environ.get("CI"):
            pytest.fail(f"CI must be able to run the jail: {error}")
        return None

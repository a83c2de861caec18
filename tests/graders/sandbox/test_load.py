"""Time limits that load cannot break (issue 16 part 2, issue 11 part 5).

Each test runs beside CPU-bound processes that keep every core busy, and asserts a grade,
never a duration: an honest function never times out because the machine is busy, a hang
still does, and training gets the grade it gets on a quiet machine.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import numpy as np
import pytest

from graders.sandbox import clock
from graders.sandbox.clock import Deadline, State
from graders.sandbox.errors import CallTimeout
from graders.sandbox.jail import JailUnavailable
from graders.sandbox.job import Code, Limits
from graders.sandbox.launch import ProcessLauncher
from graders.sandbox.runner import Sandbox
from graders.source import Chunk
from tests.conftest import REFERENCE, ROOT, cpu_hogs, proven_jail

pytestmark = pytest.mark.skipif(not clock.measurable(), reason="needs Linux schedstat")

MNIST = Path(os.environ.get("DLGRADE_MNIST_DIR") or ROOT.parent / "shared" / "data" / "mnist")

FUNCTIONS = """
import numpy as np, time

def relu(z):
    return np.maximum(z, 0)

def spin(z):
    while True:
        pass

def nap(z):
    time.sleep(3600)
"""


def launchers() -> list:
    found = [ProcessLauncher()]
    try:
        found.append(proven_jail(slot=11))
    except JailUnavailable:
        pass
    return found


@pytest.fixture(params=launchers(), ids=lambda launcher: launcher.level)
def box(request) -> Iterator[Sandbox]:
    code = Code("functions", (Chunk("functions.py", FUNCTIONS),))
    limits = Limits(call_seconds=0.002, load_seconds=60.0)
    with Sandbox(code, limits, request.param) as sandbox:
        sandbox.ensure_loaded()
        yield sandbox


def test_honest_calls_never_time_out_under_load(box):
    z = np.linspace(-1, 1, 7)
    with cpu_hogs():
        for _ in range(400):
            np.testing.assert_array_equal(box.call("relu", z), np.maximum(z, 0))


@pytest.mark.parametrize("name", ["spin", "nap"])
def test_a_real_hang_still_times_out_under_load(box, name):
    with cpu_hogs(), pytest.raises(CallTimeout):
        box.call(name, np.zeros(3), timeout=0.3)


# -- the decision at the backstop, on made-up measurements --------------------------------


class Clock:
    def __init__(self) -> None:
        self.now = 1000.0

    def monotonic(self) -> float:
        return self.now


class FakeTree:
    """One thread whose CPU time and run-queue wait the test sets, in seconds."""

    def __init__(self) -> None:
        self.cpu_seconds = self.wait_seconds = 0.0

    def refresh(self) -> None:
        pass

    def stats(self):
        return {Path("thread"): (int(self.cpu_seconds * 1e9), int(self.wait_seconds * 1e9))}

    def cpu(self) -> float:
        return self.cpu_seconds

    def runnable(self) -> bool:
        return self.cpu_seconds > 0 or self.wait_seconds > 0  # a sleeper neither runs nor waits


@pytest.fixture
def fake(monkeypatch):
    """A fake clock and a fake tree."""
    monkeypatch.setattr(clock, "time", Clock())
    monkeypatch.setattr(clock, "measurable", lambda: True)
    return clock.time, FakeTree()


def run_until_decided(deadline: Deadline, now: Clock, tree: FakeTree, cpu: float, wait: float):
    """Advance time look by look; the tree uses `cpu` and waits `wait` per second."""
    start = now.now
    while True:
        now.now += max(deadline.pause(), 0.0)
        elapsed = now.now - start
        tree.cpu_seconds, tree.wait_seconds = cpu * elapsed, wait * elapsed
        state = deadline.look()
        if state is not State.RUNNING:
            return state, now.now - start


def test_a_child_kept_waiting_for_a_cpu_is_a_fault_of_ours_at_the_backstop(fake):
    now, tree = fake
    deadline = Deadline(0.5, tree)
    state, elapsed = run_until_decided(deadline, now, tree, cpu=0.001, wait=0.999)
    assert state is State.OVERLOADED
    assert elapsed >= 30.0
    assert "too loaded to time relu" in deadline.overloaded_message("relu")


def test_a_sleeping_or_spinning_call_expires_at_its_limit(fake):
    now, _ = fake
    for cpu, wait in ((0.0, 0.0), (1.0, 0.0), (0.5, 0.5)):
        tree = FakeTree()
        state, elapsed = run_until_decided(Deadline(0.5, tree), now, tree, cpu, wait)
        assert state is State.EXPIRED
        assert elapsed < 1.5  # a spinner given half the CPU uses its limit in twice the time


def test_forked_spinners_expire_by_their_cpu_time(fake):
    now, tree = fake
    state, _ = run_until_decided(Deadline(0.5, tree), now, tree, cpu=8.0, wait=30.0)
    assert state is State.EXPIRED


def test_training_counts_cpu_time_per_thread(fake):
    now, tree = fake
    # Two threads busy on a quarter of the machine each: 0.5 CPU-seconds per second.
    state, elapsed = run_until_decided(
        Deadline(10.0, tree, threads=2, training=True), now, tree, cpu=0.5, wait=1.5
    )
    assert state is State.EXPIRED
    assert 39.0 <= elapsed <= 41.5  # 10 s per thread of CPU time, not 10 s of wall time
    # Training that sleeps is charged the time it sleeps.
    tree = FakeTree()
    state, elapsed = run_until_decided(
        Deadline(10.0, tree, threads=2, training=True), now, tree, cpu=0.0, wait=0.0
    )
    assert state is State.EXPIRED
    assert elapsed < 11.5


# -- training under load -------------------------------------------------------------------


@pytest.mark.slow
@pytest.mark.skipif(not MNIST.is_dir(), reason="the shared MNIST files are absent")
def test_training_gets_the_same_grade_under_load():
    """The MNIST MLP reference on a small training set, quiet, then beside two CPU-bound
    processes, with a budget of 1.25 x the CPU time it used on the quiet machine: measured by
    wall time, the loaded run would need more than that."""
    from graders.checks.core import Context
    from graders.grading import grade
    from graders.spec import load_spec
    from graders.submission import load_submission

    spec = load_spec("mnist_mlp")
    submission = load_submission(REFERENCE / "mnist_mlp.py", spec.entry)
    limits = Limits(**{**spec.limits, "threads": 1})
    overrides = {"check_fit_predict_accuracy": {"threshold": 0.85}}

    def run(budget: float | None):
        context = Context(data_dir=str(MNIST), train_limit=6000, train_seconds=budget)
        report = grade(submission, spec, limits=limits, context=context, check_args=overrides)
        return report, context

    quiet, context = run(None)
    assert quiet.passed, quiet.errors or [v.message for q in quiet.questions for v in q.verdicts]
    budget = 1.25 * context.metrics["training_cpu_seconds"]
    with cpu_hogs():
        loaded, _ = run(budget)
    assert loaded.graded, loaded.errors
    assert (loaded.score, loaded.metrics["accuracy"]) == (quiet.score, quiet.metrics["accuracy"])


@pytest.mark.parametrize(
    ("asked", "planned"),
    [
        ((2, 1, False, 2), (2, 1)),  # the self-check: a worker per core, one thread each
        ((1, 1, False, 8), (1, 1)),  # its spec asks for one thread: it gets one
        ((8, 2, True, 2), (1, 2)),  # training on 2 cores at 2 threads: one at a time
        ((4, 2, True, 8), (4, 2)),
        ((3, 4, True, 2), (1, 2)),  # never more threads than cores
        ((5, 1, False, 2), (5, 1)),  # more workers than cores asked for: one thread each
    ],
)
def test_workers_times_threads_never_exceeds_the_cores(asked, planned):
    from graders.batch.run import share_cores

    workers, per_child = share_cores(*asked)
    assert (workers, per_child) == planned
    if asked[2]:  # training tracks never oversubscribe
        assert workers * per_child <= asked[3]


def test_the_benchmark_script_exists():
    assert (Path(ROOT) / "benchmarks" / "training_under_load.py").is_file()


def test_a_call_the_machine_kept_from_running_is_an_error_never_a_score(
    monkeypatch, make_submission
):
    # The child looks ready to run the whole time but never gets its limit of CPU time (the
    # tree's readings are frozen), so the backstop ends the wait: a fault of ours.
    from graders.verdict import Status
    from tests.conftest import grade_path

    monkeypatch.setattr(clock, "CALL_BACKSTOP", (4.0, 0.0))
    monkeypatch.setattr(clock.Tree, "runnable", lambda self: True)
    monkeypatch.setattr(clock.Tree, "stats", lambda self: {})
    monkeypatch.setattr(clock.Tree, "cpu", lambda self: 0.0)
    slow = "import time\n_relu = relu\n\ndef relu(z):\n    time.sleep(1.0)\n    return _relu(z)\n"
    report = grade_path(make_submission(slow), launcher=ProcessLauncher(), call_seconds=0.1)
    q2 = next(q for q in report.questions if q.id == "q2")
    assert not report.graded
    assert q2.first_failure.status is Status.ERROR
    assert "too loaded to time relu" in q2.first_failure.message
    assert all(q.passed for q in report.questions if q.id != "q2")

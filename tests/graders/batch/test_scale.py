"""One grade wherever it is computed (issue 16).

A mixed class is graded in threads of one process, by the local pool beside CPU-bound
processes, and on a real Dask cluster (a `dask scheduler` and two `dask worker` processes with
several threads each, started as the README says) that loses a worker, nanny and all, in the
middle of a run. Every student's report must equal what `dlgrade check` gives the same file
(verdicts, messages, counterexamples, scores; not timings), and nothing may be left behind:
no scratch folder, no cgroup, no process.
"""

from __future__ import annotations

import json
import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

import pytest

from graders.batch.discover import discover
from graders.batch.entry import GRADED, INVALID
from graders.batch.gradebook import Gradebook
from graders.batch.run import Task, grade_task, run_batch
from graders.sandbox import cgroups, slots
from tests.conftest import ROOT, TEMPLATE, cpu_hogs, reference_folder
from tests.graders.batch.test_run import isolation

pytestmark = pytest.mark.slow

ISOLATION = isolation()
# Overrides of the reference, each one student's work: right, one function wrong in several
# ways, hanging, and hostile (a daemon that outlives its parent, a flood of output, an exit
# in the middle of a call).
OVERRIDES = {
    "alice": "",
    "ben": "def relu(z):\n    return np.abs(z)\n",
    "cara": "def softmax(z):\n    e = np.exp(z)\n    return e / e.sum(axis=-1, keepdims=True)\n",
    "dan": "def mse(y_pred, y_true):\n    return float(np.sum((y_pred - y_true) ** 2))\n",
    "eve": "def relu(z):\n    while True:\n        pass\n",
    "fay": "def one_hot(y, n_classes):\n    import time\n    time.sleep(600)\n",
    "ivy": "def dropout(x, p, training, rng):\n    return x * (rng.random(x.shape) > p)\n",
    "lea": "def l2_grad(grad, w, lam):\n    return grad + 2 * lam * w\n",
    "kim": """
        import os, time
        if os.fork() == 0:
            os.setsid()
            if os.fork() == 0:
                while True:
                    time.sleep(1)
            os._exit(0)
        print("x" * 200_000)

        def relu(z):
            os._exit(3)
        """,
}


def make_class(folder: Path) -> Path:
    """A dozen submissions: the overrides above, two templates, two syntax errors."""
    for student, override in OVERRIDES.items():
        reference_folder(folder / student, override)
    shutil.copy(TEMPLATE / "selfcheck.py", folder / "gus.py")
    shutil.copy(TEMPLATE / "selfcheck.ipynb", folder / "nora.ipynb")
    (folder / "hal.py").write_text("def relu(z:\n    return z\n")
    (folder / "pat.py").write_text("Q1_ANSWER = 2\n\ndef softmax(z)\n    return z\n")
    return folder


def comparable(report: dict[str, Any]) -> dict[str, Any]:
    """Everything in a report that must not depend on where it was computed: all but the
    timings, and the uid of the slot it happened to get."""
    kept = {k: v for k, v in report.items() if k not in ("seconds", "isolation_detail")}
    kept["questions"] = [
        {**q, "checks": [{k: v for k, v in c.items() if k != "seconds"} for c in q["checks"]]}
        for q in report["questions"]
    ]
    return kept


@pytest.fixture(scope="module")
def runtime() -> Iterator[Path]:
    """A slot table of this module's own, where the jail's uids may pass (as in /tmp)."""
    base = Path(tempfile.mkdtemp(prefix="dlgrade-test-scale-"))
    base.chmod(0o755)
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv(slots.ENV_VAR, str(base / "runtime"))
        yield base / "runtime"
    shutil.rmtree(base)


@pytest.fixture(scope="module")
def mixed(tmp_path_factory, runtime) -> tuple[Path, dict[str, dict[str, Any]]]:
    """The class, and each student's report from `dlgrade check` on their file."""
    folder = make_class(tmp_path_factory.mktemp("scale") / "class")
    paths = {c.student: c.path for c in discover(folder)}

    def check(path: Path) -> dict[str, Any]:
        command = [sys.executable, "-m", "graders.cli", "check", str(path), "--format", "json"]
        done = subprocess.run(
            [*command, "--isolation", ISOLATION],
            capture_output=True,
            text=True,
            timeout=300,
            check=False,
            cwd=ROOT,
        )
        return json.loads(done.stdout)

    with ThreadPoolExecutor(2) as pool:
        reports = dict(zip(paths, pool.map(check, paths.values()), strict=True))
    assert [s for s, r in reports.items() if not r["graded"]] == []
    return folder, {student: comparable(report) for student, report in reports.items()}


def entries_of(book: Gradebook) -> dict[str, dict[str, Any]]:
    entries = book.entries("selfcheck")
    assert {e.status for e in entries} <= {GRADED, INVALID}, [e.detail for e in entries]
    return {e.student: comparable(e.report) for e in entries}


def group_names() -> set[str]:
    return {group.paths[0].name for group in cgroups.named("slot")}


def left_behind(table: Path, groups_before: set[str], makers: set[int]) -> list[str]:
    """Scratch folders in the table; cgroups made since `groups_before` by `makers` or by a
    process now dead (not those of other gradings running on this machine); processes that
    use the table (bubblewrap binds a submission's copy from there)."""
    found = [f"scratch {path}" for path in sorted(table.glob("slot-*/*"))]
    for name in sorted(group_names() - groups_before):
        maker = name.split("-")[1]
        if maker.isdigit() and (int(maker) in makers or not slots.alive(int(maker))):
            found.append(f"cgroup {name}")
    for cmdline in Path("/proc").glob("[0-9]*/cmdline"):
        try:
            text = cmdline.read_bytes().replace(b"\0", b" ").decode(errors="replace")
        except OSError:
            continue
        if str(table) in text:
            found.append(f"process {cmdline.parent.name}: {text[:200]}")
    return found


def test_gradings_in_threads_of_one_process_match_check(mixed):
    folder, expected = mixed
    tasks = [
        Task(c.student, str(c.path), c.sha256, "selfcheck", ISOLATION)
        for c in discover(folder)
        if c.status == GRADED
    ]
    with ThreadPoolExecutor(8) as pool:
        entries = list(pool.map(grade_task, tasks))
    assert {e.student: comparable(e.report) for e in entries} == expected


def test_the_local_pool_beside_cpu_bound_processes_matches_check(mixed, runtime, tmp_path):
    folder, expected = mixed
    before = group_names()
    with cpu_hogs(), Gradebook(tmp_path / "grades.db") as book:
        summary = run_batch(folder, "selfcheck", book, workers=2, isolation=ISOLATION)
        assert summary.failed_to_grade == []
        assert entries_of(book) == expected
    assert left_behind(runtime, before, set()) == []


class Cluster:
    """A `dask scheduler` and `dask worker` processes on this machine, as the README starts
    them (each worker its own nanny, in a process group of its own to kill it whole)."""

    def __init__(self, logs: Path) -> None:
        self.logs = logs
        self.dask = str(Path(sys.executable).parent / "dask")
        with socket.socket() as probe:  # a free port for the scheduler
            probe.bind(("127.0.0.1", 0))
            port = probe.getsockname()[1]
        self.address = f"tcp://127.0.0.1:{port}"
        command = [self.dask, "scheduler", "--host", "127.0.0.1", "--port", str(port)]
        self.scheduler = self._start("scheduler", [*command, "--no-dashboard"])
        self.workers: dict[str, subprocess.Popen] = {}

    def _start(self, name: str, command: list[str]) -> subprocess.Popen:
        log = open(self.logs / f"{name}.log", "w")  # the process writes it; closed with it
        return subprocess.Popen(command, stdout=log, stderr=log, start_new_session=True)

    def add_worker(self, name: str) -> None:
        command = [self.dask, "worker", self.address, "--nworkers", "1", "--nthreads", "3"]
        command += ["--nanny", "--name", name, "--no-dashboard"]
        self.workers[name] = self._start(name, command)

    def kill(self, name: str) -> None:
        """SIGKILL a worker, nanny and all (the gradings' children die with it)."""
        os.killpg(self.workers[name].pid, signal.SIGKILL)
        self.workers[name].wait()

    def close(self) -> None:
        for process in [*self.workers.values(), self.scheduler]:
            if process.poll() is None:
                os.killpg(process.pid, signal.SIGTERM)
                try:
                    process.wait(timeout=60)
                except subprocess.TimeoutExpired:
                    os.killpg(process.pid, signal.SIGKILL)
                    process.wait()


def test_a_dask_cluster_that_loses_a_worker_grades_like_check(mixed, runtime, tmp_path):
    distributed = pytest.importorskip("distributed")
    folder, expected = mixed
    cluster = Cluster(tmp_path)
    before, makers = group_names(), set()
    try:
        cluster.add_worker("w0")
        cluster.add_worker("w1")
        with distributed.Client(cluster.address, timeout=120) as client:
            client.wait_for_workers(2, timeout=120)
            makers |= set(client.run(os.getpid).values())  # the workers' processes

            def kill_a_busy_worker() -> str:
                """Kill, nanny and all, the worker grading the most submissions right now."""
                busy = {a: keys for a, keys in client.processing().items() if keys}
                busiest = max(busy, key=lambda address: len(busy[address]))
                name = client.scheduler_info()["workers"][busiest]["name"]
                cluster.kill(name)
                return name

            killed: list[str] = []
            for run in range(3):
                results: list[object] = []

                def on_result(entry: object, run: int = run, results: list = results) -> None:
                    results.append(entry)
                    if run == 2 and len(results) == 2:  # mid-run: most are still to come
                        killed.append(kill_a_busy_worker())

                with Gradebook(tmp_path / f"grades{run}.db") as book:
                    summary = run_batch(
                        folder,
                        "selfcheck",
                        book,
                        workers=2,
                        isolation=ISOLATION,
                        scheduler=cluster.address,
                        force=True,
                        on_result=on_result,
                    )
                    assert summary.failed_to_grade == []
                    assert entries_of(book) == expected, f"run {run}"
            assert len(killed) == 1
            assert len(client.scheduler_info()["workers"]) == 1  # the rest finished on one
            # The next worker to start on this machine sweeps what the dead one left: a task
            # runs on it only once its plugins (the sweep) are set up.
            cluster.add_worker("w2")
            client.wait_for_workers(2, timeout=120)
            workers = client.scheduler_info()["workers"]
            (newcomer,) = [a for a, w in workers.items() if w["name"] == "w2"]
            makers.add(client.submit(os.getpid, workers=[newcomer], pure=False).result())
            assert left_behind(runtime, before, makers) == []
    finally:
        cluster.close()
    assert left_behind(runtime, before, makers) == []

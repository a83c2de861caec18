"""Grade a class: skip what is already graded, grade the rest in parallel, record each
result the moment it arrives.

`grade_task` is the one grading function, run by a local process pool or by the
workers of a Dask cluster (each submission jailed on the worker that grades it).
"""

from __future__ import annotations

import dataclasses
import multiprocessing
import os
import select
import threading
import time
from collections.abc import Callable, Iterator
from concurrent.futures import ProcessPoolExecutor, as_completed
from dataclasses import dataclass, field
from pathlib import Path

from graders.batch.discover import Candidate, discover
from graders.batch.entry import ERROR, GRADED, INVALID, Entry
from graders.batch.gradebook import Gradebook, now
from graders.sandbox.jail import UID_BASE, JailLauncher


@dataclass(frozen=True)
class Task:
    """Everything a worker needs to grade one submission (picklable, small)."""

    student: str
    path: str
    sha256: str
    assignment: str
    isolation: str  # "jail" or "process"
    data_dir: str | None = None
    budget: float | None = None
    threads: int | None = None  # BLAS/torch threads per child: the cores shared by workers
    jail: JailLauncher | None = None  # checked once by the parent; None: check on the worker


@dataclass
class Summary:
    """How a batch went, for the closing line and the tests."""

    graded: int = 0
    skipped: int = 0  # unchanged and already graded
    invalid: int = 0
    missing: int = 0
    duplicate: int = 0
    failed_to_grade: list[str] = field(default_factory=list)  # grader errors, retried next run
    seconds: float = 0.0


def grade_task(task: Task) -> Entry:
    """Grade one submission; an unreadable one gets a complete all-failed report, and one
    that a fault of ours stopped gets an "error" entry, without a report or a score."""
    from graders.checks.core import Context
    from graders.grading import grade, unloadable
    from graders.sandbox.jail import launcher_for
    from graders.sandbox.runner import Limits
    from graders.spec import load_spec
    from graders.submission import SubmissionError, load_submission

    started = time.perf_counter()
    spec = load_spec(task.assignment)
    base = {"student": task.student, "assignment": task.assignment, "sha256": task.sha256}
    try:
        submission = load_submission(Path(task.path), spec.entry)
    except SubmissionError as error:
        report = unloadable(Path(task.path), spec, error).to_dict()
        seconds = time.perf_counter() - started
        detail = f"{error}"
        return Entry(
            **base,
            status=INVALID,
            detail=detail,
            path=task.path,
            graded_at=now(),
            seconds=round(seconds, 3),
            report=report,
        )
    if task.jail is not None:
        # The parent already probed this machine; each worker takes a uid of its own.
        slot = os.getpid() % 4000
        launcher = dataclasses.replace(task.jail, slot=slot, uid=UID_BASE + slot)
    else:
        launcher, _ = launcher_for(task.isolation)
    context = Context(data_dir=task.data_dir, train_seconds=task.budget)
    limits = dict(spec.limits)
    if task.threads is not None:
        # Children training at once must not each start one thread per core: they
        # would fight over the cores and all run slower (and blow their budgets).
        limits["threads"] = min(int(limits.get("threads", 1)), task.threads)
    report = grade(submission, spec, launcher=launcher, context=context, limits=Limits(**limits))
    if not report.graded:
        detail = f"dlgrade failed while grading: {report.errors[0]}"
        return Entry(**base, status=ERROR, detail=detail, path=task.path, graded_at=now())
    return Entry(
        **base,
        status=GRADED,
        path=task.path,
        graded_at=now(),
        seconds=report.seconds,
        report=report.to_dict(),
    )


def _local(tasks: list[Task], workers: int) -> Iterator[tuple[Task, Entry | BaseException]]:
    # forkserver: workers fork from a clean server process with the grader preloaded,
    # not from this one (which runs threads for the progress bar).
    context = multiprocessing.get_context("forkserver")
    context.set_forkserver_preload(["graders.grading", "graders.checks.core", "numpy"])
    batch = os.getpid()
    with ProcessPoolExecutor(
        max_workers=workers, mp_context=context, initializer=exit_with, initargs=(batch,)
    ) as pool:
        futures = {pool.submit(grade_task, task): task for task in tasks}
        for future in as_completed(futures):
            error = future.exception()
            yield futures[future], error if error is not None else future.result()


def exit_with(pid: int) -> None:
    """In a pool worker: exit as soon as process `pid` (the batch) ends, even by SIGKILL.

    A worker's parent is the forkserver, and the forkserver only exits once every worker has
    closed its liveness pipe, while an idle worker waits on a task pipe it holds both ends
    of: after `kill -9` of the batch, both would wait forever. The worker's own sandbox child
    dies with it (bubblewrap's --die-with-parent).
    """
    watcher = threading.Thread(target=_exit_after, args=(pid,), name="exit-with-batch")
    watcher.daemon = True
    watcher.start()


def _exit_after(pid: int) -> None:
    try:
        handle = os.pidfd_open(pid)  # Linux 5.3+: readable once the process has ended
    except (AttributeError, OSError):
        while _alive(pid):
            time.sleep(1.0)
    else:
        select.select([handle], [], [])
    os._exit(1)


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def _dask(tasks: list[Task], scheduler: str) -> Iterator[tuple[Task, Entry | BaseException]]:
    try:
        from distributed import Client
        from distributed import as_completed as dask_completed
    except ImportError:
        raise RuntimeError("--scheduler needs Dask: pip install 'dlgrade[cluster]'") from None
    with Client(scheduler) as client:
        futures = client.map(grade_task, tasks, pure=False)
        by_key = {future.key: task for future, task in zip(futures, tasks, strict=True)}
        for future in dask_completed(futures):
            error = future.exception()
            yield by_key[future.key], error if error is not None else future.result()


def failed(task: Task, error: BaseException) -> Entry:
    """The entry of a task that raised: a fault of ours (the student's faults are verdicts)."""
    return Entry(
        task.student,
        task.assignment,
        ERROR,
        f"dlgrade failed while grading: {type(error).__name__}: {error}",
        task.sha256,
        path=task.path,
        graded_at=now(),
    )


def plan(
    candidates: list[Candidate], book: Gradebook, assignment: str, force: bool
) -> tuple[list[Candidate], list[Candidate], list[Candidate]]:
    """Split candidates into (to grade, already graded and unchanged, not gradable)."""
    todo, unchanged, other = [], [], []
    for candidate in candidates:
        if candidate.status != GRADED:
            other.append(candidate)
        elif not force and book.done(candidate.student, assignment, candidate.sha256):
            unchanged.append(candidate)
        else:
            todo.append(candidate)
    return todo, unchanged, other


def run_batch(
    folder: Path,
    assignment: str,
    book: Gradebook,
    *,
    workers: int,
    isolation: str,
    roster: dict[str, str] | None = None,
    force: bool = False,
    scheduler: str | None = None,
    data_dir: str | None = None,
    budget: float | None = None,
    on_start: Callable[[int], None] | None = None,
    on_result: Callable[[Entry], None] | None = None,
) -> Summary:
    """Grade every new or changed submission in `folder`; record everything in `book`."""
    started = time.perf_counter()
    candidates = discover(folder, roster)
    todo, unchanged, other = plan(candidates, book, assignment, force)
    summary = Summary(skipped=len(unchanged))
    for candidate in unchanged:
        book.set_current(candidate.student, assignment, candidate.sha256)
    for candidate in other:
        entry = Entry(
            candidate.student,
            assignment,
            candidate.status,
            candidate.detail,
            candidate.sha256,
            graded_at=now(),
        )
        book.record(entry)
        setattr(summary, candidate.status, getattr(summary, candidate.status) + 1)
    book.forget_current(assignment, [c.student for c in candidates])
    threads = None if scheduler else max(1, (os.cpu_count() or 1) // max(workers, 1))
    # Local workers share this machine: probe the jail once here, not once per task.
    jail = JailLauncher.create() if isolation == "jail" and not scheduler and todo else None
    tasks = [
        Task(
            c.student, str(c.path), c.sha256, assignment, isolation, data_dir, budget, threads, jail
        )
        for c in todo
    ]
    if on_start is not None:
        on_start(len(tasks))
    results = _dask(tasks, scheduler) if scheduler else _local(tasks, workers)
    for task, outcome in results if tasks else ():
        entry = outcome if isinstance(outcome, Entry) else failed(task, outcome)
        book.record(entry)
        if entry.status == ERROR:
            # A fault of ours, not the student's: recorded without a score, graded again
            # on the next run.
            summary.failed_to_grade.append(f"{task.student}: {entry.detail}")
        elif entry.status == INVALID:
            summary.invalid += 1
        else:
            summary.graded += 1
        if on_result is not None:
            on_result(entry)
    summary.seconds = round(time.perf_counter() - started, 2)
    return summary

"""Grade a class: skip what is already graded, grade the rest in parallel, record each
result the moment it arrives.

`grade_task` is the one grading function, run by a local process pool or by the
workers of a Dask cluster (each submission jailed on the worker that grades it). It is safe
to run in several threads of one process (a Dask worker's `--nthreads`): each grading has
its own sandbox slot, and what the process shares is guarded (graders.threads).
"""

from __future__ import annotations

import contextlib
import multiprocessing
import os
import select
import signal
import threading
import time
from collections.abc import Callable, Iterator
from concurrent.futures import Future, ProcessPoolExecutor, as_completed
from dataclasses import dataclass, field
from pathlib import Path

from graders.batch.discover import Candidate, Roster, discover
from graders.batch.entry import ERROR, GRADED, INVALID, Entry
from graders.batch.gradebook import Gradebook, now
from graders.sandbox.launch import Launcher
from graders.sandbox.slots import Table, alive


@dataclass(frozen=True)
class Task:
    """Everything a worker needs to grade one submission (picklable, small)."""

    student: str
    path: str
    sha256: str
    assignment: str  # the assignment's name: the gradebook's key
    isolation: str  # a level's name or "auto" (graders.sandbox.isolation)
    data_dir: str | None = None
    budget: float | None = None
    threads: int | None = None  # BLAS/torch threads per child: the cores shared by workers
    launcher: Launcher | None = None  # chosen once by the parent; None: chosen on the worker
    allow_process: bool = False  # may a worker's `auto` fall below the levels for untrusted code
    source: str = ""  # where the worker loads the assignment from, when not by its name
    warm: bool = False  # may the worker fork children from a warm template (a local pool's)


REFERENCE = "(reference solution)"  # the self-test's student: never a student id on disk


class SelfTestFailed(Exception):
    """The reference solution did not score full marks where the class would be graded: the
    grading environment is broken, so nobody is graded (a student would pay for it)."""


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
    from graders.sandbox.errors import GraderFault
    from graders.sandbox.isolation import Needs, choose
    from graders.sandbox.job import Limits
    from graders.spec import load_spec
    from graders.submission import SubmissionError, load_submission
    from graders.threads import serialise_parsing

    serialise_parsing()  # other gradings may be parsing in this process's other threads
    started = time.perf_counter()
    spec = load_spec(task.source or task.assignment)
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
    context = Context(data_dir=task.data_dir, train_seconds=task.budget)
    limits = dict(spec.limits)
    if task.threads is not None:
        # Children training at once must not each start one thread per core: they
        # would fight over the cores and all run slower (and blow their budgets).
        limits["threads"] = min(int(limits.get("threads", 1)), task.threads)
    if task.launcher is not None:  # the parent already chose for this machine
        launcher, note = task.launcher, ""
    else:
        needs = Needs.of(spec, Limits(**limits))
        try:
            choice = choose(task.isolation, needs, untrusted=not task.allow_process)
        except GraderFault as fault:  # no score: an error row, graded again on the next run
            detail = f"dlgrade failed while grading: {fault.reason}"
            return Entry(**base, status=ERROR, detail=detail, path=task.path, graded_at=now())
        launcher, note = choice.launcher, choice.note
    with warmed(task, launcher) as chosen:
        report = grade(
            submission,
            spec,
            launcher=chosen,
            context=context,
            limits=Limits(**limits),
            notes=(note,),
        )
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


@contextlib.contextmanager
def warmed(task: Task, launcher: Launcher) -> Iterator[Launcher]:
    """The launcher a task grades with: the jail of its worker, warm (graders.sandbox.warm),
    where the task may use it, else `launcher` itself."""
    from graders.sandbox.jail import JailLauncher

    if not task.warm or type(launcher) is not JailLauncher:
        yield launcher
        return
    from graders.sandbox.runner import template_source
    from graders.sandbox.warm import TEMPLATES

    with TEMPLATES.lent(launcher, template_source) as warm:
        yield warm


def _local(tasks: list[Task], workers: int) -> Iterator[tuple[Task, Entry | BaseException]]:
    # forkserver: workers fork from a clean server process with the grader preloaded,
    # not from this one (which runs threads for the progress bar).
    context = multiprocessing.get_context("forkserver")
    context.set_forkserver_preload(["graders.grading", "graders.checks.core", "numpy"])
    batch = os.getpid()
    pool = ProcessPoolExecutor(
        max_workers=workers, mp_context=context, initializer=exit_with, initargs=(batch,)
    )
    try:
        futures = {pool.submit(grade_task, task): task for task in tasks}
        for future in as_completed(futures):
            yield futures[future], outcome(future)
    except BaseException:  # Ctrl-C, or the caller stopped reading: stop now, not after the
        stop(pool)  # gradings under way (a training may have minutes to go)
        raise
    pool.shutdown()


def outcome(future: Future) -> Entry | BaseException:
    """What a finished task gave: its entry, or the exception it raised."""
    error = future.exception()
    return error if error is not None else future.result()


def stop(pool: ProcessPoolExecutor) -> None:
    """Kill the workers and cancel what has not started (their sandboxes die with them; what a
    slot keeps is swept by the next batch). ProcessPoolExecutor.kill_workers (Python 3.14)
    does the first half; before it, its table of processes is the only way in."""
    kill = getattr(pool, "kill_workers", None)
    if kill is not None:
        kill()
    else:  # read before shutdown, which forgets them
        for process in list((getattr(pool, "_processes", None) or {}).values()):
            process.kill()
    # Wait for the pool's manager thread, which ends as soon as it sees its workers dead: left
    # running, it races the interpreter's exit hook and prints "Bad file descriptor".
    pool.shutdown(wait=True, cancel_futures=True)


def exit_with(pid: int) -> None:
    """In a pool worker: exit as soon as process `pid` (the batch) ends, even by SIGKILL.

    A worker's parent is the forkserver, and the forkserver only exits once every worker has
    closed its liveness pipe, while an idle worker waits on a task pipe it holds both ends
    of: after `kill -9` of the batch, both would wait forever. The worker's own sandbox child
    dies with it (bubblewrap's --die-with-parent).

    Ctrl-C is the batch's to handle: it kills the workers at once, so they ignore SIGINT
    (else each idle one would print a KeyboardInterrupt traceback of its own).
    """
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    watcher = threading.Thread(target=_exit_after, args=(pid,), name="exit-with-batch")
    watcher.daemon = True
    watcher.start()


def _exit_after(pid: int) -> None:
    try:
        handle = os.pidfd_open(pid)  # Linux 5.3+: readable once the process has ended
    except (AttributeError, OSError):
        while alive(pid):
            time.sleep(1.0)
    else:
        select.select([handle], [], [])
    os._exit(1)


def _dask(tasks: list[Task], scheduler: str) -> Iterator[tuple[Task, Entry | BaseException]]:
    try:
        from distributed import Client
        from distributed import as_completed as dask_completed
    except ImportError:
        raise RuntimeError("--scheduler needs Dask: pip install 'dlgrade[cluster]'") from None
    from graders.batch.worker import SweepSlots

    with Client(scheduler) as client:
        # Each worker, and each that joins later (one restarted by its nanny), first cleans
        # the slots of gradings that died on its machine.
        client.register_plugin(SweepSlots())
        futures = client.map(grade_task, tasks, pure=False)
        by_key = {future.key: task for future, task in zip(futures, tasks, strict=True)}
        try:
            for future in dask_completed(futures):
                yield by_key[future.key], outcome(future)
        except BaseException:  # Ctrl-C: what has not finished is cancelled on the cluster
            client.cancel(futures, force=True)
            raise


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


def share_cores(workers: int, threads: int, training: bool, cores: int) -> tuple[int, int]:
    """How many submissions to grade at once, and the BLAS/torch threads of each child, so
    that workers x threads never exceeds the cores.

    A self-check child is single-threaded: one worker per core asked for, each child
    `cores // workers` threads at most. A training track's child may use `threads` (its
    spec's): then fewer workers, so trainings side by side do not slow each other down
    (and each is charged for the CPU time it used, not for the time it waited).
    """
    threads = max(1, min(threads, cores))
    workers = max(1, workers)
    if training:
        workers = min(workers, max(1, cores // threads))
    return workers, max(1, min(threads, cores // workers))


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
    isolation: str = "auto",
    allow_process: bool = False,
    launcher: Launcher | None = None,
    roster: Roster | None = None,
    force: bool = False,
    scheduler: str | None = None,
    data_dir: str | None = None,
    budget: float | None = None,
    self_test: bool = True,
    on_start: Callable[[int], None] | None = None,
    on_result: Callable[[Entry], None] | None = None,
) -> Summary:
    """Grade every new or changed submission in `folder`; record everything in `book`.

    `assignment` is a built-in assignment's name or an assignment's folder (which workers
    load from the same path; the gradebook knows it by its name). `launcher` is the level
    chosen for this machine (graders.sandbox.isolation.choose); without one, each worker
    chooses `isolation` itself, refusing levels that do not confine untrusted code unless
    `allow_process`.

    With `self_test`, the reference solution is graded first, where the class will be (the
    local pool or the cluster), and must score full marks: else SelfTestFailed, and nothing
    is recorded, since every student would pay for what broke it.
    """
    from graders.spec import load_spec
    from graders.specfile import ASSIGNMENTS

    started = time.perf_counter()
    spec = load_spec(assignment)
    # Workers load a built-in assignment by its name, any other from its folder.
    built_in = spec.folder.resolve() == (ASSIGNMENTS / spec.name).resolve()
    source = "" if built_in else str(spec.folder.resolve())
    assignment = spec.name  # from here on, the gradebook's key
    candidates = discover(folder, roster)
    todo, unchanged, other = plan(candidates, book, assignment, force)
    summary = Summary(skipped=len(unchanged))
    threads = None
    if not scheduler:  # a cluster worker's cores are its own to share (--nthreads)
        Table.here().sweep()  # what gradings that died on this machine left (a killed batch)
        from graders.sandbox.isolation import Needs, choose

        wanted = int(spec.limits.get("threads", 1))
        cores = os.cpu_count() or 1
        workers, threads = share_cores(workers, wanted, bool(spec.training), cores)
        if launcher is None and todo:
            # Local workers share this machine: choose (and run the canary) once here.
            launcher = choose(isolation, Needs.of(spec), untrusted=not allow_process).launcher

    def task_for(student: str, path: Path, sha256: str) -> Task:
        return Task(
            student,
            str(path),
            sha256,
            assignment,
            isolation,
            data_dir,
            budget,
            threads,
            None if scheduler else launcher,
            allow_process,
            source,
            warm=not scheduler,  # a cluster worker's threads may end under its templates
        )

    def run(tasks: list[Task]) -> Iterator[tuple[Task, Entry | BaseException]]:
        return _dask(tasks, scheduler) if scheduler else _local(tasks, workers)

    if todo and self_test and spec.reference_submission is not None:
        reference = task_for(REFERENCE, spec.reference_submission, "")
        for _, result in run([reference]):
            problem = self_test_problem(result)
            if problem:
                raise SelfTestFailed(problem)
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
    tasks = [task_for(c.student, c.path, c.sha256) for c in todo]
    if on_start is not None:
        on_start(len(tasks))
    for task, outcome in run(tasks) if tasks else ():
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


def self_test_problem(result: Entry | BaseException) -> str:
    """Why the reference's grading shows that the class cannot be graded here ("" when it
    scored full marks)."""
    from graders.grading import reference_problem

    if isinstance(result, BaseException):
        return f"grading the reference solution raised {type(result).__name__}: {result}"
    if result.status == INVALID:
        return f"the reference solution could not be read: {result.detail}"
    if result.status != GRADED or result.result is None:
        return f"the reference solution could not be graded: {result.detail}"
    return reference_problem(result.result)

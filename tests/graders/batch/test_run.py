"""Batch grading: discovery, bad input, the gradebook, resuming after SIGKILL, Dask."""

from __future__ import annotations

import json
import os
import shutil
import signal
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import pytest

from graders.batch.discover import RosterError, discover, read_roster
from graders.batch.entry import DUPLICATE, ERROR, GRADED, INVALID, MISSING, Entry
from graders.batch.gradebook import Gradebook
from graders.batch.run import run_batch
from tests.conftest import (
    FULL,
    ONE_WRONG,
    QUESTIONS,
    ROOT,
    TEMPLATE,
    break_reference,
    jail_here,
    notebook,
    reference_folder,
    scaffold,
)


def isolation() -> str:
    return "jail" if jail_here() else "process"


def make_class(root: Path) -> Path:
    """A class with honest, wrong and broken submissions, and every kind of bad input."""
    root.mkdir()
    reference_folder(root / "alice")  # full marks
    shutil.copy(TEMPLATE / "selfcheck.py", root / "bob.py")  # nothing
    reference_folder(root / "carol", "Q1_ANSWER = 0\n")  # one question lost
    source = (reference_folder(root.parent / "nb") / "selfcheck.py").read_text()
    (root / "dora").mkdir()  # a notebook in a folder, with the helper modules beside it
    for module in (root.parent / "nb").glob("*.py"):
        if module.name != "selfcheck.py":
            shutil.copy(module, root / "dora" / module.name)
    (root / "dora" / "selfcheck.ipynb").write_text(notebook([("code", source)]))
    (root / "empty").mkdir()  # an empty submission folder
    (root / "notes.txt").write_text("not python")  # not Python or a notebook
    (root / "blob.py").write_bytes(bytes(range(256)) * 4)  # binary
    with open(root / "huge.py", "wb") as file:  # 100 MB
        file.truncate(100 << 20)
    (root / "broken.ipynb").write_text("{ not json")  # a notebook that is not JSON
    (root / "twin.py").write_text("Q1_ANSWER = 2\n")  # two submissions, one student
    (root / "twin.ipynb").write_text(notebook([("code", "Q1_ANSWER = 2\n")]))
    (root / ".DS_Store").write_text("ignored")
    return root


@pytest.fixture(scope="module")
def graded_class(tmp_path_factory):
    root = tmp_path_factory.mktemp("batch")
    folder = make_class(root / "class")
    roster_file = root / "roster.csv"
    students = "alice bob carol dora empty notes blob huge broken twin zed".split()
    roster_file.write_text("student,email\n" + "".join(f"{s},{s}@uni\n" for s in students))
    book = Gradebook(root / "grades.db")
    summary = run_batch(
        folder, "selfcheck", book, workers=2, isolation=isolation(), roster=read_roster(roster_file)
    )
    yield folder, book, summary, roster_file
    book.close()


def by_student(book: Gradebook) -> dict:
    return {e.student: e for e in book.entries("selfcheck")}


def test_every_student_gets_a_row(graded_class):
    _, book, summary, _ = graded_class
    entries = by_student(book)
    assert sorted(entries) == sorted(
        "alice bob carol dora empty notes blob huge broken twin zed".split()
    )
    assert (summary.graded, summary.invalid, summary.missing, summary.duplicate) == (4, 5, 1, 1)
    assert summary.failed_to_grade == []


def test_honest_and_wrong_submissions_are_scored(graded_class):
    entries = by_student(graded_class[1])
    scores = [entries[s].score for s in ("alice", "bob", "carol", "dora")]
    assert scores == [FULL, 0, ONE_WRONG, FULL]
    assert entries["alice"].passed
    assert not entries["bob"].passed
    assert entries["alice"].report["isolation"] in ("jail", "process")


@pytest.mark.parametrize(
    ("student", "status", "said"),
    [
        ("empty", INVALID, "found no .py or .ipynb file"),
        ("notes", INVALID, "not a Python file"),
        ("blob", INVALID, "binary file"),
        ("huge", INVALID, "huge.py holds over 5 MiB"),
        ("broken", INVALID, "invalid JSON"),
        ("twin", DUPLICATE, "2 submissions claim this student"),
        ("zed", MISSING, "no submission was found"),
    ],
)
def test_bad_input_gets_a_clear_row(graded_class, student, status, said):
    entry = by_student(graded_class[1])[student]
    assert entry.status == status
    assert said in entry.detail
    if status == INVALID:  # a complete report, every check failed, nothing earned
        assert entry.report["score"] == 0
        assert len(entry.report["questions"]) == QUESTIONS


def test_rerun_skips_unchanged_and_regrades_changed(graded_class):
    folder, book, _, roster_file = graded_class
    before = by_student(book)
    (folder / "bob.py").write_text((folder / "bob.py").read_text() + "\nQ1_ANSWER = 2\n")
    summary = run_batch(
        folder, "selfcheck", book, workers=2, isolation=isolation(), roster=read_roster(roster_file)
    )
    assert summary.graded == 1  # bob only
    assert summary.skipped == 8  # the other 3 graded and 5 invalid ones
    after = by_student(book)
    assert after["bob"].score == 1
    assert after["alice"].graded_at == before["alice"].graded_at
    history = book.history("bob", "selfcheck")
    assert [h.score for h in history] == [0, 1]


def test_force_regrades_everything(graded_class):
    folder, book, _, roster_file = graded_class
    summary = run_batch(
        folder,
        "selfcheck",
        book,
        workers=2,
        isolation=isolation(),
        roster=read_roster(roster_file),
        force=True,
    )
    assert summary.graded + summary.invalid == 9
    assert summary.skipped == 0


def test_roster_errors_and_mapping(tmp_path):
    bad = tmp_path / "bad.csv"
    bad.write_text("name,email\nAda,ada@uni\n")
    with pytest.raises(RosterError, match="student id column"):
        read_roster(bad)
    good = tmp_path / "good.csv"
    good.write_text("student_id,submission\ns001,ada-lovelace\n")
    (tmp_path / "subs").mkdir()
    (tmp_path / "subs" / "ada-lovelace.py").write_text("x = 1\n")
    found = discover(tmp_path / "subs", read_roster(good))
    assert [(c.student, c.status) for c in found] == [("s001", GRADED)]


def forkservers() -> set[int]:
    """Processes running multiprocessing's forkserver (the pool's server and its workers)."""
    found = set()
    for entry in Path("/proc").iterdir():
        try:
            if entry.name.isdigit() and b"forkserver" in (entry / "cmdline").read_bytes():
                found.add(int(entry.name))
        except OSError:
            continue
    return found


def results_in(db: Path, count: int) -> dict[str, str]:
    """Wait (bounded) until the gradebook `db` holds `count` results; student -> graded_at."""
    rows: list = []
    for _ in range(1200):
        if db.exists():
            try:
                with sqlite3.connect(db, timeout=5) as peek:
                    rows = peek.execute("SELECT student, graded_at FROM results").fetchall()
            except sqlite3.OperationalError:
                rows = []
            if len(rows) >= count:
                break
        time.sleep(0.1)
    return dict(rows)


def no_forkserver_but(before: set[int]) -> set[int]:
    """Wait (bounded) for the pool processes started since `before` to end; those left."""
    deadline = time.monotonic() + 15
    while forkservers() - before and time.monotonic() < deadline:
        time.sleep(0.1)
    return forkservers() - before


def test_sigkill_mid_batch_loses_nothing_and_grades_nothing_twice(tmp_path):
    folder = tmp_path / "class"
    folder.mkdir()
    for i in range(10):
        reference_folder(folder / f"s{i:02}", "" if i % 2 else "Q1_ANSWER = 0\n")
    db = tmp_path / "grades.db"
    command = [sys.executable, "-m", "graders.cli", "grade", str(folder), "-a", "selfcheck"]
    command += ["--db", str(db), "--workers", "1", "--allow-process"]
    before = forkservers()
    batch = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        graded_before = results_in(db, 3)  # a few results are in: kill -9
        os.kill(batch.pid, signal.SIGKILL)
    finally:
        batch.wait(timeout=30)
    assert 3 <= len(graded_before) < 10
    assert no_forkserver_but(before) == set()  # the killed batch's workers follow it
    finished = subprocess.run(command, capture_output=True, text=True, timeout=600)
    assert finished.returncode == 0, finished.stderr
    with Gradebook(db) as book:
        entries = by_student(book)
    assert len(entries) == 10
    assert all(e.status == GRADED for e in entries.values())
    for student, stamp in graded_before.items():  # not graded a second time
        assert entries[student].graded_at == stamp
    assert [entries[f"s{i:02}"].score for i in range(10)] == [ONE_WRONG, FULL] * 5


def test_dask_cluster_grades_the_same(tmp_path):
    distributed = pytest.importorskip("distributed")
    folder = tmp_path / "class"
    folder.mkdir()
    reference_folder(folder / "alice")
    shutil.copy(TEMPLATE / "selfcheck.py", folder / "bob.py")
    (folder / "carl.txt").write_text("not python")
    with (
        distributed.LocalCluster(
            n_workers=2, threads_per_worker=1, processes=True, dashboard_address=None
        ) as cluster,
        Gradebook(tmp_path / "grades.db") as book,
    ):
        summary = run_batch(
            folder,
            "selfcheck",
            book,
            workers=2,
            isolation=isolation(),
            scheduler=cluster.scheduler_address,
        )
        entries = by_student(book)
    assert (summary.graded, summary.invalid) == (2, 1)
    assert (entries["alice"].score, entries["bob"].score) == (FULL, 0)
    assert entries["carl"].status == INVALID


def test_a_lone_surrogate_or_a_non_utf8_name_is_stored_not_an_abort(tmp_path):
    # A submission's exception message holding "\udc80" used to abort every batch, every rerun.
    report = json.loads((ROOT / "tests" / "fixtures" / "report_template.json").read_text())
    report["questions"][1]["checks"][0]["message"] = "relu raised ValueError: bad \udc80 value"
    report["output"] = "printed \ud800"
    entry = Entry(
        "alice", "selfcheck", INVALID, "bad \udcff name", "h", "/c/\udcff.py", report=report
    )
    with Gradebook(tmp_path / "grades.db") as book:
        book.record(entry)
        stored = book.entries("selfcheck")[0]
        (message,) = book.db.execute(
            "SELECT message FROM verdicts WHERE checkname = ?",
            (report["questions"][1]["checks"][0]["name"],),
        ).fetchone()
    assert stored.report["questions"][1]["checks"][0]["message"].endswith("bad \ufffd value")
    assert (stored.detail, stored.path, stored.report["output"]) == (
        "bad \ufffd name",
        "/c/\ufffd.py",
        "printed \ufffd",
    )
    assert message == "relu raised ValueError: bad \ufffd value"


def test_a_task_that_raises_is_an_error_row_graded_again_next_run(tmp_path, monkeypatch):
    from graders.batch import run

    folder = tmp_path / "class"
    reference_folder(folder / "alice")
    shutil.copy(TEMPLATE / "selfcheck.py", folder / "bob.py")

    def alice_fails(tasks, workers):
        for task in tasks:
            failed = task.student == "alice"
            yield task, RuntimeError("the disk is full") if failed else run.grade_task(task)

    with Gradebook(tmp_path / "grades.db") as book:
        monkeypatch.setattr(run, "_local", alice_fails)
        first = run_batch(folder, "selfcheck", book, workers=1, isolation=isolation())
        broken = by_student(book)
        monkeypatch.undo()
        second = run_batch(folder, "selfcheck", book, workers=1, isolation=isolation())
        fixed = by_student(book)
    assert first.failed_to_grade == [
        "alice: dlgrade failed while grading: RuntimeError: the disk is full"
    ]
    assert (broken["alice"].status, broken["alice"].report) == (ERROR, None)  # no score
    assert "RuntimeError: the disk is full" in broken["alice"].detail
    assert broken["bob"].status == GRADED
    assert (second.graded, second.skipped, second.failed_to_grade) == (1, 1, [])
    assert (fixed["alice"].status, fixed["alice"].score) == (GRADED, FULL)


def test_a_report_a_fault_of_ours_touched_is_recorded_as_an_error(tmp_path, monkeypatch):
    import graders.grading as grading
    from graders.batch.run import Task, grade_task

    def faulty(submission, spec, **options):
        return grading.faulted(submission.path, spec, "the sandbox could not start")

    monkeypatch.setattr(grading, "grade", faulty)
    folder = reference_folder(tmp_path / "alice")
    entry = grade_task(Task("alice", str(folder), "sha", "selfcheck", "process"))
    assert (entry.status, entry.report) == (ERROR, None)
    assert entry.detail == "dlgrade failed while grading: the sandbox could not start"


def test_an_assignment_folder_is_graded_from_its_folder(tmp_path):
    from graders.batch.run import Task, grade_task
    from graders.spec import load_spec

    assignment = scaffold(tmp_path / "week3")
    spec = load_spec(assignment)
    folder = tmp_path / "class"
    shutil.copytree(spec.reference_submission, folder / "alice")
    shutil.copy(spec.template_path, folder / "bob.py")
    with Gradebook(tmp_path / "grades.db") as book:
        summary = run_batch(folder, str(assignment), book, workers=1, isolation=isolation())
        entries = {e.student: e for e in book.entries(spec.name)}
    assert (summary.graded, summary.failed_to_grade) == (2, [])
    assert (entries["alice"].score, entries["bob"].score) == (spec.max_score, 0)
    # What a Dask worker is sent names the folder, not only the name nobody else knows.
    task = Task("alice", str(folder / "alice"), "", spec.name, isolation(), source=str(assignment))
    assert (grade_task(task).status, grade_task(task).score) == (GRADED, spec.max_score)


def test_a_reference_that_loses_points_stops_the_batch_before_anyone_is_graded(tmp_path, capsys):
    from graders.cli import EXIT_USAGE, main
    from graders.spec import load_spec

    assignment = scaffold(tmp_path / "week3")
    spec = load_spec(assignment)
    folder = tmp_path / "class"
    shutil.copytree(spec.reference_submission, folder / "alice")
    (folder / "zed.txt").write_text("not python")
    lost = break_reference(assignment)  # as a broken grading environment would
    db = tmp_path / "grades.db"
    argv = ["grade", str(folder), "-a", str(assignment), "--db", str(db), "--workers", "1"]
    assert main([*argv, "--isolation", isolation()]) == EXIT_USAGE
    said = capsys.readouterr().err
    assert f"not grading anyone: {lost}" in said
    assert "it lost q1 (leaky_relu(z, alpha) should have shape (3,); yours has shape ()" in said
    assert "Nothing was recorded" in said
    with Gradebook(db) as book:
        assert book.entries(spec.name) == []  # not even the invalid submission's row
    # Told not to, it grades (at the instructor's word), and the reference's loss shows.
    assert main([*argv, "--isolation", isolation(), "--no-self-test"]) == 0
    with Gradebook(db) as book:
        assert {e.student for e in book.entries(spec.name)} == {"alice", "zed"}


def test_ctrl_c_stops_the_batch_at_once_and_says_how_to_resume(tmp_path):
    folder = tmp_path / "class"
    folder.mkdir()
    for i in range(2):
        reference_folder(folder / f"done{i}")
    for i in range(4):  # each would hold its worker for a minute
        reference_folder(folder / f"slow{i}", "import time\ntime.sleep(60)\n")
    db = tmp_path / "grades.db"
    command = [sys.executable, "-m", "graders.cli", "grade", str(folder), "-a", "selfcheck"]
    command += ["--db", str(db), "--workers", "2", "--isolation", isolation()]
    before = forkservers()
    # A terminal's Ctrl-C signals the whole foreground process group: the batch, its
    # forkserver and its workers alike.
    # Started as a shell starts a foreground command, with SIGINT at its default: tests run
    # as a background job (`... &` without job control) inherit SIGINT ignored, and keep it.
    batch = subprocess.Popen(
        command,
        stderr=subprocess.PIPE,
        text=True,
        start_new_session=True,
        preexec_fn=lambda: signal.signal(signal.SIGINT, signal.SIG_DFL),
    )
    try:
        assert len(results_in(db, 2)) == 2  # the quick two are in
        os.killpg(batch.pid, signal.SIGINT)
        interrupted = time.monotonic()
        _, said = batch.communicate(timeout=50)
        took = time.monotonic() - interrupted
    finally:
        if batch.poll() is None:
            os.killpg(batch.pid, signal.SIGKILL)
            batch.wait()
    assert batch.returncode == 130, said
    # Not a timing test: the slow ones sleep for 60 s, so any bound well under it shows
    # the batch did not wait for them.
    assert took < 30, f"stopped {took:.1f} s after Ctrl-C: it waited for the slow ones"
    assert "Traceback" not in said
    assert "run the same command again to grade the rest" in said
    assert no_forkserver_but(before) == set()
    for slow in folder.glob("slow*"):
        shutil.rmtree(slow)
    finished = subprocess.run(command, capture_output=True, text=True, timeout=600)
    assert finished.returncode == 0, finished.stderr
    assert "graded 0, unchanged 2" in finished.stdout

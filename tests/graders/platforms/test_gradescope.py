"""The Gradescope autograder end to end: build the zip, unpack it into a fake /autograder,
run setup.sh with stand-ins for the network steps, grade uploads, validate results.json."""

from __future__ import annotations

import json
import os
import shutil
import stat
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

from graders.platforms import BuildError
from graders.platforms.gradescope import build, find_submission
from graders.sandbox.jail import JailLauncher, JailUnavailable
from graders.spec import load_spec
from graders.submission import SubmissionError
from tests.conftest import (
    FULL,
    QUESTIONS,
    ROOT,
    TEMPLATE,
    break_reference,
    reference_folder,
    scaffold,
)

SCHEMA = ROOT / "tests" / "fixtures" / "gradescope_results.schema.json"
FAKE_RESULTS = f'{{"score": {FULL}, "tests": []}}'


def jail_works() -> bool:
    try:
        JailLauncher.create()
    except JailUnavailable:
        return False
    return True


needs_jail = pytest.mark.skipif(not jail_works(), reason="the jail cannot run here")


@pytest.fixture(scope="module")
def validator():
    jsonschema = pytest.importorskip("jsonschema")
    return jsonschema.Draft202012Validator(json.loads(SCHEMA.read_text()))


@pytest.fixture(scope="module")
def zips(tmp_path_factory) -> dict[str, Path]:
    folder = tmp_path_factory.mktemp("zips")
    spec = load_spec("selfcheck")
    return {
        "jail": build(spec, folder / "autograder.zip"),
        "process": build(spec, folder / "unsafe.zip", allow_process=True),
    }


def autograder(tmp_path: Path, archive: Path) -> Path:
    """A fake /autograder: the zip unpacked into source/, empty submission/ and results/."""
    root = tmp_path / "autograder"
    for name in ("source", "submission", "results"):
        (root / name).mkdir(parents=True)
    with zipfile.ZipFile(archive) as opened:
        opened.extractall(root / "source")
    for name in ("setup.sh", "run_autograder"):
        (root / "source" / name).chmod(0o755)
    return root


def run_autograder(
    root: Path, path: str | None = None, private: Path | None = None
) -> subprocess.CompletedProcess:
    """run_autograder as Gradescope starts it; PYTHONPATH stands for setup.sh's pip install.
    `private` names one more folder the sandbox uid must not reach."""
    env = {
        "DLGRADE_AUTOGRADER_ROOT": str(root),
        "PYTHONPATH": str(root / "source" / "dlgrade"),
        "PYTHON": sys.executable,
        "PATH": os.environ["PATH"] if path is None else path,
        "SECRET_TOKEN": "do-not-leak-4d9a",
        **({"DLGRADE_PRIVATE": str(private)} if private else {}),
    }
    return subprocess.run(
        ["/bin/bash", str(root / "source" / "run_autograder")],
        cwd=root,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )


def results_of(root: Path, validator) -> dict:
    document = json.loads((root / "results" / "results.json").read_text())
    assert [e.message for e in validator.iter_errors(document)] == []
    return document


def test_zip_has_the_scripts_at_its_root_and_the_grader_below(zips) -> None:
    with zipfile.ZipFile(zips["jail"]) as archive:
        infos = {info.filename: info for info in archive.infolist()}
    for script in ("setup.sh", "run_autograder"):
        assert stat.S_IMODE(infos[script].external_attr >> 16) == 0o755
    names = set(infos)
    assert "dlgrade/pyproject.toml" in names
    assert "dlgrade/reference/answers.py" in names  # the grader needs it; students never see it
    assert "dlgrade/assignments/selfcheck/hidden.py" in names
    assert "dlgrade/assignments/selfcheck/spec.toml" in names
    assert not any(name.startswith("dlgrade/assignments/mnist") for name in names)
    assert not any("__pycache__" in name or name.endswith(".pyc") for name in names)


def test_zip_is_the_same_every_time(tmp_path: Path, zips) -> None:
    again = build(load_spec("selfcheck"), tmp_path / "again.zip")
    assert again.read_bytes() == zips["jail"].read_bytes()


def test_build_refuses_a_name_that_is_not_a_zip(tmp_path: Path) -> None:
    with pytest.raises(BuildError, match=r"\.zip"):
        build(load_spec("selfcheck"), tmp_path / "autograder.tar")


def stub_tools(folder: Path, log: Path) -> str:
    """A PATH where apt-get and python3 only record how they were called (no network)."""
    folder.mkdir()
    for name in ("apt-get", "python3"):
        tool = folder / name
        tool.write_text(f'#!/bin/bash\necho "{name} $*" >> {log}\n')
        tool.chmod(0o755)
    for name in ("dirname", "bash"):
        (folder / name).symlink_to(shutil.which(name))
    return str(folder)


@pytest.mark.parametrize(
    ("assignment", "expected"),
    [
        ("selfcheck", ["-m pip install {source}/dlgrade[uid]\n"]),
        (
            "mnist_torch",
            [
                "-m pip install torch --index-url https://download.pytorch.org/whl/cpu",
                "-m pip install {source}/dlgrade[projects,uid]",
                "-m graders.cli data mnist --download --data {source}/mnist",
            ],
        ),
    ],
)
def test_setup_installs_the_sandboxes_and_this_dlgrade(
    tmp_path: Path, assignment: str, expected: list[str]
) -> None:
    root = autograder(tmp_path, build(load_spec(assignment), tmp_path / "a.zip"))
    source = root / "source"
    log = tmp_path / "calls.log"
    path = stub_tools(tmp_path / "bin", log)
    done = subprocess.run(
        ["/bin/bash", str(source / "setup.sh")],
        env={"PATH": path},
        capture_output=True,
        text=True,
        timeout=30,
    )
    assert done.returncode == 0, done.stderr
    calls = log.read_text()
    assert "apt-get install -y --no-install-recommends bubblewrap libseccomp2" in calls
    assert f"python3 {source}/dlgrade/tools/open_python_for_jail.py" in calls
    assert f"python3 {source}/dlgrade/tools/make_grader_private.py {source}" in calls
    for call in expected:
        assert call.format(source=source) in calls


@needs_jail
def test_reference_uploaded_as_several_files_scores_full_marks(
    tmp_path: Path, zips, validator
) -> None:
    root = autograder(tmp_path, zips["jail"])
    reference_folder(root / "submission")
    done = run_autograder(root)
    assert done.returncode == 0, done.stderr
    results = results_of(root, validator)
    assert results["score"] == FULL
    assert [t["number"] for t in results["tests"]] == [str(n) for n in range(1, QUESTIONS + 1)]
    assert all(t["status"] == "passed" and t["score"] == t["max_score"] for t in results["tests"])
    assert "isolation: jail" in results["output"]
    assert results["execution_time"] > 0


@needs_jail
def test_template_notebook_under_any_name_scores_zero(tmp_path: Path, zips, validator) -> None:
    root = autograder(tmp_path, zips["jail"])
    shutil.copy(TEMPLATE / "selfcheck.ipynb", root / "submission" / "Homework 3 (final).ipynb")
    done = run_autograder(root)
    assert done.returncode == 0, done.stderr
    results = results_of(root, validator)
    assert results["score"] == 0
    assert all(t["status"] == "failed" for t in results["tests"])
    # The public feedback is in the summary students see at once; the total is not.
    assert "Hint: np.exp overflows" in results["output"]
    assert f"0 / {FULL}" not in results["output"]
    assert {t["visibility"] for t in results["tests"]} == {"after_published"}


@pytest.mark.parametrize(
    ("files", "said"),
    [
        ({"selfcheck.py": "def relu(z):\n    return z +\n"}, "selfcheck.py line 2"),
        ({}, "no .py or .ipynb file was uploaded"),
        ({"a.py": "x = 1\n", "b.py": "y = 2\n"}, "several files could be your work (a.py, b.py)"),
        ({"selfcheck.ipynb": "{not json"}, "invalid JSON"),
    ],
    ids=["syntax-error", "nothing-uploaded", "ambiguous", "broken-notebook"],
)
def test_broken_upload_scores_zero_and_says_why(
    tmp_path: Path, zips, validator, files: dict[str, str], said: str
) -> None:
    root = autograder(tmp_path, zips["jail"])
    for name, text in files.items():
        (root / "submission" / name).write_text(text)
    done = run_autograder(root, path="/usr/bin:/bin")
    assert done.returncode == 0, done.stderr
    results = results_of(root, validator)
    assert results["score"] == 0
    assert said in results["output"]
    assert len(results["tests"]) == QUESTIONS


@needs_jail
def test_student_code_cannot_write_the_results_or_read_the_grader(
    tmp_path: Path, zips, validator
) -> None:
    root = autograder(tmp_path, zips["jail"])
    target = root / "results" / "results.json"
    answers = root / "source" / "dlgrade" / "reference" / "answers.py"
    reference_folder(
        root / "submission",
        f"""
        import os
        STOLEN = []
        for attempt in ({str(target)!r}, "/autograder/results/results.json"):
            try:
                with open(attempt, "w") as forged:
                    forged.write({FAKE_RESULTS!r})
            except OSError as error:
                STOLEN.append(type(error).__name__)
        try:
            STOLEN.append(open({str(answers)!r}).read())
        except OSError as error:
            STOLEN.append(type(error).__name__)
        STOLEN.append(os.environ.get("SECRET_TOKEN", "no secret"))
        print(STOLEN)
        """,
    )
    done = run_autograder(root)
    assert done.returncode == 0, done.stderr
    results = results_of(root, validator)
    assert results["score"] == FULL  # honest points kept, nothing gained
    assert target.read_text() != FAKE_RESULTS
    assert "do-not-leak-4d9a" not in target.read_text()
    assert "Q4_ANSWER" not in target.read_text()


def test_without_the_jail_and_the_uid_level_it_refuses_unless_built_to_allow_it(
    tmp_path: Path, zips, validator, open_folder: Path
) -> None:
    root = autograder(tmp_path, zips["jail"])
    reference_folder(root / "submission")
    done = run_autograder(root, path="/nonexistent", private=open_folder)  # no bwrap on PATH
    assert done.returncode == 1
    assert "no sandbox that confines student code" in done.stderr
    assert "bubblewrap is not installed" in done.stderr
    if sys.platform == "linux" and os.geteuid() == 0:  # the uid level found the open folder
        assert f" {open_folder}, which must be closed to it" in done.stderr
    assert "--allow-process" in done.stderr
    # The student is told the autograder failed, and no score is recorded (not even 0).
    results = results_of(root, validator)
    assert "score" not in results
    assert results["tests"] == []
    assert "The autograder failed on this submission" in results["output"]
    assert "contact the course staff" in results["output"]


def test_allow_process_build_grades_without_the_jail_and_says_so(
    tmp_path: Path, zips, validator, open_folder: Path
) -> None:
    root = autograder(tmp_path, zips["process"])
    reference_folder(root / "submission")
    done = run_autograder(root, path="/nonexistent", private=open_folder)
    assert done.returncode == 0, done.stderr
    results = results_of(root, validator)
    assert results["score"] == FULL
    assert "isolation: process" in results["output"]


@pytest.mark.parametrize(
    ("layout", "expected"),
    [
        (["selfcheck.py", "helpers.py"], "."),
        (["work/selfcheck.ipynb", "notes.py", "work/old/selfcheck.py"], "work"),
        (["anything.ipynb"], "anything.ipynb"),
        (["__MACOSX/._selfcheck.py", ".ipynb_checkpoints/x.ipynb", "mine.py"], "mine.py"),
    ],
)
def test_find_submission_picks_the_students_file(
    tmp_path: Path, layout: list[str], expected: str
) -> None:
    for name in layout:
        (tmp_path / name).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / name).write_text("x = 1\n")
    found = find_submission(tmp_path, "selfcheck")
    assert found == (tmp_path / expected).resolve() or found == tmp_path / expected


def test_find_submission_refuses_to_guess(tmp_path: Path) -> None:
    (tmp_path / "a.py").write_text("")
    (tmp_path / "b.ipynb").write_text("")
    with pytest.raises(SubmissionError, match=r"name yours selfcheck\.py or selfcheck\.ipynb"):
        find_submission(tmp_path, "selfcheck")


def test_a_reference_that_loses_points_grades_no_upload(tmp_path: Path, validator) -> None:
    from graders.platforms import gradescope

    assignment = scaffold(tmp_path / "week3")
    root = tmp_path / "autograder"
    shutil.copytree(load_spec(assignment).reference_submission, root / "submission")
    lost = break_reference(assignment)  # as a broken grading environment would
    args = ["--root", str(root), "--assignment", str(assignment)]
    assert gradescope.main([*args, *(() if jail_works() else ("--allow-process",))]) == 1
    results = results_of(root, validator)
    assert "score" not in results  # not graded: no score, not even 0
    assert (
        "The autograder failed on this submission, through no fault of your code"
        in (results["output"])
    )
    assert lost in results["output"]


@pytest.mark.parametrize("where", ["raises", "faulted-report"])
def test_a_fault_of_ours_still_writes_results_that_say_so(
    tmp_path: Path, monkeypatch, validator, where: str
) -> None:
    import graders.grading as grading
    from graders.platforms import gradescope

    if where == "raises":

        def broken(*args, **kwargs):
            raise RuntimeError("the disk is full")

        monkeypatch.setattr(gradescope, "grade_upload", broken)
    else:

        def faulty(submission, spec, **options):
            return grading.faulted(submission.path, spec, "the disk is full")

        monkeypatch.setattr(grading, "grade", faulty)
    root = tmp_path / "autograder"
    reference_folder(root / "submission")
    args = ["--root", str(root), "--assignment", "selfcheck"]
    assert gradescope.main([*args, *(() if jail_works() else ("--allow-process",))]) == 1
    results = results_of(root, validator)
    assert "score" not in results  # not graded: no score, not even 0
    assert "The autograder failed on this submission" in results["output"]
    assert "the disk is full" in results["output"]


def test_project_upload_gets_a_leaderboard_and_pictures(tmp_path: Path, validator) -> None:
    from graders.platforms import gradescope

    root = tmp_path / "autograder"
    (root / "submission").mkdir(parents=True)
    shutil.copy(ROOT / "assignments/moons/reference/moons.py", root / "submission" / "mine.py")
    args = ["--root", str(root), "--assignment", "moons"]
    assert gradescope.main([*args, *(() if jail_works() else ("--allow-process",))]) == 0
    results = results_of(root, validator)
    assert results["score"] == 1.0
    assert [entry["name"] for entry in results["leaderboard"]] == [
        "Test accuracy",
        "Training CPU seconds",
    ]
    assert results["leaderboard"][0]["value"] >= 0.92
    assert results["output_format"] == "html"
    assert results["output"].count('<img src="data:image/png;base64,') == 3

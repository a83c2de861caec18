"""PrairieLearn end to end: build a course's question, grader and image folder; run the entry
point in a fake /grade as PrairieLearn's grader host does; validate results.json against the
schema written from PrairieLearn's documented format."""

from __future__ import annotations

import base64
import copy
import json
import os
import re
import shutil
import stat
import subprocess
import sys
from pathlib import Path

import pytest

from graders.platforms import BuildError
from graders.platforms.prairielearn import (
    MAX_TIMEOUT,
    RESULTS_LIMIT,
    _within_limit,
    build,
    main,
    prairielearn_results,
    self_test_command,
    timeout,
)
from graders.spec import load_spec
from graders.verdict import Report
from tests.conftest import ROOT, TEMPLATE, break_reference, reference_folder, scaffold
from tests.graders.platforms.test_gradescope import jail_works, needs_jail

SCHEMA = ROOT / "tests" / "fixtures" / "prairielearn_results.schema.json"
FIXTURES = ROOT / "tests" / "fixtures"
FAKE_RESULTS = '{"score": 1.0, "gradable": true}'
SECRET = "SECRET-hidden-counterexample-z=[2739.2337]"
# The keys PrairieLearn's info.json schema allows (apps/prairielearn/src/schemas/infoQuestion.ts).
INFO_KEYS = {
    "comment", "uuid", "type", "title", "topic", "tags", "authors", "clientFiles",
    "clientTemplates", "template", "gradingMethod", "singleVariant", "showCorrectAnswer",
    "partialCredit", "options", "externalGradingOptions", "dependencies", "workspaceOptions",
    "sharingSets", "sharePublicly", "shareSourcePublicly", "preferences",
}  # fmt: skip
GRADING_KEYS = {
    "comment", "enabled", "image", "entrypoint", "serverFilesCourse", "timeout",
    "enableNetworking", "environment",
}  # fmt: skip
UUID = re.compile(r"^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$")


@pytest.fixture(scope="module")
def validator():
    jsonschema = pytest.importorskip("jsonschema")
    schema = json.loads(SCHEMA.read_text())
    jsonschema.Draft202012Validator.check_schema(schema)
    return jsonschema.Draft202012Validator(schema)


@pytest.fixture(scope="module")
def courses(tmp_path_factory) -> dict[str, Path]:
    """Course folders as `dlgrade build prairielearn` leaves them."""
    folder = tmp_path_factory.mktemp("courses")
    return {
        "jail": build(load_spec("selfcheck"), folder / "course"),
        "process": build(load_spec("selfcheck"), folder / "trusted", allow_process=True),
        "moons": build(load_spec("moons"), folder / "moons", allow_process=not jail_works()),
    }


def grading_job(tmp_path: Path, course: Path) -> Path:
    """A fake /grade as the grader host lays it out: serverFilesCourse, student, data."""
    root = tmp_path / "grade"
    shutil.copytree(course / "serverFilesCourse", root / "serverFilesCourse")
    for name in ("student", "data"):
        (root / name).mkdir()
    return root


def run_job(
    root: Path, assignment: str = "selfcheck", path: str | None = None, python: str = ""
) -> subprocess.CompletedProcess:
    """The entry point as PrairieLearn starts it (as root, in the container)."""
    env = {
        "DLGRADE_PRAIRIELEARN_ROOT": str(root),
        "PYTHON": python or sys.executable,
        "PATH": os.environ["PATH"] if path is None else path,
        "SECRET_TOKEN": "do-not-leak-4d9a",
    }
    script = root / "serverFilesCourse" / "dlgrade" / f"run_{assignment}.sh"
    return subprocess.run(
        ["/bin/bash", str(script)], cwd=root, env=env, capture_output=True, text=True, timeout=300
    )


def results_of(root: Path, validator) -> dict:
    text = (root / "results" / "results.json").read_text(encoding="utf-8")
    assert len(text.encode("utf-8")) <= RESULTS_LIMIT
    document = json.loads(text)
    assert [error.message for error in validator.iter_errors(document)] == []
    return document


# building


def test_info_json_follows_prairielearns_schema(courses) -> None:
    info = json.loads((courses["jail"] / "questions/dlgrade/selfcheck/info.json").read_text())
    assert set(info) <= INFO_KEYS
    assert UUID.match(info["uuid"])
    assert info["type"] == "v3"
    assert info["gradingMethod"] == "External"
    options = info["externalGradingOptions"]
    assert set(options) <= GRADING_KEYS
    assert options["enabled"] is True
    assert options["enableNetworking"] is False
    assert isinstance(options["timeout"], int)
    assert 0 < options["timeout"] <= MAX_TIMEOUT
    assert options["serverFilesCourse"] == ["dlgrade/"]
    # The entry point is one of the files serverFilesCourse brings into /grade.
    entry = options["entrypoint"]
    assert entry == "/grade/serverFilesCourse/dlgrade/run_selfcheck.sh"
    script = courses["jail"] / entry.removeprefix("/grade/")
    assert stat.S_IMODE(script.stat().st_mode) == 0o755
    assert "--allow-process" not in script.read_text()
    assert "--allow-process" in (courses["process"] / entry.removeprefix("/grade/")).read_text()


def test_question_page_takes_a_file_or_a_notebook_and_shows_the_results(courses) -> None:
    page = (courses["jail"] / "questions/dlgrade/selfcheck/question.html").read_text()
    assert '<pl-file-upload optional-file-names="selfcheck.py, selfcheck.ipynb"' in page
    assert "<pl-external-grader-results></pl-external-grader-results>" in page


def test_server_files_hold_the_grader_and_only_this_assignment(courses) -> None:
    server = courses["jail"] / "serverFilesCourse" / "dlgrade"
    for name in ("pyproject.toml", "graders/grading.py", "reference/answers.py"):
        assert (server / name).is_file(), name
    assert (server / "assignments/selfcheck/spec.toml").is_file()
    assert sorted(p.name for p in (server / "assignments").iterdir()) == ["selfcheck"]
    assert not list(server.rglob("__pycache__"))


def test_image_holds_nothing_of_the_grader(courses) -> None:
    """The image is public: no dlgrade code, no reference, no hidden check goes into it."""
    image = courses["jail"] / "images" / "dlgrade-grader"
    assert sorted(p.name for p in image.iterdir()) == [
        "Dockerfile",
        "README.md",
        "requirements.txt",
    ]
    dockerfile = (image / "Dockerfile").read_text()
    assert re.findall(r"^(?:COPY|ADD) (\S+)", dockerfile, re.MULTILINE)[0] == "requirements.txt"
    assert all(
        source.startswith("https://")
        for source in re.findall(r"^ADD (\S+)", dockerfile, re.MULTILINE)
    )
    assert "apt-get install -y --no-install-recommends bubblewrap" in dockerfile
    assert "ENV DLGRADE_MNIST_DIR=/opt/dlgrade/mnist" in dockerfile
    assert "torch" not in dockerfile
    requirements = (image / "requirements.txt").read_text()
    assert "numpy>=1.24" in requirements
    assert "scikit-learn>=1.2" in requirements
    reference = (ROOT / "reference" / "answers.py").read_text()
    for path in image.iterdir():
        text = path.read_text()
        assert "Q4_ANSWER" not in text
        assert reference[:200] not in text


def test_torch_track_image_installs_pytorchs_cpu_build(courses) -> None:
    dockerfile = (courses["moons"] / "images/dlgrade-grader-torch/Dockerfile").read_text()
    assert '"torch>=2.1,<3" --index-url https://download.pytorch.org/whl/cpu' in dockerfile
    info = json.loads((courses["moons"] / "questions/dlgrade/moons/info.json").read_text())
    assert info["externalGradingOptions"]["image"].endswith("/dlgrade-grader-torch:0.1.0")


def test_timeout_covers_loading_and_training() -> None:
    moons = load_spec("moons")
    assert timeout(moons) >= 30 + moons.limits["load_seconds"] + moons.training["seconds"]
    assert timeout(load_spec("mnist_torch")) == MAX_TIMEOUT
    assert timeout(load_spec("selfcheck")) < 120


def test_build_refuses_what_prairielearn_cannot_run(tmp_path: Path) -> None:
    with pytest.raises(BuildError, match="600 s"):
        build(load_spec("mnist_cnn"), tmp_path / "course")
    assert not (tmp_path / "course").exists()
    (tmp_path / "file").write_text("")
    with pytest.raises(BuildError, match="a folder"):
        build(load_spec("selfcheck"), tmp_path / "file")


def test_rebuilding_keeps_the_question_and_replaces_stale_files(tmp_path: Path) -> None:
    course = build(load_spec("selfcheck"), tmp_path / "course")
    info = (course / "questions/dlgrade/selfcheck/info.json").read_text()
    stale = course / "serverFilesCourse/dlgrade/graders/removed_since.py"
    stale.write_text("x = 1\n")
    other = course / "questions/mine/info.json"  # the course's own files stay
    other.parent.mkdir(parents=True)
    other.write_text("{}")
    build(load_spec("selfcheck"), course)
    assert (course / "questions/dlgrade/selfcheck/info.json").read_text() == info
    assert not stale.exists()
    assert other.read_text() == "{}"


def test_cli_builds_with_the_courses_image(tmp_path: Path, capsys) -> None:
    from graders.cli import main as cli

    args = ["build", "prairielearn", "-a", "selfcheck", "-o", str(tmp_path / "c")]
    assert cli([*args, "--image", "ghcr.io/course/dl-grader:1"]) == 0
    info = json.loads((tmp_path / "c/questions/dlgrade/selfcheck/info.json").read_text())
    assert info["externalGradingOptions"]["image"] == "ghcr.io/course/dl-grader:1"
    readme = (tmp_path / "c/images/dlgrade-grader/README.md").read_text()
    assert "docker build --platform linux/amd64 -t ghcr.io/course/dl-grader:1 ." in readme
    zip_args = ["build", "gradescope", "-a", "selfcheck", "-o", str(tmp_path / "a.zip")]
    assert cli([*zip_args, "--image", "x"]) == 2
    assert "--image is for `dlgrade build prairielearn` only" in capsys.readouterr().err


# grading


@needs_jail
def test_reference_scores_full_marks_in_the_jail(tmp_path: Path, courses, validator) -> None:
    root = grading_job(tmp_path, courses["jail"])
    reference_folder(root / "student")
    (root / "data" / "data.json").write_text('{"params": {}, "submitted_answers": {}}')
    done = run_job(root)
    assert done.returncode == 0, done.stderr
    results = results_of(root, validator)
    assert results["gradable"] is True
    assert results["score"] == 1.0
    assert [t["points"] for t in results["tests"]] == [1.0] * 12
    assert all(t["message"] == "Passed." for t in results["tests"])
    assert "12 / 12, passed (pass mark 9)" in results["message"]
    assert "isolation: jail" in results["message"]
    assert "images" not in results  # the self-check draws nothing
    for private in ("serverFilesCourse", "data", "results"):
        assert stat.S_IMODE((root / private).stat().st_mode) & 0o077 == 0, private


@needs_jail
def test_template_notebook_scores_zero_with_public_feedback_only(
    tmp_path: Path, courses, validator
) -> None:
    root = grading_job(tmp_path, courses["jail"])
    shutil.copy(TEMPLATE / "selfcheck.ipynb", root / "student" / "Homework 3 (final).ipynb")
    done = run_job(root)
    assert done.returncode == 0, done.stderr
    results = results_of(root, validator)
    assert results["gradable"] is True
    assert results["score"] == 0.0
    q3 = next(t for t in results["tests"] if t["name"].startswith("Q3 "))
    assert q3["points"] == 0.0
    assert q3["max_points"] == 1.0
    assert "Hint: np.exp overflows" in q3["output"]
    assert "A hidden check failed (their details are not shown)." in q3["output"]
    assert "contains nan at index" not in json.dumps(results)  # the hidden check's message


@pytest.mark.parametrize(
    ("files", "said"),
    [
        ({"selfcheck.py": "def relu(z):\n    return z +\n"}, "selfcheck.py line 2"),
        ({}, "no .py or .ipynb file"),
        ({"a.py": "x = 1\n", "b.py": "y = 2\n"}, "found a.py, b.py"),
        ({"selfcheck.ipynb": "{not json"}, "invalid JSON"),
    ],
    ids=["syntax-error", "nothing-uploaded", "ambiguous", "broken-notebook"],
)
def test_a_submission_that_cannot_run_is_not_gradable(
    tmp_path: Path, courses, validator, files: dict[str, str], said: str
) -> None:
    root = grading_job(tmp_path, courses["process"])
    for name, text in files.items():
        (root / "student" / name).write_text(text)
    done = run_job(root)
    assert done.returncode == 0, done.stderr
    results = results_of(root, validator)
    assert results["gradable"] is False  # PrairieLearn does not count the attempt
    assert "score" not in results
    assert said in results["format_errors"][0]
    assert results["message"].startswith("Not graded: ")
    assert "this attempt does not count" in results["message"]


def data_json(files: dict[str, bytes | str]) -> str:
    """data.json as PrairieLearn writes it, the files base64 in submitted_answers._files."""
    listed = [
        {
            "name": name,
            "contents": data if isinstance(data, str) else base64.b64encode(data).decode(),
        }
        for name, data in files.items()
    ]
    return json.dumps({"params": {}, "submitted_answers": {"_files": listed}, "gradable": True})


def test_files_come_from_data_json_when_student_is_empty(
    tmp_path: Path, courses, validator
) -> None:
    root = grading_job(tmp_path, courses["process"])
    source = reference_folder(tmp_path / "reference")
    files = {path.name: path.read_bytes() for path in sorted(source.iterdir())}
    (root / "data" / "data.json").write_text(data_json(files))
    done = run_job(root)
    assert done.returncode == 0, done.stderr
    results = results_of(root, validator)
    assert results["score"] == 1.0
    assert list((root / "student").iterdir()) == []


@pytest.mark.parametrize(
    ("name", "contents", "said"),
    [
        ("../escaped.py", "eA==", "a name that cannot be used: '../escaped.py'"),
        ("/tmp/absolute.py", "eA==", "a name that cannot be used"),
        ("", "eA==", "(no name)"),
        ("selfcheck.py", "not base64!", "not valid base64"),
        ("selfcheck.py", None, "has no contents"),
    ],
)
def test_malformed_files_in_data_json_are_refused(
    tmp_path: Path, courses, validator, name: str, contents: str | None, said: str
) -> None:
    root = grading_job(tmp_path, courses["process"])
    listed = [{"name": name, "contents": contents}]
    (root / "data" / "data.json").write_text(json.dumps({"submitted_answers": {"_files": listed}}))
    done = run_job(root)
    assert done.returncode == 0, done.stderr
    results = results_of(root, validator)
    assert results["gradable"] is False
    assert said in results["format_errors"][0]
    assert not (root / "escaped.py").exists()
    assert not Path("/tmp/absolute.py").exists()


def test_without_a_confining_sandbox_the_job_fails_and_is_no_grade(
    tmp_path: Path, courses, validator
) -> None:
    root = grading_job(tmp_path, courses["jail"])
    reference_folder(root / "student")
    done = run_job(root, path="/nonexistent")  # no bwrap on PATH: the jail cannot start
    assert done.returncode == 1  # PrairieLearn: a failed grading job, not counted
    assert "not graded, a fault of the grader" in done.stderr
    results = results_of(root, validator)
    assert results == {**results, "gradable": False, "succeeded": False}
    assert "score" not in results
    assert "The grader failed on this submission" in results["message"]
    assert "contact the course staff" in results["message"]


def test_when_python_cannot_start_the_entry_point_writes_the_results(
    tmp_path: Path, courses, validator
) -> None:
    root = grading_job(tmp_path, courses["process"])
    reference_folder(root / "student")
    (root / "results").mkdir()
    (root / "results" / "results.json").write_text(FAKE_RESULTS)  # left by anyone: not ours
    done = run_job(root, python="/nonexistent/python3")
    assert done.returncode == 1
    results = results_of(root, validator)
    assert results == {**results, "gradable": False, "succeeded": False}
    assert "score" not in results
    assert "the grader's Python did not run" in results["message"]


def test_a_reference_that_loses_points_grades_no_job(tmp_path: Path, validator) -> None:
    assignment = scaffold(tmp_path / "week3")
    root = tmp_path / "grade"
    shutil.copytree(load_spec(assignment).reference_submission, root / "student")
    lost = break_reference(assignment)  # as a broken grading environment would
    assert main(["--root", str(root), "--assignment", str(assignment), "--allow-process"]) == 1
    results = results_of(root, validator)
    assert "score" not in results
    assert results["gradable"] is False
    assert lost in results["message"]


@pytest.mark.parametrize("where", ["raises", "faulted-report"])
def test_a_fault_of_ours_still_writes_results_that_say_so(
    tmp_path: Path, monkeypatch, validator, where: str
) -> None:
    import graders.grading as grading

    def broken(*args, **kwargs):
        raise RuntimeError("the disk is full")

    def faulty(submission, spec, **options):
        return grading.faulted(submission.path, spec, "the disk is full")

    monkeypatch.setattr(grading, "grade", broken if where == "raises" else faulty)
    root = tmp_path / "grade"
    reference_folder(root / "student")
    assert main(["--root", str(root), "--assignment", "selfcheck", "--allow-process"]) == 1
    results = results_of(root, validator)
    assert "score" not in results
    assert results["gradable"] is False
    assert "the disk is full" in results["message"]


@needs_jail
def test_student_code_cannot_forge_results_or_read_the_grader(
    tmp_path: Path, courses, validator
) -> None:
    root = grading_job(tmp_path, courses["jail"])
    target = root / "results" / "results.json"
    answers = root / "serverFilesCourse" / "dlgrade" / "reference" / "answers.py"
    reference_folder(
        root / "student",
        f"""
        import os
        STOLEN = []
        for attempt in ({str(target)!r}, "/grade/results/results.json"):
            try:
                os.makedirs(os.path.dirname(attempt), exist_ok=True)
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
    done = run_job(root)
    assert done.returncode == 0, done.stderr
    results = results_of(root, validator)
    assert results["score"] == 1.0  # honest points kept, nothing gained
    text = target.read_text()
    assert text != FAKE_RESULTS
    assert "do-not-leak-4d9a" not in text
    assert "Q4_ANSWER" not in text


def test_moons_job_shows_accuracy_and_pictures(tmp_path: Path, courses, validator) -> None:
    root = grading_job(tmp_path, courses["moons"])
    shutil.copy(ROOT / "assignments/moons/reference/moons.py", root / "student" / "moons.py")
    done = run_job(root, "moons")
    assert done.returncode == 0, done.stderr
    results = results_of(root, validator)
    assert results["score"] == 1.0
    assert re.search(r"Test accuracy 9\d\.\d\d% \(threshold 92\.0%\)", results["message"])
    labels = [image["label"] for image in results["images"]]
    assert labels == ["Training loss", "Confusion matrix", "Decision boundary"]
    for image in results["images"]:
        png = base64.b64decode(image["url"].removeprefix("data:image/png;base64,"))
        assert png.startswith(b"\x89PNG\r\n\x1a\n")


# the results document


def test_results_of_a_project_report(moons_report: Report, validator) -> None:
    results = prairielearn_results(moons_report)
    assert [e.message for e in validator.iter_errors(results)] == []
    assert results["score"] == 1.0
    assert [image["label"] for image in results["images"]] == [
        "Training loss",
        "Confusion matrix",
        "Decision boundary",
    ]
    assert "training used" in results["message"]


def test_hidden_details_are_withheld(validator) -> None:
    data = json.loads((FIXTURES / "report_reference.json").read_text())
    q3 = next(q for q in data["questions"] if q["id"] == "q3")
    hidden = next(c for c in q3["checks"] if c["visibility"] == "hidden")
    hidden.update(status="failed", message=f"disagrees ({SECRET})", counterexample=SECRET)
    q3.update(score=0.0, passed=False)
    data["output"] = f"printed {SECRET}"
    results = prairielearn_results(Report.from_dict(data))
    assert [e.message for e in validator.iter_errors(results)] == []
    assert SECRET not in json.dumps(results)
    test = next(t for t in results["tests"] if t["name"].startswith("Q3 "))
    assert test["message"] == "Failed a hidden check."
    assert test["output"] == "A hidden check failed (their details are not shown)."
    assert results["score"] == pytest.approx(11 / 12, abs=1e-6)
    assert "What your code printed is not shown: hidden checks ran on it." in results["output"]
    assert "images" not in results


def test_results_stay_under_prairielearns_limit() -> None:
    image = {"label": "big", "url": "data:image/png;base64," + "A" * 700_000}
    results = {"score": 1.0, "output": "é" * 300_000, "images": [image], "tests": []}
    fitted = _within_limit(copy.deepcopy(results))
    assert "images" not in fitted
    assert len(json.dumps(fitted, indent=2).encode()) + 1 <= RESULTS_LIMIT
    assert fitted["output"].endswith("[... the rest was cut]")
    small = {
        "score": 1.0,
        "output": "ok",
        "images": [{"label": "a", "url": "data:image/png;base64,"}],
    }
    assert _within_limit(copy.deepcopy(small)) == small


def test_schema_rejects_what_prairielearn_would_not_take(validator) -> None:
    assert not validator.is_valid({"score": 1.5})
    assert not validator.is_valid({"gradable": True, "message": "no score"})
    assert not validator.is_valid({"score": 1, "tests": [{"name": "no points"}]})
    assert not validator.is_valid({"score": 1, "images": [{"label": "x", "url": "http://x/y.png"}]})
    assert not validator.is_valid({"score": 1, "scroe": 1})
    assert validator.is_valid({"gradable": False, "format_errors": "bad"})


def test_the_images_self_test_grades_the_reference_from_the_server_files(courses) -> None:
    # What the image's README tells the instructor to run in the container, minus Docker.
    server = courses["process"] / "serverFilesCourse" / "dlgrade"
    readme = next((courses["process"] / "images").glob("*/README.md")).read_text()
    command = self_test_command(load_spec("selfcheck"))
    assert command in readme
    arguments = [sys.executable, *command.split()[1:], "--isolation", "process"]
    done = subprocess.run(arguments, cwd=server, capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stdout + done.stderr
    assert "the reference of selfcheck scored" in done.stdout

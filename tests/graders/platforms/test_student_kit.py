"""The student kit: built, scanned for anything hidden, and used the way a student would."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from graders.authoring import kit_leaks, mistake_lines, reference_lines
from graders.cli import main
from graders.platforms import BuildError
from graders.platforms.student_kit import build, public_spec
from graders.spec import load_spec
from graders.specfile import read_raw
from graders.submission import SubmissionError
from tests.conftest import TEMPLATE, reference_folder

SPEC = load_spec("selfcheck")


@pytest.fixture(scope="module")
def kit(tmp_path_factory) -> Path:
    return build(load_spec("selfcheck"), tmp_path_factory.mktemp("kits") / "selfcheck-kit")


def kit_texts(kit: Path) -> dict[Path, str]:
    """Every file of the kit as text; the one binary file is the reference's outcomes on the
    diagnostic inputs (numbers only), read by the wire format's strict parser."""
    return {
        path: path.read_text(encoding="utf-8")
        for path in kit.rglob("*")
        if path.is_file() and "__pycache__" not in path.parts and path.name != "diagnostic.bin"
    }


def test_kit_holds_the_template_the_public_checks_and_the_cli(kit: Path) -> None:
    names = {path.relative_to(kit).as_posix() for path in kit_texts(kit)}
    for expected in (
        "selfcheck.py",
        "selfcheck.ipynb",
        "test_selfcheck.py",
        "README.md",
        "pyproject.toml",
        "assignments/selfcheck/spec.json",
        "assignments/selfcheck/README.md",
        "assignments/selfcheck/contracts.py",
        "graders/cli.py",
        "graders/checks/derive.py",
        "graders/sandbox/child.py",
        "graders/platforms/otter.py",
    ):
        assert expected in names
    assert (kit / "selfcheck.py").read_text() == (TEMPLATE / "selfcheck.py").read_text()
    assert (kit / "assignments" / "selfcheck" / "diagnostic.bin").is_file()


def test_kit_has_no_reference_no_hidden_check_and_no_instructor_tools(kit: Path) -> None:
    names = {path.relative_to(kit).as_posix() for path in kit_texts(kit)}
    forbidden_parts = (
        "reference/",
        "assignments/selfcheck/hidden.py",
        "graders/batch/",
        "graders/platforms/gradescope.py",
        "graders/platforms/student_kit.py",
    )
    for forbidden in forbidden_parts:
        assert not [name for name in names if name.startswith(forbidden)]
    hidden = {
        check.name
        for question in load_spec("selfcheck").questions
        for check in question.checks
        if check.visibility == "hidden"
    }
    for path, text in kit_texts(kit).items():
        for name in hidden:
            assert name not in text, f"{path} names the hidden check {name}"
        assert "from reference" not in text
        assert "import reference" not in text


def test_kit_contains_no_line_of_the_reference_or_of_a_mistake(kit: Path) -> None:
    assert reference_lines(SPEC)  # the scan looks for something
    assert mistake_lines(SPEC)
    assert kit_leaks(SPEC, kit) == []
    contracts = (kit / "assignments" / "selfcheck" / "contracts.py").read_text()
    softmax = SPEC.functions["softmax"]
    assert softmax.mistake("softmax_assumes_2d").code.strip() not in contracts
    assert "written for a 2-D batch only (axis=1)" in contracts  # named, without its code


def test_kit_spec_keeps_options_and_drops_known_wrong_answers(kit: Path) -> None:
    raw = json.loads((kit / "assignments" / "selfcheck" / "spec.json").read_text())
    assert raw["student_kit"] is True
    assert raw["answers"]["Q4_ANSWER"] == {"kind": "letter", "options": "ABCD"}
    assert all("wrong" not in key for key in raw["answers"].values())
    assert "q4_sigmoid_is_softmax" not in json.dumps(raw)
    assert "reference" not in raw
    contracts = (kit / "assignments" / "selfcheck" / "contracts.py").read_text()
    assert "softmax_no_max_shift" in contracts  # mistakes in code stay named


def test_public_spec_drops_hidden_checks_and_wrong_answers(tmp_path: Path) -> None:
    folder = tmp_path / "x"
    (folder / "reference").mkdir(parents=True)
    (folder / "reference" / "x.py").write_text("A = 'B'\n")
    (folder / "hidden.py").write_text('def check_secret(student):\n    """a secret"""\n')
    (folder / "contracts.py").write_text('def check_open(student):\n    """in the open"""\n')
    (folder / "spec.toml").write_text(
        'name = "x"\ntitle = "X"\nentry = "x"\npass_mark = 1\n'
        '[[questions]]\nid = "q1"\ntitle = "Q"\nanswers = ["A"]\n'
        'checks = ["check_open", "check_secret"]\n'
        '[answers.A]\nkind = "letter"\noptions = "AB"\n'
        'wrong = [{ value = "A", id = "m1", name = "n", hint = "h" }]\n'
    )
    raw, _ = read_raw(folder)
    public = public_spec(raw, load_spec(folder))
    assert public["questions"][0]["checks"] == ["check_open"]
    assert public["answers"] == {"A": {"kind": "letter", "options": "AB"}}
    assert raw["questions"][0]["checks"] == ["check_open", "check_secret"]  # input untouched


def run_in_kit(kit: Path, *argv: str, env: dict | None = None) -> subprocess.CompletedProcess:
    """Run the kit's own CLI from its folder, and prove nothing hidden was imported."""
    script = (
        "import sys; from graders.cli import main; code = main(sys.argv[1:]); "
        "import graders; "
        "leaks = [m for m in sys.modules if m == 'reference' or m.startswith(('reference.', "
        "'dlgrade_assignment_reference'))]; "
        # Every module of the grader it ran must be the kit's own copy, none from elsewhere.
        "import os; kit = os.path.dirname(graders.__file__); "
        "leaks += [m for m, module in list(sys.modules.items()) if m.startswith('graders.') "
        "and not (getattr(module, '__file__', None) or kit).startswith(kit)]; "
        "print('LEAKS', leaks, graders.__file__); sys.exit(code)"
    )
    return subprocess.run(
        [sys.executable, "-c", script, *argv],
        cwd=kit,
        env={**os.environ, "COLUMNS": "200", **(env or {})},
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_kit_checks_offline_in_student_mode(kit: Path, tmp_path: Path) -> None:
    reference = reference_folder(tmp_path / "work")
    done = run_in_kit(kit, "check", str(reference))
    assert done.returncode == 0, done.stderr
    assert "Public checks only: hidden checks also run when your work is graded." in done.stdout
    # The answers are judged only by hidden checks: never shown as passed, not counted here.
    assert "format OK, graded at submission" in done.stdout
    assert "Score 6/12 UNDECIDED" in done.stdout
    assert "6 point(s) could not be checked here" in done.stdout
    assert f"LEAKS [] {kit / 'graders' / '__init__.py'}" in done.stdout
    template = run_in_kit(kit, "check", "selfcheck.py", "--format", "json")
    assert template.returncode == 1
    report = json.loads(template.stdout[: template.stdout.rindex("LEAKS")])
    assert report["mode"] == "student"
    assert report["score"] == 0
    checks = [c for q in report["questions"] for c in q["checks"]]
    assert {c["visibility"] for c in checks} == {"public"}


def test_kit_refuses_instructor_commands(kit: Path) -> None:
    done = run_in_kit(kit, "grade", "submissions", "-a", "selfcheck")
    assert done.returncode == 2
    assert "not part of the student kit" in done.stderr


def run_pytest(kit: Path, submission: Path) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", "test_selfcheck.py"],
        cwd=kit,
        env={**os.environ, "DLGRADE_SUBMISSION": str(submission)},
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_kit_pytest_file_passes_the_reference(kit: Path, tmp_path: Path) -> None:
    done = run_pytest(kit, reference_folder(tmp_path / "work"))
    assert done.returncode == 0, done.stdout
    assert "6 passed, 6 skipped" in done.stdout


def test_kit_pytest_file_fails_with_the_reports_messages(kit: Path) -> None:
    done = run_pytest(kit, kit / "selfcheck.py")
    assert done.returncode == 1
    assert "12 failed" in done.stdout
    assert "test_question[q3-softmax]" in done.stdout
    assert "this looks like: softmax without subtracting the row max (overflow)" in done.stdout
    assert "Hint: np.exp overflows above about 709" in done.stdout
    assert "hidden checks also run when you submit" in done.stdout


def test_kit_pytest_grades_the_one_file_kept_and_never_guesses(kit: Path, tmp_path: Path) -> None:
    from graders.pytest_support import grade_public, submission_in

    for name in ("selfcheck.py", "selfcheck.ipynb", "test_selfcheck.py"):
        shutil.copy(kit / name, tmp_path / name)
    with pytest.raises(SubmissionError, match=r"both selfcheck\.py and selfcheck\.ipynb"):
        submission_in(tmp_path, "selfcheck")
    report = grade_public("selfcheck", tmp_path)  # every test then says why, in words
    assert "both selfcheck.py and selfcheck.ipynb" in report.load_error
    (tmp_path / "selfcheck.py").unlink()
    assert submission_in(tmp_path, "selfcheck") == tmp_path / "selfcheck.ipynb"
    (tmp_path / "selfcheck.ipynb").unlink()  # the kit's own test file is never graded
    with pytest.raises(SubmissionError, match=r"expected selfcheck\.py or selfcheck\.ipynb"):
        submission_in(tmp_path, "selfcheck")


def test_project_kit_lists_its_extra_dependencies(tmp_path: Path) -> None:
    kit = build(load_spec("digits"), tmp_path / "digits-kit")
    assert (kit / "digits.py").is_file()
    assert (kit / "digits.ipynb").is_file()
    assert "scikit-learn" in (kit / "pyproject.toml").read_text()
    raw, _ = read_raw(kit / "assignments" / "digits")
    assert raw["student_kit"] is True


def test_build_refuses_a_folder_in_use(tmp_path: Path) -> None:
    (tmp_path / "kit").mkdir()
    (tmp_path / "kit" / "notes.txt").write_text("mine")
    with pytest.raises(BuildError, match="not an empty folder"):
        build(load_spec("selfcheck"), tmp_path / "kit")


def test_cli_builds_a_kit(tmp_path: Path, capsys) -> None:
    assert main(["build", "student-kit", "-a", "selfcheck", "-o", str(tmp_path / "k")]) == 0
    assert f"wrote {tmp_path / 'k'}" in capsys.readouterr().out
    assert (tmp_path / "k" / "assignments" / "selfcheck" / "spec.json").is_file()
    assert main(["build", "student-kit", "-a", "nope", "-o", str(tmp_path / "k2")]) == 2
    assert "no assignment named 'nope'" in capsys.readouterr().err
    assert not (tmp_path / "k2").exists()

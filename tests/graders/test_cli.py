"""The `dlgrade check` command: exit codes, one-line usage errors, JSON output."""

from __future__ import annotations

import json
import signal
import subprocess
import sys
from pathlib import Path

import pytest

from tests.conftest import FULL, QUESTIONS, REFERENCE, TEMPLATE


def dlgrade(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "graders.cli", *args], capture_output=True, text=True, timeout=120
    )


def test_reference_passes_with_exit_0():
    result = dlgrade("check", str(REFERENCE))
    assert result.returncode == 0, result.stderr
    assert f"{FULL:g}/{FULL:g}" in result.stdout
    assert "PASS" in result.stdout


def test_template_fails_with_exit_1():
    result = dlgrade("check", str(TEMPLATE / "selfcheck.py"))
    assert result.returncode == 1
    assert f"0/{FULL:g}" in result.stdout
    assert "FAIL" in result.stdout


def test_json_report_has_the_documented_fields():
    result = dlgrade("check", str(REFERENCE), "--format", "json")
    report = json.loads(result.stdout)
    assert {"score", "max_score", "passed", "isolation", "questions"} <= set(report)
    assert (report["score"], report["max_score"], report["passed"]) == (FULL, FULL, True)
    first = report["questions"][0]
    assert {"id", "title", "score", "max_score", "checks"} <= set(first)
    assert {"name", "status", "message"} <= set(first["checks"][0])


def test_missing_path_is_a_one_line_usage_error(tmp_path):
    result = dlgrade("check", str(tmp_path / "nope.py"))
    assert result.returncode == 2
    assert result.stderr.strip().count("\n") == 0
    assert "no such file" in result.stderr
    assert "Traceback" not in result.stderr


def test_not_python_is_a_usage_error(tmp_path):
    path = tmp_path / "selfcheck.txt"
    path.write_text("hello")
    result = dlgrade("check", str(path))
    assert result.returncode == 2
    assert "not a Python file" in result.stderr


def test_syntax_error_is_a_one_line_usage_error(tmp_path):
    path = tmp_path / "selfcheck.py"
    path.write_text("def relu(z)\n    return z\n")
    result = dlgrade("check", str(path))
    assert result.returncode == 2
    assert "selfcheck.py line 1" in result.stderr
    assert "Traceback" not in result.stderr
    assert result.stderr.strip().count("\n") == 0


def test_syntax_error_in_json_mode_still_prints_a_complete_report(tmp_path):
    path = tmp_path / "selfcheck.py"
    path.write_text("def relu(z)\n")
    result = dlgrade("check", str(path), "--format", "json")
    report = json.loads(result.stdout)
    assert result.returncode == 2
    assert report["score"] == 0
    assert len(report["questions"]) == QUESTIONS


def test_unknown_assignment_is_a_usage_error():
    result = dlgrade("check", str(REFERENCE), "--assignment", "nonesuch")
    assert result.returncode == 2
    assert "no assignment named" in result.stderr


def test_student_mode_says_hidden_checks_run_later():
    result = dlgrade("check", str(REFERENCE), "--student")
    assert result.returncode == 0
    assert "hidden checks also run" in result.stdout


def test_console_script_is_installed():
    exe = Path(sys.executable).parent / "dlgrade"
    assert exe.exists()


@pytest.mark.parametrize(("path", "status"), [(REFERENCE, 0), (TEMPLATE / "selfcheck.py", 1)])
def test_the_console_script_ends_a_check_with_its_status_and_whole_report(path, status):
    """After a check the command ends without tearing the interpreter down: its output is
    all there, flushed, and its exit status is the check's."""
    exe = Path(sys.executable).parent / "dlgrade"
    result = subprocess.run(
        [str(exe), "check", str(path), "-f", "json"], capture_output=True, text=True, timeout=120
    )
    assert result.returncode == status, result.stderr
    assert len(json.loads(result.stdout)["questions"]) == QUESTIONS


def test_a_fault_of_ours_while_reading_still_prints_a_complete_report(monkeypatch, capsys):
    import graders.submission
    from graders.cli import main

    def broken(path, entry):
        raise RuntimeError("the parser could not start")

    monkeypatch.setattr(graders.submission, "load_submission", broken)
    assert main(["check", str(REFERENCE), "--format", "json"]) == 2
    out, err = capsys.readouterr()
    report = json.loads(out)
    assert (report["graded"], report["score"], len(report["questions"])) == (False, 0, QUESTIONS)
    assert "RuntimeError: the parser could not start" in report["fault"]
    assert "not graded, a fault of ours" in err


def test_html_says_where_it_wrote(tmp_path):
    page = tmp_path / "report.html"
    result = dlgrade("check", str(REFERENCE), "--html", str(page))
    assert result.returncode == 0, result.stderr
    assert f"dlgrade: wrote the HTML report to {page}\n" in result.stderr
    assert "figures" not in result.stderr  # the self-check draws none
    assert "<!DOCTYPE html>" in page.read_text(encoding="utf-8")
    assert "PASS" in result.stdout  # the report itself still goes to stdout


def test_html_that_cannot_be_written_is_a_usage_error(tmp_path):
    result = dlgrade("check", str(REFERENCE), "--html", str(tmp_path / "no" / "such" / "r.html"))
    assert result.returncode == 2
    assert "could not write the HTML report" in result.stderr
    assert "Traceback" not in result.stderr


def test_write_html_puts_the_figures_beside_the_page(tmp_path):
    pytest.importorskip("matplotlib")
    from graders.cli import write_html
    from tests.graders.render.test_html import figures, report

    folder = write_html(report(figures=figures()), tmp_path / "digits.html")
    assert folder == tmp_path / "digits_figures"
    assert sorted(p.name for p in folder.iterdir()) == [
        "confusion.png",
        "loss_curve.png",
        "misclassified.png",
    ]
    assert write_html(report(), tmp_path / "plain.html") is None


def test_a_reader_that_went_away_gets_no_traceback():
    """`dlgrade check x | true`: the reader left before the report was written, which is not
    a fault to report; the command ends quietly, as a pipeline's writer does (128 + SIGPIPE)."""
    check = subprocess.Popen(
        [sys.executable, "-m", "graders.cli", "check", str(REFERENCE), "-f", "json"],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
    )
    check.stdout.close()  # long before the grading ends and the report is printed
    said = check.stderr.read().decode()
    assert check.wait(timeout=120) == 128 + signal.SIGPIPE, said
    assert "Traceback" not in said

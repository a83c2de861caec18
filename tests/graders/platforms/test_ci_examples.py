"""The CI examples in docs/ run commands that exist, on questions that exist."""

from __future__ import annotations

import shlex
import subprocess
import sys
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest

from graders.cli import main, parser
from graders.platforms import classroom
from graders.platforms.student_kit import build
from graders.spec import load_spec
from tests.conftest import ROOT, TEMPLATE

yaml = pytest.importorskip("yaml")
EXAMPLES = ROOT / "docs" / "examples"


def commands(workflow: Path) -> list[str]:
    steps = yaml.safe_load(workflow.read_text())["jobs"]
    found = []
    for job in steps.values():
        for step in job["steps"]:
            found += [step.get("run", ""), step.get("with", {}).get("command", "")]
    return [command for command in found if command]


def test_junit_example_uses_a_real_dlgrade_command() -> None:
    (command,) = [c for c in commands(EXAMPLES / "ci-junit.yml") if c.startswith("dlgrade")]
    argv = shlex.split(command.split(">")[0])[1:]
    args = parser().parse_args(argv)
    assert args.format == "junit"


def test_classroom_example_has_one_step_per_question_with_its_points(tmp_path: Path) -> None:
    spec = load_spec("selfcheck")
    workflow = yaml.safe_load((EXAMPLES / "classroom-selfcheck.yml").read_text())
    steps = workflow["jobs"]["autograding"]["steps"]
    graders = [s for s in steps if "command-grader" in s.get("uses", "")]
    assert [s["id"] for s in graders] == [q.id for q in spec.questions]
    # Answers judged only by hidden checks are worth nothing in Classroom: it runs the kit.
    checkable = sum(q.points for q in spec.questions if not q.answers)
    assert sum(s["with"]["max-score"] for s in graders) == checkable
    assert all(s["with"]["max-score"] == 0 for s in graders if "graded at submission" in s["name"])
    # The example is what `dlgrade build classroom` writes.
    assert (EXAMPLES / "classroom-selfcheck.yml").read_text() == classroom.workflow(spec)
    reporter = steps[-1]
    assert reporter["with"]["runners"].split(",") == [q.id for q in spec.questions]
    assert set(reporter["env"]) == {f"{q.id.upper()}_RESULTS" for q in spec.questions}
    # Each step's -k selects exactly its question in a real kit.
    kit = build(spec, tmp_path / "kit")
    command = graders[2]["with"]["command"]
    done = subprocess.run(
        [sys.executable, *shlex.split(command)[1:], "--collect-only"],
        cwd=kit,
        capture_output=True,
        text=True,
        timeout=60,
    )
    selected = [line for line in done.stdout.splitlines() if "::" in line]
    assert selected == ["test_selfcheck.py::test_question[q3-softmax]"]


def test_check_junit_output_counts_the_failures(capsys) -> None:
    assert main(["check", str(TEMPLATE / "selfcheck.py"), "--format", "junit"]) == 1
    root = ET.fromstring(capsys.readouterr().out)
    suite = root.find("testsuite")
    assert suite is not None
    assert suite.get("name") == "selfcheck.py"
    failed = int(root.get("failures")) + int(root.get("errors"))
    assert 0 < failed <= int(root.get("tests"))
    assert suite.get("failures") == root.get("failures")


def test_check_junit_for_a_syntax_error_is_still_xml(tmp_path: Path, capsys) -> None:
    broken = tmp_path / "selfcheck.py"
    broken.write_text("def relu(z:\n")
    assert main(["check", str(broken), "--format", "junit"]) == 2
    root = ET.fromstring(capsys.readouterr().out)
    assert int(root.get("errors")) == int(root.get("tests")) > 0

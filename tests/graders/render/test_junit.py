"""JUnit XML validates against the schema Jenkins reads it with (issue 16).

The schema is the xUnit plugin's `junit-10.xsd` (jenkinsci/xunit-plugin, commit 8c515de,
src/main/resources/org/jenkinsci/plugins/xunit/types/model/xsd/junit-10.xsd), kept as it is
in tests/fixtures/. Every kind of report is exported: full marks, the blank template, hostile
text, errors, a timeout, a fault of ours, and the two commands that write JUnit.
"""

from __future__ import annotations

import copy
import json
from pathlib import Path

import pytest
from lxml import etree

from graders.batch.entry import GRADED, INVALID, Entry
from graders.batch.gradebook import Gradebook
from graders.cli import main
from graders.grading import faulted
from graders.render.junit import junit_xml
from graders.spec import load_spec
from graders.verdict import Report
from tests.conftest import ROOT, TEMPLATE

FIXTURES = ROOT / "tests" / "fixtures"
SCHEMA = etree.XMLSchema(etree.parse(str(FIXTURES / "junit-10.xsd")))
HOSTILE = "bad \x00\x1b<script>alert(1)</script>&amp; \ud800 ]]> end"


def report(name: str) -> dict:
    return json.loads((FIXTURES / name).read_text())


def problems(text: str) -> list[str]:
    """The schema's complaints about a JUnit document (empty when it validates)."""
    document = etree.fromstring(text.encode("utf-8"))
    SCHEMA.validate(document)
    return [f"line {e.line}: {e.message}" for e in SCHEMA.error_log]


def hostile(template: dict) -> dict:
    changed = copy.deepcopy(template)
    for question in changed["questions"]:
        for check in question["checks"]:
            check.update(message=HOSTILE, hint=HOSTILE, counterexample=HOSTILE, title=HOSTILE)
    changed.update(submission=HOSTILE, isolation=HOSTILE, seconds=1234.5678)
    return changed


def errors_and_timeouts(reference: dict) -> dict:
    changed = copy.deepcopy(reference)
    causes = ("timeout", "raised", "crashed", "refused", "missing", "not_loaded")
    checks = [c for q in changed["questions"] for c in q["checks"]]
    for check, cause in zip(checks, causes, strict=False):
        check.update(status="failed", cause=cause, message=f"it {cause}", seconds=0.5004)
    checks[-1].update(status="error", cause="grader", message="the disk is full")
    return changed


def fault() -> dict:
    spec = load_spec("selfcheck")
    return faulted(Path("alice/selfcheck.py"), spec, "the sandbox could not start").to_dict()


@pytest.mark.parametrize(
    "reports",
    [
        pytest.param(lambda: [("alice", report("report_reference.json"))], id="reference"),
        pytest.param(lambda: [("bob", report("report_template.json"))], id="template"),
        pytest.param(lambda: [(HOSTILE, hostile(report("report_template.json")))], id="hostile"),
        pytest.param(
            lambda: [("carol", errors_and_timeouts(report("report_reference.json")))],
            id="errors-and-timeouts",
        ),
        pytest.param(lambda: [("dora", fault())], id="grader-fault"),
        pytest.param(
            lambda: [
                ("alice", report("report_reference.json")),
                ("bob", report("report_template.json")),
                ("dora", fault()),
            ],
            id="class",
        ),
        pytest.param(list, id="nobody"),
    ],
)
def test_junit_validates_against_the_jenkins_schema(reports) -> None:
    documents = [(student, Report.from_dict(report)) for student, report in reports()]
    assert problems(junit_xml(documents)) == []


def test_dlgrade_check_junit_validates(capsys, tmp_path: Path) -> None:
    broken = tmp_path / "selfcheck.py"
    broken.write_text("def relu(z:\n")
    for path, code in ((TEMPLATE / "selfcheck.py", 1), (broken, 2)):
        assert main(["check", str(path), "--format", "junit", "--isolation", "process"]) == code
        assert problems(capsys.readouterr().out) == []


def test_dlgrade_export_junit_validates(capsys, tmp_path: Path) -> None:
    db, output = tmp_path / "grades.db", tmp_path / "class.xml"
    with Gradebook(db) as book:
        book.record(Entry("alice", "selfcheck", GRADED, "", "a", report=fault()))
        template = hostile(report("report_template.json"))
        book.record(Entry("bob", "selfcheck", GRADED, "", "b", report=template))
        invalid = report("report_template.json")
        book.record(Entry("carl", "selfcheck", INVALID, "not python", "c", report=invalid))
    arguments = ["export", "-a", "selfcheck", "--db", str(db), "--format", "junit"]
    assert main([*arguments, "-o", str(output)]) == 0
    assert problems(output.read_text(encoding="utf-8")) == []

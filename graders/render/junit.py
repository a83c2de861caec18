"""JUnit XML: a <testsuite> per submission, a <testcase> per check, <failure> or <error>.

The format CI systems read (Jenkins, GitLab, GitHub Actions' test reporters), as described
at https://github.com/testmoapp/junitxml; every document validates against the schema
Jenkins reads it with (the xUnit plugin's junit-10.xsd, in tests/fixtures/). Works on report
dicts (Report.to_dict()).
"""

from __future__ import annotations

import xml.etree.ElementTree as ET
from typing import Any

from graders.render.inert import xml_text
from graders.render.plain import check_details, number


def junit_xml(reports: list[tuple[str, dict[str, Any]]]) -> str:
    """JUnit XML: a <testsuite> per student, a <testcase> per check, <failure> or <error>."""
    root = ET.Element("testsuites", name="dlgrade")
    totals = {"tests": 0, "failures": 0, "errors": 0}
    seconds = 0.0
    for student, report in reports:
        suite = _junit_suite(student, report)
        root.append(suite)
        for key in totals:
            totals[key] += int(suite.get(key, "0"))
        seconds += float(report.get("seconds", 0.0))
    for key, value in totals.items():
        root.set(key, str(value))
    # No `skipped` here: Jenkins' schema (junit-10.xsd) allows it on a <testsuite> only.
    root.set("time", f"{seconds:.3f}")
    ET.indent(root)
    body = ET.tostring(root, encoding="unicode")
    return f'<?xml version="1.0" encoding="UTF-8"?>\n{body}\n'


def _junit_suite(student: str, report: dict[str, Any]) -> ET.Element:
    """A <testsuite> for one student's report."""
    assignment = str(report["assignment"])
    suite = ET.Element("testsuite", name=xml_text(student))
    properties = ET.SubElement(suite, "properties")
    for key in ("assignment", "score", "max_score", "passed", "isolation", "submission"):
        value = _property_text(report.get(key, ""))
        ET.SubElement(properties, "property", name=key, value=xml_text(value))
    counts = {"tests": 0, "failures": 0, "errors": 0}
    for question in report["questions"]:
        for check in question["checks"]:
            suite.append(_junit_case(f"{assignment}.{question['id']}", check))
            counts["tests"] += 1
            if _tag(check) == "failure":
                counts["failures"] += 1
            elif _tag(check) == "error":
                counts["errors"] += 1
    for key, value in counts.items():
        suite.set(key, str(value))
    suite.set("skipped", "0")
    suite.set("time", f"{float(report.get('seconds', 0.0)):.3f}")
    return suite


def _property_text(value: object) -> str:
    """A report value as a JUnit property: booleans lower-case, numbers short."""
    if isinstance(value, bool):
        return str(value).lower()
    if isinstance(value, (int, float)):
        return number(value)
    return str(value)


def _tag(check: dict[str, Any]) -> str:
    """JUnit's element for a check: "failure" for a wrong answer, "error" when the code
    raised, hung or crashed (or the grader failed), "" when it passed."""
    if check["status"] == "passed":
        return ""
    if check["status"] == "failed" and check.get("cause", "wrong") == "wrong":
        return "failure"
    return "error"


def _junit_case(classname: str, check: dict[str, Any]) -> ET.Element:
    """A <testcase> for one check, with <failure> (wrong answer) or <error> (raised, timed out)."""
    case = ET.Element(
        "testcase",
        classname=xml_text(classname),
        name=xml_text(f"{check['name']}: {check['title']}"),
        time=f"{float(check.get('seconds', 0.0)):.4f}",
    )
    tag = _tag(check)
    if not tag:
        return case
    message = str(check.get("message") or check["title"]).splitlines()[0][:300]
    kind = "grader-error" if check["status"] == "error" else check.get("cause") or "failed"
    detail = ET.SubElement(case, tag, message=xml_text(message), type=kind)
    lines = check_details(check)
    if check.get("misconception_name"):
        lines.append(f"Recognised mistake: {check['misconception_name']}")
    if check.get("visibility") == "hidden":
        lines.append("(hidden check: not shown to students)")
    detail.text = xml_text("\n".join(lines))
    return case

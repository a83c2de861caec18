"""JUnit XML: a <testsuite> per submission, a <testcase> per check, <failure> or <error>.

The format CI systems read (Jenkins, GitLab, GitHub Actions' test reporters), as described
at https://github.com/testmoapp/junitxml; every document validates against the schema
Jenkins reads it with (the xUnit plugin's junit-10.xsd, in tests/fixtures/).
"""

from __future__ import annotations

import xml.etree.ElementTree as ET

from graders.render.inert import xml_text
from graders.render.plain import MESSAGE, failure_parts, number
from graders.verdict import Cause, Report, Status, Verdict


def junit_xml(reports: list[tuple[str, Report]]) -> str:
    """JUnit XML: a <testsuite> per student, a <testcase> per check, <failure> or <error>."""
    root = ET.Element("testsuites", name="dlgrade")
    totals = {"tests": 0, "failures": 0, "errors": 0}
    seconds = 0.0
    for student, report in reports:
        suite = _junit_suite(student, report)
        root.append(suite)
        for key in totals:
            totals[key] += int(suite.get(key, "0"))
        seconds += report.seconds
    for key, value in totals.items():
        root.set(key, str(value))
    # No `skipped` here: Jenkins' schema (junit-10.xsd) allows it on a <testsuite> only.
    root.set("time", f"{seconds:.3f}")
    ET.indent(root)
    body = ET.tostring(root, encoding="unicode")
    return f'<?xml version="1.0" encoding="UTF-8"?>\n{body}\n'


def _junit_suite(student: str, report: Report) -> ET.Element:
    """A <testsuite> for one student's report."""
    suite = ET.Element("testsuite", name=xml_text(student))
    properties = ET.SubElement(suite, "properties")
    for key, value in (
        ("assignment", report.assignment),
        ("score", report.score),
        ("max_score", report.max_score),
        ("passed", report.passed),
        ("isolation", report.isolation),
        ("submission", report.submission),
    ):
        ET.SubElement(properties, "property", name=key, value=xml_text(_property_text(value)))
    counts = {"tests": 0, "failures": 0, "errors": 0}
    for question in report.questions:
        for check in question.verdicts:
            suite.append(_junit_case(f"{report.assignment}.{question.id}", check))
            counts["tests"] += 1
            if _tag(check) == "failure":
                counts["failures"] += 1
            elif _tag(check) == "error":
                counts["errors"] += 1
    for key, value in counts.items():
        suite.set(key, str(value))
    suite.set("skipped", "0")
    suite.set("time", f"{report.seconds:.3f}")
    return suite


def _property_text(value: object) -> str:
    """A report value as a JUnit property: booleans lower-case, numbers short."""
    if isinstance(value, bool):
        return str(value).lower()
    if isinstance(value, (int, float)):
        return number(value)
    return str(value)


def _tag(check: Verdict) -> str:
    """JUnit's element for a check: "failure" for a wrong answer, "error" when the code
    raised, hung or crashed (or the grader failed), "" when it passed."""
    if check.passed:
        return ""
    if check.status is Status.FAILED and check.cause in (Cause.WRONG, None):
        return "failure"
    return "error"


def _junit_case(classname: str, check: Verdict) -> ET.Element:
    """A <testcase> for one check, with <failure> (wrong answer) or <error> (raised, timed out)."""
    case = ET.Element(
        "testcase",
        classname=xml_text(classname),
        name=xml_text(f"{check.check}: {check.title}"),
        time=f"{check.seconds:.4f}",
    )
    tag = _tag(check)
    if not tag:
        return case
    title, *parts = failure_parts(check)  # the title is already in the test case's name
    summary = parts[0] if parts and parts[0].kind == MESSAGE else title
    message = (summary.text.splitlines() or [""])[0][:300]
    cause = check.cause.value if check.cause else "failed"
    kind = "grader-error" if check.status is Status.ERROR else cause
    detail = ET.SubElement(case, tag, message=xml_text(message), type=kind)
    lines = [part.plain() for part in parts]
    if check.visibility == "hidden":
        lines.append("(hidden check: not shown to students)")
    detail.text = xml_text("\n".join(lines))
    return case

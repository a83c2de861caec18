"""A gradebook entry reads its stored report as a Report, once."""

from __future__ import annotations

import json
from pathlib import Path

from graders.batch.entry import ERROR, GRADED, INVALID, Entry
from graders.verdict import Report
from tests.graders.batch.conftest import why

FIXTURES = Path(__file__).resolve().parents[2] / "fixtures"
REFERENCE = json.loads((FIXTURES / "report_reference.json").read_text())


def test_the_stored_report_is_read_as_a_report_once() -> None:
    entry = Entry("ann", "selfcheck", GRADED, report=REFERENCE)
    assert isinstance(entry.result, Report)
    assert entry.result is entry.result  # parsed once, where the entry is read
    assert entry.result == Report.from_dict(REFERENCE)
    assert (entry.score, entry.max_score, entry.passed) == (12.0, 12.0, True)


def test_without_a_report_there_is_no_result_and_no_score() -> None:
    entry = Entry("bob", "selfcheck", ERROR, detail="not graded: the sandbox could not start")
    assert entry.result is None
    assert (entry.score, entry.max_score, entry.passed) == (0.0, 0.0, False)


def test_only_a_graded_entry_passes() -> None:
    assert not Entry("cy", "selfcheck", INVALID, report=REFERENCE).passed


def test_why_a_student_scored_zero_or_has_no_score(zeros: list[Entry]) -> None:
    assert {entry.student: entry.why for entry in zeros} == {e.student: why(e) for e in zeros}
    assert why(zeros[0]).startswith("did not load: NameError at line 4")  # the file's end
    assert {e.student: e.score for e in zeros if e.result} == {
        **dict.fromkeys(("nameerror", "exits", "ends", "loops", "syntax", "link", "text"), 0.0),
        "full": 12.0,
    }

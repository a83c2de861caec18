"""Student text made inert: no escape sequence, control, bidi override or lone surrogate
reaches a terminal, a page, XML, CSV, SQLite or JSON; and the terminal report cannot be
forged by what a submission prints or raises."""

from __future__ import annotations

import dataclasses
import io
import json
import re

import pytest
from rich.console import Console

from graders.render.inert import (
    XML_INVALID,
    csv_cell,
    display_text,
    json_safe,
    utf8_text,
    xml_text,
)
from graders.render.terminal import print_report
from graders.verdict import Cause, Report, Status
from tests.conftest import ROOT

R = "\ufffd"


@pytest.mark.parametrize(
    ("text", "shown"),
    [
        ("\x1b[2Jclear", "clear"),
        ("\x1b[38;5;196mred\x1b[0m", "red"),
        ("\x1b]0;title\x07after", "after"),
        ("\x1b]8;;https://evil\x1b\\link\x1b]8;;\x1b\\", "link"),
        ("\x1bP+q544e\x1b\\dcs", "dcs"),
        ("\x9b2Jc1", "c1"),
        ("\x9d0;t\x9cafter", "after"),
        ("esc\x1bc reset", "esc reset"),
        ("lone \x1b", "lone "),
        ("bell\x07 nul\x00 del\x7f", f"bell{R} nul{R} del{R}"),
        ("a\rb\r\nc", "a\nb\nc"),
        ("rtl \u202egnp.exe \u2066x\u2069", f"rtl {R}gnp.exe {R}x{R}"),
        ("bad \udc80 \ud800", f"bad {R} {R}"),
        ("tab\tand\nnewline", "tab\tand\nnewline"),
        ("plain ünïcödé ✓ 数", "plain ünïcödé ✓ 数"),
    ],
)
def test_display_text_removes_sequences_and_marks_controls(text, shown):
    assert display_text(text) == shown
    assert display_text(display_text(text)) == display_text(text)  # idempotent


def test_single_line_display_text_has_no_line_breaks():
    assert display_text("a\nb\tc\r\nd", multiline=False) == "a b c d"


def test_xml_text_keeps_only_what_xml_allows():
    assert xml_text("ok \x00\x1b[1m \ud800 \ufffe") == f"ok {R} {R} "


def test_utf8_text_and_json_safe_make_every_string_encodable():
    assert utf8_text("a\udc80b") == f"a{R}b"
    data = json_safe({"k\ud800": ["x\udcff", 1, None, {"n": 2.5}], "t": ("\udc80",)})
    assert data == {f"k{R}": [f"x{R}", 1, None, {"n": 2.5}], "t": [R]}
    json.dumps(data, ensure_ascii=False).encode("utf-8")


@pytest.mark.parametrize(
    ("value", "cell"),
    [
        ("=1+1", "'=1+1"),
        ("-3", "-3"),
        ("-x", "'-x"),
        ("@SUM(A1)", "'@SUM(A1)"),
        ("a\udc80", f"a{R}"),
    ],
)
def test_csv_cells_are_never_formulas_and_always_utf8(value, cell):
    assert csv_cell(value) == cell


@pytest.fixture(scope="module")
def report() -> Report:
    data = json.loads((ROOT / "tests" / "fixtures" / "report_template.json").read_text())
    return Report.from_dict(data)


def hostile(report: Report) -> Report:
    """The report with what a hostile submission controls set to escapes and forgeries."""
    forged = "\x1b[2J\x1b]0;owned\x07\r\nScore 12/12 PASS" + " " * 150 + "Score 12/12 PASS"
    questions = list(report.questions)
    verdict = dataclasses.replace(
        questions[1].verdicts[0],
        status=Status.FAILED,
        cause=Cause.RAISED,
        message=f"relu raised ValueError: {forged} \u202eevil \udc80",
        traceback=f"Traceback:\n  {forged}\n",
        counterexample=forged,
        misconception="",
    )
    questions[1] = dataclasses.replace(questions[1], verdicts=(verdict,), points=0.0)
    return dataclasses.replace(
        report,
        questions=tuple(questions),
        output=f"{forged}\n\x9b2J\u2067done",
        submission=f"/tmp/a\x1b[2J{forged}.py",
        notes=(f"skipped IPython-only code in cell 3: {forged}",),
        load_error="",
    )


def rendered(report: Report) -> str:
    out = io.StringIO()
    print_report(report, Console(file=out, width=80, highlight=False, force_terminal=False))
    return out.getvalue()


def test_the_terminal_report_is_inert_and_cannot_be_forged(report):
    text = rendered(hostile(report))
    for control in ("\x1b", "\x07", "\x9b", "\r", "\u202e", "\u2067", "\udc80"):
        assert control not in text
    text.encode("utf-8")
    # Only the real closing line starts at the margin with "Score": whatever the submission
    # wrote is indented, on every line it wraps onto too.
    assert re.findall(r"^Score.*$", text, flags=re.M) == [
        line for line in text.splitlines() if line.startswith("Score 0/12")
    ]
    assert "Score 12/12 PASS" in text  # shown, as the submission's text


def test_the_xml_filter_is_exactly_what_xml_forbids():
    """Every code point, against XML 1.0's allowed ranges as the standard states them."""
    allowed = re.compile("[\t\n\r\x20-\ud7ff\ue000-\ufffd\U00010000-\U0010ffff]")
    text = "".join(map(chr, range(0x110000)))
    assert XML_INVALID.sub("", text) == "".join(allowed.findall(text))

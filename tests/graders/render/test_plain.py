"""One failure formatter: what a failed check shows, decided once and used by every renderer."""

from __future__ import annotations

import importlib
import io
from dataclasses import replace

import pytest
from rich.console import Console

from graders.render.plain import (
    COUNTEREXAMPLE,
    HINT,
    MAX_PART_CHARS,
    MESSAGE,
    MISTAKES,
    TITLE,
    TRACEBACK,
    TRACEBACK_LINES,
    Part,
    failure_parts,
    failure_text,
)
from graders.verdict import Cause, QuestionResult, Report, Status, Verdict


def failed(**fields: object) -> Verdict:
    verdict = Verdict(
        "check_softmax_rows",
        "q3",
        "rows sum to one",
        Status.FAILED,
        "public",
        message="softmax(z) rows sum to 3.2",
        counterexample="z = [[1, 2]]",
        hint="normalise along axis=-1",
        traceback='File "selfcheck.py", line 3\n  return e / e.sum()',
        cause=Cause.WRONG,
    )
    return replace(verdict, **fields)


def test_parts_come_in_the_order_a_student_reads_them() -> None:
    verdict = failed(misconception="no_axis", misconception_name="sums over the whole array")
    parts = failure_parts(verdict)
    assert [p.kind for p in parts] == [TITLE, MESSAGE, COUNTEREXAMPLE, MISTAKES, HINT, TRACEBACK]
    assert [p.plain() for p in parts] == [
        "rows sum to one",
        "softmax(z) rows sum to 3.2",
        "Counterexample: z = [[1, 2]]",
        "Known mistake: sums over the whole array",
        "Hint: normalise along axis=-1",
        'Your code raised:\nFile "selfcheck.py", line 3\n  return e / e.sum()',
    ]


def test_empty_parts_are_left_out_but_the_title_stays() -> None:
    bare = Verdict("check_x", "q1", "", Status.FAILED, "public")
    assert failure_parts(bare) == (Part(TITLE, "", ""),)
    assert failure_text(bare) == "FAILED: "


def test_what_the_message_already_says_is_not_repeated() -> None:
    verdict = failed(
        message="softmax(z) for z = [[1, 2]] is wrong (this looks like: sums over the array)",
        misconception="whole",
        misconception_name="sums over the array",
        also=("other",),
        also_names=("exp without the max shift", "sums over the array"),
    )
    parts = {p.kind: p for p in failure_parts(verdict)}
    assert COUNTEREXAMPLE not in parts
    assert parts[MISTAKES].plain() == "Known mistake: exp without the max shift"
    two = failed(misconception_name="one mistake", also_names=("another",))
    parts = {p.kind: p for p in failure_parts(two)}
    assert parts[MISTAKES].plain() == "Known mistakes: one mistake; another"


def test_the_traceback_keeps_its_last_lines_and_long_text_is_cut() -> None:
    rows = [f"line {i}" for i in range(30)]
    verdict = failed(traceback="\n".join(rows), message="m" * (MAX_PART_CHARS + 7))
    parts = {p.kind: p for p in failure_parts(verdict)}
    assert parts[TRACEBACK].text.splitlines() == rows[-TRACEBACK_LINES:]
    assert parts[MESSAGE].text.endswith("… (7 more characters not shown)")


def test_every_part_is_inert_and_the_title_one_line() -> None:
    hostile = "a\x1b[2Jb\x00c\u202ed\udcff"
    verdict = failed(
        title="two\nlines\x1b]0;owned\x07", message=hostile, hint=hostile, traceback=hostile
    )
    parts = failure_parts(verdict)
    assert parts[0].text == "two lines"
    for part in parts:
        assert not any(ch in part.text for ch in "\x1b\x00\x07\u202e\udcff"), part
    assert "ab\ufffdc\ufffdd\ufffd" in failure_text(verdict)


def test_failure_text_is_status_title_then_parts() -> None:
    error = failed(status=Status.ERROR, cause=Cause.GRADER, counterexample="", traceback="")
    assert failure_text(error) == (
        "ERROR: rows sum to one\nsoftmax(z) rows sum to 3.2\nHint: normalise along axis=-1"
    )


# -- every renderer shows the formatter's parts, and nothing else of the failure ---------------

SENTINELS = (
    Part(TITLE, "", "SENTINEL-TITLE"),
    Part(MESSAGE, "", "SENTINEL-MESSAGE"),
    Part(HINT, "Hint", "SENTINEL-HINT"),
    Part(TRACEBACK, "Your code raised", "SENTINEL-TRACE"),
)
OWN = ("own-message", "own-counterexample", "own-hint", "own-traceback", "own-mistake")


def report_with_a_failure() -> Report:
    verdict = failed(
        message="own-message",
        counterexample="own-counterexample",
        hint="own-hint",
        traceback="own-traceback",
        misconception="own",
        misconception_name="own-mistake",
    )
    question = QuestionResult("q3", 3, "Fix softmax", 0.0, 1.0, (verdict,))
    return Report("selfcheck", "Self-check", "ann/selfcheck.py", "jail", (question,), 1.0)


def terminal(report: Report) -> str:
    from graders.render.terminal import render_terminal

    console = Console(record=True, width=200, file=io.StringIO())
    console.print(render_terminal(report))
    return console.export_text()


def html(report: Report) -> str:
    from graders.render.html import render_html

    return render_html(report)


def junit(report: Report) -> str:
    from graders.render.junit import junit_xml

    return junit_xml([("ann", report)])


def gradescope(report: Report) -> str:
    import json

    from graders.batch.exports import gradescope_results

    return json.dumps(gradescope_results(report))


def kit_pytest(report: Report) -> str:
    from graders.pytest_support import question_failure

    return question_failure(report, "q3")


def otter(report: Report) -> str:
    from graders.platforms.otter import feedback

    return feedback(report.questions[0], report.isolation)


@pytest.mark.parametrize(
    ("render", "module"),
    [
        (terminal, "graders.render.terminal"),
        (html, "graders.render.html"),
        (junit, "graders.render.junit"),
        (gradescope, "graders.render.plain"),
        (kit_pytest, "graders.render.plain"),
        (otter, "graders.platforms.otter"),
    ],
    ids=["terminal", "html", "junit", "gradescope", "kit-pytest", "otter"],
)
def test_every_renderer_shows_what_the_formatter_decides(render, module, monkeypatch) -> None:
    monkeypatch.setattr(importlib.import_module(module), "failure_parts", lambda _: SENTINELS)
    text = render(report_with_a_failure())
    for part in SENTINELS[1:]:
        assert part.text in text, (render.__name__, part)
    for own in OWN:  # no second place decides what a failure shows
        assert own not in text, (render.__name__, own)

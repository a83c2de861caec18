"""The self-contained HTML report: escaped student text, embedded figures, well-formed markup."""

from __future__ import annotations

import base64
import re
import sys
from dataclasses import replace
from html.parser import HTMLParser

import pytest

from graders.render.html import render_html
from graders.verdict import QuestionResult, Report, Status, Verdict

ATTACK = "<script>alert(1)</script>"
PNG = b"\x89PNG\r\n\x1a\n"
VOID = {"area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "source", "wbr"}


class Structure(HTMLParser):
    """Records the tags and checks that every element is closed in order."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.open: list[str] = []
        self.starts: list[tuple[str, dict]] = []
        self.ends: list[str] = []
        self.doctype = ""
        self.problems: list[str] = []

    def handle_decl(self, decl: str) -> None:
        self.doctype = decl

    def handle_starttag(self, tag: str, attrs: list) -> None:
        self.starts.append((tag, dict(attrs)))
        if tag not in VOID:
            self.open.append(tag)

    def handle_startendtag(self, tag: str, attrs: list) -> None:
        self.starts.append((tag, dict(attrs)))

    def handle_endtag(self, tag: str) -> None:
        self.ends.append(tag)
        if not self.open or self.open[-1] != tag:
            self.problems.append(f"</{tag}> closes {self.open[-1:] or 'nothing'}")
        else:
            self.open.pop()

    def tags(self, name: str) -> list[dict]:
        return [attrs for tag, attrs in self.starts if tag == name]


def parse(page: str) -> Structure:
    parser = Structure()
    parser.feed(page)
    parser.close()
    assert parser.problems == []
    assert parser.open == []
    assert parser.doctype.lower() == "doctype html"
    return parser


def verdict(check: str, status: Status = Status.PASSED, **fields: str) -> Verdict:
    return Verdict(check, "q1", f"title of {check}", status, "public", **fields)


def question(number: int, verdicts: tuple[Verdict, ...], max_points: float = 2.0) -> QuestionResult:
    points = max_points if all(v.passed for v in verdicts) else 0.0
    return QuestionResult(f"q{number}", number, f"Question {number}", points, max_points, verdicts)


def report(**fields) -> Report:
    passing = question(1, (verdict("check_a"), verdict("check_b")))
    failing = question(
        2,
        (
            verdict("check_c"),
            verdict(
                "check_softmax",
                Status.FAILED,
                message=f"rows do not sum to one {ATTACK}",
                counterexample="x = [[1e308, 1e308]] & y < 0",
                hint="subtract the row maximum before exp",
                misconception="no-max-shift",
                misconception_name="Overflow without the max shift",
            ),
            verdict(
                "check_crash",
                Status.FAILED,
                message="your code raised ValueError",
                traceback='File "selfcheck.py", line 3\n  raise ValueError("<b>boom</b>")',
            ),
        ),
        max_points=3.0,
    )
    base = Report(
        assignment="selfcheck",
        title="Self-check",
        submission="student/selfcheck.py",
        isolation="jail",
        questions=(passing, failing),
        pass_mark=4.0,
        isolation_detail="cgroup v2 memory limit",
        seconds=1.25,
        advice="Revise softmax.",
        output="epoch 1 loss 0.5\nepoch 2 loss 0.25\n",
        notes=("the network was not blocked",),
    )
    return replace(base, **fields)


def figures() -> dict:
    image = [[(x * y) % 256 for x in range(8)] for y in range(8)]
    return {
        "loss_curve": {"steps": [0, 1, 2, 3], "losses": [2.0, 1.0, float("nan"), 0.25]},
        "confusion": {"labels": [0, 1, 2], "matrix": [[5, 1, 0], [0, 6, 1], [2, 0, 4]]},
        "misclassified": [{"image": image, "predicted": 3, "true": 8}],
    }


def test_student_text_is_escaped():
    page = render_html(report())
    assert "<script" not in page.lower()
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page
    assert "&lt;b&gt;boom&lt;/b&gt;" in page
    assert "x = [[1e308, 1e308]] &amp; y &lt; 0" in page
    assert not parse(page).tags("script")


def test_every_report_string_is_escaped():
    hostile = f'"><img src=x onerror=alert(1)>{ATTACK}'
    failing = question(
        1,
        (
            Verdict(
                hostile,
                "q1",
                hostile,
                Status.FAILED,
                hostile,
                message=hostile,
                hint=hostile,
                counterexample=hostile + "!",
                misconception_name=hostile,
                traceback=hostile,
            ),
        ),
    )
    bad = Report(
        assignment=hostile,
        title=hostile,
        submission=hostile,
        isolation=hostile,
        questions=(replace(failing, title=hostile),),
        pass_mark=1.0,
        mode=hostile,
        isolation_detail=hostile,
        advice=hostile,
        output=hostile,
        notes=(hostile,),
        explanations={hostile: hostile},
        metrics={hostile: hostile},
    )
    page = render_html(bad)
    assert "<script" not in page.lower()
    structure = parse(page)
    assert not structure.tags("img")
    assert all("onerror" not in attrs for _, attrs in structure.starts)


def test_score_and_verdict_are_shown():
    failed = render_html(report())
    assert "Score 2/5" in failed
    assert "FAIL" in failed
    assert "PASS" not in failed
    assert "pass mark 4" in failed
    passed = render_html(report(pass_mark=2.0))
    assert "PASS" in passed
    assert "FAIL" not in passed


def test_summary_questions_and_failures_are_shown():
    page = render_html(report())
    for text in (
        "Self-check",
        "student/selfcheck.py",
        "jail",
        "cgroup v2 memory limit",
        "Question 1",
        "Question 2",
        "title of check_softmax",
        "title of check_crash",
        "subtract the row maximum before exp",
        "Overflow without the max shift",
        "the network was not blocked",
        "epoch 2 loss 0.25",
        "Revise softmax.",
    ):
        assert text in page, text
    assert "title of check_c<" not in page  # passing checks are not detailed
    assert re.search(r"<pre>File &#34;selfcheck.py&#34;, line 3", page)


def test_metrics_accuracy_against_threshold():
    page = render_html(report(metrics={"accuracy": 0.981, "threshold": 0.97}))
    assert "0.981" in page
    assert "0.97" in page
    assert "meets" in page
    low = render_html(report(metrics={"accuracy": 0.9, "threshold": 0.97}))
    assert "is below" in low
    assert "Metrics" not in render_html(report())


def test_figures_are_embedded_as_data_uris():
    pytest.importorskip("matplotlib")
    page = render_html(report(figures=figures()))
    images = parse(page).tags("img")
    assert len(images) == 3
    for attrs in images:
        assert attrs["alt"]
        assert attrs["src"].startswith("data:image/png;base64,")
        assert base64.b64decode(attrs["src"].split(",", 1)[1]).startswith(PNG)


def test_malformed_figures_leave_a_note():
    pytest.importorskip("matplotlib")
    page = render_html(report(figures={"confusion": "nope"}))
    assert "could not be drawn" in page
    assert not parse(page).tags("img")


def test_a_report_without_figures_renders():
    page = render_html(report())
    assert not parse(page).tags("img")
    assert "Figures" not in page


def test_figures_without_matplotlib_leave_a_note(monkeypatch):
    for name in [name for name in sys.modules if name.split(".")[0] == "matplotlib"]:
        monkeypatch.delitem(sys.modules, name)
    monkeypatch.setitem(sys.modules, "matplotlib", None)  # import matplotlib raises ImportError
    page = render_html(report(figures=figures()))
    assert "matplotlib is not installed" in page
    assert not parse(page).tags("img")


def test_page_is_self_contained_and_well_formed():
    page = render_html(report(metrics={"accuracy": 0.5}))
    structure = parse(page)
    assert structure.tags("html") == [{"lang": "en"}]
    assert {"charset": "utf-8"} in structure.tags("meta")
    assert len(structure.tags("table")) == structure.ends.count("table") == 2
    assert all(attrs.get("scope") for attrs in structure.tags("th"))
    assert not structure.tags("script")
    assert not structure.tags("link")
    assert "http://" not in page
    assert "https://" not in page


def test_long_output_is_capped_and_control_characters_removed():
    output = "\n".join(f"line {i}" for i in range(5000)) + "\x00\x1b[31m\udcff"
    page = render_html(report(output=output))
    assert "line 199</pre>" in page
    assert "line 200" not in page
    assert "more lines not shown" in page
    weird = render_html(report(notes=("bell\x07 escape\x1b nul\x00 surrogate\udcff",)))
    assert not re.search("[\x00\x07\x1b]", weird)
    weird.encode("utf-8")  # no lone surrogates left


def test_a_question_with_no_checks_and_no_points():
    empty = QuestionResult("q9", 9, "Nothing ran", 0.0, 1.0, ())
    page = render_html(report(questions=(empty,), pass_mark=1.0))
    assert "No check ran for this question." in page
    assert "Score 0/1" in page
    parse(page)


def not_loaded(number: int) -> QuestionResult:
    message = "not graded: your submission did not load (the reason is at the top)"
    check = Verdict("check_x", f"q{number}", "a check", Status.FAILED, "public", message=message)
    return QuestionResult(f"q{number}", number, f"Question {number}", 0.0, 1.0, (check,))


def test_a_load_error_is_said_once_at_the_top():
    reason = "your submission raised NameError while loading: name 'np' is not defined"
    trace = 'File "selfcheck.py", line 3, in <module>\nNameError: <np>'
    page = render_html(
        report(questions=(not_loaded(1), not_loaded(2)), load_error=f"{reason}\n{trace}")
    )
    top = page.index("Your submission did not load:")
    assert top < page.index('<h2 id="questions">')
    assert "name &#39;np&#39; is not defined" in page
    assert "NameError: &lt;np&gt;</pre>" in page
    assert "did not load (the reason is at the top)" not in page  # not under every question
    assert 'class="check"' not in page
    assert page.count('<span class="bad">failed</span>') == 2
    parse(page)


def test_a_fault_of_ours_is_no_grade():
    error = Verdict("check_x", "q1", "a check", Status.ERROR, "public", message="not graded")
    question = QuestionResult("q1", 1, "Question 1", 0.0, 1.0, (error,))
    page = render_html(report(questions=(question,), fault="the sandbox could not start"))
    assert "NOT GRADED" in page
    assert "PASS" not in page
    assert "FAIL" not in page
    assert "Score " not in page
    assert "the sandbox could not start" in page
    assert '<span class="bad">not graded</span>' in page
    parse(page)


def test_a_question_only_hidden_checks_decide_is_pending_not_failed():
    form = Verdict("check_q4_form", "q4", "a letter", Status.PASSED, "public")
    pending = QuestionResult("q4", 4, "Predict", 0.0, 1.0, (form,), pending=True)
    page = render_html(report(questions=(pending,), mode="student"))
    assert "format OK, graded at submission" in page
    assert "No check ran for this question." not in page
    assert "Public checks only" in page
    parse(page)

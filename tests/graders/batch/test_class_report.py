"""The class report: the numbers behind it, the page's content and escaping, and the page in a
real headless Chromium (screenshot and DOM)."""

from __future__ import annotations

import base64
import copy
import functools
import http.server
import io
import itertools
import json
import os
import re
import statistics
import subprocess
import threading
from collections.abc import Iterator
from html.parser import HTMLParser
from pathlib import Path

import pytest

from graders.batch import class_report
from graders.batch.class_report import class_report_html, class_summary, write_class_report
from graders.batch.entry import DUPLICATE, ERROR, GRADED, INVALID, MISSING, Entry
from graders.spec import load_spec
from tests.conftest import FULL, ONE_WRONG, required

FIXTURES = Path(__file__).resolve().parents[2] / "fixtures"
REFERENCE = json.loads((FIXTURES / "report_reference.json").read_text())
TEMPLATE = json.loads((FIXTURES / "report_template.json").read_text())
SPEC = load_spec("selfcheck")
ATTACK = "<script>alert(1)</script>"
CHROMIUM = Path("/usr/bin/chromium")
CONTROL = "<!DOCTYPE html><p>control</p><script>console.error('boom'); throw Error('bad')</script>"
VOID = {"area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "source", "wbr"}
DATA_PNG = re.compile(r'<img src="data:image/png;base64,([A-Za-z0-9+/=]+)"')


# ---------------------------------------------------------------------------------------------
# A synthetic class of 30 built from the fixture reports
# ---------------------------------------------------------------------------------------------


def graded_report(failures: dict[str, str | None], student: str) -> dict:
    """The reference report with the given questions failed: {question id: misconception id}."""
    report = copy.deepcopy(REFERENCE)
    report["submission"] = f"submissions/{student}/selfcheck.py"
    for question in report["questions"]:
        if question["id"] not in failures:
            continue
        question["score"] = 0.0
        question["passed"] = False
        check = question["checks"][-1]
        check["status"] = "failed"
        check["message"] = f"wrong answer from {student}"
        key = failures[question["id"]]
        if key:
            check["misconception"] = key
            check["misconception_name"] = SPEC.misconceptions[key].name
    report["score"] = sum(q["score"] for q in report["questions"])
    report["passed"] = report["score"] >= report["pass_mark"]
    return report


def all_failed(report: dict) -> dict:
    """A copy of a report with every check failed, as the batch runner makes for invalid work."""
    report = copy.deepcopy(report)
    for question in report["questions"]:
        question.update(score=0.0, passed=False)
        for check in question["checks"]:
            check["status"] = "failed"
    report.update(score=0.0, passed=False)
    return report


SHIFT, W1, DROPOUT = "softmax_no_max_shift", "backprop_uses_w1", "dropout_ignores_training"
GRADED_CLASS: list[tuple[str, dict[str, str | None]]] = [
    *((f"p{i:02}", {}) for i in range(1, 11)),  # 10 perfect: 12
    *((f"m{i:02}", {"q3": SHIFT}) for i in range(1, 7)),  # 6 at 11
    *((f"b{i:02}", {"q3": SHIFT, "q6": W1}) for i in range(1, 5)),  # 4 at 10
    *((f"c{i:02}", {"q6": W1, "q10": DROPOUT, "q12": None}) for i in range(1, 4)),  # 3 at 9
    ("f01", {"q3": SHIFT, "q9": "one_hot_off_by_one", "q10": DROPOUT, "q11": None}),  # 8
    (ATTACK, {"q1": "relu_abs", "q2": "relu_abs", "q3": None, "q4": None, "q5": None, "q6": None}),
]
SLOW = {"i01": 61.5, "f01": 42.0, "p03": 30.0}


def make_class() -> list[Entry]:
    """26 graded (23 pass), 2 invalid, 1 missing, 1 duplicate; seconds vary."""
    entries = []
    for index, (student, failures) in enumerate(GRADED_CLASS):
        entries.append(
            Entry(
                student,
                "selfcheck",
                GRADED,
                sha256=f"{index:064x}",
                path=f"submissions/{student}/selfcheck.py",
                seconds=SLOW.get(student, 1.0 + 0.25 * index),
                report=graded_report(failures, student),
            )
        )
    template = copy.deepcopy(TEMPLATE)  # the student template as submitted: 0/12
    entries.append(Entry("f03", "selfcheck", GRADED, seconds=2.0, report=template))
    broken = f"could not import selfcheck.py: SyntaxError near <b>{ATTACK}</b> & more"
    entries += [
        Entry("i01", "selfcheck", INVALID, broken, seconds=61.5, report=all_failed(TEMPLATE)),
        Entry("i02", "selfcheck", INVALID, "no selfcheck.py in the archive", seconds=0.8),
        Entry("n01", "selfcheck", MISSING, "on the roster, nothing submitted"),
        Entry("d01", "selfcheck", DUPLICATE, "two submissions claim d01: a.zip and b.zip"),
    ]
    return entries


@pytest.fixture(scope="module")
def entries() -> list[Entry]:
    return make_class()


@pytest.fixture(scope="module")
def summary(entries: list[Entry]) -> dict:
    return class_summary(entries, SPEC)


@pytest.fixture(scope="module")
def page(entries: list[Entry]) -> str:
    return class_report_html(entries, SPEC)


# ---------------------------------------------------------------------------------------------
# The numbers
# ---------------------------------------------------------------------------------------------


def test_counts_pass_rate_mean_and_median(summary: dict):
    assert summary["students"] == 30
    assert summary["counts"] == {GRADED: 26, INVALID: 2, MISSING: 1, DUPLICATE: 1, ERROR: 0}
    assert summary["passed"] == 23
    assert summary["failed"] == 3
    assert summary["pass_rate"] == 23 / 30
    assert summary["graded_pass_rate"] == 23 / 26
    assert summary["pass_mark"] == 9.0
    assert summary["max_score"] == FULL
    assert summary["scores"] == [0.0, 6.0, 8.0, *[9.0] * 3, *[10.0] * 4, *[11.0] * 6, *[12.0] * 10]
    assert summary["mean_score"] == pytest.approx(267 / 26)
    assert summary["median_score"] == ONE_WRONG


def test_summary_is_json_able(summary: dict):
    assert json.loads(json.dumps(summary)) == summary


def test_pass_rate_per_question(summary: dict):
    failed = {"q1": 2, "q2": 2, "q3": 13, "q4": 2, "q5": 2, "q6": 9}
    failed |= {"q7": 1, "q8": 1, "q9": 2, "q10": 5, "q11": 2, "q12": 4}
    rows = summary["questions"]
    assert [row["number"] for row in rows] == list(range(1, 13))
    assert [row["title"] for row in rows] == [q.title for q in SPEC.questions]
    for row in rows:
        assert row["attempted"] == 26
        assert row["passed"] == 26 - failed[row["id"]], row["id"]
        assert row["pass_rate"] == (26 - failed[row["id"]]) / 26


def test_misconceptions_counted_once_per_student_most_common_first(summary: dict):
    rows = [
        (row["id"], row["name"], row["count"], row["question_numbers"])
        for row in summary["misconceptions"]
    ]
    assert rows == [
        (SHIFT, SPEC.misconceptions[SHIFT].name, 12, [3]),  # 6 + 4 + f01 + the template
        (W1, "W1 used instead of W2", 8, [6]),  # 4 + 3 + the template
        (DROPOUT, "dropout still active when training is False", 5, [10]),  # 3 + f01 + template
        ("relu_abs", "absolute value instead of ReLU", 1, [1, 2]),  # ties: by name
        ("one_hot_off_by_one", "class indices shifted by one", 1, [9]),
    ]
    assert summary["misconceptions"][3]["questions"] == ["q1", "q2"]


def test_invalid_entries_misconceptions_are_not_counted(entries: list[Entry]):
    graded_only = [e for e in entries if e.status == GRADED]
    assert (
        class_summary(entries, SPEC)["misconceptions"]
        == (class_summary(graded_only, SPEC)["misconceptions"])
    )


def test_failed_students_by_score_with_weakest_question(summary: dict):
    failed = [
        (row["student"], row["score"], row["weakest"]["id"], row["weakest"]["reason"])
        for row in summary["failed_students"]
    ]
    assert failed == [
        ("f03", 0.0, "q7", "most of the class passed it"),  # q7: 25/26, the best passed
        (ATTACK, 6.0, "q1", "most of the class passed it"),  # q1, q2, q4, q5 tie: the first
        ("f01", 8.0, "q9", "most of the class passed it"),  # not q3, its first failure
    ]
    assert summary["failed_students"][2]["weakest"]["class_pass_rate"] == 24 / 26
    assert summary["failed_students"][2]["weakest"]["title"] == "Write one_hot"


def test_weakest_is_the_first_failure_when_the_class_mostly_failed_too():
    fours = {"a": "q4", "b": "q4", "c": "q5", "d": "q5"}  # q4 and q5: passed by half the class
    entries = [
        Entry(s, "selfcheck", GRADED, report=graded_report(dict.fromkeys(("q1", "q2", "q3", q)), s))
        for s, q in fours.items()
    ]
    rows = class_summary(entries, SPEC)["failed_students"]
    assert [row["score"] for row in rows] == [8.0] * 4
    assert [row["weakest"]["id"] for row in rows] == ["q1"] * 4  # not q4/q5, at only 50%
    assert {row["weakest"]["reason"] for row in rows} == {"first failed question"}
    assert {row["weakest"]["class_pass_rate"] for row in rows} == {0.0}


def test_slowest_ten_with_status(summary: dict, entries: list[Entry]):
    slowest = summary["slowest"]
    assert len(slowest) == 10
    assert [(r["student"], r["seconds"], r["status"]) for r in slowest[:3]] == [
        ("i01", 61.5, INVALID),
        ("f01", 42.0, GRADED),
        ("p03", 30.0, GRADED),
    ]
    expected = sorted((e for e in entries if e.seconds), key=lambda e: (-e.seconds, e.student))
    assert [r["student"] for r in slowest] == [e.student for e in expected[:10]]
    assert all(a["seconds"] >= b["seconds"] for a, b in itertools.pairwise(slowest))


def test_problems_listed_with_their_detail(summary: dict):
    assert [(p["student"], p["status"]) for p in summary["problems"]] == [
        ("i01", INVALID),
        ("i02", INVALID),
        ("n01", MISSING),
        ("d01", DUPLICATE),
    ]
    assert summary["problems"][3]["why"] == "duplicate: two submissions claim d01: a.zip and b.zip"


def test_an_empty_class_has_no_rates():
    summary = class_summary([], SPEC)
    assert summary["students"] == 0
    assert summary["pass_rate"] is None
    assert summary["mean_score"] is None
    assert summary["median_score"] is None
    assert all(row["pass_rate"] is None for row in summary["questions"])
    page = class_report_html([], SPEC)
    assert "No graded submission yet." in page
    assert "<img" not in page
    parse(page)


def test_entries_of_another_assignment_or_status_are_refused(entries: list[Entry]):
    stray = Entry("x", "digits", MISSING)
    with pytest.raises(ValueError, match="digits"):
        class_summary([*entries, stray], SPEC)
    with pytest.raises(ValueError, match="unknown status 'late'"):
        class_summary([Entry("x", "selfcheck", "late")], SPEC)


def test_median_and_mean_match_statistics(summary: dict):
    assert summary["median_score"] == statistics.median(summary["scores"])
    assert summary["mean_score"] == statistics.fmean(summary["scores"])


# ---------------------------------------------------------------------------------------------
# The page
# ---------------------------------------------------------------------------------------------


class Structure(HTMLParser):
    """Checks that every element is closed in order and collects text and tags."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.open: list[str] = []
        self.tags: list[str] = []
        self.problems: list[str] = []
        self.text: list[str] = []

    def handle_starttag(self, tag: str, attrs: list) -> None:
        self.tags.append(tag)
        if tag not in VOID:
            self.open.append(tag)

    def handle_endtag(self, tag: str) -> None:
        if not self.open or self.open[-1] != tag:
            self.problems.append(f"</{tag}> closes {self.open[-1:] or 'nothing'}")
        else:
            self.open.pop()

    def handle_data(self, data: str) -> None:
        self.text.append(data)


def parse(page: str) -> Structure:
    parser = Structure()
    parser.feed(page)
    parser.close()
    assert page.startswith("<!DOCTYPE html>")
    assert parser.problems == []
    assert parser.open == []
    return parser


def section(page: str, key: str) -> str:
    """The HTML of one <section> of the page."""
    start = page.index(f'<section aria-labelledby="{key}">')
    return page[start : page.index("</section>", start)]


def test_page_is_well_formed_self_contained_and_without_script(page: str):
    structure = parse(page)
    assert "script" not in structure.tags
    assert "<script" not in page.lower()
    assert "http://" not in page
    assert "https://" not in page
    assert "<link" not in page
    assert 'href="' not in page


def test_page_has_histogram_and_bar_chart_as_png_data_uris(page: str):
    pngs = [base64.b64decode(data) for data in DATA_PNG.findall(page)]
    assert len(pngs) == 2
    assert all(png.startswith(b"\x89PNG\r\n\x1a\n") and len(png) > 5_000 for png in pngs)
    assert DATA_PNG.search(section(page, "scores"))
    assert DATA_PNG.search(section(page, "questions"))
    assert "Histogram of the scores" in section(page, "scores")
    assert "pass mark" in section(page, "scores")
    image = pytest.importorskip("matplotlib.image")
    for png in pngs:
        pixels = image.imread(io.BytesIO(png), format="png")
        assert pixels.shape[1] == 750  # 7.5 inches at 100 dpi
        assert len({tuple(p) for p in pixels.reshape(-1, pixels.shape[-1])[::97]}) > 5


def test_page_summary_numbers(page: str):
    assert 'id="stat-students">30<' in page
    assert 'id="stat-graded">26<' in page
    assert 'id="stat-invalid">2<' in page
    assert 'id="stat-missing">1<' in page
    assert 'id="stat-duplicate">1<' in page
    assert 'id="stat-passed">23<' in page
    assert 'id="stat-pass-rate">76.7%<' in page
    assert 'id="stat-graded-pass-rate">88.5%<' in page
    assert 'id="stat-mean">10.27<' in page
    assert 'id="stat-median">11<' in page


def test_page_question_table(page: str):
    html = section(page, "questions")
    assert html.count("<tr>") == 13  # header and 12 questions
    assert '<th scope="row" class="num">3</th><td>Fix softmax so it is numerically stable</td>' in (
        html
    )
    assert '<td class="num">13/26</td><td class="num">50.0%</td>' in html
    assert "Fix the backprop step for the hidden layer&#39;s delta" in html


def test_page_misconceptions_sorted_by_count(page: str):
    html = section(page, "misconceptions")
    counts = [int(n) for n in re.findall(r'<td class="num">(\d+)</td>', html)]
    assert counts == [12, 8, 5, 1, 1]
    names = [SPEC.misconceptions[SHIFT].name, "W1 used instead of W2", "absolute value"]
    positions = [html.index(name) for name in names]
    assert positions == sorted(positions)
    assert "<td>Q1, Q2</td>" in html
    assert "<td>Q3</td>" in html


def test_page_failed_students_with_weakest_question(page: str):
    html = section(page, "failed")
    assert "Students who failed (3)" in html
    order = [html.index(s) for s in ('"id">f03<', "&lt;script&gt;alert(1)", '"id">f01<')]
    assert order == sorted(order)
    assert "Q9 Write one_hot" in html
    assert "Q7 Why the chain rule is the key to backpropagation" in html
    assert '<td class="num">8/12</td>' in html


def test_page_slowest_and_problems(page: str):
    slow = section(page, "slowest")
    assert slow.count("<tr>") == 11
    assert '<td class="id">i01</td><td class="num">61.50 s</td>' in slow
    assert "status-invalid" in slow
    problems = section(page, "problems")
    for text in ("on the roster, nothing submitted", "two submissions claim d01: a.zip and b.zip"):
        assert text in problems
    assert "&lt;b&gt;&lt;script&gt;alert(1)&lt;/script&gt;&lt;/b&gt; &amp; more" in problems


def test_hostile_text_is_escaped_everywhere():
    hostile = f'"><img src=x onerror=alert(1)>{ATTACK}'
    report = graded_report({"q3": SHIFT, "q4": None, "q5": None, "q6": None}, "x")
    report["questions"][2]["checks"][-1]["misconception_name"] = hostile
    report["questions"][2]["checks"][-1]["misconception"] = hostile
    entries = [
        Entry(ATTACK, "selfcheck", GRADED, seconds=3.0, report=report),
        Entry(hostile, "selfcheck", INVALID, hostile, path=hostile, seconds=1.0),
        Entry(f"{ATTACK}\x00\x07", "selfcheck", DUPLICATE, ATTACK, path=ATTACK),
    ]
    page = class_report_html(entries, SPEC, title=hostile)
    structure = parse(page)
    assert "script" not in structure.tags
    assert structure.tags.count("img") == 2  # the two charts, nothing injected
    assert "<script" not in page.lower()
    assert "onerror=alert(1)>" not in page
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page
    assert "&#34;&gt;&lt;img src=x onerror=alert(1)&gt;" in page
    assert "\x00" not in page
    assert "\x07" not in page
    assert ATTACK in "".join(structure.text)  # shown as text


def test_title_and_default_title(entries: list[Entry]):
    assert "<h1>Deep Learning Foundations: self-check: class report</h1>" in (
        class_report_html(entries, SPEC)
    )
    assert "<h1>Week 3 &amp; 4</h1>" in class_report_html(entries, SPEC, title="Week 3 & 4")


def test_without_matplotlib_the_page_says_so(entries: list[Entry], monkeypatch):
    def missing(*args: object) -> bytes:
        raise ImportError("No module named 'matplotlib'")

    monkeypatch.setattr(class_report, "score_histogram_png", missing)
    monkeypatch.setattr(class_report, "question_pass_rates_png", missing)
    page = class_report_html(entries, SPEC)
    assert "<img" not in page
    assert page.count("matplotlib is not installed") == 2
    parse(page)


def test_write_class_report_writes_utf8(entries: list[Entry], tmp_path: Path):
    path = write_class_report(entries, SPEC, tmp_path / "class.html")
    assert path == tmp_path / "class.html"
    text = path.read_bytes().decode("utf-8")
    assert text == class_report_html(entries, SPEC)
    assert "dlgrade · " in text


def test_pure_same_input_same_page(entries: list[Entry]):
    before = copy.deepcopy([e.report for e in entries])
    assert class_report_html(entries, SPEC) == class_report_html(list(entries), SPEC)
    assert [e.report for e in entries] == before


def test_non_integral_scores_get_even_bins():
    report = graded_report(dict.fromkeys(("q1", "q2", "q3", "q4", "q5")), "x")
    report["questions"][0]["score"] = 0.5  # a question worth half its point: 7.5 in all
    entry = Entry("x", "selfcheck", GRADED, report=report)
    assert class_summary([entry], SPEC)["mean_score"] == 7.5
    png = class_report.score_histogram_png([7.5, 3.25, 11.0], 12.0, 8.5)
    assert png.startswith(b"\x89PNG")


# ---------------------------------------------------------------------------------------------
# In a real browser: headless Chromium
# ---------------------------------------------------------------------------------------------


@pytest.fixture
def chromium() -> Path:
    if not CHROMIUM.is_file():
        required(f"headless Chromium is not installed at {CHROMIUM} (apt-get install -y chromium)")
    return CHROMIUM


class QuietHandler(http.server.SimpleHTTPRequestHandler):
    timeout = 10  # seconds a connection may stay idle

    def log_message(self, format: str, *args: object) -> None:
        pass


@pytest.fixture
def served(tmp_path: Path, entries: list[Entry]) -> Iterator[str]:
    """The class report and a control page, served over http://127.0.0.1 from a thread."""
    site = tmp_path / "site"
    site.mkdir()
    write_class_report(entries, SPEC, site / "class.html")
    (site / "control.html").write_text(CONTROL, encoding="utf-8")
    handler = functools.partial(QuietHandler, directory=str(site))
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    server.daemon_threads = True
    thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.1})
    thread.daemon = True
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}"
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=5)


def run_chromium(chromium: Path, tmp_path: Path, *arguments: str) -> subprocess.CompletedProcess:
    profile = tmp_path / f"profile-{len(list(tmp_path.glob('profile-*')))}"
    profile.mkdir()
    home = tmp_path / "home"
    home.mkdir(exist_ok=True)
    command = [
        str(chromium),
        "--headless",
        "--no-sandbox",
        "--disable-gpu",
        "--disable-quic",
        "--no-first-run",
        "--disable-background-networking",
        "--disable-component-update",
        "--disable-sync",
        f"--user-data-dir={profile}",
        "--enable-logging=stderr",
        "--v=0",
        "--virtual-time-budget=5000",
        *arguments,
    ]
    env = {**os.environ, "HOME": str(home)}
    return subprocess.run(
        command, capture_output=True, text=True, timeout=60, env=env, cwd=tmp_path, check=False
    )


def page_errors(stderr: str) -> list[str]:
    """Lines where Chromium reports a script error or console message from the page."""
    return [
        line for line in stderr.splitlines() if "Uncaught" in line or re.search(r"CONSOLE", line)
    ]


def test_chromium_screenshot_shows_the_page(chromium: Path, served: str, tmp_path: Path):
    shot = tmp_path / "shot.png"
    done = run_chromium(
        chromium,
        tmp_path,
        f"--screenshot={shot}",
        "--window-size=1280,2000",
        f"{served}/class.html",
    )
    assert shot.is_file(), f"no screenshot (exit {done.returncode}):\n{done.stderr[-3000:]}"
    assert shot.stat().st_size > 50_000
    assert page_errors(done.stderr) == []
    image = pytest.importorskip("matplotlib.image")
    pixels = image.imread(str(shot))
    assert pixels.shape[:2] == (2000, 1280)
    rgb = (pixels[..., :3] * 255).round().astype(int)
    colours = {tuple(c) for c in rgb.reshape(-1, 3)[::53]}
    assert len(colours) > 50  # text, tables and charts, not a blank page
    blue = (abs(rgb - (0x1F, 0x5F, 0xA8)).sum(axis=-1) <= 6).sum()  # histogram bars
    green = (abs(rgb - (0x1B, 0x6E, 0x2A)).sum(axis=-1) <= 6).sum()  # pass-rate bars
    assert blue > 2_000
    assert green > 2_000


def test_chromium_dom_has_the_summary_numbers(chromium: Path, served: str, tmp_path: Path):
    done = run_chromium(chromium, tmp_path, "--dump-dom", f"{served}/class.html")
    assert done.returncode == 0, done.stderr[-3000:]
    assert page_errors(done.stderr) == []
    dom = done.stdout
    for key, value in {
        "students": "30",
        "graded": "26",
        "invalid": "2",
        "missing": "1",
        "duplicate": "1",
        "passed": "23",
        "pass-rate": "76.7%",
        "mean": "10.27",
        "median": "11",
    }.items():
        assert f'id="stat-{key}">{value}</dd>' in dom, key
    assert "<script" not in dom
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in dom
    assert dom.count('src="data:image/png;base64,') == 2


def test_chromium_reports_errors_of_a_page_with_a_broken_script(
    chromium: Path, served: str, tmp_path: Path
):
    """The control for the checks above: page errors do reach stderr and are recognised."""
    done = run_chromium(chromium, tmp_path, "--dump-dom", f"{served}/control.html")
    assert done.returncode == 0, done.stderr[-3000:]
    assert "control" in done.stdout
    errors = page_errors(done.stderr)
    assert any("boom" in line for line in errors), done.stderr[-3000:]
    assert any("Uncaught" in line for line in errors), done.stderr[-3000:]


# ---------------------------------------------------------------------------------------------
# Why students scored 0 or have no score
# ---------------------------------------------------------------------------------------------


def test_zeros_say_why_and_name_no_weakest_question_when_nothing_loaded(zeros: list[Entry]):
    from tests.graders.batch.conftest import why

    summary = class_summary(zeros, SPEC)
    failed = {row["student"]: row for row in summary["failed_students"]}
    assert set(failed) == {"nameerror", "exits", "ends", "loops"}  # graded, 0: it did not load
    for entry in zeros:
        if entry.student in failed:
            assert failed[entry.student]["weakest"] is None  # their zeros are not about a question
            assert failed[entry.student]["why"] == why(entry)
    problems = {row["student"]: (row["status"], row["why"]) for row in summary["problems"]}
    assert problems == {
        entry.student: (entry.status, why(entry)) for entry in zeros if entry.status != GRADED
    }
    assert summary["scores"] == [0.0] * 4 + [12.0]  # the error row is no score at all


def test_the_page_shows_the_reasons_and_error_rows_as_errors(zeros: list[Entry]):
    page = class_report_html(zeros, SPEC)
    parse(page)
    failed = section(page, "failed")
    assert "did not load: NameError at line" in failed
    assert "timed out while importing (over 2 s)" in failed
    assert "ended the Python process while importing (exit code 0)" in failed
    assert "most of the class passed it" not in failed
    assert "first failed question" not in failed
    problems = section(page, "problems")
    assert '<span class="status status-error">error</span>' in problems
    assert "not graded: dlgrade failed while grading: the sandbox could not start" in problems
    assert "did not load: SyntaxError in selfcheck.py at line 1: expected &#39;:&#39;" in problems
    assert "could not be read: selfcheck.py is a symbolic link" in problems
    assert 'id="stat-errors">1<' in page
    assert 'id="stat-graded">5<' in page


# ---------------------------------------------------------------------------------------------
# Mistakes nobody has named yet
# ---------------------------------------------------------------------------------------------


def signed(student: str, function: str, signature: str, example: str, *mistakes: str) -> Entry:
    """A graded entry whose `function` failed with the given fingerprint of its outputs."""
    report = graded_report({"q3": None}, student)
    seen = {"signature": signature, "example": example, "mistakes": list(mistakes)}
    report["signatures"] = {function: seen}
    return Entry(student, "selfcheck", GRADED, report=report)


SIGMOID = f"on z = [[0, 0], [0, 1.1]] it returns {ATTACK} instead of [[0.5, 0.5], [0.25, 0.75]]"


def unnamed_class() -> list[Entry]:
    return [
        *(signed(f"s{i}", "softmax", "aaaa", SIGMOID) for i in (3, 1, 2)),  # 3: unnamed
        *(signed(f"o{i}", "one_hot", "bbbb", "on y = [2] it returns [[0, 1]]") for i in (1, 2)),
        *(signed(f"n{i}", "softmax", "cccc", "on z = [1000]", SHIFT) for i in range(4)),  # named
        signed("r1", "relu", "dddd", "on z = [-1] it returns [-1]"),  # alone: not a group
        Entry("i1", "selfcheck", INVALID, "not a Python file", report=all_failed(TEMPLATE)),
    ]


def test_unnamed_mistakes_are_the_largest_groups_no_known_mistake_explains():
    rows = class_summary(unnamed_class(), SPEC)["unnamed_mistakes"]
    assert [(r["function"], r["count"], r["example_student"]) for r in rows] == [
        ("softmax", 3, "s1"),
        ("one_hot", 2, "o1"),
    ]
    assert rows[0]["students"] == ["s1", "s2", "s3"]
    assert rows[0]["example"] == SIGMOID


def test_the_page_lists_each_unnamed_group_with_its_example_inert():
    page = class_report_html(unnamed_class(), SPEC)
    parse(page)
    html = section(page, "unnamed")
    assert html.count("<tr>") == 3  # header and two groups
    assert '<td><code>softmax</code></td><td class="num">3</td><td class="id">s1</td>' in html
    assert "on z = [[0, 0], [0, 1.1]] it returns &lt;script&gt;alert(1)&lt;/script&gt;" in html
    assert "<script" not in page.lower()
    assert "cccc" not in html
    assert "relu" not in html
    positions = [page.index(f'aria-labelledby="{key}"') for key in ("misconceptions", "unnamed")]
    assert positions == sorted(positions)  # right after the named ones


def test_no_unnamed_section_when_every_shared_mistake_is_named(page: str):
    assert 'aria-labelledby="unnamed"' not in page
    assert "nobody has named" not in page


def test_a_real_class_sharing_a_wrong_softmax(tmp_path: Path):
    from tests.conftest import grade_path, reference_folder

    sigmoid = "def softmax(z):\n    return 1 / (1 + np.exp(-z))\n"
    entries = [
        Entry(
            s,
            "selfcheck",
            GRADED,
            report=grade_path(reference_folder(tmp_path / s, sigmoid)).to_dict(),
        )
        for s in ("ann", "ben")
    ]
    html = section(class_report_html(entries, SPEC), "unnamed")
    assert '<td><code>softmax</code></td><td class="num">2</td><td class="id">ann</td>' in html
    assert re.search(r"on z = \[\[.*\]\] it returns \[\[.*\]\] instead of \[\[", html)

"""The HTML pages' templates: autoescaped, strict, inert, and shipped with the package."""

from __future__ import annotations

import shutil
import subprocess
import sys
import sysconfig
from pathlib import Path

import jinja2
import pytest

from graders.render.pages import environment, number, percent, render_page, score

ROOT = Path(__file__).resolve().parents[3]
TEMPLATES = ROOT / "graders" / "render" / "templates"


def test_every_template_is_autoescaped_and_strict() -> None:
    env = environment()
    names = sorted(path.name for path in TEMPLATES.glob("*.j2"))
    assert names == ["base.html.j2", "class_report.html.j2", "macros.html.j2", "report.html.j2"]
    assert all(env.autoescape(name) for name in names)
    assert env.undefined is jinja2.StrictUndefined


def test_a_name_missing_from_the_view_model_is_an_error() -> None:
    with pytest.raises(jinja2.UndefinedError, match="heading"):
        render_page("base.html.j2", page_title="t", subtitle="s")


def test_every_printed_string_is_inert_then_escaped() -> None:
    hostile = "<b>\x1b[2J\x00\u202eé</b>"
    page = render_page("base.html.j2", page_title=hostile, heading=hostile, subtitle="ok")
    assert "<title>dlgrade · &lt;b&gt;\ufffd\ufffdé&lt;/b&gt;</title>" in page
    assert "<h1>&lt;b&gt;\ufffd\ufffdé&lt;/b&gt;</h1>" in page
    assert "\x1b" not in page
    assert "\x00" not in page


def test_number_filters() -> None:
    assert [number(2.0), number(0.981), number(float("nan")), number("x")] == [
        "2",
        "0.981",
        "nan",
        "x",
    ]
    assert [percent(None), percent(23 / 30)] == ["—", "76.7%"]
    assert [score(None), score(10.2692), score(11.0)] == ["—", "10.27", "11"]


RENDER_A_PAGE = """
import graders, graders.render.pages as pages
from graders.render.html import render_html
from graders.verdict import QuestionResult, Report, Status, Verdict
wrong = Verdict("check_a", "q1", "a check", Status.FAILED, "public", message="<oops>")
question = QuestionResult("q1", 1, "Question one", 0.0, 1.0, (wrong,))
page = render_html(Report("selfcheck", "Self-check", "s.py", "process", (question,), 1.0))
assert "&lt;oops&gt;" in page and "<h2 id=\\"questions\\">" in page, page
print(graders.__file__)
print(pages.environment().get_template("report.html.j2").filename)
"""


@pytest.mark.slow
def test_templates_ship_with_a_non_editable_install(tmp_path: Path) -> None:
    """`pip install` of the project (not editable) into a fresh venv finds the templates."""
    source = tmp_path / "source"  # a copy: building a wheel writes build/ and egg-info beside it
    source.mkdir()
    for name in ("pyproject.toml", "README.md"):
        shutil.copy2(ROOT / name, source / name)
    for name in ("graders", "reference", "assignments", "student_template"):
        shutil.copytree(ROOT / name, source / name, ignore=shutil.ignore_patterns("__pycache__"))
    venv = tmp_path / "venv"
    subprocess.run([sys.executable, "-m", "venv", "--without-pip", str(venv)], check=True)
    site = next(venv.glob("lib/python3*/site-packages"))
    # The dependencies are lent from this environment (offline); dlgrade itself is installed.
    (site / "_dlgrade_dependencies.pth").write_text(f"{sysconfig.get_paths()['purelib']}\n")
    install = [sys.executable, "-m", "pip", "install", "--quiet", "--no-deps"]
    install += ["--no-build-isolation", "--target", str(site), str(source)]
    subprocess.run(install, check=True, capture_output=True, timeout=300, cwd=tmp_path)
    done = subprocess.run(
        [str(venv / "bin" / "python"), "-c", RENDER_A_PAGE],
        capture_output=True,
        text=True,
        timeout=120,
        cwd=tmp_path,
        check=False,
    )
    assert done.returncode == 0, done.stderr[-3000:]
    package, template = done.stdout.split()
    assert Path(package).is_relative_to(site)
    assert Path(template) == site / "graders" / "render" / "templates" / "report.html.j2"

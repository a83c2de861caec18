"""`dlgrade build otter`: the master notebook, and a real round trip through otter-grader."""

from __future__ import annotations

import json
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from graders.platforms import BuildError
from graders.platforms.otter import build, check_question
from graders.spec import load_spec

SELFCHECK = load_spec("selfcheck")
QUESTIONS = [q.id for q in SELFCHECK.questions]


def run(*args: str, cwd: Path) -> subprocess.CompletedProcess:
    result = subprocess.run(args, cwd=cwd, capture_output=True, text=True, timeout=300)
    assert result.returncode == 0, f"{args[:4]} failed:\n{result.stdout[-3000:]}{result.stderr}"
    return result


def otter_run(dist: Path, notebook: Path, out: Path) -> dict:
    """Grade one notebook with `otter run` and return otter's results.json."""
    out.mkdir()
    (autograder,) = (dist / "autograder").glob("*.zip")
    run(sys.executable, "-m", "otter", "run", "-a", str(autograder), "-o", str(out),
        str(notebook), cwd=out)  # fmt: skip
    return json.loads((out / "results.json").read_text())


def scores(results: dict) -> dict[str, float]:
    return {t["name"]: t["score"] for t in results["tests"] if "score" in t}


def sources(path: Path) -> list[str]:
    """The text of each cell of a notebook."""
    return ["".join(c["source"]) for c in json.loads(path.read_text())["cells"]]


@pytest.fixture(scope="module")
def dist(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """`dlgrade build otter`, then `otter assign` (which runs the tests on the solutions)."""
    pytest.importorskip("otter")
    folder = tmp_path_factory.mktemp("otter")
    run(sys.executable, "-m", "graders.cli", "build", "otter", "-a", "selfcheck", "-o",
        str(folder / "master"), cwd=folder)  # fmt: skip
    run(sys.executable, "-m", "otter", "assign", "master/selfcheck.ipynb", "dist", cwd=folder)
    return folder / "dist"


# -- the master notebook ----------------------------------------------------------------------


def test_master_has_one_otter_question_per_spec_question(tmp_path):
    master = sources(build(SELFCHECK, tmp_path))
    configs = [s for s in master if s.startswith("# BEGIN QUESTION")]
    assert [c.split("name: ")[1].split("\n")[0] for c in configs] == QUESTIONS
    assert all("points: 1\n" in c and "all_or_nothing: true" in c for c in configs)
    tests = [s for s in master if "check_question(" in s]
    assert len(tests) == 2 * len(QUESTIONS)  # every question has public and hidden checks
    assert sum(t.startswith("# HIDDEN") for t in tests) == len(QUESTIONS)


def test_solution_cells_hold_the_reference_and_the_template_stub(tmp_path):
    master = sources(build(SELFCHECK, tmp_path))
    softmax = next(s for s in master if "def softmax" in s)
    solution, prompt = softmax.split("# END SOLUTION")
    assert "np.max(z, axis=-1, keepdims=True)" in solution  # reference/activations.py
    assert "e = np.exp(z)" in prompt  # the template's buggy version, for students to fix
    mse = next(s for s in master if "def mse(" in s)
    assert "def _check_same_shape" in mse  # the reference helper mse calls comes along


def test_projects_are_refused_with_a_reason(tmp_path):
    with pytest.raises(BuildError, match="self-check only"):
        build(load_spec("digits"), tmp_path)


def test_check_question_outside_a_notebook_says_where_to_run_it():
    pytest.importorskip("IPython")
    with pytest.raises(AssertionError, match="Jupyter"):
        check_question("selfcheck", "q1", "public")


# -- otter-grader, for real -------------------------------------------------------------------


def test_student_notebook_has_the_stubs_and_public_tests_only(dist):
    text = (dist / "student" / "selfcheck.ipynb").read_text()
    assert 'raise NotImplementedError(\\"Q2: write relu\\")' in text
    assert "np.maximum" not in text  # no reference code
    assert "Q1_ANSWER = 2.0" not in text
    assert "'public')" in text
    assert "hidden=True" not in text


def test_reference_scores_full_marks(dist, tmp_path):
    results = otter_run(dist, dist / "autograder" / "selfcheck.ipynb", tmp_path / "out")
    assert scores(results) == dict.fromkeys(QUESTIONS, 1.0)


def test_template_scores_zero_with_dlgrade_feedback(dist, tmp_path):
    results = otter_run(dist, dist / "student" / "selfcheck.ipynb", tmp_path / "out")
    assert scores(results) == dict.fromkeys(QUESTIONS, 0.0)
    output = "\n".join(t["output"] for t in results["tests"])
    assert "relu is not written yet" in output
    assert "softmax without subtracting the row max" in output  # a known mistake, named


def test_a_wrong_answer_loses_exactly_its_question(dist, tmp_path):
    notebook = json.loads((dist / "autograder" / "selfcheck.ipynb").read_text())
    for cell in notebook["cells"]:
        source = "".join(cell["source"])
        if 'Q4_ANSWER = "B"' in source:  # right on the public check (a letter), wrong on hidden
            cell["source"] = source.replace('Q4_ANSWER = "B"', 'Q4_ANSWER = "A"')
    wrong = tmp_path / "wrong" / "selfcheck.ipynb"
    wrong.parent.mkdir()
    wrong.write_text(json.dumps(notebook))
    results = otter_run(dist, wrong, tmp_path / "out")
    assert scores(results) == {**dict.fromkeys(QUESTIONS, 1.0), "q4": 0.0}
    q4 = next(t["output"] for t in results["tests"] if t["name"] == "q4")
    assert "sigmoid confused with softmax" in q4, textwrap.shorten(q4, 500)

"""Writing assignments: `dlgrade new`, `validate`, `template`, and errors that point at a line."""

from __future__ import annotations

import shutil
from pathlib import Path

import nbformat
import pytest

from graders.authoring import notebook, template_script
from graders.cli import main
from graders.spec import SpecError, load_spec
from graders.specfile import available
from tests.conftest import scaffold

MNIST = Path(__file__).resolve().parents[3] / "shared" / "data" / "mnist"


@pytest.fixture
def new(tmp_path: Path) -> Path:
    """A freshly scaffolded assignment, as `dlgrade new week3 -o DIR` makes it."""
    return scaffold(tmp_path / "week3")


def edit(path: Path, old: str, new: str) -> None:
    text = path.read_text(encoding="utf-8")
    assert old in text, f"{old!r} is not in {path}"
    path.write_text(text.replace(old, new, 1), encoding="utf-8")


@pytest.mark.parametrize("name", available())
def test_every_built_in_template_is_up_to_date(name: str) -> None:
    assert main(["template", "-a", name, "--check"]) == 0


def test_a_new_assignment_validates_as_it_is(new: Path, capsys) -> None:
    assert sorted(p.name for p in new.iterdir()) == [
        "README.md",
        "contracts.py",
        "hidden.py",
        "reference",
        "spec.toml",
        "template",
    ]
    assert (new / "template" / "week3.ipynb").is_file()
    capsys.readouterr()
    assert main(["validate", str(new)]) == 0
    out = capsys.readouterr().out
    spec = load_spec(new)
    mistakes = sum(len(f.mistakes) for f in spec.functions.values())
    mistakes += sum(len(a.wrong) for a in spec.answers.values())
    assert f"{mistakes + 4}/{mistakes + 4} proved" in out
    assert "mistake leaky_relu_plain_relu loses q1 only and is named" in out


def test_validate_reports_a_mistake_the_checks_do_not_catch(new: Path, capsys) -> None:
    # A "mistake" that is right on every input: no check can catch it, and validate says so.
    edit(new / "contracts.py", '"np.maximum(z, 0)",', '"np.where(z > 0, z, alpha * z) + 0.0",')
    assert main(["validate", str(new)]) == 1
    out = " ".join(capsys.readouterr().out.split())
    assert "lost nothing" in out
    assert "to fix" in out


def test_validate_reports_a_reference_that_is_wrong(new: Path, capsys) -> None:
    edit(new / "reference" / "week3.py", "np.where(z > 0, z, alpha * z)", "np.maximum(z, 0)")
    assert main(["validate", str(new)]) == 1
    assert "scored 1" in capsys.readouterr().out


def test_template_check_finds_a_stale_template_and_rewrites_it(new: Path, capsys) -> None:
    edit(new / "spec.toml", "with the shape of `z`.", "with the shape of `z` (any shape).")
    assert main(["template", "-a", str(new), "--check"]) == 1
    assert "out of date" in capsys.readouterr().err
    assert main(["template", "-a", str(new)]) == 0
    assert "(any shape)" in (new / "template" / "week3.py").read_text()
    assert main(["template", "-a", str(new), "--check"]) == 0


def test_the_template_is_made_from_the_spec_and_the_contracts(new: Path) -> None:
    script = template_script(load_spec(new))
    assert script.startswith("# %%\n# # week3: leaky ReLU\n")
    assert 'def leaky_relu(z, alpha):\n    """Return z where z > 0, else alpha * z."""' in script
    assert 'raise NotImplementedError("Q1: write leaky_relu")' in script
    assert "Q2_ANSWER = None" in script
    book = nbformat.reads(notebook(script), as_version=4)
    assert [c.cell_type for c in book.cells] == ["markdown", "code"] * 3


def test_the_template_is_spaced_as_ruff_formats_it(new: Path) -> None:
    # The scaffold's first question opens with a definition: two blank lines before it, one
    # before a first question that opens with an assignment (the self-check's Q1_ANSWER).
    assert "import numpy as np\n\n\n# %%\n" in template_script(load_spec(new))
    assert "import numpy as np\n\n# %%\n" in template_script(load_spec("selfcheck"))


def test_a_fix_question_starts_from_its_starter_mistake() -> None:
    script = template_script(load_spec("selfcheck"))
    softmax = load_spec("selfcheck").functions["softmax"]
    body = softmax.mistake(softmax.starter).source(softmax).split("\n", 1)[1]
    assert body in script


def test_new_refuses_a_folder_in_use_and_a_bad_name(tmp_path: Path, capsys) -> None:
    (tmp_path / "used").mkdir()
    (tmp_path / "used" / "notes.txt").write_text("mine")
    assert main(["new", "week3", "-o", str(tmp_path / "used")]) == 2
    assert "not empty" in capsys.readouterr().err
    assert main(["new", "week-3", "-o", str(tmp_path / "x")]) == 2
    assert "not a valid name" in capsys.readouterr().err


# -- errors found when the assignment loads, naming the file and the line ----------------------


def spec_error(folder: Path) -> str:
    with pytest.raises(SpecError) as caught:
        load_spec(folder)
    return str(caught.value)


def test_an_unknown_function_is_named_with_its_line(new: Path) -> None:
    edit(new / "spec.toml", 'functions = ["leaky_relu"]', 'functions = ["leaky_rleu"]')
    message = spec_error(new)
    line = next(
        n
        for n, text in enumerate((new / "spec.toml").read_text().splitlines(), 1)
        if "leaky_rleu" in text
    )
    assert f"spec.toml:{line}: q1: no contract for 'leaky_rleu' (declared: leaky_relu)" in message


def test_an_unknown_check_is_named_with_what_exists(new: Path) -> None:
    edit(
        new / "spec.toml",
        'answers = ["Q2_ANSWER"]',
        'answers = ["Q2_ANSWER"]\nchecks = ["check_x"]',
    )
    message = spec_error(new)
    assert "no check named 'check_x'" in message
    assert "check_fit_predict_accuracy" in message


def test_a_broken_contracts_module_is_named_with_its_line(new: Path) -> None:
    edit(new / "contracts.py", "Z = np.array(", "Z = undefined_name + np.array(")
    message = spec_error(new)
    line = next(
        n
        for n, text in enumerate((new / "contracts.py").read_text().splitlines(), 1)
        if "undefined_name" in text
    )
    assert f"contracts.py:{line}: NameError" in message


def test_a_contract_that_does_not_hold_together_is_refused(new: Path) -> None:
    edit(new / "contracts.py", '"np.maximum(z, 0)",', '"np.maximum(z, 0",')
    assert "mistake leaky_relu_plain_relu's code" in spec_error(new)


def test_a_reference_without_a_graded_name_is_refused(new: Path) -> None:
    edit(new / "reference" / "week3.py", 'Q2_ANSWER = "B"', "")
    assert "the reference does not define Q2_ANSWER" in spec_error(new)


def test_a_declared_function_no_question_grades_is_refused(new: Path) -> None:
    edit(new / "spec.toml", 'functions = ["leaky_relu"]\n', "")
    edit(new / "spec.toml", 'id = "q1"', 'id = "q1"\nanswers = ["Q2_ANSWER"]')
    assert "leaky_relu is declared but no question grades it" in spec_error(new)


def test_a_public_property_in_hidden_py_is_refused(new: Path) -> None:
    edit(new / "hidden.py", '    visibility="hidden",\n', "")
    assert "is declared public in hidden.py" in spec_error(new)


def test_an_assignment_folder_anywhere_is_graded_like_a_built_in_one(new: Path, tmp_path) -> None:
    moved = shutil.copytree(new, tmp_path / "elsewhere" / "week3")
    work = tmp_path / "work"
    work.mkdir()
    shutil.copy(moved / "reference" / "week3.py", work / "week3.py")
    assert main(["check", str(work / "week3.py"), "-a", str(moved), "--format", "json"]) == 0


# -- the built-in assignments prove themselves ------------------------------------------------


@pytest.mark.parametrize("name", available())
def test_built_in_assignment_validates(name: str, capsys) -> None:
    spec = load_spec(name)
    argv = ["validate", name]
    if spec.training:  # projects train: on a sample, without the accuracy bar
        argv.append("--quick")
    if spec.training.get("data") == "mnist":
        if not MNIST.is_dir():
            pytest.skip("the MNIST files of ../shared/data/mnist are not here")
        argv += ["--data", str(MNIST)]
    code = main(argv)
    assert code == 0, capsys.readouterr().out


def test_two_gradings_compare_without_the_time_and_memory_they_took() -> None:
    from dataclasses import replace

    from graders.authoring import comparable
    from graders.verdict import Report

    measured = {"accuracy": 0.91, "training_cpu_seconds": 12.5, "peak_memory_mb": 89.0}
    first = Report("a", "A", "s.py", "jail", (), 1.0, seconds=3.2, metrics=measured)
    took = {"training_cpu_seconds": 11.0, "peak_memory_mb": 88.8}
    again = replace(first, seconds=2.9, metrics={**measured, **took})
    assert comparable(again) == comparable(first)
    assert comparable(replace(first, metrics={**first.metrics, "accuracy": 0.9})) != comparable(
        first
    )


def test_validate_says_where_two_gradings_differ() -> None:
    from graders.authoring import first_difference

    report = {"score": 12, "questions": [{"id": "q1", "checks": [{"message": ""}]}]}
    changed = {"score": 12, "questions": [{"id": "q1", "checks": [{"message": "relu hung"}]}]}
    assert first_difference(report, report) == ""
    assert first_difference(report, changed) == (
        "report.questions[0].checks[0].message: '', then 'relu hung'"
    )
    assert first_difference({"a": 1}, {"a": 1, "b": 2}) == "report.b: 'None', then '2'"

"""`dlgrade build student-kit`: what students download to check their work offline.

The kit is a folder a student works in: the template (.py and .ipynb), the assignment's
README, a pytest file, and a copy of the grader's public half (the engine and the CLI) with
the assignment's public half: its contracts (examples, public properties, known mistakes),
a spec without anything hidden, and the reference's outcomes on the diagnostic inputs, so
the kit names known mistakes offline. What never goes in: the reference, the assignment's
hidden.py, hidden checks in the spec, the known wrong answers of the letter and number
questions (listing three wrong letters out of four names the right one), and the
instructor's tools.
"""

from __future__ import annotations

import ast
import json
import shutil
from pathlib import Path
from typing import Any

from graders.checks.diagnose import stored_outcomes, write_outcomes
from graders.platforms import BuildError
from graders.spec import Spec
from graders.specfile import read_raw

ROOT = Path(__file__).resolve().parents[2]
# The grader's public half: enough to run `dlgrade check` in student mode, the kit's pytest
# file, and the runtime of otter's tests (for courses that hand out otter notebooks).
KIT_MODULES = ("__init__.py", "__main__.py", "cli.py", "grading.py", "spec.py", "specfile.py",
               "submission.py", "files.py", "source.py", "verdict.py", "contract.py",
               "inputs.py", "strategies.py", "threads.py", "pytest_support.py",
               "platforms/__init__.py", "platforms/otter.py")  # fmt: skip
KIT_PACKAGES = ("checks", "sandbox", "render", "data")
DEPENDENCIES = ("numpy>=1.24", "hypothesis>=6.80", "rich>=13", "nbformat>=5.7", "jinja2>=3.1",
                "tomli>=2; python_version < '3.11'")  # fmt: skip
PROJECT_DEPENDENCIES = ("scikit-learn>=1.2", "matplotlib>=3.6")


def public_spec(raw: dict[str, Any], spec: Spec) -> dict[str, Any]:
    """The spec as a student may see it: public checks only, known wrong answers removed."""
    hidden = {c.name for q in spec.questions for c in q.checks if c.visibility == "hidden"}

    def public_checks(question: dict[str, Any]) -> list[Any]:
        named = (c if isinstance(c, str) else c["name"] for c in question.get("checks", ()))
        return [
            c for c, n in zip(question.get("checks", ()), named, strict=True) if n not in hidden
        ]

    return {
        **{k: v for k, v in raw.items() if k not in ("questions", "answers", "reference")},
        "student_kit": True,
        "template": "../..",  # the kit's own folder holds the template
        "questions": [{**q, "checks": public_checks(q)} for q in raw["questions"]],
        # The letter questions keep their options (their form check needs them), nothing more.
        "answers": {
            name: {k: v for k, v in key.items() if k in ("kind", "options")}
            for name, key in raw.get("answers", {}).items()
        },
    }


def mistake_code_spans(tree: ast.AST) -> list[ast.expr]:
    """The code argument of every `Mistake(...)` call in a module."""
    found = []
    for node in ast.walk(tree):
        if not isinstance(node, ast.Call):
            continue
        if getattr(node.func, "id", getattr(node.func, "attr", "")) != "Mistake":
            continue
        found += node.args[3:4] + [k.value for k in node.keywords if k.arg == "code"]
    return found


def public_contracts(source: str) -> str:
    """The assignment's contracts.py as a kit carries it: every mistake's code blanked (a
    wrong implementation is often the right one with a single slip, so its code would
    show students the answer), its name and hint kept; the rest as written, comments too.
    The kit names mistakes from their stored outcomes instead."""
    lines = source.splitlines(keepends=True)
    starts = [0]
    for line in lines:
        starts.append(starts[-1] + len(line))

    def offset(line: int, column: int) -> int:
        return starts[line - 1] + len(lines[line - 1].encode()[:column].decode())

    text = source
    spans = mistake_code_spans(ast.parse(source))
    for node in sorted(spans, key=lambda n: (n.lineno, n.col_offset), reverse=True):
        begin = offset(node.lineno, node.col_offset)
        end = offset(node.end_lineno, node.end_col_offset)
        text = f'{text[:begin]}""{text[end:]}'
    return text


def build(spec: Spec, output: Path, *, allow_process: bool = False) -> Path:
    """Write the kit for `spec` into the folder `output` (which must not exist or be empty)."""
    del allow_process  # a kit runs on the student's own machine, with what isolation it has
    if spec.template_path is None:
        raise BuildError(f"{spec.name} has no template to give students")
    templates = [spec.template_path.with_suffix(suffix) for suffix in (".py", ".ipynb")]
    missing = [str(path) for path in templates if not path.is_file()]
    if missing:
        raise BuildError(f"the template is missing: {', '.join(missing)}")
    if output.exists() and (not output.is_dir() or any(output.iterdir())):
        raise BuildError(f"{output} already exists and is not an empty folder; pick a new one")
    raw, _ = read_raw(spec.folder)
    output.mkdir(parents=True, exist_ok=True)
    _copy_grader(output / "graders")
    assignment = output / "assignments" / spec.name
    assignment.mkdir(parents=True)
    text = json.dumps(public_spec(raw, spec), indent=2)
    (assignment / "spec.json").write_text(text, encoding="utf-8")
    if (spec.folder / "README.md").is_file():
        shutil.copy2(spec.folder / "README.md", assignment / "README.md")
    if (spec.folder / "contracts.py").is_file():
        source = (spec.folder / "contracts.py").read_text(encoding="utf-8")
        (assignment / "contracts.py").write_text(public_contracts(source), encoding="utf-8")
    if spec.reference is not None:
        write_outcomes(assignment, stored_outcomes(spec.functions, spec.reference))
    for template in templates:
        shutil.copy2(template, output / f"{spec.entry}{template.suffix}")
    (output / f"test_{spec.entry}.py").write_text(_pytest_file(spec), encoding="utf-8")
    (output / "pyproject.toml").write_text(_pyproject(spec), encoding="utf-8")
    (output / "README.md").write_text(_readme(spec), encoding="utf-8")
    return output


def _copy_grader(target: Path) -> None:
    """The public modules and packages of `graders`, without caches."""
    source = ROOT / "graders"
    target.mkdir()
    for name in KIT_MODULES:
        (target / name).parent.mkdir(exist_ok=True)
        shutil.copy2(source / name, target / name)
    ignore = shutil.ignore_patterns("__pycache__", "*.pyc")
    for package in KIT_PACKAGES:
        shutil.copytree(source / package, target / package, ignore=ignore)


def _is_project(spec: Spec) -> bool:
    return bool(spec.training)


def _pyproject(spec: Spec) -> str:
    """A pyproject so that `pip install .` in the kit gives the `dlgrade` command."""
    dependencies = [*DEPENDENCIES, *(PROJECT_DEPENDENCIES if _is_project(spec) else ())]
    listed = "".join(f"    {json.dumps(d)},\n" for d in dependencies)
    return f"""[build-system]
requires = ["setuptools>=64"]
build-backend = "setuptools.build_meta"

[project]
name = "dlgrade-kit-{spec.name.replace("_", "-")}"
version = "{_version()}"
description = "Offline public checks for: {spec.title}"
requires-python = ">=3.10"
dependencies = [
{listed}]

[project.scripts]
dlgrade = "graders.cli:run"

[tool.setuptools.packages.find]
include = ["graders*", "assignments*"]

[tool.setuptools.package-data]
"*" = ["*.json", "*.md", "*.py", "*.bin"]
"graders.render" = ["templates/*.j2"]
"""


def _pytest_file(spec: Spec) -> str:
    """A test module with one pytest test per question, failing with the report's feedback."""
    return f'''"""The public checks of "{spec.title}" as pytest tests.

Run `pytest` in this folder. It grades {spec.entry}.py or {spec.entry}.ipynb (keep only the
one you work in: with both here it will not guess; or set DLGRADE_SUBMISSION to a file) and
reports one test per question, with the same messages and hints as `dlgrade check`. Hidden
checks also run when your work is graded.
"""

from pathlib import Path

import pytest

from graders.pytest_support import (
    grade_public,
    question_failure,
    question_params,
    question_pending,
)

ASSIGNMENT = "{spec.name}"
HERE = Path(__file__).resolve().parent


@pytest.fixture(scope="module")
def report():
    return grade_public(ASSIGNMENT, HERE)


@pytest.mark.parametrize("question", question_params(ASSIGNMENT))
def test_question(report, question):
    failure = question_failure(report, question)
    if failure:
        pytest.fail(failure, pytrace=False)
    if question_pending(report, question):
        pytest.skip("format OK, graded at submission: only the hidden checks judge the answer")
'''


def _readme(spec: Spec) -> str:
    entry = spec.entry
    notes = []
    if _is_project(spec):
        notes.append(
            "This project also needs scikit-learn and matplotlib (`pip install .` installs them)."
        )
    if spec.training.get("framework") == "torch":
        notes.append(
            "This track uses PyTorch: install it the way pytorch.org says for your machine "
            "(the grader itself does not need it)."
        )
    if spec.training.get("data") == "mnist":
        notes.append(
            "It trains on MNIST: `dlgrade data mnist --download` fetches the files once, or "
            "pass `--data DIR` to `dlgrade check` if you already have them."
        )
    extra = "".join(f"\n{note}\n" for note in notes)
    return f"""# {spec.title}: student kit

Everything you need to work on this assignment and check it on your own machine, offline.

- `{entry}.py` and `{entry}.ipynb`: the questions, with stubs to fill in (use either one,
  and delete the other: `pytest` grades the one left, and refuses to guess between two);
- `assignments/{spec.name}/README.md`: what the assignment asks and how it is graded;
- `test_{entry}.py`: the same checks as pytest tests;
- `graders/`: the public half of the grader that runs your code and checks it.

## Set up once

Python 3.10 or newer, then in this folder:

```
pip install .
```
{extra}
## Check your work

```
dlgrade check {entry}.py          # or {entry}.ipynb
python -m graders check {entry}.py   # the same, without installing the command
pytest                            # one test per question
```

Each question gets a line with what was checked, what your code returned, and a hint; when
your result matches a well-known mistake, the report names it. `dlgrade check` exits with 0
when you reach the pass mark and 1 otherwise, so it also works in scripts and CI.

## What this kit does not tell you

Only the **public** checks run here. When your work is graded, **hidden** checks run as
well: they compare your code with a reference solution on many generated inputs, edge cases
included. Passing every public check is a good sign, not a guarantee. Your code runs in a
separate process with time limits; a function that hangs fails only the questions using it.
"""


def _version() -> str:
    from importlib.metadata import PackageNotFoundError, version

    try:
        return version("dlgrade")
    except PackageNotFoundError:
        return "0.0.0"

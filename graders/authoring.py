"""Writing assignments: the template from the spec, a proof that the checks catch what they
mean to catch, and a new assignment to start from.

- `template_script(spec)`: the student's `.py` from the spec's text and the contracts' stubs
  (a fix question starts from its starter mistake's code); `notebook(script)` makes the
  `.ipynb` from any template script.
- `validate(spec)`: the reference gets full marks, the template gets nothing, every known
  mistake loses exactly its own question and is named, nothing hidden reaches the student
  kit, and grading twice gives the same report.
- `scaffold(name, folder)`: a small complete assignment that validates as it is.
"""

from __future__ import annotations

import ast
import json
import shutil
import tempfile
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import nbformat

from graders.spec import Spec, load_spec

CELL = "# %%"


# -- templates -----------------------------------------------------------------------------


def commented(markdown: str) -> list[str]:
    """Markdown as the comment block of a percent-format cell."""
    return [f"# {line}" if line else "#" for line in markdown.strip("\n").splitlines()]


def generated(spec: Spec) -> bool:
    """True when the spec holds the template's text: a preamble and every question's prompt."""
    return bool(spec.preamble) and all(q.prompt for q in spec.questions)


def template_script(spec: Spec) -> str:
    """The student's template as a percent-format script: one cell per question."""
    cells = [[*commented(spec.preamble), "import numpy as np"]]
    for question in spec.questions:
        code: list[str] = []
        for name in question.functions:
            stub = spec.functions[name].stub(f"Q{question.number}")
            code += [*([""] * 2 if code else []), *stub.rstrip("\n").splitlines()]
        for name in question.answers:
            code += [*([""] * 2 if code else []), f"{name} = None"]
        if question.explanation:
            code.append(f'{question.explanation} = ""')
        cells.append([*commented(question.prompt), *code])
    blocks = ["\n".join([CELL, *cell]) for cell in cells]
    # As ruff formats them: two blank lines between definitions, and after the imports one,
    # or two when the first question opens with a definition.
    first_code = next((line for cell in cells[1:2] for line in cell if line[:1] != "#"), "")
    after_imports = "\n\n\n" if first_code.startswith(("def ", "class ")) else "\n\n"
    return blocks[0] + after_imports + "\n\n\n".join(blocks[1:]) + "\n"


def _trim(lines: list[str]) -> list[str]:
    """Lines without blank ones at either end."""
    while lines and not lines[0].strip():
        lines = lines[1:]
    while lines and not lines[-1].strip():
        lines = lines[:-1]
    return lines


def notebook(script: str) -> str:
    """The notebook of a percent-format script: each cell's leading comment block becomes a
    markdown cell, the rest a code cell. Cell ids are fixed, so the file is reproducible."""
    blocks: list[list[str]] = [[]]
    for line in script.splitlines():
        if line.startswith(CELL):
            blocks.append([])
        else:
            blocks[-1].append(line)
    cells = []
    for block in blocks:
        lines = _trim(block)
        if not lines:
            continue
        head = 0
        while head < len(lines) and lines[head].startswith("#"):
            head += 1
        markdown = [line[2:] if line.startswith("# ") else line[1:] for line in lines[:head]]
        code = _trim(lines[head:])
        if markdown:
            cells.append(nbformat.v4.new_markdown_cell("\n".join(markdown)))
        if code:
            cells.append(nbformat.v4.new_code_cell("\n".join(code)))
    for index, cell in enumerate(cells):
        cell.id = f"cell-{index:02d}"
    book = nbformat.v4.new_notebook(
        cells=cells,
        metadata={
            "kernelspec": {"display_name": "Python 3", "language": "python", "name": "python3"},
            "language_info": {"name": "python"},
        },
    )
    nbformat.validate(book)
    return nbformat.writes(book) + "\n"


def template_files(spec: Spec, script: Path) -> dict[Path, str]:
    """What the template's files should hold: the script (when the spec generates it) and
    its notebook."""
    text = template_script(spec) if generated(spec) else script.read_text(encoding="utf-8")
    files = {script.with_suffix(".ipynb"): notebook(text)}
    if generated(spec):
        files[script] = text
    return files


# -- validation ------------------------------------------------------------------------------


@dataclass(frozen=True)
class Finding:
    """One line of `dlgrade validate`'s table."""

    claim: str  # what was proved, or tried: "mistake softmax_no_max_shift is caught"
    ok: bool
    detail: str = ""


Grader = Callable[[Path], Any]  # grades a submission path, returns a Report


def question_of(spec: Spec, name: str) -> str:
    """The id of the question that grades `name`."""
    return next(q.id for q in spec.questions if name in q.names)


def swapped(reference: Path, entry: str, folder: Path, replacement: str) -> Path:
    """A copy of the reference submission with `replacement` appended to its entry module
    (a later `def` or assignment replaces the reference's name), as a student would hand in."""
    shutil.copytree(reference.parent, folder, ignore=shutil.ignore_patterns("__pycache__"))
    target = folder / f"{entry}.py"
    if reference.name != target.name:
        shutil.copy(reference, target)
    with target.open("a", encoding="utf-8") as file:
        file.write(f"\n\nimport numpy as np  # noqa\n\n{replacement}\n")
    return folder


def mistake_cases(spec: Spec) -> Iterator[tuple[str, str, str]]:
    """(mistake id, question id, code) for every known mistake that has an implementation:
    wrong functions from the contracts, wrong values of the answers."""
    for name, function in spec.functions.items():
        for mistake in function.mistakes:
            if mistake.code:
                yield mistake.id, question_of(spec, name), mistake.source(function)
    for name, answer in spec.answers.items():
        for value, mistake_id in answer.wrong:
            yield mistake_id, question_of(spec, name), f"{name} = {value!r}"


def named(report: Any, question_id: str) -> set[str]:
    """Every mistake the question's verdicts name."""
    question = next(q for q in report.questions if q.id == question_id)
    return {m for v in question.verdicts for m in (v.misconception, *v.also) if m}


def comparable(report: Any) -> dict[str, Any]:
    """A report without what may change between two gradings of the same work (the time and
    memory the run took)."""
    data = report.to_dict()
    data.pop("seconds")
    # Neither is part of a grade: training's CPU seconds and the child's peak memory vary
    # from run to run by what else the machine is doing and when pages are counted.
    data["metrics"] = {
        k: v for k, v in data["metrics"].items() if "seconds" not in k and "memory" not in k
    }
    for question in data["questions"]:
        for check in question["checks"]:
            check.pop("seconds")
    return data


def first_difference(first: Any, second: Any, at: str = "report") -> str:
    """Where two reports (as data) first differ, and how; "" when they are equal."""
    if isinstance(first, dict) and isinstance(second, dict):
        for key in [*first, *(k for k in second if k not in first)]:
            found = first_difference(first.get(key), second.get(key), f"{at}.{key}")
            if found:
                return found
        return ""
    if isinstance(first, list) and isinstance(second, list) and len(first) == len(second):
        for index, (one, other) in enumerate(zip(first, second, strict=True)):
            found = first_difference(one, other, f"{at}[{index}]")
            if found:
                return found
        return ""
    return "" if first == second else f"{at}: {str(first)[:80]!r}, then {str(second)[:80]!r}"


def validate(spec: Spec, grade: Grader, *, quick: bool = False) -> list[Finding]:
    """Prove what an assignment claims; every Finding that is not ok is a defect to fix."""
    findings: list[Finding] = []
    if spec.reference_path is None:
        return [Finding("the reference solution is found", False, "set `reference` in the spec")]
    reference = grade(spec.reference_submission)
    full = reference.score == reference.max_score and reference.graded
    lost = [*reference.errors[:1], reference.load_error[:200]] if reference.load_error else []
    lost += [f"{q.id}: {q.first_failure.message[:160]}" for q in reference.questions if q.failures]
    findings.append(
        Finding(
            f"the reference scores {spec.max_score:g}/{spec.max_score:g}",
            full,
            f"scored {reference.score:g}" + (f"; {'; '.join(lost[:3])}" if lost else "")
            + (" (quick: accuracy thresholds not applied)" if quick and spec.training else ""),
        )
    )  # fmt: skip
    if spec.template_path is not None:
        template = grade(spec.template_path)
        passed = [q.id for q in template.questions if q.points]
        findings.append(
            Finding(
                "the template scores 0",
                template.score == 0 and template.graded,
                f"scored {template.score:g}" + (f" ({', '.join(passed)})" if passed else ""),
            )
        )
    with tempfile.TemporaryDirectory(prefix="dlgrade-validate-") as scratch:
        for number, (mistake_id, question_id, code) in enumerate(mistake_cases(spec)):
            folder = Path(scratch) / f"mistake-{number}"
            report = grade(swapped(spec.reference_path, spec.entry, folder, code))
            failed = [q.id for q in report.questions if not q.passed]
            seen = ", ".join(sorted(named(report, question_id))) or "nothing"
            findings.append(
                Finding(
                    f"mistake {mistake_id} loses {question_id} only and is named",
                    failed == [question_id] and mistake_id in named(report, question_id),
                    f"lost {', '.join(failed) or 'nothing'}; named {seen}",
                )
            )
        findings += kit_findings(spec, Path(scratch) / "kit")
    again = grade(spec.reference_submission) if not spec.training or quick else reference
    differs = first_difference(comparable(reference), comparable(again))
    findings.append(
        Finding(
            "grading the same work twice gives the same report",
            not differs,
            "skipped: the project trains (run without --quick to compare two trainings)"
            if again is reference else differs or "compared the reference's reports",
        )
    )  # fmt: skip
    return findings


def kit_findings(spec: Spec, folder: Path) -> list[Finding]:
    """Build the student kit and look in it for anything hidden."""
    from graders.platforms import BuildError
    from graders.platforms.student_kit import build

    try:
        kit = build(spec, folder)
    except BuildError as error:
        return [Finding("the student kit builds", False, f"{error}")]
    leaks = kit_leaks(spec, kit)
    return [Finding("nothing hidden is in the student kit", not leaks, "; ".join(leaks[:5]))]


def kit_leaks(spec: Spec, kit: Path) -> list[str]:
    """What in a built kit a student must not see: the reference's code, hidden.py, hidden
    check names, the answers' known wrong values."""
    hidden = {c.name for q in spec.questions for c in q.checks if c.visibility == "hidden"}
    secrets = reference_lines(spec) | mistake_lines(spec)
    leaks = []
    for path in sorted(p for p in kit.rglob("*") if p.is_file() and "__pycache__" not in p.parts):
        shown = path.relative_to(kit).as_posix()
        if path.name == "hidden.py" or shown.startswith("reference/"):
            leaks.append(f"{shown} is in the kit")
            continue
        if path.suffix not in (".py", ".json", ".md", ".ipynb", ".toml"):
            continue
        text = path.read_text(encoding="utf-8")
        lines = {line.strip() for line in text.splitlines()}
        if path.suffix == ".ipynb":
            cells = json.loads(text)["cells"]
            lines = {ln.strip() for c in cells for ln in "".join(c["source"]).splitlines()}
        leaks += [f"{shown} names the hidden check {name}" for name in hidden if name in text]
        leaks += [f"{shown} holds the reference's line {line!r}" for line in lines & secrets]
        if path.name == "spec.json":
            answers = json.loads(text).get("answers", {})
            leaks += [
                f"{shown} lists wrong answers of {a}" for a in answers if "wrong" in answers[a]
            ]
    return leaks


def reference_lines(spec: Spec) -> set[str]:
    """Lines of the reference's own code that are worth keeping secret (not in the template)."""
    if spec.reference_path is None:
        return set()
    template = set()
    if spec.template_path is not None:
        text = spec.template_path.read_text(encoding="utf-8")
        template = {line.strip() for line in text.splitlines()}
    found = set()
    for module in reference_modules(spec.reference_path):
        for line in module.read_text(encoding="utf-8").splitlines():
            text = line.strip()
            # Something that says an answer: long enough, code (not a comment, a docstring, a
            # decorator or a bare opener such as `raise ValueError(`).
            plain = not text.startswith(("#", '"', "'", "@", "def ", "from ", "import "))
            if len(text) >= 12 and plain and text[-1] not in "(:":
                found.add(text)
    return found - template


def mistake_lines(spec: Spec) -> set[str]:
    """Lines of the known mistakes' code (often the answer with one slip), except the ones the
    template itself shows (a fix question starts from its starter mistake)."""
    template = set()
    if spec.template_path is not None:
        text = spec.template_path.read_text(encoding="utf-8")
        template = {line.strip() for line in text.splitlines()}
    found = {
        line.strip()
        for function in spec.functions.values()
        for mistake in function.mistakes
        if mistake.code
        for line in mistake.source(function).splitlines()[1:]
        if len(line.strip()) >= 12
    }
    return found - template


def reference_modules(entry: Path) -> list[Path]:
    """The reference's entry module and the neighbours it imports (its own code)."""
    tree = ast.parse(entry.read_text(encoding="utf-8"))
    imported = {
        name.split(".")[0]
        for node in ast.walk(tree)
        for name in (
            [a.name for a in node.names] if isinstance(node, ast.Import)
            else [node.module or ""] if isinstance(node, ast.ImportFrom) and not node.level
            else []
        )
    }  # fmt: skip
    neighbours = [entry.parent / f"{name}.py" for name in sorted(imported)]
    return [entry, *(path for path in neighbours if path.is_file())]


# -- a new assignment -------------------------------------------------------------------------

SCAFFOLD = Path(__file__).resolve().parent / "scaffold"


def scaffold(name: str, folder: Path) -> Path:
    """A new assignment folder: spec, contracts, hidden properties, reference, README and the
    template made from them. It validates as it is; edit it from there."""
    if not name.isidentifier():
        raise ValueError(f"{name!r} is not a valid name: use letters, digits and _ (e.g. week3)")
    if folder.exists() and any(folder.iterdir()):
        raise ValueError(f"{folder} already exists and is not empty; pick a new folder")
    for source in sorted(SCAFFOLD.rglob("*")):
        if source.is_dir() or "__pycache__" in source.parts:
            continue
        target = folder / source.relative_to(SCAFFOLD)
        target.parent.mkdir(parents=True, exist_ok=True)
        target = target.with_name(target.name.replace("entry", name))
        text = source.read_text(encoding="utf-8").replace("{{name}}", name)
        target.write_text(text, encoding="utf-8")
    spec = load_spec(folder)
    for path, text in template_files(spec, folder / "template" / f"{name}.py").items():
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
    return folder

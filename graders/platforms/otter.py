"""`dlgrade build otter`: an otter-grader master notebook whose tests call dlgrade.

Each dlgrade question becomes an otter question worth the spec's points, all or nothing:
a public test case runs the question's public checks, a hidden one its hidden checks.
Otter runs tests inside the notebook's own kernel, so `check_question` takes the code
that kernel ran (IPython's input history, minus otter's calls), grades it in a dlgrade
sandbox child, and fails the otter test with dlgrade's messages and hints.
"""

from __future__ import annotations

import ast
import dataclasses
import functools
import json
from pathlib import Path

from graders.platforms import BuildError
from graders.render.inert import display_text
from graders.render.plain import failure_parts
from graders.sandbox.job import Code
from graders.source import bound_names
from graders.spec import Question, Spec
from graders.verdict import QuestionResult

ROOT = Path(__file__).resolve().parents[2]

# -- build: the master notebook ---------------------------------------------------------------


def build(spec: Spec, output: Path, *, allow_process: bool = False) -> Path:
    """Write `<output>/<entry>.ipynb`, a master notebook for `otter assign`, and return its path."""
    # The notebook itself already runs unjailed in otter's kernel; the checks use the jail
    # where it works and a plain process otherwise, so there is nothing to allow.
    del allow_process
    if output.exists() and not output.is_dir():
        raise BuildError(f"{output}: otter's master notebook goes in a folder; give a folder name")
    if spec.training:
        raise BuildError(
            f"otter: '{spec.name}' is a project with a training budget; `dlgrade build otter` "
            "supports the self-check only (small functions and answers graded in seconds). "
            "Grade projects with `dlgrade grade` or `dlgrade build gradescope`"
        )
    template = ROOT / "student_template" / f"{spec.entry}.ipynb"
    reference = ROOT / "reference" / f"{spec.entry}.py"
    for path in (template, reference):
        if not path.is_file():
            raise BuildError(f"otter: {path} is missing (build from a dlgrade source checkout)")
    notebook = json.loads(template.read_text(encoding="utf-8"))
    codes = [_source(c) for c in notebook["cells"] if c.get("cell_type") == "code"]
    shared = {n for s in codes if _question_of(s, spec) is None for n in defined_names(s)}
    cells = [_raw(assignment_config(spec)), *_cells(notebook, spec, Reference(reference, shared))]
    for number, cell in enumerate(cells):
        cell.setdefault("id", f"otter-{number:03d}")  # nbformat 4.5 wants an id on every cell
    output.mkdir(parents=True, exist_ok=True)
    written = output / f"{spec.entry}.ipynb"
    text = json.dumps({**notebook, "cells": cells}, indent=1, ensure_ascii=False)
    written.write_text(f"{text}\n", encoding="utf-8")
    return written


def assignment_config(spec: Spec) -> str:
    """Otter's assignment config: exception-based tests, no PDFs."""
    lines = [f"name: {spec.name}", "export_cell:", "  pdf: false", "generate:", "  pdf: false"]
    return "\n".join(["# ASSIGNMENT CONFIG", *lines, "tests:", "  ok_format: false"])


def _cells(notebook: dict, spec: Spec, reference: Reference) -> list[dict]:
    """The template's cells, each question's wrapped in otter's question, solution and tests."""
    cells: list[dict] = []
    pending: list[dict] = []  # markdown since the last code cell: the next question's text
    found = set()
    for cell in notebook["cells"]:
        if cell.get("cell_type") != "code":
            pending.append(cell)
            continue
        question = _question_of(_source(cell), spec)
        if question is None or question.id in found:
            cells += [*pending, cell]
        else:
            found.add(question.id)
            cells += question_block(question, spec, pending, _source(cell), reference)
        pending = []
    missing = [q.id for q in spec.questions if q.id not in found]
    if missing:
        raise BuildError(f"otter: the template has no code cell for {', '.join(missing)}")
    return [*cells, *pending]


def question_block(
    question: Question, spec: Spec, text: list[dict], stub: str, reference: Reference
) -> list[dict]:
    """One otter question: its text, the reference code with the stub as prompt, the tests."""
    config = f"# BEGIN QUESTION\nname: {question.id}\npoints: {question.points:g}\n"
    names = [*question.names, *([question.explanation] if question.explanation else [])]
    solution = solution_cell(reference.code_for(names), stub)
    block = [_raw(f"{config}all_or_nothing: true"), *text]
    block += [_raw("# BEGIN SOLUTION"), _code(solution), _raw("# END SOLUTION")]
    block.append(_raw("# BEGIN TESTS"))
    for visibility in ("public", "hidden"):
        if any(c.visibility == visibility for c in question.checks):
            block.append(_code(test_cell(spec.name, question.id, visibility)))
    return [*block, _raw("# END TESTS"), _raw("# END QUESTION")]


def solution_cell(solution: str, stub: str) -> str:
    """Otter's solution cell: the reference code, then the template's stub as the prompt."""
    # Students get the stub alone; the solution notebook keeps it as an inert string.
    if "'''" in stub:
        raise BuildError("otter: a template cell contains ''', which cannot be quoted as a prompt")
    return (
        f"# BEGIN SOLUTION NO PROMPT\n{solution}\n# END SOLUTION\n"
        f"r''' # BEGIN PROMPT\n{stub.rstrip()}\n''' # END PROMPT"
    )


def test_cell(assignment: str, question_id: str, visibility: str) -> str:
    """An exception-based otter test that passes when dlgrade's checks of that kind pass."""
    marker = "# HIDDEN\n" if visibility == "hidden" else ""
    return (
        f"{marker}def test_{question_id}_{visibility}():\n"
        "    from graders.platforms.otter import check_question\n\n"
        f'    check_question("{assignment}", "{question_id}", "{visibility}")'
    )


def _question_of(source: str, spec: Spec) -> Question | None:
    defined = defined_names(source)
    return next((q for q in spec.questions if defined & set(q.names)), None)


def defined_names(source: str) -> set[str]:
    """The names a piece of code binds at its top level."""
    return {name for node in ast.parse(source).body for name in bound_names(node)}


class Reference:
    """The reference solution's statements, found through the imports of its entry module."""

    def __init__(self, entry: Path, shared: set[str]) -> None:
        self.folder = entry.parent
        self.shared = shared  # names the notebook's other cells define (np)
        self.modules: dict[str, str] = {}  # name -> the module that defines it
        for node in ast.parse(entry.read_text(encoding="utf-8")).body:
            if isinstance(node, ast.ImportFrom) and node.module and not node.level:
                self.modules.update({a.asname or a.name: node.module for a in node.names})
            elif not isinstance(node, ast.Import):
                self.modules.update(dict.fromkeys(bound_names(node), entry.stem))
        self.parsed: dict[str, tuple[str, dict[str, ast.stmt]]] = {}

    def statements(self, module: str) -> tuple[str, dict[str, ast.stmt]]:
        """A module's text and its top-level statements by the names they bind."""
        if module not in self.parsed:
            text = (self.folder / f"{module}.py").read_text(encoding="utf-8")
            nodes: dict[str, ast.stmt] = {}
            for node in ast.parse(text).body:
                for name in bound_names(node):
                    nodes.setdefault(name, node)
            self.parsed[module] = (text, nodes)
        return self.parsed[module]

    def code_for(self, names: list[str]) -> str:
        """The definitions of `names`, with the comments above them and the helpers they use."""
        imports: list[str] = []
        pieces: list[str] = []
        seen: set[int] = set()
        for name in names:
            text, nodes = self.statements(self.modules[name]) if name in self.modules else ("", {})
            if name not in nodes:
                raise BuildError(f"otter: the reference solution does not define {name}")
            queue = [nodes[name]]
            while queue:
                node = queue.pop(0)
                if id(node) in seen:
                    continue
                seen.add(id(node))
                is_import = isinstance(node, (ast.Import, ast.ImportFrom))
                (imports if is_import else pieces).append(_with_comments(text, node))
                used = {n.id for n in ast.walk(node) if isinstance(n, ast.Name)}
                queue += [nodes[u] for u in sorted(used - {*names, *self.shared}) if u in nodes]
        return "\n".join(imports) + "\n\n\n" * bool(imports) + "\n\n\n".join(pieces)


def _first_line(node: ast.stmt) -> int:
    return min([node.lineno, *(d.lineno for d in getattr(node, "decorator_list", ()))])


def _with_comments(text: str, node: ast.stmt) -> str:
    """A statement's source with the block of comment lines just above it."""
    lines = text.splitlines()
    start = _first_line(node) - 1
    while start > 0 and lines[start - 1].lstrip().startswith("#"):
        start -= 1
    return "\n".join(lines[start : node.end_lineno])


def _source(cell: dict) -> str:
    source = cell.get("source", "")
    return "".join(source) if isinstance(source, list) else str(source)


def _raw(text: str) -> dict:
    return {"cell_type": "raw", "metadata": {}, "source": text}


def _code(text: str) -> dict:
    return {
        "cell_type": "code",
        "execution_count": None,
        "metadata": {},
        "outputs": [],
        "source": text,
    }


# -- run: what otter's tests call, inside the notebook's kernel --------------------------------


def check_question(assignment: str, question_id: str, visibility: str) -> None:
    """Grade one question's public or hidden checks; raise AssertionError unless all pass."""
    from graders.spec import load_spec

    code = kernel_code(load_spec(assignment).entry)
    result, isolation, load_error = grade_question(assignment, question_id, visibility, code)
    if not result.passed:
        raise AssertionError(feedback(result, isolation, load_error))


def kernel_code(entry: str) -> Code:
    """The code this IPython kernel has run, cell by cell, without otter's or dlgrade's calls."""
    from IPython import get_ipython

    from graders.source import prepare
    from graders.submission import SubmissionError

    shell = get_ipython()
    if shell is None:
        raise AssertionError(
            "dlgrade's otter tests grade the code your notebook ran: run them in Jupyter "
            "or with `otter run`"
        )
    history = list(shell.history_manager.input_hist_raw)[1:]  # In[0] is always empty
    try:  # the rules of `dlgrade check`: magics, shell escapes and otter's calls are skipped
        prepared = prepare(f"{entry}.ipynb", cells=history)
    except SubmissionError as error:
        raise AssertionError(f"dlgrade: {error}") from None
    # A cell that never compiled never ran in the kernel either.
    pairs = zip(prepared.chunks, prepared.errors, strict=True)
    chunks = (chunk for chunk, error in pairs if not error)
    return Code(entry, tuple(chunks))


@functools.lru_cache(maxsize=128)
def grade_question(
    assignment: str, question_id: str, visibility: str, code: Code
) -> tuple[QuestionResult, str, str]:
    """One question graded on its checks of one visibility, the isolation used, and why the
    notebook's code did not load (if it did not)."""
    from graders.grading import grade
    from graders.sandbox.isolation import Needs, choose, requested
    from graders.spec import load_spec
    from graders.submission import Submission

    spec = load_spec(assignment)
    question = next((q for q in spec.questions if q.id == question_id), None)
    if question is None:
        raise AssertionError(f"dlgrade: {assignment} has no question {question_id!r}")
    checks = tuple(c for c in question.checks if c.visibility == visibility)
    one = dataclasses.replace(spec, questions=(dataclasses.replace(question, checks=checks),))
    choice = choose(requested(), Needs.of(spec))
    submission = Submission(Path(f"{spec.entry}.ipynb"), code)
    report = grade(submission, one, launcher=choice.launcher, notes=(choice.note,))
    return report.questions[0], report.isolation, report.load_error


def feedback(result: QuestionResult, isolation: str, load_error: str = "") -> str:
    """dlgrade's verdicts on a failed question, as the text of otter's failure message."""
    lines = [f"dlgrade Q{result.number}: {result.title} (isolation: {isolation})"]
    if load_error:
        lines.append(f"  your code did not load: {display_text(load_error)}")
    for verdict in () if load_error else result.failures:  # a load error is said once, above
        title, *parts = failure_parts(verdict)
        lines.append(f"  ✗ {title.text}")
        lines += [f"    {row}" for part in parts for row in part.plain().splitlines()]
    if load_error:
        lines.append(
            "  dlgrade re-runs every cell this kernel has run, in order: restart the kernel, "
            "run all cells, then check again."
        )
    return "\n".join(lines)

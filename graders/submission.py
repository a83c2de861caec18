"""Turn a submitted path (a .py file, a notebook, or a folder holding one) into code for the child.

The parent only reads and parses here; it never executes a line of the submission.
A notebook's code cells become one chunk each, in order, so a notebook is
graded exactly like the same code in a .py file.
"""

from __future__ import annotations

import ast
import dataclasses
import io
import json
import re
import tokenize
from dataclasses import dataclass
from pathlib import Path

from graders.sandbox.runner import Chunk, Code

MAX_SOURCE_BYTES = 5 << 20  # 5 MiB of source is far beyond any honest submission
MAGIC_PREFIXES = ("%", "!")
HELP_LINE = re.compile(r"\?{1,2}[\w.]+|[\w.\[\]()]+\?{1,2}")  # np.exp? and ??np.exp
# Cell magics whose body is ordinary Python that Jupyter runs: the body runs here too.
PYTHON_CELL_MAGICS = frozenset({"time", "timeit", "capture", "prun"})
# A notebook written for otter-grader imports it and calls grader.check("q1"): neither is
# the student's work, and neither can run in the sandbox, so those statements are skipped.
TOOL_MODULES = ("otter", "graders")
LOCAL_SCOPES = (ast.Lambda, ast.ListComp, ast.SetComp, ast.DictComp, ast.GeneratorExp)


class SubmissionError(Exception):
    """The submission cannot be graded at all; the message says why and what to do."""

    def __init__(self, message: str, *, kind: str = "invalid") -> None:
        super().__init__(message)
        self.kind = kind  # "missing", "invalid" or "syntax"


@dataclass(frozen=True)
class Submission:
    path: Path  # the file that was graded
    code: Code
    notes: tuple[str, ...] = ()


def find_entry(path: Path, entry: str) -> Path:
    """The file to grade: `path` itself, or `<entry>.py`/`.ipynb` (or the only one) in a folder."""
    if not path.exists():
        raise SubmissionError(f"{path}: no such file or folder", kind="missing")
    if path.is_file():
        return path
    for name in (f"{entry}.py", f"{entry}.ipynb"):
        if (path / name).is_file():
            return path / name
    candidates = sorted(p for p in path.iterdir() if p.suffix in (".py", ".ipynb"))
    if len(candidates) == 1:
        return candidates[0]
    found = ", ".join(p.name for p in candidates) or "no .py or .ipynb file"
    raise SubmissionError(
        f"{path}: expected {entry}.py or {entry}.ipynb in this folder (found {found})",
        kind="missing",
    )


def _read_text(path: Path) -> str:
    size = path.stat().st_size
    if size > MAX_SOURCE_BYTES:
        raise SubmissionError(
            f"{path.name} is {size >> 20} MiB; a submission must be under "
            f"{MAX_SOURCE_BYTES >> 20} MiB of source"
        )
    data = path.read_bytes()
    if b"\x00" in data:
        raise SubmissionError(f"{path.name} is a binary file, not Python source or a notebook")
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise SubmissionError(f"{path.name} is not UTF-8 text; save it as UTF-8") from None


def _check_syntax(source: str, name: str) -> None:
    try:
        ast.parse(source, filename=name)  # parsing only: nothing runs
    except SyntaxError as error:
        where = f"{name} line {error.lineno}" if error.lineno else name
        raise SubmissionError(f"{where}: {error.msg}", kind="syntax") from None
    except ValueError as error:  # e.g. null bytes
        raise SubmissionError(f"{name}: {error}", kind="syntax") from None


def notebook_chunks(path: Path, text: str) -> tuple[list[Chunk], list[str]]:
    """The code cells of a notebook, with IPython magics and shell escapes removed (and noted)."""
    try:
        notebook = json.loads(text)
    except ValueError as error:
        raise SubmissionError(
            f"{path.name} is not a valid notebook (invalid JSON: {error}); "
            "re-save it from Jupyter or export it as a .py file"
        ) from None
    cells = notebook.get("cells") if isinstance(notebook, dict) else None
    if not isinstance(cells, list):
        raise SubmissionError(f"{path.name} is not a Jupyter notebook (it has no list of cells)")
    chunks, skipped = [], []
    for number, cell in enumerate(cells, start=1):
        if not isinstance(cell, dict) or cell.get("cell_type") != "code":
            continue
        source = cell.get("source", "")
        source = "".join(source) if isinstance(source, list) else str(source)
        leading = source[: len(source) - len(source.lstrip())]
        first, _, body = source.lstrip().partition("\n")
        if first.startswith("%%"):
            magic = first[2:].split(maxsplit=1)[0] if first[2:].strip() else ""
            if magic not in PYTHON_CELL_MAGICS:
                skipped.append(f"cell {number} (a %%{magic} cell: not Python)")
                continue
            skipped.append(f"cell {number}: {first.strip()[:60]} (its Python body still runs)")
            source = f"{leading}\n{body}"  # the magic's line stays, blank: line numbers hold
        lines, dropped = python_lines(source)
        skipped += [f"cell {number}: {line[:60]}" for line in dropped]
        chunks.append(Chunk(f"{path.name}, cell {number}", "\n".join(lines) + "\n"))
    chunks, tool_lines = without_tool_calls(chunks)
    skipped += [f"{line[:60]} (otter-grader's, not yours)" for line in tool_lines]
    if not chunks:
        raise SubmissionError(f"{path.name} has no code cells to grade")
    notes = [f"skipped IPython-only code in {s}" for s in skipped]
    return chunks, notes


def python_lines(source: str) -> tuple[list[str], list[str]]:
    """A cell's lines with IPython-only lines replaced by `pass`, and the lines replaced.

    A line is IPython's when it starts a statement with % (a magic), ! (a shell escape) or
    ends in ? (help). Inside brackets or a multi-line string the same characters are Python
    (`!= b`, `% x`), so the code before the line must tokenize to a complete statement.
    `pass` at the same indent keeps a block that held only a magic valid.
    """
    lines: list[str] = []
    dropped: list[str] = []
    for line in source.splitlines():
        stripped = line.strip()
        ipython = (
            stripped.startswith(MAGIC_PREFIXES) and not stripped.startswith("!=")
        ) or HELP_LINE.fullmatch(stripped)
        if ipython and _statement_boundary(lines):
            indent = line[: len(line) - len(line.lstrip())]
            lines.append(f"{indent}pass")
            dropped.append(stripped)
        else:
            lines.append(line)
    return lines, dropped


def _statement_boundary(lines: list[str]) -> bool:
    """True when `lines` end outside any bracket, continuation or multi-line string."""
    try:
        for _ in tokenize.generate_tokens(io.StringIO("\n".join(lines) + "\n").readline):
            pass
    except (tokenize.TokenError, SyntaxError):
        return False
    return not (lines and lines[-1].rstrip().endswith("\\"))


def bound_names(node: ast.stmt) -> set[str]:
    """The module-level names one statement binds (not the locals of what it defines)."""
    if isinstance(node, (ast.Import, ast.ImportFrom)):
        return {(a.asname or a.name).split(".")[0] for a in node.names}
    names, stack = set(), [node]
    while stack:
        current = stack.pop()
        if isinstance(current, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
            names.add(current.name)  # its body is a scope of its own
        elif isinstance(current, ast.Name) and isinstance(current.ctx, ast.Store):
            names.add(current.id)
        elif not isinstance(current, LOCAL_SCOPES):
            stack += ast.iter_child_nodes(current)
    return names


def without_tool_calls(chunks: list[Chunk]) -> tuple[list[Chunk], list[str]]:
    """The chunks without statements that use otter or dlgrade, and those statements' first lines.

    A name bound by such a statement (grader = otter.Notebook()) taints later statements
    that use it. Removed lines become blank, so tracebacks keep their line numbers; a chunk
    that does not parse is kept as it is, for the syntax check to report.
    """
    tainted: set[str] = set()
    kept, dropped = [], []
    for chunk in chunks:
        try:
            tree = ast.parse(chunk.source)
        except SyntaxError:
            kept.append(chunk)
            continue
        lines = chunk.source.splitlines()
        for node in tree.body:
            if _uses_tool(node, tainted):
                tainted |= bound_names(node)
                first = min([node.lineno, *(d.lineno for d in getattr(node, "decorator_list", ()))])
                dropped.append(f"{chunk.name}: {lines[first - 1].strip()}")
                lines[first - 1 : node.end_lineno] = [""] * (node.end_lineno - first + 1)
        if any(line.strip() for line in lines):
            kept.append(dataclasses.replace(chunk, source="\n".join(lines) + "\n"))
    return kept, dropped


def _uses_tool(node: ast.stmt, tainted: set[str]) -> bool:
    if isinstance(node, (ast.Import, ast.ImportFrom)):
        modules = [a.name for a in node.names] if isinstance(node, ast.Import) else [node.module]
        return any((m or "").split(".")[0] in TOOL_MODULES for m in modules)
    return any(isinstance(n, ast.Name) and n.id in tainted for n in ast.walk(node))


def load_submission(path: Path, entry: str) -> Submission:
    """Read and parse a submission; raise SubmissionError for anything that cannot be graded."""
    file = find_entry(Path(path), entry)
    text = _read_text(file)
    if file.suffix == ".ipynb":
        chunks, notes = notebook_chunks(file, text)
    elif file.suffix == ".py":
        chunks, notes = [Chunk(file.name, text)], []
    else:
        raise SubmissionError(
            f"{file.name} is not a Python file (.py) or a notebook (.ipynb)", kind="invalid"
        )
    for chunk in chunks:
        _check_syntax(chunk.source, chunk.name)
    # A folder submission may import its own helper modules; a single file gets no
    # folder at all: its neighbours (in a batch, other students' work) are not its own.
    folders = (str(Path(path).resolve()),) if Path(path).is_dir() else ()
    return Submission(file, Code(entry, tuple(chunks), folders), tuple(notes))

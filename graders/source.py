"""A submission's text made into the Python chunks the child runs, parsed out of harm's way.

Parsing untrusted source can cost the parent anything: a 200 KB chain of attributes or of
unary minus signs exhausts the parser's recursion, a valid 5 MiB file takes gigabytes of
syntax tree, and thousands of IPython magic lines take quadratic tokenizing. So the parsing
here (IPython syntax removed from notebook cells, otter's calls left out, the syntax check)
runs in a small Python process of its own, `python -I -S`, under a memory limit and a
wall-clock timeout: `prepare()` starts it, `main()` is what it runs. Only a plain .py file
of honest size is compiled in the grader itself, where the worst it can do is raise.
Nothing is executed: the source is only compiled, never run, and this module imports only
the standard library (and `graders.files`, for the error it raises).
"""

from __future__ import annotations

import ast
import io
import json
import re
import resource
import subprocess
import sys
import threading
import tokenize
from pathlib import Path
from typing import NamedTuple

from graders.files import SubmissionError

PARSE_SECONDS = 30.0  # an honest submission parses in well under a second
# Up to this size a .py file is compiled in the grader's own process (about 1 ms per KB);
# larger ones, and notebooks (whose IPython lines take tokenizing), go to the parsing process.
IN_PROCESS_CHARS = 256 << 10
# CPython 3.11's parser is not safe to run in two threads at once ("AST constructor recursion
# depth mismatch"): one compile at a time in this process.
COMPILING = threading.Lock()
PARSE_MEMORY = 1 << 30  # bytes of address space for the parsing process
MAGIC_PREFIXES = ("%", "!")
HELP_LINE = re.compile(r"\?{1,2}[\w.]+|[\w.\[\]()]+\?{1,2}")  # np.exp? and ??np.exp
# Cell magics whose body is ordinary Python that Jupyter runs: the body runs here too.
PYTHON_CELL_MAGICS = frozenset({"time", "timeit", "capture", "prun"})
# A notebook written for otter-grader imports it and calls grader.check("q1"): neither is
# the student's work, and neither can run in the sandbox, so those statements are skipped.
TOOL_MODULES = ("otter", "graders")
LOCAL_SCOPES = (ast.Lambda, ast.ListComp, ast.SetComp, ast.DictComp, ast.GeneratorExp)
TOO_DEEP = (
    "the code nests too deeply (or is too large) for Python to parse: split long chains of "
    "operators, calls or attributes into simpler statements"
)


class Chunk(NamedTuple):
    """One piece of submitted source: a .py file, or one notebook cell."""

    name: str  # the name tracebacks show: "selfcheck.py", "selfcheck.ipynb, cell 4"
    source: str


class Prepared(NamedTuple):
    """The chunks to run, each with its syntax error ("" when it compiles), and notes."""

    chunks: tuple[Chunk, ...]
    errors: tuple[str, ...]
    notes: tuple[str, ...]


# -- the parent's side ----------------------------------------------------------------------


def prepare(
    name: str, *, source: str | None = None, cells: list[str | None] | None = None
) -> Prepared:
    """Parse a .py file's `source`, or a notebook's `cells` (None for a cell that is not
    code), in a bounded process.

    SubmissionError when the parsing takes over PARSE_SECONDS or PARSE_MEMORY: then the
    source is far beyond anything a person writes.
    """
    if source is not None and len(source) <= IN_PROCESS_CHARS:
        # A plain file of honest size compiles here in milliseconds, and what could go wrong
        # (too deep, too big for the parser) is an exception, not a crash: no process needed.
        with COMPILING:
            error = syntax_error(Chunk(name, source))
        return Prepared((Chunk(name, source),), (error,), ())
    request = {"name": name, "source": source, "cells": cells}
    root = Path(__file__).resolve().parent.parent
    # The grader's own folder goes last on the path: nothing there may shadow the stdlib.
    program = f"import sys; sys.path.append({str(root)!r}); from graders.source import main; main()"
    try:
        done = subprocess.run(
            [sys.executable, "-I", "-S", "-c", program],
            input=json.dumps(request).encode(),
            capture_output=True,
            timeout=PARSE_SECONDS,
            check=False,
        )
    except subprocess.TimeoutExpired:
        raise SubmissionError(
            f"{name} took over {PARSE_SECONDS:g} s to parse; submit only the code you wrote",
            kind="syntax",
        ) from None
    if done.returncode < 0 or b"MemoryError" in done.stderr:
        raise SubmissionError(f"{name}: {TOO_DEEP}", kind="syntax")
    if done.returncode != 0:
        said = done.stderr.decode("utf-8", "replace").strip().splitlines()[-1:]
        raise RuntimeError(f"dlgrade could not parse {name}: {''.join(said)}")
    reply = json.loads(done.stdout)
    chunks = tuple(Chunk(chunk, text) for chunk, text in reply["chunks"])
    return Prepared(chunks, tuple(reply["errors"]), tuple(reply["notes"]))


# -- the parsing process ----------------------------------------------------------------------


def main() -> None:
    """Read a request as JSON on stdin, write the prepared chunks as JSON on stdout."""
    resource.setrlimit(resource.RLIMIT_AS, (PARSE_MEMORY, PARSE_MEMORY))
    resource.setrlimit(resource.RLIMIT_CORE, (0, 0))
    request = json.load(sys.stdin)
    name = request["name"]
    if request["cells"] is None:
        chunks, notes = [Chunk(name, request["source"])], []
    else:
        chunks, notes = cell_chunks(name, request["cells"])
    reply = {
        "chunks": [list(chunk) for chunk in chunks],
        "errors": [syntax_error(chunk) for chunk in chunks],
        "notes": notes,
    }
    json.dump(reply, sys.stdout)


def syntax_error(chunk: Chunk) -> str:
    """Why the chunk does not compile, as "selfcheck.py line 3: invalid syntax"; "" if it does."""
    try:
        compile(chunk.source, chunk.name, "exec", dont_inherit=True)  # compiled, never run
    except SyntaxError as error:
        return f"{chunk.name} line {error.lineno}: {error.msg}" if error.lineno else chunk.name
    except (RecursionError, MemoryError):
        return f"{chunk.name}: {TOO_DEEP}"
    except ValueError as error:  # null bytes, lone surrogates
        return f"{chunk.name}: {error}"
    return ""


def cell_chunks(name: str, cells: list[str | None]) -> tuple[list[Chunk], list[str]]:
    """A notebook's code cells (None for the others) as chunks, with IPython-only lines and
    otter's calls taken out (each one noted)."""
    chunks, skipped = [], []
    for number, source in enumerate(cells, start=1):
        if source is None:
            continue
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
        chunks.append(Chunk(f"{name}, cell {number}", "\n".join(lines) + "\n"))
    chunks, tool_lines = without_tool_calls(chunks)
    skipped += [f"{line[:60]} (otter-grader's, not yours)" for line in tool_lines]
    return chunks, [f"skipped IPython-only code in {s}" for s in skipped]


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
    if not any(tool in chunk.source for chunk in chunks for tool in TOOL_MODULES):
        return chunks, []  # nothing can import a tool: no need to parse anything
    tainted: set[str] = set()
    kept, dropped = [], []
    for chunk in chunks:
        try:
            tree = ast.parse(chunk.source)
        except (SyntaxError, ValueError, RecursionError, MemoryError):
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
            kept.append(chunk._replace(source="\n".join(lines) + "\n"))
    return kept, dropped


def _uses_tool(node: ast.stmt, tainted: set[str]) -> bool:
    if isinstance(node, (ast.Import, ast.ImportFrom)):
        modules = [a.name for a in node.names] if isinstance(node, ast.Import) else [node.module]
        return any((m or "").split(".")[0] in TOOL_MODULES for m in modules)
    return any(isinstance(n, ast.Name) and n.id in tainted for n in ast.walk(node))

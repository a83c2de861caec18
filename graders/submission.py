"""Turn a submitted path (a .py file, a notebook, or a folder holding one) into code for the child.

The parent only reads and parses here; it never executes a line of the submission. Files
are read through `graders.files` (no link is ever followed), notebooks are validated by
nbformat against their schema, and the parsing runs in a bounded process (`graders.source`).
A notebook's code cells become one chunk each, in order, so a notebook is graded exactly
like the same code in a .py file.
"""

from __future__ import annotations

import warnings
from dataclasses import dataclass
from pathlib import Path, PurePath
from typing import Any

from graders import files
from graders.files import SubmissionError
from graders.sandbox.job import Code
from graders.sandbox.wire import WireError, loads
from graders.source import prepare

MAX_SOURCE_BYTES = 5 << 20  # 5 MiB of source is far beyond any honest submission
SUFFIXES = (".py", ".ipynb")

__all__ = ["Submission", "SubmissionError", "find_entry", "load_submission", "notebook_cells"]


@dataclass(frozen=True)
class Submission:
    path: Path  # the file that was graded
    code: Code
    notes: tuple[str, ...] = ()


def find_entry(path: Path, entry: str, *, named_only: bool = False) -> Path:
    """The one rule for which file is graded (by `check`, `grade`, Gradescope and the kit).

    A file is graded itself. In a folder: `<entry>.py` or `<entry>.ipynb`, and never a guess
    between them (both there is refused: which one is the student's work?); without either,
    the only .py or .ipynb file there is, unless `named_only`. Links and other special files
    are found here by name and refused, in words, when they are read.
    """
    path = Path(path)
    if not files.is_folder(path):
        return path
    names = [name for name, folder in files.listing(path) if not folder]
    script, notebook = f"{entry}.py", f"{entry}.ipynb"
    if script in names and notebook in names:
        raise SubmissionError(
            f"{path.name} holds both {script} and {notebook}, and either could be your work: "
            "keep only the one to grade (delete or rename the other)"
        )
    for name in (script, notebook):
        if name in names:
            return path / name
    candidates = [name for name in names if PurePath(name).suffix in SUFFIXES]
    if len(candidates) == 1 and not named_only:
        return path / candidates[0]
    found = ", ".join(candidates) or "no .py or .ipynb file"
    raise SubmissionError(
        f"{path}: expected {script} or {notebook} in this folder (found {found})", kind="missing"
    )


def load_submission(path: Path, entry: str) -> Submission:
    """Read and parse a submission; raise SubmissionError for anything that cannot be graded."""
    path = Path(path)
    file = find_entry(path, entry)
    if file.suffix not in SUFFIXES:
        raise SubmissionError(f"{file.name} is not a Python file (.py) or a notebook (.ipynb)")
    data = files.read_file(file, MAX_SOURCE_BYTES)
    folder = file != path
    if folder:
        # The helper modules beside it go into the jail too: refuse now, in words, what
        # could not be copied there (links, special files, too many or too big files).
        files.read_tree(path)
    text = _text(file.name, data)
    if file.suffix == ".ipynb":
        prepared = prepare(file.name, cells=notebook_cells(file.name, data))
        if not prepared.chunks:
            raise SubmissionError(f"{file.name} has no code cells to grade")
    else:
        prepared = prepare(file.name, source=text)
    for error in prepared.errors:
        if error:
            raise SubmissionError(error, kind="syntax")
    # A folder submission may import its own helper modules; a single file gets no
    # folder at all: its neighbours (in a batch, other students' work) are not its own.
    folders = (str(path.resolve()),) if folder else ()
    code = Code(entry, prepared.chunks, folders)
    return Submission(file, code, prepared.notes)


def _text(name: str, data: bytes) -> str:
    if b"\x00" in data:
        raise SubmissionError(f"{name} is a binary file, not Python source or a notebook")
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise SubmissionError(f"{name} is not UTF-8 text; save it as UTF-8") from None


def notebook_cells(name: str, data: bytes) -> list[str | None]:
    """Each cell of a notebook: its source for a code cell, None for any other.

    The JSON is parsed bounded in depth, then validated against nbformat's schema for the
    notebook's version before anything of it is used.
    """
    import nbformat
    from nbformat.validator import get_validator

    redo = "re-save it from Jupyter or export it as a .py file"
    try:
        document = loads(data, name)
    except WireError as error:
        raise SubmissionError(f"{name} is not a valid notebook ({error}); {redo}") from None
    version = document.get("nbformat") if isinstance(document, dict) else None
    minor = document.get("nbformat_minor", 0) if isinstance(document, dict) else None
    validator = None
    if type(version) is int and type(minor) is int and version in (3, 4):
        validator = get_validator(version=version, version_minor=minor, name="jsonschema")
    if validator is None:
        raise SubmissionError(
            f"{name} is not a Jupyter notebook that dlgrade can read (nbformat "
            f"{str(version)[:20]}.{str(minor)[:20]}); {redo}"
        )
    problems = list(validator.iter_errors(document))
    if problems:
        where, message = _problem(problems[0])
        raise SubmissionError(
            f"{name} is not a valid Jupyter notebook ({where}: {message[:200]}); {redo}"
        )
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # nbformat's notes on what it upgraded
        notebook = nbformat.reads(data.decode("utf-8-sig"), as_version=4)
    return [cell.source if cell.cell_type == "code" else None for cell in notebook.cells]


def _problem(error: Any) -> tuple[str, str]:
    """Where a notebook breaks its schema, and how, in words.

    Where the schema offers a choice (a cell is code, markdown or raw; a source is a string
    or a list of strings), the explanation comes from the choice the notebook made: the
    branch that does not complain about the cell's type, its deepest error.
    """
    while error.context:
        branches: dict[Any, list[Any]] = {}
        for sub in error.context:
            branches.setdefault(sub.relative_schema_path[0], []).append(sub)
        chosen = [
            sub
            for subs in branches.values()
            if not any(list(e.absolute_path)[-1:] == ["cell_type"] for e in subs)
            for sub in subs
        ]
        if not chosen:
            break
        error = max(chosen, key=lambda sub: len(sub.absolute_path))
    path = list(error.absolute_path)
    if path[:1] == ["cells"] and len(path) > 1 and type(path[1]) is int:
        rest = ".".join(str(part) for part in path[2:])
        where = f"cell {path[1] + 1}" + (f", {rest}" if rest else "")
    else:
        where = ".".join(str(part) for part in path) or "the notebook"
    return where, error.message

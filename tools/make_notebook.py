"""Generate a student notebook (.ipynb) from the `# %%` cells of a template script (.py).

Each `# %%` cell becomes up to two notebook cells: the comment block at the top of the cell
(with the leading `# ` removed) becomes a markdown cell, and the rest becomes a code cell.
The notebook is written next to its script, with the same name: digits.py -> digits.ipynb.
Without a path, the script is student_template/selfcheck.py.

    python tools/make_notebook.py                                   # write selfcheck.ipynb
    python tools/make_notebook.py --check                           # exit 1 if it is stale
    python tools/make_notebook.py student_template/digits.py        # write digits.ipynb
    python tools/make_notebook.py --check student_template/digits.py
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

import nbformat

ROOT = Path(__file__).resolve().parent.parent
SOURCE = ROOT / "student_template" / "selfcheck.py"
NOTEBOOK = ROOT / "student_template" / "selfcheck.ipynb"
CELL_MARKER = "# %%"


def split_cells(text: str) -> list[list[str]]:
    """Split a percent-format script into cells, each a list of lines without the marker."""
    cells: list[list[str]] = [[]]
    for line in text.splitlines():
        if line.startswith(CELL_MARKER):
            cells.append([])
        else:
            cells[-1].append(line)
    return [cell for cell in cells if any(line.strip() for line in cell)]


def _strip_blank_edges(lines: list[str]) -> list[str]:
    """Drop blank lines at the start and end of a block."""
    while lines and not lines[0].strip():
        lines = lines[1:]
    while lines and not lines[-1].strip():
        lines = lines[:-1]
    return lines


def _uncomment(line: str) -> str:
    """'# text' -> 'text' and '#' -> ''."""
    return line[2:] if line.startswith("# ") else line[1:]


def build_notebook(text: str) -> nbformat.NotebookNode:
    """Build the notebook for the script `text`: markdown from leading comments, then code."""
    cells = []
    for lines in split_cells(text):
        lines = _strip_blank_edges(lines)
        n_comment = 0
        while n_comment < len(lines) and lines[n_comment].startswith("#"):
            n_comment += 1
        markdown = [_uncomment(line) for line in lines[:n_comment]]
        code = _strip_blank_edges(lines[n_comment:])
        if markdown:
            cells.append(nbformat.v4.new_markdown_cell("\n".join(markdown)))
        if code:
            cells.append(nbformat.v4.new_code_cell("\n".join(code)))
    # nbformat gives each new cell a random id; fixed ids keep the output reproducible, so
    # that --check can compare it with the committed file byte for byte.
    for index, cell in enumerate(cells):
        cell.id = f"cell-{index:02d}"
    nb = nbformat.v4.new_notebook(
        cells=cells,
        metadata={
            "kernelspec": {"display_name": "Python 3", "language": "python", "name": "python3"},
            "language_info": {"name": "python"},
        },
    )
    nbformat.validate(nb)
    return nb


def render(source: Path | None = None) -> str:
    """The notebook's file contents, as generated from `source` (default: SOURCE)."""
    source = SOURCE if source is None else source
    nb = build_notebook(source.read_text(encoding="utf-8"))
    return nbformat.writes(nb) + "\n"


def notebook_for(source: Path) -> Path:
    """Where the notebook of a template script goes: beside it, with the .ipynb suffix."""
    return source.with_suffix(".ipynb")


def _shown(path: Path) -> str:
    """`path` relative to the repository when it is inside it, else as it is."""
    try:
        return str(path.resolve().relative_to(ROOT.resolve()))
    except ValueError:
        return str(path)


def sync(source: Path, notebook: Path, check: bool, command: str) -> int:
    """Write `notebook` from `source`, or with `check` report whether it is current."""
    expected = render(source)
    rel = _shown(notebook)
    if check:
        current = notebook.read_text(encoding="utf-8") if notebook.exists() else None
        if current != expected:
            print(f"{rel} is out of date: run `{command}`", file=sys.stderr)
            return 1
        print(f"{rel} is up to date")
        return 0
    notebook.write_text(expected, encoding="utf-8")
    print(f"wrote {rel}")
    return 0


def main(argv: list[str] | None = None) -> int:
    """Write each notebook, or with --check report whether the committed ones are current."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--check", action="store_true", help="exit 1 if a notebook is out of date")
    parser.add_argument(
        "scripts",
        nargs="*",
        type=Path,
        metavar="SCRIPT",
        help="template scripts (.py) to convert; default: student_template/selfcheck.py",
    )
    args = parser.parse_args(argv)
    if not args.scripts:
        # Looked up at call time, so tests can point NOTEBOOK somewhere else.
        return sync(SOURCE, NOTEBOOK, args.check, "python tools/make_notebook.py")
    status = 0
    for script in args.scripts:
        if script.suffix != ".py" or not script.is_file():
            print(f"{script}: expected an existing .py template script", file=sys.stderr)
            status = max(status, 2)
            continue
        command = f"python tools/make_notebook.py {_shown(script)}"
        status = max(status, sync(script, notebook_for(script), args.check, command))
    return status


if __name__ == "__main__":
    sys.exit(main())

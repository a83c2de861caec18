"""A class whose zeros and missing scores each have a different cause, graded for real."""

from __future__ import annotations

from pathlib import Path

import pytest

from graders.batch.entry import DUPLICATE, ERROR, GRADED, INVALID, MISSING, Entry
from graders.grading import unloadable
from graders.spec import load_spec
from graders.submission import SubmissionError, load_submission
from tests.conftest import grade_path, reference_folder

# Code appended to the reference self-check: each stops it at import in its own way.
AT_IMPORT = {
    "nameerror": "x = undefined_name + 1",
    "exits": "import sys\nsys.exit(3)",
    "ends": "import os\nos._exit(0)",
    "loops": "while True:\n    pass",
}
# What each row's `Entry.why` says (the CSV's detail column, the class report); {line} is the
# last line of the student's file, where the code above went.
WHY = {
    "nameerror": "did not load: NameError at line {line}: name 'undefined_name' is not defined",
    "exits": "exited while importing at line {line} (SystemExit: 3)",
    "ends": "ended the Python process while importing (exit code 0)",
    "loops": "timed out while importing (over 2 s)",
    "syntax": "did not load: SyntaxError in selfcheck.py at line 1: expected ':'",
    "link": "could not be read: selfcheck.py is a symbolic link: submit the file itself, not "
    "a link to it",
    "text": "could not be read: selfcheck.txt is not a Python file (.py) or a notebook (.ipynb)",
    "fault": "not graded: dlgrade failed while grading: the sandbox could not start",
    "absent": "missing: on the roster, but no submission was found",
    "twice": "duplicate: 2 submissions claim this student (a.py, b.py); none was graded",
    "full": "",
}


def unreadable(student: str, path: Path) -> Entry:
    """The entry batch grading records for a submission that cannot be read."""
    spec = load_spec("selfcheck")
    try:
        load_submission(path, spec.entry)
    except SubmissionError as error:
        report = unloadable(path, spec, error).to_dict()
        return Entry(student, "selfcheck", INVALID, f"{error}", path=str(path), report=report)
    raise AssertionError(f"{path} loaded")


@pytest.fixture(scope="session")
def zeros(tmp_path_factory: pytest.TempPathFactory) -> list[Entry]:
    """One entry per reason a student scored 0 or has no score, and one full marks."""
    root = tmp_path_factory.mktemp("zeros")
    entries = []
    for student, code in [*AT_IMPORT.items(), ("full", "")]:
        folder = reference_folder(root / student, code)
        report = grade_path(folder, load_seconds=2).to_dict()
        path = str(folder / "selfcheck.py")
        entries.append(Entry(student, "selfcheck", GRADED, path=path, report=report))
    syntax = root / "syntax"
    syntax.mkdir()
    (syntax / "selfcheck.py").write_text("def relu(z)\n    return z\n")
    link = root / "link"
    link.mkdir()
    (link / "selfcheck.py").symlink_to(root / "full" / "selfcheck.py")
    (root / "selfcheck.txt").write_text("print('hello')\n")
    entries += [
        unreadable("syntax", syntax),
        unreadable("link", link / "selfcheck.py"),
        unreadable("text", root / "selfcheck.txt"),
        Entry(
            "fault", "selfcheck", ERROR, "dlgrade failed while grading: the sandbox could not start"
        ),
        Entry("absent", "selfcheck", MISSING, "on the roster, but no submission was found"),
        Entry(
            "twice",
            "selfcheck",
            DUPLICATE,
            "2 submissions claim this student (a.py, b.py); none was graded",
        ),
    ]
    return entries


def why(entry: Entry) -> str:
    """What `entry.why` should say (WHY, with the line its code is on)."""
    lines = Path(entry.path).read_text().splitlines() if entry.status == GRADED else []
    return WHY[entry.student].format(line=len(lines))

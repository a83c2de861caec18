"""Unnamed mistakes: a class's wrong functions grouped by what they compute."""

from __future__ import annotations

from pathlib import Path

from graders.batch.entry import GRADED, Entry
from graders.batch.mistakes import groups, unnamed
from graders.cli import main
from tests.conftest import grade_path, reference_folder

# Sigmoid where softmax was asked for: a real confusion that no contract names (yet).
SIGMOID_SOFTMAX = """
def softmax(z):
    return 1 / (1 + np.exp(-z))
"""
# The same mistake, written differently: it must land in the same group.
SIGMOID_SOFTMAX_AGAIN = """
def softmax(z):
    return np.reciprocal(1.0 + np.exp(-z))
"""
NO_MAX_SHIFT = """
def softmax(z):
    e = np.exp(z)
    return e / e.sum(axis=-1, keepdims=True)
"""


def entry(student: str, report) -> Entry:
    return Entry(student, "selfcheck", GRADED, sha256=student, report=report.to_dict())


def test_students_sharing_an_unnamed_mistake_are_grouped(tmp_path: Path) -> None:
    codes = {
        "ann": SIGMOID_SOFTMAX,
        "ben": SIGMOID_SOFTMAX_AGAIN,
        "cy": SIGMOID_SOFTMAX,
        "dee": NO_MAX_SHIFT,
        "eve": NO_MAX_SHIFT,
        "fay": "",
    }
    entries = [
        entry(student, grade_path(reference_folder(tmp_path / student, code)))
        for student, code in codes.items()
    ]
    found = unnamed(entries)
    assert [(g.function, g.students) for g in found] == [("softmax", ("ann", "ben", "cy"))]
    sentence = found[0].sentence()
    assert sentence.startswith("3 students share this wrong softmax (example ann): on z = ")
    assert "it returns" in sentence
    assert "instead of" in sentence
    known = [g for g in groups(entries) if g.mistakes]
    assert [(g.students, g.mistakes[0]) for g in known] == [
        (("dee", "eve"), "softmax_no_max_shift")
    ]


def test_mistakes_command_reads_the_gradebook(tmp_path: Path, capsys) -> None:
    submissions = tmp_path / "class"
    for student, code in (("ann", SIGMOID_SOFTMAX), ("ben", SIGMOID_SOFTMAX_AGAIN), ("cy", "")):
        reference_folder(submissions / student, code)
    db = tmp_path / "book.db"
    main(["grade", str(submissions), "-a", "selfcheck", "--db", str(db), "--workers", "1"])
    capsys.readouterr()
    assert main(["mistakes", "-a", "selfcheck", "--db", str(db)]) == 0
    out = capsys.readouterr().out
    assert "2 students share this wrong softmax (example ann)" in out
    assert "contracts.py" in out

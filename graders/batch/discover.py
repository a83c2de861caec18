"""Find a class's submissions: one file or folder per student, matched to a roster.

Nothing here reads a submission as code: it only names, hashes and sorts them, reading
through `graders.files` (no link followed, sizes capped) exactly what the jail would get.
"""

from __future__ import annotations

import csv
import hashlib
import os
from dataclasses import dataclass
from pathlib import Path

from graders.batch.entry import DUPLICATE, GRADED, MISSING
from graders.files import SubmissionError, listing, read_tree

ROSTER_ID_COLUMNS = ("student", "student_id", "id", "login", "username")
# Canvas's own columns for a student, as its gradebook export names them: kept for its import.
CANVAS_COLUMNS = ("ID", "SIS User ID", "SIS Login ID", "Section")
POINTS_POSSIBLE = "Points Possible"  # the second row of a Canvas gradebook export: no student


class RosterError(Exception):
    """A roster file that cannot be used; the message says what to fix."""


@dataclass(frozen=True)
class Candidate:
    """A student and what they submitted (or why nothing will be graded for them)."""

    student: str
    status: str  # GRADED: to be graded (or already graded); MISSING; DUPLICATE
    path: Path | None = None
    sha256: str = ""
    detail: str = ""


def content_hash(path: Path) -> str:
    """SHA-256 of a file's bytes, or of a folder's (relative path, file hash) pairs: exactly
    the files the jail receives. A submission that cannot be read hashes why (a link, a
    file too big), so it is graded again only once that changes."""
    try:
        tree = read_tree(path)
    except SubmissionError as refused:
        return hashlib.sha256(f"refused\0{refused}".encode("utf-8", "surrogatepass")).hexdigest()
    if not tree.folder:
        return hashlib.sha256(tree.files[0][1]).hexdigest()
    digest = hashlib.sha256()
    for relative, data in tree.files:
        digest.update(os.fsencode(relative) + b"\0" + hashlib.sha256(data).hexdigest().encode())
        digest.update(b"\n")
    return digest.hexdigest()


@dataclass(frozen=True)
class Roster:
    """A class list: the students, the name each one's submission has, and Canvas's ids."""

    submissions: dict[str, str]  # name in the submissions folder -> student id
    canvas: dict[str, dict[str, str]]  # student id -> Canvas's columns the roster gave

    @property
    def students(self) -> set[str]:
        return set(self.submissions.values())


def read_roster(path: Path) -> Roster:
    """The roster CSV: the id column is "student" (or student_id, id, login, username); an
    optional "submission" column names the file or folder when it differs from the id; and
    Canvas's "ID", "SIS User ID", "SIS Login ID" and "Section" columns, where present, are
    kept for the Canvas export. A Canvas "Points Possible" row is not a student."""
    try:
        with path.open(newline="", encoding="utf-8-sig") as file:
            rows = list(csv.DictReader(file))
    except (OSError, UnicodeDecodeError, csv.Error) as error:
        raise RosterError(f"cannot read the roster {path}: {error}") from None
    columns = {c.strip().lower(): c for c in (rows[0].keys() if rows else ()) if c is not None}
    id_column = next((columns[c] for c in ROSTER_ID_COLUMNS if c in columns), None)
    if id_column is None:
        raise RosterError(
            f"the roster {path} needs a header with a student id column "
            f"({', '.join(ROSTER_ID_COLUMNS)}); found {sorted(columns) or 'no header'}"
        )
    submission_column = columns.get("submission")
    canvas_columns = {
        name: columns[name.lower()] for name in CANVAS_COLUMNS if name.lower() in columns
    }
    submissions: dict[str, str] = {}
    canvas: dict[str, dict[str, str]] = {}
    for row in rows:
        student = (row.get(id_column) or "").strip()
        if not student or student == POINTS_POSSIBLE:
            continue
        name = (row.get(submission_column) or "").strip() if submission_column else ""
        submissions[name or student] = student
        ids = {header: (row.get(column) or "").strip() for header, column in canvas_columns.items()}
        if any(ids.values()):
            canvas[student] = ids
    return Roster(submissions, canvas)


def student_of(name: str, folder: bool) -> str:
    """The student id a submission's name gives: alice.py, alice.ipynb and alice/ are alice.

    A name that is not UTF-8 keeps its bytes as \\x escapes, so two students never merge.
    """
    stem = name if folder else Path(name).stem or name
    return os.fsencode(stem).decode("utf-8", "backslashreplace")


def discover(folder: Path, roster: Roster | None = None) -> list[Candidate]:
    """Every student to report on: submitted, missing from the roster, or claimed twice.

    The folder of submissions is the instructor's (it may be reached through a link); what
    is in it is the students', and nothing there is followed.
    """
    if not folder.is_dir():
        raise FileNotFoundError(f"{folder} is not a folder of submissions")
    claims: dict[str, list[Path]] = {}
    for entry, is_folder in listing(folder.resolve()):
        if entry.startswith("."):
            continue
        name = student_of(entry, is_folder)
        if roster is not None:
            name = roster.submissions.get(entry, roster.submissions.get(name, name))
        claims.setdefault(name, []).append(folder / entry)
    candidates = []
    for student, paths in sorted(claims.items()):
        if len(paths) > 1:
            shown = ", ".join(p.name for p in paths)
            combined = hashlib.sha256("".join(content_hash(p) for p in paths).encode())
            candidates.append(
                Candidate(
                    student,
                    DUPLICATE,
                    sha256=f"duplicate:{combined.hexdigest()}",
                    detail=f"{len(paths)} submissions claim this student ({shown}); "
                    "none was graded: keep one and grade again",
                )
            )
        else:
            candidates.append(Candidate(student, GRADED, paths[0], content_hash(paths[0])))
    for student in sorted((roster.students if roster else set()) - set(claims)):
        detail = "on the roster, but no submission was found"
        candidates.append(Candidate(student, MISSING, detail=detail))
    return candidates

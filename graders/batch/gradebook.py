"""The gradebook: every result in SQLite (WAL), keyed by student, assignment and content hash.

Each result is committed on its own as soon as it arrives, so killing a batch at any
moment (SIGKILL included) loses at most the submissions being graded right then,
and the next run grades exactly those. History is kept: a changed submission adds a
row; the `current` table says which hash each student has now.
"""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Iterable
from datetime import datetime, timezone
from pathlib import Path

from graders.batch.entry import DUPLICATE, ERROR, GRADED, INVALID, MISSING, Entry
from graders.render.inert import json_safe, utf8_text

SCHEMA = """
CREATE TABLE IF NOT EXISTS results (
    id INTEGER PRIMARY KEY,
    student TEXT NOT NULL,
    assignment TEXT NOT NULL,
    sha256 TEXT NOT NULL,
    status TEXT NOT NULL,
    detail TEXT NOT NULL DEFAULT '',
    path TEXT NOT NULL DEFAULT '',
    graded_at TEXT NOT NULL,
    seconds REAL NOT NULL DEFAULT 0,
    score REAL,
    max_score REAL,
    passed INTEGER,
    isolation TEXT,
    report TEXT,
    UNIQUE (student, assignment, sha256)
);
CREATE TABLE IF NOT EXISTS verdicts (
    result INTEGER NOT NULL REFERENCES results(id) ON DELETE CASCADE,
    question TEXT NOT NULL,
    checkname TEXT NOT NULL,
    status TEXT NOT NULL,
    misconception TEXT NOT NULL DEFAULT '',
    message TEXT NOT NULL DEFAULT ''
);
CREATE INDEX IF NOT EXISTS verdicts_by_result ON verdicts(result);
CREATE TABLE IF NOT EXISTS current (
    student TEXT NOT NULL,
    assignment TEXT NOT NULL,
    sha256 TEXT NOT NULL,
    PRIMARY KEY (student, assignment)
);
"""


def now() -> str:
    return datetime.now(timezone.utc).isoformat(timespec="seconds")


class Gradebook:
    """A connection to the gradebook file (one per process; SQLite does the locking)."""

    def __init__(self, path: str | Path) -> None:
        self.path = Path(path)
        self.db = sqlite3.connect(self.path, timeout=30, isolation_level=None)
        self.db.execute("PRAGMA journal_mode=WAL")  # readers never block the writer
        self.db.execute("PRAGMA synchronous=NORMAL")  # durable across process crashes
        self.db.execute("PRAGMA foreign_keys=ON")
        self.db.executescript(SCHEMA)

    def close(self) -> None:
        self.db.close()

    def __enter__(self) -> Gradebook:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def done(self, student: str, assignment: str, sha256: str) -> bool:
        """True when this exact submission already has a final result (graded or invalid)."""
        row = self.db.execute(
            "SELECT 1 FROM results WHERE student=? AND assignment=? AND sha256=? "
            "AND status IN (?, ?)",
            (student, assignment, sha256, GRADED, INVALID),
        ).fetchone()
        return row is not None

    def set_current(self, student: str, assignment: str, sha256: str) -> None:
        """Record which submission the student has now (before it is graded)."""
        self.db.execute(
            "INSERT INTO current VALUES (?, ?, ?) ON CONFLICT(student, assignment) "
            "DO UPDATE SET sha256=excluded.sha256",
            (student, assignment, sha256),
        )

    def record(self, entry: Entry) -> None:
        """Store one result and its verdicts in a single transaction (replacing a regrade).

        Every string is stored as valid UTF-8: a lone surrogate in a submission's exception
        message, or a file name that is not UTF-8, becomes U+FFFD instead of an error.
        """
        report = json_safe(entry.report or {})
        with self.db:  # BEGIN ... COMMIT: all of it or nothing
            self.db.execute("BEGIN")
            self.db.execute(
                "DELETE FROM results WHERE student=? AND assignment=? AND sha256=?",
                (entry.student, entry.assignment, entry.sha256),
            )
            cursor = self.db.execute(
                "INSERT INTO results (student, assignment, sha256, status, detail, path, "
                "graded_at, seconds, score, max_score, passed, isolation, report) "
                "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                (
                    entry.student,
                    entry.assignment,
                    entry.sha256,
                    entry.status,
                    utf8_text(entry.detail),
                    utf8_text(entry.path),
                    entry.graded_at or now(),
                    entry.seconds,
                    report.get("score"),
                    report.get("max_score"),
                    None if not report else int(bool(report.get("passed"))),
                    report.get("isolation"),
                    json.dumps(report) if report else None,
                ),
            )
            self.db.executemany(
                "INSERT INTO verdicts VALUES (?, ?, ?, ?, ?, ?)",
                [
                    (
                        cursor.lastrowid,
                        question["id"],
                        check["name"],
                        check["status"],
                        check.get("misconception", ""),
                        check.get("message", "")[:1000],
                    )
                    for question in report.get("questions", ())
                    for check in question["checks"]
                ],
            )
            self.db.execute(
                "INSERT INTO current VALUES (?, ?, ?) ON CONFLICT(student, assignment) "
                "DO UPDATE SET sha256=excluded.sha256",
                (entry.student, entry.assignment, entry.sha256),
            )

    def forget_current(self, assignment: str, keep: Iterable[str]) -> None:
        """Drop `current` rows of students no longer in the batch (e.g. removed folders)."""
        keep = set(keep)
        for (student,) in self.db.execute(
            "SELECT student FROM current WHERE assignment=?", (assignment,)
        ).fetchall():
            if student not in keep:
                self.db.execute(
                    "DELETE FROM current WHERE student=? AND assignment=?", (student, assignment)
                )

    def entries(self, assignment: str) -> list[Entry]:
        """Each student's current result for `assignment`, sorted by student."""
        rows = self.db.execute(
            "SELECT r.student, r.assignment, r.status, r.detail, r.sha256, r.path, r.graded_at, "
            "r.seconds, r.report FROM current c JOIN results r ON r.student=c.student "
            "AND r.assignment=c.assignment AND r.sha256=c.sha256 WHERE c.assignment=? "
            "ORDER BY r.student",
            (assignment,),
        ).fetchall()
        return [Entry(*row[:8], report=json.loads(row[8]) if row[8] else None) for row in rows]

    def history(self, student: str, assignment: str) -> list[Entry]:
        """Every result the student has had for `assignment`, oldest first."""
        rows = self.db.execute(
            "SELECT student, assignment, status, detail, sha256, path, graded_at, seconds, "
            "report FROM results WHERE student=? AND assignment=? ORDER BY id",
            (student, assignment),
        ).fetchall()
        return [Entry(*row[:8], report=json.loads(row[8]) if row[8] else None) for row in rows]


__all__ = ["DUPLICATE", "ERROR", "GRADED", "INVALID", "MISSING", "Gradebook"]

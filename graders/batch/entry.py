"""One gradebook entry: a student's submission to an assignment and what became of it."""

from __future__ import annotations

import functools
from dataclasses import dataclass, field
from typing import Any

from graders.render.plain import load_summary
from graders.verdict import Report

GRADED, MISSING, INVALID, DUPLICATE, ERROR = "graded", "missing", "invalid", "duplicate", "error"
STATUSES = (GRADED, MISSING, INVALID, DUPLICATE, ERROR)


@dataclass(frozen=True)
class Entry:
    """The latest result for one student and assignment (older ones stay in the history).

    `status` is "graded" (report holds the Report.to_dict() of the grading), "invalid"
    (the submission could not be read: report holds a complete report with every check
    failed and `detail` says why), "missing" (on the roster, nothing submitted),
    "duplicate" (two submissions claimed this student id; neither was graded) or "error" (a
    fault of dlgrade or the machine stopped the grading: no report and no score, `detail`
    says what happened, and the next run grades it again).

    `report` is the stored form (a dict, as the gradebook keeps it); everything that reads
    it goes through `result`, the Report it holds.
    """

    student: str
    assignment: str
    status: str
    detail: str = ""  # why it was not graded, in a sentence
    sha256: str = ""  # of the submission's content; "" when there is none
    path: str = ""  # where the submission was found
    graded_at: str = ""  # ISO 8601, UTC
    seconds: float = 0.0  # grading time
    report: dict[str, Any] | None = field(default=None, compare=False)

    @functools.cached_property
    def result(self) -> Report | None:
        """The stored report as a Report (read from its dict once), or None without one."""
        return Report.from_dict(self.report) if self.report else None

    @property
    def score(self) -> float:
        return self.result.score if self.result else 0.0

    @property
    def max_score(self) -> float:
        return self.result.max_score if self.result else 0.0

    @property
    def passed(self) -> bool:
        return bool(self.status == GRADED and self.result and self.result.passed)

    @property
    def why(self) -> str:
        """Why the student scored 0 or has no score, in a few words ("" when the scores say
        it): "did not load: SyntaxError in selfcheck.py at line 3: invalid syntax", "timed out
        while importing (over 10 s)", "could not be read: ... is a symbolic link", "not graded:
        ..." (a fault of ours), "missing: ...", "duplicate: ..."."""
        if self.status == GRADED:
            load_error = self.result.load_error if self.result else ""
            first = load_error.partition("\n")[0]
            return load_summary(load_error) or (f"did not load: {first}" if first else "")
        if self.status == INVALID:
            return load_summary(self.detail) or f"could not be read: {self.detail}"
        if self.status == ERROR:
            return f"not graded: {self.detail}"
        return f"{self.status}: {self.detail}" if self.detail else self.status

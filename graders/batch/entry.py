"""One gradebook entry: a student's submission to an assignment and what became of it."""

from __future__ import annotations

import functools
from dataclasses import dataclass, field
from typing import Any

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

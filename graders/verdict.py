"""The result model: verdicts per check, scores per question, one report per submission.

Everything here is a frozen dataclass, and scoring is a pure function of
verdicts, so every renderer (terminal, JSON, Gradescope, ...) reads the same data.
"""

from __future__ import annotations

import enum
from dataclasses import asdict, dataclass, field
from typing import Any


class Status(enum.Enum):
    """How one check ended."""

    PASSED = "passed"
    FAILED = "failed"  # the code ran and gave a wrong answer
    ERROR = "error"  # the student's code raised, crashed, or could not be loaded
    TIMEOUT = "timeout"  # the student's code did not return in time


@dataclass(frozen=True)
class Verdict:
    """The outcome of one check on one submission."""

    check: str  # "check_softmax_rows_sum_to_one"
    question: str  # "q3"
    title: str  # the first line of the check's docstring
    status: Status
    visibility: str  # "public" or "hidden"
    message: str = ""
    hint: str = ""
    counterexample: str = ""
    misconception: str = ""  # the id of a known mistake, when one was recognised
    misconception_name: str = ""
    traceback: str = ""  # the student's own traceback, trimmed to their files
    seconds: float = 0.0

    @property
    def passed(self) -> bool:
        return self.status is Status.PASSED


@dataclass(frozen=True)
class QuestionResult:
    """A question's verdicts and the points they earn (all checks must pass)."""

    id: str
    number: int
    title: str
    points: float
    max_points: float
    verdicts: tuple[Verdict, ...]

    @property
    def passed(self) -> bool:
        return self.points >= self.max_points

    @property
    def first_failure(self) -> Verdict | None:
        """The failure to show first: one that names a known mistake, else the earliest."""
        failures = [v for v in self.verdicts if not v.passed]
        return next((v for v in failures if v.misconception), failures[0] if failures else None)


@dataclass(frozen=True)
class Report:
    """Everything known about one graded submission."""

    assignment: str
    title: str
    submission: str
    isolation: str
    questions: tuple[QuestionResult, ...]
    pass_mark: float
    mode: str = "instructor"  # "student" when only public checks ran
    isolation_detail: str = ""  # e.g. which cgroup version limited memory
    seconds: float = 0.0
    advice: str = ""
    output: str = ""  # what the submission printed, capped
    notes: tuple[str, ...] = ()  # protections missing, skipped notebook magics, ...
    explanations: dict[str, str] = field(default_factory=dict)
    figures: dict[str, Any] = field(default_factory=dict)  # JSON-able data for pictures
    metrics: dict[str, float] = field(default_factory=dict)  # e.g. accuracy and threshold

    @property
    def score(self) -> float:
        return sum(q.points for q in self.questions)

    @property
    def max_score(self) -> float:
        return sum(q.max_points for q in self.questions)

    @property
    def passed(self) -> bool:
        return self.score >= self.pass_mark

    def to_dict(self) -> dict:
        """A JSON-ready dict: the report's fields plus score, max_score and passed."""
        data = asdict(self)
        for question, result in zip(data["questions"], self.questions, strict=True):
            question["score"] = question.pop("points")
            question["max_score"] = question.pop("max_points")
            question["passed"] = result.passed
            question["checks"] = question.pop("verdicts")
            for check in question["checks"]:
                check["name"] = check.pop("check")
                check["status"] = check["status"].value
        data.update(score=self.score, max_score=self.max_score, passed=self.passed)
        return data


def score_question(verdicts: tuple[Verdict, ...], max_points: float) -> float:
    """All or nothing: the question's points when every check passed, else 0."""
    return max_points if verdicts and all(v.passed for v in verdicts) else 0.0

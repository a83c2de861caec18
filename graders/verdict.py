"""The result model: verdicts per check, scores per question, one report per submission.

Everything here is a frozen dataclass, and scoring is a pure function of
verdicts, so every renderer (terminal, JSON, Gradescope, ...) reads the same data.

Three outcomes are never confused: a check **passed**, **failed** (the student's
work: a wrong value, an exception, a hang, a crash) or hit an **error** (the
grader's or the machine's fault). An error is never a score: a report holding one
is not a grade, and is graded again once the fault is fixed.
"""

from __future__ import annotations

import enum
from dataclasses import asdict, dataclass, field, fields
from typing import Any


class Status(enum.Enum):
    """How one check ended."""

    PASSED = "passed"
    FAILED = "failed"  # the student's work is wrong, raised, hung or crashed
    ERROR = "error"  # the grader's or the machine's fault: never counted against the student


class Cause(enum.Enum):
    """Why a check did not pass, for renderers, exports and grouping."""

    WRONG = "wrong"  # the code ran and returned a wrong value
    RAISED = "raised"  # the student's code raised an exception
    NOT_WRITTEN = "not_written"  # a stub that still raises NotImplementedError
    TIMEOUT = "timeout"  # it did not return in time
    CRASHED = "crashed"  # it ended the Python process
    MISSING = "missing"  # the name is not defined
    REFUSED = "refused"  # the reply was not plain data the grader accepts
    NOT_LOADED = "not_loaded"  # the submission could not be read or did not load
    GRADER = "grader"  # a fault of dlgrade or of the machine (Status.ERROR)


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
    cause: Cause | None = None  # None when passed
    also: tuple[str, ...] = ()  # ids of further known mistakes the same code shows
    also_names: tuple[str, ...] = ()  # and their names

    @property
    def passed(self) -> bool:
        return self.status is Status.PASSED

    def to_dict(self) -> dict[str, Any]:
        data = asdict(self)
        data["name"] = data.pop("check")
        data["status"] = self.status.value
        data["cause"] = self.cause.value if self.cause else ""
        data["also"] = list(self.also)
        data["also_names"] = list(self.also_names)
        return data

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Verdict:
        known = {f.name for f in fields(cls)}
        values = {k: v for k, v in data.items() if k in known}
        values["check"] = data["name"]
        values["status"] = Status(data["status"])
        values["cause"] = Cause(data["cause"]) if data.get("cause") else None
        values["also"] = tuple(data.get("also", ()))
        values["also_names"] = tuple(data.get("also_names", ()))
        return cls(**values)


@dataclass(frozen=True)
class QuestionResult:
    """A question's verdicts and the points they earn (all checks must pass)."""

    id: str
    number: int
    title: str
    points: float
    max_points: float
    verdicts: tuple[Verdict, ...]
    # Student mode: every check that ran passed, but correctness is decided by hidden checks
    # that run only at submission (a letter answer's format was checked, not the letter).
    pending: bool = False

    @property
    def passed(self) -> bool:
        return self.points >= self.max_points and not self.pending

    @property
    def errored(self) -> bool:
        return any(v.status is Status.ERROR for v in self.verdicts)

    @property
    def failures(self) -> tuple[Verdict, ...]:
        """The checks that did not pass, the one to show first leading.

        First comes a grader error (nothing else is trustworthy beside it), then a failure
        that names a known mistake, then the earliest failure in spec order.
        """
        failed = [v for v in self.verdicts if not v.passed]
        return tuple(
            sorted(failed, key=lambda v: (v.status is not Status.ERROR, not v.misconception))
        )

    @property
    def first_failure(self) -> Verdict | None:
        failures = self.failures
        return failures[0] if failures else None

    @property
    def mistake_names(self) -> tuple[str, ...]:
        """Every known mistake the question's checks recognised, the first failure's first."""
        names = [n for v in self.failures for n in (v.misconception_name, *v.also_names) if n]
        return tuple(dict.fromkeys(names))

    def to_dict(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "number": self.number,
            "title": self.title,
            "score": self.points,
            "max_score": self.max_points,
            "passed": self.passed,
            "pending": self.pending,
            "checks": [v.to_dict() for v in self.verdicts],
        }

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> QuestionResult:
        return cls(
            id=data["id"],
            number=int(data["number"]),
            title=data["title"],
            points=float(data["score"]),
            max_points=float(data["max_score"]),
            verdicts=tuple(Verdict.from_dict(c) for c in data["checks"]),
            pending=bool(data.get("pending", False)),
        )


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
    load_error: str = ""  # the submission could not be read or loaded: shown once, at the top
    fault: str = ""  # a fault of the grader or the machine that stopped grading: not a grade
    # By failing function: a fingerprint of its outputs on the diagnostic inputs, an example,
    # and the known mistakes it shows (for grouping a class's unnamed mistakes).
    signatures: dict[str, dict[str, Any]] = field(default_factory=dict)

    @property
    def score(self) -> float:
        return sum(q.points for q in self.questions)

    @property
    def max_score(self) -> float:
        return sum(q.max_points for q in self.questions)

    @property
    def graded(self) -> bool:
        """False when a fault of ours touched the result: then it is no grade at all."""
        return not self.fault and not any(q.errored for q in self.questions)

    @property
    def outcome(self) -> Status:
        if not self.graded:
            return Status.ERROR
        return Status.PASSED if self.score >= self.pass_mark else Status.FAILED

    @property
    def passed(self) -> bool:
        return self.outcome is Status.PASSED

    @property
    def errors(self) -> tuple[str, ...]:
        """What went wrong on our side, one line each (the fault, then each errored check)."""
        found = [self.fault] if self.fault else []
        for question in self.questions:
            found += [
                f"{v.check}: {v.message}" for v in question.verdicts if v.status is Status.ERROR
            ]
        return tuple(dict.fromkeys(found))

    @property
    def pending_points(self) -> float:
        """Points whose correctness only the hidden checks can decide (student mode)."""
        return sum(q.max_points for q in self.questions if q.pending)

    def to_dict(self) -> dict[str, Any]:
        """A JSON-ready dict: the report's fields plus score, max_score, passed and outcome."""
        data = {f.name: getattr(self, f.name) for f in fields(self) if f.name != "questions"}
        data["notes"] = list(self.notes)
        data["questions"] = [q.to_dict() for q in self.questions]
        data.update(
            score=self.score,
            max_score=self.max_score,
            passed=self.passed,
            graded=self.graded,
            outcome=self.outcome.value,
        )
        return data

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Report:
        """The report back from `to_dict()` (as stored in the gradebook)."""
        known = {f.name for f in fields(cls)}
        values = {k: v for k, v in data.items() if k in known}
        values["questions"] = tuple(QuestionResult.from_dict(q) for q in data["questions"])
        values["notes"] = tuple(data.get("notes", ()))
        return cls(**values)


def score_question(verdicts: tuple[Verdict, ...], max_points: float) -> float:
    """All or nothing: the question's points when every check passed, else 0."""
    return max_points if verdicts and all(v.passed for v in verdicts) else 0.0

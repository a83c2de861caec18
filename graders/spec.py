"""Assignment specs: questions, checks, visibility, answers and misconceptions, read from TOML."""

from __future__ import annotations

import json
import sys
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover - Python 3.10
    import tomli as tomllib

ASSIGNMENTS = Path(__file__).resolve().parent.parent / "assignments"
VISIBILITIES = ("public", "hidden")


class SpecError(Exception):
    """An assignment spec that cannot be used; the message names the file and the field."""


@dataclass(frozen=True)
class CheckSpec:
    name: str
    visibility: str
    args: dict[str, Any] = field(default_factory=dict)
    family: str = ""  # defaults to the question's family


@dataclass(frozen=True)
class QuestionSpec:
    id: str
    number: int
    title: str
    kind: str
    family: str
    names: tuple[str, ...]
    checks: tuple[CheckSpec, ...]
    points: float = 1.0
    explanation: str = ""


@dataclass(frozen=True)
class Misconception:
    id: str
    name: str
    hint: str


@dataclass(frozen=True)
class Spec:
    name: str
    title: str
    entry: str
    pass_mark: float
    questions: tuple[QuestionSpec, ...]
    misconceptions: dict[str, Misconception]
    answers: dict[str, dict[str, Any]]
    limits: dict[str, float]
    advice: tuple[tuple[float, str], ...]
    training: dict[str, Any]  # budgets and data for project checks, e.g. {"seconds": 180}
    folder: Path
    student_kit: bool = False  # a student kit's copy: public checks only, answers stripped

    def advice_for(self, score: float) -> str:
        """The course's advice for a score (the first band whose minimum it reaches)."""
        return next((text for low, text in self.advice if score >= low), "")


def available(root: Path = ASSIGNMENTS) -> list[str]:
    """Names of the assignments that ship with dlgrade (or with this student kit)."""
    specs = [*root.glob("*/spec.toml"), *root.glob("*/spec.json")]
    return sorted({p.parent.name for p in specs})


def read_raw(name: str, root: Path = ASSIGNMENTS) -> tuple[dict[str, Any], Path]:
    """The spec as plain data, and its file: spec.toml (written by people) or spec.json (a kit's).

    A student kit carries spec.json, written by `dlgrade build student-kit` from the TOML with
    the hidden parts removed; JSON because the standard library writes it.
    """
    for path, parse in ((root / name / "spec.toml", _toml), (root / name / "spec.json", _json)):
        if path.is_file():
            return parse(path), path
    known = ", ".join(available(root)) or "none"
    raise SpecError(f"no assignment named {name!r} (known: {known})")


def load_spec(name: str, root: Path = ASSIGNMENTS) -> Spec:
    """Read and validate `assignments/<name>/spec.toml` (or a student kit's spec.json)."""
    raw, path = read_raw(name, root)
    try:
        return _build(raw, path.parent)
    except (KeyError, TypeError, ValueError) as error:
        raise SpecError(f"{path}: missing or malformed field {error}") from None


def _toml(path: Path) -> dict[str, Any]:
    try:
        return tomllib.loads(path.read_text(encoding="utf-8"))
    except tomllib.TOMLDecodeError as error:
        raise SpecError(f"{path}: not valid TOML ({error})") from None


def _json(path: Path) -> dict[str, Any]:
    try:
        return json.loads(path.read_text(encoding="utf-8"))
    except json.JSONDecodeError as error:
        raise SpecError(f"{path}: not valid JSON ({error})") from None


def _build(raw: dict, folder: Path) -> Spec:
    questions = []
    for number, q in enumerate(raw["questions"], start=1):
        checks = tuple(
            CheckSpec(
                c["name"],
                c.get("visibility", "public"),
                dict(c.get("args", {})),
                c.get("family", q["family"]),
            )
            for c in q["checks"]
        )
        for check in checks:
            if check.visibility not in VISIBILITIES:
                raise ValueError(f"{q['id']}.{check.name}: visibility {check.visibility!r}")
        questions.append(
            QuestionSpec(
                id=q["id"],
                number=number,
                title=q["title"],
                kind=q["kind"],
                family=q["family"],
                names=tuple(q.get("names", ())),
                checks=checks,
                points=float(q.get("points", 1.0)),
                explanation=q.get("explanation", ""),
            )
        )
    misconceptions = {
        key: Misconception(key, value["name"], value["hint"])
        for key, value in raw.get("misconceptions", {}).items()
    }
    advice = tuple((float(a["min"]), a["text"]) for a in raw.get("advice", ()))
    return Spec(
        name=raw["name"],
        title=raw["title"],
        entry=raw["entry"],
        pass_mark=float(raw["pass_mark"]),
        questions=tuple(questions),
        misconceptions=misconceptions,
        answers=dict(raw.get("answers", {})),
        limits=dict(raw.get("limits", {})),
        training=dict(raw.get("training", {})),
        advice=tuple(sorted(advice, reverse=True)),
        folder=folder,
        student_kit=bool(raw.get("student_kit", False)),
    )

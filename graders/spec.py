"""Assignments as data: a folder with a spec, function contracts, a reference and a template.

    my_assignment/
        spec.toml      questions, points, pass mark, limits, answers (and their known wrong
                       values), the text students read
        contracts.py   one declaration per function (graders.contract): inputs, examples,
                       properties, known mistakes; plain `check_*` functions for the rest
        hidden.py      optional: properties and checks students must not see
        reference/     the reference solution, graded like a submission (or `reference =`)
        template/      what students start from (or `template =`)
        README.md      the assignment for students

The folder may live anywhere (`--assignment PATH`); the built-in assignments are ordinary
instances under `assignments/`. Everything is checked when the assignment loads: an
unknown function, answer or check, a contract that does not hold together, or a
reference that lacks a graded name is a SpecError naming the file and line, never a
surprise while a class is being graded.
"""

from __future__ import annotations

import hashlib
import importlib.util
import re
import sys
import threading
import traceback
import types
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

if sys.version_info >= (3, 11):
    pass
else:  # pragma: no cover - Python 3.10
    pass

from graders.checks import library
from graders.checks.derive import (
    Answer,
    Check,
    answer_checks,
    examples_check,
    function_check,
    property_check,
    reference_check,
)
from graders.checks.diagnose import read_outcomes
from graders.checks.prove import InputBank
from graders.contract import Function, Mistake, Property
from graders.specfile import (
    ASSIGNMENTS,
    SpecError,
    child_limits,
    read_raw,
)

PACKAGE = "dlgrade_assignment"  # contracts modules load as dlgrade_assignment_<hash>.contracts
# Loading runs the instructor's modules with the reference's folder briefly on sys.path:
# one load at a time, so two threads never see each other's folders or modules.
LOADING = threading.RLock()
ANSWER_KINDS = ("number", "letter")


@dataclass(frozen=True)
class Question:
    id: str
    number: int
    title: str
    kind: str  # write, fix, predict, concept, project, rule: how the template words it
    checks: tuple[Check, ...]
    points: float = 1.0
    functions: tuple[str, ...] = ()
    answers: tuple[str, ...] = ()
    explanation: str = ""  # a free-text name exported for a person to read, never scored
    prompt: str = ""  # the question as students read it (the template's text)

    @property
    def names(self) -> tuple[str, ...]:
        """The names the student defines for this question."""
        return (*self.functions, *self.answers)


@dataclass(frozen=True, eq=False)
class Spec:
    """A loaded assignment: questions with their checks built, ready to grade."""

    name: str
    title: str
    entry: str  # the module students submit: <entry>.py or <entry>.ipynb
    pass_mark: float
    questions: tuple[Question, ...]
    misconceptions: dict[str, Mistake]  # every known mistake, by id
    functions: dict[str, Function]
    answers: dict[str, Answer]
    limits: dict[str, float]
    advice: tuple[tuple[float, str], ...]
    training: dict[str, Any]  # budgets and data for project checks, e.g. {"seconds": 180}
    folder: Path
    bank: InputBank
    reference_path: Path | None = None  # the reference submission (absent in a student kit)
    template_path: Path | None = None
    preamble: str = ""  # the template's opening text
    student_kit: bool = False  # a student kit's copy: public checks only, answers stripped
    reference: Callable[[str], Any] | None = None  # the reference's value of a name
    # A student kit's stored outcomes on the diagnostic inputs: the reference's by function
    # ("relu") and each mistake's ("relu/relu_abs"), instead of their code.
    truth: dict[str, tuple[Any, ...]] = field(default_factory=dict)

    def advice_for(self, score: float) -> str:
        """The course's advice for a score (the first band whose minimum it reaches)."""
        return next((text for low, text in self.advice if score >= low), "")

    @property
    def reference_submission(self) -> Path | None:
        """What to grade as the reference: its folder when that folder holds the entry
        module (so its neighbours import), else its file."""
        path = self.reference_path
        if path is None or path.stem != self.entry:
            return path
        return path.parent

    @property
    def max_score(self) -> float:
        return sum(q.points for q in self.questions)

    @property
    def checks(self) -> dict[str, Check]:
        """Every check of every question, by name."""
        return {c.name: c for q in self.questions for c in q.checks}


def load_spec(name_or_path: str | Path, root: Path = ASSIGNMENTS) -> Spec:
    """Load an assignment and build all its checks; SpecError says what is wrong, and where."""
    raw, path = read_raw(name_or_path, root)
    with LOADING:
        try:
            return Builder(raw, path).build()
        except SpecError:
            raise
        except (KeyError, TypeError, ValueError) as error:
            raise SpecError(f"{path}: missing or malformed field {error}") from None


# -- building -----------------------------------------------------------------------------


def line_of(path: Path, needle: str) -> int:
    """The first line of `path` that mentions `needle` (1 if none does)."""
    try:
        lines = path.read_text(encoding="utf-8").splitlines()
    except OSError:
        return 1
    pattern = re.compile(rf"(?<![\w]){re.escape(needle)}(?![\w])")
    return next((n for n, line in enumerate(lines, start=1) if pattern.search(line)), 1)


@dataclass
class Declarations:
    """What an assignment's contracts.py and hidden.py declare, in declaration order."""

    functions: dict[str, Function] = field(default_factory=dict)
    properties: list[Property] = field(default_factory=list)
    mistakes: dict[str, Mistake] = field(default_factory=dict)
    checks: dict[str, tuple[Callable[..., None], str]] = field(default_factory=dict)

    def collect(self, module: types.ModuleType, visibility: str) -> None:
        for value in vars(module).values():
            if isinstance(value, Function):
                self.functions.setdefault(value.name, value)
                for mistake in value.mistakes:
                    self.mistakes.setdefault(mistake.id, mistake)
            elif isinstance(value, Property) and value not in self.properties:
                if visibility == "hidden" and value.visibility != "hidden":
                    raise SpecError(
                        f"{module.__file__}:{line_of(Path(module.__file__), value.verify.__name__)}"
                        f": {value.name} is declared public in hidden.py; public properties "
                        "belong in contracts.py (students receive it)"
                    )
                self.properties.append(value)
            elif isinstance(value, Mistake):
                self.mistakes.setdefault(value.id, value)
            elif (
                callable(value)
                and getattr(value, "__name__", "").startswith("check_")
                and getattr(value, "__module__", "") == module.__name__
            ):
                self.checks[value.__name__] = (value, visibility)


class Builder:
    """Turns a spec's raw data and its assignment's modules into a Spec."""

    def __init__(self, raw: dict[str, Any], path: Path) -> None:
        self.raw = raw
        self.path = path
        self.folder = path.parent
        self.kit = bool(raw.get("student_kit", False))

    def fail(self, needle: str, message: str) -> SpecError:
        return SpecError(f"{self.path}:{line_of(self.path, needle)}: {message}")

    def build(self) -> Spec:
        raw = self.raw
        declared = self.declarations()
        answers = {name: self.answer(name, data) for name, data in raw.get("answers", {}).items()}
        mistakes = dict(declared.mistakes)
        for data in raw.get("answers", {}).values():
            for wrong in data.get("wrong", ()):
                mistakes[wrong["id"]] = Mistake(wrong["id"], wrong["name"], wrong["hint"])
        questions = tuple(
            self.question(number, data, declared, answers)
            for number, data in enumerate(raw["questions"], start=1)
        )
        self.unused(declared, answers, questions)
        reference_path = self.reference_path()
        # Only contracts and answers compare with the reference; a project's reference (which
        # may import torch) is graded like a submission instead, never loaded in the grader.
        needed = not self.kit and bool(declared.functions or answers)
        reference = self.reference(reference_path, declared, answers) if needed else None
        advice = tuple((float(a["min"]), a["text"]) for a in raw.get("advice", ()))
        return Spec(
            name=raw["name"],
            title=raw["title"],
            entry=raw["entry"],
            pass_mark=float(raw["pass_mark"]),
            questions=questions,
            misconceptions=mistakes,
            functions=declared.functions,
            answers=answers,
            limits=self.limits(),
            advice=tuple(sorted(advice, reverse=True)),
            training=dict(raw.get("training", {})),
            folder=self.folder,
            bank=InputBank.create(self.fingerprint()),
            reference_path=reference_path,
            template_path=self.template_path(),
            preamble=raw.get("preamble", ""),
            student_kit=self.kit,
            reference=reference,
            truth=self.truth(),
        )

    # -- the modules ----------------------------------------------------------------------

    def declarations(self) -> Declarations:
        declared = Declarations()
        # Named for the folder and its files' contents: an edited contract loads afresh.
        key = f"{self.folder}/{self.fingerprint()}"
        package = f"{PACKAGE}_{hashlib.sha256(key.encode()).hexdigest()[:16]}"
        if package not in sys.modules:
            holder = types.ModuleType(package)
            holder.__path__ = [str(self.folder)]  # so hidden.py can `from .contracts import f`
            sys.modules[package] = holder
        for stem, visibility in (("contracts", "public"), ("hidden", "hidden")):
            file = self.folder / f"{stem}.py"
            if file.is_file() and not (self.kit and visibility == "hidden"):
                declared.collect(self.import_module(f"{package}.{stem}", file), visibility)
        return declared

    def import_module(self, name: str, file: Path) -> types.ModuleType:
        """Import one of the assignment's modules; its errors name its file and line."""
        if name in sys.modules:
            return sys.modules[name]
        try:
            return importlib.import_module(name)
        except Exception as error:
            sys.modules.pop(name, None)
            frames = [
                f for f in traceback.extract_tb(error.__traceback__) if f.filename == str(file)
            ]
            line = frames[-1].lineno if frames else 1
            raise SpecError(f"{file}:{line}: {type(error).__name__}: {error}") from None

    # -- questions --------------------------------------------------------------------------

    def answer(self, name: str, data: dict[str, Any]) -> Answer:
        kind = data.get("kind")
        if kind not in ANSWER_KINDS:
            raise self.fail(name, f"answer {name}: kind must be one of {ANSWER_KINDS}")
        options = str(data.get("options", ""))
        if kind == "letter" and not (options.isalpha() and options.isupper()):
            raise self.fail(name, f'answer {name}: a letter answer needs options = "ABCD"')
        wrong = tuple((w["value"], w["id"]) for w in data.get("wrong", ()))
        return Answer(name, kind, options, wrong)

    def question(
        self,
        number: int,
        data: dict[str, Any],
        declared: Declarations,
        answers: dict[str, Answer],
    ) -> Question:
        functions = tuple(data.get("functions", ()))
        named_answers = tuple(data.get("answers", ()))
        public: list[Check] = []
        hidden: list[Check] = []
        for name in functions:
            if name not in declared.functions:
                known = ", ".join(declared.functions) or "none"
                raise self.fail(name, f"{data['id']}: no contract for {name!r} (declared: {known})")
            public_part, hidden_part = self.function_checks(declared.functions[name], declared)
            public += public_part
            hidden += hidden_part
        for name in named_answers:
            if name not in answers:
                raise self.fail(name, f"{data['id']}: no [answers.{name}] table for {name!r}")
            form, correct = answer_checks(answers[name])
            public.append(form)
            hidden.append(correct)
        for entry in data.get("checks", ()):
            check = self.plain_check(entry, declared)
            (public if check.visibility == "public" else hidden).append(check)
        checks = tuple(public + ([] if self.kit else hidden))
        if not checks:
            raise self.fail(data["id"], f"{data['id']}: grades nothing (no functions, answers "
                            "or checks)")  # fmt: skip
        return Question(
            id=data["id"],
            number=number,
            title=data["title"],
            kind=data.get("kind", "write"),
            checks=checks,
            points=float(data.get("points", 1.0)),
            functions=functions,
            answers=named_answers,
            explanation=data.get("explanation", ""),
            prompt=data.get("prompt", ""),
        )

    def function_checks(
        self, function: Function, declared: Declarations
    ) -> tuple[list[Check], list[Check]]:
        properties = [p for p in declared.properties if p.of is function]
        public = [examples_check(function)] if function.examples else []
        public += [property_check(p) for p in properties if p.visibility == "public"]
        hidden = [reference_check(function)] if function.compare_with_reference else []
        hidden += [property_check(p) for p in properties if p.visibility == "hidden"]
        return public, hidden

    def plain_check(self, entry: dict[str, Any] | str, declared: Declarations) -> Check:
        """A check by name: the assignment's own `check_*` functions, then dlgrade's library."""
        entry = {"name": entry} if isinstance(entry, str) else entry
        name, args = entry["name"], dict(entry.get("args", {}))
        if name in declared.checks:
            check, visibility = declared.checks[name]
        elif name in library.CHECKS:
            check, visibility = library.CHECKS[name], entry.get("visibility", "public")
        else:
            own = ", ".join(declared.checks) or "none"
            raise self.fail(
                name,
                f"no check named {name!r}: contracts.py and hidden.py define {own}; dlgrade "
                f"provides {', '.join(library.CHECKS)}",
            )
        try:
            return function_check(check, visibility, args)
        except TypeError as error:
            raise self.fail(name, f"{name}: {error}") from None

    def unused(
        self, declared: Declarations, answers: dict[str, Answer], questions: tuple[Question, ...]
    ) -> None:
        """A declared function or answer that no question grades is a mistake in the spec."""
        graded = {n for q in questions for n in q.names}
        for name in [*declared.functions, *answers]:
            if name not in graded:
                raise self.fail(name, f"{name} is declared but no question grades it; add it to "
                                "a question's functions or answers")  # fmt: skip

    def limits(self) -> dict[str, Any]:
        """The child's limits (graders.specfile.child_limits), or a SpecError with the line."""
        try:
            return child_limits(self.raw)
        except ValueError as error:
            raise self.fail("framework", f"{error}") from None

    # -- reference, template, fingerprint ---------------------------------------------------

    def reference_path(self) -> Path | None:
        given = self.raw.get("reference", "reference")
        path = (self.folder / given).resolve()
        if path.is_dir():
            path = path / f"{self.raw['entry']}.py"
        return path if path.is_file() else None

    def template_path(self) -> Path | None:
        given = self.raw.get("template", "template")
        path = (self.folder / given).resolve()
        if path.is_dir():
            path = path / f"{self.raw['entry']}.py"
        return path if path.is_file() else None

    def reference(
        self, path: Path | None, declared: Declarations, answers: dict[str, Answer]
    ) -> Callable[[str], Any]:
        if path is None:
            where = self.raw.get("reference", "reference")
            raise self.fail(
                "reference" if "reference" in self.raw else self.raw["entry"],
                f"no reference solution at {self.folder / where} "
                f"(expected {self.raw['entry']}.py there)",
            )
        module = load_reference(path)
        missing = [n for n in [*declared.functions, *answers] if not hasattr(module, n)]
        if missing:
            raise SpecError(f"{path}: the reference does not define {', '.join(missing)}")
        return lambda name: getattr(module, name)

    def truth(self) -> dict[str, tuple[Any, ...]]:
        """A student kit's stored outcomes on the diagnostic inputs."""
        return read_outcomes(self.folder) if self.kit else {}

    def fingerprint(self) -> str:
        """What generated inputs depend on besides the check: the assignment's own files."""
        digest = hashlib.sha256()
        for name in ("spec.toml", "spec.json", "contracts.py", "hidden.py"):
            file = self.folder / name
            if file.is_file():
                digest.update(name.encode() + file.read_bytes())
        return digest.hexdigest()


def where(error: BaseException, file: Path) -> str:
    """`file:line` of the last traceback line in `file`'s folder (the author's own code)."""
    mine = [
        f for f in traceback.extract_tb(error.__traceback__)
        if Path(f.filename).parent == file.parent
    ]  # fmt: skip
    return f"{mine[-1].filename}:{mine[-1].lineno}" if mine else str(file)


@contextmanager
def folder_on_path(folder: Path) -> Iterator[None]:
    """Import from `folder` for a moment; modules it brings in are forgotten afterwards."""
    before = set(sys.modules)
    sys.path.insert(0, str(folder))
    try:
        yield
    finally:
        sys.path.remove(str(folder))
        for name in set(sys.modules) - before:
            file = getattr(sys.modules[name], "__file__", None) or ""
            if Path(file).parent == folder:
                del sys.modules[name]  # the loaded code keeps its own references


def load_reference(path: Path) -> types.ModuleType:
    """The reference solution as a module, run in the grader (it is trusted code).

    A reference is written like a submission: its entry file may import its neighbours
    as top-level modules (`from activations import relu`), so its folder is on sys.path
    while it loads, and nothing of it stays in sys.modules afterwards.
    """
    name = f"{PACKAGE}_reference_{hashlib.sha256(str(path).encode()).hexdigest()[:12]}"
    spec = importlib.util.spec_from_file_location(name, path)
    if spec is None or spec.loader is None:
        raise SpecError(f"{path}: cannot be loaded as a Python module")
    module = importlib.util.module_from_spec(spec)
    with LOADING, folder_on_path(path.parent):
        try:
            spec.loader.exec_module(module)
        except Exception as error:
            frames = [
                f
                for f in traceback.extract_tb(error.__traceback__)
                if f.filename.startswith(str(path.parent))
            ]
            where = f"{frames[-1].filename}:{frames[-1].lineno}" if frames else str(path)
            raise SpecError(
                f"{where}: the reference raised {type(error).__name__}: {error}"
            ) from None
    return module

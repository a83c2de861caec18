"""Grade one submission: run each question's checks against the sandbox, turn every
outcome into a Verdict, and assemble the Report.

Hypothesis and the check modules are imported only after the child has been
started, so the child's NumPy import overlaps with the parent's.
"""

from __future__ import annotations

import importlib
import inspect
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from graders.sandbox import launch
from graders.sandbox.errors import (
    BadReply,
    CallTimeout,
    ChildDied,
    GraderFault,
    LoadFailed,
    MissingName,
    SandboxStop,
    StudentError,
)
from graders.sandbox.runner import Limits, Sandbox
from graders.spec import CheckSpec, QuestionSpec, Spec
from graders.submission import Submission, SubmissionError
from graders.verdict import Cause, QuestionResult, Report, Status, Verdict, score_question

# Public checks that judge only the form of an answer, never whether it is right.
FORMAT_CHECKS = frozenset({"check_answer_is_letter", "check_answer_is_number"})
NOT_LOADED = "not graded: your submission did not load (the reason is at the top)"


@dataclass
class Run:
    """One grading run: the sandbox plus what has been learned about the submission so far."""

    spec: Spec
    sandbox: Sandbox
    mode: str
    context: Any = None  # graders.checks.core.Context, made when the checks are imported
    check_args: dict[str, dict[str, Any]] = field(default_factory=dict)  # overrides by check
    diagnoses: dict[str, str] = field(default_factory=dict)  # function -> misconception id


def find_check(spec: CheckSpec) -> Callable[..., None]:
    """The check function named in the spec: public in graders.checks, hidden in graders.hidden."""
    package = "graders.checks" if spec.visibility == "public" else "graders.hidden"
    module = importlib.import_module(f"{package}.{spec.family}")
    check = getattr(module, spec.name, None)
    if check is None:
        raise LookupError(f"{package}.{spec.family} has no check named {spec.name}")
    return check


def title_of(check: Callable[..., None], args: dict[str, Any]) -> str:
    """The first line of the check's docstring, with its {placeholders} filled from args."""
    first = (inspect.getdoc(check) or check.__name__).splitlines()[0]
    return first.format(**args) if args else first


def diagnose(run: Run, family: str, function: str) -> str:
    """The known mistake `function` makes, if it makes one (computed once per submission)."""
    if function not in run.diagnoses:
        run.diagnoses[function] = ""
        try:
            wrongs = importlib.import_module(f"graders.misconceptions.{family}").WRONG.get(function)
            inputs = importlib.import_module(f"graders.strategies.{family}").DIAGNOSTIC.get(
                function
            )
        except ModuleNotFoundError:  # a family without known mistakes
            return ""
        if wrongs and inputs:
            from graders.checks.core import recognise

            try:
                run.diagnoses[function] = recognise(run.sandbox, function, wrongs, inputs)
            except SandboxStop:
                pass  # it hung or died on a diagnostic input: no name to give
    return run.diagnoses[function]


def run_check(run: Run, question: QuestionSpec, check_spec: CheckSpec) -> Verdict:
    """Run one check and describe how it ended, whatever the student's code did."""
    from hypothesis.errors import Flaky

    from graders.checks.core import CheckFailed

    check = find_check(check_spec)
    args = {**check_spec.args, **run.check_args.get(check_spec.name, {})}
    parameters = inspect.signature(check).parameters
    if "spec" in parameters:
        args["spec"] = run.spec
    if "context" in parameters:
        args["context"] = run.context
    shown_args = {k: v for k, v in check_spec.args.items() if isinstance(v, (str, int, float))}
    base = {
        "check": check_spec.name,
        "question": question.id,
        "title": title_of(check, shown_args),
        "visibility": check_spec.visibility,
    }
    started = time.perf_counter()
    outcome: dict[str, Any]
    try:
        check(run.sandbox, **args)
        outcome = {"status": Status.PASSED}
    except CheckFailed as failed:
        outcome = {
            "status": Status.FAILED,
            "cause": Cause.WRONG,
            "message": failed.message,
            "hint": failed.hint,
            "counterexample": failed.counterexample,
            "misconception": failed.misconception
            or (diagnose(run, check_spec.family, failed.function) if failed.function else ""),
        }
    except StudentError as error:
        outcome = _student_error(run, check_spec.family, error)
    except CallTimeout as stop:
        outcome = {
            "status": Status.FAILED,
            "cause": Cause.TIMEOUT,
            "message": stop.reason,
            "hint": "Look for a loop whose condition never becomes false, or work that grows "
            "far faster than the input.",
        }
    except MissingName as stop:
        outcome = {
            "status": Status.FAILED,
            "cause": Cause.MISSING,
            "message": f"{stop.reason}: define `{stop.name}` at the top level of your file",
        }
    except LoadFailed:
        outcome = {
            "status": Status.FAILED,
            "cause": Cause.NOT_LOADED,
            "message": NOT_LOADED,
        }
    except ChildDied as stop:
        outcome = {"status": Status.FAILED, "cause": Cause.CRASHED, "message": stop.reason}
    except BadReply as stop:
        outcome = {"status": Status.FAILED, "cause": Cause.REFUSED, "message": stop.reason}
    except Flaky:
        outcome = {
            "status": Status.FAILED,
            "cause": Cause.WRONG,
            "message": "gave different results when called twice with the same input",
            "hint": "Avoid global state and unseeded randomness in the graded functions.",
        }
    except GraderFault as fault:
        outcome = {"status": Status.ERROR, "cause": Cause.GRADER, "message": fault.reason}
    except Exception as bug:
        outcome = {
            "status": Status.ERROR,
            "cause": Cause.GRADER,
            "message": f"dlgrade could not run this check (a fault of dlgrade, not of your "
            f"code): {type(bug).__name__}: {bug}",
        }
    return _verdict(run, base, outcome, time.perf_counter() - started)


def _student_error(run: Run, family: str, error: StudentError) -> dict[str, Any]:
    if error.not_implemented:
        stub = error.function if error.function not in ("", "<module>") else error.name
        called = f" (called from {error.name})" if stub != error.name else ""
        return {
            "status": Status.FAILED,
            "cause": Cause.NOT_WRITTEN,
            "message": f"{stub} is not written yet{called}: it still raises NotImplementedError",
            "hint": "Replace the `raise NotImplementedError` line with your implementation.",
        }
    return {
        "status": Status.FAILED,
        "cause": Cause.RAISED,
        "message": f"{error.name} raised {error.type}: {error.message}",
        "traceback": error.traceback,
        "counterexample": error.counterexample,
        "misconception": diagnose(run, family, error.name),
    }


def _verdict(run: Run, base: dict[str, Any], outcome: dict[str, Any], seconds: float) -> Verdict:
    known = run.spec.misconceptions.get(outcome.get("misconception", ""))
    if known is not None:
        outcome["message"] = f"{outcome['message']} (this looks like: {known.name})"
        outcome["hint"] = known.hint
        outcome["misconception_name"] = known.name
    return Verdict(**base, **outcome, seconds=round(seconds, 4))


def grade_questions(run: Run) -> tuple[QuestionResult, ...]:
    """Every question's verdicts, in spec order (hidden checks skipped in student mode)."""
    results = []
    for question in run.spec.questions:
        checks = [
            c for c in question.checks if run.mode == "instructor" or c.visibility == "public"
        ]
        verdicts = tuple(run_check(run, question, c) for c in checks)
        points = score_question(verdicts, question.points)
        # In student mode a question with an answer whose public check reads only its format
        # (a letter, a number) is not passed: the answer is judged by hidden checks, later.
        skipped = len(checks) < len(question.checks)
        pending = skipped and bool(points) and any(c.name in FORMAT_CHECKS for c in checks)
        results.append(
            QuestionResult(
                question.id,
                question.number,
                question.title,
                0.0 if pending else points,
                question.points,
                verdicts,
                pending=pending,
            )
        )
    return tuple(results)


def explanations(run: Run) -> dict[str, str]:
    """Free-text explanations (never scored), collected for a person to read."""
    found = {}
    for question in run.spec.questions:
        if not question.explanation:
            continue
        try:
            text = run.sandbox.get(question.explanation)
        except (SandboxStop, StudentError):
            continue
        if isinstance(text, str) and text.strip():
            found[question.explanation] = text.strip()[:5000]
    return found


def grade(
    submission: Submission,
    spec: Spec,
    *,
    mode: str = "instructor",
    limits: Limits | None = None,
    launcher: launch.Launcher | None = None,
    sandbox: Sandbox | None = None,
    notes: tuple[str, ...] = (),
    context: Any = None,
    check_args: dict[str, dict[str, Any]] | None = None,
) -> Report:
    """Grade a loaded submission against a spec and return its report, whatever happens.

    A submission that does not load gets a report that says why once, at the top; a fault
    of ours (the sandbox cannot start, a bug in dlgrade) gets a report that is no grade.
    `context` (a graders.checks.core.Context) carries the data folder and budgets of
    project checks; `check_args` overrides a check's spec arguments by check name.
    """
    started = time.perf_counter()
    limits = limits or Limits(**spec.limits)
    box = sandbox or Sandbox(submission.code, limits, launcher)
    questions: tuple[QuestionResult, ...] = ()
    texts: dict[str, str] = {}
    load_error = fault = ""
    from graders.checks.core import Context

    context = context or Context()
    try:
        box.start()
        context.sources = tuple(chunk.source for chunk in submission.code.chunks)
        context.progress = box.progress
        box.ensure_loaded()
        run = Run(spec, box, mode, context, dict(check_args or {}))
        questions = grade_questions(run)
        texts = explanations(run)
    except LoadFailed as failed:
        load_error = failed.reason + (f"\n{failed.traceback}" if failed.traceback else "")
    except SubmissionError as refused:  # its folder changed into something the jail refuses
        load_error = f"{refused}"
    except GraderFault as stop:
        fault = stop.reason
    except Exception as bug:  # a fault of ours must never cost the student a grade
        fault = f"dlgrade failed while grading ({type(bug).__name__}: {bug})"
    finally:
        box.close()
    if load_error:
        questions = not_graded(spec, mode, Status.FAILED, Cause.NOT_LOADED, NOT_LOADED)
    elif fault:
        questions = not_graded(spec, mode, Status.ERROR, Cause.GRADER, f"not graded: {fault}")
    output = bytes(box.output).decode("utf-8", "replace")
    if box.output_dropped:
        output += f"\n[... {box.output_dropped} more bytes of output dropped]"
    notes = [*submission.notes, *(n for n in notes if n)]
    notes += [f"isolation '{box.isolation}' does not provide {m}" for m in box.launcher.missing]
    report = Report(
        assignment=spec.name,
        title=spec.title,
        submission=str(submission.path),
        isolation=box.isolation,
        isolation_detail=box.launcher.detail,
        questions=questions,
        pass_mark=spec.pass_mark,
        mode=mode,
        output=output,
        notes=tuple(notes),
        explanations=texts,
        figures=dict(context.figures),
        metrics=dict(context.metrics),
        load_error=load_error,
        fault=fault,
    )
    return _finish(report, spec, time.perf_counter() - started)


def _title_or_name(check_spec: CheckSpec) -> str:
    """The title a student knows a check by; its name if the check cannot be found."""
    try:
        check = find_check(check_spec)
    except (ImportError, LookupError):
        return check_spec.name
    shown = {k: v for k, v in check_spec.args.items() if isinstance(v, (str, int, float))}
    return title_of(check, shown)


def _finish(report: Report, spec: Spec, seconds: float) -> Report:
    from dataclasses import replace

    return replace(report, seconds=round(seconds, 3), advice=spec.advice_for(report.score))


def not_graded(
    spec: Spec, mode: str, status: Status, cause: Cause, message: str
) -> tuple[QuestionResult, ...]:
    """Every question with each of its checks ended the same way, scoring nothing."""
    questions = []
    for question in spec.questions:
        verdicts = tuple(
            Verdict(
                check=c.name,
                question=question.id,
                title=_title_or_name(c),
                status=status,
                visibility=c.visibility,
                message=message,
                cause=cause,
            )
            for c in question.checks
            if mode == "instructor" or c.visibility == "public"
        )
        questions.append(
            QuestionResult(
                question.id, question.number, question.title, 0.0, question.points, verdicts
            )
        )
    return tuple(questions)


def faulted(path: Path, spec: Spec, fault: str, mode: str = "instructor") -> Report:
    """A complete report that is no grade: a fault of ours stopped it before anything ran."""
    questions = not_graded(spec, mode, Status.ERROR, Cause.GRADER, f"not graded: {fault}")
    report = Report(
        assignment=spec.name,
        title=spec.title,
        submission=str(path),
        isolation="none",
        questions=questions,
        pass_mark=spec.pass_mark,
        mode=mode,
        fault=fault,
    )
    return _finish(report, spec, 0.0)


def unloadable(path: Path, spec: Spec, error: SubmissionError, mode: str = "instructor") -> Report:
    """A complete report for a submission that could not even be read: nothing of it ran."""
    report = Report(
        assignment=spec.name,
        title=spec.title,
        submission=str(path),
        isolation="none",
        questions=not_graded(spec, mode, Status.FAILED, Cause.NOT_LOADED, f"not graded: {error}"),
        pass_mark=spec.pass_mark,
        mode=mode,
        notes=(f"{error.kind}: {error}",),
        load_error=f"{error}",
    )
    return _finish(report, spec, 0.0)

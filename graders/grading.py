"""Grade one submission: run each question's checks against the sandbox, turn every
outcome into a Verdict, and assemble the Report.

The checks were all built when the assignment loaded (graders.spec); here they only run.
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

import numpy as np

from graders.checks.core import Context
from graders.checks.derive import Check, Env
from graders.checks.diagnose import Diagnosis, diagnose
from graders.checks.explain import explain
from graders.contract import Fail
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
from graders.sandbox.job import Limits
from graders.sandbox.runner import Sandbox
from graders.spec import Question, Spec
from graders.submission import Submission, SubmissionError
from graders.verdict import Cause, QuestionResult, Report, Status, Verdict, score_question

NOT_LOADED = "not graded: your submission did not load (the reason is at the top)"


@dataclass
class Run:
    """One grading run: the sandbox plus what has been learned about the submission so far."""

    spec: Spec
    sandbox: Sandbox
    mode: str
    env: Env
    diagnoses: dict[str, Diagnosis] = field(default_factory=dict)  # by function name


def mistakes_of(run: Run, check: Check) -> tuple[str, ...]:
    """The known mistakes the function behind `check` shows (worked out once per function)."""
    function = check.function
    if function is None:
        return ()
    if function.name not in run.diagnoses:
        stored = run.spec.truth  # a student kit's: outcomes, not code
        truth: Any = stored.get(function.name)
        wrong = None
        if truth is not None:
            wrong = {
                m.id: stored[key]
                for m in function.mistakes
                if (key := f"{function.name}/{m.id}") in stored
            }
        elif run.env.reference is not None:
            truth = run.env.reference(function.name)
        run.diagnoses[function.name] = (
            diagnose(lambda inputs: run.sandbox.map(function.name, inputs), function, truth, wrong)
            if truth is not None
            else Diagnosis()
        )
    return run.diagnoses[function.name].mistakes


def run_check(run: Run, question: Question, check: Check) -> Verdict:
    """Run one check and describe how it ended, whatever the student's code did."""
    base = {
        "check": check.name,
        "question": question.id,
        "title": check.title,
        "visibility": check.visibility,
    }
    started = time.perf_counter()
    outcome: dict[str, Any]
    try:
        check.run(run.env)
        outcome = {"status": Status.PASSED}
    except Fail as failed:
        named = (failed.mistake,) if failed.mistake else ()
        outcome = {
            "status": Status.FAILED,
            "cause": Cause.WRONG,
            "message": failed.message,
            "hint": failed.hint,
            "counterexample": failed.counterexample,
            "mistakes": named + tuple(m for m in mistakes_of(run, check) if m not in named),
        }
    except StudentError as error:
        outcome = _student_error(run, check, error)
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
        outcome = {"status": Status.FAILED, "cause": Cause.NOT_LOADED, "message": NOT_LOADED}
    except ChildDied as stop:
        outcome = {"status": Status.FAILED, "cause": Cause.CRASHED, "message": stop.reason}
    except BadReply as stop:
        outcome = {"status": Status.FAILED, "cause": Cause.REFUSED, "message": stop.reason}
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


def _student_error(run: Run, check: Check, error: StudentError) -> dict[str, Any]:
    if error.not_implemented:
        stub = error.function if error.function not in ("", "<module>") else error.name
        called = f" (called from {error.name})" if stub != error.name else ""
        return {
            "status": Status.FAILED,
            "cause": Cause.NOT_WRITTEN,
            "message": f"{stub} is not written yet{called}: it still raises NotImplementedError",
            "hint": "Replace the `raise NotImplementedError` line with your implementation.",
        }
    why = explain(error.type, error.message)
    shapes = [str(a.shape) for a in error.inputs if isinstance(a, np.ndarray)]
    given = f" for inputs of shape {', '.join(shapes)}" if shapes else ""
    return {
        "status": Status.FAILED,
        "cause": Cause.RAISED,
        "message": f"{error.name} raised {error.type}{given}: {error.message}"
        + (f". Likely cause: {why}" if why else ""),
        "traceback": error.traceback,
        "counterexample": error.counterexample,
        "mistakes": mistakes_of(run, check),
    }


def _verdict(run: Run, base: dict[str, Any], outcome: dict[str, Any], seconds: float) -> Verdict:
    """The verdict, with every known mistake it shows named, the most fundamental first."""
    known = [
        run.spec.misconceptions[m]
        for m in outcome.pop("mistakes", ())
        if m in run.spec.misconceptions
    ]
    if known:
        names = "; also: ".join(m.name for m in known)
        outcome["message"] = f"{outcome['message']} (this looks like: {names})"
        outcome["hint"] = " ".join(m.hint for m in known)
        outcome["misconception"] = known[0].id
        outcome["misconception_name"] = known[0].name
        outcome["also"] = tuple(m.id for m in known[1:])
        outcome["also_names"] = tuple(m.name for m in known[1:])
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
        # In student mode a question with an answer whose public check reads only its form
        # (a letter, a number) is not passed: the answer is judged by hidden checks, later.
        skipped = run.mode != "instructor" and any(
            c.visibility == "hidden" for c in question.checks
        )
        unjudged = run.spec.student_kit and bool(question.answers)
        pending = (skipped or unjudged) and bool(points) and any(c.format_only for c in checks)
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
    try:
        box = sandbox or Sandbox(submission.code, limits, launcher)
    except OSError as error:  # no grading slot or scratch folder free: ours, never a grade
        return faulted(submission.path, spec, f"the sandbox could not start ({error})", mode)
    questions: tuple[QuestionResult, ...] = ()
    texts: dict[str, str] = {}
    signatures: dict[str, dict[str, Any]] = {}
    load_error = fault = ""
    context = context or Context()
    try:
        box.start()
        context.progress = box.progress
        box.ensure_loaded()
        env = Env(box, context, spec.bank, spec.reference, spec, dict(check_args or {}))
        run = Run(spec, box, mode, env)
        questions = grade_questions(run)
        texts = explanations(run)
        signatures = {
            name: {"signature": d.signature, "example": d.example, "mistakes": list(d.mistakes)}
            for name, d in run.diagnoses.items()
            if d.signature
        }
    except LoadFailed as failed:
        why = explain(*failed.raised)
        load_error = failed.reason + (f". Likely cause: {why}" if why else "")
        load_error += f"\n{failed.traceback}" if failed.traceback else ""
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
        signatures=signatures,
    )
    return _finish(report, spec, time.perf_counter() - started)


def _finish(report: Report, spec: Spec, seconds: float) -> Report:
    """The report with its time, and the course's advice when the score decides it."""
    undecided = not report.passed and report.score + report.pending_points >= report.pass_mark
    advice = "" if undecided or not report.graded else spec.advice_for(report.score)
    return replace(report, seconds=round(seconds, 3), advice=advice)


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
                title=c.title,
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


def reference_problem(report: Report) -> str:
    """Why the grading environment cannot be trusted, judged by the reference's report ("" when
    it scored full marks): a reference that loses points blames the grader, never a student."""
    at = f"at isolation '{report.isolation}'"
    if not report.graded:
        return f"the reference solution could not be graded {at}: {report.fault}"
    if report.score >= report.max_score:
        return ""
    lost = [
        f"{q.id} ({q.first_failure.message.splitlines()[0][:160]})"
        for q in report.questions
        if q.failures and q.first_failure is not None
    ]
    said = f"; it lost {', '.join(lost[:3])}" if lost else ""
    why = f"; it did not load: {report.load_error[:200]}" if report.load_error else said
    return (
        f"the reference solution scored {report.score:g}/{report.max_score:g} {at} instead of "
        f"full marks{why}"
    )


def grade_path(
    path: Path,
    spec: Spec,
    *,
    mode: str = "instructor",
    launcher: launch.Launcher | None = None,
    notes: tuple[str, ...] = (),
    context: Any = None,
    check_args: dict[str, dict[str, Any]] | None = None,
) -> Report:
    """Read the submission at `path` and grade it; one that cannot be read gets a complete
    report that says why (nothing of it ran)."""
    from graders.submission import load_submission

    try:
        submission = load_submission(path, spec.entry)
    except SubmissionError as error:
        return unloadable(path, spec, error, mode)
    return grade(
        submission,
        spec,
        mode=mode,
        launcher=launcher,
        notes=notes,
        context=context,
        check_args=check_args,
    )


def self_test(
    spec: Spec, launcher: launch.Launcher, context: Any = None
) -> tuple[Report | None, str]:
    """Grade the reference solution where `launcher` runs children: its report, and why
    grading here cannot be trusted ("" when the reference scored full marks)."""
    reference = spec.reference_submission
    if reference is None or not reference.exists():
        return None, f"the reference solution of {spec.name} is not installed here"
    report = grade_path(reference, spec, launcher=launcher, context=context)
    return report, reference_problem(report)

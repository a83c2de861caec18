"""The `dlgrade` command line: check (grade one submission), demo, data, doctor, and the
instructor's grade, export, report and build."""

from __future__ import annotations

import argparse
import os
import sys
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

EXIT_PASS, EXIT_FAIL, EXIT_USAGE = 0, 1, 2
EXIT_INTERRUPTED = 130  # 128 + SIGINT, as shells report a Ctrl-C
EXIT_BROKEN_PIPE = 141  # 128 + SIGPIPE: what a pipeline's writer ends with when its reader left
BUILD_TARGETS = ("gradescope", "prairielearn", "student-kit", "otter", "classroom")
ROOT = Path(__file__).resolve().parent.parent


def isolation_option(command: argparse.ArgumentParser, default_help: str) -> None:
    """--isolation, whose default is $DLGRADE_ISOLATION, else auto."""
    from graders.sandbox.isolation import ENV_VAR, NAMES, level_name, requested

    command.add_argument(
        "--isolation",
        type=level_name,
        default=requested(),
        metavar="{" + ",".join(NAMES) + "}",
        help=f"how to sandbox the submission (default: ${ENV_VAR}, else auto: {default_help})",
    )


def parser() -> argparse.ArgumentParser:
    top = argparse.ArgumentParser(
        prog="dlgrade", description="Grade Deep Learning Foundations work in a sandbox."
    )
    top.add_argument("--version", action=VersionAction, nargs=0, help="print the version")
    commands = top.add_subparsers(dest="command", required=True)

    check = commands.add_parser("check", help="grade one submission and print its report")
    check.add_argument("path", type=Path, help="a .py file, a notebook, or a folder holding one")
    check.add_argument(
        "-a",
        "--assignment",
        default="selfcheck",
        help="selfcheck (default), digits, mnist_mlp, ...",
    )
    check.add_argument(
        "-f",
        "--format",
        choices=("text", "json", "junit"),
        default="text",
        help="text (default), json, or junit (JUnit XML for CI test reporters)",
    )
    isolation_option(check, "the strongest level that works here")
    check.add_argument(
        "--student", action="store_true", help="run the public checks only (as a student kit does)"
    )
    check.add_argument(
        "--data", help="folder with the MNIST files (else $DLGRADE_MNIST_DIR, cache)"
    )
    check.add_argument("--html", type=Path, help="also write an HTML report with plots here")
    check.add_argument("--budget", type=float, help="training budget in seconds (spec's default)")
    check.add_argument(
        "--train-limit", type=int, help="train on the first N samples only (a quick local run)"
    )
    demo = commands.add_parser(
        "demo", help="grade the built-in examples: the reference (passes) and the template (fails)"
    )
    demo.add_argument("-f", "--format", choices=("text", "json"), default="text")
    isolation_option(demo, "the strongest level that works here")
    batch = commands.add_parser("grade", help="grade a class: a folder of submissions")
    batch.add_argument("submissions", type=Path, help="one file or folder per student")
    batch.add_argument(
        "-a",
        "--assignment",
        required=True,
        help="a built-in assignment's name, or an assignment's folder (with --scheduler, at the "
        "same path on every worker)",
    )
    batch.add_argument("--roster", type=Path, help="CSV with a student id column (and submission)")
    batch.add_argument("--db", type=Path, default=Path("dlgrade.db"), help="default: ./dlgrade.db")
    batch.add_argument("--workers", type=int, default=os.cpu_count() or 1)
    batch.add_argument("--force", action="store_true", help="regrade unchanged submissions too")
    batch.add_argument("--scheduler", help="a Dask scheduler, tcp://HOST:PORT (default: local)")
    isolation_option(batch, "the jail; below it only with --allow-process")
    batch.add_argument(
        "--allow-process",
        action="store_true",
        help="let auto fall back to plain processes where the jail cannot run (unsafe for "
        "untrusted code; the same as --isolation process when the jail is unavailable)",
    )
    batch.add_argument("--data", help="folder with the MNIST files")
    batch.add_argument("--budget", type=float, help="training budget in seconds")
    batch.add_argument(
        "--no-self-test",
        dest="self_test",
        action="store_false",
        help="do not grade the reference solution first (it must score full marks where the "
        "class is graded, or nobody is graded)",
    )
    export = commands.add_parser("export", help="export a gradebook for a platform")
    export.add_argument("-a", "--assignment", required=True)
    export.add_argument("--db", type=Path, default=Path("dlgrade.db"))
    export.add_argument(
        "-f", "--format", choices=("csv", "canvas", "gradescope", "junit"), default="csv"
    )
    export.add_argument(
        "-o", "--output", type=Path, required=True, help="file (folder: gradescope)"
    )
    export.add_argument(
        "--roster",
        type=Path,
        help="canvas: the roster, with Canvas's ID, SIS User ID, SIS Login ID and Section columns",
    )
    export.add_argument(
        "--canvas-assignment",
        metavar="ID_OR_HEADER",
        help="canvas: the Canvas assignment id (digits), or its column header from a Canvas export",
    )
    report = commands.add_parser("report", help="write the class report (HTML)")
    report.add_argument("-a", "--assignment", required=True)
    report.add_argument("--db", type=Path, default=Path("dlgrade.db"))
    report.add_argument("-o", "--output", type=Path, default=Path("class_report.html"))
    build = commands.add_parser("build", help="package an assignment for a platform or students")
    build.add_argument("target", choices=BUILD_TARGETS, help="what to build")
    build.add_argument("-a", "--assignment", required=True)
    build.add_argument(
        "-o",
        "--output",
        type=Path,
        required=True,
        help="the zip (gradescope), the course's root (prairielearn) or the folder to write",
    )
    build.add_argument(
        "--allow-process",
        action="store_true",
        help="gradescope, prairielearn: grade in a plain process where no isolation level "
        "that confines untrusted code can start (unsafe)",
    )
    build.add_argument(
        "--image", help="prairielearn: the grading image the question names (you build it)"
    )
    doctor = commands.add_parser(
        "doctor", help="what this machine provides for grading, and a self-test"
    )
    isolation_option(doctor, "the strongest level that works here")
    doctor.add_argument("--data", help="folder with the MNIST files")
    doctor.add_argument(
        "-a", "--assignment", default="selfcheck", help="whose reference the self-test grades"
    )
    doctor.add_argument("-f", "--format", choices=("text", "json"), default="text")
    authoring(commands)
    data = commands.add_parser("data", help="find (or download) a data set")
    data.add_argument("name", choices=("mnist",))
    data.add_argument("--data", help="the folder to use (default: the cache)")
    data.add_argument("--download", action="store_true", help="download the files if missing")
    return top


def authoring(commands: argparse._SubParsersAction) -> None:
    """The commands for writing assignments: new, validate, template."""
    new = commands.add_parser("new", help="start a new assignment folder that validates as is")
    new.add_argument("name", help="the assignment's name, also the module students hand in")
    new.add_argument("-o", "--output", type=Path, required=True, help="the folder to create")
    validate = commands.add_parser(
        "validate", help="prove an assignment: reference, template, known mistakes, kit"
    )
    validate.add_argument("assignment", help="a built-in assignment's name, or its folder")
    validate.add_argument(
        "--quick", action="store_true", help="train on a small sample, without the thresholds"
    )
    isolation_option(validate, "the strongest level that works here")
    validate.add_argument("--data", help="folder with the MNIST files (projects that use it)")
    mistakes = commands.add_parser(
        "mistakes", help="after `dlgrade grade`: wrong functions many students share, unnamed"
    )
    mistakes.add_argument("-a", "--assignment", required=True)
    mistakes.add_argument("--db", type=Path, default=Path("dlgrade.db"))
    mistakes.add_argument(
        "--at-least", type=int, default=2, help="smallest group to list (default 2 students)"
    )
    template = commands.add_parser(
        "template", help="write the student's template (.py from the spec, and its .ipynb)"
    )
    template.add_argument("-a", "--assignment", required=True, help="a name or a folder")
    template.add_argument(
        "--check", action="store_true", help="exit 1 when the template files are out of date"
    )


class VersionAction(argparse.Action):
    """--version, which looks the version up only when asked (the lookup costs 30 ms)."""

    def __call__(self, parser: argparse.ArgumentParser, *_: Any) -> None:
        print(f"dlgrade {version()}")
        parser.exit()


def version() -> str:
    """This dlgrade's version, as installed (or "unknown" when run from a bare checkout)."""
    from importlib.metadata import PackageNotFoundError
    from importlib.metadata import version as installed

    try:
        return installed("dlgrade")
    except PackageNotFoundError:
        return "unknown"


def fail_usage(message: str) -> int:
    """Say on one line why nothing could be graded (the message may name a student's files)."""
    from graders.render.inert import display_text

    print(f"dlgrade: {display_text(message, multiline=False)}", file=sys.stderr)
    return EXIT_USAGE


@contextmanager
def training_progress(budget: float, show: bool) -> Iterator[Callable[[int, float], None] | None]:
    """A progress bar fed by the child's report(step, loss) calls: time used of the budget."""
    if not show:
        yield None
        return
    from rich.progress import BarColumn, Progress, TextColumn, TimeElapsedColumn

    columns = (
        TextColumn("training"),
        BarColumn(),
        TimeElapsedColumn(),
        TextColumn("{task.description}"),
    )
    with Progress(*columns, transient=True) as bar:
        task = bar.add_task("waiting for the first report(step, loss)", total=budget)
        started = time.monotonic()

        def update(step: int, loss: float) -> None:
            elapsed = time.monotonic() - started
            bar.update(
                task, completed=min(elapsed, budget), description=f"step {step} · loss {loss:.4g}"
            )

        yield update


def check(args: argparse.Namespace) -> int:
    """Grade one submission and print its report (exit 0 passed, 1 failed, 2 not graded)."""
    from concurrent.futures import ThreadPoolExecutor

    from graders.sandbox.errors import GraderFault
    from graders.sandbox.isolation import Choice, ready
    from graders.sandbox.job import Limits
    from graders.sandbox.runner import Sandbox
    from graders.specfile import SpecError, child_limits, read_raw
    from graders.submission import load_submission
    from graders.threads import serialise_parsing

    serialise_parsing()  # the canary's replies are parsed while this thread imports

    # What the child needs (the module to load, its limits) comes from the spec file alone:
    # the child starts while this process imports the assignment's contracts.
    try:
        raw, _ = read_raw(args.assignment)
        entry, limits = raw["entry"], Limits(**child_limits(raw))
    except (SpecError, KeyError, TypeError, ValueError):
        return load_and_fail(args)  # load_spec gives the precise error
    try:
        submission = load_submission(args.path, entry)
    except Exception as error:
        return unreadable(args, error)
    budget = args.budget or float(raw.get("training", {}).get("seconds", 0))
    show = bool(raw.get("training")) and args.format == "text" and sys.stdout.isatty()

    def start(on_progress: Callable[[int, float], None] | None) -> tuple[Sandbox, Choice]:
        """Start the child at the strongest level that works: it proves the level itself."""
        return ready(
            args.isolation, lambda launcher: Sandbox(submission.code, limits, launcher, on_progress)
        )

    with training_progress(budget, show) as on_progress, ThreadPoolExecutor(1) as pool:
        starting = pool.submit(start, on_progress)
        from graders.checks.core import Context
        from graders.grading import faulted, grade
        from graders.spec import load_spec

        try:
            spec = load_spec(args.assignment)
        except SpecError as error:
            close_when_started(starting)
            return fail_usage(f"{error}")
        if spec.training.get("data") == "mnist":
            from graders.data.mnist import DataError, find_mnist

            try:
                find_mnist(args.data)
            except DataError as error:
                close_when_started(starting)
                return fail_usage(f"{error}")
        show_report = report_printer(args.format)  # while the child is still importing NumPy
        try:
            sandbox, choice = starting.result()
        except GraderFault as fault:
            return fail_usage(f"not graded, a fault of ours: {fault.reason}")
        except Exception as error:  # the child could not start: a fault of ours, reported
            fault = f"the sandbox could not start ({type(error).__name__}: {error})"
            if args.format != "text":
                print(render_machine(faulted(args.path, spec, fault), args.format))
            return fail_usage(f"not graded, a fault of ours: {fault}")
        context = Context(
            data_dir=args.data, train_seconds=args.budget, train_limit=args.train_limit
        )
        mode = "student" if args.student or spec.student_kit else "instructor"
        report = grade(
            submission, spec, mode=mode, sandbox=sandbox, notes=(choice.note,), context=context
        )
    show_report(report)
    if args.html:
        try:
            figures = write_html(report, args.html)
        except OSError as error:
            return fail_usage(f"could not write the HTML report: {error}")
        beside = f", its figures as PNG files in {figures}/" if figures else ""
        print(f"dlgrade: wrote the HTML report to {args.html}{beside}", file=sys.stderr)
    if not report.graded:
        return fail_usage(f"not graded, a fault of ours: {report.errors[0]}")
    # In student mode the points only the hidden checks can judge are not held against you.
    reachable = report.score + report.pending_points >= report.pass_mark
    return EXIT_PASS if report.passed or (report.mode == "student" and reachable) else EXIT_FAIL


def close_when_started(starting: Any) -> None:
    """Stop the child a `check` started, once it has started (or failed to)."""
    try:
        sandbox, _ = starting.result()
    except Exception:
        return
    sandbox.close()


def load_and_fail(args: argparse.Namespace) -> int:
    """The spec could not be read quickly: load it properly, for its precise error."""
    from graders.spec import SpecError, load_spec

    try:
        load_spec(args.assignment)
    except SpecError as error:
        return fail_usage(f"{error}")
    return fail_usage(f"{args.assignment}: the spec could not be read")


def unreadable(args: argparse.Namespace, error: Exception) -> int:
    """A submission that could not be read: its report says why (exit 2), or, for a fault of
    ours while reading it, a report that is no grade."""
    from graders.grading import faulted, unloadable
    from graders.spec import SpecError, load_spec
    from graders.submission import SubmissionError

    try:
        spec = load_spec(args.assignment)
    except SpecError as spec_error:
        return fail_usage(f"{spec_error}")
    if isinstance(error, SubmissionError):
        if args.format != "text" and error.kind != "missing":
            print(render_machine(unloadable(args.path, spec, error), args.format))
        return fail_usage(f"{error}")
    fault = f"dlgrade could not read the submission ({type(error).__name__}: {error})"
    if args.format != "text":
        print(render_machine(faulted(args.path, spec, fault), args.format))
    return fail_usage(f"not graded, a fault of ours: {fault}")


def report_printer(format: str) -> Callable[[Any], None]:
    """What prints a report in `format` on standard output (text: rich's, imported here)."""
    if format != "text":
        return lambda report: print(render_machine(report, format))
    from graders.render.terminal import print_report

    return print_report


def render_machine(report: Any, format: str) -> str:
    """The report for a program to read: one JSON document, or JUnit XML."""
    if format == "junit":
        from graders.render.junit import junit_xml

        return junit_xml([(Path(report.submission).name, report)])
    from graders.render.json_report import render_json

    return render_json(report)


def write_html(report: Any, path: Path) -> Path | None:
    """Write the HTML report to `path` and its pictures as PNG files in a folder beside it;
    that folder, or None when there was no picture to write."""
    from graders.render.html import render_html
    from graders.render.plots import write_pngs

    path.write_text(render_html(report), encoding="utf-8")
    if not report.figures:
        return None
    folder = path.with_name(f"{path.stem}_figures")
    try:
        return folder if write_pngs(report.figures, folder) else None
    except ImportError:  # no matplotlib: the page already says the pictures are missing
        return None


def demo(args: argparse.Namespace) -> int:
    """Grade the reference and the blank template; succeed when they score 12 and 0."""
    examples = [
        (ROOT / "reference", EXIT_PASS),
        (ROOT / "student_template" / "selfcheck.py", EXIT_FAIL),
    ]
    missing = [str(path) for path, _ in examples if not path.exists()]
    if missing:
        return fail_usage(f"the built-in examples are not installed here ({', '.join(missing)})")
    codes = []
    for path, expected in examples:
        print(f"\n$ dlgrade check {path.relative_to(ROOT)}")
        sys.stdout.flush()
        argv = ["check", str(path), "--format", args.format, "--isolation", args.isolation]
        namespace = parser().parse_args(argv)
        codes.append(check(namespace) == expected)
    return EXIT_PASS if all(codes) else EXIT_FAIL


def data(args: argparse.Namespace) -> int:
    """Say where the MNIST files are, or download them when asked."""
    from graders.data.mnist import DataError, default_cache_dir, download_mnist, find_mnist

    try:
        print(f"MNIST found in {find_mnist(args.data)}")
        return EXIT_PASS
    except DataError as error:
        if not args.download:
            return fail_usage(f"{error}")
    target = Path(args.data) if args.data else default_cache_dir()
    try:
        print(f"MNIST downloaded to {download_mnist(target)}")
    except DataError as error:
        return fail_usage(f"{error}")
    return EXIT_PASS


def doctor(args: argparse.Namespace) -> int:
    """Say what this machine provides; exit 0 when the self-test passes, 2 otherwise."""
    import dataclasses
    import json

    from graders.doctor import findings, render

    found = findings(args.isolation, args.data, args.assignment)
    if args.format == "json":
        print(json.dumps([dataclasses.asdict(f) for f in found], indent=2))
    else:
        print(render(found))
    return EXIT_PASS if found[-1].ok else EXIT_USAGE


def grade_class(args: argparse.Namespace) -> int:
    """Grade every submission in a folder into the gradebook, with a progress bar."""
    from rich.console import Console
    from rich.progress import (
        BarColumn,
        MofNCompleteColumn,
        Progress,
        TextColumn,
        TimeElapsedColumn,
        TimeRemainingColumn,
    )

    from graders.batch.discover import RosterError, read_roster
    from graders.batch.gradebook import Gradebook
    from graders.batch.run import SelfTestFailed, run_batch
    from graders.render.inert import display_text
    from graders.sandbox.errors import GraderFault
    from graders.sandbox.isolation import Needs, choose
    from graders.spec import SpecError, load_spec

    try:
        spec = load_spec(args.assignment)
        roster = read_roster(args.roster) if args.roster else None
    except (SpecError, RosterError) as error:
        return fail_usage(f"{error}")
    if not args.submissions.is_dir():
        return fail_usage(f"{args.submissions} is not a folder of submissions")
    choice = None
    if not args.scheduler:  # a cluster's workers choose on their own machines
        try:
            choice = choose(args.isolation, Needs.of(spec), untrusted=not args.allow_process)
        except GraderFault as fault:
            return fail_usage(f"not grading: {fault.reason}")
        if choice.note:
            print(f"dlgrade: {choice.note}", file=sys.stderr)
    console = Console(stderr=True)
    columns = (
        TextColumn(f"grading {spec.name}"),
        BarColumn(),
        MofNCompleteColumn(),
        TextColumn("{task.fields[rate]}"),
        TimeElapsedColumn(),
        TextColumn("left"),
        TimeRemainingColumn(),
    )
    with Gradebook(args.db) as book, Progress(*columns, console=console) as progress:
        task = progress.add_task("grading", total=None, rate="")
        started = time.monotonic()

        def on_start(total: int) -> None:
            progress.update(task, total=total)

        def on_result(_: object) -> None:
            progress.advance(task)
            done = progress.tasks[0].completed
            elapsed = max(time.monotonic() - started, 1e-9)
            progress.update(task, rate=f"{done / elapsed:.1f}/s")

        try:
            summary = run_batch(
                args.submissions,
                args.assignment,
                book,
                workers=max(args.workers, 1),
                isolation=args.isolation,
                allow_process=args.allow_process,
                launcher=choice.launcher if choice else None,
                roster=roster,
                force=args.force,
                scheduler=args.scheduler,
                data_dir=args.data,
                budget=args.budget,
                self_test=args.self_test,
                on_start=on_start,
                on_result=on_result,
            )
        except SelfTestFailed as failure:
            progress.stop()
            return fail_usage(
                f"not grading anyone: {failure}. Nothing was recorded. Run `dlgrade doctor "
                f"--assignment {args.assignment}` to see why, fix it, and grade again"
            )
        except KeyboardInterrupt:
            progress.stop()
            done = len(book.entries(spec.name))
            print(
                f"Interrupted. {done} results are saved in {args.db}; run the same command "
                "again to grade the rest (what is already graded is skipped).",
                file=sys.stderr,
            )
            return EXIT_INTERRUPTED
        entries = book.entries(spec.name)
    passed = sum(e.passed for e in entries)
    print(
        f"{spec.name}: graded {summary.graded}, unchanged {summary.skipped}, invalid "
        f"{summary.invalid}, missing {summary.missing}, duplicate {summary.duplicate} "
        f"in {summary.seconds:.1f} s; {passed}/{len(entries)} students pass. "
        f"Gradebook: {args.db}"
    )
    for failure in summary.failed_to_grade:
        shown = display_text(failure, multiline=False)
        print(f"not graded (dlgrade error, will retry on the next run): {shown}", file=sys.stderr)
    return EXIT_FAIL if summary.failed_to_grade else EXIT_PASS


class UsageError(Exception):
    """A command that cannot run as asked; the message says why."""


def gradebook_entries(args: argparse.Namespace) -> tuple[Any, list[Any]]:
    """The assignment's spec and its entries from the gradebook at `args.db`."""
    from graders.batch.gradebook import Gradebook
    from graders.spec import SpecError, load_spec

    try:
        spec = load_spec(args.assignment)
    except SpecError as error:
        raise UsageError(f"{error}") from None
    if not args.db.is_file():
        raise UsageError(f"no gradebook at {args.db}: run `dlgrade grade` first")
    with Gradebook(args.db) as book:
        return spec, book.entries(spec.name)


def export_class(args: argparse.Namespace) -> int:
    """Write the gradebook in a platform's import format."""
    from graders.batch import exports

    if (args.roster or args.canvas_assignment) and args.format != "canvas":
        return fail_usage("--roster and --canvas-assignment are for --format canvas only")
    try:
        spec, entries = gradebook_entries(args)
    except UsageError as error:
        return fail_usage(f"{error}")
    if args.format == "gradescope":
        written = exports.write_gradescope(entries, args.output)
        print(f"wrote {len(written)} results.json files under {args.output}")
        return EXIT_PASS
    if args.format == "junit":
        from graders.render.junit import junit_xml

        text = junit_xml([(e.student, e.result) for e in entries if e.result])
    elif args.format == "canvas":
        from graders.batch.discover import RosterError, read_roster

        try:
            roster = read_roster(args.roster) if args.roster else None
            text = exports.canvas_csv(entries, spec, args.canvas_assignment, roster)
        except (RosterError, ValueError) as error:
            return fail_usage(f"{error}")
    else:
        text = exports.class_csv(entries, spec)
    args.output.write_text(text, encoding="utf-8", newline="")  # the CSVs end lines in CRLF
    print(f"wrote {args.output} ({len(entries)} students)")
    return EXIT_PASS


def report_class(args: argparse.Namespace) -> int:
    """Write the class report: where the class struggles."""
    from graders.batch.class_report import write_class_report

    try:
        spec, entries = gradebook_entries(args)
    except UsageError as error:
        return fail_usage(f"{error}")
    write_class_report(entries, spec, args.output)
    print(f"wrote {args.output} ({len(entries)} students)")
    return EXIT_PASS


def build(args: argparse.Namespace) -> int:
    """Package an assignment: a Gradescope autograder zip, a student kit, an otter assignment."""
    import importlib

    from graders.platforms import BuildError
    from graders.spec import SpecError, load_spec

    try:
        spec = load_spec(args.assignment)
    except SpecError as error:
        return fail_usage(f"{error}")
    module = importlib.import_module(f"graders.platforms.{args.target.replace('-', '_')}")
    options = {"image": args.image} if args.image else {}
    if options and args.target != "prairielearn":
        return fail_usage("--image is for `dlgrade build prairielearn` only")
    try:
        written = module.build(spec, args.output, allow_process=args.allow_process, **options)
    except BuildError as error:
        return fail_usage(f"{error}")
    print(f"wrote {written}")
    return EXIT_PASS


def new_assignment(args: argparse.Namespace) -> int:
    """`dlgrade new`: a small complete assignment to edit."""
    from graders.authoring import scaffold

    try:
        folder = scaffold(args.name, args.output)
    except ValueError as error:
        return fail_usage(f"{error}")
    print(
        f"wrote {folder}: edit spec.toml and contracts.py, then `dlgrade validate {folder}` "
        f"and `dlgrade template -a {folder}`"
    )
    return EXIT_PASS


def validate_assignment(args: argparse.Namespace) -> int:
    """`dlgrade validate`: print what was proved about an assignment; exit 1 on any defect."""
    from rich.console import Console
    from rich.table import Table

    from graders.authoring import validate
    from graders.checks.core import Context
    from graders.grading import grade_path
    from graders.sandbox.errors import GraderFault
    from graders.sandbox.isolation import Needs, choose
    from graders.spec import SpecError, load_spec

    try:
        spec = load_spec(args.assignment)
        choice = choose(args.isolation, Needs.of(spec))
    except SpecError as error:
        return fail_usage(f"{error}")
    except GraderFault as fault:
        return fail_usage(f"cannot validate here, a fault of ours: {fault.reason}")
    launcher, fallback = choice.launcher, choice.note
    quick_args = {}
    if args.quick:  # every check with a threshold runs, with the bar at 0
        quick_args = {c.name: {"threshold": 0.0} for c in spec.checks.values() if c.thresholded}

    def grade_one(path: Path) -> Any:
        context = Context(data_dir=args.data, train_limit=2000 if args.quick else None)
        return grade_path(
            path, spec, launcher=launcher, notes=(fallback,), context=context, check_args=quick_args
        )

    findings = validate(spec, grade_one, quick=args.quick)
    table = Table(title=f"dlgrade validate {spec.name} ({launcher.level})", show_lines=False)
    for column in ("", "claim", "detail"):
        table.add_column(column)
    for finding in findings:
        mark = "[green]✓[/green]" if finding.ok else "[red]✗[/red]"
        table.add_row(mark, finding.claim, finding.detail)
    Console(width=160).print(table)
    failed = [f for f in findings if not f.ok]
    print(
        f"{len(findings) - len(failed)}/{len(findings)} proved"
        + (f"; {len(failed)} to fix" if failed else "")
    )
    return EXIT_FAIL if failed else EXIT_PASS


def unnamed_mistakes(args: argparse.Namespace) -> int:
    """`dlgrade mistakes`: the largest groups of equal wrong outputs no known mistake explains."""
    from graders.batch.mistakes import unnamed

    try:
        spec, entries = gradebook_entries(args)
    except UsageError as error:
        return fail_usage(f"{error}")
    found = unnamed(entries, at_least=max(args.at_least, 1))
    if not found:
        print(f"{spec.name}: every shared wrong function matches a known mistake")
        return EXIT_PASS
    for group in found:
        print(group.sentence())
    print(
        f"\nName one in {spec.folder / 'contracts.py'} (a Mistake with the group's code), "
        f"then `dlgrade grade ... --force` to regrade."
    )
    return EXIT_PASS


def write_template(args: argparse.Namespace) -> int:
    """`dlgrade template`: the template script (when the spec holds its text) and notebook."""
    from graders.authoring import template_files
    from graders.spec import SpecError, load_spec

    try:
        spec = load_spec(args.assignment)
    except SpecError as error:
        return fail_usage(f"{error}")
    script = spec.template_path or spec.folder / "template" / f"{spec.entry}.py"
    stale = []
    for path, text in template_files(spec, script).items():
        current = path.read_text(encoding="utf-8") if path.is_file() else None
        if current == text:
            continue
        stale.append(path)
        if not args.check:
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_text(text, encoding="utf-8")
            print(f"wrote {path}")
    if args.check and stale:
        names = ", ".join(str(p) for p in stale)
        print(f"out of date: {names}; run `dlgrade template -a {args.assignment}`", file=sys.stderr)
        return EXIT_FAIL
    if not stale:
        print(f"the template of {spec.name} is up to date")
    return EXIT_PASS


def is_student_kit() -> bool:
    """True in a student kit: a copy of the grader without the instructor's tools."""
    return not (Path(__file__).resolve().parent / "batch").is_dir()


def main(argv: list[str] | None = None) -> int:
    return dispatch(parser().parse_args(argv))


def run() -> None:
    """The `dlgrade` command: main(), then, after a check, an exit that skips tearing the
    interpreter down.

    By then the report is written and everything the check held is released (its child
    killed, its scratch folder removed, its thread joined); unloading NumPy's and rich's
    modules would add 0.03 s to every check and change nothing.
    """
    args = parser().parse_args()
    try:
        code = dispatch(args)
    except BrokenPipeError:  # `dlgrade check x | head`: the reader left, nothing to report
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())  # nor to flush at exit
        code = EXIT_BROKEN_PIPE
    if args.command != "check":
        sys.exit(code)
    for stream in (sys.stdout, sys.stderr):
        try:
            stream.flush()
        except (OSError, ValueError):
            code = code or EXIT_USAGE  # the report did not reach its reader
    os._exit(code)


def dispatch(args: argparse.Namespace) -> int:
    """Run the command `args` names; its exit status."""
    if is_student_kit() and args.command not in ("check", "data"):
        return fail_usage(
            f"`dlgrade {args.command}` is for instructors and is not part of the student kit; "
            "use `dlgrade check FILE` to check your work"
        )
    commands = {
        "check": check,
        "demo": demo,
        "data": data,
        "doctor": doctor,
        "grade": grade_class,
        "export": export_class,
        "report": report_class,
        "build": build,
        "new": new_assignment,
        "validate": validate_assignment,
        "template": write_template,
        "mistakes": unnamed_mistakes,
    }
    return commands[args.command](args)


if __name__ == "__main__":
    run()

"""The `dlgrade` command line."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

EXIT_PASS, EXIT_FAIL, EXIT_USAGE = 0, 1, 2


def parser() -> argparse.ArgumentParser:
    top = argparse.ArgumentParser(
        prog="dlgrade", description="Grade Deep Learning Foundations work in a sandbox."
    )
    commands = top.add_subparsers(dest="command", required=True)
    check = commands.add_parser("check", help="grade one submission and print its report")
    check.add_argument("path", type=Path, help="a .py file, a notebook, or a folder holding one")
    check.add_argument("-a", "--assignment", default="selfcheck", help="default: selfcheck")
    check.add_argument("-f", "--format", choices=("text", "json"), default="text")
    check.add_argument(
        "--isolation",
        choices=("auto", "jail", "process"),
        default="auto",
        help="auto (default): the jail where bubblewrap works, else a plain process",
    )
    check.add_argument(
        "--student",
        action="store_true",
        help="run the public checks only (what a student kit does)",
    )
    demo = commands.add_parser(
        "demo", help="grade the built-in examples: the reference (passes) and the template (fails)"
    )
    demo.add_argument("-f", "--format", choices=("text", "json"), default="text")
    return top


def fail_usage(message: str) -> int:
    print(f"dlgrade: {message}", file=sys.stderr)
    return EXIT_USAGE


def check(args: argparse.Namespace) -> int:
    from graders.spec import SpecError, load_spec
    from graders.submission import SubmissionError, load_submission

    try:
        spec = load_spec(args.assignment)
        submission = load_submission(args.path, spec.entry)
    except SpecError as error:
        return fail_usage(f"{error}")
    except SubmissionError as error:
        if args.format == "json" and error.kind != "missing":
            from graders.grading import unloadable
            from graders.render.json_report import render_json

            print(render_json(unloadable(args.path, spec, error)))
        return fail_usage(f"{error}")
    from graders.grading import grade
    from graders.sandbox.jail import JailUnavailable, launcher_for
    from graders.sandbox.runner import Limits, Sandbox

    try:
        launcher, fallback = launcher_for(args.isolation)
    except JailUnavailable as error:
        return fail_usage(f"--isolation jail: {error}")
    # Start the child first: its NumPy import overlaps with ours of hypothesis and rich.
    sandbox = Sandbox(submission.code, Limits(**spec.limits), launcher)
    sandbox.start()
    mode = "student" if args.student else "instructor"
    report = grade(submission, spec, mode=mode, sandbox=sandbox, notes=(fallback,))
    if args.format == "json":
        from graders.render.json_report import render_json

        print(render_json(report))
    else:
        from graders.render.terminal import print_report

        print_report(report)
    return EXIT_PASS if report.passed else EXIT_FAIL


def demo(args: argparse.Namespace) -> int:
    """Grade the reference and the blank template; succeed when they score 12 and 0."""
    root = Path(__file__).resolve().parent.parent
    examples = [
        (root / "reference", EXIT_PASS),
        (root / "student_template" / "selfcheck.py", EXIT_FAIL),
    ]
    missing = [str(path) for path, _ in examples if not path.exists()]
    if missing:
        return fail_usage(f"the built-in examples are not installed here ({', '.join(missing)})")
    codes = []
    for path, expected in examples:
        print(f"\n$ dlgrade check {path.relative_to(root)}")
        sys.stdout.flush()
        namespace = argparse.Namespace(
            path=path, assignment="selfcheck", format=args.format, student=False, isolation="auto"
        )
        code = check(namespace)
        codes.append(code == expected)
    return EXIT_PASS if all(codes) else EXIT_FAIL


def main(argv: list[str] | None = None) -> int:
    args = parser().parse_args(argv)
    if args.command == "check":
        return check(args)
    if args.command == "demo":
        return demo(args)
    return EXIT_USAGE


if __name__ == "__main__":
    sys.exit(main())

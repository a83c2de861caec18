"""Packaging for the platforms courses use: each module has `build(spec, output, ...)`.

- gradescope: an autograder zip (setup.sh, run_autograder) and the code that runs inside it;
- prairielearn: an externally graded question, the grader's entry point and its image;
- student_kit: what students download: template, public checks, the CLI in student mode;
- otter: an otter-grader assignment whose tests call dlgrade;
- classroom: a GitHub Classroom autograding workflow.
"""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import TYPE_CHECKING, Any

from graders.render.inert import json_safe

if TYPE_CHECKING:
    from graders.sandbox.isolation import Choice
    from graders.spec import Spec


def prepared(
    assignment: str, *, isolation: str, allow_process: bool, data: str | None
) -> tuple[Spec, Choice, str]:
    """What a platform's grading of one submission starts from: the assignment, the level to
    grade at (one that confines untrusted code, unless `allow_process` or `isolation` names a
    level), and what grading the reference there found wrong ("" when it scored full marks).

    Tracks that train are not self-tested per submission (it would double every student's
    wait): their reference is proven when the image is built.
    """
    from graders.checks.core import Context
    from graders.grading import self_test
    from graders.sandbox.isolation import Needs, choose
    from graders.spec import load_spec

    spec = load_spec(assignment)
    choice = choose(isolation, Needs.of(spec), untrusted=not allow_process)
    if spec.training:
        return spec, choice, ""
    _, problem = self_test(spec, choice.launcher, Context(data_dir=data))
    return spec, choice, problem


class BuildError(Exception):
    """A package that cannot be built; the message says what is wrong and what to do."""


def write_results(results: dict[str, Any], folder: Path) -> Path:
    """Write a platform's results.json atomically: a reader never sees half a file. Every
    string is valid UTF-8, so the platform always reads it; the folder is the grader's only."""
    folder.mkdir(mode=0o700, parents=True, exist_ok=True)
    path = folder / "results.json"
    partial = folder / f".results.json.{os.getpid()}"
    partial.write_text(json.dumps(json_safe(results), indent=2) + "\n", encoding="utf-8")
    os.replace(partial, path)
    return path

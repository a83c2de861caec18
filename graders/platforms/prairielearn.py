"""PrairieLearn: `dlgrade build prairielearn` writes an externally graded question; `main`
grades inside PrairieLearn's grading container.

What PrairieLearn expects, and where each rule here comes from:

- The question's `info.json` has `"gradingMethod": "External"` and `externalGradingOptions`
  (`enabled`, `image`, `entrypoint`, `serverFilesCourse`, `timeout` of at most 600 s,
  `enableNetworking`, `environment`): docs/externalGrading.md ("Configuring and enabling
  external grader support") and the zod schema in apps/prairielearn/src/schemas/
  infoQuestion.ts of github.com/PrairieLearn/PrairieLearn; the demo question
  exampleCourse/questions/demo/autograder/codeUpload for `question.html`
  (`pl-file-upload`, `pl-external-grader-results`, `pl-file-preview`).
- The job's files: `/grade/student` (the student's files), `/grade/data/data.json` (the
  question's data, with the files again as base64 in `submitted_answers._files`),
  `/grade/serverFilesCourse` (what `serverFilesCourse` lists) and `/grade/results/
  results.json`, which the entry point must write (docs/externalGrading.md, "The Grading
  Process", "Writing questions"; apps/prairielearn/src/lib/externalGraderCommon.ts).
- The results: `score` in [0, 1] (required unless the submission is not gradable),
  `gradable`, `format_errors`, `message`, `output`, `images` (`label` and a data URL) and
  `tests` (`name`, `description`, `points`, `max_points`, `message`, `output`), at most
  1 MB (docs/externalGrading.md, "Grading results"; the 1 MB cap is enforced in
  apps/grader-host/src/index.ts); tests/fixtures/prairielearn_results.schema.json says it
  as a JSON Schema.
- A grader failure: the grader host marks the job failed when the entry point exits
  non-zero (`succeeded = !timedOut && ExitCode === 0`, apps/grader-host/src/index.ts), and
  PrairieLearn then treats the submission as not gradable, "to avoid penalizing students
  for issues outside their control" (apps/prairielearn/src/lib/externalGrader.ts). So a
  fault of ours exits 1, and the results.json it still writes says `gradable: false` and
  `succeeded: false` (the course-level flag of the same file) with no score, so that even a
  reader of that file alone never sees a grade.
- The image must be public ("Custom images must be publicly accessible without
  authentication", docs/dockerImages.md), so it holds Python, dlgrade's dependencies,
  bubblewrap and the data sets, and never dlgrade itself: the grader's code, the reference
  and the hidden checks reach the container through `serverFilesCourse`, which stays in the
  course's own repository. PrairieLearn's own grader images (graders/python/Dockerfile,
  python_autograder/run.sh) run the entry point as root, as this one expects.
"""

from __future__ import annotations

import argparse
import base64
import binascii
import json
import math
import shlex
import shutil
import sys
import tempfile
import time
import uuid
from contextlib import ExitStack
from html import escape
from pathlib import Path, PurePosixPath
from typing import Any

from graders import files
from graders.batch.exports import all_public, metrics_line, withheld_output
from graders.data.mnist import DEFAULT_BASE_URL, ENV_VAR, FILES
from graders.platforms import BuildError, prepared, write_results
from graders.platforms.gradescope import TORCH_CPU_INDEX
from graders.render.inert import display_text, json_safe
from graders.render.plain import number
from graders.render.plots import pictures
from graders.sandbox.wire import WireError, loads
from graders.spec import Spec
from graders.specfile import read_toml
from graders.submission import SubmissionError
from graders.verdict import QuestionResult, Report

ROOT = Path(__file__).resolve().parents[2]
DEFAULT_ROOT = Path("/grade")
ROOT_VARIABLE = "DLGRADE_PRAIRIELEARN_ROOT"  # lets tests (and you) run it anywhere
SHIPPED = ("pyproject.toml", "README.md", "graders", "reference")
IGNORED = shutil.ignore_patterns("__pycache__", "*.pyc")
SERVER_FOLDER = "dlgrade"  # under the course's serverFilesCourse/
MAX_TIMEOUT = 600  # seconds: PrairieLearn's limit for a grading job
OVERHEAD_SECONDS = 30  # starting Python, the isolation canary, loading the data, writing results
RESULTS_LIMIT = 1_000_000  # bytes: the grader host refuses a larger results.json
IMAGES_BUDGET = 600_000  # characters of data URLs, leaving room for the text
DATA_LIMIT = 32 << 20  # data.json: a 5 MB upload (PrairieLearn's cap) as base64, and more
IMAGE_ACCOUNT = "your-docker-hub-account"  # until the course names its own image
BASE_IMAGE = "python:3.12-slim-bookworm"
MNIST_FOLDER = "/opt/dlgrade/mnist"
FAILED = (
    "The grader failed on this submission, through no fault of your code, so it was not graded "
    "and this attempt does not count. Submit again; if this message comes back, contact the "
    "course staff and quote it: "
)
# What the entry point writes when Python never wrote results.json.
LAST_DITCH = json.dumps(
    {
        "gradable": False,
        "succeeded": False,
        "message": f"{FAILED}the grader's Python did not run (see the grading job's log).",
    }
)


def torch_track(spec: Spec) -> bool:
    """Whether the assignment needs PyTorch in the image."""
    return spec.training.get("framework") == "torch"


def image_folder(spec: Spec) -> str:
    """The image's name and folder: one for the NumPy tracks, one with PyTorch (far larger)."""
    return "dlgrade-grader-torch" if torch_track(spec) else "dlgrade-grader"


def project() -> dict[str, Any]:
    """This checkout's pyproject.toml [project] table (its version and dependencies)."""
    return read_toml(ROOT / "pyproject.toml")["project"]


def default_image(spec: Spec) -> str:
    """The image the question names until the course passes its own with --image."""
    return f"{IMAGE_ACCOUNT}/{image_folder(spec)}:{project()['version']}"


def timeout(spec: Spec) -> int:
    """The job's timeout: time to start, load, train and answer every check's calls, at
    most PrairieLearn's 600 s. BuildError when even the training budget does not fit."""
    from graders.sandbox.job import Limits

    limits = Limits(**spec.limits)
    runs = sum(len(q.checks) for q in spec.questions if q.kind == "project")
    calls = sum(len(q.checks) for q in spec.questions if q.kind != "project") + 2 * runs
    training = float(spec.training.get("seconds", 0.0)) * runs
    needed = OVERHEAD_SECONDS + limits.load_seconds + training
    if needed > MAX_TIMEOUT:
        raise BuildError(
            f"{spec.name} needs about {needed:.0f} s to grade ({training:.0f} s of training), "
            f"but PrairieLearn stops a grading job after {MAX_TIMEOUT} s: lower the training "
            "budget ([training] seconds in its spec), or grade it with `dlgrade grade`"
        )
    # Training is counted in CPU time per thread: a busy grading host stretches its wall time.
    return min(MAX_TIMEOUT, math.ceil(needed + training / 2 + calls * limits.call_seconds))


def entry_point(spec: Spec) -> str:
    """The entry point's path inside the grading container."""
    return f"/grade/serverFilesCourse/{SERVER_FOLDER}/run_{spec.name}.sh"


def info_json(spec: Spec, image: str) -> dict[str, Any]:
    """The question's info.json: externally graded by dlgrade in `image`, without network."""
    return {
        "uuid": str(uuid.uuid5(uuid.NAMESPACE_URL, f"https://dlgrade/prairielearn/{spec.name}")),
        "title": spec.title,
        "topic": "Deep Learning Foundations",
        "tags": ["dlgrade", spec.name],
        "type": "v3",
        "singleVariant": True,
        "gradingMethod": "External",
        "externalGradingOptions": {
            "enabled": True,
            "image": image,
            "entrypoint": entry_point(spec),
            "serverFilesCourse": [f"{SERVER_FOLDER}/"],
            "timeout": timeout(spec),
            "enableNetworking": False,
        },
    }


def question_html(spec: Spec) -> str:
    """The question's page: the upload box, then the grader's results and the files."""
    entry = spec.entry
    return f"""<pl-question-panel>
  <p>
    Upload your work for <strong>{escape(spec.title)}</strong>:
    <code>{entry}.py</code> or the notebook <code>{entry}.ipynb</code> (not both), and any
    helper modules it imports. It is graded in a sandbox; each question's checks, hints and
    the mistakes they recognise appear below once grading ends.
  </p>
  <pl-file-upload optional-file-names="{entry}.py, {entry}.ipynb" optional-file-patterns="*.py">
  </pl-file-upload>
</pl-question-panel>

<pl-submission-panel>
  <pl-external-grader-results></pl-external-grader-results>
  <pl-file-preview></pl-file-preview>
</pl-submission-panel>
"""


def run_script(spec: Spec, allow_process: bool) -> str:
    """The entry point PrairieLearn runs, as root, in the grading container; it writes
    results.json itself when Python cannot (not installed, killed for memory)."""
    options = ["--assignment", spec.name]
    if allow_process:
        options.append("--allow-process")
    title = " ".join(spec.title.split())  # one line: it goes into a comment
    return f"""#!/usr/bin/env bash
# dlgrade's grader for "{title}" on PrairieLearn, written by `dlgrade build prairielearn`.
# PrairieLearn copies this folder to /grade/serverFilesCourse/{SERVER_FOLDER} and runs this
# script as root; it always leaves /grade/results/results.json behind, and exits non-zero
# (a failed grading job, which PrairieLearn never counts against the student) on a fault of
# the grader.
set -uo pipefail
ROOT="${{{ROOT_VARIABLE}:-{DEFAULT_ROOT}}}"
HERE="$(cd "$(dirname "${{BASH_SOURCE[0]}}")" && pwd)"
# The grader's code, the reference, the question's data and the results are root's alone: a
# submission sandboxed as another uid can neither read them nor forge the results.
mkdir -p "$ROOT/results"
for private in serverFilesCourse shared tests data results; do
  if [ -e "$ROOT/$private" ]; then chmod -R go-rwx "$ROOT/$private"; fi
done
rm -f "$ROOT/results/results.json"
cd "$HERE" && "${{PYTHON:-python3}}" -m graders.platforms.prairielearn \\
  --root "$ROOT" {" ".join(options)}
code=$?
if [ ! -s "$ROOT/results/results.json" ]; then  # Python itself could not start or was killed
  printf '%s\\n' {shlex.quote(LAST_DITCH)} > "$ROOT/results/results.json"
  code=1
fi
exit "$code"
"""


def requirements() -> str:
    """dlgrade's dependencies for the image (PyTorch apart: it comes from its CPU index)."""
    table = project()
    extras = table["optional-dependencies"]
    wanted = [*table["dependencies"], *extras["projects"]]
    head = f"# dlgrade {table['version']}'s dependencies, for its PrairieLearn grading image."
    return "\n".join([head, *wanted, ""])


def dockerfile(spec: Spec) -> str:
    """The grading image: Python, dlgrade's dependencies, bubblewrap and MNIST; no dlgrade."""
    torch = ""
    if torch_track(spec):
        wanted = next(r for r in project()["optional-dependencies"]["torch"] if "torch" in r)
        torch = (
            "# PyTorch's CPU build: the default one pulls several GB of CUDA libraries.\n"
            f'RUN python -m pip install --no-cache-dir "{wanted}" --index-url {TORCH_CPU_INDEX}\n'
        )
    mnist = "".join(f"ADD {DEFAULT_BASE_URL}{file.name}.gz {MNIST_FOLDER}/\n" for file in FILES)
    return f"""# The grading image for dlgrade's questions on PrairieLearn, written by
# `dlgrade build prairielearn`. It holds Python, dlgrade's dependencies, bubblewrap (the
# jail) and MNIST, and nothing of dlgrade itself: an image on a public registry can be
# pulled by anyone, so the grader, the reference and the hidden checks reach the container
# from the course's serverFilesCourse/{SERVER_FOLDER} instead. Build and push it for
# linux/amd64 (see README.md beside this file).
FROM {BASE_IMAGE}
ENV PYTHONIOENCODING=UTF-8 LANG=C.UTF-8 PIP_DISABLE_PIP_VERSION_CHECK=1
RUN apt-get update \\
 && apt-get install -y --no-install-recommends bubblewrap \\
 && rm -rf /var/lib/apt/lists/*
{torch}COPY requirements.txt /tmp/dlgrade-requirements.txt
RUN python -m pip install --no-cache-dir -r /tmp/dlgrade-requirements.txt \\
 && rm /tmp/dlgrade-requirements.txt
# MNIST in the image, so grading needs no network. Files ADDed from a URL are root's alone
# (mode 600): the grader reads the test labels, a sandboxed submission cannot.
{mnist}ENV {ENV_VAR}={MNIST_FOLDER}
"""


def self_test_command(spec: Spec) -> str:
    """What grades the reference in the image, run from the grader's folder (no dlgrade is
    installed there: PrairieLearn runs it from serverFilesCourse)."""
    return f"python3 -m graders.cli doctor --assignment {spec.name}"


def image_readme(spec: Spec, image: str) -> str:
    """How to build the image and where everything goes in the course's repository."""
    folder = image_folder(spec)
    return f"""# {folder}: the grading image for dlgrade on PrairieLearn

Written by `dlgrade build prairielearn` (here for `{spec.name}`). What goes where in your
course repository:

- `questions/dlgrade/{spec.name}/`: the question, `info.json` (external grading) and
  `question.html`.
- `serverFilesCourse/{SERVER_FOLDER}/`: dlgrade, the assignment, its reference and hidden
  checks, and `run_{spec.name}.sh`, the entry point. Only the course staff and the grading
  container see it.
- `images/{folder}/`: this folder, the image's `Dockerfile`. Anyone can pull the image.

Build the image for linux/amd64 (PrairieLearn's hosts) and push it to a public registry,
then sync it from your course's "Sync" page (under "Docker images"):

```bash
cd images/{folder}
docker build --platform linux/amd64 -t {image} .
docker push {image}
```

Before you sync, try the image with this question's grader: the self-test grades the
reference in the strongest isolation the container allows and must end in full marks (it
exits 2 otherwise, saying what is wrong):

```bash
docker run --rm --platform linux/amd64 \
  -v "$PWD/../../serverFilesCourse/{SERVER_FOLDER}:/grade/serverFilesCourse/{SERVER_FOLDER}" \
  -w /grade/serverFilesCourse/{SERVER_FOLDER} {image} {self_test_command(spec)}
```

The image holds Python, dlgrade's dependencies, bubblewrap and MNIST, and never dlgrade
itself: anyone can pull a public image, so the reference and the hidden checks travel in
`serverFilesCourse`, which PrairieLearn copies into each grading job. The question names
the image `{image}`: build with `dlgrade build prairielearn -a {spec.name} -o COURSE
--image YOURS` to name your own.

Each submission is graded in the strongest isolation the container allows that confines
untrusted code. PrairieLearn starts grading containers with Docker's defaults, whose seccomp
profile refuses the namespaces bubblewrap needs, so the jail may not start there; where no
level that confines untrusted code works, the job fails (no score, the attempt is not
counted) and its log says why. `dlgrade build prairielearn --allow-process` accepts plain
processes instead (only for code you trust). Every result says which isolation it had.
"""


def build(
    spec: Spec, output: Path, *, allow_process: bool = False, image: str | None = None
) -> Path:
    """Write the question, the grader (serverFilesCourse) and the image's folder under
    `output`, a PrairieLearn course's root; return `output`."""
    missing = [name for name in SHIPPED if not (ROOT / name).exists()]
    if missing:
        raise BuildError(
            f"this dlgrade install lacks {', '.join(missing)}: build from a source checkout"
        )
    if output.exists() and not output.is_dir():
        raise BuildError(f"{output}: PrairieLearn takes a folder (your course's root), not a file")
    chosen = image or default_image(spec)
    info = info_json(spec, chosen)  # BuildError when the job cannot fit PrairieLearn's limit
    question = output / "questions" / "dlgrade" / spec.name
    question.mkdir(parents=True, exist_ok=True)
    (question / "info.json").write_text(json.dumps(info, indent=2) + "\n", encoding="utf-8")
    (question / "question.html").write_text(question_html(spec), encoding="utf-8")
    server = output / "serverFilesCourse" / SERVER_FOLDER
    server.mkdir(parents=True, exist_ok=True)
    for name in (*SHIPPED, f"assignments/{spec.name}"):
        source = spec.folder if name.startswith("assignments/") else ROOT / name
        _replace(source, server / name)
    script = server / f"run_{spec.name}.sh"
    script.write_text(run_script(spec, allow_process), encoding="utf-8")
    script.chmod(0o755)
    folder = output / "images" / image_folder(spec)
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "Dockerfile").write_text(dockerfile(spec), encoding="utf-8")
    (folder / "requirements.txt").write_text(requirements(), encoding="utf-8")
    (folder / "README.md").write_text(image_readme(spec, chosen), encoding="utf-8")
    return output


def _replace(source: Path, target: Path) -> None:
    """`target` becomes a copy of `source` (a file or a folder, caches left out)."""
    if target.is_dir() and not target.is_symlink():
        shutil.rmtree(target)
    elif target.exists() or target.is_symlink():
        target.unlink()
    target.parent.mkdir(parents=True, exist_ok=True)
    if source.is_dir():
        shutil.copytree(source, target, ignore=IGNORED)
    else:
        shutil.copy2(source, target)


# -- results ------------------------------------------------------------------------------


def prairielearn_results(report: Report) -> dict[str, Any]:
    """PrairieLearn's results.json for a report: a test per question, hidden details withheld.

    A submission that could not be read or parsed (nothing of it ran) is not gradable:
    PrairieLearn records no score and does not count the attempt. Otherwise the score is the
    fraction of points earned. Project tracks whose checks are all public also show their
    test accuracy, what the code printed, and the loss curve, confusion matrix and decision
    boundary as images.
    """
    if report.isolation == "none":
        error = display_text(report.load_error).rstrip(".")
        return {
            "gradable": False,
            "format_errors": [error],
            "message": f"Not graded: {error}. Fix it and submit again; this attempt does not "
            "count.",
        }
    tests = [_test(question) for question in report.questions]
    max_points = sum(test["max_points"] for test in tests)
    points = min(sum(test["points"] for test in tests), max_points)
    verdict = "passed" if report.passed else "not passed"
    lines = [
        f"{display_text(report.title, multiline=False)}: {number(points)} / "
        f"{number(max_points)}, {verdict} (pass mark {number(report.pass_mark)})."
    ]
    if report.load_error:
        lines.append(f"Your code did not load: {display_text(report.load_error)}")
    lines += [line for line in (metrics_line(report), display_text(report.advice)) if line]
    lines.append(f"Graded in a sandbox (isolation: {report.isolation}).")
    output = [display_text(note) for note in report.notes]
    shown = all_public(report)
    if shown and report.output.strip():
        output += ["What your code printed:", display_text(report.output)]
    elif report.output.strip():
        output.append("What your code printed is not shown: hidden checks ran on it.")
    results: dict[str, Any] = {
        "gradable": True,
        "score": round(points / max_points, 6) if max_points else 0.0,
        "message": "\n".join(lines),
        "output": "\n".join(output),
        "tests": tests,
    }
    if shown:
        drawn = pictures(report.figures, budget=IMAGES_BUDGET)
        results["images"] = [{"label": picture.caption, "url": picture.url} for picture in drawn]
    return _within_limit(results)


def _test(question: QuestionResult) -> dict[str, Any]:
    """One PrairieLearn test for a question: its points and its checks' feedback."""
    max_points = max(0.0, question.max_points)
    points = max(0.0, min(question.points, max_points))
    checks = question.verdicts
    hidden = sum(check.visibility == "hidden" for check in checks)
    first = question.first_failure
    if first is None:
        message = "Passed."
    elif first.visibility == "public":
        message = f"Failed: {display_text(first.title, multiline=False)}"
    else:
        message = "Failed a hidden check."
    return {
        "name": f"Q{question.number} {display_text(question.title, multiline=False)}",
        "description": f"Checks: {len(checks) - hidden} public, {hidden} hidden.",
        "points": points,
        "max_points": max_points,
        "message": message,
        "output": withheld_output(question),
    }


def _within_limit(results: dict[str, Any]) -> dict[str, Any]:
    """The results under PrairieLearn's 1 MB as written (write_results): without the images,
    then with the output cut."""
    for step in ("images", "output"):
        size = len(json.dumps(json_safe(results), indent=2)) + 1  # ASCII: characters are bytes
        if size <= RESULTS_LIMIT:
            break
        if step == "images":
            results.pop("images", None)
        else:
            keep = max(0, len(results["output"]) - (size - RESULTS_LIMIT) - 100)
            results["output"] = f"{results['output'][:keep]}\n[... the rest was cut]"
    return results


def failed_results(reason: str) -> dict[str, Any]:
    """results.json when the grader itself failed: not gradable, no score, and a message
    asking the student to submit again or to contact the staff."""
    return {
        "gradable": False,
        "succeeded": False,
        "message": display_text(f"{FAILED}{reason[:300]}"),
    }


# -- grading ------------------------------------------------------------------------------


def read_data(root: Path) -> dict[str, Any]:
    """The job's data.json (bounded read and parse); {} when there is none."""
    path = root / "data" / "data.json"
    if not path.exists():
        return {}
    try:
        data = loads(files.read_file(path, DATA_LIMIT), "data.json")
    except (SubmissionError, WireError) as error:
        raise SubmissionError(f"PrairieLearn's data for this submission: {error}") from None
    return data if isinstance(data, dict) else {}


def submitted_files(root: Path, scratch: Path) -> Path:
    """The folder holding the student's files: /grade/student, or, when PrairieLearn wrote
    no file there, the files data.json lists (`submitted_answers._files`, base64), written
    to `scratch`. SubmissionError when a listed file's name or contents are malformed."""
    student = root / "student"
    if student.is_dir() and files.file_names(student):
        return student
    answers = read_data(root).get("submitted_answers")
    listed = answers.get("_files") if isinstance(answers, dict) else None
    if not isinstance(listed, list) or not listed:
        return student
    if len(listed) > files.MAX_FILES:
        raise SubmissionError(f"{len(listed)} files were submitted; at most {files.MAX_FILES}")
    total = 0
    for item in listed:
        name = item.get("name") if isinstance(item, dict) else None
        contents = item.get("contents") if isinstance(item, dict) else None
        relative = _safe_name(name)
        if not isinstance(contents, str):
            raise SubmissionError(f"the submitted file {relative} has no contents")
        try:
            data = base64.b64decode(contents, validate=True)
        except (binascii.Error, ValueError):
            raise SubmissionError(f"the submitted file {relative} is not valid base64") from None
        total += len(data)
        if total > files.FOLDER_LIMIT:
            raise SubmissionError("the submitted files hold over 20 MiB: submit only your code")
        target = scratch.joinpath(*relative.parts)
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_bytes(data)
    return scratch


def _safe_name(name: object) -> PurePosixPath:
    """A submitted file's name as a relative path inside the submission, or SubmissionError."""
    text = name if isinstance(name, str) else ""
    path = PurePosixPath(text)
    bad = not text or "\\" in text or "\0" in text or path.is_absolute()
    if bad or any(part in ("", ".", "..") for part in path.parts):
        shown = display_text(text, multiline=False)[:100] or "(no name)"
        raise SubmissionError(f"a submitted file has a name that cannot be used: {shown!r}")
    return path


def grade_job(
    root: Path,
    assignment: str,
    *,
    isolation: str = "auto",
    allow_process: bool = False,
    data: str | None = None,
) -> dict[str, Any]:
    """Grade the job under `root` (PrairieLearn's /grade) and return its results document.

    GraderFault when no isolation level that confines untrusted code works here (unless
    `allow_process`, or `isolation` names a level explicitly) or when a fault of ours
    touched the grading: neither is ever a grade.
    """
    from graders.checks.core import Context
    from graders.grading import grade, unloadable
    from graders.sandbox.errors import GraderFault
    from graders.submission import load_submission

    spec, choice, problem = prepared(
        assignment, isolation=isolation, allow_process=allow_process, data=data
    )
    if problem:  # the grading environment is broken: no student pays for it
        raise GraderFault("self-test", problem)
    with ExitStack() as stack:
        scratch = Path(stack.enter_context(tempfile.TemporaryDirectory(prefix="dlgrade-")))
        try:
            folder = submitted_files(root, scratch)
            submission = load_submission(folder, spec.entry)
        except SubmissionError as error:
            return prairielearn_results(unloadable(root / "student", spec, error))
        report = grade(
            submission,
            spec,
            launcher=choice.launcher,
            notes=(choice.note,),
            context=Context(data_dir=data),
        )
    if not report.graded:  # a fault of ours touched it: it is no grade
        raise GraderFault("grading", report.errors[0])
    return prairielearn_results(report)


def main(argv: list[str] | None = None) -> int:
    """The entry point's program: it always writes results.json.

    A submission that cannot be read or parsed is not gradable (the attempt does not count)
    and says why; one that runs gets its score. A fault of ours (no sandbox here, a bug)
    writes results without a score that say the grader failed, and exits 1, which
    PrairieLearn records as a failed grading job, never as a grade.
    """
    from graders.sandbox.errors import GraderFault, SandboxStop
    from graders.sandbox.isolation import ENV_VAR, level_name, requested

    options = argparse.ArgumentParser(prog="python -m graders.platforms.prairielearn")
    options.add_argument("--root", type=Path, default=DEFAULT_ROOT)
    options.add_argument("--assignment", required=True)
    options.add_argument(
        "--isolation", type=level_name, default=requested(), help=f"default: ${ENV_VAR} or auto"
    )
    options.add_argument("--allow-process", action="store_true")
    options.add_argument("--data", help="folder with the MNIST files (default: $DLGRADE_MNIST_DIR)")
    args = options.parse_args(argv)
    started = time.perf_counter()
    code = 0
    try:
        results = grade_job(
            args.root,
            args.assignment,
            isolation=args.isolation,
            allow_process=args.allow_process,
            data=args.data,
        )
    except GraderFault as fault:
        print(f"dlgrade: not graded, a fault of the grader: {fault.reason}", file=sys.stderr)
        results, code = failed_results(fault.reason), 1
    except (Exception, SandboxStop) as error:  # a fault of ours: never a score
        reason = f"{type(error).__name__}: {error}"
        print(f"dlgrade: grading failed: {display_text(reason)}", file=sys.stderr)
        results, code = failed_results(reason), 1
    path = write_results(results, args.root / "results")
    shown = results.get("score", "none (not gradable)")
    seconds = time.perf_counter() - started
    print(f"dlgrade: score {shown} written to {path} in {seconds:.1f} s")
    return code


if __name__ == "__main__":
    sys.exit(main())

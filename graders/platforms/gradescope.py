"""Gradescope: `dlgrade build gradescope` makes the autograder zip; `run` grades inside it.

The zip follows https://gradescope-autograders.readthedocs.io/en/latest/specs/: `setup.sh`
and `run_autograder` at its root, the rest unpacked into /autograder/source. setup.sh installs
bubblewrap and this copy of dlgrade; run_autograder grades whatever the student uploaded to
/autograder/submission in the jail and writes /autograder/results/results.json. The student's
code runs as an unprivileged uid with /autograder not mounted at all, so it can neither read
the reference nor write the results; the parent writes them last, atomically.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import time
import zipfile
from pathlib import Path, PurePosixPath
from typing import Any

from graders.files import file_names
from graders.platforms import BuildError
from graders.render.inert import display_text, json_safe
from graders.spec import Spec
from graders.submission import SubmissionError

ROOT = Path(__file__).resolve().parents[2]
DEFAULT_ROOT = Path("/autograder")
ROOT_VARIABLE = "DLGRADE_AUTOGRADER_ROOT"  # lets tests (and you) run it anywhere
SHIPPED = ("pyproject.toml", "README.md", "graders", "reference", "tools/open_python_for_jail.py")
TORCH_CPU_INDEX = "https://download.pytorch.org/whl/cpu"
EXECUTABLE = 0o100755 << 16  # a regular file, rwxr-xr-x, in a zip entry's external attributes
REGULAR = 0o100644 << 16


def build(spec: Spec, output: Path, *, allow_process: bool = False) -> Path:
    """Write the autograder zip for `spec` to `output`."""
    if output.suffix != ".zip":
        raise BuildError(f"{output}: Gradescope takes a .zip file; name it e.g. autograder.zip")
    missing = [name for name in SHIPPED if not (ROOT / name).exists()]
    if missing:
        raise BuildError(
            f"this dlgrade install lacks {', '.join(missing)}: build from a source checkout"
        )
    output.parent.mkdir(parents=True, exist_ok=True)
    with zipfile.ZipFile(output, "w", zipfile.ZIP_DEFLATED) as archive:
        _add_text(archive, "setup.sh", setup_script(spec), EXECUTABLE)
        _add_text(archive, "run_autograder", run_script(spec, allow_process), EXECUTABLE)
        for name in SHIPPED:
            _add_tree(archive, ROOT / name, f"dlgrade/{name}")
        _add_tree(archive, spec.folder, f"dlgrade/assignments/{spec.name}")
    return output


def setup_script(spec: Spec) -> str:
    """setup.sh: Gradescope runs it once, as root, with network, when it builds the image."""
    torch = ""
    if spec.training.get("framework") == "torch":
        torch = (
            "# The CPU build of PyTorch: the default build pulls several GB of CUDA packages.\n"
            f'"$PYTHON" -m pip install torch --index-url {TORCH_CPU_INDEX}\n'
        )
    data = ""
    if spec.training.get("data") == "mnist":
        data = (
            "# MNIST, fetched once into the image, so grading needs no network.\n"
            '"$PYTHON" -m graders.cli data mnist --download --data "$SOURCE/mnist"\n'
        )
    extras = "[projects]" if spec.training else ""
    return f"""#!/usr/bin/env bash
# dlgrade autograder for "{spec.title}": set-up (Gradescope runs this once, as root).
set -euo pipefail
SOURCE="$(cd "$(dirname "${{BASH_SOURCE[0]}}")" && pwd)"
PYTHON="${{PYTHON:-python3}}"

# The jail: bubblewrap runs each submission as an unprivileged uid in its own namespaces.
if ! command -v bwrap >/dev/null; then
  apt-get update
  apt-get install -y --no-install-recommends bubblewrap
fi
{torch}"$PYTHON" -m pip install "$SOURCE/dlgrade{extras}"
# The jail's uid must be able to reach the Python environment (o+x on its folders only).
"$PYTHON" "$SOURCE/dlgrade/tools/open_python_for_jail.py"
{data}"""


def run_script(spec: Spec, allow_process: bool) -> str:
    """run_autograder: Gradescope runs it for every submission, from /autograder."""
    options = ["--assignment", spec.name]
    if allow_process:
        options.append("--allow-process")
    if spec.training.get("data") == "mnist":
        options += ["--data", '"$ROOT/source/mnist"']
    return f"""#!/usr/bin/env bash
# dlgrade autograder for "{spec.title}": grade /autograder/submission in the jail.
set -uo pipefail
ROOT="${{{ROOT_VARIABLE}:-{DEFAULT_ROOT}}}"
cd "$ROOT"
exec "${{PYTHON:-python3}}" -m graders.platforms.gradescope --root "$ROOT" {" ".join(options)}
"""


def find_submission(folder: Path, entry: str) -> Path:
    """What to grade in the upload: the folder holding `<entry>.py`/`.ipynb`, or the only file.

    Students upload files under any name, sometimes inside a folder: a file named for the
    entry wins (its folder is graded, so helper modules beside it import, and `find_entry`
    picks the file there), else the only .py or .ipynb there is; anything else is ambiguous
    and says so. The upload is walked without following a link (refused, in words).
    """
    files = sorted(
        PurePosixPath(name)
        for name in file_names(folder)
        if PurePosixPath(name).suffix in (".py", ".ipynb")
        and not any(part.startswith((".", "__")) for part in PurePosixPath(name).parts)
    )
    named = sorted((p for p in files if p.stem == entry), key=lambda p: len(p.parts))
    if named:
        return folder / named[0].parent
    if len(files) == 1:
        return folder / files[0]
    if not files:
        raise SubmissionError(
            f"no .py or .ipynb file was uploaded; submit {entry}.py or {entry}.ipynb",
            kind="missing",
        )
    listed = ", ".join(str(p) for p in files[:10])
    raise SubmissionError(
        f"several files could be your work ({listed}); name yours {entry}.py or {entry}.ipynb "
        "and submit again",
        kind="missing",
    )


def grade_upload(
    root: Path,
    assignment: str,
    *,
    isolation: str = "auto",
    allow_process: bool = False,
    data: str | None = None,
) -> dict[str, Any]:
    """Grade `root/submission` and return Gradescope's results document.

    GraderFault when no isolation level that confines untrusted code works here (unless
    `allow_process`, or `isolation` names a level explicitly).
    """
    from graders.batch.exports import gradescope_results
    from graders.checks.core import Context
    from graders.grading import grade, unloadable
    from graders.sandbox.isolation import Needs, choose
    from graders.spec import load_spec
    from graders.submission import load_submission

    spec = load_spec(assignment)
    choice = choose(isolation, Needs.of(spec), untrusted=not allow_process)
    launcher, note = choice.launcher, choice.note
    upload = root / "submission"
    try:
        target = find_submission(upload, spec.entry)
        submission = load_submission(target, spec.entry)
    except SubmissionError as error:
        report = unloadable(upload, spec, error)
        return gradescope_results(report, note=f"Not graded: {error}")
    report = grade(
        submission, spec, launcher=launcher, notes=(note,), context=Context(data_dir=data)
    )
    if not report.graded:  # a fault of ours touched it: it is no grade
        raise GraderFailed(report.errors[0])
    return gradescope_results(report)


class GraderFailed(Exception):
    """Grading stopped on a fault of dlgrade or of the machine, not of the submission."""


def failed_results(reason: str) -> dict[str, Any]:
    """results.json when the autograder itself failed: no score (the work was not graded),
    and a message asking the student to submit again or to contact the staff."""
    return {
        "output": display_text(
            "The autograder failed on this submission, through no fault of your code, so it "
            "was not graded. Submit again; if this message comes back, contact the course "
            f"staff and quote it: {reason[:300]}"
        ),
        "output_format": "text",
        "tests": [],
    }


def write_results(results: dict[str, Any], folder: Path) -> Path:
    """Write results.json atomically: a reader never sees half a file. Every string is valid
    UTF-8, so Gradescope always reads it."""
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / "results.json"
    partial = folder / f".results.json.{os.getpid()}"
    partial.write_text(json.dumps(json_safe(results), indent=2) + "\n", encoding="utf-8")
    os.replace(partial, path)
    return path


def main(argv: list[str] | None = None) -> int:
    """The entry point of run_autograder: it always writes results.json.

    A submission that cannot be graded (its own fault) gets a score of 0 and says why; a
    fault of ours (no sandbox here, a bug) gets results without a score that say the
    autograder failed, and a non-zero exit.
    """
    from graders.sandbox.errors import GraderFault, SandboxStop
    from graders.sandbox.isolation import ENV_VAR, level_name, requested

    options = argparse.ArgumentParser(prog="python -m graders.platforms.gradescope")
    options.add_argument("--root", type=Path, default=DEFAULT_ROOT)
    options.add_argument("--assignment", required=True)
    options.add_argument(
        "--isolation", type=level_name, default=requested(), help=f"default: ${ENV_VAR} or auto"
    )
    options.add_argument("--allow-process", action="store_true")
    options.add_argument("--data")
    args = options.parse_args(argv)
    started = time.perf_counter()
    code = 0
    try:
        results = grade_upload(
            args.root,
            args.assignment,
            isolation=args.isolation,
            allow_process=args.allow_process,
            data=args.data,
        )
    except GraderFault as fault:
        print(
            f"dlgrade: the jail cannot run in this container: {fault.reason}. Rebuild the zip "
            "with `dlgrade build gradescope --allow-process` to grade without it (unsafe).",
            file=sys.stderr,
        )
        results, code = failed_results("the sandbox cannot run in this container"), 1
    except (Exception, SandboxStop) as error:  # a fault of ours: never a score
        reason = f"{type(error).__name__}: {error}"
        print(f"dlgrade: grading failed: {display_text(reason)}", file=sys.stderr)
        results, code = failed_results(reason), 1
    results["execution_time"] = round(time.perf_counter() - started, 3)
    path = write_results(results, args.root / "results")
    score = results.get("score", "none (not graded)")
    print(f"dlgrade: score {score} written to {path}")
    return code


def _add_text(archive: zipfile.ZipFile, name: str, data: str | bytes, mode: int) -> None:
    """One entry with fixed time and permissions, so the same input gives the same zip."""
    info = zipfile.ZipInfo(name, date_time=(2020, 1, 1, 0, 0, 0))
    info.external_attr = mode
    info.compress_type = zipfile.ZIP_DEFLATED
    archive.writestr(info, data)


def _add_tree(archive: zipfile.ZipFile, source: Path, name: str) -> None:
    """A file, or a folder's files (no caches), under `name`, in a stable order."""
    files = [source] if source.is_file() else sorted(source.rglob("*"))
    for path in files:
        if not path.is_file() or "__pycache__" in path.parts or path.suffix == ".pyc":
            continue
        inner = name if path == source else f"{name}/{path.relative_to(source).as_posix()}"
        _add_text(archive, inner, path.read_bytes(), REGULAR)


if __name__ == "__main__":
    sys.exit(main())

"""Gradescope: `dlgrade build gradescope` makes the autograder zip; `run` grades inside it.

The zip follows https://gradescope-autograders.readthedocs.io/en/latest/specs/: `setup.sh`
and `run_autograder` at its root, the rest unpacked into /autograder/source. setup.sh installs
bubblewrap, libseccomp and this copy of dlgrade, and closes the grader to other users;
run_autograder grades whatever the student uploaded to /autograder/submission and writes
/autograder/results/results.json. The student's code runs as an unprivileged uid: in the
jail, with /autograder not mounted at all, where the container allows namespaces; else at the
`uid` level (Gradescope's default Docker container forbids namespaces), under a seccomp filter
and with the source and results folders closed to it. Either way it can neither read the
reference nor write the results; the parent writes them last, atomically.
"""

from __future__ import annotations

import argparse
import stat
import sys
import time
import zipfile
from pathlib import Path, PurePosixPath
from typing import Any

from graders.files import file_names
from graders.platforms import BuildError, prepared, write_results
from graders.render.inert import display_text
from graders.sandbox.uidlevel import PRIVATE_VARIABLE
from graders.spec import Spec
from graders.submission import SubmissionError

ROOT = Path(__file__).resolve().parents[2]
DEFAULT_ROOT = Path("/autograder")
ROOT_VARIABLE = "DLGRADE_AUTOGRADER_ROOT"  # lets tests (and you) run it anywhere
SHIPPED = (
    "pyproject.toml",
    "README.md",
    "graders",
    "reference",
    "tools/open_python_for_jail.py",
    "tools/make_grader_private.py",
)
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
    extras = "[projects,uid]" if spec.training else "[uid]"
    data_option = ' --data "$SOURCE/mnist"' if data else ""
    return f"""#!/usr/bin/env bash
# dlgrade autograder for "{spec.title}": set-up (Gradescope runs this once, as root).
set -euo pipefail
SOURCE="$(cd "$(dirname "${{BASH_SOURCE[0]}}")" && pwd)"
PYTHON="${{PYTHON:-python3}}"

# Each submission runs as an unprivileged uid: in the jail (bubblewrap) where the container
# allows namespaces, else under a seccomp filter (libseccomp, and the extra [uid] installs
# its Python binding). The uids need no account: the grader switches to them by number.
if ! command -v bwrap >/dev/null; then
  apt-get update
  apt-get install -y --no-install-recommends bubblewrap libseccomp2
fi
{torch}"$PYTHON" -m pip install "$SOURCE/dlgrade{extras}"
{data}# The sandbox uid must be able to reach the Python environment (o+x on its folders only)...
"$PYTHON" "$SOURCE/dlgrade/tools/open_python_for_jail.py"
# ...and nothing of the grader: the installed copy and this source (the reference, the
# hidden checks, the data) are closed to other users; run_autograder closes the results.
"$PYTHON" "$SOURCE/dlgrade/tools/make_grader_private.py" "$SOURCE"
# The self-test: the reference must score full marks in this image, or the build fails here
# (a grading environment that would fail students never reaches them).
"$PYTHON" -m graders.cli doctor --assignment {spec.name}{data_option}
"""


def run_script(spec: Spec, allow_process: bool) -> str:
    """run_autograder: Gradescope runs it for every submission, from /autograder."""
    options = ["--assignment", spec.name]
    if allow_process:
        options.append("--allow-process")
    if spec.training.get("data") == "mnist":
        options += ["--data", '"$ROOT/source/mnist"']
    return f"""#!/usr/bin/env bash
# dlgrade autograder for "{spec.title}": grade /autograder/submission in a sandbox.
set -uo pipefail
ROOT="${{{ROOT_VARIABLE}:-{DEFAULT_ROOT}}}"
cd "$ROOT"
# Where the jail cannot start, the submission runs as an unprivileged uid that sees what any
# user may: the grader closes the source and the results to other users, and checks, as that
# uid, that it can reach neither (nor any folder already named here) before it grades.
export {PRIVATE_VARIABLE}="$ROOT/source:$ROOT/results${{{PRIVATE_VARIABLE}:+:${PRIVATE_VARIABLE}}}"
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
    from graders.submission import load_submission

    spec, choice, problem = prepared(
        assignment, isolation=isolation, allow_process=allow_process, data=data
    )
    launcher, note = choice.launcher, choice.note
    # For the staff (Gradescope hides the autograder's own output from students).
    missing = "; ".join(launcher.missing) or "nothing"
    print(f"dlgrade: isolation '{launcher.level}': {launcher.detail}; not provided: {missing}")
    if note:
        print(f"dlgrade: {note}")
    if problem:  # the grading environment is broken: no student pays for it
        raise GraderFailed(problem)
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
    return gradescope_results(report, figures=True)


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


def close_to_others(root: Path) -> None:
    """Remove other users' access to the autograder's source and results folders (the results
    folder is made if need be), as Gradescope advises: where the jail cannot start, student
    code runs as an unprivileged uid that may read whatever other users may."""
    (root / "results").mkdir(mode=0o700, parents=True, exist_ok=True)
    for folder in (root / "source", root / "results"):
        if folder.is_dir():
            folder.chmod(stat.S_IMODE(folder.stat().st_mode) & ~0o077)


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
        close_to_others(args.root)
        results = grade_upload(
            args.root,
            args.assignment,
            isolation=args.isolation,
            allow_process=args.allow_process,
            data=args.data,
        )
    except GraderFault as fault:
        print(
            "dlgrade: no sandbox that confines student code (the jail or the uid level) can "
            f"run in this container: {fault.reason}. Rebuild the zip with `dlgrade build "
            "gradescope --allow-process` to grade without one (unsafe).",
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

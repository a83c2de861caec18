"""The jail works wherever Python lives (issue 11, part 1).

Each test makes a Python environment in one of the places people keep them (a venv under
/tmp, /var/tmp, a home folder or /opt; a venv of the system Python; a uv venv; an
interpreter reached through a symbolic link), then runs `dlgrade check` on the reference
from it with `--isolation jail`: it must score 12/12 in the jail. The venvs are made
without pip; a .pth file lends them the packages of the Python running the tests (for the
grader itself: the child still needs its own NumPy, found where that Python keeps it).
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import sysconfig
import tempfile
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.conftest import FULL, REFERENCE, ROOT, jail_here, required

pytestmark = pytest.mark.slow  # each test makes an environment and grades in a fresh process


def jail_or_skip() -> None:
    if jail_here() is None:
        required("the jail is unavailable here")


@pytest.fixture
def place(request) -> Iterator[Path]:
    """A fresh folder under the parent folder named by the test's parameter."""
    jail_or_skip()
    parent = Path(request.param)
    parent.mkdir(parents=True, exist_ok=True)
    folder = Path(tempfile.mkdtemp(prefix="dlgrade-layout-", dir=parent))
    folder.chmod(0o755)
    yield folder
    shutil.rmtree(folder, ignore_errors=True)


def lend_packages(venv: Path, folders: list[str]) -> None:
    """A .pth file in the venv's site folder that adds `folders` to its sys.path."""
    sites = list(venv.glob("lib/python3*/site-packages"))
    (sites[0] / "_dlgrade_tests.pth").write_text("".join(f"{f}\n" for f in folders))


def own_packages() -> list[str]:
    """The folders the running Python imports the grader and its dependencies from."""
    purelib = sysconfig.get_paths()["purelib"]
    return [str(ROOT), purelib]


def make_venv(where: Path, python: str = sys.executable, *options: str) -> Path:
    subprocess.run([python, "-m", "venv", "--without-pip", *options, str(where)], check=True)
    return where


def check_reference(python: Path | str, *options: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        [str(python), "-m", "graders.cli", "check", str(REFERENCE), "--format", "json", *options],
        capture_output=True,
        text=True,
        timeout=300,
        cwd=ROOT,
        env={**os.environ, "DLGRADE_ISOLATION": "jail"},
    )


def graded_in_the_jail(done: subprocess.CompletedProcess) -> None:
    assert done.returncode == 0, done.stderr[-2000:]
    report = json.loads(done.stdout)
    assert (report["isolation"], report["score"]) == ("jail", FULL), report["notes"]


@pytest.mark.parametrize(
    "place", ["/tmp", "/var/tmp", "/opt", "/home/dlgrade-tests"], indirect=True
)
def test_a_venv_anywhere(place):
    venv = make_venv(place / "venv")
    lend_packages(venv, own_packages())
    graded_in_the_jail(check_reference(venv / "bin" / "python"))


@pytest.mark.parametrize("place", ["/var/tmp"], indirect=True)
def test_a_venv_with_copied_interpreter(place):
    venv = make_venv(place / "venv", sys.executable, "--copies")
    lend_packages(venv, own_packages())
    graded_in_the_jail(check_reference(venv / "bin" / "python"))


@pytest.mark.parametrize("place", ["/var/tmp"], indirect=True)
def test_a_python_reached_through_a_symbolic_link(place):
    # A conda or standalone tree behind a link (/opt/conda -> /data/miniconda3): sys.prefix
    # is the link's path, which the jail must show as well as the real folder.
    (place / "python").symlink_to(Path(sys.base_prefix).resolve())
    venv = make_venv(place / "venv", str(place / "python" / "bin" / "python3"))
    lend_packages(venv, own_packages())
    (place / "venv-link").symlink_to(venv)
    graded_in_the_jail(check_reference(place / "venv-link" / "bin" / "python"))


def system_python_with_numpy() -> str:
    python = "/usr/bin/python3"
    probe = subprocess.run([python, "-c", "import numpy"], capture_output=True, check=False)
    if not Path(python).exists() or probe.returncode != 0:
        required("the system Python has no NumPy (apt-get install python3-numpy)")
    return python


def grader_dependencies(folder: Path) -> list[str]:
    """A folder holding links to the grader's pure-Python dependencies, NumPy excluded:
    the system Python must use its own NumPy (from dist-packages) in the parent and the child.
    """
    purelib = Path(sysconfig.get_paths()["purelib"])
    for entry in purelib.iterdir():
        if (
            not entry.name.startswith(("numpy", "_", "torch"))
            or entry.name == "_hypothesis_globals.py"
        ):
            (folder / entry.name).symlink_to(entry)
    return [str(ROOT), str(folder)]


@pytest.mark.parametrize("place", ["/var/tmp"], indirect=True)
def test_the_system_python(place):
    python = system_python_with_numpy()
    venv = make_venv(place / "venv", python, "--system-site-packages")
    (place / "deps").mkdir()
    lend_packages(venv, grader_dependencies(place / "deps"))
    graded_in_the_jail(check_reference(venv / "bin" / "python"))


@pytest.mark.parametrize("place", ["/var/tmp"], indirect=True)
def test_a_uv_venv(place):
    uv = shutil.which("uv") or str(Path(sys.executable).parent / "uv")
    if not Path(uv).exists():
        pytest.skip("uv is not installed (pip install uv)")
    python = system_python_with_numpy()
    subprocess.run(
        [uv, "venv", "--quiet", "--python", python, "--system-site-packages", str(place / "v")],
        check=True,
        env={**os.environ, "UV_OFFLINE": "1", "UV_PYTHON_DOWNLOADS": "never"},
    )
    (place / "deps").mkdir()
    lend_packages(place / "v", grader_dependencies(place / "deps"))
    graded_in_the_jail(check_reference(place / "v" / "bin" / "python"))


@pytest.mark.parametrize("place", ["/home/dlgrade-tests"], indirect=True)
def test_a_closed_home_folder_is_refused_with_the_fix(place):
    # A venv in a mode-700 home folder: the sandbox uid cannot reach it. The jail says so,
    # and names the fix, instead of blaming the submission.
    if os.geteuid() != 0:
        pytest.skip("only root gives the jail a uid of its own")
    venv = make_venv(place / "venv")
    lend_packages(venv, own_packages())
    place.chmod(0o700)
    done = check_reference(venv / "bin" / "python")
    assert done.returncode == 2
    assert str(place) in done.stderr
    assert "chmod o+x" in done.stderr
    assert len(done.stderr.strip().splitlines()) == 1

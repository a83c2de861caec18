"""Hostile submissions, graded in the jail.

Each must end with a complete report in bounded time, gain no point it did not
earn, leave nothing running and write nothing outside its scratch space. Where
the submission is otherwise correct (the reference plus an attack), its honest
points are kept.
"""

from __future__ import annotations

import json
import os
import re
import socket
import threading
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest

from graders.sandbox.jail import JailLauncher, python_roots
from graders.sandbox.runner import template_source
from graders.sandbox.warm import Warm
from graders.verdict import Cause, Status
from tests.conftest import (
    FULL,
    ONE_WRONG,
    ROOT,
    TEMPLATE,
    failed_questions,
    grade_path,
    jail_here,
    nothing_left_running,
    question,
    required,
)

SLOT = 7
LIMITS = {"call_seconds": 1.0, "load_seconds": 8.0}


@pytest.fixture(scope="module")
def cold_jail() -> JailLauncher:
    return jail_here(slot=SLOT) or required("the jail is unavailable here")


@pytest.fixture(params=["cold", "warm"])
def jail(request, cold_jail) -> Iterator[JailLauncher | Warm]:
    """The jail as `dlgrade check` uses it (each child started by bubblewrap), and as a batch
    worker does (each child forked from a warm template): every attack meets both."""
    if request.param == "cold":
        yield cold_jail
        return
    warm = Warm.create(cold_jail, template_source())
    yield warm
    warm.close()


@pytest.fixture
def graded(jail, make_submission):
    """grade(attack): the reference with `attack` appended, graded in the jail; then checks
    that nothing the submission started is still running."""

    uids = []

    def run(attack: str, **limits: float):
        report = grade_path(make_submission(attack), launcher=jail, **{**LIMITS, **limits})
        assert report.isolation == "jail"
        uids.append(int(re.search(r"uid (\d+)", report.isolation_detail).group(1)))
        return report

    yield run
    if isinstance(jail, Warm):
        jail.close()  # its templates run as the uid too, until they are stopped
    for uid in uids:  # the slot's uid: whatever still runs as it is the jail's
        if uid != os.geteuid():
            assert nothing_left_running(uid) == []


def everything(report) -> str:
    return json.dumps(report.to_dict())


# -- reading what it must not see ------------------------------------------------------


def test_cannot_read_reference_specs_or_hidden_checks(graded):
    # The Python environment is bound read-only; its own core.py files are not the grader's.
    PYTHON_ROOTS = tuple(str(p) for p in python_roots())
    targets = [
        ROOT / "reference" / "activations.py",
        ROOT / "assignments" / "selfcheck" / "spec.toml",
        ROOT / "assignments" / "selfcheck" / "hidden.py",
        ROOT / "assignments" / "selfcheck" / "contracts.py",
        ROOT / "graders" / "checks" / "core.py",
    ]
    attack = f"""
import importlib, os
found = []
for path in {[str(t) for t in targets]!r}:
    try:
        found.append(open(path).read()[:200])
    except OSError:
        pass
for name in ("reference", "reference.activations", "graders", "assignments.selfcheck.hidden"):
    try:
        found.append(repr(importlib.import_module(name)))
    except ImportError:
        pass
for folder, _, files in os.walk("/"):
    if folder.startswith(("/proc", "/sys", "/usr", *{PYTHON_ROOTS!r})):
        continue
    for name in files:
        if name in {sorted(t.name for t in targets)!r} and folder != "/submission":
            found.append(os.path.join(folder, name))
Q7_EXPLANATION = "found: " + repr(found)
"""
    report = graded(attack)
    assert report.score == FULL
    assert report.explanations["Q7_EXPLANATION"] == "found: []"
    text = everything(report)
    for target in targets:
        assert target.read_text()[:120] not in text


def test_bundled_data_sets_are_hidden(graded):
    """scikit-learn ships the digits with their labels: a graded track's answers."""
    import sklearn

    data = Path(sklearn.__file__).parent / "datasets" / "data"
    assert data.is_dir()  # there, outside the jail
    attack = f"""
import os
Q7_EXPLANATION = "seen: " + repr(sorted(os.listdir({str(data)!r})))
"""
    report = graded(attack)
    assert report.explanations["Q7_EXPLANATION"] == "seen: []"


def test_an_installed_copy_of_the_grader_is_hidden_too(graded, monkeypatch):
    # On Gradescope dlgrade is pip-installed into the very site-packages the jail binds.
    import shutil
    import tempfile

    # Not under /tmp: the jail mounts a private /tmp over it, which would hide the copy anyway.
    site = Path(tempfile.mkdtemp(prefix="dlgrade-site-", dir="/var/tmp")) / "site-packages"
    try:
        for folder in ("graders/sandbox", "reference"):
            (site / folder).mkdir(parents=True)
        (site / "graders" / "sandbox" / "jail.py").write_text("# an installed dlgrade\n")
        (site / "reference" / "answers.py").write_text('Q4_ANSWER = "installed-secret"\n')
        for folder in [site.parent, *site.rglob("*")]:
            folder.chmod(0o755 if folder.is_dir() else 0o644)
        monkeypatch.syspath_prepend(str(site))
        answers = site / "reference" / "answers.py"
        attack = f"""
import os
try:
    seen = [open({str(answers)!r}).read()]
except OSError as error:
    seen = [type(error).__name__]
seen.append(os.path.isdir({str(site)!r}))
Q7_EXPLANATION = repr(seen)
"""
        report = graded(attack)
    finally:
        shutil.rmtree(site.parent)
    # The site folder is bound (the child's Python may need it), its grader folders are empty.
    assert report.explanations["Q7_EXPLANATION"] == "['FileNotFoundError', True]"
    assert "installed-secret" not in everything(report)


def test_a_file_submission_cannot_see_its_neighbours(jail, tmp_path):
    # In a batch, the files beside a submission are other students' work.
    (tmp_path / "alice.py").write_text("SECRET_ANSWER = 'alice-was-here'\n")
    snoop = (TEMPLATE / "selfcheck.py").read_text() + (
        "\nimport glob, sys\n"
        "seen = glob.glob('/submission/*') + glob.glob(f'{sys.path[0]}/*')\n"
        "try:\n    import alice\n    seen.append(alice.SECRET_ANSWER)\n"
        "except ImportError:\n    pass\n"
        f"try:\n    seen.append(open({str(tmp_path / 'alice.py')!r}).read())\n"
        "except OSError:\n    pass\n"
        "Q7_EXPLANATION = repr(seen)\n"
    )
    (tmp_path / "bob.py").write_text(snoop)
    report = grade_path(tmp_path / "bob.py", launcher=jail, **LIMITS)
    assert "alice" not in report.explanations.get("Q7_EXPLANATION", "")
    assert report.score == 0


def test_reading_environment_secrets_finds_nothing(graded, monkeypatch):
    secret = f"s3cr3t-{uuid.uuid4()}"
    monkeypatch.setenv("DLGRADE_TEST_SECRET", secret)
    attack = """
import glob, os
print(dict(os.environ))
for path in glob.glob("/proc/*/environ"):
    try:
        print(path, open(path, "rb").read())
    except OSError as error:
        print(path, error)
"""
    report = graded(attack)
    assert report.score == FULL
    assert secret not in everything(report)


# -- writing where it must not --------------------------------------------------------


def test_cannot_write_results_or_files_outside_scratch(graded, tmp_path):
    host_tmp = Path("/tmp") / f"dlgrade-pwned-{uuid.uuid4()}"
    targets = [
        host_tmp,
        tmp_path / "results.json",
        ROOT / "results.json",
        Path("/autograder/results/results.json"),
    ]
    attack = f"""
import json, os
for path in {[str(t) for t in targets]!r}:
    try:
        os.makedirs(os.path.dirname(path), exist_ok=True)
        with open(path, "w") as out:
            json.dump({{"score": 12, "tests": []}}, out)
        print("wrote", path)
    except OSError as error:
        print("refused", path, error)
"""
    report = graded(attack)
    assert report.score == FULL
    for target in targets:
        assert not target.exists(), target


def test_huge_file_write_is_capped(graded):
    attack = """
try:
    with open("/scratch/big.bin", "wb") as out:
        for _ in range(1024):
            out.write(b"\\0" * (1 << 20))
except OSError as error:
    print("write stopped:", error)
"""
    report = graded(attack)
    assert report.score == FULL
    assert "write stopped" in report.output


# -- cheating in the child ----------------------------------------------------------------


def test_monkeypatching_numpy_and_grader_modules_gains_nothing(jail, tmp_path):
    cheat = (TEMPLATE / "selfcheck.py").read_text() + (
        "\nimport sys, types\n"
        "np.allclose = lambda *a, **k: True\n"
        "np.testing.assert_allclose = lambda *a, **k: None\n"
        "fake = types.ModuleType('graders')\n"
        "fake.grade = lambda *a, **k: {'score': 12}\n"
        "sys.modules['graders'] = sys.modules['graders.grading'] = fake\n"
        "print('12/12 PASS')\n"
    )
    (tmp_path / "selfcheck.py").write_text(cheat)
    report = grade_path(tmp_path / "selfcheck.py", launcher=jail, **LIMITS)
    assert report.score == 0
    assert not report.passed


# -- exhausting resources ---------------------------------------------------------------


def test_fork_bomb_is_contained(graded):
    attack = """
def relu(z):
    import os
    while True:
        try:
            os.fork()
        except OSError:
            pass
"""
    report = graded(attack)
    assert failed_questions(report) == ["q2"]
    assert report.score == ONE_WRONG


def test_numpy_memory_bomb_is_killed(graded):
    attack = """
def mse(y_pred, y_true):
    blocks = []
    while True:
        blocks.append(np.ones(50_000_000))  # 400 MB a block, touched
"""
    report = graded(attack, call_seconds=20.0)
    assert failed_questions(report) == ["q5"]
    message = question(report, "q5").first_failure.message
    assert "memory" in message


def test_pytorch_memory_bomb_is_killed(graded):
    pytest.importorskip("torch")
    attack = """
def one_hot(y, n_classes):
    import torch
    big = torch.ones(60_000, 60_000)  # 14 GB
    return big.numpy()
"""
    report = graded(attack, call_seconds=30.0)
    assert failed_questions(report) == ["q9"]
    assert question(report, "q9").first_failure.status is not Status.PASSED


@pytest.mark.parametrize(
    "body",
    [
        "import signal\n    signal.signal(signal.SIGTERM, signal.SIG_IGN)\n"
        "    signal.signal(signal.SIGXCPU, signal.SIG_IGN)\n    while True:\n        pass",
        "import signal, time\n    signal.signal(signal.SIGTERM, signal.SIG_IGN)\n"
        "    time.sleep(10**6)",
    ],
    ids=["cpu-spin-ignoring-signals", "sleep-ignoring-sigterm"],
)
def test_hang_that_ignores_signals_is_killed(graded, body):
    report = graded(f"def softmax(z):\n    {body}\n")
    assert failed_questions(report) == ["q3"]
    assert Cause.TIMEOUT in {v.cause for v in question(report, "q3").verdicts}


def test_double_forked_daemon_does_not_survive(graded):
    attack = """
import os, time
if os.fork() == 0:
    os.setsid()
    if os.fork() == 0:
        while True:
            time.sleep(0.05)
    os._exit(0)
"""
    report = graded(attack)
    assert report.score == FULL


def test_thread_left_running_after_a_call(graded):
    # One thread that outlives the call which started it. (A new spinning thread per
    # call would slow the submission down until it times out: its own doing.)
    attack = """
import threading

def relu(z):
    def spin():
        while True:
            pass
    if threading.active_count() == 1:
        threading.Thread(target=spin, daemon=True).start()
    return np.maximum(z, 0)
"""
    report = graded(attack, call_seconds=2.0)
    assert report.score == FULL


def test_stdout_flood_is_capped(graded):
    attack = """
import sys
for _ in range(100):
    sys.stdout.write("x" * 1_000_000)
"""
    report = graded(attack)
    assert report.score == FULL
    assert len(report.output) < 70_000
    assert "bytes of output dropped" in report.output


# -- network, exits, crashes --------------------------------------------------------------


def test_no_network_even_to_localhost(graded):
    connections = []
    server = socket.create_server(("127.0.0.1", 0))
    server.settimeout(0.2)
    port = server.getsockname()[1]
    stop = threading.Event()

    def accept() -> None:
        while not stop.is_set():
            try:
                connections.append(server.accept())
            except TimeoutError:
                continue

    listener = threading.Thread(target=accept, daemon=True)
    listener.start()
    attack = f"""
import socket
try:
    socket.create_connection(("127.0.0.1", {port}), timeout=2).sendall(b"leak")
    print("connected")
except OSError as error:
    print("no network:", error)
"""
    try:
        report = graded(attack)
    finally:
        stop.set()
        listener.join(2)
        server.close()
    assert report.score == FULL
    assert connections == []
    assert "no network" in report.output


@pytest.mark.parametrize(
    ("attack", "qid", "said"),
    [
        ("def l2_grad(grad, w, lam):\n    import os\n    os._exit(0)\n", "q12", "exit code 0"),
        (
            # Recursing through repr (C code) exhausts the C stack, not just the heap.
            "import sys\nsys.setrecursionlimit(10**7)\n"
            "class Deep:\n    def __repr__(self):\n        return repr(Deep())\n"
            "def l2_grad(grad, w, lam):\n    return repr(Deep())\n",
            "q12",
            "SIGSEGV",
        ),
    ],
    ids=["os._exit-in-a-function", "recursion-bomb-crash"],
)
def test_function_that_ends_the_interpreter(graded, attack, qid, said):
    report = graded(attack)
    assert failed_questions(report) == [qid]
    assert said in question(report, qid).first_failure.message


# -- replies that are not plain data ----------------------------------------------------


@pytest.mark.parametrize(
    "attack",
    [
        "def relu(z):\n    return np.array([object()] * z.size).reshape(z.shape)\n",
        "class Liar(np.ndarray):\n"
        "    def __eq__(self, other):\n        return True\n"
        "    def __array_eq__(self, other):\n        return True\n"
        "def relu(z):\n    return np.zeros(z.shape).view(Liar)\n",
        "import pickle\ndef relu(z):\n    return pickle.dumps(np.maximum(z, 0))\n",
        "import json, os, pickle, struct, sys\n"
        "def relu(z):\n"
        "    blob = pickle.dumps(np.maximum(z, 0))\n"
        "    head = json.dumps({'op': 'reply', 'ok': True, 'value': {'array': 0},"
        " 'blobs': [len(blob)]}).encode()\n"
        "    os.write(int(sys.argv[-1]), struct.pack('>I', len(head)) + head + blob)\n"
        "    return np.maximum(z, 0)\n",
    ],
    ids=["object-array", "subclass-with-true-eq", "pickled-bytes", "forged-pickle-frame"],
)
def test_replies_that_are_not_plain_data_earn_nothing(graded, attack):
    report = graded(attack)
    assert failed_questions(report) == ["q2"]
    assert report.score == ONE_WRONG

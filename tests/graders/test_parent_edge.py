"""The parent's edge: a submission is hostile files and a reply is hostile bytes.

Every attack here goes through the three ways a submission reaches the grader: `dlgrade
check` (a complete report, the documented exit code, nothing leaked), `dlgrade grade` in a
class of honest students (each graded exactly as in a class without the attackers, every
attacker with a row of its own, the run finished) and the Gradescope runner (a valid,
UTF-8 `results.json`, always). What the parent refuses is said in the report, in words.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import pytest

from graders.batch.gradebook import Gradebook
from graders.grading import grade
from graders.spec import load_spec
from graders.submission import load_submission
from tests.conftest import (
    FULL,
    ONE_WRONG,
    QUESTIONS,
    REFERENCE,
    ROOT,
    SELFCHECK_MODULES,
    TEMPLATE,
    jail_here,
    proven_jail,
    reference_folder,
)

ENV_SECRET = f"edge-env-{uuid.uuid4()}"
REFERENCE_LINE = "shifted = z - np.max(z, axis=-1, keepdims=True)"
HONEST = ("alice", "bob", "carol")
UNCHANGED = {"alice": 12, "bob": 0, "carol": 11}


JAIL = jail_here() is not None
CONTROLS = (b"\x1b", b"\x07", "\x9b".encode(), "\u202e".encode(), "\u2066".encode())


# -- the attacks ------------------------------------------------------------------------


@dataclass(frozen=True)
class Secrets:
    file: Path  # readable by root only: a stand-in for /etc/shadow
    token: str  # what that file holds
    victim: Path  # an honest classmate's folder


@dataclass(frozen=True)
class Attack:
    build: Callable[[Path, Secrets], None]  # makes the submission at the given path
    said: tuple[str, ...]  # what the report says, in words
    score: int = 0  # the points it keeps (its honest part)
    refused: bool = True  # refused before any of it ran
    question: str = ""  # the one question it loses, when it is graded
    found: bool = True  # False: no file to grade was found (check prints no JSON report)


def links_to(folder: Path, target: Path, relative: bool = False) -> None:
    folder.mkdir(parents=True)
    for name in SELFCHECK_MODULES:
        source = target / f"{name}.py"
        link = os.path.relpath(source, folder) if relative else source
        (folder / f"{name}.py").symlink_to(link)


def with_helper_link(name: str, target: str | Callable[[Secrets], Path]):
    """The honest reference, plus a helper file that is a link, and code that prints it."""

    def build(folder: Path, secrets: Secrets) -> None:
        reference_folder(
            folder,
            f"""
            import os as _os, sys as _sys
            for _folder in _sys.path:
                _path = _os.path.join(_folder, {name!r})
                if _os.path.exists(_path):
                    with open(_path, "rb") as _file:
                        print(_file.read(4096))
            """,
        )
        (folder / name).symlink_to(target(secrets) if callable(target) else target)

    return build


def fifo_entry(folder: Path, _: Secrets) -> None:
    reference_folder(folder)
    (folder / "selfcheck.py").unlink()
    os.mkfifo(folder / "selfcheck.py")


def fifo_helper(folder: Path, _: Secrets) -> None:
    reference_folder(folder)
    os.mkfifo(folder / "pipe.txt")


def sparse_terabyte(folder: Path, _: Secrets) -> None:
    folder.mkdir(parents=True)
    with open(folder / "selfcheck.py", "wb") as file:
        file.truncate(1 << 40)  # st_size says 1 TiB; reading it would take an hour


def over_copy_limit(folder: Path, _: Secrets) -> None:
    reference_folder(folder)
    (folder / "weights.bin").write_bytes(os.urandom(21 << 20))


def appended(code: str) -> Callable[[Path, Secrets], None]:
    def build(folder: Path, _: Secrets) -> None:
        reference_folder(folder)
        with open(folder / "selfcheck.py", "a", encoding="utf-8") as file:
            file.write(code)

    return build


def notebook_with_a_number(folder: Path, _: Secrets) -> None:
    reference_folder(folder)
    (folder / "selfcheck.py").unlink()
    cell = {
        "cell_type": "code",
        "execution_count": None,
        "id": "a1",
        "metadata": {},
        "outputs": [],
        "source": ["from activations import relu\n", 5],
    }
    notebook = {"cells": [cell], "metadata": {}, "nbformat": 4, "nbformat_minor": 5}
    (folder / "selfcheck.ipynb").write_text(json.dumps(notebook))


def both_entries(folder: Path, _: Secrets) -> None:
    reference_folder(folder)
    shutil.copy(TEMPLATE / "selfcheck.ipynb", folder / "selfcheck.ipynb")


def escaped_names(folder: Path, _: Secrets) -> None:
    folder.mkdir(parents=True)
    (folder / "a\x1b[2J\x1b]0;owned\x07.py").write_text("x = 1\n")
    (folder / "b\u202e.py").write_text("y = 2\n")


def non_utf8_helper(folder: Path, _: Secrets) -> None:
    reference_folder(folder)
    with open(os.fsencode(folder) + b"/\xff\xfenotes.txt", "wb") as file:
        file.write(b"a file whose name is not UTF-8\n")


# Writes a reply frame of its own on the reply pipe before relu's honest reply.
FORGE = """
import json as _json, os as _os, struct as _struct, sys as _sys

def _send(text, blob=b""):
    data = _struct.pack(">I", len(text)) + text + blob
    while data:
        data = data[_os.write(int(_sys.argv[1]), data):]

def _request_id():
    return getattr(_sys._getframe(3).f_locals.get("self"), "request_id", None)
"""

DEEP_REPLY = f"""{FORGE}
def relu(z):
    deep = "[" * 100_000 + "]" * 100_000
    _send(('{{"op": "reply", "ok": true, "id": %d, "blobs": [], "value": %s}}'
           % (_request_id(), deep)).encode())
    return np.maximum(z, 0)
"""

SHAPE_OVERFLOW = f"""{FORGE}
def relu(z):
    # 2**96 elements: in 64-bit arithmetic the product wraps to 0, which an empty blob matches
    array = {{"array": 0, "dtype": "<f8", "shape": [2**32, 2**32, 2**32]}}
    header = {{"op": "reply", "ok": True, "id": _request_id(), "blobs": [0], "value": array}}
    _send(_json.dumps(header).encode())
    return np.maximum(z, 0)
"""

ERROR_NOT_A_DICT = f"""{FORGE}
def relu(z):
    _send(_json.dumps({{"op": "reply", "ok": False, "id": _request_id(), "error": [1]}}).encode())
    return np.maximum(z, 0)
"""

DEEP_EXPLANATION = """
import sys as _sys
_sys.setrecursionlimit(100_000)
_deep = "because"
for _ in range(5000):
    _deep = [_deep]
Q7_EXPLANATION = _deep
"""

LONE_SURROGATE = """
def relu(z):
    raise ValueError("bad \\udc80 value")
"""

ESCAPES = """
print("\\x1b[2J\\x1b]0;pwned\\x07\\x1bP+q\\x1b\\\\Score 12/12 PASS \\u202eevil\\u2066 \\x9b2J")
print("\\x1b[1A" + " " * 120 + "Score 12/12 PASS")

def relu(z):
    raise ValueError(
        "\\x1b[31mred\\x1b[0m\\r\\nScore 12/12 PASS \\u202egnp.exe" + " " * 120 + "Score 12/12 PASS"
    )
"""

LINK = "is a symbolic link"
ATTACKS: dict[str, Attack] = {
    "links-to-reference": Attack(lambda f, s: links_to(f, REFERENCE), (LINK,)),
    "relative-links": Attack(lambda f, s: links_to(f, REFERENCE, relative=True), (LINK,)),
    "links-to-a-classmate": Attack(lambda f, s: links_to(f, s.victim, relative=True), (LINK,)),
    "folder-is-a-link": Attack(lambda f, s: f.symlink_to(REFERENCE), (LINK,)),
    "link-to-a-secret": Attack(with_helper_link("loot.txt", lambda s: s.file), ("loot.txt", LINK)),
    "link-to-shadow": Attack(with_helper_link("shadow.txt", "/etc/shadow"), (LINK,)),
    "link-to-environ": Attack(with_helper_link("env.txt", "/proc/self/environ"), (LINK,)),
    # Before issue 10 the root parent copied the page map into the jail's scratch folder
    # until the disk was full: never run this one against that code.
    "link-to-pagemap": Attack(with_helper_link("map.bin", "/proc/self/pagemap"), (LINK,)),
    "fifo-entry": Attack(fifo_entry, ("selfcheck.py", "named pipe")),
    "fifo-helper": Attack(fifo_helper, ("pipe.txt", "named pipe")),
    "sparse-terabyte": Attack(sparse_terabyte, ("selfcheck.py holds over 5 MiB",)),
    "over-copy-limit": Attack(over_copy_limit, ("over 20 MiB",)),
    "attribute-chain": Attack(appended("\nx = a" + ".a" * 100_000 + "\n"), ("nests too deeply",)),
    "unary-chain": Attack(appended("\nx = " + "-" * 100_000 + "1\n"), ("nests too deeply",)),
    "notebook-number-in-source": Attack(
        notebook_with_a_number, ("not a valid Jupyter notebook", "cell 1")
    ),
    "both-py-and-ipynb": Attack(both_entries, ("both selfcheck.py and selfcheck.ipynb",)),
    "escapes-in-file-names": Attack(
        escaped_names, ("selfcheck.py or selfcheck.ipynb",), found=False
    ),
    "non-utf8-helper": Attack(non_utf8_helper, (), score=12, refused=False),
    "deep-json-reply": Attack(
        appended(DEEP_REPLY), ("could not be read", "nested"), 11, False, "q2"
    ),
    "array-shape-overflow": Attack(appended(SHAPE_OVERFLOW), ("not accepted",), 11, False, "q2"),
    "deep-explanation": Attack(appended(DEEP_EXPLANATION), (), 12, False),
    "error-reply-not-a-dict": Attack(
        appended(ERROR_NOT_A_DICT), ("relu raised Exception",), 11, False, "q2"
    ),
    "lone-surrogate": Attack(appended(LONE_SURROGATE), ("bad \ufffd value",), 11, False, "q2"),
    "terminal-escapes": Attack(appended(ESCAPES), ("ValueError",), 11, False, "q2"),
}


@pytest.fixture(scope="module")
def secrets(tmp_path_factory) -> Secrets:
    root = tmp_path_factory.mktemp("secrets")
    token = f"edge-file-{uuid.uuid4()}"
    file = root / "secret.txt"
    file.write_text(f"{token}\n")
    file.chmod(0o600)
    return Secrets(file, token, reference_folder(root / "victim"))


def forbidden(secrets: Secrets, attack: Attack) -> list[str]:
    """What must never appear in anything the grader writes about an attacker (the reference's
    code only where none of the attacker's own copy of it ran)."""
    found = [secrets.token, ENV_SECRET, *([REFERENCE_LINE] if attack.refused else [])]
    try:
        found += [line for line in Path("/etc/shadow").read_text().splitlines() if len(line) > 8]
    except OSError:
        pass
    return found


def env() -> dict[str, str]:
    return {**os.environ, "DLGRADE_EDGE_SECRET": ENV_SECRET, "PYTHONPATH": str(ROOT)}


def run(*argv: str, timeout: float = 180) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, *argv], capture_output=True, env=env(), timeout=timeout, check=False
    )


def assert_inert(raw: bytes) -> str:
    """Output that is valid UTF-8 and holds no terminal control or bidi override."""
    text = raw.decode("utf-8")  # strict: any lone surrogate or broken byte fails here
    for control in CONTROLS:
        assert control not in raw, (control, text[:2000])
    return text


def assert_no_leak(text: str, secrets: Secrets, attack: Attack) -> None:
    for secret in forbidden(secrets, attack):
        assert secret not in text


def strings(value: object) -> list[str]:
    if isinstance(value, str):
        return [value]
    if isinstance(value, dict):
        return [s for k, v in value.items() for s in (*strings(k), *strings(v))]
    if isinstance(value, list):
        return [s for v in value for s in strings(v)]
    return []


def assert_report(report: dict, attack: Attack) -> None:
    """The report of an attacker: complete, scored as its honest part deserves, and saying why."""
    assert len(report["questions"]) == QUESTIONS
    assert report["score"] == attack.score
    assert report["graded"] is True
    text = json.dumps(report, ensure_ascii=False)
    for said in attack.said:
        assert said in text, said
    if attack.refused:
        assert report["isolation"] == "none"  # none of it ran
        for said in attack.said:
            assert said in report["load_error"]
    if attack.question:
        lost = [q["id"] for q in report["questions"] if q["score"] < q["max_score"]]
        assert lost == [attack.question]
    for value in strings(report):
        assert not any("\ud800" <= c <= "\udfff" for c in value)


# -- dlgrade check ----------------------------------------------------------------------


@pytest.mark.parametrize("name", sorted(ATTACKS))
def test_check_prints_a_complete_report_and_leaks_nothing(name, tmp_path, secrets):
    attack = ATTACKS[name]
    target = tmp_path / "submission"
    attack.build(target, secrets)
    text = run("-m", "graders.cli", "check", str(target))
    machine = run("-m", "graders.cli", "check", str(target), "--format", "json")
    out, err = assert_inert(text.stdout), assert_inert(text.stderr)
    if attack.found:
        report = json.loads(assert_inert(machine.stdout))
        assert_report(report, attack)
    else:  # nothing to grade was found: one line on stderr, as for a missing path
        assert machine.stdout == b""
    for said in attack.said:
        assert said in (err if attack.refused else report_text(report))
    if attack.refused:
        assert text.returncode == machine.returncode == 2
        assert err.strip().count("\n") == 0
        assert "Traceback" not in err
    else:
        assert text.returncode == machine.returncode == 0, err
        assert f"Score {attack.score}/12" in out
        assert "Traceback (most recent call last)" not in err
    assert_no_leak(out + err + machine.stdout.decode(), secrets, attack)


def report_text(report: dict) -> str:
    return json.dumps(report, ensure_ascii=False)


def test_check_refuses_a_system_file_given_directly(secrets):
    done = run("-m", "graders.cli", "check", "/proc/self/environ")
    assert done.returncode == 2
    err = assert_inert(done.stderr)
    assert "/proc" in err
    assert_no_leak(err + done.stdout.decode(), secrets, ATTACKS["link-to-environ"])


def test_escapes_printed_and_raised_never_reach_the_terminal(tmp_path, secrets):
    target = tmp_path / "submission"
    ATTACKS["terminal-escapes"].build(target, secrets)
    out = assert_inert(run("-m", "graders.cli", "check", str(target)).stdout)
    # The forged line is shown as what the submission printed, indented, never as ours.
    assert f"\nScore {ONE_WRONG:g}/{FULL:g} PASS" in out
    assert f"\nScore {FULL:g}/{FULL:g}" not in out


@pytest.mark.skipif(not JAIL, reason="the copy into the jail is what refuses it")
def test_a_link_added_after_loading_is_refused_by_the_copy_into_the_jail(tmp_path, secrets):
    spec = load_spec("selfcheck")
    folder = reference_folder(tmp_path / "alice")
    submission = load_submission(folder, spec.entry)
    (folder / "loot.txt").symlink_to(secrets.file)
    report = grade(submission, spec, launcher=proven_jail())
    assert (report.graded, report.score) == (True, 0)
    assert "loot.txt is a symbolic link" in report.load_error
    assert_no_leak(json.dumps(report.to_dict()), secrets, ATTACKS["link-to-a-secret"])


# -- dlgrade grade ----------------------------------------------------------------------


def honest_class(folder: Path) -> Path:
    folder.mkdir()
    reference_folder(folder / "alice")
    shutil.copy(TEMPLATE / "selfcheck.py", folder / "bob.py")
    reference_folder(folder / "carol", "Q1_ANSWER = 0\n")
    return folder


def grade_class(folder: Path, db: Path) -> subprocess.CompletedProcess:
    argv = ["-m", "graders.cli", "grade", str(folder), "-a", "selfcheck", "--db", str(db)]
    argv += ["--workers", "2", *(() if JAIL else ("--allow-process",))]
    return run(*argv, timeout=900)


def entries(db: Path) -> dict:
    with Gradebook(db) as book:
        return {entry.student: entry for entry in book.entries("selfcheck")}


def verdicts(report: dict) -> list[tuple]:
    return [
        (q["id"], c["name"], c["status"], c["message"])
        for q in report["questions"]
        for c in q["checks"]
    ]


@pytest.fixture(scope="module")
def graded_class(tmp_path_factory, secrets):
    root = tmp_path_factory.mktemp("edge-class")
    control = honest_class(root / "control")
    assert grade_class(control, root / "control.db").returncode == 0
    folder = honest_class(root / "class")
    victim = Secrets(secrets.file, secrets.token, folder / "alice")
    for name, attack in ATTACKS.items():
        attack.build(folder / name, victim)
    os.mkdir(os.fsencode(folder) + b"/\xff\xfe-odd-name")  # a student folder name not in UTF-8
    reference_folder(Path(os.fsdecode(os.fsencode(folder) + b"/\xff\xfe-odd-name")))
    done = grade_class(folder, root / "class.db")
    again = grade_class(folder, root / "class.db")
    return entries(root / "control.db"), entries(root / "class.db"), done, again


def test_grade_finishes_and_records_every_student(graded_class, secrets):
    _, graded, done, again = graded_class
    assert done.returncode == 0, done.stderr.decode(errors="replace")
    assert_inert(done.stdout), assert_inert(done.stderr)
    assert sorted(graded) == sorted([*HONEST, *ATTACKS, "\\xff\\xfe-odd-name"])
    assert graded["\\xff\\xfe-odd-name"].score == FULL
    # The rerun grades nothing again: every result was final and stored.
    assert again.returncode == 0, again.stderr.decode(errors="replace")
    assert "graded 0," in again.stdout.decode()


def test_honest_students_are_graded_as_without_the_attackers(graded_class):
    control, graded, _, _ = graded_class
    for student in HONEST:
        assert graded[student].status == "graded"
        assert graded[student].score == UNCHANGED[student]
        assert verdicts(graded[student].report) == verdicts(control[student].report)


@pytest.mark.parametrize("name", sorted(ATTACKS))
def test_grade_gives_each_attacker_its_own_row(graded_class, secrets, name):
    attack = ATTACKS[name]
    entry = graded_class[1][name]
    assert entry.status == ("invalid" if attack.refused else "graded")
    assert_report(entry.report, attack)
    if attack.refused:
        for said in attack.said:
            assert said in entry.detail
    assert_no_leak(json.dumps(entry.report) + entry.detail, secrets, attack)


# -- the Gradescope runner --------------------------------------------------------------


def gradescope(root: Path) -> tuple[subprocess.CompletedProcess, dict]:
    argv = ["-m", "graders.platforms.gradescope", "--root", str(root), "--assignment"]
    argv += ["selfcheck", *(() if JAIL else ("--allow-process",))]
    done = run(*argv)
    raw = (root / "results" / "results.json").read_bytes()
    return done, json.loads(assert_inert(raw))


@pytest.mark.parametrize("name", sorted(ATTACKS))
def test_gradescope_always_writes_results(tmp_path, secrets, name):
    attack = ATTACKS[name]
    root = tmp_path / "autograder"
    (root / "results").mkdir(parents=True)
    attack.build(root / "submission", secrets)
    done, results = gradescope(root)
    assert done.returncode == 0, done.stderr.decode(errors="replace")
    assert results["score"] == attack.score
    assert len(results["tests"]) == QUESTIONS
    if attack.refused:
        assert results["output"].startswith("Not graded: ")
    text = json.dumps(results, ensure_ascii=False)
    for said in attack.said:
        assert said in text, said
    for value in strings(results):
        assert not any(c in value for c in ("\x1b", "\x07", "\u202e"))
    assert_no_leak(text, secrets, attack)

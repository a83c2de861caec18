"""Discovery and hashing read a class's submissions as data: the hash covers exactly what the
jail receives, links are never followed, and every name becomes a usable student id."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from graders.batch.discover import content_hash, discover
from graders.batch.entry import GRADED
from graders.sandbox.jail import copy_submission
from graders.submission import SubmissionError
from tests.conftest import REFERENCE, reference_folder


def copied(folder: Path, destination: Path) -> dict[str, bytes]:
    """What the jail would receive of `folder`: relative path -> bytes."""
    copy_submission((str(folder),), destination)
    return {
        path.relative_to(destination).as_posix(): path.read_bytes()
        for path in sorted(destination.rglob("*"))
        if path.is_file()
    }


@pytest.fixture
def student(tmp_path: Path) -> Path:
    folder = reference_folder(tmp_path / "class" / "alice")
    (folder / "data").mkdir()
    (folder / "data" / "weights.txt").write_text("1 2 3\n")
    for litter in ("__MACOSX/._selfcheck.py", "__pycache__/selfcheck.cpython-311.pyc", ".git/HEAD"):
        (folder / litter).parent.mkdir(parents=True, exist_ok=True)
        (folder / litter).write_bytes(b"litter")
    return folder


def test_the_jail_receives_exactly_what_the_hash_covers(student, tmp_path):
    before = content_hash(student)
    received = copied(student, tmp_path / "copy1")
    assert "data/weights.txt" in received
    assert not any(name.startswith(("__MACOSX", "__pycache__", ".git")) for name in received)
    # Changing what the jail never sees changes nothing; changing what it sees changes the hash.
    (student / "__MACOSX" / "._selfcheck.py").write_bytes(b"other litter")
    assert content_hash(student) == before
    assert copied(student, tmp_path / "copy2") == received
    (student / "data" / "weights.txt").write_text("4 5 6\n")
    assert content_hash(student) != before
    assert copied(student, tmp_path / "copy3")["data/weights.txt"] == b"4 5 6\n"


def test_the_copy_follows_no_link_and_says_so(student, tmp_path):
    (student / "data" / "secret.txt").symlink_to("/etc/shadow")
    with pytest.raises(SubmissionError, match=r"data/secret\.txt is a symbolic link"):
        copy_submission((str(student),), tmp_path / "copy")
    assert not (tmp_path / "copy" / "data" / "secret.txt").exists()


def test_a_refused_submission_hashes_the_refusal_and_keeps_that_hash(student):
    (student / "loot.txt").symlink_to("/proc/self/environ")
    refused = content_hash(student)
    assert refused == content_hash(student)
    (student / "loot.txt").unlink()
    assert content_hash(student) != refused


def test_every_student_gets_a_candidate_links_and_odd_names_included(student):
    folder = student.parent
    (folder / "mallory").symlink_to(REFERENCE)  # a student folder that is a link
    (folder / "copycat.py").symlink_to(student / "selfcheck.py")
    os.mkdir(os.fsencode(folder) + b"/\xff\xfe-bytes")  # a name that is not UTF-8
    (folder / "__MACOSX").mkdir()
    found = {c.student: c for c in discover(folder)}
    assert sorted(found) == ["\\xff\\xfe-bytes", "alice", "copycat", "mallory"]
    assert all(c.status == GRADED for c in found.values())  # graded: refused, in words
    assert found["mallory"].path == folder / "mallory"
    assert found["mallory"].sha256 != content_hash(REFERENCE)
    assert found["copycat"].sha256 != content_hash(student / "selfcheck.py")

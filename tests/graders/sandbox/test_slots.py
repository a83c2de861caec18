"""Every live grading on a machine has a slot of its own; a dead one's slot is cleaned."""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import sys
import tempfile
import textwrap
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest

from graders.sandbox import cgroups, slots
from graders.sandbox.jail import JailLauncher
from graders.sandbox.job import Code
from graders.sandbox.launch import ProcessLauncher
from graders.sandbox.runner import Sandbox
from graders.source import Chunk
from tests.conftest import ROOT, jail_here

CODE = Code("m", (Chunk("m.py", "import time\n\ndef wait():\n    time.sleep(600)\n"),))


def launcher():
    return jail_here() or ProcessLauncher()


@pytest.fixture
def table(monkeypatch) -> Iterator[slots.Table]:
    """A table of its own, in a folder the jail's uids can pass through (as /tmp's is)."""
    base = Path(tempfile.mkdtemp(prefix="dlgrade-test-slots-"))
    base.chmod(0o755)
    monkeypatch.setenv(slots.ENV_VAR, str(base / "runtime"))
    yield slots.Table.here()
    shutil.rmtree(base)


def test_sandboxes_started_in_threads_at_once_have_slots_of_their_own(table):
    jail = launcher()
    start = threading.Barrier(6)
    boxes: list[Sandbox] = []

    def open_one() -> None:
        start.wait()
        box = Sandbox(CODE, launcher=jail)
        box.start()
        boxes.append(box)

    threads = [threading.Thread(target=open_one) for _ in range(6)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    try:
        assert sorted(box.slot.number for box in boxes) == list(range(6))
        assert len({box.scratch.parent for box in boxes}) == 6
        assert all(box.scratch.parent == table.folder / f"slot-{box.slot.number}" for box in boxes)
        if isinstance(jail, JailLauncher) and os.geteuid() == 0:  # a uid of its own each
            assert len({box.launcher.uid for box in boxes}) == 6
    finally:
        for box in boxes:
            box.close()
    assert [path.name for path in table.folder.glob("slot-*/*")] == []
    with Sandbox(CODE, launcher=jail) as box:  # all six are free again: the lowest is taken
        assert box.slot.number == 0


def test_a_live_slot_is_never_cleaned_and_a_free_one_is(table):
    first, second = table.lease(), table.lease()
    assert (first.number, second.number) == (0, 1)
    kept = first.folder / "dlgrade-live"
    kept.mkdir()
    assert table.sweep() == []  # both held: nothing of theirs is touched
    assert kept.is_dir()
    first.release()
    first.release()  # releasing twice is harmless
    assert table.sweep() == [0]
    assert not kept.exists()
    again = table.lease()
    assert again.number == 0
    again.release()
    second.release()


def test_a_grading_killed_mid_call_leaves_nothing_once_its_slot_is_swept(table):
    # A stand-in for a Dask worker killed by SIGKILL in the middle of a call that hangs.
    program = textwrap.dedent(
        f"""
        import sys
        sys.path.insert(0, {str(ROOT)!r})
        from tests.graders.sandbox.test_slots import CODE, launcher
        from graders.sandbox.runner import Sandbox
        box = Sandbox(CODE, launcher=launcher())
        box.ensure_loaded()
        print(box.slot.number, box.scratch, flush=True)
        box.call("wait", timeout=600)
        """
    )
    environment = {**os.environ, slots.ENV_VAR: str(table.folder)}
    with table.lease() as held:  # a live grading beside the dead one keeps what it has
        mine = held.folder / "dlgrade-mine"
        mine.mkdir()
        worker = subprocess.Popen(
            [sys.executable, "-c", program], stdout=subprocess.PIPE, text=True, env=environment
        )
        try:
            number, scratch = worker.stdout.readline().split()
        finally:
            worker.send_signal(signal.SIGKILL)
            worker.wait()
        prefix = f"slot{number}-{worker.pid}-"
        assert (int(number), Path(scratch).is_dir()) == (1, True)
        if os.geteuid() == 0 and cgroups.detect() is not None:
            assert cgroups.named(prefix) != []  # the hanging child's groups
        assert table.sweep() == [1]
        assert mine.is_dir()
    assert not Path(scratch).exists()
    assert cgroups.named(prefix) == []
    assert not any(scratch in text for text in command_lines())  # bwrap binds from it


def command_lines() -> list[str]:
    """Every process's command line, as one string each."""
    found = []
    for path in Path("/proc").glob("[0-9]*/cmdline"):
        try:
            found.append(path.read_bytes().replace(b"\0", b" ").decode(errors="replace"))
        except OSError:
            continue
    return found


def test_the_table_is_refused_when_its_folder_is_not_ours(tmp_path, monkeypatch):
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    (tmp_path / "runtime").symlink_to(elsewhere)
    monkeypatch.setenv(slots.ENV_VAR, str(tmp_path / "runtime"))
    with pytest.raises(OSError, match="symbolic link"):
        slots.Table.here().lease()
    open_to_all = tmp_path / "open"
    open_to_all.mkdir(mode=0o777)
    open_to_all.chmod(0o777)
    monkeypatch.setenv(slots.ENV_VAR, str(open_to_all))
    with pytest.raises(OSError, match="others can write"):
        slots.Table.here().lease()


def test_a_grading_with_no_slot_is_a_fault_of_ours_not_a_grade(tmp_path, monkeypatch):
    from tests.conftest import grade_path, reference_folder

    (tmp_path / "runtime").symlink_to(tmp_path)
    monkeypatch.setenv(slots.ENV_VAR, str(tmp_path / "runtime"))
    report = grade_path(reference_folder(tmp_path / "alice"))
    assert not report.graded
    assert report.fault.startswith("the sandbox could not start (the grading slots' folder")

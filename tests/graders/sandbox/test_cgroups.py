"""Cgroup groups are made with the right limit files for v1 and v2, joined, and removed."""

from __future__ import annotations

import os
import threading
from pathlib import Path

from graders.sandbox import cgroups


def test_v2_group_has_memory_and_pids_limits(tmp_path: Path):
    setup = cgroups.Cgroups("v2", tmp_path, tmp_path)
    group = cgroups.create(setup, "child", memory_bytes=1 << 30, processes=32)
    assert group.paths == (tmp_path / "child",)
    assert (tmp_path / "child" / "memory.max").read_text() == str(1 << 30)
    assert (tmp_path / "child" / "pids.max").read_text() == "32"


def test_v1_group_uses_one_folder_per_controller(tmp_path: Path):
    memory, pids = tmp_path / "memory", tmp_path / "pids"
    memory.mkdir()
    pids.mkdir()
    group = cgroups.create(cgroups.Cgroups("v1", memory, pids), "child", 1 << 29, 16)
    assert (memory / "child" / "memory.limit_in_bytes").read_text() == str(1 << 29)
    assert (pids / "child" / "pids.max").read_text() == "16"
    assert group.version == "v1"


def test_oom_kill_is_read_from_either_version(tmp_path: Path):
    folder = tmp_path / "g"
    folder.mkdir()
    group = cgroups.Group("v2", (folder,))
    (folder / "memory.events").write_text("low 0\nhigh 0\nmax 3\noom 1\noom_kill 0\n")
    assert not group.oom_killed()
    (folder / "memory.events").write_text("low 0\nhigh 0\nmax 3\noom 1\noom_kill 1\n")
    assert group.oom_killed()


def test_detect_on_this_machine_is_usable_or_none():
    setup = cgroups.detect()
    if setup is None:
        return  # no writable cgroup: the jail caps the address space instead
    assert setup.version in ("v1", "v2")
    if os.geteuid() == 0:
        group = cgroups.create(setup, f"test-{os.getpid()}", 1 << 28, 8)
        assert all(path.is_dir() for path in group.paths)
        group.close()
        assert not any(path.exists() for path in group.paths)


def test_detect_from_several_threads_at_once_finds_the_same_setup():
    # Each detect makes and removes a probe group; threads of one process used to share its
    # name, so one of them failed to make it and graded without cgroup limits.
    setup = cgroups.detect()
    if setup is None:
        return
    start = threading.Barrier(8)
    found = []

    def detect() -> None:
        start.wait()
        found.append(cgroups.detect())

    for _ in range(5):
        threads = [threading.Thread(target=detect) for _ in range(8)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
    assert found == [setup] * 40


def test_named_finds_dlgrade_groups_by_prefix():
    setup = cgroups.detect()
    if setup is None or os.geteuid() != 0:
        return
    group = cgroups.create(setup, f"test-named-{os.getpid()}-a", 1 << 28, 8)
    try:
        found = cgroups.named(f"test-named-{os.getpid()}-")
        assert [g.paths for g in found] == [group.paths]
    finally:
        group.remove()
    assert cgroups.named(f"test-named-{os.getpid()}-") == []

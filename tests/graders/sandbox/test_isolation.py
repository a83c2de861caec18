"""One function chooses the isolation level, after a canary proves it works (issue 11)."""

from __future__ import annotations

import argparse
import dataclasses
import os
import subprocess
import sys
from pathlib import Path

import pytest

from graders.sandbox import isolation
from graders.sandbox.errors import GraderFault
from graders.sandbox.isolation import Level, Needs, canary, choose
from graders.sandbox.launch import Command, ProcessLauncher
from tests.conftest import REFERENCE


@dataclasses.dataclass(frozen=True)
class NoPython(ProcessLauncher):
    """A level whose interpreter is not where it looks: the canary must catch it."""

    level: str = "broken"

    def command(self, *args, **kwargs) -> Command:
        command = super().command(*args, **kwargs)
        return dataclasses.replace(command, argv=["/nonexistent/bin/python3", *command.argv[1:]])


@pytest.fixture(autouse=True)
def fresh_canaries():
    canary.cache_clear()
    yield
    canary.cache_clear()


@pytest.fixture
def broken_first(monkeypatch):
    """LEVELS with a strongest level that cannot start Python, confining untrusted code."""
    broken = Level("broken", lambda slot: NoPython(), True, "fix the broken level")
    process = isolation.LEVELS[-1]
    monkeypatch.setattr(isolation, "LEVELS", (broken, process))
    monkeypatch.setattr(isolation, "NAMES", ("auto", "broken", "process"))


def test_the_canary_passes_at_the_process_level_and_is_cached():
    first = canary("process", Needs())
    assert first.passed, first.problem
    assert canary("process", Needs()) is first


def test_a_module_the_assignment_needs_but_python_lacks_is_a_fault_of_ours():
    needs = Needs(("numpy", "dlgrade_no_such_module"))
    with pytest.raises(GraderFault) as raised:
        choose("process", needs)
    reason = raised.value.reason
    assert "cannot import numpy, dlgrade_no_such_module" in reason
    assert "No module named 'dlgrade_no_such_module'" in reason
    assert "\n" not in reason


def test_auto_falls_back_only_past_a_failed_canary_and_says_why(broken_first):
    choice = choose("auto")
    assert choice.launcher.level == "process"
    assert "'broken' failed its check" in choice.note
    assert "cannot start Python" in choice.note


def test_a_level_named_explicitly_is_used_or_refused(broken_first):
    with pytest.raises(GraderFault) as raised:
        choose("broken")
    assert "isolation 'broken' cannot be used here" in raised.value.reason
    assert "fix the broken level" in raised.value.reason
    assert choose("process", untrusted=True).launcher.level == "process"


def test_untrusted_code_is_never_graded_below_the_confining_levels(broken_first):
    with pytest.raises(GraderFault) as raised:
        choose("auto", untrusted=True)
    assert "no isolation level safe for untrusted code works here" in raised.value.reason
    assert "--isolation process" in raised.value.reason


def test_every_level_has_a_launcher_factory_and_a_fix():
    for level in isolation.LEVELS:
        assert level.fix
        assert callable(level.create)
    # Strongest first; only the weakest does not confine untrusted code.
    assert [level.name for level in isolation.LEVELS] == ["jail", "uid", "process"]
    assert [level.confines_untrusted for level in isolation.LEVELS] == [True, True, False]


def test_unknown_level_names_are_refused():
    assert isolation.level_name("jail") == "jail"
    with pytest.raises(argparse.ArgumentTypeError, match="choose one of auto, jail, uid, process"):
        isolation.level_name("docker")


def dlgrade(*args: str, env: dict[str, str]) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "graders.cli", *args],
        capture_output=True,
        text=True,
        timeout=120,
        env={**os.environ, **env},
    )


def test_the_environment_variable_is_the_default_of_isolation():
    done = dlgrade("check", str(REFERENCE), "-f", "json", env={"DLGRADE_ISOLATION": "process"})
    assert done.returncode == 0, done.stderr
    assert '"isolation": "process"' in done.stdout
    bad = dlgrade("check", str(REFERENCE), env={"DLGRADE_ISOLATION": "docker"})
    assert bad.returncode == 2
    assert "unknown isolation level 'docker'" in bad.stderr


def test_the_kits_pytest_file_honours_the_environment_variable(monkeypatch, tmp_path):
    from graders.pytest_support import grade_public
    from tests.conftest import reference_folder

    folder = reference_folder(tmp_path / "work")
    monkeypatch.setenv("DLGRADE_ISOLATION", "process")
    assert grade_public("selfcheck", Path(folder)).isolation == "process"


def test_class_grading_refuses_to_grade_below_the_confining_levels_unless_allowed(
    tmp_path, open_folder
):
    from tests.conftest import reference_folder

    reference_folder(tmp_path / "class" / "alice")
    no_bwrap = {
        "PATH": str(Path(sys.executable).parent),
        "DLGRADE_ISOLATION": "auto",
        "DLGRADE_PRIVATE": str(open_folder),  # the uid level refuses too
    }
    command = ["grade", str(tmp_path / "class"), "-a", "selfcheck", "--db"]
    refused = dlgrade(*command, str(tmp_path / "a.db"), env=no_bwrap)
    assert refused.returncode == 2
    assert "no isolation level safe for untrusted code works here" in refused.stderr
    assert "bubblewrap is not installed" in refused.stderr
    assert not (tmp_path / "a.db").exists()
    for allowed in (["--allow-process"], ["--isolation", "process"]):
        done = dlgrade(*command, str(tmp_path / f"{allowed[-1]}.db"), *allowed, env=no_bwrap)
        assert done.returncode == 0, done.stderr
        assert "1/1 students pass" in done.stdout

"""`dlgrade doctor` and `dlgrade --version`."""

from __future__ import annotations

import json
import subprocess
import sys

import pytest

from graders import cli, doctor
from graders.doctor import Finding


def dlgrade(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "graders.cli", *args], capture_output=True, text=True, timeout=300
    )


def test_doctor_reports_every_topic_and_passes_its_self_test():
    done = dlgrade("doctor", "--format", "json")
    assert done.returncode == 0, done.stderr
    found = {f["topic"]: f for f in json.loads(done.stdout)}
    expected = {"isolation process", "isolation auto", "cgroups", "sandbox uid", "MNIST"}
    assert expected | {"torch", "Chromium", "self-test"} <= set(found)
    assert found["isolation process"]["ok"] is True
    assert "12/12" in found["self-test"]["detail"]
    assert found["self-test"]["ok"] is True


def test_doctor_text_has_one_line_per_finding():
    done = dlgrade("doctor", "--isolation", "process")
    assert done.returncode == 0, done.stderr
    lines = done.stdout.strip().splitlines()
    assert lines[-1].startswith("✓ self-test")
    assert "at 'process'" in lines[-1]


def test_doctor_exits_2_when_the_self_test_fails(monkeypatch, capsys):
    failing = [Finding("isolation auto", False, "no level works"), Finding("self-test", False, "x")]
    monkeypatch.setattr(doctor, "findings", lambda isolation, data: failing)
    assert cli.main(["doctor"]) == cli.EXIT_USAGE
    assert "✗ self-test" in capsys.readouterr().out


def test_self_test_without_the_reference_fails(monkeypatch, tmp_path):
    monkeypatch.setattr(doctor, "ROOT", tmp_path)
    finding = doctor.self_test("process")
    assert finding.ok is False
    assert "not installed" in finding.detail


def test_version():
    done = dlgrade("--version")
    assert done.returncode == 0
    assert done.stdout.startswith("dlgrade ")


@pytest.mark.parametrize("command", ["check", "demo", "grade", "doctor"])
def test_every_grading_command_takes_isolation(command):
    done = dlgrade(command, "--help")
    assert "--isolation" in done.stdout
    assert "DLGRADE_ISOLATION" in done.stdout

"""`dlgrade doctor` and `dlgrade --version`."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys

import pytest

from graders import cli, doctor
from graders.doctor import Finding
from tests.conftest import FULL


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
    assert f"{FULL:g}/{FULL:g}" in found["self-test"]["detail"]
    assert found["self-test"]["ok"] is True


def test_doctor_text_has_one_line_per_finding():
    done = dlgrade("doctor", "--isolation", "process")
    assert done.returncode == 0, done.stderr
    lines = done.stdout.strip().splitlines()
    assert lines[-1].startswith("✓ self-test")
    assert "at 'process'" in lines[-1]


def test_doctor_exits_2_when_the_self_test_fails(monkeypatch, capsys):
    failing = [Finding("isolation auto", False, "no level works"), Finding("self-test", False, "x")]
    monkeypatch.setattr(doctor, "findings", lambda isolation, data, assignment: failing)
    assert cli.main(["doctor"]) == cli.EXIT_USAGE
    assert "✗ self-test" in capsys.readouterr().out


def test_self_test_without_the_reference_fails(tmp_path):
    folder = tmp_path / "relu_only"
    assert cli.main(["new", "relu_only", "-o", str(folder)]) == cli.EXIT_PASS
    shutil.rmtree(folder / "reference")
    finding = doctor.self_test("process", str(folder))
    assert finding.ok is False
    assert "no reference solution at" in finding.detail


def test_self_test_grades_the_named_assignments_reference():
    done = dlgrade("doctor", "--isolation", "process", "--assignment", "activations")
    assert done.returncode == 0, done.stdout + done.stderr
    assert "the reference of activations scored" in done.stdout.splitlines()[-1]


def test_self_test_fails_when_the_reference_loses_points(tmp_path):
    folder = tmp_path / "relu_only"
    assert cli.main(["new", "relu_only", "-o", str(folder)]) == cli.EXIT_PASS
    entry = next((folder / "reference").glob("*.py"))
    entry.write_text(entry.read_text() + "\n\ndef leaky_relu(z, alpha):\n    return z * (z > 0)\n")
    finding = doctor.self_test("process", str(folder))
    assert finding.ok is False
    assert "instead of full marks; it lost" in finding.detail


def test_version():
    done = dlgrade("--version")
    assert done.returncode == 0
    assert done.stdout.startswith("dlgrade ")


@pytest.mark.parametrize("command", ["check", "demo", "grade", "doctor"])
def test_every_grading_command_takes_isolation(command):
    done = dlgrade(command, "--help")
    assert "--isolation" in done.stdout
    assert "DLGRADE_ISOLATION" in done.stdout

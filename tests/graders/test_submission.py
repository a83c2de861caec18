"""Reading submissions: files, folders and notebooks, and the errors for bad ones."""

from __future__ import annotations

import json

import pytest

from graders.submission import SubmissionError, load_submission
from tests.conftest import REFERENCE, grade_path, reference_folder


def notebook(cells: list[tuple[str, str]]) -> str:
    return json.dumps(
        {
            "nbformat": 4,
            "nbformat_minor": 5,
            "metadata": {},
            "cells": [
                {"cell_type": kind, "metadata": {}, "source": source, "outputs": []}
                if kind == "code"
                else {"cell_type": kind, "metadata": {}, "source": source}
                for kind, source in cells
            ],
        }
    )


def test_notebook_is_graded_like_the_same_code(tmp_path):
    folder = reference_folder(tmp_path / "nb")
    source = (folder / "selfcheck.py").read_text()
    (folder / "selfcheck.py").unlink()
    (folder / "selfcheck.ipynb").write_text(
        notebook(
            [
                ("markdown", "# My self-check"),
                ("code", "%matplotlib inline\nimport numpy as np"),
                ("code", "!pip install numpy"),
                ("code", source),
            ]
        )
    )
    report = grade_path(folder)
    assert report.score == 12
    assert any("%matplotlib inline" in n for n in report.notes)
    assert any("!pip install numpy" in n for n in report.notes)


def test_notebook_traceback_names_the_cell(tmp_path):
    path = tmp_path / "selfcheck.ipynb"
    path.write_text(notebook([("code", "import numpy as np"), ("code", "x = 1\n1 / 0")]))
    report = grade_path(path)
    assert "cell 2" in report.questions[0].verdicts[0].traceback


def test_invalid_json_notebook_is_refused(tmp_path):
    path = tmp_path / "selfcheck.ipynb"
    path.write_text("{not json")
    with pytest.raises(SubmissionError, match="invalid JSON"):
        load_submission(path, "selfcheck")


def test_notebook_without_code_is_refused(tmp_path):
    path = tmp_path / "selfcheck.ipynb"
    path.write_text(notebook([("markdown", "only words")]))
    with pytest.raises(SubmissionError, match="no code cells"):
        load_submission(path, "selfcheck")


def test_binary_file_is_refused(tmp_path):
    path = tmp_path / "selfcheck.py"
    path.write_bytes(b"\x00\x01\x02")
    with pytest.raises(SubmissionError, match="binary"):
        load_submission(path, "selfcheck")


def test_folder_without_entry_says_what_it_found(tmp_path):
    (tmp_path / "a.py").write_text("")
    (tmp_path / "b.py").write_text("")
    with pytest.raises(SubmissionError, match=r"expected selfcheck\.py or selfcheck\.ipynb"):
        load_submission(tmp_path, "selfcheck")


def test_folder_finds_its_entry():
    submission = load_submission(REFERENCE, "selfcheck")
    assert submission.path.name == "selfcheck.py"

"""Reading submissions: files, folders and notebooks, and the errors for bad ones."""

from __future__ import annotations

import json
import re

import pytest

from graders.submission import SubmissionError, load_submission
from tests.conftest import FULL, ONE_WRONG, REFERENCE, grade_path, notebook, reference_folder


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
    assert report.score == FULL
    assert any("%matplotlib inline" in n for n in report.notes)
    assert any("!pip install numpy" in n for n in report.notes)


def test_notebook_traceback_names_the_cell(tmp_path):
    path = tmp_path / "selfcheck.ipynb"
    path.write_text(notebook([("code", "import numpy as np"), ("code", "x = 1\n1 / 0")]))
    report = grade_path(path)
    assert "cell 2" in report.load_error


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


@pytest.mark.parametrize(
    ("source", "kept", "dropped"),
    [
        ("%timeit f(1)\nx = 1", ["pass", "x = 1"], ["%timeit f(1)"]),
        ("def f():\n    %time g()\n", ["def f():", "    pass"], ["%time g()"]),
        (
            "np.exp?\n??np.exp\nx = 1  # why?",
            ["pass", "pass", "x = 1  # why?"],
            ["np.exp?", "??np.exp"],
        ),
        ("ok = (a\n      != b)", ["ok = (a", "      != b)"], []),
        ("y = (a\n     % b)", ["y = (a", "     % b)"], []),
        ('s = """\n%not a magic\n"""', ['s = """', "%not a magic", '"""'], []),
        ("x = 1 + \\\n!shell", ["x = 1 + \\", "!shell"], []),
    ],
    ids=["line-magic", "indented-magic", "help", "not-equal", "modulo", "in-string", "backslash"],
)
def test_python_lines_drops_only_ipython_syntax(source, kept, dropped):
    from graders.source import python_lines

    assert python_lines(source) == (kept, dropped)


def test_cell_magics_keep_their_python_body_and_skip_the_rest(tmp_path):
    path = tmp_path / "selfcheck.ipynb"
    path.write_text(
        notebook(
            [
                ("code", "%%time\ndef relu(z):\n    return z * (z > 0)"),
                ("code", "%%bash\necho this is not python"),
                ("code", "%%capture\nQ1_ANSWER = 2.0"),
            ]
        )
    )
    submission = load_submission(path, "selfcheck")
    assert [chunk.name for chunk in submission.code.chunks] == [
        "selfcheck.ipynb, cell 1",
        "selfcheck.ipynb, cell 3",
    ]
    assert submission.code.chunks[0].source.startswith("\ndef relu(z):")  # line numbers hold
    assert any("%%bash cell: not Python" in note for note in submission.notes)
    assert any("%%time (its Python body still runs)" in note for note in submission.notes)


def outcome(report):
    return [
        (v.check, v.status, v.message, v.hint, v.misconception)
        for q in report.questions
        for v in q.verdicts
    ]


def test_notebook_with_a_mistake_and_plots_gets_the_same_verdicts_as_the_py(tmp_path):
    mistake = """
    def softmax(z):
        e = np.exp(z)
        return e / e.sum(axis=-1, keepdims=True)
    """
    as_py = reference_folder(tmp_path / "py", mistake)
    as_nb = reference_folder(tmp_path / "nb", mistake)
    source = (as_nb / "selfcheck.py").read_text()
    (as_nb / "selfcheck.py").unlink()
    plots = "import matplotlib.pyplot as plt\nplt.plot([1, 2, 3])\nplt.title('loss')\nplt.show()"
    (as_nb / "selfcheck.ipynb").write_text(
        notebook([("code", source), ("code", plots), ("markdown", "done")])
    )
    py_report, nb_report = grade_path(as_py), grade_path(as_nb)
    assert nb_report.score == py_report.score == ONE_WRONG
    assert outcome(nb_report) == outcome(py_report)


def test_otter_and_dlgrade_calls_are_left_out_of_the_graded_code():
    from graders.source import Chunk, without_tool_calls

    history = [
        'import otter\ngrader = otter.Notebook("selfcheck.ipynb")',
        "import numpy as np\n\nQ1_ANSWER = 2.0\ngrader.check('q1')\n",
        "def relu(z):\n    return np.maximum(z, 0)",
        "def broken(:",
        "from graders.platforms.otter import check_question\ncheck_question('x', 'q1', 'public')",
        "from otter.test_files import GradingResults\nresults = GradingResults([])\n"
        "with open('r.pkl', 'wb') as f:\n    f.write(results)",
    ]
    chunks = [Chunk(f"cell {n}", text) for n, text in enumerate(history, start=1)]
    kept, dropped = without_tool_calls(chunks)
    assert [c.name for c in kept] == ["cell 2", "cell 3", "cell 4"]  # cell 4: for the syntax check
    assert kept[0].source == "import numpy as np\n\nQ1_ANSWER = 2.0\n\n"  # line numbers kept
    assert dropped[:3] == [
        "cell 1: import otter",
        'cell 1: grader = otter.Notebook("selfcheck.ipynb")',
        "cell 2: grader.check('q1')",
    ]


def test_a_notebook_written_for_otter_is_graded_on_the_students_code(tmp_path):
    folder = reference_folder(tmp_path / "nb")
    source = (folder / "selfcheck.py").read_text()
    (folder / "selfcheck.py").unlink()
    (folder / "selfcheck.ipynb").write_text(
        notebook(
            [
                ("code", 'import otter\ngrader = otter.Notebook("selfcheck.ipynb")'),
                ("code", source),
                ("code", 'grader.check("q1")'),
            ]
        )
    )
    report = grade_path(folder)
    assert report.score == FULL
    assert any(
        "grader = otter.Notebook" in note and "otter-grader's" in note for note in report.notes
    )


@pytest.mark.parametrize(
    "code",
    ["x = a" + ".a" * 100_000, "x = " + "-" * 100_000 + "1", "x = f" + "()" * 100_000],
    ids=["attribute-chain", "unary-chain", "call-chain"],
)
def test_source_too_deep_to_parse_is_refused_not_a_crash(tmp_path, code):
    path = tmp_path / "selfcheck.py"
    path.write_text(f"import numpy as np\n{code}\n")
    with pytest.raises(
        SubmissionError, match=r"selfcheck\.py: the code nests too deeply"
    ) as refused:
        load_submission(path, "selfcheck")
    assert refused.value.kind == "syntax"


def test_the_parent_itself_never_parses_the_source(tmp_path, monkeypatch):
    import ast

    def refuse(*args, **kwargs):
        raise AssertionError("the parent parsed student code")

    monkeypatch.setattr(ast, "parse", refuse)
    path = tmp_path / "selfcheck.ipynb"
    path.write_text(notebook([("code", "import otter\ngrader = otter.Notebook()\nx = 1")]))
    submission = load_submission(path, "selfcheck")
    assert submission.code.chunks[0].source == "\n\nx = 1\n"


@pytest.mark.parametrize(
    ("document", "said"),
    [
        (
            {
                "nbformat": 4,
                "nbformat_minor": 5,
                "metadata": {},
                "cells": [
                    {
                        "id": "a",
                        "cell_type": "code",
                        "metadata": {},
                        "execution_count": None,
                        "outputs": [],
                        "source": ["x = 1\n", 5],
                    }
                ],
            },
            "not a valid Jupyter notebook (cell 1, source.1: 5 is not of type 'string')",
        ),
        (
            {"nbformat": 4, "nbformat_minor": 5, "metadata": {}, "cells": [5]},
            "not a valid Jupyter notebook (cell 1: 5 is not of type 'object')",
        ),
        (
            {"nbformat": 4, "nbformat_minor": 5, "metadata": {}, "cells": [{"cell_type": 5}]},
            "not a valid Jupyter notebook (cell 1",
        ),
        ({"nbformat": 9, "cells": []}, "not a Jupyter notebook that dlgrade can read (nbformat 9"),
        ({"nbformat": "4", "cells": []}, "not a Jupyter notebook that dlgrade can read"),
        ([1, 2], "not a Jupyter notebook that dlgrade can read"),
        ({"cells": [{"metadata": [[[[[[[[[[]]]]]]]]]]}] * 7}, "not a Jupyter notebook"),
    ],
    ids=["number-in-source", "cell-not-object", "cell-type-number", "v9", "string-version", "list",
         "no-version"],
)  # fmt: skip
def test_notebooks_are_validated_against_their_schema(tmp_path, document, said):
    path = tmp_path / "selfcheck.ipynb"
    path.write_text(json.dumps(document))
    with pytest.raises(SubmissionError, match=re.escape(said)):
        load_submission(path, "selfcheck")


def test_a_deeply_nested_notebook_is_refused_before_parsing(tmp_path):
    path = tmp_path / "selfcheck.ipynb"
    path.write_text('{"cells": [], "metadata": {"x": ' + "[" * 100_000 + "]" * 100_000 + "}}")
    with pytest.raises(SubmissionError, match=r"selfcheck\.ipynb is nested 100002 levels deep"):
        load_submission(path, "selfcheck")


def test_a_notebook_of_nbformat_3_is_read_too(tmp_path):
    import nbformat

    code = nbformat.v3.new_code_cell(input="Q1_ANSWER = 2.0\n")
    old = nbformat.v3.new_notebook(worksheets=[nbformat.v3.new_worksheet(cells=[code])])
    path = tmp_path / "selfcheck.ipynb"
    path.write_text(nbformat.writes(old, version=3))
    submission = load_submission(path, "selfcheck")
    assert [c.source for c in submission.code.chunks] == ["Q1_ANSWER = 2.0\n"]


def test_a_folder_with_both_a_py_and_a_notebook_is_never_a_guess(tmp_path):
    (tmp_path / "selfcheck.py").write_text("Q1_ANSWER = 2.0\n")
    (tmp_path / "selfcheck.ipynb").write_text(notebook([("code", "Q1_ANSWER = 3.0\n")]))
    with pytest.raises(SubmissionError, match=r"both selfcheck\.py and selfcheck\.ipynb"):
        load_submission(tmp_path, "selfcheck")

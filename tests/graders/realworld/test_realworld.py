"""Real implementations from public repositories, each swapped into an otherwise correct
self-check: correct ones keep full marks; wrong ones lose exactly their own question, and
the report names the mistake (or, for a one-off slip, says what came back)."""

from __future__ import annotations

import pytest

from graders.spec import load_spec
from tests.conftest import failed_questions, grade_path, question
from tests.graders.checks.test_zoo import rendered
from tests.graders.realworld.snippets import SNIPPETS

SPEC = load_spec("selfcheck")
QUESTION_OF = {name: q.id for q in SPEC.questions for name in q.names}


def test_every_expected_mistake_is_declared() -> None:
    expected = {s.mistake for s in SNIPPETS if s.mistake}
    assert expected <= set(SPEC.misconceptions), sorted(expected - set(SPEC.misconceptions))
    assert all(s.mistake or s.says for s in SNIPPETS if s.verdict == "wrong")


@pytest.mark.parametrize("snippet", SNIPPETS, ids=[s.id for s in SNIPPETS])
def test_real_code_is_graded_and_its_mistake_named(make_submission, snippet) -> None:
    report = grade_path(make_submission(snippet.code))
    if snippet.verdict == "correct":
        assert failed_questions(report) == [], [
            (v.check, v.message) for q in report.questions for v in q.verdicts if not v.passed
        ]
        return
    qid = QUESTION_OF[snippet.function]
    assert failed_questions(report) == [qid]
    result = question(report, qid)
    named = {m for v in result.verdicts for m in (v.misconception, *v.also) if m}
    if snippet.mistake:
        assert snippet.mistake in named, (named, result.first_failure.message)
        assert SPEC.misconceptions[snippet.mistake].name in rendered(report)
    else:
        assert snippet.says in result.first_failure.message

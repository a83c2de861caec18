"""Each known mistake loses only its own question and is named; correct alternatives keep full
marks."""

from __future__ import annotations

import pytest

from graders.render.terminal import render_terminal
from graders.spec import load_spec
from tests.conftest import FULL, ONE_WRONG, failed_questions, grade_path, question
from tests.graders.checks.zoo import ALTERNATIVES, ZOO

SPEC = load_spec("selfcheck")


def rendered(report) -> str:
    from rich.console import Console

    console = Console(width=200, record=True, file=open("/dev/null", "w"))
    console.print(render_terminal(report))
    return " ".join(console.export_text().split())


@pytest.mark.parametrize(("mistake", "qid", "code"), ZOO, ids=[z[0] for z in ZOO])
def test_mistake_loses_only_its_question_and_is_named(make_submission, mistake, qid, code):
    report = grade_path(make_submission(code))
    assert failed_questions(report) == [qid]
    assert report.score == ONE_WRONG
    named = [v.misconception for v in question(report, qid).verdicts if not v.passed]
    assert mistake in named, [(v.check, v.message) for v in question(report, qid).verdicts]
    assert SPEC.misconceptions[mistake].name in rendered(report)


@pytest.mark.parametrize(("name", "code"), ALTERNATIVES, ids=[a[0] for a in ALTERNATIVES])
def test_correct_alternative_keeps_full_marks(make_submission, name, code):
    report = grade_path(make_submission(code))
    failures = [(v.check, v.message) for q in report.questions for v in q.verdicts if not v.passed]
    assert failures == []
    assert report.score == FULL
    assert report.passed


def test_every_misconception_in_the_spec_has_a_zoo_entry():
    """Each known mistake is shown by student-style code here or by real code (the real-world
    zoo); `dlgrade validate` also proves each one with the contract's own wrong code."""
    from tests.graders.realworld.snippets import SNIPPETS

    shown = {z[0] for z in ZOO} | {s.mistake for s in SNIPPETS}
    missing = set(SPEC.misconceptions) - shown
    # A few answer misconceptions share a question with a tested one; the rest must be tested.
    allowed = {"q7_chain_rule_guarantees_descent", "q8_lr_irrelevant", "q11_more_data"}
    assert missing <= allowed, sorted(missing - allowed)

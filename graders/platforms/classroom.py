"""`dlgrade build classroom`: a GitHub Classroom autograding workflow made from the spec.

One step per question with GitHub's command grader, each running that question's test of
the student kit's pytest file, and the grading reporter collecting them. The points come
from the spec. A question whose answer only the hidden checks can judge (a letter, a
number) is worth 0 here: the kit checks its form, and the grade comes from `dlgrade grade`
(or Gradescope) at submission, so Classroom never awards a point for a format.
Put the file at `.github/workflows/classroom.yml` in the template repository, next to the
kit (`dlgrade build student-kit -a NAME -o .`).
"""

from __future__ import annotations

import json
from pathlib import Path

from graders.platforms import BuildError
from graders.pytest_support import question_label
from graders.spec import Question, Spec

COMMAND_GRADER = "classroom-resources/autograding-command-grader@v1"
REPORTER = "classroom-resources/autograding-grading-reporter@v1"
TIMEOUT_MINUTES = 2  # per question; a project that trains gets its budget on top


def quoted(text: str) -> str:
    """A YAML scalar for any text: a JSON string is a valid double-quoted YAML string."""
    return json.dumps(text, ensure_ascii=False)


def points(question: Question) -> float:
    """What Classroom may award: nothing for an answer only hidden checks can judge."""
    return 0.0 if question.answers else question.points


def step(spec: Spec, question: Question, minutes: int) -> list[str]:
    label = f"Q{question.number} {question.title}"
    if question.answers:
        label += " (form only here: graded at submission)"
    test = f"test_{spec.entry}.py -k {question_label(question)}"
    return [
        f"      - name: {quoted(label)}",
        f"        id: {question.id}",
        f"        uses: {COMMAND_GRADER}",
        "        with:",
        f"          test-name: {quoted(label)}",
        f"          command: python -m pytest -q -p no:cacheprovider {test}",
        f"          timeout: {minutes}",
        f"          max-score: {points(question):g}",
    ]


def workflow(spec: Spec) -> str:
    """The workflow's YAML text."""
    minutes = TIMEOUT_MINUTES + int(float(spec.training.get("seconds", 0)) // 60)
    ids = [q.id for q in spec.questions]
    head = f"""# GitHub Classroom autograding for "{spec.title}",
# written by `dlgrade build classroom`. Each step runs one question's public checks
# through the student kit's pytest file. Questions answered with a letter or a number
# are worth 0 here: only the hidden checks judge them, when the work is graded with
# `dlgrade grade` or on Gradescope.
name: Autograding
on:
  - push
  - workflow_dispatch
permissions:
  checks: write
  actions: read
  contents: read
jobs:
  autograding:
    runs-on: ubuntu-latest
    if: github.actor != 'github-classroom[bot]'
    steps:
      - uses: actions/checkout@v4
      - uses: actions/setup-python@v5
        with:
          python-version: "3.11"
      - name: Install the student kit
        run: python -m pip install . pytest
"""
    steps = [line for question in spec.questions for line in step(spec, question, minutes)]
    reporter = [
        "      - name: Autograding Reporter",
        f"        uses: {REPORTER}",
        "        env:",
        *(
            f'          {qid.upper()}_RESULTS: "${{{{ steps.{qid}.outputs.result }}}}"'
            for qid in ids
        ),
        "        with:",
        f"          runners: {','.join(ids)}",
    ]
    return head + "\n".join([*steps, *reporter]) + "\n"


def build(spec: Spec, output: Path, *, allow_process: bool = False) -> Path:
    """Write the workflow for `spec` to `output` (a .yml file)."""
    del allow_process  # Classroom runs the kit on GitHub's runners
    if output.suffix not in (".yml", ".yaml"):
        raise BuildError(f"{output}: a workflow is a .yml file, e.g. classroom.yml")
    output.parent.mkdir(parents=True, exist_ok=True)
    output.write_text(workflow(spec), encoding="utf-8")
    return output

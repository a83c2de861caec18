"""What a failure shows, decided once for every renderer, and plain-text pieces of a report.

`failure_parts` turns a failed check into its parts, in the order a student reads them; the
terminal, the HTML page, JUnit, Gradescope, the class exports, the kit's pytest messages and
otter's feedback all show those parts and nothing else, each in its own styling. Every
text in them is inert (graders.render.inert.display_text).
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from graders.render.inert import display_text
from graders.verdict import Verdict

TITLE, MESSAGE, COUNTEREXAMPLE, MISTAKES, HINT, TRACEBACK = (
    "title",
    "message",
    "counterexample",
    "mistakes",
    "hint",
    "traceback",
)
TRACEBACK_LINES = 8  # the last lines of the student's traceback: where it went wrong
MAX_PART_CHARS = 5_000  # a part longer than this is cut, saying how much was left out

# How the sandbox (graders.sandbox.runner) and the parser (graders.source) say that a
# submission did not load, and the same in a few words for an instructor's table.
LOAD_FAILURES = (
    (
        re.compile(r"your submission raised SystemExit while loading: (?P<code>.*)"),
        "exited while importing{at} (SystemExit: {code})",
    ),
    (
        re.compile(r"your submission raised (?P<kind>[\w.]+) while loading: (?P<message>.*)"),
        "did not load: {kind}{at}: {message}",
    ),
    (
        re.compile(r"loading your submission did not finish within (?P<seconds>[\d.]+) s\b.*"),
        "timed out while importing (over {seconds} s)",
    ),
    (
        re.compile(
            r"your submission ended the Python process while it was loading \((?P<how>.*?)\).*"
        ),
        "ended the Python process while importing ({how})",
    ),
    (
        re.compile(r"(?P<where>\S+(?:, cell \d+)?) line (?P<line>\d+): (?P<message>.+)"),
        "did not load: SyntaxError in {where} at line {line}: {message}",
    ),
)
LIKELY_CAUSE = ". Likely cause: "  # what graders.grading adds to the reason of an exception
FRAME_LINE = re.compile(r'^\s*File "[^"]*", line (\d+)', re.MULTILINE)


@dataclass(frozen=True)
class Part:
    """One part of what a failed check shows: its kind, its label in words, its inert text."""

    kind: str  # TITLE, MESSAGE, COUNTEREXAMPLE, MISTAKES, HINT or TRACEBACK
    label: str  # "Counterexample", "Known mistake", "Hint", "Your code raised"; "" for none
    text: str

    def plain(self) -> str:
        """The part as plain text: "Hint: ...", or a traceback on the lines under its label."""
        if not self.label:
            return self.text
        separator = "\n" if self.kind == TRACEBACK else " "
        return f"{self.label}:{separator}{self.text}"


def failure_parts(verdict: Verdict) -> tuple[Part, ...]:
    """What a failed check shows, in order: title, message, counterexample (unless the message
    already shows it), the known mistakes recognised (unless the message names them), hint,
    and the last lines of the student's traceback. Empty parts but the title are left out."""
    message = verdict.message
    counterexample = verdict.counterexample if verdict.counterexample not in message else ""
    named = (verdict.misconception_name or verdict.misconception, *verdict.also_names)
    mistakes = [name for name in dict.fromkeys(named) if name and name not in message]
    mistakes_label = "Known mistake" if len(mistakes) == 1 else "Known mistakes"
    rows = verdict.traceback.rstrip().splitlines()[-TRACEBACK_LINES:]
    parts = (
        (TITLE, "", verdict.title),
        (MESSAGE, "", message),
        (COUNTEREXAMPLE, "Counterexample", counterexample),
        (MISTAKES, mistakes_label, "; ".join(mistakes)),
        (HINT, "Hint", verdict.hint),
        (TRACEBACK, "Your code raised", "\n".join(rows)),
    )
    return tuple(
        Part(kind, label, display_text(capped(text), multiline=kind != TITLE))
        for kind, label, text in parts
        if text or kind == TITLE
    )


def failure_text(verdict: Verdict) -> str:
    """A failed check as plain text: "FAILED: title", then each of its parts on its lines."""
    title, *rest = failure_parts(verdict)
    status = verdict.status.value.upper()
    return "\n".join([f"{status}: {title.text}", *(part.plain() for part in rest)])


def load_summary(load_error: str) -> str:
    """Why a submission did not load, in a few words: "did not load: NameError at line 3: name
    'np' is not defined", "timed out while importing (over 10 s)", "ended the Python process
    while importing (exit code 1)"; "" when the text is not a load failure this knows."""
    first, _, traceback = load_error.partition("\n")
    for pattern, words in LOAD_FAILURES:
        found = pattern.fullmatch(first.partition(LIKELY_CAUSE)[0])
        if found:
            lines = FRAME_LINE.findall(traceback)
            at = f" at line {lines[-1]}" if lines else ""
            return words.format(at=at, **found.groupdict())
    return ""


def capped(text: str, limit: int = MAX_PART_CHARS) -> str:
    """`text`, cut after `limit` characters with a note of how many were left out."""
    if len(text) <= limit:
        return text
    return f"{text[:limit]}\n… ({len(text) - limit} more characters not shown)"


def number(value: float) -> str:
    """A score as short text: 12, 0.5, 2.25 (at most 4 decimals)."""
    text = f"{float(value):.4f}".rstrip("0").rstrip(".")
    return "0" if text in ("", "-0") else text

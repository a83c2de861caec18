"""Mistakes nobody has named yet: a class's wrong functions grouped by what they compute.

Every failing function of every graded submission leaves a fingerprint of its outputs on
the contract's diagnostic inputs (Report.signatures). Students whose functions compute the
same wrong thing share a fingerprint; the largest groups that match no known mistake are
the misconceptions an instructor has not written down yet. One example and its inputs are
enough to name the mistake in a few lines of a contract and regrade.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass

from graders.batch.entry import Entry


@dataclass(frozen=True)
class Group:
    """Students whose `function` gives the same wrong outputs."""

    function: str
    signature: str
    students: tuple[str, ...]
    example: str  # the first diagnostic input the group gets wrong, and its output
    mistakes: tuple[str, ...] = ()  # the known mistakes it shows (none: not named yet)

    def sentence(self) -> str:
        """`7 students share this wrong softmax (example alice): on z = ... it returns ...`"""
        count = (
            f"{len(self.students)} students share" if len(self.students) > 1 else "1 student has"
        )
        return f"{count} this wrong {self.function} (example {self.students[0]}): {self.example}"


def groups(entries: Iterable[Entry]) -> list[Group]:
    """Every group of equal wrong outputs in the class, the largest first."""
    members: dict[tuple[str, str], list[str]] = defaultdict(list)
    detail: dict[tuple[str, str], dict] = {}
    for entry in entries:
        for function, seen in (entry.result.signatures if entry.result else {}).items():
            key = (str(function), str(seen.get("signature", "")))
            members[key].append(entry.student)
            detail.setdefault(key, seen)
    found = [
        Group(
            function,
            signature,
            tuple(sorted(students)),
            str(detail[(function, signature)].get("example", "")),
            tuple(detail[(function, signature)].get("mistakes", ())),
        )
        for (function, signature), students in members.items()
    ]
    return sorted(found, key=lambda g: (-len(g.students), g.function, g.signature))


def unnamed(entries: Iterable[Entry], at_least: int = 2) -> list[Group]:
    """The groups of at least `at_least` students that no known mistake explains."""
    return [g for g in groups(entries) if not g.mistakes and len(g.students) >= at_least]

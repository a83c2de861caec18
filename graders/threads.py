"""What lets several gradings share one process: a Dask worker grades in threads.

What a grading uses is its own or guarded. Its own: the Spec (loaded for each task, with its
inputs bank), the Sandbox and its child, and the Sandbox's slot of the machine (a uid,
cgroups and a scratch folder of its own: graders.sandbox.slots). Process-wide, and guarded:

- hypothesis's engine runs one at a time (graders.checks.prove.ENGINE); it also seeds and
  restores the global random generators around each example, which nothing else in the
  grader reads (a reference or known mistake that draws from np.random runs in the child);
- loading an assignment imports its author's modules with their folder on sys.path, one
  load at a time (graders.spec.LOADING);
- parsing Python with `ast`, on the interpreters that need it (here). Hypothesis parses
  the source of the checks it runs, and Python parses source lines to show a traceback;
- a local pool's worker keeps its warm jails (graders.sandbox.warm.TEMPLATES), each lent to
  one grading at a time.

Nothing in a grading changes the working folder, the environment or a signal handler.
"""

from __future__ import annotations

import ast
import functools
import sys
import threading
from typing import Any

PARSING = threading.RLock()  # reentrant: a finalizer that parses may run inside a parse


def parsing_races(version: tuple[int, ...] = sys.version_info[:3]) -> bool:
    """True on the CPython versions where two threads must not run ast.parse at once.

    From 3.11.0 until 3.11.8 and 3.12.2 the AST builder counted its recursion depth in state
    shared by the whole interpreter (gh-106905): when the interpreter switched threads during
    a parse (a garbage collection running a finalizer will do it), one of them raised
    "SystemError: AST constructor recursion depth mismatch". 3.10, past its bug fixes, is
    counted in: a lock costs nothing there.
    """
    return version < (3, 11, 8) or (3, 12) <= version < (3, 12, 2)


def serialise_parsing() -> None:
    """Make ast.parse take one lock for the whole process, where parsing races (else, and
    when it already does, nothing changes). Every caller is covered, ast.literal_eval,
    hypothesis, inspect and traceback included: they all call ast.parse."""
    with PARSING:
        if not parsing_races() or getattr(ast.parse, "serialised", False):
            return
        parse = ast.parse

        @functools.wraps(parse)
        def serialised(*args: Any, **kwargs: Any) -> Any:
            with PARSING:
                return parse(*args, **kwargs)

        serialised.serialised = True  # type: ignore[attr-defined]
        ast.parse = serialised

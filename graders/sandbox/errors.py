"""What can go wrong when the grader asks the child for something.

`StudentError` is an ordinary exception: the student's code raised, and
hypothesis may shrink the input that caused it. The rest derive from
`SandboxStop`, a BaseException, so that hypothesis stops at once instead of
re-running a function that hangs or kills its process while it shrinks.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any


@dataclass
class StudentError(Exception):
    """The student's code raised; `traceback` is trimmed to their own files."""

    name: str
    type: str
    message: str
    traceback: str
    counterexample: str = ""  # the inputs of the call, filled in by the check
    function: str = ""  # the student's function the exception came from, if known
    inputs: tuple[Any, ...] = ()  # the call's arguments, when the check knows them

    def __str__(self) -> str:
        return f"{self.name} raised {self.type}: {self.message}"

    @property
    def not_implemented(self) -> bool:
        return self.type == "NotImplementedError"


class SandboxStop(BaseException):
    """The child could not answer; `reason` is a sentence for the student."""

    def __init__(self, name: str, reason: str) -> None:
        super().__init__(reason)
        self.name = name
        self.reason = reason


class CallTimeout(SandboxStop):
    """The call did not return within its wall-clock limit; the child was killed."""


class ChildDied(SandboxStop):
    """The child process ended (os._exit, a crash, a memory limit) during the request."""


class LoadFailed(SandboxStop):
    """The submission could not be loaded, so no name in it can be graded."""

    def __init__(
        self, name: str, reason: str, traceback: str = "", raised: tuple[str, str] = ("", "")
    ) -> None:
        super().__init__(name, reason)
        self.traceback = traceback
        self.raised = raised  # (type, message) of the exception the load raised, if one did


class MissingName(SandboxStop):
    """The submission does not define the name the check asked for."""


class BadReply(SandboxStop):
    """The reply could not be accepted: wrong type, object array, pickle, too large."""


class GraderFault(SandboxStop):
    """A fault of the grader or the machine (the sandbox cannot start, a module the grader
    needs is missing, a disk is full): never the student's, never a score."""

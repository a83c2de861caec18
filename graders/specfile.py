"""Finding an assignment and reading its spec file, before anything heavy is imported.

`dlgrade check` reads what the child needs (the module to load, its limits) from here, so
the child starts while the grader imports the assignment's contracts (graders.spec).
"""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Any

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover - Python 3.10
    import tomli as tomllib

ASSIGNMENTS = Path(__file__).resolve().parent.parent / "assignments"
# A project track's framework decides what its child may import besides NumPy and the
# standard library: the other deep-learning libraries are refused (and absent in the jail).
LIBRARIES = ("torch", "torchvision", "sklearn", "tensorflow", "jax", "keras")
FRAMEWORKS = {"numpy": (), "torch": ("torch", "torchvision")}


class SpecError(Exception):
    """An assignment that cannot be used; the message names the file, the line and the fix."""


def available(root: Path = ASSIGNMENTS) -> list[str]:
    """Names of the assignments that ship with dlgrade (or with this student kit)."""
    specs = [*root.glob("*/spec.toml"), *root.glob("*/spec.json")]
    return sorted({p.parent.name for p in specs})


def folder_of(name_or_path: str | Path, root: Path = ASSIGNMENTS) -> Path:
    """The assignment folder: a built-in name, or a path to a folder holding a spec."""
    given = Path(name_or_path)
    if given.is_dir() and spec_file(given) is not None:
        return given.resolve()
    if "/" not in str(name_or_path) and spec_file(root / str(name_or_path)) is not None:
        return (root / str(name_or_path)).resolve()
    if given.is_dir():
        raise SpecError(f"{given}: no spec.toml in this folder (`dlgrade new` makes one)")
    known = ", ".join(available(root)) or "none"
    raise SpecError(f"no assignment named {str(name_or_path)!r} (known: {known}, or a folder)")


def spec_file(folder: Path) -> Path | None:
    """spec.toml (written by people) or spec.json (a student kit's, written by dlgrade)."""
    return next((p for p in (folder / "spec.toml", folder / "spec.json") if p.is_file()), None)


def read_toml(path: Path) -> dict[str, Any]:
    """A TOML file as plain data (tomllib, or tomli on Python 3.10)."""
    return tomllib.loads(path.read_text(encoding="utf-8"))


def read_raw(name_or_path: str | Path, root: Path = ASSIGNMENTS) -> tuple[dict[str, Any], Path]:
    """The spec as plain data, and its file."""
    path = spec_file(folder_of(name_or_path, root))
    text = path.read_text(encoding="utf-8")
    try:
        return (json.loads(text) if path.suffix == ".json" else tomllib.loads(text)), path
    except (ValueError, tomllib.TOMLDecodeError) as error:
        raise SpecError(f"{path}: not valid {path.suffix[1:].upper()} ({error})") from None


def child_limits(raw: dict[str, Any]) -> dict[str, Any]:
    """The child's limits for a spec: its [limits], and for a project track the libraries
    it refuses and the one it imports before the submission runs (so that a library the
    sandbox cannot import is a fault of ours, never a student's load error).

    ValueError names an unknown framework.
    """
    limits = dict(raw.get("limits", {}))
    framework = raw.get("training", {}).get("framework")
    if framework is None:
        return limits
    if framework not in FRAMEWORKS:
        raise ValueError(f"framework {framework!r} is not one of {', '.join(FRAMEWORKS)}")
    limits["blocked"] = tuple(m for m in LIBRARIES if m not in FRAMEWORKS[framework])
    limits["preload"] = FRAMEWORKS[framework][:1]
    return limits

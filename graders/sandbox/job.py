"""What a child is given: its resource limits, the code it loads, and the markers that stand
for arguments it builds itself. Plain data, shared by the runner and the launchers (which
must not import each other)."""

from __future__ import annotations

from dataclasses import dataclass

from graders.source import Chunk


@dataclass(frozen=True)
class Limits:
    """Resource limits for one child; times in seconds, sizes in MiB unless named otherwise."""

    call_seconds: float = 2.0
    load_seconds: float = 10.0
    memory_mb: int = 2048
    cpu_seconds: int = 120
    file_mb: int = 16
    open_files: int = 256
    processes: int = 64
    output_kb: int = 64
    reply_mb: int = 256
    reply_elements: int = 20_000_000
    threads: int = 1  # BLAS threads: one keeps small calls fast and batches fair
    blocked: tuple[str, ...] = ()  # modules the child may not import (a track's rule)
    preload: tuple[str, ...] = ()  # modules the child imports before the submission (torch)


@dataclass(frozen=True)
class Code:
    """What the child loads: the module name, its source chunks, extra import folders."""

    module: str
    chunks: tuple[Chunk, ...]
    path: tuple[str, ...] = ()


@dataclass(frozen=True)
class Rng:
    """Argument marker: the child builds `numpy.random.default_rng(seed)`."""

    seed: int


@dataclass(frozen=True)
class Handle:
    """An object that lives in the child (a trained model); only its number crosses."""

    number: int
    type: str = ""


@dataclass(frozen=True)
class NpyFile:
    """Argument marker: a large array written to the scratch folder, memory-mapped by the child."""

    path: str


@dataclass(frozen=True)
class Reporter:
    """Argument marker: the child passes a `report(step, loss)` callback that streams progress."""

"""Read a submission as data: regular files and folders only, never through a link.

The grader often runs as root, and a submission is hostile files: a link to /etc/shadow,
to /proc/self/environ (the grader's secrets), to the reference solution or to a classmate's
work; a FIFO that blocks whoever opens it; a /proc file whose size says 0 while reading it
never ends. So every name is opened relative to its folder's descriptor with O_NOFOLLOW and
O_NONBLOCK, what was opened is checked with fstat (a regular file or a folder, nothing
else), sizes are counted by the bytes actually read under a cap (never by st_size), and a
folder is walked by descriptor so that no link is followed at any depth.

Everything the parent does with a submission (choosing the file to grade, reading its
source, hashing it for the gradebook, copying it into the jail, finding it in an upload)
goes through here, with the same walk and the same skip list, so the hash covers exactly
what the jail receives.
"""

from __future__ import annotations

import errno
import os
import stat
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

MiB = 1 << 20
FOLDER_LIMIT = 20 * MiB  # a folder submission holding more than this is refused
MAX_FILES = 2000  # files in a folder submission (or an upload)
MAX_DEPTH = 32  # folders inside folders
# Never anyone's work: not read, not hashed, not copied (macOS and Windows litter, caches,
# version control, environments).
SKIPPED = frozenset(
    {
        "__MACOSX",
        "__pycache__",
        ".DS_Store",
        ".git",
        ".ipynb_checkpoints",
        ".venv",
        "Thumbs.db",
        "node_modules",
    }
)
SYSTEM_FOLDERS = (Path("/proc"), Path("/sys"), Path("/dev"))
_OPEN = os.O_RDONLY | os.O_NOFOLLOW | os.O_NONBLOCK | os.O_CLOEXEC
_KINDS = (
    (stat.S_ISFIFO, "a named pipe (FIFO)"),
    (stat.S_ISSOCK, "a socket"),
    (stat.S_ISCHR, "a device"),
    (stat.S_ISBLK, "a device"),
)


class SubmissionError(Exception):
    """The submission cannot be graded at all; the message says why and what to do."""

    def __init__(self, message: str, *, kind: str = "invalid") -> None:
        super().__init__(message)
        self.kind = kind  # "missing", "invalid" or "syntax"


@dataclass(frozen=True)
class Tree:
    """A submission read once: its files' bytes by relative path, in walking order.

    A file submission holds one file under its own name; a folder holds every regular file
    below it but the skipped ones.
    """

    folder: bool
    files: tuple[tuple[str, bytes], ...]


def is_folder(path: Path) -> bool:
    """True for a folder, False for a regular file; SubmissionError for anything else."""
    fd, folder = _open_submission(path)
    os.close(fd)
    return folder


def listing(path: Path) -> tuple[tuple[str, bool], ...]:
    """The (name, is a folder) of each entry directly in the folder `path`, sorted, the
    skipped ones left out. Links and other special files are listed (as not folders), so
    that whoever picks one by name refuses it in words."""
    fd = _open_folder(path)
    try:
        found = []
        for name in sorted(set(os.listdir(fd)) - SKIPPED):
            try:
                mode = os.stat(name, dir_fd=fd, follow_symlinks=False).st_mode
            except FileNotFoundError:  # removed since the folder was listed
                continue
            found.append((name, stat.S_ISDIR(mode)))
        return tuple(found)
    finally:
        os.close(fd)


def file_names(path: Path) -> tuple[str, ...]:
    """The relative path of every regular file in the folder `path`, nothing read."""
    fd = _open_folder(path)
    try:
        return tuple(relative for relative, _, _ in _counted(_walk(fd, "", 0), path))
    finally:
        os.close(fd)


def read_file(path: Path, limit: int) -> bytes:
    """A regular file's bytes; SubmissionError if it is anything else or holds over `limit`."""
    fd, folder = _open_submission(path)
    try:
        if folder:
            raise SubmissionError(f"{path.name} is a folder, not a file")
        return _file_bytes(fd, path.name, limit)
    finally:
        os.close(fd)


def read_tree(path: Path, limit: int = FOLDER_LIMIT) -> Tree:
    """Every file of the submission at `path` (a file or a folder), at most `limit` bytes."""
    fd, folder = _open_submission(path)
    try:
        if not folder:
            return Tree(False, ((path.name, _file_bytes(fd, path.name, limit)),))
        files, total = [], 0
        for relative, folder_fd, name in _counted(_walk(fd, "", 0), path):
            file_fd = _open(name, folder_fd, relative, folder=False)
            try:
                data = _read(file_fd, limit - total)
            finally:
                os.close(file_fd)
            total += len(data)
            if total > limit:
                raise SubmissionError(
                    f"the submission folder {path.name} holds over {_size(limit)}; submit only "
                    "your code (and the small files it reads)"
                )
            files.append((relative, data))
        return Tree(True, tuple(files))
    finally:
        os.close(fd)


def _file_bytes(fd: int, name: str, limit: int) -> bytes:
    data = _read(fd, limit)
    if len(data) > limit:
        raise SubmissionError(
            f"{name} holds over {_size(limit)}, more than a submission may: submit only your code"
        )
    return data


def _size(limit: int) -> str:
    return f"{limit >> 20} MiB" if limit >= MiB else f"{limit} bytes"


def _refusal(shown: str, mode: int) -> SubmissionError:
    """Why a name that is neither a regular file nor a folder is refused, in words."""
    kind = next((words for test, words in _KINDS if test(mode)), "not a regular file")
    if stat.S_ISLNK(mode):
        what = "file" if Path(shown).suffix else "folder"
        return SubmissionError(
            f"{shown} is a symbolic link: submit the {what} itself, not a link to it"
        )
    return SubmissionError(f"{shown} is {kind}, not a file: submit regular files only")


def _kind(name: str, folder_fd: int, shown: str) -> bool:
    """True for a folder, False for a regular file, without following a link."""
    try:
        mode = os.stat(name, dir_fd=folder_fd, follow_symlinks=False).st_mode
    except FileNotFoundError:
        raise SubmissionError(f"{shown}: no such file or folder", kind="missing") from None
    if stat.S_ISDIR(mode) or stat.S_ISREG(mode):
        return stat.S_ISDIR(mode)
    raise _refusal(shown, mode)


def _open(name: str, folder_fd: int, shown: str, *, folder: bool) -> int:
    """Open one name in a folder without following a link, and check what was opened."""
    try:
        fd = os.open(name, _OPEN | (os.O_DIRECTORY if folder else 0), dir_fd=folder_fd)
    except OSError as error:
        if error.errno == errno.ELOOP:  # the name became a link after it was checked
            raise _refusal(shown, stat.S_IFLNK) from None
        if error.errno in (errno.EACCES, errno.EPERM):
            raise SubmissionError(f"{shown} cannot be read (permission denied)") from None
        if error.errno in (errno.ENOENT, errno.ENOTDIR):
            raise SubmissionError(f"{shown}: no such file or folder", kind="missing") from None
        raise
    mode = os.fstat(fd).st_mode
    if (stat.S_ISDIR if folder else stat.S_ISREG)(mode):
        return fd
    os.close(fd)
    raise _refusal(shown, mode)


def _open_submission(path: Path) -> tuple[int, bool]:
    """Open the submission itself (not through a link) and say whether it is a folder.

    The folders above it are the caller's choice and are taken as they resolve; the
    submission itself, and everything in it, must be real files and folders.
    """
    path = Path(path)
    if path.name in ("", ".."):  # the current folder or its parent, named as such
        path = path.resolve()
    place = path.parent.resolve() / path.name
    for system in SYSTEM_FOLDERS:
        if place == system or place.is_relative_to(system):
            raise SubmissionError(
                f"{path} is under {system}, a system folder: submit a file of your own"
            )
    try:
        parent = os.open(place.parent, os.O_RDONLY | os.O_DIRECTORY | os.O_CLOEXEC)
    except OSError:
        raise SubmissionError(f"{path}: no such file or folder", kind="missing") from None
    try:
        folder = _kind(path.name, parent, path.name)
        return _open(path.name, parent, path.name, folder=folder), folder
    finally:
        os.close(parent)


def _open_folder(path: Path) -> int:
    fd, folder = _open_submission(path)
    if not folder:
        os.close(fd)
        raise SubmissionError(f"{path.name} is a file, not a folder")
    return fd


def _walk(folder_fd: int, prefix: str, depth: int) -> Iterator[tuple[str, int, str]]:
    """(relative path, descriptor of its folder, name) of every regular file below, sorted."""
    if depth > MAX_DEPTH:
        raise SubmissionError(
            f"{prefix.rstrip('/')} is over {MAX_DEPTH} folders deep; submit a flatter folder"
        )
    for name in sorted(os.listdir(folder_fd)):
        if name in SKIPPED:
            continue
        relative = f"{prefix}{name}"
        if not _kind(name, folder_fd, relative):
            yield relative, folder_fd, name
            continue
        child = _open(name, folder_fd, relative, folder=True)
        try:
            yield from _walk(child, f"{relative}/", depth + 1)
        finally:
            os.close(child)


def _counted(files: Iterator[tuple[str, int, str]], path: Path) -> Iterator[tuple[str, int, str]]:
    """The files of a walk, refusing a folder that holds more than MAX_FILES of them."""
    for count, item in enumerate(files, start=1):
        if count > MAX_FILES:
            raise SubmissionError(
                f"the submission folder {path.name} holds over {MAX_FILES} files; submit only "
                "your code (and the small files it reads)"
            )
        yield item


def _read(fd: int, limit: int) -> bytes:
    """Up to `limit` + 1 bytes of an open file: one more than allowed proves it is too big."""
    chunks, total = [], 0
    while total <= limit:
        chunk = os.read(fd, min(MiB, limit + 1 - total))
        if not chunk:
            break
        chunks.append(chunk)
        total += len(chunk)
    return b"".join(chunks)

"""Reading a submission as data: regular files and folders only, never through a link."""

from __future__ import annotations

import os
import socket
from pathlib import Path

import pytest

from graders import files
from graders.files import SubmissionError, file_names, is_folder, listing, read_file, read_tree


@pytest.fixture
def folder(tmp_path: Path) -> Path:
    """A small folder submission with a helper package and the litter tools leave behind."""
    root = tmp_path / "alice"
    (root / "helpers").mkdir(parents=True)
    (root / "selfcheck.py").write_text("from helpers.maths import twice\n")
    (root / "helpers" / "maths.py").write_text("def twice(x):\n    return 2 * x\n")
    for litter in ("__MACOSX/._selfcheck.py", "__pycache__/x.pyc", ".git/HEAD", ".DS_Store"):
        (root / litter).parent.mkdir(parents=True, exist_ok=True)
        (root / litter).write_bytes(b"litter")
    return root


def test_a_folder_is_read_whole_in_a_stable_order_without_its_litter(folder):
    tree = read_tree(folder)
    assert tree.folder
    assert [relative for relative, _ in tree.files] == ["helpers/maths.py", "selfcheck.py"]
    assert dict(tree.files)["selfcheck.py"] == b"from helpers.maths import twice\n"
    assert file_names(folder) == ("helpers/maths.py", "selfcheck.py")
    assert listing(folder) == (("helpers", True), ("selfcheck.py", False))


def test_a_file_is_read_as_itself(folder):
    tree = read_tree(folder / "selfcheck.py")
    assert (tree.folder, tree.files) == (
        False,
        (("selfcheck.py", folder.joinpath("selfcheck.py").read_bytes()),),
    )
    assert not is_folder(folder / "selfcheck.py")
    assert is_folder(folder)


@pytest.mark.parametrize(
    ("link", "target", "shown"),
    [
        ("selfcheck.py", "/etc/passwd", "selfcheck.py is a symbolic link: submit the file itself"),
        ("helpers/maths.py", "../selfcheck.py", "helpers/maths.py is a symbolic link"),
        ("helpers/more", "/usr/lib", "helpers/more is a symbolic link: submit the folder itself"),
        ("environ.txt", "/proc/self/environ", "environ.txt is a symbolic link"),
        ("pagemap.bin", "/proc/self/pagemap", "pagemap.bin is a symbolic link"),
        ("loop.py", "loop.py", "loop.py is a symbolic link"),
    ],
    ids=["file", "relative-nested", "folder", "environ", "pagemap", "loop"],
)
def test_a_link_at_any_depth_is_refused_never_followed(folder, link, target, shown):
    (folder / link).unlink(missing_ok=True)
    (folder / link).symlink_to(target)
    for read in (read_tree, file_names):
        with pytest.raises(SubmissionError, match=shown) as refused:
            read(folder)
        assert refused.value.kind == "invalid"


def test_the_submission_itself_may_not_be_a_link(folder, tmp_path):
    (tmp_path / "mallory").symlink_to(folder)
    (tmp_path / "mallory.py").symlink_to(folder / "selfcheck.py")
    for path, what in ((tmp_path / "mallory", "folder"), (tmp_path / "mallory.py", "file")):
        for read in (read_tree, is_folder, lambda p: read_file(p, 100)):
            with pytest.raises(SubmissionError, match=f"is a symbolic link: submit the {what}"):
                read(path)


def test_the_folders_above_the_submission_are_the_callers_choice(folder, tmp_path):
    (tmp_path / "class").symlink_to(folder.parent)
    assert read_tree(tmp_path / "class" / "alice").files == read_tree(folder).files


def test_a_fifo_or_a_socket_is_refused_without_opening_it(folder):
    os.mkfifo(folder / "pipe.py")  # opening it to read would block until a writer came
    with pytest.raises(SubmissionError, match=r"pipe\.py is a named pipe \(FIFO\), not a file"):
        read_tree(folder)
    with pytest.raises(SubmissionError, match="named pipe"):
        read_file(folder / "pipe.py", 100)
    (folder / "pipe.py").unlink()
    server = socket.socket(socket.AF_UNIX)
    try:
        server.bind(str(folder / "helpers" / "talk.sock"))
        with pytest.raises(SubmissionError, match=r"helpers/talk\.sock is a socket"):
            read_tree(folder)
    finally:
        server.close()


@pytest.mark.parametrize(
    "path", ["/proc/self/environ", "/proc/self/pagemap", "/sys/kernel", "/dev/zero"]
)
def test_system_files_are_refused_by_where_they_are(path):
    with pytest.raises(SubmissionError, match="a system folder: submit a file of your own"):
        read_tree(Path(path))


def test_size_is_counted_by_the_bytes_read_not_by_what_the_file_says(tmp_path):
    sparse = tmp_path / "selfcheck.py"
    with open(sparse, "wb") as file:
        file.truncate(1 << 40)  # says 1 TiB; only the first 101 bytes are ever read
    with pytest.raises(SubmissionError, match=r"selfcheck\.py holds over 100 bytes"):
        read_file(sparse, 100)
    exact = tmp_path / "exact.py"
    exact.write_bytes(b"x" * 100)
    assert read_file(exact, 100) == b"x" * 100
    with pytest.raises(SubmissionError, match="holds over 99 bytes"):
        read_file(exact, 99)


def test_a_folder_over_its_limits_is_refused_in_words(folder, monkeypatch):
    (folder / "weights.bin").write_bytes(b"\0" * 2000)
    with pytest.raises(SubmissionError, match="the submission folder alice holds over 1000 bytes"):
        read_tree(folder, limit=1000)
    monkeypatch.setattr(files, "MAX_FILES", 2)
    with pytest.raises(SubmissionError, match="holds over 2 files"):
        read_tree(folder)
    monkeypatch.setattr(files, "MAX_FILES", 100)
    monkeypatch.setattr(files, "MAX_DEPTH", 1)
    (folder / "helpers" / "deeper").mkdir()
    (folder / "helpers" / "deeper" / "x.py").write_text("")
    with pytest.raises(SubmissionError, match="helpers/deeper is over 1 folders deep"):
        read_tree(folder)


def test_names_that_are_not_utf8_are_read_like_any_other(folder):
    with open(os.fsencode(folder) + b"/\xff\xfe.txt", "wb") as file:
        file.write(b"data")
    names = [relative for relative, _ in read_tree(folder).files]
    assert os.fsdecode(b"\xff\xfe.txt") in names


def test_a_missing_path_is_missing(tmp_path):
    with pytest.raises(SubmissionError, match="no such file or folder") as missing:
        read_tree(tmp_path / "nope")
    assert missing.value.kind == "missing"
    with pytest.raises(SubmissionError, match="no such file or folder"):
        read_tree(tmp_path / "nope" / "deeper.py")

"""Tests for the MNIST IDX loader: layouts, format errors, search order and download."""

import functools
import gzip
import http.server
import socket
import threading
from collections.abc import Callable, Iterator
from pathlib import Path

import numpy as np
import pytest

from graders.data.mnist import (
    ENV_VAR,
    FILES,
    ChecksumMismatch,
    DataError,
    MnistFormatError,
    MnistNotFound,
    as_float_features,
    download_mnist,
    find_mnist,
    load_mnist,
    read_idx,
)

REAL_DIR = Path(__file__).resolve().parents[3].parent / "shared" / "data" / "mnist"
needs_real = pytest.mark.skipif(
    not (REAL_DIR / "t10k-labels-idx1-ubyte.gz").is_file(), reason=f"no MNIST in {REAL_DIR}"
)


@pytest.fixture(autouse=True)
def _isolated_env(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    """No test may see the developer's own env var or cache."""
    monkeypatch.delenv(ENV_VAR, raising=False)
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "xdg"))


def idx_bytes(array: np.ndarray) -> bytes:
    """Encode a uint8 array as IDX: magic 0x0000080<ndim>, big-endian sizes, payload."""
    header = bytes([0, 0, 0x08, array.ndim])
    sizes = b"".join(int(n).to_bytes(4, "big") for n in array.shape)
    return header + sizes + array.astype(np.uint8).tobytes()


def write(path: Path, data: bytes, gz: bool) -> Path:
    """Write data to path (path.gz, compressed, when gz) and return the file written."""
    path.parent.mkdir(parents=True, exist_ok=True)
    if gz:
        path = path.with_name(f"{path.name}.gz")
        data = gzip.compress(data, compresslevel=1)  # level 1: these are test fixtures
    path.write_bytes(data)
    return path


def build_layout(folder: Path, gz: bool, n_train: int = 32) -> None:
    """Real test files plus a small synthetic train split (the full one is slow to rewrite)."""
    for name in ("t10k-images-idx3-ubyte", "t10k-labels-idx1-ubyte"):
        write(folder / name, gzip.decompress((REAL_DIR / f"{name}.gz").read_bytes()), gz)
    rng = np.random.default_rng(0)
    images = rng.integers(0, 256, size=(n_train, 28, 28), dtype=np.uint8)  # (n, 28, 28)
    labels = np.arange(n_train, dtype=np.uint8) % 10  # (n,)
    write(folder / "train-images-idx3-ubyte", idx_bytes(images), gz)
    write(folder / "train-labels-idx1-ubyte", idx_bytes(labels), gz)


@needs_real
def test_real_files_load_with_the_right_shapes() -> None:
    data = load_mnist(REAL_DIR)
    assert data.train_images.shape == (60000, 28, 28)
    assert data.train_labels.shape == (60000,)
    assert data.test_images.shape == (10000, 28, 28)
    assert data.test_labels.shape == (10000,)
    for array in (data.train_images, data.train_labels, data.test_images, data.test_labels):
        assert array.dtype == np.uint8
    assert set(np.unique(data.train_labels)) == set(range(10))
    assert set(np.unique(data.test_labels)) == set(range(10))
    assert data.train_images.max() == 255
    assert data.source == REAL_DIR
    x = as_float_features(data.test_images)
    assert x.shape == (10000, 784)
    assert x.dtype == np.float32
    assert x.min() == 0.0
    assert x.max() == 1.0


@needs_real
@pytest.mark.parametrize("layout", ["", "MNIST/raw", "raw"])
@pytest.mark.parametrize("gz", [True, False], ids=["gz", "raw-bytes"])
def test_every_layout_is_found(tmp_path: Path, layout: str, gz: bool) -> None:
    folder = tmp_path / "root" / layout if layout else tmp_path / "root"
    build_layout(folder, gz)
    assert find_mnist(tmp_path / "root") == folder
    data = load_mnist(tmp_path / "root")
    assert data.train_images.shape == (32, 28, 28)
    assert data.test_images.shape == (10000, 28, 28)
    assert data.test_labels[:5].tolist() == [7, 2, 1, 0, 4]  # the well-known first test digits


def test_gzip_is_detected_by_magic_bytes_not_by_name(tmp_path: Path) -> None:
    labels = np.array([3, 1, 4, 1, 5], dtype=np.uint8)
    misnamed = tmp_path / "labels-no-suffix"
    misnamed.write_bytes(gzip.compress(idx_bytes(labels)))
    assert read_idx(misnamed).tolist() == [3, 1, 4, 1, 5]
    fake_gz = tmp_path / "labels.gz"
    fake_gz.write_bytes(idx_bytes(labels))  # raw bytes behind a .gz name
    assert read_idx(fake_gz).tolist() == [3, 1, 4, 1, 5]


def test_truncated_file_is_refused_with_a_useful_message(tmp_path: Path) -> None:
    images = np.zeros((4, 28, 28), dtype=np.uint8)
    path = tmp_path / "train-images-idx3-ubyte"
    path.write_bytes(idx_bytes(images)[:-100])
    with pytest.raises(MnistFormatError, match="truncated") as info:
        read_idx(path)
    assert path.name in str(info.value)
    assert "(4, 28, 28)" in str(info.value)


def test_truncated_gzip_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "t10k-labels-idx1-ubyte.gz"
    path.write_bytes(gzip.compress(idx_bytes(np.arange(1000, dtype=np.uint8) % 10))[:-20])
    with pytest.raises(MnistFormatError, match="gzip") as info:
        read_idx(path)
    assert path.name in str(info.value)


def test_trailing_bytes_are_refused(tmp_path: Path) -> None:
    path = tmp_path / "labels"
    path.write_bytes(idx_bytes(np.arange(10, dtype=np.uint8)) + b"\x00")
    with pytest.raises(MnistFormatError, match="trailing bytes"):
        read_idx(path)


def test_wrong_magic_is_refused_with_what_was_found(tmp_path: Path) -> None:
    path = tmp_path / "train-images-idx3-ubyte"
    path.write_bytes(b"<html>Not Found</html>")  # what a broken mirror typically returns
    with pytest.raises(MnistFormatError) as info:
        read_idx(path)
    message = str(info.value)
    assert path.name in message
    assert "0x00000803" in message  # what was expected
    assert "0x3c68746d" in message  # what was found: "<htm"


def test_wrong_dimension_count_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "labels"
    path.write_bytes(idx_bytes(np.arange(10, dtype=np.uint8)))
    with pytest.raises(MnistFormatError, match=r"expected 3-D .* found 1-D"):
        read_idx(path, ndim=3)


def test_image_and_label_counts_must_match(tmp_path: Path) -> None:
    for split, n in (("train", 5), ("t10k", 3)):
        write(tmp_path / f"{split}-images-idx3-ubyte", idx_bytes(np.zeros((n, 28, 28))), False)
        write(tmp_path / f"{split}-labels-idx1-ubyte", idx_bytes(np.zeros(4)), False)
    with pytest.raises(MnistFormatError, match="5 images but 4 labels"):
        load_mnist(tmp_path)


def test_not_found_lists_every_place_and_how_to_fix(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv(ENV_VAR, str(tmp_path / "from-env"))
    with pytest.raises(MnistNotFound) as info:
        find_mnist(tmp_path / "given")
    message = str(info.value)
    for place in (
        tmp_path / "given",
        tmp_path / "given" / "MNIST" / "raw",
        tmp_path / "from-env",
        tmp_path / "from-env" / "MNIST" / "raw",
        tmp_path / "xdg" / "dlgrade" / "mnist",
    ):
        assert f"{place} [" in message
        assert place in info.value.places
    assert "dlgrade data mnist --download" in message
    assert "--data DIR" in message
    assert ENV_VAR in message
    assert isinstance(info.value, DataError)


def test_a_half_filled_folder_names_the_missing_files(tmp_path: Path) -> None:
    write(tmp_path / "train-labels-idx1-ubyte", idx_bytes(np.zeros(3)), True)
    with pytest.raises(MnistNotFound, match="missing train-images-idx3-ubyte, t10k-images"):
        find_mnist(tmp_path)


@needs_real
def test_env_var_is_honoured_and_explicit_dir_wins(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    build_layout(tmp_path / "env", gz=True)
    build_layout(tmp_path / "explicit" / "MNIST" / "raw", gz=True)
    monkeypatch.setenv(ENV_VAR, str(tmp_path / "env"))
    assert find_mnist() == tmp_path / "env"
    assert find_mnist(tmp_path / "explicit") == tmp_path / "explicit" / "MNIST" / "raw"


@needs_real
def test_default_cache_is_used_last(tmp_path: Path) -> None:
    build_layout(tmp_path / "xdg" / "dlgrade" / "mnist", gz=True)
    assert find_mnist() == tmp_path / "xdg" / "dlgrade" / "mnist"


class _QuietHandler(http.server.SimpleHTTPRequestHandler):
    def log_message(self, format: str, *args: object) -> None:  # keep pytest output clean
        pass


@pytest.fixture
def serve(tmp_path: Path) -> Iterator[Callable[[Path], str]]:
    """serve(folder) -> base URL of a localhost HTTP server for that folder (no internet)."""
    servers: list[http.server.ThreadingHTTPServer] = []

    def start(folder: Path) -> str:
        handler = functools.partial(_QuietHandler, directory=str(folder))
        server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
        # A short poll interval makes shutdown() at teardown quick (the default is 0.5 s).
        thread = threading.Thread(target=server.serve_forever, args=(0.05,), daemon=True)
        thread.start()
        servers.append(server)
        return f"http://127.0.0.1:{server.server_address[1]}/"

    yield start
    for server in servers:
        server.shutdown()
        server.server_close()


@needs_real
def test_download_from_a_local_mirror(tmp_path: Path, serve: Callable[[Path], str]) -> None:
    dest = tmp_path / "cache"
    assert download_mnist(dest, base_url=serve(REAL_DIR)) == dest
    assert sorted(p.name for p in dest.iterdir()) == sorted(f"{f.name}.gz" for f in FILES)
    assert load_mnist(dest).train_images.shape == (60000, 28, 28)
    # A second call keeps the verified files and never touches the (now unreachable) network.
    assert download_mnist(dest, base_url="http://127.0.0.1:9/") == dest


def test_checksum_mismatch_is_refused_and_nothing_is_saved(
    tmp_path: Path, serve: Callable[[Path], str]
) -> None:
    mirror = tmp_path / "mirror"
    for f in FILES:
        shape = (2, 28, 28) if f.ndim == 3 else (2,)
        write(mirror / f.name, idx_bytes(np.zeros(shape)), gz=True)  # valid IDX, wrong data
    dest = tmp_path / "cache"
    with pytest.raises(ChecksumMismatch, match="expected uncompressed SHA-256"):
        download_mnist(dest, base_url=serve(mirror))
    assert list(dest.iterdir()) == []  # no half file, no temporary left behind


def test_unreachable_mirror_says_how_to_place_files(tmp_path: Path) -> None:
    with socket.socket() as sock:  # a port that was free a moment ago: nothing listens there
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    with pytest.raises(DataError, match="could not reach") as info:
        download_mnist(tmp_path / "cache", base_url=f"http://127.0.0.1:{port}", timeout=5)
    assert "--data DIR" in str(info.value)
    assert "train-images-idx3-ubyte.gz" in str(info.value)


def test_only_http_mirrors_are_accepted(tmp_path: Path) -> None:
    with pytest.raises(DataError, match="http"):
        download_mnist(tmp_path / "cache", base_url=f"file://{tmp_path}/")


def test_as_float_features_refuses_other_inputs() -> None:
    with pytest.raises(ValueError, match="uint8"):
        as_float_features(np.zeros((2, 28, 28), dtype=np.float64))

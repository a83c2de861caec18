"""MNIST in the standard IDX format: find the four files, read them, download them when asked."""

import gzip
import hashlib
import math
import os
import tempfile
import urllib.error
import urllib.parse
import urllib.request
import zlib
from dataclasses import dataclass
from pathlib import Path
from typing import NamedTuple

import numpy as np

ENV_VAR = "DLGRADE_MNIST_DIR"
# torchvision's first mirror; yann.lecun.com now often refuses scripted downloads.
DEFAULT_BASE_URL = "https://ossci-datasets.s3.amazonaws.com/mnist/"
# Flat, then torchvision's layout (root/MNIST/raw/), then a bare raw/ folder.
LAYOUTS = ("", "MNIST/raw", "raw")
# The real files are about 10 MB compressed; a cap stops a broken mirror from filling the disk.
_MAX_DOWNLOAD_BYTES = 64 * 1024 * 1024
_GZIP_MAGIC = b"\x1f\x8b"
_IDX_UBYTE = 0x08  # IDX type code for unsigned bytes, the only type MNIST uses


class MnistFile(NamedTuple):
    """One of the four IDX files: its name (without .gz), dimension count and SHA-256."""

    name: str
    ndim: int
    sha256: str  # of the *uncompressed* bytes, so a re-compressed copy still verifies


FILES = (
    MnistFile(
        "train-images-idx3-ubyte",
        3,
        "ba891046e6505d7aadcbbe25680a0738ad16aec93bde7f9b65e87a2fc25776db",
    ),
    MnistFile(
        "train-labels-idx1-ubyte",
        1,
        "65a50cbbf4e906d70832878ad85ccda5333a97f0f4c3dd2ef09a8a9eef7101c5",
    ),
    MnistFile(
        "t10k-images-idx3-ubyte",
        3,
        "0fa7898d509279e482958e8ce81c8e77db3f2f8254e26661ceb7762c4d494ce7",
    ),
    MnistFile(
        "t10k-labels-idx1-ubyte",
        1,
        "ff7bcfd416de33731a308c3f266cc351222c34898ecbeaf847f06e48f7ec33f2",
    ),
)


class DataError(Exception):
    """A dataset is missing, malformed, or could not be downloaded."""


class MnistNotFound(DataError):
    """None of the places searched holds all four MNIST files."""

    def __init__(self, message: str, places: tuple[Path, ...]) -> None:
        super().__init__(message)
        self.places = places


class MnistFormatError(DataError):
    """A file is not a valid MNIST IDX file (wrong magic, shape or length)."""


class ChecksumMismatch(DataError):
    """A downloaded file's SHA-256 differs from the published one."""


@dataclass(frozen=True, eq=False)  # eq=False: == on arrays is element-wise, not a bool
class Mnist:
    """The MNIST train and test sets as read from disk (read-only arrays)."""

    train_images: np.ndarray  # (60000, 28, 28) uint8, 0 = background, 255 = ink
    train_labels: np.ndarray  # (60000,) uint8 in 0..9
    test_images: np.ndarray  # (10000, 28, 28) uint8
    test_labels: np.ndarray  # (10000,) uint8 in 0..9
    source: Path | None = None  # the folder the files came from


def default_cache_dir() -> Path:
    """$XDG_CACHE_HOME/dlgrade/mnist, or ~/.cache/dlgrade/mnist."""
    xdg = os.environ.get("XDG_CACHE_HOME", "")
    # The XDG spec says a relative value is invalid and must be ignored.
    base = Path(xdg) if os.path.isabs(xdg) else Path.home() / ".cache"
    return base / "dlgrade" / "mnist"


def _file_in(folder: Path, name: str) -> Path | None:
    """The file `name` or `name.gz` in `folder` (raw first: it needs no decompression)."""
    for candidate in (folder / name, folder / f"{name}.gz"):
        if candidate.is_file():
            return candidate
    return None


def find_mnist(data_dir: str | Path | None = None) -> Path:
    """The folder holding all four MNIST files: data_dir, then $DLGRADE_MNIST_DIR, then cache."""
    roots: list[tuple[Path, str]] = []
    if data_dir is not None:
        roots.append((Path(data_dir).expanduser(), "given folder"))
    if os.environ.get(ENV_VAR):
        roots.append((Path(os.environ[ENV_VAR]).expanduser(), ENV_VAR))
    roots.append((default_cache_dir(), "default cache"))

    lines: list[str] = []
    places: list[Path] = []
    for root, origin in roots:
        for layout in LAYOUTS:
            folder = root / layout if layout else root
            missing = [f.name for f in FILES if _file_in(folder, f.name) is None]
            if not missing:
                return folder
            places.append(folder)
            # Saying which files are missing from a half-filled folder saves a round trip.
            note = "" if len(missing) == len(FILES) else f" (missing {', '.join(missing)})"
            lines.append(f"  - {folder} [{origin}]{note}")
    names = ", ".join(f.name for f in FILES)
    raise MnistNotFound(
        f"MNIST not found. Looked for {names} (raw or .gz) in:\n"
        + "\n".join(lines)
        + f"\nTo get them: run `dlgrade data mnist --download` (saves to {default_cache_dir()}),"
        f" or pass `--data DIR` for a folder that has them, or set {ENV_VAR}=DIR.",
        tuple(places),
    )


def _read_bytes(path: Path) -> bytes:
    """The file's bytes, gunzipped if it starts with the gzip magic 1f 8b (whatever its name)."""
    data = path.read_bytes()
    if not data.startswith(_GZIP_MAGIC):
        return data
    try:
        return gzip.decompress(data)
    except (OSError, EOFError, zlib.error) as exc:
        raise MnistFormatError(
            f"{path}: expected a complete gzip stream (it starts with 1f 8b), but it could not"
            f" be decompressed ({exc}); the file is probably truncated, so fetch it again"
        ) from exc


def read_idx(path: str | Path, ndim: int | None = None) -> np.ndarray:
    """Parse an IDX file of unsigned bytes (gzip or raw): magic 0x0000080<ndim>, sizes, payload."""
    path = Path(path)
    data = _read_bytes(path)
    if len(data) < 4:
        raise MnistFormatError(
            f"{path}: expected a 4-byte IDX magic number, found {len(data)} bytes (truncated)"
        )
    magic = int.from_bytes(data[:4], "big")
    # Byte 3 is the dimension count: MNIST uses 1 (labels) and 3 (images).
    if data[:3] != bytes([0, 0, _IDX_UBYTE]) or data[3] not in (1, 3):
        raise MnistFormatError(
            f"{path}: expected IDX magic 0x00000801 (labels) or 0x00000803 (images),"
            f" found 0x{magic:08x}; this is not an MNIST IDX file"
        )
    found_ndim = data[3]
    if ndim is not None and found_ndim != ndim:
        raise MnistFormatError(
            f"{path}: expected {ndim}-D data (magic 0x{0x800 + ndim:08x}), found {found_ndim}-D"
            f" (magic 0x{magic:08x}); are the image and label files swapped?"
        )
    header = 4 + 4 * found_ndim
    if len(data) < header:
        raise MnistFormatError(
            f"{path}: expected a {header}-byte header, found only {len(data)} bytes (truncated)"
        )
    shape = tuple(int.from_bytes(data[4 + 4 * i : 8 + 4 * i], "big") for i in range(found_ndim))
    expected, found = math.prod(shape), len(data) - header
    if found != expected:
        problem = "truncated" if found < expected else "trailing bytes"
        raise MnistFormatError(
            f"{path}: header says shape {shape}, i.e. {expected} bytes of data,"
            f" found {found} ({problem})"
        )
    # frombuffer shares the bytes object, so the array is read-only: fine for a dataset.
    return np.frombuffer(data, dtype=np.uint8, offset=header).reshape(shape)


def load_mnist(data_dir: str | Path | None = None) -> Mnist:
    """Find (see find_mnist) and read the four files, checking that shapes and labels agree."""
    folder = find_mnist(data_dir)
    arrays: dict[str, np.ndarray] = {}
    for f in FILES:
        path = _file_in(folder, f.name)
        if path is None:  # removed between find_mnist and now
            raise MnistNotFound(f"{folder / f.name}: file disappeared while loading", (folder,))
        arrays[f.name] = read_idx(path, ndim=f.ndim)
    for split in ("train", "t10k"):
        images, labels = arrays[f"{split}-images-idx3-ubyte"], arrays[f"{split}-labels-idx1-ubyte"]
        if images.shape[1:] != (28, 28):
            raise MnistFormatError(
                f"{folder}: expected {split} images of 28x28 pixels, found {images.shape[1:]}"
            )
        if len(images) != len(labels):
            raise MnistFormatError(
                f"{folder}: {split} has {len(images)} images but {len(labels)} labels;"
                " the files come from different copies or one is damaged"
            )
        if labels.size and labels.max() > 9:
            raise MnistFormatError(
                f"{folder}: expected {split} labels in 0..9, found {labels.max()}"
            )
    return Mnist(
        train_images=arrays["train-images-idx3-ubyte"],
        train_labels=arrays["train-labels-idx1-ubyte"],
        test_images=arrays["t10k-images-idx3-ubyte"],
        test_labels=arrays["t10k-labels-idx1-ubyte"],
        source=folder,
    )


def as_float_features(images: np.ndarray) -> np.ndarray:
    """x = pixels / 255: (N, 28, 28) uint8 -> (N, 784) float32 in [0, 1]."""
    if images.dtype != np.uint8 or images.ndim != 3:
        raise ValueError(f"expected (N, 28, 28) uint8 images, found {images.shape} {images.dtype}")
    flat = images.reshape(len(images), -1)  # (N, 784)
    return flat.astype(np.float32) / np.float32(255)  # (N, 784) float32


def _fetch(url: str, dest: Path, timeout: float) -> bytes:
    """The body at `url` (http or https only), or DataError saying how to get the files by hand."""
    if urllib.parse.urlsplit(url).scheme not in ("http", "https"):
        # urlopen would also read file:// and ftp:// URLs; a mirror is always http(s).
        raise DataError(f"{url}: expected an http:// or https:// mirror URL")
    try:
        # S310 warns about file:// URLs; the scheme was checked just above.
        with urllib.request.urlopen(url, timeout=timeout) as response:  # noqa: S310
            body = response.read(_MAX_DOWNLOAD_BYTES + 1)
    except (urllib.error.URLError, OSError) as exc:  # HTTPError, DNS, refused, timeout
        names = ", ".join(f"{f.name}.gz" for f in FILES)
        raise DataError(
            f"could not reach {url} ({exc}). Check the connection or try another mirror, or"
            f" download {names} by hand and put them in {dest}, or in any folder given by"
            f" `--data DIR` or {ENV_VAR}."
        ) from exc
    if len(body) > _MAX_DOWNLOAD_BYTES:
        raise DataError(f"{url}: more than {_MAX_DOWNLOAD_BYTES} bytes; not an MNIST file")
    return body


def _uncompressed_sha256(blob: bytes, where: str) -> str:
    """SHA-256 of the gunzipped bytes (of the bytes themselves if not gzip)."""
    try:
        raw = gzip.decompress(blob) if blob.startswith(_GZIP_MAGIC) else blob
    except (OSError, EOFError, zlib.error) as exc:
        raise ChecksumMismatch(f"{where}: a damaged gzip stream ({exc})") from exc
    return hashlib.sha256(raw).hexdigest()


def _already_valid(target: Path, sha256: str) -> bool:
    """Whether `target` exists and its uncompressed bytes have the expected SHA-256."""
    if not target.is_file():
        return False
    try:
        return _uncompressed_sha256(target.read_bytes(), str(target)) == sha256
    except ChecksumMismatch:  # a damaged leftover: download it again
        return False


def _write_atomic(target: Path, blob: bytes) -> None:
    """Write to a temporary file beside `target`, then rename: readers never see half a file."""
    fd, tmp = tempfile.mkstemp(dir=target.parent, prefix=f".{target.name}.", suffix=".part")
    try:
        with os.fdopen(fd, "wb") as out:
            out.write(blob)
            out.flush()
            os.fsync(out.fileno())  # the bytes must be on disk before the rename makes them live
        os.replace(tmp, target)  # atomic on POSIX and Windows when on the same filesystem
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def download_mnist(dest: str | Path, base_url: str = DEFAULT_BASE_URL, timeout: float = 60) -> Path:
    """Download the four .gz files into dest, verifying each SHA-256; return dest."""
    dest = Path(dest).expanduser()
    dest.mkdir(parents=True, exist_ok=True)
    for f in FILES:
        target = dest / f"{f.name}.gz"
        # Files already present and correct are kept, so an interrupted download resumes.
        if _already_valid(target, f.sha256):
            continue
        url = f"{base_url.rstrip('/')}/{f.name}.gz"
        blob = _fetch(url, dest, timeout)
        digest = _uncompressed_sha256(blob, url)
        if digest != f.sha256:
            raise ChecksumMismatch(
                f"{url}: expected uncompressed SHA-256 {f.sha256}, found {digest}; the mirror"
                f" sent a different or damaged file, so it was not saved"
            )
        _write_atomic(target, blob)
    return dest

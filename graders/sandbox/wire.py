"""The wire format between the grader and the sandboxed child: framed JSON plus .npy blobs.

This module is also sent, as source text, to the child, so it imports only the
standard library and NumPy, and never anything from `graders`.

A frame is a 4-byte big-endian header length, a UTF-8 JSON header, then the
blobs whose byte lengths the header lists under "blobs". A value is encoded as
JSON where JSON can carry it, and as a reference {"array": i} to blob i (an .npy
file written with allow_pickle=False) where it is an array.
"""

from __future__ import annotations

import io
import json
import math
import struct
from collections.abc import Callable
from typing import Any

import numpy as np

HEADER_LIMIT = 1 << 20  # 1 MiB of JSON is far more than any honest reply needs
MAX_DEPTH = 64  # JSON nesting: an honest reply (lists of lists of arrays) needs a handful
MAX_DIMENSIONS = 32  # of an array (NumPy 1 allows no more)
# The only dtypes that cross, without byte order: bool, signed, unsigned and float numbers.
ARRAY_DTYPES = frozenset({"b1", "i1", "i2", "i4", "i8", "u1", "u2", "u4", "u8", "f2", "f4", "f8"})
_LENGTH = struct.Struct(">I")
_OPENERS = np.frombuffer(b"[{", dtype=np.uint8)
_CLOSERS = np.frombuffer(b"]}", dtype=np.uint8)


class WireError(Exception):
    """A frame or value that breaks the format; the message says how."""


def frame(header: dict, blobs: list[bytes] | None = None) -> bytes:
    """Serialise one message: length, JSON header, then the blobs."""
    blobs = blobs or []
    header = {**header, "blobs": [len(b) for b in blobs]}
    text = json.dumps(header, separators=(",", ":")).encode()
    return b"".join([_LENGTH.pack(len(text)), text, *blobs])


def nesting_depth(text: bytes) -> int:
    """How deeply JSON text nests arrays and objects (brackets inside strings do not count).

    Counted in linear time without parsing, so that a reply nested 100,000 deep is refused
    before a recursive parser (or a recursive walk over what it built) ever sees it. A quote
    opens or closes a string unless an odd number of backslashes comes just before it.
    """
    codes = np.frombuffer(text, dtype=np.uint8)
    index = np.arange(len(codes))
    backslash = codes == ord("\\")
    last_other = np.maximum.accumulate(np.where(backslash, -1, index))  # last non-backslash
    escapes = index - 1 - np.concatenate(([-1], last_other[:-1]))  # backslashes just before
    quotes = (codes == ord('"')) & (escapes % 2 == 0)
    in_string = np.cumsum(quotes) % 2 == 1
    steps = np.isin(codes, _OPENERS).astype(np.int64) - np.isin(codes, _CLOSERS)
    return int(np.cumsum(np.where(in_string, 0, steps)).max(initial=0))


def loads(text: bytes, what: str, max_depth: int = MAX_DEPTH) -> Any:
    """Parse untrusted JSON text, bounded in depth; WireError says what was wrong with `what`."""
    # Text cannot nest deeper than it has brackets: most replies hold a handful, and
    # counting them costs far less than counting their depth.
    shallow = text.count(b"[") + text.count(b"{") <= max_depth
    depth = 0 if shallow else nesting_depth(text)
    if depth > max_depth:
        raise WireError(f"{what} is nested {depth} levels deep, over the limit of {max_depth}")
    try:
        return json.loads(text)
    except (ValueError, RecursionError) as error:
        raise WireError(f"{what} is invalid JSON ({error})") from None


def split_frame(buffer: bytes | bytearray, blob_limit: int) -> tuple[dict, list[bytes], int] | None:
    """One frame from the front of `buffer` as (header, blobs, bytes used); None if incomplete."""
    if len(buffer) < _LENGTH.size:
        return None
    (size,) = _LENGTH.unpack_from(buffer)
    if size > HEADER_LIMIT:
        raise WireError(f"reply header of {size} bytes is over the {HEADER_LIMIT}-byte limit")
    end = _LENGTH.size + size
    if len(buffer) < end:
        return None
    header = loads(bytes(buffer[_LENGTH.size : end]), "reply header")
    if not isinstance(header, dict):
        raise WireError("reply header is not a JSON object")
    sizes = header.get("blobs", [])
    if not isinstance(sizes, list) or not all(isinstance(s, int) and s >= 0 for s in sizes):
        raise WireError("reply header lists blob sizes that are not byte counts")
    if sum(sizes) > blob_limit:
        raise WireError(f"reply of {sum(sizes)} bytes is over the {blob_limit}-byte limit")
    if len(buffer) < end + sum(sizes):
        return None
    blobs = []
    for size in sizes:
        blobs.append(bytes(buffer[end : end + size]))
        end += size
    return header, blobs, end


def array_to_npy(array: np.ndarray) -> bytes:
    """Write a plain array as .npy bytes, refusing anything that would need pickle."""
    if array.dtype.hasobject:
        raise WireError("it is an array of Python objects, not of numbers")
    out = io.BytesIO()
    np.lib.format.write_array(out, array, allow_pickle=False)
    return out.getvalue()


def npy_to_array(blob: bytes, max_elements: int) -> np.ndarray:
    """Read .npy bytes strictly: plain numeric dtype, sane shape, exact length, no pickle."""
    stream = io.BytesIO(blob)
    try:
        version = np.lib.format.read_magic(stream)
        if version == (1, 0):
            shape, fortran, dtype = np.lib.format.read_array_header_1_0(stream)
        elif version == (2, 0):
            shape, fortran, dtype = np.lib.format.read_array_header_2_0(stream)
        else:
            raise ValueError(f"unsupported .npy version {version}")
    except (ValueError, SyntaxError, TypeError, RecursionError, MemoryError) as error:
        raise WireError(f"an array reply is not valid .npy data ({error})") from None
    # Check the header ourselves before NumPy allocates anything: a hostile header could
    # declare an object dtype, or a shape whose product is 10**12 or overflows 64 bits.
    if dtype.names is not None or dtype.subdtype is not None or dtype.str[1:] not in ARRAY_DTYPES:
        raise WireError(f"arrays of dtype {dtype} are not accepted; return numbers")
    sizes = all(type(n) is int and 0 <= n <= max_elements for n in shape)
    if not sizes or len(shape) > MAX_DIMENSIONS:
        raise WireError(f"an array reply declares the shape {str(shape)[:80]}, not one it may")
    count = math.prod(shape)  # Python integers: no overflow
    if count > max_elements:
        raise WireError(f"an array of {count} elements is over the {max_elements} limit")
    if len(blob) - stream.tell() != count * dtype.itemsize:
        raise WireError("an array reply's length does not match its header")
    data = np.frombuffer(blob, dtype=dtype, count=count, offset=stream.tell())
    order = "F" if fortran else "C"
    return data.reshape(shape, order=order).copy()


def encode(value: Any, blobs: list[bytes], on_other: Callable[[Any], Any] | None = None) -> Any:
    """Turn a value into JSON-able data, appending arrays to `blobs` as .npy."""
    if value is None or isinstance(value, (bool, int, float, str)):
        return value
    if isinstance(value, (np.ndarray, np.generic)):
        # np.array(..., subok=False) drops any ndarray subclass: only numbers travel.
        blobs.append(array_to_npy(np.array(value, subok=False)))
        return {"array": len(blobs) - 1}
    if isinstance(value, (list, tuple)):
        return {"list": [encode(v, blobs, on_other) for v in value]}
    if isinstance(value, dict) and all(isinstance(k, str) for k in value):
        return {"dict": {k: encode(v, blobs, on_other) for k, v in value.items()}}
    if on_other is not None:
        return on_other(value)
    raise WireError(f"cannot send a value of type {type(value).__name__}")


def decode(data: Any, blobs: list[bytes], on_tag: Callable[[dict], Any], max_elements: int) -> Any:
    """Inverse of `encode`; tagged objects other than array/list/dict go to `on_tag`."""
    return _decode(data, blobs, on_tag, max_elements, set())


def _decode(
    data: Any, blobs: list[bytes], on_tag: Callable[[dict], Any], max_elements: int, used: set
) -> Any:
    if data is None or isinstance(data, (bool, int, float, str)):
        return data
    if not isinstance(data, dict):
        raise WireError(f"unreadable value in reply: {str(data)[:80]}")
    body = next(iter(data.values())) if len(data) == 1 else None
    if "array" in data and isinstance(body, int) and 0 <= body < len(blobs):
        # Each array once: else a small header could name one large blob a million times
        # and make us copy it each time (the blobs' total size is capped, not the copies).
        if body in used:
            raise WireError(f"the reply refers to array {body} more than once")
        used.add(body)
        return npy_to_array(blobs[body], max_elements)
    if "list" in data and isinstance(body, list):
        return [_decode(v, blobs, on_tag, max_elements, used) for v in body]
    if "dict" in data and isinstance(body, dict):
        return {k: _decode(v, blobs, on_tag, max_elements, used) for k, v in body.items()}
    return on_tag(data)  # e.g. a handle to an object that stays in the child

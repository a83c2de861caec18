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
import struct
from collections.abc import Callable
from typing import Any

import numpy as np

HEADER_LIMIT = 1 << 20  # 1 MiB of JSON is far more than any honest reply needs
ARRAY_KINDS = "biuf"  # bool, signed, unsigned, float: the only dtype kinds that cross
_LENGTH = struct.Struct(">I")


class WireError(Exception):
    """A frame or value that breaks the format; the message says how."""


def frame(header: dict, blobs: list[bytes] | None = None) -> bytes:
    """Serialise one message: length, JSON header, then the blobs."""
    blobs = blobs or []
    header = {**header, "blobs": [len(b) for b in blobs]}
    text = json.dumps(header, separators=(",", ":")).encode()
    return b"".join([_LENGTH.pack(len(text)), text, *blobs])


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
    try:
        header = json.loads(bytes(buffer[_LENGTH.size : end]))
    except ValueError as error:
        raise WireError(f"reply header is not JSON ({error})") from None
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
    except (ValueError, SyntaxError, TypeError) as error:
        raise WireError(f"an array reply is not valid .npy data ({error})") from None
    # Check the header ourselves before NumPy allocates anything: a hostile
    # header could declare an object dtype or a shape of 10**12 elements.
    if dtype.hasobject or dtype.names is not None or dtype.kind not in ARRAY_KINDS:
        raise WireError(f"arrays of dtype {dtype} are not accepted; return numbers")
    count = int(np.prod(shape, dtype=np.int64)) if shape else 1
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
    if data is None or isinstance(data, (bool, int, float, str)):
        return data
    if not isinstance(data, dict):
        raise WireError(f"unreadable value in reply: {str(data)[:80]}")
    body = next(iter(data.values())) if len(data) == 1 else None
    if "array" in data and isinstance(body, int) and 0 <= body < len(blobs):
        return npy_to_array(blobs[body], max_elements)
    if "list" in data and isinstance(body, list):
        return [decode(v, blobs, on_tag, max_elements) for v in body]
    if "dict" in data and isinstance(body, dict):
        return {k: decode(v, blobs, on_tag, max_elements) for k, v in body.items()}
    return on_tag(data)  # e.g. a handle to an object that stays in the child

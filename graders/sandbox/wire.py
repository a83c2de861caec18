"""The wire format between the grader and the sandboxed child: framed JSON plus raw blobs.

This module is also sent, as source text, to the child, so it imports only the
standard library and NumPy, and never anything from `graders`. NumPy is imported where
arrays are handled, not with the module: a check starts its child before the parent
has spent 0.05 s importing NumPy, and framing the child's "ready" needs none.

A frame is a 4-byte big-endian header length, a UTF-8 JSON header, then the
blobs whose byte lengths the header lists under "blobs". A value is encoded as
JSON where JSON can carry it, and an array as {"array": i, "dtype": "<f8", "shape":
[3, 4]}: blob i holds its raw bytes in C order (a 0-d array has the shape []). The
reader checks the fields itself, before allocating anything: no pickle, no .npy header.
"""

from __future__ import annotations

import json
import math
import struct
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    import numpy as np

HEADER_LIMIT = 1 << 20  # 1 MiB of JSON is far more than any honest reply needs
MAX_DEPTH = 64  # JSON nesting: an honest reply (lists of lists of arrays) needs a handful
MAX_DIMENSIONS = 32  # of an array (NumPy 1 allows no more)
# The only dtypes that cross, without byte order: bool, signed, unsigned and float numbers.
ARRAY_DTYPES = frozenset({"b1", "i1", "i2", "i4", "i8", "u1", "u2", "u4", "u8", "f2", "f4", "f8"})
# Each as a little-endian encoder spells it ("<f8", "|u1": one byte has no order): the
# reader looks a reply's string up here, and only one of these strings reaches np.dtype.
WIRE_DTYPES = frozenset(f"{'|' if code[1:] == '1' else '<'}{code}" for code in ARRAY_DTYPES)
_ARRAY_FIELDS = frozenset({"array", "dtype", "shape"})
_NAMES = "array, dtype and shape"
_LENGTH = struct.Struct(">I")


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
    import numpy as np

    codes = np.frombuffer(text, dtype=np.uint8)
    index = np.arange(len(codes))
    backslash = codes == ord("\\")
    last_other = np.maximum.accumulate(np.where(backslash, -1, index))  # last non-backslash
    escapes = index - 1 - np.concatenate(([-1], last_other[:-1]))  # backslashes just before
    quotes = (codes == ord('"')) & (escapes % 2 == 0)
    in_string = np.cumsum(quotes) % 2 == 1
    steps = np.isin(codes, list(b"[{")).astype(np.int64) - np.isin(codes, list(b"]}"))
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


def array_fields(array: np.ndarray, blobs: list[bytes]) -> dict:
    """Append a plain array's raw C-order bytes to `blobs`; return the fields that describe it."""
    # Python objects would need pickle: nothing but numbers crosses.
    if array.dtype.hasobject:
        raise WireError("it is an array of Python objects, not of numbers")
    dtype = array.dtype
    # The reader takes little-endian only: swap the bytes of a big-endian array of numbers.
    little = dtype.newbyteorder("<")
    if dtype.str not in WIRE_DTYPES and little.str in WIRE_DTYPES:
        array = array.astype(little)
    # Refused here with the reader's words, so an honest sender learns why at once.
    if array.dtype.str not in WIRE_DTYPES:
        raise WireError(f"arrays of dtype {dtype} are not accepted; return numbers")
    blobs.append(array.tobytes(order="C"))  # a copy in C order, whatever the array's strides
    return {"array": len(blobs) - 1, "dtype": array.dtype.str, "shape": list(array.shape)}


def array_from(fields: dict, blobs: list[bytes], max_elements: int) -> np.ndarray:
    """Read an array from its untrusted fields and blob, checking every field before allocating."""
    # Exactly these fields: an old {"array": i} or a forged "fortran_order" is not guessed at.
    if fields.keys() != _ARRAY_FIELDS:
        raise WireError(f"an array reply has the fields {sorted(fields)!r:.80}, not {_NAMES}")
    text, shape, index = fields["dtype"], fields["shape"], fields["array"]
    # The dtype is looked up, never parsed: a hostile string cannot name objects or records.
    if not isinstance(text, str):
        raise WireError(f"an array reply's dtype is a {type(text).__name__}, not a string")
    if text not in WIRE_DTYPES:
        raise WireError(f"arrays of dtype {text!r:.40} are not accepted; return numbers")
    import numpy as np

    dtype = np.dtype(text)
    # Python ints only (a bool is an int, a float is not a count), bounded one by one, so
    # the product below stays small and no dimension alone is absurd.
    if (
        type(shape) is not list
        or len(shape) > MAX_DIMENSIONS
        or not all(type(n) is int and 0 <= n <= max_elements for n in shape)
    ):
        raise WireError(f"an array reply declares the shape {shape!r:.80}, not one it may")
    count = math.prod(shape)  # Python integers: no 64-bit overflow wraps a giant to 0
    if count > max_elements:
        raise WireError(f"an array of {count} elements is over the {max_elements} limit")
    # Only a blob this reply carries (a bool is not an index).
    if type(index) is not int or not 0 <= index < len(blobs):
        raise WireError(f"an array reply names blob {index!r:.40}, not one of its {len(blobs)}")
    blob = blobs[index]
    # Exactly the bytes the shape needs: no short read, no trailing payload.
    if len(blob) != count * dtype.itemsize:
        raise WireError("an array reply's length does not match its header")
    # A copy: writeable, and not a view that keeps the whole reply alive.
    return np.frombuffer(blob, dtype=dtype, count=count).reshape(shape).copy()


def encode(value: Any, blobs: list[bytes], on_other: Callable[[Any], Any] | None = None) -> Any:
    """Turn a value into JSON-able data, appending arrays' bytes to `blobs`."""
    if value is None or isinstance(value, (bool, int, float, str)):
        return value
    import numpy as np

    if isinstance(value, (np.ndarray, np.generic)):
        # np.array(..., subok=False) drops any ndarray subclass: only numbers travel.
        return array_fields(np.array(value, subok=False), blobs)
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
    if "array" in data:
        # Each array once: else a small header could name one large blob a million times
        # and make us copy it each time (the blobs' total size is capped, not the copies).
        index = data.get("array")
        if isinstance(index, int) and index in used:
            raise WireError(f"the reply refers to array {index} more than once")
        array = array_from(data, blobs, max_elements)
        used.add(index)
        return array
    if "list" in data and isinstance(body, list):
        return [_decode(v, blobs, on_tag, max_elements, used) for v in body]
    if "dict" in data and isinstance(body, dict):
        return {k: _decode(v, blobs, on_tag, max_elements, used) for k, v in body.items()}
    return on_tag(data)  # e.g. a handle to an object that stays in the child

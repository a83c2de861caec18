"""The wire format refuses anything but plain numbers: no objects, no pickles, no giants.

An array crosses as {"array": i, "dtype": "<f8", "shape": [3, 4]} and blob i holds its raw
bytes. The child is hostile, so every field is an attack surface: these tests forge them.
"""

from __future__ import annotations

import json
import pickle
import re
import subprocess
import sys

import numpy as np
import pytest

from graders.sandbox.wire import (
    MAX_DIMENSIONS,
    WireError,
    array_fields,
    array_from,
    decode,
    encode,
    frame,
    loads,
    nesting_depth,
    split_frame,
)


def forged(dtype: object = "<f8", shape: object = (1,), index: object = 0) -> dict:
    """The fields of an array reply, as a hostile child might write them."""
    return {
        "array": index,
        "dtype": dtype,
        "shape": list(shape) if isinstance(shape, tuple) else shape,
    }


def round_trip(array: np.ndarray, max_elements: int = 100) -> np.ndarray:
    blobs: list[bytes] = []
    fields = json.loads(json.dumps(array_fields(array, blobs)))  # as it crosses
    return array_from(fields, blobs, max_elements)


def no_tags(data: dict) -> None:
    raise WireError(f"unexpected tag {sorted(data)}")


@pytest.mark.parametrize(
    "array",
    [
        np.arange(6.0).reshape(2, 3),
        np.array([1, 2], np.int32),
        np.array([True, False]),
        np.arange(5, dtype=np.uint8),
        np.array([-1, 7], np.int8),
        np.array([0.5, 2.0], np.float16),
        np.arange(4, dtype=np.uint64).reshape(2, 1, 2),
        np.array(3.5),
        np.zeros((0, 3)),
    ],
    ids=["f8", "i4", "b1", "u1", "i1", "f2", "u8-3d", "0-d", "empty-0x3"],
)
def test_round_trip_keeps_dtype_shape_and_values(array):
    back = round_trip(array)
    assert back.dtype == array.dtype
    assert back.shape == array.shape
    assert np.array_equal(back, array)


def test_the_fields_are_dtype_shape_and_the_raw_c_order_bytes():
    blobs = [b"before"]
    array = np.arange(12.0).reshape(3, 4)
    assert array_fields(array, blobs) == {"array": 1, "dtype": "<f8", "shape": [3, 4]}
    assert blobs[1] == array.tobytes()
    assert array_fields(np.array(7, np.int16), blobs) == {"array": 2, "dtype": "<i2", "shape": []}
    assert blobs[2] == b"\x07\x00"


def test_a_zero_dimensional_array_crosses_with_an_empty_shape():
    back = round_trip(np.array(3.5))
    assert back.shape == ()
    assert back.dtype == np.float64
    assert float(back) == 3.5


def test_zero_sized_arrays_still_cross():
    assert round_trip(np.zeros((0, 3)), 10).shape == (0, 3)
    assert array_from(forged("<f8", (0, 3)), [b""], 10).shape == (0, 3)


@pytest.mark.parametrize(
    "array",
    [
        np.arange(12.0).reshape(3, 4).T,
        np.arange(24).reshape(4, 6)[::2, 1::3],
        np.asfortranarray(np.ones((2, 5))),
    ],
    ids=["transposed", "strided", "fortran"],
)
def test_non_contiguous_arrays_cross_in_c_order(array):
    back = round_trip(array)
    assert back.dtype == array.dtype
    assert np.array_equal(back, array)


@pytest.mark.parametrize("dtype", [">f8", ">i4", ">u2", ">f2"])
def test_numbers_in_either_byte_order_cross(dtype):
    big = np.arange(3, dtype=dtype)
    blobs: list[bytes] = []
    fields = array_fields(big, blobs)
    assert fields["dtype"][0] == "<"  # converted, so the reader's rule holds
    back = array_from(fields, blobs, 10)
    assert back.tolist() == [0, 1, 2]
    assert back.dtype.kind == big.dtype.kind
    assert back.dtype.itemsize == big.dtype.itemsize


def test_the_result_is_writeable_and_owns_its_memory():
    blob = np.arange(6.0).tobytes()
    back = array_from(forged("<f8", (2, 3)), [blob], 100)
    assert back.flags.writeable
    assert back.flags.owndata
    assert back.base is None
    back[0, 0] = 42.0  # never a view of the reply's bytes
    assert np.frombuffer(blob)[0] == 0.0


def test_object_array_is_refused_on_both_sides():
    with pytest.raises(WireError, match="Python objects"):
        array_fields(np.array([object()]), [])
    with pytest.raises(WireError, match="not accepted"):
        array_from(forged("|O"), [pickle.dumps([1])], 100)


@pytest.mark.parametrize(
    ("array", "said"),
    [
        (np.array([1 + 2j]), "arrays of dtype complex128 are not accepted; return numbers"),
        (np.array(["abc"]), "arrays of dtype <U3 are not accepted; return numbers"),
        (np.array([1], "M8[s]"), "arrays of dtype datetime64[s] are not accepted; return numbers"),
        (np.zeros(1, [("a", "<f8")]), "are not accepted; return numbers"),
    ],
    ids=["complex", "unicode", "datetime", "structured"],
)
def test_arrays_of_anything_but_numbers_refuse_to_encode(array, said):
    with pytest.raises(WireError, match=re.escape(said)):
        array_fields(array, [])


@pytest.mark.parametrize(
    "dtype",
    [
        "|O",
        "O",
        "<O8",
        "<U3",
        "|S4",
        "<c16",
        "<c8",
        "<f16",
        "|V8",
        "<M8[s]",
        "<m8[s]",
        ">f8",
        ">i4",
        "=f8",
        "=i8",
        "f8",
        "float64",
        "d",
        "<f8,<f8",
        "[('a', '<f8')]",
        "(2,)<f8",
        "<f8 ",
        " <f8",
        "<F8",
        "|f8",
        "<b1",
        "<i1",
        "|i8",
        "<f8\x00",
        "",
        "<",
    ],
)
def test_only_plain_little_endian_numbers_cross(dtype):
    # Each in the spelling a hostile child might try; only what a little-endian encoder
    # writes for bool, int, uint and float is read.
    with pytest.raises(WireError, match="not accepted"):
        array_from(forged(dtype), [b"\0" * 16], 100)


@pytest.mark.parametrize(
    "dtype",
    [8, None, True, 8.0, ["<f8"], {"descr": "<f8"}, [["a", "<f8"]]],
    ids=["int", "null", "bool", "float", "list", "object", "structured-list"],
)
def test_a_dtype_that_is_not_a_string_is_refused(dtype):
    with pytest.raises(WireError, match="dtype"):
        array_from(forged(dtype), [b"\0" * 8], 100)


@pytest.mark.parametrize(
    ("shape", "max_elements"),
    [
        ((2**32, 2**32), 2**40),  # 2**64 wraps to 0 in int64: an empty blob would match
        ((2**32, 2**32, 2**32), 2**40),
        ((2**21,) * 3, 2**62),  # 2**63 wraps negative in int64
        ((0, 2**64), 2**40),
        ((2**63,), 2**40),
        ((10**6, 10**6), 10**6),
        ((40, 40), 1000),
        ((1001,), 1000),
    ],
    ids=["wraps-to-zero", "wraps-to-zero-3d", "wraps-negative", "zero-product-huge-dim",
         "int64-max", "giant", "over-limit", "dimension-over-limit"],
)  # fmt: skip
def test_an_overflowing_or_giant_shape_is_refused_before_any_allocation(shape, max_elements):
    with pytest.raises(WireError, match=r"over the|declares the shape"):
        array_from(forged("<f8", shape), [b""], max_elements)


@pytest.mark.parametrize(
    "shape",
    [[-1, 4], [True, 3], [3, False], [3.0], [2.5], ["3"], [None], [[3]], [3, {"n": 1}],
     [1] * (MAX_DIMENSIONS + 1), [1] * 40, "3", 3, None, {"0": 3}, True],
    ids=["negative", "bool", "false", "float", "fraction", "string", "null", "nested", "object",
         "one-too-many-dims", "40-dims", "string-shape", "int-shape", "null-shape",
         "object-shape", "bool-shape"],
)  # fmt: skip
def test_a_shape_that_is_not_a_short_list_of_counts_is_refused(shape):
    with pytest.raises(WireError, match="declares the shape"):
        array_from(forged("<f8", shape), [b"\0" * 8], 100)


def test_as_many_dimensions_as_allowed_cross():
    shape = (1,) * MAX_DIMENSIONS
    assert array_from(forged("<f8", shape), [b"\0" * 8], 100).shape == shape


@pytest.mark.parametrize(
    "index", [-1, 1, 2**64, True, False, 0.0, "0", None, [0]],
    ids=["negative", "past-the-end", "huge", "true", "false", "float", "string", "null", "list"],
)  # fmt: skip
def test_a_blob_index_that_is_not_one_of_the_blobs_is_refused(index):
    with pytest.raises(WireError, match="blob"):
        array_from(forged("<f8", (1,), index), [b"\0" * 8], 100)


@pytest.mark.parametrize(
    "length", [7, 9, 0, 16], ids=["byte-short", "byte-long", "empty", "double"]
)
def test_length_must_match_the_header(length):
    with pytest.raises(WireError, match="does not match"):
        array_from(forged("<f8", (1,)), [b"\0" * length], 100)


def test_a_declared_giant_with_no_bytes_is_refused_without_allocating():
    # 2**40 doubles would be 8 TiB: the length is compared before anything is built.
    with pytest.raises(WireError, match="does not match"):
        array_from(forged("<f8", (2**20, 2**20)), [b""], 2**40)


@pytest.mark.parametrize(
    "fields",
    [
        {"array": 0},
        {"array": 0, "dtype": "<f8"},
        {"array": 0, "shape": [1]},
        {"array": 0, "dtype": "<f8", "shape": [1], "fortran_order": True},
        {"array": 0, "dtype": "<f8", "shape": [1], "offset": 4},
    ],
    ids=["old-format", "no-shape", "no-dtype", "fortran", "offset"],
)
def test_an_array_with_missing_or_extra_fields_is_refused(fields):
    with pytest.raises(WireError, match="fields"):
        decode(fields, [b"\0" * 8], no_tags, 100)


def test_encode_and_decode_carry_arrays_inside_lists_and_dicts():
    value = {"w": [np.arange(6.0).reshape(2, 3), np.array(2, np.int64)], "n": 3, "s": "x"}
    blobs: list[bytes] = []
    data = json.loads(json.dumps(encode(value, blobs)))
    assert data["dict"]["w"]["list"][0] == {"array": 0, "dtype": "<f8", "shape": [2, 3]}
    back = decode(data, blobs, no_tags, 100)
    assert np.array_equal(back["w"][0], value["w"][0])
    assert back["w"][1].shape == ()
    assert int(back["w"][1]) == 2
    assert (back["n"], back["s"]) == (3, "x")


def test_a_forged_frame_is_refused_through_decode():
    blob = b"\0" * 8
    data = frame({"value": forged("<f8", (2**32, 2**32, 2**32))}, [blob])
    header, blobs, _ = split_frame(data, 100)
    with pytest.raises(WireError, match="declares the shape"):
        decode(header["value"], blobs, no_tags, 10**6)


def test_pickled_bytes_never_become_an_array():
    blob = pickle.dumps(np.zeros(3))
    with pytest.raises(WireError, match="does not match"):
        array_from(forged("<f8", (3,)), [blob], 100)


def test_frames_split_and_refuse_oversize():
    data = frame({"op": "reply"}, [b"abc", b"de"])
    assert split_frame(data[:5], 100) is None
    header, blobs, used = split_frame(data + b"next", 100)
    assert header["op"] == "reply"
    assert blobs == [b"abc", b"de"]
    assert used == len(data)
    with pytest.raises(WireError, match="over the"):
        split_frame(data, 3)
    with pytest.raises(WireError, match="invalid JSON"):
        split_frame(b"\x00\x00\x00\x03abc", 100)


@pytest.mark.parametrize(
    ("text", "depth"),
    [
        (b'{"a": [1, {"b": "[[[["}]}', 3),
        (b'"\\"[[{{"', 0),
        (b'["\\\\", [[1]]]', 3),
        (b'["\\\\\\"[[", [1]]', 2),
        (b"[" * 100_000 + b"]" * 100_000, 100_000),
        (b"", 0),
    ],
    ids=["brackets-in-strings", "escaped-quote", "escaped-backslash", "both", "deep", "empty"],
)
def test_nesting_depth_counts_brackets_outside_strings(text, depth):
    assert nesting_depth(text) == depth


def test_nesting_depth_is_linear_on_an_unterminated_string():
    # A regex for strings backtracks quadratically here; the count must not.
    assert nesting_depth(b'"' + b'\\"' * 400_000 + b"[[") == 0


def test_a_reply_nested_100000_deep_is_refused_before_parsing():
    deep = b'{"op": "reply", "ok": true, "value": ' + b"[" * 100_000 + b"]" * 100_000 + b"}"
    with pytest.raises(WireError, match="reply header is nested 100001 levels deep"):
        split_frame(len(deep).to_bytes(4, "big") + deep, 100)
    header, _, _ = split_frame(frame({"value": [[[[1]]]]}), 100)
    assert header["value"] == [[[[1]]]]


def test_loads_refuses_deep_or_broken_json_with_a_wire_error():
    assert loads(b'{"cells": []}', "notebook") == {"cells": []}
    with pytest.raises(WireError, match="notebook is nested 65 levels deep, over the limit of 64"):
        loads(b"[" * 65 + b"]" * 65, "notebook")
    with pytest.raises(WireError, match="notebook is invalid JSON"):
        loads(b"[" * 60 + b"nope", "notebook")


def test_an_array_referred_to_many_times_is_refused():
    # A reply may hold 256 MB of arrays; one of them named 100,000 times in a 1 MB header
    # would make the parent copy 25 TB. (Here: 8 kB named 10,000 times.)
    blobs: list[bytes] = []
    fields = array_fields(np.zeros(1000), blobs)
    with pytest.raises(WireError, match="refers to array 0 more than once"):
        decode({"list": [fields] * 10_000}, blobs, lambda tag: tag, 10**6)
    assert [a.shape for a in decode({"list": [fields]}, blobs, dict, 10**6)] == [(1000,)]


def test_starting_a_child_needs_no_numpy_in_the_parent():
    """`check` launches the child before it imports NumPy (0.05 s): what reads the
    submission, chooses the level and speaks the wire must not import it."""
    code = (
        "import sys\n"
        "from graders.cli import parser\n"
        "parser()\n"
        "import graders.sandbox.isolation, graders.sandbox.runner, graders.submission\n"
        "import graders.specfile, graders.threads\n"
        "from graders.sandbox.wire import frame, split_frame\n"
        "split_frame(frame({'op': 'ready', 'ok': True}), 1 << 20)\n"
        "print('numpy' in sys.modules)\n"
    )
    done = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, timeout=120, check=False
    )
    assert (done.returncode, done.stdout.strip()) == (0, "False"), done.stderr

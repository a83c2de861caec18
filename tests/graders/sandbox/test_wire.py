"""The wire format refuses anything but plain numbers: no objects, no pickles, no giants."""

from __future__ import annotations

import io
import pickle

import numpy as np
import pytest

from graders.sandbox.wire import (
    WireError,
    array_to_npy,
    decode,
    frame,
    loads,
    nesting_depth,
    npy_to_array,
    split_frame,
)


def npy_with_header(dtype_descr: str, shape: tuple, payload: bytes = b"") -> bytes:
    out = io.BytesIO()
    header = {"descr": dtype_descr, "fortran_order": False, "shape": shape}
    np.lib.format.write_array_header_1_0(out, header)
    return out.getvalue() + payload


def test_round_trip_keeps_dtype_shape_and_values():
    for array in (np.arange(6.0).reshape(2, 3), np.array([1, 2], np.int32), np.array(3.5)):
        back = npy_to_array(array_to_npy(array), 100)
        assert back.dtype == array.dtype
        assert np.array_equal(back, array)


def test_object_array_is_refused_on_both_sides():
    with pytest.raises(WireError, match="Python objects"):
        array_to_npy(np.array([object()]))
    with pytest.raises(WireError, match="not accepted"):
        npy_to_array(npy_with_header("|O", (1,), pickle.dumps([1])), 100)


def test_structured_and_string_dtypes_are_refused():
    for descr in ("<U3", "|S4", "<c16"):
        with pytest.raises(WireError):
            npy_to_array(npy_with_header(descr, (1,), b"\0" * 16), 100)


def test_pickled_bytes_are_not_npy():
    with pytest.raises(WireError, match=r"not valid \.npy"):
        npy_to_array(pickle.dumps(np.zeros(3)), 100)


def test_declared_giant_shape_is_refused_before_allocation():
    with pytest.raises(WireError, match="over the"):
        npy_to_array(npy_with_header("<f8", (10**6, 10**6)), 10**6)


def test_length_must_match_the_header():
    with pytest.raises(WireError, match="does not match"):
        npy_to_array(npy_with_header("<f8", (4,), b"\0" * 8), 100)


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


@pytest.mark.parametrize(
    "shape",
    [(2**32, 2**32, 2**32), (2**64, 0), (2**63,), (-1, 4), (2**40, 2**40), (1,) * 40],
    ids=["wraps-to-zero", "zero-product-huge-dim", "int64-max", "negative", "huge", "40-dims"],
)
def test_an_overflowing_or_negative_shape_is_refused_before_any_allocation(shape):
    header = str({"descr": "<f8", "fortran_order": False, "shape": shape})
    header += " " * (63 - (10 + len(header)) % 64) + "\n"
    blob = b"\x93NUMPY\x01\x00" + len(header).to_bytes(2, "little") + header.encode()
    with pytest.raises(WireError):
        npy_to_array(blob, 10**6)


def test_zero_sized_arrays_still_cross():
    assert npy_to_array(array_to_npy(np.zeros((0, 3))), 10).shape == (0, 3)


@pytest.mark.parametrize("descr", ["<f16", "<c8", "|V8", "<M8[s]", "<m8[s]", [("a", "<f8")]])
def test_only_plain_numbers_cross(descr):
    with pytest.raises(WireError, match="not accepted"):
        npy_to_array(npy_with_header(descr, (1,), b"\0" * 16), 100)


def test_numbers_in_either_byte_order_cross():
    big = np.arange(3, dtype=">f8")
    assert npy_to_array(array_to_npy(big), 10).tolist() == [0.0, 1.0, 2.0]


def test_an_array_referred_to_many_times_is_refused():
    # A reply may hold 256 MB of arrays; one of them named 100,000 times in a 1 MB header
    # would make the parent copy 25 TB. (Here: 8 kB named 10,000 times.)
    blobs = [array_to_npy(np.zeros(1000))]
    header = {"list": [{"array": 0}] * 10_000}
    with pytest.raises(WireError, match="refers to array 0 more than once"):
        decode(header, blobs, lambda tag: tag, 10**6)
    assert [a.shape for a in decode({"list": [{"array": 0}]}, blobs, dict, 10**6)] == [(1000,)]

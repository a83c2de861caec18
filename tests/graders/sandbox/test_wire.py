"""The wire format refuses anything but plain numbers: no objects, no pickles, no giants."""

from __future__ import annotations

import io
import pickle

import numpy as np
import pytest

from graders.sandbox.wire import WireError, array_to_npy, frame, npy_to_array, split_frame


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
    with pytest.raises(WireError, match="not JSON"):
        split_frame(b"\x00\x00\x00\x03abc", 100)

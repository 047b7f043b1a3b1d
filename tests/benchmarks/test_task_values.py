"""The tagged JSON codec: every carried type round-trips exactly, nothing else passes."""

import math

import numpy as np
import pytest

from benchmarks import values


ROUND_TRIP = [
    None,
    True,
    0,
    -(2**100),
    1.5,
    -0.0,
    "text with $ and \u00e9",
    b"\x00\xff",
    bytearray(b"ab"),
    complex(1.5, -2),
    [1, [2, (3, 4)], {"a": 1}],
    (1, "a", None),
    {1: "int key", (1, 2): "tuple key", "s": 3},
    {"$looks_like_a_tag": 1},
    {"$float": 1, "other": 2},
    {1, 2, 3},
    frozenset({"a"}),
    [],
    (),
    {},
]


@pytest.mark.parametrize("value", ROUND_TRIP, ids=repr)
def test_round_trip_keeps_value_and_type(value):
    back = values.loads(values.dumps(value))
    assert back == value
    assert type(back) is type(value)
    if isinstance(value, float):
        assert math.copysign(1, back) == math.copysign(1, value)


def test_nested_types_survive():
    value = {"k": [(1, {2}), frozenset({(3,)})]}
    back = values.loads(values.dumps(value))
    assert type(back["k"][0]) is tuple and type(back["k"][0][1]) is set
    assert type(next(iter(back["k"][1]))) is tuple


def test_special_floats():
    nan, inf, ninf = values.loads(values.dumps([float("nan"), float("inf"), float("-inf")]))
    assert math.isnan(nan) and inf == math.inf and ninf == -math.inf
    assert "NaN" not in values.dumps(float("nan"))


def test_numpy_arrays_and_scalars():
    arr = np.arange(12, dtype=np.float32).reshape(3, 4)[:, ::2]  # not contiguous
    back = values.loads(values.dumps(arr))
    assert back.dtype == np.float32 and back.shape == (3, 2)
    np.testing.assert_array_equal(back, arr)
    back[0, 0] = 7  # a writable private copy
    scalar = values.loads(values.dumps(np.int16(-3)))
    assert scalar == -3 and scalar.dtype == np.int16


@pytest.mark.parametrize("value", [object(), len, np.array([object()]), type("L", (list,), {})()], ids=repr)
def test_unsupported_types_refused(value):
    with pytest.raises(values.EncodeError):
        values.dumps(value)


@pytest.mark.parametrize(
    "text",
    [
        "NaN",
        '{"$pickle": "gASV"}',
        '{"$set": [[1]]}',
        '{"$bytes": "not base64!"}',
        '{"$ndarray": {"dtype": "|O", "shape": [1], "data": ""}}',
        '{"$ndarray": {"dtype": "<f8", "shape": [2], "data": "AAAAAAAAAAA="}}',
        '{"$a": 1, "$b": 2}',
        "{not json",
    ],
)
def test_malformed_or_unsafe_input_refused(text):
    with pytest.raises(values.DecodeError):
        values.loads(text)


def test_codec_is_stdlib_only():
    # the harness ships this file into the sandbox: it may import nothing outside the stdlib
    import ast
    import sys
    from pathlib import Path

    tree = ast.parse(Path(values.__file__).read_text())
    imported = {
        alias.name.split(".")[0]
        for node in ast.walk(tree)
        if isinstance(node, ast.Import)
        for alias in node.names
    } | {node.module.split(".")[0] for node in ast.walk(tree) if isinstance(node, ast.ImportFrom) and node.module}
    imported -= {"__future__", "numpy"}  # numpy only when an array is actually sent
    assert imported <= set(sys.stdlib_module_names), imported - set(sys.stdlib_module_names)

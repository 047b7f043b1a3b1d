"""A tagged JSON codec for the values that cross the sandbox boundary.

Standard library only: the harness inside the sandbox imports this very file.
Nothing here ever unpickles or evaluates; decoding builds values only from the
tags below, so the host can read what a candidate produced without trusting it.

=============  =======================================================
Python value   JSON form
=============  =======================================================
None, bool     ``null``, ``true`` / ``false``
int            a JSON integer (any size)
float          a JSON number; ``{"$float": "nan" | "inf" | "-inf"}``
str            a JSON string
list           a JSON array
dict           a JSON object when every key is a str not starting with
               ``$``; otherwise ``{"$dict": [[key, value], ...]}``
tuple          ``{"$tuple": [...]}``
set            ``{"$set": [...]}``, frozenset ``{"$frozenset": [...]}``
bytes          ``{"$bytes": "<base64>"}`` (bytearray: ``$bytearray``)
complex        ``{"$complex": [real, imag]}`` (parts encoded as floats)
numpy.ndarray  ``{"$ndarray": {"dtype": "<f8", "shape": [...], "data": "<base64>"}}``
numpy scalar   ``{"$npscalar": {"dtype": "<i8", "data": "<base64>"}}``
=============  =======================================================

A tagged value is always a JSON object with exactly one key starting with ``$``.
"""

from __future__ import annotations

import base64
import json
import math

TYPE_CHECKING = False
if TYPE_CHECKING:  # typing costs start-up in the sandbox's harness: annotations only
    from typing import Any

__all__ = ["EncodeError", "DecodeError", "encode", "decode", "dumps", "loads"]


class EncodeError(TypeError):
    """A value of a type the codec does not carry."""


class DecodeError(ValueError):
    """Text that is not a valid tagged value."""


def _float(value: float) -> Any:
    if math.isnan(value):
        return {"$float": "nan"}
    if math.isinf(value):
        return {"$float": "inf" if value > 0 else "-inf"}
    return value


def _numpy():
    # numpy is optional: values without arrays must not pay for importing it
    import sys

    return sys.modules.get("numpy")


def encode(value: Any) -> Any:
    """The JSON-ready form of ``value``; raises :class:`EncodeError` for other types."""
    # exact type checks: a subclass (bool of int, a user's list subclass) must not pass as its base
    kind = type(value)
    if value is None or kind is bool or kind is int or kind is str:
        return value
    if kind is float:
        return _float(value)
    if kind is list:
        return [encode(v) for v in value]
    if kind is tuple:
        return {"$tuple": [encode(v) for v in value]}
    if kind is dict:
        if all(type(k) is str and not k.startswith("$") for k in value):
            return {k: encode(v) for k, v in value.items()}
        return {"$dict": [[encode(k), encode(v)] for k, v in value.items()]}
    if kind is set or kind is frozenset:
        return {"$" + kind.__name__: [encode(v) for v in value]}
    if kind is bytes or kind is bytearray:
        return {"$" + kind.__name__: base64.b64encode(bytes(value)).decode("ascii")}
    if kind is complex:
        return {"$complex": [_float(value.real), _float(value.imag)]}
    np = _numpy()
    if np is not None:
        if isinstance(value, np.ndarray):
            if value.dtype.hasobject:
                raise EncodeError("numpy arrays of dtype object are not supported")
            data = np.ascontiguousarray(value).tobytes()
            return {
                "$ndarray": {
                    "dtype": value.dtype.str,
                    "shape": list(value.shape),
                    "data": base64.b64encode(data).decode("ascii"),
                }
            }
        if isinstance(value, np.generic):
            return {
                "$npscalar": {
                    "dtype": value.dtype.str,
                    "data": base64.b64encode(value.tobytes()).decode("ascii"),
                }
            }
    raise EncodeError(f"values of type {kind.__module__}.{kind.__qualname__} cannot cross the sandbox boundary")


def _b64(text: Any) -> bytes:
    if not isinstance(text, str):
        raise DecodeError("base64 payload must be a string")
    try:
        return base64.b64decode(text, validate=True)
    except ValueError as exc:
        raise DecodeError(f"bad base64 payload: {exc}") from None


def _decode_float(text: Any) -> float:
    if isinstance(text, (int, float)) and not isinstance(text, bool):
        return float(text)
    if text in ("nan", "inf", "-inf"):
        return float(text)
    raise DecodeError(f"bad float {text!r}")


def _import_numpy():
    try:
        import numpy
    except ImportError:  # pragma: no cover - numpy is a dependency of the host
        raise DecodeError("an array was sent but numpy is not installed here") from None
    return numpy


def _decode_tag(tag: str, body: Any) -> Any:
    if tag == "$float":
        return _decode_float(body)
    if tag in ("$tuple", "$set", "$frozenset"):
        if not isinstance(body, list):
            raise DecodeError(f"{tag} needs a list")
        items = [decode(v) for v in body]
        try:
            return {"$tuple": tuple, "$set": set, "$frozenset": frozenset}[tag](items)
        except TypeError as exc:  # an unhashable member of a set
            raise DecodeError(f"{tag}: {exc}") from None
    if tag == "$dict":
        if not isinstance(body, list) or not all(isinstance(p, list) and len(p) == 2 for p in body):
            raise DecodeError("$dict needs a list of [key, value] pairs")
        try:
            return {decode(k): decode(v) for k, v in body}
        except TypeError as exc:
            raise DecodeError(f"$dict: {exc}") from None
    if tag == "$bytes":
        return _b64(body)
    if tag == "$bytearray":
        return bytearray(_b64(body))
    if tag == "$complex":
        if not isinstance(body, list) or len(body) != 2:
            raise DecodeError("$complex needs [real, imag]")
        return complex(_decode_float(_untag_float(body[0])), _decode_float(_untag_float(body[1])))
    if tag in ("$ndarray", "$npscalar"):
        if not isinstance(body, dict) or not isinstance(body.get("dtype"), str):
            raise DecodeError(f"{tag} needs an object with dtype and data")
        np = _import_numpy()
        try:
            dtype = np.dtype(body["dtype"])
        except TypeError as exc:
            raise DecodeError(f"{tag}: bad dtype {body['dtype']!r}: {exc}") from None
        if dtype.hasobject:
            raise DecodeError(f"{tag}: object dtypes are refused")
        data = _b64(body.get("data"))
        if tag == "$npscalar":
            if len(data) != dtype.itemsize:
                raise DecodeError("$npscalar: data size does not match dtype")
            return np.frombuffer(data, dtype=dtype)[0]
        shape = body.get("shape")
        if not isinstance(shape, list) or not all(type(n) is int and n >= 0 for n in shape):
            raise DecodeError("$ndarray: bad shape")
        if math.prod(shape) * dtype.itemsize != len(data):
            raise DecodeError("$ndarray: data size does not match shape and dtype")
        # a private, writable copy: frombuffer alone would be read-only
        return np.frombuffer(data, dtype=dtype).reshape(shape).copy()
    raise DecodeError(f"unknown tag {tag!r}")


def _untag_float(value: Any) -> Any:
    if isinstance(value, dict) and set(value) == {"$float"}:
        return value["$float"]
    return value


def decode(data: Any) -> Any:
    """The Python value of a JSON-ready form made by :func:`encode`."""
    if data is None or isinstance(data, (bool, int, str)):
        return data
    if isinstance(data, float):
        return data
    if isinstance(data, list):
        return [decode(v) for v in data]
    if isinstance(data, dict):
        if len(data) == 1:
            (key,) = data
            if key.startswith("$"):
                return _decode_tag(key, data[key])
        if any(k.startswith("$") for k in data):
            raise DecodeError(f"a plain object may not have keys starting with '$': {sorted(data)[:3]}")
        return {k: decode(v) for k, v in data.items()}
    raise DecodeError(f"not a JSON value: {type(data).__name__}")


def dumps(value: Any) -> str:
    """Encode ``value`` as compact JSON text (no NaN literals: those are tagged)."""
    return json.dumps(encode(value), separators=(",", ":"), allow_nan=False)


def _no_constants(name: str) -> Any:
    raise DecodeError(f"bare {name} is not valid tagged JSON")


def loads(text: str | bytes) -> Any:
    """Decode JSON text made by :func:`dumps`; anything else raises :class:`DecodeError`."""
    try:
        data = json.loads(text, parse_constant=_no_constants)
    except json.JSONDecodeError as exc:
        raise DecodeError(f"not JSON: {exc}") from None
    return decode(data)

"""The judge <-> worker wire format: length-prefixed JSON frames carrying plain data only.

A frame is an 8-byte big-endian length followed by that many bytes of UTF-8 JSON. Values
are encoded with :func:`encode` and rebuilt with :func:`decode`, which accepts only

* ``None``, ``bool``, ``int``, ``float``, ``str`` (JSON natives; strings capped in length),
* lists, and tagged objects ``{"__t__": ...}`` for tuples, dicts with string keys, ``...`` (Ellipsis), complex
  numbers, numpy scalars and numpy arrays (raw bytes in base64, a whitelisted dtype, a
  shape whose size matches the byte count exactly).

Nothing else is ever rebuilt: no pickle, no class lookup by name, so whatever the (untrusted)
worker sends, the judge receives numbers, strings, arrays and containers of them -- or a
:class:`WireError`. The same codec carries the judge's arguments to the worker.
"""

from __future__ import annotations

import base64
import json
import math
import os
import select
import time
from dataclasses import dataclass

import numpy as np

__all__ = ["WireError", "Unsupported", "Limits", "encode", "decode", "send_frame", "recv_frame"]

#: dtypes an array or numpy scalar may carry (little-endian, native sizes).
DTYPES = frozenset(
    {"|b1", "|i1", "<i2", "<i4", "<i8", "|u1", "<u2", "<u4", "<u8", "<f2", "<f4", "<f8", "<c8", "<c16"}
)


class WireError(Exception):
    """A frame or value that breaks the wire format (malformed, too large, a forbidden type)."""


@dataclass(frozen=True)
class Unsupported:
    """Stands for a value of a type the wire does not carry (the worker names the type)."""

    type_name: str


@dataclass(frozen=True)
class Limits:
    """Caps applied by :func:`decode` (defaults suit every registered exercise)."""

    max_depth: int = 32
    max_items: int = 1_000_000  # list/tuple elements in total
    max_str: int = 200_000  # characters per string
    max_array_bytes: int = 64 * 2**20
    max_ndim: int = 8


# ---------------------------------------------------------------------------
# Encoding (either side)
# ---------------------------------------------------------------------------
def _dtype_str(dt: np.dtype) -> str | None:
    """The little-endian dtype string of ``dt`` if it is whitelisted, else None."""
    s = dt.newbyteorder("<").str if dt.itemsize > 1 else dt.str
    return s if s in DTYPES else None


def encode(obj, depth: int = 0):
    """Turn ``obj`` into JSON-able data; types the wire cannot carry become an ``unsupported`` tag."""
    if depth > 40:
        return {"__t__": "unsupported", "type": "a too deeply nested container"}
    if obj is None or isinstance(obj, (bool, str)):
        return obj
    if isinstance(obj, int) and type(obj) is int:
        return obj
    if isinstance(obj, float) and type(obj) is float:
        if math.isfinite(obj):
            return obj
        return {"__t__": "float", "repr": repr(obj)}
    if obj is Ellipsis:
        return {"__t__": "ellipsis"}
    if isinstance(obj, complex) and type(obj) is complex:
        return {"__t__": "complex", "re": encode(obj.real), "im": encode(obj.imag)}
    if isinstance(obj, range):
        return [encode(x, depth + 1) for x in obj] if len(obj) <= 10_000_000 else {"__t__": "unsupported", "type": "range"}
    if not isinstance(obj, (np.ndarray, np.generic)) and hasattr(obj, "__array__"):
        try:  # array-likes (masked arrays, pandas, ...) travel as the plain array numpy makes of them
            obj = np.asarray(obj)
        except Exception:  # noqa: BLE001 -- the learner's object may raise anything
            return {"__t__": "unsupported", "type": type(obj).__name__[:80]}
    if isinstance(obj, (np.ndarray, np.generic)):
        arr = np.asarray(obj)
        dt = _dtype_str(arr.dtype)
        if dt is None:
            return {"__t__": "unsupported", "type": f"a numpy {'array' if isinstance(obj, np.ndarray) else 'scalar'} of dtype {arr.dtype}"}
        data = np.ascontiguousarray(arr, dtype=np.dtype(dt)).tobytes()
        return {
            "__t__": "nd" if isinstance(obj, np.ndarray) else "np",
            "dtype": dt,
            "shape": list(arr.shape),
            "data": base64.b64encode(data).decode("ascii"),
        }
    if type(obj) is list:
        return [encode(x, depth + 1) for x in obj]
    if type(obj) is tuple:
        return {"__t__": "tuple", "items": [encode(x, depth + 1) for x in obj]}
    if type(obj) is dict and all(type(k) is str and len(k) <= 200 for k in obj):
        return {"__t__": "dict", "keys": list(obj), "items": [encode(v, depth + 1) for v in obj.values()]}
    return {"__t__": "unsupported", "type": type(obj).__name__[:80]}


# ---------------------------------------------------------------------------
# Decoding (strict)
# ---------------------------------------------------------------------------
class _Budget:
    def __init__(self, limits: Limits):
        self.limits = limits
        self.items = 0

    def take(self, n: int) -> None:
        self.items += n
        if self.items > self.limits.max_items:
            raise WireError(f"more than {self.limits.max_items} items in one value")


def _array(d: dict, lim: Limits, scalar: bool):
    dt, shape, data = d.get("dtype"), d.get("shape"), d.get("data")
    if not isinstance(dt, str) or dt not in DTYPES:
        raise WireError(f"array dtype {str(dt)[:20]!r} is not allowed")
    if not isinstance(shape, list) or len(shape) > lim.max_ndim or not all(type(s) is int and 0 <= s for s in shape):
        raise WireError("array shape is malformed")
    if scalar and shape:
        raise WireError("a numpy scalar must have shape ()")
    if not isinstance(data, str) or len(data) > lim.max_array_bytes * 4 // 3 + 8:
        raise WireError("array data is missing or too large")
    try:
        raw = base64.b64decode(data.encode("ascii"), validate=True)
    except Exception:
        raise WireError("array data is not valid base64") from None
    dtype = np.dtype(dt)
    size = math.prod(shape)
    if size * dtype.itemsize != len(raw):
        raise WireError("array byte count does not match its shape and dtype")
    arr = np.frombuffer(raw, dtype=dtype).reshape(shape).astype(dtype.newbyteorder("="), copy=True)
    return arr[()] if scalar else arr


def decode(obj, limits: Limits | None = None, _depth: int = 0, _budget: _Budget | None = None):
    """Rebuild a value produced by :func:`encode`; anything else raises :class:`WireError`."""
    lim = limits or Limits()
    budget = _budget or _Budget(lim)
    if _depth > lim.max_depth:
        raise WireError("value nested too deeply")
    if obj is None or isinstance(obj, bool):
        return obj
    if type(obj) is int:
        return obj
    if type(obj) is float:
        return obj
    if type(obj) is str:
        if len(obj) > lim.max_str:
            raise WireError(f"a string longer than {lim.max_str} characters")
        return obj
    if type(obj) is list:
        budget.take(len(obj))
        return [decode(x, lim, _depth + 1, budget) for x in obj]
    if type(obj) is dict:
        tag = obj.get("__t__")
        if tag == "tuple" and type(obj.get("items")) is list:
            budget.take(len(obj["items"]))
            return tuple(decode(x, lim, _depth + 1, budget) for x in obj["items"])
        if tag == "dict" and type(obj.get("keys")) is list and type(obj.get("items")) is list:
            keys, items = obj["keys"], obj["items"]
            if len(keys) != len(items) or not all(type(k) is str and len(k) <= 200 for k in keys):
                raise WireError("malformed dict")
            budget.take(len(items))
            return {k: decode(v, lim, _depth + 1, budget) for k, v in zip(keys, items)}
        if tag == "ellipsis":
            return Ellipsis
        if tag == "float" and obj.get("repr") in ("nan", "inf", "-inf"):
            return float(obj["repr"])
        if tag == "complex":
            re_, im = decode(obj.get("re"), lim, _depth + 1, budget), decode(obj.get("im"), lim, _depth + 1, budget)
            if type(re_) not in (int, float) or type(im) not in (int, float):
                raise WireError("malformed complex number")
            return complex(re_, im)
        if tag in ("nd", "np"):
            budget.take(1)
            return _array(obj, lim, scalar=tag == "np")
        if tag == "unsupported":
            name = obj.get("type")
            return Unsupported(name[:80] if isinstance(name, str) else "unknown")
    raise WireError(f"a value of a kind the wire does not carry ({type(obj).__name__})")


# ---------------------------------------------------------------------------
# Framing
# ---------------------------------------------------------------------------
MAX_FRAME = 96 * 2**20


def send_frame(fd: int, message: dict) -> None:
    """Write one frame (blocking)."""
    payload = json.dumps(message, allow_nan=False).encode("utf-8")
    data = len(payload).to_bytes(8, "big") + payload
    view = memoryview(data)
    while view:
        n = os.write(fd, view)
        view = view[n:]


def _read_exact(fd: int, n: int, deadline: float | None) -> bytes:
    chunks, got = [], 0
    while got < n:
        if deadline is not None:
            left = deadline - time.monotonic()
            if left <= 0:
                raise TimeoutError
            ready, _, _ = select.select([fd], [], [], left)
            if not ready:
                raise TimeoutError
        chunk = os.read(fd, min(n - got, 1 << 20))
        if not chunk:
            raise EOFError("the other side closed the pipe")
        chunks.append(chunk)
        got += len(chunk)
    return b"".join(chunks)


def recv_frame(fd: int, deadline: float | None = None, max_frame: int = MAX_FRAME) -> dict:
    """Read one frame; ``TimeoutError`` past ``deadline`` (monotonic), ``EOFError`` if closed, else ``WireError``."""
    n = int.from_bytes(_read_exact(fd, 8, deadline), "big")
    if n > max_frame:
        raise WireError(f"a message of {n} bytes is larger than the {max_frame} byte cap")
    raw = _read_exact(fd, n, deadline)
    try:
        msg = json.loads(raw.decode("utf-8"))
    except (ValueError, RecursionError):
        raise WireError("a message that is not valid JSON") from None
    if type(msg) is not dict:
        raise WireError("a message that is not a JSON object")
    return msg

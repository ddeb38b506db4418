"""Input validation shared by every module.

Every public function of fepteach checks its inputs with these helpers so that a
learner who passes the wrong thing gets a ``ValueError`` that names the
parameter and says what was expected, instead of a traceback from deep inside
numpy.
"""

from __future__ import annotations

from typing import Iterable

import numpy as np

# Floor used inside logarithms, as in both reference codes (SPEC §4.4).
EPS = 1e-6


def as_float_array(name: str, value, ndim: int | Iterable[int] | None = None) -> np.ndarray:
    """Return ``value`` as a float64 array; check its number of dimensions and finiteness."""
    if value is None:
        raise ValueError(f"{name} is None; expected a numeric array")
    try:
        arr = np.asarray(value, dtype=float)
    except (TypeError, ValueError) as exc:
        raise ValueError(f"{name} must be numeric (an array of numbers); got {type(value).__name__}") from exc
    if ndim is not None:
        allowed = (ndim,) if isinstance(ndim, int) else tuple(ndim)
        if arr.ndim not in allowed:
            want = " or ".join(f"{d}-D" for d in allowed)
            raise ValueError(f"{name} must be {want}; got an array of shape {arr.shape}")
    if not np.all(np.isfinite(arr)):
        raise ValueError(f"{name} contains NaN or infinite values; expected finite numbers")
    return arr


def check_shape(name: str, arr: np.ndarray, shape: tuple) -> None:
    """Raise if ``arr.shape`` differs from ``shape`` (``None`` entries match any length)."""
    if arr.ndim != len(shape) or any(s is not None and s != a for s, a in zip(shape, arr.shape)):
        want = "(" + ", ".join("any" if s is None else str(s) for s in shape) + ("," if len(shape) == 1 else "") + ")"
        raise ValueError(f"{name} must have shape {want}; got {arr.shape}")


def check_open_unit(name: str, arr: np.ndarray) -> None:
    """Raise unless every entry lies strictly inside (0, 1) (firing rates, probabilities)."""
    if np.any(arr <= 0.0) or np.any(arr >= 1.0):
        bad = arr[(arr <= 0.0) | (arr >= 1.0)].ravel()[0]
        raise ValueError(f"{name} must lie strictly between 0 and 1 (a firing rate); found {bad:g}")


def check_closed_unit(name: str, arr: np.ndarray) -> None:
    """Raise unless every entry lies in [0, 1]."""
    if np.any(arr < 0.0) or np.any(arr > 1.0):
        bad = arr[(arr < 0.0) | (arr > 1.0)].ravel()[0]
        raise ValueError(f"{name} must lie in [0, 1]; found {bad:g}")


def check_binary(name: str, arr: np.ndarray) -> None:
    """Raise unless every entry is 0 or 1."""
    if not np.all((arr == 0) | (arr == 1)):
        bad = arr[(arr != 0) & (arr != 1)].ravel()[0]
        raise ValueError(f"{name} must be binary (0 or 1); found {bad:g}")


def check_positive(name: str, value: float, strict: bool = True) -> float:
    """Return ``value`` as float after checking that it is a finite (strictly) positive scalar."""
    try:
        v = float(value)
    except (TypeError, ValueError) as exc:
        raise ValueError(f"{name} must be a number; got {value!r}") from exc
    if not np.isfinite(v) or (v <= 0 if strict else v < 0):
        raise ValueError(f"{name} must be {'> 0' if strict else '>= 0'}; got {value!r}")
    return v


def check_int(name: str, value, minimum: int | None = None) -> int:
    """Return ``value`` as int after checking it is an integer (>= ``minimum``)."""
    if isinstance(value, bool) or not isinstance(value, (int, np.integer)):
        raise ValueError(f"{name} must be an integer; got {value!r}")
    if minimum is not None and value < minimum:
        raise ValueError(f"{name} must be >= {minimum}; got {value}")
    return int(value)


def check_rng(rng) -> np.random.Generator:
    """Return ``rng`` if it is a ``numpy.random.Generator``; raise a clear error otherwise."""
    if not isinstance(rng, np.random.Generator):
        raise ValueError(
            "rng must be a numpy.random.Generator, e.g. numpy.random.default_rng(0); "
            f"got {type(rng).__name__}"
        )
    return rng


def check_stacked(name: str, M) -> np.ndarray:
    """Return ``M`` as a float array of at least 2 dimensions whose last two axes are even (stacked layout)."""
    arr = as_float_array(name, M)
    if arr.ndim < 2:
        raise ValueError(f"{name} must be at least 2-D (stacked layout (2*Nc, 2*Np)); got shape {arr.shape}")
    if arr.shape[-1] % 2 or arr.shape[-2] % 2:
        raise ValueError(
            f"{name} must have even last two axes (stacked layout (2*Nc, 2*Np), Lesson 03); got shape {arr.shape}"
        )
    return arr


def check_counts(name: str, qa) -> np.ndarray:
    """Return stacked non-negative Dirichlet counts (see :func:`check_stacked`)."""
    arr = check_stacked(name, qa)
    if np.any(arr < 0):
        raise ValueError(f"{name} must contain non-negative Dirichlet counts; found {arr[arr < 0].ravel()[0]:g}")
    return arr

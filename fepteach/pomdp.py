"""The binary-factor POMDP of P1/P2: generative model, posterior update, free energy, Dirichlet learning.

SPEC §4.1–4.4 and §4.6. Everything here is written from the equations of SPEC; the
network side of the same story lives in :mod:`fepteach.neurons` and
:mod:`fepteach.cost`, and the dictionary between the two in
:mod:`fepteach.correspondence`.

Stacked layout (SPEC §1.5)
--------------------------
A mapping from ``Np`` binary parents to ``Nc`` binary children ("child given
parent", columns normalised over the child value, SPEC §1.4) is a
``(2*Nc, 2*Np)`` matrix ``M`` with::

    M[a*Nc + i, b*Np + j] = P(child_i = a | parent_j = b),   a, b in {0 = ON, 1 = OFF}

so ``M[:Nc, :Np]`` is P(child ON | parent ON), ``M[:Nc, Np:]`` P(child ON | parent OFF),
``M[Nc:, :Np]`` P(child OFF | parent ON) and ``M[Nc:, Np:]`` P(child OFF | parent OFF).
:func:`blocks` returns these four named views. Dirichlet counts (``qa``, ``qbi``,
``qci``) use the same layout. Any number of leading axes (e.g. a session axis) is
allowed in the Dirichlet functions; the last two axes are (child, parent).

Observation vectors are stacked as ``(o; 1-o)`` of length ``2*No`` and state
posteriors as ``(s; 1-s)`` of length ``2*Ns`` (:func:`stack`).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import NamedTuple

import numpy as np
from scipy.special import digamma, expit, gammaln, logsumexp

from fepteach._validate import (
    EPS,
    as_float_array,
    check_binary,
    check_closed_unit,
    check_open_unit,
    check_shape,
)

__all__ = [
    "EPS",
    "Blocks",
    "blocks",
    "from_blocks",
    "stack",
    "child_totals",
    "dirichlet_mean",
    "dirichlet_expected_log",
    "dirichlet_log_mean",
    "dirichlet_update",
    "hebbian_counts",
]


# ---------------------------------------------------------------------------
# Stacked layout helpers
# ---------------------------------------------------------------------------


class Blocks(NamedTuple):
    """The four ``(..., Nc, Np)`` blocks of a stacked ``(..., 2Nc, 2Np)`` mapping (SPEC §1.5).

    ``on_on[i, j] = P(child_i = ON | parent_j = ON)``, ``on_off[i, j] = P(child_i = ON | parent_j = OFF)``,
    ``off_on[i, j] = P(child_i = OFF | parent_j = ON)``, ``off_off[i, j] = P(child_i = OFF | parent_j = OFF)``.
    """

    on_on: np.ndarray
    on_off: np.ndarray
    off_on: np.ndarray
    off_off: np.ndarray


def _check_stacked(name: str, M) -> np.ndarray:
    arr = as_float_array(name, M)
    if arr.ndim < 2:
        raise ValueError(f"{name} must be at least 2-D (stacked layout (2*Nc, 2*Np)); got shape {arr.shape}")
    if arr.shape[-1] % 2 or arr.shape[-2] % 2:
        raise ValueError(
            f"{name} must have even last two axes (stacked layout (2*Nc, 2*Np), SPEC §1.5); got shape {arr.shape}"
        )
    return arr


def blocks(M) -> Blocks:
    """Named views of a stacked mapping or count array ``M`` of shape ``(..., 2*Nc, 2*Np)`` (SPEC §1.5).

    Returns :class:`Blocks` ``(on_on, on_off, off_on, off_off)``, each of shape ``(..., Nc, Np)``,
    where the first word is the child value and the second the parent value.
    """
    arr = _check_stacked("M", M)
    nc, npar = arr.shape[-2] // 2, arr.shape[-1] // 2
    return Blocks(arr[..., :nc, :npar], arr[..., :nc, npar:], arr[..., nc:, :npar], arr[..., nc:, npar:])


def from_blocks(on_on, on_off, off_on, off_off) -> np.ndarray:
    """Inverse of :func:`blocks`: assemble four ``(..., Nc, Np)`` blocks into ``(..., 2*Nc, 2*Np)`` (SPEC §1.5)."""
    parts = [as_float_array(n, v) for n, v in
             (("on_on", on_on), ("on_off", on_off), ("off_on", off_on), ("off_off", off_off))]
    for n, p in zip(("on_off", "off_on", "off_off"), parts[1:]):
        if p.shape != parts[0].shape:
            raise ValueError(f"{n} must have the same shape as on_on {parts[0].shape}; got {p.shape}")
    top = np.concatenate([parts[0], parts[1]], axis=-1)
    bottom = np.concatenate([parts[2], parts[3]], axis=-1)
    return np.concatenate([top, bottom], axis=-2)


def stack(x) -> np.ndarray:
    """Stack a vector of ON-probabilities (or binary values) with its complement: ``(x; 1-x)`` (SPEC §1.5).

    ``x`` has shape ``(..., N)``; the result has shape ``(..., 2N)``.
    """
    arr = as_float_array("x", x)
    if arr.ndim < 1:
        raise ValueError(f"x must be at least 1-D; got shape {arr.shape}")
    return np.concatenate([arr, 1.0 - arr], axis=-1)


# ---------------------------------------------------------------------------
# Dirichlet expectations (SPEC §4.4)
# ---------------------------------------------------------------------------


def _check_counts(name: str, qa) -> np.ndarray:
    arr = _check_stacked(name, qa)
    if np.any(arr < 0):
        raise ValueError(f"{name} must contain non-negative Dirichlet counts; found {arr[arr < 0].ravel()[0]:g}")
    return arr


def child_totals(qa) -> np.ndarray:
    """Per-column Dirichlet totals ``a_ON,b + a_OFF,b``, broadcast back to the stacked shape (SPEC §4.4).

    ``qa`` has shape ``(..., 2*Nc, 2*Np)``; the result has the same shape, entry
    ``[a*Nc + i, b*Np + j]`` holding ``qa[i, b*Np+j] + qa[Nc+i, b*Np+j]`` (the sum over the child value).
    """
    arr = _check_counts("qa", qa)
    nc = arr.shape[-2] // 2
    tot = arr[..., :nc, :] + arr[..., nc:, :]
    return np.concatenate([tot, tot], axis=-2)


def dirichlet_mean(qa) -> np.ndarray:
    """Posterior mean of a child-given-parent mapping from Dirichlet counts (SPEC §4.4, table row "expectation of A").

    ``Abar[a*Nc+i, b*Np+j] = qa[a*Nc+i, b*Np+j] / (qa[i, b*Np+j] + qa[Nc+i, b*Np+j])``.

    Parameters
    ----------
    qa : array, shape ``(..., 2*Nc, 2*Np)``, non-negative
        Counts in the stacked layout of SPEC §1.5 (leading axes, e.g. sessions, allowed).

    Returns
    -------
    Abar : array, same shape as ``qa``; each (child ON, child OFF) pair sums to 1.
        The denominator is floored at ``EPS = 1e-6``. No clipping of ``Abar`` itself
        (the MATLAB code clips to [1e-6, 1-1e-6]; the Python port does not).
    """
    arr = _check_counts("qa", qa)
    return arr / np.maximum(child_totals(arr), EPS)


def dirichlet_expected_log(qa) -> np.ndarray:
    """Exact posterior expectation of ``ln A`` under the Dirichlet counts, with digamma (SPEC §4.4, ``sim_type=1``).

    ``E[ln A][a*Nc+i, b*Np+j] = psi(qa[a*Nc+i, b*Np+j]) - psi(qa[i, b*Np+j] + qa[Nc+i, b*Np+j])``,
    with both digamma arguments floored at ``EPS = 1e-6`` as in the reference codes.

    ``qa``: shape ``(..., 2*Nc, 2*Np)`` (stacked layout, SPEC §1.5); returns the same shape.
    This is the textbook (MDP) expectation; it is *not* the network-equivalent one
    (see :func:`dirichlet_log_mean` and oracle O13).
    """
    arr = _check_counts("qa", qa)
    return digamma(np.maximum(arr, EPS)) - digamma(np.maximum(child_totals(arr), EPS))


def dirichlet_log_mean(qa) -> np.ndarray:
    """Logarithm of the posterior mean, ``ln Abar`` — the network-equivalent expectation (SPEC §4.4, ``sim_type=2``).

    ``ln a[a*Nc+i, b*Np+j] - ln(qa[i, b*Np+j] + qa[Nc+i, b*Np+j])`` with both log arguments
    floored at ``EPS = 1e-6``. Only with this expectation is the Bayesian update identical
    to the network with ``W = logit(Abar^T)`` (SPEC §4.4–4.5, oracle O12).

    ``qa``: shape ``(..., 2*Nc, 2*Np)`` (stacked layout, SPEC §1.5); returns the same shape.
    """
    arr = _check_counts("qa", qa)
    return np.log(np.maximum(arr, EPS)) - np.log(np.maximum(child_totals(arr), EPS))


def hebbian_counts(child, parent) -> np.ndarray:
    """Summed outer products ``sum_tau (c; 1-c)_tau (p; 1-p)_tau^T`` in the stacked layout (SPEC §4.4, eq. 3.7).

    ``child``: shape ``(T, Nc)`` or ``(Nc,)`` (e.g. observations ``o`` or previous states),
    ``parent``: shape ``(T, Np)`` or ``(Np,)`` (e.g. posteriors ``s``); values in [0, 1].
    Returns the count increment of shape ``(2*Nc, 2*Np)``.
    """
    c = as_float_array("child", child, ndim=(1, 2))
    p = as_float_array("parent", parent, ndim=(1, 2))
    c2 = np.atleast_2d(c)
    p2 = np.atleast_2d(p)
    if c2.shape[0] != p2.shape[0]:
        raise ValueError(f"child and parent must have the same number of time steps; got {c2.shape[0]} and {p2.shape[0]}")
    check_closed_unit("child", c2)
    check_closed_unit("parent", p2)
    return stack(c2).T @ stack(p2)


def dirichlet_update(qa, child, parent) -> np.ndarray:
    """One (batch or online) Dirichlet learning step ``qa + sum_tau (o; 1-o)(s; 1-s)^T`` (SPEC §4.4).

    ``qa``: shape ``(2*Nc, 2*Np)``; ``child``: ``(T, Nc)`` or ``(Nc,)``; ``parent``: ``(T, Np)`` or ``(Np,)``.
    Returns a new array of the shape of ``qa`` (the input is not modified).
    """
    arr = _check_counts("qa", qa)
    if arr.ndim != 2:
        raise ValueError(f"qa must be 2-D (2*Nc, 2*Np) here; got shape {arr.shape}")
    inc = hebbian_counts(child, parent)
    if inc.shape != arr.shape:
        raise ValueError(f"qa must have shape {inc.shape} to match child and parent; got {arr.shape}")
    return arr + inc

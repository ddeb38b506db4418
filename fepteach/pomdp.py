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

Naming rule for per-step variables (the whole library follows it): an unqualified name
(``s``, ``x``, ``q``, ``y``, ``delta``, ``d``) is the ON half, shape ``(..., N)`` -- for the
network this is its activity, ``x = s_ON``; the stacked ``(ON; OFF)`` form, shape
``(..., 2N)``, carries the suffix ``_stacked`` (``s_stacked``, ``q_stacked``,
``q_prev_stacked``). Parameters (``A``, ``qa``, ``D``, ``E``, ``lnD``...) are always stacked.
"""

from __future__ import annotations

from typing import NamedTuple

import numpy as np
from scipy.special import digamma, gammaln

from fepteach import maths
from fepteach._validate import (
    EPS,
    as_float_array,
    check_binary,
    check_closed_unit,
    check_int,
    check_open_unit,
    check_rng,
    check_shape,
)
from fepteach._validate import check_counts as _check_counts
from fepteach._validate import check_stacked as _check_stacked
from fepteach.maths import dirichlet_log_mean, selection_probabilities, stack

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
    "hebbian_counts",
    "dirichlet_update",
    "dirichlet_update_policy",
    "random_likelihood",
    "sample_single_factor",
    "exact_posterior",
    "log_evidence",
    "state_potentials",
    "posterior_states",
    "free_energy_terms",
    "free_energy_per_step",
    "free_energy",
    "free_energy_at_posterior",
    "dirichlet_complexity",
    "free_energy_with_parameters",
    "posterior_states_two_layer",
    "decision_posterior",
    "free_energy_two_layer",
    "selection_probabilities",
    "sample_decision",
    "free_energy_curve",
    "prior_sweep",
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


def blocks(M) -> Blocks:
    """Named views of a stacked mapping or count array ``M`` of shape ``(..., 2*Nc, 2*Np)`` (SPEC §1.5).

    Returns :class:`Blocks` ``(on_on, on_off, off_on, off_off)``, each of shape ``(..., Nc, Np)``,
    where the first word is the child value and the second the parent value.

    Parameters
    ----------
    M : array_like, shape (..., 2*Nc, 2*Np)

    Returns
    -------
    Blocks

    Examples
    --------
    >>> blocks(np.arange(4.0).reshape(2, 2)).on_off
    array([[1.]])
    """
    arr = _check_stacked("M", M)
    nc, npar = arr.shape[-2] // 2, arr.shape[-1] // 2
    return Blocks(arr[..., :nc, :npar], arr[..., :nc, npar:], arr[..., nc:, :npar], arr[..., nc:, npar:])


def from_blocks(on_on, on_off, off_on, off_off) -> np.ndarray:
    """Inverse of :func:`blocks`: assemble four ``(..., Nc, Np)`` blocks into ``(..., 2*Nc, 2*Np)`` (SPEC §1.5).

    Parameters
    ----------
    on_on, on_off, off_on, off_off : array_like, each shape (..., Nc, Np)

    Returns
    -------
    numpy.ndarray, shape (..., 2*Nc, 2*Np)

    Examples
    --------
    >>> from_blocks([[0.8]], [[0.3]], [[0.2]], [[0.7]])
    array([[0.8, 0.3],
           [0.2, 0.7]])
    """
    parts = [as_float_array(n, v) for n, v in
             (("on_on", on_on), ("on_off", on_off), ("off_on", off_on), ("off_off", off_off))]
    for n, p in zip(("on_off", "off_on", "off_off"), parts[1:]):
        if p.shape != parts[0].shape:
            raise ValueError(f"{n} must have the same shape as on_on {parts[0].shape}; got {p.shape}")
    top = np.concatenate([parts[0], parts[1]], axis=-1)
    bottom = np.concatenate([parts[2], parts[3]], axis=-1)
    return np.concatenate([top, bottom], axis=-2)


# ---------------------------------------------------------------------------
# Dirichlet expectations (SPEC §4.4)
# ---------------------------------------------------------------------------


def child_totals(qa) -> np.ndarray:
    """Per-column Dirichlet totals ``a_ON,b + a_OFF,b``, broadcast back to the stacked shape (SPEC §4.4).

    ``qa`` has shape ``(..., 2*Nc, 2*Np)``; the result has the same shape, entry
    ``[a*Nc + i, b*Np + j]`` holding ``qa[i, b*Np+j] + qa[Nc+i, b*Np+j]`` (the sum over the child value).

    Parameters
    ----------
    qa : array_like, shape (..., 2*Nc, 2*Np)
        Non-negative Dirichlet counts, stacked.

    Returns
    -------
    numpy.ndarray, same shape as ``qa``

    Examples
    --------
    >>> child_totals([[3.0, 1.0], [1.0, 1.0]])
    array([[4., 2.],
           [4., 2.]])
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

    Examples
    --------
    >>> dirichlet_mean([[3.0, 1.0], [1.0, 1.0]])
    array([[0.75, 0.5 ],
           [0.25, 0.5 ]])
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

    Parameters
    ----------
    qa : array_like, shape (..., 2*Nc, 2*Np)
        Non-negative Dirichlet counts, stacked.

    Returns
    -------
    numpy.ndarray, same shape as ``qa``

    Examples
    --------
    >>> dirichlet_expected_log(np.ones((2, 2))).round(4)  # psi(1) - psi(2) = -1, below ln(1/2)
    array([[-1., -1.],
           [-1., -1.]])
    """
    arr = _check_counts("qa", qa)
    return digamma(np.maximum(arr, EPS)) - digamma(np.maximum(child_totals(arr), EPS))


def hebbian_counts(child, parent) -> np.ndarray:
    """Summed outer products ``sum_tau (c; 1-c)_tau (p; 1-p)_tau^T`` in the stacked layout (SPEC §4.4, eq. 3.7).

    ``child``: shape ``(T, Nc)`` or ``(Nc,)`` (e.g. observations ``o`` or previous states),
    ``parent``: shape ``(T, Np)`` or ``(Np,)`` (e.g. posteriors ``s``); values in [0, 1].
    Returns the count increment of shape ``(2*Nc, 2*Np)``.

    Parameters
    ----------
    child : array_like, shape (T, Nc) or (Nc,)
    parent : array_like, shape (T, Np) or (Np,)

    Returns
    -------
    numpy.ndarray, shape (2*Nc, 2*Np)

    Examples
    --------
    >>> hebbian_counts([1.0], [0.75])
    array([[0.75, 0.25],
           [0.  , 0.  ]])
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

    Parameters
    ----------
    qa : array_like, shape (2*Nc, 2*Np)
    child : array_like, shape (T, Nc) or (Nc,)
    parent : array_like, shape (T, Np) or (Np,)

    Returns
    -------
    numpy.ndarray, shape of ``qa``

    Examples
    --------
    >>> dirichlet_update(np.ones((2, 2)), [1.0], [0.75])
    array([[1.75, 1.25],
           [1.  , 1.  ]])
    """
    arr = _check_counts("qa", qa)
    if arr.ndim != 2:
        raise ValueError(f"qa must be 2-D (2*Nc, 2*Np) here; got shape {arr.shape}")
    inc = hebbian_counts(child, parent)
    if inc.shape != arr.shape:
        raise ValueError(f"qa must have shape {inc.shape} to match child and parent; got {arr.shape}")
    return arr + inc


def dirichlet_update_policy(qci, s_prev, d, gamma) -> np.ndarray:
    """Risk-weighted learning of the postdictive policy mapping Cbar, with the floor at 1 (SPEC eq. 3.7).

    ``qci <- max(1, qci + sum_tau (1 - 2 gamma_tau) (s_{tau-1}; 1 - s_{tau-1}) (d_tau; 1 - d_tau)^T)``:
    Hebbian after low risk (gamma < 1/2), anti-Hebbian after high risk; the floor (applied once, after the
    whole batch/chunk) keeps the counts positive.

    Shapes: qci (2*Ns, 2*Nd) counts (child = previous state, parent = decision); s_prev (T, Ns) previous
    state posteriors; d (T, Nd) sampled one-hot decisions (or decision posteriors); gamma scalar or (T,) in [0, 1].
    Returns the new counts, shape of ``qci``.

    Parameters
    ----------
    qci : array_like, shape (2*Ns, 2*Nd)
    s_prev : array_like, shape (T, Ns)
    d : array_like, shape (T, Nd)
    gamma : float or array_like, shape (T,)

    Returns
    -------
    numpy.ndarray, shape of ``qci``

    Examples
    --------
    >>> dirichlet_update_policy(np.full((2, 2), 3.0), [[1.0]], [[1.0]], 0.0)  # low risk: Hebbian
    array([[4., 3.],
           [3., 3.]])
    """
    arr = _check_counts("qci", qci)
    if arr.ndim != 2:
        raise ValueError(f"qci must be 2-D (2*Ns, 2*Nd); got shape {arr.shape}")
    sp = as_float_array("s_prev", s_prev, ndim=2)
    dd = as_float_array("d", d, ndim=2)
    check_closed_unit("s_prev", sp)
    check_closed_unit("d", dd)
    if sp.shape[0] != dd.shape[0]:
        raise ValueError(f"s_prev and d must have the same number of time steps; got {sp.shape[0]} and {dd.shape[0]}")
    if (2 * sp.shape[1], 2 * dd.shape[1]) != arr.shape:
        raise ValueError(f"qci must have shape {(2 * sp.shape[1], 2 * dd.shape[1])} to match s_prev and d; got {arr.shape}")
    g = as_float_array("gamma", gamma, ndim=(0, 1))
    g = np.broadcast_to(g, (sp.shape[0],)) if g.ndim == 0 else g
    check_shape("gamma", g, (sp.shape[0],))
    check_closed_unit("gamma", g)
    return maths.policy_update(arr, stack(sp) * maths.modulation(g)[:, None], stack(dd), 1.0)


# ---------------------------------------------------------------------------
# Generative model (SPEC §4.1) and small enumerable models
# ---------------------------------------------------------------------------


def _check_prob_pairs(name: str, arr: np.ndarray, axis: int) -> None:
    """Raise unless the ON and OFF halves along ``axis`` are probabilities summing to 1."""
    n = arr.shape[axis] // 2
    on = np.take(arr, np.arange(n), axis=axis)
    off = np.take(arr, np.arange(n, 2 * n), axis=axis)
    check_closed_unit(name, arr)
    if not np.allclose(on + off, 1.0, atol=1e-9):
        raise ValueError(f"{name} must have ON and OFF halves that sum to 1 (a normalised binary distribution)")


def random_likelihood(No: int, Ns: int, rng: np.random.Generator, low: float = 0.01, high: float = 0.99) -> np.ndarray:
    """A random normalised likelihood mapping A in the stacked layout, shape ``(2*No, 2*Ns)`` (SPEC §1.5, §4.1).

    ``P(o_i = ON | s_j = b)`` is drawn uniformly from ``[low, high]`` for each (i, j, b); the OFF rows
    are the complements. ``rng`` is a ``numpy.random.Generator``.

    Parameters
    ----------
    No, Ns : int
    rng : numpy.random.Generator
    low, high : float, optional

    Returns
    -------
    numpy.ndarray, shape (2*No, 2*Ns)

    Examples
    --------
    >>> A = random_likelihood(3, 2, np.random.default_rng(0))
    >>> A.shape, bool(np.allclose(A[:3] + A[3:], 1.0))
    ((6, 4), True)
    """
    No = check_int("No", No, minimum=1)
    Ns = check_int("Ns", Ns, minimum=1)
    rng = check_rng(rng)
    if not 0.0 < low < high < 1.0:
        raise ValueError(f"low and high must satisfy 0 < low < high < 1; got low={low}, high={high}")
    on = rng.uniform(low, high, size=(No, 2 * Ns))
    return np.concatenate([on, 1.0 - on], axis=0)


def sample_single_factor(A, D, T: int, rng: np.random.Generator):
    """Sample ``T`` i.i.d. steps from the one-factor model (N_s = 1) of SPEC §4.1.

    ``A``: stacked likelihood ``(2*No, 2)``; ``D``: prior ``(D_ON, D_OFF)`` shape (2,).
    Returns ``(s, o)``: hidden states (T,) in {0, 1} and observations (T, No) in {0, 1}.
    For N_s >= 2 the pairwise-factorised likelihood (3.1) is not a normalised joint
    distribution (SPEC §4.1), so there is nothing to sample from.

    Parameters
    ----------
    A : array_like, shape (2*No, 2)
    D : array_like, shape (2,)
    T : int
    rng : numpy.random.Generator

    Returns
    -------
    s : numpy.ndarray, shape (T,)
    o : numpy.ndarray, shape (T, No)

    Examples
    --------
    >>> A = np.array([[0.8, 0.3], [0.2, 0.7]])  # one input, one factor: P(o=1|ON) = 0.8, P(o=1|OFF) = 0.3
    >>> s, o = sample_single_factor(A, [0.5, 0.5], 1000, np.random.default_rng(0))
    >>> s.shape, o.shape, bool(abs(o[s == 1].mean() - 0.8) < 0.05)
    ((1000,), (1000, 1), True)
    """
    A = _check_stacked("A", A)
    D = as_float_array("D", D, ndim=1)
    check_shape("D", D, (2,))
    if A.ndim != 2 or A.shape[1] != 2:
        raise ValueError(f"A must have shape (2*No, 2) (one hidden factor); got {A.shape}")
    _check_prob_pairs("A", A, axis=0)
    _check_prob_pairs("D", D, axis=0)
    T = check_int("T", T, minimum=1)
    rng = check_rng(rng)
    No = A.shape[0] // 2
    s = (rng.random(T) < D[0]).astype(float)
    p_on = np.where(s[:, None] == 1.0, A[:No, 0][None, :], A[:No, 1][None, :])
    o = (rng.random((T, No)) < p_on).astype(float)
    return s, o


def exact_posterior(o, A, D):
    """Exact posterior ``P(s = ON | o)`` of the one-factor model by enumerating s in {ON, OFF} (SPEC §4.1, O9).

    ``o``: (No,) or (T, No) binary; ``A``: stacked ``(2*No, 2)`` normalised likelihood; ``D``: (2,).
    Returns shape (T,) (or a float for 1-D ``o``). Independent of the network and of eq. (3.3):
    it multiplies the likelihood table entries directly.

    Parameters
    ----------
    o : array_like, shape (No,) or (T, No)
    A : array_like, shape (2*No, 2)
    D : array_like, shape (2,)

    Returns
    -------
    float or numpy.ndarray, shape (T,)

    Examples
    --------
    >>> A = np.array([[0.8, 0.3], [0.2, 0.7]])  # one input, one factor: P(o=1|ON) = 0.8, P(o=1|OFF) = 0.3
    >>> round(exact_posterior([1.0], A, [0.5, 0.5]), 4)  # 0.8 / (0.8 + 0.3)
    0.7273
    """
    post, _ = _enumerate(o, A, D)
    return post


def log_evidence(o, A, D):
    """Log model evidence ``ln P(o) = ln sum_s P(o | s) P(s)`` of the one-factor model, per step (SPEC §4.3, O10).

    Shapes as :func:`exact_posterior`. Returns (T,) or a float.

    Parameters
    ----------
    o : array_like, shape (No,) or (T, No)
    A : array_like, shape (2*No, 2)
    D : array_like, shape (2,)

    Returns
    -------
    float or numpy.ndarray, shape (T,)

    Examples
    --------
    >>> A = np.array([[0.8, 0.3], [0.2, 0.7]])  # one input, one factor: P(o=1|ON) = 0.8, P(o=1|OFF) = 0.3
    >>> round(log_evidence([1.0], A, [0.5, 0.5]), 4)  # ln 0.55
    -0.5978
    """
    _, lnP = _enumerate(o, A, D)
    return lnP


def _enumerate(o, A, D):
    A = _check_stacked("A", A)
    if A.ndim != 2 or A.shape[1] != 2:
        raise ValueError(f"A must have shape (2*No, 2) (one hidden factor, N_s = 1); got {A.shape}")
    _check_prob_pairs("A", A, axis=0)
    D = as_float_array("D", D, ndim=1)
    check_shape("D", D, (2,))
    _check_prob_pairs("D", D, axis=0)
    No = A.shape[0] // 2
    o_arr = as_float_array("o", o, ndim=(1, 2))
    o2 = np.atleast_2d(o_arr)
    check_shape("o", o2, (None, No))
    check_binary("o", o2)
    joint = np.empty((o2.shape[0], 2))
    for b in range(2):  # b = 0: s ON, b = 1: s OFF
        lik = np.where(o2 == 1.0, A[:No, b][None, :], A[No:, b][None, :])
        joint[:, b] = np.prod(lik, axis=1) * D[b]
    evidence = joint.sum(axis=1)
    post, lnP = joint[:, 0] / evidence, np.log(evidence)
    if o_arr.ndim == 1:
        return float(post[0]), float(lnP[0])
    return post, lnP


# ---------------------------------------------------------------------------
# Posterior update and free energy, single layer (SPEC §4.2–4.3)
# ---------------------------------------------------------------------------


def _lnA_lnD(lnA, lnD, No=None):
    lnA = _check_stacked("lnA", lnA)
    if lnA.ndim != 2:
        raise ValueError(f"lnA must be 2-D (2*No, 2*Ns); got shape {lnA.shape}")
    if No is not None and lnA.shape[0] != 2 * No:
        raise ValueError(f"lnA must have {2 * No} rows (2*No); got {lnA.shape[0]}")
    Ns = lnA.shape[1] // 2
    lnD = as_float_array("lnD", lnD, ndim=1)
    check_shape("lnD", lnD, (2 * Ns,))
    return lnA, lnD


def _obs(o, No):
    o_arr = as_float_array("o", o, ndim=(1, 2))
    o2 = np.atleast_2d(o_arr)
    check_shape("o", o2, (None, No))
    check_closed_unit("o", o2)
    return o_arr, o2


def state_potentials(o, lnA, lnD):
    """Log-potentials ``(v_ON, v_OFF)`` of each state factor given the observations (SPEC eq. 3.3).

    ``v_b[j] = sum_i [o_i lnA[i, b*Ns+j] + (1-o_i) lnA[No+i, b*Ns+j]] + lnD[b*Ns+j]``.
    ``o``: (No,) or (T, No) in [0, 1]; ``lnA``: stacked ``(2*No, 2*Ns)`` expectation of ln A
    (:func:`dirichlet_log_mean` or :func:`dirichlet_expected_log`); ``lnD``: stacked ``(2*Ns,)``.
    Returns ``(v_on, v_off)``, each (Ns,) or (T, Ns).

    Parameters
    ----------
    o : array_like, shape (No,) or (T, No)
    lnA : array_like, shape (2*No, 2*Ns)
    lnD : array_like, shape (2*Ns,)

    Returns
    -------
    v_on, v_off : numpy.ndarray, each shape (Ns,) or (T, Ns)

    Examples
    --------
    >>> A = np.array([[0.8, 0.3], [0.2, 0.7]])  # one input, one factor: P(o=1|ON) = 0.8, P(o=1|OFF) = 0.3
    >>> v_on, v_off = state_potentials([1.0], np.log(A), np.log([0.5, 0.5]))
    >>> (v_on - v_off).round(4)  # ln(0.8 / 0.3)
    array([0.9808])
    """
    lnA, lnD = _lnA_lnD(lnA, lnD)
    No, Ns = lnA.shape[0] // 2, lnA.shape[1] // 2
    o_arr, o2 = _obs(o, No)
    v = stack(o2) @ lnA + lnD
    v_on, v_off = v[:, :Ns], v[:, Ns:]
    if o_arr.ndim == 1:
        return v_on[0], v_off[0]
    return v_on, v_off


def posterior_states(o, lnA, lnD):
    """Posterior ``s = q(s_j = ON)`` minimising F (SPEC eq. 3.3): ``sigma(v_ON - v_OFF)``.

    Shapes as :func:`state_potentials`; returns (Ns,) or (T, Ns). Stack with :func:`stack`
    to get ``(s; 1-s)``.

    Parameters
    ----------
    o : array_like, shape (No,) or (T, No)
    lnA : array_like, shape (2*No, 2*Ns)
    lnD : array_like, shape (2*Ns,)

    Returns
    -------
    s : numpy.ndarray, shape (Ns,) or (T, Ns)
        ON posteriors.

    Examples
    --------
    >>> A = np.array([[0.8, 0.3], [0.2, 0.7]])  # one input, one factor: P(o=1|ON) = 0.8, P(o=1|OFF) = 0.3
    >>> posterior_states([1.0], np.log(A), np.log([0.5, 0.5])).round(4)  # the exact posterior
    array([0.7273])
    """
    v_on, v_off = state_potentials(o, lnA, lnD)
    return maths.binary_posterior(np.concatenate([v_on, v_off], axis=-1))


def free_energy_terms(s, o, lnA, lnD):
    """Per-step, per-factor parts of the first sum of F (SPEC eq. 3.2), matched to :class:`fepteach.cost.CostTerms`.

    Returns a dict of (T, Ns) arrays:

    * ``entropy`` = ``s ln s + (1-s) ln(1-s)``;
    * ``likelihood_on`` = ``-sum_b s_b sum_i o_i (lnA[ON,b] - lnA[OFF,b])`` (the terms that carry o);
    * ``likelihood_off_prior`` = ``-sum_b s_b (sum_i lnA[OFF,b] + lnD_b)`` (the rest).

    Under the dictionary (SPEC §4.5) these equal the ``entropy``, ``synaptic`` and ``threshold``
    parts of the network cost (:class:`fepteach.cost.CostTerms`), term by term (SPEC Appendix A.2).
    Shapes: s (T, Ns) or (Ns,) in (0, 1); o (T, No) or (No,); lnA (2*No, 2*Ns); lnD (2*Ns,).

    Parameters
    ----------
    s : array_like, shape (T, Ns) or (Ns,)
    o : array_like, shape (T, No) or (No,)
    lnA : array_like, shape (2*No, 2*Ns)
    lnD : array_like, shape (2*Ns,)

    Returns
    -------
    dict of numpy.ndarray, each shape (T, Ns)

    Examples
    --------
    >>> A = np.array([[0.8, 0.3], [0.2, 0.7]])  # one input, one factor: P(o=1|ON) = 0.8, P(o=1|OFF) = 0.3
    >>> t = free_energy_terms([0.5], [1.0], np.log(A), np.log([0.5, 0.5]))
    >>> sorted(t), t["entropy"].round(4)
    (['entropy', 'likelihood_off_prior', 'likelihood_on'], array([[-0.6931]]))
    """
    lnA, lnD = _lnA_lnD(lnA, lnD)
    No, Ns = lnA.shape[0] // 2, lnA.shape[1] // 2
    _, o2 = _obs(o, No)
    s_arr = as_float_array("s", s, ndim=(1, 2))
    s2 = np.atleast_2d(s_arr)
    check_shape("s", s2, (None, Ns))
    check_open_unit("s", s2)
    if s2.shape[0] != o2.shape[0]:
        raise ValueError(f"s must have {o2.shape[0]} time steps like o; got {s2.shape[0]}")
    sb = 1.0 - s2
    b = blocks(lnA)  # (No, Ns) each
    diff_on = o2 @ (b.on_on - b.off_on)  # (T, Ns): sum_i o_i (lnA_ON,ON - lnA_OFF,ON)
    diff_off = o2 @ (b.on_off - b.off_off)
    base_on = b.off_on.sum(axis=0) + lnD[:Ns]
    base_off = b.off_off.sum(axis=0) + lnD[Ns:]
    return {
        "entropy": s2 * np.log(s2) + sb * np.log(sb),
        "likelihood_on": -(s2 * diff_on + sb * diff_off),
        "likelihood_off_prior": -(s2 * base_on + sb * base_off),
    }


def free_energy_per_step(s, o, lnA, lnD):
    """First sum of the variational free energy (SPEC eq. 3.2), per time step.

    ``F_tau = sum_j s_j·[ln s_j - sum_i lnA^(i,j)T o_i - lnD_j]`` with ``s_j = (s_j, 1-s_j)``, ``o_i = (o_i, 1-o_i)``.
    Shapes: s (T, Ns) or (Ns,) in (0, 1); o (T, No) or (No,); lnA (2*No, 2*Ns); lnD (2*Ns,).
    Returns (T,) (or a float for 1-D inputs). At the posterior of (3.3) it equals
    ``-sum_j ln(exp(v_ON) + exp(v_OFF))``, which for N_s = 1 is ``-ln P(o)`` (oracle O10).

    Parameters
    ----------
    s : array_like, shape (T, Ns) or (Ns,)
    o : array_like, shape (T, No) or (No,)
    lnA : array_like, shape (2*No, 2*Ns)
    lnD : array_like, shape (2*Ns,)

    Returns
    -------
    float or numpy.ndarray, shape (T,)

    Examples
    --------
    >>> A = np.array([[0.8, 0.3], [0.2, 0.7]])  # one input, one factor: P(o=1|ON) = 0.8, P(o=1|OFF) = 0.3
    >>> s = exact_posterior([1.0], A, [0.5, 0.5])
    >>> round(free_energy_per_step([s], [1.0], np.log(A), np.log([0.5, 0.5])), 4)  # = -ln P(o) at the posterior
    0.5978
    """
    t = free_energy_terms(s, o, lnA, lnD)
    F = (t["entropy"] + t["likelihood_on"] + t["likelihood_off_prior"]).sum(axis=1)
    if np.ndim(s) == 1 and np.ndim(o) == 1:
        return float(F[0])
    return F


def free_energy(s, o, lnA, lnD) -> float:
    """First (state) sum of F (SPEC eq. 3.2) over all steps; shapes as :func:`free_energy_per_step`.

    Parameters
    ----------
    s : array_like, shape (T, Ns)
    o : array_like, shape (T, No)
    lnA : array_like, shape (2*No, 2*Ns)
    lnD : array_like, shape (2*Ns,)

    Returns
    -------
    float

    Examples
    --------
    >>> A = np.array([[0.8, 0.3], [0.2, 0.7]])  # one input, one factor: P(o=1|ON) = 0.8, P(o=1|OFF) = 0.3
    >>> round(free_energy([[0.5], [0.5]], [[1.0], [1.0]], np.log(A), np.log([0.5, 0.5])), 4)  # 2 (-ln P(o) + KL)
    1.4271
    """
    return float(np.sum(free_energy_per_step(np.atleast_2d(s), np.atleast_2d(o), lnA, lnD)))


def free_energy_at_posterior(o, lnA, lnD):
    """Minimum of F over s: ``-sum_j ln(exp(v_ON) + exp(v_OFF))`` per step (SPEC §4.3). Shapes as :func:`state_potentials`.

    Parameters
    ----------
    o : array_like, shape (No,) or (T, No)
    lnA : array_like, shape (2*No, 2*Ns)
    lnD : array_like, shape (2*Ns,)

    Returns
    -------
    float or numpy.ndarray, shape (T,)

    Examples
    --------
    >>> A = np.array([[0.8, 0.3], [0.2, 0.7]])  # one input, one factor: P(o=1|ON) = 0.8, P(o=1|OFF) = 0.3
    >>> round(free_energy_at_posterior([1.0], np.log(A), np.log([0.5, 0.5])), 4)
    0.5978
    """
    v_on, v_off = state_potentials(o, lnA, lnD)
    F = -np.logaddexp(v_on, v_off).sum(axis=-1)
    return float(F) if np.ndim(F) == 0 else F


def dirichlet_complexity(qa, qa0) -> float:
    """Second (parameter) sum of F (SPEC eq. 3.2): ``sum [(a - a0)·E[ln A] - ln B(a) + ln B(a0)]``.

    This is ``KL[Dir(a) || Dir(a0)]`` summed over every column (child pair, parent value);
    E[ln A] is the exact digamma expectation. ``qa``, ``qa0``: stacked counts ``(2*Nc, 2*Np)``, > 0.
    Grows like O(ln t) (SPEC §4.2).

    Parameters
    ----------
    qa, qa0 : array_like, shape (2*Nc, 2*Np)
        Posterior and prior concentrations (> 0).

    Returns
    -------
    float

    Examples
    --------
    >>> dirichlet_complexity(np.ones((2, 2)), np.ones((2, 2)))  # no learning, no complexity
    0.0
    """
    a = _check_counts("qa", qa)
    a0 = _check_counts("qa0", qa0)
    if a.shape != a0.shape:
        raise ValueError(f"qa0 must have the same shape as qa {a.shape}; got {a0.shape}")
    if np.any(a <= 0) or np.any(a0 <= 0):
        raise ValueError("qa and qa0 must be > 0 (Dirichlet concentration parameters)")
    nc = a.shape[-2] // 2

    def ln_beta(c):
        return gammaln(c[..., :nc, :]) + gammaln(c[..., nc:, :]) - gammaln(c[..., :nc, :] + c[..., nc:, :])

    return float(np.sum((a - a0) * dirichlet_expected_log(a)) - np.sum(ln_beta(a)) + np.sum(ln_beta(a0)))


def free_energy_with_parameters(s, o, qa, qa0, lnD) -> float:
    """Full F of SPEC eq. (3.2): state sum with the exact E[ln A] plus the Dirichlet complexity.

    Shapes: s (T, Ns); o (T, No); qa, qa0 (2*No, 2*Ns) counts; lnD (2*Ns,).

    Parameters
    ----------
    s : array_like, shape (T, Ns)
    o : array_like, shape (T, No)
    qa, qa0 : array_like, shape (2*No, 2*Ns)
    lnD : array_like, shape (2*Ns,)

    Returns
    -------
    float

    Examples
    --------
    >>> qa = np.full((2, 2), 2.0)
    >>> F = free_energy_with_parameters([[0.5]], [[1.0]], qa, qa, np.log([0.5, 0.5]))
    >>> bool(np.isclose(F, free_energy([[0.5]], [[1.0]], dirichlet_expected_log(qa), np.log([0.5, 0.5]))))
    True
    """
    return free_energy(s, o, dirichlet_expected_log(qa), lnD) + dirichlet_complexity(qa, qa0)


# ---------------------------------------------------------------------------
# Two-layer model of P2 (SPEC §4.6)
# ---------------------------------------------------------------------------


def _stacked_mapping(name, M, n_child=None):
    M = _check_stacked(name, M)
    if M.ndim != 2:
        raise ValueError(f"{name} must be 2-D (stacked (2*Nc, 2*Np)); got shape {M.shape}")
    if n_child is not None and M.shape[0] != 2 * n_child:
        raise ValueError(f"{name} must have {2 * n_child} rows (2 * number of children); got {M.shape[0]}")
    return M


def posterior_states_two_layer(o, s_prev, lnA, lnBbar, lnD):
    """State posterior of the two-layer model, filtering (SPEC eq. 3.6, first part).

    ``s_j = softmax(sum_i lnA^(i,j)T o_i + sum_k lnBbar^(k,j)T s_prev_k + lnD_j)`` (ON component returned).
    Shapes: o (No,); s_prev (Ns,) ON-probabilities of the previous step (stacked as (s; 1-s));
    lnA (2*No, 2*Ns); lnBbar (2*Ns, 2*Ns) (child = previous state, parent = current state); lnD (2*Ns,).
    Returns s (Ns,).

    Parameters
    ----------
    o : array_like, shape (No,)
    s_prev : array_like, shape (Ns,)
    lnA : array_like, shape (2*No, 2*Ns)
    lnBbar : array_like, shape (2*Ns, 2*Ns)
    lnD : array_like, shape (2*Ns,)

    Returns
    -------
    numpy.ndarray, shape (Ns,)

    Examples
    --------
    >>> A = np.array([[0.8, 0.3], [0.2, 0.7]])  # one input, one factor: P(o=1|ON) = 0.8, P(o=1|OFF) = 0.3
    >>> posterior_states_two_layer([1.0], [0.5], np.log(A), np.log(np.full((2, 2), 0.5)), np.log([0.5, 0.5])).round(4)
    array([0.7273])
    """
    lnA, lnD = _lnA_lnD(lnA, lnD)
    No, Ns = lnA.shape[0] // 2, lnA.shape[1] // 2
    lnB = _stacked_mapping("lnBbar", lnBbar, Ns)
    check_shape("lnBbar", lnB, (2 * Ns, 2 * Ns))
    o = as_float_array("o", o, ndim=1)
    check_shape("o", o, (No,))
    sp = as_float_array("s_prev", s_prev, ndim=1)
    check_shape("s_prev", sp, (Ns,))
    check_closed_unit("s_prev", sp)
    return maths.binary_posterior(maths.state_potentials_two_layer(o, stack(sp), lnA, lnB, lnD))


def decision_posterior(s_prev, lnCbar, lnE):
    """Decision posterior (SPEC eq. 3.6, second part), computed with modulation 1 (risk not yet known).

    ``delta_l = softmax(sum_k lnCbar^(k,l)T s_prev_k + lnE_l)`` (ON component returned).
    Shapes: s_prev (Ns,); lnCbar (2*Ns, 2*Nd) (child = previous state, parent = decision); lnE (2*Nd,).
    Returns (Nd,).

    Parameters
    ----------
    s_prev : array_like, shape (Ns,)
    lnCbar : array_like, shape (2*Ns, 2*Nd)
    lnE : array_like, shape (2*Nd,)

    Returns
    -------
    numpy.ndarray, shape (Nd,)

    Examples
    --------
    >>> decision_posterior([0.9], np.log(np.full((2, 2), 0.5)), np.log([0.2, 0.8]))  # flat Cbar: the prior
    array([0.2])
    """
    lnC = _check_stacked("lnCbar", lnCbar)
    if lnC.ndim != 2:
        raise ValueError(f"lnCbar must be 2-D (2*Ns, 2*Nd); got shape {lnC.shape}")
    Ns, Nd = lnC.shape[0] // 2, lnC.shape[1] // 2
    sp = as_float_array("s_prev", s_prev, ndim=1)
    check_shape("s_prev", sp, (Ns,))
    check_closed_unit("s_prev", sp)
    lnE = as_float_array("lnE", lnE, ndim=1)
    check_shape("lnE", lnE, (2 * Nd,))
    return maths.binary_posterior(maths.decision_potentials(stack(sp), lnC, lnE))


def free_energy_two_layer(s, delta, o, s_init, lnA, lnBbar, lnCbar, lnD, lnE, gamma=0.0) -> float:
    """Variational free energy of the two-layer model without the O(ln t) parameter terms (SPEC eq. 3.5).

    Shapes: s (T, Ns) and delta (T, Nd) ON-posteriors in (0, 1); o (T, No); s_init (Ns,) the posterior
    before step 1; lnA (2*No, 2*Ns); lnBbar (2*Ns, 2*Ns); lnCbar (2*Ns, 2*Nd); lnD (2*Ns,); lnE (2*Nd,);
    gamma scalar or (T,) in [0, 1] (the risk weights only the Cbar log-likelihood, by (1 - 2 gamma)).
    The previous posterior of step tau is ``(s_{tau-1}; 1 - s_{tau-1})``.

    Parameters
    ----------
    s : array_like, shape (T, Ns)
    delta : array_like, shape (T, Nd)
    o : array_like, shape (T, No)
    s_init : array_like, shape (Ns,)
    lnA : array_like, shape (2*No, 2*Ns)
    lnBbar : array_like, shape (2*Ns, 2*Ns)
    lnCbar : array_like, shape (2*Ns, 2*Nd)
    lnD : array_like, shape (2*Ns,)
    lnE : array_like, shape (2*Nd,)
    gamma : float or array_like, shape (T,), optional

    Returns
    -------
    float

    Examples
    --------
    >>> h = np.log(np.full((2, 2), 0.5))
    >>> round(free_energy_two_layer([[0.5]], [[0.5]], [[1.0]], [0.5], h, h, h, h[0], h[0]), 4)  # 3 ln 2
    2.0794
    """
    lnA, lnD = _lnA_lnD(lnA, lnD)
    No, Ns = lnA.shape[0] // 2, lnA.shape[1] // 2
    lnB = _stacked_mapping("lnBbar", lnBbar, Ns)
    check_shape("lnBbar", lnB, (2 * Ns, 2 * Ns))
    lnC = _stacked_mapping("lnCbar", lnCbar, Ns)
    Nd = lnC.shape[1] // 2
    lnE = as_float_array("lnE", lnE, ndim=1)
    check_shape("lnE", lnE, (2 * Nd,))
    s2 = as_float_array("s", s, ndim=2)
    check_shape("s", s2, (None, Ns))
    check_open_unit("s", s2)
    d2 = as_float_array("delta", delta, ndim=2)
    check_shape("delta", d2, (s2.shape[0], Nd))
    check_open_unit("delta", d2)
    o2 = as_float_array("o", o, ndim=2)
    check_shape("o", o2, (s2.shape[0], No))
    check_closed_unit("o", o2)
    si = as_float_array("s_init", s_init, ndim=1)
    check_shape("s_init", si, (Ns,))
    T = s2.shape[0]
    g = as_float_array("gamma", gamma, ndim=(0, 1))
    g = np.broadcast_to(g, (T,)) if g.ndim == 0 else g
    check_shape("gamma", g, (T,))
    check_closed_unit("gamma", g)
    sp = np.vstack([si[None, :], s2[:-1]])
    S, SP, DD = stack(s2), stack(sp), stack(d2)
    Fs = np.sum(S * (np.log(S) - stack(o2) @ lnA - SP @ lnB - lnD))
    Fd = np.sum(DD * (np.log(DD) - (1.0 - 2.0 * g)[:, None] * (SP @ lnC) - lnE))
    return float(Fs + Fd)


def sample_decision(y, rng: np.random.Generator) -> np.ndarray:
    """Sample one decision with the rule of SPEC eq. (6.1); returns the one-hot vector ``d`` (Ny,).

    Parameters
    ----------
    y : array_like, shape (Ny,)
    rng : numpy.random.Generator

    Returns
    -------
    numpy.ndarray, shape (Ny,)
        One-hot decision.

    Examples
    --------
    >>> sample_decision([0.0, 0.9, 0.0], np.random.default_rng(0))
    array([0., 1., 0.])
    """
    rng = check_rng(rng)
    p = selection_probabilities(y)
    d = np.zeros_like(p)
    d[maths.sample_index(p, rng.random())] = 1.0
    return d


# ---------------------------------------------------------------------------
# Curves of the one-factor model (Lesson 03 figures, SPEC §4.3)
# ---------------------------------------------------------------------------
def free_energy_curve(o, A, D, n_points: int = 400):
    """F(q) of a one-factor model for one observation, over a grid of q = q(s = ON) (SPEC eq. 3.2).

    Parameters
    ----------
    o : array_like, shape (No,)
        Binary observation.
    A : array_like, shape (2*No, 2)
        Stacked likelihood.
    D : array_like, shape (2,)
        Prior ``(D_ON, D_OFF)``.
    n_points : int, optional

    Returns
    -------
    q, F : numpy.ndarray, each shape (n_points,)
    s_star : float
        The exact posterior, where F is smallest.
    surprise : float
        ``-ln P(o)``, the minimum of F.

    Examples
    --------
    >>> A = np.array([[0.8, 0.3], [0.2, 0.7]])
    >>> q, F, s_star, surprise = free_energy_curve([1.0], A, [0.5, 0.5])
    >>> round(s_star, 4), bool(F.min() >= surprise - 1e-12)
    (0.7273, True)
    """
    q = np.linspace(1e-3, 1 - 1e-3, n_points)
    o = np.asarray(o, dtype=float)
    A = np.asarray(A, dtype=float)
    lnA, lnD = np.log(A), np.log(np.asarray(D, dtype=float))
    F = free_energy_per_step(q[:, None], np.repeat(o[None, :], n_points, axis=0), lnA, lnD)
    return q, F, exact_posterior(o, A, D), -log_evidence(o, A, D)


def prior_sweep(o, A, q: float = 0.5, n_points: int = 200):
    """Posterior, surprise and F of a fixed belief ``q`` as functions of the prior D_ON (one-factor model).

    Parameters
    ----------
    o : array_like, shape (No,)
    A : array_like, shape (2*No, 2)
    q : float, optional
        The fixed belief q(s = ON).
    n_points : int, optional

    Returns
    -------
    dict of numpy.ndarray, each shape (n_points,)
        ``D_on``, ``posterior``, ``surprise`` (= F at the posterior), ``F_q`` (F of the fixed q)
        and ``kl`` (= F_q - surprise >= 0).

    Examples
    --------
    >>> sw = prior_sweep([1.0], np.array([[0.8, 0.3], [0.2, 0.7]]), n_points=5)
    >>> bool(np.all(sw["kl"] >= -1e-12)), bool(np.all(np.diff(sw["posterior"]) > 0))
    (True, True)
    """
    d = np.linspace(0.01, 0.99, n_points)
    o = np.asarray(o, dtype=float)
    A = np.asarray(A, dtype=float)
    post = np.array([exact_posterior(o, A, [di, 1 - di]) for di in d])
    surprise = np.array([-log_evidence(o, A, [di, 1 - di]) for di in d])
    Fq = np.array([free_energy_per_step(np.array([q]), o, np.log(A), np.log([di, 1 - di])) for di in d])
    return {"D_on": d, "posterior": post, "surprise": surprise, "F_q": Fq, "kl": Fq - surprise}

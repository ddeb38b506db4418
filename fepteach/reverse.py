"""Reverse engineering: from (inputs, activity) data to priors, synapses, cost and predicted learning (SPEC §6).

A canonical network's free constants are Bayesian quantities (SPEC §4.5, §6.1): the
constant parts of its thresholds are log-priors (``phi = ln D``), its synaptic strengths
are logits of posterior likelihood mappings, and its Hebbian/homeostatic accumulators
are Dirichlet counts. This module estimates them from recorded data:

* :func:`implied_prior` — the prior implied by mean activity (SPEC eq. 5.1);
* :func:`estimate_from_activity` — per-session weights, thresholds and cost (SPEC §6.3);
* :func:`predict_learning` / :func:`predict_subsequent_learning` — run the canonical
  network with the estimated constants forward and predict what it will learn (SPEC §6.3 item 3).

Data a user supplies
--------------------
* ``o``: inputs, shape ``(T, No)``, binary (0/1 values; bool, integer or float dtype).
* ``x``: activity, shape ``(T, Nx)``, firing intensities in [0, 1] (float dtype; read as float64).
  Both have time on the first axis and the same ``T``. A single neuron is ``(T, 1)``, not ``(T,)``.
Wrong shapes, non-binary inputs, activity outside [0, 1] and NaNs raise ``ValueError``
naming the argument.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from scipy.special import expit, logit

from fepteach import maths
from fepteach._validate import (
    EPS,
    as_float_array,
    check_binary,
    check_closed_unit,
    check_int,
    check_positive,
    check_shape,
)
from fepteach.cost import HebbHome
from fepteach.neurons import adaptive_thresholds

__all__ = [
    "check_data",
    "ImpliedPrior",
    "implied_prior",
    "HebbHome",
    "session_cost",
    "ReverseEstimate",
    "estimate_from_activity",
    "Prediction",
    "predict_learning",
    "predict_learning_reference",
    "SubsequentLearning",
    "predict_subsequent_learning",
    "log_prior_odds_from_activity",
]


# ---------------------------------------------------------------------------
# Input checks
# ---------------------------------------------------------------------------
def _check_o(o) -> np.ndarray:
    arr = np.asarray(o)
    if arr.dtype == bool:
        arr = arr.astype(float)
    arr = as_float_array("o", arr)
    if arr.ndim != 2:
        raise ValueError(f"o must be 2-D with shape (T, No) (time first); got an array of shape {arr.shape}")
    if arr.shape[0] < 1 or arr.shape[1] < 1:
        raise ValueError(f"o must have at least one time step and one input; got shape {arr.shape}")
    check_binary("o", arr)
    return arr


def _check_x(x) -> np.ndarray:
    arr = as_float_array("x", x)
    if arr.ndim != 2:
        hint = " (for one neuron use x.reshape(-1, 1))" if arr.ndim == 1 else ""
        raise ValueError(f"x must be 2-D with shape (T, Nx) (time first); got an array of shape {arr.shape}{hint}")
    if arr.shape[0] < 1 or arr.shape[1] < 1:
        raise ValueError(f"x must have at least one time step and one neuron; got shape {arr.shape}")
    check_closed_unit("x", arr)
    return arr


def check_data(o, x) -> tuple[np.ndarray, np.ndarray]:
    """Validate a user's (inputs, activity) pair and return float64 copies.

    ``o``: (T, No) binary; ``x``: (T, Nx) in [0, 1]; same T. Raises ``ValueError`` otherwise.

    Parameters
    ----------
    o : array_like, shape (T, No)
    x : array_like, shape (T, Nx)

    Returns
    -------
    o, x : numpy.ndarray

    Examples
    --------
    >>> o, x = check_data([[1, 0]], [[0.3]])
    >>> o.dtype, x.shape
    (dtype('float64'), (1, 1))
    """
    o = _check_o(o)
    x = _check_x(x)
    if o.shape[0] != x.shape[0]:
        raise ValueError(f"o and x must have the same number of time steps (first axis); got {o.shape[0]} and {x.shape[0]}")
    return o, x


# ---------------------------------------------------------------------------
# Implied prior (SPEC §6.2)
# ---------------------------------------------------------------------------
@dataclass
class ImpliedPrior:
    """Prior implied by activity: ``D_on`` = <x> (Nx,), ``phi1 = ln <x>``, ``phi0 = ln(1 - <x>)`` (SPEC eq. 5.1)."""

    D_on: np.ndarray
    phi1: np.ndarray
    phi0: np.ndarray

    @property
    def phi(self) -> np.ndarray:
        """Stacked threshold constants (phi1; phi0), shape (2*Nx,) — the layout of :mod:`fepteach.bss`."""
        return np.concatenate([self.phi1, self.phi0])


def implied_prior(x) -> ImpliedPrior:
    """Estimate the implicit prior of each neuron from its mean activity (SPEC eq. 5.1, Appendix A.4).

    ``D_on = <x>``, ``phi1 = ln <x>``, ``phi0 = ln(1 - <x>)``; the mean is clipped to [EPS, 1 - EPS]
    so the logs are finite. ``x``: (T, Nx) activity in [0, 1]. Consistent only when the network's model
    matches its inputs; a wrong prior is pulled toward the data's prevalence (SPEC §5.6 item 1).

    Parameters
    ----------
    x : array_like, shape (T, Nx)

    Returns
    -------
    ImpliedPrior

    Examples
    --------
    >>> implied_prior(np.array([[0.2], [0.4]])).D_on
    array([0.3])
    """
    x = _check_x(x)
    m = maths.clip_probability(x.mean(axis=0))
    return ImpliedPrior(D_on=m, phi1=np.log(m), phi0=np.log1p(-m))


# ---------------------------------------------------------------------------
# Session cost (SPEC §6.3); the accumulators are fepteach.cost.HebbHome
# ---------------------------------------------------------------------------
def session_cost(o, x, W1, W0, h1, h0) -> float:
    """Cost of a batch of activity under fixed weights and thresholds (SPEC §6.3, eq. 2.2 summed over tau).

    ``L = sum_tau (x; 1-x)^T [ln((x; 1-x) + 1e-6) - (W1; W0) o_tau - (h1; h0)]``.
    ``o`` (T, No), ``x`` (T, Nx), ``W1, W0`` (Nx, No), ``h1, h0`` (Nx,).

    Parameters
    ----------
    o : array_like, shape (T, No)
    x : array_like, shape (T, Nx)
    W1, W0 : array_like, shape (Nx, No)
    h1, h0 : array_like, shape (Nx,)

    Returns
    -------
    float

    Examples
    --------
    >>> W = np.zeros((1, 1))
    >>> round(session_cost([[1.0]], [[0.5]], W, W, [0.0], [0.0]), 4)  # the entropy term alone: 2 * 0.5 ln 0.5
    -0.6931
    """
    o, x = check_data(o, x)
    W1 = as_float_array("W1", W1, ndim=2)
    W0 = as_float_array("W0", W0, ndim=2)
    check_shape("W1", W1, (x.shape[1], o.shape[1]))
    check_shape("W0", W0, W1.shape)
    xbar = 1.0 - x
    on = x * (np.log(x + EPS) - o @ W1.T - h1)
    off = xbar * (np.log(xbar + EPS) - o @ W0.T - h0)
    return float(on.sum() + off.sum())


# ---------------------------------------------------------------------------
# Estimation from activity (SPEC §6.3 steps 1-2)
# ---------------------------------------------------------------------------
@dataclass
class ReverseEstimate:
    """Per-session estimates (SPEC §6.3): ``W1, W0`` (S, Nx, No); ``h1, h0`` (S, Nx); ``L`` (S,) session costs;
    ``phi1, phi0`` (Nx,) the threshold constants used; ``state``: accumulators after all sessions;
    ``session_starts``: (S,) first time index of each session."""

    W1: np.ndarray
    W0: np.ndarray
    h1: np.ndarray
    h0: np.ndarray
    L: np.ndarray
    phi1: np.ndarray
    phi0: np.ndarray
    state: HebbHome
    session_starts: np.ndarray

    @property
    def abar_on(self) -> np.ndarray:
        """sigma(W1): estimated P(o_i = 1 | s_j = ON), shape (S, Nx, No)."""
        return expit(self.W1)


def estimate_from_activity(o, x, session_length: int, lam: float = 100.0, phi1=None, phi0=None) -> ReverseEstimate:
    """Weights, thresholds and per-session cost reconstructed from (inputs, activity) data (SPEC §6.3).

    Sessions are consecutive blocks of ``session_length`` steps (the last may be shorter). For each session
    the weights are computed from the accumulators *before* that session's data are added:
    ``W1 = logit(Hebb1 / Home1)``, ``W0 = logit(Hebb0 / Home0)``, thresholds from SPEC eq. (1.2) with the
    constants ``phi1, phi0`` (default: the implied prior of eq. 5.1 from all of ``x``), and the session cost
    :func:`session_cost`. ``lam`` is the prior strength of the accumulators (:meth:`HebbHome.initial`).

    ``o``: (T, No) binary; ``x``: (T, Nx) in [0, 1]. Returns :class:`ReverseEstimate`.

    Parameters
    ----------
    o : array_like, shape (T, No)
    x : array_like, shape (T, Nx)
    session_length : int
    lam : float, optional
    phi1, phi0 : array_like, shape (Nx,), optional

    Returns
    -------
    ReverseEstimate

    Examples
    --------
    >>> rng = np.random.default_rng(0)
    >>> est = estimate_from_activity(rng.integers(0, 2, (20, 3)), rng.random((20, 2)), session_length=10)
    >>> est.W1.shape, est.L.shape
    ((2, 2, 3), (2,))
    """
    o, x = check_data(o, x)
    T, no = o.shape
    nx = x.shape[1]
    session_length = check_int("session_length", session_length, minimum=1)
    if phi1 is None or phi0 is None:
        if phi1 is not None or phi0 is not None:
            raise ValueError("give both phi1 and phi0, or neither (then the implied prior of x is used)")
        prior = implied_prior(x)
        phi1, phi0 = prior.phi1, prior.phi0
    phi1 = as_float_array("phi1", phi1, ndim=1)
    phi0 = as_float_array("phi0", phi0, ndim=1)
    check_shape("phi1", phi1, (nx,))
    check_shape("phi0", phi0, (nx,))
    state = HebbHome.initial(nx, no, lam)
    starts = np.arange(0, T, session_length)
    S = starts.size
    W1 = np.empty((S, nx, no))
    W0 = np.empty((S, nx, no))
    h1 = np.empty((S, nx))
    h0 = np.empty((S, nx))
    L = np.empty(S)
    for k, t0 in enumerate(starts):
        sl = slice(t0, t0 + session_length)
        W1[k], W0[k] = state.weights()
        h1[k], h0[k] = adaptive_thresholds(W1[k], W0[k], phi1, phi0)
        L[k] = session_cost(o[sl], x[sl], W1[k], W0[k], h1[k], h0[k])
        state = state.add(x[sl], o[sl])
    return ReverseEstimate(W1=W1, W0=W0, h1=h1, h0=h0, L=L, phi1=phi1, phi0=phi0, state=state, session_starts=starts)


# ---------------------------------------------------------------------------
# Prediction of subsequent learning (SPEC §6.3 item 3, §5.6 item 3)
# ---------------------------------------------------------------------------
@dataclass
class Prediction:
    """A canonical network run forward: ``x`` (T, Nx) predicted activity; ``state`` final accumulators;
    ``abar_bins`` (T // bin_size, No, 2*Nx) bin means of P(o_i = 1 | s_j = b) (stacked columns)."""

    x: np.ndarray
    state: HebbHome
    abar_bins: np.ndarray


def _check_predict_args(o, state, phi1, phi0):
    o = _check_o(o)
    if not isinstance(state, HebbHome):
        raise ValueError(f"state must be a HebbHome (e.g. estimate.state); got {type(state).__name__}")
    nx, no = state.hebb1.shape
    check_shape("o", o, (None, no))
    phi1 = as_float_array("phi1", phi1, ndim=1)
    phi0 = as_float_array("phi0", phi0, ndim=1)
    check_shape("phi1", phi1, (nx,))
    check_shape("phi0", phi0, (nx,))
    return o, phi1, phi0


def predict_learning(o, state: HebbHome, phi1, phi0, bin_size: int = 0) -> Prediction:
    """Simulate the canonical network with estimated constants on new inputs, learning online (SPEC §6.3 item 3).

    Per step: ``x = sigma((W1 - W0) o + h1 - h0)`` with adaptive thresholds (1.2), then the accumulators add
    ``x o^T`` etc. Identical to the BSS network (``sim_type = 2``, SPEC §4.5) and run with its compiled kernel.
    ``o``: (T, No) binary; ``state``: starting accumulators; ``phi1, phi0``: (Nx,). Returns :class:`Prediction`.

    Parameters
    ----------
    o : array_like, shape (T, No)
        Binary inputs.
    state : HebbHome
        Accumulators to start from (e.g. ``estimate.state``).
    phi1, phi0 : array_like, shape (Nx,)
    bin_size : int, optional

    Returns
    -------
    Prediction

    Examples
    --------
    >>> o = np.random.default_rng(0).integers(0, 2, (30, 4)).astype(float)
    >>> pred = predict_learning(o, HebbHome.initial(2, 4), np.log([0.5, 0.5]), np.log([0.5, 0.5]))
    >>> pred.x.shape
    (30, 2)
    """
    from fepteach.bss import simulate_many

    o, phi1, phi0 = _check_predict_args(o, state, phi1, phi0)
    x, qa, bins = simulate_many(o, state.to_counts(), np.concatenate([phi1, phi0]), bin_size=bin_size)
    return Prediction(x=x[0], state=HebbHome.from_counts(qa[0]), abar_bins=bins[0])


def predict_learning_reference(o, state: HebbHome, phi1, phi0) -> Prediction:
    """Readable network-form version of :func:`predict_learning` (SPEC eqs. 1.1-1.2 fixed point + §6.3 updates).

    Parameters
    ----------
    o : array_like, shape (T, No)
    state : HebbHome
    phi1, phi0 : array_like, shape (Nx,)

    Returns
    -------
    Prediction

    Examples
    --------
    >>> o = np.random.default_rng(0).integers(0, 2, (30, 4)).astype(float)
    >>> st, phi = HebbHome.initial(2, 4), np.log([0.5, 0.5])
    >>> bool(np.allclose(predict_learning_reference(o, st, phi, phi).x, predict_learning(o, st, phi, phi).x))
    True
    """
    o, phi1, phi0 = _check_predict_args(o, state, phi1, phi0)
    T = o.shape[0]
    x = np.empty((T, state.hebb1.shape[0]))
    for t in range(T):
        W1, W0 = state.weights()
        h1, h0 = adaptive_thresholds(W1, W0, phi1, phi0)
        x[t] = expit((W1 - W0) @ o[t] + h1 - h0)
        state = state.add(x[t:t + 1], o[t:t + 1])
    return Prediction(x=x, state=state, abar_bins=np.zeros((0, o.shape[1], 2 * x.shape[1])))


@dataclass
class SubsequentLearning:
    """Observed vs predicted activity after the estimation window (:func:`predict_subsequent_learning`).

    ``estimate``: the :class:`ReverseEstimate` from the first sessions; ``x_observed``, ``x_predicted``:
    (T - t_split, Nx); ``t_split``: first predicted step; ``correlation``: (Nx,) Pearson correlation of
    observed and predicted activity per neuron; ``W1_observed``: (S_future, Nx, No) weights estimated
    from the observed data in the later sessions; ``W1_predicted``: the same from the predicted activity.
    """

    estimate: ReverseEstimate
    x_observed: np.ndarray
    x_predicted: np.ndarray
    t_split: int
    correlation: np.ndarray
    W1_observed: np.ndarray
    W1_predicted: np.ndarray


def predict_subsequent_learning(o, x, session_length: int, n_init_sessions: int, lam: float = 100.0,
                                phi1=None, phi0=None) -> SubsequentLearning:
    """Estimate constants from the first ``n_init_sessions`` sessions, then predict the rest (SPEC §6.3 item 3).

    The implied prior (eq. 5.1) and the accumulators are estimated from the first
    ``t_split = n_init_sessions * session_length`` steps only; the canonical network with these constants is run
    forward on ``o[t_split:]`` (:func:`predict_learning`) and compared with the observed ``x[t_split:]``.
    ``o``: (T, No) binary; ``x``: (T, Nx) in [0, 1]. Returns :class:`SubsequentLearning`.

    Parameters
    ----------
    o : array_like, shape (T, No)
    x : array_like, shape (T, Nx)
    session_length : int
    n_init_sessions : int
        Sessions used for the estimate; the rest are predicted.
    lam : float, optional
    phi1, phi0 : array_like, shape (Nx,), optional

    Returns
    -------
    SubsequentLearning

    Examples
    --------
    >>> rng = np.random.default_rng(0)
    >>> res = predict_subsequent_learning(rng.integers(0, 2, (40, 3)), rng.random((40, 2)), 10, 2)
    >>> res.t_split, res.x_predicted.shape
    (20, (20, 2))
    """
    o, x = check_data(o, x)
    session_length = check_int("session_length", session_length, minimum=1)
    n_init_sessions = check_int("n_init_sessions", n_init_sessions, minimum=1)
    t_split = n_init_sessions * session_length
    if t_split >= o.shape[0]:
        raise ValueError(f"n_init_sessions * session_length = {t_split} must be < T = {o.shape[0]} to leave data to predict")
    if phi1 is None and phi0 is None:
        prior = implied_prior(x[:t_split])
        phi1, phi0 = prior.phi1, prior.phi0
    est = estimate_from_activity(o[:t_split], x[:t_split], session_length, lam, phi1, phi0)
    pred = predict_learning(o[t_split:], est.state, est.phi1, est.phi0)
    xo, xp = x[t_split:], pred.x
    a = xo - xo.mean(axis=0)
    b = xp - xp.mean(axis=0)
    with np.errstate(invalid="ignore", divide="ignore"):
        corr = (a * b).sum(axis=0) / np.sqrt((a ** 2).sum(axis=0) * (b ** 2).sum(axis=0))
    later_obs = estimate_from_activity(o, x, session_length, lam, est.phi1, est.phi0).W1[n_init_sessions:]
    x_joined = np.concatenate([x[:t_split], xp])
    later_pred = estimate_from_activity(o, x_joined, session_length, lam, est.phi1, est.phi0).W1[n_init_sessions:]
    return SubsequentLearning(estimate=est, x_observed=xo, x_predicted=xp, t_split=t_split,
                              correlation=np.nan_to_num(corr), W1_observed=later_obs, W1_predicted=later_pred)


# ---------------------------------------------------------------------------
# Reading the prior off the thresholds (SPEC §4.5 remark) and a network to diagnose
# ---------------------------------------------------------------------------
SATURATED = 1e-10  # rates closer than this to 0 or 1 are not used by the threshold readout
def log_prior_odds_from_activity(o, x, lam: float = 100.0) -> np.ndarray:
    """Per-step readout of the threshold constants' difference phi1 - phi0 from (inputs, activity) (SPEC §4.5, §6.3).

    The weights in force at step t are reconstructed from the data before t (``Hebb = lam/2 + sum x o^T``,
    ``Home = lam + sum x 1^T``, as in :func:`estimate_from_activity` with one-step sessions). A canonical network's
    activity satisfies ``logit(x_t) = (W1 - W0) o_t + h1 - h0``, and ``h = ln(1 - sigma(W)) 1 + phi`` (eq. 1.2), so
    ``phi1 - phi0 = logit(x_t) - (W1 - W0) o_t - [ln(1 - sigma(W1)) - ln(1 - sigma(W0))] 1`` at every step.
    Unlike eq. (5.1) this is not pulled toward the data's prevalence, but it needs the weights (and it assumes the
    network started from ``lam``-strength neutral synapses). A saturated rate (within ``SATURATED = 1e-10`` of 0 or 1)
    no longer carries the drive in floating point; those steps are returned as NaN.

    ``o``: (T, No) binary; ``x``: (T, Nx) in [0, 1]. Returns (T, Nx); take ``np.nanmedian`` over time for an
    estimate and ``sigmoid`` of it for the implied prior D_ON.

    Parameters
    ----------
    o : array_like, shape (T, No)
    x : array_like, shape (T, Nx)
    lam : float, optional

    Returns
    -------
    numpy.ndarray, shape (T, Nx)

    Examples
    --------
    >>> odds = log_prior_odds_from_activity([[1.0, 0.0]], [[0.5]])
    >>> float(odds[0, 0])  # neutral synapses and x = 1/2: no evidence either way
    0.0
    """
    o, x = check_data(o, x)
    lam = check_positive("lam", lam)
    xo = x[:, :, None] * o[:, None, :]                               # (T, Nx, No)
    xbo = (1.0 - x)[:, :, None] * o[:, None, :]
    before = lambda a: np.concatenate([np.zeros_like(a[:1]), np.cumsum(a, axis=0)[:-1]])  # noqa: E731
    hebb1 = lam / 2 + before(xo)
    hebb0 = lam / 2 + before(xbo)
    home1 = lam + before(np.broadcast_to(x[:, :, None], xo.shape))
    home0 = lam + before(np.broadcast_to((1.0 - x)[:, :, None], xo.shape))
    W1, W0 = logit(hebb1 / home1), logit(hebb0 / home0)
    drive = np.einsum("tji,ti->tj", W1 - W0, o)
    adaptive = maths.threshold_term(W1) - maths.threshold_term(W0)
    informative = (x > SATURATED) & (x < 1 - SATURATED)
    xc = np.where(informative, x, 0.5)
    return np.where(informative, logit(xc) - drive - adaptive, np.nan)

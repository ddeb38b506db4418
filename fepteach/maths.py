"""Maths primitives: the one home of each small equation that several modules use.

Every other module of :mod:`fepteach` calls these functions instead of writing the
equation again (the compiled kernels ``_bss_kernels`` and ``_agent_numba`` keep their own
copies only where numba requires it; tests check them against these).

* :data:`EPS` -- the floor inside logs and probabilities (both reference codes);
* :func:`log_floor` -- ``ln max(EPS, x)``; :func:`clip_probability` -- ``clip(p, EPS, 1 - EPS)``;
* :func:`stack`, :func:`halves` -- ``(x; 1 - x)`` and its two halves (binary factors);
* :func:`threshold_term` -- ``ln(1 - sigma(M)) 1``, the weight part of an adaptive threshold (P1 eq. 1.2);
* :func:`dirichlet_log_mean` -- ``ln a - ln(a_ON + a_OFF)``, the network's expectation (P1 eq. 3.5);
* :func:`binary_posterior` -- ``sigma(v_ON - v_OFF)`` (P1 eq. 3.3, P2 eq. 3.6);
* :func:`state_potentials_two_layer` -- ``(o; 1-o) lnA + s_prev lnBbar + lnD`` (P2 eq. 3.6);
* :func:`decision_potentials` -- ``g s_prev lnCbar + lnE`` (P2 eqs. 3.5-3.6);
* :func:`selection_probabilities` -- ``pi = r / sum r``, ``r = y / (1 - y + EPS)`` (P2 eq. 6.1);
* :func:`sample_index` -- the inverse-CDF draw of a decision;
* :func:`modulation` -- the risk's plasticity factor ``g = 1 - 2 Gamma`` (P2 eq. 3.7);
* :func:`policy_update` -- ``max(1, qci + g q^T d)`` (P2 eq. 3.7), and :func:`policy_update_from_sums` the
  same update given the Hebbian sum ``q^T d`` already formed.

Stacked layout: a vector of ``N`` binary factors is stored as ``(x_ON; x_OFF)`` of length
``2N`` (ON half first), a mapping as a ``(2 Nc, 2 Np)`` matrix (child value, parent value);
see :mod:`fepteach.pomdp`.
"""

from __future__ import annotations

import numpy as np
from scipy.special import expit

from ._validate import EPS, as_float_array, check_closed_unit, check_counts

__all__ = [
    "EPS",
    "log_floor",
    "clip_probability",
    "stack",
    "halves",
    "threshold_term",
    "dirichlet_log_mean",
    "binary_posterior",
    "state_potentials_two_layer",
    "decision_potentials",
    "selection_probabilities",
    "sample_index",
    "modulation",
    "policy_update",
    "policy_update_from_sums",
]


def log_floor(x):
    """Logarithm with the codes' floor, ``ln max(EPS, x)`` (``EPS = 1e-6``).

    Parameters
    ----------
    x : array_like
        Non-negative numbers (counts, probabilities, priors).

    Returns
    -------
    numpy.ndarray
        ``ln x`` where ``x >= EPS``, ``ln EPS`` below.

    Examples
    --------
    >>> log_floor([1.0, 0.0]).round(3)
    array([  0.   , -13.816])
    """
    return np.log(np.maximum(EPS, np.asarray(x, dtype=float)))


def clip_probability(p):
    """Keep probabilities away from 0 and 1: ``clip(p, EPS, 1 - EPS)``, so their logs stay finite.

    Parameters
    ----------
    p : array_like
        Probabilities (or means of activity).

    Returns
    -------
    numpy.ndarray
        ``p`` clipped to ``[EPS, 1 - EPS]``.

    Examples
    --------
    >>> clip_probability([0.0, 0.5, 1.0])
    array([1.00000e-06, 5.00000e-01, 9.99999e-01])
    """
    return np.clip(np.asarray(p, dtype=float), EPS, 1.0 - EPS)


def stack(x) -> np.ndarray:
    """Stack ON-probabilities (or binary values) with their complements, ``(x; 1 - x)``.

    The layout of every binary factor in the papers: ``s = (s_ON; s_OFF)`` (P1 §3).

    Parameters
    ----------
    x : array_like, shape (..., N)
        ON probabilities ``x_ON``.

    Returns
    -------
    numpy.ndarray, shape (..., 2N)
        ``(x; 1 - x)`` along the last axis.

    Examples
    --------
    >>> stack([0.25, 1.0])
    array([0.25, 1.  , 0.75, 0.  ])
    """
    arr = as_float_array("x", x)
    if arr.ndim < 1:
        raise ValueError(f"x must be at least 1-D; got shape {arr.shape}")
    return np.concatenate([arr, 1.0 - arr], axis=-1)


def halves(x) -> tuple[np.ndarray, np.ndarray]:
    """The ON and OFF halves of a stacked vector (or of the rows of a stacked matrix), as views.

    Parameters
    ----------
    x : numpy.ndarray, shape (2N, ...)
        A stacked array, ON half first along the first axis.

    Returns
    -------
    on, off : numpy.ndarray, each shape (N, ...)

    Examples
    --------
    >>> on, off = halves(np.array([0.25, 1.0, 0.75, 0.0]))
    >>> on, off
    (array([0.25, 1.  ]), array([0.75, 0.  ]))
    """
    x = np.asarray(x)
    if x.ndim < 1 or x.shape[0] % 2:
        raise ValueError(f"x must be stacked (ON half; OFF half) with an even first axis; got shape {x.shape}")
    n = x.shape[0] // 2
    return x[:n], x[n:]


def threshold_term(M) -> np.ndarray:
    """Weight-dependent part of an adaptive threshold, ``ln(1 - sigma(M)) 1`` (P1 eq. 1.2).

    Summed over the last (presynaptic) axis. Written as ``-ln(1 + e^M)`` (``-logaddexp(0, M)``),
    which is exact and does not overflow. Under the dictionary of P1 §3 it equals
    ``sum_i ln Abar[OFF, ·]`` of the Bayesian side.

    Parameters
    ----------
    M : array_like, shape (..., Npost, Npre)
        Synaptic strengths (``W1``, ``W0``, ``K1``, ``V1``...), rows are postsynaptic neurons.

    Returns
    -------
    numpy.ndarray, shape (..., Npost)

    Examples
    --------
    >>> float(threshold_term([[0.0, 0.0]])[0])  # 2 ln(1/2)
    -1.3862943611198906
    """
    M = as_float_array("M", M)
    if M.ndim < 1:
        raise ValueError(f"M must be at least 1-D (a row of synaptic strengths); got shape {M.shape}")
    return -np.logaddexp(0.0, M).sum(axis=-1)


def dirichlet_log_mean(qa) -> np.ndarray:
    """Logarithm of the posterior mean, ``ln Abar`` — the network-equivalent expectation (P1 eq. 3.5).

    ``ln max(EPS, a[a*Nc+i, b*Np+j]) - ln max(EPS, a[i, b*Np+j] + a[Nc+i, b*Np+j])``. Only with
    this expectation (not the digamma one) is the Bayesian update identical to the network
    with ``W = logit(Abar^T)`` (P1 §3).

    Parameters
    ----------
    qa : array_like, shape (..., 2*Nc, 2*Np)
        Non-negative Dirichlet counts in the stacked layout (child value, parent value).

    Returns
    -------
    numpy.ndarray, same shape as ``qa``
        ``exp`` of each (child ON, child OFF) pair sums to 1.

    Examples
    --------
    >>> dirichlet_log_mean([[3.0, 1.0], [1.0, 1.0]]).round(4)
    array([[-0.2877, -0.6931],
           [-1.3863, -0.6931]])
    """
    arr = check_counts("qa", qa)
    nc = arr.shape[-2] // 2
    log_tot = log_floor(arr[..., :nc, :] + arr[..., nc:, :])
    out = log_floor(arr)  # then the two halves in place: no further array of the size of qa
    out[..., :nc, :] -= log_tot  # (the policy counts are 1 MB, and every new array of that
    out[..., nc:, :] -= log_tot  # size costs fresh pages)
    return out


def binary_posterior(v) -> np.ndarray:
    """ON component of the posterior of binary factors from stacked log-potentials, ``sigma(v_ON - v_OFF)``.

    The softmax over the two values of each factor (P1 eq. 3.3, P2 eq. 3.6); the OFF
    component is ``1 - s``.

    Parameters
    ----------
    v : array_like, shape (..., 2N)
        Stacked log-potentials ``(v_ON; v_OFF)`` along the last axis.

    Returns
    -------
    s : numpy.ndarray, shape (..., N)
        The ON posteriors.

    Examples
    --------
    >>> binary_posterior([0.0, 2.0, 0.0, 0.0]).round(4)
    array([0.5   , 0.8808])
    """
    v = np.asarray(v, dtype=float)
    n = v.shape[-1] // 2
    return expit(v[..., :n] - v[..., n:])


def selection_probabilities(y) -> np.ndarray:
    """Selection probabilities of the decision rule (P2 eq. 6.1): ``pi = r / sum r``, ``r = y / (1 - y + EPS)``.

    Up to the ``EPS`` guard this is the softmax of the output layer's membrane potentials
    ``logit(y)``. Each row of a ``(T, Ny)`` array is normalised on its own.

    Parameters
    ----------
    y : array_like, shape (Ny,) or (T, Ny)
        Decision posteriors (output-layer activity) in [0, 1].

    Returns
    -------
    pi : numpy.ndarray, same shape as ``y``; each row sums to 1.

    Examples
    --------
    >>> selection_probabilities([0.5, 0.5, 0.0])
    array([0.5, 0.5, 0. ])
    """
    y = as_float_array("y", y, ndim=(1, 2))
    check_closed_unit("y", y)
    r = _selection_weights(y)
    total = r.sum(axis=-1, keepdims=True)
    if np.any(total <= 0):
        raise ValueError("y must have at least one positive entry per row (some decision must be possible)")
    return r / total


def _selection_weights(y):
    """``r = y / (1 - y + EPS)`` of eq. (6.1), unchecked: for loops whose ``y`` the library computed itself."""
    return y / (1.0 - y + EPS)


def sample_index(pi, u: float) -> int:
    """Inverse-CDF draw: the first index whose cumulative probability exceeds ``u`` (P2 §3 decision sampling).

    With ``u ~ U[0, 1)`` the index ``l`` has probability ``pi_l``. The index is capped at the last
    entry against rounding of the cumulative sum.

    Parameters
    ----------
    pi : array_like, shape (N,)
        Probabilities summing to 1.
    u : float
        A uniform number in [0, 1) (e.g. ``rng.random()``).

    Returns
    -------
    int
        0-based index.

    Examples
    --------
    >>> sample_index([0.2, 0.5, 0.3], 0.1), sample_index([0.2, 0.5, 0.3], 0.69)
    (0, 1)
    """
    pi = np.asarray(pi, dtype=float)
    cdf = np.cumsum(pi)
    return int(min(np.searchsorted(cdf, u, side="right"), pi.size - 1))


def modulation(gamma):
    """The plasticity factor of the risk, ``g = 1 - 2 Gamma`` (P2 eq. 3.7).

    Hebbian (``g > 0``) after a low-risk chunk, anti-Hebbian (``g < 0``) after a high-risk one. It multiplies
    the policy-mapping update and, on the network side, the output layer's synaptic and threshold terms.

    Parameters
    ----------
    gamma : float or array_like
        Risk(s) Gamma in [0, 1].

    Returns
    -------
    float or numpy.ndarray
        ``1 - 2 gamma``: a float for a scalar ``gamma``, else an array of its shape.

    Examples
    --------
    >>> modulation(0.0), modulation(0.55)
    (1.0, -0.10000000000000009)
    >>> modulation([0.0, 0.45, 1.0])
    array([ 1. ,  0.1, -1. ])
    """
    g = as_float_array("gamma", gamma)
    check_closed_unit("gamma", g)
    out = 1.0 - 2.0 * g
    return float(out) if out.ndim == 0 else out


def policy_update(qci, q_prev, d, g) -> np.ndarray:
    """Risk-modulated Hebbian update of the policy counts with the floor at 1 (P2 eq. 3.7).

    ``qci <- max(1, qci + g * sum_tau q_prev_tau (x) d_tau)``, with ``g = 1 - 2 Gamma``:
    Hebbian after low risk (``g > 0``), anti-Hebbian after high risk. All arrays stacked.

    Parameters
    ----------
    qci : numpy.ndarray, shape (2*Ns, 2*Nd)
        Counts of the inverse policy mapping Cbar (child = previous state, parent = decision).
    q_prev : numpy.ndarray, shape (T, 2*Ns)
        Stacked previous state posteriors.
    d : numpy.ndarray, shape (T, 2*Nd)
        Stacked decisions ``(d; 1 - d)`` (one-hot decisions or posteriors).
    g : float
        Modulation ``1 - 2 Gamma`` of this batch (chunk).

    Returns
    -------
    numpy.ndarray, shape of ``qci``
        New counts (the input is not modified).

    Examples
    --------
    >>> qci = np.full((2, 2), 3.0)
    >>> policy_update(qci, np.array([[1.0, 0.0]]), np.array([[1.0, 0.0]]), g=-5.0)
    array([[1., 3.],
           [3., 3.]])
    """
    return policy_update_from_sums(qci, q_prev.T @ d, g)


def policy_update_from_sums(qci, S, g) -> np.ndarray:
    """The policy update of P2 eq. 3.7 given its Hebbian sum: ``max(1, qci + g * S)``.

    ``S = sum_tau q_prev_tau (x) d_tau`` is what :func:`policy_update` forms from the pairs; callers that
    keep the sums of a chunk (to re-learn it under other risks) apply the update with this function.

    Parameters
    ----------
    qci : numpy.ndarray, shape (2*Ns, 2*Nd)
        Counts of the inverse policy mapping Cbar.
    S : numpy.ndarray, shape (2*Ns, 2*Nd)
        Hebbian sum of the batch (chunk), stacked.
    g : float
        Modulation ``1 - 2 Gamma`` of this batch.

    Returns
    -------
    numpy.ndarray, shape of ``qci``
        New counts, floored at 1 (the input is not modified).

    Examples
    --------
    >>> policy_update_from_sums(np.full((2, 2), 3.0), np.array([[1.0, 0.0], [0.0, 0.0]]), g=-5.0)  # eq. 3.7
    array([[1., 3.],
           [3., 3.]])
    """
    return np.maximum(1.0, qci + g * S)


def state_potentials_two_layer(o, s_prev_stacked, lnA, lnBbar, lnD) -> np.ndarray:
    """Log-potentials of the hidden states of the two-layer model, stacked (P2 eq. 3.6, first part).

    ``v = (o; 1 - o) lnA + s_prev_stacked lnBbar + lnD``: the observation term and the prior
    of Lesson 03's single-layer update (P1 eq. 3.3) plus the previous posterior through the
    inverse transition ``Bbar``. No input checks (the callers check once per trial):
    :func:`fepteach.pomdp.posterior_states_two_layer` is the checked version.

    Parameters
    ----------
    o : numpy.ndarray, shape (No,)
        Observations in [0, 1].
    s_prev_stacked : numpy.ndarray, shape (2*Ns,)
        Previous state posterior, stacked (the agent's first step uses the unnormalised ``D``).
    lnA : numpy.ndarray, shape (2*No, 2*Ns)
    lnBbar : numpy.ndarray, shape (2*Ns, 2*Ns)
        Child = previous state, parent = current state.
    lnD : numpy.ndarray, shape (2*Ns,)

    Returns
    -------
    v : numpy.ndarray, shape (2*Ns,)
        ``(v_ON; v_OFF)``; the posterior is ``binary_posterior(v)``.

    Examples
    --------
    >>> lnA = np.log([[0.9, 0.2], [0.1, 0.8]])
    >>> v = state_potentials_two_layer(np.array([1.0]), np.array([0.5, 0.5]), lnA, np.zeros((2, 2)), np.log([0.5, 0.5]))
    >>> float(binary_posterior(v)[0].round(4))  # 0.9 / (0.9 + 0.2)
    0.8182
    """
    return np.concatenate([o, 1.0 - o]) @ lnA + s_prev_stacked @ lnBbar + lnD


def decision_potentials(s_prev_stacked, lnCbar, lnE, g: float = 1.0) -> np.ndarray:
    """Log-potentials of the decisions, stacked (P2 eq. 3.6, second part; eq. 3.5 with the risk).

    ``w = g * (s_prev_stacked lnCbar) + lnE``: the decision is inferred from the **previous**
    state posterior. During inference the risk is not yet known (``g = 1``); the free energy
    weights the policy term by ``g = 1 - 2 Gamma``. No input checks (see
    :func:`fepteach.pomdp.decision_posterior` for the checked version).

    Parameters
    ----------
    s_prev_stacked : numpy.ndarray, shape (2*Ns,)
    lnCbar : numpy.ndarray, shape (2*Ns, 2*Nd)
        Child = previous state, parent = decision.
    lnE : numpy.ndarray, shape (2*Nd,)
    g : float, optional
        Risk modulation ``1 - 2 Gamma`` (1 during inference).

    Returns
    -------
    w : numpy.ndarray, shape (2*Nd,)
        ``(w_ON; w_OFF)``; the decision posterior is ``binary_posterior(w)``.

    Examples
    --------
    >>> w = decision_potentials(np.array([0.5, 0.5]), np.zeros((2, 2)), np.log([0.2, 0.8]))
    >>> float(binary_posterior(w)[0].round(4))  # no learning yet: the prior E_ON
    0.2
    """
    return g * (s_prev_stacked @ lnCbar) + lnE

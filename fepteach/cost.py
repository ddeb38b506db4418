"""The cost function L of canonical neural networks, reconstructed from their activity equations (SPEC §3).

* :func:`step_cost` / :func:`total_cost` — the single-layer cost (SPEC eqs. 2.2–2.3);
  :func:`step_cost_two_layer` / :func:`total_cost_two_layer` — the two-layer cost (2.4).
* :func:`reconstruct_cost` — the lesson's central move: integrate the right-hand side of
  the activity equation (1.1) along a path in x; the result is L up to an x-independent constant.
* :func:`dL_dx`, :func:`d2L_dx2` — activity is gradient descent on L (1.3).
* :func:`dL_dW`, :func:`dL_dK`, :func:`dL_dV` — plasticity is gradient descent on the same L,
  with thresholds recomputed from the weights: Hebbian minus homeostatic (2.5)–(2.7).
* :class:`HebbHome`, :func:`accumulate_hebb_home` — closed-form weights from accumulated sums (§3.3).
* :func:`dL_dW_fixed_thresholds`, :func:`learn_fixed_thresholds` — the contrast of §3.5:
  with non-adaptive thresholds plasticity is purely Hebbian and runs away.

Shapes: ``W1, W0`` (Nx, No); ``K1, K0`` (Nx, Nx); ``V1, V0`` (Ny, Nx); ``h1, h0, phi1, phi0`` (Nx,);
``psi1, psi0`` (Ny,); activity ``x`` (T, Nx) or (Nx,); inputs ``o`` (T, No) or (No,); ``y`` (T, Ny);
risk ``gamma`` (T,) in [0, 1].
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from scipy.special import expit

from fepteach._validate import (
    as_float_array,
    check_closed_unit,
    check_int,
    check_open_unit,
    check_positive,
    check_shape,
)
from fepteach.maths import modulation, threshold_term
from fepteach.neurons import (
    adaptive_thresholds,
    fixed_point,
    integrate_u,
    logit,
    rhs_x,
    rhs_x_two_layer,
    rhs_y,
    sigmoid,
    two_layer_thresholds,
)

__all__ = [
    "CostTerms",
    "cost_terms",
    "step_cost",
    "total_cost",
    "total_cost_fixed_thresholds",
    "cost_at_fixed_point",
    "naive_integral",
    "straight_path",
    "reconstruct_cost",
    "dL_dx",
    "d2L_dx2",
    "step_cost_two_layer",
    "total_cost_two_layer",
    "dL_dx_two_layer",
    "dL_dy",
    "dL_dW",
    "dL_dK",
    "dL_dV",
    "dL_dW_fixed_thresholds",
    "HebbHome",
    "accumulate_hebb_home",
    "closed_form_weights",
    "integrate_plasticity",
    "learn_adaptive",
    "learn_fixed_thresholds",
    "cost_curve",
    "gradient_flow",
]


# ---------------------------------------------------------------------------
# Validation helpers
# ---------------------------------------------------------------------------


def _pair(name1, A1, name0, A0, shape=None):
    A1 = as_float_array(name1, A1, ndim=2)
    A0 = as_float_array(name0, A0, ndim=2)
    if shape is not None:
        check_shape(name1, A1, shape)
    if A0.shape != A1.shape:
        raise ValueError(f"{name0} must have the same shape as {name1} {A1.shape}; got {A0.shape}")
    return A1, A0


def _vec(name, v, n):
    v = as_float_array(name, v, ndim=1)
    check_shape(name, v, (n,))
    return v


def _series(name, v, n, open_unit=False):
    """Return a (T, n) float array from (n,) or (T, n)."""
    v = as_float_array(name, v, ndim=(1, 2))
    v2 = np.atleast_2d(v)
    check_shape(name, v2, (None, n))
    if open_unit:
        check_open_unit(name, v2)
    else:
        check_closed_unit(name, v2)
    return v2


def _same_T(**arrays):
    items = list(arrays.items())
    T = items[0][1].shape[0]
    for name, a in items[1:]:
        if a.shape[0] != T:
            raise ValueError(f"{name} must have {T} time steps (like {items[0][0]}); got {a.shape[0]}")
    return T


def _xlogx(x):
    return x * np.log(x)


# ---------------------------------------------------------------------------
# Single-layer cost (SPEC §3.1)
# ---------------------------------------------------------------------------


@dataclass
class CostTerms:
    """The three parts of the per-step cost (2.2), one value per time step and neuron.

    Attributes
    ----------
    entropy : (T, Nx) — ``x ln x + (1-x) ln(1-x)`` (negative binary entropy; ↔ ``s·ln s`` in F)
    synaptic : (T, Nx) — ``-(x (W1 o) + (1-x) (W0 o))`` (↔ the ON-row log-likelihoods in F)
    threshold : (T, Nx) — ``-(x h1 + (1-x) h0)`` (↔ OFF-row log-likelihoods plus log prior in F)
    """

    entropy: np.ndarray
    synaptic: np.ndarray
    threshold: np.ndarray

    def total(self) -> float:
        """Sum of all three parts over steps and neurons (= :func:`total_cost`)."""
        return float(self.entropy.sum() + self.synaptic.sum() + self.threshold.sum())


def cost_terms(x, o, W1, W0, h1, h0) -> CostTerms:
    """Per-step, per-neuron parts of the single-layer cost L_tau (SPEC eq. 2.2).

    Shapes: x (T, Nx) or (Nx,) strictly in (0, 1); o (T, No) or (No,) in [0, 1];
    W1, W0 (Nx, No); h1, h0 (Nx,). Returns :class:`CostTerms` of (T, Nx) arrays.

    Parameters
    ----------
    x : array_like, shape (T, Nx) or (Nx,)
        Firing rates in (0, 1).
    o : array_like, shape (T, No) or (No,)
    W1, W0 : array_like, shape (Nx, No)
    h1, h0 : array_like, shape (Nx,)

    Returns
    -------
    CostTerms

    Examples
    --------
    >>> W = np.zeros((1, 1))
    >>> cost_terms([[0.5]], [[1.0]], W, W, [0.0], [0.0]).entropy.round(4)  # 2 * 0.5 ln 0.5
    array([[-0.6931]])
    """
    W1, W0 = _pair("W1", W1, "W0", W0)
    nx, no = W1.shape
    h1, h0 = _vec("h1", h1, nx), _vec("h0", h0, nx)
    x2 = _series("x", x, nx, open_unit=True)
    o2 = _series("o", o, no)
    _same_T(x=x2, o=o2)
    xb = 1.0 - x2
    return CostTerms(
        entropy=_xlogx(x2) + _xlogx(xb),
        synaptic=-(x2 * (o2 @ W1.T) + xb * (o2 @ W0.T)),
        threshold=-(x2 * h1 + xb * h0),
    )


def step_cost(x, o, W1, W0, h1, h0):
    """Per-step cost L_tau = (x; 1-x)·[ln(x; 1-x) - (W1; W0) o - (h1; h0)] (SPEC eq. 2.2), summed over neurons.

    Shapes: x (T, Nx) or (Nx,) in (0, 1); o (T, No) or (No,); W1, W0 (Nx, No); h1, h0 (Nx,).
    Returns shape (T,) — or a float if x and o are 1-D.

    Parameters
    ----------
    x : array_like, shape (T, Nx) or (Nx,)
        Firing rates in (0, 1).
    o : array_like, shape (T, No) or (No,)
    W1, W0 : array_like, shape (Nx, No)
    h1, h0 : array_like, shape (Nx,)

    Returns
    -------
    float or numpy.ndarray, shape (T,)

    Examples
    --------
    >>> W = np.zeros((1, 1))
    >>> round(step_cost([0.5], [1.0], W, W, [0.0], [0.0]), 4)
    -0.6931
    """
    t = cost_terms(x, o, W1, W0, h1, h0)
    L = (t.entropy + t.synaptic + t.threshold).sum(axis=1)
    if np.ndim(x) == 1 and np.ndim(o) == 1:
        return float(L[0])
    return L


def total_cost(x, o, W1, W0, phi1, phi0) -> float:
    """Total cost L = sum_tau L_tau (SPEC eq. 2.3) with the adaptive thresholds of eq. (1.2) computed from W.

    Because h1, h0 are recomputed from ``W1, W0``, the derivative of this function w.r.t. the
    weights is the Hebbian-minus-homeostatic rule (2.5) (see :func:`dL_dW`).
    Shapes: x (T, Nx); o (T, No); W1, W0 (Nx, No); phi1, phi0 (Nx,). Returns a float.

    Parameters
    ----------
    x : array_like, shape (T, Nx) or (Nx,)
        Firing rates in (0, 1).
    o : array_like, shape (T, No) or (No,)
    W1, W0 : array_like, shape (Nx, No)
    phi1, phi0 : array_like, shape (Nx,)

    Returns
    -------
    float

    Examples
    --------
    >>> W = np.zeros((1, 1))
    >>> round(total_cost([[0.5]], [[1.0]], W, W, [0.0], [0.0]), 4)  # entropy -ln 2, thresholds +ln 2
    0.0
    """
    h1, h0 = adaptive_thresholds(W1, W0, phi1, phi0)
    return float(np.sum(step_cost(np.atleast_2d(x), np.atleast_2d(o), W1, W0, h1, h0)))


def total_cost_fixed_thresholds(x, o, W1, W0, h1, h0) -> float:
    """Total cost (2.3) with thresholds ``h1, h0`` held constant (the non-adaptive contrast of SPEC §3.5).

    Shapes: x (T, Nx); o (T, No); W1, W0 (Nx, No); h1, h0 (Nx,). Returns a float.

    Parameters
    ----------
    x : array_like, shape (T, Nx) or (Nx,)
        Firing rates in (0, 1).
    o : array_like, shape (T, No) or (No,)
    W1, W0 : array_like, shape (Nx, No)
    h1, h0 : array_like, shape (Nx,)

    Returns
    -------
    float

    Examples
    --------
    >>> W = np.zeros((1, 1))
    >>> round(total_cost_fixed_thresholds([[0.5], [0.5]], [[1.0], [0.0]], W, W, [0.0], [0.0]), 4)
    -1.3863
    """
    return float(np.sum(step_cost(np.atleast_2d(x), np.atleast_2d(o), W1, W0, h1, h0)))


def cost_at_fixed_point(o, W1, W0, h1, h0) -> float:
    """Closed-form minimum of L_tau over x: ``-sum_j ln(exp(v1_j) + exp(v0_j))`` (SPEC §3.1, oracle O6).

    Here ``v1 = W1 o + h1`` and ``v0 = W0 o + h0``; the minimiser is the fixed point x* = sigma(v1 - v0).
    Shapes: o (No,); W1, W0 (Nx, No); h1, h0 (Nx,). Returns a float.

    Parameters
    ----------
    o : array_like, shape (No,)
    W1, W0 : array_like, shape (Nx, No)
    h1, h0 : array_like, shape (Nx,)

    Returns
    -------
    float

    Examples
    --------
    >>> W = np.zeros((1, 1))
    >>> round(cost_at_fixed_point([1.0], W, W, [0.0], [0.0]), 4)  # -ln(e^0 + e^0)
    -0.6931
    """
    W1, W0 = _pair("W1", W1, "W0", W0)
    nx, no = W1.shape
    o = _vec("o", o, no)
    v1 = W1 @ o + _vec("h1", h1, nx)
    v0 = W0 @ o + _vec("h0", h0, nx)
    return float(-np.logaddexp(v1, v0).sum())


# ---------------------------------------------------------------------------
# Reconstruction: integrate the right-hand side of (1.1) (SPEC §3.1, §3.5)
# ---------------------------------------------------------------------------


def naive_integral(x):
    """Antiderivative of the leak, ``∫ logit(x) dx = x ln x + (1-x) ln(1-x)`` (SPEC eq. 2.1), element-wise.

    ``x``: any shape, strictly in (0, 1).

    Parameters
    ----------
    x : array_like
        Values in (0, 1).

    Returns
    -------
    numpy.ndarray

    Examples
    --------
    >>> naive_integral([0.5]).round(4)
    array([-0.6931])
    """
    x = as_float_array("x", x)
    check_open_unit("x", x)
    return _xlogx(x) + _xlogx(1.0 - x)


def straight_path(x_start, x_end, n_points: int = 2001):
    """Points on the straight segment from ``x_start`` to ``x_end`` (both (Nx,) in (0, 1)).

    Returns shape (n_points, Nx); a path for :func:`reconstruct_cost`.

    Parameters
    ----------
    x_start, x_end : array_like, shape (Nx,)
    n_points : int, optional

    Returns
    -------
    numpy.ndarray, shape (n_points, Nx)

    Examples
    --------
    >>> straight_path([0.2], [0.6], n_points=3)
    array([[0.2],
           [0.4],
           [0.6]])
    """
    a = as_float_array("x_start", x_start, ndim=1)
    b = as_float_array("x_end", x_end, ndim=1)
    check_open_unit("x_start", a)
    check_open_unit("x_end", b)
    if a.shape != b.shape:
        raise ValueError(f"x_end must have the same shape as x_start {a.shape}; got {b.shape}")
    n = check_int("n_points", n_points, minimum=3)
    s = np.linspace(0.0, 1.0, n)[:, None]
    return a[None, :] * (1.0 - s) + b[None, :] * s


def reconstruct_cost(path, o, W1, W0, h1, h0, tau: float = 1.0):
    """Reconstruct L from the activity equation: line integral of ``-tau * dx/dt`` along a path (SPEC §3.1, §3.5).

    For points ``path[0], ..., path[P-1]`` in (0, 1)^Nx, joined by straight segments, the function returns

        R[k] = - tau ∫_{path[0]}^{path[k]} rhs_x(x, o, ...) · dx

    using only :func:`fepteach.neurons.rhs_x` (the right-hand side of eq. 1.1), evaluated at the three
    Gauss–Legendre points of every segment. Since ``-tau rhs_x = dL_tau/dx``,
    ``R[k] = L_tau(path[k]) - L_tau(path[0])``: the cost is recovered up to the x-independent constant
    ``L_tau(path[0])`` (checked in the tests to ~1e-10).

    Shapes: path (P, Nx) strictly in (0, 1), P >= 2 (e.g. from :func:`straight_path`);
    o (No,); W1, W0 (Nx, No); h1, h0 (Nx,). Returns R, shape (P,), with R[0] = 0.

    Parameters
    ----------
    path : array_like, shape (P, Nx)
    o : array_like, shape (No,)
    W1, W0 : array_like, shape (Nx, No)
    h1, h0 : array_like, shape (Nx,)
    tau : float, optional

    Returns
    -------
    numpy.ndarray, shape (P,)
        ``L(path[p]) - L(path[0])``.

    Examples
    --------
    >>> W = np.zeros((1, 1))
    >>> path = straight_path([0.2], [0.8], n_points=5)
    >>> R = reconstruct_cost(path, [1.0], W, W, [0.0], [0.0])
    >>> L = step_cost(path, np.ones((5, 1)), W, W, [0.0], [0.0])
    >>> bool(np.allclose(R, L - L[0]))
    True
    """
    tau = check_positive("tau", tau)
    p = as_float_array("path", path, ndim=2)
    if p.shape[0] < 2:
        raise ValueError(f"path must have at least 2 points; got {p.shape[0]}")
    check_open_unit("path", p)
    a, b = p[:-1], p[1:]
    seg = b - a
    nodes = (0.5 - 0.5 * np.sqrt(0.6), 0.5, 0.5 + 0.5 * np.sqrt(0.6))
    weights = (5.0 / 18.0, 8.0 / 18.0, 5.0 / 18.0)
    pieces = np.zeros(len(seg))
    for s_k, w_k in zip(nodes, weights):
        pts = a + s_k * seg
        grads = np.array([-tau * rhs_x(xk, o, W1, W0, h1, h0, tau=tau) for xk in pts])  # dL/dx
        pieces += w_k * np.sum(grads * seg, axis=1)
    return np.concatenate([[0.0], np.cumsum(pieces)])


def dL_dx(x, o, W1, W0, h1, h0):
    """Gradient of L_tau w.r.t. activity: ``logit(x) - (W1 - W0) o - (h1 - h0)`` = -RHS of (1.1) (SPEC eq. 1.3).

    Shapes: x (T, Nx) or (Nx,) in (0, 1); o of matching (T, No) or (No,). Returns the shape of x.

    Parameters
    ----------
    x : array_like, shape (T, Nx) or (Nx,)
        Firing rates in (0, 1).
    o : array_like, shape (T, No) or (No,)
    W1, W0 : array_like, shape (Nx, No)
    h1, h0 : array_like, shape (Nx,)

    Returns
    -------
    numpy.ndarray, shape of ``x``

    Examples
    --------
    >>> W = np.zeros((1, 1))
    >>> dL_dx([0.5], [1.0], W + 1.0, W, [0.0], [0.0])  # logit(1/2) - (W1 - W0) o
    array([-1.])
    """
    x_in = as_float_array("x", x, ndim=(1, 2))
    o_in = as_float_array("o", o, ndim=(1, 2))
    if x_in.ndim == 1:
        return -rhs_x(x_in, o_in, W1, W0, h1, h0)
    if o_in.ndim != 2 or o_in.shape[0] != x_in.shape[0]:
        raise ValueError(f"o must have shape (T, No) with T = {x_in.shape[0]} like x; got {o_in.shape}")
    return np.array([-rhs_x(xt, ot, W1, W0, h1, h0) for xt, ot in zip(x_in, o_in)])


def d2L_dx2(x):
    """Second derivative of L_tau w.r.t. each x_j: ``1/x + 1/(1-x)`` > 0 (SPEC §2.3, oracle O4). Same shape as x.

    Parameters
    ----------
    x : array_like
        Values in (0, 1).

    Returns
    -------
    numpy.ndarray, shape of ``x``

    Examples
    --------
    >>> d2L_dx2([0.5])
    array([4.])
    """
    x = as_float_array("x", x)
    check_open_unit("x", x)
    return 1.0 / x + 1.0 / (1.0 - x)


# ---------------------------------------------------------------------------
# Two-layer cost (SPEC §3.2)
# ---------------------------------------------------------------------------


def _two_layer_weights(W1, W0, K1, K0, V1, V0):
    W1, W0 = _pair("W1", W1, "W0", W0)
    nx = W1.shape[0]
    K1, K0 = _pair("K1", K1, "K0", K0, (nx, nx))
    V1, V0 = _pair("V1", V1, "V0", V0, (None, nx))
    return W1, W0, K1, K0, V1, V0


def _gamma(gamma, T):
    g = as_float_array("gamma", gamma, ndim=(0, 1))
    g = np.broadcast_to(g, (T,)) if g.ndim == 0 else g
    check_shape("gamma", g, (T,))
    check_closed_unit("gamma", g)
    return g


def step_cost_two_layer(x, y, o, x_prev, W1, W0, K1, K0, V1, V0, h1, h0, psi1, psi0, gamma=0.0):
    """Per-step two-layer cost, the summand of SPEC eq. (2.4), for each step.

        (x; x̄)·[ln(x; x̄) - (W1; W0) o - (K1; K0) x_prev - (h1; h0)]
      + (y; ȳ)·[ln(y; ȳ) - (psi1; psi0) - (1 - 2 gamma) ((V1; V0) x_prev + (ln(1-σ(V1)) 1; ln(1-σ(V0)) 1))]

    ``h1, h0`` are the middle-layer thresholds (they contain the W and K parts, SPEC §2.4);
    the output layer enters through ``psi`` and the V part of its threshold, which the risk
    factor (1 - 2 gamma) multiplies (SPEC §3.2).
    Shapes: x, x_prev (T, Nx) in (0, 1); y (T, Ny) in (0, 1); o (T, No); W (Nx, No);
    K (Nx, Nx); V (Ny, Nx); h (Nx,); psi (Ny,); gamma scalar or (T,) in [0, 1]. Returns (T,).

    Parameters
    ----------
    x, y : array_like, shape (T, Nx), (T, Ny)
    o : array_like, shape (T, No)
    x_prev : array_like, shape (T, Nx)
    W1, W0, K1, K0, V1, V0 : array_like
    h1, h0 : array_like, shape (Nx,)
    psi1, psi0 : array_like, shape (Ny,)
    gamma : float or array_like, shape (T,), optional

    Returns
    -------
    numpy.ndarray, shape (T,)

    Examples
    --------
    >>> Z = np.zeros((1, 1))
    >>> step_cost_two_layer([[0.5]], [[0.5]], [[1.0]], [[0.5]], Z, Z, Z, Z, Z, Z, [0.0], [0.0], [0.0], [0.0]).round(4)
    array([-0.6931])
    """
    W1, W0, K1, K0, V1, V0 = _two_layer_weights(W1, W0, K1, K0, V1, V0)
    nx, no = W1.shape
    ny = V1.shape[0]
    x2 = _series("x", x, nx, open_unit=True)
    xp = _series("x_prev", x_prev, nx)
    y2 = _series("y", y, ny, open_unit=True)
    o2 = _series("o", o, no)
    T = _same_T(x=x2, y=y2, o=o2, x_prev=xp)
    g = _gamma(gamma, T)
    h1, h0 = _vec("h1", h1, nx), _vec("h0", h0, nx)
    psi1, psi0 = _vec("psi1", psi1, ny), _vec("psi0", psi0, ny)
    xb, yb = 1.0 - x2, 1.0 - y2
    Lx = (_xlogx(x2) + _xlogx(xb)
          - x2 * (o2 @ W1.T + xp @ K1.T + h1)
          - xb * (o2 @ W0.T + xp @ K0.T + h0))
    mV1 = threshold_term(V1)  # ln(1 - σ(V1)) 1
    mV0 = threshold_term(V0)
    mod = modulation(g)[:, None]
    Ly = (_xlogx(y2) + _xlogx(yb)
          - y2 * (psi1 + mod * (xp @ V1.T + mV1))
          - yb * (psi0 + mod * (xp @ V0.T + mV0)))
    return Lx.sum(axis=1) + Ly.sum(axis=1)


def _prev(x2, x_init):
    return np.vstack([x_init[None, :], x2[:-1]])


def total_cost_two_layer(x, y, o, x_init, W1, W0, K1, K0, V1, V0, phi1, phi0, psi1, psi0, gamma=0.0) -> float:
    """Total two-layer cost L (SPEC eq. 2.4) with all thresholds recomputed from the weights (SPEC §2.4).

    ``x_init`` (Nx,) is the middle-layer activity before step 1 (x_0). The previous activity of
    step tau is x_{tau-1}. Differentiating w.r.t. W, K, V gives the rules (2.5)–(2.7) (see
    :func:`dL_dW`, :func:`dL_dK`, :func:`dL_dV`).
    Shapes: x (T, Nx), y (T, Ny), o (T, No), x_init (Nx,), weights as in the module docstring,
    phi (Nx,), psi (Ny,), gamma scalar or (T,). Returns a float.

    Parameters
    ----------
    x, y : array_like, shape (T, Nx), (T, Ny)
    o : array_like, shape (T, No)
    x_init : array_like, shape (Nx,)
    W1, W0, K1, K0, V1, V0 : array_like
    phi1, phi0 : array_like, shape (Nx,)
    psi1, psi0 : array_like, shape (Ny,)
    gamma : float or array_like, shape (T,), optional

    Returns
    -------
    float

    Examples
    --------
    >>> Z = np.zeros((1, 1))
    >>> L = total_cost_two_layer([[0.5]], [[0.5]], [[1.0]], [0.5], Z, Z, Z, Z, Z, Z, [0.0], [0.0], [0.0], [0.0])
    >>> round(L, 4)
    0.6931
    """
    W1, W0, K1, K0, V1, V0 = _two_layer_weights(W1, W0, K1, K0, V1, V0)
    nx = W1.shape[0]
    x2 = _series("x", x, nx, open_unit=True)
    x0 = _vec("x_init", x_init, nx)
    h1, h0, _, _ = two_layer_thresholds(W1, W0, K1, K0, V1, V0, phi1, phi0, psi1, psi0)
    return float(np.sum(step_cost_two_layer(x2, y, o, _prev(x2, x0), W1, W0, K1, K0, V1, V0,
                                            h1, h0, psi1, psi0, gamma)))


def dL_dx_two_layer(x, o, x_prev, W1, W0, K1, K0, h1, h0):
    """Gradient of the tau-th summand of (2.4) w.r.t. the newest x_tau (x_prev fixed) = -RHS of (1.4) (SPEC §3.2).

    ``logit(x) - (W1 - W0) o - (K1 - K0) x_prev - (h1 - h0)``.
    Shapes: x, x_prev (Nx,); o (No,); W (Nx, No); K (Nx, Nx); h (Nx,). Returns (Nx,).

    Parameters
    ----------
    x, x_prev : array_like, shape (Nx,)
    o : array_like, shape (No,)
    W1, W0 : array_like, shape (Nx, No)
    K1, K0 : array_like, shape (Nx, Nx)
    h1, h0 : array_like, shape (Nx,)

    Returns
    -------
    numpy.ndarray, shape (Nx,)

    Examples
    --------
    >>> Z = np.zeros((1, 1))
    >>> dL_dx_two_layer([0.5], [1.0], [0.5], Z + 1.0, Z, Z, Z, [0.0], [0.0])  # logit(1/2) - (W1 - W0) o
    array([-1.])
    """
    return -rhs_x_two_layer(x, o, x_prev, W1, W0, K1, K0, h1, h0)


def dL_dy(y, x_prev, V1, V0, m1, m0):
    """Gradient of (2.4) w.r.t. y_tau at modulation 1 (gamma = 0) = -RHS of (1.5) (SPEC §3.2).

    ``logit(y) - (V1 - V0) x_prev - (m1 - m0)``. Shapes: y (Ny,); x_prev (Nx,); V (Ny, Nx); m (Ny,).

    Parameters
    ----------
    y : array_like, shape (Ny,)
    x_prev : array_like, shape (Nx,)
    V1, V0 : array_like, shape (Ny, Nx)
    m1, m0 : array_like, shape (Ny,)

    Returns
    -------
    numpy.ndarray, shape (Ny,)

    Examples
    --------
    >>> Z = np.zeros((1, 1))
    >>> dL_dy([0.5], [1.0], Z + 1.0, Z, [0.0], [0.0])  # logit(1/2) - (V1 - V0) x_prev
    array([-1.])
    """
    return -rhs_y(y, x_prev, V1, V0, m1, m0)


# ---------------------------------------------------------------------------
# Plasticity = gradient descent on L (SPEC §3.3)
# ---------------------------------------------------------------------------


def _hebb_minus_home(post, pre, S, weights=None):
    """sum_tau w_tau [post_tau pre_tau^T - (post_tau 1^T) ⊙ σ(S)]; post (T, Npost), pre (T, Npre)."""
    if weights is None:
        weights = np.ones(post.shape[0])
    wp = post * weights[:, None]
    return wp.T @ pre - wp.sum(axis=0)[:, None] * expit(S)


def dL_dW(x, o, W1, W0):
    """Gradient of L (2.3) w.r.t. W1, W0 with thresholds recomputed from the weights (SPEC eq. 2.5).

        -dL/dW1 = sum_tau [x o^T - (x 1^T) ⊙ σ(W1)]       (Hebbian minus homeostatic)
        -dL/dW0 = sum_tau [x̄ o^T - (x̄ 1^T) ⊙ σ(W0)]

    Shapes: x (T, Nx) in (0, 1); o (T, No) in [0, 1]; W1, W0 (Nx, No).
    Returns (dL/dW1, dL/dW0), each (Nx, No) — the *gradient*; plasticity moves along minus it.
    The same rule holds for the two-layer cost (2.4).

    Parameters
    ----------
    x : array_like, shape (T, Nx)
    o : array_like, shape (T, No)
    W1, W0 : array_like, shape (Nx, No)

    Returns
    -------
    dW1, dW0 : numpy.ndarray, each shape (Nx, No)

    Examples
    --------
    >>> W = np.zeros((1, 1))
    >>> dW1, dW0 = dL_dW([[0.5]], [[1.0]], W, W)  # -(x o - x sigma(W)) = -(0.5 - 0.25)
    >>> float(dW1[0, 0])
    -0.25
    """
    W1, W0 = _pair("W1", W1, "W0", W0)
    nx, no = W1.shape
    x2 = _series("x", x, nx, open_unit=True)
    o2 = _series("o", o, no)
    _same_T(x=x2, o=o2)
    return -_hebb_minus_home(x2, o2, W1), -_hebb_minus_home(1.0 - x2, o2, W0)


def dL_dK(x, x_prev, K1, K0):
    """Gradient of L (2.4) w.r.t. the recurrent weights K1, K0, thresholds recomputed (SPEC eq. 2.6).

        -dL/dK1 = sum_tau [x_tau x_{tau-1}^T - (x_tau 1^T) ⊙ σ(K1)]   (likewise K0 with x̄_tau)

    Shapes: x, x_prev (T, Nx) (x_prev[tau] = x_{tau-1}); K1, K0 (Nx, Nx). Returns (dL/dK1, dL/dK0).

    Parameters
    ----------
    x : array_like, shape (T, Nx)
    x_prev : array_like, shape (T, Nx)
    K1, K0 : array_like, shape (Nx, Nx)

    Returns
    -------
    dK1, dK0 : numpy.ndarray, each shape (Nx, Nx)

    Examples
    --------
    >>> K = np.zeros((1, 1))
    >>> float(dL_dK([[0.5]], [[1.0]], K, K)[0][0, 0])
    -0.25
    """
    K1, K0 = _pair("K1", K1, "K0", K0)
    nx = K1.shape[0]
    check_shape("K1", K1, (nx, nx))
    x2 = _series("x", x, nx, open_unit=True)
    xp = _series("x_prev", x_prev, nx)
    _same_T(x=x2, x_prev=xp)
    return -_hebb_minus_home(x2, xp, K1), -_hebb_minus_home(1.0 - x2, xp, K0)


def dL_dV(y, x_prev, V1, V0, gamma):
    """Gradient of L (2.4) w.r.t. V1, V0 with the risk factor, thresholds recomputed (SPEC eq. 2.7).

        -dL/dV1 = sum_tau (1 - 2 gamma_tau) [y_tau x_{tau-1}^T - (y_tau 1^T) ⊙ σ(V1)]   (likewise V0 with ȳ)

    Hebbian for gamma < 1/2, anti-Hebbian for gamma > 1/2, off at gamma = 1/2.
    Shapes: y (T, Ny) in (0, 1); x_prev (T, Nx); V1, V0 (Ny, Nx); gamma scalar or (T,) in [0, 1].
    Returns (dL/dV1, dL/dV0), each (Ny, Nx).

    Parameters
    ----------
    y : array_like, shape (T, Ny)
    x_prev : array_like, shape (T, Nx)
    V1, V0 : array_like, shape (Ny, Nx)
    gamma : float or array_like, shape (T,)

    Returns
    -------
    dV1, dV0 : numpy.ndarray, each shape (Ny, Nx)

    Examples
    --------
    >>> V = np.zeros((1, 1))
    >>> float(dL_dV([[0.5]], [[1.0]], V, V, 0.0)[0][0, 0]), float(dL_dV([[0.5]], [[1.0]], V, V, 1.0)[0][0, 0])
    (-0.25, 0.25)
    """
    V1, V0 = _pair("V1", V1, "V0", V0)
    ny, nx = V1.shape
    y2 = _series("y", y, ny, open_unit=True)
    xp = _series("x_prev", x_prev, nx)
    T = _same_T(y=y2, x_prev=xp)
    w = modulation(_gamma(gamma, T))
    return -_hebb_minus_home(y2, xp, V1, w), -_hebb_minus_home(1.0 - y2, xp, V0, w)


def dL_dW_fixed_thresholds(x, o, W1, W0):
    """Gradient of L w.r.t. W1, W0 when the thresholds are fixed constants (SPEC §3.5, oracle O8).

        -dL/dW1 = sum_tau x o^T,   -dL/dW0 = sum_tau x̄ o^T      (Hebbian only — no homeostatic term)

    The result does not depend on the weights, so nothing stops the growth.
    Shapes: x (T, Nx); o (T, No); W1, W0 (Nx, No) (used for shape checking only). Returns two (Nx, No) arrays.

    Parameters
    ----------
    x : array_like, shape (T, Nx)
    o : array_like, shape (T, No)
    W1, W0 : array_like, shape (Nx, No)

    Returns
    -------
    dW1, dW0 : numpy.ndarray, each shape (Nx, No)

    Examples
    --------
    >>> W = np.zeros((1, 1))
    >>> float(dL_dW_fixed_thresholds([[0.5]], [[1.0]], W, W)[0][0, 0])  # Hebbian only: -x o
    -0.5
    """
    W1, W0 = _pair("W1", W1, "W0", W0)
    nx, no = W1.shape
    x2 = _series("x", x, nx, open_unit=True)
    o2 = _series("o", o, no)
    _same_T(x=x2, o=o2)
    return -(x2.T @ o2), -((1.0 - x2).T @ o2)


# ---------------------------------------------------------------------------
# Closed-form weights from Hebbian and homeostatic sums (SPEC §3.3)
# ---------------------------------------------------------------------------


@dataclass
class HebbHome:
    """Accumulated Hebbian and homeostatic sums of one weight pair (SPEC §3.3; = Dirichlet counts, §4.5).

    Attributes
    ----------
    hebb1 : (Npost, Npre) — ``lam * A1_hat + sum_tau post_tau pre_tau^T``
    home1 : (Npost, Npre) — ``lam + sum_tau post_tau 1^T``
    hebb0 : (Npost, Npre) — ``lam * A0_hat + sum_tau (1 - post_tau) pre_tau^T``
    home0 : (Npost, Npre) — ``lam + sum_tau (1 - post_tau) 1^T``
    """

    hebb1: np.ndarray
    home1: np.ndarray
    hebb0: np.ndarray
    home0: np.ndarray

    @classmethod
    def initial(cls, n_post: int, n_pre: int, lam: float = 100.0) -> "HebbHome":
        """Prior strength ``lam``: Hebb = lam/2, Home = lam, so sigma(W) = 1/2 initially (SPEC §6.3 step 1).

        Parameters
        ----------
        n_post, n_pre : int
            Numbers of postsynaptic neurons and of inputs.
        lam : float, optional
            Prior pseudo-counts (> 0).

        Returns
        -------
        HebbHome

        Examples
        --------
        >>> HebbHome.initial(1, 2, lam=10.0).weights()[0]
        array([[0., 0.]])
        """
        n_post = check_int("n_post", n_post, minimum=1)
        n_pre = check_int("n_pre", n_pre, minimum=1)
        lam = check_positive("lam", lam)
        half = np.full((n_post, n_pre), lam / 2)
        full = np.full((n_post, n_pre), lam)
        return cls(half.copy(), full.copy(), half.copy(), full.copy())

    @classmethod
    def from_counts(cls, qa) -> "HebbHome":
        """The sums that stacked Dirichlet counts ``qa`` (2*No, 2*Nx) stand for (SPEC §4.5 table).

        ``hebb1 = a_ON,ON^T``, ``home1 = (a_ON,ON + a_OFF,ON)^T``, ``hebb0 = a_ON,OFF^T``,
        ``home0 = (a_ON,OFF + a_OFF,OFF)^T``; each (Nx, No).

        Parameters
        ----------
        qa : array_like, shape (2*No, 2*Nx)

        Returns
        -------
        HebbHome

        Examples
        --------
        >>> hh = HebbHome.from_counts([[3.0, 1.0], [1.0, 1.0]])
        >>> float(hh.hebb1[0, 0]), float(hh.home1[0, 0])
        (3.0, 4.0)
        """
        from .pomdp import blocks

        b = blocks(qa)
        return cls(b.on_on.T.copy(), (b.on_on + b.off_on).T.copy(), b.on_off.T.copy(), (b.on_off + b.off_off).T.copy())

    def to_counts(self) -> np.ndarray:
        """Inverse of :meth:`from_counts`: stacked Dirichlet counts ``qa`` (2*No, 2*Nx)."""
        from .pomdp import from_blocks

        return from_blocks(self.hebb1.T, self.hebb0.T, (self.home1 - self.hebb1).T, (self.home0 - self.hebb0).T)

    def weights(self):
        """Closed-form weights ``(W1, W0) = (logit(hebb1/home1), logit(hebb0/home0))`` (SPEC §3.3)."""
        return closed_form_weights(self.hebb1, self.home1), closed_form_weights(self.hebb0, self.home0)

    def add(self, post, pre) -> "HebbHome":
        """Return a new :class:`HebbHome` with the activity ``post`` (T, Npost), inputs ``pre`` (T, Npre) added."""
        npost, npre = self.hebb1.shape
        p2 = _series("post", post, npost, open_unit=False)
        q2 = _series("pre", pre, npre)
        _same_T(post=p2, pre=q2)
        pb = 1.0 - p2
        return HebbHome(self.hebb1 + p2.T @ q2, self.home1 + p2.sum(axis=0)[:, None],
                        self.hebb0 + pb.T @ q2, self.home0 + pb.sum(axis=0)[:, None])


def accumulate_hebb_home(post, pre, lam=1.0, A1_hat=0.5, A0_hat=0.5) -> HebbHome:
    """Hebbian and homeostatic sums from activity, with prior pseudo-counts ``lam`` (SPEC §3.3, §6.3).

    ``post`` (T, Npost) postsynaptic activity in [0, 1]; ``pre`` (T, Npre) presynaptic activity/inputs;
    ``lam`` > 0 scalar or (Npost, Npre); ``A1_hat, A0_hat`` initial guesses of σ(W1), σ(W0) (scalars or
    (Npost, Npre), in (0, 1)). Returns a :class:`HebbHome`; ``.weights()`` gives the closed-form W1, W0.

    Parameters
    ----------
    post : array_like, shape (T, Npost)
    pre : array_like, shape (T, Npre)
    lam : float or array_like, optional
    A1_hat, A0_hat : float or array_like, optional

    Returns
    -------
    HebbHome

    Examples
    --------
    >>> hh = accumulate_hebb_home([[1.0], [1.0]], [[1.0], [0.0]])
    >>> float(hh.hebb1[0, 0]), float(hh.home1[0, 0])  # 0.5 + 1 and 1 + 2
    (1.5, 3.0)
    """
    p2 = as_float_array("post", post, ndim=2)
    q2 = as_float_array("pre", pre, ndim=2)
    shape = (p2.shape[1], q2.shape[1])
    lam_a = np.broadcast_to(as_float_array("lam", lam), shape).astype(float)
    if np.any(lam_a <= 0):
        raise ValueError("lam must be > 0 (prior pseudo-counts)")
    a1 = np.broadcast_to(as_float_array("A1_hat", A1_hat), shape)
    a0 = np.broadcast_to(as_float_array("A0_hat", A0_hat), shape)
    check_open_unit("A1_hat", a1)
    check_open_unit("A0_hat", a0)
    start = HebbHome(lam_a * a1, lam_a.copy(), lam_a * a0, lam_a.copy())
    return start.add(p2, q2)


def closed_form_weights(hebb, home):
    """Closed-form synaptic strength ``logit(hebb / home)`` (SPEC §3.3), element-wise.

    ``hebb``, ``home``: same shape, with 0 <= hebb <= home and home > 0. Returns that shape.

    Parameters
    ----------
    hebb, home : array_like, same shape

    Returns
    -------
    numpy.ndarray

    Examples
    --------
    >>> closed_form_weights([1.0], [2.0])
    array([0.])
    """
    hb = as_float_array("hebb", hebb)
    hm = as_float_array("home", home)
    if hb.shape != hm.shape:
        raise ValueError(f"home must have the same shape as hebb {hb.shape}; got {hm.shape}")
    if np.any(hm <= 0):
        raise ValueError("home must be > 0 (a sum of postsynaptic activity plus prior counts)")
    ratio = hb / hm
    check_closed_unit("hebb / home", ratio)
    return logit(ratio)


def integrate_plasticity(W1_init, xo_mean, x_mean, dt: float = 0.1, n_steps: int = 2000):
    """Euler integration of the plasticity ODE ``dW1/dt = <x o^T> - <x 1^T> ⊙ σ(W1)`` with fixed statistics (O7).

    Converges to ``logit(<x o^T> / <x 1^T>)`` (SPEC §3.3). Shapes: W1_init (Nx, No); xo_mean (Nx, No)
    = <x o^T>; x_mean (Nx,) = <x>, > 0. Returns the trajectory, shape (n_steps + 1, Nx, No).

    Parameters
    ----------
    W1_init : array_like, shape (Nx, No)
    xo_mean : array_like, shape (Nx, No)
    x_mean : array_like, shape (Nx,)
    dt : float, optional
    n_steps : int, optional

    Returns
    -------
    numpy.ndarray, shape (n_steps + 1, Nx, No)

    Examples
    --------
    >>> traj = integrate_plasticity(np.zeros((1, 1)), [[0.2]], [0.5])
    >>> round(float(traj[-1, 0, 0]), 4)  # logit(0.2 / 0.5)
    -0.4055
    """
    W = as_float_array("W1_init", W1_init, ndim=2).copy()
    xo = as_float_array("xo_mean", xo_mean, ndim=2)
    check_shape("xo_mean", xo, W.shape)
    xm = _vec("x_mean", x_mean, W.shape[0])
    if np.any(xm <= 0):
        raise ValueError("x_mean must be > 0 (mean postsynaptic activity)")
    dt = check_positive("dt", dt)
    n = check_int("n_steps", n_steps, minimum=1)
    out = np.empty((n + 1,) + W.shape)
    out[0] = W
    for k in range(n):
        W = W + dt * (xo - xm[:, None] * expit(W))
        out[k + 1] = W
    return out


def _learn(o, W1, W0, phi1, phi0, eta, adaptive):
    W1, W0 = _pair("W1", W1, "W0", W0)
    nx, no = W1.shape
    o2 = as_float_array("o", o, ndim=2)
    check_shape("o", o2, (None, no))
    check_closed_unit("o", o2)
    phi1, phi0 = _vec("phi1", phi1, nx), _vec("phi0", phi0, nx)
    eta = check_positive("eta", eta)
    T = o2.shape[0]
    W1s = np.empty((T + 1, nx, no))
    W0s = np.empty((T + 1, nx, no))
    xs = np.empty((T, nx))
    W1s[0], W0s[0] = W1, W0
    h1, h0 = adaptive_thresholds(W1, W0, phi1, phi0)  # frozen at the start when not adaptive
    for t in range(T):
        if adaptive:
            h1, h0 = adaptive_thresholds(W1, W0, phi1, phi0)
        x = fixed_point(o2[t], W1, W0, h1, h0)
        x = np.clip(x, 1e-12, 1 - 1e-12)
        if adaptive:
            g1, g0 = dL_dW(x[None], o2[t][None], W1, W0)
        else:
            g1, g0 = dL_dW_fixed_thresholds(x[None], o2[t][None], W1, W0)
        W1, W0 = W1 - eta * g1, W0 - eta * g0
        W1s[t + 1], W0s[t + 1], xs[t] = W1, W0, x
    return W1s, W0s, xs


def learn_adaptive(o, W1, W0, phi1, phi0, eta: float = 0.05):
    """Online learning by gradient descent on L with adaptive thresholds (SPEC §3.3, eqs. 1.2 and 2.5).

    Each step: thresholds from the current weights (1.2), activity at its fixed point, then
    ``W <- W - eta dL/dW`` (Hebbian minus homeostatic). The weights settle.
    Shapes: o (T, No) in [0, 1]; W1, W0 (Nx, No) initial weights; phi1, phi0 (Nx,); eta > 0.
    Returns (W1 trajectory (T+1, Nx, No), W0 trajectory (T+1, Nx, No), activity (T, Nx)).

    Parameters
    ----------
    o : array_like, shape (T, No)
    W1, W0 : array_like, shape (Nx, No)
        Initial weights.
    phi1, phi0 : array_like, shape (Nx,)
    eta : float, optional

    Returns
    -------
    W1, W0 : numpy.ndarray, each shape (T + 1, Nx, No)
        Weight trajectories.
    x : numpy.ndarray, shape (T, Nx)

    Examples
    --------
    >>> o = np.random.default_rng(0).integers(0, 2, (200, 2)).astype(float)
    >>> W1, W0, x = learn_adaptive(o, np.zeros((1, 2)), np.zeros((1, 2)), [np.log(0.5)], [np.log(0.5)])
    >>> W1.shape, x.shape
    ((201, 1, 2), (200, 1))
    """
    return _learn(o, W1, W0, phi1, phi0, eta, adaptive=True)


def learn_fixed_thresholds(o, W1, W0, phi1, phi0, eta: float = 0.05):
    """The same online learning with thresholds frozen at their initial values (SPEC §3.5 contrast).

    Plasticity is then purely Hebbian (:func:`dL_dW_fixed_thresholds`): the weights never settle
    but grow without bound (linearly in time for active inputs).
    Shapes and returns as :func:`learn_adaptive`.

    Parameters
    ----------
    o : array_like, shape (T, No)
    W1, W0 : array_like, shape (Nx, No)
    phi1, phi0 : array_like, shape (Nx,)
    eta : float, optional

    Returns
    -------
    W1, W0 : numpy.ndarray, each shape (T + 1, Nx, No)
    x : numpy.ndarray, shape (T, Nx)

    Examples
    --------
    >>> o = np.ones((200, 1))
    >>> W1, W0, x = learn_fixed_thresholds(o, np.zeros((1, 1)), np.zeros((1, 1)), [np.log(0.5)], [np.log(0.5)])
    >>> bool(W1[-1, 0, 0] > W1[100, 0, 0] > 0)  # grows without settling
    True
    """
    return _learn(o, W1, W0, phi1, phi0, eta, adaptive=False)


# ---------------------------------------------------------------------------
# One neuron's cost curve and its gradient flow (Lesson 02 figures, SPEC §3.1)
# ---------------------------------------------------------------------------
def _one_neuron(o, W1, W0, h1, h0):
    """Arrays for one neuron with ``No`` inputs from scalars or 1-D weight vectors."""
    o = np.atleast_1d(np.asarray(o, dtype=float))
    W1 = np.asarray(W1, dtype=float).reshape(1, -1)
    W0 = np.asarray(W0, dtype=float).reshape(1, -1)
    if W1.shape[1] != o.size or W0.shape[1] != o.size:
        raise ValueError(f"W1 and W0 must have one weight per input (o has {o.size}); got {W1.shape[1]} and {W0.shape[1]}")
    return o, W1, W0, np.atleast_1d(np.asarray(h1, dtype=float)), np.atleast_1d(np.asarray(h0, dtype=float))


def cost_curve(o, W1, W0, h1, h0, n_points: int = 400):
    """Grid ``x`` (n_points,) in (0, 1) and the per-step cost ``L(x)`` of one neuron (P1 eq. 2.2).

    Parameters
    ----------
    o : float or array_like, shape (No,)
    W1, W0 : float or array_like, shape (No,)
        The neuron's synaptic strengths.
    h1, h0 : float
        Its thresholds.
    n_points : int, optional

    Returns
    -------
    x, L : numpy.ndarray, each shape (n_points,)

    Examples
    --------
    >>> x, L = cost_curve(1.0, 2.0, 0.5, -0.3, 0.1)
    >>> round(float(x[np.argmin(L)]), 2)  # the minimum is the fixed point sigma(2 - 0.5 - 0.3 - 0.1)
    0.75
    """
    o, W1, W0, h1, h0 = _one_neuron(o, W1, W0, h1, h0)
    x = np.linspace(1e-3, 1 - 1e-3, n_points)
    L = step_cost(x[:, None], np.repeat(o[None, :], n_points, axis=0), W1, W0, h1, h0)
    return x, L


def gradient_flow(o, W1, W0, h1, h0, x0: float = 0.05, dt: float = 0.05, n_steps: int = 120):
    """Activity trajectory of one neuron following eq. (1.1) (integrated in u-form), and L along it.

    Because ``dx/dt = -x(1-x) dL/dx`` in u-form, L decreases along the trajectory (P1 eq. 2.3).

    Parameters
    ----------
    o, W1, W0, h1, h0 : as :func:`cost_curve`
    x0 : float, optional
        Initial firing rate in (0, 1).
    dt : float, optional
    n_steps : int, optional

    Returns
    -------
    t, x, L : numpy.ndarray, each shape (n_steps + 1,)

    Examples
    --------
    >>> t, x, L = gradient_flow(1.0, 2.0, 0.5, -0.3, 0.1, x0=0.02)
    >>> bool(np.all(np.diff(L) <= 1e-12))
    True
    """
    o, W1, W0, h1, h0 = _one_neuron(o, W1, W0, h1, h0)
    u = integrate_u(logit(np.array([x0])), o, W1, W0, h1, h0, dt=dt, n_steps=n_steps)[:, 0]
    x = sigmoid(u)
    x = np.clip(x, 1e-12, 1 - 1e-12)
    L = step_cost(x[:, None], np.repeat(o[None, :], len(x), axis=0), W1, W0, h1, h0)
    return np.arange(n_steps + 1) * dt, x, L

"""Canonical rate-coding neurons (SPEC §2; P1 eqs. 1-2, P2 eq. 6).

A layer of ``Nx`` neurons with firing intensities ``x`` in (0, 1) receives binary
inputs ``o`` through excitatory-like weights ``W1`` and inhibitory-like weights
``W0`` and has two adaptive firing thresholds ``h1``, ``h0``:

    tau dx/dt = -logit(x) + (W1 - W0) o + h1 - h0                      (SPEC eq. 1.1)

Shapes used throughout: ``W1, W0`` are (Nx, No) (postsynaptic x presynaptic),
``h1, h0, phi1, phi0`` are (Nx,), ``o`` is (No,), ``x`` and ``u`` are (Nx,).
For the two-layer network of P2: ``K1, K0`` (Nx, Nx), ``V1, V0`` (Ny, Nx),
``m1, m0, psi1, psi0`` (Ny,), ``y`` (Ny,).
"""

from __future__ import annotations

import numpy as np
from scipy.special import expit, logit as _logit

from ._validate import EPS, as_float_array, check_open_unit, check_positive, check_int, check_shape
from .maths import threshold_term

__all__ = [
    "sigmoid",
    "logit",
    "adaptive_thresholds",
    "two_layer_thresholds",
    "total_input",
    "rhs_x",
    "rhs_u",
    "fixed_point",
    "max_stable_dt_x",
    "integrate_x",
    "integrate_u",
    "relaxation_time_u",
    "rhs_x_two_layer",
    "rhs_y",
    "fixed_point_two_layer",
]


# ---------------------------------------------------------------------------
# Elementary functions
# ---------------------------------------------------------------------------
def sigmoid(z):
    """Logistic function sigma(z) = 1 / (1 + exp(-z)), element-wise (SPEC §1.1).

    Numerically safe for any finite z (no overflow warnings): wraps ``scipy.special.expit``.

    Parameters
    ----------
    z : array_like

    Returns
    -------
    numpy.ndarray

    Examples
    --------
    >>> sigmoid([0.0, 1000.0])
    array([0.5, 1. ])
    """
    return expit(as_float_array("z", z))


def logit(x, eps: float = EPS):
    """Inverse sigmoid ln x - ln(1 - x), element-wise (SPEC §1.1), the neuron's leak term.

    ``x`` must lie in [0, 1]; values closer than ``eps`` to 0 or 1 are clipped to
    [eps, 1 - eps] (the floor both reference codes use) so that the result is finite.

    Parameters
    ----------
    x : array_like
        Values in [0, 1].
    eps : float, optional

    Returns
    -------
    numpy.ndarray

    Examples
    --------
    >>> float(logit(0.5)), float(logit(1.0).round(3))  # clipped to 1 - 1e-6
    (0.0, 13.816)
    """
    x = as_float_array("x", x)
    if np.any(x < 0.0) or np.any(x > 1.0):
        raise ValueError("x must lie in [0, 1] (a firing rate or probability); found values outside")
    return _logit(np.clip(x, eps, 1.0 - eps))


# ---------------------------------------------------------------------------
# Thresholds
# ---------------------------------------------------------------------------
def _weights(W1, W0, name1="W1", name0="W0"):
    W1 = as_float_array(name1, W1, ndim=2)
    W0 = as_float_array(name0, W0, ndim=2)
    if W1.shape != W0.shape:
        raise ValueError(f"{name1} and {name0} must have the same shape; got {W1.shape} and {W0.shape}")
    return W1, W0


def _vec(name, v, n):
    v = as_float_array(name, v, ndim=1)
    check_shape(name, v, (n,))
    return v


def adaptive_thresholds(W1, W0, phi1, phi0):
    """Adaptive firing thresholds h1, h0 of a single-layer network (SPEC eq. 1.2).

        h1 = ln(1 - sigma(W1)) 1 + phi1,   h0 = ln(1 - sigma(W0)) 1 + phi0

    The first term tracks the synapses (it changes whenever they do); the constants
    ``phi1``, ``phi0`` encode the implicit prior (phi = ln D, SPEC §4.5).

    Shapes: W1, W0 (Nx, No); phi1, phi0 (Nx,). Returns (h1, h0), each (Nx,).

    Parameters
    ----------
    W1, W0 : array_like, shape (Nx, No)
        Synaptic strengths (rows: postsynaptic neurons).
    phi1, phi0 : array_like, shape (Nx,)
        Threshold constants (``ln D``).

    Returns
    -------
    h1, h0 : numpy.ndarray, each shape (Nx,)

    Examples
    --------
    >>> W = np.zeros((1, 2))
    >>> adaptive_thresholds(W, W, [0.0], [0.0])[0].round(4)  # 2 ln(1/2)
    array([-1.3863])
    """
    W1, W0 = _weights(W1, W0)
    phi1 = _vec("phi1", phi1, W1.shape[0])
    phi0 = _vec("phi0", phi0, W1.shape[0])
    h1 = threshold_term(W1) + phi1
    h0 = threshold_term(W0) + phi0
    return h1, h0


def two_layer_thresholds(W1, W0, K1, K0, V1, V0, phi1, phi0, psi1, psi0):
    """Adaptive thresholds of the two-layer network of P2 (SPEC §2.4).

        h1 = ln(1 - sigma(W1)) 1 + ln(1 - sigma(K1)) 1 + phi1     (likewise h0 with W0, K0, phi0)
        m1 = ln(1 - sigma(V1)) 1 + psi1                           (likewise m0 with V0, psi0)

    Shapes: W (Nx, No), K (Nx, Nx), V (Ny, Nx), phi (Nx,), psi (Ny,).
    Returns (h1, h0, m1, m0) with shapes (Nx,), (Nx,), (Ny,), (Ny,).

    Parameters
    ----------
    W1, W0 : array_like, shape (Nx, No)
    K1, K0 : array_like, shape (Nx, Nx)
    V1, V0 : array_like, shape (Ny, Nx)
    phi1, phi0 : array_like, shape (Nx,)
    psi1, psi0 : array_like, shape (Ny,)

    Returns
    -------
    h1, h0, m1, m0 : numpy.ndarray

    Examples
    --------
    >>> Z = np.zeros((1, 1))
    >>> [float(v[0].round(4)) for v in two_layer_thresholds(Z, Z, Z, Z, Z, Z, [0.0], [0.0], [0.0], [0.0])]
    [-1.3863, -1.3863, -0.6931, -0.6931]
    """
    W1, W0 = _weights(W1, W0)
    K1, K0 = _weights(K1, K0, "K1", "K0")
    V1, V0 = _weights(V1, V0, "V1", "V0")
    nx = W1.shape[0]
    check_shape("K1", K1, (nx, nx))
    check_shape("V1", V1, (None, nx))
    ny = V1.shape[0]
    h1, h0 = adaptive_thresholds(W1, W0, phi1, phi0)
    h1 = h1 + threshold_term(K1)
    h0 = h0 + threshold_term(K0)
    m1 = threshold_term(V1) + _vec("psi1", psi1, ny)
    m0 = threshold_term(V0) + _vec("psi0", psi0, ny)
    return h1, h0, m1, m0


# ---------------------------------------------------------------------------
# Single layer: activity equation (1.1)
# ---------------------------------------------------------------------------
def _layer(o, W1, W0, h1, h0):
    W1, W0 = _weights(W1, W0)
    nx, no = W1.shape
    o = as_float_array("o", o, ndim=1)
    check_shape("o", o, (no,))
    h1 = _vec("h1", h1, nx)
    h0 = _vec("h0", h0, nx)
    return o, W1, W0, h1, h0


def total_input(o, W1, W0, h1, h0):
    """Total input (W1 - W0) o + h1 - h0 to each neuron, the fixed point's membrane potential (SPEC §2.1).

    Shapes: o (No,), W1, W0 (Nx, No), h1, h0 (Nx,). Returns (Nx,).

    Parameters
    ----------
    o : array_like, shape (No,)
    W1, W0 : array_like, shape (Nx, No)
        Synaptic strengths (rows: postsynaptic neurons).
    h1, h0 : array_like, shape (Nx,)

    Returns
    -------
    numpy.ndarray, shape (Nx,)

    Examples
    --------
    >>> total_input([1.0], [[2.0]], [[0.5]], [-0.3], [0.1])
    array([1.1])
    """
    o, W1, W0, h1, h0 = _layer(o, W1, W0, h1, h0)
    return (W1 - W0) @ o + h1 - h0


def rhs_x(x, o, W1, W0, h1, h0, tau: float = 1.0):
    """Right-hand side dx/dt of the rate (x-form) activity equation (SPEC eq. 1.1).

        dx/dt = [-logit(x) + (W1 - W0) o + h1 - h0] / tau

    Shapes: x (Nx,) with entries strictly in (0, 1); o (No,); W1, W0 (Nx, No);
    h1, h0 (Nx,). Returns (Nx,).

    Parameters
    ----------
    x : array_like, shape (Nx,)
        Firing rates in (0, 1).
    o : array_like, shape (No,)
    W1, W0 : array_like, shape (Nx, No)
        Synaptic strengths (rows: postsynaptic neurons).
    h1, h0 : array_like, shape (Nx,)
    tau : float, optional

    Returns
    -------
    numpy.ndarray, shape (Nx,)

    Examples
    --------
    >>> x_star = fixed_point([1.0], [[2.0]], [[0.5]], [-0.3], [0.1])
    >>> float(np.abs(rhs_x(x_star, [1.0], [[2.0]], [[0.5]], [-0.3], [0.1])).max()) < 1e-12  # at rest at x*
    True
    """
    tau = check_positive("tau", tau)
    I = total_input(o, W1, W0, h1, h0)
    x = as_float_array("x", x, ndim=1)
    check_shape("x", x, I.shape)
    check_open_unit("x", x)
    return (-_logit(x) + I) / tau


def rhs_u(u, o, W1, W0, h1, h0, tau: float = 1.0):
    """Right-hand side du/dt of the membrane-potential (u-form) equation (SPEC §2.1).

        du/dt = [-u + (W1 - W0) o + h1 - h0] / tau,    x = sigma(u)

    Same fixed point as the x-form; the flow is the x-form's rescaled by 1 / (x (1 - x)).
    Shapes: u (Nx,) any real numbers; o (No,); W1, W0 (Nx, No); h1, h0 (Nx,). Returns (Nx,).

    Parameters
    ----------
    u : array_like, shape (Nx,)
        Membrane potentials.
    o : array_like, shape (No,)
    W1, W0 : array_like, shape (Nx, No)
        Synaptic strengths (rows: postsynaptic neurons).
    h1, h0 : array_like, shape (Nx,)
    tau : float, optional

    Returns
    -------
    numpy.ndarray, shape (Nx,)

    Examples
    --------
    >>> rhs_u([0.0], [1.0], [[2.0]], [[0.5]], [-0.3], [0.1])  # relaxes towards the total input 1.1
    array([1.1])
    """
    tau = check_positive("tau", tau)
    I = total_input(o, W1, W0, h1, h0)
    u = as_float_array("u", u, ndim=1)
    check_shape("u", u, I.shape)
    return (-u + I) / tau


def fixed_point(o, W1, W0, h1, h0):
    """Closed-form fixed point x* = sigma((W1 - W0) o + h1 - h0) of eq. (1.1) (SPEC §2.1).

    Shapes: o (No,); W1, W0 (Nx, No); h1, h0 (Nx,). Returns x* (Nx,).

    Parameters
    ----------
    o : array_like, shape (No,)
    W1, W0 : array_like, shape (Nx, No)
        Synaptic strengths (rows: postsynaptic neurons).
    h1, h0 : array_like, shape (Nx,)

    Returns
    -------
    numpy.ndarray, shape (Nx,)

    Examples
    --------
    >>> fixed_point([1.0], [[2.0]], [[0.5]], [-0.3], [0.1]).round(4)
    array([0.7503])
    """
    return expit(total_input(o, W1, W0, h1, h0))


def max_stable_dt_x(x_star, tau: float = 1.0):
    """Largest stable explicit-Euler step of the x-form near its fixed point (SPEC §2.1).

    Linearising eq. (1.1) gives the relaxation rate 1 / (tau x* (1 - x*)), so Euler is
    stable only for dt < 2 tau x* (1 - x*); the binding neuron is the most saturated one.
    Shape: x_star (Nx,). Returns a float.

    Parameters
    ----------
    x_star : array_like
        Fixed point(s) in (0, 1).
    tau : float, optional

    Returns
    -------
    float

    Examples
    --------
    >>> max_stable_dt_x([0.5])  # 2 tau x*(1 - x*)
    0.5
    """
    tau = check_positive("tau", tau)
    x_star = as_float_array("x_star", x_star)
    check_open_unit("x_star", x_star)
    return float(2.0 * tau * np.min(x_star * (1.0 - x_star)))


def _steps(dt, n_steps, tau):
    dt = check_positive("dt", dt)
    n_steps = check_int("n_steps", n_steps, minimum=1)
    tau = check_positive("tau", tau)
    return dt, n_steps, tau


def integrate_x(x0, o, W1, W0, h1, h0, dt: float = 0.001, n_steps: int = 2000, tau: float = 1.0):
    """Explicit Euler integration of the x-form equation (1.1) from ``x0``.

    The x-form is stiff near 0 and 1, so ``dt`` must satisfy dt < 2 tau x*(1 - x*) at the
    fixed point x* (see :func:`max_stable_dt_x`) and must keep x inside (0, 1); otherwise a
    ``ValueError`` names ``dt`` and the largest stable step.

    Shapes: x0 (Nx,) in (0, 1); o (No,); W (Nx, No); h (Nx,).
    Returns the trajectory, shape (n_steps + 1, Nx), starting with x0.

    Parameters
    ----------
    x0 : array_like, shape (Nx,)
    o : array_like, shape (No,)
    W1, W0 : array_like, shape (Nx, No)
        Synaptic strengths (rows: postsynaptic neurons).
    h1, h0 : array_like, shape (Nx,)
    dt : float, optional
    n_steps : int, optional
    tau : float, optional

    Returns
    -------
    numpy.ndarray, shape (n_steps + 1, Nx)

    Examples
    --------
    >>> xs = integrate_x([0.1], [1.0], [[2.0]], [[0.5]], [-0.3], [0.1], dt=0.01, n_steps=3000)
    >>> float(xs[-1, 0].round(4))
    0.7503
    """
    dt, n_steps, tau = _steps(dt, n_steps, tau)
    I = total_input(o, W1, W0, h1, h0)
    x = as_float_array("x0", x0, ndim=1)
    check_shape("x0", x, I.shape)
    check_open_unit("x0", x)
    limit = max_stable_dt_x(expit(I), tau)
    if dt >= limit:
        raise ValueError(
            f"dt = {dt:g} is too large for the x-form: explicit Euler is unstable for dt >= 2 tau x*(1-x*) "
            f"= {limit:.3g} at this fixed point. Use a smaller dt, or integrate_u (the u-form is stable for any dt < 2 tau)."
        )
    traj = np.empty((n_steps + 1, x.size))
    traj[0] = x
    for k in range(n_steps):
        x = x + dt / tau * (-_logit(x) + I)
        if np.any(x <= 0.0) or np.any(x >= 1.0):
            raise ValueError(
                f"dt = {dt:g} let a rate leave (0, 1) at step {k + 1}: the x-form needs smaller steps "
                "far from the fixed point. Use a smaller dt or integrate_u."
            )
        traj[k + 1] = x
    return traj


def integrate_u(u0, o, W1, W0, h1, h0, dt: float = 0.05, n_steps: int = 1000, tau: float = 1.0):
    """Explicit Euler integration of the u-form equation (SPEC §2.1) from ``u0``.

    u relaxes exponentially towards the total input I = (W1 - W0) o + h1 - h0 and
    x = sigma(u); Euler is stable for dt < 2 tau and free of overshoot for dt <= tau; this function requires dt < tau
    (a ``ValueError`` otherwise).

    Shapes: u0 (Nx,); o (No,); W (Nx, No); h (Nx,).
    Returns the u trajectory, shape (n_steps + 1, Nx); apply ``sigmoid`` for rates.

    Parameters
    ----------
    u0 : array_like, shape (Nx,)
    o : array_like, shape (No,)
    W1, W0 : array_like, shape (Nx, No)
        Synaptic strengths (rows: postsynaptic neurons).
    h1, h0 : array_like, shape (Nx,)
    dt : float, optional
    n_steps : int, optional
    tau : float, optional

    Returns
    -------
    numpy.ndarray, shape (n_steps + 1, Nx)

    Examples
    --------
    >>> us = integrate_u([0.0], [1.0], [[2.0]], [[0.5]], [-0.3], [0.1])
    >>> float(us[-1, 0].round(4))  # the total input
    1.1
    """
    dt, n_steps, tau = _steps(dt, n_steps, tau)
    if dt >= tau:
        raise ValueError(f"dt = {dt:g} must be smaller than tau = {tau:g}: u-form Euler is stable for dt < 2 tau but overshoots (oscillates) for dt > tau")
    I = total_input(o, W1, W0, h1, h0)
    u = as_float_array("u0", u0, ndim=1)
    check_shape("u0", u, I.shape)
    traj = np.empty((n_steps + 1, u.size))
    traj[0] = u
    a = dt / tau
    for k in range(n_steps):
        u = u + a * (I - u)
        traj[k + 1] = u
    return traj


def relaxation_time_u(initial_error: float, tolerance: float, tau: float = 1.0) -> float:
    """Time for the u-form to shrink an initial error to ``tolerance`` (SPEC §2.1).

    u(t) - I = (u0 - I) exp(-t / tau), so t = tau ln(initial_error / tolerance).

    Parameters
    ----------
    initial_error : float
    tolerance : float
    tau : float, optional

    Returns
    -------
    float

    Examples
    --------
    >>> round(relaxation_time_u(1.0, 1e-3), 3)  # ln 1000
    6.908
    """
    e0 = check_positive("initial_error", initial_error)
    tol = check_positive("tolerance", tolerance)
    tau = check_positive("tau", tau)
    return float(tau * np.log(e0 / tol))


# ---------------------------------------------------------------------------
# Two-layer network of P2 (SPEC §2.4, eqs. 1.4-1.5)
# ---------------------------------------------------------------------------
def _middle_input(o, x_prev, W1, W0, K1, K0, h1, h0):
    W1, W0 = _weights(W1, W0)
    K1, K0 = _weights(K1, K0, "K1", "K0")
    nx, no = W1.shape
    check_shape("K1", K1, (nx, nx))
    o = as_float_array("o", o, ndim=1)
    check_shape("o", o, (no,))
    x_prev = _vec("x_prev", x_prev, nx)
    return (W1 - W0) @ o + (K1 - K0) @ x_prev + _vec("h1", h1, nx) - _vec("h0", h0, nx)


def _output_input(x_prev, V1, V0, m1, m0):
    V1, V0 = _weights(V1, V0, "V1", "V0")
    ny, nx = V1.shape
    x_prev = _vec("x_prev", x_prev, nx)
    return (V1 - V0) @ x_prev + _vec("m1", m1, ny) - _vec("m0", m0, ny)


def rhs_x_two_layer(x, o, x_prev, W1, W0, K1, K0, h1, h0, tau: float = 1.0):
    """dx/dt of the middle layer of P2 (SPEC eq. 1.4).

        tau dx/dt = -logit(x) + (W1 - W0) o + (K1 - K0) x_prev + h1 - h0

    Shapes: x, x_prev (Nx,); o (No,); W (Nx, No); K (Nx, Nx); h (Nx,). Returns (Nx,).

    Parameters
    ----------
    x : array_like, shape (Nx,)
    o : array_like, shape (No,)
    x_prev : array_like, shape (Nx,)
    W1, W0 : array_like, shape (Nx, No)
    K1, K0 : array_like, shape (Nx, Nx)
    h1, h0 : array_like, shape (Nx,)
    tau : float, optional

    Returns
    -------
    numpy.ndarray, shape (Nx,)

    Examples
    --------
    >>> Z = np.zeros((1, 1))
    >>> rhs_x_two_layer([0.5], [1.0], [0.5], Z, Z, Z, Z, [0.0], [0.0])  # x = 1/2 is the rest point
    array([0.])
    """
    tau = check_positive("tau", tau)
    I = _middle_input(o, x_prev, W1, W0, K1, K0, h1, h0)
    x = as_float_array("x", x, ndim=1)
    check_shape("x", x, I.shape)
    check_open_unit("x", x)
    return (-_logit(x) + I) / tau


def rhs_y(y, x_prev, V1, V0, m1, m0, tau: float = 1.0):
    """dy/dt of the output (decision) layer of P2 (SPEC eq. 1.5).

        tau dy/dt = -logit(y) + (V1 - V0) x_prev + m1 - m0

    Shapes: y (Ny,); x_prev (Nx,); V (Ny, Nx); m (Ny,). Returns (Ny,).

    Parameters
    ----------
    y : array_like, shape (Ny,)
    x_prev : array_like, shape (Nx,)
    V1, V0 : array_like, shape (Ny, Nx)
    m1, m0 : array_like, shape (Ny,)
    tau : float, optional

    Returns
    -------
    numpy.ndarray, shape (Ny,)

    Examples
    --------
    >>> Z = np.zeros((1, 1))
    >>> rhs_y([0.5], [0.5], Z, Z, [0.0], [0.0])
    array([0.])
    """
    tau = check_positive("tau", tau)
    I = _output_input(x_prev, V1, V0, m1, m0)
    y = as_float_array("y", y, ndim=1)
    check_shape("y", y, I.shape)
    check_open_unit("y", y)
    return (-_logit(y) + I) / tau


def fixed_point_two_layer(o, x_prev, W1, W0, K1, K0, V1, V0, h1, h0, m1, m0):
    """Fixed points of the two-layer network (SPEC §2.4).

        x = sigma((W1 - W0) o + (K1 - K0) x_prev + h1 - h0),   y = sigma((V1 - V0) x_prev + m1 - m0)

    The output layer sees the *previous* middle-layer activity. Returns (x (Nx,), y (Ny,)).

    Parameters
    ----------
    o : array_like, shape (No,)
    x_prev : array_like, shape (Nx,)
    W1, W0 : array_like, shape (Nx, No)
    K1, K0 : array_like, shape (Nx, Nx)
    V1, V0 : array_like, shape (Ny, Nx)
    h1, h0 : array_like, shape (Nx,)
    m1, m0 : array_like, shape (Ny,)

    Returns
    -------
    x, y : numpy.ndarray

    Examples
    --------
    >>> Z = np.zeros((1, 1))
    >>> x, y = fixed_point_two_layer([1.0], [0.5], [[2.0]], Z, Z, Z, Z, Z, [0.0], [0.0], [0.0], [0.0])
    >>> float(x[0].round(4)), float(y[0])
    (0.8808, 0.5)
    """
    x = expit(_middle_input(o, x_prev, W1, W0, K1, K0, h1, h0))
    y = expit(_output_input(x_prev, V1, V0, m1, m0))
    return x, y

"""Exercises of Lesson 01 (rate neurons, SPEC §2)."""

from __future__ import annotations

import numpy as np
from scipy.special import expit, logit

from .core import AnswerProblem, Exercise, Property, register, result_array


# ---------------------------------------------------------------------------
# Random problem instances
# ---------------------------------------------------------------------------
def random_network(rng, nx=None, no=None):
    """A random single-layer problem (o, W1, W0, h1, h0) with No != Nx, so a wrong axis shows as a wrong shape."""
    nx = nx or int(rng.integers(2, 5))
    no = no or int(rng.integers(nx + 2, 9))  # No != Nx so that a wrong axis shows up as a wrong shape
    W1 = rng.normal(0.0, 1.0, (nx, no))
    W0 = rng.normal(0.0, 1.0, (nx, no))
    h1 = rng.normal(-1.0, 1.0, nx)
    h0 = rng.normal(-1.0, 1.0, nx)
    o = rng.integers(0, 2, no).astype(float)
    return o, W1, W0, h1, h0


# ---------------------------------------------------------------------------
# L01.rhs_x — the activity equation (1.1)
# ---------------------------------------------------------------------------
def rhs_x_reference(x, o, W1, W0, h1, h0):
    """dx/dt = -logit(x) + (W1 - W0) o + h1 - h0 (SPEC eq. 1.1, tau = 1)."""
    return -logit(x) + (W1 - W0) @ o + h1 - h0


def _rhs_shape(ans, rng):
    o, W1, W0, h1, h0 = random_network(rng)
    x = rng.uniform(0.05, 0.95, W1.shape[0])
    result_array(ans(x, o, W1, W0, h1, h0), (W1.shape[0],), "dx/dt")


def _rhs_vanishes_at_fixed_point(ans, rng):
    o, W1, W0, h1, h0 = random_network(rng)
    xs = expit((W1 - W0) @ o + h1 - h0)
    r = result_array(ans(xs, o, W1, W0, h1, h0), (W1.shape[0],), "dx/dt")
    if np.max(np.abs(r)) > 1e-8:
        return (
            "dx/dt should be zero at the fixed point x* = sigma((W1 - W0) o + h1 - h0), but it is not: "
            "the leak must be -logit(x) = -(ln x - ln(1 - x)), which undoes the sigmoid"
        )


def _rhs_restoring(ans, rng):
    o, W1, W0, h1, h0 = random_network(rng)
    xs = expit((W1 - W0) @ o + h1 - h0)
    below = ans(xs * 0.5, o, W1, W0, h1, h0)
    above = ans(1 - (1 - xs) * 0.5, o, W1, W0, h1, h0)
    below, above = result_array(below, xs.shape, "dx/dt"), result_array(above, xs.shape, "dx/dt")
    if not (np.all(below > 0) and np.all(above < 0)):
        return "below the fixed point x should increase (dx/dt > 0) and above it decrease; check the sign of the leak"


def _rhs_matches(ans, rng):
    for _ in range(3):
        o, W1, W0, h1, h0 = random_network(rng)
        x = rng.uniform(0.02, 0.98, W1.shape[0])
        r = result_array(ans(x, o, W1, W0, h1, h0), x.shape, "dx/dt")
        ref = rhs_x_reference(x, o, W1, W0, h1, h0)
        if not np.allclose(r, ref, rtol=1e-7, atol=1e-9):
            flipped = -logit(x) + (W1 + W0) @ o + h1 - h0
            if np.allclose(r, flipped, atol=1e-9):
                return "the inhibitory weights W0 should pull the neuron down: they enter with a minus sign"
            if np.allclose(r, -logit(x) + (W1 - W0) @ o + h1 + h0, atol=1e-9):
                return "the OFF threshold h0 works against h1: it enters with a minus sign"
            return "differs from eq. (N1) on random inputs; compare each term (leak, synaptic drive, thresholds) with the equation"


register(
    Exercise(
        id="L01.rhs_x",
        title="the activity equation dx/dt",
        reference=rhs_x_reference,
        properties=(
            Property("returns one rate of change per neuron", 1, _rhs_shape),
            Property("vanishes at the fixed point", 1, _rhs_vanishes_at_fixed_point),
            Property("pulls x back towards the fixed point from either side", 1, _rhs_restoring),
            Property("agrees with eq. (N1) on random networks", 1, _rhs_matches),
        ),
        hints=(
            "Eq. (N1) has three parts: a leak that depends only on x, a synaptic drive (W1 - W0) o, and the threshold difference h1 - h0.",
            "The leak is minus the inverse sigmoid: -(np.log(x) - np.log(1 - x)). Use the @ operator for the matrix-vector product.",
        ),
        wrong_answers=(
            ("W0 added instead of subtracted", lambda x, o, W1, W0, h1, h0: -logit(x) + (W1 + W0) @ o + h1 - h0),
            ("leak missing", lambda x, o, W1, W0, h1, h0: (W1 - W0) @ o + h1 - h0),
            ("leak -ln x only", lambda x, o, W1, W0, h1, h0: -np.log(x) + (W1 - W0) @ o + h1 - h0),
            ("leak with the wrong sign", lambda x, o, W1, W0, h1, h0: logit(x) + (W1 - W0) @ o + h1 - h0),
        ),
    )
)


# ---------------------------------------------------------------------------
# L01.euler_u — integrating the u-form
# ---------------------------------------------------------------------------
def euler_u_reference(u0, I, dt, n_steps):
    """Euler steps of du/dt = -u + I (tau = 1); returns the trajectory, shape (n_steps + 1, N)."""
    u = np.array(u0, dtype=float)
    traj = [u.copy()]
    for _ in range(n_steps):
        u = u + dt * (I - u)
        traj.append(u.copy())
    return np.array(traj)


def _euler_wrong_sign(u0, I, dt, n_steps):
    """A plausible mistake: du/dt = +u + I (the leak pushes away from I)."""
    u = np.array(u0, dtype=float)
    traj = [u.copy()]
    for _ in range(n_steps):
        u = u + dt * (I + u)
        traj.append(u.copy())
    return np.array(traj)


def _euler_case(rng):
    n = int(rng.integers(2, 5))
    return rng.normal(0, 3, n), rng.normal(0, 3, n), float(rng.uniform(0.01, 0.2)), int(rng.integers(5, 40))


def _euler_shape(ans, rng):
    u0, I, dt, n = _euler_case(rng)
    out = ans(u0, I, dt, n)
    arr = result_array(out, None, "the trajectory")
    if arr.shape == (u0.size,):
        return "you returned only the final state; return every state, one row per time point"
    if arr.shape == (n, u0.size):
        return f"the trajectory has {n} rows; with the starting point included it should have n_steps + 1 rows"
    result_array(out, (n + 1, u0.size), "the trajectory")


def _euler_starts(ans, rng):
    u0, I, dt, n = _euler_case(rng)
    arr = result_array(ans(u0, I, dt, n), (n + 1, u0.size), "the trajectory")
    if not np.allclose(arr[0], u0):
        return "the first row should be the initial state u0 itself"


def _euler_one_step(ans, rng):
    u0, I, dt, _ = _euler_case(rng)
    arr = result_array(ans(u0, I, dt, 1), (2, u0.size), "the trajectory")
    if not np.allclose(arr[1], u0 + dt * (I - u0), atol=1e-12):
        if np.allclose(arr[1], u0 + dt * (I + u0), atol=1e-12):
            return "after one step u moved away from I: the leak term is -u, so the step is u + dt * (I - u)"
        return "one Euler step should move u by dt times the right-hand side (-u + I)"


def _euler_converges(ans, rng):
    u0, I, _, _ = _euler_case(rng)
    arr = result_array(ans(u0, I, 0.05, 1000), (1001, u0.size), "the trajectory")
    if not np.allclose(arr[-1], I, atol=1e-8):
        return "after 1000 steps of dt = 0.05 (50 time constants) u should have reached the input I; it has not"


register(
    Exercise(
        id="L01.euler_u",
        title="an Euler integrator for the u-form",
        reference=euler_u_reference,
        properties=(
            Property("returns n_steps + 1 states, one row each", 1, _euler_shape),
            Property("starts at u0", 1, _euler_starts),
            Property("one step follows du/dt = -u + I", 1, _euler_one_step),
            Property("relaxes to the input I", 1, _euler_converges),
        ),
        hints=(
            "Keep a list of states; append u0 first, then update u <- u + dt * (right-hand side) n_steps times.",
            "The right-hand side of the u-form is (-u + I). Return np.array(list_of_states).",
        ),
        wrong_answers=(
            ("final state only", lambda u0, I, dt, n: euler_u_reference(u0, I, dt, n)[-1]),
            ("initial state missing", lambda u0, I, dt, n: euler_u_reference(u0, I, dt, n)[1:]),
            ("leak sign flipped", lambda u0, I, dt, n: _euler_wrong_sign(u0, I, dt, n)),
        ),
    )
)


# ---------------------------------------------------------------------------
# L01.fixed_point — the steady state of (1.1)
# ---------------------------------------------------------------------------
def fixed_point_reference(o, W1, W0, h1, h0):
    """x* = sigma((W1 - W0) o + h1 - h0) (SPEC §2.1)."""
    return expit((W1 - W0) @ o + h1 - h0)


def _fp_shape(ans, rng):
    o, W1, W0, h1, h0 = random_network(rng)
    result_array(ans(o, W1, W0, h1, h0), (W1.shape[0],), "x*")


def _fp_is_rate(ans, rng):
    o, W1, W0, h1, h0 = random_network(rng)
    x = result_array(ans(o, W1, W0, h1, h0), (W1.shape[0],), "x*")
    if np.any(x <= 0) or np.any(x >= 1):
        return "firing rates must lie between 0 and 1; did you forget to pass the total input through the sigmoid?"


def _fp_stationary(ans, rng):
    for _ in range(3):
        o, W1, W0, h1, h0 = random_network(rng)
        x = result_array(ans(o, W1, W0, h1, h0), (W1.shape[0],), "x*")
        if np.any(x <= 0) or np.any(x >= 1):
            return "not a firing rate in (0, 1), so it cannot be a fixed point of eq. (N1)"
        if np.max(np.abs(rhs_x_reference(x, o, W1, W0, h1, h0))) > 1e-8:
            if np.allclose(x, expit((W1 + W0) @ o + h1 - h0)):
                return "dx/dt is not zero there: W0 is inhibitory and enters with a minus sign"
            if np.allclose(x, expit((W1 - W0) @ o)):
                return "dx/dt is not zero there: the thresholds h1 - h0 are part of the total input"
            return "dx/dt of eq. (N1) is not zero at your x*: set the right-hand side to zero and solve for x"


register(
    Exercise(
        id="L01.fixed_point",
        title="the fixed point x*",
        reference=fixed_point_reference,
        properties=(
            Property("returns one rate per neuron", 1, _fp_shape),
            Property("is a firing rate in (0, 1)", 1, _fp_is_rate),
            Property("makes dx/dt of eq. (N1) vanish on random networks", 2, _fp_stationary),
        ),
        hints=(
            "At the fixed point the leak balances the input: logit(x*) = total input.",
            "Invert the logit with the sigmoid: scipy.special.expit (or fepteach.neurons.sigmoid).",
        ),
        wrong_answers=(
            ("membrane potential instead of rate", lambda o, W1, W0, h1, h0: (W1 - W0) @ o + h1 - h0),
            ("W0 added", lambda o, W1, W0, h1, h0: expit((W1 + W0) @ o + h1 - h0)),
            ("thresholds forgotten", lambda o, W1, W0, h1, h0: expit((W1 - W0) @ o)),
        ),
    )
)


# ---------------------------------------------------------------------------
# L01.thresholds — adaptive thresholds (1.2)
# ---------------------------------------------------------------------------
def thresholds_reference(W1, W0, phi1, phi0):
    """h1 = ln(1 - sigma(W1)) 1 + phi1, h0 = ln(1 - sigma(W0)) 1 + phi0 (SPEC eq. 1.2)."""
    h1 = np.log(1.0 - expit(W1)).sum(axis=1) + phi1
    h0 = np.log(1.0 - expit(W0)).sum(axis=1) + phi0
    return h1, h0


def _thr_case(rng):
    _, W1, W0, _, _ = random_network(rng)
    nx = W1.shape[0]
    return W1, W0, np.log(rng.uniform(0.2, 0.8, nx)), np.log(rng.uniform(0.2, 0.8, nx))


def _thr_pair(ans, W1, W0, phi1, phi0):
    out = ans(W1, W0, phi1, phi0)
    if not isinstance(out, (tuple, list)) or len(out) != 2:
        raise AnswerProblem("return the two thresholds as a pair: `return h1, h0`")
    nx = W1.shape[0]
    return result_array(out[0], (nx,), "h1"), result_array(out[1], (nx,), "h0")


def _thr_shape(ans, rng):
    _thr_pair(ans, *_thr_case(rng))


def _thr_zero_weights(ans, rng):
    W1, W0, phi1, phi0 = _thr_case(rng)
    h1, h0 = _thr_pair(ans, np.zeros_like(W1), np.zeros_like(W0), phi1, phi0)
    no = W1.shape[1]
    if not (np.allclose(h1, no * np.log(0.5) + phi1) and np.allclose(h0, no * np.log(0.5) + phi0)):
        return "with all weights zero, sigma(W) = 1/2 for each of the No inputs; the threshold should then be No ln(1/2) + phi"


def _thr_derivative(ans, rng):
    W1, W0, phi1, phi0 = _thr_case(rng)
    eps = 1e-6
    j, i = 0, 1
    Wp, Wm = W1.copy(), W1.copy()
    Wp[j, i] += eps
    Wm[j, i] -= eps
    d = (_thr_pair(ans, Wp, W0, phi1, phi0)[0][j] - _thr_pair(ans, Wm, W0, phi1, phi0)[0][j]) / (2 * eps)
    if abs(d + expit(W1[j, i])) > 1e-5:
        return (
            "raising a weight W1[j, i] should lower h1[j] by sigma(W1[j, i]) (dh/dW = -sigma(W)); "
            "check you take ln(1 - sigma(W)), not ln sigma(W)"
        )


def _thr_matches(ans, rng):
    for _ in range(3):
        W1, W0, phi1, phi0 = _thr_case(rng)
        h1, h0 = _thr_pair(ans, W1, W0, phi1, phi0)
        r1, r0 = thresholds_reference(W1, W0, phi1, phi0)
        if not (np.allclose(h1, r1) and np.allclose(h0, r0)):
            if np.allclose(h1, r1 - phi1) and np.allclose(h0, r0 - phi0):
                return "the constants phi1, phi0 (the implicit prior) are part of the threshold"
            return "differs from eq. (N4) on random weights; sum ln(1 - sigma(W)) over the inputs (axis 1) of each neuron"


register(
    Exercise(
        id="L01.thresholds",
        title="the adaptive thresholds h1, h0",
        reference=thresholds_reference,
        properties=(
            Property("returns (h1, h0), one value per neuron", 1, _thr_shape),
            Property("limit case: zero weights", 1, _thr_zero_weights),
            Property("dh1/dW1 = -sigma(W1) (finite differences)", 1, _thr_derivative),
            Property("agrees with eq. (N4) on random weights", 1, _thr_matches),
        ),
        hints=(
            "Each neuron j sums ln(1 - sigma(W[j, i])) over its inputs i, then adds its constant phi[j].",
            "np.log(1 - expit(W1)).sum(axis=1) gives one number per neuron (rows of W are postsynaptic neurons).",
        ),
        wrong_answers=(
            (
                "ln sigma(W) instead of ln(1 - sigma(W))",
                lambda W1, W0, p1, p0: (np.log(expit(W1)).sum(axis=1) + p1, np.log(expit(W0)).sum(axis=1) + p0),
            ),
            ("summed over neurons (wrong axis)", lambda W1, W0, p1, p0: (np.log(1 - expit(W1)).sum(axis=0) + p1.mean(), np.log(1 - expit(W0)).sum(axis=0) + p0.mean())),
            ("prior constants forgotten", lambda W1, W0, p1, p0: (np.log(1 - expit(W1)).sum(axis=1), np.log(1 - expit(W0)).sum(axis=1))),
        ),
    )
)


# ---------------------------------------------------------------------------
# L01.stable_dt — how large may an Euler step of the x-form be?
# ---------------------------------------------------------------------------
def stable_dt_reference(x_star, tau):
    """Largest stable Euler step of the x-form, 2 tau min_j x*_j (1 - x*_j) (SPEC §2.1)."""
    x_star = np.asarray(x_star, dtype=float)
    return float(2.0 * tau * np.min(x_star * (1.0 - x_star)))


def _dt_value(ans, x, tau):
    out = ans(x, tau)
    arr = result_array(out, None, "the step size")
    if arr.size != 1:
        raise AnswerProblem("return a single number (the largest stable step for the whole network)")
    return float(arr.reshape(-1)[0])


def _dt_half(ans, rng):
    if not np.isclose(_dt_value(ans, np.array([0.5, 0.5]), 1.0), 0.5):
        return "at x* = 1/2 the linearised relaxation rate is 1 / (x*(1 - x*)) = 4; Euler is stable for dt < 2 / rate"


def _dt_tau(ans, rng):
    x = rng.uniform(0.05, 0.95, 3)
    a, b = _dt_value(ans, x, 1.0), _dt_value(ans, x, 3.0)
    if not np.isclose(b, 3 * a):
        return "time is measured in units of tau: the stable step should grow in proportion to tau"


def _dt_binding(ans, rng):
    x = np.array([0.5, 0.999, 0.3])
    if not np.isclose(_dt_value(ans, x, 1.0), stable_dt_reference(x, 1.0)):
        return "one step size serves all neurons, so the most saturated neuron (x* near 0 or 1) sets the limit"


register(
    Exercise(
        id="L01.stable_dt",
        title="the stability limit of the x-form",
        reference=stable_dt_reference,
        asks="derive",
        properties=(
            Property("limit case x* = 1/2", 1, _dt_half),
            Property("scales with tau", 1, _dt_tau),
            Property("the most saturated neuron sets the limit", 1, _dt_binding),
        ),
        hints=(
            "Linearise: d(dx/dt)/dx = -(1/x + 1/(1-x)) / tau = -1 / (tau x (1 - x)). Euler on dz/dt = -r z is stable for dt < 2 / r.",
            "Compute 2 * tau * x_star * (1 - x_star) for every neuron and keep the smallest.",
        ),
        wrong_answers=(
            ("largest instead of smallest", lambda x, tau: float(2 * tau * np.max(np.asarray(x) * (1 - np.asarray(x))))),
            ("factor 2 missing", lambda x, tau: float(tau * np.min(np.asarray(x) * (1 - np.asarray(x))))),
            ("tau ignored", lambda x, tau: float(2 * np.min(np.asarray(x) * (1 - np.asarray(x))))),
        ),
    )
)


# ---------------------------------------------------------------------------
# L01.diverging_steps — predict from the curvature of L which Euler steps run away (asks: predict)
# ---------------------------------------------------------------------------
DIVERGE_X_STAR = (0.5, 0.9, 0.98)
DIVERGE_DTS = (0.01, 0.03, 0.05, 0.2, 0.6)


def diverging_steps_reference():
    """True for every step size in DIVERGE_DTS at which Euler steps of the x-form (tau = 1) run away from the fixed
    point DIVERGE_X_STAR: the activity descends L, whose curvature along neuron j is 1 / (x*_j (1 - x*_j)); a
    gradient step of size dt is stable only while dt * curvature < 2 in every direction."""
    from ..neurons import max_stable_dt_x

    limit = max_stable_dt_x(np.array(DIVERGE_X_STAR), 1.0)
    return tuple(bool(dt > limit) for dt in DIVERGE_DTS)


def _prediction_flags(ans, n):
    value = ans.value
    if isinstance(value, (str, bytes, dict, set)) or np.ndim(value) != 1 or len(value) != n:
        raise AnswerProblem(f"give one True/False per step size: a tuple of {n} booleans, in the order of the step sizes")
    flags = []
    for v in value:
        if isinstance(v, (bool, np.bool_)) or (isinstance(v, (int, np.integer)) and v in (0, 1)):
            flags.append(bool(v))
        else:
            raise AnswerProblem("each entry should be True (diverges) or False (converges)")
    return flags


def _ds_shape(ans, rng):
    _prediction_flags(ans, len(DIVERGE_DTS))


def _ds_small(ans, rng):
    got, want = _prediction_flags(ans, len(DIVERGE_DTS)), diverging_steps_reference()
    if any(g and not w for g, w in zip(got, want)):
        return ("you predicted a run-away where the steps converge: a step of size dt along a direction of curvature c "
                "multiplies the error by 1 - dt c, which shrinks it as long as dt c < 2 (an overshoot that still shrinks "
                "is not a divergence)")


def _ds_large(ans, rng):
    got, want = _prediction_flags(ans, len(DIVERGE_DTS)), diverging_steps_reference()
    if any(w and not g for g, w in zip(got, want)):
        return ("some steps you expect to converge run away: one step size serves all neurons, so the most curved "
                "direction of L (the most saturated neuron, curvature 1 / (x*(1 - x*))) decides")


register(
    Exercise(
        id="L01.diverging_steps",
        title="which Euler steps run away? (predict, then test)",
        reference=diverging_steps_reference,
        kind="value",
        asks="predict",
        properties=(
            Property("one True/False per step size", 1, _ds_shape),
            Property("the steps that converge are predicted to converge", 1, _ds_small),
            Property("the steps that run away are predicted to run away", 2, _ds_large),
        ),
        hints=(
            "The activity descends L, and near x* the x-form is a gradient step on a quadratic bowl whose curvature along "
            "neuron j is d2L/dx_j^2 = 1 / (x*_j (1 - x*_j)). When does a gradient step on a bowl overshoot so far that it "
            "lands higher than it started?",
            "Along a direction of curvature c, one Euler step multiplies the distance to x* by (1 - dt c). It runs away "
            "when |1 - dt c| > 1, i.e. dt > 2 / c, and the largest c among the neurons counts.",
        ),
        wrong_answers=(
            ("the least saturated neuron sets the limit", (False, False, False, False, True)),
            ("the factor 2 forgotten (dt > 1 / c)", (False, True, True, True, True)),
            ("nothing diverges", (False,) * 5),
        ),
    )
)

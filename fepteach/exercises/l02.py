"""Exercises of Lesson 02 (reconstructing the cost function L, SPEC §3)."""

from __future__ import annotations

import numpy as np
from scipy.special import expit, logit

from .core import AnswerProblem, Exercise, Property, register, result_array
from .l01 import random_network as _network


def _scalar(out, what):
    arr = result_array(out, None, what)
    if arr.size != 1:
        raise AnswerProblem(f"{what} should be a single number (summed over neurons); got shape {arr.shape}")
    return float(arr.reshape(-1)[0])


# ---------------------------------------------------------------------------
# L02.step_cost — the per-step cost (2.2)
# ---------------------------------------------------------------------------
def step_cost_reference(x, o, W1, W0, h1, h0):
    """L = sum_j [x ln x + x̄ ln x̄ - x (W1 o + h1) - x̄ (W0 o + h0)] (SPEC eq. 2.2)."""
    xb = 1.0 - x
    return float(np.sum(x * np.log(x) + xb * np.log(xb) - x * (W1 @ o + h1) - xb * (W0 @ o + h0)))


def _naive_cost(x, o, W1, W0, h1, h0):
    """The naive antiderivative: right gradient, wrong constant (no OFF channel)."""
    return float(np.sum(x * np.log(x) + (1 - x) * np.log(1 - x) - x * ((W1 - W0) @ o + h1 - h0)))


def _cost_scalar(ans, rng):
    o, W1, W0, h1, h0 = _network(rng)
    _scalar(ans(rng.uniform(0.1, 0.9, W1.shape[0]), o, W1, W0, h1, h0), "L")


def _cost_gradient(ans, rng):
    o, W1, W0, h1, h0 = _network(rng)
    x = rng.uniform(0.1, 0.9, W1.shape[0])
    eps = 1e-6
    for j in range(x.size):
        xp, xm = x.copy(), x.copy()
        xp[j] += eps
        xm[j] -= eps
        g = (_scalar(ans(xp, o, W1, W0, h1, h0), "L") - _scalar(ans(xm, o, W1, W0, h1, h0), "L")) / (2 * eps)
        target = logit(x[j]) - ((W1 - W0) @ o + h1 - h0)[j]
        if abs(g - target) > 1e-5:
            if abs(g + target) < 1e-5:
                return "dL/dx has the wrong sign: the activity equation must be dx/dt = -dL/dx, so L goes DOWN along the flow"
            return "dL/dx (finite differences) is not minus the right-hand side of eq. (N1); check the entropy and input terms"


def _cost_minimum(ans, rng):
    o, W1, W0, h1, h0 = _network(rng)
    v1, v0 = W1 @ o + h1, W0 @ o + h0
    xs = expit(v1 - v0)
    L = _scalar(ans(xs, o, W1, W0, h1, h0), "L")
    if abs(L + np.sum(np.logaddexp(v1, v0))) > 1e-8:
        return ("at the fixed point L should equal -sum ln(exp(W1 o + h1) + exp(W0 o + h0)); a gradient-only answer "
                "misses the x-independent part: the OFF channel (1 - x) must carry W0 o + h0 (eq. (N6))")


def _cost_matches(ans, rng):
    for _ in range(3):
        o, W1, W0, h1, h0 = _network(rng)
        x = rng.uniform(0.02, 0.98, W1.shape[0])
        if abs(_scalar(ans(x, o, W1, W0, h1, h0), "L") - step_cost_reference(x, o, W1, W0, h1, h0)) > 1e-8:
            return "differs from eq. (N6) on random inputs; write (x, 1-x) · [ln(x, 1-x) - (W1, W0) o - (h1, h0)] term by term"


register(
    Exercise(
        id="L02.step_cost",
        title="the per-step cost L",
        reference=step_cost_reference,
        properties=(
            Property("returns one number", 1, _cost_scalar),
            Property("dL/dx = -(right-hand side of eq. (N1)) (finite differences)", 2, _cost_gradient),
            Property("minimum value -sum ln(e^v1 + e^v0) at the fixed point", 1, _cost_minimum),
            Property("agrees with eq. (N6) on random networks", 1, _cost_matches),
        ),
        hints=(
            "Eq. (N6) pairs each neuron's ON rate x with the ON synapses/threshold (W1, h1) and its OFF rate 1 - x with (W0, h0).",
            "xb = 1 - x; L = np.sum(x*np.log(x) + xb*np.log(xb) - x*(W1 @ o + h1) - xb*(W0 @ o + h0)).",
        ),
        wrong_answers=(
            ("naive antiderivative (no OFF channel)", _naive_cost),
            ("entropy sign flipped", lambda x, o, W1, W0, h1, h0: float(np.sum(-x * np.log(x) - (1 - x) * np.log(1 - x) - x * (W1 @ o + h1) - (1 - x) * (W0 @ o + h0)))),
            ("thresholds forgotten", lambda x, o, W1, W0, h1, h0: float(np.sum(x * np.log(x) + (1 - x) * np.log(1 - x) - x * (W1 @ o) - (1 - x) * (W0 @ o)))),
            ("per-neuron array instead of the sum", lambda x, o, W1, W0, h1, h0: x * np.log(x) + (1 - x) * np.log(1 - x) - x * (W1 @ o + h1) - (1 - x) * (W0 @ o + h0)),
        ),
    )
)


# ---------------------------------------------------------------------------
# L02.integrate_rhs — reconstructing L by integrating the activity equation
# ---------------------------------------------------------------------------
def integrate_rhs_reference(x_grid, dxdt):
    """R[k] = -∫_{x_grid[0]}^{x_grid[k]} dxdt dx by the cumulative trapezoid rule; R[0] = 0."""
    x_grid = np.asarray(x_grid, dtype=float)
    dxdt = np.asarray(dxdt, dtype=float)
    steps = 0.5 * (dxdt[1:] + dxdt[:-1]) * np.diff(x_grid)
    return -np.concatenate([[0.0], np.cumsum(steps)])


def _grid_case(rng):
    n = int(rng.integers(8, 20))
    return np.sort(rng.uniform(0.05, 0.95, n))


def _int_shape_start(ans, rng):
    xg = _grid_case(rng)
    R = result_array(ans(xg, np.sin(3 * xg)), (xg.size,), "the reconstructed cost")
    if abs(R[0]) > 1e-12:
        return "the integral from x_grid[0] to itself is 0: the first entry should be 0"


def _int_linear_exact(ans, rng):
    xg = _grid_case(rng)  # uneven grid
    a, b = rng.normal(size=2)
    R = result_array(ans(xg, a + b * xg), (xg.size,), "the reconstructed cost")
    exact = -(a * (xg - xg[0]) + 0.5 * b * (xg**2 - xg[0] ** 2))
    if not np.allclose(R, exact, atol=1e-10):
        if np.allclose(R, -exact, atol=1e-10):
            return "sign: L is MINUS the integral of dx/dt (dx/dt = -dL/dx)"
        return ("for a straight-line dx/dt the trapezoid rule is exact, even on an uneven grid; "
                "use the average of the two end values times the width of each interval")


def _int_recovers_cost(ans, rng):
    o, W1, W0, h1, h0 = _network(rng, nx=1)
    xg = np.linspace(0.02, 0.98, 2001)
    I = float(((W1 - W0) @ o + h1 - h0)[0])
    R = result_array(ans(xg, -logit(xg) + I), (xg.size,), "the reconstructed cost")
    L = np.array([step_cost_reference(np.array([v]), o, W1, W0, h1, h0) for v in xg])
    if np.max(np.abs(R - (L - L[0]))) > 1e-4:
        return "integrating eq. (N1) on a fine grid should give L(x) - L(x_grid[0]) to about 1e-5; it does not"


register(
    Exercise(
        id="L02.integrate_rhs",
        title="reconstructing L from the activity equation",
        reference=integrate_rhs_reference,
        properties=(
            Property("one value per grid point, starting at 0", 1, _int_shape_start),
            Property("exact for a straight-line dx/dt on an uneven grid", 2, _int_linear_exact),
            Property("recovers L(x) - L(x0) for a neuron (eq. (N6))", 1, _int_recovers_cost),
        ),
        hints=(
            "Each interval [x_k, x_k+1] contributes (width) × (average of dx/dt at its two ends); add them up cumulatively, and flip the sign.",
            "steps = 0.5 * (dxdt[1:] + dxdt[:-1]) * np.diff(x_grid); return -np.concatenate([[0.0], np.cumsum(steps)]).",
        ),
        wrong_answers=(
            ("sign forgotten", lambda xg, d: -integrate_rhs_reference(xg, d)),
            ("left-endpoint rectangles", lambda xg, d: -np.concatenate([[0.0], np.cumsum(np.asarray(d)[:-1] * np.diff(xg))])),
            ("starting value dropped", lambda xg, d: integrate_rhs_reference(xg, d)[1:]),
        ),
    )
)


# ---------------------------------------------------------------------------
# L02.plasticity — Hebbian minus homeostatic (2.5)
# ---------------------------------------------------------------------------
def plasticity_reference(x, o, W1):
    """-dL/dW1 = sum_t [x_t o_t^T - (x_t 1^T) ⊙ sigma(W1)] (SPEC eq. 2.5). x (T, Nx), o (T, No)."""
    return x.T @ o - x.sum(axis=0)[:, None] * expit(W1)


def _pl_case(rng):
    nx = int(rng.integers(2, 4))
    no = int(rng.integers(nx + 2, 8))
    T = int(rng.integers(5, 15))
    return rng.uniform(0.05, 0.95, (T, nx)), rng.integers(0, 2, (T, no)).astype(float), rng.normal(size=(nx, no))


def _pl_shape(ans, rng):
    x, o, W1 = _pl_case(rng)
    out = ans(x, o, W1)
    arr = result_array(out, None, "the weight change")
    if arr.shape == (W1.shape[1], W1.shape[0]):
        return f"shape {arr.shape} is transposed: rows are postsynaptic neurons, so the result is (Nx, No) = {W1.shape}"
    result_array(out, W1.shape, "the weight change")


def _pl_fd(ans, rng):
    x, o, W1 = _pl_case(rng)
    nx = W1.shape[0]
    W0 = rng.normal(size=W1.shape)
    phi1, phi0 = np.zeros(nx), np.zeros(nx)

    def L(W):
        h1 = np.log(1 - expit(W)).sum(axis=1) + phi1
        h0 = np.log(1 - expit(W0)).sum(axis=1) + phi0
        return sum(step_cost_reference(xt, ot, W, W0, h1, h0) for xt, ot in zip(x, o))

    g = np.zeros_like(W1)
    eps = 1e-6
    for idx in np.ndindex(W1.shape):
        Wp, Wm = W1.copy(), W1.copy()
        Wp[idx] += eps
        Wm[idx] -= eps
        g[idx] = (L(Wp) - L(Wm)) / (2 * eps)
    out = result_array(ans(x, o, W1), W1.shape, "the weight change")
    if not np.allclose(out, -g, atol=1e-5):
        if np.allclose(out, g, atol=1e-5):
            return "this is +dL/dW1; plasticity descends the cost, so return minus the gradient"
        if np.allclose(out, x.T @ o, atol=1e-8):
            return ("only the Hebbian term: the threshold h1 depends on W1 (eq. (N4)), and differentiating it gives "
                    "the homeostatic term -(x 1^T) ⊙ sigma(W1)")
        return "differs from -dL/dW1 computed by finite differences with the adaptive thresholds of eq. (N4)"


def _pl_zero_at_closed_form(ans, rng):
    x, o, _ = _pl_case(rng)
    W = logit(np.clip((x.T @ o) / x.sum(axis=0)[:, None], 1e-6, 1 - 1e-6))
    out = result_array(ans(x, o, W), W.shape, "the weight change")
    if np.max(np.abs(out)) > 1e-8:
        return ("at sigma(W1) = sum x o^T / sum x 1^T the change should vanish; the homeostatic term must be the "
                "POSTsynaptic activity sum (x 1^T) times sigma(W1)")


register(
    Exercise(
        id="L02.plasticity",
        title="Hebbian-minus-homeostatic plasticity",
        reference=plasticity_reference,
        properties=(
            Property("returns an (Nx, No) weight change", 1, _pl_shape),
            Property("equals -dL/dW1 with adaptive thresholds (finite differences)", 2, _pl_fd),
            Property("vanishes at the closed-form weights", 1, _pl_zero_at_closed_form),
        ),
        hints=(
            "Two terms: a Hebbian product of post- and presynaptic activity summed over time, minus the summed postsynaptic activity times sigma(W1).",
            "x.T @ o gives sum_t x_t o_t^T; x.sum(axis=0)[:, None] * expit(W1) is the homeostatic term.",
        ),
        wrong_answers=(
            ("Hebbian term only (fixed thresholds)", lambda x, o, W1: x.T @ o),
            ("presynaptic normaliser", lambda x, o, W1: x.T @ o - o.sum(axis=0)[None, :] * expit(W1)),
            ("gradient sign", lambda x, o, W1: -(x.T @ o - x.sum(axis=0)[:, None] * expit(W1))),
            ("transposed", lambda x, o, W1: (x.T @ o - x.sum(axis=0)[:, None] * expit(W1)).T),
        ),
    )
)


# ---------------------------------------------------------------------------
# L02.closed_form — weights from accumulated Hebbian and homeostatic sums
# ---------------------------------------------------------------------------
def closed_form_reference(x, o, lam):
    """W1 = logit((lam/2 + sum x o^T) / (lam + sum x 1^T)) (SPEC §3.3 with A_hat = 1/2)."""
    hebb = 0.5 * lam + x.T @ o
    home = lam + x.sum(axis=0)[:, None] * np.ones((1, o.shape[1]))
    return logit(hebb / home)


def _cf_shape(ans, rng):
    x, o, W1 = _pl_case(rng)
    out = ans(x, o, 2.0)
    arr = result_array(out, None, "W1")
    if arr.shape == (W1.shape[1], W1.shape[0]):
        return f"shape {arr.shape} is transposed: W1 is postsynaptic × presynaptic, (Nx, No) = {W1.shape}"
    result_array(out, W1.shape, "W1")


def _cf_prior_limit(ans, rng):
    x, o, W1 = _pl_case(rng)
    out = result_array(ans(x, o, 1e9), W1.shape, "W1")
    if np.max(np.abs(out)) > 1e-6:
        return "with overwhelming prior counts (lam → ∞) the data should not matter: sigma(W1) = 1/2, i.e. W1 = 0"


def _cf_stationary(ans, rng):
    x, o, W1 = _pl_case(rng)
    lam = float(rng.uniform(0.5, 5))
    W = result_array(ans(x, o, lam), W1.shape, "W1")
    resid = plasticity_reference(x, o, W) + lam * (0.5 - expit(W))
    if np.max(np.abs(resid)) > 1e-8:
        if np.allclose(W, expit(closed_form_reference(x, o, lam)), atol=1e-9):
            return "these look like probabilities sigma(W1); return the weights themselves, i.e. the logit of Hebb/Home"
        return ("the Hebbian-minus-homeostatic rule (plus the prior counts) should vanish at your W1; normalise the "
                "Hebbian sum by the POSTsynaptic sum of each neuron")


register(
    Exercise(
        id="L02.closed_form",
        title="closed-form weights from Hebb and Home",
        reference=closed_form_reference,
        properties=(
            Property("returns W1 of shape (Nx, No)", 1, _cf_shape),
            Property("limit: overwhelming prior counts give W1 = 0", 1, _cf_prior_limit),
            Property("makes plasticity (with prior counts) stationary", 2, _cf_stationary),
        ),
        hints=(
            "Hebb1 = lam/2 + sum_t x_t o_t^T and Home1 = lam + sum_t x_t (one value per postsynaptic neuron, repeated along the inputs); sigma(W1) = Hebb1 / Home1.",
            "hebb = 0.5*lam + x.T @ o; home = lam + x.sum(axis=0)[:, None]; return logit(hebb / home) (scipy.special.logit).",
        ),
        wrong_answers=(
            ("probabilities instead of weights", lambda x, o, lam: (0.5 * lam + x.T @ o) / (lam + x.sum(axis=0)[:, None])),
            ("presynaptic normaliser", lambda x, o, lam: logit(np.clip((0.5 * lam + x.T @ o) / (lam + o.sum(axis=0)[None, :]), 1e-6, 1 - 1e-6))),
            ("prior counts ignored", lambda x, o, lam: logit(np.clip((x.T @ o) / x.sum(axis=0)[:, None], 1e-6, 1 - 1e-6))),
        ),
    )
)


# ---------------------------------------------------------------------------
# L02.step_that_raises_L — find the Euler step size at which one step of the activity equation stops lowering L
# (asks: derive; "find the parameter where Y changes", checked against the truth)
# ---------------------------------------------------------------------------
OVERSHOOT_X_STAR = (0.5, 0.8)
OVERSHOOT_X0 = (0.35, 0.65)
OVERSHOOT_TOLERANCE = 0.02


def overshoot_network():
    """(x0, o, W1, W0, h1, h0): two neurons with fixed point OVERSHOOT_X_STAR (no input), started at OVERSHOOT_X0."""
    xs = np.array(OVERSHOOT_X_STAR)
    Wz = np.zeros((2, 1))
    return np.array(OVERSHOOT_X0), np.zeros(1), Wz, Wz.copy(), logit(xs), np.zeros(2)


def cost_change_after_one_step(dt):
    """L(x1) - L(x0) for one Euler step of size dt of the x-form from x0 (NaN if x1 leaves (0, 1))."""
    from ..cost import total_cost_fixed_thresholds
    from ..neurons import rhs_x

    x0, o, W1, W0, h1, h0 = overshoot_network()
    x1 = x0 + float(dt) * rhs_x(x0, o, W1, W0, h1, h0)
    if np.any(x1 <= 0) or np.any(x1 >= 1):
        return float("nan")
    L = lambda x: total_cost_fixed_thresholds(x[None], o[None], W1, W0, h1, h0)  # noqa: E731
    return float(L(x1) - L(x0))


def _overshoot_threshold():
    lo, hi = 0.01, 0.44  # L falls at lo and rises at hi (both steps stay inside (0, 1))
    for _ in range(60):
        mid = 0.5 * (lo + hi)
        if cost_change_after_one_step(mid) < 0:
            lo = mid
        else:
            hi = mid
    return 0.5 * (lo + hi)


def step_that_raises_L_reference():
    t = _overshoot_threshold()
    return {"dt_threshold": t, "dt_raises": t + 0.03}


def _os_parts(ans):
    value = ans.value
    if not isinstance(value, dict) or not {"dt_threshold", "dt_raises"} <= set(value):
        raise AnswerProblem('answer a dict with the keys "dt_threshold" and "dt_raises"')
    return (float(result_array(value["dt_threshold"], (), "dt_threshold")),
            float(result_array(value["dt_raises"], (), "dt_raises")))


def _os_format(ans, rng):
    a, b = _os_parts(ans)
    if a <= 0 or b <= 0:
        return "step sizes are positive numbers"


def _os_threshold(ans, rng):
    a, _ = _os_parts(ans)
    truth = _overshoot_threshold()
    if abs(a - truth) > OVERSHOOT_TOLERANCE:
        if a < truth:
            return ("your threshold is too small: somewhat larger steps still lower L — a gradient step lowers L until it "
                    "overshoots the bottom of the bowl by about as far as it started from it")
        return "your threshold is too large: some steps below it already raise L; scan the step sizes more finely"


def _os_raises(ans, rng):
    _, b = _os_parts(ans)
    change = cost_change_after_one_step(b)
    if np.isnan(change):
        return "that step throws a rate out of (0, 1), where L is not even defined: find a smaller step that still raises L"
    if change <= 0:
        return "one step of that size still lowers L: the activity equation descends L for small enough steps"


register(
    Exercise(
        id="L02.step_that_raises_L",
        title="the step size at which the activity stops descending L",
        reference=step_that_raises_L_reference,
        kind="value",
        asks="derive",
        properties=(
            Property("two positive step sizes", 1, _os_format),
            Property(f"the threshold step size, within {OVERSHOOT_TOLERANCE:g}", 2, _os_threshold),
            Property("a step that raises L (and keeps the rates in (0, 1))", 2, _os_raises),
        ),
        hints=(
            "The activity equation is a gradient flow on L, so small Euler steps lower L. Compute L before and after one "
            "step for a range of dt (cost_change_after_one_step does it) and find where the sign changes.",
            "dts = np.linspace(0.01, 0.45, 441); changes = [cost_change_after_one_step(dt) for dt in dts]; the threshold is "
            "the first dt whose change is >= 0, and any dt a little above it (before the rates leave (0, 1)) raises L.",
        ),
        wrong_answers=(
            ("the stability limit of the fixed point taken as the threshold", {"dt_threshold": 0.32, "dt_raises": 0.36}),
            ("steps that leave (0, 1) taken as raising L", {"dt_threshold": 0.385, "dt_raises": 0.6}),
            ("a step that is too small to overshoot", {"dt_threshold": 0.385, "dt_raises": 0.2}),
        ),
    )
)


# ---------------------------------------------------------------------------
# L02.descent — what the activity and the plasticity do to L (asks: interpret; choices with explanations)
# ---------------------------------------------------------------------------
DESCENT_CHOICES = {
    "activity": {
        "a": "L decreases at every instant, from any starting point, until the fixed point",
        "b": "L first rises, then falls to its minimum",
        "c": "L can oscillate around its minimum before settling",
    },
    "plasticity": {
        "a": "the plasticity rule (N8) is minus the gradient of the same L, so learning descends L too",
        "b": "the plasticity rule is a separate Hebbian rule with no relation to L",
        "c": "the plasticity rule climbs L, balancing the activity",
    },
}


def descent_reference():
    return {"activity": "a", "plasticity": "a"}


def _de_parts(ans):
    value = ans.value
    if not isinstance(value, dict) or not {"activity", "plasticity"} <= set(value):
        raise AnswerProblem('answer a dict with the keys "activity" and "plasticity", each a letter')
    out = []
    for key in ("activity", "plasticity"):
        v = value[key]
        if not isinstance(v, str) or v.strip().lower() not in DESCENT_CHOICES[key]:
            raise AnswerProblem(f'"{key}" should be one of the letters a, b, c')
        out.append(v.strip().lower())
    return out


def _de_format(ans, rng):
    _de_parts(ans)


def _de_activity(ans, rng):
    if _de_parts(ans)[0] != "a":
        return ("along the activity equation dL/dt = (dL/dx) (dx/dt) and dx/dt is minus a positive multiple of dL/dx, so "
                "dL/dt = -(positive) (dL/dx)^2 <= 0 at every instant: no rise and no oscillation in continuous time")


def _de_plasticity(ans, rng):
    if _de_parts(ans)[1] != "a":
        return ("Exercise 3 computed the plasticity as -dL/dW1 with the adaptive thresholds: the same L is descended by "
                "the synapses, on a slower time scale")


register(
    Exercise(
        id="L02.descent",
        title="what activity and plasticity do to L (choose and explain)",
        reference=descent_reference,
        kind="value",
        asks="interpret",
        properties=(
            Property("a letter for each question", 1, _de_format),
            Property("the activity and L", 1, _de_activity),
            Property("the plasticity and L", 1, _de_plasticity),
        ),
        hints=(
            "Chain rule: dL/dt = (dL/dx) (dx/dt). How is dx/dt related to dL/dx in the activity equation?",
            "In the u-form, du/dt = -dL/dx, and x = sigma(u) moves the same way as u. Exercise 3 is -dL/dW1.",
        ),
        wrong_answers=(
            ("overshoot in continuous time", {"activity": "c", "plasticity": "a"}),
            ("plasticity unrelated to L", {"activity": "a", "plasticity": "b"}),
            ("a balance of activity and plasticity", {"activity": "b", "plasticity": "c"}),
        ),
    )
)

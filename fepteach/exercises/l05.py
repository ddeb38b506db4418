"""Exercises of Lesson 05 (reverse engineering priors, synapses, cost and learning from activity, SPEC §6)."""

from __future__ import annotations

import numpy as np
from scipy.special import expit, logit

from .core import AnswerProblem, Exercise, Property, register, result_array


def _pair(out, shape, what):
    if not isinstance(out, (tuple, list)) or len(out) != 2:
        raise AnswerProblem(f"return a pair {what}")
    names = what.strip("()").split(", ")
    return result_array(out[0], shape, names[0]), result_array(out[1], shape, names[1])


def _thresholds(W1, W0, phi1, phi0):
    return np.log(1 - expit(W1)).sum(axis=1) + phi1, np.log(1 - expit(W0)).sum(axis=1) + phi0


# ---------------------------------------------------------------------------
# L05.implied_prior — eq. (R1)
# ---------------------------------------------------------------------------
def implied_prior_reference(x):
    """phi1 = ln <x>, phi0 = ln(1 - <x>), the mean over time (axis 0). x (T, Nx). Returns (phi1, phi0), each (Nx,)."""
    m = x.mean(axis=0)
    return np.log(m), np.log(1 - m)


def _ip_case(rng):
    T, nx = int(rng.integers(20, 200)), int(rng.integers(2, 5))
    while T == nx:
        T += 1
    return rng.uniform(0.01, 0.99, (T, nx))


def _ip_shape(ans, rng):
    x = _ip_case(rng)
    out = ans(x)
    if isinstance(out, (tuple, list)) and len(out) == 2:
        a = np.asarray(out[0], dtype=float)
        if a.shape == (x.shape[0],):
            return "you averaged over neurons; average over time (axis 0), giving one value per neuron"
    _pair(out, (x.shape[1],), "(phi1, phi0)")


def _ip_normalised(ans, rng):
    x = _ip_case(rng)
    phi1, phi0 = _pair(ans(x), (x.shape[1],), "(phi1, phi0)")
    if not np.allclose(np.exp(phi1) + np.exp(phi0), 1, atol=1e-9):
        return "exp(phi1) + exp(phi0) should be 1: phi1 and phi0 are the log-probabilities of ON and OFF"


def _ip_matches(ans, rng):
    x = _ip_case(rng)
    phi1, phi0 = _pair(ans(x), (x.shape[1],), "(phi1, phi0)")
    r1, r0 = implied_prior_reference(x)
    if not (np.allclose(phi1, r1, atol=1e-9) and np.allclose(phi0, r0, atol=1e-9)):
        if np.allclose(phi1, np.log(x).mean(axis=0), atol=1e-9):
            return "you averaged ln x; eq. (R1) takes the log of the mean activity, ln <x>"
        return "differs from phi1 = ln <x>, phi0 = ln(1 - <x>) with <x> the time average"


def _ip_self_consistent(ans, rng):
    """A network whose inputs come from its own model: <x> estimates the prior (Appendix A.4)."""
    D = rng.uniform(0.2, 0.8)
    A_on = rng.uniform(0.1, 0.9, 4)
    s = rng.random(20000) < D
    o = (rng.random((s.size, 4)) < np.where(s[:, None], A_on, 1 - A_on)).astype(float)
    W1, W0 = logit(A_on)[None], logit(1 - A_on)[None]
    h1, h0 = _thresholds(W1, W0, np.log([D]), np.log([1 - D]))
    x = expit(o @ (W1 - W0).T + h1 - h0)
    phi1, _ = _pair(ans(x), (1,), "(phi1, phi0)")
    if abs(np.exp(phi1[0]) - D) > 0.02:
        return "for a network whose inputs follow its own model, exp(phi1) should recover its prior; check the formula"


register(
    Exercise(
        id="L05.implied_prior",
        title="the implied prior from mean activity",
        reference=implied_prior_reference,
        properties=(
            Property("returns (phi1, phi0), one value per neuron", 1, _ip_shape),
            Property("exp(phi1) + exp(phi0) = 1", 1, _ip_normalised),
            Property("agrees with eq. (R1)", 1, _ip_matches),
            Property("recovers the prior of a self-consistent network", 1, _ip_self_consistent),
        ),
        hints=(
            "Average each neuron's activity over time (axis 0): that is the estimated prior probability D_ON of its cause. Take logs of it and of 1 minus it.",
            "m = x.mean(axis=0); return np.log(m), np.log(1 - m).",
        ),
        wrong_answers=(
            ("mean over neurons", lambda x: (np.log(x.mean(axis=1)), np.log(1 - x.mean(axis=1)))),
            ("mean of logs", lambda x: (np.log(x).mean(axis=0), np.log(1 - x).mean(axis=0))),
            ("phi0 = -phi1", lambda x: (np.log(x.mean(axis=0)), -np.log(x.mean(axis=0)))),
        ),
    )
)


# ---------------------------------------------------------------------------
# L05.weights_from_activity — Hebbian and homeostatic accumulators (SPEC §6.3)
# ---------------------------------------------------------------------------
def weights_from_activity_reference(o, x, lam):
    """W1 = logit((lam/2 + x^T o) / (lam + x^T 1)), W0 likewise with 1 - x. o (T, No), x (T, Nx). Returns (W1, W0), each (Nx, No)."""
    ones = np.ones_like(o)
    W1 = logit((lam / 2 + x.T @ o) / (lam + x.T @ ones))
    W0 = logit((lam / 2 + (1 - x).T @ o) / (lam + (1 - x).T @ ones))
    return W1, W0


def _wa_case(rng):
    nx = int(rng.integers(2, 4))
    no = int(rng.integers(nx + 2, 8))
    T = int(rng.integers(10, 80))
    return rng.integers(0, 2, (T, no)).astype(float), rng.uniform(0.01, 0.99, (T, nx)), float(rng.uniform(1, 20))


def _wa_shape(ans, rng):
    o, x, lam = _wa_case(rng)
    out = ans(o, x, lam)
    if isinstance(out, (tuple, list)) and len(out) == 2 and np.shape(out[0]) == (o.shape[1], x.shape[1]):
        return "W1 is (Nx, No): rows are the postsynaptic neurons — use x.T @ o, not o.T @ x"
    _pair(out, (x.shape[1], o.shape[1]), "(W1, W0)")


def _wa_prior_only(ans, rng):
    o, x, lam = _wa_case(rng)
    out = ans(o[:0], x[:0], lam)
    if isinstance(out, (tuple, list)) and len(out) == 2:
        with np.errstate(all="ignore"):
            raw = [np.asarray(w, dtype=float) for w in out]
        if any(np.any(np.isinf(w)) for w in raw):
            return ("with no data your weights are infinite, i.e. sigma(W) = 1: the Hebbian accumulator must start at "
                    "lam/2, half of the homeostatic one (lam), so that the prior gives sigma(W) = 1/2")
    W1, W0 = _pair(out, (x.shape[1], o.shape[1]), "(W1, W0)")
    if not (np.allclose(W1, 0, atol=1e-12) and np.allclose(W0, 0, atol=1e-12)):
        return "with no data the weights should be logit(1/2) = 0: start Hebb at lam/2 and Home at lam"


def _wa_conditional_frequency(ans, rng):
    o, x, lam = _wa_case(rng)
    W1, W0 = _pair(ans(o, x, lam), (x.shape[1], o.shape[1]), "(W1, W0)")
    r1, r0 = weights_from_activity_reference(o, x, lam)
    if not np.allclose(W1, r1, atol=1e-9):
        return "sigma(W1) should be the x-weighted frequency of each input being ON: (lam/2 + x^T o) / (lam + x^T 1)"
    if not np.allclose(W0, r0, atol=1e-9):
        return "W0 uses the complementary activity 1 - x in both its Hebbian and its homeostatic accumulator"


def _wrong_full_lambda(o, x, lam):
    ones = np.ones_like(o)
    return logit((lam + x.T @ o) / (lam + x.T @ ones)), logit((lam + (1 - x).T @ o) / (lam + (1 - x).T @ ones))


register(
    Exercise(
        id="L05.weights_from_activity",
        title="synaptic weights reconstructed from activity",
        reference=weights_from_activity_reference,
        properties=(
            Property("returns (W1, W0), each (Nx, No)", 1, _wa_shape),
            Property("with no data the weights are logit(1/2) = 0", 1, _wa_prior_only),
            Property("sigma(W) are the activity-weighted input frequencies", 2, _wa_conditional_frequency),
        ),
        hints=(
            "Hebb1 = lam/2 + sum_t x_t o_t^T and Home1 = lam + sum_t x_t 1^T; sigma(W1) = Hebb1 / Home1. For W0 use 1 - x.",
            "ones = np.ones_like(o); W1 = logit((lam/2 + x.T @ o) / (lam + x.T @ ones)); W0 = logit((lam/2 + (1-x).T @ o) / (lam + (1-x).T @ ones)).",
        ),
        wrong_answers=(
            ("W0 with x instead of 1 - x", lambda o, x, lam: (weights_from_activity_reference(o, x, lam)[0],) * 2),
            ("transposed", lambda o, x, lam: tuple(w.T for w in weights_from_activity_reference(o, x, lam))),
            ("lam instead of lam/2 in the Hebbian accumulator", _wrong_full_lambda),
            ("Home counts time steps, not activity", lambda o, x, lam: (
                logit((lam / 2 + x.T @ o) / (lam + o.shape[0])), logit((lam / 2 + (1 - x).T @ o) / (lam + o.shape[0])))),
        ),
    )
)


# ---------------------------------------------------------------------------
# L05.session_cost — the reconstructed cost (SPEC §6.3)
# ---------------------------------------------------------------------------
def session_cost_reference(o, x, W1, W0, h1, h0):
    """sum_t (x; 1-x)^T [ln (x; 1-x) - (W1; W0) o_t - (h1; h0)]. o (T, No), x (T, Nx). Returns a float."""
    on = x * (np.log(x) - o @ W1.T - h1)
    off = (1 - x) * (np.log(1 - x) - o @ W0.T - h0)
    return float(on.sum() + off.sum())


def _sc_case(rng):
    nx = int(rng.integers(2, 4))
    no = int(rng.integers(nx + 2, 8))
    T = int(rng.integers(5, 40))
    W1, W0 = rng.normal(0, 1, (nx, no)), rng.normal(0, 1, (nx, no))
    h1, h0 = _thresholds(W1, W0, np.log(np.full(nx, 0.4)), np.log(np.full(nx, 0.6)))
    o = rng.integers(0, 2, (T, no)).astype(float)
    return o, W1, W0, h1, h0


def _sc_scalar(ans, rng):
    o, W1, W0, h1, h0 = _sc_case(rng)
    x = rng.uniform(0.05, 0.95, (o.shape[0], W1.shape[0]))
    result_array(ans(o, x, W1, W0, h1, h0), (), "the cost")


def _sc_fixed_point(ans, rng):
    o, W1, W0, h1, h0 = _sc_case(rng)
    v1, v0 = o @ W1.T + h1, o @ W0.T + h0
    x = expit(v1 - v0)
    L = float(result_array(ans(o, x, W1, W0, h1, h0), (), "the cost"))
    if not np.isclose(L, -np.logaddexp(v1, v0).sum(), rtol=1e-8):
        return "at the fixed point the cost should equal -sum ln(e^v1 + e^v0); check the entropy terms and both halves"


def _sc_minimum(ans, rng):
    o, W1, W0, h1, h0 = _sc_case(rng)
    x = expit(o @ (W1 - W0).T + h1 - h0)
    L0 = float(result_array(ans(o, x, W1, W0, h1, h0), (), "the cost"))
    Lp = float(result_array(ans(o, np.clip(x + 0.05 * (0.5 - x), 1e-6, 1 - 1e-6), W1, W0, h1, h0), (), "the cost"))
    if not Lp > L0:
        return "moving the activity away from the fixed point should raise the cost (the fixed point minimises L)"


def _sc_matches(ans, rng):
    o, W1, W0, h1, h0 = _sc_case(rng)
    x = rng.uniform(0.05, 0.95, (o.shape[0], W1.shape[0]))
    L = float(result_array(ans(o, x, W1, W0, h1, h0), (), "the cost"))
    if not np.isclose(L, session_cost_reference(o, x, W1, W0, h1, h0), rtol=1e-8):
        return "differs from the cost (N6) summed over the session for arbitrary activity"


register(
    Exercise(
        id="L05.session_cost",
        title="the cost of a session, from data",
        reference=session_cost_reference,
        properties=(
            Property("returns one number", 1, _sc_scalar),
            Property("equals -sum ln(e^v1 + e^v0) at the fixed point", 1, _sc_fixed_point),
            Property("is minimal at the fixed point", 1, _sc_minimum),
            Property("agrees with eq. (N6) for arbitrary activity", 1, _sc_matches),
        ),
        hints=(
            "Two halves: the ON half x (ln x - W1 o - h1) and the OFF half (1 - x)(ln(1 - x) - W0 o - h0), summed over time and neurons.",
            "on = x * (np.log(x) - o @ W1.T - h1); off = (1 - x) * (np.log(1 - x) - o @ W0.T - h0); return float(on.sum() + off.sum()).",
        ),
        wrong_answers=(
            ("ON half only", lambda o, x, W1, W0, h1, h0: float((x * (np.log(x) - o @ W1.T - h1)).sum())),
            ("thresholds with the wrong sign", lambda o, x, W1, W0, h1, h0: session_cost_reference(o, x, W1, W0, -h1, -h0)),
            ("no entropy", lambda o, x, W1, W0, h1, h0: float((-x * (o @ W1.T + h1) - (1 - x) * (o @ W0.T + h0)).sum())),
        ),
    )
)


# ---------------------------------------------------------------------------
# L05.predict_activity — running the estimated network forward (SPEC §6.3 item 3)
# ---------------------------------------------------------------------------
def predict_activity_reference(o, hebb1, home1, hebb0, home0, phi1, phi0):
    """Online: x_t = sigma((W1 - W0) o_t + h1 - h0) with W = logit(Hebb / Home) and adaptive thresholds (1.2);
    then Hebb1 += x o^T, Home1 += x 1^T, Hebb0 += (1-x) o^T, Home0 += (1-x) 1^T.
    o (T, No); accumulators (Nx, No); phi (Nx,). Returns x (T, Nx)."""
    hebb1, home1, hebb0, home0 = (np.array(a, dtype=float) for a in (hebb1, home1, hebb0, home0))
    x = np.empty((o.shape[0], hebb1.shape[0]))
    for t in range(o.shape[0]):
        W1, W0 = logit(hebb1 / home1), logit(hebb0 / home0)
        h1, h0 = _thresholds(W1, W0, phi1, phi0)
        x[t] = expit((W1 - W0) @ o[t] + h1 - h0)
        hebb1 += np.outer(x[t], o[t])
        home1 += x[t][:, None]
        hebb0 += np.outer(1 - x[t], o[t])
        home0 += (1 - x[t])[:, None]
    return x


def _pa_case(rng):
    nx = int(rng.integers(2, 4))
    no = int(rng.integers(nx + 2, 8))
    T = int(rng.integers(5, 30))
    home1, home0 = rng.uniform(5, 20, (nx, no)), rng.uniform(5, 20, (nx, no))
    hebb1, hebb0 = home1 * rng.uniform(0.1, 0.9, (nx, no)), home0 * rng.uniform(0.1, 0.9, (nx, no))
    p = rng.uniform(0.2, 0.8, nx)
    return rng.integers(0, 2, (T, no)).astype(float), hebb1, home1, hebb0, home0, np.log(p), np.log(1 - p)


def _fresh(args):
    return [a.copy() if isinstance(a, np.ndarray) else a for a in args]


def _pa_shape(ans, rng):
    args = _pa_case(rng)
    result_array(ans(*_fresh(args)), (args[0].shape[0], args[1].shape[0]), "x")


def _pa_first_step(ans, rng):
    args = _pa_case(rng)
    x = result_array(ans(*_fresh(args)), (args[0].shape[0], args[1].shape[0]), "x")
    ref = predict_activity_reference(args[0][:1], *args[1:])
    if not np.allclose(x[0], ref[0], atol=1e-9):
        o, hebb1, home1, hebb0, home0, phi1, phi0 = args
        W1, W0 = logit(hebb1 / home1), logit(hebb0 / home0)
        if np.allclose(x[0], expit((W1 - W0) @ o[0] + phi1 - phi0), atol=1e-9):
            return "the thresholds must adapt: h = ln(1 - sigma(W)) 1 + phi (eq. (N4)), not phi alone"
        return "the first step should be the fixed point sigma((W1 - W0) o + h1 - h0) of the initial network"


def _pa_no_mutation(ans, rng):
    args = _pa_case(rng)
    before = [a.copy() for a in args[1:5]]
    ans(*args)
    if not all(np.array_equal(a, b) for a, b in zip(args[1:5], before)):
        return "your function changed the accumulator arrays it was given; work on copies"


def _pa_learns(ans, rng):
    args = _pa_case(rng)
    x = result_array(ans(*_fresh(args)), (args[0].shape[0], args[1].shape[0]), "x")
    if not np.allclose(x, predict_activity_reference(*args), atol=1e-9):
        o, hebb1, home1, hebb0, home0, phi1, phi0 = args
        W1, W0 = logit(hebb1 / home1), logit(hebb0 / home0)
        h1, h0 = _thresholds(W1, W0, phi1, phi0)
        if np.allclose(x, expit(o @ (W1 - W0).T + h1 - h0), atol=1e-9):
            return "the network does not learn: after each step add x o^T to Hebb1 and x to Home1 (and 1 - x for the OFF pair)"
        return "later steps differ: infer with the current weights first, then update the four accumulators with that step's x"


register(
    Exercise(
        id="L05.predict_activity",
        title="predicting activity and learning with the estimated network",
        reference=predict_activity_reference,
        properties=(
            Property("returns x of shape (T, Nx)", 1, _pa_shape),
            Property("first step: fixed point with adaptive thresholds", 1, _pa_first_step),
            Property("does not modify the accumulators it was given", 1, _pa_no_mutation),
            Property("keeps learning online, step after step", 2, _pa_learns),
        ),
        hints=(
            "Loop over t: weights from the current accumulators, thresholds h = ln(1 - sigma(W)).sum(axis=1) + phi, x_t = sigmoid(...), then add this step's Hebbian and homeostatic terms. Copy the accumulators first.",
            "Inside the loop: hebb1 += np.outer(x[t], o[t]); home1 += x[t][:, None]; hebb0 += np.outer(1 - x[t], o[t]); home0 += (1 - x[t])[:, None].",
        ),
        wrong_answers=(
            ("no learning", lambda *args: _variant(*args, learn=True, adaptive=True, frozen=True)),
            ("thresholds fixed at phi", lambda *args: _variant(*args, learn=True, adaptive=False, frozen=False)),
            ("accumulators updated in place", lambda *args: _variant(*args, learn=True, adaptive=True, frozen=False, copy=False)),
        ),
    )
)



def _variant(o, hebb1, home1, hebb0, home0, phi1, phi0, learn, adaptive, frozen, copy=True):
    """Plausible mistakes of L05.predict_activity: frozen weights, non-adaptive thresholds, in-place updates."""
    if copy:
        hebb1, home1, hebb0, home0 = (np.array(a, dtype=float) for a in (hebb1, home1, hebb0, home0))
    x = np.empty((o.shape[0], hebb1.shape[0]))
    for t in range(o.shape[0]):
        W1, W0 = logit(hebb1 / home1), logit(hebb0 / home0)
        h1, h0 = _thresholds(W1, W0, phi1, phi0) if adaptive else (phi1, phi0)
        x[t] = expit((W1 - W0) @ o[t] + h1 - h0)
        if learn and not frozen:
            hebb1 += np.outer(x[t], o[t])
            home1 += x[t][:, None]
            hebb0 += np.outer(1 - x[t], o[t])
            home0 += (1 - x[t])[:, None]
    return x


# ---------------------------------------------------------------------------
# L05.diagnose_network — recover the hidden prior of an unseen network and predict its learning (asks: diagnose)
# ---------------------------------------------------------------------------
DIAGNOSE_SEED = 12
PRIOR_TOLERANCE = 0.03
ACTIVITY_TOLERANCE = 0.004
_MYSTERY: dict = {}


def _mystery():
    """The unseen network (recorded once per process; about a second)."""
    if "net" not in _MYSTERY:
        from .fixtures import mystery_network

        _MYSTERY["net"] = mystery_network(seed=DIAGNOSE_SEED)
    return _MYSTERY["net"]


def diagnose_network_reference():
    """Model answer: the threshold readout of the prior (median over time) and the reverse-engineered network's
    predicted mean activity on the next inputs."""
    from ..reverse import estimate_from_activity, log_prior_odds_from_activity, predict_learning

    m = _mystery()
    p = expit(np.nanmedian(log_prior_odds_from_activity(m.o, m.x, lam=100.0), axis=0))
    state = estimate_from_activity(m.o, m.x, session_length=m.o.shape[0]).state
    x_pred = predict_learning(m.o_next, state, np.log(p), np.log(1 - p)).x
    return {"prior": tuple(float(v) for v in p), "next_mean_activity": tuple(float(v) for v in x_pred.mean(axis=0))}


def _dg_parts(ans):
    value = ans.value
    if not isinstance(value, dict) or not {"prior", "next_mean_activity"} <= set(value):
        raise AnswerProblem('answer a dict with the keys "prior" and "next_mean_activity"')
    return (result_array(value["prior"], (2,), "the prior"),
            result_array(value["next_mean_activity"], (2,), "the predicted mean activity"))


def _dg_format(ans, rng):
    p, m = _dg_parts(ans)
    if np.any(p <= 0) or np.any(p >= 1) or np.any(m < 0) or np.any(m > 1):
        return "priors P(s_j = 1) and mean rates lie between 0 and 1 (one per neuron)"


def _dg_prior(ans, rng):
    p, _ = _dg_parts(ans)
    truth = np.array(_mystery().reveal())
    if np.max(np.abs(p - truth)) > PRIOR_TOLERANCE:
        mean_rate = _mystery().x.mean(axis=0)
        if np.allclose(p, mean_rate, atol=0.01):
            return ("your estimate is the mean activity, eq. (R1): it is pulled toward how often each source was ON in this "
                    "particular recording; the thresholds themselves carry the prior (read phi1 - phi0 from the activity, "
                    "the inputs and the reconstructed weights)")
        if np.allclose(p, 0.5, atol=0.01):
            return "the network's prior is not flat: it is hidden in its firing thresholds — estimate it from the data"
        return f"at least one prior is more than {PRIOR_TOLERANCE:g} away from the network's hidden prior"


def _dg_prediction(ans, rng):
    _, m = _dg_parts(ans)
    actual = _mystery().x_next.mean(axis=0)
    if np.max(np.abs(m - actual)) > ACTIVITY_TOLERANCE:
        return (f"your predicted mean activity on the next inputs is more than {ACTIVITY_TOLERANCE:g} away from what the network "
                "did for at least one neuron: run the reverse-engineered network (its reconstructed synapses, your prior) "
                "forward on o_next, learning as it goes")


register(
    Exercise(
        id="L05.diagnose_network",
        title="diagnose an unseen network: its hidden prior and its future",
        reference=diagnose_network_reference,
        kind="value",
        asks="diagnose",
        properties=(
            Property("a prior and a predicted mean rate per neuron", 1, _dg_format),
            Property(f"the hidden prior, within {PRIOR_TOLERANCE:g}", 2, _dg_prior),
            Property(f"the next period's mean activity, within {ACTIVITY_TOLERANCE:g}", 2, _dg_prediction),
        ),
        hints=(
            "Two readouts of the prior exist: the mean activity (eq. (R1)) and the threshold constants phi1 - phi0 read "
            "from logit(x) minus the synaptic drive. Which one is not pulled toward the data? Lesson 05 compares them.",
            "p = expit(np.nanmedian(reverse.log_prior_odds_from_activity(m.o, m.x), axis=0)); then "
            "reverse.estimate_from_activity(m.o, m.x, session_length=len(m.o)).state and reverse.predict_learning(m.o_next, "
            "state, np.log(p), np.log(1 - p)).x.mean(axis=0).",
        ),
        wrong_answers=(
            ("eq. (R1) mean-activity readout", {"prior": (0.421, 0.729), "next_mean_activity": (0.409, 0.746)}),
            ("a flat prior assumed", {"prior": (0.5, 0.5), "next_mean_activity": (0.415, 0.746)}),
            ("the two neurons swapped", {"prior": (0.768, 0.350), "next_mean_activity": (0.746, 0.402)}),
        ),
    )
)


# ---------------------------------------------------------------------------
# L05.prior_strength — predict what the prior strength lam does to weights read from little data (asks: predict)
# ---------------------------------------------------------------------------
STRENGTH_LAMS = (10.0, 1000.0)
STRENGTH_STEPS = 10


def prior_strength_reference():
    """sigma(W1) of a neuron that was fully active (x = 1) on STRENGTH_STEPS steps with its input always ON,
    reconstructed with each lam in STRENGTH_LAMS."""
    o = np.ones((STRENGTH_STEPS, 1))
    x = np.ones((STRENGTH_STEPS, 1))
    return tuple(float(expit(weights_from_activity_reference(o, x, lam)[0][0, 0])) for lam in STRENGTH_LAMS)


def _pst(ans):
    value = ans.value
    if isinstance(value, (str, bytes, dict)):
        raise AnswerProblem("answer two numbers: sigma(W1) for lam = 10 and for lam = 1000")
    return result_array(value, (2,), "your two predictions")


def _pst_format(ans, rng):
    v = _pst(ans)
    if np.any(v < 0) or np.any(v > 1):
        return "sigma(W1) is a probability, between 0 and 1"


def _pst_weak(ans, rng):
    v, truth = _pst(ans), prior_strength_reference()
    if abs(v[0] - truth[0]) > 0.01:
        if v[0] > 0.99:
            return ("ten observations do not make the synapse certain: the prior pseudo-counts (lam/2 co-activations out "
                    "of lam) are still in the ratio")
        return "sigma(W1) = (lam/2 + co-activations) / (lam + activity): put in the ten steps"


def _pst_strong(ans, rng):
    v, truth = _pst(ans), prior_strength_reference()
    if abs(v[1] - truth[1]) > 0.01:
        return ("with lam = 1000 the prior pseudo-counts outweigh ten observations by far: the synapse hardly moves "
                "from its prior value")


register(
    Exercise(
        id="L05.prior_strength",
        title="how strong is the synaptic prior? (predict, then test)",
        reference=prior_strength_reference,
        kind="value",
        asks="predict",
        properties=(
            Property("two probabilities", 1, _pst_format),
            Property("a weak prior (lam = 10)", 1, _pst_weak),
            Property("a strong prior (lam = 1000)", 1, _pst_strong),
        ),
        hints=(
            "lam is a number of pseudo-observations: the synapse starts as if it had seen lam steps, half of them with the "
            "input ON. Ten real steps are then added.",
            "sigma(W1) = (lam/2 + 10) / (lam + 10).",
        ),
        wrong_answers=(
            ("the prior ignored", (1.0, 1.0)),
            ("the prior not counted in the denominator", (min(1.0, 15 / 10), 1.0)),
            ("lam instead of lam/2 in the numerator", ((10 + 10) / 20, (1000 + 10) / 1010)),
        ),
    )
)

"""Exercises of Lesson 06 (delayed, risk-modulated plasticity of the two-layer network of P2, SPEC §4.6–4.7, §7, §8.8, §8.10)."""

from __future__ import annotations

import numpy as np
from scipy.special import expit, logit, softmax

from .core import AnswerProblem, Exercise, Property, register, result_array


def _scalar(out, what):
    arr = result_array(out, None, what)
    if arr.size != 1:
        raise AnswerProblem(f"{what} should be one number; got an array of shape {arr.shape}")
    return float(arr.reshape(()))


# L06.chunk_risk — the effective rule of P2's simulations (ten net right moves per 200 steps give risk 0)
# ---------------------------------------------------------------------------
def chunk_risk_reference(G):
    """Gamma of one chunk from its per-step risks G (n,): progress Delta = (1 - 2 mean(G)) * 200, the net number of
    right moves per 200 steps; 0.55 if Delta <= 0, 0.45 if 0 < Delta < 10, 0 if Delta >= 10.

    (The papers' code writes the middle interval as Delta <= 10 but evaluates Delta in floating point, where exactly
    ten net right moves come out a hair above 10; the effective rule above is what it does, and any algebraically
    equivalent expression for Delta gives the same risks with it.)"""
    G = np.asarray(G, dtype=float)
    delta = (1.0 - 2.0 * float(np.mean(G))) * 200.0
    if delta <= 0.0:
        return 0.55
    if delta < 10.0:
        return 0.45
    return 0.0


def _full_chunk(net_right, n=200):
    r, l = max(net_right, 0), max(-net_right, 0)
    return np.array([0.0] * r + [1.0] * l + [0.5] * (n - r - l))


def _cr_values(ans, rng):
    for net in (int(rng.integers(-40, 40)), 3, -3):
        G = rng.permutation(_full_chunk(net))
        v = _scalar(ans(G), "the chunk risk")
        if not any(np.isclose(v, x) for x in (0.0, 0.45, 0.55)):
            return "a chunk risk is one of the three values 0.55, 0.45 or 0 (see Lesson 06)"


def _cr_mapping(ans, rng):
    for net, want in ((-10, 0.55), (0, 0.55), (1, 0.45), (9, 0.45), (11, 0.0), (37, 0.0)):
        v = _scalar(ans(rng.permutation(_full_chunk(net))), "the chunk risk")
        if not np.isclose(v, want):
            if net == 0:
                return "a chunk with no net progress (Delta = 0) belongs to the highest risk: the first interval is Delta <= 0"
            return "full chunks are mapped to the wrong risk for some net number of right moves; check the intervals and their values"


def _cr_boundary(ans, rng):
    v = _scalar(ans(rng.permutation(_full_chunk(10))), "the chunk risk")
    if not np.isclose(v, 0.0):
        return "exactly 10 net right moves per 200 steps already count as good progress: the last interval is Delta >= 10"


def _cr_partial(ans, rng):
    G = np.array([0.0, 0.0, 1.0] + [0.5] * 37)  # 40 steps, net +1 -> rescaled Delta = 5
    if not np.isclose(_scalar(ans(G), "the chunk risk"), 0.45):
        return "a partial chunk (fewer than 200 steps) is rescaled to 200 steps: use the mean of G, not its sum"
    G = np.array([0.0, 0.0, 0.0] + [0.5] * 17)  # 20 steps, net +3 -> Delta = 30
    if not np.isclose(_scalar(ans(G), "the chunk risk"), 0.0):
        return "a partial chunk (fewer than 200 steps) is rescaled to 200 steps: use the mean of G, not its sum"


def _wrong_stated_boundary(G):
    G = np.asarray(G, dtype=float)
    delta = 200.0 - 400.0 * float(np.mean(G))  # exactly 10.0 at ten net right moves
    return 0.55 if delta <= 0 else 0.45 if delta <= 10 else 0.0


def _wrong_not_rescaled(G):
    G = np.asarray(G, dtype=float)
    delta = float(np.sum(1.0 - 2.0 * G))
    return 0.55 if delta <= 0 else 0.45 if delta < 10 else 0.0


def _wrong_strict(G):
    G = np.asarray(G, dtype=float)
    delta = (1.0 - 2.0 * float(np.mean(G))) * 200.0
    return 0.55 if delta < 0 else 0.45 if delta < 10 else 0.0


register(
    Exercise(
        id="L06.chunk_risk",
        title="the risk of a 200-step chunk",
        reference=chunk_risk_reference,
        properties=(
            Property("returns one of 0.55, 0.45, 0", 1, _cr_values),
            Property("maps full chunks to the right interval", 1, _cr_mapping),
            Property("10 net right moves give risk 0", 1, _cr_boundary),
            Property("rescales a partial chunk to 200 steps", 1, _cr_partial),
        ),
        hints=(
            "Progress Delta = (1 - 2 * mean(G)) * 200 is the net number of right moves per 200 steps. Then three intervals: "
            "Delta <= 0, 0 < Delta < 10, Delta >= 10 with risks 0.55, 0.45, 0.",
            "delta = (1.0 - 2.0 * np.mean(G)) * 200.0, then if/elif on delta <= 0 and delta < 10.",
        ),
        wrong_answers=(
            ("ten net right moves given risk 0.45 (Delta <= 10)", _wrong_stated_boundary),
            ("not rescaled to 200 steps", _wrong_not_rescaled),
            ("Delta < 0 instead of <= 0", _wrong_strict),
        ),
    )
)


# ---------------------------------------------------------------------------
# L06.policy_update — SPEC eq. (T10), §8.8 (per-chunk floor)
# ---------------------------------------------------------------------------
def policy_update_reference(qci, q, d, gammas, chunk=200):
    """Risk-weighted Hebbian learning of the policy counts, floored at 1 after every chunk.

    qci (2Ns, 2Nd); q (T, 2Ns) stacked previous-state posteriors; d (T, Nd) one-hot decisions paired with them;
    gammas (n_chunks,) with n_chunks = ceil(T / chunk). Chunk i covers rows i*chunk .. (i+1)*chunk - 1.
    qci <- max(1, qci + (1 - 2 Gamma_i) * q_i^T (d_i, 1 - d_i)) for each chunk in order. Returns the new counts."""
    qci = np.array(qci, dtype=float)
    d2 = np.concatenate([d, 1.0 - d], axis=1)
    for i, gam in enumerate(gammas):
        s = slice(i * chunk, (i + 1) * chunk)
        qci = np.maximum(1.0, qci + (1.0 - 2.0 * gam) * (q[s].T @ d2[s]))
    return qci


def _pu_case(rng, base=50.0, T=25, chunk=10):
    ns, nd = int(rng.integers(2, 4)), int(rng.integers(3, 6))
    on = rng.uniform(0.01, 0.99, (T, ns))
    q = np.concatenate([on, 1 - on], axis=1)
    d = np.zeros((T, nd))
    d[np.arange(T), rng.integers(0, nd, T)] = 1.0
    qci = np.full((2 * ns, 2 * nd), base) + rng.uniform(0, 1, (2 * ns, 2 * nd))
    n_chunks = -(-T // chunk)
    return qci, q, d, n_chunks, chunk


def _pu_shape(ans, rng):
    qci, q, d, n, chunk = _pu_case(rng)
    before = qci.copy()
    result_array(ans(qci, q, d, np.zeros(n), chunk), qci.shape, "the new counts")
    if not np.array_equal(qci, before):
        return "your function changed the qci array it was given; work on a copy"


def _pu_hebbian(ans, rng):
    qci, q, d, n, chunk = _pu_case(rng)
    new = result_array(ans(qci.copy(), q, d, np.zeros(n), chunk), qci.shape, "the new counts")
    inc = np.concatenate([q.T @ d, q.T @ (1 - d)], axis=1)
    if not np.allclose(new - qci, inc, atol=1e-9):
        if np.allclose(new[:, : d.shape[1]] - qci[:, : d.shape[1]], inc[:, : d.shape[1]], atol=1e-9):
            return "the ON-decision columns are right but the OFF columns are not: they collect q (1 - d)^T"
        return "with every risk 0 the increment should be the plain Hebbian sum q^T (d, 1 - d) over all steps"


def _pu_modulated(ans, rng):
    qci, q, d, n, chunk = _pu_case(rng)
    new = result_array(ans(qci.copy(), q, d, np.full(n, 0.55), chunk), qci.shape, "the new counts")
    inc = np.concatenate([q.T @ d, q.T @ (1 - d)], axis=1)
    if not np.allclose(new - qci, -0.1 * inc, atol=1e-9):
        return "with every risk 0.55 (and counts far above the floor) the increment should be (1 - 2 * 0.55) times the Hebbian sum"


def _pu_floor(ans, rng):
    qci, q, d, n, chunk = _pu_case(rng, base=1.0)
    gam = np.zeros(n)
    gam[0] = 1.0  # first chunk punished hard, the later ones rewarded
    new = result_array(ans(qci.copy(), q, d, gam, chunk), qci.shape, "the new counts")
    if np.any(new < 1.0 - 1e-12):
        return "counts must never fall below 1: apply max(1, ...) (the floor)"
    if not np.allclose(new, policy_update_reference(qci, q, d, gam, chunk), atol=1e-9):
        if np.allclose(new, _wrong_floor_once(qci, q, d, gam, chunk), atol=1e-9):
            return "the floor max(1, ...) must be applied after every chunk, in order, not once at the end"
        return "wrong counts when a hard-punished chunk (Gamma = 1) hits the floor and rewarded chunks follow; check the factor and the floor"


def _wrong_floor_once(qci, q, d, gammas, chunk=200):
    d2 = np.concatenate([d, 1.0 - d], axis=1)
    total = np.array(qci, dtype=float)
    for i, gam in enumerate(gammas):
        s = slice(i * chunk, (i + 1) * chunk)
        total = total + (1.0 - 2.0 * gam) * (q[s].T @ d2[s])
    return np.maximum(1.0, total)


def _wrong_weight_gamma(qci, q, d, gammas, chunk=200):
    return policy_update_reference(qci, q, d, 0.5 * np.asarray(gammas), chunk)  # weights by 1 - Gamma


def _wrong_no_off(qci, q, d, gammas, chunk=200):
    qci = np.array(qci, dtype=float)
    d2 = np.concatenate([d, np.zeros_like(d)], axis=1)
    for i, gam in enumerate(gammas):
        s = slice(i * chunk, (i + 1) * chunk)
        qci = np.maximum(1.0, qci + (1.0 - 2.0 * gam) * (q[s].T @ d2[s]))
    return qci


register(
    Exercise(
        id="L06.policy_update",
        title="risk-weighted, floored learning of the policy counts",
        reference=policy_update_reference,
        properties=(
            Property("returns counts of the shape of qci without changing qci", 1, _pu_shape),
            Property("risk 0: the plain Hebbian sum", 1, _pu_hebbian),
            Property("risk 0.55: -0.1 times the Hebbian sum", 1, _pu_modulated),
            Property("floor at 1 after every chunk", 2, _pu_floor),
        ),
        hints=(
            "Stack the decisions as (d, 1 - d) (shape (T, 2Nd)). For each chunk i take its rows, form q_i^T @ d2_i, multiply by "
            "1 - 2 Gamma_i, add to the counts and floor at 1 — before moving on to the next chunk.",
            "for i, gam in enumerate(gammas): s = slice(i * chunk, (i + 1) * chunk); qci = np.maximum(1.0, qci + (1 - 2 * gam) * (q[s].T @ d2[s]))",
        ),
        wrong_answers=(
            ("floor applied once at the end", _wrong_floor_once),
            ("weighted by 1 - Gamma instead of 1 - 2 Gamma", _wrong_weight_gamma),
            ("OFF-decision columns not learned", _wrong_no_off),
        ),
    )
)


# ---------------------------------------------------------------------------
# L06.selection_probabilities — SPEC eq. (T13), oracle O18
# ---------------------------------------------------------------------------
def selection_probabilities_reference(y):
    """pi_l = r_l / sum r, r_l = y_l / (1 - y_l + 1e-6). y (Ny,) in [0, 1]. Returns (Ny,)."""
    r = y / (1.0 - y + 1e-6)
    return r / r.sum()


def _sp_normalised(ans, rng):
    y = rng.uniform(0.01, 0.9, int(rng.integers(4, 12)))
    pi = result_array(ans(y), y.shape, "pi")
    if np.any(pi < 0) or not np.isclose(pi.sum(), 1.0, atol=1e-9):
        return "pi is a probability distribution over decisions: non-negative and summing to 1"


def _sp_softmax(ans, rng):
    y = rng.uniform(0.01, 0.9, int(rng.integers(4, 12)))
    pi = result_array(ans(y), y.shape, "pi")
    if not np.allclose(pi, softmax(logit(y)), rtol=1e-4, atol=0):
        if np.allclose(pi, y / y.sum(), rtol=1e-6):
            return "you normalised y itself; (T13) normalises the odds y / (1 - y), which makes it a softmax of the potentials logit(y)"
        if np.allclose(pi, softmax(y), rtol=1e-6):
            return "a softmax of y is not it: the softmax is over the membrane potentials u = logit(y), i.e. of the odds y / (1 - y)"
        return "pi should be (up to the 1e-6 guard) the softmax of the membrane potentials logit(y)"


def _sp_guard(ans, rng):
    y = rng.uniform(0.01, 0.9, 6)
    y[2] = 1.0
    out = ans(y)
    with np.errstate(all="ignore"):
        raw = np.asarray(out, dtype=float) if not isinstance(out, (str, bytes, dict, type(None))) else None
    if raw is not None and raw.shape == y.shape and not np.all(np.isfinite(raw)):
        return ("a saturated neuron (y = 1) makes 1 - y zero, so its odds are infinite: add the guard, "
                "r = y / (1 - y + 1e-6), for a large but finite weight")
    pi = result_array(out, y.shape, "pi (with a neuron at y = 1)")
    if not np.allclose(pi, selection_probabilities_reference(y), rtol=1e-9, atol=1e-15):
        return "include the guard: r = y / (1 - y + 1e-6), so that a saturated neuron (y = 1) gives a large but finite weight"


register(
    Exercise(
        id="L06.selection_probabilities",
        title="decision sampling probabilities (eq. (T13))",
        reference=selection_probabilities_reference,
        properties=(
            Property("a probability distribution", 1, _sp_normalised),
            Property("softmax of the membrane potentials", 1, _sp_softmax),
            Property("the 1e-6 guard at y = 1", 1, _sp_guard),
        ),
        hints=(
            "Turn every output rate into its odds, y / (1 - y), with a tiny 1e-6 added to the denominator; then normalise the odds.",
            "r = y / (1 - y + 1e-6); return r / r.sum()",
        ),
        wrong_answers=(
            ("normalising y itself", lambda y: np.asarray(y) / np.sum(y)),
            ("softmax of y", lambda y: softmax(np.asarray(y, dtype=float))),
            ("no guard", lambda y: (lambda r: r / r.sum())(np.asarray(y) / (1.0 - np.asarray(y)))),
        ),
    )
)


# ---------------------------------------------------------------------------
# L06.policy_synapses — the dictionary of the postdictive policy mapping (SPEC §4.7, Appendix A.5)
# ---------------------------------------------------------------------------
def policy_synapses_reference(qci):
    """(V1, V0), each (Nd, Ns), from stacked policy counts qci (2Ns, 2Nd) (child = previous state, parent = decision):
    sigma(V1)[l, k] = qci[k, l] / (qci[k, l] + qci[Ns + k, l]); V0 likewise with the decision-OFF column Nd + l."""
    Ns, Nd = qci.shape[0] // 2, qci.shape[1] // 2
    on_on, on_off = qci[:Ns, :Nd], qci[:Ns, Nd:]
    off_on, off_off = qci[Ns:, :Nd], qci[Ns:, Nd:]
    return logit(on_on / (on_on + off_on)).T, logit(on_off / (on_off + off_off)).T


def _ps_case(rng):
    Ns = int(rng.integers(2, 5))
    Nd = Ns + int(rng.integers(1, 4))
    return rng.uniform(1.0, 50.0, (2 * Ns, 2 * Nd)), Ns, Nd


def _ps_pair(out, Ns, Nd):
    if not isinstance(out, (tuple, list)) or len(out) != 2:
        raise AnswerProblem("return a pair (V1, V0)")
    if np.shape(out[0]) == (Ns, Nd):
        raise AnswerProblem("V1 has shape (Nd, Ns): decision neurons are postsynaptic (rows), state neurons presynaptic (columns) — transpose")
    return result_array(out[0], (Nd, Ns), "V1"), result_array(out[1], (Nd, Ns), "V0")


def _ps_shape(ans, rng):
    qci, Ns, Nd = _ps_case(rng)
    _ps_pair(ans(qci), Ns, Nd)


def _ps_flat(ans, rng):
    _, Ns, Nd = _ps_case(rng)
    V1, V0 = _ps_pair(ans(np.full((2 * Ns, 2 * Nd), 7.0)), Ns, Nd)
    if not (np.allclose(V1, 0.0, atol=1e-12) and np.allclose(V0, 0.0, atol=1e-12)):
        return "flat counts mean 'no association': every synapse should be logit(1/2) = 0"


def _ps_postdictive(ans, rng):
    qci, Ns, Nd = _ps_case(rng)
    V1, V0 = _ps_pair(ans(qci), Ns, Nd)
    r1, r0 = policy_synapses_reference(qci)
    if np.allclose(V1, r1, atol=1e-9) and np.allclose(V0, r0, atol=1e-9):
        return None
    if np.allclose(V1, r0, atol=1e-9) and np.allclose(V0, r1, atol=1e-9):
        return "V1 and V0 are swapped: V1 belongs to the decision-ON columns (the first Nd), V0 to the decision-OFF columns"
    fwd = logit(qci[:Ns, :Nd] / (qci[:Ns, :Nd] + qci[:Ns, Nd:])).T
    if np.allclose(V1, fwd, atol=1e-9):
        return ("you normalised over the decision; the mapping is postdictive: the child is the previous state, so normalise "
                "over its two values (rows k and Ns + k of the same column)")
    return "sigma(V1)[l, k] should be the probability that state k was ON before decision l: normalise each column over the state's ON and OFF rows"


register(
    Exercise(
        id="L06.policy_synapses",
        title="the output synapses encoded by the policy counts",
        reference=policy_synapses_reference,
        properties=(
            Property("returns (V1, V0), each (Nd, Ns)", 1, _ps_shape),
            Property("flat counts give zero synapses", 1, _ps_flat),
            Property("postdictive: normalised over the previous state", 2, _ps_postdictive),
        ),
        hints=(
            "Cut qci into four blocks (state value x decision value). sigma(V1) is the ON-state block over the sum of the ON- and "
            "OFF-state blocks, in the decision-ON columns; V0 the same in the decision-OFF columns. Take logit and transpose.",
            "on_on, off_on = qci[:Ns, :Nd], qci[Ns:, :Nd]; V1 = logit(on_on / (on_on + off_on)).T (and likewise with the columns Nd:).",
        ),
        wrong_answers=(
            ("not transposed", lambda qci: tuple(v.T for v in policy_synapses_reference(qci))),
            ("normalised over the decision (a forward policy)", lambda qci: (
                lambda Ns, Nd: (logit(qci[:Ns, :Nd] / (qci[:Ns, :Nd] + qci[:Ns, Nd:])).T,
                                logit(qci[Ns:, :Nd] / (qci[Ns:, :Nd] + qci[Ns:, Nd:])).T))(qci.shape[0] // 2, qci.shape[1] // 2)),
            ("V1 and V0 swapped", lambda qci: policy_synapses_reference(qci)[::-1]),
        ),
    )
)


# ---------------------------------------------------------------------------
# L06.output_plasticity — SPEC eq. (T4), oracle O3
# ---------------------------------------------------------------------------
def output_plasticity_reference(y, x_prev, V1, gamma):
    """-dL/dV1 = sum_tau (1 - 2 gamma_tau) [y_tau x_{tau-1}^T - (y_tau 1^T) * sigma(V1)].
    y (T, Ny); x_prev (T, Nx); V1 (Ny, Nx); gamma (T,). Returns (Ny, Nx)."""
    w = (1.0 - 2.0 * np.asarray(gamma, dtype=float))[:, None] * y
    return w.T @ x_prev - w.sum(axis=0)[:, None] * expit(V1)


def _op_case(rng):
    T, ny, nx = int(rng.integers(3, 8)), int(rng.integers(2, 5)), int(rng.integers(2, 5))
    while ny == nx:
        nx += 1
    return rng.uniform(0.05, 0.95, (T, ny)), rng.uniform(0.05, 0.95, (T, nx)), rng.normal(size=(ny, nx)), rng.uniform(0, 1, T)


def _op_shape(ans, rng):
    y, xp, V1, g = _op_case(rng)
    out = ans(y, xp, V1, g)
    if np.shape(out) == (V1.shape[1], V1.shape[0]):
        return "the update has the shape of V1, (Ny, Nx): postsynaptic (decision) rows, presynaptic (state) columns"
    result_array(out, V1.shape, "the update of V1")


def _op_sign(ans, rng):
    y, xp, V1, _ = _op_case(rng)
    T = y.shape[0]
    off = result_array(ans(y, xp, V1, np.full(T, 0.5)), V1.shape, "the update of V1")
    if not np.allclose(off, 0.0, atol=1e-12):
        return "at Gamma = 1/2 plasticity must vanish: the whole update is multiplied by 1 - 2 Gamma"
    a = result_array(ans(y, xp, V1, np.zeros(T)), V1.shape, "the update of V1")
    b = result_array(ans(y, xp, V1, np.ones(T)), V1.shape, "the update of V1")
    if not np.allclose(a, -b, atol=1e-12):
        return "Gamma = 1 should give exactly minus the update of Gamma = 0 (anti-Hebbian)"


def _op_matches(ans, rng):
    y, xp, V1, g = _op_case(rng)
    out = result_array(ans(y, xp, V1, g), V1.shape, "the update of V1")
    if not np.allclose(out, output_plasticity_reference(y, xp, V1, g), atol=1e-10):
        w = (1.0 - 2.0 * g)[:, None] * y
        if np.allclose(out, w.T @ xp, atol=1e-10):
            return "the homeostatic term is missing: subtract (y 1^T) * sigma(V1), which comes from the adaptive threshold m1"
        return "differs from -dL/dV1 of eq. (T4) for step-wise risks; the homeostatic term uses the postsynaptic y and sigma(V1)"


register(
    Exercise(
        id="L06.output_plasticity",
        title="risk-modulated plasticity of the output synapses (eq. (T4))",
        reference=output_plasticity_reference,
        properties=(
            Property("has the shape of V1", 1, _op_shape),
            Property("off at Gamma = 1/2, reversed at Gamma = 1", 1, _op_sign),
            Property("Hebbian minus homeostatic, weighted per step", 2, _op_matches),
        ),
        hints=(
            "Weight each step's output activity by 1 - 2 gamma_tau. The Hebbian part is the sum of weighted y x_prev^T; the "
            "homeostatic part is the sum of weighted y (one number per output neuron) times sigma(V1).",
            "w = (1 - 2 * gamma)[:, None] * y; return w.T @ x_prev - w.sum(axis=0)[:, None] * expit(V1)",
        ),
        wrong_answers=(
            ("no homeostatic term", lambda y, xp, V1, g: ((1.0 - 2.0 * np.asarray(g))[:, None] * y).T @ xp),
            ("weighted by Gamma", lambda y, xp, V1, g: output_plasticity_reference(y, xp, V1, 0.5 - 0.5 * np.asarray(g))),
            ("homeostatic term with the presynaptic x", lambda y, xp, V1, g: (
                ((1.0 - 2.0 * np.asarray(g))[:, None] * y).T @ xp - ((1.0 - 2.0 * np.asarray(g))[:, None] * xp).sum(axis=0)[None, :] * expit(V1))),
        ),
    )
)


# ---------------------------------------------------------------------------
# L06.decision_frequencies — SPEC §8.10
# ---------------------------------------------------------------------------
def decision_frequencies_reference(decisions, t_end, T=20000, Nd=256):
    """e_hat_l = #{t = 3..t_end : d_t = l} / (T - 2). decisions (>= t_end,) ints, indexed t - 1 (decisions[0] is t = 1).
    Returns (Nd,)."""
    d = np.asarray(decisions, dtype=np.int64)[2:t_end]
    return np.bincount(d, minlength=Nd)[:Nd] / (T - 2)


def _df_case(rng):
    Nd = int(rng.integers(5, 12))
    T = int(rng.integers(40, 80))
    t_end = int(rng.integers(10, T))
    dec = rng.integers(0, Nd, T)
    dec[0] = -1
    return dec, t_end, T, Nd


def _df_shape(ans, rng):
    dec, t_end, T, Nd = _df_case(rng)
    result_array(ans(dec, t_end, T, Nd), (Nd,), "e_hat")


def _df_total(ans, rng):
    dec, t_end, T, Nd = _df_case(rng)
    e = result_array(ans(dec, t_end, T, Nd), (Nd,), "e_hat")
    if np.isclose(e.sum(), 1.0) and not np.isclose((t_end - 2) / (T - 2), 1.0):
        return "do not renormalise: the denominator is the fixed T - 2, so a short trial gives estimates summing to less than 1"
    if not np.isclose(e.sum(), (t_end - 2) / (T - 2), atol=1e-12):
        return "the estimates should sum to (t_end - 2) / (T - 2): count the decisions of t = 3 .. t_end (rows 2 .. t_end - 1)"


def _df_matches(ans, rng):
    dec, t_end, T, Nd = _df_case(rng)
    e = result_array(ans(dec, t_end, T, Nd), (Nd,), "e_hat")
    ref = decision_frequencies_reference(dec, t_end, T, Nd)
    if not np.allclose(e, ref, atol=1e-12):
        if e.sum() > 0 and np.allclose(e / e.sum(), ref / ref.sum(), atol=1e-12):
            return "the relative counts are right; only the normalisation differs (divide by the fixed T - 2)"
        return "the counts per decision differ: row t - 1 holds the decision of step t; use rows 2 .. t_end - 1"


register(
    Exercise(
        id="L06.decision_frequencies",
        title="the decision-frequency estimate",
        reference=decision_frequencies_reference,
        properties=(
            Property("returns one value per decision", 1, _df_shape),
            Property("sums to (t_end - 2) / (T - 2)", 1, _df_total),
            Property("counts the decisions of t = 3 .. t_end", 1, _df_matches),
        ),
        hints=(
            "Take the decisions of steps t = 3 .. t_end (array rows t - 1), count how often each index occurs, and divide by the fixed T - 2.",
            "d = np.asarray(decisions)[2:t_end]; return np.bincount(d, minlength=Nd)[:Nd] / (T - 2)",
        ),
        wrong_answers=(
            ("renormalised to sum 1", lambda dec, t_end, T=20000, Nd=256: (lambda c: c / c.sum())(np.bincount(np.asarray(dec)[2:t_end], minlength=Nd)[:Nd])),
            ("includes t = 2", lambda dec, t_end, T=20000, Nd=256: np.bincount(np.maximum(np.asarray(dec)[1:t_end], 0), minlength=Nd)[:Nd] / (T - 2)),
            ("stops at t_end - 1", lambda dec, t_end, T=20000, Nd=256: np.bincount(np.asarray(dec)[2 : t_end - 1], minlength=Nd)[:Nd] / (T - 2)),
        ),
    )
)


# ---------------------------------------------------------------------------
# L06.delayed_modulation — predict what a delayed risk does to the counts of good and bad decisions (asks: predict)
# ---------------------------------------------------------------------------
#: Two chunks of 20 steps of a one-state agent with two decisions (right, left): (right moves, left moves, risk).
MODULATION_CHUNKS = ((15, 5, 0.55), (12, 8, 0.0))
MODULATION_START = 20.0


def modulation_scenario():
    """(qci, q, d, gammas, chunk) of the scenario: the previous state is always ON; qci starts at 20 everywhere."""
    rows, gammas = [], []
    for right, left, gam in MODULATION_CHUNKS:
        rows += [[1.0, 0.0]] * right + [[0.0, 1.0]] * left
        gammas.append(gam)
    d = np.array(rows)
    q = np.tile([1.0, 0.0], (d.shape[0], 1))  # stacked (ON, OFF) posterior of the one state
    qci = np.full((2, 4), MODULATION_START)
    return qci, q, d, np.array(gammas), 20


def delayed_modulation_reference():
    """(2, 2): the change of the counts of (right, left) in the state-ON row made by chunk 1 and by chunk 2."""
    qci, q, d, gammas, chunk = modulation_scenario()
    out = np.zeros((2, 2))
    current = qci
    for i in range(2):
        new = policy_update_reference(current, q[i * chunk:(i + 1) * chunk], d[i * chunk:(i + 1) * chunk], gammas[i:i + 1], chunk)
        out[i] = (new - current)[0, :2]
        current = new
    return out


def _dm_pred(ans):
    value = ans.value
    if isinstance(value, (str, bytes, dict, set)):
        raise AnswerProblem("give a 2 x 2 table of numbers: rows = chunk 1, chunk 2; columns = right, left")
    return result_array(value, (2, 2), "your prediction")


def _dmod_shape(ans, rng):
    _dm_pred(ans)


def _dmod_punished(ans, rng):
    got, want = _dm_pred(ans), delayed_modulation_reference()
    if not np.allclose(got[0], want[0], atol=1e-6):
        if got[0, 0] >= 0 and got[0, 1] < 0:
            return ("the risk of a chunk is delivered after the chunk, to every decision made in it: the right moves of a "
                    "chunk that made no progress are weakened along with the left ones — the network cannot tell which "
                    "move was to blame")
        if np.all(got[0] > 0):
            return "a risk above 1/2 makes the factor 1 - 2 Gamma negative: the co-activity counts of that chunk are subtracted"
        return "chunk 1: each count changes by (1 - 2 Gamma) times the number of times its decision was made in the chunk"


def _dmod_rewarded(ans, rng):
    got, want = _dm_pred(ans), delayed_modulation_reference()
    if not np.allclose(got[1], want[1], atol=1e-6):
        if np.all(got[1] < 0):
            return ("the risk is not carried over to the next chunk: each chunk is judged by its own risk, "
                    "and chunk 2 has risk 0")
        return "chunk 2 has risk 0, so the factor 1 - 2 Gamma is 1: every decision of the chunk adds its co-activity count"


register(
    Exercise(
        id="L06.delayed_modulation",
        title="what a delayed risk does to good and bad decisions (predict, then test)",
        reference=delayed_modulation_reference,
        kind="value",
        asks="predict",
        properties=(
            Property("a 2 x 2 table (chunk x decision)", 1, _dmod_shape),
            Property("the punished chunk (risk 0.55)", 2, _dmod_punished),
            Property("the rewarded chunk (risk 0)", 1, _dmod_rewarded),
        ),
        hints=(
            "The modulation arrives once per chunk, after it, and multiplies the Hebbian co-activity of the whole chunk. "
            "Who was active with the state in chunk 1? All of its decisions, good and bad.",
            "Each count changes by (1 - 2 Gamma) x (number of times its decision was made in the chunk), with the state "
            "always ON; the counts stay far above the floor of 1.",
        ),
        wrong_answers=(
            ("only the bad (left) moves of the punished chunk are weakened", ((0.0, -0.5), (12.0, 8.0))),
            ("factor 1 - Gamma instead of 1 - 2 Gamma", ((6.75, 2.25), (12.0, 8.0))),
            ("each risk applied to the following chunk", ((15.0, 5.0), (-1.2, -0.8))),
            ("a risk of 0.55 read as a reward", ((1.5, 0.5), (12.0, 8.0))),
        ),
    )
)


# ---------------------------------------------------------------------------
# L06.odds_not_rates — predict how much more often a decision is sampled than another (asks: predict)
# ---------------------------------------------------------------------------
ODDS_Y = (0.9, 0.5, 0.1)


def odds_not_rates_reference():
    """How many times more probable decision 0 is than decision 1, and decision 1 than decision 2, under (6.1)."""
    pi = selection_probabilities_reference(np.array(ODDS_Y))
    return (float(pi[0] / pi[1]), float(pi[1] / pi[2]))


def _on_pred(ans):
    value = ans.value
    if isinstance(value, (str, bytes, dict)):
        raise AnswerProblem("answer two numbers: (pi_0 / pi_1, pi_1 / pi_2)")
    return result_array(value, (2,), "your two ratios")


def _on_format(ans, rng):
    r = _on_pred(ans)
    if np.any(r <= 0):
        return "ratios of probabilities are positive numbers"


def _on_first(ans, rng):
    r, truth = _on_pred(ans), odds_not_rates_reference()
    if abs(r[0] - truth[0]) > 0.01 * truth[0]:
        if abs(r[0] - 1.8) < 0.05:
            return ("that is the ratio of the rates; (T13) compares the odds y / (1 - y) — equivalently a softmax of the "
                    "membrane potentials — so a rate near 1 wins by far more than its rate suggests")
        return "compare the odds y / (1 - y) of the two output neurons (the 1e-6 guard changes almost nothing here)"


def _on_second(ans, rng):
    r, truth = _on_pred(ans), odds_not_rates_reference()
    if abs(r[1] - truth[1]) > 0.01 * truth[1]:
        if abs(r[1] - 5.0) < 0.1:
            return "that is the ratio of the rates again; compare the odds, y / (1 - y)"
        return "compare the odds y / (1 - y) of the two output neurons"


register(
    Exercise(
        id="L06.odds_not_rates",
        title="how much more often? (predict from the selection rule)",
        reference=odds_not_rates_reference,
        kind="value",
        asks="predict",
        properties=(
            Property("two positive ratios", 1, _on_format),
            Property("a rate of 0.9 against a rate of 0.5", 1, _on_first),
            Property("a rate of 0.5 against a rate of 0.1", 1, _on_second),
        ),
        hints=(
            "The selection rule normalises r = y / (1 - y + 1e-6), not y. What is r for y = 0.9, 0.5 and 0.1?",
            "pi_0 / pi_1 = r_0 / r_1 = (0.9 / 0.1) / (0.5 / 0.5), up to the tiny guard.",
        ),
        wrong_answers=(
            ("ratios of the rates", (1.8, 5.0)),
            ("exp of the rate differences (a softmax of y itself)", (float(np.exp(0.4)), float(np.exp(0.4)))),
            ("odds inverted", (1 / 9, 1 / 9)),
        ),
    )
)

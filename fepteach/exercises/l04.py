"""Exercises of Lesson 04 (blind source separation by Hebbian plasticity, SPEC §5)."""

from __future__ import annotations

import numpy as np
from scipy.special import expit

from .core import Exercise, Property, register, result_array


def _stack(v):
    return np.concatenate([v, 1.0 - v], axis=-1)


# ---------------------------------------------------------------------------
# L04.single_factor_likelihoods — what a perfect learner of the factorised model converges to
# ---------------------------------------------------------------------------
def single_factor_likelihoods_reference(table):
    """P(o_i = 1 | s_j = b) from the joint table (No, 4) over (1,1), (1,0), (0,1), (0,0), the other source
    marginalised with P = 1/2 (SPEC §5.1). Returns (No, 4) in the order (s1=1, s2=1, s1=0, s2=0)."""
    p11, p10, p01, p00 = table[:, 0], table[:, 1], table[:, 2], table[:, 3]
    return np.stack([(p11 + p10) / 2, (p11 + p01) / 2, (p01 + p00) / 2, (p10 + p00) / 2], axis=1)


def _table(rng, no=None):
    no = no or int(rng.integers(3, 9))
    return rng.uniform(0, 1, (no, 4))


def _sf_shape(ans, rng):
    t = _table(rng)
    result_array(ans(t), (t.shape[0], 4), "the likelihoods")


def _sf_paper(ans, rng):
    t = np.array([[1, 0.75, 0.25, 0], [1, 0.25, 0.75, 0]])
    out = result_array(ans(t), (2, 4), "the likelihoods")
    if not np.allclose(out[0], [7 / 8, 5 / 8, 1 / 8, 3 / 8], atol=1e-12):
        if np.allclose(out[0], [7 / 4, 5 / 4, 1 / 4, 3 / 4], atol=1e-12):
            return "for the paper's first-half input the values exceed 1: average the two joint entries (divide by 2)"
        return ("for the paper's first-half input (1, 3/4, 1/4, 0) you should get 7/8, 5/8, 1/8, 3/8; check which joint "
                "states have s1 = 1 (columns 0 and 1) and which have s2 = 1 (columns 0 and 2)")


def _sf_matches(ans, rng):
    for _ in range(3):
        t = _table(rng)
        out = result_array(ans(t), (t.shape[0], 4), "the likelihoods")
        if not np.allclose(out, single_factor_likelihoods_reference(t), atol=1e-12):
            return "differs from the marginal P(o=1|s_j=b) = average over the other source of the joint table, on random tables"


register(
    Exercise(
        id="L04.single_factor_likelihoods",
        title="single-factor likelihoods: what the synapses should learn",
        reference=single_factor_likelihoods_reference,
        asks="derive",
        properties=(
            Property("returns one row per input, four columns", 1, _sf_shape),
            Property("gives 7/8, 5/8, 1/8, 3/8 for the paper's first-half input", 1, _sf_paper),
            Property("agrees with marginalisation on random tables", 1, _sf_matches),
        ),
        hints=(
            "P(o=1 | s1=1) averages the joint entries with s1 = 1, i.e. (s1, s2) = (1,1) and (1,0), each weighted 1/2.",
            "Columns are (1,1), (1,0), (0,1), (0,0): s1=1 -> (t[:,0]+t[:,1])/2, s2=1 -> (t[:,0]+t[:,2])/2, s1=0 -> (t[:,2]+t[:,3])/2, s2=0 -> (t[:,1]+t[:,3])/2.",
        ),
        wrong_answers=(
            ("sources swapped", lambda t: np.stack([(t[:, 0] + t[:, 2]) / 2, (t[:, 0] + t[:, 1]) / 2, (t[:, 1] + t[:, 3]) / 2, (t[:, 2] + t[:, 3]) / 2], axis=1)),
            ("no division by 2", lambda t: np.stack([t[:, 0] + t[:, 1], t[:, 0] + t[:, 2], t[:, 2] + t[:, 3], t[:, 1] + t[:, 3]], axis=1)),
            ("conditioning on both sources ON", lambda t: np.stack([t[:, 0], t[:, 0], t[:, 3], t[:, 3]], axis=1)),
        ),
    )
)


# ---------------------------------------------------------------------------
# L04.bss_step — one step of inference and Hebbian learning
# ---------------------------------------------------------------------------
def bss_step_reference(qa, o, phi):
    """x = sigma(v_ON - v_OFF), v = (o; 1-o)^T ln Abar + phi; then qa + (o; 1-o)(x; 1-x)^T (SPEC §5.3).

    qa (2No, 2Ns), o (No,), phi (2Ns,). Returns (x (Ns,), qa_new (2No, 2Ns))."""
    no = qa.shape[0] // 2
    tot = qa[:no] + qa[no:]
    lnA = np.log(qa) - np.log(np.concatenate([tot, tot], axis=0))
    v = _stack(o) @ lnA + phi
    ns = v.size // 2
    x = expit(v[:ns] - v[ns:])
    return x, qa + np.outer(_stack(o), _stack(x))


def _step_case(rng):
    ns = int(rng.integers(2, 4))
    no = int(rng.integers(ns + 2, 9))
    qa = rng.uniform(1, 20, (2 * no, 2 * ns))
    o = rng.integers(0, 2, no).astype(float)
    p = rng.uniform(0.2, 0.8, ns)
    return qa, o, np.log(np.concatenate([p, 1 - p]))


def _step_pair(ans, qa, o, phi):
    out = ans(qa.copy(), o, phi)
    if not isinstance(out, (tuple, list)) or len(out) != 2:
        from .core import AnswerProblem

        raise AnswerProblem("return a pair (x, qa_new)")
    ns, shape = qa.shape[1] // 2, qa.shape
    return result_array(out[0], (ns,), "x"), result_array(out[1], shape, "qa_new")


def _step_shape(ans, rng):
    qa, o, phi = _step_case(rng)
    _step_pair(ans, qa, o, phi)


def _step_posterior(ans, rng):
    for _ in range(3):
        qa, o, phi = _step_case(rng)
        x, _ = _step_pair(ans, qa, o, phi)
        ref, _ = bss_step_reference(qa, o, phi)
        if not np.allclose(x, ref, atol=1e-10):
            new_x, _ = bss_step_reference(bss_step_reference(qa, o, phi)[1], o, phi)
            if np.allclose(x, new_x, atol=1e-10):
                return "x was computed with the counts *after* learning; infer first with the current counts, then learn"
            return ("x differs from the posterior sigma(v_ON - v_OFF) with v = (o; 1-o)^T ln(Abar) + phi; "
                    "remember the OFF inputs (1 - o), and divide each count by the total of its ON/OFF pair: rows i and No + i of "
                    "the same column (the two outcomes of input i under the same state)")


def _step_learning(ans, rng):
    qa, o, phi = _step_case(rng)
    x, new = _step_pair(ans, qa, o, phi)
    inc = new - qa
    if not np.allclose(inc, np.outer(_stack(o), _stack(x)), atol=1e-10):
        if np.allclose(new, qa, atol=1e-12):
            return "the counts did not change: learning adds (o; 1-o)(x; 1-x)^T after inference"
        return "the count increment should be the outer product of (o; 1-o) with your (x; 1-x) — Hebbian co-activity"


def _step_no_mutation(ans, rng):
    qa, o, phi = _step_case(rng)
    before = qa.copy()
    ans(qa, o, phi)
    if not np.array_equal(qa, before):
        return "your function changed the qa array it was given (in place); return a new array (qa + increment)"


register(
    Exercise(
        id="L04.bss_step",
        title="one BSS step: inference, then Hebbian learning",
        reference=bss_step_reference,
        properties=(
            Property("returns (x, qa_new) with shapes (Ns,), (2No, 2Ns)", 1, _step_shape),
            Property("x is the posterior of eq. (B3) under the current counts", 2, _step_posterior),
            Property("qa grows by the outer product (o; 1-o)(x; 1-x)^T", 1, _step_learning),
            Property("does not modify its input qa", 1, _step_no_mutation),
        ),
        hints=(
            "Three lines: lnA = ln(qa) - ln(column-pair totals); v = (o; 1-o) @ lnA + phi; x = sigmoid(v[:Ns] - v[Ns:]). Then return x and qa + the outer product.",
            "tot = qa[:No] + qa[No:]; lnA = np.log(qa) - np.log(np.concatenate([tot, tot])); os = np.concatenate([o, 1 - o]); v = os @ lnA + phi; x = expit(v[:Ns] - v[Ns:]); return x, qa + np.outer(os, np.concatenate([x, 1 - x])).",
        ),
        wrong_answers=(
            ("ON inputs only", lambda qa, o, phi: (lambda no, ns: (lambda x: (x, qa + np.outer(_stack(o), _stack(x))))(
                expit((o @ np.log(qa[:no] / (qa[:no] + qa[no:])) + phi)[:ns] - (o @ np.log(qa[:no] / (qa[:no] + qa[no:])) + phi)[ns:])))(
                qa.shape[0] // 2, qa.shape[1] // 2)),
            ("learning before inference", lambda qa, o, phi: (lambda q2: (bss_step_reference(q2, o, phi)[0], q2))(
                bss_step_reference(qa, o, phi)[1])),
            ("in-place update", lambda qa, o, phi: (lambda r: (r[0], np.add(qa, r[1] - qa, out=qa)))(bss_step_reference(qa, o, phi))),
            ("no learning", lambda qa, o, phi: (bss_step_reference(qa, o, phi)[0], qa.copy())),
        ),
    )
)


# ---------------------------------------------------------------------------
# L04.matched_correlation — separation quality
# ---------------------------------------------------------------------------
def matched_correlation_reference(s, x):
    """|corr(s_j, x_j)| over the second half (t >= T // 2). s, x (T, N). Returns (N,)."""
    T = s.shape[0]
    a, b = s[T // 2:], x[T // 2:]
    a = a - a.mean(axis=0)
    b = b - b.mean(axis=0)
    return np.abs((a * b).sum(axis=0) / np.sqrt((a ** 2).sum(axis=0) * (b ** 2).sum(axis=0)))


def _mc_case(rng, T=200):
    s = rng.integers(0, 2, (T, 2)).astype(float)
    x = np.clip(0.5 + (s - 0.5) * rng.uniform(0.2, 0.9, 2) + rng.normal(0, 0.2, (T, 2)), 0, 1)
    return s, x


def _mc_shape(ans, rng):
    s, x = _mc_case(rng)
    result_array(ans(s, x), (2,), "the correlations")


def _mc_sign(ans, rng):
    s, _ = _mc_case(rng)
    out = result_array(ans(s, 1 - s), (2,), "the correlations")
    if not np.allclose(out, 1, atol=1e-9):
        if np.allclose(out, -1, atol=1e-9):
            return "a neuron that reports 'OFF' perfectly separates the source too: take the absolute value"
        return "x = 1 - s should give |corr| = 1 for both neurons"


def _mc_second_half(ans, rng):
    T = 200
    s = rng.integers(0, 2, (T, 2)).astype(float)
    x = s.copy()
    x[: T // 2] = rng.random((T // 2, 2))  # the first half is noise: only the second half counts
    out = result_array(ans(s, x), (2,), "the correlations")
    if not np.allclose(out, 1, atol=1e-9):
        return "only the second half (t >= T // 2, after learning has settled) should enter the correlation"


def _mc_matches(ans, rng):
    s, x = _mc_case(rng, T=int(rng.integers(50, 300)))
    out = result_array(ans(s, x), (2,), "the correlations")
    if not np.allclose(out, matched_correlation_reference(s, x), atol=1e-9):
        return "differs from the Pearson correlation of column j of s with column j of x (per neuron, over time)"


register(
    Exercise(
        id="L04.matched_correlation",
        title="separation quality |corr(s_j, x_j)|",
        reference=matched_correlation_reference,
        properties=(
            Property("one value per neuron", 1, _mc_shape),
            Property("a perfect 'OFF' reporter counts as separated", 1, _mc_sign),
            Property("uses the second half only", 1, _mc_second_half),
            Property("agrees with Pearson's correlation", 1, _mc_matches),
        ),
        hints=(
            "Slice both arrays from T // 2 on, centre each column, and divide the summed product by the product of the column norms.",
            "a = s[T//2:] - s[T//2:].mean(0); b = x[T//2:] - x[T//2:].mean(0); return np.abs((a*b).sum(0) / np.sqrt((a**2).sum(0) * (b**2).sum(0))).",
        ),
        wrong_answers=(
            ("signed", lambda s, x: matched_correlation_reference(s, x) * np.sign(
                ((s[s.shape[0] // 2:] - s[s.shape[0] // 2:].mean(0)) * (x[x.shape[0] // 2:] - x[x.shape[0] // 2:].mean(0))).sum(0))),
            ("whole series", lambda s, x: np.abs(np.array([np.corrcoef(s[:, j], x[:, j])[0, 1] for j in range(s.shape[1])]))),
            ("no centring", lambda s, x: np.abs((s[s.shape[0] // 2:] * x[x.shape[0] // 2:]).sum(0) / np.sqrt(
                (s[s.shape[0] // 2:] ** 2).sum(0) * (x[x.shape[0] // 2:] ** 2).sum(0)))),
        ),
    )
)


# ---------------------------------------------------------------------------
# L04.frozen_cost — the cost landscape's building block
# ---------------------------------------------------------------------------
def frozen_cost_reference(o, lnA, phi):
    """L = sum_t sum_j sum_b s_b (ln s_b - v_b), s = sigma(v_ON - v_OFF), v = (o; 1-o)^T lnA + phi (SPEC §5.4).

    o (T, No), lnA (2No, 2Ns), phi (2Ns,). Returns a float."""
    v = _stack(o) @ lnA + phi
    ns = v.shape[1] // 2
    s_on = expit(v[:, :ns] - v[:, ns:])
    s = np.concatenate([s_on, 1 - s_on], axis=1)
    return float((s * (np.log(s + 1e-24) - v)).sum())


def _fc_case(rng):
    ns = 2
    no = int(rng.integers(3, 8))
    T = int(rng.integers(5, 30))
    qa = rng.uniform(1, 10, (2 * no, 2 * ns))
    tot = qa[:no] + qa[no:]
    lnA = np.log(qa / np.concatenate([tot, tot]))
    p = rng.uniform(0.2, 0.8, ns)
    return rng.integers(0, 2, (T, no)).astype(float), lnA, np.log(np.concatenate([p, 1 - p]))


def _fc_scalar(ans, rng):
    o, lnA, phi = _fc_case(rng)
    result_array(ans(o, lnA, phi), (), "the cost")


def _fc_identity(ans, rng):
    o, lnA, phi = _fc_case(rng)
    L = float(result_array(ans(o, lnA, phi), (), "the cost"))
    v = _stack(o) @ lnA + phi
    F = -np.logaddexp(v[:, :2], v[:, 2:]).sum()
    if not np.isclose(L, F, rtol=1e-8):
        return ("at the fixed point each step's cost equals -sum_j ln(exp(v_ON) + exp(v_OFF)); yours does not — "
                "include the entropy term s ln s and both halves b = ON, OFF")


def _fc_matches(ans, rng):
    for _ in range(2):
        o, lnA, phi = _fc_case(rng)
        L = float(result_array(ans(o, lnA, phi), (), "the cost"))
        if not np.isclose(L, frozen_cost_reference(o, lnA, phi), rtol=1e-8):
            return "differs from sum over t, j, b of s (ln s - v) on random data"


def _fc_saturated(ans, rng):
    o, lnA, phi = _fc_case(rng)
    lnA = lnA * 40.0  # extreme synapses: some posteriors are exactly 0 or 1 in floating point
    L = float(result_array(ans(o, lnA, phi), (), "the cost (for saturated neurons)"))
    if not np.isclose(L, frozen_cost_reference(o, lnA, phi), rtol=1e-8):
        return "differs from the definition when some neurons are certain (s = 0 or 1); use ln(s + 1e-24)"


register(
    Exercise(
        id="L04.frozen_cost",
        title="the cost of a network with frozen synapses",
        reference=frozen_cost_reference,
        properties=(
            Property("returns one number", 1, _fc_scalar),
            Property("equals -sum ln(e^v_ON + e^v_OFF) at the fixed point", 1, _fc_identity),
            Property("agrees with the definition on random data", 1, _fc_matches),
            Property("stays finite when a neuron is certain (s = 0 or 1)", 1, _fc_saturated),
        ),
        hints=(
            "For all steps at once: v = (o; 1-o) @ lnA + phi has shape (T, 2Ns); s_ON = sigmoid(v_ON - v_OFF); stack s = (s_ON, 1 - s_ON) and sum s * (ln s - v).",
            "v = np.concatenate([o, 1 - o], axis=1) @ lnA + phi; s1 = expit(v[:, :2] - v[:, 2:]); s = np.concatenate([s1, 1 - s1], axis=1); return float((s * (np.log(s + 1e-24) - v)).sum()).",
        ),
        wrong_answers=(
            ("no entropy term", lambda o, lnA, phi: (lambda v: float((-np.concatenate([expit(v[:, :2] - v[:, 2:]), 1 - expit(v[:, :2] - v[:, 2:])], 1) * v).sum()))(_stack(o) @ lnA + phi)),
            ("ON half only", lambda o, lnA, phi: (lambda v: float((expit(v[:, :2] - v[:, 2:]) * (np.log(expit(v[:, :2] - v[:, 2:])) - v[:, :2])).sum()))(_stack(o) @ lnA + phi)),
            ("prior left out", lambda o, lnA, phi: frozen_cost_reference(o, lnA, np.zeros_like(phi))),
            ("no guard in the log", lambda o, lnA, phi: (lambda v: (lambda s1: float((np.concatenate([s1, 1 - s1], 1) * (
                np.log(np.concatenate([s1, 1 - s1], 1)) - v)).sum()))(expit(v[:, :2] - v[:, 2:])))(_stack(o) @ lnA + phi)),
        ),
    )
)


# ---------------------------------------------------------------------------
# L04.prior_decides_separation — predict for given implicit priors whether the network separates the sources,
# then run it; and choose the explanation (asks: predict)
# ---------------------------------------------------------------------------
SEPARATION_PRIORS = (0.5, 0.55, 0.85, 0.95)
SEPARATION_T = 3000
SEPARATION_SEED = 1
SEPARATION_GAP = 0.3
SEPARATION_WHY = {
    "a": "the prior pushes both neurons toward ON whatever the inputs, so each responds to both sources and the "
         "learned likelihoods stop telling the sources apart",
    "b": "a biased prior slows learning down, so 3,000 steps are too few to finish separating",
    "c": "a biased prior makes the network's activity noisier, which hides the sources",
}
_SEP: dict = {}


def separation_outcome():
    """(correlations (P, Ns, Nx), separated (P,) bool) of the BSS network for each prior in SEPARATION_PRIORS on one
    fixed data set: separated when the two neurons track different sources, each by a margin > SEPARATION_GAP in |corr|."""
    if "out" not in _SEP:
        from .. import bss

        data = bss.generate_data(SEPARATION_T, np.random.default_rng(SEPARATION_SEED))
        corr = bss.alpha_sweep(data, p_values=list(SEPARATION_PRIORS))
        separated = []
        for ck in np.abs(corr):
            best = ck.argmax(axis=0)
            srt = np.sort(ck, axis=0)
            separated.append(bool(best[0] != best[1] and np.min(srt[-1] - srt[-2]) > SEPARATION_GAP))
        _SEP["out"] = (corr, tuple(separated))
    return _SEP["out"]


def prior_decides_separation_reference():
    return {"separates": separation_outcome()[1], "why": "a"}


def _ps_parts(ans):
    value = ans.value
    if not isinstance(value, dict) or not {"separates", "why"} <= set(value):
        raise AnswerProblem('answer a dict with the keys "separates" (one True/False per prior) and "why" (a letter)')
    sep = value["separates"]
    if isinstance(sep, (str, bytes, dict)) or np.ndim(sep) != 1 or len(sep) != len(SEPARATION_PRIORS):
        raise AnswerProblem(f'"separates" should hold {len(SEPARATION_PRIORS)} booleans, one per prior, in the order given')
    if not all(isinstance(v, (bool, np.bool_)) for v in sep):
        raise AnswerProblem('each entry of "separates" should be True or False')
    return [bool(v) for v in sep], value["why"]


def _psep_format(ans, rng):
    _, why = _ps_parts(ans)
    if not isinstance(why, str) or why.strip().lower() not in SEPARATION_WHY:
        return f'"why" should be one of the letters {", ".join(SEPARATION_WHY)}'


def _psep_unbiased(ans, rng):
    got, truth = _ps_parts(ans)[0], separation_outcome()[1]
    near = [k for k, p in enumerate(SEPARATION_PRIORS) if abs(p - 0.5) < 0.1]
    if any(got[k] != truth[k] for k in near):
        return "with a prior at or near 1/2 (the sources' true prior) the network does separate the two sources"


def _psep_biased(ans, rng):
    got, truth = _ps_parts(ans)[0], separation_outcome()[1]
    far = [k for k, p in enumerate(SEPARATION_PRIORS) if abs(p - 0.5) >= 0.1]
    if any(got[k] != truth[k] for k in far):
        return ("a strongly biased implicit prior spoils separation although nothing else changed: the same data, the "
                "same initial synapses, only the thresholds differ")


def _psep_why(ans, rng):
    why = _ps_parts(ans)[1]
    letter = why.strip().lower() if isinstance(why, str) else ""
    if letter != "a":
        if letter == "b":
            return ("not a matter of time: the biased networks do learn, but what they learn mixes the sources — each "
                    "neuron ends up responding to both (the correlations after the check show it)")
        return ("the activity is not noisier; it is biased: the prior pushes every neuron toward ON whatever the input, "
                "so each neuron ends up responding to both sources")


register(
    Exercise(
        id="L04.prior_decides_separation",
        title="does the implicit prior decide separation? (predict, then run)",
        reference=prior_decides_separation_reference,
        kind="value",
        asks="predict",
        properties=(
            Property("a prediction per prior and a letter", 1, _psep_format),
            Property("priors near 1/2", 1, _psep_unbiased),
            Property("strongly biased priors", 2, _psep_biased),
            Property("the explanation", 1, _psep_why),
        ),
        hints=(
            "The thresholds encode the prior P(s_j = 1) = p. The sources are ON half of the time. What does a network that "
            "believes 'ON almost always' do with an input that says 'source 1, not source 2'?",
            "P1 Fig. 3 (the alpha dependency): separation is good for priors near the true one (1/2) and breaks down as "
            "the prior moves far from it. The reason is a bias, not a lack of time or extra noise.",
        ),
        wrong_answers=(
            ("the prior does not matter", {"separates": (True, True, True, True), "why": "b"}),
            ("any bias spoils separation", {"separates": (True, False, False, False), "why": "a"}),
            ("right prediction, wrong reason (too slow)", {"separates": (True, True, False, False), "why": "b"}),
        ),
    )
)

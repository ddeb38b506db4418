"""Exercises of Lesson 03 (the POMDP, variational free energy and the network↔Bayes dictionary, SPEC §4)."""

from __future__ import annotations

import itertools

import numpy as np
from scipy.special import digamma, expit, logit

from .core import AnswerProblem, Exercise, Property, register, result_array


def _scalar(out, what):
    arr = result_array(out, None, what)
    if arr.size != 1:
        raise AnswerProblem(f"{what} should be a single number; got shape {arr.shape}")
    return float(arr.reshape(-1)[0])


def _one_factor(rng, no=None):
    """p_i = P(o_i = 1 | s = 1), q_i = P(o_i = 1 | s = 0), prior d = P(s = 1), binary o."""
    no = no or int(rng.integers(3, 8))
    p = rng.uniform(0.05, 0.95, no)
    q = rng.uniform(0.05, 0.95, no)
    d = float(rng.uniform(0.1, 0.9))
    o = rng.integers(0, 2, no).astype(float)
    return o, p, q, d


def _enumerate(o, p, q, d):
    """P(s=1|o) and ln P(o) by multiplying the likelihood table entries."""
    lik1 = np.prod(np.where(o == 1, p, 1 - p)) * d
    lik0 = np.prod(np.where(o == 1, q, 1 - q)) * (1 - d)
    return lik1 / (lik1 + lik0), np.log(lik1 + lik0)


# ---------------------------------------------------------------------------
# L03.posterior — Bayes' rule for one hidden factor
# ---------------------------------------------------------------------------
def posterior_reference(o, p, q, d):
    """P(s = 1 | o) for one binary cause with likelihoods p (ON), q (OFF) and prior d (SPEC eq. 3.3)."""
    v1 = np.sum(o * np.log(p) + (1 - o) * np.log(1 - p)) + np.log(d)
    v0 = np.sum(o * np.log(q) + (1 - o) * np.log(1 - q)) + np.log(1 - d)
    return float(expit(v1 - v0))


def _post_range(ans, rng):
    v = _scalar(ans(*_one_factor(rng)), "the posterior")
    if not 0 < v < 1:
        return "a probability must lie between 0 and 1; normalise over the two values of s"


def _post_uninformative(ans, rng):
    o, p, _, d = _one_factor(rng)
    if abs(_scalar(ans(o, p, p, d), "the posterior") - d) > 1e-10:
        return "when the inputs are equally likely under both causes (p = q) they carry no evidence: the posterior must equal the prior d"


def _post_matches(ans, rng):
    for _ in range(4):
        o, p, q, d = _one_factor(rng)
        v = _scalar(ans(o, p, q, d), "the posterior")
        ref, _ = _enumerate(o, p, q, d)
        if abs(v - ref) > 1e-10:
            only_on = expit(np.sum(o * (np.log(p) - np.log(q))) + np.log(d) - np.log(1 - d))
            if abs(v - only_on) < 1e-10:
                return "OFF inputs (o_i = 0) are evidence too: they contribute ln(1 - p_i) and ln(1 - q_i)"
            return "differs from Bayes' rule by enumeration on random models; multiply the likelihoods of all inputs and the prior, then normalise"


register(
    Exercise(
        id="L03.posterior",
        title="the exact posterior of one hidden cause",
        reference=posterior_reference,
        properties=(
            Property("is a probability", 1, _post_range),
            Property("uninformative inputs leave the prior unchanged", 1, _post_uninformative),
            Property("equals the posterior by enumeration", 2, _post_matches),
        ),
        hints=(
            "Compute the log joint for s = 1 and for s = 0: sum over inputs of o ln(lik) + (1-o) ln(1-lik), plus the log prior; the posterior is a sigmoid of their difference.",
            "v1 = np.sum(o*np.log(p) + (1-o)*np.log(1-p)) + np.log(d); v0 likewise with q and 1-d; return expit(v1 - v0).",
        ),
        wrong_answers=(
            ("OFF inputs ignored", lambda o, p, q, d: float(expit(np.sum(o * (np.log(p) - np.log(q))) + np.log(d / (1 - d))))),
            ("prior forgotten", lambda o, p, q, d: posterior_reference(o, p, q, 0.5)),
            ("unnormalised joint", lambda o, p, q, d: float(np.prod(np.where(o == 1, p, 1 - p)) * d)),
        ),
    )
)


# ---------------------------------------------------------------------------
# L03.free_energy — F(q) for one factor
# ---------------------------------------------------------------------------
def free_energy_reference(s, o, p, q, d):
    """F = s ln s + s̄ ln s̄ - s·v1 - s̄·v0 for a belief s = q(s=1) (SPEC eq. 3.2, first sum)."""
    v1 = np.sum(o * np.log(p) + (1 - o) * np.log(1 - p)) + np.log(d)
    v0 = np.sum(o * np.log(q) + (1 - o) * np.log(1 - q)) + np.log(1 - d)
    return float(s * np.log(s) + (1 - s) * np.log(1 - s) - s * v1 - (1 - s) * v0)


def _fe_at_posterior(ans, rng):
    o, p, q, d = _one_factor(rng)
    post, lnP = _enumerate(o, p, q, d)
    F = _scalar(ans(post, o, p, q, d), "F")
    if abs(F + lnP) > 1e-9:
        return "at the exact posterior F should equal the surprise -ln P(o); check the entropy and the prior terms"


def _fe_kl(ans, rng):
    o, p, q, d = _one_factor(rng)
    post, _ = _enumerate(o, p, q, d)
    F0 = _scalar(ans(post, o, p, q, d), "F")
    for s in (0.05, 0.3, 0.7, 0.95):
        F = _scalar(ans(s, o, p, q, d), "F")
        kl = s * np.log(s / post) + (1 - s) * np.log((1 - s) / (1 - post))
        if abs((F - F0) - kl) > 1e-9:
            return "F(s) - F(posterior) should be KL(s || posterior) for every belief s; is the entropy term s ln s + (1-s) ln(1-s) complete?"


def _fe_matches(ans, rng):
    for _ in range(3):
        o, p, q, d = _one_factor(rng)
        s = float(rng.uniform(0.02, 0.98))
        if abs(_scalar(ans(s, o, p, q, d), "F") - free_energy_reference(s, o, p, q, d)) > 1e-9:
            return "differs from eq. (B2) on random beliefs and models"


register(
    Exercise(
        id="L03.free_energy",
        title="the variational free energy F(s)",
        reference=free_energy_reference,
        properties=(
            Property("equals -ln P(o) at the exact posterior", 2, _fe_at_posterior),
            Property("F(s) - F(posterior) = KL divergence", 1, _fe_kl),
            Property("agrees with eq. (B2) on random inputs", 1, _fe_matches),
        ),
        hints=(
            "F = (expected log belief) - (expected log joint): s ln s + (1-s) ln(1-s) - s v1 - (1-s) v0, with v1, v0 the log joints of the previous exercise.",
            "v1 = np.sum(o*np.log(p) + (1-o)*np.log(1-p)) + np.log(d); v0 with q and 1-d; then the line above.",
        ),
        wrong_answers=(
            ("entropy with the wrong sign", lambda s, o, p, q, d: free_energy_reference(s, o, p, q, d) - 2 * (s * np.log(s) + (1 - s) * np.log(1 - s))),
            ("prior forgotten", lambda s, o, p, q, d: free_energy_reference(s, o, p, q, d) + s * np.log(d) + (1 - s) * np.log(1 - d)),
            ("OFF branch missing", lambda s, o, p, q, d: float(s * np.log(s) - s * (np.sum(o * np.log(p) + (1 - o) * np.log(1 - p)) + np.log(d)))),
        ),
    )
)


# ---------------------------------------------------------------------------
# L03.weights_from_A — the dictionary, Bayes -> network
# ---------------------------------------------------------------------------
def weights_from_A_reference(A):
    """W1 = logit(A[:No, :Nx]^T), W0 = logit(A[:No, Nx:]^T) from a stacked (2No, 2Nx) mapping (SPEC §4.5)."""
    No, Nx = A.shape[0] // 2, A.shape[1] // 2
    return logit(A[:No, :Nx].T), logit(A[:No, Nx:].T)


def _stacked_A(rng, no=None, nx=None):
    nx = nx or int(rng.integers(2, 4))
    no = no or int(rng.integers(nx + 2, 8))
    on = rng.uniform(0.05, 0.95, (no, 2 * nx))
    return np.concatenate([on, 1 - on], axis=0), no, nx


def _wA_pair(ans, A, no, nx):
    out = ans(A)
    if not isinstance(out, (tuple, list)) or len(out) != 2:
        raise AnswerProblem("return the two weight matrices as a pair: `return W1, W0`")
    a0 = result_array(out[0], None, "W1")
    if a0.shape == (no, nx):
        raise AnswerProblem(f"W1 has shape {a0.shape}: weights are postsynaptic × presynaptic, (Nx, No) = ({nx}, {no}) — transpose")
    return result_array(out[0], (nx, no), "W1"), result_array(out[1], (nx, no), "W0")


def _wA_shape(ans, rng):
    A, no, nx = _stacked_A(rng)
    _wA_pair(ans, A, no, nx)


def _wA_sigmoid(ans, rng):
    A, no, nx = _stacked_A(rng)
    W1, W0 = _wA_pair(ans, A, no, nx)
    if not np.allclose(expit(W1), A[:no, :nx].T, atol=1e-10):
        if np.allclose(W1, A[:no, :nx].T, atol=1e-10):
            return "these are probabilities; a weight is the logit of the probability, W1 = logit(A_ON,ON^T)"
        if np.allclose(expit(W1), A[no:, :nx].T, atol=1e-10):
            return "you used the OFF-observation rows; W1 encodes P(o = ON | s = ON), the top-left block"
        return "sigma(W1) should be P(o_i = ON | s_j = ON), the top-left block of A, transposed"
    if not np.allclose(expit(W0), A[:no, nx:].T, atol=1e-10):
        return "sigma(W0) should be P(o_i = ON | s_j = OFF), the top-right block of A, transposed"


def _wA_posterior(ans, rng):
    A, no, nx = _stacked_A(rng)
    W1, W0 = _wA_pair(ans, A, no, nx)
    d = rng.uniform(0.2, 0.8, nx)
    h1 = np.log(1 - expit(W1)).sum(axis=1) + np.log(d)
    h0 = np.log(1 - expit(W0)).sum(axis=1) + np.log(1 - d)
    lnA = np.log(A)
    for o in itertools.islice(itertools.product([0.0, 1.0], repeat=no), 16):
        o = np.array(o)
        x = expit((W1 - W0) @ o + h1 - h0)
        v = np.concatenate([o, 1 - o]) @ lnA + np.log(np.concatenate([d, 1 - d]))
        if not np.allclose(x, expit(v[:nx] - v[nx:]), atol=1e-9):
            return "with your weights (and the thresholds of eq. (N4)) the network's fixed point is not the Bayesian posterior (B3)"


register(
    Exercise(
        id="L03.weights_from_A",
        title="the dictionary: synaptic weights from the likelihood",
        reference=weights_from_A_reference,
        properties=(
            Property("returns (W1, W0), each (Nx, No)", 1, _wA_shape),
            Property("sigma(W) are the ON-observation likelihoods", 1, _wA_sigmoid),
            Property("network fixed point = Bayesian posterior", 2, _wA_posterior),
        ),
        hints=(
            "In the stacked layout A[a*No + i, b*Nx + j] = P(o_i = a | s_j = b). W1 needs b = ON, W0 needs b = OFF, both with a = ON; then transpose (post × pre) and take the logit.",
            "W1 = logit(A[:No, :Nx].T); W0 = logit(A[:No, Nx:].T) with No, Nx = A.shape[0] // 2, A.shape[1] // 2.",
        ),
        wrong_answers=(
            ("no transpose", lambda A: (logit(A[: A.shape[0] // 2, : A.shape[1] // 2]), logit(A[: A.shape[0] // 2, A.shape[1] // 2:]))),
            ("probabilities, no logit", lambda A: (A[: A.shape[0] // 2, : A.shape[1] // 2].T, A[: A.shape[0] // 2, A.shape[1] // 2:].T)),
            ("OFF-observation rows", lambda A: (logit(A[A.shape[0] // 2:, : A.shape[1] // 2].T), logit(A[A.shape[0] // 2:, A.shape[1] // 2:].T))),
        ),
    )
)


# ---------------------------------------------------------------------------
# L03.expected_log_A — the exact Dirichlet expectation (sim_type = 1)
# ---------------------------------------------------------------------------
def expected_log_A_reference(qa):
    """E[ln A] = psi(a) - psi(a_ON + a_OFF) per (child, parent) column pair, stacked (2Nc, 2Np) (SPEC §4.4)."""
    nc = qa.shape[0] // 2
    tot = qa[:nc] + qa[nc:]
    return digamma(qa) - digamma(np.concatenate([tot, tot], axis=0))


def _counts(rng):
    nc = int(rng.integers(2, 5))
    npar = int(rng.integers(nc + 1, 6))
    return rng.uniform(0.5, 30, (2 * nc, 2 * npar))


def _el_shape(ans, rng):
    qa = _counts(rng)
    result_array(ans(qa), qa.shape, "E[ln A]")


def _el_jensen(ans, rng):
    qa = _counts(rng)
    e = result_array(ans(qa), qa.shape, "E[ln A]")
    nc = qa.shape[0] // 2
    tot = np.concatenate([qa[:nc] + qa[nc:]] * 2, axis=0)
    lnmean = np.log(qa / tot)
    if np.allclose(e, lnmean, atol=1e-12):
        return "this is ln of the mean (the network's choice, sim_type = 2); the exact expectation uses the digamma function"
    if not (np.all(e < lnmean) and np.all(e > lnmean - 1.0 / qa)):
        return ("E[ln A] must lie below ln(mean A) (Jensen) and within 1/a of it; normalise over the CHILD value — "
                "the ON and OFF rows of the same child and parent")


def _el_matches(ans, rng):
    for _ in range(3):
        qa = _counts(rng)
        e = result_array(ans(qa), qa.shape, "E[ln A]")
        if not np.allclose(e, expected_log_A_reference(qa), atol=1e-10):
            return "differs from psi(a) - psi(a_ON + a_OFF) on random counts"


register(
    Exercise(
        id="L03.expected_log_A",
        title="the exact expectation of ln A under a Dirichlet posterior",
        reference=expected_log_A_reference,
        properties=(
            Property("same shape as the counts", 1, _el_shape),
            Property("below ln of the mean, by less than 1/a", 2, _el_jensen),
            Property("agrees with the digamma formula", 1, _el_matches),
        ),
        hints=(
            "For each child i and parent column, the two counts a_ON (row i) and a_OFF (row Nc + i) form one Dirichlet; E[ln A_a] = psi(a_a) - psi(a_ON + a_OFF).",
            "tot = qa[:Nc] + qa[Nc:]; return digamma(qa) - digamma(np.concatenate([tot, tot], axis=0)).",
        ),
        wrong_answers=(
            ("ln of the mean", lambda qa: np.log(qa / np.concatenate([qa[: qa.shape[0] // 2] + qa[qa.shape[0] // 2:]] * 2, axis=0))),
            ("normalised over parents", lambda qa: digamma(qa) - digamma(np.concatenate([qa[:, : qa.shape[1] // 2] + qa[:, qa.shape[1] // 2:]] * 2, axis=1))),
            ("digamma of the mean", lambda qa: digamma(qa / np.concatenate([qa[: qa.shape[0] // 2] + qa[qa.shape[0] // 2:]] * 2, axis=0))),
        ),
    )
)


# ---------------------------------------------------------------------------
# L03.dirichlet_update — learning = accumulating counts
# ---------------------------------------------------------------------------
def dirichlet_update_reference(qa, o, s):
    """qa + (o; 1-o)(s; 1-s)^T (SPEC §4.4). qa (2No, 2Ns), o (No,), s (Ns,)."""
    return qa + np.outer(np.concatenate([o, 1 - o]), np.concatenate([s, 1 - s]))


def _du_case(rng):
    ns = int(rng.integers(2, 4))
    no = int(rng.integers(ns + 2, 7))
    return rng.uniform(1, 5, (2 * no, 2 * ns)), rng.integers(0, 2, no).astype(float), rng.uniform(0.05, 0.95, ns)


def _du_shape(ans, rng):
    qa, o, s = _du_case(rng)
    out = result_array(ans(qa, o, s), None, "the new counts")
    if out.shape == qa.shape[::-1]:
        return "transposed: rows are observations (child), columns are states (parent) — use outer(o-stack, s-stack)"
    result_array(out, qa.shape, "the new counts")


def _du_total(ans, rng):
    qa, o, s = _du_case(rng)
    new = result_array(ans(qa, o, s), qa.shape, "the new counts")
    no, ns = o.size, s.size
    if not np.isclose(new.sum() - qa.sum(), no * ns):
        return ("each (input, state) pair should gain exactly one count in total, spread over its four (ON/OFF × ON/OFF) "
                "entries; use both halves (o; 1-o) and (s; 1-s)")


def _du_posterior_mean(ans, rng):
    qa, o, s = _du_case(rng)
    new = result_array(ans(qa, o, s), qa.shape, "the new counts")
    if not np.allclose(new, dirichlet_update_reference(qa, o, s), atol=1e-12):
        return "the increment should be the outer product of (o; 1-o) with (s; 1-s) (Hebbian co-activity of input and state)"


register(
    Exercise(
        id="L03.dirichlet_update",
        title="Dirichlet learning as Hebbian accumulation",
        reference=dirichlet_update_reference,
        properties=(
            Property("keeps the stacked (2No, 2Ns) layout", 1, _du_shape),
            Property("adds one count per (input, state) pair", 1, _du_total),
            Property("adds the outer product (o; 1-o)(s; 1-s)^T", 2, _du_posterior_mean),
        ),
        hints=(
            "Stack both halves: os = (o, 1 - o) of length 2No and ss = (s, 1 - s) of length 2Ns; the increment is their outer product.",
            "return qa + np.outer(np.concatenate([o, 1 - o]), np.concatenate([s, 1 - s])).",
        ),
        wrong_answers=(
            ("ON halves only", lambda qa, o, s: qa + np.pad(np.outer(o, s), ((0, o.size), (0, s.size)))),
            ("transposed", lambda qa, o, s: (qa + np.outer(np.concatenate([o, 1 - o]), np.concatenate([s, 1 - s]))).T),
            ("state ON half only", lambda qa, o, s: qa + np.pad(np.outer(np.concatenate([o, 1 - o]), s), ((0, 0), (0, s.size)))),
        ),
    )
)


# ---------------------------------------------------------------------------
# L03.cost_equals_free_energy — match L's terms to F's terms and show they agree on a network of your choice
# (asks: derive). The answer is plain data: a dict with "matching", "network" and "totals".
# ---------------------------------------------------------------------------
COST_TERMS = ("entropy", "synaptic", "threshold")
FREE_ENERGY_TERMS = ("entropy", "likelihood_on", "likelihood_off_prior")
_TRUE_MATCH = dict(zip(COST_TERMS, FREE_ENERGY_TERMS))
_NET_KEYS = ("x", "o", "W1", "W0", "phi1", "phi0")


def _lf_totals(net):
    """((L part, F part) for each cost term, in COST_TERMS order) on a network given as a dict of arrays."""
    from ..correspondence import SingleLayerNetwork, network_to_bayes
    from ..cost import cost_terms
    from ..pomdp import free_energy_terms

    n = SingleLayerNetwork(**{k: np.asarray(net[k], dtype=float) for k in _NET_KEYS if k != "o"})
    h1, h0 = n.thresholds()
    L = cost_terms(n.x, net["o"], n.W1, n.W0, h1, h0)
    b = network_to_bayes(n)
    F = free_energy_terms(b.s_stacked[:, : n.x.shape[1]], net["o"], np.log(b.A), np.log(b.D))
    return np.array([[float(getattr(L, c).sum()), float(F[f].sum())] for c, f in _TRUE_MATCH.items()])


def _model_network():
    rng = np.random.default_rng(7)
    nx, no, T = 2, 4, 6
    return {"x": rng.uniform(0.1, 0.9, (T, nx)), "o": rng.integers(0, 2, (T, no)).astype(float),
            "W1": rng.normal(0, 1, (nx, no)), "W0": rng.normal(0, 1, (nx, no)),
            "phi1": np.log(np.full(nx, 0.3)), "phi0": np.log(np.full(nx, 0.7))}


def cost_equals_free_energy_reference():
    """The model answer: the term-by-term matching, a small network, and the totals of the matched pairs."""
    net = _model_network()
    return {"matching": dict(_TRUE_MATCH), "network": net, "totals": _lf_totals(net)}


def _lf_parts(ans):
    value = ans.value
    if not isinstance(value, dict) or not {"matching", "network", "totals"} <= set(value):
        raise AnswerProblem('answer a dict with the keys "matching", "network" and "totals"')
    return value["matching"], value["network"], value["totals"]


def _lf_network(net):
    if not isinstance(net, dict) or not set(_NET_KEYS) <= set(net):
        raise AnswerProblem(f"the network should be a dict with the arrays {', '.join(_NET_KEYS)}")
    arr = {k: np.asarray(net[k], dtype=float) for k in _NET_KEYS}
    if arr["W1"].ndim != 2 or arr["W1"].shape != arr["W0"].shape:
        raise AnswerProblem("W1 and W0 should be two arrays of the same shape (Nx, No)")
    nx, no = arr["W1"].shape
    if arr["x"].ndim != 2 or arr["x"].shape[1] != nx or arr["o"].shape != (arr["x"].shape[0], no):
        raise AnswerProblem("x should be (T, Nx) and o (T, No), with the Nx and No of the weights")
    if arr["phi1"].shape != (nx,) or arr["phi0"].shape != (nx,):
        raise AnswerProblem("phi1 and phi0 should have one entry per neuron, shape (Nx,)")
    if np.any(arr["x"] <= 0) or np.any(arr["x"] >= 1) or not np.all(np.isin(arr["o"], (0.0, 1.0))):
        raise AnswerProblem("rates x must lie strictly inside (0, 1) and inputs o must be 0 or 1")
    if not all(np.all(np.isfinite(a)) for a in arr.values()):
        raise AnswerProblem("the network contains NaN or infinite values")
    return arr


def _lf_valid(ans, rng):
    _, net, _ = _lf_parts(ans)
    arr = _lf_network(net)
    nx, no = arr["W1"].shape
    if nx < 2 or no < 2 or arr["x"].shape[0] < 2:
        return "choose a network with at least 2 neurons, 2 inputs and 2 time steps, so that the check means something"
    if np.allclose(arr["W1"], arr["W0"]) or np.allclose(arr["W1"], 0):
        return "choose weights W1 != W0 (not all zero), so that every term of L is exercised"
    if np.allclose(arr["phi1"], arr["phi0"]):
        return "choose phi1 != phi0 (a non-flat prior), so that the prior term is exercised"


def _lf_matching(ans, rng):
    matching, _, _ = _lf_parts(ans)
    if not isinstance(matching, dict) or set(matching) != set(COST_TERMS):
        return f"the matching should map each cost term {', '.join(COST_TERMS)} to one free-energy term"
    if any(v not in FREE_ENERGY_TERMS for v in matching.values()):
        return f"match each cost term to one of the free-energy terms {', '.join(FREE_ENERGY_TERMS)}"
    if matching == _TRUE_MATCH:
        return None
    if matching.get("synaptic") == "likelihood_off_prior" and matching.get("threshold") == "likelihood_on":
        return ("the synaptic part of L, -(x W1 o + (1 - x) W0 o), is the part that carries the inputs o, so it matches the "
                "free-energy term that carries o; the thresholds carry no o: they hold the OFF-row log-likelihoods and "
                "the log prior")
    return ("each term of L has exactly one partner in F: the negative entropy of the activity is the negative "
            "entropy of the posterior, the term with o is the term with o, and what is left is what is left")


def _lf_totals_check(ans, rng):
    matching, net, totals = _lf_parts(ans)
    truth = _lf_totals(_lf_network(net))
    got = result_array(totals, (3, 2), "the totals")
    if not np.allclose(got[:, 0], truth[:, 0], rtol=1e-6, atol=1e-8):
        return ("the L column should hold the sums (over time and neurons) of the entropy, synaptic and threshold parts "
                "of the cost on your network, with the adaptive thresholds h = ln(1 - sigma(W)) 1 + phi")
    return None


def _lf_agree(ans, rng):
    matching, net, totals = _lf_parts(ans)
    truth = _lf_totals(_lf_network(net))
    got = result_array(totals, (3, 2), "the totals")
    if not np.allclose(got[:, 1], truth[:, 1], rtol=1e-6, atol=1e-8):
        return ("the F column should hold, for each cost term, the sum of its partner term of F on the Bayesian "
                "translation of your network (A from sigma(W), D = exp(phi), s = (x; 1 - x))")
    if not np.allclose(got[:, 0], got[:, 1], rtol=1e-6, atol=1e-8):
        return "your L and F columns differ: matched terms agree exactly under the dictionary; check your matching"


def _lf_wrong_swapped():
    ans = cost_equals_free_energy_reference()
    ans["matching"] = {"entropy": "entropy", "synaptic": "likelihood_off_prior", "threshold": "likelihood_on"}
    return ans


def _lf_wrong_fixed_h():
    ans = cost_equals_free_energy_reference()
    net = ans["network"]
    from ..cost import cost_terms

    L = cost_terms(net["x"], net["o"], net["W1"], net["W0"], net["phi1"], net["phi0"])  # phi used as h
    ans["totals"] = ans["totals"].copy()
    ans["totals"][:, 0] = [L.entropy.sum(), L.synaptic.sum(), L.threshold.sum()]
    return ans


def _lf_wrong_trivial():
    ans = cost_equals_free_energy_reference()
    net = dict(ans["network"])
    net["W0"] = net["W1"].copy()
    net["phi0"] = net["phi1"].copy()
    return {"matching": dict(_TRUE_MATCH), "network": net, "totals": _lf_totals(net)}


register(
    Exercise(
        id="L03.cost_equals_free_energy",
        title="L = F, term by term, on a network of your choice",
        reference=cost_equals_free_energy_reference,
        kind="value",
        asks="derive",
        properties=(
            Property("a valid, non-trivial network of your choice", 1, _lf_valid),
            Property("each cost term matched to its free-energy term", 2, _lf_matching),
            Property("the L totals are those of your network", 1, _lf_totals_check),
            Property("the matched F totals agree with them", 1, _lf_agree),
        ),
        hints=(
            "Write both per-step costs as a sum over neurons of (x; 1 - x) times something. In L the something is "
            "ln(x; 1-x) - W o - h; in F it is ln s - ln A^T o - ln D. Which pieces carry o?",
            "cost_terms(x, o, W1, W0, h1, h0) gives L's three parts; network_to_bayes(SingleLayerNetwork(...)) gives s, A, D "
            "and free_energy_terms(s_ON, o, np.log(A), np.log(D)) gives F's three parts. Sum each over everything.",
        ),
        wrong_answers=(
            ("synaptic and threshold parts swapped", _lf_wrong_swapped()),
            ("L computed with phi in place of the adaptive thresholds h", _lf_wrong_fixed_h()),
            ("a degenerate network (W1 = W0, flat prior)", _lf_wrong_trivial()),
        ),
    )
)


# ---------------------------------------------------------------------------
# L03.free_energy_bound — predict how F compares with the surprise -ln P(o) (asks: predict)
# ---------------------------------------------------------------------------
BOUND_CHOICES = ("smaller", "equal", "larger")


def free_energy_bound_reference():
    return {"at_posterior": "equal", "other_belief": "larger"}


def _fb_parts(ans):
    value = ans.value
    if not isinstance(value, dict) or not {"at_posterior", "other_belief"} <= set(value):
        raise AnswerProblem('answer a dict with the keys "at_posterior" and "other_belief"')
    out = []
    for key in ("at_posterior", "other_belief"):
        v = value[key]
        if not isinstance(v, str) or v.strip().lower() not in BOUND_CHOICES:
            raise AnswerProblem(f'each answer is one of the words {", ".join(BOUND_CHOICES)}')
        out.append(v.strip().lower())
    return out


def _fb_format(ans, rng):
    _fb_parts(ans)


def _fb_posterior(ans, rng):
    if _fb_parts(ans)[0] != "equal":
        return ("F = -ln P(o) + KL(q(s) || P(s | o)), and the KL divergence vanishes exactly when the belief is the "
                "posterior: there F reaches the surprise")


def _fb_other(ans, rng):
    if _fb_parts(ans)[1] != "larger":
        return ("F is an upper bound on the surprise: any other belief adds a positive KL divergence to -ln P(o), so "
                "minimising F over beliefs is inference")


register(
    Exercise(
        id="L03.free_energy_bound",
        title="F against the surprise -ln P(o) (predict, then test)",
        reference=free_energy_bound_reference,
        kind="value",
        asks="predict",
        properties=(
            Property("two answers among smaller / equal / larger", 1, _fb_format),
            Property("at the exact posterior", 1, _fb_posterior),
            Property("at any other belief", 1, _fb_other),
        ),
        hints=(
            "Write F(s) = sum_s q(s) [ln q(s) - ln P(o, s)] and use P(o, s) = P(s | o) P(o).",
            "F = -ln P(o) + KL(q || P(s | o)); a KL divergence is >= 0 and zero only when the two distributions agree.",
        ),
        wrong_answers=(
            ("F taken for a lower bound", {"at_posterior": "equal", "other_belief": "smaller"}),
            ("F never reaches the surprise", {"at_posterior": "larger", "other_belief": "larger"}),
            ("F always equals the surprise", {"at_posterior": "equal", "other_belief": "equal"}),
        ),
    )
)

"""Tests of fepteach.pomdp: SPEC oracles O9–O14, O18 and the Dirichlet expectations (SPEC §4)."""

from __future__ import annotations

import itertools

import numpy as np
import pytest
from scipy.special import digamma, logit, softmax

from fepteach import pomdp
from fepteach.correspondence import weights_from_mapping
from fepteach.cost import HebbHome
from fepteach.neurons import adaptive_thresholds, fixed_point


def _one_factor(rng, No=8):
    A = pomdp.random_likelihood(No, 1, rng)
    d = rng.uniform(0.1, 0.9)
    D = np.array([d, 1 - d])
    return A, D


def _all_observations(No):
    return np.array(list(itertools.product([0.0, 1.0], repeat=No)))


def _network_from(A, D):
    W1, W0 = weights_from_mapping(A)
    h1, h0 = adaptive_thresholds(W1, W0, np.log(D[:1]), np.log(D[1:]))
    return W1, W0, h1, h0


# ---------------------------------------------------------------------------
# O9–O11
# ---------------------------------------------------------------------------


def test_O9_network_fixed_point_is_exact_posterior():
    rng = np.random.default_rng(20)
    A, D = _one_factor(rng, No=8)
    W1, W0, h1, h0 = _network_from(A, D)
    obs = _all_observations(8)  # all 256 observation patterns
    x = np.array([fixed_point(o, W1, W0, h1, h0)[0] for o in obs])
    exact = pomdp.exact_posterior(obs, A, D)
    assert np.abs(x - exact).max() <= 1e-10
    # the Bayesian update (3.3) gives the same
    s = pomdp.posterior_states(obs, np.log(A), np.log(D))[:, 0]
    assert np.abs(s - exact).max() <= 1e-10


def test_O10_free_energy_is_surprise_plus_kl():
    rng = np.random.default_rng(21)
    A, D = _one_factor(rng, No=6)
    lnA, lnD = np.log(A), np.log(D)
    obs = _all_observations(6)
    s_star = pomdp.posterior_states(obs, lnA, lnD)
    F_star = pomdp.free_energy_per_step(s_star, obs, lnA, lnD)
    lnP = pomdp.log_evidence(obs, A, D)
    assert np.abs(F_star + lnP).max() <= 1e-10
    assert np.abs(pomdp.free_energy_at_posterior(obs, lnA, lnD) + lnP).max() <= 1e-10
    for q in (0.01, 0.2, 0.5, 0.77, 0.99):
        Fq = pomdp.free_energy_per_step(np.full((len(obs), 1), q), obs, lnA, lnD)
        p = s_star[:, 0]
        kl = q * np.log(q / p) + (1 - q) * np.log((1 - q) / (1 - p))
        assert np.abs((Fq - F_star) - kl).max() <= 1e-10
        assert np.all(Fq - F_star >= -1e-12)


def test_O11_factorised_posterior_minimises_each_factor():
    rng = np.random.default_rng(22)
    Ns, No = 3, 7
    A = pomdp.random_likelihood(No, Ns, rng)
    d = rng.uniform(0.1, 0.9, Ns)
    lnA, lnD = np.log(A), np.log(np.concatenate([d, 1 - d]))
    o = rng.integers(0, 2, No).astype(float)
    s = pomdp.posterior_states(o, lnA, lnD)
    F0 = pomdp.free_energy_per_step(s, o, lnA, lnD)
    for j in range(Ns):
        for delta in (1e-3, -1e-3, 0.1, -0.1):
            q = s.copy()
            q[j] = np.clip(q[j] + delta, 1e-6, 1 - 1e-6)
            assert pomdp.free_energy_per_step(q, o, lnA, lnD) > F0


# ---------------------------------------------------------------------------
# O12–O14: Dirichlet expectations and learning
# ---------------------------------------------------------------------------


def test_O12_network_forward_equals_bayesian_update_sim_type_2():
    rng = np.random.default_rng(23)
    Ns, No, T = 2, 9, 20
    qa = rng.uniform(1, 50, (2 * No, 2 * Ns))
    d = rng.uniform(0.2, 0.8, Ns)
    lnD = np.log(np.concatenate([d, 1 - d]))
    o = rng.integers(0, 2, (T, No)).astype(float)
    s = pomdp.posterior_states(o, pomdp.dirichlet_log_mean(qa), lnD)
    W1, W0 = weights_from_mapping(pomdp.dirichlet_mean(qa))
    h1, h0 = adaptive_thresholds(W1, W0, lnD[:Ns], lnD[Ns:])
    x = np.array([fixed_point(ot, W1, W0, h1, h0) for ot in o])
    assert np.abs(x - s).max() <= 1e-12
    # with the exact digamma expectation the two differ (sim_type = 1 is not the network)
    s1 = pomdp.posterior_states(o, pomdp.dirichlet_expected_log(qa), lnD)
    assert np.abs(s1 - x).max() > 1e-6


def test_O13_digamma_versus_log_mean_bounds():
    rng = np.random.default_rng(24)
    qa = rng.uniform(0.5, 400, (2, 6, 8))  # with a session axis
    e1 = pomdp.dirichlet_expected_log(qa)
    e2 = pomdp.dirichlet_log_mean(qa)
    assert np.all(np.abs(e1 - e2) <= 1.0 / qa.min())
    a = qa.ravel()
    assert np.all(np.log(a) - 1 / a < digamma(a)) and np.all(digamma(a) < np.log(a) - 1 / (2 * a))
    # the exact expectation is always below the log of the mean (Jensen)
    assert np.all(e1 < e2)


def test_O14_online_dirichlet_equals_hebb_over_home():
    rng = np.random.default_rng(25)
    Ns, No, n = 2, 6, 40
    qa0 = rng.uniform(1, 10, (2 * No, 2 * Ns))
    lnD = np.log(np.full(2 * Ns, 0.5))
    qa = qa0.copy()
    xs, os_ = [], []
    for _ in range(n):
        o = rng.integers(0, 2, No).astype(float)
        s = pomdp.posterior_states(o, pomdp.dirichlet_log_mean(qa), lnD)
        qa = pomdp.dirichlet_update(qa, o, s)
        xs.append(s)
        os_.append(o)
    hh = HebbHome.from_counts(qa0).add(np.array(xs), np.array(os_))
    W1h, W0h = hh.weights()
    W1b, W0b = weights_from_mapping(pomdp.dirichlet_mean(qa))
    assert np.abs(W1h - W1b).max() <= 1e-10 and np.abs(W0h - W0b).max() <= 1e-10


def test_dirichlet_functions_layout_and_floors():
    qa = np.array([[3.0, 0.0], [1.0, 0.0]])  # No = 1, Ns = 1; OFF-parent column all zero
    m = pomdp.dirichlet_mean(qa)
    np.testing.assert_allclose(m[:, 0], [0.75, 0.25])
    assert np.all(np.isfinite(m)) and np.all(m[:, 1] == 0)
    e = pomdp.dirichlet_log_mean(qa)
    np.testing.assert_allclose(e[:, 0], np.log([0.75, 0.25]))
    assert e[0, 1] == pytest.approx(0.0)  # ln(EPS) - ln(EPS)
    assert np.all(np.isfinite(pomdp.dirichlet_expected_log(qa)))
    b = pomdp.blocks(np.arange(16.0).reshape(4, 4))
    assert b.on_on.tolist() == [[0, 1], [4, 5]] and b.off_off.tolist() == [[10, 11], [14, 15]]
    np.testing.assert_array_equal(pomdp.from_blocks(*b), np.arange(16.0).reshape(4, 4))


def test_dirichlet_complexity_is_kl():
    rng = np.random.default_rng(26)
    qa0 = rng.uniform(1, 5, (4, 2))
    assert pomdp.dirichlet_complexity(qa0, qa0) == pytest.approx(0.0, abs=1e-12)
    qa = qa0 + rng.uniform(0, 10, qa0.shape)
    assert pomdp.dirichlet_complexity(qa, qa0) > 0
    # full F = state part + complexity
    o = rng.integers(0, 2, (3, 2)).astype(float)
    s = np.full((3, 1), 0.4)
    F = pomdp.free_energy_with_parameters(s, o, qa, qa0, np.log([0.5, 0.5]))
    assert F == pytest.approx(pomdp.free_energy(s, o, pomdp.dirichlet_expected_log(qa), np.log([0.5, 0.5]))
                              + pomdp.dirichlet_complexity(qa, qa0))


def test_sampling_one_factor_statistics():
    rng = np.random.default_rng(27)
    A = np.array([[0.9, 0.2], [0.1, 0.8]])
    s, o = pomdp.sample_single_factor(A, [0.3, 0.7], 20000, rng)
    assert abs(s.mean() - 0.3) < 0.02
    assert abs(o[s == 1, 0].mean() - 0.9) < 0.02 and abs(o[s == 0, 0].mean() - 0.2) < 0.02


# ---------------------------------------------------------------------------
# O18: decision sampling
# ---------------------------------------------------------------------------


def test_O18_decision_rule_is_softmax_of_potentials():
    rng = np.random.default_rng(28)
    y = rng.uniform(0.001, 0.98, 12)
    p = pomdp.selection_probabilities(y)
    ref = softmax(logit(y))
    assert np.abs(p / ref - 1).max() <= 1e-4
    d = pomdp.sample_decision(y, np.random.default_rng(0))
    assert d.sum() == 1 and set(np.unique(d)) <= {0.0, 1.0}
    counts = sum(pomdp.sample_decision(y, rng) for _ in range(4000))
    assert np.abs(counts / 4000 - p).max() < 0.03


def test_two_layer_decision_posterior_and_state_update_shapes():
    rng = np.random.default_rng(29)
    Ns, Nd, No = 3, 4, 5
    lnA = np.log(pomdp.random_likelihood(No, Ns, rng))
    lnB = np.log(pomdp.random_likelihood(Ns, Ns, rng))
    lnC = np.log(pomdp.random_likelihood(Ns, Nd, rng))
    s = pomdp.posterior_states_two_layer(rng.integers(0, 2, No), rng.random(Ns), lnA, lnB, np.log(np.full(2 * Ns, .5)))
    dlt = pomdp.decision_posterior(s, lnC, np.log(np.full(2 * Nd, .5)))
    assert s.shape == (Ns,) and dlt.shape == (Nd,)
    assert np.all((s > 0) & (s < 1)) and np.all((dlt > 0) & (dlt < 1))


# ---------------------------------------------------------------------------
# Bad input
# ---------------------------------------------------------------------------


def test_bad_input_names_parameter():
    rng = np.random.default_rng(30)
    with pytest.raises(ValueError, match="qa"):
        pomdp.dirichlet_mean(np.ones((3, 4)))
    with pytest.raises(ValueError, match="qa"):
        pomdp.dirichlet_log_mean(-np.ones((2, 2)))
    A = pomdp.random_likelihood(3, 1, rng)
    with pytest.raises(ValueError, match=r"o must be binary \(0 or 1\); found 2"):
        pomdp.exact_posterior(np.array([0, 2, 1]), A, [0.5, 0.5])
    with pytest.raises(ValueError, match="D must have ON and OFF halves that sum to 1"):
        pomdp.exact_posterior(np.array([0, 1, 1]), A, [0.5, 0.6])
    with pytest.raises(ValueError, match="lnD"):
        pomdp.posterior_states(np.array([0, 1, 1]), np.log(A), np.zeros(3))
    with pytest.raises(ValueError, match="rng"):
        pomdp.sample_single_factor(A, [0.5, 0.5], 10, rng=0)
    with pytest.raises(ValueError, match="s must lie strictly between 0 and 1"):
        pomdp.free_energy_per_step(np.array([1.0]), np.array([0, 1, 1]), np.log(A), np.log([.5, .5]))
    with pytest.raises(ValueError, match=r"y must lie in \[0, 1\]; found 1.5"):
        pomdp.selection_probabilities(np.array([0.5, 1.5]))


def test_policy_update_is_risk_weighted_and_floored():
    rng = np.random.default_rng(31)
    Ns, Nd, T = 3, 4, 10
    qci = rng.uniform(2, 5, (2 * Ns, 2 * Nd))
    s_prev = rng.uniform(0, 1, (T, Ns))
    d = np.eye(Nd)[rng.integers(0, Nd, T)]
    low = pomdp.dirichlet_update_policy(qci, s_prev, d, 0.0)
    np.testing.assert_allclose(low, qci + pomdp.hebbian_counts(s_prev, d), atol=1e-12)  # gamma = 0: plain Hebbian
    np.testing.assert_array_equal(pomdp.dirichlet_update_policy(qci, s_prev, d, 0.5), qci)  # gamma = 1/2: no learning
    high = pomdp.dirichlet_update_policy(qci, s_prev, d, 1.0)  # anti-Hebbian, floored at 1
    assert high.min() >= 1.0 and np.all(high <= qci)
    with pytest.raises(ValueError, match="gamma"):
        pomdp.dirichlet_update_policy(qci, s_prev, d, np.zeros(T + 1))


def test_risk_modulation_has_one_home():
    """g = 1 - 2 Gamma lives in maths: the agent re-exports it, the policy update and the cost call it."""
    from fepteach import agent, cost, maths

    assert agent.modulation is maths.modulation and cost.modulation is maths.modulation
    assert maths.modulation(0.25) == 0.5 and isinstance(maths.modulation(0.25), float)
    np.testing.assert_array_equal(maths.modulation([0.0, 0.5, 1.0]), [1.0, 0.0, -1.0])
    for bad in (1.5, -0.1, [0.2, 2.0]):
        with pytest.raises(ValueError, match="gamma"):
            maths.modulation(bad)


@pytest.mark.parametrize("sim_type", [1, 2])
def test_cross_check_with_authors_python_port(sim_type):
    """Dirichlet expectations, posterior and per-step F agree with reverse-engineering-py (SPEC §4.3–4.4).

    Observed quirk of the port (0.1.2): its ``compute_vfe`` sums all buffered steps but the last one, and
    returns float32; so it is compared with our F over the first T - 1 steps.
    """
    P = pytest.importorskip("reverse_engineering.pomdp")
    rng = np.random.default_rng(32)
    No, Ns, T = 6, 2, 6
    qa = rng.uniform(1, 40, (2 * No, 2 * Ns))
    D = np.full(2 * Ns, 0.5)
    lnA_ours = pomdp.dirichlet_log_mean(qa) if sim_type == 2 else pomdp.dirichlet_expected_log(qa)
    qA, qlnA = P.compute_dirichlet_expectation(qa.copy(), sim_type)
    assert np.abs(qA - pomdp.dirichlet_mean(qa)).max() <= 1e-12
    assert np.abs(qlnA - lnA_ours).max() <= 1e-12
    model = P.POMDP(qa.copy(), D.copy(), sim_type=sim_type)
    o = rng.integers(0, 2, (T, No)).astype(float)
    theirs = np.array([model.infer(pomdp.stack(ot)) for ot in o])
    ours = pomdp.posterior_states(o, lnA_ours, np.log(D))
    assert np.abs(theirs[:, :Ns] - ours).max() <= 1e-12
    F_steps = pomdp.free_energy_per_step(ours, o, lnA_ours, np.log(D))
    assert abs(float(model.compute_vfe()) - F_steps[:-1].sum()) <= 1e-5 * abs(F_steps[:-1].sum())


def test_cross_check_two_layer_inference_with_authors_python_port():
    """Two-layer filtering (3.6) and the selection rule (6.1) agree with reverse-engineering-py's POMDP.infer."""
    P = pytest.importorskip("reverse_engineering.pomdp")
    rng = np.random.default_rng(33)
    No, Ns, Nd, T = 5, 3, 4, 6
    qa, qbi, qci = rng.uniform(1, 40, (2 * No, 2 * Ns)), rng.uniform(1, 40, (2 * Ns, 2 * Ns)), rng.uniform(1, 40, (2 * Ns, 2 * Nd))
    D = np.full(2 * Ns, 0.5)
    E = np.concatenate([np.full(Nd, 0.3), np.full(Nd, 0.7)])
    model = P.POMDP(qa.copy(), D.copy(), qbi.copy(), qci.copy(), E.copy(), sim_type=2)
    o = rng.integers(0, 2, (T, No)).astype(float)
    out = [model.infer(pomdp.stack(ot)) for ot in o]
    lnA, lnB, lnC = (pomdp.dirichlet_log_mean(q) for q in (qa, qbi, qci))
    for t in range(1, T):
        s_prev = out[t - 1][0][:Ns]
        s = pomdp.posterior_states_two_layer(o[t], s_prev, lnA, lnB, np.log(D))
        probs = pomdp.selection_probabilities(pomdp.decision_posterior(s_prev, lnC, np.log(E)))
        assert np.abs(out[t][0][:Ns] - s).max() <= 1e-12
        assert np.abs(out[t][1] - probs).max() <= 1e-12


# --- curves of the one-factor model (moved from the plots, issue 11 item 7) -------------------------
_A_CURVE = np.array([[0.8, 0.3], [0.6, 0.4], [0.2, 0.7], [0.4, 0.6]])
_O_CURVE = np.array([1.0, 0.0])


def test_free_energy_curve_touches_surprise_at_posterior():
    q, F, s_star, surprise = pomdp.free_energy_curve(_O_CURVE, _A_CURVE, [0.3, 0.7])
    assert abs(q[np.argmin(F)] - s_star) < 3e-3
    assert F.min() >= surprise - 1e-12 and F.min() - surprise < 1e-4


def test_prior_sweep_kl_is_nonnegative_and_posterior_monotone():
    sw = pomdp.prior_sweep(_O_CURVE, _A_CURVE, q=0.5)
    assert np.all(sw["kl"] >= -1e-12)
    assert np.all(np.diff(sw["posterior"]) > 0)
    i = np.argmin(np.abs(sw["posterior"] - 0.5))
    assert sw["kl"][i] < 1e-3  # the fixed belief q = 0.5 is the posterior there: no gap

"""Tests of fepteach.correspondence: SPEC oracles O15–O17 and the term-by-term match of L and F (SPEC §4.5, §4.7)."""

from __future__ import annotations

import numpy as np
import pytest
from scipy.special import expit

from fepteach import correspondence as cor
from fepteach import cost, pomdp
from fepteach.neurons import adaptive_thresholds, fixed_point_two_layer, two_layer_thresholds


def _stacked(rng, lead, nc, npar, dtype=float):
    on = rng.uniform(0.01, 0.99, lead + (nc, 2 * npar))
    return np.concatenate([on, 1 - on], axis=-2).astype(dtype)


def _bayes1(rng, S, No=5, Ns=3, T=4, dtype=float):
    lead = (S,) if S else ()
    s = rng.uniform(0.01, 0.99, (T, Ns))
    d = rng.uniform(0.01, 0.99, Ns)
    return cor.SingleLayerBayes(s_stacked=pomdp.stack(s).astype(dtype), A=_stacked(rng, lead, No, Ns, dtype),
                                D=np.concatenate([d, 1 - d]).astype(dtype))


def _bayes2(rng, S, No=5, Ns=3, Nd=4, T=4):
    lead = (S,) if S else ()
    s, dl = rng.uniform(0.01, 0.99, (T, Ns)), rng.uniform(0.01, 0.99, (T, Nd))
    d, e = rng.uniform(0.01, 0.99, Ns), rng.uniform(0.01, 0.99, Nd)
    return cor.TwoLayerBayes(s_stacked=pomdp.stack(s), delta_stacked=pomdp.stack(dl), A=_stacked(rng, lead, No, Ns),
                             Bbar=_stacked(rng, lead, Ns, Ns), Cbar=_stacked(rng, lead, Ns, Nd),
                             D=np.concatenate([d, 1 - d]), E=np.concatenate([e, 1 - e]))


def _rel(a, b):
    return float(np.max(np.abs(a - b) / np.maximum(np.abs(b), 1e-300)))


def _net2(rng, S, No=5, Nx=3, Ny=4, T=4):
    lead = (S,) if S else ()
    g = lambda *sh: rng.normal(size=lead + sh)  # noqa: E731
    return cor.TwoLayerNetwork(x=rng.uniform(0.01, 0.99, (T, Nx)), y=rng.uniform(0.01, 0.99, (T, Ny)),
                               W1=g(Nx, No), W0=g(Nx, No), K1=g(Nx, Nx), K0=g(Nx, Nx), V1=g(Ny, Nx), V0=g(Ny, Nx),
                               phi1=np.log(rng.uniform(.1, .9, Nx)), phi0=np.log(rng.uniform(.1, .9, Nx)),
                               psi1=np.log(rng.uniform(.1, .9, Ny)), psi0=np.log(rng.uniform(.1, .9, Ny)))


@pytest.mark.parametrize("S", [None, 1, 3])
def test_O15_round_trip_single_layer(S):
    rng = np.random.default_rng(40)
    p = _bayes1(rng, S)
    q = cor.network_to_bayes(cor.bayes_to_network(p))
    for f in ("s_stacked", "A", "D"):
        assert _rel(getattr(q, f), getattr(p, f)) <= 1e-12, f
    lead = (S,) if S else ()
    n = cor.SingleLayerNetwork(x=rng.uniform(.01, .99, (4, 3)), W1=rng.normal(size=lead + (3, 5)),
                               W0=rng.normal(size=lead + (3, 5)), phi1=np.log([.2, .5, .7]), phi0=np.log([.3, .1, .6]))
    m = cor.bayes_to_network(cor.network_to_bayes(n))
    for f in ("x", "W1", "W0", "phi1", "phi0"):
        assert _rel(getattr(m, f), getattr(n, f)) <= 1e-12, f


@pytest.mark.parametrize("S", [None, 1, 2, 5])
def test_O15_round_trip_two_layer_session_axis(S):
    """Ny != Nx and a session axis: catches the all-axes transpose bug of the Python port (SPEC §4.7)."""
    rng = np.random.default_rng(41)
    p = _bayes2(rng, S, No=5, Ns=3, Nd=4)
    n = cor.bayes_to_network_two_layer(p)
    lead = (S,) if S else ()
    assert n.V1.shape == lead + (4, 3) and n.V0.shape == lead + (4, 3)
    assert n.K1.shape == lead + (3, 3) and n.W1.shape == lead + (3, 5)
    h1, h0, m1, m0 = n.thresholds()
    assert m1.shape == lead + (4,) and h1.shape == lead + (3,)
    # V entries are where the dictionary says: V1[l, k] = logit(Cbar[k, l]) of the ON,ON block
    Cb = pomdp.blocks(p.Cbar)
    np.testing.assert_allclose(expit(n.V1), np.swapaxes(Cb.on_on, -1, -2), atol=1e-14)
    np.testing.assert_allclose(expit(n.V0), np.swapaxes(Cb.on_off, -1, -2), atol=1e-14)
    q = cor.network_to_bayes_two_layer(n)
    for f in ("s_stacked", "delta_stacked", "A", "Bbar", "Cbar", "D", "E"):
        assert _rel(getattr(q, f), getattr(p, f)) <= 1e-12, f
    n2 = _net2(rng, S)
    m = cor.bayes_to_network_two_layer(cor.network_to_bayes_two_layer(n2))
    for f in ("x", "y", "W1", "W0", "K1", "K0", "V1", "V0", "phi1", "phi0", "psi1", "psi0"):
        assert _rel(getattr(m, f), getattr(n2, f)) <= 1e-12, f


def test_O15_round_trip_float32():
    rng = np.random.default_rng(42)
    p = _bayes1(rng, 2, dtype=np.float32)
    q = cor.network_to_bayes(cor.bayes_to_network(p))
    for f in ("s_stacked", "A", "D"):
        assert _rel(getattr(q, f), getattr(p, f).astype(float)) <= 1e-5, f


def test_O16_threshold_is_off_loglikelihood_plus_log_prior():
    rng = np.random.default_rng(43)
    p = _bayes1(rng, None, No=6, Ns=3)
    n = cor.bayes_to_network(p)
    h1, h0 = adaptive_thresholds(n.W1, n.W0, n.phi1, n.phi0)
    b = pomdp.blocks(p.A)
    Ns = 3
    bayes_h1 = np.log(b.off_on).sum(axis=0) + np.log(p.D[:Ns])
    bayes_h0 = np.log(b.off_off).sum(axis=0) + np.log(p.D[Ns:])
    assert np.abs(h1 - bayes_h1).max() <= 1e-12 and np.abs(h0 - bayes_h0).max() <= 1e-12
    # implied prior recovers phi from given thresholds
    phi1, phi0 = cor.threshold_constants(n.W1, n.W0, h1, h0)
    assert np.abs(phi1 - n.phi1).max() <= 1e-12 and np.abs(phi0 - n.phi0).max() <= 1e-12


def test_O17_two_layer_L_equals_F():
    rng = np.random.default_rng(44)
    for trial in range(5):
        p = _bayes2(rng, None, No=4, Ns=3, Nd=5, T=6)
        n = cor.bayes_to_network_two_layer(p)
        o = rng.integers(0, 2, (6, 4)).astype(float)
        gamma = rng.uniform(0, 1, 6)
        x_init = rng.uniform(0.05, 0.95, 3)
        L = cost.total_cost_two_layer(n.x, n.y, o, x_init, n.W1, n.W0, n.K1, n.K0, n.V1, n.V0,
                                      n.phi1, n.phi0, n.psi1, n.psi0, gamma)
        F = pomdp.free_energy_two_layer(p.s_stacked[:, :3], p.delta_stacked[:, :5], o, x_init, np.log(p.A), np.log(p.Bbar),
                                        np.log(p.Cbar), np.log(p.D), np.log(p.E), gamma)
        assert abs(L - F) <= 1e-9, (trial, L - F)


def test_two_layer_fixed_point_equals_filtering_update():
    rng = np.random.default_rng(45)
    p = _bayes2(rng, None, No=4, Ns=3, Nd=5)
    n = cor.bayes_to_network_two_layer(p)
    h1, h0, m1, m0 = two_layer_thresholds(n.W1, n.W0, n.K1, n.K0, n.V1, n.V0, n.phi1, n.phi0, n.psi1, n.psi0)
    o = rng.integers(0, 2, 4).astype(float)
    x_prev = rng.uniform(0.05, 0.95, 3)
    x, y = fixed_point_two_layer(o, x_prev, n.W1, n.W0, n.K1, n.K0, n.V1, n.V0, h1, h0, m1, m0)
    s = pomdp.posterior_states_two_layer(o, x_prev, np.log(p.A), np.log(p.Bbar), np.log(p.D))
    d = pomdp.decision_posterior(x_prev, np.log(p.Cbar), np.log(p.E))
    assert np.abs(x - s).max() <= 1e-12 and np.abs(y - d).max() <= 1e-12


def test_single_layer_cost_terms_match_free_energy_terms():
    """The bar chart of Lesson 03: entropy, synaptic and threshold parts of L equal their F twins (A.2)."""
    rng = np.random.default_rng(46)
    p = _bayes1(rng, None, No=5, Ns=2, T=3)
    n = cor.bayes_to_network(p)
    h1, h0 = n.thresholds()
    o = rng.integers(0, 2, (3, 5)).astype(float)
    tL = cost.cost_terms(n.x, o, n.W1, n.W0, h1, h0)
    tF = pomdp.free_energy_terms(n.x, o, np.log(p.A), np.log(p.D))
    np.testing.assert_allclose(tL.entropy, tF["entropy"], atol=1e-12)
    np.testing.assert_allclose(tL.synaptic, tF["likelihood_on"], atol=1e-12)
    np.testing.assert_allclose(tL.threshold, tF["likelihood_off_prior"], atol=1e-12)


def test_counts_hebb_home_round_trip():
    rng = np.random.default_rng(47)
    qa = rng.uniform(1, 9, (8, 6))
    hh = cost.HebbHome.from_counts(qa)
    np.testing.assert_allclose(hh.to_counts(), qa, atol=1e-12)
    W1, W0 = hh.weights()
    W1b, W0b = cor.weights_from_mapping(pomdp.dirichlet_mean(qa))
    np.testing.assert_allclose(W1, W1b, atol=1e-12)
    np.testing.assert_allclose(W0, W0b, atol=1e-12)


def test_bad_input_names_parameter():
    rng = np.random.default_rng(48)
    p = _bayes2(rng, 2)
    with pytest.raises(ValueError, match="Cbar"):
        cor.bayes_to_network_two_layer(cor.TwoLayerBayes(**{**p.__dict__, "Cbar": p.Cbar[..., :5, :]}))
    with pytest.raises(ValueError, match="A must lie strictly between 0 and 1"):
        cor.weights_from_mapping(np.full((4, 4), 1.0))
    with pytest.raises(ValueError, match=r"D must be positive \(a prior over ON/OFF\)"):
        cor.bayes_to_network(cor.SingleLayerBayes(s_stacked=np.full((2, 6), .5), A=_stacked(rng, (), 5, 3), D=-np.ones(6)))
    with pytest.raises(ValueError, match="W0"):
        cor.mapping_from_weights(np.zeros((3, 2)), np.zeros((2, 3)))


def test_O15_cross_check_with_authors_python_port():
    """Single layer: identical to reverse-engineering-py's pomdp2nn. Two layers: the port fails (its V transpose
    bug, SPEC §4.7) on the same input where ours round-trips."""
    vc = pytest.importorskip("reverse_engineering.utils.variable_conversion")
    rng = np.random.default_rng(49)
    p = _bayes1(rng, 2, No=5, Ns=3)
    theirs = vc.pomdp2nn(vc.POMDPVariables(qs=p.s_stacked, qA=p.A, lnD=np.log(p.D)))
    ours = cor.bayes_to_network(p)
    h1, h0 = ours.thresholds()
    for a, b in ((theirs.W1, ours.W1), (theirs.W0, ours.W0), (theirs.x, ours.x), (theirs.h1, h1), (theirs.h0, h0)):
        assert np.shape(a) == np.shape(b) and np.max(np.abs(np.asarray(a) - b)) <= 1e-12
    p2 = _bayes2(rng, 2, No=5, Ns=3, Nd=4)
    try:
        nn = vc.pomdp2nn(vc.POMDPVariables(qs=p2.s_stacked, qA=p2.A, lnD=np.log(p2.D), qd=p2.delta_stacked, qBi=p2.Bbar,
                                           qCi=p2.Cbar, lnE=np.log(p2.E)))
        port_ok = np.shape(nn.V1) == (2, 4, 3)
    except ValueError:
        port_ok = False
    assert not port_ok  # the documented bug; if the port is ever fixed, compare with it instead
    n2 = cor.bayes_to_network_two_layer(p2)
    assert n2.V1.shape == (2, 4, 3)

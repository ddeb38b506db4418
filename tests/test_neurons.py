"""Tests of fepteach.neurons (SPEC §2; oracles O4, O5)."""

import numpy as np
import pytest
from scipy.special import expit, logit

from fepteach import neurons


@pytest.fixture
def net():
    rng = np.random.default_rng(0)
    nx, no = 3, 7
    W1, W0 = rng.normal(size=(nx, no)), rng.normal(size=(nx, no))
    phi1, phi0 = np.log(rng.uniform(0.2, 0.8, nx)), np.log(rng.uniform(0.2, 0.8, nx))
    h1, h0 = neurons.adaptive_thresholds(W1, W0, phi1, phi0)
    o = rng.integers(0, 2, no).astype(float)
    return o, W1, W0, h1, h0


def test_sigmoid_and_logit_are_inverse_and_safe():
    z = np.array([-800.0, -5.0, 0.0, 3.0, 800.0])
    x = neurons.sigmoid(z)
    assert x[0] == 0.0 and x[-1] == 1.0 and np.isclose(x[2], 0.5)
    assert np.allclose(neurons.logit(x[1:4]), z[1:4])
    # clipped at EPS, finite at the boundaries
    assert np.allclose(neurons.logit([0.0, 1.0]), [logit(1e-6), logit(1 - 1e-6)])


def test_adaptive_thresholds_match_eq_1_2(net):
    o, W1, W0, h1, h0 = net
    phi1, phi0 = np.log([0.3, 0.5, 0.7]), np.log([0.7, 0.5, 0.3])
    g1, g0 = neurons.adaptive_thresholds(W1, W0, phi1, phi0)
    assert np.allclose(g1, np.log(1 - expit(W1)).sum(1) + phi1, atol=1e-12)
    assert np.allclose(g0, np.log(1 - expit(W0)).sum(1) + phi0, atol=1e-12)
    # no overflow for large weights: ln(1 - sigma(800)) = -800
    g1, _ = neurons.adaptive_thresholds(np.full((1, 1), 800.0), np.zeros((1, 1)), [0.0], [0.0])
    assert np.isclose(g1[0], -800.0)


def test_rhs_vanishes_at_fixed_point_and_restores(net):
    o, W1, W0, h1, h0 = net
    xs = neurons.fixed_point(o, W1, W0, h1, h0)
    assert np.max(np.abs(neurons.rhs_x(xs, o, W1, W0, h1, h0))) < 1e-12
    assert np.all(neurons.rhs_x(xs / 2, o, W1, W0, h1, h0) > 0)
    assert np.all(neurons.rhs_u(logit(xs) + 1.0, o, W1, W0, h1, h0) < 0)


def test_O4_second_derivative_of_L_is_1_over_x_plus_1_over_xbar(net):
    """-d(dx/dt)/dx = d2L/dx2 = 1/x + 1/(1-x) (SPEC §2.3, oracle O4), by central differences."""
    o, W1, W0, h1, h0 = net
    for xv in [0.01, 0.2, 0.5, 0.8, 0.97]:
        x = np.full(3, xv)
        eps = 1e-6 * min(xv, 1 - xv)
        d2 = -(neurons.rhs_x(x + eps, o, W1, W0, h1, h0) - neurons.rhs_x(x - eps, o, W1, W0, h1, h0)) / (2 * eps)
        assert np.allclose(d2, 1 / x + 1 / (1 - x), rtol=1e-5)


def test_O5_u_form_euler_reaches_the_fixed_point(net):
    """Euler in u-form, dt = 0.05, 1000 steps, reaches sigma((W1-W0)o + h1 - h0) to 1e-8 (oracle O5)."""
    o, W1, W0, h1, h0 = net
    u = neurons.integrate_u(np.zeros(3), o, W1, W0, h1, h0, dt=0.05, n_steps=1000)
    assert u.shape == (1001, 3)
    assert np.max(np.abs(expit(u[-1]) - neurons.fixed_point(o, W1, W0, h1, h0))) < 1e-8


def test_O5_x_form_euler_reaches_the_fixed_point_below_the_stability_limit(net):
    o, W1, W0, h1, h0 = net
    xs = neurons.fixed_point(o, W1, W0, h1, h0)
    dt = min(xs * (1 - xs))  # dt <= x*(1 - x*) as in O5
    n = int(np.ceil(40 / dt))
    x = neurons.integrate_x(np.full(3, 0.5), o, W1, W0, h1, h0, dt=dt, n_steps=n)
    assert np.max(np.abs(x[-1] - xs)) < 1e-8


def test_x_form_refuses_an_unstable_step_and_names_dt(net):
    o, W1, W0, h1, h0 = net
    limit = neurons.max_stable_dt_x(neurons.fixed_point(o, W1, W0, h1, h0))
    with pytest.raises(ValueError, match="dt"):
        neurons.integrate_x(np.full(3, 0.5), o, W1, W0, h1, h0, dt=1.01 * limit, n_steps=10)


def test_max_stable_dt_formula():
    assert np.isclose(neurons.max_stable_dt_x([0.5]), 0.5)
    assert np.isclose(neurons.max_stable_dt_x([0.999], tau=1.0), 2 * 0.999 * 0.001)
    assert np.isclose(neurons.max_stable_dt_x([0.5, 0.9], tau=2.0), 2 * 2 * 0.09)


def test_relaxation_time_u_matches_spec():
    # SPEC §2.1: an error of order 10 reaches 1e-8 after about 21 tau
    assert 20.5 < neurons.relaxation_time_u(10, 1e-8) < 21.0


def test_two_layer_fixed_point_uses_previous_activity():
    rng = np.random.default_rng(3)
    nx, no, ny = 4, 6, 5
    W1, W0 = rng.normal(size=(nx, no)), rng.normal(size=(nx, no))
    K1, K0 = rng.normal(size=(nx, nx)), rng.normal(size=(nx, nx))
    V1, V0 = rng.normal(size=(ny, nx)), rng.normal(size=(ny, nx))
    phi = np.log(np.full(nx, 0.5))
    psi1, psi0 = np.log(np.full(ny, 0.2)), np.log(np.full(ny, 0.8))
    h1, h0, m1, m0 = neurons.two_layer_thresholds(W1, W0, K1, K0, V1, V0, phi, phi, psi1, psi0)
    assert np.allclose(h1, np.log(1 - expit(W1)).sum(1) + np.log(1 - expit(K1)).sum(1) + phi)
    assert np.allclose(m0, np.log(1 - expit(V0)).sum(1) + psi0)
    o, xp = rng.integers(0, 2, no).astype(float), rng.uniform(0.1, 0.9, nx)
    x, y = neurons.fixed_point_two_layer(o, xp, W1, W0, K1, K0, V1, V0, h1, h0, m1, m0)
    assert np.allclose(neurons.rhs_x_two_layer(x, o, xp, W1, W0, K1, K0, h1, h0), 0, atol=1e-12)
    assert np.allclose(neurons.rhs_y(y, xp, V1, V0, m1, m0), 0, atol=1e-12)
    assert y.shape == (ny,)


@pytest.mark.parametrize(
    "call, match",
    [
        (lambda o, W1, W0, h1, h0: neurons.fixed_point(o[:-1], W1, W0, h1, h0), "o must have shape"),
        (lambda o, W1, W0, h1, h0: neurons.fixed_point(o, W1, W0[:, :-1], h1, h0), "W1 and W0"),
        (lambda o, W1, W0, h1, h0: neurons.rhs_x(np.array([0.5, 1.0, 0.2]), o, W1, W0, h1, h0), "x must lie strictly"),
        (lambda o, W1, W0, h1, h0: neurons.rhs_x(np.array([0.5, np.nan, 0.2]), o, W1, W0, h1, h0), "x contains NaN"),
        (lambda o, W1, W0, h1, h0: neurons.fixed_point(o, W1, W0, h1[:2], h0), "h1 must have shape"),
        (lambda o, W1, W0, h1, h0: neurons.integrate_u(np.zeros(3), o, W1, W0, h1, h0, dt=1.5), "dt"),
        (lambda o, W1, W0, h1, h0: neurons.integrate_u(np.zeros(3), o, W1, W0, h1, h0, n_steps=0), "n_steps"),
        (lambda o, W1, W0, h1, h0: neurons.rhs_u(np.zeros(3), o, W1, W0, h1, h0, tau=0), "tau"),
        (lambda o, W1, W0, h1, h0: neurons.fixed_point("abc", W1, W0, h1, h0), "o must be numeric"),
    ],
)
def test_bad_input_gives_a_clear_error(net, call, match):
    with pytest.raises(ValueError, match=match):
        call(*net)

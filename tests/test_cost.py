"""Tests of fepteach.cost: SPEC oracles O1–O8 and the reconstruction of L (SPEC §3)."""

from __future__ import annotations

import numpy as np
import pytest
from scipy.special import expit

from fepteach import cost
from fepteach.neurons import (
    adaptive_thresholds,
    fixed_point,
    integrate_u,
    integrate_x,
    rhs_x,
    rhs_x_two_layer,
    rhs_y,
    two_layer_thresholds,
)

EPS_FD = 1e-6


def _single(rng, Nx=3, No=5, T=4):
    W1 = rng.normal(size=(Nx, No))
    W0 = rng.normal(size=(Nx, No))
    phi1 = np.log(rng.uniform(0.2, 0.8, Nx))
    phi0 = np.log(rng.uniform(0.2, 0.8, Nx))
    x = rng.uniform(0.05, 0.95, (T, Nx))
    o = rng.integers(0, 2, (T, No)).astype(float)
    return x, o, W1, W0, phi1, phi0


def _two_layer(rng, Nx=3, Ny=4, No=5, T=4):
    x, o, W1, W0, phi1, phi0 = _single(rng, Nx, No, T)
    K1, K0 = rng.normal(size=(Nx, Nx)), rng.normal(size=(Nx, Nx))
    V1, V0 = rng.normal(size=(Ny, Nx)), rng.normal(size=(Ny, Nx))
    psi1 = np.log(rng.uniform(0.2, 0.8, Ny))
    psi0 = np.log(rng.uniform(0.2, 0.8, Ny))
    y = rng.uniform(0.05, 0.95, (T, Ny))
    x_init = rng.uniform(0.05, 0.95, Nx)
    gamma = rng.uniform(0, 1, T)
    return dict(x=x, y=y, o=o, x_init=x_init, W1=W1, W0=W0, K1=K1, K0=K0, V1=V1, V0=V0,
                phi1=phi1, phi0=phi0, psi1=psi1, psi0=psi0, gamma=gamma)


def _fd_grad(f, A, eps=EPS_FD):
    """Central finite-difference gradient of scalar f w.r.t. every entry of A."""
    g = np.zeros_like(A)
    for idx in np.ndindex(A.shape):
        Ap, Am = A.copy(), A.copy()
        Ap[idx] += eps
        Am[idx] -= eps
        g[idx] = (f(Ap) - f(Am)) / (2 * eps)
    return g


# ---------------------------------------------------------------------------
# O1: activity = -dL/dx
# ---------------------------------------------------------------------------


def test_O1_activity_is_minus_dL_dx():
    rng = np.random.default_rng(1)
    x, o, W1, W0, phi1, phi0 = _single(rng)
    h1, h0 = adaptive_thresholds(W1, W0, phi1, phi0)
    fd = _fd_grad(lambda X: cost.total_cost(X, o, W1, W0, phi1, phi0), x)
    rhs = np.array([rhs_x(xt, ot, W1, W0, h1, h0) for xt, ot in zip(x, o)])
    err = np.abs(fd + rhs).max()
    assert err <= 1e-6, err
    np.testing.assert_allclose(cost.dL_dx(x, o, W1, W0, h1, h0), -rhs, atol=1e-14)


def test_O1_two_layer_newest_activity_is_minus_rhs():
    rng = np.random.default_rng(2)
    p = _two_layer(rng)
    p["gamma"] = 0.0  # modulation 1 at decision time
    h1, h0, m1, m0 = two_layer_thresholds(p["W1"], p["W0"], p["K1"], p["K0"], p["V1"], p["V0"],
                                          p["phi1"], p["phi0"], p["psi1"], p["psi0"])
    T = p["x"].shape[0]
    x_prev = np.vstack([p["x_init"], p["x"][:-1]])

    def L_of(**kw):
        q = {**p, **kw}
        return cost.total_cost_two_layer(**q)

    # newest x_T of L summed to T
    def f_last(v):
        X = p["x"].copy()
        X[-1] = v
        return L_of(x=X)

    fd = _fd_grad(f_last, p["x"][-1].copy())
    rhs = rhs_x_two_layer(p["x"][-1], p["o"][-1], x_prev[-1], p["W1"], p["W0"], p["K1"], p["K0"], h1, h0)
    assert np.abs(fd + rhs).max() <= 1e-6
    # per-summand derivative for every tau with x_prev fixed
    for tau in range(T):
        def f_step(v, tau=tau):
            X = p["x"][tau:tau + 1].copy()
            X[0] = v
            return cost.step_cost_two_layer(X, p["y"][tau:tau + 1], p["o"][tau:tau + 1], x_prev[tau:tau + 1],
                                            p["W1"], p["W0"], p["K1"], p["K0"], p["V1"], p["V0"],
                                            h1, h0, p["psi1"], p["psi0"], 0.0)[0]
        fd = _fd_grad(f_step, p["x"][tau].copy())
        rhs = rhs_x_two_layer(p["x"][tau], p["o"][tau], x_prev[tau], p["W1"], p["W0"], p["K1"], p["K0"], h1, h0)
        assert np.abs(fd + rhs).max() <= 1e-6
        np.testing.assert_allclose(cost.dL_dx_two_layer(p["x"][tau], p["o"][tau], x_prev[tau], p["W1"], p["W0"],
                                                        p["K1"], p["K0"], h1, h0), -rhs, atol=1e-14)
    # every y_tau (modulation 1) from the full sum
    def f_y(Y):
        return L_of(y=Y)

    fdy = _fd_grad(f_y, p["y"].copy())
    rhs_all = np.array([rhs_y(p["y"][t], x_prev[t], p["V1"], p["V0"], m1, m0) for t in range(T)])
    assert np.abs(fdy + rhs_all).max() <= 1e-6
    # the full-sum gradient w.r.t. an earlier x does NOT match (SPEC §3.2): filtering, not smoothing
    def f_first(v):
        X = p["x"].copy()
        X[0] = v
        return L_of(x=X)

    fd0 = _fd_grad(f_first, p["x"][0].copy())
    rhs0 = rhs_x_two_layer(p["x"][0], p["o"][0], x_prev[0], p["W1"], p["W0"], p["K1"], p["K0"], h1, h0)
    assert np.abs(fd0 + rhs0).max() > 1e-2


# ---------------------------------------------------------------------------
# O2, O3: plasticity = -dL/dW with thresholds recomputed from weights
# ---------------------------------------------------------------------------


def test_O2_plasticity_W_is_minus_dL_dW():
    rng = np.random.default_rng(3)
    x, o, W1, W0, phi1, phi0 = _single(rng)
    g1, g0 = cost.dL_dW(x, o, W1, W0)
    fd1 = _fd_grad(lambda A: cost.total_cost(x, o, A, W0, phi1, phi0), W1)
    fd0 = _fd_grad(lambda A: cost.total_cost(x, o, W1, A, phi1, phi0), W0)
    for fd, g in ((fd1, g1), (fd0, g0)):
        assert np.all(np.abs(fd - g) <= 1e-6 * np.maximum(1, np.abs(g)))
    # explicit Hebbian-minus-homeostatic form (2.5)
    np.testing.assert_allclose(-g1, x.T @ o - x.sum(0)[:, None] * expit(W1), atol=1e-12)


def test_O2_plasticity_K_and_W_two_layer():
    rng = np.random.default_rng(4)
    p = _two_layer(rng)
    x_prev = np.vstack([p["x_init"], p["x"][:-1]])
    gK1, gK0 = cost.dL_dK(p["x"], x_prev, p["K1"], p["K0"])
    gW1, gW0 = cost.dL_dW(p["x"], p["o"], p["W1"], p["W0"])
    for name, g in (("K1", gK1), ("K0", gK0), ("W1", gW1), ("W0", gW0)):
        fd = _fd_grad(lambda A, name=name: cost.total_cost_two_layer(**{**p, name: A}), p[name].copy())
        assert np.all(np.abs(fd - g) <= 1e-6 * np.maximum(1, np.abs(g))), name


def test_O3_plasticity_V_with_risk():
    rng = np.random.default_rng(5)
    p = _two_layer(rng)
    x_prev = np.vstack([p["x_init"], p["x"][:-1]])
    gV1, gV0 = cost.dL_dV(p["y"], x_prev, p["V1"], p["V0"], p["gamma"])
    for name, g in (("V1", gV1), ("V0", gV0)):
        fd = _fd_grad(lambda A, name=name: cost.total_cost_two_layer(**{**p, name: A}), p[name].copy())
        assert np.all(np.abs(fd - g) <= 1e-6 * np.maximum(1, np.abs(g))), name
    # gamma = 1/2 switches learning off; gamma > 1/2 flips the sign (anti-Hebbian)
    z1, _ = cost.dL_dV(p["y"], x_prev, p["V1"], p["V0"], 0.5)
    assert np.all(z1 == 0)
    a1, _ = cost.dL_dV(p["y"], x_prev, p["V1"], p["V0"], 0.0)
    b1, _ = cost.dL_dV(p["y"], x_prev, p["V1"], p["V0"], 1.0)
    np.testing.assert_allclose(a1, -b1, atol=1e-14)


# ---------------------------------------------------------------------------
# O4–O8
# ---------------------------------------------------------------------------


def test_O4_second_derivative_is_positive():
    rng = np.random.default_rng(6)
    x, o, W1, W0, phi1, phi0 = _single(rng, T=1)
    h1, h0 = adaptive_thresholds(W1, W0, phi1, phi0)
    eps = 1e-4
    for j in range(x.shape[1]):
        def L(v):
            X = x.copy()
            X[0, j] = v
            return cost.step_cost(X, o, W1, W0, h1, h0)[0]

        v = x[0, j]
        fd2 = (L(v + eps) - 2 * L(v) + L(v - eps)) / eps**2
        exact = cost.d2L_dx2(v)
        assert abs(fd2 - exact) / exact <= 1e-5
        assert exact > 0


def test_O5_integration_reaches_fixed_point():
    rng = np.random.default_rng(7)
    _, o, W1, W0, phi1, phi0 = _single(rng, T=1)
    h1, h0 = adaptive_thresholds(W1, W0, phi1, phi0)
    xs = fixed_point(o[0], W1, W0, h1, h0)
    u = integrate_u(np.zeros(3), o[0], W1, W0, h1, h0, dt=0.05, n_steps=1000)
    assert np.abs(expit(u[-1]) - xs).max() <= 1e-8
    dt = float(np.min(xs * (1 - xs)))
    traj = integrate_x(np.full(3, 0.5), o[0], W1, W0, h1, h0, dt=dt, n_steps=int(40 / dt))
    assert np.abs(traj[-1] - xs).max() <= 1e-8


def test_O6_cost_at_fixed_point_is_minus_log_partition():
    rng = np.random.default_rng(8)
    _, o, W1, W0, phi1, phi0 = _single(rng, T=1)
    h1, h0 = adaptive_thresholds(W1, W0, phi1, phi0)
    xs = fixed_point(o[0], W1, W0, h1, h0)
    L_star = cost.step_cost(xs, o[0], W1, W0, h1, h0)
    assert abs(L_star - cost.cost_at_fixed_point(o[0], W1, W0, h1, h0)) <= 1e-10
    # and it is the minimum: any other x costs more
    for _ in range(20):
        x = rng.uniform(0.01, 0.99, xs.shape)
        assert cost.step_cost(x, o[0], W1, W0, h1, h0) > L_star


def test_O7_plasticity_ode_converges_to_closed_form():
    rng = np.random.default_rng(9)
    x, o, W1, _, _, _ = _single(rng, T=50)
    xo = x.T @ o / len(x)
    xm = x.mean(axis=0)
    traj = cost.integrate_plasticity(W1, xo, xm, dt=0.5, n_steps=4000)
    target = np.log(xo / xm[:, None]) - np.log(1 - xo / xm[:, None])
    assert np.abs(traj[-1] - target).max() <= 1e-6
    # closed-form weights from accumulated sums are the same stationary point
    hh = cost.accumulate_hebb_home(x, o, lam=1e-9)
    W1c, _ = hh.weights()
    np.testing.assert_allclose(W1c, target, atol=1e-6)


def test_O8_fixed_thresholds_give_pure_hebbian_rule():
    rng = np.random.default_rng(10)
    x, o, W1, W0, phi1, phi0 = _single(rng)
    h1, h0 = adaptive_thresholds(W1, W0, phi1, phi0)
    g1, g0 = cost.dL_dW_fixed_thresholds(x, o, W1, W0)
    assert np.array_equal(g1, -(x.T @ o)) and np.array_equal(g0, -((1 - x).T @ o))
    # the finite difference of the fixed-threshold cost agrees ...
    fd1 = _fd_grad(lambda A: cost.total_cost_fixed_thresholds(x, o, A, W0, h1, h0), W1)
    assert np.abs(fd1 - g1).max() <= 1e-6 * max(1, np.abs(g1).max())
    # ... and it does not depend on the weights at all (no homeostatic term): exact
    g1b, g0b = cost.dL_dW_fixed_thresholds(x, o, W1 + 5.0, W0 - 3.0)
    assert np.array_equal(g1, g1b) and np.array_equal(g0, g0b)
    # the difference to the adaptive rule is exactly the homeostatic term
    a1, _ = cost.dL_dW(x, o, W1, W0)
    np.testing.assert_allclose(a1 - g1, x.sum(0)[:, None] * expit(W1), atol=1e-12)


# ---------------------------------------------------------------------------
# Reconstruction, closed form, learning contrast
# ---------------------------------------------------------------------------


def test_reconstruct_cost_recovers_L_up_to_constant():
    rng = np.random.default_rng(11)
    _, o, W1, W0, phi1, phi0 = _single(rng, T=1)
    h1, h0 = adaptive_thresholds(W1, W0, phi1, phi0)
    path = cost.straight_path(np.array([0.05, 0.9, 0.3]), np.array([0.95, 0.1, 0.6]))
    R = cost.reconstruct_cost(path, o[0], W1, W0, h1, h0)
    L = cost.step_cost(path, np.repeat(o, len(path), axis=0), W1, W0, h1, h0)
    assert np.abs(R - (L - L[0])).max() <= 1e-10  # measured 6e-15
    # the naive antiderivative differs from L only by the x-independent W0 o + h0 (SPEC §3.1)
    x1 = path[:, :1]
    Lone = cost.step_cost(x1, np.repeat(o, len(path), axis=0), W1[:1], W0[:1], h1[:1], h0[:1])
    naive = cost.naive_integral(x1[:, 0]) - x1[:, 0] * ((W1[0] - W0[0]) @ o[0] + h1[0] - h0[0])
    const = Lone - naive
    np.testing.assert_allclose(const, -(W0[0] @ o[0] + h0[0]), atol=1e-12)


def test_closed_form_weights_zero_the_gradient_with_prior_counts():
    rng = np.random.default_rng(12)
    x, o, W1, W0, _, _ = _single(rng, T=30)
    lam, A1, A0 = 4.0, 0.3, 0.6
    hh = cost.accumulate_hebb_home(x, o, lam=lam, A1_hat=A1, A0_hat=A0)
    W1c, W0c = hh.weights()
    g1, g0 = cost.dL_dW(x, o, W1c, W0c)
    # -dL/dW plus the prior-count term lam (A_hat - sigma(W)) vanishes at the closed form
    np.testing.assert_allclose(-g1 + lam * (A1 - expit(W1c)), 0, atol=1e-10)
    np.testing.assert_allclose(-g0 + lam * (A0 - expit(W0c)), 0, atol=1e-10)


def test_adaptive_thresholds_converge_fixed_thresholds_run_away():
    rng = np.random.default_rng(13)
    No, Nx, T = 6, 2, 600
    s = rng.integers(0, 2, T)
    o = (rng.random((T, No)) < np.where(s[:, None] == 1, 0.8, 0.2)).astype(float)
    W1 = rng.normal(0, 0.1, (Nx, No))
    W0 = rng.normal(0, 0.1, (Nx, No))
    phi = np.log(np.full(Nx, 0.5))
    a1, _, _ = cost.learn_adaptive(o, W1, W0, phi, phi, eta=0.02)
    f1, _, _ = cost.learn_fixed_thresholds(o, W1, W0, phi, phi, eta=0.02)
    assert np.abs(a1).max() < 1.0  # bounded: measured 0.35
    assert np.abs(f1[-1]).max() > 1.8 * np.abs(f1[T // 2]).max()  # keeps growing (about linearly)
    assert np.abs(f1[-1]).max() > 5.0  # measured 5.7


def test_cost_terms_sum_to_step_cost():
    rng = np.random.default_rng(14)
    x, o, W1, W0, phi1, phi0 = _single(rng)
    h1, h0 = adaptive_thresholds(W1, W0, phi1, phi0)
    t = cost.cost_terms(x, o, W1, W0, h1, h0)
    np.testing.assert_allclose(t.entropy.sum(1) + t.synaptic.sum(1) + t.threshold.sum(1),
                               cost.step_cost(x, o, W1, W0, h1, h0), atol=1e-12)
    assert abs(t.total() - cost.total_cost(x, o, W1, W0, phi1, phi0)) <= 1e-12


# ---------------------------------------------------------------------------
# Bad input
# ---------------------------------------------------------------------------


def test_bad_input_names_parameter():
    rng = np.random.default_rng(15)
    x, o, W1, W0, phi1, phi0 = _single(rng)
    h1, h0 = adaptive_thresholds(W1, W0, phi1, phi0)
    with pytest.raises(ValueError, match="x must lie strictly between 0 and 1"):
        cost.step_cost(np.full_like(x, 1.0), o, W1, W0, h1, h0)
    with pytest.raises(ValueError, match="W0"):
        cost.dL_dW(x, o, W1, W0[:, :2])
    with pytest.raises(ValueError, match=r"o must have 4 time steps \(like x\)"):
        cost.step_cost(x, o[:2], W1, W0, h1, h0)
    with pytest.raises(ValueError, match="gamma"):
        p = _two_layer(rng)
        p["gamma"] = 1.5
        cost.total_cost_two_layer(**p)
    with pytest.raises(ValueError, match="path"):
        cost.reconstruct_cost(np.zeros((5, 3)), o[0], W1, W0, h1, h0)
    with pytest.raises(ValueError, match="home"):
        cost.closed_form_weights(np.ones(3), np.zeros(3))
    with pytest.raises(ValueError, match="eta"):
        cost.learn_adaptive(o, W1, W0, phi1, phi0, eta=-1)


# --- one neuron's cost curve and gradient flow (moved from the plots, issue 11 item 7) ------------
def test_cost_curve_minimum_at_fixed_point_and_flow_descends():
    x, L = cost.cost_curve(1.0, 2.0, 0.5, -0.3, 0.1)
    x_star = expit(2.0 - 0.5 - 0.3 - 0.1)
    assert abs(x[np.argmin(L)] - x_star) < 3e-3
    t, xt, Lt = cost.gradient_flow(1.0, 2.0, 0.5, -0.3, 0.1, x0=0.02)
    assert np.all(np.diff(Lt) <= 1e-12) and abs(xt[-1] - x_star) < 1e-2


def test_cost_curve_rejects_one_weight_for_two_inputs():
    with pytest.raises(ValueError, match="W1 and W0 must have one weight per input"):
        cost.cost_curve([1, 0], [1.0], [0.0, 0.0], 0.0, 0.0)

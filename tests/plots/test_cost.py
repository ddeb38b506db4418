"""Tests of fepteach.plots.cost (Lesson 02 figures)."""

from __future__ import annotations

import matplotlib.pyplot as plt
import numpy as np

from fepteach import cost
from fepteach.plots import cost as P


def test_plot_cost_curve_returns_axes_with_curve_and_trajectory():
    ax = P.plot_cost_curve([1, 0], [2.0, -1.0], [0.0, 0.5], -1.0, -0.5)
    assert ax.get_xlabel() == "firing rate x"
    assert len(ax.lines) == 3
    _, given = plt.subplots()
    assert P.plot_cost_curve(1, 1.0, 0.0, 0.0, 0.0, ax=given) is given


def test_plot_reconstruction_overlays_L():
    ax = P.plot_reconstruction(1, 1.5, -0.5, -0.2, -0.4)
    L = ax.lines[0].get_ydata()
    R = ax.lines[1].get_ydata()
    assert np.abs(L - R).max() < 1e-10  # Gauss-Legendre per segment: measured ~1e-14


def test_plasticity_contrast_and_convergence_plots():
    rng = np.random.default_rng(0)
    o = rng.integers(0, 2, (50, 3)).astype(float)
    W = rng.normal(size=(2, 3))
    phi = np.log([0.5, 0.5])
    Wa, _, _ = cost.learn_adaptive(o, W, W, phi, phi)
    Wf, _, _ = cost.learn_fixed_thresholds(o, W, W, phi, phi)
    ax = P.plot_plasticity_contrast(Wa, Wf)
    assert len(ax.lines) == 12 and ax.get_legend() is not None
    traj = cost.integrate_plasticity(W, np.full((2, 3), 0.2), np.array([0.5, 0.5]), n_steps=10)
    ax2 = P.plot_weight_convergence(traj, np.full((2, 3), np.log(0.4 / 0.6)))
    assert len(ax2.lines) == 12

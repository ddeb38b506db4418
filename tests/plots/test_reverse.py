"""Tests of the Lesson 05 figures (fepteach.plots.reverse)."""

from __future__ import annotations

import matplotlib.pyplot as plt
import numpy as np
import pytest

from fepteach.plots import reverse as P


def test_prior_grid_plot_diagonal():
    p = np.array([0.2, 0.5, 0.8])
    g = np.random.default_rng(0).random((3, 3, 2))
    ax = P.plot_prior_grid(p, g)
    thick = [ln for ln in ax.lines if ln.get_linewidth() > 2]
    np.testing.assert_allclose(thick[0].get_ydata(), np.diagonal(g[:, :, 0]))
    np.testing.assert_allclose(thick[1].get_ydata(), np.diagonal(g[:, :, 1]))


def test_prediction_scatter_reports_correlation():
    rng = np.random.default_rng(1)
    a = rng.random((32, 4))
    ax = P.plot_prediction_scatter(a, a + 0.001)
    assert "r = 1.0000" in ax.get_legend().get_texts()[0].get_text()


def test_prediction_trajectories_pairs_of_lines():
    rng = np.random.default_rng(2)
    a, b = rng.random((50, 32, 4)), rng.random((50, 32, 4))
    fig, ax = plt.subplots()
    out = P.plot_prediction_trajectories(a, b, n_lines=3, ax=ax)
    assert out is ax and len(ax.lines) == 6
    np.testing.assert_allclose(ax.lines[1].get_ydata(), b[:, 0, 0])
    assert ax.lines[1].get_linestyle() == "--"


def test_session_costs_weight_comparison_activity_prediction():
    ax = P.plot_session_costs([3.0, 2.0, 1.5])
    np.testing.assert_allclose(ax.lines[0].get_ydata(), [3.0, 2.0, 1.5])
    W = np.arange(6.0).reshape(2, 3)
    ax = P.plot_weight_comparison(W, W + 0.5)
    assert "0.5" in ax.get_legend().get_texts()[0].get_text()
    x = np.random.default_rng(3).random((100, 2))
    ax = P.plot_activity_prediction(x, x, neuron=1)
    assert "r = 1.0000" in ax.get_legend().get_texts()[0].get_text()


def test_prior_sweep_plot_draws_each_dataset_and_the_mean():
    p = np.array([0.3, 0.5, 0.7])
    g = np.random.default_rng(0).uniform(0.3, 0.7, size=(4, 3, 2))
    ax = P.plot_prior_sweep(p, g)
    lines = ax.get_lines()
    assert len(lines) == 2 * (4 + 1) + 2            # 4 datasets + mean per neuron, the identity and the 0.5 line
    means = [ln for ln in lines if ln.get_label().startswith("⟨x1⟩")]
    np.testing.assert_allclose(means[0].get_ydata(), g[:, :, 0].mean(axis=0))
    plt.close(ax.figure)

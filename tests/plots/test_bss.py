"""Tests of the Lesson 04 figures (fepteach.plots.bss)."""

from __future__ import annotations

import matplotlib.pyplot as plt
import numpy as np
import pytest

from fepteach import bss
from fepteach.plots import bss as P
from fepteach.plots.style import OKABE_ITO


@pytest.fixture(scope="module")
def run():
    d = bss.generate_data(2000, np.random.default_rng(0))
    return d, bss.simulate_bss(d.o, bss.initial_counts(), bss.prior_phi(0.5), bin_size=10)


def test_sources_and_observations_raster(run):
    d, _ = run
    ax = P.plot_sources_and_observations(d.s, d.o, t_max=50)
    img = ax.images[0].get_array()
    assert img.shape == (39, 50)
    np.testing.assert_array_equal(img[[0, 3]], d.s[:50].T)
    np.testing.assert_array_equal(img[7:], d.o[:50].T)


def test_synaptic_trajectories_with_targets(run):
    _, r = run
    ax = P.plot_synaptic_trajectories(r.abar_bins, bin_size=10)
    solid = [ln for ln in ax.lines if ln.get_linestyle() == "-"]
    assert len(solid) == 4
    np.testing.assert_allclose(solid[0].get_ydata(), r.abar_bins[:, :16, 0].mean(axis=1))
    targets = sorted(ln.get_ydata()[0] for ln in ax.lines if ln.get_linestyle() == "--")
    np.testing.assert_allclose(targets, [1 / 8, 3 / 8, 5 / 8, 7 / 8])


def test_response_scatter_uses_smoothed_curves(run):
    d, r = run
    fig, ax = plt.subplots()
    out = P.plot_response_scatter(r.x[:, 0], d.s[:, 0], ax=ax)
    assert out is ax
    curves = bss.smoothed_response(r.x[:, 0], d.s[:, 0])
    thick = [ln for ln in ax.lines if ln.get_linewidth() > 2]
    np.testing.assert_allclose(thick[0].get_ydata(), curves[0])
    assert thick[0].get_color() == OKABE_ITO["vermillion"]


def test_cost_landscape_marks_minimum_and_learned_point(run):
    d, r = run
    vals = np.array([0.0, 0.12, 0.24, 0.36])
    L = bss.cost_landscape(d.o, vals)
    ax = P.plot_cost_landscape(L, vals, learned=bss.learned_deviations(r.qa))
    assert ax.images[0].get_array().shape == (4, 4)
    labels = [ln.get_label() for ln in ax.lines]
    assert "learned synapses" in labels and "minima of L" in labels
    mins = ax.lines[labels.index("minima of L")]
    ii, jj = np.unravel_index(np.argmin(L), L.shape)
    assert set(mins.get_xdata()) == {vals[ii], vals[jj]}


def test_alpha_sweep_plot_single_and_seeds():
    p = np.array([0.1, 0.5, 0.9])
    corr = np.zeros((3, 2, 2))
    corr[:, 0, 0] = [0.6, 0.9, 0.58]
    corr[:, 1, 1] = [-0.55, -0.88, -0.6]
    ax = P.plot_alpha_sweep(p, corr)
    np.testing.assert_allclose(ax.lines[0].get_ydata(), [0.6, 0.9, 0.58])
    np.testing.assert_allclose(ax.lines[1].get_ydata(), [0.55, 0.88, 0.6])  # absolute values
    ax2 = P.plot_alpha_sweep(p, np.stack([corr, corr]))
    assert len(ax2.collections) == 2  # SD bands


def test_beta_sweep_plot():
    corr = np.zeros((3, 2, 2))
    corr[:, 0, 0] = [0.9, 0.5, -0.4]
    ax = P.plot_beta_sweep([0, 0.04, 0.08], corr)
    np.testing.assert_allclose(ax.lines[0].get_ydata(), [0.9, 0.5, -0.4])
    assert ax.get_ylim() == (-1, 1)

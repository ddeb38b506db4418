"""Tests of the Lesson 07 comparison figures (fepteach.plots.learning)."""

from __future__ import annotations

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt
import numpy as np

from fepteach import agent as ag
from fepteach.plots import learning as L


def test_agent_success_one_dot_per_agent_and_pooled_bar():
    d = {0.15: np.full((10, 3), 20000), 0.25: np.array([[100, 20000], [200, 300]])}
    ax = L.agent_success(d)
    dots = [ln for ln in ax.lines if ln.get_marker() == "o"]
    assert [len(ln.get_ydata()) for ln in dots] == [3, 2]
    np.testing.assert_allclose(dots[0].get_ydata(), 0.0)
    np.testing.assert_allclose(sorted(dots[1].get_ydata()), [0.5, 1.0])
    bars = [ln for ln in ax.lines if ln.get_marker() != "o"]
    assert bars[1].get_ydata()[0] == 0.75
    plt.close(ax.figure)


def test_agent_success_trial_window():
    d = {0.25: np.array([[20000], [5], [5]])}
    ax = L.agent_success(d, trials=(2, 3))
    assert ax.lines[0].get_ydata()[0] == 1.0
    plt.close(ax.figure)


def test_prior_estimate_draws_both_vectors():
    E_on = ag.decision_prior(0.15)[: ag.ND]
    ax = L.prior_estimate(E_on, E_on * 0.9)
    ys = [ln.get_ydata() for ln in ax.lines if len(ln.get_ydata()) == ag.ND]
    assert len(ys) == 2
    np.testing.assert_allclose(ys[1], E_on)
    plt.close(ax.figure)


def test_chunk_modulation_stacks_to_one():
    fr = {0.15: (0.8, 0.15, 0.05), 0.35: (0.2, 0.3, 0.5)}
    ax = L.chunk_modulation(fr)
    tops = {}
    for p in ax.patches:
        x = round(p.get_x() + p.get_width() / 2)
        tops[x] = max(tops.get(x, 0), p.get_y() + p.get_height())
    np.testing.assert_allclose(list(tops.values()), 1.0)
    assert len(ax.patches) == 6
    plt.close(ax.figure)


def test_column_occupancy_fractions_sum_to_one():
    cols = {0.15: np.array([1, 1, 1, 3]), 0.35: np.arange(1, 99, 2)}
    ax = L.column_occupancy(cols)
    assert len(ax.lines) == 2
    np.testing.assert_allclose(ax.lines[0].get_ydata(), [0.75, 0.25])
    np.testing.assert_allclose(np.sum(ax.lines[1].get_ydata()), 1.0)
    assert ax.get_yscale() == "log"
    plt.close(ax.figure)

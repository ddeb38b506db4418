"""Tests of the Lesson 06 figures (fepteach.plots.agent)."""

from __future__ import annotations

import matplotlib.pyplot as plt
import numpy as np

from fepteach import agent as ag
from fepteach.plots import agent as P


def test_modulation_line_and_maze_risks():
    fig, ax = plt.subplots()
    out = P.plot_modulation(ax=ax)
    assert out is ax
    line = [ln for ln in ax.lines if ln.get_label().startswith("g =")][0]
    np.testing.assert_allclose(line.get_ydata()[[0, 100, 200]], [1.0, 0.0, -1.0])
    dots = [ln for ln in ax.lines if ln.get_label() == "maze chunk risks"][0]
    np.testing.assert_allclose(sorted(dots.get_xdata()), [0.0, 0.45, 0.55])


def test_risk_mapping_points():
    d = np.array([-5.0, 0.0, 5.0, 10.000000000000009, 20.0])
    g = [ag.risk_of_progress(x) for x in d]
    ax = P.plot_risk_mapping(d, g)
    np.testing.assert_allclose(ax.lines[0].get_ydata(), [0.55, 0.55, 0.45, 0.0, 0.0])


def test_first_actions_lines_and_band():
    p = np.full((5, 4), 0.25)
    p[:, 3] += np.linspace(0, 0.04, 5)
    ax = P.plot_first_actions(p, band=np.full((5, 4), 0.01))
    assert [ln.get_label() for ln in ax.lines] == ["up", "down", "left", "right"]
    np.testing.assert_allclose(ax.lines[3].get_ydata(), p[:, 3])
    assert len(ax.collections) == 4


def test_credit_fit_and_chunk_bars():
    n = np.arange(10.0)
    ax = P.plot_credit(n, 0.5 * n - 1.0)
    fit = ax.lines[1]
    np.testing.assert_allclose(fit.get_ydata(), [-1.0, 3.5], atol=1e-9)
    ax = P.plot_chunk_risks([0.0, 0.55, 0.5], progress=[12, -3, 0])
    assert len(ax.patches) == 3 and len(ax.texts) == 3
    assert ax.texts[1].get_text() == "Δ=-3"

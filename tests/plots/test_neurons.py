"""Lesson 01 figures: each returns its axes and draws what it promises."""

import matplotlib.pyplot as plt
import numpy as np

from fepteach.plots import neurons as nplots
from fepteach.plots.style import CYCLE, show_figure


def test_plot_relaxation_one_line_per_neuron_plus_fixed_points():
    t = np.linspace(0, 5, 50)
    x = np.stack([1 - np.exp(-t) * 0.5, np.exp(-t) * 0.5], axis=1)
    ax = nplots.plot_relaxation(t, x, x_star=[1.0, 0.0])
    assert len(ax.get_lines()) == 4  # 2 trajectories + 2 dotted fixed points
    assert ax.get_lines()[0].get_color() == CYCLE[0]
    _, ax2 = plt.subplots()
    assert nplots.plot_relaxation(t, x[:, 0], ax=ax2) is ax2
    plt.close("all")


def test_plot_error_decay_is_log_scaled():
    ax = nplots.plot_error_decay(np.arange(5), [np.logspace(0, -4, 5), np.logspace(0, -2, 5)], ["u", "x"])
    assert ax.get_yscale() == "log" and len(ax.get_lines()) == 2
    plt.close("all")


def test_plot_leak_and_drive_marks_the_fixed_point():
    ax = nplots.plot_leak_and_drive(1.5)
    dot = ax.get_lines()[-1]
    assert np.isclose(dot.get_xdata()[0], 1 / (1 + np.exp(-1.5)))
    plt.close("all")


def test_show_figure_closes_the_figure_outside_ipython():
    fig, ax = plt.subplots()
    n = len(plt.get_fignums())
    show_figure(fig, caption="Figure 0. test", alt="nothing")
    assert len(plt.get_fignums()) == n - 1

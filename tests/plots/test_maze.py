"""Maze figures: each function draws on given axes, returns them, and shows the right data."""

import matplotlib.pyplot as plt
import numpy as np
import pytest

from fepteach import agent as ag
from fepteach import maze as mz
from fepteach.plots import maze as pm


def test_draw_maze_and_views():
    m = mz.make_maze(np.random.default_rng(0))
    fig, ax = plt.subplots()
    assert pm.draw_maze(m, np.array([[9, 1], [9, 3], [7, 3]]), ax=ax) is ax
    assert len(ax.images) == 1 and ax.lines[0].get_xdata().tolist() == [1, 3, 3]
    o = mz.observe(m, (9, 1))
    ax2 = pm.draw_view(o, title="o")
    assert np.array_equal(ax2.images[0].get_array(), o.reshape(11, 11, order="F"))


def test_draw_decision_map():
    pi = ag.selection_probabilities(ag.halves(ag.decision_prior(0.25))[0])
    ax = pm.draw_decision_map(pi)
    assert np.array_equal(ax.images[0].get_array(), ag.decision_map(pi))
    assert "right 0.25" in ax.get_title()


def test_learning_curves_with_reference():
    d = np.full((100, 3), 20000)
    d[50:] = 5000
    ax = pm.learning_curves(d, e_right=0.25, what="success")
    ours, ref = ax.lines[0], ax.lines[1]
    assert ours.get_ydata().tolist() == [0, 0, 0, 0.5, 1, 1] and ref.get_ydata()[-1] == 0.825
    ax = pm.learning_curves(d, e_right=0.3)  # no reference for a prior the paper did not use
    assert len(ax.lines) == 1
    with pytest.raises(ValueError, match="what"):
        pm.learning_curves(d, what="mean")

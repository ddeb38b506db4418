"""Tests of the Lesson 04 widget render function (fepteach.widgets.bss)."""

from __future__ import annotations

import numpy as np
import pytest

from fepteach import bss
from fepteach.widgets import bss as W


@pytest.fixture(scope="module")
def data():
    return bss.generate_data(bss.T_PAPER, np.random.default_rng(0))


def test_separation_collapses_for_a_wrong_prior(data):
    good, _ = W.separation_at_prior(0.5, data=data)
    bad, _ = W.separation_at_prior(0.05, data=data)
    assert good.min() >= 0.85
    assert bad.max() <= 0.65


def test_render_marks_the_chosen_prior(data):
    p = np.array([0.1, 0.5, 0.9])
    sweep = (p, bss.alpha_sweep(data, p))
    fig = W.render_implicit_prior(0.9, data=data, sweep=sweep)
    assert len(fig.axes) == 2
    title = fig.axes[0].get_title()
    assert "p₁ = 0.90" in title and "mixture" in title
    star = [ln for ln in fig.axes[0].lines if ln.get_label() == "your neuron 1"][0]
    assert star.get_xdata()[0] == 0.9
    fig2 = W.render_implicit_prior(0.5, 0.5, data=data)
    assert "(separated)" in fig2.axes[0].get_title()

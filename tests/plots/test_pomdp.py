"""Tests of fepteach.plots.pomdp (Lesson 03 figures)."""

from __future__ import annotations

import numpy as np
import pytest

from fepteach import cost, correspondence, pomdp
from fepteach.plots import pomdp as P

A = np.array([[0.8, 0.3], [0.6, 0.4], [0.2, 0.7], [0.4, 0.6]])
o = np.array([1.0, 0.0])


def test_plot_free_energy_vs_q():
    ax = P.plot_free_energy_vs_q(o, A, [0.3, 0.7], q_mark=0.8)
    assert len(ax.lines) == 3 and any("KL gap" in t.get_text() for t in ax.texts)


def test_plot_prior_sweep():
    ax = P.plot_prior_sweep(o, A)
    assert ax.get_xlabel().startswith("prior")


def test_matched_terms_bars_equal():
    rng = np.random.default_rng(1)
    Ab = pomdp.random_likelihood(4, 2, rng)
    bayes = correspondence.SingleLayerBayes(s_stacked=pomdp.stack(rng.uniform(.1, .9, (3, 2))), A=Ab, D=np.full(4, .5))
    net = correspondence.bayes_to_network(bayes)
    h1, h0 = net.thresholds()
    oo = rng.integers(0, 2, (3, 4)).astype(float)
    ax = P.plot_matched_terms(cost.cost_terms(net.x, oo, net.W1, net.W0, h1, h0),
                              pomdp.free_energy_terms(net.x, oo, np.log(Ab), np.log(bayes.D)))
    heights = [p.get_height() for p in ax.patches]
    assert len(heights) == 8
    np.testing.assert_allclose(heights[:4], heights[4:], atol=1e-12)

"""Tests of the Lesson 05 widget render function (fepteach.widgets.reverse)."""

from __future__ import annotations

import numpy as np
import pytest

from fepteach.widgets import reverse as W


def test_readout_recovers_a_wrong_prior_that_mean_activity_shrinks():
    res = W.prior_recovery(0.25, seed=1)
    np.testing.assert_allclose(res["p_readout"], 0.25, atol=0.02)
    assert np.all(res["p_mean"] > 0.27)  # pulled toward the data's 1/2
    assert res["odds"].shape == (10_000, 2)


def test_render_prior_recovery_panels():
    fig = W.render_prior_recovery(0.7, seed=2, T=3000)
    assert len(fig.axes) == 2
    assert "readout" in fig.axes[0].get_title()
    true_line = [ln for ln in fig.axes[0].lines if ln.get_label().startswith("true prior")][0]
    assert true_line.get_ydata()[0] == pytest.approx(0.7)

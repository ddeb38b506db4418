"""Tests of the Lesson 06 widget (fepteach.widgets.agent)."""

from __future__ import annotations

import numpy as np
import pytest

from fepteach import agent as ag
from fepteach.widgets import agent as W


def test_critic_run_uses_the_given_risks():
    run, q = W.critic_run((0.0, 0.55, 1.0), qci0=3000.0)
    np.testing.assert_array_equal(run.gammas, [0.0, 0.55, 1.0])
    assert run.p_first.shape == (4, 4) and q.shape == (2 * ag.NS,)
    np.testing.assert_allclose(run.p_first[0], 0.25, atol=1e-6)


def test_render_critic_panels_and_titles():
    fig = W.render_critic((0.0, 0.0, 0.0), qci0=300.0)
    assert len(fig.axes) == 3
    assert "P(right)" in fig.axes[1].get_title()
    assert "g = +1.00" in fig.axes[2].get_title()
    # credit panel: rising fitted line under low risk
    fit = fig.axes[2].lines[1].get_ydata()
    assert fit[1] > fit[0]


def test_render_critic_rejects_bad_risks():
    with pytest.raises(ValueError, match="gammas"):
        W.render_critic((0.0, 1.5))


def test_widget_wires_controls_to_the_render_function(monkeypatch):
    pytest.importorskip("ipywidgets")
    import matplotlib.pyplot as plt

    calls, original = [], W.render_critic
    monkeypatch.setattr(W, "render_critic", lambda gammas, **kw: calls.append(gammas) or original(gammas, **kw))
    box = W.critic_widget()
    controls = [w for row in box.children[:-1] for w in getattr(row, "children", [row])]
    assert {getattr(c, "description", "") for c in controls} >= {"Γ1", "Γ6", "initial qci"}
    assert all(not getattr(c, "continuous_update", False) for c in controls if hasattr(c, "continuous_update"))
    assert len(calls) == 1
    controls[0].value = 1.0  # the Γ1 slider: changing it redraws with the new risk
    assert len(calls) == 2 and calls[-1][0] == 1.0
    plt.close("all")

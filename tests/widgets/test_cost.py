"""Tests of the Lesson 02 widget render functions."""

from __future__ import annotations

import numpy as np
import pytest

from fepteach.widgets import cost as W


def test_render_cost_curve_two_panels():
    fig = W.render_cost_curve(o=1, w1=3.0, w0=-1.0, phi1=np.log(0.2), phi0=np.log(0.8), x0=0.9)
    assert len(fig.axes) == 2
    assert "W₁ = 3" in fig.axes[0].get_title()


def test_render_cost_curve_input_off_moves_minimum():
    f1 = W.render_cost_curve(o=1, w1=3.0, w0=0.0)
    f0 = W.render_cost_curve(o=0, w1=3.0, w0=0.0)
    xs1 = f1.axes[0].lines[2].get_xdata()[0]
    xs0 = f0.axes[0].lines[2].get_xdata()[0]
    assert xs1 > xs0


def test_render_plasticity():
    ax = W.render_plasticity(n_steps=60)
    assert ax.get_legend() is not None and len(ax.lines) > 0


def test_widget_wires_controls_to_the_render_function(monkeypatch):
    pytest.importorskip("ipywidgets")
    calls, original = [], W.render_cost_curve
    monkeypatch.setattr(W, "render_cost_curve", lambda **kw: calls.append(kw) or original(**kw))
    box = W.cost_widget()
    controls = [w for row in box.children[:-1] for w in getattr(row, "children", [row])]
    assert {getattr(c, "description", "") for c in controls} >= {"input o", "weight W₁", "threshold const φ₁"}
    assert all(not getattr(c, "continuous_update", False) for c in controls if hasattr(c, "continuous_update"))
    assert len(calls) == 1
    controls[2].value = -3.0  # the W₁ slider: changing it redraws with the new value
    assert len(calls) == 2 and calls[-1]["w1"] == -3.0

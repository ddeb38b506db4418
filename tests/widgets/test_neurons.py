"""Lesson 01 widget: the pure render function, and the wiring."""

import matplotlib.pyplot as plt
import numpy as np
import pytest

from fepteach.widgets.neurons import euler_x_path, relaxation_widget, render_relaxation


def test_render_draws_both_schemes_and_reports_stability():
    ax = render_relaxation(w=3.0, o=1, h=-1.0, x0=0.1, dt=0.05)
    labels = [l.get_label() for l in ax.get_lines()]
    assert any("u-form" in l for l in labels) and any("x-form" in l for l in labels)
    assert "stable" in ax.get_title() and "UNSTABLE" not in ax.get_title()
    ax2 = render_relaxation(w=6.0, o=1, h=0.0, dt=0.5)
    assert "UNSTABLE" in ax2.get_title()
    plt.close("all")


def test_x_form_path_converges_below_and_fails_above_the_limit():
    I = 2.0
    xs = 1 / (1 + np.exp(-I))
    limit = 2 * xs * (1 - xs)
    good = euler_x_path(0.5, I, 0.5 * limit, 400)
    assert abs(good[-1] - xs) < 1e-8
    bad = euler_x_path(0.5, I, 3 * limit, 400)
    assert np.isnan(bad).any() or abs(bad[-1] - xs) > 1e-3


def test_widget_wires_controls_to_the_render_function(monkeypatch):
    pytest.importorskip("ipywidgets")
    import fepteach.widgets.neurons as W

    calls = []
    monkeypatch.setattr(W, "render_relaxation", lambda **kw: calls.append(kw) or render_relaxation(**kw))
    box = W.relaxation_widget()
    sliders = [w for row in box.children[:-1] for w in getattr(row, "children", [row])]
    assert {getattr(s, "description", "") for s in sliders} >= {"w = W₁−W₀", "input o", "Euler step dt"}
    assert all(not getattr(s, "continuous_update", False) for s in sliders if hasattr(s, "continuous_update"))
    assert len(calls) == 1 and calls[0]["w"] == sliders[0].value  # drawn once with the initial values
    sliders[0].value = -2.0  # changing a control redraws with the new value
    assert len(calls) == 2 and calls[-1]["w"] == -2.0
    plt.close("all")

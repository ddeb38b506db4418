"""Tests of the Lesson 03 widget render functions."""

from __future__ import annotations

import numpy as np
import pytest

from fepteach.widgets import pomdp as W


def test_likelihood_from_sliders_is_normalised():
    A = W.likelihood_from_sliders(0.9, 0.2, 4)
    assert A.shape == (8, 2)
    np.testing.assert_allclose(A[:4] + A[4:], 1.0)


def test_render_bayes_panels_and_posterior_line():
    fig = W.render_bayes(D_on=0.3, p_on_given_on=0.9, p_on_given_off=0.2, n_active=3)
    assert len(fig.axes) >= 2
    # posterior line: with all inputs ON and strong likelihood the posterior exceeds the prior
    post = fig.axes[0].lines[2].get_xdata()[0]
    assert post > 0.3


def test_render_bayes_bad_n_active():
    with pytest.raises(ValueError, match="n_active"):
        W.render_bayes(n_active=5)


def test_widget_wires_controls_to_the_render_function(monkeypatch):
    pytest.importorskip("ipywidgets")
    calls, original = [], W.render_bayes
    monkeypatch.setattr(W, "render_bayes", lambda **kw: calls.append(kw) or original(**kw))
    box = W.bayes_widget()
    controls = [w for row in box.children[:-1] for w in getattr(row, "children", [row])]
    assert {getattr(c, "description", "") for c in controls} >= {"prior D_ON", "P(o=1 | s=1)", "a belief q"}
    assert all(not getattr(c, "continuous_update", False) for c in controls if hasattr(c, "continuous_update"))
    assert len(calls) == 1
    controls[0].value = 0.9  # changing a control redraws with the new value
    assert len(calls) == 2 and calls[-1]["D_on"] == 0.9

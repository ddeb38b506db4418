"""Lesson 01 widget: one rate neuron relaxing to its fixed point, in x-form and u-form (SPEC §2.1)."""

from __future__ import annotations

import numpy as np
from scipy.special import expit, logit

from .. import neurons
from ..plots.style import OKABE_ITO


def euler_x_path(x0: float, total_input: float, dt: float, n_steps: int) -> np.ndarray:
    """Explicit Euler steps of the x-form for one neuron, *without* the safety checks of
    :func:`fepteach.neurons.integrate_x`, so that an unstable step size can be shown.

    Stops (the rest is NaN) as soon as x leaves (0, 1), where eq. (1.1) is undefined.
    Returns shape (n_steps + 1,).
    """
    path = np.full(n_steps + 1, np.nan)
    x = float(x0)
    path[0] = x
    for k in range(n_steps):
        x = x + dt * (-logit(x) + total_input)
        if not 0.0 < x < 1.0:
            break
        path[k + 1] = x
    return path


def render_relaxation(w: float = 3.0, o: int = 1, h: float = -1.0, x0: float = 0.1, dt: float = 0.05, T: float = 8.0, ax=None):
    """Draw x(t) of one neuron, dx/dt = -logit(x) + w o + h, integrated in u-form and x-form.

    Parameters: ``w`` = W1 - W0 (the net synaptic weight of the single input), ``o`` the
    binary input, ``h`` = h1 - h0, ``x0`` the starting rate, ``dt`` the Euler step (units of tau).
    Returns the axes; the title reports the fixed point and the x-form's stability limit.
    """
    import matplotlib.pyplot as plt

    if ax is None:
        _, ax = plt.subplots(figsize=(6.4, 3.6), layout="constrained")
    n = max(1, int(round(T / dt)))
    W1, W0 = np.array([[w]]), np.zeros((1, 1))
    I = float(neurons.total_input([float(o)], W1, W0, [h], [0.0])[0])
    x_star = float(expit(I))
    t = np.arange(n + 1) * dt
    u_path = neurons.integrate_u([logit(x0)], [float(o)], W1, W0, [h], [0.0], dt=min(dt, 0.99), n_steps=n)[:, 0]
    x_path = euler_x_path(x0, I, dt, n)
    limit = neurons.max_stable_dt_x([x_star])
    ax.plot(t, expit(u_path), color=OKABE_ITO["blue"], label="u-form, then x = σ(u)")
    ax.plot(t, x_path, color=OKABE_ITO["vermillion"], linestyle="--", marker=".", markersize=4, label="x-form (Euler)")
    ax.axhline(x_star, color=OKABE_ITO["black"], linestyle=":", label="fixed point x*")
    ax.set_ylim(-0.02, 1.02)
    ax.set_xlabel("time t (units of τ)")
    ax.set_ylabel("firing rate x")
    state = "stable" if dt < limit else "UNSTABLE"
    ax.set_title(f"x* = {x_star:.4f};  x-form Euler stable for dt < {limit:.4f}: dt = {dt:g} is {state}", fontsize=9)
    if np.isnan(x_path).any():
        k = int(np.argmax(np.isnan(x_path)))
        ax.annotate("x left (0, 1)", (t[k - 1], x_path[k - 1]), color=OKABE_ITO["vermillion"], fontsize=8)
    ax.legend(frameon=False, fontsize=8, loc="lower right")
    return ax


def relaxation_widget():
    """Sliders for w, o, h, x0 and dt around :func:`render_relaxation` (JupyterLab, Colab, VS Code)."""
    import ipywidgets as widgets

    from ._wiring import STYLE, interactive, slider, toggle

    controls = {
        "w": slider(3.0, -6, 6, 0.25, "w = W₁−W₀"),
        "o": toggle([0, 1], 1, "input o"),
        "h": slider(-1.0, -6, 6, 0.25, "h = h₁−h₀"),
        "x0": slider(0.1, 0.01, 0.99, 0.01, "x(0)"),
        "dt": widgets.FloatLogSlider(value=0.05, base=10, min=-3, max=-0.05, step=0.05, description="Euler step dt",
                                     continuous_update=False, style=STYLE),
    }
    return interactive(render_relaxation, controls, [["w", "o"], ["h", "x0"], ["dt"]])

"""Lesson 02 widget: the cost L(x) of one neuron and the activity descending it (SPEC §3.1)."""

from __future__ import annotations

import numpy as np

from .. import cost
from ..plots import cost as cost_plots


def render_cost_curve(o: int = 1, w1: float = 2.0, w0: float = 0.0, phi1: float = np.log(0.5),
                      phi0: float = np.log(0.5), x0: float = 0.05, fig=None):
    """Two panels for one neuron with one binary input: L(x) with the gradient flow, and its reconstruction.

    The thresholds are adaptive (SPEC eq. 1.2): ``h1 = ln(1 - sigma(w1)) + phi1``, ``h0 = ln(1 - sigma(w0)) + phi0``.
    Returns the figure (two axes).
    """
    import matplotlib.pyplot as plt

    from ..neurons import adaptive_thresholds

    if fig is None:
        fig = plt.figure(figsize=(9.0, 3.4), layout="constrained")
    axes = fig.subplots(1, 2)
    W1, W0 = np.array([[w1]]), np.array([[w0]])
    h1, h0 = adaptive_thresholds(W1, W0, [phi1], [phi0])
    cost_plots.plot_cost_curve([float(o)], W1[0], W0[0], h1[0], h0[0], x0=x0, ax=axes[0])
    axes[0].set_title(f"o = {int(o)}, W₁ = {w1:g}, W₀ = {w0:g}, h₁ − h₀ = {h1[0] - h0[0]:.2f}", fontsize=9)
    cost_plots.plot_reconstruction([float(o)], W1[0], W0[0], h1[0], h0[0], ax=axes[1])
    axes[1].set_title("reconstruction from the activity equation", fontsize=9)
    return fig


def render_plasticity(eta: float = 0.05, n_steps: int = 1500, seed: int = 0, fig=None):
    """Online learning of a 2-neuron, 6-input network with adaptive vs fixed thresholds (SPEC §3.5).

    Inputs are noisy copies of one hidden binary cause. Returns the axes.
    """
    rng = np.random.default_rng(seed)
    No, Nx = 6, 2
    s = rng.integers(0, 2, n_steps)
    o = (rng.random((n_steps, No)) < np.where(s[:, None] == 1, 0.8, 0.2)).astype(float)
    W1 = rng.normal(0, 0.1, (Nx, No))
    W0 = rng.normal(0, 0.1, (Nx, No))
    phi = np.log(np.full(Nx, 0.5))
    Wa, _, _ = cost.learn_adaptive(o, W1, W0, phi, phi, eta=eta)
    Wf, _, _ = cost.learn_fixed_thresholds(o, W1, W0, phi, phi, eta=eta)
    return cost_plots.plot_plasticity_contrast(Wa, Wf, ax=None if fig is None else fig.subplots())


def cost_widget():
    """Sliders for input o, weights W1/W0 and threshold constants around :func:`render_cost_curve`."""
    from ._wiring import interactive, slider, toggle

    controls = {
        "o": toggle([0, 1], 1, "input o"),
        "x0": slider(0.05, 0.01, 0.99, 0.01, "x(0)"),
        "w1": slider(2.0, -5, 5, 0.25, "weight W₁"),
        "w0": slider(0.0, -5, 5, 0.25, "weight W₀"),
        "phi1": slider(float(np.log(0.5)), -5, 0, 0.1, "threshold const φ₁"),
        "phi0": slider(float(np.log(0.5)), -5, 0, 0.1, "threshold const φ₀"),
    }
    return interactive(render_cost_curve, controls, [["o", "x0"], ["w1", "w0"], ["phi1", "phi0"]])

"""Figures of Lesson 01: relaxation of rate neurons to their fixed point (SPEC §2)."""

from __future__ import annotations

import numpy as np

from .style import CYCLE, OKABE_ITO, new_axes


def plot_relaxation(t, x, x_star=None, ax=None, label="x(t)", linestyle="-", colors=None):
    """Firing rates over time (one line per neuron) with their fixed points as dotted lines.

    Shapes: t (T,), x (T, Nx) or (T,), x_star (Nx,) or scalar. Returns the axes.
    """
    ax = new_axes(ax)
    t = np.asarray(t, dtype=float)
    x = np.asarray(x, dtype=float).reshape(len(t), -1)
    colors = colors or CYCLE
    for j in range(x.shape[1]):
        ax.plot(t, x[:, j], linestyle=linestyle, color=colors[j % len(colors)], label=f"{label}, neuron {j + 1}" if x.shape[1] > 1 else label)
    if x_star is not None:
        for j, xs in enumerate(np.atleast_1d(np.asarray(x_star, dtype=float))):
            ax.axhline(xs, color=colors[j % len(colors)], linestyle=":", linewidth=1)
    ax.set_xlabel("time t (units of τ)")
    ax.set_ylabel("firing rate x")
    ax.set_ylim(-0.02, 1.02)
    return ax


def plot_error_decay(t, errors, labels, ax=None):
    """Distance to the fixed point over time on a log scale, one curve per scheme.

    Shapes: t (T,), errors: list of (T,) arrays. Returns the axes.
    """
    ax = new_axes(ax)
    for k, (err, lab) in enumerate(zip(errors, labels)):
        ax.semilogy(t, np.maximum(np.asarray(err, dtype=float), 1e-17), color=CYCLE[k % len(CYCLE)], label=lab)
    ax.set_xlabel("time t (units of τ)")
    ax.set_ylabel("max |x(t) − x*|")
    ax.legend(frameon=False)
    return ax


def plot_leak_and_drive(total_input, ax=None):
    """The two forces of eq. (1.1) for one neuron: the leak logit(x) and the constant drive.

    Where the curves cross, dx/dt = 0: the fixed point sigma(total input). Returns the axes.
    """
    ax = new_axes(ax)
    x = np.linspace(0.002, 0.998, 400)
    ax.plot(x, np.log(x) - np.log1p(-x), color=OKABE_ITO["blue"], label="leak  logit(x) = ln x − ln(1−x)")
    ax.axhline(total_input, color=OKABE_ITO["orange"], label="drive  (W₁−W₀)o + h₁ − h₀")
    xs = 1.0 / (1.0 + np.exp(-total_input))
    ax.plot([xs], [total_input], "o", color=OKABE_ITO["black"], label=f"fixed point x* = {xs:.3f}")
    ax.set_xlabel("firing rate x")
    ax.set_ylabel("membrane potential")
    ax.set_ylim(-7, 7)
    ax.legend(frameon=False, fontsize=8, loc="upper left")
    return ax

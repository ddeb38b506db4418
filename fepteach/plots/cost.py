"""Figures of Lesson 02: the cost function L reconstructed from the activity equation (SPEC §3)."""

from __future__ import annotations

import numpy as np

from .. import cost, neurons
from ..cost import _one_neuron  # the same argument handling as cost.cost_curve
from .style import CYCLE, OKABE_ITO, new_axes


def plot_cost_curve(o, W1, W0, h1, h0, x0: float = 0.05, dt: float = 0.05, n_steps: int = 120, ax=None):
    """L(x) of one neuron for the given input, weights and thresholds, with the gradient-flow trajectory on it.

    Dots mark the activity every few time steps from ``x0``; the star marks the fixed point
    x* = sigma((W1 - W0)·o + h1 - h0), the minimum of L (SPEC §2.3, §3.1). Returns the axes.
    """
    ax = new_axes(ax)
    x, L = cost.cost_curve(o, W1, W0, h1, h0)
    _, xt, Lt = cost.gradient_flow(o, W1, W0, h1, h0, x0=x0, dt=dt, n_steps=n_steps)
    oo, w1, w0, hh1, hh0 = _one_neuron(o, W1, W0, h1, h0)
    xs = float(neurons.fixed_point(oo, w1, w0, hh1, hh0)[0])
    Ls = cost.cost_at_fixed_point(oo, w1, w0, hh1, hh0)
    ax.plot(x, L, color=OKABE_ITO["blue"], label="cost L(x), (N6)")
    step = max(1, len(xt) // 25)
    ax.plot(xt[::step], Lt[::step], "o", color=OKABE_ITO["orange"], markersize=4, label="activity x(t) descending L")
    ax.plot([xs], [Ls], "*", color=OKABE_ITO["black"], markersize=12, label=f"fixed point x* = {xs:.3f}")
    ax.set_xlabel("firing rate x")
    ax.set_ylabel("cost L")
    ax.set_xlim(0, 1)
    ax.legend(frameon=False, fontsize=8)
    return ax


def plot_reconstruction(o, W1, W0, h1, h0, x_start: float = 0.02, x_end: float = 0.98, ax=None):
    """The cost L(x) of one neuron and its reconstruction by integrating the activity equation's RHS.

    The reconstruction (:func:`fepteach.cost.reconstruct_cost`) starts at ``x_start`` and is shifted by
    the single constant L(x_start) to lie on top of L. Returns the axes.
    """
    ax = new_axes(ax)
    oo, w1, w0, hh1, hh0 = _one_neuron(o, W1, W0, h1, h0)
    path = cost.straight_path(np.array([x_start]), np.array([x_end]), n_points=401)
    R = cost.reconstruct_cost(path, oo, w1, w0, hh1, hh0)
    L = cost.step_cost(path, np.repeat(oo[None, :], len(path), axis=0), w1, w0, hh1, hh0)
    ax.plot(path[:, 0], L, color=OKABE_ITO["blue"], linewidth=3, alpha=0.5, label="L(x), (N6)")
    ax.plot(path[:, 0], R + L[0], color=OKABE_ITO["vermillion"], linestyle="--",
            label="−∫ RHS of (N1) dx  + const")
    ax.plot(path[:, 0], R, color=OKABE_ITO["vermillion"], linestyle=":", alpha=0.7, label="−∫ RHS dx (constant = 0)")
    ax.set_xlabel("firing rate x")
    ax.set_ylabel("cost")
    ax.legend(frameon=False, fontsize=8)
    return ax


def plot_plasticity_contrast(W_adaptive, W_fixed, ax=None, max_lines: int = 12):
    """Synaptic weights over learning: adaptive thresholds (settle) vs fixed thresholds (run away) (SPEC §3.5).

    ``W_adaptive``, ``W_fixed``: weight trajectories (T+1, Nx, No) e.g. from
    :func:`fepteach.cost.learn_adaptive` and :func:`fepteach.cost.learn_fixed_thresholds`.
    Up to ``max_lines`` synapses of each are drawn. Returns the axes.
    """
    ax = new_axes(ax)
    Wa = np.asarray(W_adaptive, dtype=float)
    Wf = np.asarray(W_fixed, dtype=float)
    Wa = Wa.reshape(Wa.shape[0], -1)[:, :max_lines]
    Wf = Wf.reshape(Wf.shape[0], -1)[:, :max_lines]
    for k in range(Wa.shape[1]):
        ax.plot(Wa[:, k], color=OKABE_ITO["blue"], linewidth=1, label="adaptive thresholds (N4)" if k == 0 else None)
    for k in range(Wf.shape[1]):
        ax.plot(Wf[:, k], color=OKABE_ITO["vermillion"], linewidth=1, linestyle="--",
                label="fixed thresholds" if k == 0 else None)
    ax.set_xlabel("learning step")
    ax.set_ylabel("synaptic weight W₁")
    ax.legend(frameon=False, fontsize=8)
    return ax


def plot_weight_convergence(trajectory, target, dt: float = 1.0, ax=None, max_lines: int = 12):
    """Weights of the plasticity ODE converging to the closed form logit(<x o>/<x>) (SPEC §3.3, O7).

    ``trajectory``: (n+1, Nx, No) from :func:`fepteach.cost.integrate_plasticity`; ``target``: (Nx, No).
    Returns the axes.
    """
    ax = new_axes(ax)
    tr = np.asarray(trajectory, dtype=float)
    tr = tr.reshape(tr.shape[0], -1)[:, :max_lines]
    tg = np.asarray(target, dtype=float).ravel()[:max_lines]
    t = np.arange(tr.shape[0]) * dt
    for k in range(tr.shape[1]):
        c = CYCLE[k % len(CYCLE)]
        ax.plot(t, tr[:, k], color=c, linewidth=1)
        ax.axhline(tg[k], color=c, linestyle=":", linewidth=1)
    ax.set_xlabel("time (plasticity ODE)")
    ax.set_ylabel("W₁ (dotted: closed form)")
    return ax

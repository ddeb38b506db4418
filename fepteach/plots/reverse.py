"""Figures of Lesson 05: reverse engineering priors, synapses and learning from activity (SPEC §5.6, §6).

Every function takes ``ax=None`` (a new figure is made) and returns the axes.
"""

from __future__ import annotations

import numpy as np

from .style import OKABE_ITO, new_axes

NEURON_COLOURS = (OKABE_ITO["vermillion"], OKABE_ITO["blue"])


def plot_prior_grid(p_values, mean_x, ax=None):
    """Mean activity <x_j> versus the implicit prior p_j (SPEC §5.6 item 1, eq. 5.1).

    ``mean_x``: (P, P, 2) from :func:`fepteach.bss.prior_grid`. Thin lines: <x_j> against p_j for each value
    of the other neuron's prior; thick: the diagonal p₁ = p₂; dashed: the identity <x> = p (what a
    self-consistent network would show). Returns the axes.
    """
    ax = new_axes(ax)
    p = np.asarray(p_values, dtype=float)
    g = np.asarray(mean_x, dtype=float)
    for j, col in enumerate(NEURON_COLOURS):
        lines = g[:, :, 0] if j == 0 else g[:, :, 1].T  # rows indexed by the neuron's own prior
        for k in range(lines.shape[1]):
            ax.plot(p, lines[:, k], color=col, alpha=0.15, lw=1)
        ax.plot(p, np.diagonal(g[:, :, j]), "o-", color=col, lw=2.5, label=f"⟨x{j + 1}⟩ (p₁ = p₂)")
    ax.plot([0, 1], [0, 1], "--", color=OKABE_ITO["black"], lw=1, label="⟨x⟩ = p")
    ax.axhline(0.5, color=OKABE_ITO["green"], ls=":", lw=1, label="true prevalence 0.5")
    ax.set_xlim(p.min() - 0.05, p.max() + 0.05)
    ax.set_ylim(0, 1)
    ax.set_xlabel("implicit prior p_j (threshold constant φ₁ = ln p_j)")
    ax.set_ylabel("mean activity ⟨x_j⟩")
    ax.set_title("mean activity reveals the prior, shrunk toward the data", fontsize=9)
    ax.legend(fontsize=7, loc="upper left")
    return ax


def plot_prediction_scatter(true_final, pred_final, ax=None):
    """Final synapses of the true network versus those predicted from the estimated prior (SPEC §5.6 item 3).

    ``true_final``, ``pred_final``: arrays of the same shape (e.g. (No, 2*Ns) of P(o_i = 1 | s_j = b)).
    Returns the axes.
    """
    ax = new_axes(ax, figsize=(4.0, 4.0))
    a = np.asarray(true_final, dtype=float).ravel()
    b = np.asarray(pred_final, dtype=float).ravel()
    r = np.corrcoef(a, b)[0, 1]
    ax.plot([0, 1], [0, 1], "--", color=OKABE_ITO["black"], lw=1)
    ax.plot(a, b, "o", color=OKABE_ITO["blue"], ms=4, alpha=0.7, label=f"{a.size} synapses, r = {r:.4f}")
    ax.set_xlim(0, 1)
    ax.set_ylim(0, 1)
    ax.set_aspect("equal")
    ax.set_xlabel("true network: final Ā")
    ax.set_ylabel("predicted network: final Ā")
    ax.set_title("predicted vs actual synapses", fontsize=9)
    ax.legend(fontsize=7, loc="upper left")
    return ax


def plot_prediction_trajectories(true_bins, pred_bins, bin_size: int = 10, n_lines: int = 8, ax=None):
    """Synaptic trajectories of the true network (solid) and of the prediction (dashed) (SPEC §5.6 item 3).

    ``true_bins``, ``pred_bins``: (n_bins, No, C) bin means; ``n_lines`` synapses (spread over the inputs, first
    column) are drawn. Returns the axes.
    """
    ax = new_axes(ax)
    a = np.asarray(true_bins, dtype=float)
    b = np.asarray(pred_bins, dtype=float)
    t = (np.arange(a.shape[0]) + 1) * bin_size
    from .style import CYCLE

    picks = np.linspace(0, a.shape[1] - 1, n_lines).astype(int)
    for k, i in enumerate(picks):
        col = CYCLE[k % len(CYCLE)]
        ax.plot(t, a[:, i, 0], color=col, lw=1.5, label="true" if k == 0 else None)
        ax.plot(t, b[:, i, 0], "--", color=col, lw=1.5, label="predicted" if k == 0 else None)
    ax.set_ylim(0, 1)
    ax.set_xlabel("time step t")
    ax.set_ylabel("Ā(o_i = 1 | s₁ = 1)")
    ax.set_title("synaptic trajectories in a new environment", fontsize=9)
    ax.legend(fontsize=7, loc="lower right")
    return ax


def plot_session_costs(L, ax=None, label: str = "reconstructed cost"):
    """Per-session cost reconstructed from activity (SPEC §6.3). ``L``: (S,). Returns the axes."""
    ax = new_axes(ax)
    L = np.asarray(L, dtype=float)
    ax.plot(np.arange(1, L.size + 1), L, "o-", ms=3, color=OKABE_ITO["blue"], label=label)
    ax.set_xlabel("session")
    ax.set_ylabel("cost L per session (nats)")
    ax.set_title("the cost falls as the network learns", fontsize=9)
    ax.legend(fontsize=7)
    return ax


def plot_weight_comparison(W_true, W_est, ax=None):
    """Estimated weights versus the network's own (SPEC §6.3). Arrays of the same shape. Returns the axes."""
    ax = new_axes(ax, figsize=(4.0, 4.0))
    a = np.asarray(W_true, dtype=float).ravel()
    b = np.asarray(W_est, dtype=float).ravel()
    lo, hi = float(min(a.min(), b.min())), float(max(a.max(), b.max()))
    ax.plot([lo, hi], [lo, hi], "--", color=OKABE_ITO["black"], lw=1)
    ax.plot(a, b, "o", color=OKABE_ITO["orange"], ms=4, alpha=0.7, label=f"max |Δ| = {np.abs(a - b).max():.3g}")
    ax.set_xlabel("network's weights W")
    ax.set_ylabel("weights estimated from (o, x)")
    ax.set_title("synapses reconstructed from activity", fontsize=9)
    ax.legend(fontsize=7, loc="upper left")
    return ax


def plot_activity_prediction(x_observed, x_predicted, neuron: int = 0, max_points: int = 3000, ax=None):
    """Observed versus predicted activity of one neuron after the estimation window (SPEC §6.3 item 3).

    ``x_observed``, ``x_predicted``: (T, Nx). Returns the axes.
    """
    ax = new_axes(ax, figsize=(4.0, 4.0))
    a = np.asarray(x_observed, dtype=float)[:, neuron]
    b = np.asarray(x_predicted, dtype=float)[:, neuron]
    idx = np.linspace(0, a.size - 1, min(a.size, max_points)).astype(int)
    ax.plot([0, 1], [0, 1], "--", color=OKABE_ITO["black"], lw=1)
    ax.plot(a[idx], b[idx], ".", ms=2, color=NEURON_COLOURS[neuron % 2], alpha=0.5,
            label=f"r = {np.corrcoef(a, b)[0, 1]:.4f}")
    ax.set_xlim(0, 1)
    ax.set_ylim(0, 1)
    ax.set_aspect("equal")
    ax.set_xlabel(f"observed x{neuron + 1}")
    ax.set_ylabel(f"predicted x{neuron + 1}")
    ax.set_title("predicted vs observed activity", fontsize=9)
    ax.legend(fontsize=7, loc="upper left")
    return ax


def plot_prior_sweep(p_values, mean_x, ax=None):
    """Mean activity <x_j> against the implicit prior p over several datasets: mean ± SD with each dataset thin.

    ``mean_x``: (D, P, 2) from :func:`fepteach.bss.prior_sweep_over_datasets`. Thin lines: one dataset each;
    thick line and band: mean ± SD over datasets; dashed: the identity <x> = p (what a network whose prior
    matched its inputs would show). Returns the axes.
    """
    ax = new_axes(ax)
    p = np.asarray(p_values, dtype=float)
    g = np.asarray(mean_x, dtype=float)
    for j, col in enumerate(NEURON_COLOURS):
        for row in g[:, :, j]:
            ax.plot(p, row, color=col, alpha=0.3, lw=0.8)
        m, sd = g[:, :, j].mean(axis=0), g[:, :, j].std(axis=0, ddof=1) if g.shape[0] > 1 else np.zeros(p.size)
        ax.fill_between(p, m - sd, m + sd, color=col, alpha=0.15, lw=0)
        ax.plot(p, m, "o-", color=col, lw=2.5, ms=4, label=f"⟨x{j + 1}⟩, mean ± SD over {g.shape[0]} datasets")
    ax.plot([0, 1], [0, 1], "--", color=OKABE_ITO["black"], lw=1, label="⟨x⟩ = p")
    ax.axhline(0.5, color=OKABE_ITO["green"], ls=":", lw=1, label="true prevalence 0.5")
    ax.set_xlim(p.min() - 0.05, p.max() + 0.05)
    ax.set_ylim(0, 1)
    ax.set_xlabel("implicit prior p (threshold constant φ₁ = ln p, both neurons)")
    ax.set_ylabel("mean activity ⟨x_j⟩")
    ax.set_title("mean activity rises with the prior on average, shrunk toward the data", fontsize=9)
    ax.legend(fontsize=8, loc="upper left")
    return ax

"""Figures of Lesson 04: blind source separation by Hebbian plasticity (SPEC §5).

Every function takes ``ax=None`` (a new figure is made) and returns the axes.
"""

from __future__ import annotations

import numpy as np

from .. import bss
from .style import OKABE_ITO, SEQUENTIAL_CMAP, new_axes

SOURCE_COLOURS = (OKABE_ITO["vermillion"], OKABE_ITO["blue"])  # s = 1, s = 0


def plot_sources_and_observations(s, o, t_max: int = 80, ax=None):
    """Raster of the two hidden sources (top rows) above the 32 mixed observations (SPEC §5.1).

    ``s``: (T, 2), ``o``: (T, No), both 0/1; the first ``t_max`` steps are drawn. Black = 1 (ON).
    Returns the axes.
    """
    from matplotlib.colors import ListedColormap

    ax = new_axes(ax, figsize=(8.0, 4.0))
    s = np.asarray(s, dtype=float)[:t_max]
    o = np.asarray(o, dtype=float)[:t_max]
    gap = np.full((1, s.shape[0]), np.nan)
    img = np.vstack([np.repeat(s.T, 3, axis=0), gap, o.T])  # sources drawn 3 rows tall
    cmap = ListedColormap(["#FFFFFF", OKABE_ITO["black"]]).with_extremes(bad=OKABE_ITO["skyblue"])
    ax.imshow(img, aspect="auto", interpolation="nearest", cmap=cmap, vmin=0, vmax=1)
    no = o.shape[1]
    ax.set_yticks([1, 4, 7, 7 + no // 2 - 1, 7 + no // 2, 6 + no])
    ax.set_yticklabels(["source s₁", "source s₂", "o₁", f"o{no // 2}", f"o{no // 2 + 1}", f"o{no}"], fontsize=8)
    ax.axhline(6.5 + no // 2, color=OKABE_ITO["orange"], lw=1.5)
    ax.set_xlabel("time step t")
    ax.set_title("hidden sources (top) and the mixed observations the network sees (black = 1)", fontsize=9)
    return ax


def plot_synaptic_trajectories(abar_bins, bin_size: int = 10, ax=None):
    """Learning curves of the synapses approaching their targets 7/8, 5/8, 3/8, 1/8 (SPEC §5.1, §5.4).

    ``abar_bins``: (n_bins, No, 2*Ns) bin means of P(o_i = 1 | s_j = b) (from :class:`fepteach.bss.BSSRun`).
    Curves: first-half inputs averaged, for (s₁ = 1, s₁ = 0, s₂ = 1, s₂ = 0); dashed: the true single-factor
    likelihoods. Returns the axes.
    """
    ax = new_axes(ax)
    a = np.asarray(abar_bins, dtype=float)
    half = a.shape[1] // 2
    t = (np.arange(a.shape[0]) + 1) * bin_size
    target = bss.true_single_factor_likelihoods()[0]
    labels = ["P(o=1 | s₁=1)", "P(o=1 | s₂=1)", "P(o=1 | s₁=0)", "P(o=1 | s₂=0)"]
    colours = [OKABE_ITO["vermillion"], OKABE_ITO["orange"], OKABE_ITO["blue"], OKABE_ITO["skyblue"]]
    for c in (0, 2, 1, 3):
        ax.plot(t, a[:, :half, c].mean(axis=1), color=colours[c], label=labels[c])
        ax.axhline(target[c], color=colours[c], ls="--", lw=1)
    ax.set_ylim(0, 1)
    ax.set_xlabel("time step t")
    ax.set_ylabel("synapse  σ(W) = Ā (inputs 1–16)")
    ax.set_title("Hebbian learning: synapses approach the true likelihoods (dashed)", fontsize=9)
    ax.legend(fontsize=7, loc="center right")
    return ax


def plot_response_scatter(x_j, s_j, curves=None, ax=None, max_points: int = 4000, neuron: int = 1):
    """Activity of one neuron over time, coloured by its source, with the smoothed curves of SPEC §5.4.

    ``x_j``, ``s_j``: (T,); ``curves``: (2, T) from :func:`fepteach.bss.smoothed_response` (computed if None).
    Returns the axes.
    """
    ax = new_axes(ax)
    x_j = np.asarray(x_j, dtype=float)
    s_j = np.asarray(s_j, dtype=float)
    curves = bss.smoothed_response(x_j, s_j) if curves is None else np.asarray(curves)
    T = x_j.size
    t = np.arange(1, T + 1)
    idx = np.linspace(0, T - 1, min(T, max_points)).astype(int)
    for row, (cond, col) in enumerate(zip((1, 0), SOURCE_COLOURS)):
        m = idx[s_j[idx] == cond]
        ax.plot(t[m], x_j[m], ".", ms=1.5, color=col, alpha=0.4)
        ax.plot(t, curves[row], color=col, lw=2.5, label=f"s{neuron} = {cond} (smoothed)")
    ax.set_ylim(0, 1)
    ax.set_xlabel("time step t")
    ax.set_ylabel(f"activity x{neuron}")
    ax.set_title(f"neuron {neuron} learns to report source {neuron}", fontsize=9)
    ax.legend(fontsize=7, loc="center right")
    return ax


def plot_cost_landscape(L, d_values=None, learned=None, ax=None):
    """Heatmap of the frozen-parameter cost landscape (SPEC §5.4) with its minima and the learned point.

    ``L``: (n, n) from :func:`fepteach.bss.cost_landscape`; ``d_values``: (n,) deviations d1 (rows) and d2
    (columns), default 0.02 * (0..24); ``learned``: (d1, d2) from :func:`fepteach.bss.learned_deviations`.
    Returns the axes.
    """
    ax = new_axes(ax, figsize=(5.0, 4.2))
    L = np.asarray(L, dtype=float)
    d = 0.02 * np.arange(L.shape[0]) if d_values is None else np.asarray(d_values, dtype=float)
    step = d[1] - d[0] if d.size > 1 else 1.0
    ext = (d[0] - step / 2, d[-1] + step / 2, d[0] - step / 2, d[-1] + step / 2)
    im = ax.imshow(L.T, origin="lower", extent=ext, cmap=SEQUENTIAL_CMAP, aspect="equal")
    ax.figure.colorbar(im, ax=ax, label="cost L (nats)")
    ii, jj = np.unravel_index(np.argmin(L), L.shape)
    ax.plot([d[ii], d[jj]], [d[jj], d[ii]], "s", mfc="none", mec=OKABE_ITO["orange"], ms=9, mew=2, label="minima of L")
    ax.plot([0.375], [0.125], "+", color=OKABE_ITO["black"], ms=12, mew=2, label="true (3/8, 1/8)")
    if learned is not None:
        ax.plot([learned[0]], [learned[1]], "*", color=OKABE_ITO["vermillion"], mec="white", ms=16, label="learned synapses")
    ax.set_xlabel("d₁ (strong source deviation)")
    ax.set_ylabel("d₂ (weak source deviation)")
    ax.set_title("cost landscape with frozen synapses", fontsize=9)
    ax.legend(fontsize=7, loc="upper left")
    return ax


def _mean_sd(values):
    v = np.asarray(values, dtype=float)
    if v.ndim == 1:
        return v, None
    return v.mean(axis=0), v.std(axis=0)


def plot_alpha_sweep(p_values, corr, ax=None):
    """|corr(s_j, x_j)| versus the implicit prior p (SPEC §5.5.1).

    ``corr``: (P, Ns, Nx) from :func:`fepteach.bss.alpha_sweep`, or (seeds, P, Ns, Nx) for mean ± SD.
    Returns the axes.
    """
    ax = new_axes(ax)
    p = np.asarray(p_values, dtype=float)
    c = np.abs(np.asarray(corr, dtype=float))
    matched = np.diagonal(c, axis1=-2, axis2=-1)  # (..., P, 2)
    for j, col in enumerate((OKABE_ITO["vermillion"], OKABE_ITO["blue"])):
        m, sd = _mean_sd(matched[..., j])
        ax.plot(p, m, "o-", color=col, label=f"neuron {j + 1}")
        if sd is not None:
            ax.fill_between(p, m - sd, m + sd, color=col, alpha=0.2)
    ax.axvline(0.5, color=OKABE_ITO["black"], ls=":", lw=1, label="true prevalence 0.5")
    ax.axhline(1 / np.sqrt(3), color=OKABE_ITO["green"], ls="--", lw=1, label="1/√3 (encodes a mixture)")
    ax.set_xlabel("implicit prior p = exp(φ₁)")
    ax.set_ylabel("|corr(s_j, x_j)|")
    ax.set_ylim(0, 1)
    ax.set_title("separation is best when the implicit prior matches the world", fontsize=9)
    ax.legend(fontsize=7, loc="lower center")
    return ax


def plot_beta_sweep(beta_scales, corr, ax=None):
    """Matched corr(s_j, x_j) versus the size of deviations from the canonical form (SPEC §5.5.2, clean variant).

    ``corr``: (S, Ns, Nx) from :func:`fepteach.bss.beta_sweep`, or (seeds, S, Ns, Nx). Signed values are shown:
    large deviations make separation erratic (even anti-correlated). Returns the axes.
    """
    ax = new_axes(ax)
    b = np.asarray(beta_scales, dtype=float)
    c = np.asarray(corr, dtype=float)
    matched = np.diagonal(c, axis1=-2, axis2=-1)
    for j, col in enumerate((OKABE_ITO["vermillion"], OKABE_ITO["blue"])):
        if matched.ndim == 3:
            for k in range(matched.shape[0]):
                ax.plot(b, matched[k, :, j], ".", color=col, alpha=0.35)
        m, _ = _mean_sd(matched[..., j])
        ax.plot(b, m, "o-", color=col, label=f"neuron {j + 1}")
    ax.axhline(0, color=OKABE_ITO["black"], lw=0.8)
    ax.set_xlabel("deviation scale  sd(β)")
    ax.set_ylabel("corr(s_j, x_j)")
    ax.set_ylim(-1, 1)
    ax.set_title("how far can a network deviate from the canonical form?", fontsize=9)
    ax.legend(fontsize=7, loc="lower left")
    return ax

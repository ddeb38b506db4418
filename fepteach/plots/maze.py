"""Figures of the maze lessons (P2 Fig. 4–5 style): maze and trajectory, 11x11 views, decision map, learning curves.

Every function takes ``ax=None`` (a new figure is made) and returns the axes.
"""

from __future__ import annotations

import numpy as np

from .. import agent as ag
from .. import maze as mz
from .style import OKABE_ITO, SEQUENTIAL_CMAP, new_axes

PRIOR_COLOURS = {0.15: OKABE_ITO["black"], 0.25: OKABE_ITO["blue"], 0.35: OKABE_ITO["skyblue"]}


def draw_maze(maze, positions=None, ax=None, *, recent: int | None = None):
    """The maze (walls dark) with an optional trajectory ``positions`` ((n, 2) 0-based rows, columns).

    ``recent`` limits the drawn path to its last ``recent`` positions (as in P2 Fig. 4).
    """
    ax = new_axes(ax, figsize=(9.0, 2.2))
    maze = np.asarray(maze)
    ax.imshow(maze, cmap="Greys", vmin=0, vmax=1.4, interpolation="nearest")
    if positions is not None and len(positions):
        p = np.asarray(positions)
        if recent is not None:
            p = p[-recent:]
        ax.plot(p[:, 1], p[:, 0], color=OKABE_ITO["vermillion"], lw=1.0, alpha=0.8)
        ax.plot(p[-1, 1], p[-1, 0], "o", color=OKABE_ITO["orange"], ms=5)
    ny, nx = maze.shape
    ax.plot(1, ny // 2, "s", color=OKABE_ITO["green"], ms=5, label="start")
    ax.plot(nx - 1, ny // 2, "*", color=OKABE_ITO["yellow"], ms=9, mec="k", label="goal")
    ax.set_xticks([])
    ax.set_yticks([])
    return ax


def draw_view(vector, ax=None, *, title: str | None = None, vmin: float = 0.0, vmax: float = 1.0):
    """An 11x11 image from a column-major 121-vector: an observation o_t or a posterior q_t (SPEC §8.4)."""
    ax = new_axes(ax, figsize=(2.6, 2.6))
    v = np.asarray(vector, dtype=float)[:121]
    img = v.reshape(11, 11, order="F")
    ax.imshow(img, cmap=SEQUENTIAL_CMAP, vmin=vmin, vmax=vmax, interpolation="nearest")
    ax.plot(5, 5, "+", color=OKABE_ITO["vermillion"], ms=8)
    ax.set_xticks([])
    ax.set_yticks([])
    if title:
        ax.set_title(title)
    return ax


def draw_decision_map(pi, ax=None):
    """Draw :func:`fepteach.agent.decision_map`; the title gives the total probabilities of 'left' and 'right' first actions."""
    ax = new_axes(ax, figsize=(2.6, 2.6))
    pi = np.asarray(pi, dtype=float)
    ax.imshow(ag.decision_map(pi), cmap=SEQUENTIAL_CMAP, vmin=0, vmax=1, interpolation="nearest")
    p_left, p_right = ag.first_action_probabilities(pi)[[mz.LEFT, mz.RIGHT]]
    ax.set_title(f"left {p_left:.2f}  right {p_right:.2f}", fontsize=9)
    ax.set_xticks([])
    ax.set_yticks([])
    return ax


def learning_curves(durations, ax=None, *, e_right: float | None = None, T: int = 20000, what: str = "median",
                    reference: str | None = "samples_1_20", label: str = "ours", colour: str | None = None):
    """Block medians (``what="median"``) or success rates (``"success"``) per trial block.

    ``durations`` is (trials, agents). When ``e_right`` is one of the paper's values and
    ``reference`` names a table of :mod:`fepteach.data.maze_reference`, the authors' block
    values are drawn beside ours (open markers, dashed).
    """
    from ..data.maze_reference import PAPER_LABEL, reference_blocks

    if what not in ("median", "success"):
        raise ValueError(f"what must be 'median' or 'success'; got {what!r}")
    ax = new_axes(ax)
    col = 2 if what == "median" else 3
    rows = ag.block_summary(durations, T)
    if colour is None:
        colour = PRIOR_COLOURS.get(round(e_right, 2) if e_right is not None else None, OKABE_ITO["blue"])
    x = [(a + b) / 2 for a, b, *_ in rows]
    ax.plot(x, [r[col] for r in rows], "o-", color=colour, label=label)
    ref = reference_blocks(e_right, reference) if (e_right is not None and reference) else None
    if ref is not None:
        xr = [(a + b) / 2 for a, b, *_ in ref]
        which = {"samples_1_20": "s1-20", "samples_11_20": "s11-20", "samples_21_30": "s21-30"}[reference]
        ax.plot(xr, [r[col] for r in ref], "s--", mfc="none", color=colour, alpha=0.7,
                label=f"authors {which} ({PAPER_LABEL.get(round(e_right, 2), e_right)})")
    ax.set_xlabel("trial")
    ax.set_ylabel("median time to goal (steps)" if what == "median" else "success rate (goal reached)")
    if what == "success":
        ax.set_ylim(0, 1)
    ax.legend(fontsize=8)
    return ax


def learning_curves_figure(results):
    """Two panels (median time-to-goal, success rate) for a :class:`fepteach.experiment.MazeResults`.

    For the paper protocol, samples 1–20 are compared with the authors' samples 1–20 (Table 1 of
    reference_results.md) and samples 21–30 with their samples 21–30 (Table 3).
    """
    import matplotlib.pyplot as plt

    cfg = results.config
    fig, axes = plt.subplots(1, 2, figsize=(10, 3.6), layout="constrained")
    d = results.durations
    if cfg.protocol == "paper" and d.shape[1] >= 30:
        for what, ax in zip(("median", "success"), axes):
            learning_curves(d[:, :20], ax, e_right=cfg.prior, T=cfg.T, what=what, label="ours, samples 1-20")
            learning_curves(d[:, 20:30], ax, e_right=cfg.prior, T=cfg.T, what=what, reference="samples_21_30",
                            label="ours, samples 21-30 (estimated prior)", colour=OKABE_ITO["orange"])
    else:
        for what, ax in zip(("median", "success"), axes):
            learning_curves(d, ax, e_right=cfg.prior, T=cfg.T, what=what, label=f"ours ({d.shape[1]} agents)")
    fig.suptitle(f"maze agents, e_right = {cfg.prior} ({cfg.protocol})")
    return fig


# --- added for Lesson 07's decision-map change (lessb) -------------------------------------------
def decision_map_raw(pi) -> np.ndarray:
    """Like :func:`decision_map` without the scaling: each cell holds the largest pi among the sequences ending there
    (0 where no sequence ends)."""
    pi = np.asarray(pi, dtype=float)
    out = np.zeros((11, 11))
    for l in range(256):
        ks = [(l >> 6) & 3, (l >> 4) & 3, (l >> 2) & 3, l & 3]
        dr = sum((k == 1) - (k == 0) for k in ks)
        dc = sum((k == 3) - (k == 2) for k in ks)
        out[5 + dr, 5 + dc] = max(out[5 + dr, 5 + dc], pi[l])
    return out


def draw_decision_change(pi, pi_prior, ax=None, *, vmax: float | None = None):
    """The decision map relative to the prior: log2 of (largest pi ending in a cell) / (the same under ``pi_prior``),
    on a diverging scale from -vmax to +vmax with a colour bar (cells no sequence reaches are blank).

    ``vmax`` default: the largest absolute log-ratio of this map (at least 0.05), so that small changes stay visible."""
    from .style import DIVERGING_CMAP

    ax = new_axes(ax, figsize=(3.0, 2.6))
    a, b = decision_map_raw(pi), decision_map_raw(pi_prior)
    reach = b > 0
    ratio = np.full(a.shape, np.nan)
    ratio[reach] = np.log2(np.maximum(a[reach], 1e-300) / b[reach])
    if vmax is None:
        vmax = max(0.05, float(np.nanmax(np.abs(ratio))))
    im = ax.imshow(np.clip(ratio, -vmax, vmax), cmap=DIVERGING_CMAP, vmin=-vmax, vmax=vmax, interpolation="nearest")
    ax.plot(5, 5, "+", color="k", ms=8)
    cb = ax.figure.colorbar(im, ax=ax, fraction=0.046, pad=0.04)
    cb.set_label("log2(pi / prior pi)", fontsize=8)
    cb.ax.tick_params(labelsize=8)
    pi = np.asarray(pi, float)
    ax.set_title(f"left {pi[128:192].sum():.2f}  right {pi[192:].sum():.2f}", fontsize=9)
    ax.set_xticks([])
    ax.set_yticks([])
    return ax

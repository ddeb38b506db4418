"""Figures of Lesson 07 that compare agents: spread over agents, the estimated decision prior, chunk risks, occupancy.

Every function takes ``ax=None`` (a new figure is made) and returns the axes.
"""

from __future__ import annotations

import numpy as np

from .maze import PRIOR_COLOURS
from .style import OKABE_ITO, new_axes


def _colour(prior):
    return PRIOR_COLOURS.get(round(float(prior), 2), OKABE_ITO["blue"])


def agent_success(durations_by_prior: dict, ax=None, *, T: int = 20000, trials: tuple | None = None):
    """Success rate (duration < T, SPEC §9.2) of every single agent (one dot each) for each prior condition.

    ``durations_by_prior`` maps e_right -> (trials, agents) durations; ``trials`` = 1-based
    inclusive (first, last) restricts the trials used (default: all). A bar marks the pooled rate.
    """
    ax = new_axes(ax, figsize=(4.5, 3.5))
    rng = np.random.default_rng(0)  # jitter only
    for k, (prior, d) in enumerate(durations_by_prior.items()):
        d = np.asarray(d)
        if trials is not None:
            d = d[trials[0] - 1 : trials[1]]
        rates = np.mean(d < T, axis=0)
        x = k + rng.uniform(-0.12, 0.12, rates.size)
        ax.plot(x, rates, "o", color=_colour(prior), mec="k", mew=0.5, label=f"e_right = {prior}")
        ax.plot([k - 0.25, k + 0.25], [rates.mean()] * 2, "-", color=_colour(prior), lw=3)
    ax.set_xticks(range(len(durations_by_prior)))
    ax.set_xticklabels([f"{p}" for p in durations_by_prior])
    ax.set_xlabel("e_right (code value)")
    ax.set_ylabel("success rate of one agent")
    ax.set_ylim(-0.03, 1.03)
    return ax


def prior_estimate(E_on, E_hat_on, ax=None):
    """The nominal decision prior E_ON (256,) and its decision-frequency estimate (SPEC §8.10) per decision.

    Vertical lines separate the four blocks of 64 sequences (first action up, down, left, right).
    """
    ax = new_axes(ax, figsize=(7.0, 3.0))
    E_on, E_hat_on = np.asarray(E_on, float), np.asarray(E_hat_on, float)
    ax.plot(np.arange(E_hat_on.size), E_hat_on, ".", ms=3, color=OKABE_ITO["orange"], label="estimate from trial-1 decisions")
    ax.plot(np.arange(E_on.size), E_on, "-", color=OKABE_ITO["black"], lw=1.5, label="nominal E_ON")
    for b in (64, 128, 192):
        ax.axvline(b - 0.5, color="0.6", lw=0.8)
    for k, name in enumerate(("up", "down", "left", "right")):
        ax.text(32 + 64 * k, 1.02, name, transform=ax.get_xaxis_transform(), ha="center", fontsize=8)
    ax.set_xlabel("decision l (4-step sequence)")
    ax.set_ylabel("prior probability")
    ax.set_ylim(0, max(E_on.max(), E_hat_on.max()) * 1.25)
    ax.legend(fontsize=8, loc="lower right")
    return ax


def chunk_modulation(fractions_by_prior: dict, ax=None):
    """Stacked bars: fraction of risk chunks with modulation g = -0.1, +0.1, +1 (SPEC §8.8) per prior.

    ``fractions_by_prior`` maps e_right -> (3,) fractions for g = (-0.1, 0.1, 1).
    """
    ax = new_axes(ax, figsize=(4.5, 3.5))
    cols = (OKABE_ITO["vermillion"], OKABE_ITO["yellow"], OKABE_ITO["green"])
    names = ("g = -0.1 (no progress)", "g = +0.1 (little)", "g = +1 (progress >= 10)")
    priors = list(fractions_by_prior)
    bottom = np.zeros(len(priors))
    for i in range(3):
        h = np.array([fractions_by_prior[p][i] for p in priors], dtype=float)
        ax.bar(range(len(priors)), h, bottom=bottom, color=cols[i], edgecolor="k", lw=0.5, label=names[i])
        bottom += h
    ax.set_xticks(range(len(priors)))
    ax.set_xticklabels([f"{p}" for p in priors])
    ax.set_xlabel("e_right (code value)")
    ax.set_ylabel("fraction of chunks")
    ax.set_ylim(0, 1.0)
    ax.legend(fontsize=7, loc="upper left", bbox_to_anchor=(1.01, 1.0))
    return ax


def column_occupancy(columns_by_prior: dict, ax=None, *, nx: int = 99):
    """Fraction of time steps spent in each map column (SPEC §8.2 map, 0-based columns), one line per prior.

    ``columns_by_prior`` maps e_right -> 1-D array of the agent's column at every step (0-based).
    """
    ax = new_axes(ax, figsize=(6.0, 3.5))
    for prior, cols in columns_by_prior.items():
        cols = np.asarray(cols, dtype=np.int64)
        frac = np.bincount(cols, minlength=nx)[:nx] / max(cols.size, 1)
        x = np.arange(nx)
        keep = frac > 0
        ax.plot(x[keep], frac[keep], "o-", ms=3, color=_colour(prior), label=f"e_right = {prior}")
    ax.set_yscale("log")
    ax.set_xlim(-1, nx)
    ax.set_xlabel("map column (start 1, goal 98)")
    ax.set_ylabel("fraction of steps")
    ax.legend(fontsize=8)
    return ax


# --- added for the paper-size curves of Lesson 07 (lessb) ---------------------------------------
def prior_label(prior) -> str:
    """One label for one condition: the code value e_r and the paper's per-decision prior e_r / 64."""
    return f"e_r = {float(prior):.2f} (paper: E_right = {float(prior) / 64:.4f})"


def curves_with_spread(stats_by_prior: dict, ax=None, *, what: str = "success", reference: str | None = "samples_1_20",
                       markers: str = "o"):
    """Block values with bootstrap intervals (:class:`fepteach.learning_stats.BlockStats`) per prior, and the
    authors' values of the same blocks (open squares, dashed) from :mod:`fepteach.data.maze_reference`.

    ``what`` is ``"success"`` or ``"median"``. No legend is drawn (use :func:`condition_legend`).
    """
    from ..data.maze_reference import reference_blocks

    if what not in ("median", "success"):
        raise ValueError(f"what must be 'median' or 'success'; got {what!r}")
    ax = new_axes(ax)
    first = next(iter(stats_by_prior.values()), None)
    span = np.mean([b - a + 1 for a, b in first.blocks]) if first is not None else 10.0
    offsets = np.linspace(-0.08, 0.08, max(len(stats_by_prior), 1)) * span  # side by side, so that bars do not overlap
    for off, (prior, st) in zip(offsets, stats_by_prior.items()):
        c = _colour(prior)
        y = st.success if what == "success" else st.median
        ci = st.success_ci if what == "success" else st.median_ci
        x = st.centres + off
        ax.errorbar(x, y, yerr=np.abs(np.stack([y - ci[:, 0], ci[:, 1] - y])), fmt=markers + "-", color=c, mec="k",
                    mew=0.5, capsize=3, lw=1.5)
        ref = reference_blocks(prior, reference) if reference else None
        if ref is not None:
            col = 3 if what == "success" else 2
            ax.plot([(a + b) / 2 + off for a, b, *_ in ref], [r[col] for r in ref], "s--", mfc="white", color=c, lw=1.2)
    ax.set_xlabel("trial (block centre)")
    if what == "success":
        ax.set_ylabel("success rate (goal reached)")
        ax.set_ylim(0, 1)
    else:
        ax.set_ylabel("median time to goal (steps)")
        ax.set_ylim(0, 21000)
    return ax


def condition_legend(fig, priors, *, ours: str = "ours (30-agent data: samples 1-20), 95% bootstrap interval over agents",
                     authors: str | None = "the authors' values, same blocks", ncol: int = 2):
    """A figure-level legend below the panels: one colour per condition, and the marker key (ours / authors)."""
    from matplotlib.lines import Line2D

    handles = [Line2D([], [], color=_colour(p), lw=3, label=prior_label(p)) for p in priors]
    handles.append(Line2D([], [], color="0.3", marker="o", mec="k", label=ours))
    if authors:
        handles.append(Line2D([], [], color="0.3", marker="s", mfc="white", ls="--", label=authors))
    return fig.legend(handles=handles, loc="outside lower center", ncol=ncol, fontsize=9, frameon=False)


def chunk_modulation_grouped(fractions_by_prior: dict, ax=None):
    """Grouped bars on a log axis: fraction of chunks with modulation g = -0.1, +0.1, +1 per prior, each bar labelled
    with its percentage (so that a rare class stays visible). ``fractions_by_prior``: e_right -> (3,)."""
    ax = new_axes(ax, figsize=(5.0, 3.5))
    cols = (OKABE_ITO["vermillion"], OKABE_ITO["yellow"], OKABE_ITO["green"])
    names = ("g = -0.1 (no progress)", "g = +0.1 (progress 1-9)", "g = +1 (progress >= 10)")
    priors = list(fractions_by_prior)
    w = 0.26
    for i in range(3):
        h = np.array([fractions_by_prior[p][i] for p in priors], dtype=float)
        x = np.arange(len(priors)) + (i - 1) * w
        ax.bar(x, np.maximum(h, 1e-4), width=w, color=cols[i], edgecolor="k", lw=0.5, label=names[i])
        for xi, hi in zip(x, h):
            ax.text(xi, max(hi, 1e-4) * 1.15, f"{100 * hi:.1f}%" if hi > 0 else "0", ha="center", fontsize=8)
    ax.set_yscale("log")
    ax.set_ylim(1e-4, 2)
    ax.set_xticks(range(len(priors)))
    ax.set_xticklabels([f"{p}" for p in priors])
    ax.set_xlabel("e_r (code value)")
    ax.set_ylabel("fraction of chunks (log scale)")
    ax.legend(fontsize=8, loc="upper center", bbox_to_anchor=(0.5, -0.2), ncol=2, frameon=False)
    return ax

"""Figures of Lesson 06: risk, modulation and the policy mapping of the two-layer agent (SPEC §7, §8.8).

Every function takes ``ax=None`` (a new figure is made) and returns the axes.
"""

from __future__ import annotations

import numpy as np

from .. import agent as ag
from ..maze import ACTION_NAMES
from .style import OKABE_ITO, new_axes

#: One colour per first action (up, down, left, right).
ACTION_COLOURS = (OKABE_ITO["skyblue"], OKABE_ITO["green"], OKABE_ITO["vermillion"], OKABE_ITO["blue"])


def plot_modulation(ax=None):
    """The plasticity factor g = 1 - 2 Gamma against the risk Gamma (SPEC §4.6, §7.3), with the
    Hebbian (g > 0) and anti-Hebbian (g < 0) ranges shaded and the maze's three chunk risks marked."""
    ax = new_axes(ax)
    gam = np.linspace(0.0, 1.0, 201)
    ax.axvspan(0.0, 0.5, color=OKABE_ITO["green"], alpha=0.12, label="Hebbian (g > 0)")
    ax.axvspan(0.5, 1.0, color=OKABE_ITO["vermillion"], alpha=0.12, label="anti-Hebbian (g < 0)")
    ax.plot(gam, [ag.modulation(g) for g in gam], color=OKABE_ITO["black"], lw=2, label="g = 1 − 2Γ")
    risks = sorted(set(ag.RISK_VALUES))
    ax.plot(risks, [ag.modulation(g) for g in risks], "o", color=OKABE_ITO["orange"], ms=8, label="maze chunk risks")
    ax.axhline(0.0, color="grey", lw=0.8)
    ax.set_xlabel("risk Γ")
    ax.set_ylabel("plasticity factor g")
    ax.legend(fontsize=7, loc="upper right")
    return ax


def plot_risk_mapping(deltas, gammas, ax=None):
    """Chunk risk Gamma against chunk progress Delta (SPEC §8.8): ``deltas`` (n,) and ``gammas`` (n,),
    e.g. computed with :func:`fepteach.agent.risk_of_progress`. The floating-point boundary at +10 is marked."""
    ax = new_axes(ax)
    d = np.asarray(deltas, dtype=float)
    g = np.asarray(gammas, dtype=float)
    ax.plot(d, g, "o", ms=4, color=OKABE_ITO["blue"], label="Γ(Δ)")
    for thr in ag.PROGRESS_THRESHOLDS:
        ax.axvline(thr, color="grey", lw=0.6, ls=":")
    ax.axvline(10.0, color=OKABE_ITO["vermillion"], lw=1.2, ls="--", label="Δ = +10: Γ = 0 (floating point)")
    ax.set_xlabel("chunk progress Δ (net right moves per 200 steps)")
    ax.set_ylabel("chunk risk Γ")
    ax.set_ylim(-0.05, 0.65)
    ax.legend(fontsize=7, loc="upper right")
    return ax


def plot_first_actions(p_first, ax=None, *, xlabel: str = "chunk", band=None):
    """Probability of each first action (up, down, left, right) over time.

    ``p_first`` (n, 4); ``band`` optional (n, 4) half-widths (e.g. a standard error) shaded around each line.
    """
    ax = new_axes(ax)
    p = np.asarray(p_first, dtype=float)
    x = np.arange(p.shape[0])
    for a in range(4):
        ax.plot(x, p[:, a], color=ACTION_COLOURS[a], lw=2 if a == 3 else 1.2, label=ACTION_NAMES[a])
        if band is not None:
            b = np.asarray(band, dtype=float)[:, a]
            ax.fill_between(x, p[:, a] - b, p[:, a] + b, color=ACTION_COLOURS[a], alpha=0.2, lw=0)
    ax.set_xlabel(xlabel)
    ax.set_ylabel("P(first action)")
    ax.legend(fontsize=7, ncol=4, loc="upper left")
    return ax


def plot_credit(counts, dlogpi, ax=None, *, label: str = ""):
    """Change of each decision's log selection probability against how often it was chosen in the chunk.

    ``counts`` (ND,) and ``dlogpi`` (ND,). Low risk makes the relation rising (credit), high risk falling (blame).
    """
    ax = new_axes(ax)
    n = np.asarray(counts, dtype=float)
    dl = np.asarray(dlogpi, dtype=float)
    jitter = 0.08 * (np.arange(n.size) % 5 - 2)
    ax.plot(n + jitter, dl, "o", ms=3, alpha=0.6, color=OKABE_ITO["blue"], label=label or None)
    if np.ptp(n) > 0:
        slope, icpt = np.polyfit(n, dl, 1)
        xs = np.array([n.min(), n.max()])
        ax.plot(xs, icpt + slope * xs, color=OKABE_ITO["vermillion"], lw=1.5)
    ax.axhline(0.0, color="grey", lw=0.8)
    ax.set_xlabel("times chosen in the chunk")
    ax.set_ylabel("Δ ln π (after − before)")
    if label:
        ax.legend(fontsize=7, loc="upper left")
    return ax


def plot_chunk_risks(gammas, ax=None, *, progress=None):
    """Bars of the chunk risks Gamma_i, coloured by the sign of g = 1 - 2 Gamma; optional progress as text."""
    ax = new_axes(ax)
    g = np.asarray(gammas, dtype=float)
    colours = [OKABE_ITO["green"] if ag.modulation(v) > 0 else OKABE_ITO["vermillion"] if ag.modulation(v) < 0 else "grey" for v in g]
    x = np.arange(1, g.size + 1)
    ax.bar(x, g, color=colours)
    ax.axhline(0.5, color=OKABE_ITO["black"], lw=1, ls="--")
    if progress is not None:
        for xi, gi, d in zip(x, g, np.asarray(progress, dtype=float)):
            ax.text(xi, gi + 0.03, f"Δ={d:+.0f}", ha="center", fontsize=7)
    ax.set_xticks(x)
    ax.set_xlabel("chunk")
    ax.set_ylabel("risk Γ")
    ax.set_ylim(0, 1.15)
    return ax


# --- added for Lesson 06's critic widget (lessb) --------------------------------------------------
def plot_chunk_modulation_bars(gammas, ax=None, *, progress=None):
    """Signed bars of the plasticity factor g = 1 - 2 Gamma_i of each chunk (so Gamma = 0, the strongest reward, is the
    tallest bar, +1, and Gamma = 1 the deepest, -1), green for g > 0, red for g < 0; optional progress as text.
    The tick labels give each chunk's Gamma."""
    ax = new_axes(ax)
    gam = np.asarray(gammas, dtype=float)
    g = np.array([ag.modulation(v) for v in gam])
    colours = [OKABE_ITO["green"] if v > 0 else OKABE_ITO["vermillion"] if v < 0 else "grey" for v in g]
    x = np.arange(1, g.size + 1)
    ax.bar(x, g, color=colours, edgecolor="k", lw=0.5)
    ax.axhline(0.0, color=OKABE_ITO["black"], lw=1)
    if progress is not None:
        for xi, gi, d in zip(x, g, np.asarray(progress, dtype=float)):
            y = gi + 0.05 if gi >= 0 else 0.05
            ax.text(xi, y, f"Δ={d:+.0f}", ha="center", va="bottom", fontsize=8)
    ax.set_xticks(x)
    ax.set_xticklabels([f"{i}\nΓ={v:.2f}" for i, v in zip(x, gam)], fontsize=8)
    ax.set_xlabel("chunk")
    ax.set_ylabel("plasticity factor g = 1 − 2Γ")
    ax.set_ylim(-1.1, 1.3)
    return ax

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

"""Lesson 04 widget: set the implicit prior (threshold constant) and watch separation succeed or collapse (SPEC §5.5.1)."""

from __future__ import annotations

import numpy as np

from .. import bss
from ..plots import bss as bss_plots
from ..plots.style import OKABE_ITO


def separation_at_prior(p1: float, p2: float | None = None, data: bss.BSSData | None = None, seed: int = 0):
    """Run the BSS network with implicit priors (p1, p2) on ``data`` (default: 10^4 steps from ``seed``).

    Returns ``(matched, run)``: matched |corr(s_j, x_j)| (2,) over the second half, and the :class:`fepteach.bss.BSSRun`.
    """
    data = bss.generate_data(bss.T_PAPER, np.random.default_rng(seed)) if data is None else data
    run = bss.simulate_bss(data.o, bss.initial_counts(), bss.prior_phi(p1, p2), bin_size=0)
    matched = np.abs(np.diag(bss.separation_correlation(data.s, run.x)))
    return matched, run


def render_implicit_prior(p1: float = 0.5, p2: float | None = None, data: bss.BSSData | None = None,
                          sweep=None, seed: int = 0, fig=None):
    """Two panels: separation quality versus the implicit prior with the chosen point marked, and neuron 1's responses.

    ``p1``, ``p2``: implicit priors P(s_j = 1) = exp(phi1_j) of the two neurons (``p2`` defaults to ``p1``);
    ``data``: a :class:`fepteach.bss.BSSData` (default: 10^4 steps from ``seed``); ``sweep``: ``(p_values, corr)``
    from :func:`fepteach.bss.alpha_sweep` on the same data (drawn as the background curve when given).
    Returns the figure.
    """
    import matplotlib.pyplot as plt

    p2 = p1 if p2 is None else p2
    data = bss.generate_data(bss.T_PAPER, np.random.default_rng(seed)) if data is None else data
    matched, run = separation_at_prior(p1, p2, data)
    if fig is None:
        fig = plt.figure(figsize=(10.0, 3.6), layout="constrained")
    ax0, ax1 = fig.subplots(1, 2)
    if sweep is not None:
        bss_plots.plot_alpha_sweep(sweep[0], sweep[1], ax=ax0)
    else:
        ax0.set_xlim(0, 1)
        ax0.set_ylim(0, 1)
        ax0.set_xlabel("implicit prior p")
        ax0.set_ylabel("|corr(s_j, x_j)|")
    ax0.plot([p1], [matched[0]], "*", ms=18, color=OKABE_ITO["vermillion"], mec=OKABE_ITO["black"], label="your neuron 1")
    ax0.plot([p2], [matched[1]], "*", ms=18, color=OKABE_ITO["blue"], mec=OKABE_ITO["black"], label="your neuron 2")
    ax0.legend(fontsize=7, loc="lower center")
    verdict = "separated" if matched.min() >= 0.8 else ("mixture, not a source" if matched.max() < 0.7 else "partly separated")
    ax0.set_title(f"p₁ = {p1:.2f}, p₂ = {p2:.2f}:  |corr| = {matched[0]:.2f}, {matched[1]:.2f}  ({verdict})", fontsize=9)
    bss_plots.plot_response_scatter(run.x[:, 0], data.s[:, 0], ax=ax1)
    ax1.set_title(f"neuron 1 with implicit prior p₁ = {p1:.2f}: responses to s₁ = 1 and s₁ = 0", fontsize=9)
    return fig


def implicit_prior_widget(seed: int = 0):
    """Sliders for the implicit priors p₁, p₂ around :func:`render_implicit_prior` (one dataset, background α sweep)."""
    from functools import partial

    from ._wiring import interactive, slider

    data = bss.generate_data(bss.T_PAPER, np.random.default_rng(seed))
    p_values = 0.05 * np.arange(1, 20)
    sweep = (p_values, bss.alpha_sweep(data, p_values))
    controls = {
        "p1": slider(0.5, 0.05, 0.95, 0.05, "prior p₁ (neuron 1)"),
        "p2": slider(0.5, 0.05, 0.95, 0.05, "prior p₂ (neuron 2)"),
    }
    return interactive(partial(render_implicit_prior, data=data, sweep=sweep), controls, [["p1", "p2"]])

"""Lesson 05 widget: give a network a prior, then recover it from its activity two ways (SPEC §6.2, §4.5)."""

from __future__ import annotations

import numpy as np
from scipy.special import expit

from .. import bss, reverse
from ..plots.style import OKABE_ITO


def prior_recovery(p: float, seed: int = 0, T: int = bss.T_PAPER):
    """Run the BSS network with implicit prior ``p`` (both neurons) on fresh data and estimate the prior back.

    Returns a dict with ``p_mean`` (2,) from mean activity (eq. 5.1), ``p_readout`` (2,) from the threshold readout
    (median over the second half of :func:`fepteach.reverse.log_prior_odds_from_activity`) and ``odds`` (T, 2).
    """
    data = bss.generate_data(T, np.random.default_rng(seed))
    x = bss.simulate_bss(data.o, bss.initial_counts(), bss.prior_phi(p), bin_size=0).x
    odds = reverse.log_prior_odds_from_activity(data.o, x)
    return {
        "p_mean": reverse.implied_prior(x).D_on,
        "p_readout": expit(np.nanmedian(odds[T // 2:], axis=0)),
        "odds": odds,
    }


def render_prior_recovery(p: float = 0.3, seed: int = 0, T: int = bss.T_PAPER, fig=None):
    """Two panels: the true prior against its two estimates, and the per-step threshold readouts over time.

    Returns the figure.
    """
    import matplotlib.pyplot as plt

    res = prior_recovery(p, seed, T)
    if fig is None:
        fig = plt.figure(figsize=(10.0, 3.6), layout="constrained")
    ax0, ax1 = fig.subplots(1, 2)
    ax0.axhline(p, color=OKABE_ITO["black"], ls="--", lw=1.5, label=f"true prior p = {p:.2f}")
    ax0.plot([0, 1], res["p_mean"], "o", ms=10, color=OKABE_ITO["orange"], label="mean activity, (R1)")
    ax0.plot([0, 1], res["p_readout"], "s", ms=9, mfc="none", mew=2, color=OKABE_ITO["blue"], label="threshold readout")
    ax0.axhline(0.5, color=OKABE_ITO["green"], ls=":", lw=1, label="data prevalence 1/2")
    ax0.set_xticks([0, 1])
    ax0.set_xticklabels(["neuron 1", "neuron 2"])
    ax0.set_xlim(-0.5, 1.5)
    ax0.set_ylim(0, 1)
    ax0.set_ylabel("estimated prior P(s = 1)")
    ax0.set_title(f"mean activity: {np.round(res['p_mean'], 3)}   readout: {np.round(res['p_readout'], 3)}", fontsize=9)
    ax0.legend(fontsize=7, loc="upper left")
    t = np.arange(1, T + 1)
    for j, col in enumerate((OKABE_ITO["vermillion"], OKABE_ITO["blue"])):
        ax1.plot(t, res["odds"][:, j], ".", ms=1.5, color=col, alpha=0.4, label=f"neuron {j + 1}")
    ax1.axhline(np.log(p / (1 - p)), color=OKABE_ITO["black"], ls="--", lw=1.5, label="true φ₁ − φ₀")
    ax1.set_ylim(np.log(p / (1 - p)) - 2, np.log(p / (1 - p)) + 2)
    ax1.set_xlabel("time step t")
    ax1.set_ylabel("readout of φ₁ − φ₀")
    ax1.set_title("per-step readout (saturated steps omitted)", fontsize=9)
    ax1.legend(fontsize=7, loc="upper right", markerscale=5)
    return fig


def prior_recovery_widget():
    """A slider for the network's implicit prior and one for the dataset around :func:`render_prior_recovery`."""
    from ._wiring import int_slider, interactive, slider

    controls = {"p": slider(0.3, 0.1, 0.9, 0.05, "network's prior p"), "seed": int_slider(0, 0, 20, "dataset")}
    return interactive(render_prior_recovery, controls, [["p", "seed"]])

"""Figures of Lesson 03: a small enumerable POMDP, its free energy, and the match of L and F (SPEC §4)."""

from __future__ import annotations

import numpy as np

from .. import pomdp
from .style import OKABE_ITO, new_axes


def plot_free_energy_vs_q(o, A, D, q_mark: float | None = 0.25, ax=None):
    """F(q) with its minimum at the exact posterior, where it touches the surprise −ln P(o) (SPEC §4.3, O10).

    If ``q_mark`` is given, the KL gap F(q) − (−ln P(o)) = KL(q ‖ posterior) is drawn at that q.
    Returns the axes.
    """
    ax = new_axes(ax)
    q, F, s_star, surprise = pomdp.free_energy_curve(o, A, D)
    ax.plot(q, F, color=OKABE_ITO["blue"], label="free energy F(q)")
    ax.axhline(surprise, color=OKABE_ITO["black"], linestyle=":", label=f"surprise −ln P(o) = {surprise:.3f}")
    ax.axvline(s_star, color=OKABE_ITO["orange"], linestyle="--", label=f"exact posterior P(s=1|o) = {s_star:.3f}")
    if q_mark is not None:
        Fm = float(np.interp(q_mark, q, F))
        ax.annotate("", xy=(q_mark, surprise), xytext=(q_mark, Fm),
                    arrowprops=dict(arrowstyle="<->", color=OKABE_ITO["vermillion"]))
        ax.text(q_mark + 0.02, (Fm + surprise) / 2, f"KL gap = {Fm - surprise:.3f}", color=OKABE_ITO["vermillion"], fontsize=8)
    ax.set_xlabel("q = q(s = 1)")
    ax.set_ylabel("nats")
    ax.set_xlim(0, 1)
    top = min(float(F.max()), surprise + 4.0)
    if q_mark is not None:
        top = max(top, Fm + 0.3)  # keep the whole KL arrow inside the axes
    ax.set_ylim(surprise - 0.3, top)
    ax.legend(frameon=False, fontsize=8)
    return ax


def plot_prior_sweep(o, A, q: float = 0.5, ax=None):
    """How the prior moves the posterior and the surprise; F of a fixed belief q and its KL gap (SPEC §4.3).

    Posterior on the right axis (0–1); surprise, F(q) and KL on the left (nats). Returns the left axes.
    """
    ax = new_axes(ax)
    sw = pomdp.prior_sweep(o, A, q)
    ax.plot(sw["D_on"], sw["surprise"], color=OKABE_ITO["black"], label="−ln P(o) = min F")
    ax.plot(sw["D_on"], sw["F_q"], color=OKABE_ITO["blue"], label=f"F(q = {q:g})")
    ax.fill_between(sw["D_on"], sw["surprise"], sw["F_q"], color=OKABE_ITO["vermillion"], alpha=0.25,
                    label="KL gap")
    ax.set_xlabel("prior D_ON = P(s = 1)")
    ax.set_ylabel("nats")
    ax2 = ax.twinx()
    ax2.plot(sw["D_on"], sw["posterior"], color=OKABE_ITO["orange"], linestyle="--", label="posterior P(s=1|o)")
    ax2.set_ylim(0, 1)
    ax2.set_ylabel("posterior P(s = 1 | o)")
    h1, l1 = ax.get_legend_handles_labels()
    h2, l2 = ax2.get_legend_handles_labels()
    ax.legend(h1 + h2, l1 + l2, frameon=False, fontsize=8, loc="upper center")
    return ax


def plot_matched_terms(cost_terms, fe_terms, ax=None):
    """Side-by-side bars of the matched parts of L (network) and F (Bayes) (SPEC §4.8, Appendix A.2).

    ``cost_terms``: :class:`fepteach.cost.CostTerms`; ``fe_terms``: dict from
    :func:`fepteach.pomdp.free_energy_terms`. Each part is summed over steps and neurons. Returns the axes.
    """
    ax = new_axes(ax, figsize=(6.0, 3.5))
    names = ["entropy\n(x ln x ↔ s ln s)", "synaptic input\n(W o ↔ o·ln A)", "threshold\n(h ↔ ln A_OFF + ln D)", "total\n(L ↔ F)"]
    L = [float(np.sum(cost_terms.entropy)), float(np.sum(cost_terms.synaptic)), float(np.sum(cost_terms.threshold))]
    F = [float(np.sum(fe_terms["entropy"])), float(np.sum(fe_terms["likelihood_on"])),
         float(np.sum(fe_terms["likelihood_off_prior"]))]
    L.append(sum(L))
    F.append(sum(F))
    pos = np.arange(len(names))
    ax.bar(pos - 0.2, L, width=0.4, color=OKABE_ITO["blue"], label="network cost L")
    ax.bar(pos + 0.2, F, width=0.4, color=OKABE_ITO["orange"], hatch="//", label="free energy F")
    ax.axhline(0, color=OKABE_ITO["black"], linewidth=0.8)
    ax.set_xticks(pos)
    ax.set_xticklabels(names, fontsize=8)
    ax.set_ylabel("nats")
    ax.legend(frameon=False, fontsize=8)
    return ax

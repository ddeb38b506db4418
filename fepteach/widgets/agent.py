"""Lesson 06 widget: you are the critic — set the risk of each chunk and watch the policy learn (SPEC §7.3, eq. 3.7)."""

from __future__ import annotations

import numpy as np

from .. import agent as ag
from .. import maze as mz
from .. import toy
from ..plots import agent as aplots
from . import _wiring

N_CHUNKS = 6


def critic_run(gammas, qci0: float = 3000.0, e_right: float = 0.25, seed: int = 0):
    """The corridor toy (:func:`fepteach.toy.corridor_run`) with the chunk risks ``gammas`` chosen by hand.

    The agent stands in the start room of a seeded toy maze, with all policy counts equal to ``qci0``.
    Returns ``(run, q)``: the :class:`fepteach.toy.CorridorRun` and the stacked state ``q`` (2*NS,).
    """
    maze = mz.make_maze(np.random.default_rng(seed), toy.TOY_NY, toy.TOY_NX)
    params = toy.with_qci(ag.initial_params(e_right), qci0)
    q = toy.state_at(params, maze, mz.start_position(toy.TOY_NY))
    g = np.asarray(gammas, dtype=float)
    return toy.corridor_run(params, q, g.size, np.random.default_rng(seed + 1), gammas=g), q


def _first_actions_panel(run, ax):
    """The first-action probabilities after each chunk, with room above the curves for a title or legend."""
    aplots.plot_first_actions(run.p_first, ax=ax, xlabel="chunks learned")
    lo, hi = run.p_first.min(), run.p_first.max()
    ax.set_ylim(lo - 0.1 * (hi - lo + 1e-3), hi + 0.35 * (hi - lo + 1e-3))


def _last_chunk_panel(run, q, e_right, ax):
    """Credit/blame of the last chunk alone: change of ln pi against the times each decision was chosen."""
    E = ag.decision_prior(e_right)
    dlog = np.log(toy.policy_at_state(run.qci, E, q)) - np.log(toy.policy_at_state(run.qci_before_last, E, q))
    aplots.plot_credit(run.counts[-1], dlog, ax=ax)
    ax.set_title(f"last chunk: Γ = {run.gammas[-1]:.2f}, g = {ag.modulation(run.gammas[-1]):+.2f}", fontsize=9)


def render_critic(gammas=(0.0, 0.0, 0.55, 0.55, 0.45, 0.0), qci0: float = 3000.0, e_right: float = 0.25, seed: int = 0, fig=None):
    """Three panels: the risks you set (with each chunk's actual progress), the first-action probabilities
    after each chunk, and the credit/blame of the last chunk (change of ln pi against times chosen).

    Returns the figure.
    """
    import matplotlib.pyplot as plt

    run, q = critic_run(gammas, qci0, e_right, seed)
    if fig is None:
        fig = plt.figure(figsize=(11.0, 3.4), layout="constrained")
    ax0, ax1, ax2 = fig.subplots(1, 3)
    aplots.plot_chunk_risks(run.gammas, ax=ax0, progress=run.progress)
    ax0.set_title("your risks (Δ = what the risk rule would see)", fontsize=9)
    _first_actions_panel(run, ax1)
    ax1.set_title(f"P(right): {run.p_first[0, 3]:.4f} → {run.p_first[-1, 3]:.4f}", fontsize=9)
    _last_chunk_panel(run, q, e_right, ax2)
    return fig


def critic_widget():
    """Six risk sliders (one per chunk) and the policy's initial counts, around :func:`render_critic`."""
    defaults = (0.0, 0.0, 0.55, 0.55, 0.45, 0.0)
    controls = {f"g{i}": _wiring.slider(v, 0.0, 1.0, 0.05, f"Γ{i + 1}") for i, v in enumerate(defaults)}
    controls["qci0"] = _wiring.toggle((3000.0, 300.0), 3000.0, "initial qci")

    def render(qci0, **g):
        render_critic(tuple(g[f"g{i}"] for i in range(N_CHUNKS)), qci0=qci0)

    return _wiring.interactive(render, controls, [["g0", "g1", "g2"], ["g3", "g4", "g5"], ["qci0"]])


def render_critic_modulation(gammas=(0.0, 0.0, 0.0, 1.0, 1.0, 1.0), qci0: float = 300.0, e_right: float = 0.25,
                             seed: int = 0, fig=None):
    """Like :func:`render_critic`, but the left panel shows g = 1 - 2 Gamma of each chunk as signed bars and the
    middle panel's title counts the policy counts that sit at the floor of 1 after the last chunk."""
    import matplotlib.pyplot as plt

    run, q = critic_run(gammas, qci0, e_right, seed)
    if fig is None:
        fig = plt.figure(figsize=(11.0, 3.6), layout="constrained")
    ax0, ax1, ax2 = fig.subplots(1, 3)
    aplots.plot_chunk_modulation_bars(run.gammas, ax=ax0, progress=run.progress)
    ax0.set_title("your verdicts (Δ = progress the chunk made)", fontsize=9)
    _first_actions_panel(run, ax1)
    ax1.legend(fontsize=8, ncol=4, loc="upper center")
    floored = int(np.sum(run.qci <= 1.0))
    ax1.set_title(f"P(right) {run.p_first[0, 3]:.3f} → {run.p_first[-1, 3]:.3f}; counts at the floor: {floored}", fontsize=9)
    _last_chunk_panel(run, q, e_right, ax2)
    return fig


def critic_modulation_widget():
    """Six risk sliders and the initial counts around :func:`render_critic_modulation` (default: 300 counts, three
    rewarded chunks then three punished with Gamma = 1)."""
    defaults = (0.0, 0.0, 0.0, 1.0, 1.0, 1.0)
    controls = {f"g{i}": _wiring.slider(v, 0.0, 1.0, 0.05, f"Γ{i + 1}") for i, v in enumerate(defaults)}
    controls["qci0"] = _wiring.toggle((300.0, 3000.0), 300.0, "initial qci")

    def render(qci0, **g):
        render_critic_modulation(tuple(g[f"g{i}"] for i in range(N_CHUNKS)), qci0=qci0)

    return _wiring.interactive(render, controls, [["g0", "g1", "g2"], ["g3", "g4", "g5"], ["qci0"]])

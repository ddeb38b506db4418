"""Lesson 07 widget: replay one maze trial step by step (SPEC §8.4–8.7, P2 Fig. 4 panels).

A trial is replayed from what the fast engine records (``run_trial_fast(..., record_posteriors=True)``):
the positions, the state posteriors ``q_t^ON`` and the decision posteriors ``y_t``. The observation
of a step is recomputed from the maze and the position (SPEC §8.4, including the arrival view).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from .. import agent as ag
from .. import maze as mz


@dataclass
class Replay:
    """One recorded trial, rows indexed by ``t - 1`` (row 0 is t = 1, the initial record).

    maze (ny, nx); positions (t_end, 2) 0-based; q (t_end, 121) = q_t^ON; y (t_end, 256) = y_t;
    label: a short name shown in the title (e.g. ``"trial 1 (untrained)"``).
    """

    maze: np.ndarray
    positions: np.ndarray
    q: np.ndarray
    y: np.ndarray
    label: str = ""

    @property
    def t_end(self) -> int:
        """Duration of the trial (20000 = goal not reached)."""
        return int(self.positions.shape[0])


def replay_from_summary(maze: np.ndarray, summary, label: str = "") -> Replay:
    """A :class:`Replay` from a :class:`fepteach.agent_fast.TrialSummary` recorded with ``record_posteriors=True``."""
    if summary.q is None or summary.y is None:
        raise ValueError("summary has no posteriors: run the trial with record_posteriors=True")
    return Replay(np.asarray(maze), np.asarray(summary.positions), np.asarray(summary.q), np.asarray(summary.y), label)


def observation_at(maze: np.ndarray, positions: np.ndarray, t: int) -> np.ndarray:
    """o_t (121,) column-major for MATLAB step ``t`` (SPEC §8.4); the goal step uses the arrival view.

    At t = 1 nothing is observed yet: returns zeros (as the trial record does).
    """
    if t <= 1:
        return np.zeros(mz.NO)
    return mz.observe_at(maze, tuple(int(v) for v in positions[t - 1]))


def render_replay(replay: Replay, t: int, fig=None, *, recent: int = 2000):
    """Four panels at step ``t`` (clipped to 1..t_end): the maze with the last ``recent`` positions,
    the observation o_t, the state posterior q_t^ON and the decision map of pi_t (SPEC §8.7).

    Returns the figure.
    """
    import matplotlib.pyplot as plt

    from ..plots import maze as mplots

    t = int(min(max(int(t), 1), replay.t_end))
    if fig is None:
        fig = plt.figure(figsize=(11.0, 4.4), layout="constrained")
    gs = fig.add_gridspec(2, 3, height_ratios=(1.0, 1.25))
    ax_maze = fig.add_subplot(gs[0, :])
    mplots.draw_maze(replay.maze, replay.positions[:t], ax_maze, recent=recent)
    reached = t == replay.t_end and tuple(replay.positions[-1]) == mz.goal_position(*replay.maze.shape)
    ax_maze.set_title(
        f"{replay.label}  step t = {t} of {replay.t_end}"
        f"  position (row {replay.positions[t - 1][0]}, column {replay.positions[t - 1][1]})"
        + ("  goal reached" if reached else ""),
        fontsize=10,
    )
    ax_o, ax_q, ax_d = (fig.add_subplot(gs[1, k]) for k in range(3))
    mplots.draw_view(observation_at(replay.maze, replay.positions, t), ax_o, title="observation o_t (1 = wall)")
    mplots.draw_view(replay.q[t - 1], ax_q, title="state posterior q_t (ON)")
    pi = ag.selection_probabilities(replay.y[t - 1])
    mplots.draw_decision_map(pi, ax_d)
    ax_d.set_title("decision map of pi_t\n" + ax_d.get_title(), fontsize=9)
    return fig


def replay_widget(replays: dict):
    """A trial chooser and a step slider around :func:`render_replay`.

    ``replays`` maps a label to a :class:`Replay`.
    """
    from ._wiring import int_slider, interactive, toggle

    labels = list(replays)
    longest = max(r.t_end for r in replays.values())
    controls = {"trial": toggle(labels, labels[0], "trial"), "t": int_slider(200, 1, longest, "step t")}

    def render(trial, t):
        return render_replay(replays[trial], t)

    return interactive(render, controls, [["trial"], ["t"]])


# --- added (lessb): the replay with the decision map shown relative to the prior -----------------
def render_replay_vs_prior(replay: Replay, t: int, pi_prior, fig=None, *, recent: int = 2000):
    """Like :func:`render_replay`, but the fourth panel shows the decision map relative to the untrained policy
    ``pi_prior`` (256,) on a diverging scale with a colour bar (:func:`fepteach.plots.maze.draw_decision_change`)."""
    import matplotlib.pyplot as plt

    from ..plots import maze as mplots

    t = int(min(max(int(t), 1), replay.t_end))
    if fig is None:
        fig = plt.figure(figsize=(11.0, 4.6), layout="constrained")
    gs = fig.add_gridspec(2, 3, height_ratios=(1.0, 1.25))
    ax_maze = fig.add_subplot(gs[0, :])
    mplots.draw_maze(replay.maze, replay.positions[:t], ax_maze, recent=recent)
    ax_maze.set_title(f"{replay.label}  step t = {t} of {replay.t_end}  position (row {replay.positions[t - 1][0]}, "
                      f"column {replay.positions[t - 1][1]})", fontsize=10)
    ax_o, ax_q, ax_d = (fig.add_subplot(gs[1, k]) for k in range(3))
    mplots.draw_view(observation_at(replay.maze, replay.positions, t), ax_o, title="observation o_t (1 = wall)")
    mplots.draw_view(replay.q[t - 1], ax_q, title="state posterior q_t (ON)")
    mplots.draw_decision_change(ag.selection_probabilities(replay.y[t - 1]), pi_prior, ax_d)
    ax_d.set_title("decision map vs. prior\n" + ax_d.get_title(), fontsize=9)
    return fig


def replay_widget_vs_prior(replays: dict, pi_prior):
    """A trial chooser and a step slider around :func:`render_replay_vs_prior`."""
    from ._wiring import int_slider, interactive, toggle

    labels = list(replays)
    longest = max(r.t_end for r in replays.values())
    controls = {"trial": toggle(labels, labels[0], "trial"), "t": int_slider(200, 1, longest, "step t")}

    def render(trial, t):
        return render_replay_vs_prior(replays[trial], t, pi_prior)

    return interactive(render, controls, [["trial"], ["t"]])

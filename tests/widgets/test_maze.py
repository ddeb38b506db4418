"""Tests of the Lesson 07 replay widget (fepteach.widgets.maze)."""

from __future__ import annotations

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt
import numpy as np
import pytest

from fepteach import agent as ag
from fepteach import agent_fast as agf
from fepteach import maze as mz
from fepteach.widgets import maze as W


@pytest.fixture(scope="module")
def short_replay():
    maze = mz.make_maze(np.random.default_rng(3))
    uniforms = ag.draw_uniforms(np.random.default_rng(4), 300)
    _, s = agf.run_trial_fast(maze, ag.initial_params(0.25), uniforms, T=300, record_posteriors=True)
    return W.replay_from_summary(maze, s, "trial 1")


def test_replay_holds_the_recorded_trial(short_replay):
    r = short_replay
    assert r.t_end == 300
    assert r.q.shape == (300, ag.NS) and r.y.shape == (300, ag.ND)
    # untrained agent: q is 100/101 on wall pixels and 1/101 on free ones (SPEC §8.5, O33)
    o = W.observation_at(r.maze, r.positions, 50)
    np.testing.assert_allclose(r.q[49], np.where(o == 1, 100 / 101, 1 / 101), atol=1e-9)


def test_observation_at_matches_observe_and_start(short_replay):
    r = short_replay
    assert np.all(W.observation_at(r.maze, r.positions, 1) == 0)
    o2 = W.observation_at(r.maze, r.positions, 2)  # at the start (9, 1): window columns 0-3 are padding
    np.testing.assert_array_equal(o2, mz.observe(r.maze, mz.start_position()))
    assert np.all(o2[: 4 * 11] == 1) and o2[60] == 0


def test_observation_at_goal_uses_the_arrival_view():
    maze = mz.make_maze(np.random.default_rng(0))
    goal = mz.goal_position()
    positions = np.array([mz.start_position(), (goal[0], goal[1] - 1), goal])
    o = W.observation_at(maze, positions, 3)
    np.testing.assert_array_equal(o, mz.observe(maze, mz.arrival_position()))
    assert o[60] == 1  # centre pixel is padding on the arrival step (SPEC §8.4)


def test_render_replay_panels_and_clipping(short_replay):
    fig = W.render_replay(short_replay, 10_000)  # beyond t_end: clipped
    assert len(fig.axes) == 4
    assert "t = 300 of 300" in fig.axes[0].get_title()
    path = fig.axes[0].lines[0]
    assert len(path.get_xdata()) == 300
    assert "left" in fig.axes[3].get_title() and "right" in fig.axes[3].get_title()
    plt.close(fig)
    fig = W.render_replay(short_replay, 5)
    assert len(fig.axes[0].lines[0].get_xdata()) == 5
    plt.close(fig)


def test_replay_from_summary_needs_posteriors():
    maze = mz.make_maze(np.random.default_rng(1))
    _, s = agf.run_trial_fast(maze, ag.initial_params(0.25), ag.draw_uniforms(np.random.default_rng(2), 20), T=20)
    with pytest.raises(ValueError, match="record_posteriors"):
        W.replay_from_summary(maze, s)

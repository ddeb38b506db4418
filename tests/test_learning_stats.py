"""Tests of fepteach.learning_stats (block statistics with bootstrap intervals over agents) and of the drawing
functions added for Lessons 06-07."""

from __future__ import annotations

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt
import numpy as np
import pytest

from fepteach import learning_stats as ls


def test_block_bootstrap_values_and_intervals():
    rng = np.random.default_rng(0)
    d = np.where(rng.random((100, 12)) < np.linspace(0.2, 0.9, 12), 500, 20000)
    st = ls.block_bootstrap(d, np.random.default_rng(1), n_boot=500)
    assert st.blocks[0] == (1, 10) and st.blocks[-1] == (81, 100) and st.n_agents == 12
    for k, (a, b) in enumerate(st.blocks):
        x = d[a - 1 : b]
        assert st.success[k] == pytest.approx(np.mean(x < 20000))
        assert st.median[k] == np.median(x)
        assert st.success_ci[k, 0] <= st.success[k] + 1e-12 and st.success[k] - 1e-12 <= st.success_ci[k, 1]
    # agents that all behave the same give a zero-width interval
    same = np.tile(np.arange(100)[:, None] * 10 + 100, (1, 5))
    st2 = ls.block_bootstrap(same, np.random.default_rng(2), n_boot=100)
    np.testing.assert_array_equal(st2.success_ci[:, 0], st2.success_ci[:, 1])
    np.testing.assert_allclose(st2.centres, [5.5, 15.5, 30.5, 50.5, 70.5, 90.5])


def test_block_bootstrap_truncates_blocks_and_checks_inputs():
    d = np.full((15, 3), 100)
    st = ls.block_bootstrap(d, np.random.default_rng(0), n_boot=50)
    assert st.blocks == [(1, 10), (11, 15)]
    with pytest.raises(ValueError, match="at least 2 agents"):
        ls.block_bootstrap(np.ones((10, 1)), np.random.default_rng(0))
    with pytest.raises(ValueError, match="level"):
        ls.block_bootstrap(d, np.random.default_rng(0), level=1.5)


def test_first_last_change():
    d = np.vstack([np.full((10, 4), 20000), np.full((90, 4), 300)])
    change, ci = ls.first_last_change(d, np.random.default_rng(0), n_boot=50)
    assert change == 1.0 and np.all(ci == 1.0)


def test_added_drawing_functions_run():
    from fepteach.plots import agent as aplots
    from fepteach.plots import learning as lplots
    from fepteach.plots import maze as mplots

    rng = np.random.default_rng(0)
    d = rng.integers(100, 20001, (100, 6))
    st = ls.block_bootstrap(d, rng, n_boot=50)
    fig, ax = plt.subplots(layout="constrained")
    lplots.curves_with_spread({0.25: st, 0.35: st}, ax, what="median")
    lplots.curves_with_spread({0.25: st}, ax, what="success")
    lplots.condition_legend(fig, [0.25, 0.35])
    assert lplots.prior_label(0.25) == "e_r = 0.25 (paper: E_right = 0.0039)"
    lplots.chunk_modulation_grouped({0.15: (0.9, 0.1, 0.0), 0.25: (0.7, 0.2, 0.1)})
    pi = np.full(256, 1 / 256)
    pi2 = pi.copy()
    pi2[192:] *= 2
    pi2 /= pi2.sum()
    ax = mplots.draw_decision_change(pi2, pi)
    assert ax.images[0].get_array().max() > 0
    assert mplots.decision_map_raw(pi).max() == pytest.approx(1 / 256)
    ax = aplots.plot_chunk_modulation_bars([0.0, 0.55, 1.0])
    heights = [p.get_height() for p in ax.patches]
    assert heights == pytest.approx([1.0, -0.1, -1.0])
    plt.close("all")


def test_critic_modulation_render_counts_the_floor():
    from fepteach.widgets.agent import render_critic_modulation

    fig = render_critic_modulation((1.0,) * 6, qci0=300.0)
    assert "counts at the floor" in fig.axes[1].get_title()
    assert "floor: 0" not in fig.axes[1].get_title()
    plt.close("all")


def test_replay_vs_prior_renders_a_colour_bar():
    from fepteach import agent as ag
    from fepteach import maze as mz
    from fepteach.widgets.maze import Replay, render_replay_vs_prior

    maze = mz.make_maze(np.random.default_rng(0))
    pos = np.array([mz.start_position()] * 3)
    y = np.tile(ag.halves(ag.decision_prior(0.25))[0], (3, 1))
    y[2, 192:] *= 1.5
    fig = render_replay_vs_prior(Replay(maze, pos, np.full((3, 121), 0.5), y, "x"), 3, ag.selection_probabilities(y[0]))
    assert len(fig.axes) == 5  # maze, observation, posterior, decision change, colour bar
    assert "right" in fig.axes[3].get_title()
    plt.close("all")


def test_run_conditions_equals_run_agents_per_prior():
    from fepteach import experiment as ex
    from fepteach import maze as mz

    maze = mz.make_maze(np.random.default_rng(1))
    res, trained = ex.run_conditions((0.25, 0.35), 2, 2, seed=5, workers=1, train_maze=maze, T=300)
    for prior in (0.25, 0.35):
        ref = ex.run_agents(prior, 2, 2, seed=5, T=300, executor=_SerialExecutor(), progress=False)
        np.testing.assert_array_equal(res[prior].durations, ref.durations)
    params, summaries = trained
    assert len(summaries) == 2 and all(s.t_end <= 300 for s in summaries)
    assert isinstance(ex.shortened_for_ci(), bool)


class _SerialExecutor:
    """Runs submitted calls at once (enough for run_agents)."""

    def submit(self, fn, *args, **kw):
        from concurrent.futures import Future

        f = Future()
        f.set_result(fn(*args, **kw))
        return f

    def shutdown(self, wait=True, cancel_futures=False):
        pass

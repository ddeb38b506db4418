"""Maze experiments: reduced learning runs (O40, O41), the paper protocol, save/load, resume, executors."""

from concurrent.futures import Executor, Future, ThreadPoolExecutor

import numpy as np
import pytest

from fepteach import agent as ag
from fepteach import experiment as ex


class CountingExecutor(Executor):
    """Runs tasks inline and counts them (to check resuming)."""

    def __init__(self):
        self.submitted = []

    def submit(self, fn, *args, **kwargs):
        self.submitted.append(args[0].index)
        f = Future()
        f.set_result(fn(*args, **kwargs))
        return f


@pytest.mark.slow
def test_O40_unbiased_agents_learn():
    res = ex.run_agents(0.25, 5, 50, seed=40, keep_trajectories=())
    d = res.durations
    assert d.shape == (50, 5)
    late = d[30:50].ravel()
    early = d[:10].ravel()
    assert np.mean(late < 20000) >= 0.5
    assert np.median(late) <= 15000
    assert np.mean(early < 20000) <= 0.7
    assert len(set(map(bytes, res.mazes))) == 5  # distinct mazes


@pytest.mark.slow
def test_O41_left_biased_agents_stay_poor():
    res = ex.run_agents(0.15, 5, 50, seed=41, keep_trajectories=())
    assert np.mean(res.durations < 20000) <= 0.35


def test_paper_protocol_structure_reduced(tmp_path):
    res = ex.run_paper_protocol(0.25, seed=3, out=tmp_path / "p", executor=CountingExecutor(), n_trials=2, T=400,
                                keep_trajectories=(1,))
    assert res.durations.shape == (2, 30) and res.free_energy.shape == (2, 30) and res.e_hat.shape == (2, 30, 256)
    # samples 21-30 run on mazes 11-20 with the mean trial-1 estimate of samples 1-10, not renormalised
    assert np.array_equal(res.mazes[20:], res.mazes[10:20])
    assert len(set(map(bytes, res.mazes[:20]))) == 20
    e_on = res.e_hat[0, :10].mean(axis=0)
    assert np.array_equal(res.E[20, :256], e_on) and np.allclose(res.E[20, 256:], 1 - e_on)
    assert np.all(res.E[:20] == ag.decision_prior(0.25))
    assert np.isclose(e_on.sum(), np.mean((res.durations[0, :10] - 2) / (400 - 2)))  # fixed denominator T - 2
    assert np.array_equal(res.estimated_prior, res.E[25])
    back = ex.MazeResults.load(tmp_path / "p")
    assert np.array_equal(back.durations, res.durations) and np.array_equal(back.E, res.E)
    assert np.allclose(back.free_energy, res.free_energy, rtol=1e-9)
    assert set(back.trajectories) == {(a, 1) for a in range(30)}
    assert back.config == res.config


def test_results_roundtrip_and_resume(tmp_path):
    out = tmp_path / "run"
    first = ex.run_agents(0.3, 3, 2, seed=5, out=out, executor=CountingExecutor(), T=300, ny=7, nx=15)
    assert (out / "durations.csv").read_text().count("\n") == 2  # trials x agents
    # simulate an interruption: agent 1 never finished
    (out / "agents" / "agent_001.npz").unlink()
    counting = CountingExecutor()
    again = ex.run_agents(0.3, 3, 2, seed=5, out=out, executor=counting, T=300, ny=7, nx=15)
    assert counting.submitted == [1]  # only the missing agent ran again
    assert np.array_equal(again.durations, first.durations)
    assert np.allclose(again.free_energy, first.free_energy, rtol=0, atol=0)
    loaded = ex.MazeResults.load(out)
    assert np.array_equal(loaded.durations, first.durations)
    assert np.array_equal(loaded.trajectories[(2, 1)], first.trajectories[(2, 1)])
    assert loaded.block_stats()[0]["n"] == 6
    with pytest.raises(ValueError, match="different run"):
        ex.run_agents(0.3, 4, 2, seed=5, out=out, T=300, ny=7, nx=15)


def test_any_executor_gives_the_same_results():
    a = ex.run_agents(0.3, 2, 2, seed=8, executor=ThreadPoolExecutor(2), T=300, ny=7, nx=15)
    b = ex.run_agents(0.3, 2, 2, seed=8, executor=CountingExecutor(), T=300, ny=7, nx=15)
    assert np.array_equal(a.durations, b.durations) and np.array_equal(a.free_energy, b.free_energy)


def test_bad_inputs(tmp_path):
    with pytest.raises(ValueError, match="prior"):
        ex.run_agents(0.6, 1, 1)
    with pytest.raises(ValueError, match="n_agents"):
        ex.run_agents(0.25, 0, 1)
    with pytest.raises(ValueError, match="n_trials"):
        ex.run_agents(0.25, 1, 0)
    with pytest.raises(ValueError, match="odd"):
        ex.run_agents(0.25, 1, 1, ny=8)
    blocker = tmp_path / "file"
    blocker.write_text("x")
    with pytest.raises(ValueError, match="cannot be written"):
        ex.run_agents(0.25, 1, 1, out=blocker / "sub")
    with pytest.raises(ValueError, match="config.json"):
        ex.MazeResults.load(tmp_path)


def test_precision_is_recorded_passed_through_and_validated(tmp_path):
    import json

    out = tmp_path / "f32"
    res = ex.run_agents(0.3, 2, 2, seed=9, out=out, executor=CountingExecutor(), T=300, ny=7, nx=15,
                        precision="float32")
    cfg = json.loads((out / "config.json").read_text())
    assert cfg["precision"] == "float32" and res.config.precision == "float32"
    assert ex.MazeResults.load(out).config.precision == "float32"
    # the default is float64, and a run saved before the field existed is read as float64 and resumes
    res64 = ex.run_agents(0.3, 2, 2, seed=9, out=tmp_path / "f64", executor=CountingExecutor(), T=300, ny=7, nx=15)
    assert json.loads((tmp_path / "f64" / "config.json").read_text())["precision"] == "float64"
    cfg_old = dict(json.loads((tmp_path / "f64" / "config.json").read_text()))
    del cfg_old["precision"]
    (tmp_path / "f64" / "config.json").write_text(json.dumps(cfg_old))
    counting = CountingExecutor()
    again = ex.run_agents(0.3, 2, 2, seed=9, out=tmp_path / "f64", executor=counting, T=300, ny=7, nx=15)
    assert counting.submitted == [] and np.array_equal(again.durations, res64.durations)
    with pytest.raises(ValueError, match="different run"):  # a float32 run cannot resume a float64 folder
        ex.run_agents(0.3, 2, 2, seed=9, out=tmp_path / "f64", T=300, ny=7, nx=15, precision="float32")
    for bad in ("float16", None):
        with pytest.raises(ValueError, match="precision"):
            ex.run_agents(0.3, 1, 1, T=300, ny=7, nx=15, precision=bad)
        with pytest.raises(ValueError, match="precision"):
            ex.run_paper_protocol(0.3, n_trials=1, T=300, precision=bad)


def test_block_stats_are_block_summary_labelled():
    """block_stats has no statistics of its own: the numbers are agent.block_summary's, pooled over the agents asked for."""
    cfg = ex.RunConfig("agents", 0.25, 3, 5, 0, T=100)
    d = np.array([[100, 100, 90], [100, 40, 100], [30, 20, 100], [10, 100, 5], [7, 8, 9]])
    res = ex.MazeResults(cfg, d, np.zeros((5, 3)), np.zeros((5, 3, 256)), np.zeros((3, 7, 7)), np.zeros((3, 512)), {})
    blocks = [(1, 2), (3, 5), (6, 9)]  # the last block starts after the trials run: left out
    for agents in (None, [0, 2], 1):
        rows = res.block_stats(agents=agents, blocks=blocks)
        cols = d[:, np.arange(3) if agents is None else np.atleast_1d(agents)]
        assert [(r["trials"][0], r["trials"][1], r["median"], r["success"]) for r in rows] == ag.block_summary(
            cols, T=100, blocks=blocks)
        assert [r["n"] for r in rows] == [2 * cols.shape[1], 3 * cols.shape[1]]

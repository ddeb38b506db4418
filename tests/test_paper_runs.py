"""The shipped paper-protocol results (fepteach/data/paper_runs.npz) are what the engine computes: re-run the first
trials of a few shipped agents and compare exactly."""

from __future__ import annotations

import numpy as np
import pytest

from fepteach import agent as ag
from fepteach import experiment as ex
from fepteach.data import paper_runs as pr


@pytest.fixture(scope="module")
def shipped():
    return pr.load_paper_runs()


def test_shipped_file_is_small_and_well_formed(shipped):
    assert pr.PATH.stat().st_size < 3_000_000
    np.testing.assert_allclose(shipped.priors, pr.PRIORS)
    assert shipped.seed == pr.SEED and shipped.T == ag.T_MAX
    assert shipped.durations.shape == (3, ex.N_PAPER_TRIALS, ex.N_PAPER_SAMPLES)
    assert shipped.available.shape == (3, ex.N_PAPER_SAMPLES) and shipped.available.any()
    d = shipped.durations[:, :, :][np.broadcast_to(shipped.available[:, None, :], shipped.durations.shape)]
    assert np.all((d >= 3) & (d <= ag.T_MAX))
    for m, ref in zip(shipped.mazes, ex.paper_mazes(pr.SEED)):
        np.testing.assert_array_equal(m, ref)
    assert shipped.samples(0.25, 1, 20).shape[0] == ex.N_PAPER_TRIALS


def test_shipped_rows_are_reproduced_exactly(shipped):
    """Two shipped agents (the available ones with the shortest first trials), first two trials each."""
    agent_ss = np.random.SeedSequence(pr.SEED).spawn(2)[1].spawn(ex.N_PAPER_SAMPLES)
    mazes = ex.paper_mazes(pr.SEED)
    cand = []
    for i, prior in enumerate(pr.PRIORS):
        for a in range(20):  # samples 1-20 use the nominal prior
            if shipped.available[i, a]:
                cand.append((int(shipped.durations[i, :2, a].sum()), i, a))
    assert cand, "no shipped agent among samples 1-20"
    for _, i, a in sorted(cand)[:2]:
        task = ex.AgentTask(a, mazes[a], ag.decision_prior(pr.PRIORS[i]), agent_ss[a], 2, ag.T_MAX, ())
        res = ex.run_agent_task(task)
        np.testing.assert_array_equal(res.durations, shipped.durations[i, :2, a])
        np.testing.assert_array_equal(res.free_energy, shipped.free_energy[i, :2, a])

"""The two-layer maze agent (SPEC §7, §8.5–8.10; oracles O33–O39, O42)."""

import dataclasses

import numpy as np
import pytest

from fepteach import agent as ag
from fepteach import agent_fast as agf
from fepteach import maze as mz
from fepteach._agent_numba import _chunk_gamma

NS, ND = ag.NS, ag.ND


@pytest.fixture(scope="module")
def maze():
    return mz.make_maze(np.random.default_rng(2024))


@pytest.fixture(scope="module")
def short_record(maze):
    """A 2000-step reference trial of an untrained agent (e_r = 0.25)."""
    params = ag.initial_params(0.25)
    rec = ag.run_trial_reference(maze, params, ag.draw_uniforms(np.random.default_rng(5), 2000), T=2000)
    return params, rec


# --- initial parameters -----------------------------------------------------------------
def test_initial_params_shapes_and_values():
    p = ag.initial_params(0.25)
    assert p.qa.shape == (242, 242) and p.qbi.shape == (242, 242) and p.qci.shape == (242, 512)
    b = ag.blocks(p.qa)
    assert np.allclose(np.diag(b.on_on), 1e9) and np.allclose(np.diag(b.off_off), 1e9)
    assert b.on_off.max() == 1e7 and b.on_on[0, 1] == 1e7
    assert np.all(p.qbi == 1e7) and np.all(p.qci == 3000) and np.all(p.D == 0.5 / 256)
    e_on, e_off = ag.halves(p.E)
    assert np.allclose(e_on, 1 / 256) and np.allclose(e_on + e_off, 1)
    with pytest.raises(ValueError, match="e_right"):
        ag.initial_params(0.5)
    with pytest.raises(ValueError, match="e_right"):
        ag.decision_prior(-0.1)
    with pytest.raises(ValueError, match="E must have shape"):
        ag.initial_params(E=np.ones(256))


def test_O33_initial_state_posterior(short_record):
    _, rec = short_record
    expected = rec.o[1:] * (100 / 101) + (1 - rec.o[1:]) * (1 / 101)
    assert np.max(np.abs(rec.q_stacked[1:, :NS] - expected)) <= 1e-9
    assert np.max(np.abs(rec.q_stacked[1:, NS:] - (1 - expected))) <= 1e-9


@pytest.mark.parametrize(
    "e_right, blocks",
    [(0.15, (0.2499, 0.2499, 0.3504, 0.1497)), (0.25, (0.25, 0.25, 0.25, 0.25)), (0.35, (0.2499, 0.2499, 0.1497, 0.3504))],
)
def test_O34_initial_decision_probabilities(e_right, blocks):
    p = ag.initial_params(e_right)
    lp = ag.log_params(p)
    m = mz.make_maze(np.random.default_rng(34))
    q_prev = p.D
    for pos in [(9, 1), (5, 11), (13, 41)]:
        q, y = ag.agent_step(lp, mz.observe(m, pos), q_prev)
        assert np.max(np.abs(y - ag.halves(p.E)[0])) <= 1e-12  # y_l = E_ON exactly
        q_prev = q
    pi = ag.selection_probabilities(y)
    assert np.allclose(pi.reshape(4, 64).sum(axis=1), blocks, atol=1e-4)


# --- risk ---------------------------------------------------------------------------------
def _chunk(net_right, n=200):
    G = np.full(n, 0.5)
    if net_right >= 0:
        G[:net_right] = 0.0
    else:
        G[: -net_right] = 1.0
    return G


@pytest.mark.parametrize("net, gamma", [(-10, 0.55), (0, 0.55), (1, 0.45), (9, 0.45), (10, 0.0), (11, 0.0), (-200, 0.55)])
def test_O35_chunk_risk_mapping(net, gamma):
    G = _chunk(net)
    assert ag.chunk_risk(G) == gamma
    assert _chunk_gamma(G, 0, G.size) == gamma  # the compiled engine uses the same rule


def test_O35_partial_chunk_rescaled():
    G = _chunk(1, n=20)  # net +1 in 20 steps -> Delta = 10 -> Gamma = 0 (floating-point boundary)
    assert ag.chunk_progress(G) > 10
    assert ag.chunk_risk(G) == 0.0 and _chunk_gamma(G, 0, 20) == 0.0
    G = np.array([0.0, 1.0, 0.5, 0.5, 0.0, 0.0, 0.5, 0.5, 0.5, 0.5])  # net +2 in 10 -> Delta = 40
    assert ag.chunk_risk(G) == 0.0
    assert ag.n_chunks(20000) == 100 and ag.n_chunks(201) == 1 and ag.n_chunks(202) == 2


# --- learning -------------------------------------------------------------------------------
def _qci_pair_sums(rec):
    """sum_{t in chunk} q_t (x) (d_{t+1}; 1 - d_{t+1}) per chunk, by explicit loops (independent of learn())."""
    out = []
    for s in ag.chunk_slices(rec.t_end):
        inc = np.zeros((2 * NS, 2 * ND))
        for i in range(s.start, s.stop):
            d = np.zeros(ND)
            d[rec.decisions[i + 1]] = 1.0
            inc += np.outer(rec.q_stacked[i], np.concatenate([d, 1 - d]))
        out.append(inc)
    return out


def test_O36_qci_increments_and_floor(short_record):
    params, rec = short_record
    sums = _qci_pair_sums(rec)
    total = sum(sums)
    good = dataclasses.replace(rec, G=np.zeros_like(rec.G))  # every chunk: Delta = 200 -> Gamma = 0
    assert np.all(good.gammas == 0.0)
    inc = ag.learn(params, good).qci - params.qci
    assert np.max(np.abs(inc - total)) <= 1e-9
    bad = dataclasses.replace(rec, G=np.ones_like(rec.G))  # Gamma = 0.55 everywhere, no flooring from 3000
    inc = ag.learn(params, bad).qci - params.qci
    assert np.max(np.abs(inc - (1 - 2 * 0.55) * total)) <= 1e-9
    # floor at 1 after every chunk: start at 1, chunk 1 punished, later chunks rewarded
    low = dataclasses.replace(params, qci=np.ones_like(params.qci))
    G = np.zeros_like(rec.G)
    G[:200] = 1.0
    mixed = dataclasses.replace(rec, G=G)
    assert mixed.gammas[0] == 0.55 and np.all(mixed.gammas[1:] == 0.0)
    expected = np.maximum(1.0, 1.0 + (1 - 2 * 0.55) * sums[0])
    for s in sums[1:]:
        expected = np.maximum(1.0, expected + s)
    got = ag.learn(low, mixed).qci
    assert np.max(np.abs(got - expected)) <= 1e-9
    once = np.maximum(1.0, 1.0 + (1 - 2 * 0.55) * sums[0] + sum(sums[1:]))
    assert np.max(np.abs(got - once)) > 1e-3  # flooring once at the end would differ


def test_O37_qa_qbi_increments(short_record):
    params, rec = short_record
    new = ag.learn(params, rec)
    inc_a = np.zeros((242, 242))
    inc_b = np.zeros((242, 242))
    for i in range(1, rec.t_end):
        inc_a += np.outer(np.concatenate([rec.o[i], 1 - rec.o[i]]), rec.q_stacked[i])
        inc_b += np.outer(rec.q_stacked[i - 1], rec.q_stacked[i])
    np.testing.assert_allclose(new.qa - params.qa, inc_a, rtol=1e-6, atol=1e-6)  # 1e9-sized counts
    np.testing.assert_allclose(
        ag.learn(dataclasses.replace(params, qa=np.zeros_like(params.qa)), rec).qa, inc_a, rtol=1e-12, atol=0
    )
    np.testing.assert_allclose(
        ag.learn(dataclasses.replace(params, qbi=np.zeros_like(params.qbi)), rec).qbi, inc_b, rtol=1e-12, atol=1e-12
    )


def test_O38_free_energy_of_untrained_trial():
    rng = np.random.default_rng(38)
    for k in range(3):
        m = mz.make_maze(rng)
        _, s = agf.run_trial_fast(m, ag.initial_params(0.25), ag.draw_uniforms(rng))
        t = np.arange(2, s.t_end)
        g = 1 - 2 * s.gammas[(t - 1) // ag.CHUNK]
        predicted = 20968 + 21471 * g.mean()
        assert abs(s.F / (s.t_end - 2) - predicted) <= 0.005 * predicted


def test_O39_untrained_agents_mostly_fail():
    rng = np.random.default_rng(39)
    durations = []
    for _ in range(10):
        m = mz.make_maze(rng)
        _, s = agf.run_trial_fast(m, ag.initial_params(0.25), ag.draw_uniforms(rng))
        durations.append(s.t_end)
    assert np.mean(np.array(durations) == 20000) >= 0.5


def test_O42_decision_frequency_estimate():
    rng = np.random.default_rng(42)
    e_hats = []
    for _ in range(5):
        m = mz.make_maze(rng)
        _, s = agf.run_trial_fast(m, ag.initial_params(0.15), ag.draw_uniforms(rng))
        assert np.isclose(s.e_hat.sum(), (s.t_end - 2) / 19998)
        e_hats.append(s.e_hat)
    E = ag.estimated_prior(np.array(e_hats))
    e_on = ag.halves(E)[0]
    blocks = (e_on / e_on.sum()).reshape(4, 64).sum(axis=1)
    assert np.all(np.abs(blocks - [0.2499, 0.2499, 0.3504, 0.1497]) <= 0.02)
    assert np.allclose(ag.halves(E)[1], 1 - e_on)  # E_OFF = 1 - E_ON, not renormalised


def test_decision_frequencies_counts_from_t3():
    d = np.array([-1, 7, 3, 3, 255])
    e = ag.decision_frequencies(d, t_end=5, T=20000)
    assert e[3] == 2 / 19998 and e[255] == 1 / 19998 and e[7] == 0  # decision at t = 2 is excluded


def test_selection_probabilities_normalise_each_row_of_a_trial():
    rng = np.random.default_rng(5)
    y = rng.uniform(0.001, 0.2, (3, ag.ND))
    pi = ag.selection_probabilities(y)
    assert pi.shape == y.shape and np.allclose(pi.sum(axis=1), 1.0)
    assert np.allclose(pi[1], ag.selection_probabilities(y[1]))


# --- decision map, first actions, block summary (moved from the plots, issue 11 item 7) ----------
def test_decision_map_of_uniform_prior():
    pi = ag.selection_probabilities(ag.halves(ag.decision_prior(0.25))[0])
    dm = ag.decision_map(pi)
    assert dm.shape == (11, 11)
    assert dm[5, 5] == pytest.approx(min(32 / 256, 1))  # e.g. up-down-left-right returns to the centre
    assert dm[5, 9] > 0 and dm[9, 9] == 0  # 4 rights reach (5, 9); (4 down, 4 right) needs 8 moves
    one = np.zeros(ND)
    one[0b11111111] = 1.0  # right, right, right, right
    assert ag.decision_map(one)[5, 9] == 1.0 and ag.decision_map(one).sum() == 1.0
    one[:] = 0.0
    one[0b01010101] = 1.0  # down x 4
    assert ag.decision_map(one)[9, 5] == 1.0


def test_first_action_probabilities_and_block_summary():
    pi = ag.selection_probabilities(ag.halves(ag.decision_prior(0.35))[0])
    p = ag.first_action_probabilities(pi)
    assert p.shape == (4,) and p.sum() == pytest.approx(1.0) and p[mz.RIGHT] > p[mz.LEFT]
    d = np.full((100, 3), 20000)
    d[50:] = 5000
    rows = ag.block_summary(d)
    assert [r[3] for r in rows] == [0, 0, 0, 0.5, 1, 1] and rows[-1][2] == 5000.0
    with pytest.raises(ValueError, match="pi must have 256 entries"):
        ag.first_action_probabilities(np.ones(255))

"""Tests of fepteach.toy (Lesson 06): policy readouts and risk-modulated policy learning on toy tasks (SPEC §7, §8.8)."""

from __future__ import annotations

import dataclasses

import numpy as np
import pytest
from scipy.special import expit, logit, softmax

from fepteach import agent as ag
from fepteach import maze as mz
from fepteach import pomdp, toy


@pytest.fixture(scope="module")
def toy_record():
    rng = np.random.default_rng(3)
    maze = mz.make_maze(rng, toy.TOY_NY, toy.TOY_NX)
    params = ag.initial_params(0.25)
    rec = ag.run_trial_reference(maze, params, ag.draw_uniforms(rng, 700), T=700)
    return maze, params, rec


def test_O36_replayed_policy_learning_matches_agent_learn(toy_record):
    _, params, rec = toy_record
    S = toy.chunk_hebbian_sums(rec)
    assert S.shape == (ag.n_chunks(rec.t_end), 2 * ag.NS, 2 * ag.ND)
    own = toy.learn_policy_chunks(params.qci, S, rec.gammas)
    assert own.shape[0] == S.shape[0] + 1
    np.testing.assert_array_equal(own[0], params.qci)
    assert np.max(np.abs(own[-1] - ag.learn(params, rec).qci)) <= 1e-9
    good = toy.learn_policy_chunks(params.qci, S, np.zeros(len(S)))[-1] - params.qci
    assert np.max(np.abs(good - S.sum(axis=0))) <= 1e-9
    bad = toy.learn_policy_chunks(params.qci, S, np.full(len(S), 0.55))[-1] - params.qci
    assert np.max(np.abs(bad + 0.1 * S.sum(axis=0))) <= 1e-9


def test_floor_is_applied_after_every_chunk(toy_record):
    _, params, rec = toy_record
    S = toy.chunk_hebbian_sums(rec)
    qci1 = np.ones_like(params.qci)
    g = np.zeros(len(S))
    g[0] = 1.0
    per_chunk = toy.learn_policy_chunks(qci1, S, g)[-1]
    once = np.maximum(1.0, qci1 - S[0] + S[1:].sum(axis=0))
    assert np.all(per_chunk >= 1.0)
    assert np.max(np.abs(per_chunk - once)) > 1e-3


def test_policy_weights_are_the_dictionary_of_the_counts():
    rng = np.random.default_rng(1)
    qci = rng.uniform(1, 50, (2 * ag.NS, 2 * ag.ND))
    V1, V0 = toy.policy_weights(qci)
    assert V1.shape == V0.shape == (ag.ND, ag.NS)
    b = ag.blocks(qci)
    np.testing.assert_allclose(expit(V1[7, 3]), b.on_on[3, 7] / (b.on_on[3, 7] + b.off_on[3, 7]), rtol=1e-12)
    np.testing.assert_allclose(expit(V0), pomdp.blocks(pomdp.dirichlet_mean(qci)).on_off.T, rtol=1e-12)


def test_O18_policy_at_state_is_softmax_of_potentials_and_untrained_equals_prior(toy_record):
    maze, params, _ = toy_record
    q = toy.state_at(params, maze, mz.start_position(toy.TOY_NY))
    assert q.shape == (2 * ag.NS,)
    np.testing.assert_allclose(q[: ag.NS] + q[ag.NS :], 1.0)
    for e_r in ag.PRIORS:
        E = ag.decision_prior(e_r)
        pi = toy.policy_at_state(params.qci, E, q)
        u = logit(ag.halves(E)[0])
        np.testing.assert_allclose(pi, softmax(u), rtol=1e-4)
        w = np.array([0.25, 0.25, 0.5 - e_r, e_r])
        np.testing.assert_allclose(toy.first_action_probabilities(pi), w, atol=1.5e-3)


def test_low_risk_credits_and_high_risk_blames_the_chosen_decisions(toy_record):
    maze, params, _ = toy_record
    q = toy.state_at(params, maze, mz.start_position(toy.TOY_NY))
    slopes = {}
    for G in (0.0, 0.5, 0.55):
        run = toy.corridor_run(params, q, 1, np.random.default_rng(5), gammas=[G])
        dlog = np.log(toy.policy_at_state(run.qci, params.E, q)) - np.log(toy.policy_at_state(params.qci, params.E, q))
        slopes[G] = np.polyfit(run.counts[0], dlog, 1)[0]
        np.testing.assert_array_equal(run.qci_before_last, params.qci)
    assert slopes[0.0] > 0.01 and slopes[0.55] < -1e-3 and abs(slopes[0.5]) < 1e-12


def test_corridor_with_the_risk_rule_learns_to_go_right(toy_record):
    maze, params, _ = toy_record
    q = toy.state_at(params, maze, mz.start_position(toy.TOY_NY))
    grew = 0
    for a in range(4):
        run = toy.corridor_run(params, q, 40, np.random.default_rng(20 + a))
        assert run.p_first.shape == (41, 4) and run.counts.shape == (40, ag.ND)
        np.testing.assert_allclose(run.counts.sum(axis=1), ag.CHUNK)
        np.testing.assert_array_equal(run.gammas, [ag.risk_of_progress(d) for d in run.progress])
        grew += run.p_first[-1, 3] > run.p_first[0, 3]
    assert grew == 4


def test_corridor_step_risks_and_full_chunks():
    d = np.array([0, 64, 128, 192, 255])
    np.testing.assert_array_equal(toy.corridor_step_risks(d), [0.5, 0.5, 1.0, 0.0, 0.0])
    G = toy.full_chunk_risks(10)
    assert G.size == 200 and ag.chunk_progress(G) > 10 and ag.chunk_risk(G) == 0.0
    assert ag.chunk_risk(toy.full_chunk_risks(-3)) == 0.55
    with pytest.raises(ValueError, match="net_right"):
        toy.full_chunk_risks(201)


def test_learning_run_records_every_trial():
    rng = np.random.default_rng(8)
    maze = mz.make_maze(rng, toy.TOY_NY, toy.TOY_NX)
    run = toy.learning_run(maze, ag.initial_params(0.25), 3, rng, T=600)
    assert run.durations.shape == (3,) and run.p_first.shape == (4, 4) and run.right_moves.shape == (3,)
    np.testing.assert_allclose(run.p_first.sum(axis=1), 1.0)
    np.testing.assert_allclose(run.p_first[0], 0.25, atol=1e-6)
    assert np.all((run.right_moves >= 0) & (run.right_moves <= 1))
    assert all(g.size == ag.n_chunks(t) for g, t in zip(run.gammas, run.durations))


def test_fixed_state_sums_and_with_qci():
    q = np.concatenate([np.full(ag.NS, 0.2), np.full(ag.NS, 0.8)])
    n = np.zeros(ag.ND)
    n[3] = 5
    n[10] = 2
    S = toy.fixed_state_sums(q, n)
    np.testing.assert_allclose(S[:, 3], 5 * q)
    np.testing.assert_allclose(S[:, ag.ND + 3], 2 * q)
    p = toy.with_qci(ag.initial_params(0.25), 300.0)
    assert np.all(p.qci == 300.0)


def test_bad_inputs_raise_clear_errors():
    p = ag.initial_params(0.25)
    with pytest.raises(ValueError, match="qci"):
        toy.policy_at_state(np.ones((3, 3)), p.E, p.D)
    with pytest.raises(ValueError, match="q_stacked must"):
        toy.policy_at_state(p.qci, p.E, np.ones(5))
    with pytest.raises(ValueError, match="gammas"):
        toy.learn_policy_chunks(p.qci, np.zeros((2,) + p.qci.shape), [0.0])
    with pytest.raises(ValueError, match="qci0"):
        toy.with_qci(p, -1)
    with pytest.raises(ValueError, match="3 \\(mod 4\\)"):
        toy.learning_run(np.zeros((9, 21), dtype=np.int8), p, 1, np.random.default_rng(0))
    with pytest.raises(ValueError, match="rng"):
        toy.corridor_run(p, p.D, 1, 0)


def test_corridor_maze_is_a_straight_corridor_to_the_goal():
    maze = toy.corridor_maze()
    assert maze.shape == (toy.TOY_NY, toy.TOY_NX)
    row = toy.TOY_NY // 2
    assert np.all(maze[row, 1:] == 0) and maze[row, 0] == 1
    assert np.sum(maze == 0) == toy.TOY_NX - 1
    assert mz.shortest_path_length(maze) == (toy.TOY_NX - 1) // 2
    # untrained readout over the free rooms only: still the prior
    np.testing.assert_allclose(toy.mean_first_action_probabilities(ag.initial_params(0.25), maze), 0.25, atol=1e-6)


def test_toy_corridor_agent_visibly_learns():
    """Lesson 06's toy: with the plastic counts, the rewarded action's probability rises well above chance
    and trials get much shorter within 16 trials (seeded; margins well inside the observed effect)."""
    maze = toy.corridor_maze()
    p_right, first, last = [], [], []
    for a in range(3):
        rng = np.random.default_rng(600 + a)
        run = toy.learning_run(maze, toy.with_qci(ag.initial_params(0.25), toy.PLASTIC_QCI), 16, rng, T=2000)
        p_right.append(run.p_first[-1, 3])
        first.append(run.durations[:4])
        last.append(run.durations[-4:])
    assert np.mean(p_right) > 0.5  # chance is 0.25
    assert np.median(last) < 0.5 * np.median(first)

"""The fast engine (network form, compiled) computes what the readable agent computes."""

import dataclasses

import numpy as np
import pytest

from fepteach import agent as ag
from fepteach import agent_fast as agf
from fepteach import maze as mz

NS = ag.NS


# --- reference == fast ---------------------------------------------------------------------
def _compare(rec, new_ref, F_ref, s, new_fast, T=20000):
    assert s.t_end == rec.t_end and s.reached == rec.reached
    assert np.array_equal(s.decisions, rec.decisions)
    assert np.array_equal(s.positions, rec.positions)
    assert np.array_equal(s.gammas, rec.gammas)
    assert np.max(np.abs(s.q - rec.q[:, :NS])) <= 1e-12
    assert np.max(np.abs(s.y - rec.y)) <= 1e-12
    for name in ("qa", "qbi", "qci"):
        a, b = getattr(new_ref, name), getattr(new_fast, name)
        assert np.max(np.abs(a - b) / np.abs(a)) <= 1e-12, name
    assert abs(s.F - F_ref) <= 1e-10 * abs(F_ref)
    assert np.array_equal(s.e_hat, ag.decision_frequencies(rec.decisions, rec.t_end, T))


@pytest.mark.slow
def test_reference_and_fast_engine_agree_over_two_full_trials():
    m = mz.make_maze(np.random.default_rng(11))
    rng_ref, rng_fast = np.random.default_rng(12), np.random.default_rng(12)
    p_ref = p_fast = ag.initial_params(0.35)
    reached = []
    for _trial in range(2):
        rec = ag.run_trial_reference(m, p_ref, ag.draw_uniforms(rng_ref))
        new_ref, F_ref = ag.learn(p_ref, rec), ag.trial_free_energy(p_ref, rec)
        new_fast, s = agf.run_trial_fast(m, p_fast, ag.draw_uniforms(rng_fast), record_posteriors=True)
        _compare(rec, new_ref, F_ref, s, new_fast)
        reached.append(rec.reached)
        p_ref, p_fast = new_ref, new_fast
    assert rng_ref.random() == rng_fast.random()  # both consumed the same random numbers


def test_reference_and_fast_agree_when_the_floor_acts():
    m = mz.make_maze(np.random.default_rng(13))
    p = ag.initial_params(0.15)
    p = dataclasses.replace(p, qci=np.full_like(p.qci, 1.5))
    U = ag.draw_uniforms(np.random.default_rng(14), 3000)
    rec = ag.run_trial_reference(m, p, U, T=3000)
    new_ref = ag.learn(p, rec)
    new_fast, s = agf.run_trial_fast(m, p, U, T=3000, record_posteriors=True)
    assert np.any(rec.gammas > 0.5) and np.any(new_ref.qci == 1.0)  # the floor is active
    _compare(rec, new_ref, ag.trial_free_energy(p, rec), s, new_fast, T=3000)


def test_reference_and_fast_agree_on_a_successful_trial():
    # a trained-looking prior: strongly right-biased agent on a small maze reaches the goal
    m = mz.make_maze(np.random.default_rng(15), ny=7, nx=15)
    p = ag.initial_params(0.45)
    U = ag.draw_uniforms(np.random.default_rng(16), 5000)
    rec = ag.run_trial_reference(m, p, U, T=5000)
    assert rec.reached and rec.positions[-1].tolist() == [3, 14]
    assert rec.o[-1].reshape(11, 11, order="F")[5, 5] == 1  # arrival view centred on the unclipped column
    new_fast, s = agf.run_trial_fast(m, p, U, T=5000, record_posteriors=True)
    _compare(rec, ag.learn(p, rec), ag.trial_free_energy(p, rec), s, new_fast, T=5000)


def test_run_agent_fast_is_reproducible_and_validates():
    m = mz.make_maze(np.random.default_rng(17), ny=7, nx=15)
    a = agf.run_agent_fast(m, ag.initial_params(0.3), np.random.default_rng(1), 3, T=500, keep_positions=(2,))[1]
    b = agf.run_agent_fast(m, ag.initial_params(0.3), np.random.default_rng(1), 3, T=500)[1]
    assert [x.t_end for x in a] == [x.t_end for x in b]
    assert len(a[0].positions) == 0 and len(a[1].positions) == a[1].t_end
    with pytest.raises(ValueError, match="rng"):
        agf.run_agent_fast(m, ag.initial_params(0.3), 3, 3)
    with pytest.raises(ValueError, match="uniforms"):
        ag.run_trial_reference(m, ag.initial_params(0.3), np.zeros(10), T=500)
    with pytest.raises(ValueError, match="multiple of 4"):  # start on a pillar row: refused, no crash
        agf.run_trial_fast(np.ones((9, 15), dtype=np.int8), ag.initial_params(0.3), np.zeros(500), T=500)

"""Cross-validation against the authors' Python package ``reverse-engineering-py`` (SPEC O44, §11.2).

The authors' ``POMDP`` class holds the same per-step inference and end-of-trial learning
as our agent (it has no maze; its example script drives it). How the two protocols are
aligned here (SPEC §11.2):

* **Time.** We drive ``POMDP.infer`` with our maze, in MATLAB time: its loop iteration k
  (buffer entry k) is our step t = k + 1. Its buffer entry 0 is q_1 = D and y_1 = E, as ours.
  The authors' agent samples its decisions (with NumPy's global generator, seeded here and
  restored afterwards); we execute its decisions in our maze (first action, SPEC §8.7) and
  replay the same decisions in our reference agent.
* **Goal.** Their example script stops before observing the goal; we instead feed them the
  arrival-step observation (view centred on the unclipped column, SPEC §8.4), so their
  buffer covers exactly our t = 2..t_end.
* **Risk.** Their example computes chunk risks from executed moves; we pass them *our*
  chunk risks (SPEC §8.8, MATLAB convention). Their chunk i then covers the pairs
  (q_t, d_{t+1}) with t in 200 i + 1 .. 200 (i + 1), as ours, and ``compute_vfe`` uses the
  same chunks and one-step decision offset as our F (SPEC §8.9).
* **Precision.** Their example stores counts, D and E in float32; we pass float64 arrays,
  so both run in float64 (their F still casts the decision part to float32, hence the
  1e-6 relative tolerance on F).
"""

import numpy as np
import pytest

from fepteach import agent as ag
from fepteach import maze as mz

pomdp = pytest.importorskip(
    "reverse_engineering.pomdp", reason="the authors' package reverse-engineering-py is not installed"
)

NS, ND = ag.NS, ag.ND


def _drive_authors_agent(maze, params, seed, T):
    """Run the authors' POMDP on our maze for one trial; return its records and the POMDP."""
    model = pomdp.POMDP(
        qa_init=params.qa.copy(), D=params.D.copy(), qbi_init=params.qbi.copy(), qci_init=params.qci.copy(),
        E=params.E.copy(), sim_type=2, buf_size=T + 1,
    )
    ny, nx = maze.shape
    goal = mz.goal_position(ny, nx)
    pos = mz.start_position(ny)
    decisions, qs_list, prob_list, qd_list = [-1], [], [], []
    state = np.random.get_state()
    np.random.seed(seed)
    try:
        for t in range(2, T + 1):
            if t >= 3:
                pos = mz.move(maze, pos, ag.first_action(decisions[-1]))
            at_goal = pos == goal
            o = mz.observe(maze, mz.arrival_position(ny, nx) if at_goal else pos)
            qs, prob, d = model.infer(np.concatenate([o, 1 - o]).astype(np.int32))
            decisions.append(int(np.argmax(d)))
            qs_list.append(qs.copy())
            prob_list.append(prob.copy())
            qd_list.append(model.qd_buf[:ND, model.buf_idx - 1].copy())
            if at_goal:
                break
    finally:
        np.random.set_state(state)
    return model, np.array(decisions), np.array(qs_list), np.array(prob_list), np.array(qd_list)


@pytest.mark.slow
@pytest.mark.parametrize("e_right, maze_seed, seed, reached", [(0.15, 1, 7, False), (0.25, 1, 7, True), (0.35, 3, 5, True)])
def test_O44_crossval_with_authors_pomdp(e_right, maze_seed, seed, reached):
    """A failed (20000-step) and two successful trials: q, y, pi, counts after learning and F agree."""
    T = ag.T_MAX
    maze = mz.make_maze(np.random.default_rng(maze_seed))
    params = ag.initial_params(e_right)
    model, decisions, qs, prob, qd = _drive_authors_agent(maze, params, seed, T)
    rec = ag.replay_trial_reference(maze, params, decisions, T)
    assert rec.t_end == len(decisions) and rec.reached == reached
    # state posteriors (both halves), decision posteriors, selection probabilities over the whole trial
    assert np.max(np.abs(rec.q_stacked[1:] - qs)) <= 1e-6
    assert np.max(np.abs(rec.y[1:] - qd)) <= 1e-6
    pi = np.array([ag.selection_probabilities(y) for y in rec.y[1:]])
    assert np.max(np.abs(pi - prob)) <= 1e-6
    # learning with the same (our, MATLAB-convention) chunk risks, and F
    gammas = rec.gammas
    F_theirs = float(model.compute_vfe(gammas=gammas, risk_chunk_size=ag.CHUNK))
    model.learn(gammas=gammas, risk_chunk_size=ag.CHUNK)
    new = ag.learn(params, rec)
    for ours, theirs in ((new.qa, model.qa), (new.qbi, model.qbi), (new.qci, model.qci)):
        assert np.max(np.abs(ours - theirs) / np.abs(theirs)) <= 1e-6
    assert abs(ag.trial_free_energy(params, rec) - F_theirs) <= 1e-6 * abs(F_theirs)

"""Lesson 06 helpers: the maze agent's delayed, risk-modulated policy learning, looked at up close.

The agent itself lives in :mod:`fepteach.agent` (SPEC §8); this module only *reads* it, to make
the mechanism of SPEC §7 visible on a toy task (a small maze, e.g. 7 x 21):

* :func:`policy_weights` — the output-layer synapses ``(V1, V0)`` that a count tensor ``qci``
  stands for (dictionary, SPEC §4.7): ``sigma(V1) = Cbar_ON,ON^T``, ``sigma(V0) = Cbar_ON,OFF^T``;
* :func:`state_at` / :func:`policy_at_state` / :func:`first_action_probabilities` — the decision
  probabilities (SPEC eq. 6.1) of an agent standing in one room;
* :func:`chunk_hebbian_sums` and :func:`learn_policy_chunks` — the risk-weighted Hebbian update of
  ``qci`` chunk by chunk, with the floor at 1 after every chunk (SPEC eq. 3.7, §8.8), for *any*
  sequence of chunk risks (so that one recorded trial can be re-learned under other risks);
* :func:`learning_run` — a few trials with the fast engine, recording how the probability of each
  first action, averaged over the rooms of the maze, changes from trial to trial.

Stacked layout, names and time indexing as in :mod:`fepteach.agent`: a stacked state posterior
``(q; 1 - q)`` of shape ``(2*NS,)`` is ``q_stacked`` (the ON half alone would be ``q``); rows of a trial
record are ``t - 1``. The learning of the policy counts has its one home in
:func:`fepteach.maths.policy_update` (P2 eq. 3.7); this module calls it.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from . import agent as ag
from . import agent_fast as agf
from . import maze as mz
from . import pomdp
from ._validate import as_float_array, check_closed_unit, check_int, check_rng
from .agent import first_action_probabilities  # re-exported: the home is fepteach.agent
from .correspondence import weights_from_mapping
from .maths import (
    binary_posterior,
    decision_potentials,
    dirichlet_log_mean,
    log_floor,
    policy_update,
    policy_update_from_sums,
)

__all__ = [
    "PLASTIC_QCI",
    "corridor_maze",
    "with_qci",
    "policy_weights",
    "state_at",
    "policy_at_state",
    "decision_pairs",
    "chunk_hebbian_sums",
    "learn_policy_chunks",
    "LearningRun",
    "mean_first_action_probabilities",
    "check_start_row",
    "learning_run",
    "fixed_state_sums",
    "corridor_step_risks",
    "CorridorRun",
    "corridor_run",
    "full_chunk_risks",
    "first_action_probabilities",
]

#: Size of the toy maze of Lesson 06 (rows, columns): three corridors of rooms, goal 10 moves away.
TOY_NY, TOY_NX = 7, 21
#: A ten-times more plastic policy mapping than the paper's (initial qci 3000), for quick demos.
PLASTIC_QCI = 300.0


def corridor_maze(nx: int = TOY_NX, ny: int = TOY_NY) -> np.ndarray:
    """A straight corridor: walls everywhere except the start row ``ny // 2``, open to the goal on the right.

    The agent's kinematics, view and risk rule are those of the paper's maze; only the map is simpler. In a
    corridor 'right' is always the rewarded action (step risk 0), 'left' the punished one (step risk 1, or
    0.5 when the wall blocks it), and 'up'/'down' are always blocked (0.5). The goal is ``(nx - 1) // 2``
    moves from the start.

    Parameters
    ----------
    nx : int, optional
        Columns (odd, as every maze of :mod:`fepteach.maze`).
    ny : int, optional
        Rows, ``ny = 3 (mod 4)`` so that the start row holds rooms (:func:`check_start_row`).

    Returns
    -------
    numpy.ndarray, shape (ny, nx), int8
        1 = wall, 0 = free.

    Examples
    --------
    >>> m = corridor_maze()  # P2 §4 maze rules on a one-row map
    >>> m.shape, int(m[3].sum()), mz.shortest_path_length(m)
    ((7, 21), 1, 10)
    """
    ny, nx = mz.check_maze_size(ny, nx)
    maze = np.ones((ny, nx), dtype=np.int8)
    maze[ny // 2, 1:] = 0
    return check_start_row(maze)


def _check_qci(qci) -> np.ndarray:
    q = as_float_array("qci", qci, ndim=2)
    if q.shape != (2 * ag.NS, 2 * ag.ND):
        raise ValueError(f"qci must have shape ({2 * ag.NS}, {2 * ag.ND}) (stacked previous state x decision); got {q.shape}")
    if np.any(q <= 0):
        raise ValueError("qci must be positive Dirichlet counts")
    return q


def _check_q_stacked(q_stacked, name="q_stacked") -> np.ndarray:
    q = as_float_array(name, q_stacked, ndim=1)
    if q.shape != (2 * ag.NS,):
        raise ValueError(f"{name} must be a stacked state posterior of shape ({2 * ag.NS},) (ON half, OFF half); got {q.shape}")
    check_closed_unit(name, q)
    return q


def with_qci(params: ag.AgentParams, qci0: float) -> ag.AgentParams:
    """A copy of ``params`` whose policy counts ``qci`` are all ``qci0`` (the paper uses 3000, SPEC §8.1).

    Smaller initial counts make the policy mapping more plastic: each learning increment moves
    ``sigma(V)`` by about increment / count (P2 eq. 3.7).

    Parameters
    ----------
    params : fepteach.agent.AgentParams
    qci0 : float
        Positive initial count of every entry of ``qci``.

    Returns
    -------
    fepteach.agent.AgentParams
        A copy (``params`` is not modified).

    Examples
    --------
    >>> p = with_qci(ag.initial_params(0.25), PLASTIC_QCI)
    >>> float(p.qci.max()), float(ag.initial_params(0.25).qci.max())
    (300.0, 3000.0)
    """
    v = float(qci0)
    if not np.isfinite(v) or v <= 0:
        raise ValueError(f"qci0 must be a positive number of counts; got {qci0!r}")
    new = params.copy()
    new.qci[:] = v
    return new


def policy_weights(qci) -> tuple[np.ndarray, np.ndarray]:
    """Output-layer synapses ``(V1, V0)`` encoded by the policy counts (SPEC §4.7, eq. 3.7).

    ``sigma(V1)[l, k] = qci(ON_k, ON_l) / (qci(ON_k, ON_l) + qci(OFF_k, ON_l))`` — the probability that
    state pixel k was ON before decision l was taken (SPEC Appendix A.5); ``V0`` likewise with the
    decision OFF columns. This is the network <-> Bayes dictionary
    (:func:`fepteach.correspondence.weights_from_mapping`) applied to ``Cbar``, the mean of ``qci``.

    Parameters
    ----------
    qci : array_like, shape (2*NS, 2*ND)
        Positive policy counts (child = previous state, parent = decision).

    Returns
    -------
    V1, V0 : numpy.ndarray, shape (ND, NS)
        Synapses from the state layer to the decision layer (post x pre).

    Examples
    --------
    >>> V1, V0 = policy_weights(ag.initial_params(0.25).qci)  # untrained: sigma(V) = 1/2 (P2 eq. 3.7)
    >>> V1.shape, float(np.abs(V1).max()), float(np.abs(V0).max())
    ((256, 121), 0.0, 0.0)
    """
    return weights_from_mapping(pomdp.dirichlet_mean(_check_qci(qci)), "Cbar")


def state_at(params: ag.AgentParams, maze: np.ndarray, pos, q_prev_stacked=None) -> np.ndarray:
    """The agent's stacked state posterior ``q_stacked`` in room ``pos`` (SPEC §8.6 step 3, P2 eq. 3.6).

    It combines the 11 x 11 view at ``pos`` with the previous posterior ``q_prev_stacked`` (default: the
    prior ``D``, as at the start of a trial). With the paper's rigid ``qa``/``qbi`` the result hardly
    depends on ``q_prev_stacked``: the state is the view.

    Parameters
    ----------
    params : fepteach.agent.AgentParams
    maze : numpy.ndarray, shape (ny, nx)
    pos : (int, int)
        0-based (row, column) of a room.
    q_prev_stacked : array_like, shape (2*NS,), optional
        Previous stacked state posterior (default ``params.D``).

    Returns
    -------
    q_stacked : numpy.ndarray, shape (2*NS,)
        ``(q; 1 - q)``.

    Examples
    --------
    >>> q_stacked = state_at(ag.initial_params(0.25), corridor_maze(), (3, 1))  # P2 eq. 3.6
    >>> q_stacked.shape, bool(np.allclose(q_stacked[:ag.NS] + q_stacked[ag.NS:], 1.0))
    ((242,), True)
    """
    lp = ag.log_params(params)
    o = mz.observe(np.asarray(maze), (int(pos[0]), int(pos[1])))
    prev = params.D if q_prev_stacked is None else _check_q_stacked(q_prev_stacked, "q_prev_stacked")
    return ag.agent_step(lp, o, prev)[0]


def policy_at_state(qci, E, q_stacked) -> np.ndarray:
    """Selection probabilities ``pi`` of an agent whose previous stacked state posterior is ``q_stacked``.

    Decision posterior ``y = sigma(w_ON - w_OFF)`` with ``w = q_stacked . ln Cbar + ln E`` (SPEC §8.6
    step 4, P2 eq. 3.6) and the selection rule ``pi_l ∝ y_l / (1 - y_l + 1e-6)`` (P2 eq. 6.1).

    Parameters
    ----------
    qci : array_like, shape (2*NS, 2*ND)
        Positive policy counts.
    E : array_like, shape (2*ND,)
        Stacked decision prior.
    q_stacked : array_like, shape (2*NS,)
        Stacked state posterior (e.g. from :func:`state_at`).

    Returns
    -------
    pi : numpy.ndarray, shape (ND,)
        Probability of selecting each decision (sums to 1).

    Examples
    --------
    >>> p = ag.initial_params(0.25)
    >>> pi = policy_at_state(p.qci, p.E, p.D)  # untrained: the prior decides (P2 eq. 6.1)
    >>> pi.shape, round(float(pi.sum()), 12), first_action_probabilities(pi).round(3)
    ((256,), 1.0, array([0.25, 0.25, 0.25, 0.25]))
    """
    lnC = dirichlet_log_mean(_check_qci(qci))
    E = as_float_array("E", E, ndim=1)
    if E.shape != (2 * ag.ND,):
        raise ValueError(f"E must have shape ({2 * ag.ND},) (ON half, OFF half); got {E.shape}")
    w = decision_potentials(_check_q_stacked(q_stacked), lnC, log_floor(E))
    return ag.selection_probabilities(binary_posterior(w))


def decision_pairs(record: ag.TrialRecord) -> tuple[np.ndarray, np.ndarray]:
    """The (state, decision) pairs that policy learning credits: ``(q_t, d_{t+1})`` for t = 1..t_end-1 (SPEC §8.8).

    Parameters
    ----------
    record : fepteach.agent.TrialRecord
        A trial of the readable agent.

    Returns
    -------
    q_stacked : numpy.ndarray, shape (t_end - 1, 2*NS)
        Stacked state posteriors (row 0 is ``D``).
    d_stacked : numpy.ndarray, shape (t_end - 1, 2*ND)
        Stacked one-hot decisions ``(d; 1 - d)`` taken one step later.

    Examples
    --------
    >>> p = ag.initial_params(0.25)
    >>> rec = ag.replay_trial_reference(corridor_maze(), p, np.full(8, 255), T=8)
    >>> q_stacked, d_stacked = decision_pairs(rec)  # the pairs of P2 eq. 3.7
    >>> q_stacked.shape, d_stacked.shape, float(d_stacked[0, 255])
    ((7, 242), (7, 512), 1.0)
    """
    n = record.t_end - 1
    d = np.zeros((n, ag.ND))
    d[np.arange(n), record.decisions[1 : record.t_end]] = 1.0
    return record.q_stacked[:n], np.concatenate([d, 1.0 - d], axis=1)


def chunk_hebbian_sums(record: ag.TrialRecord) -> np.ndarray:
    """Per-chunk Hebbian products ``S_i = sum_{t in T_i} q_t (x) (d_{t+1}; 1 - d_{t+1})`` (SPEC §8.8).

    Parameters
    ----------
    record : fepteach.agent.TrialRecord

    Returns
    -------
    S : numpy.ndarray, shape (n_chunks, 2*NS, 2*ND)
        What chunk i adds to ``qci`` when its risk is 0 (P2 eq. 3.7 with ``1 - 2 Gamma = 1``).

    Examples
    --------
    >>> p = ag.initial_params(0.25)
    >>> rec = ag.replay_trial_reference(corridor_maze(), p, np.full(8, 255), T=8)
    >>> S = chunk_hebbian_sums(rec)
    >>> S.shape, float(S[0, :, ag.ND + 255].max())  # decision 255 was always taken: its OFF column learns nothing
    ((1, 242, 512), 0.0)
    """
    q_stacked, d_stacked = decision_pairs(record)
    return np.stack([q_stacked[s].T @ d_stacked[s] for s in ag.chunk_slices(record.t_end)])


def learn_policy_chunks(qci, sums, gammas) -> np.ndarray:
    """Risk-weighted, floored learning of the policy counts, chunk by chunk (SPEC eq. 3.7, §8.8).

    ``qci_i = max(1, qci_{i-1} + (1 - 2 Gamma_i) S_i)`` for i = 1..n, the floor applied after every chunk
    (:func:`fepteach.maths.policy_update_from_sums`).

    Parameters
    ----------
    qci : array_like, shape (2*NS, 2*ND)
        Positive policy counts before learning.
    sums : array_like, shape (n, 2*NS, 2*ND)
        Hebbian sums of the chunks, from :func:`chunk_hebbian_sums`.
    gammas : array_like, shape (n,)
        Chunk risks in [0, 1] (the trial's own, or any others).

    Returns
    -------
    numpy.ndarray, shape (n + 1, 2*NS, 2*ND)
        The counts before learning and after each chunk.

    Examples
    --------
    >>> p = ag.initial_params(0.25)
    >>> rec = ag.replay_trial_reference(corridor_maze(), p, np.full(8, 255), T=8)
    >>> S = chunk_hebbian_sums(rec)
    >>> good, bad = (learn_policy_chunks(p.qci, S, [G])[-1] for G in (0.0, 0.55))  # P2 eq. 3.7
    >>> bool(np.allclose(good - p.qci, S[0])), bool(np.allclose(bad - p.qci, -0.1 * S[0]))
    (True, True)
    """
    qci = _check_qci(qci)
    S = as_float_array("sums", sums, ndim=3)
    if S.shape[1:] != qci.shape:
        raise ValueError(f"sums must have shape (n_chunks, {qci.shape[0]}, {qci.shape[1]}); got {S.shape}")
    g = as_float_array("gammas", gammas, ndim=1)
    if g.shape != (S.shape[0],):
        raise ValueError(f"gammas must have one risk per chunk, shape ({S.shape[0]},); got {g.shape}")
    check_closed_unit("gammas", g)
    out = np.empty((S.shape[0] + 1,) + qci.shape)
    out[0] = qci
    for i in range(S.shape[0]):
        out[i + 1] = policy_update_from_sums(out[i], S[i], ag.modulation(g[i]))
    return out


@dataclass
class LearningRun:
    """A few trials of one agent (fast engine), with the policy read out after every trial (:func:`learning_run`).

    Attributes
    ----------
    durations : numpy.ndarray, shape (n_trials,)
        ``t_end`` of each trial.
    gammas : list of numpy.ndarray
        The chunk risks of each trial.
    p_first : numpy.ndarray, shape (n_trials + 1, 4)
        Probability of each first action (up, down, left, right) averaged over all rooms of the maze,
        before trial 1 and after each trial.
    right_moves : numpy.ndarray, shape (n_trials,)
        Fraction of the executed first actions that were 'right'.
    """

    durations: np.ndarray
    gammas: list
    p_first: np.ndarray
    right_moves: np.ndarray


def mean_first_action_probabilities(params: ag.AgentParams, maze: np.ndarray) -> np.ndarray:
    """First-action probabilities averaged over every free room of the maze (states as in :func:`state_at`).

    Rooms that are walls (as in :func:`corridor_maze`) are skipped. In each room: the state posterior
    from the view (P2 eq. 3.6), the decision posterior from it, and the selection rule (P2 eq. 6.1).

    Parameters
    ----------
    params : fepteach.agent.AgentParams
    maze : numpy.ndarray, shape (ny, nx)

    Returns
    -------
    numpy.ndarray, shape (4,)
        Mean probability of up, down, left, right as the first action.

    Examples
    --------
    >>> mean_first_action_probabilities(ag.initial_params(0.25), corridor_maze()).round(3)  # untrained
    array([0.25, 0.25, 0.25, 0.25])
    """
    lp = ag.log_params(params)
    maze = np.asarray(maze)
    ny, nx = maze.shape
    padded = mz.pad_maze(maze)
    out = np.zeros(4)
    rooms = [(r, c) for r, c in mz.rooms(ny, nx) if maze[r, c] == 0]
    for r, c in rooms:
        q = ag.agent_step(lp, mz.observe(maze, (int(r), int(c)), padded=padded), params.D)[0]
        y = binary_posterior(decision_potentials(q, lp.lnCbar, lp.lnE))
        out += first_action_probabilities(ag.selection_probabilities(y))
    return out / len(rooms)


def check_start_row(maze) -> np.ndarray:
    """Raise unless the start/goal row ``ny // 2`` is a row of rooms (odd, 0-based), i.e. ``ny = 3 (mod 4)``.

    The same rule as :func:`fepteach.maze.check_maze_size` (which every maze function applies): for
    ny = 5, 9, 13, 17 the start would lie on a pillar row. Valid: 7, 11, 15, 19, ... Only the number of
    rows is checked here.

    Parameters
    ----------
    maze : array_like, shape (ny, nx)

    Returns
    -------
    numpy.ndarray
        The maze as an array.

    Raises
    ------
    ValueError
        If ``maze`` is not 2-D or ``ny != 3 (mod 4)``.

    Examples
    --------
    >>> check_start_row(np.zeros((7, 21))).shape
    (7, 21)
    >>> check_start_row(np.zeros((9, 21)))
    Traceback (most recent call last):
    ...
    ValueError: maze must have ny = 3 (mod 4) rows (7, 11, 15, 19, ...) so that the start row ny // 2 holds rooms; got ny = 9
    """
    m = np.asarray(maze)
    if m.ndim != 2:
        raise ValueError(f"maze must be a 2-D array; got shape {m.shape}")
    ny = m.shape[0]
    if ny % 4 != 3:
        raise ValueError(f"maze must have ny = 3 (mod 4) rows (7, 11, 15, 19, ...) so that the start row ny // 2 holds rooms; got ny = {ny}")
    return m


def learning_run(maze: np.ndarray, params: ag.AgentParams, n_trials: int, rng: np.random.Generator,
                 T: int = 2000) -> LearningRun:
    """``n_trials`` trials with :func:`fepteach.agent_fast.run_trial_fast` (learning after each, SPEC §8.8–8.11).

    Parameters
    ----------
    maze : numpy.ndarray, shape (ny, nx)
        With ``ny = 3 (mod 4)`` (:func:`check_start_row`).
    params : fepteach.agent.AgentParams
        The agent before trial 1.
    n_trials : int
        Number of trials (>= 1).
    rng : numpy.random.Generator
        Source of each trial's uniforms (:func:`fepteach.agent.draw_uniforms`).
    T : int, optional
        Cap on each trial (the paper: 20000; a toy maze needs far fewer steps).

    Returns
    -------
    LearningRun

    Examples
    --------
    >>> run = learning_run(corridor_maze(), with_qci(ag.initial_params(0.25), PLASTIC_QCI), 2,
    ...                    np.random.default_rng(0), T=300)  # learning after each trial: P2 eq. 3.7
    >>> run.durations.shape, run.p_first.shape, bool(np.allclose(run.p_first.sum(axis=1), 1.0))
    ((2,), (3, 4), True)
    """
    check_rng(rng)
    n_trials = check_int("n_trials", n_trials, minimum=1)
    T = check_int("T", T, minimum=3)
    check_start_row(maze)
    tables = agf.position_table(maze)
    p_first = [mean_first_action_probabilities(params, maze)]
    durations, gammas, right = [], [], []
    for _ in range(n_trials):
        params, s = agf.run_trial_fast(maze, params, ag.draw_uniforms(rng, T), T=T, tables=tables)
        durations.append(s.t_end)
        gammas.append(s.gammas)
        acts = s.decisions[1 : s.t_end - 1] // (ag.ND // 4)  # decisions of t = 2 .. t_end - 1, executed one step later
        right.append(float(np.mean(acts == mz.RIGHT)) if acts.size else np.nan)
        p_first.append(mean_first_action_probabilities(params, maze))
    return LearningRun(np.array(durations), gammas, np.array(p_first), np.array(right))


# --- one state, many chunks: the corridor toy ------------------------------------------
def fixed_state_sums(q_stacked, counts) -> np.ndarray:
    """Hebbian product of a chunk spent in one state: ``q_stacked (x) (n; N - n)`` (SPEC §8.8 with q_t fixed).

    Parameters
    ----------
    q_stacked : array_like, shape (2*NS,)
        Stacked state posterior.
    counts : array_like, shape (ND,)
        How often each decision was sampled in the chunk (``N`` = their sum).

    Returns
    -------
    numpy.ndarray, shape (2*NS, 2*ND)
        The increment of ``qci`` for risk 0 (P2 eq. 3.7).

    Examples
    --------
    >>> n = np.zeros(ag.ND); n[255] = 3
    >>> S = fixed_state_sums(ag.initial_params(0.25).D, n)
    >>> S.shape, float(S[0, 255] / S[0, ag.ND])  # decision 255: ON 3 times, OFF 0 times; others OFF 3 times
    ((242, 512), 1.0)
    """
    q_stacked = _check_q_stacked(q_stacked)
    n = as_float_array("counts", counts, ndim=1)
    if n.shape != (ag.ND,) or np.any(n < 0):
        raise ValueError(f"counts must be ({ag.ND},) non-negative decision counts; got shape {n.shape}")
    return np.outer(q_stacked, np.concatenate([n, n.sum() - n]))


def corridor_step_risks(decisions) -> np.ndarray:
    """Per-step risks G in a corridor where every move succeeds: 0 for 'right', 1 for 'left', 0.5 for
    'up'/'down' (blocked) — the rule of SPEC §8.6 step 6.

    Parameters
    ----------
    decisions : array_like of int, shape (n,)
        0-based decision indices (the first action is ``decision // 64``).

    Returns
    -------
    numpy.ndarray, shape (n,)

    Examples
    --------
    >>> corridor_step_risks([0, 64, 128, 192])  # up, down, left, right (P2 §4 risk rule)
    array([0.5, 0.5, 1. , 0. ])
    """
    a = np.asarray(decisions, dtype=np.int64) // (ag.ND // 4)
    return np.where(a == mz.RIGHT, 0.0, np.where(a == mz.LEFT, 1.0, 0.5))


@dataclass
class CorridorRun:
    """The agent in one fixed state, chunk after chunk (see :func:`corridor_run`).

    Attributes
    ----------
    p_first : numpy.ndarray, shape (n_chunks + 1, 4)
        First-action probabilities before and after each chunk.
    progress : numpy.ndarray, shape (n_chunks,)
        Net progress Delta_i of each chunk.
    gammas : numpy.ndarray, shape (n_chunks,)
        Chunk risks Gamma_i.
    counts : numpy.ndarray, shape (n_chunks, ND)
        Decisions sampled per chunk.
    qci : numpy.ndarray, shape (2*NS, 2*ND)
        The final counts.
    qci_before_last : numpy.ndarray, shape (2*NS, 2*ND)
        The counts before the last chunk was learned.
    """

    p_first: np.ndarray
    progress: np.ndarray
    gammas: np.ndarray
    counts: np.ndarray
    qci: np.ndarray
    qci_before_last: np.ndarray


def corridor_run(params: ag.AgentParams, q_stacked, n_chunks: int, rng: np.random.Generator,
                 gammas=None) -> CorridorRun:
    """The corridor toy: the agent stays in state ``q_stacked`` and decides 200 times per chunk (SPEC §7.3–7.5).

    In every chunk it samples 200 decisions from its current policy (eq. 6.1), the chunk's progress and
    risk follow the maze rule (SPEC §8.8) with :func:`corridor_step_risks`, and ``qci`` learns with the
    factor ``1 - 2 Gamma`` and the floor at 1 (:func:`fepteach.maths.policy_update`, eq. 3.7).
    Parameters are fixed within a chunk, as within a maze trial.

    Parameters
    ----------
    params : fepteach.agent.AgentParams
        The agent before the first chunk (its ``qci`` and ``E`` are used).
    q_stacked : array_like, shape (2*NS,)
        The fixed stacked state posterior (e.g. from :func:`state_at`).
    n_chunks : int
        Number of chunks (>= 1).
    rng : numpy.random.Generator
        Source of the sampled decisions.
    gammas : array_like, shape (n_chunks,), optional
        Chunk risks in [0, 1] that override the risk rule — you play the critic.

    Returns
    -------
    CorridorRun

    Examples
    --------
    >>> p = ag.initial_params(0.25)
    >>> run = corridor_run(p, p.D, 1, np.random.default_rng(0), gammas=[0.0])  # reward: Hebbian (P2 eq. 3.7)
    >>> int(run.counts.sum()), bool(np.all(run.qci >= p.qci))
    (200, True)
    """
    check_rng(rng)
    n_chunks = check_int("n_chunks", n_chunks, minimum=1)
    q_stacked = _check_q_stacked(q_stacked)
    if gammas is not None:
        gammas = as_float_array("gammas", gammas, ndim=1)
        if gammas.shape != (n_chunks,):
            raise ValueError(f"gammas must have one risk per chunk, shape ({n_chunks},); got {gammas.shape}")
        check_closed_unit("gammas", gammas)
    qci = params.qci.copy()
    p_first = np.zeros((n_chunks + 1, 4))
    progress, gam = np.zeros(n_chunks), np.zeros(n_chunks)
    counts = np.zeros((n_chunks, ag.ND))
    for i in range(n_chunks):
        pi = policy_at_state(qci, params.E, q_stacked)
        p_first[i] = first_action_probabilities(pi)
        d = np.minimum(np.searchsorted(np.cumsum(pi), rng.random(ag.CHUNK), side="right"), ag.ND - 1)
        G = corridor_step_risks(d)
        progress[i] = ag.chunk_progress(G)
        gam[i] = ag.risk_of_progress(progress[i]) if gammas is None else gammas[i]
        counts[i] = np.bincount(d, minlength=ag.ND)
        before = qci
        d_sum = np.concatenate([counts[i], ag.CHUNK - counts[i]])  # sum over the chunk of (d; 1 - d)
        qci = policy_update(qci, q_stacked[None, :], d_sum[None, :], ag.modulation(gam[i]))
    p_first[-1] = first_action_probabilities(policy_at_state(qci, params.E, q_stacked))
    return CorridorRun(p_first, progress, gam, counts, qci, before)


def full_chunk_risks(net_right: int, n: int = ag.CHUNK) -> np.ndarray:
    """Per-step risks G of a chunk with ``net_right`` net right moves and all other steps vertical
    (G = 0.5): ``max(net_right, 0)`` zeros, ``max(-net_right, 0)`` ones (SPEC §8.6 step 6, §8.8).

    Parameters
    ----------
    net_right : int
        Net right moves, between ``-n`` and ``n``.
    n : int, optional
        Steps in the chunk (default 200).

    Returns
    -------
    numpy.ndarray, shape (n,)

    Examples
    --------
    >>> G = full_chunk_risks(-2, n=5)
    >>> G, ag.chunk_risk(G)  # no net progress: the high risk of P2 §4
    (array([1. , 1. , 0.5, 0.5, 0.5]), 0.55)
    """
    net_right = int(net_right)
    n = check_int("n", n, minimum=1)
    if abs(net_right) > n:
        raise ValueError(f"net_right must lie between -n and n (n = {n}); got {net_right}")
    r, l = max(net_right, 0), max(-net_right, 0)
    return np.concatenate([np.zeros(r), np.ones(l), np.full(n - r - l, 0.5)])

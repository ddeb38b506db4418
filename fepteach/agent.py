"""The two-layer maze agent of P2: state and decision inference, risk, learning, F, E estimate.

SPEC §7 and §8.5–8.10. Everything is in the stacked layout of SPEC §1.5: a count tensor
mapping ``Np`` binary parents to ``Nc`` binary children is a ``(2 Nc, 2 Np)`` matrix whose
row ``a * Nc + i`` / column ``b * Np + j`` hold child ``i`` = value ``a`` and parent ``j`` =
value ``b`` (value 0 = ON, 1 = OFF). Named views (``on``/``off`` halves) are provided by
:func:`halves`.

Two implementations that consume the same random numbers and agree exactly:

* the readable **reference** (:func:`agent_step`, :func:`run_trial_reference`, :func:`learn`,
  :func:`trial_free_energy`), used by the lessons. It is Lesson 03's POMDP with a decision
  layer: the state posterior, the decision posterior, the selection rule and the policy
  learning are the primitives of :mod:`fepteach.maths` that :mod:`fepteach.pomdp` checks and
  calls (:func:`fepteach.pomdp.posterior_states_two_layer`,
  :func:`fepteach.pomdp.decision_posterior`, :func:`fepteach.pomdp.dirichlet_update_policy`);
  the agent checks its inputs once per trial instead of once per step;
* the **fast engine** (:func:`fepteach.agent_fast.run_trial_fast`), the same computation
  written as the network computes it (SPEC §2.4/§4.7: differences of log-parameters collapse
  each layer to one weight matrix and a threshold), compiled with numba.

Time is indexed as in MATLAB (SPEC §8.6): ``t = 1`` is the initial record (``q_1 = D``,
``y_1 = E``, no decision), steps run ``t = 2 .. t_end``. Arrays of a trial record are
indexed by ``t - 1`` (row 0 is ``t = 1``).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from . import maze as mz
from ._validate import as_float_array, check_closed_unit, check_int, check_rng
from .maths import (
    binary_posterior,
    decision_potentials,
    dirichlet_log_mean,
    _selection_weights,
    halves,
    log_floor,
    modulation,
    policy_update,
    sample_index,
    selection_probabilities,
    stack,
    state_potentials_two_layer,
)
from .pomdp import blocks

__all__ = [
    "NO", "NS", "ND", "T_MAX", "CHUNK", "PROGRESS_THRESHOLDS", "RISK_VALUES", "QA_BASE", "QA_DIAG",
    "QBI_INIT", "QCI_INIT", "D_VALUE", "PRIORS",
    "AgentParams", "decision_prior", "check_e_right", "initial_params",
    "SEQUENCE_LENGTH", "DECISION_MAP_GAIN",
    "LogParams", "log_params", "agent_step", "first_action_probabilities", "decision_map", "first_action",
    "chunk_progress", "risk_of_progress", "chunk_risk", "n_chunks", "chunk_slices", "chunk_risks",
    "TrialRecord", "run_trial_reference", "replay_trial_reference", "draw_uniforms",
    "learn", "trial_free_energy", "decision_frequencies", "block_summary", "estimated_prior",
    # re-exported primitives (the same functions as in fepteach.maths / fepteach.pomdp)
    "blocks", "halves", "modulation", "selection_probabilities",
]

# --- constants (SPEC §8.1) -------------------------------------------------------------
NO = mz.NO  #: observation channels, 121
NS = mz.NO  #: hidden-state factors = middle-layer neurons, 121 (state := observation)
ND = 256  #: decision factors = output-layer neurons, 4**4 action sequences
T_MAX = 20000  #: maximum number of steps of a trial (a failed trial lasts 20000)
CHUNK = 200  #: risk chunk length (steps)
PROGRESS_THRESHOLDS = (-10.0, 0.0, 10.0)  #: on net rightward moves per chunk
RISK_VALUES = (0.55, 0.55, 0.45, 0.0)  #: chunk risk Gamma for the 4 intervals
QA_BASE, QA_DIAG = 1e7, 9.9e8  #: initial qa: 1e7 everywhere, +9.9e8 on the (ON,ON)/(OFF,OFF) diagonals
QBI_INIT = 1e7  #: initial qbi
QCI_INIT = 3000.0  #: initial qci
D_VALUE = 0.5 / 256  #: state prior, both halves (unnormalised, SPEC §8.1)
PRIORS = (0.15, 0.25, 0.35)  #: the paper's e_r ("Eright") conditions


# --- parameters ------------------------------------------------------------------------
@dataclass
class AgentParams:
    """Dirichlet counts and fixed priors of one agent (SPEC §8.1), stacked layout.

    qa  : (2*NO, 2*NS)  observation given current state (likelihood A)
    qbi : (2*NS, 2*NS)  previous state given current state (inverse transition, B-bar)
    qci : (2*NS, 2*ND)  previous state given current decision (inverse policy, C-bar)
    D   : (2*NS,)       state prior (ON half, OFF half)
    E   : (2*ND,)       decision prior (ON half, OFF half)
    """

    qa: np.ndarray
    qbi: np.ndarray
    qci: np.ndarray
    D: np.ndarray
    E: np.ndarray

    def copy(self) -> "AgentParams":
        """A deep copy."""
        return AgentParams(self.qa.copy(), self.qbi.copy(), self.qci.copy(), self.D.copy(), self.E.copy())


def decision_prior(e_right: float) -> np.ndarray:
    """Decision prior E (SPEC §8.1), stacked ``(2*ND,)``.

    ``E_ON(l) = w[first action of l] / 64`` with ``w = (0.25, 0.25, 0.5 - e_right, e_right)``
    for (up, down, left, right); ``E_OFF = 1 - E_ON``.

    Parameters
    ----------
    e_right : float
        Total prior of the 64 sequences that start with 'right', in (0, 0.5).

    Returns
    -------
    E : numpy.ndarray, shape (2*ND,)
        ``(E_ON; E_OFF)``.

    Examples
    --------
    >>> E = decision_prior(0.35)
    >>> round(float(E[192:256].sum()), 6)  # the 'right' sequences
    0.35
    """
    e_right = check_e_right(e_right)
    w = np.array([0.25, 0.25, 0.5 - e_right, e_right])
    e_on = np.repeat(w, ND // 4) / (ND // 4)
    return np.concatenate([e_on, 1.0 - e_on])


def check_e_right(e_right) -> float:
    """Validate e_right ("Eright", the total prior of the 64 'right' sequences): a number in (0, 0.5).

    Parameters
    ----------
    e_right : float

    Returns
    -------
    float
        ``e_right`` as a float.

    Examples
    --------
    >>> check_e_right(0.25)
    0.25
    """
    try:
        v = float(e_right)
    except (TypeError, ValueError) as exc:
        raise ValueError(f"e_right (the decision prior of moving right) must be a number in (0, 0.5); got {e_right!r}") from exc
    if not (0.0 < v < 0.5):
        raise ValueError(f"e_right (the decision prior of moving right) must lie strictly between 0 and 0.5; got {e_right!r}")
    return v


def initial_params(e_right: float = 0.25, E: np.ndarray | None = None) -> AgentParams:
    """The paper's initial concentrations and priors (SPEC §8.1).

    ``qa`` = 1e7 everywhere plus 9.9e8 on the diagonals of the (ON,ON) and (OFF,OFF)
    blocks; ``qbi`` = 1e7; ``qci`` = 3000; ``D`` = 0.5/256 for both halves. ``E`` is
    :func:`decision_prior` of ``e_right`` unless a stacked ``(2*ND,)`` vector is given
    (e.g. the re-estimated prior of SPEC §8.11, not renormalised).

    Parameters
    ----------
    e_right : float, optional
    E : numpy.ndarray, shape (2*ND,), optional

    Returns
    -------
    AgentParams

    Examples
    --------
    >>> p = initial_params(0.25)
    >>> p.qa.shape, p.qci.shape, float(p.D[0])
    ((242, 242), (242, 512), 0.001953125)
    """
    qa = np.full((2 * NO, 2 * NS), QA_BASE)
    idx = np.arange(NO)
    qa[idx, idx] += QA_DIAG
    qa[NO + idx, NS + idx] += QA_DIAG
    qbi = np.full((2 * NS, 2 * NS), QBI_INIT)
    qci = np.full((2 * NS, 2 * ND), QCI_INIT)
    D = np.full(2 * NS, D_VALUE)
    if E is None:
        E = decision_prior(e_right)
    else:
        E = as_float_array("E", E, ndim=1)
        if E.shape != (2 * ND,):
            raise ValueError(f"E must have shape ({2 * ND},) (ON half, OFF half); got {E.shape}")
    return AgentParams(qa, qbi, qci, D, E)


# --- expectations of the log-parameters (computed once per trial) ---------------------
@dataclass
class LogParams:
    """The log-parameters used during one trial (fixed within the trial, SPEC §8.6).

    lnA (2NO, 2NS), lnBbar (2NS, 2NS), lnCbar (2NS, 2ND), lnD (2NS,), lnE (2ND,).
    """

    lnA: np.ndarray
    lnBbar: np.ndarray
    lnCbar: np.ndarray
    lnD: np.ndarray
    lnE: np.ndarray


def log_params(params: AgentParams) -> LogParams:
    """Log-expectations of all parameters and ``ln max(1e-6, D)``, ``ln max(1e-6, E)`` (SPEC §8.6).

    The expectations are Lesson 03's network-equivalent ``ln Abar`` (:func:`fepteach.maths.dirichlet_log_mean`).

    Parameters
    ----------
    params : AgentParams

    Returns
    -------
    LogParams

    Examples
    --------
    >>> lp = log_params(initial_params(0.25))
    >>> lp.lnCbar.shape, round(float(np.exp(lp.lnCbar[0, 0])), 12)  # uniform policy counts: Cbar = 1/2
    ((242, 512), 0.5)
    """
    params = _check_params(params)
    return LogParams(
        dirichlet_log_mean(params.qa),
        dirichlet_log_mean(params.qbi),
        dirichlet_log_mean(params.qci),
        log_floor(params.D),
        log_floor(params.E),
    )


#: Each decision is a sequence of this many actions (4 ** 4 = ND sequences, first action most significant).
SEQUENCE_LENGTH = 4
#: The decision map shows ``min(DECISION_MAP_GAIN * pi, 1)``: 32 = 8 times the uniform 1/256.
DECISION_MAP_GAIN = 32.0


def first_action_probabilities(pi) -> np.ndarray:
    """Probability of each executed first action (up, down, left, right) under selection probabilities ``pi``.

    Sums of ``pi`` over the four blocks of 64 sequences that share their first action (SPEC §8.7).

    Parameters
    ----------
    pi : array_like, shape (ND,) or (T, ND)

    Returns
    -------
    numpy.ndarray, shape (4,) or (T, 4)

    Examples
    --------
    >>> first_action_probabilities(np.full(ND, 1 / ND))
    array([0.25, 0.25, 0.25, 0.25])
    """
    pi = as_float_array("pi", pi, ndim=(1, 2))
    if pi.shape[-1] != ND:
        raise ValueError(f"pi must have {ND} entries (one per decision) in its last axis; got shape {pi.shape}")
    return pi.reshape(pi.shape[:-1] + (4, ND // 4)).sum(axis=-1)


def decision_map(pi) -> np.ndarray:
    """Where the 4-step action sequences lead: the 11 x 11 decision map of SPEC §8.7.

    Cell ``(RADIUS + dr, RADIUS + dc)`` holds the largest ``pi_l`` over the sequences ``l`` whose net
    displacement is ``(dr, dc)`` (one cell per action, centre = the agent), shown as
    ``min(DECISION_MAP_GAIN * value, 1)``.

    Parameters
    ----------
    pi : array_like, shape (ND,)
        Selection probabilities.

    Returns
    -------
    numpy.ndarray, shape (NV, NV)

    Examples
    --------
    >>> m = decision_map(np.full(ND, 1 / ND))
    >>> m.shape, float(m[5, 5]), float(m[9, 9])  # back to the centre is possible; (4 down, 4 right) is not
    ((11, 11), 0.125, 0.0)
    """
    pi = as_float_array("pi", pi, ndim=1)
    if pi.shape != (ND,):
        raise ValueError(f"pi must have shape ({ND},); got {pi.shape}")
    out = np.zeros((mz.NV, mz.NV))
    for l in range(ND):
        actions = [(l >> (2 * (SEQUENCE_LENGTH - 1 - k))) & 3 for k in range(SEQUENCE_LENGTH)]  # first .. last
        dr = sum(int(mz.DIRECTIONS[a, 0]) for a in actions)
        dc = sum(int(mz.DIRECTIONS[a, 1]) for a in actions)
        r, c = mz.RADIUS + dr, mz.RADIUS + dc
        out[r, c] = max(out[r, c], pi[l])
    return np.minimum(DECISION_MAP_GAIN * out, 1.0)


def first_action(decision: int) -> int:
    """The executed (first) action of decision ``l`` (0-based): ``l // 64`` (SPEC §8.7).

    Parameters
    ----------
    decision : int
        0-based decision index in ``0 .. ND - 1``.

    Returns
    -------
    int
        Action code (0 up, 1 down, 2 left, 3 right; :mod:`fepteach.maze`).

    Examples
    --------
    >>> first_action(0), first_action(255)
    (0, 3)
    """
    decision = check_int("decision", decision, minimum=0)
    if decision >= ND:
        raise ValueError(f"decision must be < ND = {ND}; got {decision}")
    return decision // (ND // 4)


def _check_log_params(lp) -> LogParams:
    if not isinstance(lp, LogParams):
        raise ValueError(f"lp must be the LogParams of a trial (from log_params(params)); got {type(lp).__name__}")
    return lp


def _check_params(params) -> AgentParams:
    if not isinstance(params, AgentParams):
        raise ValueError(f"params must be AgentParams (e.g. initial_params(0.25)); got {type(params).__name__}")
    return params


def _check_record(record) -> "TrialRecord":
    if not isinstance(record, TrialRecord):
        raise ValueError(f"record must be a TrialRecord (from run_trial_reference); got {type(record).__name__}")
    return record


def _agent_step(lp: LogParams, o: np.ndarray, q_prev_stacked: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    q = binary_posterior(state_potentials_two_layer(o, q_prev_stacked, lp.lnA, lp.lnBbar, lp.lnD))
    y = binary_posterior(decision_potentials(q_prev_stacked, lp.lnCbar, lp.lnE))
    return np.concatenate([q, 1.0 - q]), y


def agent_step(lp: LogParams, o: np.ndarray, q_prev_stacked: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Inference of one time step (SPEC §8.6 steps 3–4, P2 eq. 3.6): returns ``(q_stacked, y)``.

    Lesson 03's posterior update with a decision layer: the state posterior ``q_t`` combines
    the observation with the previous posterior (the update of
    :func:`fepteach.pomdp.posterior_states_two_layer`); the decision posterior ``y_t`` uses only
    the previous posterior ``q_{t-1}`` (one-step sensory lag; :func:`fepteach.pomdp.decision_posterior`).
    Both are the primitives of :mod:`fepteach.maths` that those functions call.

    Parameters
    ----------
    lp : LogParams
        The trial's log-parameters (:func:`log_params`).
    o : numpy.ndarray, shape (NO,)
        Binary observation ``o_t``.
    q_prev_stacked : numpy.ndarray, shape (2*NS,)
        Previous state posterior, stacked (``D`` itself at the first step).

    Returns
    -------
    q_stacked : numpy.ndarray, shape (2*NS,)
        ``(q_t; 1 - q_t)``.
    y : numpy.ndarray, shape (ND,)
        Decision posterior ``y_t`` (ON half).

    Examples
    --------
    >>> p = initial_params(0.25)
    >>> q, y = agent_step(log_params(p), np.eye(NO)[60], p.D)
    >>> round(float(q[60]), 4), bool(np.allclose(y, halves(p.E)[0]))  # sees pixel 60 ON; untrained: y = E_ON
    (0.9901, True)
    """
    lp = _check_log_params(lp)
    o = as_float_array("o", o, ndim=1)
    if o.shape != (NO,):
        raise ValueError(f"o must have shape ({NO},) (the 11 x 11 view); got {o.shape}")
    check_closed_unit("o", o)
    q_prev_stacked = as_float_array("q_prev_stacked", q_prev_stacked, ndim=1)
    if q_prev_stacked.shape != (2 * NS,):
        raise ValueError(f"q_prev_stacked must have shape ({2 * NS},) (ON half, OFF half); got {q_prev_stacked.shape}")
    check_closed_unit("q_prev_stacked", q_prev_stacked)
    return _agent_step(lp, o, q_prev_stacked)


# --- risk (SPEC §8.8) ------------------------------------------------------------------
def _check_G(G) -> np.ndarray:
    G = as_float_array("G", G, ndim=1)
    if G.size == 0:
        raise ValueError("G must hold at least one per-step risk")
    check_closed_unit("G", G)
    return G


def chunk_progress(G) -> float:
    """Progress of a chunk, ``Delta = (1 - 2 mean(G)) * 200`` (SPEC §8.8), the codes' exact floating-point expression.

    Parameters
    ----------
    G : array_like, shape (n,)
        Per-step risks of the chunk (0 = moved right, 1 = moved left, 0.5 = neither).

    Returns
    -------
    float
        Net rightward moves rescaled to a full chunk of 200 steps.

    Examples
    --------
    >>> chunk_progress([0.0] * 10 + [0.5] * 190)  # 10 net right moves in 200 steps
    10.000000000000009
    """
    G = _check_G(G)
    n = G.size
    return (1.0 - 2.0 * (float(np.sum(G)) / n)) * CHUNK


def risk_of_progress(delta: float) -> float:
    """Chunk risk Gamma from the progress Delta (SPEC §8.8): 0.55 if Delta <= 0, 0.45 if <= 10, else 0.

    Parameters
    ----------
    delta : float

    Returns
    -------
    float

    Examples
    --------
    >>> risk_of_progress(-3.0), risk_of_progress(5.0), risk_of_progress(12.0)
    (0.55, 0.45, 0.0)
    """
    try:
        delta = float(delta)
    except (TypeError, ValueError) as exc:
        raise ValueError(f"delta must be a number (the progress of a chunk); got {delta!r}") from exc
    if delta <= PROGRESS_THRESHOLDS[0]:
        return RISK_VALUES[0]
    if delta <= PROGRESS_THRESHOLDS[1]:
        return RISK_VALUES[1]
    if delta <= PROGRESS_THRESHOLDS[2]:
        return RISK_VALUES[2]
    return RISK_VALUES[3]


def chunk_risk(G) -> float:
    """Gamma of one chunk of per-step risks G (SPEC §8.8), including the +10 floating-point boundary.

    Parameters
    ----------
    G : array_like, shape (n,)

    Returns
    -------
    float

    Examples
    --------
    >>> chunk_risk([0.0] * 10 + [0.5] * 190)  # Delta lands just above 10 in floating point
    0.0
    """
    return risk_of_progress(chunk_progress(G))


def n_chunks(t_end: int) -> int:
    """Number of risk chunks of a trial, ``ceil((t_end - 1) / 200)`` (SPEC §8.8).

    Parameters
    ----------
    t_end : int
        Duration of the trial (>= 2).

    Returns
    -------
    int

    Examples
    --------
    >>> n_chunks(20000), n_chunks(201), n_chunks(202)
    (100, 1, 2)
    """
    t_end = check_int("t_end", t_end, minimum=2)
    return -(-(t_end - 1) // CHUNK)


def chunk_slices(t_end: int) -> list[slice]:
    """0-based row slices of the chunks ``T_i = {200(i-1)+1 .. min(200 i, t_end - 1)}`` (MATLAB t, SPEC §8.8).

    Parameters
    ----------
    t_end : int

    Returns
    -------
    list of slice

    Examples
    --------
    >>> chunk_slices(250)
    [slice(0, 200, None), slice(200, 249, None)]
    """
    return [slice(CHUNK * i, min(CHUNK * (i + 1), t_end - 1)) for i in range(n_chunks(t_end))]


def chunk_risks(G, t_end: int) -> np.ndarray:
    """Gamma_i for every chunk of a trial from the per-step risks ``G`` (rows t - 1) (SPEC §8.8).

    Parameters
    ----------
    G : array_like, shape (>= t_end - 1,)
    t_end : int

    Returns
    -------
    numpy.ndarray, shape (n_chunks(t_end),)

    Examples
    --------
    >>> chunk_risks(np.full(401, 0.5), 401)  # standing still: no progress
    array([0.55, 0.55])
    """
    G = _check_G(G)
    if G.size < t_end - 1:
        raise ValueError(f"G must have at least t_end - 1 = {t_end - 1} entries; got {G.size}")
    return np.array([risk_of_progress(chunk_progress(G[s])) for s in chunk_slices(t_end)])


# --- trial record and the reference trial loop ----------------------------------------
@dataclass
class TrialRecord:
    """Everything one trial produced (reference engine). Rows are ``t - 1`` (row 0 = t = 1).

    positions (t_end, 2) int, 0-based (row, column) p_t
    o         (t_end, NO) observations o_t (row 0 zeros: nothing observed at t = 1)
    q_stacked (t_end, 2*NS) stacked state posteriors (q_t; 1 - q_t) (row 0 = D, not normalised)
    y         (t_end, ND) decision posteriors y_t (row 0 = E_ON)
    decisions (t_end,) int, sampled decision l_t (0-based; -1 at t = 1)
    G         (t_end,) per-step risk G_t (G_1 = 0)
    t_end     duration (20000 = goal not reached)
    """

    positions: np.ndarray
    o: np.ndarray
    q_stacked: np.ndarray
    y: np.ndarray
    decisions: np.ndarray
    G: np.ndarray
    t_end: int
    reached: bool

    @property
    def q(self) -> np.ndarray:
        """State posteriors ``q_t`` (ON half), ``(t_end, NS)`` (row 0 = D_ON)."""
        return self.q_stacked[:, :NS]

    @property
    def gammas(self) -> np.ndarray:
        """Chunk risks Gamma_i of this trial (SPEC §8.8)."""
        return chunk_risks(self.G, self.t_end)


def _trial_loop(maze, params: AgentParams, choose, T: int) -> TrialRecord:
    """The trial loop of SPEC §8.6; ``choose(t, y)`` returns the decision index at step t."""
    maze = np.asarray(maze)
    if maze.ndim != 2:
        raise ValueError(f"maze must be a 2-D array; got shape {maze.shape}")
    mz.check_maze_size(*maze.shape)
    lp = log_params(params)
    ny, nx = maze.shape
    padded = mz.pad_maze(maze)
    goal = mz.goal_position(ny, nx)
    positions = np.zeros((T, 2), dtype=np.int64)
    o = np.zeros((T, NO))
    q_stacked = np.zeros((T, 2 * NS))
    y = np.zeros((T, ND))
    decisions = np.full(T, -1, dtype=np.int64)
    G = np.zeros(T)
    pos = mz.start_position(ny)
    positions[0] = pos
    q_stacked[0] = params.D  # q_1 = D (both halves 0.5/256, not normalised)
    y[0] = halves(params.E)[0]
    t_end, reached = T, False
    for t in range(2, T + 1):
        i = t - 1
        # 1. move with the previous decision (none at t = 2)
        action = first_action(decisions[i - 1]) if t >= 3 else -1
        new_pos = mz.move(maze, pos, action)
        G[i] = mz.step_risk(pos[1], new_pos[1]) if action >= 0 else 0.5
        pos = new_pos
        positions[i] = pos
        at_goal = pos == goal
        # 2. observe (at the goal: the arrival view, centred on the unclipped column, SPEC §8.4)
        o[i] = mz.observe_at(maze, pos, padded=padded)
        # 3.–4. state and decision inference
        q_stacked[i], y[i] = _agent_step(lp, o[i], q_stacked[i - 1])
        # 5. select
        decisions[i] = choose(t, y[i])
        # 7. stop at the goal
        if at_goal:
            t_end, reached = t, True
            break
    n = t_end
    return TrialRecord(positions[:n], o[:n], q_stacked[:n], y[:n], decisions[:n], G[:n], t_end, reached)


def run_trial_reference(maze: np.ndarray, params: AgentParams, uniforms: np.ndarray, T: int = T_MAX) -> TrialRecord:
    """One trial with the readable reference (SPEC §8.6), parameters fixed during the trial.

    ``uniforms`` (``(T,)``, from ``rng.random(T)``) drive decision sampling: the decision
    at step t uses ``uniforms[t - 1]`` with the rule of P2 eq. (6.1). Use :func:`draw_uniforms`
    so that the fast engine consumes the same numbers.

    Parameters
    ----------
    maze : numpy.ndarray, shape (ny, nx)
    params : AgentParams
    uniforms : numpy.ndarray, shape (>= T,)
        Uniform numbers in [0, 1).
    T : int, optional
        Maximum number of steps.

    Returns
    -------
    TrialRecord

    Examples
    --------
    >>> m = mz.make_maze(np.random.default_rng(0), 7, 21)
    >>> rec = run_trial_reference(m, initial_params(0.25), draw_uniforms(np.random.default_rng(1), 50), T=50)
    >>> rec.q_stacked.shape[1], rec.y.shape[1], rec.t_end <= 50
    (242, 256, True)
    """
    T = check_int("T", T, minimum=3)
    params = _check_params(params)
    uniforms = _check_uniforms(uniforms, T)

    def choose(t, y):
        r = _selection_weights(y)  # eq. (6.1) as in maths.selection_probabilities; y in [0, 1] by construction
        return sample_index(r / r.sum(), uniforms[t - 1])

    return _trial_loop(maze, params, choose, T)


def replay_trial_reference(maze: np.ndarray, params: AgentParams, decisions: np.ndarray, T: int = T_MAX) -> TrialRecord:
    """Like :func:`run_trial_reference` but the decision at step t is ``decisions[t - 1]`` (a replay).

    Parameters
    ----------
    maze : numpy.ndarray, shape (ny, nx)
    params : AgentParams
    decisions : array_like of int, shape (>= T,)
        0-based decisions (entry 0, for t = 1, is ignored).
    T : int, optional

    Returns
    -------
    TrialRecord

    Examples
    --------
    >>> m = np.zeros((7, 21), dtype=np.int8)  # a maze without walls
    >>> rec = replay_trial_reference(m, initial_params(0.25), np.full(20, 255), T=20)  # always 'right x 4'
    >>> rec.reached, rec.t_end
    (True, 12)
    """
    T = check_int("T", T, minimum=3)
    params = _check_params(params)
    d = as_float_array("decisions", decisions, ndim=1)
    if d.size < 2 or np.any(d[1:T] < 0) or np.any(d[1:T] >= ND) or np.any(d != np.round(d)):
        raise ValueError(f"decisions must hold integer decisions in 0 .. {ND - 1} (row t - 1 for step t; at least 2)")
    decisions = d.astype(np.int64)

    def choose(t, y):
        if t - 1 >= decisions.size:  # a recorded successful trial holds only t_end decisions
            raise ValueError(
                f"decisions ran out at step t = {t}: the replay did not reach the goal within the "
                f"{decisions.size} recorded decisions (pass T decisions, or those of a trial that reached the goal)"
            )
        return int(decisions[t - 1])

    return _trial_loop(maze, params, choose, T)


def draw_uniforms(rng: np.random.Generator, T: int = T_MAX) -> np.ndarray:
    """The per-trial uniform numbers that drive decision sampling, ``rng.random(T)``.

    Parameters
    ----------
    rng : numpy.random.Generator
    T : int, optional

    Returns
    -------
    numpy.ndarray, shape (T,)

    Examples
    --------
    >>> draw_uniforms(np.random.default_rng(0), 3).round(3)
    array([0.637, 0.27 , 0.041])
    """
    check_rng(rng)
    T = check_int("T", T, minimum=1)
    return rng.random(T)


def _check_uniforms(uniforms, T: int) -> np.ndarray:
    u = as_float_array("uniforms", uniforms, ndim=1)
    if u.size < T:
        raise ValueError(f"uniforms must have at least T = {T} entries; got {u.size}")
    if np.any(u < 0) or np.any(u >= 1):
        raise ValueError("uniforms must lie in [0, 1)")
    return u


# --- end of trial: learning (SPEC §8.8) -------------------------------------------------
def learn(params: AgentParams, record: TrialRecord) -> AgentParams:
    """Dirichlet learning at the end of a trial (SPEC §8.8, eq. 3.7); returns new parameters.

    * ``qa(ON, b) += sum_{t=2}^{t_end} o_t q_t^b``, ``qa(OFF, b) += sum (1 - o_t) q_t^b``;
    * ``qbi(a, b) += sum_{t=2}^{t_end} q_{t-1}^a q_t^b``;
    * for each chunk i in order, ``qci <- max(1, qci + g_i sum_{t in T_i} q_t (x) (d_{t+1}; 1 - d_{t+1}))``
      with g_i = 1 - 2 Gamma_i: the floor at 1 is applied after every chunk
      (:func:`fepteach.maths.policy_update`, the update of :func:`fepteach.pomdp.dirichlet_update_policy`).

    Parameters
    ----------
    params : AgentParams
        The parameters used during the trial.
    record : TrialRecord

    Returns
    -------
    AgentParams
        New parameters (the inputs are not modified).

    Examples
    --------
    >>> m = np.zeros((7, 21), dtype=np.int8)  # a maze without walls
    >>> p = initial_params(0.25)
    >>> rec = replay_trial_reference(m, p, np.full(20, 255), T=20)
    >>> bool(learn(p, rec).qci[0, 255] > p.qci[0, 255])  # a quick success reinforces 'right x 4'
    True
    """
    params, record = _check_params(params), _check_record(record)
    new = params.copy()
    t_end = record.t_end
    q = record.q_stacked
    new.qa += stack(record.o[1:t_end]).T @ q[1:t_end]
    new.qbi += q[: t_end - 1].T @ q[1:t_end]
    d_next = np.zeros((t_end - 1, ND))
    d_next[np.arange(t_end - 1), record.decisions[1:t_end]] = 1.0
    d_stacked = stack(d_next)  # pairs (q_t, d_{t+1}), t = 1..t_end-1
    for s, gamma in zip(chunk_slices(t_end), record.gammas):
        new.qci = policy_update(new.qci, q[s], d_stacked[s], modulation(gamma))
    return new


# --- free energy of a trial (SPEC §8.9) -------------------------------------------------
def trial_free_energy(params: AgentParams, record: TrialRecord) -> float:
    """F of one trial with the parameters used during it (SPEC §8.9, eq. 3.5 with chunk risks).

    Sums t = 2 .. t_end - 1; the decision y_t gets the risk of the chunk of t (its
    decision index), as in both reference codes.

    Parameters
    ----------
    params : AgentParams
    record : TrialRecord

    Returns
    -------
    float

    Examples
    --------
    >>> m = np.zeros((7, 21), dtype=np.int8)
    >>> p = initial_params(0.25)
    >>> F = trial_free_energy(p, replay_trial_reference(m, p, np.full(20, 255), T=20))
    >>> bool(F > 0)
    True
    """
    params, record = _check_params(params), _check_record(record)
    lp = log_params(params)
    t_end = record.t_end
    g_chunk = [modulation(gamma) for gamma in record.gammas]  # g = 1 - 2 Gamma of each chunk
    F = 0.0
    for t in range(2, t_end):
        i = t - 1
        q_prev, q, y_on = record.q_stacked[i - 1], record.q_stacked[i], record.y[i]
        v = state_potentials_two_layer(record.o[i], q_prev, lp.lnA, lp.lnBbar, lp.lnD)
        F += float(np.sum(q * (log_floor(q) - v)))
        w_prime = decision_potentials(q_prev, lp.lnCbar, lp.lnE, g=g_chunk[(t - 1) // CHUNK])
        y = np.concatenate([y_on, 1.0 - y_on])  # (y; 1 - y)
        F += float(np.sum(y * (log_floor(y) - w_prime)))
    return F


# --- decision-frequency estimate (SPEC §8.10) ------------------------------------------
def decision_frequencies(decisions: np.ndarray, t_end: int, T: int = T_MAX) -> np.ndarray:
    """E-hat_l = (1 / (T - 2)) * #{t = 3..t_end : d_t = l} (SPEC §8.10), ``(ND,)``.

    ``decisions`` is indexed by ``t - 1``. The denominator is fixed (T - 2 = 19998).

    Parameters
    ----------
    decisions : array_like of int, shape (>= t_end,)
    t_end : int
    T : int, optional

    Returns
    -------
    numpy.ndarray, shape (ND,)

    Examples
    --------
    >>> e = decision_frequencies(np.array([-1, 3, 255, 255]), t_end=4, T=10)
    >>> float(e[255]), float(e.sum())
    (0.25, 0.25)
    """
    t_end = check_int("t_end", t_end, minimum=2)
    T = check_int("T", T, minimum=3)
    d = np.asarray(decisions)
    if d.ndim != 1 or d.size < t_end or not np.issubdtype(d.dtype, np.integer):
        raise ValueError(f"decisions must be a 1-D integer array with at least t_end = {t_end} entries")
    d = d[2:t_end]
    if np.any(d < 0) or np.any(d >= ND):
        raise ValueError(f"decisions of t = 3 .. t_end must lie in 0 .. {ND - 1}")
    return np.bincount(d, minlength=ND)[:ND] / (T - 2)


def block_summary(durations, T: int = T_MAX, blocks=None) -> list[tuple[int, int, float, float]]:
    """Median time to goal and success rate per block of trials (the learning curves of P2 Fig. 5).

    Parameters
    ----------
    durations : array_like, shape (n_trials, n_agents)
        Trial durations ``t_end`` (``T`` = goal not reached).
    T : int, optional
        Maximum trial length.
    blocks : sequence of (int, int), optional
        1-based inclusive (first, last) trials; default the paper's blocks
        (:data:`fepteach.data.maze_reference.BLOCKS`). Blocks are truncated to the trials run;
        blocks that start after the last trial are left out.

    Returns
    -------
    list of (first, last, median, success_rate)

    Examples
    --------
    >>> d = np.full((10, 2), 20000); d[5:] = 3000
    >>> block_summary(d, blocks=[(1, 5), (6, 10)])
    [(1, 5, 20000.0, 0.0), (6, 10, 3000.0, 1.0)]
    """
    from .data.maze_reference import BLOCKS

    d = as_float_array("durations", durations, ndim=2)
    T = check_int("T", T, minimum=3)
    rows = []
    for a, b in (BLOCKS if blocks is None else blocks):
        if a > d.shape[0]:
            continue  # a block that starts after the last trial run
        x = d[a - 1 : min(b, d.shape[0])].ravel()
        rows.append((a, min(b, d.shape[0]), float(np.median(x)), float(np.mean(x < T))))
    return rows


def estimated_prior(e_hats: np.ndarray) -> np.ndarray:
    """Stacked prior from decision-frequency estimates (SPEC §8.11 item 3): mean over agents, not renormalised.

    Parameters
    ----------
    e_hats : array_like, shape (n_agents, ND) or (ND,)

    Returns
    -------
    numpy.ndarray, shape (2*ND,)
        ``(mean; 1 - mean)``.

    Examples
    --------
    >>> E = estimated_prior(np.full((3, ND), 1 / ND))
    >>> E.shape, float(E[0]), float(E[ND])
    ((512,), 0.00390625, 0.99609375)
    """
    e = as_float_array("e_hats", e_hats, ndim=(1, 2))
    e = np.atleast_2d(e)
    if e.shape[1] != ND:
        raise ValueError(f"e_hats must have {ND} columns (one per decision); got shape {e.shape}")
    check_closed_unit("e_hats", e)
    e_on = np.mean(e, axis=0)
    return np.concatenate([e_on, 1.0 - e_on])

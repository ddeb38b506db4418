"""The maze agent's fast engine: the readable agent of :mod:`fepteach.agent` in network form.

The same computation as :func:`fepteach.agent.run_trial_reference` followed by
:func:`fepteach.agent.learn`, written as the network computes it (SPEC §2.4/§4.7:
differences of log-parameters collapse each layer to one weight matrix and a
threshold) and compiled with numba (``fepteach._agent_numba``). Given the same
uniforms it makes the same decisions as the reference.

``precision="float64"`` (the default) is the engine of record: the paper protocol, the
cross-validation with the authors' package and the agreement tests use it.
``precision="float32"`` (opt-in) stores the fused K|V weights in float32 and rounds q to
float32 for that product only (everything else stays float64): untrained trials are
bit-identical, trained trials differ by ~1e-9-1e-6 in q and y, so decisions can diverge
after long runs; ``benchmarks/equivalence_float32.py`` checks that the learning statistics
do not differ.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from . import maze as mz
from ._validate import check_int, check_rng
from .agent import (
    ND,
    NO,
    NS,
    T_MAX,
    AgentParams,
    LogParams,
    _check_uniforms,
    blocks,
    decision_frequencies,
    draw_uniforms,
    halves,
    log_params,
    n_chunks,
)

__all__ = [
    "PRECISIONS",
    "TrialSummary",
    "NetworkForm",
    "check_precision",
    "position_table",
    "network_form",
    "run_trial_fast",
    "run_agent_fast",
]

@dataclass
class TrialSummary:
    """What the fast engine returns for one trial (:func:`run_trial_fast`).

    Attributes
    ----------
    t_end : int
        Duration (``T`` = goal not reached).
    reached : bool
    F : float
        Free energy of the trial (SPEC §8.9, P2 eq. 3.5).
    gammas : numpy.ndarray, shape (n_chunks,)
        Chunk risks.
    e_hat : numpy.ndarray, shape (ND,)
        Decision frequencies (SPEC §8.10).
    positions : numpy.ndarray, shape (t_end, 2)
        0-based (row, column), rows ``t - 1``.
    decisions : numpy.ndarray, shape (t_end,)
        Sampled decisions, rows ``t - 1`` (``decisions[0] = -1``).
    q, y : numpy.ndarray or None
        ``q_t^ON`` (t_end, NS) and ``y_t`` (t_end, ND) when posteriors were recorded.
    """

    t_end: int
    reached: bool
    F: float
    gammas: np.ndarray
    e_hat: np.ndarray
    positions: np.ndarray
    decisions: np.ndarray = field(repr=False)
    q: np.ndarray | None = field(default=None, repr=False)
    y: np.ndarray | None = field(default=None, repr=False)


@dataclass
class NetworkForm:
    """The per-trial network weights (SPEC §2.4, §4.7) used by the fast engine (:func:`network_form`).

    Middle layer: ``x_t = sigma(Wo[pid] + K.T x_{t-1} + k_thr)``, where ``Wo[pid] = W.T o_pid + h``
    is precomputed for every position; output layer: ``y_t = sigma(V.T x_{t-1} + m)`` (P2 eq. 3.6
    in network form). At t = 2 the previous posterior is D (not complementary), handled by
    ``k_first``/``y_first``. The remaining fields are row sums the free energy needs.
    """

    Wo: np.ndarray  # (n_pid, NS)
    K: np.ndarray  # (NS, NS), K[k, j] = K1 - K0 for presynaptic k
    k_thr: np.ndarray  # (NS,)
    k_first: np.ndarray  # (NS,)
    V: np.ndarray  # (NS, ND)
    m: np.ndarray  # (ND,)
    y_first: np.ndarray  # (ND,)
    vo_off: np.ndarray  # (n_pid,) sum_j of the observation+lnD part of v^OFF (for F)
    b_on: np.ndarray  # (NS,) row sums of lnBbar(ON, OFF)
    b_off: np.ndarray  # (NS,) row sums of lnBbar(OFF, OFF)
    c_on: np.ndarray  # (NS,) row sums of lnCbar(ON, OFF)
    c_off: np.ndarray  # (NS,) row sums of lnCbar(OFF, OFF)
    lE_on: np.ndarray
    lE_off: np.ndarray

    #: column where V starts in the fused matrix (K padded to a multiple of 8 columns)
    V_OFFSET = 128

    @property
    def KV(self) -> np.ndarray:
        """K and V side by side, ``(NS, V_OFFSET + ND)`` float64: one pass over x_{t-1} drives both layers."""
        return self.fused(np.float64)

    def fused(self, dtype=np.float64) -> np.ndarray:
        """The fused ``K|V`` matrix in ``dtype`` (float64, or float32 for ``precision="float32"``)."""
        cache = self.__dict__.setdefault("_fused", {})
        key = np.dtype(dtype).name
        if key not in cache:
            ns = self.K.shape[0]
            kv = _aligned_zeros((ns, self.V_OFFSET + self.V.shape[1]), dtype)
            kv[:, :ns] = self.K
            kv[:, self.V_OFFSET :] = self.V
            cache[key] = kv
        return cache[key]


def _aligned_zeros(shape, dtype=np.float64) -> np.ndarray:
    """A C-contiguous array of zeros whose data start on a cache line (``_agent_numba.CACHE_LINE`` bytes).

    numpy only guarantees 16 bytes; with rows of a multiple of 64 bytes, a 64-byte start puts
    every 32-byte vector load of the compiled loops inside one cache line (the K|V product and
    the qbi sums M; see the notes of :mod:`fepteach._agent_numba`).

    Parameters
    ----------
    shape : tuple of int
    dtype : numpy dtype, optional

    Returns
    -------
    ndarray

    Examples
    --------
    >>> a = _aligned_zeros((3, 5), np.float32)
    >>> a.ctypes.data % 64, a.shape, a.dtype.name, float(a.sum())
    (0, (3, 5), 'float32', 0.0)
    """
    from ._agent_numba import CACHE_LINE

    dtype = np.dtype(dtype)
    n = int(np.prod(shape)) * dtype.itemsize
    buf = np.zeros(n + CACHE_LINE, dtype=np.uint8)
    start = (-buf.ctypes.data) % CACHE_LINE
    return buf[start : start + n].view(dtype).reshape(shape)


#: the choices of ``precision``: the dtype of the K|V product (everything else is float64)
PRECISIONS = ("float64", "float32")


def check_precision(precision) -> str:
    """Validate ``precision`` (one of :data:`PRECISIONS`); return it.

    ``"float64"`` (default) is the engine of record: it agrees with the readable agent and the
    authors' package. ``"float32"`` stores the fused K|V weights in float32 and rounds q to
    float32 for the product only (faster; results differ by ~1e-6, decisions may diverge after
    long runs; untrained trials are bit-identical).

    Parameters
    ----------
    precision : str
        ``"float64"`` or ``"float32"``.

    Returns
    -------
    str
        ``precision`` unchanged.

    Raises
    ------
    ValueError
        For anything else (the message names ``precision``).

    Examples
    --------
    >>> check_precision("float32")  # the dtype of the K|V product of P2 eq. 3.6
    'float32'
    >>> check_precision("float16")
    Traceback (most recent call last):
    ...
    ValueError: precision must be one of ('float64', 'float32'); got 'float16'
    """
    if not isinstance(precision, str) or precision not in PRECISIONS:
        raise ValueError(f"precision must be one of {PRECISIONS}; got {precision!r}")
    return precision


def position_table(maze: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Position ids and their observations for the fast engine (the view of SPEC §8.4, computed once).

    Parameters
    ----------
    maze : numpy.ndarray, shape (ny, nx)

    Returns
    -------
    pid_map : numpy.ndarray, shape (ny, nx), int32
        Position id of every room, -1 where the agent can never be; the goal cell maps to the
        arrival view (:func:`fepteach.maze.observe_at`).
    obs : numpy.ndarray, shape (n_pid, NO)
        The observation ``o`` (11 x 11 view) at each position id.

    Examples
    --------
    >>> pid_map, obs = position_table(mz.make_maze(np.random.default_rng(0), 7, 15))
    >>> pid_map.shape, obs.shape, int(pid_map.max()) + 1 == obs.shape[0]
    ((7, 15), (22, 121), True)
    """
    ny, nx = maze.shape
    padded = mz.pad_maze(maze)
    cells = mz.rooms(ny, nx)
    pid_map = np.full((ny, nx), -1, dtype=np.int32)
    obs = np.zeros((len(cells) + 1, NO))
    for p, (r, c) in enumerate(cells):
        pid_map[r, c] = p
        obs[p] = mz.observe(maze, (int(r), int(c)), padded=padded)
    gr, gc = mz.goal_position(ny, nx)
    pid_map[gr, gc] = len(cells)
    obs[len(cells)] = mz.observe_at(maze, (gr, gc), padded=padded)
    return pid_map, obs


def network_form(lp: LogParams, obs: np.ndarray) -> NetworkForm:
    """Collapse the log-parameters into network weights and thresholds (SPEC §2.4, §4.7).

    Differences of the ON and OFF log-parameters turn each layer of P2 eq. 3.6 into one weight
    matrix and one threshold: ``W = (lnA_ON,ON - lnA_ON,OFF) - (lnA_OFF,ON - lnA_OFF,OFF)`` and so on.

    Parameters
    ----------
    lp : fepteach.agent.LogParams
        Log-parameters of the trial (:func:`fepteach.agent.log_params`).
    obs : numpy.ndarray, shape (n_pid, NO)
        Observations per position id (:func:`position_table`).

    Returns
    -------
    NetworkForm

    Examples
    --------
    >>> from fepteach.agent import initial_params
    >>> _, obs = position_table(mz.make_maze(np.random.default_rng(0), 7, 15))
    >>> nf = network_form(log_params(initial_params(0.25)), obs)
    >>> nf.Wo.shape, nf.K.shape, nf.V.shape, float(np.abs(nf.V).max())  # untrained: no policy weights yet
    ((22, 121), (121, 121), (121, 256), 0.0)
    """
    A = blocks(lp.lnA)
    B = blocks(lp.lnBbar)
    C = blocks(lp.lnCbar)
    lD_on, lD_off = halves(lp.lnD)
    lE_on, lE_off = halves(lp.lnE)
    W = (A.on_on - A.on_off) - (A.off_on - A.off_off)  # (NO, NS) = (W1 - W0).T
    h = (A.off_on - A.off_off).sum(axis=0) + lD_on - lD_off
    KA = B.on_on - B.on_off
    KB = B.off_on - B.off_off
    VA = C.on_on - C.on_off
    VB = C.off_on - C.off_off
    from . import _agent_numba as kern

    D_on, D_off = np.exp(lp.lnD[:NS]), np.exp(lp.lnD[NS:])  # D itself (D > 1e-6 here)
    # (elementwise products and sums instead of matrix products: no BLAS thread pools here)
    return NetworkForm(
        Wo=kern.observation_drive(np.ascontiguousarray(obs), np.ascontiguousarray(W), h),
        K=np.ascontiguousarray(KA - KB),
        k_thr=KB.sum(axis=0),
        k_first=(D_on[:, None] * KA).sum(axis=0) + (D_off[:, None] * KB).sum(axis=0),
        V=np.ascontiguousarray(VA - VB),
        m=VB.sum(axis=0) + lE_on - lE_off,
        y_first=(D_on[:, None] * VA).sum(axis=0) + (D_off[:, None] * VB).sum(axis=0) + lE_on - lE_off,
        vo_off=(obs * A.on_off.sum(axis=1)).sum(axis=1) + ((1.0 - obs) * A.off_off.sum(axis=1)).sum(axis=1) + lD_off.sum(),
        b_on=B.on_off.sum(axis=1),
        b_off=B.off_off.sum(axis=1),
        c_on=C.on_off.sum(axis=1),
        c_off=C.off_off.sum(axis=1),
        lE_on=np.ascontiguousarray(lE_on),
        lE_off=np.ascontiguousarray(lE_off),
    )


def run_trial_fast(
    maze: np.ndarray,
    params: AgentParams,
    uniforms: np.ndarray,
    T: int = T_MAX,
    tables: tuple[np.ndarray, np.ndarray] | None = None,
    record_posteriors: bool = False,
    precision: str = "float64",
) -> tuple[AgentParams, TrialSummary]:
    """One trial plus end-of-trial learning with the compiled engine (same maths as the reference).

    Given the same ``uniforms`` it makes the same decisions as
    :func:`fepteach.agent.run_trial_reference`, and its learned parameters equal
    :func:`fepteach.agent.learn` of the reference record up to floating-point summation order
    (inference P2 eq. 3.6, selection eq. 6.1, learning eq. 3.7).

    Parameters
    ----------
    maze : numpy.ndarray, shape (ny, nx)
    params : fepteach.agent.AgentParams
        Parameters during the trial.
    uniforms : numpy.ndarray, shape (>= T,)
        Uniform numbers in [0, 1), one per step (:func:`fepteach.agent.draw_uniforms`).
    T : int, optional
        Maximum trial length.
    tables : (pid_map, obs), optional
        :func:`position_table` of the maze (pass it to skip recomputing it every trial).
    record_posteriors : bool, optional
        Also return ``q`` (t_end, NS) = q_t^ON and ``y`` (t_end, ND) = y_t in the summary (rows
        t - 1; row 0 holds D_ON and E_ON as in the reference record).
    precision : str, optional
        dtype of the K|V product, ``"float64"`` (default, the engine of record) or ``"float32"``
        (opt-in, faster; see :func:`check_precision`).

    Returns
    -------
    params : fepteach.agent.AgentParams
        Parameters after end-of-trial learning (the input is not modified).
    summary : TrialSummary

    Examples
    --------
    >>> from fepteach.agent import initial_params
    >>> m = mz.make_maze(np.random.default_rng(0), 7, 15)
    >>> new, s = run_trial_fast(m, initial_params(0.25), draw_uniforms(np.random.default_rng(1), 50), T=50)
    >>> s.decisions.shape == (s.t_end,), bool(np.all(new.qa >= initial_params(0.25).qa))  # eq. 3.7: counts grow
    (True, True)
    """
    from . import _agent_numba as kern

    precision = check_precision(precision)
    T = check_int("T", T, minimum=3)
    uniforms = np.ascontiguousarray(_check_uniforms(uniforms, T))
    lp = log_params(params)
    maze = np.asarray(maze)
    if maze.ndim != 2:
        raise ValueError(f"maze must be a 2-D array; got shape {maze.shape}")
    mz.check_maze_size(*maze.shape)  # the compiled loop relies on a valid layout
    pid_map, obs = position_table(maze) if tables is None else tables
    nf = network_form(lp, obs)
    D_on, D_off = halves(params.D)
    n_pid = obs.shape[0]
    ny, nx = maze.shape
    sr, sc = mz.start_position(ny)
    gr, gc = mz.goal_position(ny, nx)
    world = kern.World(np.ascontiguousarray(maze, dtype=np.int8), pid_map, int(sr), int(sc), int(gr), int(gc))
    net = kern.Network(nf.Wo, nf.fused(precision), nf.k_thr, nf.k_first, nf.m, nf.y_first,
                       np.ascontiguousarray(D_on), np.ascontiguousarray(D_off))
    fe = kern.FreeEnergyWeights(nf.vo_off, nf.b_on, nf.b_off, nf.c_on, nf.c_off, nf.lE_on, nf.lE_off)
    qci = params.qci.copy()
    M_padded = _aligned_zeros((NS, NetworkForm.V_OFFSET))  # columns padded to a multiple of 8
    lrn = kern.Learning(np.zeros((n_pid, NS)), np.zeros((n_pid, NS)), M_padded, np.zeros(NS), np.zeros(NS),
                        np.zeros(NS), qci, np.zeros(n_chunks(T)))
    rec = kern.Record(np.zeros((T, 2), dtype=np.int32), np.full(T, -1, dtype=np.int32),
                      np.zeros((T if record_posteriors else 0, NS)), np.zeros((T if record_posteriors else 0, ND)))
    t_end, F = kern.trial_kernel(world, net, fe, uniforms, T, lrn, rec)
    positions, decisions, q_rec, y_rec = rec
    Sq_on, Sq_off, s_prev, s_cur, q2, gammas = lrn.Sq_on, lrn.Sq_off, lrn.s_prev, lrn.s_cur, lrn.q2, lrn.gammas
    M = M_padded[:, :NS]
    n_c = n_chunks(t_end)
    new = AgentParams(params.qa.copy(), params.qbi.copy(), qci, params.D.copy(), params.E.copy())
    # qa increments from the per-position sums of q (o is constant at a position)
    new.qa += kern.qa_increment(obs, Sq_on, Sq_off)
    # qbi increments: t = 2 term with q_1 = D, then sums over t = 3..t_end with complementary halves
    n = t_end - 2
    q2_off = 1.0 - q2
    ones = np.ones(NS)
    new.qbi[:NS, :NS] += M + np.outer(D_on, q2)  # the four blocks of the increment, each added in place
    new.qbi[:NS, NS:] += np.outer(s_prev, ones) - M + np.outer(D_on, q2_off)
    new.qbi[NS:, :NS] += np.outer(ones, s_cur) - M + np.outer(D_off, q2)
    new.qbi[NS:, NS:] += n - np.outer(s_prev, ones) - np.outer(ones, s_cur) + M + np.outer(D_off, q2_off)
    d = decisions[:t_end].astype(np.int64)
    summary = TrialSummary(
        t_end=int(t_end),
        reached=bool(positions[t_end - 1, 0] == gr and positions[t_end - 1, 1] == gc),
        F=float(F),
        gammas=gammas[:n_c].copy(),
        e_hat=decision_frequencies(d, t_end, T),
        positions=positions[:t_end].astype(np.int64),
        decisions=d,
    )
    if record_posteriors:
        q_rec[0], y_rec[0] = D_on, halves(params.E)[0]
        summary.q, summary.y = q_rec[:t_end], y_rec[:t_end]
    return new, summary


def run_agent_fast(
    maze: np.ndarray,
    params: AgentParams,
    n_trials: int,
    rng: np.random.Generator,
    T: int = T_MAX,
    keep_positions=(),
    progress: bool | None = None,
    precision: str = "float64",
) -> tuple[AgentParams, list[TrialSummary]]:
    """``n_trials`` trials of one agent on one maze, learning after each (SPEC §8.11 item 4).

    Each trial draws its uniforms with :func:`fepteach.agent.draw_uniforms` (``rng.random(T)``), so
    the same ``rng`` seed gives the same run with :func:`fepteach.agent.run_trial_reference` +
    :func:`fepteach.agent.learn`.

    Parameters
    ----------
    maze : numpy.ndarray, shape (ny, nx)
    params : fepteach.agent.AgentParams
        The agent before trial 1.
    n_trials : int
        Number of trials (>= 1).
    rng : numpy.random.Generator
        Source of every trial's uniforms.
    T : int, optional
        Maximum trial length.
    keep_positions : iterable of int, optional
        1-based trials whose positions and decisions are kept (others are emptied to save memory).
    progress : bool, optional
        Show a progress bar over the trials (None: shown unless ``FEPTEACH_PROGRESS=0``).
    precision : str, optional
        See :func:`run_trial_fast`.

    Returns
    -------
    params : fepteach.agent.AgentParams
        The parameters after the last trial.
    summaries : list of TrialSummary
        One per trial.

    Examples
    --------
    >>> from fepteach.agent import initial_params
    >>> m = mz.make_maze(np.random.default_rng(0), 7, 15)
    >>> p, runs = run_agent_fast(m, initial_params(0.25), 2, np.random.default_rng(1), T=50, progress=False)
    >>> len(runs), runs[0].positions.shape[0], bool(np.all(p.qbi > initial_params(0.25).qbi))  # eq. 3.7
    (2, 0, True)
    """
    from ._progress import progress_bar

    check_rng(rng)
    precision = check_precision(precision)
    n_trials = check_int("n_trials", n_trials, minimum=1)
    tables = position_table(maze)
    keep = set(int(k) for k in keep_positions)
    out = []
    for trial in progress_bar(range(1, n_trials + 1), desc="trials", progress=progress):
        params, s = run_trial_fast(maze, params, draw_uniforms(rng, T), T=T, tables=tables, precision=precision)
        if trial not in keep:  # keep memory small in long runs
            s.positions = s.positions[:0]
            s.decisions = s.decisions[:0]
        out.append(s)
    return params, out

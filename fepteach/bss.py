"""Blind source separation by Hebbian plasticity: the demonstration of P1 (SPEC §5).

Two hidden binary sources drive 32 binary inputs through the mixing table of
SPEC §5.1. A canonical network of two neurons (equivalently, a POMDP agent with
ln-of-the-mean Dirichlet learning, SPEC §4.4–4.5) infers the sources one step at a
time and updates its synapses (Dirichlet counts ``qa``) after every step (SPEC §5.3).

Layout and names (SPEC §1.5)
----------------------------
* ``s``: true sources, shape ``(T, Ns)`` with 0/1 entries (``Ns = 2``).
* ``o``: observations, shape ``(T, No)`` with 0/1 entries (``No = 32``).
* ``x``: the network's activity = posterior that each source is ON, shape ``(T, Ns)``.
* ``qa``: Dirichlet counts in the stacked layout, shape ``(2*No, 2*Ns)``:
  ``qa[a*No + i, b*Ns + j]`` counts (input i has value a, source j has value b),
  value index 0 = ON, 1 = OFF. :func:`fepteach.pomdp.blocks` gives the named views
  ``on_on, on_off, off_on, off_off``.
* ``phi``: threshold constants stacked as ``(phi1; phi0) = (ln D_ON; ln D_OFF)``, shape
  ``(2*Ns,)``. The paper's ``alpha`` matrix ``ln[[p1, 1-p1], [p2, 1-p2]]`` is this
  vector in another order (:func:`prior_phi`).

Two implementations of the simulation are provided: :func:`bss_step` /
:func:`simulate_bss_reference` (readable, one step at a time, built from
:mod:`fepteach.pomdp`) and :func:`simulate_bss` / :func:`simulate_many` (compiled with
numba, many networks at once, same arithmetic; tests check they agree).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from fepteach import maths, pomdp
from fepteach._progress import progress_bar
from fepteach._validate import (
    as_float_array,
    check_binary,
    check_closed_unit,
    check_int,
    check_open_unit,
    check_rng,
    check_shape,
)

__all__ = [
    "N_SOURCES",
    "N_INPUTS",
    "T_PAPER",
    "BSSData",
    "BSSRun",
    "likelihood_table",
    "true_single_factor_likelihoods",
    "generate_sources",
    "generate_observations",
    "generate_data",
    "new_environment_table",
    "prior_phi",
    "initial_counts",
    "initial_counts_py",
    "landscape_counts",
    "prediction_initial_counts",
    "bss_step",
    "bss_step_unchecked",
    "bss_step_beta",
    "simulate_bss_reference",
    "simulate_bss_beta_reference",
    "simulate_bss",
    "simulate_many",
    "simulate_many_beta",
    "simulate_batch_numpy",
    "separation_correlation",
    "smoothed_response",
    "condition_running_mean",
    "prior_sweep_over_datasets",
    "windowed_slope",
    "synaptic_trajectories",
    "cost_frozen",
    "cost_landscape",
    "learned_deviations",
    "alpha_sweep",
    "beta_sweep",
    "prior_grid",
    "PredictionResult",
    "prediction_experiment",
    "SessionsResult",
    "sessions_experiment",
]

N_SOURCES = 2
N_INPUTS = 32
T_PAPER = 10_000

# Order of the joint source states in the likelihood table (SPEC §5.1).
SOURCE_STATES = ((1, 1), (1, 0), (0, 1), (0, 0))


# ---------------------------------------------------------------------------
# Generative process (SPEC §5.1)
# ---------------------------------------------------------------------------
@dataclass
class BSSData:
    """One dataset of the BSS process: sources ``s`` (T, Ns) and observations ``o`` (T, No), 0/1 floats."""

    s: np.ndarray
    o: np.ndarray

    @property
    def T(self) -> int:
        return self.o.shape[0]


def likelihood_table(n_inputs: int = N_INPUTS) -> np.ndarray:
    """P(o_i = 1 | s1, s2) of the BSS process (SPEC §5.1 table).

    Returns an array of shape ``(n_inputs, 4)``; columns are the joint states
    ``(s1, s2) = (1,1), (1,0), (0,1), (0,0)`` (:data:`SOURCE_STATES`). The first half of
    the inputs copies source 1 with probability 3/4 (source 2 otherwise), the second
    half copies source 1 with probability 1/4.

    Parameters
    ----------
    n_inputs : int, optional
        Even number of inputs.

    Returns
    -------
    numpy.ndarray, shape (n_inputs, 4)

    Examples
    --------
    >>> likelihood_table(4)
    array([[1.  , 0.75, 0.25, 0.  ],
           [1.  , 0.75, 0.25, 0.  ],
           [1.  , 0.25, 0.75, 0.  ],
           [1.  , 0.25, 0.75, 0.  ]])
    """
    n_inputs = check_int("n_inputs", n_inputs, minimum=2)
    if n_inputs % 2:
        raise ValueError(f"n_inputs must be even (two halves); got {n_inputs}")
    half = n_inputs // 2
    P = np.empty((n_inputs, 4))
    P[:half] = (1.0, 0.75, 0.25, 0.0)
    P[half:] = (1.0, 0.25, 0.75, 0.0)
    return P


def true_single_factor_likelihoods(table=None) -> np.ndarray:
    """Single-factor likelihoods P(o_i = 1 | s_j = b) implied by a joint table (SPEC §5.1, [D]).

    Marginalises the other source with P = 1/2: these are the values a perfect learner
    of the factorised model (3.1) converges to (7/8, 1/8, 5/8, 3/8 for the §5.1 table).
    ``table``: shape ``(No, 4)`` as in :func:`likelihood_table` (default: that table).
    Returns shape ``(No, 2*Ns)`` in the stacked column order (s1 ON, s2 ON, s1 OFF, s2 OFF).

    Parameters
    ----------
    table : array_like, shape (No, 4), optional
        Default :func:`likelihood_table`.

    Returns
    -------
    numpy.ndarray, shape (No, 2*Ns)
        ``P(o_i = 1 | s_j = b)``, stacked columns ``(s1 ON, s2 ON, s1 OFF, s2 OFF)``.

    Examples
    --------
    >>> true_single_factor_likelihoods()[0]  # an input that follows source 1 most of the time
    array([0.875, 0.625, 0.125, 0.375])
    """
    P = likelihood_table() if table is None else _check_table(table)
    p11, p10, p01, p00 = P.T
    return np.stack([(p11 + p10) / 2, (p11 + p01) / 2, (p01 + p00) / 2, (p10 + p00) / 2], axis=1)


def _check_table(table) -> np.ndarray:
    P = as_float_array("table", table, ndim=2)
    check_shape("table", P, (None, 4))
    check_closed_unit("table", P)
    return P


def generate_sources(T: int, rng: np.random.Generator, p_on: float = 0.5) -> np.ndarray:
    """Draw ``Ns = 2`` independent Bernoulli(``p_on``) sources for ``T`` steps (SPEC §5.1). Returns (T, 2) of 0/1 floats.

    Parameters
    ----------
    T : int
    rng : numpy.random.Generator
    p_on : float, optional

    Returns
    -------
    numpy.ndarray, shape (T, N_SOURCES)

    Examples
    --------
    >>> generate_sources(5, np.random.default_rng(0)).shape
    (5, 2)
    """
    T = check_int("T", T, minimum=1)
    rng = check_rng(rng)
    p = float(as_float_array("p_on", p_on, ndim=0))
    check_closed_unit("p_on", np.asarray(p))
    return (rng.random((T, N_SOURCES)) < p).astype(float)


def generate_observations(s, rng: np.random.Generator, table=None) -> np.ndarray:
    """Sample binary observations given the sources (SPEC §5.1).

    ``s``: (T, 2) of 0/1; ``table``: (No, 4) P(o_i = 1 | s1, s2) in the column order of
    :func:`likelihood_table` (the default). Inputs are conditionally independent given s.
    Returns ``o`` of shape (T, No), 0/1 floats.

    Parameters
    ----------
    s : array_like, shape (T, N_SOURCES)
    rng : numpy.random.Generator
    table : array_like, shape (No, 4), optional

    Returns
    -------
    numpy.ndarray, shape (T, No)

    Examples
    --------
    >>> o = generate_observations(np.ones((3, 2)), np.random.default_rng(0))
    >>> bool(np.all(o == 1))  # both sources ON: every input is ON (first column of the table)
    True
    """
    rng = check_rng(rng)
    s = as_float_array("s", s, ndim=2)
    check_shape("s", s, (None, N_SOURCES))
    check_binary("s", s)
    P = likelihood_table() if table is None else _check_table(table)
    state = (2 * (1 - s[:, 0]) + (1 - s[:, 1])).astype(int)  # index into SOURCE_STATES
    p_on = P[:, state].T  # (T, No)
    return (rng.random(p_on.shape) < p_on).astype(float)


def generate_data(T: int, rng: np.random.Generator, table=None) -> BSSData:
    """A BSS dataset of ``T`` steps: sources then observations (SPEC §5.1). Returns :class:`BSSData`.

    Parameters
    ----------
    T : int
    rng : numpy.random.Generator
    table : array_like, optional

    Returns
    -------
    BSSData

    Examples
    --------
    >>> d = generate_data(400, np.random.default_rng(0))
    >>> d.s.shape, d.o.shape
    ((400, 2), (400, 32))
    """
    s = generate_sources(T, rng)
    return BSSData(s=s, o=generate_observations(s, rng, table))


def new_environment_table(rng: np.random.Generator, n_inputs: int = N_INPUTS) -> np.ndarray:
    """Mixing table of the 'new environment' of SPEC §5.6 item 3.

    For each input, r_i ~ U(0, 1) and P(o_i = 1 | s) = (1, r_i, 1 - r_i, 0) for
    s = (1,1), (1,0), (0,1), (0,0). Returns shape (n_inputs, 4).

    Parameters
    ----------
    rng : numpy.random.Generator
    n_inputs : int, optional

    Returns
    -------
    numpy.ndarray, shape (n_inputs, 4)

    Examples
    --------
    >>> new_environment_table(np.random.default_rng(0)).shape
    (32, 4)
    """
    rng = check_rng(rng)
    n_inputs = check_int("n_inputs", n_inputs, minimum=1)
    r = rng.random(n_inputs)
    return np.stack([np.ones(n_inputs), r, 1.0 - r, np.zeros(n_inputs)], axis=1)


# ---------------------------------------------------------------------------
# Priors and initial concentrations (SPEC §4.5, §5.2, §5.4, §5.6)
# ---------------------------------------------------------------------------
def prior_phi(p1: float, p2: float | None = None) -> np.ndarray:
    """Threshold constants for implicit priors P(s_j = 1) = p_j (SPEC §4.5, §5.5.1).

    ``phi = (phi1; phi0) = (ln p1, ln p2, ln(1-p1), ln(1-p2))`` — the paper's
    ``alpha = ln[[p1, 1-p1], [p2, 1-p2]]`` in stacked order. ``p2`` defaults to ``p1``.
    Returns shape (4,).

    Parameters
    ----------
    p1 : float
    p2 : float, optional

    Returns
    -------
    numpy.ndarray, shape (4,)
        ``(ln p1, ln p2, ln(1 - p1), ln(1 - p2))``.

    Examples
    --------
    >>> np.exp(prior_phi(0.2, 0.6))
    array([0.2, 0.6, 0.8, 0.4])
    """
    p = np.array([p1, p1 if p2 is None else p2], dtype=float)
    p = as_float_array("p", p)
    check_open_unit("p1, p2 (implicit priors)", p)
    return np.concatenate([np.log(p), np.log1p(-p)])


def _counts_from_on(on_on, on_off, total) -> np.ndarray:
    """Assemble stacked counts from the ON-observation blocks; OFF = total - ON (columns sum to ``total``)."""
    return pomdp.from_blocks(on_on, on_off, total - on_on, total - on_off)


def initial_counts(eps: float = 0.01, amplitude: float = 100.0) -> np.ndarray:
    """Initial Dirichlet counts of the MATLAB protocol [M] (SPEC §5.2).

    First-half inputs: a(o=1 | s1 = ON/OFF) = amplitude (1/2 +- eps), source 2 neutral
    (amplitude/2); second half: the bias is on source 2. Every column sums to ``amplitude``.
    Returns ``qa`` of shape (2*No, 2*Ns) = (64, 4).

    Parameters
    ----------
    eps : float, optional
    amplitude : float, optional

    Returns
    -------
    numpy.ndarray, shape (2*N_INPUTS, 2*N_SOURCES)

    Examples
    --------
    >>> qa = initial_counts()
    >>> qa.shape, bool(np.allclose(pomdp.child_totals(qa), 100.0))
    ((64, 4), True)
    """
    eps = float(as_float_array("eps", eps, ndim=0))
    if not 0 <= eps < 0.5:
        raise ValueError(f"eps must lie in [0, 0.5); got {eps}")
    half = N_INPUTS // 2
    on_on = np.full((N_INPUTS, N_SOURCES), 0.5)
    on_off = np.full((N_INPUTS, N_SOURCES), 0.5)
    on_on[:half, 0] += eps
    on_off[:half, 0] -= eps
    on_on[half:, 1] += eps
    on_off[half:, 1] -= eps
    return _counts_from_on(amplitude * on_on, amplitude * on_off, amplitude)


def initial_counts_py(rng: np.random.Generator, eps: float = 0.01) -> np.ndarray:
    """Initial counts of the Python-port protocol [Py] (SPEC §5.2).

    ON-observation row over (s1 ON, s2 ON, s1 OFF, s2 OFF): (1/2 + 2eps, 1/2 + eps, 1/2 - 2eps, 1/2 - eps)
    for the first half, (1/2 + eps, 1/2 + 2eps, 1/2 - eps, 1/2 - 2eps) for the second; OFF row = 1 - ON;
    then each input-source pair gets its own amplitude ~ U(200, 400). Returns (64, 4).

    Parameters
    ----------
    rng : numpy.random.Generator
    eps : float, optional

    Returns
    -------
    numpy.ndarray, shape (2*N_INPUTS, 2*N_SOURCES)

    Examples
    --------
    >>> initial_counts_py(np.random.default_rng(0)).shape
    (64, 4)
    """
    rng = check_rng(rng)
    half = N_INPUTS // 2
    on = np.empty((N_INPUTS, 2 * N_SOURCES))
    on[:half] = (0.5 + 2 * eps, 0.5 + eps, 0.5 - 2 * eps, 0.5 - eps)
    on[half:] = (0.5 + eps, 0.5 + 2 * eps, 0.5 - eps, 0.5 - 2 * eps)
    amp = rng.uniform(200.0, 400.0, size=(N_INPUTS, N_SOURCES))
    amp2 = np.concatenate([amp, amp], axis=1)
    return np.concatenate([on * amp2, (1.0 - on) * amp2], axis=0)


def landscape_counts(d1: float, d2: float, amplitude: float = 100.0) -> np.ndarray:
    """Frozen counts of one cell of the cost landscape (SPEC §5.4).

    First-half inputs: a(o=1 | s1 = ON/OFF) = 100 (1/2 +- d1), a(o=1 | s2 = ON/OFF) = 100 (1/2 +- d2);
    second half swaps d1 and d2. Columns sum to 100. Returns (64, 4).

    Parameters
    ----------
    d1, d2 : float
        Deviations of the two sources' likelihoods from 1/2.
    amplitude : float, optional

    Returns
    -------
    numpy.ndarray, shape (2*N_INPUTS, 2*N_SOURCES)

    Examples
    --------
    >>> np.round(learned_deviations(landscape_counts(0.1, 0.05)), 12)
    array([0.1 , 0.05])
    """
    d = as_float_array("d1, d2", [d1, d2])
    if np.any(np.abs(d) >= 0.5):
        raise ValueError(f"d1 and d2 must lie in (-0.5, 0.5); got {d1}, {d2}")
    half = N_INPUTS // 2
    dev = np.empty((N_INPUTS, N_SOURCES))
    dev[:half] = (d[0], d[1])
    dev[half:] = (d[1], d[0])
    return _counts_from_on(amplitude * (0.5 + dev), amplitude * (0.5 - dev), amplitude)


def prediction_initial_counts(rng: np.random.Generator, eps: float = 0.01, amplitude: float = 100.0) -> np.ndarray:
    """A random initialisation for the prediction experiment (SPEC §5.6 item 3).

    First-half inputs: a(o=1 | s1 = ON/OFF) = 100 (1/2 +- eps u_i), u_i ~ U(1, 5), source 2 neutral;
    second half: the bias is on source 2. Returns (64, 4).

    Parameters
    ----------
    rng : numpy.random.Generator
    eps : float, optional
    amplitude : float, optional

    Returns
    -------
    numpy.ndarray, shape (2*N_INPUTS, 2*N_SOURCES)

    Examples
    --------
    >>> prediction_initial_counts(np.random.default_rng(0)).shape
    (64, 4)
    """
    rng = check_rng(rng)
    half = N_INPUTS // 2
    u = rng.uniform(1.0, 5.0, size=N_INPUTS)
    dev = np.zeros((N_INPUTS, N_SOURCES))
    dev[:half, 0] = eps * u[:half]
    dev[half:, 1] = eps * u[half:]
    return _counts_from_on(amplitude * (0.5 + dev), amplitude * (0.5 - dev), amplitude)


# ---------------------------------------------------------------------------
# Readable per-step reference (SPEC §5.3)
# ---------------------------------------------------------------------------
def _check_expectation(expectation):
    """The expectation of ln A is one of the two of :mod:`fepteach.pomdp` (a named choice, not a mode flag)."""
    if expectation is pomdp.dirichlet_log_mean or expectation is pomdp.dirichlet_expected_log:
        return expectation
    raise ValueError(
        "expectation must be pomdp.dirichlet_log_mean (ln of the mean: the network) or "
        f"pomdp.dirichlet_expected_log (digamma: the textbook expectation); got {expectation!r}"
    )


def _check_step_inputs(qa, o_t, phi, phi_name="phi"):
    qa = pomdp._check_counts("qa", qa)
    if qa.ndim != 2:
        raise ValueError(f"qa must be 2-D (2*No, 2*Ns); got shape {qa.shape}")
    o_t = as_float_array("o_t", o_t, ndim=1)
    check_shape("o_t", o_t, (qa.shape[0] // 2,))
    check_closed_unit("o_t", o_t)
    phi = as_float_array(phi_name, phi, ndim=1)
    check_shape(phi_name, phi, (qa.shape[1],))
    return qa, o_t, phi


def bss_step_unchecked(qa, o_t, phi, expectation):
    """The four lines of one BSS step, without input checks: :func:`bss_step` checks, then calls this.

    Steps 1-4 of :func:`bss_step`: expectations ``lnA`` from the counts, the potentials
    ``v = (o; 1-o)^T lnA + phi``, the posterior ``x = sigma(v_ON - v_OFF)`` (B3) and the Hebbian
    accumulation ``qa + (o; 1-o)(x; 1-x)^T`` (B4) (labels of the course's notes notebook). Loops that
    checked their inputs once (:func:`simulate_bss_reference`) call it every step.

    Parameters
    ----------
    qa : numpy.ndarray, shape (2*No, 2*Ns)
    o_t : numpy.ndarray, shape (No,)
    phi : numpy.ndarray, shape (2*Ns,)
    expectation : callable
        ``pomdp.dirichlet_log_mean`` or ``pomdp.dirichlet_expected_log``.

    Returns
    -------
    x_t : numpy.ndarray, shape (Ns,)
    qa_new : numpy.ndarray, shape (2*No, 2*Ns)

    Examples
    --------
    >>> qa, o, phi = initial_counts(), np.ones(N_INPUTS), prior_phi(0.5)
    >>> x, qa1 = bss_step_unchecked(qa, o, phi, pomdp.dirichlet_log_mean)
    >>> bool(np.array_equal(x, bss_step(qa, o, phi)[0])), float((qa1 - qa).sum())  # one count per (input, source)
    (True, 64.0)
    """
    lnA = expectation(qa)                          # step 1: ln Abar (network) or E[ln A] (digamma)
    o_stacked = maths.stack(o_t)                   # (o; 1-o)
    x_t = maths.binary_posterior(o_stacked @ lnA + phi)   # steps 2-3: posterior = firing rate
    return x_t, qa + np.outer(o_stacked, maths.stack(x_t))  # step 4: Hebbian accumulation


def bss_step(qa, o_t, phi, expectation=pomdp.dirichlet_log_mean):
    """One step of the BSS network: inference, then Hebbian (Dirichlet) learning.

    Labels (N3), (B3)-(B5) refer to the course's notes notebook, lessons/00_notation_and_equations.ipynb.

    1. expectations from the counts: ``lnA = ln Abar`` (:func:`fepteach.pomdp.dirichlet_log_mean`, the
       network) or ``E[ln A]`` with digamma (:func:`fepteach.pomdp.dirichlet_expected_log`), (B5);
    2.-3. ``v = (o; 1-o)^T lnA + phi`` and ``x_j = sigma(v_ON,j - v_OFF,j)``: the posterior (B3),
       which is the network's fixed point (N3);
    4. ``qa + (o; 1-o)(x; 1-x)^T``: Hebbian accumulation of Dirichlet counts (B4).

    Parameters
    ----------
    qa : array_like, shape (2*No, 2*Ns)
        Dirichlet counts (synaptic strengths) before the step.
    o_t : array_like, shape (No,)
        Observation in [0, 1] (binary in the papers).
    phi : array_like, shape (2*Ns,)
        Threshold constants ``(phi1; phi0) = (ln D_ON; ln D_OFF)``.
    expectation : callable, optional
        ``pomdp.dirichlet_log_mean`` (default) or ``pomdp.dirichlet_expected_log``.

    Returns
    -------
    x_t : numpy.ndarray, shape (Ns,)
        Activity = posterior that each source is ON.
    qa_new : numpy.ndarray, shape (2*No, 2*Ns)

    Examples
    --------
    >>> x, qa = bss_step(initial_counts(), np.ones(N_INPUTS), prior_phi(0.5))
    >>> x.shape, qa.shape
    ((2,), (64, 4))
    """
    qa, o_t, phi = _check_step_inputs(qa, o_t, phi)
    return bss_step_unchecked(qa, o_t, phi, _check_expectation(expectation))


def _step_beta(qa, o_t, phi, beta):
    no = qa.shape[0] // 2
    abar_on = maths.clip_probability(pomdp.dirichlet_mean(qa)[:no] + beta)
    lnA = np.log(np.concatenate([abar_on, 1.0 - abar_on], axis=0))
    phi_eff = phi + (np.arctanh(2.0 * abar_on - 1.0) * beta).sum(axis=0)
    o_stacked = maths.stack(o_t)
    x_t = maths.binary_posterior(o_stacked @ lnA + phi_eff)
    return x_t, qa + np.outer(o_stacked, maths.stack(x_t))


def bss_step_beta(qa, o_t, phi, beta):
    """One BSS step with threshold/weight deviations ``beta`` — the *clean* variant of SPEC §5.5.2.

    Clean variant (not the index-inconsistent MATLAB code): ``Abar_ON,b = a_ON,b / n_b + beta_b``
    (clipped to [EPS, 1 - EPS]), ``Abar_OFF,b = 1 - Abar_ON,b``, ``lnA = ln Abar`` consistently, and the
    effective threshold constants ``phi_b + sum_i artanh(2 Abar_ON,b - 1) beta_b`` (P1 §5, Fig. 4).
    With ``beta = 0`` this is :func:`bss_step`.

    Parameters
    ----------
    qa : array_like, shape (2*No, 2*Ns)
    o_t : array_like, shape (No,)
    phi : array_like, shape (2*Ns,)
        Threshold constants of the canonical network (before the deviation).
    beta : array_like, shape (No, 2*Ns)
        Deviation of P(o_i = 1 | s_j = b), stacked column order.

    Returns
    -------
    x_t : numpy.ndarray, shape (Ns,)
    qa_new : numpy.ndarray, shape (2*No, 2*Ns)

    Examples
    --------
    >>> qa, o, phi = initial_counts(), np.ones(N_INPUTS), prior_phi(0.5)
    >>> bool(np.allclose(bss_step_beta(qa, o, phi, np.zeros((N_INPUTS, 4)))[0], bss_step(qa, o, phi)[0]))
    True
    """
    qa, o_t, phi = _check_step_inputs(qa, o_t, phi)
    beta = as_float_array("beta", beta, ndim=2)
    check_shape("beta", beta, (o_t.size, qa.shape[1]))
    return _step_beta(qa, o_t, phi, beta)


@dataclass
class BSSRun:
    """Result of one BSS simulation.

    ``x``: activity (T, Ns); ``qa``: final counts (2*No, 2*Ns); ``abar_bins``: bin means of the
    ON-observation expectations P(o_i = 1 | s_j = b) after each update, shape (T // bin_size, No, 2*Ns)
    (empty when not recorded); ``bin_size``: steps per bin.
    """

    x: np.ndarray
    qa: np.ndarray
    abar_bins: np.ndarray
    bin_size: int

    @property
    def abar(self) -> np.ndarray:
        """Final posterior mean of A (stacked, (2*No, 2*Ns))."""
        return pomdp.dirichlet_mean(self.qa)

    def save(self, path) -> None:
        """Save to ``.npz`` (reload with :meth:`load`)."""
        np.savez_compressed(path, x=self.x, qa=self.qa, abar_bins=self.abar_bins, bin_size=self.bin_size)

    @classmethod
    def load(cls, path) -> "BSSRun":
        with np.load(path) as f:
            return cls(x=f["x"], qa=f["qa"], abar_bins=f["abar_bins"], bin_size=int(f["bin_size"]))


def _check_run_inputs(o, qa0, phi):
    o = as_float_array("o", o, ndim=2)
    check_binary("o", o)
    qa0 = as_float_array("qa0", qa0, ndim=2)
    check_shape("qa0", qa0, (2 * o.shape[1], None))
    if qa0.shape[1] % 2:
        raise ValueError(f"qa0 must have an even number of columns (2*Ns); got shape {qa0.shape}")
    if np.any(qa0 <= 0):
        raise ValueError("qa0 must contain positive Dirichlet counts")
    phi = as_float_array("phi", phi, ndim=1)
    check_shape("phi", phi, (qa0.shape[1],))
    return o, qa0, phi


def _check_bin(bin_size, T):
    bin_size = check_int("bin_size", bin_size, minimum=0)
    if bin_size > T:
        raise ValueError(f"bin_size must be <= T = {T}; got {bin_size}")
    return bin_size


def _bins(bin_size, T, no, c):
    return np.zeros((T // bin_size if bin_size else 0, no, c))


def simulate_bss_reference(o, qa0, phi, expectation=pomdp.dirichlet_log_mean, bin_size: int = 10,
                           progress: bool | None = None) -> BSSRun:
    """Readable per-step BSS simulation: :func:`bss_step` for t = 1..T (SPEC §5.3).

    ``o``: (T, No) binary; ``qa0``: (2*No, 2*Ns) positive counts; ``phi``: (2*Ns,).
    The recorded ``x_t`` uses the counts *before* the step-t update. ``bin_size`` > 0 records
    bin means of P(o_i = 1 | s_j = b) after each update (0: no record). Returns :class:`BSSRun`.

    Parameters
    ----------
    o : array_like, shape (T, No)
    qa0 : array_like, shape (2*No, 2*Ns)
    phi : array_like, shape (2*Ns,)
    expectation : callable, optional
        ``pomdp.dirichlet_log_mean`` (default) or ``pomdp.dirichlet_expected_log``.
    bin_size : int, optional
    progress : bool, optional

    Returns
    -------
    BSSRun

    Examples
    --------
    >>> d = generate_data(400, np.random.default_rng(0))
    >>> run = simulate_bss_reference(d.o, initial_counts(), prior_phi(0.5), bin_size=0, progress=False)
    >>> run.x.shape
    (400, 2)
    """
    o, qa, phi = _check_run_inputs(o, qa0, phi)
    expectation = _check_expectation(expectation)
    T, no = o.shape
    bin_size = _check_bin(bin_size, T)
    ns = qa.shape[1] // 2
    x = np.empty((T, ns))
    bins = _bins(bin_size, T, no, 2 * ns)
    for t in progress_bar(range(T), desc="BSS (reference)", progress=progress):
        x[t], qa = bss_step_unchecked(qa, o[t], phi, expectation)
        if bin_size and t // bin_size < bins.shape[0]:
            bins[t // bin_size] += pomdp.dirichlet_mean(qa)[:no] / bin_size
    return BSSRun(x=x, qa=qa, abar_bins=bins, bin_size=bin_size)


def simulate_bss_beta_reference(o, qa0, phi, beta, bin_size: int = 0) -> BSSRun:
    """Readable per-step BSS simulation with threshold deviations (clean variant, SPEC §5.5.2): :func:`bss_step_beta`.

    ``beta``: (No, 2*Ns). Other arguments as :func:`simulate_bss_reference`.

    Parameters
    ----------
    o : array_like, shape (T, No)
    qa0 : array_like, shape (2*No, 2*Ns)
    phi : array_like, shape (2*Ns,)
    beta : array_like, shape (No, 2*Ns)
    bin_size : int, optional

    Returns
    -------
    BSSRun

    Examples
    --------
    >>> d = generate_data(400, np.random.default_rng(0))
    >>> a = simulate_bss_beta_reference(d.o[:50], initial_counts(), prior_phi(0.5), np.zeros((32, 4)))
    >>> bool(np.allclose(a.x, simulate_bss(d.o[:50], initial_counts(), prior_phi(0.5)).x))
    True
    """
    o, qa, phi = _check_run_inputs(o, qa0, phi)
    T, no = o.shape
    beta = as_float_array("beta", beta, ndim=2)
    check_shape("beta", beta, (no, qa.shape[1]))
    bin_size = _check_bin(bin_size, T)
    x = np.empty((T, qa.shape[1] // 2))
    bins = _bins(bin_size, T, no, qa.shape[1])
    for t in range(T):
        x[t], qa = _step_beta(qa, o[t], phi, beta)
        if bin_size and t // bin_size < bins.shape[0]:
            bins[t // bin_size] += pomdp.dirichlet_mean(qa)[:no] / bin_size
    return BSSRun(x=x, qa=qa, abar_bins=bins, bin_size=bin_size)


# ---------------------------------------------------------------------------
# Fast path (numba), many networks at once
# ---------------------------------------------------------------------------
def _prepare_batch(o, qa0, phi, data_index):
    o = np.asarray(o)
    if o.ndim == 2:
        o = o[None]
    o = as_float_array("o", o, ndim=3)
    check_binary("o", o)
    D, T, no = o.shape
    qa0 = as_float_array("qa0", qa0, ndim=(2, 3))
    phi = as_float_array("phi", phi, ndim=(1, 2))
    K = max(qa0.shape[0] if qa0.ndim == 3 else 1, phi.shape[0] if phi.ndim == 2 else 1)
    if data_index is None:
        K = D if K == 1 else K
        data_index = np.arange(K) if D == K else np.zeros(K, dtype=np.int64)
        if D not in (1, K):
            raise ValueError(f"o has {D} datasets but there are {K} networks; pass data_index (K,) to map them")
    data_index = np.asarray(data_index)
    if data_index.ndim != 1 or not np.issubdtype(data_index.dtype, np.integer):
        raise ValueError(f"data_index must be a 1-D integer array; got {data_index!r}")
    K = max(K, data_index.size)
    qa0 = np.ascontiguousarray(np.broadcast_to(qa0, (K,) + qa0.shape[-2:]) if qa0.ndim == 2 else qa0)
    phi = np.ascontiguousarray(np.broadcast_to(phi, (K, phi.shape[-1])) if phi.ndim == 1 else phi)
    if qa0.shape[0] != K or phi.shape[0] != K or data_index.size != K:
        raise ValueError(f"qa0, phi and data_index must describe the same number of networks; got "
                         f"{qa0.shape[0]}, {phi.shape[0]}, {data_index.size}")
    check_shape("qa0", qa0, (K, 2 * no, None))
    if qa0.shape[2] % 2:
        raise ValueError(f"qa0 must have an even number of columns (2*Ns); got shape {qa0.shape}")
    if np.any(qa0 <= 0):
        raise ValueError("qa0 must contain positive Dirichlet counts")
    check_shape("phi", phi, (K, qa0.shape[2]))
    if np.any((data_index < 0) | (data_index >= D)):
        raise ValueError(f"data_index entries must lie in [0, {D}); got {data_index.min()}..{data_index.max()}")
    return o.astype(np.uint8), data_index.astype(np.int64), qa0.copy(), phi.copy()


def simulate_many(o, qa0, phi, data_index=None, bin_size: int = 0):
    """Run K BSS networks with the compiled kernel (SPEC §5.3, ln of the mean), vectorised over settings.

    ``o``: (D, T, No) binary datasets (or (T, No) for one shared dataset); ``qa0``: (K, 2*No, 2*Ns) or one
    (2*No, 2*Ns) for all; ``phi``: (K, 2*Ns) or (2*Ns,); ``data_index``: (K,) dataset of each network
    (default: network k sees dataset k, or dataset 0 if D = 1).
    Returns ``(x (K, T, Ns), qa (K, 2*No, 2*Ns), abar_bins (K, T // bin_size, No, 2*Ns))``.
    Same arithmetic as :func:`bss_step` (default expectation), one network after another.

    Parameters
    ----------
    o : array_like, shape (T, No) or (D, T, No)
    qa0 : array_like, shape (2*No, 2*Ns) or (K, 2*No, 2*Ns)
    phi : array_like, shape (2*Ns,) or (K, 2*Ns)
    data_index : array_like of int, shape (K,), optional
    bin_size : int, optional

    Returns
    -------
    x : numpy.ndarray, shape (K, T, Ns)
    qa : numpy.ndarray, shape (K, 2*No, 2*Ns)
    bins : numpy.ndarray, shape (K, T // bin_size, No, 2*Ns)

    Examples
    --------
    >>> d = generate_data(400, np.random.default_rng(0))
    >>> x, qa, bins = simulate_many(d.o, initial_counts(), np.stack([prior_phi(0.5), prior_phi(0.9)]))
    >>> x.shape, qa.shape
    ((2, 400, 2), (2, 64, 4))
    """
    from fepteach import _bss_kernels as kern

    obs, idx, qa0, phi = _prepare_batch(o, qa0, phi, data_index)
    K, T, no, C = qa0.shape[0], obs.shape[1], obs.shape[2], qa0.shape[2]
    bin_size = _check_bin(bin_size, T)
    x = np.empty((K, T, C // 2))
    qa = np.empty_like(qa0)
    bins = np.zeros((K, T // bin_size if bin_size else 0, no, C))
    kern.run_networks(obs, idx, qa0, phi, x, qa, bins, bin_size)
    return x, qa, bins


def simulate_many_beta(o, qa0, phi, beta, data_index=None, bin_size: int = 0):
    """As :func:`simulate_many` with deviations ``beta`` (K, No, 2*Ns) — clean variant of SPEC §5.5.2 (:func:`bss_step_beta`).

    Parameters
    ----------
    o : array_like, shape (T, No) or (D, T, No)
    qa0 : array_like
    phi : array_like, shape (2*Ns,) or (K, 2*Ns)
    beta : array_like, shape (No, 2*Ns) or (K, No, 2*Ns)
    data_index : array_like of int, optional
    bin_size : int, optional

    Returns
    -------
    x, qa, bins : numpy.ndarray
        As :func:`simulate_many`.

    Examples
    --------
    >>> d = generate_data(400, np.random.default_rng(0))
    >>> x, _, _ = simulate_many_beta(d.o, initial_counts(), prior_phi(0.5), np.zeros((3, 32, 4)))
    >>> x.shape
    (3, 400, 2)
    """
    from fepteach import _bss_kernels as kern

    beta = as_float_array("beta", beta, ndim=(2, 3))
    if beta.ndim == 3:
        phi = as_float_array("phi", phi, ndim=(1, 2))
        phi = np.broadcast_to(phi, (beta.shape[0], phi.shape[-1])) if phi.ndim == 1 else phi
    obs, idx, qa0, phi = _prepare_batch(o, qa0, phi, data_index)
    K, T, no, C = qa0.shape[0], obs.shape[1], obs.shape[2], qa0.shape[2]
    if beta.ndim == 2:
        check_shape("beta", beta, (no, C))
        beta = np.broadcast_to(beta, (K, no, C))
    check_shape("beta", beta, (K, no, C))
    beta = np.ascontiguousarray(beta)
    bin_size = _check_bin(bin_size, T)
    x = np.empty((K, T, C // 2))
    qa = np.empty_like(qa0)
    bins = np.zeros((K, T // bin_size if bin_size else 0, no, C))
    kern.run_networks_beta(obs, idx, qa0, phi, beta, x, qa, bins, bin_size)
    return x, qa, bins


def simulate_bss(o, qa0, phi, bin_size: int = 10) -> BSSRun:
    """Fast BSS simulation of one network (numba; same result as :func:`simulate_bss_reference` with the default expectation).

    ``o``: (T, No) binary; ``qa0``: (2*No, 2*Ns); ``phi``: (2*Ns,). Returns :class:`BSSRun`.

    Parameters
    ----------
    o : array_like, shape (T, No)
    qa0 : array_like, shape (2*No, 2*Ns)
    phi : array_like, shape (2*Ns,)
    bin_size : int, optional

    Returns
    -------
    BSSRun

    Examples
    --------
    >>> d = generate_data(400, np.random.default_rng(0))
    >>> run = simulate_bss(d.o, initial_counts(), prior_phi(0.5))
    >>> run.x.shape, run.abar_bins.shape
    ((400, 2), (40, 32, 4))
    """
    o, qa0, phi = _check_run_inputs(o, qa0, phi)
    x, qa, bins = simulate_many(o, qa0, phi, bin_size=bin_size)
    return BSSRun(x=x[0], qa=qa[0], abar_bins=bins[0], bin_size=bin_size)


def simulate_batch_numpy(o, qa0, phi, expectation=pomdp.dirichlet_log_mean, progress: bool | None = None):
    """K networks stepped side by side with numpy (either expectation of ln A; used for the digamma variant).

    Same equations as :func:`bss_step`, with a leading network axis: ``o`` (K, T, No), ``qa0`` (K, 2*No, 2*Ns),
    ``phi`` (K, 2*Ns). Returns ``(x (K, T, Ns), qa (K, 2*No, 2*Ns))``.

    Parameters
    ----------
    o : array_like, shape (K, T, No)
    qa0 : array_like, shape (K, 2*No, 2*Ns)
    phi : array_like, shape (K, 2*Ns)
    expectation : callable, optional
    progress : bool, optional

    Returns
    -------
    x : numpy.ndarray, shape (K, T, Ns)
    qa : numpy.ndarray, shape (K, 2*No, 2*Ns)

    Examples
    --------
    >>> d = generate_data(400, np.random.default_rng(0))
    >>> x, qa = simulate_batch_numpy(d.o[None, :50], initial_counts()[None], prior_phi(0.5)[None], progress=False)
    >>> bool(np.allclose(x[0], simulate_bss(d.o[:50], initial_counts(), prior_phi(0.5)).x))
    True
    """
    o = as_float_array("o", o, ndim=3)
    check_binary("o", o)
    qa = as_float_array("qa0", qa0, ndim=3).copy()
    phi = as_float_array("phi", phi, ndim=2)
    K, T, no = o.shape
    check_shape("qa0", qa, (K, 2 * no, None))
    check_shape("phi", phi, (K, qa.shape[2]))
    expected_log = _check_expectation(expectation)
    ns = qa.shape[2] // 2
    o_stacked = np.concatenate([o, 1.0 - o], axis=2)
    x = np.empty((K, T, ns))
    for t in progress_bar(range(T), desc="BSS (numpy batch)", progress=progress):
        lnA = expected_log(qa)
        v = np.einsum("ki,kic->kc", o_stacked[:, t], lnA) + phi
        x[:, t] = maths.binary_posterior(v)
        qa += o_stacked[:, t, :, None] * np.concatenate([x[:, t], 1.0 - x[:, t]], axis=1)[:, None, :]
    return x, qa


# ---------------------------------------------------------------------------
# Analyses (SPEC §5.4)
# ---------------------------------------------------------------------------
def _check_sx(s, x):
    s = as_float_array("s", s, ndim=2)
    x = as_float_array("x", x, ndim=2)
    if s.shape[0] != x.shape[0]:
        raise ValueError(f"s and x must have the same number of time steps; got {s.shape[0]} and {x.shape[0]}")
    return s, x


def separation_correlation(s, x) -> np.ndarray:
    """Pearson correlations corr(s_j, x_k) over the second half t in [T/2, T] (SPEC §5.4, MATLAB 5000..10000).

    ``s``: (T, Ns) sources; ``x``: (T, Nx) activity. Returns (Ns, Nx); the diagonal holds the
    matched correlations, the off-diagonal the cross terms.

    Parameters
    ----------
    s : array_like, shape (T, Ns)
    x : array_like, shape (T, Nx)

    Returns
    -------
    numpy.ndarray, shape (Ns, Nx)

    Examples
    --------
    >>> s = np.array([[0.0], [1.0], [0.0], [1.0]])
    >>> separation_correlation(s, 0.2 + 0.5 * s)
    array([[1.]])
    """
    s, x = _check_sx(s, x)
    T = s.shape[0]
    a = s[T // 2 - 1:] if T >= 2 else s
    b = x[T // 2 - 1:] if T >= 2 else x
    a = a - a.mean(axis=0)
    b = b - b.mean(axis=0)
    denom = np.sqrt((a ** 2).sum(axis=0))[:, None] * np.sqrt((b ** 2).sum(axis=0))[None, :]
    with np.errstate(invalid="ignore", divide="ignore"):
        r = (a.T @ b) / denom
    return np.where(denom > 0, r, 0.0)


def smoothed_response(x_j, s_j, n_basis: int = 5) -> np.ndarray:
    """Smoothed response trajectories of one neuron for s_j = 1 and s_j = 0 (SPEC §5.4).

    Fits ``x_t - 1/2 ~ sum_k beta_k sin(omega_k t)``, ``omega_k = (k - 1/2) pi / T``, t = 1..T, by least
    squares over the steps where ``s_j`` equals the condition, and evaluates ``1/2 + sum_k beta_k sin(omega_k t)``
    at every t. ``x_j``, ``s_j``: (T,). Returns (2, T): row 0 for s_j = 1, row 1 for s_j = 0.

    Parameters
    ----------
    x_j, s_j : array_like, shape (T,)
    n_basis : int, optional

    Returns
    -------
    numpy.ndarray, shape (2, T)

    Examples
    --------
    >>> s = np.tile([0.0, 1.0], 50)
    >>> smoothed_response(0.5 + 0.0 * s, s).shape
    (2, 100)
    """
    x_j = as_float_array("x_j", x_j, ndim=1)
    s_j = as_float_array("s_j", s_j, ndim=1)
    check_shape("s_j", s_j, x_j.shape)
    check_binary("s_j", s_j)
    n_basis = check_int("n_basis", n_basis, minimum=1)
    T = x_j.size
    t = np.arange(1, T + 1)
    omega = (np.arange(1, n_basis + 1) - 0.5) * np.pi / T
    basis = np.sin(np.outer(t, omega))  # (T, n_basis)
    out = np.full((2, T), 0.5)
    for row, cond in enumerate((1.0, 0.0)):
        m = s_j == cond
        if m.sum() >= n_basis:
            coef, *_ = np.linalg.lstsq(basis[m], x_j[m] - 0.5, rcond=None)
            out[row] = 0.5 + basis @ coef
    return out


def windowed_slope(x_j, s_j, window: int = 100) -> np.ndarray:
    """Regression slope of x_j on s_j in consecutive windows (SPEC §5.4): corr * sd(x) / sd(s).

    ``x_j``, ``s_j``: (T,). Returns (T // window,); NaN where s_j is constant in a window.

    Parameters
    ----------
    x_j, s_j : array_like, shape (T,)
    window : int, optional

    Returns
    -------
    numpy.ndarray

    Examples
    --------
    >>> s = np.tile([0.0, 1.0], 100)
    >>> float(np.round(windowed_slope(0.2 + 0.6 * s, s, window=50)[0], 6))  # x rises by 0.6 when s turns ON
    0.6
    """
    x_j = as_float_array("x_j", x_j, ndim=1)
    s_j = as_float_array("s_j", s_j, ndim=1)
    check_shape("s_j", s_j, x_j.shape)
    window = check_int("window", window, minimum=2)
    n = x_j.size // window
    xs = x_j[: n * window].reshape(n, window)
    ss = s_j[: n * window].reshape(n, window)
    xc = xs - xs.mean(axis=1, keepdims=True)
    sc = ss - ss.mean(axis=1, keepdims=True)
    var = (sc ** 2).sum(axis=1)
    out = np.full(n, np.nan)
    ok = var > 0
    out[ok] = (xc * sc).sum(axis=1)[ok] / var[ok]
    return out


def synaptic_trajectories(abar_bins) -> np.ndarray:
    """Learning curves of the synapses (SPEC §5.4): P(o=1 | s1 = ON) averaged over the first-half inputs and
    P(o=1 | s2 = ON) averaged over the second-half inputs, per bin (both should approach 7/8).

    ``abar_bins``: (n_bins, No, 2*Ns) from :class:`BSSRun`. Returns (n_bins, 2).

    Parameters
    ----------
    abar_bins : array_like, shape (n_bins, No, 2*Ns)

    Returns
    -------
    numpy.ndarray

    Examples
    --------
    >>> synaptic_trajectories(np.full((3, 32, 4), 0.5)).shape[0]
    3
    """
    a = as_float_array("abar_bins", abar_bins, ndim=3)
    no = a.shape[1]
    half = no // 2
    return np.stack([a[:, :half, 0].mean(axis=1), a[:, half:, 1].mean(axis=1)], axis=1)


def cost_frozen(o, qa, phi) -> float:
    """Cost L of a network with frozen parameters on data ``o`` (SPEC §5.4; first sum of eq. 3.2).

    ``L = sum_t sum_j sum_b s_tj,b (ln(s_tj,b + 1e-24) - v_tj,b)`` with ``v = (o; 1-o)^T ln Abar + phi`` and
    ``s = sigma(v_ON - v_OFF)`` (no learning). ``o`` (T, No); ``qa`` (2*No, 2*Ns); ``phi`` (2*Ns,).

    Parameters
    ----------
    o : array_like, shape (T, No)
    qa : array_like, shape (2*No, 2*Ns)
    phi : array_like, shape (2*Ns,)

    Returns
    -------
    float

    Examples
    --------
    >>> d = generate_data(400, np.random.default_rng(0))
    >>> bool(cost_frozen(d.o, landscape_counts(0.2, 0.0), prior_phi(0.5)) < cost_frozen(d.o, landscape_counts(0.0, 0.0), prior_phi(0.5)))
    True
    """
    o, qa, phi = _check_run_inputs(o, qa, phi)
    return float(_cost_many(o, pomdp.dirichlet_log_mean(qa)[None], phi)[0])


def _cost_many(o, lnA, phi, weights=None) -> np.ndarray:
    """Frozen-parameter costs for a stack ``lnA`` (K, 2*No, 2*Ns); shared data ``o`` (T, No) and ``phi`` (2*Ns,).

    With ``weights`` (T,), row t of ``o`` counts ``weights[t]`` times (rows standing for groups of equal steps).
    """
    K, _, C = lnA.shape
    o_stacked = np.concatenate([o, 1.0 - o], axis=1)
    v = (o_stacked @ lnA.transpose(1, 0, 2).reshape(lnA.shape[1], K * C)).reshape(-1, K, C) + phi
    s_on = maths.binary_posterior(v)
    s = np.concatenate([s_on, 1.0 - s_on], axis=-1)
    terms = s * (np.log(s + 1e-24) - v)
    if weights is not None:
        terms = terms * weights[:, None, None]
    return terms.sum(axis=(0, 2))


def _half_counts(o):
    """The steps of ``o`` (T, No) grouped by how many inputs of each half are ON: representative rows and counts.

    Under :func:`landscape_counts` every input of a half has the same synapses, so a step's frozen cost
    depends only on these two numbers: at most (No/2 + 1)^2 groups instead of T steps.
    """
    half = o.shape[1] // 2
    n1, n2 = o[:, :half].sum(axis=1).astype(np.int64), o[:, half:].sum(axis=1).astype(np.int64)
    pairs, counts = np.unique(np.stack([n1, n2], axis=1), axis=0, return_counts=True)
    ones = np.arange(half)
    rows = np.concatenate([ones[None, :] < pairs[:, :1], ones[None, :] < pairs[:, 1:]], axis=1).astype(float)
    return rows, counts.astype(float)


def cost_landscape(o, d_values=None, phi=None) -> np.ndarray:
    """The 25 x 25 cost landscape of SPEC §5.4 with frozen parameters.

    Cell (ii, jj) uses :func:`landscape_counts` with ``d1 = d_values[ii]``, ``d2 = d_values[jj]``
    (default ``0.02 * (0..24)``, i.e. 0 ... 0.48) and the cost :func:`cost_frozen` on the same data ``o`` (T, No)
    with ``phi`` (default ln 1/2 for both values). Vectorised over the cells of each row; since every input
    of a half has the same synapses here, the steps are grouped by how many inputs of each half are ON
    (the same sum, in another order: equal to :func:`cost_frozen` up to rounding).
    Returns L of shape (len(d_values), len(d_values)); exactly symmetric in theory (oracle O24).

    Parameters
    ----------
    o : array_like, shape (T, No)
    d_values : array_like, shape (n,), optional
    phi : array_like, shape (2*Ns,), optional

    Returns
    -------
    numpy.ndarray, shape (n, n)

    Examples
    --------
    >>> d = generate_data(400, np.random.default_rng(0))
    >>> cost_landscape(d.o, d_values=[0.0, 0.1, 0.2]).shape
    (3, 3)
    """
    o = as_float_array("o", o, ndim=2)
    check_binary("o", o)
    check_shape("o", o, (None, N_INPUTS))
    d = 0.02 * np.arange(25) if d_values is None else as_float_array("d_values", d_values, ndim=1)
    phi = prior_phi(0.5) if phi is None else as_float_array("phi", phi, ndim=1)
    check_shape("phi", phi, (2 * N_SOURCES,))
    rows, counts = _half_counts(o)
    L = np.empty((d.size, d.size))
    for ii in range(d.size):
        lnA = np.stack([pomdp.dirichlet_log_mean(landscape_counts(d[ii], d2)) for d2 in d])
        L[ii] = _cost_many(rows, lnA, phi, weights=counts)
    return L


def learned_deviations(qa) -> tuple[float, float]:
    """Where a network's counts sit in the (d1, d2) plane of the cost landscape (SPEC §5.4).

    ``d1`` = half the mean over first-half inputs of P(o=1|s1=ON) - P(o=1|s1=OFF) (with the second-half
    inputs' P(o=1|s2=.) averaged in); ``d2`` likewise for the weakly connected source. ``qa``: (2*No, 2*Ns).
    Returns (d1, d2).

    Parameters
    ----------
    qa : array_like, shape (2*No, 2*Ns)

    Returns
    -------
    (float, float)

    Examples
    --------
    >>> learned_deviations(landscape_counts(0.0, 0.0))
    (0.0, 0.0)
    """
    abar = pomdp.dirichlet_mean(qa)
    b = pomdp.blocks(abar)
    diff = (b.on_on - b.on_off) / 2  # (No, Ns)
    half = diff.shape[0] // 2
    d1 = 0.5 * (diff[:half, 0].mean() + diff[half:, 1].mean())
    d2 = 0.5 * (diff[:half, 1].mean() + diff[half:, 0].mean())
    return float(d1), float(d2)


# ---------------------------------------------------------------------------
# Prior (alpha) and threshold-deviation (beta) sweeps (SPEC §5.5)
# ---------------------------------------------------------------------------
def alpha_sweep(data: BSSData, p_values=None, qa0=None) -> np.ndarray:
    """Separation quality versus the implicit prior p (SPEC §5.5.1): same data and initial counts for every p.

    ``p_values`` default ``0.05 * (1..19)``; ``phi = ln[[p, 1-p], [p, 1-p]]``; ``qa0`` default :func:`initial_counts`.
    Returns correlations of shape (len(p_values), Ns, Nx) (see :func:`separation_correlation`).

    Parameters
    ----------
    data : BSSData
    p_values : array_like, optional
    qa0 : array_like, optional

    Returns
    -------
    numpy.ndarray, shape (len(p_values), Ns, Nx)

    Examples
    --------
    >>> d = generate_data(400, np.random.default_rng(0))
    >>> alpha_sweep(d, p_values=[0.3, 0.5]).shape
    (2, 2, 2)
    """
    p = 0.05 * np.arange(1, 20) if p_values is None else as_float_array("p_values", p_values, ndim=1)
    qa0 = initial_counts() if qa0 is None else qa0
    phi = np.stack([prior_phi(pk) for pk in p])
    x, _, _ = simulate_many(data.o, qa0, phi)
    return np.stack([separation_correlation(data.s, xk) for xk in x])


def beta_sweep(data: BSSData, rng: np.random.Generator, beta_scales=None, qa0=None, phi=None):
    """Separation quality versus the size of deviations from the canonical form (SPEC §5.5.2, clean variant).

    For each scale, ``beta ~ N(0, scale^2)`` of shape (No, 2*Ns) is drawn afresh (from ``rng``); the network runs
    :func:`bss_step_beta` on the same data. ``beta_scales`` default ``0.005 * (0..16)``; ``phi`` default ln 1/2.
    Returns ``(correlations (S, Ns, Nx), betas (S, No, 2*Ns))``.

    Parameters
    ----------
    data : BSSData
    rng : numpy.random.Generator
    beta_scales : array_like, optional
    qa0 : array_like, optional
    phi : array_like, shape (2*Ns,), optional

    Returns
    -------
    correlations : numpy.ndarray, shape (S, Ns, Nx)
    betas : numpy.ndarray, shape (S, No, 2*Ns)

    Examples
    --------
    >>> d = generate_data(400, np.random.default_rng(0))
    >>> c, b = beta_sweep(d, np.random.default_rng(1), beta_scales=[0.0, 0.04])
    >>> c.shape, b.shape
    ((2, 2, 2), (2, 32, 4))
    """
    rng = check_rng(rng)
    scales = 0.005 * np.arange(17) if beta_scales is None else as_float_array("beta_scales", beta_scales, ndim=1)
    if np.any(scales < 0):
        raise ValueError("beta_scales must be >= 0")
    qa0 = initial_counts() if qa0 is None else qa0
    phi = prior_phi(0.5) if phi is None else phi
    no, C = N_INPUTS, 2 * N_SOURCES
    betas = np.stack([sc * rng.standard_normal((no, C)) for sc in scales])
    x, _, _ = simulate_many_beta(data.o, qa0, phi, betas)
    return np.stack([separation_correlation(data.s, xk) for xk in x]), betas


# ---------------------------------------------------------------------------
# Figure-4-type analyses (SPEC §5.6)
# ---------------------------------------------------------------------------
def prior_grid(rng: np.random.Generator, p_values=None, T: int = T_PAPER, progress: bool | None = None) -> np.ndarray:
    """Mean activity versus the implicit priors (p1, p2), fresh data per cell (SPEC §5.6 item 1).

    ``p_values`` default ``0.15 + 0.05 * (1..13)`` (0.20 ... 0.80); ``phi = ln[[p1, 1-p1], [p2, 1-p2]]``.
    Returns ``mean_x`` of shape (P, P, 2): ``mean_x[h1, h2, j]`` = <x_j> over all T steps with p1 = p[h1], p2 = p[h2].

    Parameters
    ----------
    rng : numpy.random.Generator
    p_values : array_like, optional
    T : int, optional
    progress : bool, optional

    Returns
    -------
    numpy.ndarray

    Examples
    --------
    >>> prior_grid(np.random.default_rng(0), p_values=[0.3, 0.7], T=200, progress=False).shape[:2]
    (2, 2)
    """
    rng = check_rng(rng)
    p = 0.15 + 0.05 * np.arange(1, 14) if p_values is None else as_float_array("p_values", p_values, ndim=1)
    T = check_int("T", T, minimum=2)
    out = np.empty((p.size, p.size, N_SOURCES))
    qa0 = initial_counts()
    for h1 in progress_bar(range(p.size), desc="prior grid", progress=progress):
        o = np.stack([generate_data(T, rng).o for _ in p])
        phi = np.stack([prior_phi(p[h1], p2) for p2 in p])
        x, _, _ = simulate_many(o, qa0, phi)
        out[h1] = x.mean(axis=1)
    return out


@dataclass
class PredictionResult:
    """Outcome of :func:`prediction_experiment` (SPEC §5.6 item 3).

    ``true_bins``, ``pred_bins``: (n_bins, No, 2*Ns) bin means of P(o_i = 1 | s_j = b) of the true and of the
    predicting network; ``true_final``, ``pred_final``: (No, 2*Ns) final values; ``table``: the new environment.
    """

    true_bins: np.ndarray
    pred_bins: np.ndarray
    true_final: np.ndarray
    pred_final: np.ndarray
    table: np.ndarray

    @property
    def correlation(self) -> float:
        """Pearson correlation of the final ON-observation entries (128 values)."""
        return float(np.corrcoef(self.true_final.ravel(), self.pred_final.ravel())[0, 1])

    @property
    def max_abs_difference(self) -> float:
        return float(np.abs(self.true_final - self.pred_final).max())


def prediction_experiment(phi_hat, rng: np.random.Generator, T: int = T_PAPER, phi_true=None,
                          bin_size: int = 10) -> PredictionResult:
    """Predict the synaptic trajectory of a network in a new environment (SPEC §5.6 item 3).

    Draws a new environment (:func:`new_environment_table`) and data, and two independent initialisations
    (:func:`prediction_initial_counts`). The "true" network (``phi_true``, default ln 1/2, init 1) and the
    "predicting" network (the estimated ``phi_hat`` (2*Ns,), init 2) learn from the same data.
    Returns :class:`PredictionResult`.

    Parameters
    ----------
    phi_hat : array_like, shape (2*Ns,)
    rng : numpy.random.Generator
    T : int, optional
    phi_true : array_like, shape (2*Ns,), optional
    bin_size : int, optional

    Returns
    -------
    PredictionResult

    Examples
    --------
    >>> res = prediction_experiment(prior_phi(0.5), np.random.default_rng(0), T=200)
    >>> type(res).__name__
    'PredictionResult'
    """
    rng = check_rng(rng)
    phi_hat = as_float_array("phi_hat", phi_hat, ndim=1)
    check_shape("phi_hat", phi_hat, (2 * N_SOURCES,))
    phi_true = prior_phi(0.5) if phi_true is None else as_float_array("phi_true", phi_true, ndim=1)
    table = new_environment_table(rng)
    data = generate_data(T, rng, table)
    qa0 = np.stack([prediction_initial_counts(rng), prediction_initial_counts(rng)])
    _, qa, bins = simulate_many(data.o, qa0, np.stack([phi_true, phi_hat]), bin_size=bin_size)
    no = N_INPUTS
    fin = [pomdp.dirichlet_mean(q)[:no] for q in qa]
    return PredictionResult(true_bins=bins[0], pred_bins=bins[1], true_final=fin[0], pred_final=fin[1], table=table)


# ---------------------------------------------------------------------------
# The Python-port protocol: learning over sessions (SPEC §5.7)
# ---------------------------------------------------------------------------
@dataclass
class SessionsResult:
    """Outcome of :func:`sessions_experiment` (SPEC §5.7).

    ``change``: (n_samples, n_sessions, 2) change in the conditional posterior of neuron 1, column 0 for steps with
    s1 = 1 and column 1 for s1 = 0 (session-1 values subtracted, then the mean of the two conditions);
    ``correlation``: (n_samples,) corr(s1, x1) over the second half of each sample.
    """

    change: np.ndarray
    correlation: np.ndarray


def sessions_experiment(rng: np.random.Generator, n_samples: int = 20, n_sessions: int = 100,
                        session_length: int = 256, expectation=pomdp.dirichlet_expected_log,
                        progress: bool | None = None) -> SessionsResult:
    """The [Py] BSS example: learning shown over sessions (SPEC §5.7).

    Per sample: fresh data (SPEC §5.1), [Py] initial counts (:func:`initial_counts_py`), D = (1/2, 1/2),
    online inference + learning for ``n_sessions * session_length`` steps with ``expectation`` (default the digamma one, as [Py]).
    Samples run side by side (:func:`simulate_batch_numpy`). Returns :class:`SessionsResult`.

    Parameters
    ----------
    rng : numpy.random.Generator
    n_samples, n_sessions, session_length : int, optional
    expectation : callable, optional
    progress : bool, optional

    Returns
    -------
    SessionsResult

    Examples
    --------
    >>> res = sessions_experiment(np.random.default_rng(0), n_samples=2, n_sessions=3, session_length=16, progress=False)
    >>> res.change.shape, res.correlation.shape
    ((2, 3, 2), (2,))
    """
    rng = check_rng(rng)
    n_samples = check_int("n_samples", n_samples, minimum=1)
    n_sessions = check_int("n_sessions", n_sessions, minimum=1)
    session_length = check_int("session_length", session_length, minimum=2)
    T = n_sessions * session_length
    datas = [generate_data(T, rng) for _ in range(n_samples)]
    qa0 = np.stack([initial_counts_py(rng) for _ in range(n_samples)])
    o = np.stack([d.o for d in datas])
    s = np.stack([d.s for d in datas])
    phi = np.broadcast_to(prior_phi(0.5), (n_samples, 2 * N_SOURCES))
    x, _ = simulate_batch_numpy(o, qa0, phi, expectation=expectation, progress=progress)
    x1 = x[:, :, 0].reshape(n_samples, n_sessions, session_length)
    s1 = s[:, :, 0].reshape(n_samples, n_sessions, session_length)
    with np.errstate(invalid="ignore", divide="ignore"):
        m_on = (x1 * s1).sum(axis=2) / s1.sum(axis=2)
        m_off = (x1 * (1 - s1)).sum(axis=2) / (1 - s1).sum(axis=2)
    d = np.stack([m_on - m_on[:, :1], m_off - m_off[:, :1]], axis=2)
    change = d - d.mean(axis=2, keepdims=True)
    corr = np.array([separation_correlation(s[k], x[k])[0, 0] for k in range(n_samples)])
    return SessionsResult(change=change, correlation=corr)


def condition_running_mean(x_j, s_j, window: int = 250, edges=None) -> np.ndarray:
    """Mean response of one neuron under s_j = 1 and under s_j = 0, in consecutive windows of steps.

    Unlike :func:`smoothed_response` (a least-squares sine fit, which can overshoot), every value is an average of
    responses, so the curves stay inside the range of ``x_j`` (here [0, 1]). Windows have ``window`` steps each, or,
    if ``edges`` is given (increasing 0-based step indices from 0 to T), run from ``edges[k]`` to ``edges[k+1]`` (use
    geometric edges for a logarithmic time axis). The window means are placed at the mean step t (1-based) of the
    condition inside the window and linearly interpolated in between; outside the first and last window centre the
    curve is NaN (not drawn); a window without steps of a condition is skipped.

    Parameters
    ----------
    x_j : array_like, shape (T,)
        Activity of neuron j.
    s_j : array_like, shape (T,)
        Binary source j (the condition).
    window : int, optional
        Steps per window when ``edges`` is not given.
    edges : array_like of int, optional
        Window edges, strictly increasing from 0 to T.

    Returns
    -------
    numpy.ndarray, shape (2, T)
        Row 0 for s_j = 1, row 1 for s_j = 0 (all NaN if a condition never occurs).

    Examples
    --------
    >>> s = np.array([1, 0] * 50, dtype=float)
    >>> curves = condition_running_mean(0.8 * s + 0.1, s, window=20)
    >>> bool(np.nanmax(curves[0]) <= 0.9 and np.nanmin(curves[1]) >= 0.1)
    True
    """
    x_j = as_float_array("x_j", x_j, ndim=1)
    s_j = as_float_array("s_j", s_j, ndim=1)
    check_shape("s_j", s_j, x_j.shape)
    check_binary("s_j", s_j)
    T = x_j.size
    if edges is None:
        window = check_int("window", window, minimum=1)
        edges = np.append(np.arange(0, T, window), T)
    else:
        edges = np.asarray(edges, dtype=int)
        if edges.ndim != 1 or edges.size < 2 or edges[0] != 0 or edges[-1] != T or np.any(np.diff(edges) <= 0):
            raise ValueError(f"edges must increase strictly from 0 to T = {T}; got {edges!r}")
    t = np.arange(1, T + 1)
    out = np.full((2, T), np.nan)
    for row, cond in enumerate((1.0, 0.0)):
        centres, means = [], []
        for a, b in zip(edges[:-1], edges[1:]):
            m = s_j[a:b] == cond
            if m.any():
                centres.append(t[a:b][m].mean())
                means.append(x_j[a:b][m].mean())
        if means:
            inside = (t >= centres[0]) & (t <= centres[-1])
            out[row, inside] = np.interp(t[inside], centres, means)
    return out


def prior_sweep_over_datasets(rng: np.random.Generator, p_values=None, n_datasets: int = 6,
                              T: int = T_PAPER) -> np.ndarray:
    """Mean activity against the implicit prior p (both neurons p1 = p2 = p), repeated over fresh datasets.

    For each of ``n_datasets`` datasets (drawn from ``rng``), every prior in ``p_values`` (default 0.20 ... 0.80 in
    steps of 0.05) runs on the *same* data with the same initial synapses (:func:`initial_counts`), so within a
    dataset only the prior changes (the prior enters as the threshold constants, (B7) of the notes).

    Parameters
    ----------
    rng : numpy.random.Generator
        Draws the datasets.
    p_values : array_like, optional
        Priors P(s_j = 1) to sweep.
    n_datasets : int, optional
        Number of fresh datasets.
    T : int, optional
        Steps per dataset.

    Returns
    -------
    numpy.ndarray, shape (n_datasets, P, 2)
        ``<x_j>`` over all T steps, per dataset, prior and neuron.

    Examples
    --------
    >>> m = prior_sweep_over_datasets(np.random.default_rng(0), p_values=[0.3, 0.7], n_datasets=2, T=200)
    >>> m.shape
    (2, 2, 2)
    """
    rng = check_rng(rng)
    p = 0.15 + 0.05 * np.arange(1, 14) if p_values is None else as_float_array("p_values", p_values, ndim=1)
    n_datasets = check_int("n_datasets", n_datasets, minimum=1)
    T = check_int("T", T, minimum=2)
    o = np.stack([generate_data(T, rng).o for _ in range(n_datasets)])
    phi = np.tile(np.stack([prior_phi(pk) for pk in p]), (n_datasets, 1))
    data_index = np.repeat(np.arange(n_datasets), p.size)
    x, _, _ = simulate_many(o, initial_counts(), phi, data_index=data_index)
    return x.mean(axis=1).reshape(n_datasets, p.size, N_SOURCES)

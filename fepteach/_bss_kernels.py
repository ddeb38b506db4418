"""Compiled (numba) inner loops of the blind-source-separation simulation (SPEC §5.3, §5.5.2).

These kernels do exactly what :func:`fepteach.bss.bss_step` (the readable per-step
reference) and :func:`fepteach.bss.bss_step_beta` do, for many networks one after
another, with the Dirichlet arithmetic inlined (ln of the posterior mean,
:func:`fepteach.maths.dirichlet_log_mean`, floors ``EPS``). ``tests/test_bss.py`` checks them against the readable path.
Not part of the public API: call them through :mod:`fepteach.bss`.

Array conventions (stacked layout, SPEC §1.5)
    obs        (D, T, No) uint8       D datasets of binary observations
    data_index (K,) int64             which dataset network k sees
    qa0        (K, 2*No, 2*Ns) float  initial Dirichlet counts of each network
    phi        (K, 2*Ns) float        threshold constants (phi1; phi0) = (ln D_ON; ln D_OFF)
    x_out      (K, T, Ns) float       posteriors s_t = x_t (written)
    qa_out     (K, 2*No, 2*Ns) float  final counts (written)
    abar_out   (K, n_bins, No, 2*Ns)  bin means of P(o_i = 1 | s_j = b) after each update (written if bin_size > 0)
"""

from __future__ import annotations

import math

import numpy as np
from numba import njit

from fepteach.maths import EPS  # numba freezes this global at compile time


@njit(cache=True, nogil=True)
def _expit(z):
    # same branches as scipy.special.expit, overflow-free
    if z >= 0.0:
        return 1.0 / (1.0 + math.exp(-z))
    e = math.exp(z)
    return e / (1.0 + e)


@njit(cache=True, nogil=True)
def _record(qa, abar_out, k, t, bin_size, No, C):
    if bin_size > 0:
        b = t // bin_size
        if b < abar_out.shape[1]:
            w = 1.0 / bin_size
            for i in range(No):
                for c in range(C):
                    n = qa[i, c] + qa[No + i, c]
                    abar_out[k, b, i, c] += w * qa[i, c] / max(n, EPS)


@njit(cache=True, nogil=True)
def _posterior_and_learn(v, sc, o_t, qa, x_t):
    """Steps 3-4 of SPEC §5.3 given the potentials v = (v_ON; v_OFF): x_j = sigma(v_ON,j - v_OFF,j),
    then qa += (o; obar)(x; xbar)^T (only the observed rows change). Writes x_t and qa in place."""
    Ns = x_t.shape[0]
    No = o_t.shape[0]
    C = 2 * Ns
    for j in range(Ns):
        s = _expit(v[j] - v[Ns + j])
        x_t[j] = s
        sc[j] = s
        sc[Ns + j] = 1.0 - s
    for i in range(No):
        row = i if o_t[i] else No + i
        for c in range(C):
            qa[row, c] += sc[c]


@njit(cache=True, nogil=True)
def run_networks(obs, data_index, qa0, phi, x_out, qa_out, abar_out, bin_size):
    """Online inference + Hebbian (Dirichlet) learning (ln-of-the-mean expectation) for K networks (SPEC §5.3)."""
    K = qa0.shape[0]
    T = obs.shape[1]
    No = obs.shape[2]
    C = qa0.shape[2]
    v = np.empty(C)
    sc = np.empty(C)
    for k in range(K):
        qa = qa0[k].copy()
        d = data_index[k]
        for t in range(T):
            # step 3: v_b^(j) = sum_i [o_i lnA_ON,b + obar_i lnA_OFF,b] + phi_b^(j)
            for c in range(C):
                acc = 0.0
                for i in range(No):
                    n = qa[i, c] + qa[No + i, c]
                    a = qa[i, c] if obs[d, t, i] else qa[No + i, c]
                    acc += math.log(max(a, EPS)) - math.log(max(n, EPS))
                v[c] = acc + phi[k, c]
            _posterior_and_learn(v, sc, obs[d, t], qa, x_out[k, t])
            _record(qa, abar_out, k, t, bin_size, No, C)
        qa_out[k] = qa


@njit(cache=True, nogil=True)
def run_networks_beta(obs, data_index, qa0, phi, beta, x_out, qa_out, abar_out, bin_size):
    """As :func:`run_networks`, with the clean threshold-deviation variant of SPEC §5.5.2.

    ``beta`` (K, No, 2*Ns): deviation added to P(o_i = 1 | s_j = b); ``phi`` holds alpha.
    Abar_ON = clip(a_ON / n + beta, EPS, 1 - EPS), lnA = ln(Abar_ON; 1 - Abar_ON),
    phi_eff = alpha + sum_i artanh(2 Abar_ON - 1) beta.
    """
    K = qa0.shape[0]
    T = obs.shape[1]
    No = obs.shape[2]
    C = qa0.shape[2]
    v = np.empty(C)
    sc = np.empty(C)
    for k in range(K):
        qa = qa0[k].copy()
        d = data_index[k]
        for t in range(T):
            for c in range(C):
                acc = 0.0
                thr = 0.0
                for i in range(No):
                    n = max(qa[i, c] + qa[No + i, c], EPS)
                    p = qa[i, c] / n + beta[k, i, c]
                    p = min(max(p, EPS), 1.0 - EPS)
                    thr += math.atanh(2.0 * p - 1.0) * beta[k, i, c]
                    if obs[d, t, i]:
                        acc += math.log(p)
                    else:
                        acc += math.log(1.0 - p)
                v[c] = acc + phi[k, c] + thr
            _posterior_and_learn(v, sc, obs[d, t], qa, x_out[k, t])
            _record(qa, abar_out, k, t, bin_size, No, C)
        qa_out[k] = qa

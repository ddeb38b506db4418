"""Compiled inner loop of the maze agent's fast engine (numba). See :func:`fepteach.agent_fast.run_trial_fast`.

One call runs one whole trial (SPEC §8.6) with fixed network weights, accumulates what
end-of-trial learning needs (SPEC §8.8: per-position sums of q for qa, the outer-product
sum for qbi, the chunked and floored qci update) and the free energy (SPEC §8.9), and
returns ``(t_end, F)``. The arithmetic is that of the network form (SPEC §2.4):
``x_t = sigma(W o_t + K x_{t-1} + h)``, ``y_t = sigma(V x_{t-1} + m)``.

Design, as measured with ``benchmarks/bench_maze.py`` on the 2-core AMD EPYC (Zen 5) machine:

* One agent's trial in a compiled loop beats batching agents in numpy (about 4 us vs 9.5 us per
  agent-step for the inference alone): each agent has its own 372 KB of weights, so a batch
  gains nothing from sharing and is bound by memory traffic plus numpy call overhead.
* The per-step cost is dominated by reading the fused ``K|V`` matrix (121 x 384 float64) from
  L2 cache. ``W o_t`` is precomputed for every position once per trial (o is binary and only
  depends on the position). float32 weights would halve that traffic (measured about 30 %
  faster inference) but break the exact agreement with the float64 reference, so the
  engine stays in float64.
* ``exp`` is written so that the compiler vectorises it (libm's is a scalar call); the qbi
  outer products are accumulated in rank-8 blocks; the entropies of F use logs of products.
* Profile (2026-11-28, trained agent, 20000-step trials, per agent-step, removing one part at
  a time; +-0.5 us noise from the shared cores): the K|V product ~2.3-3 us (121 x 384 float64
  streamed from L2: memory bound; register-blocking 4 or 8 rows of K|V or BLAS dgemv were
  not faster, 2.8 vs 2.3 us), exp + selection + loop ~0.9 us, qbi blocks ~0.3 us, qci chunk
  updates ~0.25 us (45 us per chunk), F ~0.3 us.
* F of trained agents: almost every y_l (99 %) is below the 1e-6 floor, and the floored
  entries used to cost two libm logs each (~2 us per step, as much as the K|V product). The
  floored entries now use ln(1 - x) = -x - x^2/2 (x <= 1e-6; error < 4e-19, below the rounding
  of the log itself): trained agents 7.5 -> 6.5 us per step (interleaved A/B, CPU time).
* Exact reuse of the K|V product: if q_{t-1} equals, bit for bit, the q_{t-1} of the last
  product, z = K|V.T q, y_t, pi and the decision terms of F are reused; if moreover the
  position is unchanged (o_t = o_{t-1}), q_t and the state terms of F too. Same inputs and same
  operations, so the results are bit-identical to recomputing (checked on whole trials).
  Untrained agents (K = V = 0, so q_t depends on the position only) reuse the product in ~50 %
  of steps (stand-still steps): 5.9 -> 3.9 us per step (same A/B run). After the first trial the recurrent
  term makes q_t drift, and the condition holds in only 3-8 % (priors 0.15/0.25) or 5-20 %
  (prior 0.35) of steps, so the gain in trained agents is small (the check costs ~20 ns).
* qci: each chunk's update used to rewrite the whole 242 x 512 qci (1 MB, 45 us, and it
  evicts K|V from the L2 cache). While the floor at 1 provably cannot act (lower bound on
  min qci minus the largest possible decrease), the chunk's increments are folded into
  held-back sums over the decisions actually taken and added at most every MAX_PENDING = 5
  chunks: trained agents ~5.4 -> ~4.9 us per step (interleaved A/B runs, load ~0.9).
* qbi: blocks of 8 or 32 steps instead of 16, or a BLAS dgemm of the block (np.dot), were
  not faster (3.0 us untrained / 5.1 us trained per step with 16; 3.3 / 5.4 with the others).
  Updating two rows of M per pass over the block (half the loads per FMA): ~0.1-0.3 us faster.
* An untrained agent's K and V are exactly 0 (uniform qbi and qci): z = 0 for every q_{t-1},
  so the product, y_t and pi are computed once and q_t once per position (bit-identical
  results; the q_{t-1}-dependent sums of F are recomputed every step): untrained trials
  2.9 -> 1.1 us per step. Skipping only the zero rows through an index list made trained
  agents 1.5 us slower (the indirect row index defeats the vectorised loop). Scanning K|V
  inline in the kernel (instead of in the helper ``_all_zero``) made trained agents ~0.6 us
  slower (code generation of the large loop; measured in interleaved A/B runs, both orders).
* Net effect (2026-11-28, interleaved A/B in one process, CPU time per agent-step, load 1.5):
  untrained agent 5.0 -> 1.1 us, trained agent (20 trials, prior 0.15) 6.7 -> 4.9 us, of which
  the K|V product is ~3 us. ``bench_maze.py`` (wall time, load 1.6): 4.2 us over the first 4
  trials, 4.6 us trained, authors' package 132 us (32x / 28x). The K|V product alone rules
  out <= 3.3 us (40x) for trained agents in float64.
* Not kept: deriving the OFF sums (Sq_off, Sc_off, sq_off) from counts minus the ON sums
  instead of accumulating them every step (no measurable gain, 5.93 vs 5.90 us).
"""

from __future__ import annotations

import math

import numpy as np
from numba import njit


@njit(cache=True, nogil=True)
def _chunk_gamma(G, start, stop):
    """Chunk risk of G[start:stop] with the codes' floating-point expression (SPEC §8.8)."""
    s = 0.0
    for i in range(start, stop):
        s += G[i]
    n = stop - start
    delta = (1.0 - 2.0 * (s / n)) * 200.0
    if delta <= -10.0:
        return 0.55
    if delta <= 0.0:
        return 0.55
    if delta <= 10.0:
        return 0.45
    return 0.0


@njit(cache=True, nogil=True)
def _apply_chunk(qci, Sc_on, Sc_off, sq_on, sq_off, g):
    """qci <- max(1, qci + g * sum_t q_t (x) (d_{t+1}; 1 - d_{t+1})) for one chunk (SPEC §8.8).

    ``Sc_on[l]``/``Sc_off[l]`` hold the sums of q_t^ON/q_t^OFF over the steps whose next
    decision was l; ``sq_on``/``sq_off`` the sums over the whole chunk.
    """
    ns = sq_on.shape[0]
    nd = Sc_on.shape[0]
    for k in range(ns):
        for l in range(nd):
            v = qci[k, l] + g * Sc_on[l, k]
            qci[k, l] = v if v > 1.0 else 1.0
            v = qci[ns + k, l] + g * Sc_off[l, k]
            qci[ns + k, l] = v if v > 1.0 else 1.0
            v = qci[k, nd + l] + g * (sq_on[k] - Sc_on[l, k])
            qci[k, nd + l] = v if v > 1.0 else 1.0
            v = qci[ns + k, nd + l] + g * (sq_off[k] - Sc_off[l, k])
            qci[ns + k, nd + l] = v if v > 1.0 else 1.0


MAX_PENDING = 5  # chunks whose qci increments may be held back (bounds the rounding of the held sums)


@njit(cache=True, nogil=True)
def _all_zero(a):
    """True if every entry of the 2-D array a is 0."""
    for i in range(a.shape[0]):
        for j in range(a.shape[1]):
            if a[i, j] != 0.0:
                return False
    return True


@njit(cache=True, nogil=True)
def _min2(a):
    """Minimum of a 2-D array."""
    v = np.inf
    for i in range(a.shape[0]):
        for j in range(a.shape[1]):
            v = min(v, a[i, j])
    return v


@njit(cache=True, nogil=True)
def _flush_pending(qci, P_on, P_off, ps_on, ps_off, prow):
    """qci += the held-back chunk increments (no floor: it provably did not act), then clear them.

    Same stacked layout as :func:`_apply_chunk`: ``P_on[l]``/``P_off[l]`` = sum over the held
    chunks of g_i times the sums of q^ON/q^OFF over steps whose next decision was l,
    ``ps_on``/``ps_off`` = sum of g_i times the chunk sums; ``prow[l]`` marks nonzero rows.
    """
    ns = ps_on.shape[0]
    nd = P_on.shape[0]
    for k in range(ns):
        for l in range(nd):
            qci[k, l] += P_on[l, k]
            qci[ns + k, l] += P_off[l, k]
            qci[k, nd + l] += ps_on[k] - P_on[l, k]
            qci[ns + k, nd + l] += ps_off[k] - P_off[l, k]
    for l in range(nd):
        if prow[l]:
            prow[l] = False
            for k in range(ns):
                P_on[l, k] = 0.0
                P_off[l, k] = 0.0
    for k in range(ns):
        ps_on[k] = 0.0
        ps_off[k] = 0.0


@njit(cache=True, nogil=True)
def _qci_chunk(qci, Sc_on, Sc_off, sq_on, sq_off, cnt, g, P_on, P_off, ps_on, ps_off, prow, state):
    """The qci update of one chunk (SPEC §8.8), held back while the floor at 1 provably cannot act.

    Every entry of the chunk increment is g times a sum of at most the chunk's q values
    (all in [0, 1]), so it is >= -|g| max(sq_on, sq_off). ``state[0]`` is a lower bound on
    min(qci + held increments); while it stays above 1 after subtracting that, max(1, .) is
    the identity and the increment is only added to the held sums (a few hundred rows
    instead of the whole 242 x 512 qci). Otherwise the held sums are added, this chunk is
    applied with the floor, and the bound is recomputed. ``state[1]`` counts held chunks
    (at most MAX_PENDING, which keeps the held sums small: rounding below 1e-12 of qci >= 1).
    """
    ns = sq_on.shape[0]
    nd = Sc_on.shape[0]
    dec = 0.0
    if g < 0.0:
        mx = 0.0
        for k in range(ns):
            mx = max(mx, max(sq_on[k], sq_off[k]))
        dec = -g * mx * (1.0 + 1e-12) + 1e-9
    if state[0] - dec > 1.0 + 1e-9 and state[1] < MAX_PENDING:
        for l in range(nd):
            if cnt[l] > 0.0:
                prow[l] = True
                for k in range(ns):
                    P_on[l, k] += g * Sc_on[l, k]
                    P_off[l, k] += g * Sc_off[l, k]
        for k in range(ns):
            ps_on[k] += g * sq_on[k]
            ps_off[k] += g * sq_off[k]
        state[0] -= dec
        state[1] += 1.0
    else:
        if state[1] > 0.0:
            _flush_pending(qci, P_on, P_off, ps_on, ps_off, prow)
        _apply_chunk(qci, Sc_on, Sc_off, sq_on, sq_off, g)
        state[0] = _min2(qci)
        state[1] = 0.0


# Coefficients 1/k! of the Taylor polynomial used by _one_plus_exp_neg (|r| <= ln2/2: error < 1 ulp).
_LOG2E = 1.4426950408889634
_LN2_HI = 6.93147180369123816490e-01
_LN2_LO = 1.90821492927058770002e-10


@njit(cache=True, nogil=True, fastmath={"contract"})
def _one_plus_exp_neg(u, f, poly, bits, scale):
    """f_i = 1 + exp(-u_i), with an exp that the compiler can vectorise (libm's is a scalar call).

    exp(x) = 2^n p(r), x = n ln2 + r, p a degree-13 Taylor polynomial; 2^n is built from its
    IEEE bits (``scale`` is a float64 view of the int64 array ``bits``). Accurate to 2 ulp
    (tested against numpy.exp); x is clipped to [-700, 700], far outside the range that
    matters for the sigmoids (sigma(-700) ~ 1e-304).
    """
    n_ = u.shape[0]
    for i in range(n_):
        x = -u[i]
        x = min(max(x, -700.0), 700.0)
        n = math.floor(x * _LOG2E + 0.5)
        r = (x - n * _LN2_HI) - n * _LN2_LO
        poly[i] = 1.0 + r * (1.0 + r * (0.5 + r * (1.0 / 6 + r * (1.0 / 24 + r * (1.0 / 120 + r * (
            1.0 / 720 + r * (1.0 / 5040 + r * (1.0 / 40320 + r * (1.0 / 362880 + r * (1.0 / 3628800 + r * (
                1.0 / 39916800 + r * (1.0 / 479001600 + r * (1.0 / 6227020800.0)))))))))))))
        bits[i] = (np.int64(n) + 1023) << 52
    for i in range(n_):
        f[i] = 1.0 + poly[i] * scale[i]


NB = 16  # steps per block of the qbi outer-product accumulation (Bp and Bc then stay in the L1 cache)


@njit(cache=True, nogil=True, fastmath={"contract"})
def _flush_pairs(M, s_prev, s_cur, Bp, Bc, nb):
    """M += Bp[:nb].T @ Bc[:nb]; s_prev += sum Bp; s_cur += sum Bc (qbi statistics, SPEC §8.8).

    ``nb`` is a multiple of 8 (rows beyond the filled ones are zero): rank-8 register blocking.
    """
    ns = M.shape[0]
    nj = M.shape[1]
    for b in range(nb):
        for k in range(ns):
            s_prev[k] += Bp[b, k]
            s_cur[k] += Bc[b, k]
    k2 = ns - ns % 2
    for k in range(0, k2, 2):  # two rows of M per pass over Bc: half the loads of Bc per FMA
        for b in range(0, nb, 8):
            p0 = Bp[b, k]
            p1 = Bp[b + 1, k]
            p2 = Bp[b + 2, k]
            p3 = Bp[b + 3, k]
            p4 = Bp[b + 4, k]
            p5 = Bp[b + 5, k]
            p6 = Bp[b + 6, k]
            p7 = Bp[b + 7, k]
            r0 = Bp[b, k + 1]
            r1 = Bp[b + 1, k + 1]
            r2 = Bp[b + 2, k + 1]
            r3 = Bp[b + 3, k + 1]
            r4 = Bp[b + 4, k + 1]
            r5 = Bp[b + 5, k + 1]
            r6 = Bp[b + 6, k + 1]
            r7 = Bp[b + 7, k + 1]
            for j in range(nj):
                c0 = Bc[b, j]
                c1 = Bc[b + 1, j]
                c2 = Bc[b + 2, j]
                c3 = Bc[b + 3, j]
                c4 = Bc[b + 4, j]
                c5 = Bc[b + 5, j]
                c6 = Bc[b + 6, j]
                c7 = Bc[b + 7, j]
                M[k, j] += ((p0 * c0 + p1 * c1) + (p2 * c2 + p3 * c3)) + ((p4 * c4 + p5 * c5) + (p6 * c6 + p7 * c7))
                M[k + 1, j] += ((r0 * c0 + r1 * c1) + (r2 * c2 + r3 * c3)) + ((r4 * c4 + r5 * c5) + (r6 * c6 + r7 * c7))
    for k in range(k2, ns):
        for b in range(0, nb, 8):
            p0 = Bp[b, k]
            p1 = Bp[b + 1, k]
            p2 = Bp[b + 2, k]
            p3 = Bp[b + 3, k]
            p4 = Bp[b + 4, k]
            p5 = Bp[b + 5, k]
            p6 = Bp[b + 6, k]
            p7 = Bp[b + 7, k]
            for j in range(nj):
                M[k, j] += ((p0 * Bc[b, j] + p1 * Bc[b + 1, j]) + (p2 * Bc[b + 2, j] + p3 * Bc[b + 3, j])) + (
                    (p4 * Bc[b + 4, j] + p5 * Bc[b + 5, j]) + (p6 * Bc[b + 6, j] + p7 * Bc[b + 7, j])
                )


@njit(cache=True, nogil=True, fastmath={"reassoc", "contract"})
def _floor_corrections(p, u, eps, ln_eps, fac):
    """Branch-free pass over p: fac_i = f_i where no floor acts, else 1; returns the floored entries' part of S.

    Where p <= eps:   p ln max(eps, p) + pbar ln pbar = p ln eps - pbar p (1 + p/2)
    where pbar <= eps: p ln p + pbar ln max(eps, pbar) = -p pbar (1 + pbar/2) + pbar ln eps
    (ln(1 - x) = -x - x^2/2 - O(x^3), x <= 1e-6: the error, < 4e-19, is below the rounding
    of ln(1 - x) itself), so no logarithm is evaluated for floored entries. ``fac`` holds the
    f_i on entry.
    """
    corr = 0.0
    for i in range(p.shape[0]):
        pi = p[i]
        po = 1.0 - pi
        lo = pi <= eps
        hi = po <= eps
        e_lo = pi * ln_eps - po * (pi * (1.0 + 0.5 * pi))
        e_hi = po * ln_eps - pi * (po * (1.0 + 0.5 * po))
        c = -(e_lo if lo else e_hi) - po * u[i]
        corr += c if (lo or hi) else 0.0
        fac[i] = 1.0 if (lo or hi) else fac[i]
    return corr


@njit(cache=True, nogil=True)
def _sum_log(f, p, u, eps, fac, acc8):
    """S such that sum_i [p ln max(eps, p) + pbar ln max(eps, pbar)] = -S - sum_i pbar_i u_i (SPEC §8.9 entropies).

    Here p = 1 / f, f = 1 + e^{-u}, pbar = 1 - p. Where no floor acts, p ln p + pbar ln pbar
    = -ln f - pbar u, so S = sum_i ln f_i: computed as the logs of 8 running products
    (branch-free, vectorisable; each factor is < 1 / eps = 1e6, so 48 factors per lane cannot
    overflow). Entries where a floor acts (p or pbar <= eps) get factor 1 and their exact
    terms are added by :func:`_floor_corrections` (no logarithm: trained agents have almost
    every y_l below the floor, and two libm logs per entry cost ~2 us per step).
    ``fac`` (len(f),) and ``acc8`` (8,) are work arrays.
    """
    n = f.shape[0]
    for i in range(n):
        fac[i] = f[i]
    S = _floor_corrections(p, u, eps, math.log(eps), fac)
    for b in range(8):
        acc8[b] = 1.0
    n8 = n - n % 8
    for i0 in range(0, n8, 8):
        for b in range(8):
            acc8[b] *= fac[i0 + b]
    for b in range(8):
        S += math.log(acc8[b])
    for i in range(n8, n):
        S += math.log(fac[i])
    return S


@njit(cache=True, nogil=True, fastmath={"reassoc", "contract"})
def _dot(a, b):
    """sum_i a_i b_i (any summation order)."""
    s = 0.0
    for i in range(a.shape[0]):
        s += a[i] * b[i]
    return s


@njit(cache=True, nogil=True, fastmath={"reassoc", "contract"})
def _decision_sums(y, uy, lE_on, lE_off, lEd):
    """(sum_l [ybar u + y lnE_ON + ybar lnE_OFF], sum_l y (u - lnE_ON + lnE_OFF)) for F (SPEC §8.9)."""
    s1 = 0.0
    s2 = 0.0
    for l in range(y.shape[0]):
        yl = y[l]
        yo = 1.0 - yl
        s1 += yo * uy[l] + yl * lE_on[l] + yo * lE_off[l]
        s2 += yl * (uy[l] - lEd[l])
    return s1, s2


@njit(cache=True, nogil=True, fastmath={"reassoc", "contract"})
def _sum(a):
    """sum_i a_i (any order)."""
    s = 0.0
    for i in range(a.shape[0]):
        s += a[i]
    return s


@njit(cache=True, nogil=True, fastmath=False)
def trial_kernel(
    maze, pid_map, sr, sc, gr, gc,
    Wo, KV, off, k_thr, k_first, m, y_first,
    D_on, D_off,
    vo_off, b_on, b_off, c_on, c_off, lE_on, lE_off,
    uniforms, T, chunk, guard, eps,
    positions, decisions, Sq_on, Sq_off, M, s_prev, s_cur, q2, qci, gammas,
    q_rec, y_rec,
):
    ns = Wo.shape[1]
    nd = m.shape[0]
    nu = KV.shape[1]
    u = np.zeros(nu)
    fu = np.empty(nu)
    ux = u[:ns]  # middle-layer potentials (view)
    uy = u[off : off + nd]  # output-layer potentials (view)
    fx = fu[:ns]  # 1 + exp(-ux)
    fy = fu[off : off + nd]  # 1 + exp(-uy)
    nx = maze.shape[1]
    n_ch = gammas.shape[0]
    G = np.zeros(T)
    q_prev = np.empty(ns)
    q_prev_off = np.empty(ns)
    q = np.empty(ns)
    y = np.empty(nd)
    r = np.empty(nd)
    facx = np.empty(ns)
    facy = np.empty(nd)
    acc8 = np.empty(8)
    poly = np.empty(nu)
    bits = np.zeros(nu, dtype=np.int64)
    scale = bits.view(np.float64)
    pi = np.empty(nd)
    part = np.empty(8)
    Bp = np.zeros((NB, ns))
    Bc = np.zeros((NB, M.shape[1]))
    nb = 0
    lEd = lE_on - lE_off
    # exact reuse (see the module docstring): z = K|V product of q_z, the last q_{t-1} it was computed for
    z = np.zeros(nu)
    q_z = np.empty(ns)
    have_z = False
    # an untrained agent's K and V are exactly 0 (uniform qbi and qci): then z = 0 for every
    # q_{t-1} and the product is skipped (x * 0.0 adds nothing)
    kv_zero = _all_zero(KV)
    pid_last = -1  # position of the last step whose q_t came from z
    st_c = 0.0  # F terms of the last computed step (state part; decision part; weight of g)
    de_c = 0.0
    s2_c = 0.0
    # chunk accumulators for qci
    Sc_on = np.zeros((nd, ns))
    Sc_off = np.zeros((nd, ns))
    sq_on = np.zeros(ns)
    sq_off = np.zeros(ns)
    cnt = np.zeros(nd)
    # held-back qci increments (see _qci_chunk)
    P_on = np.zeros((nd, ns))
    P_off = np.zeros((nd, ns))
    ps_on = np.zeros(ns)
    ps_off = np.zeros(ns)
    prow = np.zeros(nd, dtype=np.bool_)
    qstate = np.empty(2)
    qstate[0] = _min2(qci)
    qstate[1] = 0.0
    # F accumulators per chunk: F = sum_i A_i - g_i B_i
    FA = np.zeros(n_ch)
    FB = np.zeros(n_ch)
    for k in range(ns):
        q_prev[k] = D_on[k]
        q_prev_off[k] = D_off[k]
    pr, pc = sr, sc
    positions[0, 0] = pr
    positions[0, 1] = pc
    G[0] = 0.0
    t_end = T
    ch_done = 0  # chunks already applied to qci
    for t in range(2, T + 1):
        i = t - 1
        # 1. move with the previous decision (none at t = 2)
        if t >= 3:
            a = decisions[i - 1] // (nd // 4)
            dr = 0
            dc = 0
            if a == 0:
                dr = -1
            elif a == 1:
                dr = 1
            elif a == 2:
                dc = -1
            else:
                dc = 1
            nr, nc = pr, pc
            if maze[pr + dr, pc + dc] == 0:
                nr = pr + 2 * dr
                nc = pc + 2 * dc
            if nc > nx - 1:
                nc = nx - 1
            if nc > pc:
                G[i] = 0.0
            elif nc < pc:
                G[i] = 1.0
            else:
                G[i] = 0.5
            pr, pc = nr, nc
        else:
            G[i] = 0.5
        positions[i, 0] = pr
        positions[i, 1] = pc
        at_goal = pr == gr and pc == gc
        pid = pid_map[pr, pc]
        # 3.-4. both layers in one pass over the presynaptic (previous) middle-layer activity:
        #   u[:ns]  = W o_t + K x_{t-1} + h        (middle layer, x_t = sigma(u[:ns]))
        #   u[off:] = V x_{t-1} + m                (output layer, y_t = sigma(u[off:]))
        # Exact reuse: if q_{t-1} equals (bit for bit) the q_{t-1} of the last product, or K|V is
        # all zero, z, y_t, pi and the decision terms of F are those of that step; if moreover o_t
        # is (same position), q_t and its entropy terms of F are too. Same inputs, same
        # operations: identical results.
        same_y = False
        same_q = False
        if t >= 3 and have_z:
            same_y = True
            if not kv_zero:
                for k in range(ns):
                    if q_prev[k] != q_z[k]:
                        same_y = False
                        break
            same_q = same_y and pid == pid_last
        if t == 2:
            for j in range(ns):
                u[j] = Wo[pid, j] + k_first[j]
            for l in range(nd):
                u[off + l] = y_first[l]
        else:
            if not same_y:
                for j in range(nu):
                    z[j] = 0.0
                for k in range(ns):
                    qk = q_prev[k]
                    for j in range(nu):
                        z[j] += qk * KV[k, j]
                for k in range(ns):
                    q_z[k] = q_prev[k]
                have_z = True
            if not same_q:
                for j in range(ns):
                    u[j] = (Wo[pid, j] + k_thr[j]) + z[j]
            if not same_y:
                for l in range(nd):
                    u[off + l] = m[l] + z[off + l]
            pid_last = pid
        # transcendental part (scalar calls), then the vectorisable arithmetic
        if not same_y:
            _one_plus_exp_neg(u, fu, poly, bits, scale)  # fx, fy, ux, uy are views into fu and u
        elif not same_q:
            _one_plus_exp_neg(ux, fx, poly, bits, scale)
        if not same_q:
            for j in range(ns):
                q[j] = 1.0 / fx[j]
            # F, state part: sum_j [q ln q + qbar ln qbar - q v_ON - qbar v_OFF]
            #   = -sum_j ln(1 + e^{-u_j}) - sum_j u_j - sum_j v_OFF_j   (where no floor acts)
            st_c = -_sum_log(fx, q, ux, eps, facx, acc8) - _sum(ux)
        if not same_y:
            for l in range(nd):
                yl = 1.0 / fy[l]
                y[l] = yl
                r[l] = yl / (1.0 - yl + guard)
            # F, decision part and the weight of g (SPEC §8.9)
            s1, s2 = _decision_sums(y, uy, lE_on, lE_off, lEd)
            de_c = -_sum_log(fy, y, uy, eps, facy, acc8) - s1
            s2_c = s2
            # 5. select: pi = r / sum(r), first l whose cumulative probability exceeds the uniform
            for b in range(8):
                part[b] = 0.0
            for l0 in range(0, nd, 8):
                for b in range(8):
                    part[b] += r[l0 + b]
            total = ((part[0] + part[1]) + (part[2] + part[3])) + ((part[4] + part[5]) + (part[6] + part[7]))
            for l in range(nd):
                pi[l] = r[l] / total
        ui = uniforms[i]
        csum = 0.0
        choice = nd - 1
        for l in range(nd):
            csum += pi[l]
            if csum > ui:
                choice = l
                break
        decisions[i] = choice
        if i < q_rec.shape[0]:  # optional record of the posteriors (tests, replays)
            for j in range(ns):
                q_rec[i, j] = q[j]
        if i < y_rec.shape[0]:
            for l in range(nd):
                y_rec[i, l] = y[l]
        # --- learning accumulators -------------------------------------------------
        # qa: per-position sums of q_t (t = 2..t_end)
        for j in range(ns):
            Sq_on[pid, j] += q[j]
            Sq_off[pid, j] += 1.0 - q[j]
        # qbi: pairs (q_{t-1}, q_t), accumulated in blocks of NB steps (rank-NB updates of M)
        if t == 2:
            for j in range(ns):
                q2[j] = q[j]
        else:
            for j in range(ns):
                Bp[nb, j] = q_prev[j]
            for j in range(ns):
                Bc[nb, j] = q[j]
            nb += 1
            if nb == NB:
                _flush_pairs(M, s_prev, s_cur, Bp, Bc, nb)
                nb = 0
        # qci: pair (q_{t-1}, d_t) belongs to the chunk of t - 1
        cnt[choice] += 1.0
        for k in range(ns):
            Sc_on[choice, k] += q_prev[k]
            Sc_off[choice, k] += q_prev_off[k]
            sq_on[k] += q_prev[k]
            sq_off[k] += q_prev_off[k]
        # --- free energy terms of step t (t <= t_end - 1, i.e. not the arrival step) ---
        if not at_goal and t < T:
            c = (t - 1) // chunk
            fa = vo_off[pid] + _dot(q_prev, b_on) + _dot(q_prev_off, b_off)  # sum_j v_OFF
            FA[c] += (st_c - fa) + de_c
            FB[c] += _dot(q_prev, c_on) + _dot(q_prev_off, c_off) + s2_c
        # --- a chunk of pairs is complete when the pair of its last state index is in ---
        if (t - 1) % chunk == 0 or at_goal:
            cidx = (t - 2) // chunk
            gam = _chunk_gamma(G, cidx * chunk, min((cidx + 1) * chunk, t - 1))
            gammas[cidx] = gam
            _qci_chunk(qci, Sc_on, Sc_off, sq_on, sq_off, cnt, 1.0 - 2.0 * gam,
                       P_on, P_off, ps_on, ps_off, prow, qstate)
            for l in range(nd):
                if cnt[l] > 0.0:
                    cnt[l] = 0.0
                    for k in range(ns):
                        Sc_on[l, k] = 0.0
                        Sc_off[l, k] = 0.0
            for k in range(ns):
                sq_on[k] = 0.0
                sq_off[k] = 0.0
            ch_done = cidx + 1
        # advance
        for k in range(ns):
            q_prev[k] = q[k]
            q_prev_off[k] = 1.0 - q[k]
        if at_goal:
            t_end = t
            break
    if nb > 0:
        for b in range(nb, NB):  # zero the unused rows: the flush works in blocks of 8
            for j in range(ns):
                Bp[b, j] = 0.0
                Bc[b, j] = 0.0
        _flush_pairs(M, s_prev, s_cur, Bp, Bc, ((nb + 7) // 8) * 8)
    # a failed trial: the last (partial) chunk ends at t_end - 1 = T - 1
    n_c = (t_end - 1 + chunk - 1) // chunk
    if ch_done < n_c:
        cidx = n_c - 1
        gam = _chunk_gamma(G, cidx * chunk, t_end - 1)
        gammas[cidx] = gam
        _qci_chunk(qci, Sc_on, Sc_off, sq_on, sq_off, cnt, 1.0 - 2.0 * gam,
                   P_on, P_off, ps_on, ps_off, prow, qstate)
    if qstate[1] > 0.0:
        _flush_pending(qci, P_on, P_off, ps_on, ps_off, prow)
    F = 0.0
    for c in range(n_c):
        F += FA[c] - (1.0 - 2.0 * gammas[c]) * FB[c]
    return t_end, F


@njit(cache=True, nogil=True)
def observation_drive(obs, W, h):
    """Wo[p] = W.T o_p + h for every position p (o binary); ``(n_pid, NS)`` (no BLAS threads)."""
    n_pid, no = obs.shape
    ns = W.shape[1]
    Wo = np.empty((n_pid, ns))
    for p in range(n_pid):
        for j in range(ns):
            Wo[p, j] = h[j]
        for i in range(no):
            if obs[p, i] != 0.0:
                for j in range(ns):
                    Wo[p, j] += W[i, j]
    return Wo


@njit(cache=True, nogil=True)
def qa_increment(obs, Sq_on, Sq_off):
    """The qa increment sum_t (o_t; 1 - o_t) (x) (q_t; qbar_t) from per-position sums of q (SPEC §8.8).

    obs (n_pid, NO) binary; Sq_on/Sq_off (n_pid, NS) sums of q_t^ON / q_t^OFF over the steps at
    each position. Returns the stacked ``(2 NO, 2 NS)`` increment.
    """
    n_pid, no = obs.shape
    ns = Sq_on.shape[1]
    inc = np.zeros((2 * no, 2 * ns))
    for p in range(n_pid):
        visited = False
        for j in range(ns):
            if Sq_on[p, j] != 0.0 or Sq_off[p, j] != 0.0:
                visited = True
                break
        if not visited:
            continue
        for i in range(no):
            row = i if obs[p, i] != 0.0 else no + i
            for j in range(ns):
                inc[row, j] += Sq_on[p, j]
                inc[row, ns + j] += Sq_off[p, j]
    return inc

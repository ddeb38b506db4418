"""Compiled inner loop of the maze agent's fast engine (numba). See :func:`fepteach.agent_fast.run_trial_fast`.

:func:`trial_kernel` runs one whole trial (SPEC §8.6) with fixed network weights and
returns ``(t_end, F)``. Each step calls one helper per step of the readable agent
(:mod:`fepteach.agent`):

* move and step risk G_t: :func:`move` (SPEC §8.3, §8.6 steps 1 and 6);
* synaptic input of both layers from q_{t-1}: :func:`kv_product` (SPEC §2.4, §8.6 steps 3-4);
* state inference q_t: :func:`state_inference` (SPEC §8.6 step 3);
* decision inference y_t: :func:`decision_inference` (SPEC §8.6 step 4);
* selection and sampling: :func:`selection_probabilities` (eq. 6.1), :func:`sample_decision` (§8.6 step 5);
* learning accumulators: :func:`accumulate_qa`, :func:`accumulate_qbi`, :func:`accumulate_qci`,
  and at the end of each chunk :func:`close_chunk` with the chunk risk :func:`chunk_risk` (SPEC §8.8);
* free energy: :func:`free_energy_terms` (SPEC §8.9).

The arithmetic is the network form (SPEC §2.4): ``x_t = sigma(W o_t + K x_{t-1} + h)``,
``y_t = sigma(V x_{t-1} + m)``. ``W o_t + h`` is precomputed per position (o is binary and
fixed at a position); K and V are one fused matrix ``K|V`` (K padded to :data:`V_OFFSET`
columns) so one pass over ``x_{t-1}`` drives both layers.

Why it is shaped like this (measured with ``benchmarks/bench_maze.py`` on the 2-core AMD
EPYC machines; per agent-step, CPU time, interleaved A/B):

* One agent per compiled loop: batching agents in numpy was slower (9.5 vs 4 us), since each
  agent has its own 372 KB of weights (nothing shared, memory bound).
* The K|V product (121 x 384, read from L2) is the largest cost (~4.3 us in float64, 2.6 in float32). It
  is computed 8 rows per pass over ``z`` with the same rounding order as the row loop
  (bit-identical, tested). ``precision="float32"`` stores K|V in float32 and adds float32
  partial sums of 8 rows into a float64 ``z`` (opt-in; changes results by ~1e-6).
* ``exp`` is a polynomial the compiler vectorises (libm's is a scalar call).
* F of trained agents: ~99 % of the y_l are below the 1e-6 floor; floored entries use
  ln(1 - x) = -x - x^2/2 (error < 4e-19) instead of two libm logs (7.5 -> 6.5 us).
* Exact reuse: if q_{t-1} equals bit for bit the q_{t-1} of the last product (stand-still
  steps) the product, y_t and pi are reused, and with the same position also q_t. With
  K = V = 0 (untrained agent) the product is skipped. Untrained 5.0 -> 1.1 us per step.
* qci: a chunk's update rewrites 242 x 512 counts (1 MB, evicts K|V from L2). While the
  floor at 1 provably cannot act, up to :data:`MAX_PENDING` chunks are held back as sums
  (trained 5.4 -> 4.9 us). qbi outer products are accumulated in blocks of :data:`NB` steps.
* The per-step helpers are inlined by numba (``inline="always"``): called as functions, the
  untrained step was 5-12 % slower than the former single-body kernel (A/B), inlined at par.
* Divisions (q = 1/f, y = 1/f, the selection rule's r and pi) are compiled with numba's
  ``error_model="numpy"`` (:data:`DIVISION_ERRORS`): under the default "python" model each
  division checks its denominator for 0 and stays scalar. No denominator can be 0 here, so
  results are bit-identical (tested) and the division loops vectorise. A/B of whole trials
  (9 rounds of 3 pairs): trained +6.6 % [3.6, 12.8] in float64, +10.1 % [8.0, 11.4] in
  float32; fresh trial 1 +2.5 % [-0.3, 3.5].
* The exp's 2^n comes from the float n + 1.5 2^52, not from an int64 conversion (AVX2 has no
  vector float64 -> int64 conversion; bit-identical, tested). A/B: trained +6.0 % [3.6, 17.8]
  in float64, +4.8 % [2.9, 10.1] in float32; fresh trial 1 +3.7 % [-1.0, 5.4].
* Code generation, found by reading the compiled loops (all bit-identical, tested; A/B in
  ``benchmarks/results/ab_kernel_2026-12-02.txt``): (1) the float32 product's block sums go
  through a float32 work array, so its main loop is float32 only and vectorised 8 lanes wide
  (a loop that also writes float64 z is vectorised at the float64 width, 4 lanes): product
  3.45 -> 2.56 us. (2) The qbi flush reads the block through a flat array with a row stride
  known at compile time, one row of M per pass, 124 columns: the two-rows-per-pass loop needed
  more run-time overlap checks than the compiler allows and was scalar (flush 21 -> 13 us, per
  step 1.3 -> 0.8 us); its sums s_prev, s_cur take 8 rows per pass. (3) The exp's reduction
  and its polynomial run in two loops (in one, the constants spill out of the 16 vector
  registers): 0.57 -> 0.44 us for 384 entries. (4) K|V, M and the kernel's work arrays start
  on a 64-byte cache line (numpy and numba guarantee 16 bytes; a 32-byte load across two lines
  is slow): the float32 product 8 %, the qbi flush up to 1.5x. (5) The 8 running products of
  :func:`_sum_log` are local variables, not an array. (6) The qci floor pass adds the held-back
  increments and takes the minimum in the same pass (one pass over the 1 MB of qci, not three:
  208 -> 126 us). Together (A/B of whole trials, 9 rounds of 3 pairs): trained float32 7.94
  -> 6.37 us per step (1.245x [1.232, 1.255]), trained float64 9.33 -> 8.52 (1.096x), fresh
  2.67 -> 2.02 (1.316x).
* Tried and not kept: skipping zero rows by an index list (+1.5 us), BLAS dgemv/dgemm for
  the product or the qbi block, qbi blocks of 8 or 32 steps, deriving the OFF sums from
  counts, scanning K|V for zeros inline in the kernel (+0.6 us: code generation); two or four
  column groups per pass of the product, a tree sum inside its 8-row block, all block sums
  first and z last, software prefetch (none faster: the float32 product reads 186 KB from L2
  per step, and a C version with intrinsics takes 2.1 us); 16 rows of the qbi block per pass
  (register spills); K|V and M in one 2 MB huge page (1.5-2 %);
  :func:`qa_increment` through 1-D row views (the function 1.46x faster, 2.9 -> 2.0 ms per
  trial, but whole trials < 1 %: fresh +0.5 % [-3.5, 3.2], trained -0.8 % [-3.3, 1.2]).
"""

from __future__ import annotations

import math
from typing import NamedTuple

import numpy as np
from numba import njit, types
from numba.extending import overload

from ._validate import EPS
from .agent import CHUNK, PROGRESS_THRESHOLDS, RISK_VALUES

V_OFFSET = 128  #: column where V starts in the fused K|V matrix (K padded to a multiple of 8 columns)
ROW_BLOCK = 8  #: rows of K|V per pass of the product (one pass reads and writes z once)
NB = 16  #: steps per block of the qbi outer-product accumulation (a multiple of 8; the block stays in the L1 cache)
QBI_WIDTH = V_OFFSET  #: columns of the qbi sums M (NS padded to a multiple of 8) and row stride of the flat block Bc
MAX_PENDING = 5  #: chunks whose qci increments may be held back (bounds the rounding of the held sums)
#: numba's error model of the per-step code: "numpy" (IEEE x / 0, no Python ZeroDivisionError check per
#: division, so division loops vectorise); no denominator here can be 0, so results are the same
DIVISION_ERRORS = "numpy"

# the chunk-risk rule (SPEC §8.8) as plain floats for the compiled code
_DELTA_LOW, _DELTA_ZERO, _DELTA_HIGH = (float(x) for x in PROGRESS_THRESHOLDS)
_RISK_LOW, _RISK_ZERO, _RISK_SMALL, _RISK_NONE = (float(x) for x in RISK_VALUES)
_CHUNK_STEPS = float(CHUNK)


# --- structured arguments of the kernel ---------------------------------------------------------
class World(NamedTuple):
    """The maze and where a trial starts and ends (SPEC §8.2-8.4)."""

    maze: np.ndarray  # (ny, nx) int8, 1 = wall
    pid_map: np.ndarray  # (ny, nx) int32 position ids (see agent_fast.position_table)
    start_row: int
    start_col: int
    goal_row: int
    goal_col: int


class Network(NamedTuple):
    """Network weights and thresholds of one trial (SPEC §2.4, §4.7; see agent_fast.NetworkForm)."""

    Wo: np.ndarray  # (n_pid, NS): W.T o_p + h for every position p
    KV: np.ndarray  # (NS, V_OFFSET + ND): K | V, float64 or float32 (the product's precision)
    k_thr: np.ndarray  # (NS,) middle-layer threshold of the recurrent term
    k_first: np.ndarray  # (NS,) recurrent input at t = 2 (q_1 = D, not complementary)
    m: np.ndarray  # (ND,) output-layer threshold
    y_first: np.ndarray  # (ND,) output-layer input at t = 2
    D_on: np.ndarray  # (NS,) q_1^ON = D_ON
    D_off: np.ndarray  # (NS,) q_1^OFF = D_OFF


class FreeEnergyWeights(NamedTuple):
    """Row sums of the log-parameters that the free energy needs besides the potentials (SPEC §8.9)."""

    vo_off: np.ndarray  # (n_pid,) sum_j of the observation + lnD part of v^OFF
    b_on: np.ndarray  # (NS,) row sums of lnBi(ON, OFF)
    b_off: np.ndarray  # (NS,) row sums of lnBi(OFF, OFF)
    c_on: np.ndarray  # (NS,) row sums of lnCi(ON, OFF)
    c_off: np.ndarray  # (NS,) row sums of lnCi(OFF, OFF)
    lE_on: np.ndarray  # (ND,)
    lE_off: np.ndarray  # (ND,)


class Learning(NamedTuple):
    """What end-of-trial learning needs (SPEC §8.8), filled by the kernel.

    ``Sq_on``/``Sq_off`` (n_pid, NS): per-position sums of q_t^ON / q_t^OFF (qa);
    ``M`` (NS, >= NS): sum_{t>=3} q_{t-1}^ON (x) q_t^ON, ``s_prev``/``s_cur``: sums of
    q_{t-1}^ON / q_t^ON, ``q2``: q_2^ON (qbi); ``qci`` updated in place chunk by chunk;
    ``gammas`` the chunk risks.
    """

    Sq_on: np.ndarray
    Sq_off: np.ndarray
    M: np.ndarray
    s_prev: np.ndarray
    s_cur: np.ndarray
    q2: np.ndarray
    qci: np.ndarray
    gammas: np.ndarray


class Record(NamedTuple):
    """Per-step record: positions (T, 2), decisions (T,), and optionally q (rows, NS), y (rows, ND)."""

    positions: np.ndarray
    decisions: np.ndarray
    q: np.ndarray
    y: np.ndarray


# --- movement and risk (SPEC §8.3, §8.6 steps 1 and 6, §8.8) -----------------------------------
@njit(cache=True, nogil=True, inline="always")
def move(maze, row, col, action):
    """Position after ``action`` (0 up, 1 down, 2 left, 3 right) and its step risk G_t (SPEC §8.3, §8.6).

    A move goes two cells unless a wall is in between; the column is clipped to the last
    one (the goal). G_t = 0 if the column increased, 1 if it decreased, 0.5 otherwise.
    """
    dr = 0
    dc = 0
    if action == 0:
        dr = -1
    elif action == 1:
        dr = 1
    elif action == 2:
        dc = -1
    else:
        dc = 1
    nr, nc = row, col
    if maze[row + dr, col + dc] == 0:
        nr = row + 2 * dr
        nc = col + 2 * dc
    if nc > maze.shape[1] - 1:
        nc = maze.shape[1] - 1
    if nc > col:
        G = 0.0
    elif nc < col:
        G = 1.0
    else:
        G = 0.5
    return nr, nc, G


@njit(cache=True, nogil=True)
def chunk_risk(G, start, stop):
    """Gamma of the chunk G[start:stop] (SPEC §8.8), as :func:`fepteach.agent.chunk_risk`.

    Progress Delta = (1 - 2 mean G) * 200 with the codes' floating-point expression (an exact
    +10 evaluates to slightly more than 10 and gets Gamma = 0).
    """
    s = 0.0
    for i in range(start, stop):
        s += G[i]
    delta = (1.0 - 2.0 * (s / (stop - start))) * _CHUNK_STEPS
    if delta <= _DELTA_LOW:
        return _RISK_LOW
    if delta <= _DELTA_ZERO:
        return _RISK_ZERO
    if delta <= _DELTA_HIGH:
        return _RISK_SMALL
    return _RISK_NONE


_chunk_gamma = chunk_risk  # former name


# --- the K|V product (SPEC §2.4: synaptic input of both layers) --------------------------------
@njit(cache=True, nogil=True)
def kv_product_rows(KV, q, z, p32):
    """z = KV.T q, one row of KV at a time: z_j += q_k KV_kj for k = 0, 1, ... (the rounding order of record).

    ``p32`` is unused (the work array of :func:`kv_product_f32`; all products take the same arguments).
    """
    for j in range(KV.shape[1]):
        z[j] = 0.0
    for k in range(KV.shape[0]):
        qk = q[k]
        for j in range(KV.shape[1]):
            z[j] += qk * KV[k, j]


@njit(cache=True, nogil=True)
def kv_product_f64(KV, q, z, p32):
    """z = KV.T q with float64 KV, :data:`ROW_BLOCK` rows per pass over z (SPEC §2.4).

    Within a pass, z_j receives q_k KV_kj for the 8 rows in order, exactly as the row loop
    :func:`kv_product_rows` (no fused multiply-add): bit-identical, with z read and written
    once per 8 rows instead of once per row. ``p32`` is unused.
    """
    ns, nu = KV.shape
    for j in range(nu):
        z[j] = 0.0
    k8 = ns - ns % ROW_BLOCK
    for k in range(0, k8, ROW_BLOCK):
        q0, q1, q2, q3 = q[k], q[k + 1], q[k + 2], q[k + 3]
        q4, q5, q6, q7 = q[k + 4], q[k + 5], q[k + 6], q[k + 7]
        for j in range(nu):
            zj = z[j]
            zj += q0 * KV[k, j]
            zj += q1 * KV[k + 1, j]
            zj += q2 * KV[k + 2, j]
            zj += q3 * KV[k + 3, j]
            zj += q4 * KV[k + 4, j]
            zj += q5 * KV[k + 5, j]
            zj += q6 * KV[k + 6, j]
            zj += q7 * KV[k + 7, j]
            z[j] = zj
    for k in range(k8, ns):
        qk = q[k]
        for j in range(nu):
            z[j] += qk * KV[k, j]


@njit(cache=True, nogil=True)
def kv_product_f32(KV, q, z, p32):
    """z = KV.T q with float32 KV: q rounded to float32, float32 sums of 8 rows added into float64 z.

    Compared with the float64 product of the unrounded weights, each term q_k KV_kj carries
    three float32 roundings (KV, q, the product) and each block sum 7 float32 additions, so
    |z_j - exact_j| <= (10 * 2^-24 + O(2^-48)) sum_k |q_k KV_kj| (tested).

    A block's float32 sums go to the work array ``p32`` (float32, ``(KV.shape[1],)``) and are
    then added into z in a second loop: a loop that reads float32 and writes float64 is
    vectorised 4 lanes wide (the float64 width), a float32-only loop 8 lanes (A/B in the
    module docstring). The arithmetic is the same either way.
    """
    ns, nu = KV.shape
    for j in range(nu):
        z[j] = 0.0
    k8 = ns - ns % ROW_BLOCK
    for k in range(0, k8, ROW_BLOCK):
        q0, q1 = np.float32(q[k]), np.float32(q[k + 1])
        q2, q3 = np.float32(q[k + 2]), np.float32(q[k + 3])
        q4, q5 = np.float32(q[k + 4]), np.float32(q[k + 5])
        q6, q7 = np.float32(q[k + 6]), np.float32(q[k + 7])
        for j in range(nu):
            p = q0 * KV[k, j]
            p += q1 * KV[k + 1, j]
            p += q2 * KV[k + 2, j]
            p += q3 * KV[k + 3, j]
            p += q4 * KV[k + 4, j]
            p += q5 * KV[k + 5, j]
            p += q6 * KV[k + 6, j]
            p += q7 * KV[k + 7, j]
            p32[j] = p
        for j in range(nu):
            z[j] += np.float64(p32[j])
    for k in range(k8, ns):
        qk = np.float32(q[k])
        for j in range(nu):
            z[j] += np.float64(qk * KV[k, j])


def kv_product(KV, q, z, p32):
    """z = KV.T q in the precision of KV (float64: :func:`kv_product_f64`, float32: :func:`kv_product_f32`).

    ``p32``: float32 work array of length ``KV.shape[1]`` (used by the float32 product).
    """
    if KV.dtype == np.float32:
        kv_product_f32(KV, q, z, p32)
    else:
        kv_product_f64(KV, q, z, p32)


@overload(kv_product, jit_options={"cache": True, "nogil": True})
def _kv_product_by_dtype(KV, q, z, p32):
    """Compiled kv_product: the implementation is chosen once per KV dtype at compile time."""
    if KV.dtype == types.float32:
        return lambda KV, q, z, p32: kv_product_f32(KV, q, z, p32)
    return lambda KV, q, z, p32: kv_product_f64(KV, q, z, p32)


# --- sigmoids -----------------------------------------------------------------------------------
_LOG2E = 1.4426950408889634
_LN2_HI = 6.93147180369123816490e-01
_LN2_LO = 1.90821492927058770002e-10
_EXP_CLIP = 700.0  #: |x| bound of the exp argument (sigma(-700) ~ 1e-304, far outside what matters)
_EXP_BIAS = 1023  #: IEEE-754 float64 exponent bias: 2^n has the bits (n + 1023) << 52
_ROUND_MAGIC = 6755399441055744.0  #: 1.5 * 2^52: for an integer n, |n| < 2^51, the low bits of n + this hold n


@njit(cache=True, nogil=True, fastmath={"contract"})
def one_plus_exp_neg(u, f, poly, bits, scale):
    """f_i = 1 + exp(-u_i), with an exp that the compiler can vectorise (libm's is a scalar call).

    exp(x) = 2^n p(r), x = n ln2 + r (|r| <= ln2/2), p the degree-13 Taylor polynomial (error
    < 1 ulp); 2^n is built from its IEEE bits (``scale`` is a float64 view of the int64 array
    ``bits``). Accurate to 2 ulp (tested against numpy.exp); x is clipped to [-700, 700].
    The bits (n + 1023) << 52 are made without converting n to an integer (AVX2 has no vector
    float64 -> int64 conversion): the float n + 1.5 2^52 carries n in its low bits, and the
    shift by 52 drops everything above them. r and p(r) are computed in two loops: in one, the
    14 coefficients and the reduction's constants do not fit the 16 vector registers and are
    reloaded every pass (A/B in the module docstring; the arithmetic is the same).
    """
    n_ = u.shape[0]
    for i in range(n_):
        x = -u[i]
        x = min(max(x, -_EXP_CLIP), _EXP_CLIP)
        n = np.floor(x * _LOG2E + 0.5)
        poly[i] = (x - n * _LN2_HI) - n * _LN2_LO  # r, then p(r) in the next loop
        scale[i] = n + _ROUND_MAGIC
    for i in range(n_):
        r = poly[i]
        poly[i] = 1.0 + r * (1.0 + r * (0.5 + r * (1.0 / 6 + r * (1.0 / 24 + r * (1.0 / 120 + r * (
            1.0 / 720 + r * (1.0 / 5040 + r * (1.0 / 40320 + r * (1.0 / 362880 + r * (1.0 / 3628800 + r * (
                1.0 / 39916800 + r * (1.0 / 479001600 + r * (1.0 / 6227020800.0)))))))))))))
    for i in range(n_):
        bits[i] = (bits[i] + _EXP_BIAS) << 52
    for i in range(n_):
        f[i] = 1.0 + poly[i] * scale[i]



# --- entropies and sums of F (SPEC §8.9) --------------------------------------------------------
@njit(cache=True, nogil=True, fastmath={"reassoc", "contract"})
def _floor_corrections(p, u, f, eps, ln_eps, fac):
    """Branch-free pass over p: fac_i = f_i where no floor acts, else 1; returns the floored entries' part of S.

    Where p <= eps:   p ln max(eps, p) + pbar ln pbar = p ln eps - pbar p (1 + p/2)
    where pbar <= eps: p ln p + pbar ln max(eps, pbar) = -p pbar (1 + pbar/2) + pbar ln eps
    (ln(1 - x) = -x - x^2/2 - O(x^3), x <= 1e-6: the error, < 4e-19, is below the rounding
    of ln(1 - x) itself), so no logarithm is evaluated for floored entries.
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
        fac[i] = 1.0 if (lo or hi) else f[i]
    return corr


@njit(cache=True, nogil=True)
def _sum_log(f, p, u, eps, fac):
    """S such that sum_i [p ln max(eps, p) + pbar ln max(eps, pbar)] = -S - sum_i pbar_i u_i (SPEC §8.9 entropies).

    Here p = 1 / f, f = 1 + e^{-u}, pbar = 1 - p. Where no floor acts, p ln p + pbar ln pbar
    = -ln f - pbar u, so S = sum_i ln f_i: computed as the logs of 8 running products
    a_b = f_b f_{b+8} f_{b+16} ... (vectorisable; each factor is < 1 / eps = 1e6, so 48 factors
    per lane cannot overflow). Entries where a floor acts get factor 1 and their exact terms
    come from :func:`_floor_corrections`. ``fac`` (len(f),) is a work array.
    """
    n = f.shape[0]
    S = _floor_corrections(p, u, f, eps, math.log(eps), fac)
    a0 = a1 = a2 = a3 = a4 = a5 = a6 = a7 = 1.0
    n8 = n - n % 8
    for i0 in range(0, n8, 8):
        a0 *= fac[i0]
        a1 *= fac[i0 + 1]
        a2 *= fac[i0 + 2]
        a3 *= fac[i0 + 3]
        a4 *= fac[i0 + 4]
        a5 *= fac[i0 + 5]
        a6 *= fac[i0 + 6]
        a7 *= fac[i0 + 7]
    S += math.log(a0)
    S += math.log(a1)
    S += math.log(a2)
    S += math.log(a3)
    S += math.log(a4)
    S += math.log(a5)
    S += math.log(a6)
    S += math.log(a7)
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
def _sum(a):
    """sum_i a_i (any order)."""
    s = 0.0
    for i in range(a.shape[0]):
        s += a[i]
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


# --- one step of inference (SPEC §8.6 steps 3-5) ------------------------------------------------
@njit(cache=True, nogil=True, inline="always")
def state_inference(fx, ux, q, facx):
    """q_t = sigma(u) = 1 / (1 + e^{-u}) (SPEC §8.6 step 3) from ``fx`` = 1 + e^{-ux}; returns F's state part.

    The state part of F (SPEC §8.9) is sum_j [q ln q + qbar ln qbar - q v_ON - qbar v_OFF]
    = -sum_j ln(1 + e^{-u_j}) - sum_j u_j - sum_j v_OFF_j (where no floor acts); this returns
    it without the v_OFF sum (added by :func:`free_energy_terms`).
    """
    for j in range(fx.shape[0]):
        q[j] = 1.0 / fx[j]
    return -_sum_log(fx, q, ux, EPS, facx) - _sum(ux)


@njit(cache=True, nogil=True, inline="always")
def decision_inference(fy, uy, y, lE_on, lE_off, lEd, facy):
    """y_t = sigma(uy) (SPEC §8.6 step 4) from ``fy`` = 1 + e^{-uy}; returns F's decision terms.

    Returns ``(de, s2)``: the decision part of F with g = 0 (entropy minus the lnE part) and
    the weight of g, sum_l y (u - lnE_ON + lnE_OFF) (SPEC §8.9).
    """
    for l in range(fy.shape[0]):
        y[l] = 1.0 / fy[l]
    s1, s2 = _decision_sums(y, uy, lE_on, lE_off, lEd)
    return -_sum_log(fy, y, uy, EPS, facy) - s1, s2


PAIRWISE_BLOCK = 128  #: numpy's pairwise-summation block (sums of up to 128 entries use 8 running sums)


@njit(cache=True, nogil=True)
def _block_sum(a, lo, n):
    """sum of a[lo:lo + n], n <= PAIRWISE_BLOCK, in numpy's order (8 running sums, then the rest)."""
    if n < 8:
        s = 0.0
        for i in range(lo, lo + n):
            s += a[i]
        return s
    p0, p1, p2, p3 = a[lo], a[lo + 1], a[lo + 2], a[lo + 3]
    p4, p5, p6, p7 = a[lo + 4], a[lo + 5], a[lo + 6], a[lo + 7]
    n8 = n - n % 8
    for i in range(lo + 8, lo + n8, 8):
        p0 += a[i]
        p1 += a[i + 1]
        p2 += a[i + 2]
        p3 += a[i + 3]
        p4 += a[i + 4]
        p5 += a[i + 5]
        p6 += a[i + 6]
        p7 += a[i + 7]
    s = ((p0 + p1) + (p2 + p3)) + ((p4 + p5) + (p6 + p7))
    for i in range(lo + n8, lo + n):
        s += a[i]
    return s


@njit(cache=True, nogil=True)
def pairwise_sum(a):
    """sum(a) with numpy's pairwise summation order (bit-identical to ``a.sum()`` for len(a) <= 256)."""
    n = a.shape[0]
    if n <= PAIRWISE_BLOCK:
        return _block_sum(a, 0, n)
    n2 = n // 2
    n2 -= n2 % 8
    return _block_sum(a, 0, n2) + _block_sum(a, n2, n - n2)


@njit(cache=True, nogil=True, error_model=DIVISION_ERRORS)
def selection_probabilities(y, r, pi):
    """pi_l = r_l / sum r, r_l = y_l / (1 - y_l + 1e-6) (SPEC eq. 6.1), as :func:`fepteach.agent.selection_probabilities`.

    The sum is numpy's (:func:`pairwise_sum`), so pi equals the readable version bit for bit
    (ND = 256). ``r`` is a work array.
    """
    for l in range(y.shape[0]):
        r[l] = y[l] / (1.0 - y[l] + EPS)
    total = pairwise_sum(r)
    for l in range(y.shape[0]):
        pi[l] = r[l] / total


@njit(cache=True, nogil=True, inline="always")
def sample_decision(pi, u):
    """The first l whose cumulative probability exceeds the uniform u (inverse CDF, SPEC §7.5)."""
    csum = 0.0
    for l in range(pi.shape[0]):
        csum += pi[l]
        if csum > u:
            return l
    return pi.shape[0] - 1


# --- learning accumulators (SPEC §8.8) ----------------------------------------------------------
@njit(cache=True, nogil=True, inline="always")
def accumulate_qa(Sq_on, Sq_off, pid, q):
    """qa: per-position sums of q_t^ON and q_t^OFF (o_t is fixed at a position)."""
    for j in range(q.shape[0]):
        Sq_on[pid, j] += q[j]
        Sq_off[pid, j] += 1.0 - q[j]


@njit(cache=True, nogil=True, fastmath={"contract"})
def _flush_pairs(M, s_prev, s_cur, Bp, Bc):
    """M += Bp.T @ Bc over a full block of NB pairs; s_prev += sum Bp; s_cur += sum Bc (qbi statistics, SPEC §8.8).

    ``Bp`` (NB, NS); ``Bc`` flat, row b at ``Bc[b * QBI_WIDTH:]`` (rows beyond the filled ones
    are zero). Each M_kj gets rank-8 terms in turn, M_kj += T_0..7, M_kj += T_8..15, ..., each T a
    fixed tree of 8 products. With the rows of Bc at a stride known at compile time the compiler
    vectorises the pass over j (8 rows of Bc, one of M); with a run-time stride it needs a
    run-time overlap check per pair of rows and, above its limit of 8, leaves the loop scalar
    (two rows of M per pass, as before, was scalar; 16 rows of Bc per pass run out of registers).
    """
    ns = M.shape[0]
    W = QBI_WIDTH
    nj = ns + (-ns) % 4  # columns up to a whole vector (121 -> 124; the rest of the padding stays 0)
    for b in range(0, NB, 8):  # s += row b, row b + 1, ... in turn (8 rows per pass: s is loaded and stored once)
        for k in range(ns):
            s_prev[k] = (((((((s_prev[k] + Bp[b, k]) + Bp[b + 1, k]) + Bp[b + 2, k]) + Bp[b + 3, k]) + Bp[b + 4, k])
                          + Bp[b + 5, k]) + Bp[b + 6, k]) + Bp[b + 7, k]
        o = b * W
        for k in range(ns):
            s_cur[k] = (((((((s_cur[k] + Bc[o + k]) + Bc[o + W + k]) + Bc[o + 2 * W + k]) + Bc[o + 3 * W + k])
                         + Bc[o + 4 * W + k]) + Bc[o + 5 * W + k]) + Bc[o + 6 * W + k]) + Bc[o + 7 * W + k]
    for k in range(ns):
        for b in range(0, NB, 8):
            p0, p1, p2, p3 = Bp[b, k], Bp[b + 1, k], Bp[b + 2, k], Bp[b + 3, k]
            p4, p5, p6, p7 = Bp[b + 4, k], Bp[b + 5, k], Bp[b + 6, k], Bp[b + 7, k]
            o = b * W
            for j in range(nj):
                M[k, j] += ((p0 * Bc[o + j] + p1 * Bc[o + W + j]) + (p2 * Bc[o + 2 * W + j] + p3 * Bc[o + 3 * W + j])) + (
                    (p4 * Bc[o + 4 * W + j] + p5 * Bc[o + 5 * W + j]) + (p6 * Bc[o + 6 * W + j] + p7 * Bc[o + 7 * W + j])
                )


@njit(cache=True, nogil=True, inline="always")
def accumulate_qbi(M, s_prev, s_cur, Bp, Bc, nb, q_prev, q):
    """qbi: add the pair (q_{t-1}^ON, q_t^ON) to the block; flush it into M when full. Returns the new fill."""
    for j in range(q.shape[0]):
        Bp[nb, j] = q_prev[j]
    o = nb * QBI_WIDTH
    for j in range(q.shape[0]):
        Bc[o + j] = q[j]
    nb += 1
    if nb == NB:
        _flush_pairs(M, s_prev, s_cur, Bp, Bc)
        nb = 0
    return nb


@njit(cache=True, nogil=True)
def finish_qbi(lrn, Bp, Bc, nb):
    """Flush a partly filled qbi block, its unused rows zeroed (zero rows add exactly +0 to M and the sums)."""
    if nb > 0:
        for b in range(nb, NB):
            for j in range(Bp.shape[1]):
                Bp[b, j] = 0.0
            for j in range(QBI_WIDTH):
                Bc[b * QBI_WIDTH + j] = 0.0
        _flush_pairs(lrn.M, lrn.s_prev, lrn.s_cur, Bp, Bc)


class ChunkSums(NamedTuple):
    """qci statistics of the open chunk and the held-back increments of earlier chunks (SPEC §8.8).

    ``S_on[l]``/``S_off[l]``: sums of q^ON/q^OFF over the chunk's steps whose next decision was l;
    ``s_on``/``s_off``: sums over the whole chunk; ``cnt[l]``: how often l was chosen.
    ``P_on``, ``P_off``, ``ps_on``, ``ps_off``: the same, times g_i, summed over held chunks;
    ``prow[l]`` marks nonzero held rows; ``state`` = (lower bound on min qci, held chunks).
    """

    S_on: np.ndarray
    S_off: np.ndarray
    s_on: np.ndarray
    s_off: np.ndarray
    cnt: np.ndarray
    P_on: np.ndarray
    P_off: np.ndarray
    ps_on: np.ndarray
    ps_off: np.ndarray
    prow: np.ndarray
    state: np.ndarray


@njit(cache=True, nogil=True)
def new_chunk_sums(qci, ns, nd):
    """Empty :class:`ChunkSums` for a trial starting from ``qci``."""
    state = np.empty(2)
    state[0] = _min2(qci)
    state[1] = 0.0
    return ChunkSums(np.zeros((nd, ns)), np.zeros((nd, ns)), np.zeros(ns), np.zeros(ns), np.zeros(nd),
                     np.zeros((nd, ns)), np.zeros((nd, ns)), np.zeros(ns), np.zeros(ns),
                     np.zeros(nd, dtype=np.bool_), state)


@njit(cache=True, nogil=True, inline="always")
def accumulate_qci(S_on, S_off, s_on, s_off, cnt, choice, q_prev, q_prev_off):
    """qci: the pair (q_{t-1}, d_t) joins the open chunk (the chunk of its state index t - 1); see :class:`ChunkSums`."""
    cnt[choice] += 1.0
    for k in range(q_prev.shape[0]):
        S_on[choice, k] += q_prev[k]
        S_off[choice, k] += q_prev_off[k]
        s_on[k] += q_prev[k]
        s_off[k] += q_prev_off[k]


@njit(cache=True, nogil=True)
def _apply_chunk(qci, cs, g):
    """qci <- max(1, (qci + held increments) + g * sum_t q_t (x) (d_{t+1}; 1 - d_{t+1})) for the open chunk (SPEC §8.8).

    The held-back increments of earlier chunks (:class:`ChunkSums`; all zero when none is held,
    and qci + 0 = qci exactly) are added in the same pass, in the order of adding them first
    (:func:`flush_pending`) and then this chunk: one pass over the 1 MB of qci instead of two.
    Returns min(qci) after the update (the new bound of :func:`_qci_chunk`), taken in the same
    pass. The held increments are not cleared here.
    """
    ns = cs.s_on.shape[0]
    nd = cs.S_on.shape[0]
    m0 = m1 = m2 = m3 = np.inf
    for k in range(ns):
        pon = cs.ps_on[k]
        poff = cs.ps_off[k]
        son = cs.s_on[k]
        soff = cs.s_off[k]
        for l in range(nd):
            v = (qci[k, l] + cs.P_on[l, k]) + g * cs.S_on[l, k]
            v = v if v > 1.0 else 1.0
            qci[k, l] = v
            m0 = v if v < m0 else m0
            v = (qci[ns + k, l] + cs.P_off[l, k]) + g * cs.S_off[l, k]
            v = v if v > 1.0 else 1.0
            qci[ns + k, l] = v
            m1 = v if v < m1 else m1
            v = (qci[k, nd + l] + (pon - cs.P_on[l, k])) + g * (son - cs.S_on[l, k])
            v = v if v > 1.0 else 1.0
            qci[k, nd + l] = v
            m2 = v if v < m2 else m2
            v = (qci[ns + k, nd + l] + (poff - cs.P_off[l, k])) + g * (soff - cs.S_off[l, k])
            v = v if v > 1.0 else 1.0
            qci[ns + k, nd + l] = v
            m3 = v if v < m3 else m3
    return min(min(m0, m1), min(m2, m3))


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
def _clear_held(cs):
    """Forget the held-back chunk increments (after they were added to qci)."""
    ns = cs.ps_on.shape[0]
    for l in range(cs.P_on.shape[0]):
        if cs.prow[l]:
            cs.prow[l] = False
            for k in range(ns):
                cs.P_on[l, k] = 0.0
                cs.P_off[l, k] = 0.0
    for k in range(ns):
        cs.ps_on[k] = 0.0
        cs.ps_off[k] = 0.0
    cs.state[1] = 0.0


@njit(cache=True, nogil=True)
def flush_pending(qci, cs):
    """qci += the held-back chunk increments (no floor: it provably did not act), then clear them."""
    ns = cs.ps_on.shape[0]
    nd = cs.P_on.shape[0]
    for k in range(ns):
        for l in range(nd):
            qci[k, l] += cs.P_on[l, k]
            qci[ns + k, l] += cs.P_off[l, k]
            qci[k, nd + l] += cs.ps_on[k] - cs.P_on[l, k]
            qci[ns + k, nd + l] += cs.ps_off[k] - cs.P_off[l, k]
    _clear_held(cs)


@njit(cache=True, nogil=True)
def _qci_chunk(qci, cs, g):
    """The qci update of one chunk (SPEC §8.8), held back while the floor at 1 provably cannot act.

    Every entry of the chunk increment is g times a sum of at most the chunk's q values
    (all in [0, 1]), so it is >= -|g| max(s_on, s_off). ``cs.state[0]`` is a lower bound on
    min(qci + held increments); while it stays above 1 after subtracting that, max(1, .) is
    the identity and the increment only joins the held sums (a few hundred rows instead of
    the whole 242 x 512 qci). Otherwise the held sums are added, this chunk is applied with
    the floor, and the bound is recomputed. At most MAX_PENDING chunks are held (rounding of
    the held sums below 1e-12 of qci >= 1). Either way the chunk's per-decision sums are
    cleared here (in the pass that reads them last).
    """
    ns = cs.s_on.shape[0]
    nd = cs.S_on.shape[0]
    dec = 0.0
    if g < 0.0:
        mx = 0.0
        for k in range(ns):
            mx = max(mx, max(cs.s_on[k], cs.s_off[k]))
        dec = -g * mx * (1.0 + 1e-12) + 1e-9
    if cs.state[0] - dec > 1.0 + 1e-9 and cs.state[1] < MAX_PENDING:
        for l in range(nd):
            if cs.cnt[l] > 0.0:
                cs.prow[l] = True
                for k in range(ns):
                    cs.P_on[l, k] += g * cs.S_on[l, k]
                    cs.P_off[l, k] += g * cs.S_off[l, k]
                    cs.S_on[l, k] = 0.0
                    cs.S_off[l, k] = 0.0
        for k in range(ns):
            cs.ps_on[k] += g * cs.s_on[k]
            cs.ps_off[k] += g * cs.s_off[k]
        cs.state[0] -= dec
        cs.state[1] += 1.0
    else:
        cs.state[0] = _apply_chunk(qci, cs, g)  # with the held increments, if any
        if cs.state[1] > 0.0:
            _clear_held(cs)
        for l in range(nd):
            if cs.cnt[l] > 0.0:
                for k in range(ns):
                    cs.S_on[l, k] = 0.0
                    cs.S_off[l, k] = 0.0


@njit(cache=True, nogil=True)
def close_chunk(lrn, cs, G, cidx, stop):
    """Chunk ``cidx`` (0-based) is complete: its risk Gamma from G[cidx * 200 : stop], then its qci update.

    Returns Gamma; the open chunk's sums are cleared for the next chunk.
    """
    gam = chunk_risk(G, cidx * CHUNK, stop)
    lrn.gammas[cidx] = gam
    _qci_chunk(lrn.qci, cs, 1.0 - 2.0 * gam)  # also clears the per-decision sums S_on, S_off
    for l in range(cs.cnt.shape[0]):
        cs.cnt[l] = 0.0
    for k in range(cs.s_on.shape[0]):
        cs.s_on[k] = 0.0
        cs.s_off[k] = 0.0
    return gam


# --- free energy (SPEC §8.9) --------------------------------------------------------------------
@njit(cache=True, nogil=True, inline="always")
def free_energy_terms(vo_off, b_on, b_off, c_on, c_off, pid, q_prev, q_prev_off, st, de, s2):
    """F of step t as A - g B (g the modulation of the step's chunk, known only at its end; SPEC §8.9).

    A = state part + decision part with g = 0, where the state part needs sum_j v_OFF_j
    (observation + lnD part per position, plus q_{t-1} times the row sums of lnBi(., OFF));
    B = sum over the decision potentials' qci part, weighted by y.
    """
    fa = vo_off[pid] + _dot(q_prev, b_on) + _dot(q_prev_off, b_off)  # sum_j v_OFF
    A = (st - fa) + de
    B = _dot(q_prev, c_on) + _dot(q_prev_off, c_off) + s2
    return A, B


# --- the trial ----------------------------------------------------------------------------------
CACHE_LINE = 64  #: bytes; work arrays of the kernel start on a cache line


@njit(cache=True, nogil=True, inline="always")
def _aligned(buf, n):
    """The first n entries of ``buf`` from its first entry on a :data:`CACHE_LINE` boundary (buf needs 64 spare bytes)."""
    s = ((-buf.ctypes.data) % CACHE_LINE) // buf.itemsize
    return buf[s : s + n]


@njit(cache=True, nogil=True, fastmath=False, error_model=DIVISION_ERRORS)
def trial_kernel(world, net, fe, uniforms, T, lrn, rec):
    """One trial of the maze agent with fixed weights (SPEC §8.6), accumulating learning and F.

    Parameters
    ----------
    world : World
    net : Network
        ``net.KV`` float64 or float32 chooses the precision of the K|V product.
    fe : FreeEnergyWeights
    uniforms : ndarray, shape (T,)
        Uniforms of the decision samples (row t - 1 for step t).
    T : int
        Maximum number of steps.
    lrn : Learning
        Filled in place (qci is updated chunk by chunk, SPEC §8.8).
    rec : Record
        Positions and decisions filled in place; ``rec.q``/``rec.y`` rows are filled while
        they exist (zero rows: no record).

    Returns
    -------
    t_end : int
        Duration (T if the goal was not reached).
    F : float
        Free energy of the trial (SPEC §8.9), with the chunk risks of this trial.
    """
    ns = net.Wo.shape[1]
    nd = net.m.shape[0]
    nu = net.KV.shape[1]
    off = nu - nd
    # work arrays, each starting on a cache line (module docstring: vector loads that straddle two
    # lines cost up to a third of the qbi flush); potentials u = (state part | padding | decision
    # part) and f = 1 + e^{-u}, with views
    u = _aligned(np.zeros(nu + 8), nu)
    fu = _aligned(np.empty(nu + 8), nu)
    ux, uy = u[:ns], u[off:]
    fx, fy = fu[:ns], fu[off:]
    poly = _aligned(np.empty(nu + 8), nu)
    bits = _aligned(np.zeros(nu + 8, dtype=np.int64), nu)
    scale = bits.view(np.float64)
    z = _aligned(np.zeros(nu + 8), nu)  # K|V.T q_z, the product of record
    p32 = _aligned(np.empty(nu + 16, dtype=np.float32), nu)  # work array of the float32 product
    q_z = _aligned(np.empty(ns + 8), ns)  # the q_{t-1} it was computed for
    q_prev = _aligned(np.empty(ns + 8), ns)
    q_prev_off = _aligned(np.empty(ns + 8), ns)
    q = _aligned(np.empty(ns + 8), ns)
    y = _aligned(np.empty(nd + 8), nd)
    r = _aligned(np.empty(nd + 8), nd)
    pi = _aligned(np.empty(nd + 8), nd)
    facx = _aligned(np.empty(ns + 8), ns)
    facy = _aligned(np.empty(nd + 8), nd)
    if lrn.M.shape[1] != QBI_WIDTH or ns > QBI_WIDTH:
        raise ValueError("lrn.M must have QBI_WIDTH columns (NS padded)")
    Bp = np.zeros((NB, ns))
    Bc = _aligned(np.zeros(NB * QBI_WIDTH + 8), NB * QBI_WIDTH)  # flat: row b at b * QBI_WIDTH (see _flush_pairs)
    nb = 0
    cs = new_chunk_sums(lrn.qci, ns, nd)
    n_ch = lrn.gammas.shape[0]
    FA = np.zeros(n_ch)  # F = sum_i FA_i - g_i FB_i over chunks
    FB = np.zeros(n_ch)
    G = np.zeros(T)
    lEd = fe.lE_on - fe.lE_off
    # exact reuse (module docstring): an all-zero K|V gives z = 0 for every q_{t-1}
    kv_zero = _all_zero(net.KV)
    have_z = False
    pid_last = -1  # position of the last step whose q_t came from z
    st = de = s2 = 0.0  # F terms of the last computed step
    for k in range(ns):
        q_prev[k] = net.D_on[k]
        q_prev_off[k] = net.D_off[k]
    pr, pc = world.start_row, world.start_col
    rec.positions[0, 0] = pr
    rec.positions[0, 1] = pc
    t_end = T
    ch_done = 0  # chunks already applied to qci
    for t in range(2, T + 1):
        i = t - 1
        # 1. move with the previous decision (none at t = 2), step risk G_t
        if t >= 3:
            pr, pc, g_step = move(world.maze, pr, pc, rec.decisions[i - 1] // (nd // 4))
            G[i] = g_step
        else:
            G[i] = 0.5
        rec.positions[i, 0] = pr
        rec.positions[i, 1] = pc
        at_goal = pr == world.goal_row and pc == world.goal_col
        pid = world.pid_map[pr, pc]
        # 3.-4. synaptic input of both layers from q_{t-1}; reused when q_{t-1} (and the position) repeat
        same_y = False
        same_q = False
        if t >= 3 and have_z:
            same_y = kv_zero or _equal(q_prev, q_z)
            same_q = same_y and pid == pid_last
        if t == 2:
            for j in range(ns):
                u[j] = net.Wo[pid, j] + net.k_first[j]
            for l in range(nd):
                u[off + l] = net.y_first[l]
        else:
            if not same_y:
                if not kv_zero:
                    kv_product(net.KV, q_prev, z, p32)
                for k in range(ns):
                    q_z[k] = q_prev[k]
                have_z = True
            if not same_q:
                for j in range(ns):
                    u[j] = (net.Wo[pid, j] + net.k_thr[j]) + z[j]
            if not same_y:
                for l in range(nd):
                    u[off + l] = net.m[l] + z[off + l]
            pid_last = pid
        if not same_y:
            one_plus_exp_neg(u, fu, poly, bits, scale)
        elif not same_q:
            one_plus_exp_neg(ux, fx, poly, bits, scale)
        if not same_q:
            st = state_inference(fx, ux, q, facx)
        if not same_y:
            de, s2 = decision_inference(fy, uy, y, fe.lE_on, fe.lE_off, lEd, facy)
            selection_probabilities(y, r, pi)
        # 5. sample the decision
        choice = sample_decision(pi, uniforms[i])
        rec.decisions[i] = choice
        if i < rec.q.shape[0]:
            for j in range(ns):
                rec.q[i, j] = q[j]
        if i < rec.y.shape[0]:
            for l in range(nd):
                rec.y[i, l] = y[l]
        # learning accumulators (SPEC §8.8)
        accumulate_qa(lrn.Sq_on, lrn.Sq_off, pid, q)
        if t == 2:
            for j in range(ns):
                lrn.q2[j] = q[j]
        else:
            nb = accumulate_qbi(lrn.M, lrn.s_prev, lrn.s_cur, Bp, Bc, nb, q_prev, q)
        accumulate_qci(cs.S_on, cs.S_off, cs.s_on, cs.s_off, cs.cnt, choice, q_prev, q_prev_off)
        # free energy of step t (t = 2 .. t_end - 1; its chunk by decision index t, SPEC §8.9)
        if not at_goal and t < T:
            A, B = free_energy_terms(fe.vo_off, fe.b_on, fe.b_off, fe.c_on, fe.c_off, pid, q_prev, q_prev_off, st, de, s2)
            FA[(t - 1) // CHUNK] += A
            FB[(t - 1) // CHUNK] += B
        # a chunk of pairs is complete when the pair of its last state index is in
        if (t - 1) % CHUNK == 0 or at_goal:
            cidx = (t - 2) // CHUNK
            close_chunk(lrn, cs, G, cidx, min((cidx + 1) * CHUNK, t - 1))
            ch_done = cidx + 1
        for k in range(ns):
            q_prev[k] = q[k]
            q_prev_off[k] = 1.0 - q[k]
        if at_goal:
            t_end = t
            break
    finish_qbi(lrn, Bp, Bc, nb)
    n_c = (t_end - 1 + CHUNK - 1) // CHUNK
    if ch_done < n_c:  # a failed trial: the last (partial) chunk ends at t_end - 1 = T - 1
        close_chunk(lrn, cs, G, n_c - 1, t_end - 1)
    if cs.state[1] > 0.0:
        flush_pending(lrn.qci, cs)
    F = 0.0
    for c in range(n_c):
        F += FA[c] - (1.0 - 2.0 * lrn.gammas[c]) * FB[c]
    return t_end, F


@njit(cache=True, nogil=True, inline="always")
def _equal(a, b):
    """True if a and b are equal entry by entry (bit for bit up to the sign of zero)."""
    for k in range(a.shape[0]):
        if a[k] != b[k]:
            return False
    return True


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

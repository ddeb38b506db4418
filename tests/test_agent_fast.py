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


def test_qci_floor_pass_adds_held_increments_then_the_chunk():
    """The one-pass qci update equals, bit for bit, adding the held-back increments and then the chunk's with the
    floor at 1, written out in numpy (same operations, same order), and returns the new minimum."""
    from fepteach import _agent_numba as kern

    rng = np.random.default_rng(31)
    ns, nd = 5, 6
    for held, g in ((True, -0.9), (True, 0.8), (False, -0.9), (False, 0.8)):
        qci = 1.0 + 3.0 * rng.random((2 * ns, 2 * nd))
        cs = kern.new_chunk_sums(qci, ns, nd)
        cs.S_on[:] = 2.0 * rng.random((nd, ns))
        cs.S_off[:] = 2.0 * rng.random((nd, ns))
        cs.s_on[:] = cs.S_on.sum(axis=0) + 0.5
        cs.s_off[:] = cs.S_off.sum(axis=0) + 0.5
        if held:
            cs.P_on[:] = rng.standard_normal((nd, ns))
            cs.P_off[:] = rng.standard_normal((nd, ns))
            cs.ps_on[:] = cs.P_on.sum(axis=0)
            cs.ps_off[:] = cs.P_off.sum(axis=0)
        want = np.empty_like(qci)
        want[:ns, :nd] = (qci[:ns, :nd] + cs.P_on.T) + g * cs.S_on.T
        want[ns:, :nd] = (qci[ns:, :nd] + cs.P_off.T) + g * cs.S_off.T
        want[:ns, nd:] = (qci[:ns, nd:] + (cs.ps_on[:, None] - cs.P_on.T)) + g * (cs.s_on[:, None] - cs.S_on.T)
        want[ns:, nd:] = (qci[ns:, nd:] + (cs.ps_off[:, None] - cs.P_off.T)) + g * (cs.s_off[:, None] - cs.S_off.T)
        want = np.where(want > 1.0, want, 1.0)
        got = qci.copy()
        m = kern._apply_chunk(got, cs, g)
        assert np.array_equal(got, want) and m == want.min()
        assert (g > 0) or np.any(want == 1.0)  # with g < 0 the floor acts somewhere


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
    a = agf.run_agent_fast(m, ag.initial_params(0.3), 3, np.random.default_rng(1), T=500, keep_positions=(2,))[1]
    b = agf.run_agent_fast(m, ag.initial_params(0.3), 3, np.random.default_rng(1), T=500)[1]
    assert [x.t_end for x in a] == [x.t_end for x in b]
    assert len(a[0].positions) == 0 and len(a[1].positions) == a[1].t_end
    with pytest.raises(ValueError, match="rng"):
        agf.run_agent_fast(m, ag.initial_params(0.3), 3, 3)
    with pytest.raises(ValueError, match="uniforms"):
        ag.run_trial_reference(m, ag.initial_params(0.3), np.zeros(10), T=500)
    with pytest.raises(ValueError, match="multiple of 4"):  # start on a pillar row: refused, no crash
        agf.run_trial_fast(np.ones((9, 15), dtype=np.int8), ag.initial_params(0.3), np.zeros(500), T=500)


# --- the kernel's own copies of the readable agent's rules ----------------------------------
def test_kernel_selection_rule_equals_readable():
    """The compiled selection rule (eq. 6.1) gives agent.selection_probabilities bit for bit."""
    from fepteach import _agent_numba as kern

    rng = np.random.default_rng(5)
    r, pi = np.empty(ag.ND), np.empty(ag.ND)
    for k in range(500):
        y = rng.random(ag.ND) ** rng.uniform(0.05, 30.0)  # from nearly all ~1 to nearly all ~0
        if k % 5 == 0:
            y[rng.integers(ag.ND, size=8)] = rng.choice([0.0, 1.0, 1e-300, 1.0 - 1e-16], size=8)
        kern.selection_probabilities(y, r, pi)
        assert np.array_equal(pi, ag.selection_probabilities(y))


def test_kernel_chunk_risk_equals_readable():
    """The compiled chunk risk gives agent.chunk_risk on full and partial chunks, boundaries included."""
    from fepteach import _agent_numba as kern

    rng = np.random.default_rng(6)
    seen = set()
    for k in range(3000):
        n = ag.CHUNK if k % 2 else int(rng.integers(1, ag.CHUNK + 1))
        p_right = rng.uniform(0.2, 0.6)  # net progress spread over all four intervals
        G = rng.choice([0.0, 0.5, 1.0], size=n, p=[p_right, 0.8 - p_right, 0.2])
        pad = rng.random(3)  # the chunk sits inside a longer array of G
        full = np.concatenate([pad, G, pad])
        gamma = kern.chunk_risk(full, 3, 3 + n)
        assert gamma == ag.chunk_risk(G)
        seen.add(gamma)
    assert seen == set(ag.RISK_VALUES)


def test_kernel_qa_increment_equals_a_per_position_sum():
    """The compiled qa increment adds each visited position's sums in position order: numpy's loop bit for bit."""
    from fepteach import _agent_numba as kern

    m = mz.make_maze(np.random.default_rng(19))
    _, obs = agf.position_table(m)
    rng = np.random.default_rng(20)
    visits = rng.integers(1, 300, size=(obs.shape[0], 1)) * (rng.random((obs.shape[0], 1)) < 0.7)  # some never visited
    Sq_on = rng.random((obs.shape[0], NS)) * visits
    Sq_off = rng.random((obs.shape[0], NS)) * (Sq_on[:, :1] > 0)
    no = obs.shape[1]
    expected = np.zeros((2 * no, 2 * NS))
    for p in range(obs.shape[0]):
        rows = np.where(obs[p] != 0, np.arange(no), no + np.arange(no))
        expected[rows] += np.concatenate([Sq_on[p], Sq_off[p]])
    assert np.any(Sq_on[:, 0] == 0)
    assert np.array_equal(kern.qa_increment(obs, Sq_on, Sq_off), expected)


# --- the K|V product: exact 8-row blocking, float32 rounding bound ---------------------------
@pytest.fixture(scope="module")
def trained():
    """A maze and an agent after two short trials (learned, nonzero K and V)."""
    m = mz.make_maze(np.random.default_rng(21))
    p, _ = agf.run_agent_fast(m, ag.initial_params(0.35), 2, np.random.default_rng(22), T=4000)
    return m, p


def _fused(maze, params, dtype):
    _, obs = agf.position_table(maze)
    return agf.network_form(ag.log_params(params), obs).fused(dtype)


def test_blocked_product_is_bit_identical_to_the_row_loop(trained):
    from fepteach import _agent_numba as kern

    rng = np.random.default_rng(7)
    KV = _fused(*trained, np.float64)
    assert np.all(KV[:, : ag.NS] != 0) and KV.shape[0] % 8 != 0  # a learned K; a remainder row
    for A in (KV, rng.standard_normal((121, 384)), rng.standard_normal((16, 40))):
        for _ in range(20):
            q = rng.random(A.shape[0])
            z_rows, z_blocked = np.empty(A.shape[1]), np.empty(A.shape[1])
            p32 = np.empty(A.shape[1], np.float32)
            kern.kv_product_rows(A, q, z_rows, p32)
            kern.kv_product_f64(A, q, z_blocked, p32)
            assert np.array_equal(z_rows, z_blocked)


def _row_loop_kernel():
    """trial_kernel compiled from the same source with the one-row-per-pass product."""
    import types

    from numba import njit

    from fepteach import _agent_numba as kern

    src = kern.trial_kernel.py_func
    glb = dict(src.__globals__, kv_product=kern.kv_product_rows)
    return njit(types.FunctionType(src.__code__, glb, "trial_kernel_rows"))


def _assert_same_trials(kernels, trained, monkeypatch, precision="float64"):
    """Fresh and trained 3000-step trials with each of the two ``kernels`` as trial_kernel are equal bit for bit."""
    from fepteach import _agent_numba as kern

    m, p_trained = trained
    runs = {}
    for label, kernel in enumerate(kernels):
        monkeypatch.setattr(kern, "trial_kernel", kernel)
        for name, p in (("fresh", ag.initial_params(0.35)), ("trained", p_trained)):
            U = ag.draw_uniforms(np.random.default_rng(23), 3000)
            runs[label, name] = agf.run_trial_fast(m, p, U, T=3000, record_posteriors=True, precision=precision)
    for name in ("fresh", "trained"):
        (pa, sa), (pb, sb) = runs[0, name], runs[1, name]
        assert sa.t_end == sb.t_end and sa.F == sb.F
        for x, y in ((sa.decisions, sb.decisions), (sa.q, sb.q), (sa.y, sb.y), (pa.qa, pb.qa), (pa.qbi, pb.qbi),
                     (pa.qci, pb.qci)):
            assert np.array_equal(x, y)


@pytest.mark.slow
def test_blocked_product_gives_bit_identical_trials(trained, monkeypatch):
    """Whole fresh and trained trials with the blocked product equal those with the row loop.

    Slow tier: it compiles a second trial kernel (not cacheable). The fast tier keeps the unit this rests on,
    ``test_blocked_product_is_bit_identical_to_the_row_loop`` (the product itself, on a learned K|V and on
    shapes with remainder rows): the kernels differ only in that product.
    """
    from fepteach import _agent_numba as kern

    _assert_same_trials((kern.trial_kernel, _row_loop_kernel()), trained, monkeypatch)


def _python_division_kernel():
    """trial_kernel (and its selection rule) compiled from the same source with Python's division checks
    (numba's "python" error model: scalar divisions, each checked for a zero denominator)."""
    import types

    from numba import njit

    from fepteach import _agent_numba as kern

    src = kern.trial_kernel.py_func
    glb = dict(src.__globals__, selection_probabilities=njit(error_model="python")(kern.selection_probabilities.py_func))
    return njit(error_model="python")(types.FunctionType(src.__code__, glb, "trial_kernel_plain"))


@pytest.mark.slow
def test_vectorised_divisions_give_bit_identical_trials(trained, monkeypatch):
    """Whole float32 fresh and trained trials equal those with Python's division checks (float64: the row-loop
    kernel above is compiled with them). Slow tier: it compiles a second trial kernel (not cacheable)."""
    from fepteach import _agent_numba as kern

    _assert_same_trials((kern.trial_kernel, _python_division_kernel()), trained, monkeypatch, "float32")


def test_float32_product_within_its_rounding_bound(trained):
    """|z32 - z64| <= (3 + 7) 2^-24 sum_k |q_k KV_kj| (+ float64 terms): KV, q and each product rounded
    once to float32 (3 roundings), 7 float32 additions per block of 8 rows."""
    from fepteach import _agent_numba as kern

    rng = np.random.default_rng(8)
    KV = _fused(*trained, np.float64)
    KV32 = _fused(*trained, np.float32)
    worst = 0.0
    for _ in range(50):
        q = rng.random(KV.shape[0])
        z64, z32 = np.empty(KV.shape[1]), np.empty(KV.shape[1])
        p32 = np.empty(KV.shape[1], np.float32)
        kern.kv_product_f64(KV, q, z64, p32)
        kern.kv_product(KV32, q, z32, p32)  # the dtype chooses the float32 product
        scale = np.abs(q) @ np.abs(KV)
        bound = 10 * 2.0**-24 * (1 + 1e-6) * scale + 2 * KV.shape[0] * 2.0**-53 * scale
        assert np.all(np.abs(z32 - z64) <= bound)
        worst = max(worst, float(np.max(np.abs(z32 - z64) / np.where(scale > 0, scale, 1))))
    assert worst > 0  # the float32 product really is rounded


def _float32_product_in_numpy(KV32, q):
    """The float32 product's rounding order written out in numpy (float32 elementwise arithmetic, no FMA):
    per block of 8 rows p = q_k0 KV_k0 + q_k1 KV_k1 + ... in float32, left to right, added into float64 z;
    remainder rows one by one."""
    q32 = q.astype(np.float32)
    z = np.zeros(KV32.shape[1])
    k8 = KV32.shape[0] - KV32.shape[0] % 8
    for k in range(0, k8, 8):
        p = q32[k] * KV32[k]
        for i in range(1, 8):
            p = p + q32[k + i] * KV32[k + i]
        z = z + p.astype(np.float64)
    for k in range(k8, KV32.shape[0]):
        z = z + (q32[k] * KV32[k]).astype(np.float64)
    return z


def test_float32_product_has_its_rounding_order(trained):
    """The compiled float32 product (partial sums through a float32 work array) is bit-identical to the same
    arithmetic in numpy, on the learned K|V and on shapes with remainder rows."""
    from fepteach import _agent_numba as kern

    rng = np.random.default_rng(9)
    KV32 = _fused(*trained, np.float32)
    for A in (KV32, rng.standard_normal((121, 384)).astype(np.float32), rng.standard_normal((19, 40)).astype(np.float32)):
        for _ in range(10):
            q = rng.random(A.shape[0])
            z = np.empty(A.shape[1])
            kern.kv_product(A, q, z, np.empty(A.shape[1], np.float32))
            assert np.array_equal(z, _float32_product_in_numpy(A, q))


def test_fused_weights_and_kernel_work_arrays_start_on_a_cache_line(trained):
    from fepteach import _agent_numba as kern

    for dtype in (np.float64, np.float32):
        KV = _fused(*trained, dtype)
        assert KV.ctypes.data % kern.CACHE_LINE == 0 and KV.flags.c_contiguous and KV.dtype == dtype
    for dtype, n in ((np.float64, 384), (np.float32, 384), (np.int64, 121)):
        buf = np.zeros(n + 2 * (64 // np.dtype(dtype).itemsize), dtype)
        for start in range(4):  # views of buffers at several misalignments
            v = kern._aligned(buf[start:], n)
            assert v.ctypes.data % kern.CACHE_LINE == 0 and v.shape == (n,)


# --- precision="float32" -------------------------------------------------------------------
def test_float32_untrained_trials_are_bit_identical():
    m = mz.make_maze(np.random.default_rng(24))
    p = ag.initial_params(0.25)
    U = ag.draw_uniforms(np.random.default_rng(25), 4000)
    (pa, sa), (pb, sb) = (agf.run_trial_fast(m, p, U, T=4000, record_posteriors=True, precision=pr)
                          for pr in ("float64", "float32"))
    assert sa.t_end == sb.t_end and sa.F == sb.F and np.array_equal(sa.gammas, sb.gammas)
    for x, y in ((sa.decisions, sb.decisions), (sa.q, sb.q), (sa.y, sb.y), (pa.qa, pb.qa), (pa.qbi, pb.qbi),
                 (pa.qci, pb.qci)):
        assert np.array_equal(x, y)


def test_float32_trained_trial_close_to_float64(trained):
    """On a trial where the decisions stay equal: q, y within 1e-7; F and learned counts within 1e-8 relative."""
    m, p = trained
    U = ag.draw_uniforms(np.random.default_rng(26), 4000)
    (pa, sa), (pb, sb) = (agf.run_trial_fast(m, p, U, T=4000, record_posteriors=True, precision=pr)
                          for pr in ("float64", "float32"))
    assert np.array_equal(sa.decisions, sb.decisions)  # this seed keeps the decisions equal
    assert 0 < np.max(np.abs(sa.q - sb.q)) <= 1e-7 and np.max(np.abs(sa.y - sb.y)) <= 1e-7
    assert abs(sa.F - sb.F) <= 1e-8 * abs(sa.F)
    for a, b in ((pa.qa, pb.qa), (pa.qbi, pb.qbi), (pa.qci, pb.qci)):
        assert np.max(np.abs(a - b) / np.abs(a)) <= 1e-8


@pytest.mark.parametrize("bad", ["float16", "Float32", 32, None, np.float32])
def test_precision_is_validated(bad):
    m = mz.make_maze(np.random.default_rng(27), ny=7, nx=15)
    p = ag.initial_params(0.3)
    with pytest.raises(ValueError, match="precision must be one of"):
        agf.run_trial_fast(m, p, np.zeros(300), T=300, precision=bad)
    with pytest.raises(ValueError, match="precision must be one of"):
        agf.run_agent_fast(m, p, 1, np.random.default_rng(0), T=300, precision=bad)


def test_vectorisable_exp_is_within_2_ulp_of_numpy():
    from fepteach import _agent_numba as kern

    u = np.concatenate([np.linspace(-700, 700, 20001), np.random.default_rng(9).normal(0, 30, 20000)])
    f, poly, bits = np.empty_like(u), np.empty_like(u), np.zeros(u.size, dtype=np.int64)
    kern.one_plus_exp_neg(u, f, poly, bits, bits.view(np.float64))
    e = np.exp(-u)
    assert np.all(np.abs((f - 1.0) - e) <= 2 * np.spacing(e) + 2 * np.spacing(f))


def test_vectorisable_exp_builds_2_to_the_n_exactly():
    """2^n made from the float n + 1.5 2^52 (no float -> int conversion) is ldexp(1, n): f is bit-identical."""
    import math

    from numba import njit

    from fepteach import _agent_numba as kern

    @njit(fastmath={"contract"})  # the kernel's rounding of n (x * log2 e + 0.5 contracts to one fma)
    def with_ldexp(u, poly, f):
        for i in range(u.shape[0]):
            x = min(max(-u[i], -kern._EXP_CLIP), kern._EXP_CLIP)
            n = math.floor(x * kern._LOG2E + 0.5)
            f[i] = 1.0 + poly[i] * math.ldexp(1.0, n)

    rng = np.random.default_rng(10)
    u = np.concatenate([np.linspace(-800, 800, 160001), rng.normal(0, 30, 20000), rng.normal(0, 2, 20000)])
    f, poly, bits = np.empty_like(u), np.empty_like(u), np.zeros(u.size, dtype=np.int64)
    kern.one_plus_exp_neg(u, f, poly, bits, bits.view(np.float64))
    f_ref = np.empty_like(u)
    with_ldexp(u, poly, f_ref)
    assert np.array_equal(f.view(np.int64), f_ref.view(np.int64))

"""Interleaved A/B of the maze kernel against an earlier revision of ``fepteach/_agent_numba.py`` (issue 11 item 4, issue 13).

Times ``trial_kernel`` alone (the compiled trial; the per-trial Python work around it is the
same code for all variants) on a fresh (untrained, K = V = 0) and a trained left-biased agent,
20000-step trials, CPU time (``time.process_time``) and wall time per agent-step:

* ``old``      — the kernel of ``--old`` (default dbb9030: 39 positional parameters, row-loop product);
* ``new``      — the current kernel (structured arguments, 8-row blocked product);
* ``new_rows`` — the current kernel compiled with the one-row-per-pass product;
* ``new_f32``  — the current kernel with ``precision="float32"``.

First checks that old, new and new_rows give bit-identical trials, then runs ``--repeats``
rounds, rotating the order of the variants every round. Reports medians [min-max] and the
per-round ratios old / variant (> 1: the variant is faster).

``--against REV`` instead times whole trials (:func:`fepteach.agent_fast.run_trial_fast`: the
per-trial set-up, the kernel and end-of-trial learning) with the kernel module of the working
tree (B) against the one of revision REV (A), for a fresh and a trained agent in both
precisions (fresh: trial 1, K = V = 0). It first checks that A and B give bit-identical trials
(decisions, positions, posteriors, F, chunk risks and learned counts), then runs rounds of
``--pairs`` A/B pairs of single trials per case (fine interleaving: the load changes less
within a pair; the order inside a pair alternates) and reports the per-round CPU-time ratios
A / B (> 1: the working tree is faster) as median [min-max].

``--against REV --setup`` times the per-trial compiled set-up (``qa_increment``,
``observation_drive``) the same way, on the data of a trained trial.

Usage: ``python benchmarks/ab_kernel.py [--repeats 9] [--old REV]`` or
``python benchmarks/ab_kernel.py --against REV [--repeats 9] [--pairs 4] [--cases ...]``
"""

from __future__ import annotations

import argparse
import importlib.util
import os
import subprocess
import sys
import tempfile
import time
import types
from pathlib import Path

import numpy as np
from numba import njit

from fepteach import _agent_numba as kern
from fepteach import agent as ag
from fepteach import agent_fast as agf
from fepteach import maze as mz
from fepteach._validate import EPS


def load_old(rev):
    """The kernel module of revision ``rev`` (self-contained: numpy, numba, math only)."""
    root = Path(__file__).resolve().parents[1]
    src = subprocess.run(["git", "show", f"{rev}:fepteach/_agent_numba.py"], cwd=root, check=True,
                         capture_output=True, text=True).stdout
    path = Path(tempfile.mkdtemp()) / "old_agent_numba.py"
    path.write_text(src)
    spec = importlib.util.spec_from_file_location("old_agent_numba", path)
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    return mod


def _inputs(maze, params):
    pid_map, obs = agf.position_table(maze)
    nf = agf.network_form(ag.log_params(params), obs)
    D_on, D_off = (np.ascontiguousarray(h) for h in ag.halves(params.D))
    ny, nx = maze.shape
    return pid_map, obs, nf, D_on, D_off, mz.start_position(ny), mz.goal_position(ny, nx)


def run_old(old, maze, params, U, T):
    pid_map, obs, nf, D_on, D_off, (sr, sc), (gr, gc) = _inputs(maze, params)
    n_pid, ns, nd = obs.shape[0], ag.NS, ag.ND
    out = dict(positions=np.zeros((T, 2), dtype=np.int32), decisions=np.full(T, -1, dtype=np.int32),
               Sq_on=np.zeros((n_pid, ns)), Sq_off=np.zeros((n_pid, ns)), M=np.zeros((ns, 128)), s_prev=np.zeros(ns),
               s_cur=np.zeros(ns), q2=np.zeros(ns), qci=params.qci.copy(), gammas=np.zeros(ag.n_chunks(T)),
               q=np.zeros((T, ns)), y=np.zeros((T, nd)))
    c0, t0 = time.process_time(), time.perf_counter()
    t_end, F = old.trial_kernel(
        np.ascontiguousarray(maze, dtype=np.int8), pid_map, sr, sc, gr, gc, nf.Wo, nf.KV, 128, nf.k_thr, nf.k_first,
        nf.m, nf.y_first, D_on, D_off, nf.vo_off, nf.b_on, nf.b_off, nf.c_on, nf.c_off, nf.lE_on, nf.lE_off, U, T,
        ag.CHUNK, EPS, EPS, out["positions"], out["decisions"], out["Sq_on"], out["Sq_off"], out["M"],
        out["s_prev"], out["s_cur"], out["q2"], out["qci"], out["gammas"], out["q"], out["y"])
    return t_end, F, out, (time.process_time() - c0, time.perf_counter() - t0)


def run_new(maze, params, U, T, precision="float64", kernel=None):
    kernel = kern.trial_kernel if kernel is None else kernel
    pid_map, obs, nf, D_on, D_off, (sr, sc), (gr, gc) = _inputs(maze, params)
    n_pid, ns, nd = obs.shape[0], ag.NS, ag.ND
    world = kern.World(np.ascontiguousarray(maze, dtype=np.int8), pid_map, int(sr), int(sc), int(gr), int(gc))
    net = kern.Network(nf.Wo, nf.fused(precision), nf.k_thr, nf.k_first, nf.m, nf.y_first, D_on, D_off)
    fe = kern.FreeEnergyWeights(nf.vo_off, nf.b_on, nf.b_off, nf.c_on, nf.c_off, nf.lE_on, nf.lE_off)
    lrn = kern.Learning(np.zeros((n_pid, ns)), np.zeros((n_pid, ns)), np.zeros((ns, 128)), np.zeros(ns), np.zeros(ns),
                        np.zeros(ns), params.qci.copy(), np.zeros(ag.n_chunks(T)))
    rec = kern.Record(np.zeros((T, 2), dtype=np.int32), np.full(T, -1, dtype=np.int32), np.zeros((T, ns)),
                      np.zeros((T, nd)))
    c0, t0 = time.process_time(), time.perf_counter()
    t_end, F = kernel(world, net, fe, U, T, lrn, rec)
    out = dict(positions=rec.positions, decisions=rec.decisions, Sq_on=lrn.Sq_on, Sq_off=lrn.Sq_off, M=lrn.M,
               s_prev=lrn.s_prev, s_cur=lrn.s_cur, q2=lrn.q2, qci=lrn.qci, gammas=lrn.gammas, q=rec.q, y=rec.y)
    return t_end, F, out, (time.process_time() - c0, time.perf_counter() - t0)


def load_module_at(rev):
    """``fepteach/_agent_numba.py`` of revision ``rev`` as a module of the fepteach package (its relative imports work).

    The source is written to a folder named after the file's git blob, so numba's cache is reused across runs.
    """
    import fepteach

    root = Path(__file__).resolve().parents[1]
    sha = subprocess.run(["git", "rev-parse", f"{rev}:fepteach/_agent_numba.py"], cwd=root, check=True,
                         capture_output=True, text=True).stdout.strip()  # the file's blob: same file, same folder
    src = subprocess.run(["git", "show", sha], cwd=root, check=True, capture_output=True, text=True).stdout
    folder = Path(tempfile.gettempdir()) / f"fepteach_ab_{sha[:12]}"
    folder.mkdir(exist_ok=True)
    path = folder / "_agent_numba_ab.py"
    if not path.is_file() or path.read_text() != src:
        path.write_text(src)
    name = f"fepteach._agent_numba_{sha[:12]}"
    spec = importlib.util.spec_from_file_location(name, path)
    mod = importlib.util.module_from_spec(spec)
    mod.__package__ = fepteach.__name__
    sys.modules[name] = mod
    spec.loader.exec_module(mod)
    return mod


def whole_trial(module, maze, params, seed, precision, tables, record=False):
    """One learning trial of run_trial_fast with ``module`` as the kernel module; ((params, summary), CPU seconds, steps)."""
    import fepteach

    current = fepteach._agent_numba
    fepteach._agent_numba = module  # agent_fast imports the kernel module at call time
    try:
        U = ag.draw_uniforms(np.random.default_rng(seed))
        c0 = time.process_time()
        out = agf.run_trial_fast(maze, params, U, tables=tables, precision=precision, record_posteriors=record)
        return out, time.process_time() - c0, out[1].t_end - 1
    finally:
        fepteach._agent_numba = current


def same_trial(a, b):
    """True if two (params, summary) pairs are equal bit for bit."""
    (pa, sa), (pb, sb) = a, b
    pairs = [(sa.decisions, sb.decisions), (sa.positions, sb.positions), (sa.gammas, sb.gammas), (sa.q, sb.q),
             (sa.y, sb.y), (sa.e_hat, sb.e_hat)] + [(getattr(pa, n), getattr(pb, n)) for n in ("qa", "qbi", "qci")]
    return sa.t_end == sb.t_end and sa.F == sb.F and all(np.array_equal(x, y) for x, y in pairs)


CASES = ("fresh float64", "fresh float32", "trained float64", "trained float32")


def main_against(rev, repeats, pairs, train_trials, cases, rev_b=None):
    """Interleaved A/B of whole trials: REV's kernel module (A) against the working tree's (B, or ``rev_b``'s).

    A round holds ``pairs`` A/B pairs of one trial each per case (the order inside a pair
    alternates); the round's ratio is A's total CPU time over B's (per agent-step).
    """
    mod_a, mod_b = load_module_at(rev), (kern if rev_b is None else load_module_at(rev_b))
    maze = mz.make_maze(np.random.default_rng(123))
    tables = agf.position_table(maze)
    fresh = ag.initial_params(0.15)
    trained, _ = agf.run_agent_fast(maze, fresh, rng=np.random.default_rng(1), n_trials=train_trials, progress=False)
    params = {"fresh": fresh, "trained": trained}
    cases = [tuple(c.split()) for c in cases]
    for c, pr in cases:  # compile or load both, and check bit-identity (fresh: trial 1 and the trial after it)
        p = params[c]
        for seed in (7, 8):
            ra, _, _ = whole_trial(mod_a, maze, p, seed, pr, tables, record=True)
            rb, _, _ = whole_trial(mod_b, maze, p, seed, pr, tables, record=True)
            print(f"{c} {pr} seed {seed}: bit-identical A vs B: {same_trial(ra, rb)}", flush=True)
            p = ra[0]
    res = {k: [] for k in cases}
    loads = []
    for r in range(repeats):
        for c, pr in cases:
            tot = {"A": [0.0, 0], "B": [0.0, 0]}
            for k in range(pairs):
                for v in (("A", "B") if (r + k) % 2 == 0 else ("B", "A")):
                    _, cpu, steps = whole_trial(mod_a if v == "A" else mod_b, maze, params[c], 1000 * r + k, pr, tables)
                    tot[v][0] += cpu
                    tot[v][1] += steps
            res[c, pr].append((tot["A"][0] / tot["A"][1] * 1e6, tot["B"][0] / tot["B"][1] * 1e6))
        loads.append(os.getloadavg()[0])
        print(f"round {r + 1}/{repeats} done, load {loads[-1]:.1f}", file=sys.stderr, flush=True)
    print(f"A = {rev}, B = {rev_b or 'working tree'}; {repeats} interleaved rounds of {pairs} A/B pairs of whole trials per case, "
          f"load average {min(loads):.1f}-{max(loads):.1f} on {os.cpu_count()} cores; CPU us per agent-step, median [min-max]")
    for c, pr in cases:
        a, b = np.array(res[c, pr]).T
        ratio = a / b
        print(f"{c:8s} {pr:8s} A {np.median(a):6.2f} [{a.min():.2f}-{a.max():.2f}]  B {np.median(b):6.2f} "
              f"[{b.min():.2f}-{b.max():.2f}]  A/B per round: median {np.median(ratio):.4f} "
              f"[{ratio.min():.4f}-{ratio.max():.4f}]")
    return 0


def main_setup(rev, repeats, rev_b=None, calls=20):
    """Interleaved A/B of the per-trial compiled set-up (``qa_increment``, ``observation_drive``) on a trained trial's data."""
    mod_a, mod_b = load_module_at(rev), (kern if rev_b is None else load_module_at(rev_b))
    maze = mz.make_maze(np.random.default_rng(123))
    pid_map, obs = agf.position_table(maze)
    fresh = ag.initial_params(0.15)
    trained, _ = agf.run_agent_fast(maze, fresh, rng=np.random.default_rng(1), n_trials=3, progress=False)
    lp = ag.log_params(trained)
    nf = agf.network_form(lp, obs)
    Sq = np.zeros((obs.shape[0], ag.NS))  # per-position sums of q of a trained trial
    Sq_off = np.zeros_like(Sq)
    _, s = agf.run_trial_fast(maze, trained, ag.draw_uniforms(np.random.default_rng(2)), tables=(pid_map, obs),
                              record_posteriors=True)
    for t in range(1, s.t_end):
        p = pid_map[s.positions[t, 0], s.positions[t, 1]]
        Sq[p] += s.q[t]
        Sq_off[p] += 1.0 - s.q[t]
    W = np.random.default_rng(3).standard_normal((obs.shape[1], ag.NS))
    jobs = {"qa_increment": lambda m: m.qa_increment(obs, Sq, Sq_off), "observation_drive": lambda m: m.observation_drive(obs, W, nf.k_thr)}
    for name, f in jobs.items():
        print(f"{name}: bit-identical A vs B: {np.array_equal(f(mod_a), f(mod_b))}")
    res = {n: [] for n in jobs}
    for r in range(repeats):
        for name, f in jobs.items():
            tot = {"A": 0.0, "B": 0.0}
            for k in range(calls):
                for v in (("A", "B") if (r + k) % 2 == 0 else ("B", "A")):
                    c0 = time.process_time()
                    f(mod_a if v == "A" else mod_b)
                    tot[v] += time.process_time() - c0
            res[name].append((tot["A"] / calls * 1e3, tot["B"] / calls * 1e3))
    print(f"A = {rev}, B = {rev_b or 'working tree'}; {repeats} rounds of {calls} interleaved A/B pairs of calls, "
          f"load average {os.getloadavg()[0]:.1f}; CPU ms per call (once per trial), median [min-max]")
    for name in jobs:
        a, b = np.array(res[name]).T
        ratio = a / b
        print(f"{name:18s} A {np.median(a):6.3f} [{a.min():.3f}-{a.max():.3f}]  B {np.median(b):6.3f} [{b.min():.3f}-{b.max():.3f}]"
              f"  A/B per round: median {np.median(ratio):.3f} [{ratio.min():.3f}-{ratio.max():.3f}]")
    return 0


def rows_kernel():
    """The current trial_kernel source compiled with the one-row-per-pass product."""
    src = kern.trial_kernel.py_func
    return njit(types.FunctionType(src.__code__, dict(src.__globals__, kv_product=kern.kv_product_rows), "trial_kernel_rows"))


def identical(a, b):
    return a[0] == b[0] and a[1] == b[1] and all(np.array_equal(a[2][k], b[2][k]) for k in a[2])


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--repeats", type=int, default=9)
    ap.add_argument("--old", default="dbb9030")
    ap.add_argument("--train-trials", type=int, default=20)
    ap.add_argument("--against", default=None, help="time whole trials of the working tree against this revision")
    ap.add_argument("--b", default=None, help="with --against: B is this revision instead of the working tree")
    ap.add_argument("--setup", action="store_true", help="with --against: time the per-trial compiled set-up instead")
    ap.add_argument("--pairs", type=int, default=4, help="A/B pairs of trials per case and round with --against")
    ap.add_argument("--cases", default=",".join(CASES), help="cases with --against, e.g. 'trained float64,fresh float64'")
    args = ap.parse_args(argv)
    if args.against is not None and args.setup:
        return main_setup(args.against, args.repeats, args.b)
    if args.against is not None:
        return main_against(args.against, args.repeats, args.pairs, args.train_trials, args.cases.split(","), args.b)
    old = load_old(args.old)
    kr = rows_kernel()
    variants = {
        "old": lambda m, p, U: run_old(old, m, p, U, ag.T_MAX),
        "new": lambda m, p, U: run_new(m, p, U, ag.T_MAX),
        "new_rows": lambda m, p, U: run_new(m, p, U, ag.T_MAX, kernel=kr),
        "new_f32": lambda m, p, U: run_new(m, p, U, ag.T_MAX, "float32"),
    }
    maze = mz.make_maze(np.random.default_rng(123))
    fresh = ag.initial_params(0.15)
    trained, _ = agf.run_agent_fast(maze, fresh, args.train_trials, np.random.default_rng(1), progress=False)
    cases = {"fresh": fresh, "trained": trained}
    for name, p in cases.items():
        U = ag.draw_uniforms(np.random.default_rng(7))
        outs = {v: f(maze, p, U) for v, f in variants.items()}
        print(f"{name}: bit-identical to old:", {v: identical(outs["old"], o) for v, o in outs.items() if v != "old"})
    res = {c: {v: [] for v in variants} for c in cases}
    loads = []
    names = list(variants)
    for r in range(args.repeats):
        for c, p in cases.items():
            U = ag.draw_uniforms(np.random.default_rng(100 + r))
            k = r % len(names)
            for v in names[k:] + names[:k]:
                t_end, _, _, (cpu, wall) = variants[v](maze, p, U)
                res[c][v].append((cpu / (t_end - 1) * 1e6, wall / (t_end - 1) * 1e6))
        loads.append(os.getloadavg()[0])
    print(f"{args.repeats} interleaved rounds, load average {min(loads):.1f}-{max(loads):.1f} on {os.cpu_count()} cores")
    for c in cases:
        for v in names:
            a = np.array(res[c][v])
            print(f"{c:8s} {v:9s} CPU {np.median(a[:, 0]):6.2f} [{a[:, 0].min():.2f}-{a[:, 0].max():.2f}] us/step, "
                  f"wall {np.median(a[:, 1]):6.2f} [{a[:, 1].min():.2f}-{a[:, 1].max():.2f}]")
        o = np.array(res[c]["old"])[:, 0]
        for v in names[1:]:
            ratio = o / np.array(res[c][v])[:, 0]
            print(f"{c:8s} old/{v:9s} per round (CPU): median {np.median(ratio):.3f} [{ratio.min():.3f}-{ratio.max():.3f}]")
    return 0


if __name__ == "__main__":
    sys.exit(main())

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

Usage: ``python benchmarks/ab_kernel.py [--repeats 9] [--old REV]``
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
    args = ap.parse_args(argv)
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

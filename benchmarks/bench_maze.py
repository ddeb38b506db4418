"""Speed of the maze agent (SPEC §8): microseconds per agent-step, as ratios measured in one run.

Compared side by side on the same maze:

* ``fast engine``   — fepteach.agent_fast.run_trial_fast (numba, network form, learning and F included),
  over the first trials of a left-biased agent (the first trial is untrained: K = V = 0);
* ``fast, trained`` — the same agent after ``--train-trials`` more trials (learned K and V,
  almost every y_l below the 1e-6 floor of F): the cost of a typical trial of the paper protocol;
* ``reference``     — fepteach.agent.run_trial_reference + learn + free_energy (readable numpy);
* ``authors' [Py]`` — the POMDP class of reverse-engineering-py stepping the same maze
  (infer every step, learn + compute_vfe at the end), if installed.

Design probes (inference only, per agent-step): the fused K|V matrix-vector product + sigmoids
of one agent compiled with numba in float64 (what the engine does) and in float32, and the
same step for B agents batched in numpy (einsum over B weight matrices).

``--protocol`` also times the full paper protocol (30 agents x 100 trials) for prior 0.25 and
for all three priors on all cores, with peak memory, and saves the results (``--out``).

Usage: ``python benchmarks/bench_maze.py [--json] [--protocol --out runs/paper]``
"""

from __future__ import annotations

import argparse
import json
import math
import os
import resource
import sys
import time

import numpy as np

from fepteach import agent as ag
from fepteach import agent_fast as agf
from fepteach import maze as mz


def _authors_steps(maze, params, n_steps, seed=0):
    from reverse_engineering.pomdp import POMDP

    model = POMDP(qa_init=params.qa.copy(), D=params.D.copy(), qbi_init=params.qbi.copy(),
                  qci_init=params.qci.copy(), E=params.E.copy(), sim_type=2, buf_size=n_steps + 2)
    np.random.seed(seed)  # the authors' class samples with NumPy's global generator
    ny, nx = maze.shape
    pos, d_prev = mz.start_position(ny), None
    t0 = time.perf_counter()
    for t in range(2, n_steps + 2):
        if d_prev is not None:
            pos = mz.move(maze, pos, ag.first_action(d_prev))
        o = mz.observe(maze, pos)
        _, _, d = model.infer(np.concatenate([o, 1 - o]).astype(np.int32))
        d_prev = int(np.argmax(d))
    gammas = np.zeros(ag.n_chunks(n_steps + 1))
    model.compute_vfe(gammas=gammas, risk_chunk_size=ag.CHUNK)
    model.learn(gammas=gammas, risk_chunk_size=ag.CHUNK)
    return (time.perf_counter() - t0) / n_steps * 1e6


def _fast(maze, params, n_trials, T, seed=0):
    rng = np.random.default_rng(seed)
    tables = agf.position_table(maze)
    steps = 0
    t0 = time.perf_counter()
    for _ in range(n_trials):
        params, s = agf.run_trial_fast(maze, params, ag.draw_uniforms(rng, T), T=T, tables=tables)
        steps += s.t_end - 1
    return (time.perf_counter() - t0) / steps * 1e6


def _fast_trained(maze, params, n_train, n_trials, T, seed=1):
    rng = np.random.default_rng(seed)
    params, _ = agf.run_agent_fast(maze, params, rng, n_train, T=T, progress=False)
    return _fast(maze, params, n_trials, T, seed=seed + 1)


def _reference(maze, params, T, seed=0):
    U = ag.draw_uniforms(np.random.default_rng(seed), T)
    t0 = time.perf_counter()
    rec = ag.run_trial_reference(maze, params, U, T=T)
    ag.learn(params, rec)
    ag.trial_free_energy(params, rec)
    return (time.perf_counter() - t0) / (rec.t_end - 1) * 1e6


def _probe_numba(dtype, n_steps=20000):
    from numba import njit

    @njit(cache=False)
    def loop(KV, u0, q, n):
        nu = KV.shape[1]
        u = np.empty(nu, KV.dtype)
        acc = 0.0
        for t in range(n):
            for j in range(nu):
                u[j] = u0[j]
            for k in range(KV.shape[0]):
                qk = q[k]
                for j in range(nu):
                    u[j] += qk * KV[k, j]
            for j in range(nu):
                y = 1.0 / (1.0 + math.exp(-u[j]))
                acc += y
            q[t % q.shape[0]] = 0.5 + 1e-9 * (acc - math.floor(acc))
        return acc

    rng = np.random.default_rng(0)
    KV = (rng.standard_normal((121, 384)) * 1e-3).astype(dtype)
    u0 = rng.standard_normal(384).astype(dtype)
    q = rng.random(121).astype(dtype)
    loop(KV, u0, q, 10)
    t0 = time.perf_counter()
    loop(KV, u0, q, n_steps)
    return (time.perf_counter() - t0) / n_steps * 1e6


def _probe_batched_numpy(B, n_steps=300):
    from scipy.special import expit

    rng = np.random.default_rng(0)
    KV = rng.standard_normal((B, 121, 384)) * 1e-3
    q = rng.random((B, 121))
    t0 = time.perf_counter()
    for _ in range(n_steps):
        u = np.einsum("bk,bkj->bj", q, KV)
        y = expit(u)
        q = y[:, :121]
    return (time.perf_counter() - t0) / (n_steps * B) * 1e6


def _peak_rss_mb():
    self_kb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    child_kb = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    return self_kb / 1024, child_kb / 1024


def _protocol(out, priors, seed):
    from fepteach import experiment as ex

    rows = []
    workers = os.cpu_count() or 1
    for prior in priors:
        folder = None if out is None else os.path.join(out, f"E{prior}")
        c0 = resource.getrusage(resource.RUSAGE_CHILDREN)
        t0 = time.perf_counter()
        res = ex.run_paper_protocol(prior, seed=seed, out=folder, progress=True)
        wall = time.perf_counter() - t0
        c1 = resource.getrusage(resource.RUSAGE_CHILDREN)  # the pool's workers have exited by now
        cpu = (c1.ru_utime - c0.ru_utime) + (c1.ru_stime - c0.ru_stime)
        steps = int((res.durations - 1).sum())
        rows.append({"prior": prior, "seconds": wall, "worker_cpu_seconds": cpu, "agent_steps": steps, "workers": workers,
                     "load_average_after": os.getloadavg()[0],
                     "us_per_agent_step_wall": wall / steps * 1e6, "folder": folder})
    self_mb, child_mb = _peak_rss_mb()
    return rows, {"peak_rss_parent_mb": self_mb, "peak_rss_worker_mb": child_mb,
                  "peak_total_mb_estimate": self_mb + workers * child_mb}


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--json", action="store_true", help="print JSON instead of a table")
    ap.add_argument("--fast-trials", type=int, default=4, help="full-length trials timed for the fast engine")
    ap.add_argument("--train-trials", type=int, default=20, help="trials learned before timing 'fast, trained'")
    ap.add_argument("--ref-steps", type=int, default=20000, help="steps timed for the reference (one trial)")
    ap.add_argument("--authors-steps", type=int, default=20000, help="steps timed for the authors' package (one trial)")
    ap.add_argument("--protocol", action="store_true", help="also time the full paper protocol (minutes)")
    ap.add_argument("--priors", default="0.25,0.15,0.35", help="priors for --protocol (first one = 'one prior')")
    ap.add_argument("--out", default=None, help="folder for the protocol results (one subfolder per prior)")
    ap.add_argument("--seed", type=int, default=0)
    args = ap.parse_args(argv)

    maze = mz.make_maze(np.random.default_rng(123))
    params = ag.initial_params(0.15)  # left-biased: trials run the full 20000 steps
    t0 = time.perf_counter()
    agf.run_trial_fast(maze, params, ag.draw_uniforms(np.random.default_rng(0), 300), T=300)
    first_call = time.perf_counter() - t0  # numba: compile or load from cache, plus one short trial

    fast = _fast(maze, params, args.fast_trials, ag.T_MAX)
    fast_trained = _fast_trained(maze, params, args.train_trials, 2, ag.T_MAX)
    ref = _reference(maze, params, args.ref_steps)
    try:
        authors = _authors_steps(maze, params, args.authors_steps)
    except ImportError:
        authors = None
    probes = {
        "numba float64, one agent (engine layout)": _probe_numba(np.float64),
        "numba float32, one agent": _probe_numba(np.float32),
        "numpy batched, B=8 agents": _probe_batched_numpy(8),
        "numpy batched, B=32 agents": _probe_batched_numpy(32),
    }
    result = {
        "load_average": os.getloadavg(),
        "first_call_seconds": first_call,
        "us_per_agent_step": {"fast engine": fast, f"fast, trained ({args.train_trials} trials)": fast_trained,
                              "reference": ref, "authors [Py]": authors},
        "fast_speedup_vs_reference": ref / fast,
        "fast_speedup_vs_authors": None if authors is None else authors / fast,
        "fast_trained_speedup_vs_authors": None if authors is None else authors / fast_trained,
        "inference_probes_us_per_agent_step": probes,
    }
    if args.protocol:
        priors = [float(p) for p in args.priors.split(",")]
        rows, mem = _protocol(args.out, priors, args.seed)
        result["protocol"] = rows
        result["protocol_all_seconds"] = sum(r["seconds"] for r in rows)
        result["memory"] = mem

    if args.json:
        print(json.dumps(result, indent=2))
        return 0
    print(f"Maze agent, 99x19 maze, load average {result['load_average'][0]:.2f} on {os.cpu_count()} cores")
    print(f"first call (numba compile or cache load + 300 steps): {first_call:.2f} s\n")
    print(f"{'implementation':28s} {'us/agent-step':>14s} {'fast is x faster':>17s} {'fast, trained is x faster':>26s}")
    for name, v in result["us_per_agent_step"].items():
        if v is None:
            print(f"{name:28s} {'(not installed)':>14s}")
            continue
        print(f"{name:28s} {v:14.2f} {v / fast:17.1f} {v / fast_trained:26.1f}")
    print("\nInference-only design probes (fused K|V product + sigmoids)")
    for name, v in probes.items():
        print(f"  {name:44s} {v:8.2f} us/agent-step")
    if args.protocol:
        print("\nFull paper protocol (30 agents x 100 trials per prior)")
        for r in result["protocol"]:
            print(f"  prior {r['prior']}: {r['seconds']:7.1f} s wall, {r['worker_cpu_seconds']:7.1f} s worker CPU, "
                  f"{r['agent_steps'] / 1e6:6.1f} M agent-steps ({r['us_per_agent_step_wall']:.2f} us wall per agent-step "
                  f"on {r['workers']} workers; load average {r['load_average_after']:.1f})")
        print(f"  all priors: {result['protocol_all_seconds']:.1f} s")
        m = result["memory"]
        print(f"  peak RSS: parent {m['peak_rss_parent_mb']:.0f} MB, largest worker {m['peak_rss_worker_mb']:.0f} MB, "
              f"total <= {m['peak_total_mb_estimate']:.0f} MB")
    return 0


if __name__ == "__main__":
    sys.exit(main())

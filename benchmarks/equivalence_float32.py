"""Statistical equivalence of the maze engine in float32 and float64 (issue 13): is ``precision="float32"`` safe for experiments?

Design (fixed before running; not part of the test suite):

* For each prior e_right in (0.35, 0.25, 0.15): ``--agents`` (default 40) agents x ``--trials``
  (default 100) trials, each agent on its own fresh maze, built exactly as
  :func:`fepteach.experiment.run_agents` builds them (``SeedSequence(seed).spawn``). Every agent
  runs twice in **lockstep**: same maze, same uniforms (each trial draws ``rng.random(T)``
  whatever happens), once with ``precision="float64"`` and once with ``"float32"``. The two
  runs of an agent are submitted one after the other, and agents round-robin over the priors,
  so a run stopped early holds complete pairs for every prior.
* Main tests per prior (14), two-sided, all 3 x 14 = 42 corrected together with Holm's method
  at a family-wise alpha of 0.05:

  1. number of successful trials per agent (out of 100): paired Wilcoxon signed-rank test;
  2. success rate per agent in each block of trials (1-10, 11-20, 21-40, 41-60, 61-80,
     81-100; 6 tests): paired Wilcoxon;
  3. median duration per agent in each block (6 tests): paired Wilcoxon;
  4. durations of all successful trials pooled over agents: two-sample Kolmogorov-Smirnov
     (unpaired; trials of one agent are not independent, so this test is approximate).

  A paired test whose differences are all zero (identical runs) has p = 1.
* Also reported (descriptive): pooled success rates and block medians per precision, the
  fraction of agent-trials with identical durations, and per agent the first trial whose
  duration differs between the precisions.

Each agent's result is saved as it finishes (``OUT/E<prior>/<precision>/agent_XXX.npz``); a
second call with the same ``--out`` resumes. The summary is written to ``OUT/summary.json``
and ``OUT/summary.txt`` after every 6 results (and can be recomputed from a partial run with
``--analyse-only``).

Usage: ``python benchmarks/equivalence_float32.py --out runs/equivalence_float32 [--workers 2]``
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import time
from concurrent.futures import ProcessPoolExecutor, as_completed
from pathlib import Path

import numpy as np
from scipy import stats

from fepteach import agent as ag
from fepteach import experiment as ex
from fepteach import maze as mz
from fepteach.data.maze_reference import BLOCKS

PRIORS = (0.35, 0.25, 0.15)
PRECISIONS = ("float64", "float32")
ALPHA = 0.05


def _tasks(prior, n_agents, n_trials, seed, precision):
    """The agents of ``run_agents(prior, n_agents, n_trials, seed=seed, precision=precision)``."""
    E = ag.decision_prior(prior)
    out = []
    for a, ss in enumerate(np.random.SeedSequence(seed).spawn(n_agents)):
        maze_ss, agent_ss = ss.spawn(2)
        maze = mz.make_maze(np.random.default_rng(maze_ss))
        out.append(ex.AgentTask(a, maze, E, agent_ss, n_trials, ag.T_MAX, (), precision))
    return out


def _folder(out, prior, precision):
    return Path(out) / f"E{prior}" / precision


def run_all(out, priors, n_agents, n_trials, seed, pool):
    """Run (or resume) both precisions of every agent of every prior; each result saved as it finishes.

    Submitted agent by agent across the priors (agent 0 of each prior in both precisions, then
    agent 1, ...), so a run stopped early holds complete pairs for every prior; the summary is
    rewritten after every 6 results.
    """
    futures = {}
    for prior in priors:
        for p in PRECISIONS:
            _folder(out, prior, p).mkdir(parents=True, exist_ok=True)
    tasks = {(prior, p): _tasks(prior, n_agents, n_trials, seed, p) for prior in priors for p in PRECISIONS}
    for a in range(n_agents):
        for prior in priors:
            for p in PRECISIONS:
                f = _folder(out, prior, p) / f"agent_{a:03d}.npz"
                if not f.is_file():
                    futures[pool.submit(ex.run_agent_task, tasks[prior, p][a])] = f
    for k, fut in enumerate(as_completed(futures), 1):
        ex._save_agent(futures[fut], fut.result())
        print(f"saved {futures[fut]} ({k}/{len(futures)}, load {os.getloadavg()[0]:.1f})", flush=True)
        if k % 6 == 0:
            summarise(out, n_trials, n_agents)


def _load(out, prior, precision, n_trials):
    d = {}
    folder = _folder(out, prior, precision)
    if folder.is_dir():
        for f in sorted(folder.glob("agent_*.npz")):
            r = ex._load_agent(f)
            if r.durations.size == n_trials:
                d[r.index] = r.durations
    return d


def _paired_p(a, b):
    if np.all(a == b):
        return 1.0
    return float(stats.wilcoxon(a, b, zero_method="wilcox", alternative="two-sided").pvalue)


def analyse_prior(out, prior, n_trials):
    """The 14 main tests and the descriptive statistics of one prior (complete pairs only)."""
    d64, d32 = _load(out, prior, "float64", n_trials), _load(out, prior, "float32", n_trials)
    agents = sorted(set(d64) & set(d32))
    if len(agents) < 2:
        return None
    A = np.stack([d64[a] for a in agents], axis=1)  # (trials, agents)
    B = np.stack([d32[a] for a in agents], axis=1)
    T = ag.T_MAX
    tests = []
    tests.append(("successes per agent", _paired_p((A < T).sum(0), (B < T).sum(0))))
    blocks = [b for b in BLOCKS if b[1] <= n_trials]
    for lo, hi in blocks:
        tests.append((f"success rate, trials {lo}-{hi}", _paired_p((A[lo - 1 : hi] < T).mean(0), (B[lo - 1 : hi] < T).mean(0))))
    for lo, hi in blocks:
        tests.append((f"median duration, trials {lo}-{hi}", _paired_p(np.median(A[lo - 1 : hi], 0), np.median(B[lo - 1 : hi], 0))))
    sa, sb = A[A < T], B[B < T]
    ks = float(stats.ks_2samp(sa, sb).pvalue) if sa.size and sb.size else 1.0
    tests.append(("successful-trial durations (KS)", ks))
    differ = A != B
    first = [int(np.argmax(differ[:, k])) + 1 if differ[:, k].any() else None for k in range(len(agents))]
    firsts = [f for f in first if f is not None]
    desc = {
        "agents": len(agents),
        "success_rate": {"float64": float((A < T).mean()), "float32": float((B < T).mean())},
        "block_median": {f"{lo}-{hi}": {"float64": float(np.median(A[lo - 1 : hi])), "float32": float(np.median(B[lo - 1 : hi]))}
                         for lo, hi in blocks},
        "block_success": {f"{lo}-{hi}": {"float64": float((A[lo - 1 : hi] < T).mean()),
                                         "float32": float((B[lo - 1 : hi] < T).mean())} for lo, hi in blocks},
        "fraction_identical_durations": float(1.0 - differ.mean()),
        "agents_never_diverging": int(sum(f is None for f in first)),
        "first_differing_trial_median": float(np.median(firsts)) if firsts else None,
        "first_differing_trial_range": [int(min(firsts)), int(max(firsts))] if firsts else None,
    }
    return {"prior": prior, "tests": tests, "descriptive": desc}


def holm(pvalues):
    """Holm-adjusted p-values (family-wise error control), in the input order."""
    p = np.asarray(pvalues, dtype=float)
    order = np.argsort(p)
    m = p.size
    adj = np.empty(m)
    running = 0.0
    for rank, i in enumerate(order):
        running = max(running, (m - rank) * p[i])
        adj[i] = min(1.0, running)
    return adj


def summarise(out, n_trials, n_agents):
    rows = [r for r in (analyse_prior(out, p, n_trials) for p in PRIORS) if r is not None]
    ps = [p for r in rows for _, p in r["tests"]]
    # the correction is over all tests of the design (3 priors x 14), also for a partial run
    n_design = len(PRIORS) * (1 + 2 * len([b for b in BLOCKS if b[1] <= n_trials]) + 1)
    adj = holm(ps + [1.0] * (n_design - len(ps)))[: len(ps)] if ps else []
    k = 0
    lines = [f"float32 vs float64 maze engine, lockstep seeds, {n_agents} agents x {n_trials} trials per prior planned",
             f"Holm correction over the {n_design} main tests of the design; family-wise alpha {ALPHA}", ""]
    for r in rows:
        d = r["descriptive"]
        lines.append(f"prior {r['prior']}: {d['agents']} complete agent pairs; success rate float64 "
                     f"{d['success_rate']['float64']:.3f}, float32 {d['success_rate']['float32']:.3f}; identical durations "
                     f"in {100 * d['fraction_identical_durations']:.1f}% of agent-trials; {d['agents_never_diverging']} agents never "
                     f"diverge; first differing trial median {d['first_differing_trial_median']} range {d['first_differing_trial_range']}")
        for name, p in r["tests"]:
            r.setdefault("holm", []).append(float(adj[k]))
            lines.append(f"    {name:40s} p = {p:.4f}   Holm-adjusted {adj[k]:.4f}{'   SIGNIFICANT' if adj[k] < ALPHA else ''}")
            k += 1
        for blk, v in d["block_median"].items():
            s = d["block_success"][blk]
            lines.append(f"    trials {blk:7s}: median {v['float64']:8.1f} / {v['float32']:8.1f}   "
                         f"success {s['float64']:.3f} / {s['float32']:.3f}   (float64 / float32)")
        lines.append("")
    n_sig = int(np.sum(np.asarray(adj) < ALPHA)) if len(adj) else 0
    lines.append(f"Result: {n_sig} of {len(ps)} main tests significant after correction "
                 f"(priors complete: {[r['prior'] for r in rows if r['descriptive']['agents'] == n_agents]}).")
    text = "\n".join(lines)
    Path(out).mkdir(parents=True, exist_ok=True)
    (Path(out) / "summary.txt").write_text(text + "\n")
    (Path(out) / "summary.json").write_text(json.dumps({"rows": rows, "n_design_tests": n_design,
                                                        "significant": n_sig, "load_average": os.getloadavg()}, indent=2))
    return text


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--out", default="runs/equivalence_float32")
    ap.add_argument("--agents", type=int, default=40)
    ap.add_argument("--trials", type=int, default=100)
    ap.add_argument("--seed", type=int, default=2026)
    ap.add_argument("--workers", type=int, default=os.cpu_count() or 1)
    ap.add_argument("--analyse-only", action="store_true")
    args = ap.parse_args(argv)
    if not args.analyse_only:
        t0 = time.perf_counter()
        with ProcessPoolExecutor(max_workers=args.workers) as pool:
            run_all(args.out, PRIORS, args.agents, args.trials, args.seed, pool)
        print(f"all runs done in {time.perf_counter() - t0:.0f} s", flush=True)
    print(summarise(args.out, args.trials, args.agents))
    return 0


if __name__ == "__main__":
    sys.exit(main())

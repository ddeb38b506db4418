"""Speed of the BSS simulation (SPEC §5.3): microseconds per network-step, as ratios measured in one run.

Compared side by side on the same data ([M] protocol, ln-of-the-mean expectation):

* ``plain loop``   — a straightforward per-step numpy loop (the baseline; written here, no validation);
* ``reference``    — fepteach.bss.simulate_bss_reference (readable, built from fepteach.pomdp);
* ``numpy batch``  — fepteach.bss.simulate_batch_numpy, networks side by side;
* ``kernel x1``    — fepteach.bss.simulate_bss (numba), one network;
* ``kernel xK``    — fepteach.bss.simulate_many (numba), K networks;
* ``authors' [Py]``— the POMDP class of reverse-engineering-py (infer, learn, reset per step), if installed.

Also the wall time of each full lesson analysis at the paper's sizes.

Usage: ``python benchmarks/bench_bss.py [--steps 10000] [--json]``
"""

from __future__ import annotations

import argparse
import json
import time

import numpy as np
from scipy.special import expit

from fepteach import bss


def plain_loop(o, qa0, phi):
    """Baseline: the per-step equations of SPEC §5.3 in plain numpy (no validation, no helpers)."""
    qa = qa0.copy()
    no = o.shape[1]
    ns = qa.shape[1] // 2
    x = np.empty((o.shape[0], ns))
    for t in range(o.shape[0]):
        tot = qa[:no] + qa[no:]
        lnA = np.log(np.maximum(qa, 1e-6)) - np.log(np.maximum(np.concatenate([tot, tot]), 1e-6))
        ost = np.concatenate([o[t], 1 - o[t]])
        v = ost @ lnA + phi
        x[t] = expit(v[:ns] - v[ns:])
        qa += np.outer(ost, np.concatenate([x[t], 1 - x[t]]))
    return x


def authors_loop(o, qa0):
    from reverse_engineering.pomdp import POMDP

    m = POMDP(qa_init=qa0.copy(), D=np.full(4, 0.5), sim_type=2)
    x = np.empty((o.shape[0], 2))
    for t in range(o.shape[0]):
        qs = m.infer(np.concatenate([o[t], 1 - o[t]]))
        m.learn()
        m.reset_buffer()
        x[t] = qs[:2]
    return x


def _time(fn, repeat=1):
    best = np.inf
    out = None
    for _ in range(repeat):
        t0 = time.perf_counter()
        out = fn()
        best = min(best, time.perf_counter() - t0)
    return best, out


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--steps", type=int, default=bss.T_PAPER, help="steps per network (default 10^4)")
    ap.add_argument("--json", action="store_true", help="print JSON instead of a table")
    args = ap.parse_args(argv)
    T = args.steps
    rng = np.random.default_rng(0)
    d = bss.generate_data(T, rng)
    qa0, phi = bss.initial_counts(), bss.prior_phi(0.5)
    bss.simulate_bss(d.o[:10], qa0, phi)  # compile / load the numba cache outside the timings
    bss.simulate_many_beta(d.o[:10], qa0, phi, np.zeros((32, 4)))

    rows = []
    t_plain, x_plain = _time(lambda: plain_loop(d.o, qa0, phi))
    base = t_plain / T * 1e6

    def add(name, seconds, networks, x=None):
        us = seconds / (T * networks) * 1e6
        row = {"method": name, "networks": networks, "seconds": seconds, "us_per_network_step": us,
               "speedup_vs_plain_loop": base / us}
        if x is not None:
            row["max_abs_dx_vs_plain"] = float(np.abs(x - x_plain).max())
        rows.append(row)

    add("plain loop (baseline)", t_plain, 1, x_plain)
    t, run = _time(lambda: bss.simulate_bss_reference(d.o, qa0, phi, bin_size=0, progress=False))
    add("reference (readable)", t, 1, run.x)
    K = 19
    t, (xb, _) = _time(lambda: bss.simulate_batch_numpy(np.broadcast_to(d.o, (K,) + d.o.shape), np.broadcast_to(qa0, (K, 64, 4)),
                                                        np.broadcast_to(phi, (K, 4)), progress=False))
    add(f"numpy batch x{K}", t, K, xb[0])
    t, run = _time(lambda: bss.simulate_bss(d.o, qa0, phi, bin_size=0), repeat=5)
    add("kernel x1 (numba)", t, 1, run.x)
    t, run = _time(lambda: bss.simulate_bss(d.o, qa0, phi, bin_size=10), repeat=5)
    add("kernel x1 + synapse record", t, 1, run.x)
    K = 169
    t, (xm, _, _) = _time(lambda: bss.simulate_many(d.o, np.broadcast_to(qa0, (K, 64, 4)), np.broadcast_to(phi, (K, 4))))
    add(f"kernel x{K} (numba)", t, K, xm[0])
    try:
        t, xa = _time(lambda: authors_loop(d.o, qa0))
        add("authors' package [Py]", t, 1, xa)
    except ImportError:
        pass
    authors_us = next((r["us_per_network_step"] for r in rows if r["method"].startswith("authors")), None)
    for r in rows:
        r["speedup_vs_authors"] = authors_us / r["us_per_network_step"] if authors_us else None

    analyses = []
    for name, fn in [
        ("alpha sweep (19 networks)", lambda: bss.alpha_sweep(d)),
        ("beta sweep (17 networks)", lambda: bss.beta_sweep(d, np.random.default_rng(1))),
        ("cost landscape 25x25 (frozen)", lambda: bss.cost_landscape(d.o)),
        ("prior grid 13x13 (fresh data)", lambda: bss.prior_grid(np.random.default_rng(2), T=T, progress=False)),
        ("prediction experiment (2 networks)", lambda: bss.prediction_experiment(bss.prior_phi(0.5), np.random.default_rng(3), T=T)),
        ("sessions protocol 20 x 25600 (digamma expectation)", lambda: bss.sessions_experiment(np.random.default_rng(4), progress=False)),
    ]:
        t, _ = _time(fn)
        analyses.append({"analysis": name, "seconds": t})

    if args.json:
        print(json.dumps({"steps": T, "methods": rows, "analyses": analyses}, indent=2))
        return
    print(f"BSS simulation, {T} steps per network ([M] protocol, ln-of-the-mean expectation)\n")
    print(f"{'method':34s} {'us/network-step':>16s} {'x plain loop':>13s} {'x authors':>10s} {'max|dx|':>9s}")
    for r in rows:
        sa = f"{r['speedup_vs_authors']:.1f}" if r["speedup_vs_authors"] else "-"
        print(f"{r['method']:34s} {r['us_per_network_step']:16.2f} {r['speedup_vs_plain_loop']:13.1f} {sa:>10s} "
              f"{r.get('max_abs_dx_vs_plain', 0):9.1e}")
    print("\nFull analyses (paper sizes)")
    for a in analyses:
        print(f"{a['analysis']:44s} {a['seconds']:7.2f} s")


if __name__ == "__main__":
    main()

"""Run notebooks headless under nbval again and again, optionally with CPU hogs, and time each run.

    .venv/bin/python tests/soak_lessons.py [--runs 10] [--load 2] [NOTEBOOK ...]

Default: every lesson, 10 runs each, one at a time (``pytest -p no:xdist``, so the suite's
guards of the root conftest.py apply: a stall, a kernel death or stderr output fails).
``--load K`` keeps K busy-looping processes running meanwhile. Prints one line per run
and a summary; exits 1 if any run failed. Not collected by pytest (its name does not
start with ``test_``): it is a soak script for issue 12 item 8, not part of the suite.
"""

from __future__ import annotations

import argparse
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("notebooks", nargs="*", help="default: lessons/[0-9]*.ipynb")
    ap.add_argument("--runs", type=int, default=10)
    ap.add_argument("--load", type=int, default=0, help="number of CPU hogs to run meanwhile")
    ap.add_argument("--cell-timeout", type=int, default=None, help="override --nbval-cell-timeout")
    args = ap.parse_args(argv)
    notebooks = args.notebooks or sorted(str(p.relative_to(ROOT)) for p in (ROOT / "lessons").glob("[0-9]*.ipynb"))
    hogs = [subprocess.Popen([sys.executable, "-c", "while True: pass"]) for _ in range(args.load)]
    results: dict[str, list[tuple[bool, float]]] = {nb: [] for nb in notebooks}
    try:
        for nb in notebooks:
            for run in range(1, args.runs + 1):
                cmd = [sys.executable, "-m", "pytest", "-q", "-p", "no:xdist", nb]
                if args.cell_timeout:
                    cmd.append(f"--nbval-cell-timeout={args.cell_timeout}")
                t0 = time.monotonic()
                res = subprocess.run(cmd, cwd=ROOT, capture_output=True, text=True)
                took = time.monotonic() - t0
                ok = res.returncode == 0
                results[nb].append((ok, took))
                last = (res.stdout.strip().splitlines() or [""])[-1]
                print(f"{nb} run {run}: {'ok ' if ok else 'FAIL'} {took:6.1f} s  {last}", flush=True)
                if not ok:
                    print(res.stdout[-3000:], flush=True)
    finally:
        for h in hogs:
            h.kill()
            h.wait()
    print(f"\nsummary (load: {args.load} CPU hog(s) besides whatever else runs on the machine)")
    failed = 0
    for nb, runs in results.items():
        times = [t for _, t in runs]
        bad = sum(not ok for ok, _ in runs)
        failed += bad
        print(f"  {nb}: {len(runs) - bad}/{len(runs)} ok, min {min(times):.1f} s, max {max(times):.1f} s")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())

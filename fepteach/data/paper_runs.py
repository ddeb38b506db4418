"""The course's own paper-protocol results for the P2 maze agent, shipped as package data.

Three prior conditions (e_r = 0.15, 0.25, 0.35) x 30 samples (agents) x 100 trials, run with
:func:`fepteach.experiment.run_paper_protocol` (float64 engine), seed :data:`SEED` for every
condition (so the three conditions use the same 20 mazes and the same random numbers).

Regenerate (about 5-10 minutes of CPU per condition)::

    python -m fepteach.data.paper_runs            # writes fepteach/data/paper_runs.npz
    python -m fepteach.data.paper_runs --work DIR # keep the resumable per-agent files in DIR (a rerun resumes)
    python -m fepteach.data.paper_runs --work DIR --assemble-only   # ship what has finished so far

The file holds, for the priors in ``priors`` (3,):

* ``durations`` (3, 100, 30) int: steps to the goal per trial and sample, ``T`` = not reached;
* ``free_energy`` (3, 100, 30): the free energy F of each trial;
* ``estimated_prior`` (3, 512): the prior re-estimated from the trial-1 decisions of samples 1-10
  (used by samples 21-30);
* ``available`` (3, 30) bool: the sample's run is in the file (a stopped run can be shipped and completed later);
* ``mazes`` (20, ny, nx): the 20 mazes (identical across conditions, same seed);
* ``traj_p{i}_a{agent}_t{trial}`` (n, 2): the positions of a few kept trials.

Load with :func:`load_paper_runs`.
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass
from pathlib import Path

import numpy as np

#: the three prior conditions of P2 (code values e_r; per-decision prior = e_r / 64)
PRIORS = (0.15, 0.25, 0.35)
#: seed passed to ``run_paper_protocol`` for every condition
SEED = 2022
#: (agent, trial) pairs whose trajectories are kept (0-based agent, 1-based trial)
KEPT = ((0, 1), (0, 100), (1, 1), (1, 100), (20, 1), (20, 100))
#: where the shipped file lives
PATH = Path(__file__).with_name("paper_runs.npz")


@dataclass
class PaperRuns:
    """The shipped paper-protocol results (arrays indexed [condition, trial, sample])."""

    priors: np.ndarray
    seed: int
    T: int
    durations: np.ndarray
    free_energy: np.ndarray
    estimated_prior: np.ndarray
    mazes: np.ndarray
    trajectories: dict  # (condition index, 0-based agent, 1-based trial) -> (n, 2) positions
    available: np.ndarray | None = None  # (3, 30) bool: the agent's run is in the file

    def samples(self, prior: float, first: int, last: int) -> np.ndarray:
        """Durations (100, n) of the available samples ``first``..``last`` (1-based, inclusive) of condition ``prior``."""
        i = self.index(prior)
        cols = [a for a in range(first - 1, last) if self.available is None or self.available[i, a]]
        return self.durations[i][:, cols]

    def index(self, prior: float) -> int:
        """Index of the condition ``prior`` (0.15, 0.25 or 0.35)."""
        hits = np.flatnonzero(np.abs(self.priors - float(prior)) < 1e-9)
        if hits.size == 0:
            raise ValueError(f"prior must be one of {list(self.priors)}; got {prior!r}")
        return int(hits[0])

    def success(self) -> np.ndarray:
        """Boolean (3, 100, 30): the goal was reached."""
        return self.durations < self.T


def load_paper_runs(path=None) -> PaperRuns:
    """Read the shipped results (or a file written by :func:`generate`)."""
    path = PATH if path is None else Path(path)
    with np.load(path) as z:
        traj = {}
        for k in z.files:
            if k.startswith("traj_"):
                _, p, a, t = k.split("_")
                traj[(int(p[1:]), int(a[1:]), int(t[1:]))] = z[k]
        return PaperRuns(
            priors=z["priors"],
            seed=int(z["seed"]),
            T=int(z["T"]),
            durations=z["durations"].astype(np.int64),
            free_energy=z["free_energy"],
            estimated_prior=z["estimated_prior"],
            mazes=z["mazes"],
            trajectories=traj,
            available=z["available"],
        )


def generate(out=PATH, work=None, workers=None, progress=True) -> Path:
    """Run the three conditions and write the compact file ``out``; returns its path.

    ``work`` keeps the resumable per-agent folders (a temporary folder by default).
    """
    from .. import experiment as ex

    tmp = None
    if work is None:
        tmp = tempfile.TemporaryDirectory(prefix="fepteach_paper_runs_")
        work = tmp.name
    work = Path(work)
    kept_trials = tuple(sorted({t for _, t in KEPT}))
    try:
        with ProcessPoolExecutor(max_workers=workers) as pool:
            for prior in PRIORS:
                t0 = time.perf_counter()
                ex.run_paper_protocol(prior, seed=SEED, out=work / f"E{prior}", executor=pool,
                                      keep_trajectories=kept_trials, progress=progress)
                print(f"e_r = {prior}: {time.perf_counter() - t0:.0f} s", file=sys.stderr)
        return assemble(work, out)
    finally:
        if tmp is not None:
            tmp.cleanup()


def assemble(work, out=PATH) -> Path:
    """Collect the per-agent files of ``work/E{prior}/agents`` into the compact file ``out``.

    Agents that have not finished yet are marked unavailable (``available`` False, durations -1, F NaN), so a run
    that was stopped early can still be shipped and completed later with the same command.
    """
    from .. import agent as ag
    from .. import experiment as ex

    work = Path(work)
    n_s, n_t = ex.N_PAPER_SAMPLES, ex.N_PAPER_TRIALS
    dur = np.full((len(PRIORS), n_t, n_s), -1, dtype=np.int32)
    fe = np.full((len(PRIORS), n_t, n_s), np.nan)
    avail = np.zeros((len(PRIORS), n_s), dtype=bool)
    est = np.full((len(PRIORS), 2 * ag.ND), np.nan)
    arrays: dict[str, np.ndarray] = {}
    for i, prior in enumerate(PRIORS):
        folder = work / f"E{prior}"
        if (folder / "estimated_prior.csv").is_file():
            est[i] = np.loadtxt(folder / "estimated_prior.csv")
        for a in range(n_s):
            f = folder / "agents" / f"agent_{a:03d}.npz"
            if not f.is_file():
                continue
            with np.load(f) as z:
                dur[i, :, a] = z["durations"]
                fe[i, :, a] = z["free_energy"]
                avail[i, a] = True
                for aa, t in KEPT:
                    if aa == a and f"traj{t:03d}" in z.files:
                        arrays[f"traj_p{i}_a{a}_t{t}"] = z[f"traj{t:03d}"].astype(np.int16)
    mazes = np.array(ex.paper_mazes(SEED)).astype(np.int8)
    out = Path(out)
    np.savez_compressed(out, priors=np.array(PRIORS), seed=np.array(SEED), T=np.array(ag.T_MAX), durations=dur,
                        free_energy=fe, available=avail, estimated_prior=est, mazes=mazes, **arrays)
    return out


def main(argv=None) -> int:
    p = argparse.ArgumentParser(prog="python -m fepteach.data.paper_runs", description=__doc__.split("\n")[0])
    p.add_argument("--out", default=str(PATH), help="file to write (default: the package's paper_runs.npz)")
    p.add_argument("--work", default=None, help="folder for the resumable per-agent files (default: temporary)")
    p.add_argument("--workers", type=int, default=None, help="worker processes (default: all cores)")
    p.add_argument("--assemble-only", action="store_true",
                   help="do not run: collect the finished agents of --work into --out (unfinished ones are marked)")
    args = p.parse_args(argv)
    t0 = time.perf_counter()
    if args.assemble_only:
        if args.work is None:
            p.error("--assemble-only needs --work")
        path = assemble(args.work, args.out)
    else:
        path = generate(args.out, args.work, args.workers)
    print(f"wrote {path} ({path.stat().st_size / 1024:.0f} kB) in {time.perf_counter() - t0:.0f} s", file=sys.stderr)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())

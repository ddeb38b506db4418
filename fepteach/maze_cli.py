"""``fepteach maze ...`` subcommands: run maze-agent experiments and plot their learning curves.

    fepteach maze run --prior 0.25 --agents 8 --trials 50 --seed 1 --out runs/a
    fepteach maze run --protocol paper --prior 0.25 --out runs/paper025
    fepteach maze run --prior 0.25 --agents 40 --precision float32 --out runs/b   (opt-in faster engine)
    fepteach maze plot runs/a [--save curves.png]

A run writes every finished agent to its folder at once; running the same command again
resumes an interrupted run. See :mod:`fepteach.experiment`.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path


def _prior(text: str) -> float:
    try:
        v = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"prior must be a number in (0, 0.5); got {text!r}") from None
    if not 0.0 < v < 0.5:
        raise argparse.ArgumentTypeError(f"prior must lie strictly between 0 and 0.5; got {text}")
    return v


def _positive_int(name: str):
    def parse(text: str) -> int:
        try:
            v = int(text)
        except ValueError:
            raise argparse.ArgumentTypeError(f"{name} must be a whole number; got {text!r}") from None
        if v < 1:
            raise argparse.ArgumentTypeError(f"{name} must be at least 1; got {v}")
        return v

    return parse


def _nonneg_int(text: str) -> int:
    try:
        v = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"seed must be a whole number >= 0; got {text!r}") from None
    if v < 0:
        raise argparse.ArgumentTypeError(f"seed must be >= 0; got {v}")
    return v


def register(subparsers) -> None:
    """Add the ``maze`` subcommand (with ``run`` and ``plot``) to the top-level parser."""
    p = subparsers.add_parser("maze", help="maze-agent simulations (P2): run experiments, plot learning curves")
    sub = p.add_subparsers(dest="maze_command", metavar="{run,plot}")
    p.set_defaults(func=lambda args: (p.print_help(), 0)[1])

    r = sub.add_parser(
        "run",
        help="run agents (free-form) or the paper protocol; resumable",
        description="Run maze agents in parallel and save the results to a folder (resumes an interrupted run).",
    )
    r.add_argument("--protocol", choices=("agents", "paper"), default="agents",
                   help="'agents': N fresh agents x M trials on fresh mazes (default); "
                        "'paper': the P2 protocol (30 samples x 100 trials, samples 21-30 with the re-estimated prior)")
    r.add_argument("--prior", type=_prior, required=True,
                   help="decision prior e_right (code 'Eright'): 0.15, 0.25 or 0.35 in the paper; any value in (0, 0.5)")
    r.add_argument("--agents", type=_positive_int("agents"), default=5, help="number of agents (free-form runs; default 5)")
    r.add_argument("--trials", type=_positive_int("trials"), default=None,
                   help="trials per agent (default 20 for free-form runs, 100 for the paper protocol)")
    r.add_argument("--seed", type=_nonneg_int, default=0, help="random seed (default 0)")
    r.add_argument("--steps", type=_positive_int("steps"), default=20000, help="maximum steps per trial (default 20000)")
    r.add_argument("--ny", type=_positive_int("ny"), default=19, help="maze rows: 7, 11, 15, 19, ... (3 more than a multiple of 4; free-form runs; default 19)")
    r.add_argument("--nx", type=_positive_int("nx"), default=99, help="maze columns, odd, >= 7 (free-form runs; default 99)")
    r.add_argument("--precision", choices=("float64", "float32"), default="float64",
                   help="dtype of the fast engine's K|V weights: 'float64' (default, the engine of record) or "
                        "'float32' (opt-in, faster; results differ by ~1e-6 and decisions may diverge in long runs)")
    r.add_argument("--workers", type=_positive_int("workers"), default=None, help="worker processes (default: all cores)")
    r.add_argument("--out", required=True, help="output folder (created; an existing run there is resumed)")
    r.set_defaults(func=_cmd_run)

    q = sub.add_parser("plot", help="plot learning curves of a finished run (with the authors' reference values)")
    q.add_argument("dir", help="a folder written by 'fepteach maze run'")
    q.add_argument("--save", default=None, help="image file to write (default: DIR/learning_curves.png)")
    q.set_defaults(func=_cmd_plot)


def _cmd_run(args: argparse.Namespace) -> int:
    from concurrent.futures import ProcessPoolExecutor

    from . import experiment as ex
    from . import maze as mz

    try:
        if args.protocol == "agents":
            mz.check_maze_size(args.ny, args.nx)
        elif (args.ny, args.nx) != (mz.NY, mz.NX):
            raise ValueError("the paper protocol uses the paper's 19 x 99 maze; drop --ny/--nx")
        if args.steps < 3:
            raise ValueError(f"steps must be >= 3; got {args.steps}")
        out = ex.check_out_folder(args.out)
    except ValueError as exc:
        print(f"fepteach maze run: {exc}", file=sys.stderr)
        return 2
    executor = ProcessPoolExecutor(max_workers=args.workers) if args.workers else None
    try:
        if args.protocol == "paper":
            res = ex.run_paper_protocol(args.prior, seed=args.seed, out=out, executor=executor,
                                        n_trials=args.trials or ex.N_PAPER_TRIALS, T=args.steps,
                                        precision=args.precision)
        else:
            res = ex.run_agents(args.prior, args.agents, args.trials or 20, seed=args.seed, out=out,
                                executor=executor, T=args.steps, ny=args.ny, nx=args.nx, precision=args.precision)
    except ValueError as exc:
        print(f"fepteach maze run: {exc}", file=sys.stderr)
        return 2
    finally:
        if executor is not None:
            executor.shutdown()
    print(f"Saved {res.durations.shape[1]} agent(s) x {res.durations.shape[0]} trial(s) to {out}")
    for row in res.block_stats():
        a, b = row["trials"]
        print(f"  trials {a:3d}-{b:3d}: median {row['median']:8.1f}  success {row['success']:.3f}")
    return 0


def _cmd_plot(args: argparse.Namespace) -> int:
    from . import experiment as ex

    try:
        res = ex.MazeResults.load(args.dir)
    except (ValueError, OSError) as exc:
        print(f"fepteach maze plot: {exc}", file=sys.stderr)
        return 2
    import matplotlib

    matplotlib.use("Agg")
    from .plots import maze as pm

    fig = pm.learning_curves_figure(res)
    dest = Path(args.save) if args.save else Path(args.dir) / "learning_curves.png"
    try:
        fig.savefig(dest, dpi=120)
    except OSError as exc:
        print(f"fepteach maze plot: cannot write {dest}: {exc.strerror or exc}", file=sys.stderr)
        return 2
    print(f"Wrote {dest}")
    return 0

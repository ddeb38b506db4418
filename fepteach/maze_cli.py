"""``fepteach maze ...`` subcommands (owned by the maze-engine work; see fepteach.experiment)."""

from __future__ import annotations

import argparse


def register(subparsers) -> None:
    """Add the ``maze`` subcommand to the top-level parser."""
    p = subparsers.add_parser("maze", help="maze-agent simulations (P2)")
    p.set_defaults(func=lambda args: (print("fepteach maze: not built yet"), 1)[1])

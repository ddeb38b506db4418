"""Block statistics of maze learning curves with their spread over agents (Lesson 07).

A learning curve of the P2 maze agent is summarised per block of trials, pooled over agents, by the
**median time to goal** (trials that miss the goal count as ``T``) and the **success rate**. The agents
differ a lot (their mazes and their luck), so every block value gets a percentile bootstrap interval
over *agents*: resample the agents with replacement, recompute the pooled block value, repeat.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from ._validate import check_int, check_rng


@dataclass
class BlockStats:
    """Block values and their bootstrap intervals.

    blocks: list of 1-based inclusive (first, last) trials; median, success (n_blocks,) pooled values;
    median_ci, success_ci (n_blocks, 2) percentile intervals; n_agents; level (e.g. 0.95).
    """

    blocks: list
    median: np.ndarray
    success: np.ndarray
    median_ci: np.ndarray
    success_ci: np.ndarray
    n_agents: int
    level: float

    @property
    def centres(self) -> np.ndarray:
        """Mid-trial of every block (for plotting)."""
        return np.array([(a + b) / 2 for a, b in self.blocks], dtype=float)


def block_bootstrap(durations, rng: np.random.Generator, *, T: int = 20000, blocks=None, n_boot: int = 2000,
                    level: float = 0.95) -> BlockStats:
    """Pooled block median and success rate of ``durations`` (trials, agents), with bootstrap intervals over agents.

    ``blocks`` default: :data:`fepteach.data.maze_reference.BLOCKS` (truncated to the trials given).
    """
    from .data.maze_reference import BLOCKS

    check_rng(rng)
    n_boot = check_int("n_boot", n_boot, minimum=10)
    if not 0 < level < 1:
        raise ValueError(f"level must lie in (0, 1); got {level!r}")
    d = np.asarray(durations)
    if d.ndim != 2 or d.shape[1] < 2:
        raise ValueError(f"durations must be (trials, agents) with at least 2 agents; got shape {d.shape}")
    n_trials, n_agents = d.shape
    blocks = [(a, min(b, n_trials)) for a, b in (BLOCKS if blocks is None else blocks) if a <= n_trials]
    idx = rng.integers(0, n_agents, size=(n_boot, n_agents))
    lo, hi = 100 * (1 - level) / 2, 100 * (1 + level) / 2
    med, suc, med_ci, suc_ci = [], [], [], []
    for a, b in blocks:
        x = d[a - 1 : b]  # (block trials, agents)
        med.append(np.median(x))
        suc.append(np.mean(x < T))
        per_agent_success = np.mean(x < T, axis=0)
        boot_s = per_agent_success[idx].mean(axis=1)
        boot_m = np.median(x[:, idx].transpose(1, 0, 2).reshape(n_boot, -1), axis=1)
        med_ci.append(np.percentile(boot_m, [lo, hi]))
        suc_ci.append(np.percentile(boot_s, [lo, hi]))
    return BlockStats(blocks, np.array(med, float), np.array(suc), np.array(med_ci), np.array(suc_ci), n_agents, level)


def first_last_change(durations, rng: np.random.Generator, *, T: int = 20000, first=(1, 10), last=(81, 100),
                      n_boot: int = 2000, level: float = 0.95) -> tuple[float, np.ndarray]:
    """Change of the pooled success rate from block ``first`` to block ``last`` and its bootstrap interval over agents."""
    check_rng(rng)
    d = np.asarray(durations)
    s = np.mean(d[last[0] - 1 : last[1]] < T, axis=0) - np.mean(d[first[0] - 1 : first[1]] < T, axis=0)
    idx = rng.integers(0, s.size, size=(check_int("n_boot", n_boot, minimum=10), s.size))
    boot = s[idx].mean(axis=1)
    return float(s.mean()), np.percentile(boot, [100 * (1 - level) / 2, 100 * (1 + level) / 2])

"""Fixtures of the exercises: recorded networks for learners to diagnose.

These are not part of the course's core library (they hide an answer on purpose).
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from fepteach._validate import check_int

__all__ = ["MysteryNetwork", "MysteryRecording", "mystery_network", "mystery_recording"]


@dataclass
class MysteryNetwork:
    """The full record of a BSS network whose implicit prior is hidden (Lesson 05 shows the whole diagnosis with it).

    ``o``, ``x``: inputs (T, 32) and activity (T, 2) of the recorded period; ``o_next``, ``x_next``: the following
    period, to check predictions against. :meth:`reveal` returns the hidden priors (p1, p2). The exercise hands
    learners a :class:`MysteryRecording` instead, which does not carry ``x_next`` or the priors.
    """

    o: np.ndarray
    x: np.ndarray
    o_next: np.ndarray
    x_next: np.ndarray
    _p: tuple

    def reveal(self) -> tuple:
        """The hidden implicit priors P(s_j = 1) = exp(phi1_j) of the two neurons."""
        return self._p

    @property
    def priors(self) -> tuple:
        """The hidden implicit priors (the same as :meth:`reveal`)."""
        return self._p

    def __repr__(self) -> str:  # do not print the answer
        return f"MysteryNetwork(o={self.o.shape}, x={self.x.shape}, o_next={self.o_next.shape}, x_next={self.x_next.shape})"


def mystery_network(seed: int, T: int = 10_000, T_next: int = 5_000, p_range=(0.2, 0.8)) -> MysteryNetwork:
    """A BSS network ([M] protocol, SPEC §5) with hidden implicit priors p_j ~ U(``p_range``), recorded for
    ``T`` steps and then ``T_next`` more. Returns :class:`MysteryNetwork` (the priors via ``.reveal()``)."""
    from fepteach import bss

    seed = check_int("seed", seed, minimum=0)
    T = check_int("T", T, minimum=2)
    T_next = check_int("T_next", T_next, minimum=1)
    rng = np.random.default_rng(seed)
    lo, hi = (float(v) for v in p_range)
    if not 0 < lo < hi < 1:
        raise ValueError(f"p_range must satisfy 0 < low < high < 1; got {p_range}")
    p = rng.uniform(lo, hi, 2)
    data = bss.generate_data(T + T_next, rng)
    run = bss.simulate_bss(data.o, bss.initial_counts(), bss.prior_phi(p[0], p[1]), bin_size=0)
    return MysteryNetwork(o=data.o[:T], x=run.x[:T], o_next=data.o[T:], x_next=run.x[T:], _p=(float(p[0]), float(p[1])))


@dataclass(frozen=True)
class MysteryRecording:
    """What a diagnosis may use: the recorded inputs ``o`` (T, 32) and activity ``x`` (T, 2), and the next inputs
    ``o_next`` (T_next, 32) of a network whose implicit prior is hidden (the "diagnose a network" exercise).

    The answer is not stored: :meth:`reveal` re-simulates the network (about a second) and returns the full
    :class:`MysteryNetwork`, with the hidden priors (``.reveal()``) and what the network did next (``x_next``).
    Call it only after checking your diagnosis.
    """

    o: np.ndarray
    x: np.ndarray
    o_next: np.ndarray
    _recipe: tuple = field(repr=False)

    def reveal(self) -> MysteryNetwork:
        """The full record: hidden priors via ``.reveal()`` and the next period's activity ``x_next``."""
        seed, T, T_next, p_range = self._recipe
        return mystery_network(seed, T=T, T_next=T_next, p_range=p_range)

    def __repr__(self) -> str:
        return f"MysteryRecording(o={self.o.shape}, x={self.x.shape}, o_next={self.o_next.shape})"


def mystery_recording(seed: int, T: int = 10_000, T_next: int = 5_000, p_range=(0.2, 0.8)) -> MysteryRecording:
    """The learner-facing part of :func:`mystery_network` (same arguments, same data): ``o``, ``x`` and ``o_next``
    only. :meth:`MysteryRecording.reveal` gives the rest."""
    net = mystery_network(seed, T=T, T_next=T_next, p_range=p_range)
    return MysteryRecording(o=net.o, x=net.x, o_next=net.o_next, _recipe=(int(seed), int(T), int(T_next), tuple(p_range)))

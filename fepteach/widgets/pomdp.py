"""Lesson 03 widget: a one-factor POMDP — prior, likelihood, posterior and free energy (SPEC §4.1–4.3)."""

from __future__ import annotations

import numpy as np

from ..plots import pomdp as pomdp_plots


def likelihood_from_sliders(p_on_given_on: float, p_on_given_off: float, n_inputs: int = 3) -> np.ndarray:
    """Stacked likelihood (2*No, 2) in which every input has P(o=1|s=1) = ``p_on_given_on``, P(o=1|s=0) = ``p_on_given_off``."""
    on = np.tile([p_on_given_on, p_on_given_off], (n_inputs, 1))
    return np.concatenate([on, 1.0 - on], axis=0)


def render_bayes(D_on: float = 0.5, p_on_given_on: float = 0.8, p_on_given_off: float = 0.3,
                 n_active: int = 2, n_inputs: int = 3, q: float = 0.25, fig=None):
    """Two panels: F(q) with the exact posterior and surprise, and the sweep over the prior D_ON.

    ``n_active`` of the ``n_inputs`` binary inputs are ON. Returns the figure (two axes).
    """
    import matplotlib.pyplot as plt

    if not 0 <= int(n_active) <= int(n_inputs):
        raise ValueError(f"n_active must lie between 0 and n_inputs = {n_inputs}; got {n_active}")
    if fig is None:
        fig = plt.figure(figsize=(9.5, 3.4), layout="constrained")
    axes = fig.subplots(1, 2)
    A = likelihood_from_sliders(p_on_given_on, p_on_given_off, n_inputs)
    o = np.zeros(n_inputs)
    o[: int(n_active)] = 1.0
    pomdp_plots.plot_free_energy_vs_q(o, A, [D_on, 1.0 - D_on], q_mark=q, ax=axes[0])
    axes[0].set_title(f"prior D_ON = {D_on:.2f}, o = {o.astype(int).tolist()}", fontsize=9)
    pomdp_plots.plot_prior_sweep(o, A, q=q, ax=axes[1])
    axes[1].axvline(D_on, color="0.5", linewidth=0.8)
    return fig


def bayes_widget():
    """Sliders for the prior D_ON, the likelihood and the observation around :func:`render_bayes`."""
    from ._wiring import int_slider, interactive, slider

    controls = {
        "D_on": slider(0.5, 0.01, 0.99, 0.01, "prior D_ON"),
        "n_active": int_slider(2, 0, 3, "inputs ON (of 3)"),
        "p_on_given_on": slider(0.8, 0.01, 0.99, 0.01, "P(o=1 | s=1)"),
        "p_on_given_off": slider(0.3, 0.01, 0.99, 0.01, "P(o=1 | s=0)"),
        "q": slider(0.25, 0.01, 0.99, 0.01, "a belief q"),
    }
    return interactive(render_bayes, controls, [["D_on", "n_active"], ["p_on_given_on", "p_on_given_off"], ["q"]])

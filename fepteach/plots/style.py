"""Colour-blind-safe colours (Okabe & Ito 2008) and small figure helpers shared by all plots."""

from __future__ import annotations

# Okabe-Ito palette: distinguishable under the common colour-vision deficiencies.
OKABE_ITO = {
    "black": "#000000",
    "orange": "#E69F00",
    "skyblue": "#56B4E9",
    "green": "#009E73",
    "yellow": "#F0E442",
    "blue": "#0072B2",
    "vermillion": "#D55E00",
    "purple": "#CC79A7",
}
CYCLE = [OKABE_ITO[k] for k in ("blue", "orange", "green", "vermillion", "purple", "skyblue", "yellow", "black")]

# Sequential/diverging colour maps that stay readable in grey scale and for colour-blind viewers.
SEQUENTIAL_CMAP = "viridis"
DIVERGING_CMAP = "PuOr"


def new_axes(ax=None, figsize=(5.0, 3.5)):
    """Return ``ax`` or, if it is None, the axes of a new figure (with the course colour cycle)."""
    import matplotlib.pyplot as plt

    if ax is not None:
        return ax
    fig, ax = plt.subplots(figsize=figsize, layout="constrained")
    ax.set_prop_cycle(color=CYCLE)
    return ax

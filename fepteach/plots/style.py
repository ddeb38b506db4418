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


def show_figure(fig, caption: str, alt: str) -> None:
    """Display a matplotlib figure as an HTML ``<figure>`` with alt text and a caption, then close it.

    Screen readers read ``alt``; everyone reads ``caption``. Works in JupyterLab,
    Colab and VS Code; outside IPython the figure is simply closed.
    """
    import base64
    import html
    import io

    import matplotlib.pyplot as plt

    buf = io.BytesIO()
    fig.savefig(buf, format="png", dpi=100, bbox_inches="tight")
    plt.close(fig)
    try:
        from IPython import get_ipython
        from IPython.display import HTML, display
    except ImportError:  # pragma: no cover - IPython is a dependency of the course
        return
    if get_ipython() is None:
        return
    data = base64.b64encode(buf.getvalue()).decode("ascii")
    display(
        HTML(
            f'<figure style="margin:0.5em 0"><img src="data:image/png;base64,{data}" alt="{html.escape(alt, quote=True)}" '
            f'style="max-width:100%"/><figcaption style="font-size:0.9em;max-width:46em">{html.escape(caption)}</figcaption></figure>'
        )
    )

"""The one piece of ipywidgets wiring every course widget shares.

A widget is a pure ``render(**values)`` function plus a dict of controls; :func:`interactive`
redraws the render function into an ``Output`` whenever a control changes (``plt.show()``
inside the Output is what makes the figure update in JupyterLab, Colab and VS Code).
"""

from __future__ import annotations

STYLE = {"description_width": "initial"}


def slider(value: float, lo: float, hi: float, step: float, description: str):
    """A float slider that redraws only when released (keeps slow laptops and Colab responsive)."""
    import ipywidgets as widgets

    return widgets.FloatSlider(value=value, min=lo, max=hi, step=step, description=description, continuous_update=False, style=STYLE)


def int_slider(value: int, lo: int, hi: int, description: str):
    """An integer slider that redraws only when released."""
    import ipywidgets as widgets

    return widgets.IntSlider(value=value, min=lo, max=hi, description=description, continuous_update=False, style=STYLE)


def toggle(options, value, description: str):
    """A row of toggle buttons."""
    import ipywidgets as widgets

    return widgets.ToggleButtons(options=list(options), value=value, description=description, style=STYLE)


def interactive(render, controls: dict, rows: list[list[str]]):
    """Lay out ``controls`` in ``rows`` (lists of control names), draw ``render(**values)`` below, redraw on change.

    Displays the widget and returns the ``VBox`` (tests can inspect it).
    """
    import ipywidgets as widgets
    import matplotlib.pyplot as plt
    from IPython.display import display

    out = widgets.Output()

    def redraw(_=None):
        with out:
            out.clear_output(wait=True)
            render(**{name: c.value for name, c in controls.items()})
            plt.show()

    for c in controls.values():
        c.observe(redraw, names="value")
    redraw()
    box = widgets.VBox([widgets.HBox([controls[n] for n in row]) if len(row) > 1 else controls[row[0]] for row in rows] + [out])
    display(box)
    return box

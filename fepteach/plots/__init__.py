"""Figures of the course, one submodule per topic (``fepteach.plots.neurons``, ``.cost``, ``.bss``, ...).

Conventions: every plotting function takes ``ax=None`` (a new figure is made when it
is None) and returns the axes; colours come from :mod:`fepteach.plots.style`
(Okabe-Ito, colour-blind safe). matplotlib is imported only by these modules.
"""

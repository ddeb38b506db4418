"""fepteach: canonical neural networks perform variational Bayesian inference.

A Jupyter course built on

* Isomura & Friston (2020), Neural Computation 32(11):2085-2121 (P1), and
* Isomura, Shimazaki & Friston (2022), Communications Biology 5:55 (P2).

The core modules depend only on numpy and scipy (and numba for the maze engine);
plotting (`fepteach.plots`) and widgets (`fepteach.widgets`) import matplotlib and
ipywidgets lazily.
"""

__version__ = "0.1.0"

__all__ = ["__version__"]

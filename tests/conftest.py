"""Fixtures for the Python tests.

The suite-wide configuration (kernel environment, notebook guards, ``slow`` marks) is in
the repository's root ``conftest.py``, so that it applies to the notebooks as well.
"""

from __future__ import annotations

import pytest


@pytest.fixture(autouse=True)
def _close_figures():
    """Close every matplotlib figure a test opened (without importing matplotlib for tests that don't)."""
    yield
    import sys

    if "matplotlib.pyplot" in sys.modules:
        sys.modules["matplotlib.pyplot"].close("all")

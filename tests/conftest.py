"""Test-suite configuration.

* Notebook kernels started by nbval inherit the environment set here: progress bars
  off, and an IPython startup file that blocks network connections (see
  ``tests/_kernel_startup``).
* Any notebook cell that writes to stderr (warnings included) fails its test.
"""

from __future__ import annotations

import os
import shutil
import tempfile
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]

os.environ["FEPTEACH_PROGRESS"] = "0"
os.environ.setdefault("MPLBACKEND", "Agg")
os.environ.setdefault("PYDEVD_DISABLE_FILE_VALIDATION", "1")

_ipython_dir = Path(tempfile.mkdtemp(prefix="fepteach-ipython-"))
_startup = _ipython_dir / "profile_default" / "startup"
_startup.mkdir(parents=True)
shutil.copy(Path(__file__).parent / "_kernel_startup" / "00_fepteach_guards.py", _startup)
# Kernel start-up chatter (e.g. ipykernel's transport notice) is not lesson output: keep it off the test log.
(_ipython_dir / "profile_default" / "ipython_kernel_config.py").write_text('c.IPKernelApp.log_level = "ERROR"\n')
os.environ["IPYTHONDIR"] = str(_ipython_dir)


@pytest.fixture(autouse=True)
def _close_figures():
    """Close every matplotlib figure a test opened (without importing matplotlib for tests that don't)."""
    yield
    import sys

    if "matplotlib.pyplot" in sys.modules:
        sys.modules["matplotlib.pyplot"].close("all")


@pytest.hookimpl(wrapper=True)
def pytest_runtest_call(item):
    """Fail a notebook cell (nbval item) that printed anything on stderr."""
    result = yield
    outputs = getattr(item, "test_outputs", None) or []
    err = [o.get("text", "") for o in outputs if o.get("output_type") == "stream" and o.get("name") == "stderr"]
    if err:
        raise AssertionError("notebook cell wrote to stderr (warnings or noise):\n" + "".join(err)[:2000])
    return result

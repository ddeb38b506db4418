"""Progress bars for long simulations, switchable off for tests and CI.

Set the environment variable ``FEPTEACH_PROGRESS=0`` (the test suite does) or pass
``progress=False`` to any simulation to silence them.
"""

from __future__ import annotations

import os


def progress_enabled(progress: bool | None = None) -> bool:
    """Return whether to show a progress bar: the explicit argument wins, else the environment."""
    if progress is not None:
        return bool(progress)
    return os.environ.get("FEPTEACH_PROGRESS", "1").lower() not in ("0", "false", "no", "off")


def progress_bar(iterable=None, *, total=None, desc=None, progress: bool | None = None, **kwargs):
    """A ``tqdm.auto`` bar (a widget in Jupyter, text in a terminal), or a no-op wrapper."""
    from tqdm.auto import tqdm

    return tqdm(iterable, total=total, desc=desc, disable=not progress_enabled(progress), **kwargs)


def fast_mode() -> bool:
    """True when ``FEPTEACH_FAST=1``: long lesson simulations are shortened (CI only)."""
    return os.environ.get("FEPTEACH_FAST", "0").lower() in ("1", "true", "yes", "on")

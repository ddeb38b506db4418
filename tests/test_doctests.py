"""The Examples of the core's docstrings run, and documented modules document every public function.

Runs with the standard :mod:`doctest` module (no pytest command-line flag needed). Every core module's
doctests run, and every public function of those modules must have numpydoc ``Parameters``,
``Returns`` and ``Examples`` sections (issue 11 item 8).
"""

from __future__ import annotations

import doctest
import importlib
import inspect

import numpy as np
import pytest

from tests.test_core_api import CORE as _ALL_CORE

#: The core modules: all of them have full numpydoc.
CORE = _ALL_CORE

#: Modules whose every public function has Parameters, Returns and a runnable Examples section: all of them.
DOCUMENTED = CORE

SECTIONS = ("Parameters", "Returns", "Examples")


def _public_functions(mod):
    out = {}
    for name in getattr(mod, "__all__", []):
        obj = getattr(mod, name)
        if inspect.isfunction(obj) and obj.__module__ == mod.__name__:
            out[name] = obj
    return out


def _missing_sections(functions):
    missing = []
    for name, f in functions.items():
        doc = inspect.getdoc(f) or ""
        lacking = [s for s in SECTIONS if f"\n{s}\n---" not in "\n" + doc]
        if lacking:
            missing.append(f"{name}: no {', '.join(lacking)}")
    return missing


@pytest.mark.parametrize("modname", CORE)
def test_doctests_of_core_module_pass(modname):
    mod = importlib.import_module(modname)
    finder = doctest.DocTestFinder()
    runner = doctest.DocTestRunner(optionflags=doctest.ELLIPSIS | doctest.NORMALIZE_WHITESPACE)
    globs = {"np": np, **vars(mod)}
    for test in finder.find(mod, modname, globs=globs):
        runner.run(test, out=lambda s: None)
    res = runner.summarize(verbose=False)
    assert res.failed == 0, f"{res.failed} of {res.attempted} doctest examples of {modname} failed"


@pytest.mark.parametrize("modname", DOCUMENTED)
def test_every_public_function_has_numpydoc_sections(modname):
    mod = importlib.import_module(modname)
    functions = _public_functions(mod)
    assert functions, f"{modname} lists no public functions"
    missing = _missing_sections(functions)
    assert not missing, missing


def test_section_check_can_fail():
    def undocumented(x):
        """Only a summary line."""
        return x

    def documented(x):
        """Summary.

        Parameters
        ----------
        x : float

        Returns
        -------
        float

        Examples
        --------
        >>> documented(1.0)
        1.0
        """
        return x

    missing = _missing_sections({"undocumented": undocumented, "documented": documented})
    assert missing == ["undocumented: no Parameters, Returns, Examples"]


def test_failing_example_is_reported():
    def wrong():
        """
        >>> 1 + 1
        3
        """

    runner = doctest.DocTestRunner()
    for test in doctest.DocTestFinder().find(wrong, "wrong", globs={}):
        runner.run(test, out=lambda s: None)
    assert runner.summarize(verbose=False).failed == 1

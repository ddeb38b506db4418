"""The core library's public surface: one name per concept, rng in one place, __all__, import hygiene."""

from __future__ import annotations

import importlib
import inspect
import re
import subprocess
import sys
from collections import defaultdict

import pytest

#: Every module of the core (numpy/scipy/numba only; no plots, widgets, exercises or command line).
CORE = [
    "fepteach.maths",
    "fepteach.neurons",
    "fepteach.cost",
    "fepteach.pomdp",
    "fepteach.correspondence",
    "fepteach.bss",
    "fepteach.reverse",
    "fepteach.maze",
    "fepteach.agent",
    "fepteach.agent_fast",
    "fepteach.experiment",
    "fepteach.toy",
]

#: Functions that take an integer ``seed`` on purpose: the maze runners record it in ``config.json`` (a folder
#: is resumed only by the same seed) and spawn one ``SeedSequence`` per agent from it, so that results do not
#: depend on the executor. A Generator could not be recorded or resumed.
SEEDED_RUNNERS = {
    "fepteach.experiment": {"run_agents", "paper_mazes", "run_paper_protocol", "run_conditions"},
}

def _public_definitions(modname):
    """Public functions and classes *defined* in a module (re-exports are not definitions)."""
    mod = importlib.import_module(modname)
    out = {}
    for name, obj in vars(mod).items():
        if name.startswith("_") or not (inspect.isfunction(obj) or inspect.isclass(obj)):
            continue
        if getattr(obj, "__module__", None) == modname:
            out[name] = obj
    return out


def test_no_public_name_is_defined_in_two_core_modules():
    where = defaultdict(list)
    for m in CORE:
        for name in _public_definitions(m):
            where[name].append(m)
    clashes = {n: ms for n, ms in where.items() if len(ms) > 1}
    assert not clashes, f"public names defined in more than one core module: {clashes}"


def test_the_walk_would_see_a_clash():
    """The walk above is not vacuous: it finds the definitions of every core module."""
    names = set()
    for m in CORE:
        names |= set(_public_definitions(m))
    assert {"posterior_states", "agent_step", "threshold_term", "HebbHome", "bss_step", "observe_at"} <= names


@pytest.mark.parametrize("modname", CORE)
def test_every_core_module_declares_all(modname):
    mod = importlib.import_module(modname)
    assert hasattr(mod, "__all__"), f"{modname} has no __all__"
    missing = [n for n in mod.__all__ if not hasattr(mod, n)]
    assert not missing, f"{modname}.__all__ lists names it does not have: {missing}"
    undeclared = [n for n in _public_definitions(modname) if n not in mod.__all__]
    assert not undeclared, f"{modname} defines public names missing from __all__: {undeclared}"


def _rng_violations(functions, seeded=frozenset()):
    bad = []
    for name, obj in functions.items():
        if not inspect.isfunction(obj):
            continue
        params = list(inspect.signature(obj).parameters.values())
        names = [p.name for p in params]
        if "seed" in names and name not in seeded:
            bad.append(f"{name}: takes a seed instead of rng")
        if "rng" not in names:
            continue
        after = params[names.index("rng") + 1:]
        if any(p.default is inspect.Parameter.empty and p.kind is not p.VAR_POSITIONAL for p in after):
            bad.append(f"{name}{inspect.signature(obj)}")
    return bad


@pytest.mark.parametrize("modname", CORE)
def test_rng_is_the_last_required_parameter(modname):
    """Every stochastic function takes ``rng`` (a Generator) as its last required parameter."""
    bad = _rng_violations(_public_definitions(modname), SEEDED_RUNNERS.get(modname, frozenset()))
    assert not bad, bad


def test_the_rng_walk_sees_the_stochastic_functions():
    """The walk above is not vacuous: it meets the stochastic functions of the engine and the toy."""
    with_rng = {
        f"{m}.{n}"
        for m in CORE
        for n, obj in _public_definitions(m).items()
        if inspect.isfunction(obj) and "rng" in inspect.signature(obj).parameters
    }
    assert {"fepteach.agent_fast.run_agent_fast", "fepteach.toy.learning_run", "fepteach.toy.corridor_run",
            "fepteach.bss.generate_data", "fepteach.maze.make_maze", "fepteach.agent.draw_uniforms"} <= with_rng


#: numpy's legacy global-state sampling (np.random.rand, np.random.seed, ...): every draw goes through a Generator.
_GLOBAL_RANDOM = re.compile(r"\bnp\.random\.(?!default_rng\b|Generator\b|SeedSequence\b)\w+")


@pytest.mark.parametrize("modname", CORE)
def test_no_global_random_state(modname):
    """No core module draws from numpy's global random state or seeds it (DESIGN: no global seeding)."""
    src = inspect.getsource(importlib.import_module(modname))
    assert not _GLOBAL_RANDOM.findall(src), _GLOBAL_RANDOM.findall(src)


def test_global_random_check_can_fail():
    assert _GLOBAL_RANDOM.findall("np.random.seed(0); x = np.random.rand(3); g = np.random.default_rng(1)") == [
        "np.random.seed", "np.random.rand"]


def test_rng_rule_check_can_fail():
    def rng_in_the_middle(x, rng, n):
        return x

    def takes_a_seed(x, seed=0):
        return x

    def fine(x, rng, n=3):
        return x

    bad = _rng_violations({"a": rng_in_the_middle, "b": takes_a_seed, "c": fine})
    assert len(bad) == 2 and bad[0].startswith("a(") and bad[1].startswith("b:")
    assert _rng_violations({"b": takes_a_seed}, seeded={"b"}) == []


def _hygiene(modules):
    code = (
        f"import sys, {', '.join(modules)};"
        "bad = [m for m in ('matplotlib', 'ipywidgets', 'fepteach.plots', 'fepteach.widgets', "
        "'fepteach.exercises', 'fepteach.cli') if m in sys.modules];"
        "assert not bad, bad"
    )
    return subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)


def test_core_modules_import_without_plots_widgets_or_exercises():
    res = _hygiene(CORE)
    assert res.returncode == 0, res.stderr


def test_import_hygiene_check_can_fail():
    res = _hygiene(["fepteach.maths", "fepteach.plots"])  # the plots package itself is light: a cheap failing case
    assert res.returncode != 0 and "fepteach.plots" in res.stderr

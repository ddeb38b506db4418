"""Suite-wide test configuration, notebooks included.

It lives at the repository root because a ``conftest.py`` only applies to the tests in
its own folder and below: hooks in ``tests/conftest.py`` never ran for the notebook
cells in ``lessons/`` and ``exercises/``, and running one notebook on its own did not
even import it.

* Notebook kernels started by nbval inherit the environment set here: progress bars
  off, and an IPython startup file that blocks network connections (see
  ``tests/_kernel_startup``).
* nbval's kernels talk to the tests over Unix domain sockets, not TCP ports
  (``fepteach._headless``: kernels launched at the same moment by the two pytest workers
  could take the same port).
* Any notebook cell that writes to stderr (warnings included) fails its test.
* A kernel that dies fails the cell it died in, at once and with its reason (exit code
  or signal), instead of a cell-timeout stall followed by errors in later cells.
* A cell that runs into the cell timeout fails (nbval alone lets it pass when the
  kernel went idle, and marks the rest of the notebook xfail).
* A notebook whose first cells ran in another kernel (pytest-xdist replaces a crashed
  worker and hands it the rest of that notebook) fails loudly instead of with
  ``NameError``s.
* The heavy tests are marked ``slow`` here by node id (see ``SLOW``), so that
  ``pytest -m "not slow"`` is a fast inner loop; the default run still runs everything.
"""

from __future__ import annotations

import os
import shutil
import signal
import tempfile
import time
from pathlib import Path
from queue import Empty

import pytest

ROOT = Path(__file__).resolve().parent

os.environ["FEPTEACH_PROGRESS"] = "0"
os.environ.setdefault("MPLBACKEND", "Agg")
os.environ.setdefault("PYDEVD_DISABLE_FILE_VALIDATION", "1")

_ipython_dir = Path(tempfile.mkdtemp(prefix="fepteach-ipython-"))
_startup = _ipython_dir / "profile_default" / "startup"
_startup.mkdir(parents=True)
shutil.copy(ROOT / "tests" / "_kernel_startup" / "00_fepteach_guards.py", _startup)
# Kernel start-up chatter (e.g. ipykernel's transport notice) is not lesson output: keep it off the test log.
(_ipython_dir / "profile_default" / "ipython_kernel_config.py").write_text('c.IPKernelApp.log_level = "ERROR"\n')
os.environ["IPYTHONDIR"] = str(_ipython_dir)

# Seconds nbval waits, after a cell's reply, for the rest of its output (nbval's default is
# 5 s, which a kernel on a loaded machine can miss; nbval then stops the kernel).
OUTPUT_TIMEOUT = 60

# Cell timeouts longer than --nbval-cell-timeout (300 s) for notebooks with long simulation
# cells: Lesson 07's paper-size run took 302+ s in one cell on this 2-core machine at load 23.
CELL_TIMEOUT = {
    "lessons/07_maze_agent.ipynb": 1200,
    "exercises/07_maze_agent_exercises.ipynb": 1200,
    "exercises/instructor/07_maze_agent_exercises.ipynb": 1200,
}

# Heavy tests: (path prefix, test-name prefix or "" for the whole file). Notebooks are
# marked here, by node id; Python tests carry a @pytest.mark.slow decorator.
SLOW: list[tuple[str, str]] = [
    # lessons with long simulations (01 and 03 stay in the fast loop)
    ("lessons/02_cost_reconstruction.ipynb", ""),
    ("lessons/04_blind_source_separation.ipynb", ""),
    ("lessons/05_reverse_engineering.ipynb", ""),
    ("lessons/06_delayed_plasticity.ipynb", ""),
    ("lessons/07_maze_agent.ipynb", ""),
    # both 07 exercise notebooks; the instructor versions run the reference solutions, the
    # student versions (fast loop) run the same checks on the stubs
    ("exercises/07_maze_agent_exercises.ipynb", ""),
    *((f"exercises/instructor/{n}", "") for n in (
        "01_rate_neurons_exercises.ipynb",
        "02_cost_reconstruction_exercises.ipynb",
        "03_bayes_equivalence_exercises.ipynb",
        "04_blind_source_separation_exercises.ipynb",
        "05_reverse_engineering_exercises.ipynb",
        "06_delayed_plasticity_exercises.ipynb",
        "07_maze_agent_exercises.ipynb",
    )),
]

try:  # nbval is part of the test extra; without it there are no notebook items
    from nbval.kernel import RunningKernel
    from nbval.plugin import IPyNbCell, IPyNbFile
except ImportError:  # pragma: no cover
    RunningKernel = IPyNbCell = IPyNbFile = None


class KernelDied(RuntimeError):
    """The notebook's kernel process ended while a cell was running."""


def kernel_death_reason(kernel) -> str:
    """Say how a dead nbval kernel ended (exit code or signal), as far as it can be known."""
    proc = getattr(getattr(getattr(kernel, "km", None), "provisioner", None), "process", None)
    code = None if proc is None else proc.poll()
    if code is None:
        return "the kernel process is gone (exit status unknown)"
    if code < 0:
        try:
            name = signal.Signals(-code).name
        except ValueError:
            name = f"signal {-code}"
        hint = " (SIGKILL without a traceback usually means the out-of-memory killer)" if -code == signal.SIGKILL else ""
        return f"the kernel process was killed by {name}{hint}"
    return f"the kernel process exited with status {code}"


def _await_reply(self, msg_id, timeout=None):
    """nbval's ``await_reply``, but it notices a dead kernel within a second.

    nbval waits for the execute reply for the whole cell timeout even when the kernel
    process is gone, so a crash showed up as a long stall. Same contract otherwise:
    ``Empty`` when ``timeout`` runs out.
    """
    deadline = None if timeout is None else time.monotonic() + float(timeout)
    while True:
        wait = 1.0 if deadline is None else min(1.0, deadline - time.monotonic())
        if wait <= 0:
            raise Empty
        try:
            msg = self.get_message(stream="shell", timeout=wait)
        except Empty:
            if not self.is_alive():
                raise KernelDied(kernel_death_reason(self)) from None
            continue
        if msg["parent_header"].get("msg_id") == msg_id:
            if msg["content"]["status"] == "aborted":
                raise RuntimeError("Kernel aborted execution request")
            return


if RunningKernel is not None:
    import nbval.kernel

    from fepteach._headless import IPCKernelManager

    RunningKernel.await_reply = _await_reply
    nbval.kernel.KernelManager = IPCKernelManager  # nbval's start_new_kernel looks the name up here


def _is_slow(nodeid: str) -> bool:
    path, _, name = nodeid.partition("::")
    return any(path == p and name.startswith(n) for p, n in SLOW)


def pytest_collection_modifyitems(config, items):
    for item in items:
        if _is_slow(item.nodeid):
            item.add_marker(pytest.mark.slow)
        if IPyNbCell is not None and isinstance(item, IPyNbCell):
            item.output_timeout = OUTPUT_TIMEOUT


def _notebook(item):
    if IPyNbCell is None or not isinstance(item, IPyNbCell):
        return None
    return item.parent


@pytest.hookimpl(wrapper=True)
def pytest_runtest_setup(item):
    nb = _notebook(item)
    if nb is None:
        return (yield)
    state = nb.__dict__.setdefault("_fepteach", {"first": None, "lost": None, "dead": None})
    if state["first"] is None:
        state["first"] = item.cell_num
        first_collected = min(i.cell_num for i in item.session.items if getattr(i, "parent", None) is nb)
        if item.cell_num != first_collected:
            state["lost"] = (
                f"this notebook's cells before Cell {item.cell_num} did not run in this kernel: they ran in a "
                "pytest-xdist worker that crashed (see 'worker ... crashed' above) and the rest of the notebook "
                "was handed to a fresh worker, where its state is gone"
            )
    if state["lost"]:
        pytest.fail(state["lost"], pytrace=False)
    if state["dead"]:
        pytest.skip(f"not run: {state['dead']}")
    if nb.timed_out:
        pytest.skip("not run: an earlier cell of this notebook ran into the cell timeout (its failure is above)")
    kernel = getattr(nb, "kernel", None)
    if kernel is not None and not kernel.is_alive():
        state["dead"] = "the kernel died between cells: " + kernel_death_reason(kernel)
        pytest.fail(state["dead"], pytrace=False)
    try:
        return (yield)
    finally:
        # nbval marks every cell after a timed-out one as xfail, so the run passes; the
        # timeout is a failure here (pytest_runtest_call) and the rest is skipped above.
        item.own_markers[:] = [
            m for m in item.own_markers if not (m.name == "xfail" and "timed out" in str(m.kwargs.get("reason", "")))
        ]


@pytest.hookimpl(wrapper=True)
def pytest_runtest_call(item):
    """Fail a notebook cell whose kernel died, that ran into the timeout, or that wrote to stderr."""
    nb = _notebook(item)
    if nb is None:
        return (yield)
    state = nb.__dict__["_fepteach"]
    timed_out_before = nb.timed_out
    option = item.config.option
    default_timeout = option.nbval_cell_timeout
    timeout = CELL_TIMEOUT.get(item.nodeid.partition("::")[0], default_timeout)
    option.nbval_cell_timeout = timeout  # nbval reads it from the config when the cell starts
    try:
        result = yield
    except KernelDied as exc:
        state["dead"] = f"the kernel died in Cell {item.cell_num}: {exc}"
        raise AssertionError(f"notebook kernel died while running this cell: {exc}") from None
    finally:
        option.nbval_cell_timeout = default_timeout
    if nb.timed_out and not timed_out_before:
        raise AssertionError(
            f"cell did not finish within the {float(timeout):g} s cell timeout (--nbval-cell-timeout); nbval interrupted "
            "the kernel and would have counted the cell as passed"
        )
    outputs = getattr(item, "test_outputs", None) or []
    err = [o.get("text", "") for o in outputs if o.get("output_type") == "stream" and o.get("name") == "stderr"]
    if err:
        raise AssertionError("notebook cell wrote to stderr (warnings or noise):\n" + "".join(err)[:2000])
    return result

"""fepteach._headless: the headless runs' kernels talk over Unix domain sockets, and clean up after themselves."""

from __future__ import annotations

import os

import pytest

pytest.importorskip("nbclient")
import nbformat  # noqa: E402
from nbclient import NotebookClient  # noqa: E402

from fepteach import _headless as H  # noqa: E402

pytestmark = pytest.mark.skipif(not H.IPC_AVAILABLE, reason="ZeroMQ's ipc transport needs Unix domain sockets")


def test_blocking_kernel_uses_ipc_sockets_in_a_private_directory_removed_at_shutdown():
    km = H.IPCKernelManager(kernel_name="python3")
    km.start_kernel()
    kc = km.client()
    kc.start_channels()
    try:
        kc.wait_for_ready(timeout=60)
        info = km.get_connection_info()
        assert info["transport"] == "ipc"
        folder = os.path.dirname(info["ip"])
        assert os.path.basename(folder).startswith("fepteach-kernel-")
        sockets = sorted(os.listdir(folder))
        assert len(sockets) == 5, sockets  # shell, iopub, stdin, control, heartbeat
        reply = kc.execute_interactive("x = 6 * 7", timeout=30)
        assert reply["content"]["status"] == "ok"
    finally:
        kc.stop_channels()
        km.shutdown_kernel(now=True)
    assert not os.path.exists(folder)


def test_nbclient_runs_a_notebook_with_the_async_manager():
    nb = nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell("print(6 * 7)")])
    client = NotebookClient(nb, timeout=60, kernel_name="python3", kernel_manager_class=H.AsyncIPCKernelManager)
    seen = {}

    def remember(**kwargs):  # the kernel is up: record where its sockets are
        seen.update(client.km.get_connection_info())

    client.on_cell_start = remember
    client.execute()
    assert nb.cells[0].outputs[0]["text"] == "42\n"
    assert seen["transport"] == "ipc" and not os.path.exists(os.path.dirname(seen["ip"]))


def test_the_notebook_tests_start_their_kernels_over_ipc():
    """The root conftest.py hands nbval this module's manager (nbval's kernel starter looks the name up there)."""
    nbval_kernel = pytest.importorskip("nbval.kernel")
    assert nbval_kernel.KernelManager is H.IPCKernelManager


def test_the_folder_goes_with_the_process_even_without_a_shutdown(tmp_path):
    """A client that exits without shutting its kernel down (a test run killed half-way) leaves no folder behind."""
    import subprocess
    import sys

    code = (
        "from fepteach._headless import IPCKernelManager\n"
        "km = IPCKernelManager(kernel_name='python3')\n"
        "km.start_kernel()\n"
        "print(km.get_connection_info()['ip'], flush=True)\n"
    )
    res = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120)
    assert res.returncode == 0, res.stderr
    folder = os.path.dirname(res.stdout.strip())
    assert os.path.basename(folder).startswith("fepteach-kernel-")
    assert not os.path.exists(folder)


def test_a_plain_manager_would_use_tcp():
    """The check above is not vacuous: jupyter_client's own default is TCP."""
    from jupyter_client.manager import KernelManager

    assert KernelManager(kernel_name="python3").transport == "tcp"
    assert H.IPCKernelManager(kernel_name="python3").transport == "ipc"

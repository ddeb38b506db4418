"""Kernels for the course's headless runs (site build, figure export, the notebook tests) over IPC.

A Jupyter kernel started the usual way talks to its client over five TCP ports on 127.0.0.1. The
client's manager picks them by binding port 0 and releasing it, and the kernel binds them later:
between the two, another kernel started at the same moment can take the same port. Launching
kernels 4 at a time on this project's 2-core machine, 2 of 500 launches died with
``ZMQError: Address already in use`` (``tests/soak_kernels.py``): rare, but each costs a whole
run. The course starts kernels concurrently everywhere it runs notebooks headless (two pytest
workers, two site-build jobs), so it uses Unix domain sockets instead: each kernel gets its own
private directory for its five socket files, and there is no port to race for. On systems
without Unix domain sockets for ZeroMQ (Windows) the managers keep TCP.

Both managers are drop-in :class:`jupyter_client.KernelManager` subclasses:
``NotebookClient(nb, kernel_manager_class=AsyncIPCKernelManager)`` for nbclient (site build, figure
export), and :class:`IPCKernelManager` in place of the ``KernelManager`` that nbval's kernel starter
uses (set by the root ``conftest.py``).
"""

from __future__ import annotations

import os
import shutil
import tempfile
import weakref

from jupyter_client.manager import AsyncKernelManager, KernelManager
from traitlets import default

#: ZeroMQ's ipc:// transport needs Unix domain sockets.
IPC_AVAILABLE = os.name == "posix"


def _transport_default(self):
    return "ipc" if IPC_AVAILABLE else "tcp"


def _ip_default(self):
    if self.transport != "ipc":
        return "127.0.0.1"
    folder = tempfile.mkdtemp(prefix="fepteach-kernel-")
    # removed at shutdown, or else when the manager is collected or the process exits (a kernel that died,
    # a client that never shut it down)
    self._ipc_cleanup = weakref.finalize(self, shutil.rmtree, folder, ignore_errors=True)
    return os.path.join(folder, "k")  # sockets k-1 ... k-5


def _cleanup_with_folder(base):
    async def _async_cleanup_resources(self, restart: bool = False) -> None:
        await base._async_cleanup_resources(self, restart=restart)
        if not restart and self._ipc_cleanup is not None:
            self._ipc_cleanup()

    return _async_cleanup_resources


# The trait defaults are declared in each class body (traitlets registers @default handlers of the class
# being created; a plain mixin's handlers would be ignored).
class IPCKernelManager(KernelManager):
    """A blocking kernel manager whose kernel listens on Unix domain sockets (see the module docstring)."""

    _ipc_cleanup: weakref.finalize | None = None
    _fepteach_transport = default("transport")(_transport_default)
    _fepteach_ip = default("ip")(_ip_default)
    _async_cleanup_resources = _cleanup_with_folder(KernelManager)


class AsyncIPCKernelManager(AsyncKernelManager):
    """The asynchronous twin of :class:`IPCKernelManager`, for ``nbclient.NotebookClient``."""

    _ipc_cleanup: weakref.finalize | None = None
    _fepteach_transport = default("transport")(_transport_default)
    _fepteach_ip = default("ip")(_ip_default)
    _async_cleanup_resources = _cleanup_with_folder(AsyncKernelManager)

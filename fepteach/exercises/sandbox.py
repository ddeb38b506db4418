"""Starting, talking to and stopping one untrusted grading worker.

Isolation levels (``SandboxConfig.mode``):

``namespaces`` (Linux, as root or with unprivileged user namespaces): the worker runs under
    ``unshare --net --mount --pid --fork --kill-child --mount-proc`` (plus ``--user
    --map-root-user`` when not root), below a tiny reaper that is pid 1 and reports its exit
    status. It has no network and sees only its own processes; every top-level folder outside
    the system ones (``/usr``, ``/etc``, ``/lib*``, ``/bin``, ...) -- homes, ``/work``, ``/srv``,
    ``/opt``, ``/run``, ``/var`` -- is an empty tmpfs holding only the interpreter's folders; the
    release, the submissions, the output folder, the checker's exercise modules and a
    checkout's ``.git`` are hidden behind empty read-only mounts; every mount is read-only
    except a private size-limited ``/tmp`` (its HOME and working folder); it runs as ``nobody``
    (started as root) or without any capability; no process it forks outlives it.
``none`` (any POSIX system): a fresh interpreter in its own session with a scrubbed
    environment, its own HOME and working folder, and the resource limits; started as root
    it still drops to ``nobody``. Files readable by that user and the network stay reachable.

In both, the resource limits (address space, CPU time, file size, processes) are set by
the worker on itself before any student code runs, and the judge enforces every wall-clock
limit by killing the worker's whole process group (SIGINT first for cells, then SIGKILL
after a grace period).
"""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path

from . import wire

__all__ = ["SandboxConfig", "Worker", "WorkerGone", "namespaces_available"]

NOBODY = 65534


@dataclass(frozen=True)
class SandboxConfig:
    """Limits and isolation for every worker of a batch.

    Parameters
    ----------
    cell_timeout : float
        Wall-clock seconds a cell may run before it is interrupted (then killed after ``grace``).
    submission_timeout : float
        Wall-clock seconds for a whole submission, start-up included.
    memory_mb : int
        Address-space limit of the worker (MB).
    output_mb : float
        Largest file the worker may write (its stdout/stderr log included), MB.
    cpu_seconds : float or None
        CPU-time limit of the worker (default: ``submission_timeout``).
    processes : int
        Process-count limit (the worker's user; under ``nobody`` or a pid namespace).
    mode : str
        ``"auto"``, ``"namespaces"`` or ``"none"`` (see the module docstring).
    grace : float
        Seconds between the polite interrupt and SIGKILL, and the slack on call limits.
    """

    cell_timeout: float = 120.0
    submission_timeout: float = 600.0
    memory_mb: int = 2048
    output_mb: float = 16.0
    cpu_seconds: float | None = None
    processes: int = 64
    mode: str = "auto"
    grace: float = 2.0
    tmpfs_mb: int = 64

    def __post_init__(self):
        for name in ("cell_timeout", "submission_timeout", "memory_mb", "output_mb", "processes", "grace", "tmpfs_mb"):
            value = getattr(self, name)
            if isinstance(value, bool) or not isinstance(value, (int, float)) or not value > 0:
                raise ValueError(f"{name} must be a positive number; got {value!r}")
        if self.cpu_seconds is not None and not self.cpu_seconds > 0:
            raise ValueError(f"cpu_seconds must be a positive number; got {self.cpu_seconds!r}")
        if self.mode not in ("auto", "namespaces", "none"):
            raise ValueError(f"mode must be 'auto', 'namespaces' or 'none'; got {self.mode!r}")


class WorkerGone(Exception):
    """The worker stopped (killed by a limit, crashed, exited, or broke the protocol); the message says why."""


def _unshare_prefix() -> list[str]:
    exe = shutil.which("unshare")
    if not exe:
        return []
    prefix = [exe, "--net", "--mount", "--pid", "--fork", "--kill-child", "--mount-proc"]
    if os.geteuid() != 0:
        prefix[1:1] = ["--user", "--map-root-user"]
    return prefix + ["--"]


@lru_cache(maxsize=1)
def namespaces_available() -> str:
    """'' if namespace isolation works here, else the reason it does not."""
    if not sys.platform.startswith("linux"):
        return f"Linux namespaces are not available on {sys.platform}"
    prefix = _unshare_prefix()
    if not prefix:
        return "the `unshare` program (util-linux) is not installed"
    mount = shutil.which("mount") or "/bin/mount"
    # a private tmpfs must be mountable inside (restricted user namespaces, e.g. Ubuntu's AppArmor, refuse it)
    try:
        res = subprocess.run(prefix + [mount, "-t", "tmpfs", "fepteach-probe", "/tmp"], capture_output=True, timeout=20)
    except (OSError, subprocess.TimeoutExpired) as exc:
        return f"`unshare` could not be run ({exc})"
    if res.returncode != 0:
        return f"`unshare` is not permitted here ({res.stderr.decode(errors='replace').strip()[:150]})"
    return ""


# pid 1 of the worker's pid namespace: ignores SIGINT (meant for the worker), starts the worker,
# waits for it and reports its raw wait status on a pipe only it holds; when it exits, the kernel
# kills every process left in the namespace.
_REAPER = """
import os, signal, sys
signal.signal(signal.SIGINT, signal.SIG_IGN)
fd = int(sys.argv[1])
os.set_inheritable(fd, False)
pid = os.fork()
if pid == 0:
    os.close(fd)
    os.execv(sys.argv[2], sys.argv[2:])
while True:
    got, status = os.waitpid(-1, 0)
    if got == pid:
        break
os.write(fd, status.to_bytes(4, "big", signed=True))
"""


def _scrubbed_env(home: str) -> dict:
    env = {
        "PATH": "/usr/bin:/bin",
        "HOME": home,
        "TMPDIR": home,
        "LANG": "C.UTF-8",
        "PYTHONHASHSEED": "0",
        "PYTHONDONTWRITEBYTECODE": "1",
        "MPLBACKEND": "Agg",
        "OPENBLAS_NUM_THREADS": "1",
        "OMP_NUM_THREADS": "1",
        "MKL_NUM_THREADS": "1",
        "NUMBA_NUM_THREADS": "1",
    }
    if os.environ.get("NUMBA_CACHE_DIR"):
        env["NUMBA_CACHE_DIR"] = os.environ["NUMBA_CACHE_DIR"]
    return env


def _describe_end(returncode: int | None) -> str:
    if returncode is None:
        return "it stopped answering"
    if returncode < 0 or returncode > 128:
        sig = -returncode if returncode < 0 else returncode - 128
        if sig == signal.SIGXCPU:
            return "it exceeded the CPU-time limit"
        if sig == signal.SIGXFSZ:
            return "it exceeded the output-size limit"
        if sig == signal.SIGKILL:
            return "it was killed (CPU-time limit, out of memory, or by itself)"
        try:
            return f"it was ended by signal {signal.Signals(sig).name}"
        except ValueError:
            return f"it was ended by signal {sig}"
    return f"it exited with status {returncode}"


@dataclass
class Worker:
    """One running worker: the process, its pipes, its deadline."""

    config: SandboxConfig
    namespaces: bool
    proc: subprocess.Popen | None = None
    req_w: int = -1
    resp_r: int = -1
    deadline: float = 0.0
    tmp: str = ""
    status_r: int = -1
    overrun: float = 0.0  # seconds the worker ran past a wall-clock limit before it answered or was dead
    lost_in_call: bool = False  # stopped or died while a learner's function was running (not at the deadline)
    killed_for: str = ""
    isolation: dict = field(default_factory=dict)

    @classmethod
    def start(cls, config: SandboxConfig, namespaces: bool, deadline: float | None = None) -> "Worker":
        """Start a worker in a fresh temporary folder (the judge's own; hidden from the worker).

        ``deadline`` (monotonic seconds) carries a submission's deadline over to a replacement worker.
        """
        w = cls(config, namespaces)
        w.deadline = deadline if deadline is not None else time.monotonic() + config.submission_timeout
        w.tmp = tempfile.mkdtemp(prefix="fepteach-worker-")
        work = Path(w.tmp) / "work"
        work.mkdir()
        if os.geteuid() == 0:
            os.chown(work, NOBODY, NOBODY)
            os.chmod(w.tmp, 0o711)
        req_r, req_w = os.pipe()
        resp_r, resp_w = os.pipe()
        cmd = [sys.executable, "-I", "-m", "fepteach.exercises.worker", str(req_r), str(resp_w)]
        fds = [req_r, resp_w]
        status_r = -1
        if namespaces:
            status_r, status_w = os.pipe()
            fds.append(status_w)
            cmd = _unshare_prefix() + [sys.executable, "-I", "-S", "-c", _REAPER, str(status_w), *cmd]
        out = open(work / "output.log", "wb")
        try:
            w.proc = subprocess.Popen(
                cmd,
                stdin=subprocess.DEVNULL,
                stdout=out,
                stderr=subprocess.STDOUT,
                pass_fds=tuple(fds),
                cwd=work,
                env=_scrubbed_env(str(work)),
                start_new_session=True,
            )
        finally:
            out.close()
            for fd in fds:
                os.close(fd)
        w.req_w, w.resp_r, w.status_r = req_w, resp_r, status_r
        return w

    def returncode(self) -> int | None:
        """The worker's own exit status (Popen convention), read from the reaper when there is one."""
        if self.status_r < 0:
            return self.proc.returncode
        try:
            raw = wire._read_exact(self.status_r, 4, time.monotonic() + 2)
        except (TimeoutError, EOFError, OSError):
            return self.proc.returncode
        status = int.from_bytes(raw, "big", signed=True)
        return os.waitstatus_to_exitcode(status) if status >= 0 else self.proc.returncode

    @property
    def alive(self) -> bool:
        return self.proc is not None and self.proc.poll() is None and not self.killed_for

    def _signal_group(self, sig: int) -> None:
        try:
            os.killpg(self.proc.pid, sig)
        except (ProcessLookupError, PermissionError):
            pass

    def kill(self, why: str = "") -> None:
        """SIGKILL the worker's whole process group and wait for it."""
        if self.proc is None:
            return
        if why and not self.killed_for:
            self.killed_for = why
        self._signal_group(signal.SIGKILL)
        try:
            self.proc.wait(timeout=10)
        except subprocess.TimeoutExpired:  # pragma: no cover - a process SIGKILL cannot end
            pass

    def close(self) -> None:
        """Stop the worker and remove its folder."""
        self.kill()
        for fd in (self.req_w, self.resp_r, self.status_r):
            try:
                os.close(fd)
            except OSError:
                pass
        self.req_w = self.resp_r = self.status_r = -1
        if self.tmp:
            shutil.rmtree(self.tmp, ignore_errors=True)

    def _gone(self, what: str) -> WorkerGone:
        if not self.killed_for:
            try:
                self.proc.wait(timeout=5)
            except subprocess.TimeoutExpired:
                pass
            self.kill(f"the submission's process died during {what}: {_describe_end(self.returncode())}")
        return WorkerGone(self.killed_for)

    def request(self, message: dict, timeout: float, what: str, interrupt: bool = False) -> dict:
        """Send one request and wait for the reply.

        After ``timeout`` seconds (or at the submission deadline) the worker is interrupted
        (if ``interrupt``: SIGINT, and its reply awaited ``grace`` more seconds) or killed.
        Raises :class:`WorkerGone` with the reason if the worker is or ends up dead.
        """
        if not self.alive:
            raise WorkerGone(self.killed_for or "the submission's process had already stopped")
        try:
            return self._exchange(message, timeout, what, interrupt)
        except WorkerGone:
            if message.get("op") in ("call", "value") and time.monotonic() < self.deadline:
                self.lost_in_call = True
            raise

    def _exchange(self, message: dict, timeout: float, what: str, interrupt: bool) -> dict:
        try:
            wire.send_frame(self.req_w, message)
        except (BrokenPipeError, OSError):
            raise self._gone(what) from None
        now = time.monotonic()
        own_deadline = now + timeout
        deadline = min(own_deadline, self.deadline)
        try:
            return wire.recv_frame(self.resp_r, deadline)
        except TimeoutError:
            pass
        except EOFError:
            raise self._gone(what) from None
        except wire.WireError as exc:
            self.kill(f"the submission's process broke the grading protocol during {what} ({exc})")
            raise WorkerGone(self.killed_for) from None
        over_submission = self.deadline <= own_deadline
        if interrupt and not over_submission:
            self._signal_group(signal.SIGINT)
            try:
                reply = wire.recv_frame(self.resp_r, min(time.monotonic() + self.config.grace, self.deadline))
                reply["interrupted"] = True
                self.overrun = max(self.overrun, time.monotonic() - deadline)
                return reply
            except (TimeoutError, EOFError, wire.WireError):
                pass
        if over_submission:
            self.kill(f"the submission ran longer than the {self.config.submission_timeout:g} s limit (stopped during {what})")
        else:
            self.kill(f"{what} ran longer than the {timeout:g} s limit and was stopped")
        self.overrun = max(self.overrun, time.monotonic() - deadline)
        raise WorkerGone(self.killed_for)

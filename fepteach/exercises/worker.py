"""The untrusted side of ``fepteach grade``: runs one submission's cells and answers the judge.

Started by :mod:`fepteach.exercises.sandbox` as ``python -I -m fepteach.exercises.worker REQ_FD RESP_FD``
in its own process group (and, where the platform allows, its own network, mount and pid
namespaces). The judge drives it with frames (:mod:`.wire`):

``exec``     run a cell's source in the submission's namespace (released set-up cells first,
             while the process is still trusted; then the learner's solution cells);
``isolate``  hide the release, the submissions, the output folder and the checker's
             exercise modules, make the file system read-only except a small private
             ``/tmp``, drop privileges, then apply resource limits -- before any student code;
``bind``     evaluate the answer expression of a check cell (e.g. ``fixed_point``);
``call``     call the bound answer with the judge's arguments (through :class:`core.Answer`,
             so the checker's own rules for exceptions, blanks and time limits apply);
``value``    return the bound answer's value (value exercises).

Every reply is plain data. Whatever this process does, the judge decides the score.
"""

from __future__ import annotations

import ctypes
import ctypes.util
import os
import resource
import signal
import sys
import traceback

import numpy as np

from . import core, wire

_CAPTURE_CHARS = 2000


# ---------------------------------------------------------------------------
# Isolation (Linux namespaces; each step reports what it did)
# ---------------------------------------------------------------------------
_MS_RDONLY, _MS_NOSUID, _MS_NODEV, _MS_NOEXEC = 1, 2, 4, 8
_MS_REMOUNT, _MS_BIND, _MS_REC = 32, 4096, 16384
_MS_NOATIME, _MS_NODIRATIME, _MS_RELATIME = 1024, 2048, 1 << 21
_ST_TO_MS = {1: _MS_RDONLY, 2: _MS_NOSUID, 4: _MS_NODEV, 8: _MS_NOEXEC, 1024: _MS_NOATIME, 2048: _MS_NODIRATIME, 4096: _MS_RELATIME}


def _libc():
    return ctypes.CDLL(ctypes.util.find_library("c") or "libc.so.6", use_errno=True)


def _mount(libc, source, target, fstype, flags, data=None) -> None:
    rc = libc.mount(
        source.encode() if source else None,
        target.encode(),
        fstype.encode() if fstype else None,
        ctypes.c_ulong(flags),
        data.encode() if data else None,
    )
    if rc != 0:
        err = ctypes.get_errno()
        raise OSError(err, f"mount {target}: {os.strerror(err)}")


def _mount_points() -> list[str]:
    points = []
    with open("/proc/self/mountinfo", encoding="utf-8") as fh:
        for line in fh:
            parts = line.split()
            if len(parts) > 4:
                points.append(parts[4].encode().decode("unicode_escape"))
    return points


def _remount_readonly(libc, point: str) -> None:
    st = os.statvfs(point)
    flags = _MS_REMOUNT | _MS_BIND | _MS_RDONLY
    for st_bit, ms_bit in _ST_TO_MS.items():
        if st.f_flag & st_bit:
            flags |= ms_bit
    _mount(libc, None, point, None, flags)


def _drop_capabilities(libc) -> None:
    """Empty the bounding, permitted, effective and inheritable capability sets (root inside a user namespace)."""
    PR_CAPBSET_DROP, PR_SET_NO_NEW_PRIVS = 24, 38
    for cap in range(64):
        libc.prctl(PR_CAPBSET_DROP, cap, 0, 0, 0)

    class _Header(ctypes.Structure):
        _fields_ = [("version", ctypes.c_uint32), ("pid", ctypes.c_int)]

    class _Data(ctypes.Structure):
        _fields_ = [("effective", ctypes.c_uint32), ("permitted", ctypes.c_uint32), ("inheritable", ctypes.c_uint32)]

    header, data = _Header(0x20080522, 0), (_Data * 2)()
    if libc.capset(ctypes.byref(header), data) != 0:
        raise OSError(ctypes.get_errno(), "capset failed")
    libc.prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0)


def _hide(libc, path: str, done: dict) -> None:
    """Cover a folder with an empty read-only tmpfs, or a file with /dev/null; symbolic links are left alone."""
    if os.path.islink(path):
        return
    try:
        if os.path.isdir(path):
            _mount(libc, "tmpfs", path, "tmpfs", _MS_NOSUID | _MS_NODEV | _MS_NOEXEC | _MS_RDONLY, "size=4k,mode=555")
        elif os.path.isfile(path):
            _mount(libc, "/dev/null", path, None, _MS_BIND)
            _mount(libc, None, path, None, _MS_REMOUNT | _MS_BIND | _MS_RDONLY | _MS_NOSUID | _MS_NODEV | _MS_NOEXEC)
        else:
            return
    except OSError:
        done["not_hidden"].append(path)
        return
    done["hidden"].append(path)


def _replace_with_kept(libc, root: str, keep: list[str], done: dict) -> None:
    """Cover ``root`` with an empty tmpfs (mode 755) holding only the ``keep`` paths, bound back in.

    Each kept path is first bound to a staging folder on the private ``/tmp``, then moved back
    below the new tmpfs, so a home folder the worker's user could not even traverse (``/root``)
    still leads to the interpreter while everything else in it is gone.
    """
    if os.path.islink(root) or not os.path.isdir(root):
        return
    inside = [k for k in keep if k == root or k.startswith(root.rstrip("/") + "/")]
    if root in inside:
        return
    inside = [k for k in inside if not any(k != o and k.startswith(o + "/") for o in inside)]  # outermost only
    staged = []
    for n, k in enumerate(inside):
        stage = f"/tmp/.keep-{abs(hash(root))}-{n}"
        os.makedirs(stage, exist_ok=True)
        _mount(libc, k, stage, None, _MS_BIND | _MS_REC)
        staged.append((stage, k))
    _mount(libc, "tmpfs", root, "tmpfs", _MS_NOSUID | _MS_NODEV, "size=64k,mode=755")
    for stage, k in staged:
        os.makedirs(k, mode=0o755, exist_ok=True)
        _mount(libc, stage, k, None, 8192)  # MS_MOVE
        os.rmdir(stage)
    done["hidden"].append(f"{root} (except {len(staged)} interpreter folder(s))")


def _needed_paths() -> list[str]:
    """What the interpreter needs to keep working: its prefixes, ``sys.path`` and the fepteach package."""
    import fepteach

    paths = [sys.prefix, sys.base_prefix, sys.exec_prefix, os.path.dirname(sys.executable),
             os.path.dirname(os.path.dirname(os.path.abspath(fepteach.__file__)))]
    paths += [p for p in sys.path if p and os.path.isabs(p)]
    return sorted({os.path.realpath(p) for p in paths if os.path.exists(p)})


def isolate(spec: dict) -> dict:
    """Apply the isolation described by the judge; return what was done (for the judge's report)."""
    done: dict = {"hidden": [], "not_hidden": [], "writable_left": [], "user": None}
    workdir = spec["workdir"]
    if spec.get("namespaces"):
        libc = _libc()
        _mount(libc, None, "/", None, _MS_REC | (1 << 18))  # MS_PRIVATE: nothing propagates out
        keep = _needed_paths()
        hide = [p for p in spec.get("hide", []) if os.path.exists(p)]  # resolved before /tmp is replaced
        _mount(libc, "tmpfs", "/tmp", "tmpfs", _MS_NOSUID | _MS_NODEV, f"size={int(spec['tmpfs_bytes'])},mode=1777")
        for root in spec.get("private_roots", []):  # home folders: hidden except what Python needs
            _replace_with_kept(libc, os.path.realpath(root), keep, done)
        for path in hide:
            _hide(libc, path, done)
        for point in sorted(set(_mount_points()), key=len):
            if point == "/tmp":
                continue
            try:
                _remount_readonly(libc, point)
            except OSError:
                done["writable_left"].append(point)
        workdir = "/tmp/work"
        os.makedirs(workdir, mode=0o777, exist_ok=True)
        os.chmod(workdir, 0o777)
    uid = spec.get("drop_to_uid")
    if uid is not None:
        os.setgroups([])
        os.setresgid(uid, uid, uid)
        os.setresuid(uid, uid, uid)
        done["user"] = uid
    elif spec.get("namespaces"):
        _drop_capabilities(_libc())
        done["user"] = "namespace root without capabilities"
    os.chdir(workdir)
    os.environ["HOME"] = os.environ["TMPDIR"] = workdir
    with open("solution_cells.py", "w", encoding="utf-8") as fh:  # a copy for the record; never read back
        fh.write(spec.get("solution_text", ""))
    core._LOADED = True  # the registry (and its references) is never loaded in a worker
    core.EXERCISES.clear()
    done["limits_refused"] = _apply_limits(spec["limits"])
    return done


def _apply_limits(limits: dict) -> list[str]:
    """Set the resource limits; return the names of those the platform refused (e.g. RLIMIT_AS on macOS)."""
    refused = []

    def cap(which, soft, hard=None):
        try:
            resource.setrlimit(which, (int(soft), int(hard if hard is not None else soft)))
        except (ValueError, OSError):
            refused.append({resource.RLIMIT_CPU: "cpu", resource.RLIMIT_FSIZE: "output", resource.RLIMIT_NPROC: "processes",
                            resource.RLIMIT_AS: "memory"}.get(which, str(which)))

    cap(resource.RLIMIT_CORE, 0)
    if limits.get("cpu_seconds"):
        cap(resource.RLIMIT_CPU, limits["cpu_seconds"], limits["cpu_seconds"] + 1)
    if limits.get("output_bytes"):
        cap(resource.RLIMIT_FSIZE, limits["output_bytes"])
    if limits.get("processes"):
        cap(resource.RLIMIT_NPROC, limits["processes"])
    if limits.get("memory_bytes"):
        cap(resource.RLIMIT_AS, limits["memory_bytes"])
    cap(resource.RLIMIT_NOFILE, 256)
    return refused


# ---------------------------------------------------------------------------
# Running cells and answering calls
# ---------------------------------------------------------------------------
def _strip_magics(source: str) -> str:
    """IPython magics and shell escapes (``%...``, ``!...``) are not run by the grader."""
    out = []
    for line in source.splitlines():
        body = line.lstrip()
        if body.startswith(("%", "!")):
            out.append(line[: len(line) - len(body)] + "pass  # magic ignored by the grader")
        else:
            out.append(line)
    return "\n".join(out)


def _short(exc: BaseException) -> str:
    return core._one_line(exc)


class Session:
    """The submission's namespace and the answer currently bound."""

    def __init__(self):
        # ``display`` is a builtin in a Jupyter kernel; output is not graded, so it only prints
        self.ns: dict = {"__name__": "__main__", "__builtins__": __builtins__, "display": _display}
        self.answer: core.Answer | None = None

    def run_cell(self, source: str, label: str) -> dict:
        signal.signal(signal.SIGINT, signal.default_int_handler)
        try:
            code = compile(_strip_magics(source), label, "exec")
            exec(code, self.ns)
        except BaseException as exc:  # noqa: BLE001 -- a cell may raise anything, SystemExit included
            try:
                traceback.print_exc()
            except BaseException:  # noqa: BLE001 -- e.g. the output limit is reached
                pass
            return {"ok": True, "error": _short(exc)[:300]}
        finally:
            signal.signal(signal.SIGINT, signal.SIG_IGN)
        return {"ok": True, "error": None}

    def bind(self, expr: str, exercise: dict) -> dict:
        try:
            obj = eval(compile(expr, "<check cell>", "eval"), self.ns)
        except BaseException as exc:  # noqa: BLE001
            self.answer = None
            return {"ok": False, "problem": "NameError" if isinstance(exc, NameError) else "AnswerProblem", "message": _short(exc)[:300]}
        ex = core.Exercise(
            id=exercise["id"],
            title=exercise["title"],
            reference=_no_reference,
            properties=(core.Property("worker", 0.0, lambda a, r: None),),
            hints=(),
            kind=exercise["kind"],
            time_limit=float(exercise["time_limit"]),
        )
        self.answer = core.Answer(obj, ex)
        return {"ok": True, "is_none": obj is None, "callable": callable(obj), "type": type(obj).__name__[:80]}

    def _captured(self) -> dict:
        a = self.answer
        out = {"stdout": a.stdout[-_CAPTURE_CHARS:], "stderr": a.stderr[:_CAPTURE_CHARS], "warnings": [w[:300] for w in a.warnings[:5]]}
        a.stdout, a.stderr, a.warnings = "", "", []
        return out

    def call(self, msg: dict) -> dict:
        args = wire.decode(msg["args"])
        kwargs = dict(wire.decode(msg["kwargs"]))
        signal.signal(signal.SIGINT, signal.default_int_handler)
        try:
            result = self.answer(*args, **kwargs)
        except core.AnswerProblem as exc:
            return {"ok": False, "problem": type(exc).__name__, "message": str(exc)[:1000], **self._captured()}
        finally:
            signal.signal(signal.SIGINT, signal.SIG_IGN)
        after = [wire.encode(a) if type(a) is list or isinstance(a, np.ndarray) else None for a in args]  # in-place edits
        return {"ok": True, "result": wire.encode(result), "args_after": after, **self._captured()}

    def value(self) -> dict:
        try:
            v = self.answer.value
        except core.AnswerProblem as exc:
            return {"ok": False, "problem": type(exc).__name__, "message": str(exc)[:1000]}
        return {"ok": True, "result": wire.encode(v)}


def _display(*objs, **kwargs) -> None:
    for obj in objs:
        print(repr(obj))


def _no_reference(*args, **kwargs):
    raise RuntimeError("references are not available in a grading worker")


def serve(req_fd: int, resp_fd: int) -> None:
    """Answer the judge's requests until it closes the pipe."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    session = Session()
    while True:
        try:
            msg = wire.recv_frame(req_fd)
        except EOFError:
            return
        op = msg.get("op")
        try:
            if op == "exec":
                reply = session.run_cell(msg["source"], msg["label"])
            elif op == "isolate":
                reply = {"ok": True, "isolation": isolate(msg)}
            elif op == "bind":
                reply = session.bind(msg["expr"], msg["exercise"])
            elif op == "call":
                reply = session.call(msg)
            elif op == "value":
                reply = session.value()
            else:
                reply = {"ok": False, "problem": "protocol", "message": f"unknown op {op!r}"}
        except BaseException as exc:  # noqa: BLE001 -- report, never die silently
            reply = {"ok": False, "problem": "worker", "message": _short(exc)[:300]}
        try:
            wire.send_frame(resp_fd, reply)
        except (ValueError, TypeError) as exc:  # e.g. a message that JSON cannot carry
            wire.send_frame(resp_fd, {"ok": False, "problem": "worker", "message": _short(exc)[:300]})


def main(argv: list[str]) -> int:
    """Entry point: ``python -m fepteach.exercises.worker REQ_FD RESP_FD``."""
    req_fd, resp_fd = int(argv[0]), int(argv[1])
    serve(req_fd, resp_fd)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))

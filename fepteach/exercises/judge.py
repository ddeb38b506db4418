"""The trusted side of ``fepteach grade``: properties run here, student code never does.

For one submission the judge walks the *released* notebook in order:

* released set-up cells (code cells before the first solution cell: imports, data) run in
  the worker before it is isolated -- they are the course's own code;
* then the worker isolates itself and applies its limits (:mod:`.worker`);
* each solution cell runs the learner's source, matched by nbgrader ``grade_id``; a
  released solution cell the submission lacks runs the released stub instead and its
  exercise is reported as not found;
* each check cell ``check("L01.x", expr)`` is graded here: the worker binds ``expr``, and
  the exercise's properties run in this process on a :class:`RemoteAnswer`, whose calls
  travel to the worker as plain data and come back as plain data (:mod:`.wire`).

Released cells after the last check cell (the fall-back cells) are not run.
"""

from __future__ import annotations

import ast
from dataclasses import dataclass, field

import numpy as np

from . import core, wire
from .core import Answer, AnswerProblem, FatalAnswerProblem, NotAttempted, get_exercise
from .sandbox import SandboxConfig, Worker, WorkerGone

__all__ = ["Step", "plan_release", "RemoteAnswer", "Outcome", "judge_submission", "SandboxSetupError"]


class SandboxSetupError(RuntimeError):
    """The worker could not isolate itself (before any student code ran): the batch must stop, not score zeros."""

_PROBLEMS = {"NotAttempted": NotAttempted, "FatalAnswerProblem": FatalAnswerProblem}
MAX_RESTARTS = 2  # fresh workers per submission after a function had to be stopped


@dataclass(frozen=True)
class Step:
    """One released code cell, as the judge will treat it.

    ``kind`` is ``"setup"`` (run before isolation), ``"cell"`` (other released code, run
    isolated), ``"solution"`` (the learner's cell ``grade_id``) or ``"check"`` (grade
    ``exercise`` by binding the expression ``expr``).
    """

    kind: str
    index: int
    source: str = ""
    grade_id: str = ""
    exercise: str = ""
    expr: str = ""


def _source(cell) -> str:
    src = cell.get("source", "")
    return "".join(src) if isinstance(src, list) else str(src)


def _check_call(source: str) -> tuple[str, str]:
    """(exercise id, answer expression) of a released check cell ``check("id", expr)``."""
    tree = ast.parse(source)
    for node in ast.walk(tree):
        if (
            isinstance(node, ast.Call)
            and isinstance(node.func, ast.Name)
            and node.func.id == "check"
            and len(node.args) == 2
            and isinstance(node.args[0], ast.Constant)
            and isinstance(node.args[0].value, str)
        ):
            return node.args[0].value, ast.get_source_segment(source, node.args[1])
    raise ValueError(f"not a check cell: {source[:60]!r}")


def plan_release(release: dict) -> list[Step]:
    """The steps of a released notebook (``release`` is the notebook as a JSON dict)."""
    cells = [c for c in release.get("cells", []) if c.get("cell_type") == "code"]
    steps, seen_solution = [], False
    last_check = max((i for i, c in enumerate(cells) if _is_check(c)), default=-1)
    for i, cell in enumerate(cells):
        meta = cell.get("metadata", {}).get("nbgrader", {})
        if meta.get("solution") and meta.get("grade_id"):
            seen_solution = True
            steps.append(Step("solution", i, _source(cell), grade_id=meta["grade_id"],
                              exercise=cell.get("metadata", {}).get("fepteach", {}).get("exercise", "")))
        elif _is_check(cell):
            ex, expr = _check_call(_source(cell))
            steps.append(Step("check", i, _source(cell), exercise=ex, expr=expr))
        elif i < last_check:
            steps.append(Step("cell" if seen_solution else "setup", i, _source(cell)))
    return steps


def _is_check(cell) -> bool:
    meta = cell.get("metadata", {})
    nb = meta.get("nbgrader", {})
    return bool(nb.get("grade") and nb.get("locked") and meta.get("fepteach", {}).get("exercise"))


# ---------------------------------------------------------------------------
# The remote answer
# ---------------------------------------------------------------------------
class _Bound:
    """Stands in the judge for the learner's object (which stays in the worker)."""

    def __init__(self, type_name: str, is_callable: bool):
        self.type_name = type_name
        self.is_callable = is_callable

    def __repr__(self) -> str:
        return f"<learner's {self.type_name} in the worker>"


def _raise_problem(reply: dict) -> None:
    cls = _PROBLEMS.get(reply.get("problem"), AnswerProblem)
    raise cls(str(reply.get("message", "")))


def _rebuild(value):
    if isinstance(value, wire.Unsupported):
        raise AnswerProblem(
            f"your answer is {value.type_name}, which the grader cannot use; return numbers, numpy arrays, "
            "or tuples and lists of them"
        )
    return value


def _copy_back(arg, after) -> None:
    """Put the worker's copy of an argument back into the judge's, so in-place edits show."""
    try:
        if isinstance(arg, np.ndarray) and isinstance(after, np.ndarray) and after.shape == arg.shape and arg.flags.writeable:
            np.copyto(arg, after, casting="unsafe")
        elif type(arg) is list and type(after) is list:
            arg[:] = after
    except (TypeError, ValueError):
        pass


class RemoteAnswer(Answer):
    """An :class:`core.Answer` whose learner object lives in the worker.

    Calls and value reads are sent to the worker; the worker runs them through its own
    ``core.Answer`` (so the checker's rules for exceptions, blanks and time limits are the
    same), and the judge rebuilds plain data. A dead worker is a :class:`FatalAnswerProblem`.
    """

    def __init__(self, worker: Worker, exercise: core.Exercise, bound: dict):
        placeholder = None if bound.get("is_none") else _Bound(str(bound.get("type", "?")), bool(bound.get("callable")))
        super().__init__(placeholder, exercise)
        self.worker = worker
        self._value_cache = None

    def __call__(self, *args, **kwargs):
        if self.exercise.kind != "function":
            raise AnswerProblem("this exercise expects a value, not a function call")
        if isinstance(self.answer, _Bound) and not self.answer.is_callable:
            raise FatalAnswerProblem(
                f"expected a function (def ...), but got {self.answer.type_name}; pass the function itself, without calling it"
            )
        msg = {"op": "call", "args": wire.encode(list(args)), "kwargs": wire.encode([[k, v] for k, v in kwargs.items()])}
        try:
            reply = self.worker.request(msg, self.exercise.time_limit + self.worker.config.grace, "a call of your function")
        except WorkerGone as exc:
            raise FatalAnswerProblem(str(exc)) from None
        self.stdout += str(reply.get("stdout", ""))[-2000:]
        self.stderr += str(reply.get("stderr", ""))[:2000]
        self.warnings += [str(w)[:300] for w in reply.get("warnings", [])[:5]] if isinstance(reply.get("warnings"), list) else []
        if not reply.get("ok"):
            _raise_problem(reply)
        try:
            result = wire.decode(reply.get("result"))
            after = reply.get("args_after")
            if isinstance(after, list) and len(after) == len(args):
                for arg, a in zip(args, after):
                    if a is not None:
                        _copy_back(arg, wire.decode(a))
        except wire.WireError as exc:
            raise AnswerProblem(f"your function's result could not be read ({exc})") from None
        return _rebuild(result)

    @property
    def value(self):
        if self._value_cache is None:
            try:
                reply = self.worker.request({"op": "value"}, self.exercise.time_limit + self.worker.config.grace, "reading your answer")
            except WorkerGone as exc:
                raise FatalAnswerProblem(str(exc)) from None
            if not reply.get("ok"):
                _raise_problem(reply)
            try:
                self._value_cache = (_rebuild(wire.decode(reply.get("result"))),)
            except wire.WireError as exc:
                raise AnswerProblem(f"your answer could not be read ({exc})") from None
        return self._value_cache[0]


# ---------------------------------------------------------------------------
# One submission
# ---------------------------------------------------------------------------
@dataclass
class Outcome:
    """What the judge found: points and feedback per exercise, and the reason for an abnormal end."""

    points: dict = field(default_factory=dict)
    feedback: dict = field(default_factory=dict)
    reason: str = ""
    notes: list = field(default_factory=list)
    overrun: float = 0.0  # seconds past a wall-clock limit before the worker was stopped (measured)
    isolation: dict = field(default_factory=dict)


def _limit_note(error, config: SandboxConfig, where: str) -> str:
    """A gradebook note when a solution cell failed on a resource limit ('' otherwise)."""
    text = str(error or "")
    if text.startswith("MemoryError"):
        return f"your solution cell for {where} ran out of memory (limit {config.memory_mb} MB)"
    if "File too large" in text:
        return f"your solution cell for {where} wrote more than the {config.output_mb:g} MB output limit"
    if text.startswith("BlockingIOError") or "Resource temporarily unavailable" in text:
        return f"your solution cell for {where} hit the limit of {config.processes} processes"
    return ""


def _not_run(ex_id: str, why: str) -> str:
    return f"✗ {ex_id}: the check did not run (0 points) — {why}"


def judge_submission(steps: list[Step], solutions: dict, config: SandboxConfig, namespaces: bool, hide: list[str]) -> Outcome:
    """Grade one submission (``solutions``: grade_id -> source) against the released ``steps``."""
    outcome = Outcome()
    checks = [s for s in steps if s.kind == "check"]
    for s in checks:
        outcome.points[s.exercise] = 0.0
    missing = {s.exercise or s.grade_id for s in steps if s.kind == "solution" and s.grade_id not in solutions}
    if missing:
        outcome.notes.append(f"solution cell(s) not found (cells are matched by grade id): {', '.join(sorted(missing))}")
    solution_text = "\n\n".join(f"# --- {gid}\n{src}" for gid, src in solutions.items())
    isolate_spec = {
        "op": "isolate",
        "namespaces": namespaces,
        "private_roots": _private_roots(),
        "tmpfs_bytes": config.tmpfs_mb * 2**20,
        "drop_to_uid": 65534 if _is_root() else None,
        "solution_text": solution_text,
        "limits": {
            "cpu_seconds": int(config.cpu_seconds or config.submission_timeout) + 1,
            "output_bytes": int(config.output_mb * 2**20),
            "processes": config.processes,
            "memory_bytes": int(config.memory_mb) * 2**20,
        },
    }
    worker = Worker.start(config, namespaces)
    state = {"isolated": False}

    def run(step: Step) -> None:
        if step.kind != "setup" and not state["isolated"]:
            spec = dict(isolate_spec, hide=hide + [worker.tmp, "/var/tmp", "/dev/shm"], workdir=f"{worker.tmp}/work")
            reply = worker.request(spec, 60.0, "setting up the sandbox")
            if not reply.get("ok"):  # before any student code: a fault of this machine, not of the submission
                raise SandboxSetupError(
                    f"the sandbox could not be set up ({reply.get('message', '')}); fix the cause, or grade with "
                    "--sandbox none on a throw-away machine (see the README's trust model)")
            outcome.isolation = reply.get("isolation", {})
            refused = outcome.isolation.get("limits_refused") if isinstance(outcome.isolation, dict) else None
            if refused and f"this platform refused the {', '.join(map(str, refused))} limit(s)" not in outcome.notes:
                outcome.notes.append(f"this platform refused the {', '.join(map(str, refused))} limit(s)")
            state["isolated"] = True
        if step.kind in ("setup", "cell"):
            worker.request({"op": "exec", "source": step.source, "label": f"<released cell {step.index}>"},
                           config.cell_timeout, f"released cell {step.index}", interrupt=True)
        elif step.kind == "solution":
            source = solutions.get(step.grade_id, step.source)
            reply = worker.request({"op": "exec", "source": source, "label": f"<solution {step.grade_id}>"},
                                   config.cell_timeout, f"your solution cell for {step.exercise or step.grade_id}",
                                   interrupt=True)
            note = _limit_note(reply.get("error") or reply.get("message"), config, step.exercise or step.grade_id)
            if note and note not in outcome.notes:
                outcome.notes.append(note)
            if reply.get("interrupted"):
                outcome.reason = outcome.reason or (
                    f"your solution cell for {step.exercise or step.grade_id} ran longer than the "
                    f"{config.cell_timeout:g} s limit and was interrupted")
        else:
            _grade_check(step, worker, outcome, missing)

    restarts = 0
    overrun = 0.0
    try:
        for pos, step in enumerate(steps):
            if worker.lost_in_call and restarts < MAX_RESTARTS:
                # the previous exercise's function had to be stopped: replay the cells so far in a fresh worker
                restarts += 1
                outcome.notes.append(f"{worker.killed_for}; later exercises were graded in a fresh process")
                overrun, deadline = max(overrun, worker.overrun), worker.deadline
                worker.close()
                worker = Worker.start(config, namespaces, deadline=deadline)
                state["isolated"] = False
                for previous in steps[:pos]:
                    if previous.kind != "check":
                        run(previous)
            run(step)
    except WorkerGone as exc:
        outcome.reason = str(exc)
    finally:
        worker.close()
        outcome.overrun = max(overrun, worker.overrun)
    for s in checks:
        if s.exercise not in outcome.feedback:
            outcome.feedback[s.exercise] = _not_run(s.exercise, outcome.reason or "the grader stopped early")
    return outcome


#: top-level folders a worker keeps seeing (read-only): the system; every other one (/home, /root, /srv,
#: /opt, /run, /var, /mnt, /media, ...) is replaced by an empty tmpfs holding only the interpreter's folders.
SYSTEM_DIRS = frozenset({"usr", "bin", "sbin", "lib", "lib32", "lib64", "libx32", "etc", "dev", "proc", "sys", "tmp"})


def _private_roots() -> list[str]:
    """Folders hidden from the worker except for what the interpreter needs: everything outside the system."""
    import os

    roots = [os.path.join("/", e) for e in os.listdir("/") if e not in SYSTEM_DIRS]
    roots.append(os.path.expanduser("~"))
    return sorted({r for r in roots if r and r != "/" and os.path.isdir(r) and not os.path.islink(r)})


def _is_root() -> bool:
    import os

    return hasattr(os, "geteuid") and os.geteuid() == 0


def _grade_check(step: Step, worker: Worker, outcome: Outcome, missing: set) -> None:
    exercise = get_exercise(step.exercise)
    if step.exercise in missing:
        outcome.feedback[step.exercise] = (
            f"✗ {step.exercise}: your solution cell for {step.exercise} was not found; cells are matched by grade id "
            "(do not delete, copy or re-create the solution cells) (0 points)"
        )
        return
    meta = {"id": exercise.id, "title": exercise.title, "kind": exercise.kind, "time_limit": exercise.time_limit}
    bound = worker.request({"op": "bind", "expr": step.expr, "exercise": meta}, 30.0, f"the check of {step.exercise}")
    if not bound.get("ok"):
        why = str(bound.get("message", ""))[:300]
        outcome.feedback[step.exercise] = _not_run(step.exercise, f"`{step.expr}` could not be evaluated ({why})")
        return
    result = core._evaluate(exercise, RemoteAnswer(worker, exercise, bound))
    outcome.points[step.exercise] = result.points
    outcome.feedback[step.exercise] = result.feedback

"""The exercise checker: registry, property checks, feedback, hints, fallbacks.

An :class:`Exercise` is a list of :class:`Property` checks, each worth some points.
A property calls the learner's answer through :class:`Answer`, which turns every
way an answer can misbehave (raising, returning None, NaN or the wrong shape,
printing to stderr, running too long) into a one-line message, so the checker
itself never crashes and never shows a traceback. A property returns ``None`` when
it holds, or a message that says what is wrong and which way to look -- never the
expected array.
"""

from __future__ import annotations

import contextlib
import html
import importlib
import io
import json
import os
import pkgutil
import signal
import threading
import time
import warnings
from dataclasses import dataclass, field
from typing import Any, Callable, Optional, Sequence

import numpy as np

__all__ = [
    "Property",
    "Exercise",
    "EXERCISES",
    "register",
    "check",
    "hint",
    "reference",
    "use_or_reference",
    "CheckResult",
    "Answer",
    "AnswerProblem",
    "NotAttempted",
    "ExerciseFailed",
    "grading_mode",
    "result_array",
    "ASKS",
    "list_exercises",
    "exercise_table",
]


# ---------------------------------------------------------------------------
# Exceptions
# ---------------------------------------------------------------------------
class AnswerProblem(Exception):
    """The learner's answer misbehaved; the message is shown as feedback."""


class NotAttempted(AnswerProblem):
    """The answer is still the stub (it raises NotImplementedError)."""


class FatalAnswerProblem(AnswerProblem):
    """A problem that makes every further check pointless (not callable, too slow)."""


class ExerciseFailed(AssertionError):
    """Raised by :func:`check` in grading mode so that nbgrader scores the cell zero."""


# ---------------------------------------------------------------------------
# Specification objects
# ---------------------------------------------------------------------------
@dataclass(frozen=True)
class Property:
    """One checked property of an answer.

    ``test(answer, rng)`` receives an :class:`Answer` and a seeded generator and
    returns ``None`` if the property holds, else a feedback message (what is wrong
    and a direction to look, never the expected values).
    """

    name: str
    points: float
    test: Callable[["Answer", np.random.Generator], Optional[str]]


@dataclass(frozen=True)
class Exercise:
    """A graded exercise: what it asks, how it is checked, and how to help.

    ``wrong_answers`` are plausible mistakes (description, implementation); the test
    suite proves that each of them loses points, so every check is shown able to fail.
    """

    id: str
    title: str
    reference: Callable
    properties: tuple[Property, ...]
    hints: tuple[str, ...]
    wrong_answers: tuple[tuple[str, Callable], ...] = ()
    kind: str = "function"  # "function": the answer is called; "value": the answer is data
    time_limit: float = 5.0
    seed: int = 20200811
    asks: str = "implement"  # what the learner has to do: one of ASKS

    @property
    def lesson(self) -> str:
        return self.id.split(".")[0]

    @property
    def max_points(self) -> float:
        return float(sum(p.points for p in self.properties))


EXERCISES: dict[str, Exercise] = {}
_LOADED = False

#: What an exercise asks of the learner (``Exercise.asks``):
#: implement -- turn a stated equation into code; derive -- obtain a result the text does not state;
#: predict -- commit to an outcome before running the model, then test it; interpret -- explain a result by
#: choosing among stated alternatives or by measuring it; diagnose -- recover hidden properties of a system from data.
ASKS = ("implement", "derive", "predict", "interpret", "diagnose")


def register(exercise: Exercise) -> Exercise:
    """Add an exercise to the registry (called by the ``fepteach.exercises.lNN`` modules)."""
    if exercise.id in EXERCISES and EXERCISES[exercise.id] is not exercise:
        raise ValueError(f"exercise id {exercise.id!r} is registered twice")
    if not exercise.properties:
        raise ValueError(f"exercise {exercise.id!r} has no properties to check")
    if exercise.asks not in ASKS:
        raise ValueError(f"exercise {exercise.id!r}: asks={exercise.asks!r} is not one of {', '.join(ASKS)}")
    if exercise.kind not in ("function", "value"):
        raise ValueError(f"exercise {exercise.id!r}: kind={exercise.kind!r} is not 'function' or 'value'")
    EXERCISES[exercise.id] = exercise
    return exercise


def _load_all() -> None:
    """Import every ``fepteach.exercises.lNN`` module so that the registry is complete."""
    global _LOADED
    if _LOADED:
        return
    from . import __path__ as pkg_path

    for mod in sorted(m.name for m in pkgutil.iter_modules(pkg_path)):
        if len(mod) == 3 and mod[0] == "l" and mod[1:].isdigit():
            importlib.import_module(f"{__package__}.{mod}")
    _LOADED = True


def get_exercise(exercise_id: str) -> Exercise:
    """Look up an exercise; an unknown id raises a ``KeyError`` that lists the known ones."""
    _load_all()
    if not isinstance(exercise_id, str) or exercise_id not in EXERCISES:
        prefix = str(exercise_id).split(".")[0]
        near = [k for k in EXERCISES if k.startswith(prefix)] or sorted(EXERCISES)
        raise KeyError(f"unknown exercise {exercise_id!r}; known ones include: {', '.join(sorted(near)[:12])}")
    return EXERCISES[exercise_id]


# ---------------------------------------------------------------------------
# Calling an answer safely
# ---------------------------------------------------------------------------
class _TimeLimit(Exception):
    pass


@contextlib.contextmanager
def _time_limit(seconds: float):
    """Interrupt the block after ``seconds`` (SIGALRM; only in the main thread on POSIX)."""
    usable = hasattr(signal, "setitimer") and threading.current_thread() is threading.main_thread()
    if not usable or seconds <= 0:
        yield
        return

    def _raise(signum, frame):
        raise _TimeLimit()

    old = signal.signal(signal.SIGALRM, _raise)
    signal.setitimer(signal.ITIMER_REAL, seconds)
    try:
        yield
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, old)


def _one_line(exc: BaseException) -> str:
    text = str(exc).strip().splitlines()
    msg = text[0] if text else ""
    return f"{type(exc).__name__}: {msg[:200]}" if msg else type(exc).__name__


_BLANK = "a blank is still unfilled: replace every `...` in your code, then check again"


def _mentions_ellipsis(exc: BaseException) -> bool:
    """True for the errors that a `...` left inside an expression produces (``'ellipsis'`` in the message)."""
    return isinstance(exc, (TypeError, ValueError, AttributeError, IndexError)) and "ellipsis" in str(exc).lower()


def _contains_ellipsis(obj, depth: int = 0) -> bool:
    if obj is Ellipsis:
        return True
    if depth < 3 and isinstance(obj, (tuple, list)):
        return any(_contains_ellipsis(o, depth + 1) for o in obj)
    if depth < 3 and isinstance(obj, dict):
        return any(_contains_ellipsis(o, depth + 1) for o in obj.values())
    return False


_PLAIN = (np.ndarray, np.generic, int, float, complex, bool, str, bytes, type(None), type(Ellipsis))


def _materialise(obj, depth: int = 0):
    """Turn anything that is not plain data into a numpy array (so that the conversion runs inside the time limit).

    Tuples, lists and dicts keep their type (a pair stays a pair); their items are materialised in turn.
    """
    if isinstance(obj, _PLAIN):
        return obj
    if depth < 3 and isinstance(obj, (tuple, list)):
        return type(obj)(_materialise(o, depth + 1) for o in obj)
    if depth < 3 and isinstance(obj, dict):
        return {k: _materialise(v, depth + 1) for k, v in obj.items()}
    try:
        return np.asarray(obj, dtype=float)
    except _TimeLimit:
        raise
    except Exception:
        try:
            return np.asarray(obj)
        except _TimeLimit:
            raise
        except Exception:
            return obj


def _argument_names(func, args, kwargs) -> list[tuple[str, Any]]:
    """(name, value) of the arguments of a call, by the function's own parameter names where possible."""
    try:
        import inspect

        bound = inspect.signature(func).bind(*args, **kwargs)
        pairs = []
        for name, value in bound.arguments.items():
            if isinstance(value, tuple) and name not in kwargs:  # *args
                pairs += [(f"{name}[{i}]", v) for i, v in enumerate(value)]
            elif isinstance(value, dict) and name not in kwargs and not isinstance(value, np.ndarray):
                pairs += list(value.items()) if all(isinstance(k, str) for k in value) else [(name, value)]
            else:
                pairs.append((name, value))
        return pairs
    except (TypeError, ValueError):
        return [(f"argument {i + 1}", a) for i, a in enumerate(args)] + list(kwargs.items())


class Answer:
    """Wraps a learner's answer; calling it never lets an exception escape unexplained.

    Records anything the answer printed or warned, so the checker can mention it. Every numpy array passed to the
    answer is compared with a copy after the call: an answer that changes its inputs in place is told so, by the
    argument's name (and the input is restored, so that the property can go on using it).
    """

    def __init__(self, answer: Any, exercise: Exercise):
        self.answer = answer
        self.exercise = exercise
        self.stderr = ""
        self.stdout = ""
        self.warnings: list[str] = []

    def __call__(self, *args, **kwargs):
        if self.exercise.kind != "function":
            raise AnswerProblem("this exercise expects a value, not a function call")
        if not callable(self.answer):
            raise FatalAnswerProblem(
                f"expected a function (def ...), but got {type(self.answer).__name__}; pass the function itself, without calling it"
            )
        inputs = [(name, value, value.copy()) for name, value in _argument_names(self.answer, args, kwargs)
                  if isinstance(value, np.ndarray)]
        out, err = io.StringIO(), io.StringIO()
        try:
            # numpy floating-point errors are not raised or warned (as in _evaluate), so the answer behaves the same
            # in the learner's kernel and in the batch grader's worker; NaN/inf results are reported by result_array
            with warnings.catch_warnings(record=True) as caught, contextlib.redirect_stdout(out), \
                    contextlib.redirect_stderr(err), np.errstate(all="ignore"):
                warnings.simplefilter("always")
                with _time_limit(self.exercise.time_limit):
                    result = self.answer(*args, **kwargs)
                    result = _materialise(result)  # array conversion is part of the answer's time
        except NotImplementedError as exc:
            raise NotAttempted(str(exc) or "the function still raises NotImplementedError") from None
        except _TimeLimit:
            raise FatalAnswerProblem(
                f"your function did not finish within {self.exercise.time_limit:g} s; look for a loop that never ends "
                "or far too many steps"
            ) from None
        except SystemExit:
            raise FatalAnswerProblem(
                "your function called sys.exit() (or exit/quit, or raised SystemExit): return a value instead"
            ) from None
        except RecursionError:
            raise AnswerProblem("your function recursed without end (RecursionError)") from None
        except Exception as exc:  # the learner's code may raise anything
            if _mentions_ellipsis(exc):
                raise FatalAnswerProblem(_BLANK) from None
            raise AnswerProblem(f"your function raised {_one_line(exc)}") from None
        finally:
            self.stdout += out.getvalue()
            self.stderr += err.getvalue()
            changed = []
            for name, value, before in inputs:
                try:
                    same = value.shape == before.shape and np.array_equal(value, before, equal_nan=True)
                except (TypeError, ValueError):
                    same = value.shape == before.shape and np.array_equal(value, before)
                if not same:
                    changed.append(name)
                    with contextlib.suppress(Exception):
                        if value.shape == before.shape:
                            np.copyto(value, before)
        for w in caught:
            self.warnings.append(f"{w.category.__name__}: {str(w.message)[:150]}")
        if changed:
            names = ", ".join(f"`{n}`" for n in changed)
            raise AnswerProblem(
                f"your function changed its input {names} in place; leave the inputs unchanged and return new "
                "arrays (work on a copy, e.g. `a = a.copy()`, or write `a + ...` instead of `a += ...`)"
            )
        if result is Ellipsis or _contains_ellipsis(result):
            raise FatalAnswerProblem(f"your function returned `...`: {_BLANK}")
        return result

    @property
    def value(self):
        """The answer itself, for value exercises."""
        if self.answer is Ellipsis:
            raise NotAttempted("the answer is still `...`")
        if _contains_ellipsis(self.answer):
            items = list(self.answer.values()) if isinstance(self.answer, dict) else list(self.answer)
            if items and all(item is Ellipsis for item in items):
                raise NotAttempted("every part of the answer is still `...`")
            raise FatalAnswerProblem(_BLANK)
        return self.answer


def result_array(out, shape: Optional[Sequence[Optional[int]]] = None, what: str = "the result") -> np.ndarray:
    """Convert an answer's output to a float array, or raise :class:`AnswerProblem` saying what is off.

    ``shape`` may contain ``None`` for "any length". The message states the expected
    shape (which is part of the exercise statement) but never expected values.
    A list or tuple of numbers is as good as an array.
    """
    if out is None:
        raise AnswerProblem(f"{what} is None: did you forget a `return` statement?")
    if out is Ellipsis or _contains_ellipsis(out):
        raise FatalAnswerProblem(_BLANK)
    if isinstance(out, (str, bytes, dict, set)):
        raise AnswerProblem(f"{what} is a {type(out).__name__}; expected numbers (a numpy array)")
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            raw = np.asarray(out)
            if raw.dtype.kind == "c":
                if np.any(np.imag(raw) != 0):
                    raise AnswerProblem(
                        f"{what} has complex values: look for the square root or logarithm of a negative number"
                    )
                raw = np.real(raw)
            arr = np.asarray(raw, dtype=float)
    except AnswerProblem:
        raise
    except (TypeError, ValueError):
        raise AnswerProblem(f"{what} could not be turned into an array of numbers (got {type(out).__name__})") from None
    if shape is not None:
        shape = tuple(shape)
        if arr.ndim != len(shape) or any(s is not None and s != a for s, a in zip(shape, arr.shape)):
            want = "(" + ", ".join("n" if s is None else str(s) for s in shape) + ("," if len(shape) == 1 else "") + ")"
            raise AnswerProblem(f"{what} has shape {arr.shape}, but shape {want} was expected")
    if np.any(np.isnan(arr)):
        raise AnswerProblem(f"{what} contains NaN: look for 0/0, log(0) or log of a negative number")
    if np.any(np.isinf(arr)):
        raise AnswerProblem(f"{what} contains infinite values: look for a division by zero or an overflowing exp")
    return arr


# ---------------------------------------------------------------------------
# Results
# ---------------------------------------------------------------------------
@dataclass
class CheckResult:
    """Outcome of :func:`check`: a verdict, points, and one line per property."""

    exercise_id: str
    title: str
    passed: bool
    attempted: bool
    points: float
    max_points: float
    lines: list[tuple[Optional[bool], str]] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)

    @property
    def verdict(self) -> str:
        if self.max_points == 0:
            return f"✗ {self.title}: cannot be checked"
        if not self.attempted:
            return f"✗ {self.title}: not attempted yet (0/{self.max_points:g} points)"
        if self.passed:
            return f"✓ {self.title}: all checks passed ({self.points:g}/{self.max_points:g} points)"
        return f"✗ {self.title}: some checks failed ({self.points:g}/{self.max_points:g} points)"

    @property
    def feedback(self) -> str:
        """Plain-text feedback: the verdict line, then one line per property, then notes."""
        out = [self.verdict]
        for ok, text in self.lines:
            mark = "  ✓ " if ok else ("  ✗ " if ok is False else "  · ")
            out.append(mark + text)
        out += [f"  note: {n}" for n in self.notes]
        return "\n".join(out)

    def __str__(self) -> str:
        return self.feedback

    __repr__ = __str__

    def _repr_html_(self) -> str:
        colour = "#009E73" if self.passed else "#D55E00"  # Okabe-Ito green / vermillion (symbols carry it too)
        rows = []
        for ok, text in self.lines:
            mark = "✓" if ok else ("✗" if ok is False else "·")
            rows.append(f"<li><b>{mark}</b> {html.escape(text)}</li>")
        rows += [f"<li><i>note:</i> {html.escape(n)}</li>" for n in self.notes]
        return (
            f'<div style="border-left:4px solid {colour};padding:4px 10px;margin:4px 0">'
            f"<b>{html.escape(self.verdict)}</b>"
            f'<ul style="margin:2px 0 2px 0;list-style:none;padding-left:8px">{"".join(rows)}</ul></div>'
        )

    def to_record(self) -> dict:
        """A JSON-able summary (used by the batch grader)."""
        return {
            "exercise_id": self.exercise_id,
            "passed": self.passed,
            "attempted": self.attempted,
            "points": self.points,
            "max_points": self.max_points,
            "feedback": self.feedback,
        }


# ---------------------------------------------------------------------------
# Public API
# ---------------------------------------------------------------------------
def _grading_env() -> bool:
    if os.environ.get("FEPTEACH_GRADING", "").lower() in ("1", "true", "yes"):
        return True
    return os.environ.get("NBGRADER_EXECUTION", "").lower() in ("autograde", "validate")


# Latched when the checker is imported (the notebook's set-up cell, before any solution cell), so
# that a solution cell clearing the environment or rebinding ``grading_mode`` does not switch an
# nbgrader autograde run back to formative mode. (Formative only: see the README's trust model.)
_GRADING_AT_IMPORT = _grading_env()


def grading_mode() -> bool:
    """True under ``fepteach grade`` (``FEPTEACH_GRADING=1``) or nbgrader autograde/validate."""
    return _GRADING_AT_IMPORT or _grading_env()


_grading_mode = grading_mode  # what check() uses: rebinding the public name does not change it


def _evaluate(exercise: Exercise, answer: Any) -> CheckResult:
    """Run every property; whatever the answer does, return a result (the checker writes nothing to stderr)."""
    sink = io.StringIO()
    with warnings.catch_warnings(), contextlib.redirect_stderr(sink), np.errstate(all="ignore"):
        warnings.simplefilter("ignore")
        return _evaluate_quietly(exercise, answer)


def _evaluate_quietly(exercise: Exercise, answer: Any) -> CheckResult:
    # an Answer (e.g. the grader's remote one, whose learner object lives in a sandboxed worker) is used as is
    ans = answer if isinstance(answer, Answer) else Answer(answer, exercise)
    result = CheckResult(exercise.id, exercise.title, passed=True, attempted=True, points=0.0, max_points=exercise.max_points)
    if ans.answer is None:
        result.attempted = False
        result.passed = False
        result.lines.append((None, "the answer is None: define the function (or value) and pass it to check"))
        return result
    shown: set[str] = set()
    for k, prop in enumerate(exercise.properties):
        rng = np.random.default_rng([exercise.seed, k])
        try:
            message = prop.test(ans, rng)
        except NotAttempted:
            result.attempted = False
            result.passed = False
            result.points = 0.0
            result.lines = [
                (None, "the answer is still `...`: replace it with your answer" if exercise.kind == "value" else
                 "the exercise still raises NotImplementedError: fill in the blanks, then delete the `raise` line")
            ]
            result.notes = []
            return result
        except KeyboardInterrupt:
            result.passed = False
            result.lines.append((False, f"{prop.name}: the check was interrupted (KeyboardInterrupt)"))
            for rest in exercise.properties[k + 1 :]:
                result.lines.append((None, f"{rest.name}: not checked (interrupted)"))
            result.notes.append("checking was stopped by an interrupt; run the check again to grade every property")
            break
        except FatalAnswerProblem as exc:
            result.passed = False
            result.lines.append((False, f"{prop.name}: {exc}"))
            for rest in exercise.properties[k + 1 :]:
                result.lines.append((None, f"{rest.name}: not checked (fix the problem above first)"))
            break
        except AnswerProblem as exc:
            message = str(exc)
        except Exception as exc:  # a property that cannot even be evaluated on this answer
            message = f"could not be checked on your answer ({_one_line(exc)})"
        if message is None:
            result.points += prop.points
            result.lines.append((True, prop.name))
        else:
            result.passed = False
            text = str(message)
            if text in shown:
                text = "the same problem as above"
            else:
                shown.add(text)
            result.lines.append((False, f"{prop.name}: {text}"))
    if ans.stderr.strip():
        result.notes.append(f"your function printed to stderr: {ans.stderr.strip().splitlines()[0][:150]}")
    if ans.warnings:
        result.notes.append(f"your function raised a warning: {ans.warnings[0]}")
    result.points = round(result.points, 6)
    return result


def _log_for_grader(result: CheckResult) -> None:
    path = os.environ.get("FEPTEACH_GRADE_LOG")
    if path:
        with open(path, "a", encoding="utf-8") as fh:
            fh.write(json.dumps(result.to_record()) + "\n")


def check(exercise_id: str, answer: Any) -> CheckResult:
    """Check ``answer`` for the exercise ``exercise_id`` and return a :class:`CheckResult`.

    The result shows as a short report in Jupyter (HTML) and as plain text elsewhere.
    In grading mode (``fepteach grade`` or nbgrader) a failed check raises
    :class:`ExerciseFailed` so that the cell scores zero.
    """
    try:
        exercise = get_exercise(exercise_id)
    except KeyError as exc:
        result = CheckResult(str(exercise_id), str(exercise_id), False, False, 0.0, 0.0, [(False, str(exc.args[0]))])
        return result
    t0 = time.perf_counter()
    result = _evaluate(exercise, answer)
    if time.perf_counter() - t0 > 30:
        result.notes.append("checking took more than 30 s; your function may be much slower than needed")
    if _grading_mode():
        _log_for_grader(result)
        if not result.passed:
            raise ExerciseFailed(result.feedback)
    return result


@dataclass(frozen=True)
class Hint:
    """A hint, shown as plain text or HTML."""

    exercise_id: str
    level: int
    n_levels: int
    text: str

    def __str__(self) -> str:
        more = f" (hint {self.level} of {self.n_levels})"
        return f"Hint for {self.exercise_id}{more}: {self.text}"

    __repr__ = __str__

    def _repr_html_(self) -> str:
        return (
            '<div style="border-left:4px solid #0072B2;padding:4px 10px;margin:4px 0">'
            f"<b>Hint {self.level}/{self.n_levels}</b> for <code>{html.escape(self.exercise_id)}</code>: "
            f"{html.escape(self.text)}</div>"
        )


def hint(exercise_id: str, level: int = 1) -> Hint:
    """Return hint number ``level`` (1 = gentlest) for an exercise; past the last one, the last one."""
    exercise = get_exercise(exercise_id)
    if isinstance(level, bool) or not isinstance(level, (int, np.integer)) or level < 1:
        raise ValueError(f"level must be a whole number >= 1; got {level!r}")
    n = len(exercise.hints)
    k = min(int(level), n)
    return Hint(exercise_id, k, n, exercise.hints[k - 1])


def reference(exercise_id: str) -> Any:
    """The reference answer of an exercise (what the checks compare against).

    For a function exercise, the reference implementation; for a value exercise (``kind="value"``: a prediction,
    a choice, a diagnosis), the model answer itself, which its ``reference`` callable computes on demand.
    """
    exercise = get_exercise(exercise_id)
    if exercise.kind == "value":
        return exercise.reference()
    return exercise.reference


class _Notice:
    def __init__(self, text: str):
        self.text = text

    def __str__(self) -> str:
        return self.text

    def _repr_html_(self) -> str:
        return (
            '<div style="border-left:4px solid #E69F00;padding:4px 10px;margin:4px 0">'
            f"{html.escape(self.text)}</div>"
        )


def _display(obj) -> None:
    try:
        from IPython.display import display

        from IPython import get_ipython

        if get_ipython() is not None:
            display(obj)
            return
    except ImportError:
        pass
    print(str(obj))


def use_or_reference(exercise_id: str, answer: Any):
    """Return ``answer`` if it passes its check, else the reference implementation, with a visible notice.

    Later cells of a notebook call this so that a learner who skipped (or has not yet
    fixed) an exercise can still run the rest of the lesson.
    """
    exercise = get_exercise(exercise_id)
    result = _evaluate(exercise, answer)
    if result.passed:
        return answer
    why = "is not finished yet" if not result.attempted else "does not pass its checks yet"
    _display(
        _Notice(
            f"Note: your answer to exercise {exercise_id} ({exercise.title}) {why}, so the cells below use "
            "fepteach's reference implementation instead. Come back to the exercise any time and re-run from there."
        )
    )
    return reference(exercise_id)


class ExerciseRow(tuple):
    """One row of :func:`list_exercises`: ``(lesson, id, asks, points)``."""

    __slots__ = ()
    _fields = ("lesson", "id", "asks", "points")

    def __new__(cls, lesson: str, id: str, asks: str, points: float):
        return super().__new__(cls, (lesson, id, asks, points))

    lesson = property(lambda self: self[0])
    id = property(lambda self: self[1])
    asks = property(lambda self: self[2])
    points = property(lambda self: self[3])

    def __repr__(self) -> str:
        return f"ExerciseRow(lesson={self[0]!r}, id={self[1]!r}, asks={self[2]!r}, points={self[3]:g})"


def list_exercises(lesson: Optional[str] = None, asks: Optional[str] = None) -> list[ExerciseRow]:
    """Every registered exercise as ``(lesson, id, asks, points)``, in course order.

    ``lesson="L04"`` keeps one lesson; ``asks="predict"`` keeps one kind (see :data:`ASKS`). A lecturer
    who wants to weight understanding for a summative grade selects the rows whose ``asks`` is not "implement".
    """
    _load_all()
    if asks is not None and asks not in ASKS:
        raise ValueError(f"asks must be one of {', '.join(ASKS)}; got {asks!r}")
    rows = []
    for ex in EXERCISES.values():  # registration order = order in the notebooks
        if lesson is not None and ex.lesson != lesson:
            continue
        if asks is not None and ex.asks != asks:
            continue
        rows.append(ExerciseRow(ex.lesson, ex.id, ex.asks, ex.max_points))
    rows.sort(key=lambda r: r.lesson)  # stable: keeps the notebook order within a lesson
    return rows


def exercise_table(lesson: Optional[str] = None) -> str:
    """:func:`list_exercises` as a plain-text table (lesson, id, asks, points) with totals per kind."""
    rows = list_exercises(lesson)
    width = max([len(r.id) for r in rows] + [8])
    out = [f"{'lesson':<7} {'exercise':<{width}} {'asks':<10} {'points':>6}"]
    out += [f"{r.lesson:<7} {r.id:<{width}} {r.asks:<10} {r.points:>6g}" for r in rows]
    totals = {}
    for r in rows:
        totals[r.asks] = totals.get(r.asks, 0.0) + r.points
    out.append("totals: " + ", ".join(f"{k} {v:g}" for k, v in sorted(totals.items())) + f"; all {sum(totals.values()):g} points")
    return "\n".join(out)

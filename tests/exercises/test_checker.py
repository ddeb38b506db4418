"""The checker survives hostile answers and explains what is wrong (DESIGN 'Exercises and grading')."""

import sys
import time

import numpy as np
import pytest

from fepteach.exercises import EXERCISES, ExerciseFailed, Exercise, Property, check, hint, reference, use_or_reference
from fepteach.exercises.core import result_array

EX = "L01.fixed_point"


def _net_args():
    rng = np.random.default_rng(0)
    return (rng.integers(0, 2, 5).astype(float), rng.normal(size=(2, 5)), rng.normal(size=(2, 5)), np.zeros(2), np.zeros(2))


def _run(answer, capsys):
    result = check(EX, answer)
    captured = capsys.readouterr()
    assert captured.err == "", "the checker must never write to stderr"
    assert "Traceback" not in result.feedback
    return result


def test_answer_that_raises(capsys):
    def bad(o, W1, W0, h1, h0):
        return {}["missing"]

    r = _run(bad, capsys)
    assert not r.passed and r.points == 0
    assert "raised KeyError" in r.feedback


def test_answer_returning_none(capsys):
    r = _run(lambda *a: None, capsys)
    assert "did you forget a `return`" in r.feedback


def test_answer_returning_nan(capsys):
    r = _run(lambda o, W1, W0, h1, h0: np.full(W1.shape[0], np.nan), capsys)
    assert "NaN" in r.feedback and r.points == 0


def test_answer_with_wrong_shape(capsys):
    r = _run(lambda o, W1, W0, h1, h0: np.zeros(W1.shape[0] + 1) + 0.5, capsys)
    assert "has shape" in r.feedback and "was expected" in r.feedback


def test_answer_of_wrong_type(capsys):
    r = _run("sigma(Wo + h)", capsys)
    assert "expected a function" in r.feedback
    assert r.points == 0
    r = _run(lambda *a: "0.5", capsys)
    assert "expected numbers" in r.feedback


def test_answer_that_prints_to_stderr_is_still_graded_and_the_noise_reported(capsys):
    ref = reference(EX)

    def noisy(*args):
        print("debug!", file=sys.stderr)
        return ref(*args)

    r = _run(noisy, capsys)
    assert r.passed
    assert any("stderr" in n for n in r.notes)


def test_answer_that_runs_too_long(capsys):
    slow_ex = Exercise(
        id="T.slow",
        title="a test exercise",
        reference=lambda: 1.0,
        properties=(Property("returns one", 1, lambda ans, rng: None if ans() == 1.0 else "no"),
                    Property("second", 1, lambda ans, rng: None)),
        hints=("h1", "h2"),
        time_limit=0.3,
    )
    from fepteach.exercises import core

    core.EXERCISES["T.slow"] = slow_ex
    try:
        def forever():
            while True:
                time.sleep(0.01)

        t0 = time.perf_counter()
        r = check("T.slow", forever)
        assert time.perf_counter() - t0 < 3
        assert "did not finish" in r.feedback
        assert "not checked" in r.feedback  # later properties are not re-run after a fatal problem
        assert capsys.readouterr().err == ""
    finally:
        del core.EXERCISES["T.slow"]


def test_ellipsis_left_in_the_answer(capsys):
    r = _run(lambda *a: ..., capsys)
    assert "blank is still unfilled" in r.feedback


def test_unknown_exercise_id_is_a_message_not_a_crash(capsys):
    r = check("L01.does_not_exist", lambda: 0)
    assert not r.passed and "unknown exercise" in r.feedback and "L01.fixed_point" in r.feedback


def test_result_renders_as_text_and_html():
    r = check(EX, reference(EX))
    assert str(r).startswith("✓")
    html = r._repr_html_()
    assert "<div" in html and "✓" in html
    bad = check(EX, lambda o, W1, W0, h1, h0: (W1 - W0) @ o + h1 - h0)
    assert str(bad).startswith("✗") and "points" in bad.verdict
    assert "✗" in bad._repr_html_()


def test_feedback_never_contains_the_expected_values():
    o, W1, W0, h1, h0 = _net_args()
    bad = check(EX, lambda o, W1, W0, h1, h0: np.full(W1.shape[0], 0.5))
    assert "0.5" not in bad.feedback.replace("0.5)", "")  # no numbers from the reference leak out
    assert "array" not in bad.feedback


def test_grading_mode_raises_a_short_exception_and_logs(monkeypatch, tmp_path):
    log = tmp_path / "log.jsonl"
    monkeypatch.setenv("FEPTEACH_GRADING", "1")
    monkeypatch.setenv("FEPTEACH_GRADE_LOG", str(log))
    with pytest.raises(ExerciseFailed) as info:
        check(EX, lambda *a: None)
    assert "Traceback" not in str(info.value) and "0/4 points" in str(info.value)
    ok = check(EX, reference(EX))
    assert ok.passed
    lines = log.read_text().splitlines()
    assert len(lines) == 2 and '"points": 4.0' in lines[1]


def test_nbgrader_environment_counts_as_grading_mode(monkeypatch):
    monkeypatch.setenv("NBGRADER_EXECUTION", "autograde")
    with pytest.raises(ExerciseFailed):
        check(EX, lambda *a: None)


def test_hints_have_levels_and_past_the_last_repeat_it():
    h1, h2, h9 = hint(EX, 1), hint(EX, 2), hint(EX, 9)
    assert h1.level == 1 and h2.level == 2 and h9.level == h2.level
    assert "hint 1 of" in str(h1) and "<div" in h1._repr_html_()
    with pytest.raises(ValueError, match="level"):
        hint(EX, 0)


def test_use_or_reference_falls_back_with_a_visible_notice(capsys):
    def stub(*a):
        raise NotImplementedError

    f = use_or_reference(EX, stub)
    assert f is reference(EX)
    assert "reference implementation" in capsys.readouterr().out
    good = reference(EX)
    assert use_or_reference(EX, good) is good


def test_result_array_messages():
    with pytest.raises(Exception, match="None"):
        result_array(None)
    assert result_array([1, 2], (2,)).shape == (2,)
    with pytest.raises(Exception, match=r"shape \(3,\)"):
        result_array([1, 2], (3,))
    with pytest.raises(Exception, match="infinite"):
        result_array([np.inf])


# ---------------------------------------------------------------------------
# Checker fixes of issue 8, item 4 (each test fails on the checker before the fix)
# ---------------------------------------------------------------------------
def _temp_exercise(monkeypatch, **kw):
    from fepteach.exercises import core

    spec = dict(id="T.temp", title="a test exercise", reference=lambda: 1.0, hints=("h1", "h2"))
    spec.update(kw)
    ex = Exercise(**spec)
    monkeypatch.setitem(core.EXERCISES, ex.id, ex)
    return ex.id


def test_sys_exit_is_a_failed_verdict_not_an_escaped_exception(capsys):
    def quits(*args):
        sys.exit(3)

    def raises(*args):
        raise SystemExit

    for answer in (quits, raises):
        r = _run(answer, capsys)
        assert not r.passed and r.attempted and r.points == 0
        assert "sys.exit" in r.feedback


def test_keyboard_interrupt_stops_the_check_cleanly_and_says_so(capsys):
    def interrupted(*args):
        raise KeyboardInterrupt

    r = _run(interrupted, capsys)
    assert not r.passed and r.points == 0
    assert "interrupted" in r.feedback
    assert "not checked (interrupted)" in r.feedback


def test_array_conversion_of_the_return_value_runs_inside_the_time_limit(monkeypatch, capsys):
    class Endless:
        def __array__(self, dtype=None, copy=None):
            while True:
                time.sleep(0.01)

    ex_id = _temp_exercise(
        monkeypatch,
        properties=(Property("one number", 1, lambda ans, rng: None if float(result_array(ans(), ())) == 1.0 else "no"),),
        time_limit=0.3,
    )
    t0 = time.perf_counter()
    r = check(ex_id, lambda: Endless())
    assert time.perf_counter() - t0 < 5
    assert "did not finish" in r.feedback and not r.passed
    assert capsys.readouterr().err == ""


def test_a_blank_inside_an_expression_is_reported_once_as_unfilled(capsys):
    def half_done(o, W1, W0, h1, h0):
        v = (W1 - W0) @ o + ...
        return v

    def half_done_numpy(o, W1, W0, h1, h0):
        return np.exp(...)

    def blank_in_a_pair(o, W1, W0, h1, h0):
        return reference(EX)(o, W1, W0, h1, h0), ...

    for answer in (half_done, half_done_numpy):
        r = _run(answer, capsys)
        assert "a blank is still unfilled" in r.feedback
        assert "TypeError" not in r.feedback
        assert r.feedback.count("blank is still unfilled") == 1
    r = check("L04.bss_step", lambda qa, o, phi: (reference("L04.bss_step")(qa, o, phi)[0], ...))
    assert "a blank is still unfilled" in r.feedback and r.feedback.count("blank") == 1


@pytest.mark.parametrize("exercise_id", ["L03.dirichlet_update", "L01.fixed_point", "L05.weights_from_activity"])
def test_an_answer_that_modifies_its_inputs_is_told_so_by_name(exercise_id):
    import functools

    ref = reference(exercise_id)

    @functools.wraps(ref)  # same parameter names as the reference
    def in_place(*args):
        out = ref(*args)
        args[0][...] = 0.0  # spoil the first input array
        return out

    import inspect

    first = next(iter(inspect.signature(ref).parameters))
    r = check(exercise_id, in_place)
    assert not r.passed
    assert f"changed its input `{first}` in place" in r.feedback
    assert "should gain exactly one count" not in r.feedback


def test_an_in_place_dirichlet_update_is_told_it_changed_its_input():
    def in_place(qa, o, s):
        qa += np.outer(np.concatenate([o, 1 - o]), np.concatenate([s, 1 - s]))
        return qa

    r = check("L03.dirichlet_update", in_place)
    assert "changed its input `qa` in place" in r.feedback
    assert "exactly one count" not in r.feedback


def test_wrong_way_messages_point_the_right_way():
    from fepteach.exercises import get_exercise

    def wrong(exercise_id, desc):
        return dict(get_exercise(exercise_id).wrong_answers)[desc]

    r = check("L04.bss_step", wrong("L04.bss_step", "ON inputs only"))
    assert "column pair total" not in r.feedback
    r = check("L05.weights_from_activity", wrong("L05.weights_from_activity", "lam instead of lam/2 in the Hebbian accumulator"))
    assert "division by zero" not in r.feedback and "lam/2" in r.feedback
    from fepteach.exercises.l07 import _dm_raw

    r = check("L07.decision_map", lambda pi: 32 * _dm_raw(pi, np.maximum))
    assert "capped" in r.feedback
    r = check("L06.selection_probabilities", wrong("L06.selection_probabilities", "no guard"))
    assert "log" not in r.feedback.split("guard at y = 1")[-1] and "1e-6" in r.feedback


def test_chunk_risk_grades_the_effective_rule_not_a_floating_point_artefact():
    def algebraic(G):
        d = 200 - 400 * np.asarray(G).mean()
        return 0.55 if d <= 0 else 0.45 if d < 10 else 0.0

    def integer_counts(G):
        G = np.asarray(G)
        d = 200 * (np.sum(G == 0) - np.sum(G == 1)) / G.size
        return 0.55 if d <= 0 else 0.45 if d < 10 else 0.0

    for answer in (algebraic, integer_counts):
        r = check("L06.chunk_risk", answer)
        assert r.passed and r.points == r.max_points, r.feedback

    # the student's template, with its blank filled by the algebraically identical expression, gets full marks
    import json
    from pathlib import Path

    nb = json.loads((Path(__file__).parents[2] / "exercises" / "06_delayed_plasticity_exercises.ipynb").read_text())
    src = next("".join(c["source"]) for c in nb["cells"] if "def chunk_risk(G)" in "".join(c["source"]))
    assert "    delta = ...\n" in src
    src = src.replace("    delta = ...\n", "    delta = 200 - 400 * G.mean()\n").replace("raise NotImplementedError", "pass  #")
    scope = {"np": np}
    exec(src, scope)
    r = check("L06.chunk_risk", scope["chunk_risk"])
    assert r.passed and r.points == r.max_points, r.feedback


def test_a_correct_pair_returned_as_a_list_gets_full_marks():
    ref = reference("L04.bss_step")
    r = check("L04.bss_step", lambda qa, o, phi: list(ref(qa, o, phi)))
    assert r.passed and r.points == r.max_points, r.feedback
    ref1 = reference(EX)
    r = check(EX, lambda *a: [float(v) for v in ref1(*a)])
    assert r.passed, r.feedback


def test_the_checker_writes_nothing_to_stderr_on_complex_answers(capsys):
    import warnings as _w

    ref = reference(EX)
    with _w.catch_warnings():
        _w.simplefilter("error")  # a ComplexWarning would be an error here
        r = check(EX, lambda *a: ref(*a) + 0j)
        assert r.passed, r.feedback
        r = check(EX, lambda *a: ref(*a) + 1j)
    assert not r.passed and "complex" in r.feedback
    assert capsys.readouterr().err == ""


def test_list_exercises_gives_lesson_id_asks_and_points():
    from fepteach.exercises import ASKS, EXERCISES, exercise_table, list_exercises

    rows = list_exercises()
    assert len(rows) == len(EXERCISES)
    assert all(r.asks in ASKS and r.points > 0 and r.id.startswith(r.lesson + ".") for r in rows)
    assert [r.lesson for r in rows] == sorted(r.lesson for r in rows)
    assert all(r.lesson == "L04" for r in list_exercises("L04"))
    assert "asks" in exercise_table() and "L01.fixed_point" in exercise_table()
    with pytest.raises(ValueError):
        list_exercises(asks="copy")


def test_register_rejects_an_unknown_kind_of_task():
    from fepteach.exercises import register

    with pytest.raises(ValueError, match="asks"):
        register(Exercise(id="T.bad", title="t", reference=lambda: 1, properties=(Property("p", 1, lambda a, r: None),),
                          hints=("a", "b"), asks="copy"))

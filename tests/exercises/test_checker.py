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

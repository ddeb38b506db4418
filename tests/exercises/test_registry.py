"""Every registered exercise is proven able to fail: stub -> not attempted, reference -> full marks,
each registered plausible wrong answer -> loses points."""

import numpy as np
import pytest

from fepteach.exercises import EXERCISES, check, hint, reference
from fepteach.exercises.core import _load_all

_load_all()
IDS = sorted(EXERCISES)


def _stub(*args, **kwargs):
    raise NotImplementedError("Exercise: fill in the blanks")


def test_there_are_exercises_for_lesson_01():
    assert len([i for i in IDS if i.startswith("L01.")]) >= 4


@pytest.mark.parametrize("exercise_id", IDS)
def test_stub_is_reported_as_not_attempted(exercise_id, capsys):
    stub = ... if EXERCISES[exercise_id].kind == "value" else _stub  # the student's blank
    result = check(exercise_id, stub)
    assert not result.attempted and not result.passed and result.points == 0
    assert "not attempted" in result.feedback
    assert capsys.readouterr().err == ""


@pytest.mark.parametrize("exercise_id", IDS)
def test_reference_gets_full_points(exercise_id):
    result = check(exercise_id, reference(exercise_id))
    assert result.passed, result.feedback
    assert result.points == result.max_points > 0


@pytest.mark.parametrize(
    "exercise_id, k",
    [(i, k) for i in IDS for k in range(len(EXERCISES[i].wrong_answers))],
)
def test_each_plausible_wrong_answer_loses_points(exercise_id, k):
    desc, wrong = EXERCISES[exercise_id].wrong_answers[k]
    result = check(exercise_id, wrong)
    assert result.attempted
    assert not result.passed, f"wrong answer {desc!r} passed"
    assert result.points < result.max_points
    # feedback explains: a verdict line plus one line per property, and no array dump
    lines = result.feedback.splitlines()
    assert len(lines) >= 1 + len(EXERCISES[exercise_id].properties)
    assert "array(" not in result.feedback


@pytest.mark.parametrize("exercise_id", IDS)
def test_every_exercise_registers_at_least_two_wrong_answers_and_two_hints(exercise_id):
    ex = EXERCISES[exercise_id]
    assert len(ex.wrong_answers) >= 2
    assert len(ex.hints) >= 2
    assert str(hint(exercise_id, 1)) != str(hint(exercise_id, 2))

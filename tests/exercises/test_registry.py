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


CENTRAL_CLAIMS = (
    "L01.diverging_steps",          # the activity descends L (curvature decides which Euler steps run away)
    "L02.step_that_raises_L",       # the activity descends L (the step size where it stops doing so)
    "L03.cost_equals_free_energy",  # L = F term by term
    "L04.prior_decides_separation", # the implicit prior decides separation
    "L05.diagnose_network",         # diagnose an unseen network from its activity
    "L06.delayed_modulation",       # delayed modulation of good and bad decisions
    "L07.left_bias_failure",        # why the left-biased agent fails
    "L07.prior_predicts_learning",  # predicting learning from a reverse-engineered prior
)


@pytest.mark.parametrize("exercise_id", CENTRAL_CLAIMS)
def test_each_central_claim_has_a_graded_understanding_item(exercise_id):
    ex = EXERCISES[exercise_id]
    assert ex.asks != "implement" and ex.kind == "value"
    assert ex.max_points >= 4 and len(ex.wrong_answers) >= 2


def test_every_lesson_has_four_exercises_two_of_them_not_implement_and_every_exercise_says_what_it_asks():
    from fepteach.exercises import ASKS, list_exercises

    rows = list_exercises()
    for lesson in sorted({r.lesson for r in rows}):
        assert len([r for r in rows if r.lesson == lesson]) >= 4, lesson
        assert len([r for r in rows if r.lesson == lesson and r.asks != "implement"]) >= 2, lesson
    assert all(r.asks in ASKS for r in rows)

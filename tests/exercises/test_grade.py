"""Batch grading (`fepteach grade`): real kernels, hostile submissions, gradebook and feedback files."""

import csv
import json
import shutil
import subprocess
import sys
from pathlib import Path

import nbformat
import pytest

from fepteach.course import course_root
from fepteach.exercises.grade import grade_folder

ROOT = course_root()
NAME = "01_rate_neurons_exercises.ipynb"

from fepteach.exercises import list_exercises as _list_exercises

L01_POINTS = sum(r.points for r in _list_exercises("L01"))  # full marks of notebook 01


def _with_solution(nb, grade_id, source):
    for cell in nb.cells:
        if cell.get("metadata", {}).get("nbgrader", {}).get("grade_id") == grade_id:
            cell.source = source
    return nb


@pytest.fixture(scope="module")
def graded(tmp_path_factory):
    sub = tmp_path_factory.mktemp("submitted")
    student = nbformat.read(ROOT / "exercises" / NAME, as_version=4)

    def put(who, nb):
        (sub / who).mkdir()
        nbformat.write(nb, sub / who / NAME)

    put("alice", nbformat.read(ROOT / "exercises" / "instructor" / NAME, as_version=4))
    put("bob", student)
    wrong = nbformat.from_dict(json.loads(json.dumps(student)))
    _with_solution(wrong, "L01-fixed_point", "def fixed_point(o, W1, W0, h1, h0):\n    return expit((W1 + W0) @ o + h1 - h0)")
    put("carol", wrong)
    cheat = nbformat.from_dict(json.loads(json.dumps(student)))
    for cell in cheat.cells:
        if cell.source.startswith('check("L01.rhs_x"'):
            cell.source = 'from fepteach.exercises import reference\ncheck("L01.rhs_x", reference("L01.rhs_x"))'
    put("dave", cheat)
    (sub / "eve").mkdir()
    (sub / "eve" / NAME).write_text("{ this is not json")
    (sub / "frank").mkdir()
    (sub / "frank" / NAME).write_text("")
    hang = nbformat.from_dict(json.loads(json.dumps(student)))
    _with_solution(hang, "L01-rhs_x", "while True:\n    pass")
    put("gina", hang)
    crash = nbformat.from_dict(json.loads(json.dumps(student)))
    _with_solution(crash, "L01-euler_u", "import os\nos._exit(1)")
    put("hank", crash)
    (sub / "ivan").mkdir()
    nbformat.write(student, sub / "ivan" / "99_unknown.ipynb")

    out = tmp_path_factory.mktemp("grades")
    rows = grade_folder(sub, out, timeout=8)
    return {r.student: r for r in rows}, out


@pytest.mark.slow
def test_full_solution_gets_full_marks(graded):
    rows, _ = graded
    assert rows["alice"].status == "graded" and rows["alice"].points == rows["alice"].max_points == L01_POINTS


@pytest.mark.slow
def test_untouched_stub_scores_zero_without_error(graded):
    rows, _ = graded
    assert rows["bob"].points == 0 and rows["bob"].reason == ""
    assert "not attempted" in rows["bob"].feedback["L01.rhs_x"]


@pytest.mark.slow
def test_wrong_answer_gets_partial_credit(graded):
    rows, _ = graded
    assert 0 < rows["carol"].per_exercise["L01.fixed_point"] < 4
    assert rows["carol"].points == rows["carol"].per_exercise["L01.fixed_point"]


@pytest.mark.slow
def test_edited_check_cell_is_restored_from_the_released_copy(graded):
    rows, _ = graded
    assert rows["dave"].per_exercise["L01.rhs_x"] == 0


@pytest.mark.slow
def test_malformed_and_empty_files_get_a_reason(graded):
    rows, _ = graded
    assert rows["eve"].status == "error" and "not a readable notebook" in rows["eve"].reason
    assert rows["frank"].status == "error" and "empty" in rows["frank"].reason


@pytest.mark.slow
def test_hanging_submission_is_interrupted_and_the_rest_still_graded(graded):
    rows, _ = graded
    assert "limit" in rows["gina"].reason
    assert rows["gina"].per_exercise["L01.rhs_x"] == 0


@pytest.mark.slow
def test_crashing_kernel_is_a_reason_not_a_grader_crash(graded):
    rows, _ = graded
    assert rows["hank"].status == "graded" and "process died" in rows["hank"].reason and "exited with status 1" in rows["hank"].reason
    assert rows["hank"].per_exercise["L01.rhs_x"] == 0 and "not run" in rows["hank"].feedback["L01.fixed_point"]


@pytest.mark.slow
def test_unknown_notebook_gets_a_row(graded):
    rows, _ = graded
    assert rows["ivan"].status == "error" and "no released notebook" in rows["ivan"].reason


@pytest.mark.slow
def test_gradebook_and_feedback_files(graded):
    rows, out = graded
    with open(out / "gradebook.csv") as fh:
        table = list(csv.DictReader(fh))
    assert len(table) == len(rows) == 9
    alice = next(r for r in table if r["student"] == "alice")
    assert alice["points"] == f"{L01_POINTS:g}" and alice["L01.fixed_point"] == "4"
    fb = (out / "feedback" / "carol__01_rate_neurons_exercises.md").read_text()
    assert "Score:" in fb and "✗" in fb


def test_cli_reports_a_missing_folder(tmp_path):
    res = subprocess.run([sys.executable, "-m", "fepteach", "grade", str(tmp_path / "nope")], capture_output=True, text=True)
    assert res.returncode == 2 and "does not exist" in res.stderr

"""The nbgrader path, with a real ``nbgrader generate_assignment`` / ``autograde`` run.

What it shows (and the README states): under nbgrader the checks run in the student's kernel.
Two of the issue's one-line cheats (clearing ``NBGRADER_EXECUTION``, rebinding ``grading_mode``)
no longer pay, because grading mode is latched when the checker is imported and ``check`` uses a
private alias; rebinding ``check`` itself in a solution cell still earns full marks, since the
check cells call the name ``check`` from the student's namespace. nbgrader scores each check cell
all-or-nothing, so a partly right exercise scores less there than under ``fepteach grade``.
"""

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from fepteach.course import course_root
from fepteach.exercises import get_exercise, list_exercises
from fepteach.exercises.grade import grade_folder

L01_POINTS = sum(r.points for r in list_exercises("L01"))  # full marks of notebook 01
FIXED_POINT = get_exercise("L01.fixed_point").max_points

pytest.importorskip("nbgrader")

NAME = "01_rate_neurons_exercises.ipynb"
MARKERS = ("### BEGIN SOLUTION", "### END SOLUTION")


def _cell(nb, gid):
    return next(c for c in nb["cells"] if c.get("metadata", {}).get("nbgrader", {}).get("grade_id") == gid)


def _src(cell):
    return "".join(cell["source"]) if isinstance(cell["source"], list) else cell["source"]


def _nbgrader(course: Path, *args):
    env = dict(os.environ, PATH=f"{Path(sys.executable).parent}{os.pathsep}{os.environ.get('PATH', '')}")
    env.pop("FEPTEACH_GRADING", None)
    res = subprocess.run([sys.executable, "-m", "nbgrader", *args], cwd=course, env=env, capture_output=True, text=True, timeout=900)
    assert res.returncode == 0, res.stderr[-2000:]


@pytest.fixture(scope="module")
def scores(tmp_path_factory):
    course = tmp_path_factory.mktemp("course")
    (course / "source" / "ps1").mkdir(parents=True)
    shutil.copy(course_root() / "exercises" / "instructor" / NAME, course / "source" / "ps1" / NAME)
    (course / "nbgrader_config.py").write_text(
        f"c = get_config()\nc.CourseDirectory.root = {str(course)!r}\nc.CourseDirectory.course_id = 'fep'\n"
        "c.ExecutePreprocessor.timeout = 300\n"
    )
    _nbgrader(course, "generate_assignment", "ps1", "--force")
    released = json.loads((course / "release" / "ps1" / NAME).read_text())
    instructor = json.loads((course / "source" / "ps1" / NAME).read_text())
    full = json.loads(json.dumps(released))
    for cell in full["cells"]:
        meta = cell.get("metadata", {}).get("nbgrader", {})
        if meta.get("solution"):
            lines = _src(_cell(instructor, meta["grade_id"])).splitlines()
            cell["source"] = "\n".join(line for line in lines if line.strip() not in MARKERS)
    partial = json.loads(json.dumps(full))
    _cell(partial, "L01-fixed_point")["source"] = (
        "from scipy.special import expit\ndef fixed_point(o, W1, W0, h1, h0):\n    return expit((W1 + W0) @ o + h1 - h0)"
    )
    subs = {"honest": full, "partial": partial}
    stub = _src(_cell(released, "L01-rhs_x"))
    for who, line in [
        ("cheat_rebind", "check = lambda *a, **k: None"),
        ("cheat_env", "import os; os.environ.pop('NBGRADER_EXECUTION', None)"),
        ("cheat_patch", "import fepteach.exercises.core as c; c.grading_mode = lambda: False"),
    ]:
        nb = json.loads(json.dumps(released))
        _cell(nb, "L01-rhs_x")["source"] = line + "\n" + stub
        subs[who] = nb
    for who, nb in subs.items():
        (course / "submitted" / who / "ps1").mkdir(parents=True)
        (course / "submitted" / who / "ps1" / NAME).write_text(json.dumps(nb))
        (course / "fep" / who).mkdir(parents=True)
        (course / "fep" / who / NAME).write_text(json.dumps(nb))
    _nbgrader(course, "autograde", "ps1", "--create", "--force")
    _nbgrader(course, "export")
    lines = (course / "grades.csv").read_text().splitlines()
    head = lines[0].split(",")
    nbg = {row.split(",")[head.index("student_id")]: float(row.split(",")[head.index("raw_score")]) for row in lines[1:]}
    rows = grade_folder(course / "fep", course / "fepteach-grades", timeout=60)
    ours = {r.student: r.points for r in rows}
    return nbg, ours


@pytest.mark.slow
def test_honest_submission_scores_full_marks_under_both(scores):
    nbg, ours = scores
    assert nbg["honest"] == ours["honest"] == L01_POINTS


@pytest.mark.slow
def test_partial_credit_differs_nbgrader_is_all_or_nothing(scores):
    nbg, ours = scores
    assert nbg["partial"] == L01_POINTS - FIXED_POINT  # the fixed_point check cell scores 0 of 4
    assert L01_POINTS - FIXED_POINT < ours["partial"] < L01_POINTS  # fepteach grade gives its passing properties their points


@pytest.mark.slow
def test_environment_and_grading_mode_cheats_fail_under_nbgrader(scores):
    nbg, ours = scores
    assert nbg["cheat_env"] == 0 and nbg["cheat_patch"] == 0
    assert ours["cheat_env"] == ours["cheat_patch"] == 0


@pytest.mark.slow
def test_rebinding_check_still_fools_nbgrader_but_not_fepteach_grade(scores):
    nbg, ours = scores
    assert nbg["cheat_rebind"] >= L01_POINTS / 2  # an untouched stub earns most points (19 of 23 today): documented limitation of the in-kernel path (README)
    assert ours["cheat_rebind"] == 0

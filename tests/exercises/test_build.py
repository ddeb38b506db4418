"""Student notebooks are generated from instructor sources; the committed ones are current."""

import re

import nbformat
import pytest

from fepteach.course import course_root
from fepteach.exercises import EXERCISES
from fepteach.exercises.build import build_all, instructor_sources, make_student_notebook, student_source
from fepteach.exercises.core import _load_all


def test_committed_student_notebooks_equal_the_regenerated_ones():
    stale = build_all(check=True)
    assert stale == [], f"run `fepteach build-exercises` and commit: {stale}"


def test_every_instructor_source_has_a_student_notebook():
    root = course_root()
    sources = instructor_sources(root)
    assert sources, "no instructor sources found"
    for src in sources:
        assert (root / "exercises" / src.name).exists()


def test_student_source_blanks_keeps_and_drops():
    src = "\n".join([
        "def f(x):",
        '    """doc"""',
        "    ### BEGIN SOLUTION",
        "    y = 2 * x  #: double it",
        "    for k in range(3):  #=",
        "        y += k  #: add k",
        "    helper = 1",
        "    return y  #: the result",
        "    ### END SOLUTION",
    ])
    out = student_source(src, "LXX.f")
    assert 'raise NotImplementedError("Exercise LXX.f' in out
    assert "    # double it\n    y = ..." in out
    assert "    for k in range(3):" in out
    assert "        # add k\n        y += ..." in out
    assert "helper" not in out and "2 * x" not in out
    assert "    # the result\n    return ..." in out


def test_a_top_level_value_answer_gets_its_blank_and_no_raise():
    out = student_source("dts = (1, 2)\n### BEGIN SOLUTION\nguess = (True, False)  #: your prediction\n### END SOLUTION", "LXX.g")
    assert "NotImplementedError" not in out
    assert "# your prediction\nguess = ..." in out and "True" not in out


@pytest.mark.parametrize("bad", [
    "### BEGIN SOLUTION\nx = 1",
    "x = 1\n### END SOLUTION",
    "### BEGIN SOLUTION\n### BEGIN SOLUTION\n### END SOLUTION",
])
def test_unbalanced_markers_are_reported(bad):
    with pytest.raises(ValueError, match="SOLUTION"):
        student_source(bad, "LXX.f")


def test_student_notebooks_contain_no_solutions_and_keep_nbgrader_metadata():
    for src in instructor_sources():
        inst = nbformat.read(src, as_version=4)
        stud = make_student_notebook(inst)
        assert len(stud.cells) == len(inst.cells)
        for a, b in zip(inst.cells, stud.cells):
            assert a.metadata.get("nbgrader") == b.metadata.get("nbgrader")
            if "### BEGIN SOLUTION" in a.source:
                assert "### BEGIN SOLUTION" not in b.source
                value_answer = a.source.split("### BEGIN SOLUTION")[0].endswith("\n") or a.source.startswith("### BEGIN")
                if value_answer:  # a top-level answer (prediction, choice): its blank `name = ...` is the stub
                    assert re.search(r"^\w+ = \.\.\.$", b.source, flags=re.M), b.source
                else:
                    assert "NotImplementedError" in b.source


def test_check_cells_point_at_registered_exercises_with_matching_points():
    _load_all()
    for src in instructor_sources():
        nb = nbformat.read(src, as_version=4)
        ids = []
        for cell in nb.cells:
            meta = cell.metadata.get("nbgrader", {})
            if meta.get("grade"):
                ex = cell.metadata["fepteach"]["exercise"]
                assert ex in EXERCISES, f"{src.name}: check cell for unknown exercise {ex}"
                assert meta["points"] == EXERCISES[ex].max_points, f"{src.name}: points of {ex}"
                assert meta["locked"] and meta["schema_version"] == 3
                if EXERCISES[ex].kind == "value":
                    assert re.fullmatch(rf'check\("{re.escape(ex)}", \w+\)', cell.source.strip()), cell.source
                else:
                    assert cell.source.strip() == f'check("{ex}", {ex.split(".")[1]})'
                ids.append(ex)
        assert len(ids) >= 4, f"{src.name} has fewer than 4 graded exercises"
        grade_ids = [c.metadata["nbgrader"]["grade_id"] for c in nb.cells if "nbgrader" in c.metadata]
        assert len(grade_ids) == len(set(grade_ids)), "nbgrader grade_ids must be unique"


def test_exercise_notebooks_cite_papers_not_developer_files():
    """Learners see these notebooks: no SPEC, oracle ids, developers' files or private modules."""
    from fepteach.course import course_root

    root = course_root()
    bad = re.compile(r"\bSPEC\b|\bO\d{1,2}\b|oracle|reference_results|paper_map|DESIGN\.md|fepteach\._")
    for path in sorted((root / "exercises").rglob("*_exercises.ipynb")):
        nb = nbformat.read(path, as_version=4)
        for cell in nb.cells:
            found = bad.findall(cell.source)
            assert not found, f"{path.name}: {found} in {cell.source[:80]!r}"


def test_model_answers_stay_in_the_instructor_version_and_hints_reach_the_student():
    from fepteach.exercises.build import strip_model_answers

    src = ('* a question\n  <details class="hint"><summary>Hint</summary>\n\n  look here\n  </details>\n'
           '  <details class="model-answer"><summary>Model answer</summary>\n\n  the answer\n  </details>\n* next')
    out = strip_model_answers(src)
    assert "the answer" not in out and "model-answer" not in out
    assert "look here" in out and out.endswith("* next")
    for src_path in instructor_sources():
        inst = nbformat.read(src_path, as_version=4)
        stud = make_student_notebook(inst)
        for a, b in zip(inst.cells, stud.cells):
            assert "model-answer" not in b.source
            if "model-answer" in a.source:
                assert a.source.count('class="hint"') == b.source.count('class="hint"') >= 1

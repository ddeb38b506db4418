"""Helpers for writing course notebooks from Python (for lecturers and course authors).

    from fepteach.exercises.authoring import md, code, solution, checkcell, write
    write("exercises/instructor/08_mine_exercises.ipynb", [
        md("# Exercises 08"),
        solution('def f(x):\\n    ### BEGIN SOLUTION\\n    return 2 * x  #: double x\\n    ### END SOLUTION', "L08.f", "L08-f"),
        checkcell('check("L08.f", f)', "L08.f", "L08-f-check", points=2),
    ])

``solution`` and ``checkcell`` set the nbgrader (schema 3) and fepteach cell metadata that
``fepteach build-exercises`` and ``fepteach grade`` rely on (see AUTHORING.md).
"""

from __future__ import annotations

from pathlib import Path

from nbformat.v4 import new_code_cell, new_markdown_cell, new_notebook

from .build import clean_notebook, notebook_text


def md(source: str, **metadata):
    """A markdown cell (leading/trailing blank lines removed)."""
    cell = new_markdown_cell(source.strip("\n"))
    cell.metadata.update(metadata)
    return cell


def code(source: str, **metadata):
    """A code cell."""
    cell = new_code_cell(source.strip("\n"))
    cell.metadata.update(metadata)
    return cell


def solution(source: str, exercise_id: str, grade_id: str):
    """A solution cell (nbgrader ``solution: true``) for exercise ``exercise_id``."""
    return code(
        source,
        nbgrader={"grade": False, "solution": True, "locked": False, "grade_id": grade_id, "schema_version": 3},
        fepteach={"exercise": exercise_id},
    )


def checkcell(source: str, exercise_id: str, grade_id: str, points: float):
    """A locked, graded check cell (nbgrader ``grade: true``) worth ``points``."""
    return code(
        source,
        nbgrader={"grade": True, "solution": False, "locked": True, "grade_id": grade_id, "points": points, "schema_version": 3},
        fepteach={"exercise": exercise_id},
        editable=False,
        deletable=False,
    )


def write(path, cells) -> None:
    """Write a clean notebook (no outputs, canonical metadata, stable cell ids) to ``path``."""
    nb = new_notebook(cells=list(cells))
    for i, cell in enumerate(nb.cells):
        cell["id"] = f"c{i:03d}"
    Path(path).write_text(notebook_text(clean_notebook(nb)), encoding="utf-8")

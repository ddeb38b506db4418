"""Batch grading of submitted exercise notebooks, without any server (``fepteach grade``).

For each submission:

1. it is read with nbformat (an unreadable file gets a row with the reason);
2. the matching released (student) notebook is found by file name;
3. a fresh notebook is assembled from the *released* copy, with only the solution cells
   (nbgrader ``solution: true``) taken from the submission — so a learner cannot edit the
   check cells or anything else;
4. it runs in its own fresh kernel (nbclient) with a per-cell time limit, in grading mode:
   every ``check(...)`` appends its result to a log file;
5. the log gives the points per exercise; a crash, a hang or a dead kernel is a reason in
   the row, never a crash of the grader.

Outputs: ``gradebook.csv`` (one row per submission, one column per exercise) and one
Markdown feedback file per submission under ``feedback/``.
"""

from __future__ import annotations

import copy
import csv
import json
import os
import tempfile
from dataclasses import dataclass, field
from pathlib import Path

import nbformat

from ..course import course_root
from .core import get_exercise


@dataclass
class GradeRow:
    """One submission's grade."""

    student: str
    notebook: str
    status: str  # "graded", "error"
    points: float = 0.0
    max_points: float = 0.0
    reason: str = ""
    per_exercise: dict = field(default_factory=dict)
    feedback: dict = field(default_factory=dict)


def _released_notebooks(release_dir: Path) -> dict[str, Path]:
    return {p.name: p for p in sorted(release_dir.glob("[0-9][0-9]_*.ipynb"))}


def _exercise_cells(nb):
    """(grade_id -> cell) of solution cells and the list of exercise ids checked in the notebook."""
    solutions, checked = {}, []
    for cell in nb.cells:
        meta = cell.get("metadata", {}).get("nbgrader", {})
        gid = meta.get("grade_id")
        if meta.get("solution") and gid:
            solutions[gid] = cell
        if meta.get("grade") and meta.get("locked") and cell.get("cell_type") == "code":
            ex = cell.get("metadata", {}).get("fepteach", {}).get("exercise")
            if ex:
                checked.append(ex)
    return solutions, checked


def assemble(released, submitted):
    """The notebook to execute: the released notebook with the learner's solution cells swapped in."""
    nb = copy.deepcopy(released)
    sub_solutions, _ = _exercise_cells(submitted)
    for i, cell in enumerate(nb.cells):
        gid = cell.get("metadata", {}).get("nbgrader", {}).get("grade_id")
        if cell.get("metadata", {}).get("nbgrader", {}).get("solution") and gid in sub_solutions:
            new = copy.deepcopy(nb.cells[i])
            new.source = sub_solutions[gid].get("source", "")
            nb.cells[i] = new
    for cell in nb.cells:
        if cell.cell_type == "code":
            cell.outputs, cell.execution_count = [], None
    return nb


def _student_name(path: Path, root: Path) -> str:
    rel = path.relative_to(root)
    return rel.parts[0] if len(rel.parts) > 1 else path.stem


def _execute(nb, workdir: Path, timeout: float, log: Path) -> str:
    """Run ``nb`` in a fresh kernel in grading mode; return '' or a reason for an abnormal end."""
    from nbclient import NotebookClient
    from nbclient.exceptions import CellTimeoutError, DeadKernelError

    saved = {k: os.environ.get(k) for k in ("FEPTEACH_GRADING", "FEPTEACH_GRADE_LOG", "FEPTEACH_PROGRESS")}
    os.environ.update(FEPTEACH_GRADING="1", FEPTEACH_GRADE_LOG=str(log), FEPTEACH_PROGRESS="0")
    try:
        client = NotebookClient(
            nb,
            timeout=timeout,
            kernel_name="python3",
            allow_errors=True,
            interrupt_on_timeout=True,
            extra_arguments=["--IPKernelApp.log_level=ERROR"],  # keep kernel start-up notices off the console
            resources={"metadata": {"path": str(workdir)}},
        )
        client.execute()
    except CellTimeoutError:
        return f"a cell ran longer than the {timeout:g} s limit"
    except DeadKernelError:
        return "the kernel died while running the submission"
    except Exception as exc:  # nbclient/kernel failures of any kind become a reason
        return f"could not be executed ({type(exc).__name__}: {str(exc).splitlines()[0][:120] if str(exc) else ''})"
    finally:
        for k, v in saved.items():
            if v is None:
                os.environ.pop(k, None)
            else:
                os.environ[k] = v
    timeouts = [
        i
        for i, c in enumerate(nb.cells)
        if c.cell_type == "code" and any(o.get("ename") == "KeyboardInterrupt" for o in c.get("outputs", []))
    ]
    if timeouts:
        return f"cell {timeouts[0]} ran longer than the {timeout:g} s limit and was interrupted"
    return ""


def grade_notebook(path: Path, released: dict[str, Path], timeout: float, student: str) -> GradeRow:
    """Grade one submitted notebook file."""
    row = GradeRow(student=student, notebook=path.name, status="error")
    if path.name not in released:
        row.reason = f"no released notebook is called {path.name!r} (expected one of: {', '.join(released)})"
        return row
    release_nb = nbformat.read(released[path.name], as_version=4)
    _, checked = _exercise_cells(release_nb)
    row.max_points = sum(get_exercise(e).max_points for e in checked)
    row.per_exercise = {e: 0.0 for e in checked}
    try:
        if path.stat().st_size == 0:
            raise ValueError("the file is empty")
        submitted = nbformat.read(path, as_version=4)
    except Exception as exc:
        row.reason = f"not a readable notebook ({type(exc).__name__}: {str(exc).splitlines()[0][:120] if str(exc) else ''})"
        return row
    nb = assemble(release_nb, submitted)
    with tempfile.TemporaryDirectory(prefix="fepteach-grade-") as tmp:
        log = Path(tmp) / "checks.jsonl"
        reason = _execute(nb, Path(tmp), timeout, log)
        records = [json.loads(line) for line in log.read_text().splitlines()] if log.exists() else []
    last = {}
    for rec in records:
        last[rec["exercise_id"]] = rec
    for ex in checked:
        if ex in last:
            row.per_exercise[ex] = last[ex]["points"]
            row.feedback[ex] = last[ex]["feedback"]
        else:
            row.feedback[ex] = f"✗ {ex}: the check did not run (0 points)" + (f" — {reason}" if reason else "")
    row.points = round(sum(row.per_exercise.values()), 6)
    row.status = "graded"
    row.reason = reason
    return row


def _write_feedback(row: GradeRow, folder: Path) -> None:
    folder.mkdir(parents=True, exist_ok=True)
    lines = [f"# Feedback: {row.notebook} ({row.student})", "", f"**Score: {row.points:g} / {row.max_points:g}**", ""]
    if row.reason:
        lines += [f"Note: {row.reason}", ""]
    for ex, text in row.feedback.items():
        lines += ["```", text, "```", ""]
    (folder / f"{row.student}__{Path(row.notebook).stem}.md").write_text("\n".join(lines), encoding="utf-8")


def grade_folder(submissions: Path, out: Path, timeout: float = 120.0, release_dir: Path | None = None) -> list[GradeRow]:
    """Grade every ``*.ipynb`` below ``submissions``; write ``out/gradebook.csv`` and ``out/feedback/``.

    ``release_dir`` holds the released student notebooks (default: the course's ``exercises/``).
    Returns the rows of the gradebook.
    """
    submissions = Path(submissions)
    if not submissions.is_dir():
        raise NotADirectoryError(f"submissions folder {submissions} does not exist or is not a folder")
    if timeout <= 0:
        raise ValueError(f"timeout must be > 0 seconds; got {timeout}")
    release_dir = Path(release_dir) if release_dir else course_root() / "exercises"
    released = _released_notebooks(release_dir)
    if not released:
        raise FileNotFoundError(f"no released exercise notebooks found in {release_dir}")
    out = Path(out)
    try:
        out.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise ValueError(f"output folder {out} cannot be created: {exc}") from exc
    files = sorted(p for p in submissions.rglob("*.ipynb") if ".ipynb_checkpoints" not in p.parts)
    rows = [grade_notebook(p, released, timeout, _student_name(p, submissions)) for p in files]
    all_ex = sorted({e for r in rows for e in r.per_exercise})
    with open(out / "gradebook.csv", "w", newline="", encoding="utf-8") as fh:
        w = csv.writer(fh)
        w.writerow(["student", "notebook", "status", "points", "max_points", "reason", *all_ex])
        for r in rows:
            w.writerow([r.student, r.notebook, r.status, f"{r.points:g}", f"{r.max_points:g}", r.reason,
                        *[f"{r.per_exercise[e]:g}" if e in r.per_exercise else "" for e in all_ex]])
    for r in rows:
        _write_feedback(r, out / "feedback")
    return rows

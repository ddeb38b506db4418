"""Generate student exercise notebooks from the instructor sources, and keep notebooks clean.

Instructor source (``exercises/instructor/NN_name.ipynb``) -> student notebook
(``exercises/NN_name.ipynb``). In a code cell, the region between ``### BEGIN SOLUTION``
and ``### END SOLUTION`` is replaced by a stub:

* first a line ``raise NotImplementedError("Exercise ...: ...")`` that the learner deletes;
* then, for every solution line that ends in ``#: comment``, the comment on its own line
  followed by the line with its right-hand side blanked to ``...``
  (``u = W @ o  #: total input`` -> ``# total input`` / ``u = ...``;
  ``return expit(u)  #: the rate`` -> ``# the rate`` / ``return ...``);
* solution lines that end in ``#=`` are kept as they are (structure such as ``for`` lines);
* in markdown cells, ``<details class="model-answer">...</details>`` blocks (model answers to open questions) are
  removed; ``<details class="hint">`` blocks stay;
* a solution region at the top level of a cell (a value answer such as a prediction) gets no ``raise`` line:
  its blank ``name = ...`` is the stub, which the checker reports as "not attempted";
* all other solution lines are dropped.

These markers are plain comments to nbgrader, whose own ``generate_assignment`` can
therefore be run on the instructor sources unchanged.
"""

from __future__ import annotations

import copy
import re
from pathlib import Path

import nbformat

from ..course import course_root

BEGIN = "### BEGIN SOLUTION"
END = "### END SOLUTION"
BLANK = "#:"
KEEP = "#="

NOTEBOOK_METADATA = {
    "kernelspec": {"display_name": "Python 3 (ipykernel)", "language": "python", "name": "python3"},
    "language_info": {"name": "python"},
}
CELL_METADATA_KEYS = ("nbgrader", "tags", "editable", "deletable", "fepteach")


def _blank_line(line: str) -> list[str]:
    code, comment = line.split(BLANK, 1)
    code = code.rstrip()
    indent = code[: len(code) - len(code.lstrip())]
    stripped = code.strip()
    if stripped.startswith("return ") or stripped == "return":
        blanked = "return ..."
    else:
        m = re.match(r"^([^=<>!]+?)\s*(\+|-|\*|/)?=(?!=)", stripped)
        blanked = f"{m.group(1)} {m.group(2) or ''}= ...".replace("  ", " ") if m else "..."
    return [f"{indent}# {comment.strip()}", f"{indent}{blanked}"]


def student_source(source: str, exercise_id: str) -> str:
    """Turn an instructor cell's source into the student's stub (see the module docstring)."""
    lines = source.split("\n")
    out: list[str] = []
    inside = False
    for line in lines:
        if line.strip() == BEGIN:
            if inside:
                raise ValueError(f"{exercise_id}: nested {BEGIN}")
            inside = True
            indent = line[: len(line) - len(line.lstrip())]
            if indent:  # inside a function: the stub raises until the learner fills it in
                out.append(
                    f'{indent}raise NotImplementedError("Exercise {exercise_id}: fill in the blanks (...) below, '
                    'then delete this line")'
                )
            # at the top level of a cell (a value answer: a prediction, a choice) the blank `...` itself is the stub
            continue
        if line.strip() == END:
            if not inside:
                raise ValueError(f"{exercise_id}: {END} without {BEGIN}")
            inside = False
            continue
        if not inside:
            out.append(line)
        elif line.rstrip().endswith(KEEP):
            out.append(line.rstrip()[: -len(KEEP)].rstrip())
        elif BLANK in line:
            out.extend(_blank_line(line))
    if inside:
        raise ValueError(f"{exercise_id}: {BEGIN} without {END}")
    return "\n".join(out)


def clean_notebook(nb):
    """Strip outputs, execution counts and editor metadata; give cells stable ids."""
    nb.metadata = nbformat.from_dict(dict(NOTEBOOK_METADATA))
    nb.nbformat, nb.nbformat_minor = 4, 5
    seen = set()
    for i, cell in enumerate(nb.cells):
        cell.metadata = nbformat.from_dict({k: v for k, v in cell.metadata.items() if k in CELL_METADATA_KEYS})
        if cell.cell_type == "code":
            cell.outputs = []
            cell.execution_count = None
        cell.pop("attachments", None) if cell.cell_type != "markdown" else None
        cid = cell.get("id")
        if not cid or cid in seen or not re.fullmatch(r"[a-zA-Z0-9-_]{1,64}", cid):
            cid = f"cell-{i:03d}"
        seen.add(cid)
        cell["id"] = cid
    return nb


def _exercise_id(cell) -> str:
    meta = cell.metadata.get("fepteach", {})
    if "exercise" in meta:
        return meta["exercise"]
    return cell.metadata.get("nbgrader", {}).get("grade_id", "exercise")


def make_student_notebook(instructor_nb):
    """Return the student version of an instructor notebook (a new, clean notebook)."""
    nb = copy.deepcopy(instructor_nb)
    for cell in nb.cells:
        if cell.cell_type == "code" and BEGIN in cell.source:
            cell.source = student_source(cell.source, _exercise_id(cell))
        elif cell.cell_type == "markdown" and MODEL_ANSWER in cell.source:
            cell.source = strip_model_answers(cell.source)
    return clean_notebook(nb)


MODEL_ANSWER = '<details class="model-answer">'
_MODEL_ANSWER_BLOCK = re.compile(r'\n?[ \t]*<details class="model-answer">.*?</details>', flags=re.S)


def strip_model_answers(source: str) -> str:
    """Remove the instructor-only ``<details class="model-answer">...</details>`` blocks of a markdown cell.

    Open questions ("Going further", "Try it yourself") carry a collapsible model answer for the instructor and a
    collapsible ``<details class="hint">`` for everyone; the student version keeps only the hint.
    """
    return _MODEL_ANSWER_BLOCK.sub("", source)


def notebook_text(nb) -> str:
    """The canonical on-disk text of a notebook (what is committed)."""
    return nbformat.writes(nb) + "\n"


def instructor_sources(root: Path | None = None) -> list[Path]:
    root = course_root() if root is None else root
    return sorted((root / "exercises" / "instructor").glob("[0-9][0-9]_*.ipynb"))


def build_all(check: bool = False, root: Path | None = None) -> list[str]:
    """Regenerate every student notebook (and normalise the instructor sources and lessons).

    With ``check=True`` nothing is written; the return value lists the files that
    would change. Otherwise it lists the files that were rewritten.
    """
    root = course_root() if root is None else root
    changed: list[str] = []

    def _write(path: Path, text: str) -> None:
        old = path.read_text(encoding="utf-8") if path.exists() else None
        if old != text:
            changed.append(str(path.relative_to(root)))
            if not check:
                path.write_text(text, encoding="utf-8")

    for src in instructor_sources(root):
        nb = nbformat.read(src, as_version=4)
        _write(src, notebook_text(clean_notebook(nb)))
        _write(root / "exercises" / src.name, notebook_text(make_student_notebook(nb)))
    for lesson in sorted((root / "lessons").glob("[0-9][0-9]_*.ipynb")):
        _write(lesson, notebook_text(clean_notebook(nbformat.read(lesson, as_version=4))))
    return changed

"""Locating and copying the course material (lessons and student exercise notebooks).

In a checkout (or an editable install) the material lives in ``lessons/`` and
``exercises/`` next to the package; in an installed wheel it is package data under
``fepteach/_course/``.
"""

from __future__ import annotations

import hashlib
import json
import shutil
from dataclasses import dataclass, field
from pathlib import Path

PACKAGE_DIR = Path(__file__).resolve().parent


def course_root() -> Path:
    """Folder that contains ``lessons/`` and ``exercises/`` (wheel data first, then the checkout)."""
    for root in (PACKAGE_DIR / "_course", PACKAGE_DIR.parent):
        if (root / "lessons").is_dir():
            return root
    raise FileNotFoundError(
        "fepteach cannot find its lessons: neither fepteach/_course/lessons (installed wheel) "
        "nor lessons/ next to the package (checkout) exists. Reinstall fepteach."
    )


def lesson_files(root: Path | None = None) -> list[Path]:
    """The lesson notebooks, in course order."""
    root = course_root() if root is None else root
    return sorted((root / "lessons").glob("[0-9][0-9]_*.ipynb"))


def student_exercise_files(root: Path | None = None) -> list[Path]:
    """The student exercise notebooks (not the instructor sources), in course order."""
    root = course_root() if root is None else root
    return sorted((root / "exercises").glob("[0-9][0-9]_*.ipynb"))


MANIFEST = ".fepteach-course.json"


def learner_content(path: Path) -> str | None:
    """A fingerprint of what a learner can change in a notebook: its cells' types and sources.

    Outputs, execution counts and metadata are left out: JupyterLab rewrites them when a
    notebook is merely opened and autosaved (e.g. ``metadata.language_info``), which is not
    an edit. ``None`` if the file is not a readable notebook.
    """
    try:
        cells = json.loads(path.read_text(encoding="utf-8"))["cells"]
        parts = [[c["cell_type"], "".join(c["source"]) if isinstance(c["source"], list) else c["source"]] for c in cells]
    except (OSError, ValueError, KeyError, TypeError):
        return None
    return hashlib.sha256(json.dumps(parts).encode()).hexdigest()


@dataclass
class CopyPlan:
    """What ``copy_course`` did (or would do): relative paths per outcome.

    *unchanged*: same cell sources as the shipped notebook. *kept*: the learner edited it.
    *outdated*: not edited since it was copied, but the shipped version has changed
    (``update=True`` replaces these and lists them under *updated*).
    """

    copied: list[str] = field(default_factory=list)
    unchanged: list[str] = field(default_factory=list)
    kept: list[str] = field(default_factory=list)
    outdated: list[str] = field(default_factory=list)
    updated: list[str] = field(default_factory=list)


def copy_course(dest: Path, *, dry_run: bool = False, update: bool = False) -> CopyPlan:
    """Copy lessons and student exercises into ``dest`` without overwriting a learner's edits.

    A notebook already in ``dest`` whose cell sources equal the shipped copy's is
    *unchanged* (opening and autosaving it is not an edit). One whose sources are still
    those it was copied with (recorded in ``dest/.fepteach-course.json``) while the shipped
    version has changed is *outdated*, and replaced when ``update`` is true. Anything else
    is *kept*: the learner's version wins.
    """
    root = course_root()
    plan = CopyPlan()
    manifest_file = dest / MANIFEST
    try:
        manifest = json.loads(manifest_file.read_text())
    except (OSError, ValueError):
        manifest = {}
    new_manifest = dict(manifest)
    for src in lesson_files(root) + student_exercise_files(root):
        rel = src.relative_to(root)
        key = rel.as_posix()
        target = dest / rel
        shipped = learner_content(src)
        if target.exists():
            mine = learner_content(target)
            if mine == shipped:
                plan.unchanged.append(str(rel))
                new_manifest[key] = shipped
                continue
            if mine is not None and mine == manifest.get(key):
                if not update:
                    plan.outdated.append(str(rel))
                    continue
                plan.updated.append(str(rel))
            else:
                plan.kept.append(str(rel))
                continue
        else:
            plan.copied.append(str(rel))
        new_manifest[key] = shipped
        if not dry_run:
            target.parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(src, target)
    if not dry_run and new_manifest != manifest:
        dest.mkdir(parents=True, exist_ok=True)
        manifest_file.write_text(json.dumps(new_manifest, indent=1, sort_keys=True) + "\n")
    return plan

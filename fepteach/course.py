"""Locating and copying the course material (lessons and student exercise notebooks).

In a checkout (or an editable install) the material lives in ``lessons/`` and
``exercises/`` next to the package; in an installed wheel it is package data under
``fepteach/_course/``.
"""

from __future__ import annotations

import filecmp
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


@dataclass
class CopyPlan:
    """What ``copy_course`` did (or would do): relative paths per outcome."""

    copied: list[str] = field(default_factory=list)
    unchanged: list[str] = field(default_factory=list)
    kept: list[str] = field(default_factory=list)


def copy_course(dest: Path, *, dry_run: bool = False) -> CopyPlan:
    """Copy lessons and student exercises into ``dest`` without overwriting a learner's edits.

    A file that already exists in ``dest`` is left alone: if it differs from the shipped
    copy it is reported as *kept* (the learner's version wins), otherwise as *unchanged*.
    """
    root = course_root()
    plan = CopyPlan()
    for src in lesson_files(root) + student_exercise_files(root):
        rel = src.relative_to(root)
        target = dest / rel
        if target.exists():
            (plan.unchanged if filecmp.cmp(src, target, shallow=False) else plan.kept).append(str(rel))
            continue
        plan.copied.append(str(rel))
        if not dry_run:
            target.parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(src, target)
    return plan

"""Graded exercises: ``check``, ``hint``, ``reference``, ``use_or_reference``.

Usage in a notebook::

    from fepteach.exercises import check, hint
    check("L01.fixed_point", fixed_point)   # a report: verdict, one line per property
    hint("L01.fixed_point")                 # gentlest hint; hint(..., level=2) for more

See ``AUTHORING.md`` in this folder for how exercises and exercise notebooks are written.
"""

from .core import (
    ASKS,
    EXERCISES,
    CheckResult,
    Exercise,
    ExerciseFailed,
    Property,
    check,
    exercise_table,
    get_exercise,
    grading_mode,
    hint,
    list_exercises,
    reference,
    register,
    use_or_reference,
)

__all__ = [
    "ASKS",
    "EXERCISES",
    "CheckResult",
    "Exercise",
    "ExerciseFailed",
    "Property",
    "check",
    "exercise_table",
    "get_exercise",
    "grading_mode",
    "hint",
    "list_exercises",
    "reference",
    "register",
    "use_or_reference",
]

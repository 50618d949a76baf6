"""Exercise checkers, one module per chapter (``nncourse.exercises.ch01``, ...), and the list of exercises.

Each chapter module lists its graded exercises in ``EXERCISES`` (chapter, nbgrader ``grade_id``, title,
points, checker name); :func:`all_exercises` collects them for the whole course.

>>> [exercise.grade_id for exercise in all_exercises()][:2]
['ch01-predict-check', 'ch01-update-check']
"""

import importlib

from nncourse.exercises._checker import CheckResult, Exercise

CHAPTER_MODULES = ("ch01", "ch02", "ch03", "ch04", "ch05", "ch06", "ch07", "ch08", "ch09")

__all__ = ["CHAPTER_MODULES", "CheckResult", "Exercise", "all_exercises"]


def all_exercises():
    """Every graded exercise of the course, in chapter order.

    >>> sum(exercise.points for exercise in all_exercises() if exercise.chapter == 1)
    15
    """
    modules = [importlib.import_module(f"nncourse.exercises.{name}") for name in CHAPTER_MODULES]
    return [exercise for module in modules for exercise in module.EXERCISES]

"""Exercise checkers, one module per chapter (``nncourse.exercises.ch01``, ...)."""

from nncourse.exercises._checker import CheckResult

__all__ = ["CheckResult"]

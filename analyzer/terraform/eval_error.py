"""The error of an expression that is wrong, shared by the evaluator and
the template helpers it uses (``analyzer.terraform.templates``)."""

from analyzer.errors import InputError


class EvalError(InputError):
    """An expression that is wrong (not merely unknown): a bad index, a
    missing attribute, a bad argument. Becomes an ``Unknown`` whose hint is
    the message, at the point where a value is needed."""

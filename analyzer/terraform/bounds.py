"""Bounds on what one Terraform value may grow to while it is evaluated.

A file within ``--max-file-size`` can still ask for a billion-element
``setproduct``, a gigabyte from ``join`` of ``formatlist``, or an integer of
a million digits. Each bound here is the most one value (a function's
result, a ``for`` expression, a template) may hold; a value over it stops
that expression with an input error naming the bound (SES001 on the
expression; ``file()`` and ``templatefile()`` results included), as Terraform stops on its own limits (``range``'s 1024 values,
``format``'s widths: those stay where they are, in the functions). Under
these bounds one value holds at most a million characters and 100,000
elements (what a function does with each character of a string, such as
``split("", s)``, stays within about 100 MB), so the memory of a scan is bounded by the time budget
(``--max-file-seconds``) rather than by what one expression asks.
"""

from __future__ import annotations

MAX_STRING_LENGTH = 1024 * 1024  # characters in one value, all its strings together
MAX_ELEMENTS = 100_000  # elements of one value, at every level of nesting
MAX_INTEGER_DIGITS = 4000  # digits of one integer: Python refuses to print more than 4300


def too_long(length: int) -> str:
    return f"has {length} characters, over {MAX_STRING_LENGTH}, the most one value sesguard evaluates may hold"


def too_many(count: int) -> str:
    return f"has {count} elements, over {MAX_ELEMENTS}, the most one value sesguard evaluates may hold"


def too_big() -> str:
    return f"is an integer of more than {MAX_INTEGER_DIGITS} digits, the largest sesguard evaluates"


def integer_too_big(value) -> bool:
    # 3.33 bits a digit: a bit length over this has more digits than the bound (checked without printing it)
    return isinstance(value, int) and not isinstance(value, bool) and value.bit_length() > MAX_INTEGER_DIGITS * 3.32


class Tally:
    """What the values added so far hold together: a value is measured as it
    is built, so one over a bound stops before it is built in full."""

    def __init__(self):
        self.characters = 0
        self.elements = 0

    def add(self, value) -> str:
        """Why the values added so far, ``value`` with them, are over a bound
        ("has 100001 elements, over ..."), or "" (walked without recursion,
        and stopped as soon as they are over)."""
        stack = [value]
        while stack:
            item = stack.pop()
            if isinstance(item, str):
                self.characters += len(item)
            elif isinstance(item, dict):
                self.elements += len(item)
                self.characters += sum(len(k) for k in item if isinstance(k, str))
                stack.extend(item.values())
            elif isinstance(item, (list, tuple, set, frozenset)):
                self.elements += len(item)
                stack.extend(item)
            elif integer_too_big(item):
                return too_big()
            if self.elements > MAX_ELEMENTS:
                return too_many(self.elements)
            if self.characters > MAX_STRING_LENGTH:
                return too_long(self.characters)
        return ""

    def add_element(self, value) -> str:
        """``add`` for one more element of the collection being built."""
        self.elements += 1
        return self.add(value)


def exceeded(value) -> str:
    """Why ``value`` is over a bound, or "" (``Tally.add``)."""
    return Tally().add(value)


def check_count(count: int) -> str:
    """Why a value of ``count`` elements would be over the bound, or "": asked before building it."""
    return too_many(count) if count > MAX_ELEMENTS else ""


def check_length(length: int) -> str:
    """Why a string of ``length`` characters would be over the bound, or "": asked before building it."""
    return too_long(length) if length > MAX_STRING_LENGTH else ""

"""IAM wildcard matching and the SES actions that send mail.

IAM patterns know two wildcards only: ``*`` (any run of characters, also
none) and ``?`` (exactly one character); every other character, ``[`` and
``]`` included, is literal, and matching ignores case.
"""

from __future__ import annotations

import re
import string

SEND_ACTIONS = (
    "ses:SendEmail",
    "ses:SendRawEmail",
    "ses:SendTemplatedEmail",
    "ses:SendBulkTemplatedEmail",
    "ses:SendBulkEmail",
)

_ASCII_LOWER = str.maketrans(string.ascii_uppercase, string.ascii_lowercase)


def iam_match(pattern: str, text: str) -> bool:
    """Whether ``text`` matches the IAM wildcard ``pattern``, ignoring case
    (how IAM matches actions).

    The pattern is cut at its stars: the first piece must start the text,
    the last must end it, and the pieces between are found left to right,
    each at its leftmost place. Taking the leftmost place never loses a
    match, so no backtracking is needed and hostile patterns stay
    polynomial.
    """
    return glob_match(pattern.translate(_ASCII_LOWER), text.translate(_ASCII_LOWER))


def glob_match(pattern: str, text: str) -> bool:
    """Whether ``text`` matches the IAM wildcard ``pattern``, case
    sensitively (how ``StringLike`` and ``ArnLike`` match)."""
    if "*" not in pattern and "?" not in pattern:
        return pattern == text
    pieces = pattern.split("*")
    if len(pieces) == 1:
        return _same(pattern, text)
    first, *middle, last = pieces
    end = len(text) - len(last)
    if end < len(first) or not _same(first, text[:len(first)]) or not _same(last, text[end:]):
        return False
    pos = len(first)
    for piece in middle:
        found = _find(piece, text, pos, end)
        if found < 0:
            return False
        pos = found + len(piece)
    return True


def _same(piece: str, text: str) -> bool:
    """Whether ``text`` matches ``piece`` (no stars) as a whole."""
    return len(piece) == len(text) and all(p in ("?", c) for p, c in zip(piece, text))


def _find(piece: str, text: str, start: int, end: int) -> int:
    """The leftmost index in ``text[start:end]`` where ``piece`` matches, or -1."""
    if "?" not in piece:
        return text.find(piece, start, end)
    regex = re.compile("".join("." if c == "?" else re.escape(c) for c in piece), re.DOTALL)
    found = regex.search(text, start, end)
    return found.start() if found else -1

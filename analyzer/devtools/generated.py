"""Generated sections of hand-written files, between marker comments.

A generated section is written between ``<!-- NAME:begin -->`` and
``<!-- NAME:end -->``; everything outside the markers stays as written.
Each generator renders its section from the rule registry, and its
``--check`` mode fails when the file in the checkout is stale, so CI
catches a rule added without regenerating the documentation.
"""

from __future__ import annotations

import pathlib
import sys


class MissingMarkers(Exception):
    """The file has no (or unbalanced) markers for the section."""


def replace_section(text: str, name: str, content: str) -> str:
    """``text`` with the section ``name`` replaced by ``content``."""
    begin, end = f"<!-- {name}:begin -->", f"<!-- {name}:end -->"
    if text.count(begin) != 1 or text.count(end) != 1 or text.index(begin) > text.index(end):
        raise MissingMarkers(f"expected one {begin} before one {end}")
    head, rest = text.split(begin)
    _, tail = rest.split(end)
    return f"{head}{begin}\n{content.rstrip()}\n{end}{tail}"


def main(path: pathlib.Path, name: str, content: str, argv: list, command: str) -> int:
    """Write the section into ``path``; with ``--check`` in ``argv``, only
    say whether it is up to date (exit status 1 when not, naming the
    ``command`` that regenerates it)."""
    text = path.read_text(encoding="utf-8")
    try:
        updated = replace_section(text, name, content)
    except MissingMarkers as exc:
        print(f"{path}: {exc}", file=sys.stderr)
        return 1
    if "--check" in argv:
        if updated != text:
            print(f"{path}: the {name} section is stale; run {command}", file=sys.stderr)
            return 1
        return 0
    if updated != text:
        path.write_text(updated, encoding="utf-8")
    return 0

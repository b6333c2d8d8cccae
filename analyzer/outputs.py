"""Where a scan's reports go, checked before anything is scanned.

``-o FORMAT:PATH`` (repeatable, ``-`` for standard output) or ``-o FILE``
for ``--format``. A ``WORD:`` prefix that is not a format is an error
listing the formats (``./sarf:x`` names a file with a colon); ``--format``
beside ``FORMAT:PATH`` outputs still writes its report to standard output;
two reports to standard output, two to one file, a missing directory, a
directory or a file that cannot be written are errors (exit status 2), so a
long scan never ends in a traceback.

Colour (the text report on standard output) follows the common
conventions: ``NO_COLOR`` (any non-empty value) turns it off, else
``FORCE_COLOR`` or ``CLICOLOR_FORCE`` (non-empty, not ``0``) turns it on,
else ``TERM=dumb`` turns it off, else it is on for a terminal.
"""

from __future__ import annotations

import os
import re

FORMATS = ("text", "json", "sarif", "junit", "github", "markdown", "html", "codeclimate", "gitlab-sast")
_PREFIX = re.compile(r"([A-Za-z][A-Za-z0-9_-]+):(.*)", re.S)  # two letters at least: C:\\ is a path


class OutputError(Exception):
    """A report that could not be written where asked: a usage error."""


def plan(values, fmt) -> list:
    """``[(format, path)]`` for the ``-o`` values and ``--format``; raises ``OutputError``."""
    specs, bare = [], []
    for value in values:
        m = _PREFIX.fullmatch(value)
        if m and m.group(1) in FORMATS:
            specs.append((m.group(1), m.group(2) or "-"))
        elif m and not os.path.exists(value):
            raise OutputError(f"-o {value}: unknown format {m.group(1)!r} (formats: {', '.join(FORMATS)}; "
                              f"write ./{value} for a file of that name)")
        else:
            bare.append(value)
    if bare and (len(values) > 1):
        raise OutputError("with several -o, each must be FORMAT:PATH")
    if bare:
        specs.append((fmt or "text", bare[0]))
    elif fmt or not specs:
        specs.append((fmt or "text", "-"))
    to_stdout = [f"{f}:-" for f, p in specs if p == "-"]
    if len(to_stdout) > 1:
        raise OutputError(f"two reports to standard output ({' and '.join(to_stdout)}); write one to a file")
    files = [os.path.realpath(p) for _, p in specs if p != "-"]
    for path in files:
        if files.count(path) > 1:
            raise OutputError(f"two reports to one file: {os.path.relpath(path)}")
    for _, path in specs:
        check_writable(path, "-o")
    return specs


def check_writable(path: str, option: str) -> None:
    """Raises ``OutputError`` unless ``path`` can be written as a file."""
    if path == "-":
        return
    if os.path.isdir(path):
        raise OutputError(f"{option} {path}: is a directory")
    directory = os.path.dirname(os.path.abspath(path))
    if not os.path.isdir(directory):
        raise OutputError(f"{option} {path}: no such directory {os.path.relpath(directory)}")
    if os.path.exists(path) and not os.access(path, os.W_OK) or not os.access(directory, os.W_OK | os.X_OK):
        raise OutputError(f"{option} {path}: not writable")


def colour_wanted(stream, environ=None) -> bool:
    """Whether to colour what goes to ``stream`` (see the module docstring)."""
    environ = os.environ if environ is None else environ
    if environ.get("NO_COLOR"):
        return False
    if any(environ.get(name, "") not in ("", "0") for name in ("FORCE_COLOR", "CLICOLOR_FORCE")):
        return True
    if environ.get("TERM") == "dumb":
        return False
    isatty = getattr(stream, "isatty", None)
    return bool(isatty and isatty())


def write(path: str, text: str) -> None:
    """Writes a report file; raises ``OutputError`` (a disk full or a file removed meanwhile)."""
    try:
        with open(path, "w", encoding="utf-8") as f:
            f.write(text)
    except OSError as exc:
        raise OutputError(f"cannot write {path}: {exc.strerror}") from None

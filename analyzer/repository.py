"""The repository a scan belongs to: the boundary of what it may read, and
the base of the paths it writes down (configuration lookup, baselines,
SARIF artifact URIs).

The root is ``--root DIR`` when given, else the nearest ancestor of the
first scanned path (the current directory when none is given) that holds
``.git``: a directory in a clone, a file in a worktree or submodule. Outside
any repository there is no root (None), and the caller falls back on the
scanned path or the current directory.
"""

from __future__ import annotations

import os
from typing import Optional


def find_root(paths, explicit: Optional[str] = None) -> Optional[str]:
    """The real absolute path of the repository root, or None."""
    if explicit:
        return os.path.realpath(explicit)
    start = os.path.realpath(paths[0] if paths else ".")
    if not os.path.isdir(start):
        start = os.path.dirname(start)
    directory = start
    while True:
        if os.path.exists(os.path.join(directory, ".git")):
            return directory
        parent = os.path.dirname(directory)
        if parent == directory:
            return None
        directory = parent


def relative(path: str, root: Optional[str]) -> str:
    """``path`` relative to ``root`` in POSIX form (to the current directory without a root).
    Symbolic links in ``path`` are kept: a linked file is reported where the repository shows it."""
    base = root or os.getcwd()
    return os.path.relpath(os.path.abspath(path), base).replace(os.sep, "/")


def inside(path: str, root: str) -> bool:
    real = os.path.realpath(path)
    return real == root or real.startswith(root.rstrip(os.sep) + os.sep)

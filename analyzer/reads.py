"""What an evaluation looked at on disk, so the evaluation cache
(``analyzer.terraform.evaluations``) can tell, without evaluating again,
that nothing its result depends on has changed.

Every place a loader reads a file or asks whether a path exists says so
with ``note(path)`` (``analyzer.files`` does for every file it opens).
While ``recording()`` is active, the noted paths are collected; outside, a
note costs one list test. ``fingerprint(path)`` is what the cache compares:
the digest of a regular file's bytes, the sorted names of a directory (a
file added to or deleted from a module directory changes the module), or
that the path is missing or something else.
"""

from __future__ import annotations

import hashlib
import os
import stat
from contextlib import contextmanager

_recordings: list = []  # the sets of paths being collected, innermost last


def note(path: str) -> None:
    """``path`` was read or probed by what is being evaluated (as given: the
    current directory is part of the evaluation cache's key)."""
    for paths in _recordings:
        paths.add(path)


@contextmanager
def recording():
    """Collect the paths noted inside the block (nested recordings each see them all)."""
    paths: set = set()
    _recordings.append(paths)
    try:
        yield paths
    finally:
        _recordings.remove(paths)


def fingerprint(path: str) -> str:
    """What ``path`` is now: ``file:<sha256>``, ``dir:<sha256 of the names>``, ``missing`` or ``other``."""
    try:
        status = os.stat(path)
    except OSError:
        return "missing"
    if stat.S_ISDIR(status.st_mode):
        try:
            names = sorted(os.listdir(path))
        except OSError:
            return "other"
        return "dir:" + hashlib.sha256("\0".join(names).encode("utf-8", "surrogateescape")).hexdigest()
    if not stat.S_ISREG(status.st_mode):
        return "other"
    digest = hashlib.sha256()
    try:
        with open(path, "rb") as f:
            for block in iter(lambda: f.read(1 << 20), b""):
                digest.update(block)
    except OSError:
        return "other"
    return "file:" + digest.hexdigest()

"""Reading scanned files: the same limits and messages for every loader."""

from __future__ import annotations

import os

MAX_FILE_SIZE = 10 * 1024 * 1024


def display(path: str) -> str:
    return os.path.relpath(path)


def read_text(path: str):
    """``(text, problem)``: the file decoded as UTF-8, or why it could not be."""
    try:
        size = os.path.getsize(path)
        if size > MAX_FILE_SIZE:
            return None, f"file is larger than {MAX_FILE_SIZE // (1024 * 1024)} MB; not analyzed"
        with open(path, "rb") as f:
            data = f.read()
    except OSError as exc:
        return None, f"cannot read the file: {exc.strerror}"
    if data.startswith(b"\xef\xbb\xbf"):
        data = data[3:]
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as exc:
        return None, f"not valid UTF-8 (byte {exc.start})"
    if "\x00" in text:
        return None, "the file contains NUL bytes"
    return text, None

"""Reading scanned files: the same limits and messages for every loader.

The limits bound what one hostile file can cost: ``max_file_size`` is the
largest file read (scanned files, and files read by ``file()`` and
``templatefile()``), ``max_depth`` the deepest nesting read (HCL brackets,
JSON and YAML collections, nested Terraform expressions). The user can
change both (``--max-file-size``, ``--max-depth``); a scan passes its
``Limits`` down to every reader, so there is no global setting. JSON text
inside a value (a policy document written as a string) is decoded with the
built-in depth, whatever the scan's: it is part of a file already read
within the limits.
"""

from __future__ import annotations

import os
import re
import stat
from dataclasses import dataclass

from analyzer import reads
from analyzer.budget import MAX_FILE_SECONDS, too_slow

MAX_FILE_SIZE = 10 * 1024 * 1024
MAX_DEPTH = 200
MAX_DEPTH_LIMIT = 1000  # the most --max-depth may ask: deeper would exhaust Python's stack before the limit said so

_UNITS = {"": 1, "K": 1024, "M": 1024 ** 2, "G": 1024 ** 3}


def parse_size(text: str) -> int:
    """``10M``, ``512K``, ``1G`` or a number of bytes (at least 1); raises ``ValueError``."""
    m = re.fullmatch(r"0*([1-9]\d*)([KMG]?)", text.strip(), re.I)
    if m is None:
        raise ValueError(f"{text!r} is not a size (a number of bytes, or with K, M or G: 512K, 10M)")
    return int(m.group(1)) * _UNITS[m.group(2).upper()]


def describe_size(size: int) -> str:
    """``10 MB``, ``512 KB`` or ``1000 bytes``: the largest unit that divides it."""
    for unit, name in ((1024 ** 3, "GB"), (1024 ** 2, "MB"), (1024, "KB")):
        if size and size % unit == 0:
            return f"{size // unit} {name}"
    return f"{size} bytes"


@dataclass(frozen=True)
class Limits:
    """The bounds of one scan; the messages name the option that raises each."""

    max_file_size: int = MAX_FILE_SIZE
    max_depth: int = MAX_DEPTH
    max_file_seconds: int = MAX_FILE_SECONDS

    def too_large(self) -> str:
        return f"larger than {describe_size(self.max_file_size)}, the --max-file-size limit"

    def too_deep(self) -> str:
        return f"nesting deeper than {self.max_depth} levels, the --max-depth limit"

    def too_slow(self) -> str:
        return too_slow(self.max_file_seconds)


class InputError(ValueError):
    """An input that cannot be read, where: ``line``/``column`` are 1-based (0 when unknown)."""

    def __init__(self, message: str, line: int = 0, column: int = 0):
        super().__init__(message)
        self.message = message
        self.line = line
        self.column = column

# Byte order marks of the encodings we recognise but do not read (UTF-32 first:
# its little-endian mark starts with UTF-16's).
_WIDE_BOMS = ((b"\xff\xfe\x00\x00", "utf-32-le", "UTF-32"), (b"\x00\x00\xfe\xff", "utf-32-be", "UTF-32"),
              (b"\xff\xfe", "utf-16-le", "UTF-16"), (b"\xfe\xff", "utf-16-be", "UTF-16"))


def display(path: str) -> str:
    return os.path.relpath(path)


class NotRegularFile(OSError):
    """A named pipe, socket or device where a file was expected: reading it could block forever."""

    def __init__(self, path: str):
        super().__init__(f"{path}: not a regular file")
        self.strerror = "not a regular file (a named pipe, socket or device); not read"


def open_regular(path: str):
    """``path`` opened for binary reading, or ``NotRegularFile``: checked before
    opening (opening a device can act) and on the opened file (the path may
    have changed), opened without blocking (opening a named pipe waits for a writer)."""
    reads.note(path)
    if not stat.S_ISREG(os.stat(path).st_mode):
        raise NotRegularFile(path)
    handle = open(path, "rb", opener=_open_nonblocking)
    if not stat.S_ISREG(os.fstat(handle.fileno()).st_mode):
        handle.close()
        raise NotRegularFile(path)
    return handle


def _open_nonblocking(path: str, flags: int) -> int:
    return os.open(path, flags | getattr(os, "O_NONBLOCK", 0))


class Problem(str):
    """Why a file could not be read, with where in it (1-based, 0 when it has no place)."""

    def __new__(cls, message: str, line: int = 0, column: int = 0):
        problem = super().__new__(cls, message)
        problem.line, problem.column = line, column
        return problem


def placed(problem: str) -> tuple:
    """``(message, line, column)`` of a problem ``read_text`` returned."""
    return str(problem), getattr(problem, "line", 0), getattr(problem, "column", 0)


def _position(data: bytes, offset: int) -> tuple:
    line = data.count(b"\n", 0, offset) + 1
    return line, offset - (data.rfind(b"\n", 0, offset) + 1) + 1


def read_text(path: str, limits: Limits = Limits()):
    """``(text, problem)``: the file decoded as UTF-8, or why it could not be
    (a ``Problem``, with the line and column of a bad byte)."""
    reads.note(path)
    try:
        size = os.path.getsize(path)
        if size > limits.max_file_size:
            return None, f"file is {limits.too_large()}; not analyzed"
        with open_regular(path) as f:
            data = f.read(limits.max_file_size + 1)
    except OSError as exc:
        return None, f"cannot read the file: {exc.strerror}"
    if data.startswith(b"\xef\xbb\xbf"):
        data = data[3:]
    wide = _wide_encoding(data)
    if wide:
        return None, Problem(f"the file is {wide[2]} (it starts with a byte order mark); sesguard reads UTF-8 only, "
                             "as Terraform does; not analyzed", 1, 1)
    if len(data) > limits.max_file_size:
        return None, f"file is {limits.too_large()}; not analyzed"
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as exc:
        return None, Problem(f"not valid UTF-8 (byte {exc.start})", *_position(data, exc.start))
    if "\x00" in text:
        return None, Problem("the file contains NUL bytes", *_position(data, data.index(b"\x00")))
    return text, None


def _wide_encoding(data: bytes):
    return next((bom for bom in _WIDE_BOMS if data.startswith(bom[0])), None)


def searchable(data: bytes) -> bytes:
    """``data`` as UTF-8 for the text pre-filters: a UTF-16 or UTF-32 file
    (with a byte order mark) is transcoded, so what it names is still seen and
    the loader reports that it cannot read it."""
    wide = _wide_encoding(data)
    if wide is None:
        return data
    return data[len(wide[0]):].decode(wide[1], "replace").encode("utf-8")

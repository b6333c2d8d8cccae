"""Reading scanned files: the same limits and messages for every loader."""

from __future__ import annotations

import os

MAX_FILE_SIZE = 10 * 1024 * 1024


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
    wide = _wide_encoding(data)
    if wide:
        return None, (f"the file is {wide[2]} (it starts with a byte order mark); sesguard reads UTF-8 only, "
                      "as Terraform does; not analyzed")
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as exc:
        return None, f"not valid UTF-8 (byte {exc.start})"
    if "\x00" in text:
        return None, "the file contains NUL bytes"
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

"""File functions: the scan's boundary (reads stay inside the scanned root, within its limits)."""

from __future__ import annotations

import os
import posixpath
from typing import Any

from analyzer import reads
from analyzer.model import Location, LStr
from analyzer.terraform.functions.core import CallContext, _Error, _literal, _map, _register


def _resolve(ctx: CallContext, value: Any) -> tuple:
    """(real path, path relative to cwd) of a file argument inside the scan root."""
    path = _literal(value, "path")
    if path.startswith("~"):  # expanding ~user looks the user up in the system's password database
        raise _Error(f"refusing to read {path!r}: a home directory is outside the scanned root")
    if "\x00" in path:
        raise _Error(f"refusing to read {path!r}: no path holds a NUL byte")
    full = os.path.normpath(os.path.join(ctx.module_dir, path))
    real, root = os.path.realpath(full), os.path.realpath(ctx.root_dir)
    try:
        inside = os.path.commonpath([real, root]) == root
    except ValueError:  # different drives
        inside = False
    if not inside:
        raise _Error(f"refusing to read {path!r}: it is outside the scanned root")
    try:
        shown = os.path.relpath(full)
    except ValueError:
        shown = full
    return real, shown


def _read_text(ctx: CallContext, value: Any) -> tuple:
    """(contents as an LStr located in the file, path relative to cwd)."""
    real, shown = _resolve(ctx, value)
    reads.note(real)
    if not os.path.exists(real):
        raise _Error(f"no file exists at {shown}")
    if not os.path.isfile(real):
        raise _Error(f"{shown} is not a regular file")
    try:
        with open(real, "rb") as handle:
            data = handle.read(ctx.limits.max_file_size + 1)
    except OSError as exc:
        raise _Error(f"cannot read {shown}: {exc.strerror}") from None
    if len(data) > ctx.limits.max_file_size:
        raise _Error(f"{shown} is {ctx.limits.too_large()}")
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise _Error(f"contents of {shown} are not valid UTF-8 (byte {exc.start})") from None
    if ctx.reads is not None:
        ctx.reads.add(shown)
    return LStr(text, Location(shown, 1, 1)), shown


@_register("file", 1, needs_ctx=True)
def _file(ctx, path):
    text, _ = _read_text(ctx, path)
    return text


@_register("templatefile", 2, needs_ctx=True)
def _templatefile(ctx, path, variables):
    variables = _map(variables, "variables")
    text, shown = _read_text(ctx, path)
    return ctx.render_template(text, variables, shown)


@_register("abspath", 1, needs_ctx=True)
def _abspath(ctx, path):
    full = os.path.normpath(os.path.join(ctx.module_dir, _literal(path, "path")))
    return full.replace(os.sep, "/")


def _go_clean(path: str) -> str:
    cleaned = posixpath.normpath(path) if path else "."
    return "/" + cleaned.lstrip("/") if cleaned.startswith("//") else cleaned


@_register("basename", 1)
def _basename(path):
    text = _literal(path, "path")
    if not text:
        return "."
    stripped = text.rstrip("/")
    return stripped.rsplit("/", 1)[-1] if stripped else "/"


@_register("dirname", 1)
def _dirname(path):
    text = _literal(path, "path")
    return _go_clean(text[:text.rfind("/") + 1])

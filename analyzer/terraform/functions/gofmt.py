"""``format`` and ``formatlist``: a clone of Go's ``fmt`` verbs as Terraform uses them."""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any, Optional

from analyzer.model import Unknown, embed, has_marker, unknowns_in
from analyzer.terraform.functions.core import (
    _within_length,
    _Error,
    _Unresolved,
    _VARIADIC,
    _bool,
    _decimal,
    _derived,
    _is_number,
    _number,
    _register,
    _shortest_g,
    _string,
    _unresolved,
)
from analyzer.terraform.functions.encoding import _json, _json_string

# format / formatlist
# ---------------------------------------------------------------------------

MAX_WIDTH = 9999  # widths and precisions of format verbs: four digits

_VERB = re.compile(r"%(?P<flags>[-+# 0]*)(?:\[(?P<index>[1-9][0-9]*)\])?(?P<width>[1-9][0-9]*)?"
                   r"(?:\.(?P<precision>[0-9]*))?(?P<verb>.)?", re.S)
_SUPPORTED_VERBS = "vstqdf"


@dataclass
class _Verb:
    raw: str
    offset: int
    verb: str
    flags: str
    width: int  # 0: none
    precision: Optional[int]

    def unsupported(self, reason: str) -> _Error:
        return _Error(f'unsupported value for "{self.raw}" at {self.offset}: {reason}')


@_register("format", 1, _VARIADIC, known=(0,))
def _format_fn(spec, *args):
    return _format(_string(spec, "format string"), list(args))


@_register("formatlist", 1, _VARIADIC)
def _formatlist(spec, *args):
    spec = _string(spec, "format string")
    lengths = [(i, len(a)) for i, a in enumerate(args) if isinstance(a, (list, tuple))]
    for position, length in lengths[1:]:
        first, first_length = lengths[0]
        if length != first_length:
            raise _Error(f"argument {position + 1} has length {length}, which is inconsistent "
                         f"with argument {first + 1} of length {first_length}")
    count = lengths[0][1] if lengths else 1
    results, length = [], 0
    for row in range(count):
        row_args = [a[row] if isinstance(a, (list, tuple)) else a for a in args]
        try:
            results.append(_format(spec, row_args))
            length += len(results[-1])
            _within_length(length)
        except _Unresolved as exc:
            results.append(_derived(exc.unknown))
    return results


def _format(spec: str, args: list) -> str:
    if any("%" in embed(u) for u in unknowns_in(spec)):
        _unresolved(spec)  # the marker text would read as a verb
    out, pos, next_arg, highest, length = [], 0, 1, 0, 0
    while True:
        start = spec.find("%", pos)
        if start < 0:
            out.append(spec[pos:])
            break
        out.append(spec[pos:start])
        if spec.startswith("%%", start):
            out.append("%")
            pos = start + 2
            continue
        verb, argnum = _parse_verb(spec, start, next_arg)
        if argnum > len(args):
            raise _Error(f'not enough arguments for "{verb.raw}" at {start}: need index {argnum} '
                         f"but have {len(args)} total")
        out.append(_format_one(verb, args[argnum - 1]))
        length += len(out[-2]) + len(out[-1])
        _within_length(length)
        next_arg, highest = argnum + 1, max(highest, argnum)
        pos = start + len(verb.raw)
    if highest < len(args):
        if highest == 0:
            raise _Error("too many arguments; no verbs in format string")
        raise _Error(f"too many arguments; only {highest} used by format string")
    return "".join(out)


def _parse_verb(spec: str, start: int, next_arg: int) -> tuple:
    m = _VERB.match(spec, start)
    letter = m.group("verb")
    if letter is None:
        raise _Error(f"invalid format string starting at offset {start}")
    if not (letter.isascii() and letter.isalpha()):
        raise _Error(f"unrecognized format character {letter!r} at offset {m.start('verb')}")
    if letter not in _SUPPORTED_VERBS:
        raise _Error(f'unsupported format verb {letter!r} in "{m.group(0)}" at offset {start}')
    precision = m.group("precision")
    for part in ("width", "precision"):
        if len(m.group(part) or "") > 4:  # %999999999s would build a string of a gigabyte
            raise _Error(f'the {part} in "{m.group(0)}" is over {MAX_WIDTH}, the limit sesguard formats to')
    verb = _Verb(m.group(0), start, letter, m.group("flags"), int(m.group("width") or 0),
                 None if precision is None else int(precision or 0))
    return verb, int(m.group("index") or next_arg)


def _format_one(verb: _Verb, value: Any) -> str:
    shaped = verb.width or verb.precision is not None
    if isinstance(value, Unknown):
        if shaped:
            raise _Unresolved(value)
        return embed(value)
    if value is None and verb.verb != "v":
        raise verb.unsupported("null value cannot be formatted")
    text = _FORMATTERS[verb.verb](verb, value)
    if shaped and has_marker(text):
        _unresolved(text)
    if verb.verb in "vsq":
        text = _pad(verb, text)
    return text


def _format_v(verb: _Verb, value: Any) -> str:
    if "#" not in verb.flags:
        if isinstance(value, str):
            return value
        if _is_number(value):
            return _shortest_g(value)
    return _json(value)


def _format_s(verb: _Verb, value: Any) -> str:
    if isinstance(value, (list, tuple, dict)):
        raise verb.unsupported("string required")
    text = _string(value)
    if verb.precision:
        text = text[:verb.precision]
    return _json_string(text) if verb.verb == "q" else text


def _format_d(verb: _Verb, value: Any) -> str:
    number = _format_number(verb, value)
    if isinstance(number, float) and not number.is_integer():
        raise verb.unsupported("an integer is required")
    precision = "" if verb.precision is None else f".{verb.precision}"
    return f"%{verb.flags}{verb.width or ''}{precision}d" % int(number)


def _format_f(verb: _Verb, value: Any) -> str:
    number = _decimal(_format_number(verb, value))
    align = "<" if "-" in verb.flags else ""
    sign = "+" if "+" in verb.flags else (" " if " " in verb.flags else "")
    zero = "0" if "0" in verb.flags and not align else ""
    precision = 6 if verb.precision is None else verb.precision
    return format(number, f"{align}{sign}{zero}{verb.width or ''}.{precision}f")


def _format_t(verb: _Verb, value: Any) -> str:
    if not isinstance(value, (bool, str)):
        raise verb.unsupported("bool required")
    try:
        return "true" if _bool(value) else "false"
    except _Error:
        raise verb.unsupported("bool required") from None


def _format_number(verb: _Verb, value: Any):
    if isinstance(value, (bool, list, tuple, dict)):
        raise verb.unsupported("number required")
    try:
        return _number(value)
    except _Error:
        raise verb.unsupported("number required") from None


def _pad(verb: _Verb, text: str) -> str:
    missing = verb.width - len(text)
    if missing <= 0:
        return text
    padding = ("0" if "0" in verb.flags else " ") * missing
    return text + padding if "-" in verb.flags else padding + text


_FORMATTERS = {"v": _format_v, "s": _format_s, "q": _format_s, "d": _format_d,
               "f": _format_f, "t": _format_t}


# ---------------------------------------------------------------------------

"""The functions' shared machinery: the public ``call``, the registry,
argument helpers, numbers, markers inside strings, equality and sets."""

from __future__ import annotations

import itertools
import math
import re
from dataclasses import dataclass
from decimal import Decimal
from typing import Any, Callable, Optional

from analyzer.errors import InputError
from analyzer.files import Limits
from analyzer.terraform import bounds
from analyzer.model import (
    EVALUATION,
    OWNER,
    LStr,
    Unknown,
    embed,
    has_marker,
    loc_of,
    passed,
    split_marked,
    unknowns_in,
)

# ---------------------------------------------------------------------------
# Public API
# ---------------------------------------------------------------------------


class FunctionError(InputError):
    """Bad call: wrong arguments, unknown function, refused path. Message is user-facing.

    A valid call sesguard cannot evaluate raises ``Unsupported`` instead,
    and a bug in a function's implementation is raised as it is."""


@dataclass
class CallContext:
    module_dir: str  # absolute directory of the module (path.module)
    root_dir: str  # absolute scan root; file reads must stay inside it
    render_template: Callable[[str, dict, str], object]  # (text, vars, path) -> value
    limits: Limits = Limits()  # the scan's: file() reads, expression depth
    reads: Optional[set] = None  # where to record the files file() and templatefile() read, as shown
    calls: bool = True  # False in a variable file or a --var value, where Terraform allows no function call


class JsonText(LStr):
    """What ``jsonencode`` returns: Terraform's compact JSON text, plus the
    encoded ``value`` itself so the locations inside it survive."""

    def __new__(cls, text: str, value: Any):
        obj = super().__new__(cls, text, loc_of(value))
        obj.value = value
        return obj

    def __reduce__(self):
        return (JsonText, (str(self), self.value))

    def with_hop(self, hop) -> "JsonText":
        copy = JsonText(str(self), passed(self.value, hop))
        copy.via = self.via + (hop,)
        return copy


def call(name: str, args: list, ctx: Optional[CallContext]) -> object:
    """Call the Terraform function ``name`` with evaluated ``args``."""
    function = REGISTRY.get(name)
    if function is None:
        raise FunctionError(f"function {name}() is not supported")
    _check_arity(name, function, len(args))
    if name == "element" and _unknown_list_at(args):
        # which element stays traceable: element(tokens, 1) of an unknown list of DKIM tokens
        return Unknown(f"element({args[0].ref}, {args[1]})", args[0].kind, args[0].loc, args[0].hint)
    unknown = _first_whole_unknown(function, args)
    if unknown is not None:
        return _copy(unknown) if function.keeps_kind else _derived(unknown)
    try:
        if function.needs_ctx:
            result = function.impl(ctx, *args)
        else:
            result = function.impl(*args)
    except _Unresolved as exc:
        return _derived(exc.unknown)
    except _Error as exc:
        raise FunctionError(f"{name}: {exc}") from None
    why = bounds.exceeded(result)
    if why:
        raise FunctionError(f"{name}: the result {why}")
    return result


def _within_count(count: int) -> None:
    """Stop a result growing past the bound on elements before it is built in full."""
    why = bounds.check_count(count)
    if why:
        raise _Error(f"the result {why}")


def _within_length(length: int) -> None:
    """Stop a result growing past the bound on characters before it is built in full."""
    why = bounds.check_length(length)
    if why:
        raise _Error(f"the result {why}")


def _unknown_list_at(args: list) -> bool:
    """An unknown (not the owner account) list and a known non-negative index."""
    return (isinstance(args[0], Unknown) and args[0].kind != OWNER and isinstance(args[1], int)
            and not isinstance(args[1], bool) and args[1] >= 0)


# ---------------------------------------------------------------------------
# Registry
# ---------------------------------------------------------------------------

_ALL = None  # every argument must be known
_VARIADIC = -1


@dataclass(frozen=True)
class _Function:
    impl: Callable
    min_args: int
    max_args: int  # _VARIADIC for no limit
    known: Optional[tuple]  # positions that must not be whole Unknowns; _ALL for all
    keeps_kind: bool  # identity-like: an Unknown argument keeps its kind
    needs_ctx: bool


REGISTRY: dict = {}


def _register(name, min_args, max_args=None, known=_ALL, keeps_kind=False, needs_ctx=False):
    def decorate(impl):
        REGISTRY[name] = _Function(impl, min_args, min_args if max_args is None else max_args,
                                    known, keeps_kind, needs_ctx)
        return impl
    return decorate


def _check_arity(name: str, function: _Function, count: int) -> None:
    low, high = function.min_args, function.max_args
    if low <= count and (high == _VARIADIC or count <= high):
        return
    if high == _VARIADIC:
        expected = f"at least {_plural(low, 'argument')}"
    elif low == high:
        expected = _plural(low, "argument")
    else:
        expected = f"{low} to {high} arguments"
    raise FunctionError(f"{name}: expected {expected}, got {count}")


def _plural(count: int, word: str) -> str:
    return f"{count} {word}" if count == 1 else f"{count} {word}s"


def _first_whole_unknown(function: _Function, args: list) -> Optional[Unknown]:
    positions = range(len(args)) if function.known is _ALL else function.known
    for position in positions:
        if position < len(args) and isinstance(args[position], Unknown):
            return args[position]
    return None


# ---------------------------------------------------------------------------
# Internal errors and unknown results
# ---------------------------------------------------------------------------


class _Error(Exception):
    """A bad argument; ``call`` prefixes the function name."""


class _Unresolved(Exception):
    """The result depends on ``unknown``."""

    def __init__(self, unknown: Unknown):
        super().__init__(unknown.ref)
        self.unknown = unknown


def _unresolved(value: Any):
    """Give up on a result that depends on the unknown parts of ``value``."""
    raise _Unresolved(next(unknowns_in(value)))


def _copy(unknown: Unknown) -> Unknown:
    return Unknown(unknown.ref, unknown.kind, unknown.loc, unknown.hint)


def _derived(unknown: Unknown) -> Unknown:
    """The unknown result of computing something from ``unknown``."""
    if unknown.kind != OWNER:
        return _copy(unknown)
    return Unknown(unknown.ref, EVALUATION, unknown.loc,
                   f"a value computed from {unknown.ref} (the deploying account) is not known statically")


# ---------------------------------------------------------------------------
# Argument helpers
# ---------------------------------------------------------------------------

_NUMBER_TEXT = re.compile(r"[-+]?(?:\d+\.?\d*|\.\d+)(?:[eE][-+]?\d+)?")


def _type_name(value: Any) -> str:
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "bool"
    if isinstance(value, (int, float)):
        return "number"
    if isinstance(value, str):
        return "string"
    if isinstance(value, (list, tuple)):
        return "list"
    if isinstance(value, dict):
        return "map"
    return type(value).__name__


def _is_number(value: Any) -> bool:
    return isinstance(value, (int, float)) and not isinstance(value, bool)


def _string(value: Any, what: str = "argument") -> str:
    """A string argument; numbers and bools convert as Terraform converts them."""
    if isinstance(value, str):
        return value
    if isinstance(value, Unknown):
        raise _Unresolved(value)
    if isinstance(value, bool):
        return "true" if value else "false"
    if _is_number(value):
        return _number_text(value)
    if value is None:
        raise _Error(f"{what} must not be null")
    raise _Error(f"{what} must be a string, got {_type_name(value)}")


def _literal(value: Any, what: str = "argument") -> str:
    """A string argument whose whole content is needed."""
    text = _string(value, what)
    if has_marker(text):
        _unresolved(text)
    return text


def _number(value: Any, what: str = "argument"):
    if _is_number(value):
        return value
    if isinstance(value, Unknown):
        raise _Unresolved(value)
    if isinstance(value, str):
        if has_marker(value):
            _unresolved(value)
        if not _NUMBER_TEXT.fullmatch(value):
            raise _Error(f'{what} must be a number, got "{value}"')
        if not re.fullmatch(r"[-+]?\d+", value):
            return float(value)
        if len(value.lstrip("+-")) > bounds.MAX_INTEGER_DIGITS:
            raise _Error(f"{what} {bounds.too_big()}")
        return int(value)
    if value is None:
        raise _Error(f"{what} must not be null")
    raise _Error(f"{what} must be a number, got {_type_name(value)}")


def _whole(value: Any, what: str = "argument") -> int:
    number = _number(value, what)
    if isinstance(number, float) and not number.is_integer():
        raise _Error(f"{what} must be a whole number")
    return int(number)


def _bool(value: Any, what: str = "argument") -> bool:
    if isinstance(value, bool):
        return value
    if isinstance(value, Unknown):
        raise _Unresolved(value)
    if isinstance(value, str):
        if has_marker(value):
            _unresolved(value)
        if value in ("true", "false"):
            return value == "true"
        raise _Error(f'cannot convert "{value}" to bool; only "true" or "false" is allowed')
    if value is None:
        raise _Error(f"{what} must not be null")
    raise _Error(f"{what} must be a bool, got {_type_name(value)}")


def _list(value: Any, what: str = "argument") -> list:
    if isinstance(value, (list, tuple)):
        return list(value)
    if isinstance(value, Unknown):
        raise _Unresolved(value)
    if value is None:
        raise _Error(f"{what} must not be null")
    raise _Error(f"{what} must be a list, got {_type_name(value)}")


def _map(value: Any, what: str = "argument") -> dict:
    if isinstance(value, dict):
        return value
    if isinstance(value, Unknown):
        raise _Unresolved(value)
    if value is None:
        raise _Error(f"{what} must not be null")
    raise _Error(f"{what} must be a map or object, got {_type_name(value)}")


# ---------------------------------------------------------------------------
# Numbers
# ---------------------------------------------------------------------------


def _decimal(number) -> Decimal:
    return Decimal(number) if isinstance(number, int) else Decimal(repr(number))


def _from_decimal(number: Decimal):
    return int(number) if number == number.to_integral_value() else float(number)


def _number_text(number) -> str:
    """A number as Terraform writes it in strings and JSON: no exponent."""
    if isinstance(number, float):
        if not math.isfinite(number):
            raise _Error("infinite and NaN numbers are not supported")
        if number.is_integer():
            return str(int(number))
        return format(Decimal(repr(number)), "f")
    return str(number)


def _shortest_g(number) -> str:
    """Go's ``%g`` with the shortest precision, as ``format("%v", n)`` uses."""
    sign, digits, exponent = _decimal(number).as_tuple()
    digits = list(digits)
    while len(digits) > 1 and digits[-1] == 0:
        digits.pop()
        exponent += 1
    if digits == [0]:
        return "0"
    exp10 = len(digits) + exponent - 1
    if -4 <= exp10 < 6:
        return format(Decimal((sign, tuple(digits), exponent)), "f")
    mantissa = "".join(map(str, digits))
    fraction = "." + mantissa[1:] if len(mantissa) > 1 else ""
    return f"{'-' if sign else ''}{mantissa[0]}{fraction}e{'-' if exp10 < 0 else '+'}{abs(exp10):02d}"


# ---------------------------------------------------------------------------
# Markers inside strings
# ---------------------------------------------------------------------------


_HOLE = "\ufffc"  # OBJECT REPLACEMENT CHARACTER: one unknown part, while matching


class _Masked:
    """A string as matching functions see it: each unknown part becomes one
    placeholder character (``masked``), so no pattern can match the text of a
    marker, and a match touching a placeholder depends on the unknown value."""

    def __init__(self, text: str):
        self.text = text
        self.holes: list = []  # placeholder positions in ``masked``
        self.extra: list = []  # how much longer each marker is than its placeholder
        chunks, pos = [], 0
        for part in split_marked(text):
            if isinstance(part, Unknown):
                self.holes.append(pos)
                self.extra.append(len(embed(part)) - 1)
                part = _HOLE
            chunks.append(part)
            pos += len(part)
        self.masked = "".join(chunks)

    def touches(self, span: tuple) -> bool:
        start, end = span
        if start == end:  # an empty match next to an unknown part may also match inside it
            return any(hole <= start <= hole + 1 for hole in self.holes)
        return any(start <= hole < end for hole in self.holes)

    def require_untouched(self, spans: list) -> None:
        if any(self.touches(span) for span in spans):
            _unresolved(self.text)

    def real_span(self, span: tuple) -> tuple:
        """``span`` of ``masked`` as a span of the original text."""
        return tuple(pos + sum(extra for hole, extra in zip(self.holes, self.extra) if hole < pos)
                     for pos in span)


def _occurrences(text: str, sub: str) -> list:
    """Non-overlapping occurrences of ``sub``, left to right, as str.replace finds them."""
    if not sub:
        return [(i, i) for i in range(len(text) + 1)]
    found, start = [], text.find(sub)
    while start >= 0:
        found.append((start, start + len(sub)))
        start = text.find(sub, start + len(sub))
    return found


def _literal_ends(text: str) -> tuple:
    """The known text before the first marker and after the last one."""
    parts = split_marked(text)
    if not any(isinstance(p, Unknown) for p in parts):
        return text, text
    head = parts[0] if isinstance(parts[0], str) else ""
    tail = parts[-1] if isinstance(parts[-1], str) else ""
    return head, tail


def _map_literal(text: str, transform: Callable[[str], str]) -> str:
    """Apply ``transform`` to the known parts of ``text`` only."""
    if not has_marker(text):
        return transform(text)
    return "".join(transform(p) if isinstance(p, str) else embed(p) for p in split_marked(text))


# ---------------------------------------------------------------------------
# Equality and sets
# ---------------------------------------------------------------------------


def _equals(a: Any, b: Any) -> Optional[bool]:
    """Terraform equality; None when it depends on unknown values."""
    if isinstance(a, Unknown) or isinstance(b, Unknown):
        return True if a == b else None
    if isinstance(a, str) and isinstance(b, str):
        return _strings_equal(a, b)
    if isinstance(a, bool) or isinstance(b, bool):
        return type(a) is type(b) and a == b
    if _is_number(a) and _is_number(b):
        return a == b
    if isinstance(a, (list, tuple)) and isinstance(b, (list, tuple)):
        if len(a) != len(b):
            return False
        return _all_equal([_equals(x, y) for x, y in zip(a, b)])
    if isinstance(a, dict) and isinstance(b, dict):
        return _dicts_equal(a, b)
    return a is None and b is None


def _strings_equal(a: str, b: str) -> Optional[bool]:
    if a == b:
        return True
    if not (has_marker(a) or has_marker(b)):
        return False
    head_a, tail_a = _literal_ends(a)
    head_b, tail_b = _literal_ends(b)
    heads_fit = head_a.startswith(head_b) or head_b.startswith(head_a)
    tails_fit = tail_a.endswith(tail_b) or tail_b.endswith(tail_a)
    return None if heads_fit and tails_fit else False


def _dicts_equal(a: dict, b: dict) -> Optional[bool]:
    if set(a) != set(b):
        return None if any(has_marker(k) for k in itertools.chain(a, b)) else False
    return _all_equal([_equals(a[k], b[k]) for k in a])


def _all_equal(results: list) -> Optional[bool]:
    if False in results:
        return False
    return None if None in results else True


def _member(value: Any, items: list) -> Optional[bool]:
    """Whether ``value`` is in ``items``; None when unknown values decide it."""
    results = [_equals(value, item) for item in items]
    if True in results:
        return True
    return None if None in results else False


def _distinct(items: list) -> list:
    kept: list = []
    for item in items:
        if _member(item, kept) is not True:
            kept.append(item)
    return kept


def _unify(items: list) -> list:
    """Terraform's element type unification: with a string among primitives,
    numbers and bools become strings."""
    primitive = (str, int, float, type(None), Unknown)
    if any(isinstance(i, str) for i in items) and all(isinstance(i, primitive) for i in items):
        return [_string(i) if isinstance(i, (bool, int, float)) else i for i in items]
    return items


def _as_set(items: list) -> list:
    """A Terraform set: no duplicates; strings and numbers in Terraform's order."""
    members = _distinct(_unify(items))
    if all(isinstance(m, str) and not has_marker(m) for m in members):
        return sorted(members)
    if all(_is_number(m) for m in members):
        return sorted(members)
    return members


# ---------------------------------------------------------------------------

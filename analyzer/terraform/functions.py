"""Terraform's built-in functions over evaluated values.

The evaluator hands ``call`` values in its own conventions: strings (often
``LStr``), int/float numbers, bools, ``None`` for null, lists for tuples,
lists and sets, dicts for objects and maps, and ``Unknown`` for what cannot
be known statically. A string may embed unknown parts as markers
(``model.embed``).

Functions follow Terraform's results exactly where the value is known, and
never guess where it is not:

* a whole ``Unknown`` argument the result depends on makes the result an
  ``Unknown`` with the same ref. Identity-like functions (``tostring``,
  ``lower``, ``trimspace``, ``tolist`` ...) keep its kind; every other
  function demotes an ``OWNER`` unknown to ``EVALUATION``, because a value
  computed from the deploying account is not that account.
* Unknown elements of collections pass through collection functions;
  a function that needs them (``sort``, ``sum``, ``flatten``) is unknown.
* a string with markers goes through string functions as long as the
  operation cannot depend on the unknown parts (markers are opaque: a
  substring or regex match must not overlap one); otherwise the result is
  unknown. ``format`` and ``join`` embed unknown arguments as markers.

Regular expressions are RE2 (Go) syntax; ``_RE2Translator`` turns them into
Python ``re`` patterns with the same meaning, or refuses them.
"""

from __future__ import annotations

import base64
import hashlib
import itertools
import json
import math
import os
import posixpath
import re
from dataclasses import dataclass, field
from decimal import Decimal
from functools import lru_cache
from typing import Any, Callable, Optional

import regex as regex_engine

from analyzer import jsonloc
from analyzer.errors import InputError, Unsupported
from analyzer.files import Limits
from analyzer.model import (
    AFTER_APPLY,
    EVALUATION,
    OWNER,
    LDict,
    LList,
    Location,
    LStr,
    Unknown,
    embed,
    has_marker,
    loc_of,
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


class JsonText(LStr):
    """What ``jsonencode`` returns: Terraform's compact JSON text, plus the
    encoded ``value`` itself so the locations inside it survive."""

    def __new__(cls, text: str, value: Any):
        obj = super().__new__(cls, text, loc_of(value))
        obj.value = value
        return obj

    def __reduce__(self):
        return (JsonText, (str(self), self.value))


def call(name: str, args: list, ctx: Optional[CallContext]) -> object:
    """Call the Terraform function ``name`` with evaluated ``args``."""
    function = _REGISTRY.get(name)
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
            return function.impl(ctx, *args)
        return function.impl(*args)
    except _Unresolved as exc:
        return _derived(exc.unknown)
    except _Error as exc:
        raise FunctionError(f"{name}: {exc}") from None


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


_REGISTRY: dict = {}


def _register(name, min_args, max_args=None, known=_ALL, keeps_kind=False, needs_ctx=False):
    def decorate(impl):
        _REGISTRY[name] = _Function(impl, min_args, min_args if max_args is None else max_args,
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
        return int(value) if re.fullmatch(r"[-+]?\d+", value) else float(value)
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
# JSON
# ---------------------------------------------------------------------------

_GO_JSON_ESCAPES = str.maketrans({"<": "\\u003c", ">": "\\u003e", "&": "\\u0026",
                                  "\u2028": "\\u2028", "\u2029": "\\u2029"})


def _json_string(text: str) -> str:
    """A JSON string literal escaped as Go's encoding/json escapes it."""
    return json.dumps(text, ensure_ascii=False).translate(_GO_JSON_ESCAPES)


def _json(value: Any) -> str:
    """Terraform's compact JSON: keys sorted, unknowns as their markers."""
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "true" if value else "false"
    if _is_number(value):
        return _number_text(value)
    if isinstance(value, str):
        return _json_string(value)
    if isinstance(value, Unknown):
        return _json_string(embed(value))
    if isinstance(value, dict):
        pairs = sorted(value.items(), key=lambda pair: str(pair[0]))
        return "{" + ",".join(_json_string(str(k)) + ":" + _json(v) for k, v in pairs) + "}"
    if isinstance(value, (list, tuple)):
        return "[" + ",".join(_json(v) for v in value) + "]"
    raise _Error(f"cannot encode a {_type_name(value)} as JSON")


@_register("jsonencode", 1)
def _jsonencode(value):
    return JsonText(_json(value), value)


@_register("jsondecode", 1)
def _jsondecode(value):
    if isinstance(value, JsonText):
        return value.value
    text = _string(value)
    loc = loc_of(text) or Location("", 1, 1)
    try:
        decoded = jsonloc.loads(text, loc.file, loc.line, loc.column)
    except jsonloc.JSONLocError as exc:
        if has_marker(text):
            _unresolved(text)
        raise _Error(str(exc)) from None
    if decoded.duplicates:
        key, key_loc = decoded.duplicates[0]
        raise _Error(f'duplicate "{key}" property in JSON object at line {key_loc.line} '
                     f"column {key_loc.column}")
    return decoded.value


# ---------------------------------------------------------------------------
# Collections
# ---------------------------------------------------------------------------


@_register("merge", 0, _VARIADIC)
def _merge(*maps):
    result, key_locs = {}, {}
    for position, value in enumerate(maps, 1):
        if value is None:
            continue
        mapping = _map(value, f"argument {position}")
        result.update(mapping)
        for key in mapping:
            key_locs.pop(key, None)
        if isinstance(mapping, LDict):
            key_locs.update(mapping.key_locs)
    return LDict(result, key_locs=key_locs)


@_register("concat", 1, _VARIADIC)
def _concat(*lists):
    result = []
    for position, value in enumerate(lists, 1):
        result.extend(_list(value, f"argument {position}"))
    return result


@_register("flatten", 1)
def _flatten(value):
    result = []
    for item in _list(value):
        if isinstance(item, Unknown):
            raise _Unresolved(item)  # it may be a list to flatten
        if isinstance(item, (list, tuple)):
            result.extend(_flatten(item))
        else:
            result.append(item)
    return result


@_register("distinct", 1)
def _distinct_fn(value):
    return _distinct(_list(value))


@_register("compact", 1)
def _compact(value):
    result = []
    for position, item in enumerate(_list(value)):
        if item is None:
            continue
        text = _string(item, f"element {position}")
        if text != "":
            result.append(text)
    return result


@_register("coalesce", 1, _VARIADIC, known=())
def _coalesce(*values):
    for value in values:
        if isinstance(value, Unknown):
            raise _Unresolved(value)
        if value is not None and value != "":
            return value
    raise _Error("no non-null, non-empty-string arguments")


@_register("coalescelist", 1, _VARIADIC, known=())
def _coalescelist(*values):
    for position, value in enumerate(values, 1):
        if value is None:
            continue
        if _list(value, f"argument {position}"):
            return value
    raise _Error("no non-null, non-empty arguments")


@_register("lookup", 2, 3, known=(0, 1))
def _lookup(mapping, key, *default):
    mapping = _map(mapping, "first argument")
    key = _string(key, "key")
    if key in mapping:
        return mapping[key]
    marked = [k for k in mapping if has_marker(k)]
    if has_marker(key) or marked:
        _unresolved([key] + marked)
    if default:
        return default[0]
    raise _Error(f'no key "{key}" in the map and no default value given')


@_register("element", 2)
def _element(value, index):
    items = _list(value, "first argument")
    position = _whole(index, "index")
    if not items:
        raise _Error("cannot use element function with an empty list")
    if position < 0:
        raise _Error("cannot use element function with a negative index")
    return items[position % len(items)]


@_register("length", 1)
def _length(value):
    if isinstance(value, (list, tuple, dict)):
        return len(value)
    if isinstance(value, str):
        return len(_literal(value))
    if value is None:
        raise _Error("argument must not be null")
    raise _Error(f"argument must be a string, a list or a map, got {_type_name(value)}")


def _sorted_keys(mapping: dict) -> list:
    marked = [k for k in mapping if has_marker(k)]
    if marked:
        _unresolved(marked)  # the order depends on the unknown parts
    return sorted(mapping)


@_register("keys", 1)
def _keys(value):
    mapping = _map(value)
    key_locs = mapping.key_locs if isinstance(mapping, LDict) else {}
    return [LStr(k, key_locs.get(k)) for k in _sorted_keys(mapping)]


@_register("values", 1)
def _values(value):
    mapping = _map(value)
    return [mapping[k] for k in _sorted_keys(mapping)]


@_register("zipmap", 2)
def _zipmap(keys, values):
    keys, values = _list(keys, "keys"), _list(values, "values")
    if len(keys) != len(values):
        raise _Error(f"number of keys ({len(keys)}) does not match number of values ({len(values)})")
    return {_string(k, f"key {i}"): v for i, (k, v) in enumerate(zip(keys, values))}


@_register("contains", 2, known=(0,))
def _contains(value, wanted):
    items = _list(value, "first argument")
    found = _member(wanted, items)
    if found is None:
        _unresolved([wanted] + items)
    return found


@_register("reverse", 1)
def _reverse(value):
    return list(reversed(_list(value)))


@_register("slice", 3)
def _slice(value, start, end):
    items = _list(value, "first argument")
    first, last = _whole(start, "start index"), _whole(end, "end index")
    if first < 0:
        raise _Error("start index must be greater than or equal to 0")
    if last > len(items):
        raise _Error("end index must not be greater than the length of the list")
    if first > last:
        raise _Error("start index must be less than or equal to end index")
    return items[first:last]


@_register("sort", 1)
def _sort(value):
    texts = []
    for position, item in enumerate(_list(value)):
        if item is None:
            raise _Error(f"given list element {position} is null; a null string cannot be sorted")
        texts.append(_literal(item, f"element {position}"))
    return sorted(texts)


@_register("chunklist", 2)
def _chunklist(value, size):
    items, width = _list(value, "first argument"), _whole(size, "size")
    if width < 0:
        raise _Error("the size argument must be positive")
    if not items:
        return []
    if width == 0:
        return [items]
    return [items[i:i + width] for i in range(0, len(items), width)]


@_register("one", 1)
def _one(value):
    items = _list(value)
    if len(items) > 1:
        raise _Error("must be a list, set, or tuple value with either zero or one elements")
    return items[0] if items else None


@_register("setunion", 1, _VARIADIC)
def _setunion(*sets):
    return _as_set(list(itertools.chain.from_iterable(_list(s) for s in sets)))


@_register("setintersection", 1, _VARIADIC)
def _setintersection(*sets):
    first, *others = [_as_set(_list(s)) for s in sets]
    result = []
    for item in first:
        memberships = [_member(item, other) for other in others]
        if None in memberships:
            _unresolved([item] + list(itertools.chain.from_iterable(others)))
        if all(memberships):
            result.append(item)
    return result


@_register("setproduct", 2, _VARIADIC)
def _setproduct(*sets):
    return [list(combination) for combination in itertools.product(*(_list(s) for s in sets))]


@_register("tolist", 1, keeps_kind=True)
def _tolist(value):
    if value is None:
        return None
    return LList(_unify(_list(value)), loc_of(value))


@_register("toset", 1, keeps_kind=True)
def _toset(value):
    if value is None:
        return None
    return LList(_as_set(_list(value)), loc_of(value))


@_register("tomap", 1, keeps_kind=True)
def _tomap(value):
    if value is None:
        return None
    mapping = _map(value)
    unified = dict(zip(mapping, _unify(list(mapping.values()))))
    return LDict(unified, loc_of(mapping), getattr(mapping, "key_locs", None))


# ---------------------------------------------------------------------------
# Numbers and bools
# ---------------------------------------------------------------------------


@_register("max", 1, _VARIADIC)
def _max(*numbers):
    return max(_number(n, f"argument {i}") for i, n in enumerate(numbers, 1))


@_register("min", 1, _VARIADIC)
def _min(*numbers):
    return min(_number(n, f"argument {i}") for i, n in enumerate(numbers, 1))


@_register("sum", 1)
def _sum(value):
    items = _list(value)
    if not items:
        raise _Error("cannot sum an empty list")
    return _from_decimal(sum(_decimal(_number(n, f"element {i}")) for i, n in enumerate(items)))


_MAX_RANGE = 1024


@_register("range", 1, 3)
def _range(*args):
    numbers = [_decimal(_number(a, f"argument {i}")) for i, a in enumerate(args, 1)]
    if len(numbers) == 1:
        start, limit, step = Decimal(0), numbers[0], Decimal(1)
    elif len(numbers) == 2:
        start, limit = numbers
        step = Decimal(1) if limit >= start else Decimal(-1)
    else:
        start, limit, step = numbers
    if step == 0:
        raise _Error("step must not be zero")
    result, current = [], start
    while (current < limit) if step > 0 else (current > limit):
        if len(result) == _MAX_RANGE:
            raise _Error(f"more than {_MAX_RANGE} values were generated; either decrease the "
                         "difference between start and end or use a smaller step")
        result.append(_from_decimal(current))
        current += step
    return result


@_register("alltrue", 1)
def _alltrue(value):
    return _all_or_any(value, wanted=False)


@_register("anytrue", 1)
def _anytrue(value):
    return _all_or_any(value, wanted=True)


def _all_or_any(value, wanted: bool) -> bool:
    """alltrue (``wanted`` False) or anytrue (``wanted`` True): one element
    equal to ``wanted`` decides; otherwise an unknown element does."""
    unknown = None
    for position, item in enumerate(_list(value)):
        try:
            truth = False if item is None else _bool(item, f"element {position}")
        except _Unresolved as exc:
            unknown = unknown or exc.unknown
            continue
        if truth == wanted:
            return wanted
    if unknown is not None:
        raise _Unresolved(unknown)
    return not wanted


# ---------------------------------------------------------------------------
# Type conversions
# ---------------------------------------------------------------------------


@_register("tostring", 1, keeps_kind=True)
def _tostring(value):
    if value is None:
        return None
    if isinstance(value, (list, tuple, dict)):
        raise _Error(f"cannot convert a {_type_name(value)} to string")
    return _string(value)


@_register("tonumber", 1)
def _tonumber(value):
    return None if value is None else _number(value)


@_register("tobool", 1)
def _tobool(value):
    return None if value is None else _bool(value)


@_register("sensitive", 1, known=())
@_register("nonsensitive", 1, known=())
def _identity(value):
    return value


# ---------------------------------------------------------------------------
# Strings
# ---------------------------------------------------------------------------

_GO_SPACE = ("\t\n\v\f\r \x85\xa0\u1680\u2000\u2001\u2002\u2003\u2004\u2005\u2006\u2007"
             "\u2008\u2009\u200a\u2028\u2029\u202f\u205f\u3000")  # Go's unicode.IsSpace


def _go_case(convert: Callable[[str], str]) -> Callable[[str], str]:
    """Go's rune-by-rune case mapping: a character without a one-character
    mapping (``ß`` → ``SS``) stays as it is."""
    def mapped(text: str) -> str:
        return "".join(c if len(convert(c)) != 1 else convert(c) for c in text)
    return mapped


@_register("lower", 1, keeps_kind=True)
def _lower(value):
    return _map_literal(_string(value), _go_case(str.lower))


@_register("upper", 1, keeps_kind=True)
def _upper(value):
    return _map_literal(_string(value), _go_case(str.upper))


def _go_is_separator(char: str) -> bool:
    """Go's strings.Title word separator test."""
    if char.isascii():
        return not (char.isalnum() or char == "_")
    if char.isalpha() or char.isdigit():
        return False
    return char.isspace()


def _title_case(char: str) -> str:
    titled = char.title()
    return titled if len(titled) == 1 else char


@_register("title", 1, keeps_kind=True)
def _title(value):
    text = _string(value)
    out, previous = [], " "  # None: the previous character is unknown
    for part in split_marked(text):
        if isinstance(part, Unknown):
            out.append(embed(part))
            previous = None
            continue
        for char in part:
            if previous is None and _title_case(char) != char:
                _unresolved(text)
            out.append(_title_case(char) if previous and _go_is_separator(previous) else char)
            previous = char
    return "".join(out)


@_register("trimspace", 1, keeps_kind=True)
def _trimspace(value):
    return _string(value).strip(_GO_SPACE)


@_register("trim", 2)
def _trim(value, cutset):
    text, cutset = _string(value), _literal(cutset, "cutset")
    if not cutset:
        return text
    trimmed = _Masked(text.strip(cutset))
    if trimmed.holes and (trimmed.holes[0] == 0 or trimmed.holes[-1] == len(trimmed.masked) - 1):
        _unresolved(text)  # an unknown part is at an end: it may start or end with the cutset
    return trimmed.text


@_register("trimprefix", 2)
def _trimprefix(value, prefix):
    text, prefix = _string(value), _literal(prefix, "prefix")
    head, _ = _literal_ends(text)
    if head.startswith(prefix):
        return text[len(prefix):]
    if has_marker(text) and prefix.startswith(head):
        _unresolved(text)
    return text


@_register("trimsuffix", 2)
def _trimsuffix(value, suffix):
    text, suffix = _string(value), _literal(suffix, "suffix")
    _, tail = _literal_ends(text)
    if tail.endswith(suffix):
        return text[:len(text) - len(suffix)]
    if has_marker(text) and suffix.endswith(tail):
        _unresolved(text)
    return text


@_register("startswith", 2)
def _startswith(value, prefix):
    text, prefix = _string(value), _literal(prefix, "prefix")
    head, _ = _literal_ends(text)
    if head.startswith(prefix):
        return True
    if has_marker(text) and prefix.startswith(head):
        _unresolved(text)
    return False


@_register("endswith", 2)
def _endswith(value, suffix):
    text, suffix = _string(value), _literal(suffix, "suffix")
    _, tail = _literal_ends(text)
    if tail.endswith(suffix):
        return True
    if has_marker(text) and suffix.endswith(tail):
        _unresolved(text)
    return False


@_register("strcontains", 2)
def _strcontains(value, sub):
    text, sub = _string(value), _literal(sub, "substring")
    masked = _Masked(text)
    if any(not masked.touches(span) for span in _occurrences(masked.masked, sub)):
        return True
    if masked.holes:
        _unresolved(text)
    return False


@_register("substr", 3)
def _substr(value, offset, length):
    text = _string(value)
    start, count = _whole(offset, "offset"), _whole(length, "length")
    holes = _Masked(text).holes
    if holes and not (start >= 0 and count >= 0 and start + count <= holes[0]):
        _unresolved(text)
    if start < 0:
        start = max(start + len(text), 0)
    rest = text[start:]
    return rest if count < 0 else rest[:count]


@_register("split", 2)
def _split(separator, value):
    separator, text = _literal(separator, "separator"), _string(value)
    masked = _Masked(text)
    spans = _occurrences(masked.masked, separator)
    masked.require_untouched(spans)
    if not separator:
        return list(text)
    return _cut(text, [masked.real_span(span) for span in spans])


@_register("join", 2, _VARIADIC)
def _join(separator, *lists):
    separator = _string(separator, "separator")
    items = []
    for list_position, value in enumerate(lists, 1):
        for position, item in enumerate(_list(value, f"argument {list_position + 1}")):
            if isinstance(item, Unknown):
                items.append(embed(item))
            elif item is None:
                raise _Error(f"element {position} of list {list_position} is null; "
                             "cannot concatenate null values")
            else:
                items.append(_string(item, f"element {position} of list {list_position}"))
    return separator.join(items)


@_register("replace", 3)
def _replace(value, search, replacement):
    text = _string(value)
    search = _literal(search, "search string")
    replacement = _string(replacement, "replacement")
    masked = _Masked(text)
    if len(search) > 1 and search[0] == search[-1] == "/":
        matches = _go_matches(_compile(search[1:-1]), masked.masked)
        masked.require_untouched([m.span() for m in matches])
        first, *rest = _cut(text, [masked.real_span(m.span()) for m in matches])
        return first + "".join(_expand(replacement, m) + piece for m, piece in zip(matches, rest))
    spans = _occurrences(masked.masked, search)
    masked.require_untouched(spans)
    return replacement.join(_cut(text, [masked.real_span(span) for span in spans]))


def _cut(text: str, spans: list) -> list:
    """The pieces of ``text`` around ``spans`` (sorted, not overlapping)."""
    pieces, pos = [], 0
    for start, end in spans:
        pieces.append(text[pos:start])
        pos = end
    pieces.append(text[pos:])
    return pieces


# ---------------------------------------------------------------------------
# format / formatlist
# ---------------------------------------------------------------------------

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
    results = []
    for row in range(count):
        row_args = [a[row] if isinstance(a, (list, tuple)) else a for a in args]
        try:
            results.append(_format(spec, row_args))
        except _Unresolved as exc:
            results.append(_derived(exc.unknown))
    return results


def _format(spec: str, args: list) -> str:
    if any("%" in embed(u) for u in unknowns_in(spec)):
        _unresolved(spec)  # the marker text would read as a verb
    out, pos, next_arg, highest = [], 0, 1, 0
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
# Regular expressions
# ---------------------------------------------------------------------------

_WORD = "0-9A-Za-z_"
_PERL_CLASSES = {"d": "0-9", "s": "\\t\\n\\f\\r ", "w": _WORD}
_POSIX_CLASSES = {
    "alnum": "0-9A-Za-z", "alpha": "A-Za-z", "ascii": "\\x00-\\x7f", "blank": "\\t ",
    "cntrl": "\\x00-\\x1f\\x7f", "digit": "0-9", "graph": "!-~", "lower": "a-z",
    "print": " -~", "punct": "!-/:-@\\[-`{-~", "space": "\\t\\n\\v\\f\\r ", "upper": "A-Z",
    "word": _WORD, "xdigit": "0-9A-Fa-f",
}
_ASSERTIONS = {
    "A": "\\A",
    "z": "\\Z",
    "b": f"(?<=[{_WORD}])(?![{_WORD}])|(?<![{_WORD}])(?=[{_WORD}])",
    "B": f"(?<=[{_WORD}])(?=[{_WORD}])|(?<![{_WORD}])(?![{_WORD}])",
}
_SIMPLE_ESCAPES = {"a": "\a", "f": "\f", "t": "\t", "n": "\n", "r": "\r", "v": "\v"}
_OCTAL = "01234567"
_HEX_ESCAPE = re.compile(r"\{([0-9A-Fa-f]{1,8})\}|([0-9A-Fa-f]{2})")
_REPEAT = re.compile(r"\{(\d+)(,(\d*))?\}")
_MAX_REPEAT = 1000
_GROUP_NAME = re.compile(r"\?P?<([A-Za-z0-9_]+)>")
_FLAGS = re.compile(r"\?([imsU]*)(-([imsU]*))?([:)])")


@dataclass
class _Frame:
    """An open group: whether ``^``/``$`` match at lines, and the flag
    groups opened inside it by ``(?i)``-style settings."""

    multiline: bool
    wrappers: list = field(default_factory=list)


class _RE2Translator:
    """Translates an RE2 pattern (Go regexp syntax) into a Python ``re``
    pattern that matches the same strings, or refuses it with an ``_Error``.

    Go's ``\\d \\s \\w \\b`` are ASCII and become explicit classes; ``^``/``$``
    match only at the ends of the text unless ``(?m)`` is in effect; flag
    settings in the middle of a group become scoped flag groups; syntax RE2
    rejects (backreferences, lookarounds, possessive repeats) is rejected.
    """

    def __init__(self, pattern: str):
        self.src = pattern
        self.pos = 0
        self.out: list = []
        self.frames = [_Frame(multiline=False)]
        self.repeatable = False  # the last token can take a repetition operator
        self.repeated = False  # the last token was a repetition operator

    def translate(self) -> str:
        while self.pos < len(self.src):
            self.step()
        if len(self.frames) > 1:
            self.fail("missing closing )")
        self.out.append(")" * len(self.frames[0].wrappers))
        return "".join(self.out)

    def fail(self, reason: str):
        raise _Error(f"invalid regular expression {self.src!r}: {reason}")

    def unsupported(self, construct: str):
        """Refuse valid RE2 that has no translation here."""
        raise Unsupported(f"{construct} in the regular expression {self.src!r}")

    def step(self) -> None:
        char = self.src[self.pos]
        self.pos += 1
        repeat = _REPEAT.match(self.src, self.pos - 1) if char == "{" else None
        if char == "\\":
            self.escape()
        elif char == "(":
            self.open_group()
        elif char == ")":
            self.close_group()
        elif char == "|":
            self.alternate()
        elif char == "[":
            self.atom(self.char_class())
        elif char in "*+?":
            self.repetition(char)
        elif repeat:
            self.counted_repetition(repeat)
        elif char == "^":
            self.assertion("(?m:^)" if self.frames[-1].multiline else "\\A")
        elif char == "$":
            self.assertion("(?m:$)" if self.frames[-1].multiline else "\\Z")
        elif char == ".":
            self.atom(".")
        else:
            self.atom(re.escape(char))

    def emit(self, text: str, repeatable: bool, repeated: bool = False) -> None:
        self.out.append(text)
        self.repeatable, self.repeated = repeatable, repeated

    def atom(self, text: str) -> None:
        self.emit(text, repeatable=True)

    def assertion(self, text: str) -> None:
        self.emit(f"(?:{text})", repeatable=True)  # RE2 lets assertions repeat; Python needs a group

    def lazy_suffix(self) -> str:
        if self.src.startswith("?", self.pos):
            self.pos += 1
            return "?"
        return ""

    def check_repeatable(self) -> None:
        if self.repeated:
            self.fail("invalid nested repetition operator")
        if not self.repeatable:
            self.fail("missing argument to repetition operator")

    def repetition(self, operator: str) -> None:
        self.check_repeatable()
        self.emit(operator + self.lazy_suffix(), repeatable=False, repeated=True)

    def counted_repetition(self, match) -> None:
        self.check_repeatable()
        low = int(match.group(1))
        high = low if match.group(2) is None else (int(match.group(3)) if match.group(3) else None)
        if low > _MAX_REPEAT or (high is not None and (high > _MAX_REPEAT or low > high)):
            self.fail(f"invalid repeat count {match.group(0)}")
        self.pos = match.end()
        self.emit(match.group(0) + self.lazy_suffix(), repeatable=False, repeated=True)

    def escape(self) -> None:
        if self.pos >= len(self.src):
            self.fail("trailing backslash at end of expression")
        char = self.src[self.pos]
        if char in _ASSERTIONS:
            self.pos += 1
            self.assertion(_ASSERTIONS[char])
        elif char.lower() in _PERL_CLASSES:
            self.pos += 1
            self.atom(("[^" if char.isupper() else "[") + _PERL_CLASSES[char.lower()] + "]")
        elif char == "Q":
            self.pos += 1
            self.quoted()
        elif char in "pPC":
            self.unsupported(f"\\{char}")
        else:
            self.atom(re.escape(self.escaped_char()))

    def escaped_char(self) -> str:
        """The character an escape (after its backslash) stands for."""
        char = self.src[self.pos]
        self.pos += 1
        if char in _SIMPLE_ESCAPES:
            return _SIMPLE_ESCAPES[char]
        if char.isascii() and not char.isalnum():
            return char
        if char in _OCTAL:
            return self.octal(char)
        if char == "x":
            return self.hexadecimal()
        self.fail(f"invalid escape sequence \\{char}")

    def octal(self, first: str) -> str:
        digits = first
        if first != "0" and not self.src.startswith(tuple(_OCTAL), self.pos):
            self.fail(f"invalid escape sequence \\{first} (backreferences are not supported)")
        while len(digits) < 3 and self.src.startswith(tuple(_OCTAL), self.pos):
            digits += self.src[self.pos]
            self.pos += 1
        return chr(int(digits, 8))

    def hexadecimal(self) -> str:
        braced = _HEX_ESCAPE.match(self.src, self.pos)
        if not braced or int(braced.group(1) or braced.group(2), 16) > 0x10FFFF:
            self.fail("invalid escape sequence \\x")
        self.pos = braced.end()
        return chr(int(braced.group(1) or braced.group(2), 16))

    def quoted(self) -> None:
        end = self.src.find("\\E", self.pos)
        end = len(self.src) if end < 0 else end
        for char in self.src[self.pos:end]:
            self.atom(re.escape(char))
        self.pos = min(end + 2, len(self.src))

    def open_group(self) -> None:
        frame = _Frame(self.frames[-1].multiline)
        if not self.src.startswith("?", self.pos):
            self.frames.append(frame)
            self.emit("(", repeatable=False)
            return
        name = _GROUP_NAME.match(self.src, self.pos)
        if name:
            self.pos = name.end()
            self.frames.append(frame)
            self.emit(f"(?P<{name.group(1)}>", repeatable=False)
            return
        flags = _FLAGS.match(self.src, self.pos)
        if not flags or (flags.group(2) and not flags.group(3)):
            self.fail(f"invalid or unsupported Perl syntax near {self.src[self.pos - 1:self.pos + 3]!r}")
        self.pos = flags.end()
        on, off = flags.group(1), flags.group(3) or ""
        if "U" in on + off:
            self.unsupported("the U (ungreedy) flag")
        multiline = ("m" in on or frame.multiline) and "m" not in off
        python_on = "".join(f for f in "is" if f in on)
        python_off = "".join(f for f in "is" if f in off)
        wrapper = f"(?{python_on}{'-' + python_off if python_off else ''}:"
        if flags.group(4) == ":":
            self.frames.append(_Frame(multiline))
            self.emit(wrapper, repeatable=False)
            return
        current = self.frames[-1]
        current.multiline = multiline
        if python_on or python_off:
            current.wrappers.append(wrapper)
            self.out.append(wrapper)
        self.repeatable = self.repeated = False

    def close_group(self) -> None:
        if len(self.frames) == 1:
            self.fail("unexpected )")
        frame = self.frames.pop()
        self.emit(")" * len(frame.wrappers) + ")", repeatable=True)

    def alternate(self) -> None:
        wrappers = self.frames[-1].wrappers
        self.emit(")" * len(wrappers) + "|" + "".join(wrappers), repeatable=False)

    def char_class(self) -> str:
        negated = self.src.startswith("^", self.pos)
        self.pos += negated
        items, first = [], True
        while True:
            if self.pos >= len(self.src):
                self.fail("missing closing ]")
            if self.src[self.pos] == "]" and not first:
                self.pos += 1
                return "[" + ("^" if negated else "") + "".join(items) + "]"
            first = False
            items.append(self.class_item())

    def class_item(self) -> str:
        named = self.named_class()
        if named is not None:
            return named
        if self.src.startswith("\\", self.pos) and self.src[self.pos + 1:self.pos + 2] in tuple("dswDSWpP"):
            letter = self.src[self.pos + 1]
            self.pos += 2
            if letter not in _PERL_CLASSES:
                self.unsupported(f"\\{letter} inside a character class")
            return _PERL_CLASSES[letter]
        low = self.class_char()
        if self.src.startswith("-", self.pos) and self.src[self.pos + 1:self.pos + 2] not in ("", "]"):
            self.pos += 1
            high = self.class_char()
            if high < low:
                self.fail(f"invalid character class range {low}-{high}")
            return re.escape(low) + "-" + re.escape(high)
        return re.escape(low)

    def named_class(self) -> Optional[str]:
        if not self.src.startswith("[:", self.pos):
            return None
        end = self.src.find(":]", self.pos + 2)
        if end < 0:
            return None
        name = self.src[self.pos + 2:end]
        if name not in _POSIX_CLASSES:
            self.fail(f"invalid or unsupported character class [:{name}:]")
        self.pos = end + 2
        return _POSIX_CLASSES[name]

    def class_char(self) -> str:
        char = self.src[self.pos]
        self.pos += 1
        if char != "\\":
            return char
        if self.pos >= len(self.src):
            self.fail("trailing backslash at end of expression")
        return self.escaped_char()


# Terraform matches with RE2, which never backtracks; a backtracking engine can
# take practically forever on a pattern written in a scanned file, so every
# match of a user's pattern runs under this bound (the regex package's timeout).
REGEX_TIMEOUT = 1.0


@lru_cache(maxsize=256)
def _compile(pattern: str):
    translated = _RE2Translator(pattern).translate()
    try:
        return regex_engine.compile(translated)
    except regex_engine.error as exc:
        raise _Error(f"invalid regular expression {pattern!r}: {exc}") from None


def _search(compiled, text: str, pos: int = 0):
    try:
        return compiled.search(text, pos, timeout=REGEX_TIMEOUT)
    except TimeoutError:
        raise Unsupported(f"the regular expression {compiled.pattern!r}, which took more than {REGEX_TIMEOUT:g} s "
                          "(Terraform's RE2 does not backtrack; sesguard's engine does),") from None


def _go_matches(regex, text: str) -> list:
    """All matches, as Go's FindAll and ReplaceAll see them: an empty match
    right after the previous match does not count."""
    found, pos, previous_end = [], 0, -1
    while pos <= len(text):
        match = _search(regex, text, pos)
        if match is None:
            break
        if match.start() == match.end():
            if match.start() != previous_end:
                found.append(match)
            pos = match.start() + 1
        else:
            found.append(match)
            pos = match.end()
        previous_end = match.end()
    return found


_TEMPLATE_REF = re.compile(r"\$(?:(\$)|\{(\w+)\}|(\w+))")


def _expand(template: str, match) -> str:
    """Go's Regexp.Expand: ``$1``, ``${1}``, ``$name``, ``${name}``, ``$$``."""
    def substitute(ref):
        if ref.group(1):
            return "$"
        name = ref.group(2) or ref.group(3)
        if re.fullmatch(r"0|[1-9][0-9]*", name):
            index = int(name)
            return (match.group(index) if index <= match.re.groups else None) or ""
        return (match.group(name) if name in match.re.groupindex else None) or ""
    return _TEMPLATE_REF.sub(substitute, template)


def _match_result(regex, match):
    if regex.groups == 0:
        return match.group(0)
    if not regex.groupindex:
        return list(match.groups())
    return {name: match.group(name) for name in regex.groupindex}


def _checked_regex(pattern: Any):
    regex = _compile(_literal(pattern, "pattern"))
    if regex.groupindex and len(regex.groupindex) != regex.groups:
        raise _Error("capture groups must be either all named or all unnamed")
    return regex


@_register("regex", 2)
def _regex(pattern, value):
    regex, masked = _checked_regex(pattern), _Masked(_string(value))
    match = _search(regex, masked.masked)
    if masked.holes and (match is None or match.end() >= masked.holes[0]):
        _unresolved(masked.text)  # the first match may lie in (or reach into) an unknown part
    if match is None:
        raise _Error("pattern did not match any part of the given string")
    return _match_result(regex, match)


@_register("regexall", 2)
def _regexall(pattern, value):
    regex, text = _checked_regex(pattern), _literal(value, "string")
    return [_match_result(regex, m) for m in _go_matches(regex, text)]


# ---------------------------------------------------------------------------
# Encodings and hashes
# ---------------------------------------------------------------------------


@_register("base64encode", 1)
def _base64encode(value):
    return base64.b64encode(_literal(value).encode("utf-8")).decode("ascii")


@_register("base64decode", 1)
def _base64decode(value):
    text = _literal(value)
    try:
        data = base64.b64decode(text, validate=True)
    except ValueError:
        raise _Error(f"failed to decode base64 data {text!r}") from None
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError:
        raise _Error("the result of decoding the provided string is not valid UTF-8") from None


def _digest(algorithm: str, value: Any) -> str:
    return hashlib.new(algorithm, _literal(value).encode("utf-8")).hexdigest()


@_register("md5", 1)
def _md5(value):
    return _digest("md5", value)


@_register("sha1", 1)
def _sha1(value):
    return _digest("sha1", value)


@_register("sha256", 1)
def _sha256(value):
    return _digest("sha256", value)


@_register("uuid", 0)
def _uuid():
    return Unknown("uuid()", AFTER_APPLY)


@_register("timestamp", 0)
def _timestamp():
    return Unknown("timestamp()", AFTER_APPLY)


# ---------------------------------------------------------------------------
# Files and paths
# ---------------------------------------------------------------------------


def _resolve(ctx: CallContext, value: Any) -> tuple:
    """(real path, path relative to cwd) of a file argument inside the scan root."""
    path = _literal(value, "path")
    full = os.path.normpath(os.path.join(ctx.module_dir, os.path.expanduser(path)))
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


SUPPORTED = frozenset(_REGISTRY)

"""Collection functions (lists, maps, sets), numbers and bools, and type conversions."""

from __future__ import annotations

import itertools
import math
from decimal import Decimal

from analyzer.model import LDict, LList, LStr, Unknown, has_marker, loc_of
from analyzer.terraform.functions.core import (
    _within_count,
    _Error,
    _Unresolved,
    _VARIADIC,
    _as_set,
    _bool,
    _decimal,
    _distinct,
    _from_decimal,
    _list,
    _literal,
    _map,
    _member,
    _number,
    _register,
    _string,
    _type_name,
    _unify,
    _unresolved,
    _whole,
)


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
        _within_count(len(result))
    return result

@_register("flatten", 1)
def _flatten(value):
    result = []
    for item in _list(value):
        if isinstance(item, Unknown):
            raise _Unresolved(item)  # it may be a list to flatten
        if isinstance(item, (list, tuple)):
            result.extend(_flatten(item))
            _within_count(len(result))
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
    lists = [_list(s) for s in sets]
    _within_count(math.prod(len(s) for s in lists) * (len(lists) + 1))
    return [list(combination) for combination in itertools.product(*lists)]


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

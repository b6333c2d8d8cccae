"""String functions; the ones that take a pattern use the RE2 translation (``re2``)."""

from __future__ import annotations

from typing import Callable

from analyzer.errors import Unsupported
from analyzer.model import Unknown, embed, has_marker, loc_of, split_marked
from analyzer.terraform.functions.core import (
    _within_length,
    _Error,
    _Masked,
    _VARIADIC,
    _list,
    _literal,
    _map,
    _literal_ends,
    _map_literal,
    _occurrences,
    _register,
    _string,
    _unresolved,
    _whole,
)
from analyzer.terraform.functions.re2 import _compile, _expand, _go_matches

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
    _within_length(sum(map(len, items)) + len(separator) * max(len(items) - 1, 0))
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
        _within_length(len(text) + len(matches) * len(replacement))
        first, *rest = _cut(text, [masked.real_span(m.span()) for m in matches])
        return first + "".join(_expand(replacement, m) + piece for m, piece in zip(matches, rest))
    spans = _occurrences(masked.masked, search)
    masked.require_untouched(spans)
    _within_length(len(text) + len(spans) * len(replacement))
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


@_register("templatestring", 2, needs_ctx=True)
def _templatestring(ctx, template, variables):
    """``template`` rendered with only ``variables``, as ``templatefile``
    renders a file; a template with unknown parts is not rendered."""
    text = _literal(template, "template")
    variables = _map(variables, "variables")
    if ctx is None or ctx.render_template is None:
        raise Unsupported("templatestring outside a module")
    loc = loc_of(template)
    if loc is None:
        return ctx.render_template(text, variables, "templatestring", "templatestring")
    return ctx.render_template(text, variables, loc.file, "templatestring", (loc.line, loc.column))

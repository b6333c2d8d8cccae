"""Templates: the pieces of HCL strings and heredocs, before and after the
evaluator (``analyzer.terraform.evaluate``) fills them in.

Before: escape sequences, directives (``%{if}``, ``%{for}``) and their
``~`` strip markers, the names a template file may read. After: where in a
rendered string each interpolated value lies and where it came from
(``LStr.spans``), and the hop a ``templatefile()`` variable passes.
"""

from __future__ import annotations

import re

from lark import Token, Tree

from analyzer.model import Hop, LDict, passed
from analyzer.terraform.eval_error import EvalError
from analyzer.terraform.parse import TemplatePart, name_of, subtrees


def is_literal_template(node) -> bool:
    """A quoted string or heredoc written in place."""
    inner = subtrees(node) if isinstance(node, Tree) and node.data == "expr_term" else []
    return len(inner) == 1 and inner[0].data in ("string", "heredoc_template", "heredoc_template_trim")


def no_root_names(path: str):
    def root(name, loc):
        raise EvalError(f"{name} is not a variable passed to the template {path}")

    return root


_ESCAPE = re.compile(r"\\(u[0-9A-Fa-f]{4}|U[0-9A-Fa-f]{8}|.)", re.S)
_SIMPLE_ESCAPES = {"n": "\n", "r": "\r", "t": "\t", '"': '"', "\\": "\\"}


def unescape(text: str) -> str:
    """The characters a quoted HCL string's escape sequences stand for."""
    if "\\" not in text:
        return text

    def replace(m) -> str:
        code = m.group(1)
        if code in _SIMPLE_ESCAPES:
            return _SIMPLE_ESCAPES[code]
        if len(code) > 1 and int(code[1:], 16) <= 0x10FFFF:
            if 0xD800 <= int(code[1:], 16) < 0xE000:  # HCL, like Go, has no surrogate characters
                raise EvalError(f"invalid escape sequence \\{code} in a string: a surrogate is not a character")
            return chr(int(code[1:], 16))
        raise EvalError(f"invalid escape sequence \\{code} in a string")

    return _ESCAPE.sub(replace, text)


def flat_directive(tree: Tree) -> TemplatePart:
    strip = [c for c in tree.children if isinstance(c, Token) and c.type == "STRIP_MARKER"]
    tokens = [c for c in tree.children if isinstance(c, Token)]
    strip_before = len(tokens) > 1 and tokens[1].type == "STRIP_MARKER"
    strip_after = bool(strip) and tokens[-2].type == "STRIP_MARKER"
    kind = {"interpolation": "interp", "template_if_start": "if", "template_else": "else",
            "template_endif": "endif", "template_for_start": "for", "template_endfor": "endfor"}[tree.data]
    exprs = subtrees(tree)
    if kind == "interp":
        return TemplatePart("interp", expr=exprs[0])
    if kind == "if":
        return TemplatePart("if", expr=exprs[0], strip_before=strip_before, strip_after=strip_after)
    if kind == "for":
        names = tuple(name_of(t) for t in exprs if t.data == "identifier")
        return TemplatePart("for", expr=exprs[-1], names=names, strip_before=strip_before, strip_after=strip_after)
    return TemplatePart(kind, strip_before=strip_before, strip_after=strip_after)


def strip(parts: list) -> list:
    """Apply ``~`` strip markers to the literal parts around them."""
    result = [TemplatePart(p.kind, p.text, p.expr, p.names, p.strip_before, p.strip_after) for p in parts]
    for i, part in enumerate(result):
        if part.kind == "lit":
            continue
        if part.strip_before and i > 0 and result[i - 1].kind == "lit":
            result[i - 1].text = result[i - 1].text.rstrip()
        if part.strip_after and i + 1 < len(result) and result[i + 1].kind == "lit":
            result[i + 1].text = result[i + 1].text.lstrip()
    return result


def split_if(parts: list, start: int):
    """``(then parts, else parts, index of its endif)`` of the ``%{if}`` at ``start``."""
    end = _closing(parts, start, "if", "endif")
    depth = 0
    for i in range(start + 1, end):
        kind = parts[i].kind
        if kind == "if":
            depth += 1
        elif kind == "endif":
            depth -= 1
        elif kind == "else" and depth == 0:
            return parts[start + 1:i], parts[i + 1:end], end
    return parts[start + 1:end], [], end


def split_for(parts: list, start: int):
    """``(body, index of its endfor)`` of the ``%{for}`` at ``start``."""
    end = _closing(parts, start, "for", "endfor")
    return parts[start + 1:end], end


def _closing(parts: list, start: int, opening: str, closing: str) -> int:
    """Where the directive opened at ``start`` is closed, nested ones skipped."""
    depth = 0
    for i in range(start + 1, len(parts)):
        kind = parts[i].kind
        if kind == opening:
            depth += 1
        elif kind == closing:
            if depth == 0:
                return i
            depth -= 1
    raise EvalError(f"%{{{opening}}} without %{{{closing}}}")


def given(variables: dict, name: str, function: str):
    """A template variable's value as the template sees it: having passed
    the place it is given (``templatefile(..., { principal = var.p })``)."""
    value = variables[name]
    where = variables.loc_of_key(name) if isinstance(variables, LDict) else None
    return value if where is None else passed(value, Hop(where, f"{function}() variable {name}"))


def spans(pieces: list) -> tuple:
    """``LStr.spans`` of a template's result: the interpolated strings that
    carry a provenance, by their place among the pieces joined."""
    spans, offset = [], 0
    for piece in pieces:
        origin, via = getattr(piece, "loc", None), getattr(piece, "via", ())
        if origin is not None or via:
            spans.append((offset, offset + len(piece), origin, via))
        offset += len(piece)
    return tuple(spans)

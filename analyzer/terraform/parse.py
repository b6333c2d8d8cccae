"""Terraform files into blocks and attributes, with exact locations.

We walk the raw Lark tree of python-hcl2's grammar
(``analyzer.terraform.grammar``) rather than python-hcl2's typed tree:
skipping the typed-tree transform saves about a third of the parse time
(measured on corpus/perf/terraform-aws-iam: 0.83 s to parse, 0.45 s more to
transform). Every token keeps its position, and ``location`` gives a tree
the span of its tokens. Expressions stay Lark trees; the evaluator
interprets them.

``.tf.json`` files are read with ``analyzer.jsonloc`` and their values wrapped
in ``JsonExpr`` so the evaluator treats their strings as templates, as
Terraform does.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from typing import Optional, Union

from lark import Token, Tree
from lark.exceptions import LarkError, UnexpectedCharacters, UnexpectedEOF, UnexpectedInput

from analyzer import jsonloc
from analyzer.files import InputError, Limits
from analyzer.model import LDict, LList, Location
from analyzer.terraform import grammar


class ParseError(InputError):
    """HCL that cannot be parsed."""


@dataclass
class JsonExpr:
    """A value from a ``.tf.json`` file: strings in it are templates."""

    value: object
    loc: Location


Expr = Union[Tree, JsonExpr]


@dataclass
class Attribute:
    name: str
    expr: Expr
    loc: Location


@dataclass
class Body:
    attributes: dict = field(default_factory=dict)  # name -> Attribute
    blocks: list = field(default_factory=list)  # Block

    def blocks_of(self, type_: str) -> list:
        return [b for b in self.blocks if b.type == type_]


@dataclass
class Block:
    type: str
    labels: list
    body: Body
    loc: Location


@dataclass
class ParsedFile:
    path: str  # as displayed: relative to the current directory
    text: str
    body: Body
    comments: list = field(default_factory=list)  # (line, text) of each comment token


def location(file: str, node) -> Location:
    """The location of a Lark tree or token: a tree spans from its first
    token to its last (``analyzer.terraform.grammar``)."""
    if isinstance(node, JsonExpr):
        return node.loc
    first = node if isinstance(node, Token) else _edge_token(node, 0)
    if first is None:
        return Location(file, 0, 0)
    last = node if isinstance(node, Token) else _edge_token(node, -1)
    return Location(file, first.line or 0, first.column or 0, last.end_line or 0, last.end_column or 0)


def _edge_token(tree: Tree, edge: int) -> Optional[Token]:
    """The first (``edge`` 0) or last (-1) token under ``tree``, or None:
    down the first (last) children, back up past subtrees without a token;
    without recursion, as trees may be deep."""
    order = iter if edge == 0 else reversed
    pending = [order(tree.children)]
    while pending:
        for child in pending[-1]:
            if isinstance(child, Token):
                return child
            if isinstance(child, Tree):
                pending.append(order(child.children))
                break
        else:
            pending.pop()
    return None


def subtrees(node: Tree) -> list:
    """The children that matter: trees other than newlines and comments."""
    return [c for c in node.children if isinstance(c, Tree) and c.data != "new_line_or_comment"]


def name_of(node) -> str:
    """The text of an identifier, keyword, literal or quoted label."""
    if isinstance(node, Token):
        return str(node)
    if node.data == "string":
        return "".join(str(p.children[0]) for p in node.children
                       if isinstance(p, Tree) and isinstance(p.children[0], Token))
    return "".join(str(t) for t in node.scan_values(lambda v: isinstance(v, Token)))


# ---------------------------------------------------------------------------
# HCL native syntax
# ---------------------------------------------------------------------------

def reference_text(node) -> Optional[str]:
    """How a reference is written (``aws_x.y["k"][0].z``, ``a[each.key]``)
    when it is made of names, attributes and indexes that are literals or
    references themselves; None for any other expression."""
    if not isinstance(node, Tree):
        return None
    kind = node.data
    inner = subtrees(node)
    if kind == "expr_term":
        return reference_text(inner[0]) if len(inner) == 1 else None
    if kind == "identifier":
        return str(node.children[0])
    if kind == "int_lit":
        return str(node.children[0])
    if kind == "string":
        parts = [p for p in node.children if isinstance(p, Tree)]
        if all(p.data == "string_part" and isinstance(p.children[0], Token) for p in parts):
            return json.dumps(name_of(node))
        return None
    if kind not in ("get_attr_expr_term", "index_expr_term"):
        return None
    base = reference_text(inner[0])
    if base is None:
        return None
    step = inner[1]
    if kind == "get_attr_expr_term":
        return f"{base}.{name_of(subtrees(step)[0])}"
    if step.data == "short_index":
        return f"{base}[{step.children[-1]}]"
    key = reference_text(subtrees(step)[0])
    return None if key is None else f"{base}[{key}]"


def prepare_parser() -> None:
    """Load or build the HCL grammar (``analyzer.terraform.grammar``; a second
    or two when it is built): a cost of the environment, which no file's time
    budget is charged with."""
    grammar.prepare()


# What can hold a bracket that does not nest: strings, comments, heredocs.
_NESTING = re.compile(r'"(?:[^"\\\n]|\\.)*"|#[^\n]*|//[^\n]*|(/\*)|<<-?([A-Za-z_][\w-]*)\r?\n|([\[({])|[\])}]')


def _check_nesting(text: str, limits: Limits) -> None:
    """Refuse, before parsing, text whose brackets, braces and parentheses
    nest deeper than ``limits.max_depth``: the parser would take seconds on
    it and evaluating it would exhaust the stack. Brackets inside strings,
    comments and heredocs do not count (an interpolation nested that deeply
    is caught after parsing). Linear: an unterminated comment or heredoc ends
    the scan."""
    if text.count("[") + text.count("{") + text.count("(") <= limits.max_depth:
        return
    depth, pos = 0, 0
    while True:
        m = _NESTING.search(text, pos)
        if m is None:
            return
        pos = m.end()
        if m.group(1):  # /* ... */
            pos = text.find("*/", pos)
            if pos < 0:
                return
            pos += 2
        elif m.group(2):  # <<EOT ... EOT
            end = re.compile(r"^[ \t]*%s[ \t]*\r?$" % re.escape(m.group(2)), re.M).search(text, pos)
            if end is None:
                return
            pos = end.end()
        elif m.group(3):
            depth += 1
            if depth > limits.max_depth:
                line = text.count("\n", 0, m.start()) + 1
                raise ParseError(f"{limits.too_deep()}; not analyzed", line,
                                 m.start() - text.rfind("\n", 0, m.start()))
        elif m.group(0) in ("]", ")", "}"):
            depth = max(depth - 1, 0)


def _tree_depth_exceeds(tree: Tree, limit: int) -> Optional[Tree]:
    """The first subtree deeper than ``limit`` levels, found without recursion."""
    pending = [(tree, 1)]
    while pending:
        node, depth = pending.pop()
        if depth > limit:
            return node
        pending.extend((c, depth + 1) for c in node.children if isinstance(c, Tree))
    return None


def parse_hcl_tree(text: str, limits: Limits = Limits()) -> Tree:
    """Parse HCL text to a Lark tree, raising ``ParseError`` with a position."""
    _check_nesting(text, limits)
    tree = _parse_hcl_tree(text)
    # Each level of nesting is about two levels of the tree.
    deep = _tree_depth_exceeds(tree, 2 * limits.max_depth + 20)
    if deep is not None:
        where = location("", deep)
        raise ParseError(f"{limits.too_deep()}; not analyzed", where.line, where.column)
    return tree


def _parse_hcl_tree(text: str) -> Tree:
    try:
        return grammar.parse(text)
    except UnexpectedEOF:
        lines = text.splitlines() or [""]
        raise ParseError("unexpected end of file", len(lines), len(lines[-1]) + 1) from None
    except UnexpectedCharacters as exc:
        raise ParseError(f"unexpected character {text[exc.pos_in_stream]!r}" if exc.pos_in_stream < len(text)
                         else "unexpected character", exc.line, exc.column) from None
    except UnexpectedInput as exc:
        token = getattr(exc, "token", None)
        if token is not None and getattr(token, "type", "") == "NL_OR_COMMENT":
            what = ("unexpected line break (python-hcl2, the parser sesguard uses, does not accept one here, "
                    "although Terraform may)")
        elif token is not None and str(token).strip():
            what = f"unexpected {str(token).strip().splitlines()[0]!r}"
        else:
            what = "unexpected end of input"
        raise ParseError(what, getattr(exc, "line", 0), getattr(exc, "column", 0)) from None
    except (LarkError, RecursionError) as exc:
        raise ParseError(f"cannot parse: {type(exc).__name__}") from None


def _body(file: str, node: Tree) -> Body:
    body = Body()
    for child in subtrees(node):
        if child.data == "attribute":
            name_node, expr = subtrees(child)[0], subtrees(child)[-1]
            name = name_of(name_node)
            body.attributes[name] = Attribute(name, expr, location(file, child))
        elif child.data == "block":
            parts = [c for c in child.children if isinstance(c, Tree) and c.data != "new_line_or_comment"]
            inner = parts[-1]
            heads = parts[:-1]
            body.blocks.append(Block(name_of(heads[0]), [name_of(h) for h in heads[1:]],
                                     _body(file, inner), location(file, child)))
    return body


def parse_hcl(path: str, text: str, limits: Limits = Limits()) -> ParsedFile:
    tree = parse_hcl_tree(text, limits)
    comments = [(token.line, str(token).strip()) for token in tree.scan_values(
        lambda v: isinstance(v, Token) and v.type == "NL_OR_COMMENT" and v.lstrip()[:1] in ("#", "/"))]
    return ParsedFile(path, text, _body(path, subtrees(tree)[0]), comments)


def parse_expression(text: str, file: str, line: int, column: int) -> Tree:
    """Parse one expression written at ``line``/``column`` of ``file``.

    Used for interpolations inside heredocs and template files, whose text the
    HCL grammar keeps as one token. Positions are shifted to the file's.
    """
    prefix = "__x = "
    try:
        tree = grammar.parse(prefix + text)
    except (LarkError, RecursionError):
        raise ParseError(f"cannot parse the expression {text.strip()[:60]!r}", line, column) from None
    expr = subtrees(subtrees(subtrees(tree)[0])[0])[-1]
    _shift(expr, line - 1, column - 1 - len(prefix))
    return expr


def _shift(tree: Tree, lines: int, first_line_columns: int) -> None:
    for tok in tree.scan_values(lambda v: isinstance(v, Token)):
        if tok.line is not None:
            if tok.line == 1:
                tok.column += first_line_columns
            if tok.end_line == 1:
                tok.end_column += first_line_columns
            tok.line += lines
            tok.end_line += lines


# ---------------------------------------------------------------------------
# Templates: heredoc bodies, template files and .tf.json strings
# ---------------------------------------------------------------------------


@dataclass
class TemplatePart:
    """``kind``: lit, interp, if, else, endif, for, endfor.

    ``strip_before``/``strip_after`` are the ``~`` markers of the part."""

    kind: str
    text: str = ""
    expr: Optional[Tree] = None
    names: tuple = ()
    strip_before: bool = False
    strip_after: bool = False


_DIRECTIVE = re.compile(
    r"^\s*(?:(if)\s+(.*)|(else)|(endif)|(for)\s+([A-Za-z_][\w-]*)\s*(?:,\s*([A-Za-z_][\w-]*))?\s+in\s+(.*)|(endfor))\s*$",
    re.S)


def _closing_brace(text: str, start: int) -> int:
    """Index of the ``}`` closing an interpolation opened before ``start``."""
    depth = 0
    i = start
    quote = False
    while i < len(text):
        ch = text[i]
        if quote:
            if ch == "\\":
                i += 2
                continue
            if ch == '"':
                quote = False
        elif ch == '"':
            quote = True
        elif ch == "{":
            depth += 1
        elif ch == "}":
            if depth == 0:
                return i
            depth -= 1
        i += 1
    return -1


def _line_col(text: str, offset: int, line: int, column: int) -> tuple[int, int]:
    newlines = text.count("\n", 0, offset)
    if newlines == 0:
        return line, column + offset
    return line + newlines, offset - text.rfind("\n", 0, offset)


def parse_template(text: str, file: str, line: int, column: int) -> list:
    """Split template text into parts; expressions are parsed with positions."""
    parts: list = []
    literal: list = []
    i = 0
    n = len(text)
    while i < n:
        j = min((k for k in (text.find("${", i), text.find("%{", i)) if k >= 0), default=-1)
        if j < 0:
            literal.append(text[i:])
            break
        if j > 0 and text[j - 1] == text[j] and (j < 2 or text[j - 2] != text[j]):
            literal.append(text[i:j - 1] + text[j:j + 2])
            i = j + 2
            continue
        literal.append(text[i:j])
        end = _closing_brace(text, j + 2)
        if end < 0:
            l_, c_ = _line_col(text, j, line, column)
            raise ParseError("unterminated template sequence", l_, c_)
        inner = text[j + 2:end]
        strip_before = inner.startswith("~")
        strip_after = inner.endswith("~")
        inner = inner[1 if strip_before else 0:len(inner) - (1 if strip_after else 0)]
        if "".join(literal):
            parts.append(TemplatePart("lit", "".join(literal)))
        literal = []
        inner_offset = j + 2 + (1 if strip_before else 0)
        l_, c_ = _line_col(text, inner_offset, line, column)
        if text[j] == "$":
            parts.append(TemplatePart("interp", expr=parse_expression(inner, file, l_, c_),
                                      strip_before=strip_before, strip_after=strip_after))
        else:
            parts.append(_directive(inner, file, l_, c_, strip_before, strip_after))
        i = end + 1
    if literal:
        parts.append(TemplatePart("lit", "".join(literal)))
    return parts


def _directive(inner: str, file: str, line: int, column: int, strip_before: bool, strip_after: bool):
    m = _DIRECTIVE.match(inner)
    if not m:
        raise ParseError(f"unknown template directive {inner.strip()[:40]!r}", line, column)
    if m.group(1):
        return TemplatePart("if", expr=parse_expression(m.group(2), file, line, column),
                            strip_before=strip_before, strip_after=strip_after)
    if m.group(5):
        names = (m.group(6), m.group(7)) if m.group(7) else (m.group(6),)
        return TemplatePart("for", expr=parse_expression(m.group(8), file, line, column), names=names,
                            strip_before=strip_before, strip_after=strip_after)
    kind = "else" if m.group(3) else "endif" if m.group(4) else "endfor"
    return TemplatePart(kind, strip_before=strip_before, strip_after=strip_after)


def heredoc_body(token: str) -> tuple[str, bool]:
    """The template text of a heredoc token and whether it was ``<<-``."""
    first_newline = token.index("\n")
    opener = token[:first_newline].rstrip("\r")
    trim = opener.startswith("<<-")
    lines = token[first_newline + 1:].split("\n")
    # The last two items are the closing marker line and the empty string after it.
    body_lines = lines[:-2]
    if trim:
        indents = [len(ln) - len(ln.lstrip(" \t")) for ln in body_lines if ln.strip()]
        cut = min(indents, default=0)
        body_lines = [ln[cut:] for ln in body_lines]
    return "".join(ln + "\n" for ln in body_lines), trim


# ---------------------------------------------------------------------------
# .tf.json
# ---------------------------------------------------------------------------

_LABEL_DEPTH = {"resource": 2, "data": 2, "module": 1, "variable": 1, "output": 1, "provider": 1}


def parse_tf_json(path: str, text: str, limits: Limits = Limits()) -> ParsedFile:
    try:
        decoded = jsonloc.loads(text, path, limits=limits)
    except jsonloc.JSONLocError as exc:
        raise ParseError(exc.message, exc.line, exc.column) from None
    if decoded.duplicates:
        # Terraform merges repeated block keys and rejects repeated arguments;
        # the decoder keeps the last value only, which could hide a resource.
        key, loc = decoded.duplicates[0]
        raise ParseError(f"the key {key!r} is written twice in the same object, which sesguard does not "
                         "merge; not analyzed", loc.line, loc.column)
    root = decoded.value
    if not isinstance(root, dict):
        raise ParseError("a .tf.json file must hold a JSON object", 1, 1)
    body = Body()
    for block_type, content in root.items():
        loc = root.loc_of_key(block_type)
        if block_type == "locals":
            for item in content if isinstance(content, list) else [content]:
                if isinstance(item, dict):
                    body.blocks.append(Block("locals", [], _json_body(path, item), loc))
            continue
        for labels, inner in _json_labelled(content, _LABEL_DEPTH.get(block_type, 0), []):
            for item in inner if isinstance(inner, list) else [inner]:
                if isinstance(item, dict):
                    body.blocks.append(Block(block_type, labels, _json_body(path, item), loc_of_json(item, loc)))
    return ParsedFile(path, text, body)


def loc_of_json(value, default: Location) -> Location:
    return getattr(value, "loc", None) or default


def _json_labelled(content, depth: int, labels: list):
    if depth == 0 or not isinstance(content, dict):
        yield labels, content
        return
    for key, value in content.items():
        yield from _json_labelled(value, depth - 1, labels + [key])


_JSON_NESTED_BLOCKS = {"statement", "principals", "not_principals", "condition", "dynamic", "content",
                       "lifecycle", "provisioner", "connection"}


def _json_body(path: str, obj: LDict) -> Body:
    body = Body()
    for key, value in obj.items():
        loc = obj.loc_of_key(key)
        if key in _JSON_NESTED_BLOCKS and isinstance(value, (dict, list)):
            if key == "dynamic" and isinstance(value, dict):
                for label, inner in value.items():
                    for item in inner if isinstance(inner, list) else [inner]:
                        if isinstance(item, dict):
                            body.blocks.append(Block("dynamic", [label], _json_body(path, item), loc))
                continue
            for item in value if isinstance(value, LList) or isinstance(value, list) else [value]:
                if isinstance(item, dict):
                    body.blocks.append(Block(key, [], _json_body(path, item), loc_of_json(item, loc)))
            continue
        body.attributes[key] = Attribute(key, JsonExpr(value, loc), loc)
    return body

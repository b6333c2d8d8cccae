"""The ``type`` of a variable, and the conversion Terraform makes of the
value given to it."""

from __future__ import annotations

from lark import Tree

from analyzer.model import LDict, LList, Unknown, loc_of, whole, without_picks
from analyzer.terraform.eval_error import EvalError
from analyzer.terraform.evaluate import type_name
from analyzer.terraform.functions import FunctionError, call
from analyzer.terraform.parse import (
    JsonExpr,
    ParseError,
    name_of,
    parse_expression,
    subtrees,
)

ANY = "any"

_CONVERSIONS = {"string": "tostring", "number": "tonumber", "bool": "tobool"}

def type_constraint(expr):
    """A variable's ``type`` as ``"string"``, ``"number"``, ``"bool"``,
    ``"any"``, ``("list" | "set" | "map", element type)``, ``("tuple",
    [element types])`` or ``("object", {attribute: (type, optional, default
    expression or None)})``. What cannot be read is ``"any"``: such a value is
    used as given."""
    if isinstance(expr, JsonExpr):
        if not isinstance(expr.value, str):
            return ANY
        try:
            expr = parse_expression(expr.value, expr.loc.file, expr.loc.line, expr.loc.column)
        except ParseError:
            return ANY
    node = _unwrap(expr)
    if node.data == "identifier":
        name = str(node.children[0])
        if name in ("list", "map"):  # the shorthand for list(any) and map(any)
            return (name, ANY)
        return name if name in _CONVERSIONS else ANY
    name, args = _type_call(node)
    if name in ("list", "set", "map") and len(args) == 1:
        return (name, type_constraint(args[0]))
    if name == "tuple" and len(args) == 1 and args[0].data == "tuple":
        return ("tuple", [type_constraint(element) for element in subtrees(args[0])])
    if name == "object" and len(args) == 1 and args[0].data == "object":
        attributes = {}
        for elem in subtrees(args[0]):
            key_node, type_node = subtrees(elem)
            key = subtrees(key_node)
            attribute_name = name_of(_unwrap(key[0])) if key else name_of(key_node)
            optional, optional_args = _type_call(_unwrap(type_node))
            if optional == "optional" and optional_args:
                default = optional_args[1] if len(optional_args) > 1 else None
                attributes[attribute_name] = (type_constraint(optional_args[0]), True, default)
            else:
                attributes[attribute_name] = (type_constraint(type_node), False, None)
        return ("object", attributes)
    return ANY

def _unwrap(node: Tree) -> Tree:
    while node.data == "expr_term" and len(subtrees(node)) == 1:
        node = subtrees(node)[0]
    return node

def _type_call(node: Tree) -> tuple:
    """``(name, [argument trees])`` of a call in a type expression, or ``("", [])``."""
    if node.data != "function_call":
        return "", []
    heads = [c for c in node.children if isinstance(c, Tree) and c.data == "identifier"]
    arguments = next((c for c in node.children if isinstance(c, Tree) and c.data == "arguments"), None)
    if len(heads) != 1:
        return "", []
    return str(heads[0].children[0]), [_unwrap(a) for a in subtrees(arguments)] if arguments is not None else []

def convert(value, type_, evaluate):
    """``value`` converted to the type constraint ``type_`` as Terraform
    converts the value of a variable, giving missing optional object
    attributes their defaults (``evaluate`` evaluates a default's
    expression). Raises ``EvalError`` when the value does not fit."""
    if type_ == ANY:
        return value
    value = whole(value)  # the options are not converted: they are not what the variable holds
    if value is None or isinstance(value, Unknown):
        return value
    if isinstance(type_, str):
        try:
            return call(_CONVERSIONS[type_], [value], None)
        except FunctionError:
            raise EvalError(f"a {type_name(value)} is not a valid {type_}") from None
    kind, inner = type_
    if kind in ("list", "set", "tuple"):
        if not isinstance(value, list):
            raise EvalError(f"a {type_name(value)} is not a {kind}")
        if kind == "tuple" and len(inner) != len(value):
            raise EvalError(f"a list of length {len(value)} does not fit a tuple type of length {len(inner)}")
        types = inner if kind == "tuple" else [inner] * len(value)
        items = LList([convert(v, t, evaluate) for v, t in zip(value, types)], loc_of(value))
        return call("toset", [without_picks(items)], None) if kind == "set" else items  # a set's order is its values'
    if not isinstance(value, dict):
        raise EvalError(f"a {type_name(value)} is not a {kind}")
    key_locs = getattr(value, "key_locs", {})
    if kind == "map":
        return LDict({k: convert(v, inner, evaluate) for k, v in value.items()}, loc_of(value), key_locs)
    result = LDict(loc=loc_of(value))
    for name, (attribute_type, optional, default) in inner.items():
        given = value.get(name)
        if given is None and default is not None:
            given = evaluate(default)
        elif name not in value and not optional:
            raise EvalError(f"the object has no attribute {name!r}, which its type requires")
        result[name] = convert(given, attribute_type, evaluate)
        if name in key_locs:
            result.key_locs[name] = key_locs[name]
    return result

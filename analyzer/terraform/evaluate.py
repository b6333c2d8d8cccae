"""Terraform expressions into values.

The evaluator interprets the Lark trees of ``parse`` in a ``Scope`` that
resolves the root names (``var``, ``local``, ``module``, ``data``, resource
types, ``count``, ``each``, ``path`` and names bound by ``for``). Results are
the plain values described in ``analyzer.model``: anything that cannot be
known statically is an ``Unknown``, never a guess. Strings and collections
that come from literals carry their location.
"""

from __future__ import annotations

import decimal
import json
import math
from typing import Any, Callable, Optional

from lark import Token, Tree

from analyzer.errors import InputError, Unsupported
from analyzer.model import (
    ERROR,
    EVALUATION,
    Alternatives,
    LDict,
    LList,
    Location,
    LStr,
    Unknown,
    embed,
    has_marker,
    unknowns_in,
    without_picks,
)
from analyzer.terraform import bounds, functions, templates
from analyzer.terraform.eval_error import EvalError
from analyzer.terraform.parse import (
    JsonExpr,
    ParseError,
    TemplatePart,
    heredoc_body,
    location,
    name_of,
    parse_template,
    reference_text,
    subtrees,
)


class Namespace:
    """A name that only means something with an attribute after it
    (``var``, ``data.aws_iam_policy_document``, a resource, a module)."""

    def __init__(self, ref: str, get: Callable[[str], Any]):
        self.ref = ref
        self._get = get

    def attr(self, name: str):
        return self._get(name)

    def __repr__(self):
        return f"Namespace({self.ref})"


class Scope:
    """Resolves root names; ``bind`` adds names from ``for`` or templates."""

    def __init__(self, root: Callable[[str, Location], Any], file: str, names: Optional[dict] = None):
        self._root = root
        self.file = file
        self.names = names or {}

    def bind(self, names: dict, file: Optional[str] = None) -> "Scope":
        return Scope(self._root, file or self.file, {**self.names, **names})

    def lookup(self, name: str, loc: Location):
        if name in self.names:
            return self.names[name]
        return self._root(name, loc)


def unknown_from(values, loc: Optional[Location] = None) -> Unknown:
    """The unknown a result inherits from the first unknown among ``values``."""
    for value in values:
        for u in unknowns_in(value):
            return Unknown(u.ref, u.kind if u.kind != "owner-account" else EVALUATION, loc, u.hint)
    return Unknown("expression", EVALUATION, loc)


def to_template_string(value, loc: Location) -> Any:
    """A value as it appears when interpolated into a string."""
    if isinstance(value, Unknown):
        return embed(value)
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int):
        return str(value)
    if isinstance(value, float):
        return str(int(value)) if value.is_integer() else repr(value)
    if isinstance(value, str):
        return value
    if value is None:
        raise EvalError("a null value cannot be interpolated into a string")
    raise EvalError(f"a {type_name(value)} cannot be interpolated into a string")


def type_name(value) -> str:
    if isinstance(value, bool):
        return "bool"
    if isinstance(value, (int, float)):
        return "number"
    if isinstance(value, str):
        return "string"
    if isinstance(value, list):
        return "list"
    if isinstance(value, dict):
        return "object"
    if value is None:
        return "null"
    return "reference"


class Evaluator:
    """Evaluates expressions of one module directory."""

    def __init__(self, call_context: functions.CallContext):
        self.ctx = call_context
        self._templates: dict = {}
        self.depth = 0
        self.max_depth = call_context.limits.max_depth

    # -- entry points -----------------------------------------------------

    def value(self, expr, scope: Scope):
        """Evaluate, turning errors into an ``Unknown`` that says why."""
        try:
            return self.eval(expr, scope)
        except EvalError as exc:
            loc = expr.loc if isinstance(expr, JsonExpr) else location(scope.file, expr)
            return Unknown(f"{exc} (at {loc})", ERROR, loc)
        except RecursionError:
            loc = expr.loc if isinstance(expr, JsonExpr) else location(scope.file, expr)
            return Unknown(f"expression nested too deeply (at {loc})", ERROR, loc)

    def eval(self, node, scope: Scope):
        result = self._base(node, scope)
        if type(result) is Namespace:  # a resource or module instance (a subclass) is a value
            raise EvalError(f"{result.ref} is not a value: a reference to it must name an attribute "
                            f"({result.ref}.<name>)")
        if type(result) is Alternatives and any(isinstance(o, Namespace) for o in result.options):
            return result.plain()  # instances are not values: it picks no value
        return result

    def _base(self, node, scope: Scope):
        """``node`` evaluated where an attribute, index or splat applies to
        it: there, and nowhere else, a name that means something only with an
        attribute after it (``var``, ``data.TYPE``, a resource type) is one."""
        if isinstance(node, JsonExpr):
            return self._json(node.value, node.loc, scope)
        self.depth += 1
        try:
            if self.depth > self.max_depth:
                raise EvalError(f"expression nested deeper than {self.max_depth} levels, the --max-depth limit")
            handler = getattr(self, "_" + node.data, None)
            if handler is None:
                raise EvalError(f"unsupported expression {node.data}")
            result = handler(node, scope)
            if type(result) is Alternatives and node.data not in _PICKS:
                return result.plain()  # computed from what a key picks: not one of the options
            return result
        finally:
            self.depth -= 1

    def render_template(self, text: str, variables: dict, path: str, function: str = "templatefile",
                        start: tuple = (1, 1)):
        """``templatefile`` (``templatestring``): render a template file (a
        string that starts at ``start`` in ``path``) with only ``variables``."""
        try:
            parts = parse_template(text, path, *start)
        except ParseError as exc:
            raise functions.FunctionError(f"{function}: {exc.message} in {path} line {exc.line}") from None
        scope = Scope(templates.no_root_names(path), path,
                      {name: templates.given(variables, name, function) for name in variables})
        try:
            return self._render(parts, scope, Location(path, *start))
        except EvalError as exc:
            raise functions.FunctionError(f"{function}: {exc} in {path}") from None

    # -- literals -----------------------------------------------------------

    def _expr_term(self, node, scope):
        inner = subtrees(node)
        return self._base(inner[0], scope)  # what it wraps is checked where it is used

    def _int_lit(self, node, scope):
        digits = str(node.children[0])
        if len(digits) > bounds.MAX_INTEGER_DIGITS:
            raise EvalError(f"this number {bounds.too_big()}")
        return int(digits)

    def _float_lit(self, node, scope):
        text = str(node.children[0])
        value = float(text)
        if math.isfinite(value):
            return value
        exact = decimal.Decimal(text)  # past a float's range, as Terraform holds it: exactly
        if exact.adjusted() >= bounds.MAX_INTEGER_DIGITS:
            raise EvalError(f"this number {bounds.too_big()}")
        if exact == exact.to_integral_value():
            return int(exact)
        return _beyond_floats(text, location(scope.file, node))

    def _literal_value(self, node, scope):
        return {"true": True, "false": False, "null": None}[str(node.children[0])]

    def _identifier(self, node, scope):
        return scope.lookup(str(node.children[0]), location(scope.file, node))

    def _keyword(self, node, scope):
        return scope.lookup(str(node.children[0]), location(scope.file, node))

    def _tuple(self, node, scope):
        return LList([self.eval(c, scope) for c in subtrees(node)], location(scope.file, node))

    def _object(self, node, scope):
        result = LDict(loc=location(scope.file, node))
        for elem in subtrees(node):
            key_node, value_node = subtrees(elem)
            key = self._object_key(key_node, scope)
            if isinstance(key, Unknown):
                return Unknown(key.ref, key.kind, location(scope.file, node))
            result[key] = self.eval(value_node, scope)
            result.key_locs[key] = location(scope.file, elem)
        return result

    def _object_key(self, key_node, scope):
        inner = subtrees(key_node)
        if not inner:
            return str(key_node.children[0].children[0]) if isinstance(key_node.children[0], Tree) \
                else str(key_node.children[0])
        expr = inner[0]
        if expr.data == "keyword":
            return str(expr.children[0])
        if expr.data == "expr_term" and len(subtrees(expr)) == 1 and subtrees(expr)[0].data == "identifier" \
                and not any(isinstance(c, Token) and c.type == "LPAR" for c in expr.children):
            return str(subtrees(expr)[0].children[0])
        key = self.eval(expr, scope)
        if isinstance(key, Unknown) or (isinstance(key, str) and has_marker(key)):
            return unknown_from([key], location(scope.file, key_node))
        if isinstance(key, bool):
            return "true" if key else "false"
        if isinstance(key, (int, float)):
            return to_template_string(key, location(scope.file, key_node))
        if not isinstance(key, str):
            raise EvalError(f"an object key must be a string, not a {type_name(key)}")
        return str(key)

    # -- strings and templates ------------------------------------------

    def _string(self, node, scope):
        parts = self._templates.get(id(node))
        if parts is None:
            parts = self._string_parts(node, scope.file)
            self._templates[id(node)] = parts
        return self._render(parts, scope, location(scope.file, node))

    def _string_parts(self, node, file) -> list:
        parts = []
        for part in node.children:
            if not isinstance(part, Tree):
                continue
            child = part.children[0]
            if isinstance(child, Token):
                if child.type == "STRING_CHARS":
                    parts.append(TemplatePart("lit", templates.unescape(str(child))))
                else:  # $${ or %%{ escapes
                    parts.append(TemplatePart("lit", str(child)[1:]))
                continue
            parts.append(templates.flat_directive(child))
        return parts

    def _template_string(self, node, scope):
        return LStr(templates.unescape(str(node.children[0])[2:-2]), location(scope.file, node))

    def _heredoc(self, node, scope):
        parts = self._templates.get(id(node))
        token = node.children[0]
        if parts is None:
            body, _ = heredoc_body(str(token))
            try:
                parts = parse_template(body, scope.file, token.line + 1, 1)
            except ParseError as exc:
                raise EvalError(f"{exc.message} at line {exc.line}") from None
            self._templates[id(node)] = parts
        loc = Location(scope.file, token.line + 1, 1, token.end_line, token.end_column)
        return self._render(parts, scope, loc)

    _heredoc_template = _heredoc
    _heredoc_template_trim = _heredoc

    def _render(self, parts: list, scope: Scope, loc: Location):
        if len(parts) == 1 and parts[0].kind == "interp":
            return self.eval(parts[0].expr, scope)
        pieces = self._render_parts(templates.strip(parts), scope)
        why = bounds.check_length(sum(map(len, pieces)))
        if why:
            raise EvalError(f"this template's result {why}")
        return LStr("".join(pieces), loc, spans=templates.spans(pieces))

    def _render_parts(self, parts: list, scope: Scope) -> list:
        out = []
        i = 0
        while i < len(parts):
            part = parts[i]
            if part.kind == "lit":
                out.append(part.text)
            elif part.kind == "interp":
                value = self.eval(part.expr, scope)
                out.append(to_template_string(value, None))
            elif part.kind == "if":
                then_parts, else_parts, i = templates.split_if(parts, i)
                cond = self.eval(part.expr, scope)
                if isinstance(cond, Unknown):
                    out.append(embed(cond))
                else:
                    out.extend(self._render_parts(then_parts if _truthy(cond) else else_parts, scope))
            elif part.kind == "for":
                body, i = templates.split_for(parts, i)
                collection = self.eval(part.expr, scope)
                if isinstance(collection, Unknown):
                    out.append(embed(collection))
                else:
                    for key, value in _iterate(collection):
                        names = dict(zip(part.names, (key, value) if len(part.names) == 2 else (value,)))
                        out.extend(self._render_parts(body, scope.bind(names)))
                        if len(out) > bounds.MAX_ELEMENTS:
                            raise EvalError(f"this template's for directive makes more than {bounds.MAX_ELEMENTS} "
                                            "pieces, the most sesguard evaluates")
            else:
                raise EvalError(f"unexpected template directive {part.kind}")
            i += 1
        return out

    # -- operators --------------------------------------------------------

    def _conditional(self, node, scope):
        cond_node, then_node, else_node = subtrees(node)
        cond = self.eval(cond_node, scope)
        if isinstance(cond, Unknown):
            then_value = self.value(then_node, scope)
            else_value = self.value(else_node, scope)
            if _same(then_value, else_value):
                return then_value
            if cond.kind == ERROR:  # the condition is wrong: the input is not analyzed
                return Unknown(cond.ref, cond.kind, location(scope.file, node), cond.hint)
            return Alternatives.of(Unknown(cond.ref, cond.kind, location(scope.file, node), cond.hint),
                                   (then_value, else_value))
        if _marked(cond):
            return unknown_from([cond], location(scope.file, node))
        return self.eval(then_node if _truthy(cond) else else_node, scope)

    def _unary_op(self, node, scope):
        op = str(node.children[0])
        value = self.eval(node.children[1], scope)
        if isinstance(value, Unknown):
            return value
        if _marked(value):
            return unknown_from([value], location(scope.file, node))
        if op == "!":
            return not _truthy(value, "! needs a bool")
        return _int_if_whole(-_number(value, "unary -"))

    def _binary_op(self, node, scope):
        lhs_node, term = subtrees(node)[:2]
        op = str(subtrees(term)[0].children[0]).strip()  # python-hcl2 keeps a line break before it
        rhs_node = subtrees(term)[1]
        lhs = self.eval(lhs_node, scope)
        if op in ("&&", "||"):
            lhs = _bool_operand(lhs, op, location(scope.file, node))
            if lhs is (op == "||"):
                return lhs
            rhs = _bool_operand(self.eval(rhs_node, scope), op, location(scope.file, node))
            if rhs is (op == "||"):
                return rhs
            if isinstance(lhs, Unknown) or isinstance(rhs, Unknown):
                return lhs if isinstance(lhs, Unknown) else rhs
            return rhs
        rhs = self.eval(rhs_node, scope)
        if isinstance(lhs, Unknown) or isinstance(rhs, Unknown) or _marked(lhs) or _marked(rhs):
            return unknown_from([lhs, rhs], location(scope.file, node))
        if op == "==":
            return _equal(lhs, rhs)
        if op == "!=":
            return not _equal(lhs, rhs)
        a, b = _number(lhs, op), _number(rhs, op)
        if not (_finite(a) and _finite(b)):  # from a function: tonumber("1e400")
            return _beyond_floats(f"{_shown_number(a)} {op} {_shown_number(b)}", location(scope.file, node))
        if op in ("<", ">", "<=", ">="):
            return {"<": a < b, ">": a > b, "<=": a <= b, ">=": a >= b}[op]
        try:
            result = _arithmetic(op, a, b)
        except OverflowError:  # a float from an integer past a float's range
            raise EvalError(f"the result of {op} is a number too large to evaluate") from None
        if bounds.integer_too_big(result):
            raise EvalError(f"the result of {op} {bounds.too_big()}")
        if not _finite(result):
            return _beyond_floats(f"the result of {op}", location(scope.file, node))
        return result

    # -- traversals -----------------------------------------------------

    def _get_attr_expr_term(self, node, scope):
        base_node, attr_node = subtrees(node)
        base = self._base(base_node, scope)
        return self.get_attr(base, name_of(subtrees(attr_node)[0]), location(scope.file, node))

    def _index_expr_term(self, node, scope):
        base_node, index_node = subtrees(node)
        base = self._base(base_node, scope)
        return self.index(base, self._index_key(index_node, scope), location(scope.file, node), node)

    def _index_key(self, index_node, scope):
        if index_node.data == "short_index":
            return int(str(index_node.children[-1]))
        return self.eval(subtrees(index_node)[0], scope)

    def _attr_splat_expr_term(self, node, scope):
        return self._splat(node, scope)

    def _full_splat_expr_term(self, node, scope):
        return self._splat(node, scope)

    def _splat(self, node, scope):
        base_node, splat = subtrees(node)
        base = self._base(base_node, scope)
        loc = location(scope.file, node)
        if isinstance(base, Unknown):
            return base
        if base is None:
            return LList([], loc)
        items = base if isinstance(base, list) else [base]
        result = LList([], loc)
        for item in items:
            for step in subtrees(splat):
                if step.data == "get_attr":
                    item = self.get_attr(item, name_of(subtrees(step)[0]), loc)
                else:
                    item = self.index(item, self._index_key(step, scope), loc)
            result.append(item)
        return result

    def get_attr(self, base, name: str, loc: Location):
        if isinstance(base, Namespace):
            return base.attr(name)
        if isinstance(base, Unknown):
            named = Unknown(f"{base.ref}.{name}", base.kind if base.kind != "owner-account" else EVALUATION,
                            loc, base.hint)
            return self._of_each(base, named, lambda option: self.get_attr(option, name, loc))
        if isinstance(base, dict):
            if name in base:
                return base[name]
            raise EvalError(f"the object has no attribute {name!r}")
        if isinstance(base, list):
            raise EvalError(f"a list has no attribute {name!r}; use [*].{name} or an index")
        raise EvalError(f"a {type_name(base)} has no attribute {name!r}")

    def index(self, base, key, loc: Location, written=None):
        """``base[key]``; ``written`` is the indexing expression, which names
        the result when only the key is unknown."""
        one = getattr(base, "any_instance", None)  # modules.UnknownInstances, by its own unknown key
        if one is not None and isinstance(key, Unknown):
            return one
        if isinstance(base, Unknown):
            named = Unknown(f"{base.ref}[{_show_key(key)}]", base.kind if base.kind != "owner-account" else EVALUATION,
                            loc, base.hint)
            return self._of_each(base, named, lambda option: self.index(option, key, loc))
        if isinstance(key, Unknown):
            if isinstance(base, list) and base and all(_same(base[0], b) for b in base[1:]):
                return base[0]
            named = reference_text(written) if key.kind != ERROR else None  # an error's ref is its message
            unknown = Unknown(named or key.ref, key.kind, loc, key.hint)
            if key.kind == ERROR or not isinstance(base, (dict, list)) or isinstance(base, Namespace):
                return unknown
            return Alternatives.of(unknown, base.values() if isinstance(base, dict) else base)
        if isinstance(base, Namespace):
            return base.attr(key)
        if isinstance(base, list):
            if isinstance(key, str) and key.lstrip("-").isdigit():
                key = int(key)
            if isinstance(key, bool) or not isinstance(key, (int, float)) or int(key) != key:
                raise EvalError(f"a list index must be a whole number, not {key!r}")
            if not 0 <= int(key) < len(base):
                raise EvalError(f"index {int(key)} is out of range for a list of {len(base)}")
            return base[int(key)]
        if isinstance(base, dict):
            key = to_template_string(key, loc) if not isinstance(key, str) else key
            if key in base:
                return base[key]
            raise EvalError(f"the map has no key {key!r}")
        raise EvalError(f"a {type_name(base)} cannot be indexed")

    @staticmethod
    def _of_each(base, named: Unknown, step) -> Unknown:
        """``named``, one of ``step`` applied to each option of ``base`` when
        ``base`` is an Alternatives; plain when a step fails for an option."""
        if not isinstance(base, Alternatives):
            return named
        try:
            return Alternatives.of(named, [step(option) for option in base.options])
        except EvalError:
            return named

    # -- functions --------------------------------------------------------

    def _function_call(self, node, scope):
        heads = [c for c in node.children if isinstance(c, Tree) and c.data == "identifier"]
        name = "::".join(str(h.children[0]) for h in heads)
        args_node = next((c for c in node.children if isinstance(c, Tree) and c.data == "arguments"), None)
        arg_nodes = subtrees(args_node) if args_node is not None else []
        expand = args_node is not None and any(isinstance(c, Token) and c.type == "ELLIPSIS"
                                               for c in args_node.children)
        loc = location(scope.file, node)
        if not self.ctx.calls:
            raise EvalError(f"a variable value must be a literal, and {name}(...) is a function call")
        if name in ("try", "can"):
            return self._try_can(name, arg_nodes, scope)
        if name == "templatestring" and arg_nodes and templates.is_literal_template(arg_nodes[0]):
            raise EvalError("templatestring: the template must be a reference to a string (a variable, a local, "
                            "an attribute), not a literal template, as Terraform requires")
        args = [self.eval(a, scope) for a in arg_nodes]
        if expand and args:
            last = args.pop()
            if isinstance(last, Unknown):
                return last
            if not isinstance(last, list):
                raise EvalError(f"{name}: only a list can be expanded with ...")
            args.extend(last)
        if name not in functions.SUPPORTED:
            return Unknown(f"the function {name} is not supported by sesguard (at {loc})", ERROR, loc)
        try:
            result = functions.call(name, args, self.ctx)
        except functions.FunctionError as exc:
            raise EvalError(str(exc)) from None
        except Unsupported as exc:  # valid, but not evaluable here: unknown, never a wrong value
            return Unknown(f"{name}(...)", EVALUATION, loc, f"{name}: {exc} is not supported by sesguard (at {loc}), "
                                                             "so its result is unknown")
        if isinstance(result, Unknown) and result.loc is None:
            result.loc = loc
        if not _finite(result):
            return _beyond_floats(f"{name}(...)", loc)
        return without_picks(result)  # a pick in what a function builds may not sit where its key put it

    def _try_can(self, name, arg_nodes, scope):
        if name == "can":
            if len(arg_nodes) != 1:
                raise EvalError("can takes one argument")
            try:
                value = self.eval(arg_nodes[0], scope)
            except InputError:  # only what Terraform would reject; a bug of ours propagates
                return False
            return value if isinstance(value, Unknown) else True
        for arg in arg_nodes:
            try:
                return self.eval(arg, scope)
            except InputError:
                continue
        raise EvalError("no argument of try could be evaluated")

    # -- for expressions --------------------------------------------------

    def _for_intro(self, node, scope):
        trees = subtrees(node)
        names = tuple(name_of(t) for t in trees if t.data == "identifier")
        collection = self.eval(trees[-1], scope)
        return names, collection

    def _for_parts(self, node):
        trees = subtrees(node)
        intro = trees[0]
        cond = trees[-1] if trees[-1].data == "for_cond" else None
        body = trees[1:-1] if cond is not None else trees[1:]
        return intro, body, cond

    def _for_items(self, node, scope):
        intro, body, cond = self._for_parts(node)
        names, collection = self._for_intro(intro, scope)
        if isinstance(collection, Unknown):
            return collection, body
        items = []
        for key, value in _iterate(collection):
            bound = scope.bind(dict(zip(names, (key, value) if len(names) == 2 else (value,))))
            if cond is not None:
                keep = self.eval(subtrees(cond)[0], bound)
                if isinstance(keep, Unknown):
                    return Unknown(keep.ref, keep.kind, location(scope.file, node), keep.hint), body
                if _marked(keep):
                    return unknown_from([keep], location(scope.file, node)), body
                if not _truthy(keep):
                    continue
            items.append(bound)
        return items, body

    def _for_tuple_expr(self, node, scope):
        items, body = self._for_items(node, scope)
        if isinstance(items, Unknown):
            return Unknown(items.ref, items.kind, location(scope.file, node), items.hint)
        result, tally = LList([], location(scope.file, node)), bounds.Tally()
        for bound in items:
            result.append(self.eval(body[0], bound))
            _within(tally.add_element(result[-1]))
        return result

    def _for_object_expr(self, node, scope):
        items, body = self._for_items(node, scope)
        loc = location(scope.file, node)
        if isinstance(items, Unknown):
            return Unknown(items.ref, items.kind, loc, items.hint)
        grouping = any(isinstance(c, Token) and c.type == "ELLIPSIS" for c in node.children)
        result, tally = LDict(loc=loc), bounds.Tally()
        for bound in items:
            key = self.eval(body[0], bound)
            if isinstance(key, Unknown) or (isinstance(key, str) and has_marker(key)):
                return unknown_from([key], loc)
            key = to_template_string(key, loc)
            value = self.eval(body[1], bound)
            _within(tally.add_element([key, value]))
            if grouping:
                result.setdefault(key, LList([], loc)).append(value)
            elif key in result:
                raise EvalError(f"duplicate key {key!r} in a for expression; use ... to group")
            else:
                result[key] = value
        return result

    # -- .tf.json values ----------------------------------------------------

    def _json(self, value, loc: Location, scope: Scope):
        if isinstance(value, str):
            vloc = getattr(value, "loc", None) or loc
            try:
                parts = parse_template(str(value), scope.file, vloc.line, vloc.column + 1)
            except ParseError as exc:
                raise EvalError(f"{exc.message} at line {exc.line}") from None
            return self._render(parts, scope, vloc)
        if isinstance(value, dict):
            return LDict({k: self._json(v, loc, scope) for k, v in value.items()},
                         getattr(value, "loc", loc), getattr(value, "key_locs", {}))
        if isinstance(value, list):
            return LList([self._json(v, loc, scope) for v in value], getattr(value, "loc", loc))
        return value


# ---------------------------------------------------------------------------
# helpers
# ---------------------------------------------------------------------------


def _iterate(collection):
    if isinstance(collection, dict):
        return [(k, collection[k]) for k in sorted(collection)]
    if isinstance(collection, list):
        return list(enumerate(collection))
    raise EvalError(f"cannot iterate over a {type_name(collection)}")


def _truthy(value, message: str = "") -> bool:
    """A known value where Terraform wants a bool: a bool, or the string
    ``"true"`` or ``"false"``, which Terraform converts."""
    if isinstance(value, bool):
        return value
    if isinstance(value, str) and value in ("true", "false"):
        return value == "true"
    shown = f'"{value}"' if isinstance(value, str) else f"a {type_name(value)}"
    raise EvalError(f"{message or 'the condition must be a bool'}, not {shown}")


def _bool_operand(value, op: str, loc: Location):
    """An operand of ``&&`` / ``||``: a bool, or an unknown."""
    if isinstance(value, Unknown):
        return value
    if _marked(value):
        return unknown_from([value], loc)
    return _truthy(value, f"{op} needs bools")


# Expressions that pass on what an unknown key picks: a reference, an index, a conditional, parentheses,
# and a template that is one interpolation alone ("${x}" is x itself, as in Terraform)
_PICKS = frozenset({"expr_term", "identifier", "get_attr_expr_term", "index_expr_term", "conditional", "string"})


def _marked(value) -> bool:
    return isinstance(value, str) and has_marker(value)


def _same(a, b) -> bool:
    if isinstance(a, Alternatives) or isinstance(b, Alternatives):
        return False  # equal as unknowns (by name), not by the values each may be
    if isinstance(a, Unknown) or isinstance(b, Unknown):
        return isinstance(a, Unknown) and a == b
    try:
        return a == b and type_name(a) == type_name(b)
    except Exception:
        return False


def _equal(a, b) -> bool:
    if type_name(a) != type_name(b):
        return False
    return a == b


def _number(value, op: str):
    if isinstance(value, bool):
        raise EvalError(f"{op} needs numbers, not a bool")
    if isinstance(value, (int, float)):
        return value
    if isinstance(value, str):  # converted as Terraform does: "2" + 1 is 3
        try:
            return functions.call("tonumber", [value], None)
        except functions.FunctionError:
            raise EvalError(f'{op} needs numbers, and "{value}" is not one') from None
    raise EvalError(f"{op} needs numbers, not a {type_name(value)}")


def _within(why: str) -> None:
    """Stop a ``for`` expression whose result would be over a bound (``bounds.Tally``)."""
    if why:
        raise EvalError(f"this for expression's result {why}")


def _arithmetic(op: str, a, b):
    if op == "+":
        return _int_if_whole(a + b)
    if op == "-":
        return _int_if_whole(a - b)
    if op == "*":
        return _int_if_whole(a * b)
    if b == 0:
        raise EvalError("division by zero" if op == "/" else "modulo by zero")
    if op == "/":
        return _int_if_whole(a / b)
    if isinstance(a, int) and isinstance(b, int):  # exactly, whatever their size; the sign is the dividend's
        return abs(a) % abs(b) * (1 if a >= 0 else -1)
    return _int_if_whole(math.fmod(a, b))


def _beyond_floats(what: str, loc: Location) -> Unknown:
    """A number Terraform holds exactly (its numbers have arbitrary precision)
    that is past the range of a float, in which sesguard computes: unknown,
    since it is valid but not evaluated here."""
    return Unknown(what, EVALUATION, loc, f"{what} is a number beyond the range sesguard evaluates (at {loc}), "
                                         "so it is unknown")


def _finite(value) -> bool:
    """False for a float infinity or NaN, true for anything else (an integer of any size)."""
    return not isinstance(value, float) or math.isfinite(value)


def _shown_number(value) -> str:
    return repr(value) if isinstance(value, float) else str(value)


def _int_if_whole(value):
    if isinstance(value, float) and value.is_integer() and abs(value) < 2 ** 53:
        return int(value)
    return value


def _show_key(key) -> str:
    if isinstance(key, Unknown):
        return key.ref
    if isinstance(key, str):
        return json.dumps(key)
    return str(key)

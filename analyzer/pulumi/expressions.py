"""Pulumi YAML expressions, statically: interpolations and the pure built-ins.

* ``${name}``: a ``variables`` entry, else a configuration value of the
  stack (``config``), else a resource (its id: known after deployment);
  ``${ns:key}`` a namespaced configuration value; ``${pulumi.stack}``,
  ``${pulumi.project}``;
* ``${resource.property}`` (``.a.b``, ``[0]``, ``["key"]``): the value the
  program gives that input property, else known after deployment (named
  after the Terraform attribute the AWS provider bridges, so the model links
  it as it links Terraform references); ``$${`` is a literal ``${``;
* ``fn::toJSON``, ``fn::join``, ``fn::select``, ``fn::split`` and
  ``fn::secret`` are computed; ``fn::invoke`` of ``aws:getCallerIdentity``
  gives the deploying account as ``accountId``; any other ``fn::`` is
  unknown, naming it.

A reference to nothing, a cycle, or a built-in given the wrong arguments is
reported (``problems``) with its line, and is unknown.
"""

from __future__ import annotations

import json
import re
from typing import Any, Callable, Optional

from analyzer.model import (AFTER_APPLY, EVALUATION, OWNER, VARIABLE, LDict, LList, Location, LStr, Unknown, embed,
                            has_marker, loc_of, split_marked)

_INTERPOLATION = re.compile(r"\$\$\{|\$\{([^{}]*)\}")
_ACCESS = re.compile(r"\.([A-Za-z_][\w-]*)|\[(\d+)\]|\[\"((?:[^\"\\]|\\.)*)\"\]")
_ROOT = re.compile(r"[A-Za-z_][\w-]*(?::[A-Za-z_][\w-]*)?")
# the functions whose accountId is the deploying account, as Terraform's aws_caller_identity
CALLER_IDENTITY = ("aws:getCallerIdentity", "aws:index/getCallerIdentity:getCallerIdentity")
PURE = ("fn::toJSON", "fn::join", "fn::select", "fn::split", "fn::secret")


class JSONText(LStr):
    """The text ``fn::toJSON`` gives, keeping the structure it encodes
    (``value``), so a policy written in YAML keeps its lines."""

    def __new__(cls, value: Any, loc: Optional[Location]):
        obj = super().__new__(cls, json.dumps(_plain(value), ensure_ascii=False), loc)
        obj.value = value
        return obj

    def __reduce__(self):
        return (JSONText, (self.value, self.loc))


class Program:
    """Evaluates the expressions of one Pulumi YAML program for one stack.

    ``resource_ref(name, path, loc)`` gives the value of ``${name.path}`` for
    a resource ``name`` (supplied by the loader, which knows the types)."""

    def __init__(self, variables: dict, config: dict, stack: str, project: str,
                 resources: dict, resource_ref: Callable[[str, list, Location], Any]):
        self.variables = variables
        self.config = config  # key (plain for the project, "ns:key" otherwise) -> value
        self.stack = stack
        self.project = project
        self.resources = resources
        self.resource_ref = resource_ref
        self.problems: list = []  # (message, Location)
        self._busy: set = set()
        self._done: dict = {}

    def evaluate(self, value: Any) -> Any:
        if isinstance(value, str):
            return self._string(value)
        if isinstance(value, dict):
            if len(value) == 1 and isinstance(next(iter(value)), str) and next(iter(value)).startswith("fn::"):
                return self._function(next(iter(value)), value)
            return LDict({k: self.evaluate(v) for k, v in value.items()}, loc_of(value),
                         getattr(value, "key_locs", None))
        if isinstance(value, list):
            return LList([self.evaluate(v) for v in value], loc_of(value))
        return value

    # -- interpolation ---------------------------------------------------

    def _string(self, text: str) -> Any:
        loc = loc_of(text)
        if "${" not in text:
            return text
        whole = _INTERPOLATION.fullmatch(text)
        if whole and whole.group(1) is not None:
            return self.reference(whole.group(1).strip(), loc)

        def piece(m: re.Match) -> str:
            if m.group(1) is None:
                return "${"
            return _as_text(self.reference(m.group(1).strip(), loc))

        return LStr(_INTERPOLATION.sub(piece, text), loc)

    def reference(self, expression: str, loc: Optional[Location]) -> Any:
        root = _ROOT.match(expression)
        if not root:
            return self._error(f"${{{expression}}} is not a reference", loc)
        name, rest = root.group(0), expression[root.end():]
        path, pos = [], 0
        for m in _ACCESS.finditer(rest):
            if m.start() != pos:
                break
            path.append(m.group(1) if m.group(1) is not None else int(m.group(2)) if m.group(2) is not None
                        else json.loads(f'"{m.group(3)}"'))
            pos = m.end()
        if pos != len(rest):
            return self._error(f"${{{expression}}} is not a reference", loc)
        if name == "pulumi" and path and path[0] in ("stack", "project"):
            return LStr(self.stack if path[0] == "stack" else self.project, loc)
        if name in self.variables:
            return _walk(self._variable(name, loc), path, expression, loc, self)
        if name in self.config:
            return _walk(self.config[name], path, expression, loc, self)
        if name in self.resources:
            return self.resource_ref(name, path, loc)
        return self._error(f"${{{expression}}}: {name} is no variable, configuration value or resource of the "
                           "program", loc)

    def _variable(self, name: str, loc) -> Any:
        if name in self._done:
            return self._done[name]
        if name in self._busy:
            return self._error(f"the variable {name} refers to itself", loc)
        self._busy.add(name)
        try:
            value = self.evaluate(self.variables[name])
        finally:
            self._busy.discard(name)
        self._done[name] = value
        return value

    # -- built-ins -------------------------------------------------------

    def _function(self, name: str, call: dict) -> Any:
        loc = loc_of(call)
        argument = self.evaluate(call[name])
        if name == "fn::invoke" and isinstance(argument, dict) and argument.get("function") in CALLER_IDENTITY:
            result = LDict({"accountId": Unknown(f"{argument['function']}.accountId", OWNER, loc)}, loc)
            field = argument.get("return")
            return result if field is None else _walk(result, [field], f"{name} return {field}", loc, self)
        if name not in PURE:
            return Unknown(name, EVALUATION, loc, hint=f"{name} is not evaluated by sesguard")
        if name == "fn::secret":
            return argument
        if name == "fn::toJSON":
            return JSONText(argument, loc)
        if not isinstance(argument, list) or len(argument) != 2:
            return self._error(f"{name} takes a list of two arguments", loc)
        first, second = argument
        if isinstance(first, Unknown) or isinstance(second, Unknown):
            return Unknown(name, EVALUATION, loc, hint=f"{name} of a value known after deployment")
        if name == "fn::join":
            if not isinstance(first, str) or not isinstance(second, list):
                return self._error("fn::join takes [separator, list]", loc)
            return LStr(str(first).join(_as_text(v) for v in second), loc)
        if name == "fn::split":
            if not isinstance(first, str) or not isinstance(second, str):
                return self._error("fn::split takes [separator, string]", loc)
            if has_marker(second):
                return Unknown(name, EVALUATION, loc, hint="fn::split of a value known after deployment")
            return LList([LStr(p, loc) for p in str(second).split(str(first))], loc)
        if not isinstance(first, int) or isinstance(first, bool) or not isinstance(second, list):
            return self._error("fn::select takes [index, list]", loc)
        if not 0 <= first < len(second):
            return self._error(f"fn::select: index {first} is out of range", loc)
        return second[first]

    def _error(self, message: str, loc: Optional[Location]) -> Unknown:
        self.problems.append((message, loc))
        return Unknown(message, EVALUATION, loc, hint=message)


def _walk(value: Any, path: list, expression: str, loc, program: Program) -> Any:
    for step in path:
        if isinstance(value, Unknown):
            return value
        if isinstance(value, dict) and step in value:
            value = value[step]
        elif isinstance(value, list) and isinstance(step, int) and step < len(value):
            value = value[step]
        else:
            return program._error(f"${{{expression}}}: there is no {step!r} in it", loc)
    return value


def after_deployment(ref: str, what: str, loc: Optional[Location]) -> Unknown:
    return Unknown(ref, AFTER_APPLY, loc, hint=f"{what} is only known after the stack is deployed")


def secret(name: str, loc: Optional[Location]) -> Unknown:
    return Unknown(name, VARIABLE, loc, hint=f"the configuration value {name} is a secret; not known to sesguard")


def _as_text(value: Any) -> str:
    if isinstance(value, Unknown):
        return embed(value)
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, (int, float, str)):
        return str(value)
    return embed(Unknown("a list or mapping inside a string", EVALUATION))


def _plain(value: Any) -> Any:
    """``value`` as JSON can encode it, unknowns embedded as markers."""
    if isinstance(value, Unknown):
        return embed(value)
    if isinstance(value, dict):
        return {str(k): _plain(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_plain(v) for v in value]
    if isinstance(value, str):
        return "".join(p if isinstance(p, str) else embed(p) for p in split_marked(value))
    return value

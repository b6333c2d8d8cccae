"""Static evaluation of a template's intrinsic functions and conditions.

``Resolver.resolve`` turns a value as written (long forms only: the YAML
loader already expanded the short ones) into plain model data: what can be
known before deployment is computed, the rest becomes ``Unknown``:

* ``Ref`` to a parameter: the value given to the scan, else the
  ``Default``, else ``Unknown(VARIABLE)``; ``CommaDelimitedList`` and
  ``List<...>`` parameters are lists; SSM parameter types are read at
  deployment (``DATA``);
* pseudo parameters: ``AWS::AccountId`` is the deploying account
  (``OWNER``, trusted); ``AWS::Region`` and ``AWS::Partition`` are known
  when given as parameters; ``AWS::NoValue`` removes the key or item;
* ``Ref`` to an ``AWS::SES::EmailIdentity`` (or a configuration set) is its
  name; to any other resource, and ``Fn::GetAtt``, ``AFTER_APPLY``;
  ``Fn::ImportValue`` and ``Fn::GetAZs`` are ``DATA``;
* ``Fn::Sub``, ``Fn::Join``, ``Fn::Select``, ``Fn::Split``, ``Fn::If``,
  ``Fn::FindInMap``, ``Fn::Base64``, ``Fn::ToJsonString``, ``Fn::Length``
  and the condition functions are computed; unknown parts of a string are
  embedded as markers;
* ``Fn::If`` whose condition is not known is that unknown, known to be one
  of its two branches (``Alternatives``: a rule that judges each, such as
  the policy verdict, may read them; ``present`` reads a property whose
  other branch is ``AWS::NoValue``); what another function computes from
  it is a plain ``Unknown``;
* a dynamic reference (``{{resolve:ssm:...}}``) is ``DATA``;
* a wrong call (bad arity, a ``Fn::Sub`` placeholder that is not closed, a
  ``Fn::FindInMap`` key that does not exist, a reference to nothing) is
  ``Unknown(ERROR)`` whose text says what and where;
* a directive of the rain CLI (``Rain::Embed``...) is expanded before
  deployment by ``rain pkg``, and is ``Unknown`` here.

A value keeps the location where it was written; a computed string takes
the location of its function (``Fn::Sub`` of a literal block keeps the
block's, so a JSON policy in it still maps line by line).
"""

from __future__ import annotations

import base64
import json
import re
from typing import Any, Optional

from analyzer.cloudformation.yaml_loader import SourceText
from analyzer.model import (
    AFTER_APPLY,
    DATA,
    ERROR,
    EVALUATION,
    OWNER,
    VARIABLE,
    Alternatives,
    LDict,
    LList,
    Location,
    LStr,
    Unknown,
    display,
    embed,
    has_marker,
    loc_of,
    split_marked,
    unknowns_in,
)


class _NoValue:
    """``AWS::NoValue``: the property or list item it is given to is removed."""

    def __repr__(self) -> str:
        return "NO_VALUE"


NO_VALUE = _NoValue()

GIVEN_PSEUDO = ("AWS::Region", "AWS::Partition")  # known when given as parameters
DEPLOY_PSEUDO = ("AWS::StackName", "AWS::StackId", "AWS::URLSuffix", "AWS::NotificationARNs")
PSEUDO = ("AWS::AccountId", "AWS::NoValue") + GIVEN_PSEUDO + DEPLOY_PSEUDO
RAIN = "Rain::"  # directives of the rain CLI
CONDITION_FUNCTIONS = ("Fn::Equals", "Fn::And", "Fn::Or", "Fn::Not")

# resource type -> the property its Ref returns
REF_PROPERTY = {
    "AWS::SES::EmailIdentity": "EmailIdentity",
    "AWS::SES::ConfigurationSet": "Name",
}

_DYNAMIC_REFERENCE = re.compile(r"\{\{resolve:[^{}]*\}\}")
_SUB_NAME = re.compile(r"[\w.:-]+")
_PLACEHOLDER = re.compile(r"\$\{([^!}][^}]*)\}")


def function_call(value: Any) -> Optional[tuple]:
    """``(name, argument)`` when ``value`` is an intrinsic function call (or a rain directive)."""
    if isinstance(value, dict) and len(value) == 1:
        name = next(iter(value))
        if name == "Ref" or (isinstance(name, str) and name.startswith(("Fn::", RAIN))):
            return name, value[name]
    return None


def references(value: Any) -> set:
    """The names a value refers to with ``Ref``, ``Fn::GetAtt`` or ``Fn::Sub``."""
    found: set = set()
    pending = [value]
    while pending:
        current = pending.pop()
        call = function_call(current)
        if call is not None:
            name, argument = call
            if name == "Ref" and isinstance(argument, str):
                found.add(argument)
            elif name == "Fn::GetAtt":
                target = argument[0] if isinstance(argument, list) and argument else argument
                if isinstance(target, str):
                    found.add(target.split(".", 1)[0])
            elif name == "Fn::Sub":
                template, variables = argument, {}
                if isinstance(argument, list) and len(argument) == 2 and isinstance(argument[1], dict):
                    template, variables = argument
                if isinstance(template, str):
                    names = {m.group(1).split(".", 1)[0] for m in _PLACEHOLDER.finditer(template)}
                    found |= names - set(variables)
        if isinstance(current, dict):
            pending.extend(current.values())
        elif isinstance(current, list):
            pending.extend(current)
    return found


class Resolver:
    """Evaluates the values of one template with the parameter values given."""

    def __init__(self, template: dict, parameters: dict):
        self.given = parameters
        self.parameters = _section(template, "Parameters")
        self.mappings = _section(template, "Mappings")
        self.conditions = _section(template, "Conditions")
        self.resources = _section(template, "Resources")
        self.transform = "Transform" in template
        self._condition_results: dict = {}  # name -> (value, parameters read)
        self._properties: dict = {}  # logical id -> resolved Properties
        self._busy: set = set()  # conditions and resources being evaluated
        self._used: Optional[dict] = None  # parameters read by the condition being evaluated

    # -- values ------------------------------------------------------------

    def resolve(self, value: Any) -> Any:
        """``value`` with every function call evaluated (``NO_VALUE`` when removed)."""
        call = function_call(value)
        if call is not None:
            return _dynamic_references(self._call(call[0], call[1], loc_of(value)))
        if isinstance(value, dict):
            result = LDict((), loc_of(value))
            for key, item in value.items():
                resolved = self.resolve(item)
                if resolved is not NO_VALUE:
                    result[key] = resolved
                    if isinstance(value, LDict) and key in value.key_locs:
                        result.key_locs[key] = value.key_locs[key]
            return result
        if isinstance(value, list):
            return LList([r for r in map(self.resolve, value) if r is not NO_VALUE], loc_of(value))
        return _dynamic_references(value)

    def properties(self, logical_id: str) -> Any:
        """The resolved ``Properties`` of a resource (an ``LDict``, or ``Unknown``)."""
        if logical_id in self._properties:
            return self._properties[logical_id]
        resource = self.resources.get(logical_id)
        key = ("resource", logical_id)
        if key in self._busy:
            return self.error("Ref", loc_of(resource), f"{logical_id} refers to itself")
        raw = resource.get("Properties", LDict()) if isinstance(resource, dict) else LDict()
        self._busy.add(key)
        try:
            value = self.resolve(raw)
        finally:
            self._busy.discard(key)
        if value is NO_VALUE or value is None:
            value = LDict((), loc_of(raw))
        elif not isinstance(value, (dict, Unknown)):
            value = self.error("Properties", loc_of(raw), "must be a mapping")
        self._properties[logical_id] = value
        return value

    def _call(self, name: str, argument: Any, loc: Optional[Location]) -> Any:
        if name == "Ref":
            if not isinstance(argument, str):
                return self.error(name, loc, "needs the name of a parameter or resource")
            result = self.ref(argument, loc)
        elif name.startswith(RAIN):
            return Unknown(name, EVALUATION, loc, hint=f"{name} is expanded by rain pkg; not evaluated")
        else:
            handler = _FUNCTIONS.get(name)
            if handler is None:
                return self.error(name, loc, f"unknown function {name}")
            result = handler(self, argument, loc)
        if type(result) is Alternatives and name != "Fn::If":
            return result.plain()  # computed from what a condition picks, or read through it: not a branch
        return result

    def error(self, name: str, loc: Optional[Location], message: str) -> Unknown:
        where = f" at line {loc.line}" if loc else ""
        return Unknown(f"{name}{where}: {message}", ERROR, loc)

    # -- references ----------------------------------------------------------

    def ref(self, name: str, loc: Optional[Location]) -> Any:
        if name in PSEUDO:
            return self._pseudo(name, loc)
        if name in self.parameters:
            return self._parameter(name, loc)
        if name in self.resources:
            return self._resource_ref(name, loc)
        if self.transform:
            return _undeclared(name, loc)
        return self.error("Ref", loc, f"{name} is no parameter or resource of this template")

    def _pseudo(self, name: str, loc: Optional[Location]) -> Any:
        if name == "AWS::AccountId":
            return Unknown(name, OWNER, loc)
        if name == "AWS::NoValue":
            return NO_VALUE
        if name in GIVEN_PSEUDO:
            if name in self.given:
                value = LStr(self.given[name], loc)
                self._note({name: value})
                return value
            return Unknown(name, VARIABLE, loc, hint=f"{name} is not known before deployment; "
                                                      f"pass --cfn-parameter {name}=...")
        return Unknown(name, EVALUATION, loc, hint=f"{name} is only known when the stack is deployed")

    def _parameter(self, name: str, loc: Optional[Location]) -> Any:
        declaration = self.parameters[name]
        if not isinstance(declaration, dict):
            return self.error("Ref", loc, f"parameter {name} is not declared as a mapping")
        type_ = declaration.get("Type", "String")
        if name in self.given:  # where a parameters file writes it, else (the command line) at the Ref
            raw = self.given[name] if loc_of(self.given[name]) else LStr(self.given[name], loc)
        elif "Default" in declaration:
            raw = declaration["Default"]
        else:
            return Unknown(name, VARIABLE, loc, hint=f"parameter {name} has no value; pass "
                                                      f"--cfn-parameter {name}=... or give it a Default")
        if isinstance(type_, str) and type_.startswith("AWS::SSM::Parameter::Value<"):
            return Unknown(name, DATA, loc, hint=f"parameter {name} is read from SSM Parameter Store "
                                                  f"({display(raw)}) when the stack is deployed")
        if isinstance(raw, list):
            value = LList([LStr(text(item), loc_of(item, loc)) for item in raw], loc_of(raw, loc))
        elif isinstance(raw, (dict, Unknown)) or raw is None:
            return self.error("Ref", loc, f"the value of parameter {name} is not a string")
        elif isinstance(type_, str) and (type_ == "CommaDelimitedList" or type_.startswith("List<")):
            where = loc_of(raw, loc)
            value = LList([LStr(item, where) for item in text(raw).split(",")], where)
        else:
            value = LStr(text(raw), loc_of(raw, loc))
        self._note({name: value})
        return value

    def _resource_ref(self, name: str, loc: Optional[Location]) -> Any:
        resource = self.resources[name]
        type_ = resource.get("Type") if isinstance(resource, dict) else None
        if not isinstance(type_, str):  # the resource is reported (SES001); what it would return is not known
            return Unknown(name, AFTER_APPLY, loc, hint=f"Ref {name} is only known after the stack is deployed")
        prop = REF_PROPERTY.get(type_)
        if prop is not None:
            properties = self.properties(name)
            if isinstance(properties, Unknown):
                return properties
            if prop in properties:
                return properties[prop]
        return Unknown(name, AFTER_APPLY, loc,
                       hint=f"Ref {name} ({display(type_)}) is only known after the stack is deployed")

    def get_att(self, resource: Any, attribute: Any, loc: Optional[Location]) -> Any:
        attribute = self.resolve(attribute)
        if isinstance(attribute, Unknown):
            return attribute
        if not isinstance(resource, str) or not isinstance(attribute, str):
            return self.error("Fn::GetAtt", loc, "needs [resource, attribute]")
        ref = f"{resource}.{attribute}"
        if resource not in self.resources:
            if self.transform:
                return _undeclared(ref, loc)
            return self.error("Fn::GetAtt", loc, f"{resource} is no resource of this template")
        return Unknown(ref, AFTER_APPLY, loc, hint=f"{ref} is only known after the stack is deployed")

    # -- conditions ----------------------------------------------------------

    def condition(self, name: Any, loc: Optional[Location] = None) -> Any:
        """The named condition: ``True``, ``False`` or ``Unknown``."""
        if not isinstance(name, str):
            return self.error("Condition", loc, "a condition is named by a string")
        if name not in self._condition_results:
            if name not in self.conditions:
                return self.error("Condition", loc, f"no condition is named {name}")
            if ("condition", name) in self._busy:
                return self.error("Condition", loc, f"condition {name} refers to itself")
            outer, self._used = self._used, {}
            self._busy.add(("condition", name))
            try:
                value = self.test(self.conditions[name])
            finally:
                used, self._used = self._used, outer
                self._busy.discard(("condition", name))
            self._condition_results[name] = (value, used)
        value, used = self._condition_results[name]
        self._note(used)
        return value

    def condition_inputs(self, name: str) -> dict:
        """The parameters (name -> value) an evaluated condition read."""
        return self._condition_results.get(name, (None, {}))[1]

    def test(self, expression: Any) -> Any:
        """A condition expression: ``True``, ``False`` or ``Unknown``."""
        loc = loc_of(expression)
        if isinstance(expression, dict) and len(expression) == 1:
            key, argument = next(iter(expression.items()))
            if key == "Condition":
                return self.condition(argument, loc)
            if key in CONDITION_FUNCTIONS:
                return _logic(self, key, argument, loc)
        return self.error("Condition", loc, "a condition must be Fn::Equals, Fn::And, Fn::Or, "
                                             "Fn::Not or a Condition reference")

    def _note(self, used: dict) -> None:
        if self._used is not None:
            self._used.update(used)


# -- functions ---------------------------------------------------------------


def _logic(r: Resolver, name: str, argument: Any, loc: Optional[Location]) -> Any:
    low, high = {"Fn::Equals": (2, 2), "Fn::Not": (1, 1)}.get(name, (2, 10))
    if not isinstance(argument, list) or not low <= len(argument) <= high:
        count = {"Fn::Equals": "2 values", "Fn::Not": "1 condition"}.get(name, "2 to 10 conditions")
        return r.error(name, loc, f"needs a list of {count}")
    if name == "Fn::Equals":
        left, right = (r.resolve(v) for v in argument)
        unknown = next(unknowns_in([left, right]), None)
        return unknown if unknown is not None else _comparable(left) == _comparable(right)
    results = [r.test(item) for item in argument]
    failed = next((v for v in results if _is_error(v)), None)
    if failed is not None:
        return failed
    if name == "Fn::Not":
        return results[0] if isinstance(results[0], Unknown) else not results[0]
    decisive = name == "Fn::Or"  # the value that decides alone
    if decisive in results:
        return decisive
    return next((v for v in results if isinstance(v, Unknown)), not decisive)


def _if(r: Resolver, argument: Any, loc: Optional[Location]) -> Any:
    if not isinstance(argument, list) or len(argument) != 3:
        return r.error("Fn::If", loc, "needs [condition, value if true, value if false]")
    chosen = r.condition(argument[0], loc)
    if chosen is True:
        return r.resolve(argument[1])
    if chosen is False:
        return r.resolve(argument[2])
    if chosen.kind == ERROR:
        return chosen
    unknown = chosen  # Alternatives.of takes its name and kind, never its own options
    if chosen.kind == OWNER:
        unknown = Unknown(f"Fn::If {argument[0]}", EVALUATION, loc,
                          hint=f"condition {argument[0]} depends on the deploying account (AWS::AccountId)")
    # one of the branches, as a rule that judges each may read; a branch that is AWS::NoValue is kept as
    # NO_VALUE, for present() to tell a property declared only if the condition holds
    return Alternatives.of(unknown, [r.resolve(argument[1]), r.resolve(argument[2])])


def conditions(*sentences: str) -> str:
    """What a declaration depends on, as one ``conditional`` text: each of
    ``sentences`` that says something (a resource's Condition, the Fn::If
    that declares a property)."""
    return "; ".join(sentence for sentence in sentences if sentence)


def present(value: Any, what: str) -> tuple:
    """``(value, conditional)`` of a property as read: for an ``Fn::If``
    whose condition is not known and one of whose branches is
    ``AWS::NoValue``, the other branch, and a sentence saying that ``what``
    is declared only if the condition holds; for another pick that may be
    ``AWS::NoValue``, the unknown as a whole; anything else as it is, with
    ``""``. A reader of a pick's options calls it first, so that no option
    it reads is ``NO_VALUE``."""
    if type(value) is not Alternatives or not any(option is NO_VALUE for option in value.options):
        return value, ""
    others = [option for option in value.options if option is not NO_VALUE]
    if len(others) != 1:
        return value.plain(), ""
    return others[0], (f"its {what} is declared only if an Fn::If condition holds, which is not known: "
                       f"{value.describe()}")


def _sub(r: Resolver, argument: Any, loc: Optional[Location]) -> Any:
    template, variables = argument, {}
    if isinstance(argument, list):
        if len(argument) != 2 or not isinstance(argument[1], dict):
            return r.error("Fn::Sub", loc, "needs a string or [string, {name: value}]")
        template, variables = argument
    if not isinstance(template, str):
        return r.error("Fn::Sub", loc, "the template must be a literal string")
    pieces, pos, inserted_lines = [], 0, False
    while True:
        start = template.find("${", pos)
        if start < 0:
            pieces.append(template[pos:])
            break
        pieces.append(template[pos:start])
        end = template.find("}", start)
        if end < 0:
            return r.error("Fn::Sub", loc, f"the placeholder starting {template[start:start + 20]!r} "
                                            "has no closing brace")
        name = template[start + 2:end]
        pos = end + 1
        if name.startswith("!"):
            pieces.append("${" + name[1:] + "}")
            continue
        if not _SUB_NAME.fullmatch(name):
            return r.error("Fn::Sub", loc, f"{'${' + name + '}'!r} is not a valid placeholder")
        if name in variables:
            value = r.resolve(variables[name])
        elif name in PSEUDO or name in r.parameters or name in r.resources:
            value = r.ref(name, loc)
        elif "." in name:
            value = r.get_att(*name.split(".", 1), loc)
        elif r.transform:
            value = r.ref(name, loc)
        else:
            return r.error("Fn::Sub", loc, f"${{{name}}} names no parameter, resource or variable")
        piece = _piece(value)
        if piece is None:
            return value if _is_error(value) else r.error(
                "Fn::Sub", loc, f"${{{name}}} is {_kind(value)}, not a string")
        inserted_lines = inserted_lines or "\n" in piece
        pieces.append(piece)
    result = "".join(pieces)
    if isinstance(template, SourceText) and not inserted_lines:
        return SourceText(result, template.loc)
    return LStr(result, loc_of(template, loc))


def _join(r: Resolver, argument: Any, loc: Optional[Location]) -> Any:
    if not isinstance(argument, list) or len(argument) != 2:
        return r.error("Fn::Join", loc, "needs [delimiter, [values...]]")
    delimiter, items = r.resolve(argument[0]), r.resolve(argument[1])
    if _is_error(delimiter) or _is_error(items):
        return delimiter if _is_error(delimiter) else items
    if not isinstance(delimiter, str) or has_marker(delimiter):
        return r.error("Fn::Join", loc, "the delimiter must be a string")
    if isinstance(items, Unknown):
        return items
    if not isinstance(items, list):
        return r.error("Fn::Join", loc, "the second argument must be a list")
    pieces = []
    for item in items:
        piece = _piece(item)
        if piece is None:
            return item if _is_error(item) else r.error(
                "Fn::Join", loc, f"can only join strings, not {_kind(item)}")
        pieces.append(piece)
    return LStr(delimiter.join(pieces), loc)


_MAX_INDEX_DIGITS = 18  # no list is longer; int() of thousands of digits raises


def _select(r: Resolver, argument: Any, loc: Optional[Location]) -> Any:
    if not isinstance(argument, list) or len(argument) != 2:
        return r.error("Fn::Select", loc, "needs [index, list]")
    index, items = r.resolve(argument[0]), r.resolve(argument[1])
    for value in (index, items):
        unknown = next(unknowns_in(value), None) if not isinstance(value, list) else None
        if unknown is not None:
            return unknown
    if isinstance(index, str) and index.isascii() and index.isdigit() and len(index) <= _MAX_INDEX_DIGITS:
        index = int(index)  # not "²", which isdigit() accepts
    if not isinstance(index, int) or isinstance(index, bool):
        return r.error("Fn::Select", loc, "the index must be a number")
    if not isinstance(items, list):
        return r.error("Fn::Select", loc, "the second argument must be a list")
    if not 0 <= index < len(items):
        return r.error("Fn::Select", loc, f"index {index} is out of range for a list of {len(items)}")
    return items[index]


def _split(r: Resolver, argument: Any, loc: Optional[Location]) -> Any:
    if not isinstance(argument, list) or len(argument) != 2:
        return r.error("Fn::Split", loc, "needs [delimiter, string]")
    delimiter, source = r.resolve(argument[0]), r.resolve(argument[1])
    if not isinstance(delimiter, str) or not delimiter or has_marker(delimiter):
        return delimiter if _is_error(delimiter) else r.error(
            "Fn::Split", loc, "the delimiter must be a non-empty string")
    if isinstance(source, Unknown):
        return source
    if not isinstance(source, str):
        return r.error("Fn::Split", loc, "the second argument must be a string")
    pieces = [""]
    for part in split_marked(source):
        if isinstance(part, Unknown):
            pieces[-1] += embed(part)
        else:
            first, *rest = part.split(delimiter)
            pieces[-1] += first
            pieces.extend(rest)
    where = loc_of(source, loc)
    return LList([LStr(piece, where) for piece in pieces], where)


def _find_in_map(r: Resolver, argument: Any, loc: Optional[Location]) -> Any:
    if not isinstance(argument, list) or len(argument) not in (3, 4):
        return r.error("Fn::FindInMap", loc, "needs [map, top-level key, second-level key]")
    keys = [r.resolve(a) for a in argument[:3]]
    for key in keys:
        unknown = next(unknowns_in(key), None)
        if unknown is not None:
            return unknown
        if not isinstance(key, (str, int, float)) or isinstance(key, bool):
            return r.error("Fn::FindInMap", loc, f"a key is {_kind(key)}, not a string")
    default = argument[3] if len(argument) == 4 else None
    if default is not None and not (isinstance(default, dict) and "DefaultValue" in default):
        return r.error("Fn::FindInMap", loc, "the fourth argument must be {DefaultValue: ...}")
    name, top, second = (text(k) for k in keys)
    where: Any = r.mappings
    for step, key in enumerate((name, top, second)):
        if not isinstance(where, dict) or key not in where:
            if default is not None:
                return r.resolve(default["DefaultValue"])
            what = ("no mapping is named", f"mapping {name} has no key", f"mapping {name}.{top} has no key")[step]
            return r.error("Fn::FindInMap", loc, f"{what} {key}")
        where = where[key]
    return r.resolve(where)


def _get_att(r: Resolver, argument: Any, loc: Optional[Location]) -> Any:
    if isinstance(argument, str) and "." in argument:
        return r.get_att(*argument.split(".", 1), loc)
    if not isinstance(argument, list) or len(argument) != 2:
        return r.error("Fn::GetAtt", loc, "needs [resource, attribute]")
    return r.get_att(argument[0], argument[1], loc)


def _import_value(r: Resolver, argument: Any, loc: Optional[Location]) -> Any:
    name = r.resolve(argument)
    if _is_error(name):
        return name
    return Unknown(f"ImportValue {display(name)}", DATA, loc,
                   hint=f"the export {display(name)} of another stack is read when this stack is deployed")


def _base64(r: Resolver, argument: Any, loc: Optional[Location]) -> Any:
    value = r.resolve(argument)
    if _is_error(value):
        return value
    if isinstance(value, str) and not has_marker(value):
        return LStr(base64.b64encode(value.encode("utf-8")).decode("ascii"), loc)
    return Unknown(f"Fn::Base64 of {display(value)}", EVALUATION, loc)


def _to_json_string(r: Resolver, argument: Any, loc: Optional[Location]) -> Any:
    value = r.resolve(argument)
    if _is_error(value):
        return value
    if value is NO_VALUE:
        return r.error("Fn::ToJsonString", loc, "AWS::NoValue is not a value to convert")
    return LStr(json.dumps(_json_ready(value), separators=(",", ":"), ensure_ascii=False), loc)


def _length(r: Resolver, argument: Any, loc: Optional[Location]) -> Any:
    value = r.resolve(argument)
    if isinstance(value, Unknown):
        return value
    if not isinstance(value, list):
        return r.error("Fn::Length", loc, "needs a list")
    return len(value)


def _not_evaluated(name: str, kind: str, hint: str):
    def handler(r: Resolver, argument: Any, loc: Optional[Location]) -> Unknown:
        return Unknown(name, kind, loc, hint=hint)
    return handler


def _condition_function(name: str):
    def handler(r: Resolver, argument: Any, loc: Optional[Location]) -> Any:
        return _logic(r, name, argument, loc)
    return handler


_FUNCTIONS = {
    "Fn::If": _if,
    "Fn::Sub": _sub,
    "Fn::Join": _join,
    "Fn::Select": _select,
    "Fn::Split": _split,
    "Fn::FindInMap": _find_in_map,
    "Fn::GetAtt": _get_att,
    "Fn::ImportValue": _import_value,
    "Fn::Base64": _base64,
    "Fn::ToJsonString": _to_json_string,
    "Fn::Length": _length,
    "Fn::GetAZs": _not_evaluated("Fn::GetAZs", DATA, "the Availability Zones are read when the stack is deployed"),
    "Fn::Cidr": _not_evaluated("Fn::Cidr", EVALUATION, "Fn::Cidr is not evaluated"),
    "Fn::Transform": _not_evaluated("Fn::Transform", EVALUATION, "the output of a macro is not evaluated"),
    **{name: _condition_function(name) for name in CONDITION_FUNCTIONS},
}


# -- helpers -----------------------------------------------------------------


def text(value: Any) -> str:
    """A scalar as CloudFormation turns it into a string."""
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)


def _dynamic_references(value: Any) -> Any:
    """A string with its dynamic references (``{{resolve:ssm:...}}``), which
    are read when the stack is deployed, as unknowns."""
    if not isinstance(value, str) or "{{resolve:" not in value:
        return value
    hint = "a dynamic reference, resolved when the stack is deployed"
    if _DYNAMIC_REFERENCE.fullmatch(value):
        return Unknown(str(value), DATA, loc_of(value), hint=hint)
    marked = _DYNAMIC_REFERENCE.sub(lambda m: embed(Unknown(m.group(0), DATA)), value)
    return (SourceText if isinstance(value, SourceText) else LStr)(marked, loc_of(value))


def _piece(value: Any) -> Optional[str]:
    """``value`` as a part of a string (unknowns embedded), or None when it cannot be one."""
    if isinstance(value, Unknown):
        return None if value.kind == ERROR else embed(value)
    if isinstance(value, (str, int, float)):
        return text(value)
    return None


def _comparable(value: Any) -> Any:
    if isinstance(value, list):
        return tuple(_comparable(v) for v in value)
    if isinstance(value, dict):
        return tuple((k, _comparable(v)) for k, v in value.items())
    return text(value) if value is not None else None


def _json_ready(value: Any) -> Any:
    """``value`` with every ``Unknown`` embedded in a string, ready for ``json.dumps``."""
    if isinstance(value, Unknown):
        return embed(value)
    if isinstance(value, dict):
        return {k: _json_ready(v) for k, v in value.items() if v is not NO_VALUE}
    if isinstance(value, list):
        return [_json_ready(v) for v in value if v is not NO_VALUE]
    return value


def _is_error(value: Any) -> bool:
    return isinstance(value, Unknown) and value.kind == ERROR


def _kind(value: Any) -> str:
    if isinstance(value, Unknown):
        return "an unknown value"
    if value is NO_VALUE:
        return "AWS::NoValue"
    if isinstance(value, dict):
        return "a mapping"
    if isinstance(value, list):
        return "a list"
    return "null" if value is None else "a " + type(value).__name__


def _undeclared(ref: str, loc: Optional[Location]) -> Unknown:
    return Unknown(ref, AFTER_APPLY, loc, hint=f"{ref} is not declared in the template (the transform "
                                               "may create it); it is only known after deployment")


def _section(template: dict, name: str) -> dict:
    value = template.get(name)
    return value if isinstance(value, dict) else {}

"""The execution role policies of ``AWS::Serverless::Function`` (SAM).

SAM turns a function's ``Policies`` into the inline policies of the role it
creates for the function; this module reads them as the identity-based
policies (``IamPolicy``) of that function, so SES110 judges them:

* an inline policy document (a mapping with ``Statement``) as written;
* a SAM policy template (``SESCrudPolicy: {IdentityName: ...}``) as the
  statements it expands to (``analyzer.cloudformation.sam_policy_templates``),
  its parameters put in for their ``Ref``; located at the template's name;
* a managed policy name or ARN (a string, or what an intrinsic function
  such as ``!Ref Policy`` gives) is not read: its statements are not in the
  template.

A function with a ``Role`` gets no role from SAM, and its ``Policies`` are
not applied, so they are not read. A template name SAM does not know, a
template parameter left out, and ``Policies`` under ``Globals.Function``
(SAM does not accept it there) are errors SAM reports too (SES001).
"""

from __future__ import annotations

from typing import Any

from analyzer.cloudformation.intrinsics import Resolver, conditions, present
from analyzer.cloudformation.sam_policy_templates import NAMES, SES_TEMPLATES
from analyzer.model import IamPolicy, InputProblem, LDict, LList, Location, LStr, Model, Unknown, loc_of
from analyzer.policy.document import parse_document

FUNCTION_TYPE = "AWS::Serverless::Function"


def globals_problems(template: LDict, file: str, model: Model) -> None:
    """``Policies`` under ``Globals.Function``: SAM rejects the template."""
    function = template.get("Globals", {}).get("Function") if isinstance(template.get("Globals"), dict) else None
    if isinstance(function, LDict) and "Policies" in function:
        where = function.loc_of_key("Policies") or Location(file, 0, 0)
        model.problems.append(InputProblem(file, "Globals: SAM does not accept Policies in Globals.Function "
                                                 "(only on each function); the template is rejected",
                                           where.line, where.column))


def function_policies(resolver: Resolver, logical_id: str, base: dict, model: Model) -> None:
    """The policies SAM gives the role of function ``logical_id``, into ``model``."""
    properties = resolver.properties(logical_id)
    if isinstance(properties, Unknown) or "Role" in properties or "Policies" not in properties:
        return
    policies, listed = present(properties["Policies"], "Policies property")
    where = properties.loc_of_key("Policies") or base["loc"]
    if isinstance(policies, Unknown):
        model.iam_policies.append(IamPolicy(**base, document_unknown=policies, value_locs={"policy": where}))
        return
    for written in policies if isinstance(policies, list) else [policies]:
        entry, declared = present(written, "policy")
        at = loc_of(entry, where)
        declared_as = {**base, "conditional": conditions(base["conditional"], listed, declared)}
        if isinstance(entry, (str, Unknown)):
            continue  # a managed policy, by name or ARN (or one an intrinsic function gives): not in the template
        if isinstance(entry, dict) and "Statement" in entry:
            model.iam_policies.append(IamPolicy(**declared_as, document=parse_document(entry, at, base["file"]),
                                                value_locs={"policy": at}))
        elif isinstance(entry, dict) and len(entry) == 1:
            _template(resolver, entry, at, declared_as, model)
        else:
            _problem(model, base, at, "each Policies entry must be a managed policy name, a policy document "
                                      "or one SAM policy template")


def _template(resolver: Resolver, entry: LDict, at: Location, base: dict, model: Model) -> None:
    name = next(iter(entry))
    at = entry.loc_of_key(name) or at
    if name not in NAMES:
        _problem(model, base, at, f"{name} is not a SAM policy template")
        return
    definition = SES_TEMPLATES.get(name)
    if definition is None:
        return  # a template that grants no SES action
    given = entry[name]
    given = given if isinstance(given, dict) else {}
    missing = [p for p in definition["Parameters"] if p not in given]
    if missing:
        _problem(model, base, at, f"the SAM policy template {name} needs {', '.join(missing)}")
        return
    statements = resolver.resolve(_located(_put(definition["Statement"], given), at))
    document = LDict({"Statement": statements}, at, {"Statement": at})
    model.iam_policies.append(IamPolicy(**base, document=parse_document(document, at, base["file"]),
                                        value_locs={"policy": at}))


def _put(value: Any, given: dict) -> Any:
    """A template definition with each ``{"Ref": parameter}`` replaced by the value given."""
    if isinstance(value, dict):
        if set(value) == {"Ref"} and value["Ref"] in given:
            return given[value["Ref"]]
        return {k: _put(v, given) for k, v in value.items()}
    if isinstance(value, list):
        return [_put(v, given) for v in value]
    return value


def _located(value: Any, at: Location) -> Any:
    """The template's own data located at its name (the given values keep theirs)."""
    if isinstance(value, (LDict, LList, LStr, Unknown)):
        return value
    if isinstance(value, dict):
        return LDict({k: _located(v, at) for k, v in value.items()}, at, dict.fromkeys(value, at))
    if isinstance(value, list):
        return LList([_located(v, at) for v in value], at)
    if isinstance(value, str):
        return LStr(value, at)
    return value


def _problem(model: Model, base: dict, at: Location, message: str) -> None:
    model.problems.append(InputProblem(base["file"], f"{base['address']}: {message}", at.line, at.column,
                                       base["address"]))

"""A Serverless Framework service (``serverless.yml``, ``.yaml``, ``.json``)
into the model, as the CloudFormation stack it deploys.

A file is a service by its name and its content (a top-level ``service``).
What is read, once its variables are resolved (``analyzer.serverless.variables``):

* ``resources.Resources`` (and ``resources.Conditions``), the CloudFormation
  that Serverless adds to the stack, through the CloudFormation adapter;
  a reference to a resource Serverless generates (``HelloLambdaFunction``)
  is known after deployment, as for a template with a transform;
* ``provider.iam.role.statements``, and the older
  ``provider.iamRoleStatements``, as the inline policy of the Lambda
  execution role Serverless creates (``IamRoleLambdaExecution``), located
  at the statements, so SES110 judges them;
* ``provider.region`` (else ``us-east-1``) is ``AWS::Region``.

Not read: the resources Serverless generates for functions and events,
``provider.iam.role.managedPolicies`` and a role given by ARN or name,
``resources.extensions``, plugins; ``resources`` (or a fragment of them)
that come from a file (``${file(...)}``) are SES001, not read. The service is one deployment (kind
``serverless``); a file that cannot be read is SES001 with its line.
"""

from __future__ import annotations

import os
import re

from analyzer.cloudformation.adapter import adapt
from analyzer.cloudformation.intrinsics import Resolver
from analyzer.cloudformation.samconfig import partition_of
from analyzer.cloudformation.yaml_loader import YAMLLoadError, load_yaml
from analyzer.files import Limits
from analyzer.jsonloc import JSONLocError, loads
from analyzer.model import InputProblem, LDict, LList, Location, LStr, Model, Unknown, display, loc_of
from analyzer.serverless.variables import Variables

FILE_NAMES = ("serverless.yml", "serverless.yaml", "serverless.json")
ROLE = "IamRoleLambdaExecution"  # the logical id Serverless gives the functions' role
_SERVICE = re.compile(r"^[\"']?service[\"']?[ \t]*:|\"service\"\s*:", re.M)
_RESERVED = ("\ue000", "\ue001")  # the characters that mark unknown values inside strings


def is_service_name(path: str) -> bool:
    return os.path.basename(path) in FILE_NAMES


def looks_like_service(path: str, text: str) -> bool:
    """Whether ``text``, read from ``path``, is a Serverless Framework service."""
    return is_service_name(path) and bool(_SERVICE.search(text))


def load_service(shown: str, text: str, model: Model, limits: Limits = Limits()) -> None:
    """Add what the service ``text`` (shown as ``shown``) deploys to ``model``."""
    if any(c in text for c in _RESERVED):
        model.problems.append(InputProblem(shown, "the file contains the characters U+E000 or U+E001, "
                                                  "which sesguard reserves; not analyzed"))
        return
    try:
        if text.lstrip().startswith("{"):
            decoded = loads(text, shown, limits=limits)
        else:
            decoded = load_yaml(text, shown, limits)
    except YAMLLoadError as error:
        model.problems.append(InputProblem(shown, error.message, error.line, error.column))
        return
    except JSONLocError as error:
        model.problems.append(InputProblem(shown, f"JSON syntax error: {error.message}", error.line, error.column))
        return
    for key, loc in decoded.duplicates:
        model.problems.append(InputProblem(shown, f"the key {key!r} is written twice in the same mapping; "
                                                  "Serverless reads only the last", loc.line, loc.column))
    document = decoded.value
    if not isinstance(document, LDict) or "service" not in document:
        model.problems.append(InputProblem(shown, "a serverless file must be a mapping with a service"))
        return
    variables = Variables(document)
    template = _template(document, variables, shown, model)
    region = variables.resolve(LStr("${aws:region}", document.loc))
    given = {"AWS::Region": region, "AWS::Partition": partition_of(region)} if isinstance(region, str) else {}
    adapt(template, Resolver(template, given), shown, model)


def _template(document: LDict, variables: Variables, shown: str, model: Model) -> LDict:
    """The CloudFormation Serverless adds to the stack, as a template:
    ``resources`` is a mapping, or a list of fragments Serverless merges."""
    resources = variables.resolve(_get(document, "resources"))
    where = document.loc_of_key("resources") if "resources" in document else None
    fragments = resources if isinstance(resources, list) else [] if resources is None else [resources]
    declared = LDict((), where)
    conditions = LDict((), where)
    for fragment in fragments:
        at = loc_of(fragment, where) or Location(shown, 0, 0)
        if isinstance(fragment, Unknown):
            _unread(model, shown, at, "resources", fragment)
        elif not isinstance(fragment, dict):
            model.problems.append(InputProblem(shown, "resources must be a mapping (or a list of them)",
                                               at.line, at.column))
        else:
            for section, into in (("Resources", declared), ("Conditions", conditions)):
                value = fragment.get(section)
                if isinstance(value, Unknown):
                    _unread(model, shown, loc_of(value, at), f"resources.{section}", value)
                elif isinstance(value, dict):
                    into.update(value)
                    into.key_locs.update(getattr(value, "key_locs", {}))
                elif value is not None:
                    _problem(model, shown, fragment, section, f"resources.{section} must be a mapping")
    # "Transform": Serverless generates resources the template may refer to, as a transform does
    template = LDict({"Transform": "Serverless Framework", "Resources": declared}, document.loc)
    if conditions:
        template["Conditions"] = conditions
    role = _role(document, variables, shown, model)
    if role is not None and ROLE not in declared:
        declared[ROLE] = role
        declared.key_locs[ROLE] = role.loc
    return template


def _unread(model: Model, shown: str, at: Location, what: str, unknown: Unknown) -> None:
    model.problems.append(InputProblem(shown, f"{what} come from {display(unknown)}, which sesguard does not read; "
                                              "what they declare is not analyzed", at.line, at.column))


def _role(document: LDict, variables: Variables, shown: str, model: Model):
    """The execution role with the provider's IAM statements, or None."""
    provider = _get(document, "provider")
    if not isinstance(provider, LDict):
        return None
    found = []
    iam = provider.get("iam")
    role = iam.get("role") if isinstance(iam, LDict) else None
    if isinstance(role, LDict) and "statements" in role:
        found.append((role, "statements"))
    if "iamRoleStatements" in provider:
        found.append((provider, "iamRoleStatements"))
    policies = LList((), provider.loc)
    for parent, key in found:
        where = parent.loc_of_key(key)
        statements = variables.resolve(parent[key])
        if not isinstance(statements, list):
            _problem(model, shown, parent, key, f"{key} must be a list of IAM statements")
            continue
        document_ = LDict({"Version": "2012-10-17", "Statement": statements}, where,
                          {"Version": where, "Statement": where})
        policies.append(LDict({"PolicyName": LStr(key, where), "PolicyDocument": document_}, where,
                              {"PolicyName": where, "PolicyDocument": where}))
    if not policies:
        return None
    at = policies[0].loc
    return LDict({"Type": LStr("AWS::IAM::Role", at), "Properties": LDict({"Policies": policies}, at,
                                                                         {"Policies": at})}, at,
                 {"Type": at, "Properties": at})


def _get(mapping, key: str):
    return mapping.get(key) if isinstance(mapping, dict) else None


def _problem(model: Model, shown: str, parent, key: str, message: str) -> None:
    where = parent.loc_of_key(key) if isinstance(parent, LDict) else None
    where = where or Location(shown, 0, 0)
    model.problems.append(InputProblem(shown, message, where.line, where.column))

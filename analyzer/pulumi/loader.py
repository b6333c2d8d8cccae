"""Pulumi YAML programs (``Pulumi.yaml`` with ``runtime: yaml``) into the model.

Each stack (a ``Pulumi.<stack>.yaml`` next to the program) is one deployment
(kind ``pulumi``) named after its stack file, with the stack's ``config``
over the program's own ``config`` defaults; a program without a stack file
is one deployment with its defaults. What is read:

* ``resources`` of the types ``aws:ses:*``, ``aws:sesv2:*``, ``aws:iam:*``,
  ``aws:route53:Record`` and ``aws:route53:Zone`` that the AWS provider
  bridges from a Terraform resource sesguard reads (``aws:ses:IdentityPolicy``
  is ``aws_ses_identity_policy``): their properties, camelCase, are the
  Terraform arguments in snake_case, and go through the Terraform adapter's
  builders, so every rule applies unchanged. A resource is addressed as the
  Terraform resource it bridges, named by its Pulumi name
  (``aws_ses_identity_policy.open``);
* ``variables``, ``config`` values and ``${...}`` references, and the pure
  built-ins (``analyzer.pulumi.expressions``).

Not read: resources with ``get`` (existing resources), components and
``options``, a program in another file (``main``), and every other runtime
(their resources are in code). A file that cannot be read is SES001 with its
line; so is a reference to nothing.
"""

from __future__ import annotations

import glob
import os
import re
from typing import Any, Optional

from analyzer.cloudformation.yaml_loader import YAMLLoadError, load_yaml
from analyzer.files import Limits, display, read_text
from analyzer.model import InputProblem, LDict, LList, Location, Model, Unknown, loc_of
from analyzer.policy.document import parse_document
from analyzer.pulumi.expressions import JSONText, Program, after_deployment, secret
from analyzer.terraform.adapter import (IDENTITY_TYPES, OTHER_TYPES, POLICY_TYPES, attach_users,
                                        build_identity, build_policy, read_attachment)
from analyzer.terraform.iam_types import ATTACHMENT_TYPES

PROGRAM_NAMES = ("Pulumi.yaml", "Pulumi.yml")
MODULES = ("ses", "sesv2", "iam", "route53")
_ROUTE53_TYPES = ("Record", "Zone")
_RUNTIME = re.compile(r"^runtime[ \t]*:[ \t]*[\"']?yaml\b|^runtime[ \t]*:[ \t]*\n[ \t]+name[ \t]*:[ \t]*[\"']?yaml\b",
                      re.M)
_CAMEL = re.compile(r"(?<=[a-z0-9])([A-Z])")
# Pulumi names some list blocks in the plural: (Terraform type, property) -> Terraform argument
_RENAMED = {("aws_iam_role", "inlinePolicies"): "inline_policy", ("aws_route53_record", "aliases"): "alias"}
# Pulumi types whose name is not the Terraform one's in CamelCase
_TYPES_RENAMED = {("ses", "MailFrom"): "aws_ses_domain_mail_from"}
_NOT_BLOCKS = ("policy", "tags", "tags_all")  # object-valued arguments that are not nested blocks
_READ = (IDENTITY_TYPES, POLICY_TYPES, OTHER_TYPES, ATTACHMENT_TYPES)


def is_program_name(path: str) -> bool:
    return os.path.basename(path) in PROGRAM_NAMES


def looks_like_program(path: str, text: str) -> bool:
    """Whether ``text``, read from ``path``, is a Pulumi YAML program."""
    return is_program_name(path) and bool(_RUNTIME.search(text))


def terraform_type(token: Any) -> Optional[str]:
    """The Terraform resource type a Pulumi AWS type token bridges, when sesguard reads it."""
    if not isinstance(token, str):
        return None
    parts = token.split(":")
    if len(parts) != 3 or parts[0] != "aws":
        return None
    module = parts[1].split("/", 1)[0]
    if module not in MODULES or module == "route53" and parts[2] not in _ROUTE53_TYPES:
        return None
    type_ = _TYPES_RENAMED.get((module, parts[2])) or f"aws_{module}_{_snake(parts[2])}"
    return type_ if any(type_ in types for types in _READ) else None


def stacks_of(path: str) -> list:
    """The stack files next to a program, by stack name."""
    directory = os.path.dirname(path)
    found = glob.glob(os.path.join(glob.escape(directory), "Pulumi.*.yaml"))
    found += glob.glob(os.path.join(glob.escape(directory), "Pulumi.*.yml"))
    return sorted(found)


def load_program(path: str, shown: str, text: str, model: Model, limits: Limits = Limits()) -> None:
    """Add what the program ``text`` declares, once per stack, to ``model``."""
    try:
        program = load_yaml(text, shown, limits).value
    except YAMLLoadError as error:
        model.problems.append(InputProblem(shown, error.message, error.line, error.column))
        return
    if not isinstance(program, LDict):
        model.problems.append(InputProblem(shown, "a Pulumi program must be a mapping"))
        return
    if "main" in program and "resources" not in program:
        where = program.loc_of_key("main")
        model.problems.append(InputProblem(shown, "the program is in the file main names, which sesguard does "
                                                  "not read", where.line, where.column))
        return
    project = str(program.get("name", ""))
    defaults = _project_config(program.get("config"), project, shown)
    stacks = stacks_of(path)
    if not stacks:
        deployment = model.deployment(shown, "pulumi")
        deployment.files.add(shown)
        _load_stack(program, project, "", defaults, shown, shown, model)
        return
    for stack_path in stacks:
        stack_shown = display(stack_path)
        deployment = model.deployment(stack_shown, "pulumi")
        deployment.files.update((shown, stack_shown))
        deployment.inputs.append(stack_shown)
        config = _stack_config(stack_path, stack_shown, project, model, limits)
        if config is None:
            continue
        name = os.path.basename(stack_path).split(".", 1)[1].rsplit(".", 1)[0]
        _load_stack(program, project, name, {**defaults, **config}, shown, stack_shown, model)


def _project_config(section: Any, project: str, shown: str) -> dict:
    """The defaults the program's own ``config`` gives."""
    values = {}
    for key, value in section.items() if isinstance(section, dict) else ():
        name = _config_key(str(key), project)
        if isinstance(value, dict):
            if "value" in value:
                values[name] = value["value"]
            elif "default" in value:
                values[name] = value["default"]
            else:
                values[name] = Unknown(name, "variable", loc_of(value),
                                       hint=f"the configuration value {name} has no default and no stack sets it")
        else:
            values[name] = value
    return values


def _stack_config(path: str, shown: str, project: str, model: Model, limits: Limits) -> Optional[dict]:
    text, problem = read_text(path, limits)
    if problem:
        model.problems.append(InputProblem(shown, problem))
        return None
    try:
        stack = load_yaml(text, shown, limits).value
    except YAMLLoadError as error:
        model.problems.append(InputProblem(shown, error.message, error.line, error.column))
        return None
    section = stack.get("config") if isinstance(stack, dict) else None
    values = {}
    for key, value in section.items() if isinstance(section, dict) else ():
        name = _config_key(str(key), project)
        values[name] = secret(name, loc_of(value)) if isinstance(value, dict) and "secure" in value else value
    return values


def _config_key(key: str, project: str) -> str:
    return key.split(":", 1)[1] if project and key.startswith(project + ":") else key


def _load_stack(program: LDict, project: str, stack: str, config: dict, shown: str, context: str,
                model: Model) -> None:
    resources = program.get("resources") if isinstance(program.get("resources"), dict) else LDict()
    variables = program.get("variables") if isinstance(program.get("variables"), dict) else {}
    declared = {name: r for name, r in resources.items() if isinstance(r, dict) and "get" not in r}
    busy: set = set()

    def resource_ref(name: str, path: list, loc: Location) -> Any:
        resource = declared.get(name)
        type_ = terraform_type(resource.get("type")) if resource else None
        address = f"{type_}.{name}" if type_ else name
        if not path:
            return after_deployment(f"{address}.id", f"{name} (its id)", loc)
        unknown = after_deployment(address + "".join(f"[{p}]" if isinstance(p, int) else f".{_snake(p)}"
                                                     for p in path), f"{name}.{_path(path)}", loc)
        properties = resource.get("properties") if resource else None
        head = path[0]
        if not isinstance(properties, dict) or head not in properties or (name, head) in busy:
            return unknown
        busy.add((name, head))
        try:
            value = evaluator.evaluate(properties[head])
        finally:
            busy.discard((name, head))
        for step in path[1:]:
            if isinstance(value, dict) and step in value or isinstance(value, list) and isinstance(
                    step, int) and step < len(value):
                value = value[step]
            else:
                return unknown
        return value

    evaluator = Program(variables, config, stack, project, resources, resource_ref)
    reader = _Reader(shown, context, model, evaluator)
    for name, resource in resources.items():
        reader.resource(str(name), resource, resources.loc_of_key(name) or Location(shown, 0, 0))
    reader.finish()
    for message, loc in evaluator.problems:
        model.problems.append(InputProblem(shown, message, loc.line if loc else 0, loc.column if loc else 0))


class _Reader:
    """The model objects of one stack's resources."""

    def __init__(self, shown: str, context: str, model: Model, evaluator: Program):
        self.shown = shown
        self.context = context
        self.model = model
        self.evaluator = evaluator
        self.identities: list = []
        self.policies: list = []
        self.iam_policies: list = []
        self.attachments: list = []

    def resource(self, name: str, resource: Any, loc: Location) -> None:
        if not isinstance(resource, dict) or "type" not in resource:
            self.model.problems.append(InputProblem(self.shown, f"resource {name} has no type", loc.line, loc.column))
            return
        type_ = terraform_type(resource.get("type"))
        if type_ is None or "get" in resource:
            return
        raw = resource.get("properties")
        properties = self.evaluator.evaluate(raw) if isinstance(raw, dict) else LDict()
        arguments = _Arguments(type_, properties, raw if isinstance(raw, LDict) else LDict(), loc)
        common = dict(address=f"{type_}.{name}", loc=loc, file=self.shown, source_format="pulumi",
                      context=self.context)
        if type_ in IDENTITY_TYPES:
            self.identities.append(build_identity(type_, arguments.argument, arguments.location, **common))
        elif type_ in POLICY_TYPES:
            self.policies.append(build_policy(type_, arguments.argument, arguments.location, self._parse, **common))
        elif type_ in ATTACHMENT_TYPES:
            self.attachments.append(read_attachment(type_, arguments.argument))
        else:
            build, collection = OTHER_TYPES[type_]
            items = build(type_, arguments.argument, arguments.location, parse=self._parse, **common)
            getattr(self.model, collection).extend(items)
            if collection == "iam_policies":
                self.iam_policies.extend(items)

    def finish(self) -> None:
        self.model.identities.extend(self.identities)
        self.model.identity_policies.extend(self.policies)
        attach_users(self.iam_policies, self.attachments)
        self.model.link_identities()

    def _parse(self, policy: Any, loc: Location):
        if isinstance(policy, JSONText):
            return parse_document(policy.value, loc, self.shown)
        return parse_document(policy, loc, self.shown)


class _Arguments:
    """A resource's evaluated properties as the Terraform builders read arguments."""

    def __init__(self, type_: str, properties: LDict, raw: LDict, loc: Location):
        self.values: dict = {}
        self.locs: dict = {}
        for key, value in properties.items():
            name = _RENAMED.get((type_, key)) or _snake(str(key))
            self.values[name] = _argument(name, value)
            self.locs[name] = raw.loc_of_key(key) or loc
        self.loc = loc

    def argument(self, name: str) -> Any:
        return self.values.get(name)

    def location(self, name: str) -> Location:
        return self.locs.get(name) or self.loc


def _argument(name: str, value: Any) -> Any:
    """A property value as the Terraform argument: object keys in snake_case,
    a nested object (a block Pulumi flattens) as a one-block list."""
    if name in _NOT_BLOCKS:
        return value
    converted = _keys(value)
    if isinstance(converted, dict) and not isinstance(value, JSONText):
        return LList([converted], loc_of(value))
    return converted


def _keys(value: Any) -> Any:
    if isinstance(value, dict) and not isinstance(value, Unknown):
        key_locs = getattr(value, "key_locs", {})
        return LDict({_snake(str(k)): _argument(_snake(str(k)), v) if isinstance(v, dict) else _keys(v)
                      for k, v in value.items()}, loc_of(value),
                     {_snake(str(k)): key_locs[k] for k in value if k in key_locs})
    if isinstance(value, list):
        return LList([_keys(v) for v in value], loc_of(value))
    return value


def _path(path: list) -> str:
    return "".join(f"[{p}]" if isinstance(p, int) else f".{p}" for p in path).lstrip(".")


def _snake(name: str) -> str:
    return _CAMEL.sub(r"_\1", name).lower()


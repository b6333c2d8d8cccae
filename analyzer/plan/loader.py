"""Terraform plans (``terraform show -json tfplan``) into the normalized model.

A plan holds the values Terraform will apply, so its SES resources go
through the same mapping as the configuration's
(``analyzer.terraform.adapter``) with ``source_format = "plan"``:

* resources come from ``resource_changes`` (and from ``planned_values``
  for those without a change entry, as in a refresh-only plan); managed
  resources only, data sources are not SES resources;
* a resource whose every action is ``delete`` (or ``forget``) will not exist
  after apply and is left out; replacements (``delete`` + ``create``) are
  kept; Terraform's address (``module.mail["x"].aws_ses_identity_policy.p[0]``)
  is the model address;
* a value ``after_unknown`` marks becomes ``Unknown(AFTER_APPLY)`` named
  ``<address>.<argument>``;
* policies are final JSON strings, parsed by the shared policy code; the
  account an ``aws_caller_identity`` data source read is the owner, as that
  data source is in a configuration;
* a policy whose identity is unknown is linked to the identity resource its
  configuration expression references (``configuration`` gives each
  expression's ``references``);
* locations point into the plan file (the resource's entry, the ``policy``
  value); ``merge_plans_with_terraform`` moves them to the ``.tf`` when the
  configuration was scanned too.

Configuration sets, event destinations, receipt rules, notification topics
and the IAM policies and access keys the least-privilege rules read go
through the same shared builders; a BYODKIM private key counts as written
in the code only when the configuration gives it as a constant, as a plan
holds the key wherever it comes from.

A plan that is not valid JSON, has the wrong shape or an unsupported
``format_version`` is reported (SES001); reading one never raises.
"""

from __future__ import annotations

import os
import re
from typing import Any, Optional

from analyzer import jsonloc
from analyzer.files import Limits
from analyzer.model import (
    AFTER_APPLY,
    EVALUATION,
    UNRESOLVED,
    Identity,
    IdentityPolicy,
    InputProblem,
    LDict,
    Location,
    Model,
    Unknown,
    Value,
)
from analyzer.plan.merge import PlanOrigin, merge_plans_with_terraform
from analyzer.plan.values import PlannedValues, mark_owner, pin
from analyzer.policy.document import parse_document
from analyzer.terraform.adapter import (
    ATTACHMENT_TYPES,
    IDENTITY_TYPES,
    OTHER_TYPES,
    POLICY_TYPES,
    attach_users,
    build_identity,
    build_policy,
    read_attachment,
)

__all__ = ["looks_like_plan", "load_plan", "merge_plans_with_terraform"]

SUPPORTED_MAJOR = "1"
_GONE = {"delete", "forget"}  # actions after which the object is no longer managed here
_CALLER_IDENTITY = "aws_caller_identity"
_TYPES = (IDENTITY_TYPES, POLICY_TYPES, OTHER_TYPES, ATTACHMENT_TYPES)  # the resource types read

_OBJECT_START = re.compile(r"\s*\{")
_FORMAT_VERSION = re.compile(r'"format_version"\s*:')
_PLAN_SECTION = re.compile(r'"(?:planned_values|resource_changes)"\s*:')
_VERSION = re.compile(r"([0-9]+)\.[0-9]+")
_MODULE_STEP = re.compile(r'module\.([A-Za-z_][\w-]*)(?:\[(?:[0-9]+|"(?:[^"\\]|\\.)*")\])?(?:\.|$)')
_INSTANCE_KEY = re.compile(r'\[(?:[0-9]+|"(?:[^"\\]|\\.)*")\]')
_IDENTITY_REF = re.compile(r"((?:%s)\.[A-Za-z_][\w-]*)(%s)?(?:\.|$)"
                           % ("|".join(map(re.escape, IDENTITY_TYPES)), _INSTANCE_KEY.pattern))


def looks_like_plan(text: str) -> bool:
    """Whether ``text`` is a plan as ``terraform show -json`` writes it: a JSON
    object with ``format_version`` and ``planned_values`` or
    ``resource_changes`` (a state has ``values`` instead)."""
    return bool(_OBJECT_START.match(text) and _FORMAT_VERSION.search(text) and _PLAN_SECTION.search(text))


_TOO_DEEP = "the Terraform plan is nested too deeply to read; not analyzed"


def load_plan(path: str, shown: str, text: str, model: Model, limits: Limits = Limits()) -> None:
    """Add the SES resources the plan at ``path`` leaves in place to ``model``."""
    try:
        plan = jsonloc.loads(text, shown, limits=limits).value
    except jsonloc.JSONLocError as exc:
        model.problems.append(InputProblem(shown, f"cannot parse the Terraform plan: {exc.message}",
                                           exc.line, exc.column))
        return
    except RecursionError:  # a --max-depth raised beyond what Python's stack allows
        model.problems.append(InputProblem(shown, _TOO_DEEP))
        return
    try:
        _PlanReader(os.path.realpath(path), shown, model).read(plan)
    except RecursionError:
        model.problems.append(InputProblem(shown, _TOO_DEEP))


class _Shape(Exception):
    """A part of the plan without the shape Terraform writes."""

    def __init__(self, message: str, loc: Optional[Location]):
        super().__init__(message)
        self.message = message
        self.loc = loc


def _field(obj: LDict, key: str, kind: type, noun: str, required: bool = True) -> Any:
    """``obj[key]`` when it is a ``kind``; None when absent and not required."""
    value = obj.get(key)
    if value is None and not required:
        return None
    if not isinstance(value, kind) or isinstance(value, bool) and kind is not bool:
        raise _Shape(f"{key} must be {noun}", obj.key_locs.get(key) or obj.loc)
    return value


def _list(obj: LDict, key: str) -> list:
    return _field(obj, key, list, "a list", required=False) or []


def _object(value: Any, what: str, loc: Optional[Location]) -> LDict:
    if not isinstance(value, LDict):
        raise _Shape(f"{what} must be a JSON object", getattr(value, "loc", None) or loc)
    return value


class _Entry:
    """One managed SES resource instance of the plan."""

    def __init__(self, raw: LDict, module_address: str, values: Optional[PlannedValues]):
        self.address = str(raw["address"])
        self.type = str(raw["type"])
        self.name = str(raw["name"])
        self.module_address = module_address
        self.module_names = _module_names(module_address, raw.loc)
        self.values = values  # None when the resource will not exist after apply
        self.loc = raw.loc
        base = f"{module_address}.{self.type}.{self.name}".lstrip(".")
        self.key = self.address[len(base):]  # the instance key as written ("[0]", '["a"]'), or ""
        if not self.address.startswith(base) or self.key and not _INSTANCE_KEY.fullmatch(self.key):
            raise _Shape(f"address {self.address!r} is not {base!r} with an optional instance key",
                         raw.key_locs.get("address"))


class _PlanReader:
    """Reads one decoded plan into the model."""

    def __init__(self, path: str, shown: str, model: Model):
        self.path = path
        self.shown = shown
        self.model = model
        self.configuration: LDict = LDict()
        self.owners: dict = {}  # account id -> aws_caller_identity address

    def problem(self, message: str, loc: Optional[Location]) -> None:
        self.model.problems.append(InputProblem(self.shown, message, loc.line if loc else 1,
                                                loc.column if loc else 1))

    def read(self, plan: Any) -> None:
        if not isinstance(plan, LDict):
            self.problem("a Terraform plan must be a JSON object", getattr(plan, "loc", None))
            return
        try:
            self._check_version(plan)
            if plan.get("errored") is True:
                self.problem("Terraform reported errors while planning: the plan is incomplete, and SES "
                             "resources it does not hold were not analyzed", plan.key_locs.get("errored"))
            self.configuration = _field(plan, "configuration", LDict, "a JSON object", required=False) or LDict()
            self.owners = self._owners(plan)
            entries = self._entries(plan)
        except _Shape as shape:
            self.problem(f"not a valid Terraform plan: {shape.message}", shape.loc)
            return
        identities = [self._identity(e) for e in entries if e.type in IDENTITY_TYPES]
        known = {i.address for i in identities}
        policies = [self._policy(e, known) for e in entries if e.type in POLICY_TYPES]
        _link(identities, policies)
        self.model.identities.extend(identities)
        self.model.identity_policies.extend(policies)
        iam_policies = []
        for entry in entries:
            if entry.type in OTHER_TYPES:
                build, collection = OTHER_TYPES[entry.type]
                items = build(entry.type, entry.values.argument, entry.values.location, parse=self._parse,
                              **self._common(entry))
                getattr(self.model, collection).extend(items)
                if collection == "iam_policies":
                    iam_policies.extend(items)
                if collection == "notification_topics":
                    for topic in items:
                        topic.identity_address = topic.identity_address or _referenced_identity(
                            _references(self._expressions(entry).get("identity")), entry, known)
        attach_users(iam_policies, [self._attachment(e) for e in entries if e.type in ATTACHMENT_TYPES])

    def _check_version(self, plan: LDict) -> None:
        version = _field(plan, "format_version", str, "a string such as \"1.2\"")
        m = _VERSION.fullmatch(version)
        if not m:
            raise _Shape(f"format_version {version!r} is not a version such as \"1.2\"", version.loc)
        if m.group(1) != SUPPORTED_MAJOR:
            raise _Shape(f"format_version {version} is not supported (sesguard reads plan format "
                         f"{SUPPORTED_MAJOR}.x)", version.loc)

    # -- resources ------------------------------------------------------------

    def _entries(self, plan: LDict) -> list:
        """The SES resource instances that exist after apply, in plan order."""
        entries: dict = {}
        changes = _list(plan, "resource_changes")
        for raw in changes:
            entry = self._guarded("resource change", self._change, raw, getattr(changes, "loc", None))
            if entry is not None:
                entries[entry.address] = entry
        planned = _field(plan, "planned_values", LDict, "a JSON object", required=False)
        for module, raw in self._module_resources(planned, "planned_values", "root_module"):
            if raw.get("address") not in entries:
                entry = self._guarded("planned resource", self._planned, module, raw)
                if entry is not None:
                    entries[entry.address] = entry
        return [e for e in entries.values() if e.values is not None]

    def _guarded(self, what: str, read, *args) -> Optional[_Entry]:
        """``read(*args)``, or None with a problem when the entry has the wrong shape."""
        try:
            return read(*args)
        except _Shape as shape:
            self.problem(f"not a valid {what}: {shape.message}", shape.loc)
            return None

    def _change(self, raw: Any, fallback: Optional[Location]) -> Optional[_Entry]:
        """The entry of a resource change; its values are None when it will not exist after apply."""
        raw = _object(raw, "a resource change", fallback)
        if not _ses_managed(raw):
            return None
        module_address = _field(raw, "module_address", str, "a string", required=False) or ""
        change = _field(raw, "change", LDict, "a JSON object")
        actions = _field(change, "actions", list, "a list of actions")
        if not actions or not all(isinstance(a, str) for a in actions):
            raise _Shape("actions must be a non-empty list of strings", change.key_locs["actions"])
        if set(actions) <= _GONE:
            return _Entry(raw, module_address, None)
        after = _field(change, "after", LDict, "a JSON object (the planned values)")
        return _Entry(raw, module_address, PlannedValues(str(raw["address"]), after, change.get("after_unknown"),
                                                          False, raw.loc))

    def _planned(self, module: LDict, raw: LDict) -> Optional[_Entry]:
        """The entry of a resource in ``planned_values`` without a change."""
        if not _ses_managed(raw):
            return None
        module_address = _field(module, "address", str, "a string", required=False) or ""
        values = _field(raw, "values", LDict, "a JSON object")
        return _Entry(raw, module_address, PlannedValues(str(raw["address"]), values, None, True, raw.loc))

    def _module_resources(self, container: Optional[LDict], key: str, module_key: str):
        """``(module, resource)`` for every resource of a module tree
        (``planned_values`` or ``prior_state.values``), child modules included."""
        if container is None:
            return
        pending = [_field(container, module_key, LDict, "a JSON object", required=False) or LDict()]
        while pending:
            module = _object(pending.pop(), f"a module of {key}", container.loc)
            for raw in _list(module, "resources"):
                yield module, _object(raw, f"a resource of {key}", module.loc)
            pending.extend(reversed(_list(module, "child_modules")))

    def _owners(self, plan: LDict) -> dict:
        """Account id -> address, for each ``aws_caller_identity`` read while planning."""
        prior = _field(plan, "prior_state", LDict, "a JSON object", required=False)
        state = _field(prior, "values", LDict, "a JSON object", required=False) if prior else None
        owners = {}
        for _, raw in self._module_resources(state, "prior_state", "root_module"):
            values = raw.get("values")
            if raw.get("mode") == "data" and raw.get("type") == _CALLER_IDENTITY and isinstance(values, dict):
                account = values.get("account_id")
                if isinstance(account, str) and isinstance(raw.get("address"), str):
                    owners[str(account)] = str(raw["address"])
        return owners

    # -- model ----------------------------------------------------------------

    def _identity(self, entry: _Entry) -> Identity:
        identity = build_identity(entry.type, entry.values.argument, entry.values.location, **self._common(entry))
        if not identity.private_key_written.default and not self._key_is_constant(entry):
            unknown = Unknown(f"{entry.address}.dkim_signing_attributes.domain_signing_private_key", EVALUATION,
                              hint="the plan does not show where the private key comes from")
            identity.private_key_written = Value(UNRESOLVED, unknowns=(unknown,))
        return identity

    def _key_is_constant(self, entry: _Entry) -> bool:
        """Whether the configuration writes the BYODKIM private key as a
        constant: a plan holds the key wherever it comes from, so only a
        constant in the configuration is known to be written in the code."""
        blocks = self._expressions(entry).get("dkim_signing_attributes")
        block = blocks[0] if isinstance(blocks, list) and blocks and isinstance(blocks[0], dict) else {}
        expression = block.get("domain_signing_private_key")
        return isinstance(expression, dict) and "constant_value" in expression

    def _expressions(self, entry: _Entry) -> dict:
        """The configuration's expressions of a resource's arguments (empty when not given)."""
        config = self._resource_config(entry)
        expressions = config.get("expressions") if isinstance(config, dict) else None
        return expressions if isinstance(expressions, dict) else {}

    def _attachment(self, entry: _Entry):
        """An IAM policy attachment; an unknown policy ARN names the
        ``aws_iam_policy`` its configuration expression references."""
        attachment = read_attachment(entry.type, entry.values.argument)
        if isinstance(attachment.policy, Unknown):
            refs = _references(self._expressions(entry).get("policy_arn"))
            arn = next((r for r in refs if r.startswith("aws_iam_policy.") and r.endswith(".arn")), None)
            if arn is not None:
                attachment.policy = Unknown(f"{entry.module_address}.{arn}".lstrip("."), AFTER_APPLY)
        return attachment

    def _policy(self, entry: _Entry, known: set) -> IdentityPolicy:
        policy = build_policy(entry.type, entry.values.argument, entry.values.location, self._parse,
                              **self._common(entry))
        config = self._resource_config(entry)
        expressions = config.get("expressions") if isinstance(config, dict) else None
        expressions = expressions if isinstance(expressions, dict) else {}
        identity_argument = POLICY_TYPES[entry.type][0]
        policy.identity_address = _referenced_identity(
            _references(expressions.get(identity_argument)), entry, known)
        unknown = policy.document_unknown
        refs = _minimal(_references(expressions.get("policy")))
        if unknown is not None and refs:
            unknown.hint = f"{unknown.ref} is only known after apply (it depends on {', '.join(refs)})"
        return policy

    def _common(self, entry: _Entry) -> dict:
        names = entry.module_names
        return dict(address=entry.address, loc=entry.loc, file=self.shown, source_format="plan", context=self.shown,
                    origin=PlanOrigin(self.path, ".".join(names), self._module_dir(names)))

    def _parse(self, policy: Any, loc: Location):
        document = parse_document(str(policy) if isinstance(policy, str) else policy, None, self.shown)
        mark_owner(document, self.owners)
        pin(document, loc)
        return document

    # -- configuration --------------------------------------------------------

    def _calls(self, names: list) -> list:
        """The ``module_calls`` entries leading to the module ``names``
        (None for one the configuration does not describe)."""
        module, calls = self.configuration.get("root_module"), []
        for name in names:
            table = module.get("module_calls") if isinstance(module, dict) else None
            call = table.get(name) if isinstance(table, dict) else None
            calls.append(call if isinstance(call, dict) else None)
            module = call.get("module") if isinstance(call, dict) else None
        return calls

    def _module_dir(self, names: list) -> Optional[str]:
        """The directory of the module ``names`` leads to, relative to the root,
        when every call on the way has a local source."""
        sources = [call.get("source") if call else None for call in self._calls(names)]
        if not all(isinstance(s, str) and s.startswith(("./", "../")) for s in sources):
            return None
        return os.path.normpath(os.path.join(".", *sources))

    def _resource_config(self, entry: _Entry) -> Optional[dict]:
        """The resource's entry in ``configuration``, or None."""
        module = self.configuration.get("root_module")
        if entry.module_names:
            call = self._calls(entry.module_names)[-1]
            module = call.get("module") if call else None
        resources = module.get("resources") if isinstance(module, dict) else None
        for config in resources if isinstance(resources, list) else []:
            if isinstance(config, dict) and config.get("address") == f"{entry.type}.{entry.name}" \
                    and config.get("mode", "managed") == "managed":
                return config
        return None


def _ses_managed(raw: LDict) -> bool:
    """Whether a resource entry is a managed SES resource (after checking its shape)."""
    for key in ("address", "type", "name"):
        _field(raw, key, str, "a string")
    mode = _field(raw, "mode", str, "a string", required=False)
    return mode != "data" and any(raw["type"] in types for types in _TYPES)


def _module_names(module_address: str, loc: Optional[Location]) -> list:
    """``module.a["x"].module.b`` -> ``["a", "b"]``."""
    names, pos = [], 0
    while pos < len(module_address):
        m = _MODULE_STEP.match(module_address, pos)
        if not m:
            raise _Shape(f"module address {module_address!r} is not a Terraform module address", loc)
        names.append(m.group(1))
        pos = m.end()
    return names


def _references(expression: Any) -> list:
    refs = expression.get("references") if isinstance(expression, dict) else None
    return [str(r) for r in refs if isinstance(r, str)] if isinstance(refs, list) else []


def _minimal(refs: list) -> list:
    """The references that are not a prefix of a longer one Terraform lists
    with them (``a.b.arn`` and ``a.b`` -> ``a.b.arn``)."""
    return [r for r in dict.fromkeys(refs)
            if not any(o != r and o.startswith(r) and o[len(r)] in ".[" for o in refs)]


def _referenced_identity(refs: list, entry: _Entry, known: set) -> Optional[str]:
    """The address of the identity resource a policy's identity argument references.

    ``references`` names a resource without its instance key when the key is
    an expression (``aws_ses_domain_identity.d[each.key].arn`` lists
    ``aws_ses_domain_identity.d``): the instance with the policy's own key is
    taken then (the usual ``for_each``/``count`` pairing) if the plan has it.
    """
    for ref in refs:
        m = _IDENTITY_REF.match(ref)
        if m:
            base = f"{entry.module_address}.{m.group(1)}".lstrip(".")
            if m.group(2):
                return base + m.group(2)
            return next((a for a in (base + entry.key, base) if a in known), base)
    return None


def _link(identities: list, policies: list) -> None:
    """Name each policy's identity after the identity resource it references,
    when the plan does not give the name itself (it is known after apply)."""
    by_address = {i.address: i for i in identities}
    for policy in policies:
        identity = by_address.get(policy.identity_address or "")
        if identity is not None and isinstance(identity.name, str) and not isinstance(policy.identity, str):
            policy.identity = identity.name

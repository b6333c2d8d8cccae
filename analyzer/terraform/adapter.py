"""Terraform resources into the normalized model.

Walks a module instance and the instances of the module calls it makes,
turning SES resources (and the IAM resources that grant sending) into model
objects with their addresses, locations and active/inactive state.

The resource-type tables and the ``build_*`` functions are shared with the
plan loader (``analyzer.plan``): both read a resource through an
``argument(name)`` accessor that gives nested blocks as a plan writes them
(a list of objects), so a configuration and a plan of it become the same
model.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any, Callable, Optional

from analyzer.model import facts
from analyzer.model import (
    ERROR,
    AccessKey,
    ConfigurationSet,
    EventDestination,
    IamPolicy,
    Identity,
    IdentityPolicy,
    InputProblem,
    LDict,
    LList,
    Location,
    Model,
    ModuleNotAnalyzed,
    NotificationTopic,
    PolicyDocument,
    ReceiptRule,
    Unknown,
    display,
    documents_of,
    has_marker,
)
from analyzer.policy.document import parse_document
from analyzer.terraform.dns_records import DATA_ZONE_TYPES, DNS_TYPES, build_data_zone
from analyzer.terraform.functions import JsonText
from analyzer.terraform.iam_types import ACCESS_KEY_TYPE, ATTACHMENT_TYPES, IAM_POLICY_TYPES
from analyzer.terraform.eval_error import EvalError
from analyzer.terraform.evaluate import Scope
from analyzer.terraform.modules import OUTSIDE, ModuleInstance

# resource type -> (name argument, kind or None when the name decides)
IDENTITY_TYPES = {
    "aws_ses_domain_identity": ("domain", "domain"),
    "aws_ses_email_identity": ("email", "email"),
    "aws_sesv2_email_identity": ("email_identity", None),
}
# resource type -> (identity argument, policy name argument)
POLICY_TYPES = {
    "aws_ses_identity_policy": ("identity", "name"),
    "aws_sesv2_email_identity_policy": ("email_identity", "policy_name"),
}
# nested block of an event destination -> destination kind
DESTINATION_BLOCKS = {
    "cloudwatch_destination": "cloudwatch",
    "cloud_watch_destination": "cloudwatch",
    "kinesis_destination": "firehose",
    "kinesis_firehose_destination": "firehose",
    "sns_destination": "sns",
    "event_bridge_destination": "eventbridge",
    "pinpoint_destination": "pinpoint",
}
_SES_SOURCE = re.compile(r"(^|[/_.-])(ses|sesv2)([/_.-]|$)", re.I)
_ADDRESS_OF_REF = re.compile(r"^(.*?(?:aws_ses_domain_identity|aws_ses_email_identity|aws_sesv2_email_identity)"
                             r"\.[\w-]+(?:\[[^\]]*\])?)\.[\w-]+$")
_POLICY_OF_REF = re.compile(r"^(.*?aws_iam_policy\.[\w-]+(?:\[[^\]]*\])?)\.(?:arn|id)$")


def adapt(instance: ModuleInstance, model: Model, relevant: Callable[[str], bool]) -> None:
    """Add what ``instance`` and its relevant descendants declare to ``model``."""
    pending = [instance]
    while pending:
        current = pending.pop()
        model.modules += 1
        _identities(current, model)
        _policies(current, model)
        _others(current, model)
        _data_zones(current, model)
        for name in sorted(current.source.calls):
            children = current.children(name)
            if isinstance(children, Unknown):
                continue
            for _, child in children:
                if relevant(child.source.dir) or any(relevant(d) for d in child.downloaded_callees()):
                    pending.append(child)
        for address, source, why, loc in current.not_analyzed:
            model.not_analyzed.append(ModuleNotAnalyzed(
                address, source, why, loc, ses_related=bool(_SES_SOURCE.search(source)) and not why.endswith(OUTSIDE),
                context=current.deployment.name))
        current.not_analyzed.clear()
        model.problems.extend(p for p in current.problems if p not in model.problems)
        current.problems.clear()


def _instances(current: ModuleInstance, type_: str, name: str, kind: str = "resource"):
    """``(resource instance, the model Resource fields it shares)`` for each instance of a block."""
    for resource in current.resource_instances(kind, type_, name):
        yield resource, _state(current, resource.expansion)


def _state(current: ModuleInstance, expansion) -> dict:
    """Whether a resource exists with the values in use, why not, and what it depends on when unknown."""
    return {"active": current.active and expansion.active, "inactive_reason": current.reason or expansion.reason,
            "conditional": current.conditional or expansion.conditional, "context": current.deployment.name}


def _identities(current: ModuleInstance, model: Model) -> None:
    for (type_, name), (block, file) in current.source.resources.items():
        if type_ not in IDENTITY_TYPES:
            continue
        for resource, state in _instances(current, type_, name):
            identity = build_identity(
                type_, nested_reader(resource), _attribute_loc(block), address=resource.ref, loc=block.loc,
                file=file, **state)
            if identity.region is None and "provider" not in block.body.attributes:
                identity.region = _provider_region(current)
            _unevaluated_name(identity, current, model)
            model.identities.append(identity)


def _unevaluated_name(identity: Identity, current: ModuleInstance, model: Model) -> None:
    """An identity whose name failed to evaluate (``element([], 0)``, ``"${1/0}"``)
    no rule can judge: it is SES001 at the name, unless a problem already
    says why (an undeclared reference, where it is written), rather than vanish.
    An instance that may not exist (``count = 0``, an unknown ``count``) is
    evaluated with placeholders, so its errors say nothing of the input."""
    name, loc = identity.name, identity.where("name")
    if not isinstance(name, Unknown) or name.kind != ERROR or loc is None:
        return
    if not identity.active or identity.conditional:
        return
    places = {(loc.file, loc.line)} | ({(name.loc.file, name.loc.line)} if name.loc else set())
    if any((p.file, p.line) in places for p in current.problems + model.problems) \
            or places & current.loader.problem_places:
        return
    current.problems.append(InputProblem(loc.file, f"{identity.address}: the {identity.kind} of this identity could "
                                                   f"not be evaluated: {name.describe()}", loc.line, loc.column))


def _provider_region(current: ModuleInstance):
    """The Region of the default ``provider "aws"``: this module's, evaluated
    here; else the root module's, when written as a literal (a module
    inherits the root's default provider). None when neither says."""
    if "aws" in current.source.providers:
        block, file = current.source.providers["aws"]
        attribute = block.body.attributes.get("region")
        return current.evaluator.value(attribute.expr, current.scope(file)) if attribute else None
    root = current.loader.read_module(current.root_dir)
    if root is current.source or "aws" not in root.providers:
        return None
    attribute = root.providers["aws"][0].body.attributes.get("region")
    if attribute is None:
        return None
    value = current.evaluator.value(attribute.expr, Scope(_no_names, root.display_dir))
    return value if isinstance(value, str) else None


def _no_names(name, loc):
    raise EvalError(f"{name} is not known from here")


def _policies(current: ModuleInstance, model: Model) -> None:
    for (type_, name), (block, file) in current.source.resources.items():
        if type_ not in POLICY_TYPES:
            continue
        for resource, state in _instances(current, type_, name):
            model.identity_policies.append(build_policy(
                type_, resource.argument, _attribute_loc(block), _policy_parser(file), address=resource.ref,
                loc=block.loc, file=file, **state))


def _others(current: ModuleInstance, model: Model) -> None:
    """The resources of ``OTHER_TYPES``, then the users IAM attachments give policies."""
    attachments = []
    for (type_, name), (block, file) in current.source.resources.items():
        if type_ not in OTHER_TYPES and type_ not in ATTACHMENT_TYPES:
            continue
        for resource, state in _instances(current, type_, name):
            argument = nested_reader(resource)
            if type_ in ATTACHMENT_TYPES:
                attachments.append(read_attachment(type_, argument))
                continue
            build, collection = OTHER_TYPES[type_]
            getattr(model, collection).extend(build(
                type_, argument, _attribute_loc(block), parse=_policy_parser(file), address=resource.ref,
                loc=block.loc, file=file, **state))
    attach_users([p for p in model.iam_policies if p.context == current.deployment.name], attachments)


def _data_zones(current: ModuleInstance, model: Model) -> None:
    """Zones the module looks up: their names as configured (a data source's
    results are unknown, its arguments are not)."""
    for (type_, name), (block, file) in current.source.data.items():
        if type_ not in DATA_ZONE_TYPES:
            continue
        for resource, state in _instances(current, type_, name, "data"):
            scope = resource.expansion.scope

            def argument(argument_name, body=block.body, scope=scope):
                attribute = body.attributes.get(argument_name) if argument_name else None
                return current.evaluator.value(attribute.expr, scope) if attribute else None
            model.dns_zones.append(build_data_zone(type_, argument, address=resource.ref, loc=block.loc, file=file,
                                                   **state))


def nested_reader(resource):
    """``argument(name)`` of a configured resource instance: an attribute's
    value; nested blocks of that type (``dynamic`` ones expanded) as a list
    of objects, as a plan writes them; None when neither is written."""
    instance = resource.instance

    def blocks(body, block_type, scope):
        found = list(instance.expand_blocks(body, block_type, scope))
        if not found:
            return None
        return LList([block_object(block, inner) for block, inner in found], found[0][0].loc)

    def block_object(block, scope):
        obj = LDict(loc=block.loc)
        for name, attribute in block.body.attributes.items():
            obj[name] = instance.evaluator.value(attribute.expr, scope)
            obj.key_locs[name] = attribute.loc
        for child in block.body.blocks:
            child_type = child.labels[0] if child.type == "dynamic" and child.labels else child.type
            if child_type not in obj:
                obj[child_type] = blocks(block.body, child_type, scope) or LList(loc=child.loc)
                obj.key_locs[child_type] = child.loc
        return obj

    def argument(name):
        value = resource.argument(name)
        if value is None:
            value = blocks(resource.block.body, name, resource.expansion.scope)
        return value
    return argument


def _attribute_loc(block):
    """Where an argument of ``block`` is written, or the block when it is not."""
    def location(name: str) -> Location:
        attribute = block.body.attributes.get(name)
        return attribute.loc if attribute else block.loc
    return location


def _policy_parser(file: str):
    """Parses a policy value as the evaluator hands it over (JSON text, or a structure)."""
    def parse(policy, loc: Location) -> PolicyDocument:
        return parse_document(policy.value if isinstance(policy, JsonText) else policy, loc, file)
    return parse


def build_identity(type_: str, argument: Callable[[str], Any], location: Callable[[str], Location],
                   **resource) -> Identity:
    """The identity a resource of one of the ``IDENTITY_TYPES`` declares.

    Shared by every Terraform source (configuration and plan):
    ``argument(name)`` gives an argument's value (None when not set),
    ``location(name)`` where it is written; ``resource`` holds the
    ``Resource`` fields (address, loc, file, active, origin...).
    """
    name_argument, type_kind = IDENTITY_TYPES[type_]
    value = argument(name_argument)
    kind = type_kind or ("email" if isinstance(value, str) and "@" in value else "domain")
    settings, locs = {}, {}
    if type_ == "aws_sesv2_email_identity":
        settings, locs = _from_blocks(argument, location, {
            "configuration_set": ("configuration_set_name",),
            "private_key_written": ("dkim_signing_attributes", "domain_signing_private_key"),
            "dkim_selector": ("dkim_signing_attributes", "domain_signing_selector"),
            "dkim_key_length": ("dkim_signing_attributes", "next_signing_key_length"),
            "dkim_tokens": ("dkim_signing_attributes", "tokens")})  # known in a plan of a deployed identity
        settings["private_key_written"] = facts.private_key(settings["private_key_written"])
    region = argument("region")
    if region is not None:
        locs["region"] = location("region")
    locs["name"] = location(name_argument)
    return Identity(type=type_, name=value, kind=kind, value_locs=locs,
                    region=region, api="v2" if type_ == "aws_sesv2_email_identity" else "v1", **settings, **resource)


def build_policy(type_: str, argument: Callable[[str], Any], location: Callable[[str], Location],
                 parse: Callable[[Any, Location], PolicyDocument], **resource) -> IdentityPolicy:
    """The identity policy a resource of one of the ``POLICY_TYPES`` declares.

    As ``build_identity``; ``parse(policy, loc)`` turns the known value of
    the ``policy`` argument into a document. An unknown policy is kept as
    ``document_unknown``.
    """
    identity_argument, name_argument = POLICY_TYPES[type_]
    identity = argument(identity_argument)
    policy = argument("policy")
    policy_loc = location("policy")
    document, unknown, alternatives = documents_of(policy, lambda written: parse(written, policy_loc))
    return IdentityPolicy(type=type_, identity=_identity_name(identity),
                          identity_address=_identity_address(identity), policy_name=argument(name_argument),
                          document=document, document_unknown=unknown, alternatives=alternatives,
                          value_locs={"policy": policy_loc}, **resource)


def _identity_name(value):
    """The identity a policy names: a domain, an address, or an ARN's last part."""
    if isinstance(value, str) and not has_marker(value):
        if value.startswith("arn:") and ":identity/" in value:
            return value.split(":identity/", 1)[1]
        return value
    if isinstance(value, str):
        return display(value)
    return value


def _identity_address(value):
    if isinstance(value, Unknown):
        m = _ADDRESS_OF_REF.match(value.ref)
        if m:
            return m.group(1)
    return None


# ---------------------------------------------------------------------------
# Configuration sets, event destinations, receipt rules, notifications, IAM
# ---------------------------------------------------------------------------


def first_block(value: Any) -> Any:
    """A nested block written at most once: its object (a plan writes a list
    of one); None when absent; an unknown as it is."""
    if isinstance(value, list):
        return value[0] if value else None
    return value


def nested(value: Any, *path: str) -> tuple:
    """``(value, location)`` at ``path`` through single nested blocks; the
    value is None when absent, or the unknown that hides it."""
    where = None
    for key in path:
        value = first_block(value)
        if isinstance(value, Unknown):
            return value, where
        if not isinstance(value, dict):
            return None, where
        where = value.key_locs.get(key) if isinstance(value, LDict) else None
        value = value.get(key)
    return value, where


def _from_blocks(argument, location, specs: dict) -> tuple:
    """``(values, locations)`` of model fields read as ``specs`` says:
    field -> (argument, nested key...)."""
    values, locs = {}, {}
    for field_name, (name, *path) in specs.items():
        value = argument(name)
        where = location(name) if value is not None else None
        if path:
            value, inner = nested(value, *path)
            where = inner or where
        values[field_name] = value
        if where is not None and value is not None:
            locs[field_name] = where
    return values, locs


_CONFIGURATION_SET_FIELDS = {
    "aws_ses_configuration_set": {
        "name": ("name",), "tls_policy": ("delivery_options", "tls_policy"),
        "reputation_metrics": ("reputation_metrics_enabled",),
        "custom_redirect_domain": ("tracking_options", "custom_redirect_domain")},
    "aws_sesv2_configuration_set": {
        "name": ("configuration_set_name",), "tls_policy": ("delivery_options", "tls_policy"),
        "reputation_metrics": ("reputation_options", "reputation_metrics_enabled"),
        "custom_redirect_domain": ("tracking_options", "custom_redirect_domain"),
        "https_policy": ("tracking_options", "https_policy")},
}


# Every builder takes the resource type, ``argument(name)`` and ``location(name)``
# (see ``nested_reader``), ``parse`` (a policy value into a document) and the
# ``Resource`` fields, and returns the model objects the resource declares.


def build_configuration_set(type_, argument, location, parse=None, **resource) -> list:
    values, locs = _from_blocks(argument, location, _CONFIGURATION_SET_FIELDS[type_])
    return [ConfigurationSet(type=type_, value_locs=locs, **values, **resource)]


_EVENT_DESTINATION_FIELDS = {
    "aws_ses_event_destination": {
        "configuration_set": ("configuration_set_name",), "enabled": ("enabled",),
        "event_types": ("matching_types",)},
    "aws_sesv2_configuration_set_event_destination": {
        "configuration_set": ("configuration_set_name",), "enabled": ("event_destination", "enabled"),
        "event_types": ("event_destination", "matching_event_types")},
}


def build_event_destination(type_, argument, location, parse=None, **resource) -> list:
    """v1 arguments are the resource's own; v2 ones are in its ``event_destination`` block."""
    read, types_key = argument, "matching_types"
    if type_ == "aws_sesv2_configuration_set_event_destination":
        block, types_key = first_block(argument("event_destination")), "matching_event_types"
        read = (lambda name: block.get(name)) if isinstance(block, dict) else (lambda name: block)
    destinations = [k for key, k in DESTINATION_BLOCKS.items() if read(key) not in (None, [])]
    _, locs = _from_blocks(argument, location, _EVENT_DESTINATION_FIELDS[type_])
    return [EventDestination(type=type_, configuration_set=argument("configuration_set_name"),
                             enabled=read("enabled"), event_types=read(types_key),
                             destinations=list(dict.fromkeys(destinations)), value_locs=locs, **resource)]


def build_receipt_rule(type_, argument, location, parse=None, **resource) -> list:
    actions = argument("s3_action")
    s3_actions, locs = [], {}
    for action in actions if isinstance(actions, list) else ():
        if isinstance(action, dict):
            locs[f"s3_actions/{len(s3_actions)}"] = action.loc if isinstance(action, LDict) and action.loc \
                else location("s3_action")
            s3_actions.append({"bucket": action.get("bucket_name"), "kms_key_arn": action.get("kms_key_arn")})
    tls = argument("tls_policy")
    if tls is not None:
        locs["tls_policy"] = location("tls_policy")
    return [ReceiptRule(type=type_, name=argument("name"), tls_policy=tls, s3_actions=s3_actions, value_locs=locs,
                        **resource)]


def build_notification_topic(type_, argument, location, parse=None, **resource) -> list:
    identity = argument("identity")
    return [NotificationTopic(type=type_, identity=_identity_name(identity),
                              identity_address=_identity_address(identity),
                              notification_type=argument("notification_type"), **resource)]


def build_access_key(type_, argument, location, parse=None, **resource) -> list:
    return [AccessKey(type=type_, user=argument("user"), value_locs={"user": location("user")}, **resource)]


def build_iam_policies(type_, argument, location, parse=None, **resource) -> list:
    """The identity-based policies an IAM resource declares: its ``policy``,
    or each ``inline_policy`` block of a role."""
    user_argument = IAM_POLICY_TYPES[type_]
    users = [argument(user_argument)] if user_argument and argument(user_argument) is not None else []
    if type_ != "aws_iam_role":
        return [_iam_policy(type_, argument("policy"), location("policy"), parse, users, resource)]
    inline = argument("inline_policy")
    policies = []
    for block in inline if isinstance(inline, list) else ():
        if isinstance(block, dict) and block.get("policy") is not None:
            where = block.key_locs.get("policy") if isinstance(block, LDict) else None
            policies.append(_iam_policy(type_, block["policy"], where or location("inline_policy"), parse,
                                        users, resource))
    return policies


def _iam_policy(type_, policy, policy_loc, parse, users, resource) -> IamPolicy:
    document, unknown, alternatives = documents_of(policy, lambda written: parse(written, policy_loc))
    return IamPolicy(type=type_, document=document, document_unknown=unknown, alternatives=alternatives,
                     value_locs={"policy": policy_loc}, users=list(users), **resource)


@dataclass
class PolicyAttachment:
    """An IAM policy attached to users: ``policy`` is the policy ARN as
    written (an unknown referencing ``aws_iam_policy.<name>.arn``, or text)."""

    policy: Any
    users: list


def read_attachment(type_: str, argument: Callable[[str], Any]) -> PolicyAttachment:
    name, is_list = ATTACHMENT_TYPES[type_]
    users = argument(name)
    if not is_list:
        users = [users] if users is not None else []
    return PolicyAttachment(argument("policy_arn"), list(users) if isinstance(users, list) else [])


def policy_address(value: Any) -> Optional[str]:
    """The address of the ``aws_iam_policy`` an ARN value references."""
    if isinstance(value, Unknown):
        m = _POLICY_OF_REF.match(value.ref)
        if m:
            return m.group(1)
    return None


def attach_users(policies: list, attachments: list) -> None:
    """Add the users each attachment names to the policy it attaches."""
    by_address = {p.address: p for p in policies}
    for attachment in attachments:
        policy = by_address.get(policy_address(attachment.policy) or "")
        if policy is not None:
            policy.users.extend(attachment.users)


# resource type -> (builder, model collection); each builder returns a list
OTHER_TYPES = {
    "aws_ses_configuration_set": (build_configuration_set, "configuration_sets"),
    "aws_sesv2_configuration_set": (build_configuration_set, "configuration_sets"),
    "aws_ses_event_destination": (build_event_destination, "event_destinations"),
    "aws_sesv2_configuration_set_event_destination": (build_event_destination, "event_destinations"),
    "aws_ses_receipt_rule": (build_receipt_rule, "receipt_rules"),
    "aws_ses_identity_notification_topic": (build_notification_topic, "notification_topics"),
    ACCESS_KEY_TYPE: (build_access_key, "access_keys"),
    **{type_: (build_iam_policies, "iam_policies") for type_ in IAM_POLICY_TYPES},
    **DNS_TYPES,
}

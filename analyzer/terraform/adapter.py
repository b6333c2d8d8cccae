"""Terraform resources into the normalized model.

Walks a module instance and the instances of the module calls it makes,
turning SES resources into ``Identity`` and ``IdentityPolicy`` objects with
their addresses, locations and active/inactive state.

The resource-type tables and ``build_identity`` / ``build_policy`` are
shared with the plan loader (``analyzer.plan``): both read a resource
through an ``argument(name)`` accessor, so a configuration and a plan of it
become the same model.
"""

from __future__ import annotations

import re
from typing import Any, Callable

from analyzer.model import (
    Identity,
    IdentityPolicy,
    Location,
    Model,
    ModuleNotAnalyzed,
    PolicyDocument,
    Unknown,
    display,
    has_marker,
)
from analyzer.policy.document import parse_document
from analyzer.terraform.functions import JsonText
from analyzer.terraform.modules import ModuleInstance

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
_SES_SOURCE = re.compile(r"(^|[/_.-])(ses|sesv2)([/_.-]|$)", re.I)
_ADDRESS_OF_REF = re.compile(r"^(.*?(?:aws_ses_domain_identity|aws_ses_email_identity|aws_sesv2_email_identity)"
                             r"\.[\w-]+(?:\[[^\]]*\])?)\.[\w-]+$")


def adapt(instance: ModuleInstance, model: Model, relevant: Callable[[str], bool]) -> None:
    """Add what ``instance`` and its relevant descendants declare to ``model``."""
    pending = [instance]
    while pending:
        current = pending.pop()
        model.modules += 1
        _identities(current, model)
        _policies(current, model)
        for name in sorted(current.source.calls):
            children = current.children(name)
            if isinstance(children, Unknown):
                continue
            for _, child in children:
                if relevant(child.source.dir) or any(relevant(d) for d in child.downloaded_callees()):
                    pending.append(child)
        for address, source, why, loc in current.not_analyzed:
            model.not_analyzed.append(ModuleNotAnalyzed(
                address, source, why, loc, ses_related=bool(_SES_SOURCE.search(source))
                or why.startswith("its source") and "outside" in why))
        current.not_analyzed.clear()


def _instances(current: ModuleInstance, type_: str, name: str):
    for resource in current.resource_instances("resource", type_, name):
        active = current.active and resource.expansion.active
        reason = current.reason or resource.expansion.reason
        yield resource, active, reason


def _identities(current: ModuleInstance, model: Model) -> None:
    for (type_, name), (block, file) in current.source.resources.items():
        if type_ not in IDENTITY_TYPES:
            continue
        for resource, active, reason in _instances(current, type_, name):
            model.identities.append(build_identity(
                type_, resource.argument, _attribute_loc(block), address=resource.ref, loc=block.loc,
                file=file, active=active, inactive_reason=reason))


def _policies(current: ModuleInstance, model: Model) -> None:
    for (type_, name), (block, file) in current.source.resources.items():
        if type_ not in POLICY_TYPES:
            continue
        for resource, active, reason in _instances(current, type_, name):
            model.identity_policies.append(build_policy(
                type_, resource.argument, _attribute_loc(block), _policy_parser(file), address=resource.ref,
                loc=block.loc, file=file, active=active, inactive_reason=reason))


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
                   cls=Identity, **resource) -> Identity:
    """The identity a resource of one of the ``IDENTITY_TYPES`` declares.

    Shared by every Terraform source (configuration and plan):
    ``argument(name)`` gives an argument's value (None when not set),
    ``location(name)`` where it is written; ``resource`` holds the
    ``Resource`` fields (address, loc, file, active...) and ``cls`` is
    ``Identity`` or a subclass of it.
    """
    name_argument, type_kind = IDENTITY_TYPES[type_]
    value = argument(name_argument)
    kind = type_kind or ("email" if isinstance(value, str) and "@" in value else "domain")
    return cls(type=type_, name=value, kind=kind, name_loc=location(name_argument), **resource)


def build_policy(type_: str, argument: Callable[[str], Any], location: Callable[[str], Location],
                 parse: Callable[[Any, Location], PolicyDocument], cls=IdentityPolicy,
                 **resource) -> IdentityPolicy:
    """The identity policy a resource of one of the ``POLICY_TYPES`` declares.

    As ``build_identity``; ``parse(policy, loc)`` turns the known value of
    the ``policy`` argument into a document. An unknown policy is kept as
    ``document_unknown``.
    """
    identity_argument, name_argument = POLICY_TYPES[type_]
    identity = argument(identity_argument)
    policy = argument("policy")
    policy_loc = location("policy")
    document, unknown = None, None
    if isinstance(policy, Unknown):
        unknown = policy
    elif policy is not None:
        document = parse(policy, policy_loc)
    return cls(type=type_, identity=_identity_name(identity), identity_address=_identity_address(identity),
               policy_name=argument(name_argument), document=document, document_unknown=unknown,
               policy_loc=policy_loc, **resource)


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


def link_identities(model: Model) -> None:
    """Resolve each policy's identity from the identity resource it references."""
    by_address = {i.address: i for i in model.identities}
    for policy in model.identity_policies:
        identity = by_address.get(policy.identity_address or "")
        if identity is not None and isinstance(identity.name, str):
            policy.identity = identity.name

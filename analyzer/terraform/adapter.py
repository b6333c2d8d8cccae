"""Terraform resources into the normalized model.

Walks a module instance and the instances of the module calls it makes,
turning SES resources into ``Identity`` and ``IdentityPolicy`` objects with
their addresses, locations and active/inactive state.
"""

from __future__ import annotations

import re
from typing import Callable

from analyzer.model import (
    Identity,
    IdentityPolicy,
    Model,
    ModuleNotAnalyzed,
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
        argument, type_kind = IDENTITY_TYPES[type_]
        for resource, active, reason in _instances(current, type_, name):
            value = resource.argument(argument)
            attribute = block.body.attributes.get(argument)
            kind = type_kind or ("email" if isinstance(value, str) and "@" in value else "domain")
            model.identities.append(Identity(
                address=resource.ref, type=type_, loc=block.loc, file=file, active=active,
                inactive_reason=reason, name=value, kind=kind,
                name_loc=attribute.loc if attribute else block.loc))


def _policies(current: ModuleInstance, model: Model) -> None:
    for (type_, name), (block, file) in current.source.resources.items():
        if type_ not in POLICY_TYPES:
            continue
        identity_argument, name_argument = POLICY_TYPES[type_]
        policy_attribute = block.body.attributes.get("policy")
        for resource, active, reason in _instances(current, type_, name):
            identity = resource.argument(identity_argument)
            policy = resource.argument("policy")
            document, unknown = None, None
            policy_loc = policy_attribute.loc if policy_attribute else block.loc
            if isinstance(policy, Unknown):
                unknown = policy
            elif policy is not None:
                document = parse_document(policy.value if isinstance(policy, JsonText) else policy,
                                          policy_loc, file)
            model.identity_policies.append(IdentityPolicy(
                address=resource.ref, type=type_, loc=block.loc, file=file, active=active,
                inactive_reason=reason, identity=_identity_name(identity),
                identity_address=_identity_address(identity),
                policy_name=resource.argument(name_argument), document=document,
                document_unknown=unknown, policy_loc=policy_loc))


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

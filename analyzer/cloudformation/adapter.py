"""A template's SES resources, and the IAM resources that grant sending
(policies, the ``Policies`` of roles, users and groups, access keys), into
the normalized model.

Every resource becomes a model object named by its logical id, located at
the line of that id, with ``source_format="cloudformation"``. A resource
whose ``Condition`` is false with the values in use is inactive, and the
reason names the parameters that made it so; one whose ``Condition`` is not
known is judged, its findings marked conditional on it. The suppressions written in a
resource's ``Metadata: {sesguard: {ignore: [...]}}`` are read for any type.
A property that cannot be evaluated because it is wrong (``Unknown(ERROR)``)
is reported as an input problem; an identity policy's document is judged by
the rules instead, which report such errors when a verdict depends on them.
"""

from __future__ import annotations

import json
import re
from typing import Any

from analyzer.cloudformation.intrinsics import Resolver, conditions, present, text
from analyzer.cloudformation.policies import add_policies, is_custom
from analyzer.cloudformation.sam import FUNCTION_TYPE, function_policies, globals_problems
from analyzer.policy.document import parse_document
from analyzer.cloudformation import dns_records
from analyzer.model import facts
from analyzer.model import (
    AFTER_APPLY,
    ERROR,
    AccessKey,
    ConfigurationSet,
    DnsRecord,
    DnsZone,
    EventDestination,
    IamPolicy,
    Identity,
    InputProblem,
    LDict,
    Location,
    Model,
    ReceiptRule,
    Unknown,
    display,
    documents_of,
    loc_of,
    split_marked,
    unknowns_in,
    whole,
)
from analyzer.suppress import Suppression

_RULE_ID = re.compile(r"SES\d{3}")

# EventDestination property -> destination kind
DESTINATIONS = {
    "CloudWatchDestination": "cloudwatch",
    "KinesisFirehoseDestination": "firehose",
    "SnsDestination": "sns",
    "EventBridgeDestination": "eventbridge",
}


def _no_type(resource) -> str:
    """What is wrong with a resource's Type that is not a string."""
    written = isinstance(resource, dict) and resource.get("Type") is not None
    return "has a Type that is not a string" if written else "has no Type"


def adapt(template: LDict, resolver: Resolver, file: str, model: Model) -> None:
    """Add the SES resources of ``template`` (already checked to be a mapping) to ``model``."""
    resources = template.get("Resources")
    globals_problems(template, file, model)
    for logical_id, resource in resources.items():
        if logical_id.startswith("Fn::ForEach::"):
            continue  # a loop of the LanguageExtensions transform, expanded only at deployment
        key_loc = resources.loc_of_key(logical_id)
        loc = Location(file, key_loc.line, key_loc.column) if key_loc else Location(file, 0, 0)
        type_ = resource.get("Type") if isinstance(resource, dict) else None
        if not isinstance(type_, str):
            model.problems.append(InputProblem(file, f"resource {logical_id} {_no_type(resource)}", loc.line,
                                               loc.column, logical_id))
            continue
        _suppressions(logical_id, resource, loc, model)
        build = _BUILDERS.get(type_)
        if build is None and not is_custom(type_) and type_ != FUNCTION_TYPE:
            continue
        active, reason, conditional = _state(resolver, logical_id, resource, loc, model)
        base = dict(address=logical_id, type=type_, loc=loc, file=file, active=active,
                    inactive_reason=reason, conditional=conditional, source_format="cloudformation", context=file)
        if type_ == FUNCTION_TYPE:
            function_policies(resolver, logical_id, base, model)
            continue
        if build is None:
            first = len(model.identity_policies)
            add_policies(resolver, logical_id, base, model)
            for policy in model.identity_policies[first:]:
                _report_errors(policy, [policy.identity, policy.policy_name], model)
            continue
        for item in build(base, resolver.properties(logical_id)):
            _report_errors(item, [v for k, v in vars(item).items() if k not in _NOT_VALUES], model)
            getattr(model, _COLLECTIONS[type(item)]).append(item)
    _attach_managed_policies(resources, resolver, file, model)


def _state(resolver: Resolver, logical_id: str, resource: dict, loc: Location, model: Model) -> tuple:
    """``(active, inactive reason, conditional)`` of a resource, from its
    ``Condition``: inactive when it is false; when it is not known, active
    and ``conditional`` saying what whether it exists depends on."""
    name = resource.get("Condition")
    if name is None:
        return True, "", ""
    value = resolver.condition(name, loc_of(name, loc))
    if value is False:
        inputs = resolver.condition_inputs(name)
        values = ", ".join(f"{key} = {json.dumps(_plain(v), ensure_ascii=False)}" for key, v in inputs.items())
        return False, f"Condition {name} is false" + (f" while {values}" if values else ""), ""
    if isinstance(value, Unknown) and value.kind == ERROR:
        where = value.loc or loc
        model.problems.append(InputProblem(loc.file, f"{logical_id}: {value.ref}", where.line, where.column,
                                           logical_id))
    elif isinstance(value, Unknown):
        return True, "", f"whether it exists depends on its Condition {display(name)}, which is not known: " \
                         f"{value.describe()}"
    return True, "", ""


def _suppressions(logical_id: str, resource: dict, loc: Location, model: Model) -> None:
    """The suppressions in ``Metadata: {sesguard: {ignore: [{id, reason, until}]}}``."""
    entries = _get(resource, "Metadata", "sesguard", "ignore")
    if entries is None:
        return
    for entry in entries if isinstance(entries, list) else [entries]:
        where = loc_of(entry, loc_of(entries, loc))
        ids = _get(entry, "id")
        rule_ids = tuple(i.strip() for i in ids.split(",")) if isinstance(ids, str) else ()
        if not rule_ids or not all(_RULE_ID.fullmatch(i) for i in rule_ids):
            model.problems.append(InputProblem(
                loc.file, f"{logical_id}: a sesguard ignore entry in Metadata must be "
                          "{id: SES101, reason: ..., until: YYYY-MM-DD}", where.line, where.column, logical_id))
            continue
        reason, until = _get(entry, "reason"), _get(entry, "until")
        model.suppressions.append(Suppression(
            Location(loc.file, where.line, where.column), rule_ids, "" if reason is None else text(reason).strip(),
            "" if until is None else text(until), address=logical_id, style="metadata"))


def _located(properties: Any, fields: dict) -> dict:
    """``value_locs`` for the model fields at the given property paths (the written ones)."""
    locs = {}
    for name, path in fields.items():
        parent = _get(properties, *path[:-1])
        if isinstance(parent, LDict) and path[-1] in parent:
            locs[name] = parent.loc_of_key(path[-1])
    return locs


def _identity(base: dict, properties: Any) -> list:
    name = _get(properties, "EmailIdentity")
    return [Identity(
        **base, name=name, kind=_identity_kind(name), api="v2",
        value_locs={"name": _key_loc(properties, "EmailIdentity", base["loc"]), **_located(properties, {
            "configuration_set": ("ConfigurationSetAttributes", "ConfigurationSetName"),
            "private_key_written": ("DkimSigningAttributes", "DomainSigningPrivateKey"),
            "dkim_signing": ("DkimAttributes", "SigningEnabled"),
            "dkim_key_length": ("DkimSigningAttributes", "NextSigningKeyLength"),
            "mail_from_domain": ("MailFromAttributes", "MailFromDomain"),
            "mail_from_mx_failure": ("MailFromAttributes", "BehaviorOnMxFailure")})},
        dkim_signing=_get(properties, "DkimAttributes", "SigningEnabled"),
        dkim_key_length=_get(properties, "DkimSigningAttributes", "NextSigningKeyLength"),
        dkim_selector=_get(properties, "DkimSigningAttributes", "DomainSigningSelector"),
        private_key_written=facts.private_key(_get(properties, "DkimSigningAttributes", "DomainSigningPrivateKey")),
        mail_from_domain=_get(properties, "MailFromAttributes", "MailFromDomain"),
        mail_from_mx_failure=_get(properties, "MailFromAttributes", "BehaviorOnMxFailure"),
        configuration_set=_get(properties, "ConfigurationSetAttributes", "ConfigurationSetName"),
        feedback_forwarding=_get(properties, "FeedbackAttributes", "EmailForwardingEnabled"))]


_CONFIGURATION_SET_FIELDS = {
    "name": ("Name",),
    "tls_policy": ("DeliveryOptions", "TlsPolicy"),
    "reputation_metrics": ("ReputationOptions", "ReputationMetricsEnabled"),
    "custom_redirect_domain": ("TrackingOptions", "CustomRedirectDomain"),
    "https_policy": ("TrackingOptions", "HttpsPolicy"),
}


def _configuration_set(base: dict, properties: Any) -> list:
    return [ConfigurationSet(**base, **{name: _get(properties, *path) for name, path in
                                        _CONFIGURATION_SET_FIELDS.items()},
                             value_locs=_located(properties, _CONFIGURATION_SET_FIELDS))]


def _event_destination(base: dict, properties: Any) -> list:
    destination = _get(properties, "EventDestination")
    kinds = [kind for key, kind in DESTINATIONS.items() if isinstance(destination, dict) and key in destination]
    return [EventDestination(
        **base, configuration_set=_get(properties, "ConfigurationSetName"),
        enabled=_get(destination, "Enabled"), event_types=_get(destination, "MatchingEventTypes"),
        value_locs=_located(properties, {"configuration_set": ("ConfigurationSetName",),
                                         "enabled": ("EventDestination", "Enabled"),
                                         "event_types": ("EventDestination", "MatchingEventTypes")}),
        destinations=kinds)]


def _receipt_rule(base: dict, properties: Any) -> list:
    actions = _get(properties, "Rule", "Actions")
    s3_actions, locs = [], _located(properties, {"tls_policy": ("Rule", "TlsPolicy")})
    for action in actions if isinstance(actions, list) else ():
        s3 = _get(action, "S3Action")
        if s3 is not None:
            locs[f"s3_actions/{len(s3_actions)}"] = _key_loc(action, "S3Action", base["loc"])
            s3_actions.append({"bucket": _get(s3, "BucketName"), "kms_key_arn": _get(s3, "KmsKeyArn")})
    return [ReceiptRule(**base, name=_get(properties, "Rule", "Name"), tls_policy=_get(properties, "Rule", "TlsPolicy"),
                        s3_actions=s3_actions, value_locs=locs)]


def _iam_policies(base: dict, properties: Any) -> list:
    """The identity-based policies of an IAM resource: the ``PolicyDocument``
    of a policy, each of the ``Policies`` of a role, user or group. A user's
    own policies apply to it (named by its logical id, as ``!Ref`` gives it)."""
    users = _get(properties, "Users")
    users = list(users) if isinstance(users, list) else []
    if base["type"] == "AWS::IAM::User":
        users = [Unknown(base["address"], AFTER_APPLY)]
    if base["type"] in ("AWS::IAM::Policy", "AWS::IAM::ManagedPolicy"):
        documents = [(_get(properties, "PolicyDocument"), _key_loc(properties, "PolicyDocument", base["loc"]), ())]
    else:
        policies, listed = present(_get(properties, "Policies"), "Policies property")
        documents = []
        for item in policies if isinstance(policies, list) else ():
            policy, declared = present(item, "policy")
            documents.append((_get(policy, "PolicyDocument"), _key_loc(policy, "PolicyDocument", base["loc"]),
                              (listed, declared)))
    found = []
    for written, where, declared_by in documents:
        document, declared = present(written, "PolicyDocument")
        parsed, unknown, alternatives = documents_of(document, lambda text: parse_document(text, where, base["file"]))
        conditional = conditions(base["conditional"], *declared_by, declared)
        found.append(IamPolicy(**{**base, "conditional": conditional}, document=parsed, document_unknown=unknown,
                               alternatives=alternatives, value_locs={"policy": where}, users=users))
    return found


def _access_key(base: dict, properties: Any) -> list:
    return [AccessKey(**base, user=_get(properties, "UserName"),
                      value_locs={"user": _key_loc(properties, "UserName", base["loc"])})]


def _attach_managed_policies(resources: dict, resolver: Resolver, file: str, model: Model) -> None:
    """A user's ``ManagedPolicyArns`` naming a managed policy of the same
    template: the policy applies to the user."""
    policies = {p.address: p for p in model.iam_policies if p.file == file and p.type == "AWS::IAM::ManagedPolicy"}
    for logical_id, resource in resources.items():
        if not isinstance(resource, dict) or resource.get("Type") != "AWS::IAM::User":
            continue
        arns = _get(resolver.properties(logical_id), "ManagedPolicyArns")
        for arn in arns if isinstance(arns, list) else ():
            if isinstance(arn, Unknown) and arn.ref in policies:
                policies[arn.ref].users.append(Unknown(logical_id, AFTER_APPLY))


_BUILDERS = {
    "AWS::SES::EmailIdentity": _identity,
    "AWS::SES::ConfigurationSet": _configuration_set,
    "AWS::SES::ConfigurationSetEventDestination": _event_destination,
    "AWS::SES::ReceiptRule": _receipt_rule,
    "AWS::IAM::Policy": _iam_policies,
    "AWS::IAM::ManagedPolicy": _iam_policies,
    "AWS::IAM::Role": _iam_policies,
    "AWS::IAM::User": _iam_policies,
    "AWS::IAM::Group": _iam_policies,
    "AWS::IAM::AccessKey": _access_key,
    "AWS::Route53::HostedZone": dns_records.hosted_zone,
    "AWS::Route53::RecordSet": dns_records.record_set,
    "AWS::Route53::RecordSetGroup": dns_records.record_set_group,
}
_COLLECTIONS = {
    Identity: "identities",
    ConfigurationSet: "configuration_sets",
    EventDestination: "event_destinations",
    ReceiptRule: "receipt_rules",
    IamPolicy: "iam_policies",
    AccessKey: "access_keys",
    DnsRecord: "dns_records",
    DnsZone: "dns_zones",
}
_NOT_VALUES = ("loc", "value_locs", "document", "problems")


def _report_errors(item: Any, values: list, model: Model) -> None:
    """Each wrong expression among the ``values`` read for ``item``, once."""
    seen = set()
    for unknown in unknowns_in(values):
        if unknown.kind == ERROR and unknown.ref not in seen:
            seen.add(unknown.ref)
            where = unknown.loc or item.loc
            model.problems.append(InputProblem(item.file, f"{item.address}: {unknown.ref}", where.line,
                                               where.column, item.address))


def _identity_kind(name: Any) -> str:
    literal = "".join(p for p in split_marked(name) if isinstance(p, str)) if isinstance(name, str) else ""
    return "email" if "@" in literal else "domain"


def _get(value: Any, *path: str) -> Any:
    """The value at ``path``; the unknown that hides it (as a whole: the
    branches an unknown condition picks from are not the value at the
    path); None when absent."""
    for key in path:
        if isinstance(value, Unknown):
            return whole(value)
        value = value.get(key) if isinstance(value, dict) else None
    return value


def _key_loc(mapping: Any, key: str, default: Location) -> Location:
    if isinstance(mapping, LDict):
        return mapping.loc_of_key(key) or default
    return default


def _plain(value: Any) -> Any:
    return [str(v) for v in value] if isinstance(value, list) else str(value)

"""Identity policies in templates: CloudFormation has no resource for them,
so the custom resources teams use instead are read as ``IdentityPolicy``.

* ``Custom::IdentityPolicy`` (binxio cfn-ses-provider): ``Identity``,
  ``PolicyName`` and ``PolicyDocument`` (an object or a JSON string);
* ``Custom::AWS`` (the CDK's ``AwsCustomResource``) whose ``Create`` or
  ``Update`` call, a JSON string, is SES ``putIdentityPolicy`` or SESv2
  ``createEmailIdentityPolicy`` / ``updateEmailIdentityPolicy``; its
  ``Policy`` parameter is a JSON string inside that JSON string;
* any other custom resource with a policy document in its properties that
  grants a send action.

CloudFormation hands a custom resource its properties with numbers and
booleans turned into strings, and so are they read here. A policy written
as JSON text points into the template when its lines are
the template's lines (a literal block); otherwise everything in it points at
the line of the property that holds it.
"""

from __future__ import annotations

import re
from typing import Any, Iterator, Optional

from analyzer.cloudformation.intrinsics import Resolver, conditions, present, references
from analyzer.cloudformation.yaml_loader import SourceText
from analyzer.jsonloc import JSONLocError, loads
from analyzer.model import (
    EVALUATION,
    Alternatives,
    IdentityPolicy,
    InputProblem,
    LDict,
    LList,
    Location,
    LStr,
    Model,
    Unknown,
    display,
    documents_of,
    has_marker,
    loc_of,
    whole,
)
from analyzer.policy.document import parse_document
from analyzer.policy.verdict import Trust, evaluate

IDENTITY_TYPE = "AWS::SES::EmailIdentity"
CUSTOM_TYPES = ("Custom::", "AWS::CloudFormation::CustomResource")

# (service, action), lower case -> the parameter naming the identity
SDK_POLICY_CALLS = {
    ("ses", "putidentitypolicy"): "Identity",
    ("sesv2", "createemailidentitypolicy"): "EmailIdentity",
    ("sesv2", "updateemailidentitypolicy"): "EmailIdentity",
}
SDK_CALL_PROPERTIES = ("Create", "Update")

_IDENTITY_PROPERTY = re.compile(r"(?i)(email)?identity(name|arn)?")
_JSON_STRING_OR_NEWLINE = re.compile(r'"(?:[^"\\]|\\.)*"|\r?\n', re.S)


def is_custom(type_: str) -> bool:
    return type_.startswith(CUSTOM_TYPES)


def add_policies(resolver: Resolver, logical_id: str, base: dict, model: Model) -> None:
    """The identity policies a custom resource declares, into ``model``."""
    properties = _as_strings(resolver.properties(logical_id))
    raw = resolver.resources[logical_id].get("Properties")
    if base["type"] == "Custom::IdentityPolicy":
        policy = _get(properties, "PolicyDocument")
        model.identity_policies.append(_policy(
            resolver, base, _get(raw, "Identity"), _get(properties, "Identity"), _get(properties, "PolicyName"),
            policy, _key_loc(properties, "PolicyDocument", base["loc"])))
    elif base["type"] == "Custom::AWS":
        _sdk_calls(resolver, base, raw, properties, model)
    elif isinstance(properties, dict):
        _embedded(resolver, base, raw, properties, model)


def _policy(resolver: Resolver, base: dict, raw_identity: Any, identity: Any, name: Any, policy: Any,
            policy_loc: Location) -> IdentityPolicy:
    policy, declared = present(policy, "PolicyDocument")
    if declared:
        base = {**base, "conditional": conditions(base["conditional"], declared)}
    document, unknown, alternatives = documents_of(
        policy, lambda written: parse_document(_as_located_text(written, policy_loc), policy_loc, base["file"]))
    return IdentityPolicy(**base, identity=_identity_name(identity),
                          identity_address=_identity_link(resolver, raw_identity),
                          policy_name=name, document=document, document_unknown=unknown,
                          alternatives=alternatives, value_locs={"policy": policy_loc})


def _sdk_calls(resolver: Resolver, base: dict, raw: Any, properties: Any, model: Model) -> None:
    """``Custom::AWS``: one policy per distinct identity policy call."""
    seen = set()
    for prop in SDK_CALL_PROPERTIES:
        value = _get(properties, prop)
        loc = loc_of(value, _key_loc(properties, prop, base["loc"]))
        call = _sdk_call(value, loc, base, model)
        if call is None:
            continue
        identity_parameter, parameters = call
        identity, name, policy = (parameters.get(k) for k in (identity_parameter, "PolicyName", "Policy"))
        key = tuple(display(v) if isinstance(v, (str, Unknown)) else repr(v) for v in (identity, name, policy))
        if key in seen:
            continue
        seen.add(key)
        model.identity_policies.append(_policy(resolver, base, _get(raw, prop), identity, name, policy, loc))


def _sdk_call(value: Any, loc: Location, base: dict, model: Model) -> Optional[tuple]:
    """``(identity parameter, parameters)`` when ``value`` is an identity policy SDK call."""
    if isinstance(value, str):
        try:
            value = _json_at(value, loc)[0]
        except (JSONLocError, RecursionError) as error:
            if "identitypolicy" in value.lower():
                model.problems.append(InputProblem(base["file"], f"{base['address']}: the SDK call is not valid "
                                                   f"JSON: {error}", loc.line, loc.column, base["address"]))
            return None
    if not isinstance(value, dict) or not isinstance(value.get("parameters"), dict):
        return None
    service, action = value.get("service"), value.get("action")
    if not isinstance(service, str) or not isinstance(action, str):
        return None
    service = service.lower()
    service = service[len("@aws-sdk/client-"):] if service.startswith("@aws-sdk/client-") else service
    action = action.lower()
    action = action[:-len("command")] if action.endswith("command") else action
    identity_parameter = SDK_POLICY_CALLS.get((service, action))
    return (identity_parameter, value["parameters"]) if identity_parameter else None


def _embedded(resolver: Resolver, base: dict, raw: Any, properties: dict, model: Model) -> None:
    """Any other custom resource: each policy document in it that grants sending."""
    identity_key = next((k for k in properties if isinstance(k, str) and _IDENTITY_PROPERTY.fullmatch(k)), None)
    if identity_key is not None:
        identity, raw_identity = properties[identity_key], _get(raw, identity_key)
    else:
        raw_identity = None
        identity = Unknown(f"{base['address']}.Identity", EVALUATION, base["loc"],
                           hint=f"{base['address']} ({base['type']}) names no identity property")
    for value, loc in _documents(properties, base["loc"]):
        document = parse_document(_as_located_text(value, loc), loc, base["file"])
        if evaluate(document, Trust()).grants:
            model.identity_policies.append(IdentityPolicy(
                **base, identity=_identity_name(identity), identity_address=_identity_link(resolver, raw_identity),
                policy_name=properties.get("PolicyName"), document=document, value_locs={"policy": loc}))


def _documents(value: Any, loc: Location) -> Iterator[tuple]:
    """``(document, location)`` for each policy document in ``value``, in order."""
    pending = [(value, loc)]
    while pending:
        current, where = pending.pop()
        if isinstance(current, dict):
            if "Statement" in current:
                yield current, loc_of(current, where)
                continue
            pending.extend(reversed([(item, _key_loc(current, key, where)) for key, item in current.items()]))
        elif isinstance(current, list):
            pending.extend(reversed([(item, loc_of(item, where)) for item in current]))
        elif isinstance(current, str) and current.lstrip().startswith("{") and '"Statement"' in current:
            yield current, loc_of(current, where)


def _as_located_text(value: Any, loc: Location) -> Any:
    """A policy as ``parse_document`` takes it, located as well as it can be.

    Text in a literal block keeps its own positions, which map into the
    file. Other text (a quoted string, a value built by a function) does not
    map: it is decoded here and everything in it points at the text's
    location; when it is not valid JSON, it is handed over on one line so
    that the error points there too.
    """
    if not isinstance(value, str) or isinstance(value, SourceText):
        return value
    where = loc_of(value, loc)
    try:
        decoded, duplicates = _json_at(value, where)
    except (JSONLocError, RecursionError):
        decoded, duplicates = None, True  # parse_document says what is wrong
    return LStr(_one_line(value), where) if duplicates else decoded


def _json_at(text: str, where: Location) -> tuple:
    """``(value, duplicate keys)`` of JSON ``text``, every value located at
    ``where``; raises ``JSONLocError``."""
    decoded = loads(_one_line(text), where.file, where.line, where.column)
    return _relocated(decoded.value, where), decoded.duplicates


def _relocated(value: Any, where: Location) -> Any:
    if isinstance(value, dict):
        return LDict({k: _relocated(v, where) for k, v in value.items()}, where, dict.fromkeys(value, where))
    if isinstance(value, list):
        return LList([_relocated(v, where) for v in value], where)
    if isinstance(value, str):
        return LStr(value, where)
    return value


def _one_line(text: str) -> str:
    """JSON text with its line breaks between tokens turned into spaces."""
    return _JSON_STRING_OR_NEWLINE.sub(lambda m: m.group(0) if m.group(0).startswith('"') else " ", text)


def _identity_name(value: Any) -> Any:
    """The identity a policy names: a domain, an address, or an ARN's last part."""
    if not isinstance(value, str):
        return value
    if ":identity/" in value:
        value = LStr(value.split(":identity/", 1)[1], loc_of(value))
    return display(value) if has_marker(value) else value


def _identity_link(resolver: Resolver, raw: Any) -> Optional[str]:
    """The logical id of the one identity of this template a policy refers to."""
    identities = {name for name in references(raw)
                  if isinstance(resolver.resources.get(name), dict)
                  and resolver.resources[name].get("Type") == IDENTITY_TYPE}
    return identities.pop() if len(identities) == 1 else None


def _as_strings(value: Any) -> Any:
    """Properties as a custom resource receives them: numbers and booleans as strings."""
    if isinstance(value, Alternatives):
        return Alternatives.of(value, [_as_strings(option) for option in value.options])
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, (int, float)):
        return str(value)
    if isinstance(value, dict):
        key_locs = getattr(value, "key_locs", {})
        return LDict({k: _as_strings(v) for k, v in value.items()}, loc_of(value), key_locs)
    if isinstance(value, list):
        return LList([_as_strings(v) for v in value], loc_of(value))
    return value


def _get(value: Any, key: str) -> Any:
    if isinstance(value, Unknown):
        return whole(value)  # what an unknown condition picks from is not the value at the key
    return value.get(key) if isinstance(value, dict) else None


def _key_loc(mapping: Any, key: Any, default: Location) -> Location:
    if isinstance(mapping, LDict):
        return mapping.loc_of_key(key) or default
    return default

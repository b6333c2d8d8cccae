"""The AWS provider's functions (``provider::aws::NAME``) that shape ARNs,
with the provider's results and errors: ``arn_parse`` and ``arn_build``
follow the AWS SDK's ARN parsing and printing (``arn:`` then five sections
separated by ``:``, the last one keeping its colons), ``trim_iam_role_path``
keeps the last segment of an IAM role's path.

A part of an ARN that is not known (the deploying account, a variable)
stays a marker in the string: markers are opaque, so one must not hold a
``:`` the parse would have to see, as everywhere in ``functions``; where
the sections cannot be told without looking inside one, the result is
unknown."""

from __future__ import annotations

from analyzer.model import Unknown, embed, has_marker
from analyzer.terraform.functions.core import _Error, _register, _string, _unresolved
from analyzer.terraform.functions.strings import _split

_SECTIONS = ("partition", "service", "region", "account_id", "resource")


def _part(value, what: str) -> str:
    """A string argument; an unknown one is embedded as a marker."""
    if isinstance(value, Unknown):
        return embed(value)
    if value is None:
        raise _Error(f"{what} must not be null")
    return _string(value, what)


def _parse(text: str) -> dict:
    pieces = _split(":", text)
    if has_marker(pieces[0]):
        _unresolved(text)
    if pieces[0] != "arn" or len(pieces) == 1:
        raise _Error("arn: invalid prefix")
    if len(pieces) < 1 + len(_SECTIONS):
        if has_marker(text):
            _unresolved(text)
        raise _Error("arn: not enough sections")
    values = pieces[1:len(_SECTIONS)] + [":".join(pieces[len(_SECTIONS):])]
    return dict(zip(_SECTIONS, values))


def _build(parts: dict) -> str:
    return ":".join(["arn"] + [parts[name] for name in _SECTIONS])


@_register("provider::aws::arn_parse", 1)
def _arn_parse(arn):
    return _parse(_part(arn, "arn"))


@_register("provider::aws::arn_build", 5, known=())
def _arn_build(partition, service, region, account_id, resource):
    values = (partition, service, region, account_id, resource)
    return _build({name: _part(value, name) for name, value in zip(_SECTIONS, values)})


@_register("provider::aws::trim_iam_role_path", 1)
def _trim_iam_role_path(arn):
    parts = _parse(_part(arn, "arn"))
    if has_marker(parts["service"]) or has_marker(parts["region"]):
        _unresolved(parts["service"] + parts["region"])
    if parts["service"] != "iam":
        raise _Error('service must be "iam"')
    if parts["region"] != "":
        raise _Error("region must be empty")
    resource = parts["resource"]
    if not resource.startswith("role/"):
        if has_marker(resource[:5]):
            _unresolved(resource)
        raise _Error('resource must begin with "role/"')
    last = _split("/", resource)[-1]
    return _build({**parts, "resource": "role/" + last})

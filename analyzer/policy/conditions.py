"""One condition entry evaluated on one concrete request, as IAM does.

A request context maps a condition key, lower-cased (keys ignore case), to
the tuple of its values; a key the request does not carry is absent.
Following the IAM condition-operator reference:

* the values of one key are ORed, the entries of a block ANDed;
* a key absent from the request fails every operator, except the negated
  ones (``StringNotEquals``, ``ArnNotLike``, ``NotIpAddress``...), which
  are true, and ``...IfExists``, which is true;
* ``ForAnyValue:`` is true when some request value matches (false when the
  key is absent or empty), ``ForAllValues:`` when every request value
  matches (true when absent or empty); a negated operator under a set
  qualifier negates the match of each value;
* without a qualifier a multi-valued key matches when one of its values does,
  and a negated operator when none does;
* ``Null`` is true for ``"true"`` when the key is absent, for ``"false"``
  when it is present;
* ``StringLike`` and ``ArnLike`` know ``*`` and ``?``; string and ARN
  comparisons are case sensitive but for ``...IgnoreCase``; ARNs are compared
  one colon-delimited field at a time;
* a policy variable ``${key}`` in a value stands for the request's value of
  that key; a value whose variable the request lacks matches nothing.

``operator_parts`` says whether an operator is one IAM knows; ``holds``
evaluates an entry whose operator it knows.
"""

from __future__ import annotations

import ipaddress
import math
import re
from datetime import datetime, timezone
from typing import Optional

from analyzer.policy.wildcard import glob_match

_STRING = {"stringequals", "stringnotequals", "stringequalsignorecase", "stringnotequalsignorecase",
           "stringlike", "stringnotlike"}
_NUMERIC = {"numericequals", "numericnotequals", "numericlessthan", "numericlessthanequals",
            "numericgreaterthan", "numericgreaterthanequals"}
_DATE = {"dateequals", "datenotequals", "datelessthan", "datelessthanequals", "dategreaterthan",
         "dategreaterthanequals"}
_ARN = {"arnequals", "arnlike", "arnnotequals", "arnnotlike"}
_OTHER = {"bool", "binaryequals", "ipaddress", "notipaddress"}
BASE_OPERATORS = _STRING | _NUMERIC | _DATE | _ARN | _OTHER | {"null"}
NEGATED = {"stringnotequals", "stringnotequalsignorecase", "stringnotlike", "numericnotequals",
           "datenotequals", "arnnotequals", "arnnotlike", "notipaddress"}
_POSITIVE_OF = {"stringnotequals": "stringequals", "stringnotequalsignorecase": "stringequalsignorecase",
                "stringnotlike": "stringlike", "numericnotequals": "numericequals",
                "datenotequals": "dateequals", "arnnotequals": "arnequals", "arnnotlike": "arnlike",
                "notipaddress": "ipaddress"}

_VARIABLE = re.compile(r"\$\{([^}]*)\}")


def operator_parts(operator: str) -> Optional[tuple]:
    """``(qualifier, base, if_exists)`` of an operator IAM knows, lower-cased
    (qualifier ``""``, ``"foranyvalue"`` or ``"forallvalues"``); None otherwise."""
    qualifier, _, base = operator.lower().rpartition(":")
    if_exists = base.endswith("ifexists") and base != "null"
    if if_exists:
        base = base[:-len("ifexists")]
    if qualifier not in ("", "foranyvalue", "forallvalues") or base not in BASE_OPERATORS:
        return None
    if base == "null" and (qualifier or if_exists):
        return None
    return qualifier, base, if_exists


def variables(value: str) -> list:
    """The condition keys a policy value refers to as ``${key}``, lower-cased."""
    return [name.strip().lower() for name in _VARIABLE.findall(value)]


def substitute(value: str, context: dict) -> Optional[str]:
    """``value`` with each policy variable replaced by the request's value of
    its key; None when the request lacks one (or has several)."""
    if "${" not in value:
        return value
    missing = False

    def replace(match):
        nonlocal missing
        found = context.get(match.group(1).strip().lower())
        if not found or len(found) != 1:
            missing = True
            return ""
        return found[0]

    text = _VARIABLE.sub(replace, value)
    return None if missing else text


def holds(operator: str, key: str, values: list, context: dict, multi: bool) -> bool:
    """Whether the condition entry is true for the request ``context``;
    ``multi`` says the key is multi-valued. The operator must be known."""
    qualifier, base, if_exists = operator_parts(operator)
    present = context.get(key.lower())
    if base == "null":
        wanted = [v.lower() == "true" for v in values]
        return (not present) in wanted
    if present is None:
        if if_exists:
            return True
        if qualifier == "forallvalues":
            return True
        if qualifier == "foranyvalue":
            return False
        return base in NEGATED
    policy = [s for s in (substitute(v, context) for v in values) if s is not None]
    positive = _POSITIVE_OF.get(base, base)
    negated = base in NEGATED
    matches = [any(_compare(positive, p, r) for p in policy) for r in present]
    if qualifier == "foranyvalue":
        return any(m != negated for m in matches) if matches else False
    if qualifier == "forallvalues":
        return all(m != negated for m in matches)
    if not matches:  # a present key without values
        return negated
    return (not any(matches)) if negated else any(matches)


def _compare(base: str, policy: str, request: str) -> bool:
    """Whether one request value matches one policy value under a positive operator."""
    if base == "stringequals" or base == "binaryequals":
        return policy == request
    if base == "stringequalsignorecase":
        return policy.casefold() == request.casefold()
    if base == "stringlike":
        return glob_match(policy, request)
    if base in ("arnequals", "arnlike"):
        return arn_match(policy, request)
    if base == "bool":
        return policy.lower() == request.lower()
    if base == "ipaddress":
        return _in_network(policy, request)
    if base in _NUMERIC:
        return _ordered(base[len("numeric"):], _number(policy), _number(request))
    return _ordered(base[len("date"):], _date(policy), _date(request))


def arn_match(pattern: str, arn: str) -> bool:
    """ArnLike: the six colon-delimited fields matched one by one (the last
    keeps its colons); a pattern of fewer fields is matched as a whole."""
    fields = pattern.split(":", 5)
    if len(fields) < 6:
        return glob_match(pattern, arn)
    values = arn.split(":", 5)
    return len(values) == 6 and all(glob_match(p, v) for p, v in zip(fields, values))


def _ordered(relation: str, policy: Optional[float], request: Optional[float]) -> bool:
    if policy is None or request is None:
        return False
    return {"equals": request == policy, "lessthan": request < policy,
            "lessthanequals": request <= policy, "greaterthan": request > policy,
            "greaterthanequals": request >= policy}[relation]


def _number(text: str) -> Optional[float]:
    try:
        number = float(text)
    except ValueError:
        return None
    return number if math.isfinite(number) else None


def _date(text: str) -> Optional[float]:
    """A date as seconds since the epoch: ISO 8601 or a number of seconds."""
    number = _number(text)
    return number if number is not None else iso_date(text)


def iso_date(text: str) -> Optional[float]:
    """An ISO 8601 date (UTC unless it says otherwise) as seconds since the epoch, or None."""
    try:
        moment = datetime.fromisoformat(text.replace("Z", "+00:00"))
    except ValueError:
        return None
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=timezone.utc)
    try:
        return moment.timestamp()
    except (OverflowError, ValueError):
        return None


def _in_network(policy: str, request: str) -> bool:
    try:
        network = ipaddress.ip_network(policy.strip(), strict=False)
        address = ipaddress.ip_address(request.strip())
    except ValueError:
        return False
    return address.version == network.version and address in network

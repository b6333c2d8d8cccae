"""Identity-based IAM policies: which statements let a principal send mail.

Action matching is the one identity policies use (``iam_match`` over
``SEND_ACTIONS``). Only what is written and known counts: a pattern or
effect that depends on an unknown value never makes a statement a send
grant, so the rules built on this never report a guess.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Callable, Optional

from analyzer.model import IamPolicy, Statement, display, has_marker, split_marked
from analyzer.policy.alternatives import whichever
from analyzer.policy.wildcard import SEND_ACTIONS, iam_match

# Condition keys that limit which identities a grant may send as
FROM_ADDRESS_KEYS = ("ses:fromaddress",)
_PROBE_NAME = "identity/sesguard-probe@invalid.example"
_PROBE_FIELDS = ("arn", "aws", "ses", "us-east-1", "111122223333")
_UNKNOWN_PART = "\ue003"  # an unknown value in an ARN being split into fields


@dataclass
class SendGrant:
    policy: IamPolicy
    statement: Statement
    actions: list  # send actions from SEND_ACTIONS the statement surely allows
    note: str = ""  # for a policy that is one of several documents: "is whichever of ..., and every one of them
    #                 grants it", to follow the policy's name
    elsewhere: list = field(default_factory=list)  # the statements of the other documents that grant it


def _known(value) -> bool:
    return isinstance(value, str) and not has_marker(value)


def send_actions(statement: Statement) -> list:
    """The send actions an ``Allow`` statement surely grants (``Action`` or ``NotAction``)."""
    if statement.effect != "Allow":
        return []
    negated = statement.actions is None
    patterns = statement.not_actions if negated else statement.actions
    if patterns is None or (negated and not all(_known(p) for p in patterns)):
        return []
    return [a for a in SEND_ACTIONS
            if any(_known(p) and iam_match(p, a) for p in patterns) != negated]


def send_grants(policy: IamPolicy, keep: Callable[[Statement], bool] = lambda statement: True) -> list:
    """Every statement of ``policy`` that surely allows sending and that
    ``keep`` keeps. A policy that is whichever of several documents an
    unknown key or condition picks (``alternatives``) has such statements
    only when every document has one: those of its first document are
    returned, each saying so, with the other documents' as ``elsewhere``."""
    if policy.document is not None:
        return _grants(policy, policy.document, keep)
    each = [_grants(policy, document, keep) for document in policy.alternatives]
    if not each or not all(each):
        return []
    first, *others = each
    for grant in first:
        grant.note = f"is {whichever(len(each), policy.document_unknown)}, and every one of them grants it"
        grant.elsewhere = [other.statement for grants in others for other in grants]
    return first


def _grants(policy: IamPolicy, document, keep) -> list:
    grants = []
    for statement in document.statements:
        actions = send_actions(statement)
        if actions and keep(statement):
            grants.append(SendGrant(policy, statement, actions))
    return grants


def spans_all_identities(pattern) -> bool:
    """Whether a ``Resource`` pattern admits every identity of an account
    (``*``, ``arn:aws:ses:*``, ``arn:aws:ses:*:*:identity/*``...): it matches
    an identity name nobody would list, in the region and account it names.
    An unknown partition, region or account (``${AWS::Region}``, the
    deploying account) leaves it every identity of that region and account;
    an unknown part of the resource field (or a whole unknown ARN) never does."""
    if not isinstance(pattern, str):
        return False
    fields = _fields(pattern)
    if fields is None:
        return False
    probe = [f.replace("*", "").replace("?", "a") or d for f, d in zip(fields[:5], _PROBE_FIELDS)]
    probe += list(_PROBE_FIELDS[len(probe):])
    return iam_match(":".join(fields), ":".join(probe + [_PROBE_NAME]))


def _fields(pattern: str) -> Optional[list]:
    """The ARN fields of ``pattern``, an unknown partition, region or account
    field standing for the probe's; None when an unknown is in the resource field."""
    if not has_marker(pattern):
        return pattern.split(":", 5)
    parts = split_marked(pattern)
    fields = "".join(p if isinstance(p, str) else _UNKNOWN_PART for p in parts).split(":", 5)
    if len(fields) < 6 or _UNKNOWN_PART in fields[5]:
        return None
    return [_PROBE_FIELDS[n] if _UNKNOWN_PART in f else f for n, f in enumerate(fields[:5])] + fields[5:]


def any_identity_resource(statement: Statement) -> Optional[str]:
    """The ``Resource`` pattern (or ``NotResource``) through which a statement
    applies to every identity, as a user reads it; None when it is limited."""
    if statement.resources is None:
        return "NotResource" if statement.not_resources is not None else None
    return next((display(r) for r in statement.resources if spans_all_identities(r)), None)


def opening_entries(statement: Statement) -> list:
    """The entries that make a grant apply to every identity, as written:
    its ``Action`` patterns that match a send action and its ``Resource``
    patterns that span every identity (a ``NotAction`` or ``NotResource``
    grants by what it leaves out, so it has none)."""
    actions = [p for p in statement.actions or () if _known(p) and any(iam_match(p, a) for a in SEND_ACTIONS)]
    return actions + [r for r in statement.resources or () if spans_all_identities(r)]


def limits_from_address(statement: Statement) -> bool:
    """Whether a condition of the statement limits the sending address."""
    return any(isinstance(c.key, str) and c.key.lower() in FROM_ADDRESS_KEYS for c in statement.conditions)

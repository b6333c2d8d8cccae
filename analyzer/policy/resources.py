"""Whether a statement's ``Resource`` or ``NotResource`` covers the identity.

A sending authorization policy is attached to one identity, whose ARN is
``arn:aws:ses:REGION:ACCOUNT:identity/NAME``; IAM lets a statement apply to
a request only when its ``Resource`` matches the ARN of the resource
requested, or its ``NotResource`` does not. Patterns know ``*`` and ``?``
and are case sensitive, as ARNs are. The owner account is the string
``OWNER_ACCOUNT`` on both sides (the engine's convention: the deploying
account, trusted, whatever its number), and a pattern naming it covers the
identity; as that number is unknown, a pattern naming another account
*could match* (``None``). So could one that matches some value of any
other unknown part, of the identity or of the pattern; one that matches no
value of them cannot.
"""

from __future__ import annotations

from typing import Any, Optional

from analyzer.model import EVALUATION, OWNER, Statement, Unknown, split_marked
from analyzer.policy.callers import OWNER_ACCOUNT
from analyzer.policy.wildcard import glob_match

UNKNOWN_REGION = Unknown("the identity's region", EVALUATION)
OWNER_NUMBER = Unknown("the owner account's number", EVALUATION,
                       hint="the deploying account's number is not known, and the Resource names an account by number")
_ANY = "\ue010"  # stands for an unknown part while matching; no ARN holds it


def identity_arn(identity: Any, region: Any = UNKNOWN_REGION) -> list:
    """The identity's ARN as literal and ``Unknown`` parts, from the identity
    as a policy names it: its ARN, its name (an email address or domain, in
    the owner's account), or an unknown standing for either."""
    if isinstance(identity, Unknown):
        return [identity]
    parts = split_marked(str(identity))
    if len(parts) == 1 and isinstance(parts[0], Unknown) or parts and str(parts[0]).startswith("arn:"):
        return parts
    owner = Unknown("the identity's account", OWNER)
    return ["arn:aws:ses:", region, ":", owner, ":identity/", *parts]


def applies(st: Statement, identity: list) -> tuple:
    """``(True | False | None, unknowns)``: whether ``st`` covers ``identity``
    (its ARN's parts), None when unknowns decide, and which ones."""
    negated = st.resources is None
    patterns = st.not_resources if negated else st.resources
    if patterns is None:
        return True, []
    results = [_matches(p, identity) for p in patterns]
    if True in results:
        found: Optional[bool] = True
    elif None in results:
        found = None
    else:
        found = False
    if found is None:
        return None, _hidden(patterns, identity)
    return (not found) if negated else found, []


def _matches(pattern: Any, identity: list) -> Optional[bool]:
    pattern_parts = [pattern] if isinstance(pattern, Unknown) else split_marked(str(pattern))
    if pattern_parts == identity:
        return True  # the same text, unknowns and all
    glob, text = _glob(pattern_parts), _glob(identity)
    if _ANY not in glob and (glob_match(glob, text) if _ANY not in text else _covers(glob, text)):
        return True
    # the owner's account has a number, which a pattern may name: it is unknown on the identity's side
    text = _glob(identity, owner=_ANY)
    if _ANY not in glob and _ANY not in text:
        return False
    return None if _meet(glob.replace(_ANY, "*"), text.replace(_ANY, "*")) else False


def _glob(parts: list, owner: str = OWNER_ACCOUNT) -> str:
    return "".join(p if isinstance(p, str) else owner if p.is_owner else _ANY for p in parts)


def _covers(glob: str, text: str) -> bool:
    """Whether ``glob`` matches ``text`` whatever its unknown parts hold:
    only a star of the pattern may take one in."""
    seen, todo = set(), [(0, 0)]
    while todo:
        i, j = todo.pop()
        if (i, j) in seen:
            continue
        seen.add((i, j))
        if i == len(glob):
            if j == len(text):
                return True
            continue
        if glob[i] == "*":
            todo.append((i + 1, j))
            if j < len(text):
                todo.append((i, j + 1))
        elif j < len(text) and text[j] != _ANY and glob[i] in ("?", text[j]):
            todo.append((i + 1, j + 1))
    return False


def _meet(a: str, b: str) -> bool:
    """Whether some text matches both wildcard patterns ``a`` and ``b``."""
    seen, todo = set(), [(0, 0)]
    while todo:
        i, j = todo.pop()
        if (i, j) in seen:
            continue
        seen.add((i, j))
        if i == len(a) and j == len(b):
            return True
        star_a, star_b = i < len(a) and a[i] == "*", j < len(b) and b[j] == "*"
        if star_a:
            todo.append((i + 1, j))
            if j < len(b) and not star_b:
                todo.append((i, j + 1))
        if star_b:
            todo.append((i, j + 1))
            if i < len(a) and not star_a:
                todo.append((i + 1, j))
        if i < len(a) and j < len(b) and not (star_a or star_b) and (a[i] == b[j] or "?" in (a[i], b[j])):
            todo.append((i + 1, j + 1))
    return False


def _hidden(patterns: list, identity: list) -> list:
    found = [p for p in identity if isinstance(p, Unknown) and not p.is_owner]
    for pattern in patterns:
        parts = [pattern] if isinstance(pattern, Unknown) else split_marked(str(pattern))
        found.extend(p for p in parts if isinstance(p, Unknown) and not p.is_owner)
    return list(dict.fromkeys(found)) or [OWNER_NUMBER]

"""The caller space: who may make a sending request, as concrete witnesses.

A request is decided by who makes it (a ``Caller``) and by the keys the
caller chooses freely (the From address, HTTPS, the time, the source IP...).
Rather than reasoning over every possible caller, the engine builds, from
the values a policy names, a finite set of witnesses that represents every
class of callers the policy can tell apart: each account, organization,
ARN, user id and service the policy names (wildcards instantiated), the
trusted ones, the owner, and fresh ones the policy does not name. A witness
built from a value the policy names literally is *bounded* (it stands for
that account, organization or principal); one built from a wildcard or
from nothing stands for callers without number, which is what makes a
grant public.

What a caller carries (the AWS global condition keys reference):

* an IAM principal (``aws``): ``aws:PrincipalAccount``, ``aws:PrincipalArn``,
  ``aws:userid``, ``aws:PrincipalIsAWSService`` = false, and
  ``aws:PrincipalOrgID``/``aws:PrincipalOrgPaths`` only when its account
  belongs to an organization; no ``aws:Source*`` key;
* a service principal (``service``): ``aws:PrincipalIsAWSService`` = true,
  ``aws:PrincipalServiceName``, and, when it acts for a resource,
  ``aws:SourceAccount``/``aws:SourceOwner``, ``aws:SourceArn`` and, when that
  account belongs to an organization, ``aws:SourceOrgID``/``aws:SourceOrgPaths``;
  no ``aws:Principal*`` identity key;
* a federated or canonical user (``federated``, ``canonical``) is matched
  by its ``Principal`` entry only.

A root user's ``aws:userid`` is its account id; any other user id is no
account id.
"""

from __future__ import annotations

import ipaddress
import itertools
import math
import re
from dataclasses import dataclass
from datetime import datetime, timezone
from typing import Optional

from analyzer.policy.conditions import iso_date, operator_parts, variables
from analyzer.policy.wildcard import glob_match

OWNER_ACCOUNT = "owner-account"  # stands for the deploying account, whose number is unknown
FRESH_ACCOUNT = "000000000000"
FRESH_ORG = "o-unnamed0"
FRESH_SERVICE = "unnamed.amazonaws.com"
FRESH_VALUE = "unnamed-value"

ACCOUNT_KEYS = {"aws:principalaccount", "aws:sourceaccount", "aws:sourceowner"}
ORG_KEYS = {"aws:principalorgid", "aws:sourceorgid"}
ORG_PATH_KEYS = {"aws:principalorgpaths", "aws:sourceorgpaths"}
ARN_KEYS = {"aws:principalarn", "aws:sourcearn"}
IDENTITY_KEYS = (ACCOUNT_KEYS | ORG_KEYS | ORG_PATH_KEYS | ARN_KEYS
                 | {"aws:userid", "aws:principalisawsservice", "aws:principalservicename"})
MULTI_VALUED = {"aws:principalorgpaths", "aws:sourceorgpaths", "ses:recipients", "aws:tagkeys",
                "aws:calledvia", "aws:principalservicenameslist"}

_ACCOUNT_FORM = re.compile(r"[0-9*?]{1,12}")
_ACCOUNT_ID = re.compile(r"[0-9]{12}")
_ORG_ID = re.compile(r"o-[a-z0-9]*")  # an organization id, as AWS forms them
_VARIABLE = re.compile(r"\$\{[^}]*\}")


@dataclass(frozen=True)
class Caller:
    """One witness caller. ``label`` is the entity it stands for, as
    ``(kind, value)``: ``("account", "1111...")``, ``("org", "o-abc")``,
    ``("userid", ...)``, ``("principal", ...)``, ``("service", name)``,
    ``("federated", ...)``, ``("canonical", ...)``, ``("owner", "")``, or
    ``None`` when it stands for callers the policy does not name."""

    kind: str
    account: Optional[str] = None
    arn: Optional[str] = None
    userid: Optional[str] = None
    org: Optional[str] = None
    orgpaths: tuple = ()
    service: Optional[str] = None
    source: Optional[tuple] = None  # (account, arn, org, orgpaths) a service acts for
    name: Optional[str] = None  # a federated or canonical user
    trusted: bool = False
    label: Optional[tuple] = None

    def context(self) -> dict:
        """The identity keys of the request context this caller makes."""
        if self.kind == "aws":
            found = {"aws:principalaccount": (self.account,), "aws:principalarn": (self.arn,),
                     "aws:userid": (self.userid,), "aws:principalisawsservice": ("false",)}
            if self.org is not None:
                found["aws:principalorgid"] = (self.org,)
                found["aws:principalorgpaths"] = self.orgpaths
            return found
        if self.kind == "service":
            found = {"aws:principalisawsservice": ("true",), "aws:principalservicename": (self.service,)}
            if self.source is not None:
                account, arn, org, paths = self.source
                found.update({"aws:sourceaccount": (account,), "aws:sourceowner": (account,),
                              "aws:sourcearn": (arn,)})
                if org is not None:
                    found["aws:sourceorgid"] = (org,)
                    found["aws:sourceorgpaths"] = paths
            return found
        return {}


def has_wildcard(text: str) -> bool:
    return "*" in text or "?" in text


def instances(pattern: str) -> list:
    """Strings matching the wildcard ``pattern``: the pattern itself (what
    ``StringEquals`` matches), its shortest instance and a longer one."""
    if not has_wildcard(pattern):
        return [pattern]
    return list(dict.fromkeys([pattern, pattern.replace("*", "").replace("?", "0"),
                               pattern.replace("*", "x9").replace("?", "9")]))


def arn_fields(text: str) -> Optional[list]:
    fields = text.split(":", 5)
    return fields if len(fields) == 6 and fields[0] == "arn" else None


def account_form(text: str) -> bool:
    return text == OWNER_ACCOUNT or bool(_ACCOUNT_FORM.fullmatch(text))


@dataclass
class Names:
    """The values a document names, gathered per kind (owner markers
    already replaced by ``OWNER_ACCOUNT``)."""

    accounts: set
    orgs: set
    paths: set  # organization paths, as written
    principal_arns: set  # IAM principal ARNs other than roots
    source_arns: set
    userids: dict  # user id pattern -> label kind ("userid" or "principal")
    services: set
    federated: set
    canonical: set
    free: dict  # free key -> set of values
    free_ops: dict  # free key -> set of operator bases


def gather(statements: list) -> Names:
    """The names the prepared ``statements`` (see ``analyzer.policy.statements``) use."""
    names = Names(set(), set(), set(), set(), set(), {}, set(), set(), set(), {}, {})
    templates = []
    for st in statements:
        for ptype, value in (st.principals or []) + (st.not_principals or []):
            _principal_names(names, ptype, value)
        for operator, key, values in st.conditions:
            _condition_names(names, operator, key, values)
            if key not in IDENTITY_KEYS:
                templates.extend((key, v) for v in values if len(variables(v)) == 1)
    _variable_values(names, templates)
    return names


def _variable_values(names: Names, templates: list) -> None:
    """Offer a policy variable's key the values that make its template equal a
    value the policy names for the same key: ``${aws:username}@example.com``
    beside ``a@example.com`` offers ``aws:username`` the value ``a`` (the
    caller is an IAM user named so), as the unnamed value alone would match
    neither. A value holding ``*`` or ``?`` is never offered, even where
    the operator reads them as characters: no IAM user name, tag value or
    source identity holds them (``StringNotEquals`` "*@example.com" beside
    ``${aws:username}@example.com`` leaves no user who may send)."""
    for key, template in templates:
        match = _VARIABLE.search(template)
        before, after = template[:match.start()], template[match.end():]
        variable = match.group(0)[2:-1].strip().lower()
        if variable in IDENTITY_KEYS or has_wildcard(before + after):
            continue
        for named in list(names.free.get(key, ())):
            if (not has_wildcard(named) and len(named) > len(before) + len(after)
                    and named.startswith(before) and named.endswith(after)):
                names.free.setdefault(variable, set()).add(named[len(before):len(named) - len(after)])


def _principal_names(names: Names, ptype: str, value: str) -> None:
    if ptype == "*" or value == "*":
        return
    if ptype == "Service":
        names.services.add(value.lower())
    elif ptype == "Federated":
        names.federated.add(value)
    elif ptype == "CanonicalUser":
        names.canonical.add(value)
    elif arn_fields(value):
        fields = arn_fields(value)
        names.accounts.add(fields[4])
        if fields[5] != "root":
            names.principal_arns.add(value)
    elif account_form(value):
        names.accounts.add(value)
    else:
        names.userids.setdefault(value, "principal")


def _condition_names(names: Names, operator: str, key: str, values: list) -> None:
    parts = operator_parts(operator)
    base = parts[1] if parts else ""
    if key not in IDENTITY_KEYS:
        # a value naming a variable matches when the variable takes the
        # unnamed value, which the variable's key offers
        values = [_VARIABLE.sub(FRESH_VALUE, v) for v in values]
    values = [v for v in values if not variables(v)]
    if key in ACCOUNT_KEYS:
        names.accounts.update(values)
    elif key in ORG_KEYS:
        names.orgs.update(values)
    elif key in ORG_PATH_KEYS:
        names.paths.update(values)
        names.orgs.update(v.split("/", 1)[0] for v in values)
    elif key in ARN_KEYS:
        for value in values:
            fields = arn_fields(value)
            if fields and fields[4]:
                names.accounts.add(fields[4])
        (names.principal_arns if key == "aws:principalarn" else names.source_arns).update(values)
    elif key == "aws:userid":
        for value in values:
            if account_form(value):
                names.accounts.add(value)
            elif value:  # no caller has an empty user id: "" names nobody
                names.userids.setdefault(value, "userid")
    elif key == "aws:principalservicename":
        names.services.update(v.lower() for v in values if not has_wildcard(v))
    elif key not in IDENTITY_KEYS:
        names.free.setdefault(key, set()).update(values)
        names.free_ops.setdefault(key, set()).add(base)


# ---------------------------------------------------------------------------
# Witnesses
# ---------------------------------------------------------------------------


def callers(names: Names, trusted_accounts: frozenset, trusted_orgs: frozenset) -> list:
    """Witness callers for a document's ``names``, each marked trusted or not.

    Without configured trusted organizations, an organization the policy
    names literally is taken as the owner's (a policy names its own
    organization), as the rules have always read it.
    """
    literal_orgs = {o for o in names.orgs if not has_wildcard(o)}
    orgs_trusted = trusted_orgs or frozenset(literal_orgs)
    accounts = _accounts(names.accounts | set(trusted_accounts)) + [(OWNER_ACCOUNT, True), (FRESH_ACCOUNT, False)]
    orgs = [(o, literal) for o, literal in _values(names.orgs | set(trusted_orgs)) if _ORG_ID.fullmatch(o)]
    orgs.append((FRESH_ORG, False))
    org_choices = [(None, False)] + orgs
    found = []

    def account_label(account, literal):
        if account == OWNER_ACCOUNT:
            return ("owner", "")
        return ("account", account) if literal else None

    for account, literal in dict.fromkeys(accounts):
        arns = _arns(names.principal_arns, account)
        userids = [(account, None), ("AIDAUNNAMED", None)] + _userids(names)
        for org, org_literal in org_choices:
            if account == OWNER_ACCOUNT and org is not None:
                continue  # the owner is trusted in any organization
            trusted = account == OWNER_ACCOUNT or account in trusted_accounts or org in orgs_trusted
            for arn, userid_entry, paths in itertools.product(arns, dict.fromkeys(userids), _paths(names, org)):
                userid, userid_label = userid_entry
                label = (account_label(account, literal) or (("org", org) if org_literal else None)
                         or userid_label)
                found.append(Caller("aws", account=account, arn=arn, userid=userid, org=org, orgpaths=paths,
                                    trusted=trusted, label=label))
    sources = [None]
    for account, literal in dict.fromkeys(accounts):
        for org, org_literal in org_choices:
            if account == OWNER_ACCOUNT and org is not None:
                continue
            trusted = account == OWNER_ACCOUNT or account in trusted_accounts or org in orgs_trusted
            label = account_label(account, literal) or (("org", org) if org_literal else None)
            for arn in _source_arns(names.source_arns, account):
                for paths in _paths(names, org):
                    sources.append(((account, arn, org, paths), trusted, label))
    for service in sorted(names.services) + [FRESH_SERVICE]:
        named = service != FRESH_SERVICE
        for source in sources:
            if source is None:
                found.append(Caller("service", service=service, label=("service", service) if named else None))
            else:
                found.append(Caller("service", service=service, source=source[0], trusted=source[1],
                                    label=source[2]))
    found.extend(Caller("federated", name=n, label=("federated", n)) for n in sorted(names.federated))
    found.extend(Caller("canonical", name=n, label=("canonical", n)) for n in sorted(names.canonical))
    return found


def _userids(names: Names) -> list:
    """``(user id, label)`` for each named user id; a user id whose unique
    id (before ``:``) is literal stands for that one principal."""
    found = []
    for pattern, kind in sorted(names.userids.items()):
        bounded = not has_wildcard(pattern.split(":", 1)[0])
        found.extend((value, (kind, pattern) if bounded else None) for value in instances(pattern))
    return found


def _accounts(patterns: set) -> list:
    """``(account id, named literally)`` for each account pattern: an
    account id is twelve digits, so a wildcard stands for the ids it
    matches (its wildcards filled with zeros, then nines), and a value that
    can be no account id stands for none."""
    found = []
    for pattern in sorted(patterns):
        if pattern == OWNER_ACCOUNT:
            continue
        if not has_wildcard(pattern):
            if _ACCOUNT_ID.fullmatch(pattern):
                found.append((pattern, True))
            continue
        for fill in "09":
            text = pattern.replace("?", fill)
            room = 12 - len(text.replace("*", ""))
            if room >= 0 and "*" in text:
                first = text.index("*")
                text = text[:first] + fill * room + text[first + 1:].replace("*", "")
            if _ACCOUNT_ID.fullmatch(text):
                found.append((text, False))
    return found


def _values(patterns: set) -> list:
    """``(value, named literally)`` for each pattern's instances."""
    found = []
    for pattern in sorted(patterns):
        found.extend((value, not has_wildcard(pattern)) for value in instances(pattern))
    return found


def _arns(templates: set, account: str) -> list:
    """Principal ARNs of ``account``: its root, and each named ARN with its
    account field set to ``account``."""
    found = [f"arn:aws:iam::{account}:root", f"arn:aws:iam::{account}:role/unnamed"]
    for template in sorted(templates):
        for value in instances(template):
            fields = arn_fields(value)
            if fields:
                found.append(":".join(fields[:4] + [account, fields[5]]))
    return list(dict.fromkeys(found))


def _source_arns(templates: set, account: str) -> list:
    """ARNs a service may act for in ``account``; an ARN without an account
    field (an S3 bucket) may belong to any account."""
    found = [f"arn:aws:sns:us-east-1:{account}:unnamed"]
    for template in sorted(templates):
        for value in instances(template):
            fields = arn_fields(value)
            if fields and fields[4]:
                found.append(":".join(fields[:4] + [account, fields[5]]))
            else:
                found.append(value)
    return list(dict.fromkeys(found))


def _paths(names: Names, org: Optional[str]) -> list:
    if org is None:
        return [()]
    found = [(f"{org}/r-unnamed/",)]
    for pattern in sorted(names.paths):
        head, slash, rest = pattern.partition("/")
        if slash and has_wildcard(head) and glob_match(head, org):
            pattern = f"{org}/{rest}"  # "o-*/r-ab12/*" in this organization: its root and units as written
        for value in instances(pattern):
            if value.split("/", 1)[0] == org:
                found.append((value,))
    return list(dict.fromkeys(found))


def free_values(key: str, names: Names) -> list:
    """Candidate request values of a free key: absent (None) or a tuple.
    A key of a known type only takes values of that type."""
    singles = [] if key in TYPED_KEYS else [FRESH_VALUE]
    for value in sorted(names.free.get(key, ())):
        singles.extend(_near(value))
    singles = [v for v in dict.fromkeys(singles) if TYPED_KEYS.get(key, _any)(v)]
    if not singles:
        singles = [_DEFAULTS[TYPED_KEYS[key]]]
    found = [None] + [(v,) for v in singles]
    if key in MULTI_VALUED:
        found.append(())
        found.extend(itertools.combinations(singles, 2))
    return found


def _any(value: str) -> bool:
    return True


def _is_number(value: str) -> bool:
    try:
        return math.isfinite(float(value))
    except ValueError:
        return False


def _is_date(value: str) -> bool:
    return _is_number(value) or iso_date(value) is not None


def _is_bool(value: str) -> bool:
    return value in ("true", "false")


def _is_address(value: str) -> bool:
    try:
        ipaddress.ip_address(value)
    except ValueError:
        return False
    return True


# Keys whose values have a type (the global condition keys reference).
TYPED_KEYS = {"aws:multifactorauthage": _is_number, "aws:epochtime": _is_number,
              "aws:currenttime": _is_date, "aws:tokenissuetime": _is_date,
              "aws:securetransport": _is_bool, "aws:multifactorauthpresent": _is_bool,
              "aws:viaawsservice": _is_bool, "aws:sourceip": _is_address}
_DEFAULTS = {_is_number: "0", _is_date: "2000-01-01T00:00:00Z", _is_bool: "true", _is_address: "192.0.2.1"}


def _near(value: str) -> list:
    """Request values that fall on each side of a policy value (its case
    turned round too, which an ...IgnoreCase operator matches and a
    case-sensitive one does not)."""
    found = list(instances(value)) + ["true", "false"]
    found.extend(v.swapcase() for v in list(found) if v.swapcase() != v)
    try:
        network = ipaddress.ip_network(value.strip(), strict=False)
    except ValueError:
        network = None
    if network is not None:
        first, last = int(network.network_address), int(network.broadcast_address)
        top = (1 << network.max_prefixlen) - 1
        found.extend(str(ipaddress.ip_address(n) if network.version == 4 else ipaddress.IPv6Address(n))
                     for n in (first, last, first - 1, last + 1) if 0 <= n <= top)
    try:
        number = float(value)
    except ValueError:
        number = None
    if number is not None:
        found.extend(repr(n) for n in (number - 1, number, number + 1))
    moment = iso_date(value)
    if moment is not None:
        found.extend(datetime.fromtimestamp(moment + d, timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")
                     for d in (-1, 0, 1))
    return found

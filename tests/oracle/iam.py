"""An SMT model of IAM policy evaluation for SES sending, with z3.

Written from the AWS documentation (IAM policy evaluation logic, the
condition-operator reference, the global condition keys reference, the
Principal and NotPrincipal elements), not from sesguard's engine; it shares
with the engine only the question it answers and the conventions of the
test corpus (the owner account is the string ``owner-account``; without
configured trusted organizations the organizations a policy names are the
owner's).

The request is free variables: the kind of principal, its account, ARN,
user id, organization and organization path; for a service principal the
service and the source it acts for; the action; one variable (or a bounded
list, for a multi-valued key) per other condition key with a presence flag.
A statement is a z3 formula over them; the document allows a request when
some Allow applies and no Deny does (an explicit Deny overrides any Allow;
without an Allow the request is implicitly denied).

``judge(document, trust)`` answers ``Answer(public, untrusted, services)``:
``public`` when a request outside every trusted account and organization is
allowed from a caller the policy does not name; otherwise the named
untrusted accounts, organizations, user ids and federated or canonical users
that may send, and the named services that may send acting for no source.
"""

from __future__ import annotations

import re
from typing import NamedTuple, Optional

import z3

OWNER = "owner-account"
IDENTITY = f"arn:aws:ses:us-east-1:{OWNER}:identity/example.com"  # the identity the policies are attached to
SEND_ACTIONS = ["ses:SendEmail", "ses:SendRawEmail", "ses:SendTemplatedEmail", "ses:SendBulkTemplatedEmail",
                "ses:SendBulkEmail"]
MULTI = {"ses:recipients", "aws:principalorgpaths", "aws:sourceorgpaths", "aws:tagkeys"}
NUMERIC_KEYS = {"aws:multifactorauthage", "aws:epochtime"}
DATE_KEYS = {"aws:currenttime", "aws:tokenissuetime"}
BOOL_KEYS = {"aws:securetransport", "aws:multifactorauthpresent", "aws:viaawsservice"}
IP_KEYS = {"aws:sourceip"}
# keys that describe the message or a request property every caller sets as it likes (the SES keys of
# the Service Authorization Reference; the global condition keys of the request, its network and client,
# its credentials and the services it calls through)
OTHER_FREE_KEYS = {"ses:fromaddress", "ses:fromdisplayname", "ses:feedbackaddress", "ses:apiversion",
                   "aws:sourcevpc", "aws:sourcevpce", "aws:vpcsourceip", "aws:useragent", "aws:referer",
                   "aws:requestedregion", "aws:calledvia", "aws:calledviafirst", "aws:calledvialast"}
# z3's resource limit per query: deterministic, unlike a time limit, so a
# loaded machine does not turn answers into "undecided"
RLIMIT = 4_000_000
# every hand-written policy (fixtures, tables) must be decided: z3 gets more room than for generated ones,
# since how much a query needs still varies with the order of its formulas (set order, by Python's hash seed)
FIXTURE_RLIMIT = 5 * RLIMIT
ELEMENTS = 2  # values a multi-valued key may carry in one request

_MARKER = re.compile("\ue000[^\ue001]*\ue001")


def _any_char():
    return z3.Range(" ", "~")  # the printable ASCII characters policies are written in


def _org_id():
    return z3.Concat(z3.Re("o-"), z3.Star(z3.Union(z3.Range("a", "z"), z3.Range("0", "9"))))


def _no_colon_char():
    return z3.Union(z3.Range(" ", "9"), z3.Range(";", "~"))


def _fresh_context() -> None:
    """Each policy is judged in a z3 context of its own, so that how much a
    query needs (and so whether it fits the resource limit) does not depend
    on what the process asked z3 before. z3's Python API keeps one default
    context; it is replaced (every term of a judgement is built after)."""
    z3.z3._main_ctx = None


class Answer(NamedTuple):
    public: bool
    untrusted: frozenset
    services: frozenset
    unmodelled: frozenset = frozenset()  # condition keys the policy uses that the model does not know


def _lit(text):
    return z3.StringVal(text)


def glob(pattern: str, ignore_case: bool = False, char=None):
    """The z3 regular expression of an IAM wildcard pattern: ``*`` any run
    of characters, ``?`` one character, everything else literal."""
    char = _any_char() if char is None else char
    parts = []
    for c in pattern:
        if c == "*":
            parts.append(z3.Star(char))
        elif c == "?":
            parts.append(char)
        elif ignore_case and c.lower() != c.upper():
            parts.append(z3.Union(z3.Re(c.lower()), z3.Re(c.upper())))
        else:
            parts.append(z3.Re(c))
    if not parts:
        return z3.Re("")
    return parts[0] if len(parts) == 1 else z3.Concat(*parts)


def like(value, pattern: str):
    """``value`` matches the IAM wildcard ``pattern``, in the string
    operations z3 decides cheaply where they say the same as the regular
    expression: a literal is an equality, ``*`` alone is true, ``a*b`` a
    prefix, a suffix and a length; only the other shapes (``?``, several
    stars) are a regular expression."""
    if "*" not in pattern and "?" not in pattern:
        return value == _lit(pattern)
    if "?" not in pattern and pattern.count("*") == 1:
        head, tail = pattern.split("*")
        parts = [z3.PrefixOf(_lit(head), value)] if head else []
        if tail:
            parts.append(z3.SuffixOf(_lit(tail), value))
        if head and tail:
            parts.append(z3.Length(value) >= len(head) + len(tail))
        return z3.And(*parts) if parts else z3.BoolVal(True)
    return z3.InRe(value, glob(pattern))


class Arn:
    """A request ARN kept as its six colon-separated fields. Only the last
    (the resource) may hold colons; ``closed`` when it holds none either
    (IAM and STS names allow none), so that the text has exactly five."""

    def __init__(self, fields, closed: bool):
        self.fields, self.closed = fields, closed
        parts = []
        for i, field in enumerate(fields):
            if i:
                parts.append(_lit(":"))
            parts.append(field)
        self.text = z3.Concat(*parts)

    def like(self, pattern: str):
        """The text matches ``pattern``. A literal colon of the pattern can
        only meet a colon of the text: against a closed ARN a pattern with
        five colons matches field by field and one with more never does;
        any other is matched against the whole text."""
        fields = pattern.split(":")
        if self.closed and len(fields) > 6:
            return z3.BoolVal(False)
        if self.closed and len(fields) == 6:
            return self.field_by_field(fields)
        return like(self.text, pattern)

    def equals(self, literal: str):
        """The text is ``literal``: colons meet colons, and only the resource
        may hold more than five of them."""
        fields = literal.split(":", 5)
        if len(fields) < 6 or (self.closed and ":" in fields[5]):
            return z3.BoolVal(False)
        return z3.And(*[v == _lit(f) for f, v in zip(fields, self.fields)])

    def equals_ignoring_case(self, literal: str):
        """The text equals ``literal`` but for case: colons meet colons, and
        only the resource may hold more than five of them."""
        fields = literal.split(":", 5)
        if len(fields) < 6 or (self.closed and ":" in fields[5]):
            return z3.BoolVal(False)
        return z3.And(*[_ignore_case_literal(v, f) for f, v in zip(fields, self.fields)])

    def field_by_field(self, fields):
        # every field but the resource is colon-free by the request's facts, so a wildcard in it
        # cannot reach a colon whether or not it may stand for one
        return z3.And(*[z3.BoolVal(_glob_py(f, v.as_string())) if z3.is_string_value(v) else like(v, f)
                        for f, v in zip(fields, self.fields)])


def arn_like(value, pattern: str):
    """ArnLike: each of the six colon-separated fields matched on its own,
    the last one taking the rest of the text, colons included."""
    fields = pattern.split(":", 5)
    if len(fields) < 6:
        return like(value.text if isinstance(value, Arn) else value, pattern)
    if isinstance(value, Arn):
        return value.field_by_field(fields)
    parts = []
    for i, field in enumerate(fields):
        if i:
            parts.append(z3.Re(":"))
        parts.append(glob(field, char=_no_colon_char()) if i < 5 else glob(field))
    return z3.InRe(value, z3.Concat(*parts))


def _glob_py(pattern: str, text: str) -> bool:
    regex = "".join(".*" if c == "*" else "." if c == "?" else re.escape(c) for c in pattern)
    return re.fullmatch(regex, text, re.DOTALL) is not None


def _ip(text: str) -> Optional[tuple]:
    try:
        address, _, bits = text.strip().partition("/")
        octets = [int(o) for o in address.split(".")]
        if len(octets) != 4 or not all(0 <= o < 256 for o in octets):
            return None
        prefix = int(bits) if bits else 32
    except ValueError:
        return None
    number = sum(o << (8 * (3 - i)) for i, o in enumerate(octets))
    mask = ((1 << prefix) - 1) << (32 - prefix) if prefix else 0
    return number & mask, mask


def _number(text: str) -> Optional[float]:
    try:
        return float(text)
    except ValueError:
        return None


def _epoch(text: str) -> Optional[float]:
    from datetime import datetime, timezone
    number = _number(text)
    if number is not None:
        return number
    try:
        moment = datetime.fromisoformat(text.replace("Z", "+00:00"))
    except ValueError:
        return None
    return (moment if moment.tzinfo else moment.replace(tzinfo=timezone.utc)).timestamp()


def _account_id(value):
    """Twelve digits, or the owner's account (whose number is unknown)."""
    return z3.Or(value == _lit(OWNER), z3.And(z3.Length(value) == 12, z3.InRe(value, z3.Star(z3.Range("0", "9")))))


class Request:
    """The free variables of one request."""

    def __init__(self):
        self.kind = z3.Int("kind")  # 0 IAM principal, 1 service, 2 federated, 3 canonical user
        self.account, self.arn, self.userid = z3.String("account"), z3.String("arn"), z3.String("userid")
        self.in_org, self.org, self.orgpath = z3.Bool("in_org"), z3.String("org"), z3.String("orgpath")
        self.service, self.name = z3.String("service"), z3.String("name")
        self.has_source = z3.Bool("has_source")
        self.src_account = z3.String("src_account")
        # an ARN as its six colon-separated fields, the first being "arn"
        self.arn_fields = [_lit("arn")] + [z3.String(f"arn {n}") for n in ("partition", "service", "region")] + [
            self.account, z3.String("arn resource")]
        self.src_fields = [_lit("arn")] + [z3.String(f"source arn {n}") for n in ("partition", "service", "region",
                                                                                  "account", "resource")]
        self.arn = Arn(self.arn_fields, closed=True)
        self.src_arn = Arn(self.src_fields, closed=False)
        self.src_in_org, self.src_org, self.src_path = z3.Bool("src_in_org"), z3.String("src_org"), z3.String("src_path")
        self.action = z3.Int("action")
        self.free = {}
        self.unmodelled = set()

    def facts(self):
        """What every request satisfies (the keys reference: who carries what)."""
        p, s, r, rest = self.arn_fields[1], self.arn_fields[2], self.arn_fields[3], self.arn_fields[5]
        sp, ss, sr, sa, sres = self.src_fields[1:]
        account_form = z3.Union(z3.Plus(z3.Range("0", "9")), z3.Re(OWNER))
        org_tail, src_tail = z3.String("org_tail"), z3.String("src_tail")
        return [
            z3.And(self.kind >= 0, self.kind <= 3), z3.And(self.action >= 0, self.action < len(SEND_ACTIONS)),
            # an IAM principal's ARN is in its account; IAM and STS names hold no colon
            *[z3.Not(z3.Contains(f, _lit(':'))) for f in (p, s, r, rest)],
            # an account id is twelve digits (the owner's is unknown)
            _account_id(self.account), _account_id(self.src_account),
            # the root user's user id is its account id; no other user id is one; none is empty
            z3.Implies(z3.InRe(self.userid, account_form), self.userid == self.account),
            z3.Length(self.userid) > 0,
            # an organization id is "o-" and lower-case letters and digits; a path starts with it
            z3.InRe(self.org, _org_id()), z3.InRe(self.src_org, _org_id()),
            self.orgpath == z3.Concat(self.org, _lit("/"), org_tail),
            self.src_path == z3.Concat(self.src_org, _lit("/"), src_tail),
            # the source ARN's account field is the source account, or empty for an S3 bucket
            *[z3.Not(z3.Contains(f, _lit(':'))) for f in (sp, ss, sr)],
            z3.Or(sa == self.src_account, z3.And(sa == _lit(""), ss == _lit("s3"))),
            z3.Implies(z3.Not(self.has_source), z3.Not(self.src_in_org)),
        ]

    def key(self, name: str):
        """``(present, [values])`` of a condition key in the request context."""
        aws, service = self.kind == 0, self.kind == 1
        identity = {
            "aws:principalaccount": (aws, [self.account]),
            "aws:principalarn": (aws, [self.arn]),
            "aws:userid": (aws, [self.userid]),
            "aws:principalorgid": (z3.And(aws, self.in_org), [self.org]),
            "aws:principalorgpaths": (z3.And(aws, self.in_org), [self.orgpath]),
            "aws:principalisawsservice": (z3.Or(aws, service), [service]),
            "aws:principalservicename": (service, [self.service]),
            "aws:sourceaccount": (z3.And(service, self.has_source), [self.src_account]),
            "aws:sourceowner": (z3.And(service, self.has_source), [self.src_account]),
            "aws:sourcearn": (z3.And(service, self.has_source), [self.src_arn]),
            "aws:sourceorgid": (z3.And(service, self.src_in_org), [self.src_org]),
            "aws:sourceorgpaths": (z3.And(service, self.src_in_org), [self.src_path]),
        }
        if name in identity:
            present, values = identity[name]
            return present, [(v, z3.BoolVal(True)) for v in values]
        if not (name in MULTI or name in NUMERIC_KEYS or name in DATE_KEYS or name in BOOL_KEYS or name in IP_KEYS
                or name in OTHER_FREE_KEYS or name.startswith("aws:requesttag/")):
            self.unmodelled.add(name)  # a value the model knows nothing of: any value, or none
        if name not in self.free:
            self.free[name] = self._free(name)
        return self.free[name]

    def _free(self, name):
        present = z3.Bool(f"has {name}")
        yes = z3.BoolVal(True)
        if name in IP_KEYS:
            return present, [(z3.BitVec(f"{name}", 32), yes)]
        if name in NUMERIC_KEYS or name in DATE_KEYS:
            return present, [(z3.Real(f"{name}"), yes)]
        if name in BOOL_KEYS:
            return present, [(z3.Bool(name), yes)]
        if name in MULTI:
            count = z3.Int(f"count {name}")
            values = [z3.String(f"{name}#{i}") for i in range(ELEMENTS)]
            self.extra = getattr(self, "extra", []) + [count >= 0, count <= ELEMENTS]
            return present, list(zip(values, [count > i for i in range(ELEMENTS)]))
        value = z3.String(name)
        if name == "aws:username":
            # an IAM user's friendly name (IAM identifiers reference: letters, digits and + = , . @ _ -) is
            # never empty and holds neither * nor ? (only the characters that policies give a meaning are
            # excluded: the whole character class makes z3 give up on too many policies)
            self.extra = getattr(self, "extra", []) + [z3.Implies(present, z3.And(
                z3.Length(value) > 0, z3.Not(z3.Contains(value, _lit("*"))), z3.Not(z3.Contains(value, _lit("?")))))]
        return present, [(value, yes)]


_NEGATED = {"stringnotequals": "stringequals", "stringnotequalsignorecase": "stringequalsignorecase",
            "stringnotlike": "stringlike", "arnnotequals": "arnequals", "arnnotlike": "arnlike",
            "numericnotequals": "numericequals", "datenotequals": "dateequals", "notipaddress": "ipaddress"}
_RELATIONS = {"equals": lambda a, b: a == b, "lessthan": lambda a, b: a < b, "lessthanequals": lambda a, b: a <= b,
              "greaterthan": lambda a, b: a > b, "greaterthanequals": lambda a, b: a >= b}


def condition(req: Request, operator: str, key: str, values: list):
    """One condition entry, per the condition-operator reference."""
    op = operator.lower()
    qualifier, _, base = op.rpartition(":")
    if_exists = base.endswith("ifexists")
    if if_exists:
        base = base[:-len("ifexists")]
    name = key.lower()
    present, elements = req.key(name)
    if base == "null":
        # "null" is a key absent from the request context or, for a multi-valued key, present with an empty
        # set of values (the multivalued-key examples: a Null condition "false" checks that the key exists
        # and its value is not null)
        null = z3.Or(z3.Not(present), z3.Not(elements[0][1])) if name in MULTI else z3.Not(present)
        return z3.Or(*[null if v.lower() == "true" else z3.Not(null) for v in values])
    negated = base in _NEGATED
    positive = _NEGATED.get(base, base)

    def matches(value):
        return z3.Or(*[_compare(req, positive, name, v, value) for v in values]) if values else z3.BoolVal(False)

    if qualifier == "foranyvalue":
        some = z3.Or(*[z3.And(in_set, z3.Not(matches(v)) if negated else matches(v)) for v, in_set in elements])
        on_present = some
        absent = z3.BoolVal(False)
    elif qualifier == "forallvalues":
        every = z3.And(*[z3.Implies(in_set, z3.Not(matches(v)) if negated else matches(v)) for v, in_set in elements])
        on_present = every
        absent = z3.BoolVal(True)
    else:
        some = z3.Or(*[z3.And(in_set, matches(v)) for v, in_set in elements])
        on_present = z3.Not(some) if negated else some
        absent = z3.BoolVal(negated)
    if if_exists:
        absent = z3.BoolVal(True)
    return z3.If(present, on_present, absent)


def _compare(req, base, name, policy, value):
    """A positive operator between one policy value and one request value."""
    if z3.is_bool(value):  # a boolean key: only Bool compares it, with "true" or "false"
        if base != "bool" or policy.lower() not in ("true", "false"):
            return z3.BoolVal(False)
        return value if policy.lower() == "true" else z3.Not(value)
    if "${" in policy:
        return _with_variables(req, policy, value.text if isinstance(value, Arn) else value)
    if isinstance(value, Arn) and base in ("stringequals", "stringlike"):
        return value.like(policy) if base == "stringlike" else value.equals(policy)
    if isinstance(value, Arn) and base == "stringequalsignorecase":
        return value.equals_ignoring_case(policy)
    if isinstance(value, Arn) and base not in ("arnequals", "arnlike"):
        value = value.text
    if base in ("stringequals", "binaryequals"):
        return value == _lit(policy) if not z3.is_bv(value) and not z3.is_real(value) else z3.BoolVal(False)
    if z3.is_bv(value):
        if base != "ipaddress":
            return z3.BoolVal(False)
        network = _ip(policy)
        if network is None:
            return z3.BoolVal(False)
        return value & network[1] == network[0]
    if z3.is_real(value):
        number = _epoch(policy) if base.startswith("date") else _number(policy)
        if number is None or not (base.startswith("numeric") or base.startswith("date")):
            return z3.BoolVal(False)
        relation = base[len("numeric"):] if base.startswith("numeric") else base[len("date"):]
        return _RELATIONS[relation](value, z3.RealVal(number))
    if base == "stringequalsignorecase":
        return _ignore_case_literal(value, policy)
    if base == "stringlike":
        return like(value, policy)
    if base in ("arnequals", "arnlike"):
        return arn_like(value, policy)
    if base == "bool":
        return value == _lit(policy.lower())
    return z3.BoolVal(False)  # a numeric, date or address operator on a string key


def _ignore_case_literal(value, policy):
    if z3.is_string_value(value):
        return z3.BoolVal(value.as_string().lower() == policy.lower())
    if policy.lower() == policy.upper():
        return value == _lit(policy)
    parts = [z3.Union(z3.Re(c.lower()), z3.Re(c.upper())) if c.lower() != c.upper() else z3.Re(c) for c in policy]
    if not parts:
        return value == _lit("")
    return z3.InRe(value, z3.Concat(*parts) if len(parts) > 1 else parts[0])


def _with_variables(req, policy, value):
    """A policy value with ``${key}``: equal to the text with the request's
    value of each key; no match when the request lacks the key."""
    pieces, needed = [], []
    for i, piece in enumerate(re.split(r"\$\{([^}]*)\}", policy)):
        if i % 2 == 0:
            if piece:
                pieces.append(_lit(piece))
        else:
            present, items = req.key(piece.strip().lower())
            needed.append(present)
            pieces.append(items[0][0])
    text = pieces[0] if len(pieces) == 1 else z3.Concat(*pieces)
    return z3.And(*needed, value == text)


def _action_matches(pattern: str, action: str) -> bool:
    regex = "".join(".*" if c == "*" else "." if c == "?" else re.escape(c) for c in pattern)
    return re.fullmatch(regex, action, re.IGNORECASE | re.DOTALL) is not None


def _as_list(value):
    return value if isinstance(value, list) else [value]


def principal(req: Request, ptype: str, value: str):
    """Whether a Principal entry names the caller: ``*`` everyone; an
    account id or root ARN every principal of that account; another ARN
    that principal; a service, federated or canonical user by name."""
    if ptype == "*" or value == "*":
        return z3.BoolVal(True)
    if ptype == "Service":
        return z3.And(req.kind == 1, req.service == _lit(value.lower()))
    if ptype == "Federated":
        return z3.And(req.kind == 2, req.name == _lit(value))
    if ptype == "CanonicalUser":
        return z3.And(req.kind == 3, req.name == _lit(value))
    fields = value.split(":", 5)
    if len(fields) == 6 and fields[0] == "arn":
        if fields[5] == "root":
            return z3.And(req.kind == 0, like(req.account, fields[4]))
        return z3.And(req.kind == 0, req.arn.like(value))
    if re.fullmatch(r"[0-9*?]{1,12}", value) or value == OWNER:
        return z3.And(req.kind == 0, like(req.account, value))
    return z3.And(req.kind == 0, z3.Or(req.userid == _lit(value), z3.PrefixOf(_lit(value + ":"), req.userid)))


def _principals(block) -> list:
    if block == "*":
        return [("*", "*")]
    return [(ptype, v) for ptype, values in block.items() for v in _as_list(values)]


def statement(req: Request, st: dict):
    """A statement applies: principal, action and every condition match."""
    parts = []
    if "Principal" in st:
        parts.append(z3.Or(*[principal(req, t, v) for t, v in _principals(st["Principal"])] or [z3.BoolVal(False)]))
    elif "NotPrincipal" in st:
        parts.append(z3.Not(z3.Or(*[principal(req, t, v) for t, v in _principals(st["NotPrincipal"])]
                                  or [z3.BoolVal(False)])))
    if "Action" in st:
        allowed = [i for i, a in enumerate(SEND_ACTIONS) if any(_action_matches(p, a) for p in _as_list(st["Action"]))]
    else:
        allowed = [i for i, a in enumerate(SEND_ACTIONS)
                   if not any(_action_matches(p, a) for p in _as_list(st["NotAction"]))]
    parts.append(z3.Or(*[req.action == i for i in allowed]) if allowed else z3.BoolVal(False))
    for operator, entries in st.get("Condition", {}).items():
        for key, values in entries.items():
            parts.append(condition(req, operator, key, [str(v) for v in _as_list(values)]))
    return z3.And(*parts)


def _unmark(value):
    if isinstance(value, str):
        return _MARKER.sub(OWNER, value)
    if isinstance(value, list):
        return [_unmark(v) for v in value]
    if isinstance(value, dict):
        return {k: _unmark(v) for k, v in value.items()}
    return value


class Names(NamedTuple):
    accounts: frozenset
    orgs: frozenset
    userids: dict  # literal unique id -> label
    services: frozenset
    federated: frozenset
    canonical: frozenset


def names(statements: list) -> Names:
    """The values the policy names literally, by kind."""
    accounts, orgs, userids, services, federated, canonical = set(), set(), {}, set(), set(), set()

    def literal(v):
        return "*" not in v and "?" not in v and "${" not in v

    for st in statements:
        for block in (st.get("Principal"), st.get("NotPrincipal")):
            if block is None:
                continue
            for ptype, v in _principals(block):
                if ptype == "Service":
                    services.add(v.lower())
                elif ptype == "Federated":
                    federated.add(v)
                elif ptype == "CanonicalUser":
                    canonical.add(v)
                elif ptype == "AWS" and v != "*":
                    fields = v.split(":", 5)
                    account = fields[4] if len(fields) == 6 and fields[0] == "arn" else v
                    if literal(account) and (re.fullmatch(r"[0-9]{1,12}", account) or account == OWNER):
                        accounts.add(account)
                    elif not (len(fields) == 6 and fields[0] == "arn") and not re.fullmatch(r"[0-9*?]{1,12}", v):
                        userids.setdefault(v, ("principal", v))
        for entries in st.get("Condition", {}).values():
            for key, values in entries.items():
                name = key.lower()
                for v in _as_list(values):
                    v = str(v)
                    if name in ("aws:principalaccount", "aws:sourceaccount", "aws:sourceowner") and literal(v):
                        accounts.add(v)
                    elif name in ("aws:principalorgid", "aws:sourceorgid") and literal(v):
                        orgs.add(v)
                    elif name in ("aws:principalorgpaths", "aws:sourceorgpaths") and literal(v.split("/")[0]):
                        orgs.add(v.split("/")[0])
                    elif name in ("aws:principalarn", "aws:sourcearn"):
                        fields = v.split(":", 5)
                        if len(fields) == 6 and fields[4] and literal(fields[4]):
                            accounts.add(fields[4])
                    elif name == "aws:userid":
                        if re.fullmatch(r"[0-9]{1,12}", v) or v == OWNER:
                            accounts.add(v)
                        elif v and literal(v.split(":", 1)[0]) and not re.fullmatch(r"[0-9*?]{1,12}", v):
                            userids.setdefault(v.split(":", 1)[0], ("userid", v))
    return Names(frozenset(accounts), frozenset(orgs), userids, frozenset(services), frozenset(federated),
                 frozenset(canonical))


_LABELS = {"account": "account", "org": "organization", "userid": "user id", "principal": "principal",
           "federated": "federated", "canonical": "canonical user"}


def covers(st: dict, identity: str) -> bool:
    """The statement's Resource names the identity's ARN, or its NotResource
    does not (ARNs compare case sensitively, with ``*`` and ``?``)."""
    if "NotResource" in st:
        return not any(_glob_py(str(p), identity) for p in _as_list(st["NotResource"]))
    return any(_glob_py(str(p), identity) for p in _as_list(st.get("Resource", "*")))


def judge(document: dict, trust: tuple, rlimit: int = RLIMIT, identity: str = IDENTITY) -> Answer:
    """Who may send, by the model, through the identity whose ARN is
    ``identity``: see the module docstring."""
    _fresh_context()
    statements = _unmark(document["Statement"])
    statements = statements if isinstance(statements, list) else [statements]
    trusted_accounts, trusted_orgs = (frozenset(t) for t in trust)
    found = names(statements)
    orgs_trusted = trusted_orgs or found.orgs
    req = Request()
    statements = [st for st in statements if covers(st, identity)]
    allows = [statement(req, st) for st in statements if st.get("Effect") == "Allow"
              and ("Principal" in st or "NotPrincipal" in st)]
    denies = [statement(req, st) for st in statements if st.get("Effect") == "Deny"]
    allowed = z3.And(z3.Or(*allows) if allows else z3.BoolVal(False),
                     z3.Not(z3.Or(*denies)) if denies else z3.BoolVal(True))

    def trusted_account(account):
        return z3.Or(account == _lit(OWNER), *[account == _lit(a) for a in sorted(trusted_accounts)])

    def in_trusted_org(present, org):
        return z3.And(present, z3.Or(*[org == _lit(o) for o in sorted(orgs_trusted)] or [z3.BoolVal(False)]))

    def one_of(var, values):
        return z3.Or(*[var == _lit(v) for v in sorted(values)] or [z3.BoolVal(False)])

    aws, service = req.kind == 0, req.kind == 1
    trusted = z3.Or(z3.And(aws, z3.Or(trusted_account(req.account), in_trusted_org(req.in_org, req.org))),
                    z3.And(service, req.has_source, z3.Or(trusted_account(req.src_account),
                                                          in_trusted_org(req.src_in_org, req.src_org))))
    uid_named = z3.Or(*[z3.Or(req.userid == _lit(u), z3.PrefixOf(_lit(u + ":"), req.userid))
                        for u in sorted(found.userids)] or [z3.BoolVal(False)])
    base = [*req.facts(), *getattr(req, "extra", []), allowed, z3.Not(trusted)]

    def possible(*constraints) -> bool:
        solver = z3.Solver()
        solver.set("rlimit", rlimit)
        solver.add(*base, *constraints)
        result = solver.check()
        if result == z3.unknown:
            raise RuntimeError(f"z3 could not decide: {solver.reason_unknown()}")
        return result == z3.sat

    sourceless = frozenset(s for s in found.services
                           if possible(service, req.service == _lit(s), z3.Not(req.has_source)))
    counted_service = z3.And(service, z3.Not(one_of(req.service, sourceless)))
    unnamed = z3.Or(
        z3.And(aws, z3.Not(one_of(req.account, found.accounts)),
               z3.Not(z3.And(req.in_org, one_of(req.org, found.orgs))), z3.Not(uid_named)),
        z3.And(counted_service, req.has_source, z3.Not(one_of(req.src_account, found.accounts)),
               z3.Not(z3.And(req.src_in_org, one_of(req.src_org, found.orgs)))),
        z3.And(service, z3.Not(req.has_source), z3.Not(one_of(req.service, found.services))))
    unmodelled = frozenset(req.unmodelled)
    if possible(unnamed):
        return Answer(True, frozenset(), frozenset(), unmodelled)
    labels = set()
    for account in sorted(found.accounts):
        if possible(z3.Or(z3.And(aws, req.account == _lit(account)),
                          z3.And(counted_service, req.has_source, req.src_account == _lit(account)))):
            labels.add(f"account {account}")
    for org in sorted(found.orgs):
        if possible(z3.Or(z3.And(aws, z3.Not(one_of(req.account, found.accounts)), req.in_org, req.org == _lit(org)),
                          z3.And(counted_service, req.has_source, z3.Not(one_of(req.src_account, found.accounts)),
                                 req.src_in_org, req.src_org == _lit(org)))):
            labels.add(f"organization {org}")
    for uid, (kind, label) in sorted(found.userids.items()):
        if possible(aws, z3.Not(one_of(req.account, found.accounts)),
                    z3.Not(z3.And(req.in_org, one_of(req.org, found.orgs))),
                    z3.Or(req.userid == _lit(uid), z3.PrefixOf(_lit(uid + ":"), req.userid))):
            labels.add(f"{_LABELS[kind]} {label}")
    for kind, values, number in (("federated", found.federated, 2), ("canonical", found.canonical, 3)):
        for value in sorted(values):
            if possible(req.kind == number, req.name == _lit(value)):
                labels.add(f"{_LABELS[kind]} {value}")
    return Answer(False, frozenset(labels), sourceless, unmodelled)

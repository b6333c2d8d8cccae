"""Who may send mail through an SES identity, according to its policy.

``evaluate`` turns every ``Allow`` statement that grants a send action into
a ``Grant`` saying who it admits. A grant's audience is the intersection of
*constraints*: its principal list, each condition entry that narrows the
callers, and each narrowing a ``Deny`` statement adds. Every constraint is a
list of entities (accounts, organizations, services, the owner account,
unknown values...). The grant is confined when one constraint admits only
trusted entities, public when anyone passes the principal list and no
condition narrows, undecided when a constraint that could be all-trusted
depends on an unknown, and otherwise reaches untrusted entities.
"""

from __future__ import annotations

import dataclasses
import re
from dataclasses import dataclass, field
from typing import Any, Optional

from analyzer.model import (
    ConditionEntry,
    PolicyDocument,
    PrincipalEntry,
    Statement,
    Unknown,
    display,
    has_marker,
    split_marked,
    unknowns_in,
)
from analyzer.policy.exact import Weigher
from analyzer.policy.keys import is_modelled, unmodelled, unmodelled_variables
from analyzer.policy.reach import MAX_MASKS, TooComplex
from analyzer.policy.resources import applies
from analyzer.policy.statements import prepare
from analyzer.policy.wildcard import SEND_ACTIONS, iam_match

# ---------------------------------------------------------------------------
# Results
# ---------------------------------------------------------------------------


@dataclass
class Trust:
    """Who the user trusts besides the owner account, which is always trusted."""

    accounts: frozenset = frozenset()
    orgs: frozenset = frozenset()

    @property
    def configured(self) -> bool:
        """Whether the user named any trusted account or organization."""
        return bool(self.accounts or self.orgs)


@dataclass
class Ignored:
    """A condition entry that does not narrow the callers, and why."""

    condition: ConditionEntry
    reason: str


@dataclass
class Grant:
    """What one ``Allow`` statement that grants sending admits."""

    statement: Statement
    actions: list = field(default_factory=list)  # canonical names from SEND_ACTIONS
    public: bool = False  # SES101
    network: list = field(default_factory=list)  # ConditionEntry limiting where calls come from
    untrusted: list = field(default_factory=list)  # sorted entity texts (SES102)
    services_without_source: list = field(default_factory=list)  # sorted service names (SES103)
    unknowns: list = field(default_factory=list)  # Unknowns the verdict depends on (SES003)
    narrowing: list = field(default_factory=list)  # ConditionEntry that narrow the callers
    ignored: list = field(default_factory=list)  # Ignored
    admitted: str = ""  # who passes, as a phrase
    notes: list = field(default_factory=list)
    # the statements admitting the same in the other documents the policy may be (analyzer.policy.alternatives)
    elsewhere: list = field(default_factory=list)


@dataclass
class Verdict:
    """Who may send, for one policy document."""

    grants: list = field(default_factory=list)  # Grant, in document order
    unknowns: list = field(default_factory=list)  # Unknowns hiding part of the document
    denied_all: bool = False  # an unconditional Deny * removed every grant
    notes: list = field(default_factory=list)


# ---------------------------------------------------------------------------
# Entities
# ---------------------------------------------------------------------------


@dataclass(frozen=True)
class _Entity:
    """Someone a constraint admits. ``value`` is a string, or the
    ``Unknown`` itself for kind ``unknown``."""

    kind: str  # anyone, owner, account, org, service, federated, canonical, userid, principal, unknown
    value: Any = ""

    @property
    def text(self) -> str:
        if self.kind == "unknown":
            return display(self.value)
        if self.kind in ("anyone", "owner"):
            return _NOUNS[self.kind][0]
        return f"{_NOUNS[self.kind][0]} {self.value}"


_NOUNS = {
    "anyone": ("anyone", "anyone"),
    "owner": ("the owner account", "the owner account"),
    "account": ("account", "accounts"),
    "org": ("organization", "organizations"),
    "service": ("service", "services"),
    "federated": ("federated", "federated"),
    "canonical": ("canonical user", "canonical users"),
    "userid": ("user id", "user ids"),
    "principal": ("principal", "principals"),
}

_ANYONE = _Entity("anyone")
_OWNER = _Entity("owner")
_SPANNING = _Entity("spanning")  # a value matching callers in any account; never in a constraint

_ACCOUNT_ID = re.compile(r"[0-9]{12}")


def _parts(value: Any) -> list:
    """``value`` as literal strings and ``Unknown`` parts."""
    return [value] if isinstance(value, Unknown) else split_marked(str(value))


def _fields(parts: list, sep: str) -> list:
    """Cut marked parts into fields at ``sep``; an unknown stays inside its field."""
    fields: list = [[]]
    for part in parts:
        if isinstance(part, Unknown):
            fields[-1].append(part)
            continue
        first, *rest = part.split(sep)
        if first:
            fields[-1].append(first)
        fields.extend([piece] if piece else [] for piece in rest)
    return fields


def _arn_account(parts: list) -> Optional[list]:
    """The parts of the account field when ``parts`` spell an ARN, else None."""
    fields = _fields(parts, ":")
    return fields[4] if len(fields) >= 6 and fields[0] == ["arn"] else None


def _id_entity(parts: list, kind: str, other: Optional[_Entity] = None) -> _Entity:
    """Classify an account (``kind`` account) or organization id field.

    A wildcard spans every account; an unknown is the owner when it is the
    owner marker alone; a literal that is no account id becomes ``other``.
    """
    literal = "".join(p for p in parts if isinstance(p, str))
    if "*" in literal or "?" in literal:
        return _SPANNING
    unknowns = [p for p in parts if isinstance(p, Unknown)]
    if unknowns:
        if kind == "account" and len(parts) == 1 and unknowns[0].is_owner:
            return _OWNER
        return _Entity("unknown", next((u for u in unknowns if not u.is_owner), unknowns[0]))
    if kind == "account" and not _ACCOUNT_ID.fullmatch(literal):
        return other or _Entity("account", literal)
    return _Entity(kind, literal)


def _principal_entity(entry: PrincipalEntry) -> _Entity:
    if entry.type == "*":
        return _ANYONE
    if entry.type == "AWS":
        return _aws_principal(entry.value)
    kind = {"Service": "service", "Federated": "federated", "CanonicalUser": "canonical"}
    return _Entity(kind.get(entry.type, "principal"), display(entry.value))


def _aws_principal(value: Any) -> _Entity:
    """An AWS principal: ``*``, an account id, an ARN, or an unknown."""
    if value == "*":
        return _ANYONE
    parts = _parts(value)
    other = _Entity("principal", display(value))
    account = _arn_account(parts)
    if account is None:
        account = parts
    elif not account:
        return other
    entity = _id_entity(account, "account", other)
    return _ANYONE if entity is _SPANNING else entity


def _is_untrusted(entity: _Entity, trust: Trust) -> bool:
    if entity.kind == "account":
        return entity.value not in trust.accounts
    if entity.kind == "org":
        return bool(trust.orgs) and entity.value not in trust.orgs
    return entity.kind in ("federated", "canonical", "userid", "principal")


_TRUSTED, _MAYBE, _NOT_TRUSTED = "trusted", "maybe", "not trusted"


def _status(entities: list, trust: Trust) -> str:
    """Whether a constraint admits only trusted entities, maybe, or not."""
    if any(e.kind in ("anyone", "service") or _is_untrusted(e, trust) for e in entities):
        return _NOT_TRUSTED
    if any(e.kind == "unknown" for e in entities):
        return _MAYBE
    return _TRUSTED


def _describe(entities: list) -> str:
    """Who a constraint admits, as a phrase."""
    if not entities:
        return "nobody"
    if any(e.kind == "anyone" for e in entities):
        return "anyone"
    groups = []
    for kind, (singular, plural) in _NOUNS.items():
        values = sorted({e.value for e in entities if e.kind == kind})
        if kind == "owner" and values:
            groups.append(singular)
        elif values:
            groups.append(f"{singular if len(values) == 1 else plural} {', '.join(values)}")
    unknowns = _unique(e.value for e in entities if e.kind == "unknown")
    groups.extend(display(u) for u in unknowns)
    return " and ".join(groups)


# ---------------------------------------------------------------------------
# Conditions
# ---------------------------------------------------------------------------

_ACCOUNT_KEYS = {"aws:principalaccount", "aws:sourceaccount", "aws:sourceowner"}
_ARN_KEYS = {"aws:principalarn", "aws:sourcearn"}
_ORG_KEYS = {"aws:principalorgid", "aws:sourceorgid"}
_ORG_PATH_KEYS = {"aws:principalorgpaths", "aws:sourceorgpaths"}
_USERID_KEY = "aws:userid"
_IDENTITY_KEYS = _ACCOUNT_KEYS | _ARN_KEYS | _ORG_KEYS | _ORG_PATH_KEYS | {_USERID_KEY}
_SOURCE_KEYS = {"aws:sourceaccount", "aws:sourcearn", "aws:sourceowner", "aws:sourceorgid",
                "aws:sourceorgpaths"}
_NETWORK_KEYS = {"aws:sourceip", "aws:sourcevpc", "aws:sourcevpce"}
_OPEN_NETWORKS = {"0.0.0.0/0", "::/0"}

_KEY_REASONS = {
    "ses:fromaddress": "limits the From address, not who may send",
    "ses:fromdisplayname": "limits the From display name, not who may send",
    "ses:recipients": "limits the recipients, not who may send",
    "ses:feedbackaddress": "limits the feedback address, not who may send",
    "ses:apiversion": "limits the API version, not who may send",
    "aws:securetransport": "requires HTTPS, not a particular caller",
    "aws:currenttime": "limits when a call is made, not who makes it",
    "aws:epochtime": "limits when a call is made, not who makes it",
    **{key: "limits where a call comes from, not who makes it" for key in _NETWORK_KEYS},
}

_POSITIVE = {"stringequals", "stringequalsignorecase", "stringlike", "arnequals", "arnlike"}
_NEGATED = {"stringnotequals", "stringnotequalsignorecase", "stringnotlike", "arnnotequals",
            "arnnotlike", "numericnotequals", "datenotequals", "notipaddress"}
_OTHER_OPERATORS = {"numericequals", "numericlessthan", "numericlessthanequals",
                    "numericgreaterthan", "numericgreaterthanequals", "dateequals",
                    "datelessthan", "datelessthanequals", "dategreaterthan",
                    "dategreaterthanequals", "bool", "binaryequals", "ipaddress", "null"}


def _operator_reason(operator: str, positive: set) -> Optional[str]:
    """Why ``operator`` cannot narrow, or None when it is in ``positive``
    and neither ``...IfExists`` nor ``ForAllValues:``."""
    name = operator.lower()
    qualifier, _, base = name.rpartition(":")
    if_exists = base.endswith("ifexists")
    if if_exists:
        base = base[:-len("ifexists")]
    if qualifier not in ("", "forallvalues", "foranyvalue") or base not in (
            _POSITIVE | _NEGATED | _OTHER_OPERATORS):
        return f"{operator} is not a condition operator"
    if base in _NEGATED:
        return f"{operator} admits every caller whose value differs"
    if base not in positive:
        return f"{operator} does not match who the caller is"
    if if_exists:
        return f"{operator} lets callers without the key through"
    if qualifier == "forallvalues":
        return f"{operator} is true when the key is absent"
    return None


def _condition_entity(key: str, value: Any) -> _Entity:
    """Who a value of the caller-identity ``key`` admits (maybe ``_SPANNING``)."""
    parts = _parts(value)
    if key in _ACCOUNT_KEYS:
        return _id_entity(parts, "account")
    if key in _ARN_KEYS:
        account = _arn_account(parts)
        if account is None and any(isinstance(p, Unknown) for p in parts):
            account = parts  # an ARN known only at apply time
        # An ARN without an account field (an S3 bucket) names no account.
        return _id_entity(account, "account") if account else _SPANNING
    if key in _ORG_KEYS:
        return _id_entity(parts, "org")
    if key in _ORG_PATH_KEYS:
        return _id_entity(_fields(parts, "/")[0], "org")
    # aws:userid is "UNIQUEID:session" or, for the root user, the account id.
    # The account behind a unique id is not derivable, so a literal unique id
    # admits that one principal, reported by its user id.
    return _id_entity(_fields(parts, ":")[0], "account", _Entity("userid", display(value)))


@dataclass
class _Reading:
    """How one condition entry reads: it ``narrows`` to ``entities``, is
    ``ignored`` for ``reason``, or is ``unknown`` (it may narrow)."""

    kind: str
    entities: list = field(default_factory=list)
    reason: str = ""
    network: bool = False  # limits where calls come from
    spans_source: bool = False  # a source key whose value spans accounts


def _known(text: Any) -> bool:
    return isinstance(text, str) and not has_marker(text)


def _read_condition(entry: ConditionEntry, statement: str) -> _Reading:
    operator, key = entry.operator, entry.key
    if _known(key) and not is_modelled(key.lower()):
        return _Reading("unknown", [_Entity("unknown", unmodelled(key, statement))])
    if _known(key) and key.lower() not in _IDENTITY_KEYS:
        name = key.lower()
        reason = f"{key} {_KEY_REASONS.get(name, 'does not identify the caller')}"
        return _Reading("ignored", reason=reason,
                        network=name in _NETWORK_KEYS and _restricts_network(entry))
    hidden = unmodelled_variables(key, entry.values) if _known(key) else []
    if hidden:
        return _Reading("unknown", [_Entity("unknown", unmodelled(name, statement)) for name in hidden])
    reason = _operator_reason(operator, _POSITIVE) if _known(operator) else None
    if reason:
        return _Reading("ignored", reason=reason)
    if not (_known(key) and _known(operator)):
        hidden = _unique(unknowns_in([operator, key]))
        return _Reading("unknown", [_Entity("unknown", u) for u in hidden])
    name = key.lower()
    entities = [_condition_entity(name, value) for value in entry.values]
    if _SPANNING in entities:
        value = entry.values[entities.index(_SPANNING)]
        return _Reading("ignored", reason=f"the value {display(value)!r} of {key} matches "
                        "callers in any account", spans_source=name in _SOURCE_KEYS)
    return _Reading("narrows", entities)


def _restricts_network(entry: ConditionEntry) -> bool:
    """Whether a network condition really limits where calls come from."""
    if not _known(entry.operator) or _operator_reason(entry.operator, _POSITIVE | {"ipaddress"}):
        return False
    return not any(isinstance(v, str) and (v.strip() in _OPEN_NETWORKS or "*" in v or "?" in v)
                   for v in entry.values)


# ---------------------------------------------------------------------------
# Statements
# ---------------------------------------------------------------------------


def _effect(st: Statement) -> tuple:
    """("Allow" | "Deny" | "unknown" | "", the unknowns hiding the effect)."""
    effect = st.effect
    if isinstance(effect, Unknown) or (isinstance(effect, str) and has_marker(effect)):
        return "unknown", _unique(unknowns_in(effect))
    return (effect if effect in ("Allow", "Deny") else ""), []


def _pattern_matches(pattern: Any, action: str) -> Optional[bool]:
    """Whether an action pattern matches ``action``; None when an unknown decides."""
    if isinstance(pattern, Unknown):
        return None
    if not isinstance(pattern, str):
        return False
    if not has_marker(pattern):
        return iam_match(pattern, action)
    widest = "".join(p if isinstance(p, str) else "*" for p in split_marked(pattern))
    return None if iam_match(widest, action) else False


def _coverage(st: Statement) -> tuple:
    """(send actions surely covered, send actions maybe covered, the unknowns
    that leave them in doubt) by the statement's Action or NotAction."""
    negated = st.actions is None
    patterns = st.not_actions if negated else st.actions
    sure, maybe, unknowns = [], [], []
    if patterns is None:
        return sure, maybe, unknowns
    for action in SEND_ACTIONS:
        results = [_pattern_matches(p, action) for p in patterns]
        if None in results and True not in results:
            maybe.append(action)
            unknowns.extend(u for p, r in zip(patterns, results) if r is None for u in unknowns_in(p))
        elif (True in results) != negated:
            sure.append(action)
    return sure, maybe, _unique(unknowns)


def _names_everyone(st: Statement) -> bool:
    """Whether the Principal is everyone as written (``*``, ``{"AWS": "*"}``)."""
    return st.principals is not None and any(p.type == "*" or (p.type == "AWS" and p.value == "*")
                                             for p in st.principals)


@dataclass
class _Draft:
    """A grant being evaluated, with the constraints on its audience."""

    grant: Grant
    principal: list  # entities of the principal list
    conditions: list  # entity lists of conditions that narrow or may narrow
    spans_source: bool  # a source condition spans accounts
    existence: list  # unknowns deciding whether the statement grants at all


def _draft(st: Statement, actions: list, existence: list) -> _Draft:
    grant = Grant(statement=st, actions=actions)
    if st.principals is not None:
        principal = [_principal_entity(p) for p in st.principals]
    elif any(p.type == "*" or (p.type == "AWS" and p.value == "*") for p in st.not_principals):
        principal = []  # everyone is named, so nobody is admitted
    else:
        principal = [_ANYONE]
        grant.notes.append("NotPrincipal in an Allow admits everyone it does not name")
    draft = _Draft(grant, principal, [], False, existence)
    for entry in st.conditions:
        reading = _read_condition(entry, st.label)
        if reading.kind == "ignored":
            grant.ignored.append(Ignored(entry, reading.reason))
            draft.spans_source = draft.spans_source or reading.spans_source
            if reading.network:
                grant.network.append(entry)
            continue
        if reading.kind == "narrows":
            grant.narrowing.append(entry)
        draft.conditions.append(reading.entities)
    return draft


# Deny statements times grants weighed one against the other; past it (a
# policy far beyond the 4 KB SES accepts), conditional denies are not
# evaluated, which leaves the grants as wide as without them.
MAX_DENY_WORK = 100_000
# Condition values past which a document's witnesses are not even gathered.
MAX_CONDITION_VALUES = 5_000


def _apply_unconditional(denies: list, drafts: list, verdict: Verdict, loose: dict) -> list:
    """Remove the actions a ``Deny`` of everyone without condition denies;
    return the other Denies that may deny sending."""
    removed: set = set()
    weighed = []
    for st, sure, maybe in denies:
        if sure and _names_everyone(st) and not st.conditions and id(st) not in loose:
            removed.update(sure)
            verdict.notes.append(f"{st.label} denies {', '.join(sure)} to everyone")
        elif sure or maybe:
            weighed.append((st, sure + maybe))
    for draft in drafts:
        draft.grant.actions = [a for a in draft.grant.actions if a not in removed]
    verdict.denied_all = bool(removed) and not any(d.grant.actions for d in drafts)
    return weighed


def _weigh_denies(weighed: list, grants: list, verdict: Verdict, trust: Trust, statements: list,
                  loose: dict) -> None:
    """Judge each grant a Deny may narrow over the caller space; the
    witnesses come from the values every statement of the document names.
    A Deny in ``loose`` may not cover the identity, as the unknowns it maps
    to decide: it is weighed both ways."""
    if not grants:
        return
    note = (f"{len(weighed)} Deny statements were not evaluated: against {len(grants)} grants, that is more "
            f"than sesguard weighs ({MAX_DENY_WORK:,} pairs)")
    if len(weighed) * len(grants) > MAX_DENY_WORK:
        _note_all(note, grants, verdict)
        return
    pending = [(g, [st for st, actions in weighed if set(actions) & set(g.actions)]) for g in grants]
    # an Allow with a Principal and without condition that no Deny covers
    # reads the same one entry at a time (the caller space would only confirm it)
    pending = [(g, sts) for g, sts in pending if sts or g.statement.conditions or g.statement.principals is None]
    if not pending:
        return
    values = sum(len(e.values) for st in statements for e in st.conditions)
    weigher = None
    if values <= MAX_CONDITION_VALUES:
        prepared = {id(st): prepare(st) for st in statements}
        for key, unknowns in loose.items():
            prepared[key].unknowns.extend(unknowns)
        weigher = Weigher(list(prepared.values()), trust)
    if weigher is None or not weigher.affordable(len(pending)):
        if weighed:  # without a Deny, the statements read one by one say the same, only less exactly
            _note_all(note, grants, verdict)
        return
    weighed_grants = []
    for grant, sts in pending:
        allow = prepared[id(grant.statement)]
        if not allow.exact or grant.unknowns:
            for st in sts:
                note = f"a Deny {st.label} is present and was not evaluated"
                verdict.notes.append(note)
                grant.notes.append(note)
            continue
        covers = {id(st): set(actions) for st, actions in weighed}
        # a Deny may cover some of the granted actions: weigh each one then
        parts = [grant.actions] if not sts else [[a] for a in grant.actions]
        try:
            outcome = [(actions, weigher.weigh(allow, [prepared[id(st)] for st in sts
                                                       if set(actions) <= covers[id(st)]], actions))
                       for actions in parts]
        except TooComplex:
            note = (f"the {len(sts)} Deny statements that cover {grant.statement.label} combine in more ways than "
                    f"sesguard weighs ({MAX_MASKS:,}) and were not evaluated")
            verdict.notes.append(note)
            grant.notes.append(note)
            continue
        weighed_grants.append((grant, outcome))
    # a service one grant lets act for no source acts for anyone: another
    # grant's requests for a source add nothing to who may send
    sourceless = {s for g in grants for s in g.services_without_source if all(g is not w for w, _ in weighed_grants)}
    sourceless.update(*(w.sourceless() for _, parts in weighed_grants for _, w in parts))
    split = {}
    for grant, parts in weighed_grants:
        split[id(grant)] = _split_by_outcome(grant, [(actions, w.outcome(sourceless)) for actions, w in parts])
    grants[:] = [g for grant in grants for g in split.get(id(grant), [grant])]


def _split_by_outcome(grant: Grant, parts: list) -> list:
    """The grant, once per distinct outcome of its actions, in action order."""
    groups: dict = {}
    for actions, outcome in parts:
        key = (outcome.public, tuple(outcome.untrusted), tuple(outcome.services), tuple(outcome.unknowns))
        groups.setdefault(key, []).append((actions, outcome))
    found = []
    for members in groups.values():
        outcome = members[0][1]
        outcome.biting = list({id(d): d for _, o in members for d in o.biting}.values())
        outcome.idle = [d for d in {id(d): d for _, o in members for d in o.idle}.values()
                        if all(d is not b for b in outcome.biting)]
        part = grant if len(groups) == 1 else dataclasses.replace(
            grant, **{f.name: list(getattr(grant, f.name)) for f in dataclasses.fields(grant)
                      if isinstance(getattr(grant, f.name), list)})
        part.actions = [a for actions, _ in members for a in actions]
        _apply_outcome(part, outcome)
        found.append(part)
    return found


def _note_all(note: str, grants: list, verdict: Verdict) -> None:
    verdict.notes.append(note)
    for grant in grants:
        grant.notes.append(note)


def _apply_outcome(grant: Grant, outcome) -> None:
    before = (grant.public, grant.untrusted, grant.services_without_source)
    grant.public = outcome.public
    grant.untrusted = [] if grant.public else sorted({_Entity(*label).text for label in outcome.untrusted})
    grant.services_without_source = [] if grant.public else list(outcome.services)
    grant.unknowns = list(outcome.unknowns)
    if (grant.public, grant.untrusted, grant.services_without_source) != before or grant.unknowns:
        if grant.public:
            grant.admitted = "anyone"
        elif grant.unknowns:
            grant.admitted = " and ".join(display(u) for u in grant.unknowns)
        else:
            grant.admitted = _describe([_Entity(*label) for label in outcome.admitted])
    for deny in outcome.biting:
        if not outcome.public:
            grant.notes.append(f"a Deny {deny.statement.label} turns away {_excluded_by(deny.statement)}")
        else:
            grant.notes.append(f"a Deny {deny.statement.label} turns away some callers, but not these")
        grant.narrowing.extend(deny.statement.conditions)
    if not outcome.confined:
        for deny in outcome.idle:
            if deny.exact:
                grant.notes.append(f"a Deny {deny.statement.label} turns away none of these callers")
            else:
                grant.notes.append(f"a Deny {deny.statement.label} may turn callers away, depending on values "
                                   "that could not be resolved")
                grant.narrowing.extend(deny.statement.conditions)


def _excluded_by(statement) -> str:
    """Which callers a Deny that narrows a grant turns away, by what it writes."""
    parts = [part for part, written in (("NotPrincipal", statement.not_principals is not None),
                                        ("condition", bool(statement.conditions))) if written]
    return f"callers its {' and '.join(parts)} exclude{'s' if len(parts) == 1 else ''}" if parts else \
        "the callers it names"


def _finish(draft: _Draft, trust: Trust) -> Grant:
    """Decide who the drafted grant admits."""
    grant = draft.grant
    constraints = [draft.principal] + draft.conditions
    statuses = [_status(c, trust) for c in constraints]
    if _TRUSTED in statuses:
        grant.admitted = _describe(constraints[statuses.index(_TRUSTED)])
        return grant
    services = sorted({e.value for e in draft.principal if e.kind == "service"})
    anyone = any(e.kind == "anyone" for e in draft.principal) or (services and draft.spans_source)
    if anyone and not draft.conditions:
        grant.public, grant.admitted = True, "anyone"
    elif _MAYBE in statuses:
        undecided = [c for c, s in zip(constraints, statuses) if s == _MAYBE]
        grant.unknowns = _unique(e.value for c in undecided for e in c if e.kind == "unknown")
        grant.admitted = _describe(undecided[0])
    elif draft.conditions:
        # The principal list is a constraint too: a condition naming more
        # accounts than the principals does not widen who may send.
        narrowest = _intersection(constraints)
        if narrowest is None:
            narrowest = min(constraints, key=lambda c: (any(e.kind in ("anyone", "service") for e in c),
                                                        len(_untrusted(c, trust))))
        grant.untrusted = _untrusted(narrowest, trust)
        grant.admitted = _describe(narrowest)
    else:
        grant.untrusted = _untrusted(draft.principal, trust)
        grant.services_without_source = services
        grant.admitted = _describe(draft.principal)
    if draft.existence:
        grant.public, grant.untrusted, grant.services_without_source = False, [], []
        grant.unknowns = _unique(draft.existence + grant.unknowns)
    return grant


def _intersection(constraints: list) -> Optional[list]:
    """The entities every constraint admits, when all of them list accounts
    only (the owner included); None when they name other kinds, whose
    overlap cannot be told (an account may belong to an organization)."""
    if not all(e.kind in ("account", "owner") for c in constraints for e in c):
        return None
    common = set(constraints[0]).intersection(*constraints[1:])
    return [e for e in constraints[0] if e in common]


def _untrusted(entities: list, trust: Trust) -> list:
    return sorted({e.text for e in entities if _is_untrusted(e, trust)})


def _unique(items) -> list:
    """``items`` without repeats, in first-seen order."""
    return list(dict.fromkeys(items))


# ---------------------------------------------------------------------------
# Entry point
# ---------------------------------------------------------------------------


def evaluate(doc: PolicyDocument, trust: Trust, identity: Optional[list] = None) -> Verdict:
    """Who each statement of ``doc`` lets send mail, judged against ``trust``.
    ``identity``: the parts of the ARN of the identity the policy is attached
    to (``resources.identity_arn``); a statement whose Resource or
    NotResource cannot cover it does not apply, an Allow that could cover it
    is read as covering it, and a Deny that could is weighed both ways.
    Without ``identity``, every statement is taken to cover it."""
    verdict = Verdict(unknowns=[doc.unknown] if doc.unknown is not None else [])
    drafts, denies, loose = [], [], {}
    for st in doc.statements:
        covers, hidden = applies(st, identity) if identity is not None else (True, [])
        if covers is False:
            element = "NotResource" if st.resources is None else "Resource"
            verdict.notes.append(f"{st.label} does not apply: its {element} does not cover this identity")
            continue
        effect, effect_unknowns = _effect(st)
        if covers is None and effect == "Deny":
            loose[id(st)] = hidden
        sure, maybe, action_unknowns = _coverage(st)
        if effect == "Deny":
            denies.append((st, sure, maybe))
        elif not effect or not (sure or maybe):
            continue
        elif st.principals is None and st.not_principals is None:
            verdict.notes.append(f"{st.label} grants sending without a Principal; "
                                 "SES rejects such a policy")
        else:
            existence = effect_unknowns + ([] if sure else action_unknowns)
            drafts.append(_draft(st, sure or maybe, existence))
    weighed = _apply_unconditional(denies, drafts, verdict, loose)
    verdict.grants = [_finish(d, trust) for d in drafts if d.grant.actions]
    _weigh_denies(weighed, verdict.grants, verdict, trust, doc.statements, loose)
    return verdict

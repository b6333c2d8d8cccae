"""SPF records (RFC 7208): what makes one invalid, risky, or too costly to evaluate.

The offline checks take record text and return problems; nothing here
resolves a name by itself. They cover record selection (§4.5: the record
starts with ``v=spf1``, one record per name), the term syntax (§4.6.1 and
§12), mechanisms (§5) and their CIDR lengths, the ``redirect`` and ``exp``
modifiers (§6), macros (§7), the DNS lookup limits (§4.6.4), record size
(§3.3, §3.4) and the obsolete SPF RR type (§3.1).

``evaluate_live`` follows ``include`` and ``redirect`` through a lookup
function its caller provides and counts DNS-querying terms and void
lookups exactly as a receiver evaluating the record would.

Problems are facts with stable codes (``plus-all``, ``too-many-lookups``);
which rule reports them, and how severely, is the rules' judgment
(``checks/ses221_spf_invalid.py``).
"""

from __future__ import annotations

import ipaddress
import re
from dataclasses import dataclass, field, replace
from typing import Callable, Optional

LOOKUP_LIMIT = 10  # DNS-querying terms per evaluation (§4.6.4)
VOID_LOOKUP_LIMIT = 2  # lookups answering NXDOMAIN or no data (§4.6.4)
MX_ADDRESS_LIMIT = 10  # address lookups one "mx" term may cause (§4.6.4)
STRING_LIMIT = 255  # octets in one character-string (RFC 1035 §3.3)
RECORD_LIMIT = 450  # octets, to keep the answer within 512-octet UDP (§3.4)
WALK_LIMIT = 100  # DNS-querying terms evaluate_live follows before it stops

MECHANISMS = ("all", "include", "a", "mx", "ptr", "ip4", "ip6", "exists")
DNS_MECHANISMS = ("include", "a", "mx", "ptr", "exists")

_VERSION = re.compile(r"v=spf1(?: |\Z)", re.IGNORECASE)
_MODIFIER = re.compile(r"([A-Za-z][A-Za-z0-9_.\-]*)=(.*)", re.DOTALL)
_DIRECTIVE = re.compile(r"([+\-~?]?)([A-Za-z0-9]*)(.*)", re.DOTALL)
_DUAL_CIDR = re.compile(r"(?::(?P<spec>.*?))?(?:/(?P<v4>[0-9]+))?(?://(?P<v6>[0-9]+))?", re.DOTALL)
_NETWORK = re.compile(r":(?P<net>[^/]*)(?:/(?P<len>[0-9]+))?", re.DOTALL)
_CIDR_NUMBER = re.compile(r"0|[1-9][0-9]*")
_MACRO_EXPAND = re.compile(r"%\{([A-Za-z])([0-9]*)([rR]?)([.\-+,/_=]*)\}|%[%_-]")
_TOPLABEL = re.compile(
    r"[A-Za-z0-9]*[A-Za-z][A-Za-z0-9]*|[A-Za-z0-9]+-[A-Za-z0-9-]*[A-Za-z0-9]"
)
_VISIBLE = re.compile(r"[\x21-\x7e]+")
_MACRO_LETTERS = "slodiphv"
_EXP_ONLY_LETTERS = "crt"  # §7.2: only in explanation text, never in a domain-spec


@dataclass(frozen=True)
class Problem:
    code: str  # short stable id, e.g. "plus-all", "too-many-lookups"
    message: str  # one sentence a user reads, naming the offending term
    aspect: str = ""  # DMARC: what of the record it is about (dmarc.VALIDITY, ENFORCEMENT, REPORTING)


# The problems that make a record not work as written: receivers evaluating
# it return permerror, or ignore part of it.
BROKEN = frozenset({
    "bad-cidr", "bad-domain-spec", "bad-ip", "bad-macro", "all-glued", "duplicate-modifier", "include-no-spf",
    "loop", "multiple-records", "mx-too-many-records", "not-spf", "redirect-ignored", "redirect-no-spf", "syntax",
    "too-many-lookups", "too-many-void-lookups", "unknown-mechanism",
})


class LookupVoid(Exception):
    """The name does not exist, or has no records of the type asked (a void lookup)."""


class LookupFailed(Exception):
    """The lookup got no answer either way (timeout, SERVFAIL); ``message`` says why."""

    def __init__(self, message: str):
        super().__init__(message)
        self.message = message


@dataclass(frozen=True)
class Term:
    """One term of a record: a directive (``-include:x``) or a modifier (``redirect=x``)."""

    text: str
    name: str  # lower-cased mechanism or modifier name
    qualifier: str  # "+", "-", "~", "?"; "" for modifiers
    spec: Optional[str]  # the domain-spec or network, None when the term has none
    modifier: bool


@dataclass
class Parsed:
    terms: list  # of Term, the ones that parsed
    problems: list  # of Problem


@dataclass
class LiveSpf:
    problems: list = field(default_factory=list)  # of Problem
    lookups: int = 0  # DNS-querying terms evaluated (§4.6.4)
    void_lookups: int = 0
    records: dict = field(default_factory=dict)  # domain -> SPF record text reached


def _problem(code: str, message: str) -> Problem:
    return Problem(code, message)


def is_spf(text: str) -> bool:
    """Whether ``text`` is an SPF record: ``v=spf1`` then a space or the end (§4.5)."""
    return bool(_VERSION.match(text))


# Macros and domain-specs (§7, §12)


def _macro_problem(value: str, letters: str) -> Optional[str]:
    """Why ``value`` is not a valid macro-string using only ``letters``, or None."""
    position = 0
    while position < len(value):
        char = value[position]
        if char == "%":
            expand = _MACRO_EXPAND.match(value, position)
            if not expand:
                return f"'%' must start a macro (%{{...}}, %%, %_ or %-) in '{value}'"
            letter, digits = expand.group(1), expand.group(2)
            if letter is not None and letter.lower() not in letters:
                return f"macro letter '{letter}' is not allowed here in '{value}'"
            if digits and int(digits) == 0:
                return f"a macro's digit transformer must be nonzero in '{value}'"
            position = expand.end()
        else:
            position += 1
    return None


def _ends_with_macro(spec: str) -> bool:
    return any(expand.end() == len(spec) for expand in _MACRO_EXPAND.finditer(spec))


def _domain_spec_problem(spec: str) -> Optional[Problem]:
    """A problem with a domain-spec: a bad macro, or a name not ending in a top label."""
    reason = _macro_problem(spec, _MACRO_LETTERS)
    if reason:
        return _problem("bad-macro", reason)
    if _ends_with_macro(spec):
        return None
    name = spec[:-1] if spec.endswith(".") else spec
    head, dot, toplabel = name.rpartition(".")
    if not dot or not head or not _TOPLABEL.fullmatch(toplabel):
        return _problem("bad-domain-spec", f"'{spec}' is not a domain name ending in a valid top label")
    return None


def _has_macro(spec: str) -> bool:
    return "%" in spec


# Terms


def _cidr_problem(term: str, number: Optional[str], limit: int) -> Optional[Problem]:
    if number is None:
        return None
    if _CIDR_NUMBER.fullmatch(number) and int(number) <= limit:
        return None
    return _problem("bad-cidr", f"{term}: the prefix length /{number} must be 0 to {limit}")


def _network_problem(term: str, network: str, version: int) -> Optional[Problem]:
    kind = ipaddress.IPv4Address if version == 4 else ipaddress.IPv6Address
    try:
        kind(network)
    except ValueError:
        return _problem("bad-ip", f"{term}: '{network}' is not an IPv{version} address")
    if "%" in network:
        return _problem("bad-ip", f"{term}: '{network}' carries a zone, which SPF does not allow")
    return None


def _required_spec(term: str, name: str, rest: str) -> tuple:
    """``(spec, problems)`` for include and exists, which need ``:domain-spec``."""
    if not rest.startswith(":") or len(rest) == 1:
        return None, [_problem("syntax", f"{term}: {name} needs ':' and a domain")]
    spec = rest[1:]
    problem = _domain_spec_problem(spec)
    return spec, [problem] if problem else []


def _host_spec(term: str, name: str, rest: str) -> tuple:
    """``(spec, problems)`` for a and mx: optional ``:domain-spec``, optional dual CIDR."""
    match = _DUAL_CIDR.fullmatch(rest)
    if not match:
        return None, [_problem("syntax", f"'{term}' is not a valid {name} mechanism")]
    spec = match.group("spec")
    problems = [
        _cidr_problem(term, match.group("v4"), 32),
        _cidr_problem(term, match.group("v6"), 128),
        _domain_spec_problem(spec) if spec is not None else None,
    ]
    return spec, [p for p in problems if p]


def _ptr_spec(term: str, rest: str) -> tuple:
    if not rest:
        return None, []
    if not rest.startswith(":"):
        return None, [_problem("syntax", f"'{term}' is not a valid ptr mechanism")]
    problem = _domain_spec_problem(rest[1:])
    return rest[1:], [problem] if problem else []


def _ip_spec(term: str, version: int, rest: str) -> tuple:
    match = _NETWORK.fullmatch(rest)
    if not match or not match.group("net"):
        return None, [_problem("syntax", f"'{term}' is not a valid ip{version} mechanism")]
    network = match.group("net")
    problems = [
        _network_problem(term, network, version),
        _cidr_problem(term, match.group("len"), 32 if version == 4 else 128),
    ]
    return network, [p for p in problems if p]


def _mechanism_arguments(term: str, name: str, rest: str) -> tuple:
    if name in ("include", "exists"):
        return _required_spec(term, name, rest)
    if name in ("a", "mx"):
        return _host_spec(term, name, rest)
    if name == "ptr":
        return _ptr_spec(term, rest)
    return _ip_spec(term, 4 if name == "ip4" else 6, rest)


def _parse_directive(term: str) -> tuple:
    """``(Term or None, problems)`` for a term that is not a modifier."""
    qualifier, name, rest = _DIRECTIVE.fullmatch(term).groups()
    name = name.lower()
    if name.startswith("all") and (name != "all" or rest):
        return None, [_problem("all-glued", f"'{term}' glues 'all' to other text: receivers reject the record (permerror)")]
    if name not in MECHANISMS:
        return None, [_problem("unknown-mechanism", f"'{term}' is not an SPF mechanism: receivers reject the record (permerror)")]
    if name == "all":
        return Term(term, name, qualifier or "+", None, False), []
    spec, problems = _mechanism_arguments(term, name, rest)
    if problems:
        return None, problems
    return Term(term, name, qualifier or "+", spec, False), []


def _parse_modifier(term: str, name: str, value: str) -> tuple:
    if name in ("redirect", "exp"):
        problem = _domain_spec_problem(value)
        if problem:
            return None, [problem]
        return Term(term, name, "", value, True), []
    if name in MECHANISMS:
        return None, [_problem("mechanism-as-modifier", f"'{term}' is an unknown modifier that receivers ignore: the {name} mechanism takes ':', not '='")]
    reason = _macro_problem(value, _MACRO_LETTERS + _EXP_ONLY_LETTERS)
    if reason:
        return None, [_problem("bad-macro", reason)]
    return Term(term, name, "", value, True), []


def _parse_term(term: str) -> tuple:
    modifier = _MODIFIER.fullmatch(term)
    if modifier:
        return _parse_modifier(term, modifier.group(1).lower(), modifier.group(2))
    return _parse_directive(term)


def parse(text: str) -> Parsed:
    """The terms of one SPF record, with the syntax problems of those that did not parse."""
    if not is_spf(text):
        return Parsed([], [_problem("not-spf", "the record does not start with 'v=spf1' followed by a space")])
    terms, problems = [], []
    for word in text[len("v=spf1"):].split(" "):
        if not word:
            continue
        if not _VISIBLE.fullmatch(word):
            problems.append(_problem("syntax", f"'{word}' holds a character other than visible ASCII (terms are separated by single spaces)"))
            continue
        term, term_problems = _parse_term(word)
        problems.extend(term_problems)
        if term:
            terms.append(term)
    return Parsed(terms, problems)


# What the terms mean


def _mechanisms(terms: list) -> list:
    return [t for t in terms if not t.modifier]


def _first_all(terms: list) -> Optional[Term]:
    return next((t for t in terms if t.name == "all"), None)


def _modifiers(terms: list, name: str) -> list:
    return [t for t in terms if t.modifier and t.name == name]


def _evaluated_mechanisms(terms: list) -> list:
    """Mechanisms up to the first ``all``: those after it are never evaluated (§5.1)."""
    mechanisms = _mechanisms(terms)
    for index, term in enumerate(mechanisms):
        if term.name == "all":
            return mechanisms[:index + 1]
    return mechanisms


def _effective_redirect(terms: list) -> Optional[Term]:
    """The ``redirect`` a receiver follows: none when an ``all`` is present (§6.1)."""
    redirects = _modifiers(terms, "redirect")
    if not redirects or _first_all(terms):
        return None
    return redirects[0]


def _count_lookup_terms(terms: list) -> int:
    count = sum(1 for t in _evaluated_mechanisms(terms) if t.name in DNS_MECHANISMS)
    return count + (1 if _effective_redirect(terms) else 0)


def all_qualifier(text: str) -> Optional[str]:
    """The qualifier of the record's ``all`` ("+", "-", "~" or "?"), None without one."""
    term = _first_all(parse(text).terms)
    return term.qualifier if term else None


def includes(text: str, domain: str) -> bool:
    """Whether an ``include:`` of the record names ``domain`` (case and trailing dot ignored)."""
    wanted = _normal(domain)
    return any(t.name == "include" and _normal(t.spec) == wanted for t in _mechanisms(parse(text).terms))


def lookup_terms(text: str) -> int:
    """DNS-querying terms a receiver evaluates in this record alone (§4.6.4).

    Includes are not expanded, so over a whole evaluation this is a lower
    bound. Mechanisms after ``all`` and a ``redirect`` next to ``all`` are
    never evaluated and do not count.
    """
    return _count_lookup_terms(parse(text).terms)


def _normal(name: str) -> str:
    return name.rstrip(".").lower()


# Offline checks


def _all_problems(terms: list) -> list:
    term = _first_all(terms)
    if term is None:
        return []
    if term.qualifier == "+":
        return [_problem("plus-all", f"the SPF record ends with {term.text}: any server may send mail as this domain")]
    if term.qualifier == "?":
        return [_problem("neutral-all", "the SPF record ends with ?all: mail from any server gets a neutral result, as if there were no SPF")]
    return []


def _after_all_problems(terms: list) -> list:
    # Medium, not high: the record stays valid and nothing is authorized by
    # accident (§5.1: mechanisms after "all" MUST be ignored), but senders
    # listed there are never authorized, so their mail fails SPF.
    ignored = _mechanisms(terms)[len(_evaluated_mechanisms(terms)):]
    return [
        _problem("after-all", f"'{t.text}' comes after 'all' and is never evaluated: the senders it names are not authorized")
        for t in ignored
    ]


def _modifier_problems(terms: list) -> list:
    problems = []
    for name in ("redirect", "exp"):
        if len(_modifiers(terms, name)) > 1:
            problems.append(_problem("duplicate-modifier", f"the SPF record has more than one '{name}=' modifier: receivers reject it (permerror)"))
    redirects = _modifiers(terms, "redirect")
    if redirects and _first_all(terms):
        problems.append(_problem("redirect-ignored", f"'{redirects[0].text}' is ignored because the record has an 'all' mechanism"))
    return problems


def _ptr_problems(terms: list) -> list:
    return [
        _problem("ptr", f"'{t.text}' uses the ptr mechanism, which is slow, unreliable and should not be published (RFC 7208 §5.5)")
        for t in _mechanisms(terms) if t.name == "ptr"
    ]


def _lookup_problems(terms: list) -> list:
    count = _count_lookup_terms(terms)
    if count <= LOOKUP_LIMIT:
        return []
    return [_problem("too-many-lookups", f"the SPF record has {count} DNS-querying terms, more than {LOOKUP_LIMIT}: receivers reject it (permerror); counted offline this is a lower bound, because includes are not expanded")]


def _ending_problems(terms: list, problems: list) -> list:
    # A syntax error already makes the record a permerror; saying it also
    # lacks "all" would describe a record no receiver evaluates.
    if _first_all(terms) or _modifiers(terms, "redirect") or any(p.code in BROKEN for p in problems):
        return []
    return [_problem("no-all", "the SPF record ends without all: receivers treat unmatched senders as neutral")]


def check_record(text: str) -> list:
    """Problems of one SPF record (its character strings joined, without separators)."""
    parsed = parse(text)
    if not is_spf(text):
        return parsed.problems
    terms = parsed.terms
    return (
        parsed.problems
        + _all_problems(terms)
        + _after_all_problems(terms)
        + _modifier_problems(terms)
        + _ptr_problems(terms)
        + _lookup_problems(terms)
        + _ending_problems(terms, parsed.problems)
    )


def check_strings(strings: tuple) -> list:
    """Size problems of one TXT record's character strings as published (§3.3, §3.4)."""
    problems = [
        _problem("string-too-long", f"a character-string of the SPF record is {len(s.encode())} octets, more than {STRING_LIMIT}")
        for s in strings if len(s.encode()) > STRING_LIMIT
    ]
    total = sum(len(s.encode()) for s in strings)
    if total > RECORD_LIMIT:
        problems.append(_problem("record-too-long", f"the SPF record is {total} octets, more than {RECORD_LIMIT}: the DNS answer may not fit in 512 octets and fall back to TCP or fail"))
    return problems


def check_name(records: list) -> list:
    """Problems of all TXT records at one name: more than one SPF record (§4.5)."""
    count = sum(1 for text in records if is_spf(text))
    if count <= 1:
        return []
    return [_problem("multiple-records", f"the name has {count} SPF records: receivers reject them all (permerror)")]


def check_obsolete_type() -> Problem:
    """The problem of publishing SPF in the SPF RR type (type 99), which §3.1 retired."""
    return _problem("spf-rr-type", "the record uses the SPF RR type (99), which RFC 7208 §3.1 retired: receivers only read TXT")


# Live evaluation


Lookup = Callable[[str, str], list]


class _Walk:
    """One evaluation: the counters a receiver keeps, and the records it reached."""

    def __init__(self, lookup: Lookup):
        self.lookup = lookup
        self.answers = {}
        self.result = LiveSpf()

    def query(self, name: str, rdtype: str) -> list:
        """The answer for ``name``/``rdtype``; each is asked once, raising as ``lookup`` did."""
        key = (_normal(name), rdtype)
        if key not in self.answers:
            try:
                self.answers[key] = self.lookup(name, rdtype)
            except (LookupVoid, LookupFailed) as error:
                self.answers[key] = error
        answer = self.answers[key]
        if isinstance(answer, Exception):
            raise answer
        if not answer:
            raise LookupVoid(name)
        return answer

    def report(self, code: str, message: str) -> None:
        self.result.problems.append(_problem(code, message))

    def void(self) -> None:
        self.result.void_lookups += 1

    def count(self) -> bool:
        """Count a DNS-querying term; False once the walk has gone far enough."""
        self.result.lookups += 1
        return self.result.lookups <= WALK_LIMIT


def _spf_records(walk: _Walk, domain: str) -> list:
    return [text for text in walk.query(domain, "TXT") if is_spf(text)]


def _record_problems(domain: str, text: str, top: bool) -> list:
    """``check_record``'s problems, naming the domain, without the offline lookup estimate.

    The live count replaces the estimate; ``no-all`` only matters where
    the result is final (the domain itself or a redirect target), not in
    an include, whose no-match just moves on to the next term.
    """
    dropped = ("too-many-lookups",) if top else ("too-many-lookups", "no-all")
    return [replace(p, message=f"{domain}: {p.message}") for p in check_record(text) if p.code not in dropped]


def _fetch(walk: _Walk, domain: str, via: str, path: tuple) -> Optional[str]:
    """The one SPF record of ``domain``, reached from the end of ``path`` through ``via``.

    ``via`` is "include", "redirect", or "" for the domain evaluated.
    """
    try:
        texts = _spf_records(walk, domain)
    except LookupVoid:
        if via:
            walk.void()
        texts = []
    except LookupFailed as error:
        lookup = f"{path[-1]}: the TXT lookup of {domain} ({via})" if via else f"the TXT lookup of {domain}"
        walk.report("lookup-failed", f"{lookup} failed ({error.message}): receivers return a temporary error (temperror)")
        return None
    if not texts:
        _report_missing(walk, domain, via, path)
        return None
    if len(texts) > 1:
        walk.report("multiple-records", f"{domain} has {len(texts)} SPF records: receivers reject them all (permerror)")
        return None
    return texts[0]


def _term_text(via: str, domain: str, path: tuple) -> str:
    """The include or redirect that leads to ``domain``, and the domain whose record holds it."""
    term = f"include:{domain}" if via == "include" else f"redirect={domain}"
    return f"{path[-1]}: {term}"


def _report_missing(walk: _Walk, domain: str, via: str, path: tuple) -> None:
    if via == "include":
        walk.report("include-no-spf", f"{_term_text(via, domain, path)} names a domain without an SPF record: receivers reject the record (permerror)")
    elif via == "redirect":
        walk.report("redirect-no-spf", f"{_term_text(via, domain, path)} names a domain without an SPF record: receivers reject the record (permerror)")
    else:
        walk.report("no-record", f"{domain} has no SPF record")


def _target(term: Term, domain: str) -> str:
    return term.spec if term.spec else domain


def _address_lookup(walk: _Walk, name: str) -> None:
    """The lookup of an ``a`` term: void only when ``name`` has neither A nor AAAA.

    The receiver asks for the type of the connecting client's address,
    which is not known here, so a name with either type is not counted void.
    """
    try:
        walk.query(name, "A")
    except LookupVoid:
        _void_lookup(walk, name, "AAAA")


def _void_lookup(walk: _Walk, name: str, rdtype: str) -> None:
    try:
        walk.query(name, rdtype)
    except LookupVoid:
        walk.void()


def _mx_lookup(walk: _Walk, name: str, term: Term, domain: str) -> None:
    try:
        exchanges = walk.query(name, "MX")
    except LookupVoid:
        walk.void()
        return
    if len(exchanges) > MX_ADDRESS_LIMIT:
        walk.report("mx-too-many-records", f"{domain}: '{term.text}' names {len(exchanges)} mail exchangers, more than {MX_ADDRESS_LIMIT}: the mechanism fails (permerror)")


def _query_term(walk: _Walk, term: Term, domain: str, path: tuple) -> None:
    """The lookups one DNS-querying term makes; ``ptr`` needs the client address and makes none."""
    target = _target(term, domain)
    if term.name in ("include", "redirect"):
        _follow(walk, target, term.name, path)
    elif term.name == "a":
        _address_lookup(walk, target)
    elif term.name == "exists":
        _void_lookup(walk, target, "A")  # an A lookup even for IPv6 clients (§5.7)
    elif term.name == "mx":
        _mx_lookup(walk, target, term, domain)


def _evaluate_term(walk: _Walk, term: Term, domain: str, path: tuple) -> bool:
    """Count and look up one term; False when the walk must stop."""
    if not walk.count():
        return False
    if term.spec and _has_macro(term.spec):
        walk.report("macro-not-expanded", f"{domain}: '{term.text}' uses macros that need a sender to expand: counted, not looked up")
        return True
    if term.name == "ptr":
        return True
    try:
        _query_term(walk, term, domain, path)
    except LookupFailed as error:
        walk.report("lookup-failed", f"{domain}: the lookup for '{term.text}' failed ({error.message}): receivers return a temporary error (temperror)")
    return True


def _follow(walk: _Walk, domain: str, via: str, path: tuple) -> None:
    """Evaluate the SPF record of ``domain`` reached through ``via``, depth first as a receiver does."""
    if _normal(domain) in path:
        walk.report("loop", f"{_term_text(via, domain, path)} loops back to a domain already being evaluated ({' -> '.join(path)}): receivers reject the record (permerror)")
        return
    text = _fetch(walk, domain, via, path)
    if text is None:
        return
    walk.result.records[_normal(domain)] = text
    walk.result.problems.extend(_record_problems(_normal(domain), text, via != "include"))
    path = path + (_normal(domain),)
    terms = parse(text).terms
    for term in _evaluated_mechanisms(terms):
        if term.name in DNS_MECHANISMS and not _evaluate_term(walk, term, domain, path):
            return
    redirect = _effective_redirect(terms)
    if redirect:
        _evaluate_term(walk, redirect, domain, path)


def _limit_problems(result: LiveSpf) -> list:
    problems = []
    if result.lookups > WALK_LIMIT:
        problems.append(_problem("too-many-lookups", f"evaluating the SPF record takes more than {WALK_LIMIT} DNS-querying terms, far more than {LOOKUP_LIMIT}: receivers reject it (permerror)"))
    elif result.lookups > LOOKUP_LIMIT:
        problems.append(_problem("too-many-lookups", f"evaluating the SPF record takes {result.lookups} DNS-querying terms, more than {LOOKUP_LIMIT}: receivers reject it (permerror)"))
    if result.void_lookups > VOID_LOOKUP_LIMIT:
        problems.append(_problem("too-many-void-lookups", f"evaluating the SPF record meets {result.void_lookups} names that do not exist or have no records, more than {VOID_LOOKUP_LIMIT}: receivers reject it (permerror)"))
    return problems


def evaluate_live(domain: str, lookup: Lookup) -> LiveSpf:
    """Evaluate ``domain``'s SPF record over the DNS as a receiver would, without a sender.

    ``lookup(name, rdtype)`` returns the record texts at ``name`` (TXT
    records as their joined strings) or raises ``LookupVoid`` or
    ``LookupFailed``; nothing is resolved any other way. ``include`` and
    ``redirect`` are followed depth first in term order; every include,
    a, mx, ptr, exists and followed redirect counts toward the limit of
    10, and void answers to them toward the limit of 2 (§4.6.4). Terms
    whose domain-spec holds macros are counted but not looked up.
    """
    walk = _Walk(lookup)
    _follow(walk, domain, "", ())
    walk.result.problems.extend(_limit_problems(walk.result))
    return walk.result

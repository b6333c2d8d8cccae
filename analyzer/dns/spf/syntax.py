"""SPF record syntax (RFC 7208): record selection (§4.5), terms (§4.6.1, §12),
mechanisms (§5) with their CIDR lengths, modifiers (§6) and macros (§7);
what the terms mean (the ``all`` in effect, includes, DNS-querying terms).

Problems are facts with stable codes (``plus-all``, ``too-many-lookups``);
which rule reports them, and how severely, is the rules' judgment
(``checks/ses221_spf_invalid.py``).
"""

from __future__ import annotations

import ipaddress
import re
from dataclasses import dataclass
from typing import Optional


LOOKUP_LIMIT = 10  # DNS-querying terms per evaluation (§4.6.4)

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

"""The live walk of an SPF record: ``evaluate_live`` follows ``include`` and
``redirect`` through a lookup function its caller provides, and counts
DNS-querying terms and void lookups exactly as a receiver evaluating the
record would (§4.6.4), loops included. Nothing here knows a resolver.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from typing import Callable, Optional

from analyzer.dns.spf.offline import check_record
from analyzer.dns.spf.syntax import (
    DNS_MECHANISMS,
    LOOKUP_LIMIT,
    Term,
    _effective_redirect,
    _evaluated_mechanisms,
    _has_macro,
    _normal,
    _problem,
    is_spf,
    parse,
)


VOID_LOOKUP_LIMIT = 2  # lookups answering NXDOMAIN or no data (§4.6.4)
MX_ADDRESS_LIMIT = 10  # address lookups one "mx" term may cause (§4.6.4)
WALK_LIMIT = 100  # DNS-querying terms evaluate_live follows before it stops


class LookupVoid(Exception):
    """The name does not exist, or has no records of the type asked (a void lookup)."""


class LookupFailed(Exception):
    """The lookup got no answer either way (timeout, SERVFAIL); ``message`` says why."""

    def __init__(self, message: str):
        super().__init__(message)
        self.message = message


@dataclass
class LiveSpf:
    problems: list = field(default_factory=list)  # of Problem
    lookups: int = 0  # DNS-querying terms evaluated (§4.6.4)
    void_lookups: int = 0
    records: dict = field(default_factory=dict)  # domain -> SPF record text reached


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

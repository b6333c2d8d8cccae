"""The offline checks of SPF records: record text in, problems out, nothing
resolved: ``all`` and what follows it, modifiers, ``ptr``, the lookup limit
counted without expanding includes (§4.6.4), string and record sizes (§3.3,
§3.4), several records at one name, and the obsolete SPF RR type (§3.1).
"""

from __future__ import annotations

from analyzer.dns.spf.syntax import (
    BROKEN,
    LOOKUP_LIMIT,
    Problem,
    _count_lookup_terms,
    _evaluated_mechanisms,
    _first_all,
    _mechanisms,
    _modifiers,
    _problem,
    is_spf,
    parse,
)


STRING_LIMIT = 255  # octets in one character-string (RFC 1035 §3.3)
RECORD_LIMIT = 450  # octets, to keep the answer within 512-octet UDP (§3.4)


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

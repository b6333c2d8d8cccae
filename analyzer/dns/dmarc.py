"""DMARC policy records (RFC 7489, and RFC 9989 which obsoletes it): validity, enforcement, reports.

A record is a tag list (RFC 7489 §6.3 and §6.4; RFC 9989 §4.7 and §4.8):
``v=DMARC1`` first, its value case-sensitive, then ``name=value`` tags
separated by ``;``, with spaces allowed around ``=`` and ``;``. Both
generations of the record are accepted. RFC 9989 removed ``pct``, ``rf``
and ``ri`` and the ``!size`` suffix of report URIs, and added ``np``,
``psd`` and ``t``; using either kind is noted (info), since receivers of
the other generation ignore those tags.

A record without a valid ``p``, or with an invalid ``sp`` or ``np``, is
read as ``p=none`` when it has a valid ``rua``, and otherwise not applied
at all (RFC 7489 §6.6.3, RFC 9989 §4.10.1): either way nothing is
enforced, so ``policy`` calls it "none".

Problems are facts with stable codes and the aspect of the record they
concern (``VALIDITY``, ``ENFORCEMENT``, ``REPORTING``); which rule reports
each, and how severely, is the rules' judgment (``checks/ses23*.py``).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Optional
from urllib.parse import unquote

from analyzer.dns.spf import Problem

VALIDITY = "validity"  # whether receivers read the record as written
ENFORCEMENT = "enforcement"  # what the policy in effect asks of receivers
REPORTING = "reporting"  # whether aggregate reports are asked for

# Validity problems that do not change how receivers read the record.
NOTES = frozenset({"size-limit-obsolete", "uri-scheme", "removed-in-rfc9989", "added-in-rfc9989", "unknown-tag"})

POLICIES = ("none", "quarantine", "reject")
RFC7489_TAGS = ("v", "p", "sp", "rua", "ruf", "adkim", "aspf", "ri", "fo", "rf", "pct")
REMOVED_BY_RFC9989 = ("pct", "rf", "ri")
ADDED_BY_RFC9989 = ("np", "psd", "t")
KNOWN_TAGS = RFC7489_TAGS + ADDED_BY_RFC9989

_VERSION = re.compile(r"[vV][ \t]*=[ \t]*DMARC1[ \t]*(?:;|\Z)")
_TAG = re.compile(r"([A-Za-z]+)[ \t]*=[ \t]*([\x20-\x3a\x3c-\x7e]+)")
_FO = re.compile(r"[01dsDS](?:[ \t]*:[ \t]*[01dsDS])*")
_SIZE = re.compile(r"(?P<uri>.*?)!(?P<size>[0-9]+)(?P<unit>[kmgtKMGT]?)")
_URI = re.compile(r"(?P<scheme>[A-Za-z][A-Za-z0-9+.\-]*):(?P<rest>(?:[A-Za-z0-9\-._~:/?#\[\]@$&'()*+=]|%[0-9A-Fa-f]{2})+)")
_LOCAL_PART = re.compile(r"[A-Za-z0-9!#$%&'*+/=?^_`{|}~.\-]+")
_LABEL = re.compile(r"[A-Za-z0-9](?:[A-Za-z0-9\-]{0,61}[A-Za-z0-9])?")
_MAX_RI = 2 ** 32 - 1  # ri is a 32-bit unsigned integer (RFC 7489 §6.3)
_MAX_SIZE = 2 ** 64 - 1  # the size limit must fit in 64 bits (RFC 7489 §6.4)


@dataclass
class DmarcRecord:
    """A record's tags as written, and what makes the record invalid."""

    tags: dict = field(default_factory=dict)  # lower-cased tag name -> value as written
    problems: list = field(default_factory=list)  # of Problem, aspect VALIDITY


def _invalid(code: str, message: str) -> Problem:
    return Problem(code, message, VALIDITY)


def is_dmarc(text: str) -> bool:
    """Whether ``text`` starts with the ``v=DMARC1`` tag: the name in any case, the value exactly."""
    return bool(_VERSION.match(text))


# Tag list


def _segments(text: str) -> list:
    """The tag texts between ``;``, stripped; a final empty one (trailing ``;``) dropped."""
    segments = [s.strip(" \t") for s in text.split(";")]
    if len(segments) > 1 and not segments[-1]:
        segments.pop()
    return segments


def _version_problems(segments: list) -> list:
    first = _TAG.fullmatch(segments[0])
    if first and first.group(1).lower() == "v":
        if first.group(2).rstrip(" \t") == "DMARC1":
            return []
        return [_invalid("bad-version", f"'{segments[0]}': the version must be exactly DMARC1 (case-sensitive): receivers ignore the record")]
    return [_invalid("version-not-first", f"the record must start with v=DMARC1, not '{segments[0]}': receivers ignore it")]


def _tag_problem(segment: str) -> Problem:
    if not segment:
        # RFC 7489's grammar has no empty tag between two ";", but receivers
        # parse tag lists leniently and skip it, so this is only low.
        return _invalid("empty-tag", "the record has an empty tag between two ';'")
    return _invalid("syntax", f"'{segment}' is not a name=value tag")


def _collect_tags(segments: list) -> tuple:
    """``(tags, problems)``: the first value of each tag name, lower-cased."""
    tags, problems = {}, []
    for segment in segments:
        match = _TAG.fullmatch(segment)
        if not match:
            problems.append(_tag_problem(segment))
            continue
        name, value = match.group(1).lower(), match.group(2).rstrip(" \t")
        if name in tags:
            problems.append(_invalid("duplicate-tag", f"the tag '{name}' appears more than once, which a tag list forbids (RFC 6376 §3.2): receivers may reject the record or take either value"))
            continue
        tags[name] = value
    return tags, problems


# Tag values


def _choice_problem(tags: dict, name: str, allowed: tuple) -> list:
    if name not in tags or tags[name].lower() in allowed:
        return []
    return [_invalid(f"bad-{name}", f"{name}={tags[name]}: the value must be one of {', '.join(allowed)}")]


def _integer_problem(tags: dict, name: str, maximum: int, digits: str) -> list:
    value = tags.get(name)
    if value is None or (re.fullmatch(digits, value) and int(value) <= maximum):
        return []
    return [_invalid(f"bad-{name}", f"{name}={value}: the value must be an integer from 0 to {maximum}")]


def _fo_problem(tags: dict) -> list:
    if "fo" not in tags or _FO.fullmatch(tags["fo"]):
        return []
    return [_invalid("bad-fo", f"fo={tags['fo']}: the value must be 0, 1, d or s, separated by ':'")]


def _rf_problem(tags: dict) -> list:
    if "rf" not in tags or all(part.strip(" \t").lower() == "afrf" for part in tags["rf"].split(":")):
        return []
    return [_invalid("bad-rf", f"rf={tags['rf']}: the only report format defined is afrf")]


def _is_host(domain: str) -> bool:
    labels = domain.rstrip(".").split(".")
    return len(labels) > 1 and all(_LABEL.fullmatch(label) for label in labels)


def _is_address(address: str) -> bool:
    local, at, domain = address.rpartition("@")
    return bool(at and _LOCAL_PART.fullmatch(local) and _is_host(domain))


def _uri_problems(name: str, uri: str) -> list:
    """Problems of one report URI of ``rua`` or ``ruf``, its ``!size`` suffix included."""
    sized = _SIZE.fullmatch(uri)
    problems = []
    if sized:
        uri = sized.group("uri")
        if int(sized.group("size")) > _MAX_SIZE:
            return [_invalid(f"bad-{name}", f"{name}: the size limit of '{sized.group(0)}' does not fit in 64 bits")]
        problems.append(_invalid("size-limit-obsolete", f"{name}: the size limit of '{sized.group(0)}' is obsolete syntax in RFC 9989, whose reporters ignore it"))
    match = _URI.fullmatch(uri)
    if not match:
        return [_invalid(f"bad-{name}", f"{name}: '{uri}' is not a URI ('!' and ',' must be percent-encoded)")]
    if match.group("scheme").lower() != "mailto":
        return problems + [_invalid("uri-scheme", f"{name}: '{uri}' is not a mailto: URI, the only kind receivers must support")]
    address = unquote(match.group("rest").split("?", 1)[0])
    if not _is_address(address):
        return [_invalid(f"bad-{name}", f"{name}: '{address}' in '{uri}' is not an email address")]
    return problems


def _uri_list_problems(tags: dict, name: str) -> list:
    if name not in tags:
        return []
    problems = []
    for uri in tags[name].split(","):
        problems.extend(_uri_problems(name, uri.strip(" \t")))
    return problems


def _generation_problems(tags: dict) -> list:
    removed = [
        _invalid("removed-in-rfc9989", f"the tag '{name}' was removed by RFC 9989: receivers implementing RFC 9989 ignore it")
        for name in REMOVED_BY_RFC9989 if name in tags
    ]
    added = [
        _invalid("added-in-rfc9989", f"the tag '{name}' was added by RFC 9989: receivers implementing only RFC 7489 ignore it")
        for name in ADDED_BY_RFC9989 if name in tags
    ]
    return removed + added


def _unknown_problems(tags: dict) -> list:
    return [
        _invalid("unknown-tag", f"the tag '{name}' is not a DMARC tag: receivers ignore it")
        for name in tags if name not in KNOWN_TAGS
    ]


def _missing_p_problems(tags: dict) -> list:
    if "p" in tags:
        return []
    if _has_valid_rua(tags):
        consequence = "receivers act as if it said p=none"
    else:
        consequence = "without a valid rua, RFC 7489 receivers apply no DMARC policy at all"
    return [_invalid("missing-p", f"the record has no p tag, which RFC 7489 requires: {consequence}")]


def _has_valid_rua(tags: dict) -> bool:
    return "rua" in tags and any(
        not any(p.code not in NOTES for p in _uri_problems("rua", uri.strip(" \t")))
        for uri in tags["rua"].split(",")
    )


def _value_problems(tags: dict) -> list:
    return (
        _choice_problem(tags, "p", POLICIES)
        + _choice_problem(tags, "sp", POLICIES)
        + _choice_problem(tags, "np", POLICIES)
        + _choice_problem(tags, "adkim", ("r", "s"))
        + _choice_problem(tags, "aspf", ("r", "s"))
        + _choice_problem(tags, "psd", ("y", "n", "u"))
        + _choice_problem(tags, "t", ("y", "n"))
        + _integer_problem(tags, "pct", 100, r"[0-9]{1,3}")
        + _integer_problem(tags, "ri", _MAX_RI, r"[0-9]+")
        + _fo_problem(tags)
        + _rf_problem(tags)
        + _uri_list_problems(tags, "rua")
        + _uri_list_problems(tags, "ruf")
        + _missing_p_problems(tags)
        + _generation_problems(tags)
        + _unknown_problems(tags)
    )


def parse(text: str) -> DmarcRecord:
    """The record's tags (first value of each, names lower-cased) and its validity problems."""
    segments = _segments(text)
    tags, problems = _collect_tags(segments)
    return DmarcRecord(tags, _version_problems(segments) + problems + _value_problems(tags))


# Policy


def _valid_policy(tags: dict, name: str) -> bool:
    return tags.get(name, "").lower() in POLICIES


def _unusable(tags: dict) -> bool:
    """A missing or invalid p, or an invalid sp or np: receivers then enforce nothing."""
    return not _valid_policy(tags, "p") or any(n in tags and not _valid_policy(tags, n) for n in ("sp", "np"))


def _effective(tags: dict, subdomain: bool) -> str:
    if _unusable(tags):
        return "none"
    if subdomain and "sp" in tags:
        return tags["sp"].lower()
    return tags["p"].lower()


def policy(text: str, subdomain: bool) -> Optional[str]:
    """The policy receivers apply to the domain (or, with ``subdomain``, to its existing subdomains).

    None when ``text`` is not a DMARC record; "none" when the record has no
    valid policy, as receivers then enforce nothing.
    """
    if not is_dmarc(text):
        return None
    return _effective(parse(text).tags, subdomain)


# Checks


def _not_enforced(code: str, message: str) -> Problem:
    return Problem(code, message, ENFORCEMENT)


def _stated_none(tags: dict, subdomain: bool) -> str:
    """What in the record makes the policy in effect "none"."""
    if _unusable(tags):
        return "with p missing or invalid, or sp or np invalid, the record counts as p=none"
    if not subdomain:
        return f"p={tags['p']}"
    if "sp" in tags:
        return f"sp={tags['sp']}"
    return f"sp is absent and p={tags['p']}"


def _policy_problems(tags: dict, subdomain: bool) -> list:
    if _effective(tags, subdomain) != "none":
        return []
    stated = _stated_none(tags, subdomain)
    if subdomain:
        return [_not_enforced("sp-none", f"{stated}: receivers deliver subdomain mail that fails DMARC")]
    return [_not_enforced("p-none", f"{stated}: receivers deliver mail that fails DMARC")]


def _np_problems(tags: dict, subdomain: bool) -> list:
    if not subdomain or tags.get("np", "").lower() != "none":
        return []
    return [_not_enforced("np-none", "np=none: receivers implementing RFC 9989 deliver mail from non-existent subdomains that fails DMARC")]


def _softening_problems(tags: dict, subdomain: bool) -> list:
    # pct and t only soften a policy that enforces something: with "none"
    # in effect there is nothing left to soften (RFC 9989 §4.7 says so of t).
    if _effective(tags, subdomain) == "none":
        return []
    problems = []
    pct = tags.get("pct", "")
    if pct.isdigit() and int(pct) < 100:
        problems.append(_not_enforced("pct-partial", f"pct={pct}: RFC 7489 receivers apply the policy to only {int(pct)}% of failing mail"))
    if tags.get("t", "").lower() == "y":
        problems.append(_not_enforced("testing", "t=y: RFC 9989 receivers apply the policy one level softer (reject as quarantine, quarantine as none)"))
    return problems


def _report_problems(tags: dict) -> list:
    if "rua" in tags:
        return []
    return [Problem("no-rua", "the record has no rua tag: no aggregate reports are sent, so failures go unseen",
                    REPORTING)]


def _alignment_problems(tags: dict, custom_mail_from: bool) -> list:
    # SES requires a custom MAIL FROM domain to be a subdomain of the
    # identity, so the MAIL FROM domain never equals the From domain.
    if not custom_mail_from or tags.get("aspf", "").lower() != "s":
        return []
    return [_invalid("strict-spf-alignment", "aspf=s: with an SES custom MAIL FROM domain, a subdomain of the identity, SPF alignment can never pass")]


def check(text: str, *, subdomain: bool = False, custom_mail_from: bool = False) -> list:
    """Problems of one DMARC record.

    ``subdomain``: the identity is a subdomain of the domain publishing
    the record, so ``sp`` (and RFC 9989's ``np``) governs its mail rather
    than ``p``. ``custom_mail_from``: the identity sends with an SES custom
    MAIL FROM domain.
    """
    record = parse(text)
    tags = record.tags
    return (
        record.problems
        + _alignment_problems(tags, custom_mail_from)
        + _policy_problems(tags, subdomain)
        + _np_problems(tags, subdomain)
        + _softening_problems(tags, subdomain)
        + _report_problems(tags)
    )


def check_name(records: list) -> list:
    """Problems of all TXT records at one ``_dmarc`` name: more than one DMARC record."""
    count = sum(1 for text in records if is_dmarc(text))
    if count <= 1:
        return []
    return [_invalid("multiple-records", f"the name has {count} DMARC records: receivers ignore them all")]

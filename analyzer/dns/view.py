"""The DNS a scan declares, seen from each SES identity.

Built once per scan (``RuleContext.dns``) over the linked model (see
``analyzer.dns.link``): records indexed by name, zones by apex, and Easy
DKIM records by the token they are written from. A record whose name is
built from an identity's DKIM token before apply
(``${aws_ses_domain_dkim.d.dkim_tokens[count.index]}._domainkey``,
``!GetAtt Identity.DkimDNSTokenName1``) is "DKIM record i of that
identity" whatever its other parts, so it matches without the token being
known.

A record written without a trailing dot in a zone whose name is unknown
(``zone_id = var.zone_id``) may be relative to that zone or complete: it
is taken to be at a name when either reading puts it there.
"""

from __future__ import annotations

import functools
import re
from collections import defaultdict
from dataclasses import dataclass
from typing import Optional

from analyzer.dns import dmarc, names, ses_dns, spf
from analyzer.dns.names import Name
from analyzer.dns.records import TXT_TYPES, joined, known_terms
from analyzer.model import DECLARED, PUBLISHED, DnsRecord, DnsZone, Identity, Model, Unknown, has_marker, split_marked

BOTH = "both"

_INDEX = r'(?:\["?(?P<i>\d+)"?\]|, (?P<j>\d+)\)|, [^)]*\)|\[[^\]]*\])?'  # ["1"] is [1]; no known index: any of the three
_TOKEN_REFS = (
    re.compile(r"^(?:element\()?(?P<key>.*?\baws_ses_domain_dkim\.[\w-]+(?:\[[^\]]*\])?)\.dkim_tokens" + _INDEX + "$"),
    re.compile(r"^(?:element\()?(?P<key>.*?\baws_sesv2_email_identity\.[\w-]+(?:\[[^\]]*\])?)"
               r"\.dkim_signing_attributes\[0\]\.tokens" + _INDEX + "$"),
)
_CFN_TOKEN_REF = re.compile(r"^(?P<key>[A-Za-z0-9]+)\.DkimDNSToken(?P<what>Name|Value)(?P<n>[123])$")


@dataclass(frozen=True)
class Token:
    """Easy DKIM token ``index`` (0–2; None when the index is unknown, as in
    a ``count`` that is itself unknown) of the identity ``key`` stands for;
    ``what`` is "token" (the token itself), or for CloudFormation "name"
    (the whole record name) or "value" (the whole target)."""

    key: tuple
    index: Optional[int]
    what: str


def token_of(unknown: Unknown, record: DnsRecord) -> Optional[Token]:
    """The DKIM token an unknown part of ``record`` stands for, if any."""
    if record.source_format == "cloudformation":
        m = _CFN_TOKEN_REF.match(unknown.ref)
        if m:
            return Token((record.context, m.group("key")), int(m.group("n")) - 1, m.group("what").lower())
        return None
    for pattern in _TOKEN_REFS:
        m = pattern.match(unknown.ref)
        if m:
            return Token((record.context, m.group("key")), _index(m), "token")
    return None


def identity_keys(identity: Identity) -> set:
    """The keys token references of ``identity`` carry (see ``Token``)."""
    keys = {(identity.context, identity.address)}
    if identity.easy_dkim:
        keys.add((identity.context, identity.easy_dkim))
    return keys


@dataclass
class Placed:
    """A record with its parsed name."""

    record: DnsRecord
    name: Name


SOURCES = {DECLARED: (DECLARED,), PUBLISHED: (PUBLISHED,), BOTH: (DECLARED, PUBLISHED)}


class DnsView:
    """The records of one ``source`` of ``model``: ``"declared"`` (the code's),
    ``"published"`` (public DNS's answers, ``--dns live``) or ``"both"``. Rules
    ask the same questions of each; a published record is kept once per name
    and type (deployments that asked the same query got the same answer)."""

    def __init__(self, model: Model, source: str = DECLARED):
        self.model = model
        self.source = source
        records = _of_source(model.dns_records, source)
        self.placed: list = []
        self._by_labels: dict = defaultdict(list)
        self._relative: dict = defaultdict(list)  # (context, labels) -> records that may be relative to an unknown zone
        self.by_token: dict = defaultdict(list)  # Token(key, index) -> [Placed] (names built from it)
        self._under: dict = defaultdict(list)  # (scope, labels of a name and of each of its parents) -> [Placed]
        # contexts with a record whose whole name is unknown (a plan's name known after apply): it may be any
        self.unnamed = {r.context for r in records
                        if isinstance(r.name, Unknown) and r.active and token_of(r.name, r) is None}
        for record in records:
            name = names.parse(record.name)
            if name is None:
                continue
            placed = Placed(record, name)
            self.placed.append(placed)
            self._by_labels[_scoped(name, record.context)].append(placed)
            for start in range(len(name.labels)):
                self._under[_scoped(Name(name.labels[start:], False), record.context)].append(placed)
            if not name.absolute and not _known_zone(record):
                self._relative[(record.context, name.labels)].append(placed)
            for unknown in name.unknowns():
                token = token_of(unknown, record)
                if token is not None and token.what in ("token", "name"):
                    for index in range(ses_dns.EASY_DKIM_TOKENS) if token.index is None else (token.index,):
                        self.by_token[(token.key, index)].append(placed)
        self.zones: dict = defaultdict(list)  # (scope, apex labels) -> [DnsZone]
        for zone in model.dns_zones:
            apex = names.parse(zone.name)
            if apex is not None:
                self.zones[_scoped(apex, zone.context)].append(zone)
        linked = {i.easy_dkim for i in model.identities} | {i.mail_from_address for i in model.identities}
        self._unlinked = [s for s in model.identity_settings if s.address not in linked]

    # Names with unknown parts are only compared within one context (see
    # ``Resource.context``); known names are compared across the scan.

    # -- names ----------------------------------------------------------------

    def at(self, domain: Name, *relative: str, context: str = "") -> list:
        """The records at ``relative`` labels under ``domain`` (``at(d, "_dmarc")``),
        as seen from ``context``."""
        return self.at_name(domain.child(*relative) if relative else domain, context, under=domain)

    @staticmethod
    def domain_key(domain: Name, context: str) -> tuple:
        """What makes two identities' domains the same domain (for rules that speak once per domain)."""
        return _scoped(domain, context)

    @staticmethod
    def name_key(placed: Placed) -> tuple:
        """Records with the same key are at one name of one zone kind, as one
        deployment publishes them: several SPF or DMARC records there conflict."""
        record = placed.record
        return record.context, placed.name.labels, record.active, record.private is True

    def at_name(self, name: Name, context: str = "", under: Optional[Name] = None) -> list:
        """The records at ``name``; with ``under`` (the identity's domain),
        also those written relative to a zone whose name is unknown, taken to
        be that domain's (``name = "_dmarc"`` with ``zone_id = var.zone_id``)."""
        found = list(self._by_labels.get(_scoped(name, context), ()))
        relative = name.relative_to(Name(under.labels, False)) if under is not None else None
        if relative is not None and relative.labels:
            found += self._relative.get((context, relative.labels), [])
        return _unique(found)

    def records(self, name: Name, rtype: str, context: str = "") -> list:
        """The records of type ``rtype`` at ``name``, as seen from ``context``."""
        return [p for p in self.at_name(name, context) if p.record.rtype == rtype]

    def zone_for(self, domain: Name, context: str = "") -> Optional[DnsZone]:
        """The deepest zone of the scan whose apex is the domain or one of its parents."""
        for start in range(len(domain.labels)):
            zones = self.zones.get(_scoped(Name(domain.labels[start:], False), context))
            if zones:
                return zones[0]
        return None

    def managed(self, domain: Name, context: str = "", identity: Optional[Identity] = None,
                under: Optional[Name] = None) -> bool:
        """Whether the scan declares DNS for ``domain``: a zone holding it, a
        record at or under it, or a record built from the identity's tokens.
        For an identity that exists with the values in use, only records
        that exist with them count (``count = var.zone_id != "" ? 3 : 0``
        with no zone given declares no DNS). ``under``: as for ``at_name``."""
        if self.zone_for(domain, context) is not None:
            return True
        needs_active = identity is None or identity.active
        if any(p.record.active or not needs_active for p in self._under.get(_scoped(domain, context), ())):
            return True
        relative = domain.relative_to(Name(under.labels, False)) if under is not None else None
        if relative is not None and relative.labels and any(
                p.record.active or not needs_active for p in self._relative.get((context, relative.labels), ())):
            return True
        return identity is not None and any(p.record.active or not needs_active
                                            for i in range(ses_dns.EASY_DKIM_TOKENS)
                                            for p in self.dkim_records(identity, i))

    # -- DKIM -------------------------------------------------------------------

    def dkim_records(self, identity: Identity, index: int) -> list:
        """The records written for Easy DKIM token ``index`` of ``identity``."""
        found = []
        for key in identity_keys(identity):
            found += self.by_token.get((key, index), [])
        token = dict(identity.known_tokens).get(index + 1)
        domain = names.parse(identity.name)
        if token is not None and domain:
            found += self.at(domain, token, "_domainkey", context=identity.context)
        return _unique(found)

    @functools.lru_cache(maxsize=None)
    def written_dkim_records(self, domain: Name, context: str) -> list:
        """Easy DKIM CNAMEs written with literal tokens (copied from the
        console into a zone file, say): ``<t>._domainkey.<domain>`` pointing
        at ``<t>.<SES DKIM domain>``. Whether ``t`` is one of the identity's
        tokens is only known live."""
        found = []
        for placed in self._under.get(_scoped(domain.child("_domainkey"), context), ()):
            labels = placed.name.labels
            if len(labels) != len(domain.labels) + 2 or placed.record.rtype != "CNAME" or not placed.name.known:
                continue
            targets = [names.parse(v) for v in placed.record.values or () if isinstance(v, str)]
            if any(t and t.known and t.labels[:1] == labels[:1] and ses_dns.dkim_domain_regions(
                    Name(t.labels[1:], False).text()) for t in targets):
                found.append(placed)
        return found

    def expected_dkim_target(self, identity: Identity, index: int, target: Name, record: DnsRecord) -> Optional[str]:
        """Why a CNAME target is not ``<token>.<DKIM domain>`` for token
        ``index`` of ``identity``; None when it is (or may be, with the
        identity's Region unknown)."""
        if not target.labels:
            return "the target is empty"
        first = target.labels[0]
        rest = Name(target.labels[1:], False).text()
        if len(first) == 1 and isinstance(first[0], Unknown):
            token = token_of(first[0], record)
            token = token if token is not None and token.key in identity_keys(identity) else None
            if token is not None and token.what == "value" and len(target.labels) == 1:
                return None if token.index in (index, None) else f"it points at token {token.index + 1}'s target"
            if token is None or token.what != "token":
                return "its first label is not a DKIM token of this identity"
            if token.index not in (index, None):
                return f"it points at token {token.index + 1}, not token {index + 1}"
        else:
            token = dict(identity.known_tokens).get(index + 1)
            if token is None:
                return "its first label is not a DKIM token of this identity"
            if first != (token.lower(),):
                return "its first label is not the identity's DKIM token"
        if not names.parse(rest) or not Name(target.labels[1:], False).known:
            return None
        region = self.home_region(identity)
        if not ses_dns.dkim_domain_fits(rest, region):
            if ses_dns.dkim_domain_regions(rest) is not None and region:
                return (f"{rest} is not the DKIM domain of {region} (expected "
                        f"{ses_dns.dkim_domain(region)})")
            return f"{rest} is not an Amazon SES DKIM domain"
        return None

    # -- identities -------------------------------------------------------------

    @functools.cached_property
    def _domain_identities(self) -> list:
        result = []
        for identity in self.model.identities:
            name = names.parse(identity.name) if identity.kind == "domain" else None
            if name is not None and name.labels and not name.wrong:
                result.append((identity, Name(name.labels, True)))
        return sorted(result, key=lambda item: not item[0].active)  # a domain said once is said of an active one

    def domain_identities(self) -> list:
        """``(identity, domain name)`` for every domain identity whose name
        can be read, active ones first; computed once for all the rules."""
        return self._domain_identities

    @staticmethod
    def home_region(identity: Identity) -> Optional[str]:
        """The identity's Region, when the code names one that exists."""
        home = identity.home_region
        return home.value if home.explicit and home.value and ses_dns.is_region(home.value) else None

    def mail_from_records(self, identity: Identity, domain: Name) -> Optional[list]:
        """The records SES reads at the identity's custom MAIL FROM domain
        (its MX and SPF), as the rules judge them: None when it has no MAIL
        FROM domain or the scan declares no DNS for it; those of the
        identity's own root module or template when it declares any there,
        else those declared elsewhere (a zone file); for an identity that
        exists with the values in use, only records that exist with them."""
        mail_from = self.mail_from(identity)
        if mail_from is None or not self.managed(mail_from, identity.context, under=domain):
            return None
        records = [p for p in self.at_name(mail_from, identity.context, under=domain)
                   if p.record.active or not identity.active]
        return [p for p in records if p.record.context == identity.context] or records

    def mail_from(self, identity: Identity) -> Optional[Name]:
        """The identity's custom MAIL FROM domain, when one is set and readable."""
        value = identity.mail_from_domain
        if value is None or value == "":
            return None
        name = names.parse(value)
        return Name(name.labels, True) if name is not None and name.labels and not name.wrong else None

    def set_elsewhere(self, identity: Identity, kind: str) -> bool:
        """Whether a setting of ``kind`` ("easy_dkim", "mail_from") in the
        identity's root module names an identity the scan could not resolve
        (``for_each`` over an unknown value): it may be this identity's."""
        return any(s.kind == kind and s.context == identity.context and (s.active or not identity.active)
                   for s in self._unlinked)

    def signs_with_easy_dkim(self, identity: Identity) -> bool:
        """Whether the identity signs with Easy DKIM (three CNAMEs to publish).
        A SigningEnabled not known statically is taken as SES's default (on),
        so the records it would need are still checked."""
        return identity.dkim.is_("easy") or identity.dkim.unresolved

    def governing_dmarc(self, aspect: str):
        """``(identity, domain, placed, problem)`` for each problem about
        ``aspect`` (``dmarc.ENFORCEMENT``...) in the DMARC record that governs a domain identity
        (``dmarc_for``), each record and problem once."""
        seen = set()
        for identity, domain in self.domain_identities():
            records, _, subdomain = self.dmarc_for(domain, identity.context)
            custom_mail_from = self.mail_from(identity) is not None
            found = [(records[-1][0], problem) for problem in dmarc.check_name([t for _, t in records])]
            for placed, text in records:
                found += [(placed, problem) for problem in dmarc_problems(
                    text, subdomain=subdomain, custom_mail_from=custom_mail_from)[0]]
            for placed, problem in found:
                key = (id(placed.record), problem.code)
                if problem.aspect == aspect and key not in seen:
                    seen.add(key)
                    yield identity, domain, placed, problem

    # -- TXT ----------------------------------------------------------------------

    def spf_at(self, records: list) -> list:
        """The SPF records among ``records`` that receivers read: TXT (never the
        SPF type), the public zone's when a private one has the name too."""
        return _public_first([(p, text) for p, text in self.txt_at(records, spf.is_spf) if p.record.rtype == "TXT"])

    def dmarc_for(self, domain: Name, context: str = "") -> tuple:
        """``(records, at, subdomain)``: the DMARC records that govern
        ``domain``: at ``_dmarc.<domain>``, or else at the nearest parent
        that has one (RFC 9989's tree walk; RFC 7489 §6.6.3 asks the
        organizational domain, which is one of these parents); the walk
        stops, finding none, at a name with an ``undecided`` record, which
        may be the one that governs. Without the
        public suffix list the walk stops at two labels, or at one label
        that is an unknown value (``${var.domain}`` is a whole domain).
        ``records`` is a list of ``(placed, text)``; empty when none."""
        return self._dmarc_walk(domain, context)[:3]

    def dmarc_undecided(self, domain: Name, context: str = "") -> list:
        """The ``undecided`` records at the first name of ``dmarc_for``'s
        walk that has some and no DMARC record: any of them may be the
        record that governs ``domain``, so the walk stops there and no rule
        may say there is none."""
        return self._dmarc_walk(domain, context)[3]

    @functools.lru_cache(maxsize=None)
    def _dmarc_walk(self, domain: Name, context: str) -> tuple:
        for candidate in dmarc_walk(domain):
            at = self.at(candidate, "_dmarc", context=context)
            if self.source == PUBLISHED and any(isinstance(p.record.values, Unknown) for p in at):
                break  # a query that failed: whether a DMARC record is there is not known, so the walk stops
            found = _public_first(self.txt_at(at, dmarc.is_dmarc))
            if found:
                return found, candidate, candidate is not domain, []
            undecided = self.undecided(at, "TXT")
            if undecided:
                return [], None, False, undecided
        return [], None, False, []

    @staticmethod
    def undecided(records: list, rtype: str) -> list:
        """The records among ``records`` (``Placed``) that may be the
        ``rtype`` record a rule looks for, though the scan cannot tell: a
        type not known statically (``type = var.record_type``), or that
        type with data not known (``records = var.records``, or a record
        that begins with a value not known, ``[var.dmarc]``). A rule that
        finds none there says nothing (SES003 names the value), and none is
        judged as one."""
        found = []
        for placed in records:
            record = placed.record
            if record.kind.unresolved or record.rtype == rtype and (
                    record.data.unresolved or any(_opens_unknown(entry) for entry in record.data.value or ())):
                found.append(placed)
        return found

    def undecided_txt(self, records: list) -> list:
        """The records among ``records`` that may be a TXT record a rule looks
        for by its text (an SPF record): ``undecided`` ones, and TXT records
        whose text holds a value not known."""
        return self.undecided(records, "TXT") + [p for p, _ in self.txt_at(records, has_marker)]

    def around(self, identity: Identity, domain: Name) -> list:
        """The records at the names the DNS rules read for a domain identity:
        the domain, its ``_amazonses`` and ``_dmarc`` names (and those of the
        parents DMARC's walk asks), the names under ``_domainkey``, its
        MAIL FROM domain, and the records built from its DKIM tokens."""
        context = identity.context
        found = self.at(domain, context=context) + self.at(domain, "_amazonses", context=context)
        for candidate in dmarc_walk(domain):
            found += self.at(candidate, "_dmarc", context=context)
        found += self._under.get(_scoped(domain.child("_domainkey"), context), [])
        mail_from = self.mail_from(identity)
        if mail_from is not None:
            found += self.at_name(mail_from, context, under=domain)
        found += [p for index in range(ses_dns.EASY_DKIM_TOKENS) for p in self.dkim_records(identity, index)]
        return _unique(found)

    def txt_at(self, name_records: list, predicate) -> list:
        """``(placed, text)`` for each TXT record among ``name_records`` whose text passes ``predicate``."""
        return [(placed, joined(strings)) for placed in name_records if placed.record.rtype in TXT_TYPES
                for strings in placed.record.strings if predicate(joined(strings))]


def dmarc_walk(domain: Name) -> list:
    """The domain, then its parents, whose ``_dmarc`` may govern it (see ``DnsView.dmarc_for``)."""
    walk, candidate = [], domain
    while candidate is not None and (candidate is domain or len(candidate.labels) >= 2 or not candidate.known):
        walk.append(candidate)
        candidate = candidate.parent()
    return walk


def _public_first(found: list) -> list:
    """``(placed, text)`` in public zones when there are any: in a split
    horizon, receivers see the public zone; a private zone alone is judged
    as written (SES212 says it is private)."""
    public = [item for item in found if item[0].record.private is not True]
    return public or found


def _of_source(records: list, source: str) -> list:
    """The records of ``source``, each published name and type once."""
    kept, asked = [], set()
    for record in records:
        if record.source not in SOURCES[source]:
            continue
        if record.source == PUBLISHED:
            if (record.name, record.rtype) in asked:
                continue
            asked.add((record.name, record.rtype))
        kept.append(record)
    return kept


def comparable(placed: Placed) -> bool:
    """Whether public DNS can say if it serves a declared record as written:
    a TXT, CNAME or MX record with a known, complete name and known values,
    not an alias, not in a private zone (public DNS never serves one)."""
    record = placed.record
    return (placed.name.known and placed.name.absolute and record.rtype in COMPARED and record.active
            and record.private is not True
            and isinstance(record.values, list) and record.values and not record.alias
            and all(isinstance(v, (str, tuple)) and not _marked(v) for v in record.values))


COMPARED = ("TXT", "CNAME", "MX")


def _opens_unknown(entry) -> bool:
    """Whether one record's data begins with a value not known statically (so it may say anything)."""
    text = joined(entry) if isinstance(entry, tuple) else entry
    if isinstance(text, Unknown):
        return True
    first = next((part for part in split_marked(text) if part != ""), None) if isinstance(text, str) else None
    return isinstance(first, Unknown)


def _marked(value) -> bool:
    return any(has_marker(part) for part in (value if isinstance(value, tuple) else (value,)))


def _known_zone(record: DnsRecord) -> bool:
    zone = names.parse(record.zone_name) if record.zone_name is not None else None
    return zone is not None and zone.known


def _scoped(name: Name, context: str) -> tuple:
    return ("" if name.known else context, name.labels)


def _index(m) -> Optional[int]:
    written = m.group("i") if m.group("i") is not None else m.group("j")
    return None if written is None else int(written) % ses_dns.EASY_DKIM_TOKENS


def _unique(items: list) -> list:
    seen, result = set(), []
    for item in items:
        if id(item) not in seen:
            seen.add(id(item))
            result.append(item)
    return result


_POLICY_TAGS = ("p", "sp", "np", "pct", "t")


def dmarc_problems(text: str, subdomain: bool = False, custom_mail_from: bool = False) -> tuple:
    """``(problems, unknown)``: the problems of a DMARC record judged on its
    known tags, and the tags with values unknown to the scan. A problem
    that an unknown tag could settle is left out (no ``p`` when ``p`` is
    unknown, no enforcement verdict when a tag deciding it is, no ``rua``
    verdict when ``rua`` is)."""
    known, unknown = known_terms(text, ";")
    unknown_names = {u.split("=", 1)[0].strip().lower() for u in unknown}
    problems = []
    deciding = set(_POLICY_TAGS) - (set() if subdomain else {"sp", "np"})  # sp and np govern subdomains
    for problem in dmarc.check(known, subdomain=subdomain, custom_mail_from=custom_mail_from):
        if problem.aspect == dmarc.ENFORCEMENT and unknown_names & deciding:
            continue
        if problem.code == "missing-p" and "p" in unknown_names:
            continue
        if problem.aspect == dmarc.REPORTING and "rua" in unknown_names:
            continue
        problems.append(problem)
    return problems, unknown

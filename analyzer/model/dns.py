"""DNS zones and records: those the code declares, and those public DNS serves (``--dns live``)."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from analyzer.model import facts
from analyzer.model.facts import DEFAULT, EXPLICIT, UNRESOLVED, Value
from analyzer.model.resources import Resource
from analyzer.model.values import Unknown, unknowns_in

DECLARED = "declared"  # a DnsRecord written in the code
PUBLISHED = "published"  # a DnsRecord public DNS serves


@dataclass
class DnsZone(Resource):
    """A DNS zone the code declares (a hosted zone, a zone file) or looks up
    (a data source: the zone exists, the code manages some of its records)."""

    name: Any = None  # the zone's apex as written: str (may embed unknowns) / Unknown
    private: Any = None  # True (private hosted zone) / False / Unknown / None (not said)
    provider: str = "route53"  # route53 / cloudflare / google / azure / zonefile / octodns
    key: Any = None  # what records name the zone by when not its address (Google's managed zone name)


@dataclass
class DnsRecord(Resource):
    """One record set the code declares, or one public DNS serves.

    ``name`` is the owner name, absolute with a trailing dot once known
    (``"_dmarc.example.com."``), possibly embedding unknowns
    (``"<token 0 marker>._domainkey.example.com."``), or an ``Unknown``.
    ``values`` holds the record data in presentation format, one entry per
    record: for TXT and SPF a tuple of its character strings (unquoted),
    for the others text (``"10 feedback-smtp.us-east-1.amazonses.com."``);
    ``Unknown`` when the whole list is unknown. ``problems`` says how the
    record is malformed as written (a CloudFormation TXT value without its
    quotes), in sentences.

    ``source`` says where the record comes from: ``"declared"`` (written in
    the code) or ``"published"`` (the answer of public DNS to one query,
    ``--dns live``, see ``analyzer.dns.published``). A published record
    sits next to the declared ones of the deployment that needed it (its
    ``context`` and ``file`` are those of the identity or declared record
    the query was for); its ``loc`` is the pseudo-location
    ``dns:<name>/<type>`` and ``answer`` the ``analyzer.dns.live.Answer``
    (status, nameserver, time). Its ``values`` are what was served, ``[]``
    for a name that does not exist or has no record of the type, and an
    ``Unknown`` when the query failed (the name could not be checked).
    """

    name: Any = None
    rtype: Any = None  # upper case: "TXT", "CNAME", "MX", "SPF"...; or Unknown
    values: Any = None
    ttl: Any = None
    zone: str = ""  # address of the DnsZone it is in, when known
    zone_name: Any = None  # the zone's apex, when known (str / Unknown / None)
    private: Any = None  # whether that zone is private (as DnsZone.private)
    alias: Any = None  # the alias target (Route53 ``alias``), when the record is an alias
    problems: list = field(default_factory=list)
    provider: str = "route53"
    source: str = DECLARED
    answer: Any = None  # a published record's analyzer.dns.live.Answer
    walk: Any = None  # a published SPF record's live walk through its includes (analyzer.dns.spf.LiveSpf)

    @property
    def kind(self) -> Value:
        """The record type, upper case ("TXT", "CNAME", "MX"...)."""
        return facts.text(self.rtype)

    @property
    def data(self) -> Value:
        """The record data: ``EXPLICIT`` with the list of its entries as
        ``values`` holds them (an entry may embed unknowns), ``UNRESOLVED``
        when the whole list is unknown (or a published record's query
        failed), ``DEFAULT`` (None) when no data is written."""
        if isinstance(self.values, list):
            return Value(EXPLICIT, self.values, self.values)
        if isinstance(self.values, Unknown):
            return Value(UNRESOLVED, None, self.values, (self.values,))
        return Value(DEFAULT, None)

    @property
    def data_unknowns(self) -> tuple:
        """What the record data depends on that is not known: the whole list, or parts of its entries."""
        return tuple(unknowns_in(self.values))

    @property
    def strings(self) -> list:
        """The TXT or SPF records of ``data``, each a tuple of its character
        strings as written; [] when the data is not known."""
        data = self.data
        return [entry for entry in data.value if isinstance(entry, tuple)] if data.explicit else []

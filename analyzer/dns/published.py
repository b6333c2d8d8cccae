"""``--dns live``: what public DNS serves for the identities the code declares, as published records.

For every domain identity whose domain is known, the names SES and
receivers read are resolved (``analyzer.dns.live``): the DKIM CNAMEs where
the tokens are known (a plan of a deployed identity), the MAIL FROM
domain's MX and TXT, ``_dmarc`` up to the organizational domain; and every
declared TXT, CNAME or MX record public DNS can be compared with
(``analyzer.dns.view.comparable``).

Each answer enters the model as a ``DnsRecord`` whose ``source`` is
``"published"``, next to the declared records of the deployment that
needed it (see ``DnsRecord``); the rules read both through
``analyzer.dns.view.DnsView`` and judge them with the same code. The
published SPF record of a MAIL FROM domain also carries its live walk
(``analyzer.dns.spf.evaluate_live``: ``include`` and ``redirect``
followed, the 10-lookup and 2-void limits counted exactly, loops
detected). Nothing here judges a record or words a finding. A name that
could not be resolved (timeout, SERVFAIL) is an input problem naming the
query, and its published record's values are unknown, never missing.
"""

from __future__ import annotations

import time

from analyzer.dns import spf
from analyzer.dns.names import Name
from analyzer.dns.records import joined
from analyzer.dns.view import DnsView, comparable, dmarc_walk
from analyzer.model import PUBLISHED, DnsRecord, InputProblem, Location, Model, Unknown


def resolve(model: Model, nameservers: tuple, timeout: float) -> list:
    """Resolve what the identities need and add the answers to ``model`` as
    published records (returned too); failures also go to ``model.problems``."""
    from analyzer.dns.live import LiveResolver

    resolver = LiveResolver(list(nameservers), timeout=timeout)
    view = DnsView(model)
    wanted = _wanted(view)
    answers = resolver.query_many(list(dict.fromkeys(pair for pair, _ in wanted)))
    published = {}
    for (pair, resource) in wanted:
        answer = answers[pair]
        if answer.failed:
            model.problems.append(InputProblem(
                resource.file, f"live DNS: {pair[0]} {pair[1]} could not be resolved: {answer.message}",
                resource.loc.line, resource.loc.column, resource.address))
        if (resource.context, pair) not in published:
            published[(resource.context, pair)] = _record(answer, resource)
    _walk_spf(view, resolver, published)
    records = list(published.values())
    model.dns_records.extend(records)
    return records


def _record(answer, resource) -> DnsRecord:
    """The published record of one answer, next to the resource it was asked for."""
    where = f"dns:{answer.name}/{answer.rdtype}"
    values = Unknown(f"{answer.name} {answer.rdtype}", hint=answer.message) if answer.failed else list(answer.records)
    return DnsRecord(where, "published", Location(where, 0), resource.file, source_format="dns",
                     context=resource.context, name=answer.name, rtype=answer.rdtype, values=values,
                     provider="dns", source=PUBLISHED, answer=answer)


# -- what to ask ----------------------------------------------------------------


def _wanted(view: DnsView) -> list:
    """``((name, type), resource)`` for every query, with the resource it is for."""
    wanted = []
    for identity, domain in view.domain_identities():
        if not domain.known:
            continue
        for name in _dmarc_names(domain):
            wanted.append(((name, "TXT"), identity))
        mail_from = view.mail_from(identity)
        if mail_from is not None and mail_from.known:
            wanted += [((_text(mail_from), "MX"), identity), ((_text(mail_from), "TXT"), identity)]
        for token in _tokens(identity):
            wanted.append(((_text(domain.child(token, "_domainkey")), "CNAME"), identity))
    for placed in view.placed:
        if comparable(placed):
            wanted.append(((_text(placed.name), placed.record.rtype), placed.record))
    return wanted


def _dmarc_names(domain: Name) -> list:
    return [_text(candidate.child("_dmarc")) for candidate in dmarc_walk(domain)]


def _tokens(identity) -> list:
    tokens = identity.dkim_tokens
    return [t for t in tokens if isinstance(t, str)] if isinstance(tokens, list) else []


def _text(name: Name) -> str:
    return name.text().lower() + "."


# -- SPF and DMARC on published records ----------------------------------------


def _bounded(resolver):
    """The resolver's SPF lookup, refused once its total time bound has passed
    since the first include was followed: a tree of includes on a dead
    nameserver must not take one timeout per name."""
    deadline = time.monotonic() + resolver.total_timeout

    def lookup(name: str, rdtype: str) -> list:
        if time.monotonic() > deadline:
            raise spf.LookupFailed(f"not looked up: the total time bound of {resolver.total_timeout:g} s was reached")
        return resolver.lookup_for_spf(name, rdtype)
    return lookup


def _walk_spf(view: DnsView, resolver, published: dict) -> None:
    """The live walk of the published SPF record of each MAIL FROM domain
    (also when none is published: the walk says so), once per domain."""
    done = set()
    lookup = _bounded(resolver)
    for identity, _ in view.domain_identities():
        mail_from = view.mail_from(identity)
        if mail_from is None or not mail_from.known or mail_from.labels in done:
            continue
        done.add(mail_from.labels)
        name = _text(mail_from)
        record = published[(identity.context, (name, "TXT"))]
        if record.answer.failed:
            continue
        if record.values and not any(spf.is_spf(joined(r)) for r in record.values):
            continue
        record.walk = spf.evaluate_live(name, lookup)

"""``--dns live``: what public DNS serves for the identities the code declares.

For every domain identity whose domain is known, the names SES and
receivers read are resolved (``analyzer.dns.live``): the DKIM CNAMEs where
the tokens are known (a plan of a deployed identity), the MAIL FROM
domain's MX and TXT, ``_dmarc`` up to the organizational domain; and every
declared TXT, CNAME or MX record whose name and values are known. Then:

* ``Drift``: a declared record that DNS does not serve as written;
* ``DkimNotServed``, ``MxNotServed``: a name SES needs that does not
  resolve as SES needs it;
* ``PublishedSpf``: the published SPF of a MAIL FROM domain, with
  ``include`` and ``redirect`` followed (``analyzer.dns.spf.evaluate_live``:
  the 10-lookup and 2-void limits counted exactly, loops detected);
* ``PublishedDmarc``: the problems of the published DMARC record.

These are facts; the rules judge them and word the findings (SPF and DMARC
problems with the same codes as the declared records'). Each fact keeps
the answer, so a finding can name the nameserver that answered and when
(``said``). A name that could not be resolved (timeout, SERVFAIL) is an
input problem naming the query, never a missing record.
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from typing import Any, Optional

from analyzer.dns import dmarc, names, ses_dns, spf
from analyzer.dns.names import Name
from analyzer.dns.records import TXT_TYPES, joined
from analyzer.dns.view import DnsView, dmarc_problems, dmarc_walk
from analyzer.model import InputProblem, Model, has_marker

_COMPARED = ("TXT", "CNAME", "MX")


@dataclass
class Drift:
    """A declared record whose values (``declared``, normalized) public DNS does not serve at ``name``."""

    record: Any  # the DnsRecord
    rtype: str
    name: str
    declared: list
    answer: Any  # analyzer.dns.live.Answer
    served: list = field(default_factory=list)  # normalized


@dataclass
class DkimNotServed:
    """DKIM CNAME ``number`` (1-3) of an identity, at ``name``, that does not point at SES."""

    identity: Any
    domain: str
    number: int
    name: str
    token: str
    answer: Any


@dataclass
class MxNotServed:
    """A MAIL FROM domain without an MX to SES's feedback endpoint."""

    identity: Any
    domain: str
    mail_from: str
    answer: Any


@dataclass
class PublishedSpf:
    """The published SPF of an identity's MAIL FROM domain, walked live."""

    identity: Any
    domain: str
    mail_from: str
    answer: Any
    result: Any  # analyzer.dns.spf.LiveSpf: problems, lookups, void lookups
    includes_ses: bool  # whether it includes amazonses.com

    def describe(self) -> str:
        """The record, who answered, and what walking it cost."""
        return (f"the published SPF of {self.mail_from} ({said(self.answer)}; {self.result.lookups} lookups, "
                f"{self.result.void_lookups} void)")


@dataclass
class PublishedDmarc:
    """The published DMARC record governing an identity's domain, at ``name``."""

    identity: Any
    domain: str
    name: str
    answer: Any
    problems: list  # analyzer.dns.spf.Problem, with their DMARC aspect


@dataclass
class Published:
    drift: list = field(default_factory=list)  # Drift
    dkim: list = field(default_factory=list)  # DkimNotServed
    mx: list = field(default_factory=list)  # MxNotServed
    spf: list = field(default_factory=list)  # PublishedSpf
    dmarc: list = field(default_factory=list)  # PublishedDmarc


def resolve(model: Model, nameservers: tuple, timeout: float) -> Published:
    """Resolve what the identities need; failures go to ``model.problems``."""
    from analyzer.dns.live import LiveResolver

    resolver = LiveResolver(list(nameservers), timeout=timeout)
    view = DnsView(model)
    wanted = _wanted(view)
    answers = resolver.query_many(list(dict.fromkeys(pair for pair, _ in wanted)))
    published = Published()
    for (pair, resource) in wanted:
        answer = answers[pair]
        if answer.failed:
            model.problems.append(InputProblem(
                resource.file, f"live DNS: {pair[0]} {pair[1]} could not be resolved: {answer.message}",
                resource.loc.line, resource.loc.column, resource.address))
    _drift(view, answers, published)
    _needs(view, answers, published)
    _spf(view, resolver, answers, published)
    _dmarc(view, answers, published)
    return published


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
        if _comparable(placed):
            wanted.append(((_text(placed.name), placed.record.rtype), placed.record))
    return wanted


def _dmarc_names(domain: Name) -> list:
    return [_text(candidate.child("_dmarc")) for candidate in dmarc_walk(domain)]


def _tokens(identity) -> list:
    tokens = identity.dkim_tokens
    return [t for t in tokens if isinstance(t, str)] if isinstance(tokens, list) else []


def _comparable(placed) -> bool:
    record = placed.record
    return (placed.name.known and placed.name.absolute and record.rtype in _COMPARED and record.active
            and record.private is not True  # public DNS never serves a private zone
            and isinstance(record.values, list) and record.values and not record.alias
            and all(isinstance(v, (str, tuple)) and not _marked(v) for v in record.values))


def _marked(value) -> bool:
    return any(has_marker(part) for part in (value if isinstance(value, tuple) else (value,)))


def _text(name: Name) -> str:
    return name.text().lower() + "."


def said(answer) -> str:
    """Who answered and when, as findings about public DNS say it."""
    return f"{answer.nameserver} answered at {answer.when}"


# -- drift and what SES needs ---------------------------------------------------


def _drift(view: DnsView, answers: dict, published: Published) -> None:
    """Each declared record set against what DNS serves at its name and type.
    Several resources may declare one name and type (Cloudflare writes one
    record per resource): together they must be what is served; each is
    reported for the values it declares that are not served."""
    declared_at: dict = {}
    for placed in view.placed:
        if _comparable(placed):
            declared_at.setdefault((_text(placed.name), placed.record.rtype), []).append(placed)
    for (name, rtype), group in declared_at.items():
        answer = answers[(name, rtype)]
        if answer.failed:
            continue
        served = {_normal(rtype, v) for v in answer.records} if answer.status == "ok" else set()
        declared = {_normal(rtype, v) for p in group for v in p.record.values}
        if declared == served:
            continue
        for placed in group:
            record = placed.record
            mine = sorted(_normal(rtype, v) for v in record.values)
            if len(group) > 1 and set(mine) <= served:
                continue  # this resource's values are served; the difference is another's
            published.drift.append(Drift(record, rtype, name, mine, answer, sorted(served)))


def _normal(rtype: str, value) -> str:
    if rtype in TXT_TYPES:
        return joined(value) if isinstance(value, tuple) else str(value)
    return " ".join(str(value).lower().rstrip(".").split())


def show(values: list) -> str:
    """Record values as findings quote them."""
    return ", ".join(repr(v) for v in values) or "nothing"


def _needs(view: DnsView, answers: dict, published: Published) -> None:
    """What SES itself needs: DKIM CNAMEs, the MAIL FROM MX, its SPF include."""
    for identity, domain in view.domain_identities():
        if not domain.known:
            continue
        shown = domain.text()
        for number, token in enumerate(_tokens(identity), 1):
            name = _text(domain.child(token, "_domainkey"))
            answer = answers[(name, "CNAME")]
            if answer.failed:
                continue
            targets = [names.parse(r) for r in answer.records] if answer.status == "ok" else []
            if not any(t and t.labels and t.labels[0] == (token.lower(),)
                       and ses_dns.dkim_domain_regions(Name(t.labels[1:], False).text()) for t in targets):
                published.dkim.append(DkimNotServed(identity, shown, number, name, token, answer))
        mail_from = view.mail_from(identity)
        if mail_from is None or not mail_from.known:
            continue
        mx = answers[(_text(mail_from), "MX")]
        if not mx.failed and not any(_feedback(r) for r in mx.records):
            published.mx.append(MxNotServed(identity, shown, mail_from.text(), mx))


def _feedback(record: str) -> bool:
    _, _, host = record.partition(" ")
    return ses_dns.feedback_region(host.strip()) is not None


def status(answer) -> str:
    """What DNS answered, as findings say it (``does not exist``...)."""
    if answer.status == "nxdomain":
        return "does not exist"
    if answer.status == "nodata":
        return "has no record of that type"
    return f"serves {show(answer.records)}"


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


def _spf(view: DnsView, resolver, answers: dict, published: Published) -> None:
    done = set()
    lookup = _bounded(resolver)
    for identity, domain in view.domain_identities():
        mail_from = view.mail_from(identity)
        if mail_from is None or not mail_from.known or mail_from.labels in done:
            continue
        done.add(mail_from.labels)
        name = _text(mail_from)
        answer = answers[(name, "TXT")]
        if answer.failed:
            continue
        if answer.status == "ok" and not any(spf.is_spf(joined(r)) for r in answer.records):
            continue
        result = spf.evaluate_live(name, lookup)
        includes_ses = not (answer.status == "ok" and any(spf.is_spf(joined(r)) for r in answer.records)) or any(
            spf.includes(joined(r), ses_dns.SPF_INCLUDE) for r in answer.records)
        published.spf.append(PublishedSpf(identity, domain.text(), mail_from.text(), answer, result, includes_ses))


def _dmarc(view: DnsView, answers: dict, published: Published) -> None:
    for identity, domain in view.domain_identities():
        if not domain.known:
            continue
        found = _published_dmarc(domain, answers)
        if found is None:
            continue
        name, answer, subdomain = found
        texts = [joined(r) for r in answer.records if dmarc.is_dmarc(joined(r))]
        problems = dmarc.check_name(texts)
        for text in texts:
            problems += dmarc_problems(text, subdomain=subdomain,
                                       custom_mail_from=view.mail_from(identity) is not None)[0]
        published.dmarc.append(PublishedDmarc(identity, domain.text(), name, answer, problems))


def _published_dmarc(domain: Name, answers: dict) -> Optional[tuple]:
    for name in _dmarc_names(domain):
        answer = answers.get((name, "TXT"))
        if answer is None or answer.failed:
            return None
        if answer.status == "ok" and any(dmarc.is_dmarc(joined(r)) for r in answer.records):
            return name, answer, name != _text(domain.child("_dmarc"))
    return None

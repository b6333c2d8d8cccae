"""``--dns live``: what public DNS serves for the identities the code declares.

For every domain identity whose domain is known, the names SES and
receivers read are resolved (``analyzer.dns.live``): the DKIM CNAMEs where
the tokens are known (a plan of a deployed identity), the MAIL FROM
domain's MX and TXT, ``_dmarc`` up to the organizational domain; and every
declared TXT, CNAME or MX record whose name and values are known. Then:

* SES250 (drift): a declared record that DNS does not serve as written, or
  a name SES needs that does not resolve as SES needs it;
* SES221 on the published SPF records, with ``include`` and ``redirect``
  followed (``analyzer.dns.spf.evaluate_live``: the 10-lookup and 2-void
  limits counted exactly, loops detected);
* SES231–SES233 on the published DMARC records.

Every finding names the nameserver that answered and when. A name that
could not be resolved (timeout, SERVFAIL) is an input problem (SES001)
naming the query, never a missing record.
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from typing import Any, Optional

from analyzer.dns import dmarc, names, ses_dns, spf
from analyzer.dns.names import Name
from analyzer.dns.records import TXT_TYPES, joined
from analyzer.dns.view import DnsView, dmarc_problems, dmarc_walk
from analyzer.model import InputProblem, Location, Model, has_marker
from analyzer.rules import about

_COMPARED = ("TXT", "CNAME", "MX")


@dataclass
class LiveFinding:
    rule: str
    severity: str
    message: str
    location: Location
    resource: Any  # the model resource it is about
    path: str
    identity: str = ""


@dataclass
class Published:
    findings: list = field(default_factory=list)  # LiveFinding


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


def findings(rule, context, rule_id: str):
    """The findings of ``rule_id`` on published DNS, when the scan ran live."""
    if context.live is None:
        return
    for item in context.live.findings:
        if item.rule == rule_id:
            yield rule.finding(item.message, item.location, severity=item.severity, identity=item.identity,
                               **about(item.resource, f"live/{item.path}"))


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


def _said(answer) -> str:
    return f"{answer.nameserver} answered at {answer.when}"


# -- SES250 ---------------------------------------------------------------------


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
            what = "the name does not exist" if answer.status == "nxdomain" else (
                "there is no such record" if answer.status == "nodata" else f"public DNS serves {_show(sorted(served))}")
            published.findings.append(LiveFinding(
                "SES250", "high",
                f"{record.address}: declares {rtype} {_show(mine)} at {name}, but {what} ({_said(answer)}). "
                "Fix: apply the change, or update the code to what is intended.",
                record.where("values"), record, f"drift/{rtype}"))


def _normal(rtype: str, value) -> str:
    if rtype in TXT_TYPES:
        return joined(value) if isinstance(value, tuple) else str(value)
    return " ".join(str(value).lower().rstrip(".").split())


def _show(values: list) -> str:
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
                published.findings.append(LiveFinding(
                    "SES250", "high",
                    f"{identity.address}: DKIM record {number} of {shown} ({name}) does not point at "
                    f"{token}.<SES DKIM domain> in public DNS: it {_status(answer)} ({_said(answer)}), so SES "
                    "cannot verify DKIM.", identity.loc, identity, f"dkim/{number}", shown))
        mail_from = view.mail_from(identity)
        if mail_from is None or not mail_from.known:
            continue
        mx = answers[(_text(mail_from), "MX")]
        if not mx.failed and not any(_feedback(r) for r in mx.records):
            published.findings.append(LiveFinding(
                "SES250", "high",
                f"{identity.address}: the MAIL FROM domain {mail_from.text()} of {shown} has no MX "
                f"feedback-smtp.<region>.amazonses.com in public DNS: it {_status(mx)} ({_said(mx)}), "
                "so SES falls back to amazonses.com.", identity.where("mail_from_domain"), identity,
                "mail_from/mx", shown))


def _feedback(record: str) -> bool:
    _, _, host = record.partition(" ")
    return ses_dns.feedback_region(host.strip()) is not None


def _status(answer) -> str:
    if answer.status == "nxdomain":
        return "does not exist"
    if answer.status == "nodata":
        return "has no record of that type"
    return f"serves {_show(answer.records)}"


# -- SES221 and SES23x on published records -------------------------------------


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
        where = f"the published SPF of {mail_from.text()} ({_said(answer)}; {result.lookups} lookups, " \
                f"{result.void_lookups} void)"
        for problem in result.problems:
            published.findings.append(LiveFinding(
                "SES221", problem.severity, f"{identity.address}: {where}: {problem.message}.",
                identity.where("mail_from_domain"), identity, f"spf/{problem.code}", domain.text()))
        if answer.status == "ok" and any(spf.is_spf(joined(r)) for r in answer.records) and not any(
                spf.includes(joined(r), ses_dns.SPF_INCLUDE) for r in answer.records):
            published.findings.append(LiveFinding(
                "SES250", "high",
                f"{identity.address}: {where} does not include amazonses.com, so SPF fails for mail SES sends.",
                identity.where("mail_from_domain"), identity, "mail_from/spf", domain.text()))


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
        for problem in problems:
            published.findings.append(LiveFinding(
                problem.rule, problem.severity,
                f"{identity.address}: the published DMARC record {name} ({_said(answer)}): {problem.message}.",
                identity.loc, identity, f"dmarc/{problem.code}", domain.text()))


def _published_dmarc(domain: Name, answers: dict) -> Optional[tuple]:
    for name in _dmarc_names(domain):
        answer = answers.get((name, "TXT"))
        if answer is None or answer.failed:
            return None
        if answer.status == "ok" and any(dmarc.is_dmarc(joined(r)) for r in answer.records):
            return name, answer, name != _text(domain.child("_dmarc"))
    return None

"""What the DNS rules share to word findings on published records
(``--dns live``): who answered and when, what was served, and the findings
on the DMARC record governing an identity, worded once for SES231-SES233
whichever source the record comes from."""

from analyzer.model import PUBLISHED, display
from analyzer.rules import about

SOURCES = ("declared", PUBLISHED)  # every source a rule judges the same way


def said(record) -> str:
    """Who answered a published record's query and when."""
    return f"{record.answer.nameserver} answered at {record.answer.when}"


def show(values: list) -> str:
    """Record values as findings quote them."""
    return ", ".join(repr(v) for v in values) or "nothing"


def status(record) -> str:
    """What DNS answered for a published record (``does not exist``...)."""
    if record.answer.status == "nxdomain":
        return "does not exist"
    if record.answer.status == "nodata":
        return "has no record of that type"
    return f"serves {show(record.values)}"


def served(records: list) -> list:
    """The published records among ``records`` (``Placed``) whose query was answered."""
    return [p for p in records if p.record.data.explicit]


def spf_described(record, mail_from) -> str:
    """A published SPF record of the MAIL FROM domain ``mail_from``, who answered, and what walking it cost."""
    walk = record.walk
    return (f"the published SPF of {mail_from.text()} ({said(record)}; {walk.lookups} lookups, "
            f"{walk.void_lookups} void)")


def dmarc_finding(rule, identity, domain, placed, problem, declared: str, path: str):
    """The finding on ``problem`` of the DMARC record ``placed`` governing
    ``domain``, whichever its source: about the record when it is declared,
    where ``declared`` says what is wrong and ``path`` is its logical path;
    as ``published_dmarc_finding`` when it is published."""
    record = placed.record
    if record.source == PUBLISHED:
        return published_dmarc_finding(rule, identity, domain, placed, problem)
    return rule.finding_on(f"{record.address}: {declared}", record, "values", identity=display(domain.text()),
                        **about(record, path, value=record.values), fix_title=rule.fix())


def published_dmarc_finding(rule, identity, domain, placed, problem, **extra):
    """The finding on ``problem`` of the published DMARC record ``placed``
    governing ``domain``: about the identity (public DNS has no line to
    point at), naming who answered and when."""
    record = placed.record
    return rule.finding_on(
        f"{identity.address}: the published DMARC record {record.name} ({said(record)}): {problem.message}.",
        identity, identity=display(domain.text()), **extra, **about(identity, f"live/dmarc/{problem.code}"))

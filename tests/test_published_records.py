"""Live DNS answers are records of the model (``source="published"``) next to
the declared ones, and the DNS rules judge them through the same view.

The first test resolves against the NSD of tests/dnsserver.py; the others
build the published records by hand, as ``analyzer.dns.published`` would,
so they run with no network."""

import pytest

import dnsserver
from analyzer.dns.live import Answer
from analyzer.dns.published import resolve
from analyzer.dns.view import DnsView
from analyzer.model import PUBLISHED, DnsRecord, Identity, Location, Model, Unknown
from analyzer.policy.verdict import Trust
from analyzer.rules import RuleContext, load_rules

CTX = "/repo/root"
NAMESERVER = "192.0.2.53:53"
WHEN = "2026-12-02T05:00:00.000Z"


def _identity(domain="drift.test", **fields):
    return Identity(address="aws_sesv2_email_identity.d", type="aws_sesv2_email_identity", name=domain,
                    kind="domain", api="v2", loc=Location("main.tf", 1), file="main.tf", context=CTX, **fields)


def _declared(name, rtype, values, address="aws_route53_record.r", line=5):
    return DnsRecord(address=address, type="aws_route53_record", name=name, rtype=rtype, values=values,
                     loc=Location("main.tf", line), file="main.tf", context=CTX,
                     value_locs={"values": Location("main.tf", line + 1)})


def _published(name, rtype, values, status="ok"):
    """A published record as analyzer.dns.published makes one of an answer."""
    answer = Answer(name, rtype, status, [] if isinstance(values, Unknown) else list(values),
                    nameserver=NAMESERVER, when=WHEN, message="timed out" if status == "timeout" else "")
    where = f"dns:{name}/{rtype}"
    return DnsRecord(address=where, type="published", name=name, rtype=rtype, values=values, loc=Location(where, 0),
                     file="main.tf", context=CTX, source_format="dns", provider="dns", source=PUBLISHED,
                     answer=answer)


def _run(rule_id, *resources):
    model = Model()
    for resource in resources:
        (model.identities if isinstance(resource, Identity) else model.dns_records).append(resource)
    rules = {r.id: r for r in load_rules()}
    context = RuleContext(Trust(), rules)
    return sorted(((f.rule_id, f.severity, f.logical_path, f.resource, f.location.line, f.message)
                   for f in rules[rule_id].check(model, context)), key=str)


def test_answers_are_published_records_in_the_model_next_to_the_declared_ones(dns_server):
    declared = _declared("_dmarc.drift.test.", "TXT", [("v=DMARC1; p=reject",)])
    model = Model(identities=[_identity()], dns_records=[declared])
    added = resolve(model, (dns_server.address,), timeout=2.0)
    published = {(r.name, r.rtype): r for r in model.dns_records if r.source == PUBLISHED}
    assert [r for r in model.dns_records if r.source == "declared"] == [declared]
    assert added == list(published.values())
    dmarc = published[("_dmarc.drift.test.", "TXT")]
    assert dmarc.values == [("v=DMARC1; p=none; rua=mailto:dmarc@drift.test",)]
    assert (dmarc.loc.file, dmarc.address, dmarc.context) == ("dns:_dmarc.drift.test./TXT",) * 2 + (CTX,)
    assert dmarc.answer.nameserver == dns_server.address and dmarc.answer.status == "ok"
    assert ("_dmarc.test.", "TXT") not in published  # the DMARC walk stops at two labels
    assert DnsView(model).placed[0].record is declared
    assert [p.record for p in DnsView(model, PUBLISHED).placed] == list(published.values())
    assert len(DnsView(model, "both").placed) == len(published) + 1


def test_published_spf_of_the_mail_from_domain_carries_its_live_walk(dns_server):
    model = Model(identities=[_identity("spf.test", mail_from_domain="loop-a.spf.test")])
    resolve(model, (dns_server.address,), timeout=2.0)
    txt = [r for r in model.dns_records if (r.name, r.rtype) == ("loop-a.spf.test.", "TXT")]
    assert [p.code for p in txt[0].walk.problems] == ["loop"]
    assert all(r.walk is None for r in model.dns_records if r is not txt[0])


def test_a_query_that_failed_is_a_published_record_with_unknown_values_and_an_input_problem():
    with dnsserver.BlackHole() as hole:
        model = Model(identities=[_identity()])
        resolve(model, (hole.address,), timeout=0.3)
    dmarc = [r for r in model.dns_records if r.name == "_dmarc.drift.test."][0]
    assert isinstance(dmarc.values, Unknown) and dmarc.answer.failed
    assert any("_dmarc.drift.test. TXT could not be resolved" in p.message for p in model.problems)
    assert _run("SES231", _identity(), dmarc) == []


@pytest.mark.parametrize("rule_id,text,severity,declared_path,code", [
    ("SES231", "v=DMARC1; p=none; rua=mailto:d@drift.test", "medium", "dmarc/p-none", "p-none"),
    ("SES233", "v=DMARC1; p=reject", "low", "dmarc/rua", "no-rua"),
    ("SES232", "v=DMARC1; p=reject; aspf=s; rua=mailto:d@drift.test", "high", "dmarc/aspf/aws_sesv2_email_identity.d",
     "strict-spf-alignment"),
])
def test_a_rule_judges_published_records_as_it_judges_declared_ones(rule_id, text, severity, declared_path, code):
    mail_from = {"mail_from_domain": "mail.drift.test"}
    declared = _run(rule_id, _identity(**mail_from), _declared("_dmarc.drift.test.", "TXT", [(text,)]))
    published = _run(rule_id, _identity(**mail_from), _published("_dmarc.drift.test.", "TXT", [(text,)]))
    assert [(r, s, p, line) for r, s, p, _, line, _ in declared] == [(rule_id, severity, declared_path, 6)]
    (_, _, _, resource, line, message), = published
    assert [(r, s, p) for r, s, p, *_ in published] == [(rule_id, severity, f"live/dmarc/{code}")]
    assert (resource, line) == ("aws_sesv2_email_identity.d", 1)
    assert message.startswith(f"aws_sesv2_email_identity.d: the published DMARC record _dmarc.drift.test. "
                              f"({NAMESERVER} answered at {WHEN}): ")


def test_two_published_dmarc_records_are_one_invalid_name_as_two_declared_ones_are():
    texts = [("v=DMARC1; p=reject; rua=mailto:d@drift.test",), ("v=DMARC1; p=none",)]
    published = _run("SES232", _identity(), _published("_dmarc.drift.test.", "TXT", texts))
    assert [p for _, _, p, *_ in published] == ["live/dmarc/multiple-records"]
    declared = _run("SES232", _identity(), _declared("_dmarc.drift.test.", "TXT", texts))
    assert [p for _, _, p, *_ in declared] == ["dmarc/multiple-records"]


def test_the_governing_published_dmarc_record_is_found_by_the_same_walk_up_the_tree():
    identity = _identity("mail.drift.test")
    published = [_published("_dmarc.mail.drift.test.", "TXT", [], status="nxdomain"),
                 _published("_dmarc.drift.test.", "TXT", [("v=DMARC1; p=none; rua=mailto:d@drift.test",)])]
    assert [p for _, _, p, *_ in _run("SES231", identity, *published)] == ["live/dmarc/sp-none"]  # as a subdomain
    failed = [_published("_dmarc.mail.drift.test.", "TXT", Unknown("_dmarc.mail.drift.test. TXT"), "timeout"),
              published[1]]
    assert _run("SES231", identity, *failed) == []  # what the subdomain publishes is not known: no parent judged


def test_drift_is_the_declared_set_against_the_published_one():
    declared = _declared("_dmarc.drift.test.", "TXT", [("v=DMARC1; p=reject",)])
    served = _published("_dmarc.drift.test.", "TXT", [("v=DMARC1; p=none",)])
    assert _run("SES250", _identity(), declared, served) == [(
        "SES250", "high", "live/drift/TXT", "aws_route53_record.r", 6,
        f"aws_route53_record.r: declares TXT 'v=DMARC1; p=reject' at _dmarc.drift.test., but public DNS serves "
        f"'v=DMARC1; p=none' ({NAMESERVER} answered at {WHEN}).")]
    same = _published("_dmarc.drift.test.", "TXT", [("v=DMARC1; p=reject",)])
    assert _run("SES250", _identity(), declared, same) == []
    missing = _published("_dmarc.drift.test.", "TXT", [], status="nxdomain")
    assert "but the name does not exist" in _run("SES250", _identity(), declared, missing)[0][-1]
    failed = _published("_dmarc.drift.test.", "TXT", Unknown("_dmarc.drift.test. TXT"), status="timeout")
    assert _run("SES250", _identity(), declared, failed) == []  # not resolved: never drift
    assert _run("SES250", _identity(), declared) == []  # without --dns live there is nothing to compare with


def test_a_published_record_alone_is_not_drift_and_a_declared_record_alone_is_not_either():
    served = _published("_dmarc.drift.test.", "TXT", [("v=DMARC1; p=none",)])
    assert _run("SES250", _identity(), served) == []
    assert _run("SES250", _identity(), _declared("_dmarc.drift.test.", "TXT", [("v=DMARC1; p=none",)])) == []


def test_static_rules_never_judge_published_records():
    served = _published("_dmarc.drift.test.", "TXT", [("v=DMARC1; p=none",)])
    assert DnsView(Model(dns_records=[served])).placed == []
    assert _run("SES230", _identity(), served) == []  # a published DMARC record does not count as declared

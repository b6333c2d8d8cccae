"""Table tests over the model for the hygiene, least-privilege, encryption and
monitoring rules (SES110-SES307), and the helpers they share."""

import json

import pytest

from analyzer.engine import ScanOptions, scan
from analyzer.iam import any_identity_resource, send_actions, spans_all_identities
from analyzer.mailboxes import personal_provider
from analyzer.model import AFTER_APPLY, VARIABLE, ConfigurationSet, EventDestination, Identity, Location, Model, Unknown
from analyzer.monitoring import names, publishes_feedback
from analyzer.policy.document import parse_document
from analyzer.policy.verdict import Trust
from analyzer.rules import RuleContext, load_rules
from conftest import FIXTURES

LOC = Location("main.tf", 1)
RULES = {r.id: r for r in load_rules()}


def _run(rule_id, model, **context):
    return list(RULES[rule_id].check(model, RuleContext(Trust(), RULES, **context)))


@pytest.mark.parametrize("pattern,spans", [
    ("*", True),
    ("arn:aws:ses:*", True),
    ("arn:aws:ses:*:*:identity/*", True),
    ("arn:aws:ses:us-east-1:111122223333:identity/*", True),
    ("arn:aws:ses:us-east-1:111122223333:*", True),
    ("arn:aws:ses:us-east-1:111122223333:identity/example.com", False),
    ("arn:aws:ses:*:*:identity/*@example.com", False),
    ("arn:aws:ses:*:*:configuration-set/*", False),
    ("arn:aws:s3:::bucket/*", False),
])
def test_spans_all_identities(pattern, spans):
    assert spans_all_identities(pattern) is spans


def test_unknown_resources_and_actions_never_count():
    document = parse_document({"Statement": [
        {"Effect": "Allow", "Action": Unknown("var.actions", VARIABLE), "Resource": "*"},
        {"Effect": "Allow", "Action": "ses:SendEmail", "Resource": Unknown("var.arn", VARIABLE)},
        {"Effect": "Allow", "NotAction": "s3:*", "NotResource": "arn:aws:ses:*:*:identity/example.com"},
    ]})
    first, second, third = document.statements
    assert send_actions(first) == []
    assert send_actions(second) == ["ses:SendEmail"] and any_identity_resource(second) is None
    assert len(send_actions(third)) == 5 and any_identity_resource(third) == "NotResource"


@pytest.mark.parametrize("domain,provider", [
    ("gmail.com", "gmail.com"), ("gmx.de", "gmx.*"), ("gmx.co.uk", "gmx.*"), ("yandex.ru", "yandex.*"),
    ("live.example.com", None), ("notgmail.com", None), ("example.com", None),
])
def test_personal_providers(domain, provider):
    assert personal_provider(domain) == provider


def test_configured_personal_mailbox_domains_extend_the_list():
    identity = Identity("aws_ses_email_identity.e", "aws_ses_email_identity", LOC, "main.tf",
                        name="ops@mail.isp.example", kind="email", api="v1")
    model = Model(identities=[identity])
    assert _run("SES201", model) == []
    (finding,) = _run("SES201", model, personal_mailbox_domains=frozenset({"*.isp.example"}))
    assert finding.details == {"domain": "mail.isp.example", "matched": "*.isp.example"}


def _destination(**values):
    return EventDestination("d", "aws_ses_event_destination", LOC, "main.tf", destinations=["sns"], **values)


@pytest.mark.parametrize("values,expected", [
    ({"enabled": True, "event_types": ["bounce", "complaint"]}, True),
    ({"enabled": True, "event_types": ["BOUNCE", "COMPLAINT", "SEND"]}, True),
    ({"enabled": None, "event_types": ["bounce", "complaint"]}, False),  # the API's default: disabled
    ({"enabled": True, "event_types": ["bounce"]}, False),
    ({"enabled": Unknown("var.on", VARIABLE), "event_types": ["bounce", "complaint"]}, None),
    ({"enabled": True, "event_types": ["bounce", Unknown("var.t", VARIABLE)]}, None),
])
def test_publishes_feedback(values, expected):
    assert publishes_feedback(_destination(**values)) is expected


def test_names_by_value_reference_and_unknown():
    ours = ConfigurationSet("Ours", "AWS::SES::ConfigurationSet", LOC, "t.yaml", name="a")
    other = ConfigurationSet("Other", "AWS::SES::ConfigurationSet", LOC, "t.yaml", name=Unknown("Other", AFTER_APPLY))
    sets = [ours, other]
    assert names("a", ours, ours.name, sets) is True
    assert names(Unknown("Ours", AFTER_APPLY), ours, ours.name, sets) is True
    assert names(Unknown("Other", AFTER_APPLY), ours, ours.name, sets) is False
    assert names("b", ours, ours.name, sets) is False
    assert names(Unknown("var.set", VARIABLE), ours, ours.name, sets) is None


def test_dkim_private_key_is_never_printed(monkeypatch):
    monkeypatch.chdir(FIXTURES / "SES112" / "byodkim_cfn_yaml")
    report = scan(ScanOptions(paths=["."]))
    (finding,) = [f for f in report.findings if f.rule_id == "SES112"]
    assert "MIIE" not in finding.message and "MIIE" not in json.dumps(finding.details)


def test_a_plan_next_to_its_configuration_is_reported_once_at_the_tf(tmp_path, monkeypatch):
    (tmp_path / "main.tf").write_text('resource "aws_ses_configuration_set" "c" {\n  name = "c"\n'
                                      '  reputation_metrics_enabled = true\n'
                                      '  delivery_options {\n    tls_policy = "Optional"\n  }\n}\n')
    plan = (FIXTURES / "SES301" / "tls_plan" / "plan.json").read_text()
    plan = plan.replace("aws_ses_configuration_set.optional", "aws_ses_configuration_set.c")
    (tmp_path / "plan.json").write_text(plan.replace('"name": "optional"', '"name": "c"'))
    monkeypatch.chdir(tmp_path)
    report = scan(ScanOptions(paths=["."]))
    tls = [(f.resource, f.file, f.location.line) for f in report.findings
           if f.rule_id == "SES301" and f.resource == "aws_ses_configuration_set.c"]
    assert tls == [("aws_ses_configuration_set.c", "main.tf", 5)]

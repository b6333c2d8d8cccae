"""Acceptance of the hygiene, encryption, monitoring and email-authentication
rules on real code (../shared/corpus)."""

from analyzer.engine import ScanOptions, scan
from analyzer.rules import needs_dns

CHECKOV = "bridgecrewio__checkov/tests/terraform/checks/resource/aws/example_SesConfigurationSetDefinesTLS"


def _findings(monkeypatch, where, rule_id):
    monkeypatch.chdir(where)
    report = scan(ScanOptions(paths=["."]))
    return sorted((f.resource, f.file, f.location.line) for f in report.findings if f.rule_id == rule_id)


def test_checkov_tls_examples_agree_with_ckv_aws_365(corpus, monkeypatch):
    """SES301 on checkov's ``fail`` and ``fail2``, not on ``pass``."""
    assert _findings(monkeypatch, corpus / "ses-public" / CHECKOV, "SES301") == [
        ("aws_ses_configuration_set.fail", "main.tf", 1),
        ("aws_ses_configuration_set.fail2", "main.tf", 17),
    ]


def test_navapbc_sesv2_configuration_set_requires_tls(corpus, monkeypatch):
    for checkout in ("navapbc__template-infra", "navapbc__template-infra@c4775112"):
        monkeypatch.chdir(corpus / "ses-public" / checkout)
        report = scan(ScanOptions(paths=["."]))
        assert [f for f in report.findings if f.rule_id in ("SES301", "SES303", "SES304")] == []


def test_new_rules_on_the_whole_public_corpus(corpus, monkeypatch):
    """Every finding of SES110-SES307 on the public corpus, each checked by reading the code.
    oozou's SES202 is said in examples/terraform-test, whose email identity test@example.com sits next
    to the domain identity mail.domain.com; examples/email-verification declares no domain identity,
    so nothing there says which domain its address should be on (before deployments, the domain of
    another example answered for it)."""
    monkeypatch.chdir(corpus / "ses-public")
    report = scan(ScanOptions(paths=["."]))
    found = sorted((f.rule_id, f.file, f.location.line, f.active) for f in report.findings
                   if f.rule_id >= "SES110" and not needs_dns(f.rule_id))
    assert found == [
        ("SES110", "clouddrove__terraform-aws-ses/main.tf", 202, False),
        ("SES111", "clouddrove__terraform-aws-ses/main.tf", 185, False),
        ("SES202", "oozou__terraform-aws-ses/main.tf", 8, True),
        ("SES301", f"{CHECKOV}/main.tf", 1, True),
        ("SES301", f"{CHECKOV}/main.tf", 17, True),
        ("SES303", f"{CHECKOV}/main.tf", 1, True),
        ("SES303", f"{CHECKOV}/main.tf", 5, True),
        ("SES303", f"{CHECKOV}/main.tf", 13, True),
        ("SES304", "DNXLabs__terraform-aws-ses/configuration_set.tf", 4, False),
        ("SES304", f"{CHECKOV}/main.tf", 1, True),
        ("SES304", f"{CHECKOV}/main.tf", 5, True),
        ("SES304", f"{CHECKOV}/main.tf", 13, True),
        ("SES306", "DNXLabs__terraform-aws-ses/receipt_rules.tf", 6, False),
        ("SES306", "DNXLabs__terraform-aws-ses/receipt_rules.tf", 24, False),
        ("SES306", "trussworks__terraform-aws-ses-domain/main.tf", 96, True),
        ("SES306", "trussworks__terraform-aws-ses-domain/main.tf", 105, True),
    ]


def test_perf_corpus_has_no_new_findings(corpus, monkeypatch):
    monkeypatch.chdir(corpus / "perf")
    report = scan(ScanOptions(paths=["."]))
    assert [f for f in report.findings if f.rule_id >= "SES110"] == []


NAVAPBC = "infra/modules/notifications-email-domain/resources"


def test_email_authentication_on_the_whole_public_corpus(corpus, monkeypatch):
    """Every DNS finding on the public corpus, each checked against the code and the corpus README:
    trussworks and navapbc declare all three DKIM records (no SES211) and DMARC p=none (SES231);
    cloudposse's example zone is private (SES212, once per token); DNXLabs' SPF string in an output
    is not a record; clouddrove, cloudposse, infrablocks, DNXLabs and the CloudFormation template
    declare no DMARC (SES230). oozou's two examples that create a domain identity are two deployments,
    each told about its own. DNXLabs' MAIL FROM (for_each over a variable without a value) keeps the
    default behaviour on MX failure (SES224, conditional): its domain is its identity's, found through
    aws_ses_domain_identity.ses_domain[each.key], the instance its own unknown key picks."""
    monkeypatch.chdir(corpus / "ses-public")
    report = scan(ScanOptions(paths=["."]))
    found = sorted((f.rule_id, f.file, f.location.line, f.active) for f in report.findings if needs_dns(f.rule_id))
    assert found == sorted([
        ("SES230", "DNXLabs__terraform-aws-ses/ses.tf", 1, True),
        ("SES224", "DNXLabs__terraform-aws-ses/ses.tf", 17, True),
        ("SES222", "clouddrove__terraform-aws-ses/main.tf", 24, True),
        ("SES230", "clouddrove__terraform-aws-ses/main.tf", 24, True),
        ("SES222", "cloudposse__terraform-aws-ses/main.tf", 9, True),
        ("SES230", "cloudposse__terraform-aws-ses/main.tf", 9, True),
        ("SES212", "cloudposse__terraform-aws-ses/main.tf", 31, True),
        ("SES212", "cloudposse__terraform-aws-ses/main.tf", 31, True),
        ("SES212", "cloudposse__terraform-aws-ses/main.tf", 31, True),
        ("SES222", "hms-dbmi-cellenics__iac/cf/ses.yaml", 24, True),
        ("SES230", "hms-dbmi-cellenics__iac/cf/ses.yaml", 24, True),
        ("SES230", "infrablocks__terraform-aws-ses/main.tf", 1, True),
        ("SES224", "infrablocks__terraform-aws-ses/main.tf", 43, True),
        ("SES231", f"navapbc__template-infra/{NAVAPBC}/dns.tf", 36, True),
        ("SES233", f"navapbc__template-infra/{NAVAPBC}/dns.tf", 36, True),
        ("SES224", f"navapbc__template-infra/{NAVAPBC}/main.tf", 38, True),
        ("SES231", f"navapbc__template-infra@c4775112/{NAVAPBC}/dns.tf", 36, True),
        ("SES233", f"navapbc__template-infra@c4775112/{NAVAPBC}/dns.tf", 36, True),
        ("SES224", f"navapbc__template-infra@c4775112/{NAVAPBC}/main.tf", 38, True),
        ("SES224", "oozou__terraform-aws-ses/main.tf", 42, True),
        ("SES224", "oozou__terraform-aws-ses/main.tf", 42, True),
        ("SES231", "oozou__terraform-aws-ses/main.tf", 69, True),
        ("SES231", "oozou__terraform-aws-ses/main.tf", 69, True),
        ("SES233", "oozou__terraform-aws-ses/main.tf", 69, True),
        ("SES233", "oozou__terraform-aws-ses/main.tf", 69, True),
        ("SES224", "trussworks__terraform-aws-ses-domain/main.tf", 40, True),
        ("SES231", "trussworks__terraform-aws-ses-domain/main.tf", 89, True),
    ])
    oozou = sorted((f.rule_id, f.deployment) for f in report.findings
                   if f.file == "oozou__terraform-aws-ses/main.tf" and f.rule_id == "SES231")
    assert oozou == [("SES231", "oozou__terraform-aws-ses/examples/domain-verification"),
                     ("SES231", "oozou__terraform-aws-ses/examples/terraform-test")]

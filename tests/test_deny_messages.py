"""Findings about a grant a Deny weighs on name that Deny."""

from analyzer.engine import ScanOptions, scan
from conftest import FIXTURES


def messages(case):
    report = scan(ScanOptions(paths=[str(FIXTURES / case)], dns="off"))
    return [(f.rule_id, f.text) for f in report.findings]


def test_public_despite_a_deny_names_it():
    assert messages("SES101/deny_for_any_value_sesv2") == [(
        "SES101", "example.com (aws_sesv2_email_identity_policy.p): statement 'AllowAll' lets anyone send "
        "ses:SendEmail as this identity, with no condition that narrows the callers. A Deny statement "
        "'NotOthers' turns away some callers, but not these. Fix: name the trusted accounts or roles as "
        "principals, or add a StringEquals aws:PrincipalOrgID / aws:PrincipalAccount condition.")]


def test_untrusted_account_left_by_a_deny_names_it():
    assert messages("SES102/deny_not_principal_partner") == [(
        "SES102", "example.com (aws_ses_identity_policy.p): statement 'AllowAll' lets account 444455556666 send "
        "ses:SendEmail as this identity. A Deny statement 'OwnerAndPartner' turns away callers its "
        "NotPrincipal excludes. No trusted account was configured, so every account but the owner counts as "
        "untrusted. Fix: declare your accounts with --trusted-account ID (or --trusted-org o-...) if this grant "
        "is intended.")]


def test_denies_that_stop_no_chosen_request_are_each_named():
    (rule, message), = messages("SES101/deny_if_exists_numeric_date_ip")
    assert rule == "SES101"
    assert ("A Deny statement 'NotAfter2030' turns away some callers, but not these. A Deny statement "
            "'FreshMfa' turns away some callers, but not these. A Deny statement 'NotFromHere' turns away "
            "some callers, but not these.") in message

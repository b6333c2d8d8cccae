"""Acceptance on real code nobody here wrote (../shared/corpus, read-only)."""

from analyzer.engine import ScanOptions, scan

KICS = "DataDog__kics/assets/queries/terraform/aws/ses_policy_with_allowed_iam_actions/test"


def _scan(monkeypatch, where, path="."):
    monkeypatch.chdir(where)
    return scan(ScanOptions(paths=[path], dns="off"))


def test_ses_public_identity_policies(corpus, monkeypatch):
    """Exactly what the corpus README's "identity policies" section lists."""
    report = _scan(monkeypatch, corpus / "ses-public")
    ses1xx = sorted((f.rule_id, f.file, f.location.line, f.active, f.severity)
                    for f in report.findings if f.rule_id.startswith("SES10"))
    assert ses1xx == [
        ("SES101", f"{KICS}/positive.tf", 10, True, "critical"),
        ("SES101", "clouddrove__terraform-aws-ses/main.tf", 142, False, "critical"),
        ("SES102", f"{KICS}/negative.tf", 10, True, "medium"),
    ]
    clouddrove = next(f for f in report.findings if f.file.startswith("clouddrove"))
    assert clouddrove.resource == "module.ses.aws_ses_identity_policy.default[0]"
    assert clouddrove.inactive_reason == ("count = 0 while var.enable_domain = true, var.enabled = true, "
                                          "var.enable_policy = false")
    negative = next(f for f in report.findings if f.file.endswith("negative.tf") and f.rule_id == "SES102")
    assert negative.details["untrusted"] == ["account 987654321145"]
    assert sorted((f.rule_id, f.file, f.location.line) for f in report.findings
                  if f.rule_id in ("SES001", "SES002")) == UNDECLARED


# Real code that terraform validate rejects: the kics snippets use aws_ses_domain_identity.example
# without declaring it, and DNXLabs' event destination names an aws_sns_topic.sns the module never
# declares (a bug upstream: any plan of it fails). Each is SES001 at the reference (#11).
UNDECLARED = [
    ("SES001", "DNXLabs__terraform-aws-ses/event_destination.tf", 10),
    ("SES001", f"{KICS}/negative.tf", 2),
    ("SES001", f"{KICS}/positive.tf", 2),
]


def test_kics_negative_is_clean_when_its_account_is_trusted(corpus, monkeypatch):
    monkeypatch.chdir(corpus / "ses-public")
    report = scan(ScanOptions(paths=[f"{KICS}/negative.tf"], trusted_accounts=("987654321145",), dns="off"))
    # A file is scanned with the module (directory) it belongs to; kics keeps positive.tf beside it.
    assert [(f.rule_id, f.file) for f in report.findings if f.rule_id != "SES001"] == [
        ("SES101", f"{KICS}/positive.tf")]


def test_navapbc_pinpoint_policy_has_its_confused_deputy_conditions(corpus, monkeypatch):
    report = _scan(monkeypatch, corpus / "ses-public" / "navapbc__template-infra@c4775112")
    assert [f for f in report.findings if f.rule_id.startswith("SES1")] == []
    assert report.modules > 0


def test_infrablocks_cross_account_policy_is_not_public(corpus, monkeypatch):
    report = _scan(monkeypatch, corpus / "ses-public" / "infrablocks__terraform-aws-ses")
    assert [f.rule_id for f in report.findings if f.rule_id == "SES101"] == []


def test_whole_corpus_scans_without_crash_or_unanalyzed_input(corpus, monkeypatch):
    report = _scan(monkeypatch, corpus)
    assert sorted((f.rule_id, f.file.removeprefix("ses-public/"), f.location.line) for f in report.findings
                  if f.rule_id in ("SES001", "SES002")) == UNDECLARED
    assert report.files > 2000


def test_perf_corpus_is_prefiltered(corpus, monkeypatch):
    """2,064 files with no SES content: no SES1xx, and almost nothing parsed."""
    report = _scan(monkeypatch, corpus / "perf")
    assert report.files == 2064
    assert [f for f in report.findings if f.rule_id.startswith("SES1")] == []
    assert report.files_parsed < 50
    unresolved = sorted(f.resource for f in report.findings if f.rule_id == "SES003")
    assert unresolved == ["module.ses", "module.ses", "module.ses"]  # remote SES modules, not downloaded

"""Typed facts (#11 item 0): every format's spelling of a field reaches the
rules as one normalized ``Value`` with its state, and rules read nothing else."""

import ast

import pytest

from analyzer.cloudformation.loader import load_template
from analyzer.discover import discover
from analyzer.dns.link import link
from analyzer.model import DEFAULT, EXPLICIT, UNRESOLVED, VARIABLE, Model, Unknown, Value, embed, facts
from analyzer.terraform.loader import TerraformScan, Variables
from conftest import REPO


def terraform(tmp_path, monkeypatch, text: str) -> Model:
    monkeypatch.chdir(tmp_path)
    (tmp_path / "main.tf").write_text(text, encoding="utf-8")
    model = Model()
    TerraformScan(discover(str(tmp_path)), Variables(), model).run()
    assert model.problems == []
    return model


def cloudformation(properties: str, type_: str) -> Model:
    model = Model()
    load_template("t.yaml", "t.yaml", "Parameters:\n  Unset: {Type: String}\nResources:\n  R:\n"
                  f"    Type: {type_}\n    Properties:\n{properties}", {}, model)
    assert model.problems == []
    return model


@pytest.mark.parametrize("written, expected", [
    (None, Value(DEFAULT, "optional")),
    ("Require", Value(EXPLICIT, "require", "Require")),  # Terraform v1
    ("REQUIRE", Value(EXPLICIT, "require", "REQUIRE")),  # v2 and CloudFormation
    ("optional", Value(EXPLICIT, "optional", "optional")),
    ("Sometimes", Value(EXPLICIT, "sometimes", "Sometimes")),  # the service rejects it; no rule matches it
    (Unknown("var.tls", VARIABLE), Value(UNRESOLVED, None, Unknown("var.tls", VARIABLE),
                                         (Unknown("var.tls", VARIABLE),))),
    ("RE" + embed(Unknown("var.x", VARIABLE)), Value(UNRESOLVED, None, "RE" + embed(Unknown("var.x", VARIABLE)),
                                                    (Unknown("var.x", VARIABLE),))),
])
def test_tls_policy_spellings(written, expected):
    from analyzer.model.resources import tls

    assert tls(written) == expected


@pytest.mark.parametrize("written, expected", [
    (None, Value(DEFAULT, False)),
    (True, Value(EXPLICIT, True, True)),
    ("false", Value(EXPLICIT, False, "false")),  # Terraform converts the string; so does CloudFormation
    ("True", Value(EXPLICIT, True, "True")),
    ("yes", Value(EXPLICIT, None, "yes")),  # no boolean: known, but neither value
])
def test_booleans_convert_as_the_languages_do(written, expected):
    assert facts.boolean(written, False) == expected


MARKED = "${var.zone}.example.com".replace("${var.zone}", embed(Unknown("var.zone", VARIABLE)))


@pytest.mark.parametrize("written, expected", [
    (None, Value(DEFAULT)),
    ("", Value(DEFAULT, None, "")),  # an empty name is no name
    ("example.com", Value(EXPLICIT, "example.com", "example.com")),
    (MARKED, Value(UNRESOLVED, None, MARKED, (Unknown("var.zone", VARIABLE),))),
    (["a", "b"], Value(EXPLICIT, None, ["a", "b"])),  # known, but no string
])
def test_text_fields(written, expected):
    assert facts.text(written) == expected


@pytest.mark.parametrize("written, expected", [
    (None, ()),
    (["t1", "t2", "t3"], ((1, "t1"), (2, "t2"), (3, "t3"))),
    (["t1", MARKED, "t3"], ((1, "t1"), (3, "t3"))),  # the known ones keep their numbers
    ([Unknown("var.t", VARIABLE), "t2"], ((2, "t2"),)),
    (Unknown("var.tokens", VARIABLE), ()),
    ("t1", ()),  # known, but no list
])
def test_the_known_items_of_a_list_of_strings(written, expected):
    assert facts.known_texts(written) == expected


def test_a_value_is_shown_as_text_when_it_is_text():
    assert facts.of(MARKED).text_or("a custom domain") == "${var.zone}.example.com"
    assert facts.of(Unknown("var.zone", VARIABLE)).text_or("a custom domain") == "a custom domain"


def test_notification_types_and_record_data_read_alike_in_every_spelling():
    from analyzer.model import DnsRecord, Location, NotificationTopic

    topic = NotificationTopic("t", "aws_ses_identity_notification_topic", Location("f", 1), "f")
    assert [NotificationTopic(**{**topic.__dict__, "notification_type": kind}).kind for kind in
            ("Bounce", "COMPLAINT", Unknown("var.kind", VARIABLE))] == [
        Value(EXPLICIT, "bounce", "Bounce"), Value(EXPLICIT, "complaint", "COMPLAINT"),
        Value(UNRESOLVED, None, Unknown("var.kind", VARIABLE), (Unknown("var.kind", VARIABLE),))]
    record = DnsRecord("r", "aws_route53_record", Location("f", 1), "f", rtype="TXT",
                       values=[("v=spf1 ", "-all"), Unknown("var.txt", VARIABLE)])
    assert record.kind == Value(EXPLICIT, "TXT", "TXT") and record.data.explicit
    assert record.strings == [("v=spf1 ", "-all")]
    unknown = DnsRecord("r", "aws_route53_record", Location("f", 1), "f", values=Unknown("var.txt", VARIABLE))
    assert unknown.data.unresolved and unknown.strings == [] and unknown.kind.default


def test_enum_spellings_fold_case_and_underscores():
    assert facts.enum("RequireOpenOnly", {"requireopenonly": "require_open_only"}).value == "require_open_only"
    assert facts.enum("REQUIRE_OPEN_ONLY", {"requireopenonly": "require_open_only"}).value == "require_open_only"


@pytest.mark.parametrize("written, expected", [
    (None, Value(DEFAULT, False)),
    ("", Value(DEFAULT, False)),
    ("MIIEpAIBAAKCAQEA", Value(EXPLICIT, True)),
    ("{{resolve:secretsmanager:dkim}}", Value(EXPLICIT, False)),
    (Unknown("var.key", VARIABLE), Value(UNRESOLVED, unknowns=(Unknown("var.key", VARIABLE),))),
])
def test_a_private_key_becomes_whether_it_is_written_never_the_key(written, expected):
    fact = facts.private_key(written)
    assert fact == expected
    assert "MIIE" not in repr(fact)


V2_IDENTITY = """resource "aws_sesv2_email_identity" "d" {
  email_identity = "example.com"
%s}
"""


@pytest.mark.parametrize("body, api, dkim, written", [
    ("", "v2", Value(DEFAULT, "easy"), Value(DEFAULT, False)),
    ('  dkim_signing_attributes {\n    domain_signing_private_key = "MIIEkey"\n'
     '    domain_signing_selector = "s1"\n  }\n', "v2", Value(EXPLICIT, "byodkim"), Value(EXPLICIT, True)),
    ('  dkim_signing_attributes {\n    domain_signing_private_key = var.key\n'
     '    domain_signing_selector = "s1"\n  }\n', "v2", Value(EXPLICIT, "byodkim"),
     Value(UNRESOLVED, unknowns=(Unknown("var.key", VARIABLE),))),
])
def test_terraform_v2_identity_facts(tmp_path, monkeypatch, body, api, dkim, written):
    variable = 'variable "key" {}\n' if "var.key" in body else ""
    (identity,) = terraform(tmp_path, monkeypatch, variable + V2_IDENTITY % body).identities
    assert (identity.api, identity.dkim, identity.private_key_written) == (api, dkim, written)


def test_terraform_v1_identity_signs_only_with_its_domain_dkim(tmp_path, monkeypatch):
    model = terraform(tmp_path, monkeypatch, 'resource "aws_ses_domain_identity" "d" {\n  domain = "a.example"\n}\n'
                      'resource "aws_ses_domain_identity" "e" {\n  domain = "b.example"\n}\n'
                      'resource "aws_ses_domain_dkim" "e" {\n  domain = aws_ses_domain_identity.e.domain\n}\n')
    link(model)
    assert [(i.address, i.api, i.dkim) for i in model.identities] == [
        ("aws_ses_domain_identity.d", "v1", Value(DEFAULT, "off")),
        ("aws_ses_domain_identity.e", "v1", Value(EXPLICIT, "easy"))]


@pytest.mark.parametrize("properties, dkim, mx_failure", [
    ("      EmailIdentity: example.com\n", Value(DEFAULT, "easy"), Value(DEFAULT, "use_default")),
    ("      EmailIdentity: example.com\n      DkimAttributes: {SigningEnabled: 'false'}\n"
     "      MailFromAttributes: {MailFromDomain: m.example.com, BehaviorOnMxFailure: REJECT_MESSAGE}\n",
     Value(EXPLICIT, "off", "false"), Value(EXPLICIT, "reject", "REJECT_MESSAGE")),
    ("      EmailIdentity: example.com\n      DkimAttributes: {SigningEnabled: !Ref Unset}\n",
     Value(UNRESOLVED, None, Unknown("Unset", VARIABLE), (Unknown("Unset", VARIABLE),)),
     Value(DEFAULT, "use_default")),
])
def test_cloudformation_identity_facts(properties, dkim, mx_failure):
    (identity,) = cloudformation(properties, "AWS::SES::EmailIdentity").identities
    assert (identity.api, identity.dkim, identity.mx_failure) == ("v2", dkim, mx_failure)


@pytest.mark.parametrize("text", [
    'resource "aws_ses_configuration_set" "c" {\n  name = "c"\n  delivery_options {\n    tls_policy = "Require"\n'
    '  }\n}\n',
    'resource "aws_sesv2_configuration_set" "c" {\n  configuration_set_name = "c"\n  delivery_options {\n'
    '    tls_policy = "REQUIRE"\n  }\n}\n',
])
def test_terraform_v1_and_v2_tls_spellings_read_alike(tmp_path, monkeypatch, text):
    (config_set,) = terraform(tmp_path, monkeypatch, text).configuration_sets
    assert config_set.tls.is_("require") and config_set.tls.explicit


def test_an_identity_must_say_which_api_declared_it():
    from analyzer.model import Identity, Location

    with pytest.raises(ValueError, match="an identity's api is 'v1' or 'v2', not ''"):
        Identity("aws_ses_domain_identity.d", "aws_ses_domain_identity", Location("main.tf", 1), "main.tf")


BANNED = {"Unknown", "has_marker", "split_marked", "embed", "unknowns_in", "LStr", "LList", "LDict", "passed"}


def representation_imports(tree) -> list:
    """``(line, name)`` of what a module imports of how the model represents unknowns and locations."""
    found = []
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom) and (node.module or "").startswith("analyzer.model"):
            if node.module == "analyzer.model.values":
                found.append((node.lineno, node.module))
            found += [(node.lineno, a.name) for a in node.names if a.name in BANNED]
        elif isinstance(node, ast.Import):
            found += [(node.lineno, a.name) for a in node.names if a.name.startswith("analyzer.model.values")]
    return found


def test_no_rule_reads_the_representation_of_unknowns():
    """Rules read facts (``Value``), names and ``unresolved``; how an unknown is kept is the model's."""
    found = {path.name: representation_imports(ast.parse(path.read_text(encoding="utf-8")))
             for path in sorted((REPO / "checks").glob("*.py"))}
    assert {name: lines for name, lines in found.items() if lines} == {}


def test_the_representation_check_sees_an_import():
    tree = ast.parse("from analyzer.model import Unknown, display\nfrom analyzer.model.values import x\n")
    assert representation_imports(tree) == [(1, "Unknown"), (2, "analyzer.model.values")]


def test_a_resource_locates_a_path_by_its_longest_written_prefix():
    from analyzer.model import Location, ReceiptRule

    rule, action, tls = Location("main.tf", 1), Location("main.tf", 4), Location("main.tf", 9)
    receipt_rule = ReceiptRule("aws_ses_receipt_rule.r", "aws_ses_receipt_rule", rule, "main.tf",
                               value_locs={"s3_actions/0": action, "tls_policy": tls})
    assert [receipt_rule.where(p) for p in ("s3_actions/0/kms_key_arn", "s3_actions/0", "s3_actions/1/kms_key_arn",
                                            "tls_policy", "name", "")] == [action, action, rule, tls, rule, rule]


def test_receipt_rule_actions_are_located_in_the_table_in_both_formats(tmp_path, monkeypatch):
    model = terraform(tmp_path, monkeypatch, 'resource "aws_ses_receipt_rule" "r" {\n  name = "r"\n'
                      '  rule_set_name = "s"\n  s3_action {\n    bucket_name = "b"\n    position = 1\n  }\n'
                      '  s3_action {\n    bucket_name = "c"\n    position = 2\n  }\n}\n')
    (rule,) = model.receipt_rules
    assert [rule.where(f"s3_actions/{i}/kms_key_arn").line for i in range(2)] == [4, 8]
    (rule,) = cloudformation("      Rule:\n        Actions:\n          - S3Action: {BucketName: b}\n"
                             "          - S3Action: {BucketName: c}\n", "AWS::SES::ReceiptRule").receipt_rules
    assert [rule.where(f"s3_actions/{i}").line for i in range(2)] == [9, 10]


def test_an_unresolved_setting_is_named_only_while_the_rule_that_judges_it_runs(monkeypatch):
    from analyzer.engine import ScanOptions, scan
    monkeypatch.chdir(REPO / "fixtures" / "SES003" / "setting_unresolved")

    def unresolved(**options):
        report = scan(ScanOptions(paths=["."], dns="off", **options))
        return sorted((f.location.line, f.details["unresolved"][0]) for f in report.findings if f.rule_id == "SES003")

    every = [(12, "var.tls_policy"), (15, "var.metrics"), (19, "var.https"), (39, "var.tls_policy")]
    assert unresolved() == every
    assert unresolved(disable=("SES301", "SES306")) == [(15, "var.metrics"), (19, "var.https")]


def test_an_email_identity_s_unresolved_signing_is_not_named(tmp_path, monkeypatch):
    # SES210 judges domain identities only: an email address's SigningEnabled decides nothing it reports
    from analyzer.engine import ScanOptions, scan
    template = ("Parameters:\n  Signing:\n    Type: String\nResources:\n"
                "  {name}:\n    Type: AWS::SES::EmailIdentity\n    Properties:\n      EmailIdentity: {identity}\n"
                "      DkimAttributes:\n        SigningEnabled: !Ref Signing\n")
    for name, identity in (("Address", "ops@example.com"), ("Domain", "example.com")):
        (tmp_path / name).mkdir()
        (tmp_path / name / "template.yaml").write_text(template.format(name=name, identity=identity))
    monkeypatch.chdir(tmp_path)
    report = scan(ScanOptions(paths=["."], dns="static"))
    assert [(f.file, f.location.line) for f in report.findings if f.rule_id == "SES003"] == [
        ("Domain/template.yaml", 10)]


def test_an_unresolved_event_destination_is_named_only_while_ses303_runs(monkeypatch):
    from analyzer.engine import ScanOptions, scan
    monkeypatch.chdir(REPO / "fixtures" / "SES003" / "event_destination_unresolved_cfn_yaml")

    def unresolved(**options):
        report = scan(ScanOptions(paths=["."], dns="off", **options))
        return [(f.location.line, f.details["unresolved"]) for f in report.findings if f.rule_id == "SES003"]

    assert unresolved() == [(26, ["BouncesEnabled", "SetName"]), (41, ["SetName"])]
    assert unresolved(disable=("SES303",)) == []


def location_uses(tree) -> list:
    """``(line, what)`` of each place a module finds a location itself: a ``where()`` call, a ``.loc``, a
    ``rule.finding(...)`` (which takes a location) instead of ``rule.finding_on(resource, path)``."""
    found = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Attribute) and node.attr in ("where", "loc", "locs", "value_locs"):
            found.append((node.lineno, node.attr))
        elif isinstance(node, ast.Attribute) and node.attr == "finding" and isinstance(node.ctx, ast.Load):
            found.append((node.lineno, "finding"))
    return found


# an input that could not be read is a file and a line, not a part of a resource
INPUT_RULES = {"ses001_input_not_analyzed.py": [(35, "finding")], "ses002_rule_crashed.py": [(37, "finding")]}


def test_rules_name_the_part_of_a_resource_and_the_engine_finds_its_line():
    found = {path.name: location_uses(ast.parse(path.read_text(encoding="utf-8")))
             for path in sorted((REPO / "checks").glob("*.py"))}
    assert {name: uses for name, uses in found.items() if uses} == INPUT_RULES


def test_the_location_check_sees_each_way_of_finding_a_line():
    tree = ast.parse("rule.finding(m, r.where('x'))\nrule.finding_on(m, r, 'x', at=r.loc)\n")
    assert sorted(location_uses(tree)) == [(1, "finding"), (1, "where"), (2, "loc")]


def test_a_policy_locates_a_part_of_its_document_in_the_document():
    from analyzer.model import IdentityPolicy, Location
    from analyzer.policy.document import parse_document

    text = '{"Statement": [\n  {"Effect": "Allow",\n   "Principal": "*", "Action": "ses:*", "Resource": "*"}]}'
    argument = Location("main.tf", 3, 12)
    policy = IdentityPolicy("aws_ses_identity_policy.p", "aws_ses_identity_policy", Location("main.tf", 1), "main.tf",
                            value_locs={"policy": argument},
                            document=parse_document(text, Location("main.tf", 4, 1)))
    assert [policy.where(p).line for p in ("policy/Statement/0/Principal", "policy/Statement/0/Condition",
                                           "policy/", "policy", "name")] == [6, 5, 4, 3, 1]

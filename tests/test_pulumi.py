"""Pulumi YAML programs: one deployment per stack with its configuration,
the pure built-ins computed, everything else unknown, bad input SES001."""

import pytest

from analyzer.documents import DocumentOptions, load_documents
from analyzer.engine import ScanOptions, scan
from analyzer.model import AFTER_APPLY, EVALUATION, OWNER, Model, Unknown, split_marked
from analyzer.pulumi.loader import terraform_type

_PROGRAM = """\
name: mail
runtime: yaml
config:
  domain: {type: string, default: default.example}
  token: {type: string}
variables:
  parts: {fn::split: [".", "${domain}"]}
  first: {fn::select: [0, "${parts}"]}
  joined: {fn::join: ["-", ["${first}", "${pulumi.stack}", "${token}"]]}
  caller: {fn::invoke: {function: aws:getCallerIdentity, return: accountId}}
  read: {fn::readFile: ./policy.json}
resources:
  identity:
    type: aws:ses:DomainIdentity
    properties:
      domain: ${joined}.${first}
  other:
    type: aws:sesv2:EmailIdentity
    properties:
      emailIdentity: ${caller}@${read}
"""


def _model(tmp_path, files):
    for name, text in files.items():
        (tmp_path / name).write_text(text, encoding="utf-8")
    model = Model()
    load_documents([str(tmp_path / "Pulumi.yaml")], DocumentOptions(), model, dns=False)
    return model


def test_each_stack_is_a_deployment_with_its_configuration(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    model = _model(tmp_path, {"Pulumi.yaml": _PROGRAM,
                              "Pulumi.dev.yaml": "config:\n  mail:domain: dev.example.com\n  mail:token: t\n",
                              "Pulumi.prod.yaml": "config:\n  mail:token: {secure: AAAA}\n"})
    assert sorted((d.name, d.kind, tuple(d.inputs)) for d in model.deployments.values()) == [
        ("Pulumi.dev.yaml", "pulumi", ("Pulumi.dev.yaml",)), ("Pulumi.prod.yaml", "pulumi", ("Pulumi.prod.yaml",))]
    names = {i.context: i.name for i in model.identities if i.type == "aws_ses_domain_identity"}
    assert names["Pulumi.dev.yaml"] == "dev-dev-t.dev"
    assert names["Pulumi.prod.yaml"].startswith("default-prod-\ue000variable")  # a secret: unknown
    assert model.problems == []
    other = next(i for i in model.identities if i.type == "aws_sesv2_email_identity")
    parts = split_marked(other.name)
    assert [(p.kind, p.ref) for p in parts if isinstance(p, Unknown)] == [
        (OWNER, "aws:getCallerIdentity.accountId"), (EVALUATION, "fn::readFile")]


def test_without_a_stack_file_the_defaults_apply(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    model = _model(tmp_path, {"Pulumi.yaml": _PROGRAM})
    assert [d.name for d in model.deployments.values()] == ["Pulumi.yaml"]
    identity = next(i for i in model.identities if i.type == "aws_ses_domain_identity")
    assert identity.name.startswith("default--\ue000variable")  # token has no value


@pytest.mark.parametrize("token, expected", [
    ("aws:ses:IdentityPolicy", "aws_ses_identity_policy"),
    ("aws:sesv2/emailIdentityPolicy:EmailIdentityPolicy", "aws_sesv2_email_identity_policy"),
    ("aws:ses:MailFrom", "aws_ses_domain_mail_from"),
    ("aws:iam:RolePolicy", "aws_iam_role_policy"),
    ("aws:route53:Record", "aws_route53_record"),
    ("aws:route53:HealthCheck", None),
    ("aws:s3:Bucket", None),
    ("aws:iam:Role", "aws_iam_role"),
])
def test_types(token, expected):
    assert terraform_type(token) == expected


def test_references_after_deployment_are_named_as_terraform_attributes(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    model = _model(tmp_path, {"Pulumi.yaml": (
        "name: m\nruntime: yaml\nresources:\n  id:\n    type: aws:ses:DomainIdentity\n"
        "    properties: {domain: example.com}\n  p:\n    type: aws:ses:IdentityPolicy\n"
        "    properties:\n      identity: ${id.arn}\n      name: x\n      policy: ${id.verificationToken}\n")})
    policy = model.identity_policies[0]
    assert (policy.identity, policy.identity_address) == ("example.com", "aws_ses_domain_identity.id")
    assert policy.document_unknown == Unknown("aws_ses_domain_identity.id.verification_token", AFTER_APPLY)


def test_bad_stack_and_bad_built_ins_are_ses001_with_their_lines(tmp_path, monkeypatch):
    program = ("name: m\nruntime: yaml\nvariables:\n  a: {fn::select: [5, [x]]}\n  b: {fn::join: x}\n"
               "  c: ${c}\nresources:\n  id:\n    type: aws:ses:DomainIdentity\n"
               "    properties: {domain: '${a}${b}${c}'}\n")
    for name, text in {"Pulumi.yaml": program, "Pulumi.dev.yaml": "config: [\n"}.items():
        (tmp_path / name).write_text(text, encoding="utf-8")
    (tmp_path / "ok").mkdir()
    (tmp_path / "ok" / "Pulumi.yaml").write_text(
        "name: m\nruntime: yaml\nresources:\n  p:\n    type: aws:iam:Policy\n    properties:\n      policy:\n"
        "        fn::toJSON: {Statement: [{Effect: Allow, Action: 'ses:SendEmail', Resource: '*'}]}\n",
        encoding="utf-8")
    monkeypatch.chdir(tmp_path)
    report = scan(ScanOptions(paths=["."], dns="off"))
    assert sorted((f.rule_id, f.file, f.location.line) for f in report.findings) == [
        ("SES001", "Pulumi.dev.yaml", 2), ("SES110", "ok/Pulumi.yaml", 8)]
    (tmp_path / "Pulumi.dev.yaml").unlink()
    report = scan(ScanOptions(paths=["."], dns="off"))
    assert sorted((f.rule_id, f.file, f.location.line) for f in report.findings) == [
        ("SES001", "Pulumi.yaml", 4), ("SES001", "Pulumi.yaml", 5), ("SES001", "Pulumi.yaml", 6),
        ("SES110", "ok/Pulumi.yaml", 8)]


def test_other_runtimes_are_not_programs(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    model = _model(tmp_path, {"Pulumi.yaml": "name: m\nruntime: nodejs\ndescription: ses:SendEmail\n"})
    assert (model.deployments, model.problems) == ({}, [])

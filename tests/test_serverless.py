"""Serverless Framework services: variables resolved only where Serverless
would resolve them without deploying, and bad input is SES001 with its line
while the rest of the scan goes on."""

import pytest

from analyzer.cloudformation.yaml_loader import load_yaml
from analyzer.documents import DocumentOptions, load_documents
from analyzer.engine import ScanOptions, scan
from analyzer.files import Limits, parse_size
from analyzer.model import DATA, ERROR, OWNER, VARIABLE, Model, Unknown, display, unknowns_in
from analyzer.serverless.variables import Variables

_DOCUMENT = """\
service: mailer
custom:
  domain: example.com
  list: [a, b]
  loop: ${self:custom.loop}
  external: ${file(./config.yml)}
  stage_domain: ${sls:stage}.${self:custom.domain}
provider:
  name: aws
  stage: ${opt:stage, 'prod'}
"""


def _value(expression, document=_DOCUMENT):
    return Variables(load_yaml(document, "serverless.yml").value).resolve(expression)


@pytest.mark.parametrize("expression, expected", [
    ("${self:custom.domain}", "example.com"),
    ("mail.${self:custom.domain}", "mail.example.com"),
    ("${self:custom.list}", ["a", "b"]),
    ("${self:custom.stage_domain}", "prod.example.com"),
    ("${opt:stage, 'dev'}", "dev"),
    ("${opt:stage}", "prod"),
    ("${sls:stage}", "prod"),
    ("${aws:region}", "us-east-1"),
    ("${env:NAME, 3}", None),
    ("${AWS::Region}-${Name}", "${AWS::Region}-${Name}"),  # Fn::Sub placeholders are the template's
    ("${self:custom.${sls:stage}, 'x'}", "x"),  # no such value: the fallback
    ("${self:custom.external.domain, 'x'}", None),  # a file sesguard does not read: unknown, not the fallback
])
def test_variables(expression, expected):
    value = _value(expression)
    if expected is None:
        assert isinstance(value, Unknown), value
    else:
        assert value == expected


def test_what_is_not_known_says_so():
    assert _value("${env:DOMAIN, 'example.com'}") == Unknown("variable env:DOMAIN, 'example.com'", VARIABLE)
    assert _value("${ssm:/mail/domain}").kind == DATA
    assert _value("${aws:accountId}").kind == OWNER
    assert _value("stage ${sls:stage}", "service: x\n") == "stage dev"  # Serverless's default stage
    marked = _value("arn:aws:ses:${env:REGION}:1:identity/x")
    assert display(marked) == "arn:aws:ses:${variable env:REGION}:1:identity/x"
    errors = [_value("${self:custom.missing}"), _value("${self:custom.loop}"), _value("a ${self:custom.list}")]
    assert [u.kind for e in errors for u in unknowns_in(e)] == [ERROR, ERROR, ERROR]


def _scan(tmp_path, monkeypatch, files, **options):
    for name, text in files.items():
        path = tmp_path / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
    monkeypatch.chdir(tmp_path)
    report = scan(ScanOptions(paths=["."], dns="off", **options))
    return sorted((f.rule_id, f.file, f.location.line) for f in report.findings)


_IAM = ("service: s\nprovider:\n  name: aws\n  iamRoleStatements:\n"
        "    - {Effect: Allow, Action: 'ses:SendEmail', Resource: '*'}\n")


def test_a_50_mb_service_is_ses001_and_the_scan_goes_on(tmp_path, monkeypatch):
    big = tmp_path / "big" / "serverless.yml"
    big.parent.mkdir()
    with open(big, "w", encoding="utf-8") as f:
        f.write("service: big\n")
        f.truncate(50 * 1024 * 1024)
    assert _scan(tmp_path, monkeypatch, {"ok/serverless.yml": _IAM}) == [
        ("SES001", "big/serverless.yml", 0), ("SES110", "ok/serverless.yml", 5)]
    report = scan(ScanOptions(paths=["."], dns="off", limits=Limits(max_file_size=parse_size("10M"))))
    assert [f.message for f in report.findings if f.rule_id == "SES001"] == [
        "big/serverless.yml: file is larger than 10 MB, the --max-file-size limit; not analyzed"]


def test_json_service_and_bad_statements(tmp_path, monkeypatch):
    files = {
        "a/serverless.json": '{"service": "s", "provider": {"name": "aws", "iam": {"role": {"statements": [\n'
                             '  {"Effect": "Allow", "Action": "ses:SendRawEmail", "Resource": "*"}]}}}}\n',
        "b/serverless.yml": "service: s\nprovider:\n  iamRoleStatements: ses:SendEmail\n",
        "c/serverless.yml": "provider:\n  iamRoleStatements: [{Action: 'ses:SendEmail'}]\n",
        "d/serverless.yml": "service: s\nservice: t\nprovider:\n  iamRoleStatements: [{Action: 'ses:SendEmail'}]\n",
    }
    assert _scan(tmp_path, monkeypatch, files) == [
        ("SES001", "b/serverless.yml", 3), ("SES001", "d/serverless.yml", 2), ("SES110", "a/serverless.json", 2)]


def test_other_yaml_named_otherwise_is_not_a_service(tmp_path, monkeypatch):
    assert _scan(tmp_path, monkeypatch, {"ci.yml": _IAM}) == []


def test_a_service_is_its_own_deployment(tmp_path, monkeypatch):
    (tmp_path / "serverless.yml").write_text(_IAM, encoding="utf-8")
    monkeypatch.chdir(tmp_path)
    model = Model()
    load_documents(["serverless.yml"], DocumentOptions(), model, dns=False)
    assert [(d.name, d.kind, d.files) for d in model.deployments.values()] == [
        ("serverless.yml", "serverless", {"serverless.yml"})]
    assert [(p.address, p.context) for p in model.iam_policies] == [("IamRoleLambdaExecution", "serverless.yml")]


def test_resources_as_fragments_and_from_files(tmp_path, monkeypatch):
    service = ("service: s\nresources:\n  - Resources:\n      P:\n        Type: AWS::IAM::ManagedPolicy\n"
               "        Properties:\n          PolicyDocument:\n"
               "            Statement: [{Effect: Allow, Action: 'ses:SendEmail', Resource: '*'}]\n"
               "  - ${file(./more.yml)}\n  - Resources: ${file(./other.yml)}\n")
    assert _scan(tmp_path, monkeypatch, {"serverless.yml": service}) == [
        ("SES001", "serverless.yml", 9), ("SES001", "serverless.yml", 10), ("SES110", "serverless.yml", 8)]

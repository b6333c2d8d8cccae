"""SAM function policies and samconfig.toml: what SAM would reject is SES001
with its line; samconfig.toml environments give the parameter values."""

import json

from analyzer.documents import DocumentOptions, load_documents
from analyzer.engine import ScanOptions, scan
from analyzer.model import Model, unknowns_in

_TEMPLATE = """\
AWSTemplateFormatVersion: "2010-09-09"
Transform: AWS::Serverless-2016-10-31
Globals:
  Function:
    Runtime: python3.12
    Policies: [AmazonSESFullAccess]
Resources:
  Fn:
    Type: AWS::Serverless::Function
    Properties:
      Handler: app.handler
      Policies:
        - SESCrudPolicy: {}
        - NoSuchPolicy: {}
        - [not, a, policy]
        - !Ref Managed
        - !Sub "arn:aws:iam::${AWS::AccountId}:policy/mail"
        - '{{resolve:ssm:policy-arn}}'
  Managed:
    Type: AWS::IAM::ManagedPolicy
    Properties:
      PolicyDocument: {Statement: [{Effect: Allow, Action: 's3:GetObject', Resource: '*'}]}
"""


def _load(tmp_path, files, env="default"):
    for name, text in files.items():
        (tmp_path / name).write_text(text, encoding="utf-8")
    model = Model()
    load_documents([str(tmp_path / "template.yaml")], DocumentOptions(sam_config_env=env), model, dns=False)
    return model


def test_what_sam_rejects_is_reported_with_its_line(tmp_path):
    model = _load(tmp_path, {"template.yaml": _TEMPLATE})
    problems = sorted((p.line, p.message) for p in model.problems)
    assert [line for line, _ in problems] == [6, 13, 14, 15]
    assert "Globals.Function" in problems[0][1]
    assert "SESCrudPolicy needs IdentityName" in problems[1][1]
    assert "NoSuchPolicy is not a SAM policy template" in problems[2][1]
    assert [p.address for p in model.iam_policies] == ["Managed"]  # the managed policy itself, not the entries


def test_samconfig_environment_and_region(tmp_path):
    template = ("Transform: AWS::Serverless-2016-10-31\nParameters:\n  Domain: {Type: String}\nResources:\n"
                "  Fn:\n    Type: AWS::Serverless::Function\n    Properties:\n      Policies:\n"
                "        - SESCrudPolicy: {IdentityName: !Ref Domain}\n")
    config = ('version = 0.1\n[default.deploy.parameters]\nregion = "cn-north-1"\n'
              'parameter_overrides = "Domain=example.com Other=\\"two words\\""\n'
              '[prod.global.parameters]\nparameter_overrides = ["Domain=prod.example.com"]\n')
    files = {"template.yaml": template, "samconfig.toml": config}
    resources = [s.resources for p in _load(tmp_path, files).iam_policies for s in p.document.statements]
    assert [r[0].split(":")[:4] + [r[0].rsplit(":", 1)[1]] for r in resources] == [
        ["arn", "aws-cn", "ses", "cn-north-1", "identity/example.com"]]
    prod = [s.resources for p in _load(tmp_path, files, "prod").iam_policies for s in p.document.statements]
    assert prod[0][0].endswith(":identity/prod.example.com") and "\ue000" in prod[0][0]  # region unknown
    staging = _load(tmp_path, files, "staging").iam_policies[0].document.statements[0].resources[0]
    assert [u.ref for u in unknowns_in(staging)] == ["AWS::Partition", "AWS::Region", "AWS::AccountId",
                                                     "Domain"]  # no such environment: Domain has no value


def test_broken_samconfig_is_ses001_with_its_line_and_the_template_is_still_read(tmp_path, monkeypatch):
    (tmp_path / "template.yaml").write_text(
        "Resources:\n  P:\n    Type: AWS::IAM::Policy\n    Properties:\n      PolicyDocument:\n"
        "        Statement: [{Effect: Allow, Action: 'ses:SendEmail', Resource: '*'}]\n", encoding="utf-8")
    (tmp_path / "samconfig.toml").write_text('version = 0.1\n[default.deploy.parameters]\nregion = \n',
                                             encoding="utf-8")
    monkeypatch.chdir(tmp_path)
    report = scan(ScanOptions(paths=["."], dns="off"))
    assert sorted((f.rule_id, f.file, f.location.line) for f in report.findings) == [
        ("SES001", "samconfig.toml", 3), ("SES110", "template.yaml", 6)]


def test_bad_parameter_overrides_point_at_their_line(tmp_path):
    files = {"template.yaml": "Resources:\n  Fn:\n    Type: AWS::SES::EmailIdentity\n",
             "samconfig.toml": 'version = 0.1\n\n[default.deploy.parameters]\nstack_name = "x"\n'
                               'parameter_overrides = "Domain"\n'}
    problems = [(p.file.rsplit("/", 1)[-1], p.line) for p in _load(tmp_path, files).problems]
    assert ("samconfig.toml", 5) in problems


def test_sam_config_env_chooses_the_parameters(monkeypatch):
    from click.testing import CliRunner

    from analyzer.cli import main
    from conftest import FIXTURES

    monkeypatch.chdir(FIXTURES / "SES110" / "sam_policies_cfn_yaml")
    lines = {}
    for env in ("default", "prod"):
        result = CliRunner().invoke(main, ["scan", ".", "--dns", "off", "--format", "json", "--sam-config-env", env])
        lines[env] = sorted(f["line"] for f in json.loads(result.output)["findings"])
    assert lines == {"default": [19, 25], "prod": [19, 25, 34]}

"""The pre-filter skips a module only when no rule could report on it, and says so (#11)."""

import json

import pytest
from click.testing import CliRunner

from analyzer.cli import main
from analyzer.discover import discover
from analyzer.engine import ScanOptions, scan
from analyzer.send_text import grants_send
from analyzer.terraform.loader import Variables


@pytest.mark.parametrize("text, expected", [
    ('Action = "ses:SendEmail"', True),
    ('"Action": "SES:*"', True),
    ("actions = [\"ses:Send*\"]", True),
    ('"Action": "ses:${var.verb}"', True),
    ('actions = ["*"]', True),
    ('"Action": ["s3:GetObject", "*:*"]', True),
    ('{\\"Action\\": \\"s*\\"}', True),  # JSON escaped in a .tf.json string
    ("Action:\n  - 's3:Get*'\n  - '*'\nResource: '*'", True),  # YAML block sequence
    ('actions = ["${var.service}:*"]', True),
    ('not_actions = ["iam:*"]', True),  # an Allow with it grants ses:SendEmail
    ('NotAction = ["ses:*"]', True),  # the ses: word is enough
    ('statement { actions = ["s3:*"]\n resources = ["*"] }', False),
    ('actions = ["${statement.value}:List*"]', False),  # never a send action, whatever the service
    ('Resource = "*"', False),
    ('"Action": "ses:GetSendQuota"', False),
    ('resource = "arn:aws:ses:eu-west-1:111122223333:identity/example.com"', False),
    ("email addresses: ops", False),  # a word ending in ses:
    ("actions = var.actions", False),  # the literal is wherever the value is written
    ("not_actions = statement.value.not_actions", False),
    ('- action: "aws:runCommand"\n  name: "x"\n  commands:\n    - "${var.command}"', False),
    ('count = var.actions == ["*"] ? 1 : 0', False),
    # a Deny, or a statement naming a principal (a resource policy), grants no identity-based permission
    ('statement {\n  effect = "Deny"\n  actions = ["*"]\n  resources = ["*"]\n}', False),
    ('{\\"Effect\\":\\"Deny\\",\\"NotAction\\":[\\"iam:*\\"]}', False),
    ('statement {\n  actions = ["*"]\n  principals {\n    type = "*"\n    identifiers = ["*"]\n  }\n}', False),
    ('Statement = [{ Effect = "Allow", Principal = { AWS = "*" }, Action = "*", Resource = "*" }]', False),
    ('Statement = [{ Effect = var.effect, Action = "*", Resource = "*" }]', True),
    ('Statement = [{ Effect = "Allow", Action = "*" }, { Effect = "Deny", Action = "*" }]', True),
    ('statement {\n  effect = "Deny"\n  actions = ["ses:SendEmail"]\n}', True),  # the ses: word alone
])
def test_text_that_can_grant_a_send_action(text, expected):
    assert grants_send(text.encode()) is expected


def _write(root, files):
    for name, text in files.items():
        path = root / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text)


IAM_POLICY = 'resource "aws_iam_policy" "p" {\n  policy = %s\n}\n'
KEY = ('resource "aws_iam_user" "u" {\n  name = "ci"\n}\n'
       'resource "aws_iam_access_key" "k" {\n  user = aws_iam_user.u.name\n}\n')


def test_modules_no_rule_reads_are_skipped_with_their_reason(tmp_path):
    _write(tmp_path, {
        "storage/main.tf": IAM_POLICY % 'jsonencode({ Statement = [{ Effect = "Allow", Action = "s3:*", '
                                      'Resource = "*" }] })',
        "ci/main.tf": KEY,
        "quota/main.tf": IAM_POLICY % 'jsonencode({ Statement = [{ Effect = "Allow", Action = '
                                    '"ses:GetSendQuota", Resource = "*" }] })',
        # a wildcard action in a document no IAM resource uses (a VPC endpoint policy)
        "endpoint/main.tf": 'data "aws_iam_policy_document" "e" {\n  statement {\n    actions = ["*"]\n'
                            '    resources = ["*"]\n  }\n}\n',
        "network/main.tf": 'resource "aws_vpc" "v" {\n  cidr_block = "10.0.0.0/16"\n}\n',
    })
    found = discover(str(tmp_path))
    assert [found.relevant(d) for d in sorted(found.modules)] == [False] * 5
    report = scan(ScanOptions(paths=[str(tmp_path)]))
    assert (report.files_parsed, report.findings) == (0, [])
    reasons = {d.rsplit("/", 1)[1]: why for d, why in report.skipped}
    assert sorted(reasons) == ["ci", "endpoint", "network", "quota", "storage"]
    assert reasons["ci"].startswith("declares IAM resources, but nothing in its module tree can grant")
    assert reasons["storage"] == reasons["ci"]
    assert reasons["network"].startswith("names no aws_ses* resource, IAM policy or access key")


@pytest.mark.parametrize("files", [
    {"main.tf": IAM_POLICY % '<<EOT\n{"Statement": [{"Effect": "Allow", "Action": "SES:SendEmail", '
                             '"Resource": "*"}]}\nEOT'},
    {"main.tf.json": json.dumps({"resource": {"aws_iam_policy": {"p": {"policy": json.dumps(
        {"Statement": [{"Effect": "Allow", "Action": "*", "Resource": "*"}]})}}}})},
    {"main.tf": IAM_POLICY % 'templatefile("${path.module}/tpl/send.json.tftpl", { resource = "*" })',
     "tpl/send.json.tftpl": '{"Statement": [{"Effect": "Allow", "Action": "ses:SendRawEmail", '
                            '"Resource": "${resource}"}]}'},
    {"main.tf": 'locals {\n  policy_file = "${path.module}/policies/send.json"\n}\n'
                + IAM_POLICY % "file(local.policy_file)",
     "policies/send.json": '{"Statement": [{"Effect": "Allow", "Action": "ses:SendEmail", "Resource": "*"}]}'},
    {"main.tf": 'variable "actions" {\n  type = list(string)\n}\n'
                + IAM_POLICY % 'jsonencode({ Statement = [{ Effect = "Allow", Action = var.actions, '
                               'Resource = "*" }] })',
     "terraform.tfvars": 'actions = ["ses:SendEmail"]\n'},
], ids=["heredoc", "tf-json", "templatefile", "file-of-a-local", "tfvars"])
def test_a_send_grant_anywhere_the_module_reads_keeps_it(tmp_path, files):
    _write(tmp_path, files)
    report = scan(ScanOptions(paths=[str(tmp_path)], dns="off"))
    assert [f.rule_id for f in report.findings] == ["SES110"]
    assert report.skipped == []


def test_an_interpolated_path_stands_for_the_files_of_its_directory(tmp_path):
    _write(tmp_path, {"main.tf": IAM_POLICY % 'file("${path.module}/policies/${terraform.workspace}.json")',
                      "policies/default.json": '{"Statement": [{"Action": "ses:SendEmail"}]}'})
    found = discover(str(tmp_path))
    assert [found.grants_send(m) for m in found.modules.values()] == [True]
    (tmp_path / "policies" / "default.json").write_text('{"Statement": [{"Action": "s3:GetObject"}]}')
    found = discover(str(tmp_path))
    assert [found.grants_send(m) for m in found.modules.values()] == [False]


def test_a_file_outside_the_scan_root_is_not_read(tmp_path):
    _write(tmp_path, {"send.json": '{"Statement": [{"Action": "ses:SendEmail"}]}',
                      "root/main.tf": IAM_POLICY % 'file("${path.module}/../send.json")'})
    found = discover(str(tmp_path / "root"))
    assert [found.grants_send(m) for m in found.modules.values()] == [False]


def test_var_file_values_count_for_every_root(tmp_path):
    _write(tmp_path, {"root/main.tf": 'variable "actions" {\n  type = list(string)\n}\n'
                                      + IAM_POLICY % 'jsonencode({ Statement = [{ Effect = "Allow", '
                                                     'Action = var.actions, Resource = "*" }] })',
                      "send.tfvars": 'actions = ["ses:SendRawEmail"]\n'})
    plain = scan(ScanOptions(paths=[str(tmp_path / "root")], dns="off"))
    assert (plain.files_parsed, len(plain.skipped)) == (0, 1)
    given = scan(ScanOptions(paths=[str(tmp_path / "root")], dns="off",
                             variables=Variables(files=[str(tmp_path / "send.tfvars")])))
    assert [f.rule_id for f in given.findings] == ["SES110"]


def test_access_key_module_is_kept_only_in_a_tree_that_grants_sending(tmp_path):
    _write(tmp_path, {
        "keys/main.tf": 'variable "name" {\n  type = string\n}\n' + KEY.replace('"ci"', "var.name")
                        + 'output "name" {\n  value = aws_iam_user.u.name\n}\n',
        "app/main.tf": 'module "relay" {\n  source = "../keys"\n  name = "relay"\n}\n'
                       'resource "aws_iam_user_policy" "p" {\n  user = module.relay.name\n'
                       '  policy = jsonencode({ Statement = [{ Effect = "Allow", Action = "ses:SendRawEmail", '
                       'Resource = "arn:aws:ses:eu-west-1:111122223333:identity/example.com" }] })\n}\n',
        "tools/main.tf": 'module "ci" {\n  source = "../keys"\n  name = "ci"\n}\n',
    })
    report = scan(ScanOptions(paths=[str(tmp_path)], dns="off"))
    assert [(f.rule_id, f.resource) for f in report.findings] == [("SES111", "module.relay.aws_iam_access_key.k")]
    assert [d.rsplit("/", 1)[1] for d, _ in report.skipped] == ["tools"]


def test_a_root_passing_a_send_action_to_a_policy_module_is_kept(tmp_path):
    """Neither module holds both the IAM resource and the send action: their tree does."""
    _write(tmp_path, {
        "app/main.tf": 'data "aws_iam_policy_document" "send" {\n  statement {\n'
                       '    actions   = ["ses:SendEmail"]\n    resources = ["*"]\n  }\n}\n'
                       'module "policy" {\n  source = "../policy"\n'
                       '  policy = data.aws_iam_policy_document.send.json\n}\n',
        "policy/main.tf": 'variable "policy" {\n  type = string\n}\n' + IAM_POLICY % "var.policy",
    })
    report = scan(ScanOptions(paths=[str(tmp_path)], dns="off"))
    assert [(f.rule_id, f.resource) for f in report.findings] == [("SES110", "module.policy.aws_iam_policy.p")]
    assert report.skipped == []


def test_verbose_says_which_modules_were_skipped_and_json_counts_them(tmp_path, monkeypatch):
    _write(tmp_path, {"ses/main.tf": 'resource "aws_ses_domain_identity" "d" {\n  domain = "example.com"\n}\n',
                      "vpc/main.tf": 'resource "aws_vpc" "v" {\n  cidr_block = "10.0.0.0/16"\n}\n'})
    monkeypatch.chdir(tmp_path)
    result = CliRunner().invoke(main, ["scan", ".", "--dns", "off", "-v", "--format", "json"])
    lines = result.stderr.splitlines()
    assert lines[0].startswith("sesguard: configuration: ") and lines[1].startswith("sesguard: 2 file(s) found")
    assert lines[2:] == ["sesguard: 1 module(s) skipped by the pre-filter, never parsed:",
                         "sesguard:   vpc: names no aws_ses* resource, IAM policy or access key, or mail DNS "
                         "record, and calls no module that does"]
    assert json.loads(result.stdout)["summary"]["modules_skipped"] == 1

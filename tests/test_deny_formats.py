"""Each Deny shape and condition-operator family, written in every format a
sending-authorization policy can take, gives the same exact findings.

One table of policies (``SHAPES``), each rendered as a Terraform
``jsonencode`` policy, a heredoc of JSON, an ``aws_iam_policy_document``
data source (``not_principals``, ``not_resources``, ``condition`` blocks),
an SESv2 identity policy, and a CloudFormation ``Custom::IdentityPolicy`` in
YAML and in JSON. The owner's account is written as each format writes it
(``data.aws_caller_identity``, ``${AWS::AccountId}``) and policy variables
as each format escapes them. Every shape's verdict is also the z3 model's
(tests/oracle), so a pinned message is IAM's answer, not only today's.
"""

import json

import pytest
import yaml

from analyzer.engine import ScanOptions, scan
from oracle.compare import disagreement
from oracle.iam import FIXTURE_RLIMIT
from oracle.policies import OWNER_MARK

OWNER = "<owner>"  # the owner's account id, in the table's strings
ORG = "o-abcdef1234"
PARTNER = "444455556666"
SEND = ["ses:SendEmail", "ses:SendRawEmail"]


def allow_all(**extra):
    return {"Sid": "AllowAll", "Effect": "Allow", "Principal": "*", "Action": SEND, "Resource": "*", **extra}


def deny(sid, condition=None, **extra):
    statement = {"Sid": sid, "Effect": "Deny", "Principal": "*", "Action": "ses:*", "Resource": "*", **extra}
    if condition:
        statement["Condition"] = condition
    return statement


OPEN = ("{label}: statement 'AllowAll' lets anyone send ses:SendEmail and ses:SendRawEmail as this identity, "
        "with no condition that narrows the callers.")
NOT_THESE = " A Deny statement '{}' turns away some callers, but not these."


def public(*denies, why=""):
    return [("SES101", OPEN + "".join(NOT_THESE.format(sid) for sid in denies) + why)]


def partner_left(sid, by="condition"):
    return [("SES102", "{label}: statement 'AllowAll' lets account 444455556666 send ses:SendEmail and "
                       f"ses:SendRawEmail as this identity. A Deny statement '{sid}' turns away callers its {by} "
                       "excludes. No trusted account was configured, so every account but the owner "
                       "counts as untrusted.")]


# name -> (statements, expected findings as (rule, message with {label}))
SHAPES = {
    # String: IfExists on the Deny side is true of a caller without an organization, so it is turned away too
    "string_not_equals_if_exists_org": (
        [allow_all(), deny("OutsideOrg", {"StringNotEqualsIfExists": {"aws:PrincipalOrgID": ORG}})], []),
    # IfExists on both sides: the Allow admits callers without an organization, the Deny turns them away
    "if_exists_both_sides": (
        [allow_all(Condition={"StringEqualsIfExists": {"aws:PrincipalOrgID": ORG}}),
         deny("OutsideOrg", {"StringNotEqualsIfExists": {"aws:PrincipalOrgID": ORG}})], []),
    # IfExists on the Allow side only: a caller without an organization is admitted
    "if_exists_allow_side": (
        [allow_all(Condition={"StringEqualsIfExists": {"aws:PrincipalOrgID": ORG}})],
        public(why=" Conditions that do not narrow the callers: StringEqualsIfExists aws:PrincipalOrgID: "
                   "StringEqualsIfExists lets callers without the key through.")),
    # String, case-insensitively named key: a partner's role left by a StringNotLike on the caller's ARN
    "string_not_like_arn_partner_left": (
        [allow_all(), deny("OwnerAndMailer", {"StringNotLike": {"AWS:PrincipalARN": [
            f"arn:aws:iam::{OWNER}:*", f"arn:aws:iam::{PARTNER}:role/mailer"]}})],
        partner_left("OwnerAndMailer")),
    # Arn
    "arn_not_like_partner_left": (
        [allow_all(), deny("OwnerAndMailer", {"ArnNotLike": {"aws:PrincipalArn": [
            f"arn:aws:iam::{OWNER}:*", f"arn:aws:iam::{PARTNER}:role/mailer"]}})],
        partner_left("OwnerAndMailer")),
    # two keys in one condition: denied only when both tests hold, so the partner outside the org passes
    "two_keys_partner_left": (
        [allow_all(), deny("OrgOrPartner", {"StringNotEquals": {"aws:PrincipalOrgID": ORG,
                                                                  "aws:PrincipalAccount": PARTNER}})],
        partner_left("OrgOrPartner")),
    # Null: a Deny of callers without an organization leaves every organization's members
    "null_org_members_of_any_org": (
        [allow_all(), deny("NoOrg", {"Null": {"aws:PrincipalOrgID": "true"}})], public("NoOrg")),
    # Null and String in one Deny, with a policy variable: a service must act for its own account
    "null_and_variable_owner_only": (
        [allow_all(),
         deny("OwnSources", {"StringNotEquals": {"aws:SourceAccount": "${aws:PrincipalAccount}"},
                             "Null": {"aws:SourceAccount": "false"}}),
         deny("OwnerOnly", {"StringNotEquals": {"aws:PrincipalAccount": OWNER}})], []),
    # Bool: the Deny spares AWS services, whatever they act for
    "bool_spares_services": (
        [allow_all(), deny("OwnerOnly", {"BoolIfExists": {"aws:PrincipalIsAWSService": "false"},
                                         "StringNotEquals": {"aws:PrincipalAccount": OWNER}})],
        public("OwnerOnly")),
    # IpAddress, Numeric, Date: none narrows who the caller is
    "not_ip_address": ([allow_all(), deny("Office", {"NotIpAddress": {"aws:SourceIp": "203.0.113.0/24"}})],
                       public("Office")),
    "numeric_mfa_age": ([allow_all(), deny("FreshMfa", {"NumericGreaterThan": {"aws:MultiFactorAuthAge": "3600"}})],
                        public("FreshMfa")),
    "date_after": ([allow_all(), deny("Until2030", {"DateGreaterThan": {"aws:CurrentTime": "2030-01-01T00:00:00Z"}})],
                   public("Until2030")),
    # ForAnyValue is false of an absent key: callers outside any organization are not turned away
    "for_any_value_org_paths": (
        [allow_all(), deny("MailOu", {"ForAnyValue:StringNotLike": {
            "aws:PrincipalOrgPaths": f"{ORG}/r-ab12/ou-ab12-mail1234/*"}})], public("MailOu")),
    # ForAllValues is true of an absent key: only members of the mail OU pass
    "for_all_values_org_paths": (
        [allow_all(), deny("MailOu", {"ForAllValues:StringNotLike": {
            "aws:PrincipalOrgPaths": f"{ORG}/r-ab12/ou-ab12-mail1234/*"}})], []),
    # NotPrincipal in a Deny: everyone but the owner's and the partner's account roots is turned away
    "deny_not_principal": (
        [allow_all(), {"Sid": "OwnerAndPartner", "Effect": "Deny", "Action": "ses:*", "Resource": "*",
                       "NotPrincipal": {"AWS": [f"arn:aws:iam::{OWNER}:root", f"arn:aws:iam::{PARTNER}:root"]}}],
        partner_left("OwnerAndPartner", by="NotPrincipal")),
    # NotPrincipal in an Allow: everyone but the partner may send
    "allow_not_principal": (
        [{"Sid": "AllowAll", "Effect": "Allow", "Action": SEND, "Resource": "*",
          "NotPrincipal": {"AWS": f"arn:aws:iam::{PARTNER}:root"}}],
        public(why=" NotPrincipal in an Allow admits everyone it does not name.")),
    # NotResource in a Deny that does not exclude this identity: it applies, the owner alone may send
    "deny_not_resource": (
        [allow_all(), {"Sid": "OwnerOnly", "Effect": "Deny", "Principal": "*", "Action": "ses:*",
                       "NotResource": "arn:aws:ses:*:*:identity/other.example",
                       "Condition": {"StringNotEquals": {"aws:PrincipalAccount": OWNER}}}], []),
    # NotResource in a Deny that excludes this identity: it does not apply here
    "deny_not_resource_excludes_this_identity": (
        [allow_all(), {"Sid": "OthersOnly", "Effect": "Deny", "Principal": "*", "Action": "ses:*",
                       "NotResource": "arn:aws:ses:*:*:identity/example.com",
                       "Condition": {"StringNotEquals": {"aws:PrincipalAccount": OWNER}}}],
        public(why=" Statement 'OthersOnly' does not apply: its NotResource does not cover this identity.")),
}


# --- the formats -------------------------------------------------------------------------------------------

CALLER = 'data "aws_caller_identity" "current" {}\n\n'
TF_OWNER = "${data.aws_caller_identity.current.account_id}"


def _hcl_text(text: str) -> str:
    """A table string as an HCL/heredoc template: literal ``${``/``%{`` escaped, the owner interpolated."""
    return text.replace("${", "$${").replace("%{", "%%{").replace(OWNER, TF_OWNER)


def _json_for_hcl(document) -> str:
    return _hcl_text(json.dumps(document, indent=2))


def _document(statements):
    return {"Version": "2012-10-17", "Statement": statements}


def _tf_policy(kind: str, policy: str) -> str:
    if kind == "sesv2":
        return (CALLER + 'resource "aws_sesv2_email_identity" "d" {\n  email_identity = "example.com"\n}\n\n'
                'resource "aws_sesv2_email_identity_policy" "p" {\n'
                '  email_identity = aws_sesv2_email_identity.d.email_identity\n  policy_name    = "shape"\n'
                f"  policy         = {policy}\n}}\n")
    return (CALLER + 'resource "aws_ses_domain_identity" "d" {\n  domain = "example.com"\n}\n\n'
            'resource "aws_ses_identity_policy" "p" {\n  identity = aws_ses_domain_identity.d.arn\n'
            f'  name     = "shape"\n  policy   = {policy}\n}}\n')


def jsonencode(statements, kind="v1"):
    return {"main.tf": _tf_policy(kind, f"jsonencode({_json_for_hcl(_document(statements))})")}


def heredoc(statements):
    return {"main.tf": _tf_policy("v1", f"<<EOF\n{_json_for_hcl(_document(statements))}\nEOF")}


def sesv2(statements):
    return jsonencode(statements, kind="sesv2")


def _hcl_list(values) -> str:
    values = values if isinstance(values, list) else [values]
    return "[" + ", ".join(_hcl_text(json.dumps(v)) for v in values) + "]"


def policy_document(statements):
    blocks = []
    for st in statements:
        lines = [f'  statement {{\n    sid    = "{st["Sid"]}"\n    effect = "{st["Effect"]}"']
        for key, name in (("Action", "actions"), ("NotAction", "not_actions"), ("Resource", "resources"),
                          ("NotResource", "not_resources")):
            if key in st:
                lines.append(f"    {name} = {_hcl_list(st[key])}")
        for key, name in (("Principal", "principals"), ("NotPrincipal", "not_principals")):
            principal = st.get(key)
            for ptype, values in ({"*": "*"} if principal == "*" else principal or {}).items():
                lines.append(f'    {name} {{\n      type        = "{ptype}"\n'
                             f"      identifiers = {_hcl_list(values)}\n    }}")
        for operator, tests in st.get("Condition", {}).items():
            for key, values in tests.items():
                lines.append(f'    condition {{\n      test     = "{operator}"\n      variable = "{key}"\n'
                             f"      values   = {_hcl_list(values)}\n    }}")
        blocks.append("\n".join(lines) + "\n  }")
    data = 'data "aws_iam_policy_document" "p" {\n' + "\n".join(blocks) + "\n}\n\n"
    return {"main.tf": CALLER + data + _tf_policy("v1", "data.aws_iam_policy_document.p.json")[len(CALLER):]}


def _cfn_value(value):
    """A table value in a template: a string naming the owner becomes ``Fn::Sub`` (policy variables escaped)."""
    if isinstance(value, dict):
        return {k: _cfn_value(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_cfn_value(v) for v in value]
    if isinstance(value, str) and OWNER in value:
        return {"Fn::Sub": value.replace("${", "${!").replace(OWNER, "${AWS::AccountId}")}
    return value


def _template(statements) -> dict:
    return {"AWSTemplateFormatVersion": "2010-09-09", "Resources": {
        "Identity": {"Type": "AWS::SES::EmailIdentity", "Properties": {"EmailIdentity": "example.com"}},
        "Policy": {"Type": "Custom::IdentityPolicy", "Properties": {
            "ServiceToken": {"Fn::Sub": "arn:aws:lambda:${AWS::Region}:${AWS::AccountId}:function:ses-provider"},
            "Identity": {"Ref": "Identity"}, "PolicyName": "shape",
            "PolicyDocument": _cfn_value(_document(statements))}}}}


def cfn_yaml(statements):
    return {"template.yaml": yaml.safe_dump(_template(statements), sort_keys=False)}


def cfn_json(statements):
    return {"template.json": json.dumps(_template(statements), indent=2)}


FORMATS = {"jsonencode": jsonencode, "heredoc": heredoc, "policy_document": policy_document, "sesv2": sesv2,
           "cfn_yaml": cfn_yaml, "cfn_json": cfn_json}
LABELS = {"sesv2": "example.com (aws_sesv2_email_identity_policy.p)", "cfn_yaml": "example.com (Policy)",
          "cfn_json": "example.com (Policy)"}


def _findings(tmp_path, files):
    for name, text in files.items():
        (tmp_path / name).write_text(text, encoding="utf-8")
    return scan(ScanOptions(paths=["."], dns="off")).findings


@pytest.mark.parametrize("fmt", FORMATS)
@pytest.mark.parametrize("shape", SHAPES)
def test_each_shape_gives_the_same_findings_in_every_format(shape, fmt, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    statements, expected = SHAPES[shape]
    label = LABELS.get(fmt, "example.com (aws_ses_identity_policy.p)")
    findings = _findings(tmp_path, FORMATS[fmt](statements))
    assert [(f.rule_id, f.message) for f in findings] == [(r, m.replace("{label}", label)) for r, m in expected]
    for finding in findings:
        # at the granting statement's principal, as written in this format
        text = (tmp_path / finding.file).read_text(encoding="utf-8").splitlines()[finding.location.line - 1]
        assert any(word in text for word in ("Principal", "principals", "identifiers")), text


@pytest.mark.parametrize("shape", SHAPES)
def test_each_shape_is_what_the_model_of_iam_says(shape):
    statements, _ = SHAPES[shape]
    text = json.dumps(_document(statements)).replace(OWNER, OWNER_MARK)
    assert disagreement(json.loads(text), ((), ()), rlimit=FIXTURE_RLIMIT) is None

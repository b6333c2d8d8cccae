"""The who-can-send verdict: exact outcomes for every part of the spec."""

from typing import NamedTuple

import pytest

from analyzer.model import OWNER, VARIABLE, Unknown, embed
from analyzer.policy.document import parse_document
from analyzer.policy.verdict import Trust, evaluate
from analyzer.policy.wildcard import SEND_ACTIONS

U = Unknown("var.x", VARIABLE)
V = Unknown("var.y", VARIABLE)
OWN = Unknown("data.aws_caller_identity.current.account_id", OWNER)
A, B = "111122223333", "444455556666"
ACCOUNT_A, ACCOUNT_B = f"account {A}", f"account {B}"
OWNER_ARN = f"arn:aws:iam::{embed(OWN)}:root"
COGNITO = "cognito-idp.amazonaws.com"


class Out(NamedTuple):
    """A grant's outcome: every field the rules read to pick a finding."""

    public: bool = False
    untrusted: tuple = ()
    services: tuple = ()
    unknowns: tuple = ()  # refs
    admitted: str = ""


PUBLIC = Out(public=True, admitted="anyone")


def out(grant):
    return Out(grant.public, tuple(grant.untrusted), tuple(grant.services_without_source),
               tuple(u.ref for u in grant.unknowns), grant.admitted)


def allow(principal="*", condition=None, action="ses:SendEmail", **fields):
    st = {"Effect": "Allow", "Resource": "*", **fields}
    if action is not None:
        st["Action"] = action
    if principal is not None:
        st["Principal"] = principal
    if condition is not None:
        st["Condition"] = condition
    return st


def deny(principal="*", condition=None, action="ses:*", **fields):
    return {**allow(principal, condition, action, **fields), "Effect": "Deny"}


def verdict(*statements, trust=Trust()):
    return evaluate(parse_document({"Version": "2012-10-17", "Statement": list(statements)}), trust)


def single(statement, trust=Trust()):
    v = verdict(statement, trust=trust)
    assert len(v.grants) == 1
    return v.grants[0]


def eq(key, *values, op="StringEquals"):
    return {op: {key: list(values)}}


# ---------------------------------------------------------------------------
# Principals
# ---------------------------------------------------------------------------

PRINCIPALS = [
    ("star", "*", PUBLIC),
    ("aws-star", {"AWS": "*"}, PUBLIC),
    ("aws-star-in-list", {"AWS": [A, "*"]}, PUBLIC),
    ("arn-wildcard-account", {"AWS": "arn:aws:iam::*:root"}, PUBLIC),
    ("arn-partial-wildcard-account", {"AWS": "arn:aws:iam::1111*:root"}, PUBLIC),
    ("arn-question-account", {"AWS": "arn:aws:iam::11112222333?:root"}, PUBLIC),
    ("account-id", {"AWS": A}, Out(untrusted=(ACCOUNT_A,), admitted=f"account {A}")),
    ("root-arn", {"AWS": f"arn:aws:iam::{A}:root"}, Out(untrusted=(ACCOUNT_A,), admitted=f"account {A}")),
    ("role-arn", {"AWS": f"arn:aws:iam::{A}:role/mailer"}, Out(untrusted=(ACCOUNT_A,), admitted=f"account {A}")),
    ("gov-partition", {"AWS": f"arn:aws-us-gov:iam::{A}:user/u"}, Out(untrusted=(ACCOUNT_A,), admitted=f"account {A}")),
    ("cn-partition", {"AWS": f"arn:aws-cn:sts::{A}:assumed-role/r/s"},
     Out(untrusted=(ACCOUNT_A,), admitted=f"account {A}")),
    ("two-accounts", {"AWS": [B, A]},
     Out(untrusted=(ACCOUNT_A, ACCOUNT_B), admitted=f"accounts {A}, {B}")),
    ("owner-unknown", {"AWS": OWN}, Out(admitted="the owner account")),
    ("owner-marker-arn", {"AWS": OWNER_ARN}, Out(admitted="the owner account")),
    ("owner-marker-alone", {"AWS": embed(OWN)}, Out(admitted="the owner account")),
    ("owner-and-account", {"AWS": [OWNER_ARN, A]},
     Out(untrusted=(ACCOUNT_A,), admitted=f"the owner account and account {A}")),
    ("unknown-value", {"AWS": U}, Out(unknowns=("var.x",), admitted="${var.x}")),
    ("unknown-in-account-field", {"AWS": f"arn:aws:iam::{embed(U)}:root"},
     Out(unknowns=("var.x",), admitted="${var.x}")),
    ("unknown-part-of-account-field", {"AWS": f"arn:aws:iam::1111{embed(U)}:root"},
     Out(unknowns=("var.x",), admitted="${var.x}")),
    ("unknown-outside-account-field", {"AWS": f"arn:{embed(U)}:iam::{A}:role/{embed(V)}"},
     Out(untrusted=(ACCOUNT_A,), admitted=f"account {A}")),
    ("unknown-whole-principal", U, Out(unknowns=("var.x",), admitted="${var.x}")),
    ("unknown-and-owner", {"AWS": [OWN, U]},
     Out(unknowns=("var.x",), admitted="the owner account and ${var.x}")),
    ("unknown-and-untrusted", {"AWS": [A, U]},
     Out(untrusted=(ACCOUNT_A,), admitted=f"account {A} and ${{var.x}}")),
    ("unknown-and-star", {"AWS": [U, "*"]}, PUBLIC),
    ("federated", {"Federated": "cognito-identity.amazonaws.com"},
     Out(untrusted=("federated cognito-identity.amazonaws.com",),
         admitted="federated cognito-identity.amazonaws.com")),
    ("canonical-user", {"CanonicalUser": "79a59df9"},
     Out(untrusted=("canonical user 79a59df9",), admitted="canonical user 79a59df9")),
    ("not-an-account", {"AWS": "AIDAEXAMPLE"},
     Out(untrusted=("principal AIDAEXAMPLE",), admitted="principal AIDAEXAMPLE")),
    ("empty", {}, Out(admitted="nobody")),
]


@pytest.mark.parametrize("principal,expected", [c[1:] for c in PRINCIPALS], ids=[c[0] for c in PRINCIPALS])
def test_principals(principal, expected):
    assert out(single(allow(principal))) == expected


TRUSTED = [
    ("trusted-account", {"AWS": A}, Trust(accounts=frozenset({A})), Out(admitted=f"account {A}")),
    ("trusted-and-untrusted", {"AWS": [A, B]}, Trust(accounts=frozenset({A})),
     Out(untrusted=(ACCOUNT_B,), admitted=f"accounts {A}, {B}")),
    ("trusted-arn", {"AWS": f"arn:aws:iam::{A}:role/r"}, Trust(accounts=frozenset({A})),
     Out(admitted=f"account {A}")),
    ("trusted-does-not-cover-star", "*", Trust(accounts=frozenset({A})), PUBLIC),
]


@pytest.mark.parametrize("principal,trust,expected", [c[1:] for c in TRUSTED], ids=[c[0] for c in TRUSTED])
def test_trusted_accounts(principal, trust, expected):
    assert out(single(allow(principal), trust)) == expected


def test_not_principal_in_allow_admits_anyone():
    grant = single(allow(None, NotPrincipal={"AWS": OWNER_ARN}))
    assert out(grant) == PUBLIC
    assert grant.notes == ["NotPrincipal in an Allow admits everyone it does not name"]


def test_trust_configured():
    assert not Trust().configured
    assert Trust(accounts=frozenset({A})).configured
    assert Trust(orgs=frozenset({"o-abc"})).configured


# ---------------------------------------------------------------------------
# Conditions that narrow, with principal "*"
# ---------------------------------------------------------------------------

NARROWING = [
    ("principal-account", eq("aws:PrincipalAccount", A), Out(untrusted=(ACCOUNT_A,), admitted=f"account {A}")),
    ("source-account", eq("aws:SourceAccount", A), Out(untrusted=(ACCOUNT_A,), admitted=f"account {A}")),
    ("source-owner", eq("aws:SourceOwner", A), Out(untrusted=(ACCOUNT_A,), admitted=f"account {A}")),
    ("ignore-case", eq("aws:PrincipalAccount", A, op="StringEqualsIgnoreCase"),
     Out(untrusted=(ACCOUNT_A,), admitted=f"account {A}")),
    ("string-like-literal", eq("aws:PrincipalAccount", A, op="StringLike"),
     Out(untrusted=(ACCOUNT_A,), admitted=f"account {A}")),
    ("for-any-value", eq("aws:PrincipalAccount", A, op="ForAnyValue:StringEquals"),
     Out(untrusted=(ACCOUNT_A,), admitted=f"account {A}")),
    ("operator-and-key-case", eq("AWS:PRINCIPALACCOUNT", A, op="stringequals"),
     Out(untrusted=(ACCOUNT_A,), admitted=f"account {A}")),
    ("values-ored", eq("aws:PrincipalAccount", A, B),
     Out(untrusted=(ACCOUNT_A, ACCOUNT_B), admitted=f"accounts {A}, {B}")),
    ("principal-arn-equals", eq("aws:PrincipalArn", f"arn:aws:iam::{A}:role/r", op="ArnEquals"),
     Out(untrusted=(ACCOUNT_A,), admitted=f"account {A}")),
    ("principal-arn-like-role-wildcard", eq("aws:PrincipalArn", f"arn:aws:iam::{A}:role/*", op="ArnLike"),
     Out(untrusted=(ACCOUNT_A,), admitted=f"account {A}")),
    ("source-arn-cognito", eq("aws:SourceArn", f"arn:aws:cognito-idp:us-east-1:{A}:userpool/x", op="ArnLike"),
     Out(untrusted=(ACCOUNT_A,), admitted=f"account {A}")),
    ("org-id", eq("aws:PrincipalOrgID", "o-abc"), Out(admitted="organization o-abc")),
    ("source-org-id", eq("aws:SourceOrgID", "o-abc"), Out(admitted="organization o-abc")),
    ("org-paths", eq("aws:PrincipalOrgPaths", "o-abc/r-ab12/ou-*", op="ForAnyValue:StringLike"),
     Out(admitted="organization o-abc")),
    ("source-org-paths", eq("aws:SourceOrgPaths", "o-abc/r-ab12/", op="StringLike"),
     Out(admitted="organization o-abc")),
    ("userid-role", eq("aws:userid", "AROAEXAMPLE:*", op="StringLike"),
     Out(untrusted=("user id AROAEXAMPLE:*",), admitted="user id AROAEXAMPLE:*")),
    ("userid-root-account", eq("aws:userid", A), Out(untrusted=(ACCOUNT_A,), admitted=f"account {A}")),
    ("userid-owner", eq("aws:userid", embed(OWN)), Out(admitted="the owner account")),
    ("owner-marker", eq("aws:PrincipalAccount", embed(OWN)), Out(admitted="the owner account")),
    ("owner-unknown-value", {"StringEquals": {"aws:PrincipalAccount": OWN}}, Out(admitted="the owner account")),
    ("owner-arn", eq("aws:PrincipalArn", f"arn:aws:iam::{embed(OWN)}:role/r", op="ArnLike"),
     Out(admitted="the owner account")),
    ("owner-and-untrusted", eq("aws:SourceAccount", embed(OWN), A),
     Out(untrusted=(ACCOUNT_A,), admitted=f"the owner account and account {A}")),
    ("unknown-value", {"StringEquals": {"aws:PrincipalAccount": U}}, Out(unknowns=("var.x",), admitted="${var.x}")),
    ("unknown-marker", eq("aws:PrincipalAccount", embed(U)), Out(unknowns=("var.x",), admitted="${var.x}")),
    ("unknown-arn-account", eq("aws:SourceArn", f"arn:aws:ses:us-east-1:{embed(U)}:x", op="ArnLike"),
     Out(unknowns=("var.x",), admitted="${var.x}")),
    ("unknown-whole-arn", eq("aws:SourceArn", embed(U), op="ArnLike"),
     Out(unknowns=("var.x",), admitted="${var.x}")),
    ("unknown-org", eq("aws:PrincipalOrgID", embed(U)), Out(unknowns=("var.x",), admitted="${var.x}")),
    ("unknown-and-untrusted-value", eq("aws:PrincipalAccount", embed(U), A),
     Out(untrusted=(ACCOUNT_A,), admitted=f"account {A} and ${{var.x}}")),
    ("unknown-key-map", {"StringEquals": U}, Out(unknowns=("var.x",), admitted="${var.x}")),
    ("unknown-condition-block", U, Out(unknowns=("var.x",), admitted="${var.x}")),
    ("unknown-key", {"StringEquals": {embed(U): A}}, Out(unknowns=("var.x",), admitted="${var.x}")),
    ("unknown-operator", {embed(U): {"aws:PrincipalAccount": A}}, Out(unknowns=("var.x",), admitted="${var.x}")),
    ("and-one-trusted-wins", {"StringEquals": {"aws:PrincipalAccount": A, "aws:PrincipalOrgID": "o-abc"}},
     Out(admitted="organization o-abc")),
    ("and-narrowest-reported", {"StringEquals": {"aws:PrincipalAccount": [A, B]},
                                "ArnLike": {"aws:PrincipalArn": f"arn:aws:iam::{B}:role/r"}},
     Out(untrusted=(ACCOUNT_B,), admitted=f"account {B}")),
    ("and-unknown-undecided", {"StringEquals": {"aws:PrincipalAccount": A, "aws:PrincipalOrgID": U}},
     Out(unknowns=("var.x",), admitted="${var.x}")),
    ("narrowing-with-network", {"StringEquals": {"aws:PrincipalAccount": A},
                                "IpAddress": {"aws:SourceIp": "10.0.0.0/8"}},
     Out(untrusted=(ACCOUNT_A,), admitted=f"account {A}")),
]


@pytest.mark.parametrize("condition,expected", [c[1:] for c in NARROWING], ids=[c[0] for c in NARROWING])
def test_narrowing_conditions(condition, expected):
    assert out(single(allow("*", condition))) == expected


ORGS = [
    ("no-orgs-given", Trust(), Out(admitted="organization o-abc")),
    ("org-listed", Trust(orgs=frozenset({"o-abc"})), Out(admitted="organization o-abc")),
    ("org-not-listed", Trust(orgs=frozenset({"o-other"})),
     Out(untrusted=("organization o-abc",), admitted="organization o-abc")),
    ("accounts-only-given", Trust(accounts=frozenset({A})), Out(admitted="organization o-abc")),
]


@pytest.mark.parametrize("trust,expected", [c[1:] for c in ORGS], ids=[c[0] for c in ORGS])
def test_organizations(trust, expected):
    assert out(single(allow("*", eq("aws:PrincipalOrgID", "o-abc")), trust)) == expected


def test_narrowing_to_trusted_account():
    grant = single(allow("*", eq("aws:SourceAccount", A)), Trust(accounts=frozenset({A})))
    assert out(grant) == Out(admitted=f"account {A}")
    assert [c.key for c in grant.narrowing] == ["aws:SourceAccount"]


def test_principal_list_and_condition_prefer_condition():
    grant = single(allow({"AWS": [A, B]}, eq("aws:PrincipalAccount", B)))
    assert out(grant) == Out(untrusted=(ACCOUNT_B,), admitted=f"account {B}")


def test_trusted_principal_with_untrusted_condition_is_confined():
    grant = single(allow({"AWS": OWNER_ARN}, eq("aws:PrincipalAccount", A)))
    assert out(grant) == Out(admitted="the owner account")


# ---------------------------------------------------------------------------
# Conditions that do not narrow, with principal "*"
# ---------------------------------------------------------------------------

IGNORED = [
    ("from-address", eq("ses:FromAddress", "a@example.com"),
     "ses:FromAddress limits the From address, not who may send"),
    ("from-display-name", eq("ses:FromDisplayName", "Me"),
     "ses:FromDisplayName limits the From display name, not who may send"),
    ("recipients", eq("ses:Recipients", "b@example.com", op="ForAllValues:StringLike"),
     "ses:Recipients limits the recipients, not who may send"),
    ("feedback-address", eq("ses:FeedbackAddress", "f@example.com"),
     "ses:FeedbackAddress limits the feedback address, not who may send"),
    ("api-version", eq("ses:ApiVersion", "2"), "ses:ApiVersion limits the API version, not who may send"),
    ("secure-transport", {"Bool": {"aws:SecureTransport": True}},
     "aws:SecureTransport requires HTTPS, not a particular caller"),
    ("current-time", {"DateLessThan": {"aws:CurrentTime": "2030-01-01T00:00:00Z"}},
     "aws:CurrentTime limits when a call is made, not who makes it"),
    ("epoch-time", {"NumericLessThan": {"aws:EpochTime": 1900000000}},
     "aws:EpochTime limits when a call is made, not who makes it"),
    ("other-key", eq("aws:RequestedRegion", "us-east-1"), "aws:RequestedRegion does not identify the caller"),
    ("unknown-in-message-key", {"StringEquals": {"ses:FromAddress": U}},
     "ses:FromAddress limits the From address, not who may send"),
    ("negated", eq("aws:PrincipalAccount", A, op="StringNotEquals"),
     "StringNotEquals admits every caller whose value differs"),
    ("negated-like", eq("aws:PrincipalOrgID", "o-abc", op="StringNotLike"),
     "StringNotLike admits every caller whose value differs"),
    ("negated-arn", eq("aws:PrincipalArn", f"arn:aws:iam::{A}:root", op="ArnNotEquals"),
     "ArnNotEquals admits every caller whose value differs"),
    ("negated-unknown-value", {"StringNotEquals": {"aws:PrincipalAccount": U}},
     "StringNotEquals admits every caller whose value differs"),
    ("negated-unknown-key", {"StringNotEquals": {embed(U): A}},
     "StringNotEquals admits every caller whose value differs"),
    ("if-exists", eq("aws:PrincipalAccount", A, op="StringEqualsIfExists"),
     "StringEqualsIfExists lets callers without the key through"),
    ("arn-like-if-exists", eq("aws:SourceArn", f"arn:aws:s3:::{A}", op="ArnLikeIfExists"),
     "ArnLikeIfExists lets callers without the key through"),
    ("for-all-values", eq("aws:PrincipalOrgID", "o-abc", op="ForAllValues:StringEquals"),
     "ForAllValues:StringEquals is true when the key is absent"),
    ("null", {"Null": {"aws:PrincipalAccount": "false"}}, "Null does not match who the caller is"),
    ("misspelled-operator", eq("aws:PrincipalAccount", A, op="StringEqual"),
     "StringEqual is not a condition operator"),
    ("wildcard-account", eq("aws:PrincipalAccount", "*", op="StringLike"),
     "the value '*' of aws:PrincipalAccount matches callers in any account"),
    ("partial-wildcard-account", eq("aws:PrincipalAccount", A, "1111*", op="StringLike"),
     "the value '1111*' of aws:PrincipalAccount matches callers in any account"),
    ("question-account", eq("aws:SourceAccount", "11112222333?", op="StringLike"),
     "the value '11112222333?' of aws:SourceAccount matches callers in any account"),
    ("wildcard-org", eq("aws:PrincipalOrgID", "o-*", op="StringLike"),
     "the value 'o-*' of aws:PrincipalOrgID matches callers in any account"),
    ("wildcard-org-paths", eq("aws:PrincipalOrgPaths", "o-*/r-ab12/*", op="ForAnyValue:StringLike"),
     "the value 'o-*/r-ab12/*' of aws:PrincipalOrgPaths matches callers in any account"),
    ("wildcard-arn-account", eq("aws:PrincipalArn", "arn:aws:iam::*:role/x", op="ArnLike"),
     "the value 'arn:aws:iam::*:role/x' of aws:PrincipalArn matches callers in any account"),
    ("wildcard-arn", eq("aws:SourceArn", "*", op="ArnLike"),
     "the value '*' of aws:SourceArn matches callers in any account"),
    ("bucket-arn", eq("aws:SourceArn", "arn:aws:s3:::bucket", op="ArnEquals"),
     "the value 'arn:aws:s3:::bucket' of aws:SourceArn matches callers in any account"),
    ("wildcard-userid", eq("aws:userid", "AROA*", op="StringLike"),
     "the value 'AROA*' of aws:userid matches callers in any account"),
    ("wildcard-with-unknown", eq("aws:PrincipalAccount", embed(U), "*", op="StringLike"),
     "the value '*' of aws:PrincipalAccount matches callers in any account"),
]


@pytest.mark.parametrize("condition,reason", [c[1:] for c in IGNORED], ids=[c[0] for c in IGNORED])
def test_ignored_conditions(condition, reason):
    grant = single(allow("*", condition))
    assert out(grant) == PUBLIC
    assert [i.reason for i in grant.ignored] == [reason]
    assert grant.narrowing == []
    assert grant.network == []


# Operators of another type than the key compare its value all the same
# (IAM compares the request's value under the operator's type): the number
# or date an account id reads as, an ARN that is never "true".
MISTYPED = [
    ("bool", {"Bool": {"aws:PrincipalArn": "true"}}, Out(admitted="nobody")),
    ("numeric", {"NumericEquals": {"aws:PrincipalAccount": A}}, Out(untrusted=(ACCOUNT_A,), admitted=ACCOUNT_A)),
    ("date", {"DateEquals": {"aws:SourceAccount": A}}, Out(untrusted=(ACCOUNT_A,), admitted=ACCOUNT_A)),
]


@pytest.mark.parametrize("condition,expected", [c[1:] for c in MISTYPED], ids=[c[0] for c in MISTYPED])
def test_mistyped_operators_compare_the_value(condition, expected):
    assert out(single(allow("*", condition))) == expected


NETWORK = [
    ("source-ip", {"IpAddress": {"aws:SourceIp": "10.0.0.0/8"}}, True),
    ("source-ip-for-any-value", {"ForAnyValue:IpAddress": {"aws:SourceIp": ["10.0.0.0/8"]}}, True),
    ("source-vpc", eq("aws:SourceVpc", "vpc-111"), True),
    ("source-vpce", eq("aws:SourceVpce", "vpce-111"), True),
    ("source-vpce-unknown", {"StringEquals": {"aws:SourceVpce": U}}, True),
    ("open-ipv4", {"IpAddress": {"aws:SourceIp": ["10.0.0.0/8", "0.0.0.0/0"]}}, False),
    ("open-ipv6", {"IpAddress": {"aws:SourceIp": "::/0"}}, False),
    ("vpc-wildcard", eq("aws:SourceVpc", "vpc-*", op="StringLike"), False),
    ("not-ip-address", {"NotIpAddress": {"aws:SourceIp": "10.0.0.0/8"}}, False),
    ("ip-if-exists", {"IpAddressIfExists": {"aws:SourceIp": "10.0.0.0/8"}}, False),
    ("unknown-operator", {embed(U): {"aws:SourceIp": "10.0.0.0/8"}}, False),
]


@pytest.mark.parametrize("condition,restricts", [c[1:] for c in NETWORK], ids=[c[0] for c in NETWORK])
def test_network_conditions(condition, restricts):
    grant = single(allow("*", condition))
    assert out(grant) == PUBLIC
    assert len(grant.network) == (1 if restricts else 0)
    assert grant.ignored[0].reason.endswith("limits where a call comes from, not who makes it")


def test_unknown_only_in_message_key_stays_public():
    grant = single(allow("*", {"StringEquals": {"ses:FromAddress": U, "ses:Recipients": embed(V)}}))
    assert out(grant) == PUBLIC
    assert grant.unknowns == []


# ---------------------------------------------------------------------------
# Service principals
# ---------------------------------------------------------------------------

SERVICES = [
    ("no-source", None, Out(services=(COGNITO,), admitted=f"service {COGNITO}")),
    ("source-account-owner", eq("aws:SourceAccount", embed(OWN)), Out(admitted="the owner account")),
    ("source-account-trusted", eq("aws:SourceAccount", B), Out(admitted=f"account {B}")),
    ("source-account-untrusted", eq("aws:SourceAccount", A), Out(untrusted=(ACCOUNT_A,), admitted=f"account {A}")),
    ("source-arn-untrusted", eq("aws:SourceArn", f"arn:aws:cognito-idp:us-east-1:{A}:userpool/p", op="ArnLike"),
     Out(untrusted=(ACCOUNT_A,), admitted=f"account {A}")),
    ("source-org", eq("aws:SourceOrgID", "o-abc"), Out(admitted="organization o-abc")),
    ("source-owner-key", eq("aws:SourceOwner", embed(OWN)), Out(admitted="the owner account")),
    ("source-spanning", eq("aws:SourceAccount", "*", op="StringLike"), PUBLIC),
    ("source-arn-spanning", eq("aws:SourceArn", "arn:aws:cognito-idp:*:*:userpool/*", op="ArnLike"), PUBLIC),
    ("source-bucket-arn", eq("aws:SourceArn", "arn:aws:s3:::bucket", op="ArnLike"), PUBLIC),
    ("source-if-exists", eq("aws:SourceAccount", A, op="StringEqualsIfExists"),
     Out(services=(COGNITO,), admitted=f"service {COGNITO}")),
    ("source-negated", eq("aws:SourceAccount", A, op="StringNotEquals"),
     Out(services=(COGNITO,), admitted=f"service {COGNITO}")),
    # a service principal's request carries no aws:PrincipalAccount, and a
    # key absent from the request fails StringLike
    ("principal-key-not-in-service-requests", eq("aws:PrincipalAccount", "*", op="StringLike"),
     Out(admitted="nobody")),
    ("source-unknown", {"StringEquals": {"aws:SourceAccount": U}}, Out(unknowns=("var.x",), admitted="${var.x}")),
]


@pytest.mark.parametrize("condition,expected", [c[1:] for c in SERVICES], ids=[c[0] for c in SERVICES])
def test_service_principals(condition, expected):
    trust = Trust(accounts=frozenset({B}))
    assert out(single(allow({"Service": COGNITO}, condition), trust)) == expected


def test_service_and_account_without_source():
    grant = single(allow({"Service": [COGNITO, "ses.amazonaws.com"], "AWS": A}))
    assert out(grant) == Out(untrusted=(ACCOUNT_A,), services=(COGNITO, "ses.amazonaws.com"),
                             admitted=f"account {A} and services {COGNITO}, ses.amazonaws.com")


def test_unknown_service_name():
    grant = single(allow({"Service": U}))
    assert out(grant) == Out(services=("${var.x}",), admitted="service ${var.x}")


# ---------------------------------------------------------------------------
# Actions and effects
# ---------------------------------------------------------------------------

ALL = list(SEND_ACTIONS)

ACTIONS = [
    ("exact", {"Action": "ses:SendEmail"}, ["ses:SendEmail"]),
    ("upper-case", {"Action": "SES:SENDRAWEMAIL"}, ["ses:SendRawEmail"]),
    ("service-star", {"Action": "ses:*"}, ALL),
    ("star", {"Action": "*"}, ALL),
    ("send-star", {"Action": "ses:Send*"}, ALL),
    ("middle-star", {"Action": "ses:SendBulk*Email"}, ["ses:SendBulkTemplatedEmail", "ses:SendBulkEmail"]),
    ("question", {"Action": "ses:Send?mail"}, ["ses:SendEmail"]),
    ("question-raw", {"Action": "ses:Send???Email"}, ["ses:SendRawEmail"]),
    ("list", {"Action": ["ses:GetSendQuota", "ses:SendTemplatedEmail"]}, ["ses:SendTemplatedEmail"]),
    ("not-action-one", {"NotAction": "ses:SendEmail"}, ALL[1:]),
    ("not-action-other", {"NotAction": ["ses:Get*", "ses:List*"]}, ALL),
    ("not-action-case", {"NotAction": "SES:SEND*EMAIL"}, []),
    ("not-action-all", {"NotAction": "ses:*"}, []),
    ("not-action-question", {"NotAction": "ses:Send?mail"}, ALL[1:]),
    ("other-service", {"Action": "sns:Publish"}, []),
    ("send-quota", {"Action": "ses:GetSend*"}, []),
    ("brackets-literal", {"Action": "ses:Send[E]mail"}, []),
    ("marker-cannot-match", {"Action": f"sns:{embed(U)}"}, []),
    ("known-and-unknown", {"Action": ["ses:SendEmail", U]}, ["ses:SendEmail"]),
]


@pytest.mark.parametrize("fields,expected", [c[1:] for c in ACTIONS], ids=[c[0] for c in ACTIONS])
def test_granted_actions(fields, expected):
    st = {"Effect": "Allow", "Principal": "*", "Resource": "*", **fields}
    v = verdict(st)
    assert [g.actions for g in v.grants] == ([expected] if expected else [])
    assert all(out(g) == PUBLIC for g in v.grants)


UNDECIDED_STATEMENTS = [
    ("unknown-action", {"Effect": "Allow", "Action": U}, ALL, ("var.x",)),
    ("marker-action", {"Effect": "Allow", "Action": f"ses:{embed(U)}"}, ALL, ("var.x",)),
    ("marker-action-suffix", {"Effect": "Allow", "Action": f"ses:SendRaw{embed(U)}"}, ["ses:SendRawEmail"], ("var.x",)),
    ("unknown-not-action", {"Effect": "Allow", "NotAction": U}, ALL, ("var.x",)),
    ("unknown-effect", {"Effect": U, "Action": "ses:SendEmail"}, ["ses:SendEmail"], ("var.x",)),
    ("marker-effect", {"Effect": embed(U), "Action": "ses:SendEmail"}, ["ses:SendEmail"], ("var.x",)),
    ("unknown-effect-and-action", {"Effect": U, "Action": V}, ALL, ("var.x", "var.y")),
]


@pytest.mark.parametrize("fields,actions,unknowns", [c[1:] for c in UNDECIDED_STATEMENTS],
                         ids=[c[0] for c in UNDECIDED_STATEMENTS])
def test_unknown_effect_or_action(fields, actions, unknowns):
    grant = single({"Principal": "*", "Resource": "*", **fields})
    assert grant.actions == actions
    assert out(grant) == Out(unknowns=unknowns, admitted="anyone")


def test_unknown_effect_is_harmless_when_confined():
    grant = single({"Effect": U, "Action": "ses:SendEmail", "Resource": "*", "Principal": {"AWS": OWNER_ARN}})
    assert out(grant) == Out(admitted="the owner account")


NO_GRANT = [
    ("lower-case-effect", {**allow(), "Effect": "allow"}),
    ("no-effect", {"Action": "ses:SendEmail", "Principal": "*"}),
    ("no-action", {"Effect": "Allow", "Principal": "*"}),
]


@pytest.mark.parametrize("statement", [c[1] for c in NO_GRANT], ids=[c[0] for c in NO_GRANT])
def test_statements_that_grant_nothing(statement):
    v = verdict(statement)
    assert (v.grants, v.unknowns, v.denied_all) == ([], [], False)


def test_allow_without_principal_is_noted():
    v = verdict(allow(None, Sid="NoPrincipal"))
    assert v.grants == []
    assert v.notes == ["statement 'NoPrincipal' grants sending without a Principal; SES rejects such a policy"]


# ---------------------------------------------------------------------------
# Deny statements
# ---------------------------------------------------------------------------


def test_unconditional_deny_removes_everything():
    v = verdict(allow("*", action="ses:*"), deny("*", Sid="Stop"))
    assert (v.grants, v.denied_all) == ([], True)
    assert v.notes == ["statement 'Stop' denies " + ", ".join(SEND_ACTIONS) + " to everyone"]


def test_unconditional_deny_aws_star_with_not_action():
    v = verdict(allow("*"), deny({"AWS": "*"}, action=None, NotAction="ses:GetSendQuota"))
    assert (v.grants, v.denied_all) == ([], True)


def test_partial_unconditional_deny_keeps_other_actions():
    v = verdict(allow("*", action=["ses:SendEmail", "ses:SendRawEmail"]), deny("*", action="ses:SendEmail"))
    assert [(g.actions, out(g)) for g in v.grants] == [(["ses:SendRawEmail"], PUBLIC)]
    assert v.denied_all is False


def test_deny_without_grants_still_denies_all():
    v = verdict(deny("*"))
    assert (v.grants, v.denied_all) == ([], True)


DENY_NARROWING = [
    ("owner", eq("aws:PrincipalAccount", embed(OWN), op="StringNotEquals"), Out(admitted="the owner account")),
    ("untrusted", eq("aws:PrincipalAccount", A, op="StringNotEquals"),
     Out(untrusted=(ACCOUNT_A,), admitted=f"account {A}")),
    ("org", eq("aws:PrincipalOrgID", "o-abc", op="StringNotEqualsIgnoreCase"), Out(admitted="organization o-abc")),
    ("arn-not-like", eq("aws:PrincipalArn", f"arn:aws:iam::{A}:role/*", op="ArnNotLike"),
     Out(untrusted=(ACCOUNT_A,), admitted=f"account {A}")),
    ("string-not-like-source", eq("aws:SourceAccount", embed(OWN), op="StringNotLike"),
     Out(admitted="the owner account")),
    ("arn-not-equals", eq("aws:SourceArn", f"arn:aws:sns:us-east-1:{A}:t", op="ArnNotEquals"),
     Out(untrusted=(ACCOUNT_A,), admitted=f"account {A}")),
    ("two-keys", {"StringNotEquals": {"aws:PrincipalAccount": A, "aws:SourceAccount": A}},
     Out(untrusted=(ACCOUNT_A,), admitted=f"account {A}")),
    ("if-exists", eq("aws:PrincipalAccount", A, op="StringNotEqualsIfExists"),
     Out(untrusted=(ACCOUNT_A,), admitted=f"account {A}")),
]


@pytest.mark.parametrize("condition,expected", [c[1:] for c in DENY_NARROWING], ids=[c[0] for c in DENY_NARROWING])
def test_deny_negation_narrows(condition, expected):
    v = verdict(allow("*", Sid="Open"), deny("*", condition, Sid="Fence"))
    assert [out(g) for g in v.grants] == [expected]
    grant = v.grants[0]
    assert grant.narrowing == parse_narrowing(condition)
    assert grant.notes == ["a Deny statement 'Fence' turns away callers its condition excludes"]
    assert (v.notes, v.denied_all) == ([], False)


def parse_narrowing(condition):
    return parse_document({"Statement": deny("*", condition)}).statements[0].conditions


def test_deny_with_unknown_value_leaves_the_verdict_undecided():
    condition = {"StringNotEquals": {"aws:PrincipalAccount": U}}
    v = verdict(allow("*", Sid="Open"), deny("*", condition, Sid="Fence"))
    assert [out(g) for g in v.grants] == [Out(unknowns=("var.x",), admitted="${var.x}")]
    assert v.grants[0].narrowing == parse_narrowing(condition)
    assert v.grants[0].notes == ["a Deny statement 'Fence' may turn callers away, depending on values "
                                 "that could not be resolved"]


def test_deny_negation_and_trusted_account():
    v = verdict(allow("*"), deny("*", eq("aws:PrincipalAccount", A, op="StringNotEquals")),
                trust=Trust(accounts=frozenset({A})))
    assert [out(g) for g in v.grants] == [Out(admitted=f"account {A}")]


def test_deny_covering_some_actions_leaves_the_others_open():
    v = verdict(allow("*", action="ses:Send*"),
                deny("*", eq("aws:PrincipalAccount", A, op="StringNotEquals"), action="ses:SendEmail", Sid="D"))
    assert [(g.actions, out(g), g.notes) for g in v.grants] == [
        (["ses:SendEmail"], Out(untrusted=(ACCOUNT_A,), admitted=f"account {A}"),
         ["a Deny statement 'D' turns away callers its condition excludes"]),
        (ALL[1:], PUBLIC, [])]


# Every Deny is weighed over the caller space (IAM: an explicit Deny that
# applies to a request overrides any Allow). Before, these were "present and
# not evaluated" and the grant stayed public.
WEIGHED = [
    # absent key under IfExists is true, so services (no aws:PrincipalAccount) are denied too
    ("if-exists", deny("*", eq("aws:PrincipalAccount", A, op="StringNotEqualsIfExists"), Sid="D"),
     Out(untrusted=(ACCOUNT_A,), admitted=f"account {A}"), "turns away callers its condition excludes"),
    # ForAnyValue is false when the key is absent: a service principal is not denied
    ("for-any-value", deny("*", eq("aws:PrincipalAccount", A, op="ForAnyValue:StringNotEquals"), Sid="D"),
     PUBLIC, "turns away some callers, but not these"),
    ("spanning-value", deny("*", eq("aws:PrincipalOrgID", "o-*", op="StringNotLike"), Sid="D"),
     PUBLIC, "turns away some callers, but not these"),
    ("not-identity-key", deny("*", eq("ses:FromAddress", "a@example.com", op="StringNotEquals"), Sid="D"),
     PUBLIC, "turns away some callers, but not these"),
    ("positive-operator", deny("*", eq("aws:PrincipalAccount", A), Sid="D"),
     PUBLIC, "turns away some callers, but not these"),
    ("two-conditions", deny("*", {"StringNotEquals": {"aws:PrincipalAccount": A, "aws:SourceAccount": A}}, Sid="D"),
     Out(untrusted=(ACCOUNT_A,), admitted=f"account {A}"), "turns away callers its condition excludes"),
    ("specific-principal", deny({"AWS": A}, Sid="D"), PUBLIC, "turns away some callers, but not these"),
    ("not-principal", deny(None, NotPrincipal={"AWS": A}, Sid="D"),
     Out(untrusted=(ACCOUNT_A,), admitted=f"account {A}"), "turns away callers its NotPrincipal excludes"),
    ("not-principal-owner", deny(None, NotPrincipal={"AWS": OWNER_ARN}, Sid="D"),
     Out(admitted="the owner account"), "turns away callers its NotPrincipal excludes"),
    ("not-principal-and-condition", deny(None, eq("aws:PrincipalAccount", B, op="StringNotEquals"),
                                         NotPrincipal={"AWS": A}, Sid="D"),
     Out(untrusted=(ACCOUNT_A, ACCOUNT_B), admitted=f"accounts {A}, {B}"),
     "turns away callers its NotPrincipal and condition exclude"),
    ("unknown-principal", deny(U, Sid="D"), Out(unknowns=("var.x",), admitted="${var.x}"),
     "may turn callers away, depending on values that could not be resolved"),
    ("unknown-action", deny("*", action=U, Sid="D"), Out(unknowns=("var.x",), admitted="${var.x}"),
     "may turn callers away, depending on values that could not be resolved"),
    ("unknown-condition", deny("*", U, Sid="D"), Out(unknowns=("var.x",), admitted="${var.x}"),
     "may turn callers away, depending on values that could not be resolved"),
]


@pytest.mark.parametrize("statement,expected,note", [c[1:] for c in WEIGHED], ids=[c[0] for c in WEIGHED])
def test_every_deny_is_weighed(statement, expected, note):
    v = verdict(allow("*"), statement)
    assert [out(g) for g in v.grants] == [expected]
    assert v.grants[0].notes == [f"a Deny statement 'D' {note}"]
    assert (v.notes, v.denied_all) == ([], False)


def test_a_deny_that_narrows_by_its_principals_alone_says_so():
    v = verdict(allow({"AWS": [A, B]}), deny({"AWS": A}, Sid="D"))
    assert [out(g) for g in v.grants] == [Out(untrusted=(ACCOUNT_B,), admitted=f"account {B}")]
    assert v.grants[0].notes == ["a Deny statement 'D' turns away the callers it names"]


def test_deny_with_unknown_value_is_harmless_when_the_grant_is_confined():
    v = verdict(allow({"AWS": OWNER_ARN}), deny("*", U, Sid="D"))
    assert [out(g) for g in v.grants] == [Out(admitted="the owner account")]
    assert v.grants[0].unknowns == []


def test_deny_of_other_actions_is_irrelevant():
    v = verdict(allow("*"), deny("*", action="ses:GetSendQuota"))
    assert [out(g) for g in v.grants] == [PUBLIC]
    assert (v.notes, v.grants[0].notes) == ([], [])


# ---------------------------------------------------------------------------
# Documents
# ---------------------------------------------------------------------------


def test_unknown_statement_list():
    v = evaluate(parse_document({"Statement": U}), Trust())
    assert (v.grants, v.unknowns) == ([], [U])


def test_unknown_document():
    v = evaluate(parse_document(U), Trust())
    assert (v.grants, v.unknowns) == ([], [U])


def test_unknown_statement_beside_known_ones():
    v = evaluate(parse_document({"Statement": [U, allow("*")]}), Trust())
    assert v.unknowns == [U]
    assert [out(g) for g in v.grants] == [PUBLIC]


def test_grants_in_document_order():
    v = verdict(allow({"AWS": A}, Sid="First"), allow({"AWS": "ses:nothing"}, action="sns:*"),
                allow("*", Sid="Third"), allow({"AWS": OWNER_ARN}, Sid="Fourth"))
    assert [(g.statement.sid, out(g).public) for g in v.grants] == [("First", False), ("Third", True),
                                                                    ("Fourth", False)]


def test_grant_records_conditions():
    grant = single(allow("*", {"StringEquals": {"aws:PrincipalAccount": A, "ses:FromAddress": "a@example.com"},
                               "IpAddress": {"aws:SourceIp": "10.0.0.0/8"}}))
    assert [c.key for c in grant.narrowing] == ["aws:PrincipalAccount"]
    assert [(i.condition.key, i.reason) for i in grant.ignored] == [
        ("ses:FromAddress", "ses:FromAddress limits the From address, not who may send"),
        ("aws:SourceIp", "aws:SourceIp limits where a call comes from, not who makes it")]
    assert [c.key for c in grant.network] == ["aws:SourceIp"]


def test_verdict_from_json_text():
    text = '''{"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Principal": {"AWS": "*"},
      "Action": ["SES:SendRawEmail"], "Resource": "*",
      "Condition": {"StringLike": {"aws:PrincipalOrgID": "o-*"}}}]}'''
    grant = single_from_text(text)
    assert out(grant) == PUBLIC
    assert grant.actions == ["ses:SendRawEmail"]


def single_from_text(text):
    v = evaluate(parse_document(text), Trust())
    assert len(v.grants) == 1
    return v.grants[0]


def test_denies_on_many_keys_are_weighed_one_group_at_a_time():
    denies = [deny("*", eq(f"aws:RequestTag/K{n}", "v"), Sid=f"D{n}") for n in range(40)]
    v = verdict(allow("*", Sid="Open"), *denies)
    assert [out(g) for g in v.grants] == [PUBLIC]
    assert v.notes == []


def test_denies_past_the_combination_bound_are_noted_not_weighed(monkeypatch):
    import analyzer.policy.reach as reach
    monkeypatch.setattr(reach, "MAX_MASKS", 0)
    v = verdict(allow("*", Sid="Open"), deny("*", eq("ses:FromAddress", "a@example.com"), Sid="D"))
    assert [out(g) for g in v.grants] == [PUBLIC]
    note = "the 1 Deny statements that cover statement 'Open' combine in more ways than sesguard weighs (65,536) " \
           "and were not evaluated"
    assert (v.notes, v.grants[0].notes) == ([note], [note])


def test_witnesses_come_from_every_statement_of_the_document():
    """Found by bench/oracle.py (seed 1, policy 1743): an account named only
    by a statement that grants nothing was left out of the witnesses, so a
    user id any account may hold was not reported for it."""
    v = verdict(allow("*", eq("aws:userid", "AROAEXAMPLE:*", op="StringLike"), Sid="Ids"),
                allow({"AWS": B}, action="ses:GetSendQuota"),
                deny("*", eq("aws:PrincipalAccount", A), Sid="NotA"))
    assert [out(g) for g in v.grants] == [Out(untrusted=(ACCOUNT_B, "user id AROAEXAMPLE:*"),
                                              admitted=f"the owner account and account {B} and user id AROAEXAMPLE:*")]

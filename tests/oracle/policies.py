"""Whole identity policies drawn at random, for the differential check.

``generate(rng)`` draws a document of 1-6 statements (Allow and Deny;
Principal and NotPrincipal; Action and NotAction; Resource and NotResource; every condition-operator
family with ``IfExists``, ``ForAnyValue:`` and ``ForAllValues:``; wildcards
in values; multi-valued keys; policy variables; the owner account) and a
trust setting. ``policies`` is the same as a hypothesis strategy.
"""

from __future__ import annotations

import random

from hypothesis import strategies as st

from analyzer.model import OWNER, Unknown, embed

OWNER_MARK = embed(Unknown("data.aws_caller_identity.current.account_id", OWNER))
ACCOUNTS = ["111122223333", "444455556666", "777788889999"]
ORGS = ["o-abc123", "o-def456"]
SERVICES = ["ses.amazonaws.com", "cognito-idp.amazonaws.com", "pinpoint.amazonaws.com"]
TRUSTS = [((), ()), ((ACCOUNTS[0],), ()), ((ACCOUNTS[0], ACCOUNTS[1]), (ORGS[0],)), ((), (ORGS[1],))]

ACTIONS = ["ses:SendEmail", "ses:SendRawEmail", "ses:Send*", "ses:*", "*", "SES:send?mail", "ses:Get*",
           "ses:SendBulk*", "ses:*Templated*"]


def _account(rng):
    return rng.choice(ACCOUNTS + [OWNER_MARK, "1111*", "*"])


def _arn(rng):
    account = rng.choice(ACCOUNTS + [OWNER_MARK, "*"])
    return f"arn:aws:iam::{account}:{rng.choice(['root', 'role/r', 'user/u', 'role/*'])}"


# ARN patterns against the identity the policies are attached to (oracle.iam.IDENTITY, in us-east-1 in the
# owner's account); none names an account by number, which may be the owner's (the engine says "could match")
RESOURCES = ["*", "arn:aws:ses:*:*:identity/*", f"arn:aws:ses:us-east-1:{OWNER_MARK}:identity/example.com",
             "arn:aws:ses:eu-west-1:*:identity/*", f"arn:aws:ses:*:{OWNER_MARK}:identity/other.example",
             "arn:aws:ses:us-east-?:*:identity/*.com", "arn:aws:sns:*:*:*", "arn:aws:ses:*:*:identity/EXAMPLE.COM"]

STRING = ["StringEquals", "StringNotEquals", "StringEqualsIgnoreCase", "StringNotEqualsIgnoreCase",
          "StringLike", "StringNotLike"]
ARN = ["ArnEquals", "ArnLike", "ArnNotEquals", "ArnNotLike"]

# key -> (operator families, value drawer)
KEYS = {
    "aws:PrincipalAccount": (STRING, _account),
    "aws:SourceAccount": (STRING, lambda r: r.choice(ACCOUNTS + [OWNER_MARK, "*", "${aws:PrincipalAccount}"])),
    "aws:SourceOwner": (STRING, _account),
    "aws:PrincipalOrgID": (STRING, lambda r: r.choice(ORGS + ["o-*"])),
    "aws:SourceOrgID": (STRING, lambda r: r.choice(ORGS + ["o-*"])),
    "aws:PrincipalOrgPaths": (STRING, lambda r: r.choice([f"{ORGS[0]}/r-ab12/*", f"{ORGS[1]}/*", "o-*/r-ab12/*",
                                                          f"{ORGS[0]}/r-ab12/"])),
    "aws:PrincipalArn": (ARN + STRING, _arn),
    "aws:SourceArn": (ARN + STRING, lambda r: r.choice([f"arn:aws:sns:us-east-1:{r.choice(ACCOUNTS)}:t",
                                                        "arn:aws:s3:::bucket", "arn:aws:sns:*:*:t",
                                                        f"arn:aws:sns:*:{OWNER_MARK}:*"])),
    # unique ids are upper case: no IgnoreCase operator on them
    "aws:userid": ([op for op in STRING if "IgnoreCase" not in op],
                   lambda r: r.choice(["AROAEXAMPLE:*", "AIDAOTHER", ACCOUNTS[0], "AROA*"])),
    "aws:PrincipalIsAWSService": (["Bool"], lambda r: r.choice(["true", "false"])),
    "ses:FromAddress": (STRING, lambda r: r.choice(["a@example.com", "*@example.com", "${aws:username}@example.com"])),
    "ses:Recipients": (STRING, lambda r: r.choice(["*@example.com", "b@example.org", "c@*"])),
    "aws:SourceIp": (["IpAddress", "NotIpAddress"],
                     lambda r: r.choice(["10.0.0.0/8", "10.1.0.0/16", "192.168.0.0/24", "0.0.0.0/0", "10.1.2.3/32"])),
    "aws:MultiFactorAuthAge": (["NumericEquals", "NumericNotEquals", "NumericLessThan", "NumericLessThanEquals",
                                "NumericGreaterThan", "NumericGreaterThanEquals"],
                               lambda r: r.choice(["3600", "0", "60"])),
    "aws:CurrentTime": (["DateEquals", "DateNotEquals", "DateLessThan", "DateLessThanEquals", "DateGreaterThan",
                         "DateGreaterThanEquals"],
                        lambda r: r.choice(["2030-01-01T00:00:00Z", "2020-06-01T12:00:00Z"])),
    "aws:SecureTransport": (["Bool"], lambda r: r.choice(["true", "false"])),
    "aws:RequestTag/team": (STRING, lambda r: r.choice(["mail", "*"])),
    # keys neither the engine nor the model knows: the verdict may be undecided, never guessed
    "aws:PrincipalTag/team": (STRING, lambda r: r.choice(["mail", "*"])),
    "aws:ResourceAccount": (STRING, _account),
}
VARIABLE_OPERATORS = {"StringEquals", "StringNotEquals"}


def _one_or_list(rng, draw, most=3):
    values = list(dict.fromkeys(draw(rng) for _ in range(rng.randint(1, most))))
    return values[0] if len(values) == 1 and rng.random() < 0.5 else values


def _principal(rng):
    kind = rng.random()
    if kind < 0.25:
        return "*"
    block = {}
    if kind < 0.8 or rng.random() < 0.3:
        block["AWS"] = _one_or_list(rng, lambda r: r.choice([r.choice(ACCOUNTS), _arn(r), "*", OWNER_MARK]))
    if kind >= 0.8 or rng.random() < 0.15:
        block["Service"] = _one_or_list(rng, lambda r: r.choice(SERVICES), 2)
    return block


def _condition(rng):
    block = {}
    for _ in range(rng.choice([0, 1, 1, 2, 2, 3])):
        key = rng.choice(sorted(KEYS))
        families, draw = KEYS[key]
        if rng.random() < 0.1:
            operator, values = "Null", rng.choice(["true", "false"])
        else:
            operator = rng.choice(families)
            values = _one_or_list(rng, draw)
            listed = values if isinstance(values, list) else [values]
            if any("${" in v for v in listed) and operator not in VARIABLE_OPERATORS:
                operator = rng.choice(sorted(VARIABLE_OPERATORS))
            if rng.random() < 0.3:
                operator = rng.choice(["ForAnyValue:", "ForAllValues:"]) + operator
            if rng.random() < 0.25:
                operator += "IfExists"
        if rng.random() < 0.1:
            key = key.upper() if rng.random() < 0.5 else key.lower()
            operator = operator.lower() if rng.random() < 0.5 else operator
        block.setdefault(operator, {})[key] = values
    return block


def _statement(rng, effect):
    statement = {"Effect": effect}
    if rng.random() < (0.1 if effect == "Allow" else 0.3):
        statement["NotPrincipal"] = {"AWS": _one_or_list(rng, lambda r: r.choice([OWNER_MARK, r.choice(ACCOUNTS),
                                                                                   _arn(r)]), 2)}
    else:
        statement["Principal"] = _principal(rng)
    if rng.random() < 0.15:
        statement["NotAction"] = _one_or_list(rng, lambda r: r.choice(ACTIONS), 2)
    else:
        statement["Action"] = _one_or_list(rng, lambda r: r.choice(ACTIONS), 2)
    if rng.random() < 0.6:
        statement["Resource"] = "*"
    else:
        element = "NotResource" if rng.random() < 0.3 else "Resource"
        statement[element] = _one_or_list(rng, lambda r: r.choice(RESOURCES), 2)
    condition = _condition(rng)
    if condition:
        statement["Condition"] = condition
    if rng.random() < 0.5:
        statement["Sid"] = f"S{rng.randint(0, 99)}"
    return statement


def generate(rng: random.Random) -> tuple:
    """``(document, (trusted accounts, trusted organizations))``."""
    count = rng.randint(1, 6)
    statements = [_statement(rng, "Allow" if i == 0 or rng.random() < 0.5 else "Deny") for i in range(count)]
    return {"Version": "2012-10-17", "Statement": statements}, rng.choice(TRUSTS)


policies = st.builds(generate, st.randoms(use_true_random=False))

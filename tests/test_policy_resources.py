"""Resource and NotResource against the ARN of the identity a policy is attached to."""

import pytest

from analyzer.model import OWNER, Unknown, embed
from analyzer.policy.document import parse_document
from analyzer.policy.resources import UNKNOWN_REGION, identity_arn
from analyzer.policy.verdict import Trust, evaluate
from test_verdict import PUBLIC, allow, deny, out

OWN = embed(Unknown("data.aws_caller_identity.current.account_id", OWNER))
KNOWN = identity_arn(f"arn:aws:ses:us-east-1:{OWN}:identity/example.com")
NAMED = identity_arn("example.com")  # region unknown, in the owner's account


def grants(*statements, identity=KNOWN):
    v = evaluate(parse_document({"Version": "2012-10-17", "Statement": list(statements)}), Trust(), identity)
    return [out(g) for g in v.grants]


@pytest.mark.parametrize("resource", ["*", "arn:aws:ses:*:*:identity/*", f"arn:aws:ses:us-east-1:{OWN}:identity/*",
                                      "arn:aws:ses:us-east-?:*:identity/example.com"])
def test_a_resource_that_covers_the_identity_grants(resource):
    assert grants(allow("*", Resource=resource)) == [PUBLIC]


@pytest.mark.parametrize("resource", ["arn:aws:ses:eu-west-1:*:identity/*", "arn:aws:ses:*:*:identity/other.com",
                                      "arn:aws:sns:*:*:*", "arn:aws:ses:*:*:identity/EXAMPLE.COM"])
def test_a_resource_that_cannot_cover_the_identity_grants_nothing(resource):
    assert grants(allow("*", Resource=resource)) == []


def not_resource(statement, pattern):
    statement = dict(statement, NotResource=pattern)
    del statement["Resource"]
    return statement


def test_not_resource_turns_the_match_around():
    assert grants(not_resource(allow("*"), "arn:aws:ses:*:*:identity/other.com")) == [PUBLIC]
    assert grants(not_resource(allow("*"), "arn:aws:ses:*:*:identity/*")) == []


def test_a_deny_on_another_identity_does_not_narrow():
    assert grants(allow("*"), deny("*", Resource="arn:aws:ses:*:*:identity/other.com")) == [PUBLIC]
    assert grants(allow("*"), not_resource(deny("*"), "arn:aws:ses:*:*:identity/other.com")) == []


def test_a_resource_in_a_region_that_may_be_the_identitys_could_match():
    """The identity's region is unknown: an Allow that could cover it is
    read as covering it; a Deny that could is weighed both ways."""
    assert grants(allow("*", Resource="arn:aws:ses:eu-west-1:*:identity/*"), identity=NAMED) == [PUBLIC]
    found = grants(allow("*"), deny("*", Resource="arn:aws:ses:eu-west-1:*:identity/*"), identity=NAMED)
    assert [g.unknowns for g in found] == [(UNKNOWN_REGION.ref,)]


def test_an_account_number_may_be_the_owners():
    found = grants(allow("*"), deny("*", Resource="arn:aws:ses:us-east-1:111122223333:identity/*"))
    assert [(g.public, g.unknowns) for g in found] == [(False, ("the owner account's number",))]


def test_the_same_unknown_arn_covers_itself():
    arn = embed(Unknown("aws_ses_domain_identity.d.arn", "after-apply"))
    assert grants(allow("*"), deny("*", Resource=arn), identity=identity_arn(arn)) == []

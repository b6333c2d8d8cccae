"""Condition keys the engine does not model leave the verdict undecided,
naming the key (SES003); the keys a caller sets freely never narrow."""

import pytest

from test_verdict import OWNER_ARN, PUBLIC, A, Out, allow, deny, eq, out, single, verdict

UNMODELLED = ["aws:PrincipalTag/team", "aws:ResourceAccount", "aws:PrincipalType", "s3:prefix"]


@pytest.mark.parametrize("key", UNMODELLED)
def test_an_allow_on_an_unmodelled_key_is_undecided_naming_it(key):
    grant = single(allow("*", eq(key, "mail"), Sid="Tagged"))
    assert out(grant) == Out(unknowns=(key,), admitted="${" + key + "}")
    assert grant.unknowns[0].describe() == (f"the condition key {key} of statement 'Tagged' is not one sesguard "
                                            "models, so whether it narrows who may send is not known")


def test_an_unmodelled_key_beside_a_trusted_principal_decides_nothing():
    assert out(single(allow({"AWS": OWNER_ARN}, eq("aws:PrincipalTag/team", "mail")))) == Out(
        admitted="the owner account")


@pytest.mark.parametrize("key", UNMODELLED)
def test_a_deny_on_an_unmodelled_key_leaves_an_open_grant_undecided(key):
    v = verdict(allow("*", Sid="Open"), deny("*", eq(key, "mail", op="StringNotEquals"), Sid="Guard"))
    assert [out(g).unknowns for g in v.grants] == [(key,)]
    assert not v.grants[0].public
    assert "of statement 'Guard'" in v.grants[0].unknowns[0].describe()


def test_a_deny_on_an_unmodelled_key_leaves_a_grant_confined_anyway_confined():
    v = verdict(allow({"AWS": OWNER_ARN}, Sid="Own"), deny("*", eq("aws:PrincipalTag/team", "mail"), Sid="Guard"))
    assert [(g.public, g.untrusted, g.unknowns) for g in v.grants] == [(False, [], [])]


def test_a_deny_on_an_unmodelled_key_leaves_an_untrusted_account_undecided():
    """Account A may send unless its principal carries the tag: which one
    is not known, so the verdict is not guessed either way."""
    v = verdict(allow({"AWS": A}, Sid="One"), deny("*", eq("aws:PrincipalTag/team", "mail"), Sid="Guard"))
    assert [(g.untrusted, [u.ref for u in g.unknowns]) for g in v.grants] == [([], ["aws:PrincipalTag/team"])]


@pytest.mark.parametrize("condition", [
    eq(key, "x") for key in ("ses:FromAddress", "ses:FromDisplayName", "ses:Recipients", "ses:FeedbackAddress",
                             "ses:ApiVersion", "aws:RequestTag/team", "aws:UserAgent", "aws:RequestedRegion",
                             "aws:CalledVia")] + [
    eq("aws:SecureTransport", "true", op="Bool"), eq("aws:CurrentTime", "2020-01-01T00:00:00Z", op="DateGreaterThan")])
def test_keys_the_caller_sets_freely_leave_an_open_grant_public(condition):
    assert out(single(allow("*", condition))) == PUBLIC


def test_key_names_ignore_case():
    assert out(single(allow("*", eq("AWS:principaltag/Team", "mail")))).unknowns == ("AWS:principaltag/Team",)

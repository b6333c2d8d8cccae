"""Condition keys the verdict engine knows, and what it does with the others.

A key either tells who the caller is (``callers.IDENTITY_KEYS``: the caller
space is built from them), or is one the caller sets freely and so cannot
narrow who may send. The free ones, from the SES condition keys of the
Service Authorization Reference and the AWS global condition context keys:

* SES's own keys describe the message, not its sender: ``ses:FromAddress``,
  ``ses:FromDisplayName``, ``ses:Recipients``, ``ses:FeedbackAddress``,
  ``ses:ApiVersion``;
* request properties any caller chooses: the transport (``aws:SecureTransport``),
  the moment (``aws:CurrentTime``, ``aws:EpochTime``), the network
  (``aws:SourceIp``, ``aws:SourceVpc``, ``aws:SourceVpce``, ``aws:VpcSourceIp``),
  the client (``aws:UserAgent``, ``aws:Referer``), the endpoint's region
  (``aws:RequestedRegion``), the request's tags (``aws:RequestTag/...``,
  ``aws:TagKeys``), whether and how long ago it signed in with MFA and when its
  credentials were issued (``aws:MultiFactorAuthPresent``, ``aws:MultiFactorAuthAge``,
  ``aws:TokenIssueTime``), and whether it calls through another service
  (``aws:ViaAWSService``, ``aws:CalledVia``, ``aws:CalledViaFirst``,
  ``aws:CalledViaLast``).

Any other key (``aws:PrincipalTag/...``, ``aws:PrincipalType``,
``aws:ResourceAccount``, ``aws:username``, a key of another service...) is
not modelled: a condition on it, or on an identity key whose value holds it
as a policy variable (``aws:PrincipalArn`` ".../user/${aws:username}"),
makes the verdict undecided, naming the key (SES003), and is never read as
permissive or restrictive.
"""

from __future__ import annotations

from analyzer.model import EVALUATION, Unknown
from analyzer.policy.callers import IDENTITY_KEYS
from analyzer.policy.conditions import variables

FREE_KEYS = frozenset({
    "ses:fromaddress", "ses:fromdisplayname", "ses:recipients", "ses:feedbackaddress", "ses:apiversion",
    "aws:securetransport", "aws:currenttime", "aws:epochtime",
    "aws:sourceip", "aws:sourcevpc", "aws:sourcevpce", "aws:vpcsourceip",
    "aws:useragent", "aws:referer", "aws:requestedregion", "aws:tagkeys",
    "aws:multifactorauthpresent", "aws:multifactorauthage", "aws:tokenissuetime",
    "aws:viaawsservice", "aws:calledvia", "aws:calledviafirst", "aws:calledvialast",
})
FREE_PREFIXES = ("aws:requesttag/",)


def is_free(key: str) -> bool:
    """Whether the caller sets ``key`` freely (``key`` lower-cased)."""
    return key in FREE_KEYS or key.startswith(FREE_PREFIXES)


def is_modelled(key: str) -> bool:
    """Whether the engine knows what ``key`` (lower-cased) says."""
    return key in IDENTITY_KEYS or is_free(key)


def unmodelled(key: str, statement: str) -> Unknown:
    """The unknown a condition of ``statement`` (its label) on the
    unmodelled ``key`` (as written) leaves."""
    return Unknown(key, EVALUATION, hint=f"the condition key {key} of {statement} is not one sesguard models, so "
                                         "whether it narrows who may send is not known")


_ESCAPES = ("*", "?", "$")  # ${*}, ${?} and ${$} stand for the characters themselves, not for a key


def unmodelled_variables(key: str, values) -> list:
    """The keys, lower-cased, of the policy variables in the ``values`` of a
    condition on the identity key ``key`` that are not modelled: who
    ``aws:PrincipalArn`` ".../user/${aws:username}" admits depends on a value
    the engine does not know. (A free key's variables take the values that
    make them match what the policy names: ``callers.gather``.)"""
    if key.lower() not in IDENTITY_KEYS:
        return []
    found = (name for value in values if isinstance(value, str) for name in variables(value))
    return [name for name in dict.fromkeys(found) if name not in _ESCAPES and not is_modelled(name)]


def is_unmodelled(unknown: Unknown) -> bool:
    """Whether ``unknown`` is one ``unmodelled`` made."""
    return unknown.kind == EVALUATION and unknown.hint.startswith(f"the condition key {unknown.ref} of ")

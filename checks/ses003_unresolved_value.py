"""A verdict depends on a value that could not be resolved statically.

Why: sesguard never guesses. When who-can-send depends on a variable without
a value, an attribute known only after apply or a module that was not
downloaded, it cannot say the identity is safe or exposed, and says so here
instead of staying silent. The same holds for a setting another rule judges:
DKIM signing (SES210), the next DKIM key length (SES213), the MAIL FROM
fallback (SES224), a configuration set's TLS policy (SES301), reputation
metrics (SES304) and tracking HTTPS policy (SES307), whether its event
destinations publish bounces and complaints (SES303: an event
destination's ``enabled``, its event types, or which configuration set it
names), a receipt rule's TLS policy (SES306), and a DNS record where the
DNS rules look for an identity's records whose type is not known
(``type = var.record_type``), or a TXT record whose text is not
(``records = [var.dmarc]``): it may be the DMARC, SPF, DKIM or MAIL FROM
record they look for, so none of them says it is missing or wrong. Each
such rule is silent on a value it cannot know; this finding names the
value instead.

Example (Terraform):

    principals {
      type        = "AWS"
      identifiers = var.sender_accounts   # no default, no tfvars
    }

Example (CloudFormation): a principal from a parameter without a default
(``Principal: {AWS: !Ref SenderAccount}``), or from ``Fn::ImportValue``;
``SigningEnabled: !Ref Signing`` with no value for ``Signing``.

Fix: supply the value (``--var sender_accounts='["111122223333"]'``, a
``--var-file``, a default; ``--cfn-parameter SenderAccount=111122223333``
for CloudFormation) or run ``terraform init`` so downloaded modules can be
read, then scan again.
"""

from analyzer.model import ERROR, display
from analyzer.monitoring import feedback
from analyzer.policy.describe import finding_fields, policy_unknowns, subject
from analyzer.rules import about, place

ID = "SES003"
NAME = "unresolved-value"
SEVERITY = "info"
TITLE = "A verdict depends on a value that could not be resolved"
TAGS = ("input", "policy")
NEEDS_DNS = None
MANDATORY = False
ANCHOR = "ses003"
SUMMARY = "a verdict, or a setting another rule judges, depends on a value that could not be resolved statically"


# settings other rules judge: (the rule, model collection, fact, where it is written, what it decides, its
# logical path, the field that must be set for the fact to matter)
SETTINGS = (
    ("SES210", "identities", "signing", "dkim_signing", "whether DKIM signs its mail",
     "DkimAttributes/SigningEnabled", None),
    ("SES213", "identities", "next_key_length", "dkim_key_length", "the length of its next DKIM key",
     "DkimSigningAttributes/NextSigningKeyLength", None),
    ("SES224", "identities", "mx_failure", "mail_from_mx_failure", "what it does when its MAIL FROM MX is missing",
     "mail_from/behavior_on_mx_failure", "mail_from_domain"),
    ("SES301", "configuration_sets", "tls", "tls_policy", "whether it requires TLS", "delivery_options/tls_policy",
     None),
    ("SES304", "configuration_sets", "metrics_enabled", "reputation_metrics", "whether reputation metrics are on",
     "reputation_metrics_enabled", None),
    ("SES307", "configuration_sets", "https", "https_policy", "whether its tracking links use HTTPS",
     "tracking_options/https_policy", "custom_redirect_domain"),
    ("SES306", "receipt_rules", "tls", "tls_policy", "whether it requires TLS for the mail it receives",
     "tls_policy", None),
)


def check(model, context):
    rule = context.rule(ID)
    yield from _policies(model, context, rule)
    yield from _settings(model, context, rule)
    yield from _feedback(model, context, rule)
    yield from _record_types(model, context, rule)
    for call in model.not_analyzed:
        if not call.ses_related:
            continue
        yield rule.finding_on(
            f"{call.address} (source {display(call.source)}) may declare SES identities or policies but was "
            f"not analyzed: {call.reason}.",
            call, resource=call.address, logical_path="module")


def _policies(model, context, rule):
    for policy in model.identity_policies:
        verdict = context.verdict(policy)
        for unknowns, where, path, statement in policy_unknowns(policy, verdict):
            unresolved = _unresolved(unknowns)
            if not unresolved:
                continue
            refs, needs = _described(unresolved)
            what = f"who may send through {statement.label}" if statement else "who may send as this identity"
            yield rule.finding_on(
                f"{subject(policy)}: {what} depends on {refs}, which could not be resolved: {needs}.",
                policy, where, details={"unresolved": [u.ref for u in unresolved]},
                **finding_fields(policy, path))


def _settings(model, context, rule):
    for judge, collection, fact, field, decides, path, needed in SETTINGS:
        if not context.runs(judge):
            continue  # a rule this scan does not run leaves nothing undecided
        for resource in getattr(model, collection):
            if collection == "identities" and resource.kind != "domain":
                continue  # the DKIM and MAIL FROM rules judge domain identities
            value = getattr(resource, fact)
            if not value.unresolved or (needed and getattr(resource, needed) in (None, "")):
                continue
            unresolved = _unresolved(value.unknowns)
            if not unresolved:
                continue
            refs, needs = _described(unresolved)
            named = {"identity": resource.label} if collection == "identities" else {}
            yield rule.finding_on(
                f"{resource.label}: {decides} ({judge}) depends on {refs}, which could not be resolved: {needs}.",
                resource, field, details={"unresolved": [u.ref for u in unresolved]},
                **about(resource, path, **named))


def _feedback(model, context, rule):
    if not context.runs("SES303"):
        return
    for config_set in model.configuration_sets:
        undecided = feedback(config_set, model, place).undecided_by
        unresolved = _unresolved([u for _, _, unknowns in undecided for u in unknowns])
        if not unresolved:
            continue
        destination, path, _ = undecided[0]
        refs, needs = _described(unresolved)
        yield rule.finding_on(
            f"{config_set.label}: whether it publishes bounce and complaint events (SES303) depends on {refs}, "
            f"which could not be resolved: {needs}.",
            destination, path, details={"unresolved": [u.ref for u in unresolved]},
            **about(config_set, "event_destination"))


# the rules that look for an identity's DNS records by their type
BY_RECORD_TYPE = ("SES211", "SES212", "SES213", "SES220", "SES221", "SES223", "SES230", "SES231", "SES232",
                  "SES233", "SES240")


def _record_types(model, context, rule):
    if not any(context.runs(judge) for judge in BY_RECORD_TYPE):
        return
    dns = context.dns(model)
    named = set()
    for identity, domain in dns.domain_identities():
        for placed in _undecided_records(dns, identity, domain, context):
            record = placed.record
            if id(record) in named:
                continue
            named.add(id(record))
            what, path = ("its record type", "type") if record.kind.unresolved else (
                "its text" if record.rtype == "TXT" else "its data", "values")
            unresolved = _unresolved(record.kind.unknowns if record.kind.unresolved else record.data_unknowns)
            if not unresolved:
                continue
            refs, needs = _described(unresolved)
            yield rule.finding_on(
                f"{record.address}: {what}, and so what the DNS rules of {identity.label} find at "
                f"{placed.name.text()}, depends on {refs}, which could not be resolved: {needs}.",
                record, path, identity=domain.text(), details={"unresolved": [u.ref for u in unresolved]},
                **about(record, path))


def _undecided_records(dns, identity, domain, context) -> list:
    """The records that leave a DNS rule undecided for ``identity``: any of
    an unknown type where the rules look, the DMARC record the walk stopped
    at (SES230-SES233), the TXT at the MAIL FROM domain when no SPF record
    is known there (SES220), its MX records not known (SES223), the
    verification TXT when none is known (SES240)."""
    found = [p for p in dns.around(identity, domain) if p.record.kind.unresolved]
    if any(context.runs(judge) for judge in ("SES230", "SES231", "SES232", "SES233")):
        found += dns.dmarc_undecided(domain, identity.context)
    mail_from = dns.mail_from(identity)
    records = dns.at_name(mail_from, identity.context, under=domain) if mail_from is not None else []
    if context.runs("SES220") and not dns.spf_at(records):
        found += dns.undecided_txt(records)
    if context.runs("SES223"):  # an MX list not known; not an MX naming a Region not known (data.aws_region)
        found += [p for p in dns.undecided(dns.mail_from_records(identity, domain) or [], "MX")
                  if p.record.rtype == "MX"]
    if context.runs("SES240") and identity.verification:
        at = dns.at(domain, "_amazonses", context=identity.context)
        if not dns.txt_at(at, lambda text: True):
            found += dns.undecided(at, "TXT")
    return [p for p in found if not p.name.wrong]


def _unresolved(unknowns) -> list:
    """The unknowns that are values not known statically; none when one is an
    expression that failed (SES001 reports that)."""
    unresolved = [u for u in unknowns if u.kind != ERROR]
    return unresolved if len(unresolved) == len(unknowns) else []


def _described(unresolved) -> tuple:
    """The references, and what each needs, as a message says them."""
    return (", ".join(dict.fromkeys("${" + u.ref + "}" for u in unresolved)),
            "; ".join(dict.fromkeys(u.describe() for u in unresolved)))

"""The normalized model every loader fills and every rule reads.

Values coming out of a loader are plain Python data (str, int, float, bool,
None, list, dict) with three additions:

* ``Unknown``: a value that cannot be resolved statically (a variable without
  a value, an attribute known only after apply, an output of a module that
  was not analyzed). ``Unknown(kind=OWNER)`` is special: its value is not
  known, but it is known to be the account that deploys the code.
* unknown parts inside strings: when an unknown value is interpolated into a
  string (``"arn:aws:iam::${var.account}:root"``), the string keeps a marker
  for it, so string functions keep working and the verdict logic can still
  tell which part of an ARN is unknown. ``embed``/``split_marked`` convert.
* location-carrying containers: ``LStr``, ``LList`` and ``LDict`` behave as
  their base types and carry the ``Location`` of the expression that
  produced them (``LDict.key_locs`` holds one per key), so a finding can
  point at the exact value that is wrong.

Everything here is picklable, so loaders can run in worker processes.
"""

from __future__ import annotations

import os
import re
from dataclasses import dataclass, field
from typing import Any, Iterator, Optional, Union

# ---------------------------------------------------------------------------
# Locations
# ---------------------------------------------------------------------------


@dataclass(frozen=True)
class Location:
    file: str
    line: int
    column: int = 1
    end_line: int = 0
    end_column: int = 0

    def __str__(self) -> str:
        return f"{self.file}:{self.line}:{self.column}"


def loc_of(value: Any, default: Optional[Location] = None) -> Optional[Location]:
    """The location a value carries, or ``default``."""
    return getattr(value, "loc", None) or default


@dataclass(frozen=True)
class Hop:
    """A place a value passed through on its way from where it was written
    to where it is used: a module call's argument, a variable file."""

    loc: Location
    what: str  # "module.marketing argument senders"


class LStr(str):
    """A string that remembers where it was written (``loc``) and the
    places it passed through since (``via``, ``Hop``s in the order passed)."""

    def __new__(cls, value: str, loc: Optional[Location] = None, via: tuple = ()):
        obj = super().__new__(cls, value)
        obj.loc = loc
        obj.via = via
        return obj

    def __reduce__(self):
        return (LStr, (str(self), self.loc, self.via))


class LList(list):
    """A list that remembers where it was written, and the places passed through."""

    def __init__(self, items=(), loc: Optional[Location] = None, via: tuple = ()):
        super().__init__(items)
        self.loc = loc
        self.via = via

    def __reduce__(self):
        return (LList, (list(self), self.loc, self.via))


class LDict(dict):
    """A dict that remembers where it and each of its keys were written, and
    the places passed through."""

    def __init__(self, items=(), loc: Optional[Location] = None, key_locs=None, via: tuple = ()):
        super().__init__(items)
        self.loc = loc
        self.key_locs = dict(key_locs or {})
        self.via = via

    def __reduce__(self):
        return (LDict, (dict(self), self.loc, self.key_locs, self.via))

    def loc_of_key(self, key: str) -> Optional[Location]:
        return self.key_locs.get(key) or loc_of(self.get(key)) or self.loc


def passed(value: Any, hop: Hop) -> Any:
    """``value`` as seen after passing ``hop``: every string, list and dict
    in it records the hop (a copy; the value itself is shared by others).
    Numbers, booleans, null and unknowns carry no provenance; a value of a
    kind of its own copies itself (``with_hop``)."""
    with_hop = getattr(value, "with_hop", None)
    if with_hop is not None:
        return with_hop(hop)
    if isinstance(value, str):
        return LStr(value, getattr(value, "loc", None), getattr(value, "via", ()) + (hop,))
    if isinstance(value, dict):
        return LDict(((k, passed(v, hop)) for k, v in value.items()), getattr(value, "loc", None),
                     getattr(value, "key_locs", None), getattr(value, "via", ()) + (hop,))
    if isinstance(value, list):
        return LList((passed(v, hop) for v in value), getattr(value, "loc", None),
                     getattr(value, "via", ()) + (hop,))
    return value


def provenance(value: Any) -> tuple:
    """``(origin, hops)``: where a value was written and what it passed through."""
    return getattr(value, "loc", None), getattr(value, "via", ())


# ---------------------------------------------------------------------------
# Unknown values
# ---------------------------------------------------------------------------

OWNER = "owner-account"  # the deploying account: unknown number, trusted
VARIABLE = "variable"  # an input variable without a value
AFTER_APPLY = "after-apply"  # a resource attribute known only after apply
DATA = "data"  # a data source result we do not model
MODULE = "module"  # an output of a module that was not analyzed
EVALUATION = "evaluation"  # a value computed from unknowns, or not knowable statically
ERROR = "error"  # an expression that is wrong or unsupported: the input is not analyzed (SES001)


class Unknown:
    """A value that cannot be resolved statically.

    ``ref`` names what is missing in the user's own terms
    (``var.account_ids``, ``aws_ses_domain_identity.d.arn``); ``kind`` is
    one of the constants above; ``loc`` is where the reference was written.
    """

    __slots__ = ("ref", "kind", "loc", "hint")

    def __init__(self, ref: str, kind: str = EVALUATION, loc: Optional[Location] = None,
                 hint: str = ""):
        self.ref = ref
        self.kind = kind
        self.loc = loc
        self.hint = hint

    def __repr__(self) -> str:
        return f"Unknown({self.ref!r}, {self.kind!r})"

    def __eq__(self, other):
        return isinstance(other, Unknown) and (self.ref, self.kind) == (other.ref, other.kind)

    def __hash__(self):
        return hash((self.ref, self.kind))

    def __getstate__(self):
        return (self.ref, self.kind, self.loc, self.hint)

    def __setstate__(self, state):
        self.ref, self.kind, self.loc, self.hint = state

    @property
    def is_owner(self) -> bool:
        return self.kind == OWNER

    def describe(self) -> str:
        """A sentence saying what is missing and how to supply it."""
        if self.hint:
            return self.hint
        if self.kind == VARIABLE:
            name = self.ref.split(".", 1)[-1]
            return (f"{self.ref} has no value; pass --var {name}=... or a --var-file, "
                    "or give the variable a default")
        if self.kind == AFTER_APPLY:
            return f"{self.ref} is only known after apply"
        if self.kind == MODULE:
            return f"{self.ref} comes from a module that was not analyzed"
        if self.kind == DATA:
            return f"{self.ref} is read from the cloud at plan time"
        if self.kind == OWNER:
            return f"{self.ref} is the deploying account"
        if self.kind == ERROR:
            return self.ref
        return f"{self.ref} could not be evaluated"


_MARK_START = "\ue000"
_MARK_END = "\ue001"
_MARK_SEP = "\ue002"
_MARK_RE = re.compile(f"{_MARK_START}([^{_MARK_END}{_MARK_SEP}]*){_MARK_SEP}([^{_MARK_END}{_MARK_SEP}]*)"
                      f"(?:{_MARK_SEP}([^{_MARK_END}]*))?{_MARK_END}")


def embed(unknown: Unknown) -> str:
    """The marker that stands for ``unknown`` inside a string (kind, ref and hint)."""
    hint = f"{_MARK_SEP}{unknown.hint}" if unknown.hint else ""
    return f"{_MARK_START}{unknown.kind}{_MARK_SEP}{unknown.ref}{hint}{_MARK_END}"


def has_marker(text: str) -> bool:
    return _MARK_START in text


def split_marked(text: str) -> list[Union[str, Unknown]]:
    """Split a string into its literal parts and the unknowns it embeds."""
    parts: list[Union[str, Unknown]] = []
    pos = 0
    for m in _MARK_RE.finditer(text):
        if m.start() > pos:
            parts.append(text[pos:m.start()])
        parts.append(Unknown(m.group(2), m.group(1), hint=m.group(3) or ""))
        pos = m.end()
    if pos < len(text):
        parts.append(text[pos:])
    return parts


def unknowns_in(value: Any) -> Iterator[Unknown]:
    """Every unknown a value holds, whole or embedded in strings, depth first."""
    if isinstance(value, Unknown):
        yield value
    elif isinstance(value, str):
        if _MARK_START in value:
            for part in split_marked(value):
                if isinstance(part, Unknown):
                    yield part
    elif isinstance(value, dict):
        for k, v in value.items():
            yield from unknowns_in(k)
            yield from unknowns_in(v)
    elif isinstance(value, (list, tuple)):
        for v in value:
            yield from unknowns_in(v)


def display(value: Any) -> str:
    """A value as a user reads it: markers become ``${ref}``."""
    if isinstance(value, Unknown):
        return "${" + value.ref + "}"
    if isinstance(value, str):
        if _MARK_START not in value:
            return value
        return "".join(p if isinstance(p, str) else "${" + p.ref + "}" for p in split_marked(value))
    return repr(value)


# ---------------------------------------------------------------------------
# Policy documents
# ---------------------------------------------------------------------------

PRINCIPAL_TYPES = ("AWS", "Service", "Federated", "CanonicalUser")


@dataclass
class PrincipalEntry:
    """One principal value: ``type`` is AWS/Service/Federated/CanonicalUser or
    ``*`` for the bare ``"Principal": "*"``; ``value`` a string (possibly
    with embedded unknowns) or an ``Unknown``."""

    type: str
    value: Any
    loc: Optional[Location] = None


@dataclass
class ConditionEntry:
    """One ``operator`` → ``key`` → ``values`` entry of a Condition block."""

    operator: str
    key: Any
    values: list  # of str / Unknown; an unknown list is [Unknown]
    loc: Optional[Location] = None


@dataclass
class Statement:
    index: int  # position in the document, from 0
    sid: Optional[str]
    effect: Any  # "Allow" / "Deny" / Unknown / anything else as written
    actions: Optional[list] = None  # None when the statement uses NotAction
    not_actions: Optional[list] = None
    resources: Optional[list] = None
    not_resources: Optional[list] = None
    principals: Optional[list] = None  # list[PrincipalEntry]; None when absent
    not_principals: Optional[list] = None
    conditions: list = field(default_factory=list)  # list[ConditionEntry]
    loc: Optional[Location] = None
    principal_loc: Optional[Location] = None
    condition_loc: Optional[Location] = None
    problems: list = field(default_factory=list)  # malformed parts, as sentences

    @property
    def label(self) -> str:
        return f"statement {self.sid!r}" if self.sid else f"statement #{self.index + 1}"


@dataclass
class PolicyDocument:
    statements: list  # list[Statement]
    version: Any = None
    id: Any = None
    loc: Optional[Location] = None
    unknown: Optional[Unknown] = None  # the whole statement list is unknown
    problems: list = field(default_factory=list)


# ---------------------------------------------------------------------------
# SES resources
# ---------------------------------------------------------------------------


@dataclass
class Resource:
    """What every model resource shares: its address and where it is."""

    address: str  # module.mail.aws_ses_identity_policy.this["x"]
    type: str  # resource type as written in the source format
    loc: Location
    file: str  # path of the file, relative to the current directory
    active: bool = True
    inactive_reason: str = ""
    conditional: str = ""  # when whether it exists is not known statically: what it depends on
    source_format: str = "terraform"
    value_locs: dict = field(default_factory=dict)  # field name -> where its value is written
    origin: Any = None  # for a resource read from a plan: the plan and module it came from (analyzer.plan.merge)
    context: str = ""  # the name of the Deployment it belongs to; "" for DNS data every deployment shares
    #                    (zone files, octoDNS). Rules judge a resource only next to those of its deployment

    def where(self, name: str) -> Location:
        """Where the value of the field ``name`` is written; the resource
        itself when the value is not written (the default applies)."""
        return self.value_locs.get(name) or self.loc


@dataclass
class Identity(Resource):
    name: Any = None  # str / Unknown
    kind: str = "domain"  # "domain" or "email"
    name_loc: Optional[Location] = None
    dkim_signing: Any = None  # bool as written; None = the format's default
    dkim_key_length: Any = None  # "RSA_1024_BIT" / "RSA_2048_BIT"
    dkim_private_key: Any = None  # BYODKIM key as written (never printed)
    mail_from_domain: Any = None
    mail_from_mx_failure: Any = None  # "USE_DEFAULT_VALUE" / "REJECT_MESSAGE" (any case)
    configuration_set: Any = None  # default configuration set name
    feedback_forwarding: Any = None  # bool
    region: Any = None  # the Region the identity lives in, when the code says (str / Unknown / None)
    easy_dkim: Any = None  # Terraform v1: address of the aws_ses_domain_dkim that turns Easy DKIM on
    dkim_tokens: Any = None  # the three Easy DKIM tokens when known (a plan of a deployed identity), or None
    dkim_selector: Any = None  # BYODKIM selector, when a private key is given
    mail_from_address: str = ""  # the resource that sets the MAIL FROM domain, when it is not the identity
    verification: str = ""  # address of an aws_ses_domain_identity_verification waiting for this identity


@dataclass
class ConfigurationSet(Resource):
    """Values as written; ``None`` means not set (the service default)."""

    name: Any = None
    tls_policy: Any = None  # "Require"/"REQUIRE" or "Optional"/"OPTIONAL"
    reputation_metrics: Any = None  # bool
    custom_redirect_domain: Any = None
    https_policy: Any = None  # "REQUIRE", "REQUIRE_OPEN_ONLY", "OPTIONAL"


@dataclass
class EventDestination(Resource):
    configuration_set: Any = None  # name of the configuration set
    enabled: Any = None  # bool; None = not set (the API's default: disabled)
    event_types: Any = None  # list of event type names as written
    destinations: list = field(default_factory=list)  # "cloudwatch", "firehose", "sns", "eventbridge", "pinpoint"


@dataclass
class ReceiptRule(Resource):
    name: Any = None
    tls_policy: Any = None
    s3_actions: list = field(default_factory=list)  # dicts: bucket, kms_key_arn (None when absent), loc


@dataclass
class IdentityPolicy(Resource):
    identity: Any = None  # identity name as written: str / Unknown
    identity_address: Optional[str] = None  # address of the identity resource referenced
    policy_name: Any = None
    document: Optional[PolicyDocument] = None
    document_unknown: Optional[Unknown] = None  # the policy text could not be resolved
    policy_loc: Optional[Location] = None


@dataclass
class IamPolicy(Resource):
    """An identity-based IAM policy: a managed policy, or the inline policy of
    a role, user or group. ``users`` are the IAM users it applies to, by
    name as written (str / Unknown), from the policy itself or from its
    attachments."""

    document: Optional[PolicyDocument] = None
    document_unknown: Optional[Unknown] = None
    policy_loc: Optional[Location] = None
    users: list = field(default_factory=list)


@dataclass
class AccessKey(Resource):
    """A long-lived access key of an IAM user (``user``: its name as written)."""

    user: Any = None
    user_loc: Optional[Location] = None


@dataclass
class NotificationTopic(Resource):
    """The SNS topic an identity sends one kind of feedback to (v1 API)."""

    identity: Any = None  # identity name as written, or an ARN's last part
    identity_address: Optional[str] = None  # address of the identity resource referenced
    notification_type: Any = None  # "Bounce" / "Complaint" / "Delivery"


@dataclass
class IdentitySetting(Resource):
    """A resource that sets something on an identity declared elsewhere
    (Terraform v1 ``aws_ses_domain_dkim``, ``aws_ses_domain_mail_from``,
    ``aws_ses_domain_identity_verification``, v2
    ``aws_sesv2_email_identity_mail_from_attributes``): ``kind`` is
    "easy_dkim", "mail_from" or "verification", ``values`` what it sets
    (``mail_from_domain``, ``mail_from_mx_failure``) as written."""

    identity: Any = None  # identity name as written: str / Unknown
    identity_address: Optional[str] = None  # address of the identity resource referenced
    kind: str = ""
    values: dict = field(default_factory=dict)


# ---------------------------------------------------------------------------
# DNS
# ---------------------------------------------------------------------------


@dataclass
class DnsZone(Resource):
    """A DNS zone the code declares (a hosted zone, a zone file) or looks up
    (a data source: the zone exists, the code manages some of its records)."""

    name: Any = None  # the zone's apex as written: str (may embed unknowns) / Unknown
    private: Any = None  # True (private hosted zone) / False / Unknown / None (not said)
    provider: str = "route53"  # route53 / cloudflare / google / azure / zonefile / octodns
    key: Any = None  # what records name the zone by when not its address (Google's managed zone name)


@dataclass
class DnsRecord(Resource):
    """One record set the code declares.

    ``name`` is the owner name, absolute with a trailing dot once known
    (``"_dmarc.example.com."``), possibly embedding unknowns
    (``"<token 0 marker>._domainkey.example.com."``), or an ``Unknown``.
    ``values`` holds the record data in presentation format, one entry per
    record: for TXT and SPF a tuple of its character strings (unquoted),
    for the others text (``"10 feedback-smtp.us-east-1.amazonses.com."``);
    ``Unknown`` when the whole list is unknown. ``problems`` says how the
    record is malformed as written (a CloudFormation TXT value without its
    quotes), in sentences.
    """

    name: Any = None
    rtype: Any = None  # upper case: "TXT", "CNAME", "MX", "SPF"...; or Unknown
    values: Any = None
    ttl: Any = None
    zone: str = ""  # address of the DnsZone it is in, when known
    zone_name: Any = None  # the zone's apex, when known (str / Unknown / None)
    private: Any = None  # whether that zone is private (as DnsZone.private)
    alias: Any = None  # the alias target (Route53 ``alias``), when the record is an alias
    problems: list = field(default_factory=list)
    provider: str = "route53"


@dataclass
class InputProblem:
    """An input (file, module, module call) that could not be analyzed."""

    file: str
    message: str
    line: int = 0
    column: int = 0
    address: str = ""


@dataclass
class Deployment:
    """What is deployed together: a Terraform root module instance with its
    variable files, a CloudFormation stack (template and parameters), a plan.
    ``name`` is how findings name it (the root directory, template or plan,
    as shown); ``inputs`` the files that give it values (variable files,
    parameter files); ``files`` every file its evaluation read; ``calls``
    where each module call of it is written, by the address prefix of its
    instance (``module.mail[0].``)."""

    name: str
    kind: str  # "terraform", "cloudformation", "plan"
    inputs: list = field(default_factory=list)
    files: set = field(default_factory=set)
    calls: dict = field(default_factory=dict)  # address prefix -> Location of the module block

    @property
    def directory(self) -> str:
        """The directory it is deployed from: the root module's, or the template's or plan's."""
        return self.name if self.kind == "terraform" else os.path.dirname(self.name)

    def sees(self, shared) -> bool:
        """Whether DNS data every deployment may share (a zone file, an octoDNS
        zone) is this deployment's: when one of the directory it is deployed
        from and the data's directory holds the other, so what a deployment
        sees does not depend on where a scan starts."""
        here = os.path.abspath(self.directory)
        there = os.path.abspath(os.path.dirname(shared.file))
        return _within(here, there) or _within(there, here)

    def call_chain(self, address: str) -> list:
        """The module calls a resource address goes through, outermost first: ``[(prefix, Location)]``."""
        chain, prefix = [], ""
        for part in _module_parts(address):
            prefix += part + "."
            if prefix in self.calls:
                chain.append((prefix, self.calls[prefix]))
        return chain


def _within(path: str, directory: str) -> bool:
    return path == directory or path.startswith(directory.rstrip(os.sep) + os.sep)


_MODULE_PART = re.compile(r'module\.[\w-]+(?:\[(?:"(?:[^"\\]|\\.)*"|[0-9]+)\])?')


def _module_parts(address: str) -> list:
    """``module.a["x"].module.b.aws_x.y`` -> ``['module.a["x"]', 'module.b']``."""
    parts, pos = [], 0
    while True:
        m = _MODULE_PART.match(address, pos)
        if not m or address[m.end():m.end() + 1] != ".":
            return parts
        parts.append(m.group(0))
        pos = m.end() + 1


@dataclass
class ModuleNotAnalyzed:
    """A module call whose code could not be read (not downloaded, outside
    the scanned root, not a literal source)."""

    address: str
    source: str
    reason: str
    loc: Optional[Location] = None
    ses_related: bool = False  # its source names SES, so it may declare identities
    context: str = ""  # the deployment it belongs to


@dataclass
class Model:
    identities: list = field(default_factory=list)
    identity_policies: list = field(default_factory=list)
    configuration_sets: list = field(default_factory=list)
    event_destinations: list = field(default_factory=list)
    receipt_rules: list = field(default_factory=list)
    iam_policies: list = field(default_factory=list)  # list[IamPolicy]
    access_keys: list = field(default_factory=list)  # list[AccessKey]
    notification_topics: list = field(default_factory=list)  # list[NotificationTopic]
    identity_settings: list = field(default_factory=list)  # list[IdentitySetting]
    dns_zones: list = field(default_factory=list)  # list[DnsZone]
    dns_records: list = field(default_factory=list)  # list[DnsRecord]
    problems: list = field(default_factory=list)  # list[InputProblem]
    not_analyzed: list = field(default_factory=list)  # list[ModuleNotAnalyzed]
    suppressions: list = field(default_factory=list)  # analyzer.suppress.Suppression, as written in the inputs
    deployments: dict = field(default_factory=dict)  # name -> Deployment
    files: int = 0
    modules: int = 0

    RESOURCES = ("identities", "identity_policies", "configuration_sets", "event_destinations", "receipt_rules",
                 "iam_policies", "access_keys", "notification_topics", "identity_settings", "dns_zones",
                 "dns_records")

    def deployment(self, name: str, kind: str) -> Deployment:
        """The deployment called ``name``, added when new."""
        if name not in self.deployments:
            self.deployments[name] = Deployment(name, kind)
        return self.deployments[name]

    def views(self) -> list:
        """``(name, model)`` for each deployment, the model holding its
        resources and the DNS data every deployment shares (context ""),
        then ``("", model)`` holding only the shared data and the problems
        of the scan: rules judge a resource only next to what is deployed
        with it."""
        names = sorted({r.context for kind in self.RESOURCES for r in getattr(self, kind)} - {""})
        views = {name: Model(deployments=self.deployments) for name in names}
        shared = Model(problems=self.problems, deployments=self.deployments,
                       not_analyzed=[m for m in self.not_analyzed if m.context not in views])
        for kind in self.RESOURCES:
            for resource in getattr(self, kind):
                if resource.context:
                    getattr(views[resource.context], kind).append(resource)
                    continue
                getattr(shared, kind).append(resource)
                for name, view in views.items():
                    deployment = self.deployments.get(name)
                    if deployment is None or deployment.sees(resource):
                        getattr(view, kind).append(resource)
        for call in self.not_analyzed:
            if call.context in views:
                views[call.context].not_analyzed.append(call)
        return list(views.items()) + [("", shared)]

    def resources(self) -> Iterator[Resource]:
        """Every resource of every collection (identities, policies, DNS
        records...), so what must see them all (suppression scopes) cannot
        miss a collection added later."""
        for collection in vars(self).values():
            if isinstance(collection, list):
                yield from (item for item in collection if isinstance(item, Resource))

"""The SES and IAM resources of the model, whatever format declared them."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Optional

from analyzer.model import facts
from analyzer.model.facts import DEFAULT, EXPLICIT, Value
from analyzer.model.policies import PolicyDocument
from analyzer.model.values import Location, Unknown, display


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
    value_locs: dict = field(default_factory=dict)  # the resource's location table: a path into the resource
    #                 ("name", "policy", "tls_policy", "s3_actions/0") -> where that part is written
    origin: Any = None  # for a resource read from a plan: the plan and module it came from (analyzer.plan.merge)
    context: str = ""  # the name of the Deployment it belongs to; "" for DNS data every deployment shares
    #                    (zone files, octoDNS). Rules judge a resource only next to those of its deployment

    def where(self, path: str) -> Location:
        """Where the part of the resource at ``path`` is written: the longest
        prefix of the path the table holds (``s3_actions/0/kms_key_arn`` falls
        back to its action), else the resource itself (the value is not
        written: the default applies)."""
        while path:
            found = self.value_locs.get(path)
            if found is not None:
                return found
            path = path.rpartition("/")[0]
        return self.loc

    @property
    def label(self) -> str:
        """What a finding calls the resource: its name, else its address."""
        return facts.label(getattr(self, "name", None), self.address)


@dataclass
class Identity(Resource):
    name: Any = None  # str / Unknown
    kind: str = "domain"  # "domain" or "email"
    dkim_signing: Any = None  # bool as written; None = the format's default
    dkim_key_length: Any = None  # "RSA_1024_BIT" / "RSA_2048_BIT"
    private_key_written: Value = Value(DEFAULT, False)  # whether a BYODKIM private key's text is in the code
    #                 (facts.private_key): the key itself never enters the model, so it cannot be printed
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
    api: str = ""  # "v1" (Terraform aws_ses_*) or "v2" (aws_sesv2_*, CloudFormation): every loader sets it

    def __post_init__(self):
        if self.api not in ("v1", "v2"):  # rules judge v1 and v2 apart: a loader must say which it read
            raise ValueError(f"{self.address}: an identity's api is 'v1' or 'v2', not {self.api!r}")

    @property
    def signing(self) -> Value:
        """Whether DKIM signing is on (SigningEnabled; SES's default: on)."""
        return facts.boolean(self.dkim_signing, True)

    @property
    def dkim(self) -> Value:
        """How the identity signs: "off", "byodkim" or "easy". Signing turned
        off wins; a private key given is BYODKIM; a v1 identity signs with
        Easy DKIM only through the ``aws_ses_domain_dkim`` linked to it."""
        signing = self.signing
        if signing.is_(False):
            return Value(EXPLICIT, "off", self.dkim_signing)
        if not self.private_key_written.default:
            return Value(EXPLICIT, "byodkim")
        if signing.unresolved:
            return signing
        if self.api == "v1":
            return Value(EXPLICIT, "easy") if self.easy_dkim else Value(DEFAULT, "off")
        return Value(signing.state, "easy", self.dkim_signing)

    @property
    def next_key_length(self) -> Value:
        """The next DKIM signing key length: "RSA_1024_BIT" or "RSA_2048_BIT"."""
        return facts.enum(self.dkim_key_length, {"rsa1024bit": "RSA_1024_BIT", "rsa2048bit": "RSA_2048_BIT"})

    @property
    def named(self) -> Value:
        """The identity itself: its domain or email address."""
        return facts.text(self.name)

    @property
    def home_region(self) -> Value:
        """The Region the identity lives in, when the code says (a plan, a provider's region)."""
        return facts.text(self.region)

    @property
    def known_tokens(self) -> tuple:
        """The Easy DKIM tokens that are known (from a plan of a deployed
        identity), each with its number from 1."""
        return facts.known_texts(self.dkim_tokens)

    @property
    def selector(self) -> Value:
        """The BYODKIM selector, when a private key is given."""
        return facts.text(self.dkim_selector)

    @property
    def mail_from(self) -> Value:
        """The custom MAIL FROM domain set on the identity itself; ``DEFAULT`` when none."""
        return facts.text(self.mail_from_domain)

    @property
    def default_configuration_set(self) -> Value:
        """The configuration set SES applies when a message names none (v2); ``DEFAULT`` when none."""
        return facts.text(self.configuration_set)

    @property
    def mx_failure(self) -> Value:
        """What SES does when the MAIL FROM domain's MX is missing:
        "use_default" (its default: send from amazonses.com) or "reject"."""
        return facts.enum(self.mail_from_mx_failure, {"usedefaultvalue": "use_default", "rejectmessage": "reject"},
                          "use_default")


@dataclass
class ConfigurationSet(Resource):
    """Values as written; ``None`` means not set (the service default)."""

    name: Any = None
    tls_policy: Any = None  # "Require"/"REQUIRE" or "Optional"/"OPTIONAL"
    reputation_metrics: Any = None  # bool
    custom_redirect_domain: Any = None
    https_policy: Any = None  # "REQUIRE", "REQUIRE_OPEN_ONLY", "OPTIONAL"

    @property
    def tls(self) -> Value:
        """The delivery TLS policy: "require" or "optional" (the default)."""
        return tls(self.tls_policy)

    @property
    def metrics_enabled(self) -> Value:
        """Whether reputation metrics are on (off by default)."""
        return facts.boolean(self.reputation_metrics, False)

    @property
    def redirect_domain(self) -> Value:
        """The custom domain open and click tracking links go through; ``DEFAULT`` when none."""
        return facts.text(self.custom_redirect_domain)

    @property
    def https(self) -> Value:
        """The open and click tracking HTTPS policy: "require", "require_open_only" or "optional"."""
        return facts.enum(self.https_policy, {"require": "require", "requireopenonly": "require_open_only",
                                              "optional": "optional"})


def tls(written) -> Value:
    """A TLS policy (configuration sets, receipt rules): "require" or "optional" (the default)."""
    return facts.enum(written, {"require": "require", "optional": "optional"}, "optional")


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
    s3_actions: list = field(default_factory=list)  # dicts: bucket, kms_key_arn (None when absent);
    #                                                 where each is written: where(f"s3_actions/{index}")

    @property
    def tls(self) -> Value:
        """The TLS policy for receiving: "require" or "optional" (the default)."""
        return tls(self.tls_policy)


class _Documented:
    """A resource holding a policy document: a path ``policy/<path>`` is a
    part of the document (``policy/Statement/0/Principal``; ``policy/`` the
    document itself), found in the document's own location table first;
    ``policy`` is the argument that holds it."""

    def where(self, path: str) -> Location:
        if path.startswith("policy/") and self.document is not None:
            found = self.document.where(path[len("policy/"):])
            if found is not None:
                return found
        return Resource.where(self, path)


@dataclass
class IdentityPolicy(_Documented, Resource):
    identity: Any = None  # identity name as written: str / Unknown
    identity_address: Optional[str] = None  # address of the identity resource referenced
    policy_name: Any = None
    document: Optional[PolicyDocument] = None
    document_unknown: Optional[Unknown] = None  # the policy text could not be resolved
    # when document_unknown is one of known values (an unknown key picks it): each as a document
    alternatives: list = field(default_factory=list)


@dataclass
class IamPolicy(_Documented, Resource):
    """An identity-based IAM policy: a managed policy, or the inline policy of
    a role, user or group. ``users`` are the IAM users it applies to, by
    name as written (str / Unknown), from the policy itself or from its
    attachments."""

    document: Optional[PolicyDocument] = None
    document_unknown: Optional[Unknown] = None
    users: list = field(default_factory=list)
    # when document_unknown is one of known values (an unknown key or condition picks it): each as a document
    alternatives: list = field(default_factory=list)


@dataclass
class AccessKey(Resource):
    """A long-lived access key of an IAM user (``user``: its name as written)."""

    user: Any = None

    @property
    def user_name(self) -> Value:
        """The user's name as written (``""`` too: a user list of a resource counted out joins to it);
        ``DEFAULT`` when the key names none."""
        return facts.of(self.user)

    @property
    def user_label(self) -> str:
        """The user's name as written; an unknown one by what it refers to."""
        return self.user.ref if isinstance(self.user, Unknown) else display(self.user) or '""'


@dataclass
class NotificationTopic(Resource):
    """The SNS topic an identity sends one kind of feedback to (v1 API)."""

    identity: Any = None  # identity name as written, or an ARN's last part
    identity_address: Optional[str] = None  # address of the identity resource referenced
    notification_type: Any = None  # "Bounce" / "Complaint" / "Delivery"

    @property
    def kind(self) -> Value:
        """The feedback it receives: "bounce", "complaint" or "delivery"."""
        return facts.enum(self.notification_type, {"bounce": "bounce", "complaint": "complaint",
                                                   "delivery": "delivery"})


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

"""The SES and IAM resources of the model, whatever format declared them."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Optional

from analyzer.model.policies import PolicyDocument
from analyzer.model.values import Location, Unknown


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

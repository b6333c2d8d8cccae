"""Model resources read from a plan, with what pairing them with their
Terraform configuration needs (see ``analyzer.plan.merge``)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Optional

from analyzer.model import (
    AccessKey,
    ConfigurationSet,
    EventDestination,
    IamPolicy,
    Identity,
    IdentityPolicy,
    NotificationTopic,
    ReceiptRule,
)


@dataclass(frozen=True)
class PlanOrigin:
    """The plan a resource was read from, and the module that declares it."""

    plan: str  # real path of the plan file
    module_key: str  # module names from the root, dotted ("mail.inner"; "" at the root)
    module_dir: Optional[str]  # the module's directory relative to the root module ("." at the root),
    # from the module calls' sources; None when one of them is not a local path


@dataclass
class PlanIdentity(Identity):
    origin: Optional[PlanOrigin] = None


@dataclass
class PlanIdentityPolicy(IdentityPolicy):
    origin: Optional[PlanOrigin] = None


@dataclass
class PlanConfigurationSet(ConfigurationSet):
    origin: Optional[PlanOrigin] = None


@dataclass
class PlanEventDestination(EventDestination):
    origin: Optional[PlanOrigin] = None


@dataclass
class PlanReceiptRule(ReceiptRule):
    origin: Optional[PlanOrigin] = None


@dataclass
class PlanNotificationTopic(NotificationTopic):
    origin: Optional[PlanOrigin] = None


@dataclass
class PlanAccessKey(AccessKey):
    origin: Optional[PlanOrigin] = None


@dataclass
class PlanIamPolicy(IamPolicy):
    origin: Optional[PlanOrigin] = None


# model class -> its plan counterpart
PLANNED = {
    Identity: PlanIdentity,
    IdentityPolicy: PlanIdentityPolicy,
    ConfigurationSet: PlanConfigurationSet,
    EventDestination: PlanEventDestination,
    ReceiptRule: PlanReceiptRule,
    NotificationTopic: PlanNotificationTopic,
    AccessKey: PlanAccessKey,
    IamPolicy: PlanIamPolicy,
}

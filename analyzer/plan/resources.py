"""Model resources read from a plan, with what pairing them with their
Terraform configuration needs (see ``analyzer.plan.merge``)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Optional

from analyzer.model import Identity, IdentityPolicy


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

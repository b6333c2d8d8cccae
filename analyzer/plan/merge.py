"""Plans scanned together with the Terraform configuration they came from.

A plan and its ``.tf`` files describe the same resources: each would be
reported twice, and the plan's findings would point into a JSON file. So
each plan resource is paired with the configuration resource it was planned
from; the pair keeps the plan's values (they are final) and the
configuration's locations, and the configuration's copy is dropped.

Pairing rule. A plan does not say where its configuration is; its
``configuration`` section gives each module call's ``source``. A plan
resource and a configuration resource pair when they have the same address
and the configuration resource is declared in the directory the plan's
module calls lead to from the plan's *root module directory* (the root
itself for root resources; ``source`` paths for local modules, and
``.terraform/modules/modules.json`` for downloaded ones). The root module
directory is:

1. the plan file's directory or, failing that, the nearest of its
   ancestors, at which at least one resource pairs (``plan.json`` next to
   ``main.tf``, or in a ``plans/`` directory under it);
2. otherwise a directory below the plan file's, if it is the only one at
   which resources pair (``terraform -chdir=infra show -json`` written to
   the repository root);
3. otherwise none: the plan keeps its own locations.

Every SES resource pairs this way, and so do the IAM and DNS resources
read for the other rules; a plan's record whose name is only known after
apply gives way to its configuration, whose name says what it is built
from (a DKIM token). Once a plan pairs, its resources take the root
module's context (``Resource.context``). Each resource pairs at most once. Configuration resources without a plan
counterpart (``count = 0``, or absent from a stale plan) are left as they
are.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from typing import Optional

from analyzer.model import DnsRecord, IamPolicy, IdentityPolicy, Model
from analyzer.plan.values import pin
from analyzer.terraform.modules_json import read_modules_json


@dataclass(frozen=True)
class PlanOrigin:
    """The plan a resource was read from, and the module that declares it."""

    plan: str  # real path of the plan file
    module_key: str  # module names from the root, dotted ("mail.inner"; "" at the root)
    module_dir: Optional[str]  # the module's directory relative to the root module ("." at the root),
    # from the module calls' sources; None when one of them is not a local path


# the model collections a plan fills
COLLECTIONS = ("identities", "identity_policies", "configuration_sets", "event_destinations", "receipt_rules",
               "notification_topics", "access_keys", "iam_policies", "identity_settings", "dns_zones", "dns_records")


def merge_plans_with_terraform(model: Model, boundaries) -> None:
    """Pair plan resources with their configuration (see the module
    documentation); ``boundaries``: the scan boundaries (``Discovery.boundary``),
    above which no ancestor's ``modules.json`` is read."""
    resources = [r for name in COLLECTIONS for r in getattr(model, name)]
    planned = [r for r in resources if r.origin is not None]
    if not planned:
        return
    configured: dict = {}  # address -> resources (an address names its type, so its kind)
    for resource in resources:
        if resource.source_format == "terraform":
            configured.setdefault(resource.address, []).append(resource)
    if not configured:
        return
    dropped: set = set()
    for plan in dict.fromkeys(r.origin.plan for r in planned):
        of_plan = [r for r in planned if r.origin.plan == plan]
        pairs = _pairs(of_plan, configured, dropped, boundaries)
        for ours, theirs in pairs:
            if _unknown_name(ours):
                dropped.add(id(ours))  # a record named after apply: the configuration says from what
                continue
            _take_locations(ours, theirs)
            dropped.add(id(theirs))
        for resource in of_plan if pairs else ():
            resource.context = pairs[0][1].context  # one root module: names with unknowns compare
    for name in COLLECTIONS:
        collection = getattr(model, name)
        collection[:] = [r for r in collection if id(r) not in dropped]


def _pairs(planned: list, configured: dict, taken: set, boundaries) -> list:
    """``(plan resource, configuration resource)`` pairs of one plan, at the
    root module directory the module documentation's rule chooses."""
    candidates = [(p, c, _dir(c.file)) for p in planned for c in configured.get(p.address, ())
                  if id(c) not in taken]
    if not candidates:
        return []
    plan_dir = os.path.dirname(planned[0].origin.plan)
    modules_json: dict = {}

    def pairs_at(root: str) -> list:
        if root not in modules_json:
            modules_json[root] = read_modules_json(root)
        found, used = [], set()
        for ours, theirs, directory in candidates:
            if id(ours) not in used and id(theirs) not in used \
                    and _module_dir(root, ours.origin, modules_json[root]) == directory:
                found.append((ours, theirs))
                used.update((id(ours), id(theirs)))
        return found

    real = os.path.realpath(plan_dir)
    inside = [b for b in map(os.path.realpath, boundaries) if real == b or real.startswith(b.rstrip(os.sep) + os.sep)]
    boundary = max(inside, key=len) if inside else real
    for root in _self_and_ancestors(plan_dir):
        if not (os.path.realpath(root) + os.sep).startswith(boundary.rstrip(os.sep) + os.sep):
            break  # the repository root's parents are never read
        found = pairs_at(root)
        if found:
            return found
    below = {root for _, _, directory in candidates for root in _self_and_ancestors(directory)
             if root.startswith(plan_dir.rstrip(os.sep) + os.sep)}
    found = [pairs for pairs in map(pairs_at, sorted(below)) if pairs]
    return found[0] if len(found) == 1 else []


def _module_dir(root: str, origin: PlanOrigin, modules_json: dict) -> Optional[str]:
    """Where the module declaring a plan resource is, for a root module at ``root``."""
    if origin.module_dir is not None:
        return os.path.normpath(os.path.join(root, origin.module_dir))
    downloaded = modules_json.get(origin.module_key)
    return os.path.normpath(os.path.join(root, downloaded)) if downloaded else None


def _dir(file: str) -> str:
    return os.path.dirname(os.path.realpath(file))


def _self_and_ancestors(directory: str):
    while True:
        yield directory
        parent = os.path.dirname(directory)
        if parent == directory:
            return
        directory = parent


def _unknown_name(resource) -> bool:
    return isinstance(resource, DnsRecord) and not isinstance(resource.name, str)


def _take_locations(ours, theirs) -> None:
    """Give a plan resource the locations of its configuration resource."""
    ours.file, ours.loc = theirs.file, theirs.loc
    ours.value_locs = dict(theirs.value_locs)
    if isinstance(ours, (IdentityPolicy, IamPolicy)) and ours.document is not None:
        _take_document_locations(ours, theirs)


def _take_document_locations(ours, theirs) -> None:
    """Statement by statement when both documents list the same statements
    (count and Sids, in order); else everything at the ``policy`` argument."""
    document, source = ours.document, theirs.document
    if source is None or [s.sid for s in document.statements] != [s.sid for s in source.statements]:
        pin(document, theirs.where("policy"))
        return
    fallback = theirs.where("policy")
    document.locs = {path: source.where(path) or fallback for path in {"", *document.locs}}

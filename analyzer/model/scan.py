"""What one scan holds: its deployments, its resources, and what it could not analyze."""

from __future__ import annotations

import os
import re
from dataclasses import dataclass, field
from typing import Iterator, Optional

from analyzer.model.resources import Resource
from analyzer.model.values import Location

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
    kind: str  # "terraform", "terragrunt", "cloudformation", "plan"
    inputs: list = field(default_factory=list)
    files: set = field(default_factory=set)
    calls: dict = field(default_factory=dict)  # address prefix -> Location of the module block

    @property
    def directory(self) -> str:
        """The directory it is deployed from: the root module's, or the template's or plan's."""
        return self.name if self.kind in ("terraform", "terragrunt") else os.path.dirname(self.name)

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

    def where(self, path: str = "") -> Optional[Location]:
        """Where a part of the call is written: the call."""
        return self.loc


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

    def link_identities(self) -> None:
        """Resolve each policy's identity from the identity resource it
        references, in the policy's deployment."""
        by_address = {(i.context, i.address): i for i in self.identities}
        for policy in self.identity_policies:
            identity = by_address.get((policy.context, policy.identity_address or ""))
            if identity is not None and isinstance(identity.name, str):
                policy.identity = identity.name

    def resources(self) -> Iterator[Resource]:
        """Every resource of every collection (identities, policies, DNS
        records...), so what must see them all (suppression scopes) cannot
        miss a collection added later."""
        for collection in vars(self).values():
            if isinstance(collection, list):
                yield from (item for item in collection if isinstance(item, Resource))

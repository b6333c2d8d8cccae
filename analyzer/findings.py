"""Findings: what a rule reports, and the severity scale."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from typing import Optional

from analyzer.model import Location, provenance

SEVERITIES = ("critical", "high", "medium", "low", "info")


def severity_rank(severity: str) -> int:
    """0 for critical ... 4 for info."""
    return SEVERITIES.index(severity)


@dataclass(frozen=True)
class TraceStep:
    """One source location a finding's value flowed through, outermost
    first: ``what`` says what stands there (``terraform.tfvars``, ``module
    argument senders``, ``variable senders``, ``policy principal``)."""

    file: str
    line: int
    column: int = 1
    what: str = ""

    def __str__(self) -> str:
        return f"{self.file}:{self.line}"


@dataclass
class Finding:
    rule_id: str
    name: str
    severity: str
    message: str
    location: Optional[Location]
    resource: str = ""  # address of the resource, module call or file concerned
    identity: str = ""
    active: bool = True
    inactive_reason: str = ""
    logical_path: str = ""  # where in the resource: "policy/Statement[AllowAll]/Principal"
    details: dict = field(default_factory=dict)
    suppressed: Optional[object] = None  # the analyzer.suppress.Suppression that applies
    deployment: str = ""  # the deployment it belongs to: a root module, a stack, a plan (analyzer.model.Deployment.name)
    trace: tuple = ()  # TraceStep: where the value at fault came from, the origin first
    conditional: str = ""  # why the resource may not exist ("exists only if var.enable is true"), when unknown
    fix: Optional[object] = None  # analyzer.fix.Fix: the edit that closes it, or why none is offered
    fix_title: str = ""  # what to change, one sentence; never part of ``message``

    @property
    def text(self) -> str:
        """The message as reporters render it: what is wrong, then how to fix it."""
        return f"{self.message} Fix: {self.fix_title}" if self.fix_title else self.message

    @property
    def file(self) -> str:
        return self.location.file if self.location else ""

    @property
    def fingerprint(self) -> str:
        """Stable across edits that move lines: no line numbers in it."""
        key = "\x1f".join((self.rule_id, self.file, self.resource, self.logical_path))
        return hashlib.sha256(key.encode("utf-8")).hexdigest()[:32]

    def sort_key(self):
        loc = self.location
        return (self.file, loc.line if loc else 0, loc.column if loc else 0, self.rule_id, self.resource,
                self.logical_path)


def trace(*values, at: Location = None) -> tuple:
    """Where ``values`` came from, as a finding's trace: each one's origin
    (unless it is written at ``at``, where the finding points), then the
    places it passed on its way (module arguments), in that order."""
    steps = []
    for value in values:
        origin, hops = provenance(value)
        if origin is not None and origin.line and (at is None or (origin.file, origin.line) != (at.file, at.line)):
            steps.append(TraceStep(origin.file, origin.line, origin.column, "value written"))
        steps.extend(TraceStep(h.loc.file, h.loc.line, h.loc.column, h.what) for h in hops)
    # a report shows a step by its line: two values written on one line are one step, the first, and a
    # value written on the line of the module argument (or template variable) it passes is that step
    first: dict = {}
    for step in steps:
        written = first.get((step.file, step.line, "value written"))
        if written is not None and step.what != "value written" and list(first.values())[-1] is written:
            del first[(step.file, step.line, "value written")]
        first.setdefault((step.file, step.line, step.what), step)
    return tuple(first.values())

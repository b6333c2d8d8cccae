"""Policy documents, normalized: statements, principals and conditions."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Callable, Optional

from analyzer.model.values import Location, Unknown

PRINCIPAL_TYPES = ("AWS", "Service", "Federated", "CanonicalUser")


@dataclass
class PrincipalEntry:
    """One principal value: ``type`` is AWS/Service/Federated/CanonicalUser or
    ``*`` for the bare ``"Principal": "*"``; ``value`` a string (possibly
    with embedded unknowns) or an ``Unknown``."""

    type: str
    value: Any


@dataclass
class ConditionEntry:
    """One ``operator`` → ``key`` → ``values`` entry of a Condition block."""

    operator: str
    key: Any
    values: list  # of str / Unknown; an unknown list is [Unknown]


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
    problems: list = field(default_factory=list)  # malformed parts, as sentences

    @property
    def label(self) -> str:
        return f"statement {self.sid!r}" if self.sid else f"statement #{self.index + 1}"

    @property
    def path(self) -> str:
        """Its logical path in the document's location table."""
        return f"Statement/{self.index}"

    @property
    def principal_path(self) -> str:
        """The path of the element that names its principals: Principal, else NotPrincipal."""
        negated = self.principals is None and self.not_principals is not None
        return f"{self.path}/{'NotPrincipal' if negated else 'Principal'}"


@dataclass
class PolicyDocument:
    statements: list  # list[Statement]
    version: Any = None
    id: Any = None
    unknown: Optional[Unknown] = None  # the whole statement list is unknown
    problems: list = field(default_factory=list)
    # where each part is written, by logical path: "" the document, "Statement/0" a statement,
    # "Statement/0/Principal" (or NotPrincipal) and "Statement/0/Condition" its elements
    locs: dict = field(default_factory=dict)

    def where(self, path: str = "") -> Optional[Location]:
        """Where the part at ``path`` is written: the longest prefix of the path
        the table holds (a statement's Condition falls back to the statement),
        else the document, else None."""
        while path:
            found = self.locs.get(path)
            if found is not None:
                return found
            path = path.rpartition("/")[0]
        return self.locs.get("")


def documents_of(written: Any, parse: Callable[[Any], "PolicyDocument"]) -> tuple:
    """``(document, unknown, alternatives)`` of a policy as a loader reads
    it: the document ``parse`` makes of it when it is known (``None`` when
    not written); else the unknown, with the document of each value it is
    known to be one of (``local.policies[var.mode]``, an ``Fn::If`` on a
    condition that is not known)."""
    if isinstance(written, Unknown):
        return None, written, [parse(option) for option in getattr(written, "options", ())]
    return (None if written is None else parse(written)), None, []

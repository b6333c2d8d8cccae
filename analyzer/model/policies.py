"""Policy documents, normalized: statements, principals and conditions."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Optional

from analyzer.model.values import Location, Unknown

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

"""Values of planned resources, with ``Unknown`` where Terraform says a
value is only known after apply, and the policies they hold.

``change.after`` in ``resource_changes`` holds a resource's planned values
and leaves out every value not known yet; ``change.after_unknown`` has the
same structure with ``true`` at each of those. ``planned_values`` leaves
unknown values out without marking them: a resource read only from there
has every argument that is absent unknown.
"""

from __future__ import annotations

import re
from itertools import zip_longest
from typing import Any, Optional

from analyzer.model import AFTER_APPLY, OWNER, LDict, LList, Location, LStr, PolicyDocument, Unknown, embed

_ACCOUNT_ID = re.compile(r"(?<![0-9])[0-9]{12}(?![0-9])")


class PlannedValues:
    """The arguments of one planned resource instance, as ``build_identity`` /
    ``build_policy`` read them."""

    def __init__(self, address: str, values: LDict, unknown: Any, absent_unknown: bool, loc: Location):
        self.address = address
        self.values = values
        self.unknown = unknown  # after_unknown: True, or a structure like values
        self.absent_unknown = absent_unknown
        self.loc = loc  # the resource's entry in the plan

    def argument(self, name: str) -> Any:
        ref = f"{self.address}.{name}"
        unknown = self.unknown.get(name) if isinstance(self.unknown, dict) else self.unknown
        if name not in self.values and (self.absent_unknown or unknown is True):
            return Unknown(ref, AFTER_APPLY)
        return with_unknowns(self.values.get(name), unknown, ref)

    def location(self, name: str) -> Location:
        """Where the argument's value is, or where ``after_unknown`` marks it."""
        marks = self.unknown.key_locs if isinstance(self.unknown, LDict) else {}
        return self.values.key_locs.get(name) or marks.get(name) or self.loc


def with_unknowns(value: Any, unknown: Any, ref: str) -> Any:
    """``value`` with an ``Unknown`` wherever ``unknown`` (its ``after_unknown``) says ``true``."""
    if unknown is True:
        return Unknown(ref, AFTER_APPLY)
    if isinstance(unknown, dict) and isinstance(value, dict):
        result = LDict(value, getattr(value, "loc", None), getattr(value, "key_locs", None))
        for key in list(value) + [k for k in unknown if k not in value]:
            result[key] = with_unknowns(value.get(key), unknown.get(key), f"{ref}.{key}")
        return result
    if isinstance(unknown, list) and isinstance(value, list):
        return LList([with_unknowns(v, u, f"{ref}[{i}]") for i, (v, u) in enumerate(zip_longest(value, unknown))],
                     getattr(value, "loc", None))
    return value


def mark_owner(document: PolicyDocument, owners: dict) -> None:
    """Mark the deploying account in principals and condition values.

    ``owners`` maps the account id a plan's ``aws_caller_identity`` read to
    the data source's address: that account is the owner, as the data
    source is in a configuration (``Unknown(kind=OWNER)``).
    """
    if not owners:
        return
    for statement in document.statements:
        for entry in (statement.principals or []) + (statement.not_principals or []):
            entry.value = _owner_marked(entry.value, owners)
        for condition in statement.conditions:
            condition.values = [_owner_marked(v, owners) for v in condition.values]


def _owner_marked(value: Any, owners: dict) -> Any:
    if not isinstance(value, str):
        return value

    def replace(m: re.Match) -> str:
        ref = owners.get(m.group(0))
        return embed(Unknown(f"{ref}.account_id", OWNER)) if ref else m.group(0)

    marked = _ACCOUNT_ID.sub(replace, value)
    return value if marked == value else LStr(marked, getattr(value, "loc", None))


def pin(document: PolicyDocument, loc: Optional[Location]) -> None:
    """Point every location of ``document`` at ``loc``.

    A policy in a plan is a JSON string inside the plan: positions in its
    decoded text are not positions in the file, so the policy's own value
    (or, merged, the ``policy`` argument in the ``.tf``) is where it is.
    """
    document.locs = {path: loc for path in {"", *document.locs}} if loc is not None else {}

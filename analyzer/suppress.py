"""Suppressions: findings a team has reviewed and accepted, written in the code.

Forms recognised, from real comment tokens of the parser (a string that
holds the marker does not count):

* ``# sesguard:ignore SES101[,SES102] [until=YYYY-MM-DD] reason text``
  (also ``//`` and ``/* */`` in HCL), inside the resource block or on the
  line above it (the block of the finding's resource, or the block its
  location is in);
* checkov's ``#checkov:skip=SES101:reason``, when the id is one of ours;
* CloudFormation: a resource's ``Metadata: {sesguard: {ignore: [{id: SES101,
  reason: ..., until: ...}]}}``.

A suppression without a reason does not suppress: SES004 says so at the
line of each finding it would have hidden (at its own line when there is
none), and the finding is reported as usual. One that suppresses nothing,
or whose ``until`` date has passed (it then stops working), is reported
too: all as SES004.
"""

from __future__ import annotations

import datetime
import re
from dataclasses import dataclass
from typing import Optional

from analyzer.model import Location

_SESGUARD = re.compile(r"^(?:#|//|/\*)\s*sesguard:ignore\s+(?P<ids>SES\d{3}(?:\s*,\s*SES\d{3})*)"
                       r"(?:\s+until=(?P<until>\S+))?(?P<reason>.*?)(?:\*/)?\s*$", re.S)
_CHECKOV = re.compile(r"^(?:#|//)\s*checkov:skip=(?P<ids>SES\d{3})(?::(?P<reason>.*))?\s*$", re.S)


@dataclass
class Suppression:
    location: Location  # where it is written
    rule_ids: tuple
    reason: str
    until: str = ""  # as written; checked against today
    address: str = ""  # for resource-scoped forms (CloudFormation Metadata): the resource it belongs to
    style: str = "sesguard"  # "sesguard", "checkov" or "metadata"
    used: bool = False
    kind: str = "inSource"  # SARIF suppression kind

    @property
    def justification(self) -> str:
        return self.reason


def from_comment(file: str, line: int, text: str) -> Optional[Suppression]:
    """The suppression a comment holds, if any."""
    m = _SESGUARD.match(text)
    if m:
        ids = tuple(i.strip() for i in m.group("ids").split(","))
        return Suppression(Location(file, line, 1), ids, m.group("reason").strip(), m.group("until") or "")
    m = _CHECKOV.match(text)
    if m:
        return Suppression(Location(file, line, 1), (m.group("ids"),), (m.group("reason") or "").strip(),
                           style="checkov")
    return None


def _expired(suppression: Suppression, today: datetime.date) -> Optional[str]:
    """Why the suppression no longer applies, or None."""
    if not suppression.until:
        return None
    try:
        until = datetime.date.fromisoformat(suppression.until)
    except ValueError:
        return f"has an until date {suppression.until!r} that is not YYYY-MM-DD, so it does not apply"
    if until < today:
        return f"expired on {until.isoformat()}, so the finding is reported again"
    return None


def apply(findings: list, suppressions: list, scopes: dict, today: datetime.date, ran: set) -> list:
    """Mark suppressed findings (``finding.suppressed``); return the problems
    to report as SES004, as ``(message, location, logical path)``.
    ``scopes``: (deployment, resource address) -> where the resource is written."""
    problems = []
    live, reasonless = [], []
    for s in suppressions:
        why = _expired(s, today)
        if why:
            problems.append((f"the suppression of {', '.join(s.rule_ids)} {why}", s.location, "expired"))
        elif not s.reason:
            reasonless.append(s)
        else:
            live.append(s)
    for s in reasonless:
        where = f"{s.location.file}:{s.location.line}"
        for finding in findings:
            if finding.rule_id in s.rule_ids and finding.location and _covers(s, finding, _scope(scopes, finding)):
                s.used = True
                problems.append((f"the suppression of {finding.rule_id} at {where} gives no reason, so it does not "
                                 "apply; write why after the rule id", finding.location, "no-reason"))
        if not s.used:
            problems.append((f"the suppression of {', '.join(s.rule_ids)} gives no reason, and suppresses nothing",
                             s.location, "no-reason"))
    blocks = {}
    for loc in scopes.values():
        blocks.setdefault(loc.file, []).append(loc)
    for finding in findings:
        scope = _scope(scopes, finding)
        enclosing = _enclosing(blocks, finding.location)
        for s in live:
            if finding.rule_id in s.rule_ids and (_covers(s, finding, scope) or
                                                  any(_covers(s, finding, block) for block in enclosing)):
                finding.suppressed = s
                s.used = True
                break
    for s in live:
        ids = ", ".join(s.rule_ids)
        if not s.used and any(rule_id in ran for rule_id in s.rule_ids):
            problems.append((f"the suppression of {ids} suppresses nothing; remove it", s.location, "unused"))
    return problems


def _scope(scopes: dict, finding) -> Optional[Location]:
    """Where the finding's resource is declared, in the finding's deployment;
    the finding's own location when the resource is elsewhere (a finding
    reported at the module call that reaches a downloaded module)."""
    scope = scopes.get((finding.deployment, finding.resource))
    return scope if scope is not None and scope.file == finding.file else finding.location


def _enclosing(blocks: dict, location: Optional[Location]) -> list:
    """The blocks (resource scopes) that hold ``location``: a finding about
    an identity may point into the block of a setting merged into it (its
    MAIL FROM domain), where a suppression written at the finding applies."""
    if location is None:
        return []
    return [b for b in blocks.get(location.file, ()) if b.line <= location.line <= max(b.end_line, b.line)]


def _covers(s: Suppression, finding, scope: Optional[Location]) -> bool:
    if s.address:  # written in the resource itself: the same resource of the same file
        return finding.resource == s.address and finding.file == s.location.file
    if scope is None or scope.file != s.location.file:
        return False
    return scope.line - 1 <= s.location.line <= max(scope.end_line, scope.line)

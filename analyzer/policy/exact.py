"""Grants judged over the caller space when Deny statements weigh on them.

For every Allow that grants sending, ``weigh`` finds the witness callers it
admits that no Deny turns away (``analyzer.policy.reach``) and reads the
grant's outcome from them: public when one of them stands for callers the
policy does not name; otherwise the untrusted accounts, organizations and
principals they stand for, and the services that may act without a source.
A Deny that hides an unknown value (or an operator IAM does not know) is
weighed both ways: if the grant is confined even without it, it is
confined; otherwise the verdict depends on that value.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Optional

from analyzer.model import ERROR, Unknown
from analyzer.policy.reach import Reach, Space, reach
from analyzer.policy.statements import Prepared

# Part evaluations (witnesses times statements) one document may cost; past
# it (a policy far beyond the 4 KB SES accepts) the Denies are not weighed,
# and the findings say so.
MAX_WORK = 3_000_000
MAX_WITNESSES = 1_000_000  # the bound of witnesses past which they are not even built


@dataclass
class Outcome:
    public: bool = False
    untrusted: list = field(default_factory=list)  # (kind, value) labels
    services: list = field(default_factory=list)  # service names acting without a source
    admitted: list = field(default_factory=list)  # labels of every survivor, trusted ones too
    unknowns: list = field(default_factory=list)  # what an undecided Deny hides
    biting: list = field(default_factory=list)  # Prepared Denies that turn callers away
    idle: list = field(default_factory=list)  # Prepared Denies that turn none away

    @property
    def confined(self) -> bool:
        return not (self.public or self.untrusted or self.services or self.unknowns)


class Weigher:
    """Weighs the grants of one document against its Denies."""

    def __init__(self, prepared: list, trust):
        self.prepared = prepared
        self.trust = trust
        self._space: Optional[Space] = None

    def space(self) -> Space:
        if self._space is None:
            exact = [p for p in self.prepared if p.exact]
            self._space = Space(exact, frozenset(self.trust.accounts), frozenset(self.trust.orgs), self.prepared)
        return self._space

    def affordable(self, grants: int) -> bool:
        statements = max(sum(1 for p in self.prepared if p.exact), 1)
        space = self.space()
        return (space.size() <= MAX_WITNESSES
                and space.work() * grants * statements <= MAX_WORK)

    def weigh(self, allow: Prepared, denies: list, actions: list) -> "Weighed":
        """The witnesses ``allow`` lets send ``actions`` despite the relevant ``denies``."""
        exact = [d for d in denies if d.exact]
        return Weighed(reach(self.space(), allow, exact, actions), exact, [d for d in denies if not d.exact])


@dataclass
class Weighed:
    reached: Reach
    exact: list  # the Denies weighed
    loose: list  # the Denies hiding an unknown or an unknown operator

    def sourceless(self) -> set:
        """Named services its untrusted survivors include acting for no source."""
        return {c.service for c in self.reached.survivors
                if not c.trusted and c.kind == "service" and c.source is None and c.label}

    def outcome(self, sourceless: set) -> Outcome:
        """The grant's outcome; a service in ``sourceless`` may act for anyone
        anyway (SES103), so what it does for a source is not counted again."""
        found = _outcome(self.reached, sourceless)
        found.idle = [d for d in self.exact if d not in found.biting]
        if self.loose and not found.confined:
            return Outcome(admitted=found.admitted, biting=found.biting, idle=found.idle + self.loose,
                           unknowns=_hidden(self.loose))
        found.idle.extend(self.loose)
        return found


def _hidden(denies: list) -> list:
    found = []
    for deny in denies:
        found.extend(deny.unknowns)
        found.extend(Unknown(f"{deny.statement.label}: {problem}", ERROR) for problem in deny.problems)
    return list(dict.fromkeys(found))


def _outcome(found: Reach, sourceless: set) -> Outcome:
    result = Outcome(biting=found.biting)
    untrusted = [c for c in found.survivors if not c.trusted]
    mine = {c.service for c in untrusted if c.kind == "service" and c.source is None and c.label}
    labels = []
    for caller in untrusted:
        if caller.kind == "service" and caller.service in sourceless:
            continue
        if caller.label is None:
            result.public = True
        else:
            labels.append(caller.label)
    result.services = sorted(mine)
    result.untrusted = list(dict.fromkeys(sorted(labels)))
    result.admitted = list(dict.fromkeys(c.label for c in found.survivors if c.label))
    return result

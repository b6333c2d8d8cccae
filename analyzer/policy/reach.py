"""Which witness callers an Allow lets send once every Deny is applied.

A document allows a request when some Allow applies and no Deny does. A
statement is a conjunction of parts, each over one *group* of request
attributes: who calls (the principal and the identity keys), the action,
and each freely chosen key (keys a policy variable ties together share a
group). A request escapes a Deny when one of its groups fails that Deny's
part. So for one Allow, each group contributes the sets of Denies its
candidate values escape (as bit masks); a caller survives when, with some
choice for the other groups, every Deny is escaped. That is exact over the
witnesses, and costs the sum, not the product, of the groups' candidates.
"""

from __future__ import annotations

import itertools
from dataclasses import dataclass, field

from analyzer.policy.callers import IDENTITY_KEYS, Names, callers, free_values, gather
from analyzer.policy.conditions import variables
from analyzer.policy.statements import Prepared, action_applies, condition_holds, principal_applies
from analyzer.policy.wildcard import SEND_ACTIONS

MAX_MASKS = 1 << 16  # escape combinations kept per grant; past it the Denies are not weighed


class TooComplex(Exception):
    """The Denies combine in more ways than the engine weighs."""


@dataclass
class Reach:
    survivors: list = field(default_factory=list)  # Caller witnesses allowed and not denied
    biting: list = field(default_factory=list)  # the Denies (Prepared) that turn away some request


class Space:
    """The witnesses of one document, shared by all its grants."""

    def __init__(self, statements: list, trusted_accounts: frozenset, trusted_orgs: frozenset, named: list):
        """``statements``: the ones weighed; ``named``: every statement of the
        document, whose literal values the witnesses take (a caller of an
        account only a statement that is not weighed names is still one the
        verdict names)."""
        self.names: Names = gather(named)
        self.trust = (trusted_accounts, trusted_orgs)
        self.groups = _groups(statements)
        self._free = {}
        self._callers = None
        self._group_of = {key: group for group in self.groups for key in group}
        self._parts: dict = {}

    def parts(self, st: Prepared) -> dict:
        """The statement's condition entries per attribute group, computed once."""
        found = self._parts.get(id(st))
        if found is None:
            found = {}
            for condition in st.conditions:
                key = "@id" if condition[1] in IDENTITY_KEYS else condition[1]
                found.setdefault(self._group_of[key], []).append(condition)
            self._parts[id(st)] = found
        return found

    @property
    def callers(self) -> list:
        if self._callers is None:
            self._callers = callers(self.names, *self.trust)
        return self._callers

    def work(self) -> int:
        """How many witness requests the groups hold together."""
        return sum(len(self.assignments(g)) for g in self.groups)

    def size(self) -> int:
        """An upper bound of the witnesses, known before building them."""
        n = self.names
        accounts = len(n.accounts) * 2 + len(self.trust[0]) + 2
        orgs = len(n.orgs) * 2 + len(self.trust[1]) + 2
        paths = len(n.paths) * 2 + 1
        principals = accounts * orgs * paths * (len(n.principal_arns) * 2 + 2) * (len(n.userids) * 2 + 2)
        services = (len(n.services) + 1) * (1 + accounts * orgs * paths * (len(n.source_arns) * 2 + 1))
        total = 0
        for group in self.groups:
            size = principals + services if "@id" in group else 1
            for key in group:
                if not key.startswith("@"):
                    size *= len(n.free.get(key, ())) * 12 + 2
            total += size
        return total

    def assignments(self, group: tuple) -> list:
        """``(caller, action, context)`` candidates of one group."""
        if group not in self._free:
            keys = [k for k in group if k not in ("@id", "@action")]
            choices = [[(k, v) for v in free_values(k, self.names)] for k in keys]
            combos = []
            for combo in itertools.product(*choices):
                combos.append({k: v for k, v in combo if v is not None})
            if "@id" in group:
                found = [(c, None, {**c.context(), **ctx}) for c in self.callers for ctx in combos]
            elif "@action" in group:
                found = [(None, a, {}) for a in SEND_ACTIONS]
            else:
                found = [(None, None, ctx) for ctx in combos]
            self._free[group] = found
        return self._free[group]


def _groups(statements: list) -> list:
    """The attribute groups, as sorted tuples of keys (``@id``, ``@action``)."""
    parent: dict = {"@id": "@id", "@action": "@action"}

    def find(key):
        while parent.setdefault(key, key) != key:
            key = parent[key]
        return key

    def union(a, b):
        parent[find(a)] = find(b)

    def node(key):
        return "@id" if key in IDENTITY_KEYS else key

    for st in statements:
        for _, key, values in st.conditions:
            find(node(key))
            for value in values:
                for other in variables(value):
                    union(node(key), node(other))
    members: dict = {}
    for key in parent:
        members.setdefault(find(key), set()).add(key)
    return [tuple(sorted(m)) for m in members.values()]


def part_holds(space: Space, st: Prepared, group: tuple, assignment: tuple) -> bool:
    """Whether the statement's part over ``group`` holds for ``assignment``."""
    caller, action, context = assignment
    if "@id" in group and not principal_applies(st, caller):
        return False
    if "@action" in group and not action_applies(st, action):
        return False
    return all(condition_holds(c, context) for c in space.parts(st).get(group, ()))


def reach(space: Space, allow: Prepared, denies: list, actions: list) -> Reach:
    """The witnesses ``allow`` lets send one of ``actions`` despite ``denies``."""
    full = (1 << len(denies)) - 1
    masks = {0}
    id_group = next(g for g in space.groups if "@id" in g)
    for group in space.groups:
        if group == id_group:
            continue
        options = set()
        for assignment in space.assignments(group):
            if assignment[1] is not None and assignment[1] not in actions:
                continue
            if part_holds(space, allow, group, assignment):
                options.add(_escapes(space, denies, group, assignment))
        if not options:
            return Reach()
        masks = _maximal({m | o for m in masks for o in _maximal(options)})
        if len(masks) > MAX_MASKS:
            raise TooComplex
    found = Reach()
    needed = {full & ~m for m in masks}
    for assignment in space.assignments(id_group):
        if not part_holds(space, allow, id_group, assignment):
            continue
        escaped = _escapes(space, denies, id_group, assignment)
        if any(need & ~escaped == 0 for need in needed):
            found.survivors.append(assignment[0])
    found.biting = [d for d in denies if _bites(space, allow, d, actions)]
    return found


def _maximal(masks: set) -> set:
    """The masks no other one contains: a caller needs some choice that
    escapes enough Denies, and a choice escaping more never hurts."""
    ordered = sorted(masks, key=lambda m: -bin(m).count("1"))
    kept: list = []
    for mask in ordered:
        if not any(mask | k == k for k in kept):
            kept.append(mask)
    return set(kept)


def _escapes(space: Space, denies: list, group: tuple, assignment: tuple) -> int:
    mask = 0
    for index, deny in enumerate(denies):
        if not part_holds(space, deny, group, assignment):
            mask |= 1 << index
    return mask


def _bites(space: Space, allow: Prepared, deny: Prepared, actions: list) -> bool:
    """Whether some request ``allow`` admits is one ``deny`` turns away."""
    for group in space.groups:
        if not any(part_holds(space, allow, group, a) and part_holds(space, deny, group, a)
                   for a in space.assignments(group) if a[1] is None or a[1] in actions):
            return False
    return True

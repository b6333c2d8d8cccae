"""Values as loaders hand them to the model: plain Python data (str, int,
float, bool, None, list, dict) with three additions.

* ``Unknown``: a value that cannot be resolved statically (a variable without
  a value, an attribute known only after apply, an output of a module that
  was not analyzed). ``Unknown(kind=OWNER)`` is special: its value is not
  known, but it is known to be the account that deploys the code.
* unknown parts inside strings: when an unknown value is interpolated into a
  string (``"arn:aws:iam::${var.account}:root"``), the string keeps a marker
  for it, so string functions keep working and the verdict logic can still
  tell which part of an ARN is unknown. ``embed``/``split_marked`` convert.
* location-carrying containers: ``LStr``, ``LList`` and ``LDict`` behave as
  their base types and carry the ``Location`` of the expression that
  produced them (``LDict.key_locs`` holds one per key) and the ``Hop``s they
  passed since (``via``: module arguments), so a finding can point at the
  exact value that is wrong and say how it got there.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any, Iterator, Optional, Union

# ---------------------------------------------------------------------------
# Locations
# ---------------------------------------------------------------------------


@dataclass(frozen=True)
class Location:
    file: str
    line: int
    column: int = 1
    end_line: int = 0
    end_column: int = 0

    def __str__(self) -> str:
        return f"{self.file}:{self.line}:{self.column}"


def loc_of(value: Any, default: Optional[Location] = None) -> Optional[Location]:
    """The location a value carries, or ``default``."""
    return getattr(value, "loc", None) or default


@dataclass(frozen=True)
class Hop:
    """A place a value passed through on its way from where it was written
    to where it is used: a module call's argument, a variable file."""

    loc: Location
    what: str  # "module.marketing argument senders"


class LStr(str):
    """A string that remembers where it was written (``loc``) and the
    places it passed through since (``via``, ``Hop``s in the order passed).
    A string a template made also keeps, for each value interpolated into
    it that has a provenance, ``(start, end, origin, via)``: where in the
    string it is and where it came from (``spans``, in order), so JSON
    decoded from the string can say where each of its strings came from."""

    def __new__(cls, value: str, loc: Optional[Location] = None, via: tuple = (), spans: tuple = ()):
        obj = super().__new__(cls, value)
        obj.loc = loc
        obj.via = via
        obj.spans = spans
        return obj

    def __reduce__(self):
        return (LStr, (str(self), self.loc, self.via, self.spans))


class LList(list):
    """A list that remembers where it was written, and the places passed through."""

    def __init__(self, items=(), loc: Optional[Location] = None, via: tuple = ()):
        super().__init__(items)
        self.loc = loc
        self.via = via

    def __reduce__(self):
        return (LList, (list(self), self.loc, self.via))


class LDict(dict):
    """A dict that remembers where it and each of its keys were written, and
    the places passed through."""

    def __init__(self, items=(), loc: Optional[Location] = None, key_locs=None, via: tuple = ()):
        super().__init__(items)
        self.loc = loc
        self.key_locs = dict(key_locs or {})
        self.via = via

    def __reduce__(self):
        return (LDict, (dict(self), self.loc, self.key_locs, self.via))

    def loc_of_key(self, key: str) -> Optional[Location]:
        return self.key_locs.get(key) or loc_of(self.get(key)) or self.loc


def passed(value: Any, hop: Hop) -> Any:
    """``value`` as seen after passing ``hop``: every string, list and dict
    in it records the hop (a copy; the value itself is shared by others).
    Numbers, booleans, null and unknowns carry no provenance; a value of a
    kind of its own copies itself (``with_hop``)."""
    with_hop = getattr(value, "with_hop", None)
    if with_hop is not None:
        return with_hop(hop)
    if isinstance(value, str):  # what a template interpolated into it passed the hop too
        spans = tuple((start, end, origin, via + (hop,)) for start, end, origin, via in getattr(value, "spans", ()))
        return LStr(value, getattr(value, "loc", None), getattr(value, "via", ()) + (hop,), spans)
    if isinstance(value, dict):
        return LDict(((k, passed(v, hop)) for k, v in value.items()), getattr(value, "loc", None),
                     getattr(value, "key_locs", None), getattr(value, "via", ()) + (hop,))
    if isinstance(value, list):
        return LList((passed(v, hop) for v in value), getattr(value, "loc", None),
                     getattr(value, "via", ()) + (hop,))
    return value


def provenance(value: Any) -> tuple:
    """``(origin, hops)``: where a value was written and what it passed through."""
    return getattr(value, "loc", None), getattr(value, "via", ())


# ---------------------------------------------------------------------------
# Unknown values
# ---------------------------------------------------------------------------

OWNER = "owner-account"  # the deploying account: unknown number, trusted
VARIABLE = "variable"  # an input variable without a value
AFTER_APPLY = "after-apply"  # a resource attribute known only after apply
DATA = "data"  # a data source result we do not model
MODULE = "module"  # an output of a module that was not analyzed
EVALUATION = "evaluation"  # a value computed from unknowns, or not knowable statically
ERROR = "error"  # an expression that is wrong or unsupported: the input is not analyzed (SES001)


class Unknown:
    """A value that cannot be resolved statically.

    ``ref`` names what is missing in the user's own terms
    (``var.account_ids``, ``aws_ses_domain_identity.d.arn``); ``kind`` is
    one of the constants above; ``loc`` is where the reference was written.
    """

    __slots__ = ("ref", "kind", "loc", "hint")

    def __init__(self, ref: str, kind: str = EVALUATION, loc: Optional[Location] = None,
                 hint: str = ""):
        self.ref = ref
        self.kind = kind
        self.loc = loc
        self.hint = hint

    def __repr__(self) -> str:
        return f"Unknown({self.ref!r}, {self.kind!r})"

    def __eq__(self, other):
        return isinstance(other, Unknown) and (self.ref, self.kind) == (other.ref, other.kind)

    def __hash__(self):
        return hash((self.ref, self.kind))

    def __getstate__(self):
        return (self.ref, self.kind, self.loc, self.hint)

    def __setstate__(self, state):
        self.ref, self.kind, self.loc, self.hint = state

    @property
    def is_owner(self) -> bool:
        return self.kind == OWNER

    def describe(self) -> str:
        """A sentence saying what is missing and how to supply it."""
        if self.hint:
            return self.hint
        if self.kind == VARIABLE:
            name = self.ref.split(".", 1)[-1]
            return (f"{self.ref} has no value; pass --var {name}=... or a --var-file, "
                    "or give the variable a default")
        if self.kind == AFTER_APPLY:
            return f"{self.ref} is only known after apply"
        if self.kind == MODULE:
            return f"{self.ref} comes from a module that was not analyzed"
        if self.kind == DATA:
            return f"{self.ref} is read from the cloud at plan time"
        if self.kind == OWNER:
            return f"{self.ref} is the deploying account"
        if self.kind == ERROR:
            return self.ref
        return f"{self.ref} could not be evaluated"


MAX_ALTERNATIVES = 32  # the most values an Alternatives names; beyond, the value is a plain Unknown


class Alternatives(Unknown):
    """An unknown value known to be one of ``options``: the element of a known
    map or list that an unknown key picks (``local.policies[var.mode]``), or
    the branch of a conditional whose condition is unknown. It is an
    ``Unknown`` everywhere; only a rule that judges each option, and reports
    what holds for all of them, reads ``options`` (a policy that is public
    whichever document the key picks). An expression that computes from it
    (a function, an operator) gives a plain ``Unknown``: the options are what
    the key picks, not what is made of it. A CloudFormation ``Fn::If`` keeps
    an ``AWS::NoValue`` branch among its options as the resolver's
    ``NO_VALUE``; its readers call ``cloudformation.intrinsics.present``
    first, which reads such a property as declared only if the condition
    holds."""

    __slots__ = ("options",)

    def __init__(self, ref, kind, loc, hint, options):
        super().__init__(ref, kind, loc, hint)
        self.options = tuple(options)

    def __getstate__(self):
        return super().__getstate__() + (self.options,)

    def __setstate__(self, state):
        super().__setstate__(state[:4])
        self.options = state[4]

    def plain(self) -> Unknown:
        return Unknown(self.ref, self.kind, self.loc, self.hint)

    @staticmethod
    def of(unknown: Unknown, options) -> Unknown:
        """``unknown`` as one of ``options`` (each flattened when it is itself
        an Alternatives); a plain Unknown when an option is unknown otherwise
        or there are more than ``MAX_ALTERNATIVES``."""
        flat = []
        for option in options:
            if isinstance(option, Alternatives):
                flat.extend(option.options)
            elif isinstance(option, Unknown):
                return Unknown(unknown.ref, unknown.kind, unknown.loc, unknown.hint)
            else:
                flat.append(option)
        if not flat or len(flat) > MAX_ALTERNATIVES:
            return Unknown(unknown.ref, unknown.kind, unknown.loc, unknown.hint)
        return Alternatives(unknown.ref, unknown.kind, unknown.loc, unknown.hint, flat)


def whole(value: Any) -> Any:
    """``value``, or when a key picks it from known values (an
    ``Alternatives``) the plain ``Unknown`` it is as a whole: for what is
    computed from the pick or converted from it, which is not the pick."""
    return value.plain() if isinstance(value, Alternatives) else value


def without_picks(value: Any) -> Any:
    """``value`` with every ``Alternatives`` in it, at any depth, made plain:
    for what is computed from picks (a function's result, a set's order, a
    merge), where a pick inside no longer sits where its key put it."""
    if isinstance(value, Alternatives):
        return value.plain()
    if isinstance(value, list):
        items = [without_picks(item) for item in value]
        if all(a is b for a, b in zip(items, value)):
            return value
        return LList(items, loc_of(value), getattr(value, "via", ()))
    if isinstance(value, dict):
        items = {key: without_picks(item) for key, item in value.items()}
        if all(items[key] is item for key, item in value.items()):
            return value
        return LDict(items, loc_of(value), getattr(value, "key_locs", None), getattr(value, "via", ()))
    return value


_MARK_START = "\ue000"
_MARK_END = "\ue001"
_MARK_SEP = "\ue002"
_MARK_RE = re.compile(f"{_MARK_START}([^{_MARK_END}{_MARK_SEP}]*){_MARK_SEP}([^{_MARK_END}{_MARK_SEP}]*)"
                      f"(?:{_MARK_SEP}([^{_MARK_END}]*))?{_MARK_END}")


def embed(unknown: Unknown) -> str:
    """The marker that stands for ``unknown`` inside a string (kind, ref and hint)."""
    hint = f"{_MARK_SEP}{unknown.hint}" if unknown.hint else ""
    return f"{_MARK_START}{unknown.kind}{_MARK_SEP}{unknown.ref}{hint}{_MARK_END}"


def has_marker(text: str) -> bool:
    return _MARK_START in text


def split_marked(text: str) -> list[Union[str, Unknown]]:
    """Split a string into its literal parts and the unknowns it embeds."""
    parts: list[Union[str, Unknown]] = []
    pos = 0
    for m in _MARK_RE.finditer(text):
        if m.start() > pos:
            parts.append(text[pos:m.start()])
        parts.append(Unknown(m.group(2), m.group(1), hint=m.group(3) or ""))
        pos = m.end()
    if pos < len(text):
        parts.append(text[pos:])
    return parts


def unknowns_in(value: Any) -> Iterator[Unknown]:
    """Every unknown a value holds, whole or embedded in strings, depth first."""
    if isinstance(value, Unknown):
        yield value
    elif isinstance(value, str):
        if _MARK_START in value:
            for part in split_marked(value):
                if isinstance(part, Unknown):
                    yield part
    elif isinstance(value, dict):
        for k, v in value.items():
            yield from unknowns_in(k)
            yield from unknowns_in(v)
    elif isinstance(value, (list, tuple)):
        for v in value:
            yield from unknowns_in(v)


def display(value: Any) -> str:
    """A value as a user reads it: markers become ``${ref}``."""
    if isinstance(value, Unknown):
        return "${" + value.ref + "}"
    if isinstance(value, str):
        if _MARK_START not in value:
            return value
        return "".join(p if isinstance(p, str) else "${" + p.ref + "}" for p in split_marked(value))
    return repr(value)

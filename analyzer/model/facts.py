"""Typed facts: a model field as a rule reads it.

Loaders keep every field as written (``"Require"``, ``"REQUIRE"``,
``"false"``, an ``Unknown``, a string with an unknown part), because
messages and fixes quote what the code says. Rules do not read those:
they read a ``Value``, which says in one place, for every format, whether
the field is written (``EXPLICIT``), left to the service's default
(``DEFAULT``) or not known statically (``UNRESOLVED``, with the unknowns
named), and holds the value normalized (an enum's canonical spelling, a
boolean as Terraform and CloudFormation convert it). So no rule tells an
unknown from a string, or one format's spelling from another's.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Generic, Optional, TypeVar

from analyzer.model.values import display, unknowns_in

T = TypeVar("T")

EXPLICIT = "explicit"  # written in the code, and known
DEFAULT = "default"  # not written: the service's default applies
UNRESOLVED = "unresolved"  # written, but not known statically


@dataclass(frozen=True)
class Value(Generic[T]):
    """One fact. ``value`` is the normalized value when the state is
    ``EXPLICIT`` or ``DEFAULT`` (the default, or ``None`` when the service
    has none), ``None`` when ``UNRESOLVED``; ``written`` is the field as
    written (``None`` when not written); ``unknowns`` what a value that is
    not known depends on."""

    state: str
    value: Optional[T] = None
    written: Any = None
    unknowns: tuple = ()

    @property
    def explicit(self) -> bool:
        return self.state == EXPLICIT

    @property
    def default(self) -> bool:
        return self.state == DEFAULT

    @property
    def unresolved(self) -> bool:
        return self.state == UNRESOLVED

    def is_(self, value: T) -> bool:
        """Known (written or by default) to be ``value``."""
        return self.state != UNRESOLVED and self.value == value

    def shown(self) -> str:
        """The value as written, as a user reads it."""
        return display(self.written)

    def text_or(self, fallback: str) -> str:
        """The value as written when it is text, even with unknown parts
        (``${var.domain}``), else ``fallback``."""
        return display(self.written) if isinstance(self.written, str) else fallback


def of(written: Any, default: Any = None) -> Value:
    """``written`` as a fact, unnormalized: ``None`` is not written."""
    if written is None:
        return Value(DEFAULT, default)
    found = tuple(unknowns_in(written))
    if found:
        return Value(UNRESOLVED, None, written, found)
    return Value(EXPLICIT, written, written)


def unresolved(written: Any) -> bool:
    """Whether a value as written holds anything the scan could not resolve."""
    return next(unknowns_in(written), None) is not None


def enum(written: Any, spellings: dict, default: Optional[str] = None) -> Value:
    """An enumerated field, whatever its format's spelling: ``spellings``
    maps a spelling folded by ``fold`` to the canonical value. A known
    spelling that is none of them keeps its folded form (the service
    rejects it; rules compare canonical values only)."""
    fact = of(written, default)
    if not fact.explicit:
        return fact
    folded = fold(fact.value)
    return Value(EXPLICIT, spellings.get(folded, folded), written)


def fold(text: Any) -> str:
    """An enum spelling without case and underscores: ``REQUIRE_OPEN_ONLY``,
    ``RequireOpenOnly`` and ``require_open_only`` fold alike."""
    return str(text).replace("_", "").lower()


def boolean(written: Any, default: Optional[bool] = None) -> Value:
    """A boolean as Terraform and CloudFormation convert it: ``true``,
    ``"true"`` and ``"True"`` alike. A value that is no boolean is
    explicit with value ``None``."""
    fact = of(written, default)
    if not fact.explicit or isinstance(fact.value, bool):
        return fact
    text = str(fact.value).lower()
    return Value(EXPLICIT, {"true": True, "false": False}.get(text), written)


def text(written: Any) -> Value:
    """A string field: ``EXPLICIT`` with the string when it is wholly known,
    ``UNRESOLVED`` when any part of it is not, ``DEFAULT`` (None) when not
    written or empty. A known value that is no string (a list where a name
    belongs) is explicit with value ``None``."""
    if written == "":
        return Value(DEFAULT, None, written)
    fact = of(written)
    if fact.explicit and not isinstance(fact.value, str):
        return Value(EXPLICIT, None, written)
    return fact


def known_texts(written: Any) -> tuple:
    """The items of a list of strings (DKIM tokens) that are wholly known,
    each with its position from 1: an item that is not known is left out,
    the others kept; ``()`` when the list itself is not known or no list."""
    if not isinstance(written, (list, tuple)):
        return ()
    return tuple((number, item) for number, item in enumerate(written, 1)
                 if isinstance(item, str) and not unresolved(item))


def private_key(written: Any) -> Value:
    """Whether a BYODKIM private key's text is in the code, from the key as
    a loader reads it: ``DEFAULT`` (False) when no key is given, ``EXPLICIT``
    True when its text is known (written, or read from a file in the
    repository), ``EXPLICIT`` False for a CloudFormation dynamic reference,
    ``UNRESOLVED`` when it comes from a value not known statically. The
    result never holds the key."""
    if written is None or written == "":
        return Value(DEFAULT, False)
    fact = of(written)
    if fact.unresolved:
        return Value(UNRESOLVED, None, None, fact.unknowns)
    return Value(EXPLICIT, isinstance(written, str) and "{{resolve:" not in written)


def label(name: Any, address: str) -> str:
    """What a finding calls a resource: its name when it has one as a
    string (unknown parts shown as ``${ref}``), else its address."""
    return display(name) if isinstance(name, str) else address

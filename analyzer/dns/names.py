"""DNS names as sesguard compares them: label by label, never as raw strings.

A name written in infrastructure code is fully known
(``"_dmarc.example.com"``), partly unknown (``"${token}._domainkey.${var.domain}"``:
a string embedding unknowns, see ``analyzer.model``), or wholly unknown.
``Name`` holds its labels from the left; a literal label is compared as
DNS compares it (case-insensitive, internationalized labels in their IDNA
form, through dnspython), an unknown part only with the same unknown
(same reference), so ``_dmarc.${var.domain}`` is known to sit under the
identity ``${var.domain}`` without knowing the domain.

An unknown part may stand for several labels (``var.domain`` is a whole
domain); comparisons treat it as one opaque segment, which is exact for
the question asked here: whether two names are written from the same
parts.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Optional, Union

from analyzer.model import ERROR, Unknown, embed, split_marked

Part = Union[str, Unknown]
Label = tuple  # of Part


@dataclass(frozen=True)
class Name:
    labels: tuple  # of Label, leftmost first; the root label is not included
    absolute: bool  # written with a trailing dot, or known to be a full name

    @property
    def known(self) -> bool:
        return all(isinstance(p, str) for label in self.labels for p in label)

    @property
    def wrong(self) -> bool:
        """Built from an expression that failed (an ``ERROR`` unknown): not a name to judge."""
        return any(u.kind == ERROR for u in self.unknowns())

    def text(self) -> str:
        """The name as a user reads it: unknown parts as ``${ref}``, no trailing dot."""
        return ".".join("".join(p if isinstance(p, str) else "${" + p.ref + "}" for p in label)
                        for label in self.labels)

    def marked(self) -> str:
        """The name as a model string: unknown parts embedded (see ``analyzer.model.embed``)."""
        body = ".".join("".join(p if isinstance(p, str) else embed(p) for p in label) for label in self.labels)
        return (body + ".") if self.absolute else body

    def label(self, index: int) -> Optional[str]:
        """The text of the label at ``index`` (from the left) when it is one
        known part, else None."""
        if not -len(self.labels) <= index < len(self.labels):
            return None
        parts = self.labels[index]
        return parts[0] if len(parts) == 1 and isinstance(parts[0], str) else None

    def unknowns(self) -> list:
        return [p for label in self.labels for p in label if isinstance(p, Unknown)]

    def child(self, *labels: str) -> "Name":
        """``labels`` prepended: ``domain.child("_dmarc")``."""
        return Name(tuple((_label_text(l),) for l in labels) + self.labels, self.absolute)

    def endswith(self, suffix: "Name") -> bool:
        n = len(suffix.labels)
        return n <= len(self.labels) and (n == 0 or self.labels[-n:] == suffix.labels)

    def relative_to(self, suffix: "Name") -> Optional["Name"]:
        """The labels in front of ``suffix``, or None when the name is not under it."""
        if not self.endswith(suffix):
            return None
        return Name(self.labels[:len(self.labels) - len(suffix.labels)], False)

    def join(self, origin: "Name") -> "Name":
        return Name(self.labels + origin.labels, origin.absolute)

    def parent(self) -> Optional["Name"]:
        return Name(self.labels[1:], self.absolute) if self.labels else None


def parse(value: Any) -> Optional[Name]:
    """A name from a value as written; None when there is no name (None,
    a non-string, a string that is not a valid name)."""
    if isinstance(value, Unknown):
        return Name(((value,),), False)
    if not isinstance(value, str):
        return None
    text = value.strip()
    if text in ("", "@"):
        return Name((), False)
    absolute = text.endswith(".") and not text.endswith("\\.")
    if absolute:
        text = text[:-1]
        if not text:
            return Name((), True)
    labels: list = [[]]
    for part in split_marked(text):
        if isinstance(part, Unknown):
            labels[-1].append(part)
            continue
        pieces = part.split(".")
        labels[-1].append(pieces[0])
        labels.extend([p] for p in pieces[1:])
    result = []
    for label in labels:
        parts = tuple(p for p in label if p != "")
        if not parts:
            return None  # an empty label: "a..b"
        result.append(tuple(_label_text(p) if isinstance(p, str) else p for p in parts))
    return Name(tuple(result), absolute)


def _label_text(text: str) -> str:
    """A literal label (or part of one) in the form DNS compares: lower
    case, internationalized labels in IDNA form."""
    if text.isascii():
        return text.lower()
    import dns.exception
    import dns.name  # only for internationalized labels: importing dnspython costs a pre-commit run 30 ms

    try:
        return dns.name.from_unicode(text, origin=None).to_text().lower()
    except (dns.exception.DNSException, UnicodeError):
        return text.lower()


def route53_name(name: Optional[Name], zone: Optional[Name]) -> Optional[Name]:
    """The full name the AWS provider and Route 53 give a record: a name
    that does not already end with the zone's name gets it appended
    (``_dmarc`` in ``example.com`` is ``_dmarc.example.com``). With the
    zone unknown, a name without a trailing dot stays as written, not
    absolute: it may be relative to that zone or already complete."""
    if name is None or name.absolute or zone is None:
        return name
    zone_labels = Name(zone.labels, False)
    if not name.labels:
        return Name(zone.labels, True)
    if name.endswith(zone_labels):
        return Name(name.labels, True)
    if not zone.known:
        return name  # the zone's name is unknown: cannot tell whether it is already there
    return Name(name.labels + zone.labels, True)

"""Baselines: the findings a team has recorded as known, so that a scan
reports only new ones.

An entry is keyed by rule id, file, resource and logical path, with the
file relative to the repository root (``analyzer.repository``): a baseline
written at the root matches a scan run from ``infra/`` or from a CI
checkout elsewhere. No line numbers, so edits that move lines do not bring
findings back. Version 1 files (paths relative to the directory they were
written in) are still read, and match when run from that directory.

``--write-baseline FILE`` beside ``--baseline OLD`` writes every current
finding, those the old baseline held included: the old entries that still
match are kept, the fixed ones dropped.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass, field

from analyzer.repository import relative

VERSION = 2


class BaselineError(Exception):
    """A baseline file that cannot be read: a usage error."""


@dataclass(frozen=True)
class Baseline:
    path: str = ""
    keys: frozenset = frozenset()  # version 2 keys
    legacy: frozenset = frozenset()  # version 1 fingerprints (Finding.fingerprint)
    entries: int = 0

    def __bool__(self) -> bool:
        return bool(self.entries)


@dataclass
class Matched:
    reported: list = field(default_factory=list)  # findings not in the baseline
    known: list = field(default_factory=list)  # findings the baseline holds
    entries_used: int = 0


def key(finding, root) -> str:
    """The finding's baseline key: no line numbers, the file relative to the repository root."""
    file = relative(finding.file, root) if finding.file else ""
    resource = relative(finding.resource, root) if finding.resource and finding.resource == finding.file \
        else finding.resource
    text = "\x1f".join((finding.rule_id, file, resource, finding.logical_path))
    return hashlib.sha256(text.encode("utf-8")).hexdigest()[:32]


def split(findings: list, baseline: Baseline, root) -> Matched:
    """The findings the baseline does not hold, those it holds, and how many of its entries matched."""
    result = Matched()
    if not baseline.keys and not baseline.legacy:
        result.reported.extend(findings)
        return result
    used = set()
    for finding in findings:
        k = key(finding, root)
        if k in baseline.keys:
            used.add(k)
            result.known.append(finding)
        elif finding.fingerprint in baseline.legacy:
            used.add(finding.fingerprint)
            result.known.append(finding)
        else:
            result.reported.append(finding)
    result.entries_used = len(used)
    return result


def read(path: str) -> Baseline:
    try:
        with open(path, encoding="utf-8") as f:
            data = json.load(f)
        version = data.get("version", 1)
        fingerprints = frozenset(str(entry["fingerprint"]) for entry in data["findings"])
    except (OSError, ValueError, KeyError, TypeError, AttributeError, RecursionError) as exc:
        raise BaselineError(f"cannot read the baseline {path}: {exc}") from None
    if version == VERSION:
        return Baseline(path, keys=fingerprints, entries=len(fingerprints))
    if version == 1:
        return Baseline(path, legacy=fingerprints, entries=len(fingerprints))
    raise BaselineError(f"cannot read the baseline {path}: version {version!r} is not 1 or {VERSION}")


def write(findings: list, root, path: str) -> int:
    """Records the unsuppressed findings, sorted, stable under re-runs; returns the number of entries."""
    entries = {}
    for finding in findings:
        if finding.suppressed:
            continue
        k = key(finding, root)
        entries[k] = {"fingerprint": k, "rule_id": finding.rule_id,
                      "file": relative(finding.file, root) if finding.file else "", "resource": finding.resource}
    text = json.dumps({"version": VERSION, "tool": "sesguard", "findings": [entries[k] for k in sorted(entries)]},
                      indent=2, sort_keys=True) + "\n"
    try:
        with open(path, "w", encoding="utf-8") as f:
            f.write(text)
    except OSError as exc:
        raise BaselineError(f"cannot write the baseline {path}: {exc.strerror}") from None
    return len(entries)


def unmatched_warning(baseline: Baseline, used: int, root) -> str:
    """The warning for entries that matched no finding, or ""."""
    if not baseline or used == baseline.entries:
        return ""
    base = f"relative to {relative(root, None) if root else 'the current directory'}"
    if used == 0:
        return (f"none of the {baseline.entries} entries of the baseline {baseline.path} matched a finding: "
                f"its paths are {base}; was it written for other paths?")
    return (f"{baseline.entries - used} of the {baseline.entries} entries of the baseline {baseline.path} "
            "matched no finding (fixed, or outside the scanned paths)")

"""The evaluation cache: what evaluating a Terraform root module added to
the model, kept between scans, so a re-scan evaluates only the root modules
whose inputs changed.

**What is kept.** For each root module evaluated without an error of
sesguard's own: the resources, records, problems, module calls and the
deployment it added to the model (``since``), what reading each module
directory added (its file count, problems and suppressions, accounted once
per scan however many roots read it), which module calls it asked the
pre-filter about and the answers, the variable files it used, and every
path it read or probed (``analyzer.reads``) with what it was.

**Key.** The parse cache's environment (sesguard's version, the parsing
code, python-hcl2, Lark, Python), the name, size and modification time of
every source file of sesguard's package (an edited evaluator or adapter is a
miss),
the root's path as found and as shown, the current directory (paths in the
model are relative to it), the scan boundary and limits, and the values the
scan gives the roots (``--var``, ``TF_VAR_``, the workspace, the
``--var-file`` contents and scopes, the configuration's variable files).

**A hit** is an entry under the key whose recorded paths all are what they
were (the same bytes, the same directory listings, still missing) and whose
pre-filter answers are the same today. Anything else is a miss, and the
root is evaluated again. Entries are stored in the parse cache's directory
with its safety (owner-only, atomic writes, a digest per entry, damaged
entries are misses) and its pruning.

**Parse entries.** A root evaluated for its first entry writes no parse
cache entries: its next scan will not parse it. A root whose entry is
outdated (it is being edited) writes them, so the next edit re-parses only
the file that changed.
"""

from __future__ import annotations

import dataclasses
import os
from dataclasses import dataclass, field
from typing import Callable

from analyzer import reads
from analyzer.cache import sources_digest
from analyzer.model import Model

_PACKAGE = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


@dataclass
class SourceRecord:
    """What reading one module directory adds to a scan, once."""

    files: int
    problems: list
    suppressions: list


@dataclass
class Entry:
    reads: tuple  # (real path, analyzer.reads.fingerprint)
    callees: tuple  # (module directory, whether the pre-filter let it be read)
    applied: tuple  # variable files the root used
    sources: dict  # module directory -> SourceRecord
    delta: dict = field(default_factory=dict)  # what ``since`` returned


def mark(model: Model) -> dict:
    """Where each collection of ``model`` stands, for ``since``."""
    return {f.name: _size(getattr(model, f.name)) for f in dataclasses.fields(model)}


def since(model: Model, before: dict) -> dict:
    """What was added to each collection of ``model`` after ``mark``."""
    delta = {}
    for name, then in before.items():
        value = getattr(model, name)
        if isinstance(value, list):
            delta[name] = value[then:]
        elif isinstance(value, dict):
            delta[name] = {k: value[k] for k in list(value)[then:]}
        elif isinstance(value, int):
            delta[name] = value - then
    return delta


def apply(model: Model, delta: dict) -> None:
    """Add what ``since`` returned to ``model``."""
    for name, added in delta.items():
        value = getattr(model, name)
        if isinstance(value, list):
            value.extend(added)
        elif isinstance(value, dict):
            value.update(added)
        else:
            setattr(model, name, value + added)


def _size(value):
    return len(value) if isinstance(value, (list, dict)) else value if isinstance(value, int) else None


class Evaluations:
    """The entries of one scan; ``cache``: an ``analyzer.cache.ParseCache``."""

    def __init__(self, cache, scan_fingerprint: str, limits):
        self.cache = cache
        self.limits = limits
        self.fingerprint = scan_fingerprint + "\0" + sources_digest(_PACKAGE)

    def _key(self, directory: str, shown: str) -> str:
        return self.cache.key("evaluation", self.limits.max_depth, shown,
                              "\0".join((self.fingerprint, directory, os.getcwd())))

    def get(self, directory: str, shown: str, relevant: Callable[[str], bool]) -> tuple:
        """``(entry, False)``: the entry of a root module, still valid;
        ``(None, True)``: it has one, outdated; ``(None, False)``: none."""
        entry = self.cache.get(self._key(directory, shown))
        if not isinstance(entry, Entry):
            return None, False
        if any(reads.fingerprint(path) != was for path, was in entry.reads):
            return None, True
        if any(relevant(callee) != answer for callee, answer in entry.callees):
            return None, True
        return entry, False

    def put(self, directory: str, shown: str, entry: Entry) -> None:
        self.cache.put(self._key(directory, shown), entry)


def fingerprints(paths) -> tuple:
    """The fingerprints of the paths a recording collected."""
    return tuple((path, reads.fingerprint(path)) for path in sorted(paths))

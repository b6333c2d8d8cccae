"""The rule-result cache: the findings the rules gave one deployment, kept
between scans, so a re-scan runs the rules only on deployments whose
inputs changed (#17).

**Key.** What the rules see of a deployment, exactly: its view of the model
(every collection, the modules not analyzed, the problems, its deployment's
name, kind, inputs, files and module calls) pickled, plus everything else a
rule reads: the rules that run and the code of their check functions, the
trust settings, the personal mailbox domains, the current directory (paths
in the model are relative to it), the parse cache's environment and the
sources of sesguard's ``analyzer`` and ``checks`` packages (an edited rule
is a miss). The view is pickled
without a memo, so a view evaluated afresh and one read from the
evaluation cache (objects shared differently) give the same bytes.

**Not kept.** A scan with ``--dns live`` (published records are answers of
the moment), and a deployment a rule crashed on (SES002 is reported
afresh, with its traceback, each time).

Entries live in the parse cache's directory, with its safety and pruning.
A hit is a fresh copy of the findings: the engine goes on to place,
suppress and fix them as if the rules had just returned them.
"""

from __future__ import annotations

import hashlib
import io
import marshal
import os
import pickle
from typing import Optional

from analyzer.cache import sources_digest
from analyzer.model import Model

_PACKAGES = [os.path.dirname(os.path.abspath(__file__)),
             os.path.join(os.path.dirname(os.path.dirname(os.path.abspath(__file__))), "checks")]
_FORMAT = b"rule results 1\0"


def _code(function) -> bytes:
    """A rule's check function as compiled (a function replaced in the
    process, as tests and plugins may, is another key)."""
    code = getattr(function, "__code__", None)
    return marshal.dumps(code) if code is not None else repr(function).encode()


class RuleResults:
    """The entries of one scan; ``cache``: an ``analyzer.cache.ParseCache``."""

    def __init__(self, cache, context, running: list):
        self.cache = cache
        settings = (sorted((r.id, _code(r.module.check)) for r in running), sorted(context.trust.accounts),
                    sorted(context.trust.orgs),
                    sorted(context.personal_mailbox_domains), os.getcwd(),
                    [sources_digest(p) for p in _PACKAGES])
        self.settings = _FORMAT + pickle.dumps(settings, protocol=pickle.HIGHEST_PROTOCOL)

    def key(self, name: str, view: Model) -> Optional[str]:
        """The key of a deployment's view, or None when it cannot be pickled."""
        deployment = view.deployments.get(name)
        seen = (name, [getattr(view, kind) for kind in Model.RESOURCES], view.not_analyzed, view.problems,
                None if deployment is None else (deployment.kind, deployment.inputs, sorted(deployment.files),
                                                 deployment.calls))
        buffer = io.BytesIO()
        pickler = pickle.Pickler(buffer, protocol=pickle.HIGHEST_PROTOCOL)
        pickler.fast = True  # no memo: equal views pickle alike however their objects are shared
        try:
            pickler.dump(seen)
        except Exception:  # a value that cannot be pickled (or a cycle): the rules run, as without a cache
            return None
        data = buffer.getvalue()
        return self.cache.key("rules", 0, name, hashlib.sha256(self.settings + data).hexdigest())

    def get(self, key: str) -> Optional[list]:
        found = self.cache.get(key)
        return found if isinstance(found, list) else None

    def put(self, key: str, findings: list) -> None:
        self.cache.put(key, findings)

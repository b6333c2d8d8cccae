"""Evaluating root modules in forked worker processes (``--jobs N``).

Root modules are independent deployments: each worker process, forked from
the scan with everything discovered so far, evaluates a share of those the
evaluation cache holds no valid entry for, exactly as the scan would
(writing their entries) and sends back, for each, the ``Entry`` the evaluation cache would
keep: what it added to the model and what it read. The scan then adds the
entries in root order, as it adds cached ones, so the report does not
depend on the number of workers. A root whose entry cannot be sent back (a
worker that died or raised, a value that cannot be pickled) is evaluated by
the scan itself (all the roots of the workers, when a worker raised), where a
bug of ours is reported on the root (SES002).
Only where ``fork`` exists (not Windows, not macOS's default start method,
which re-imports everything).
"""

from __future__ import annotations

import os
import pickle
from typing import Optional

_scan = None  # the TerraformScan whose roots the forked workers evaluate
WORTH_IT = 16  # fewer root modules to evaluate than this are evaluated by the scan itself
MOST = 4  # workers --jobs auto starts at most


def count(jobs) -> int:
    """The workers to start for ``--jobs`` (a number, or 0 for auto: one per
    core this process may use, at most ``MOST``), or 1 where processes cannot fork."""
    if not available():
        return 1
    if jobs:
        return jobs
    cores = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else (os.cpu_count() or 1)
    return max(1, min(cores, MOST))


def available() -> bool:
    """Whether workers can be forked safely: ``fork`` exists, and this process
    runs one thread (a fork copies no other thread, and a lock one of them
    held would stay held in the worker)."""
    import multiprocessing
    import threading

    return hasattr(os, "fork") and "fork" in multiprocessing.get_all_start_methods() \
        and threading.active_count() == 1


def evaluate(scan, roots: list, jobs: int) -> dict:
    """``{root directory: Entry}`` for the roots the workers evaluated;
    ``roots``: ``(directory, whether its cache entry is outdated)``."""
    global _scan
    import multiprocessing
    from concurrent.futures import ProcessPoolExecutor
    from concurrent.futures.process import BrokenProcessPool

    shares = [roots[i::jobs] for i in range(jobs)]
    shares = [share for share in shares if share]
    if len(shares) < 2:
        return {}
    from analyzer.terraform import grammar

    grammar.prepare()  # loaded (or built, on a first scan) once, here: each worker would otherwise do it again
    _scan = scan
    try:
        with ProcessPoolExecutor(len(shares), mp_context=multiprocessing.get_context("fork")) as pool:
            answers = list(pool.map(_evaluate_share, shares))
    except (OSError, BrokenProcessPool):  # a worker could not start or died: the scan evaluates them all
        return {}
    except Exception as exc:  # a bug of ours outside a root's guard: the scan evaluates them all, and says so
        scan.progress(f"a worker process failed ({type(exc).__name__}: {exc}); the scan evaluates its root "
                      "modules itself")
        return {}
    finally:
        _scan = None
    entries = {}
    for share, data in zip(shares, answers):
        for (directory, _), entry in zip(share, pickle.loads(data) if data else ()):
            if entry is not None:
                entries[directory] = entry
    return entries


def _evaluate_share(share: list) -> Optional[bytes]:
    """In a worker: the pickled entries of ``share``, None for a root whose entry cannot be sent."""
    scan = _scan
    scan.progress = lambda message: None  # the scan's own process shows progress
    entries = []
    for directory, outdated in share:
        entries.append(scan.evaluate_for_entry(directory, outdated))
    try:
        return pickle.dumps(entries, protocol=pickle.HIGHEST_PROTOCOL)
    except Exception:  # one value that cannot be pickled: send them one by one
        return pickle.dumps([_or_none(entry) for entry in entries], protocol=pickle.HIGHEST_PROTOCOL)


def _or_none(entry):
    try:
        pickle.dumps(entry, protocol=pickle.HIGHEST_PROTOCOL)
    except Exception:  # the scan evaluates this root itself
        return None
    return entry

"""The memory limit of a scan: an input that needs more stops with SES001.

``--max-memory MB`` (default 1024) is what one input may add to the
scan's memory: a file being parsed, a template or plan being read, a root
module being evaluated with the modules it calls. It is kept by the budgets
that already bound each input's time (``analyzer.budget``): while one is
open, its timer also fires every ``TICK`` seconds and compares the
process's resident memory with what it was when the innermost budget
opened; past the limit, ``OutOfMemory`` is raised in that input as
``OutOfTime`` would be, its site reports the file as not analyzed naming
the limit, what it built is dropped, and the scan goes on.

A check between two ticks cannot stop one allocation that is too large by
itself (a string repeated a billion times is one call), so the process as a
whole is also held to twice the limit over what it used when the input
began (``RLIMIT_DATA``, set again as each outermost budget opens, so in a
forked worker too): such an allocation then fails at once, as
``MemoryError``, before it takes the memory, and the site that reads or
evaluates the input reports it the same way (``analyzer.errors.failure``).

The command line sets the limit for its scan (``limited``); the scanned repository's ``.sesguard.yml``
cannot, since it protects the machine that runs the scan from the code it
scans. Code that calls the engine in its own process keeps its own limits:
nothing here runs unless asked. The resident size is read from
``/proc/self/statm`` (the process's own, never the scanned repository's);
where there is none, the limit is not kept, and the command says so.
"""

from __future__ import annotations

import contextlib
import os
from typing import Optional

MAX_MEMORY_MB = 1024
MAX_MEMORY_LIMIT_MB = 1024 * 1024  # the most --max-memory may ask: a terabyte
TICK = 0.05  # seconds between two checks while an input is read or evaluated
_MB = 1024 * 1024
_limit_mb = 0  # what one input may add, while ``limited``; 0: no limit
_failures = 0  # inputs that ran out of memory in this process
_given = (-1, -1)  # RLIMIT_DATA as the process had it before ``limited``


@contextlib.contextmanager
def limited(megabytes: int):
    """While the body runs, each input may add at most ``megabytes`` to the
    process (0: no limit); yields "" when the limit is kept, else why it
    cannot be (and nothing is changed). The process's limits are as before
    after it."""
    global _limit_mb, _given
    why = _cannot(megabytes) if megabytes else ""
    if not megabytes or why:
        yield why
        return
    import resource

    before_limit, before_given, before = _limit_mb, _given, resource.getrlimit(resource.RLIMIT_DATA)
    _limit_mb, _given = megabytes, before if not before_limit else _given  # the system's limit, not an outer scan's
    try:
        rebase()
        yield ""
    finally:
        _limit_mb, _given = before_limit, before_given
        resource.setrlimit(resource.RLIMIT_DATA, before)


def rebase() -> None:
    """Hold the process to twice the limit over what it uses now: when the
    limit is set, and as each input begins (``analyzer.budget``), so that
    what the scan has kept so far, or what a forked worker's parent held,
    leaves an input the same room. A stricter limit the process was given
    stays. Nothing is done while no limit is set."""
    if not _limit_mb:
        return
    import resource

    soft = _whole(_limit_mb)
    if _given[0] != resource.RLIM_INFINITY:
        soft = min(soft, _given[0])
    resource.setrlimit(resource.RLIMIT_DATA, (soft, _given[1]))


def _whole(megabytes: int) -> int:
    """What the process as a whole is held to: twice the limit over what it uses now."""
    return (_data_bytes() or 0) + 2 * megabytes * _MB


def _cannot(megabytes: int) -> str:
    if resident() is None:
        return "this system does not tell a process its resident memory (/proc/self/statm)"
    try:
        import resource
    except ImportError:
        return "this platform has no resource limits"
    hard = resource.getrlimit(resource.RLIMIT_DATA)[1]
    if hard != resource.RLIM_INFINITY and hard < _whole(megabytes):
        return f"the system holds this process to {hard // _MB} MB in all"
    return ""


def watching() -> int:
    """What one input may add to the resident memory, in bytes; 0 when no limit is set."""
    return _limit_mb * _MB


def resident() -> Optional[int]:
    """The process's resident memory now, in bytes; None where the system does not say."""
    fields = (_proc("statm") or b"").split()
    return int(fields[1]) * os.sysconf("SC_PAGE_SIZE") if len(fields) > 1 and fields[1].isdigit() else None


def exceeded() -> str:
    """The words of an SES001 for an input that added more than the limit (``OutOfMemory``)."""
    if _limit_mb:
        return f"needed more than {_limit_mb} MB of memory, the --max-memory limit"
    return "needed more memory than the system gave"


def ran_out(exc: MemoryError) -> str:
    """The words of an SES001 for an allocation that failed while an input
    was read or evaluated: what the input had built (the frames of ``exc``)
    is dropped first. The allocation may be the input's own, too large by
    itself, or a small one the scan as a whole had no more room for, so the
    words say what was exhausted, not that this input alone needed it.
    Counted (``failures``)."""
    global _failures
    exc.with_traceback(None)
    _failures += 1
    if _limit_mb:
        return (f"could not get memory: the scan is held to twice --max-memory ({2 * _limit_mb} MB) over what "
                "it held when this input began")
    return exceeded()


def failures() -> int:
    """How many allocations failed while an input was read in this process so
    far: what does not fit under one limit may fit under another, so what
    depends on it is not cached (an input past the limit is counted with the
    budgets' expirations)."""
    return _failures


def _data_bytes() -> Optional[int]:
    """The process's data size now (``VmData``), what ``RLIMIT_DATA`` counts."""
    for line in (_proc("status") or b"").splitlines():
        fields = line.split()
        if fields[:1] == [b"VmData:"] and len(fields) > 1 and fields[1].isdigit():
            return int(fields[1]) * 1024
    return None


def _proc(name: str) -> Optional[bytes]:
    """The text of ``/proc/self/<name>`` (the process's own), None where there is none."""
    try:
        fd = os.open(f"/proc/self/{name}", os.O_RDONLY)
    except OSError:
        return None
    try:
        chunks = []
        while chunk := os.read(fd, 4096):
            chunks.append(chunk)
        return b"".join(chunks)
    except OSError:
        return None
    finally:
        os.close(fd)

"""Budgets: a parse or an evaluation that runs past its seconds, or past
its memory (``analyzer.memory``), stops.

``budget(seconds)`` arms ``signal.setitimer(ITIMER_REAL)`` for the body of a
``with``; when the time is up, the ``SIGALRM`` handler raises ``OutOfTime``
in the main thread, wherever the body is. ``OutOfTime`` derives from
``BaseException``, so the ``except Exception`` of a loader or of
Terraform's ``try()`` cannot take it for an input error; the site that
opened the budget (or ``analyzer.errors.guard``) turns it into SES001.

Budgets nest: the timer is set for the nearest deadline of those open, so an
inner budget never loses an outer one. A budget opened ``apart`` stops the
outer clocks while it runs (a file parsed on demand during an evaluation is
charged to the file, not to the evaluation).

A signal handler can only be set in the main thread, and ``setitimer`` is
POSIX; other code of the process may own ``SIGALRM`` or the timer already
(libFuzzer's own timeouts do). In each of these cases a budget is not
enforced, and ``not_enforced()`` says why, for ``-v`` output. Nothing here is shared between processes: each worker
process keeps its own budgets.

With a memory limit set, the timer also fires every ``memory.TICK`` seconds
while a budget is open, and ``OutOfMemory`` (an ``OutOfTime``, so every
site handles both alike) is raised in the innermost budget whose input has
added more than the limit to the resident memory since it opened.
"""

from __future__ import annotations

import contextlib
import signal
import threading
import time
from dataclasses import dataclass

from analyzer import memory

MAX_FILE_SECONDS = 10
MAX_FILE_SECONDS_LIMIT = 86400  # the most --max-file-seconds may ask: a day


def too_slow(seconds: float) -> str:
    """The words every budget's SES001 uses for its limit."""
    return f"took longer than {seconds:g} s, the --max-file-seconds limit"


@dataclass(eq=False)
class Budget:
    seconds: float
    deadline: float  # time.monotonic()
    enforced: bool = True
    expired: bool = False
    apart: bool = False  # the outer clocks stop while it runs
    closed: bool = False  # its body has ended: it raises no more
    resident: int = 0  # the process's resident memory when it opened (with a memory limit set)


class OutOfTime(BaseException):
    """The time of ``budget`` is up; never an ``Exception``, so never taken for an input error."""

    def __init__(self, budget: Budget, message: str = ""):
        super().__init__(message or too_slow(budget.seconds))
        self.budget = budget


class OutOfMemory(OutOfTime):
    """The input of ``budget`` has added more than the memory limit since it opened."""

    def __init__(self, budget: Budget):
        super().__init__(budget, memory.exceeded())


_NEVER = float("inf")
# How soon an expired budget whose body still runs raises again: a signal handler's exception is lost when
# it lands in a finalizer (a weakref callback or __del__ run by the garbage collector, which Python reports
# as unraisable and drops), so the budget's time would otherwise be up with its body still running.
_AGAIN = 0.2
_open: list = []  # the budgets open in this process, innermost last
_previous_handler = None
_expirations = 0  # budgets whose time ran out in this process


def expirations() -> int:
    """How many budgets ran out in this process so far (what depends on one is not cached)."""
    return _expirations


def not_enforced() -> str:
    """Why budgets cannot be enforced here, or "" when they can."""
    if not hasattr(signal, "setitimer"):
        return "this platform has no setitimer"
    if threading.current_thread() is not threading.main_thread():
        return "sesguard is not running in the main thread, the only one a signal reaches"
    if _open:
        return ""
    handler = signal.getsignal(signal.SIGALRM)
    if handler is None:
        return "a SIGALRM handler not set from Python is in place (a fuzzer's, say), which sesguard leaves alone"
    if handler not in (signal.SIG_DFL, signal.SIG_IGN):
        return "other code of this process handles SIGALRM, which sesguard leaves alone"
    if signal.getitimer(signal.ITIMER_REAL) != (0.0, 0.0):
        return "other code of this process is using the real-time interval timer, which sesguard leaves alone"
    return ""


def _running() -> list:
    """The open budgets whose clock runs: those inside the innermost ``apart`` one."""
    for index in range(len(_open) - 1, -1, -1):
        if _open[index].apart:
            return _open[index:]
    return _open


def _arm() -> None:
    waiting = [b for b in _running() if not b.closed and b.deadline != _NEVER]
    if not waiting:
        signal.setitimer(signal.ITIMER_REAL, 0)
        return
    now = time.monotonic()
    remaining = min(now + _AGAIN if b.expired else b.deadline for b in waiting) - now
    if memory.watching():
        remaining = min(remaining, memory.TICK)
    signal.setitimer(signal.ITIMER_REAL, max(remaining, 0.001))


def _expire(signum, frame) -> None:
    now = time.monotonic()
    due = [b for b in _running() if not b.closed and b.deadline <= now + 0.001]
    over = None if due else _over_memory()
    if not due and over is None:  # a memory check that found room, or the timer fired a little early
        _arm()
        return
    first = min(due, key=lambda b: b.deadline) if due else over
    _spend(first)
    _arm()  # again soon while its body runs on: this exception may be dropped (see _AGAIN)
    raise OutOfTime(first) if due else OutOfMemory(first)


def _spend(spent: Budget) -> None:
    global _expirations
    if not spent.expired:
        spent.expired = True
        _expirations += 1


def _over_memory():
    """The innermost open budget whose input has added more than the memory limit, or None."""
    allowed = memory.watching()
    waiting = [b for b in _running() if not b.closed and b.deadline != _NEVER]
    if not allowed or not waiting:
        return None
    now = memory.resident()
    return waiting[-1] if now is not None and now - waiting[-1].resident > allowed else None


@contextlib.contextmanager
def budget(seconds: float, apart: bool = False):
    """The body runs for at most ``seconds``, or ``OutOfTime``
    is raised in it; yields the ``Budget``, whose ``enforced`` says whether
    the time is kept (see ``not_enforced``)."""
    global _previous_handler
    if not_enforced():
        yield Budget(seconds, _NEVER, enforced=False)
        return
    started = time.monotonic()
    watched = memory.watching() and seconds != _NEVER  # a pause is never checked against the limit
    this = Budget(seconds, started + seconds, apart=apart, resident=(memory.resident() or 0) if watched else 0)
    if not _open:
        _previous_handler = signal.signal(signal.SIGALRM, _expire)
        if watched:
            memory.rebase()  # an input begins: the backstop counts from what the process holds now
    _open.append(this)
    try:
        _arm()
        yield this
    finally:
        this.closed = True
        _open.remove(this)
        if apart:
            elapsed = time.monotonic() - started
            for outer in _running():
                outer.deadline += elapsed
        if _open:
            _arm()
        else:
            signal.setitimer(signal.ITIMER_REAL, 0)
            signal.signal(signal.SIGALRM, _previous_handler)



@contextlib.contextmanager
def limited(seconds: int, ran_out, apart: bool = False):
    """The body under a budget of ``seconds``; when that time is up,
    ``ran_out(exc)`` is called (it records the problem, or raises the site's
    own input error) and the ``with`` ends. When an outer budget's time is
    up, its ``OutOfTime`` goes on up to the site that opened it."""
    outer = list(_open)
    try:
        with budget(seconds, apart):
            yield
    except OutOfTime as exc:
        if exc.budget in outer:
            raise
        ran_out(exc)


@contextlib.contextmanager
def paused():
    """The clocks of the open budgets stop while the body runs: for a cost
    of the environment (building a parser), which no file is charged with."""
    if not _open:
        yield
        return
    with budget(_NEVER, apart=True):
        yield

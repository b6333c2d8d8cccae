"""Whose fault an error is.

* ``InputError``: the input is wrong; Terraform or CloudFormation would
  reject it too. The input is reported as not analyzed (SES001), and it is
  what Terraform's ``can()`` and ``try()`` catch.
* ``Unsupported``: valid input sesguard cannot evaluate (a regex feature it
  cannot translate, a pattern too slow for its engine). The values that
  depend on it are unknown, never a guessed branch, and a verdict that
  depends on them says so (SES003) naming the construct.
* Anything else raised while reading an input is sesguard's own bug: the
  loader's ``guard`` records it as an ``InternalError`` on the file being
  read, with its traceback, and the scan goes on with the other files; it
  fails the scan like a crashed rule (SES002).
* ``analyzer.budget.OutOfTime``: the input took longer than the scan's
  ``--max-file-seconds``: SES001 on the file, like an input error.
* ``MemoryError``: the input needed more than the scan's ``--max-memory``
  (``analyzer.memory``): SES001 on the file, like running out of time.
"""

from __future__ import annotations

import contextlib
import os
import traceback
from dataclasses import dataclass

from analyzer import budget, memory
from analyzer.model import InputProblem, Model


class InputError(Exception):
    """The input is wrong: the message says how, in the user's terms."""


class Unsupported(Exception):
    """Valid input sesguard cannot evaluate; the message names the construct."""


@dataclass
class InternalError(InputProblem):
    """sesguard failed on an input by a bug of its own: ``message`` says
    where and what was raised, ``traceback`` is the whole stack."""

    traceback: str = ""


def internal_error(file: str, doing: str, exc: BaseException) -> InternalError:
    """The ``InternalError`` for ``exc``, raised while ``doing`` (``reading this
    CloudFormation template``) on ``file``."""
    frames = traceback.extract_tb(exc.__traceback__)
    where = f" (at {os.path.basename(frames[-1].filename)}:{frames[-1].lineno})" if frames else ""
    return InternalError(file, f"sesguard failed while {doing} with {type(exc).__name__}: {exc}{where}; "
                               "what it declares is missing from this scan; please report it",
                         traceback="".join(traceback.format_exception(type(exc), exc, exc.__traceback__)))


def failure(file: str, doing: str, exc: Exception, line: int = 0, column: int = 0) -> InputProblem:
    """What ``exc``, raised while ``doing`` on ``file``, says of it: running out
    of memory is the input's (SES001, at ``line``), the rest a bug of ours."""
    if isinstance(exc, MemoryError):
        return InputProblem(file, f"{doing} {memory.ran_out(exc)}; not analyzed", line, column)
    return internal_error(file, doing, exc)


@contextlib.contextmanager
def guard(model: Model, file: str, doing: str, seconds: int = 0):
    """Run one loader on one file, for at most ``seconds`` when given: a bug
    in it becomes an ``InternalError`` on that file in ``model.problems``,
    running out of time an SES001 on it, and the caller goes on."""
    def ran_out(exc: budget.OutOfTime) -> None:  # the file as a whole: its first line
        model.problems.append(InputProblem(file, f"{doing} {exc}; not analyzed", 1, 1))

    try:
        if seconds:
            with budget.limited(seconds, ran_out):
                yield
        else:
            yield
    except RecursionError:
        model.problems.append(InputProblem(file, f"the input is nested too deeply for {doing}"))
    except Exception as exc:  # a bug of ours (or out of memory): reported on its file, never a clean file
        model.problems.append(failure(file, doing, exc, 1, 1))

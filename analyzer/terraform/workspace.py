"""What Terraform takes from where it runs: the workspace and ``TF_VAR_``
environment variables.

``terraform.workspace`` is, as Terraform chooses it: the scan's
``--workspace``, else ``TF_WORKSPACE``, else the name ``terraform workspace
select`` wrote to ``.terraform/environment`` in the root module directory
(read only inside the scan boundary), else ``default``.

``TF_VAR_name`` sets the root variable ``name``; Terraform applies those
values after the defaults and before every variable file. Both are read
from the environment only when the scan asks (``--no-env-vars`` does not).
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from typing import Mapping, Optional

from analyzer import reads
from analyzer.files import Limits, display, read_text

ENV_PREFIX = "TF_VAR_"
DEFAULT = "default"


@dataclass(frozen=True)
class Workspace:
    name: Optional[str]  # None: unknown, the recorded name could not be read (``problem`` says why)
    file: str = ""  # the .terraform/environment it was read from, as shown; "" otherwise
    problem: str = ""


def environment_variables(environ: Mapping[str, str]) -> list:
    """``(name, text)`` of each ``TF_VAR_name``, in name order."""
    return sorted((key[len(ENV_PREFIX):], value) for key, value in environ.items()
                  if key.startswith(ENV_PREFIX) and len(key) > len(ENV_PREFIX))


def workspace_of(directory: str, chosen: str, boundary: str, limits: Limits = Limits()) -> Workspace:
    """The workspace a root module directory is evaluated in; ``chosen``: the
    ``--workspace`` or ``TF_WORKSPACE`` name, "" when none. A recorded name
    that cannot be read (outside the boundary, too large) is unknown, never
    ``default``."""
    if chosen:
        return Workspace(chosen)
    path = os.path.join(directory, ".terraform", "environment")
    reads.note(path)
    if not os.path.lexists(path):
        return Workspace(DEFAULT)
    shown = display(path)
    real = os.path.realpath(path)
    if not (real == boundary or real.startswith(boundary.rstrip(os.sep) + os.sep)):
        return Workspace(None, shown, "the workspace file is outside the scan boundary; not read, so "
                                      "terraform.workspace is unknown")
    text, problem = read_text(real, limits)
    if problem:
        return Workspace(None, shown, f"{problem}; terraform.workspace is unknown")
    return Workspace(text.strip() or DEFAULT, shown)

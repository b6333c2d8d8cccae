"""The GitHub Action's inputs as ``sesguard scan`` arguments (``action.yml``).

    python -m analyzer.action   # reads the SESGUARD_* environment, prints the arguments NUL-separated

Lists (``paths``, ``trusted-accounts``, ``var-files``) are one item per
line, or a YAML flow list (``[infra, stacks]``); ``trusted-accounts`` may
also be separated by commas or spaces. ``args`` is split as a shell would,
without running one. A bad input is an error on standard error (exit
status 2), which the Action shows as the step's error.
"""

from __future__ import annotations

import os
import shlex
import sys

BOOLEAN = {"true": True, "false": False, "": False}


class InputError(Exception):
    """An Action input that cannot be used."""


def items(text: str, name: str, separators: str = "") -> list:
    """A list input: one item per line, or a YAML flow list; blank lines and surrounding spaces dropped."""
    text = text.strip()
    if text.startswith("["):
        import yaml

        try:
            value = yaml.safe_load(text)
        except yaml.YAMLError as exc:
            raise InputError(f"input {name}: not a YAML list ({getattr(exc, 'problem', exc)})") from None
        if not isinstance(value, list) or not all(isinstance(v, (str, int)) for v in value):
            raise InputError(f"input {name}: a YAML list must hold only strings")
        return [str(v) for v in value]
    result = []
    for line in text.splitlines():
        for separator in separators:
            line = line.replace(separator, "\n")
        result.extend(part.strip() for part in line.splitlines() if part.strip())
    return result


def flag(text: str, name: str) -> bool:
    try:
        return BOOLEAN[text.strip().lower()]
    except KeyError:
        raise InputError(f"input {name}: {text!r} is not true or false") from None


def arguments(env) -> list:
    """The ``sesguard scan`` arguments for the Action's inputs (``SESGUARD_*`` variables)."""
    def get(name: str) -> str:
        return env.get(f"SESGUARD_{name.upper().replace('-', '_')}", "")

    args = items(get("paths"), "paths") or ["."]
    args += ["--fail-on", get("fail-on").strip() or "low"]
    if get("config").strip():
        args += ["--config", get("config").strip()]
    if get("baseline").strip():
        args += ["--baseline", get("baseline").strip()]
    for account in items(get("trusted-accounts"), "trusted-accounts", separators=", "):
        args += ["--trusted-account", account]
    for var_file in items(get("var-files"), "var-files"):
        args += ["--var-file", var_file]
    if get("dns").strip():
        args += ["--dns", get("dns").strip()]
    if flag(get("exit-zero"), "exit-zero"):
        args.append("--exit-zero")
    flag(get("changed-only"), "changed-only")  # the step lists the pull request's files (analyzer.pr_files)
    try:
        args += shlex.split(get("args"))
    except ValueError as exc:
        raise InputError(f"input args: {exc}") from None
    return args


def main() -> int:
    try:
        args = arguments(os.environ)
    except InputError as exc:
        print(f"sesguard: {exc}", file=sys.stderr)
        return 2
    sys.stdout.write("\0".join(args) + "\0")
    return 0


if __name__ == "__main__":
    sys.exit(main())

"""``samconfig.toml``: the parameter values ``sam deploy`` gives a template.

The file next to a template holds, per environment (``--config-env``,
chosen here with ``--sam-config-env``, default ``default``), the
``parameter_overrides`` of its ``global`` and ``deploy`` commands (a string
``Name=value Other="two words"`` or a list of ``Name=value``) and the
``region``, which is ``AWS::Region`` (and gives ``AWS::Partition``). The
``deploy`` section wins over ``global``, as in SAM. An environment the file
does not have gives no values. ``samconfig.yaml`` and ``samconfig.yml`` are
not read.
"""

from __future__ import annotations

import re
import shlex
import sys

from analyzer.files import InputError, Limits, read_text

if sys.version_info >= (3, 11):
    import tomllib
else:  # tomllib is in the standard library from Python 3.11; tomli is the same parser
    import tomli as tomllib

FILE_NAME = "samconfig.toml"
_COMMANDS = ("global", "deploy")  # later wins
_AT_LINE = re.compile(r"\(at line (\d+), column (\d+)\)")
# partition of a region, by its prefix (the longest first)
_PARTITIONS = (("us-iso-", "aws-iso"), ("us-isob-", "aws-iso-b"), ("us-gov-", "aws-us-gov"), ("cn-", "aws-cn"))


def read_samconfig(path: str, env: str, limits: Limits = Limits()) -> dict:
    """The parameter values (name -> text) ``sam deploy --config-env env``
    takes from ``path``; raises ``InputError`` with the line when the file
    cannot be read."""
    text, problem = read_text(path, limits)
    if problem:
        raise InputError(problem)
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as error:
        at = _AT_LINE.search(str(error))
        raise InputError(f"TOML syntax error: {_AT_LINE.sub('', str(error)).strip()}",
                         int(at.group(1)) if at else 0, int(at.group(2)) if at else 0) from None
    values: dict = {}
    environment = data.get(env)
    if not isinstance(environment, dict):
        return values
    for command in _COMMANDS:
        parameters = environment.get(command, {}).get("parameters") if isinstance(
            environment.get(command), dict) else None
        if not isinstance(parameters, dict):
            continue
        if isinstance(parameters.get("region"), str):
            region = parameters["region"]
            values["AWS::Region"] = region
            values["AWS::Partition"] = partition_of(region)
        section = f"[{env}.{command}.parameters]"
        try:
            values.update(_overrides(parameters.get("parameter_overrides"), section))
        except InputError as error:
            raise InputError(error.message, _line_of(text, section, "parameter_overrides")) from None
    return values


def partition_of(region: str) -> str:
    """The AWS partition of a region."""
    return next((p for prefix, p in _PARTITIONS if region.startswith(prefix)), "aws")


def _line_of(text: str, section: str, key: str) -> int:
    """The line of ``key`` in ``section`` (0 when it is written another way, such as a dotted key)."""
    lines = text.splitlines()
    start = next((n for n, line in enumerate(lines) if line.strip().replace(" ", "") == section), None)
    if start is None:
        return 0
    return next((n + 1 for n in range(start + 1, len(lines)) if lines[n].lstrip().startswith(key)), 0)


def _overrides(value, section: str) -> dict:
    if value is None:
        return {}
    if isinstance(value, str):
        try:
            items = shlex.split(value)
        except ValueError as error:
            raise InputError(f"{section} parameter_overrides: {error}") from None
    elif isinstance(value, list) and all(isinstance(v, str) for v in value):
        items = value
    else:
        raise InputError(f"{section} parameter_overrides must be a string or a list of Name=value strings")
    overrides = {}
    for item in items:
        name, equals, text = item.partition("=")
        if not equals or not name:
            raise InputError(f"{section} parameter_overrides: {item!r} is not Name=value")
        overrides[name] = text
    return overrides

"""Parameter values given to a scan, in the forms the AWS tools accept.

A parameters file may be:

* ``[{"ParameterKey": "Env", "ParameterValue": "prod"}]`` (``aws cloudformation
  create-stack --parameters file://...``);
* ``["Env=prod"]`` (``aws cloudformation deploy --parameter-overrides``);
* ``{"Parameters": {"Env": "prod"}}`` (a CodePipeline template configuration
  file, also accepted by ``deploy``);
* ``{"Env": "prod"}``.
"""

from __future__ import annotations

import os

from analyzer.jsonloc import JSONLocError, loads
from analyzer.model import LStr, loc_of


class ParametersError(ValueError):
    pass


def read_parameters_file(path: str) -> dict:
    """Name -> value; each value remembers where the file writes it, so a
    finding's trace leads to the parameters file."""
    shown = os.path.relpath(path)
    try:
        with open(path, encoding="utf-8") as f:
            data = loads(f.read(), shown).value
    except (OSError, ValueError, JSONLocError) as exc:
        raise ParametersError(f"cannot read the parameters file {path}: {exc}") from None
    if isinstance(data, dict) and isinstance(data.get("Parameters"), dict):
        data = data["Parameters"]
    if isinstance(data, dict):
        return {str(k): _text(v, path, data.loc_of_key(k)) for k, v in data.items()}
    if isinstance(data, list):
        values = {}
        for item in data:
            if isinstance(item, dict) and "ParameterKey" in item:
                if "ParameterValue" in item:
                    values[str(item["ParameterKey"])] = _text(item["ParameterValue"], path,
                                                              item.loc_of_key("ParameterValue"))
            elif isinstance(item, str) and "=" in item:
                key, _, value = item.partition("=")
                values[key] = LStr(value, loc_of(item))
            else:
                raise ParametersError(f"{path}: unexpected entry {item!r}")
        return values
    raise ParametersError(f"{path}: expected a JSON object or list of parameters")


def _text(value, path: str, where) -> str:
    if isinstance(value, bool):
        return LStr("true" if value else "false", where)
    if isinstance(value, (str, int, float)):
        return LStr(str(value), loc_of(value, where))
    if isinstance(value, list) and all(isinstance(v, str) for v in value):
        return LStr(",".join(value), loc_of(value, where))  # a CommaDelimitedList
    raise ParametersError(f"{path}: the value {value!r} is not a string")

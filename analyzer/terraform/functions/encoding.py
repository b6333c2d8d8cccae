"""JSON (``jsonencode``/``jsondecode``, Terraform's encoding exactly), base64, hashes, uuid and timestamp."""

from __future__ import annotations

import base64
import hashlib
import json
from typing import Any

from analyzer import jsonloc
from analyzer.model import AFTER_APPLY, Location, Unknown, embed, has_marker, loc_of
from analyzer.terraform.functions.core import (
    JsonText,
    _Error,
    _is_number,
    _literal,
    _number_text,
    _register,
    _string,
    _type_name,
    _unresolved,
)

_GO_JSON_ESCAPES = str.maketrans({"<": "\\u003c", ">": "\\u003e", "&": "\\u0026",
                                  "\u2028": "\\u2028", "\u2029": "\\u2029"})


def _json_string(text: str) -> str:
    """A JSON string literal escaped as Go's encoding/json escapes it."""
    return json.dumps(text, ensure_ascii=False).translate(_GO_JSON_ESCAPES)


def _json(value: Any) -> str:
    """Terraform's compact JSON: keys sorted, unknowns as their markers."""
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "true" if value else "false"
    if _is_number(value):
        return _number_text(value)
    if isinstance(value, str):
        return _json_string(value)
    if isinstance(value, Unknown):
        return _json_string(embed(value))
    if isinstance(value, dict):
        pairs = sorted(value.items(), key=lambda pair: str(pair[0]))
        return "{" + ",".join(_json_string(str(k)) + ":" + _json(v) for k, v in pairs) + "}"
    if isinstance(value, (list, tuple)):
        return "[" + ",".join(_json(v) for v in value) + "]"
    raise _Error(f"cannot encode a {_type_name(value)} as JSON")


@_register("jsonencode", 1)
def _jsonencode(value):
    return JsonText(_json(value), value)


@_register("jsondecode", 1)
def _jsondecode(value):
    if isinstance(value, JsonText):
        return value.value
    text = _string(value)
    loc = loc_of(text) or Location("", 1, 1)
    try:
        decoded = jsonloc.loads(text, loc.file, loc.line, loc.column)
    except jsonloc.JSONLocError as exc:
        if has_marker(text):
            _unresolved(text)
        raise _Error(str(exc)) from None
    if decoded.duplicates:
        key, key_loc = decoded.duplicates[0]
        raise _Error(f'duplicate "{key}" property in JSON object at line {key_loc.line} '
                     f"column {key_loc.column}")
    return decoded.value


# ---------------------------------------------------------------------------
# Encodings and hashes
# ---------------------------------------------------------------------------


@_register("base64encode", 1)
def _base64encode(value):
    return base64.b64encode(_literal(value).encode("utf-8")).decode("ascii")


@_register("base64decode", 1)
def _base64decode(value):
    text = _literal(value)
    try:
        data = base64.b64decode(text, validate=True)
    except ValueError:
        raise _Error(f"failed to decode base64 data {text!r}") from None
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError:
        raise _Error("the result of decoding the provided string is not valid UTF-8") from None


def _digest(algorithm: str, value: Any) -> str:
    return hashlib.new(algorithm, _literal(value).encode("utf-8")).hexdigest()


@_register("md5", 1)
def _md5(value):
    return _digest("md5", value)


@_register("sha1", 1)
def _sha1(value):
    return _digest("sha1", value)


@_register("sha256", 1)
def _sha256(value):
    return _digest("sha256", value)


@_register("uuid", 0)
def _uuid():
    return Unknown("uuid()", AFTER_APPLY)


@_register("timestamp", 0)
def _timestamp():
    return Unknown("timestamp()", AFTER_APPLY)


# ---------------------------------------------------------------------------

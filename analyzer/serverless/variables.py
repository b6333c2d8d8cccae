"""Serverless Framework variables (``${source:address, fallback}``), statically.

A variable is ``${`` a source name, then ``:`` (not ``::``, so the
CloudFormation ``${AWS::Region}`` of a ``Fn::Sub`` is left to the template)
or a call ``name(...)``. Nested variables are resolved from the inside out.

* ``${self:a.b}``: the value at that path of the file, itself resolved; its
  fallback when the file has no value there, else an error (so is a path
  that refers to itself); ``custom`` values are read this way; a path
  through an unknown value (``custom: {config: ${file(x.yml)}}``) is unknown;
* ``${sls:stage}``, ``${opt:stage}``: the stage ``serverless deploy`` uses
  without ``--stage``: ``provider.stage``, else ``dev``; ``${opt:stage, x}``
  without ``--stage`` is its fallback ``x``, as Serverless does (sesguard
  scans as a deployment without command-line options);
  ``${aws:region}``, ``${opt:region}``: ``provider.region``, else
  ``us-east-1``; ``${aws:accountId}`` is the deploying account;
* any other source (``env``, ``ssm``, ``cf``, ``s3``, ``file(...)``,
  ``param``, ...) is read when the service is deployed: unknown, naming the
  variable; its fallback is not taken, since the source may well have a
  value.

A fallback is a quoted string, a number, ``true``/``false``, or another
variable. A variable that makes up a whole string gives its value as it is
(a list, a mapping); inside a longer string, its text (unknowns embedded).
"""

from __future__ import annotations

import re
from typing import Any, Optional

from analyzer.model import DATA, ERROR, OWNER, VARIABLE, LDict, LList, LStr, Unknown, embed, has_marker, loc_of

DEFAULT_STAGE = "dev"
DEFAULT_REGION = "us-east-1"

_PIECE = re.compile(r"\$\{([^{}]*)\}")
_VARIABLE = re.compile(r"\s*[A-Za-z][\w-]*(?:\(|:(?!:))")
_NUMBER = re.compile(r"-?\d+(?:\.\d+)?")


class Variables:
    """Resolves the variables of one ``serverless.yml`` document."""

    def __init__(self, document: LDict):
        self.document = document
        self._busy: set = set()
        self._resolved: dict = {}

    def resolve(self, value: Any) -> Any:
        """``value`` with every variable in it resolved."""
        if isinstance(value, str):
            return self._string(value)
        if isinstance(value, dict):
            result = LDict((), loc_of(value), getattr(value, "key_locs", None))
            for key, item in value.items():
                result[key] = self.resolve(item)
            return result
        if isinstance(value, list):
            return LList([self.resolve(v) for v in value], loc_of(value))
        return value

    # -- one string ------------------------------------------------------

    def _string(self, text: str) -> Any:
        loc = loc_of(text)
        current = str(text)
        while True:
            whole = _PIECE.fullmatch(current)
            if whole and _VARIABLE.match(whole.group(1)):
                value = self._variable(whole.group(1), loc)
                return LStr(value, loc) if isinstance(value, str) and not isinstance(value, LStr) else value
            changed = False

            def piece(m: re.Match) -> str:
                nonlocal changed
                if not _VARIABLE.match(m.group(1)):
                    return m.group(0)
                changed = True
                return _as_text(self._variable(m.group(1), loc), m.group(1), loc)

            replaced = _PIECE.sub(piece, current)
            if not changed:
                return text if replaced == str(text) else LStr(replaced, loc)
            current = replaced

    def _variable(self, expression: str, loc) -> Any:
        """The value of one variable (its inner variables already resolved)."""
        address, fallback = _split_fallback(expression)
        if has_marker(address):
            return Unknown(_name(expression), VARIABLE, loc,
                           hint=f"{_name(expression)} is built from values not known before deployment")
        source, _, path = address.strip().partition(":")
        source = source.strip()
        path = path.strip()
        if source == "self":
            return self._self(path, expression, loc, fallback)
        if source in ("sls", "opt") and path == "stage":
            if source == "opt" and fallback is not None:
                return self._fallback(fallback, expression, loc)
            return self._provider("stage", DEFAULT_STAGE, loc)
        if (source, path) in (("aws", "region"), ("opt", "region")):
            if source == "opt" and fallback is not None:
                return self._fallback(fallback, expression, loc)
            return self._provider("region", DEFAULT_REGION, loc)
        if (source, path) == ("aws", "accountId"):
            return Unknown("AWS::AccountId", OWNER, loc)
        kind = VARIABLE if source in ("opt", "env", "param") else DATA
        return Unknown(_name(expression), kind, loc,
                       hint=f"{_name(expression)} is read when the service is deployed; not known before")

    def _self(self, path: str, expression: str, loc, fallback: Optional[str] = None) -> Any:
        """The value at ``path`` of the file; its fallback when the file has none there."""
        if path in self._resolved:
            return self._resolved[path]
        if path in self._busy:
            return Unknown(f"{_name(expression)} at line {loc.line if loc else 0}: self:{path} refers to itself",
                           ERROR, loc)
        self._busy.add(path)
        try:
            value: Any = self.document
            for key in path.split(".") if path else ():
                if isinstance(value, str):
                    value = self.resolve(value)
                if isinstance(value, Unknown):
                    return value
                if isinstance(value, dict) and key in value:
                    value = value[key]
                elif isinstance(value, list) and key.isdigit() and int(key) < len(value):
                    value = value[int(key)]
                elif fallback is not None:
                    return self._fallback(fallback, expression, loc)
                else:
                    return Unknown(f"{_name(expression)} at line {loc.line if loc else 0}: the file has no value "
                                   f"at {path}", ERROR, loc)
            resolved = self.resolve(value)
        finally:
            self._busy.discard(path)
        self._resolved[path] = resolved
        return resolved

    def _provider(self, key: str, default: str, loc) -> Any:
        provider = self.document.get("provider")
        if isinstance(provider, dict) and key in provider:
            return self._self(f"provider.{key}", f"self:provider.{key}", loc)
        return LStr(default, loc)

    def _fallback(self, fallback: str, expression: str, loc) -> Any:
        text = fallback.strip()
        if len(text) >= 2 and text[0] == text[-1] and text[0] in "'\"":
            return LStr(text[1:-1], loc)
        if _NUMBER.fullmatch(text):
            return float(text) if "." in text else int(text)
        if text in ("true", "false"):
            return text == "true"
        if _VARIABLE.match(text):
            return self._variable(text, loc)
        if has_marker(text) or not text:
            return Unknown(_name(expression), VARIABLE, loc)
        return Unknown(f"{_name(expression)} at line {loc.line if loc else 0}: the fallback {text} is neither a "
                       "quoted string, a number, a boolean nor a variable", ERROR, loc)


def _name(expression: str) -> str:
    """A variable as messages name it: its expression, without ``${}`` (which
    would be read as a variable again inside the marker of an unknown)."""
    return "variable " + expression.strip()


def _split_fallback(expression: str) -> tuple:
    """``(address, fallback or None)``: split at the first comma outside quotes and parentheses."""
    depth, quote = 0, ""
    for n, c in enumerate(expression):
        if quote:
            quote = "" if c == quote else quote
        elif c in "'\"":
            quote = c
        elif c == "(":
            depth += 1
        elif c == ")":
            depth -= 1
        elif c == "," and depth == 0:
            return expression[:n], expression[n + 1:]
    return expression, None


def _as_text(value: Any, expression: str, loc) -> str:
    """A variable's value inside a longer string."""
    if isinstance(value, Unknown):
        return embed(value)
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, (str, int, float)):
        return str(value)
    return embed(Unknown(f"{_name(expression)} at line {loc.line if loc else 0}: a list or mapping cannot be part "
                         "of a string", ERROR, loc))


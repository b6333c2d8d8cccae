"""Normalize an IAM policy document into the shared model.

``parse_document`` accepts what loaders hand over: JSON text (``LStr`` keeps
its location, so decoded values point into the source file), an already
decoded JSON-like value (``LDict``/``LList`` or plain containers holding
``Unknown`` values and strings with embedded unknowns), or a whole
``Unknown``. Every short form is expanded once (a single statement, a bare
string action, ``"Principal": "*"``, a scalar condition value) so rules see
lists only. Malformed parts become sentences in ``problems``; parsing never
raises.
"""

from __future__ import annotations

import json
from typing import Any, Optional

from analyzer.jsonloc import JSONLocError, loads
from analyzer.model import (
    PRINCIPAL_TYPES,
    ConditionEntry,
    LDict,
    LList,
    Location,
    PolicyDocument,
    PrincipalEntry,
    Statement,
    Unknown,
    display,
    embed,
    has_marker,
    loc_of,
    split_marked,
    unknowns_in,
)

_DOCUMENT_KEYS = ("Version", "Id", "Statement")
_STATEMENT_KEYS = ("Sid", "Effect", "Principal", "NotPrincipal", "Action", "NotAction",
                   "Resource", "NotResource", "Condition")
_EFFECTS = ("Allow", "Deny")


def parse_document(value: Any, loc: Optional[Location] = None, file: str = "") -> PolicyDocument:
    """The policy ``value`` (JSON text, decoded JSON or ``Unknown``) as a model."""
    whole = _whole_unknown(value)
    if whole is not None:
        return PolicyDocument(statements=[], unknown=whole, locs=_at(loc_of(whole, loc)))
    if isinstance(value, str):
        return _parse_text(value, loc_of(value, loc), file)
    return _parse_value(value, loc)


def _parse_text(text: str, loc: Optional[Location], file: str) -> PolicyDocument:
    try:
        spans = getattr(text, "spans", ())
        if loc is None:
            decoded = loads(str(text), file, spans=spans)
        else:
            decoded = loads(str(text), loc.file, loc.line, loc.column, spans=spans)
    except JSONLocError as error:
        where = Location(loc.file if loc else file, error.line, error.column)
        return _undecodable(text, where, str(error))
    except RecursionError:
        return _undecodable(text, loc, "nested too deeply")
    doc = _parse_value(decoded.value, loc)
    doc.problems.extend(f"duplicate key {key!r} at line {key_loc.line}; the last value is used"
                        for key, key_loc in decoded.duplicates)
    return doc


def _undecodable(text: str, loc: Optional[Location], reason: str) -> PolicyDocument:
    """A document whose text is not JSON; an unknown it embeds may be why."""
    return PolicyDocument(statements=[], unknown=next(unknowns_in(text), None),
                          problems=[f"the policy is not valid JSON: {reason}"], locs=_at(loc))


def _parse_value(value: Any, loc: Optional[Location]) -> PolicyDocument:
    doc = PolicyDocument(statements=[], locs=_at(loc_of(value, loc)))
    if not isinstance(value, dict):
        doc.problems.append(f"the policy must be a JSON object, not {_kind(value)}")
        return doc
    doc.problems.extend(f"unknown top-level element {display(key)!r}"
                        for key in value if key not in _DOCUMENT_KEYS)
    doc.version = value.get("Version")
    doc.id = value.get("Id")
    if "Statement" not in value:
        doc.problems.append("the policy has no Statement")
        return doc
    statements = value["Statement"]
    whole = _whole_unknown(statements)
    if whole is not None:
        doc.unknown = whole
        return doc
    if isinstance(statements, dict):
        statements = [statements]
    elif not isinstance(statements, (list, tuple)):
        doc.problems.append(f"Statement must be an object or a list of objects, not {_kind(statements)}")
        return doc
    fallback = _key_loc(value, "Statement", doc.where())
    for index, raw in enumerate(statements):
        unknown = _whole_unknown(raw)
        if unknown is not None:
            doc.unknown = doc.unknown or unknown
        elif isinstance(raw, dict):
            doc.statements.append(_parse_statement(raw, index, fallback, doc.locs))
        else:
            doc.problems.append(f"statement #{index + 1} must be an object, not {_kind(raw)}")
    return doc


def _parse_statement(raw: dict, index: int, fallback: Optional[Location], locs: dict) -> Statement:
    """The statement ``raw``; where it and its elements are written goes to ``locs``."""
    st = Statement(index=index, sid=None, effect=None)
    loc = loc_of(raw, fallback)
    st.problems.extend(f"unknown element {display(key)!r}" for key in raw if key not in _STATEMENT_KEYS)
    st.sid = _sid(raw, st)
    st.effect = _effect(raw, st)
    st.actions, st.not_actions = _string_lists(raw, "Action", "NotAction", st, loc)
    st.resources, st.not_resources = _string_lists(raw, "Resource", "NotResource", st, loc)
    if "Principal" in raw and "NotPrincipal" in raw:
        st.problems.append("the statement has both Principal and NotPrincipal")
    if "Principal" in raw:
        st.principals = _principal_entries(raw["Principal"], "Principal", st)
    if "NotPrincipal" in raw:
        st.not_principals = _principal_entries(raw["NotPrincipal"], "NotPrincipal", st)
    if "Condition" in raw:
        st.conditions = _conditions(raw["Condition"], st)
    written = {st.path: loc}
    for key in ("Principal", "NotPrincipal", "Condition"):
        if key in raw:
            written[f"{st.path}/{key}"] = _key_loc(raw, key, loc)
    locs.update((path, where) for path, where in written.items() if where is not None)
    return st


def _sid(raw: dict, st: Statement) -> Optional[str]:
    sid = raw.get("Sid")
    if sid is None or isinstance(sid, str):
        return sid
    if isinstance(sid, Unknown):
        return display(sid)
    st.problems.append(f"Sid must be a string, not {_kind(sid)}")
    return None


def _effect(raw: dict, st: Statement) -> Any:
    if "Effect" not in raw:
        st.problems.append("the statement has no Effect")
        return None
    effect = raw["Effect"]
    if not (isinstance(effect, Unknown) or (isinstance(effect, str) and has_marker(effect))
            or effect in _EFFECTS):
        st.problems.append(f"Effect must be Allow or Deny, not {display(effect)!r}")
    return effect


def _string_lists(raw: dict, name: str, not_name: str, st: Statement, loc: Optional[Location]) -> tuple:
    """The ``name`` and ``not_name`` elements as lists (None when absent)."""
    if name in raw and not_name in raw:
        st.problems.append(f"the statement has both {name} and {not_name}")
    elif name not in raw and not_name not in raw:
        st.problems.append(f"the statement has neither {name} nor {not_name}")
    return tuple(_string_list(raw[key], key, st, loc) if key in raw else None for key in (name, not_name))


def _string_list(value: Any, name: str, st: Statement, loc: Optional[Location] = None) -> LList:
    if isinstance(value, (str, Unknown)):
        return LList([value], loc_of(value, loc))
    if not isinstance(value, (list, tuple)):
        st.problems.append(f"{name} must be a string or a list of strings, not {_kind(value)}")
        return LList([], loc_of(value, loc))
    items = LList([], loc_of(value, loc))
    for item in value:
        if isinstance(item, (str, Unknown)):
            items.append(item)
        else:
            st.problems.append(f"{name} holds {_kind(item)}, not a string")
    return items


def _principal_entries(value: Any, name: str, st: Statement) -> list:
    """One ``PrincipalEntry`` per principal value.

    A principal that is unknown as a whole (or whose type is unknown) becomes
    one AWS entry holding the ``Unknown``: its type cannot matter more than
    its value, which already leaves the verdict undecided.
    """
    if value == "*":
        return [PrincipalEntry("*", value)]
    if isinstance(value, (str, Unknown)):
        if _whole_unknown(value) is None:
            st.problems.append(f'{name} must be "*" or an object, not the string {display(value)!r}')
        return [PrincipalEntry("AWS", value)]
    if not isinstance(value, dict):
        st.problems.append(f'{name} must be "*" or an object, not {_kind(value)}')
        return []
    entries = []
    for ptype, values in value.items():
        unknown_type = _whole_unknown(ptype)
        if unknown_type is not None:
            entries.append(PrincipalEntry("AWS", unknown_type))
        elif ptype not in PRINCIPAL_TYPES:
            st.problems.append(f"{name} has an unknown principal type {display(ptype)!r}")
        else:
            entries.extend(PrincipalEntry(ptype, item) for item in _string_list(values, f"{name} {ptype}", st))
    return entries


def _conditions(value: Any, st: Statement) -> list:
    """The Condition block as operator → key → values entries.

    An unknown part stands in for what it hides: an unknown block is one
    entry whose operator embeds the unknown, an unknown operator map one
    entry whose key is the unknown.
    """
    whole = _whole_unknown(value)
    if whole is not None:
        return [ConditionEntry(embed(whole), whole, [whole])]
    if not isinstance(value, dict):
        st.problems.append(f"Condition must be an object, not {_kind(value)}")
        return []
    entries = []
    for operator, keys in value.items():
        op_text = embed(operator) if isinstance(operator, Unknown) else operator
        if not isinstance(op_text, str):
            st.problems.append(f"condition operator {display(operator)} is not a string")
            continue
        unknown = _whole_unknown(keys)
        if unknown is not None:
            entries.append(ConditionEntry(op_text, unknown, [unknown]))
        elif not isinstance(keys, dict):
            st.problems.append(f"condition operator {display(op_text)!r} must map to an object, "
                               f"not {_kind(keys)}")
        else:
            entries.extend(ConditionEntry(op_text, key, _condition_values(values, key, st))
                           for key, values in keys.items())
    return entries


def _condition_values(values: Any, key: Any, st: Statement) -> list:
    if isinstance(values, Unknown):
        return [values]
    items = values if isinstance(values, (list, tuple)) else [values]
    result = []
    for item in items:
        if isinstance(item, (str, Unknown)):
            result.append(item)
        elif isinstance(item, (bool, int, float)):
            result.append(json.dumps(item))
        else:
            st.problems.append(f"condition key {display(key)!r} holds {_kind(item)}, "
                               "not a string, number or boolean")
    return result


def _at(loc: Optional[Location]) -> dict:
    """A location table holding where the document is written, when known."""
    return {"": loc} if loc is not None else {}


def _whole_unknown(value: Any) -> Optional[Unknown]:
    """The ``Unknown`` that ``value`` is as a whole, also as a lone string marker."""
    if isinstance(value, Unknown):
        return value
    if isinstance(value, str) and has_marker(value):
        parts = split_marked(value)
        if len(parts) == 1:
            return parts[0]
    return None


def _key_loc(mapping: dict, key: Any, fallback: Optional[Location]) -> Optional[Location]:
    """Where ``key`` of ``mapping`` (or its value) was written, else ``fallback``."""
    if isinstance(mapping, LDict):
        found = mapping.loc_of_key(key)
    else:
        found = loc_of(mapping.get(key))
    return found or fallback


def _kind(value: Any) -> str:
    """The JSON type of ``value`` as a noun phrase."""
    if isinstance(value, Unknown):
        return "an unknown value"
    if isinstance(value, bool):
        return "a boolean"
    if isinstance(value, (int, float)):
        return "a number"
    if isinstance(value, str):
        return "a string"
    if isinstance(value, dict):
        return "an object"
    if isinstance(value, (list, tuple)):
        return "a list"
    if value is None:
        return "null"
    return type(value).__name__

"""The data sources whose results are computed locally by Terraform.

``aws_iam_policy_document`` is rendered to the document Terraform would
produce (as a structure, so locations survive); ``aws_caller_identity``
yields the owner account. Every other data source is read from the cloud at
plan time, so its attributes are unknown.
"""

from __future__ import annotations

import json

from analyzer.model import DATA, OWNER, LDict, LList, Location, LStr, Unknown, embed, has_marker
from analyzer.terraform.functions import JsonText

CALLER_IDENTITY = "aws_caller_identity"
POLICY_DOCUMENT = "aws_iam_policy_document"

_CONDITION_FIELDS = ("test", "variable", "values")


def caller_identity_attribute(address: str, name: str, loc: Location):
    owner = Unknown(f"{address}.account_id", OWNER, loc)
    if name in ("account_id", "id"):
        return owner
    if name == "arn":
        return "arn:" + embed(Unknown("partition", DATA)) + ":iam::" + embed(owner) + ":" \
            + embed(Unknown(f"{address}.arn", DATA))
    return Unknown(f"{address}.{name}", DATA, loc)


class PolicyDocumentRenderer:
    """Renders one ``aws_iam_policy_document`` instance.

    ``attr(name)`` evaluates an argument of the block (with the instance's
    ``count``/``each``), ``blocks(body, type)`` expands nested and
    ``dynamic`` blocks into ``(body, scope)`` pairs. Both come from the
    module instance, which owns evaluation.
    """

    def __init__(self, instance, body, scope, loc: Location):
        self.instance = instance
        self.body = body
        self.scope = scope
        self.loc = loc

    def render(self):
        """The document as a structure, or an ``Unknown`` naming what is missing.

        Built as the provider builds it: the ``source_policy_documents`` in
        order, then this block's own statements, ``version`` and
        ``policy_id``, then the ``override_policy_documents`` in order, each
        merged into the result by ``_merge``."""
        sources = self._documents("source_policy_documents")
        if isinstance(sources, Unknown):
            return sources
        overrides = self._documents("override_policy_documents")
        if isinstance(overrides, Unknown):
            return overrides
        own = LDict(loc=self.loc)
        version = self._attr("version")
        own["Version"] = "2012-10-17" if version is None else version
        policy_id = self._attr("policy_id")
        if policy_id is not None:
            own["Id"] = policy_id
        own["Statement"] = [self._statement(block, scope)
                            for block, scope in self.instance.expand_blocks(self.body, "statement", self.scope)]
        merged = LDict(loc=self.loc)
        merged["Statement"] = LList([], self.loc)
        for document in sources + [own] + overrides:
            _merge(merged, document)
        doc = LDict(((key, merged[key]) for key in ("Version", "Id", "Statement") if key in merged), self.loc,
                    {"Version": self._attr_loc("version"), "Id": self._attr_loc("policy_id"), "Statement": self.loc})
        return JsonText(json.dumps(_plain(doc), sort_keys=False), doc)

    def _attr(self, name, body=None, scope=None):
        body = body or self.body
        attribute = body.attributes.get(name)
        if attribute is None:
            return None
        return self.instance.evaluator.value(attribute.expr, scope or self.scope)

    def _attr_loc(self, name, body=None):
        attribute = (body or self.body).attributes.get(name)
        return attribute.loc if attribute else self.loc

    def _documents(self, name):
        value = self._attr(name)
        if value is None:
            return []
        if isinstance(value, Unknown):
            return value
        if not isinstance(value, list):
            value = [value]
        documents = []
        for item in value:
            decoded = _decode(item)
            if isinstance(decoded, Unknown):
                return decoded
            documents.append(decoded)
        return documents

    def _statement(self, block, scope) -> LDict:
        body = block.body
        stmt = LDict(loc=block.loc)
        for key, field in (("Sid", "sid"), ("Effect", "effect")):
            value = self._attr(field, body, scope)
            if value is not None:
                stmt[key] = value
                stmt.key_locs[key] = self._attr_loc(field, body)
        if "Effect" not in stmt:
            stmt["Effect"] = "Allow"
        for key, field in (("Action", "actions"), ("NotAction", "not_actions"),
                           ("Resource", "resources"), ("NotResource", "not_resources")):
            value = self._attr(field, body, scope)
            if value is not None:
                stmt[key] = _sorted_set(value)
                stmt.key_locs[key] = self._attr_loc(field, body)
        for key, block_type in (("Principal", "principals"), ("NotPrincipal", "not_principals")):
            principals = self._principals(body, scope, block_type)
            if principals is not None:
                stmt[key] = principals
                stmt.key_locs[key] = principals.loc
        condition = self._conditions(body, scope)
        if condition:
            stmt["Condition"] = condition
            stmt.key_locs["Condition"] = condition.loc
        return stmt

    def _principals(self, body, scope, block_type):
        blocks = list(self.instance.expand_blocks(body, block_type, scope))
        if not blocks:
            return None
        first = blocks[0][0]
        result = LDict(loc=self._attr_loc("identifiers", first.body) if "identifiers" in first.body.attributes
                       else first.loc)
        for block, block_scope in blocks:
            block_body = block.body
            kind = self._attr("type", block_body, block_scope)
            identifiers = self._attr("identifiers", block_body, block_scope)
            loc = self._attr_loc("identifiers", block_body)
            if isinstance(kind, Unknown) or not isinstance(kind, str):
                kind = "AWS"
            if kind == "*" and isinstance(identifiers, list) and list(identifiers) == ["*"]:
                return LStr("*", loc)
            if isinstance(identifiers, Unknown):
                result[kind] = identifiers
            else:
                existing = result.get(kind)
                merged = (list(existing) if isinstance(existing, list) else []) + \
                    (list(identifiers) if isinstance(identifiers, list) else [identifiers])
                result[kind] = LList(merged, loc)
            result.key_locs[kind] = loc
        return result

    def _conditions(self, body, scope):
        blocks = list(self.instance.expand_blocks(body, "condition", scope))
        if not blocks:
            return None
        result = LDict(loc=blocks[0][0].loc)
        for block, block_scope in blocks:
            block_body = block.body
            test, variable, values = (self._attr(f, block_body, block_scope) for f in _CONDITION_FIELDS)
            loc = block.loc
            if isinstance(test, Unknown) or isinstance(variable, Unknown):
                result[embed(test if isinstance(test, Unknown) else variable)] = LDict({}, loc)
                continue
            operator = result.setdefault(test, LDict(loc=loc))
            result.key_locs.setdefault(test, loc)
            if isinstance(values, Unknown):
                operator[variable] = values
            else:
                previous = operator.get(variable)
                merged = (list(previous) if isinstance(previous, list) else []) + \
                    (list(values) if isinstance(values, list) else [values])
                operator[variable] = LList(merged, loc)
            operator.key_locs[variable] = loc
        return result


def _sorted_set(value):
    """Terraform renders ``actions``/``resources`` sets sorted and deduplicated."""
    if isinstance(value, Unknown) or not isinstance(value, list):
        return value
    known = [v for v in value if isinstance(v, str)]
    others = [v for v in value if not isinstance(v, str)]
    ordered = sorted(set(known), key=str)
    items = [next(v for v in known if v == s) for s in ordered] + others
    if len(items) == 1:
        return items[0]
    return LList(items, getattr(value, "loc", None))


def _decode(value):
    from analyzer.terraform.functions import FunctionError, call

    if isinstance(value, JsonText):
        return value.value
    if isinstance(value, Unknown) or isinstance(value, dict):
        return value
    try:
        return call("jsondecode", [value], None)
    except FunctionError as exc:
        return Unknown("source policy document", DATA, hint=str(exc))


def _merge(doc: LDict, new) -> None:
    """Merge the document ``new`` into ``doc`` as the provider's
    ``IAMPolicyDoc.Merge`` does: adopt its Id, let its Version upgrade
    ``doc``'s, and add its statements, each replacing in place the statement
    with the same Sid. Only a known Sid can name the same statement twice."""
    if not isinstance(new, dict):
        return
    if new.get("Id"):
        doc["Id"] = new["Id"]
    version, current = new.get("Version"), doc.get("Version")
    if version and (not isinstance(current, str) or isinstance(version, str) and version > current):
        doc["Version"] = version
    statements = doc["Statement"]
    for stmt in _statements_of(new):
        sid = stmt.get("Sid") if isinstance(stmt, dict) else None
        known = isinstance(sid, str) and sid and not has_marker(sid)
        position = next((i for i, s in enumerate(statements)
                         if known and isinstance(s, dict) and s.get("Sid") == sid), None)
        if position is None:
            statements.append(stmt)
        else:
            statements[position] = stmt


def _statements_of(document):
    if not isinstance(document, dict):
        return []
    statements = document.get("Statement")
    if isinstance(statements, dict):
        return [statements]
    return list(statements) if isinstance(statements, list) else []


def _plain(value):
    if isinstance(value, Unknown):
        return embed(value)
    if isinstance(value, dict):
        return {str(k): _plain(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_plain(v) for v in value]
    return value

"""Fixes of identity policies (SES101 public, SES102 untrusted account,
SES103 service without source): a condition added to the statement that
grants, in the syntax the statement is written in.

Trust decides the value: ``aws:PrincipalOrgID`` with the trusted
organizations, else ``aws:PrincipalAccount`` with the trusted accounts,
else the deploying account (``data.aws_caller_identity`` in Terraform,
``AWS::AccountId`` in CloudFormation); SES103 gets ``aws:SourceAccount``
with the trusted accounts or the deploying account. A statement that
already has a Condition (outside an ``aws_iam_policy_document``) is not
merged automatically: the fix is refused and says so.
"""

from __future__ import annotations

import json
import os
import re

from analyzer.fix import Edit, Fix, lines_of, refuse, source
from analyzer.policy.describe import statement_path

OWNER = object()  # the deploying account, spelled per syntax
_CALLER = re.compile(r'data\s+"aws_caller_identity"\s+"([\w-]+)"')


def _condition(rule_id: str, settings):
    """``(key, values)``; a value is a string or ``OWNER``."""
    if rule_id == "SES103":
        return "aws:SourceAccount", list(settings.trusted_accounts) or [OWNER]
    if settings.trusted_orgs:
        return "aws:PrincipalOrgID", list(settings.trusted_orgs)
    return "aws:PrincipalAccount", list(settings.trusted_accounts) or [OWNER]


def _grant(finding, context, model, settings):
    """The policy and statement a finding is about (the grants indexed once per scan)."""
    if not settings.grants:
        for policy, _verdict, grant in context.grants(model):
            settings.grants.setdefault((policy.address, statement_path(grant.statement)), (policy, grant.statement))
    path = finding.logical_path
    for end in (i + 1 for i, char in enumerate(path) if char == "]"):
        found = settings.grants.get((finding.resource, path[:end]))
        if found:
            return found
    return None, None


def _indent(line: str) -> str:
    return re.match(r"[ \t]*", line).group(0)


def _caller_identity(file: str, settings, edits: list) -> str:
    """The Terraform expression of the deploying account in ``file``'s
    module; a ``data "aws_caller_identity"`` is added when it has none."""
    directory = os.path.dirname(file) or "."
    for name in sorted(os.listdir(directory)):
        if name.endswith((".tf", ".tofu")):
            text = source(settings, name if directory == "." else os.path.join(directory, name))
            match = _CALLER.search(text or "")
            if match:
                return f"data.aws_caller_identity.{match.group(1)}.account_id"
    text = source(settings, file)
    lines = lines_of(settings, file)
    if text.endswith("\n") or not lines:
        edits.append(Edit(file, len(lines) + 1, 1, len(lines) + 1, 1, '\ndata "aws_caller_identity" "current" {}\n'))
    else:
        last = len(lines[-1]) + 1
        edits.append(Edit(file, len(lines), last, len(lines), last, '\n\ndata "aws_caller_identity" "current" {}\n'))
    return "data.aws_caller_identity.current.account_id"


def _closing(lines: list, loc):
    """The line number of the statement's closing brace, when it stands alone."""
    if not (0 < loc.line < loc.end_line <= len(lines)):
        return None
    return loc.end_line if lines[loc.end_line - 1].strip().startswith("}") else None


def _hcl_block(statement, at, lines, key, values, owner):
    closing = _closing(lines, at)
    if closing is None:
        return None, "the statement block does not end on a line of its own"
    for entry in statement.conditions:
        if str(entry.operator).lower() == "stringequals" and str(entry.key).lower() == key.lower():
            return None, f"the statement already has a StringEquals {key} condition: widen or narrow it by hand"
    body = [l for l in lines[at.line:closing - 1] if l.strip()]
    ind = _indent(body[0]) if body else _indent(lines[at.line - 1]) + "  "
    rendered = ", ".join(owner if v is OWNER else json.dumps(v) for v in values)
    text = (f"{ind}condition {{\n{ind}  test     = \"StringEquals\"\n{ind}  variable = \"{key}\"\n"
            f"{ind}  values   = [{rendered}]\n{ind}}}\n")
    return Edit(at.file, closing, 1, closing, 1, text), ""


def _hcl_object(loc, lines, key, values, owner):
    rendered = [owner if v is OWNER else json.dumps(v) for v in values]
    value = rendered[0] if len(rendered) == 1 else f"[{', '.join(rendered)}]"
    condition = f'Condition = {{ StringEquals = {{ "{key}" = {value} }} }}'
    closing = _closing(lines, loc)
    if closing is None:
        line = lines[loc.end_line - 1] if 0 < loc.end_line <= len(lines) else ""
        brace = loc.end_column - 2  # the closing brace, 0-based
        if not (0 <= brace < len(line) and line[brace] == "}"):
            return None, "the end of the statement object is not where the parser saw it"
        after = len(line[:brace].rstrip())
        separator = "" if line[:after].endswith(("{", ",")) else ","
        return Edit(loc.file, loc.end_line, after + 1, loc.end_line, after + 1, f"{separator} {condition}"), ""
    body = [l for l in lines[loc.line:closing - 1] if l.strip()]
    ind = _indent(body[0]) if body else "  "
    return Edit(loc.file, closing, 1, closing, 1, f"{ind}{condition}\n"), ""


def _json_member(at, lines, key, values, owner_json):
    """Add ``"Condition": ...`` after the last member of the statement written at ``at``."""
    closing = _closing(lines, at)
    if closing is None:
        return None, "the statement object does not end on a line of its own"
    if any('\\"' in line for line in lines[at.line - 1:closing]):
        return None, "the statement is JSON inside a string: edit the code that builds it"
    last = next((n for n in range(closing - 1, at.line - 1, -1) if lines[n - 1].strip()), None)
    if last is None or last == at.line and lines[last - 1].rstrip().endswith("{"):
        return None, "the statement has no member to add the condition after"
    rendered = [owner_json if v is OWNER else json.dumps(v) for v in values]
    value = rendered[0] if len(rendered) == 1 else f"[{', '.join(rendered)}]"
    text = lines[last - 1].rstrip("\r\n")
    column = len(text.rstrip()) + 1
    ind = _indent(lines[last - 1])
    insert = f',\n{ind}"Condition": {{"StringEquals": {{"{key}": {value}}}}}'
    return Edit(at.file, last, column, last, column, insert), ""


def _yaml_mapping(loc, lines, key, values):
    first = lines[loc.line - 1][loc.column - 1:] if 0 < loc.line <= len(lines) else ""
    if first.lstrip().startswith("{"):
        return None, "the statement is a flow mapping on one line: edit it by hand"
    end = loc.end_line - 1 if loc.end_column <= 1 else loc.end_line
    end = min(end, len(lines))
    last = next((n for n in range(end, loc.line - 1, -1) if lines[n - 1].strip()
                 and not lines[n - 1].strip().startswith("#")), loc.line)
    ind = " " * (loc.column - 1)
    rendered = ["!Ref AWS::AccountId" if v is OWNER else json.dumps(v) for v in values]
    value = rendered[0] if len(rendered) == 1 else f"[{', '.join(rendered)}]"
    text = f"{ind}Condition:\n{ind}  StringEquals:\n{ind}    {key}: {value}\n"
    return Edit(loc.file, last + 1, 1, last + 1, 1, text), ""


def _fix(finding, resources, model, context, settings) -> Fix:
    key, values = _condition(finding.rule_id, settings)
    shown = ", ".join("the deploying account" if v is OWNER else v for v in values)
    description = f"add a StringEquals {key} condition ({shown}) to the statement"
    policy, statement = _grant(finding, context, model, settings)
    if policy is not None and policy.document is None:
        return refuse(description, "the policy is one of several documents an unknown key picks: "
                                   "fix each of them by hand")
    at = policy.document.locs.get(statement.path) if statement is not None else None
    if at is None or not at.file:
        return refuse(description, "the statement's place in the source is not known")
    lines = lines_of(settings, at.file)
    if lines is None:
        return refuse(description, f"{at.file} cannot be read now")
    file = at.file
    edits: list = []
    has_condition = bool(statement.conditions) or f"{statement.path}/Condition" in policy.document.locs
    if policy.source_format == "plan":
        return refuse(description, "a plan is generated: fix the Terraform it came from")
    if policy.source_format == "cloudformation":
        if has_condition:
            return refuse(description, "the statement already has a Condition: add the key to it by hand")
        if file.endswith(".json"):
            edit, why = _json_member(at, lines, key, values, '{"Ref": "AWS::AccountId"}')
        else:
            edit, why = _yaml_mapping(at, lines, key, values)
    elif file.endswith((".tf", ".tofu")):
        line = lines[at.line - 1][at.column - 1:] if at.line <= len(lines) else ""
        next_key = next((l for l in lines[at.line:at.end_line] if l.strip()), "")
        if line.lstrip().startswith("statement"):
            owner = _caller_identity(file, settings, edits) if OWNER in values else ""
            edit, why = _hcl_block(statement, at, lines, key, values, owner)
        elif has_condition:
            return refuse(description, "the statement already has a Condition: add the key to it by hand")
        elif re.match(r'\s*"[^"]+"\s*:', next_key):
            owner = _caller_identity(file, settings, edits) if OWNER in values else ""
            edit, why = _json_member(at, lines, key, values, f'"${{{owner}}}"')
        else:
            owner = _caller_identity(file, settings, edits) if OWNER in values else ""
            edit, why = _hcl_object(at, lines, key, values, owner)
    else:
        if OWNER in values:
            return refuse(description, f"the statement is in {file}, which cannot name the deploying account: "
                          "name the trusted accounts (--trusted-account) to get a literal fix")
        if has_condition:
            return refuse(description, "the statement already has a Condition: add the key to it by hand")
        edit, why = _json_member(at, lines, key, values, "")
    if edit is None:
        return refuse(description, why)
    return Fix(description, tuple([edit] + edits))


FIXERS = {"SES101": _fix, "SES102": _fix, "SES103": _fix}

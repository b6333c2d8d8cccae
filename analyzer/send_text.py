"""Whether a text can grant an SES send action, read before anything is parsed.

The pre-filter (``analyzer.discover``, ``analyzer.documents``) must not skip
an IAM policy that lets someone send (SES110, SES111), and must not parse
every IAM policy of a monorepo either. A text can grant a send action when
it holds, in any case and in any syntax (HCL, JSON, JSON escaped inside a
string, YAML, heredocs, templates):

- a word ``ses:`` followed by an action pattern that matches a send action
  (``ses:SendEmail``, ``SES:*``, ``ses:Send*``) or by an interpolation or
  nothing (``"ses:${var.action}"``: it cannot be ruled out);
- after a key that ends in ``action`` or ``actions`` (``Action``,
  ``actions``, ``allowed_actions``), a literal string or list holding a
  pattern that matches a send action without naming ``ses:`` (``"*"``,
  ``"*:*"``, ``"s*"``, ``"*:Send*"``), an interpolation standing for
  anything (``"${var.service}:*"`` can grant, ``"${var.service}:List*"``
  cannot);
- after ``NotAction`` / ``not_actions``, a literal list that leaves a send
  action out, or has an interpolation (an ``Allow`` with ``NotAction =
  ["iam:*"]`` grants ``ses:SendEmail``).

The last two are not signals in a statement (the innermost ``{...}`` around
the key) whose effect is a literal ``Deny`` or that names a principal, as
neither grants an identity-based permission.

A key followed by a reference (``actions = var.actions``) is not a signal
by itself: the literal is wherever the value is written (a caller, a tfvars
file), and that text is read too. Matching uses IAM's own wildcards
(``analyzer.policy.wildcard``), so ``"ses:GetSendQuota"``, a resource ARN
``arn:aws:ses:...`` or a ``Resource = "*"`` is no signal.
"""

from __future__ import annotations

import re

from analyzer.policy.wildcard import SEND_ACTIONS, iam_match

_ACTION_KEY = re.compile(rb'actions?\\?["\']?\s*[:=](?!=)')
# What may stand between the items of a literal list: HCL, JSON, YAML flow and block sequences
_BETWEEN = re.compile(rb"(?:\s|[\[,-]|#[^\n]*)*")
_ITEM = re.compile(rb'\\?"((?:[^"\\\n]|\\[^"\n])*)\\?"|\'([^\'\n]*)\'|([a-z0-9:*?]+)')
_SES_TOKEN = re.compile(rb"[a-z0-9*?]*")
_INTERPOLATION = re.compile(rb"\$\{[^}]*\}?")  # "${statement.value}:List*" can be anything:List*
_MAX_ITEMS = 500  # items read after one key: a policy lists far fewer
_MAX_STATEMENT = 20000  # bytes searched around a key for its statement's braces
_DENY = re.compile(rb'effect\\?["\']?\s*[:=]\s*\\?["\']deny\\?["\']')
_PRINCIPAL = re.compile(rb'principals?\\?["\']?\s*[:={]')


def grants_send(data: bytes) -> bool:
    """Whether ``data`` (file bytes) can grant a send action (see the module docstring)."""
    low = data.lower()
    return _ses_word(low) or (b"action" in low and _action_literal(low))


def _word_start(data: bytes, offset: int) -> bool:
    return offset == 0 or not (data[offset - 1:offset].isalnum() or data[offset - 1] == 0x5F)


def _matches_send(pattern: bytes) -> bool:
    text = pattern.decode("ascii", "replace")
    return any(iam_match(text, action) for action in SEND_ACTIONS)


def _ses_word(low: bytes) -> bool:
    start = low.find(b"ses:")
    while start >= 0:
        if _word_start(low, start):
            end = _SES_TOKEN.match(low, start + 4).end()
            token = low[start:end]
            if end == start + 4 or low[end:end + 1] in (b"$", b"%", b"{") or _matches_send(token):
                return True
        start = low.find(b"ses:", start + 4)
    return False


def _action_literal(low: bytes) -> bool:
    for key in _ACTION_KEY.finditer(low):
        negated = low[max(0, key.start() - 4):key.start()].endswith((b"not", b"not_"))
        items = _literal_items(low, key.end())
        if not items:
            continue
        if negated:
            grants = any(b"${" in item for item in items) or not all(
                any(iam_match(i.decode("ascii", "replace"), a) for i in items) for a in SEND_ACTIONS)
        else:
            grants = any(_matches_send(_INTERPOLATION.sub(b"*", item)) for item in items)
        if grants and not _not_an_identity_grant(low, key.start()):
            return True
    return False


def _not_an_identity_grant(low: bytes, pos: int) -> bool:
    """Whether the statement around ``pos`` (the innermost ``{...}``: an HCL
    ``statement`` block, a JSON or ``jsonencode`` object) surely grants no
    identity-based permission: its effect is a literal ``Deny``, or it names
    a principal (a resource policy: a VPC endpoint's, a bucket's; an SES
    identity policy is kept by its own resource type). Without braces
    (YAML) nothing is ruled out."""
    start, depth = pos, 0
    while start > max(0, pos - _MAX_STATEMENT):
        start -= 1
        char = low[start]
        if char == 0x7D:  # }
            depth += 1
        elif char == 0x7B:  # {
            if depth == 0:
                break
            depth -= 1
    else:
        return False
    end, depth, limit = pos, 0, min(len(low), pos + _MAX_STATEMENT)
    while end < limit:
        char = low[end]
        if char == 0x7B:
            depth += 1
        elif char == 0x7D:
            if depth == 0:
                break
            depth -= 1
        end += 1
    else:
        return False
    statement = low[start:end]
    return bool(_DENY.search(statement) or _PRINCIPAL.search(statement))


def _literal_items(low: bytes, pos: int) -> list:
    """The literal strings written after an action key, up to the first thing that is not one."""
    items = []
    while len(items) < _MAX_ITEMS:
        pos = _BETWEEN.match(low, pos).end()
        item = _ITEM.match(low, pos)
        if item is None:
            break
        text = next(g for g in item.groups() if g is not None)
        if item.group(3) is not None and (text.endswith(b":") or not (b"*" in text or b"?" in text or b":" in text)):
            break  # a reference (var.x, local.y), a keyword or a YAML key, not a literal
        items.append(text)
        pos = item.end()
    return items

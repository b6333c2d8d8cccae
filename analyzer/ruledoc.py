"""A rule's documentation in the forms its readers need.

A rule's docstring (``checks/*.py``) is written in a small reST-like form:
paragraphs, ``Why:`` / ``Example (...):`` / ``Fix:`` lead words, ````code````
spans and code examples indented by four spaces. ``markdown`` renders it as
CommonMark (SARIF ``help.markdown``, ``docs/rules.md``), ``plain`` as plain
text (``sesguard explain``, SARIF ``help.text``).
"""

from __future__ import annotations

import re

RULES_PAGE = "docs/rules.md"
RULES_URL = "https://github.com/sesguard/sesguard/blob/main/" + RULES_PAGE
_CODE_SPAN = re.compile(r"``(.+?)``", re.S)
_LEAD = re.compile(r"^(Why|Fix|Example(?: \([^)]*\))?|Note|References?):")


def anchor(rule_id: str) -> str:
    """The anchor of a rule in ``docs/rules.md`` (an explicit ``id``, stable whatever the heading says)."""
    return rule_id.lower()


def help_uri(rule_id: str) -> str:
    return f"{RULES_URL}#{anchor(rule_id)}"


def _blocks(doc: str):
    """``("text", lines)`` paragraphs and ``("code", lines)`` indented examples, in order."""
    blocks, current, kind = [], [], "text"
    for line in doc.splitlines():
        indented = line.startswith("    ")
        if kind == "code" and (indented or not line.strip()):
            current.append(line[4:])
            continue
        if kind == "code":
            while current and not current[-1].strip():
                current.pop()
            blocks.append(("code", current))
            current, kind = [], "text"
        if not line.strip():
            if current:
                blocks.append(("text", current))
            current = []
        elif indented and not current:
            kind, current = "code", [line[4:]]
        else:
            current.append(line)
    if current:
        while current and not current[-1].strip():
            current.pop()
        blocks.append((kind, current))
    return blocks


def _language(previous: str) -> str:
    if "CloudFormation" in previous:
        return "yaml"
    if "Terraform" in previous:
        return "hcl"
    return ""


def _inline_markdown(text: str) -> str:
    def span(m):
        content = " ".join(m.group(1).split())
        fence = "``" if "`" in content else "`"
        pad = " " if content.startswith("`") or content.endswith("`") else ""
        return f"{fence}{pad}{content}{pad}{fence}"

    return _CODE_SPAN.sub(span, text)


def markdown(doc: str) -> str:
    """CommonMark: lead words in bold, code spans in single backticks, examples fenced."""
    out, previous = [], ""
    for kind, lines in _blocks(doc):
        if kind == "code":
            out.append("\n".join([f"```{_language(previous)}"] + lines + ["```"]))
            continue
        text = "\n".join(lines)
        previous = text
        text = _inline_markdown(text)
        out.append(_LEAD.sub(lambda m: f"**{m.group(1)}:**", text))
    return "\n\n".join(out) + "\n"


def plain(doc: str) -> str:
    """Plain text: code spans without their markup, examples indented."""
    out = []
    for kind, lines in _blocks(doc):
        if kind == "code":
            out.append("\n".join("    " + line if line else "" for line in lines))
        else:
            out.append(_CODE_SPAN.sub(lambda m: m.group(1), "\n".join(lines)))
    return "\n\n".join(out) + "\n"

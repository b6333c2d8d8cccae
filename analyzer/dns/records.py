"""Record data as each DNS provider takes it, into the model's form.

The same SPF record is written four ways: the AWS provider quotes a TXT
value itself unless it already starts with a quote; CloudFormation passes
values to Route 53 as they are, so a TXT value must carry its own quotes;
Cloudflare and Azure take the text and split it into 255-octet strings
themselves; Google Cloud DNS reads presentation format, so an unquoted
value is split at every space. The model keeps a TXT record as the tuple
of character strings it will hold once published (RFC 1035 §3.3.14), and
says when the written form will not publish what the author meant.

Values may embed unknown parts (see ``analyzer.model``); they are kept
whole through the splitting.
"""

from __future__ import annotations

import re
from typing import Any

from analyzer.model import Unknown, display, embed, split_marked

TXT_TYPES = ("TXT", "SPF")
MAX_STRING = 255  # octets in one character-string (RFC 1035 §3.3)

_PLACEHOLDER = re.compile("\ue003(\\d+)\ue003")


def txt_strings(value: Any, provider: str) -> tuple:
    """``(strings, problem)`` for one TXT value as written for ``provider``
    ("route53", "cloudformation", "cloudflare", "azure", "google"):
    the character strings it publishes, and a sentence when the written
    form is wrong (None when it is right)."""
    if isinstance(value, Unknown):
        return (embed(value),), None
    text = str(value)
    if provider in ("cloudflare", "azure"):
        if text.startswith('"'):
            return presentation_strings(text), None
        return _chunks(text), None
    if provider == "route53":
        return presentation_strings(text if text.startswith('"') else f'"{text}"'), None
    if provider == "cloudformation":
        if text.startswith('"'):
            return presentation_strings(text), None
        return (presentation_strings(f'"{text}"'),
                "a TXT value in CloudFormation must be enclosed in double quotes; Route 53 rejects "
                f"{display(text)[:60]!r} as written")
    strings = presentation_strings(text)
    if not text.startswith('"') and len(strings) > 1:
        return strings, (f"Cloud DNS reads an unquoted TXT value as {len(strings)} strings split at its spaces, "
                         f"so it publishes {display(''.join(strings))[:60]!r}; enclose the value in escaped "
                         "double quotes")
    return strings, None


def presentation_strings(text: str) -> tuple:
    """The character strings of TXT data in zone-file presentation format:
    quoted strings (with ``\\"``, ``\\\\`` and ``\\DDD`` escapes) and bare
    words; unknown parts stay whole."""
    text, unknowns = _protect(text)
    strings, i = [], 0
    while i < len(text):
        if text[i].isspace():
            i += 1
            continue
        if text[i] == '"':
            i, string = _quoted(text, i + 1)
        else:
            j = i
            while j < len(text) and not text[j].isspace() and text[j] != '"':
                j += 1
            string, i = _unescape(text[i:j]), j
        strings.append(_restore(string, unknowns))
    return tuple(strings)


def _quoted(text: str, i: int) -> tuple:
    out = []
    while i < len(text) and text[i] != '"':
        if text[i] == "\\" and i + 1 < len(text):
            out.append(text[i:i + 2] if not text[i + 1].isdigit() else text[i:i + 4])
            i += len(out[-1])
        else:
            out.append(text[i])
            i += 1
    return i + 1, _unescape("".join(out))


def _unescape(text: str) -> str:
    def one(m):
        escaped = m.group(1)
        return chr(int(escaped)) if escaped.isdigit() else escaped
    return re.sub(r"\\(\d{3}|.)", one, text)


def _protect(text: str) -> tuple:
    """Unknown parts replaced by placeholders free of spaces and quotes."""
    unknowns, out = [], []
    for part in split_marked(text):
        if isinstance(part, Unknown):
            out.append(f"\ue003{len(unknowns)}\ue003")
            unknowns.append(part)
        else:
            out.append(part)
    return "".join(out), unknowns


def _restore(text: str, unknowns: list) -> str:
    return _PLACEHOLDER.sub(lambda m: embed(unknowns[int(m.group(1))]), text)


def _chunks(text: str) -> tuple:
    """Text split into strings of at most 255 octets, as Cloudflare and Azure do."""
    if not text:
        return ("",)
    strings, current, size = [], [], 0
    for char in text:
        length = len(char.encode("utf-8"))
        if size + length > MAX_STRING:
            strings.append("".join(current))
            current, size = [], 0
        current.append(char)
        size += length
    strings.append("".join(current))
    return tuple(strings)


def target(value: Any) -> Any:
    """A CNAME/MX target or any other name-valued data, as a full name
    (providers take them as fully qualified): trailing dot added."""
    if isinstance(value, Unknown):
        return value
    text = str(value).strip()
    return text if text.endswith(".") else text + "."


def mx(preference: Any, exchange: Any) -> str:
    """MX data in presentation format."""
    preference = embed(preference) if isinstance(preference, Unknown) else str(preference)
    exchange = embed(exchange) if isinstance(exchange, Unknown) else target(exchange)
    return f"{preference} {exchange}"


def record_values(rtype: Any, values: Any, provider: str) -> tuple:
    """``(values, problems)``: the model's values of a record (see
    ``DnsRecord``) from the list written for ``provider``."""
    if isinstance(values, Unknown) or values is None:
        return values, []
    if not isinstance(values, list):
        values = [values]
    result, problems = [], []
    for value in values:
        if rtype in TXT_TYPES:
            strings, problem = txt_strings(value, provider)
            result.append(strings)
            if problem:
                problems.append(problem)
        elif rtype == "CNAME":
            result.append(embed(value) if isinstance(value, Unknown) else target(value))
        elif rtype == "MX" and isinstance(value, str):
            result.append(_mx_text(value))
        else:
            result.append(embed(value) if isinstance(value, Unknown) else str(value))
    return result, problems


def _mx_text(value: str) -> str:
    preference, _, exchange = value.strip().partition(" ")
    return f"{preference} {target(exchange.strip())}" if exchange.strip() else value


def normalized(rtype: str, entry: Any) -> str:
    """One entry of a record's data as declared and served data are compared:
    a TXT or SPF record's strings joined, any other lower case, without its
    trailing dot and extra spaces."""
    if rtype in TXT_TYPES:
        return joined(entry) if isinstance(entry, tuple) else str(entry)
    return " ".join(str(entry).lower().rstrip(".").split())


def joined(strings: tuple) -> str:
    """A TXT record's text: its strings concatenated (RFC 7208 §3.3, RFC 7489 §6.4)."""
    return "".join(strings)


def known_terms(text: str, separator: str) -> tuple:
    """``(text, unknown)``: the record text without the terms (split at
    ``separator``: " " for SPF, ";" for DMARC) that embed unknown values,
    and those terms as a user reads them. Rules judge what is known and
    say what they could not. Unknown parts are kept whole while splitting."""
    protected, unknowns = _protect(text)
    kept, unknown = [], []
    for term in protected.split(separator):
        if _PLACEHOLDER.search(term):
            unknown.append(display(_restore(term, unknowns)).strip())
        else:
            kept.append(term)
    return separator.join(kept), unknown

"""``regex``, ``regexall`` and ``replace``'s patterns: RE2 (Go) syntax translated to Python, or refused."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Any, Optional

import regex as regex_engine

from analyzer.errors import Unsupported
from analyzer.terraform.functions.core import _Error, _Masked, _literal, _register, _string, _unresolved

_WORD = "0-9A-Za-z_"
_PERL_CLASSES = {"d": "0-9", "s": "\\t\\n\\f\\r ", "w": _WORD}
_POSIX_CLASSES = {
    "alnum": "0-9A-Za-z", "alpha": "A-Za-z", "ascii": "\\x00-\\x7f", "blank": "\\t ",
    "cntrl": "\\x00-\\x1f\\x7f", "digit": "0-9", "graph": "!-~", "lower": "a-z",
    "print": " -~", "punct": "!-/:-@\\[-`{-~", "space": "\\t\\n\\v\\f\\r ", "upper": "A-Z",
    "word": _WORD, "xdigit": "0-9A-Fa-f",
}
_ASSERTIONS = {
    "A": "\\A",
    "z": "\\Z",
    "b": f"(?<=[{_WORD}])(?![{_WORD}])|(?<![{_WORD}])(?=[{_WORD}])",
    "B": f"(?<=[{_WORD}])(?=[{_WORD}])|(?<![{_WORD}])(?![{_WORD}])",
}
_SIMPLE_ESCAPES = {"a": "\a", "f": "\f", "t": "\t", "n": "\n", "r": "\r", "v": "\v"}
_OCTAL = "01234567"
_HEX_ESCAPE = re.compile(r"\{([0-9A-Fa-f]{1,8})\}|([0-9A-Fa-f]{2})")
_REPEAT = re.compile(r"\{(\d+)(,(\d*))?\}")
_MAX_REPEAT = 1000
_GROUP_NAME = re.compile(r"\?P?<([A-Za-z0-9_]+)>")
_FLAGS = re.compile(r"\?([imsU]*)(-([imsU]*))?([:)])")


@dataclass
class _Frame:
    """An open group: whether ``^``/``$`` match at lines, and the flag
    groups opened inside it by ``(?i)``-style settings."""

    multiline: bool
    wrappers: list = field(default_factory=list)
    weight: int = 1  # the largest product of nested repeat counts inside it, as RE2 bounds it


class _RE2Translator:
    """Translates an RE2 pattern (Go regexp syntax) into a Python ``re``
    pattern that matches the same strings, or refuses it with an ``_Error``.

    Go's ``\\d \\s \\w \\b`` are ASCII and become explicit classes; ``^``/``$``
    match only at the ends of the text unless ``(?m)`` is in effect; flag
    settings in the middle of a group become scoped flag groups; syntax RE2
    rejects (backreferences, lookarounds, possessive repeats) is rejected.
    """

    def __init__(self, pattern: str):
        self.src = pattern
        self.pos = 0
        self.out: list = []
        self.frames = [_Frame(multiline=False)]
        self.repeatable = False  # the last token can take a repetition operator
        self.repeated = False  # the last token was a repetition operator
        self.last_weight = 1  # the weight of the last token: 1, or a group's

    def translate(self) -> str:
        while self.pos < len(self.src):
            self.step()
        if len(self.frames) > 1:
            self.fail("missing closing )")
        self.out.append(")" * len(self.frames[0].wrappers))
        return "".join(self.out)

    def fail(self, reason: str):
        raise _Error(f"invalid regular expression {self.src!r}: {reason}")

    def unsupported(self, construct: str):
        """Refuse valid RE2 that has no translation here."""
        raise Unsupported(f"{construct} in the regular expression {self.src!r}")

    def step(self) -> None:
        char = self.src[self.pos]
        self.pos += 1
        repeat = _REPEAT.match(self.src, self.pos - 1) if char == "{" else None
        if char == "\\":
            self.escape()
        elif char == "(":
            self.open_group()
        elif char == ")":
            self.close_group()
        elif char == "|":
            self.alternate()
        elif char == "[":
            self.atom(self.char_class())
        elif char in "*+?":
            self.repetition(char)
        elif repeat:
            self.counted_repetition(repeat)
        elif char == "^":
            self.assertion("(?m:^)" if self.frames[-1].multiline else "\\A")
        elif char == "$":
            self.assertion("(?m:$)" if self.frames[-1].multiline else "\\Z")
        elif char == ".":
            self.atom(".")
        else:
            self.atom(re.escape(char))

    def emit(self, text: str, repeatable: bool, repeated: bool = False) -> None:
        self.out.append(text)
        self.repeatable, self.repeated = repeatable, repeated

    def atom(self, text: str) -> None:
        self.last_weight = 1
        self.emit(text, repeatable=True)

    def assertion(self, text: str) -> None:
        self.last_weight = 1
        self.emit(f"(?:{text})", repeatable=True)  # RE2 lets assertions repeat; Python needs a group

    def lazy_suffix(self) -> str:
        if self.src.startswith("?", self.pos):
            self.pos += 1
            return "?"
        return ""

    def check_repeatable(self) -> None:
        if self.repeated:
            self.fail("invalid nested repetition operator")
        if not self.repeatable:
            self.fail("missing argument to repetition operator")

    def repetition(self, operator: str) -> None:
        self.check_repeatable()
        self.emit(operator + self.lazy_suffix(), repeatable=False, repeated=True)

    def counted_repetition(self, match) -> None:
        self.check_repeatable()
        low = int(match.group(1))
        high = low if match.group(2) is None else (int(match.group(3)) if match.group(3) else None)
        if low > _MAX_REPEAT or (high is not None and (high > _MAX_REPEAT or low > high)):
            self.fail(f"invalid repeat count {match.group(0)}")
        weight = self.last_weight * max(low, high or 0)
        if weight > _MAX_REPEAT:  # ((a{1000}){1000}){1000}: RE2 refuses it; Python would build it (GBs)
            self.fail(f"invalid repeat count {match.group(0)}: nested repeats exceed {_MAX_REPEAT}")
        self.frames[-1].weight = max(self.frames[-1].weight, weight)
        self.pos = match.end()
        self.emit(match.group(0) + self.lazy_suffix(), repeatable=False, repeated=True)

    def escape(self) -> None:
        if self.pos >= len(self.src):
            self.fail("trailing backslash at end of expression")
        char = self.src[self.pos]
        if char in _ASSERTIONS:
            self.pos += 1
            self.assertion(_ASSERTIONS[char])
        elif char.lower() in _PERL_CLASSES:
            self.pos += 1
            self.atom(("[^" if char.isupper() else "[") + _PERL_CLASSES[char.lower()] + "]")
        elif char == "Q":
            self.pos += 1
            self.quoted()
        elif char in "pPC":
            self.unsupported(f"\\{char}")
        else:
            self.atom(re.escape(self.escaped_char()))

    def escaped_char(self) -> str:
        """The character an escape (after its backslash) stands for."""
        char = self.src[self.pos]
        self.pos += 1
        if char in _SIMPLE_ESCAPES:
            return _SIMPLE_ESCAPES[char]
        if char.isascii() and not char.isalnum():
            return char
        if char in _OCTAL:
            return self.octal(char)
        if char == "x":
            return self.hexadecimal()
        self.fail(f"invalid escape sequence \\{char}")

    def octal(self, first: str) -> str:
        digits = first
        if first != "0" and not self.src.startswith(tuple(_OCTAL), self.pos):
            self.fail(f"invalid escape sequence \\{first} (backreferences are not supported)")
        while len(digits) < 3 and self.src.startswith(tuple(_OCTAL), self.pos):
            digits += self.src[self.pos]
            self.pos += 1
        return chr(int(digits, 8))

    def hexadecimal(self) -> str:
        braced = _HEX_ESCAPE.match(self.src, self.pos)
        if not braced or int(braced.group(1) or braced.group(2), 16) > 0x10FFFF:
            self.fail("invalid escape sequence \\x")
        self.pos = braced.end()
        return chr(int(braced.group(1) or braced.group(2), 16))

    def quoted(self) -> None:
        end = self.src.find("\\E", self.pos)
        end = len(self.src) if end < 0 else end
        for char in self.src[self.pos:end]:
            self.atom(re.escape(char))
        self.pos = min(end + 2, len(self.src))

    def open_group(self) -> None:
        frame = _Frame(self.frames[-1].multiline)
        if not self.src.startswith("?", self.pos):
            self.frames.append(frame)
            self.emit("(", repeatable=False)
            return
        name = _GROUP_NAME.match(self.src, self.pos)
        if name:
            self.pos = name.end()
            self.frames.append(frame)
            self.emit(f"(?P<{name.group(1)}>", repeatable=False)
            return
        flags = _FLAGS.match(self.src, self.pos)
        if not flags or (flags.group(2) and not flags.group(3)):
            self.fail(f"invalid or unsupported Perl syntax near {self.src[self.pos - 1:self.pos + 3]!r}")
        self.pos = flags.end()
        on, off = flags.group(1), flags.group(3) or ""
        if "U" in on + off:
            self.unsupported("the U (ungreedy) flag")
        multiline = ("m" in on or frame.multiline) and "m" not in off
        python_on = "".join(f for f in "is" if f in on)
        python_off = "".join(f for f in "is" if f in off)
        wrapper = f"(?{python_on}{'-' + python_off if python_off else ''}:"
        if flags.group(4) == ":":
            self.frames.append(_Frame(multiline))
            self.emit(wrapper, repeatable=False)
            return
        current = self.frames[-1]
        current.multiline = multiline
        if python_on or python_off:
            current.wrappers.append(wrapper)
            self.out.append(wrapper)
        self.repeatable = self.repeated = False

    def close_group(self) -> None:
        if len(self.frames) == 1:
            self.fail("unexpected )")
        frame = self.frames.pop()
        self.frames[-1].weight = max(self.frames[-1].weight, frame.weight)
        self.last_weight = frame.weight
        self.emit(")" * len(frame.wrappers) + ")", repeatable=True)

    def alternate(self) -> None:
        wrappers = self.frames[-1].wrappers
        self.emit(")" * len(wrappers) + "|" + "".join(wrappers), repeatable=False)

    def char_class(self) -> str:
        negated = self.src.startswith("^", self.pos)
        self.pos += negated
        items, first = [], True
        while True:
            if self.pos >= len(self.src):
                self.fail("missing closing ]")
            if self.src[self.pos] == "]" and not first:
                self.pos += 1
                return "[" + ("^" if negated else "") + "".join(items) + "]"
            first = False
            items.append(self.class_item())

    def class_item(self) -> str:
        named = self.named_class()
        if named is not None:
            return named
        if self.src.startswith("\\", self.pos) and self.src[self.pos + 1:self.pos + 2] in tuple("dswDSWpP"):
            letter = self.src[self.pos + 1]
            self.pos += 2
            if letter not in _PERL_CLASSES:
                self.unsupported(f"\\{letter} inside a character class")
            return _PERL_CLASSES[letter]
        low = self.class_char()
        if self.src.startswith("-", self.pos) and self.src[self.pos + 1:self.pos + 2] not in ("", "]"):
            self.pos += 1
            high = self.class_char()
            if high < low:
                self.fail(f"invalid character class range {low}-{high}")
            return re.escape(low) + "-" + re.escape(high)
        return re.escape(low)

    def named_class(self) -> Optional[str]:
        if not self.src.startswith("[:", self.pos):
            return None
        end = self.src.find(":]", self.pos + 2)
        if end < 0:
            return None
        name = self.src[self.pos + 2:end]
        if name not in _POSIX_CLASSES:
            self.fail(f"invalid or unsupported character class [:{name}:]")
        self.pos = end + 2
        return _POSIX_CLASSES[name]

    def class_char(self) -> str:
        char = self.src[self.pos]
        self.pos += 1
        if char != "\\":
            return char
        if self.pos >= len(self.src):
            self.fail("trailing backslash at end of expression")
        return self.escaped_char()


# Terraform matches with RE2, which never backtracks; a backtracking engine can
# take practically forever on a pattern written in a scanned file, so every
# match of a user's pattern runs under this bound (the regex package's timeout).
REGEX_TIMEOUT = 1.0


@lru_cache(maxsize=256)
def _compile(pattern: str):
    translated = _RE2Translator(pattern).translate()
    try:
        return regex_engine.compile(translated)
    except regex_engine.error as exc:
        raise _Error(f"invalid regular expression {pattern!r}: {exc}") from None


def _search(compiled, text: str, pos: int = 0):
    try:
        return compiled.search(text, pos, timeout=REGEX_TIMEOUT)
    except TimeoutError:
        raise Unsupported(f"the regular expression {compiled.pattern!r}, which took more than {REGEX_TIMEOUT:g} s "
                          "(Terraform's RE2 does not backtrack; sesguard's engine does),") from None


def _go_matches(regex, text: str) -> list:
    """All matches, as Go's FindAll and ReplaceAll see them: an empty match
    right after the previous match does not count."""
    found, pos, previous_end = [], 0, -1
    while pos <= len(text):
        match = _search(regex, text, pos)
        if match is None:
            break
        if match.start() == match.end():
            if match.start() != previous_end:
                found.append(match)
            pos = match.start() + 1
        else:
            found.append(match)
            pos = match.end()
        previous_end = match.end()
    return found


_TEMPLATE_REF = re.compile(r"\$(?:(\$)|\{(\w+)\}|(\w+))")


def _expand(template: str, match) -> str:
    """Go's Regexp.Expand: ``$1``, ``${1}``, ``$name``, ``${name}``, ``$$``."""
    def substitute(ref):
        if ref.group(1):
            return "$"
        name = ref.group(2) or ref.group(3)
        if re.fullmatch(r"0|[1-9][0-9]*", name):
            index = int(name)
            return (match.group(index) if index <= match.re.groups else None) or ""
        return (match.group(name) if name in match.re.groupindex else None) or ""
    return _TEMPLATE_REF.sub(substitute, template)


def _match_result(regex, match):
    if regex.groups == 0:
        return match.group(0)
    if not regex.groupindex:
        return list(match.groups())
    return {name: match.group(name) for name in regex.groupindex}


def _checked_regex(pattern: Any):
    regex = _compile(_literal(pattern, "pattern"))
    if regex.groupindex and len(regex.groupindex) != regex.groups:
        raise _Error("capture groups must be either all named or all unnamed")
    return regex


@_register("regex", 2)
def _regex(pattern, value):
    regex, masked = _checked_regex(pattern), _Masked(_string(value))
    match = _search(regex, masked.masked)
    if masked.holes and (match is None or match.end() >= masked.holes[0]):
        _unresolved(masked.text)  # the first match may lie in (or reach into) an unknown part
    if match is None:
        raise _Error("pattern did not match any part of the given string")
    return _match_result(regex, match)


@_register("regexall", 2)
def _regexall(pattern, value):
    regex, text = _checked_regex(pattern), _literal(value, "string")
    return [_match_result(regex, m) for m in _go_matches(regex, text)]


# ---------------------------------------------------------------------------

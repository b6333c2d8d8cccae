"""JSON decoding that keeps the location of every value.

The standard ``json`` module forgets where values were; policies written as
JSON inside heredocs, ``file()`` contents or templates need their lines so a
finding points at the principal that is wrong. Objects decode to ``LDict``
(with one location per key), arrays to ``LList``, strings to ``LStr``.
Numbers, booleans and null decode to plain values.

Duplicate keys keep the last value, as JSON decoders and AWS do, and are
listed in ``Decoded.duplicates`` so the caller can report them.

A whole file is decoded within the scan's ``Limits`` (its depth error names
the option that raises it); JSON inside a value within the built-in depth.
"""

from __future__ import annotations

import bisect
import decimal
import json
import math
import re
from dataclasses import dataclass, field
from typing import Optional

from analyzer.files import MAX_DEPTH, InputError, Limits
from analyzer.model import Hop, LDict, LList, Location, LStr

_WS = re.compile(r"[ \t\n\r]*")
MAX_INTEGER_DIGITS = 4000  # a JSON integer longer than this is not an input a scan needs

_NUMBER = re.compile(r"-?(?:0|[1-9]\d*)(\.\d+)?([eE][-+]?\d+)?")
_STRING_CHUNK = re.compile(r'[^"\\\x00-\x1f]*')


class JSONLocError(InputError):
    """JSON that cannot be decoded; its text names the position."""

    def __str__(self) -> str:
        return f"{self.message} at line {self.line} column {self.column}"


@dataclass
class Decoded:
    value: object
    duplicates: list = field(default_factory=list)  # list[(key, Location)]


class _Decoder:
    def __init__(self, text: str, file: str, line: int, column: int, limits: Optional[Limits], spans: tuple = ()):
        self.max_depth = limits.max_depth if limits else MAX_DEPTH
        self.too_deep = limits.too_deep() if limits else f"nesting deeper than {MAX_DEPTH} levels"
        self.text = text
        self.file = file
        self.base_line = line
        self.base_column = column
        self.line_starts = [0] + [m.end() for m in re.finditer("\n", text)]
        self.duplicates: list = []
        self.spans = spans
        self.span_starts = [span[0] for span in spans]
        self.span_ends = [span[1] for span in spans]

    def position(self, offset: int) -> tuple[int, int]:
        lo = bisect.bisect_right(self.line_starts, offset) - 1
        column = offset - self.line_starts[lo] + 1
        if lo == 0:
            column += self.base_column - 1
        return self.base_line + lo, column

    def location(self, start: int, end: int) -> Location:
        line, column = self.position(start)
        end_line, end_column = self.position(end)
        return Location(self.file, line, column, end_line, end_column)

    def fail(self, message: str, offset: int):
        line, column = self.position(offset)
        raise JSONLocError(message, line, column)

    def fraction(self, number: str, pos: int):
        """A number written with a fraction or an exponent: a float, or past a
        float's range the integer it exactly is (1e309), as Terraform and
        CloudFormation hold it; a number they hold that a float cannot and
        that is no integer stays the float's infinity."""
        value = float(number)
        if math.isfinite(value):
            return value
        exact = decimal.Decimal(number)
        if exact.adjusted() >= MAX_INTEGER_DIGITS:
            self.fail(f"a number of more than {MAX_INTEGER_DIGITS} digits (the limit)", pos)
        return int(exact) if exact == exact.to_integral_value() else value

    def skip(self, pos: int) -> int:
        return _WS.match(self.text, pos).end()

    def value(self, pos: int, depth: int):
        if depth > self.max_depth:
            self.fail(self.too_deep, pos)
        pos = self.skip(pos)
        if pos >= len(self.text):
            self.fail("unexpected end of JSON", pos)
        ch = self.text[pos]
        if ch == "{":
            return self.object(pos, depth)
        if ch == "[":
            return self.array(pos, depth)
        if ch == '"':
            text, end = self.string(pos)
            loc = self.location(pos, end)
            return LStr(text, loc, self.through(pos, end, loc) if self.spans else ()), end
        for literal, result in (("true", True), ("false", False), ("null", None)):
            if self.text.startswith(literal, pos):
                return result, pos + len(literal)
        m = _NUMBER.match(self.text, pos)
        if m and m.end() > pos:
            number = m.group(0)
            if m.group(1) or m.group(2):
                return self.fraction(number, pos), m.end()
            if len(number) > MAX_INTEGER_DIGITS:  # int() would raise past Python's own 4300
                self.fail(f"an integer of {len(number)} digits (the limit is {MAX_INTEGER_DIGITS})", pos)
            return int(number), m.end()
        self.fail(f"unexpected character {ch!r}", pos)

    def through(self, start: int, end: int, loc: Location) -> tuple:
        """Where the values a template interpolated into ``text[start:end]``
        came from, as the hops of the string decoded there: each one's
        origin (unless on the string's own line), then where it passed."""
        hops: tuple = ()
        first, last = bisect.bisect_right(self.span_ends, start), bisect.bisect_left(self.span_starts, end)
        for _, _, origin, via in self.spans[first:last]:
            if origin is not None and (origin.file, origin.line) != (loc.file, loc.line):
                hops += (Hop(origin, "value written"),)
            hops += via
        return hops

    def string(self, pos: int) -> tuple[str, int]:
        chunks = []
        i = pos + 1
        text = self.text
        while True:
            m = _STRING_CHUNK.match(text, i)
            chunks.append(m.group(0))
            i = m.end()
            if i >= len(text):
                self.fail("unterminated string", pos)
            ch = text[i]
            if ch == '"':
                return "".join(chunks), i + 1
            if ch != "\\":
                self.fail("control character in string", i)
            escape = text[i:i + 2]
            if escape == "\\u":
                hex_digits = text[i + 2:i + 6]
                if not re.fullmatch(r"[0-9a-fA-F]{4}", hex_digits):
                    self.fail("bad \\u escape", i)
                code = int(hex_digits, 16)
                i += 6
                if 0xD800 <= code < 0xDC00 and re.match(r"\\u[dD][c-fC-F][0-9a-fA-F]{2}", text[i:i + 6]):
                    code = 0x10000 + ((code - 0xD800) << 10) + (int(text[i + 2:i + 6], 16) - 0xDC00)
                    i += 6  # a surrogate pair, as json.dumps writes any emoji
                elif 0xD800 <= code < 0xE000:
                    self.fail(f"a lone surrogate \\u{hex_digits} is not a character", i - 6)
                chunks.append(chr(code))
                continue
            try:
                chunks.append(json.loads('"' + escape + '"'))
            except ValueError:
                self.fail(f"bad escape {escape!r}", i)
            i += 2

    def object(self, pos: int, depth: int):
        result = LDict()
        key_locs = {}
        start = pos
        pos = self.skip(pos + 1)
        if self.text.startswith("}", pos):
            result.loc = self.location(start, pos + 1)
            return result, pos + 1
        while True:
            pos = self.skip(pos)
            if not self.text.startswith('"', pos):
                self.fail("expected a string key", pos)
            key_start = pos
            key, pos = self.string(pos)
            pos = self.skip(pos)
            if not self.text.startswith(":", pos):
                self.fail("expected ':'", pos)
            value, pos = self.value(pos + 1, depth + 1)
            key_loc = self.location(key_start, pos)
            if key in result:
                self.duplicates.append((key, key_loc))
            result[key] = value
            key_locs[key] = key_loc
            pos = self.skip(pos)
            if self.text.startswith(",", pos):
                pos += 1
                continue
            if self.text.startswith("}", pos):
                result.loc = self.location(start, pos + 1)
                result.key_locs = key_locs
                return result, pos + 1
            self.fail("expected ',' or '}'", pos)

    def array(self, pos: int, depth: int):
        result = LList()
        start = pos
        pos = self.skip(pos + 1)
        if self.text.startswith("]", pos):
            result.loc = self.location(start, pos + 1)
            return result, pos + 1
        while True:
            value, pos = self.value(pos, depth + 1)
            result.append(value)
            pos = self.skip(pos)
            if self.text.startswith(",", pos):
                pos += 1
                continue
            if self.text.startswith("]", pos):
                result.loc = self.location(start, pos + 1)
                return result, pos + 1
            self.fail("expected ',' or ']'", pos)


def loads(text: str, file: str = "", line: int = 1, column: int = 1, limits: Optional[Limits] = None,
          spans: tuple = ()) -> Decoded:
    """Decode ``text``; ``line``/``column`` say where its first character is;
    ``limits``: the scan's, when ``text`` is a whole file; ``spans``: the
    ``LStr.spans`` of a text a template made, whose provenance the strings
    decoded where they lie carry.

    Raises ``JSONLocError`` with the position of the problem.
    """
    decoder = _Decoder(text, file, line, column, limits, spans)
    value, pos = decoder.value(0, 0)
    pos = decoder.skip(pos)
    if pos != len(text):
        decoder.fail("extra data after the JSON value", pos)
    return Decoded(value, decoder.duplicates)

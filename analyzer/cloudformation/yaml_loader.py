"""YAML templates into location-carrying values, safely.

PyYAML only scans and parses here (the C parser when it is available; both
give every event its line and column). Composing and constructing are done
by ``_Builder`` from the event stream, with an explicit stack, so that

* every value keeps its location: mappings become ``LDict`` (one location
  per key), sequences ``LList``, strings ``LStr``; a literal block scalar
  (``|``) becomes ``SourceText``, whose lines are the source lines, so a
  JSON policy written in one points into the template;
* the CloudFormation short forms become the long forms they stand for
  (``!GetAtt a.b`` is ``{"Fn::GetAtt": ["a", "b"]}``, ``!Ref x`` is
  ``{"Ref": "x"}``), and so do the directives of the rain CLI
  (``!Rain::Embed f`` is ``{"Rain::Embed": "f"}``); any other application
  tag is an error;
* hostile input cannot exhaust memory or the stack: nodes are counted with
  alias expansions included (a billion-laughs document stops at
  ``MAX_NODES``), nesting stops at the scan's ``Limits.max_depth``, and an
  alias cannot refer to the collection it is in;
* a key written twice is reported, not silently overwritten.

Only the standard scalar types are constructed (strings, integers, floats,
booleans, null); a timestamp stays the string it was written as, since
CloudFormation reads ``2010-09-09`` as text.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any, Optional

import yaml
from yaml.nodes import ScalarNode

from analyzer.files import InputError, Limits
from analyzer.model import LDict, LList, Location, LStr

MAX_NODES = 200_000

_BASE = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
_YAML_TAG = "tag:yaml.org,2002:"
_CONSTRUCTED = {_YAML_TAG + t for t in ("int", "float", "bool", "null")}
_AS_TEXT = {_YAML_TAG + t for t in ("str", "timestamp")}
_INDENT = re.compile(" *")
_COLLECTION_TAGS = {None, "!", _YAML_TAG + "map", _YAML_TAG + "seq"}

# short-form tag -> long-form key
SHORT_FORMS = {
    "!Ref": "Ref",
    "!Condition": "Condition",
    **{f"!{name}": f"Fn::{name}" for name in (
        "GetAtt", "Sub", "Join", "If", "Select", "Split", "FindInMap", "ImportValue", "Base64",
        "Equals", "And", "Or", "Not", "GetAZs", "Cidr", "Transform", "ToJsonString", "Length")},
}
RAIN_PREFIX = "!Rain::"  # directives of the rain CLI, expanded by ``rain pkg`` before deployment


class SourceText(LStr):
    """A string whose lines are the source lines from its location on (a
    literal block scalar): text decoded from it can point into the file."""

    def __reduce__(self):
        return (SourceText, (str(self), self.loc))


class YAMLLoadError(InputError):
    """A YAML document that cannot be read."""


@dataclass
class Loaded:
    value: Any
    duplicates: list = field(default_factory=list)  # (key, Location) of each repeated key


class _Parser(_BASE):
    """A safe loader used for its scanner, parser and scalar resolver only."""


def load_yaml(text: str, file: str, limits: Limits = Limits(), merge_keys: bool = False) -> Loaded:
    """The single YAML document in ``text``; raises ``YAMLLoadError``.
    ``merge_keys``: a plain ``<<`` key merges the mapping (or mappings) it
    is given into its own, as PyYAML's loaders do (octoDNS reads YAML so);
    CloudFormation has no merge keys, so a template's ``<<`` stays a key."""
    parser = _Parser(text)
    try:
        return _Builder(parser, text, file, limits, merge_keys).document()
    except yaml.MarkedYAMLError as error:
        mark = error.problem_mark or error.context_mark
        reason = error.problem or error.context or "malformed YAML"
        if error.context and error.problem and error.context_mark is not None:
            reason += f" ({error.context} started at line {error.context_mark.line + 1})"
        raise YAMLLoadError(f"YAML syntax error: {reason}", *_position(mark)) from None
    except yaml.reader.ReaderError as error:  # a control character: PyYAML gives an offset, not a mark
        code = error.character if isinstance(error.character, int) else ord(error.character)
        raise YAMLLoadError(f"YAML syntax error: unacceptable character #x{code:04x}: {error.reason}",
                            *_offset_position(text, error.position)) from None
    except yaml.YAMLError as error:
        raise YAMLLoadError(f"YAML syntax error: {error}") from None
    finally:
        parser.dispose()


def _offset_position(text: str, offset: int) -> tuple:
    return text.count("\n", 0, offset) + 1, offset - (text.rfind("\n", 0, offset) + 1) + 1


def _position(mark) -> tuple:
    return (mark.line + 1, mark.column + 1) if mark is not None else (0, 0)


@dataclass
class _Open:
    """A mapping or sequence whose end event has not come yet."""

    value: Any  # LDict / LList
    tag: Optional[str]
    anchor: Optional[str]
    start: Any  # mark
    size: int = 1  # nodes it holds, itself and alias expansions included
    key: Optional[LStr] = None  # a mapping's key waiting for its value
    has_key: bool = False
    merging: bool = False  # the key waiting is a merge key
    merged: set = field(default_factory=set)  # keys that came from a merge key: the mapping's own win


class _Builder:
    """Builds the document's value from the parser's events, one at a time."""

    def __init__(self, parser: _Parser, text: str, file: str, limits: Limits, merge_keys: bool = False):
        self.merge_keys = merge_keys
        self.parser = parser
        self.limits = limits
        self.text = text
        self.file = file
        self.stack: list = []
        self.anchors: dict = {}  # name -> (value, size)
        self.nodes = 0
        self.duplicates: list = []
        self.root: Any = None
        self.done = False
        self.line_starts: Optional[list] = None

    def document(self) -> Loaded:
        parser = self.parser
        parser.get_event()  # stream start
        if parser.check_event(yaml.StreamEndEvent):
            return Loaded(None)
        parser.get_event()  # document start
        while not self.done:
            self.event(parser.get_event())
        parser.get_event()  # document end
        if not parser.check_event(yaml.StreamEndEvent):
            event = parser.peek_event()
            raise YAMLLoadError("a template must be a single YAML document, but another one starts here",
                                *_position(event.start_mark))
        return Loaded(self.root, self.duplicates)

    def event(self, event) -> None:
        if isinstance(event, yaml.ScalarEvent):
            self.count(1, event)
            if self.stack and isinstance(self.stack[-1].value, LDict) and not self.stack[-1].has_key \
                    and event.tag is None:
                value = LStr(event.value, self.location(event.start_mark, event.end_mark))  # a key, as written
                self.stack[-1].merging = self.merge_keys and event.value == "<<" and not event.style  # plain
            else:
                value = self.scalar(event)
            self.add(value, 1, event.anchor, event.start_mark, event.end_mark)
        elif isinstance(event, (yaml.MappingStartEvent, yaml.SequenceStartEvent)):
            if len(self.stack) >= self.limits.max_depth:
                raise YAMLLoadError(f"{self.limits.too_deep()}; not analyzed", *_position(event.start_mark))
            self.count(1, event)
            container = LDict() if isinstance(event, yaml.MappingStartEvent) else LList()
            self.stack.append(_Open(container, event.tag, event.anchor, event.start_mark))
        elif isinstance(event, (yaml.MappingEndEvent, yaml.SequenceEndEvent)):
            current = self.stack.pop()
            current.value.loc = self.location(current.start, event.end_mark)
            value = self.tagged(current.value, current.tag, current.start, event.end_mark)
            self.add(value, current.size, current.anchor, current.start, event.end_mark)
        elif isinstance(event, yaml.AliasEvent):
            if event.anchor not in self.anchors:
                raise YAMLLoadError(f"alias *{event.anchor} refers to no anchor before it "
                                    "(or to the collection it is in)", *_position(event.start_mark))
            value, size = self.anchors[event.anchor]
            self.count(size, event)
            self.add(value, size, None, event.start_mark, event.end_mark)
        else:
            raise YAMLLoadError(f"unexpected YAML event {type(event).__name__}", *_position(event.start_mark))

    def count(self, size: int, event) -> None:
        self.nodes += size
        if self.nodes > MAX_NODES:
            raise YAMLLoadError(f"the document expands to more than {MAX_NODES} nodes "
                                "(aliases included); not analyzed", *_position(event.start_mark))

    def location(self, start, end) -> Location:
        return Location(self.file, start.line + 1, start.column + 1, end.line + 1, end.column + 1)

    def scalar(self, event) -> Any:
        loc = self.location(event.start_mark, event.end_mark)
        tag = event.tag
        if _short_form(tag):
            return self.tagged(self.text_value(event, loc), tag, event.start_mark, event.end_mark)
        if tag is None or tag == "!":
            tag = self.parser.resolve(ScalarNode, event.value, event.implicit)
        if tag in _AS_TEXT:
            return self.text_value(event, loc)
        if tag in _CONSTRUCTED:
            node = ScalarNode(tag, event.value, event.start_mark, event.end_mark, event.style)
            try:
                return self.parser.yaml_constructors[tag](self.parser, node)
            except (ValueError, KeyError, IndexError) as error:  # "!!int abc", "!!bool perhaps", "!!int", 4,400 digits
                raise YAMLLoadError(f"{event.value[:40]!r} is not a valid !!{tag[len(_YAML_TAG):]} ({error})",
                                    *_position(event.start_mark)) from None
        raise YAMLLoadError(_tag_problem(tag), *_position(event.start_mark))

    def text_value(self, event, loc: Location) -> LStr:
        if event.style != "|":
            return LStr(event.value, loc)
        line = event.start_mark.line + 1  # 0-based index of the block's first line
        column = len(_INDENT.match(self.text, self.line_start(line)).group(0)) + 1
        return SourceText(event.value, Location(self.file, line + 1, column, loc.end_line, loc.end_column))

    def line_start(self, line: int) -> int:
        """The offset where 0-based ``line`` starts (the end of the text past the last line)."""
        if self.line_starts is None:
            self.line_starts = [0] + [m.end() for m in re.finditer("\n", self.text)]
        return self.line_starts[line] if line < len(self.line_starts) else len(self.text)

    def tagged(self, value: Any, tag: Optional[str], start, end) -> Any:
        """``value`` under ``tag``: a short form becomes its long form."""
        if tag in _COLLECTION_TAGS:
            return value
        name = _short_form(tag)
        if name is None:
            raise YAMLLoadError(_tag_problem(tag), *_position(start))
        loc = self.location(start, end)
        if name == "Fn::GetAtt" and isinstance(value, str):
            resource, dot, attribute = value.partition(".")
            if dot:
                value = LList([LStr(resource, loc), LStr(attribute, loc)], loc)
        return LDict({name: value}, loc, {name: loc})

    def add(self, value: Any, size: int, anchor: Optional[str], start, end) -> None:
        if anchor is not None:
            self.anchors[anchor] = (value, size)
        if not self.stack:
            self.root = value
            self.done = True
            return
        parent = self.stack[-1]
        parent.size += size
        if isinstance(parent.value, LList):
            parent.value.append(value)
        elif not parent.has_key:
            if not isinstance(value, str):
                raise YAMLLoadError("a mapping key must be a plain string", *_position(start))
            parent.key = LStr(value, self.location(start, end))
            parent.has_key = True
        elif parent.merging:
            self.merge(parent, value, start)
        else:
            key = parent.key
            if key in parent.merged:
                parent.merged.discard(key)  # the mapping's own value wins over a merged one
            elif key in parent.value:
                self.duplicates.append((str(key), key.loc))
            parent.value[key] = value
            parent.value.key_locs[key] = Location(self.file, key.loc.line, key.loc.column,
                                                  end.line + 1, end.column + 1)
            parent.has_key = False


    def merge(self, parent: _Open, value: Any, start) -> None:
        """``<<: *base`` or ``<<: [*a, *b]``: the keys the mapping does not
        have yet, from the first mapping that has each (YAML's merge key)."""
        sources = value if isinstance(value, LList) else [value]
        if not all(isinstance(source, LDict) for source in sources):
            raise YAMLLoadError("a merge key (<<) takes a mapping or a list of mappings", *_position(start))
        for source in sources:
            for key, item in source.items():
                if key not in parent.value:
                    parent.value[key] = item
                    parent.value.key_locs[key] = source.key_locs.get(key, source.loc)
                    parent.merged.add(key)
        parent.has_key = parent.merging = False


def _short_form(tag: Optional[str]) -> Optional[str]:
    """The long-form key a tag stands for (``!Rain::Embed`` is ``Rain::Embed``), or None."""
    if tag in SHORT_FORMS:
        return SHORT_FORMS[tag]
    if tag is not None and tag.startswith(RAIN_PREFIX):
        return tag[1:]
    return None


def _tag_problem(tag: str) -> str:
    if tag.startswith(_YAML_TAG):
        return f"unsupported YAML type !!{tag[len(_YAML_TAG):]}"
    return f"unknown tag {tag} (not a CloudFormation intrinsic function)"

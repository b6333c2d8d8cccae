"""Applying fixes: the edits of several fixes merged per file (an edit two
fixes share, such as one added data source, is made once), overlapping
edits refused, and the result as a unified diff or written back."""

from __future__ import annotations

import difflib
from dataclasses import dataclass, field


@dataclass
class Plan:
    texts: dict = field(default_factory=dict)  # file -> (old text, new text)
    applied: list = field(default_factory=list)  # (finding, fix)
    skipped: list = field(default_factory=list)  # (finding, reason)


def _offset(starts: list, line: int, column: int) -> int:
    return starts[line - 1] + column - 1


def _line_starts(text: str) -> list:
    starts, position = [0], 0
    for line in text.splitlines(keepends=True):
        position += len(line)
        starts.append(position)
    return starts


def plan(findings, read) -> Plan:
    """Merge the applicable fixes of ``findings``; ``read(file)`` gives a file's text."""
    result = Plan()
    by_file: dict = {}
    for finding in findings:
        fix = getattr(finding, "fix", None)
        if fix is None or not fix.applicable:
            continue
        texts = {}
        for edit in fix.edits:
            texts[edit.file] = read(edit.file)
        if any(t is None for t in texts.values()):
            result.skipped.append((finding, "a file it edits cannot be read now"))
            continue
        spans = []
        for edit in fix.edits:
            starts = _line_starts(texts[edit.file])
            if edit.line > len(starts) or edit.end_line > len(starts):
                spans = None
                break
            spans.append((edit.file, _offset(starts, edit.line, edit.column),
                          _offset(starts, edit.end_line, edit.end_column), edit.text))
        if spans is None:
            result.skipped.append((finding, "an edit lies past the end of its file"))
            continue
        clash = any(_overlaps(span, other) for span in spans for other in by_file.get(span[0], ()) if span != other)
        if clash:
            result.skipped.append((finding, "it overlaps the fix of another finding: run sesguard fix again"))
            continue
        for span in spans:
            if span not in by_file.setdefault(span[0], []):
                by_file[span[0]].append(span)
        result.applied.append((finding, fix))
    for file, spans in by_file.items():
        old = read(file)
        new = old
        for _, start, end, text in sorted(spans, key=lambda s: (s[1], s[2]), reverse=True):
            new = new[:start] + text + new[end:]
        result.texts[file] = (old, new)
    return result


def _overlaps(a, b) -> bool:
    if a[0] != b[0]:
        return False
    if a[1] == a[2] or b[1] == b[2]:  # an insertion clashes only strictly inside the other's span
        return (b[1] < a[1] < b[2]) or (a[1] < b[1] < a[2])
    return a[1] < b[2] and b[1] < a[2]


def diff(result: Plan) -> str:
    out = []
    for file in sorted(result.texts):
        old, new = result.texts[file]
        out.extend(difflib.unified_diff(old.splitlines(keepends=True), new.splitlines(keepends=True),
                                        fromfile=f"a/{file}", tofile=f"b/{file}"))
    return "".join(line if line.endswith("\n") else line + "\n\\ No newline at end of file\n" for line in out)


def write(result: Plan) -> None:
    for file, (_, new) in result.texts.items():
        with open(file, "w", encoding="utf-8", newline="") as f:
            f.write(new)

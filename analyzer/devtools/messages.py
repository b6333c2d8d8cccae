"""The rendered message of every fixture finding, as a reviewed snapshot.

    python -m analyzer.devtools.messages           # rewrite tests/snapshots/messages.txt
    python -m analyzer.devtools.messages --check   # exit 1 when it is stale

Each fixture case is scanned as ``tests/test_fixtures.py`` scans it, and
each finding written as its rule, place and severity, then its message and
its fix title on lines of their own: a change to what a rule says shows in
the diff of this file, where it is reviewed like code.
"""

from __future__ import annotations

import os
import pathlib
import sys

from analyzer.engine import ScanOptions, scan
from analyzer.rules import needs_dns

ROOT = pathlib.Path(__file__).resolve().parents[2]
FIXTURES = ROOT / "fixtures"
SNAPSHOT = ROOT / "tests" / "snapshots" / "messages.txt"
COMMAND = "python -m analyzer.devtools.messages"


def cases(fixtures: pathlib.Path = FIXTURES) -> list:
    return sorted(p for p in fixtures.glob("SES*/*") if p.is_dir())


def render(fixtures: pathlib.Path = FIXTURES) -> str:
    lines = [f"# The message of every fixture finding; regenerate with {COMMAND} and review the diff.", ""]
    cwd = os.getcwd()
    try:
        for case in cases(fixtures):
            os.chdir(case)
            report = scan(ScanOptions(paths=["."], dns="static" if needs_dns(case.parent.name) else "off"))
            lines.append(f"## {case.relative_to(fixtures).as_posix()}")
            for f in report.findings:
                where = f"{f.file}:{f.location.line}" if f.location else "-"
                marks = "".join((" inactive" if not f.active else "", " suppressed" if f.suppressed else ""))
                lines += [f"{f.rule_id} {where} {f.severity}{marks}", f"  message: {_portable(f.message, fixtures)}"]
                if f.fix_title:
                    lines.append(f"  fix: {_portable(f.fix_title, fixtures)}")
            lines.append("")
    finally:
        os.chdir(cwd)
    return "\n".join(lines)


def _portable(text: str, fixtures: pathlib.Path) -> str:
    """``text`` without the checkout's own location (a message may name an absolute path)."""
    return text.replace(str(fixtures.resolve()), "fixtures")


def main(argv=None) -> int:
    argv = sys.argv[1:] if argv is None else argv
    text = render()
    if "--check" in argv:
        current = SNAPSHOT.read_text(encoding="utf-8") if SNAPSHOT.exists() else ""
        if current != text:
            print(f"{SNAPSHOT.relative_to(ROOT)} is stale: run {COMMAND} and review the diff", file=sys.stderr)
            return 1
        return 0
    SNAPSHOT.parent.mkdir(parents=True, exist_ok=True)
    SNAPSHOT.write_text(text, encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())

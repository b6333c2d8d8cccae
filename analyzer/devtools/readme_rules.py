"""The README's rule table, generated from the rule registry.

    python -m analyzer.devtools.readme_rules           # rewrite the table
    python -m analyzer.devtools.readme_rules --check   # exit 1 when stale (CI)

One row per rule: id, name, severity, tags, the DNS it needs, and what it
finds (``SUMMARY``), linked to its section of docs/rules.md (``ANCHOR``).
"""

from __future__ import annotations

import pathlib
import sys

from analyzer.devtools.generated import main as write_section
from analyzer.rules import load_rules

README = pathlib.Path(__file__).resolve().parents[2] / "README.md"
SECTION = "readme-rules"


def table(rules: list) -> str:
    rows = ["| id | name | severity | tags | DNS | what it finds |", "|---|---|---|---|---|---|"]
    for rule in rules:
        needs = rule.needs_dns or ""
        rows.append(f"| [{rule.id}](docs/rules.md#{rule.anchor}) | {rule.name} | {rule.severity} | "
                    f"{', '.join(rule.tags)} | {needs} | {rule.summary} |")
    return "\n".join(rows) + "\n"


def main(argv=None) -> int:
    argv = sys.argv[1:] if argv is None else argv
    return write_section(README, SECTION, table(load_rules()), argv, "python -m analyzer.devtools.readme_rules")


if __name__ == "__main__":
    sys.exit(main())

"""Generate ``docs/rules.md`` from the rules' docstrings.

    python -m analyzer.devtools.rulesdoc          # rewrite docs/rules.md
    python -m analyzer.devtools.rulesdoc --check  # exit 1 when it is stale

The page is never edited by hand: ``tests/test_rulesdoc.py`` fails when the
committed file differs from what this prints, and SARIF ``helpUri`` points
at its anchors (``analyzer.ruledoc.anchor``).
"""

from __future__ import annotations

import os
import sys

from analyzer.ruledoc import RULES_PAGE, anchor, markdown
from analyzer.rules import load_rules

HEADER = """# sesguard rules

Generated from each rule's docstring by `python -m analyzer.devtools.rulesdoc`;
do not edit by hand. `sesguard explain ID` prints the same text.

| Id | Name | Severity | Title |
| --- | --- | --- | --- |
"""


def render(rules=None) -> str:
    rules = load_rules() if rules is None else rules
    parts = [HEADER]
    parts.extend(f"| [{r.id}](#{anchor(r.id)}) | `{r.name}` | {r.severity} | {r.title} |\n" for r in rules)
    for rule in rules:
        parts.append(f'\n<a id="{anchor(rule.id)}"></a>\n\n## {rule.id} {rule.name}\n\n'
                     f"Severity: **{rule.severity}**. {rule.title.rstrip('.')}.\n\n{markdown(rule.doc)}")
    return "".join(parts)


def page_path() -> str:
    checkout = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
    if not os.path.isfile(os.path.join(checkout, "setup.cfg")):  # installed, not run from a checkout
        checkout = os.getcwd()
    return os.path.join(checkout, RULES_PAGE)


def main(argv=None) -> int:
    argv = sys.argv[1:] if argv is None else argv
    text = render()
    path = page_path()
    if "--check" in argv:
        try:
            with open(path, encoding="utf-8") as f:
                current = f.read()
        except OSError:
            current = ""
        if current != text:
            print(f"{RULES_PAGE} is stale: run python -m analyzer.devtools.rulesdoc", file=sys.stderr)
            return 1
        return 0
    with open(path, "w", encoding="utf-8") as f:
        f.write(text)
    print(f"wrote {RULES_PAGE} ({len(load_rules())} rules)")
    return 0


if __name__ == "__main__":
    sys.exit(main())

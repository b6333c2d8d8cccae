"""docs/rules.md is generated from the rules' docstrings and must not go stale."""

import dataclasses

import pytest

from analyzer.devtools import rulesdoc
from analyzer.ruledoc import anchor, markdown, plain
from analyzer.rules import load_rules
from conftest import REPO


def test_the_committed_rules_page_is_up_to_date():
    committed = (REPO / "docs" / "rules.md").read_text(encoding="utf-8")
    assert committed == rulesdoc.render(), "docs/rules.md is stale: run python -m analyzer.devtools.rulesdoc"


def test_the_check_fails_when_a_rule_changes(monkeypatch):
    rules = list(load_rules())  # the registry's rules are shared by the process: change a copy
    rules[0] = dataclasses.replace(rules[0], doc=rules[0].doc + "\n\nA new paragraph.")
    monkeypatch.setattr(rulesdoc, "load_rules", lambda: rules)
    assert rulesdoc.main(["--check"]) == 1
    monkeypatch.undo()
    assert rulesdoc.main(["--check"]) == 0


def test_every_rule_has_its_anchor_and_heading():
    page = (REPO / "docs" / "rules.md").read_text(encoding="utf-8")
    for rule in load_rules():
        assert f'<a id="{anchor(rule.id)}"></a>\n\n## {rule.id} {rule.name}\n' in page
        assert f"| [{rule.id}](#{anchor(rule.id)}) |" in page


DOC = """Title sentence.

Why: a ``code span`` and ``one
over two lines``.

Example (Terraform):

    resource "x" "y" {
      a = 1

      b = 2
    }

Example (CloudFormation):

    R:
      Type: X

Fix: use ``z``."""


def test_markdown_is_commonmark():
    assert markdown(DOC) == (
        "Title sentence.\n\n"
        "**Why:** a `code span` and `one over two lines`.\n\n"
        "**Example (Terraform):**\n\n"
        '```hcl\nresource "x" "y" {\n  a = 1\n\n  b = 2\n}\n```\n\n'
        "**Example (CloudFormation):**\n\n"
        "```yaml\nR:\n  Type: X\n```\n\n"
        "**Fix:** use `z`.\n")


def test_plain_text_has_no_markup():
    assert plain(DOC) == (
        "Title sentence.\n\n"
        "Why: a code span and one\nover two lines.\n\n"
        "Example (Terraform):\n\n"
        '    resource "x" "y" {\n      a = 1\n\n      b = 2\n    }\n\n'
        "Example (CloudFormation):\n\n"
        "    R:\n      Type: X\n\n"
        "Fix: use z.\n")


@pytest.mark.parametrize("rule", load_rules(), ids=lambda r: r.id)
def test_explain_prints_plain_text(rule):
    from click.testing import CliRunner

    from analyzer.cli import main

    result = CliRunner().invoke(main, ["explain", rule.id])
    assert result.exit_code == 0
    fixes = "".join(f"  {fix}\n" for fix in rule.fix_templates())
    assert result.output == (f"{rule.id} {rule.name} ({rule.severity})\n{rule.title}\n\n{plain(rule.doc)}"
                             + (f"\nFix, as its findings say it:\n{fixes}" if fixes else ""))
    assert "``" not in result.output

"""Every rule is complete: id, name, severity, title, Why / Example / Fix, README row."""

import re

import pytest

from analyzer.findings import SEVERITIES
from analyzer.rules import load_rules
from conftest import REPO

RULES = load_rules()


def test_ids_are_unique_and_well_formed():
    ids = [r.id for r in RULES]
    assert len(ids) == len(set(ids))
    assert all(re.fullmatch(r"SES\d{3}", i) for i in ids)
    names = [r.name for r in RULES]
    assert len(names) == len(set(names))


@pytest.mark.parametrize("rule", RULES, ids=[r.id for r in RULES])
def test_rule_metadata_and_docs(rule):
    assert re.fullmatch(r"[a-z0-9]+(-[a-z0-9]+)+", rule.name)
    assert rule.severity in SEVERITIES
    assert rule.title and not rule.title.endswith(".")
    for section in ("Why:", "Example", "Fix:"):
        assert section in rule.doc, f"{rule.id} docstring lacks {section}"
    module_name = rule.module.__name__.rsplit(".", 1)[1]
    assert module_name.startswith(rule.id.lower() + "_")
    assert module_name == rule.id.lower() + "_" + rule.name.replace("-", "_")


def test_readme_rule_table_matches_the_registry():
    readme = (REPO / "README.md").read_text(encoding="utf-8")
    rows = re.findall(r"^\| (SES\d{3}) \| ([a-z0-9-]+) \| ([a-z]+) \|", readme, re.M)
    assert rows == [(r.id, r.name, r.severity) for r in RULES]

"""Every rule is complete: id, name, severity, title, Why / Example / Fix,
its metadata (tags, DNS it needs, mandatory, anchor, summary), README row."""

import re

import pytest

from analyzer.devtools import readme_rules
from analyzer.devtools.generated import MissingMarkers, replace_section
from analyzer.findings import SEVERITIES
from analyzer.rules import DNS_MODES, load_rules
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


@pytest.mark.parametrize("rule", RULES, ids=[r.id for r in RULES])
def test_rule_declares_its_metadata(rule):
    module = rule.module
    for name in ("TAGS", "NEEDS_DNS", "MANDATORY", "ANCHOR", "SUMMARY"):
        assert name in vars(module), f"{rule.id} does not declare {name}"
    assert isinstance(module.TAGS, tuple) and module.TAGS
    assert all(re.fullmatch(r"[a-z]+(-[a-z]+)*", tag) for tag in module.TAGS)
    assert module.NEEDS_DNS in (None,) + DNS_MODES[1:]
    assert ("dns" in module.TAGS) == (module.NEEDS_DNS is not None)
    assert module.MANDATORY in (True, False)
    assert module.ANCHOR == rule.id.lower()  # the anchor docs/rules.md and SARIF helpUri use
    assert module.SUMMARY and not module.SUMMARY.endswith(".")


def test_exactly_the_input_and_crash_rules_are_mandatory():
    assert {r.id for r in RULES if r.mandatory} == {"SES001", "SES002"}


def test_readme_rule_table_is_generated_from_the_registry():
    readme = (REPO / "README.md").read_text(encoding="utf-8")
    assert replace_section(readme, readme_rules.SECTION, readme_rules.table(RULES)) == readme, \
        "README's rule table is stale: run python -m analyzer.devtools.readme_rules"
    rows = re.findall(r"^\| \[(SES\d{3})\]\(docs/rules.md#([a-z0-9-]+)\) \| ([a-z0-9-]+) \| ([a-z]+) \|", readme, re.M)
    assert rows == [(r.id, r.anchor, r.name, r.severity) for r in RULES]


def test_a_stale_readme_table_fails_the_check(tmp_path, monkeypatch):
    stale = tmp_path / "README.md"
    readme = (REPO / "README.md").read_text(encoding="utf-8")
    stale.write_text(readme.replace("[SES221]", "[SES299]"), encoding="utf-8")
    monkeypatch.setattr(readme_rules, "README", stale)
    assert readme_rules.main(["--check"]) == 1
    assert readme_rules.main([]) == 0
    assert stale.read_text(encoding="utf-8") == readme
    assert readme_rules.main(["--check"]) == 0


def test_a_section_needs_its_markers():
    with pytest.raises(MissingMarkers):
        replace_section("no markers here", "readme-rules", "x")

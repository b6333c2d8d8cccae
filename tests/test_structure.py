"""The structure the issue #16 asks of the code: imports follow the layers
(loaders → model ← checks ← engine → reporters), and only the rule
registry and the engine name rule ids: every other module asks the
registry."""

import ast
import re

from analyzer.devtools import layers
from conftest import REPO

RULE_ID = re.compile(r"SES\d{3}")
MAY_NAME_RULE_IDS = {"analyzer/rules.py", "analyzer/engine.py"}
MAY_NAME_RULE_IDS_UNDER = ("analyzer/fix/",)  # the fixers, each registered under the rule whose finding it closes


def test_imports_follow_the_layers():
    assert layers.back_edges(REPO) == []


def test_a_back_edge_is_found(tmp_path):
    (tmp_path / "analyzer" / "report").mkdir(parents=True)
    (tmp_path / "checks").mkdir()
    (tmp_path / "analyzer" / "__init__.py").write_text("")
    (tmp_path / "analyzer" / "engine.py").write_text("ALWAYS = set()\n")
    (tmp_path / "analyzer" / "report" / "__init__.py").write_text("")
    (tmp_path / "analyzer" / "report" / "sarif.py").write_text(
        "from analyzer.model import Location\n\n\ndef render():\n    from ..engine import ALWAYS\n")
    (tmp_path / "checks" / "ses999_x.py").write_text("import analyzer.terraform.parse\n")
    assert layers.back_edges(tmp_path) == [
        ("analyzer/report/sarif.py", 5, "analyzer.report.sarif (reporters)", "analyzer.engine (engine)"),
        ("checks/ses999_x.py", 1, "checks.ses999_x (checks)", "analyzer.terraform.parse (loaders)"),
    ]


def _docstrings(tree) -> set:
    return {id(node.body[0].value) for node in ast.walk(tree)
            if isinstance(node, (ast.Module, ast.ClassDef, ast.FunctionDef, ast.AsyncFunctionDef))
            and node.body and isinstance(node.body[0], ast.Expr) and isinstance(node.body[0].value, ast.Constant)}


def rule_ids_named(path) -> list:
    """``(line, text)`` of the string values in ``path`` that are a rule id
    (prose in docstrings and help texts that mentions one does not count)."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    docs = _docstrings(tree)
    return [(node.lineno, node.value) for node in ast.walk(tree)
            if isinstance(node, ast.Constant) and isinstance(node.value, str) and id(node) not in docs
            and RULE_ID.fullmatch(node.value)]


def test_only_the_registry_and_the_engine_name_rule_ids():
    named = {}
    for path in sorted((REPO / "analyzer").rglob("*.py")):
        relative = path.relative_to(REPO).as_posix()
        if relative not in MAY_NAME_RULE_IDS and not relative.startswith(MAY_NAME_RULE_IDS_UNDER) \
                and rule_ids_named(path):
            named[relative] = rule_ids_named(path)
    assert named == {}


def test_the_rule_id_check_sees_a_rule_id(tmp_path):
    path = tmp_path / "m.py"
    path.write_text('"""Mentions SES221 in prose."""\nHELP = "see SES221"\nRULE = "SES221"\n')
    assert rule_ids_named(path) == [(3, "SES221")]


def test_no_rule_branches_on_the_source_format():
    """Rules are written once for every format (#8): what differs between formats is the loaders'."""
    branching = {}
    for path in sorted((REPO / "checks").glob("*.py")):
        tree = ast.parse(path.read_text(encoding="utf-8"))
        lines = [node.lineno for node in ast.walk(tree) if isinstance(node, ast.Attribute)
                 and node.attr in ("source_format", "origin")]
        if lines:
            branching[path.name] = lines
    assert branching == {}


def test_no_rule_tests_the_type_of_a_value():
    """Whether a field is known, written or left to its default, and what it
    holds, is the model's ``Value`` to say (#11): a rule that asks
    ``isinstance`` of a field re-derives it. SES001 and SES002 sort the
    scan's problems by class, which is no value."""
    asking = {}
    for path in sorted((REPO / "checks").glob("*.py")):
        if path.name.startswith(("ses001_", "ses002_")):
            continue
        tree = ast.parse(path.read_text(encoding="utf-8"))
        lines = [node.lineno for node in ast.walk(tree) if isinstance(node, ast.Call)
                 and isinstance(node.func, ast.Name) and node.func.id in ("isinstance", "type")]
        if lines:
            asking[path.name] = lines
    assert asking == {}


def test_fix_titles_come_from_the_rules_templates():
    """A finding's fix title is one of its rule's FIXES, filled (what `sesguard explain` shows, #13):
    never a string a check writes at the call."""
    for path in sorted((REPO / "checks").glob("*.py")):
        tree = ast.parse(path.read_text(encoding="utf-8"))
        for node in ast.walk(tree):
            if isinstance(node, ast.keyword) and node.arg == "fix_title":
                call = node.value.body if isinstance(node.value, ast.IfExp) else node.value
                assert isinstance(call, ast.Call) and getattr(call.func, "attr", "") == "fix", (path.name, node.lineno)


def test_every_fixture_fix_title_fills_a_template_of_its_rule():
    """Over the reviewed snapshot of every fixture finding: each ``fix:`` is one of its rule's FIXES."""
    from analyzer.rules import load_rules

    patterns = {r.id: [re.compile(re.sub(r"\\\{\w+\\\}", ".+", re.escape(t)) + r"\Z") for t in r.fixes.values()]
                for r in load_rules()}
    rule_id, checked = None, 0
    for line in (REPO / "tests" / "snapshots" / "messages.txt").read_text(encoding="utf-8").splitlines():
        if RULE_ID.match(line):
            rule_id = line.split()[0]
        elif line.startswith("  fix: "):
            assert any(p.match(line[len("  fix: "):]) for p in patterns[rule_id]), (rule_id, line)
            checked += 1
    assert checked > 100

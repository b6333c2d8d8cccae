"""The rule-result cache (analyzer.rule_results, #17): the rules run again
only on the deployments whose view of the model changed, and a warm scan
reports what a scan without any cache reports."""

import pathlib
import shutil

import pytest

from analyzer import engine
from analyzer.engine import ScanOptions, scan
from analyzer.report import json_format

FIXTURES = pathlib.Path(__file__).resolve().parent.parent / "fixtures"


@pytest.fixture
def judged(monkeypatch):
    """The deployments the rules ran on (not taken from the cache), in order."""
    names = []
    real = engine._run_rules

    def counting(running, view, context):
        names.append(next((r.context for kind in view.RESOURCES for r in getattr(view, kind) if r.context), ""))
        return real(running, view, context)
    monkeypatch.setattr(engine, "_run_rules", counting)
    return names


@pytest.fixture
def repo(tmp_path, monkeypatch):
    root = tmp_path / "repo"
    shutil.copytree(FIXTURES / "deployments" / "envs", root)
    (root / ".git").mkdir()
    monkeypatch.chdir(root)
    return root


def _report(cache, **options) -> str:
    return json_format.render(scan(ScanOptions(paths=["."], cache=cache, **options)))


def test_rules_run_again_only_where_the_view_changed(repo, cache, judged):
    first = _report(cache)
    assert sorted(judged) == ["", "envs/dev", "envs/prod"]
    judged.clear()
    assert _report(cache) == first and judged == []
    (repo / "envs" / "prod" / "terraform.tfvars").write_text('senders = ["*"]\n')
    warm = _report(cache)
    assert judged == ["envs/prod"]
    assert warm == _report(None) and warm != first


def test_a_comment_changes_no_view(repo, cache, judged):
    first = _report(cache)
    judged.clear()
    with open(repo / "envs" / "dev" / "main.tf", "a") as f:
        f.write("# a comment\n")
    assert _report(cache) == first and judged == []


def test_the_settings_the_rules_read_are_part_of_the_key(repo, cache, judged):
    _report(cache)
    judged.clear()
    trusted = _report(cache, trusted_accounts=["111122223333"])
    assert sorted(judged) == ["", "envs/dev", "envs/prod"]
    assert trusted == _report(None, trusted_accounts=["111122223333"])
    judged.clear()
    _report(cache, disable=frozenset({"SES304"}))
    assert sorted(judged) == ["", "envs/dev", "envs/prod"]


def test_a_crashed_rule_is_never_kept(repo, cache, judged, monkeypatch):
    import checks.ses304_reputation_metrics_disabled as rule

    def crash(model, context):
        raise RuntimeError("boom")
        yield
    monkeypatch.setattr(rule, "check", crash)
    for _ in range(2):
        judged.clear()
        found = scan(ScanOptions(paths=["."], cache=cache)).findings
        assert [f.rule_id for f in found if f.rule_id == "SES002"] == ["SES002"]
        assert sorted(judged) == ["", "envs/dev", "envs/prod"]


def test_live_dns_answers_are_never_kept(repo, cache, judged, monkeypatch):
    monkeypatch.setattr(engine, "live_dns", lambda options, model, progress=None: None)
    _report(cache, dns="live")
    judged.clear()
    _report(cache, dns="live")
    assert sorted(judged) == ["", "envs/dev", "envs/prod"]

"""Baselines: paths relative to the repository root, warnings for entries
that matched nothing, --write-baseline beside --baseline."""

import json
import shutil

import pytest
from click.testing import CliRunner

from analyzer.cli import main
from conftest import FIXTURES


@pytest.fixture(autouse=True)
def _without_dns_rules(monkeypatch):
    monkeypatch.setenv("SESGUARD_DNS", "off")


@pytest.fixture
def repo(tmp_path, monkeypatch):
    (tmp_path / ".git").mkdir()
    shutil.copytree(FIXTURES / "SES101" / "jsonencode", tmp_path / "infra" / "public")
    shutil.copytree(FIXTURES / "SES102" / "account", tmp_path / "infra" / "partner")
    monkeypatch.chdir(tmp_path)
    return tmp_path


def invoke(*args):
    result = CliRunner().invoke(main, list(args))
    assert result.exception is None or isinstance(result.exception, SystemExit), result.exception
    return result


def test_a_baseline_written_at_the_root_matches_from_a_subdirectory(repo, monkeypatch):
    result = invoke("scan", ".", "--write-baseline", "baseline.json")
    assert result.exit_code == 0 and result.stderr == "sesguard: wrote 2 finding(s) to baseline.json\n"
    entries = json.loads((repo / "baseline.json").read_text())
    assert entries["version"] == 2
    assert sorted((e["rule_id"], e["file"]) for e in entries["findings"]) == [
        ("SES101", "infra/public/main.tf"), ("SES102", "infra/partner/main.tf")]
    monkeypatch.chdir(repo / "infra")
    result = invoke("scan", ".", "--baseline", "../baseline.json", "--format", "json")
    assert result.exit_code == 0
    assert json.loads(result.stdout)["findings"] == [] and json.loads(result.stdout)["summary"]["baselined"] == 2
    assert result.stderr == ""


def test_entries_that_match_nothing_are_warned_about_with_counts(repo, monkeypatch):
    invoke("scan", ".", "--write-baseline", "baseline.json")
    result = invoke("scan", "infra/public", "--baseline", "baseline.json")
    assert result.exit_code == 0
    assert result.stderr == ("sesguard: warning: 1 of the 2 entries of the baseline baseline.json matched no "
                             "finding (fixed, or outside the scanned paths)\n")
    shutil.rmtree(repo / "infra" / "public")
    shutil.rmtree(repo / "infra" / "partner")
    shutil.copytree(FIXTURES / "SES101" / "sesv2", repo / "infra" / "new")
    result = invoke("scan", ".", "--baseline", "baseline.json")
    assert result.exit_code == 1
    assert ("sesguard: warning: none of the 2 entries of the baseline baseline.json matched a finding: its paths "
            "are relative to .; was it written for other paths?\n") in result.stderr


def test_write_baseline_with_baseline_keeps_the_old_entries_that_still_match(repo):
    invoke("scan", "infra/public", "--write-baseline", "baseline.json")
    old = json.loads((repo / "baseline.json").read_text())["findings"]
    assert [e["rule_id"] for e in old] == ["SES101"]
    result = invoke("scan", ".", "--baseline", "baseline.json", "--write-baseline", "baseline.json")
    assert result.exit_code == 0 and "wrote 2 finding(s) to baseline.json" in result.stderr
    new = json.loads((repo / "baseline.json").read_text())["findings"]
    assert sorted(e["rule_id"] for e in new) == ["SES101", "SES102"] and old[0] in new
    shutil.rmtree(repo / "infra" / "public")  # fixed: its entry goes
    invoke("scan", ".", "--baseline", "baseline.json", "--write-baseline", "baseline.json")
    assert [e["rule_id"] for e in json.loads((repo / "baseline.json").read_text())["findings"]] == ["SES102"]


def test_a_version_1_baseline_still_matches_from_where_it_was_written(repo):
    from analyzer.engine import ScanOptions, scan

    report = scan(ScanOptions(paths=["."], dns="off"))
    (repo / "v1.json").write_text(json.dumps({"version": 1, "findings": [
        {"fingerprint": f.fingerprint} for f in report.findings]}))
    result = invoke("scan", ".", "--baseline", "v1.json", "--format", "json")
    assert result.exit_code == 0 and json.loads(result.stdout)["summary"]["baselined"] == 2


def test_an_unknown_baseline_version_is_a_usage_error(repo):
    (repo / "b.json").write_text('{"version": 7, "findings": []}')
    result = invoke("scan", ".", "--baseline", "b.json")
    assert result.exit_code == 2
    assert result.stderr == "sesguard: cannot read the baseline b.json: version 7 is not 1 or 2\n"

"""Configuration discovery (--config, else .sesguard.yml from the current
directory up to the repository root), rule ids checked against the
registry, hostile files refused with a message."""

import json
import shutil

import pytest
from click.testing import CliRunner

from analyzer.cli import main
from analyzer.repository import find_root
from conftest import FIXTURES


@pytest.fixture(autouse=True)
def _without_dns_rules(monkeypatch):
    monkeypatch.setenv("SESGUARD_DNS", "off")


@pytest.fixture
def repo(tmp_path):
    """A repository (.git) with infra/envs/prod holding a public policy."""
    (tmp_path / ".git").mkdir()
    shutil.copytree(FIXTURES / "SES101" / "jsonencode", tmp_path / "infra" / "envs" / "prod")
    return tmp_path


def invoke(*args):
    result = CliRunner().invoke(main, list(args))
    assert result.exception is None or isinstance(result.exception, SystemExit), result.exception
    assert "Traceback" not in result.output
    return result


def rules_of(result):
    return [(f["rule_id"], f["severity"]) for f in json.loads(result.stdout)["findings"]]


def test_find_root_is_the_nearest_git_directory_or_file(tmp_path):
    (tmp_path / "a" / "b").mkdir(parents=True)
    assert find_root([str(tmp_path / "a" / "b")]) != str(tmp_path)
    (tmp_path / ".git").mkdir()
    assert find_root([str(tmp_path / "a" / "b")]) == str(tmp_path)
    (tmp_path / "a" / ".git").write_text("gitdir: /elsewhere/worktrees/a\n")  # a worktree or submodule
    assert find_root([str(tmp_path / "a" / "b" / "x.tf")]) == str(tmp_path / "a")
    assert find_root([str(tmp_path / "a")], explicit=str(tmp_path)) == str(tmp_path)


@pytest.mark.parametrize("where, cwd, used", [
    ("", "infra", "../.sesguard.yml"),  # the root's file, from a subdirectory
    ("infra", "infra", ".sesguard.yml"),  # the current directory first
    ("infra", "infra/envs", "../.sesguard.yml"),
    ("", ".", ".sesguard.yml"),
])
def test_the_configuration_is_found_from_the_current_directory_up_to_the_root(repo, monkeypatch, where, cwd, used):
    (repo / where / ".sesguard.yml").write_text("severity:\n  SES101: low\n")
    monkeypatch.chdir(repo / cwd)
    target = str(repo / "infra" / "envs" / "prod")
    result = invoke("scan", target, "--format", "json", "-v")
    assert rules_of(result) == [("SES101", "low")]
    assert f"sesguard: configuration: {used}\n" in result.stderr


def test_the_configuration_is_found_for_a_file_argument_and_the_action_paths(repo, monkeypatch):
    (repo / ".sesguard.yml").write_text("severity:\n  SES101: medium\n")
    monkeypatch.chdir(repo)
    assert rules_of(invoke("scan", "infra/envs/prod/main.tf", "--format", "json")) == [("SES101", "medium")]
    assert rules_of(invoke("scan", "infra", "--format", "json")) == [("SES101", "medium")]


def test_no_configuration_above_the_root_is_read(repo, monkeypatch):
    (repo.parent / ".sesguard.yml").write_text("disable: [SES101]\n")
    try:
        monkeypatch.chdir(repo / "infra")
        result = invoke("scan", ".", "--format", "json", "-v")
        assert rules_of(result) == [("SES101", "critical")]
        assert "sesguard: configuration: none" in result.stderr
    finally:
        (repo.parent / ".sesguard.yml").unlink()


def test_an_explicit_configuration_wins(repo, monkeypatch):
    (repo / ".sesguard.yml").write_text("severity:\n  SES101: low\n")
    (repo / "other.yml").write_text("severity:\n  SES101: high\n")
    monkeypatch.chdir(repo)
    result = invoke("scan", "infra", "--config", "other.yml", "--format", "json", "-v")
    assert rules_of(result) == [("SES101", "high")]
    assert "sesguard: configuration: other.yml\n" in result.stderr


@pytest.mark.parametrize("text, message", [
    ("disable:\n  - SES103\n  - SES999\n", ".sesguard.yml:3: disable: no rule SES999; `sesguard rules` lists them"),
    ("severity:\n  SES101: low\n  SES998: high\n", ".sesguard.yml:3: severity: no rule SES998"),
    ("disable: [ses101]\n", ".sesguard.yml:1: disable: 'ses101' is not a rule id (SES101...)"),
    ("disable:\n" + "  " + "[" * 5000 + "]" * 5000 + "\n", ".sesguard.yml: nested too deeply"),
    ("severity:\n  " + "{a: " * 20 + "b" + "}" * 20 + "\n", ".sesguard.yml:2: nested deeper than 10 levels"),
    ("? [a, b]\n: 1\n", ".sesguard.yml:1: the configuration: keys must be plain strings"),
    ("1: x\n", ".sesguard.yml:1: the configuration: keys must be plain strings"),
    ("var_files:\n  ? {a: 1}\n  : [x.tfvars]\n", ".sesguard.yml:2: var_files: keys must be plain strings"),
    ("disable: !!python/object/apply:os.system [echo]\n", ".sesguard.yml:1: disable must be a list"),
    ("disable: [!!binary aGVsbG8=]\n", ".sesguard.yml:1: disable: "),
    ("max_depth: " + "9" * 5000 + "\n", ".sesguard.yml:1: max_depth: '99999999999999999999' is not a whole number "
                                        "from 1 to 1000"),
    ("max_depth: 1001\n", ".sesguard.yml:1: max_depth: '1001' is not a whole number from 1 to 1000"),
    ("cfn_parameters:\n  stacks: {Stage: [a, b]}\n", ".sesguard.yml:2: cfn_parameters: values must be strings"),
    ("trusted_accounts: &a [*a]\n", ".sesguard.yml:1: nested deeper than 10 levels"),  # a recursive alias
    ("\x00\n", ".sesguard.yml: not valid YAML (unacceptable character #x0000"),
])
def test_a_bad_or_hostile_configuration_exits_2_with_its_line(repo, monkeypatch, text, message):
    (repo / ".sesguard.yml").write_text(text)
    monkeypatch.chdir(repo)
    result = invoke("scan", "infra")
    assert result.exit_code == 2, result.output
    assert f"sesguard: {message}" in result.stderr


def test_var_files_outside_the_repository_are_refused(repo, monkeypatch, tmp_path_factory):
    outside = tmp_path_factory.mktemp("outside")
    (outside / "secrets.tfvars").write_text('x = "1"\n')
    (repo / ".sesguard.yml").write_text(f"var_files:\n  infra/envs/prod: [{outside}/secrets.tfvars]\n")
    monkeypatch.chdir(repo)
    result = invoke("scan", "infra")
    assert result.exit_code == 2
    assert (f"sesguard: .sesguard.yml: var_files: infra/envs/prod/{outside}/secrets.tfvars is outside the "
            "repository (.); a configuration file may only name files in it") in result.stderr
    (repo / ".sesguard.yml").write_text("var_files:\n  infra/envs/prod: [../../../../x.tfvars]\n")
    assert "is outside the repository" in invoke("scan", "infra").stderr

"""--var-file: applied to the root module whose directory holds it, else to
every root; an unusable one says why, with its line."""

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
def envs(tmp_path, monkeypatch):
    """Two root modules whose policy exists only with enable_policy = true."""
    for env in ("prod", "dev"):
        shutil.copytree(FIXTURES / "SES101" / "inactive", tmp_path / "envs" / env)
    (tmp_path / "envs" / "prod" / "on.tfvars").write_text("enable_policy = true\n")
    (tmp_path / "envs" / "prod" / "vars").mkdir()
    (tmp_path / "envs" / "prod" / "vars" / "on.tfvars").write_text("enable_policy = true\n")
    (tmp_path / "shared").mkdir()
    (tmp_path / "shared" / "on.tfvars").write_text("enable_policy = true\n")
    monkeypatch.chdir(tmp_path)
    return tmp_path


def active_by_file(*args):
    result = CliRunner().invoke(main, ["scan", *args, "--format", "json"])
    assert result.exit_code in (0, 1), result.output
    return sorted((f["file"], f["active"]) for f in json.loads(result.stdout)["findings"])


@pytest.mark.parametrize("var_file", ["envs/prod/on.tfvars", "envs/prod/vars/on.tfvars"])
def test_a_var_file_inside_a_root_module_applies_to_that_root_only(envs, var_file):
    assert active_by_file("envs", "--var-file", var_file) == [
        ("envs/dev/main.tf", False), ("envs/prod/main.tf", True)]
    assert active_by_file("envs/prod", "envs/dev", "--var-file", var_file) == [
        ("envs/dev/main.tf", False), ("envs/prod/main.tf", True)]


def test_a_var_file_outside_the_roots_applies_to_every_root(envs):
    assert active_by_file("envs", "--var-file", "shared/on.tfvars") == [
        ("envs/dev/main.tf", True), ("envs/prod/main.tf", True)]


def test_a_var_file_of_a_root_that_is_not_scanned_applies_to_the_scanned_roots(envs):
    assert active_by_file("envs/dev", "--var-file", "envs/prod/on.tfvars") == [("envs/dev/main.tf", True)]


def test_an_unparseable_var_file_says_why_and_where(envs):
    (envs / "bad.tfvars").write_text("x = = 1\n")
    result = CliRunner().invoke(main, ["scan", "envs/dev", "--var-file", "bad.tfvars"])
    assert result.exit_code == 2
    assert result.stderr.startswith("sesguard: cannot use --var-file bad.tfvars:1: cannot parse: ")


def test_an_unreadable_var_file_says_why(envs):
    (envs / "bad.tfvars").write_bytes(b"\xff\xfe\x00x")
    result = CliRunner().invoke(main, ["scan", "envs/dev", "--var-file", "bad.tfvars"])
    assert result.exit_code == 2
    assert result.stderr == ("sesguard: cannot use --var-file bad.tfvars:1: the file is UTF-16 (it starts with a byte "
                             "order mark); sesguard reads UTF-8 only, as Terraform does; not analyzed\n")


def test_a_var_file_of_a_module_that_is_not_a_root_is_said_to_be_unused(tmp_path, monkeypatch):
    shutil.copytree(FIXTURES / "SES101" / "module_call", tmp_path / "app")
    (tmp_path / "app" / "modules" / "mail" / "x.tfvars").write_text('x = "1"\n')
    monkeypatch.chdir(tmp_path)
    result = CliRunner().invoke(main, ["scan", "app", "--var-file", "app/modules/mail/x.tfvars"])
    assert result.exit_code == 1
    assert result.stderr == ("sesguard: warning: --var-file app/modules/mail/x.tfvars belongs to app/modules/mail, "
                             "which was not evaluated as a root module (a module called by another, or without SES "
                             "resources); it was not used\n")

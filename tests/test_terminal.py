"""Terminal conventions: colour variables, a warning for an empty scan,
file counts that agree with each other."""

import io
import json
import shutil

import pytest
from click.testing import CliRunner

from analyzer.cli import main
from analyzer.outputs import colour_wanted
from conftest import FIXTURES

PUBLIC = str(FIXTURES / "SES101" / "jsonencode")


@pytest.fixture(autouse=True)
def _without_dns_rules(monkeypatch):
    monkeypatch.setenv("SESGUARD_DNS", "off")
    for name in ("NO_COLOR", "FORCE_COLOR", "CLICOLOR_FORCE", "TERM"):
        monkeypatch.delenv(name, raising=False)


class Tty(io.StringIO):
    def isatty(self):
        return True


@pytest.mark.parametrize("environ, tty, wanted", [
    ({}, True, True),
    ({}, False, False),
    ({"NO_COLOR": "1"}, True, False),
    ({"NO_COLOR": ""}, True, True),  # an empty NO_COLOR does not count
    ({"NO_COLOR": "1", "FORCE_COLOR": "1"}, False, False),
    ({"FORCE_COLOR": "1"}, False, True),
    ({"FORCE_COLOR": "0"}, False, False),
    ({"CLICOLOR_FORCE": "1"}, False, True),
    ({"TERM": "dumb"}, True, False),
    ({"TERM": "dumb", "FORCE_COLOR": "3"}, True, True),
])
def test_colour_conventions(environ, tty, wanted):
    assert colour_wanted(Tty() if tty else io.StringIO(), environ) is wanted


@pytest.mark.parametrize("environ, coloured", [
    ({"FORCE_COLOR": "1"}, True), ({"CLICOLOR_FORCE": "1"}, True), ({}, False),
    ({"FORCE_COLOR": "1", "NO_COLOR": "1"}, False),
])
def test_the_text_report_follows_the_colour_variables(monkeypatch, environ, coloured):
    for name, value in environ.items():
        monkeypatch.setenv(name, value)
    result = CliRunner().invoke(main, ["scan", PUBLIC])
    assert result.exit_code == 1
    assert ("\x1b[35m\x1b[1m[critical]\x1b[0m" in result.stdout) is coloured
    assert ("[critical]" in result.stdout)


def test_colour_never_reaches_a_report_file(monkeypatch, tmp_path):
    monkeypatch.setenv("FORCE_COLOR", "1")
    CliRunner().invoke(main, ["scan", PUBLIC, "-o", f"text:{tmp_path}/r.txt"])
    assert "\x1b[" not in (tmp_path / "r.txt").read_text()


def test_an_empty_scan_warns(tmp_path):
    (tmp_path / "README.md").write_text("nothing here\n")
    result = CliRunner().invoke(main, ["scan", str(tmp_path)])
    assert result.exit_code == 0
    assert result.stderr == (f"sesguard: warning: nothing was scanned: no Terraform, CloudFormation, plan or DNS "
                             f"zone file under {tmp_path}\n")


@pytest.fixture
def mixed(tmp_path):
    """A module with SES and a tfvars, one without SES, and a module that does not parse."""
    shutil.copytree(FIXTURES / "SES101" / "jsonencode", tmp_path / "ses")
    (tmp_path / "ses" / "terraform.tfvars").write_text('unused = "x"\n')
    (tmp_path / "network").mkdir()
    (tmp_path / "network" / "main.tf").write_text('resource "aws_vpc" "v" {\n  cidr_block = "10.0.0.0/16"\n}\n')
    (tmp_path / "network" / "outputs.tf").write_text('output "id" {\n  value = aws_vpc.v.id\n}\n')
    shutil.copytree(FIXTURES / "SES001" / "parse_error", tmp_path / "broken")
    (tmp_path / "cli.tfvars").write_text('x = "1"\n')
    (tmp_path / "stacks").mkdir()
    (tmp_path / "stacks" / "broken.yaml").write_text(
        'AWSTemplateFormatVersion: "2010-09-09"\nResources:\n  I:\n    Type: AWS::SES::EmailIdentity\n'
        "    Properties: {EmailIdentity: [\n")
    (tmp_path / "stacks" / "big.yaml").write_text(
        'AWSTemplateFormatVersion: "2010-09-09"\nResources:\n  I:\n    Type: AWS::SES::EmailIdentity\n'
        "    Properties: {EmailIdentity: example.com}\n" + "#" * 20000 + "\n")
    (tmp_path / "stacks" / "ci.yml").write_text("jobs: {}\n")
    return tmp_path


def test_counts_agree_and_each_file_counts_once(mixed):
    broken_files = len(list((mixed / "broken").glob("*.tf")))
    args = ["scan", str(mixed), str(mixed / "ses"), str(mixed), "--var-file", str(mixed / "cli.tfvars"),
            "--max-file-size", "16K", "--format", "json"]
    summary = json.loads(CliRunner().invoke(main, args).stdout)["summary"]
    assert summary["files"] == 1 + 2 + broken_files + 3
    # failed: remote-state.tf, broken.yaml (loaded), big.yaml (not read); skipped: network/*.tf, ci.yml
    assert (summary["files_failed"], summary["files_skipped"], summary["variable_files"]) == (3, 3, 2)
    assert summary["files_parsed"] == 1 + broken_files - 1
    assert summary["files_parsed"] + summary["files_failed"] + summary["files_skipped"] == summary["files"]

"""Whose fault an error is: the input's (InputError: SES001, and what
``can``/``try`` catch), sesguard's limits (Unsupported: the values that
depend on it are unknown, SES003), or sesguard's own bug (SES002 on the file
being read, with the traceback, and the scan goes on)."""

import dataclasses
import shutil

import pytest

from analyzer import errors
from analyzer.engine import ScanOptions, scan
from analyzer.terraform import functions
from conftest import FIXTURES

ACCOUNT = "111122223333"
POLICY = '''locals {
  ok = %s
}

resource "aws_ses_domain_identity" "d" {
  domain = "example.com"
}

resource "aws_ses_identity_policy" "p" {
  identity = aws_ses_domain_identity.d.arn
  name     = "p"
  policy = jsonencode({
    Statement = [{
      Effect    = "Allow"
      Principal = { AWS = local.ok ? "%s" : "*" }
      Action    = "ses:SendEmail"
      Resource  = "*"
    }]
  })
}
'''


def _scan(path, **options):
    options.setdefault("dns", "off")
    options.setdefault("disable", ("SES302", "SES305"))
    return scan(ScanOptions(paths=[str(path)], trusted_accounts=(ACCOUNT,), **options))


def _found(report):
    return sorted((f.rule_id, f.file.rsplit("/", 1)[-1], f.location.line) for f in report.findings)


def test_a_regex_sesguard_cannot_translate_is_unsupported_not_invalid():
    with pytest.raises(errors.Unsupported, match="ungreedy"):
        functions.call("regex", ["(?U)a+", "aaa"], None)
    with pytest.raises(errors.InputError, match="missing closing"):
        functions.call("regex", ["(a+", "aaa"], None)


def test_can_of_an_unsupported_construct_is_unknown_so_no_branch_is_chosen(tmp_path):
    (tmp_path / "main.tf").write_text(POLICY % ('can(regex("(?U)a+", "aaa"))', ACCOUNT))
    report = _scan(tmp_path)
    assert _found(report) == [("SES003", "main.tf", 15)]
    message = report.findings[0].message
    assert "ungreedy" in message and "not supported by sesguard" in message


def test_try_of_an_unsupported_construct_is_unknown_not_its_fallback(tmp_path):
    (tmp_path / "main.tf").write_text(POLICY % ('try(regex("(?U)a+", "aaa") == "a", false)', ACCOUNT))
    assert _found(_scan(tmp_path)) == [("SES003", "main.tf", 15)]


def test_try_of_a_wrong_expression_is_its_fallback(tmp_path):
    (tmp_path / "main.tf").write_text(POLICY % ('try(regex("(a+", "aaa") == "a", false)', ACCOUNT))
    assert _found(_scan(tmp_path)) == [("SES101", "main.tf", 15)]


def test_can_of_a_wrong_expression_is_false(tmp_path):
    (tmp_path / "main.tf").write_text(POLICY % ('can(regex("(a+", "aaa"))', ACCOUNT))
    assert _found(_scan(tmp_path)) == [("SES101", "main.tf", 15)]


def test_can_of_a_supported_expression_is_true(tmp_path):
    (tmp_path / "main.tf").write_text(POLICY % ('can(regex("a+", "aaa"))', ACCOUNT))
    assert _found(_scan(tmp_path)) == []


def _broken(name, monkeypatch):
    def crash(*args):
        raise KeyError("a bug in sesguard")
    monkeypatch.setitem(functions.REGISTRY, name, dataclasses.replace(functions.REGISTRY[name], impl=crash))


def test_a_bug_in_a_function_is_not_a_bad_call(monkeypatch):
    _broken("lower", monkeypatch)
    with pytest.raises(KeyError):
        functions.call("lower", ["A"], None)


def test_a_bug_in_a_function_is_SES002_on_its_module_and_the_scan_goes_on(tmp_path, monkeypatch):
    _broken("upper", monkeypatch)
    (tmp_path / "a").mkdir()
    (tmp_path / "b").mkdir()
    (tmp_path / "a" / "main.tf").write_text(POLICY % ('can(upper("x"))', ACCOUNT))
    (tmp_path / "b" / "main.tf").write_text(POLICY % ("false", ACCOUNT))
    report = _scan(tmp_path)
    assert _found(report) == [("SES002", "a", 0), ("SES101", "main.tf", 15)]
    crash = report.findings[0]
    assert "KeyError" in crash.message and "a bug in sesguard" in crash.message
    assert "Traceback" in crash.details["traceback"] and "crash" in crash.details["traceback"]
    assert not [f for f in report.findings if f.rule_id == "SES001"]


LOADERS = [
    ("analyzer.cloudformation.loader", "load_template", "SES103/service_no_source_cfn_yaml", "template.yaml"),
    ("analyzer.plan.loader", "load_plan", "SES103/service_no_source_plan", "plan.json"),
    ("analyzer.dns.zonefile", "load_zone_file", "SES221/zone_file_plus_all", "db.example.org"),
    ("analyzer.dns.octodns", "load_octodns_config", "SES231/octodns_p_none", "octodns.yaml"),
    ("analyzer.serverless.loader", "load_service", "SES110/iam_serverless", "serverless.yml"),
    ("analyzer.pulumi.loader", "load_program", "SES110/iam_pulumi", "Pulumi.yaml"),
    ("analyzer.cloudformation.samconfig", "read_samconfig", "SES110/sam_policies_cfn_yaml", "samconfig.toml"),
]


@pytest.mark.parametrize("module, function, case, file", LOADERS, ids=[l[1] for l in LOADERS])
def test_a_bug_in_a_loader_is_SES002_on_that_file_and_the_scan_goes_on(module, function, case, file, tmp_path,
                                                                       monkeypatch):
    import importlib

    def crash(*args, **kwargs):
        raise ZeroDivisionError("a bug in the loader")

    monkeypatch.setattr(importlib.import_module(module), function, crash)
    shutil.copytree(FIXTURES / case, tmp_path / "case")
    (tmp_path / "other").mkdir()
    (tmp_path / "other" / "main.tf").write_text(POLICY % ("false", ACCOUNT))
    report = _scan(tmp_path, dns="static", disable=())
    crashes = [f for f in report.findings if f.rule_id == "SES002"]
    assert [(f.file.rsplit("/", 1)[-1], "ZeroDivisionError" in f.message) for f in crashes] == [(file, True)]
    assert "Traceback" in crashes[0].details["traceback"]
    assert ("SES101", "main.tf", 15) in _found(report)


def test_verbose_prints_the_traceback_of_a_crash(tmp_path, monkeypatch):
    from click.testing import CliRunner

    from analyzer.cli import main

    _broken("upper", monkeypatch)
    (tmp_path / "main.tf").write_text(POLICY % ('can(upper("x"))', ACCOUNT))
    monkeypatch.chdir(tmp_path)
    quiet = CliRunner().invoke(main, ["scan", ".", "--dns", "off"], catch_exceptions=False)
    verbose = CliRunner().invoke(main, ["scan", ".", "--dns", "off", "-v"], catch_exceptions=False)
    assert quiet.exit_code == verbose.exit_code == 1
    assert "Traceback" not in quiet.stderr
    assert "Traceback (most recent call last)" in verbose.stderr and "KeyError: 'a bug in sesguard'" in verbose.stderr

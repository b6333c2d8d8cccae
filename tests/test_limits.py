"""Limits the user can raise or lower (issue #7): ``--max-file-size`` and
``--max-depth`` reach every reader, a file over a limit is reported (SES001)
with the limit and the option that raises it, and every other file is
analyzed as without it. The defaults are those ``test_hostile`` holds."""

import json
import os
import shutil

import pytest
from click.testing import CliRunner

from analyzer.cli import main
from analyzer.config import ConfigError, load_config
from analyzer.engine import ScanOptions, scan
from analyzer.files import MAX_DEPTH, MAX_FILE_SIZE, Limits, describe_size, parse_size
from analyzer.model import Unknown
from analyzer.terraform.evaluate import Evaluator, Scope
from analyzer.terraform.functions import CallContext
from analyzer.terraform.parse import parse_hcl
from conftest import FIXTURES
from test_hostile import FORMATS, nested, text_with

GOOD = FIXTURES / "SES101" / "heredoc" / "main.tf"
GOOD_FINDING = ("SES101", "good/main.tf", 14)


def scan_tree(root, limits: Limits) -> list:
    """Scan ``root`` with ``good/`` beside the case; the good finding must be
    there whatever the case holds. Returns the SES001 findings as
    (file, line, column, message)."""
    (root / "good").mkdir()
    shutil.copy(GOOD, root / "good" / "main.tf")
    cwd = os.getcwd()
    os.chdir(root)
    try:
        findings = scan(ScanOptions(paths=["."], limits=limits)).findings
    finally:
        os.chdir(cwd)
    assert GOOD_FINDING in [(f.rule_id, f.file, f.location.line) for f in findings]
    assert not [f for f in findings if f.rule_id == "SES002"]
    return [(f.file, f.location.line, f.location.column, f.message) for f in findings if f.rule_id == "SES001"]


def write_case(root, fmt: str, text: str) -> str:
    name, _, _, beside = FORMATS[fmt]
    (root / "case").mkdir()
    (root / "case" / name).write_text(text)
    for other, content in beside.items():
        (root / "case" / other).write_text(content)
    return f"case/{name}"


def test_the_defaults():
    assert (Limits().max_file_size, Limits().max_depth) == (MAX_FILE_SIZE, MAX_DEPTH) == (10 * 1024 * 1024, 200)
    assert Limits().too_large() == "larger than 10 MB, the --max-file-size limit"
    assert Limits().too_deep() == "nesting deeper than 200 levels, the --max-depth limit"


# ---------------------------------------------------------------------------
# --max-file-size
# ---------------------------------------------------------------------------


@pytest.mark.parametrize("fmt", FORMATS)
def test_a_file_at_the_lowered_size_limit_is_analyzed(fmt, tmp_path):
    text = text_with(fmt)
    write_case(tmp_path, fmt, text + "\n" * (1024 - len(text)))
    assert os.path.getsize(tmp_path / "case" / FORMATS[fmt][0]) == 1024
    assert scan_tree(tmp_path, Limits(max_file_size=1024)) == []


@pytest.mark.parametrize("fmt", FORMATS)
def test_a_file_one_byte_over_the_lowered_size_limit_is_reported(fmt, tmp_path):
    text = text_with(fmt)
    file = write_case(tmp_path, fmt, text + "\n" * (1025 - len(text)))
    assert scan_tree(tmp_path, Limits(max_file_size=1024)) == [
        (file, 0, 0, f"{file}: file is larger than 1 KB, the --max-file-size limit; not analyzed")]


def test_a_file_over_the_limit_is_reported_even_without_ses_text(tmp_path):
    """It is not read, so the pre-filter cannot rule it out."""
    (tmp_path / "case").mkdir()
    (tmp_path / "case" / "big.tf").write_text('resource "aws_s3_bucket" "b" {\n  bucket = "b"\n}\n' + "#" * 2048)
    assert scan_tree(tmp_path, Limits(max_file_size=2048)) == [
        ("case/big.tf", 0, 0, "case/big.tf: file is larger than 2 KB, the --max-file-size limit; not analyzed")]


def test_file_and_templatefile_follow_the_size_limit(tmp_path):
    (tmp_path / "case").mkdir()
    (tmp_path / "case" / "main.tf").write_text(
        'resource "aws_ses_domain_identity" "d" {\n  domain = "example.com"\n}\n\n'
        'resource "aws_ses_identity_policy" "p" {\n  identity = aws_ses_domain_identity.d.arn\n  name     = "p"\n'
        '  policy   = file("${path.module}/policy.json")\n}\n')
    (tmp_path / "case" / "policy.json").write_text(json.dumps({"Statement": [{
        "Effect": "Allow", "Principal": "*", "Action": "ses:SendEmail", "Resource": "*", "Sid": "x" * 1200}]}))
    assert scan_tree(tmp_path, Limits(max_file_size=1024)) == [
        ("case/main.tf", 8, 3, "example.com (aws_ses_identity_policy.p): the policy could not be evaluated: file: "
                                "case/policy.json is larger than 1 KB, the --max-file-size limit (at case/main.tf:8:14)")]


# ---------------------------------------------------------------------------
# --max-depth
# ---------------------------------------------------------------------------

# format -> (deepest slot nesting read with --max-depth 10, where the first
# level too deep is, and the message after the file name); what surrounds the
# slot in each template counts too (``locals {``, a plan's resource_changes).
DEPTH_CASES = {
    "tf": (9, 6, 19, "cannot parse: nesting deeper than 10 levels, the --max-depth limit; not analyzed"),
    "tf.json": (9, 2, 30, "cannot parse: nesting deeper than 10 levels, the --max-depth limit"),
    "tfvars": (10, 2, 18, "cannot parse: nesting deeper than 10 levels, the --max-depth limit; not analyzed"),
    "tfvars.json": (10, 2, 20, "cannot parse: nesting deeper than 10 levels, the --max-depth limit"),
    "cfn.yaml": (8, 8, 17, "nesting deeper than 10 levels, the --max-depth limit; not analyzed"),
    "cfn.json": (9, 3, 32, "JSON syntax error: nesting deeper than 10 levels, the --max-depth limit"),
    "plan": (6, 3, 86, "cannot parse the Terraform plan: nesting deeper than 10 levels, the --max-depth limit"),
}


@pytest.mark.parametrize("fmt", DEPTH_CASES)
def test_nesting_at_the_lowered_depth_is_analyzed(fmt, tmp_path):
    write_case(tmp_path, fmt, text_with(fmt, nested(FORMATS[fmt][2], DEPTH_CASES[fmt][0])))
    assert scan_tree(tmp_path, Limits(max_depth=10)) == []


@pytest.mark.parametrize("fmt", DEPTH_CASES)
def test_nesting_one_level_over_the_lowered_depth_is_reported(fmt, tmp_path):
    deepest, line, column, message = DEPTH_CASES[fmt]
    file = write_case(tmp_path, fmt, text_with(fmt, nested(FORMATS[fmt][2], deepest + 1)))
    assert scan_tree(tmp_path, Limits(max_depth=10)) == [(file, line, column, f"{file}: {message}")]


@pytest.mark.parametrize("fmt", ["tf", "cfn.json", "cfn.yaml"])
def test_nesting_over_the_default_is_read_with_a_raised_depth(fmt, tmp_path):
    write_case(tmp_path, fmt, text_with(fmt, nested(FORMATS[fmt][2], 210)))
    assert scan_tree(tmp_path, Limits(max_depth=220)) == []


def _evaluate(depth: int, limits: Limits):
    expr = parse_hcl("x.tf", "a = " + "[" * depth + "]" * depth + "\n", limits).body.attributes["a"].expr
    evaluator = Evaluator(CallContext(module_dir=".", root_dir=".", render_template=None, limits=limits))
    return evaluator.value(expr, Scope(lambda name, loc: None, "x.tf"))


def test_evaluation_follows_the_depth_limit():
    """Each level of brackets is two levels of evaluation."""
    assert _evaluate(5, Limits(max_depth=10)) == [[[[[]]]]]
    unknown = _evaluate(6, Limits(max_depth=10))
    assert isinstance(unknown, Unknown) and unknown.ref == (
        "expression nested deeper than 10 levels, the --max-depth limit (at x.tf:1:5)")


# ---------------------------------------------------------------------------
# The command line and the configuration file
# ---------------------------------------------------------------------------


@pytest.mark.parametrize("text, size", [("10M", 10 * 1024 * 1024), ("512K", 512 * 1024), ("512k", 512 * 1024),
                                        ("1G", 1024 ** 3), ("1000", 1000), (" 7 ", 7)])
def test_sizes(text, size):
    assert parse_size(text) == size


@pytest.mark.parametrize("text", ["0", "0K", "", "10MB", "1.5M", "-1", "ten"])
def test_not_sizes(text):
    with pytest.raises(ValueError, match="is not a size"):
        parse_size(text)


@pytest.mark.parametrize("size, text", [(10 * 1024 * 1024, "10 MB"), (1536, "1536 bytes"),
                                        (2048, "2 KB"), (1024 ** 3, "1 GB"), (1000, "1000 bytes")])
def test_sizes_as_shown(size, text):
    assert describe_size(size) == text


def _repo(tmp_path, config: str = ""):
    (tmp_path / "main.tf").write_text(text_with("tf") + "#" * 1500)  # 1.5 KB
    if config:
        (tmp_path / ".sesguard.yml").write_text(config)
    return tmp_path


def _ses001(monkeypatch, directory, *args) -> list:
    monkeypatch.chdir(directory)
    result = CliRunner().invoke(main, ["scan", ".", "--format", "json", *args], catch_exceptions=False)
    return [f["message"] for f in json.loads(result.stdout)["findings"] if f["rule_id"] == "SES001"]


@pytest.mark.parametrize("config, args, reported", [
    ("", ["--max-file-size", "1K"], True),
    ("", ["--max-file-size", "2K"], False),
    ("max_file_size: 1K\n", [], True),
    ("max_file_size: 1024\n", [], True),
    ("max_file_size: 1K\n", ["--max-file-size", "2K"], False),
    ("", [], False),
], ids=["flag-lowers", "flag-above", "config-lowers", "config-in-bytes", "flag-wins", "default"])
def test_the_size_limit_from_the_command_line_and_the_configuration(tmp_path, monkeypatch, config, args, reported):
    messages = _ses001(monkeypatch, _repo(tmp_path, config), *args)
    assert messages == (["main.tf: file is larger than 1 KB, the --max-file-size limit; not analyzed"]
                        if reported else [])


@pytest.mark.parametrize("config, args, reported", [
    ("", ["--max-depth", "3"], True),
    ("max_depth: 3\n", [], True),
    ("max_depth: 3\n", ["--max-depth", "4"], False),
], ids=["flag", "config", "flag-wins"])
def test_the_depth_limit_from_the_command_line_and_the_configuration(tmp_path, monkeypatch, config, args, reported):
    (tmp_path / "main.tf").write_text(text_with("tf", nested("hcl", 3)))
    if config:
        (tmp_path / ".sesguard.yml").write_text(config)
    assert _ses001(monkeypatch, tmp_path, *args) == (
        ["main.tf: cannot parse: nesting deeper than 3 levels, the --max-depth limit; not analyzed"]
        if reported else [])


@pytest.mark.parametrize("args, message", [
    (["--max-file-size", "0"], "Invalid value for '--max-file-size': '0' is not a size"),
    (["--max-file-size", "10MB"], "Invalid value for '--max-file-size': '10MB' is not a size"),
    (["--max-depth", "0"], "Invalid value for '--max-depth': 0 is not in the range 1<=x<=1000."),
])
def test_bad_limits_are_usage_errors(tmp_path, monkeypatch, args, message):
    monkeypatch.chdir(tmp_path)
    result = CliRunner().invoke(main, ["scan", ".", *args])
    assert result.exit_code == 2 and message in result.stderr


@pytest.mark.parametrize("text, message", [
    ("max_file_size: 1X\n", ".sesguard.yml:1: max_file_size: '1X' is not a size"),
    ("max_file_size: [1]\n", ".sesguard.yml:1: max_file_size must be a size (512K, 10M)"),
    ("max_depth: 0\n", ".sesguard.yml:1: max_depth: '0' is not a whole number from 1 to 1000"),
    ("max_depth: ten\n", ".sesguard.yml:1: max_depth: 'ten' is not a whole number from 1 to 1000"),
    ("max_depth: 0x10\n", ".sesguard.yml:1: max_depth: '0x10' is not a whole number from 1 to 1000"),
    ("cache: maybe\n", ".sesguard.yml:1: cache must be true or false"),
])
def test_invalid_limits_in_the_configuration(tmp_path, monkeypatch, text, message):
    monkeypatch.chdir(tmp_path)
    (tmp_path / ".sesguard.yml").write_text(text)
    with pytest.raises(ConfigError) as error:
        load_config(".sesguard.yml")
    assert str(error.value).startswith(message)


def test_limits_and_cache_in_the_configuration(tmp_path):
    (tmp_path / ".sesguard.yml").write_text("max_file_size: 512K\nmax_depth: 50\ncache: false\n")
    config = load_config(str(tmp_path / ".sesguard.yml"))
    assert (config.max_file_size, config.max_depth, config.cache) == (512 * 1024, 50, False)


# What a raised depth cannot lift: Python's stack. Such input is still
# reported, never a traceback.
BEYOND_THE_STACK = {
    "tf": ("case", 0, 0, "case: the configuration is nested too deeply to evaluate"),
    "tf.json": ("case", 0, 0, "case: the configuration is nested too deeply to evaluate"),
    "tfvars": ("case", 0, 0, "case: the configuration is nested too deeply to evaluate"),
    "tfvars.json": ("case", 0, 0, "case: the configuration is nested too deeply to evaluate"),
    "cfn.yaml": ("case/template.yaml", 8, 1007, "case/template.yaml: YAML syntax error: exceeded maximum nesting "
                                                "depth (while increasing flow level started at line 8)"),
    "cfn.json": ("case/template.json", 0, 0, "case/template.json: the template is nested too deeply; not analyzed"),
    "plan": ("case/plan.json", 0, 0, "case/plan.json: the Terraform plan is nested too deeply to read; not analyzed"),
}


@pytest.mark.parametrize("fmt", BEYOND_THE_STACK)
def test_a_depth_raised_beyond_the_stack_is_reported_not_a_crash(fmt, tmp_path):
    write_case(tmp_path, fmt, text_with(fmt, nested(FORMATS[fmt][2], 5000)))
    assert scan_tree(tmp_path, Limits(max_depth=10 ** 6)) == [BEYOND_THE_STACK[fmt]]


def test_a_terragrunt_unit_nested_beyond_the_stack_is_reported_at_its_first_line(tmp_path):
    (tmp_path / "case").mkdir()
    (tmp_path / "case" / "terragrunt.hcl").write_text("inputs = {\n  xs = " + "[" * 5000 + "]" * 5000 + "\n}\n")
    assert scan_tree(tmp_path, Limits(max_depth=10 ** 6)) == [
        ("case/terragrunt.hcl", 1, 1, "case/terragrunt.hcl: the configuration is nested too deeply to evaluate")]

"""Failures the mutation and semantic fuzz campaigns of issue #18 found, each
kept as a case that a scan must survive: the hostile file is reported (SES001
with its line where the format has one) and ``good/`` beside it comes out as
when scanned alone (``test_hostile.scan_beside``). The cases that fit in a
small file are fixtures (``fixtures/SES001/fuzz_*``); these need a special
file, a tree outside the repository or an input built at run time."""

from __future__ import annotations

import json
import os
import shutil
import sys

import pytest

from analyzer.engine import ScanOptions, scan
from analyzer.report import json_format, sarif
from conftest import FIXTURES
from test_hostile import assert_reported, bounded, scan_beside
from test_plan import identity, make_plan

SES_TF = 'resource "aws_ses_domain_identity" "d" {\n  domain = "example.com"\n}\n'

_OPENED: list = []  # paths opened while a test records them (an audit hook cannot be removed)


def _audit(event, args):
    if event == "open" and _OPENED and isinstance(args[0], (str, bytes)):
        _OPENED.append(os.fsdecode(args[0]))


sys.addaudithook(_audit)


@pytest.fixture
def opened():
    """``opened()`` starts recording the paths opened from then on (the list it returns)."""
    def start():
        _OPENED[:] = ["<recording>"]
        return _OPENED

    yield start
    _OPENED.clear()


@pytest.mark.parametrize("name", ["main.tf", "template.yaml", "terraform.tfvars"])
def test_a_named_pipe_is_refused_not_waited_on(name, tmp_path, tmp_path_factory):
    hostile = tmp_path / "hostile"
    hostile.mkdir()
    if name != "main.tf":
        (hostile / "main.tf").write_text(SES_TF)
    os.mkfifo(hostile / name)
    findings = scan_beside(tmp_path, tmp_path_factory)
    assert_reported(findings, f"hostile/{name}", "not a regular file")


def test_a_device_is_refused(tmp_path, tmp_path_factory):
    hostile = tmp_path / "hostile"
    hostile.mkdir()
    (hostile / "main.tf").symlink_to("/dev/zero")
    findings = scan_beside(tmp_path, tmp_path_factory)
    assert_reported(findings, "hostile/main.tf")
    assert [f.rule_id for f in findings] == ["SES001"]


def test_pairing_a_plan_reads_no_modules_json_above_the_repository(tmp_path, monkeypatch, opened):
    """The plan's directory and its ancestors are tried as its root module,
    up to the repository root and never above it."""
    outside = tmp_path / ".terraform" / "modules"
    outside.mkdir(parents=True)
    (outside / "modules.json").write_text('{"Modules": []}')
    repo = tmp_path / "repo"
    (repo / "infra").mkdir(parents=True)
    (repo / "plans").mkdir()
    (repo / "infra" / "main.tf").write_text(SES_TF)
    (repo / "plans" / "plan.json").write_text(make_plan([identity()]))
    monkeypatch.chdir(repo)
    paths = opened()
    report = scan(ScanOptions(paths=["."], dns="off", root=str(repo)))
    assert not [f for f in report.findings if f.rule_id in ("SES001", "SES002")], report.findings
    ours = [os.path.realpath(p) for p in paths[1:] if os.path.realpath(p).startswith(str(tmp_path))]
    assert [p for p in ours if not p.startswith(str(repo) + os.sep)] == []
    assert str(repo / "plans" / "plan.json") in ours


@pytest.mark.parametrize("modules_json", [
    "[" * 100_000,  # json.load recurses past Python's limit
    '{"Modules": [{"Key": "mail", "Dir": "a\\u0000b"}]}',
    '{"Modules": {"Key": "mail"}}',
    '{"Modules": [{"Key": ["mail"], "Dir": "x"}]}',
])
def test_a_hostile_modules_json_is_no_module_directory(modules_json, tmp_path, tmp_path_factory):
    hostile = tmp_path / "hostile"
    (hostile / ".terraform" / "modules").mkdir(parents=True)
    (hostile / ".terraform" / "modules" / "modules.json").write_text(modules_json)
    (hostile / "main.tf").write_text(SES_TF + 'module "mail" {\n  source = "cloudposse/ses/aws"\n}\n')
    findings = scan_beside(tmp_path, tmp_path_factory)
    errors = [f for f in findings if f.rule_id.startswith("SES00")]
    assert [(f.rule_id, f.file, f.location.line) for f in errors] == [("SES003", "hostile/main.tf", 4)]
    assert "is not downloaded" in errors[0].message


def test_an_emoji_written_as_a_surrogate_pair_is_one_character(tmp_path, monkeypatch):
    """``json.dumps`` escapes any emoji as a pair of surrogates: decoded as two
    lone surrogates, they crashed every report that encodes text."""
    (tmp_path / "main.tf.json").write_text(json.dumps(
        {"resource": {"aws_ses_email_identity": {"e": {"email": "\U0001F600@gmail.com"}}}}))
    monkeypatch.chdir(tmp_path)
    with bounded():
        report = scan(ScanOptions(paths=["."], dns="off"))
    assert [(f.rule_id, f.location.line) for f in report.findings] == [("SES201", 1)]
    assert "\U0001F600@gmail.com" in report.findings[0].message
    assert json.loads(json_format.render(report))["findings"][0]["rule_id"] == "SES201"
    json.loads(sarif.render(report))


def test_an_integer_of_thousands_of_digits_in_a_plan(tmp_path, tmp_path_factory):
    hostile = tmp_path / "hostile"
    hostile.mkdir()
    plan = make_plan([identity()]).replace('"format_version"', '"x": %s, "format_version"' % ("7" * 5000), 1)
    (hostile / "plan.json").write_text(plan)
    findings = scan_beside(tmp_path, tmp_path_factory)
    assert [(f.rule_id, f.file) for f in findings] == [("SES001", "hostile/plan.json")]
    assert findings[0].location.line == 2 and findings[0].location.column > 1
    assert_reported(findings, "hostile/plan.json", "5000 digits", "4000")


def test_an_octodns_zone_file_holding_a_nul_byte_is_reported_at_its_line(tmp_path, monkeypatch):
    """Found by ``bench/fuzz.py --target octodns``: the problem had no line."""
    source = FIXTURES / "SES231" / "octodns_p_none"
    shutil.copytree(source, tmp_path / "case")
    zone = tmp_path / "case" / "config" / "example.net.yaml"
    zone.write_bytes(zone.read_bytes().replace(b"_dmarc:", b"_dm\x00arc:"))
    monkeypatch.chdir(tmp_path)
    with bounded():
        report = scan(ScanOptions(paths=["."], dns="static"))
    [problem] = [f for f in report.findings if f.rule_id == "SES001"]
    assert (problem.file, problem.location.line, problem.location.column) == ("case/config/example.net.yaml", 5, 4)
    assert "NUL" in problem.message


def test_a_chain_of_hundreds_of_local_modules(tmp_path, tmp_path_factory):
    """340 modules each calling the next: the pre-filter recursed once per
    module (RecursionError, no report at all) and asked each module's tree
    again for every module above it (cubic: 49 s)."""
    hostile = tmp_path / "hostile"
    (hostile / "m0").mkdir(parents=True)
    (hostile / "m0" / "main.tf").write_text('resource "aws_ses_email_identity" "e" {\n  email = "a@gmail.com"\n}\n')
    for number in range(1, 340):
        (hostile / f"m{number}").mkdir()
        (hostile / f"m{number}" / "main.tf").write_text(f'module "next" {{\n  source = "../m{number - 1}"\n}}\n')
    findings = scan_beside(tmp_path, tmp_path_factory)
    assert [(f.rule_id, f.file, f.location.line) for f in findings] == [
        ("SES201", "hostile/m0/main.tf", 2)]


@pytest.mark.parametrize("before,after,line,column", [
    ("    directory: ./config", '    directory: "./con\\0fig"', 5, 16),
    ("  example.net.:", '  "example\\0.net.":', 9, 3),
])
def test_a_nul_in_an_octodns_path_is_reported_at_its_line(before, after, line, column, tmp_path, monkeypatch):
    """A zone name or provider directory is a path: os.path raised ValueError (SES002)."""
    shutil.copytree(FIXTURES / "SES231" / "octodns_p_none", tmp_path / "case")
    config = tmp_path / "case" / "config" / "octodns.yaml"
    text = config.read_text()
    assert before in text
    config.write_text(text.replace(before, after))
    monkeypatch.chdir(tmp_path)
    with bounded():
        report = scan(ScanOptions(paths=["."], dns="static"))
    errors = [(f.rule_id, f.file, f.location.line, f.location.column) for f in report.findings
              if f.rule_id in ("SES001", "SES002")]
    assert errors == [("SES001", "case/config/octodns.yaml", line, column)]


def test_a_zone_file_without_records_or_origin_takes_its_origin_from_its_name(tmp_path, monkeypatch):
    """Found by ``bench/fuzz.py --target zone``: with no record to need one,
    no origin was ever set, and the zone's name was None (SES002)."""
    (tmp_path / "db.example.net").write_text("; the records moved elsewhere\n$TTL 300\n")
    (tmp_path / "main.tf").write_text('resource "aws_ses_domain_identity" "d" {\n  domain = "example.net"\n}\n')
    monkeypatch.chdir(tmp_path)
    with bounded():
        report = scan(ScanOptions(paths=["."], dns="static"))
    assert [f for f in report.findings if f.rule_id in ("SES001", "SES002")] == []
    rules = {f.rule_id for f in report.findings}
    assert "SES219" not in rules and "SES230" in rules  # the zone is declared, and has no DMARC record


def test_an_empty_terragrunt_unit_is_reported_at_its_first_line(tmp_path, monkeypatch):
    """The terragrunt target's first input (empty): the unit's SES001 had no line."""
    (tmp_path / ".git").mkdir()
    (tmp_path / "unit").mkdir()
    (tmp_path / "unit" / "terragrunt.hcl").write_text("")
    monkeypatch.chdir(tmp_path)
    found = [(f.rule_id, f.file, f.location.line) for f in scan(ScanOptions(paths=["."])).findings]
    assert found == [("SES001", "unit/terragrunt.hcl", 1)]


def test_a_terragrunt_unit_that_is_not_utf8_is_reported_where_the_byte_is(tmp_path, monkeypatch):
    """The terragrunt target's eleventh input: a unit with a byte that is not UTF-8 had no line."""
    (tmp_path / ".git").mkdir()
    (tmp_path / "unit").mkdir()
    (tmp_path / "unit" / "terragrunt.hcl").write_bytes(b'inputs = {\n  a = "\xff"\n}\n')
    monkeypatch.chdir(tmp_path)
    found = [(f.rule_id, f.file, f.location.line) for f in scan(ScanOptions(paths=["."])).findings]
    assert found == [("SES001", "unit/terragrunt.hcl", 2)]


def test_a_nul_byte_in_a_path_an_iam_module_may_read(tmp_path, monkeypatch):
    """Found by ``bench/fuzz.py --target hcl``: the pre-filter, asking whether a file an IAM-only module
    reads grants a send action, resolved a path holding a NUL byte (ValueError: the whole scan lost). No
    file is named with a NUL: the path is no candidate, so the module grants nothing and is skipped."""
    (tmp_path / "iam").mkdir()
    (tmp_path / "iam" / "main.tf").write_bytes(
        b'resource "aws_iam_user" "u" {\n  name = "u"\n}\n\n'
        b'resource "aws_iam_user_policy" "p" {\n  user   = aws_iam_user.u.name\n'
        b'  policy = file("${path.module}/pol\x00icy.json")\n}\n')
    (tmp_path / "good").mkdir()
    (tmp_path / "good" / "main.tf").write_text((FIXTURES / "SES101" / "heredoc" / "main.tf").read_text())
    monkeypatch.chdir(tmp_path)
    with bounded():
        report = scan(ScanOptions(paths=["."], dns="off"))
    assert [(f.rule_id, f.file, f.location.line) for f in report.findings] == [("SES101", "good/main.tf", 14)]
    assert [os.path.basename(directory) for directory, _ in report.skipped] == ["iam"]


@pytest.mark.parametrize("zone", ["2322\n", "[a, b]\n", "true\n"])
def test_an_octodns_zone_file_that_is_no_mapping_is_reported_at_its_first_line(zone, tmp_path, monkeypatch):
    """Found by ``bench/fuzz.py --target octodns``: a zone file that is a bare number has no location of its
    own, and its SES001 had no line."""
    shutil.copytree(FIXTURES / "SES231" / "octodns_p_none", tmp_path / "case")
    (tmp_path / "case" / "config" / "example.net.yaml").write_text(zone)
    monkeypatch.chdir(tmp_path)
    with bounded():
        report = scan(ScanOptions(paths=["."], dns="static"))
    assert [(f.rule_id, f.file, f.location.line, f.location.column) for f in report.findings
            if f.rule_id in ("SES001", "SES002")] == [("SES001", "case/config/example.net.yaml", 1, 1)]


# failure classes of the semantic campaign (issue #18) that ended the whole scan with a traceback, each
# now an SES001 at the value's line, with the canary beside it still reported
WHOLE_SCAN_TRACEBACKS = [
    ("template.yaml", "Resources:\n  Identity:\n    Type: AWS::SES::EmailIdentity\n    Properties:\n"
                      "      EmailIdentity: !!int example.com\n", 5,
     "'example.com' is not a valid !!int"),
    ("template.yaml", "Resources:\n  Identity:\n    Type: AWS::SES::EmailIdentity\n    Properties:\n"
                      "      EmailIdentity: !!bool maybe\n", 5, "is not a valid !!bool"),
    ("template.yaml", "Resources:\n  Identity:\n    Type: AWS::SES::EmailIdentity\n    Properties:\n"
                      '      EmailIdentity: !Select ["\u00b2", [a.example.com, b.example.com]]\n', 5,
     "the index must be a number"),
    ("template.yaml", "Transform: AWS::LanguageExtensions\nResources:\n  Identity:\n"
                      "    Type: AWS::SES::EmailIdentity\n    Properties:\n"
                      "      EmailIdentity: !ToJsonString {Ref: AWS::NoValue}\n", 6,
     "AWS::NoValue is not a value to convert"),
    ("main.tf", 'resource "aws_ses_domain_identity" "d" {\n  count  = 1e309\n  domain = "example.com"\n}\n', 2,
     "a count of 310 digits: more than 1000 instances"),  # 1e309 is an integer, exactly
    # this session's campaign: an empty scalar tagged !!int (here a key) is no integer
    ("template.yaml", "Resources:\n  Identity:\n    Type: AWS::SES::EmailIdentity\n    Properties:\n"
                      "      EmailIdentity: example.com\n      !!int : x\n", 6, "'' is not a valid !!int"),
    ("template.yaml", "Resources:\n  Identity:\n    Type: AWS::SES::EmailIdentity\n    Properties:\n"
                      "      EmailIdentity: !!float\n", 5, "'' is not a valid !!float"),
]


@pytest.mark.parametrize("name,text,line,words", WHOLE_SCAN_TRACEBACKS,
                         ids=["yaml-int-tag", "yaml-bool-tag", "superscript-select-index", "to-json-string-novalue",
                              "count-1e309", "empty-int-key", "empty-float"])
def test_a_value_that_ended_the_whole_scan_is_an_input_problem_at_its_line(name, text, line, words, tmp_path,
                                                                           tmp_path_factory):
    (tmp_path / "hostile").mkdir()
    (tmp_path / "hostile" / name).write_text(text, encoding="utf-8")
    findings = scan_beside(tmp_path, tmp_path_factory)
    assert [(f.rule_id, f.file, f.location.line) for f in findings if f.rule_id in ("SES001", "SES002")] == [
        ("SES001", f"hostile/{name}", line)]
    assert_reported(findings, f"hostile/{name}", words)

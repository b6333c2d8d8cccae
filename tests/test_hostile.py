"""Hostile and broken input (issue #7): whatever a file holds, a scan ends in
bounded time without a traceback, reports the file it could not analyze
(SES001, naming the file and the limit or error), and analyzes every other
file exactly as it would without the hostile one beside it.

Every case scans a directory holding ``good/`` (a known SES101 fixture) and
``hostile/`` (the case), and compares the findings outside ``hostile/`` with
those of a scan of ``good/`` alone. Each scan runs under a time bound
(``bounded``); the whole file runs in well under a minute on 2 cores.
"""

from __future__ import annotations

import builtins
import contextlib
import errno
import faulthandler
import json
import os
import random
import shutil
import signal
import threading
import time

import pytest

import analyzer.engine
from analyzer.engine import ScanOptions, scan
from analyzer.files import MAX_FILE_SIZE
from analyzer.model import Unknown, VARIABLE
from analyzer.policy.document import parse_document
from analyzer.policy.verdict import Trust, evaluate
from analyzer.policy.wildcard import SEND_ACTIONS, iam_match
from conftest import FIXTURES

GOOD = FIXTURES / "SES101" / "heredoc" / "main.tf"
GOOD_FINDING = ("SES101", "good/main.tf", 14)
CASE_SECONDS = 8  # every single scan below must end within this


# ---------------------------------------------------------------------------
# Time bound
# ---------------------------------------------------------------------------


class Hung(BaseException):  # not caught by the engine's "except Exception"
    pass


@contextlib.contextmanager
def bounded(seconds: float = CASE_SECONDS):
    """Fail (``Hung``) when the block runs longer than ``seconds``.

    SIGALRM interrupts Python code; a hang inside C code (a regular
    expression, a C parser) cannot be interrupted, so faulthandler kills the
    process with every thread's stack a little later instead of letting CI
    hang."""
    if threading.current_thread() is not threading.main_thread():  # pragma: no cover
        yield
        return

    def on_alarm(signum, frame):
        raise Hung(f"still running after {seconds} s")

    previous = signal.signal(signal.SIGALRM, on_alarm)
    signal.setitimer(signal.ITIMER_REAL, seconds)
    faulthandler.dump_traceback_later(seconds * 4 + 30, exit=True)
    started = time.monotonic()
    try:
        yield
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, previous)
        faulthandler.cancel_dump_traceback_later()
    assert time.monotonic() - started < seconds


# ---------------------------------------------------------------------------
# Scanning a hostile directory next to a good one
# ---------------------------------------------------------------------------


def _key(finding):
    return finding.rule_id, finding.file, finding.location.line if finding.location else 0


def _good_tree(root):
    (root / "good").mkdir(parents=True, exist_ok=True)
    shutil.copy(GOOD, root / "good" / "main.tf")


_BASELINE = {}


def _baseline(tmp_path_factory) -> list:
    """The findings of ``good/`` scanned alone."""
    if "good" not in _BASELINE:
        root = tmp_path_factory.mktemp("baseline")
        _good_tree(root)
        with _chdir(root):
            _BASELINE["good"] = sorted(_key(f) for f in scan(ScanOptions(paths=["."])).findings)
        assert GOOD_FINDING in _BASELINE["good"]
    return _BASELINE["good"]


@contextlib.contextmanager
def _chdir(path):
    old = os.getcwd()
    os.chdir(path)
    try:
        yield
    finally:
        os.chdir(old)


def scan_beside(root, tmp_path_factory, seconds: float = CASE_SECONDS, paths=(".",)):
    """Scan ``root`` (which holds ``hostile/``) with ``good/`` beside it; check
    that ``good/`` came out as when scanned alone and that nothing crashed.
    Returns the findings about ``hostile/``."""
    baseline = _baseline(tmp_path_factory)
    _good_tree(root)
    with _chdir(root), bounded(seconds):
        report = scan(ScanOptions(paths=list(paths)))
    findings = report.findings
    assert not [f for f in findings if f.rule_id == "SES002"], [f.message for f in findings]
    assert not [f for f in findings if "internal error" in f.message], [f.message for f in findings]
    others = sorted(_key(f) for f in findings if not f.file.startswith("hostile"))
    assert others == baseline, [f.message for f in findings]
    return [f for f in findings if f.file.startswith("hostile")]


def assert_reported(findings, file: str, *words: str):
    """One or more SES001 findings name ``file``, and one of them says all ``words``."""
    ses001 = [f for f in findings if f.rule_id == "SES001"]
    named = [f for f in ses001 if f.file == file and file in f.message]
    assert named, (file, [(f.file, f.message) for f in findings])
    assert any(all(w.lower() in f.message.lower() for w in words) for f in named), \
        (words, [f.message for f in named])


def assert_clean(findings):
    assert not [f for f in findings if f.rule_id == "SES001"], [f.message for f in findings]


# ---------------------------------------------------------------------------
# Input formats: a valid file with a slot for a value, and where it lives
# ---------------------------------------------------------------------------

EMAIL = '"a@example.com"'

TF = ('resource "aws_ses_email_identity" "h" {\n  email = "a@example.com"\n}\n\n'
      'locals {\n  slot = SLOT\n}\n')
TF_JSON = ('{"resource": {"aws_ses_email_identity": {"h": {"email": "a@example.com"}}},\n'
           ' "locals": {"slot": SLOT}}\n')
TFVARS_MODULE = ('variable "slot" {\n  default = null\n}\n\nvariable "other" {\n  default = null\n}\n\n'
                 'resource "aws_ses_email_identity" "h" {\n  email = "a@example.com"\n}\n')
TFVARS = 'other = "a@example.com"\nslot = SLOT\n'
TFVARS_JSON = '{"other": "a@example.com",\n "slot": SLOT}\n'
CFN_YAML = ('AWSTemplateFormatVersion: "2010-09-09"\nResources:\n  Identity:\n'
            '    Type: AWS::SES::EmailIdentity\n    Properties:\n      EmailIdentity: "a@example.com"\n'
            'Metadata:\n  Slot: SLOT\n')
CFN_JSON = ('{"AWSTemplateFormatVersion": "2010-09-09",\n "Resources": {"Identity": '
            '{"Type": "AWS::SES::EmailIdentity", "Properties": {"EmailIdentity": "a@example.com"}}},\n'
            ' "Metadata": {"Slot": SLOT}}\n')
PLAN = ('{"format_version": "1.2",\n "resource_changes": [{"address": "aws_ses_email_identity.h", '
        '"mode": "managed", "type": "aws_ses_email_identity", "name": "h",\n "change": {"actions": ["create"], '
        '"after": {"email": "a@example.com", "slot": SLOT}, "after_unknown": {}}}]}\n')

# name -> (file name, template, syntax of the slot, files written beside it)
FORMATS = {
    "tf": ("main.tf", TF, "hcl", {}),
    "tf.json": ("main.tf.json", TF_JSON, "json", {}),
    "tfvars": ("terraform.tfvars", TFVARS, "hcl", {"main.tf": TFVARS_MODULE}),
    "tfvars.json": ("terraform.tfvars.json", TFVARS_JSON, "json", {"main.tf": TFVARS_MODULE}),
    "cfn.yaml": ("template.yaml", CFN_YAML, "yaml", {}),
    "cfn.json": ("template.json", CFN_JSON, "json", {}),
    "plan": ("plan.json", PLAN, "json", {}),
}

DEEP = 100_000
LONG_LINE = MAX_FILE_SIZE - 64 * 1024  # one line just under the size limit


def nested(syntax: str, depth: int) -> str:
    if syntax == "yaml":
        return "[" * depth + "]" * depth  # flow style
    return "[" * depth + "]" * depth  # HCL and JSON alike


def long_value(syntax: str) -> str:
    if syntax == "yaml":
        return "a" * LONG_LINE  # a plain scalar
    return '"' + "a" * LONG_LINE + '"'


def text_with(fmt: str, slot: str = '"x"') -> str:
    return FORMATS[fmt][1].replace("SLOT", slot)


def _random_bytes(n: int) -> bytes:
    rng = random.Random(7)
    return bytes(rng.randrange(256) for _ in range(n)) + b"\xff"


def _duplicate(fmt: str) -> str:
    """The same key twice in the mapping that holds the slot."""
    if fmt == "cfn.yaml":
        return text_with(fmt).replace("Metadata:\n", "Metadata:\n  Slot: 1\n")
    key = "Slot" if fmt == "cfn.json" else "slot"
    return text_with(fmt, f'"x", "{key}": "y"')


HCL2_REJECTS = '"${"x" ~}"'  # Terraform accepts a strip marker here; python-hcl2 8 does not

# case -> (build(fmt) -> bytes, expected: words of the SES001 message, or None for a clean scan, formats)
ALL = tuple(FORMATS)
JSONS = ("tf.json", "tfvars.json", "cfn.json", "plan")
CASES = {
    "truncated": (lambda f: text_with(f).split("a@ex")[0].encode() + b'"a@ex', ("",), ALL),
    "random_bytes": (lambda f: text_with(f).encode() + _random_bytes(4096), ("utf-8",), ALL),
    "invalid_utf8": (lambda f: text_with(f).replace("a@ex", "a@\udcffex").encode("utf-8", "surrogateescape"),
                     ("not valid utf-8",), ALL),
    "utf16_bom": (lambda f: text_with(f).encode("utf-16"), ("utf-16",), ALL),
    "nul_bytes": (lambda f: text_with(f).replace("a@ex", "a@\x00ex").encode(), ("nul",), ALL),
    "long_line": (lambda f: text_with(f, long_value(FORMATS[f][2])).encode(), None, ALL),
    "deep_nesting": (lambda f: text_with(f, nested(FORMATS[f][2], DEEP)).encode(), ("nest",), ALL),
    "deep_but_valid": (lambda f: text_with(f, nested(FORMATS[f][2], 50)).encode(), None, ALL),
    "alias_bomb": (lambda f: text_with(f).replace("Metadata:\n  Slot: SLOT", "").replace(
        "Metadata:", "".join(f"\n  b{i}: &b{i} [{', '.join([f'*b{i - 1}' if i else '1'] * 9)}]"
                             for i in range(10)).join(["Metadata:", ""])).encode(),
        ("nodes",), ("cfn.yaml",)),
    "duplicate_keys": (lambda f: _duplicate(f).encode(), ("twice",), ("tf.json", "cfn.json", "cfn.yaml")),
    "hcl2_rejects": (lambda f: text_with(f, HCL2_REJECTS).encode(), ("cannot parse",), ("tf", "tfvars")),
}
# Terraform itself keeps the last value of a repeated key in these: nothing is lost.
BENIGN_DUPLICATES = ("tfvars.json", "plan")

PARAMS = [pytest.param(fmt, case, id=f"{case}-{fmt}") for case, (_, _, formats) in CASES.items()
          for fmt in formats]


def write_case(root, fmt: str, data: bytes) -> str:
    name, _, _, beside = FORMATS[fmt]
    hostile = root / "hostile"
    hostile.mkdir(parents=True)
    for other, text in beside.items():
        (hostile / other).write_text(text)
    (hostile / name).write_bytes(data)
    return f"hostile/{name}"


@pytest.mark.parametrize("fmt, case", PARAMS)
def test_hostile_file(fmt, case, tmp_path, tmp_path_factory):
    build, expected, _ = CASES[case]
    file = write_case(tmp_path, fmt, build(fmt))
    # python-hcl2's lexer reads a quoted string at about 1.3 MB/s (four
    # look-aheads per character): a 10 MB string is linear but takes ~8 s.
    seconds = 20 if case == "long_line" and FORMATS[fmt][2] == "hcl" else CASE_SECONDS
    findings = scan_beside(tmp_path, tmp_path_factory, seconds)
    if expected is None:
        assert_clean(findings)
    else:
        assert_reported(findings, file, *expected)


@pytest.mark.parametrize("fmt", BENIGN_DUPLICATES)
def test_duplicate_keys_terraform_reads_last_wins(fmt, tmp_path, tmp_path_factory):
    write_case(tmp_path, fmt, _duplicate(fmt).encode())
    assert_clean(scan_beside(tmp_path, tmp_path_factory))


@pytest.mark.parametrize("fmt", ALL)
def test_file_over_the_size_limit(fmt, tmp_path, tmp_path_factory):
    """A 100 MB file, written sparse: it is never read whole."""
    file = write_case(tmp_path, fmt, text_with(fmt).encode())
    with open(tmp_path / file, "r+b") as f:
        f.truncate(100 * 1024 * 1024)
    assert_reported(scan_beside(tmp_path, tmp_path_factory), file, "larger than 10 MB")


# ---------------------------------------------------------------------------
# Hostile policies
# ---------------------------------------------------------------------------


def policy_template(statements: list) -> str:
    return json.dumps({
        "AWSTemplateFormatVersion": "2010-09-09",
        "Resources": {
            "Identity": {"Type": "AWS::SES::EmailIdentity", "Properties": {"EmailIdentity": "example.com"}},
            "Policy": {"Type": "Custom::IdentityPolicy", "Properties": {
                "ServiceToken": {"Fn::Sub": "arn:aws:lambda:${AWS::Region}:${AWS::AccountId}:function:p"},
                "Identity": {"Ref": "Identity"}, "PolicyName": "p",
                "PolicyDocument": {"Version": "2012-10-17", "Statement": statements}}}}}, indent=1)


ACCOUNT = "111122223333"
WILD = "a*" * 5000 + "b"  # a naive backtracking matcher takes exponential time on this
LONG_ACTION = "ses:" + "a" * 100_000


def _allow(principal, action="ses:SendEmail", condition=None):
    st = {"Effect": "Allow", "Principal": principal, "Action": action, "Resource": "*"}
    if condition:
        st["Condition"] = condition
    return st


POLICIES = {
    # 5,000 statements, each from another account: one SES102 finding per statement
    "thousands_of_statements": ([_allow({"AWS": f"{n:012d}"}) for n in range(1, 5001)], "SES102", 5000),
    # 2,500 grants and 2,500 denies: past MAX_DENY_WORK the conditional denies are not weighed
    "thousands_of_denies": ([_allow("*")] * 2500 + [{
        "Effect": "Deny", "Principal": "*", "Action": "ses:*", "Resource": "*",
        "Condition": {"StringNotEquals": {"aws:PrincipalAccount": f"{n:012d}"}}} for n in range(2500)],
        "SES101", 2500),
    "exponential_wildcards": ([_allow("*", ["ses:SendEmail", WILD, WILD + "*", "*" + WILD, "ses:" + WILD, LONG_ACTION,
                                            "ses:Send" + "?*" * 3000 + "l"])], "SES101", 1),
    "huge_condition_list": ([_allow("*", condition={"StringEquals": {
        "aws:SourceAccount": [f"{n:012d}" for n in range(100_000)]}})], "SES102", 1),
    "huge_condition_map": ([_allow("*", condition={"StringEquals": {
        f"aws:RequestTag/k{n}": "v" for n in range(20_000)}})], "SES101", 1),
}


@pytest.mark.parametrize("name", POLICIES)
def test_hostile_policy(name, tmp_path, tmp_path_factory):
    statements, rule, count = POLICIES[name]
    (tmp_path / "hostile").mkdir()
    (tmp_path / "hostile" / "template.json").write_text(policy_template(statements))
    findings = scan_beside(tmp_path, tmp_path_factory)
    policy_rules = ("SES001", "SES002", "SES003", "SES101", "SES102", "SES103")
    assert [f.rule_id for f in findings if f.rule_id in policy_rules] == [rule] * count, \
        {f.message for f in findings}


def test_wildcard_matching_stays_polynomial():
    with bounded(2):
        assert not iam_match(WILD, "a" * 100_000)
        assert iam_match(WILD, "a" * 100_000 + "b")
        assert not iam_match("*a" * 3000 + "?b", "a" * 50_000)
        for action in SEND_ACTIONS:
            assert not iam_match(WILD, action)


def test_policy_evaluation_with_many_unknowns_and_statements():
    u = Unknown("var.x", VARIABLE)
    statements = [_allow({"AWS": u}, [u, "ses:*"], {"StringEquals": {"aws:SourceArn": [u] * 100}})] * 2000
    with bounded(5):
        verdict = evaluate(parse_document({"Statement": statements}), Trust())
    assert len(verdict.grants) == 2000


# ---------------------------------------------------------------------------
# Directory trees
# ---------------------------------------------------------------------------

SES_TF = 'resource "aws_ses_email_identity" "h" {\n  email = "a@example.com"\n}\n'


def test_symlink_loops(tmp_path, tmp_path_factory):
    hostile = tmp_path / "hostile"
    (hostile / "a").mkdir(parents=True)
    os.symlink(tmp_path, hostile / "a" / "up")  # a directory loop: not followed
    os.symlink(hostile / "a", hostile / "a" / "self")
    os.symlink("y.tf", hostile / "x.tf")  # a file loop
    os.symlink("x.tf", hostile / "y.tf")
    (hostile / "main.tf").write_text(SES_TF)
    findings = scan_beside(tmp_path, tmp_path_factory)
    assert_reported(findings, "hostile/x.tf", "symbolic links")
    assert_reported(findings, "hostile/y.tf", "symbolic links")


def test_module_call_through_a_symlink_loop(tmp_path, tmp_path_factory):
    hostile = tmp_path / "hostile"
    hostile.mkdir()
    os.symlink(hostile, hostile / "loop")
    (hostile / "main.tf").write_text(SES_TF + 'module "m" {\n  source = "./loop/loop"\n}\n')
    scan_beside(tmp_path, tmp_path_factory)  # no hang, no crash; what it reports is the loader's


def test_symlinks_pointing_outside_the_root(tmp_path, tmp_path_factory):
    outside = tmp_path_factory.mktemp("outside")
    (outside / "secret.tf").write_text(SES_TF)
    (outside / "template.yaml").write_text(text_with("cfn.yaml"))
    root = tmp_path / "root"
    (root / "hostile").mkdir(parents=True)
    os.symlink(outside / "secret.tf", root / "hostile" / "main.tf")
    os.symlink(outside / "template.yaml", root / "hostile" / "template.yaml")
    os.symlink(outside, root / "hostile" / "dir")  # a directory: not followed
    os.symlink("/etc/passwd", root / "hostile" / "passwd.tf")
    findings = scan_beside(root, tmp_path_factory)
    for name in ("main.tf", "template.yaml", "passwd.tf"):
        assert_reported(findings, f"hostile/{name}", "outside the scanned root")


def _deny_open(monkeypatch, denied: str):
    """Make ``open`` fail as on a chmod 000 file: tests run as root, which reads anything."""
    real_open = builtins.open

    def fake_open(file, *args, **kwargs):
        if isinstance(file, (str, os.PathLike)) and os.path.realpath(file) == denied:
            raise PermissionError(errno.EACCES, "Permission denied", str(file))
        return real_open(file, *args, **kwargs)

    monkeypatch.setattr(builtins, "open", fake_open)


@pytest.mark.parametrize("fmt", ALL)
def test_unreadable_file(fmt, tmp_path, tmp_path_factory, monkeypatch):
    file = write_case(tmp_path, fmt, text_with(fmt).encode())
    path = tmp_path / file
    path.chmod(0)
    if os.geteuid() != 0:
        findings = scan_beside(tmp_path, tmp_path_factory)
    else:
        with monkeypatch.context() as patch:
            _deny_open(patch, os.path.realpath(path))
            findings = scan_beside(tmp_path, tmp_path_factory)
    path.chmod(0o644)
    assert_reported(findings, file, "cannot read", "permission denied")


def test_unreadable_directory(tmp_path, tmp_path_factory, monkeypatch):
    hostile = tmp_path / "hostile"
    hostile.mkdir()
    (hostile / "main.tf").write_text(SES_TF)
    real_scandir = os.scandir

    def fake_scandir(path="."):
        if os.path.realpath(path) == os.path.realpath(hostile):
            raise PermissionError(errno.EACCES, "Permission denied", str(path))
        return real_scandir(path)

    monkeypatch.setattr(os, "scandir", fake_scandir)
    assert_reported(scan_beside(tmp_path, tmp_path_factory), "hostile", "cannot read the directory")


def test_many_files(tmp_path, tmp_path_factory):
    """5,000 files in 250 directories (the issue asks for 100,000; discovery
    and the pre-filter are linear in files, so 5,000 keep CI fast and show the
    same: ~0.1 ms a file here, so 100,000 take a few seconds)."""
    hostile = tmp_path / "hostile"
    for d in range(250):
        directory = hostile / f"d{d}"
        directory.mkdir(parents=True)
        for n in range(10):
            (directory / f"f{n}.tf").write_text(f'resource "aws_s3_bucket" "b{n}" {{\n  bucket = "b{d}-{n}"\n}}\n')
            (directory / f"f{n}.yaml").write_text(f"name: x{n}\nitems: [1, 2]\n")
    assert_clean(scan_beside(tmp_path, tmp_path_factory, seconds=10))


@pytest.mark.parametrize("fmt", ALL)
def test_file_vanishes_during_the_scan(fmt, tmp_path, tmp_path_factory, monkeypatch):
    file = write_case(tmp_path, fmt, text_with(fmt).encode())
    real_discover = analyzer.engine.discover

    def discover_then_delete(path, *options, **keywords):
        found = real_discover(path, *options, **keywords)
        os.remove(tmp_path / file)
        return found

    monkeypatch.setattr(analyzer.engine, "discover", discover_then_delete)
    assert_reported(scan_beside(tmp_path, tmp_path_factory), file, "no such file")


def test_directory_vanishes_during_the_scan(tmp_path, tmp_path_factory, monkeypatch):
    hostile = tmp_path / "hostile"
    hostile.mkdir()
    (hostile / "main.tf").write_text(SES_TF)
    (hostile / "template.yaml").write_text(text_with("cfn.yaml"))
    real_discover = analyzer.engine.discover

    def discover_then_delete(path, *options, **keywords):
        found = real_discover(path, *options, **keywords)
        shutil.rmtree(hostile)
        return found

    monkeypatch.setattr(analyzer.engine, "discover", discover_then_delete)
    findings = scan_beside(tmp_path, tmp_path_factory)
    assert_reported(findings, "hostile/main.tf", "no such file")
    assert_reported(findings, "hostile/template.yaml", "no such file")


# ---------------------------------------------------------------------------
# file() and templatefile() reaching out of the scanned root
# ---------------------------------------------------------------------------

OUT_OF_ROOT = ["/etc/passwd", "../../../../../../etc/passwd", "${path.module}/../../../etc/passwd",
               "/dev/zero", "/proc/self/environ", "~/.aws/credentials"]


@pytest.mark.parametrize("function", ["file", "templatefile"])
@pytest.mark.parametrize("path", OUT_OF_ROOT)
def test_file_functions_stay_inside_the_root(function, path, tmp_path, tmp_path_factory):
    hostile = tmp_path / "hostile"
    hostile.mkdir()
    args = f'"{path}"' + (", {}" if function == "templatefile" else "")
    (hostile / "main.tf").write_text(
        SES_TF + f'\nresource "aws_ses_identity_policy" "p" {{\n  identity = aws_ses_email_identity.h.arn\n'
                 f'  name     = "p"\n  policy   = {function}({args})\n}}\n')
    findings = scan_beside(tmp_path, tmp_path_factory)
    assert_reported(findings, "hostile/main.tf", "outside the scanned root")
    assert all("root:" not in f.message for f in findings)  # nothing of /etc/passwd leaks into a message


def test_a_zone_file_include_is_refused_and_the_rest_scanned(tmp_path, monkeypatch):
    """$INCLUDE is never followed, even to a file inside the scan: SES001 names the line."""
    (tmp_path / "secret").write_text("leak IN TXT \"v=spf1 +all\"\n")
    (tmp_path / "db.example.org").write_text(
        "$ORIGIN example.org.\n$TTL 300\n@ IN SOA ns1 hostmaster 1 3600 600 86400 300\n"
        "$INCLUDE /etc/passwd\n$INCLUDE secret\nmail IN TXT \"v=spf1 +all\"\n")
    monkeypatch.chdir(tmp_path)
    report = scan(ScanOptions(paths=["."]))
    assert sorted((f.rule_id, f.file, f.location.line) for f in report.findings) == [
        ("SES001", "db.example.org", 4), ("SES001", "db.example.org", 5), ("SES221", "db.example.org", 6)]

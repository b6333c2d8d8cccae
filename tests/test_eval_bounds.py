"""Bounds on growth within a Terraform evaluation (issue #18 item 3,
``analyzer.terraform.bounds`` and the limits kept in the functions): each
expression that asks for too much is an SES001 naming the bound, on the
line of the value that needed it, and the rest of the scan is reported. The
worst of them run again in a process limited to 1 GB of address space."""

import json
import os
import resource
import shutil
import subprocess
import sys

import pytest

from analyzer.engine import ScanOptions, scan
from conftest import FIXTURES

GOOD = FIXTURES / "SES101" / "heredoc" / "main.tf"
GOOD_FINDING = ("SES101", "good/main.tf", 14)
_ANY = "the most one value sesguard evaluates may hold"
_PREFIX = "case/main.tf: aws_ses_domain_identity.d: the domain of this identity could not be evaluated: "


def module(expression: str) -> str:
    """A module whose identity's domain depends on ``expression`` (line 2), read on line 5."""
    return (f"locals {{\n  v = {expression}\n}}\nresource \"aws_ses_domain_identity\" \"d\" {{\n"
            "  domain = local.v ? \"a.example.com\" : \"b.example.com\"\n}\n")


BIG = 'join("", formatlist("%9999s", range(1000)))'  # 9,999,000 characters if it were built
CASES = {
    "setproduct": ("length(setproduct(range(1000), range(1000), range(1000))) > 0",
                   f"setproduct: the result has 4000000000 elements, over 100000, {_ANY}"),
    "nested for": ("length(flatten([for a in range(1000) : [for b in range(1000) : [a, b]]])) > 0",
                   f"this for expression's result has 100034 elements, over 100000, {_ANY}"),
    "formatlist": (f"length({BIG}) > 0", f"formatlist: the result has 1049895 characters, over 1048576, {_ANY}"),
    "join in a for": ('length(join("", [for i in range(1000) : join("", formatlist("%999s", range(1000)))])) > 0',
                      f"this for expression's result has 1998000 characters, over 1048576, {_ANY}"),
    "join": ('length(join("", formatlist("%9999s", range(100)), formatlist("%9999s", range(100)))) > 0',
             f"join: the result has 1999800 characters, over 1048576, {_ANY}"),
    "format width": ('length(format("%999999999d", 1)) > 0',
                     'format: the width in "%999999999d" is over 9999, the limit sesguard formats to'),
    "format verbs": ('length(format("' + "%9999d" * 200 + '", ' + ", ".join(["1"] * 200) + ')) > 0',
                     f"format: the result has 1049895 characters, over 1048576, {_ANY}"),
    "regex repeat": ('length(regex("a{1000000000}", "aaa")) > 0', None),
    "nested regex repeat": ('length(replace("aaaa", "/(a{1000}){1000}/", "b")) > 0', None),
    "integer literal": ("1" + "0" * 5000 + " > 1",
                        "this number is an integer of more than 4000 digits, the largest sesguard evaluates"),
    "tonumber": ('tonumber("' + "1" * 5000 + '") > 1',
                 "tonumber: argument is an integer of more than 4000 digits, the largest sesguard evaluates"),
    "repeated squaring": ("(" + "9" * 3000 + " * " + "9" * 3000 + ") > 1",
                          "the result of * is an integer of more than 4000 digits, the largest sesguard evaluates"),
    "float overflow": ("(" + "9" * 3000 + " / 3) > 1", "the result of / is a number too large to evaluate"),
    "range": ("length(range(0, 1, 0.0000001)) > 0", None),
}


def scan_case(root, text: str, extra: dict = None) -> list:
    (root / "case").mkdir()
    (root / "case" / "main.tf").write_text(text)
    for name, content in (extra or {}).items():
        (root / "case" / name).write_text(content)
    (root / "good").mkdir()
    shutil.copy(GOOD, root / "good" / "main.tf")
    cwd = os.getcwd()
    os.chdir(root)
    try:
        findings = scan(ScanOptions(paths=["."], dns="off")).findings
    finally:
        os.chdir(cwd)
    assert GOOD_FINDING in [(f.rule_id, f.file, f.location.line) for f in findings]
    assert not [f for f in findings if f.rule_id == "SES002"]
    return [(f.file, f.location.line, f.message) for f in findings if f.rule_id == "SES001"]


@pytest.mark.parametrize("case", sorted(CASES))
def test_growth_past_a_bound_is_an_input_error_naming_it(case, tmp_path):
    expression, message = CASES[case]
    found = scan_case(tmp_path, module(expression))
    assert [(file, line) for file, line, _ in found] == [("case/main.tf", 5)]
    assert found[0][2].startswith(_PREFIX)
    if message is not None:
        assert found[0][2] == f"{_PREFIX}{message} (at case/main.tf:2:7)"


def test_a_template_file_that_grows_past_the_bound(tmp_path):
    template = "%{ for i in range(1000) }%{ for j in range(1000) }x%{ endfor }%{ endfor }"
    found = scan_case(tmp_path, module('length(templatefile("t.tpl", {})) > 0'), {"t.tpl": template})
    assert found == [("case/main.tf", 5, _PREFIX + "templatefile: this template's for directive makes more than "
                                                  "100000 pieces, the most sesguard evaluates in case/t.tpl (at case/main.tf:2:7)")]


def test_an_instance_count_past_the_bound(tmp_path):
    text = 'resource "aws_ses_domain_identity" "d" {\n  count = 1000000000\n  domain = "a.example.com"\n}\n'
    assert scan_case(tmp_path, text) == [
        ("case/main.tf", 2, "case/main.tf: count = 1000000000: more than 1000 instances, the limit of one "
                            "block sesguard evaluates; not analyzed")]


WORST = ["setproduct", "nested for", "join in a for", "format verbs", "repeated squaring"]


def _one_gigabyte():
    resource.setrlimit(resource.RLIMIT_AS, (1 << 30, 1 << 30))


def test_the_worst_stay_under_one_gigabyte(tmp_path):
    for number, case in enumerate(WORST):
        directory = tmp_path / str(number)
        directory.mkdir()
        (directory / "main.tf").write_text(module(CASES[case][0]))
    result = subprocess.run([sys.executable, "-m", "analyzer", "scan", str(tmp_path), "--dns", "off", "--no-cache",
                             "--format", "json"], capture_output=True, text=True, preexec_fn=_one_gigabyte,
                            cwd=os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
    assert result.returncode == 1, result.stderr
    findings = json.loads(result.stdout)["findings"]
    assert sorted((f["rule_id"], f["line"]) for f in findings) == [("SES001", 5)] * len(WORST)

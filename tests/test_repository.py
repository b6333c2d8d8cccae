"""Acceptance: a repository with findings, suppressions of every kind (valid,
expired, unused, checkov-style, CloudFormation Metadata), a baseline and a
configuration file, scanned in every format.

The expected outputs are snapshots under ``fixtures/repository-expected``,
reviewed in the diff like code. After an intended change, regenerate them
with ``SESGUARD_UPDATE_SNAPSHOTS=1 pytest tests/test_repository.py``.
"""

import json
import os
import xml.etree.ElementTree as ET

import pytest
from click.testing import CliRunner

from analyzer.cli import main
from conftest import FIXTURES

REPOSITORY = FIXTURES / "repository"
EXPECTED = FIXTURES / "repository-expected"  # outside the scanned directory
FORMATS = {"text": "report.txt", "json": "report.json", "sarif": "report.sarif", "junit": "report.xml",
           "github": "report.github"}


@pytest.fixture(scope="module")
def outputs(tmp_path_factory):
    out = tmp_path_factory.mktemp("out")
    cwd = os.getcwd()
    os.chdir(REPOSITORY)
    try:
        args = ["scan", ".", "--root", ".", "--baseline", "baseline.json"]  # the fixture is a repository of its own
        for fmt, name in FORMATS.items():
            args += ["-o", f"{fmt}:{out / name}"]
        result = CliRunner().invoke(main, args, catch_exceptions=False)
    finally:
        os.chdir(cwd)
    texts = {fmt: (out / name).read_text(encoding="utf-8") for fmt, name in FORMATS.items()}
    texts["sarif"] = texts["sarif"].replace(f"file://{REPOSITORY}/", "file:///repository/")
    return result, texts


def test_exit_status_follows_the_configuration(outputs):
    result, _ = outputs
    assert result.exit_code == 1  # SES102 made critical by the configuration, fail_on: medium


def test_json_findings(outputs):
    report = json.loads(outputs[1]["json"])
    assert [(f["rule_id"], f["file"], f["line"], f["severity"], f["suppressed"]) for f in report["findings"]] == [
        ("SES101", "mail/main.tf", 13, "critical", True),
        ("SES102", "mail/main.tf", 22, "critical", True),
        ("SES004", "mail/main.tf", 26, "low", False),
        ("SES102", "mail/main.tf", 31, "critical", False),
        ("SES004", "mail/main.tf", 35, "low", False),
        ("SES101", "mail/main.tf", 51, "critical", False),
        ("SES101", "stacks/mail.yaml", 36, "critical", True),
    ]
    assert report["summary"]["baselined"] == 1 and report["summary"]["suppressed"] == 3


def test_junit_parses_back(outputs):
    suite = ET.fromstring(outputs[1]["junit"]).find("testsuite")
    assert (suite.get("tests"), suite.get("failures"), suite.get("errors"), suite.get("skipped")) == (
        "22", "2", "0", "3")  # per test case (rule x resource): its worst outcome; SES004 (low) is below fail_on
    assert all(case.get("file") for case in suite.iter("testcase"))


@pytest.mark.parametrize("fmt", FORMATS)
def test_snapshot(outputs, fmt):
    path = EXPECTED / FORMATS[fmt]
    if os.environ.get("SESGUARD_UPDATE_SNAPSHOTS") == "1":
        EXPECTED.mkdir(exist_ok=True)
        path.write_text(outputs[1][fmt], encoding="utf-8")
    assert outputs[1][fmt] == path.read_text(encoding="utf-8")

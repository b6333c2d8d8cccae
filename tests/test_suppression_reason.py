"""A suppression needs a reason: without one it does not suppress, and SES004 says so at the finding's line."""

import json
import shutil

from click.testing import CliRunner

from analyzer.cli import main
from conftest import FIXTURES


def test_a_reasonless_suppression_does_not_hide_a_critical_finding(tmp_path, monkeypatch):
    monkeypatch.setenv("SESGUARD_DNS", "off")
    shutil.copytree(FIXTURES / "SES004" / "reasonless", tmp_path / "mail")
    monkeypatch.chdir(tmp_path)
    result = CliRunner().invoke(main, ["scan", "mail", "--format", "json", "--fail-on", "critical"])
    assert result.exit_code == 1
    findings = json.loads(result.stdout)["findings"]
    assert [(f["rule_id"], f["line"], f["suppressed"]) for f in findings] == [
        ("SES004", 10, False), ("SES101", 10, False)]
    assert findings[0]["message"] == ("the suppression of SES101 at mail/main.tf:5 gives no reason, so it does not "
                                      "apply; write why after the rule id")
    (tmp_path / "mail" / "main.tf").write_text((tmp_path / "mail" / "main.tf").read_text().replace(
        "# sesguard:ignore SES101", "# sesguard:ignore SES101 a sandbox identity"))
    result = CliRunner().invoke(main, ["scan", "mail", "--format", "json", "--fail-on", "critical"])
    assert result.exit_code == 0
    assert [(f["rule_id"], f["suppressed"]) for f in json.loads(result.stdout)["findings"]] == [("SES101", True)]

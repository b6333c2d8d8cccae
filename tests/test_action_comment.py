"""The Action's Markdown report, written by its Scan step and posted by the
steps after it, run as the runner would run them (bash, the step's
environment), against a local server playing the GitHub API: the job
summary gets the report, and the pull request one comment, created on the
first run and updated on the second."""

import json
import pathlib
import shutil
import subprocess
import sys

import pytest
import yaml

from analyzer.report.markdown import MARKER
from conftest import FIXTURES, REPO
from test_action import run_scan_step
from fake_github import FakeGitHub, no_proxy  # noqa: F401  (the fixture is used by name)

STEPS = {s.get("name"): s for s in yaml.safe_load((REPO / "action.yml").read_text())["runs"]["steps"]}


def _run(step: str, workspace: pathlib.Path, extra: dict) -> subprocess.CompletedProcess:
    definition = STEPS[step]
    env = {"PATH": f"{pathlib.Path(sys.executable).parent}:/usr/bin:/bin", "HOME": str(workspace),
           "SESGUARD_VENV": str(pathlib.Path(sys.executable).parent.parent), "GITHUB_TOKEN": "job-token", **extra}
    return subprocess.run(["bash", "-e", "-o", "pipefail", "-c", definition["run"]], cwd=workspace, env=env,
                          capture_output=True, text=True, timeout=300, check=False)


@pytest.mark.skipif(shutil.which("bash") is None, reason="the Action's steps are bash")
def test_summary_then_one_comment_created_then_updated(tmp_path):
    workspace = tmp_path / "repo"
    shutil.copytree(FIXTURES / "examples", workspace / "infra")
    (workspace / ".git").mkdir()
    summary = tmp_path / "summary.md"
    event = tmp_path / "event.json"
    event.write_text(json.dumps({"pull_request": {"number": 12, "head": {"sha": "abc123"}}}), encoding="utf-8")
    with FakeGitHub() as github:
        env = {"GITHUB_STEP_SUMMARY": str(summary), "GITHUB_REPOSITORY": "o/r", "GITHUB_API_URL": github.url,
               "GITHUB_EVENT_PATH": str(event)}
        for _ in range(2):
            scan, outputs = run_scan_step(tmp_path, workspace, {"SESGUARD_MARKDOWN": "true"}, paths="infra",
                                          fail_on="high", upload_sarif="false")
            assert scan.returncode == 1 and outputs["uploadable"] == "true", scan.stderr
            for step in ("Job summary", "Pull-request comment"):
                result = _run(step, workspace, env)
                assert result.returncode == 0, result.stderr
    report = (workspace / "sesguard.md").read_text(encoding="utf-8")
    assert report.startswith(MARKER) and "❌ **fails** with `--fail-on high`" in report
    assert "(https://github.com/o/r/blob/abc123/infra/modules/ses-domain/main.tf#L25)" in report
    assert summary.read_text(encoding="utf-8") == report * 2  # one report per run
    assert [(method, path, auth) for method, path, auth, _ in github.calls] == [
        ("GET", "/repos/o/r/issues/12/comments?per_page=100&page=1", "Bearer job-token"),
        ("POST", "/repos/o/r/issues/12/comments", "Bearer job-token"),
        ("GET", "/repos/o/r/issues/12/comments?per_page=100&page=1", "Bearer job-token"),
        ("PATCH", "/repos/o/r/issues/comments/1001", "Bearer job-token"),
    ]
    assert github.comments[12] == [{"id": 1001, "body": report}]


def test_comment_step_only_on_pull_requests():
    condition = STEPS["Pull-request comment"]["if"]
    assert "inputs.comment == 'true'" in condition and "github.event.pull_request" in condition
    assert STEPS["Job summary"]["if"] == "always() && inputs.summary == 'true' && steps.scan.outputs.uploadable == 'true'"
    assert "uses" not in STEPS["Pull-request comment"]  # no third-party action

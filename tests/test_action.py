"""The Action's Markdown steps, run as the runner would run them (bash,
the step's environment), against a local server playing the GitHub API:
the job summary gets the report, and the pull request one comment,
created on the first run and updated on the second."""

import json
import pathlib
import re
import shutil
import subprocess
import sys

import pytest
import yaml

from analyzer.report.markdown import MARKER
from conftest import FIXTURES, REPO
from test_pr_comment import FakeGitHub, no_proxy  # noqa: F401  (the fixture is used by name)

STEPS = {s.get("name"): s for s in yaml.safe_load((REPO / "action.yml").read_text())["runs"]["steps"]}


def _expand(value: str, context: dict) -> str:
    """``${{ a.b || c.d }}`` from ``context``, as the runner expands the step's env."""
    def one(match):
        for name in match.group(1).split("||"):
            if context.get(name.strip()):
                return context[name.strip()]
        return ""
    return re.sub(r"\$\{\{\s*(.*?)\s*\}\}", one, value)


def _run(step: str, workspace: pathlib.Path, context: dict, extra: dict) -> subprocess.CompletedProcess:
    definition = STEPS[step]
    env = {"PATH": f"{pathlib.Path(sys.executable).parent}:/usr/bin:/bin", "HOME": str(workspace),
           "PYTHONPATH": str(REPO), **extra}
    env.update({k: _expand(str(v), context) for k, v in definition.get("env", {}).items()})
    return subprocess.run(["bash", "-e", "-o", "pipefail", "-c", definition["run"]], cwd=workspace, env=env,
                          capture_output=True, text=True, timeout=300, check=False)


@pytest.mark.skipif(shutil.which("bash") is None, reason="the Action's steps are bash")
def test_summary_then_one_comment_created_then_updated(tmp_path):
    workspace = tmp_path / "repo"
    shutil.copytree(FIXTURES / "examples", workspace / "infra")
    summary = tmp_path / "summary.md"
    event = tmp_path / "event.json"
    event.write_text(json.dumps({"pull_request": {"number": 12, "head": {"sha": "abc123"}}}), encoding="utf-8")
    context = {"inputs.paths": "infra", "inputs.fail-on": "high", "inputs.config": "", "inputs.summary": "true",
               "inputs.github-token": "job-token", "github.server_url": "https://github.com",
               "github.repository": "o/r", "github.event.pull_request.head.sha": "abc123", "github.sha": "def456"}
    with FakeGitHub() as github:
        env = {"GITHUB_STEP_SUMMARY": str(summary), "GITHUB_REPOSITORY": "o/r", "GITHUB_API_URL": github.url,
               "GITHUB_EVENT_PATH": str(event)}
        for _ in range(2):
            markdown = _run("Markdown report", workspace, context, env)
            assert markdown.returncode == 0, markdown.stderr
            comment = _run("Pull-request comment", workspace, context, env)
            assert comment.returncode == 0, comment.stderr
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
    assert STEPS["Markdown report"]["if"] == "always() && (inputs.summary == 'true' || inputs.comment == 'true')"
    assert "uses" not in STEPS["Pull-request comment"]  # no third-party action

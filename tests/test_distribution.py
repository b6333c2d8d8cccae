"""Where users run sesguard: the pre-commit hook and the GitHub Action."""

import os
import shutil
import subprocess

import pytest
import yaml

from conftest import FIXTURES, REPO


def test_pre_commit_hook_definition():
    [hook] = yaml.safe_load((REPO / ".pre-commit-hooks.yaml").read_text())
    assert hook["id"] == "sesguard"
    assert hook["entry"] == "sesguard scan --changed-only"
    assert hook["language"] == "python" and hook["pass_filenames"] is True
    import re

    files = re.compile(hook["files"])
    for name in ("main.tf", "x.tf.json", "main.tofu", "x.tofu.json", "terraform.tfvars", "a.auto.tfvars.json",
                 "t.yaml", "t.yml", "cdk.out/Stack.template.json", "stack.template", "plan.json", "example.com.zone",
                 "templates/policy.json.tftpl", "policy.tpl", "params/prod.json", "zones/db.example.com",
                 "example.com.db", "live/prod/terragrunt.hcl", "root.hcl"):
        assert files.search(name), name
    for name in ("README.md", "main.py", "Dockerfile", "tofu", "main.tofux"):
        assert not files.search(name), name


def _git(*args, cwd):
    subprocess.run(["git", *args], cwd=cwd, check=True, capture_output=True,
                   env={**os.environ, "GIT_AUTHOR_NAME": "t", "GIT_AUTHOR_EMAIL": "t@example.com",
                        "GIT_COMMITTER_NAME": "t", "GIT_COMMITTER_EMAIL": "t@example.com"})


def test_pre_commit_try_repo_reports_the_changed_module(tmp_path):
    """The real hook, installed by pre-commit from this repository, on a repository with a finding."""
    pre_commit = shutil.which("pre-commit")
    if pre_commit is None:
        if os.environ.get("CI") == "true":
            pytest.fail("pre-commit is not installed (pip install '.[test]')")
        pytest.skip("pre-commit is not installed")
    project = tmp_path / "infra"
    shutil.copytree(FIXTURES / "SES101" / "module_call", project)
    _git("init", "-q", cwd=project)
    _git("add", ".", cwd=project)
    _git("commit", "-q", "-m", "infra", cwd=project)
    result = subprocess.run([pre_commit, "try-repo", str(REPO), "sesguard", "--files", "modules/mail/main.tf"],
                            cwd=project, capture_output=True, text=True, timeout=600,
                            env={**os.environ, "PRE_COMMIT_HOME": str(tmp_path / "cache")})
    output = result.stdout + result.stderr
    assert result.returncode == 1, output
    assert "modules/mail/main.tf:19:7: SES101 [critical]" in output
    assert "module.mail.aws_ses_identity_policy.this" in output


def test_github_action_definition():
    action = yaml.safe_load((REPO / "action.yml").read_text())
    assert set(action["inputs"]) == {"paths", "fail-on", "exit-zero", "config", "baseline", "trusted-accounts",
                                     "var-files", "dns", "args", "format", "upload-sarif", "summary", "comment",
                                     "changed-only", "github-token"}
    assert action["runs"]["using"] == "composite"
    steps = action["runs"]["steps"]
    scan = next(s for s in steps if s.get("id") == "scan")
    assert '/bin/sesguard" scan' in scan["run"] and '-o "$log:-"' in scan["run"] and "--no-cache" in scan["run"]
    upload = next(s for s in steps if s.get("uses", "").startswith("github/codeql-action/upload-sarif"))
    assert upload["with"]["sarif_file"] == "${{ steps.scan.outputs.report }}"
    assert "steps.scan.outputs.uploadable == 'true'" in upload["if"]  # not after a usage error

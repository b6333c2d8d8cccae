"""The files of a pull request, for the Action's changed-only scan, against
a local HTTP server that plays the GitHub REST API."""

import json
import shutil
import subprocess
import sys

import pytest
import yaml

from analyzer.github import PER_PAGE
from analyzer.pr_files import MAX_PAGES, main
from conftest import FIXTURES, REPO
from fake_github import FakeGitHub, no_proxy  # noqa: F401  (the fixture is used by name)
from test_action import run_scan_step

HEAD = "a1b2c3d4e5f6a7b8c9d0a1b2c3d4e5f6a7b8c9d0"


def _env(server, tmp_path, event=None):
    path = tmp_path / "event.json"
    path.write_text(json.dumps(event or {"pull_request": {"number": 7, "head": {"sha": HEAD}}}), encoding="utf-8")
    return {"GITHUB_TOKEN": "t0ken", "GITHUB_REPOSITORY": "o/r", "GITHUB_API_URL": server.url,
            "GITHUB_EVENT_PATH": str(path)}


def _files(*names):
    return [{"filename": name, "status": "modified"} for name in names]


def test_every_path_is_written_old_names_of_renames_too(tmp_path, capsys):
    files = _files("envs/prod/terraform.tfvars", "modules/ses/deny.tf") + [
        {"filename": "modules/ses/policy.tf", "status": "renamed", "previous_filename": "modules/ses/main.tf"}]
    with FakeGitHub(pulls={7: {"files": files, "head": HEAD}}) as github:
        assert main(["--output", str(tmp_path / "changed")], _env(github, tmp_path)) == 0
    assert (tmp_path / "changed").read_text(encoding="utf-8") == (
        "envs/prod/terraform.tfvars\0modules/ses/deny.tf\0modules/ses/policy.tf\0modules/ses/main.tf\0")
    assert [(m, p, a) for m, p, a, _ in github.calls] == [
        ("GET", "/repos/o/r/pulls/7/files?per_page=100&page=1", "Bearer t0ken"),
        ("GET", "/repos/o/r/pulls/7", "Bearer t0ken"),
    ]
    assert capsys.readouterr().err == "sesguard: #7 changes 4 path(s)\n"


def test_a_long_list_is_read_page_by_page(tmp_path):
    names = [f"f{i}.tf" for i in range(PER_PAGE * 2)]  # two full pages: the third, empty, ends the list
    with FakeGitHub(pulls={7: {"files": _files(*names), "head": HEAD}}) as github:
        assert main(["--output", str(tmp_path / "changed")], _env(github, tmp_path)) == 0
    assert (tmp_path / "changed").read_text(encoding="utf-8").split("\0")[:-1] == names
    assert [p for _, p, _, _ in github.calls] == [f"/repos/o/r/pulls/7/files?per_page=100&page={n}"
                                                  for n in (1, 2, 3)] + ["/repos/o/r/pulls/7"]


@pytest.mark.parametrize("pull,reason", [
    ({"files": _files("a.tf"), "head": "f" * 40},
     f"#7 has moved on from the commit checked out ({HEAD[:12]}, now ffffffffffff)"),
    ({"files": _files("a.tf"), "head": HEAD, "changed_files": 2}, "GitHub listed 1 files of #7, which changes 2"),
    ({"files": _files(*(f"f{i}.tf" for i in range(MAX_PAGES * PER_PAGE))), "head": HEAD},
     "GitHub lists at most 3,000 files of a pull request, and #7 has that many or more"),
])
def test_a_list_not_known_to_be_whole_is_not_written(tmp_path, capsys, pull, reason):
    with FakeGitHub(pulls={7: pull}) as github:
        assert main(["--output", str(tmp_path / "changed")], _env(github, tmp_path)) == 1
    assert not (tmp_path / "changed").exists()
    assert capsys.readouterr().err == f"sesguard: could not list the files of #7: {reason}\n"


def test_api_refusal_is_an_error(tmp_path, capsys):
    with FakeGitHub(fail=(403, "Resource not accessible by integration")) as github:
        assert main(["--output", str(tmp_path / "changed")], _env(github, tmp_path)) == 1
    assert len(github.calls) == 1
    assert capsys.readouterr().err == (
        "sesguard: could not list the files of #7: GET /repos/o/r/pulls/7/files?per_page=100&page=1: "
        "HTTP 403: Resource not accessible by integration\n")
    assert not (tmp_path / "changed").exists()


def test_not_a_pull_request_and_no_token(tmp_path, capsys):
    with FakeGitHub() as github:
        env = _env(github, tmp_path, {"ref": "refs/heads/main"})
        assert main(["--output", str(tmp_path / "changed")], env) == 3
        assert main(["--output", str(tmp_path / "changed")], dict(env, GITHUB_TOKEN="")) == 2
    assert github.calls == []
    assert not (tmp_path / "changed").exists()
    assert capsys.readouterr().err == (
        "sesguard: this event is not about a pull request\n"
        "sesguard: GITHUB_TOKEN and GITHUB_REPOSITORY are needed to list a pull request's files\n")


def test_an_issue_comment_on_a_pull_request_lists_its_files(tmp_path):
    event = {"issue": {"number": 7, "pull_request": {"url": "https://api.github.com/repos/o/r/pulls/7"}}}
    with FakeGitHub(pulls={7: {"files": _files("main.tf"), "head": HEAD}}) as github:
        assert main(["--output", str(tmp_path / "changed")], _env(github, tmp_path, event)) == 0
    assert (tmp_path / "changed").read_text(encoding="utf-8") == "main.tf\0"


def test_module_entry_point(tmp_path):
    with FakeGitHub(pulls={7: {"files": _files("main.tf"), "head": HEAD}}) as github:
        env = dict(_env(github, tmp_path), PATH="/usr/bin:/bin")
        result = subprocess.run([sys.executable, "-m", "analyzer.pr_files", "--output", str(tmp_path / "changed")],
                                env=env, cwd=REPO, capture_output=True, text=True, timeout=60, check=False)
    assert result.returncode == 0, result.stderr
    assert (tmp_path / "changed").read_text(encoding="utf-8") == "main.tf\0"


@pytest.fixture
def workspace(tmp_path, monkeypatch):
    """Two roots, each with one finding, and the run's GitHub environment."""
    root = tmp_path / "workspace"
    (root / ".git").mkdir(parents=True)
    shutil.copytree(FIXTURES / "SES101" / "jsonencode", root / "infra" / "public")
    shutil.copytree(FIXTURES / "SES102" / "account", root / "infra" / "partner")
    monkeypatch.setenv("GITHUB_REPOSITORY", "o/r")
    return root


def _scan(tmp_path, workspace, monkeypatch, github, event=None):
    monkeypatch.setenv("GITHUB_API_URL", github.url)
    monkeypatch.setenv("GITHUB_EVENT_PATH", _env(github, tmp_path, event)["GITHUB_EVENT_PATH"])
    result, outputs = run_scan_step(tmp_path, workspace, paths="infra", upload_sarif="false", changed_only="true",
                                    github_token="step-token")
    rules = [line.split("title=")[1].split(" ")[0] for line in result.stdout.splitlines()
             if line.startswith(("::error ", "::warning ")) and "title=SES" in line]
    notes = [line for line in result.stdout.splitlines() if "title=sesguard::" in line]
    return result, rules, notes


@pytest.mark.skipif(shutil.which("bash") is None, reason="the Action's steps are bash")
def test_the_action_reports_what_the_pull_request_touches(tmp_path, workspace, monkeypatch):
    with FakeGitHub(pulls={7: {"files": _files("infra/partner/main.tf", "README.md"), "head": HEAD}}) as github:
        result, rules, notes = _scan(tmp_path, workspace, monkeypatch, github)
    assert result.returncode == 1, result.stderr
    assert (rules, notes) == (["SES102"], [])
    assert {a for _, _, a, _ in github.calls} == {"Bearer step-token"}


@pytest.mark.skipif(shutil.which("bash") is None, reason="the Action's steps are bash")
@pytest.mark.parametrize("event,fail,note", [
    ({"ref": "refs/heads/main"}, None,
     "::notice title=sesguard::changed-only: this event is not about a pull request, so every finding is reported"),
    (None, (403, "Resource not accessible by integration"),
     "::warning title=sesguard::changed-only: could not list the files of #7: GET /repos/o/r/pulls/7/files?per_page="
     "100&page=1: HTTP 403: Resource not accessible by integration, so every finding is reported"),
])
def test_without_the_whole_list_the_action_reports_everything(tmp_path, workspace, monkeypatch, event, fail, note):
    with FakeGitHub(fail=fail) as github:
        result, rules, notes = _scan(tmp_path, workspace, monkeypatch, github, event)
    assert result.returncode == 1, result.stderr
    assert (rules, notes) == (["SES101", "SES102"], [note])


def test_the_scan_does_not_inherit_the_token():
    step = next(s for s in yaml.safe_load((REPO / "action.yml").read_text())["runs"]["steps"] if s.get("id") == "scan")
    script = step["run"]
    assert script.index("-m analyzer.pr_files") < script.index("unset SESGUARD_GITHUB_TOKEN") < script.index(
        '"$SESGUARD_VENV/bin/sesguard" scan')

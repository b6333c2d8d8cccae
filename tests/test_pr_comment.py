"""The Action's pull-request comment, against a local HTTP server that
plays the GitHub REST API and records every call."""

import json
import subprocess
import sys

import pytest

from analyzer.github import PER_PAGE
from analyzer.pr_comment import main
from analyzer.report.markdown import MARKER
from conftest import REPO
from fake_github import FakeGitHub, no_proxy  # noqa: F401  (the fixture is used by name)


def _env(server, tmp_path, number=7):
    event = tmp_path / "event.json"
    event.write_text(json.dumps({"pull_request": {"number": number}}), encoding="utf-8")
    return {"GITHUB_TOKEN": "t0ken", "GITHUB_REPOSITORY": "o/r", "GITHUB_API_URL": server.url,
            "GITHUB_EVENT_PATH": str(event)}


def _body(tmp_path, text):
    path = tmp_path / "report.md"
    path.write_text(text, encoding="utf-8")
    return str(path)


def test_create_then_update(tmp_path, capsys):
    with FakeGitHub({7: [{"id": 1, "body": "LGTM"}]}) as github:
        env = _env(github, tmp_path)
        assert main(["--body-file", _body(tmp_path, f"{MARKER}\nfirst")], env) == 0
        assert main(["--body-file", _body(tmp_path, f"{MARKER}\nsecond")], env) == 0
    assert github.calls == [
        ("GET", "/repos/o/r/issues/7/comments?per_page=100&page=1", "Bearer t0ken", None),
        ("POST", "/repos/o/r/issues/7/comments", "Bearer t0ken", {"body": f"{MARKER}\nfirst"}),
        ("GET", "/repos/o/r/issues/7/comments?per_page=100&page=1", "Bearer t0ken", None),
        ("PATCH", "/repos/o/r/issues/comments/1001", "Bearer t0ken", {"body": f"{MARKER}\nsecond"}),
    ]
    assert github.comments[7] == [{"id": 1, "body": "LGTM"}, {"id": 1001, "body": f"{MARKER}\nsecond"}]
    err = capsys.readouterr().err
    assert "created comment 1001 on #7" in err and "updated comment 1001 on #7" in err


def test_the_marker_is_found_on_a_later_page(tmp_path):
    others = [{"id": i, "body": f"comment {i}"} for i in range(1, PER_PAGE + 6)]
    ours = {"id": 555, "body": f"old\n{MARKER}"}
    with FakeGitHub({3: others + [ours]}) as github:
        assert main(["--body-file", _body(tmp_path, "no marker yet"), "--pr", "3"], _env(github, tmp_path)) == 0
    assert [(m, p) for m, p, _, _ in github.calls] == [
        ("GET", "/repos/o/r/issues/3/comments?per_page=100&page=1"),
        ("GET", "/repos/o/r/issues/3/comments?per_page=100&page=2"),
        ("PATCH", "/repos/o/r/issues/comments/555"),
    ]
    assert github.calls[-1][3] == {"body": f"{MARKER}\nno marker yet"}  # the marker is added when missing


def test_api_refusal_is_an_error(tmp_path, capsys):
    with FakeGitHub(fail=(403, "Resource not accessible by integration")) as github:
        assert main(["--body-file", _body(tmp_path, MARKER)], _env(github, tmp_path)) == 1
    assert len(github.calls) == 1
    assert capsys.readouterr().err == ("sesguard: could not comment on #7: GET /repos/o/r/issues/7/comments?per_page="
                                       "100&page=1: HTTP 403: Resource not accessible by integration\n")


def test_no_pull_request_no_call(tmp_path, capsys):
    with FakeGitHub() as github:
        env = _env(github, tmp_path)
        (tmp_path / "event.json").write_text(json.dumps({"ref": "refs/heads/main"}), encoding="utf-8")
        assert main(["--body-file", _body(tmp_path, MARKER)], env) == 0
        env["GITHUB_TOKEN"] = ""
        assert main(["--body-file", _body(tmp_path, MARKER)], env) == 2
    assert github.calls == []
    assert "not about a pull request" in capsys.readouterr().err


def test_module_entry_point(tmp_path):
    with FakeGitHub() as github:
        env = dict(_env(github, tmp_path), PATH="/usr/bin:/bin")
        result = subprocess.run([sys.executable, "-m", "analyzer.pr_comment", "--body-file",
                                 _body(tmp_path, f"{MARKER}\nhi")], env=env, cwd=REPO, capture_output=True,
                                text=True, timeout=60, check=False)
    assert result.returncode == 0, result.stderr
    assert [c[0] for c in github.calls] == ["GET", "POST"]


@pytest.mark.parametrize("repository", ["nope", "/r", "o/"])
def test_bad_repository(tmp_path, repository, capsys):
    with FakeGitHub() as github:
        env = dict(_env(github, tmp_path), GITHUB_REPOSITORY=repository)
        assert main(["--body-file", _body(tmp_path, MARKER)], env) == 1
    assert github.calls == []
    assert "GITHUB_REPOSITORY must be owner/name" in capsys.readouterr().err

"""The Action's pull-request comment, against a local HTTP server that
plays the GitHub REST API and records every call."""

import json
import subprocess
import sys
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

from analyzer.pr_comment import PER_PAGE, main
from analyzer.report.markdown import MARKER
from conftest import REPO


class FakeGitHub:
    """Comments of pull requests in memory; every request recorded as
    (method, path, authorization, body)."""

    def __init__(self, comments=None, fail=None):
        self.comments = comments or {}  # number -> list of {"id", "body"}
        self.calls = []
        self.fail = fail  # (status, message) for every request
        self.next_id = 1000
        owner = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args):
                pass

            def _answer(self, status, document):
                data = json.dumps(document).encode()
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

            def _handle(self):
                length = int(self.headers.get("Content-Length") or 0)
                body = json.loads(self.rfile.read(length)) if length else None
                owner.calls.append((self.command, self.path, self.headers.get("Authorization"), body))
                if owner.fail:
                    return self._answer(owner.fail[0], {"message": owner.fail[1]})
                path, _, query = self.path.partition("?")
                parts = path.strip("/").split("/")
                if self.command == "GET" and parts[:4] == ["repos", "o", "r", "issues"] and parts[5:] == ["comments"]:
                    page = int(dict(p.split("=") for p in query.split("&"))["page"])
                    items = owner.comments.get(int(parts[4]), [])
                    return self._answer(200, items[(page - 1) * PER_PAGE:page * PER_PAGE])
                if self.command == "POST" and parts[5:] == ["comments"]:
                    owner.next_id += 1
                    comment = {"id": owner.next_id, "body": body["body"]}
                    owner.comments.setdefault(int(parts[4]), []).append(comment)
                    return self._answer(201, comment)
                if self.command == "PATCH" and parts[3:5] == ["issues", "comments"]:
                    for items in owner.comments.values():
                        for comment in items:
                            if comment["id"] == int(parts[5]):
                                comment["body"] = body["body"]
                                return self._answer(200, comment)
                return self._answer(404, {"message": "Not Found"})

            do_GET = do_POST = do_PATCH = _handle

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    @property
    def url(self):
        return f"http://127.0.0.1:{self.server.server_address[1]}"

    def __enter__(self):
        self.thread.start()
        return self

    def __exit__(self, *exc):
        self.server.shutdown()
        self.server.server_close()
        self.thread.join(5)


@pytest.fixture(autouse=True)
def no_proxy(monkeypatch):
    """The fake API is on loopback: no proxy of the environment stands in between."""
    for name in ("http_proxy", "HTTP_PROXY", "https_proxy", "HTTPS_PROXY", "all_proxy", "ALL_PROXY"):
        monkeypatch.delenv(name, raising=False)


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

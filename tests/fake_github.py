"""A local HTTP server that plays the parts of the GitHub REST API the
Action calls, and records every call: a pull request's comments, its
files and its head."""

import json
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

from analyzer.github import PER_PAGE


class FakeGitHub:
    """Comments and pull requests in memory; every request recorded as
    (method, path, authorization, body)."""

    def __init__(self, comments=None, fail=None, pulls=None):
        self.comments = comments or {}  # number -> list of {"id", "body"}
        self.pulls = pulls or {}  # number -> {"files": [{"filename", ...}], "head": sha, "changed_files": n}
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
                if self.command == "GET" and parts[:4] == ["repos", "o", "r", "pulls"] and int(parts[4]) in owner.pulls:
                    pull = owner.pulls[int(parts[4])]
                    if parts[5:] == ["files"]:
                        page = int(dict(p.split("=") for p in query.split("&"))["page"])
                        return self._answer(200, pull["files"][(page - 1) * PER_PAGE:page * PER_PAGE])
                    changed = pull.get("changed_files", len(pull["files"]))
                    return self._answer(200, {"number": int(parts[4]), "head": {"sha": pull["head"]},
                                              "changed_files": changed})
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

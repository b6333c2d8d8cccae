"""Create or update sesguard's one comment on a GitHub pull request.

The comment is found by the hidden marker the Markdown report starts with
(``analyzer.report.markdown.MARKER``): the first run creates it, later runs
edit it, so a pull request carries one sesguard comment however often it
is pushed to. Only the standard library talks to the REST API, with the
job's token.

    python -m analyzer.pr_comment --body-file sesguard.md

reads ``GITHUB_TOKEN``, ``GITHUB_REPOSITORY`` (owner/name), ``GITHUB_API_URL``
(default https://api.github.com) and the pull request number from
``--pr`` or the event in ``GITHUB_EVENT_PATH``. Exit status 0 when the
comment was written (or the event is no pull request), 1 when the API
refused, 2 for usage errors.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import urllib.error
import urllib.request
from urllib.parse import quote

from analyzer.report.markdown import MARKER

PER_PAGE = 100
MAX_PAGES = 50  # 5,000 comments: past that the marker is not looked for further
TIMEOUT = 30


class ApiError(Exception):
    """The GitHub API answered with an error, or not at all."""


class Client:
    def __init__(self, api: str, repository: str, token: str):
        self.api = api.rstrip("/")
        owner, _, name = repository.partition("/")
        if not owner or not name:
            raise ValueError(f"GITHUB_REPOSITORY must be owner/name, not {repository!r}")
        self.repo = f"{quote(owner, safe='')}/{quote(name, safe='')}"
        self.token = token

    def _call(self, method: str, path: str, body=None):
        data = None if body is None else json.dumps(body).encode("utf-8")
        request = urllib.request.Request(f"{self.api}{path}", data=data, method=method, headers={
            "Accept": "application/vnd.github+json",
            "Authorization": f"Bearer {self.token}",
            "X-GitHub-Api-Version": "2022-11-28",
            "User-Agent": "sesguard",
            **({"Content-Type": "application/json"} if data is not None else {}),
        })
        try:
            with urllib.request.urlopen(request, timeout=TIMEOUT) as response:
                return json.loads(response.read().decode("utf-8") or "null")
        except urllib.error.HTTPError as exc:
            raise ApiError(f"{method} {path}: HTTP {exc.code}: {_message(exc)}") from None
        except (urllib.error.URLError, OSError, ValueError) as exc:
            raise ApiError(f"{method} {path}: {exc}") from None

    def find(self, number: int):
        """The id of the first comment of pull request ``number`` holding the marker, or None."""
        for page in range(1, MAX_PAGES + 1):
            comments = self._call("GET", f"/repos/{self.repo}/issues/{number}/comments"
                                         f"?per_page={PER_PAGE}&page={page}")
            if not isinstance(comments, list):
                raise ApiError(f"listing the comments of #{number} did not return a list")
            for comment in comments:
                if MARKER in (comment.get("body") or ""):
                    return comment["id"]
            if len(comments) < PER_PAGE:
                return None
        return None

    def upsert(self, number: int, body: str):
        """``("created" | "updated", comment id)``."""
        existing = self.find(number)
        if existing is None:
            made = self._call("POST", f"/repos/{self.repo}/issues/{number}/comments", {"body": body})
            return "created", made.get("id")
        self._call("PATCH", f"/repos/{self.repo}/issues/comments/{existing}", {"body": body})
        return "updated", existing


def _message(exc: urllib.error.HTTPError) -> str:
    try:
        return json.loads(exc.read().decode("utf-8")).get("message", exc.reason)
    except (ValueError, AttributeError, OSError):
        return str(exc.reason)


def pull_request_number(event_path: str):
    """The pull request an Actions event is about, or None."""
    if not event_path:
        return None
    with open(event_path, encoding="utf-8") as f:
        event = json.load(f)
    for key in ("pull_request", "issue"):
        if isinstance(event.get(key), dict) and isinstance(event[key].get("number"), int):
            if key == "issue" and "pull_request" not in event[key]:
                return None
            return event[key]["number"]
    return None


def main(argv=None, environ=None) -> int:
    environ = os.environ if environ is None else environ
    parser = argparse.ArgumentParser(prog="python -m analyzer.pr_comment", description=__doc__.split("\n\n")[0])
    parser.add_argument("--body-file", required=True, help="the Markdown to post (sesguard scan --format markdown)")
    parser.add_argument("--pr", type=int, help="the pull request number (default: from GITHUB_EVENT_PATH)")
    args = parser.parse_args(argv)
    token, repository = environ.get("GITHUB_TOKEN", ""), environ.get("GITHUB_REPOSITORY", "")
    if not token or not repository:
        print("sesguard: GITHUB_TOKEN and GITHUB_REPOSITORY are needed to comment", file=sys.stderr)
        return 2
    try:
        with open(args.body_file, encoding="utf-8") as f:
            body = f.read()
        number = args.pr or pull_request_number(environ.get("GITHUB_EVENT_PATH", ""))
    except (OSError, ValueError) as exc:
        print(f"sesguard: {exc}", file=sys.stderr)
        return 2
    if number is None:
        print("sesguard: this event is not about a pull request; no comment written", file=sys.stderr)
        return 0
    if MARKER not in body:
        body = f"{MARKER}\n{body}"
    try:
        client = Client(environ.get("GITHUB_API_URL") or "https://api.github.com", repository, token)
        action, comment = client.upsert(number, body)
    except (ApiError, ValueError) as exc:
        print(f"sesguard: could not comment on #{number}: {exc}", file=sys.stderr)
        return 1
    print(f"sesguard: {action} comment {comment} on #{number}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())

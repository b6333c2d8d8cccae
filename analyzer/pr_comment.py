"""Create or update sesguard's one comment on a GitHub pull request.

The comment is found by the hidden marker the Markdown report starts with
(``analyzer.report.markdown.MARKER``): the first run creates it, later runs
edit it, so a pull request carries one sesguard comment however often it
is pushed to. The REST API is called as ``analyzer.github`` does.

    python -m analyzer.pr_comment --body-file sesguard.md

reads ``GITHUB_TOKEN``, ``GITHUB_REPOSITORY`` (owner/name), ``GITHUB_API_URL``
(default https://api.github.com) and the pull request number from
``--pr`` or the event in ``GITHUB_EVENT_PATH``. Exit status 0 when the
comment was written (or the event is no pull request), 1 when the API
refused, 2 for usage errors.
"""

from __future__ import annotations

import argparse
import os
import sys

from analyzer import github
from analyzer.github import ApiError
from analyzer.report.markdown import MARKER

MAX_PAGES = 50  # 5,000 comments: past that the marker is not looked for further


def find(client: github.Client, number: int):
    """The id of the first comment of pull request ``number`` holding the marker, or None."""
    for comments in client.pages(f"/repos/{client.repo}/issues/{number}/comments", f"the comments of #{number}",
                                 MAX_PAGES):
        for comment in comments:
            if MARKER in (comment.get("body") or ""):
                return comment["id"]
    return None


def upsert(client: github.Client, number: int, body: str):
    """``("created" | "updated", comment id)``."""
    existing = find(client, number)
    if existing is None:
        made = client.call("POST", f"/repos/{client.repo}/issues/{number}/comments", {"body": body})
        return "created", made.get("id")
    client.call("PATCH", f"/repos/{client.repo}/issues/comments/{existing}", {"body": body})
    return "updated", existing


def main(argv=None, environ=None) -> int:
    environ = os.environ if environ is None else environ
    parser = argparse.ArgumentParser(prog="python -m analyzer.pr_comment", description=__doc__.split("\n\n")[0])
    parser.add_argument("--body-file", required=True, help="the Markdown to post (sesguard scan --format markdown)")
    parser.add_argument("--pr", type=int, help="the pull request number (default: from GITHUB_EVENT_PATH)")
    args = parser.parse_args(argv)
    if not all(github.credentials(environ)):
        print("sesguard: GITHUB_TOKEN and GITHUB_REPOSITORY are needed to comment", file=sys.stderr)
        return 2
    try:
        with open(args.body_file, encoding="utf-8") as f:
            body = f.read()
        found = None if args.pr else github.pull_request(environ.get("GITHUB_EVENT_PATH", ""))
    except (OSError, ValueError) as exc:
        print(f"sesguard: {exc}", file=sys.stderr)
        return 2
    number = args.pr or (found[0] if found else None)
    if number is None:
        print("sesguard: this event is not about a pull request; no comment written", file=sys.stderr)
        return 0
    if MARKER not in body:
        body = f"{MARKER}\n{body}"
    try:
        action, comment = upsert(github.client(environ), number, body)
    except (ApiError, ValueError) as exc:
        print(f"sesguard: could not comment on #{number}: {exc}", file=sys.stderr)
        return 1
    print(f"sesguard: {action} comment {comment} on #{number}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())

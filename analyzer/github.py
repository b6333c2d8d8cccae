"""The GitHub REST API, as the Action's steps call it: the standard library
only, the job's token, and the run's environment (``GITHUB_TOKEN``,
``GITHUB_REPOSITORY`` as owner/name, ``GITHUB_API_URL``, default
https://api.github.com, and the event in ``GITHUB_EVENT_PATH``)."""

from __future__ import annotations

import json
import urllib.error
import urllib.request
from urllib.parse import quote

PER_PAGE = 100
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

    def call(self, method: str, path: str, body=None):
        """The decoded answer to ``method path`` (``path`` below the API's URL)."""
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

    def pages(self, path: str, what: str, max_pages: int):
        """Each page of the list at ``path``, up to ``max_pages`` of ``PER_PAGE``
        items; the last page yielded is short unless ``max_pages`` stopped it."""
        for page in range(1, max_pages + 1):
            items = self.call("GET", f"{path}?per_page={PER_PAGE}&page={page}")
            if not isinstance(items, list):
                raise ApiError(f"listing {what} did not return a list")
            yield items
            if len(items) < PER_PAGE:
                return


def _message(exc: urllib.error.HTTPError) -> str:
    try:
        return json.loads(exc.read().decode("utf-8")).get("message", exc.reason)
    except (ValueError, AttributeError, OSError):
        return str(exc.reason)


def credentials(environ):
    """``(token, repository)`` of the run, either empty when it is not set."""
    return environ.get("GITHUB_TOKEN", ""), environ.get("GITHUB_REPOSITORY", "")


def client(environ) -> Client:
    """A client with the run's token and repository (see ``credentials``);
    ValueError when the repository is not owner/name."""
    token, repository = credentials(environ)
    return Client(environ.get("GITHUB_API_URL") or "https://api.github.com", repository, token)


def pull_request(event_path: str):
    """``(number, the event's pull request object)`` of an Actions event, or None
    when it is about no pull request (an ``issue`` event's object is the issue)."""
    if not event_path:
        return None
    with open(event_path, encoding="utf-8") as f:
        event = json.load(f)
    for key in ("pull_request", "issue"):
        found = event.get(key) if isinstance(event, dict) else None
        if isinstance(found, dict) and isinstance(found.get("number"), int):
            if key == "issue" and "pull_request" not in found:
                return None
            return found["number"], found
    return None

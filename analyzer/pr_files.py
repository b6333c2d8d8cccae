"""The files a GitHub pull request changes, for ``sesguard scan --changed-files``.

    python -m analyzer.pr_files --output changed.txt

writes the paths (relative to the repository root, NUL-separated) of every
file the pull request of the event in ``GITHUB_EVENT_PATH`` adds, modifies,
removes or renames, with a renamed file's old path too: removing a file
from a module changes what the module's other files mean. The REST API is
called as ``analyzer.github`` does (``GITHUB_TOKEN``, ``GITHUB_REPOSITORY``,
``GITHUB_API_URL``).

The list is written only when it is known to be whole: GitHub lists at most
3,000 files of a pull request, and the pull request may have moved on
since the event (the list would then describe other commits than the ones
checked out). Exit status 0 when the list was written, 3 when the event is
about no pull request, 1 when no whole list could be had (the reason on
standard error), 2 for usage errors. The Action scans everything, and says
why, unless the status is 0.
"""

from __future__ import annotations

import argparse
import os
import sys

from analyzer import github
from analyzer.github import PER_PAGE, ApiError

MAX_PAGES = 30  # GitHub lists at most 3,000 files of a pull request
NO_PULL_REQUEST = 3


class Incomplete(Exception):
    """The list GitHub gave is not known to be the pull request's whole list."""


def changed_files(client: github.Client, number: int, head_sha) -> list:
    """The paths pull request ``number`` changes, old paths of renames
    included; Incomplete when GitHub's list is cut short or describes
    another head commit than ``head_sha`` (the event's, None if unknown)."""
    listed, paths = 0, []
    pages = 0
    for items in client.pages(f"/repos/{client.repo}/pulls/{number}/files", f"the files of #{number}", MAX_PAGES):
        pages += 1
        for item in items:
            if not isinstance(item, dict) or not isinstance(item.get("filename"), str):
                raise ApiError(f"listing the files of #{number} gave an entry without a filename")
            listed += 1
            paths.append(item["filename"])
            if isinstance(item.get("previous_filename"), str):
                paths.append(item["previous_filename"])
        if pages == MAX_PAGES and len(items) == PER_PAGE:
            raise Incomplete(f"GitHub lists at most {MAX_PAGES * PER_PAGE:,} files of a pull request, and #{number} "
                             "has that many or more")
    pull = client.call("GET", f"/repos/{client.repo}/pulls/{number}")
    if not isinstance(pull, dict):
        raise ApiError(f"reading #{number} did not return an object")
    now = (pull.get("head") or {}).get("sha")
    if head_sha and now != head_sha:
        raise Incomplete(f"#{number} has moved on from the commit checked out ({head_sha[:12]}, now {str(now)[:12]})")
    if pull.get("changed_files") != listed:
        raise Incomplete(f"GitHub listed {listed} files of #{number}, which changes {pull.get('changed_files')}")
    return list(dict.fromkeys(paths))


def main(argv=None, environ=None) -> int:
    environ = os.environ if environ is None else environ
    parser = argparse.ArgumentParser(prog="python -m analyzer.pr_files", description=__doc__.split("\n\n")[0])
    parser.add_argument("--output", required=True, help="the file to write the paths to, NUL-separated")
    args = parser.parse_args(argv)
    if not all(github.credentials(environ)):
        print("sesguard: GITHUB_TOKEN and GITHUB_REPOSITORY are needed to list a pull request's files",
              file=sys.stderr)
        return 2
    try:
        found = github.pull_request(environ.get("GITHUB_EVENT_PATH", ""))
    except (OSError, ValueError) as exc:
        print(f"sesguard: {exc}", file=sys.stderr)
        return 2
    if found is None:
        print("sesguard: this event is not about a pull request", file=sys.stderr)
        return NO_PULL_REQUEST
    number, pull = found
    try:
        paths = changed_files(github.client(environ), number, (pull.get("head") or {}).get("sha"))
    except (ApiError, Incomplete, ValueError) as exc:
        print(f"sesguard: could not list the files of #{number}: {exc}", file=sys.stderr)
        return 1
    try:
        with open(args.output, "w", encoding="utf-8") as f:
            f.write("".join(f"{path}\0" for path in paths))
    except OSError as exc:
        print(f"sesguard: {exc}", file=sys.stderr)
        return 2
    print(f"sesguard: #{number} changes {len(paths)} path(s)", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())

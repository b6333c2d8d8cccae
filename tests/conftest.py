import os
import pathlib

import pytest

from analyzer.model import Unknown, split_marked

REPO = pathlib.Path(__file__).resolve().parent.parent
FIXTURES = REPO / "fixtures"
CORPUS = (REPO / ".." / "shared" / "corpus").resolve()


@pytest.fixture(autouse=True, scope="session")
def private_parse_cache(tmp_path_factory):
    """Scans through the command line use a parse cache of their own, shared
    by the session (so they also run on warm entries), never the user's."""
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("SESGUARD_CACHE_DIR", str(tmp_path_factory.mktemp("parse-cache")))
        yield


@pytest.fixture
def cache(tmp_path):
    """A cache directory of the test's own (``tmp_path / "cache"``), opened as a scan opens it."""
    from analyzer.cache import open_cache

    opened, problem = open_cache(str(tmp_path / "cache"))
    assert problem == ""
    return opened


@pytest.fixture
def corpus():
    if not CORPUS.is_dir():
        if os.environ.get("CI") == "true":
            pytest.fail(f"the shared corpus is missing at {CORPUS}")
        pytest.skip("the shared corpus is not next to this checkout")
    return CORPUS


def exact(actual, expected) -> bool:
    """Equality that also checks types: True is not 1, 1.0 is not 1, Unknowns by ref and kind."""
    if isinstance(expected, Unknown):
        return isinstance(actual, Unknown) and (actual.ref, actual.kind) == (expected.ref, expected.kind)
    if isinstance(expected, dict):
        return (isinstance(actual, dict) and list(actual) == list(expected)
                and all(exact(actual[k], expected[k]) for k in expected))
    if isinstance(expected, list):
        return (isinstance(actual, list) and len(actual) == len(expected)
                and all(exact(a, e) for a, e in zip(actual, expected)))
    if isinstance(expected, str):
        return isinstance(actual, str) and _parts(actual) == _parts(expected)
    return type(actual) is type(expected) and actual == expected


def _parts(text: str) -> list:
    """A string's literal parts and embedded unknowns (by ref and kind: hints are prose)."""
    return [p if isinstance(p, str) else (p.ref, p.kind) for p in split_marked(str(text))]


@pytest.fixture(scope="session")
def dns_server():
    """NSD on 127.0.0.1 serving tests/dnsserver.py's zones; skipped without NSD, failed without it under CI=true."""
    import dnsserver

    with dnsserver.NsdServer(dnsserver.ZONES, dnsserver.require_nsd()) as server:
        yield server

"""The parse cache (issue #7): what it stores comes back exactly, a warm scan
reports what a cold one does, and an entry that is damaged, stale, planted
or in a directory others can write to is never trusted."""

import dataclasses
import hashlib
import json
import os
import pickle
import subprocess
import sys
import time

import pytest
from click.testing import CliRunner
from lark import Token, Tree

import analyzer.terraform.parse as terraform_parse
from analyzer import cache as cache_module
from analyzer.cache import FORMAT, MAX_AGE, PRUNE_EVERY, default_directory, open_cache
from analyzer.cli import main
from analyzer.files import Limits
from analyzer.terraform.loader import TerraformFiles
from analyzer.terraform.parse import ParseError, parse_hcl
from conftest import FIXTURES, REPO

# Every .tf fixture but the one there for python-hcl2 to reject.
TF_FILES = [path for path in sorted(FIXTURES.rglob("*.tf")) if path.relative_to(FIXTURES).as_posix() !=
            "SES001/parse_error/remote-state.tf"]
TOKEN_SLOTS = ("type", "value", "start_pos", "line", "column", "end_line", "end_column", "end_pos")
SMALL = 'resource "aws_ses_email_identity" "a" {\n  email = "a@example.com"\n}\n'


def shape(value):
    """Everything a parsed file holds, as plain data: every slot of every
    token and every field of every tree's position included."""
    if isinstance(value, Token):
        return ("token",) + tuple(getattr(value, slot) for slot in TOKEN_SLOTS)
    if isinstance(value, Tree):
        return ("tree", value.data, sorted(vars(value.meta).items()), [shape(c) for c in value.children])
    if dataclasses.is_dataclass(value):
        return (type(value).__name__, [(f.name, shape(getattr(value, f.name))) for f in dataclasses.fields(value)])
    if isinstance(value, dict):
        return ("dict", [(k, shape(v)) for k, v in value.items()])
    if isinstance(value, (list, tuple)):
        return (type(value).__name__, [shape(v) for v in value])
    return (type(value).__name__, value)


def entries(cache) -> list:
    return sorted(os.listdir(cache.entries))


def scan_json(monkeypatch, directory, *args) -> str:
    monkeypatch.chdir(directory)
    result = CliRunner().invoke(main, ["scan", ".", "--format", "json", *args], catch_exceptions=False)
    return result.stdout


# ---------------------------------------------------------------------------
# What is stored comes back exactly
# ---------------------------------------------------------------------------


@pytest.mark.parametrize("path", TF_FILES, ids=lambda p: str(p.relative_to(FIXTURES)))
def test_a_stored_parse_comes_back_exactly(cache, path):
    text = path.read_text(encoding="utf-8")
    parsed = parse_hcl(path.name, text)
    key = cache.key("hcl", 200, path.name, text)
    cache.put(key, parsed)
    stored = cache.get(key)
    assert stored is not parsed
    assert shape(stored) == shape(parsed)


def test_token_end_positions_survive(cache):
    """lark pickles a Token without where it ends; the cache keeps it."""
    parsed = parse_hcl("a.tf", SMALL)
    cache.put("k" * 64, parsed)
    email = cache.get("k" * 64).body.blocks[0].body.attributes["email"]
    token = next(email.expr.scan_values(lambda v: isinstance(v, Token) and v.type == "STRING_CHARS"))
    assert (token.line, token.column, token.end_line, token.end_column, token.start_pos, token.end_pos) == (
        2, 12, 2, 25, 51, 64)


def test_a_warm_scan_reports_what_a_cold_one_does_and_parses_only_what_failed(monkeypatch, tmp_path):
    cache_dir = str(tmp_path / "cache")
    without = scan_json(monkeypatch, FIXTURES, "--no-cache")
    cold = scan_json(monkeypatch, FIXTURES, "--cache-dir", cache_dir)
    parsed = []
    real = terraform_parse.parse_hcl

    def recording(shown, text, limits):
        parsed.append(shown)
        return real(shown, text, limits)

    monkeypatch.setattr(terraform_parse, "parse_hcl", recording)
    warm = scan_json(monkeypatch, FIXTURES, "--cache-dir", cache_dir)
    assert warm == cold == without
    # Root modules come from the evaluation cache, so nothing of theirs is parsed, not even a file that
    # failed (its SES001 is kept with the root's entry); a Terragrunt unit is not kept there, and what
    # failed to parse in it is parsed again: a failure is never stored in the parse cache.
    assert sorted(parsed) == ["terragrunt/bad/broken/terragrunt.hcl"]


def test_the_repository_snapshot_is_the_same_cold_and_warm(monkeypatch, tmp_path):
    cache_dir = str(tmp_path / "cache")
    expected = (FIXTURES / "repository-expected" / "report.json").read_text(encoding="utf-8")
    for _ in ("cold", "warm"):
        report = scan_json(monkeypatch, FIXTURES / "repository", "--baseline", "baseline.json",
                           "--cache-dir", cache_dir)
        assert report == expected
    # mail/main.tf, the rules' findings on each of the three views (two deployments and what they share),
    # and the pruning stamp
    assert len(os.listdir(os.path.join(cache_dir, "parse"))) == 5


# ---------------------------------------------------------------------------
# Keys
# ---------------------------------------------------------------------------


def test_the_key_depends_on_kind_depth_path_and_text(cache):
    keys = {cache.key("hcl", 200, "a.tf", "x = 1\n"), cache.key("hcl", 100, "a.tf", "x = 1\n"),
            cache.key("hcl", 200, "b.tf", "x = 1\n"), cache.key("hcl", 200, "a.tf", "x = 2\n"),
            cache.key("json", 200, "a.tf", "x = 1\n")}
    assert len(keys) == 5
    assert cache.key("hcl", 200, "a.tf", "x = 1\n") == cache.key("hcl", 200, "a.tf", "x = 1\n")


@pytest.mark.parametrize("changed", ["parse.py", "grammar.py", "values.py", "cache.py", "hcl2.lark", "postlexer.py",
                                     "version.py"])
def test_the_key_changes_with_the_code_that_parses(tmp_path, monkeypatch, changed):
    before = open_cache(str(tmp_path))[0].key("hcl", 200, "a.tf", "x = 1\n")
    real = cache_module._read_or_empty
    assert real(os.path.join(cache_module._package_directory("hcl2"), "hcl2.lark")).startswith(b"//")
    read = []
    monkeypatch.setattr(cache_module, "_read_or_empty", lambda path: read.append(path) or real(path))
    open_cache(str(tmp_path))[0].key("hcl", 200, "a.tf", "x = 1\n")
    assert [p for p in read if os.path.basename(p) == changed and real(p)], f"{changed} is not read"
    monkeypatch.setattr(cache_module, "_read_or_empty",
                        lambda path: real(path) + (b"#" if os.path.basename(path) == changed else b""))
    assert open_cache(str(tmp_path))[0].key("hcl", 200, "a.tf", "x = 1\n") != before


def test_the_key_changes_with_the_version(tmp_path, monkeypatch):
    before = open_cache(str(tmp_path))[0].key("hcl", 200, "a.tf", "x = 1\n")
    monkeypatch.setattr(cache_module, "__version__", "9.9.9")
    assert open_cache(str(tmp_path))[0].key("hcl", 200, "a.tf", "x = 1\n") != before


# ---------------------------------------------------------------------------
# Damaged and unexpected entries
# ---------------------------------------------------------------------------


def _envelope(payload: bytes) -> bytes:
    return FORMAT + hashlib.sha256(payload).digest() + payload


DAMAGE = {
    "truncated": lambda data: data[:len(data) // 2],
    "empty": lambda data: b"",
    "a byte changed": lambda data: data[:-20] + bytes([data[-20] ^ 1]) + data[-19:],
    "random bytes": lambda data: os.urandom(len(data)),
    "another format": lambda data: data.replace(FORMAT, b"sesguard parse cache 0\n"),
    "a missing class": lambda data: _envelope(b"cnowhere_module\nThing\n(tR."),
    "not a parse": lambda data: _envelope(pickle.dumps(42)),
    "another file's parse": lambda data: _envelope(pickle.dumps(parse_hcl("other.tf", SMALL))),
    "another text": lambda data: _envelope(pickle.dumps(parse_hcl("main.tf", SMALL.replace("a@", "b@")))),
}


@pytest.mark.parametrize("damage", DAMAGE)
def test_a_damaged_entry_is_a_miss_and_is_replaced(cache, damage):
    files = TerraformFiles(Limits(), cache)
    expected = shape(parse_hcl("main.tf", SMALL))
    assert shape(files.parse("/x/main.tf", "main.tf", SMALL)) == expected
    [key] = entries(cache)[1:]  # after the pruning stamp
    path = os.path.join(cache.entries, key)
    with open(path, "rb") as f:
        data = f.read()
    with open(path, "wb") as f:
        f.write(DAMAGE[damage](data))
    assert shape(files.parse("/x/main.tf", "main.tf", SMALL)) == expected
    with open(path, "rb") as f:
        assert f.read() == data  # parsed again and stored again


@pytest.mark.parametrize("damage", ["truncated", "random bytes", "a missing class"])
def test_reading_a_damaged_entry_deletes_it(cache, damage):
    cache.put("k" * 64, parse_hcl("main.tf", SMALL))
    path = os.path.join(cache.entries, "k" * 64)
    with open(path, "rb") as f:
        data = f.read()
    with open(path, "wb") as f:
        f.write(DAMAGE[damage](data))
    assert cache.get("k" * 64) is None
    assert not os.path.exists(path)


def test_a_failed_write_leaves_nothing_behind(cache, monkeypatch):
    def failing_replace(src, dst):
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(os, "replace", failing_replace)
    cache.put("k" * 64, parse_hcl("main.tf", SMALL))
    assert entries(cache) == [".pruned"]


def test_what_cannot_be_stored_is_parsed_each_time(cache):
    """Nesting within the depth limit, but too deep for pickle's recursion."""
    text = "x = " + "[" * 150 + "]" * 150 + "\n"
    files = TerraformFiles(Limits(), cache)
    assert files.parse("/x/a.tf", "a.tf", text).body.attributes["x"].name == "x"
    assert entries(cache) == []


@pytest.mark.parametrize("text, limits", [
    ('resource "a" {\n  x = "${"x" ~}"\n}\n', Limits()),
    ("x = " + "[" * 20 + "]" * 20 + "\n", Limits(max_depth=10)),
], ids=["rejected-by-hcl2", "deeper-than-the-limit"])
def test_a_failed_parse_is_not_stored(cache, text, limits):
    files = TerraformFiles(limits, cache)
    with pytest.raises(ParseError):
        files.parse("/x/a.tf", "a.tf", text)
    assert entries(cache) == []


# ---------------------------------------------------------------------------
# Concurrent runs
# ---------------------------------------------------------------------------


def test_concurrent_runs_share_a_cache(tmp_path):
    """Four scans at once on one empty cache directory, then four on the
    warm one: every report is the report without a cache."""
    cache_dir = str(tmp_path / "cache")
    command = [sys.executable, "-m", "analyzer", "scan", ".", "--format", "json"]
    env = dict(os.environ, PYTHONPATH=str(REPO))
    expected = subprocess.run(command + ["--no-cache"], cwd=FIXTURES, env=env, capture_output=True).stdout
    assert json.loads(expected)["findings"]
    for _ in ("cold", "warm"):
        runs = [subprocess.Popen(command + ["--cache-dir", cache_dir], cwd=FIXTURES, env=env,
                                 stdout=subprocess.PIPE, stderr=subprocess.PIPE) for _ in range(4)]
        outputs = [run.communicate() for run in runs]
        assert [(out, err) for out, err in outputs] == [(expected, b"")] * 4
    assert not [name for name in os.listdir(os.path.join(cache_dir, "parse")) if name.startswith(".tmp-")]


# ---------------------------------------------------------------------------
# Who may write entries
# ---------------------------------------------------------------------------


def test_the_cache_directory_is_private(tmp_path):
    directory = tmp_path / "new" / "cache"
    open_cache(str(directory))
    assert (directory.stat().st_mode & 0o777, (directory / "parse").stat().st_mode & 0o777) == (0o700, 0o700)


@pytest.mark.parametrize("mode", [0o777, 0o770, 0o702])
def test_a_directory_others_can_write_to_is_not_used(tmp_path, monkeypatch, mode):
    directory = tmp_path / "cache"
    (directory / "parse").mkdir(parents=True)
    os.chmod(directory, mode)
    assert open_cache(str(directory)) == (None, f"not using the cache directory {directory}: "
                                                "other users can write to it")
    monkeypatch.chdir(FIXTURES / "SES101" / "jsonencode")
    result = CliRunner().invoke(main, ["scan", ".", "--format", "json", "--cache-dir", str(directory)])
    plain = CliRunner().invoke(main, ["scan", ".", "--format", "json", "--no-cache"])
    assert result.stderr == (f"sesguard: not using the cache directory {directory}: other users can write to it; "
                             "scanning without the parse cache\n")
    assert (result.exit_code, result.stdout) == (plain.exit_code, plain.stdout) == (1, plain.stdout)
    assert os.listdir(directory / "parse") == []


def test_an_entries_directory_others_can_write_to_is_not_used(tmp_path):
    (tmp_path / "cache" / "parse").mkdir(parents=True)
    os.chmod(tmp_path / "cache" / "parse", 0o777)
    assert open_cache(str(tmp_path / "cache")) == (
        None, f"not using the cache directory {tmp_path / 'cache' / 'parse'}: other users can write to it")


def test_a_directory_of_another_user_is_not_used(tmp_path, monkeypatch):
    monkeypatch.setattr(os, "getuid", lambda: os.stat(tmp_path).st_uid + 1)
    assert open_cache(str(tmp_path / "cache")) == (
        None, f"not using the cache directory {tmp_path / 'cache'}: it belongs to another user")


def test_a_directory_that_cannot_be_created_is_not_used(tmp_path):
    (tmp_path / "file").write_text("")
    assert open_cache(str(tmp_path / "file" / "cache")) == (
        None, f"not using the cache directory {tmp_path / 'file' / 'cache'}: cannot create it (Not a directory)")


def test_no_cache_and_the_configuration_leave_the_disk_alone(tmp_path, monkeypatch):
    repo = tmp_path / "repo"
    repo.mkdir()
    (repo / "main.tf").write_text(SMALL)
    scan_json(monkeypatch, repo, "--cache-dir", str(tmp_path / "a"), "--no-cache")
    (repo / ".sesguard.yml").write_text("cache: false\n")
    scan_json(monkeypatch, repo, "--cache-dir", str(tmp_path / "b"))
    (repo / ".sesguard.yml").write_text("cache: true\n")
    scan_json(monkeypatch, repo, "--cache-dir", str(tmp_path / "c"))
    assert sorted(os.listdir(tmp_path)) == ["c", "repo"]
    assert len(os.listdir(tmp_path / "c" / "parse")) == 4  # the root's entry, the rules' on two views, the stamp


def test_the_default_directory(monkeypatch, tmp_path):
    monkeypatch.setenv("HOME", str(tmp_path))
    monkeypatch.delenv("SESGUARD_CACHE_DIR")
    monkeypatch.delenv("XDG_CACHE_HOME", raising=False)
    assert default_directory() == str(tmp_path / ".cache" / "sesguard")
    monkeypatch.setenv("XDG_CACHE_HOME", "relative/ignored")
    assert default_directory() == str(tmp_path / ".cache" / "sesguard")
    monkeypatch.setenv("XDG_CACHE_HOME", "/xdg")
    assert default_directory() == "/xdg/sesguard"
    monkeypatch.setenv("SESGUARD_CACHE_DIR", "/explicit")
    assert default_directory() == "/explicit"


# ---------------------------------------------------------------------------
# Bounded
# ---------------------------------------------------------------------------


def _age(path, seconds: float) -> None:
    then = time.time() - seconds
    os.utime(path, (then, then))


def test_unused_entries_and_abandoned_temporary_files_are_pruned(cache):
    names = {"old": "a" * 64, "recent": "b" * 64, "dead-temp": ".tmp-dead", "live-temp": ".tmp-live"}
    ages = {"old": MAX_AGE + 60, "recent": MAX_AGE - 3600, "dead-temp": 2 * 3600, "live-temp": 60}
    for what, name in names.items():
        path = os.path.join(cache.entries, name)
        with open(path, "wb") as f:
            f.write(b"x")
        _age(path, ages[what])
    cache.put("c" * 64, parse_hcl("a.tf", SMALL))
    assert entries(cache) == [".pruned", ".tmp-live", "b" * 64, "c" * 64]


def test_pruning_runs_at_most_once_a_day(cache):
    cache.prune()
    old = os.path.join(cache.entries, "a" * 64)
    with open(old, "wb") as f:
        f.write(b"x")
    _age(old, MAX_AGE + 60)
    cache.prune()
    assert entries(cache) == [".pruned", "a" * 64]
    _age(os.path.join(cache.entries, ".pruned"), PRUNE_EVERY + 60)
    cache.prune()
    assert entries(cache) == [".pruned"]


def test_reading_an_entry_marks_it_used_at_most_daily(cache):
    cache.put("k" * 64, parse_hcl("a.tf", SMALL))
    path = os.path.join(cache.entries, "k" * 64)
    _age(path, 3600)
    cache.get("k" * 64)
    assert 3590 < time.time() - os.stat(path).st_mtime < 3700
    _age(path, 2 * 24 * 3600)
    cache.get("k" * 64)
    assert time.time() - os.stat(path).st_mtime < 60

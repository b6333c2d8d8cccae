"""Usage errors: checked before anything is scanned, exit status 2 with a
message, and never a traceback, for every subcommand."""

import os

import pytest
from click.testing import CliRunner

from analyzer.cli import main
from conftest import FIXTURES

PUBLIC = str(FIXTURES / "SES101" / "jsonencode")


@pytest.fixture(autouse=True)
def _without_dns_rules(monkeypatch):
    monkeypatch.setenv("SESGUARD_DNS", "off")


def invoke(*args):
    result = CliRunner().invoke(main, list(args))
    if result.exception is not None and not isinstance(result.exception, SystemExit):
        raise AssertionError(f"{args}: {type(result.exception).__name__}: {result.exception}")
    return result


BAD = [
    (["--no-such-option"], "No such option"),
    (["no-such-command"], "No such command"),
    (["scan", PUBLIC, "-o", "sarif:/missing/dir/x.sarif"], "-o /missing/dir/x.sarif: no such directory"),
    (["scan", PUBLIC, "-o", "{tmp}"], "is a directory"),
    (["scan", PUBLIC, "-o", "json:{tmp}"], "is a directory"),
    pytest.param(["scan", PUBLIC, "-o", "{tmp}/ro/x.sarif"], "not writable",
                 marks=pytest.mark.skipif(os.geteuid() == 0, reason="root may write anywhere")),
    (["scan", PUBLIC, "-o", "{tmp}/existing.yml/x.sarif"], "no such directory"),
    (["scan", PUBLIC, "-o", "sarf:x.sarif"], "unknown format 'sarf' (formats: text, json, sarif, junit, github"),
    (["scan", PUBLIC, "-o", "sarif:-", "-o", "json:-"], "two reports to standard output (sarif:- and json:-)"),
    (["scan", PUBLIC, "--format", "json", "-o", "text:-"], "two reports to standard output (text:- and json:-)"),
    (["scan", PUBLIC, "-o", "json:{tmp}/a", "-o", "sarif:{tmp}/a"], "two reports to one file"),
    (["scan", PUBLIC, "-o", "a.json", "-o", "text:-"], "with several -o, each must be FORMAT:PATH"),
    (["scan", PUBLIC, "--write-baseline", "/missing/dir/b.json"], "--write-baseline /missing/dir/b.json: no such"),
    (["scan", PUBLIC, "--root", "/no/such/dir"], "does not exist"),
    (["scan", PUBLIC, "--config", "/no/such.yml"], "does not exist"),
    (["scan", PUBLIC, "--baseline", "{tmp}/missing.json"], "does not exist"),
    (["scan", PUBLIC, "--max-depth", "100000"], "100000 is not in the range"),
    (["scan", PUBLIC, "--max-file-size", "lots"], "is not a size"),
    (["scan", PUBLIC, "--dns", "sometimes"], "sometimes"),
    (["scan", PUBLIC, "--nameserver", "1.1.1.1"], "only apply with --dns live"),
    (["scan", PUBLIC, "--cfn-parameters", "{tmp}/params.json"], "params.json"),
    (["scan", "/no/such/path"], "no such file or directory"),
    (["rules", "--format", "xml"], "'xml' is not one of"),
    (["explain"], "Missing argument 'RULE_ID'"),
    (["explain", "SES999"], "no rule 'SES999'"),
    (["init", "/missing/dir/x.yml"], "init /missing/dir/x.yml: no such directory"),
    (["init", "{tmp}/existing.yml"], "existing.yml exists; not overwritten (--force overwrites it)"),
    (["checkov-checks-dir", "extra"], "unexpected extra argument"),
]


@pytest.mark.parametrize("args, message", BAD)
def test_bad_arguments_exit_2_with_a_message_and_no_traceback(args, message, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    (tmp_path / "existing.yml").write_text("# mine\n")
    (tmp_path / "params.json").write_text("{not json")
    (tmp_path / "ro").mkdir()
    os.chmod(tmp_path / "ro", 0o500)
    args = [a.replace("{tmp}", str(tmp_path)) for a in args]
    try:
        result = invoke(*args)
    finally:
        os.chmod(tmp_path / "ro", 0o700)
    assert result.exit_code == 2, result.output
    assert message.replace("{tmp}", str(tmp_path)) in result.output
    assert "Traceback" not in result.output
    assert (tmp_path / "existing.yml").read_text() == "# mine\n"
    assert sorted(os.listdir(tmp_path)) == ["existing.yml", "params.json", "ro"]  # nothing written


def test_usage_errors_come_before_the_scan(monkeypatch, tmp_path):
    """A bad output is refused before any file is read."""
    import analyzer.engine

    def no_scan(*args, **kwargs):
        raise AssertionError("scanned before checking the outputs")

    monkeypatch.setattr(analyzer.engine, "scan", no_scan)
    assert invoke("scan", PUBLIC, "-o", f"sarif:{tmp_path}/missing/x.sarif").exit_code == 2


def test_a_file_named_with_a_colon_is_written_with_dot_slash(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    result = invoke("scan", PUBLIC, "-o", "./sarf:x.sarif")
    assert result.exit_code == 1
    assert "SES101 [critical]" in (tmp_path / "sarf:x.sarif").read_text()


def test_format_beside_format_outputs_still_writes_to_standard_output(tmp_path):
    result = invoke("scan", PUBLIC, "--format", "json", "-o", f"sarif:{tmp_path}/x.sarif")
    assert result.exit_code == 1
    assert result.stdout.startswith("{\n  \"findings\"") or '"findings"' in result.stdout
    assert (tmp_path / "x.sarif").read_text().startswith("{\n  \"$schema\"")


def test_init_writes_into_a_directory_and_force_overwrites(tmp_path):
    assert invoke("init", str(tmp_path)).output == f"wrote {tmp_path}/.sesguard.yml\n"
    assert (tmp_path / ".sesguard.yml").read_text().startswith("# sesguard configuration")
    result = invoke("init", str(tmp_path))
    assert result.exit_code == 2 and "exists; not overwritten (--force overwrites it)" in result.output
    (tmp_path / ".sesguard.yml").write_text("old\n")
    assert invoke("init", str(tmp_path), "--force").exit_code == 0
    assert (tmp_path / ".sesguard.yml").read_text().startswith("# sesguard configuration")


def test_an_internal_error_is_one_line_and_exit_1(monkeypatch):
    import analyzer.engine

    def broken(*args, **kwargs):
        raise KeyError("model")

    monkeypatch.setattr(analyzer.engine, "scan", broken)
    result = invoke("scan", PUBLIC)
    assert result.exit_code == 1
    assert result.stderr.startswith("sesguard: internal error: KeyError: 'model' (at ")
    assert result.stderr.endswith("the scan is incomplete: please report it with the command line\n")
    assert "Traceback" not in result.output and result.stderr.count("\n") == 1


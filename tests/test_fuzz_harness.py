"""bench/fuzz.py's harness (#18) fails an input for each thing it promises to
catch, and passes a clean one; the fuzzing itself (atheris) runs in .ci/run."""

from __future__ import annotations

import dataclasses
import importlib.util
import re
import socket

import pytest

from conftest import REPO

_SPEC = importlib.util.spec_from_file_location("sesguard_fuzz", REPO / "bench" / "fuzz.py")
fuzz = importlib.util.module_from_spec(_SPEC)
_SPEC.loader.exec_module(fuzz)

CLEAN = b'resource "aws_ses_domain_identity" "d" {\n  domain = "example.com"\n}\n'


@pytest.fixture(scope="module")
def harness():
    return fuzz.Harness("hcl")


def test_a_clean_input_passes(harness):
    harness.run(CLEAN)
    harness.run(CLEAN + fuzz.SEPARATOR + b'locals {\n  a = 1\n}\n')  # a module of two files


def test_an_input_sesguard_reports_as_bad_passes(harness):
    harness.run(b'resource "aws_ses_domain_identity" "d" {\n  domain = \n')


def _with_scan(harness, monkeypatch, before):
    real = harness.scan

    def scan(options):
        before()
        return real(options)

    monkeypatch.setattr(harness, "scan", scan)


def test_a_read_outside_the_scanned_directory_fails(harness, monkeypatch, tmp_path):
    outside = tmp_path / "secret.tfvars"
    outside.write_text("x = 1\n")
    _with_scan(harness, monkeypatch, lambda: open(outside).close())
    with pytest.raises(fuzz.Failure, match=f"opened {re.escape(str(outside.resolve()))}"):
        harness.run(CLEAN)


def test_a_socket_fails(harness, monkeypatch):
    _with_scan(harness, monkeypatch, lambda: socket.socket().close())
    with pytest.raises(fuzz.Failure, match="socket"):
        harness.run(CLEAN)


def test_a_lost_canary_fails(harness, monkeypatch):
    real = harness.options
    monkeypatch.setattr(harness, "options", lambda **kw: dataclasses.replace(real(**kw), disable=("SES101",)))
    with pytest.raises(fuzz.Failure, match="canary"):
        harness.run(CLEAN)


def test_an_internal_error_fails(harness, monkeypatch):
    import analyzer.terraform.adapter as adapter

    def broken(*args, **kwargs):
        raise KeyError("a bug")

    monkeypatch.setattr(adapter, "build_identity", broken)
    with pytest.raises(fuzz.Failure, match="internal error: SES002"):
        harness.run(CLEAN)


def test_a_finding_without_a_line_fails(harness, monkeypatch):
    import analyzer.terraform.sources as sources

    monkeypatch.setattr(sources, "placed", lambda problem: (str(problem), 0, 0))
    with pytest.raises(fuzz.Failure, match="a finding without a file and line: SES001"):
        harness.run(CLEAN + b"# \x00\n")


@pytest.mark.parametrize("target", sorted(fuzz.TARGETS))
def test_every_target_has_seeds_and_a_dictionary_libfuzzer_reads(target):
    assert fuzz.seeds(target)
    for line in fuzz.dictionary(target).splitlines():
        assert re.fullmatch(r'"(?:[ !#-\[\]-~]|\\x[0-9A-F]{2})+"', line), line


@pytest.mark.parametrize("seed", range(20))
def test_the_grammar_target_builds_valid_hcl_that_reaches_the_evaluator(seed):
    import random

    from analyzer.terraform.parse import parse_hcl

    data = random.Random(seed).randbytes(120)
    parts = fuzz.grammar_hcl(data).split(fuzz.SEPARATOR)
    assert parts == fuzz.grammar_hcl(data).split(fuzz.SEPARATOR)  # the same bytes, the same program
    for part in parts:
        parse_hcl("main.tf", part.decode("utf-8"))  # raises ParseError when not HCL
    assert b'resource "aws_ses_domain_identity" "d"' in parts[0]
    fuzz.Harness("hcl_grammar").run(data)

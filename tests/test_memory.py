"""The memory limit (issue #18 item 3, ``--max-memory``): an input that
needs more than the limit stops with SES001 naming the file and the limit,
what it built is dropped, and the rest of the scan is reported."""

import gc
import json
import os
import shutil
import resource
import subprocess
import sys

import pytest

from analyzer import memory
from analyzer.budget import OutOfMemory, OutOfTime, budget, limited
from analyzer.errors import InternalError, failure
from conftest import FIXTURES

GOOD = FIXTURES / "SES101" / "heredoc" / "main.tf"


def test_memory_added_past_the_limit_stops_the_innermost_budget(monkeypatch):
    now = [100 * 2 ** 20]
    monkeypatch.setattr(memory, "resident", lambda: now[0])
    heard = []
    with memory.limited(64) as why:
        assert why == ""
        with budget(60) as outer:
            with limited(60, heard.append):
                now[0] += 65 * 2 ** 20  # this input added 65 MB since its budget opened
                for _ in range(2000):  # the memory check runs every 50 ms
                    sum(range(10_000))
            assert not outer.expired
    [raised] = heard
    assert isinstance(raised, OutOfMemory) and isinstance(raised, OutOfTime)
    assert str(raised) == "needed more than 64 MB of memory, the --max-memory limit"


def test_memory_within_the_limit_is_checked_and_left_alone(monkeypatch):
    asked = []
    monkeypatch.setattr(memory, "resident", lambda: asked.append(1) or 100 * 2 ** 20)
    heard = []
    with memory.limited(64):
        with limited(60, heard.append):
            for _ in range(2000):
                sum(range(10_000))
    assert heard == [] and len(asked) > 2  # opened, then checked every 50 ms


def test_the_limit_and_the_process_limit_are_as_before_after_the_scan():
    before = resource.getrlimit(resource.RLIMIT_DATA)
    with memory.limited(512) as why:
        assert why == "" and memory.watching() == 512 * 2 ** 20
        assert resource.getrlimit(resource.RLIMIT_DATA)[0] != before[0]
    assert memory.watching() == 0 and resource.getrlimit(resource.RLIMIT_DATA) == before


def test_the_backstop_counts_from_where_each_input_begins():
    """What the scan keeps (or a forked worker's parent held) does not eat into
    the room of the next input: the process limit is set again as it begins."""
    from analyzer.budget import not_enforced

    if not_enforced():
        pytest.skip(f"budgets are not enforced here: {not_enforced()}")
    with memory.limited(64) as why:
        assert why == ""
        first = resource.getrlimit(resource.RLIMIT_DATA)[0]
        kept = bytearray(100 * 2 ** 20)  # what the scan keeps of the inputs before
        with budget(60):
            now = resource.getrlimit(resource.RLIMIT_DATA)[0]
            assert abs(now - memory._data_bytes() - 128 * 2 ** 20) < 2 ** 22 and now > first + 90 * 2 ** 20
            with budget(60):  # an inner input shares its outer input's room
                assert resource.getrlimit(resource.RLIMIT_DATA)[0] == now
        with memory.limited(32):  # a scan inside a scan: held to its own limit, not to the outer one's
            with budget(60):
                inner = resource.getrlimit(resource.RLIMIT_DATA)[0]
                assert abs(inner - memory._data_bytes() - 64 * 2 ** 20) < 2 ** 22
        del kept


def test_a_stricter_process_limit_stays():
    before = resource.getrlimit(resource.RLIMIT_DATA)
    strict = 64 * 1024 * 2 ** 20  # 64 GB: stricter than twice 1 TB, looser than what the tests use
    resource.setrlimit(resource.RLIMIT_DATA, (strict, before[1]))
    try:
        with memory.limited(1024 * 1024):
            assert resource.getrlimit(resource.RLIMIT_DATA)[0] == strict
    finally:
        resource.setrlimit(resource.RLIMIT_DATA, before)


def test_an_allocation_that_fails_is_the_inputs_problem_not_an_internal_error():
    found = failure("big.tf", "evaluating this module", MemoryError())
    assert not isinstance(found, InternalError)
    assert found.message == "evaluating this module needed more memory than the system gave; not analyzed"
    with memory.limited(512):
        found = failure("big.tf", "evaluating this module", MemoryError())
    assert found.message == ("evaluating this module could not get memory: the scan is held to twice --max-memory "
                             "(1024 MB) over what it held when this input began; not analyzed")
    found = failure("big.tf", "evaluating this module", ValueError("x"))
    assert isinstance(found, InternalError)


def test_a_root_that_needs_more_memory_is_reported_and_the_rest_of_the_scan_goes_on(tmp_path):
    (tmp_path / "good").mkdir()
    (tmp_path / "good" / "main.tf").write_text(GOOD.read_text(encoding="utf-8"), encoding="utf-8")
    (tmp_path / "big").mkdir()
    items = ", ".join(f'"item-{i}"' for i in range(120_000))  # about 350 MB of parse tree
    (tmp_path / "big" / "main.tf").write_text(
        'resource "aws_ses_domain_identity" "d" {\n  domain = "example.com"\n}\n'
        f"locals {{\n  names = [{items}]\n}}\n", encoding="utf-8")
    run = subprocess.run([sys.executable, "-m", "analyzer", "scan", ".", "--dns", "off", "--no-cache",
                          "--max-memory", "96", "--max-file-seconds", "600", "--format", "json"],
                         cwd=tmp_path, capture_output=True, text=True, timeout=600)
    assert run.returncode == 1, run.stderr
    found = [(f["rule_id"], f["file"], f["line"], f["message"]) for f in json.loads(run.stdout)["findings"]]
    assert found == [
        ("SES001", "big/main.tf", 1, "big/main.tf: cannot parse: needed more than 96 MB of memory, the "
                                     "--max-memory limit; not analyzed"),
        ("SES101", "good/main.tf", 14, found[1][3]),
    ]


@pytest.mark.parametrize("value", ["-1", "x"])
def test_the_option_takes_megabytes(value):
    run = subprocess.run([sys.executable, "-m", "analyzer", "scan", "--max-memory", value, str(GOOD)],
                         capture_output=True, text=True, timeout=120)
    assert run.returncode == 2 and "--max-memory" in run.stderr


def test_a_root_that_ran_out_of_memory_is_not_kept_in_the_evaluation_cache(tmp_path, monkeypatch):
    """Under another limit, or with more memory free, the same root may fit."""
    from analyzer.cache import open_cache
    from analyzer.engine import ScanOptions, scan
    from analyzer.terraform.loader import TerraformScan

    (tmp_path / "case").mkdir()
    (tmp_path / "case" / "main.tf").write_text(GOOD.read_text(encoding="utf-8"), encoding="utf-8")
    cache = open_cache(str(tmp_path / "cache"))[0]
    evaluated = []

    def too_big(self, directory, relevant):
        evaluated.append(directory)
        raise MemoryError

    monkeypatch.setattr(TerraformScan, "_scan_root", too_big)
    monkeypatch.chdir(tmp_path)
    options = dict(paths=["."], dns="off", cache=cache)
    first = [(f.rule_id, f.file, f.message) for f in scan(ScanOptions(**options)).findings]
    assert first == [("SES001", "case", "case: evaluating this module needed more memory than the system gave; "
                                        "not analyzed")]
    assert [(f.rule_id, f.file, f.message) for f in scan(ScanOptions(**options)).findings] == first
    assert len(evaluated) == 2


def test_a_template_that_needs_more_memory_is_reported_at_its_first_line(tmp_path):
    items = "".join(f"        - item-{i}\n" for i in range(150_000))  # about 3 MB of YAML, 100 MB to load
    (tmp_path / "template.yaml").write_text(
        'AWSTemplateFormatVersion: "2010-09-09"\nResources:\n  Identity:\n    Type: AWS::SES::EmailIdentity\n'
        f"    Properties:\n      EmailIdentity: example.com\n      Tags:\n{items}", encoding="utf-8")
    run = subprocess.run([sys.executable, "-m", "analyzer", "scan", ".", "--dns", "off", "--max-memory", "64",
                          "--max-file-seconds", "600", "--format", "json"],
                         cwd=tmp_path, capture_output=True, text=True, timeout=600)
    found = [(f["rule_id"], f["file"], f["line"], f["message"]) for f in json.loads(run.stdout)["findings"]]
    assert found == [("SES001", "template.yaml", 1, "template.yaml: reading this CloudFormation template needed "
                                                    "more than 64 MB of memory, the --max-memory limit; not analyzed")]



def test_the_limit_holds_inside_forked_workers(tmp_path, monkeypatch):
    """A root a ``--jobs`` worker evaluates that needs more than the limit is
    reported as in one process, and the worker's other roots are kept."""
    from analyzer.engine import ScanOptions, scan
    from analyzer.files import Limits
    from analyzer.terraform import workers

    if not workers.available():
        pytest.skip("this system cannot fork")
    for index in range(workers.WORTH_IT):  # enough roots that the scan starts workers
        (tmp_path / f"good{index:02d}").mkdir()
        (tmp_path / f"good{index:02d}" / "main.tf").write_text(GOOD.read_text(encoding="utf-8"), encoding="utf-8")
    (tmp_path / "big").mkdir()
    items = ", ".join(f'"item-{i}"' for i in range(120_000))  # about 350 MB of parse tree
    (tmp_path / "big" / "main.tf").write_text(
        'resource "aws_ses_domain_identity" "d" {\n  domain = "example.com"\n}\n'
        f"locals {{\n  names = [{items}]\n}}\n", encoding="utf-8")
    from_workers = []
    real = workers.evaluate
    monkeypatch.setattr(workers, "evaluate", lambda *a: from_workers.append(real(*a)) or from_workers[-1])
    monkeypatch.chdir(tmp_path)
    reports = {}
    for jobs in (1, 2):
        gc.collect()  # what earlier tests left for the collector would otherwise make room inside the limit
        with memory.limited(96) as why:
            assert why == ""
            report = scan(ScanOptions(paths=["."], dns="off", jobs=jobs, limits=Limits(max_file_seconds=600)))
        reports[jobs] = [(f.rule_id, f.file, f.location.line, f.message) for f in report.findings]
    [entries] = from_workers
    assert sorted(os.path.basename(d) for d in entries) == ["big"] + [f"good{i:02d}" for i in range(workers.WORTH_IT)]
    assert reports[1] == reports[2]
    assert [finding[:3] for finding in reports[2]] == [("SES001", "big/main.tf", 1)] + [
        ("SES101", f"good{index:02d}/main.tf", 14) for index in range(workers.WORTH_IT)]
    assert reports[2][0][3] == ("big/main.tf: cannot parse: needed more than 96 MB of memory, the --max-memory "
                                "limit; not analyzed")


def test_a_module_that_runs_out_of_memory_while_read_leaves_its_caller_reported(tmp_path, monkeypatch):
    """Reading a called module fails with MemoryError: the root is SES001, and
    what the root's evaluation recorded names only modules that were read."""
    from analyzer.cache import open_cache
    from analyzer.engine import ScanOptions, scan
    from analyzer.terraform import sources

    shutil.copytree(FIXTURES.parent / "fixtures" / "examples", tmp_path / "repo")
    real = sources.load_module_source

    def failing(directory, *args):
        if directory.endswith(os.path.join("modules", "ses-domain")):
            raise MemoryError
        return real(directory, *args)

    monkeypatch.setattr(sources, "load_module_source", failing)
    monkeypatch.chdir(tmp_path / "repo")
    cache = open_cache(str(tmp_path / "cache"))[0]  # a root's recorded evaluation is made for the cache
    found = [(f.rule_id, f.file, f.message) for f in scan(ScanOptions(paths=["."], dns="off", cache=cache)).findings
             if f.rule_id == "SES001"]
    assert found == [("SES001", directory, f"{directory}: evaluating this module needed more memory than the system "
                                           "gave; not analyzed") for directory in (".", "modules/ses-domain")]

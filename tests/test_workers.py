"""--jobs: root modules evaluated in forked workers give the report a
single process gives, whatever the number of workers, the cache and the
workers' failures."""

import os
import pathlib
import shutil

import pytest

from analyzer.cache import open_cache
from analyzer.engine import ScanOptions, scan
from analyzer.report import json_format
from analyzer.terraform import workers
from analyzer.terraform.loader import TerraformScan

FIXTURES = pathlib.Path(__file__).resolve().parent.parent / "fixtures"

pytestmark = pytest.mark.skipif(not workers.available(), reason="this system cannot fork")


@pytest.fixture(autouse=True)
def forked(monkeypatch):
    """Workers for any number of roots, and how many times they were started."""
    started = []
    real = workers.evaluate
    monkeypatch.setattr(workers, "WORTH_IT", 1)
    monkeypatch.setattr(workers, "evaluate", lambda *a: started.append(a[2]) or real(*a))
    return started


def _report(path, jobs, cache=None) -> str:
    return json_format.render(scan(ScanOptions(paths=[str(path)], jobs=jobs, cache=cache)))


@pytest.fixture
def layout(tmp_path, monkeypatch):
    root = tmp_path / "repo"
    shutil.copytree(FIXTURES / "deployments" / "envs", root)
    shutil.copytree(FIXTURES / "SES101" / "templatefile", root / "templated")
    (root / ".git").mkdir()
    monkeypatch.chdir(root)
    return root


@pytest.mark.parametrize("jobs", [2, 3])
def test_the_fixtures_report_is_the_same_with_workers(jobs, forked):
    assert _report(FIXTURES, jobs) == _report(FIXTURES, 1)
    assert forked == [jobs]


def test_auto_is_one_worker_per_core_at_most_four(monkeypatch):
    monkeypatch.setattr(os, "sched_getaffinity", lambda pid: set(range(12)), raising=False)
    assert workers.count(0) == 4 and workers.count(3) == 3
    monkeypatch.setattr(os, "sched_getaffinity", lambda pid: {0}, raising=False)
    assert workers.count(0) == 1


def test_too_few_roots_to_evaluate_start_no_worker(layout, forked, monkeypatch):
    monkeypatch.setattr(workers, "WORTH_IT", 4)
    assert _report(layout, 2) == _report(layout, 1)
    assert forked == []


def test_workers_write_entries_a_later_scan_uses(layout, tmp_path, monkeypatch):
    cache = open_cache(str(tmp_path / "cache"))[0]
    single = _report(layout, 1)
    assert _report(layout, 2, cache) == single
    evaluated = []
    real = TerraformScan._scan_root
    monkeypatch.setattr(TerraformScan, "_scan_root", lambda self, d, r: evaluated.append(d) or real(self, d, r))
    assert _report(layout, 1, cache) == single
    assert evaluated == []


def test_a_worker_that_dies_leaves_its_roots_to_the_scan(layout, forked, monkeypatch):
    single = _report(layout, 1)
    parent = os.getpid()
    real = TerraformScan.evaluate_for_entry

    def dying(self, directory, outdated):
        if os.getpid() != parent and directory.endswith("prod"):
            os._exit(3)
        return real(self, directory, outdated)
    monkeypatch.setattr(TerraformScan, "evaluate_for_entry", dying)
    assert _report(layout, 2) == single
    assert forked == [2]


def test_a_worker_that_raises_leaves_its_roots_to_the_scan_and_says_so(layout, forked, monkeypatch):
    single = _report(layout, 1)
    parent = os.getpid()
    real = TerraformScan.evaluate_for_entry

    def raising(self, directory, outdated):
        if os.getpid() != parent and directory.endswith("prod"):
            raise KeyError(directory)
        return real(self, directory, outdated)
    monkeypatch.setattr(TerraformScan, "evaluate_for_entry", raising)
    heard = []
    report = json_format.render(scan(ScanOptions(paths=[str(layout)], jobs=2), progress=heard.append))
    assert report == single and forked == [2]
    assert [m for m in heard if "worker" in m] == [
        "a worker process failed (KeyError: '" + str(layout / "envs" / "prod") + "'); the scan evaluates its root "
        "modules itself"]


def test_a_bug_recording_a_root_s_evaluation_is_an_internal_error_on_it(layout, tmp_path, monkeypatch):
    from analyzer.terraform import loader

    real = loader.fingerprints

    def failing(paths):
        if any(p.endswith(os.path.join("prod", "main.tf")) for p in paths):
            raise ValueError("a bug")
        return real(paths)
    monkeypatch.setattr(loader, "fingerprints", failing)
    report = scan(ScanOptions(paths=[str(layout)], jobs=1, cache=open_cache(str(tmp_path / "cache"))[0]))
    found = [(f.rule_id, f.file) for f in report.findings if f.rule_id in ("SES001", "SES002")]
    assert found == [("SES002", os.path.relpath(layout / "envs" / "prod"))]
    assert any(f.rule_id == "SES101" and f.deployment.endswith("dev") for f in report.findings)


def test_an_entry_that_cannot_be_sent_is_evaluated_by_the_scan(layout, monkeypatch):
    single = _report(layout, 1)
    parent = os.getpid()
    real = TerraformScan.evaluate_for_entry
    sent = []

    def unpicklable(self, directory, outdated):
        entry = real(self, directory, outdated)
        if os.getpid() != parent and directory.endswith("dev"):
            entry.delta["not sendable"] = lambda: None
        return entry
    monkeypatch.setattr(TerraformScan, "evaluate_for_entry", unpicklable)
    real_add = TerraformScan._add
    monkeypatch.setattr(TerraformScan, "_add", lambda self, entry, reached: sent.append(entry) or
                        real_add(self, entry, reached))
    assert _report(layout, 2) == single
    assert len(sent) == 2  # prod's and templated's; dev was evaluated by the scan


def test_the_parser_is_ready_before_the_workers_fork(layout, cache, monkeypatch):
    """Loaded (or built, on a first scan) once in the scan, not again in each worker."""
    from concurrent.futures import ProcessPoolExecutor

    from analyzer.terraform import grammar

    ready = []
    real = ProcessPoolExecutor.__init__

    def starting(self, *args, **kwargs):
        ready.append(grammar._parse is not None)
        real(self, *args, **kwargs)
    grammar.use_cache_directory(None)
    grammar.use_cache_directory(cache.grammar)
    monkeypatch.setattr(ProcessPoolExecutor, "__init__", starting)
    _report(layout, 2, cache)
    assert ready == [True]

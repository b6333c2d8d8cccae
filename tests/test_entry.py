"""The console entry (analyzer.cli.run): the command's exit status and
whole output, then the process ends without tearing the heap down."""

import os
import subprocess
import sys

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
EXAMPLE = os.path.join(ROOT, "fixtures", "SES101", "jsonencode")


def _run(*args):
    return subprocess.run([sys.executable, "-m", "analyzer", *args], capture_output=True, text=True, cwd=ROOT)


def test_the_exit_status_and_the_whole_report_come_through():
    done = _run("scan", EXAMPLE, "--format", "json", "--no-cache", "--dns", "off")
    assert done.returncode == 1, done.stderr
    assert done.stdout.rstrip().endswith("}") and '"SES101"' in done.stdout


def test_usage_errors_keep_their_status():
    done = _run("scan", "no/such/path")
    assert done.returncode == 2
    assert "no such file or directory: no/such/path" in done.stderr


def test_version_exits_zero():
    done = _run("--version")
    assert (done.returncode, done.stdout) == (0, f"sesguard {__import__('analyzer').__version__}\n")


def test_a_closed_pipe_is_not_a_traceback():
    reader = subprocess.Popen([sys.executable, "-m", "analyzer", "scan", os.path.join(ROOT, "fixtures"),
                               "--no-cache", "--dns", "off"], cwd=ROOT, stdout=subprocess.PIPE,
                              stderr=subprocess.PIPE)
    reader.stdout.read(10)
    reader.stdout.close()
    stderr = reader.stderr.read().decode()
    assert reader.wait() in (0, 1, 120)
    assert "Traceback" not in stderr



def test_a_scan_runs_the_cycle_collector_less_often(monkeypatch):
    import gc

    from click.testing import CliRunner

    from analyzer.cli import main

    before = gc.get_threshold()
    gc.set_threshold(700, 10, 10)  # Python's defaults, whatever an earlier test of this process set
    try:
        CliRunner().invoke(main, ["scan", EXAMPLE, "--no-cache", "--dns", "off"])
        assert gc.get_threshold() == (10_000, 10, 10)
    finally:
        gc.set_threshold(*before)

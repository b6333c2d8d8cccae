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


def test_the_command_runs_with_the_collector_tuned_for_a_heap_kept_to_the_end(monkeypatch):
    import gc

    import analyzer.cli as cli

    seen = []
    monkeypatch.setattr(cli, "main", lambda: seen.append(gc.get_threshold()))
    monkeypatch.setattr(os, "_exit", seen.append)  # run() ends the process with os._exit
    before = gc.get_threshold()
    try:
        cli.run()
    finally:
        gc.set_threshold(*before)
    assert seen == [cli.COLLECTOR_THRESHOLDS, 0] and before != cli.COLLECTOR_THRESHOLDS

"""The per-file time budget (issue #18 item 3, ``--max-file-seconds``): a
parse or an evaluation that runs past it stops with SES001 naming the file
and the limit, and the rest of the scan is still reported. No test here
measures speed: each slow input takes several times its budget, and what is
asserted is which budget ran out and what the scan says about it."""

import json
import os
import shutil
import signal
import threading
import time

import pytest
from click.testing import CliRunner

from analyzer.budget import OutOfTime, budget, limited, not_enforced, paused
from analyzer.cli import main
from analyzer.config import ConfigError, load_config
from analyzer.engine import ScanOptions, scan
from analyzer.files import Limits
from conftest import FIXTURES

GOOD = FIXTURES / "SES101" / "heredoc" / "main.tf"
GOOD_FINDING = ("SES101", "good/main.tf", 14)
SLOW = "took longer than 1 s, the --max-file-seconds limit; not analyzed"


def spin(seconds: float) -> None:
    """Busy Python code for ``seconds`` (a signal is handled between bytecodes)."""
    end = time.monotonic() + seconds
    while time.monotonic() < end:
        pass


def test_a_budget_stops_the_body_with_its_own_out_of_time():
    with pytest.raises(OutOfTime) as raised:
        with budget(1) as this:
            spin(5)
    assert raised.value.budget is this
    assert str(raised.value) == "took longer than 1 s, the --max-file-seconds limit"


def test_out_of_time_is_not_an_exception_so_broad_handlers_do_not_take_it():
    with pytest.raises(OutOfTime):
        with budget(1):
            try:
                spin(5)
            except Exception:  # what a loader's or try()'s handler would do
                pytest.fail("OutOfTime was caught as an Exception")


def test_a_body_within_its_budget_is_untouched_and_the_timer_is_disarmed():
    with budget(5):
        spin(0.05)
    assert signal.getitimer(signal.ITIMER_REAL) == (0.0, 0.0)


def test_an_inner_budget_does_not_lose_the_outer_one():
    ran_out = []
    with pytest.raises(OutOfTime) as raised:
        with budget(1) as outer:
            with limited(30, ran_out.append):  # the inner one is longer: the outer one still ends first
                spin(5)
    assert raised.value.budget is outer and not ran_out


def test_an_inner_budget_that_runs_out_leaves_the_outer_one_running():
    ran_out = []
    with pytest.raises(OutOfTime) as raised:
        with budget(2) as outer:
            with limited(1, ran_out.append):
                spin(5)
            assert len(ran_out) == 1 and ran_out[0].budget is not outer
            spin(5)
    assert raised.value.budget is outer


def test_an_apart_budget_stops_the_outer_clock_and_a_pause_too():
    with budget(1.5):
        with limited(1, lambda exc: None, apart=True):
            spin(1.2)  # the outer clock stands still meanwhile
        with paused():
            spin(1.2)
        spin(0.2)


def test_in_another_thread_the_budget_is_not_enforced_and_says_why():
    seen = {}

    def run():
        seen["why"] = not_enforced()
        with budget(1) as this:
            seen["enforced"] = this.enforced

    thread = threading.Thread(target=run)
    thread.start()
    thread.join()
    assert seen == {"why": "sesguard is not running in the main thread, the only one a signal reaches",
                    "enforced": False}
    assert not_enforced() == ""


def test_a_timer_or_handler_of_other_code_is_left_alone():
    previous = signal.signal(signal.SIGALRM, lambda signum, frame: None)
    try:
        assert not_enforced() == "other code of this process handles SIGALRM, which sesguard leaves alone"
        with budget(1) as this:
            assert not this.enforced
    finally:
        signal.signal(signal.SIGALRM, previous)
    try:
        signal.signal(signal.SIGALRM, signal.SIG_IGN)
        signal.setitimer(signal.ITIMER_REAL, 100)
        assert not_enforced() == ("other code of this process is using the real-time interval timer, "
                                  "which sesguard leaves alone")
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, previous)


def _big_list(count: int) -> str:
    return ", ".join(f'"item-{i}"' for i in range(count))


_IDENTITY = 'resource "aws_ses_domain_identity" "d" {\n  domain = "d${length(var.xs)}.example.com"\n}\n'
_VARIABLE = 'variable "xs" {\n  type = list(string)\n}\n'
# Each slow case takes several seconds; the budget is 1 s.
CASES = {
    "hcl": ({"main.tf": _VARIABLE + _IDENTITY + f"locals {{\n  many = [{_big_list(150000)}]\n}}\n"},
            ("case/main.tf", f"cannot parse: {SLOW}")),
    "tfvars": ({"main.tf": _VARIABLE + _IDENTITY, "terraform.tfvars": f"xs = [{_big_list(150000)}]\n"},
               ("case/terraform.tfvars", f"cannot parse: {SLOW}")),
    "evaluation": ({"main.tf": _IDENTITY.replace("length(var.xs)", "local.n")
                    + "locals {\n  n = length([for a in range(1000) : a if length([for b in range(1000) : b if b > a]) > 0])\n}\n"},
                   ("case", "evaluating this root module, with the modules it calls, took longer than 1 s, "
                            "the --max-file-seconds limit; not analyzed in full")),
    "terragrunt": ({"main.tf": _VARIABLE + _IDENTITY, "terragrunt.hcl": f"inputs = {{\n  xs = [{_big_list(150000)}]\n}}\n"},
                   ("case/terragrunt.hcl", f"cannot parse: {SLOW}")),
    "cloudformation": ({"template.json": json.dumps({
        "Resources": {"Identity": {"Type": "AWS::SES::EmailIdentity", "Properties": {"EmailIdentity": "example.com"}}},
        "Metadata": {"Many": [[i, i, i] for i in range(380000)]}})},  # 9 MB: about 4 s to decode
        ("case/template.json", f"reading this CloudFormation template {SLOW}")),
}


@pytest.mark.parametrize("case", sorted(CASES))
def test_a_slow_input_is_reported_on_its_file_and_the_rest_of_the_scan_goes_on(case, tmp_path):
    files, expected = CASES[case]
    (tmp_path / "case").mkdir()
    for name, text in files.items():
        (tmp_path / "case" / name).write_text(text)
    (tmp_path / "good").mkdir()
    shutil.copy(GOOD, tmp_path / "good" / "main.tf")
    cwd = os.getcwd()
    os.chdir(tmp_path)
    try:
        findings = scan(ScanOptions(paths=["."], limits=Limits(max_file_seconds=1), dns="off")).findings
    finally:
        os.chdir(cwd)
    assert GOOD_FINDING in [(f.rule_id, f.file, f.location.line) for f in findings]
    assert not [f for f in findings if f.rule_id == "SES002"]
    file, message = expected
    assert [(f.file, f.message) for f in findings if f.rule_id == "SES001"] == [(file, f"{file}: {message}")]


def test_the_option_and_the_configuration_key(tmp_path):
    result = CliRunner().invoke(main, ["scan", str(GOOD.parent), "--max-file-seconds", "0"])
    assert result.exit_code == 2 and "0 is not in the range 1<=x<=86400" in result.output
    result = CliRunner().invoke(main, ["scan", str(GOOD.parent), "--max-file-seconds", "3", "-v", "--dns", "off"])
    assert "--max-file-seconds" not in result.stderr  # kept: nothing to say
    previous = signal.signal(signal.SIGALRM, lambda signum, frame: None)
    try:
        result = CliRunner().invoke(main, ["scan", str(GOOD.parent), "--max-file-seconds", "3", "-v", "--dns", "off"])
    finally:
        signal.signal(signal.SIGALRM, previous)
    assert ("sesguard: --max-file-seconds 3 is not enforced: other code of this process handles SIGALRM, which "
            "sesguard leaves alone\n") in result.stderr
    config = tmp_path / ".sesguard.yml"
    config.write_text("max_file_seconds: 7\n")
    assert load_config(str(config)).max_file_seconds == 7
    config.write_text("max_file_seconds: 100000\n")
    with pytest.raises(ConfigError, match="max_file_seconds: '100000' is not a whole number from 1 to 86400"):
        load_config(str(config))


@pytest.mark.parametrize("case", ["evaluation", "hcl"])
def test_a_root_whose_budget_ran_out_is_not_kept_in_the_evaluation_cache(case, tmp_path, monkeypatch):
    """Another day, on another machine, the same root may be evaluated in time."""
    from analyzer.cache import open_cache
    from analyzer.terraform.loader import TerraformScan

    files, _ = CASES[case]
    (tmp_path / "case").mkdir()
    for name, text in files.items():
        (tmp_path / "case" / name).write_text(text)
    cache = open_cache(str(tmp_path / "cache"))[0]
    evaluated = []
    real = TerraformScan._scan_root
    monkeypatch.setattr(TerraformScan, "_scan_root", lambda self, d, r: evaluated.append(d) or real(self, d, r))
    monkeypatch.chdir(tmp_path)
    options = dict(paths=["."], limits=Limits(max_file_seconds=1), dns="off", cache=cache)
    first = [(f.rule_id, f.file) for f in scan(ScanOptions(**options)).findings]
    assert ("SES001", "case" if case == "evaluation" else "case/main.tf") in first
    assert [(f.rule_id, f.file) for f in scan(ScanOptions(**options)).findings] == first
    assert len(evaluated) == 2


@pytest.mark.filterwarnings("ignore::pytest.PytestUnraisableExceptionWarning")
def test_a_time_up_dropped_in_a_finalizer_is_raised_again():
    # seen in CI: the alarm landed in a weakref callback run by the garbage collector, Python dropped the
    # exception (it reports it as unraisable), and a file far past its budget was parsed to the end
    class Finalized:
        def __del__(self):
            spin(1.5)  # the budget's time is up in here

    started = time.monotonic()
    with pytest.raises(OutOfTime):
        with budget(1):
            Finalized()  # no reference kept: finalized at once
            spin(10)
    assert time.monotonic() - started < 3

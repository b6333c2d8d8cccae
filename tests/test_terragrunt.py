"""Terragrunt units (#14 item 2): a ``terragrunt.hcl`` is a deployment of the module its
``terraform.source`` names, with its ``inputs`` (merged with an included parent's) as the
module's variables; findings lead back to the configuration line the value came from.

The trees live in ``fixtures/terragrunt/``: ``envs`` (a parent holding the common inputs, dev
opening the policy to "*", prod deep-merging a dependency's mock output, a remote unit) and
``bad`` (broken HCL, a source outside the repository, include cycles, next to a working unit)."""

import json
import shutil

import pytest
from click.testing import CliRunner

from analyzer.cli import main
from conftest import FIXTURES

TERRAGRUNT = FIXTURES / "terragrunt"
TRUSTED = "111122223333"
MODULE = (TERRAGRUNT / "envs" / "modules" / "ses" / "main.tf").read_text()


def _scan(*args):
    result = CliRunner().invoke(main, ["scan", *args, "--dns", "off", "--no-cache", "--format", "json"],
                                catch_exceptions=False)
    return result.exit_code, json.loads(result.output)


def _rows(findings):
    return [(f["rule_id"], f["file"], f["line"], f["deployment"],
             [(s["file"], s["line"], s["what"]) for s in f["trace"]]) for f in findings]


DEV = ("SES101", "modules/ses/main.tf", 21, "live/dev",
       [("live/dev/terragrunt.hcl", 10, "terragrunt input sender_principals")])
REMOTE = ("SES003", "live/remote/terragrunt.hcl", 2, "", [])
# prod's principals: the parent's, then the dependency's mock output its own input deep-merges in
PROD = ("SES102", "modules/ses/main.tf", 21, "live/prod",
        [("live/terragrunt.hcl", 8, "value written"),
         ("live/prod/terragrunt.hcl", 18, "terragrunt input sender_principals"),
         ("live/prod/terragrunt.hcl", 13, "value written")])


def test_dev_overrides_the_common_input_and_opens_the_policy(monkeypatch):
    """The parent's trusted principal is prod's, with a dependency's mock output in another account
    deep-merged in; dev's own input replaces it with "*"; the module is never judged with its defaults."""
    monkeypatch.chdir(TERRAGRUNT / "envs")
    status, report = _scan(".", "--trusted-account", TRUSTED)
    assert status == 1
    assert _rows(report["findings"]) == [REMOTE, DEV, PROD]
    _, dev, prod = report["findings"]
    assert dev["message"].startswith("dev.example.com (aws_ses_identity_policy.this): statement 'Senders' "
                                     "lets anyone send")
    assert prod["message"].startswith("prod.example.com (aws_ses_identity_policy.this): statement 'Senders' "
                                      "lets account 444455556666 send")
    assert report["not_analyzed"] == [{
        "module": "terraform.source", "source": "git::https://example.com/mail/terraform-aws-ses.git//identity"
                                                "?ref=v1.2.0",
        "reason": "it is a remote module (registry or git), which sesguard does not download",
        "file": "live/remote/terragrunt.hcl", "line": 2}]
    assert report["summary"]["files"] == 5 and report["summary"]["files_failed"] == 0


def test_prod_gets_the_parent_principal_and_the_mock_output_deep_merged(monkeypatch):
    """Without a trusted account both of prod's principals are untrusted: the parent's and the mock
    output (deep merge concatenates lists); its domain comes from path_relative_to_include()."""
    monkeypatch.chdir(TERRAGRUNT / "envs")
    _, report = _scan(".")
    prod = [f for f in report["findings"] if f["deployment"] == "live/prod"]
    assert _rows(prod) == [PROD]
    assert prod[0]["message"].startswith("prod.example.com (aws_ses_identity_policy.this): statement 'Senders' "
                                         "lets account 111122223333, account 444455556666 send")


def test_a_unit_scanned_alone_finds_its_parent_inside_the_repository(monkeypatch):
    monkeypatch.chdir(TERRAGRUNT / "envs" / "live" / "dev")
    _, report = _scan(".", "--trusted-account", TRUSTED)
    assert _rows(report["findings"]) == [
        ("SES101", "../../modules/ses/main.tf", 21, ".",
         [("terragrunt.hcl", 10, "terragrunt input sender_principals")])]


@pytest.mark.parametrize("changed,expected", [
    ("live/terragrunt.hcl", ["live/dev", "live/prod"]),  # the parent: an input of every unit including it
    ("live/dev/terragrunt.hcl", ["live/dev"]),
    ("live/prod/terragrunt.hcl", ["live/prod"]),
    ("modules/ses/main.tf", ["live/dev", "live/prod"]),
])
def test_changed_only_counts_the_configurations_a_unit_reads(monkeypatch, changed, expected):
    monkeypatch.chdir(TERRAGRUNT / "envs")
    _, report = _scan("--changed-only", changed, "--trusted-account", TRUSTED)
    assert [f["deployment"] for f in report["findings"]] == expected


def test_bad_input_is_reported_with_its_line_and_the_scan_goes_on(monkeypatch):
    monkeypatch.chdir(TERRAGRUNT / "bad")
    status, report = _scan(".")
    assert status == 1
    assert [(f["rule_id"], f["file"], f["line"], f["message"].split(" Fix:")[0]) for f in report["findings"]] == [
        ("SES001", "broken/terragrunt.hcl", 5, "broken/terragrunt.hcl: cannot parse: unexpected end of input"),
        ("SES001", "cycle/terragrunt.hcl", 2, "cycle/terragrunt.hcl: include cycle: cycle/terragrunt.hcl is "
                                              "already being included (cycle/terragrunt.hcl -> cycle/terragrunt.hcl)"),
        ("SES001", "loop/a/terragrunt.hcl", 2, "loop/a/terragrunt.hcl: include cycle: loop/a/terragrunt.hcl "
                                               "includes ../b/terragrunt.hcl, which includes it"),
        ("SES001", "loop/b/terragrunt.hcl", 2, "loop/b/terragrunt.hcl: include cycle: loop/b/terragrunt.hcl "
                                               "includes ../a/terragrunt.hcl, which includes it"),
        ("SES101", "modules/ses/main.tf", 21, "working.example.com (aws_ses_identity_policy.this): statement "
                                              "'Senders' lets anyone send ses:SendRawEmail as this identity, with "
                                              "no condition that narrows the callers."),
        ("SES001", "outside/terragrunt.hcl", 2, "outside/terragrunt.hcl: terraform.source: its source "
                                                "../../../../../../../../../../../../modules/ses is outside the "
                                                "repository, which sesguard never reads outside of; scan from a "
                                                "repository that holds both, or give --root")]
    assert report["findings"][4]["deployment"] == "working"


def _unit(tmp_path, principal: str, extra: str = "", parent: str = ""):
    """A repository with the module and one unit whose sender_principals is ``[principal]``."""
    (tmp_path / ".git").mkdir()
    (tmp_path / "modules" / "ses").mkdir(parents=True)
    (tmp_path / "modules" / "ses" / "main.tf").write_text(MODULE)
    (tmp_path / "live" / "app").mkdir(parents=True)
    if parent:
        (tmp_path / "live" / "terragrunt.hcl").write_text(parent)
    (tmp_path / "live" / "app" / "terragrunt.hcl").write_text(
        f'{extra}\nterraform {{\n  source = "../../modules/ses"\n}}\n\n'
        f'inputs = {{\n  domain = "app.example.com"\n  sender_principals = [{principal}]\n}}\n')
    return tmp_path / "live"


@pytest.mark.parametrize("principal,extra,rule,words", [
    ('get_env("SENDER", "*")', "", "SES101", "lets anyone send"),  # the default, never the environment
    ('get_env("SENDER")', "", "SES003", 'get_env("SENDER") has no default'),
    ('run_cmd("echo", "*")', "", "SES003", "run_cmd(...) is a function sesguard does not evaluate"),
    ("get_aws_account_id()", "", "SES003", "get_aws_account_id(...) is a function sesguard does not evaluate"),
    ("dependency.accounts.outputs.sender", 'dependency "accounts" {\n  config_path = "../accounts"\n}\n',
     "SES003", "dependency.accounts.outputs.sender is an output of another unit"),
    ("local.everyone", 'locals {\n  everyone = read_terragrunt_config("../common.hcl").locals.who\n}\n',
     "SES101", "lets anyone send"),
    ('"${get_terragrunt_dir()}" == "" ? "x" : "*"', "", "SES101", "lets anyone send"),
])
def test_terragrunt_functions(tmp_path, monkeypatch, principal, extra, rule, words):
    live = _unit(tmp_path, principal, extra)
    (live / "common.hcl").write_text('locals {\n  who = "*"\n}\n')
    monkeypatch.setenv("SENDER", "arn:aws:iam::111122223333:root")
    monkeypatch.chdir(live)
    _, report = _scan(".", "--trusted-account", TRUSTED)
    assert [(f["rule_id"], f["file"], f["line"]) for f in report["findings"]] == [
        (rule, "../modules/ses/main.tf", 21)]
    assert words in report["findings"][0]["message"]


@pytest.mark.parametrize("strategy,rule", [
    ("shallow", "SES101"),  # the parent's "*", which the unit does not override
    ("deep", "SES101"),
    ("no_merge", "SES003"),  # the parent's inputs are not used: sender_principals has no value
])
def test_merge_strategies(tmp_path, monkeypatch, strategy, rule):
    (tmp_path / ".git").mkdir()
    (tmp_path / "modules" / "ses").mkdir(parents=True)
    (tmp_path / "modules" / "ses" / "main.tf").write_text(MODULE)
    (tmp_path / "live" / "app").mkdir(parents=True)
    (tmp_path / "live" / "terragrunt.hcl").write_text(
        'inputs = {\n  sender_principals = ["*"]\n  domain = "parent.example.com"\n}\n')
    (tmp_path / "live" / "app" / "terragrunt.hcl").write_text(
        f'include "root" {{\n  path = find_in_parent_folders()\n  merge_strategy = "{strategy}"\n}}\n'
        'terraform {\n  source = "../../modules/ses"\n}\ninputs = {\n  domain = "app.example.com"\n}\n')
    monkeypatch.chdir(tmp_path / "live")
    _, report = _scan(".", "--trusted-account", TRUSTED)
    assert [(f["rule_id"], f["file"], f["line"]) for f in report["findings"]] == [(rule, "../modules/ses/main.tf", 21)]
    assert report["findings"][0]["message"].startswith("app.example.com")


@pytest.mark.parametrize("strategy,rules", [
    ("shallow", []),  # the unit's list replaces the parent's "*"
    ("deep", ["SES101"]),  # the lists are concatenated: "*" stays
])
def test_a_list_input_is_replaced_or_concatenated(tmp_path, monkeypatch, strategy, rules):
    live = _unit(tmp_path, '"arn:aws:iam::111122223333:root"',
                 f'include "root" {{\n  path = find_in_parent_folders()\n  merge_strategy = "{strategy}"\n}}\n',
                 parent='inputs = {\n  sender_principals = ["*"]\n}\n')
    monkeypatch.chdir(live)
    _, report = _scan(".", "--trusted-account", TRUSTED)
    assert [f["rule_id"] for f in report["findings"]] == rules


@pytest.mark.parametrize("parent", [
    'get_env("SENDERS_OPEN") == "yes" ? ["*"] : ["arn:aws:iam::111122223333:root"]',  # one of two lists
    'jsondecode(get_env("SENDERS_JSON"))',  # any value at all
])
def test_a_deep_merge_with_an_unknown_side_is_unknown(tmp_path, monkeypatch, parent):
    """The unit's list is appended to the parent's, which is not known: the
    merged list is not the unit's list, and may hold "*"."""
    live = _unit(tmp_path, '"arn:aws:iam::111122223333:root"',
                 'include "root" {\n  path = find_in_parent_folders()\n  merge_strategy = "deep"\n}\n',
                 parent=f'inputs = {{\n  sender_principals = {parent}\n}}\n')
    monkeypatch.chdir(live)
    _, report = _scan(".", "--trusted-account", TRUSTED)
    assert [(f["rule_id"], f["file"], f["line"]) for f in report["findings"]] == [
        ("SES003", "../modules/ses/main.tf", 21)]


def test_a_unit_without_source_deploys_its_own_directory(tmp_path, monkeypatch):
    (tmp_path / ".git").mkdir()
    unit = tmp_path / "app"
    unit.mkdir()
    (unit / "main.tf").write_text(MODULE)
    (unit / "terragrunt.hcl").write_text('inputs = {\n  domain = "own.example.com"\n  sender_principals = ["*"]\n}\n')
    monkeypatch.chdir(tmp_path)
    _, report = _scan(".")
    assert _rows(report["findings"]) == [
        ("SES101", "app/main.tf", 21, "app",
         [("app/terragrunt.hcl", 3, "terragrunt input sender_principals")])]


def test_an_include_with_no_parent_to_find_is_reported_at_its_path(tmp_path, monkeypatch):
    live = _unit(tmp_path, '"*"', 'include "root" {\n  path = find_in_parent_folders("root.hcl")\n}\n')
    monkeypatch.chdir(live)
    _, report = _scan(".")
    assert [(f["rule_id"], f["file"], f["line"]) for f in report["findings"]] == [
        ("SES001", "app/terragrunt.hcl", 2)]
    assert "find_in_parent_folders: no root.hcl in a parent folder of app inside the repository" in \
        report["findings"][0]["message"]


def test_the_terragrunt_cache_is_not_scanned(tmp_path, monkeypatch):
    """.terragrunt-cache holds Terragrunt's copies of the modules: scanning them would report every
    finding again, with the module's defaults."""
    live = _unit(tmp_path, '"arn:aws:iam::111122223333:root"')
    cache = live / "app" / ".terragrunt-cache" / "x" / "y"
    cache.mkdir(parents=True)
    (cache / "main.tf").write_text(MODULE)
    (cache / "terragrunt.hcl").write_text('inputs = {\n  domain = "cache.example.com"\n  sender_principals = ["*"]\n}\n')
    monkeypatch.chdir(live)
    _, report = _scan(".", "--trusted-account", TRUSTED)
    assert report["findings"] == []
    assert report["summary"]["files"] == 2  # the unit's terragrunt.hcl and the module's main.tf


@pytest.mark.parametrize("expose,rule,words", [
    ("true", "SES101", "lets anyone send"),
    ("false", "SES001", "include.root can only be referenced when its include block says expose = true"),
])
def test_an_exposed_include_gives_the_parent_locals(tmp_path, monkeypatch, expose, rule, words):
    live = _unit(tmp_path, "include.root.locals.who",
                 f'include "root" {{\n  path = find_in_parent_folders()\n  expose = {expose}\n}}\n',
                 parent='locals {\n  who = "*"\n}\n')
    monkeypatch.chdir(live)
    _, report = _scan(".")
    assert [f["rule_id"] for f in report["findings"]] == [rule]
    assert words in report["findings"][0]["message"]


def test_a_terragrunt_file_named_on_the_command_line_is_its_unit(monkeypatch):
    monkeypatch.chdir(TERRAGRUNT / "envs" / "live" / "dev")
    _, report = _scan("terragrunt.hcl", "--trusted-account", TRUSTED)
    assert [(f["rule_id"], f["file"], f["line"], f["deployment"]) for f in report["findings"]] == [
        ("SES101", "../../modules/ses/main.tf", 21, ".")]


def test_an_include_outside_the_repository_is_not_read(tmp_path, monkeypatch):
    repository = tmp_path / "repo"
    repository.mkdir()
    (tmp_path / "terragrunt.hcl").write_text('inputs = {\n  sender_principals = ["*"]\n}\n')
    (repository / "live" / "missing").mkdir(parents=True)
    (repository / "live" / "missing" / "terragrunt.hcl").write_text('include {\n  path = "../nowhere.hcl"\n}\n')
    live = _unit(repository, '"arn:aws:iam::111122223333:root"',
                 'include "root" {\n  path = "../../../terragrunt.hcl"\n}\n')
    monkeypatch.chdir(live)
    _, report = _scan(".", "--trusted-account", TRUSTED)
    assert [(f["rule_id"], f["file"], f["line"], f["message"]) for f in report["findings"]] == [
        ("SES001", "app/terragrunt.hcl", 2, "app/terragrunt.hcl: ../../terragrunt.hcl is outside the repository, "
                                            "which sesguard never reads outside of"),
        ("SES001", "missing/terragrunt.hcl", 2, "missing/terragrunt.hcl: nowhere.hcl: cannot read the file: "
                                                "No such file or directory")]


def test_a_configuration_over_the_size_limit_is_reported_and_the_other_units_scanned(tmp_path, monkeypatch):
    live = _unit(tmp_path, '"*"')
    (live / "big").mkdir()
    (live / "big" / "terragrunt.hcl").write_text("# padding\n" * 300)
    monkeypatch.chdir(live)
    _, report = _scan(".", "--max-file-size", "1K")
    assert [(f["rule_id"], f["file"], f["line"]) for f in report["findings"]] == [
        ("SES101", "../modules/ses/main.tf", 21), ("SES001", "big/terragrunt.hcl", 0)]
    assert report["findings"][1]["message"] == ("big/terragrunt.hcl: file is larger than 1 KB, the --max-file-size "
                                                "limit; not analyzed")


def test_the_readme_names_every_terragrunt_function_evaluated():
    from analyzer.terragrunt.config import FUNCTIONS
    from conftest import REPO

    readme = (REPO / "README.md").read_text(encoding="utf-8")
    assert [name for name in FUNCTIONS if f"`{name}(" not in readme] == []

"""Deployments and provenance (#11): each finding belongs to one deployment,
says where its value came from, is reported where the repository can show
it, and counts as changed when anything it depends on changed.

The fixtures live in ``fixtures/deployments/``; their expectations are here
because they are about deployments and traces, which the inline
``# expect:`` notation of the rule fixtures does not carry."""

import json
import os

import pytest
from click.testing import CliRunner

from analyzer.cli import main
from analyzer.engine import ScanOptions, scan
from conftest import FIXTURES, REPO

DEPLOYMENTS = FIXTURES / "deployments"
TRUSTED = ("111122223333",)


def _json(*args):
    result = CliRunner().invoke(main, ["scan", *args, "--dns", "off", "--no-cache", "--format", "json"],
                                catch_exceptions=False)
    return json.loads(result.output)["findings"]


def _rows(findings):
    return [(f["rule_id"], f["file"], f["line"], f["deployment"],
             [(s["file"], s["line"], s["what"]) for s in f["trace"]], f["suppressed"]) for f in findings]


def test_two_roots_calling_one_module_keep_their_own_identities(monkeypatch):
    """envs/dev opens the module's policy to "*" in its tfvars, envs/prod grants a trusted account:
    the finding is dev's, names dev's identity, and leads back to dev's tfvars line."""
    monkeypatch.chdir(DEPLOYMENTS / "envs")
    findings = _json(".", "--trusted-account", TRUSTED[0])
    assert _rows(findings) == [
        ("SES101", "modules/ses/main.tf", 21, "envs/dev",
         [("envs/dev/terraform.tfvars", 2, "value written"),
          ("envs/dev/main.tf", 8, "module.ses argument senders")], False)]
    assert findings[0]["message"].startswith("dev.example.com (module.ses.aws_ses_identity_policy.this)")


def test_the_trace_in_text(monkeypatch):
    monkeypatch.chdir(DEPLOYMENTS / "envs")
    result = CliRunner().invoke(main, ["scan", ".", "--dns", "off", "--no-cache", "--trusted-account", TRUSTED[0]])
    assert ("      via envs/dev/terraform.tfvars:2 → module.ses argument senders (envs/dev/main.tf:8)\n"
            in result.output)


def test_values_written_on_one_line_are_one_step_of_the_trace(monkeypatch):
    # two principals in one flow list: the report shows a step by its line, so they are one step, not "22 -> 22"
    monkeypatch.chdir(FIXTURES / "SES102" / "deny_bool_aws_principals_cfn_yaml")
    [finding] = scan(ScanOptions(paths=["."], dns="off")).findings
    assert [(step.line, step.column, step.what) for step in finding.trace] == [(22, 21, "value written")]


@pytest.mark.parametrize("changed,expected", [
    ("envs/dev/terraform.tfvars", ["envs/dev"]),  # the variable file that opens it
    ("envs/dev/main.tf", ["envs/dev"]),  # the module call that passes it
    ("modules/ses/main.tf", ["envs/dev"]),  # the module it is in
    ("envs/prod/terraform.tfvars", []),  # another deployment's input
    ("envs/prod/main.tf", []),
])
def test_changed_only_counts_what_a_finding_depends_on(monkeypatch, changed, expected):
    monkeypatch.chdir(DEPLOYMENTS / "envs")
    findings = _json("--changed-only", changed, "--trusted-account", TRUSTED[0])
    assert [f["deployment"] for f in findings] == expected


@pytest.mark.parametrize("listed,expected", [
    ("envs/dev/terraform.tfvars\n", ["envs/dev"]),
    ("envs/prod/main.tf\0envs/prod/terraform.tfvars\0", []),  # NUL-separated, as the Action writes it
    ("modules/ses/deny.tf\n", ["envs/dev"]),  # a file removed from the module changes what the module means
    ("modules/ses/README.md\n", ["envs/dev"]),
    ("envs/dev/policy.json\n", []),  # a document is itself, not its directory
    ("", []),  # the pull request changes nothing scanned
])
def test_changed_files_are_judged_as_changed_only_judges_them(monkeypatch, tmp_path, listed, expected):
    """--changed-files (a pull request's files, relative to the repository root) scans PATHS as given."""
    monkeypatch.chdir(DEPLOYMENTS / "envs")
    (tmp_path / "changed").write_text(listed, encoding="utf-8")
    everything = _json(".", "--root", ".", "--trusted-account", TRUSTED[0])
    assert [f["deployment"] for f in everything] == ["envs/dev"]
    findings = _json(".", "--root", ".", "--changed-files", str(tmp_path / "changed"), "--trusted-account",
                     TRUSTED[0])
    assert [f["deployment"] for f in findings] == expected


def test_changed_files_are_relative_to_the_repository_root(monkeypatch, tmp_path):
    monkeypatch.chdir(DEPLOYMENTS / "envs" / "envs")
    listed = os.path.relpath(DEPLOYMENTS / "envs" / "envs" / "dev" / "terraform.tfvars", REPO)  # as git lists it
    result = CliRunner().invoke(main, ["scan", "..", "--changed-files", "-", "--dns", "off", "--no-cache",
                                       "--format", "json", "--trusted-account", TRUSTED[0]],
                                input=f"{listed}\n", catch_exceptions=False)
    assert [(f["rule_id"], f["file"]) for f in json.loads(result.output)["findings"]] == [
        ("SES101", "../modules/ses/main.tf")]  # reported as ever, relative to the working directory


def test_changed_files_and_changed_only_are_exclusive(tmp_path):
    (tmp_path / "changed").write_text("main.tf\n", encoding="utf-8")
    result = CliRunner().invoke(main, ["scan", "--changed-only", "main.tf", "--changed-files",
                                       str(tmp_path / "changed")])
    assert result.exit_code == 2
    assert "--changed-only and --changed-files are two ways to say what changed: give one" in result.output


@pytest.mark.parametrize("changed,expected", [
    ("main.tf", ["policies/open.json", "policies/send.json.tftpl"]),  # declares both policies
    ("policies/send.json.tftpl", ["policies/open.json", "policies/send.json.tftpl"]),  # a file its module reads
    ("policies/open.json", ["policies/open.json"]),
])
def test_changed_only_counts_the_file_that_declares_a_policy_read_from_another(monkeypatch, changed, expected):
    monkeypatch.chdir(DEPLOYMENTS / "templated")
    findings = _json("--changed-only", changed)
    assert [(f["rule_id"], f["file"]) for f in findings] == [("SES101", file) for file in expected]


def test_blocks_over_an_unknown_for_each_are_judged_and_marked_conditional(monkeypatch):
    """A policy document with its own for_each, looked up with [each.key], and DKIM records over a
    for_each without a value: evaluated once with the unknown key, judged, and marked conditional."""
    monkeypatch.chdir(DEPLOYMENTS / "unknown_for_each")
    result = CliRunner().invoke(main, ["scan", ".", "--no-cache", "--format", "json"], catch_exceptions=False)
    rows = [(f["rule_id"], f["line"], f["active"], f["conditional"]) for f in json.loads(result.output)["findings"]]
    depends = "which instances exist depends on its for_each, which is not known: var.{0} has no value; " \
              "pass --var {0}=... or a --var-file"
    assert rows == [("SES211", 18, True, ""),  # tokens 2 and 3 have no record; token 1's is judged below
                    ("SES222", 18, True, ""), ("SES230", 18, True, ""),
                    ("SES101", 29, True, depends.format("senders")),
                    ("SES212", 47, True, depends.format("records"))]


def test_a_resource_whose_condition_is_not_known_is_judged_and_marked_conditional(monkeypatch):
    """CloudFormation's counterpart of an unknown count: a resource whose Condition depends on a
    parameter without a value is judged, its findings marked conditional on the Condition; so is a
    policy declared through an Fn::If on such a condition whose other branch is AWS::NoValue (IAM
    resources, a custom resource's identity policy, a SAM function's Policies)."""
    monkeypatch.chdir(DEPLOYMENTS / "unknown_condition_cfn")
    result = CliRunner().invoke(main, ["scan", ".", "--no-cache", "--dns", "off", "--format", "json"],
                                catch_exceptions=False)
    rows = [(f["rule_id"], f["file"], f["line"], f["active"], f["conditional"])
            for f in json.loads(result.output)["findings"]]
    unknown = ("which is not known: parameter {0} has no value; pass --cfn-parameter {0}=... "
               "or give it a Default")
    declared = "its {1} is declared only if an Fn::If condition holds, " + unknown
    assert rows == [
        ("SES110", "sam.yaml", 22, True, declared.format("SendMail", "policy")),  # a SAM function's Policies item
        ("SES110", "sam.yaml", 33, True, declared.format("SendMail", "Policies property")),
        ("SES101", "template.yaml", 33, True,
         "whether it exists depends on its Condition CreatePolicy, " + unknown.format("EnablePolicy")),
        ("SES111", "template.yaml", 52, True, ""),  # IsProd is true with Stage's default
        ("SES110", "template.yaml", 66, True, declared.format("EnablePolicy", "Policies property")),
        ("SES110", "template.yaml", 90, True, declared.format("EnablePolicy", "policy")),  # one item of Policies
        ("SES101", "template.yaml", 104, True, declared.format("EnablePolicy", "PolicyDocument"))]


def test_values_interpolated_into_heredocs_and_templates_keep_their_trace(monkeypatch):
    """A policy written as JSON text (a heredoc, a template file) is decoded after the values are
    interpolated: each JSON string remembers what was interpolated where it lies."""
    monkeypatch.chdir(DEPLOYMENTS / "template_traces")
    given = [("terraform.tfvars", 1, "value written"), ("main.tf", 10, "module.ses argument sender")]
    assert _rows(_json(".")) == [
        ("SES101", "ses/main.tf", 16, ".", given, False),
        ("SES101", "ses/send.json.tftpl", 4, ".", given + [("ses/main.tf", 27, "templatefile() variable principal")],
         False)]


def test_a_send_grant_in_a_policy_module_leads_back_to_the_action_its_caller_passes(monkeypatch):
    monkeypatch.chdir(FIXTURES / "SES110" / "iam_only_terraform")
    assert _rows(_json(".")) == [
        ("SES110", "main.tf", 6, ".", [], False),
        ("SES110", "modules/policy/main.tf", 7, ".", [("main.tf", 20, "module.mailer argument actions")], False)]


def test_a_finding_in_a_downloaded_module_is_reported_at_its_call(monkeypatch):
    """terraform init put the registry module under .terraform/modules: the finding points at the
    module block in the repository, the line inside the module is its trace's last step, and a
    suppression on the module block applies."""
    monkeypatch.chdir(DEPLOYMENTS / "registry")
    assert _rows(_json(".")) == [
        ("SES101", "app/main.tf", 2, "app", [("app/.terraform/modules/ses/main.tf", 16, "inside the downloaded module")],
         False),
        ("SES101", "suppressed/main.tf", 2, "suppressed",
         [("suppressed/.terraform/modules/ses/main.tf", 16, "inside the downloaded module")], True)]


def _findings_in(root, directory):
    """(file, rule, line, active, deployment, message) of the findings on files inside ``directory``
    when ``root`` is scanned; paths relative to the current directory."""
    report = scan(ScanOptions(paths=[root]))
    inside = os.path.normpath(directory) + os.sep
    return sorted((f.file, f.rule_id, f.location.line, f.active, f.deployment, f.message)
                  for f in report.findings if os.path.normpath(f.file).startswith(inside))


# Directories whose modules are not all inside them, so the property does not apply.
NOT_CLOSED = {
    "examples/modules",  # the bundled example's module, which examples/main.tf calls
}


def _cases():
    return sorted(p.relative_to(FIXTURES).as_posix() for p in FIXTURES.glob("*/*") if p.is_dir()
                  and p.parent.name not in ("repository-expected",))


def test_every_fixture_gives_its_files_the_same_findings_alone_and_in_the_whole_tree(monkeypatch):
    """For a directory D whose modules are inside D, the findings on files in D are the same whether
    the scan root is D or the repository (here: fixtures/)."""
    monkeypatch.chdir(FIXTURES)
    whole = scan(ScanOptions(paths=["."]))
    differ = []
    for case in _cases():
        if case in NOT_CLOSED:
            continue
        inside = os.path.normpath(case) + os.sep
        mine = sorted((f.file, f.rule_id, f.location.line, f.active, f.deployment, f.message)
                      for f in whole.findings if os.path.normpath(f.file).startswith(inside))
        if mine != _findings_in(case, case):
            differ.append(case)
    assert differ == []


@pytest.mark.parametrize("part,compared", [("ses-public", 43), ("perf-cfn", 42), ("perf", 127)])
def test_every_corpus_directory_gives_the_same_findings_alone(corpus, monkeypatch, part, compared):
    """Every directory, nested ones included. A directory whose modules are outside it is left
    out: scanned alone, its module calls leave the repository, which sesguard never reads
    outside of, and it says so (SES001) instead of analyzing them."""
    monkeypatch.chdir(corpus / part)
    whole = scan(ScanOptions(paths=["."]))
    checked = 0
    for directory in sorted({os.path.relpath(d) for d, _, _ in os.walk(".")} - {"."}):
        inside = directory + os.sep
        alone = scan(ScanOptions(paths=[directory]))
        if any("outside the repository" in f.message for f in alone.findings):
            continue
        mine = sorted((f.file, f.rule_id, f.location.line, f.active, f.deployment, f.message)
                      for f in whole.findings if os.path.normpath(f.file).startswith(inside))
        assert mine == sorted((f.file, f.rule_id, f.location.line, f.active, f.deployment, f.message)
                              for f in alone.findings if os.path.normpath(f.file).startswith(inside)), directory
        checked += 1
    assert checked == compared  # the corpus is never edited: fewer would mean more directories reach outside


def test_a_scanned_directory_reaches_the_modules_of_its_repository(tmp_path, monkeypatch):
    """``sesguard scan envs/dev`` follows ../../modules/ses: the repository (here: where .git is) is the
    boundary, not the scanned path, and the findings are those of the deployment rooted in envs/dev."""
    import shutil

    repository = tmp_path / "repo"
    shutil.copytree(DEPLOYMENTS / "envs", repository)
    (repository / ".git").mkdir()
    monkeypatch.chdir(repository / "envs" / "dev")
    result = CliRunner().invoke(main, ["scan", ".", "--dns", "off", "--no-cache", "--format", "json"])
    assert result.exit_code == 1
    assert _rows(json.loads(result.output)["findings"]) == [
        ("SES101", "../../modules/ses/main.tf", 21, ".",
         [("terraform.tfvars", 2, "value written"), ("main.tf", 8, "module.ses argument senders")], False)]


def test_a_module_outside_the_repository_is_not_analyzed_and_fails_the_run(tmp_path, monkeypatch):
    import shutil

    shutil.copytree(DEPLOYMENTS / "envs", tmp_path / "envs")
    (tmp_path / "envs" / "envs" / "dev" / ".git").mkdir()  # the repository is envs/dev alone
    monkeypatch.chdir(tmp_path / "envs" / "envs" / "dev")
    result = CliRunner().invoke(main, ["scan", ".", "--dns", "off", "--no-cache", "--format", "json"])
    assert result.exit_code == 1
    findings = json.loads(result.output)["findings"]
    assert [(f["rule_id"], f["file"], f["line"], f["message"]) for f in findings] == [
        ("SES001", "main.tf", 5, "main.tf: module.ses: its source ../../modules/ses is outside the repository, "
                                 "which sesguard never reads outside of; scan from a repository that holds both, "
                                 "or give --root")]


@pytest.mark.parametrize("params,line", [
    ('{\n  "Sender": "*"\n}\n', 2),
    ('[\n  {"ParameterKey": "Sender",\n   "ParameterValue": "*"}\n]\n', 3),
    ('{"Parameters": {\n  "Sender": "*"}}\n', 2),
])
def test_a_value_from_a_parameters_file_is_traced_to_it(tmp_path, monkeypatch, params, line):
    template = (FIXTURES / "SES101" / "inactive_cfn_yaml" / "template.yaml").read_text(encoding="utf-8")
    template = template.replace('Parameters:\n', 'Parameters:\n  Sender:\n    Type: String\n', 1).replace(
        'AWS: ["*"]', "AWS: !Ref Sender").replace("    Condition: CreatePolicy\n", "")
    (tmp_path / "template.yaml").write_text(template, encoding="utf-8")
    (tmp_path / "params.json").write_text(params, encoding="utf-8")
    monkeypatch.chdir(tmp_path)
    [finding] = _json(".", "--cfn-parameters", "params.json")
    assert (finding["rule_id"], finding["file"], finding["line"]) == ("SES101", "template.yaml", 26)
    assert [(s["file"], s["line"], s["what"]) for s in finding["trace"]] == [("params.json", line, "value written")]


def test_a_changed_parameter_file_counts_for_the_templates_it_gives_values_to(tmp_path, monkeypatch):
    """--changed-only with the --cfn-parameters file that switches a policy on reports that policy."""
    import shutil

    shutil.copy(FIXTURES / "SES101" / "inactive_cfn_yaml" / "template.yaml", tmp_path / "template.yaml")
    (tmp_path / "params.json").write_text('{"EnablePolicy": "true"}', encoding="utf-8")
    (tmp_path / "other.json").write_text("{}", encoding="utf-8")
    monkeypatch.chdir(tmp_path)
    args = ["scan", "--changed-only", "--dns", "off", "--no-cache", "--format", "json",
            "--cfn-parameters", "params.json"]
    changed = CliRunner().invoke(main, args + ["params.json"], catch_exceptions=False)
    assert [(f["rule_id"], f["active"]) for f in json.loads(changed.output)["findings"]] == [("SES101", True)]
    unrelated = CliRunner().invoke(main, args + ["other.json"], catch_exceptions=False)
    assert json.loads(unrelated.output)["findings"] == []

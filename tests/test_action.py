"""The GitHub Action: its inputs as arguments, and its Scan step run for
real under bash (the installation step needs the network; the step here
uses this checkout's environment as the Action's virtual environment)."""

import os
import pathlib
import shutil
import subprocess
import sys

import pytest
import yaml

from analyzer.action import InputError, arguments
from conftest import FIXTURES, REPO

ACTION = yaml.safe_load((REPO / "action.yml").read_text(encoding="utf-8"))


def env(**inputs):
    return {f"SESGUARD_{k.upper()}": v for k, v in inputs.items()}


@pytest.mark.parametrize("inputs, expected", [
    ({}, [".", "--fail-on", "low"]),
    ({"paths": "infra\nstacks/prod\n\n"}, ["infra", "stacks/prod", "--fail-on", "low"]),
    ({"paths": "[infra, 'dir with space']"}, ["infra", "dir with space", "--fail-on", "low"]),
    ({"paths": "dir with space"}, ["dir with space", "--fail-on", "low"]),  # not split on spaces
    ({"trusted_accounts": "111122223333, 444455556666\n777788889999", "fail_on": "high"},
     [".", "--fail-on", "high", "--trusted-account", "111122223333", "--trusted-account", "444455556666",
      "--trusted-account", "777788889999"]),
    ({"var_files": "envs/prod/prod.tfvars\nshared.tfvars", "baseline": "b.json", "config": "c.yml"},
     [".", "--fail-on", "low", "--config", "c.yml", "--baseline", "b.json", "--var-file", "envs/prod/prod.tfvars",
      "--var-file", "shared.tfvars"]),
    ({"dns": "off", "exit_zero": "true", "args": "--var 'name=a b' --include-inactive"},
     [".", "--fail-on", "low", "--dns", "off", "--exit-zero", "--var", "name=a b", "--include-inactive"]),
    ({"changed_only": " True "}, [".", "--fail-on", "low"]),  # the step itself lists the pull request's files
])
def test_inputs_become_arguments(inputs, expected):
    assert arguments(env(**inputs)) == expected


@pytest.mark.parametrize("inputs, message", [
    ({"exit_zero": "yes please"}, "input exit-zero: 'yes please' is not true or false"),
    ({"changed_only": "on a pull request"}, "input changed-only: 'on a pull request' is not true or false"),
    ({"paths": "[a, {b: c}]"}, "input paths: a YAML list must hold only strings"),
    ({"paths": "[a"}, "input paths: not a YAML list"),
    ({"args": "--var 'unclosed"}, "input args: No closing quotation"),
])
def test_bad_inputs_are_errors(inputs, message):
    with pytest.raises(InputError, match=message.replace("[", r"\[").replace("{", r"\{")):
        arguments(env(**inputs))


def test_every_input_is_passed_to_the_scan_step():
    step = next(s for s in ACTION["runs"]["steps"] if s.get("id") == "scan")
    for name in ACTION["inputs"]:
        if name not in ("upload-sarif", "summary", "comment", "github-token"):  # the steps after it read those
            assert step["env"][f"SESGUARD_{name.upper().replace('-', '_')}"] == "${{ inputs.%s }}" % name
    assert step["env"]["SESGUARD_MARKDOWN"] == "${{ inputs.summary == 'true' || inputs.comment == 'true' }}"
    assert {"exit-zero", "baseline", "trusted-accounts", "var-files", "dns", "args"} <= set(ACTION["inputs"])


def test_the_action_installs_into_its_own_pinned_environment():
    install = next(s for s in ACTION["runs"]["steps"] if s.get("name") == "Install sesguard")["run"]
    assert '-m venv "$venv"' in install and "--no-deps" in install and "requirements.txt" in install
    pins = [line for line in (REPO / "action" / "requirements.txt").read_text().splitlines()
            if line and not line.startswith("#")]
    assert pins and all("==" in line for line in pins)
    assert {line.split("==")[0].lower() for line in pins} >= {"python-hcl2", "click", "dnspython", "pyyaml", "regex"}


# What the runner gives the Scan step's expressions that are not a single input.
EXPRESSIONS = {"SESGUARD_MARKDOWN": "false", "SESGUARD_LINK_BASE": "https://github.com/o/r/blob/abc123"}


def run_scan_step(tmp_path, workspace, expressions=(), **inputs):
    step = next(s for s in ACTION["runs"]["steps"] if s.get("id") == "scan")
    environment = {k: v for k, v in os.environ.items() if not k.startswith("SESGUARD_")}
    for key, value in step["env"].items():
        if key in EXPRESSIONS:
            environment[key] = dict(EXPRESSIONS, **dict(expressions))[key]
            continue
        name = value.split("inputs.")[1].rstrip(" }")
        environment[key] = inputs.get(name.replace("-", "_"), ACTION["inputs"][name].get("default", ""))
    environment.update(SESGUARD_VENV=str(pathlib.Path(sys.executable).parent.parent), GITHUB_OUTPUT=str(
        tmp_path / "output"), SESGUARD_DNS=inputs.get("dns", "off"))
    (tmp_path / "output").write_text("")
    result = subprocess.run(["bash", "-e", "-c", step["run"]], cwd=workspace, env=environment,
                            capture_output=True, text=True, timeout=120)
    outputs = dict(line.split("=", 1) for line in (tmp_path / "output").read_text().splitlines())
    return result, outputs


@pytest.fixture
def workspace(tmp_path):
    root = tmp_path / "workspace"
    (root / ".git").mkdir(parents=True)
    shutil.copytree(FIXTURES / "SES101" / "jsonencode", root / "infra" / "public")
    shutil.copytree(FIXTURES / "SES102" / "account", root / "infra" / "partner")
    return root


def test_findings_are_annotated_once_each_without_an_upload(tmp_path, workspace):
    result, outputs = run_scan_step(tmp_path, workspace, paths="[infra/public, infra/partner]",
                                    upload_sarif="false")
    assert result.returncode == 1, result.stderr
    annotations = [line for line in result.stdout.splitlines() if line.startswith(("::error ", "::warning "))]
    assert [a.split("title=")[1].split("::")[0] for a in annotations] == [
        "SES101 identity-policy-public", "SES102 identity-policy-untrusted-account"]
    assert outputs["exit-code"] == "1" and outputs["uploadable"] == "true"
    assert (workspace / "sesguard.sarif").is_file()


def test_with_an_upload_the_log_gets_text_and_no_annotations(tmp_path, workspace):
    result, outputs = run_scan_step(tmp_path, workspace, paths="infra", exit_zero="true")
    assert result.returncode == 0, result.stderr
    assert "::error" not in result.stdout and "SES101 [critical]" in result.stdout
    assert outputs["uploadable"] == "true" and outputs["report"] == "sesguard.sarif"


def test_a_configuration_error_fails_the_step_with_its_message_and_nothing_to_upload(tmp_path, workspace):
    (workspace / ".sesguard.yml").write_text("disable: [SES999]\n")
    result, outputs = run_scan_step(tmp_path, workspace, paths="infra")
    assert result.returncode == 2
    assert ("::error title=sesguard::sesguard: .sesguard.yml:1: disable: no rule SES999; `sesguard rules` lists "
            "them") in result.stdout
    assert "uploadable" not in outputs and outputs["exit-code"] == "2"


def test_a_bad_input_fails_the_step_with_its_message(tmp_path, workspace):
    result, outputs = run_scan_step(tmp_path, workspace, exit_zero="maybe")
    assert result.returncode == 2
    assert "::error title=sesguard::sesguard: input exit-zero: 'maybe' is not true or false" in result.stdout

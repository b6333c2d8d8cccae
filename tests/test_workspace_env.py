"""Through the command line: ``terraform.workspace`` from ``--workspace``,
``TF_WORKSPACE``, ``.terraform/environment`` or ``default``, and
``TF_VAR_name`` values applied after defaults and before variable files,
unless ``--no-env-vars``."""

import json
import os

import pytest
from click.testing import CliRunner

from analyzer.cli import main

# Open only in the "prod" workspace: the finding says which workspace was evaluated.
BY_WORKSPACE = '''resource "aws_ses_domain_identity" "d" {
  domain = "example.com"
}

resource "aws_ses_identity_policy" "p" {
  identity = aws_ses_domain_identity.d.arn
  name     = "p"
  policy = jsonencode({
    Statement = [{ Effect = "Allow", Action = "ses:SendEmail", Resource = "*",
      Principal = { AWS = terraform.workspace == "prod" ? "*" : "arn:aws:iam::111122223333:root" } }]
  })
}
'''

BY_VARIABLE = '''variable "sender" {
  type    = string
  default = "arn:aws:iam::111122223333:root"
}

variable "senders" {
  type    = list(string)
  default = []
}

resource "aws_ses_domain_identity" "d" {
  domain = "example.com"
}

resource "aws_ses_identity_policy" "p" {
  identity = aws_ses_domain_identity.d.arn
  name     = "p"
  policy = jsonencode({
    Statement = [{ Effect = "Allow", Action = "ses:SendEmail", Resource = "*",
      Principal = { AWS = concat([var.sender], var.senders) } }]
  })
}
'''


@pytest.fixture
def clean_env(monkeypatch):
    for key in list(os.environ):
        if key.startswith("TF_VAR_") or key == "TF_WORKSPACE":
            monkeypatch.delenv(key)
    monkeypatch.setenv("SESGUARD_DNS", "off")
    return monkeypatch


def _scan(tmp_path, *args):
    result = CliRunner().invoke(main, ["scan", str(tmp_path), "--format", "json", "--no-cache",
                                       "--trusted-account", "111122223333", *args])
    assert result.exit_code in (0, 1), result.output
    report = json.loads(result.output)
    return sorted((f["rule_id"], os.path.basename(f["file"]), f["line"]) for f in report["findings"])


def _write(tmp_path, text):
    (tmp_path / "main.tf").write_text(text)


OPEN_BY_WORKSPACE = [("SES101", "main.tf", 10)]


def test_the_workspace_is_default_without_any_setting(tmp_path, clean_env):
    _write(tmp_path, BY_WORKSPACE.replace('"prod"', '"default"'))
    assert _scan(tmp_path) == OPEN_BY_WORKSPACE


def test_the_workspace_option_wins_over_tf_workspace_and_the_recorded_one(tmp_path, clean_env):
    _write(tmp_path, BY_WORKSPACE)
    (tmp_path / ".terraform").mkdir()
    (tmp_path / ".terraform" / "environment").write_text("staging")
    clean_env.setenv("TF_WORKSPACE", "staging")
    assert _scan(tmp_path, "--workspace", "prod") == OPEN_BY_WORKSPACE
    assert _scan(tmp_path) == []


def test_tf_workspace_wins_over_the_recorded_workspace(tmp_path, clean_env):
    _write(tmp_path, BY_WORKSPACE)
    (tmp_path / ".terraform").mkdir()
    (tmp_path / ".terraform" / "environment").write_text("staging")
    clean_env.setenv("TF_WORKSPACE", "prod")
    assert _scan(tmp_path) == OPEN_BY_WORKSPACE
    assert _scan(tmp_path, "--no-env-vars") == []


def test_the_recorded_workspace_of_the_root_module_is_used(tmp_path, clean_env):
    _write(tmp_path, BY_WORKSPACE)
    (tmp_path / ".terraform").mkdir()
    (tmp_path / ".terraform" / "environment").write_text("prod\n")
    assert _scan(tmp_path) == OPEN_BY_WORKSPACE


def test_modules_see_the_workspace_of_their_root(tmp_path, clean_env):
    (tmp_path / "modules" / "mail").mkdir(parents=True)
    (tmp_path / "modules" / "mail" / "main.tf").write_text(BY_WORKSPACE)
    (tmp_path / "main.tf").write_text('module "mail" {\n  source = "./modules/mail"\n}\n')
    assert _scan(tmp_path, "--workspace", "prod") == OPEN_BY_WORKSPACE
    assert _scan(tmp_path, "--workspace", "dev") == []


def test_a_recorded_workspace_outside_the_boundary_is_not_read_and_is_unknown(tmp_path, clean_env):
    root = tmp_path / "root"
    root.mkdir()
    _write(root, BY_WORKSPACE)
    (tmp_path / "environment").write_text("prod")
    (root / ".terraform").mkdir()
    os.symlink(tmp_path / "environment", root / ".terraform" / "environment")
    assert _scan(root) == [("SES001", "environment", 0), ("SES003", "main.tf", 10)]


def test_tf_var_values_come_after_defaults_and_before_variable_files(tmp_path, clean_env):
    _write(tmp_path, BY_VARIABLE)
    assert _scan(tmp_path) == []
    clean_env.setenv("TF_VAR_sender", "*")
    assert _scan(tmp_path) == [("SES101", "main.tf", 20)]
    (tmp_path / "terraform.tfvars").write_text('sender = "arn:aws:iam::111122223333:root"\n')
    assert _scan(tmp_path) == []


def test_tf_var_values_of_other_types_are_hcl_and_undeclared_ones_are_ignored(tmp_path, clean_env):
    _write(tmp_path, BY_VARIABLE)
    clean_env.setenv("TF_VAR_senders", '["*"]')
    clean_env.setenv("TF_VAR_not_declared", "*")
    assert _scan(tmp_path) == [("SES101", "main.tf", 20)]


def test_no_env_vars_ignores_tf_var_values(tmp_path, clean_env):
    _write(tmp_path, BY_VARIABLE)
    clean_env.setenv("TF_VAR_sender", "*")
    assert _scan(tmp_path, "--no-env-vars") == []


def test_a_tf_var_value_that_is_not_valid_for_its_type_is_reported_without_its_text(tmp_path, clean_env):
    _write(tmp_path, BY_VARIABLE)
    clean_env.setenv("TF_VAR_senders", "[secret")
    result = CliRunner().invoke(main, ["scan", str(tmp_path), "--no-cache"])
    assert "the environment variable TF_VAR_senders is not a valid value for var.senders" in result.output
    assert "[secret" not in result.output


IAM_BY_VARIABLE = '''variable "actions" {
  type    = list(string)
  default = ["s3:GetObject"]
}

resource "aws_iam_role_policy" "app" {
  role = "app"
  policy = jsonencode({
    Statement = [{ Effect = "Allow", Action = var.actions, Resource = "*" }]
  })
}
'''


def test_a_tf_var_value_granting_a_send_action_keeps_its_iam_module_from_the_pre_filter(tmp_path, clean_env):
    _write(tmp_path, IAM_BY_VARIABLE)
    assert _scan(tmp_path) == []
    clean_env.setenv("TF_VAR_actions", '["ses:SendRawEmail"]')
    assert _scan(tmp_path) == [("SES110", "main.tf", 9)]


def test_fix_sees_the_same_environment_as_scan(tmp_path, clean_env):
    _write(tmp_path, BY_VARIABLE)
    clean_env.setenv("TF_VAR_sender", "*")
    clean_env.chdir(tmp_path)
    runner = CliRunner()
    assert runner.invoke(main, ["fix", ".", "--rule", "SES101"]).exit_code == 1  # something to fix
    assert runner.invoke(main, ["fix", ".", "--rule", "SES101", "--no-env-vars"]).exit_code == 0

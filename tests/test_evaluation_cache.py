"""The evaluation cache (analyzer.terraform.evaluations): a scan that
reuses evaluated root modules reports byte for byte what a scan without any
cache reports, after every kind of edit, and evaluates only the roots whose
inputs changed."""

import os
import pathlib
import shutil

import pytest

from analyzer.engine import ScanOptions, scan
from analyzer.report import json_format
from analyzer.terraform.loader import TerraformScan

FIXTURES = pathlib.Path(__file__).resolve().parent.parent / "fixtures"


@pytest.fixture
def evaluated(monkeypatch):
    """The root module directories evaluated (not taken from the cache), in order."""
    roots = []
    real = TerraformScan._scan_root

    def counting(self, directory, relevant):
        roots.append(os.path.basename(directory))
        return real(self, directory, relevant)
    monkeypatch.setattr(TerraformScan, "_scan_root", counting)
    return roots


def _report(path, cache=None, **options) -> str:
    return json_format.render(scan(ScanOptions(paths=[str(path)], cache=cache, **options)))


def _layout(tmp_path: pathlib.Path) -> pathlib.Path:
    """envs/dev and envs/prod calling modules/ses, with tfvars, and a root reading a template."""
    root = tmp_path / "repo"
    shutil.copytree(FIXTURES / "deployments" / "envs", root)
    shutil.copytree(FIXTURES / "SES101" / "templatefile", root / "templated")
    (root / ".git").mkdir()
    return root


def _edits(root: pathlib.Path):
    """``(what, edit, the roots evaluated again)``: each kind of change a re-scan must see."""
    module = root / "modules" / "ses" / "main.tf"
    tfvars = root / "envs" / "prod" / "terraform.tfvars"
    caller = root / "envs" / "dev" / "main.tf"
    template = root / "templated" / "templates" / "policy.json.tpl"
    return [
        ("a module file", lambda: module.write_text(module.read_text().replace('"ses:SendRawEmail"',
                                                                               '"ses:SendRawEmail", "ses:SendEmail"')),
         ["dev", "prod"]),
        ("a tfvars value", lambda: tfvars.write_text('senders = ["*"]\n'), ["prod"]),
        ("a caller's argument", lambda: caller.write_text(caller.read_text().replace("dev.example.com",
                                                                                     "dev2.example.com")), ["dev"]),
        ("a template", lambda: template.write_text(template.read_text().replace("${account}", "111122223333")),
         ["templated"]),
        ("a deleted tfvars file", tfvars.unlink, ["prod"]),
        ("a file added to a module", lambda: (root / "modules" / "ses" / "extra.tf").write_text(
            'resource "aws_ses_email_identity" "extra" {\n  email = "ops@example.com"\n}\n'), ["dev", "prod"]),
        ("a deleted module file", module.unlink, ["dev", "prod"]),
    ]


def test_each_edit_gives_the_report_of_a_scan_without_cache(tmp_path, cache, evaluated, monkeypatch):
    root = _layout(tmp_path)
    monkeypatch.chdir(root)
    first = _report(root, cache)
    assert sorted(evaluated) == ["dev", "prod", "templated"]
    evaluated.clear()
    assert _report(root, cache) == first == _report(root)
    assert sorted(evaluated) == ["dev", "prod", "templated"]  # only by the scan without cache
    for what, edit, again in _edits(root):
        edit()
        evaluated.clear()
        warm = _report(root, cache)
        assert sorted(evaluated) == again, what
        assert warm == _report(root), what


def test_only_the_root_whose_input_changed_is_evaluated_again(tmp_path, cache, evaluated, monkeypatch):
    root = _layout(tmp_path)
    monkeypatch.chdir(root)
    _report(root, cache)
    tfvars = root / "envs" / "prod" / "terraform.tfvars"
    tfvars.write_text('senders = ["*"]\n')
    evaluated.clear()
    report = _report(root, cache)
    assert evaluated == ["prod"]
    assert '"rule_id": "SES101"' in report and report == _report(root)


def test_a_shared_module_edit_evaluates_every_root_that_calls_it(tmp_path, cache, evaluated, monkeypatch):
    root = _layout(tmp_path)
    monkeypatch.chdir(root)
    _report(root, cache)
    module = root / "modules" / "ses" / "main.tf"
    module.write_text(module.read_text() + "\n# edited\n")
    evaluated.clear()
    _report(root, cache)
    assert sorted(evaluated) == ["dev", "prod"]


def test_the_options_the_roots_are_given_are_part_of_the_key(tmp_path, cache, evaluated, monkeypatch):
    from analyzer.terraform.loader import Variables

    root = _layout(tmp_path)
    monkeypatch.chdir(root)
    plain = _report(root, cache)
    evaluated.clear()
    opened = _report(root, cache, variables=Variables(pairs=[("senders", '["*"]')]))
    assert sorted(evaluated) == ["dev", "prod", "templated"]  # a --var is given to every root
    assert opened != plain and opened == _report(root, variables=Variables(pairs=[("senders", '["*"]')]))


def test_a_damaged_entry_is_a_miss(tmp_path, cache, evaluated, monkeypatch):
    root = _layout(tmp_path)
    monkeypatch.chdir(root)
    first = _report(root, cache)
    for entry in pathlib.Path(cache.entries).iterdir():
        if not entry.name.startswith("."):
            entry.write_bytes(entry.read_bytes()[:-7] + b"garbage")
    evaluated.clear()
    assert _report(root, cache) == first
    assert len(evaluated) == 3


@pytest.mark.parametrize("case", ["fixtures", "ses-public"])
def test_a_warm_scan_reports_what_a_cold_one_does(case, cache, corpus, monkeypatch):
    path = FIXTURES if case == "fixtures" else corpus / "ses-public"
    cold = _report(path)
    assert _report(path, cache) == cold
    assert _report(path, cache) == cold


def test_a_scan_from_the_cache_imports_no_parser_evaluator_or_dns_library(tmp_path):
    """Start-up at the floor (#17): what a scan does not need is never imported."""
    import subprocess
    import sys

    program = ("import sys\nfrom analyzer.cli import main\nsys.argv = ['sesguard', 'scan', sys.argv[1], '-o', "
               "'/dev/null', '--cache-dir', sys.argv[2]]\ntry:\n    main()\nexcept SystemExit:\n    pass\n"
               "print(sorted(m for m in ('lark', 'hcl2', 'dns', 'yaml', 'analyzer.terraform.adapter', "
               "'analyzer.terraform.evaluate', 'analyzer.cloudformation.adapter', 'multiprocessing') "
               "if m in sys.modules))")
    target = str(FIXTURES / "deployments" / "envs")
    run = [sys.executable, "-c", program, target, str(tmp_path / "cache")]
    first = subprocess.run(run, capture_output=True, text=True, check=True)
    assert "lark" in first.stdout and "analyzer.terraform.adapter" in first.stdout
    again = subprocess.run(run, capture_output=True, text=True, check=True)
    assert again.stdout.strip() == "[]", again.stdout


def test_the_pre_filter_knows_every_iam_type_the_adapter_reads():
    from analyzer import discover
    from analyzer.terraform.adapter import OTHER_TYPES
    from analyzer.terraform.iam_types import ATTACHMENT_TYPES

    read = ({t for t in OTHER_TYPES if t.startswith("aws_iam_")} | set(ATTACHMENT_TYPES)) - {"aws_iam_role"}
    assert set(discover._IAM_TYPES) == read

"""Walking the scanned paths: symbolic links, skipped directories, the pre-filter's word boundaries."""

import os

from analyzer.discover import discover
from analyzer.engine import ScanOptions, scan

SES = 'resource "aws_ses_domain_identity" "d" {\n  domain = "example.com"\n}\n'


def test_symlink_loop_is_not_followed(tmp_path):
    (tmp_path / "a").mkdir()
    (tmp_path / "a" / "main.tf").write_text(SES)
    os.symlink(tmp_path, tmp_path / "a" / "loop")
    found = discover(str(tmp_path))
    assert list(found.modules) == [str((tmp_path / "a").resolve())]


def test_symlinked_file_outside_the_root_is_reported_not_read(tmp_path, monkeypatch):
    outside = tmp_path / "outside.tf"
    outside.write_text(SES)
    root = tmp_path / "root"
    root.mkdir()
    os.symlink(outside, root / "linked.tf")
    monkeypatch.chdir(root)
    report = scan(ScanOptions(paths=["."]))
    assert [(f.rule_id, f.file) for f in report.findings] == [("SES001", "linked.tf")]
    assert "outside the scanned root" in report.findings[0].message
    assert report.files_parsed == 0


def test_terraform_and_git_directories_are_skipped(tmp_path):
    for skipped in (".terraform/modules/x", ".git/x", "node_modules/x"):
        (tmp_path / skipped).mkdir(parents=True)
        (tmp_path / skipped / "main.tf").write_text(SES)
    assert discover(str(tmp_path)).modules == {}


def test_prefilter_matches_whole_words_only(tmp_path):
    (tmp_path / "a").mkdir()
    (tmp_path / "a" / "main.tf").write_text('locals {\n  x = "not_aws_ses_thing"\n  resource_source = "./b"\n}\n')
    (tmp_path / "b").mkdir()
    (tmp_path / "b" / "main.tf").write_text(SES)
    found = discover(str(tmp_path))
    a = found.modules[str((tmp_path / "a").resolve())]
    assert (a.ses_text, a.local_calls, a.remote_ses_call) == (False, [], False)
    assert found.relevant(str((tmp_path / "b").resolve()))


def test_prefilter_reads_module_sources_in_both_syntaxes(tmp_path):
    (tmp_path / "main.tf").write_text('module "m" {\n  source = "./child"\n}\nmodule "s" {\n'
                                      '  source = "cloudposse/ses/aws"\n}\n')
    (tmp_path / "other.tf.json").write_text('{"module": {"n": {"source": "../elsewhere"}}}')
    module = discover(str(tmp_path)).modules[str(tmp_path.resolve())]
    assert module.local_calls == [str((tmp_path / "child").resolve()), str((tmp_path.parent / "elsewhere").resolve())]
    assert module.remote_ses_call

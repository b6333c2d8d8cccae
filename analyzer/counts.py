"""What a scan read, counted once per file whatever the paths given.

* ``found``: the Terraform files of every module directory discovered (the
  modules reached through calls included) and the YAML, JSON and zone
  files that may be templates, plans or DNS; a file under two given paths
  is one file;
* ``failed``: found files that could not be analyzed (an SES001 problem);
* ``parsed``: Terraform files read and documents loaded, less the failed ones;
* ``skipped``: the others, which the pre-filter showed cannot matter:
  Terraform files of modules without SES (never read), YAML and JSON that
  is no template, plan or DNS configuration;
* so ``found`` is ``parsed + failed + skipped``;
* ``variable_files``: the tfvars some root module used (auto-loaded ones,
  the configuration's ``var_files``, ``--var-file``).
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field

from analyzer.files import read_text


@dataclass
class FileCounts:
    terraform: set = field(default_factory=set)
    terraform_read: set = field(default_factory=set)
    documents: set = field(default_factory=set)
    documents_loaded: int = 0  # templates, plans and DNS files loaded (each discovered once)

    def add(self, discovery, terraform_scan) -> None:
        """One discovered path, after its Terraform modules were loaded."""
        for directory, module in discovery.modules.items():
            files = {os.path.realpath(f) for f in module.files}
            self.terraform |= files
            if directory in terraform_scan.records:
                self.terraform_read |= files
        self.documents |= {os.path.realpath(d) for d in discovery.documents}
        terragrunt = {os.path.realpath(p) for p in discovery.terragrunt}  # every one is read
        self.terraform |= terragrunt
        self.terraform_read |= terragrunt

    def result(self, model, limits, variables) -> dict:
        found = self.terraform | self.documents
        failed = {os.path.realpath(p.file) for p in model.problems if p.file} & found
        # A failed document was loaded unless reading it failed (asked again for these few files only).
        failed_loaded = {path for path in failed & self.documents if read_text(path, limits)[1] is None}
        parsed = len(self.terraform_read - failed) + self.documents_loaded - len(failed_loaded)
        return {"files": len(found), "files_parsed": parsed, "files_failed": len(failed),
                "files_skipped": len(found) - parsed - len(failed),
                "variable_files": len({os.path.realpath(f) for f in variables.applied})}


def describe(report) -> str:
    """The file counts as every report says them."""
    return (f"{report.files} file(s) found, {report.files_parsed} parsed, {report.files_failed} failed, "
            f"{report.files_skipped} skipped by the pre-filter, {report.variable_files} variable file(s)")

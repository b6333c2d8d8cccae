"""What a scan read, counted once per file whatever the paths given.

* ``found``: the Terraform files of every module directory discovered (the
  modules reached through calls included) and the YAML, JSON and zone
  files that may be templates, plans or DNS; a file under two given paths
  is one file;
* ``failed``: found files that could not be analyzed (an SES001 problem);
* ``parsed``: files read and loaded (``Model.files``) less the failed ones;
* ``skipped``: Terraform files of modules the pre-filter showed cannot
  matter, never read;
* ``variable_files``: tfvars the scan reads (auto-loaded ones of the
  modules found, ``--var-file`` and the configuration's ``var_files``).
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field


@dataclass
class FileCounts:
    terraform: set = field(default_factory=set)
    terraform_read: set = field(default_factory=set)
    documents: set = field(default_factory=set)
    variables: set = field(default_factory=set)

    def add(self, discovery, terraform_scan) -> None:
        """One discovered path, after its Terraform modules were loaded."""
        for directory, module in discovery.modules.items():
            files = {os.path.realpath(f) for f in module.files}
            self.terraform |= files
            self.variables |= {os.path.realpath(f) for f in module.var_files}
            if directory in terraform_scan.sources:
                self.terraform_read |= files
        self.documents |= {os.path.realpath(d) for d in discovery.documents}

    def add_variables(self, variables) -> None:
        self.variables |= {os.path.realpath(f) for f in variables.files}
        self.variables |= {os.path.realpath(f) for files in variables.by_directory.values() for f in files}

    def result(self, model) -> dict:
        found = self.terraform | self.documents
        failed = {os.path.realpath(p.file) for p in model.problems if p.file} & found
        return {"files": len(found), "files_parsed": max(model.files - len(failed), 0),
                "files_failed": len(failed), "files_skipped": len(self.terraform - self.terraform_read),
                "variable_files": len(self.variables)}


def describe(report) -> str:
    """The file counts as every report says them."""
    return (f"{report.files} file(s) found, {report.files_parsed} parsed, {report.files_failed} failed, "
            f"{report.files_skipped} skipped by the pre-filter, {report.variable_files} variable file(s)")

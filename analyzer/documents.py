"""Structured documents into the model: CloudFormation templates (YAML or
JSON, CDK output included) and Terraform plans (``terraform show -json``).

What a file is depends on its content, not its name: other YAML and JSON in
a repository (Ansible, Kubernetes, CI files, package manifests) is skipped
quietly. A template or plan that cannot be read is reported (SES001); so is
a file that cannot be read and whose first bytes look like one.
"""

from __future__ import annotations

import os
import re
from dataclasses import dataclass, field

from analyzer.files import Limits, display, read_text, searchable
from analyzer.model import InputProblem, Model

_MARKERS = re.compile(rb"AWSTemplateFormatVersion|\bResources\b|\"format_version\"")
# A template without any of these cannot hold an SES resource or an SES policy.
_SES_RELEVANT = re.compile(r"AWS::SES::|ses:|Custom::|AWS::CloudFormation::CustomResource|aws_ses", re.I)


@dataclass
class DocumentOptions:
    cfn_parameters: dict = field(default_factory=dict)  # name -> value, as CloudFormation takes them
    parameters_by_directory: dict = field(default_factory=dict)  # real directory -> {name: value}

    def parameters_for(self, path: str) -> dict:
        """The parameters of a template: those of its directory (the nearest
        configured one), then the command line's."""
        directory = os.path.dirname(path)
        values: dict = {}
        for configured in sorted(self.parameters_by_directory, key=len):
            if directory == configured or directory.startswith(configured.rstrip(os.sep) + os.sep):
                values.update(self.parameters_by_directory[configured])
        values.update(self.cfn_parameters)
        return values


def load_documents(paths: list, options: DocumentOptions, model: Model, progress=None,
                   limits: Limits = Limits()) -> None:
    for number, path in enumerate(paths, 1):
        shown = display(path)
        if progress:
            progress(f"reading {number}/{len(paths)} YAML and JSON files: {shown}")
        text, problem = read_text(path, limits)
        if problem:
            if _might_be_a_document(path):
                model.problems.append(InputProblem(shown, problem))
            continue
        if _SES_RELEVANT.search(text) and _load(path, shown, text, options, model, limits):
            model.files += 1


def _load(path: str, shown: str, text: str, options: DocumentOptions, model: Model, limits: Limits) -> bool:
    """Load a plan or template into ``model``; False when ``text`` is neither.
    The loaders are imported here, so a scan without one does not pay for them."""
    from analyzer.cloudformation.loader import load_template, looks_like_template
    from analyzer.plan.loader import load_plan, looks_like_plan

    if looks_like_plan(text):
        load_plan(path, shown, text, model, limits)
    elif looks_like_template(text):
        load_template(path, shown, text, options.parameters_for(path), model, limits)
    else:
        return False
    return True


def _might_be_a_document(path: str) -> bool:
    try:
        with open(path, "rb") as f:
            head = searchable(f.read(65536))
    except OSError:
        return True  # unreadable: we cannot tell, so it is reported
    return bool(_MARKERS.search(head))

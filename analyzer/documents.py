"""Structured documents into the model: CloudFormation templates (YAML or
JSON, CDK output included, ``samconfig.toml`` parameters next to them),
Serverless Framework services (``serverless.yml``), Pulumi YAML programs
(``Pulumi.yaml`` and its stacks), Terraform plans (``terraform show -json``),
and the DNS a repository keeps outside Terraform and CloudFormation (BIND
zone files, octoDNS configurations and their zone YAML).

What a file is depends on its content, not its name: other YAML and JSON in
a repository (Ansible, Kubernetes, CI files, package manifests) is skipped
quietly. A template or plan that cannot be read is reported (SES001); so is
a file that cannot be read and whose first bytes look like one.
"""

from __future__ import annotations

import os
import re
from dataclasses import dataclass, field

from analyzer.errors import guard
from analyzer.files import InputError, Limits, display, placed, read_text, searchable
from analyzer.model import InputProblem, Model
from analyzer.send_text import grants_send

_MARKERS = re.compile(rb"AWSTemplateFormatVersion|\bResources\b|\"format_version\"")
# A document with none of these and no text that can grant a send action (analyzer.send_text)
# cannot hold an SES resource or a policy a rule reads.
_SES_RELEVANT = re.compile(r"AWS::SES::|ses:|Custom::|AWS::CloudFormation::CustomResource|aws_ses"
                           r"|AWS::Route53::HostedZone|_domainkey|_dmarc|v=spf1|amazonses"
                           r"|SES(?:Crud|BulkTemplatedCrud|SendBounce)Policy", re.I)  # SAM policy templates


@dataclass
class DocumentOptions:
    cfn_parameters: dict = field(default_factory=dict)  # name -> value, as CloudFormation takes them
    parameters_by_directory: dict = field(default_factory=dict)  # real directory -> {name: value}
    parameter_files: tuple = ()  # the files the command line's parameters came from, as shown
    sam_config_env: str = "default"  # the samconfig.toml environment whose parameter_overrides apply

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


def load_documents(paths: list, options: DocumentOptions, model: Model, progress=None, root: str = "",
                   dns: bool = True, limits: Limits = Limits()) -> None:
    """Load the templates and plans among ``paths``; with ``dns``, also the
    DNS zone files and octoDNS configurations (and the zone files these
    name, never read twice). ``root``: the scanned directory, which octoDNS
    zone directories must stay inside."""
    zone_yaml: set = set()
    for number, path in enumerate(paths, 1):
        shown = display(path)
        if progress:
            progress(f"reading {number}/{len(paths)} YAML, JSON and zone files: {shown}")
        text, problem = read_text(path, limits)
        if problem:
            from analyzer.serverless.loader import is_service_name  # a file that cannot be read: rare

            if _might_be_a_document(path) or is_service_name(path):
                model.problems.append(InputProblem(shown, *placed(problem)))
            continue
        if dns and _load_dns(path, shown, text, model, root or os.path.dirname(path), zone_yaml, limits):
            model.files += 1
            continue
        relevant = _SES_RELEVANT.search(text) or grants_send(text.encode("utf-8"))
        if relevant and _load(path, shown, text, options, model, limits):
            model.files += 1


def _load(path: str, shown: str, text: str, options: DocumentOptions, model: Model, limits: Limits) -> bool:
    """Load a plan or template into ``model``; False when ``text`` is neither.
    The loaders are imported here, so a scan without one does not pay for them."""
    from analyzer.cloudformation.loader import load_template, looks_like_template
    from analyzer.plan.loader import load_plan, looks_like_plan
    from analyzer.pulumi.loader import load_program, looks_like_program
    from analyzer.serverless.loader import load_service, looks_like_service

    if looks_like_program(path, text):
        with guard(model, shown, "reading this Pulumi YAML program", limits.max_file_seconds):
            load_program(path, shown, text, model, limits)
    elif looks_like_service(path, text):
        model.deployment(shown, "serverless").files.add(shown)
        with guard(model, shown, "reading this Serverless Framework service", limits.max_file_seconds):
            load_service(shown, text, model, limits)
    elif looks_like_plan(text):
        model.deployment(shown, "plan").files.add(shown)
        with guard(model, shown, "reading this Terraform plan", limits.max_file_seconds):
            load_plan(path, shown, text, model, limits)
    elif looks_like_template(text):
        deployment = model.deployment(shown, "cloudformation")
        deployment.files.add(shown)
        deployment.inputs.extend(options.parameter_files)
        parameters = _sam_parameters(path, options, deployment, model, limits)
        parameters.update(options.parameters_for(path))
        with guard(model, shown, "reading this CloudFormation template", limits.max_file_seconds):
            load_template(path, shown, text, parameters, model, limits)
    else:
        return False
    return True


def _sam_parameters(path: str, options: DocumentOptions, deployment, model: Model, limits: Limits) -> dict:
    """The parameter values of the ``samconfig.toml`` next to a template, for
    the chosen environment: they give way to the scan's own."""
    from analyzer.cloudformation.samconfig import FILE_NAME, read_samconfig

    config = os.path.join(os.path.dirname(path), FILE_NAME)
    if not os.path.isfile(config):
        return {}
    shown = display(config)
    deployment.inputs.append(shown)
    deployment.files.add(shown)
    with guard(model, shown, "reading this samconfig.toml", limits.max_file_seconds):
        try:
            return read_samconfig(config, options.sam_config_env, limits)
        except InputError as error:
            model.problems.append(InputProblem(shown, error.message, error.line, error.column))
    return {}


def _load_dns(path: str, shown: str, text: str, model: Model, root: str, zone_yaml: set, limits: Limits) -> bool:
    """Load ``path`` when it is a zone file or an octoDNS configuration."""
    from analyzer.dns.octodns import load_octodns_config, looks_like_octodns_config
    from analyzer.dns.zonefile import load_zone_file, looks_like_zone_file

    if os.path.realpath(path) in zone_yaml:
        return True  # a zone an octoDNS configuration already loaded
    if path.endswith((".yaml", ".yml")) and looks_like_octodns_config(text):
        with guard(model, shown, "reading this octoDNS configuration", limits.max_file_seconds):
            zone_yaml.update(load_octodns_config(path, shown, text, model, root, limits))
        return True
    if not path.endswith((".yaml", ".yml", ".json", ".template")) and looks_like_zone_file(text):
        with guard(model, shown, "reading this zone file", limits.max_file_seconds):
            load_zone_file(path, shown, text, model)
        return True
    return False


def _might_be_a_document(path: str) -> bool:
    try:
        with open(path, "rb") as f:
            head = searchable(f.read(65536))
    except OSError:
        return True  # unreadable: we cannot tell, so it is reported
    return bool(_MARKERS.search(head))

"""Runs a scan: discover → load → rules → findings; owns the exit status."""

from __future__ import annotations

import os
import traceback
from dataclasses import dataclass, field

from analyzer.discover import discover
from analyzer.findings import Finding, severity_rank
from analyzer.model import InputProblem, Location, Model
from analyzer.policy.verdict import Trust
from analyzer.rules import RuleContext, load_rules
from analyzer.terraform.loader import TerraformScan, Variables

ALWAYS_FAILING = {"SES001", "SES002"}


class UsageError(Exception):
    """A problem with how sesguard was called (exit status 2)."""


@dataclass
class ScanOptions:
    paths: list = field(default_factory=lambda: ["."])
    trusted_accounts: tuple = ()
    trusted_orgs: tuple = ()
    variables: Variables = field(default_factory=Variables)


@dataclass
class Report:
    findings: list  # Finding, sorted
    files: int  # Terraform files found under the scanned paths
    files_parsed: int
    modules: int  # module instances evaluated
    not_analyzed: list  # ModuleNotAnalyzed
    rules: list


def scan(options: ScanOptions) -> Report:
    rules = load_rules()
    model = Model()
    files_found = 0
    for path in options.paths:
        if not os.path.exists(path):
            raise UsageError(f"no such file or directory: {path}")
        discovery = discover(path)
        files_found += sum(len(m.files) for m in discovery.modules.values())
        model.problems.extend(InputProblem(os.path.relpath(p), message) for p, message in discovery.problems)
        TerraformScan(discovery, options.variables, model).run()
    trust = Trust(accounts=frozenset(options.trusted_accounts),
                  orgs=frozenset(options.trusted_orgs))
    context = RuleContext(trust, {r.id: r for r in rules})
    findings = []
    for rule in rules:
        try:
            findings.extend(rule.check(model, context))
        except Exception as exc:  # a crashed rule is a finding, never a clean result
            findings.append(_crash(context, rule, exc))
    findings.sort(key=Finding.sort_key)
    return Report(findings, files_found, model.files, model.modules, model.not_analyzed, rules)


def _crash(context: RuleContext, rule, exc: Exception) -> Finding:
    frame = traceback.extract_tb(exc.__traceback__)[-1]
    where = f"{os.path.basename(frame.filename)}:{frame.lineno}"
    return context.rule("SES002").finding(
        f"rule {rule.id} ({rule.name}) crashed with {type(exc).__name__}: {exc} (at {where}); "
        "its findings are missing from this scan", Location("", 0, 0), resource=rule.id,
        logical_path=f"{rule.id}/{type(exc).__name__}")


def exit_status(report: Report, fail_on: str, include_inactive: bool) -> int:
    threshold = severity_rank(fail_on)
    for finding in report.findings:
        if finding.rule_id in ALWAYS_FAILING:
            return 1
        if not finding.active and not include_inactive:
            continue
        if severity_rank(finding.severity) <= threshold:
            return 1
    return 0

"""Runs a scan: discover → load → rules → findings; owns the exit status."""

from __future__ import annotations

import datetime
import json
import os
import traceback
from dataclasses import dataclass, field

from analyzer import suppress
from analyzer.discover import Excludes, discover, is_document
from analyzer.dns.link import link as link_dns
from analyzer.documents import DocumentOptions, load_documents
from analyzer.files import Limits
from analyzer.findings import Finding, severity_rank
from analyzer.model import InputProblem, Location, Model
from analyzer.plan.loader import merge_plans_with_terraform
from analyzer.policy.verdict import Trust
from analyzer.rules import RuleContext, enabled, load_rules, mandatory_ids
from analyzer.terraform.loader import TerraformFiles, TerraformScan, Variables

class UsageError(Exception):
    """A problem with how sesguard was called (exit status 2)."""


@dataclass
class ScanOptions:
    paths: list = field(default_factory=lambda: ["."])
    trusted_accounts: tuple = ()
    trusted_orgs: tuple = ()
    variables: Variables = field(default_factory=Variables)
    documents: DocumentOptions = field(default_factory=DocumentOptions)
    excludes: Excludes = field(default_factory=Excludes)
    disable: tuple = ()  # rule ids not to run
    severity: dict = field(default_factory=dict)  # rule id -> severity of all its findings
    baseline: frozenset = frozenset()  # fingerprints of findings already known
    personal_mailbox_domains: tuple = ()  # added to the built-in list (SES201)
    suppress: bool = True  # False: audit mode, every suppression ignored
    changed: tuple = ()  # with --changed-only: the changed files; only their modules are reported
    dns: str = "static"  # "off": no DNS rule; "static": the declared records; "live": also public DNS
    nameservers: tuple = ()  # with dns "live": "IP[:PORT]" to ask (default: the system's resolvers)
    dns_timeout: float = 2.0  # seconds per live query
    today: datetime.date = field(default_factory=datetime.date.today)
    limits: Limits = Limits()  # --max-file-size, --max-depth
    cache: object = None  # an analyzer.cache.ParseCache, or None: parse everything


@dataclass
class Report:
    findings: list  # Finding, sorted
    files: int  # Terraform files, and YAML/JSON files that could be templates or plans, found
    files_parsed: int  # files parsed: the others cannot hold anything SES
    modules: int  # module instances evaluated
    not_analyzed: list  # ModuleNotAnalyzed
    rules: list
    baselined: int = 0  # findings left out because the baseline holds them


def scan(options: ScanOptions, progress=None) -> Report:
    """``progress(message)``, when given, hears what the scan is doing."""
    rules = load_rules()
    model = Model()
    files_found = 0
    terraform_files = TerraformFiles(options.limits, options.cache)
    for path in _distinct_inputs(options.paths):
        discovery = discover(path, options.excludes, options.limits, dns=options.dns != "off")
        files_found += sum(len(m.files) for m in discovery.modules.values()) + len(discovery.documents)
        model.problems.extend(InputProblem(os.path.relpath(p), message) for p, message in discovery.problems)
        TerraformScan(discovery, options.variables, model, progress, terraform_files).run()
        load_documents(discovery.documents, options.documents, model, progress, root=discovery.root,
                       dns=options.dns != "off", limits=options.limits)
    merge_plans_with_terraform(model)
    if options.dns != "off":
        link_dns(model)
    trust = Trust(accounts=frozenset(options.trusted_accounts),
                  orgs=frozenset(options.trusted_orgs))
    context = RuleContext(trust, {r.id: r for r in rules},
                          personal_mailbox_domains=frozenset(options.personal_mailbox_domains))
    findings = []
    running = enabled(options, rules)
    if options.dns == "live":
        context.live = live_dns(options, model, progress)
    for rule in running:
        try:
            findings.extend(rule.check(model, context))
        except Exception as exc:  # a crashed rule is a finding, never a clean result
            findings.append(_crash(context, rule, exc))
    findings = _distinct(findings)
    if options.suppress:
        findings.extend(_suppress(findings, model, context, options, {r.id for r in running}))
    for finding in findings:
        finding.severity = options.severity.get(finding.rule_id, finding.severity)
    if options.changed:
        findings = [f for f in findings if _in_changed(f, options.changed)]
    reported = [f for f in findings if f.fingerprint not in options.baseline]
    reported.sort(key=Finding.sort_key)
    return Report(reported, files_found, model.files, model.modules, model.not_analyzed,
                  running, len(findings) - len(reported))


def live_dns(options: ScanOptions, model: Model, progress=None):
    """The live DNS answers the identities of ``model`` need (``analyzer.dns.published``)."""
    from analyzer.dns.published import resolve

    if progress:
        progress("resolving the identities' DNS records")
    return resolve(model, options.nameservers, options.dns_timeout)


def _distinct(findings: list) -> list:
    """One finding for the same words about the same place: a module that
    several root modules call is evaluated once per caller, and what is
    wrong in its code is said once."""
    seen, result = set(), []
    for finding in findings:
        key = (finding.rule_id, finding.location, finding.resource, finding.logical_path, finding.text,
               finding.active)
        if key not in seen:
            seen.add(key)
            result.append(finding)
    return result


def _distinct_inputs(paths: list) -> list:
    """The paths to discover: a file stands for its module (directory), so
    several files of one module are scanned once."""
    result, modules = [], set()
    for path in paths:
        if not os.path.exists(path):
            raise UsageError(f"no such file or directory: {path}")
        real = os.path.realpath(path)
        if os.path.isfile(real) and not is_document(os.path.basename(real)):
            if os.path.dirname(real) in modules:
                continue
            modules.add(os.path.dirname(real))
        result.append(path)
    return result


def _in_changed(finding: Finding, changed: tuple) -> bool:
    """Whether a finding is in a changed file or in the module a changed Terraform file belongs to."""
    if not finding.file:
        return True
    real = os.path.realpath(finding.file)
    return any(real == c or (not is_document(c) and os.path.dirname(real) == os.path.dirname(c)) for c in changed)


def _suppress(findings: list, model: Model, context: RuleContext, options: ScanOptions, ran: set) -> list:
    """Mark suppressed findings; the SES004 findings about the suppressions
    themselves. A suppression of a rule that did not run (``ran``: disabled,
    or needing DNS the scan does not judge) is not reported as unused."""
    scopes = {r.address: r.loc for r in model.resources()}
    scopes.update((call.address, call.loc) for call in model.not_analyzed if call.loc)
    problems = suppress.apply(findings, model.suppressions, scopes, options.today, ran)
    if "SES004" not in ran:
        return []
    return [context.rule("SES004").finding(message, location, resource=location.file,
                                           logical_path=f"suppression/{kind}")
            for message, location, kind in problems]


def _crash(context: RuleContext, rule, exc: Exception) -> Finding:
    frame = traceback.extract_tb(exc.__traceback__)[-1]
    where = f"{os.path.basename(frame.filename)}:{frame.lineno}"
    return context.rule("SES002").finding(
        f"rule {rule.id} ({rule.name}) crashed with {type(exc).__name__}: {exc} (at {where}); "
        "its findings are missing from this scan", Location("", 0, 0), resource=rule.id,
        logical_path=f"{rule.id}/{type(exc).__name__}",
        details={"traceback": "".join(traceback.format_exception(type(exc), exc, exc.__traceback__))})


def exit_status(report: Report, fail_on: str, include_inactive: bool) -> int:
    threshold = severity_rank(fail_on)
    for finding in report.findings:
        if finding.suppressed:
            continue
        if finding.rule_id in mandatory_ids():
            return 1
        if not finding.active and not include_inactive:
            continue
        if severity_rank(finding.severity) <= threshold:
            return 1
    return 0


def write_baseline(report: Report, path: str) -> None:
    """Record the current findings by fingerprint, sorted, stable under re-runs."""
    entries = sorted({f.fingerprint: {"fingerprint": f.fingerprint, "rule_id": f.rule_id, "file": f.file,
                                      "resource": f.resource} for f in report.findings
                    if not f.suppressed}.values(),
                     key=lambda e: e["fingerprint"])
    with open(path, "w", encoding="utf-8") as f:
        json.dump({"version": 1, "tool": "sesguard", "findings": entries}, f, indent=2, sort_keys=True)
        f.write("\n")


def read_baseline(path: str) -> frozenset:
    try:
        with open(path, encoding="utf-8") as f:
            data = json.load(f)
        return frozenset(entry["fingerprint"] for entry in data["findings"])
    except (OSError, ValueError, KeyError, TypeError) as exc:
        raise UsageError(f"cannot read the baseline {path}: {exc}") from None

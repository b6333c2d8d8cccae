"""Runs a scan: discover → load → rules → findings; owns the exit status."""

from __future__ import annotations

import datetime
import os
import traceback
from dataclasses import dataclass, field
from typing import Optional

from analyzer import baseline as baselines
from analyzer import suppress
from analyzer.counts import FileCounts
from analyzer.discover import Excludes, discover, is_document
from analyzer.dns.link import link as link_dns
from analyzer.documents import DocumentOptions, load_documents
from analyzer.files import Limits
from analyzer.findings import Finding, TraceStep
from analyzer.fix import Settings as FixSettings
from analyzer.fix import attach as attach_fixes
from analyzer.model import InputProblem, Location, Model
from analyzer.plan.merge import merge_plans_with_terraform
from analyzer.policy.verdict import Trust
from analyzer.rule_results import RuleResults
from analyzer.rules import RuleContext, enabled, fails_the_run, load_rules
from analyzer.senders import senders_of
from analyzer.terraform import grammar
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
    baseline: baselines.Baseline = baselines.Baseline()  # findings already known
    root: str = ""  # the repository root (analyzer.repository.find_root), "" outside a repository
    personal_mailbox_domains: tuple = ()  # added to the built-in list (SES201)
    suppress: bool = True  # False: audit mode, every suppression ignored
    changed: Optional[tuple] = None  # the changed files (--changed-only, --changed-files): only what they touch is reported
    dns: str = "static"  # "off": no DNS rule; "static": the declared records; "live": also public DNS
    nameservers: tuple = ()  # with dns "live": "IP[:PORT]" to ask (default: the system's resolvers)
    dns_timeout: float = 2.0  # seconds per live query
    today: datetime.date = field(default_factory=datetime.date.today)
    limits: Limits = Limits()  # --max-file-size, --max-depth, --max-file-seconds
    cache: object = None  # an analyzer.cache.ParseCache, or None: parse everything
    dmarc_rua: str = ""  # the rua address SES233's fix adds (sesguard fix --dmarc-rua)
    jobs: int = 1  # worker processes evaluating Terraform root modules (--jobs; 0: one per core, at most 4)


@dataclass
class Report:
    findings: list  # Finding, sorted
    files: int  # Terraform files, and YAML/JSON files that could be templates or plans, found (analyzer.counts)
    files_parsed: int  # files parsed without a problem: the others failed or cannot hold anything SES
    modules: int  # module instances evaluated
    not_analyzed: list  # ModuleNotAnalyzed
    rules: list
    baselined: int = 0  # findings left out because the baseline holds them
    in_baseline: list = field(default_factory=list)  # those findings
    baseline_entries_used: int = 0  # baseline entries that matched a finding
    root: str = ""  # the repository root: report paths are relative to it where a format asks
    files_failed: int = 0  # files found that could not be analyzed
    files_skipped: int = 0  # files the pre-filter showed cannot matter
    variable_files: int = 0  # tfvars read
    skipped: list = field(default_factory=list)  # (module directory, why): skipped by the pre-filter, never parsed
    senders: list = field(default_factory=list)  # analyzer.senders.PolicySenders: who can send as each identity
    started: Optional[datetime.datetime] = None  # when the scan began (UTC)
    replaced: list = field(default_factory=list)  # (.tf, .tofu): files not read, as OpenTofu ignores them


def scan(options: ScanOptions, progress=None) -> Report:
    """``progress(message)``, when given, hears what the scan is doing."""
    started = datetime.datetime.now(datetime.timezone.utc)
    rules = load_rules()
    model = Model()
    counts = FileCounts()
    modules_skipped = []
    replaced = []
    boundaries = []
    grammar.use_cache_directory(options.cache.grammar if options.cache else None, progress)
    terraform_files = TerraformFiles(options.limits, options.cache)
    for path in _distinct_inputs(options.paths):
        discovery = discover(path, options.excludes, options.limits, dns=options.dns != "off", boundary=options.root)
        boundaries.append(discovery.boundary)
        model.problems.extend(InputProblem(os.path.relpath(p), message) for p, message in discovery.problems)
        terraform_scan = TerraformScan(discovery, options.variables, model, progress, terraform_files, options.jobs)
        if discovery.terragrunt:
            from analyzer.terragrunt.loader import TerragruntScan

            TerragruntScan(terraform_scan).run()
        terraform_scan.run()
        counts.add(discovery, terraform_scan)
        loaded = model.files
        modules_skipped.extend(terraform_scan.skipped)
        replaced.extend(discovery.replaced)
        load_documents(discovery.documents, options.documents, model, progress, root=discovery.boundary,
                       dns=options.dns != "off", limits=options.limits)
        counts.documents_loaded += model.files - loaded
    merge_plans_with_terraform(model, boundaries)
    if options.dns != "off":
        link_dns(model)
    trust = Trust(accounts=frozenset(options.trusted_accounts),
                  orgs=frozenset(options.trusted_orgs))
    running = enabled(options, rules)
    context = RuleContext(trust, {r.id: r for r in rules},
                          personal_mailbox_domains=frozenset(options.personal_mailbox_domains),
                          running=frozenset(r.id for r in running))
    findings = []
    if options.dns == "live":
        live_dns(options, model, progress)
    results = RuleResults(options.cache, context, running) if options.cache and options.dns != "live" else None
    for name, view in model.views():
        own = {r.address for kind in Model.RESOURCES for r in getattr(view, kind) if r.context == name}
        own.update(call.address for call in view.not_analyzed if call.context == name)
        key = results.key(name, view) if results else None
        found = results.get(key) if key else None
        if found is None:
            found, crashed = _run_rules(running, view, context)
            if key and not crashed:
                results.put(key, found)
        for finding in found:
            if not finding.deployment and finding.resource in own:
                finding.deployment = name
        findings.extend(found)
    for finding in findings:
        _where_it_points(finding)
        _outside_downloaded_modules(finding, model)
    findings = _distinct(findings)
    senders = senders_of(model, context)
    if options.suppress:
        findings.extend(_suppress(findings, model, context, options, {r.id for r in running}))
    for finding in findings:
        finding.severity = options.severity.get(finding.rule_id, finding.severity)
    if options.changed is not None:
        declared = {(r.context, r.address): r.file for r in model.resources()}
        findings = [f for f in findings if _in_changed(f, options.changed, model, declared)]
    matched = baselines.split(findings, options.baseline, options.root or None)
    reported = matched.reported
    reported.extend(attach_fixes(reported, model, context, FixSettings(
        options.trusted_accounts, options.trusted_orgs, options.dmarc_rua)))
    reported.sort(key=Finding.sort_key)
    files = counts.result(model, options.limits, options.variables)
    return Report(reported, files["files"], files["files_parsed"], model.modules, model.not_analyzed,
                  running, len(matched.known), matched.known,
                  matched.entries_used, options.root, files["files_failed"], files["files_skipped"],
                  files["variable_files"], modules_skipped, senders, started, sorted(set(replaced)))


def live_dns(options: ScanOptions, model: Model, progress=None):
    """The live DNS answers the identities of ``model`` need, added to it as published records
    (``analyzer.dns.published``)."""
    from analyzer.dns.published import resolve

    if progress:
        progress("resolving the identities' DNS records")
    resolve(model, options.nameservers, options.dns_timeout)


def _distinct(findings: list) -> list:
    """One finding for the same words about the same place: a module that
    several root modules call is evaluated once per caller, and what is
    wrong in its code is said once."""
    seen, result = set(), []
    for finding in findings:
        key = (finding.rule_id, finding.location, finding.resource, finding.logical_path, finding.text,
               finding.active, finding.deployment)
        if key not in seen:
            seen.add(key)
            result.append(finding)
    return result


def _distinct_inputs(paths: list) -> list:
    """The paths to discover: a file stands for its module (directory), so
    several files of one module are scanned once; a path given twice, or
    inside a directory also given, is scanned once."""
    result, modules, seen = [], set(), set()
    for path in paths:
        if not os.path.exists(path):
            raise UsageError(f"no such file or directory: {path}")
    directories = {os.path.realpath(p) for p in paths if os.path.isdir(p)}
    for path in paths:
        real = os.path.realpath(path)
        if real in seen or any(real.startswith(d.rstrip(os.sep) + os.sep) for d in directories):
            continue
        seen.add(real)
        if os.path.isfile(real) and not is_document(os.path.basename(real)):
            if os.path.dirname(real) in modules:
                continue
            modules.add(os.path.dirname(real))
        result.append(path)
    return result


def _where_it_points(finding: Finding) -> None:
    """A trace says where a value came from when that is not where the finding points."""
    loc = finding.location
    if loc is not None:
        finding.trace = tuple(step for step in finding.trace if step.what != "value written"
                              or (step.file, step.line) != (loc.file, loc.line))


_DOWNLOADED = f"{os.sep}.terraform{os.sep}modules{os.sep}"


def _outside_downloaded_modules(finding: Finding, model: Model) -> None:
    """A finding in a module ``terraform init`` downloaded points at a file
    no pull request shows: report it at the outermost module call written
    in the repository, with the place inside the module as its trace's last step."""
    if _DOWNLOADED not in os.sep + os.path.normpath(finding.file):
        return
    deployment = model.deployments.get(finding.deployment)
    calls = deployment.call_chain(finding.resource) if deployment else []
    outer = [loc for _, loc in calls if _DOWNLOADED not in os.sep + os.path.normpath(loc.file)]
    if outer:
        inner = finding.location
        finding.trace = tuple(finding.trace) + (TraceStep(inner.file, inner.line, inner.column,
                                                          "inside the downloaded module"),)
        finding.location = outer[-1]


def _in_changed(finding: Finding, changed: tuple, model: Model, declared: dict) -> bool:
    """Whether a finding depends on a changed file: it, or the file that
    declares its resource (``declared``, by deployment and address: a policy
    read by ``templatefile()`` is reported in the template), is one or is in
    the module directory of a changed file that is no document (a ``.tf``, a
    template its module may read, ``.sesguard.yml``), or a place its value
    came through is in one, or its deployment takes values from one
    (variable and parameter files) or calls the module it is in from one."""
    if not finding.file:
        return True
    for path in dict.fromkeys((finding.file, declared.get((finding.deployment, finding.resource)) or finding.file)):
        real = os.path.realpath(path)
        if any(real == c or (not is_document(c) and os.path.dirname(real) == os.path.dirname(c)) for c in changed):
            return True
    deployment = model.deployments.get(finding.deployment)
    related = [step.file for step in finding.trace]
    if deployment is not None:
        related += deployment.inputs + [loc.file for _, loc in deployment.call_chain(finding.resource)]
    return any(os.path.realpath(path) in changed for path in related)


def _suppress(findings: list, model: Model, context: RuleContext, options: ScanOptions, ran: set) -> list:
    """Mark suppressed findings; the SES004 findings about the suppressions
    themselves. A suppression of a rule that did not run (``ran``: disabled,
    or needing DNS the scan does not judge) is not reported as unused."""
    scopes = {(r.context, r.address): r.loc for r in model.resources()}
    scopes.update(((call.context, call.address), call.loc) for call in model.not_analyzed if call.loc)
    problems = suppress.apply(findings, model.suppressions, scopes, options.today, ran)
    if "SES004" not in ran:
        return []
    return [context.rule("SES004").finding(message, location, resource=location.file,
                                           logical_path=f"suppression/{kind}")
            for message, location, kind in problems]


def _run_rules(running: list, view: Model, context: RuleContext) -> tuple:
    """``(findings, whether a rule crashed)`` of the rules on one deployment's view."""
    found, crashed = [], False
    for rule in running:
        try:
            found.extend(list(rule.check(view, context)))  # all of a rule's findings, or its crash alone
        except Exception as exc:  # a crashed rule is a finding, never a clean result
            found.append(_crash(context, rule, exc))
            crashed = True
    return found, crashed


def _crash(context: RuleContext, rule, exc: Exception) -> Finding:
    frame = traceback.extract_tb(exc.__traceback__)[-1]
    where = f"{os.path.basename(frame.filename)}:{frame.lineno}"
    return context.rule("SES002").finding(
        f"rule {rule.id} ({rule.name}) crashed with {type(exc).__name__}: {exc} (at {where}); "
        "its findings are missing from this scan", Location("", 0, 0), resource=rule.id,
        logical_path=f"{rule.id}/{type(exc).__name__}",
        details={"traceback": "".join(traceback.format_exception(type(exc), exc, exc.__traceback__))})


def exit_status(report: Report, fail_on: str, include_inactive: bool) -> int:
    return int(any(fails_the_run(f, fail_on, include_inactive) for f in report.findings))



"""The rule registry and what rules are given.

A rule is a module in the ``checks`` package with ``ID``, ``NAME``,
``SEVERITY``, ``TITLE``, a docstring (Why / Example / Fix) and
``check(model, context)`` yielding findings, and its metadata: ``TAGS``
(``"dns"``, ``"policy"``, ``"monitoring"``...), ``NEEDS_DNS`` (``None``,
``"static"``: the declared records, ``"live"``: public DNS), ``MANDATORY``
(runs in every scan and fails it, whatever the options), ``ANCHOR`` (its
section in docs/rules.md), ``SUMMARY`` (what it finds, in a phrase) and
``FIXES`` (the fix titles its findings give, by kind, as templates whose
``{fields}`` a finding fills: ``rule.fix("weak_key")``; ``sesguard explain``
shows the same). The registry finds them by module, so adding a
rule is adding a file; which rules run, which are mandatory and which need
DNS is asked here (``enabled``, ``mandatory_ids``) and nowhere else.
"""

from __future__ import annotations

import functools
import importlib
import os
import pkgutil
import re
from dataclasses import dataclass, field
from types import ModuleType
from typing import Optional

from analyzer.findings import Finding, severity_rank, trace
from analyzer.model import Model
from analyzer.policy.alternatives import evaluate_each
from analyzer.policy.resources import identity_arn
from analyzer.policy.verdict import Trust, Verdict, evaluate


@dataclass
class Rule:
    id: str
    name: str
    severity: str
    title: str
    doc: str
    module: ModuleType
    tags: tuple = ()
    needs_dns: Optional[str] = None  # None, "static" or "live"
    mandatory: bool = False
    anchor: str = ""
    summary: str = ""  # what it finds, in a phrase (the README's rule table)
    fixes: dict = field(default_factory=dict)  # kind -> fix title template (FIXES)

    def check(self, model: Model, context: "RuleContext"):
        return self.module.check(model, context)

    def fix(self, kind: str = "", **fields) -> str:
        """The fix title of findings of ``kind`` (the only one when not
        given), its ``{fields}`` filled."""
        template = self.fixes[kind] if kind else next(iter(self.fixes.values()))
        return template.format(**fields)

    def fix_templates(self) -> list:
        """The fix titles as ``explain`` shows them: each field as ``<field>``."""
        return [re.sub(r"\{(\w+)\}", r"<\1>", template) for template in self.fixes.values()]

    def finding(self, message: str, location, **kwargs) -> Finding:
        """A finding at ``location``: for an input that could not be read (a file, not a resource)."""
        severity = kwargs.pop("severity", self.severity)
        return Finding(self.id, self.name, severity, message, location, **kwargs)

    def finding_on(self, message: str, resource, path: str = "", /, **kwargs) -> Finding:
        """A finding about the part of ``resource`` its logical ``path`` names
        (``"tls_policy"``, ``"s3_actions/0"``, ``"policy/Statement/0/Principal"``;
        "" the resource): the engine resolves it to the line that writes that
        part, else the longest prefix of the path written, else the resource
        (a part not written has its default)."""
        return self.finding(message, resource.where(path), **kwargs)


def load_rules() -> list:
    """Every rule, by id."""
    return list(_loaded())


@functools.lru_cache(maxsize=None)
def _loaded() -> tuple:
    import checks

    rules = []
    for info in sorted(pkgutil.iter_modules(checks.__path__), key=lambda i: i.name):
        module = importlib.import_module(f"checks.{info.name}")
        if hasattr(module, "ID") and hasattr(module, "check"):
            rules.append(Rule(module.ID, module.NAME, module.SEVERITY, module.TITLE,
                              (module.__doc__ or "").strip(), module, tuple(module.TAGS), module.NEEDS_DNS,
                              module.MANDATORY, module.ANCHOR, module.SUMMARY, dict(getattr(module, "FIXES", {}))))
    return tuple(sorted(rules, key=lambda r: r.id))


DNS_MODES = ("off", "static", "live")  # how much DNS a scan judges, each mode including the one before


def runs(rule: Rule, disable=(), dns: str = "static") -> bool:
    """Whether ``rule`` runs in a scan that disables the rule ids ``disable``
    and judges DNS as ``dns`` says (one of ``DNS_MODES``)."""
    if rule.mandatory:
        return True
    if rule.id in disable:
        return False
    return rule.needs_dns is None or DNS_MODES.index(dns) >= DNS_MODES.index(rule.needs_dns)


def enabled(options, rules=None) -> list:
    """The rules a scan with ``options`` (``disable``, ``dns``) runs: the
    one answer the engine, suppression checking and reporters share."""
    return [r for r in (load_rules() if rules is None else rules) if runs(r, options.disable, options.dns)]


def mandatory_ids(rules=None) -> frozenset:
    """The ids of the rules no option turns off, whose findings always fail
    a scan: an input not analyzed, a rule crashed."""
    return frozenset(r.id for r in (load_rules() if rules is None else rules) if r.mandatory)


def fails_the_run(finding, fail_on: str, include_inactive: bool) -> bool:
    """Whether ``finding`` makes a scan exit 1: a mandatory rule's, or an
    active (or, with ``include_inactive``, any) unsuppressed finding at or
    above ``fail_on``."""
    if finding.suppressed:
        return False
    if finding.rule_id in mandatory_ids():
        return True
    if not finding.active and not include_inactive:
        return False
    return severity_rank(finding.severity) <= severity_rank(fail_on)


def needs_dns(rule_id: str, rules=None) -> bool:
    """Whether the rule ``rule_id`` judges DNS (is off with ``--dns off``)."""
    return any(r.id == rule_id and r.needs_dns for r in (load_rules() if rules is None else rules))


@dataclass
class RuleContext:
    """What every rule may use besides the model: trust settings, the
    configured personal mailbox domains, and the verdict of each identity
    policy, computed once and shared."""

    trust: Trust
    rules: dict = field(default_factory=dict)  # id -> Rule
    personal_mailbox_domains: frozenset = frozenset()  # from the configuration, added to SES201's list
    running: Optional[frozenset] = None  # the ids of the rules this scan runs; None: every rule
    _verdicts: dict = field(default_factory=dict)
    _dns: dict = field(default_factory=dict)  # (id(model), source) -> (model, DnsView)

    def dns(self, model: Model, source: str = "declared"):
        """The DNS of ``model`` seen from its identities (``analyzer.dns.view.DnsView``), built once per
        source: the ``"declared"`` records, the ``"published"`` ones (``--dns live``; none otherwise), or
        ``"both"``."""
        key = (id(model), source)
        if key not in self._dns:
            from analyzer.dns.view import DnsView
            self._dns[key] = (model, DnsView(model, source))
        return self._dns[key][1]

    def rule(self, rule_id: str) -> Rule:
        return self.rules[rule_id]

    def runs(self, rule_id: str) -> bool:
        """Whether this scan runs the rule ``rule_id`` (a rule may name what one it does not run leaves
        undecided)."""
        return self.running is None or rule_id in self.running

    def grants(self, model: Model):
        """``(policy, verdict, grant)`` for every send grant of every identity policy."""
        for policy in model.identity_policies:
            verdict = self.verdict(policy)
            for grant in verdict.grants if verdict is not None else ():
                yield policy, verdict, grant

    def verdict(self, policy) -> Optional[Verdict]:
        """Who may send through ``policy``; None when its document is unknown
        and is none of known documents."""
        if policy.document is None and not policy.alternatives:
            return None
        key = id(policy)
        if key not in self._verdicts:
            identity = identity_arn(policy.identity) if policy.identity is not None else None
            if policy.document is not None:
                verdict = evaluate(policy.document, self.trust, identity)
            else:
                verdict = evaluate_each(policy.alternatives, policy.document_unknown, self.trust, identity)
            self._verdicts[key] = (policy, verdict)
        return self._verdicts[key][1]


def about(resource, logical_path: str, value=None, values=(), **extra) -> dict:
    """The keyword arguments of a finding about a model resource; ``value``
    (or ``values``): the value at fault, whose provenance is the finding's
    trace."""
    at_fault = ((value,) if value is not None else ()) + tuple(values)
    return {"resource": resource.address, "active": resource.active, "inactive_reason": resource.inactive_reason,
            "logical_path": logical_path, "deployment": resource.context, "conditional": resource.conditional,
            "trace": trace(*at_fault), **extra}


def place(resource) -> str:
    """Where a resource is declared, for rules that judge a resource by its
    neighbours: its template (CloudFormation), or the directory of its
    module (Terraform) or plan."""
    return resource.file if resource.source_format == "cloudformation" else os.path.dirname(resource.file)

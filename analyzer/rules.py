"""The rule registry and what rules are given.

A rule is a module in the ``checks`` package with ``ID``, ``NAME``,
``SEVERITY``, ``TITLE``, a docstring (Why / Example / Fix) and
``check(model, context)`` yielding findings. The registry finds them by
module, so adding a rule is adding a file.
"""

from __future__ import annotations

import importlib
import pkgutil
import os
from dataclasses import dataclass, field
from types import ModuleType

from analyzer.findings import Finding
from analyzer.model import Model
from analyzer.policy.verdict import Trust, Verdict, evaluate


@dataclass
class Rule:
    id: str
    name: str
    severity: str
    title: str
    doc: str
    module: ModuleType

    def check(self, model: Model, context: "RuleContext"):
        return self.module.check(model, context)

    def finding(self, message: str, location, **kwargs) -> Finding:
        severity = kwargs.pop("severity", self.severity)
        return Finding(self.id, self.name, severity, message, location, **kwargs)


def load_rules() -> list:
    import checks

    rules = []
    for info in sorted(pkgutil.iter_modules(checks.__path__), key=lambda i: i.name):
        module = importlib.import_module(f"checks.{info.name}")
        if hasattr(module, "ID") and hasattr(module, "check"):
            rules.append(Rule(module.ID, module.NAME, module.SEVERITY, module.TITLE,
                              (module.__doc__ or "").strip(), module))
    return sorted(rules, key=lambda r: r.id)


DNS_RULES = range(210, 260)  # SES210–SES259: email authentication, off with --dns off
LIVE_ONLY = frozenset({"SES250"})  # rules that judge what public DNS serves (--dns live)


def is_dns_rule(rule_id: str) -> bool:
    return rule_id[3:].isdigit() and int(rule_id[3:]) in DNS_RULES


@dataclass
class RuleContext:
    """What every rule may use besides the model: trust settings, the
    configured personal mailbox domains, and the verdict of each identity
    policy, computed once and shared."""

    trust: Trust
    rules: dict = field(default_factory=dict)  # id -> Rule
    personal_mailbox_domains: frozenset = frozenset()  # from the configuration, added to SES201's list
    live: object = None  # with --dns live: analyzer.dns.published.Published
    _verdicts: dict = field(default_factory=dict)
    _dns: dict = field(default_factory=dict)  # id(model) -> (model, DnsView)

    def dns(self, model: Model):
        """The declared DNS seen from the identities of ``model`` (``analyzer.dns.view.DnsView``), built once."""
        if id(model) not in self._dns:
            from analyzer.dns.view import DnsView
            self._dns[id(model)] = (model, DnsView(model))
        return self._dns[id(model)][1]

    def rule(self, rule_id: str) -> Rule:
        return self.rules[rule_id]

    def grants(self, model: Model):
        """``(policy, verdict, grant)`` for every send grant of every identity policy."""
        for policy in model.identity_policies:
            if policy.document is None:
                continue
            verdict = self.verdict(policy)
            for grant in verdict.grants:
                yield policy, verdict, grant

    def verdict(self, policy) -> Verdict:
        key = id(policy)
        if key not in self._verdicts:
            self._verdicts[key] = (policy, evaluate(policy.document, self.trust))
        return self._verdicts[key][1]


def about(resource, logical_path: str, **extra) -> dict:
    """The keyword arguments of a finding about a model resource."""
    return {"resource": resource.address, "active": resource.active, "inactive_reason": resource.inactive_reason,
            "logical_path": logical_path, "deployment": resource.context, "conditional": resource.conditional,
            **extra}


def place(resource) -> str:
    """Where a resource is declared, for rules that judge a resource by its
    neighbours: its template (CloudFormation), or the directory of its
    module (Terraform) or plan."""
    return resource.file if resource.source_format == "cloudformation" else os.path.dirname(resource.file)

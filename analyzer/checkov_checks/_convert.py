"""What the checkov checks share: resources into sesguard's model, and a
rule's findings into a checkov result.

Each rule module of this directory creates a ``TerraformCheck`` and a
``CloudFormationCheck`` for its rule; both carry the rule's id, title and
severity, and judge with the rule's own ``check()``:

* FAILED when the rule reports an active finding; its messages are the
  check's details;
* PASSED when every identity policy of the resource was evaluated in full
  and the rule reports nothing;
* UNKNOWN otherwise: the policy, or a value a verdict depends on, could not
  be resolved, the policy is malformed, the resource is not deployed with
  the values in use, or it holds no identity policy. checkov leaves UNKNOWN
  results out of its report, so a verdict is never guessed.

Terraform: checkov renders ``aws_ses_identity_policy`` and
``aws_sesv2_email_identity_policy`` itself (``jsonencode``, heredocs,
variables with values, locals, ``for_each``...). What it cannot resolve it
leaves as the reference's text, bare (``var.accounts``,
``arn:aws:iam::data.aws_caller_identity.me.account_id:root``) or in
``${...}`` (functions such as ``file()``); such text becomes an ``Unknown``
here, as sesguard's own loader would make it (the ``aws_caller_identity``
account is the deploying, trusted account). checkov does not render
``data.aws_iam_policy_document``, so a policy taken from one is UNKNOWN.

CloudFormation has no identity policy resource: teams use custom resources
(``Custom::IdentityPolicy``, the CDK's ``Custom::AWS``...), whose values
need the whole template (parameters, ``Ref``, ``Fn::Join``). The template
checkov read is loaded with sesguard's CloudFormation loader, which needs
PyYAML only; parameters take their defaults.

checkov has no place for sesguard's options: trusted accounts and
organizations come from the environment variables
``SESGUARD_TRUSTED_ACCOUNTS`` and ``SESGUARD_TRUSTED_ORGS``, comma-separated.

Nothing here may import python-hcl2 (checkov brings its own ``hcl2``): not
``analyzer.terraform``, the engine, discovery or the CLI.
"""

from __future__ import annotations

import functools
import os
import re
from typing import Any

from checkov.cloudformation.checks.resource.base_resource_check import (
    BaseResourceCheck as CloudFormationResourceCheck,
)
from checkov.common.bridgecrew.severities import get_severity
from checkov.common.models.enums import CheckCategories, CheckResult
from checkov.terraform.checks.resource.base_resource_check import BaseResourceCheck as TerraformResourceCheck

from analyzer.cloudformation.loader import load_template
from analyzer.model import (
    AFTER_APPLY,
    DATA,
    EVALUATION,
    MODULE,
    OWNER,
    VARIABLE,
    IdentityPolicy,
    Location,
    Model,
    Unknown,
    embed,
    split_marked,
)
from analyzer.policy.describe import policy_unknowns
from analyzer.policy.document import parse_document
from analyzer.policy.verdict import Trust
from analyzer.rules import RuleContext, load_rules

TERRAFORM_TYPES = ("aws_ses_identity_policy", "aws_sesv2_email_identity_policy")
CLOUDFORMATION_TYPES = ("Custom::*", "AWS::CloudFormation::CustomResource")

_NAME = r"[A-Za-z_][\w-]*"
_INDEX = r"\[[^\]]*\]"
# A Terraform reference as checkov leaves it when it cannot resolve it; a
# resource or data source type has an underscore (aws_...), which keeps
# domain names and service principals (pinpoint.amazonaws.com) out.
_REFERENCE = re.compile(
    rf"(?<![\w.-])(?:(?:var|local|each|count)\.{_NAME}"
    rf"|module\.{_NAME}(?:{_INDEX})?\.{_NAME}"
    rf"|(?:data\.)?[a-z][a-z0-9]*_\w+\.{_NAME}(?:{_INDEX})?\.{_NAME})"
    rf"(?:\.{_NAME}|{_INDEX})*")
_OWNER_ACCOUNT = re.compile(rf"data\.aws_caller_identity\.{_NAME}\.(?:account_id|id)")
_KINDS = {"var": VARIABLE, "local": EVALUATION, "each": EVALUATION, "count": EVALUATION,
          "module": MODULE, "data": DATA}


# ---------------------------------------------------------------------------
# Checks
# ---------------------------------------------------------------------------


@functools.lru_cache(maxsize=None)
def _rules() -> dict:
    return {rule.id: rule for rule in load_rules()}


def _rule_of(check_file: str):
    """The rule a check file wraps: the one whose module in ``checks`` has the file's name."""
    name = os.path.splitext(os.path.basename(check_file))[0]
    return next(rule for rule in _rules().values() if rule.module.__name__.rsplit(".", 1)[-1] == name)


def _trust() -> Trust:
    def listed(name: str) -> frozenset:
        return frozenset(v.strip() for v in os.environ.get(name, "").split(",") if v.strip())

    return Trust(accounts=listed("SESGUARD_TRUSTED_ACCOUNTS"), orgs=listed("SESGUARD_TRUSTED_ORGS"))


class _RuleCheck:
    """A sesguard rule as a checkov check (mixed into checkov's resource check classes)."""

    def __init__(self, check_file: str, supported_resources: tuple) -> None:
        rule = _rule_of(check_file)
        super().__init__(name=rule.title, id=rule.id, categories=[CheckCategories.IAM],
                         supported_resources=supported_resources)
        self.severity = get_severity(rule.severity)

    def judge(self, policies: list) -> CheckResult:
        """The result of the rule on ``policies``, its messages in ``details``."""
        if not policies:
            return CheckResult.UNKNOWN
        context = RuleContext(trust=_trust(), rules=_rules())
        model = Model(identity_policies=policies)
        findings = [f for f in context.rule(self.id).check(model, context) if f.active]
        if findings:
            self.details = [f.text for f in findings]
            return CheckResult.FAILED
        if all(_evaluated(policy, context) for policy in policies):
            return CheckResult.PASSED
        return CheckResult.UNKNOWN


def _evaluated(policy: IdentityPolicy, context: RuleContext) -> bool:
    """Whether ``policy`` is deployed and nothing hides part of who may send."""
    document = policy.document
    return (policy.active and document is not None and not document.problems
            and not any(statement.problems for statement in document.statements)
            and not policy_unknowns(policy, context.verdict(policy)))


class TerraformCheck(_RuleCheck, TerraformResourceCheck):
    def __init__(self, check_file: str) -> None:
        super().__init__(check_file, TERRAFORM_TYPES)

    def scan_resource_conf(self, conf: dict) -> CheckResult:
        self.evaluated_keys = ["policy"]
        file = self.entity_path.split(f":{self.entity_type}:")[0]
        return self.judge([terraform_policy(conf, self.entity_type, file)])


class CloudFormationCheck(_RuleCheck, CloudFormationResourceCheck):
    def __init__(self, check_file: str) -> None:
        super().__init__(check_file, CLOUDFORMATION_TYPES)

    def scan_resource_conf(self, conf: dict) -> CheckResult:
        properties = conf.get("Properties")
        path = properties.get("__file__") if isinstance(properties, dict) else None
        if not path:
            return CheckResult.UNKNOWN
        logical_id = self.entity_path.rsplit(":", 1)[-1]
        return self.judge([p for p in template_policies(path) if p.address == logical_id])


# ---------------------------------------------------------------------------
# Terraform: checkov's rendered configuration into the model
# ---------------------------------------------------------------------------


def terraform_policy(conf: dict, type_: str, file: str) -> IdentityPolicy:
    """The identity policy a Terraform resource configuration, as checkov renders it, declares."""
    loc = Location(file, conf.get("__start_line__", 0))
    return IdentityPolicy(
        address=conf.get("__address__", type_), type=type_, loc=loc, file=file,
        identity=terraform_value(_argument(conf, "identity", "email_identity")),
        policy_name=terraform_value(_argument(conf, "name", "policy_name")),
        document=parse_document(terraform_value(_argument(conf, "policy")), loc, file), value_locs={"policy": loc})


def _argument(conf: dict, *names: str) -> Any:
    """The value of the first of ``names`` set (checkov wraps each in a list)."""
    for name in names:
        if name in conf:
            value = conf[name]
            return value[0] if isinstance(value, list) and len(value) == 1 else value
    return None


def terraform_value(value: Any) -> Any:
    """``value`` with every reference checkov left unresolved as an ``Unknown``."""
    if isinstance(value, dict):
        return {k: terraform_value(v) for k, v in value.items()}
    if isinstance(value, list):
        return [terraform_value(v) for v in value]
    if not isinstance(value, str):
        return value
    marked = "".join(_REFERENCE.sub(lambda m: embed(_unknown(m.group(0))), part) if literal
                     else embed(_unknown(part)) for part, literal in _interpolations(value))
    if marked == value:
        return value
    parts = split_marked(marked)
    return parts[0] if len(parts) == 1 else marked


def _interpolations(text: str):
    """``(part, is_literal)`` for the text of ``text`` and the insides of its ``${...}``."""
    pos = 0
    while (start := text.find("${", pos)) >= 0:
        depth, end = 1, start + 2
        while end < len(text) and depth:
            depth += {"{": 1, "}": -1}.get(text[end], 0)
            end += 1
        if depth:
            break
        yield text[pos:start], True
        yield text[start + 2:end - 1], False
        pos = end
    yield text[pos:], True


def _unknown(ref: str) -> Unknown:
    """The ``Unknown`` for the reference or expression ``ref``, with the kind sesguard gives it."""
    if _OWNER_ACCOUNT.fullmatch(ref):
        return Unknown(ref, OWNER)
    if _REFERENCE.fullmatch(ref):
        return Unknown(ref, _KINDS.get(ref.split(".", 1)[0], AFTER_APPLY))
    return Unknown(ref, EVALUATION)


# ---------------------------------------------------------------------------
# CloudFormation: the template, with sesguard's loader
# ---------------------------------------------------------------------------


@functools.lru_cache(maxsize=64)
def template_policies(path: str) -> list:
    """The identity policies of the template at ``path``; every check of every resource asks."""
    model = Model()
    with open(path, encoding="utf-8") as f:
        load_template(path, path, f.read(), {}, model)
    return model.identity_policies

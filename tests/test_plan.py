"""Terraform plans (``terraform show -json``): detection, values and unknowns,
actions, module addresses, linking a policy to its identity, pairing with
the configuration, and plans that cannot be read.

Small plans are built here with ``make_plan`` in the shape Terraform writes;
``fixtures/plan`` and the ``fixtures/SES*/*_plan`` cases are hand-written
full plans."""

import json
import os
import shutil
from collections import Counter

import pytest

from analyzer.discover import discover
from analyzer.model import AFTER_APPLY, OWNER, LDict, Location, Model, Unknown, split_marked
from analyzer.plan.loader import load_plan, looks_like_plan, merge_plans_with_terraform
from analyzer.plan.values import PlannedValues, with_unknowns
from analyzer.terraform.loader import TerraformScan, Variables
from conftest import FIXTURES, exact

ACCOUNT = "123456789012"
PUBLIC = json.dumps({"Version": "2012-10-17", "Statement": [
    {"Sid": "Open", "Effect": "Allow", "Principal": {"AWS": "*"}, "Action": "ses:SendEmail", "Resource": "*"}]})
PARTNER = PUBLIC.replace('"*"}', '"444455556666"}', 1)

# ---------------------------------------------------------------------------
# helpers
# ---------------------------------------------------------------------------


def split_address(address: str):
    """``(module address, mode, type, name, index)`` of a simple address."""
    parts = address.split(".")
    modules = []
    while parts[0] == "module":
        modules.append(f"module.{parts[1]}")
        parts = parts[2:]
    mode = "data" if parts[0] == "data" else "managed"
    parts = parts[1:] if mode == "data" else parts
    name, _, key = parts[1].partition("[")
    return ".".join(modules), mode, parts[0], name, json.loads(key[:-1]) if key else None


def change(address, after, actions=("create",), unknown=None, before=None):
    """One ``resource_changes`` entry."""
    module, mode, type_, name, index = split_address(address)
    entry = {"address": address, "mode": mode, "type": type_, "name": name}
    if module:
        entry["module_address"] = module
    if index is not None:
        entry["index"] = index
    entry["provider_name"] = "registry.terraform.io/hashicorp/aws"
    entry["change"] = {"actions": list(actions), "before": before, "after": after,
                       "after_unknown": unknown if unknown is not None else {"id": True},
                       "before_sensitive": False, "after_sensitive": {}}
    return entry


def planned(address, values):
    """One ``planned_values`` / ``prior_state`` resource."""
    module, mode, type_, name, index = split_address(address)
    entry = {"address": address, "mode": mode, "type": type_, "name": name}
    if index is not None:
        entry["index"] = index
    entry.update({"provider_name": "registry.terraform.io/hashicorp/aws", "schema_version": 0,
                  "values": values, "sensitive_values": {}})
    return entry


def make_plan(changes=(), planned_resources=(), prior=(), configuration=None, **top) -> str:
    plan = {"format_version": "1.2", "terraform_version": "1.9.5",
            "planned_values": {"root_module": {"resources": list(planned_resources)}},
            "resource_changes": list(changes),
            "prior_state": {"format_version": "1.0", "values": {"root_module": {"resources": list(prior)}}},
            "configuration": configuration or {"root_module": {}}}
    plan.update(top)
    return json.dumps(plan, indent=2)


def policy(address="aws_ses_identity_policy.p", document=PUBLIC, identity="example.com", **kwargs):
    return change(address, {"identity": identity, "name": "p", "policy": document}, **kwargs)


def identity(address="aws_ses_domain_identity.d", domain="example.com", **kwargs):
    return change(address, {"domain": domain}, unknown={"arn": True, "id": True, "verification_token": True},
                  **kwargs)


def config_resource(address, **expressions):
    module, mode, type_, name, _ = split_address(address)
    return {"address": address, "mode": mode, "type": type_, "name": name, "provider_config_key": "aws",
            "expressions": expressions, "schema_version": 0}


def refs(*references):
    return {"references": list(references)}


def load(text: str, path: str = "plan.json") -> Model:
    model = Model()
    load_plan(path, path, text, model)
    return model


def problems(model: Model) -> list:
    return [(p.line, p.column, p.message) for p in model.problems]


# ---------------------------------------------------------------------------
# detection
# ---------------------------------------------------------------------------

CLOUDFORMATION = json.dumps({"AWSTemplateFormatVersion": "2010-09-09", "Resources": {"Policy": {
    "Type": "AWS::SES::EmailIdentity", "Properties": {"EmailIdentity": "example.com"}}}}, indent=2)
PACKAGE = json.dumps({"name": "mailer", "version": "1.0.0", "dependencies": {"@aws-sdk/client-ses": "^3"}})
STATE = json.dumps({"format_version": "1.0", "terraform_version": "1.9.5", "values": {"root_module": {
    "resources": [planned("aws_ses_domain_identity.d", {"domain": "example.com"})]}}})


@pytest.mark.parametrize("text, expected", [
    (make_plan(), True),
    (make_plan().replace('"resource_changes"', '"other_changes"'), True),  # planned_values alone
    (make_plan().replace('"planned_values"', '"other_values"'), True),  # resource_changes alone
    ("  \n" + make_plan(), True),
    (CLOUDFORMATION, False),
    (PACKAGE, False),
    (STATE, False),  # terraform show -json of a state: values, no plan
    (json.dumps([{"format_version": "1.2", "planned_values": {}}]), False),  # not an object
    ("format_version: '1.2'\nplanned_values: {}\n", False),  # YAML
    ("", False),
], ids=["plan", "planned-values-only", "resource-changes-only", "leading-space", "cloudformation",
        "package-json", "state", "array", "yaml", "empty"])
def test_detection(text, expected):
    assert looks_like_plan(text) is expected


@pytest.mark.parametrize("name, expected", [("lifecycle.json", True), ("state.json", False)])
def test_detection_of_the_samples(name, expected):
    assert looks_like_plan((FIXTURES / "plan" / name).read_text()) is expected


# ---------------------------------------------------------------------------
# values and unknowns
# ---------------------------------------------------------------------------

REF = "aws_sesv2_email_identity.d.dkim"


@pytest.mark.parametrize("value, unknown, expected", [
    ("a", None, "a"),
    ("a", False, "a"),
    (None, True, Unknown(REF, AFTER_APPLY)),
    ({"a": 1}, {"b": True}, {"a": 1, "b": Unknown(f"{REF}.b", AFTER_APPLY)}),
    ([{"tokens": None, "status": "SUCCESS"}], [{"tokens": True}],
     [{"tokens": Unknown(f"{REF}[0].tokens", AFTER_APPLY), "status": "SUCCESS"}]),
    (["x", None], [False, True], ["x", Unknown(f"{REF}[1]", AFTER_APPLY)]),
    ({"outer": {"inner": [None]}}, {"outer": {"inner": [True]}},
     {"outer": {"inner": [Unknown(f"{REF}.outer.inner[0]", AFTER_APPLY)]}}),
], ids=["known", "false", "whole", "object-key", "list-of-objects", "list-element", "deep"])
def test_after_unknown_at_nested_paths(value, unknown, expected):
    assert exact(with_unknowns(value, unknown, REF), expected)


def test_arguments_of_a_change_and_of_planned_values():
    after = LDict({"domain": "example.com", "tags": {"a": "1"}}, Location("p", 3))
    change_values = PlannedValues("x.y", after, {"arn": True, "tags": {"b": True}}, False, Location("p", 1))
    assert change_values.argument("domain") == "example.com"
    assert exact(change_values.argument("arn"), Unknown("x.y.arn", AFTER_APPLY))
    assert exact(change_values.argument("tags"), {"a": "1", "b": Unknown("x.y.tags.b", AFTER_APPLY)})
    assert change_values.argument("absent") is None  # not unknown: the change would say so
    planned_only = PlannedValues("x.y", after, None, True, Location("p", 1))
    assert exact(planned_only.argument("absent"), Unknown("x.y.absent", AFTER_APPLY))


def test_unknown_identity_and_nested_sesv2_values():
    text = make_plan([
        change("aws_sesv2_email_identity.d", {"email_identity": "example.com", "tags": None},
               unknown={"arn": True, "dkim_signing_attributes": [{"tokens": True, "status": True}]}),
        policy("aws_sesv2_email_identity_policy.p", identity=None, unknown={"id": True, "email_identity": True}),
    ])
    model = load(text)
    [ident] = model.identities
    assert (ident.name, ident.kind, ident.source_format) == ("example.com", "domain", "plan")
    [pol] = model.identity_policies
    # sesv2 policies name the identity in email_identity; here it is unknown, and not linked (no configuration)
    assert exact(pol.identity, Unknown("aws_sesv2_email_identity_policy.p.email_identity", AFTER_APPLY))


def test_unknown_policy_is_after_apply_with_the_references_it_depends_on():
    configuration = {"root_module": {"resources": [config_resource(
        "aws_ses_identity_policy.p", identity=refs("aws_ses_domain_identity.d.arn", "aws_ses_domain_identity.d"),
        policy=refs("aws_iam_role.sender.arn", "aws_iam_role.sender", "var.extra"))]}}
    text = make_plan([change("aws_ses_identity_policy.p", {"name": "p"},
                             unknown={"id": True, "identity": True, "policy": True})], configuration=configuration)
    [pol] = load(text).identity_policies
    assert pol.document is None
    assert exact(pol.document_unknown, Unknown("aws_ses_identity_policy.p.policy", AFTER_APPLY))
    assert pol.document_unknown.describe() == ("aws_ses_identity_policy.p.policy is only known after apply "
                                               "(it depends on aws_iam_role.sender.arn, var.extra)")
    lines = text.splitlines()
    assert lines[pol.where("policy").line - 1].strip() == '"policy": true'  # where after_unknown marks it


def test_policy_locations_are_the_policy_value_even_for_multi_line_json():
    document = json.dumps(json.loads(PUBLIC), indent=2)  # as aws_iam_policy_document renders it
    text = make_plan([policy(document=document)])
    [pol] = load(text).identity_policies
    line = next(n for n, t in enumerate(text.splitlines(), 1) if t.strip().startswith('"policy"'))
    [statement] = pol.document.statements
    assert {pol.where("policy").line, *(where.line for where in pol.document.locs.values())} == {line}
    assert set(pol.document.locs) == {"", "Statement/0", "Statement/0/Principal"}


def test_the_account_caller_identity_read_is_the_owner():
    document = PUBLIC.replace('"*"}', f'"arn:aws:iam::{ACCOUNT}:root"}}', 1)
    caller = planned("module.base.data.aws_caller_identity.me", {"account_id": ACCOUNT, "id": ACCOUNT})
    prior = {"root_module": {"child_modules": [{"address": "module.base", "resources": [caller]}]}}
    plan = json.loads(make_plan([policy(document=document)]))
    plan["prior_state"]["values"] = prior
    [pol] = load(json.dumps(plan)).identity_policies
    [entry] = pol.document.statements[0].principals
    assert split_marked(entry.value) == ["arn:aws:iam::", Unknown("module.base.data.aws_caller_identity.me.account_id",
                                                                 OWNER), ":root"]


# ---------------------------------------------------------------------------
# actions, modes, addresses
# ---------------------------------------------------------------------------


@pytest.mark.parametrize("actions, reported", [
    (["create"], True),
    (["update"], True),
    (["no-op"], True),
    (["delete", "create"], True),
    (["create", "delete"], True),
    (["delete"], False),
    (["forget"], False),
])
def test_actions(actions, reported):
    after = None if actions in (["delete"], ["forget"]) else {"identity": "example.com", "name": "p",
                                                                "policy": PUBLIC}
    before = {"identity": "example.com", "name": "p", "policy": PUBLIC, "id": "example.com|p"}
    model = load(make_plan([change("aws_ses_identity_policy.p", after, actions=actions, before=before)]))
    assert problems(model) == []
    assert [p.address for p in model.identity_policies] == (["aws_ses_identity_policy.p"] if reported else [])


def test_data_sources_and_other_types_are_not_resources():
    text = make_plan([change("data.aws_ses_domain_identity.x", {"domain": "example.com"}, actions=["read"]),
                      change("aws_s3_bucket.b", {"bucket": "b", "policy": PUBLIC})])
    model = load(text)
    assert (model.identities, model.identity_policies, model.problems) == ([], [], [])


def test_the_lifecycle_sample():
    path = FIXTURES / "plan" / "lifecycle.json"
    model = load(path.read_text(), str(path))
    assert problems(model) == []
    assert [i.address for i in model.identities] == [
        "aws_ses_domain_identity.d", 'module.mail["eu"].module.inner.aws_ses_domain_identity.this']
    assert [p.address for p in model.identity_policies] == [
        "aws_ses_identity_policy.rotated", "aws_ses_identity_policy.p[0]", "aws_ses_identity_policy.p[1]",
        'module.mail["eu"].aws_ses_identity_policy.this']  # the deleted .old is not there
    rotated = model.identity_policies[0]
    assert rotated.policy_name == "rotated-2"  # the replacement's values, not the destroyed object's
    inner = model.identities[1]
    assert (inner.origin.module_key, inner.origin.module_dir) == ("mail.inner", os.path.join("modules", "identity"))
    assert all(r.source_format == "plan" and r.active for r in model.identities + model.identity_policies)


def test_planned_values_without_a_change_are_read():
    """A refresh-only plan: no resource changes, the state's values in planned_values."""
    values = {"identity": "example.com", "name": "p", "policy": PUBLIC}
    child = {"address": 'module.mail["x"]', "resources": [planned('module.mail["x"].aws_ses_identity_policy.p[0]',
                                                                   values)]}
    plan = json.loads(make_plan())
    plan["planned_values"]["root_module"]["child_modules"] = [child]
    [pol] = load(json.dumps(plan)).identity_policies
    assert pol.address == 'module.mail["x"].aws_ses_identity_policy.p[0]'
    assert pol.document.statements[0].principals[0].value == "*"


# ---------------------------------------------------------------------------
# linking a policy to its identity through the configuration
# ---------------------------------------------------------------------------


@pytest.mark.parametrize("policy_address, references, identities, expected", [
    ("aws_ses_identity_policy.p", ["aws_ses_domain_identity.d.arn", "aws_ses_domain_identity.d"],
     ["aws_ses_domain_identity.d"], ("aws_ses_domain_identity.d", "d.example.com")),
    ('aws_ses_identity_policy.p["b"]', ["aws_ses_domain_identity.d", "each.key"],
     ['aws_ses_domain_identity.d["a"]', 'aws_ses_domain_identity.d["b"]'],
     ('aws_ses_domain_identity.d["b"]', "b.example.com")),
    ("aws_ses_identity_policy.p[1]", ["aws_ses_domain_identity.d", "count.index"],
     ["aws_ses_domain_identity.d"], ("aws_ses_domain_identity.d", "d.example.com")),
    ("aws_ses_identity_policy.p[0]", ['aws_ses_domain_identity.d["b"].arn', 'aws_ses_domain_identity.d["b"]',
                                      "aws_ses_domain_identity.d"],
     ['aws_ses_domain_identity.d["a"]', 'aws_ses_domain_identity.d["b"]'],
     ('aws_ses_domain_identity.d["b"]', "b.example.com")),
    ("module.m.aws_ses_identity_policy.p", ["aws_ses_domain_identity.d.arn", "aws_ses_domain_identity.d"],
     ["module.m.aws_ses_domain_identity.d", "aws_ses_domain_identity.d"],
     ("module.m.aws_ses_domain_identity.d", "d.example.com")),
    ("aws_ses_identity_policy.p", ["var.identity_arn"], ["aws_ses_domain_identity.d"], (None, None)),
], ids=["plain", "for-each-key", "count-into-single", "literal-key", "in-module", "through-a-variable"])
def test_policy_is_linked_to_the_identity_its_configuration_references(policy_address, references, identities,
                                                                         expected):
    changes = [identity(address, domain=f"{split_address(address)[4] or split_address(address)[3]}.example.com")
               for address in identities]
    changes.append(policy(policy_address, identity=None, unknown={"id": True, "identity": True}))
    module = split_address(policy_address)[0]
    resource = config_resource("aws_ses_identity_policy.p", identity={"references": references}, name={},
                               policy={})
    configuration = {"root_module": {"resources": [resource]}}
    if module:
        configuration = {"root_module": {"module_calls": {"m": {"source": "./m", "module": {
            "resources": [resource]}}}}}
    [pol] = load(make_plan(changes, configuration=configuration)).identity_policies
    name = pol.identity if isinstance(pol.identity, str) else None
    assert (pol.identity_address, name) == expected


# ---------------------------------------------------------------------------
# pairing with the configuration
# ---------------------------------------------------------------------------

TF = """\
resource "aws_ses_domain_identity" "d" {
  domain = "example.com"
}

resource "aws_ses_identity_policy" "p" {
  identity = aws_ses_domain_identity.d.arn
  name     = "p"
  policy = jsonencode({
    Statement = [{
      Sid       = "Open"
      Effect    = "Allow"
      Principal = { AWS = var.who }
      Action    = "ses:SendEmail"
      Resource  = "*"
    }]
  })
}

variable "who" {
  type = string
}
"""
PLAN = make_plan([identity(), policy()], configuration={"root_module": {"resources": [config_resource(
    "aws_ses_identity_policy.p", identity=refs("aws_ses_domain_identity.d.arn", "aws_ses_domain_identity.d"))]}})


def write(root, files: dict) -> None:
    for relative, text in files.items():
        path = root / relative
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")


@pytest.fixture
def merged(tmp_path, monkeypatch):
    """``merged({path: text})`` → the model of the tree, its plans (``*.json``) merged."""
    monkeypatch.chdir(tmp_path)

    def run(files: dict) -> Model:
        write(tmp_path, files)
        model = Model()
        discovery = discover(str(tmp_path))
        TerraformScan(discovery, Variables(), model).run()
        for path in sorted(tmp_path.rglob("*.json")):
            relative = os.path.relpath(path)
            load_plan(relative, relative, path.read_text(), model)
        merge_plans_with_terraform(model, [discovery.boundary])
        return model

    return run


def where(model: Model) -> list:
    """``(address, file, line, source format)`` of every resource, and the principal line of policies."""
    found = [(i.address, i.file, i.loc.line, i.source_format) for i in model.identities]
    for pol in model.identity_policies:
        statement = pol.document.statements[0] if pol.document and pol.document.statements else None
        found.append((pol.address, pol.file,
                      pol.document.where(statement.principal_path).line if statement else pol.where("policy").line,
                      pol.source_format))
    return found


@pytest.mark.parametrize("layout, tf_dir, plan_path", [
    ("next-to", "", "plan.json"),
    ("plans-below-the-root", "", "plans/prod.json"),
    ("root-below-the-plan", "infra", "plan.json"),
])
def test_plan_takes_the_configuration_locations(merged, layout, tf_dir, plan_path):
    tf = os.path.join(tf_dir, "main.tf")
    model = merged({tf: TF, plan_path: PLAN})
    assert problems(model) == []
    assert where(model) == [("aws_ses_domain_identity.d", tf, 1, "plan"), ("aws_ses_identity_policy.p", tf, 12, "plan")]
    [pol] = model.identity_policies
    assert pol.document.statements[0].principals[0].value == "*"  # the plan's value, not var.who
    assert (pol.where("policy").line, pol.document.where("Statement/0").file) == (8, tf)


def test_ambiguous_or_unrelated_configurations_keep_the_plan_locations(merged):
    model = merged({"infra/prod/main.tf": TF, "infra/staging/main.tf": TF, "plan.json": PLAN,
                    "other/main.tf": TF.replace('"p"', '"q"'), "other/plans/q.json": PLAN})
    assert Counter(r[1] for r in where(model)) == Counter({
        "infra/prod/main.tf": 2, "infra/staging/main.tf": 2,  # several roots below plan.json: none is chosen
        "other/main.tf": 2,  # the policy there is aws_ses_identity_policy.q
        "plan.json": 2, "other/plans/q.json": 1})  # the identity pairs, the policy does not


def test_statements_that_differ_point_at_the_policy_argument(merged):
    plan = PLAN.replace('\\"Sid\\": \\"Open\\"', '\\"Sid\\": \\"Changed\\"')
    model = merged({"main.tf": TF, "plan.json": plan})
    [pol] = model.identity_policies
    assert (pol.file, pol.document.where("Statement/0/Principal").line, pol.document.where().line) == ("main.tf", 8, 8)


def test_module_resources_pair_through_local_and_downloaded_sources(merged):
    module_tf = TF.replace('variable "who"', 'variable "unused"').replace("var.who", '"*"')
    configuration = {"root_module": {"module_calls": {
        "local": {"source": "./modules/mail", "module": {}},
        "remote": {"source": "acme/ses/aws", "module": {}}}}}
    changes = [policy(f"module.{name}.aws_ses_identity_policy.p") for name in ("local", "remote")]
    modules_json = json.dumps({"Modules": [{"Key": "", "Source": "", "Dir": "."},
                                           {"Key": "remote", "Source": "registry.terraform.io/acme/ses/aws",
                                            "Dir": ".terraform/modules/remote"}]})
    model = merged({
        "main.tf": 'module "local" {\n  source = "./modules/mail"\n}\n\nmodule "remote" {\n'
                   '  source = "acme/ses/aws"\n}\n',
        "modules/mail/main.tf": module_tf, ".terraform/modules/remote/main.tf": module_tf,
        ".terraform/modules/modules.json": modules_json,
        "plan.json": make_plan(changes, configuration=configuration)})
    policies = [(a, f, line, s) for a, f, line, s in where(model) if "policy" in a]
    assert sorted(policies) == [
        ("module.local.aws_ses_identity_policy.p", "modules/mail/main.tf", 12, "plan"),
        ("module.remote.aws_ses_identity_policy.p", ".terraform/modules/remote/main.tf", 12, "plan")]


def test_merge_without_a_plan_changes_nothing(merged):
    model = merged({"main.tf": TF})
    assert where(model) == [("aws_ses_domain_identity.d", "main.tf", 1, "terraform"),
                            ("aws_ses_identity_policy.p", "main.tf", 12, "terraform")]


def test_plan_cases_give_the_verdicts_of_their_configuration(monkeypatch):
    """Each ``<case>_plan`` fixture reports what ``<case>`` reports (its active findings)."""
    from analyzer.engine import ScanOptions, scan

    def findings(case):
        monkeypatch.chdir(case)
        return Counter((f.rule_id, f.resource, f.severity) for f in scan(ScanOptions(paths=["."])).findings
                       if f.active)

    pairs = [(c, c.with_name(c.name[:-len("_plan")])) for c in FIXTURES.glob("SES*/*_plan")
             if c.with_name(c.name[:-len("_plan")]).is_dir()]
    assert len(pairs) >= 11
    for plan_case, tf_case in pairs:
        assert findings(plan_case) == findings(tf_case), plan_case.name


# ---------------------------------------------------------------------------
# plans that cannot be read
# ---------------------------------------------------------------------------

GOOD = json.loads(make_plan([policy()]))


def edited(**changes) -> str:
    plan = json.loads(json.dumps(GOOD))
    for key, value in changes.items():
        if value is None:
            del plan[key]
        else:
            plan[key] = value
    return json.dumps(plan, indent=2)


def broken_change(**fields) -> str:
    entry = json.loads(json.dumps(GOOD["resource_changes"][0]))
    for path, value in fields.items():
        target = entry
        *parents, last = path.split("__")
        for parent in parents:
            target = target[parent]
        target[last] = value
    return edited(resource_changes=[entry])


def position(text: str, at: str) -> tuple:
    """``(line, column)`` of the first ``at`` in ``text``; the end of the text for ""."""
    offset = text.index(at) if at else len(text)
    line = text.count("\n", 0, offset) + 1
    return line, offset - (text.rfind("\n", 0, offset) + 1) + 1


@pytest.mark.parametrize("text, at, message", [
    ('{\n  "format_version": "1.2",\n  "planned_values": {"root_module": ', "", "cannot parse the "
                                                                                "Terraform plan: unexpected end "
                                                                                "of JSON"),
    ('{"format_version": "1.2", "resource_changes": [}', "}", "cannot parse the Terraform plan: "
                                                             "unexpected character '}'"),
    (edited(format_version="2.0"), '"2.0"', "not a valid Terraform plan: format_version 2.0 is not supported "
                                            "(sesguard reads plan format 1.x)"),
    (edited(format_version=1.2), '"format_version"', "not a valid Terraform plan: format_version must be a "
                                                     'string such as "1.2"'),
    (edited(format_version="one"), '"one"', "not a valid Terraform plan: format_version 'one' is not a version "
                                            'such as "1.2"'),
    (edited(format_version=None), "{", 'not a valid Terraform plan: format_version must be a string such as '
                                       '"1.2"'),
    (edited(resource_changes={}), '"resource_changes"', "not a valid Terraform plan: resource_changes must be "
                                                        "a list"),
    (edited(planned_values=[]), '"planned_values"', "not a valid Terraform plan: planned_values must be a JSON "
                                                    "object"),
    (broken_change(address=7), '"address"', "not a valid resource change: address must be a string"),
    (broken_change(change__actions=[]), '"actions"', "not a valid resource change: actions must be a non-empty list of "
                                              "strings"),
    (broken_change(change__after=["x"]), '"after"', "not a valid resource change: after must be a JSON object "
                                                    "(the planned values)"),
    (broken_change(module_address="mod.x"), '{\n      "address"', "not a valid resource change: module address "
                                                                   "'mod.x' is not a Terraform module address"),
    (broken_change(address="aws_ses_identity_policy.q"), '"address"', "not a valid resource change: address "
                                                                      "'aws_ses_identity_policy.q' is not "
                                                                      "'aws_ses_identity_policy.p' with an optional "
                                                                      "instance key"),
    (edited(resource_changes=["x"]), '"x"', "not a valid resource change: a resource change must be a JSON "
                                            "object"),
], ids=["truncated", "syntax", "major-version", "version-number", "version-text", "no-version",
        "changes-not-list", "planned-not-object", "address-not-string", "no-actions", "after-not-object",
        "bad-module-address", "address-mismatch", "change-not-object"])
def test_malformed_plans_are_problems_with_positions(text, at, message):
    model = load(text)
    assert problems(model) == [(*position(text, at), message)]
    assert model.identity_policies == []


def test_a_plan_terraform_could_not_finish_is_reported_and_read():
    model = load(edited(errored=True))
    assert [m for _, _, m in problems(model)] == [
        "Terraform reported errors while planning: the plan is incomplete, and SES resources it does not hold "
        "were not analyzed"]
    assert [p.address for p in model.identity_policies] == ["aws_ses_identity_policy.p"]


def test_a_bad_entry_does_not_hide_the_others():
    entries = [{"address": "x"}, GOOD["resource_changes"][0]]
    model = load(edited(resource_changes=entries))
    assert [m for _, _, m in problems(model)] == ["not a valid resource change: type must be a string"]
    assert [p.address for p in model.identity_policies] == ["aws_ses_identity_policy.p"]


@pytest.mark.parametrize("text", [
    edited(configuration=[]),
    edited(configuration={"root_module": {"resources": "x", "module_calls": []}}),
    edited(prior_state={"values": {"root_module": {"resources": [{"mode": "data"}]}}}),
    edited(planned_values={"root_module": {"child_modules": [7]}}),
    broken_change(change__after_unknown=[True]),
    broken_change(change__after={"identity": None, "name": 3, "policy": {"Statement": 1}}),
])
def test_odd_shapes_never_raise(text):
    model = load(text)
    assert all("internal error" not in p.message for p in model.problems)


def test_policy_that_is_not_json_is_a_policy_problem():
    model = load(make_plan([policy(document="{not json")]))
    [pol] = model.identity_policies
    assert pol.document.problems and pol.document.where() == pol.where("policy")


def test_scanning_a_plan_file_given_by_name(tmp_path, monkeypatch):
    shutil.copy(FIXTURES / "SES102" / "account_plan" / "plan.json", tmp_path / "tfplan.json")
    monkeypatch.chdir(tmp_path)
    from analyzer.engine import ScanOptions, scan

    report = scan(ScanOptions(paths=["tfplan.json"], dns="off"))
    assert [(f.rule_id, f.file, f.location.line, f.identity) for f in report.findings] == [
        ("SES102", "tfplan.json", 72, "example.com")]

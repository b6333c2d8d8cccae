"""What an unknown key picks: one of known values (issue #11, never guess).

The evaluator keeps the values an unknown key may pick from a known map or
list, or an unknown condition from its two branches, as an ``Alternatives``
(an ``Unknown`` everywhere else); the policy verdict reports only what holds
for every one of them."""

import pickle

import pytest

from analyzer.cloudformation.adapter import _get as adapter_get
from analyzer.cloudformation.dns_records import _get as records_get
from analyzer.cloudformation.intrinsics import present
from analyzer.cloudformation.policies import _get as policies_get
from analyzer.engine import ScanOptions, scan
from analyzer.model import MAX_ALTERNATIVES, Alternatives, Unknown, has_marker
from analyzer.policy.alternatives import evaluate_each
from analyzer.policy.document import parse_document
from analyzer.policy.verdict import Trust
from test_cloudformation import evaluate as cfn_evaluate
from test_terraform import COLLECTIONS, load, value_of  # noqa: F401  (fixtures used by name)


@pytest.mark.parametrize("expression,ref,options", [
    ("local.m[var.u]", "local.m[var.u]", [2, 1, 3]),
    ("local.l[var.u]", "local.l[var.u]", ["x", "y", "z"]),
    ("var.u ? local.l[0] : local.l[2]", "var.u", ["x", "z"]),
    ("(local.m[var.u])", "local.m[var.u]", [2, 1, 3]),  # parentheses pass it on
    ('"${local.m[var.u]}"', "local.m[var.u]", [2, 1, 3]),  # so does a template that is one interpolation
    ("local.objs[var.u].n", "local.objs[var.u].n", ["a", "b", "c"]),  # an attribute of each option
    ("aws_iam_role.each[var.u].name", "aws_iam_role.each[var.u].name", ["each-p", "each-q"]),  # instances
    ("var.u ? local.m[var.u] : local.l[var.u]", "var.u", [2, 1, 3, "x", "y", "z"]),  # flattened
    # branches that depend on the same variable are not the same value: each keeps its own options
    ("var.u ? (var.u ? local.l[0] : local.l[1]) : (var.u ? local.l[2] : local.m.a)", "var.u", ["x", "y", "z", 1]),
    ("[var.u ? local.l[0] : local.l[1], var.u ? local.l[2] : local.m.a][var.u]", "var.u", ["x", "y", "z", 1]),
])
def test_an_unknown_key_picks_one_of_the_known_values(value_of, expression, ref, options):
    found = value_of(expression, COLLECTIONS)
    assert type(found) is Alternatives
    assert (found.ref, found.kind, list(found.options)) == (ref, "variable", options)


@pytest.mark.parametrize("expression", [
    "upper(local.l[var.u])",  # a function computes from the pick
    "local.m[var.u] + 1",  # so does an operator
    '"${local.l[var.u]}\\n"',  # and a template with more than the interpolation
    '"%{if var.u}${local.l[var.u]}%{endif}"',  # or a directive
    "[for x in [local.l[var.u]] : upper(x)][0]",  # a for expression computing from it
    "local.objs[var.u].nope",  # an option without the attribute: the pick may fail
    "var.u ? local.l[0] : var.u",  # a branch that is itself unknown
    "aws_iam_role.each[var.u]",  # an instance is no value
    "var.u ? local.l[var.u] : var.u",  # one branch is any value at all
    # a pick inside what a function builds may not sit where its key put it
    'distinct(["x", local.l[var.u], "z"])[1]',  # "y" is element 1, unless the pick is "x"
    'tolist(toset([local.l[var.u], "a"]))[0]',  # a set's order is its values'
])
def test_what_is_computed_from_a_pick_is_a_plain_unknown(value_of, expression):
    found = value_of(expression, COLLECTIONS)
    assert type(found) is Unknown or (isinstance(found, str) and has_marker(found))  # a string with the unknown in it


def test_a_condition_in_error_is_the_error(value_of):
    found = value_of('nosuchfn(1) ? local.l[0] : local.l[1]', COLLECTIONS)
    assert found.kind == "error" and found.ref.startswith("the function nosuchfn is not supported by sesguard")


@pytest.mark.parametrize("argument", ["for_each = var.u ? { a = \"x\" } : { b = \"y\" }\n  domain   = each.value",
                                      "count  = var.u ? 1 : 2\n  domain = count.index"])
def test_an_instance_of_a_block_over_a_pick_is_not_one_of_its_options(load, argument):
    model = load({"main.tf": 'variable "u" {}\nresource "aws_ses_domain_identity" "probe" {\n  %s\n}\n' % argument})
    [probe] = model.identities
    assert isinstance(probe.name, Unknown) and type(probe.name) is not Alternatives


@pytest.mark.parametrize("type_,kept", [("any", True), ("string", False), ("list(string)", False),
                                         ("set(any)", False)])
def test_a_typed_module_variable_holds_its_converted_value_not_the_options(load, type_, kept):
    """The options are not converted to the variable's type, so only ``any`` keeps them."""
    wrap, unwrap = ("[", "]") if "(" in type_ else ("", "")
    model = load({
        "main.tf": COLLECTIONS + 'module "m" {\n  source = "./m"\n  p = %slocal.l[var.u]%s\n}\n' % (wrap, unwrap),
        "m/main.tf": 'variable "p" {\n  type = %s\n}\nresource "aws_ses_domain_identity" "probe" {\n'
                     '  domain = %s\n}\n' % (type_, "[for x in var.p : x][0]" if "set" in type_ else
                                                 "var.p[0]" if wrap else "var.p"),
    })
    [probe] = [i for i in model.identities if i.address == "module.m.aws_ses_domain_identity.probe"]
    assert isinstance(probe.name, Unknown) and (type(probe.name) is Alternatives) == kept


def test_more_options_than_the_limit_are_a_plain_unknown(value_of):
    extra = f'locals {{\n  many = range({MAX_ALTERNATIVES + 1})\n  enough = range({MAX_ALTERNATIVES})\n}}\n'
    assert type(value_of("local.many[var.u]", COLLECTIONS + extra)) is Unknown
    assert len(value_of("local.enough[var.u]", COLLECTIONS + extra).options) == MAX_ALTERNATIVES


def test_alternatives_survive_pickling():
    found = Alternatives("local.m[var.u]", "variable", None, "", ["a", "b"])
    again = pickle.loads(pickle.dumps(found))
    assert (type(again), again.ref, again.kind, again.options) == (Alternatives, "local.m[var.u]", "variable",
                                                                   ("a", "b"))
    assert type(again.plain()) is Unknown and again.plain() == found


PUBLIC = '{"Statement": [{"Effect": "Allow", "Principal": "*", "Action": "ses:SendEmail", "Resource": "*"}]}'
PARTNER = ('{"Statement": [{"Effect": "Allow", "Principal": {"AWS": "444455556666"}, "Action": "ses:SendEmail", '
           '"Resource": "*"}]}')
DENIED = ('{"Statement": [{"Effect": "Allow", "Principal": "*", "Action": "ses:SendEmail", "Resource": "*"}, '
          '{"Effect": "Deny", "Principal": "*", "Action": "ses:*", "Resource": "*", '
          '"Condition": {"StringNotEquals": {"aws:PrincipalAccount": "111122223333"}}}]}')
NETWORK = ('{"Statement": [{"Effect": "Allow", "Principal": "*", "Action": "ses:SendEmail", "Resource": "*", '
           '"Condition": {"IpAddress": {"aws:SourceIp": "203.0.113.0/24"}}}]}')
PUBLIC_AND_PARTNER = ('{"Statement": [{"Effect": "Allow", "Principal": "*", "Action": "ses:SendEmail", "Resource": "*"},'
                      ' {"Effect": "Allow", "Principal": {"AWS": "444455556666"}, "Action": "ses:SendRawEmail", '
                      '"Resource": "*"}]}')
PINPOINT = ('{"Statement": [{"Effect": "Allow", "Principal": {"Service": "pinpoint.amazonaws.com"}, '
            '"Action": "ses:SendEmail", "Resource": "*"}]}')
PINPOINT_AND_PARTNER = PINPOINT.replace("}]}", '}, {"Effect": "Allow", "Principal": {"AWS": "444455556666"}, '
                                         '"Action": "ses:SendEmail", "Resource": "*"}]}')
KEY = Unknown("local.policies[var.mode]", "variable")


@pytest.mark.parametrize("documents,public,services,undecided", [
    ([PUBLIC, PUBLIC], True, [], False),
    ([PUBLIC, DENIED], False, [], True),  # a Deny in one document turns the others away: no verdict holds for all
    ([PUBLIC, PARTNER], False, [], True),  # the partner is admitted by one document only
    ([PINPOINT, PINPOINT], False, ["pinpoint.amazonaws.com"], False),
    ([PINPOINT, PUBLIC], False, [], True),  # the public document admits Pinpoint as anyone, not as a service
    ([PUBLIC, PUBLIC_AND_PARTNER], True, [], True),  # public whatever is picked; the partner only maybe
    ([PINPOINT, PINPOINT_AND_PARTNER], False, ["pinpoint.amazonaws.com"], True),
])
def test_a_verdict_is_reported_only_when_it_holds_for_every_document(documents, public, services, undecided):
    verdict = evaluate_each([parse_document(d) for d in documents], KEY, Trust(frozenset({"111122223333"})))
    assert [g.public for g in verdict.grants] == ([True] if public else [False] * bool(services))
    assert [s for g in verdict.grants for s in g.services_without_source] == services
    assert verdict.unknowns == ([KEY] if undecided else [])
    if verdict.grants:
        assert verdict.grants[0].notes[-1] == (
            "The policy is whichever of its 2 documents ${local.policies[var.mode]} picks, and every one of them "
            + ("lets anyone send" if public else "lets pinpoint.amazonaws.com send for any source"))


@pytest.mark.parametrize("documents", [[PUBLIC, NETWORK], [NETWORK, PUBLIC]])
def test_the_grant_reported_is_the_weakest_whatever_the_order(documents):
    verdict = evaluate_each([parse_document(d) for d in documents], KEY, Trust())
    assert [(g.public, [c.key for c in g.network]) for g in verdict.grants] == [(True, ["aws:SourceIp"])]
    assert verdict.unknowns == []


def test_a_finding_on_every_document_traces_to_each_documents_principal(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    (tmp_path / "main.tf").write_text('''variable "mode" {
  type = string
}
resource "aws_ses_domain_identity" "d" {
  domain = "example.com"
}
locals {
  policies = {
    a = jsonencode({ Statement = [{ Effect = "Allow", Principal = "*", Action = "ses:SendEmail", Resource = "*" }] })
    b = jsonencode({ Statement = [{ Effect = "Allow", Principal = "*", Action = "ses:SendRawEmail", Resource = "*" }] })
  }
}
resource "aws_ses_identity_policy" "p" {
  identity = aws_ses_domain_identity.d.arn
  name     = "p"
  policy   = local.policies[var.mode]
}
''', encoding="utf-8")
    report = scan(ScanOptions(paths=["."], dns="off"))
    assert [(f.rule_id, f.file, f.location.line, [(t.file, t.line, t.what) for t in f.trace])
            for f in report.findings] == [("SES101", "main.tf", 16, [("main.tf", 9, "value written"),
                                                                      ("main.tf", 10, "value written")])]


# -- CloudFormation: Fn::If whose condition is not known -------------------------------------------------------


@pytest.mark.parametrize("expression,ref,kind,options", [
    ("!If [Unknowable, a, b]", "NoDefault", "variable", ["a", "b"]),
    ("!If [OwnerIs, a, b]", "Fn::If OwnerIs", "evaluation", ["a", "b"]),  # the account: a branch of each
    ("!If [Unknowable, [a], {k: v}]", "NoDefault", "variable", [["a"], {"k": "v"}]),
    ("!If [Unknowable, !If [IsProd, a, b], !If [Unknowable, c, d]]", "NoDefault", "variable", ["a", "c", "d"]),
])
def test_an_unknown_condition_picks_one_of_the_branches(expression, ref, kind, options):
    found = cfn_evaluate(expression)
    assert type(found) is Alternatives
    assert (found.ref, found.kind, list(found.options)) == (ref, kind, options)


@pytest.mark.parametrize("expression", [
    "!If [Unknowable, a, !Ref NoDefault]",  # a branch that is not known
    "!Select [0, !If [Unknowable, [a], [b]]]",  # what a function computes from the branches
    "!FindInMap [Stages, !If [Unknowable, prod, prod], Account]",
    "!Length (!If [Unknowable, [a], [b, c]])",
    "!Ref Picked",  # the name of an identity whose Properties an unknown condition picks
])
def test_what_is_not_a_branch_as_written_is_a_plain_unknown(expression):
    found = cfn_evaluate(expression, extra="""  Picked:
    Type: AWS::SES::EmailIdentity
    Properties: !If [Unknowable, {EmailIdentity: a.example.com}, {EmailIdentity: b.example.com}]
""")
    assert isinstance(found, Unknown) and type(found) is not Alternatives, found


def test_an_unknown_condition_in_error_stays_the_error():
    found = cfn_evaluate("!If [Loop, a, b]")
    assert (type(found), found.kind) == (Unknown, "error")


@pytest.mark.parametrize("get", [adapter_get, policies_get, records_get])
def test_a_property_under_a_picked_mapping_is_a_plain_unknown(get):
    """``Properties: !If [...]``: the policy under it is not one of the branches."""
    picked = Alternatives("Legacy", "variable", None, "", [{"PolicyDocument": {"Statement": []}}, {}])
    found = get(picked, "PolicyDocument")
    assert (type(found), found.ref) == (Unknown, "Legacy")


@pytest.mark.parametrize("expression,value,conditional", [
    ("!If [Unknowable, a, !Ref AWS::NoValue]", "a", True),
    ("!If [Unknowable, !Ref AWS::NoValue, [a]]", ["a"], True),
    ("!If [Unknowable, a, b]", None, False),  # a pick of two values, read as it is
    ("plain", "plain", False),
])
def test_a_property_declared_only_if_an_unknown_condition_holds(expression, value, conditional):
    found, declared = present(cfn_evaluate(expression), "Policies property")
    assert (found if value is not None else type(found), bool(declared)) == (value or Alternatives, conditional)
    if conditional:
        assert declared == ("its Policies property is declared only if an Fn::If condition holds, which is not known: "
                            "parameter NoDefault has no value; pass --cfn-parameter NoDefault=... or give it a Default")


def test_a_pick_among_several_values_or_none_is_a_plain_unknown():
    found, declared = present(cfn_evaluate("!If [Unknowable, !If [Unknowable, a, b], !Ref AWS::NoValue]"), "x")
    assert (type(found), declared) == (Unknown, "")

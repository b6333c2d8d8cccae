"""CloudFormation: the YAML loader, intrinsic functions and conditions,
recognition of templates, what the adapter puts in the model, malformed
input, and real templates from the shared corpus.

Values are compared exactly (``conftest.exact``): types matter, and an
``Unknown`` is its ref and kind."""

import base64
import json
import os

import pytest
import yaml

from analyzer.cloudformation import yaml_loader
from analyzer.cloudformation.intrinsics import NO_VALUE, Resolver
from analyzer.cloudformation.loader import load_template, looks_like_template
from analyzer.cloudformation.yaml_loader import MAX_NODES, SourceText, YAMLLoadError, load_yaml
from analyzer.documents import DocumentOptions, load_documents
from analyzer.engine import ScanOptions, scan
from analyzer.model import (AFTER_APPLY, DATA, ERROR, EVALUATION, EXPLICIT, OWNER, UNRESOLVED, VARIABLE, Model,
                            Unknown, Value, embed)
from conftest import FIXTURES, exact

SAMPLES = FIXTURES / "cloudformation"
ACCOUNT = embed(Unknown("AWS::AccountId", OWNER))
TOKEN = 'ServiceToken: !Sub "arn:aws:lambda:${AWS::Region}:${AWS::AccountId}:function:cfn-ses-provider"'


def load(text: str, parameters: dict = None, file: str = "t.yaml") -> Model:
    model = Model()
    load_template(file, file, text, parameters or {}, model)
    return model


# ---------------------------------------------------------------------------
# YAML loader
# ---------------------------------------------------------------------------

SHORT_FORMS = [
    ("!Ref Name", {"Ref": "Name"}),
    ("!Condition IsProd", {"Condition": "IsProd"}),
    ("!GetAtt Role.Arn", {"Fn::GetAtt": ["Role", "Arn"]}),
    ("!GetAtt Stack.Outputs.Url", {"Fn::GetAtt": ["Stack", "Outputs.Url"]}),
    ("!GetAtt [Role, Arn]", {"Fn::GetAtt": ["Role", "Arn"]}),
    ("!Sub 'a-${B}'", {"Fn::Sub": "a-${B}"}),
    ("!Sub ['a-${B}', {B: 1}]", {"Fn::Sub": ["a-${B}", {"B": 1}]}),
    ("!Join [':', [a, b]]", {"Fn::Join": [":", ["a", "b"]]}),
    ("!If [C, 1, 2]", {"Fn::If": ["C", 1, 2]}),
    ("!Select [0, [a]]", {"Fn::Select": [0, ["a"]]}),
    ("!Split [',', 'a,b']", {"Fn::Split": [",", "a,b"]}),
    ("!FindInMap [M, a, b]", {"Fn::FindInMap": ["M", "a", "b"]}),
    ("!ImportValue shared-vpc", {"Fn::ImportValue": "shared-vpc"}),
    ("!Base64 text", {"Fn::Base64": "text"}),
    ("!Equals [a, b]", {"Fn::Equals": ["a", "b"]}),
    ("!And [!Condition A, !Condition B]", {"Fn::And": [{"Condition": "A"}, {"Condition": "B"}]}),
    ("!Or [!Condition A, !Condition B]", {"Fn::Or": [{"Condition": "A"}, {"Condition": "B"}]}),
    ("!Not [!Condition A]", {"Fn::Not": [{"Condition": "A"}]}),
    ("!GetAZs ''", {"Fn::GetAZs": ""}),
    ("!Cidr [10.0.0.0/16, 4, 8]", {"Fn::Cidr": ["10.0.0.0/16", 4, 8]}),
    ("!Base64 {Fn::Sub: x}", {"Fn::Base64": {"Fn::Sub": "x"}}),
    ("!Ref 123", {"Ref": "123"}),  # a tagged scalar is text as written
    ("!Rain::Embed script.sh", {"Rain::Embed": "script.sh"}),
]


@pytest.mark.parametrize("text,expected", SHORT_FORMS, ids=[t for t, _ in SHORT_FORMS])
def test_short_forms_become_long_forms(text, expected):
    assert exact(load_yaml("v: " + text, "t.yaml").value["v"], expected)


SCALARS = [
    ("2010-09-09", "2010-09-09"),  # a timestamp stays text, as CloudFormation reads it
    ("'123'", "123"),
    ("123", 123),
    ("1.5", 1.5),
    ("true", True),
    ("null", None),
    ("~", None),
    ("!!str 12", "12"),
    ("ses:SendEmail", "ses:SendEmail"),
]


@pytest.mark.parametrize("text,expected", SCALARS, ids=[t for t, _ in SCALARS])
def test_scalars(text, expected):
    assert exact(load_yaml("v: " + text, "t.yaml").value["v"], expected)


def test_every_value_keeps_its_location():
    text = ("Resources:\n"
            "  Policy:\n"
            "    Properties:\n"
            "      Principal: {AWS: '*'}\n"
            "      Actions: [ses:SendEmail]\n"
            "      Arn: !GetAtt Role.Arn\n"
            "      Text: |\n"
            "        {\"a\": 1}\n")
    props = load_yaml(text, "t.yaml").value["Resources"]["Policy"]["Properties"]
    where = {
        "mapping": props.loc,
        "key Principal": props.key_locs["Principal"],
        "flow mapping": props["Principal"].loc,
        "string": props["Principal"]["AWS"].loc,
        "sequence": props["Actions"].loc,
        "list item": props["Actions"][0].loc,
        "short form": props["Arn"].loc,
        "short form part": props["Arn"]["Fn::GetAtt"][1].loc,
        "literal block": props["Text"].loc,
    }
    assert {k: (v.file, v.line, v.column) for k, v in where.items()} == {
        "mapping": ("t.yaml", 4, 7),
        "key Principal": ("t.yaml", 4, 7),
        "flow mapping": ("t.yaml", 4, 18),
        "string": ("t.yaml", 4, 24),
        "sequence": ("t.yaml", 5, 16),
        "list item": ("t.yaml", 5, 17),
        "short form": ("t.yaml", 6, 12),
        "short form part": ("t.yaml", 6, 12),
        "literal block": ("t.yaml", 8, 9),  # the block's first line, where its text starts
    }
    assert props.key_locs["Principal"].end_line == 4 and props.key_locs["Principal"].end_column == 28
    assert isinstance(props["Text"], SourceText) and not isinstance(props["Arn"]["Fn::GetAtt"][1], SourceText)


def test_a_key_written_twice_is_reported_and_the_last_value_kept():
    loaded = load_yaml("a: 1\nb:\n  c: 2\n  c: 3\n", "t.yaml")
    assert loaded.value == {"a": 1, "b": {"c": 3}}
    assert [(key, loc.line, loc.column) for key, loc in loaded.duplicates] == [("c", 4, 3)]


def test_an_alias_is_the_anchored_value():
    loaded = load_yaml("a: &x [1, 2]\nb: *x\nc: {<<: *x}\n", "t.yaml").value
    assert exact(loaded["b"], [1, 2])
    assert exact(loaded["c"], {"<<": [1, 2]})  # CloudFormation has no merge keys


def _bomb(levels: int) -> str:
    lines = ["a0: &a0 [x, x, x, x, x, x, x, x, x, x]"]
    lines += [f"a{i}: &a{i} [" + ", ".join([f"*a{i - 1}"] * 10) + "]" for i in range(1, levels)]
    return "\n".join(lines) + "\n"


BAD_YAML = [
    ("a: [1, 2\n", "YAML syntax error: ", 2, 1),  # the wording is the parser's
    ("a: b\n c: d\n", "YAML syntax error: ", 2, 3),
    ("a: !Reff x\n", "unknown tag !Reff (not a CloudFormation intrinsic function)", 1, 4),
    ("a: !!binary aGk=\n", "unsupported YAML type !!binary", 1, 4),
    ("a: !Foo [1]\n", "unknown tag !Foo (not a CloudFormation intrinsic function)", 1, 4),
    ("a: *nowhere\n", "alias *nowhere refers to no anchor before it (or to the collection it is in)", 1, 4),
    ("a: &x [*x]\n", "alias *x refers to no anchor before it (or to the collection it is in)", 1, 8),
    ("a: 1\n---\nb: 2\n", "a template must be a single YAML document, but another one starts here", 2, 1),
    ("? [a]\n: b\n", "a mapping key must be a plain string", 1, 3),
    ("a: 1\n!Ref b: 2\n", "a mapping key must be a plain string", 2, 1),
    (_bomb(6), f"the document expands to more than {MAX_NODES} nodes (aliases included); not analyzed", 6, 10),
    ("a:\n" + "".join("  " * (i + 1) + f"k{i}:\n" for i in range(250)),
     "nesting deeper than 200 levels, the --max-depth limit; not analyzed", 201, 401),
]


@pytest.mark.parametrize("text,message,line,column", BAD_YAML, ids=[m[:40] for _, m, _, _ in BAD_YAML])
def test_malformed_yaml(text, message, line, column):
    with pytest.raises(YAMLLoadError) as raised:
        load_yaml(text, "t.yaml")
    assert raised.value.message.startswith(message) and (raised.value.line, raised.value.column) == (line, column)
    assert raised.value.message == message or message == "YAML syntax error: "


def test_a_billion_laughs_stops_fast():
    with pytest.raises(YAMLLoadError):
        load_yaml(_bomb(9), "t.yaml")  # 10**9 nodes once expanded


def test_the_pure_python_parser_gives_the_same_values_and_locations(monkeypatch):
    text = (SAMPLES / "sam" / "template.yaml").read_text()
    fast = load_yaml(text, "t.yaml").value
    monkeypatch.setattr(yaml_loader, "_Parser", type("_Parser", (yaml.SafeLoader,), {}))
    slow = load_yaml(text, "t.yaml").value
    assert exact(slow, fast)
    policy = ["Resources", "IdentityPolicy", "Properties", "PolicyDocument", "Statement"]
    a, b = fast, slow
    for key in policy:
        a, b = a[key], b[key]
    assert a[0].key_locs == b[0].key_locs


def test_an_empty_document_is_none():
    assert load_yaml("# nothing\n", "t.yaml").value is None


# ---------------------------------------------------------------------------
# intrinsic functions, pseudo parameters, conditions
# ---------------------------------------------------------------------------

BASE = """
Parameters:
  Env: {Type: String, Default: prod}
  NoDefault: {Type: String}
  Accounts: {Type: CommaDelimitedList, Default: "111122223333,444455556666"}
  Ports: {Type: "List<Number>", Default: "80,443"}
  Version: {Type: "AWS::SSM::Parameter::Value<String>", Default: /cdk-bootstrap/version}
  Count: {Type: Number, Default: 3}
Mappings:
  Stages:
    prod: {Account: "111122223333", Names: [a, b]}
Conditions:
  IsProd: !Equals [!Ref Env, prod]
  IsDev: !Not [!Condition IsProd]
  Unknowable: !Equals [!Ref NoDefault, x]
  OwnerIs: !Equals [!Ref AWS::AccountId, "111122223333"]
  Loop: !Not [!Condition Loop]
Resources:
  Identity: {Type: AWS::SES::EmailIdentity, Properties: {EmailIdentity: example.com}}
  ConfigSet: {Type: AWS::SES::ConfigurationSet, Properties: {Name: transactional}}
  Role: {Type: AWS::IAM::Role, Properties: {}}
"""


def evaluate(expression: str, parameters: dict = None, extra: str = ""):
    resolver = Resolver(load_yaml(BASE + extra, "t.yaml").value, parameters or {})
    resolved = resolver.resolve(load_yaml("Probe: " + expression, "p.yaml").value)
    return resolved.get("Probe", NO_VALUE)


def error(text: str) -> Unknown:
    return Unknown(text, ERROR)


INTRINSICS = [
    # Ref: parameters
    ("!Ref Env", "prod"),
    ("!Ref Accounts", ["111122223333", "444455556666"]),
    ("!Ref Ports", ["80", "443"]),
    ("!Ref Count", "3"),
    ("!Ref NoDefault", Unknown("NoDefault", VARIABLE)),
    ("!Ref Version", Unknown("Version", DATA)),
    # pseudo parameters
    ("!Ref AWS::AccountId", Unknown("AWS::AccountId", OWNER)),
    ("!Ref AWS::Region", Unknown("AWS::Region", VARIABLE)),
    ("!Ref AWS::Partition", Unknown("AWS::Partition", VARIABLE)),
    ("!Ref AWS::StackName", Unknown("AWS::StackName", EVALUATION)),
    ("!Ref AWS::StackId", Unknown("AWS::StackId", EVALUATION)),
    ("!Ref AWS::URLSuffix", Unknown("AWS::URLSuffix", EVALUATION)),
    ("!Ref AWS::NoValue", NO_VALUE),
    ("{A: 1, B: !Ref AWS::NoValue}", {"A": 1}),
    ("[a, !Ref AWS::NoValue, b]", ["a", "b"]),
    # Ref: resources
    ("!Ref Identity", "example.com"),
    ("!Ref ConfigSet", "transactional"),
    ("!Ref Role", Unknown("Role", AFTER_APPLY)),
    ("!Ref Nothing", error("Ref at line 1: Nothing is no parameter or resource of this template")),
    ("{Ref: [a]}", error("Ref at line 1: needs the name of a parameter or resource")),
    ("{Ref: a, Other: b}", {"Ref": "a", "Other": "b"}),  # not a function call: two keys
    # Fn::GetAtt
    ("!GetAtt Role.Arn", Unknown("Role.Arn", AFTER_APPLY)),
    ("{Fn::GetAtt: [Role, !Ref Env]}", Unknown("Role.prod", AFTER_APPLY)),
    ("{Fn::GetAtt: Role.Arn}", Unknown("Role.Arn", AFTER_APPLY)),
    ("!GetAtt Nothing.Arn", error("Fn::GetAtt at line 1: Nothing is no resource of this template")),
    ("!GetAtt [Role]", error("Fn::GetAtt at line 1: needs [resource, attribute]")),
    # Fn::Sub
    ("!Sub '${Env}-mail'", "prod-mail"),
    ("!Sub 'arn:aws:iam::${AWS::AccountId}:root'", f"arn:aws:iam::{ACCOUNT}:root"),
    ("!Sub '${!Literal}-${Env}'", "${Literal}-prod"),
    ("!Sub ['${A}.${Env}', {A: !Ref Identity}]", "example.com.prod"),
    ("!Sub '${Identity}'", "example.com"),
    ("!Sub '${Role.Arn}/x'", embed(Unknown("Role.Arn", AFTER_APPLY)) + "/x"),
    ("!Sub '${NoDefault}'", embed(Unknown("NoDefault", VARIABLE))),
    ("!Sub 'n=${Count}'", "n=3"),
    ("!Sub 'arn:aws:iam::${Account:root'",
     error("Fn::Sub at line 1: the placeholder starting '${Account:root' has no closing brace")),
    ("!Sub '${ Env }'", error("Fn::Sub at line 1: '${ Env }' is not a valid placeholder")),
    ("!Sub '${}'", error("Fn::Sub at line 1: '${}' is not a valid placeholder")),
    ("!Sub '${Nope}'", error("Fn::Sub at line 1: ${Nope} names no parameter, resource or variable")),
    ("!Sub '${Accounts}'", error("Fn::Sub at line 1: ${Accounts} is a list, not a string")),
    ("!Sub [a, b, c]", error("Fn::Sub at line 1: needs a string or [string, {name: value}]")),
    ("!Sub [!Ref Env, {}]", error("Fn::Sub at line 1: the template must be a literal string")),
    # Fn::Join
    ("!Join [':', [a, !Ref Env, 1, true]]", "a:prod:1:true"),
    ("!Join ['', ['arn:aws:iam::', !Ref AWS::AccountId, ':root']]", f"arn:aws:iam::{ACCOUNT}:root"),
    ("!Join [',', !Ref Accounts]", "111122223333,444455556666"),
    ("!Join [',', !GetAZs '']", Unknown("Fn::GetAZs", DATA)),
    ("!Join [',', [a, !Ref AWS::NoValue, b]]", "a,b"),
    ("!Join [':']", error("Fn::Join at line 1: needs [delimiter, [values...]]")),
    ("!Join [':', a]", error("Fn::Join at line 1: the second argument must be a list")),
    ("!Join [!Ref NoDefault, [a]]", error("Fn::Join at line 1: the delimiter must be a string")),
    ("!Join [':', [[a]]]", error("Fn::Join at line 1: can only join strings, not a list")),
    ("!Join [':', [!Ref Nothing]]", error("Ref at line 1: Nothing is no parameter or resource of this template")),
    # Fn::Select
    ("!Select [1, [a, b]]", "b"),
    ("!Select ['0', !Ref Accounts]", "111122223333"),
    ("!Select [0, !GetAZs '']", Unknown("Fn::GetAZs", DATA)),
    ("!Select [!Ref NoDefault, [a]]", Unknown("NoDefault", VARIABLE)),
    ("!Select [2, [a, b]]", error("Fn::Select at line 1: index 2 is out of range for a list of 2")),
    ("!Select [x, [a]]", error("Fn::Select at line 1: the index must be a number")),
    ("!Select [0, a]", error("Fn::Select at line 1: the second argument must be a list")),
    ("!Select [0]", error("Fn::Select at line 1: needs [index, list]")),
    # Fn::Split
    ("!Split [',', 'a,b,,c']", ["a", "b", "", "c"]),
    ("!Split [':', !Sub 'arn:aws:iam::${AWS::AccountId}:root']", ["arn", "aws", "iam", "", ACCOUNT, "root"]),
    ("!Split [',', !Ref NoDefault]", Unknown("NoDefault", VARIABLE)),
    ("!Split ['', a]", error("Fn::Split at line 1: the delimiter must be a non-empty string")),
    ("!Split [',', [a]]", error("Fn::Split at line 1: the second argument must be a string")),
    ("!Split [',']", error("Fn::Split at line 1: needs [delimiter, string]")),
    # Fn::If and conditions
    ("!If [IsProd, in-prod, elsewhere]", "in-prod"),
    ("!If [IsDev, in-dev, elsewhere]", "elsewhere"),
    ("!If [IsDev, x, !Ref AWS::NoValue]", NO_VALUE),
    ("!If [Unknowable, a, b]", Unknown("NoDefault", VARIABLE)),
    ("!If [OwnerIs, a, b]", Unknown("Fn::If OwnerIs", EVALUATION)),
    ("!If [Missing, a, b]", error("Condition at line 1: no condition is named Missing")),
    ("!If [Loop, a, b]", error("Condition at line 17: condition Loop refers to itself")),
    ("!If [IsProd, a]", error("Fn::If at line 1: needs [condition, value if true, value if false]")),
    ("!Equals [!Ref Env, prod]", True),
    ("!Equals [!Ref Count, 3]", True),
    ("!Equals [true, 'true']", True),
    ("!Equals [!Ref Accounts, ['111122223333', '444455556666']]", True),
    ("!Equals [a]", error("Fn::Equals at line 1: needs a list of 2 values")),
    ("!And [!Condition IsProd, !Condition IsDev]", False),
    ("!And [!Condition IsDev, !Condition Unknowable]", False),
    ("!And [!Condition IsProd, !Condition Unknowable]", Unknown("NoDefault", VARIABLE)),
    ("!Or [!Condition IsProd, !Condition Unknowable]", True),
    ("!Or [!Condition IsDev, !Condition IsDev]", False),
    ("!Or [!Condition IsDev, !Condition Missing]",
     error("Condition at line 1: no condition is named Missing")),
    ("!Or [!Condition IsProd]", error("Fn::Or at line 1: needs a list of 2 to 10 conditions")),
    ("!Not [!Condition Unknowable]", Unknown("NoDefault", VARIABLE)),
    ("!Not [!Condition IsProd, !Condition IsDev]", error("Fn::Not at line 1: needs a list of 1 condition")),
    ("!Not [!Ref Env]", error("Condition at line 1: a condition must be Fn::Equals, Fn::And, Fn::Or, "
                              "Fn::Not or a Condition reference")),
    # Fn::FindInMap
    ("!FindInMap [Stages, !Ref Env, Account]", "111122223333"),
    ("!FindInMap [Stages, prod, Names]", ["a", "b"]),
    ("!FindInMap [Stages, !Ref NoDefault, Account]", Unknown("NoDefault", VARIABLE)),
    ("!FindInMap [Stages, dev, Account, {DefaultValue: none}]", "none"),
    ("!FindInMap [Stages, dev, Account]", error("Fn::FindInMap at line 1: mapping Stages has no key dev")),
    ("!FindInMap [Stages, prod, Region]", error("Fn::FindInMap at line 1: mapping Stages.prod has no key Region")),
    ("!FindInMap [Nope, prod, Region]", error("Fn::FindInMap at line 1: no mapping is named Nope")),
    ("!FindInMap [Stages, [prod], Region]", error("Fn::FindInMap at line 1: a key is a list, not a string")),
    ("!FindInMap [Stages, prod]", error("Fn::FindInMap at line 1: needs [map, top-level key, second-level key]")),
    ("!FindInMap [Stages, prod, Account, none]",
     error("Fn::FindInMap at line 1: the fourth argument must be {DefaultValue: ...}")),
    # the others
    ("!ImportValue shared-senders", Unknown("ImportValue shared-senders", DATA)),
    ("!ImportValue {Fn::Sub: '${Env}-senders'}", Unknown("ImportValue prod-senders", DATA)),
    ("!Base64 {Ref: Env}", base64.b64encode(b"prod").decode()),
    ("!Base64 {Ref: NoDefault}", Unknown("Fn::Base64 of ${NoDefault}", EVALUATION)),
    ("!GetAZs ''", Unknown("Fn::GetAZs", DATA)),
    ("!Cidr [10.0.0.0/16, 4, 8]", Unknown("Fn::Cidr", EVALUATION)),
    ("{Fn::Transform: {Name: AWS::Include}}", Unknown("Fn::Transform", EVALUATION)),
    ("{Fn::ToJsonString: {A: [!Ref Env, 1]}}", '{"A":["prod",1]}'),
    ("{Fn::ToJsonString: {A: !Ref NoDefault}}", '{"A":"' + embed(Unknown("NoDefault", VARIABLE)) + '"}'),
    ("{Fn::Length: !Ref Accounts}", 2),
    ("{Fn::Length: a}", error("Fn::Length at line 1: needs a list")),
    ("!Rain::Embed script.sh", Unknown("Rain::Embed", EVALUATION)),
    ("'{{resolve:ssm:/mail/sender}}'", Unknown("{{resolve:ssm:/mail/sender}}", DATA)),
    ("!Sub 'arn:aws:iam::{{resolve:ssm:/mail/account}}:role/${Env}'",
     "arn:aws:iam::" + embed(Unknown("{{resolve:ssm:/mail/account}}", DATA)) + ":role/prod"),
    ("{Fn::Nope: 1}", error("Fn::Nope at line 1: unknown function Fn::Nope")),
]


@pytest.mark.parametrize("expression,expected", INTRINSICS, ids=[e for e, _ in INTRINSICS])
def test_intrinsic_functions(expression, expected):
    assert exact(evaluate(expression), expected)


GIVEN = [
    ("!Ref Env", {"Env": "dev"}, "dev"),
    ("!Ref NoDefault", {"NoDefault": "x"}, "x"),
    ("!Ref Accounts", {"Accounts": "555566667777"}, ["555566667777"]),
    ("!Ref AWS::Region", {"AWS::Region": "eu-west-1"}, "eu-west-1"),
    ("!Ref AWS::Partition", {"AWS::Partition": "aws-cn"}, "aws-cn"),
    ("!Ref AWS::AccountId", {"AWS::AccountId": "111122223333"}, Unknown("AWS::AccountId", OWNER)),
    ("!If [Unknowable, a, b]", {"NoDefault": "x"}, "a"),
    ("!Sub 'arn:${AWS::Partition}:ses:${AWS::Region}'", {"AWS::Region": "us-east-1"},
     "arn:" + embed(Unknown("AWS::Partition", VARIABLE)) + ":ses:us-east-1"),
    ("!Ref Undeclared", {"Undeclared": "x"},
     error("Ref at line 1: Undeclared is no parameter or resource of this template")),
]


@pytest.mark.parametrize("expression,parameters,expected", GIVEN, ids=[e for e, _, _ in GIVEN])
def test_given_parameter_values(expression, parameters, expected):
    assert exact(evaluate(expression, parameters), expected)


def test_a_transform_may_create_what_is_referenced():
    assert exact(evaluate("!GetAtt MailerRole.Arn", extra="Transform: AWS::Serverless-2016-10-31\n"),
                 Unknown("MailerRole.Arn", AFTER_APPLY))
    assert exact(evaluate("!Sub '${MailerRole}'", extra="Transform: AWS::Serverless-2016-10-31\n"),
                 embed(Unknown("MailerRole", AFTER_APPLY)))


def test_hints_say_how_to_supply_a_value():
    assert evaluate("!Ref NoDefault").describe() == (
        "parameter NoDefault has no value; pass --cfn-parameter NoDefault=... or give it a Default")
    assert evaluate("!Ref AWS::Region").describe() == (
        "AWS::Region is not known before deployment; pass --cfn-parameter AWS::Region=...")
    assert evaluate("!Ref Version").describe() == (
        "parameter Version is read from SSM Parameter Store (/cdk-bootstrap/version) when the stack is deployed")
    assert evaluate("!Ref Role").describe() == "Ref Role (AWS::IAM::Role) is only known after the stack is deployed"


def test_values_keep_where_they_were_written():
    resolver = Resolver(load_yaml(BASE, "t.yaml").value, {"NoDefault": "x"})
    probe = load_yaml("A: !Ref Env\nB: !Ref NoDefault\nC: !Sub '${Env}'\nD: [!GetAtt Role.Arn]\n",
                      "p.yaml").value
    resolved = resolver.resolve(probe)
    assert [(v.loc.file, v.loc.line) for v in (resolved["A"], resolved["B"], resolved["C"], resolved["D"][0])] == [
        ("t.yaml", 3), ("p.yaml", 2), ("p.yaml", 3), ("p.yaml", 4)]  # a default where it is written
    assert resolved.key_locs["C"].line == 3 and resolved.loc.file == "p.yaml"


def test_sub_of_a_literal_block_keeps_its_lines():
    value = evaluate('!Sub |\n  {\n    "a": "${Env}"\n  }\n')
    assert isinstance(value, SourceText) and (value.loc.line, value.loc.column) == (2, 3)
    assert not isinstance(evaluate("!Sub [\"${A}\", {A: \"x\\ny\"}]"), SourceText)


def test_condition_inputs_name_the_parameters_read():
    text = BASE.replace("Resources:", "  Both: !And [!Condition IsDev, !Equals [!Ref Count, 3]]\nResources:")
    resolver = Resolver(load_yaml(text, "t.yaml").value, {})
    assert resolver.condition("Both") is False
    assert {k: str(v) for k, v in resolver.condition_inputs("Both").items()} == {"Env": "prod", "Count": "3"}
    assert resolver.condition_inputs("IsProd") == {"Env": "prod"}


# ---------------------------------------------------------------------------
# recognition
# ---------------------------------------------------------------------------

RECOGNITION = [
    ("sam/template.yaml", True),
    ("cdk.out/MailStack.template.json", True),
    ("cdk.out/MailStackMail1A2B3C4D.nested.template.json", True),
    ("cdk.out/manifest.json", False),
    ("cdk.out/tree.json", False),
    ("cdk.out/MailStack.assets.json", False),
    ("cdk.out/cdk.out", False),
    ("other/playbook.yaml", False),
    ("other/deployment.yaml", False),
    ("other/.github/workflows/deploy.yml", False),
    ("other/package.json", False),
]


@pytest.mark.parametrize("name,expected", RECOGNITION, ids=[n for n, _ in RECOGNITION])
def test_recognition_of_the_samples(name, expected):
    assert looks_like_template((SAMPLES / name).read_text(encoding="utf-8")) is expected


RECOGNITION_TEXTS = [
    ('AWSTemplateFormatVersion: "2010-09-09"\n', True),
    ("'AWSTemplateFormatVersion': 2010-09-09\nResources: {}\n", True),
    ("Resources:\n  Topic:\n    Type: AWS::SNS::Topic\n", True),
    ("Resources:\n  P:\n    Type: 'Custom::IdentityPolicy'\n", True),
    ("---\nResources:\n  T:\n    Type: \"AWS::SES::EmailIdentity\"\n", True),
    ("Resources: {T: {Type: AWS::SES::EmailIdentity}}\n", True),
    ("AWSTemplateFormatVersion: 2010-09-09\nResources:\n  A: [unclosed\n", True),  # broken, still a template
    ("resources:\n  Resources:\n    T:\n      Type: AWS::SNS::Topic\n", False),  # serverless.yml: nested
    ("Resources:\n  - Type: AWS::SNS::Topic\n", False),
    ("kind: ConfigMap\ndata:\n  Type: AWS::SES::EmailIdentity\n", False),
    ('{"AWSTemplateFormatVersion": "2010-09-09"}', True),
    ('{"Resources": {"T": {"Type": "AWS::SES::EmailIdentity"}}}', True),
    ('{"Resources": {"T": {"Type": "Custom::AWS"}}}', True),
    ('{"Resources": {"T": {"Type": "AWS::SES::EmailIdentity",}}}', True),  # broken JSON, still a template
    ('{"Resources": {"T": {"Type": "OS::Nova::Server"}}}', False),
    ('{"Resources": "AWS::SES::EmailIdentity"}', False),
    ('{"name": "x", "Type": "AWS::SES::EmailIdentity"}', False),
    ('[{"Resources": {"T": {"Type": "AWS::SES::EmailIdentity"}}}]', False),
    ("", False),
]


@pytest.mark.parametrize("text,expected", RECOGNITION_TEXTS, ids=[t[:50] for t, _ in RECOGNITION_TEXTS])
def test_recognition(text, expected):
    assert looks_like_template(text) is expected


def test_kics_ansible_files_are_not_templates(corpus):
    folder = corpus / "ses-public" / "DataDog__kics" / "assets" / "queries" / "ansible"
    files = sorted(folder.rglob("*.yaml"))
    assert len(files) == 2
    assert [looks_like_template(f.read_text()) for f in files] == [False, False]


# ---------------------------------------------------------------------------
# the adapter
# ---------------------------------------------------------------------------

RESOURCES = """AWSTemplateFormatVersion: "2010-09-09"
Parameters:
  Domain: {Type: String, Default: example.com}
  KeyLength: {Type: String, Default: RSA_2048_BIT}
Resources:
  Identity:
    Type: AWS::SES::EmailIdentity
    Properties:
      EmailIdentity: !Ref Domain
      DkimAttributes: {SigningEnabled: false}
      DkimSigningAttributes:
        NextSigningKeyLength: !Ref KeyLength
        DomainSigningPrivateKey: "{{resolve:secretsmanager:dkim}}"
      MailFromAttributes: {MailFromDomain: !Sub "mail.${Domain}", BehaviorOnMxFailure: REJECT_MESSAGE}
      ConfigurationSetAttributes: {ConfigurationSetName: !Ref ConfigSet}
      FeedbackAttributes: {EmailForwardingEnabled: true}
  Address:
    Type: AWS::SES::EmailIdentity
    Properties:
      EmailIdentity: !Sub "noreply@${Domain}"
  ConfigSet:
    Type: AWS::SES::ConfigurationSet
    Properties:
      Name: transactional
      DeliveryOptions: {TlsPolicy: REQUIRE}
      ReputationOptions: {ReputationMetricsEnabled: true}
      TrackingOptions: {CustomRedirectDomain: !Sub "track.${Domain}", HttpsPolicy: REQUIRE_OPEN_ONLY}
  Destination:
    Type: AWS::SES::ConfigurationSetEventDestination
    Properties:
      ConfigurationSetName: !Ref ConfigSet
      EventDestination:
        Enabled: false
        MatchingEventTypes: [send, bounce]
        CloudWatchDestination: {DimensionConfigurations: []}
        SnsDestination: {TopicARN: !Ref Topic}
        EventBridgeDestination: {EventBusArn: arn:aws:events:us-east-1:111122223333:event-bus/default}
  Rule:
    Type: AWS::SES::ReceiptRule
    Properties:
      RuleSetName: inbound
      Rule:
        Name: store
        TlsPolicy: Optional
        Actions:
          - S3Action: {BucketName: inbound-mail}
          - S3Action:
              BucketName: !Ref Bucket
              KmsKeyArn: !GetAtt Key.Arn
          - StopAction: {Scope: RuleSet}
  Topic: {Type: AWS::SNS::Topic}
  Bucket: {Type: AWS::S3::Bucket}
  Key: {Type: AWS::KMS::Key}
"""


def _fields(item, names):
    return {name: getattr(item, name) for name in names}


def test_ses_resources_into_the_model():
    model = load(RESOURCES)
    assert model.problems == []
    identity, address = model.identities
    assert exact(_fields(identity, ["address", "type", "file", "source_format", "active", "name", "kind",
                                    "dkim_signing", "dkim_key_length", "private_key_written", "mail_from_domain",
                                    "mail_from_mx_failure", "configuration_set", "feedback_forwarding", "api"]), {
        "address": "Identity", "type": "AWS::SES::EmailIdentity", "file": "t.yaml", "source_format": "cloudformation",
        "active": True, "name": "example.com", "kind": "domain", "dkim_signing": False,
        "dkim_key_length": "RSA_2048_BIT",
        "private_key_written": Value(UNRESOLVED, unknowns=(Unknown("{{resolve:secretsmanager:dkim}}", DATA),)),
        "mail_from_domain": "mail.example.com", "mail_from_mx_failure": "REJECT_MESSAGE",
        "configuration_set": "transactional", "feedback_forwarding": True, "api": "v2"})
    assert (identity.dkim, identity.next_key_length, identity.mx_failure) == (
        Value(EXPLICIT, "off", False), Value(EXPLICIT, "RSA_2048_BIT", "RSA_2048_BIT"),
        Value(EXPLICIT, "reject", "REJECT_MESSAGE"))
    assert (identity.loc.line, identity.loc.column, identity.where("name").line) == (6, 3, 9)
    assert (address.name, address.kind) == ("noreply@example.com", "email")
    (config_set,) = model.configuration_sets
    assert exact(_fields(config_set, ["address", "name", "tls_policy", "reputation_metrics", "custom_redirect_domain",
                                      "https_policy"]), {
        "address": "ConfigSet", "name": "transactional", "tls_policy": "REQUIRE", "reputation_metrics": True,
        "custom_redirect_domain": "track.example.com", "https_policy": "REQUIRE_OPEN_ONLY"})
    assert (config_set.tls, config_set.metrics_enabled, config_set.https) == (
        Value(EXPLICIT, "require", "REQUIRE"), Value(EXPLICIT, True, True),
        Value(EXPLICIT, "require_open_only", "REQUIRE_OPEN_ONLY"))
    (destination,) = model.event_destinations
    assert exact(_fields(destination, ["address", "configuration_set", "enabled", "event_types", "destinations"]), {
        "address": "Destination", "configuration_set": "transactional", "enabled": False,
        "event_types": ["send", "bounce"], "destinations": ["cloudwatch", "sns", "eventbridge"]})
    (rule,) = model.receipt_rules
    assert exact(_fields(rule, ["address", "name", "tls_policy"]), {"address": "Rule", "name": "store",
                                                                      "tls_policy": "Optional"})
    assert exact([{k: v for k, v in a.items() if k != "loc"} for a in rule.s3_actions], [
        {"bucket": "inbound-mail", "kms_key_arn": None},
        {"bucket": Unknown("Bucket", AFTER_APPLY), "kms_key_arn": Unknown("Key.Arn", AFTER_APPLY)}])
    assert [rule.where(f"s3_actions/{i}").line for i in range(len(rule.s3_actions))] == [46, 47]


def _policy_template(body: str, extra: str = "") -> str:
    return ('AWSTemplateFormatVersion: "2010-09-09"\n' + extra + "Resources:\n"
            "  Identity:\n    Type: AWS::SES::EmailIdentity\n    Properties:\n      EmailIdentity: example.com\n"
            + body)


OPEN = {"Effect": "Allow", "Principal": "*", "Action": "ses:SendEmail", "Resource": "*"}
SDK_CALL = json.dumps({"service": "SES", "action": "putIdentityPolicy",
                       "parameters": {"Identity": "@", "PolicyName": "open",
                                      "Policy": json.dumps({"Statement": [OPEN]})}}).split('"@"')
SDK_CALL_V2 = json.dumps({"service": "@aws-sdk/client-sesv2", "action": "CreateEmailIdentityPolicyCommand",
                          "parameters": {"EmailIdentity": "other.example.com", "PolicyName": "v2",
                                         "Policy": json.dumps({"Statement": [OPEN]}, indent=2)}})

POLICIES = [
    ("binxio, identity by Ref", f"""  Policy:
    Type: Custom::IdentityPolicy
    Properties:
      {TOKEN}
      Identity: !Ref Identity
      PolicyName: open
      PolicyDocument:
        Statement:
          - {json.dumps(OPEN)}
""", [("Policy", "Custom::IdentityPolicy", "example.com", "Identity", "open", 13, 1)]),
    ("binxio, identity by ARN, document as text", f"""  Policy:
    Type: Custom::IdentityPolicy
    Properties:
      {TOKEN}
      Identity: !Sub "arn:aws:ses:${{AWS::Region}}:${{AWS::AccountId}}:identity/${{Identity}}"
      PolicyName: !Sub "${{AWS::StackName}}-open"
      PolicyDocument: '{json.dumps({"Statement": [OPEN]})}'
""", [("Policy", "Custom::IdentityPolicy", "example.com", "Identity",
       embed(Unknown("AWS::StackName", EVALUATION)) + "-open", 13, 1)]),
    ("binxio, literal identity", f"""  Policy:
    Type: Custom::IdentityPolicy
    Properties:
      {TOKEN}
      Identity: other.example.com
      PolicyDocument: {{Statement: [{json.dumps(OPEN)}]}}
""", [("Policy", "Custom::IdentityPolicy", "other.example.com", None, None, 12, 1)]),
    ("CDK AwsCustomResource, Create and Update the same", f"""  Policy:
    Type: Custom::AWS
    Properties:
      ServiceToken: !GetAtt Provider.Arn
      Create: !Join ['', [{json.dumps(SDK_CALL[0] + '"')}, !Ref Identity, {json.dumps('"' + SDK_CALL[1])}]]
      Update: !Join ['', [{json.dumps(SDK_CALL[0] + '"')}, !Ref Identity, {json.dumps('"' + SDK_CALL[1])}]]
  Provider: {{Type: AWS::Lambda::Function}}
""", [("Policy", "Custom::AWS", "example.com", "Identity", "open", 11, 1)]),
    ("CDK AwsCustomResource, SDK v3 names, policy with line breaks", f"""  Policy:
    Type: Custom::AWS
    Properties:
      ServiceToken: arn:aws:lambda:us-east-1:111122223333:function:provider
      Create: {json.dumps(SDK_CALL_V2)}
""", [("Policy", "Custom::AWS", "other.example.com", None, "v2", 11, 1)]),
    ("CDK AwsCustomResource, another call", """  Policy:
    Type: Custom::AWS
    Properties:
      Create: '{"service": "SES", "action": "deleteIdentityPolicy", "parameters": {"Identity": "x"}}'
      Update: '{"service": "SES", "action": "putIdentityPolicy"}'
""", []),
    ("any custom resource with a document that grants sending", f"""  Policy:
    Type: AWS::CloudFormation::CustomResource
    Properties:
      {TOKEN}
      EmailIdentity: !Ref Identity
      Settings:
        - Documents:
            - {{Statement: [{json.dumps(OPEN)}]}}
            - {{Statement: [{{Effect: Allow, Principal: "*", Action: "s3:GetObject", Resource: "*"}}]}}
""", [("Policy", "AWS::CloudFormation::CustomResource", "example.com", "Identity", None, 14, 1)]),
    ("any custom resource, document as text, no identity", f"""  Policy:
    Type: Custom::SenderAccess
    Properties:
      {TOKEN}
      PolicyName: p
      Policy: '{json.dumps({"Statement": [OPEN]})}'
""", [("Policy", "Custom::SenderAccess", "${Policy.Identity}", None, "p", 12, 1)]),
    ("a custom resource without a document", f"""  Domain:
    Type: Custom::SES_Domain
    Properties:
      {TOKEN}
      Domain: example.org
""", []),
]


@pytest.mark.parametrize("body,expected", [p[1:] for p in POLICIES], ids=[p[0] for p in POLICIES])
def test_identity_policies(body, expected):
    model = load(_policy_template(body))
    assert model.problems == []
    got = [(p.address, p.type, p.identity if isinstance(p.identity, str) else "${" + p.identity.ref + "}",
            p.identity_address, p.policy_name, p.where("policy").line, len(p.document.statements))
           for p in model.identity_policies]
    assert exact([list(g) for g in got], [list(e) for e in expected])
    assert all(p.source_format == "cloudformation" and p.loc.line == 7 for p in model.identity_policies)


def test_numbers_and_booleans_reach_a_custom_resource_as_strings():
    body = """  Policy:
    Type: Custom::IdentityPolicy
    Properties:
      Identity: example.com
      PolicyDocument:
        Statement:
          - Effect: Allow
            Principal: {AWS: 444455556666}
            Action: ses:SendEmail
            Resource: "*"
            Condition: {Bool: {aws:SecureTransport: true}}
"""
    (policy,) = load(_policy_template(body)).identity_policies
    (statement,) = policy.document.statements
    assert exact([e.value for e in statement.principals], ["444455556666"])
    assert exact(statement.conditions[0].values, ["true"])


def test_a_policy_in_a_literal_block_points_into_it():
    body = """  Policy:
    Type: Custom::IdentityPolicy
    Properties:
      Identity: !Ref Identity
      PolicyDocument: !Sub |
        {
          "Statement": [{
            "Effect": "Allow",
            "Principal": {"AWS": "arn:aws:iam::${AWS::AccountId}:root"},
            "Action": "ses:SendEmail", "Resource": "*"
          }]
        }
"""
    (policy,) = load(_policy_template(body)).identity_policies
    (statement,) = policy.document.statements
    assert (policy.document.where(statement.path).line, policy.document.where(statement.principal_path).line) == \
        (13, 15)
    assert exact([e.value for e in statement.principals], [f"arn:aws:iam::{ACCOUNT}:root"])


def test_a_policy_in_a_quoted_string_points_at_its_line():
    body = """  Policy:
    Type: Custom::IdentityPolicy
    Properties:
      Identity: !Ref Identity
      PolicyDocument: "{\\"Statement\\": [{\\"Effect\\": \\"Allow\\",\\n
        \\"Principal\\": \\"*\\", \\"Action\\": \\"ses:SendEmail\\", \\"Resource\\": \\"*\\"}]}"
"""
    (policy,) = load(_policy_template(body)).identity_policies
    (statement,) = policy.document.statements
    document = policy.document
    assert (document.where(statement.path).line, document.where(statement.principal_path).line,
            policy.where("policy").line) == (11, 11, 11)


CONDITIONS = [
    ({}, False, 'Condition CreatePolicy is false while EnablePolicy = "false", Stage = "prod"'),
    ({"EnablePolicy": "true"}, True, ""),
    ({"Stage": "dev"}, True, ""),
]


@pytest.mark.parametrize("parameters,active,reason", CONDITIONS, ids=[str(c[0]) for c in CONDITIONS])
def test_a_resource_whose_condition_is_false_is_inactive(parameters, active, reason):
    extra = """Parameters:
  EnablePolicy: {Type: String, Default: "false"}
  Stage: {Type: String, Default: prod}
Conditions:
  IsDev: !Equals [!Ref Stage, dev]
  CreatePolicy: !Or [!Equals [!Ref EnablePolicy, "true"], !Condition IsDev]
"""
    body = f"""  Policy:
    Type: Custom::IdentityPolicy
    Condition: CreatePolicy
    Properties:
      Identity: !Ref Identity
      PolicyDocument: {{Statement: [{json.dumps(OPEN)}]}}
"""
    (policy,) = load(_policy_template(body, extra), parameters).identity_policies
    assert (policy.active, policy.inactive_reason) == (active, reason)


def test_a_condition_that_cannot_be_decided_leaves_the_resource_active():
    extra = "Parameters:\n  Stage: {Type: String}\nConditions:\n  IsProd: !Equals [!Ref Stage, prod]\n"
    body = "  Other:\n    Type: AWS::SES::ConfigurationSet\n    Condition: IsProd\n"
    model = load(_policy_template(body, extra))
    assert (model.configuration_sets[0].active, model.problems) == (True, [])


ADAPTER_PROBLEMS = [
    ("  Broken:\n    Properties: {}\n", "resource Broken has no Type", 7),
    ("  Set:\n    Type: AWS::SES::ConfigurationSet\n    Condition: Missing\n",
     "Set: Condition at line 9: no condition is named Missing", 9),
    ("  Named:\n    Type: AWS::SES::EmailIdentity\n    Properties:\n      EmailIdentity: !Sub '${Nope}.com'\n",
     "Named: Fn::Sub at line 10: ${Nope} names no parameter, resource or variable", 10),
    ("  Set:\n    Type: AWS::SES::ConfigurationSet\n    Properties: [a]\n",
     "Set: Properties at line 9: must be a mapping", 9),
    ("  Policy:\n    Type: Custom::IdentityPolicy\n    Properties:\n      Identity: !Ref Nobody\n",
     "Policy: Ref at line 10: Nobody is no parameter or resource of this template", 10),
    ("  Policy:\n    Type: Custom::AWS\n    Properties:\n      Create: '{\"action\": \"putIdentityPolicy\",'\n",
     "Policy: the SDK call is not valid JSON: expected a string key at line 10 column 46", 10),
]


@pytest.mark.parametrize("body,message,line", ADAPTER_PROBLEMS, ids=[m for _, m, _ in ADAPTER_PROBLEMS])
def test_wrong_resources_are_input_problems(body, message, line):
    problems = load(_policy_template(body)).problems
    assert [(p.message, p.line) for p in problems] == [(message, line)]


def test_an_unknown_document_is_kept_for_the_rules():
    body = "  Policy:\n    Type: Custom::IdentityPolicy\n    Properties:\n      PolicyDocument: !ImportValue p\n"
    (policy,) = load(_policy_template(body)).identity_policies
    assert policy.document is None and exact(policy.document_unknown, Unknown("ImportValue p", DATA))


def test_suppressions_in_metadata():
    body = """  Policy:
    Type: Custom::IdentityPolicy
    Metadata:
      sesguard:
        ignore:
          - {id: SES101, reason: a sandbox, until: 2999-12-31}
          - {id: "SES102, SES103"}
          - {id: all}
"""
    model = load(_policy_template(body))
    assert [(s.location.line, s.rule_ids, s.reason, s.until, s.address, s.style) for s in model.suppressions] == [
        (12, ("SES101",), "a sandbox", "2999-12-31", "Policy", "metadata"),
        (13, ("SES102", "SES103"), "", "", "Policy", "metadata"),
    ]
    assert [(p.message, p.line) for p in model.problems] == [
        ("Policy: a sesguard ignore entry in Metadata must be {id: SES101, reason: ..., until: YYYY-MM-DD}", 14)]


# ---------------------------------------------------------------------------
# malformed templates
# ---------------------------------------------------------------------------

MALFORMED = [
    ("t.yaml", "AWSTemplateFormatVersion: x\nResources:\n  A: [1,\n",
     [("YAML syntax error: ", 4)]),  # the wording is the parser's
    ("t.json", '{"AWSTemplateFormatVersion": "x",\n "Resources": {,}}',
     [("JSON syntax error: expected a string key", 2)]),
    ("t.yaml", "AWSTemplateFormatVersion: x\nResources:\n  A: {Type: AWS::SNS::Topic}\n  A: {Type: AWS::SNS::Topic}\n",
     [("the key 'A' is written twice in the same mapping; CloudFormation rejects the template", 4)]),
    ("t.json", '{"Resources": {"A": {"Type": "AWS::SNS::Topic", "Type": "AWS::SNS::Topic"}}}',
     [("the key 'Type' is written twice in the same mapping; CloudFormation rejects the template", 1)]),
    ("t.yaml", "- AWSTemplateFormatVersion\n", [("the template is not a mapping", 1)]),
    ("t.yaml", "AWSTemplateFormatVersion: x\n", [("the template has no Resources mapping", 1)]),
    ("t.yaml", "AWSTemplateFormatVersion: x\nResources: [a]\n", [("the template has no Resources mapping", 2)]),
    ("t.yaml", "AWSTemplateFormatVersion: x\nDescription: \ue000owner-account|x\ue001\nResources: {}\n",
     [("the file contains the characters U+E000 or U+E001, which sesguard reserves; not analyzed", 2)]),
    ("t.yaml", "AWSTemplateFormatVersion: x\nResources: {}\nMetadata: !Sub '${'\n", []),  # never evaluated
]


@pytest.mark.parametrize("file,text,expected", MALFORMED, ids=[str(m[2]) for m in MALFORMED])
def test_malformed_templates_are_input_problems(file, text, expected):
    got = [(p.message, p.line) for p in load(text, file=file).problems]
    assert [(m[:len(e)] if e.endswith(": ") else m, line) for (m, line), (e, _) in zip(got, expected)] == expected
    assert len(got) == len(expected)


def test_deep_nesting_and_alias_bombs_through_the_loader():
    deep = ("AWSTemplateFormatVersion: x\nResources:\n  A:\n    Type: AWS::SNS::Topic\n    Metadata: "
            + "[" * 150 + "]" * 150 + "\n")
    bomb = "AWSTemplateFormatVersion: x\n" + _bomb(7).replace("a", "m") + "Resources: {}\n"
    assert [p.message for p in load(deep).problems] == []
    assert [p.message for p in load(bomb).problems] == [
        f"the document expands to more than {MAX_NODES} nodes (aliases included); not analyzed"]


def test_a_file_too_large_to_read_is_reported_before_it_is_parsed(tmp_path, monkeypatch):
    path = tmp_path / "huge.template.json"
    with open(path, "wb") as f:
        f.write(b'{"AWSTemplateFormatVersion": "2010-09-09", "Resources": {')
        f.truncate(50 * 1024 * 1024)
    model = Model()
    monkeypatch.chdir(tmp_path)
    load_documents([str(path)], DocumentOptions(), model)
    assert [(p.file, p.message) for p in model.problems] == [
        ("huge.template.json", "file is larger than 10 MB, the --max-file-size limit; not analyzed")]
    report = scan(ScanOptions(paths=["."], dns="off"))
    assert [(f.rule_id, f.file) for f in report.findings] == [("SES001", "huge.template.json")]


# ---------------------------------------------------------------------------
# samples and the shared corpus
# ---------------------------------------------------------------------------


def test_the_cdk_and_sam_samples_scan_to_exact_findings(monkeypatch):
    monkeypatch.chdir(SAMPLES)
    report = scan(ScanOptions(paths=["."], dns="off"))
    assert sorted((f.rule_id, f.file, f.location.line) for f in report.findings) == [
        ("SES003", "sam/template.yaml", 32),
        ("SES101", "cdk.out/MailStackMail1A2B3C4D.nested.template.json", 21),
    ]


def test_parameters_given_to_the_scan_reach_the_templates(monkeypatch):
    monkeypatch.chdir(FIXTURES / "SES101" / "inactive_cfn_yaml")
    options = DocumentOptions(cfn_parameters={"EnablePolicy": "true"})
    report = scan(ScanOptions(paths=["."], documents=options, dns="off"))
    assert [(f.rule_id, f.active) for f in report.findings] == [("SES101", True)]


def test_cellenics_identity_chosen_with_if(corpus):
    path = corpus / "ses-public" / "hms-dbmi-cellenics__iac" / "cf" / "ses.yaml"
    model = load(path.read_text(), file="ses.yaml")
    assert model.problems == []
    (identity,) = model.identities
    assert exact(identity.name, "scp-staging." + embed(Unknown("PrimaryDomainName", VARIABLE)))
    assert (identity.address, identity.kind, identity.where("name").line) == ("SESVerifiedIdentity", "domain", 27)
    production = load(path.read_text(), {"Environment": "production", "DomainName": "scp.example.net"})
    assert exact(production.identities[0].name, "scp.example.net")


def test_medmunds_templates_load_without_problems(corpus):
    paths = sorted((corpus / "ses-public" / "medmunds__aws-cfn-ses-domain").glob("*.yaml"))
    assert len(paths) == 2
    for path in paths:
        text = path.read_text()
        model = load(text, file=path.name)
        assert looks_like_template(text) and model.problems == [] and model.identity_policies == []


def test_kics_ansible_files_are_skipped_in_a_scan(corpus, monkeypatch):
    monkeypatch.chdir(corpus / "ses-public")
    report = scan(ScanOptions(paths=["."]))
    assert [f for f in report.findings if f.rule_id in ("SES001", "SES002") and f.file.endswith((".yml", ".yaml"))] == []
    assert not [f for f in report.findings if "/ansible/" in f.file]


def test_every_perf_cfn_template_loads_without_problems(corpus):
    root = corpus / "perf-cfn"
    paths = sorted(p for p in root.rglob("*") if p.suffix in (".yaml", ".yml", ".json"))
    assert len(paths) == 67
    for path in paths:
        text = path.read_text(encoding="utf-8")
        model = load(text, file=os.path.relpath(path, root))
        assert looks_like_template(text), path
        assert model.problems == [], path


def test_perf_cfn_scans_without_unanalyzed_input(corpus, monkeypatch):
    monkeypatch.chdir(corpus / "perf-cfn")
    report = scan(ScanOptions(paths=["."]))
    assert [f for f in report.findings if f.rule_id in ("SES001", "SES002") or f.rule_id.startswith("SES1")] == []


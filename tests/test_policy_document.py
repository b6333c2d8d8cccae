"""parse_document: normalization, locations, problems, and never raising."""

import json
import random

import pytest

from analyzer.model import (
    OWNER,
    VARIABLE,
    ConditionEntry,
    LStr,
    Location,
    PolicyDocument,
    PrincipalEntry,
    Unknown,
    embed,
)
from analyzer.policy.document import parse_document
from analyzer.policy.verdict import Trust, evaluate

U = Unknown("var.x", VARIABLE)
OWN = Unknown("data.aws_caller_identity.current.account_id", OWNER)


def statement(**fields):
    return {"Effect": "Allow", "Action": "ses:SendEmail", "Resource": "*", **fields}


def only_statement(**fields):
    doc = parse_document({"Version": "2012-10-17", "Statement": statement(**fields)})
    assert len(doc.statements) == 1
    return doc.statements[0]


# ---------------------------------------------------------------------------
# Principals
# ---------------------------------------------------------------------------

PRINCIPALS = [
    ("star", "*", [PrincipalEntry("*", "*")]),
    ("aws-string", {"AWS": "111122223333"}, [PrincipalEntry("AWS", "111122223333")]),
    ("aws-list", {"AWS": ["111122223333", "arn:aws:iam::444455556666:root"]},
     [PrincipalEntry("AWS", "111122223333"), PrincipalEntry("AWS", "arn:aws:iam::444455556666:root")]),
    ("aws-star", {"AWS": "*"}, [PrincipalEntry("AWS", "*")]),
    ("service", {"Service": "ses.amazonaws.com"}, [PrincipalEntry("Service", "ses.amazonaws.com")]),
    ("federated", {"Federated": ["cognito-identity.amazonaws.com"]},
     [PrincipalEntry("Federated", "cognito-identity.amazonaws.com")]),
    ("canonical", {"CanonicalUser": "79a59df9"}, [PrincipalEntry("CanonicalUser", "79a59df9")]),
    ("several-types", {"AWS": "111122223333", "Service": ["a.amazonaws.com", "b.amazonaws.com"]},
     [PrincipalEntry("AWS", "111122223333"), PrincipalEntry("Service", "a.amazonaws.com"),
      PrincipalEntry("Service", "b.amazonaws.com")]),
    ("unknown-list", {"AWS": U}, [PrincipalEntry("AWS", U)]),
    ("unknown-item", {"AWS": ["111122223333", U]},
     [PrincipalEntry("AWS", "111122223333"), PrincipalEntry("AWS", U)]),
    ("embedded-owner", {"AWS": f"arn:aws:iam::{embed(OWN)}:root"},
     [PrincipalEntry("AWS", f"arn:aws:iam::{embed(OWN)}:root")]),
    ("whole-unknown", U, [PrincipalEntry("AWS", U)]),
    ("whole-marker", embed(U), [PrincipalEntry("AWS", embed(U))]),
    ("unknown-type-key", {U: "x"}, [PrincipalEntry("AWS", U)]),
    ("empty-map", {}, []),
]


@pytest.mark.parametrize("principal,expected", [c[1:] for c in PRINCIPALS], ids=[c[0] for c in PRINCIPALS])
def test_principals(principal, expected):
    st = only_statement(Principal=principal)
    assert st.principals == expected
    assert st.not_principals is None
    assert st.problems == []


def test_not_principal():
    st = only_statement(NotPrincipal={"AWS": "111122223333"})
    assert st.principals is None
    assert st.not_principals == [PrincipalEntry("AWS", "111122223333")]


def test_no_principal():
    st = only_statement()
    assert (st.principals, st.not_principals) == (None, None)


# ---------------------------------------------------------------------------
# Actions and resources
# ---------------------------------------------------------------------------

ACTIONS = [
    ("string", {"Action": "ses:SendEmail"}, ["ses:SendEmail"], None),
    ("list", {"Action": ["ses:SendEmail", "ses:SendRawEmail"]}, ["ses:SendEmail", "ses:SendRawEmail"], None),
    ("unknown", {"Action": U}, [U], None),
    ("unknown-item", {"Action": ["ses:SendEmail", U]}, ["ses:SendEmail", U], None),
    ("not-action-string", {"NotAction": "ses:Get*"}, None, ["ses:Get*"]),
    ("not-action-list", {"NotAction": ["ses:Get*", "ses:List*"]}, None, ["ses:Get*", "ses:List*"]),
]


@pytest.mark.parametrize("fields,actions,not_actions", [c[1:] for c in ACTIONS], ids=[c[0] for c in ACTIONS])
def test_actions(fields, actions, not_actions):
    doc = parse_document({"Statement": {"Effect": "Allow", "Principal": "*", "Resource": "*", **fields}})
    st = doc.statements[0]
    assert (st.actions, st.not_actions) == (actions, not_actions)
    assert st.problems == []


def test_resources():
    st = only_statement(Resource="arn:aws:ses:us-east-1:111122223333:identity/example.com")
    assert st.resources == ["arn:aws:ses:us-east-1:111122223333:identity/example.com"]
    st = parse_document({"Statement": {"Effect": "Allow", "Action": "*", "NotResource": ["a", "b"]}}).statements[0]
    assert (st.resources, st.not_resources) == (None, ["a", "b"])


# ---------------------------------------------------------------------------
# Conditions
# ---------------------------------------------------------------------------

CONDITIONS = [
    ("string", {"StringEquals": {"aws:PrincipalAccount": "111122223333"}},
     [ConditionEntry("StringEquals", "aws:PrincipalAccount", ["111122223333"])]),
    ("list", {"StringLike": {"aws:PrincipalArn": ["a", "b"]}},
     [ConditionEntry("StringLike", "aws:PrincipalArn", ["a", "b"])]),
    ("bool", {"Bool": {"aws:SecureTransport": True}},
     [ConditionEntry("Bool", "aws:SecureTransport", ["true"])]),
    ("bool-false-list", {"Null": {"aws:SourceAccount": [False]}},
     [ConditionEntry("Null", "aws:SourceAccount", ["false"])]),
    ("number", {"NumericLessThan": {"aws:EpochTime": 1700000000}},
     [ConditionEntry("NumericLessThan", "aws:EpochTime", ["1700000000"])]),
    ("float", {"NumericLessThan": {"aws:EpochTime": 1.5}},
     [ConditionEntry("NumericLessThan", "aws:EpochTime", ["1.5"])]),
    ("several-keys-and-operators",
     {"StringEquals": {"ses:FromAddress": "a@example.com", "aws:SourceAccount": "111122223333"},
      "IpAddress": {"aws:SourceIp": ["10.0.0.0/8"]}},
     [ConditionEntry("StringEquals", "ses:FromAddress", ["a@example.com"]),
      ConditionEntry("StringEquals", "aws:SourceAccount", ["111122223333"]),
      ConditionEntry("IpAddress", "aws:SourceIp", ["10.0.0.0/8"])]),
    ("unknown-values", {"StringEquals": {"aws:PrincipalOrgID": U}},
     [ConditionEntry("StringEquals", "aws:PrincipalOrgID", [U])]),
    ("unknown-value-item", {"StringEquals": {"aws:PrincipalOrgID": ["o-abc", U]}},
     [ConditionEntry("StringEquals", "aws:PrincipalOrgID", ["o-abc", U])]),
    ("embedded-marker", {"StringEquals": {"aws:SourceAccount": embed(OWN)}},
     [ConditionEntry("StringEquals", "aws:SourceAccount", [embed(OWN)])]),
    ("unknown-key-map", {"StringEquals": U}, [ConditionEntry("StringEquals", U, [U])]),
    ("whole-unknown", U, [ConditionEntry(embed(U), U, [U])]),
    ("unknown-operator-key", {U: {"aws:SourceAccount": "1"}},
     [ConditionEntry(embed(U), "aws:SourceAccount", ["1"])]),
    ("empty", {}, []),
]


@pytest.mark.parametrize("condition,expected", [c[1:] for c in CONDITIONS], ids=[c[0] for c in CONDITIONS])
def test_conditions(condition, expected):
    st = only_statement(Principal="*", Condition=condition)
    assert st.conditions == expected
    assert st.problems == []


# ---------------------------------------------------------------------------
# Problems
# ---------------------------------------------------------------------------

STATEMENT_PROBLEMS = [
    ("no-effect", {"Action": "ses:SendEmail", "Resource": "*"}, ["the statement has no Effect"]),
    ("bad-effect", {"Effect": "allow", "Action": "*", "Resource": "*"},
     ["Effect must be Allow or Deny, not 'allow'"]),
    ("effect-number", {"Effect": 1, "Action": "*", "Resource": "*"}, ["Effect must be Allow or Deny, not '1'"]),
    ("both-actions", {"Effect": "Allow", "Action": "*", "NotAction": "a", "Resource": "*"},
     ["the statement has both Action and NotAction"]),
    ("no-action", {"Effect": "Allow", "Resource": "*"}, ["the statement has neither Action nor NotAction"]),
    ("no-resource", {"Effect": "Allow", "Action": "*"}, ["the statement has neither Resource nor NotResource"]),
    ("action-number", {"Effect": "Allow", "Action": 5, "Resource": "*"},
     ["Action must be a string or a list of strings, not a number"]),
    ("action-item-object", {"Effect": "Allow", "Action": ["a", {}], "Resource": "*"},
     ["Action holds an object, not a string"]),
    ("both-principals", {"Effect": "Allow", "Action": "*", "Resource": "*", "Principal": "*", "NotPrincipal": "*"},
     ["the statement has both Principal and NotPrincipal"]),
    ("principal-string", {"Effect": "Allow", "Action": "*", "Resource": "*", "Principal": "111122223333"},
     ['Principal must be "*" or an object, not the string \'111122223333\'']),
    ("principal-list", {"Effect": "Allow", "Action": "*", "Resource": "*", "Principal": ["*"]},
     ['Principal must be "*" or an object, not a list']),
    ("principal-type", {"Effect": "Allow", "Action": "*", "Resource": "*", "Principal": {"Aws": "*"}},
     ["Principal has an unknown principal type 'Aws'"]),
    ("principal-value-number", {"Effect": "Allow", "Action": "*", "Resource": "*", "Principal": {"AWS": 1}},
     ["Principal AWS must be a string or a list of strings, not a number"]),
    ("condition-list", {"Effect": "Allow", "Action": "*", "Resource": "*", "Condition": []},
     ["Condition must be an object, not a list"]),
    ("condition-operator-string", {"Effect": "Allow", "Action": "*", "Resource": "*",
                                   "Condition": {"StringEquals": "x"}},
     ["condition operator 'StringEquals' must map to an object, not a string"]),
    ("condition-null-value", {"Effect": "Allow", "Action": "*", "Resource": "*",
                              "Condition": {"Null": {"k": None}}},
     ["condition key 'k' holds null, not a string, number or boolean"]),
    ("sid-number", {"Sid": 3, "Effect": "Allow", "Action": "*", "Resource": "*"},
     ["Sid must be a string, not a number"]),
    ("unknown-element", {"Effect": "Allow", "action": "*", "Action": "*", "Resource": "*"},
     ["unknown element 'action'"]),
]


@pytest.mark.parametrize("raw,expected", [c[1:] for c in STATEMENT_PROBLEMS],
                         ids=[c[0] for c in STATEMENT_PROBLEMS])
def test_statement_problems(raw, expected):
    doc = parse_document({"Statement": [raw]})
    assert doc.problems == []
    assert doc.statements[0].problems == expected


DOCUMENT_PROBLEMS = [
    ("list", [], ["the policy must be a JSON object, not a list"]),
    ("null", None, ["the policy must be a JSON object, not null"]),
    ("number", 3, ["the policy must be a JSON object, not a number"]),
    ("no-statement", {"Version": "2012-10-17"}, ["the policy has no Statement"]),
    ("statement-string", {"Statement": "x"}, ["Statement must be an object or a list of objects, not a string"]),
    ("statement-item-number", {"Statement": [1]}, ["statement #1 must be an object, not a number"]),
    ("unknown-top-level", {"Statement": [], "Statements": []}, ["unknown top-level element 'Statements'"]),
    ("json-syntax", '{"Statement": [}', ["the policy is not valid JSON: unexpected character '}' at line 1 column 16"]),
    ("json-empty", "", ["the policy is not valid JSON: unexpected end of JSON at line 1 column 1"]),
    ("json-duplicate", '{"Statement": [],\n "Statement": []}',
     ["duplicate key 'Statement' at line 2; the last value is used"]),
]


@pytest.mark.parametrize("value,expected", [c[1:] for c in DOCUMENT_PROBLEMS], ids=[c[0] for c in DOCUMENT_PROBLEMS])
def test_document_problems(value, expected):
    doc = parse_document(value)
    assert doc.problems == expected
    assert doc.statements == []


def test_json_error_position_uses_string_location():
    text = LStr('{\n  "Statement": [,]\n}', Location("main.tf", 10, 5))
    doc = parse_document(text)
    assert doc.problems == ["the policy is not valid JSON: unexpected character ',' at line 11 column 17"]


def test_deep_nesting_does_not_raise():
    doc = parse_document("[" * 5000 + "]" * 5000)
    assert len(doc.problems) == 1
    assert doc.problems[0].startswith("the policy is not valid JSON")


# ---------------------------------------------------------------------------
# Unknowns and the statement list
# ---------------------------------------------------------------------------


def test_whole_unknown():
    doc = parse_document(U)
    assert (doc.statements, doc.unknown, doc.problems) == ([], U, [])


def test_whole_marker_string():
    doc = parse_document(embed(U))
    assert (doc.statements, doc.unknown, doc.problems) == ([], U, [])


def test_unknown_statement_list():
    doc = parse_document({"Statement": U})
    assert (doc.statements, doc.unknown) == ([], U)


def test_unknown_statement_item_keeps_the_others():
    doc = parse_document({"Statement": [U, statement(Sid="A"), statement(Sid="B")]})
    assert doc.unknown == U
    assert [(s.sid, s.index) for s in doc.statements] == [("A", 1), ("B", 2)]


def test_undecodable_text_with_marker_is_unknown():
    doc = parse_document('{"Statement": ' + embed(U) + "}")
    assert doc.unknown == U
    assert doc.problems == ["the policy is not valid JSON: unexpected character '\\ue000' at line 1 column 15"]


def test_single_statement_object_and_fields():
    doc = parse_document({"Version": "2012-10-17", "Id": "pol",
                          "Statement": statement(Sid="S", Principal="*")})
    assert (doc.version, doc.id) == ("2012-10-17", "pol")
    st = doc.statements[0]
    assert (st.index, st.sid, st.effect, st.label) == (0, "S", "Allow", "statement 'S'")


def test_unknown_effect_and_sid():
    st = only_statement(Effect=U, Sid=U)
    assert (st.effect, st.sid, st.problems) == (U, "${var.x}", [])


def test_label_without_sid():
    doc = parse_document({"Statement": [statement(), statement()]})
    assert [s.label for s in doc.statements] == ["statement #1", "statement #2"]


# ---------------------------------------------------------------------------
# Locations
# ---------------------------------------------------------------------------

POLICY_TEXT = """{
  "Version": "2012-10-17",
  "Statement": [
    {
      "Sid": "Send",
      "Effect": "Allow",
      "Principal": {
        "AWS": ["111122223333",
                "444455556666"]
      },
      "Action": "ses:SendEmail",
      "Resource": "*",
      "Condition": {
        "StringEquals": {
          "ses:FromAddress": "a@example.com"
        }
      }
    }
  ]
}"""


def test_locations_from_json_text():
    doc = parse_document(LStr(POLICY_TEXT, Location("policy.tf", 20, 3)))
    st = doc.statements[0]
    assert doc.where().line == 20
    at = {path: (loc.file, loc.line, loc.column) for path, loc in doc.locs.items()}
    assert at == {"": ("policy.tf", 20, 3), "Statement/0": ("policy.tf", 23, 5),
                  "Statement/0/Principal": ("policy.tf", 26, 7), "Statement/0/Condition": ("policy.tf", 32, 7)}
    assert st.actions.loc.line == 30


def test_locations_with_file_argument():
    doc = parse_document(POLICY_TEXT, file="p.json")
    st = doc.statements[0]
    assert (doc.where(st.path).file, doc.where(st.path).line) == ("p.json", 4)


def test_locations_fall_back_to_enclosing():
    loc = Location("main.tf", 7)
    doc = parse_document({"Statement": [statement(Principal={"AWS": ["1"]},
                                                  Condition={"Bool": {"k": True}})]}, loc)
    st = doc.statements[0]
    assert doc.locs == {"": loc, "Statement/0": loc, "Statement/0/Principal": loc, "Statement/0/Condition": loc}
    assert doc.where("Statement/0/Condition/Bool") == loc


def test_unknown_location_is_kept():
    where = Location("vars.tf", 3)
    doc = parse_document(Unknown("var.policy", VARIABLE, where))
    assert doc.where() == where


# ---------------------------------------------------------------------------
# Never raising
# ---------------------------------------------------------------------------

ATOMS = ["*", "Allow", "Deny", "ses:SendEmail", "ses:*", "arn:aws:iam::111122223333:root",
         "arn:aws:iam::*:root", f"arn:aws:iam::{embed(OWN)}:root", f"arn:aws:iam::{embed(U)}:root",
         embed(U), "aws:PrincipalAccount", "aws:SourceArn", "StringEquals", "ForAnyValue:StringLike",
         "o-abc/r-1/ou-*", "AROAEXAMPLE:*", "", ":", "arn", U, OWN, 0, 1.5, True, None]
KEYS = ["Statement", "Effect", "Action", "NotAction", "Principal", "NotPrincipal", "Condition",
        "AWS", "Service", "Federated", "StringEquals", "StringNotEquals", "aws:SourceAccount",
        "aws:PrincipalArn", "aws:userid", "ses:FromAddress", "x", U]


def random_value(rng, depth):
    roll = rng.random()
    if depth > 4 or roll < 0.4:
        return rng.choice(ATOMS)
    if roll < 0.7:
        return [random_value(rng, depth + 1) for _ in range(rng.randrange(4))]
    return {rng.choice(KEYS): random_value(rng, depth + 1) for _ in range(rng.randrange(5))}


def random_policy(rng):
    statements = [{key: random_value(rng, 1) for key in rng.sample(KEYS[1:8], rng.randrange(8))}
                  for _ in range(rng.randrange(4))]
    return {"Statement": statements if rng.random() < 0.8 else random_value(rng, 1)}


@pytest.mark.parametrize("seed", range(5))
def test_random_values_never_raise(seed):
    rng = random.Random(seed)
    for _ in range(200):
        value = random_policy(rng) if rng.random() < 0.8 else random_value(rng, 0)
        doc = parse_document(value)
        assert isinstance(doc, PolicyDocument)
        evaluate(doc, Trust(accounts=frozenset({"111122223333"})))


@pytest.mark.parametrize("seed", range(3))
def test_mangled_json_never_raises(seed):
    rng = random.Random(seed)
    text = json.dumps({"Statement": [statement(Principal={"AWS": ["111122223333"]},
                                               Condition={"StringEquals": {"aws:SourceAccount": "1"}})]})
    for _ in range(200):
        cut = rng.randrange(len(text))
        mangled = text[:cut] + rng.choice(['"', "{", "]", ",", "", "\\", "\ue000"]) + text[cut + 1:]
        evaluate(parse_document(mangled), Trust())


def test_a_part_not_in_the_table_is_where_its_nearest_enclosing_part_is():
    doc = parse_document(LStr(POLICY_TEXT, Location("policy.tf", 20, 3)))
    assert doc.where("Statement/0/Action").line == 23
    assert doc.where("Statement/7").line == 20
    assert parse_document({"Statement": []}).where("Statement/0") is None


def test_a_json_string_carries_the_provenance_of_what_a_template_interpolated_there():
    from analyzer.model import Hop

    via_module = (Hop(Location("main.tf", 10), "module.ses argument sender"),)
    text = '{"Statement": [{"Effect": "Allow", "Principal": {"AWS": ["*", "arn:aws:iam::1:root"]}, ' \
           '"Action": "ses:SendEmail", "Resource": "*"}]}'
    star = text.index('"*"') + 1
    account = text.index("1:root")
    spans = ((star, star + 1, Location("terraform.tfvars", 1, 10), via_module),  # "${var.sender}"
             (account, account + 1, Location("ses/policy.tftpl", 1, 70), ()))  # written on the string's own line
    doc = parse_document(LStr(text, Location("ses/policy.tftpl", 1, 1), spans=spans))
    first, second = doc.statements[0].principals
    assert first.value.via == (Hop(Location("terraform.tfvars", 1, 10), "value written"),) + via_module
    assert second.value.via == ()  # its origin is where the string is: nothing to add
    assert parse_document(LStr(text, Location("ses/policy.tftpl", 1, 1))).statements[0].principals[0].value.via == ()


def test_a_policy_text_passed_to_a_module_keeps_what_was_interpolated_into_it():
    from analyzer.model import Hop, passed

    text = '{"Statement": [{"Effect": "Allow", "Principal": "*", "Action": "ses:SendEmail", "Resource": "*"}]}'
    star = text.index('"*"') + 1
    written = LStr(text, Location("main.tf", 3), spans=((star, star + 1, Location("terraform.tfvars", 1), ()),))
    argument = Hop(Location("main.tf", 9), "module.ses argument policy")
    doc = parse_document(passed(written, argument))
    [entry] = doc.statements[0].principals
    assert entry.value.via == (Hop(Location("terraform.tfvars", 1), "value written"), argument)

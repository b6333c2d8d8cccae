"""Terraform built-in functions: exact results, unknown propagation, markers,
file access rules and error messages."""

import os
import pickle

import pytest

from analyzer.errors import Unsupported
from analyzer.files import Limits
from analyzer.model import (
    AFTER_APPLY,
    EVALUATION,
    OWNER,
    VARIABLE,
    LDict,
    Location,
    LStr,
    Unknown,
    embed,
)
from analyzer.terraform.functions import SUPPORTED, CallContext, FunctionError, JsonText, call
from conftest import exact

V = Unknown("var.x", VARIABLE)
W = Unknown("var.y", VARIABLE)
O = Unknown("data.aws_caller_identity.current.account_id", OWNER)
O_DERIVED = Unknown(O.ref, EVALUATION)  # a value computed from the owner is not the owner
MV = embed(V)
MO = embed(O)


def run(name, *args, ctx=None):
    return call(name, list(args), ctx)


CASES = [
    # jsonencode / jsondecode
    ("jsonencode", [{"b": 1, "a": [True, None, 1.5, "x"]}], '{"a":[true,null,1.5,"x"],"b":1}'),
    ("jsonencode", ["<&>"], '"\\u003c\\u0026\\u003e"'),
    ("jsonencode", [1e20], "100000000000000000000"),
    ("jsonencode", [0.1], "0.1"),
    ("jsonencode", [{"p": V}], '{"p":"' + MV + '"}'),
    ("jsonencode", [V], V),
    ("jsonencode", [O], O_DERIVED),
    ("jsondecode", ['{"a": [1, 2.5, "x", null, true]}'], {"a": [1, 2.5, "x", None, True]}),
    ("jsondecode", ['{"a": "arn:' + MV + '"}'], {"a": "arn:" + MV}),
    ("jsondecode", ['{"a": ' + MV + "}"], V),
    ("jsondecode", [V], V),
    # merge / concat / flatten / distinct / compact
    ("merge", [{"a": 1, "b": 1}, {"b": 2}, None], {"a": 1, "b": 2}),
    ("merge", [], {}),
    ("merge", [{"a": V}], {"a": V}),
    ("merge", [{"a": 1}, V], V),
    ("concat", [[1], [V, "a"]], [1, V, "a"]),
    ("concat", [V, ["a"]], V),
    ("flatten", [[[1, [2]], 3, []]], [1, 2, 3]),
    ("flatten", [[V, 1]], V),
    ("flatten", [[[V]]], V),
    ("distinct", [["a", "b", "a", V, V, W]], ["a", "b", V, W]),
    ("distinct", [[1, True, 1.0]], [1, True]),
    ("compact", [["a", "", None, 1]], ["a", "1"]),
    ("compact", [["a", V]], V),
    ("compact", [[MV]], [MV]),
    # coalesce / coalescelist
    ("coalesce", [None, "", "x", "y"], "x"),
    ("coalesce", ["x", V], "x"),
    ("coalesce", [V, "x"], V),
    ("coalesce", [O, "x"], O_DERIVED),
    ("coalescelist", [[], ["a"], ["b"]], ["a"]),
    ("coalescelist", [V, ["a"]], V),
    # lookup / element / length / keys / values / zipmap
    ("lookup", [{"a": 1}, "a"], 1),
    ("lookup", [{"a": 1}, "b", 2], 2),
    ("lookup", [{"a": 1}, "b", V], V),
    ("lookup", [{"a": O}, "a"], O),
    ("lookup", [V, "a", 1], V),
    ("lookup", [{"a": 1}, V], V),
    ("lookup", [{"a": 1}, MV, 0], V),
    ("lookup", [{MV: 1}, MV], 1),
    ("lookup", [{MV: 1}, "a", 0], V),
    ("element", [["a", "b", "c"], 4], "b"),
    ("element", [["a", "b"], "1"], "b"),
    ("element", [[O], 0], O),
    ("element", [V, 0], Unknown("element(var.x, 0)", "variable")),  # which element stays traceable
    ("element", [["a"], V], V),
    ("length", [[V, 1]], 2),
    ("length", [{"a": 1}], 1),
    ("length", ["héllo"], 5),
    ("length", [MV + "x"], V),
    ("length", [O], O_DERIVED),
    ("keys", [{"b": 1, "a": 2}], ["a", "b"]),
    ("keys", [V], V),
    ("keys", [{MV: 1}], V),
    ("values", [{"b": 1, "a": V}], [V, 1]),
    ("zipmap", [["a", "b"], [1, V]], {"a": 1, "b": V}),
    ("zipmap", [["a", "a"], [1, 2]], {"a": 2}),
    ("zipmap", [[V], [1]], V),
    # contains
    ("contains", [[V, "a"], "b"], V),
    ("contains", [[V, "a"], "a"], True),
    ("contains", [["a"], "b"], False),
    ("contains", [["a"], V], V),
    ("contains", [[1, 2], 2.0], True),
    ("contains", [[True], 1], False),
    ("contains", [["arn:" + MV], "foo"], False),
    ("contains", [["arn:" + MV], "arn:1"], V),
    ("contains", [[[1, V]], [2, 3]], False),
    # format
    ("format", ["arn:aws:iam::%s:root", O], "arn:aws:iam::" + MO + ":root"),
    ("format", ["%s-%d-%v-%t", "a", 42, "x", True], "a-42-x-true"),
    ("format", ["%v|%v|%v|%v", 1234567, 100000, 0.00001, 1.5], "1.234567e+06|100000|1e-05|1.5"),
    ("format", ["%#v", {"b": [1], "a": "x"}], '{"a":"x","b":[1]}'),
    ("format", ["%v %v %#v", ["a"], None, "a"], '["a"] null "a"'),
    ("format", ["%q", 'say "hi"'], '"say \\"hi\\""'),
    ("format", ["%5.2f|%-6s|%06d|%+d|%05s", 3.14159, "ab", 42, 5, "ab"], " 3.14|ab    |000042|+5|000ab"),
    ("format", ["%f %.1f", 1, 2.25], "1.000000 2.2"),
    ("format", ["%.3s", "abcdef"], "abc"),
    ("format", ["%[2]s %[1]s %s", "a", "b"], "b a b"),
    ("format", ["100%%"], "100%"),
    ("format", ["%s", MV + "x"], MV + "x"),
    ("format", ["%5s", V], V),
    ("format", ["%5s", "a" + MV], V),
    ("format", ["%d", V], MV),
    ("format", ["%d", "7"], "7"),
    ("format", [V, "a"], V),
    ("formatlist", ["%s-%s", ["a", "b"], "x"], ["a-x", "b-x"]),
    ("formatlist", ["%s", [V, "a"]], [MV, "a"]),
    ("formatlist", ["%2s", [V, "a"]], [V, " a"]),
    ("formatlist", ["x"], ["x"]),
    ("formatlist", ["%s", []], []),
    ("formatlist", ["%s", V], V),
    # join / split / replace
    ("join", [",", ["a", V, 1]], "a," + MV + ",1"),
    ("join", ["-", ["a"], ["b", True]], "a-b-true"),
    ("join", [",", V], V),
    ("split", [",", "a,b,,c"], ["a", "b", "", "c"]),
    ("split", [",", ""], [""]),
    ("split", ["", "abc"], ["a", "b", "c"]),
    ("split", [",", "a," + MV + ",b"], ["a", MV, "b"]),
    ("split", ["|", MV], [MV]),  # the text of a marker is invisible to matching
    ("split", ["a", "b" + MV + "ab"], ["b" + MV, "b"]),
    ("split", [":", MV + ":x"], [MV, "x"]),
    ("split", [MV, "a"], V),
    ("replace", ["a-b-c", "-", "+"], "a+b+c"),
    ("replace", ["arn:aws:iam::" + MO + ":root", ":root", ":user/x"], "arn:aws:iam::" + MO + ":user/x"),
    ("replace", ["x" + MV, "var", "y"], "x" + MV),
    ("replace", ["x" + MV + "x", "x", "y"], "y" + MV + "y"),
    ("replace", [MV + "a", "", "-"], V),
    ("replace", ["a/b", "/", "-"], "a-b"),
    ("replace", ["hello world", "/o(\\s|$)/", "0$1"], "hell0 world"),
    ("replace", ["hi there", "/(?P<word>\\w+)/", "${word}!"], "hi! there!"),
    ("replace", ["abxd", "/x*/", "-"], "-a-b-d-"),
    ("replace", ["aaa", "/a/", "$$"], "$$$"),
    ("replace", ["ab", "/(a)/", "$1x"], "b"),
    ("replace", ["ab", "/(a)/", "${1}x"], "axb"),
    ("replace", ["a.b", "/./", "x"], "xxx"),
    ("replace", ["cat concat", "/\\bcat\\b/", "dog"], "dog concat"),
    ("replace", ["ab" + MV, "/b/", "c"], "ac" + MV),
    ("replace", ["ab" + MV, "/b./", "c"], V),
    # regex / regexall, and RE2 semantics
    ("regex", ["^arn:aws:iam::(\\d+):root$", "arn:aws:iam::123456789012:root"], ["123456789012"]),
    ("regex", ["(?P<acct>\\d+)", "id 42"], {"acct": "42"}),
    ("regex", ["(?<acct>\\d+)", "id 42"], {"acct": "42"}),
    ("regex", ["\\d+", "ab12cd"], "12"),
    ("regex", ["(a)?b", "b"], [None]),
    ("regex", ["^a", "ab" + MV], "a"),
    ("regex", ["^arn:aws:iam::(\\d+)", "arn:aws:iam::" + MO], O_DERIVED),
    ("regex", ["z", "ab" + MV], V),
    ("regex", ["(?m)a$", "a\nb"], "a"),
    ("regex", ["\\Q.*\\E", "a.*b"], ".*"),
    ("regex", ["\\x{41}\\x42\\103", "zABC"], "ABC"),
    ("regex", ["a{,3}", "a{,3}"], "a{,3}"),
    ("regex", ["a+?", "aaa"], "a"),
    ("regex", ["(?s)a.b", "a\nb"], "a\nb"),
    ("regex", ["[^a]", "\n"], "\n"),
    ("regex", ["(?i:AB)c", "abc"], "abc"),
    ("regexall", ["\\d+", "a1b22"], ["1", "22"]),
    ("regexall", ["(\\w)=(\\d)", "a=1 b=2"], [["a", "1"], ["b", "2"]]),
    ("regexall", ["x", "abc"], []),
    ("regexall", ["a$", "a\n"], []),
    ("regexall", ["\\d", "\u0661 2"], ["2"]),
    ("regexall", ["[[:upper:]]+", "abCDeF"], ["CD", "F"]),
    ("regexall", ["[\\d.-]+", "v1.2-3 x"], ["1.2-3"]),
    ("regexall", ["a(?i)b|c", "aB C"], ["aB", "C"]),
    ("regexall", ["a*", "baa"], ["", "aa"]),  # Go drops an empty match right after a match
    ("regexall", ["a", MV], V),
    # case, trimming, substrings
    ("lower", ["ABC"], "abc"),
    ("lower", [O], O),
    ("lower", ["ARN:" + embed(Unknown("var.Acct", VARIABLE))], "arn:" + embed(Unknown("var.Acct", VARIABLE))),
    ("upper", ["abc"], "ABC"),
    ("upper", ["straße"], "STRAßE"),
    ("upper", [O], O),
    ("title", ["hello world-foo o'neil_x"], "Hello World-Foo O'Neil_x"),
    ("title", ["ab" + MV + "cd"], V),
    ("title", [MV + "-x"], MV + "-X"),
    ("trimspace", ["  a b \n"], "a b"),
    ("trimspace", [O], O),
    ("trim", ["?!a?!", "?!"], "a"),
    ("trim", ["a", ""], "a"),
    ("trim", ["x" + MV + "x", "x"], V),
    ("trim", ["ab" + MV + "ba", "a"], "b" + MV + "b"),
    ("trimprefix", ["arn:aws", "arn:"], "aws"),
    ("trimprefix", ["foo", "arn:"], "foo"),
    ("trimprefix", ["ar" + MV, "arn:"], V),
    ("trimprefix", ["arn:" + MV, "arn:"], MV),
    ("trimsuffix", ["a.json", ".json"], "a"),
    ("trimsuffix", [MV + ".json", ".json"], MV),
    ("trimsuffix", [MV + "n", ".json"], V),
    ("trimsuffix", ["abc", "x"], "abc"),
    ("substr", ["hello world", 1, 4], "ello"),
    ("substr", ["hello", -3, -1], "llo"),
    ("substr", ["hello", 10, 2], ""),
    ("substr", ["hello", -10, 2], "he"),
    ("substr", ["ab" + MV, 0, 2], "ab"),
    ("substr", ["ab" + MV, 1, 2], V),
    ("startswith", ["arn:aws:iam", "arn:"], True),
    ("startswith", ["x", "arn:"], False),
    ("startswith", ["ar" + MV, "arn:"], V),
    ("startswith", ["arn:" + MV, "arn:"], True),
    ("startswith", ["foo" + MV, "arn:"], False),
    ("endswith", ["a.json", ".json"], True),
    ("endswith", [MV + ".json", "n"], True),
    ("endswith", [MV, ".json"], V),
    ("endswith", ["a" + MV + "x", ".json"], False),
    ("strcontains", ["hello", "ell"], True),
    ("strcontains", ["hello", "z"], False),
    ("strcontains", ["ab" + MV, "b"], True),
    ("strcontains", ["a" + MV, "z"], V),
    ("strcontains", ["a" + MV, "var"], V),
    # conversions
    ("tolist", [["a", 1, True]], ["a", "1", "true"]),
    ("tolist", [V], V),
    ("tolist", [None], None),
    ("toset", [["b", "a", "b"]], ["a", "b"]),
    ("toset", [[3, 1, 3]], [1, 3]),
    ("toset", [["b", V, "a", V]], ["b", V, "a"]),
    ("toset", [["a", 1]], ["1", "a"]),
    ("tomap", [{"a": 1, "b": "x"}], {"a": "1", "b": "x"}),
    ("tostring", [1.5], "1.5"),
    ("tostring", [10], "10"),
    ("tostring", [1e21], "1000000000000000000000"),
    ("tostring", [True], "true"),
    ("tostring", [None], None),
    ("tostring", [O], O),
    ("tonumber", ["42"], 42),
    ("tonumber", ["1.5"], 1.5),
    ("tonumber", [7], 7),
    ("tonumber", [None], None),
    ("tonumber", [O], O_DERIVED),
    ("tobool", ["true"], True),
    ("tobool", [False], False),
    ("tobool", [None], None),
    # numbers
    ("max", [1, 5.5, "3"], 5.5),
    ("min", [3, 1], 1),
    ("max", [V, 1], V),
    ("sum", [[1, 2, 3]], 6),
    ("sum", [[0.1, 0.2]], 0.3),
    ("sum", [[1, V]], V),
    ("range", [3], [0, 1, 2]),
    ("range", [1, 4], [1, 2, 3]),
    ("range", [4, 1], [4, 3, 2]),
    ("range", [0, 1, 0.25], [0, 0.25, 0.5, 0.75]),
    ("range", [1, 4, -1], []),
    # list shaping
    ("reverse", [[1, V, 3]], [3, V, 1]),
    ("slice", [["a", "b", "c"], 1, 3], ["b", "c"]),
    ("sort", [["b", "a", "10", "9"]], ["10", "9", "a", "b"]),
    ("sort", [[2, 10]], ["10", "2"]),
    ("sort", [["a", V]], V),
    ("sort", [["a", MV]], V),
    ("chunklist", [[1, 2, 3], 2], [[1, 2], [3]]),
    ("chunklist", [[1, 2], 0], [[1, 2]]),
    ("chunklist", [[], 2], []),
    ("one", [[]], None),
    ("one", [["a"]], "a"),
    ("one", [[O]], O),
    # sets
    ("setunion", [["b", "a"], ["c", "a"]], ["a", "b", "c"]),
    ("setunion", [["a"], [V]], ["a", V]),
    ("setintersection", [["a", "b"], ["b", "c"]], ["b"]),
    ("setintersection", [["a", "b"], [V, "b"]], V),
    ("setintersection", [["b"], [V, "b"]], ["b"]),
    ("setproduct", [["a", "b"], [1, 2]], [["a", 1], ["a", 2], ["b", 1], ["b", 2]]),
    # booleans
    ("alltrue", [[True, "true"]], True),
    ("alltrue", [[]], True),
    ("alltrue", [[True, V]], V),
    ("alltrue", [[V, False]], False),
    ("anytrue", [[False, V]], V),
    ("anytrue", [[V, True]], True),
    ("anytrue", [[]], False),
    # encodings and hashes
    ("base64encode", ["hello"], "aGVsbG8="),
    ("base64decode", ["aGVsbG8="], "hello"),
    ("md5", ["hello"], "5d41402abc4b2a76b9719d911017c592"),
    ("sha1", ["hello"], "aaf4c61ddcc5e8a2dabede0f3b482cd9aea9434d"),
    ("sha256", ["hello"], "2cf24dba5fb0a30e26e83b2ac5b9e29e1b161e5c1fa7425e73043362938b9824"),
    ("md5", [MV], V),
    ("md5", [O], O_DERIVED),
    ("base64encode", ["a" + MO], O_DERIVED),
    # paths without file access
    ("basename", ["foo/bar/"], "bar"),
    ("basename", [""], "."),
    ("basename", ["/"], "/"),
    ("dirname", ["foo/bar/baz.json"], "foo/bar"),
    ("dirname", ["foo"], "."),
    ("dirname", ["/foo"], "/"),
    ("dirname", ["foo/bar/"], "foo/bar"),
    ("basename", [MV + "/x"], V),
    # misc
    ("uuid", [], Unknown("uuid()", AFTER_APPLY)),
    ("timestamp", [], Unknown("timestamp()", AFTER_APPLY)),
    ("sensitive", [O], O),
    ("nonsensitive", ["a"], "a"),
    # the AWS provider's ARN functions
    ("provider::aws::arn_parse", ["arn:aws:iam::444455556666:role/with/path/example"],
     {"partition": "aws", "service": "iam", "region": "", "account_id": "444455556666",
      "resource": "role/with/path/example"}),
    ("provider::aws::arn_parse", ["arn:aws:sns:us-east-1:111122223333:topic:sub:id"],
     {"partition": "aws", "service": "sns", "region": "us-east-1", "account_id": "111122223333",
      "resource": "topic:sub:id"}),
    ("provider::aws::arn_parse", ["arn:aws:iam::" + MO + ":root"],
     {"partition": "aws", "service": "iam", "region": "", "account_id": MO, "resource": "root"}),
    ("provider::aws::arn_parse", [MV + ":aws:iam::1:root"], V),
    ("provider::aws::arn_parse", ["arn:aws:" + MV], V),
    ("provider::aws::arn_parse", [V], V),
    ("provider::aws::arn_build", ["aws", "ses", "us-east-1", "111122223333", "identity/example.com"],
     "arn:aws:ses:us-east-1:111122223333:identity/example.com"),
    ("provider::aws::arn_build", ["aws", "iam", "", O, "root"], "arn:aws:iam::" + MO + ":root"),
    ("provider::aws::arn_build", ["", "", "", "", ""], "arn:::::"),
    ("provider::aws::trim_iam_role_path", ["arn:aws:iam::444455556666:role/with/path/example"],
     "arn:aws:iam::444455556666:role/example"),
    ("provider::aws::trim_iam_role_path", ["arn:aws:iam::444455556666:role/example"],
     "arn:aws:iam::444455556666:role/example"),
    ("provider::aws::trim_iam_role_path", ["arn:aws:iam::" + MO + ":role/a/b"], "arn:aws:iam::" + MO + ":role/b"),
    ("provider::aws::trim_iam_role_path", ["arn:aws:iam::1:role/a/" + MV], "arn:aws:iam::1:role/" + MV),
]


@pytest.mark.parametrize("name,args,expected", CASES,
                         ids=[f"{i}-{case[0]}" for i, case in enumerate(CASES)])
def test_call(name, args, expected):
    result = call(name, args, None)
    assert exact(result, expected), f"{name}{tuple(args)!r} = {result!r}, want {expected!r}"


ERRORS = [
    ("nosuch", [], "function nosuch() is not supported"),
    ("provider::aws::arn_parse", ["aws:iam::1:root"], "provider::aws::arn_parse: arn: invalid prefix"),
    ("provider::aws::arn_parse", ["arn"], "provider::aws::arn_parse: arn: invalid prefix"),
    ("provider::aws::arn_parse", ["arn:aws:iam::1"], "provider::aws::arn_parse: arn: not enough sections"),
    ("provider::aws::arn_build", ["aws", None, "", "1", "root"], "provider::aws::arn_build: service must not be null"),
    ("provider::aws::trim_iam_role_path", ["arn:aws:sts::1:role/x"],
     'provider::aws::trim_iam_role_path: service must be "iam"'),
    ("provider::aws::trim_iam_role_path", ["arn:aws:iam:us-east-1:1:role/x"],
     "provider::aws::trim_iam_role_path: region must be empty"),
    ("provider::aws::trim_iam_role_path", ["arn:aws:iam::1:user/a/x"],
     'provider::aws::trim_iam_role_path: resource must begin with "role/"'),
    ("upper", [], "upper: expected 1 argument, got 0"),
    ("lookup", [{}, "a", 1, 2], "lookup: expected 2 to 3 arguments, got 4"),
    ("concat", [], "concat: expected at least 1 argument, got 0"),
    ("join", [","], "join: expected at least 2 arguments, got 1"),
    ("setproduct", [["a"]], "setproduct: expected at least 2 arguments, got 1"),
    ("max", [], "max: expected at least 1 argument, got 0"),
    ("jsondecode", ['{"a": }'], "jsondecode: unexpected character '}' at line 1 column 7"),
    ("jsondecode", ['{"a": 1, "a": 2}'], 'jsondecode: duplicate "a" property in JSON object at line 1 column 10'),
    ("jsondecode", [None], "jsondecode: argument must not be null"),
    ("jsonencode", [object()], "jsonencode: cannot encode a object as JSON"),
    ("merge", [[1]], "merge: argument 1 must be a map or object, got list"),
    ("concat", ["a"], "concat: argument 1 must be a list, got string"),
    ("compact", [[["x"]]], "compact: element 0 must be a string, got list"),
    ("coalesce", [None, ""], "coalesce: no non-null, non-empty-string arguments"),
    ("coalescelist", [[], []], "coalescelist: no non-null, non-empty arguments"),
    ("lookup", [{"a": 1}, "b"], 'lookup: no key "b" in the map and no default value given'),
    ("element", [[], 0], "element: cannot use element function with an empty list"),
    ("element", [["a"], -1], "element: cannot use element function with a negative index"),
    ("element", [["a"], 1.5], "element: index must be a whole number"),
    ("element", [["a"], "x"], 'element: index must be a number, got "x"'),
    ("element", [["a"], True], "element: index must be a number, got bool"),
    ("element", ["abc", 0], "element: first argument must be a list, got string"),
    ("length", [None], "length: argument must not be null"),
    ("length", [5], "length: argument must be a string, a list or a map, got number"),
    ("keys", [["a"]], "keys: argument must be a map or object, got list"),
    ("zipmap", [["a"], [1, 2]], "zipmap: number of keys (1) does not match number of values (2)"),
    ("contains", [{"a": 1}, "a"], "contains: first argument must be a list, got map"),
    ("format", ["%s"], 'format: not enough arguments for "%s" at 0: need index 1 but have 0 total'),
    ("format", ["hi", "a"], "format: too many arguments; no verbs in format string"),
    ("format", ["%s", "a", "b"], "format: too many arguments; only 1 used by format string"),
    ("format", ["%z", 1], "format: unsupported format verb 'z' in \"%z\" at offset 0"),
    ("format", ["%d", "x"], 'format: unsupported value for "%d" at 0: number required'),
    ("format", ["%d", 1.5], 'format: unsupported value for "%d" at 0: an integer is required'),
    ("format", ["%s", None], 'format: unsupported value for "%s" at 0: null value cannot be formatted'),
    ("format", ["%s", ["a"]], 'format: unsupported value for "%s" at 0: string required'),
    ("format", ["%t", 1], 'format: unsupported value for "%t" at 0: bool required'),
    ("format", ["abc %"], "format: invalid format string starting at offset 4"),
    ("format", ["%!", 1], "format: unrecognized format character '!' at offset 1"),
    ("formatlist", ["%s", ["a"], ["b", "c"]],
     "formatlist: argument 2 has length 2, which is inconsistent with argument 1 of length 1"),
    ("join", [",", ["a", None]], "join: element 1 of list 1 is null; cannot concatenate null values"),
    ("replace", ["x", "/(/", "y"], "replace: invalid regular expression '(': missing closing )"),
    ("regex", ["x", "abc"], "regex: pattern did not match any part of the given string"),
    ("regex", ["(a)(?P<n>b)", "ab"], "regex: capture groups must be either all named or all unnamed"),
    ("regex", ["a.b", "a\nb"], "regex: pattern did not match any part of the given string"),
    ("regex", ["(?=a)", "a"], "regex: invalid regular expression '(?=a)': invalid or unsupported Perl syntax"),
    ("regex", ["(a)\\1", "aa"], "backreferences are not supported"),
    ("regex", ["a**", "a"], "invalid nested repetition operator"),
    ("regex", ["*a", "a"], "missing argument to repetition operator"),
    ("regex", ["a{1001}", "a"], "invalid repeat count {1001}"),
    ("regex", ["\\Z", "a"], "invalid escape sequence \\Z"),
    ("regex", ["[[:foo:]]", "a"], "invalid or unsupported character class [:foo:]"),
    ("regex", ["[z-a]", "a"], "invalid character class range z-a"),
    ("regex", ["[a", "a"], "missing closing ]"),
    ("regex", ["a)", "a"], "unexpected )"),
    ("regex", ["a\\", "a"], "trailing backslash at end of expression"),
    ("substr", ["hello", 0, 1.5], "substr: length must be a whole number"),
    ("tolist", [{"a": 1}], "tolist: argument must be a list, got map"),
    ("tomap", [["a"]], "tomap: argument must be a map or object, got list"),
    ("tostring", [["a"]], "tostring: cannot convert a list to string"),
    ("tonumber", ["x"], 'tonumber: argument must be a number, got "x"'),
    ("tobool", ["yes"], 'tobool: cannot convert "yes" to bool; only "true" or "false" is allowed'),
    ("sum", [[]], "sum: cannot sum an empty list"),
    ("range", [0, 1, 0], "range: step must not be zero"),
    ("range", [2000], "range: more than 1024 values were generated"),
    ("slice", [["a"], 0, 2], "slice: end index must not be greater than the length of the list"),
    ("slice", [["a"], 1, 0], "slice: start index must be less than or equal to end index"),
    ("slice", [["a"], -1, 0], "slice: start index must be greater than or equal to 0"),
    ("sort", [["a", None]], "sort: given list element 1 is null; a null string cannot be sorted"),
    ("chunklist", [[1], -1], "chunklist: the size argument must be positive"),
    ("one", [[1, 2]], "one: must be a list, set, or tuple value with either zero or one elements"),
    ("alltrue", [[1]], "alltrue: element 0 must be a bool, got number"),
    ("base64decode", ["***"], "base64decode: failed to decode base64 data '***'"),
    ("base64decode", ["/w=="], "base64decode: the result of decoding the provided string is not valid UTF-8"),
]


@pytest.mark.parametrize("name,args,message", ERRORS,
                         ids=[f"{i}-{case[0]}" for i, case in enumerate(ERRORS)])
def test_errors(name, args, message):
    with pytest.raises(FunctionError) as info:
        call(name, args, None)
    assert message in str(info.value)


@pytest.mark.parametrize("pattern, construct", [
    ("\\pL", "\\p in the regular expression"),
    ("(?U)a", "the U (ungreedy) flag in the regular expression"),
    ("[\\pL]", "\\p inside a character class"),
])
def test_valid_re2_sesguard_cannot_translate_is_unsupported_not_a_bad_call(pattern, construct):
    with pytest.raises(Unsupported) as info:
        call("regex", [pattern, "a"], None)
    assert construct in str(info.value) and not isinstance(info.value, FunctionError)


def test_supported_names():
    expected = {
        "jsonencode", "jsondecode", "merge", "concat", "flatten", "distinct", "compact", "coalesce",
        "coalescelist", "lookup", "element", "length", "keys", "values", "zipmap", "contains",
        "format", "formatlist", "join", "split", "replace", "lower", "upper", "title", "trimspace",
        "trim", "trimprefix", "trimsuffix", "substr", "tolist", "toset", "tomap", "tostring",
        "tonumber", "tobool", "file", "templatefile", "abspath", "basename", "dirname", "max",
        "min", "range", "reverse", "slice", "sort", "setunion", "setintersection", "setproduct",
        "chunklist", "one", "sum", "startswith", "endswith", "strcontains", "regex", "regexall",
        "alltrue", "anytrue", "base64encode", "base64decode", "md5", "sha1", "sha256", "uuid",
        "timestamp", "sensitive", "nonsensitive", "templatestring", "provider::aws::arn_parse",
        "provider::aws::arn_build", "provider::aws::trim_iam_role_path",
    }
    assert SUPPORTED == expected
    assert "try" not in SUPPORTED and "can" not in SUPPORTED


# ---------------------------------------------------------------------------
# Unknown results
# ---------------------------------------------------------------------------


def test_unknown_results_are_fresh_objects_keeping_loc():
    owner = Unknown(O.ref, OWNER, Location("main.tf", 3, 7))
    kept = run("lower", owner)
    derived = run("md5", owner)
    assert kept is not owner and derived is not owner
    assert (kept.kind, kept.loc) == (OWNER, owner.loc)
    assert (derived.kind, derived.loc) == (EVALUATION, owner.loc)
    assert "deploying account" in derived.describe()


def test_variable_unknown_keeps_its_hint_when_derived():
    variable = Unknown("var.ids", VARIABLE, hint="pass --var ids=...")
    result = run("concat", variable, ["a"])
    assert (result.kind, result.hint) == (VARIABLE, "pass --var ids=...")


# ---------------------------------------------------------------------------
# JsonText
# ---------------------------------------------------------------------------


def _policy_ldict():
    statement = LDict({"Effect": "Allow"}, Location("main.tf", 5, 9),
                      {"Effect": Location("main.tf", 6, 11)})
    return LDict({"Statement": [statement], "Version": "2012-10-17"}, Location("main.tf", 3, 12),
                 {"Statement": Location("main.tf", 4, 5)})


def test_jsonencode_returns_json_text_keeping_the_value():
    policy = _policy_ldict()
    text = run("jsonencode", policy)
    assert isinstance(text, JsonText) and isinstance(text, str)
    assert text == '{"Statement":[{"Effect":"Allow"}],"Version":"2012-10-17"}'
    assert text.value is policy
    assert text.loc == Location("main.tf", 3, 12)


def test_jsondecode_of_json_text_round_trips_locations():
    policy = _policy_ldict()
    decoded = run("jsondecode", run("jsonencode", policy))
    assert decoded is policy
    assert decoded["Statement"][0].key_locs["Effect"] == Location("main.tf", 6, 11)


def test_json_text_survives_pickling():
    text = run("jsonencode", {"a": [1]})
    copy = pickle.loads(pickle.dumps(text))
    assert isinstance(copy, JsonText) and copy == text and copy.value == {"a": [1]}


def test_jsondecode_of_located_string_points_into_the_source():
    text = LStr('{\n  "Principal": {"AWS": "*"}\n}', Location("main.tf", 10, 5))
    decoded = run("jsondecode", text)
    assert decoded.loc.file == "main.tf"
    assert decoded.key_locs["Principal"].line == 11
    assert decoded["Principal"]["AWS"].loc.line == 11


def test_jsondecode_error_uses_the_string_location():
    with pytest.raises(FunctionError, match="at line 12 column 3"):
        run("jsondecode", LStr('{\n\n  oops}', Location("main.tf", 10, 5)))


def test_merge_keeps_key_locations():
    left = LDict({"a": 1, "b": 2}, None, {"a": Location("x.tf", 1), "b": Location("x.tf", 2)})
    right = LDict({"b": 3}, None, {"b": Location("y.tf", 7)})
    merged = run("merge", left, right, {"c": 4})
    assert merged == {"a": 1, "b": 3, "c": 4}
    assert merged.key_locs == {"a": Location("x.tf", 1), "b": Location("y.tf", 7)}


def test_keys_carry_key_locations():
    mapping = LDict({"b": 1, "a": 2}, None, {"a": Location("x.tf", 4)})
    assert [k.loc for k in run("keys", mapping)] == [Location("x.tf", 4), None]


# ---------------------------------------------------------------------------
# file / templatefile / abspath
# ---------------------------------------------------------------------------


@pytest.fixture
def tree(tmp_path, monkeypatch):
    root = tmp_path / "root"
    module = root / "modules" / "mail"
    module.mkdir(parents=True)
    (module / "policy.json").write_text('{\n  "Statement": [{"Effect": "Allow"}]\n}\n')
    (module / "mail.tpl").write_text("account=${account}")
    (tmp_path / "secret.txt").write_text("secret")
    monkeypatch.chdir(root)
    rendered = []

    def render(text, variables, path):
        rendered.append((text, variables, path))
        return "rendered:" + text

    ctx = CallContext(module_dir=str(module), root_dir=str(root), render_template=render)
    return ctx, rendered, tmp_path


def test_file_reads_relative_to_the_module_with_a_location(tree):
    ctx, _, _ = tree
    text = run("file", "policy.json", ctx=ctx)
    assert isinstance(text, LStr) and text.startswith('{\n  "Statement"')
    shown = os.path.join("modules", "mail", "policy.json")
    assert text.loc == Location(shown, 1, 1)
    decoded = run("jsondecode", text)
    effect = decoded["Statement"][0].key_locs["Effect"]
    assert (effect.file, effect.line, effect.column) == (shown, 2, 18)


def test_file_accepts_an_absolute_path_inside_the_root(tree):
    ctx, _, _ = tree
    assert run("file", os.path.join(ctx.module_dir, "mail.tpl"), ctx=ctx) == "account=${account}"


@pytest.mark.parametrize("path", ["../../../secret.txt", "../../../../../../../etc/passwd", "/etc/passwd"])
def test_file_refuses_paths_outside_the_root(tree, path):
    ctx, _, _ = tree
    with pytest.raises(FunctionError, match="outside the scanned root"):
        run("file", path, ctx=ctx)


def test_file_refuses_a_symlink_pointing_outside_the_root(tree):
    ctx, _, tmp_path = tree
    link = os.path.join(ctx.module_dir, "link.txt")
    os.symlink(tmp_path / "secret.txt", link)
    with pytest.raises(FunctionError, match="refusing to read 'link.txt'.*outside the scanned root"):
        run("file", "link.txt", ctx=ctx)


def test_file_errors(tree):
    ctx, _, _ = tree
    with pytest.raises(FunctionError, match="file: no file exists at"):
        run("file", "missing.json", ctx=ctx)
    with pytest.raises(FunctionError, match="is not a regular file"):
        run("file", ".", ctx=ctx)
    small = CallContext(ctx.module_dir, ctx.root_dir, ctx.render_template, limits=Limits(max_file_size=3))
    with pytest.raises(FunctionError, match="is larger than 3 bytes"):
        run("file", "policy.json", ctx=small)
    with open(os.path.join(ctx.module_dir, "binary.bin"), "wb") as handle:
        handle.write(b"ok\xff")
    with pytest.raises(FunctionError, match="not valid UTF-8"):
        run("file", "binary.bin", ctx=ctx)


def test_file_with_unknown_path(tree):
    ctx, _, _ = tree
    assert exact(run("file", V, ctx=ctx), V)
    assert exact(run("file", "dir/" + MV, ctx=ctx), V)


def test_templatefile_renders_with_the_evaluator(tree):
    ctx, rendered, _ = tree
    assert run("templatefile", "mail.tpl", {"account": O}, ctx=ctx) == "rendered:account=${account}"
    text, variables, path = rendered[0]
    assert text == "account=${account}" and variables == {"account": O}
    assert path == os.path.join("modules", "mail", "mail.tpl") and text.loc.file == path


def test_templatefile_refusals_and_errors(tree):
    ctx, rendered, _ = tree
    with pytest.raises(FunctionError, match="templatefile: refusing to read.*outside the scanned root"):
        run("templatefile", "../../../secret.txt", {}, ctx=ctx)
    with pytest.raises(FunctionError, match="templatefile: variables must be a map or object, got list"):
        run("templatefile", "mail.tpl", [], ctx=ctx)
    assert exact(run("templatefile", "mail.tpl", V, ctx=ctx), V)
    assert rendered == []


def test_templatefile_render_errors(tree):
    ctx, _, _ = tree

    def failing(message_type):
        def render(text, variables, path):
            raise message_type("boom")
        return render

    ctx.render_template = failing(FunctionError)
    with pytest.raises(FunctionError, match="^boom$"):
        run("templatefile", "mail.tpl", {}, ctx=ctx)
    ctx.render_template = failing(ValueError)  # a bug of sesguard's, not a bad call
    with pytest.raises(ValueError, match="^boom$"):
        run("templatefile", "mail.tpl", {}, ctx=ctx)


def test_abspath(tree):
    ctx, _, _ = tree
    expected = os.path.join(ctx.module_dir, "b").replace(os.sep, "/")
    assert run("abspath", "a/../b", ctx=ctx) == expected
    assert run("abspath", "/x/./y", ctx=ctx) == "/x/y"


@pytest.mark.parametrize("pattern, text", [
    ("(a|aa)*c", "a" * 60),
    ("(a+)+b", "a" * 60),
    (r"^(\w+\s?)*$", "a" * 60 + "!"),
    ("(x+x+)+y", "x" * 60),
], ids=["alternation", "nested-plus", "words", "doubled"])
def test_patterns_that_make_backtracking_engines_exponential_finish(pattern, text):
    """Terraform's RE2 answers these at once; Python's re would take longer than the universe."""
    assert call("regexall", [pattern, text], None) == []


@pytest.mark.parametrize("name", ["regex", "regexall"])
def test_a_match_that_takes_too_long_stops_at_the_bound(name, monkeypatch):
    from analyzer.terraform.functions import re2

    monkeypatch.setattr(re2, "REGEX_TIMEOUT", 0.2)
    with pytest.raises(Unsupported, match="took more than 0.2 s"):  # RE2 would answer: not the input's fault
        call(name, [r"\w+\d", "a" * 200_000], None)  # quadratic when backtracking, linear in RE2

"""Terraform's built-in functions over evaluated values.

The evaluator hands ``call`` values in its own conventions: strings (often
``LStr``), int/float numbers, bools, ``None`` for null, lists for tuples,
lists and sets, dicts for objects and maps, and ``Unknown`` for what cannot
be known statically. A string may embed unknown parts as markers
(``model.embed``).

Functions follow Terraform's results exactly where the value is known, and
never guess where it is not:

* a whole ``Unknown`` argument the result depends on makes the result an
  ``Unknown`` with the same ref. Identity-like functions (``tostring``,
  ``lower``, ``trimspace``, ``tolist`` ...) keep its kind; every other
  function demotes an ``OWNER`` unknown to ``EVALUATION``, because a value
  computed from the deploying account is not that account.
* Unknown elements of collections pass through collection functions;
  a function that needs them (``sort``, ``sum``, ``flatten``) is unknown.
* a string with markers goes through string functions as long as the
  operation cannot depend on the unknown parts (markers are opaque: a
  substring or regex match must not overlap one); otherwise the result is
  unknown. ``format`` and ``join`` embed unknown arguments as markers.

Regular expressions are RE2 (Go) syntax; ``_RE2Translator`` turns them into
Python ``re`` patterns with the same meaning, or refuses them.

The package: ``core`` (``call``, the registry, argument helpers, markers,
equality), ``collection`` (lists, maps, sets, numbers, conversions),
``strings``, ``gofmt`` (Go's ``fmt`` for ``format``), ``re2`` (the RE2
translation), ``encoding`` (JSON, base64, hashes) and ``files`` (reads
inside the scan's boundary); ``provider_aws`` holds the AWS provider's ARN
functions, named ``provider::aws::NAME`` as Terraform calls them. Each
function registers itself on import.
"""

from analyzer.terraform.functions import (  # noqa: F401 (registers)
    collection,
    encoding,
    files,
    gofmt,
    provider_aws,
    re2,
    strings,
)
from analyzer.terraform.functions.core import REGISTRY, CallContext, FunctionError, JsonText, call

SUPPORTED = frozenset(REGISTRY)

__all__ = ["REGISTRY", "SUPPORTED", "CallContext", "FunctionError", "JsonText", "call"]

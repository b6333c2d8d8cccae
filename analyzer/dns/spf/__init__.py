"""SPF records (RFC 7208): what makes one invalid, risky, or too costly to evaluate.

``syntax`` parses a record and says what its terms mean; ``offline`` checks
record text without resolving anything (record selection, syntax, the
lookup limit as a lower bound, sizes, the obsolete RR type); ``walk``
follows ``include`` and ``redirect`` through a lookup function its caller
provides and counts lookups exactly as a receiver would.

Problems are facts with stable codes (``plus-all``, ``too-many-lookups``);
which rule reports them, and how severely, is the rules' judgment
(``checks/ses221_spf_invalid.py``).
"""

from analyzer.dns.spf.offline import (
    RECORD_LIMIT,
    STRING_LIMIT,
    check_name,
    check_obsolete_type,
    check_record,
    check_strings,
)
from analyzer.dns.spf.syntax import (
    BROKEN,
    DNS_MECHANISMS,
    LOOKUP_LIMIT,
    MECHANISMS,
    Parsed,
    Problem,
    Term,
    all_qualifier,
    includes,
    is_spf,
    lookup_terms,
    parse,
)
from analyzer.dns.spf.walk import (
    MX_ADDRESS_LIMIT,
    VOID_LOOKUP_LIMIT,
    WALK_LIMIT,
    LiveSpf,
    Lookup,
    LookupFailed,
    LookupVoid,
    evaluate_live,
)

__all__ = [
    "BROKEN", "DNS_MECHANISMS", "LOOKUP_LIMIT", "MECHANISMS", "MX_ADDRESS_LIMIT", "RECORD_LIMIT", "STRING_LIMIT",
    "VOID_LOOKUP_LIMIT", "WALK_LIMIT", "LiveSpf", "Lookup", "LookupFailed", "LookupVoid", "Parsed", "Problem", "Term",
    "all_qualifier", "check_name", "check_obsolete_type", "check_record", "check_strings", "evaluate_live", "includes",
    "is_spf", "lookup_terms", "parse",
]

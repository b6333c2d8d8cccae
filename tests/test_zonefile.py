"""Zone files into the model: exact records and lines, refused $INCLUDE,
parse errors at the right line, the origin, recognition by content, limits."""

from __future__ import annotations

import time

import pytest

from analyzer.dns import zonefile
from analyzer.dns.zonefile import load_zone_file, looks_like_zone_file
from analyzer.files import Limits, read_text
from analyzer.model import Model

ZONE = r"""; example.com, as BIND serves it
$ORIGIN example.com.
$TTL 1h
@       IN  SOA ns1.example.com. hostmaster.example.com. (
                2024010101 ; serial
                7200       ; refresh
                3600 1209600 300 )
        IN  NS      ns1
        IN  NS      ns2.example.net.
        IN  MX  10  inbound-smtp.us-east-1.amazonaws.com.
        IN  TXT     "v=spf1 include:amazonses.com ~all"
_dmarc  300 IN TXT ( "v=DMARC1; p=reject; "
                     "rua=mailto:dmarc@example.com" )
abcdef._domainkey           CNAME abcdef.dkim.amazonses.com.
ghijkl._domainkey.example.com. CNAME ghijkl.dkim.amazonses.com.

mail    600 MX  10 feedback-smtp.us-east-1.amazonses.com.
        600 TXT "v=spf1 include:amazonses.com ~all"
legacy  SPF "v=spf1 -all"
escaped TXT "semi\059colon" "caf\195\169" "bad\255"
$GENERATE 1-3 host$ A 192.0.2.$
www     A   192.0.2.10
www     A   192.0.2.11
"""

EXPECTED = [
    ("example.com.", "SOA", ["ns1.example.com. hostmaster.example.com. 2024010101 7200 3600 1209600 300"],
     3600, 4),
    ("example.com.", "NS", ["ns1.example.com.", "ns2.example.net."], 3600, 8),
    ("example.com.", "MX", ["10 inbound-smtp.us-east-1.amazonaws.com."], 3600, 10),
    ("example.com.", "TXT", [("v=spf1 include:amazonses.com ~all",)], 3600, 11),
    ("_dmarc.example.com.", "TXT", [("v=DMARC1; p=reject; ", "rua=mailto:dmarc@example.com")], 300, 12),
    ("abcdef._domainkey.example.com.", "CNAME", ["abcdef.dkim.amazonses.com."], 3600, 14),
    ("ghijkl._domainkey.example.com.", "CNAME", ["ghijkl.dkim.amazonses.com."], 3600, 15),
    ("mail.example.com.", "MX", ["10 feedback-smtp.us-east-1.amazonses.com."], 600, 17),
    ("mail.example.com.", "TXT", [("v=spf1 include:amazonses.com ~all",)], 600, 18),
    ("legacy.example.com.", "SPF", [("v=spf1 -all",)], 3600, 19),
    ("escaped.example.com.", "TXT", [("semi;colon", "café", "bad\ufffd")], 3600, 20),
    ("host1.example.com.", "A", ["192.0.2.1"], 3600, 21),
    ("host2.example.com.", "A", ["192.0.2.2"], 3600, 21),
    ("host3.example.com.", "A", ["192.0.2.3"], 3600, 21),
    ("www.example.com.", "A", ["192.0.2.10", "192.0.2.11"], 3600, 22),
]


def load(tmp_path, text: str, name: str = "db.example.com") -> Model:
    path = tmp_path / name
    path.write_text(text)
    model = Model()
    load_zone_file(str(path), name, text, model)
    return model


def records(model: Model) -> list:
    return [(r.name, r.rtype, r.values, r.ttl, r.loc.line) for r in model.dns_records]


def problems(model: Model) -> list:
    return [(p.file, p.message, p.line) for p in model.problems]


def test_records_of_a_realistic_zone(tmp_path):
    model = load(tmp_path, ZONE)
    assert problems(model) == []
    assert records(model) == EXPECTED


def test_each_record_names_its_zone_and_file(tmp_path):
    model = load(tmp_path, ZONE)
    [zone] = model.dns_zones
    assert (zone.address, zone.type, zone.name, zone.provider, zone.source_format, zone.file) == (
        "db.example.com:example.com.", "zonefile", "example.com.", "zonefile", "zonefile", "db.example.com")
    assert (zone.loc.file, zone.loc.line, zone.private) == ("db.example.com", 4, None)
    dmarc = model.dns_records[4]
    assert (dmarc.address, dmarc.type, dmarc.file, dmarc.loc.file) == (
        "db.example.com:_dmarc.example.com. TXT", "zonefile", "db.example.com", "db.example.com")
    assert {(r.zone, r.zone_name, r.private, r.provider, r.source_format) for r in model.dns_records} == {
        ("db.example.com:example.com.", "example.com.", None, "zonefile", "zonefile")}


def test_a_zone_without_soa_is_at_its_first_line(tmp_path):
    model = load(tmp_path, "$ORIGIN example.com.\n$TTL 300\nwww A 192.0.2.1\n")
    assert model.dns_zones[0].loc.line == 1
    assert records(model) == [("www.example.com.", "A", ["192.0.2.1"], 300, 3)]


def test_windows_line_ends_keep_the_lines(tmp_path):
    model = load(tmp_path, "$ORIGIN example.com.\r\n$TTL 300\r\n\r\n"
                           "www A 192.0.2.1\r\n_dmarc TXT \"v=DMARC1; p=none\"\r\n")
    assert records(model) == [("www.example.com.", "A", ["192.0.2.1"], 300, 4),
                              ("_dmarc.example.com.", "TXT", [("v=DMARC1; p=none",)], 300, 5)]


# ---------------------------------------------------------------------------
# $INCLUDE
# ---------------------------------------------------------------------------


def test_include_is_refused_and_the_rest_is_loaded(tmp_path):
    (tmp_path / "dkim.zone").write_text("sel._domainkey TXT \"v=DKIM1; p=MIIB\"\n")
    model = load(tmp_path, "$ORIGIN example.com.\n$TTL 300\nwww A 192.0.2.1\n"
                           f"$INCLUDE {tmp_path / 'dkim.zone'}\n_dmarc TXT \"v=DMARC1; p=none\"\n")
    assert records(model) == [("www.example.com.", "A", ["192.0.2.1"], 300, 3),
                              ("_dmarc.example.com.", "TXT", [("v=DMARC1; p=none",)], 300, 5)]
    assert problems(model) == [(
        "db.example.com",
        f"$INCLUDE {tmp_path / 'dkim.zone'} is not followed (sesguard reads only the files it scans): "
        "the records it holds are not analyzed, so this zone is incomplete", 4)]


def test_include_with_an_origin_and_in_lower_case_is_refused(tmp_path, monkeypatch):
    opened = []
    monkeypatch.setattr("builtins.open", lambda *args, **kwargs: opened.append(args))
    model = load_text("$ORIGIN example.com.\n$TTL 300\n$include \"/etc/passwd\" sub ; comment\nwww A 192.0.2.1\n")
    assert opened == []
    assert records(model) == [("www.example.com.", "A", ["192.0.2.1"], 300, 4)]
    assert [(p.message.split(" is not followed")[0], p.line) for p in model.problems] == [
        ("$INCLUDE /etc/passwd", 3)]


def load_text(text: str, name: str = "db.example.com") -> Model:
    model = Model()
    load_zone_file(f"/nonexistent/{name}", name, text, model)
    return model


def test_include_inside_a_record_is_not_a_directive():
    model = load_text("$ORIGIN example.com.\n$TTL 300\n@ TXT ( \"a\"\n$INCLUDE )\n")
    assert records(model) == [("example.com.", "TXT", [("a", "$INCLUDE")], 300, 3)]
    assert model.problems == []


# ---------------------------------------------------------------------------
# Parse errors
# ---------------------------------------------------------------------------

HEAD = "$ORIGIN example.com.\n$TTL 300\n"


@pytest.mark.parametrize("body, message, line", [
    ("www A 192.0.2\nok A 192.0.2.1\n", "Text input is malformed.", 3),
    ("www A\nok A 192.0.2.1\n", "expecting an identifier", 3),
    ("www IN BOGUS 1\n", "unknown rdatatype 'BOGUS'", 3),
    ("@ SOA ns1 host (\n 1\n x\n 3 4 5 )\n", "DNS TTL value is not well-formed.", 5),
    ("www TXT \"no end\nok A 192.0.2.1\n", "newline in quoted string", 3),
    ("@ SOA ns1 host ( 1 2 3 4 5\nwww A 192.0.2.1\n", 'expected EOL or EOF, got 3 "www"', 4),
    ("www A 192.0.2.1\n\nwww CNAME example.net.\n", "CNAME rdataset is not compatible with a regular data node", 5),
    ("sub SOA ns1 host 1 2 3 4 5\n", "add() has non-origin SOA", 3),
    ("www CH A 192.0.2.1\n", "RR class is not zone's class", 3),
    ("$FOO bar\n", "zone file directive '$FOO' is not allowed", 3),
])
def test_a_parse_error_is_reported_at_its_line_and_nothing_is_loaded(body, message, line):
    model = load_text(HEAD + body)
    assert problems(model) == [("db.example.com", f"cannot parse zone file: {message}", line)]
    assert model.dns_zones == [] and model.dns_records == []


def test_a_record_before_any_ttl_is_an_error():
    model = load_text("$ORIGIN example.com.\n\nwww A 192.0.2.1\n")
    assert problems(model) == [("db.example.com", "cannot parse zone file: Missing default TTL value", 3)]


# ---------------------------------------------------------------------------
# The origin
# ---------------------------------------------------------------------------


@pytest.mark.parametrize("name", ["db.example.com", "example.com.zone", "example.com.db", "example.com",
                                  "Example.COM.zone"])
def test_without_origin_the_file_name_says_it(tmp_path, name):
    model = load(tmp_path, "$TTL 300\n@ SOA ns1 hostmaster 1 2 3 4 5\nwww A 192.0.2.1\n", name)
    assert problems(model) == []
    assert [r.name.lower() for r in model.dns_records] == ["example.com.", "www.example.com."]
    assert model.dns_zones[0].name.lower() == "example.com."


def test_without_origin_an_absolute_soa_owner_says_it(tmp_path):
    model = load(tmp_path, "$TTL 300\nexample.org. IN SOA ns1 hostmaster 1 2 3 4 5\nwww A 192.0.2.1\n")
    assert [(r.name, r.zone_name) for r in model.dns_records] == [
        ("example.org.", "example.org."), ("www.example.org.", "example.org.")]


@pytest.mark.parametrize("name", ["zone.txt", "records", "db.local", "example.com.bak", "-bad-.com"])
def test_without_origin_a_name_that_is_no_domain_is_reported(tmp_path, name):
    model = load(tmp_path, "$TTL 300\n@ SOA ns1 hostmaster 1 2 3 4 5\nwww A 192.0.2.1\n", name)
    assert problems(model) == [(name, "the zone file has no $ORIGIN and its name does not say its origin; "
                                      "add a $ORIGIN line", 1)]
    assert model.dns_zones == [] and model.dns_records == []


def test_an_origin_set_after_the_first_record_does_not_replace_the_zone_origin(tmp_path):
    model = load(tmp_path, "$TTL 300\n@ SOA ns1 hostmaster 1 2 3 4 5\n$ORIGIN sub.example.com.\nwww A 192.0.2.1\n")
    assert [(r.name, r.zone_name, r.loc.line) for r in model.dns_records] == [
        ("example.com.", "example.com.", 2), ("www.sub.example.com.", "example.com.", 4)]


def test_records_outside_the_origin_are_ignored_as_name_servers_do():
    model = load_text(HEAD + "www A 192.0.2.1\nmail.example.net. A 192.0.2.2\n")
    assert records(model) == [("www.example.com.", "A", ["192.0.2.1"], 300, 3)]


# ---------------------------------------------------------------------------
# Recognition
# ---------------------------------------------------------------------------


@pytest.mark.parametrize("text", [
    "$ORIGIN example.com.\nwww A 192.0.2.1\n",
    "$origin example.com. ; the zone\n",
    "$TTL 1h\n",
    "$TTL 86400 ; one day\n",
    "@ IN SOA ns1.example.com. hostmaster.example.com. (\n 1 2 3 4 5 )\n",
    "example.com. 3600 IN SOA ns1 hostmaster 2024010101 7200 3600 1209600 300\n",
    "; header\n\t\tIN\tSOA\tns1 hostmaster (\n",
    "@ SOA (\n ns1 hostmaster 1 2 3 4 5 )\n",
])
def test_recognised_by_content(text):
    assert looks_like_zone_file(text)


@pytest.mark.parametrize("text", [
    # YAML
    "records:\n  - name: example.com\n    type: SOA\n    ttl: 300\n",
    "# SOA record for the zone\nzone: example.com\n",
    "description: \"@ IN SOA ns1 hostmaster 1 2 3 4 5\"\n",
    "- IN SOA ns1 hostmaster (\n",
    # JSON
    '{"Type": "SOA", "Value": "ns1 hostmaster 1 2 3 4 5"}\n',
    '{\n  "records": [\n    "@ IN SOA ns1 hostmaster 1 2 3 4 5"\n  ]\n}\n',
    # HCL
    'resource "aws_route53_record" "soa" {\n  type    = "SOA"\n  records = ["ns1 hostmaster 1 2 3 4 5"]\n}\n',
    "# IN SOA ns1 hostmaster (\n",
    "// @ IN SOA ns1 hostmaster 1 2 3 4 5\n",
    # shell
    "#!/bin/sh\n# @ IN SOA ns1 hostmaster (\ndig example.com SOA +short\n",
    'echo "@ IN SOA ns1 hostmaster 1"\nTTL=300\necho $TTL\n',
    "dig SOA example.com +short\n",
    "$TTL=300\n",
    "echo SOA record here\n",
])
def test_not_claimed_when_soa_is_only_mentioned(text):
    assert not looks_like_zone_file(text)


# ---------------------------------------------------------------------------
# Limits
# ---------------------------------------------------------------------------


def test_generate_cannot_make_endless_records(monkeypatch):
    monkeypatch.setattr(zonefile, "MAX_RECORDS", 500)
    started = time.monotonic()
    model = load_text(HEAD + "www A 192.0.2.1\n$GENERATE 1-4000000000 h$ A 192.0.2.1\n")
    assert time.monotonic() - started < 5
    assert problems(model) == [("db.example.com",
                                "the file holds more than 500 records; not analyzed", 4)]
    assert model.dns_records == []


def test_one_rrset_cannot_grow_endlessly():
    started = time.monotonic()
    model = load_text(HEAD + "$GENERATE 0-4000000000 @ TXT v$\n")
    assert time.monotonic() - started < 5
    assert problems(model) == [(
        "db.example.com",
        f"more than {zonefile.MAX_RRSET} records of example.com. TXT; not analyzed", 3)]


def test_long_runs_of_digits_are_recognised_in_linear_time():
    started = time.monotonic()
    assert not looks_like_zone_file(("a 1 " + "1" * 100_000 + " x\n") * 5)
    assert time.monotonic() - started < 1


def test_a_file_over_the_size_limit_is_not_read(tmp_path):
    path = tmp_path / "db.example.com"
    path.write_text(HEAD + "www A 192.0.2.1\n" * 70_000)
    assert read_text(str(path), Limits(max_file_size=1024 * 1024)) == (
        None, "file is larger than 1 MB, the --max-file-size limit; not analyzed")

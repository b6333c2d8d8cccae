"""analyzer.dns.live against a real authoritative server: NSD serving tests/dnsserver.py's zones on 127.0.0.1.

Every answer is compared whole (status, records, CNAME chain, nameserver,
message; ``when`` by form and time window). Timeouts come from a black hole,
a local socket that reads queries and never answers, and it also counts the
queries it got, which is how memoization is checked. Without NSD these tests
skip, except under CI=true, where they fail (see tests/dnsserver.py).
"""

import re
import threading
import time
from datetime import datetime, timezone

import pytest

import dnsserver
from analyzer.dns.live import Answer, LiveResolver, parse_nameserver
from analyzer.dns.spf import LookupFailed, LookupVoid, evaluate_live
from dnsserver import TOKENS

EAST = "10 feedback-smtp.us-east-1.amazonses.com."


@pytest.fixture(scope="module")
def live(dns_server):
    return LiveResolver([dns_server.address], timeout=2.0)


@pytest.fixture
def black_hole():
    with dnsserver.BlackHole() as hole:
        yield hole


def facts(answer: Answer) -> tuple:
    return (answer.name, answer.rdtype, answer.status, answer.records, answer.cname_chain, answer.nameserver,
            answer.message)


def ok(server, name, rdtype, records, chain=()):
    return (name, rdtype, "ok", records, list(chain), server.address, "")


def void(server, name, rdtype, status, chain=()):
    return (name, rdtype, status, [], list(chain), server.address, "")


def dkim(token, domain):
    return f"{token}._domainkey.{domain}."


def test_easy_dkim_cnames(live, dns_server):
    for token in TOKENS:
        assert facts(live.query(dkim(token, "example.test"), "CNAME")) == ok(
            dns_server, dkim(token, "example.test"), "CNAME", [f"{token}.dkim.amazonses.com."])


def test_mail_from_mx_and_spf(live, dns_server):
    assert facts(live.query("mail.example.test.", "MX")) == ok(dns_server, "mail.example.test.", "MX", [EAST])
    assert facts(live.query("mail.example.test.", "TXT")) == ok(
        dns_server, "mail.example.test.", "TXT", [("v=spf1 include:amazonses.com -all",)])


def test_dmarc(live, dns_server):
    assert facts(live.query("_dmarc.example.test.", "TXT")) == ok(
        dns_server, "_dmarc.example.test.", "TXT", [("v=DMARC1; p=reject; rua=mailto:dmarc@example.test",)])


def test_drifted_zone(live, dns_server):
    first, second, third = (dkim(token, "drift.test") for token in TOKENS)
    assert facts(live.query(first, "CNAME")) == ok(dns_server, first, "CNAME", [f"{TOKENS[0]}.dkim.amazonses.com."])
    assert facts(live.query(second, "CNAME")) == ok(dns_server, second, "CNAME", [f"{TOKENS[0]}.dkim.amazonses.com."])
    assert facts(live.query(third, "CNAME")) == void(dns_server, third, "CNAME", "nxdomain")
    assert facts(live.query("_dmarc.drift.test", "TXT")) == ok(
        dns_server, "_dmarc.drift.test.", "TXT", [("v=DMARC1; p=none; rua=mailto:dmarc@drift.test",)])
    assert facts(live.query("mail.drift.test", "MX")) == ok(
        dns_server, "mail.drift.test.", "MX", ["10 feedback-smtp.eu-west-1.amazonses.com."])


def test_cname_chain_is_followed_and_recorded(live, dns_server):
    assert facts(live.query("alias.example.test.", "TXT")) == ok(
        dns_server, "alias.example.test.", "TXT", [("v=spf1 ip4:192.0.2.10 -all",)],
        ["step.example.test.", "final.example.test."])
    assert facts(live.query("step.example.test.", "TXT")) == ok(
        dns_server, "step.example.test.", "TXT", [("v=spf1 ip4:192.0.2.10 -all",)], ["final.example.test."])


def test_query_of_type_cname_returns_the_cname_itself(live, dns_server):
    assert facts(live.query("alias.example.test.", "CNAME")) == ok(
        dns_server, "alias.example.test.", "CNAME", ["step.example.test."])


def test_cname_to_a_name_elsewhere_is_nodata_with_its_chain(live, dns_server):
    """An authoritative server gives the CNAME and stops; the stub resolver does not chase it further."""
    name = dkim(TOKENS[0], "example.test")
    assert facts(live.query(name, "TXT")) == void(
        dns_server, name, "TXT", "nodata", [f"{TOKENS[0]}.dkim.amazonses.com."])


def test_nxdomain_and_nodata_told_apart(live, dns_server):
    assert facts(live.query("nothere.example.test.", "TXT")) == void(
        dns_server, "nothere.example.test.", "TXT", "nxdomain")
    assert facts(live.query("mail.example.test.", "A")) == void(dns_server, "mail.example.test.", "A", "nodata")
    assert facts(live.query("_domainkey.example.test.", "TXT")) == void(
        dns_server, "_domainkey.example.test.", "TXT", "nodata")  # an empty non-terminal exists
    assert not live.query("nothere.example.test.", "TXT").failed
    assert not live.query("mail.example.test.", "A").failed


SPF_TXT = {
    "ten.spf.test.": "v=spf1 include:t1.spf.test include:t2.spf.test include:t3.spf.test -all",
    "t1.spf.test.": "v=spf1 a:host.spf.test mx:mx.spf.test include:t4.spf.test -all",
    "t2.spf.test.": "v=spf1 include:t5.spf.test ip4:192.0.2.2 -all",
    "t3.spf.test.": "v=spf1 a:host.spf.test mx:mx.spf.test -all",
    "t4.spf.test.": "v=spf1 ip4:192.0.2.4 -all",
    "t5.spf.test.": "v=spf1 include:t6.spf.test -all",
    "t6.spf.test.": "v=spf1 ip4:192.0.2.6 -all",
    "spf-deep.test.": "v=spf1 include:ten.spf.test -all",
    "nx.spf.test.": "v=spf1 include:missing.spf.test -all",
    "void2.spf.test.": "v=spf1 a:gone1.spf.test a:txtonly.spf.test ip4:192.0.2.0/24 -all",
    "void3.spf.test.": "v=spf1 a:gone1.spf.test a:txtonly.spf.test mx:gone2.spf.test ip4:192.0.2.0/24 -all",
    "loop-a.spf.test.": "v=spf1 include:loop-b.spf.test -all",
    "loop-b.spf.test.": "v=spf1 include:loop-a.spf.test -all",
}


@pytest.mark.parametrize("name", list(SPF_TXT))
def test_spf_records(live, dns_server, name):
    assert facts(live.query(name, "TXT")) == ok(dns_server, name, "TXT", [(SPF_TXT[name],)])


def test_spf_include_trees_count_their_lookups():
    """The zones are what they say: ten.spf.test makes exactly 10 querying terms, spf-deep.test 11."""
    def terms(name):
        words = SPF_TXT[name].split()[1:]
        below = [w.split(":", 1)[1] + "." for w in words if w.startswith("include:")]
        own = sum(1 for w in words if w.split(":")[0] in ("include", "a", "mx", "ptr", "exists", "redirect"))
        return own + sum(terms(target) for target in below)

    assert (terms("ten.spf.test."), terms("spf-deep.test.")) == (10, 11)


def test_spf_targets_and_void_lookups(live, dns_server):
    assert facts(live.query("host.spf.test", "A")) == ok(dns_server, "host.spf.test.", "A", ["192.0.2.10"])
    assert facts(live.query("mx.spf.test", "MX")) == ok(dns_server, "mx.spf.test.", "MX", ["10 host.spf.test."])
    assert facts(live.query("missing.spf.test", "TXT")) == void(dns_server, "missing.spf.test.", "TXT", "nxdomain")
    assert facts(live.query("gone1.spf.test", "A")) == void(dns_server, "gone1.spf.test.", "A", "nxdomain")
    assert facts(live.query("gone2.spf.test", "MX")) == void(dns_server, "gone2.spf.test.", "MX", "nxdomain")
    assert facts(live.query("txtonly.spf.test", "A")) == void(dns_server, "txtonly.spf.test.", "A", "nodata")


def test_txt_string_of_255_octets(live, dns_server):
    answer = live.query("long.example.test.", "TXT")
    assert facts(answer) == ok(dns_server, "long.example.test.", "TXT", [(dnsserver.LONG_TXT,)])
    assert len(answer.records[0][0].encode()) == 255


def test_txt_split_into_several_strings(live, dns_server):
    assert facts(live.query("split.example.test.", "TXT")) == ok(
        dns_server, "split.example.test.", "TXT",
        [("v=spf1 ip4:192.0.2.0/24 ", "ip4:198.51.100.0/24 ", "include:amazonses.com -all")])


def test_txt_not_utf8_is_decoded_with_replacement(live, dns_server):
    assert facts(live.query("latin1.example.test.", "TXT")) == ok(
        dns_server, "latin1.example.test.", "TXT", [("caf\ufffd",)])


def test_two_dmarc_records(live, dns_server):
    assert facts(live.query("_dmarc.twodmarc.test.", "TXT")) == ok(
        dns_server, "_dmarc.twodmarc.test.", "TXT", [("v=DMARC1; p=none",), ("v=DMARC1; p=reject",)])


def test_servfail_from_a_zone_that_did_not_load(live, dns_server):
    answer = live.query("broken.test.", "SOA")
    assert facts(answer) == ("broken.test.", "SOA", "servfail", [], [], dns_server.address,
                             f"no usable answer for broken.test. SOA: {dns_server.address} answered SERVFAIL")
    assert answer.failed


def test_refused_outside_the_zones_served(live, dns_server):
    answer = live.query("amazonses.com.", "TXT")
    assert facts(answer) == ("amazonses.com.", "TXT", "refused", [], [], dns_server.address,
                             f"no usable answer for amazonses.com. TXT: {dns_server.address} answered REFUSED")
    assert answer.failed


def test_nobody_listening_times_out():
    """dnspython's UDP sockets are unconnected: no ICMP error comes back, only silence."""
    address = f"127.0.0.1:{dnsserver.free_port()}"
    answer = LiveResolver([address], timeout=0.3).query("example.test.", "SOA")
    assert facts(answer) == ("example.test.", "SOA", "timeout", [], [], address,
                             f"no answer from {address} within 0.3 s")


def test_invalid_name_is_an_error(live, dns_server):
    name = "a" * 64 + ".example.test."
    answer = live.query(name, "TXT")
    assert (answer.status, answer.failed, answer.nameserver) == ("error", True, dns_server.address)
    assert answer.message == f"{name} is not a valid DNS name: A DNS label is > 63 octets long."


def test_when_is_the_utc_time_of_the_answer(dns_server):
    before = datetime.now(timezone.utc).replace(microsecond=0)
    answer = LiveResolver([dns_server.address]).query("example.test.", "SOA")
    after = datetime.now(timezone.utc)
    assert re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z", answer.when)
    assert before <= datetime.fromisoformat(answer.when.replace("Z", "+00:00")) <= after


def test_black_hole_times_out_within_the_timeout(black_hole):
    resolver = LiveResolver([black_hole.address], timeout=0.5)
    start = time.monotonic()
    answer = resolver.query("example.test.", "TXT")
    elapsed = time.monotonic() - start
    assert facts(answer) == ("example.test.", "TXT", "timeout", [], [], black_hole.address,
                             f"no answer from {black_hole.address} within 0.5 s")
    assert answer.failed
    assert 0.5 <= elapsed < 0.9
    assert black_hole.datagrams == 1


def test_query_many_returns_every_answer_in_input_order(dns_server):
    names = [dkim(token, "example.test") for token in TOKENS] + [f"n{i}.example.test." for i in range(44)]
    pairs = [(name, "CNAME") for name in names] + [("mail.example.test.", "MX"), ("mail.example.test.", "A"),
                                                   ("amazonses.com.", "TXT")]
    assert len(pairs) == 50
    expected = {pair: "nxdomain" for pair in pairs}
    expected.update({pair: "ok" for pair in pairs[:3]})
    expected.update({pairs[-3]: "ok", pairs[-2]: "nodata", pairs[-1]: "refused"})
    results = [LiveResolver([dns_server.address], max_workers=4).query_many(pairs) for _ in range(2)]
    for result in results:
        assert list(result) == pairs
        assert {pair: answer.status for pair, answer in result.items()} == expected
        assert [(a.name, a.rdtype) for a in result.values()] == [(name, rdtype) for name, rdtype in pairs]
    assert [facts(a) for a in results[0].values()] == [facts(a) for a in results[1].values()]
    assert results[0][pairs[0]].records == [f"{TOKENS[0]}.dkim.amazonses.com."]


def test_query_many_runs_at_most_max_workers_at_once(black_hole):
    resolver = LiveResolver([black_hole.address], timeout=0.3, max_workers=2)
    start = time.monotonic()
    result = resolver.query_many([(f"n{i}.example.test", "TXT") for i in range(6)])
    elapsed = time.monotonic() - start
    assert [a.status for a in result.values()] == ["timeout"] * 6
    assert black_hole.datagrams == 6
    assert 0.9 <= elapsed < 2.5  # three rounds of two


def test_query_many_total_timeout_bounds_the_whole(black_hole):
    resolver = LiveResolver([black_hole.address], timeout=2.0, max_workers=4, total_timeout=1.0)
    pairs = [(f"n{i}.example.test.", "TXT") for i in range(40)]
    start = time.monotonic()
    result = resolver.query_many(pairs)
    elapsed = time.monotonic() - start
    assert 1.0 <= elapsed < 1.5
    assert list(result) == pairs
    assert [facts(a) for a in result.values()] == [
        (name, "TXT", "timeout", [], [], black_hole.address,
         "not resolved within the total time bound of 1.0 s for 40 queries") for name, _ in pairs]
    assert all(a.failed for a in result.values())


def test_memoized_answers_do_not_ask_again(black_hole):
    resolver = LiveResolver([black_hole.address], timeout=0.3)
    first = resolver.query("example.test", "TXT")
    start = time.monotonic()
    again = resolver.query("EXAMPLE.test.", "txt")
    assert time.monotonic() - start < 0.05
    assert again is first
    assert black_hole.datagrams == 1
    assert resolver.query_many([("example.test.", "TXT")])[("example.test.", "TXT")] is first
    assert black_hole.datagrams == 1


def test_concurrent_queries_of_one_name_ask_once(black_hole):
    resolver = LiveResolver([black_hole.address], timeout=0.3)
    answers = []
    threads = [threading.Thread(target=lambda: answers.append(resolver.query("example.test.", "TXT")))
               for _ in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert len(answers) == 8 and all(answer is answers[0] for answer in answers)
    assert black_hole.datagrams == 1


def test_memoized_answer_outlives_the_server():
    with dnsserver.NsdServer({"example.test.": dnsserver.EXAMPLE}, dnsserver.require_nsd()) as server:
        resolver = LiveResolver([server.address], timeout=0.5)
        first = resolver.query("mail.example.test.", "MX")
    assert facts(first) == ok(server, "mail.example.test.", "MX", [EAST])
    assert resolver.query("mail.example.test.", "MX") is first
    assert LiveResolver([server.address], timeout=0.5).query("mail.example.test.", "MX").failed


def test_each_resolver_has_its_own_memo(black_hole):
    LiveResolver([black_hole.address], timeout=0.2).query("example.test.", "TXT")
    LiveResolver([black_hole.address], timeout=0.2).query("example.test.", "TXT")
    assert black_hole.datagrams == 2


@pytest.mark.parametrize("text, parsed", [
    ("127.0.0.1", ("127.0.0.1", 53)),
    ("127.0.0.1:5353", ("127.0.0.1", 5353)),
    ("::1", ("::1", 53)),
    ("[::1]:5353", ("::1", 5353)),
    ("[2001:DB8::1]", ("2001:db8::1", 53)),
])
def test_nameserver_forms(text, parsed):
    assert parse_nameserver(text) == parsed


@pytest.mark.parametrize("text", [
    "", "localhost", "ns1.example.test:53", "300.1.1.1", "127.0.0.1:", "127.0.0.1:0", "127.0.0.1:65536",
    "127.0.0.1:x53", "127.0.0.1:53:53", "[127.0.0.1]:53", "[::1", "[::1]53", "::1]:53", " 127.0.0.1",
])
def test_invalid_nameserver_raises_with_the_value(text):
    with pytest.raises(ValueError, match=re.escape(f"invalid nameserver {text!r}")):
        LiveResolver([text])


def test_nameservers_listed_as_ip_port():
    assert LiveResolver(["127.0.0.1", "[::1]:5353", "192.0.2.1:53"]).nameservers == [
        "127.0.0.1:53", "[::1]:5353", "192.0.2.1:53"]


def test_bad_settings_raise():
    with pytest.raises(TypeError, match="not one string"):
        LiveResolver("127.0.0.1")
    for setting in ("timeout", "total_timeout", "max_workers"):
        with pytest.raises(ValueError, match=f"^{setting} must be positive, not 0$"):
            LiveResolver(["127.0.0.1"], **{setting: 0})
    with pytest.raises(ValueError, match="unknown DNS record type 'NOPE'"):
        LiveResolver(["127.0.0.1"]).query("example.test.", "NOPE")


def test_system_configuration_without_nameservers_given():
    """Reads the system resolver configuration as dnspython does; asks nothing."""
    import dns.resolver

    try:
        system = dns.resolver.Resolver()
    except dns.resolver.NoResolverConfiguration:
        with pytest.raises(ValueError, match="system resolver configuration has none"):
            LiveResolver()
        return
    expected = [f"[{ns}]:{system.port}" if ":" in str(ns) else f"{ns}:{system.port}" for ns in system.nameservers]
    assert LiveResolver().nameservers == expected


def test_spf_lookup_adapter(dns_server):
    lookup = LiveResolver([dns_server.address]).lookup_for_spf
    assert lookup("split.example.test", "TXT") == [
        "v=spf1 ip4:192.0.2.0/24 ip4:198.51.100.0/24 include:amazonses.com -all"]
    assert lookup("mx.spf.test", "MX") == ["10 host.spf.test."]
    assert lookup("host.spf.test", "A") == ["192.0.2.10"]
    with pytest.raises(LookupVoid, match=r"^missing\.spf\.test\. TXT: nxdomain$"):
        lookup("missing.spf.test", "TXT")
    with pytest.raises(LookupVoid, match=r"^txtonly\.spf\.test\. A: nodata$"):
        lookup("txtonly.spf.test", "A")
    with pytest.raises(LookupFailed, match=f"^no usable answer for amazonses.com. TXT: {dns_server.address} answered "
                                           "REFUSED$"):
        lookup("amazonses.com", "TXT")
    with pytest.raises(LookupFailed, match="answered SERVFAIL$"):
        lookup("broken.test", "TXT")


@pytest.mark.parametrize("domain, lookups, voids, codes", [
    ("ten.spf.test", 10, 0, []),
    ("spf-deep.test", 11, 0, ["too-many-lookups"]),
    ("void2.spf.test", 2, 2, []),
    ("void3.spf.test", 3, 3, ["too-many-void-lookups"]),
    ("nx.spf.test", 1, 1, ["include-no-spf"]),
    ("loop-a.spf.test", 2, 0, ["loop"]),
])
def test_spf_evaluation_over_the_server(dns_server, domain, lookups, voids, codes):
    """The zones do what they are for: the SPF evaluator, fed by the live resolver, counts as designed."""
    result = evaluate_live(domain, LiveResolver([dns_server.address]).lookup_for_spf)
    assert (result.lookups, result.void_lookups, [p.code for p in result.problems]) == (lookups, voids, codes)

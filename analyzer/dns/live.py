"""Live DNS resolution: what the names an SES identity needs resolve to, asked of real nameservers.

``--dns live`` compares the records the code declares (DKIM CNAMEs, the MAIL
FROM domain's MX and TXT, ``_dmarc`` TXT, SPF include trees) with what DNS
serves. This module does the asking, and only that: each query goes to the
configured nameservers (or, with none, to the system resolver configuration's)
and to nothing else, through dnspython's stub resolver with no shared cache.

Every outcome is an ``Answer``, failures included: a timeout, SERVFAIL,
REFUSED or transport error is an answer whose ``failed`` is true, meaning the
name could not be checked. Callers report those; they never mean "missing".
NXDOMAIN and NODATA are real answers, kept apart.

A ``LiveResolver`` memoizes answers per (name, type) for its lifetime, is safe
to share between threads, and resolves many names at once on a bounded thread
pool within one total time bound, so a scan of many identities against a dead
nameserver ends in ``total_timeout`` seconds, not one timeout per name.
"""

from __future__ import annotations

import ipaddress
import threading
from concurrent.futures import Future, ThreadPoolExecutor, wait
from dataclasses import dataclass, field
from datetime import datetime, timezone
from typing import Dict, Iterable, List, Optional, Tuple, Union

import dns.exception
import dns.message
import dns.name
import dns.nameserver
import dns.rcode
import dns.rdatatype
import dns.resolver

from analyzer.dns.spf import LookupFailed, LookupVoid

FAILED_STATUSES = frozenset({"timeout", "servfail", "refused", "error"})
VOID_STATUSES = frozenset({"nxdomain", "nodata"})
RCODE_STATUSES = {dns.rcode.SERVFAIL: "servfail", dns.rcode.REFUSED: "refused"}
NAMESERVER_FORMS = "expected IP, IP:PORT or [IPv6]:PORT"

Record = Union[Tuple[str, ...], str]
Pair = Tuple[str, str]


@dataclass
class Answer:
    """What one (name, type) query came to.

    ``name`` is the name asked, absolute and lower-cased; ``rdtype`` its type
    ("TXT"). ``status`` is one of ok, nxdomain, nodata, timeout, servfail, refused,
    error. ``records`` are in sorted order (an RRset has none of its own): for
    TXT each record is the tuple of its character strings decoded as UTF-8
    (undecodable octets replaced), for other types the record's presentation
    text, e.g. "10 feedback-smtp.us-east-1.amazonses.com.". ``cname_chain``
    lists the CNAME targets followed from ``name``, in order; a query of type
    CNAME returns the CNAME itself as its record and follows nothing.
    ``nameserver`` ("IP:PORT") is the one that answered, or the one asked last
    when none did. ``when`` is the UTC ISO 8601 time of the outcome;
    ``message`` a sentence saying what went wrong, for failed answers only.
    """

    name: str
    rdtype: str
    status: str
    records: List[Record] = field(default_factory=list)
    cname_chain: List[str] = field(default_factory=list)
    nameserver: str = ""
    when: str = ""
    message: str = ""

    @property
    def failed(self) -> bool:
        """True when the name could not be checked (timeout, SERVFAIL, REFUSED, error)."""
        return self.status in FAILED_STATUSES


def parse_nameserver(text: str) -> Tuple[str, int]:
    """(address, port) from "IP", "IP:PORT", "IPv6" or "[IPv6]:PORT"; ValueError naming ``text`` otherwise."""
    host, port, bracketed = _split_host_port(text)
    try:
        address = ipaddress.ip_address(host)
    except ValueError:
        raise ValueError(f"invalid nameserver {text!r}: {NAMESERVER_FORMS}") from None
    if bracketed and address.version != 6:
        raise ValueError(f"invalid nameserver {text!r}: brackets are for IPv6 addresses")
    if not (port.isdigit() and 0 < int(port) < 65536):
        raise ValueError(f"invalid nameserver {text!r}: the port must be a number from 1 to 65535")
    return str(address), int(port)


def _split_host_port(text: str) -> Tuple[str, str, bool]:
    if text.startswith("["):
        host, closed, rest = text[1:].partition("]")
        if not closed or (rest and not rest.startswith(":")):
            raise ValueError(f"invalid nameserver {text!r}: {NAMESERVER_FORMS}")
        return host, rest[1:] if rest else "53", True
    if text.count(":") == 1:
        host, port = text.split(":")
        return host, port, False
    return text, "53", False


def format_nameserver(address: str, port: int) -> str:
    """"IP:PORT", with the IPv6 address in brackets."""
    return f"[{address}]:{port}" if ":" in address else f"{address}:{port}"


class _Nameserver(dns.nameserver.Do53Nameserver):
    """A plain DNS-over-UDP/TCP nameserver that notes, in its resolver's per-thread log, that it was asked and
    that it answered: dnspython does not say which nameserver an NXDOMAIN or a failure came from."""

    def __init__(self, address: str, port: int, log: threading.local) -> None:
        super().__init__(address, port)
        self.label = format_nameserver(address, port)
        self._log = log

    def __str__(self) -> str:
        return self.label

    def query(self, request, *args, **kwargs):
        self._log.asked = self.label
        response = super().query(request, *args, **kwargs)
        self._log.answered = self.label
        return response


class LiveResolver:
    """Asks ``nameservers`` ("IP" or "IP:PORT"; none: the system's) and nothing else.

    ``timeout`` bounds each query (dnspython's lifetime; each nameserver gets
    an equal share of it per attempt, so one that never answers leaves time for
    the others); ``total_timeout`` bounds a whole ``query_many``, run on at
    most ``max_workers`` threads. ValueError for settings it cannot use.
    """

    def __init__(self, nameservers: Iterable[str] = (), timeout: float = 2.0, max_workers: int = 8,
                 total_timeout: float = 30.0) -> None:
        if isinstance(nameservers, str):
            raise TypeError("nameservers is a list of strings, not one string")
        _check_positive(timeout=timeout, total_timeout=total_timeout, max_workers=max_workers)
        self.timeout = float(timeout)
        self.total_timeout = float(total_timeout)
        self.max_workers = int(max_workers)
        self._log = threading.local()
        self._resolver = self._stub_resolver([parse_nameserver(text) for text in nameservers])
        self._memo: Dict[Pair, Future] = {}
        self._lock = threading.Lock()

    @property
    def nameservers(self) -> List[str]:
        """The nameservers asked, as "IP:PORT"."""
        return [ns.label for ns in self._resolver.nameservers]

    def _stub_resolver(self, servers: List[Tuple[str, int]]) -> dns.resolver.Resolver:
        try:
            resolver = dns.resolver.Resolver(configure=not servers)
        except dns.resolver.NoResolverConfiguration as exc:
            raise ValueError(f"no nameserver given, and the system resolver configuration has none: {exc}") from None
        servers = servers or _system_nameservers(resolver)
        resolver.nameservers = [_Nameserver(address, port, self._log) for address, port in servers]
        resolver.cache = None
        resolver.search = []
        resolver.use_search_by_default = False
        resolver.lifetime = self.timeout
        resolver.timeout = self.timeout / len(servers)
        return resolver

    def query(self, name: str, rdtype: str) -> Answer:
        """The answer for ``name`` (absolute whether or not it ends in a dot) and type ``rdtype`` ("TXT"...),
        asked once per resolver: concurrent and later calls for the same pair share the first answer."""
        key = (_absolute(name), _rdtype_text(rdtype))
        with self._lock:
            future = self._memo.get(key)
            owner = future is None
            if owner:
                future = self._memo[key] = Future()
        if owner:
            self._fill(key, future)
        return future.result()

    def _fill(self, key: Pair, future: Future) -> None:
        try:
            future.set_result(self._resolve(*key))
        except BaseException as exc:
            with self._lock:
                del self._memo[key]
            future.set_exception(exc)
            raise

    def query_many(self, pairs: Iterable[Pair]) -> Dict[Pair, Answer]:
        """Answers for the (name, type) pairs, keyed by the pairs in their input order, resolved concurrently.

        Queries not finished ``total_timeout`` seconds after the call come back
        as status "timeout", their message saying the total bound was reached.
        """
        pairs = list(dict.fromkeys(pairs))
        for _, rdtype in pairs:
            _rdtype_text(rdtype)
        executor = ThreadPoolExecutor(max_workers=self.max_workers, thread_name_prefix="sesguard-dns")
        try:
            futures = {pair: executor.submit(self.query, *pair) for pair in pairs}
            wait(list(futures.values()), timeout=self.total_timeout)
        finally:
            executor.shutdown(wait=False, cancel_futures=True)
        return {pair: self._finished(pair, future, len(pairs)) for pair, future in futures.items()}

    def _finished(self, pair: Pair, future: Future, count: int) -> Answer:
        if future.done() and not future.cancelled():
            return future.result()
        message = f"not resolved within the total time bound of {self.total_timeout} s for {count} queries"
        return Answer(_absolute(pair[0]), _rdtype_text(pair[1]), "timeout", nameserver=self.nameservers[0],
                      when=_now(), message=message)

    def _resolve(self, name: str, rdtype: str) -> Answer:
        self._log.asked = self._log.answered = None
        try:
            qname = dns.name.from_text(name)
        except dns.exception.DNSException as exc:
            return self._answer(name, rdtype, "error", message=f"{name} is not a valid DNS name: {exc}")
        try:
            result = self._resolver.resolve(qname, rdtype, search=False, raise_on_no_answer=False)
        except dns.resolver.NXDOMAIN as exc:
            return self._answer(name, rdtype, "nxdomain", chain=_chain(exc.response(qname)))
        except dns.resolver.LifetimeTimeout:
            return self._answer(name, rdtype, "timeout", message=self._timeout_message())
        except dns.resolver.NoNameservers as exc:
            return self._no_nameservers(name, rdtype, exc.kwargs.get("errors") or [])
        except dns.exception.DNSException as exc:
            return self._answer(name, rdtype, "error", message=f"could not resolve {name} {rdtype}: {exc}")
        status = "ok" if result.rrset is not None else "nodata"
        return self._answer(name, rdtype, status, _records(result.rrset), _chain(result.response))

    def _answer(self, name: str, rdtype: str, status: str, records: Optional[List[Record]] = None,
                chain: Optional[List[str]] = None, message: str = "") -> Answer:
        nameserver = self._log.answered or self._log.asked or self.nameservers[0]
        return Answer(name, rdtype, status, records or [], chain or [], nameserver, _now(), message)

    def _timeout_message(self) -> str:
        return f"no answer from {', '.join(self.nameservers)} within {self.timeout} s"

    def _no_nameservers(self, name: str, rdtype: str, errors: list) -> Answer:
        """Every nameserver failed: SERVFAIL or REFUSED if the last one said so, else "error"; all of them said."""
        parts = [_error_text(error) for error in errors]
        message = f"no usable answer for {name} {rdtype}: {'; '.join(parts) or 'no nameserver could be asked'}"
        last_response = errors[-1][4] if errors else None
        status = RCODE_STATUSES.get(last_response.rcode(), "error") if last_response is not None else "error"
        return self._answer(name, rdtype, status, message=message)

    def lookup_for_spf(self, name: str, rdtype: str) -> List[str]:
        """The lookup ``analyzer.dns.spf.evaluate_live`` calls: the record texts at ``name``.

        TXT records come back as their strings joined without separator, other
        types as presentation text. NXDOMAIN and NODATA raise ``LookupVoid``
        (a void lookup), a failure ``LookupFailed`` with the answer's message.
        """
        answer = self.query(name, rdtype)
        if answer.status in VOID_STATUSES:
            raise LookupVoid(f"{answer.name} {answer.rdtype}: {answer.status}")
        if answer.failed:
            raise LookupFailed(answer.message)
        return [record if isinstance(record, str) else "".join(record) for record in answer.records]


def _check_positive(**settings: float) -> None:
    for setting, value in settings.items():
        if not value > 0:
            raise ValueError(f"{setting} must be positive, not {value!r}")


def _system_nameservers(resolver: dns.resolver.Resolver) -> List[Tuple[str, int]]:
    return [(str(ns), resolver.nameserver_ports.get(str(ns), resolver.port)) for ns in resolver.nameservers]


def _absolute(name: str) -> str:
    text = name.strip().lower()
    return text if text.endswith(".") else text + "."


def _rdtype_text(rdtype: str) -> str:
    try:
        return dns.rdatatype.to_text(dns.rdatatype.from_text(rdtype))
    except dns.exception.DNSException:
        raise ValueError(f"unknown DNS record type {rdtype!r}") from None


def _records(rrset) -> List[Record]:
    if rrset is None:
        return []
    if rrset.rdtype == dns.rdatatype.TXT:
        return sorted(tuple(s.decode("utf-8", errors="replace") for s in rdata.strings) for rdata in rrset)
    return sorted(rdata.to_text() for rdata in rrset)


def _chain(response: dns.message.Message) -> List[str]:
    return [cname[0].target.to_text() for cname in response.resolve_chaining().cnames]


def _error_text(error: tuple) -> str:
    label, _, _, problem, response = error
    if response is not None:
        return f"{label} answered {dns.rcode.to_text(response.rcode())}"
    return f"{label}: {problem}"


def _now() -> str:
    return datetime.now(timezone.utc).isoformat(timespec="milliseconds").replace("+00:00", "Z")

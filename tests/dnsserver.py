"""A real authoritative DNS server for the live DNS tests: NSD on 127.0.0.1, and a black hole.

``analyzer.dns.live`` talks to real nameservers, so its tests talk to one: NSD
(Debian's ``nsd`` package), started in the foreground (``nsd -d -c CONF``) from
a temporary directory holding its configuration, its zone files and every file
it writes, on a free high port of 127.0.0.1, running as the current user (root
in CI; ``username: ""`` keeps it from dropping privileges, no chroot). The
harness waits, within a bound, until NSD answers an SOA query, and stops it at
the end; if it does not come up, the error carries NSD's own log.

``SESGUARD_NSD`` names the NSD binary (a path, or a name looked up on ``PATH``
and in the sbin directories); unset, it is ``nsd``. Without the binary the
tests skip, except under ``CI=true``, where they fail: ``SESGUARD_NSD=/nowhere``
is how to see that. ``.ci/run`` installs NSD.

``BlackHole`` is a UDP and TCP listener on 127.0.0.1 that reads queries and
never answers: a nameserver that times out. It counts the datagrams it got.

The zones (``ZONES``), all served by the one server, so that a resolver whose
only nameserver is 127.0.0.1 can follow every name in them:

``example.test.``
    A domain set up for SES as it should be: three Easy DKIM CNAMEs
    ``<token>._domainkey`` to ``<token>.dkim.amazonses.com.``, the MAIL FROM
    domain ``mail`` with the us-east-1 feedback MX and the SES SPF record,
    ``_dmarc`` with ``p=reject``. Also a CNAME chain ``alias`` -> ``step`` ->
    ``final`` (TXT at the end), a TXT of one 255-octet string (``long``), an
    SPF record split into three strings (``split``), and a string that is not
    UTF-8 (``latin1``: the octets of "café" in Latin-1).
``drift.test.``
    The same identity drifted from what the code declares: the second DKIM
    CNAME points at another token's target, the third is missing
    (NXDOMAIN), DMARC is ``p=none``, the MAIL FROM MX is in eu-west-1.
``spf.test.``
    SPF include trees. ``ten`` makes exactly 10 DNS-querying terms in all
    (include, a, mx; the ``mx`` of ``t1`` and ``t3`` finds ``host``),
    ``nx`` includes ``missing`` (NXDOMAIN), ``void2`` and ``void3`` make two
    and three void lookups (``gone1``/``gone2`` do not exist, ``txtonly`` has
    no A), ``loop-a`` and ``loop-b`` include each other.
``spf-deep.test.``
    Its SPF record includes ``ten.spf.test``: 11 querying terms.
``twodmarc.test.``
    ``_dmarc`` holds two DMARC records.
``broken.test.``
    Configured, but its zone file does not parse: NSD answers SERVFAIL.

Anything else (``amazonses.com.``, say) is outside these zones: NSD REFUSES it.
"""

from __future__ import annotations

import os
import pathlib
import selectors
import shutil
import socket
import subprocess
import tempfile
import threading
import time
from dataclasses import dataclass
from typing import Dict, List, Optional

import dns.exception
import dns.message
import dns.query
import dns.rcode
import pytest

SOA_NS = """\
$TTL 300
@ IN SOA ns1.example.test. hostmaster.example.test. 2026010101 3600 600 86400 300
@ IN NS ns1.example.test.
"""

TOKENS = ("4g5v2qq6m3xbqjdzvixhu2dl6gadm5tn", "q7bh3rfyl2xk6vsoztmwa5pcgj4ednui", "zx2nm6ck4ltpwe3ydr7abvhsfq5iguoj")

LONG_TXT = ("v=DKIM1; k=rsa; p=" + "MIIBIjANBgkqhkiG9w0BAQEFAAOCAQ8AMIIBCgKCAQEA" * 6)[:255]

SPLIT_TXT = ('"v=spf1 ip4:192.0.2.0/24 " "ip4:198.51.100.0/24 " "include:amazonses.com -all"')


def _dkim(tokens) -> str:
    return "".join(f"{t}._domainkey IN CNAME {t}.dkim.amazonses.com.\n" for t in tokens)


EXAMPLE = SOA_NS + "ns1 IN A 127.0.0.1\n" + _dkim(TOKENS) + f"""\
mail IN MX 10 feedback-smtp.us-east-1.amazonses.com.
mail IN TXT "v=spf1 include:amazonses.com -all"
_dmarc IN TXT "v=DMARC1; p=reject; rua=mailto:dmarc@example.test"
alias IN CNAME step
step IN CNAME final
final IN TXT "v=spf1 ip4:192.0.2.10 -all"
long IN TXT "{LONG_TXT}"
split IN TXT {SPLIT_TXT}
latin1 IN TXT "caf\\233"
"""

DRIFT = SOA_NS + f"""\
{TOKENS[0]}._domainkey IN CNAME {TOKENS[0]}.dkim.amazonses.com.
{TOKENS[1]}._domainkey IN CNAME {TOKENS[0]}.dkim.amazonses.com.
mail IN MX 10 feedback-smtp.eu-west-1.amazonses.com.
mail IN TXT "v=spf1 include:amazonses.com -all"
_dmarc IN TXT "v=DMARC1; p=none; rua=mailto:dmarc@drift.test"
"""

SPF = SOA_NS + """\
host IN A 192.0.2.10
mx IN MX 10 host.spf.test.
ten IN TXT "v=spf1 include:t1.spf.test include:t2.spf.test include:t3.spf.test -all"
t1 IN TXT "v=spf1 a:host.spf.test mx:mx.spf.test include:t4.spf.test -all"
t2 IN TXT "v=spf1 include:t5.spf.test ip4:192.0.2.2 -all"
t3 IN TXT "v=spf1 a:host.spf.test mx:mx.spf.test -all"
t4 IN TXT "v=spf1 ip4:192.0.2.4 -all"
t5 IN TXT "v=spf1 include:t6.spf.test -all"
t6 IN TXT "v=spf1 ip4:192.0.2.6 -all"
nx IN TXT "v=spf1 include:missing.spf.test -all"
txtonly IN TXT "not an SPF record"
void2 IN TXT "v=spf1 a:gone1.spf.test a:txtonly.spf.test ip4:192.0.2.0/24 -all"
void3 IN TXT "v=spf1 a:gone1.spf.test a:txtonly.spf.test mx:gone2.spf.test ip4:192.0.2.0/24 -all"
loop-a IN TXT "v=spf1 include:loop-b.spf.test -all"
loop-b IN TXT "v=spf1 include:loop-a.spf.test -all"
"""

SPF_DEEP = SOA_NS + '@ IN TXT "v=spf1 include:ten.spf.test -all"\n'

TWO_DMARC = SOA_NS + """\
_dmarc IN TXT "v=DMARC1; p=reject"
_dmarc IN TXT "v=DMARC1; p=none"
"""

BROKEN = SOA_NS + "this line is not a resource record\n"

ZONES: Dict[str, str] = {
    "example.test.": EXAMPLE,
    "drift.test.": DRIFT,
    "spf.test.": SPF,
    "spf-deep.test.": SPF_DEEP,
    "twodmarc.test.": TWO_DMARC,
    "broken.test.": BROKEN,
}

START_TIMEOUT = 10.0
SBIN = ("/usr/sbin", "/usr/local/sbin", "/sbin")


def nsd_binary() -> Optional[str]:
    """The NSD binary SESGUARD_NSD names (default ``nsd``), or None when there is none."""
    name = os.environ.get("SESGUARD_NSD", "nsd")
    path = os.pathsep.join([os.environ.get("PATH", ""), *SBIN])
    return shutil.which(name, path=path)


def require_nsd() -> str:
    """The NSD binary; without it skip the test, or fail it under CI=true."""
    binary = nsd_binary()
    if binary:
        return binary
    why = f"no NSD binary {os.environ.get('SESGUARD_NSD', 'nsd')!r} (apt-get install nsd, or set SESGUARD_NSD)"
    if os.environ.get("CI") == "true":
        pytest.fail(f"{why}: CI must install it", pytrace=False)
    pytest.skip(why)


def free_port() -> int:
    """A port of 127.0.0.1 free for both UDP and TCP right now."""
    for _ in range(20):
        with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as udp:
            udp.bind(("127.0.0.1", 0))
            port = udp.getsockname()[1]
            with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as tcp:
                try:
                    tcp.bind(("127.0.0.1", port))
                except OSError:
                    continue
                return port
    raise RuntimeError("found no port of 127.0.0.1 free for both UDP and TCP")


def nsd_conf(directory: pathlib.Path, port: int, zones) -> str:
    """A minimal nsd.conf: everything in ``directory``, no privilege drop, no chroot, no control."""
    head = f"""\
server:
  ip-address: 127.0.0.1
  port: {port}
  do-ip6: no
  username: ""
  chroot: ""
  zonesdir: "{directory}"
  database: ""
  pidfile: "{directory}/nsd.pid"
  xfrdfile: "{directory}/xfrd.state"
  zonelistfile: "{directory}/zone.list"
  xfrdir: "{directory}"
  cookie-secret-file: "{directory}/cookiesecrets.txt"
  verbosity: 1
  server-count: 1
  reuseport: no
remote-control:
  control-enable: no
"""
    return head + "".join(f"zone:\n  name: {name}\n  zonefile: {_file_name(name)}\n" for name in zones)


def _file_name(zone: str) -> str:
    return zone.rstrip(".") + ".zone"


@dataclass
class NsdServer:
    """NSD serving ``zones`` ({origin: zone file text}) on 127.0.0.1; a context manager."""

    zones: Dict[str, str]
    binary: str
    port: int = 0
    process: Optional[subprocess.Popen] = None
    directory: Optional[pathlib.Path] = None

    @property
    def address(self) -> str:
        return f"127.0.0.1:{self.port}"

    def __enter__(self) -> "NsdServer":
        self.directory = pathlib.Path(tempfile.mkdtemp(prefix="sesguard-nsd-"))
        for name, text in self.zones.items():
            (self.directory / _file_name(name)).write_text(f"$ORIGIN {name}\n{text}")
        for _ in range(3):
            if self._start():
                return self
        self.stop()
        raise RuntimeError(f"NSD did not answer on {self.address} within {START_TIMEOUT} s:\n{self.log()}")

    def __exit__(self, *exc) -> None:
        self.stop()
        shutil.rmtree(self.directory, ignore_errors=True)

    def _start(self) -> bool:
        """Start NSD on a fresh port; True once it answers, False if it exited (a port taken since)."""
        self.stop()
        self.port = free_port()
        conf = self.directory / "nsd.conf"
        conf.write_text(nsd_conf(self.directory, self.port, self.zones))
        with open(self.directory / "nsd.log", "wb") as log:
            self.process = subprocess.Popen([self.binary, "-d", "-c", str(conf)], stdin=subprocess.DEVNULL,
                                            stdout=log, stderr=subprocess.STDOUT)
        deadline = time.monotonic() + START_TIMEOUT
        while time.monotonic() < deadline and self.process.poll() is None:
            if self._answers_soa():
                return True
        return False

    def _answers_soa(self) -> bool:
        query = dns.message.make_query(next(iter(self.zones)), "SOA")
        try:
            response = dns.query.udp(query, "127.0.0.1", port=self.port, timeout=0.2)
        except (OSError, dns.exception.Timeout):
            time.sleep(0.05)
            return False
        return response.rcode() == dns.rcode.NOERROR and bool(response.answer)

    def log(self) -> str:
        path = self.directory / "nsd.log"
        return path.read_text(errors="replace") if path.exists() else ""

    def stop(self) -> None:
        """Stop NSD (SIGTERM, then SIGKILL after 5 s) and wait for it."""
        if self.process is None:
            return
        if self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(5)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait(5)
        self.process = None


class BlackHole:
    """UDP and TCP on one port of 127.0.0.1: reads whatever comes and never answers; a context manager."""

    def __init__(self) -> None:
        self.port = 0
        self.datagrams = 0
        self._stop = threading.Event()
        self._thread: Optional[threading.Thread] = None
        self._sockets: List[socket.socket] = []

    @property
    def address(self) -> str:
        return f"127.0.0.1:{self.port}"

    def __enter__(self) -> "BlackHole":
        self.port = free_port()
        udp = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
        udp.bind(("127.0.0.1", self.port))
        tcp = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        tcp.bind(("127.0.0.1", self.port))
        tcp.listen(64)
        self._sockets = [udp, tcp]
        self._thread = threading.Thread(target=self._swallow, args=(udp, tcp), daemon=True)
        self._thread.start()
        return self

    def __exit__(self, *exc) -> None:
        self._stop.set()
        self._thread.join(5)
        for sock in self._sockets:
            sock.close()

    def _swallow(self, udp: socket.socket, tcp: socket.socket) -> None:
        with selectors.DefaultSelector() as selector:
            selector.register(udp, selectors.EVENT_READ)
            selector.register(tcp, selectors.EVENT_READ)
            while not self._stop.is_set():
                for key, _ in selector.select(0.05):
                    self._read(selector, key.fileobj, udp, tcp)

    def _read(self, selector, sock: socket.socket, udp: socket.socket, tcp: socket.socket) -> None:
        if sock is udp:
            udp.recvfrom(65535)
            self.datagrams += 1
        elif sock is tcp:
            connection, _ = tcp.accept()
            self._sockets.append(connection)
            selector.register(connection, selectors.EVENT_READ)
        elif not sock.recv(65535):
            selector.unregister(sock)
            sock.close()

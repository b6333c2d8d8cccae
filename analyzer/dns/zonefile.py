"""DNS zone files (the master file format of RFC 1035 §5, as BIND writes it)
into the model: one ``DnsZone`` per file, one ``DnsRecord`` per RRset, each
pointing at the line where it is written.

A zone file is recognised by what it holds (a ``$ORIGIN`` or ``$TTL``
directive, or an SOA record), not by its name, since zone files are named
every which way (``db.example.com``, ``example.com.zone``, ``example.com``).

dnspython reads the records; this module adds what it does not keep:

* lines: dnspython's tokenizer counts a newline as soon as it reads it, even
  when it gives it back to end the token before it, so its own line number
  is one too far after the last token of a line (and in its error messages);
  ``_Tokenizer`` notes the line of each token and of each entry instead;
* ``$INCLUDE`` is never followed: a scanned file must not make sesguard read
  another file (one outside the scanned tree, or a device). The directive is
  reported and skipped, and the rest of the file is still loaded;
* size: ``$GENERATE`` turns one line into any number of records, so a file
  stops being read past ``MAX_RECORDS`` records, or ``MAX_RRSET`` records of
  one name and type (adding to an RRset copies it, so that cost grows with the
  square of its size);
* the origin: see ``load_zone_file``.

A file that cannot be parsed contributes its problem (SES001) and nothing
else, as a name server refuses to load such a zone. Nothing here touches
the network.
"""

from __future__ import annotations

import os
import re
from typing import Optional

import dns.exception
import dns.name
import dns.node
import dns.rdataclass
import dns.rdatatype
import dns.tokenizer
import dns.transaction
import dns.zonefile

from analyzer.model import DnsRecord, DnsZone, InputProblem, Location, Model

MAX_RECORDS = 50_000
MAX_RRSET = 1_000

# The directives BIND knows, but $INCLUDE, which _Tokenizer takes out.
_DIRECTIVES = {"$ORIGIN", "$TTL", "$GENERATE"}
_TXT_TYPES = {dns.rdatatype.TXT, dns.rdatatype.SPF}

# A TTL in seconds or BIND units (1h30m); written so that no digit can be
# matched two ways, which would make a long run of digits take quadratic time.
_TTL = r"\d+(?:[smhdw]\d+)*[smhdw]?"
_NAME = r"[A-Za-z0-9_@.\\*][-A-Za-z0-9_.\\*/]*"
# An owner name starts a line (a blank owner is leading white space); an
# SOA's TTL and class come before its type; its MNAME and RNAME follow, then
# the serial or an opening parenthesis. Text that merely mentions SOA (a
# comment, a YAML or HCL string, a shell command) does not have that shape.
_SOA = (rf"^(?P<owner>{_NAME})?[ \t]+(?:(?:{_TTL}|IN|CH|HS)[ \t]+){{0,2}}SOA"
        rf"(?:[ \t]*\(|[ \t]+{_NAME}[ \t]*\(|[ \t]+{_NAME}[ \t]+{_NAME}(?:[ \t]*\(|[ \t]+\d))")
_ZONE_FILE = re.compile(rf"^\$ORIGIN[ \t]+{_NAME}[ \t]*(?:;|$)|^\$TTL[ \t]+{_TTL}[ \t]*(?:;|$)|{_SOA}",
                        re.M | re.I)
_SOA_LINE = re.compile(_SOA, re.M | re.I)

_DOMAIN = re.compile(r"(?:(?!-)[a-z0-9_-]{1,63}(?<!-)\.)+[a-z](?:[a-z0-9-]{0,61}[a-z0-9])?", re.I)
# Endings of file names that are not top-level domains.
_FILE_EXTENSIONS = {"txt", "conf", "cfg", "bak", "old", "orig", "tmp", "tpl", "tmpl", "j2", "erb",
                    "signed", "jnl"}


def looks_like_zone_file(text: str) -> bool:
    """Whether ``text`` is a zone file: a ``$ORIGIN`` or ``$TTL`` directive,
    or an SOA record, at the start of a line."""
    return _ZONE_FILE.search(text) is not None


def load_zone_file(path: str, shown: str, text: str, model: Model) -> None:
    """Add the zone in ``text`` (the file ``path``, shown as ``shown``) to ``model``.

    The origin is the first ``$ORIGIN`` when it comes before any record.
    Otherwise the file relies on the origin its name server is configured
    with, which the file does not say; the owner of its SOA, when written as
    an absolute name, says it, and failing that the file's name does, as
    BIND's convention is to name a zone file after its zone
    (``db.example.com``, ``example.com.zone``, ``example.com.db``,
    ``example.com``). A file whose origin none of these says is reported.

    Problems are reported in ``model.problems``: a parse error (and then
    nothing of the file is loaded), each refused ``$INCLUDE`` (the rest is
    loaded), an unknown origin.
    """
    try:
        tokenizer, reading = _read_zone(path, shown, text)
    except _ReadError as error:
        model.problems.append(InputProblem(shown, error.message, error.line))
        return
    for line, named in tokenizer.includes:
        model.problems.append(InputProblem(
            shown, f"$INCLUDE {named} is not followed (sesguard reads only the files it scans): "
                   "the records it holds are not analyzed, so this zone is incomplete", line))
    _add_zone(shown, reading, model)


class _ReadError(Exception):
    """A zone file that cannot be loaded: what to report, and at which line."""

    def __init__(self, message: str, line: int):
        super().__init__(message)
        self.message = message
        self.line = line


class _TooLarge(dns.exception.DNSException):
    """A zone file holding more records than sesguard reads."""


class _Tokenizer(dns.tokenizer.Tokenizer):
    """dnspython's tokenizer, noting lines and taking out ``$INCLUDE``.

    ``token_line`` is the line of the last token read and ``entry_line`` the
    line where the current entry (a record, a directive) starts; parentheses
    make an entry span lines. ``includes`` lists the ``$INCLUDE`` directives
    taken out, as (line, file named).
    """

    def __init__(self, text: str, shown: str):
        super().__init__(text, shown)
        self.token_line = 1
        self.entry_line = 1
        self.includes: list = []
        self._entry_starts = True

    def get(self, want_leading: bool = False, want_comment: bool = False) -> dns.tokenizer.Token:
        pending = self.ungotten_token
        token = super().get(want_leading, want_comment)
        if token is not pending:
            self.token_line = self._line_of(token)
        if self._entry_starts and not token.is_eol_or_eof():
            self.entry_line = self.token_line
            if token.is_identifier() and token.value.upper() == "$INCLUDE":
                token = self._take_out_include()
        self._entry_starts = token.is_eol_or_eof()
        return token

    def _line_of(self, token: dns.tokenizer.Token) -> int:
        """The line ``token``, just read, was written on: a newline read
        (and counted) to end it belongs to that line."""
        newline_read = token.is_eol() or self.ungotten_char == "\n"
        return self.line_number - 1 if newline_read else self.line_number

    def _take_out_include(self) -> dns.tokenizer.Token:
        """Skip the rest of an ``$INCLUDE`` line; the end of the line is the token read."""
        named = token = super().get()
        while not token.is_eol_or_eof():
            token = super().get()
        self.includes.append((self.entry_line, "" if named.is_eol_or_eof() else named.value))
        return token


class _Records(dns.transaction.TransactionManager):
    """The origin a zone file is read with (``None`` until a ``$ORIGIN``)."""

    def __init__(self, origin: Optional[dns.name.Name], tokenizer: _Tokenizer):
        self.origin = origin
        self.tokenizer = tokenizer

    def writer(self, replacement: bool = False) -> "_Reading":
        return _Reading(self, replacement)

    def origin_information(self):
        return self.origin, False, self.origin

    def get_class(self) -> dns.rdataclass.RdataClass:
        return dns.rdataclass.IN


class _Reading(dns.transaction.Transaction):
    """The records read so far: ``rdatasets[name][(rdtype, covers)]``, and
    the line of the first record of each, in ``lines``. Names are indexed,
    so reading stays linear in the number of records."""

    def __init__(self, manager: _Records, replacement: bool):
        super().__init__(manager, replacement)
        self.rdatasets: dict = {}
        self.lines: dict = {}
        self.count = 0

    def _get_rdataset(self, name, rdtype, covers):
        return self.rdatasets.get(name, {}).get((rdtype, covers))

    def _get_node(self, name):
        if name not in self.rdatasets:
            return None
        node = dns.node.Node()
        node.rdatasets.extend(self.rdatasets[name].values())
        return node

    def _put_rdataset(self, name, rdataset):
        self.count += 1
        if self.count > MAX_RECORDS:
            raise _TooLarge(f"the file holds more than {MAX_RECORDS} records; not analyzed")
        if len(rdataset) > MAX_RRSET:
            raise _TooLarge(f"more than {MAX_RRSET} records of {name} {dns.rdatatype.to_text(rdataset.rdtype)}; "
                            "not analyzed")
        key = (rdataset.rdtype, rdataset.covers)
        self.rdatasets.setdefault(name, {})[key] = rdataset
        self.lines.setdefault((name, key), self.manager.tokenizer.entry_line)

    def _end_transaction(self, commit):
        """Nothing to do: the caller takes the records from here, or drops
        them all when reading failed."""

    def _set_origin(self, origin):
        if self.manager.origin is None:
            self.manager.origin = origin


def _read_zone(path: str, shown: str, text: str):
    """``_read`` with the origin ``load_zone_file`` describes."""
    try:
        tokenizer, reading = _read(text, shown, None)
        if reading.manager.origin is not None:
            return tokenizer, reading
    except dns.zonefile.UnknownOrigin:
        pass  # a record came before any $ORIGIN; a file without records needs one as much
    origin = _origin_from_soa(text) or _origin_from_file_name(path)
    if origin is None:
        raise _ReadError("the zone file has no $ORIGIN and its name does not say its origin; "
                         "add a $ORIGIN line", 1)
    return _read(text, shown, origin)


def _read(text: str, shown: str, origin: Optional[dns.name.Name]):
    """``(tokenizer, transaction)`` once ``text`` is read with ``origin``
    (``None``: a ``$ORIGIN`` must come first, or ``UnknownOrigin``); raises
    ``_ReadError`` for a file that is not a valid zone."""
    tokenizer = _Tokenizer(text, shown)
    manager = _Records(origin, tokenizer)
    try:
        with manager.writer(True) as reading:
            dns.zonefile.Reader(tokenizer, dns.rdataclass.IN, reading, allow_directives=_DIRECTIVES).read()
    except dns.zonefile.UnknownOrigin:
        raise
    except _TooLarge as error:
        raise _ReadError(str(error), tokenizer.entry_line) from None
    except dns.exception.SyntaxError as error:
        raise _ReadError(f"cannot parse zone file: {_without_position(str(error), shown)}",
                         tokenizer.token_line) from None
    except (dns.exception.DNSException, ValueError) as error:
        # dnspython's transaction says ValueError for an SOA away from the origin.
        raise _ReadError(f"cannot parse zone file: {error}", tokenizer.entry_line) from None
    return tokenizer, reading


def _without_position(message: str, shown: str) -> str:
    """dnspython's message without the ``file:line:`` it starts with (its
    line can be one too far; ours is given apart)."""
    match = re.match(rf"{re.escape(shown)}:\d+: ", message)
    return message[match.end():] if match else message


def _origin_from_soa(text: str) -> Optional[dns.name.Name]:
    match = _SOA_LINE.search(text)
    owner = match.group("owner") if match else None
    if not owner or not owner.endswith(".") or owner.endswith("\\."):
        return None
    try:
        return dns.name.from_text(owner)
    except dns.exception.DNSException:
        return None


def _origin_from_file_name(path: str) -> Optional[dns.name.Name]:
    """The zone a file is named after: ``db.example.com``,
    ``example.com.zone``, ``example.com.db`` and ``example.com`` are all
    ``example.com.``; ``None`` when the name is not a domain name."""
    name = os.path.basename(path)
    for suffix in (".zone", ".db"):
        if name.lower().endswith(suffix):
            name = name[:-len(suffix)]
    if name.lower().startswith("db."):
        name = name[3:]
    name = name.rstrip(".")
    if not _DOMAIN.fullmatch(name) or name.rsplit(".", 1)[-1].lower() in _FILE_EXTENSIONS:
        return None
    return dns.name.from_text(name)


def _add_zone(shown: str, reading: _Reading, model: Model) -> None:
    origin = reading.manager.origin.to_text()
    address = f"{shown}:{origin}"
    found = sorted(((line, name, key) for (name, key), line in reading.lines.items()),
                   key=lambda item: item[0])
    soa_line = next((line for line, _, (rdtype, _) in found if rdtype == dns.rdatatype.SOA), 1)
    model.dns_zones.append(DnsZone(
        address=address, type="zonefile", loc=Location(shown, soa_line), file=shown, source_format="zonefile",
        name=origin, private=None, provider="zonefile"))
    for line, name, key in found:
        model.dns_records.append(_record(shown, line, name, reading.rdatasets[name][key], address, origin))


def _record(shown: str, line: int, name: dns.name.Name, rdataset, zone: str, origin: str) -> DnsRecord:
    owner = name.to_text()
    rtype = dns.rdatatype.to_text(rdataset.rdtype)
    label = rtype
    if rdataset.covers != dns.rdatatype.NONE:
        label = f"{rtype} {dns.rdatatype.to_text(rdataset.covers)}"
    return DnsRecord(
        address=f"{shown}:{owner} {label}", type="zonefile", loc=Location(shown, line), file=shown,
        source_format="zonefile", name=owner, rtype=rtype, values=[_value(rdata) for rdata in rdataset],
        ttl=rdataset.ttl, zone=zone, zone_name=origin, private=None, provider="zonefile")


def _value(rdata):
    """TXT and SPF: the character strings; others: the presentation text, names absolute."""
    if rdata.rdtype in _TXT_TYPES:
        return tuple(s.decode("utf-8", errors="replace") for s in rdata.strings)
    return rdata.to_text()

"""octoDNS configurations into the model: the zones a config declares and the
records its YAML zone files hold.

An octoDNS config names ``providers:`` and ``zones:``; each zone lists the
providers it takes its records from (``sources:``). The records written in
the repository are those of ``YamlProvider`` sources: a directory of zone
files named after their zone with its trailing dot (``example.com.yaml``),
each mapping a name relative to the zone (``''`` for the apex) to one record
or a list of records::

    '':
      - type: TXT
        value: v=spf1 include:amazonses.com -all
      - type: MX
        values:
          - preference: 10
            exchange: inbound-smtp.us-east-1.amazonaws.com.
    _dmarc:
      type: TXT
      value: v=DMARC1\\; p=reject

What octoDNS does that matters here:

* ``directory`` is resolved against the working directory octoDNS runs in,
  which the code does not say (its own examples keep ``config/octodns.yaml``
  beside its zone files with ``directory: ./config``, run from the parent).
  The config's directory is tried first, then each parent up to the scanned
  root, and the first that exists is taken. Nothing outside the scanned root
  is read: such a directory, or a zone file linking out of it, is reported.
* A provider with ``split_extension`` (or the older ``SplitYamlProvider``)
  reads every YAML file of the directory ``<zone without its dot><extension>``;
  ``shared_filename`` adds one file to every zone; ``disable_zonefile`` skips
  the zone file.
* A zone whose name starts with ``*`` is dynamic: it takes the zones its
  sources hold (zone files, split directories) that no entry before it nor
  any explicit zone took, all of them or those matching its ``glob``. A
  ``regex`` is not run (a pattern from the scanned code could take unbounded
  time) and is reported.
* A zone with ``alias: other.zone.`` has the records of that zone.
* TXT and SPF values escape ``;`` as ``\\;`` and may be written as quoted
  chunks (``'"v=DKIM1\\; p=MIIB" "IjAN"'``); octoDNS publishes a value in
  character strings of 255 characters. MX values are ``preference`` and
  ``exchange``, or the older ``priority`` and ``value``.

Records that other sources add (a provider read live, octodns-spf's
``SpfSource``) are not in the code and are not seen.
"""

from __future__ import annotations

import fnmatch
import os
import re
from dataclasses import dataclass
from typing import Any, Optional

from analyzer.cloudformation.yaml_loader import YAMLLoadError, load_yaml
from analyzer.files import Limits, display, placed, read_text
from analyzer.model import DnsRecord, DnsZone, InputProblem, LDict, Location, Model, loc_of

YAML_PROVIDER = "octodns.provider.yaml.YamlProvider"
SPLIT_YAML_PROVIDER = "octodns.provider.yaml.SplitYamlProvider"
DEFAULT_TTL = 3600
TXT_CHUNK = 255

_TOP_KEY = re.compile(r"^(providers|zones)[ \t]*:", re.M)
_OCTODNS_CLASS = re.compile(r"^[ \t]+class[ \t]*:[ \t]*['\"]?octodns[._]", re.M)
_ESCAPE = re.compile(r"\\([^0-9])")


def looks_like_octodns_config(text: str) -> bool:
    """Whether ``text`` is an octoDNS config: top-level ``providers:`` and
    ``zones:`` keys, and a provider class from octoDNS or one of its modules."""
    return {m.group(1) for m in _TOP_KEY.finditer(text)} == {"providers", "zones"} \
        and _OCTODNS_CLASS.search(text) is not None


def load_octodns_config(path: str, shown: str, text: str, model: Model, root: str,
                        limits: Limits = Limits()) -> list:
    """Add the zones of the octoDNS config ``text`` (the file ``path``, shown
    as ``shown``) and the records of their YAML zone files to ``model``, and
    return the real paths of the zone files read.

    Every file is read within ``limits``. Problems are reported in
    ``model.problems``, and what they concern is skipped: a config or zone
    file that cannot be read or parsed, a provider directory outside
    ``root`` (the scanned root) or missing, a zone without a zone file, a
    source that is not a provider, a malformed zone or record.
    """
    try:
        config = load_yaml(text, shown, limits, merge_keys=True).value
    except YAMLLoadError as error:
        model.problems.append(InputProblem(shown, f"cannot parse octoDNS config: {error.message}",
                                           error.line, error.column))
        return []
    reading = _Config(path, shown, model, os.path.realpath(root), limits)
    if reading.check(config):
        reading.load(config)
    return reading.read


@dataclass
class _Provider:
    """A YamlProvider: where its zone files are and how they are laid out."""

    directory: str  # as found, inside the scanned root
    default_ttl: Any = DEFAULT_TTL
    split_extension: Optional[str] = None
    zonefile: bool = True
    shared_filename: Optional[str] = None

    def zone_files(self, zone: str) -> list:
        """The files octoDNS reads for ``zone``, in its order."""
        files = []
        if self.split_extension:
            split = os.path.join(self.directory, zone[:-1] + self.split_extension)
            if os.path.isdir(split):
                files += [os.path.join(split, f) for f in os.listdir(split) if f.endswith(".yaml")]
        if self.zonefile and os.path.isfile(os.path.join(self.directory, zone + "yaml")):
            files.append(os.path.join(self.directory, zone + "yaml"))
        if self.shared_filename:
            files.append(os.path.join(self.directory, self.shared_filename))
        return sorted(files)

    def zones(self) -> list:
        """The zones the directory holds (``list_zones``): split directories,
        and zone files with at least two dots in their name."""
        zones = set()
        for entry in os.listdir(self.directory):
            full = os.path.join(self.directory, entry)
            if self.split_extension and entry.endswith(self.split_extension) and os.path.isdir(full):
                zones.add(entry[:len(entry) - len(self.split_extension)] + ".")
            if self.zonefile and entry.endswith(".yaml") and entry.count(".") >= 2 and os.path.isfile(full):
                zones.add(entry[:-len("yaml")])
        return sorted(zones)


def _holding_nul(value: Any) -> Any:
    """The first string (key or value) in ``value`` that holds a NUL, or None."""
    pending = [value]
    while pending:
        current = pending.pop()
        if isinstance(current, str):
            if "\x00" in current:
                return current
        elif isinstance(current, dict):
            pending.extend(current.keys())
            pending.extend(current.values())
        elif isinstance(current, list):
            pending.extend(current)
    return None


class _Config:
    """One octoDNS config being loaded; ``read`` lists the zone files read."""

    def __init__(self, path: str, shown: str, model: Model, root: str, limits: Limits):
        self.path = path
        self.limits = limits
        self.shown = shown
        self.model = model
        self.root = root
        self.providers: dict = {}  # id -> _Provider, or None when not a YamlProvider or unusable
        self.read: list = []
        self.loaded: set = set()  # (real path, zone) already loaded

    def problem(self, message: str, where: Any, file: str = "") -> None:
        """A problem at ``where``; a value that knows no place (a bare number as the whole file) is the
        file as a whole, at its first line (every SES001 has one)."""
        loc = where if isinstance(where, Location) else loc_of(where)
        self.model.problems.append(InputProblem(file or self.shown, message, loc.line if loc else 1,
                                                loc.column if loc else 1))

    def check(self, config: Any) -> bool:
        if isinstance(config, dict) and all(isinstance(config.get(k), dict) for k in ("providers", "zones")):
            return True
        self.problem("not an octoDNS config: it needs a providers and a zones mapping", config)
        return False

    def load(self, config: LDict) -> None:
        nul = _holding_nul(config)
        if nul is not None:  # zone names and directories become paths, and no path holds a NUL
            self.problem(f"{str(nul)!r} holds a NUL byte; the configuration is not analyzed", loc_of(nul, config))
            return
        zones = config["zones"]
        claimed = {str(name) for name in zones if not name.startswith("*")}
        for name, settings in zones.items():
            where = zones.loc_of_key(name)
            if not isinstance(settings, dict):
                self.problem(f"zone {name} is not a mapping", where)
            elif name.startswith("*"):
                self.load_dynamic(config, settings, claimed, where)
            elif not name.endswith("."):
                self.problem(f"zone {name} does not end with a dot, as octoDNS requires; not analyzed", where)
            else:
                self.load_explicit(config, str(name), settings, where)

    def load_explicit(self, config: LDict, zone: str, settings: dict, where: Location) -> None:
        source = str(settings.get("alias", zone))
        if source != zone:
            settings = config["zones"].get(source)
            if not isinstance(settings, dict):
                self.problem(f"zone {zone} is an alias of {source}, which is not a zone of the config", where)
                return
        self.load_zone(zone, source, self.sources(config, settings, where), where)

    def load_dynamic(self, config: LDict, settings: dict, claimed: set, where: Location) -> None:
        """The zones a dynamic entry takes: those its sources hold that are
        not taken yet, and match its glob."""
        if "regex" in settings:
            self.problem("a dynamic zone's regex is not evaluated; the zones it would take are not analyzed",
                         settings.get("regex"))
            return
        pattern = settings.get("glob")
        providers = self.sources(config, settings, where)
        for zone in sorted({zone for provider in providers for zone in provider.zones()} - claimed):
            if pattern is None or fnmatch.fnmatchcase(zone, str(pattern)):
                claimed.add(zone)
                self.load_zone(zone, zone, providers, where)

    def load_zone(self, zone: str, source: str, providers: list, where: Location) -> None:
        """Add ``zone``, with the records ``providers`` hold for the zone
        ``source`` (itself, or the zone it aliases)."""
        address = f"{self.shown}:{zone}"
        self.model.dns_zones.append(DnsZone(
            address=address, type="octodns", loc=where, file=self.shown, source_format="octodns",
            name=zone, private=None, provider="octodns"))
        for provider in providers:
            files = provider.zone_files(source)
            if not files:
                self.problem(f"no zone file for {source} in {display(provider.directory)} "
                             f"(octoDNS reads {display(os.path.join(provider.directory, source + 'yaml'))})",
                             where)
            for file in files:
                self.load_zone_file(file, zone, address, provider)

    def sources(self, config: LDict, settings: dict, where: Location) -> list:
        """The YamlProviders among a zone's sources."""
        sources = settings.get("sources")
        if not isinstance(sources, list):
            self.problem("the zone has no list of sources", where)
            return []
        found = []
        for source in sources:
            if str(source) not in config["providers"]:
                self.problem(f"source {source} is not a provider of the config", loc_of(source) or sources)
                continue
            provider = self.provider(config, str(source))
            if provider is not None:
                found.append(provider)
        return found

    def provider(self, config: LDict, name: str) -> Optional[_Provider]:
        if name not in self.providers:
            self.providers[name] = self.yaml_provider(config["providers"], name)
        return self.providers[name]

    def yaml_provider(self, providers: LDict, name: str) -> Optional[_Provider]:
        settings = providers[name]
        if not isinstance(settings, dict):
            self.problem(f"provider {name} is not a mapping", providers.loc_of_key(name))
            return None
        kind = settings.get("class")
        if kind not in (YAML_PROVIDER, SPLIT_YAML_PROVIDER):
            return None
        directory = self.directory(settings.get("directory"), providers.loc_of_key(name))
        if directory is None:
            return None
        if kind == SPLIT_YAML_PROVIDER:
            return _Provider(directory, settings.get("default_ttl", DEFAULT_TTL),
                             str(settings.get("extension", ".")), False)
        split = settings.get("split_extension")
        shared = settings.get("shared_filename")
        return _Provider(directory, settings.get("default_ttl", DEFAULT_TTL), str(split) if split else None,
                         not settings.get("disable_zonefile", False), str(shared) if shared else None)

    def directory(self, written: Any, where: Location) -> Optional[str]:
        """A provider's directory: the first that exists inside the scanned
        root, resolved against the config's directory, then its parents."""
        if not isinstance(written, str) or not written:
            self.problem("the YamlProvider has no directory", where)
            return None
        inside = [base for base in self.bases() if self.inside(os.path.join(base, written))]
        if not inside:
            self.problem(f"directory {written} is outside the scanned root; its zone files are not read",
                         loc_of(written, where))
            return None
        found = next((os.path.join(base, written) for base in inside if os.path.isdir(os.path.join(base, written))),
                     None)
        if found is None:
            self.problem(f"directory {written} not found (looked in {display(os.path.join(inside[0], written))})",
                         loc_of(written, where))
        return found

    def bases(self) -> list:
        """The config's directory and its parents up to the scanned root."""
        base = os.path.dirname(os.path.abspath(self.path))
        bases = [base]
        while self.inside(base) and os.path.realpath(base) != self.root and os.path.dirname(base) != base:
            base = os.path.dirname(base)
            bases.append(base)
        return bases

    def inside(self, path: str) -> bool:
        real = os.path.realpath(path)
        return real == self.root or real.startswith(self.root.rstrip(os.sep) + os.sep)

    def load_zone_file(self, file: str, zone: str, address: str, provider: _Provider) -> None:
        real = os.path.realpath(file)
        shown = display(file)
        if not self.inside(real):
            self.problem(f"the zone file links outside the scanned root; {zone} is not analyzed from it", None, shown)
            return
        if (real, zone) in self.loaded:
            return
        self.loaded.add((real, zone))
        if real not in self.read:
            self.read.append(real)
        text, problem = read_text(real, self.limits)
        if problem:
            self.model.problems.append(InputProblem(shown, *placed(problem)))  # with the bad byte's line
            return
        try:
            records = load_yaml(text, shown, self.limits, merge_keys=True).value
        except YAMLLoadError as error:
            self.model.problems.append(InputProblem(shown, f"cannot parse octoDNS zone file: {error.message}",
                                                    error.line, error.column))
            return
        if records is None:
            return
        if not isinstance(records, LDict):
            self.problem("an octoDNS zone file maps record names to records", records, shown)
            return
        for name, written in records.items():
            entries = written if isinstance(written, list) else [written]
            for entry in entries:
                where = records.loc_of_key(name) if entry is written else loc_of(entry, records.loc_of_key(name))
                self.add_record(shown, zone, address, provider, str(name), entry, where)

    def add_record(self, shown: str, zone: str, address: str, provider: _Provider, name: str, data: Any,
                   where: Location) -> None:
        if not isinstance(data, LDict) or not isinstance(data.get("type"), str):
            self.problem(f"record {name!r} is not a mapping with a type", where, shown)
            return
        rtype = data["type"].upper()
        key = "values" if "values" in data else "value"
        if data.get(key) is None:
            self.problem(f"{rtype} record {name!r} has no value", where, shown)
            return
        written = data[key] if isinstance(data[key], list) else [data[key]]
        owner = f"{name}.{zone}" if name else zone
        value_locs = {"values": data.loc_of_key(key)}
        if "ttl" in data:
            value_locs["ttl"] = data.loc_of_key("ttl")
        self.model.dns_records.append(DnsRecord(
            address=f"{shown}:{owner} {rtype}", type="octodns", loc=where, file=shown, source_format="octodns",
            value_locs=value_locs, name=owner, rtype=rtype, values=[_value(rtype, v) for v in written],
            ttl=data.get("ttl", provider.default_ttl), zone=address, zone_name=zone, private=None,
            provider="octodns"))


def _value(rtype: str, written: Any):
    """A value in the model's form: TXT and SPF as their character strings,
    others as presentation text."""
    if rtype in ("TXT", "SPF"):
        return _character_strings(str(written))
    if not isinstance(written, dict):
        return str(written)
    if rtype == "MX":
        return f"{_first(written, 'preference', 'priority')} {_first(written, 'exchange', 'value')}"
    if rtype == "SRV":
        return " ".join(_first(written, key) for key in ("priority", "weight", "port", "target"))
    if rtype == "CAA":
        return f'{written.get("flags", 0)} {_first(written, "tag")} "{_first(written, "value")}"'
    return " ".join(str(v) for v in written.values())


def _first(written: dict, *keys: str) -> str:
    return next((str(written[key]) for key in keys if key in written), "")


def _character_strings(value: str) -> tuple:
    """A TXT value as octoDNS publishes it: quoted chunks joined, escapes
    undone (a backslash before anything but a digit stands for that
    character, RFC 1035 §5.1; numeric escapes are left as written, as
    providers read them differently), then cut every 255 characters."""
    if value.startswith('"') and value.endswith('"') and len(value) > 1:
        value = value[1:-1].replace('" "', "")
    text = _ESCAPE.sub(r"\1", value)
    return tuple(text[i:i + TXT_CHUNK] for i in range(0, len(text), TXT_CHUNK)) or ("",)

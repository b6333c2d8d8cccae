"""Find the inputs under the scanned paths and decide which can matter.

Every directory holding ``.tf`` / ``.tf.json`` files is a Terraform module.
Before anything is parsed, a text pre-filter keeps only modules that can
declare SES resources: those whose text names an ``aws_ses*`` type, that
call (through a local source, in HCL or JSON syntax, or
``.terraform/modules/modules.json``) a module that can or that lies outside
the scanned root, or that call a remote module whose source names SES;
and, for the email-authentication rules, those that declare DNS records
about mail (DKIM, SPF, DMARC, SES names), or a DNS zone when some module
declares SES. The rest cannot produce a finding and are never parsed.
"""

from __future__ import annotations

import os
import re
from dataclasses import dataclass, field
from typing import Optional

from analyzer.config import FILE_NAME as CONFIG_FILE_NAME
from analyzer.files import Limits, searchable
from analyzer.terraform.modules import read_modules_json

SKIP_DIRS = {".git", ".terraform", "node_modules", "__pycache__", ".hg", ".svn"}

# No leading \b: a pattern that starts with a literal is searched much faster;
# _word_start checks the boundary instead.
_SES_TEXT = re.compile(rb"aws_sesv?2?_[a-z_]+")
_SOURCE = re.compile(rb'source"?\s*[=:]\s*"([^"\n]*)"')  # HCL and JSON syntax
_SES_SOURCE = re.compile(rb"(?:^|[/_.-])(?:ses|sesv2)(?:[/_.-]|$)", re.I)
# DNS that email authentication may depend on: a zone, or records with a mail-related name or value
_ZONE_TYPES = rb"(?:aws_route53_zone|cloudflare_zone|google_dns_managed_zone|azurerm_dns_zone)"
_DNS_ZONE = re.compile(rb'resource\s+"' + _ZONE_TYPES + rb'"|"' + _ZONE_TYPES + rb'"\s*:')  # HCL, JSON
_DNS_RECORD = re.compile(rb"(?:aws_route53_record|cloudflare_(?:dns_)?record|google_dns_record_set"
                         rb"|azurerm_dns_(?:txt|cname|mx)_record)\b")
_MAIL_DNS = re.compile(rb"_domainkey|_dmarc|v=spf1|DMARC1|amazonses|dkim", re.I)


def is_terraform(name: str) -> bool:
    return name.endswith(".tf") or name.endswith(".tf.json")


DOCUMENT_SUFFIXES = (".yaml", ".yml", ".json", ".template")


# Zone files are named after their zone by convention (db.example.com, example.com.zone,
# example.com); a file with such a name is read, and is a zone file when its content says so.
_ZONE_FILE_NAME = re.compile(r"(?:^db\.|\.zone$|\.db$|^[a-z0-9-]+(?:\.[a-z0-9-]+)*\.(?:com|net|org|io|dev|app|co|uk"
                             r"|de|fr|nl|eu|us|ca|au|test|example|internal|local|lan)$)", re.I)


def is_document(name: str) -> bool:
    """A file that may be a CloudFormation template, a Terraform plan, an
    octoDNS configuration or a DNS zone file (decided by content)."""
    return ((name.endswith(DOCUMENT_SUFFIXES) or bool(_ZONE_FILE_NAME.search(name))) and not is_terraform(name)
            and not is_root_var_file(name) and name != CONFIG_FILE_NAME)


def is_root_var_file(name: str) -> bool:
    return name in ("terraform.tfvars", "terraform.tfvars.json") or name.endswith(
        (".auto.tfvars", ".auto.tfvars.json"))


@dataclass
class ModuleDir:
    dir: str  # real absolute path
    files: list = field(default_factory=list)  # absolute paths of .tf / .tf.json
    var_files: list = field(default_factory=list)  # auto-loaded tfvars, in load order
    ses_text: bool = False
    dns_records: bool = False  # declares DNS records
    mail_dns: bool = False  # declares DNS records that are about mail (DKIM, SPF, DMARC, SES)
    dns_zone: bool = False  # declares a DNS zone
    local_calls: list = field(default_factory=list)  # real absolute dirs
    remote_ses_call: bool = False


@dataclass
class Discovery:
    root: str  # real absolute path of the scanned directory (or a file's directory)
    modules: dict = field(default_factory=dict)  # dir -> ModuleDir
    problems: list = field(default_factory=list)  # (path, message)
    documents: list = field(default_factory=list)  # CloudFormation / plan candidates (absolute paths)
    files_seen: int = 0
    only_files: set = field(default_factory=set)  # when a file was given: its module's files
    limits: Limits = Limits()  # a file over max_file_size is not read: its module is kept for the loader to report
    dns: bool = True  # whether DNS zones and records matter (the DNS rules run)
    _declares_ses: Optional[bool] = None

    def declares_ses(self) -> bool:
        """Whether some Terraform module can declare SES resources: only then
        does a module that declares nothing but zones matter (for the
        identities' DNS). Asked once the walk is done."""
        if self._declares_ses is None:
            self._declares_ses = any(m.ses_text for m in self.modules.values())
        return self._declares_ses

    def relevant(self, directory: str, _seen=None) -> bool:
        """Whether a module directory can lead to an SES resource."""
        seen = _seen if _seen is not None else set()
        if directory in seen:
            return False
        seen.add(directory)
        module = self.modules.get(directory)
        if module is None:
            if not _inside(directory, self.root):
                return True  # never read: the loader reports the call as not analyzed
            module = self.add_module(directory)
            if module is None:
                return False
        if module.ses_text or module.remote_ses_call:
            return True
        if self.dns and (module.mail_dns or module.dns_zone and self.declares_ses()):
            return True
        callees = list(module.local_calls) + [os.path.realpath(os.path.join(directory, d))
                                              for d in read_modules_json(directory).values()]
        return any(self.relevant(c, seen) for c in callees)

    def relevant_callee(self, directory: str) -> bool:
        """Whether a module called from a module that matters can matter: as
        ``relevant``, or a generic DNS module (``_dmarc`` and its value are
        its caller's arguments) when the DNS rules run."""
        if self.relevant(directory):
            return True
        module = self.modules.get(directory)
        return self.dns and module is not None and module.dns_records

    def add_module(self, directory: str):
        """Read a directory reached through a module call (it may lie under
        ``.terraform/modules`` or outside the walked paths, inside the root)."""
        try:
            names = sorted(os.listdir(directory))
        except OSError:
            return None
        module = ModuleDir(directory)
        for name in names:
            path = os.path.join(directory, name)
            if is_terraform(name) and os.path.isfile(path):
                module.files.append(path)
        _prefilter(module, self)
        self.modules[directory] = module
        return module


def _inside(path: str, root: str) -> bool:
    return path == root or path.startswith(root.rstrip(os.sep) + os.sep)


def _word_start(data: bytes, offset: int) -> bool:
    return offset == 0 or not (data[offset - 1:offset].isalnum() or data[offset - 1] == 0x5F)


def _prefilter(module: ModuleDir, discovery: Discovery) -> None:
    for path in module.files:
        try:
            if os.path.getsize(path) > discovery.limits.max_file_size:
                module.ses_text = True  # cannot be ruled out: the loader reports it
                continue
            with open(path, "rb") as f:
                data = searchable(f.read())
        except OSError:
            module.ses_text = True  # the loader reports the read error
            continue
        if b"aws_ses" in data and any(_word_start(data, m.start()) for m in _SES_TEXT.finditer(data)):
            module.ses_text = True
        if b"_zone" in data and _DNS_ZONE.search(data):
            module.dns_zone = True
        if b"record" in data and _DNS_RECORD.search(data):
            module.dns_records = True
            module.mail_dns = module.mail_dns or bool(_MAIL_DNS.search(data))
        for m in _SOURCE.finditer(data):
            if not _word_start(data, m.start()):
                continue
            source = m.group(1)
            if source in (b".", b"..") or source.startswith((b"./", b"../")):
                target = os.path.realpath(os.path.join(module.dir, source.decode("utf-8", "replace")))
                if target != module.dir:
                    module.local_calls.append(target)
            elif _SES_SOURCE.search(source):
                module.remote_ses_call = True


class Excludes:
    """Paths not to scan: gitignore-style globs, relative to the scan root.

    ``*`` and ``?`` stay within a path segment, ``**`` spans segments, a
    pattern with a ``/`` before its end is anchored at the root (otherwise it
    matches at any depth), and a trailing ``/`` matches directories only. A
    directory that matches is not entered. Negation (``!``) is not supported.
    """

    def __init__(self, patterns=()):
        self.rules = [self._compile(p) for p in patterns if p.strip()]

    @staticmethod
    def _compile(pattern: str):
        directory_only = pattern.endswith("/")
        body = pattern.strip("/") if directory_only else pattern.lstrip("/")
        anchored = pattern.startswith("/") or "/" in body
        out, i = [], 0
        while i < len(body):
            if body.startswith("**/", i):
                out.append("(?:.*/)?")
                i += 3
            elif body.startswith("**", i):
                out.append(".*")
                i += 2
            elif body[i] == "*":
                out.append("[^/]*")
                i += 1
            elif body[i] == "?":
                out.append("[^/]")
                i += 1
            else:
                out.append(re.escape(body[i]))
                i += 1
        regex = ("" if anchored else "(?:.*/)?") + "".join(out) + "(?:/.*)?"
        return re.compile(regex, re.S), directory_only

    def match(self, relative: str, is_dir: bool) -> bool:
        return any(regex.fullmatch(relative) and (is_dir or not directory_only or "/" in relative)
                   for regex, directory_only in self.rules)


def discover(path: str, excludes: Excludes = Excludes(), limits: Limits = Limits(), dns: bool = True) -> Discovery:
    """Walk one scanned path (a directory, or a single file); ``dns``: whether
    modules that only declare DNS can matter."""
    real = os.path.realpath(path)
    if os.path.isfile(real):
        root = os.path.dirname(real)
        discovery = Discovery(root, limits=limits, dns=dns)
        discovery.files_seen = 1
        name = os.path.basename(real)
        if is_document(name):
            discovery.documents.append(real)
            return discovery
        module = discovery.add_module(root)
        if module is not None:
            _add_var_files(module, os.listdir(root))
        if not is_terraform(name) and not is_root_var_file(name):
            discovery.problems.append((path, "not a Terraform file (.tf, .tf.json, .tfvars), "
                                             "CloudFormation template or Terraform plan"))
        return discovery
    discovery = Discovery(real, limits=limits, dns=dns)
    pending = [real]
    while pending:
        current = pending.pop()
        try:
            with os.scandir(current) as listing:
                entries = sorted(listing, key=lambda e: e.name)
        except OSError as exc:
            discovery.problems.append((current, f"cannot read the directory: {exc.strerror}"))
            continue
        tf_files, names, subdirs = [], [], []
        for entry in entries:
            names.append(entry.name)
            if excludes.rules and excludes.match(os.path.relpath(entry.path, real).replace(os.sep, "/"),
                                                 entry.is_dir(follow_symlinks=False)):
                continue
            if entry.is_dir(follow_symlinks=False):  # symbolic links to directories are not followed
                if entry.name not in SKIP_DIRS:
                    subdirs.append(entry.path)
                continue
            discovery.files_seen += 1
            document = is_document(entry.name)
            if not (document or is_terraform(entry.name) or is_root_var_file(entry.name)):
                continue
            if entry.is_symlink() and not _inside(os.path.realpath(entry.path), real):
                discovery.problems.append((entry.path, "a symbolic link to a file outside the scanned root; not read"))
                continue
            if document:
                discovery.documents.append(entry.path)
            elif is_terraform(entry.name):
                tf_files.append(entry.path)
        pending.extend(reversed(subdirs))
        if tf_files:
            module = ModuleDir(os.path.realpath(current), tf_files)
            _prefilter(module, discovery)
            _add_var_files(module, names)
            discovery.modules[module.dir] = module
    return discovery


def _add_var_files(module: ModuleDir, names) -> None:
    ordered = [n for n in ("terraform.tfvars", "terraform.tfvars.json") if n in names]
    ordered += sorted(n for n in names if n.endswith((".auto.tfvars", ".auto.tfvars.json")))
    module.var_files = [os.path.join(module.dir, n) for n in ordered]

"""Find the inputs under the scanned paths and decide which can matter.

Every directory holding ``.tf`` / ``.tf.json`` files (or OpenTofu's ``.tofu`` /
``.tofu.json``) is a Terraform module; where ``x.tofu`` and ``x.tf`` (or
``x.tofu.json`` and ``x.tf.json``) are both there, the ``.tf`` file is not
part of the module, as OpenTofu ignores it (``opentofu_files``).
Every ``terragrunt.hcl`` is collected for ``analyzer.terragrunt`` (and
``.terragrunt-cache``, Terragrunt's copies of modules, is not walked).
Before anything is parsed, a text pre-filter skips the modules on which no
rule could report. What each rule reads, and so what keeps a module:

- SES101-SES103 (identity policies), SES112, SES201, SES202 (identities),
  SES301-SES307 (configuration sets, event destinations, receipt rules,
  notification topics): ``aws_ses*`` resources. Kept: a module whose text
  names an ``aws_ses*`` type; one that calls (through a local source, in
  HCL or JSON syntax, or ``.terraform/modules/modules.json``) a module that
  is kept or that lies outside the scanned root; one that calls a remote
  module whose source names SES.
- SES110 (IAM policy sending as any identity) and SES111 (access key of a
  user that may send): the IAM resources the Terraform adapter reads
  (``aws_iam_policy``, ``aws_iam_role_policy``, ``aws_iam_user_policy``,
  ``aws_iam_group_policy``, ``aws_iam_role`` with an ``inline_policy``,
  the user policy attachments, ``aws_iam_access_key``), and a statement
  granting a send action. Kept: a module that declares one of them when
  its module tree (itself and the modules it calls) or, for a called
  module, the tree of the root evaluating it, holds text that can grant a
  send action (``analyzer.send_text``: a ``ses:`` send action in any case,
  a wildcard action such as ``"*"``, a ``NotAction`` list), in its ``.tf``
  files, its auto-loaded tfvars, the files it can read with ``file()`` /
  ``templatefile()`` (each call's literal path, and every string of the
  module that looks like a path, since the argument may be a variable;
  an interpolated path stands for its directory's files; read within the
  scan's limits and root), or the ``--var-file`` / ``--var`` values of the
  scan. A path built by a function (``join("/", [...])``) of strings that
  do not look like paths is not followed. ``aws_iam_user`` alone
  keeps nothing: no rule reads the user resource, and its name reaches
  keys and policies by evaluation, whatever is skipped.
- SES210-SES250 (email authentication): identities and the DNS declared
  for them. Kept, when the DNS rules run: a module declaring DNS records
  about mail (DKIM, SPF, DMARC, SES names), or a DNS zone when some module
  declares SES; called by a kept module, a module declaring any DNS record
  (a generic DNS module gets its names from its caller).
- SES001/SES003/SES004 report on what the modules above read.

The rest cannot produce a finding and are never parsed; ``skip_reason``
says why for each.
"""

from __future__ import annotations

import os
import re
from dataclasses import dataclass, field
from typing import Optional

from analyzer.config import FILE_NAME as CONFIG_FILE_NAME
from analyzer.files import Limits, open_regular, searchable
from analyzer.send_text import grants_send
from analyzer.terraform.iam_types import ACCESS_KEY_TYPE, ATTACHMENT_TYPES, IAM_POLICY_TYPES
from analyzer.terraform.modules_json import read_modules_json

SKIP_DIRS = {".git", ".terraform", ".terragrunt-cache", "node_modules", "__pycache__", ".hg", ".svn"}
TERRAGRUNT_FILE = "terragrunt.hcl"

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
# The IAM resources SES110/SES111 read (aws_iam_role only through its inline_policy blocks)
_IAM_TYPES = sorted((set(IAM_POLICY_TYPES) | set(ATTACHMENT_TYPES) | {ACCESS_KEY_TYPE}) - {"aws_iam_role"})
_IAM_TEXT = re.compile(rb"aws_iam_(?:" + b"|".join(t[8:].encode() for t in _IAM_TYPES) + rb")\b")
_IAM_ROLE = re.compile(rb"aws_iam_role\b")
# The files a module can read with file() / templatefile(): the literal argument of a call, and any
# string that looks like a path (the argument may be a variable, a local or a caller's value), also
# inside a JSON string (\"...\")
_FILE_CALL = re.compile(rb'(?:templatefile|file)\(\s*(\\?)"(.*?)\1"')
_PATH_START = re.compile(rb'"((?:\$\{path\.(?:module|root|cwd)\}/|\.\.?/)[^"\n]*?)\\?"')
_PATH_END = re.compile(rb"\.(?:json|tpl|tftpl|tmpl|ya?ml|txt)(?=\\?\")", re.I)  # found before its string
_PATH_PREFIX = re.compile(rb"^\$\{path\.(?:module|root|cwd)\}/")


TERRAFORM_SUFFIXES = (".tf", ".tf.json", ".tofu", ".tofu.json")


def is_terraform(name: str) -> bool:
    return name.endswith(TERRAFORM_SUFFIXES)


def opentofu_files(paths: list, replaced: list) -> list:
    """The Terraform files of one directory that make its module: a ``.tf``
    (``.tf.json``) file is left out when a ``.tofu`` (``.tofu.json``) file of
    the same base name is there, as OpenTofu prefers the ``.tofu`` file;
    ``(left out, its replacement)`` is appended to ``replaced``."""
    present = set(paths)

    def replacement(path: str) -> str:
        if path.endswith(".tf"):
            return path[:-3] + ".tofu"
        return path[:-8] + ".tofu.json" if path.endswith(".tf.json") else ""
    kept = []
    for path in paths:
        tofu = replacement(path)
        if tofu in present:
            replaced.append((path, tofu))
        else:
            kept.append(path)
    return kept


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
    files: list = field(default_factory=list)  # absolute paths of .tf / .tf.json / .tofu / .tofu.json
    var_files: list = field(default_factory=list)  # auto-loaded tfvars, in load order
    ses_text: bool = False
    dns_records: bool = False  # declares DNS records
    mail_dns: bool = False  # declares DNS records that are about mail (DKIM, SPF, DMARC, SES)
    dns_zone: bool = False  # declares a DNS zone
    local_calls: list = field(default_factory=list)  # real absolute dirs
    remote_ses_call: bool = False
    iam: bool = False  # declares an IAM resource SES110/SES111 read
    # whether its text, tfvars or the files it reads can grant a send action; None until
    # Discovery.grants_send is asked (only for module trees with IAM resources)
    grants_send: Optional[bool] = None


@dataclass
class Discovery:
    root: str  # real absolute path of the scanned directory (or a file's directory)
    boundary: str = ""  # what may be read: the repository root holding ``root``, else ``root`` itself
    modules: dict = field(default_factory=dict)  # dir -> ModuleDir
    problems: list = field(default_factory=list)  # (path, message)
    replaced: list = field(default_factory=list)  # (.tf path, .tofu path): .tf files OpenTofu ignores, not read
    documents: list = field(default_factory=list)  # CloudFormation / plan candidates (absolute paths)
    terragrunt: list = field(default_factory=list)  # terragrunt.hcl files (absolute paths)
    files_seen: int = 0
    only_files: set = field(default_factory=set)  # when a file was given: its module's files
    limits: Limits = Limits()  # a file over max_file_size is not read: its module is kept for the loader to report
    dns: bool = True  # whether DNS zones and records matter (the DNS rules run)
    inputs_grant_send: bool = False  # the scan's --var-file / --var values can grant a send action
    _declares_ses: Optional[bool] = None

    def __post_init__(self):
        self.boundary = self.boundary or self.root
        self._trees: dict = {}  # directory -> _tree(directory): asked for every module of a chain

    def declares_ses(self) -> bool:
        """Whether some Terraform module can declare SES resources: only then
        does a module that declares nothing but zones matter (for the
        identities' DNS). Asked once the walk is done."""
        if self._declares_ses is None:
            self._declares_ses = any(m.ses_text for m in self.modules.values())
        return self._declares_ses

    def relevant(self, directory: str) -> bool:
        """Whether a module directory can lead to a resource a rule reads: it,
        or a module it calls, directly or not (depth first, in call order;
        iterative, as a chain of hundreds of local modules is valid input)."""
        seen, pending = set(), [directory]
        while pending:
            current = pending.pop()
            if current in seen:
                continue
            seen.add(current)
            module = self.modules.get(current)
            if module is None:
                if not _inside(current, self.boundary):
                    return True  # never read: the loader reports the call as not analyzed
                module = self.add_module(current)
                if module is None:
                    continue
            if self._matters(current, module):
                return True
            pending.extend(reversed(self._callees(current, module)))
        return False

    def _matters(self, directory: str, module: "ModuleDir") -> bool:
        """Whether a module can declare a resource a rule reads, by itself or with the modules it calls."""
        if module.ses_text or module.remote_ses_call:
            return True
        if self.dns and (module.mail_dns or module.dns_zone and self.declares_ses()):
            return True
        tree = self._tree(directory)
        # an IAM resource and a send action it may be given, in one module tree
        return any(m.iam for m in tree) and (self.inputs_grant_send or any(self.grants_send(m) for m in tree))

    def relevant_callee(self, directory: str, root: Optional[str] = None) -> bool:
        """Whether a module called from a module that matters can matter: as
        ``relevant``; a module whose tree declares IAM resources when the
        tree of ``root`` (the root module evaluating it) can grant a send
        action (the policy or its actions may be its caller's arguments);
        or a generic DNS module (``_dmarc`` and its value are its caller's
        arguments) when the DNS rules run."""
        if self.relevant(directory):
            return True
        module = self.modules.get(directory)
        if module is None:
            return False
        if root is not None and self.tree_grants_send(root) and any(
                m.iam for m in self._tree(directory)):
            return True
        return self.dns and module.dns_records

    def tree_declares_iam(self, directory: str) -> bool:
        """Whether a module or one it calls declares an IAM resource SES110/SES111 read."""
        return any(m.iam for m in self._tree(directory))

    def tree_grants_send(self, directory: str) -> bool:
        """Whether a module or one it calls (or the scan's variable values) can grant a send action."""
        return self.inputs_grant_send or any(self.grants_send(m) for m in self._tree(directory))

    def grants_send(self, module: "ModuleDir") -> bool:
        """Whether a module's text, tfvars or the files it can read can grant a
        send action; read once, when first asked. A file that cannot be read
        (too large, an error) cannot be ruled out."""
        if module.grants_send is None:
            module.grants_send = False
            for path in module.files + module.var_files:
                data = _read(path, self.limits)
                if data is None or grants_send(data) or (
                        path in module.files and _read_files_grant_send(data, module, self)):
                    module.grants_send = True
                    break
        return module.grants_send

    def _tree(self, directory: str) -> list:
        """The modules read for ``directory`` and every module it calls, inside the root."""
        if directory in self._trees:
            return self._trees[directory]
        result, seen, pending = [], set(), [directory]
        while pending:
            current = pending.pop()
            if current in seen or not _inside(current, self.boundary):
                continue
            seen.add(current)
            module = self.modules.get(current) or self.add_module(current)
            if module is not None:
                result.append(module)
                pending.extend(self._callees(current, module))
        self._trees[directory] = result
        return result

    @staticmethod
    def _callees(directory: str, module: "ModuleDir") -> list:
        return list(module.local_calls) + [os.path.realpath(os.path.join(directory, d))
                                           for d in read_modules_json(directory).values()]

    def skip_reason(self, directory: str) -> str:
        """Why the pre-filter skips a module (one ``relevant`` rejects)."""
        module = self.modules[directory]
        if module.iam:
            return ("declares IAM resources, but nothing in its module tree can grant an SES send action "
                    "(no ses: send action, wildcard action or NotAction)")
        if module.dns_zone and self.dns:
            return "declares a DNS zone, but no module declares SES resources"
        if module.dns_records and self.dns:
            return "declares DNS records, none about mail (DKIM, SPF, DMARC, SES)"
        return ("names no aws_ses* resource, IAM policy or access key, or mail DNS record, "
                "and calls no module that does")

    def add_module(self, directory: str, var_files: bool = False):
        """Read a directory reached through a module call (it may lie under
        ``.terraform/modules`` or outside the walked paths, inside the root);
        ``var_files``: with its auto-loaded tfvars (a root module)."""
        try:
            names = sorted(os.listdir(directory))
        except OSError:
            return None
        module = ModuleDir(directory)
        for name in names:
            path = os.path.join(directory, name)
            if is_terraform(name) and os.path.isfile(path):
                module.files.append(path)
        module.files = opentofu_files(module.files, self.replaced)
        if var_files:
            _add_var_files(module, names)
        _prefilter(module, self)
        self.modules[directory] = module
        return module


def _boundary(root: str, repository: Optional[str]) -> str:
    real = os.path.realpath(repository) if repository else ""
    return real if real and _inside(root, real) else root


def _inside(path: str, root: str) -> bool:
    return path == root or path.startswith(root.rstrip(os.sep) + os.sep)


def _word_start(data: bytes, offset: int) -> bool:
    return offset == 0 or not (data[offset - 1:offset].isalnum() or data[offset - 1] == 0x5F)


def _prefilter(module: ModuleDir, discovery: Discovery) -> None:
    for path in module.files:
        data = _read(path, discovery.limits)
        if data is None:
            module.ses_text = True  # too large or unreadable: cannot be ruled out, the loader reports it
            continue
        if b"aws_ses" in data and any(_word_start(data, m.start()) for m in _SES_TEXT.finditer(data)):
            module.ses_text = True
        if b"_zone" in data and _DNS_ZONE.search(data):
            module.dns_zone = True
        if b"record" in data and _DNS_RECORD.search(data):
            module.dns_records = True
            module.mail_dns = module.mail_dns or bool(_MAIL_DNS.search(data))
        if b"aws_iam_" in data and (_IAM_TEXT.search(data) or b"inline_policy" in data and _IAM_ROLE.search(data)):
            module.iam = True
        for m in _SOURCE.finditer(data):
            if not _word_start(data, m.start()):
                continue
            source = m.group(1)
            if b"\x00" in source:
                continue  # no path holds a NUL: the module loader reports this call
            if source in (b".", b"..") or source.startswith((b"./", b"../")):
                target = os.path.realpath(os.path.join(module.dir, source.decode("utf-8", "replace")))
                if target != module.dir:
                    module.local_calls.append(target)
            elif _SES_SOURCE.search(source):
                module.remote_ses_call = True


def _read(path: str, limits: Limits) -> Optional[bytes]:
    """A file's searchable bytes; None when it is over the size limit or cannot be read."""
    try:
        if os.path.getsize(path) > limits.max_file_size:
            return None
        with open_regular(path) as f:
            return searchable(f.read(limits.max_file_size + 1))
    except OSError:
        return None


def _read_files_grant_send(data: bytes, module: ModuleDir, discovery: Discovery) -> bool:
    """Whether a file the text can read with ``file()`` / ``templatefile()``
    can grant a send action: the literal argument of each call, and each
    string that looks like a path (``${path.module}/...``, ``./...``, or a
    ``.json``, ``.tpl``, ``.tftpl``, ``.tmpl``, ``.yaml``, ``.txt`` name), as
    the argument may be a variable set elsewhere. A path with an
    interpolation stands for every file of the directory its literal part
    names. Read inside the scan root, within its limits; a file that cannot
    be read cannot be ruled out."""
    paths = {m.group(2) for m in _FILE_CALL.finditer(data) if _word_start(data, m.start())}
    paths.update(m.group(1) for m in _PATH_START.finditer(data))
    for m in _PATH_END.finditer(data):
        start = data.rfind(b'"', 0, m.start())
        if start > data.rfind(b"\n", 0, m.start()):
            paths.add(data[start + 1:m.end()])
    for written in sorted(paths):
        path = _PATH_PREFIX.sub(b"", written).decode("utf-8", "replace")
        if "\x00" in path:
            continue  # no file is named with a NUL byte
        if "${" in path:
            directory = os.path.join(module.dir, path[:path.index("${")].rpartition("/")[0])
            try:
                candidates = [os.path.join(directory, n) for n in sorted(os.listdir(directory))]
            except OSError:
                continue
        else:
            candidates = [os.path.join(module.dir, path)]
        for candidate in candidates:
            real = os.path.realpath(candidate)
            if is_terraform(real) or not _inside(real, discovery.boundary) or not os.path.isfile(real):
                continue
            read = _read(real, discovery.limits)
            if read is None or grants_send(read):
                return True
    return False


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


def discover(path: str, excludes: Excludes = Excludes(), limits: Limits = Limits(), dns: bool = True,
             boundary: Optional[str] = None) -> Discovery:
    """Walk one scanned path (a directory, or a single file); ``dns``: whether
    modules that only declare DNS can matter; ``boundary``: the repository
    root, inside which the modules, files and zones the path's inputs name
    may be read (default: the path itself)."""
    real = os.path.realpath(path)
    if os.path.isfile(real):
        root = os.path.dirname(real)
        discovery = Discovery(root, _boundary(root, boundary), limits=limits, dns=dns)
        discovery.files_seen = 1
        name = os.path.basename(real)
        if is_document(name):
            discovery.documents.append(real)
            return discovery
        if name == TERRAGRUNT_FILE:
            discovery.terragrunt.append(real)
            return discovery
        discovery.add_module(root, var_files=True)
        if not is_terraform(name) and not is_root_var_file(name):
            discovery.problems.append((path, "not a Terraform file (.tf, .tf.json, .tofu, .tofu.json, .tfvars), "
                                             "CloudFormation template or Terraform plan"))
        return discovery
    discovery = Discovery(real, _boundary(real, boundary), limits=limits, dns=dns)
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
            if entry.name == TERRAGRUNT_FILE and entry.is_file(follow_symlinks=False):
                discovery.terragrunt.append(entry.path)
                continue
            document = is_document(entry.name)
            if not (document or is_terraform(entry.name) or is_root_var_file(entry.name)):
                continue
            if entry.is_symlink() and not _inside(os.path.realpath(entry.path), real):
                discovery.problems.append((entry.path, "a symbolic link to a file outside the scanned root; not read"))
                continue
            if not entry.is_symlink() and not entry.is_file():  # a link: read_text says what it leads to
                discovery.problems.append((entry.path, "not a regular file (a named pipe, socket or device); not read"))
                continue
            if document:
                discovery.documents.append(entry.path)
            elif is_terraform(entry.name):
                tf_files.append(entry.path)
        pending.extend(reversed(subdirs))
        if tf_files:
            module = ModuleDir(os.path.realpath(current), opentofu_files(tf_files, discovery.replaced))
            _add_var_files(module, names)
            _prefilter(module, discovery)
            discovery.modules[module.dir] = module
    return discovery


def _add_var_files(module: ModuleDir, names) -> None:
    ordered = [n for n in ("terraform.tfvars", "terraform.tfvars.json") if n in names]
    ordered += sorted(n for n in names if n.endswith((".auto.tfvars", ".auto.tfvars.json")))
    module.var_files = [os.path.join(module.dir, n) for n in ordered]

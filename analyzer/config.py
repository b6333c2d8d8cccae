"""The configuration file: ``--config FILE``, else the first ``.sesguard.yml``
found in the current directory and then each parent up to the repository
root (``analyzer.repository``).

Every key is validated: an unknown key, a wrong type or a rule id that no
rule has is an error naming the line (exit status 2), never silently
ignored. The file is untrusted input (it comes with the scanned
repository): its size, nesting and tags are checked before anything is
read from it, and it cannot name variable files outside the repository.
The command line wins over the file, and the file over the defaults.

The file can turn the parse cache off (``cache: false``) but not choose its
directory: the file comes with the scanned repository, and cache entries are
pickles, which run code when read (see ``analyzer.cache``).
"""

from __future__ import annotations

import os
import re
from dataclasses import dataclass, field

from analyzer.budget import MAX_FILE_SECONDS_LIMIT
from analyzer.files import MAX_DEPTH_LIMIT, parse_size
from analyzer.findings import SEVERITIES

FILE_NAME = ".sesguard.yml"

STARTER = """\
# sesguard configuration (https://github.com/sesguard/sesguard#configuration).
# The command line wins over this file; this file wins over the defaults.

# Accounts allowed to send as your identities, besides the deploying account.
trusted_accounts: []
#  - "111122223333"

# When set, the only organizations trusted in aws:PrincipalOrgID conditions.
trusted_orgs: []
#  - o-abcdef1234

# Lowest severity of an active finding that fails the run.
fail_on: low

# Rules to turn off, and severities to change.
disable: []
#  - SES103
severity: {}
#  SES102: critical

# Paths not to scan, gitignore-style globs relative to the scan root.
exclude: []
#  - legacy/**

# Terraform variable files per root module directory (relative to this file; inside the repository).
var_files: {}
#  envs/prod: [prod.tfvars]

# CloudFormation parameter values per directory (relative to this file).
cfn_parameters: {}
#  stacks/prod: {Stage: prod}

# Consumer mailbox domains to add to the built-in list (rule SES201).
personal_mailbox_domains: []

# Email authentication checks (SES210-SES250): static judges the declared DNS
# records, live also asks public DNS, off skips them.
dns: static

# Limits on what one file may cost: the largest file read, the deepest nesting,
# the seconds one file's parse (or one root module's evaluation) may take.
# max_file_size: 10M
# max_depth: 200
# max_file_seconds: 10

# Reuse parse results between runs (in ~/.cache/sesguard; false: parse everything).
# cache: true
"""


class ConfigError(Exception):
    """An invalid configuration file: a usage error (exit status 2)."""


@dataclass
class Config:
    path: str = ""
    trusted_accounts: tuple = ()
    trusted_orgs: tuple = ()
    fail_on: str = ""
    disable: tuple = ()
    severity: dict = field(default_factory=dict)
    exclude: tuple = ()
    var_files: dict = field(default_factory=dict)  # directory -> [files]
    cfn_parameters: dict = field(default_factory=dict)  # directory -> {name: value}
    personal_mailbox_domains: tuple = ()
    dns: str = ""  # "off", "static" or "live"
    max_file_size: int = 0  # 0: the default
    max_depth: int = 0  # 0: the default
    max_file_seconds: int = 0  # 0: the default
    cache: bool = True


_RULE_ID = re.compile(r"SES\d{3}")
MAX_CONFIG_SIZE = 1024 * 1024  # a configuration file is a few hundred bytes
MAX_CONFIG_DEPTH = 10  # the deepest the format nests is 3 (cfn_parameters)
_INT_TAG = "tag:yaml.org,2002:int"
_STR_TAGS = ("tag:yaml.org,2002:str", _INT_TAG)


class _Reader:
    """Validates the composed YAML of one configuration file."""

    def __init__(self, path: str, rule_ids=None):
        self.path = os.path.relpath(path)
        self.rule_ids = rule_ids  # the known rule ids, or None: not checked

    def key(self, node, where: str) -> str:
        if node.tag != "tag:yaml.org,2002:str":
            raise self.error(node, f"{where}: keys must be plain strings")
        return node.value

    def scalar(self, node, where: str) -> str:
        if node.tag not in _SCALAR_TAGS:
            raise self.error(node, f"{where}: values must be strings, numbers or booleans")
        return node.value

    def rule_id(self, node, where: str) -> str:
        if node.tag not in _STR_TAGS or not _RULE_ID.fullmatch(node.value):
            raise self.error(node, f"{where}: {node.value!r} is not a rule id (SES101...)")
        if self.rule_ids is not None and node.value not in self.rule_ids:
            raise self.error(node, f"{where}: no rule {node.value}; `sesguard rules` lists them")
        return node.value

    def error(self, node, message: str) -> ConfigError:
        return ConfigError(f"{self.path}:{node.start_mark.line + 1}: {message}")

    def mapping(self, node, key):
        if node.tag != "tag:yaml.org,2002:map":
            raise self.error(node, f"{key} must be a mapping")
        return node.value

    def strings(self, node, key, pattern=None, what="a string"):
        if node.tag != "tag:yaml.org,2002:seq":
            raise self.error(node, f"{key} must be a list")
        values = []
        for item in node.value:
            if item.tag not in _STR_TAGS:
                raise self.error(item, f"{key} entries must be strings")
            if pattern and not re.fullmatch(pattern, item.value):
                raise self.error(item, f"{key}: {item.value!r} is not {what}")
            values.append(item.value)
        return tuple(values)

    def severity_name(self, node, key):
        if node.tag not in _STR_TAGS or node.value not in SEVERITIES:
            raise self.error(node, f"{key}: {node.value!r} is not one of {', '.join(SEVERITIES)}")
        return node.value

    def positive(self, node, key, most: int):
        if (node.tag != _INT_TAG or not re.fullmatch(r"\d{1,9}", node.value) or int(node.value) < 1
                or int(node.value) > most):
            raise self.error(node, f"{key}: {str(node.value)[:20]!r} is not a whole number from 1 to {most}")
        return int(node.value)

    def boolean(self, node, key):
        if node.tag != "tag:yaml.org,2002:bool":
            raise self.error(node, f"{key} must be true or false")
        return node.value.lower() in ("true", "yes", "on")

    def size(self, node, key):
        if node.tag not in _STR_TAGS:
            raise self.error(node, f"{key} must be a size (512K, 10M)")
        try:
            return parse_size(node.value)
        except ValueError as exc:
            raise self.error(node, f"{key}: {exc}") from None

    def read(self, key: str, node):
        if key == "trusted_accounts":
            return self.strings(node, key, r"\d{12}", "a 12-digit account id")
        if key == "trusted_orgs":
            return self.strings(node, key, r"o-[a-z0-9]{10,32}", "an organization id")
        if key == "fail_on":
            return self.severity_name(node, key)
        if key == "dns":
            if node.tag == "tag:yaml.org,2002:bool" and node.value.lower() in ("off", "no", "false"):
                return "off"  # YAML 1.1 reads a bare off as false
            if node.tag not in _STR_TAGS or node.value not in DNS_MODES:
                raise self.error(node, f"{key}: {node.value!r} is not one of {', '.join(DNS_MODES)}")
            return node.value
        if key == "disable":
            if node.tag != "tag:yaml.org,2002:seq":
                raise self.error(node, f"{key} must be a list")
            return tuple(self.rule_id(item, key) for item in node.value)
        if key == "severity":
            return {self.rule_id(k, key): self.severity_name(v, key) for k, v in self.mapping(node, key)}
        if key == "var_files":
            return {self.key(k, key): list(self.strings(v, f"{key}.{k.value}")) for k, v in self.mapping(node, key)}
        if key == "max_file_size":
            return self.size(node, key)
        if key == "max_depth":
            return self.positive(node, key, MAX_DEPTH_LIMIT)
        if key == "max_file_seconds":
            return self.positive(node, key, MAX_FILE_SECONDS_LIMIT)
        if key == "cache":
            return self.boolean(node, key)
        if key == "cfn_parameters":
            where = f"{key}"
            return {self.key(k, where): {self.key(n, where): self.scalar(v2, where)
                                         for n, v2 in self.mapping(v, f"{key}.{k.value}")}
                    for k, v in self.mapping(node, key)}
        return self.strings(node, key)  # exclude, personal_mailbox_domains


_SCALAR_TAGS = _STR_TAGS + ("tag:yaml.org,2002:bool", "tag:yaml.org,2002:float")


def _too_deep(root, limit: int):
    """The first node nested deeper than ``limit``, or None (iterative: a hostile file must not recurse)."""
    stack = [(root, 1)]
    while stack:
        node, depth = stack.pop()
        if depth > limit:
            return node
        if isinstance(node.value, list):
            for item in node.value:
                stack.extend((part, depth + 1) for part in (item if isinstance(item, tuple) else (item,)))
    return None


_KEYS = ("trusted_accounts", "trusted_orgs", "fail_on", "disable", "severity", "exclude", "var_files",
         "cfn_parameters", "personal_mailbox_domains", "dns", "max_file_size", "max_depth",
         "max_file_seconds", "cache")
DNS_MODES = ("off", "static", "live")


def load_config(path: str, rule_ids=None) -> Config:
    """The validated file; ``rule_ids``, when given, are the ids ``disable`` and ``severity`` may name."""
    import yaml

    reader = _Reader(path, rule_ids)
    try:
        if os.path.getsize(path) > MAX_CONFIG_SIZE:
            raise ConfigError(f"{reader.path}: larger than {MAX_CONFIG_SIZE // 1024} KB; not a configuration file")
        with open(path, encoding="utf-8") as f:
            root = yaml.compose(f, Loader=yaml.SafeLoader)
    except OSError as exc:
        raise ConfigError(f"cannot read {path}: {exc.strerror}") from None
    except RecursionError:
        raise ConfigError(f"{reader.path}: nested too deeply to be a configuration file") from None
    except (yaml.YAMLError, UnicodeDecodeError) as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f":{mark.line + 1}" if mark else ""
        raise ConfigError(f"{reader.path}{where}: not valid YAML ({getattr(exc, 'problem', exc)})") from None
    config = Config(path=path)
    if root is None:
        return config
    deep = _too_deep(root, MAX_CONFIG_DEPTH)
    if deep is not None:
        raise reader.error(deep, f"nested deeper than {MAX_CONFIG_DEPTH} levels; not a configuration file")
    for key_node, value_node in reader.mapping(root, "the configuration"):
        key = reader.key(key_node, "the configuration")
        if key not in _KEYS:
            raise reader.error(key_node, f"unknown key {key!r} (known: {', '.join(sorted(_KEYS))})")
        if value_node.tag != "tag:yaml.org,2002:null":
            setattr(config, key, reader.read(key, value_node))
    return config


def find_config(root) -> str:
    """The first ``.sesguard.yml`` in the current directory and then each
    parent up to the repository ``root`` (the current directory only when it
    is outside the root, or without one), or ""."""
    directory = os.path.realpath(os.getcwd())
    while True:
        candidate = os.path.join(directory, FILE_NAME)
        if os.path.isfile(candidate):
            return os.path.relpath(candidate)
        parent = os.path.dirname(directory)
        if not root or directory == root or parent == directory or not directory.startswith(root + os.sep):
            return ""
        directory = parent

"""The configuration file: ``.sesguard.yml`` at the scan root, or ``--config FILE``.

Every key is validated: an unknown key or a wrong type is an error naming the
line (exit status 2), never silently ignored. The command line wins over the
file, and the file over the defaults.

The file can turn the parse cache off (``cache: false``) but not choose its
directory: the file comes with the scanned repository, and cache entries are
pickles, which run code when read (see ``analyzer.cache``).
"""

from __future__ import annotations

import os
import re
from dataclasses import dataclass, field

from analyzer.files import parse_size
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

# Terraform variable files per root module directory (relative to the scan root).
var_files: {}
#  envs/prod: [prod.tfvars]

# CloudFormation parameter values per directory (relative to the scan root).
cfn_parameters: {}
#  stacks/prod: {Stage: prod}

# Consumer mailbox domains to add to the built-in list (rule SES201).
personal_mailbox_domains: []

# Email authentication checks (SES210-SES250): static judges the declared DNS
# records, live also asks public DNS, off skips them.
dns: static

# Limits on what one file may cost: the largest file read, the deepest nesting.
# max_file_size: 10M
# max_depth: 200

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
    cache: bool = True


_RULE_ID = re.compile(r"SES\d{3}")
_INT_TAG = "tag:yaml.org,2002:int"
_STR_TAGS = ("tag:yaml.org,2002:str", _INT_TAG)


class _Reader:
    """Validates the composed YAML of one configuration file."""

    def __init__(self, path: str):
        self.path = os.path.relpath(path)

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

    def positive(self, node, key):
        if node.tag != _INT_TAG or not re.fullmatch(r"\d+", node.value) or int(node.value) < 1:
            raise self.error(node, f"{key}: {node.value!r} is not a positive whole number")
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
            return self.strings(node, key, _RULE_ID.pattern, "a rule id (SES101...)")
        if key == "severity":
            result = {}
            for k, v in self.mapping(node, key):
                if not _RULE_ID.fullmatch(str(k.value)):
                    raise self.error(k, f"{key}: {k.value!r} is not a rule id")
                result[k.value] = self.severity_name(v, key)
            return result
        if key == "var_files":
            return {k.value: list(self.strings(v, f"{key}.{k.value}")) for k, v in self.mapping(node, key)}
        if key == "max_file_size":
            return self.size(node, key)
        if key == "max_depth":
            return self.positive(node, key)
        if key == "cache":
            return self.boolean(node, key)
        if key == "cfn_parameters":
            return {k.value: {n.value: str(v2.value) for n, v2 in self.mapping(v, f"{key}.{k.value}")}
                    for k, v in self.mapping(node, key)}
        return self.strings(node, key)  # exclude, personal_mailbox_domains


_KEYS = ("trusted_accounts", "trusted_orgs", "fail_on", "disable", "severity", "exclude", "var_files",
         "cfn_parameters", "personal_mailbox_domains", "dns", "max_file_size", "max_depth", "cache")
DNS_MODES = ("off", "static", "live")


def load_config(path: str) -> Config:
    import yaml

    reader = _Reader(path)
    try:
        with open(path, encoding="utf-8") as f:
            root = yaml.compose(f, Loader=yaml.SafeLoader)
    except OSError as exc:
        raise ConfigError(f"cannot read {path}: {exc.strerror}") from None
    except (yaml.YAMLError, UnicodeDecodeError) as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f":{mark.line + 1}" if mark else ""
        raise ConfigError(f"{reader.path}{where}: not valid YAML ({getattr(exc, 'problem', exc)})") from None
    config = Config(path=path)
    if root is None:
        return config
    for key_node, value_node in reader.mapping(root, "the configuration"):
        key = key_node.value
        if key not in _KEYS:
            raise reader.error(key_node, f"unknown key {key!r} (known: {', '.join(sorted(_KEYS))})")
        if value_node.tag != "tag:yaml.org,2002:null":
            setattr(config, key, reader.read(key, value_node))
    return config


def find_config(paths: list) -> str:
    """The ``.sesguard.yml`` of the first scanned directory, if any."""
    for path in paths:
        directory = path if os.path.isdir(path) else os.path.dirname(path) or "."
        candidate = os.path.join(directory, FILE_NAME)
        if os.path.isfile(candidate):
            return candidate
    return ""

"""Coverage-guided fuzzing of every input family, the whole pipeline per input (#18).

    python bench/fuzz.py --target hcl --seconds 60
    python bench/fuzz.py --all --seconds 30
    python bench/fuzz.py --list

Each target turns one fuzzer input into files of one input family in a fresh
directory, next to a canary module whose open identity policy must always
still be reported (SES101), and runs what ``sesguard scan`` runs in process:
discover, load, model, rules, then every reporter. An input fails when:

- an exception escapes the scan or a reporter, or a report is not UTF-8;
- a finding is SES002 (an internal error), has no file, or has no line;
- the JSON or SARIF report is not valid JSON, or the canary is lost;
- a file outside the scanned directory is opened (an ``open`` audit hook; the
  Python installation and this checkout are where imports come from), or a
  socket is made or used;
- it runs past 5 s (``--timeout``) or the process past 1 GB (libFuzzer's -timeout and -rss_limit_mb).

The engine is atheris (libFuzzer for Python), in one child process per
target (libFuzzer ends its process when done). Seeds come from ``fixtures/``
and ``../shared/corpus`` (the files of the target's family), dictionaries
from the tokens of each family; new inputs the fuzzer finds are kept in
``--workdir`` (default ``bench/.fuzz``) and seed the next run. A failing
input is written there as ``crash-*`` / ``timeout-*`` / ``oom-*``; rerun it
with ``python bench/fuzz.py --target NAME --reproduce FILE``.

Prints ``N executions, coverage C, F failures`` per target and in total
(coverage: libFuzzer's count of covered edges of the instrumented analyzer
and checks code, so it is comparable between runs of one target only).
"""

from __future__ import annotations

import argparse
import os
import re
import shutil
import subprocess
import sys
import tempfile
import time

REPO = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
FIXTURES = os.path.join(REPO, "fixtures")
CORPUS = os.path.normpath(os.path.join(REPO, "..", "shared", "corpus"))
CANARY = os.path.join(FIXTURES, "SES101", "heredoc", "main.tf")
SEPARATOR = b"\n#--sesguard-fuzz-file--\n"  # splits one input into several files (a module of several .tf)
MAX_LEN = 64 * 1024
MAX_SEEDS = 300  # libFuzzer runs every seed before --seconds counts: 300 of about 30 ms each
SECONDS_PER_INPUT = 5
RSS_LIMIT_MB = 1024

OCTODNS_CONFIG = """providers:
  config:
    class: octodns.provider.yaml.YamlProvider
    directory: ./config
zones:
  example.net.:
    sources: [config]
    targets: [config]
"""

# target -> (file names the input's parts are written to, seed file name pattern, dictionary tokens)
TARGETS = {
    "hcl": (("main.tf", "other.tf", "mail/main.tf"), r"\.tf$",
            ['resource "', 'data "', 'module "', 'variable "', 'locals {', 'output "', "${", "%{", "<<EOT\n",
             "<<-EOT\n", "EOT", "count", "for_each", "each.key", "count.index", "var.", "local.", "module.",
             "path.module", "jsonencode(", "file(", "templatefile(", "format(", "regex(", "replace(", "lookup(",
             "element(", "range(", "setproduct(", "try(", "[for ", "{for ", " : ", "=>", "[*]", "...", "? ",
             "aws_ses_domain_identity", "aws_ses_email_identity", "aws_ses_identity_policy",
             "aws_sesv2_email_identity", "aws_iam_policy_document", '"Principal"', '"*"', "ses:SendEmail",
             'source = "./mail"', "dynamic", "content {", "null", "true", "1e309", "\\u0000"]),
    "hcl_grammar": (("main.tf", "other.tf", "mail/main.tf"), r"\.tf$", ["\x00", "\x01", "\x07", "\xff"]),
    "tf_json": (("main.tf.json", "other.tf.json"), r"\.tf\.json$",
                ['"resource"', '"module"', '"variable"', '"locals"', '"count"', '"for_each"', '"${var.', "${",
                 '"aws_ses_domain_identity"', '"aws_ses_identity_policy"', '"policy"', "\\ud83d\\ude00", "1e309",
                 '"source"']),
    "tfvars": (("terraform.tfvars", "extra.auto.tfvars.json"), r"\.tfvars(\.json)?$",
               ['= "', "= [", "= {", "<<EOT\n", "EOT", "${", "null", "true", "domain", "policy"]),
    "plan": (("plan.json",), r"plan.*\.json$",
             ['"format_version"', '"planned_values"', '"root_module"', '"resources"', '"child_modules"',
              '"resource_changes"', '"after_unknown"', '"configuration"', '"address"', '"values"',
              '"aws_ses_identity_policy"', '"module_calls"']),
    "cfn_yaml": (("template.yaml", "nested.yaml"), r"\.ya?ml$",
                 ["AWSTemplateFormatVersion", "Resources:", "Parameters:", "Conditions:", "Mappings:",
                  "Transform: AWS::LanguageExtensions", "!Ref ", "!Sub ", "!GetAtt ", "!Join ", "!Select ",
                  "!If ", "!Equals ", "!FindInMap ", "!ToJsonString ", "!Base64 ", "!Split ", "AWS::NoValue",
                  "AWS::AccountId", "AWS::SES::EmailIdentity", "AWS::SES::ConfigurationSet", "PolicyDocument",
                  "!!int ", "!!bool ", "!!str ", "<<: *", "&a ", "*a", "---\n"]),
    "cfn_json": (("template.json",), r"template.*\.json$|\.template$",
                 ['"AWSTemplateFormatVersion"', '"Resources"', '"Fn::Sub"', '"Fn::If"', '"Ref"', '"Fn::Select"',
                  '"Fn::ToJsonString"', '"AWS::NoValue"', '"AWS::SES::EmailIdentity"', "\\ud800"]),
    "zone": (("db.example.net",), r"(^db\.|\.zone$)",
             ["$ORIGIN ", "$TTL ", "$INCLUDE ", " IN ", " TXT ", " MX ", " CNAME ", " SOA ", '"v=spf1 ',
              " include:", " -all", " +all", '"v=DMARC1; p=', "_dmarc", "._domainkey", "(", ")", "@"]),
    "octodns": (("config/example.net.yaml",), r"\.ya?ml$",
                ["type: TXT", "type: MX", "type: CNAME", "value:", "values:", "v=spf1 include:amazonses.com -all",
                 "+all", "v=DMARC1\\; p=none", "_dmarc:", "<<: *", "&a ", "*a", "octodns:", "ttl:"]),
    "terragrunt": (("unit/terragrunt.hcl", "terragrunt.hcl"), r"terragrunt\.hcl$",
                   ["include {", "include \"root\" {", "path = find_in_parent_folders()", "read_terragrunt_config(",
                    "terraform {", 'source = "../modules/ses"', "inputs = {", "locals {", "local.", "dependency \"",
                    "mock_outputs = {", "dependency.", 'merge_strategy = "deep"', "expose = true",
                    "path_relative_to_include()", "get_terragrunt_dir()", 'get_env("', "${", "domain", "policy",
                    "principals", '["*"]']),
}
# What each target's input is read with: the module the variable files feed, the identity the DNS is about.
VARIABLES_MODULE = """variable "domain" {}
variable "policy" {}
variable "principals" {
  type    = list(string)
  default = ["*"]
}
resource "aws_ses_domain_identity" "d" {
  domain = var.domain
}
resource "aws_ses_identity_policy" "p" {
  identity = aws_ses_domain_identity.d.arn
  name     = "p"
  policy   = var.policy
}
"""
DNS_MODULE = 'resource "aws_ses_domain_identity" "d" {\n  domain = "example.net"\n}\n'
class _Choices:
    """Decisions read from the fuzzer's bytes (0 once they run out), so that
    a mutation of the input is a small change of the program it builds."""

    def __init__(self, data: bytes):
        self.data, self.pos = data, 0

    def pick(self, options):
        byte = self.data[self.pos] if self.pos < len(self.data) else 0
        self.pos += 1
        return options[byte % len(options)]

    def number(self, limit: int) -> int:
        return self.pick(range(limit))


_FUNCTIONS = ("length", "lower", "upper", "join", "split", "format", "element", "lookup", "merge", "concat",
              "flatten", "distinct", "keys", "values", "toset", "tolist", "tomap", "jsonencode", "jsondecode",
              "replace", "regex", "regexall", "substr", "trimspace", "coalesce", "try", "can", "range",
              "setproduct", "zipmap", "contains", "startswith", "base64encode", "tostring", "tonumber", "min")
_NAMES = ("var.domain", "var.principals", "var.n", "local.a", "local.b", "each.key", "each.value",
          "count.index", "aws_ses_domain_identity.d.arn", "aws_ses_domain_identity.d.domain", "module.mail.arn",
          "path.module")
_LITERALS = ('"example.com"', '"*"', '"ses:SendEmail"', '"ses:*"', '"Allow"', '"Deny"', '"111122223333"',
             "0", "1", "3", "-1", "1e309", "true", "false", "null", '""', '"%999s"', '"a{1000}"', "[]", "{}")


def _expression(c: _Choices, depth: int = 0) -> str:
    kind = c.number(11) if depth < 4 else 0
    if kind <= 2:
        return c.pick(_LITERALS) if kind else c.pick(_NAMES)
    if kind == 3:
        args = ", ".join(_expression(c, depth + 1) for _ in range(c.number(4)))
        return f"{c.pick(_FUNCTIONS)}({args})"
    if kind == 4:
        return "[" + ", ".join(_expression(c, depth + 1) for _ in range(c.number(4))) + "]"
    if kind == 5:
        items = ", ".join(f"{c.pick(('Effect', 'Action', 'Principal', 'Resource', 'k'))} = {_expression(c, depth + 1)}"
                          for _ in range(c.number(4)))
        return "{" + items + "}"
    if kind == 6:
        return f"[for x in {_expression(c, depth + 1)} : {_expression(c, depth + 1)}]"
    if kind == 7:
        return f"{_expression(c, depth + 1)} ? {_expression(c, depth + 1)} : {_expression(c, depth + 1)}"
    if kind == 8:
        return f'"pre-${{{_expression(c, depth + 1)}}}-%{{ if {_expression(c, depth + 1)} }}y%{{ endif }}"'
    if kind == 9:
        return f"{_expression(c, depth + 1)}{c.pick(('[*].arn', '[0]', '.x', ''))}"
    return f"{_expression(c, depth + 1)} {c.pick(('+', '*', '/', '==', '&&', '%'))} {_expression(c, depth + 1)}"


def grammar_hcl(data: bytes) -> bytes:
    """Valid HCL built from the fuzzer's bytes: variables, locals, identities,
    policies (jsonencode and aws_iam_policy_document), count, for_each and a
    module call, so that inputs reach the evaluator and the rules."""
    c = _Choices(data)
    meta = lambda: c.pick(("", f"  count = {_expression(c)}\n", f"  for_each = {_expression(c)}\n"))  # noqa: E731
    parts = ['variable "domain" {\n  default = %s\n}\n' % _expression(c),
             'variable "principals" {\n  default = %s\n}\n' % _expression(c),
             'variable "n" {}\n',
             "locals {\n  a = %s\n  b = %s\n}\n" % (_expression(c), _expression(c)),
             'resource "aws_ses_domain_identity" "d" {\n%s  domain = %s\n}\n' % (meta(), _expression(c)),
             'resource "aws_ses_email_identity" "e" {\n%s  email = %s\n}\n' % (meta(), _expression(c)),
             'data "aws_iam_policy_document" "p" {\n  statement {\n    actions = %s\n'
             '    principals {\n      type = "AWS"\n      identifiers = %s\n    }\n    resources = %s\n  }\n}\n'
             % (_expression(c), _expression(c), _expression(c)),
             'resource "aws_ses_identity_policy" "p" {\n%s  identity = %s\n  name = "p"\n  policy = %s\n}\n'
             % (meta(), _expression(c), c.pick(("data.aws_iam_policy_document.p.json",
                                                 "jsonencode({Version = \"2012-10-17\", Statement = [%s]})"
                                                 % _expression(c))))]
    if c.number(2):
        parts.append('module "mail" {\n  source = "./mail"\n%s  domain = %s\n}\n' % (meta(), _expression(c)))
    return "".join(parts).encode("utf-8") + SEPARATOR + SEPARATOR + (
        'variable "domain" {}\nresource "aws_ses_domain_identity" "m" {\n  domain = var.domain\n}\n'
        'output "arn" {\n  value = aws_ses_domain_identity.m.arn\n}\n').encode("utf-8")


EXTRA_FILES = {"octodns": {"config/octodns.yaml": OCTODNS_CONFIG, "main.tf": DNS_MODULE},
               "zone": {"main.tf": DNS_MODULE}, "tfvars": {"main.tf": VARIABLES_MODULE},
               "terragrunt": {"modules/ses/main.tf": VARIABLES_MODULE}}
DNS = {"zone": "static", "octodns": "static"}
OPENS = ("open", "os.open")


def seeds(target: str) -> list:
    """The files of fixtures/ and the shared corpus a target starts from."""
    pattern = re.compile(TARGETS[target][1])
    found = []
    for top in (FIXTURES, CORPUS):
        for directory, _, names in os.walk(top):
            found.extend(os.path.join(directory, n) for n in sorted(names) if pattern.search(n))
    if target == "octodns":
        found = [f for f in found if "octodns" in f or os.path.basename(os.path.dirname(f)) == "config"]
    step = max(1, -(-len(found) // MAX_SEEDS))
    return found[::step]  # spread over fixtures and corpus alike


def dictionary(target: str) -> str:
    """libFuzzer's dictionary format: one quoted token a line, other bytes as \\xNN."""
    lines = []
    for token in TARGETS[target][2]:
        escaped = "".join(chr(b) if 32 <= b < 127 and b not in b'"\\' else f"\\x{b:02X}"
                          for b in token.encode("utf-8"))
        lines.append(f'"{escaped}"')
    return "\n".join(lines) + "\n"


class Failure(AssertionError):
    """An input the scan must survive did not."""


class Harness:
    """One target's per-input pipeline, its checks and its audit hook."""

    def __init__(self, target: str):
        from analyzer.engine import ScanOptions, scan
        from analyzer.files import Limits
        import analyzer.report as reports

        self.target = target
        self.names, _, _ = TARGETS[target]
        self.scan, self.options, self.limits = scan, ScanOptions, Limits()
        self.reporters = [__import__(f"analyzer.report.{m}", fromlist=["render"])
                          for m in ("text", "json_format", "sarif", "junit", "github", "markdown", "html",
                                    "codeclimate", "gitlab_sast")]
        self.reports = reports
        self.base = tempfile.mkdtemp(prefix=f"sesguard-fuzz-{target}-")
        self.allowed = tuple(os.path.realpath(p) + os.sep for p in
                             {sys.prefix, sys.base_prefix, sys.exec_prefix, REPO, os.path.dirname(os.__file__)})
        self.root = ""
        self.violations: list = []
        sys.addaudithook(self.audit)

    def audit(self, event: str, args) -> None:
        if not self.root:
            return
        if event.startswith("socket."):
            self.violations.append(f"{event} {args!r:.200}")
        elif event in OPENS and isinstance(args[0], (str, bytes)):
            path = os.path.realpath(os.fsdecode(args[0]))
            if not (path + os.sep).startswith(self.root + os.sep) and not path.startswith(self.allowed):
                self.violations.append(f"opened {path}")

    def write(self, data: bytes) -> str:
        root = tempfile.mkdtemp(dir=self.base)
        os.makedirs(os.path.join(root, "canary"))
        shutil.copy(CANARY, os.path.join(root, "canary", "main.tf"))
        case = os.path.join(root, "case")
        for name, part in zip(self.names, data.split(SEPARATOR)):
            path = os.path.join(case, name)
            os.makedirs(os.path.dirname(path), exist_ok=True)
            with open(path, "wb") as f:
                f.write(part)
        for name, text in EXTRA_FILES.get(self.target, {}).items():
            path = os.path.join(case, name)
            os.makedirs(os.path.dirname(path), exist_ok=True)
            with open(path, "w", encoding="utf-8") as f:
                f.write(text)
        return os.path.realpath(root)

    def run(self, data: bytes) -> None:
        import json

        if self.target == "hcl_grammar":
            data = grammar_hcl(data)
        root = self.write(data[:MAX_LEN])
        cwd = os.getcwd()
        os.chdir(root)
        self.root, self.violations = root, []
        try:
            report = self.scan(self.options(paths=["."], root=root, dns=DNS.get(self.target, "off"),
                                            limits=self.limits))
            outputs = {r.__name__.rsplit(".", 1)[1]: r.render(report) for r in self.reporters}
        finally:
            self.root = ""
            os.chdir(cwd)
            shutil.rmtree(root, ignore_errors=True)
        problems = list(self.violations)
        for name, text in outputs.items():
            try:
                text.encode("utf-8")
            except UnicodeEncodeError as exc:
                problems.append(f"the {name} report is not UTF-8: {exc}")
        for name in ("json_format", "sarif"):
            try:
                json.loads(outputs[name])
            except ValueError as exc:
                problems.append(f"the {name} report is not valid JSON: {exc}")
        for f in report.findings:
            where = f"{f.rule_id} {f.file}:{f.location.line if f.location else 0}: {f.message[:300]}"
            if f.rule_id == "SES002":
                problems.append(f"internal error: {where}")
            elif not f.file or not f.location or not f.location.line:
                problems.append(f"a finding without a file and line: {where}")
        if not any(f.rule_id == "SES101" and f.file == "canary/main.tf" for f in report.findings):
            problems.append("the canary's SES101 was lost")
        if problems:
            raise Failure("; ".join(problems))


def child(target: str, args: list) -> None:
    """Run atheris on one target in this process (libFuzzer exits it when done)."""
    import atheris

    with atheris.instrument_imports(include=["analyzer", "checks"]):
        import analyzer.engine  # noqa: F401  (instrumented: the edges counted as coverage)
        import analyzer.cli  # noqa: F401
        harness = Harness(target)
    atheris.Setup([sys.argv[0]] + args, harness.run)
    atheris.Fuzz()


def reproduce(target: str, path: str) -> int:
    with open(path, "rb") as f:
        data = f.read()
    started = time.monotonic()
    try:
        Harness(target).run(data)
    except Exception as exc:  # report what the fuzzer saw, as it saw it
        print(f"{path}: FAILS after {time.monotonic() - started:.1f} s: {type(exc).__name__}: {exc}")
        return 1
    print(f"{path}: passes in {time.monotonic() - started:.1f} s")
    return 0


_STATUS = re.compile(r"^#(\d+)\s+\w+\s+cov: (\d+)", re.M)
_DONE = re.compile(r"^Done (\d+) runs", re.M)
_ARTIFACT = re.compile(r"Test unit written to (\S+)")


def campaign(target: str, seconds: int, workdir: str, jobs_log, timeout: int = SECONDS_PER_INPUT) -> tuple:
    """Fuzz one target for ``seconds``: ``(executions, coverage, failures, artifacts)``."""
    corpus = os.path.join(workdir, "corpus", target)
    artifacts = os.path.join(workdir, "artifacts", target) + os.sep
    os.makedirs(corpus, exist_ok=True)
    os.makedirs(artifacts, exist_ok=True)
    seed_dir = os.path.join(workdir, "seeds", target)
    if not os.path.isdir(seed_dir):
        os.makedirs(seed_dir)
        for number, path in enumerate(seeds(target)):
            with open(path, "rb") as src, open(os.path.join(seed_dir, f"{number:05d}"), "wb") as dst:
                dst.write(src.read(MAX_LEN))
    dict_path = os.path.join(workdir, f"{target}.dict")
    with open(dict_path, "w", encoding="ascii") as f:
        f.write(dictionary(target))
    args = [f"-max_total_time={seconds}", f"-timeout={timeout}", f"-rss_limit_mb={RSS_LIMIT_MB}",
            f"-max_len={MAX_LEN}", f"-dict={dict_path}", f"-artifact_prefix={artifacts}",
            "-print_final_stats=1", corpus, seed_dir]
    command = [sys.executable, os.path.abspath(__file__), "--child", target, "--"] + args
    result = subprocess.run(command, cwd=REPO, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                            timeout=seconds * 3 + 600)
    output = result.stdout.decode("utf-8", "replace")
    jobs_log.write(f"== {target}\n{output}\n")
    statuses = _STATUS.findall(output)
    done = _DONE.findall(output)
    executions = int(done[-1]) if done else (int(statuses[-1][0]) if statuses else 0)
    coverage = max((int(c) for _, c in statuses), default=0)
    found = _ARTIFACT.findall(output)
    failures = len(found) or (0 if result.returncode == 0 else 1)
    return executions, coverage, failures, found, output if failures else ""


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--target", action="append", choices=sorted(TARGETS))
    parser.add_argument("--all", action="store_true", help="every target, one after the other")
    parser.add_argument("--seconds", type=int, default=30, help="per target (default 30)")
    parser.add_argument("--workdir", default=os.path.join(REPO, "bench", ".fuzz"))
    parser.add_argument("--timeout", type=int, default=SECONDS_PER_INPUT,
                        help=f"seconds an input may take (default {SECONDS_PER_INPUT}); libFuzzer counts wall-clock "
                             "time, so a run under nice on a busy machine needs more (reproduce each timeout: it "
                             "says how long the input takes alone)")
    parser.add_argument("--reproduce", metavar="FILE", help="run one input of --target and say what fails")
    parser.add_argument("--list", action="store_true")
    parser.add_argument("--child", help=argparse.SUPPRESS)
    args, rest = parser.parse_known_args(argv)
    if args.child:
        child(args.child, [a for a in rest if a != "--"])
        return 0
    if args.list:
        for name in sorted(TARGETS):
            print(f"{name}: {len(seeds(name))} seeds, files {', '.join(TARGETS[name][0])}")
        return 0
    targets = sorted(TARGETS) if args.all else args.target
    if not targets:
        parser.error("give --target NAME (repeatable) or --all")
    if args.reproduce:
        return reproduce(targets[0], args.reproduce)
    os.makedirs(args.workdir, exist_ok=True)
    total_runs = total_failures = 0
    with open(os.path.join(args.workdir, "last-run.log"), "w", encoding="utf-8") as log:
        for target in targets:
            runs, coverage, failures, found, output = campaign(target, args.seconds, args.workdir, log, args.timeout)
            total_runs += runs
            total_failures += failures
            print(f"{target}: {runs} executions, coverage {coverage}, {failures} failures", flush=True)
            for path in found:
                print(f"  failing input: {path} (python bench/fuzz.py --target {target} --reproduce {path})")
            if failures:
                tail = [line for line in output.splitlines() if "Failure" in line or "Error" in line][-5:]
                print("\n".join("  " + line[:400] for line in tail))
    print(f"total: {total_runs} executions, {total_failures} failures")
    return 1 if total_failures else 0


if __name__ == "__main__":
    sys.exit(main())

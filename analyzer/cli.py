"""The ``sesguard`` command line.

Heavy modules (the HCL parser, the engine) are imported inside the commands
so that ``sesguard --version`` and ``sesguard --help`` stay fast.
"""

from __future__ import annotations

import re
import sys
import time

import click

from analyzer import __version__

SEVERITY_CHOICES = ["critical", "high", "medium", "low", "info"]
EXIT_HELP = """Exit status: 0 when no active finding is at or above --fail-on; 1 when one is,
or when any input could not be analyzed (SES001) or a rule crashed (SES002);
2 for usage or configuration errors."""


def _account(ctx, param, values):
    for value in values:
        if not re.fullmatch(r"\d{12}", value):
            raise click.BadParameter(f"{value!r} is not a 12-digit AWS account id")
    return values


def _org(ctx, param, values):
    for value in values:
        if not re.fullmatch(r"o-[a-z0-9]{10,32}", value):
            raise click.BadParameter(f"{value!r} is not an AWS organization id (o-...)")
    return values


def _size(ctx, param, value):
    from analyzer.files import parse_size

    if value is None:
        return None
    try:
        return parse_size(value)
    except ValueError as exc:
        raise click.BadParameter(str(exc)) from None


def _var(ctx, param, values):
    pairs = []
    for value in values:
        name, sep, text = value.partition("=")
        if not sep or not re.fullmatch(r"[A-Za-z_][A-Za-z0-9_-]*", name):
            raise click.BadParameter(f"{value!r} is not NAME=VALUE")
        pairs.append((name, text))
    return pairs


@click.group(epilog=EXIT_HELP)
@click.version_option(__version__, prog_name="sesguard", message="%(prog)s %(version)s")
def main():
    """Find exposed and misconfigured Amazon SES identities in infrastructure code."""


FORMATS = ("text", "json", "sarif", "junit", "github")
_RENDERERS = {"text": "text", "json": "json_format", "sarif": "sarif", "junit": "junit", "github": "github"}


def _outputs(ctx, param, values):
    """``-o FORMAT:PATH`` (repeatable; ``-`` is standard output) or ``-o FILE`` for ``--format``."""
    specs = []
    for value in values:
        fmt, sep, path = value.partition(":")
        if sep and fmt in FORMATS:
            specs.append((fmt, path or "-"))
        else:
            specs.append((None, value))
    return specs


def _render(report, fmt: str, path: str, quiet: bool) -> str:
    import importlib

    module = importlib.import_module(f"analyzer.report.{_RENDERERS[fmt]}")
    if fmt == "text":
        return module.render(report, colour=path == "-" and sys.stdout.isatty(), quiet=quiet)
    return module.render(report)


@main.command(epilog=EXIT_HELP)
@click.argument("paths", nargs=-1, type=click.Path())
@click.option("--format", "fmt", type=click.Choice(FORMATS), default=None,
              help="Output format (default text).")
@click.option("--output", "-o", "outputs", multiple=True, callback=_outputs, metavar="[FORMAT:]PATH",
              help="Where to write: FILE for --format, or FORMAT:PATH, repeatable, with - for standard "
                   "output (-o sarif:results.sarif -o text:-).")
@click.option("--config", "config_path", type=click.Path(exists=True, dir_okay=False),
              help="The configuration file (default: .sesguard.yml in the first scanned directory).")
@click.option("--trusted-account", multiple=True, callback=_account, metavar="ID",
              help="An AWS account allowed to send as your identities (repeatable).")
@click.option("--trusted-org", multiple=True, callback=_org, metavar="ID",
              help="The only AWS organizations trusted in aws:PrincipalOrgID conditions (repeatable).")
@click.option("--var-file", multiple=True, type=click.Path(exists=True, dir_okay=False),
              help="A Terraform variable file for the root modules (repeatable, applied in order).")
@click.option("--var", "variables", multiple=True, callback=_var, metavar="NAME=VALUE",
              help="A Terraform variable for the root modules (repeatable; wins over files).")
@click.option("--cfn-parameter", "cfn_parameters", multiple=True, callback=_var, metavar="NAME=VALUE",
              help="A CloudFormation parameter value (repeatable; wins over --cfn-parameters).")
@click.option("--cfn-parameters", "cfn_parameters_file", type=click.Path(exists=True, dir_okay=False),
              help="A JSON file of CloudFormation parameter values (create-stack, deploy or CodePipeline form).")
@click.option("--fail-on", type=click.Choice(SEVERITY_CHOICES), default=None,
              help="Lowest severity of an active finding that makes the exit status 1 (default low).")
@click.option("--include-inactive", is_flag=True,
              help="Count findings on resources switched off (count = 0) towards the exit status.")
@click.option("--baseline", "baseline_path", type=click.Path(exists=True, dir_okay=False),
              help="Report only findings that are not in this baseline file.")
@click.option("--write-baseline", type=click.Path(dir_okay=False, writable=True),
              help="Record the current findings in FILE (then exit 0).")
@click.option("--exit-zero", is_flag=True, help="Exit 0 even with findings (report-only pipelines).")
@click.option("--no-suppress", is_flag=True, help="Ignore every suppression (audit mode).")
@click.option("--quiet", "-q", is_flag=True, help="Text output: only the lines of active findings; no progress.")
@click.option("--verbose", "-v", is_flag=True, help="Say on standard error what was scanned and how long it took.")
@click.option("--dns", "dns_mode", type=click.Choice(["off", "static", "live"]), default=None, envvar="SESGUARD_DNS",
              help="Email authentication checks: static (default) judges the DNS records the code declares; "
                   "live also asks public DNS; off skips them (SES210-SES250). Environment: SESGUARD_DNS.")
@click.option("--nameserver", "nameservers", multiple=True, metavar="IP[:PORT]",
              help="With --dns live: the nameserver to ask (repeatable; default: the system's resolvers).")
@click.option("--dns-timeout", type=click.FloatRange(min=0.1, max=60), default=None, metavar="SECONDS",
              help="With --dns live: seconds to wait for each answer (default 2).")
@click.option("--changed-only", is_flag=True,
              help="PATHS are changed files (as a pre-commit hook passes them): scan the current directory, so "
                   "modules are evaluated with their callers, and report only findings in the changed files' "
                   "modules and templates.")
@click.option("--max-file-size", callback=_size, metavar="SIZE",
              help="The largest file read, in bytes or with K, M, G (default 10M); a larger one is reported (SES001).")
@click.option("--max-depth", type=click.IntRange(min=1), metavar="N",
              help="The deepest nesting read in a file or expression (default 200); deeper is reported (SES001).")
@click.option("--no-cache", is_flag=True, help="Parse every file; neither read nor write the parse cache.")
@click.option("--cache-dir", type=click.Path(file_okay=False), metavar="DIR",
              help="The parse cache directory (default: $SESGUARD_CACHE_DIR, else $XDG_CACHE_HOME/sesguard, "
                   "else ~/.cache/sesguard).")
def scan(paths, fmt, outputs, config_path, trusted_account, trusted_org, var_file, variables, cfn_parameters,
         cfn_parameters_file, fail_on, include_inactive, baseline_path, write_baseline, exit_zero, no_suppress,
         quiet, verbose, dns_mode, nameservers, dns_timeout, changed_only, max_file_size, max_depth, no_cache,
         cache_dir):
    """Scan PATHS (files or directories; default: the current directory)."""
    _fewer_collections()
    from analyzer.cloudformation.parameters import ParametersError, read_parameters_file
    from analyzer.config import ConfigError, find_config, load_config
    from analyzer.engine import UsageError, exit_status
    from analyzer.engine import scan as run_scan
    from analyzer.engine import write_baseline as save_baseline
    from analyzer.progress import Progress
    from analyzer.terraform.loader import VariableFileError

    import os

    changed = tuple(os.path.realpath(p) for p in paths) if changed_only else ()
    if changed_only and not paths:
        click.echo("sesguard: no changed files given; nothing to report", err=True)
        sys.exit(0)
    paths = ["."] if changed_only else (list(paths) or ["."])
    if len(outputs) > 1 and any(f is None for f, _ in outputs):
        click.echo("sesguard: with several -o, each must be FORMAT:PATH", err=True)
        sys.exit(2)
    try:
        config_path = config_path or find_config(paths)
        config = load_config(config_path) if config_path else None
        parameters = read_parameters_file(cfn_parameters_file) if cfn_parameters_file else {}
        parameters.update(dict(cfn_parameters))
        options = _scan_options(paths, config, trusted_account, trusted_org, var_file, variables, parameters,
                                baseline_path)
        options.suppress = not no_suppress
        options.changed = changed
        _dns_options(options, config, dns_mode, nameservers, dns_timeout)
        options.limits = _limits(config, max_file_size, max_depth)
        options.cache = None if no_cache or (config and not config.cache) else _open_cache(cache_dir)
        progress = Progress() if not quiet and Progress.wanted() else None
        started = time.monotonic()
        try:
            report = run_scan(options, progress)
        finally:
            if progress:
                progress.done()
    except (UsageError, VariableFileError, ParametersError, ConfigError) as exc:
        click.echo(f"sesguard: {exc}", err=True)
        sys.exit(2)
    if verbose:
        click.echo(f"sesguard: {report.files} file(s) found, {report.files_parsed} parsed, {report.modules} module "
                   f"instance(s) evaluated, {len(report.not_analyzed)} module call(s) not analyzed, "
                   f"{len(report.rules)} rule(s) run, {report.baselined} finding(s) in the baseline; "
                   f"{time.monotonic() - started:.2f} s", err=True)
        for finding in report.findings:  # sesguard's own failures: the traceback to report upstream
            if "traceback" in finding.details:
                click.echo(f"sesguard: {finding.rule_id} {finding.text}\n{finding.details['traceback']}", err=True)
    if write_baseline:
        save_baseline(report, write_baseline)
        click.echo(f"sesguard: wrote {len(report.findings)} finding(s) to {write_baseline}", err=True)
        sys.exit(0)
    for out_format, path in [(f or fmt or "text", p) for f, p in outputs] or [(fmt or "text", "-")]:
        text = _render(report, out_format, path, quiet)
        if path == "-":
            click.echo(text, nl=False)
        else:
            with open(path, "w", encoding="utf-8") as f:
                f.write(text)
    threshold = fail_on or (config.fail_on if config and config.fail_on else "low")
    sys.exit(0 if exit_zero else exit_status(report, threshold, include_inactive))


def _dns_options(options, config, mode, nameservers, timeout) -> None:
    """``--dns``, ``--nameserver`` and ``--dns-timeout`` over the configuration file."""
    from analyzer.dns.live import parse_nameserver
    from analyzer.engine import UsageError

    options.dns = mode or (config.dns if config and config.dns else "static")
    if (nameservers or timeout) and options.dns != "live":
        raise UsageError("--nameserver and --dns-timeout only apply with --dns live")
    for server in nameservers:
        try:
            parse_nameserver(server)
        except ValueError as exc:
            raise UsageError(f"--nameserver: {exc}") from None
    options.nameservers = tuple(nameservers)
    options.dns_timeout = timeout or options.dns_timeout


def _fewer_collections() -> None:
    """A scan allocates hundreds of thousands of objects (parse trees, the
    model) that live until it ends. With Python's default threshold the
    cycle collector runs every 700 allocations and walks them again and
    again: measured on the SES-dense corpus (N=400), 15% of a scan that
    parses and 40% of a scan from the parse cache. Every 10,000
    allocations, peak memory stays the same."""
    import gc

    gc.set_threshold(10_000, *gc.get_threshold()[1:])


def _limits(config, max_file_size, max_depth):
    """The command line over the configuration file over the defaults."""
    from analyzer.files import Limits

    default = Limits()
    return Limits(max_file_size=max_file_size or (config and config.max_file_size) or default.max_file_size,
                  max_depth=max_depth or (config and config.max_depth) or default.max_depth)


def _open_cache(directory):
    """The parse cache, or None (with a warning) when its directory cannot be trusted or created."""
    from analyzer.cache import default_directory, open_cache

    cache, problem = open_cache(directory or default_directory())
    if problem:
        click.echo(f"sesguard: {problem}; scanning without the parse cache", err=True)
    return cache


def _scan_options(paths, config, trusted_account, trusted_org, var_file, variables, parameters, baseline_path):
    """The command line over the configuration file over the defaults."""
    import os

    from analyzer.config import Config
    from analyzer.discover import Excludes
    from analyzer.documents import DocumentOptions
    from analyzer.engine import ScanOptions, UsageError, read_baseline
    from analyzer.rules import mandatory_ids
    from analyzer.terraform.loader import Variables

    config = config or Config()
    base = os.path.dirname(os.path.realpath(config.path)) if config.path else os.getcwd()
    undisableable = sorted(mandatory_ids() & set(config.disable))
    if undisableable:
        raise UsageError(f"{config.path}: {', '.join(undisableable)} cannot be disabled: an input that was "
                         "not analyzed, or a rule that crashed, must never pass as clean")
    by_directory = {}
    for directory, files in config.var_files.items():
        real = os.path.realpath(os.path.join(base, directory))
        by_directory[real] = []
        for name in files:
            path = os.path.join(real, name)
            if not os.path.isfile(path):
                raise UsageError(f"{config.path}: var_files: {directory}/{name} does not exist")
            by_directory[real].append(path)
    return ScanOptions(
        paths=paths,
        trusted_accounts=tuple(trusted_account) or config.trusted_accounts,
        trusted_orgs=tuple(trusted_org) or config.trusted_orgs,
        variables=Variables(files=list(var_file), pairs=list(variables), by_directory=by_directory),
        documents=DocumentOptions(cfn_parameters=parameters, parameters_by_directory={
            os.path.realpath(os.path.join(base, d)): v for d, v in config.cfn_parameters.items()}),
        excludes=Excludes(config.exclude),
        disable=config.disable,
        severity=config.severity,
        personal_mailbox_domains=config.personal_mailbox_domains,
        baseline=read_baseline(baseline_path) if baseline_path else frozenset(),
    )


@main.command()
@click.option("--format", "fmt", type=click.Choice(["text", "json"]), default="text", show_default=True)
def rules(fmt):
    """List every rule with its id, name, severity and title."""
    import json

    from analyzer.rules import load_rules

    if fmt == "json":
        click.echo(json.dumps([{"id": r.id, "name": r.name, "severity": r.severity, "title": r.title,
                                "description": r.doc} for r in load_rules()], indent=2))
        return
    for rule in load_rules():
        click.echo(f"{rule.id}  {rule.name:<46} {rule.severity:<8}  {rule.title}")


@main.command()
@click.argument("path", default=".sesguard.yml", type=click.Path(dir_okay=False))
def init(path):
    """Write a commented starter configuration file (default .sesguard.yml)."""
    import os

    from analyzer.config import STARTER

    if os.path.exists(path):
        click.echo(f"sesguard: {path} exists; not overwritten", err=True)
        sys.exit(2)
    with open(path, "w", encoding="utf-8") as f:
        f.write(STARTER)
    click.echo(f"wrote {path}")


@main.command()
@click.argument("rule_id")
def explain(rule_id):
    """Print what a rule finds, why it matters, an example and the fix."""
    from analyzer.rules import load_rules

    rule = next((r for r in load_rules() if r.id.lower() == rule_id.lower() or r.name == rule_id), None)
    if rule is None:
        click.echo(f"sesguard: no rule {rule_id!r}; `sesguard rules` lists them", err=True)
        sys.exit(2)
    click.echo(f"{rule.id} {rule.name} ({rule.severity})\n{rule.title}\n\n{rule.doc}")


@main.command("checkov-checks-dir")
def checkov_checks_dir():
    """Print the directory of sesguard's checks for checkov's --external-checks-dir."""
    import os

    import analyzer

    click.echo(os.path.join(os.path.dirname(analyzer.__file__), "checkov_checks"))

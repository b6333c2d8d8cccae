"""The ``sesguard`` command line.

Heavy modules (the HCL parser, the engine) are imported inside the commands
so that ``sesguard --version`` and ``sesguard --help`` stay fast.
"""

from __future__ import annotations

import contextlib
import re
import sys
import time

import click

from analyzer import __version__
from analyzer.budget import MAX_FILE_SECONDS_LIMIT
from analyzer.files import MAX_DEPTH_LIMIT
from analyzer.memory import MAX_MEMORY_LIMIT_MB, MAX_MEMORY_MB
from analyzer.outputs import FORMATS

SEVERITY_CHOICES = ["critical", "high", "medium", "low", "info"]
# what a scan imports, by top-level module: the distribution of setup.cfg's install_requires that gives it
REQUIRED = {"hcl2": "python-hcl2", "lark": "lark (with python-hcl2)", "yaml": "PyYAML", "regex": "regex",
            "dns": "dnspython"}
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


class _Group(click.Group):
    """No traceback reaches a user: an error of sesguard's own outside the
    rules (which report theirs as SES002) is one line on standard error,
    with where it happened, and exit status 1, as an incomplete scan."""

    def invoke(self, ctx):
        try:
            return super().invoke(ctx)
        except (click.exceptions.ClickException, click.exceptions.Exit, click.exceptions.Abort, SystemExit,
                KeyboardInterrupt):
            raise
        except ModuleNotFoundError as exc:
            if (exc.name or "").split(".")[0] not in REQUIRED:
                raise
            lacking([exc.name.split(".")[0]], "the scan is incomplete")
        except MemoryError as exc:
            from analyzer.memory import ran_out

            click.echo(f"sesguard: the scan {ran_out(exc)} outside any one input; the scan is incomplete", err=True)
            sys.exit(1)
        except Exception as exc:
            import traceback

            frame = traceback.extract_tb(exc.__traceback__)[-1]
            click.echo(f"sesguard: internal error: {type(exc).__name__}: {exc} (at {frame.filename}:{frame.lineno}); "
                       "the scan is incomplete: please report it with the command line", err=True)
            sys.exit(1)


def require(*modules: str) -> None:
    """Exit 2, before anything is read, when this Python lacks a module a scan needs (``REQUIRED``):
    ``python3 -m analyzer`` from a source checkout runs whatever the interpreter has installed."""
    import importlib.util

    missing = [m for m in modules if importlib.util.find_spec(m) is None]
    if missing:
        lacking(missing, "nothing was scanned")


def lacking(modules: list, outcome: str) -> None:
    click.echo(f"sesguard: this Python ({sys.executable}) lacks {', '.join(REQUIRED[m] for m in modules)}, which "
               "sesguard needs: install sesguard with its dependencies (pip install . in its source directory) and "
               f"run the sesguard command it installs, or that environment's python -m analyzer; {outcome}",
               err=True)
    sys.exit(2)


def run() -> None:
    """The console entry (``sesguard``, ``python -m analyzer``): the command,
    then its output flushed and the process ended without freeing the heap.
    Freeing a scan's parse trees and model one object at a time at exit took
    about a sixth of a cold scan's time (SES-dense corpus, N=200) and gives
    nothing back: the process ends. Nothing of sesguard's runs at exit
    (no ``atexit`` handler, every output file is closed when written)."""
    import os

    try:
        main()
        code = 0
    except SystemExit as exit:
        code = exit.code
    if not isinstance(code, int):
        if code is not None:
            click.echo(code, err=True)
        code = 0 if code is None else 1
    for stream in (sys.stdout, sys.stderr):
        try:
            stream.flush()
        except (OSError, ValueError):  # a closed pipe (| head): what could be written was written
            code = code or 1
    os._exit(code)


@click.group(cls=_Group, epilog=EXIT_HELP)
@click.version_option(__version__, prog_name="sesguard", message="%(prog)s %(version)s")
def main():
    """Find exposed and misconfigured Amazon SES identities in infrastructure code."""


_RENDERERS = {"text": "text", "json": "json_format", "sarif": "sarif", "junit": "junit", "github": "github",
              "markdown": "markdown", "html": "html", "codeclimate": "codeclimate", "gitlab-sast": "gitlab_sast"}
_READ_BY_PEOPLE = ("markdown", "html")  # formats that show pass/fail and link to the code


def _render(report, fmt: str, quiet: bool, colour: bool, options) -> str:
    """``options``: ``fail_on``, ``include_inactive``, ``sarif_include_suppressed`` and ``link_base``."""
    import importlib

    module = importlib.import_module(f"analyzer.report.{_RENDERERS[fmt]}")
    if fmt == "text":
        return module.render(report, colour=colour, quiet=quiet)
    if fmt == "sarif":
        return module.render(report, include_suppressed=options["sarif_include_suppressed"])
    if fmt == "junit":
        return module.render(report, fail_on=options["fail_on"], include_inactive=options["include_inactive"])
    if fmt in _READ_BY_PEOPLE:
        return module.render(report, fail_on=options["fail_on"], include_inactive=options["include_inactive"],
                             link_base=options["link_base"])
    return module.render(report)


@main.command(epilog=EXIT_HELP)
@click.argument("paths", nargs=-1, type=click.Path())
@click.option("--format", "fmt", type=click.Choice(FORMATS), default=None,
              help="Output format (default text), written to standard output unless -o FILE names a file.")
@click.option("--output", "-o", "outputs", multiple=True, metavar="[FORMAT:]PATH",
              help="Where to write: FILE for --format, or FORMAT:PATH, repeatable, with - for standard "
                   "output (-o sarif:results.sarif -o text:-).")
@click.option("--root", "root_dir", type=click.Path(exists=True, file_okay=False), metavar="DIR",
              help="The repository root: the scan boundary, and the base of configuration lookup, baseline "
                   "paths and SARIF URIs (default: the nearest directory above the first path holding .git).")
@click.option("--config", "config_path", type=click.Path(exists=True, dir_okay=False),
              help="The configuration file (default: the first .sesguard.yml in the current directory, then "
                   "each parent up to the repository root).")
@click.option("--trusted-account", multiple=True, callback=_account, metavar="ID",
              help="An AWS account allowed to send as your identities (repeatable).")
@click.option("--trusted-org", multiple=True, callback=_org, metavar="ID",
              help="The only AWS organizations trusted in aws:PrincipalOrgID conditions (repeatable).")
@click.option("--var-file", multiple=True, type=click.Path(exists=True, dir_okay=False),
              help="A Terraform variable file (repeatable, applied in order): for the root module whose "
                   "directory holds it, else for every root module.")
@click.option("--var", "variables", multiple=True, callback=_var, metavar="NAME=VALUE",
              help="A Terraform variable for the root modules (repeatable; wins over files).")
@click.option("--workspace", metavar="NAME", default="",
              help="terraform.workspace for the root modules (default: $TF_WORKSPACE, else the name in each "
                   "root's .terraform/environment, else default).")
@click.option("--no-env-vars", is_flag=True,
              help="Read neither TF_VAR_name nor TF_WORKSPACE from the environment (reproducible CI runs).")
@click.option("--cfn-parameter", "cfn_parameters", multiple=True, callback=_var, metavar="NAME=VALUE",
              help="A CloudFormation parameter value (repeatable; wins over --cfn-parameters).")
@click.option("--cfn-parameters", "cfn_parameters_file", type=click.Path(exists=True, dir_okay=False),
              help="A JSON file of CloudFormation parameter values (create-stack, deploy or CodePipeline form).")
@click.option("--sam-config-env", default="default", show_default=True, metavar="ENV",
              help="The samconfig.toml environment whose parameter_overrides and region apply to the "
                   "templates next to it.")
@click.option("--fail-on", type=click.Choice(SEVERITY_CHOICES), default=None,
              help="Lowest severity of an active finding that makes the exit status 1 (default low).")
@click.option("--include-inactive", is_flag=True,
              help="Count findings on resources switched off (count = 0) towards the exit status.")
@click.option("--baseline", "baseline_path", type=click.Path(exists=True, dir_okay=False),
              help="Report only findings that are not in this baseline file.")
@click.option("--write-baseline", type=click.Path(dir_okay=False),
              help="Record the current findings in FILE (then exit 0); with --baseline, the old entries that "
                   "still match are kept.")
@click.option("--sarif-include-suppressed", is_flag=True,
              help="SARIF: also write suppressed findings (GitHub code scanning would show them as open alerts).")
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
@click.option("--changed-files", "changed_files", type=click.File("r", encoding="utf-8"), metavar="FILE",
              help="Scan PATHS as given and report only the findings that the files listed in FILE (paths "
                   "relative to the repository root, one per line or NUL-separated; - for standard input) "
                   "touch, as --changed-only judges them: a pull request's files.")
@click.option("--max-file-size", callback=_size, metavar="SIZE",
              help="The largest file read, in bytes or with K, M, G (default 10M); a larger one is reported (SES001).")
@click.option("--max-depth", type=click.IntRange(min=1, max=MAX_DEPTH_LIMIT), metavar="N",
              help="The deepest nesting read in a file or expression (default 200); deeper is reported (SES001).")
@click.option("--max-file-seconds", type=click.IntRange(min=1, max=MAX_FILE_SECONDS_LIMIT), metavar="N",
              help="The seconds one file's parse, or one root module's evaluation, may take (default 10); "
                   "a slower one is reported (SES001).")
@click.option("--max-memory", type=click.IntRange(min=0, max=MAX_MEMORY_LIMIT_MB), default=MAX_MEMORY_MB,
              metavar="MB", show_default=True,
              help="The memory the scan's process (and each worker) may use; a file or root module that needs "
                   "more is reported (SES001) and the scan goes on. 0: no limit. Only the command line sets it, "
                   "never the scanned repository's .sesguard.yml.")
@click.option("--no-cache", is_flag=True, help="Parse every file; neither read nor write the parse cache.")
@click.option("--link-base", metavar="URL", default="",
              help="Markdown and HTML reports: link file:line to URL/PATH#LLINE (e.g. a blob URL of the "
                   "commit) instead of the path relative to the current directory.")
@click.option("--jobs", "-j", type=click.IntRange(min=0, max=64), default=0, metavar="N",
              help="Worker processes evaluating Terraform root modules, when at least 16 need evaluating "
                   "(where the system can fork); 0 (the default): one per core, at most 4. The report is the "
                   "same for any N.")
@click.option("--cache-dir", type=click.Path(file_okay=False), metavar="DIR",
              help="The parse cache directory (default: $SESGUARD_CACHE_DIR, else $XDG_CACHE_HOME/sesguard, "
                   "else ~/.cache/sesguard).")
def scan(paths, fmt, outputs, root_dir, config_path, trusted_account, trusted_org, var_file, variables,
         workspace, no_env_vars, cfn_parameters, cfn_parameters_file, fail_on, include_inactive, baseline_path,
         write_baseline, sarif_include_suppressed, exit_zero, no_suppress, quiet, verbose, dns_mode, nameservers, dns_timeout,
         changed_only, changed_files, max_file_size, max_depth, max_file_seconds, max_memory, no_cache, cache_dir, link_base,
         sam_config_env, jobs):
    """Scan PATHS (files or directories; default: the current directory)."""
    require("hcl2", "lark", "yaml", "regex", *(("dns",) if dns_mode == "live" else ()))
    fewer_collections()
    from analyzer.baseline import BaselineError
    from analyzer.baseline import read as read_baseline
    from analyzer.baseline import unmatched_warning
    from analyzer.baseline import write as save_baseline
    from analyzer.cloudformation.parameters import ParametersError, read_parameters_file
    from analyzer.config import ConfigError, find_config, load_config
    from analyzer.counts import describe
    from analyzer.engine import UsageError, exit_status
    from analyzer.engine import scan as run_scan
    from analyzer.outputs import OutputError, check_writable, colour_wanted, plan, write
    from analyzer.progress import Progress
    from analyzer.repository import find_root
    from analyzer.rules import load_rules
    from analyzer.terraform.loader import VariableFileError

    import os

    if changed_only and changed_files:
        raise click.UsageError("--changed-only and --changed-files are two ways to say what changed: give one")
    changed = tuple(os.path.realpath(p) for p in paths) if changed_only else None
    if changed_only and not paths:
        click.echo("sesguard: no changed files given; nothing to report", err=True)
        sys.exit(0)
    given = list(paths)
    paths = ["."] if changed_only else (given or ["."])
    try:
        specs = plan(outputs, fmt)
        if write_baseline:
            check_writable(write_baseline, "--write-baseline")
        root = find_root(paths, root_dir)
        if changed_files:
            changed = _listed_changes(changed_files, root)
        config_path = config_path or find_config(root)
        config = load_config(config_path, {r.id for r in load_rules()}) if config_path else None
        if verbose:
            click.echo(f"sesguard: configuration: {config_path}" if config_path else
                       "sesguard: configuration: none (no --config, no .sesguard.yml from the current directory "
                       "up to the repository root)", err=True)
        parameters = read_parameters_file(cfn_parameters_file) if cfn_parameters_file else {}
        parameters.update(dict(cfn_parameters))
        options = _scan_options(paths, config, trusted_account, trusted_org, var_file, variables, parameters,
                                root)
        _terraform_environment(options.variables, workspace, no_env_vars)
        options.documents.sam_config_env = sam_config_env
        if cfn_parameters_file:  # an input of every template it gives values to (--changed-only)
            options.documents.parameter_files = (os.path.relpath(cfn_parameters_file),)
        options.baseline = read_baseline(baseline_path) if baseline_path else options.baseline
        options.suppress = not no_suppress
        options.changed = changed
        _dns_options(options, config, dns_mode, nameservers, dns_timeout)
        options.limits = _limits(config, max_file_size, max_depth, max_file_seconds)
        options.cache = None if no_cache or (config and not config.cache) else _open_cache(cache_dir)
        options.jobs = jobs
        if not quiet and not changed_only:
            _say_files_stand_for_modules(given)
        progress = Progress() if not quiet and Progress.wanted() else None
        started = time.monotonic()
        try:
            with _memory_limited(max_memory):
                report = run_scan(options, progress)
        finally:
            if progress:
                progress.done()
        if verbose:
            click.echo(f"sesguard: {describe(report)}; {report.modules} module instance(s) evaluated, "
                       f"{len(report.not_analyzed)} module call(s) not analyzed, {len(report.rules)} rule(s) run, "
                       f"{report.baselined} finding(s) in the baseline; {time.monotonic() - started:.2f} s",
                       err=True)
            for finding in report.findings:  # sesguard's own failures: the traceback to report upstream
                if "traceback" in finding.details:
                    click.echo(f"sesguard: {finding.rule_id} {finding.text}\n{finding.details['traceback']}", err=True)
            click.echo(f"sesguard: {len(report.skipped)} module(s) skipped by the pre-filter, never parsed"
                       + (":" if report.skipped else ""), err=True)
            for directory, why in report.skipped:
                click.echo(f"sesguard:   {os.path.relpath(directory)}: {why}", err=True)
            for path, tofu in report.replaced:
                click.echo(f"sesguard: {os.path.relpath(path)} not read: {os.path.basename(tofu)} replaces it, "
                           "as OpenTofu reads the .tofu file", err=True)
            _say_budget(options.limits)
        if report.files == 0 and not changed_only:
            click.echo(f"sesguard: warning: nothing was scanned: no Terraform, CloudFormation, plan or DNS zone "
                       f"file under {' '.join(paths)}", err=True)
        for path, directory in options.variables.scopes.items():
            if path not in options.variables.applied:
                click.echo(f"sesguard: warning: --var-file {path} belongs to {os.path.relpath(directory)}, which "
                           "was not evaluated as a root module (a module called by another, or without SES "
                           "resources); it was not used", err=True)
        warning = unmatched_warning(options.baseline, report.baseline_entries_used, root)
        if warning:
            click.echo(f"sesguard: warning: {warning}", err=True)
        if write_baseline:
            count = save_baseline(report.findings + report.in_baseline, root, write_baseline)
            click.echo(f"sesguard: wrote {count} finding(s) to {write_baseline}", err=True)
            sys.exit(0)
        threshold = fail_on or (config.fail_on if config and config.fail_on else "low")
        settings = {"fail_on": threshold, "include_inactive": include_inactive,
                    "sarif_include_suppressed": sarif_include_suppressed, "link_base": link_base}
        for out_format, path in specs:
            colour = out_format == "text" and path == "-" and colour_wanted(sys.stdout)
            text = _render(report, out_format, quiet, colour, settings)
            if path == "-":
                click.echo(text, nl=False, color=colour)
            else:
                write(path, text)
    except (UsageError, VariableFileError, ParametersError, ConfigError, OutputError, BaselineError) as exc:
        click.echo(f"sesguard: {exc}", err=True)
        sys.exit(2)
    sys.exit(0 if exit_zero else exit_status(report, threshold, include_inactive))


def _listed_changes(stream, root) -> tuple:
    """The real paths of the files ``--changed-files`` lists, relative to
    the repository root (the current directory without one): NUL-separated
    when the text holds a NUL, else one per line."""
    import os

    from analyzer.engine import UsageError

    try:
        text = stream.read()
    except (OSError, UnicodeDecodeError) as exc:
        raise UsageError(f"--changed-files {stream.name}: {exc}") from None
    names = text.split("\0") if "\0" in text else text.splitlines()
    base = root or os.getcwd()
    return tuple(os.path.realpath(os.path.join(base, name)) for name in names if name)


def _say_files_stand_for_modules(paths) -> None:
    """A Terraform file on the command line is read with its module: say so, once per module."""
    import os

    from analyzer.discover import is_terraform

    said = set()
    for path in paths:
        directory = os.path.dirname(path) or "."
        if os.path.isfile(path) and is_terraform(os.path.basename(path)) and directory not in said:
            said.add(directory)
            click.echo(f"sesguard: {path} stands for its module: every Terraform file in {directory}/ is read",
                       err=True)


def _terraform_environment(variables, workspace: str, no_env_vars: bool) -> None:
    """``--workspace`` over ``TF_WORKSPACE``, and the ``TF_VAR_`` variables;
    neither is read from the environment with ``--no-env-vars``."""
    import os

    from analyzer.terraform.workspace import environment_variables

    environ = {} if no_env_vars else os.environ
    variables.workspace = workspace or environ.get("TF_WORKSPACE", "")
    variables.environment = environment_variables(environ)


def _dns_options(options, config, mode, nameservers, timeout) -> None:
    """``--dns``, ``--nameserver`` and ``--dns-timeout`` over the configuration file."""
    from analyzer.engine import UsageError

    options.dns = mode or (config.dns if config and config.dns else "static")
    if (nameservers or timeout) and options.dns != "live":
        raise UsageError("--nameserver and --dns-timeout only apply with --dns live")
    if nameservers:
        from analyzer.dns.live import parse_nameserver  # dnspython: imported only for live DNS
    for server in nameservers:
        try:
            parse_nameserver(server)
        except ValueError as exc:
            raise UsageError(f"--nameserver: {exc}") from None
    options.nameservers = tuple(nameservers)
    options.dns_timeout = timeout or options.dns_timeout


def fewer_collections() -> None:
    """A scan allocates hundreds of thousands of objects (parse trees, the
    model) that live until it ends. With Python's default threshold the
    cycle collector runs every 700 allocations and walks them again and
    again: measured on the SES-dense corpus (N=400), 15% of a scan that
    parses and 40% of a scan from the parse cache. Every 10,000
    allocations, peak memory stays the same. (bench/compare.py calls it
    too, to measure a scan in process as the command runs it.)"""
    import gc

    gc.set_threshold(10_000, *gc.get_threshold()[1:])


def _limits(config, max_file_size, max_depth, max_file_seconds):
    """The command line over the configuration file over the defaults."""
    from analyzer.files import Limits

    default = Limits()
    return Limits(max_file_size=max_file_size or (config and config.max_file_size) or default.max_file_size,
                  max_depth=max_depth or (config and config.max_depth) or default.max_depth,
                  max_file_seconds=(max_file_seconds or (config and config.max_file_seconds)
                                    or default.max_file_seconds))


@contextlib.contextmanager
def _memory_limited(megabytes: int):
    """The body under --max-memory, or told why it is not kept: never pretend it is."""
    from analyzer.budget import not_enforced
    from analyzer.memory import limited

    with limited(megabytes) as why:
        per_input = not why and megabytes and not_enforced()
        if why:
            click.echo(f"sesguard: --max-memory {megabytes} is not enforced: {why}", err=True)
        elif per_input:
            click.echo(f"sesguard: --max-memory {megabytes} is kept only for the process as a whole (twice the "
                       f"limit), not for each input: {per_input}", err=True)
        yield


def _say_budget(limits) -> None:
    """That --max-file-seconds is not kept, when it cannot be: never pretend it is."""
    from analyzer.budget import not_enforced

    why = not_enforced()
    if why:
        click.echo(f"sesguard: --max-file-seconds {limits.max_file_seconds} is not enforced: {why}", err=True)


def _open_cache(directory):
    """The parse cache, or None (with a warning) when its directory cannot be trusted or created."""
    from analyzer.cache import default_directory, open_cache

    cache, problem = open_cache(directory or default_directory())
    if problem:
        click.echo(f"sesguard: {problem}; scanning without the parse cache", err=True)
    return cache


def _scan_options(paths, config, trusted_account, trusted_org, var_file, variables, parameters, root):
    """The command line over the configuration file over the defaults."""
    import os

    from analyzer.config import Config
    from analyzer.discover import Excludes
    from analyzer.documents import DocumentOptions
    from analyzer.engine import ScanOptions, UsageError
    from analyzer.repository import inside
    from analyzer.rules import mandatory_ids
    from analyzer.terraform.loader import Variables

    config = config or Config()
    base = os.path.dirname(os.path.realpath(config.path)) if config.path else os.getcwd()
    undisableable = sorted(mandatory_ids() & set(config.disable))
    if undisableable:
        raise UsageError(f"{config.path}: {', '.join(undisableable)} cannot be disabled: an input that was "
                         "not analyzed, or a rule that crashed, must never pass as clean")
    by_directory = {}
    boundary = root or base
    for directory, files in config.var_files.items():
        real = os.path.realpath(os.path.join(base, directory))
        by_directory[real] = []
        for name in files:
            path = os.path.join(real, name)
            if not inside(path, boundary):
                raise UsageError(f"{config.path}: var_files: {directory}/{name} is outside the repository "
                                 f"({os.path.relpath(boundary)}); a configuration file may only name files in it")
            if not os.path.isfile(path):
                raise UsageError(f"{config.path}: var_files: {directory}/{name} does not exist")
            by_directory[real].append(path)
    return ScanOptions(
        paths=paths,
        trusted_accounts=tuple(trusted_account) or config.trusted_accounts,
        trusted_orgs=tuple(trusted_org) or config.trusted_orgs,
        variables=Variables(files=list(var_file), pairs=list(variables), by_directory=by_directory,
                            scopes=_var_file_scopes(var_file, paths)),
        documents=DocumentOptions(cfn_parameters=parameters, parameters_by_directory={
            os.path.realpath(os.path.join(base, d)): v for d, v in config.cfn_parameters.items()}),
        excludes=Excludes(config.exclude),
        disable=config.disable,
        severity=config.severity,
        personal_mailbox_domains=config.personal_mailbox_domains,
        root=root or "",
    )


def _var_file_scopes(var_files, paths) -> dict:
    """The root module each ``--var-file`` belongs to: the nearest directory
    holding it that has Terraform files, when that directory is a scanned
    path or inside one. The others apply to every root module."""
    import os

    from analyzer.discover import is_terraform
    from analyzer.repository import inside

    scanned = [os.path.realpath(p if os.path.isdir(p) else os.path.dirname(p) or ".") for p in paths]
    scopes = {}
    for path in var_files:
        directory = os.path.dirname(os.path.realpath(path))
        while not any(is_terraform(name) for name in _names(directory)):
            parent = os.path.dirname(directory)
            if parent == directory or not any(inside(parent, s) for s in scanned):
                directory = ""
                break
            directory = parent
        if directory and any(inside(directory, s) for s in scanned):
            scopes[path] = directory
    return scopes


def _names(directory: str) -> list:
    import os

    try:
        return os.listdir(directory)
    except OSError:
        return []


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
@click.argument("path", default=".sesguard.yml", type=click.Path())
@click.option("--force", is_flag=True, help="Overwrite an existing file.")
def init(path, force):
    """Write a commented starter configuration file: PATH, or PATH/.sesguard.yml when PATH is a directory
    (default ./.sesguard.yml)."""
    import os

    from analyzer.config import FILE_NAME, STARTER
    from analyzer.outputs import OutputError, check_writable, write

    if os.path.isdir(path):
        path = os.path.join(path, FILE_NAME)
    try:
        if os.path.exists(path) and not force:
            raise OutputError(f"{path} exists; not overwritten (--force overwrites it)")
        check_writable(path, "init")
        write(path, STARTER)
    except OutputError as exc:
        click.echo(f"sesguard: {exc}", err=True)
        sys.exit(2)
    click.echo(f"wrote {path}")


@main.command()
@click.argument("rule_id")
def explain(rule_id):
    """Print what a rule finds, why it matters, an example and the fix."""
    from analyzer.ruledoc import plain
    from analyzer.rules import load_rules

    rule = next((r for r in load_rules() if r.id.lower() == rule_id.lower() or r.name == rule_id), None)
    if rule is None:
        click.echo(f"sesguard: no rule {rule_id!r}; `sesguard rules` lists them", err=True)
        sys.exit(2)
    click.echo(f"{rule.id} {rule.name} ({rule.severity})\n{rule.title}\n\n{plain(rule.doc)}", nl=False)
    if rule.fixes:  # the fix each finding gives, as it says it
        click.echo("\nFix, as its findings say it:\n" + "".join(f"  {fix}\n" for fix in rule.fix_templates()), nl=False)


@main.command("checkov-checks-dir")
def checkov_checks_dir():
    """Print the directory of sesguard's checks for checkov's --external-checks-dir."""
    import os

    import analyzer

    click.echo(os.path.join(os.path.dirname(analyzer.__file__), "checkov_checks"))


@main.command()
@click.argument("paths", nargs=-1, type=click.Path())
@click.option("--diff", "mode", flag_value="diff", default=True, help="Print the fixes as a unified diff (default).")
@click.option("--apply", "mode", flag_value="apply", help="Write the fixes into the files.")
@click.option("--rule", "only", multiple=True, metavar="ID", help="Fix only the findings of this rule (repeatable).")
@click.option("--config", "config_path", type=click.Path(exists=True, dir_okay=False),
              help="The configuration file (default: .sesguard.yml in the first scanned directory).")
@click.option("--trusted-account", multiple=True, callback=_account, metavar="ID",
              help="An AWS account the policy fixes name (repeatable; default: the deploying account).")
@click.option("--trusted-org", multiple=True, callback=_org, metavar="ID",
              help="An AWS organization the policy fixes name (repeatable).")
@click.option("--var-file", multiple=True, type=click.Path(exists=True, dir_okay=False),
              help="A Terraform variable file for the root modules (repeatable, applied in order).")
@click.option("--var", "variables", multiple=True, callback=_var, metavar="NAME=VALUE",
              help="A Terraform variable for the root modules (repeatable; wins over files).")
@click.option("--workspace", metavar="NAME", default="",
              help="terraform.workspace for the root modules, as for sesguard scan.")
@click.option("--no-env-vars", is_flag=True, help="Read neither TF_VAR_name nor TF_WORKSPACE from the environment.")
@click.option("--dmarc-rua", metavar="URI", default="",
              help="The aggregate-report address SES233's fix adds (mailto:dmarc@example.com); without it "
                   "SES233 is not fixed.")
def fix(paths, mode, only, config_path, trusted_account, trusted_org, var_file, variables, workspace, no_env_vars,
        dmarc_rua):
    """Fix what can be fixed in PATHS: SES101-SES103 policy conditions, and the literal edits of
    SES213, SES231, SES233, SES301 and SES304. Exit status with --diff: 1 when there is something
    to fix; 0 otherwise."""
    require("hcl2", "lark", "yaml", "regex")
    fewer_collections()
    from analyzer.config import ConfigError, find_config, load_config
    from analyzer.engine import UsageError
    from analyzer.engine import scan as run_scan
    from analyzer.fix import apply as fixes
    from analyzer.repository import find_root
    from analyzer.rules import load_rules
    from analyzer.terraform.loader import VariableFileError

    paths = list(paths) or ["."]
    try:
        root = find_root(paths, None)
        config_path = config_path or find_config(root)
        config = load_config(config_path, {r.id for r in load_rules()}) if config_path else None
        options = _scan_options(paths, config, trusted_account, trusted_org, var_file, variables, {}, root)
        _terraform_environment(options.variables, workspace, no_env_vars)
        options.dmarc_rua = dmarc_rua
        report = run_scan(options)
    except (UsageError, VariableFileError, ConfigError) as exc:
        click.echo(f"sesguard: {exc}", err=True)
        sys.exit(2)
    chosen = [f for f in report.findings if f.fix is not None and (not only or f.rule_id in only)]
    plan = fixes.plan(chosen, _reader())
    for finding in chosen:
        if finding.fix.refused:
            click.echo(f"{finding.file}:{finding.location.line}: {finding.rule_id} not fixed: {finding.fix.refused}",
                       err=True)
    for finding, reason in plan.skipped:
        click.echo(f"{finding.file}:{finding.location.line}: {finding.rule_id} not fixed: {reason}", err=True)
    if mode == "apply":
        fixes.write(plan)
        click.echo(f"sesguard: {len(plan.applied)} fix(es) applied to {len(plan.texts)} file(s)", err=True)
        sys.exit(0)
    text = fixes.diff(plan)
    click.echo(text, nl=False)
    sys.exit(1 if text else 0)


def _reader():
    """``read(file)``: a file's text for the fixes, read once."""
    from analyzer.fix import Settings, source

    settings = Settings()
    return lambda file: source(settings, file)

"""The ``sesguard`` command line.

Heavy modules (the HCL parser, the engine) are imported inside the commands
so that ``sesguard --version`` and ``sesguard --help`` stay fast.
"""

from __future__ import annotations

import re
import sys

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


@main.command(epilog=EXIT_HELP)
@click.argument("paths", nargs=-1, type=click.Path())
@click.option("--format", "fmt", type=click.Choice(["text", "json"]), default="text", show_default=True,
              help="Output format.")
@click.option("--output", "-o", type=click.Path(dir_okay=False, writable=True),
              help="Write the report to FILE instead of standard output.")
@click.option("--trusted-account", multiple=True, callback=_account, metavar="ID",
              help="An AWS account allowed to send as your identities (repeatable).")
@click.option("--trusted-org", multiple=True, callback=_org, metavar="ID",
              help="The only AWS organizations trusted in aws:PrincipalOrgID conditions (repeatable).")
@click.option("--var-file", multiple=True, type=click.Path(exists=True, dir_okay=False),
              help="A Terraform variable file for the root modules (repeatable, applied in order).")
@click.option("--var", "variables", multiple=True, callback=_var, metavar="NAME=VALUE",
              help="A Terraform variable for the root modules (repeatable; wins over files).")
@click.option("--fail-on", type=click.Choice(SEVERITY_CHOICES), default="low", show_default=True,
              help="Lowest severity of an active finding that makes the exit status 1.")
@click.option("--include-inactive", is_flag=True,
              help="Count findings on resources switched off (count = 0) towards the exit status.")
def scan(paths, fmt, output, trusted_account, trusted_org, var_file, variables, fail_on, include_inactive):
    """Scan PATHS (files or directories; default: the current directory)."""
    from analyzer.engine import ScanOptions, UsageError, exit_status
    from analyzer.engine import scan as run_scan
    from analyzer.terraform.loader import Variables, VariableFileError

    options = ScanOptions(paths=list(paths) or ["."], trusted_accounts=tuple(trusted_account),
                          trusted_orgs=tuple(trusted_org),
                          variables=Variables(files=list(var_file), pairs=list(variables)))
    try:
        report = run_scan(options)
    except (UsageError, VariableFileError) as exc:
        click.echo(f"sesguard: {exc}", err=True)
        sys.exit(2)
    if fmt == "json":
        from analyzer.report.json_format import render

        text = render(report)
    else:
        from analyzer.report.text import render

        colour = output is None and sys.stdout.isatty()
        text = render(report, colour=colour)
    if output:
        with open(output, "w", encoding="utf-8") as f:
            f.write(text)
    else:
        click.echo(text, nl=False)
    sys.exit(exit_status(report, fail_on, include_inactive))


@main.command()
def rules():
    """List every rule with its id, name, severity and title."""
    from analyzer.rules import load_rules

    for rule in load_rules():
        click.echo(f"{rule.id}  {rule.name:<42} {rule.severity:<8}  {rule.title}")

"""Fixes: the smallest edit of the scanned source that closes a finding,
in the syntax it is written in, or the reason none is offered.

A fix is computed after the rules ran, from the finding, the model
resource it is about and the text of the file; it never changes what a
rule found. ``attach`` sets ``finding.fix`` on every finding of a rule
that has a fixer: a ``Fix`` with edits, or one whose ``refused`` says why
it cannot be applied automatically.
"""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass(frozen=True)
class Edit:
    """Replace the text from (line, column) up to, not including,
    (end_line, end_column) with ``text``; 1-based. Equal ends insert."""

    file: str
    line: int
    column: int
    end_line: int
    end_column: int
    text: str


@dataclass
class Fix:
    description: str
    edits: tuple = ()
    refused: str = ""  # why no edit is offered; then ``edits`` is empty

    @property
    def applicable(self) -> bool:
        return bool(self.edits) and not self.refused


@dataclass
class Settings:
    """What decides a fix's values besides the finding."""

    trusted_accounts: tuple = ()
    trusted_orgs: tuple = ()
    dmarc_rua: str = ""  # the rua address SES233's fix adds (mailto:...), none by default
    sources: dict = field(default_factory=dict)  # file -> text, read once
    lines: dict = field(default_factory=dict)  # file -> its lines, with their ends
    grants: dict = field(default_factory=dict)  # (policy address, statement path) -> (policy, statement)


def refuse(description: str, reason: str) -> Fix:
    return Fix(description, (), reason)


def attach(findings: list, model, context, settings: Settings) -> list:
    """Set ``fix`` on each finding of a fixable rule; the SES002 findings
    of fixers that crashed (a bug in sesguard, never a missing fix)."""
    from analyzer.fix import literal, policy

    fixers = {**literal.FIXERS, **policy.FIXERS}
    resources = {}
    for kind in (model.configuration_sets, model.identities, model.dns_records, model.identity_policies):
        for resource in kind:
            resources.setdefault(resource.address, []).append(resource)
    crashes = []
    for finding in findings:
        fixer = fixers.get(finding.rule_id)
        if fixer is None or finding.suppressed:
            continue
        candidates = [r for r in resources.get(finding.resource, []) if r.context == finding.deployment]
        if finding.file.endswith(".json") and any(r.source_format == "plan" for r in candidates):
            finding.fix = refuse(f"fix {finding.rule_id}", "a plan is generated: fix the Terraform it came from")
            continue
        try:
            finding.fix = fixer(finding, candidates, model, context, settings)
        except Exception as exc:  # a crashed fixer is a finding, never a silent "no fix"
            crashes.append(_crash(context, finding, exc))
    return crashes


def _crash(context, finding, exc):
    import os
    import traceback

    from analyzer.model import Location

    frame = traceback.extract_tb(exc.__traceback__)[-1]
    return context.rule("SES002").finding(
        f"the fix of {finding.rule_id} at {finding.file}:{finding.location.line if finding.location else 0} "
        f"crashed with {type(exc).__name__}: {exc} (at {os.path.basename(frame.filename)}:{frame.lineno}); "
        "it is missing from this scan", Location("", 0, 0), resource=finding.rule_id,
        logical_path=f"fix/{finding.rule_id}/{type(exc).__name__}")


def lines_of(settings: Settings, file: str):
    """The lines of ``file`` with their line ends, split once; None when unreadable."""
    if file not in settings.lines:
        text = source(settings, file)
        settings.lines[file] = None if text is None else text.splitlines(keepends=True)
    return settings.lines[file]


def source(settings: Settings, file: str):
    """The text of ``file`` as scanned, or None when it cannot be read now."""
    if file not in settings.sources:
        try:
            with open(file, encoding="utf-8", newline="") as f:
                settings.sources[file] = f.read()
        except (OSError, UnicodeDecodeError):
            settings.sources[file] = None
    return settings.sources[file]

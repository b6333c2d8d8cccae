"""The Markdown report: parsed with markdown-it-py, its Mermaid blocks
rendered by the real mermaid library in headless Chromium, on real scans of
the fixtures and on hand-built findings (deployments, traces, the budget)."""

import os
import re
import shutil

from markdown_it import MarkdownIt
from click.testing import CliRunner

from analyzer.cli import main
from analyzer.engine import Report, ScanOptions, scan
from analyzer.findings import Finding, TraceStep
from analyzer.model import Location
from analyzer.report import markdown
from analyzer.report.markdown import LIMIT, MARKER
from analyzer.rules import load_rules
from analyzer.senders import PolicySenders, SenderGrant
from browser import render_comment, render_mermaid
from conftest import FIXTURES

RULES = load_rules()
BY_ID = {r.id: r for r in RULES}
DOCS = FIXTURES.parent / "docs"
PARSER = MarkdownIt("commonmark").enable("table")


def _scan(monkeypatch, case):
    monkeypatch.chdir(FIXTURES / case)
    return scan(ScanOptions(paths=["."]))


def _tokens(text):
    return PARSER.parse(text)


def _links(tokens):
    hrefs = []
    for token in tokens:
        for child in token.children or ():
            if child.type == "link_open":
                hrefs.append(child.attrs["href"])
    return hrefs


def _inline_text(tokens):
    return [t.content for t in tokens if t.type == "inline"]


def _blocks(text):
    return [t.content for t in _tokens(text) if t.type == "fence" and t.info == "mermaid"]


def _finding(rule_id, file="main.tf", line=3, **kwargs):
    rule = BY_ID[rule_id]
    return rule.finding(kwargs.pop("message", f"{rule_id} message"), Location(file, line, 1), **kwargs)


def _report(findings, senders=()):
    return Report(sorted(findings, key=Finding.sort_key), 4, 4, 1, [], RULES, senders=list(senders))


def test_examples_headline_graphs_findings_and_links(monkeypatch):
    report = _scan(monkeypatch, "examples")
    text = markdown.render(report, fail_on="low")
    tokens = _tokens(text)
    assert text.startswith(MARKER + "\n")
    inline = _inline_text(tokens)
    assert inline[1] == "❌ **fails** with `--fail-on low`: 6 finding(s) (1 critical, 1 medium, 2 low, 2 info)."
    headings = [tokens[i + 1].content for i, t in enumerate(tokens) if t.type == "heading_open"]
    assert headings == ["sesguard report", "Who can send", "Deployment `.`", "support@example.com",
                        "Deployment `modules/ses-domain`", "mail.example.com", "news.example.com",
                        "Findings", "🟣 Critical (1)", "🟠 Medium (1)"]
    blocks = _blocks(text)
    assert len(blocks) == 3
    support, mail, news = blocks
    assert '["anyone"]:::exposed' in news and "==>" in news and "linkStyle 0,1 stroke:#c62828" in news
    assert '["the owner account"]:::admitted' in mail and ":::exposed" not in mail and "linkStyle" not in mail
    assert "service pinpoint.amazonaws.com with no aws:SourceAccount" in support
    assert _links(tokens) == ["main.tf#L28", "modules/ses-domain/main.tf#L33", "modules/ses-domain/main.tf#L33",
                              "modules/ses-domain/main.tf#L25", "main.tf#L33",
                              "modules/ses-domain/main.tf#L10", "modules/ses-domain/main.tf#L10",
                              "modules/ses-domain/main.tf#L10", "modules/ses-domain/main.tf#L10"]
    html_blocks = [t.content.strip() for t in tokens if t.type == "html_block"]
    assert html_blocks == [MARKER, "<details><summary>🔵 Low (2)</summary>", "</details>",
                           "<details><summary>⚪ Info (2)</summary>", "</details>"]
    assert "Cut to stay under" not in text
    assert [c for c in inline if c.startswith("`sesguard fix`")] == [
        "`sesguard fix` applies: add a StringEquals aws:PrincipalAccount condition (the deploying account) to the "
        "statement",
        "`sesguard fix` applies: add a StringEquals aws:SourceAccount condition (the deploying account) to the "
        "statement"]


def test_passes_against_a_higher_threshold_and_link_base(monkeypatch):
    report = _scan(monkeypatch, "examples")
    text = markdown.render(report, fail_on="critical", link_base="https://github.com/o/r/blob/abc123/")
    inline = _inline_text(_tokens(text))
    assert inline[1] == "❌ **fails** with `--fail-on critical`: 6 finding(s) (1 critical, 1 medium, 2 low, 2 info)."
    assert _links(_tokens(text))[3] == "https://github.com/o/r/blob/abc123/modules/ses-domain/main.tf#L25"
    clean = markdown.render(_report([_finding("SES222", severity="low")]), fail_on="medium")
    assert _inline_text(_tokens(clean))[1] == "✅ **passes** with `--fail-on medium`: 1 finding(s) (1 low)."


def test_deployments_traces_conditional_and_fix():
    traced = _finding("SES102", file="modules/mail/main.tf", line=12, deployment="envs/prod",
                      trace=(TraceStep("envs/prod/terraform.tfvars", 2, 1, "terraform.tfvars"),
                             TraceStep("envs/prod/main.tf", 8, 3, "module argument senders"),
                             TraceStep("modules/mail/main.tf", 12, 5, "policy principal")),
                      conditional="exists only if var.enable is true")
    staging = _finding("SES102", file="modules/mail/main.tf", line=12, deployment="envs/staging")
    loose = _finding("SES102", file="other/ses.tf", line=4)
    text = markdown.render(_report([traced, staging, loose]))
    tokens = _tokens(text)
    inline = _inline_text(tokens)
    labels = [c for c in inline if c.startswith("**") and c.endswith("**") and "SES" not in c]
    assert labels == ["**envs/prod**", "**envs/staging**", "**other**"]
    item = next(c for c in inline if c.startswith("conditional:"))
    assert item == "conditional: exists only if var.enable is true"
    trace = next(c for c in inline if c.startswith("trace:"))
    assert trace == ("trace: envs/prod/terraform.tfvars:2 (terraform.tfvars) → envs/prod/main.tf:8 (module argument "
                     "senders) → modules/mail/main.tf:12 (policy principal)")
    fixes = [c for c in inline if c.startswith("fix:")]
    assert len(fixes) == 3 and "`--trusted-account" in fixes[0]


def test_hostile_text_stays_text():
    evil = _finding("SES101", message="<script>alert(1)</script> *bold* [x](javascript:alert(1)) `tick` | pipe",
                    resource='aws_ses_identity_policy.p["`x`"]')
    text = markdown.render(_report([evil]))
    tokens = _tokens(text)
    children = [c for t in tokens for c in (t.children or ())]
    assert not [c for c in children if c.type in ("html_inline", "em_open", "strong_open") and "script" in c.content]
    assert [c.attrs["href"] for c in children if c.type == "link_open"] == ["main.tf#L3"]
    words = "".join(c.content for c in children if c.type == "text")
    assert "<script>alert(1)</script> *bold* [x](javascript:alert(1)) `tick` | pipe" in words
    code = [c.content for c in children if c.type == "code_inline"]
    assert 'aws_ses_identity_policy.p["`x`"]' in code


def test_budget_collapses_then_cuts_and_says_what():
    findings = [_finding("SES101", line=i + 1, resource=f"r{i}") for i in range(40)]
    findings += [_finding("SES222", severity="low", line=i + 1, file="low.tf", resource=f"l{i}",
                          message="x" * 400) for i in range(400)]
    findings += [_finding("SES219", severity="info", line=i + 1, file="info.tf", resource=f"i{i}",
                          message="y" * 400) for i in range(100)]
    text = markdown.render(_report(findings))
    assert len(text) <= LIMIT
    tokens = _tokens(text)
    items = [c for c in _inline_text(tokens) if re.match(r"\*\*SES\d+\*\* ", c)]
    shown_low = text.count("**SES222**")
    assert text.count("**SES101**") == 40 and 0 < shown_low < 400 and text.count("**SES219**") == 0
    assert len(items) == 40 + shown_low
    note = next(c for c in _inline_text(tokens) if "Cut to stay under" in c)
    assert f"{400 - shown_low + 100} finding(s) not shown" in note
    assert text.count("<details>") == text.count("</details>") == 1  # the info section did not fit at all


def test_small_limit_keeps_markup_balanced():
    findings = [_finding("SES222", severity="low", line=i + 1, resource=f"l{i}") for i in range(50)]
    text = markdown.render(_report(findings), limit=3000)
    assert len(text) <= 3000
    assert text.count("<details>") == text.count("</details>") == 1
    assert "Cut to stay under GitHub's 3,000-character limit" in text


def _policy(identity, *grants, deployment=""):
    return PolicySenders(deployment, identity, "", "aws_ses_identity_policy.p", "main.tf", 3, True, tuple(grants))


def _grant(statement="statement 'S'", **kwargs):
    fields = dict(line=4, actions=("ses:SendEmail",), admitted="anyone", public=False, untrusted=(),
                  services_without_source=(), unknowns=(), conditions=(), denies=(), deny_conditions=(), notes=())
    fields.update(kwargs)
    return SenderGrant(statement=statement, **fields)


HOSTILE = [
    _policy('a"b<c>#1;`x`|[y]{z}&amp;', _grant(statement='statement \'"quoted" #1 [x] {y}\'', public=True)),
    _policy("org.example", _grant(admitted="organization o-abc", conditions=(
        'StringEquals aws:PrincipalOrgID: o-abc', 'ArnLike aws:PrincipalArn: arn:aws:iam::*:role/"x"'),
        denies=("a Deny statement 'D' turns away callers its condition excludes",),
        deny_conditions=("StringNotEquals aws:PrincipalOrgID: o-abc",)),
        _grant(statement="statement #2", untrusted=("account 111122223333", "account 444455556666"),
               actions=("ses:SendEmail", "ses:SendRawEmail", "ses:SendBulkEmail"))),
    _policy("undecided.example", _grant(admitted="var.senders", unknowns=("var.senders",))),
    _policy("empty.example"),
]


def test_every_flowchart_renders_in_mermaid(monkeypatch, tmp_path):
    blocks = []
    for case in ("examples", "SES101/negative_deny_outside_org", "SES101/deny_not_modelled",
                 "SES102/org_condition", "SES103/service_no_source", "SES101/network_condition_cfn_yaml"):
        if (FIXTURES / case).is_dir():
            blocks += _blocks(markdown.render(_scan(monkeypatch, case)))
    blocks += _blocks(markdown.render(_report([], senders=HOSTILE)))
    assert len(blocks) >= 10
    png = tmp_path / "mermaid.png"
    dom = render_mermaid(blocks + ["flowchart LR\n  a -->"], tmp_path, png)
    results = re.findall(r'data-result="(\w+)"', dom)
    errors = re.findall(r'data-result="error">([^<]*)', dom)
    assert results == ["ok"] * len(blocks) + ["error"], errors  # the last one proves a parse error is seen
    assert 'data-done="yes"' in dom
    assert dom.count("<svg") >= len(blocks)
    assert 'a"b&lt;c&gt;#1;`x`|[y]{z}&amp;amp;' in dom  # every character as written, none as markup
    if os.environ.get("SESGUARD_UPDATE_DOCS") == "1":
        shutil.copy(png, DOCS / "markdown-graphs.png")


def test_cli_markdown_with_link_base(monkeypatch, tmp_path):
    monkeypatch.chdir(FIXTURES / "examples")
    out = tmp_path / "report.md"
    result = CliRunner().invoke(main, ["scan", ".", "--no-cache", "--fail-on", "critical",
                                       "-o", f"markdown:{out}", "--link-base", "https://example.test/blob/x"])
    assert result.exit_code == 1, result.output
    text = out.read_text(encoding="utf-8")
    assert text.startswith(MARKER)
    assert "(https://example.test/blob/x/modules/ses-domain/main.tf#L25)" in text


def test_the_comment_as_github_shows_it(monkeypatch, tmp_path):
    """The whole report rendered (markdown-it-py for the Markdown, mermaid for the graphs) and photographed."""
    text = markdown.render(_scan(monkeypatch, "examples"), fail_on="high")
    body = PARSER.render(text)
    body = re.sub(r'<pre><code class="language-mermaid">(.*?)</code></pre>', r'<pre class="mermaid">\1</pre>', body,
                  flags=re.S)
    png = tmp_path / "comment.png"
    dom = render_comment(body, tmp_path, png)
    assert 'data-done="yes"' in dom
    assert dom.count('<pre class="mermaid"') == 3 and dom.count("<svg") >= 3
    assert "Syntax error" not in dom
    assert png.stat().st_size > 30_000
    if os.environ.get("SESGUARD_UPDATE_DOCS") == "1":
        shutil.copy(png, DOCS / "markdown-comment.png")

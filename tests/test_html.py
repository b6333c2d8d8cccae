"""The HTML report: self-contained, opened in headless Chromium (the DOM
after its script ran, a screenshot), on real scans and hand-built findings."""

import os
import re
import shutil
import struct
from html.parser import HTMLParser


from analyzer.engine import Report, ScanOptions, scan
from analyzer.findings import Finding, TraceStep
from analyzer.model import Location
from analyzer.report import html
from analyzer.rules import load_rules
from browser import dump_dom, screenshot
from conftest import FIXTURES

RULES = load_rules()
BY_ID = {r.id: r for r in RULES}
DOCS = FIXTURES.parent / "docs"


class _Tree(HTMLParser):
    """Elements as (tag, attrs, text inside), in document order."""

    VOID = {"meta", "br", "img", "input", "link", "hr"}

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.elements, self.open = [], []

    def handle_starttag(self, tag, attrs):
        element = {"tag": tag, "attrs": dict(attrs), "text": []}
        self.elements.append(element)
        if tag not in self.VOID:
            self.open.append(element)

    def handle_startendtag(self, tag, attrs):
        self.elements.append({"tag": tag, "attrs": dict(attrs), "text": []})

    def handle_endtag(self, tag):
        while self.open:
            if self.open.pop()["tag"] == tag:
                break

    def handle_data(self, data):
        for element in self.open:
            element["text"].append(data)


def _tree(text):
    tree = _Tree()
    tree.feed(text)
    return [dict(e, text="".join(e["text"])) for e in tree.elements]


def _by_class(elements, tag, cls):
    return [e for e in elements if e["tag"] == tag and cls in e["attrs"].get("class", "").split()]


def _scan(monkeypatch, case):
    monkeypatch.chdir(FIXTURES / case)
    return scan(ScanOptions(paths=["."]))


def _open(tmp_path, text, fragment=""):
    page = tmp_path / "report.html"
    page.write_text(text, encoding="utf-8")
    return page, _tree(dump_dom(page, fragment=fragment))


def test_self_contained(monkeypatch):
    text = html.render(_scan(monkeypatch, "examples"))
    assert not re.search(r"<(script|img|iframe|link|source|video|audio)\b[^>]*\b(src|href)=", text, re.I)
    assert "@import" not in text and "url(http" not in text
    assert [m for m in re.findall(r'href="([^"]+)"', text) if not re.fullmatch(r"[\w./-]+#L\d+", m)] == []
    assert text.count("<script>") == 1 and text.count("<style>") == 1


def test_examples_in_a_browser(monkeypatch, tmp_path):
    text = html.render(_scan(monkeypatch, "examples"), fail_on="low")
    page, dom = _open(tmp_path, text)
    shown = next(e for e in dom if e["attrs"].get("id") == "shown")
    assert shown["text"] == "6 of 6 shown"  # the script ran
    figures = _by_class(dom, "figure", "identity")
    assert [f["attrs"]["data-deployment"] for f in figures] == [".", "modules/ses-domain", "modules/ses-domain"]
    assert len([e for e in dom if e["tag"] == "svg"]) == 3
    exposed = [e for e in dom if e["tag"] == "g" and e["attrs"].get("class") == "node exposed"]
    assert len(exposed) == 4  # pinpoint service + its statement, anyone + its statement
    findings = _by_class(dom, "details", "finding")
    assert [(f["attrs"]["data-rule"], f["attrs"]["data-severity"], "open" in f["attrs"]) for f in findings] == [
        ("SES101", "critical", True), ("SES103", "medium", False), ("SES222", "low", False),
        ("SES222", "low", False), ("SES219", "info", False), ("SES219", "info", False)]
    excerpt = _by_class(dom, "pre", "excerpt")[0]
    assert (excerpt["attrs"]["data-file"], excerpt["attrs"]["data-line"]) == ("modules/ses-domain/main.tf", "25")
    hit = [e for e in dom if e["tag"] == "span" and e["attrs"].get("class") == "hit"][0]
    source = (FIXTURES / "examples" / "modules" / "ses-domain" / "main.tf").read_text().splitlines()
    assert hit["text"] == "25" + source[24]
    edits = _by_class(dom, "pre", "edit")
    assert [(e["attrs"]["data-file"], e["attrs"]["data-line"]) for e in edits] == [
        ("modules/ses-domain/main.tf", "27"), ("modules/ses-domain/main.tf", "35"), ("main.tf", "36")]
    assert edits[0]["text"].startswith("# insert at modules/ses-domain/main.tf:27:1+     condition {")
    assert edits[1]["text"] == '# insert at modules/ses-domain/main.tf:35:1+ data "aws_caller_identity" "current" {}'
    assert "aws:SourceAccount" in edits[2]["text"]
    png = tmp_path / "report.png"
    screenshot(page, png, size="1280,1500")
    width, height = struct.unpack(">II", png.read_bytes()[16:24])
    assert (width, height) == (1280, 1500) and png.stat().st_size > 30_000  # not a blank page
    if os.environ.get("SESGUARD_UPDATE_DOCS") == "1":
        shutil.copy(png, DOCS / "html-report.png")


def test_filters_from_the_address(monkeypatch, tmp_path):
    text = html.render(_scan(monkeypatch, "examples"))
    _, dom = _open(tmp_path, text, "#severity=low&deployment=modules/ses-domain")
    findings = _by_class(dom, "details", "finding")
    visible = [f["attrs"]["data-rule"] for f in findings if "hidden" not in f["attrs"]]
    assert visible == ["SES222", "SES222"]
    assert next(e for e in dom if e["attrs"].get("id") == "shown")["text"] == "2 of 6 shown"
    _, dom = _open(tmp_path, text, "#rule=SES101")
    assert [f["attrs"]["data-rule"] for f in _by_class(dom, "details", "finding") if "hidden" not in f["attrs"]] \
        == ["SES101"]


def _finding(rule_id, file, line, **kwargs):
    rule = BY_ID[rule_id]
    return rule.finding(kwargs.pop("message", f"{rule_id} message"), Location(file, line, 1), **kwargs)


def test_traces_deployments_states_and_hostile_text(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    (tmp_path / "envs").mkdir()
    (tmp_path / "envs" / "prod.tfvars").write_text('senders = ["*"]\n', encoding="utf-8")
    (tmp_path / "main.tf").write_text("".join(f"line {i}\n" for i in range(1, 11)), encoding="utf-8")
    traced = _finding("SES101", "main.tf", 5, deployment="envs/prod",
                      message='<script>document.title="pwned"</script> & "quotes"',
                      trace=(TraceStep("envs/prod.tfvars", 1, 1, "terraform.tfvars"),
                             TraceStep("main.tf", 5, 3, "policy principal")),
                      conditional="exists only if var.enable is true")
    missing = _finding("SES102", "gone.tf", 3)
    inactive = _finding("SES222", "main.tf", 9, active=False, inactive_reason="count = 0")
    report = Report(sorted([traced, missing, inactive], key=Finding.sort_key), 3, 3, 1, [], RULES)
    out = tmp_path / "out"
    out.mkdir()
    _, dom = _open(out, html.render(report))
    assert [e for e in dom if e["tag"] == "title"][0]["text"] == "sesguard report"
    assert len([e for e in dom if e["tag"] == "script"]) == 1
    findings = _by_class(dom, "details", "finding")
    assert [(f["attrs"]["data-rule"], f["attrs"]["data-deployment"], f["attrs"]["data-state"]) for f in findings] \
        == [("SES101", "envs/prod", "active"), ("SES102", ".", "active"), ("SES222", ".", "inactive")]
    message = _by_class(dom, "p", "message")[0]
    assert message["text"] == '<script>document.title="pwned"</script> & "quotes"'
    trace = _by_class(dom, "div", "trace")[0]
    assert "envs/prod.tfvars:1 terraform.tfvars" in trace["text"] and "senders = [\"*\"]" in trace["text"]
    assert "main.tf:5 policy principal" in trace["text"]
    assert "excerpt not available: not a regular file now" in findings[1]["text"]
    assert "inactive: count = 0" in findings[2]["text"]
    assert "conditional: exists only if var.enable is true" in findings[0]["text"]

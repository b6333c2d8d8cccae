"""Headless Chromium (Debian's ``chromium``) and the npm ``mermaid`` library
in ``tests/js/node_modules``, for the tests of the reports people read.

Under ``CI=true`` a missing browser or library fails the test that needs it;
elsewhere the test is skipped.
"""

from __future__ import annotations

import html
import json
import os
import pathlib
import shutil
import subprocess
import tempfile

import pytest

MERMAID = pathlib.Path(__file__).resolve().parent / "js" / "node_modules" / "mermaid" / "dist" / "mermaid.min.js"
FLAGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
         "--disable-background-networking", "--disable-component-update", "--disable-sync",
         "--disable-dev-shm-usage", "--hide-scrollbars"]
TIMEOUT = 120


def _missing(what: str):
    if os.environ.get("CI") == "true":
        pytest.fail(f"{what} is missing: .ci/run installs it")
    pytest.skip(f"{what} is not installed")


def chromium() -> str:
    path = shutil.which("chromium") or shutil.which("chromium-browser")
    if not path:
        _missing("chromium (apt-get install chromium)")
    return path


def mermaid_js() -> pathlib.Path:
    if not MERMAID.is_file():
        _missing(f"the mermaid library ({MERMAID}; npm ci in tests/js)")
    return MERMAID


def _run(args: list) -> subprocess.CompletedProcess:
    with tempfile.TemporaryDirectory() as profile:
        return subprocess.run([chromium(), *FLAGS, f"--user-data-dir={profile}", *args],
                              capture_output=True, text=True, timeout=TIMEOUT, check=False)


def dump_dom(page: pathlib.Path, budget_ms: int = 5000, fragment: str = "") -> str:
    """The DOM of ``page`` (at ``#fragment``) after its scripts ran (``budget_ms`` of virtual time)."""
    result = _run([f"--virtual-time-budget={budget_ms}", "--dump-dom", page.as_uri() + fragment])
    assert result.returncode == 0, result.stderr[-2000:]
    return result.stdout


def screenshot(page: pathlib.Path, png: pathlib.Path, size: str = "1280,1600", budget_ms: int = 5000) -> None:
    result = _run([f"--virtual-time-budget={budget_ms}", f"--window-size={size}", f"--screenshot={png}",
                   page.as_uri()])
    assert result.returncode == 0 and png.is_file() and png.stat().st_size > 0, result.stderr[-2000:]


_PAGE = """<!doctype html>
<html><head><meta charset="utf-8"><script src="{mermaid}"></script></head>
<body><div id="out"></div>
<script type="application/json" id="blocks">{blocks}</script>
<script>
(async () => {{
  mermaid.initialize({{startOnLoad: false, securityLevel: "strict"}});
  const blocks = JSON.parse(document.getElementById("blocks").textContent);
  const out = document.getElementById("out");
  for (let i = 0; i < blocks.length; i++) {{
    const div = document.createElement("div");
    div.className = "block";
    div.dataset.index = i;
    try {{
      const {{svg}} = await mermaid.render("graph" + i, blocks[i]);
      div.dataset.result = "ok";
      div.innerHTML = svg;
    }} catch (error) {{
      div.dataset.result = "error";
      div.textContent = String(error && error.message || error);
    }}
    out.appendChild(div);
  }}
  document.body.dataset.done = "yes";
}})();
</script></body></html>
"""


def render_mermaid(blocks: list, directory: pathlib.Path, png: pathlib.Path = None) -> str:
    """Render every Mermaid source of ``blocks`` with the real library; the
    DOM afterwards (each block a ``div.block`` with ``data-result`` ok or
    error). With ``png``, also a screenshot of the rendered page."""
    library = mermaid_js()
    page = directory / "mermaid.html"
    data = json.dumps(blocks).replace("</", "<\\/")
    page.write_text(_PAGE.format(mermaid=html.escape(library.as_uri()), blocks=data), encoding="utf-8")
    dom = dump_dom(page, budget_ms=15000)
    if png is not None:
        screenshot(page, png, size="1000,1400", budget_ms=15000)
    return dom


_COMMENT = """<!doctype html>
<html><head><meta charset="utf-8"><script src="{mermaid}"></script>
<style>body {{ font: 14px/1.5 -apple-system, "Segoe UI", sans-serif; max-width: 880px; margin: 16px auto;
color: #1f2328; }} code {{ background: #eff1f3; padding: 1px 4px; border-radius: 4px; }}
table {{ border-collapse: collapse; }} td, th {{ border: 1px solid #d0d7de; padding: 3px 10px; }}
pre.mermaid {{ background: none; }}</style></head>
<body>{body}
<script>mermaid.initialize({{startOnLoad: false, securityLevel: "strict"}});
mermaid.run({{querySelector: "pre.mermaid"}}).then(() => {{ document.body.dataset.done = "yes"; }},
  (error) => {{ document.body.dataset.done = "error: " + error; }});</script></body></html>
"""


def render_comment(body_html: str, directory: pathlib.Path, png: pathlib.Path) -> str:
    """A Markdown report rendered to HTML (its mermaid fences as ``pre.mermaid``)
    shown the way GitHub shows a comment; the DOM afterwards, and a screenshot."""
    library = mermaid_js()
    page = directory / "comment.html"
    page.write_text(_COMMENT.format(mermaid=html.escape(library.as_uri()), body=body_html), encoding="utf-8")
    dom = dump_dom(page, budget_ms=15000)
    screenshot(page, png, size="960,1800", budget_ms=15000)
    return dom

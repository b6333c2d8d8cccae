"""The import direction of sesguard's layers, checked.

    python -m analyzer.devtools.layers   # exit 1 and list the back-edges

Data flows one way: loaders → model ← checks ← engine → reporters. Each
module belongs to one layer (the longest matching prefix in ``LAYERS``)
and may import only the layers ``ALLOWED`` lists for its own, so a loader
never calls a rule, a rule never parses, and a reporter never evaluates or
asks the engine what it should know from the rule registry. Every import
counts, including those inside functions.
"""

from __future__ import annotations

import ast
import pathlib
import sys

ROOT = pathlib.Path(__file__).resolve().parents[2]

LAYERS = {
    "analyzer": "model",
    "analyzer.model": "model",
    "analyzer.findings": "model",
    "analyzer.errors": "model",
    "analyzer.files": "model",
    "analyzer.reads": "model",
    "analyzer.jsonloc": "model",
    "analyzer.suppress": "model",
    "analyzer.progress": "model",
    "analyzer.config": "model",  # the scan's settings, read before anything is loaded
    # what SES, IAM and DNS mean, shared by the loaders and the rules
    "analyzer.policy": "knowledge",
    "analyzer.dns": "knowledge",
    "analyzer.iam": "knowledge",
    "analyzer.mailboxes": "knowledge",
    "analyzer.monitoring": "knowledge",
    # inputs into the model
    "analyzer.terraform": "loaders",
    "analyzer.terragrunt": "loaders",
    "analyzer.cloudformation": "loaders",
    "analyzer.plan": "loaders",
    "analyzer.serverless": "loaders",
    "analyzer.pulumi": "loaders",
    "analyzer.documents": "loaders",
    "analyzer.discover": "loaders",
    "analyzer.cache": "loaders",
    "analyzer.dns.zonefile": "loaders",
    "analyzer.dns.octodns": "loaders",
    "analyzer.dns.published": "loaders",  # public DNS's answers (--dns live) into the model as published records
    # the rules and their registry
    "checks": "checks",
    "analyzer.rules": "checks",
    # running a scan
    "analyzer.engine": "engine",
    "analyzer.rule_results": "engine",
    "analyzer.checkov_checks": "engine",
    "analyzer.report": "reporters",
    "analyzer.senders": "derived",  # who can send, from the verdicts, for the reports that draw it
    "analyzer.ruledoc": "reporters",
    "analyzer.fix": "derived",  # edits that close findings, computed after the rules
    "analyzer.github": "cli",
    "analyzer.pr_comment": "cli",
    "analyzer.pr_files": "cli",
    "analyzer.action": "cli",
    "analyzer.repository": "model",
    "analyzer.outputs": "model",
    "analyzer.counts": "model",
    "analyzer.baseline": "model",
    "analyzer.send_text": "knowledge",
    "analyzer.cli": "cli",
    "analyzer.__main__": "cli",
    "analyzer.devtools": "devtools",
}

ALLOWED = {
    "model": {"model"},
    "knowledge": {"model", "knowledge"},
    "loaders": {"model", "knowledge", "loaders"},
    "checks": {"model", "knowledge", "checks"},
    "derived": {"model", "knowledge", "checks", "derived"},
    "engine": {"model", "knowledge", "loaders", "checks", "derived", "engine"},
    "reporters": {"model", "checks", "derived", "reporters"},
    "cli": {"model", "knowledge", "loaders", "checks", "derived", "engine", "reporters", "cli"},
    "devtools": {"model", "knowledge", "loaders", "checks", "derived", "engine", "reporters", "devtools"},
}


def layer(module: str) -> str:
    """The layer of ``module`` (``analyzer.dns.spf``), by its longest prefix in ``LAYERS``."""
    parts = module.split(".")
    for end in range(len(parts), 0, -1):
        found = LAYERS.get(".".join(parts[:end]))
        if found:
            return found
    raise KeyError(f"{module} is in no layer: add it to analyzer.devtools.layers.LAYERS")


def modules(root: pathlib.Path = ROOT) -> dict:
    """``module name -> path`` for every module of ``analyzer`` and ``checks``."""
    found = {}
    for package in ("analyzer", "checks"):
        for path in sorted((root / package).rglob("*.py")):
            parts = list(path.relative_to(root).with_suffix("").parts)
            if parts[-1] == "__init__":
                parts.pop()
            found[".".join(parts)] = path
    return found


def imports(module: str, path: pathlib.Path) -> list:
    """``(line, imported module)`` for every import of sesguard's own modules in ``path``."""
    package = module if path.name == "__init__.py" else module.rsplit(".", 1)[0]
    found = []
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"), str(path))):
        if isinstance(node, ast.Import):
            names = [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                base = ".".join(package.split(".")[:len(package.split(".")) - node.level + 1] + ([base] if base else []))
            names = [base]
        else:
            continue
        found += [(node.lineno, name) for name in names if name.split(".")[0] in ("analyzer", "checks")]
    return found


def back_edges(root: pathlib.Path = ROOT) -> list:
    """``(path, line, importer, imported)`` for every import against the direction."""
    edges = []
    for module, path in modules(root).items():
        mine = layer(module)
        for line, imported in imports(module, path):
            if layer(imported) not in ALLOWED[mine]:
                edges.append((path.relative_to(root).as_posix(), line, f"{module} ({mine})",
                              f"{imported} ({layer(imported)})"))
    return edges


def main(argv=None) -> int:
    edges = back_edges()
    for path, line, importer, imported in edges:
        print(f"{path}:{line}: {importer} imports {imported}", file=sys.stderr)
    return 1 if edges else 0


if __name__ == "__main__":
    sys.exit(main())

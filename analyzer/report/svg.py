"""An SVG drawing of who can send as an identity, laid out by sesguard
itself (the HTML report loads nothing): three columns, the callers a grant
admits (with the conditions that narrow them) and the Deny statements that
guard it → the statement → the identity. Exposures are red, a Deny is a
dashed edge ending in a bar."""

from __future__ import annotations

import html
import textwrap
from dataclasses import dataclass

FONT = 12
LINE = 16  # pixels per text line
PAD = 8
GAP = 12  # between nodes of one column
CHARS = 34  # characters per line in a node
COLUMNS = (10, 330, 640)  # left edges of the three columns
WIDTHS = (260, 250, 220)

COLOURS = {
    "exposed": ("#fde2e2", "#c62828", "#7f0000"),
    "admitted": ("#e3f2e1", "#2e7d32", "#1b3d1c"),
    "deny": ("#eeeeee", "#424242", "#212121"),
    "undecided": ("#fff4d6", "#b26a00", "#5c3b00"),
    "statement": ("#eef1fb", "#3949ab", "#1a237e"),
    "identity": ("#f3e8fb", "#6a1b9a", "#38006b"),
}


@dataclass
class _Node:
    column: int
    lines: list
    style: str
    y: float = 0

    @property
    def height(self) -> float:
        return len(self.lines) * LINE + 2 * PAD

    @property
    def x(self) -> float:
        return COLUMNS[self.column]

    @property
    def width(self) -> float:
        return WIDTHS[self.column]

    @property
    def middle(self) -> float:
        return self.y + self.height / 2


def _wrap(*parts: str) -> list:
    lines = []
    for part in parts:
        lines += textwrap.wrap(" ".join(str(part).split()), CHARS, break_long_words=True) or [""]
    return lines


def _audience(grant) -> list:
    condition = [f"if {c}" for c in grant.conditions]
    if grant.public:
        return [_Node(0, _wrap("anyone", *condition), "exposed")]
    nodes = [_Node(0, _wrap(f"untrusted {e}", *condition), "exposed") for e in grant.untrusted]
    nodes += [_Node(0, _wrap(f"service {s}", "with no aws:SourceAccount / aws:SourceArn", *condition), "exposed")
              for s in grant.services_without_source]
    if not nodes and grant.unknowns:
        nodes = [_Node(0, _wrap(f"undecided: {', '.join(grant.unknowns)}", *condition), "undecided")]
    return nodes or [_Node(0, _wrap(grant.admitted or "nobody", *condition), "admitted")]


def _box(node: _Node, title: str) -> str:
    fill, stroke, ink = COLOURS[node.style]
    dash = ' stroke-dasharray="5 3"' if node.style == "deny" else ""
    text = "".join(f'<tspan x="{node.x + PAD}" dy="{LINE if i else 0}">{html.escape(line)}</tspan>'
                   for i, line in enumerate(node.lines))
    return (f'<g class="node {node.style}"><title>{html.escape(title)}</title>'
            f'<rect x="{node.x}" y="{node.y:.0f}" width="{node.width}" height="{node.height:.0f}" rx="6" '
            f'fill="{fill}" stroke="{stroke}" stroke-width="1.5"{dash}/>'
            f'<text x="{node.x + PAD}" y="{node.y + PAD + FONT:.0f}" font-size="{FONT}" fill="{ink}">{text}</text></g>')


def _edge(source: _Node, target: _Node, kind: str) -> str:
    x1, y1 = source.x + source.width, source.middle
    x2, y2 = target.x, target.middle
    bend = (x2 - x1) / 2
    path = f"M{x1:.0f},{y1:.0f} C{x1 + bend:.0f},{y1:.0f} {x2 - bend:.0f},{y2:.0f} {x2:.0f},{y2:.0f}"
    style = {"exposed": 'stroke="#c62828" stroke-width="3" marker-end="url(#arrow-red)"',
             "deny": 'stroke="#424242" stroke-width="1.5" stroke-dasharray="5 3" marker-end="url(#bar)"',
             "plain": 'stroke="#555" stroke-width="1.5" marker-end="url(#arrow)"'}[kind]
    return f'<path class="edge {kind}" d="{path}" fill="none" {style}/>'


_DEFS = ('<defs><marker id="arrow" viewBox="0 0 10 10" refX="10" refY="5" markerWidth="7" markerHeight="7" '
         'orient="auto"><path d="M0,0 L10,5 L0,10 z" fill="#555"/></marker>'
         '<marker id="arrow-red" viewBox="0 0 10 10" refX="10" refY="5" markerWidth="5" markerHeight="5" '
         'orient="auto"><path d="M0,0 L10,5 L0,10 z" fill="#c62828"/></marker>'
         '<marker id="bar" viewBox="0 0 10 10" refX="9" refY="5" markerWidth="8" markerHeight="8" '
         'orient="auto"><path d="M8,0 L8,10" stroke="#424242" stroke-width="3"/></marker></defs>')


def graph(policy) -> str:
    """The SVG of one ``analyzer.senders.PolicySenders``."""
    nodes, edges = [], []
    identity = _Node(2, _wrap(policy.identity), "identity")
    y = PAD
    for grant in policy.grants:
        actions = ", ".join(grant.actions)
        statement = _Node(1, _wrap(grant.statement, actions), "exposed" if grant.exposed else "statement")
        left = _audience(grant)
        left += [_Node(0, _wrap(note, *(f"denies when {c}" for c in grant.deny_conditions)), "deny")
                 for note in grant.denies]
        column = sum(n.height for n in left) + GAP * (len(left) - 1)
        block = max(column, statement.height)
        top = y + (block - column) / 2
        for node in left:
            node.y = top
            top += node.height + GAP
        statement.y = y + (block - statement.height) / 2
        for node in left:
            kind = "deny" if node.style == "deny" else ("exposed" if node.style == "exposed" else "plain")
            nodes.append((node, "who may send" if kind != "deny" else "Deny guardrail"))
            edges.append((node, statement, kind))
        nodes.append((statement, f"line {grant.line}" if grant.line else grant.statement))
        edges.append((statement, identity, "exposed" if grant.exposed else "plain"))
        y += block + 2 * GAP
    if not policy.grants:
        empty = _Node(1, ["no statement grants sending"], "statement", PAD)
        nodes.append((empty, "no grant"))
        edges.append((empty, identity, "plain"))
        y = PAD + empty.height + 2 * GAP
    height = max(y - GAP, identity.height + 2 * PAD)
    identity.y = (height - identity.height) / 2
    nodes.append((identity, policy.identity_address or policy.identity))
    width = COLUMNS[2] + WIDTHS[2] + 10
    body = "".join(_edge(s, t, k) for s, t, k in edges) + "".join(_box(n, title) for n, title in nodes)
    label = html.escape(f"who can send as {policy.identity}")
    return (f'<svg xmlns="http://www.w3.org/2000/svg" class="senders" role="img" aria-label="{label}" '
            f'width="{width}" height="{height:.0f}" viewBox="0 0 {width} {height:.0f}" '
            f'font-family="system-ui, sans-serif">{_DEFS}{body}</svg>')

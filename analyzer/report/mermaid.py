"""Mermaid flowcharts of who can send as an identity: who is admitted and
the conditions that narrow them → the statement → the identity; exposures
in red, Deny guardrails as blocking edges."""

from __future__ import annotations

_ESCAPES = {"#": "#35;", '"': "#quot;", "<": "#lt;", ">": "#gt;", "`": "#96;", "|": "#124;",
            "[": "#91;", "]": "#93;", "{": "#123;", "}": "#125;", ";": "#59;", "&": "#38;"}


def text(value: str, limit: int = 120) -> str:
    """``value`` safe inside a quoted Mermaid label, on one line, cut at ``limit``."""
    value = " ".join(str(value).split())
    if len(value) > limit:
        value = value[:limit - 1] + "…"
    out = []
    for char in value:
        out.append(_ESCAPES.get(char, char))
    return "".join(out)


def _audience(grant) -> list:
    """``(label, exposed)`` for the callers a grant admits."""
    if grant.public:
        return [("anyone", True)]
    nodes = [(f"untrusted {entity}", True) for entity in grant.untrusted]
    nodes += [(f"service {service} with no aws:SourceAccount / aws:SourceArn", True)
              for service in grant.services_without_source]
    if not nodes and grant.unknowns:
        nodes = [(f"undecided: {', '.join(grant.unknowns)}", False)]
    return nodes or [(grant.admitted or "nobody", False)]


def flowchart(policy) -> str:
    """The flowchart of one ``analyzer.senders.PolicySenders``."""
    lines = ["flowchart LR", f'  id0(["{text(policy.identity)}"])']
    links = []  # (index of the link, exposed)

    def edge(source: str, arrow: str, target: str, exposed: bool, label: str = "") -> None:
        labelled = f'{arrow}|"{text(label)}"|' if label else arrow
        lines.append(f"  {source} {labelled} {target}")
        links.append(exposed)

    if not policy.grants:
        lines.append('  none["no statement grants sending"]')
        edge("none", "-.-", "id0", False)
    for g, grant in enumerate(policy.grants):
        statement = f"s{g}"
        actions = ", ".join(grant.actions[:2]) + (f" +{len(grant.actions) - 2} more" if len(grant.actions) > 2 else "")
        lines.append(f'  {statement}["{text(grant.statement)}<br/>{text(actions)}"]')
        condition = " AND ".join(grant.conditions)
        for p, (label, exposed) in enumerate(_audience(grant)):
            node = f"p{g}_{p}"
            lines.append(f'  {node}["{text(label)}"]' + (":::exposed" if exposed else ":::admitted"))
            edge(node, "-->", statement, exposed, f"if {condition}" if condition else "")
        for d, note in enumerate(grant.denies):
            node = f"d{g}_{d}"
            lines.append(f'  {node}["{text(note)}"]:::deny')
            edge(node, "--x", statement, False, "denies when " + " AND ".join(grant.deny_conditions)
                 if grant.deny_conditions else "")
        edge(statement, "==>" if grant.exposed else "-->", "id0", grant.exposed, "sends as")
        if grant.exposed:
            lines.append(f"  class {statement} exposed")
    lines.append("  classDef exposed fill:#fde2e2,stroke:#c62828,color:#7f0000")
    lines.append("  classDef admitted fill:#e3f2e1,stroke:#2e7d32,color:#1b3d1c")
    lines.append("  classDef deny fill:#eeeeee,stroke:#424242,color:#212121,stroke-dasharray:4 2")
    red = [str(i) for i, exposed in enumerate(links) if exposed]
    if red:
        lines.append(f"  linkStyle {','.join(red)} stroke:#c62828,stroke-width:3px")
    return "\n".join(lines)

"""Draw a scenario's branching as Mermaid or Graphviz DOT, optionally with coverage marked."""

from __future__ import annotations

from dataclasses import dataclass, field

from trainer.scenario.model import Scenario


@dataclass
class Edge:
    source: str
    target: str
    label: str
    key: str  # "node/choice-key" or "node/route-N" or "node/goto"


@dataclass
class CoverageMarks:
    nodes: set[str] = field(default_factory=set)
    edges: set[str] = field(default_factory=set)


def edges(scenario: Scenario) -> list[Edge]:
    out = []
    for nid, node in scenario.nodes.items():
        for c in node.choices:
            out.append(Edge(nid, c.goto, "(fallback)" if c.fallback else c.text, f"{nid}/{c.key}"))
        if node.respond:
            for r in node.respond.routes:
                out.append(Edge(nid, r.goto, r.describe(), f"{nid}/route-{r.index}"))
        if node.goto:
            out.append(Edge(nid, node.goto, "", f"{nid}/goto"))
    return out


def _short(text: str, limit: int = 40) -> str:
    text = " ".join(text.split())
    return text if len(text) <= limit else text[: limit - 1] + "…"


def _node_label(scenario: Scenario, nid: str) -> str:
    node = scenario.nodes[nid]
    if node.ending:
        return f"{nid}\n[{node.ending}]"
    if node.respond:
        return f"{nid}\n(free text)"
    return nid


def _classes(scenario: Scenario, nid: str) -> list[str]:
    node = scenario.nodes[nid]
    out = []
    if nid == scenario.start:
        out.append("start")
    if node.ending:
        out.append("harmful" if node.ending == "harmful" else "ending")
    if node.respond:
        out.append("freetext")
    if node.escalation:
        out.append("crisis")
    return out


def mermaid(scenario: Scenario, coverage: CoverageMarks | None = None) -> str:
    def q(text: str) -> str:
        return '"' + text.replace('"', "#quot;").replace("\n", "<br/>").replace("<", "#lt;").replace(">", "#gt;") \
            .replace("#lt;br/#gt;", "<br/>") + '"'

    ids = {nid: f"n{i}" for i, nid in enumerate(scenario.nodes)}
    lines = ["flowchart TD"]
    for nid in scenario.nodes:
        lines.append(f"  {ids[nid]}[{q(_node_label(scenario, nid))}]")
    untested_edges = []
    for i, e in enumerate(edges(scenario)):
        if e.target not in ids:
            continue
        arrow = "-->"
        if coverage is not None and e.key not in coverage.edges:
            arrow = "-.->"
            untested_edges.append(i)
        label = f"|{q(_short(e.label))}|" if e.label else ""
        lines.append(f"  {ids[e.source]} {arrow}{label} {ids[e.target]}")
    lines += [
        "  classDef start fill:#dbeafe,stroke:#1d4ed8,stroke-width:2px",
        "  classDef ending fill:#dcfce7,stroke:#15803d",
        "  classDef harmful fill:#fee2e2,stroke:#b91c1c",
        "  classDef freetext fill:#fef9c3,stroke:#a16207",
        "  classDef crisis stroke:#b91c1c,stroke-width:3px",
        "  classDef untested stroke-dasharray:5 5,fill:#f3f4f6,color:#6b7280",
    ]
    for nid in scenario.nodes:
        classes = _classes(scenario, nid)
        if coverage is not None and nid not in coverage.nodes:
            classes.append("untested")
        for cls in classes:
            lines.append(f"  class {ids[nid]} {cls}")
    return "\n".join(lines) + "\n"


def dot(scenario: Scenario, coverage: CoverageMarks | None = None) -> str:
    def q(text: str) -> str:
        return '"' + text.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n") + '"'

    styles = {
        "start": 'shape=box, style="rounded,filled,bold", fillcolor="#dbeafe"',
        "ending": 'shape=doubleoctagon, style=filled, fillcolor="#dcfce7"',
        "harmful": 'shape=doubleoctagon, style=filled, fillcolor="#fee2e2"',
        "freetext": 'shape=note, style=filled, fillcolor="#fef9c3"',
        "crisis": 'color="#b91c1c", penwidth=3',
    }
    lines = [f"digraph {q(scenario.id)} {{", "  rankdir=TB;", '  node [shape=box, style=rounded, fontname="Helvetica"];',
             '  edge [fontname="Helvetica", fontsize=10];']
    for nid in scenario.nodes:
        attrs = [f"label={q(_node_label(scenario, nid))}"]
        for cls in _classes(scenario, nid):
            attrs.append(styles[cls])
        if coverage is not None and nid not in coverage.nodes:
            attrs.append('style="dashed", fontcolor="#6b7280", xlabel="untested"')
        lines.append(f"  {q(nid)} [{', '.join(attrs)}];")
    for e in edges(scenario):
        attrs = [f"label={q(_short(e.label))}"] if e.label else []
        if coverage is not None and e.key not in coverage.edges:
            attrs.append("style=dashed")
        lines.append(f"  {q(e.source)} -> {q(e.target)}" + (f" [{', '.join(attrs)}]" if attrs else "") + ";")
    lines.append("}")
    return "\n".join(lines) + "\n"

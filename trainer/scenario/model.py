"""The checked, immutable scenario that the engine plays.

Built once by `trainer.scenario.compiler` from a YAML document; nothing here parses
or validates. Everything is frozen so a loaded scenario can be shared freely.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from types import MappingProxyType
from typing import Any, Mapping

from trainer.scenario.expr import Expr

OUTCOMES = ("exemplary", "adequate", "poor", "harmful")
PASSING_OUTCOMES = ("exemplary", "adequate")

THEMES = (
    "role-modeling",
    "internalized-stigma",
    "system-navigation",
    "scope-of-practice",
    "crisis-support",
    "recovery-planning",
    "cultural-responsiveness",
    "whole-health",
    "advocacy",
    "family-support",
    "co-occurring",
    "ethics",
)

COMPETENCIES = {
    "engages-peers": "Engages peers in collaborative and caring relationships",
    "provides-support": "Provides support: validates and conveys hope",
    "shares-lived-experience": "Shares lived experiences of recovery",
    "personalizes-support": "Personalizes peer support",
    "supports-recovery-planning": "Supports recovery planning",
    "links-to-resources": "Links to resources, services and supports",
    "provides-wellness-information": "Provides information about skills related to health, wellness and recovery",
    "supports-crisis-management": "Helps peers to manage crises",
    "values-communication": "Values communication",
    "supports-collaboration": "Supports collaboration and teamwork",
    "promotes-advocacy": "Promotes leadership and advocacy",
    "promotes-growth": "Promotes growth and development",
}


@dataclass(frozen=True)
class Character:
    id: str
    name: str
    pronouns: str = ""
    description: str = ""


@dataclass(frozen=True)
class Variable:
    name: str
    type: str  # int | float | bool | str
    default: Any
    min: float | None = None
    max: float | None = None
    description: str = ""


@dataclass(frozen=True)
class Effect:
    variable: str
    kind: str  # "set" | "add" | "expr"
    value: Any = None
    expr: Expr | None = None


@dataclass(frozen=True)
class Line:
    speaker: str | None  # a character id, or None for narration
    text: str
    condition: Expr | None = None


@dataclass(frozen=True)
class Choice:
    index: int  # position in the node's list, 0-based
    goto: str
    text: str = ""
    id: str | None = None
    condition: Expr | None = None
    once: bool = False
    fallback: bool = False
    effects: tuple[Effect, ...] = ()
    feedback: str = ""
    score: float | None = None
    credit: Mapping[str, float] = field(default_factory=lambda: MappingProxyType({}))
    flags: tuple[str, ...] = ()

    @property
    def key(self) -> str:
        return self.id or str(self.index)


@dataclass(frozen=True)
class Route:
    index: int
    goto: str
    condition: Expr | None = None
    flag: str | None = None  # a flag id, "any" or "critical"
    band: tuple[float, float] | None = None  # [min, max) and max 1.0 inclusive
    effects: tuple[Effect, ...] = ()
    feedback: str = ""

    @property
    def is_default(self) -> bool:
        return self.condition is None and self.flag is None and self.band is None

    def describe(self) -> str:
        parts = []
        if self.flag:
            parts.append(f"flag {self.flag}")
        if self.band:
            parts.append(f"score {self.band[0]:g}-{self.band[1]:g}")
        if self.condition is not None:
            parts.append(self.condition.source)
        return " and ".join(parts) or "otherwise"


@dataclass(frozen=True)
class Respond:
    routes: tuple[Route, ...]
    prompt: str = ""
    rubrics: tuple[str, ...] = ()
    scope: bool = True
    hint: str = ""
    model_responses: tuple[str, ...] = ()
    effects: tuple[Effect, ...] = ()
    asks: tuple[str, ...] = ()  # flags whose answers the peer's line asks for (a risk told: harm-risk-dismissed)
    not_needed: tuple[tuple[str, str], ...] = ()  # (criterion id, why): criteria this turn does not ask for


@dataclass(frozen=True)
class Node:
    id: str
    lines: tuple[Line, ...] = ()
    effects: tuple[Effect, ...] = ()
    choices: tuple[Choice, ...] = ()
    respond: Respond | None = None
    goto: str | None = None
    ending: str | None = None  # the outcome, for an ending node
    debrief: str = ""
    model_responses: tuple[str, ...] = ()
    escalation: bool = False
    hint: str = ""

    @property
    def spoken(self) -> str:
        """The characters' lines of this node, one per line (narration left out): what the peer says at a typed
        turn, as `peer-trainer test` and `score --turn` give it to the scorer. (In play, Engine.prompt gives
        the lines actually shown since the trainee's last move.)"""
        return "\n".join(line.text for line in self.lines if line.speaker)

    @property
    def kind(self) -> str:
        if self.ending:
            return "ending"
        if self.respond:
            return "respond"
        if self.choices:
            return "choice"
        return "goto"

    def targets(self) -> list[str]:
        """Every node this one can lead to, whatever the conditions."""
        if self.respond:
            return [r.goto for r in self.respond.routes]
        if self.choices:
            return [c.goto for c in self.choices]
        return [self.goto] if self.goto else []


@dataclass(frozen=True)
class ScenarioTest:
    name: str
    inputs: tuple[Any, ...]
    expect: Mapping[str, Any]
    mode: str = "practice"
    index: int = 0


@dataclass(frozen=True)
class Scenario:
    id: str
    title: str
    version: str
    themes: tuple[str, ...]
    competencies: tuple[str, ...]
    estimated_minutes: int
    hour_category: str
    start: str
    nodes: Mapping[str, Node]
    characters: Mapping[str, Character]
    variables: Mapping[str, Variable]
    content_hash: str
    path: str = ""
    summary: str = ""
    prebrief: Mapping[str, str] = field(default_factory=lambda: MappingProxyType({}))
    objectives: tuple[str, ...] = ()
    content_warnings: tuple[str, ...] = ()
    tests: tuple[ScenarioTest, ...] = ()
    scope: bool = True
    pass_score: float = 0.6

    def endings(self) -> list[Node]:
        return [n for n in self.nodes.values() if n.ending]

    def free_text_nodes(self) -> list[Node]:
        return [n for n in self.nodes.values() if n.respond]

    @property
    def cast_names(self) -> tuple[str, ...]:
        """The characters' names as a reply would say them ("Tomás (988)" -> "Tomás"): who is in the scene."""
        return tuple(dict.fromkeys(w for c in self.characters.values() for w in c.name.split()
                                   if w[:1].isupper() and w.isalpha()))

    def peer_line(self, node_id: str) -> str:
        """What the peer last said on arriving at this node, as the scorer gets it where no play is under way
        (`peer-trainer test`, `score --turn`, the probes): the node's own characters' lines, or, where it has only
        narration ("You tell him, in three sentences, about ..."), those of the nearest node before it on a shortest
        path from the start, as Engine.prompt would find them there."""
        spoken = self.nodes[node_id].spoken
        if spoken or node_id == self.start:
            return spoken
        parent: dict[str, str | None] = {self.start: None}
        queue = [self.start]
        for current in queue:
            if current == node_id:
                break
            node = self.nodes.get(current)
            for target in node.targets() if node is not None else ():
                if target not in parent:
                    parent[target] = current
                    queue.append(target)
        before = parent.get(node_id)
        while before is not None:
            if self.nodes[before].spoken:
                return self.nodes[before].spoken
            before = parent[before]
        return ""

    def judge_options(self, node_id: str) -> dict[str, Any]:
        """How a typed reply at this node is judged, as keyword arguments to `Scorer.judge` (with the text, and
        the peer's `prompt` and `context`, which depend on the play): the turn's rubrics, whether `scope` applies
        (the turn's and the scenario's), its `asks` and `not_needed`, and who is in the scene. The engine, the
        app, `peer-trainer test`, `score --turn` and the probes all judge through it, so they cannot drift."""
        respond = self.nodes[node_id].respond
        if respond is None:
            raise KeyError(f"node '{node_id}' does not take a typed response")
        return {"rubrics": tuple(respond.rubrics), "scope": respond.scope and self.scope, "asks": tuple(respond.asks),
                "not_needed": tuple(respond.not_needed), "present": self.cast_names}

    def speaker_name(self, speaker: str | None) -> str:
        if speaker is None:
            return ""
        character = self.characters.get(speaker)
        return character.name if character else speaker

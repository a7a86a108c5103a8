"""Plays a checked Scenario: a small state machine over `State`.

Every public method takes a State and returns a new one; nothing is mutated in place,
so a caller can keep the old state (undo, tests) and save the new one after each turn.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any, Protocol, Sequence

from trainer.engine.state import StaleState, State, StateError
from trainer.scenario.expr import Context, evaluate
from trainer.scenario.model import Choice, Effect, Node, Route, Scenario
from trainer.scoring.judgment import Judgment

MODES = ("practice", "assessment")
MAX_AUTO_STEPS = 1000  # goto-chains longer than this are a loop with no exit


class Scorer(Protocol):
    def judge(self, text: str, rubrics: Sequence[str], *, scope: bool = True, prompt: str | None = None,
              context: str | None = None, asks: Sequence[str] = ()) -> Judgment: ...


class EngineError(Exception):
    """A move that is not allowed now (wrong kind of turn, number out of range, ...)."""


@dataclass(frozen=True)
class Turn:
    """What the trainee faces now."""

    node: Node
    kind: str  # "choice" | "respond" | "ending"
    choices: tuple[Choice, ...] = ()
    prompt: str = ""


class Engine:
    def __init__(self, scenario: Scenario, scorer: Scorer | None = None, *, keep_history: bool = True):
        self.scenario = scenario
        self.scorer = scorer
        self.keep_history = keep_history  # undo snapshots; the explorer turns them off
        self._judgment_json: dict[int, tuple[Judgment, dict]] = {}

    # --- starting and restoring -----------------------------------------------------------

    def start(self, mode: str = "practice") -> State:
        return self.start_at(self.scenario.start, mode)

    def start_at(self, node_id: str, mode: str = "practice") -> State:
        """A fresh state entering `node_id`, variables at their defaults (instructor preview's jump)."""
        if mode not in MODES:
            raise EngineError(f"mode must be practice or assessment, not {mode!r}")
        s = self.scenario
        if node_id not in s.nodes:
            raise EngineError(f"no node named '{node_id}'")
        state = State(
            scenario_id=s.id,
            content_hash=s.content_hash,
            mode=mode,
            node=node_id,
            variables={name: v.default for name, v in s.variables.items()},
        )
        self._enter(state, node_id)
        self._settle(state)
        return state

    def restore(self, data: dict[str, Any]) -> State:
        """A saved state, checked against this scenario; StaleState if the file has changed."""
        state = State.from_json(data)
        if state.scenario_id != self.scenario.id:
            raise StateError(f"saved progress is for scenario '{state.scenario_id}', not '{self.scenario.id}'")
        if state.content_hash != self.scenario.content_hash:
            raise StaleState(
                f"scenario '{self.scenario.id}' has changed since this attempt was saved; "
                "the attempt cannot continue exactly and must be restarted"
            )
        if state.node not in self.scenario.nodes:
            raise StateError(f"saved progress points at unknown node '{state.node}'")
        return state

    # --- what is on offer -------------------------------------------------------------------

    def turn(self, state: State) -> Turn:
        node = self.scenario.nodes[state.node]
        if state.finished:
            return Turn(node, "ending")
        if node.respond:
            return Turn(node, "respond", prompt=node.respond.prompt)
        return Turn(node, "choice", tuple(self.available_choices(state)))

    def available_choices(self, state: State) -> list[Choice]:
        node = self.scenario.nodes[state.node]
        ctx = self._context(state)
        return [
            c
            for c in node.choices
            if not c.fallback
            and (c.condition is None or evaluate(c.condition, ctx))
            and not (c.once and f"{node.id}/{c.key}" in state.used_once)
        ]

    # --- moves --------------------------------------------------------------------------------

    def choose(self, state: State, number: int) -> State:
        """Take the `number`-th available choice (1-based, as shown to the trainee)."""
        turn = self.turn(state)
        if turn.kind != "choice":
            raise EngineError("this turn asks for a typed response, not a choice" if turn.kind == "respond" else "the scenario has ended")
        if not 1 <= number <= len(turn.choices):
            raise EngineError(f"choose a number from 1 to {len(turn.choices)}")
        new = self._next(state)
        self._take_choice(new, turn.node, turn.choices[number - 1], number)
        self._settle(new)
        return new

    def respond(self, state: State, text: str) -> State:
        """Say something in a free-text turn; it is judged by the scorer and routed."""
        node = self.scenario.nodes[state.node]
        if state.finished or node.respond is None:
            raise EngineError("this turn offers choices, not a typed response" if not state.finished else "the scenario has ended")
        if not text.strip():
            raise EngineError("type a response first")
        if self.scorer is None:
            raise EngineError("no scorer is available for free-text responses")
        judgment = self.scorer.judge(text, prompt=self.prompt(state), context=self.context(state),
                                     **self.scenario.judge_options(node.id))
        return self.respond_judged(state, text, judgment)

    @staticmethod
    def prompt(state: State) -> str:
        """What the characters said since the trainee's last move: the line a typed response answers."""
        said: list[str] = []
        for entry in reversed(state.transcript):
            if entry.get("kind") != "line":
                if said:
                    break
                continue
            if entry.get("speaker"):
                said.append(entry["text"])
        return "\n".join(reversed(said))

    @staticmethod
    def context(state: State, lines: int = 8) -> str:
        """The characters' lines before `prompt`, oldest first (at most `lines`): what an elliptic
        question ("Am I?") may repeat."""
        said: list[str] = []
        in_prompt, seen = True, False  # the latest block of lines is the prompt itself
        for entry in reversed(state.transcript):
            if entry.get("kind") != "line":
                in_prompt = in_prompt and not seen
                continue
            if entry.get("speaker"):
                if in_prompt:
                    seen = True
                    continue
                said.append(entry["text"])
                if len(said) >= lines:
                    break
        return "\n".join(reversed(said))

    def respond_judged(self, state: State, text: str, judgment: Judgment) -> State:
        """Like `respond`, with the judgment already made (tests, exploration, instructor replays)."""
        node = self.scenario.nodes[state.node]
        if state.finished or node.respond is None:
            raise EngineError("this turn does not take a typed response")
        new = self._next(state)
        route = self._route(new, node, judgment)
        self._apply(new, node.respond.effects)
        self._apply(new, route.effects)
        new.transcript.append(
            {
                "kind": "response",
                "node": node.id,
                "text": text,
                "judgment": self._as_json(judgment),
                "route": route.index,
                "feedback": route.feedback,
            }
        )
        self._enter(new, route.goto)
        self._settle(new)
        return new

    def hint(self, state: State) -> tuple[State, str]:
        """The current turn's hint (practice mode only); the use is recorded."""
        if state.mode != "practice":
            raise EngineError("hints are available in practice mode only")
        node = self.scenario.nodes[state.node]
        text = (node.respond.hint if node.respond else "") or node.hint
        if not text:
            return state, ""
        last = state.transcript[-1] if state.transcript else {}
        if last.get("kind") == "hint" and last.get("node") == node.id:
            return state, text  # asked again at once: already on screen, counted once
        new = self._next(state, keep_history=False)
        new.hints_used += 1
        new.transcript.append({"kind": "hint", "node": node.id, "text": text})
        return new, text

    def undo(self, state: State) -> State:
        """Back to before the last move (practice mode only)."""
        if state.mode != "practice":
            raise EngineError("undo is available in practice mode only")
        if not state.history:
            raise EngineError("nothing to undo")
        previous = State.from_json({**state.history[-1], "history": state.history[:-1]})
        previous.hints_used = state.hints_used  # hints stay counted
        return previous

    # --- internals ------------------------------------------------------------------------------

    def _next(self, state: State, keep_history: bool = True) -> State:
        new = state.copy()
        if keep_history and self.keep_history:
            new.history.append(state.snapshot())
        return new

    def _as_json(self, judgment: Judgment) -> dict:
        """The judgment as JSON-native data (so saving changes nothing), cached: the explorer reuses judgments."""
        cached = self._judgment_json.get(id(judgment))
        if cached is None or cached[0] is not judgment:
            if len(self._judgment_json) > 512:
                self._judgment_json.clear()
            cached = (judgment, json.loads(json.dumps(judgment.to_dict())))
            self._judgment_json[id(judgment)] = cached
        return cached[1]

    def _context(self, state: State, judgment: Judgment | None = None) -> Context:
        if judgment is None:
            return Context(state.variables, state.visits)
        return Context(
            state.variables,
            state.visits,
            score=judgment.score,
            flags=frozenset(judgment.flag_ids),
            critical=judgment.critical,
            met=frozenset(judgment.met_ids),
        )

    def _enter(self, state: State, node_id: str) -> None:
        node = self.scenario.nodes[node_id]
        state.node = node_id
        state.visits[node_id] = state.visits.get(node_id, 0) + 1
        ctx = self._context(state)
        for line in node.lines:
            if line.condition is None or evaluate(line.condition, ctx):
                state.transcript.append({"kind": "line", "node": node_id, "speaker": line.speaker, "text": line.text})
        self._apply(state, node.effects)
        if node.ending:
            state.finished = True
            state.ending = node_id
            state.outcome = node.ending
            state.transcript.append({"kind": "ending", "node": node_id, "outcome": node.ending})

    def _settle(self, state: State) -> None:
        """Follow goto nodes and automatic fallbacks until the trainee has something to do."""
        for _ in range(MAX_AUTO_STEPS):
            if state.finished:
                return
            node = self.scenario.nodes[state.node]
            if node.kind == "goto" and node.goto:
                self._enter(state, node.goto)
                continue
            if node.kind == "choice" and not self.available_choices(state):
                fallback = next((c for c in node.choices if c.fallback), None)
                if fallback is None:
                    raise EngineError(f"no choice is available at node '{node.id}' and it has no fallback")
                self._take_choice(state, node, fallback, 0)
                continue
            return
        raise EngineError(f"the scenario loops without a turn for the trainee (stuck near node '{state.node}')")

    def _take_choice(self, state: State, node: Node, choice: Choice, number: int) -> None:
        if choice.once:
            state.used_once.append(f"{node.id}/{choice.key}")
        self._apply(state, choice.effects)
        state.turns += 1
        state.transcript.append(
            {
                "kind": "choice",
                "node": node.id,
                "choice": choice.key,
                "number": number,
                "text": choice.text,
                "feedback": choice.feedback,
                "score": choice.score,
                "credit": dict(choice.credit),
                "flags": list(choice.flags),
                "fallback": choice.fallback,
            }
        )
        self._enter(state, choice.goto)

    def _route(self, state: State, node: Node, judgment: Judgment) -> Route:
        state.turns += 1
        ctx = self._context(state, judgment)
        for route in node.respond.routes:  # type: ignore[union-attr]
            if _route_matches(route, judgment, ctx):
                return route
        raise EngineError(f"no route of node '{node.id}' matches this response")

    def _apply(self, state: State, effects: tuple[Effect, ...]) -> None:
        if not effects:
            return
        ctx = self._context(state)
        for effect in effects:
            if effect.kind == "set":
                state.variables[effect.variable] = effect.value
            elif effect.kind == "add":
                state.variables[effect.variable] = state.variables[effect.variable] + effect.value
            else:
                value = evaluate(effect.expr, ctx)  # type: ignore[arg-type]
                if self.scenario.variables[effect.variable].type == "int" and isinstance(value, float):
                    value = int(value)
                state.variables[effect.variable] = value


def _route_matches(route: Route, judgment: Judgment, ctx: Context) -> bool:
    if route.flag is not None:
        if route.flag == "any":
            if not judgment.flags:
                return False
        elif route.flag == "critical":
            if not judgment.critical:
                return False
        elif route.flag not in judgment.flag_ids:
            return False
    if route.band is not None:
        lo, hi = route.band
        if not (lo <= judgment.score < hi or (hi >= 1.0 and judgment.score >= hi)):
            return False
    if route.condition is not None and not evaluate(route.condition, ctx):
        return False
    return True


__all__ = ["Engine", "EngineError", "Turn", "State", "StateError", "StaleState", "MODES"]

"""One attempt in play: the engine, the current state, and where it is saved.

The play screen owns a PlaySession and calls it from its message handlers only. Every
move saves the new state before the screen redraws, so a killed process resumes at the
same turn. Words typed but not sent are a draft saved with that state (`save_draft`), so
they survive leaving and a killed process too. Judging a typed response is the one slow
step; `judge_request` hands a worker what it needs without sharing the state.
"""

from __future__ import annotations

import time
from dataclasses import dataclass
from typing import Any, Callable

from trainer.engine.engine import Engine, EngineError, Turn
from trainer.engine.results import AttemptResult, summarize
from trainer.engine.state import State
from trainer.scenario.model import Scenario
from trainer.scoring.judgment import Judgment
from trainer.tui.records import Draft, Finished, Records, SavedAttempt

TOUCH_EVERY = 20.0  # seconds between activity notes while the trainee types


@dataclass(frozen=True)
class JudgeRequest:
    """Everything a worker needs to judge one response, copied out of the session."""

    text: str
    node: str
    rubrics: tuple[str, ...]
    scope: bool
    prompt: str = ""  # what the peer just said (Engine.prompt)
    context: str = ""  # what they said before that (Engine.context)
    asks: tuple[str, ...] = ()  # the flags whose answers the peer's line asks for (the turn's `asks`)
    not_needed: tuple[tuple[str, str], ...] = ()  # criteria the turn does not ask for, with why (`not_needed`)
    present: tuple[str, ...] = ()  # the names of the people in the scene (Scenario.cast_names)

    def run(self, scorer: Any) -> Judgment:
        return scorer.judge(self.text, self.rubrics, scope=self.scope, prompt=self.prompt, context=self.context,
                            asks=self.asks, not_needed=self.not_needed, present=self.present)


class PlaySession:
    def __init__(self, scenario: Scenario, scorer: Any, records: Records, attempt_id: Any, state: State,
                 flag_severity: Callable[[str], str | None] | None = None):
        self.scenario = scenario
        self.scorer = scorer
        self.engine = Engine(scenario, scorer)
        self.records = records
        self.attempt_id = attempt_id
        self.state = state
        self.flag_severity = flag_severity
        self.finished: Finished | None = None
        self.result_cache: AttemptResult | None = None
        self._touched = 0.0
        self.draft = ""  # the answer box's unsent words
        self._saved_draft = ""

    @classmethod
    def start(cls, scenario: Scenario, scorer: Any, records: Records, trainee_id: str, mode: str,
              flag_severity: Callable[[str], str | None] | None = None) -> "PlaySession":
        state = Engine(scenario, scorer).start(mode)
        attempt_id = records.begin(trainee_id, scenario, mode)
        session = cls(scenario, scorer, records, attempt_id, state, flag_severity)
        session.save()
        return session

    @classmethod
    def resume(cls, scenario: Scenario, scorer: Any, records: Records, saved: SavedAttempt,
               flag_severity: Callable[[str], str | None] | None = None) -> "PlaySession":
        """Continue a saved attempt; StaleState or StateError (with a message for people) if it cannot."""
        state = Engine(scenario, scorer).restore(saved.state)
        session = cls(scenario, scorer, records, saved.id, state, flag_severity)
        draft = saved.draft
        if draft is not None and (draft.node, draft.turns) == (state.node, state.turns) \
                and session.turn().kind == "respond":
            session.draft = session._saved_draft = draft.text
        return session

    # --- reading -------------------------------------------------------------------------

    @property
    def mode(self) -> str:
        return self.state.mode

    @property
    def practice(self) -> bool:
        return self.state.mode == "practice"

    def turn(self) -> Turn:
        return self.engine.turn(self.state)

    @property
    def can_undo(self) -> bool:
        return self.practice and bool(self.state.history)

    @property
    def can_judge(self) -> bool:
        return self.scorer is not None

    def result(self) -> AttemptResult:
        if self.result_cache is None:
            self.result_cache = summarize(self.scenario, self.state, self.flag_severity)
        return self.result_cache

    # --- moves (each saves) ---------------------------------------------------------------

    def _moved(self, state: State) -> None:
        self.state = state
        self.result_cache = None
        self.save()
        self.touch()

    def save(self) -> bool:
        draft = self._draft_to_save()
        saved = self.records.save_progress(
            self.attempt_id, self.state, Draft(self.state.node, self.state.turns, draft) if draft else None)
        if saved:
            self._saved_draft = draft
        return saved

    # --- the unsent words ------------------------------------------------------------------

    def set_draft(self, text: str) -> None:
        self.draft = text

    def _draft_to_save(self) -> str:
        return self.draft if self.draft.strip() and self.turn().kind == "respond" else ""

    @property
    def draft_unsaved(self) -> bool:
        return self._draft_to_save() != self._saved_draft

    def save_draft(self) -> bool:
        """Save the words in the box with the state, if they changed since the last save."""
        if not self.draft_unsaved:
            return True
        return self.save()

    def choose(self, number: int) -> None:
        self._moved(self.engine.choose(self.state, number))

    def judge_request(self, text: str) -> JudgeRequest:
        node = self.scenario.nodes[self.state.node]
        if self.state.finished or node.respond is None:
            raise EngineError("this turn offers choices, not a typed response")
        if not text.strip():
            raise EngineError("type a response first")
        if self.scorer is None:
            raise EngineError("scoring is not available, so typed responses cannot be judged right now")
        return JudgeRequest(text, node.id, prompt=Engine.prompt(self.state), context=Engine.context(self.state),
                            **self.scenario.judge_options(node.id))

    def respond_judged(self, request: JudgeRequest, judgment: Judgment) -> None:
        if request.node != self.state.node:
            raise EngineError("the conversation moved on before the response was judged")
        state = self.engine.respond_judged(self.state, request.text, judgment)
        self.draft = ""  # sent: the saved state no longer carries it
        self._moved(state)

    def hint(self) -> str:
        state, text = self.engine.hint(self.state)
        if text:
            self._moved(state)
        return text

    def undo(self) -> None:
        self._moved(self.engine.undo(self.state))

    def touch(self) -> None:
        self._touched = time.monotonic()
        self.records.touch(self.attempt_id)

    def touch_throttled(self, every: float = TOUCH_EVERY) -> None:
        """Note activity at most once per `every` seconds (keys arrive much faster)."""
        if time.monotonic() - self._touched >= every:
            self.touch()

    def finish(self) -> Finished | None:
        """Record the finished attempt once; later calls return the same answer."""
        if self.finished is None and self.state.finished:
            self.finished = self.records.finish(self.attempt_id, self.scenario, self.state, self.result()) or Finished()
        return self.finished

"""Shared helpers for the records tests: a tiny scenario, a movable clock, a played attempt."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

SCENARIO_YAML = """\
id: records-fixture
title: Records fixture
version: 2
themes: [scope-of-practice]
competencies: [engages-peers, provides-support]
estimated_minutes: 10
hour_category: ethics
summary: A three-turn scenario used by the records tests.
prebrief:
  role: You are a peer specialist.
  setting: A drop-in centre.
  policy: No medication advice.
  person: Sam.
objectives:
  - Set a warm, clear limit.
  - Offer an alternative that still helps.
characters:
  sam:
    name: Sam
start: opening
nodes:
  opening:
    lines:
      - sam: Should I stop my meds?
    hint: Name the limit and offer help.
    choices:
      - text: I can't advise on medication, but I can help you prepare questions for your prescriber.
        score: 1
        credit: {engages-peers: 1, provides-support: 1}
        goto: middle
      - text: Just stop them.
        score: 0
        flags: [medication-advice]
        goto: bad_end
  middle:
    lines:
      - sam: Okay. What would I ask?
    choices:
      - text: What worries you most about them?
        score: 1
        credit: {engages-peers: 1}
        goto: good_end
      - text: You should just trust the doctor.
        score: 0.3
        goto: ok_end
  good_end:
    ending: exemplary
    lines:
      - sam: Thanks.
  ok_end:
    ending: adequate
    lines:
      - sam: Fine.
  bad_end:
    ending: harmful
    lines:
      - sam: Really?
"""

T0 = dt.datetime(2025, 3, 3, 15, 0, tzinfo=dt.timezone.utc)


class Clock:
    def __init__(self, start: dt.datetime = T0):
        self.now = start

    def __call__(self) -> dt.datetime:
        return self.now

    def advance(self, **kw) -> None:
        self.now += dt.timedelta(**kw)


def load_fixture_scenario(folder: Path, *, minutes: int = 10, category: str = "ethics", scenario_id: str = "records-fixture"):
    from trainer.scenario.compiler import load_scenario

    text = SCENARIO_YAML.replace("estimated_minutes: 10", f"estimated_minutes: {minutes}")
    text = text.replace("hour_category: ethics", f"hour_category: {category}").replace("id: records-fixture", f"id: {scenario_id}")
    path = Path(folder) / f"{scenario_id}.yaml"
    path.write_text(text, "utf-8")
    scenario, diagnostics = load_scenario(path, None)
    assert scenario is not None, [d.render() for d in diagnostics]
    return scenario


def play(store, trainee_id, scenario, clock, *, choices=(1, 1), mode="practice", minutes_per_turn=4.0, finish=True):
    """Play an attempt through the store the way the app does; returns (attempt_id, state, finished or None)."""
    from trainer.engine.engine import Engine
    from trainer.engine.results import summarize

    engine = Engine(scenario, None)
    state = engine.start(mode)
    attempt_id = store.begin_attempt(trainee_id, scenario, mode)
    for n in choices:
        clock.advance(minutes=minutes_per_turn)
        state = engine.choose(state, n)
        store.save_progress(attempt_id, state)
    if not finish:
        return attempt_id, state, None
    result = summarize(scenario, state, lambda flag: "critical")
    return attempt_id, state, store.finish_attempt(attempt_id, scenario, state, result)

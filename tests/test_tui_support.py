"""Shared helpers for the TUI tests: fixture scenarios, a predictable scorer, a store with a
ticking clock, and app builders. Every app gets its own data folder under tmp_path."""

from __future__ import annotations

import asyncio
import datetime as dt
import functools
from pathlib import Path

from trainer.library import Library
from trainer.scenario.compiler import compile_text
from trainer.scoring.judgment import CriterionResult, Evidence, FlagResult, Judgment

# A system-navigation scenario whose text tries markup and terminal escapes on the app.
LETTER_YAML = r"""
id: fixture-letter
title: "Dana's [bold]letter[/bold]"
version: 1
themes: [system-navigation]
competencies: [engages-peers, links-to-resources]
estimated_minutes: 10
hour_category: peer-specific
summary: "Dana got a renewal letter. \e[31mRed?\e[0m"
prebrief:
  role: You are a peer specialist at a drop-in centre.
  setting: A quiet table near the window.
  policy: Help her do it herself; do not take over.
  person: Dana is 52 and worried about losing her benefits.
objectives:
  - Read the letter together.
  - Plan the phone call with her.
content_warnings: [possible loss of benefits]
characters:
  dana: {name: Dana}
start: opening
nodes:
  opening:
    lines:
      - narration: "Dana puts a letter on the table. [link=http://example.com]click[/link]"
      - dana: "They want papers by Friday. \e[31mI can't do this.\e[0m"
    hint: Offer to read it together.
    choices:
      - text: Want to read it together?
        score: 1
        credit: {engages-peers: 1}
        feedback: Doing it with her, not for her.
        goto: talk
      - text: Give it here, I'll sort it out.
        score: 0.2
        feedback: Taking over teaches nothing.
        goto: poor_end
  talk:
    lines:
      - dana: OK. What do I say when I call them?
    respond:
      prompt: What do you say to Dana?
      rubrics: []
      hint: Plan the call with her.
      model_responses:
        - Let's write down what you want to ask, then we can call together.
      routes:
        - flag: critical
          goto: harmful_end
        - score: {min: 0.5}
          goto: good_end
        - goto: ok_end
  good_end:
    ending: exemplary
    lines: [{dana: "Thanks. Let's call now."}]
    debrief: You planned the call with her instead of for her.
    model_responses: [Want to read it together? Then let's plan the call.]
  ok_end:
    ending: adequate
    lines: [{dana: I guess.}]
    debrief: It went fine.
  poor_end:
    ending: poor
    lines: [{narration: Dana looks away.}]
    debrief: Taking over teaches nothing.
  harmful_end:
    ending: harmful
    lines: [{narration: Dana frowns.}]
    debrief: That stepped outside the peer role.
"""

# A short scope-of-practice scenario, choices only, for assessment mode and the catalog.
LOAN_YAML = r"""
id: fixture-loan
title: Can I borrow twenty?
version: 1
themes: [scope-of-practice]
competencies: [engages-peers, supports-collaboration]
estimated_minutes: 5
hour_category: ethics
summary: Sam asks to borrow money until payday.
prebrief:
  role: You are a peer specialist.
  setting: After a group meeting.
  policy: No money, business or gifts between you and the people you support.
  person: Sam, 41, short on rent.
objectives: [Set a warm, clear limit and offer an alternative.]
characters:
  sam: {name: Sam}
start: ask
nodes:
  ask:
    lines:
      - sam: Could you spot me twenty until Friday?
    choices:
      - text: I can't lend money, but let's look at the emergency fund together.
        score: 1
        credit: {engages-peers: 1, supports-collaboration: 1}
        feedback: Warm, clear, and still helpful.
        goto: good
      - text: Sure, here you go.
        score: 0
        feedback: Lending money creates a dual relationship.
        goto: bad
  good:
    ending: exemplary
    lines: [{sam: OK. Where is the fund office?}]
    debrief: A clear limit with an alternative.
  bad:
    ending: harmful
    lines: [{narration: Sam pockets the money.}]
    debrief: Money between you changes the relationship.
"""

CREDIT_WORD = "together"
FLAG_WORDS = "stop taking"


class FakeScorer:
    """Credits "together" and flags "stop taking" (critical), with evidence offsets, like the real one."""

    def __init__(self):
        self.calls: list[str] = []

    def judge(self, text, rubrics, *, scope=True, prompt=None, context=None, asks=(), not_needed=(), present=()):
        self.calls.append(text)
        criteria, flags = [], []
        i = text.find(CREDIT_WORD)
        if i >= 0:
            criteria.append(CriterionResult("plans-together", "fixture", "links-to-resources", 1.0, True,
                                            "Plans the task together", (Evidence(CREDIT_WORD, i, i + len(CREDIT_WORD), CREDIT_WORD, 100.0),)))
        else:
            criteria.append(CriterionResult("plans-together", "fixture", "links-to-resources", 1.0, False,
                                            "Plans the task together"))
        j = text.find(FLAG_WORDS)
        if j >= 0:
            flags.append(FlagResult("medication-advice", "scope", "critical", "Medication advice",
                                    "That tells her what to do with a medication.",
                                    "Medication decisions belong to the person and their prescriber.",
                                    (Evidence(FLAG_WORDS, j, j + len(FLAG_WORDS), FLAG_WORDS, 100.0),),
                                    instead="Help her write questions for her prescriber."))
        score = 0.9 if i >= 0 else 0.3
        return Judgment(score=score, criteria=tuple(criteria), flags=tuple(flags),
                        feedback=("You planned it with her.",) if i >= 0 else ())


class BrokenScorer:
    def judge(self, text, rubrics, *, scope=True, prompt=None, context=None, asks=(), not_needed=(), present=()):
        raise RuntimeError("scorer exploded")


def compile_fixture(yaml_text: str, name: str = "fixture.yaml"):
    scenario, diagnostics = compile_text(yaml_text, name)
    assert scenario is not None, [d.render() for d in diagnostics]
    return scenario


def fixture_library(*texts: str) -> Library:
    texts = texts or (LETTER_YAML, LOAN_YAML)
    lib = Library()
    for i, text in enumerate(texts):
        s = compile_fixture(text, f"fixture-{i}.yaml")
        lib.scenarios[s.id] = s
        lib.files[s.id] = Path(f"fixture-{i}.yaml")
    return lib


class TickClock:
    """A clock that moves forward a fixed step each time it is read: engaged time without waiting."""

    def __init__(self, start=dt.datetime(2025, 3, 3, 9, 0, tzinfo=dt.timezone.utc), step=dt.timedelta(seconds=30)):
        self.now, self.step = start, step

    def __call__(self):
        self.now += self.step
        return self.now


def open_records(data_dir: Path, clock=None):
    from trainer.records.store import Store
    from trainer.tui.records import Records

    return Records(Store.open(data_dir, clock=clock or TickClock()))


def build_app(tmp_path: Path, *, library=None, scorer="fake", records=None, trainee=None, theme="textual-dark",
              with_trainee=False, clock=None):
    """The app on fixture scenarios with a real store in tmp_path/data (and a trainee signed in if asked)."""
    from trainer.tui.app import make_app

    data = tmp_path / "data"
    if records is None:
        records = open_records(data, clock)
    if with_trainee and trainee is None:
        trainee = records.add_trainee("Alex Rivera", "PA-1234")
    return make_app(library or fixture_library(), data_dir=data, scorer=FakeScorer() if scorer == "fake" else scorer,
                    records=records, trainee=trainee, theme=theme)


async def wait_idle(pilot, app):
    """Let workers finish and their messages land (no sleeping)."""
    await app.workers.wait_for_complete()
    await pilot.pause()
    await pilot.pause()


def async_test(fn):
    """Run an async pilot test without an async pytest plugin (none is in the test extras)."""

    @functools.wraps(fn)
    def run(*args, **kwargs):
        return asyncio.run(fn(*args, **kwargs))

    return run

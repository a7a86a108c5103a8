"""A response answers a line: where the peer asked for ideas, an idea is not unsolicited advice."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from trainer.engine.engine import Engine
from trainer.scenario.compiler import load_scenario
from trainer.scoring.judgment import Judgment
from trainer.scoring.rubrics import bundled_rubric_set
from trainer.scoring.scorer import Scorer, asks_for_ideas

ROOT = Path(__file__).resolve().parent.parent


@pytest.fixture(scope="module")
def scorer():
    return Scorer(bundled_rubric_set())


@pytest.mark.parametrize("prompt, asked", [
    ("What do I even write?", "What do I even write?"),
    ("I've been staring at this form for an hour. What should I say?", "What should I say?"),
    ("I dont know what to do anymore.", "I dont know what to do anymore."),
    ("Should I call her? She hung up last time.", "Should I call her?"),
    ("Any ideas? I'm stuck.", "Any ideas?"),
    ("what would you do if you were me", "what would you do if you were me"),
    ("How do I even start with that? It feels huge.", "How do I even start with that?"),
    ("Can I be honest with you? I drank on Friday.", None),
    ("What did you say to your sister when you got out?", None),
    ("My mom always says I should just try harder.", None),
    ("I keep wondering what I should do. It's a lot.", None),
    ("", None),
])
def test_asking_for_ideas_is_recognised(prompt, asked):
    assert asks_for_ideas(prompt) == asked


ADVICE = "You could start with the flat feeling you told me about, and how long it has been going on."


def test_an_idea_they_asked_for_is_not_unsolicited(scorer):
    assert "unsolicited-advice" in scorer.judge(ADVICE, ["peer-core"]).flag_ids
    j = scorer.judge(ADVICE, ["peer-core"], prompt="What do I even write? I've been at this form for an hour.")
    assert "unsolicited-advice" not in j.flag_ids
    assert any(line.startswith("Not counted as unsolicited advice:") and "What do I even write?" in line
               for line in j.feedback)
    # a line that does not ask changes nothing
    assert "unsolicited-advice" in scorer.judge(ADVICE, ["peer-core"], prompt="The form is due Friday.").flag_ids


def test_being_asked_does_not_excuse_medication_advice(scorer):
    j = scorer.judge("Honestly yeah, just stop taking them for a week and see.", ["peer-core"],
                     prompt="Should I stop my meds? They make me so tired.")
    assert "medication-advice" in j.flag_ids


def test_the_engine_passes_the_peers_last_lines_to_the_scorer():
    scenario, diagnostics = load_scenario(ROOT / "scenarios" / "stigma-why-bother.yaml")
    assert scenario is not None, diagnostics

    class Recorder:
        prompts: list = []

        def judge(self, text, rubrics, *, scope=True, prompt=None):
            self.prompts.append(prompt)
            return Judgment.synthetic_result(0.8)

    recorder = Recorder()
    engine = Engine(scenario, recorder)
    state = engine.choose(engine.start(), 1)
    assert engine.turn(state).kind == "respond"
    expected = [e["text"] for e in state.transcript if e["kind"] == "line" and e.get("speaker")]
    engine.respond(state, "What would make it worth it for you?")
    assert recorder.prompts and recorder.prompts[0]
    assert recorder.prompts[0].split("\n")[-1] == expected[-1]
    assert expected[0] not in recorder.prompts[0]  # the opening lines came before the trainee's first move


def test_json_lines_take_a_prompt():
    lines = [{"text": ADVICE}, {"text": ADVICE, "prompt": "What should I say?"}]
    out = subprocess.run([sys.executable, "-m", "trainer", "score", "--rubric", "peer-core", "--jsonl"],
                         input="".join(json.dumps(x) + "\n" for x in lines), capture_output=True, text=True,
                         cwd=ROOT, check=True)
    first, second = (json.loads(x) for x in out.stdout.splitlines())
    assert "unsolicited-advice" in first["flags"] and "unsolicited-advice" not in second["flags"]

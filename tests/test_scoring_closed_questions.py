"""`closed-questions`: domain.md's soft flag for strings of closed questions, raised by the response's
shape (`question_run` in the rubric format), not by its words."""

from __future__ import annotations

import pytest

from trainer.scoring.rubrics import bundled_rubric_set, load_rubric
from trainer.scoring.scorer import Scorer, _closed_question_run
from trainer.scoring.text import tokenize


@pytest.fixture(scope="module")
def scorer() -> Scorer:
    return Scorer(bundled_rubric_set())


@pytest.fixture(scope="module")
def rules() -> Scorer:
    return Scorer(bundled_rubric_set(), semantic=False, reader=False)


def run(text, at_least=3):
    found = _closed_question_run(tokenize(text), at_least)
    return None if found is None else found[1]


@pytest.mark.parametrize("text, count", [
    ("Did you go to the meeting? Did you call your sponsor? Are you sleeping ok?", 3),
    ("Are you sleeping okay? Eating? Going to your meetings?", 3),  # elliptic questions count
    ("did u go to group. did u call ur sponsor. r u eating", 3),  # texting drops the "?"
    ("When's your court date? How many days until then? What time is it at?", 3),  # one fact each
    ("Did you go? I'm asking because I care. Did you call? Did you eat?", 3),  # a statement does not break it
    ("How are you? Did you go? Did you call? Did you eat? Did you sleep?", 4),  # the run after the open one
])
def test_a_run_of_closed_questions_is_counted(text, count):
    assert run(text) == count


@pytest.mark.parametrize("text", [
    "Did you go? Did you call?",  # two
    "Did you go? Did you call? How did it go?",  # broken by an open question
    "Did you go? What was it like? Did you call? Will you go back?",
    "That sounds hard. Want me to come with you? Can I share something? Would that be okay?",  # offers, permission
    "It's rough, right? Yeah? Okay?",  # tags
    "I went to the meeting. I called my sponsor. I ate breakfast.",  # no questions
    "",
])
def test_no_run(text):
    assert run(text) is None


def test_the_flag_shows_the_run_and_says_how_many(scorer):
    text = "Glad you came. Did you get the letter? Did you read it? Do you know the deadline?"
    j = scorer.judge(text, ["peer-core"])
    [flag] = [f for f in j.flags if f.id == "closed-questions"]
    assert flag.severity == "soft" and flag.penalty > 0
    [e] = flag.evidence
    assert e.words == "Did you get the letter? Did you read it? Do you know the deadline"
    assert text[e.start:e.end] == e.words
    assert e.indicator == "3 closed questions in a row"


def test_it_lowers_the_score_and_explains_itself(scorer):
    base = "Did you get the letter? Did you read it?"
    more = base + " Do you know the deadline?"
    a, b = scorer.judge(base, ["peer-core"]), scorer.judge(more, ["peer-core"])
    assert "closed-questions" not in a.flag_ids and "closed-questions" in b.flag_ids
    assert any("interview" in line for line in b.feedback)


@pytest.mark.parametrize("text", [
    "Are you thinking about killing yourself? Do you have a plan? Is anyone with you right now?",
    "Are you safe tonight? Do you have the pills with you? Is your sister home?",
    "r u thinking about suicide? do u have a plan? is anyone there w u",
])
def test_asking_straight_out_about_safety_is_not_an_interview(scorer, text):
    j = scorer.judge(text, ["peer-core"])
    assert "closed-questions" not in j.flag_ids
    assert any("Not counted as closed questions" in line for line in j.feedback)


def test_the_rules_alone_raise_it_and_the_semantic_channel_never_does(rules, scorer):
    text = "Did you go to the meeting? Did you call your sponsor? Are you sleeping ok?"
    assert "closed-questions" in rules.judge(text, ["peer-core"]).flag_ids
    # a response worded like the labelled strings, but one question: the nearest examples carry the
    # flag, and the shape does not
    one = "Did you go to the meeting and call your sponsor and sleep ok?"
    assert "closed-questions" not in scorer.judge(one, ["peer-core"]).flag_ids
    index = scorer.semantic_index()
    if index is not None:
        assert "closed-questions" not in {f.id for f in scorer._semantic_flags(tokenize(one), ["scope"], set(), None)}


RUBRIC = """\
id: interview
title: Interview
version: 1
criteria:
  - id: asks
    competency: engages-peers
    description: Asks.
    weight: 1
    indicators: ["what"]
flags:
  - id: grilling
    severity: soft
    description: Grills.
    question_run:
      at_least: {n}
    feedback: Grilling.
    why: Because.
calibration:
  examples:
    - text: "Did you? Are you?"
      flags: [grilling]
"""


def test_a_rubric_can_use_question_run_alone(tmp_path):
    path = tmp_path / "interview.yaml"
    path.write_text(RUBRIC.format(n=2))
    rubric, diagnostics = load_rubric(path)
    assert [d for d in diagnostics if d.severity.name == "ERROR" or d.code == "PT308"] == []
    assert rubric.flags[0].question_run.at_least == 2


def test_question_run_is_checked_by_the_schema(tmp_path):
    path = tmp_path / "interview.yaml"
    path.write_text(RUBRIC.format(n=1))
    rubric, diagnostics = load_rubric(path)
    bad = [d for d in diagnostics if d.severity.name == "ERROR"]
    assert rubric is None and bad and "at_least" in " ".join(str(d.message) for d in bad)


def test_score_prints_the_run_not_a_phrase(capsys):
    from trainer.cli import main

    assert main(["score", "--rubric", "peer-core", "Did you go? Did you call? Did you eat?"]) == 0
    out = capsys.readouterr().out
    assert '! closed-questions [soft]  "Did you go? Did you call? Did you eat"  (3 closed questions in a row)' in out

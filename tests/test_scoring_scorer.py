"""The scorer: near-misses from domain.md, typos, stuffing, the score formula, feedback, overrides."""

from __future__ import annotations

import json

import pytest

from trainer.scoring.formula import CRITICAL_CAP, STUFFING_CAP, compute_score
from trainer.scoring.judgment import CriterionResult, FlagResult, Judgment, Override
from trainer.scoring.overrides import apply_overrides
from trainer.scoring.rubrics import bundled_rubric_set
from trainer.scoring.scorer import Scorer, default_scorer


@pytest.fixture(scope="module")
def scorer() -> Scorer:
    return Scorer(bundled_rubric_set())


@pytest.fixture(scope="module")
def rules() -> Scorer:
    """The phrase rules alone, built once for the module."""
    return Scorer(bundled_rubric_set(), semantic=False, reader=False)


def flags(scorer, text, rubrics=("peer-core",)):
    return set(scorer.judge(text, list(rubrics)).flag_ids)


def met(scorer, text):
    return set(scorer.judge(text, ["peer-core"], scope=False).met_ids)


# --- the near-misses domain.md names -------------------------------------------------------------


@pytest.mark.parametrize(
    "text, wrong_flag",
    [
        ("I would never tell you to stop your medication.", "medication-advice"),
        ("I won't tell you to stop taking it.", "medication-advice"),
        ("You said your sister called you 'crazy'.", "stigmatizing-language"),
        ("You said your sister called you crazy. That must have hurt.", "stigmatizing-language"),
        ("I can't promise to keep everything private.", "secrecy-promise"),
        ("My brother died by suicide.", "stigmatizing-language"),
        ("People living with schizophrenia work and raise families.", "stigmatizing-language"),
        ("People living with schizophrenia work and raise families.", "diagnosing"),
        ("I'm not a doctor so I can't say whether you're bipolar.", "diagnosing"),
        ("I can't lend you money, but we can look at emergency assistance together.", "dual-relationship"),
        ("I can't promise you'll get approved.", "unwarranted-promise"),
        ("I'm not able to confirm whether anyone receives services here.", "third-party-disclosure"),
        ("Nobody can force you to go to treatment.", "coercion"),
        ("That's kind, but I can't accept gifts.", "significant-gift"),
        ("I'm not saying it's no big deal.", "minimizing"),
        ("Do you think you might have anxiety?", "diagnosing"),
        ("I wish I could tell you it'll be approved. I honestly don't know.", "unwarranted-promise"),
        ("Come on in, grab a seat. How did the week treat you?", "arguing"),
    ],
)
def test_correct_forms_and_negations_are_not_flagged(scorer, text, wrong_flag):
    assert wrong_flag not in flags(scorer, text)


@pytest.mark.parametrize(
    "text, flag",
    [
        ("You should stop taking your medication.", "medication-advice"),
        ("My uncle committed suicide.", "stigmatizing-language"),
        ("He's such a junkie.", "stigmatizing-language"),
        ("I promise I won't tell anyone.", "secrecy-promise"),
        ("Sounds like you're bipolar.", "diagnosing"),
        ("Sure, I can lend you twenty bucks.", "dual-relationship"),
        ("You'll definitely get approved.", "unwarranted-promise"),
        ("Yes, he's been coming to group every week.", "third-party-disclosure"),
        ("If you don't go to detox I'll call your probation officer.", "coercion"),
        ("Let me buy you a new phone.", "significant-gift"),
        ("You don't really mean that.", "harm-risk-dismissed"),
        ("Everyone gets sad sometimes.", "minimizing"),
        ("Cheer up!", "cheerleading"),
        ("That's not true, you're wrong.", "arguing"),
        ("It sounds like suicidal ideation.", "clinical-jargon"),
        ("Mine was way worse.", "long-self-disclosure"),
        ("Why don't you just call them?", "unsolicited-advice"),
    ],
)
def test_the_plain_forms_are_flagged(scorer, text, flag):
    assert flag in flags(scorer, text)


def test_excused_matches_are_explained_in_the_feedback(scorer):
    judgment = scorer.judge("You said your sister called you 'crazy'.", ["peer-core"])
    assert any("Not counted as stigmatizing language" in line and "'crazy'" in line for line in judgment.feedback)
    judgment = scorer.judge("I would never say you should stop taking your meds.", [])
    assert "medication-advice" not in judgment.flag_ids
    assert any("Not counted as medication advice" in line and "negated" in line for line in judgment.feedback)


# --- typos and texting ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    "text, flag",
    [
        ("u shud def quit taking the lithium", "medication-advice"),
        ("you shoud stopp taking the medicaton", "medication-advice"),
        ("i wont tell anybody i swear", "secrecy-promise"),
        ("ur gonna get aproved 100%", "unwarranted-promise"),
        ("ya ur prolly bipolar", "diagnosing"),
        ("u can borow some cash from me no prob", "dual-relationship"),
    ],
)
def test_typos_and_texting_still_raise_flags(scorer, text, flag):
    assert flag in flags(scorer, text)


@pytest.mark.parametrize(
    "text, criterion",
    [
        ("sounds like ur feelin really overwhelmd", "reflects-feeling"),
        ("wat do u think would help", "open-question"),
        ("thats totaly understandable", "validates"),
        ("i beleive in u, recovry is posible", "conveys-hope"),
        ("i been there too", "shares-experience"),
        ("its ur choice", "supports-choice"),
        ("we cud call 988 together", "links-resources"),
    ],
)
def test_typos_and_texting_still_meet_criteria(scorer, text, criterion):
    assert criterion in met(scorer, text)


# --- keyword stuffing ------------------------------------------------------------------------------

STUFFED = ("I hear you. That makes sense. Recovery is possible. What do you think? It's your choice. "
           "I've been there. Call 988.")


def test_a_list_of_rubric_phrases_is_marked_and_credit_is_bounded(scorer):
    judgment = scorer.judge(STUFFED, ["peer-core"], scope=False)
    assert judgment.stuffing
    assert len(judgment.met_ids) <= 3
    assert judgment.score <= STUFFING_CAP
    uncredited = [c for c in judgment.criteria if not c.met and c.evidence]
    assert uncredited and all("not credited" in e.note for c in uncredited for e in c.evidence)
    assert any("list of rubric phrases" in line for line in judgment.feedback)


def test_a_run_on_chain_of_phrases_is_stuffing_too(scorer):
    text = ("I totally hear you and it makes so much sense and honestly recovery is possible and I have been there "
            "too and it is your choice so what do you think and you can call 988")
    judgment = scorer.judge(text, ["peer-core"], scope=False)
    assert judgment.stuffing and len(judgment.met_ids) == 3


@pytest.mark.parametrize("text", [
    "That sounds really scary. You're not alone, and you've gotten through hard things. What would help right now? "
    "We could call the warmline together if you want.",
    "That's so frustrating, anyone would be mad. I went through it too and it got better. What do you want to do? "
    "We can call 988 together if you'd like.",
])
def test_a_compact_natural_reply_meeting_five_criteria_is_not_stuffing(scorer, text):
    judgment = scorer.judge(text, ["peer-core"], scope=False)
    assert len(judgment.met_ids) >= 5
    assert not judgment.stuffing
    assert judgment.score > STUFFING_CAP


def test_a_comma_list_of_phrases_is_stuffing(scorer):
    text = "makes sense, ur choice, recovery is possible, what do u think, ive been there, call 988, sounds hard"
    assert scorer.judge(text, ["peer-core"], scope=False).stuffing


def test_repeating_one_phrase_counts_once(scorer):
    once = scorer.judge("That makes sense.", ["peer-core"], scope=False)
    many = scorer.judge("That makes sense. " * 20, ["peer-core"], scope=False)
    assert once.met_ids == many.met_ids == ["validates"]
    assert once.score == many.score


def test_a_short_response_cannot_meet_many_criteria(scorer):
    judgment = scorer.judge("makes sense, ur choice, recovery is possible", ["peer-core"], scope=False)
    assert len(judgment.met_ids) == 2 + 7 // 8
    assert any("7 words can meet at most 2 criteria" in e.note for c in judgment.criteria for e in c.evidence)


def test_a_real_good_response_is_not_called_stuffing(scorer):
    text = ("It sounds like that letter really scared you, and that makes sense after everything you've been "
            "through. You've gotten through hard things before. What feels most urgent to you right now? If you "
            "want, we could call the benefits office together.")
    judgment = scorer.judge(text, ["peer-core"])
    assert not judgment.stuffing
    assert {"reflects-feeling", "validates", "conveys-hope", "open-question", "supports-choice",
            "links-resources"} <= set(judgment.met_ids)
    assert judgment.flag_ids == []


# --- the score formula ------------------------------------------------------------------------------


def test_score_is_weighted_share_minus_soft_penalties_capped_by_critical():
    c = [CriterionResult("a", "r", "engages-peers", 2.0, True), CriterionResult("b", "r", "engages-peers", 1.0, False),
         CriterionResult("c", "r", "provides-support", 1.0, True)]
    assert compute_score(c, []) == 0.75
    soft = FlagResult("minimizing", "scope", "soft", penalty=0.1)
    assert compute_score(c, [soft, soft]) == 0.65, "a soft flag is counted once"
    critical = FlagResult("coercion", "scope", "critical")
    assert compute_score(c, [critical]) == CRITICAL_CAP
    assert compute_score([], []) == 1.0, "scope alone, no flags: nothing wrong"
    assert compute_score([], [critical]) == CRITICAL_CAP


def test_full_credit_and_rubrics_averaged():
    a = [CriterionResult(f"a{i}", "ra", "engages-peers", 1.0, i < 2) for i in range(7)]
    b = [CriterionResult(f"b{i}", "rb", "provides-support", 1.0, i < 1) for i in range(4)]
    assert compute_score(a, [], {"ra": 2.5}) == 0.8
    assert compute_score(a, [], {"ra": 1.0}) == 1.0, "capped at 1"
    assert compute_score(a + b, [], {"ra": 2.5}) == round((0.8 + 0.25) / 2, 4), "each rubric counts once"
    assert compute_score(a, [], {"ra": 99}) == round(2 / 7, 4), "full credit beyond the total weight is the total"
    assert compute_score(a, [], {"ra": 1.0}, stuffing=True) == STUFFING_CAP


def test_judge_applies_the_formula():
    # peer-core's full_credit is 2.5: two of its skills in one turn is already strong. The phrase rules
    # alone, so that what is met and raised is the rubric's, not a model's changing reading.
    scorer = Scorer(bundled_rubric_set(), semantic=False, reader=False)
    judgment = scorer.judge("That makes sense. What would help?", ["peer-core"])
    assert judgment.score == round(2 / 2.5, 4)
    judgment = scorer.judge("That makes sense. Everyone gets sad sometimes.", ["peer-core"])
    assert judgment.met_ids == ["validates"] and judgment.flag_ids == ["minimizing"]
    assert judgment.score == round(1 / 2.5 - 0.1, 4)
    judgment = scorer.judge("That makes sense, and you should stop your meds.", ["peer-core"])
    assert judgment.critical and judgment.score <= CRITICAL_CAP


def test_scope_is_added_unless_turned_off(scorer):
    assert scorer.judge("hi", ["peer-core"]).rubrics == ("peer-core", "scope")
    assert scorer.judge("hi", ["peer-core"], scope=False).rubrics == ("peer-core",)
    assert "medication-advice" not in scorer.judge("stop your meds", ["peer-core"], scope=False).flag_ids
    with pytest.raises(KeyError):
        scorer.judge("hi", ["no-such-rubric"])


@pytest.mark.parametrize("text", ["", "   ", "\x00\x1b[31m", "a" * 20000, "?" * 500, "\U0001f600" * 50])
def test_odd_input_is_judged_without_error(scorer, text):
    judgment = scorer.judge(text, ["peer-core"])
    assert 0.0 <= judgment.score <= 1.0


# --- evidence and feedback ------------------------------------------------------------------------


def test_evidence_quotes_the_trainees_own_words_with_offsets(scorer):
    text = "Honestly U SHOULD stop taking ur meds."
    judgment = scorer.judge(text, [])
    flag = judgment.flag("medication-advice")
    e = flag.evidence[0]
    assert text[e.start:e.end] == e.words
    assert "stop taking ur meds" in e.words
    assert 0 < e.similarity <= 100
    line = next(f for f in judgment.feedback if f.startswith("Critical - medication-advice"))
    assert f"You said '{e.words}'" in line and "prescriber" in line


def test_met_criteria_are_explained_and_missed_ones_suggest_what_to_try(scorer):
    judgment = scorer.judge("That makes sense.", ["peer-core"])
    assert any(line.startswith("Met - validates: You said 'That makes sense'") for line in judgment.feedback)
    assert any(line.startswith("Not yet - open-question") for line in judgment.feedback)


# --- JSON and overrides ---------------------------------------------------------------------------


def test_judgment_round_trips_through_json(scorer):
    judgment = scorer.judge(STUFFED + " You should stop your meds.", ["peer-core"])
    again = Judgment.from_dict(json.loads(json.dumps(judgment.to_dict())))
    assert again == judgment
    assert again.met_ids == judgment.met_ids and again.flag_ids == judgment.flag_ids
    assert Judgment.from_dict({"score": 0.5}).stuffing is False


def test_overrides_keep_the_reason_and_recompute_the_score(scorer):
    judgment = scorer.judge("That makes sense. You should stop your meds.", ["peer-core"])
    assert judgment.critical
    corrected = apply_overrides(judgment, [
        Override("flag", "medication-advice", False, "they were quoting their doctor", by="instructor"),
        Override("criterion", "open-question", True, "the question was in the next line"),
    ], rubric_set=bundled_rubric_set())
    assert "medication-advice" not in corrected.flag_ids
    assert [f.overridden for f in corrected.dismissed_flags if f.id == "medication-advice"] == [
        "they were quoting their doctor"]
    assert corrected.criterion("open-question").met and corrected.criterion("open-question").overridden
    assert corrected.score == compute_score(corrected.criteria, corrected.flags, dict(corrected.full_credit),
                                            stuffing=corrected.stuffing)
    assert corrected.score > judgment.score
    assert len(corrected.overrides) == 2
    raised = apply_overrides(corrected, [Override("flag", "coercion", True, "tone was a threat")],
                             rubric_set=bundled_rubric_set())
    assert raised.critical and raised.flag("coercion").overridden == "tone was a threat"
    again = Judgment.from_dict(json.loads(json.dumps(raised.to_dict())))
    assert again == raised
    with pytest.raises(ValueError):
        apply_overrides(judgment, [Override("rubric", "x", True, "?")])


def test_default_scorer_is_built_once():
    assert default_scorer() is default_scorer()


def test_a_raised_flag_carries_what_to_do_instead_apart_from_what_was_wrong(scorer):
    """The debrief labels `instead` "Instead:"; the flag's feedback says what the words did."""
    judgment = scorer.judge("honestly if i were you i'd just quit the sertraline for a couple weeks", ["peer-core"])
    flag = next(f for f in judgment.flags if f.id == "medication-advice")
    rubric_flag = scorer.rubric_set.get("scope").flag("medication-advice")
    assert flag.instead == rubric_flag.instead.strip() and flag.instead
    assert flag.feedback == rubric_flag.feedback and flag.instead not in flag.feedback
    assert Judgment.from_dict(json.loads(json.dumps(judgment.to_dict()))) == judgment
    stored_before = {k: v for k, v in flag.__dict__.items() if k != "instead"} | {"evidence": []}
    assert Judgment.from_dict({"score": 0.2, "flags": [stored_before]}).flags[0].instead == ""


def test_flag_texts_from_folded_yaml_blocks_carry_no_trailing_newline(scorer):
    for rubric in scorer.rubric_set:
        for flag in rubric.flags:
            assert flag.why == flag.why.strip() and flag.instead == flag.instead.strip(), (rubric.id, flag.id)
            assert flag.feedback == flag.feedback.strip(), (rubric.id, flag.id)


# --- yields_to: a threat is coercion, not also advice ------------------------------------------------


@pytest.mark.parametrize("text, stronger", [
    ("Go to the appointment, if you miss it I'm closing your file.", "coercion"),
    ("Stop putting yourself down like that, you know that's not true!", "arguing"),
])
def test_advice_gives_way_to_the_flag_it_yields_to(rules, text, stronger):
    scorer = rules
    j = scorer.judge(text, ["peer-core"])
    assert stronger in j.flag_ids and "unsolicited-advice" not in j.flag_ids
    assert any(line.startswith("Not counted as unsolicited advice:") and stronger.replace("-", " ") in line
               for line in j.feedback)
    # the same imperative beside a threat in another sentence is still advice
    other = scorer.judge("You should call your sister tonight. " + text, ["peer-core"])
    assert {"unsolicited-advice", stronger} <= set(other.flag_ids)
    assert [e.words for f in other.flags if f.id == "unsolicited-advice" for e in f.evidence] == ["You should"]


@pytest.mark.parametrize("text, stronger, held", [
    # advice in so many words stands inside a threat or an argument (the labelling convention)
    ("You need to go to group whether you like it or not, no discussion.", "coercion", "You need to go"),
    ("If I were you I'd sign the plan, because if you don't I'm calling your PO.", "coercion", "If I were you"),
    ("Come on, that's not true, stop putting yourself down and you should apply anyway.", "arguing", "you should"),
])
def test_advice_in_so_many_words_holds_against_the_flag_it_yields_to(rules, text, stronger, held):
    j = rules.judge(text, ["peer-core"])
    assert {stronger, "unsolicited-advice"} <= set(j.flag_ids)
    # only the held words stay as evidence: a bare imperative beside them ("stop putting") still gives way
    assert [e.words for f in j.flags if f.id == "unsolicited-advice" for e in f.evidence] == [held]


def test_a_pep_talk_imperative_is_advice_as_well_as_cheerleading():
    # the writers label "try to look on the bright side" both (10 of 13 in the tuning slice)
    from trainer.scoring.rubrics import bundled_rubric_set
    from trainer.scoring.scorer import Scorer

    scorer = Scorer(bundled_rubric_set(), semantic=False, reader=False)
    j = scorer.judge("Stay positive and try writing down three good things every night", ["peer-core"])
    assert {"cheerleading", "unsolicited-advice"} <= set(j.flag_ids)
    assert "unsolicited-advice" not in scorer.judge("Stay positive, you've got this!", ["peer-core"]).flag_ids


def _advice_and_coercion(tmp_path, advice_extra: str):
    """A rubric of two flags, 'advice' (its settings after line 11 are `advice_extra`) and 'coercion'."""
    from trainer.scoring.rubrics import load_rubric

    path = tmp_path / "r.yaml"
    path.write_text("""id: r
title: R
version: "1"
criteria: []
flags:
  - id: advice
    severity: soft
    description: Advice.
    feedback: That advises.
    why: Because.
    indicators: ["you should"]
""" + advice_extra + """  - id: coercion
    severity: critical
    description: Threats.
    feedback: That threatens.
    why: Because.
    indicators: ["or else"]
""", encoding="utf-8")
    return load_rubric(path)


def test_holds_compile_and_need_yields_to(tmp_path):
    rubric, diagnostics = _advice_and_coercion(tmp_path, '    yields_to: [coercion]\n    holds: ["you (should|must"]\n')
    assert rubric is None and [(d.code, d.line) for d in diagnostics] == [("PT305", 13)]
    rubric, diagnostics = _advice_and_coercion(tmp_path, '    holds: ["you (should|must)"]\n')
    assert rubric is not None and rubric.flags[0].holds == ("you (should|must)",)
    assert [(d.code, d.line, d.severity.value) for d in diagnostics] == [("PT308", 12, "warning")]


def test_yields_to_must_name_another_flag(tmp_path):
    rubric, diagnostics = _advice_and_coercion(tmp_path, "    yields_to: [coercian]\n")
    assert rubric is None
    assert [(d.code, d.line, d.hint) for d in diagnostics] == [("PT303", 12, "did you mean 'coercion'?")]


def test_what_was_missed_is_listed_heaviest_first(rules):
    """The coach shows three misses. At a navigation turn (peer-core and navigation-with) the theme's weightier
    criteria are what the turn is about; in rubric order, breaks-into-steps came seventh and was never shown."""
    judged = rules.judge("That sounds like a lot, Dale. Ten days is tight.", ["peer-core", "navigation-with"], scope=False)
    missed = [line.split(":")[0].removeprefix("Not yet - ") for line in judged.feedback if line.startswith("Not yet - ")]
    weights = {c.id: c.weight for c in judged.criteria}
    assert missed[0] == "keeps-person-in-charge" and set(missed[1:3]) == {"offers-together", "breaks-into-steps"}
    assert [weights[m] for m in missed] == sorted((weights[m] for m in missed), reverse=True)
    assert missed.index("reflects-feeling") < missed.index("open-question")  # equal weights keep the rubric's order

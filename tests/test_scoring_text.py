"""Normalisation: what the trainee typed becomes comparable words that still point at their text."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from trainer.scoring.patterns import PatternError, compile_pattern
from trainer.scoring.text import normalize_phrase, tokenize


def norms(text: str) -> str:
    return " ".join(t.norm for t in tokenize(text).tokens)


@pytest.mark.parametrize(
    "typed, expected",
    [
        ("I won't tell u to stop", "i will not tell you to stop"),
        ("i cant promise", "i can not promise"),
        ("You're not alone", "you are not alone"),
        ("ur gonna be ok", "you are going to be okay"),
        ("ur meds", "your meds"),
        ("your going to make it", "you are going to make it"),
        ("ya ur prolly bipolar", "you you are probably bipolar"),
        ("idk tbh", "i do not know to be honest"),
        ("Your daughter's in our program", "your daughter is in our program"),
        ("my sister's car", "my sister car"),
        ("it's been hard", "it has been hard"),
        ("that must of been so hard", "that must have been so hard"),
        ("ill buy u a bike", "i will buy you a bike"),
        ("i feel ill today", "i feel ill today"),
        ("id just skip the night dose", "i would just skip the night dose"),
        ("if it was me id call her", "if it was me i would call her"),
        ("bring your id just in case", "bring your id just in case"),
        ("show id to get in", "show id to get in"),
        ("stop bein so dramatic, ur just trippin", "stop being so dramatic you are just tripping"),
        ("nobody's on your side", "no one is on your side"),
        # a stem with its own spelling keeps it before "'s", as a phrase with the bare word reads it
        ("everybody's been there", "everyone has been there"),
        ("not on anybody's schedule", "not on anyone schedule"),
        ("I can lend you $20", "i can lend you money"),
        ("sounds like ur feelin stuck", "sounds like you are feeling stuck"),
        ("What\u2019s up?", "what is up"),
        # "your bipolar" names their condition after "how has", "for" or before "talking"; else it is "you're"
        ("How has your bipolar been lately?", "how has your bipolar been lately"),
        ("the appointments are for your bipolar", "the appointments are for your bipolar"),
        ("that's your bipolar talking", "that is your bipolar talking"),
        ("i think your bipolar", "i think you are bipolar"),
        ("i wud nevr tell u, nvr", "i would never tell you never"),
        ("r u thinking about killing urself? not more real than urs", "are you thinking about killing yourself not more real than yours"),
    ],
)
def test_contractions_and_texting_spellings(typed, expected):
    assert norms(typed) == expected


def test_tokens_keep_the_span_of_the_original_words():
    text = "Honestly, u SHOULD stop taking ur meds!"
    tt = tokenize(text)
    should = next(i for i, t in enumerate(tt.tokens) if t.norm == "should")
    meds = next(i for i, t in enumerate(tt.tokens) if t.norm == "meds")
    assert tt.words(should - 1, meds + 1) == "u SHOULD stop taking ur meds"


def test_sentences_clauses_and_questions():
    tt = tokenize("I hear you. What would help, if anything? Okay")
    assert tt.sentence_ends == (".", "?", "")
    assert tt.is_question(1) and not tt.is_question(0)
    clauses = {t.norm: t.clause for t in tt.tokens}
    assert clauses["if"] != clauses["help"], "a comma starts a new clause"
    tt = tokenize("i'm not a doctor but you should stop")
    assert tt.tokens[0].clause != tt.tokens[-1].clause, "'but' starts a new clause"


@pytest.mark.parametrize("text, ends", [
    # "..." trailing into a lower-case word goes on with the sentence, as a clause break
    ("Nobody finds out from me... unless you're in danger.", (".",)),
    ("nobody finds out from me\u2026 unless ur in danger", ("",)),
    # before a capital, or at the end, it ends one; "\u2026" is the same as "..."
    ("I hear you... That sounds hard.", (".", ".")),
    ("I hear you\u2026 That sounds hard", (".", "")),
    ("Did you go...?", ("?",)),
    ("okay...", (".",)),
])
def test_an_ellipsis_ends_a_sentence_only_before_a_capital(text, ends):
    tt = tokenize(text)
    assert tt.sentence_ends == ends
    if len(ends) == 1 and len(tt.tokens) > 4:
        unless = next(t for t in tt.tokens if t.norm == "unless")
        assert unless.clause != tt.tokens[0].clause, "it is still a clause break"


def test_quotation_marks_are_tracked_but_apostrophes_are_not_quotes():
    tt = tokenize("You said your sister called you 'crazy'. Don't \u201cjunkie\u201d me")
    quoted = {t.norm for t in tt.tokens if t.quoted}
    assert quoted == {"crazy", "junkie"}


def test_word_count_counts_what_was_typed():
    assert tokenize("I can't, I won't").word_count == 4
    assert tokenize("").tokens == ()
    assert tokenize("   ...!!  ").tokens == ()


@settings(max_examples=300, deadline=None)
@given(st.text(max_size=300))
def test_tokenize_never_fails_and_spans_point_into_the_text(text):
    tt = tokenize(text)
    for t in tt.tokens:
        assert 0 <= t.start < t.end <= len(text)
        assert t.norm


@settings(max_examples=300, deadline=None)
@given(st.text(alphabet=st.sampled_from(list("ab ()|?{}*^$._.")), max_size=40))
def test_compiling_any_indicator_either_works_or_raises_pattern_error(source):
    try:
        compile_pattern(source, {"ab": ["a b"]})
    except PatternError as exc:
        assert exc.code.startswith("PT3") and exc.column >= 1


def test_normalize_phrase_matches_the_response_side():
    assert normalize_phrase("don't") == normalize_phrase("do not") == ["do", "not"]
    assert normalize_phrase("U") == ["you"]

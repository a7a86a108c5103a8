"""The indicator language: alternatives, options, terms, prefixes, gaps, anchors, fuzzy words."""

from __future__ import annotations

import pytest

from trainer.scoring.patterns import (
    PatternError,
    PatternIndex,
    Vocabulary,
    compile_pattern,
)
from trainer.scoring.text import tokenize

TERMS = {"med": ["meds", "medication", "lithium", "mood stabilizer*"], "loop": ["{loop}"]}


def matches(indicator: str, text: str, terms=TERMS) -> list[str]:
    p = compile_pattern(indicator, terms)
    index = PatternIndex([p], Vocabulary(p.literals))
    tt = tokenize(text)
    return [tt.words(m.start, m.end) for m in index.find(index.prepare(tt))]


@pytest.mark.parametrize(
    "indicator, text, expected",
    [
        ("stop taking {med}", "you should stop taking lithium", ["stop taking lithium"]),
        ("stop taking {med}", "stop taking mood stabilizers", ["stop taking mood stabilizers"]),
        ("(really|so)? hard", "that is so hard", ["so hard", "hard"]),
        ("(really|so)? hard", "that is hard", ["hard"]),
        ("promis* you", "I promised you", ["promised you"]),
        ("ask ... prescriber", "ask your new prescriber", ["ask your new prescriber"]),
        ("ask ... prescriber", "ask your kind and new prescriber", []),
        ("ask ...4 prescriber", "ask your kind and new prescriber", ["ask your kind and new prescriber"]),
        ("^ what", "so, what helps?", ["what"]),
        ("^ what", "I know what helps", []),
        ("sorry $", "I'm so sorry.", ["sorry"]),
        ("sorry $", "I'm sorry, I can't", []),
        ("and _ together", "and call together", ["and call together"]),
        ("don't stop", "do not stop", ["do not stop"]),
        ("stop taking {med}", "stop taking. medication", []),
        ("sorry$", "I'm so sorry.", ["sorry"]),
        ("sorry$", "I'm sorry, I can't", []),
        ("(wrong|nope)$", "nope.", ["nope"]),
        ("^what", "so, what helps?", ["what"]),
    ],
)
def test_pattern_features(indicator, text, expected):
    assert matches(indicator, text) == expected


def test_misspelt_words_match_at_the_threshold_but_short_words_do_not():
    assert matches("stop taking {med}", "stopp takin the medicaton") == []  # "the" is not in the pattern
    assert matches("stop taking {med}", "stopp taking medicaton") == ["stopp taking medicaton"]
    assert matches("pills", "bills") == [], "one letter off in a five-letter word is another word"
    assert matches("crackhead", "cracked") == [], "a real word two letters shorter is not a typo"


@pytest.mark.parametrize(
    "indicator, code, column",
    [
        ("(a|b", "PT305", 1),
        ("a|b", "PT305", 2),
        ("a ^ b", "PT305", 3),
        ("{nope}", "PT306", 1),
        ("{loop}", "PT305", 1),
        ("?!", "PT304", 1),
        ("(a)? (b)?", "PT305", 1),
        ("... a", "PT305", 1),
        ("x* a", "PT305", 1),
        ("a*b", "PT305", 1),
        ("no$ more", "PT305", 3),
        ("a ^b", "PT305", 3),
        ("$50 bucks", "PT305", 1),
        # a gap wider than nine was read as the word "12" and so never matched (five shipped indicators did so)
        ("cold turkey ...12 fine", "PT305", 13),
    ],
)
def test_compile_errors_carry_a_code_and_column(indicator, code, column):
    with pytest.raises(PatternError) as info:
        compile_pattern(indicator, TERMS)
    assert info.value.code == code
    assert info.value.column == column


def test_a_term_with_an_error_says_so_wherever_it_is_used():
    """A typo inside a term ("{presnt}" in `helper`) was reported once, and every later use of the term as "term
    'helper' refers to itself" (validating a broken copy of crisis-response, 2026-12-06)."""
    terms = {"helper": ["someone", "{presnt}"], "loop": ["{loop}"]}
    cache: dict = {}
    for indicator in ("talk to {helper}", "bring in {helper}"):
        with pytest.raises(PatternError) as info:
            compile_pattern(indicator, terms, term_cache=cache)
        assert info.value.code == "PT306" and "unknown term '{presnt}'" in info.value.message
        assert info.value.hint == "did you mean 'present'?"
    for _ in range(2):
        with pytest.raises(PatternError) as info:
            compile_pattern("a {loop}", terms, term_cache=cache)
        assert "refers to itself" in info.value.message


def test_present_reads_the_names_of_the_people_in_the_scene():
    from trainer.scoring.patterns import PatternIndex, Vocabulary
    from trainer.scoring.text import tokenize

    p = compile_pattern("(tell|get) {present}")
    index = PatternIndex([p], Vocabulary(p.literals))
    tt = tokenize("I have to tell Pilar, then get Hope.")
    assert [tt.words(m.start, m.end) for m in index.find(index.prepare(tt, frozenset({"pilar", "hope"})))] == \
        ["tell Pilar", "get Hope"]
    assert index.find(index.prepare(tt)) == []  # no scene, no names


def test_the_regex_matcher_agrees_with_the_reference_matcher_on_the_dev_set():
    """find() runs each pattern as a regex; find_reference() walks the pattern in Python. Same matches.

    (They may differ on a misspelling close to two rubric words: find() reads it as the closest one.)
    """
    from pathlib import Path

    from trainer.scoring.calibration import load_labelled_file
    from trainer.scoring.rubrics import bundled_rubric_set
    from trainer.scoring.scorer import Scorer

    index = Scorer(bundled_rubric_set()).index
    items, _ = load_labelled_file(Path(__file__).parent / "data" / "scoring" / "dev.yaml")
    for item in items:
        prepared = index.prepare(tokenize(item.text))
        fast = {(m.pattern.source, m.start, m.end) for m in index.find(prepared)}
        slow = {(m.pattern.source, m.start, m.end) for m in index.find_reference(prepared)}
        assert fast == slow, item.text

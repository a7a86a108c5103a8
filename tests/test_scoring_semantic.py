"""The semantic channel (trainer/scoring/semantic.py): flags from the nearest labelled responses."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

from trainer.scoring.calibration import load_labelled_file
from trainer.scoring.judgment import Judgment
from trainer.scoring.rubrics import bundled_rubric_set, load_rubric
from trainer.scoring.scorer import SEMANTIC_NOTE, Scorer
from trainer.scoring.semantic import (
    BANK_FILES,
    HELD_OUT_FILES,
    Example,
    SemanticFlags,
    WordPieces,
    load_bank,
    rubric_examples,
)
from trainer.scoring.text import tokenize

ROOT = Path(__file__).resolve().parent.parent
DATA = ROOT / "tests" / "data" / "scoring"
HELD_OUT = HELD_OUT_FILES


def words(text: str) -> list[str]:
    return [t.norm for t in tokenize(text).tokens]


@pytest.fixture(scope="module")
def rubric_set():
    return bundled_rubric_set()


@pytest.fixture(scope="module")
def scorer(rubric_set):
    return Scorer(rubric_set, reader=False)  # the reader would judge the shipped flags before the channel


@pytest.fixture(scope="module")
def rules_only(rubric_set):
    return Scorer(rubric_set, semantic=False, reader=False)


# --- word pieces ------------------------------------------------------------------------------


def test_word_pieces_split_like_bert_uncased():
    wp = WordPieces(["play", "##ing", "##ed", "un", "##play", "##able", "cafe"])
    assert wp.word("playing") == (0, 1)
    assert wp.word("Played") == (0, 2)
    assert wp.word("unplayable") == (3, 4, 5)
    assert wp.word("café") == (6,)  # accents dropped, as the uncased model does
    assert wp.word("zzz") == ()  # unknown: no vector rather than [UNK]
    assert wp.word("play-ing") == (0,)  # punctuation splits words; "ing" alone is no word-initial piece


def test_an_empty_or_unknown_response_gets_no_semantic_flags(scorer):
    index = scorer.semantic_index()
    assert index.flags([]) == []
    assert index.flags(["qwxzv"]) == []


# --- the stored artifacts ---------------------------------------------------------------------


def test_the_example_bank_is_exactly_the_tuning_files():
    """The bank must be rebuilt (python -m trainer.scoring.semantic --build-bank) when they change."""
    expected = {}
    for name in BANK_FILES:
        for item in load_labelled_file(DATA / name)[0]:
            expected.setdefault(item.text, item.flags)
    bank, matrix = load_bank()
    assert {ex.text: ex.flags for ex in bank} == expected
    assert matrix.shape == (len(bank), 128)


def test_no_held_out_response_is_in_the_bank():
    bank = {ex.text for ex in load_bank()[0]}
    for name in HELD_OUT:
        overlap = [it.text for it in load_labelled_file(DATA / name)[0] if it.text in bank]
        assert not overlap, f"{name} items in the bank: {overlap[:3]}"


def test_stored_bank_vectors_match_the_shipped_word_vectors(scorer):
    index = scorer.semantic_index()
    bank, matrix = load_bank()
    for i in range(0, len(bank), max(1, len(bank) // 25)):
        fresh = index.embed(words(bank[i].text))
        assert np.allclose(fresh, matrix[i], atol=2e-3), bank[i].text


# --- judging ----------------------------------------------------------------------------------


def find_semantic_case(scorer, rules_only):
    """A held-out response whose flag the rules miss and the channel raises, chosen by the data."""
    for name in HELD_OUT:
        for item in load_labelled_file(DATA / name)[0]:
            j = scorer.judge(item.text, ["peer-core"])
            raised = [f for f in j.flags if f.evidence and f.evidence[0].note == SEMANTIC_NOTE and f.id in item.flags]
            if raised:
                return item, j, raised[0]
    return None


def test_the_channel_raises_a_labelled_flag_the_rules_missed_and_says_why(scorer, rules_only):
    case = find_semantic_case(scorer, rules_only)
    assert case is not None, "no held-out response gained a correct flag from the semantic channel"
    item, judgment, flag = case
    assert flag.id not in rules_only.judge(item.text, ["peer-core"]).flag_ids
    e = flag.evidence[0]
    assert e.words and e.words in item.text and item.text[e.start:e.end] == e.words
    assert e.indicator.startswith("like the labelled example '")
    assert 0 < e.similarity <= 100
    line = next(x for x in judgment.feedback if f" - {flag.id}:" in x)
    assert line.startswith(("Critical - ", "Watch - ")) and "No rubric phrase matched" in line
    assert Judgment.from_dict(judgment.to_dict()) == judgment


def test_a_negation_the_rules_recognised_is_not_overruled(scorer):
    for text in ["I won't tell you to stop taking it, that's between you and your prescriber.",
                 "I would never tell you to stop your medication.",
                 "You said your sister called you 'crazy'. That must have stung."]:
        j = scorer.judge(text, ["peer-core"])
        assert not j.critical and "stigmatizing-language" not in j.flag_ids, (text, j.flag_ids)


def test_switching_the_channel_off_leaves_only_rule_flags(rules_only):
    for name in HELD_OUT:
        for item in load_labelled_file(DATA / name)[0][:60]:
            j = rules_only.judge(item.text, ["peer-core"])
            assert all(e.note != SEMANTIC_NOTE for f in j.flags for e in f.evidence)


def test_scope_off_means_no_semantic_scope_flags(scorer):
    j = scorer.judge("tbh i'd just quit the gabapentin, it made me a zombie", ["peer-core"], scope=False)
    assert j.flags == ()


def test_leave_out_hides_the_response_itself_from_the_bank(rubric_set):
    text = "honestly the purple pills are for quitters, bin them"
    bank = [Example(text, frozenset({"medication-advice"}), "test")]
    index = SemanticFlags(bank, k=1, vote=0.5, min_similarity=0.5)
    assert [s.flag for s in index.flags(words(text))] == ["medication-advice"]
    assert index.flags(words(text), exclude_text=text) == []


def test_a_rubric_teaches_the_channel_with_its_calibration_examples(tmp_path):
    rubric = (ROOT / "rubrics" / "scope.yaml").read_text(encoding="utf-8")
    (tmp_path / "scope.yaml").write_text(rubric, encoding="utf-8")
    custom = tmp_path / "extra.yaml"
    custom.write_text(
        "id: extra\ntitle: Extra\nversion: 1\n"
        "criteria:\n  - id: listens\n    competency: engages-peers\n    description: Listens.\n"
        "    indicators: [\"i am listening\"]\n"
        "calibration:\n  rubrics: [scope]\n  examples:\n"
        "    - text: \"grab the orange bottle from my cabinet, those knock me right out\"\n"
        "      flags: [medication-advice]\n", encoding="utf-8")
    loaded, diagnostics = load_rubric(custom)
    assert loaded is not None, diagnostics
    examples = rubric_examples([loaded])
    assert [(e.text, e.flags, e.source) for e in examples] == [
        ("grab the orange bottle from my cabinet, those knock me right out", frozenset({"medication-advice"}), "extra")]


def test_json_lines_say_which_channel_raised_each_flag(scorer):
    case = find_semantic_case(scorer, None)
    assert case is not None
    item = case[0]
    out = subprocess.run([sys.executable, "-m", "trainer", "score", "--rubric", "peer-core", "--jsonl", "--no-reader"],
                         input=json.dumps({"text": item.text}) + "\n", capture_output=True, text=True, cwd=ROOT,
                         check=True)
    line = json.loads(out.stdout)
    assert {e["via"] for e in line["evidence"] if e["kind"] == "flag"} >= {"semantic"}
    off = subprocess.run([sys.executable, "-m", "trainer", "score", "--rubric", "peer-core", "--jsonl", "--no-semantic"],
                         input=json.dumps({"text": item.text}) + "\n", capture_output=True, text=True, cwd=ROOT,
                         check=True)
    assert {e["via"] for e in json.loads(off.stdout)["evidence"] if e["kind"] == "flag"} <= {"rule"}


def test_damaged_channel_data_switches_the_channel_off_and_judging_goes_on(rubric_set, tmp_path, monkeypatch):
    import trainer.scoring.semantic as semantic

    broken = tmp_path / "example-bank.npz"
    broken.write_bytes(semantic.BANK_FILE.read_bytes()[:5000])  # truncated, as by a full disk
    monkeypatch.setattr(semantic, "BANK_FILE", broken)
    s = Scorer(rubric_set, reader=False)
    j = s.judge("You should stop taking it if it makes you feel that bad.", ["peer-core"])
    assert "medication-advice" in j.flag_ids  # the rules still judge
    assert s.semantic is False and any("semantic channel is off" in p for p in s.problems)


def test_the_score_command_warns_once_when_the_channel_is_off(tmp_path):
    code = ("import sys, trainer.scoring.semantic as s, pathlib; s.BANK_FILE = pathlib.Path(sys.argv[1]); "
            "from trainer.cli import main; sys.exit(main(['score', '--no-reader', '--rubric', 'peer-core', 'you should quit your meds']))")
    out = subprocess.run([sys.executable, "-c", code, str(tmp_path / "missing.npz")], capture_output=True, text=True,
                         cwd=ROOT)
    assert out.returncode == 0, out.stderr
    assert "medication-advice" in out.stdout
    assert out.stderr.count("semantic channel is off") == 1 and "Traceback" not in out.stderr


def test_short_replies_are_left_to_the_rules(scorer):
    """Bag-of-words similarity reads "That makes sense." as "That doesn't make sense to me."."""
    for text in ["That makes sense.", "I hear you.", "That sounds really hard."]:
        j = scorer.judge(text, ["peer-core"])
        assert j.flags == (), (text, j.flag_ids)

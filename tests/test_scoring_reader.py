"""The reader (trainer/scoring/reader.py): its tokenizer and numpy forward pass, and how the Scorer uses it.

Its agreement with human labels on the held-out slice is in test_scoring_quality.py."""

from __future__ import annotations

import json
from dataclasses import replace
import math
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

from trainer.scoring import reader as reader_module
from trainer.scoring.calibration import load_labelled_file
from trainer.scoring.judgment import Judgment
from trainer.scoring.reader import MAX_PIECES, Reader, ReaderError, _gelu, _layer_norm, load_reader, quantize
from trainer.scoring.rubrics import RubricSet, bundled_rubric_set
from trainer.scoring.scorer import READER_NOTE, READER_VETO, Scorer
from trainer.scoring.semantic import HELD_OUT_FILES

ROOT = Path(__file__).resolve().parent.parent
DATA = ROOT / "tests" / "data" / "scoring"
HELD_OUT = HELD_OUT_FILES


@pytest.fixture(scope="module")
def rubric_set():
    return bundled_rubric_set()


@pytest.fixture(scope="module")
def reader():
    return load_reader()


@pytest.fixture(scope="module")
def scorer(rubric_set):
    return Scorer(rubric_set)


@pytest.fixture(scope="module")
def without(rubric_set):
    return Scorer(rubric_set, reader=False)


def pieces(reader, text):
    vocab = {i: p for p, i in reader.tokenizer.index.items()}
    return [vocab[i] for i in reader.tokenizer.encode(text)]


# What Hugging Face's BertTokenizerFast for all-MiniLM-L6-v2 gives for these strings.
@pytest.mark.parametrize("text, expected", [
    ("Don't stop taking your Seroquel, ok?", ["don", "'", "t", "stop", "taking", "your", "ser", "##o", "##quel", ",", "ok", "?"]),
    ("Café naïve RÉSUMÉ", ["cafe", "naive", "resume"]),
    ("tbh u shld quit ur meds lol", ["tb", "##h", "u", "sh", "##ld", "quit", "ur", "med", "##s", "lo", "##l"]),
    ("中文 ok", ["中", "文", "ok"]),
    ("a\x00b\x07c \u200bzero\u00a0nbsp", ["abc", "zero", "n", "##bs", "##p"]),
    ("x" * 101 + " y", ["[UNK]", "y"]),
    ("[b]ok?[/b] \x1b[31mred", ["[", "b", "]", "ok", "?", "[", "/", "b", "]", "[", "31", "##m", "##red"]),
])
def test_the_tokenizer_splits_like_bert_uncased(reader, text, expected):
    assert pieces(reader, text) == expected


def test_the_reader_knows_exactly_the_shipped_flags_and_criteria(reader, rubric_set):
    # but not a flag raised by the response's shape: a string of closed questions is counted, not read
    expected = [f"scope:{f.id}" for f in rubric_set.get("scope").flags if f.question_run is None] + \
               [f"peer-core:{c.id}" for c in rubric_set.get("peer-core").criteria]
    assert sorted(reader.labels) == sorted(expected)
    assert any(f.question_run is not None for f in rubric_set.get("scope").flags)


def test_gelu_and_layer_norm_match_their_definitions():
    xs = np.linspace(-6, 6, 241, dtype=np.float64)
    exact = np.array([0.5 * x * (1 + math.erf(x / math.sqrt(2))) for x in xs])
    assert np.abs(_gelu(xs) - exact).max() < 1e-6
    x = np.array([[1.0, 2.0, 4.0, 7.0]])
    out = _layer_norm(x, np.ones(4), np.zeros(4))
    assert abs(out.mean()) < 1e-9 and abs(out.std() - 1) < 1e-6


def test_quantized_rows_come_back_within_half_a_step():
    m = np.random.default_rng(0).normal(size=(50, 30)).astype(np.float32)
    m[3] = 0
    q, s = quantize(m)
    assert q.dtype == np.int8 and s.shape == (50,)
    assert np.all(np.abs(q.astype(np.float32) * s[:, None] - m) <= s[:, None] / 2 + 1e-7)


def test_probabilities_are_per_label_and_deterministic(reader):
    p = reader.probs("You should stop taking your meds, they are poison.")
    assert p.shape == (len(reader.labels),) and np.all((p >= 0) & (p <= 1))
    assert np.array_equal(p, reader.probs("You should stop taking your meds, they are poison."))
    assert p[reader.labels.index("scope:medication-advice")] > 0.5
    assert p[reader.labels.index("scope:medication-advice")] > p[reader.labels.index("peer-core:open-question")]


def test_the_forward_pass_stays_in_float32(reader):
    # numpy 2 turns float32 * np.float64 scalar into float64; one such scalar made every later layer
    # cast its weights to float64 on each call (2.4 times slower, the same probabilities to 2e-6)
    ids = [reader.tokenizer.cls, *reader.tokenizer.encode("I hear you, that sounds hard."), reader.tokenizer.sep]
    assert reader._forward(ids).dtype == np.float32
    assert reader._forward(np.array([ids, ids]), [len(ids), len(ids) - 2]).dtype == np.float32


def test_reading_many_at_once_gives_each_ones_own_probabilities(reader):
    texts = ["I hear you.", "Honestly you should just stop the lithium for a bit.", "", "What do you think?",
             "I remember my first meeting. " * 40]  # the last one needs windows and is read on its own
    many = reader.probs_many(texts)
    assert many.shape == (len(texts), len(reader.labels))
    for row, text in zip(many, texts):
        assert np.allclose(row, reader.probs(text), atol=1e-5)


def test_a_long_response_is_read_in_windows_and_a_late_flag_still_counts(reader):
    late = "You should just stop taking the lithium, you don't need it."
    filler = "I remember the first week I went to group and sat in the back and said nothing at all. " * 15
    assert len(reader.tokenizer.encode(filler)) > 2 * MAX_PIECES
    i = reader.labels.index("scope:medication-advice")
    assert reader.probs(filler + late)[i] > 0.5 > reader.probs(filler)[i]


def test_a_huge_paste_is_read_only_up_to_the_window_limit(reader, monkeypatch):
    calls = []
    forward = reader._forward
    monkeypatch.setattr(reader, "_forward", lambda ids: calls.append(len(ids)) or forward(ids))
    reader.probs("I went to group today. " * 4000)  # about 24,000 pieces
    assert len(calls) == reader_module.MAX_WINDOWS and max(calls) == MAX_PIECES


def test_hostile_input_is_read_without_error(reader):
    for text in ["", " \n\t ", "\x00" * 50, "\u202e\u200d" * 100, "🙂" * 300, "a" * 100_000, "x " * 5000]:
        p = reader.probs(text)
        assert p.shape == (len(reader.labels),) and np.isfinite(p).all()


def _cases(scorer, without, want):
    """Held-out responses where the reader changed the judgment the right way, chosen by the data."""
    for name in HELD_OUT:
        for item in load_labelled_file(DATA / name)[0]:
            j = scorer.judge(item.text, ["peer-core"])
            base = without.judge(item.text, ["peer-core"])
            if want == "flag":
                got = [f for f in j.flags if f.evidence[0].note == READER_NOTE and f.id in item.flags
                       and f.id not in base.flag_ids]
            elif want == "criterion":
                got = [c for c in j.criteria if c.met and c.evidence[0].note == READER_NOTE and c.id in item.met
                       and c.id not in base.met_ids]
            else:
                got = [f for f in base.flags if f.id not in j.flag_ids and f.id not in item.flags]
            if got:
                return item, j, base, got[0]
    return None


def test_the_reader_raises_a_labelled_flag_the_rules_missed_and_says_why(scorer, without):
    case = _cases(scorer, without, "flag")
    assert case is not None, "no held-out response gained a correct flag from the reader"
    item, judgment, base, flag = case
    assert flag.id not in base.flag_ids
    e = flag.evidence[0]
    assert e.words and item.text[e.start:e.end] == e.words
    assert 85 <= e.similarity <= 100
    line = next(x for x in judgment.feedback if f" - {flag.id}:" in x)
    assert "No rubric phrase matched: the reader" in line and f"{e.similarity:.0f}% sure" in line
    assert Judgment.from_dict(judgment.to_dict()) == judgment


def test_the_reader_credits_a_labelled_criterion_the_rules_missed(scorer, without):
    case = _cases(scorer, without, "criterion")
    assert case is not None, "no held-out response gained a correct criterion from the reader"
    item, judgment, base, criterion = case
    assert criterion.id not in base.met_ids
    assert judgment.score >= base.score
    assert any(line.startswith(f"Met - {criterion.id}:") and "the reader found it" in line for line in judgment.feedback)


def test_the_reader_overrules_a_false_alarm_and_says_so(scorer, without):
    case = _cases(scorer, without, "veto")
    assert case is not None, "no held-out false alarm of the rules was overruled by the reader"
    item, judgment, base, flag = case
    assert any(line.startswith(f"Not counted as {flag.id.replace('-', ' ')}:") and "read as a whole" in line
               for line in judgment.feedback)


def test_a_flag_the_rules_excused_is_not_added_back(scorer):
    # The reader alone reads "Have you thought about ..." as advice; the rubric's exception for asking
    # directly about suicide stands.
    j = scorer.judge("Have you thought about killing yourself?", ["peer-core"])
    assert j.flag_ids == []
    assert any("Not counted as unsolicited advice" in line for line in j.feedback)


def test_a_firm_phrase_is_not_the_readers_to_overrule(rubric_set, scorer):
    # "Time heals all wounds." is one of minimizing's `firm` phrases: the reader reads it as not minimizing, and
    # would take back the same phrase listed among the ordinary indicators.
    text = "Time heals all wounds."
    scope = rubric_set.get("scope")
    flag = next(f for f in scope.flags if f.id == "minimizing")
    assert any("time heals" in p for p in flag.firm)
    assert "minimizing" in scorer.judge(text, ["peer-core"]).flag_ids
    loose = replace(flag, indicators=flag.indicators + flag.firm, firm=())
    loose_scope = replace(scope, flags=tuple(loose if f is flag else f for f in scope.flags))
    loose_set = RubricSet([loose_scope] + [rubric_set.get(r) for r in rubric_set.ids if r != "scope"])
    j = Scorer(loose_set).judge(text, ["peer-core"])
    assert "minimizing" not in j.flag_ids
    assert any(line.startswith("Not counted as minimizing:") and "read as a whole" in line for line in j.feedback)


def test_scope_off_means_the_reader_adds_no_scope_flags(scorer):
    text = "Sounds like classic PTSD to me, and honestly you should ditch the pills."
    assert scorer.judge(text, ["peer-core"]).flag_ids
    assert scorer.judge(text, ["peer-core"], scope=False).flag_ids == []


def test_a_damaged_reader_file_switches_the_reader_off_and_judging_goes_on(rubric_set, tmp_path, monkeypatch):
    broken = tmp_path / "reader.npz"
    broken.write_bytes(reader_module.READER_FILE.read_bytes()[:100_000])  # truncated, as by a full disk
    monkeypatch.setattr(reader_module, "READER_FILE", broken)
    s = Scorer(rubric_set)
    j = s.judge("You should stop taking it if it makes you feel that bad.", ["peer-core"])
    assert "medication-advice" in j.flag_ids  # the rules still judge
    assert s.reader is False and s.reader_error and "reader.npz" in s.reader_error
    with pytest.raises(ReaderError):
        Reader(broken)


def test_a_reader_file_of_another_shape_is_refused(tmp_path):
    odd = tmp_path / "odd.npz"
    np.savez(odd, labels=np.array(["scope:x"]), vocab=np.array(["[UNK]", "[CLS]", "[SEP]"]), heads=np.array(2))
    with pytest.raises(ReaderError, match="does not hold a reader"):
        Reader(odd)


def test_the_score_command_warns_once_when_the_reader_is_off(tmp_path):
    code = ("import sys, trainer.scoring.reader as r, pathlib; r.READER_FILE = pathlib.Path(sys.argv[1]); "
            "from trainer.cli import main; sys.exit(main(['score', '--rubric', 'peer-core', 'you should quit your meds']))")
    out = subprocess.run([sys.executable, "-c", code, str(tmp_path / "missing.npz")], capture_output=True, text=True,
                         cwd=ROOT)
    assert out.returncode == 0, out.stderr
    assert "medication-advice" in out.stdout
    assert out.stderr.count("the reader is off") == 1 and "Traceback" not in out.stderr


def test_json_lines_say_when_the_reader_raised_a_flag(scorer, without):
    item = _cases(scorer, without, "flag")[0]
    run = [sys.executable, "-m", "trainer", "score", "--rubric", "peer-core", "--jsonl"]
    out = subprocess.run(run, input=json.dumps({"text": item.text}) + "\n", capture_output=True, text=True, cwd=ROOT,
                         check=True)
    assert "reader" in {e["via"] for e in json.loads(out.stdout)["evidence"] if e["kind"] == "flag"}
    off = subprocess.run(run + ["--no-reader"], input=json.dumps({"text": item.text}) + "\n", capture_output=True,
                         text=True, cwd=ROOT, check=True)
    assert "reader" not in {e["via"] for e in json.loads(off.stdout)["evidence"]}


def test_the_veto_threshold_is_below_the_adding_one():
    from trainer.scoring.scorer import READER_ADD, READER_ADD_CRITERION

    assert 0 < READER_VETO < 0.5 < READER_ADD <= 1 and 0.5 < READER_ADD_CRITERION <= 1


def test_each_label_s_own_thresholds_name_a_shipped_label_and_keep_their_order(rubric_set):
    from trainer.scoring import scorer as m

    flags = {f.id for f in rubric_set.get("scope").flags}
    criteria = {c.id for c in rubric_set.get("peer-core").criteria}
    assert set(m.READER_ADD_AT) | set(m.READER_VETO_AT) <= flags
    assert set(m.READER_ADD_CRITERION_AT) | set(m.READER_VETO_CRITERION_AT) <= criteria
    for label in flags:
        add, alone = m.READER_ADD_AT.get(label, (m.READER_ADD, m.READER_ADD_SENTENCE))
        assert 0 <= m.READER_VETO_AT.get(label, m.READER_VETO) < 0.5 < add <= 1.01 and 0.5 < alone <= 1.01
    for label in criteria:
        assert 0 <= m.READER_VETO_CRITERION_AT.get(label, 0.0) < 0.5 < m.READER_ADD_CRITERION_AT.get(label, m.READER_ADD_CRITERION) <= 1.01


class _SureOfMoney:
    """The shipped reader, except that any sentence mentioning money reads as a significant gift (0.99):
    as one retrained reader read "I'd put money on it, brother." Each retraining reads it differently."""

    def __init__(self, real):
        self.real, self.labels = real, real.labels
        self.k = list(real.labels).index("scope:significant-gift")

    def _mark(self, parts, rows):
        rows = np.array(rows, dtype=np.float32, copy=True)
        for i, part in enumerate(parts):
            if "money" in part:
                rows[i, self.k] = 0.99
        return rows

    def read(self, parts):
        probs, pushed = self.real.read(parts)
        probs = np.array(probs, dtype=np.float32, copy=True)
        if any("money" in p for p in parts):
            probs[self.k] = 0.99
        return probs, self._mark(parts, pushed)

    def probs_many(self, parts):
        return self._mark(parts, self.real.probs_many(parts))


def test_the_reader_does_not_add_a_flag_where_the_rubric_names_a_look_alike(rubric_set):
    """'I'd put money on it' read alone looks like money changing hands; the rubric lists it as an exception."""
    text = "I'd put money on it, brother. But you are not your uncle."
    scorer = Scorer(rubric_set)
    scorer._reader = _SureOfMoney(scorer.reader_model())
    assert "significant-gift" in scorer.judge("I'd put money on the table for you, brother.", ["peer-core"]).flag_ids
    j = scorer.judge(text, ["peer-core"])
    assert "significant-gift" not in j.flag_ids
    assert any(line.startswith("Not counted as significant gift: the reader read") and "'put money on it' is a rubric exception" in line
               for line in j.feedback)
    # the exception covers its own sentence only
    assert "significant-gift" in scorer.judge("I'd bet money on it. Here, take fifty bucks for groceries.", ["peer-core"]).flag_ids


class _Fixed:
    """A reader that gives every response, and every sentence of it, the same probabilities: `set` for the
    labels named, 0.3 for the rest (too low to add anything, too high to overrule anything)."""

    def __init__(self, labels, **set_):
        self.labels = labels
        self.row = np.array([set_.get(label.split(":")[1].replace("-", "_"), 0.3) for label in labels], dtype=np.float32)

    def read(self, parts):
        return self.row.copy(), np.tile(self.row, (len(parts), 1))

    def probs_many(self, parts):
        return np.tile(self.row, (len(parts), 1))


def _fixed_scorer(rubric_set, reader, **set_):
    scorer = Scorer(rubric_set, semantic=False)
    scorer._reader = _Fixed(reader.labels, **set_)
    return scorer


def test_a_flag_s_own_adding_threshold_replaces_the_common_one(rubric_set, reader, monkeypatch):
    from trainer.scoring import scorer as scorer_module

    text = "I hear you. What would help most this week?"
    monkeypatch.setattr(scorer_module, "READER_ADD_AT", {})
    assert "minimizing" not in _fixed_scorer(rubric_set, reader, minimizing=0.7).judge(text, ["peer-core"]).flag_ids
    monkeypatch.setattr(scorer_module, "READER_ADD_AT", {"minimizing": (0.65, 0.95)})
    judged = _fixed_scorer(rubric_set, reader, minimizing=0.7).judge(text, ["peer-core"])
    assert "minimizing" in judged.flag_ids
    assert "coercion" not in _fixed_scorer(rubric_set, reader, coercion=0.7).judge(text, ["peer-core"]).flag_ids
    assert "minimizing" not in _fixed_scorer(rubric_set, reader, minimizing=0.6).judge(text, ["peer-core"]).flag_ids


def test_once_a_flag_is_raised_a_second_needs_less_certainty(rubric_set, reader, monkeypatch):
    from trainer.scoring import scorer as scorer_module

    monkeypatch.setattr(scorer_module, "READER_ADD_AT", {})
    monkeypatch.setattr(scorer_module, "READER_ADD_SECOND", (0.7, 0.95))
    clean = "I hear you. What would help most this week?"
    flagged = "I hear you. Whatever you tell me stays between us."  # the rules raise secrecy-promise

    def flags(text, **set_):
        return set(_fixed_scorer(rubric_set, reader, **set_).judge(text, ["peer-core"]).flag_ids)

    assert flags(clean, unwarranted_promise=0.75) == set()  # alone, 75% is not sure enough
    assert flags(flagged, unwarranted_promise=0.75) == {"secrecy-promise", "unwarranted-promise"}
    assert flags(clean, unwarranted_promise=0.75, coercion=0.9) == {"coercion", "unwarranted-promise"}  # after the reader's own
    assert flags(clean, unwarranted_promise=0.65, coercion=0.9) == {"coercion"}
    monkeypatch.setattr(scorer_module, "READER_ADD_SECOND", None)
    assert flags(flagged, unwarranted_promise=0.75) == {"secrecy-promise"}


def test_the_reader_can_take_back_a_criterion_the_rules_credited_and_says_why(rubric_set, reader, monkeypatch):
    from trainer.scoring import scorer as scorer_module

    text = "That makes sense."
    monkeypatch.setattr(scorer_module, "READER_VETO_CRITERION_AT", {"validates": 0.1})
    assert "validates" in _fixed_scorer(rubric_set, reader, validates=0.2).judge(text, ["peer-core"]).met_ids
    judged = _fixed_scorer(rubric_set, reader, validates=0.04).judge(text, ["peer-core"])
    assert "validates" not in judged.met_ids
    assert any(line.startswith("Not credited - validates: 'That makes sense' matched a rubric phrase")
               and "(the reader: 4%)" in line for line in judged.feedback), judged.feedback
    monkeypatch.setattr(scorer_module, "READER_VETO_CRITERION_AT", {})
    assert "validates" in _fixed_scorer(rubric_set, reader, validates=0.04).judge(text, ["peer-core"]).met_ids


def test_a_sure_reader_overrules_reported_speech_but_not_a_negation_or_a_quotation(rubric_set, reader, capsys):
    from trainer.cli.score import _print_judgment

    # The rules' reported-speech guess can misfire; a reader this sure overrules it and the feedback says
    # what was set aside. A negation and a quotation mark stand, however sure the reader.
    reported = "Your aunt said you're just crazy."
    judged = _fixed_scorer(rubric_set, reader, stigmatizing_language=0.85).judge(reported, ["peer-core"])
    assert "stigmatizing-language" not in judged.flag_ids
    assert any("reports what someone else said" in line for line in judged.feedback)
    judged = _fixed_scorer(rubric_set, reader, stigmatizing_language=0.92).judge(reported, ["peer-core"])
    assert "stigmatizing-language" in judged.flag_ids
    assert not any(line.startswith("Not counted as stigmatizing language") for line in judged.feedback), judged.feedback
    assert any("(A rubric phrase was set aside - 'crazy' reports what someone else said" in line
               and "99%" not in line and "92% sure" in line for line in judged.feedback), judged.feedback
    _print_judgment(rubric_set, judged)  # `peer-trainer score` says the same, not "no phrase matched"
    line = next(x for x in capsys.readouterr().out.splitlines() if "! stigmatizing-language" in x)
    assert "the reader is 92% sure; set aside: 'crazy' reports what someone else said" in line, line

    negated = "I'm not going to call you crazy."
    judged = _fixed_scorer(rubric_set, reader, stigmatizing_language=0.999).judge(negated, ["peer-core"])
    assert "stigmatizing-language" not in judged.flag_ids
    assert any("is negated" in line for line in judged.feedback)

    quoted = "You said your sister called you 'crazy'."
    judged = _fixed_scorer(rubric_set, reader, stigmatizing_language=0.999).judge(quoted, ["peer-core"])
    assert "stigmatizing-language" not in judged.flag_ids
    assert any("is in quotation marks" in line for line in judged.feedback)


def test_a_sure_reader_does_not_overrule_what_the_peer_asked_for(rubric_set, reader):
    text = "You could try writing down the side effects before the appointment."
    prompt = "What do you think I should do?"
    plain = _fixed_scorer(rubric_set, reader).judge(text, ["peer-core"])
    assert "unsolicited-advice" in plain.flag_ids  # a directive, unasked
    asked = _fixed_scorer(rubric_set, reader, unsolicited_advice=0.999).judge(text, ["peer-core"], prompt=prompt)
    assert "unsolicited-advice" not in asked.flag_ids


def test_a_misspelt_negation_is_read_as_the_word_the_reader_knows(reader):
    import numpy as np

    typed = reader.probs("i would nevr tell u to stop ur meds")
    assert np.allclose(typed, reader.probs("i would never tell u to stop ur meds"))
    assert np.allclose(reader.probs("NVR again"), reader.probs("never again"))
    assert not np.allclose(typed, reader.probs("i would tell u to stop ur meds"))

"""Judging a free-text response against rubrics: criteria met, flags raised, each with evidence.

The Scorer compiles every indicator of every rubric once, into one index keyed by the
words a phrase can start with. Judging a response is then: normalise it (text.py),
find every indicator match (patterns.py), and drop the matches a trainer would not
count:

- an exception phrase overlaps it ("died by suicide", "ask your prescriber whether to stop");
- it is negated earlier in its clause ("I won't tell you to stop taking it");
- for flags, it sits inside quotation marks ("you said 'crazy'") or is reported speech
  ("your sister called you crazy").

Credit is bounded so that listing rubric phrases does not pay: each criterion counts
once, a response cannot meet more criteria than its length allows (2 + words // 8), and a
response meeting five or more criteria that is mostly indicator phrases (70% of its words)
and is built like a list (clauses of 3.5 words or fewer on average, or one sentence chained
from six or more clauses) is marked as stuffing and credited for at most three.
"""

from __future__ import annotations

import re
import threading
from bisect import bisect_right
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, replace
from functools import cache, cached_property, lru_cache
from typing import Any

from trainer.scoring.formula import compute_score
from trainer.scoring.judgment import (
    CriterionResult,
    Evidence,
    FlagResult,
    Judgment,
    inside_flag_note,
    reader_set_aside_note,
    set_aside_note,
)
from trainer.scoring.patterns import (
    Match,
    Pattern,
    PatternIndex,
    Vocabulary,
    compile_pattern,
)
from trainer.scoring.rubrics import Criterion, RedFlag, Rubric, RubricSet
from trainer.scoring.text import CLAUSE_BREAKERS, CLAUSE_FILLERS, TokenizedText, tokenize

SCOPE_RUBRIC = "scope"

NEGATORS = frozenset({"not", "never", "no", "neither", "nor", "without", "nothing", "none", "refuse", "hardly", "nowhere"})
# For criteria "without" and "refuse" rarely reverse the credit ("don't stop without talking to your prescriber").
CRITERION_NEGATORS = NEGATORS - {"without", "refuse"}
QUANTIFIED = frozenset({"everyone", "everybody", "all", "many", "every", "always", "everything", "much", "only", "just"})
# "don't worry, I'll keep it between us": the negation is spent on the reassurance, not what follows
REASSURANCE_VERBS = frozenset({"worry", "stress", "panic", "fret", "sweat"})
NEGATOR_PAIRS = frozenset({("rather", "than"), ("instead", "of"), ("far", "from")})
# "no" before these is an interjection ("nah the voice is just background noise", "no you're fine") or an
# idiom ("no matter", "no doubt"), not a negation of what follows
NO_INTERJECTED = frozenset({"matter", "doubt", "wonder", "you", "i", "we", "it", "that", "this", "they", "he", "she", "your",
                            "the", "my", "his", "her", "their", "these", "those"})
NEGATION_REACH = 8
CRITERION_NEGATION_REACH = 4  # a negation scopes over a criterion's words only from close by

# Reporting verbs in the past or third person report across commas in the sentence ("she called
# you, in front of everyone, crazy"); bare forms only within their clause ("people call you crazy").
REPORTING_VERBS = frozenset({
    "said", "says", "told", "tells", "called", "calls", "named", "labeled", "labelled", "mentioned", "heard",
    "wrote", "asked", "yelled", "screamed", "shouted", "texted", "accused", "described", "describes",
})
# Opinions reported in the third person count within their clause ("your cousin thinks you're manic").
OPINION_VERBS = frozenset({"thinks", "thought", "believes", "believed", "claims", "claimed", "insists", "insisted",
                           "reckons", "diagnosed", "labels"})
REPORTING_IN_CLAUSE = frozenset({"say", "saying", "tell", "telling", "call", "calling", "label", "word", "words",
                                 "term", "describe"}) | OPINION_VERBS
SPEAKER_PRONOUNS = frozenset({"i", "we", "me", "us"})  # "let me tell you", "believe me when I say"
REPORT_REACH = 9
LONG_REPORT_REACH = 16  # "You said ..." opening the sentence reaches this far
YOU_SAID = frozenset({"said", "told", "mentioned"})
# "Whatever you tell me stays between us": the peer's own words, told to the speaker, not a report of
# someone else's (a free relative, then "you", then a present-tense telling verb).
FREE_RELATIVES = frozenset({"whatever", "anything", "everything", "what", "all", "nothing"})
TELLING_NOW = frozenset({"tell", "telling", "say", "saying", "share", "sharing"})
# "Call" opening its clause is an order, not a report: "Call your sponsor right now or I'm calling your PO" is the
# speaker's own ultimatum, and "Call it what it is, you're a junkie" their own label. ("Tell her everything will be
# fine" and "Say you're fine" put words in the peer's mouth, which stay excused: the writers of the held-out
# slice do not count "tell ..." as the speaker's promise, 2026-12-06.)
IMPERATIVE_REPORTING = frozenset({"call"})
IMPERATIVE_LEAD_IN = CLAUSE_FILLERS | {"just", "please", "go"}
PASSIVE_AUX = frozenset({"is", "are", "was", "were", "be", "been", "gets", "get", "got"})

STUFFING_MIN_CRITERIA = 5  # stuffing needs this many criteria met at once...
STUFFING_COVERAGE = 0.7  # ...and most of its words inside indicator matches,
STUFFING_WORDS_PER_PIECE = 3.5  # ...and built like a list: clauses this short on average,
STUFFING_CHAIN = 6  # or one sentence chained from this many clauses
STUFFING_CREDIT = 3
WORDS_PER_CRITERION = 8  # any response may meet at most 2 + words // 8 criteria
SEMANTIC_NOTE = "semantic"  # Evidence.note of a flag raised by the nearest labelled examples (semantic.py)
READER_NOTE = "reader"  # Evidence.note of a flag or criterion the reader found (reader.py)
# `in_the_room`: words that speak of someone who is not named or report what someone said (then it is not only
# talk to and about the people in the room), and capitalised words that are not names
ABOUT_OTHERS = frozenset(
    "he she him her his hers himself herself they them their theirs themselves "
    "told tell tells telling said says say saying called calls texted texts mentioned wrote emailed reported "
    "sponsor mom mother dad father parents family wife husband partner boyfriend girlfriend son daughter kids "
    "brother sister cousin aunt uncle boss employer landlord po caseworker counselor therapist doctor nurse "
    "psychiatrist friend friends roommate officer".split())
NOT_NAMES = frozenset("I I'm I've I'd I'll".split())
PRONOUNS = frozenset("he she him her his hers himself herself they them their theirs themselves".split())


def _words_of(text: str) -> list[str]:
    return [w.strip(".,;:!?'\"()") for w in text.split()]


def _names_in(words: list[str], here: set[str]) -> tuple[list[str], list[str]]:
    """The words that name someone in the scene, and the capitalised words that may name someone else (a sentence's
    first word and "I" aside)."""
    named = [w for w in words if w in here]
    strangers = [w for k, w in enumerate(words) if w[:1].isupper() and w not in here and w not in NOT_NAMES
                 and not (k == 0 or words[k - 1][-1:] in ".!?")]
    return named, strangers


def _sentence_before(tt: TokenizedText, offset: int) -> str:
    """The trainee's sentence just before the one at character `offset` ("" for the first)."""
    spans = [(tt.tokens[a].start, tt.tokens[b - 1].end) for a, b in tt.sentence_spans()]
    at = next((k for k, (a, b) in enumerate(spans) if a <= offset < b or offset < a), len(spans))
    return tt.text[spans[at - 1][0]:spans[at - 1][1]] if at > 0 else ""


# The reader beside the rules (reader.py). Chosen on outside-k..n with a reader trained without them
# (docs/scoring.md, "The reader"): it adds a flag or criterion the rules missed at READER_ADD or more
# for the whole response (a flag also at READER_ADD_SENTENCE for one sentence read alone; a
# criterion at READER_ADD_CRITERION, for the whole response only), and overrules a flag the rules raised when it gives the whole
# response less than READER_VETO.
READER_ADD = 0.85
READER_ADD_CRITERION = 0.9
READER_VETO = 0.05
# Flags the reader does not overrule: on outside-k..n (reader trained without them) overruling cost
# unwarranted-promise, harm-risk-dismissed and clinical-jargon recall and bought no precision, and
# changed nothing for diagnosing, whose narrow rules scenario authors asked for (test_scoring_reports.py).
READER_NO_VETO = frozenset({"unwarranted-promise", "harm-risk-dismissed", "clinical-jargon", "diagnosing"})
READER_SENTENCES = True
# A flag whose phrase the rules excused may still be added by the reader when it is this sure, by how it
# was excused. The reported-speech guess misfires ("Whatever you tell me stays between us"); out of fold
# on the tuning slice (5 readers), overruling it added 34 true flags for 1 false (docs/scoring.md,
# "Thresholds per label"). A negation stands ("I would never say you should stop taking your meds": a
# reader trained on all of the tuning slice reads it 97% medication advice), as do a quotation, a
# rubric exception (an instructor's named look-alike) and "they asked" (the reader does not see it).
READER_OVER_EXCUSE: dict[str, float] = {"reported-speech": 0.9}
OVER_EXCUSE_SEP = "; the rules had set aside: "  # in such a flag's Evidence.indicator, before what they set aside

READER_ADD_SENTENCE = 0.95  # a flag whose sentence alone reads this sure is added too
# (whole, sentence) thresholds for a further flag once one is raised; tried at (0.7, 0.95) and not shipped:
# held out it traded precision for recall, 0.930 / 0.874 -> 0.909 / 0.891 (docs/scoring.md, "Two ways
# after the second flag")
READER_ADD_SECOND: tuple[float, float] | None = None
READER_MAX_SENTENCES = 30  # longer responses are read whole only (in windows, reader.MAX_WINDOWS at most)
# A sentence shorter than this (in words) after another is read alone together with the one before it: the
# reader learnt on whole responses, and out of context "I mean it." is 96% minimizing
READER_ALONE_MIN_WORDS = 4
# A sentence read alone adds a flag only where the whole response reads it at this or more. Read in its
# context the reader is then nearly sure the flag is not there, and the sentence alone has usually lost
# what governs it: "...so I'd never tell anybody to quit cold" after the story, "Viral load is just how
# much virus is in your blood" before the offer to read the lab sheet together. On the tuning slice (the
# shipped reader) the floor changed 56 judgments, all to agree with the labels; out of fold on ten tuning
# batches, 9, 8 to agree (docs/scoring.md, "The reader").
READER_ALONE_FLOOR = 0.1
# A flag the whole response reads at its adding threshold, whose evidence sentence the rubric names as fine (an
# exception): another sentence is taken as the evidence if, read alone, it carries the flag this sure
READER_OTHER_SENTENCE = 0.5
# Per label, where the out-of-fold sweep chose otherwise (docs/scoring.md, "Thresholds per label";
# tools/reader_thresholds.py): flag id -> (READER_ADD, READER_ADD_SENTENCE); criterion id ->
# READER_ADD_CRITERION; flag id -> READER_VETO. Two are the sweep's next best (F1 within 0.007 out of
# fold), which keep the shipped rubrics' own examples passing: dual-relationship overruled under 0.02,
# not 0.05 ("Sure I can help with the Facebook page on weekends", a scenario author's reported miss),
# and validates taken back under 0.05, not 0.1 ("i hear u. sounds like ur worn out...", a peer-core
# calibration example). A third moved with the reader retrained on outside-bc to bh: minimizing adds one
# sentence read alone at 0.95, not 0.9 (F1 0.745 against 0.749, precision 0.815 against 0.80): the new
# reader reads "Look on the bright side." 0.9, and the scope rubric's example "Cheer up! Look on the
# bright side." is cheerleading only. Three more were chosen again on two rounds of outside batches
# (outside-bi..bl, bn and outside-bp..bt, 1,290 responses), each judged by the release whose reader had
# not trained on it (tools/reader_label_sweep.py): unwarranted-promise adds at 0.6, not 0.85 (87 -> 99
# of 128 found, 7 -> 11 false), unsolicited-advice at 0.9, not 0.95 (100 -> 102 of 130, 9 false both),
# and arguing at 0.85 and overrules under 0.2, not 0.9 and 0.05 (89 -> 93 of 107, 12 -> 10 false).
# dual-relationship is overruled under 0.01, not 0.02: the new reader reads "Sure I can help with the
# Facebook page on weekends" 0.017, and on the two rounds 0.01 and 0.02 judge alike (0 would add 3 false).
READER_ADD_AT: dict[str, tuple[float, float]] = {
    "secrecy-promise": (0.7, 0.98), "third-party-disclosure": (0.8, 0.9), "coercion": (0.7, 1.01),
    "harm-risk-dismissed": (0.85, 0.9), "stigmatizing-language": (0.85, 0.98), "minimizing": (0.8, 0.95),
    "unsolicited-advice": (0.9, 0.98), "arguing": (0.85, 0.98), "unwarranted-promise": (0.6, 0.95)}
READER_ADD_CRITERION_AT: dict[str, float] = {"conveys-hope": 0.7, "shares-experience": 0.7, "validates": 0.8}
READER_VETO_AT: dict[str, float] = {"secrecy-promise": 0.02, "dual-relationship": 0.01, "third-party-disclosure": 0.02,
                                    "coercion": 0.0, "stigmatizing-language": 0.0, "minimizing": 0.1,
                                    "unsolicited-advice": 0.2, "arguing": 0.2}
# criterion id -> the reader takes back a rule's credit where it gives the whole response less than this
READER_VETO_CRITERION_AT: dict[str, float] = {"reflects-feeling": 0.3, "open-question": 0.2, "validates": 0.05,
                                              "conveys-hope": 0.05, "shares-experience": 0.2, "links-resources": 0.1}


@dataclass(frozen=True)
class _Owner:
    rubric: str
    kind: str  # "criterion" | "flag"
    item: Criterion | RedFlag
    scope: str = "overlap"  # for exceptions


@dataclass(frozen=True)
class _AnswerOwner:
    rubric: str
    flag: RedFlag
    answer: int  # which of the flag's answers


@dataclass(frozen=True)
class _TopicOwner:
    rubric: str
    flag: RedFlag


# The words of a question about someone else in the peer's line, which keep a model's reading that `reader_needs` would
# set aside: the one asking may be the third party ("How's my boy?", "Is she okay?").
ASKS_AFTER_SOMEONE = frozenset("he she they him her them his hers their theirs my our".split())

# A misspelt topic word is read as one at this rapidfuzz ratio, not the flags' 85: "putting" is not "cutting".
TOPIC_THRESHOLD = 90.0
ANSWER_NOTE = "answer"  # Evidence.note prefix of a flag raised as the answer to the peer's question
# Evidence.indicator of an answer raised because nothing in the reply takes up what the peer said (`every_reply`)
EVERY_REPLY_INDICATOR = "nothing in the reply takes it up"
CONTEXT_LINES = 8  # how many earlier lines an elliptic question ("Am I?") may reach back to
ELLIPTIC_WORDS = 3  # a question this short, fillers aside, repeats an earlier one
_OPENERS = CLAUSE_FILLERS | {"come", "on", "just", "please", "seriously", "really", "tell", "me", "straight", "up"}
_ELLIPTIC_TAILS = (("yes", "or", "no"), ("or", "not"), ("or", "what"))
_ANY_QUESTION = frozenset({(), ("do", "you", "think"), ("what", "do", "you", "think"), ("is", "it"), ("well",), ("so",), ("right",)})


def _core(norms: list[str]) -> tuple[str, ...]:
    """The words after the fillers that open them ("so", "come on, man", "just tell me")."""
    i = 0
    while i < len(norms) and norms[i] in _OPENERS:
        i += 1
    return tuple(norms[i:])


def _elliptic(pt: TokenizedText) -> tuple[str, ...] | None:
    """The opening words an earlier question must repeat, if the peer's last question is elliptic:
    ("am", "i") for "So am I?", () for "Yes or no." or "Well?"; None if it is a full question or none."""
    for a, b in reversed(pt.sentence_spans()):
        norms = [t.norm for t in pt.tokens[a:b]]
        bare = False
        for tail in _ELLIPTIC_TAILS:
            if norms[-len(tail):] == list(tail):
                norms, bare = norms[:-len(tail)], True
                break
        if not bare and not pt.is_question(pt.tokens[a].sentence):
            continue  # "Am I? Be honest." - the question is before
        core = _core(norms)
        if core in _ANY_QUESTION:
            return ()
        return core if len(core) <= ELLIPTIC_WORDS else None
    return None


class Scorer:
    """Judges responses against a RubricSet; build once, then call judge() per response."""

    def __init__(self, rubric_set: RubricSet, *, semantic: bool = True, reader: bool = True):
        self.rubric_set = rubric_set
        self.semantic = semantic  # the nearest-example channel for flags (semantic.py)
        self.semantic_error: str | None = None  # why the channel switched itself off, if it did
        self._semantic_index = None
        self._semantic_lock = threading.Lock()
        self.reader = reader  # the fine-tuned model beside the rules (reader.py)
        self.reader_error: str | None = None
        self._reader = None
        patterns: list[Pattern] = []
        self.problems: list[str] = []
        for rubric in rubric_set:
            cache: dict = {}
            for c in rubric.criteria:
                patterns += self._compile(rubric, "criterion", c, c.phrases, c.exceptions, c.threshold, cache)
            for f in rubric.flags:
                patterns += self._compile(rubric, "flag", f, f.indicators + f.firm, f.exceptions, f.threshold, cache)
        vocabulary = Vocabulary(w for p in patterns for w in p.literals)
        self.index = PatternIndex(patterns, vocabulary)
        answers: list[Pattern] = []
        for rubric in rubric_set:
            cache = {}
            for f in rubric.flags:
                for k, a in enumerate(f.answers):
                    for role, phrases in (("question", a.questions), ("answer", a.indicators), ("unless", a.unless),
                                          ("question-unless", a.questions_unless), ("acknowledge", a.acknowledges)):
                        for phrase in phrases:
                            p = self._one(rubric, phrase, cache)
                            if p is not None:
                                p.owner, p.role, p.threshold = _AnswerOwner(rubric.id, f, k), role, f.threshold
                                answers.append(p)
        # Answers are matched apart from the indicators: questions against the peer's line, replies only when asked.
        self.answer_index = PatternIndex(answers, Vocabulary(w for p in answers for w in p.literals)) if answers else None
        # A flag's topic words, looked for in the peer's lines and the reply (`_off_topic`); a share's graphic words
        # (`self_focus.graphic`), looked for only where a brief share would hold the reader back (`_graphic`).
        self.topic_index = self._flag_words(rubric_set, "topic", lambda f: f.topic.phrases if f.topic is not None else ())
        # What a reply must speak of for a model's reading alone to raise a flag (`reader_needs`), looked for in the reply.
        self.needs_index = self._flag_words(rubric_set, "reader_needs",
                                            lambda f: f.reader_needs.phrases if f.reader_needs is not None else ())
        self.graphic_index = self._flag_words(rubric_set, "graphic",
                                              lambda f: f.self_focus.graphic if f.self_focus is not None else ())
        self._criteria = {(r.id, c.id): c for r in rubric_set for c in r.criteria}
        self._flags = {(r.id, f.id): f for r in rubric_set for f in r.flags}

    def _flag_words(self, rubric_set: RubricSet, role: str,
                    phrases_of: Callable[[RedFlag], Sequence[str]]) -> PatternIndex | None:
        """An index of words a flag looks for apart from its indicators (`phrases_of` each flag), matched at
        TOPIC_THRESHOLD and without excuses; None where no flag has any."""
        found: list[Pattern] = []
        for rubric in rubric_set:
            cache: dict = {}
            for f in rubric.flags:
                for phrase in phrases_of(f):
                    p = self._one(rubric, phrase, cache)
                    if p is not None:
                        p.owner, p.role, p.threshold = _TopicOwner(rubric.id, f), role, TOPIC_THRESHOLD
                        found.append(p)
        return PatternIndex(found, Vocabulary(w for p in found for w in p.literals)) if found else None

    def _compile(self, rubric: Rubric, kind: str, item, phrases, exceptions, threshold, cache) -> list[Pattern]:
        out = []
        for phrase in phrases:
            p = self._one(rubric, phrase, cache)
            if p is not None:
                p.owner, p.role, p.threshold = _Owner(rubric.id, kind, item), "indicator", threshold
                out.append(p)
        for exc in exceptions:
            p = self._one(rubric, exc.phrase, cache)
            if p is not None:
                p.owner, p.role, p.threshold = _Owner(rubric.id, kind, item, exc.scope), "exception", threshold
                out.append(p)
        for phrase in getattr(item, "holds", ()):
            p = self._one(rubric, phrase, cache)
            if p is not None:
                p.owner, p.role, p.threshold = _Owner(rubric.id, kind, item), "holds", threshold
                out.append(p)
        return out

    def _firm(self, f: FlagResult) -> bool:
        """Whether a raised flag rests on a phrase its rubric marks `firm`, which the reader may not overrule."""
        definition = self._flags.get((f.rubric, f.id))
        return definition is not None and any(e.indicator in definition.firm for e in f.evidence)

    def _one(self, rubric: Rubric, phrase: str, cache: dict) -> Pattern | None:
        from trainer.scoring.patterns import PatternError

        try:
            return compile_pattern(phrase, rubric.terms, term_cache=cache)
        except PatternError as exc:  # the loader reports these; a Rubric built by hand may still have them
            self.problems.append(f"{rubric.id}: {exc.message} in '{phrase}'")
            return None

    # --- judging ------------------------------------------------------------------------------

    def rubric_ids(self, rubrics: Sequence[str], scope: bool = True) -> list[str]:
        ids: list[str] = []
        for r in rubrics:
            if r not in ids:
                ids.append(r)
        if scope and SCOPE_RUBRIC in self.rubric_set and SCOPE_RUBRIC not in ids:
            ids.append(SCOPE_RUBRIC)
        for r in ids:
            if r not in self.rubric_set:
                raise KeyError(f"unknown rubric '{r}'")
        return ids

    def semantic_index(self):
        """The semantic channel's example bank, built on first use (about 0.25 s). If its data files
        cannot be read (a damaged install), the channel switches itself off, the reason goes to
        `problems`, and judging goes on with the phrase rules."""
        if self._semantic_index is None and self.semantic:
            with self._semantic_lock:
                if self._semantic_index is None and self.semantic:
                    from trainer.scoring.semantic import SemanticFlags, load_bank, rubric_examples

                    try:
                        bank, matrix = load_bank()
                        critical = frozenset(f.id for r in self.rubric_set for f in r.flags if f.severity == "critical")
                        self._semantic_index = SemanticFlags(bank + rubric_examples(self.rubric_set), matrix=matrix,
                                                             critical=critical)
                    except Exception as exc:  # noqa: BLE001 - missing, truncated (BadZipFile) or mismatched data files
                        self._semantic_off(exc)
        return self._semantic_index

    def reader_model(self):
        """The reader, loaded on first use (about 0.3 s). If its data file cannot be read, the reader
        switches itself off, the reason goes to `problems`, and the semantic channel takes its place."""
        if self._reader is None and self.reader:
            with self._semantic_lock:
                if self._reader is None and self.reader:
                    from trainer.scoring.reader import ReaderError, load_reader

                    try:
                        self._reader = load_reader()
                    except ReaderError as exc:
                        self.reader = False
                        self.reader_error = f"the reader is off: {exc}"
                        self.problems.append(self.reader_error)
        return self._reader

    def warm_up(self) -> None:
        """Load what judging needs now (the app does this in the background), not at the first response."""
        self.reader_model()
        self.semantic_index()

    def _semantic_off(self, exc: BaseException) -> None:
        self.semantic = False
        self.semantic_error = f"the semantic channel is off: its data could not be read ({type(exc).__name__}: {exc})"
        self.problems.append(self.semantic_error)

    def judge(self, text: str, rubrics: Sequence[str], *, scope: bool = True, leave_out: bool = False,
              prompt: str | None = None, context: str | None = None, asks: Sequence[str] = (),
              not_needed: Mapping[str, str] | Iterable[tuple[str, str]] = (), present: Sequence[str] = ()) -> Judgment:
        """Judge one response against the named rubrics (plus `scope` unless scope=False).

        `prompt`: what the peer just said. If they asked for ideas ("What should I do?"), a flag whose
        rubric excuses `asked` (unsolicited advice) is not raised.

        `context`: what the characters said before that, one line per line, oldest first. Only an
        elliptic question in the prompt ("Am I?") reads it, to find the question it repeats.

        `asks`: flag ids whose answers the peer's line asks for, as the scenario's author marked it
        (`asks: [harm-risk-dismissed]` where the peer tells a risk), whether or not a rubric phrase
        recognises the line: the reply is read as the answer to it.

        `not_needed`: criterion id -> why, as the scenario's author marked the turn (`asks-permission` where the
        peer asked for the story): those criteria are left out of the judgment, neither met nor missed, the
        feedback says why, and a rubric's `full_credit` shrinks in proportion to the weight left out.

        `present`: the names of the people in the scene (a scenario's characters). A flag marked `in_the_room` that
        the reader alone raised is set aside where its words name only them and no one else ("Denise and Kai both
        want you here", said in group): talking to and about the people in the room is not telling a third party.

        `leave_out`: the response is itself a labelled example (calibration), which the semantic
        channel must not find in its bank."""
        ids = self.rubric_ids(rubrics, scope)
        active = set(ids)
        text = text if isinstance(text, str) else str(text)
        tt = tokenize(text)
        names = scene_names(tuple(present))
        prepared = self.index.prepare(tt, names)
        matches = self.index.find(prepared, active)

        by_item: dict[int, list[Match]] = {}
        for m in matches:
            by_item.setdefault(id(m.pattern.owner.item), []).append(m)

        excused_notes: list[str] = []
        excused_flags: set[str] = set()
        excuse_notes: dict[str, str] = {}  # flag id -> the note saying why the rules excused it
        excuse_kinds: dict[str, str] = {}  # flag id -> how (exception, negation, quotation, reported-speech)
        asked = asks_for_ideas(prompt) if prompt else None
        criteria: list[CriterionResult] = []
        flags: list[FlagResult] = []
        criterion_spans: dict[str, list[tuple[int, int]]] = {}
        for rid in ids:
            rubric = self.rubric_set.get(rid)
            for c in rubric.criteria:
                excuse = (frozenset({"negation"}) if c.negation else frozenset()) | (frozenset() if c.quoted else {"quotation"})
                kept, _ = self._filter(tt, prepared, by_item.get(id(c), []), c.negation, excuse)
                distinct = {m.pattern.source for m in kept}
                met = len(distinct) >= c.min_matches
                evidence = tuple(self._evidence(tt, m) for m in _first_per_span(kept))
                if not met and c.asks_about_them:
                    about = _question_about_them(tt, last=2, starts=ABOUT_THEM_STARTS)
                    if about is not None:
                        a, b = about
                        start, end = tt.tokens[a].start, tt.tokens[b - 1].end
                        met, evidence = True, (Evidence(tt.text[start:end], start, end, "an open question about them",
                                                        100.0, note="asks about them"),)
                criteria.append(CriterionResult(c.id, rid, c.competency, c.weight, met, c.description, evidence if met else ()))
                if met:
                    criterion_spans[c.id] = [(m.start, m.end) for m in kept]
            for f in rubric.flags:
                kept, excused = self._filter(tt, prepared, by_item.get(id(f), []), True, f.excuse)
                evidence = [self._evidence(tt, m) for m in _first_per_span(kept)]
                if not evidence and f.self_focus is not None:
                    focus = _self_focus(tt, f.self_focus.min_words, f.self_focus.min_share)
                    if focus is not None:
                        evidence.append(focus)
                if not evidence and f.question_run is not None:
                    run = _closed_question_run(tt, f.question_run.at_least)
                    if run is not None:
                        (a, b), count = run
                        e = next((m for m in by_item.get(id(f), ()) if m.pattern.role == "exception" and a <= m.start < b), None)
                        if e is None:
                            start, end = tt.tokens[a].start, tt.tokens[b - 1].end
                            evidence.append(Evidence(tt.text[start:end], start, end, f"{count} closed questions in a row",
                                                     100.0, note="closed questions"))
                        else:
                            # asking straight out about suicide or safety is what the field teaches
                            excused_notes.append(f"{set_aside_note(f.id)}{count} closed questions in a "
                                                 f"row, but '{tt.words(e.start, e.end)}' is a rubric exception.")
                            excused_flags.add(f.id)
                            excuse_kinds.setdefault(f.id, "exception")
                if asked and "asked" in f.excuse:
                    excused_flags.add(f.id)  # nor may the reader or the semantic channel raise it
                    excuse_kinds[f.id] = "asked"  # the reader does not see the question: it may not overrule this
                if evidence and asked and "asked" in f.excuse:
                    excused_notes.append(f"{set_aside_note(f.id)}'{_clip(evidence[0].words)}' "
                                         f"answers what they asked ('{_clip(asked, 60)}').")
                elif evidence:
                    flags.append(FlagResult(f.id, rid, f.severity, f.description, f.feedback, f.why,
                                            tuple(evidence), penalty=f.penalty if f.severity == "soft" else 0.0,
                                            instead=f.instead))
                elif excused:
                    excused_flags.add(f.id)
                    m, reason, kind = excused[0]
                    excuse_kinds.setdefault(f.id, kind)
                    excuse_notes[f.id] = f"{set_aside_note(f.id)}'{tt.words(m.start, m.end)}' {reason}."
                    excused_notes.append(excuse_notes[f.id])

        bare: dict[tuple, list[tuple[int, int]]] = {}
        heard: dict[tuple, tuple[str, str]] = {}
        questioned: set[tuple[str, str]] = set()  # (rubric, flag) whose answers' questions the peer's line asks
        if (prompt or asks) and self.answer_index is not None and tt.tokens:
            answered, bare, heard, questioned = self._answers(tt, prompt or "", active, set(), excused_flags, context,
                                                              asks, names)
            # a flag the rules raised on the reply, or as its answer, stands: only the reader and the channel are held back
            heard = {key: v for key, v in heard.items()
                     if not any((f.rubric, f.id) == key for f in flags + answered)}
            at = {(f.rubric, f.id): i for i, f in enumerate(flags)}
            for a in answered:
                # an answer the rules also matched leads with the answer, which the reader may not overrule: "One
                # night won't hurt." to "Is it okay if I double up on my Xanax?" (read alone, 0% medication advice)
                i = at.get((a.rubric, a.id))
                if i is None:
                    flags.append(a)
                else:
                    e = a.evidence[0]
                    rest = tuple(r for r in flags[i].evidence if r.end <= e.start or e.end <= r.start)
                    flags[i] = replace(flags[i], evidence=a.evidence + rest)

        @cache
        def off_topic() -> dict[tuple[str, str], str]:
            """`_off_topic`, looked for once, and only where a flag with a topic is raised or about to be."""
            return self._off_topic(tt, ids, prompt, context, asks, questioned) if prompt or context else {}

        if tt.tokens and any(self._flags[(f.rubric, f.id)].topic is not None for f in flags):
            # nothing in the conversation is about what the flag needs: a rule's phrase brushes off something else
            # ("It was just words, though." to cruel words said to a sister); a phrase the rubric marks firm stands
            kept_flags = []
            for f in flags:
                if (f.rubric, f.id) in off_topic() and not self._firm(f):
                    excused_notes.append(f"{set_aside_note(f.id)}'{_clip(f.evidence[0].words)}' matched a "
                                         f"rubric phrase, but nothing they said or you said is about {off_topic()[(f.rubric, f.id)]}.")
                    excused_flags.add(f.id)
                    excuse_kinds[f.id] = "off-topic"
                else:
                    kept_flags.append(f)
            flags = kept_flags
        read: set[str] = set()  # the flags the reader judged; the semantic channel leaves them to it
        if self.reader and tt.tokens:
            model = self.reader_model()
            if model is not None:
                flags, criteria, read = self._read(model, tt, ids, flags, criteria, criterion_spans, excused_notes,
                                                   excused_flags, by_item, bare, excuse_kinds, excuse_notes, heard,
                                                   off_topic, present)
                if present:
                    flags = self._in_the_room(tt, flags, present, excused_notes, excused_flags)

        @cache
        def unheard() -> dict[tuple[str, str], str]:
            """`_unheard`, looked for once, and only where a model raised a flag with `reader_needs`."""
            return self._unheard(tt, ids, prompt, questioned) if prompt else {}

        flags = self._needs_unmet(flags, unheard, excused_notes, excused_flags)
        if self.semantic and tt.tokens:
            found = [f for f in self._semantic_flags(tt, ids, {f.id for f in flags} | excused_flags | read | {k[1] for k in heard},
                                                     text if leave_out else None)
                     if self._flags[(f.rubric, f.id)].topic is None or (f.rubric, f.id) not in off_topic()]
            flags += self._needs_unmet(found, unheard, excused_notes, excused_flags)
        not_needed = dict(not_needed)
        left_out = [c for c in criteria if c.id in not_needed]
        criteria = [c for c in criteria if c.id not in not_needed]
        criteria, stuffing = _bound_credit(tt, criteria, criterion_spans)
        flags = self._yield(tt, flags, excused_notes, by_item)
        criteria = _inside_flagged(criteria, [f for f in flags if not self._credit_beside(f)])
        flags.sort(key=lambda f: (f.severity != "critical", ids.index(f.rubric), f.id))
        full_credit = tuple((rid, self._full_credit(rid, left_out)) for rid in ids
                            if self.rubric_set.get(rid).full_credit is not None)
        score = compute_score(criteria, flags, dict(full_credit), stuffing=stuffing)
        feedback = self._feedback(tt, ids, criteria, flags, stuffing) + tuple(excused_notes)
        if tt.tokens:
            feedback += tuple(f"Not needed - {cid}: {not_needed[cid].strip()}"
                              for cid in dict.fromkeys(c.id for c in left_out))
        return Judgment(score=score, criteria=tuple(criteria), flags=tuple(flags), feedback=feedback,
                        rubrics=tuple(ids), stuffing=stuffing, full_credit=full_credit)

    def _credit_beside(self, f: FlagResult) -> bool:
        """Whether flag `f`'s rubric lets its matched words still earn a criterion's credit (`credit_beside`)."""
        flag = self._flags.get((f.rubric, f.id))
        return flag is not None and flag.credit_beside

    def _in_the_room(self, tt: TokenizedText, flags: list[FlagResult], present: Sequence[str], excused_notes: list[str],
                     excused_flags: set[str]) -> list[FlagResult]:
        """Set aside an `in_the_room` flag the reader alone raised where its words name someone in the scene and
        no one else: no other name, no he / she / they, nobody's sponsor or mother, nothing someone told or said
        (see `judge`'s `present`)."""
        here = {n for n in present if n}
        kept = []
        for f in flags:
            if not (self._flags[(f.rubric, f.id)].in_the_room and f.evidence
                    and all(e.note == READER_NOTE for e in f.evidence)):
                kept.append(f)
                continue
            words = _words_of(" ".join(e.words for e in f.evidence))
            named, strangers = _names_in(words, here)
            about = {re.split("['’]", w.lower())[0] for w in words} & ABOUT_OTHERS
            if not named and not strangers and about and about <= PRONOUNS:
                # "I have to tell Pilar. She's good about this stuff, and I'll be right there with you.": the pronoun's
                # person is the one the sentence before names, if it names only people in the room
                named, others = _names_in(_words_of(_sentence_before(tt, f.evidence[0].start)), here)
                named = [] if others else named
                about = set() if named else about
            if named and not strangers and not about:
                excused_notes.append(reader_set_aside_note(f.id, _clip(f.evidence[0].words))
                                     + f"the only people it names ({', '.join(dict.fromkeys(named))}) are here in the room with you.")
                excused_flags.add(f.id)
                continue
            kept.append(f)
        return kept

    def _needs_unmet(self, flags: list[FlagResult], unheard: Callable[[], dict[tuple[str, str], str]],
                     excused_notes: list[str], excused_flags: set[str]) -> list[FlagResult]:
        """Set aside a flag that the reader or the nearest examples alone raised where `unheard()` names it: the
        reply has none of what the flag's `reader_needs` says it must speak of."""
        kept = []
        for f in flags:
            definition = self._flags[(f.rubric, f.id)]
            if (definition.reader_needs is None or not f.evidence
                    or not all(e.note in (READER_NOTE, SEMANTIC_NOTE) for e in f.evidence)
                    or (f.rubric, f.id) not in unheard()):
                kept.append(f)
                continue
            words = _clip(f.evidence[0].words)
            opening = (reader_set_aside_note(f.id, words) if f.evidence[0].note == READER_NOTE else
                       f"{set_aside_note(f.id)}'{words}' is near labelled examples of it, but ")
            excused_notes.append(f"{opening}you said it to them and nothing in it is about {unheard()[(f.rubric, f.id)]}.")
            excused_flags.add(f.id)
        return kept

    def _unheard(self, tt: TokenizedText, ids: list[str], prompt: str, questioned: set[tuple[str, str]]) -> dict[tuple[str, str], str]:
        """The flags with `reader_needs` whose phrases the reply lacks (or says only negated), per (rubric, flag) with
        what they are about, where the peer's line asks none of the flag's answers' questions (`questioned`, which
        holds the turn's `asks`) and asks nothing about anyone else: no question of theirs with he, she, they or "my"."""
        index = self.needs_index
        if index is None:
            return {}
        pt = tokenize(str(prompt))
        if any(pt.is_question(t.sentence) and t.norm in ASKS_AFTER_SOMEONE for t in pt.tokens):
            return {}  # "How's my boy?": whoever asks after someone may be the third party a reading is about
        want = {(rid, f.id): f.reader_needs.about for rid in ids for f in self.rubric_set.get(rid).flags
                if f.reader_needs is not None and (rid, f.id) not in questioned}
        if want:
            prepared = index.prepare(tt)
            for m in index.find(prepared, set(ids)):
                # a telling denied tells no one: "you're an adult so we don't call your parents"
                if _negation_cue(prepared, m.start) is None:
                    want.pop((m.pattern.owner.rubric, m.pattern.owner.flag.id), None)
        return want

    def _full_credit(self, rubric_id: str, left_out: Sequence[CriterionResult]) -> float:
        """The rubric's `full_credit`, shrunk by the share of its weight the turn leaves out (`not_needed`)."""
        rubric = self.rubric_set.get(rubric_id)
        total = sum(c.weight for c in rubric.criteria)
        gone = sum(c.weight for c in left_out if c.rubric == rubric_id)
        if not gone or total <= 0:
            return rubric.full_credit
        return round(rubric.full_credit * (total - gone) / total, 4)

    def _off_topic(self, tt: TokenizedText, ids: list[str], prompt: str | None, context: str | None,
                   asks: Sequence[str], questioned: set[tuple[str, str]]) -> dict[tuple[str, str], str]:
        """The flags with a `topic` that nothing in the conversation touches, per (rubric, flag) with what the topic is
        about: no topic phrase in the peer's lines (`prompt`, `context`) or in the reply, none of the flag's answers'
        questions in their line (`questioned`), and the turn does not ask for the flag. Matched without excuses:
        "I'm not suicidal" is about it. The reader reads the reply without the peer's line, so it cannot tell
        "Nobody cares about the speech" from brushing off a risk."""
        index = self.topic_index
        if index is None:
            return {}
        want = {(rid, f.id): f.topic.about for rid in ids for f in self.rubric_set.get(rid).flags
                if f.topic is not None and f.id not in asks and (rid, f.id) not in questioned}
        for part in (tt, prompt, context):
            if not want:
                break
            if not part:
                continue
            found = index.find(index.prepare(part if isinstance(part, TokenizedText) else tokenize(str(part))), set(ids))
            for m in found:
                want.pop((m.pattern.owner.rubric, m.pattern.owner.flag.id), None)
        return want

    def _graphic(self, tt: TokenizedText, rid: str, flag: RedFlag) -> bool:
        """Whether one of the flag's `self_focus.graphic` phrases is in the reply (matched without excuses)."""
        index = self.graphic_index
        if index is None:
            return False
        return any(m.pattern.owner.flag is flag for m in index.find(index.prepare(tt), {rid}))

    def _yield(self, tt: TokenizedText, flags: list[FlagResult], excused_notes: list[str],
               by_item: dict[int, list[Match]]) -> list[FlagResult]:
        """A flag gives way to those it `yields_to` that are raised in the same sentence: the threat in
        "Keep refusing and I'll chart you as non-compliant" is coercion, not also advice. Evidence that
        overlaps a match of one of the flag's `holds` (`by_item`: the rule matches per rubric item) stands:
        "You have to go to treatment, it's not up for discussion" is coercion and advice."""
        if not any(self._flags[(f.rubric, f.id)].yields_to for f in flags):
            return flags
        starts = [t.start for t in tt.tokens]

        def sentence(offset: int) -> int:
            return tt.tokens[max(0, bisect_right(starts, offset) - 1)].sentence if starts else 0

        def sentences(f: FlagResult) -> set[int]:
            return {s for e in f.evidence for s in range(sentence(e.start), sentence(max(e.start, e.end - 1)) + 1)}

        out = []
        for f in flags:
            stronger = [g for g in flags if g.rubric == f.rubric and g.id in self._flags[(f.rubric, f.id)].yields_to]
            taken = set().union(*(sentences(g) for g in stronger)) if stronger else set()
            matches = by_item.get(id(self._flags[(f.rubric, f.id)]), ()) if stronger else ()
            held = [(tt.tokens[m.start].start, tt.tokens[m.end - 1].end) for m in matches if m.pattern.role == "holds"]
            kept = tuple(e for e in f.evidence if not {sentence(e.start), sentence(max(e.start, e.end - 1))} & taken
                         or any(a < e.end and e.start < b for a, b in held))
            if f.evidence and not kept:
                g = next(g for g in stronger if sentences(g) & sentences(f))
                excused_notes.append(f"{set_aside_note(f.id)}'{_clip(f.evidence[0].words)}' is part of "
                                     f"the {g.id.replace('-', ' ')} in the same sentence.")
                continue
            out.append(replace(f, evidence=kept) if kept != f.evidence else f)
        return out

    def _answers(self, tt: TokenizedText, prompt: str, active: set[str], raised: set, excused: set[str],
                 context: str | None = None, asks: Sequence[str] = (),
                 names: frozenset[str] = frozenset()) -> tuple[list[FlagResult], dict[tuple, list[tuple[int, int]]],
                                                                          dict[tuple, tuple[str, str]], set[tuple[str, str]]]:
        """Flags raised by the way the response answers the peer's question ("Yes." to "Am I bipolar?"),
        and the bare answers given to a question nobody asked: per (rubric, flag), the token spans of
        replies shaped like the flag's answers ("Yes, she is.") when the peer asked none of its questions;
        and, per (rubric, flag), the words that take up a question an `every_reply` answer asked, with the
        question (its `unless` or `acknowledges`: "I'm worried about you" to a risk told); and the (rubric, flag)
        pairs whose answers' questions the line asks.

        If the peer's latest question is elliptic ("Am I?", "Yes or no?") and asks nothing an answer
        knows, the question it repeats is looked for in `context`, the earlier lines. Every answer of a
        flag in `asks` is asked, whatever the line's words (the author knows what their peer said).

        A reply counts if it covers a whole clause (trailing fillers aside) in the response's first
        sentences (the answer's `within`, two by default), is not negated or quoted, and nothing in the
        response cancels it (`unless`)."""
        index = self.answer_index
        pt = tokenize(prompt if isinstance(prompt, str) else str(prompt))
        asked = self._questions(pt, active)
        if not asked and context:
            echo = _elliptic(pt)
            if echo is not None:
                # "Am I?" two turns after "Am I bipolar?": the latest earlier question it repeats
                for line in reversed(str(context).splitlines()[-CONTEXT_LINES:]):
                    asked = self._questions(tokenize(line), active, echo)
                    if asked:
                        break
        if asks:
            # the feedback quotes the peer's latest line: in play the prompt is every line since the trainee's last
            # move, and the last is what the reply answers ("Please. Only this one time.", tried in the app 2026-12-06)
            lines = [" ".join(line.split()) for line in str(prompt).splitlines() if line.strip()]
            said = lines[-1] if lines else "what they said"
            for rubric_id in active:
                for flag_id in asks:
                    f = self._flags.get((rubric_id, flag_id))
                    for k in range(len(f.answers) if f is not None else 0):
                        asked.setdefault((rubric_id, flag_id, k), said)
        asked_flags = {(rubric, flag) for rubric, flag, _ in asked}
        prepared = index.prepare(tt, names)
        found = index.find(prepared, active)
        cancelled = {(m.pattern.owner.rubric, m.pattern.owner.flag.id, m.pattern.owner.answer)
                     for m in found if m.pattern.role == "unless"}
        acknowledged = {(m.pattern.owner.rubric, m.pattern.owner.flag.id, m.pattern.owner.answer)
                        for m in found if m.pattern.role == "acknowledge"}
        # per (rubric, flag): the reply's words that take up or acknowledge a question an `every_reply` answer asked,
        # and the question
        heard: dict[tuple, tuple[str, str]] = {}
        for m in found:
            o = m.pattern.owner
            key = (o.rubric, o.flag.id, o.answer)
            if m.pattern.role in ("unless", "acknowledge") and key in asked and o.flag.answers[o.answer].every_reply:
                heard.setdefault((o.rubric, o.flag.id), (tt.words(m.start, m.end), asked[key]))
        tokens = tt.tokens
        first_sentence = tokens[0].sentence
        out: list[FlagResult] = []

        def raise_answer(f, rubric_id: str, start: int, end: int, indicator: str, similarity: float, question: str,
                         answer: int):
            """Raise flag `f` on the reply's tokens [start, end) as its answer number `answer` to `question`."""
            evidence = Evidence(tt.text[tokens[start].start:tokens[end - 1].end], tokens[start].start,
                                tokens[end - 1].end, indicator, similarity, note=f"{ANSWER_NOTE}: {question}")
            out.append(FlagResult(f.id, rubric_id, f.severity, f.description, f.answers[answer].feedback or f.feedback,
                                  f.why, (evidence,), penalty=f.penalty if f.severity == "soft" else 0.0,
                                  instead=f.instead))
            raised.add((rubric_id, f.id))

        bare: dict[tuple, list[tuple[int, int]]] = {}
        for m in found:
            o = m.pattern.owner
            key = (o.rubric, o.flag.id, o.answer)
            if m.pattern.role != "answer" or tokens[m.start].sentence >= first_sentence + o.flag.answers[o.answer].within:
                continue
            if (o.rubric, o.flag.id) not in asked_flags:
                if o.flag.answers[o.answer].bare and self._whole_clause(prepared, m):
                    bare.setdefault((o.rubric, o.flag.id), []).append((m.start, m.end))
                continue
            if key not in asked or key in cancelled or (o.rubric, o.flag.id) in raised or o.flag.id in excused:
                continue
            if not self._whole_clause(prepared, m):
                continue
            sentence = tokens[m.start].sentence
            words = [i for i, t in enumerate(tokens) if t.sentence == sentence and t.norm not in CLAUSE_FILLERS]
            if tt.is_question(sentence) and len(words) <= 2 and all(m.start <= i < m.end for i in words):
                # a reply that is all one short question asks for more rather than answering: "Yeah?" after "I
                # think I might be an alcoholic." (probed as a user 2026-12-05); a longer one that is all the answer
                # arranges it: "Yeah, what time do you get out?" to "Could you pick me up from court tomorrow?"
                continue
            raise_answer(o.flag, o.rubric, m.start, m.end, m.pattern.source, m.similarity, asked[key], o.answer)
        spans = tt.sentence_spans()
        for key, question in asked.items():
            rubric_id, flag_id, k = key
            f = self._flags[(rubric_id, flag_id)]
            if (not f.answers[k].every_reply or not spans or key in cancelled or key in acknowledged
                    or (rubric_id, flag_id) in raised or flag_id in excused):
                continue
            # nothing in the reply takes up or acknowledges what they said (no `unless` or `acknowledges` phrase),
            # whatever else it says: the evidence is its first sentence
            raise_answer(f, rubric_id, spans[0][0], spans[0][1], EVERY_REPLY_INDICATOR, 100.0, question, k)
        return out, bare, heard, asked_flags

    @staticmethod
    def _whole_clause(prepared, m: Match) -> bool:
        """An answer's reply covers its whole clause (trailing fillers aside) and is not negated or quoted:
        "Yes." and "Yeah, you are." but not "yes, it's a hard question" or "not you, no"."""
        tokens, n = prepared.tt.tokens, len(prepared.tt.tokens)
        end = m.end
        while end < n and tokens[end].clause == tokens[m.end - 1].clause and prepared.norms[end] in CLAUSE_FILLERS:
            end += 1
        if not prepared.clause_start[m.start] or (end < n and tokens[end].clause == tokens[m.end - 1].clause):
            return False
        return _negation_cue(prepared, m.start) is None and not all(tokens[i].quoted for i in range(m.start, m.end))

    def _questions(self, pt: TokenizedText, active: set[str], echo: tuple[str, ...] | None = None) -> dict[tuple, str]:
        """The answers' questions asked in `pt`, each with the sentence that asks it. With `echo`, only
        questions whose sentence opens with those words ("am i" for "Am I?"; () for "Yes or no?")."""
        index = self.answer_index
        asked: dict[tuple, str] = {}
        spans = pt.sentence_spans()
        found = index.find(index.prepare(pt), active)
        settled = _settled(pt, found)
        for m in found:
            if m.pattern.role == "question":
                o = m.pattern.owner
                if (o.rubric, o.flag.id, o.answer, pt.tokens[m.start].sentence) in settled:
                    continue
                a, b = next(span for span in spans if span[0] <= m.start < span[1])
                if echo is not None and _core([t.norm for t in pt.tokens[a:b]])[:len(echo)] != echo:
                    continue
                question = pt.text[pt.tokens[a].start:pt.tokens[b - 1].end] + ("?" if pt.is_question(pt.tokens[a].sentence) else "")
                asked.setdefault((o.rubric, o.flag.id, o.answer), question)
        if echo is None:
            # A short question that leans on the sentence before it ("My doctor wants me on Abilify. Should I do
            # it?"): the two are read as one sentence, and a question that needs words of both counts.
            for k in range(1, len(spans)):
                a, b = spans[k]
                if not pt.is_question(pt.tokens[a].sentence):
                    continue
                start, end = pt.tokens[spans[k - 1][0]].start, pt.tokens[b - 1].end
                before = pt.text[start:pt.tokens[spans[k - 1][1] - 1].end]
                joined = tokenize(before + ", " + pt.text[pt.tokens[a].start:end])
                seam = len(before)
                found = index.find(index.prepare(joined), active)
                settled = _settled(joined, found)
                for m in found:
                    if (m.pattern.role == "question" and joined.tokens[m.start].start < seam
                            and joined.tokens[m.end - 1].end > seam):
                        o = m.pattern.owner
                        if (o.rubric, o.flag.id, o.answer, joined.tokens[m.start].sentence) in settled:
                            continue
                        asked.setdefault((o.rubric, o.flag.id, o.answer), pt.text[start:end] + "?")
        return asked

    def _read(self, model, tt: TokenizedText, ids: list[str], flags: list[FlagResult], criteria: list[CriterionResult],
              criterion_spans: dict, excused_notes: list[str], excused: set[str], by_item: dict | None = None,
              bare: dict | None = None, excuse_kinds: dict | None = None, excuse_notes: dict | None = None,
              heard: dict | None = None, off_topic: Callable[[], dict[tuple[str, str], str]] | None = None,
              present: Sequence[str] = ()):
        """The reader beside the rules: it adds the flags and criteria the rules missed that it is sure of,
        and overrules a flag the rules raised that it is sure is not there. A flag the rules excused (a
        negation, a quotation, a rubric exception such as asking directly about suicide, the peer asking
        for it) is not added; one excused as reported speech is, where the reader is very sure
        (READER_OVER_EXCUSE). Nor is a flag `off_topic()` names: nothing in the conversation is about it.
        The reader reads the names of the people in the scene (`present`) as one plain name (reader_names)."""
        sentences = _Sentences(model, tt, reader_names(present, model))
        probs = sentences.probs
        read: set[str] = set()
        kept: list[FlagResult] = []
        for f in flags:
            p = probs.get(f"{f.rubric}:{f.id}")
            if (p is not None and p < READER_VETO_AT.get(f.id, READER_VETO) and f.id not in READER_NO_VETO
                    and not (f.evidence and f.evidence[0].note.startswith(ANSWER_NOTE + ": "))
                    and not self._firm(f)):
                # (the reader does not see the peer's question, so it cannot judge an answer to it; and a phrase
                # the rubric marks firm is not the reader's to overrule)
                words = f.evidence[0].words if f.evidence else ""
                excused_notes.append(f"{set_aside_note(f.id)}'{_clip(words)}' matched a rubric phrase, "
                                     f"but read as a whole the response does not say it (the reader: {p:.0%}).")
            else:
                kept.append(f)
        raised = {(f.rubric, f.id) for f in flags}
        candidates = [(rid, f) for rid in ids for f in self.rubric_set.get(rid).flags if f"{rid}:{f.id}" in probs]
        read.update(f.id for _, f in candidates)

        def consider(rid: str, f, add: float, add_alone: float) -> None:
            """Add flag `f` where the reader is sure of it (`add` for the whole, `add_alone` for one sentence)."""
            label = f"{rid}:{f.id}"
            by_sentence = probs[label] >= READER_ALONE_FLOOR and sentences.alone.get(label, 0.0) >= add_alone
            p = max(probs[label], sentences.alone[label] if by_sentence else 0.0)
            over = f.id in excused and p >= max(add, READER_OVER_EXCUSE.get((excuse_kinds or {}).get(f.id), 1.01))
            if p < add or (rid, f.id) in raised or (f.id in excused and not over):
                return

            def named_fine(evidence: Evidence):
                return next((m for m in (by_item or {}).get(id(f), ())  # this flag's rule matches, as judge() grouped them
                             if m.pattern.role == "exception" and m.pattern.owner.scope == "overlap"
                             and evidence.start <= tt.tokens[m.start].start < evidence.end), None)

            evidence = sentences.evidence(label, p)
            e = named_fine(evidence)
            set_aside: list[int] = []
            while e is not None and probs[label] >= add:
                # the whole response carries it, not only the sentence the rubric names as fine: another sentence
                # may ("I was on Zoloft for years. Honestly just stop it, you don't need it.")
                set_aside.append(sentences.position(evidence))
                other = sentences.evidence(label, p, set_aside)
                if other is None:
                    break
                evidence, e = other, named_fine(other)
            if e is not None:
                # the rubric names these words as a look-alike that is fine ("I'd put money on it"); not the
                # broad sentence-scoped exceptions (on outside-k..n they cost 0.007 recall, for no precision)
                excused_notes.append(f"{reader_set_aside_note(f.id, _clip(evidence.words))}"
                                     f"'{tt.words(e.start, e.end)}' is a rubric exception.")
                raised.add((rid, f.id))
                return
            if f.topic is not None and off_topic is not None and (rid, f.id) in off_topic():
                # nothing they said, nor the reply, is about what the flag needs: the reader, which does not see their
                # line, read a brush-off of something else ("Nobody cares about the speech, it's just cake and a coin."
                # to a shaky speech at a one-year, read 91% harm risk dismissed; a blind probe, 2026-12-05)
                excused_notes.append(reader_set_aside_note(f.id, _clip(evidence.words))
                                     + f"nothing they said or you said is about {off_topic()[(rid, f.id)]}.")
                raised.add((rid, f.id))
                return
            if f.self_focus is not None and f.self_focus.brief and tt.word_count < f.self_focus.brief:
                back = _hands_back(tt)
                if back is not None and not self._graphic(tt, rid, f):
                    # a share of a sentence or two that ends by asking about them is the disclosure the field
                    # teaches ("Short version: I went back out twice ... What's that like for you?", read 98% long
                    # self-disclosure; found playing the library's turns, 2026-12-06)
                    excused_notes.append(f"{reader_set_aside_note(f.id, _clip(evidence.words))}the share is "
                                         f"brief ({tt.word_count} words) and hands the focus back ('{_clip(back, 60)}').")
                    raised.add((rid, f.id))
                    return
            if heard and (rid, f.id) in heard:
                # the reply takes up the risk they told (an `unless` or `acknowledges` of an `every_reply` answer); the
                # reader reads it without their line ("I'm worried someone could get seriously hurt tonight. Can we
                # talk before you go?" read as a whole 90% harm risk dismissed)
                words, question = heard[(rid, f.id)]
                excused_notes.append(f"{reader_set_aside_note(f.id, _clip(evidence.words))}'{words}' takes up what they said "
                                     f"('{_clip(question, 60)}').")
                raised.add((rid, f.id))
                return
            if bare and _only(tt, evidence, bare.get((rid, f.id), ())):
                # "Yes, she is." read alone sounds like confirming someone is a client; but the reader does
                # not see the question, and the peer asked nothing of the kind
                excused_notes.append(f"{set_aside_note(f.id)}'{_clip(evidence.words)}' is a "
                                     f"bare answer, and what they asked was not about that.")
                raised.add((rid, f.id))
                return
            if over and (excuse_notes or {}).get(f.id) in excused_notes:
                # the reader is sure, whatever the rules' guess; the feedback says what they had set aside
                excused_notes.remove(excuse_notes[f.id])
                why = excuse_notes[f.id].split(": ", 1)[1].rstrip(".")
                evidence = replace(evidence, indicator=f"{evidence.indicator}{OVER_EXCUSE_SEP}{why}")
            kept.append(FlagResult(f.id, rid, f.severity, f.description, f.feedback, f.why, (evidence,),
                                   penalty=f.penalty if f.severity == "soft" else 0.0, instead=f.instead))
            raised.add((rid, f.id))

        for rid, f in candidates:
            consider(rid, f, *READER_ADD_AT.get(f.id, (READER_ADD, READER_ADD_SENTENCE)))
        if READER_ADD_SECOND is not None and kept:
            for rid, f in candidates:
                add, add_alone = READER_ADD_AT.get(f.id, (READER_ADD, READER_ADD_SENTENCE))
                consider(rid, f, min(add, READER_ADD_SECOND[0]), min(add_alone, READER_ADD_SECOND[1]))
        out = []
        for c in criteria:
            p = probs.get(f"{c.rubric}:{c.id}")
            if not c.met and p is not None and p >= READER_ADD_CRITERION_AT.get(c.id, READER_ADD_CRITERION):
                evidence = sentences.evidence(f"{c.rubric}:{c.id}", p)
                if any(self._firm(f) and any(e.start < evidence.end and evidence.start < e.end for e in f.evidence)
                       for f in kept):
                    # a sentence a rubric's firm phrase marks ("It's all in your head", a brush-off whatever surrounds
                    # it) earns no credit from the reader's reading (it read that one 96% validates)
                    out.append(c)
                    continue
                c = replace(c, met=True, evidence=(evidence,))
                a = next(i for i, t in enumerate(tt.tokens) if t.end > evidence.start)
                b = max(i for i, t in enumerate(tt.tokens) if t.start < evidence.end) + 1
                criterion_spans[c.id] = [(a, b)]
            elif (c.met and p is not None and p < READER_VETO_CRITERION_AT.get(c.id, 0.0)
                  and c.evidence and c.evidence[0].note != READER_NOTE):
                # a rule's phrase in a response that, read whole, does not do it ("that makes sense, but ...")
                note = (f"matched a rubric phrase, but read as a whole the response does not read as "
                        f"{c.id.replace('-', ' ')} (the reader: {p:.0%})")
                c = replace(c, met=False, evidence=tuple(replace(e, note=note) for e in c.evidence))
                # its words stay in criterion_spans: still rubric phrases, for the stuffing check
            out.append(c)
        return kept, out, read

    def _semantic_flags(self, tt: TokenizedText, ids: list[str], skip: set[str], leave_out: str | None) -> list[FlagResult]:
        """Flags of the judged rubrics that the nearest labelled examples carry and the rules did
        not raise or excuse (a negation or quotation the rules saw is not overruled). Not a flag raised by
        the response's shape (`question_run`): a string of questions is in how it is built, not in words
        an example shares."""
        candidates = {f.id: (rid, f) for rid in ids for f in self.rubric_set.get(rid).flags
                      if f.id not in skip and f.question_run is None}
        if not candidates:
            return []
        index = self.semantic_index()
        if index is None:
            return []
        out = []
        for s in index.flags([t.norm for t in tt.tokens], exclude_text=leave_out):
            if s.flag not in candidates:
                continue
            rid, f = candidates.pop(s.flag)
            a, b = index.closest_span(tt, s.row)
            start, end = tt.tokens[a].start, tt.tokens[b - 1].end
            evidence = Evidence(tt.text[start:end], start, end, f"like the labelled example '{_clip(s.example.text, 120)}'",
                                round(s.similarity * 100, 1), note=SEMANTIC_NOTE)
            out.append(FlagResult(f.id, rid, f.severity, f.description, f.feedback, f.why, (evidence,),
                                  penalty=f.penalty if f.severity == "soft" else 0.0, instead=f.instead))
        return out

    def _filter(self, tt: TokenizedText, prepared, matches: list[Match], use_exceptions: bool, excuse):
        """Split matches into those that count and those excused (with the reason, in words)."""
        exceptions = [m for m in matches if m.pattern.role == "exception"]
        indicators = [m for m in matches if m.pattern.role == "indicator"]
        kept: list[Match] = []
        excused: list[tuple[Match, str, str]] = []  # (match, the reason in words, its kind)
        tokens = tt.tokens
        # a sentence-scope exception that an indicator holds whole, with words of its own before it, is qualified by
        # them: "no need to pay it back" is a gift, so the "pay it back" of a loan excuses nothing in its sentence.
        # (Words after it do not qualify it: "Is your depression acting up" is still asked, not told.)
        held = {id(e) for e in exceptions if e.pattern.owner.scope == "sentence"
                and any(i.start < e.start and e.end <= i.end for i in indicators)}
        # nor does one its own negation reaches excuse its sentence: "I can't do a loan, but here's forty bucks for gas"
        # is a gift (a bundled choice, 2026-12-06), though "I'll loan you forty" is a loan. A negation before an
        # indicator negates the indicator: "Don't stop taking them without talking to your prescriber first."
        for e in exceptions:
            if e.pattern.owner.scope == "sentence":
                cue = _negation_cue(prepared, e.start)
                if cue is not None and not any(i.start < e.start and i.end > cue for i in indicators):
                    held.add(id(e))
        for m in indicators:
            reason, kind = None, "exception"
            for e in exceptions:
                if e.pattern.owner.scope == "sentence" and id(e) not in held:
                    if tokens[e.start].sentence == tokens[m.start].sentence:
                        reason = f"is in the same sentence as '{tt.words(e.start, e.end)}'"
                        break
                elif e.start < m.end and m.start < e.end and not (m.start <= e.start and e.end <= m.end
                                                                and m.end - m.start > e.end - e.start):
                    # (an indicator that holds the whole exception and says more is the more specific
                    # phrase: "ask your doctor for Adderall" is advice, though "ask your doctor" is linking)
                    reason = f"is part of '{tt.words(e.start, e.end)}'"
                    break
            if reason is None and "negation" in excuse:
                if m.pattern.owner.kind == "flag":
                    cue = _negation_cue(prepared, m.start)
                else:
                    cue = _negation_cue(prepared, m.start, CRITERION_NEGATORS, CRITERION_NEGATION_REACH)
                if cue is not None:
                    kind = "negation"
                    reason = f"is negated ('{tt.words(cue, m.start) if cue < m.start else tokens[cue].norm}')"
            if reason is None and "quotation" in excuse and all(tokens[i].quoted for i in range(m.start, m.end)):
                reason, kind = "is in quotation marks: someone else's word, not yours", "quotation"
            if reason is None and "reported-speech" in excuse:
                cue = _reporting_cue(prepared, m.start)
                if cue is not None:
                    kind = "reported-speech"
                    reason = f"reports what someone else said ('{tt.words(cue, m.start)}')"
                else:
                    cue = _reflection_cue(prepared, m.start)
                    if cue is not None:
                        # a reflection of the person's own thought or wish, which the reader may not overrule
                        # as it may the reported-speech guess (READER_OVER_EXCUSE): it reads the words alone
                        kind = "reflection"
                        reason = f"reflects what they think or want ('{tt.words(cue, m.start)}')"
            if reason is None:
                kept.append(m)
            else:
                excused.append((m, reason, kind))
        return kept, excused

    @staticmethod
    def _evidence(tt: TokenizedText, m: Match) -> Evidence:
        start = tt.tokens[m.start].start
        end = tt.tokens[m.end - 1].end
        return Evidence(tt.text[start:end], start, end, m.pattern.source, m.similarity)

    def _feedback(self, tt, ids, criteria, flags, stuffing) -> tuple[str, ...]:
        lines: list[str] = []
        if not tt.tokens:
            return ("There was no response to judge.",)
        for f in flags:
            flag = self._flags[(f.rubric, f.id)]
            words = f.evidence[0].words if f.evidence else ""
            kind = "Critical" if f.severity == "critical" else "Watch"
            line = f"{kind} - {f.id}: You said '{_clip(words)}' - {f.feedback or flag.feedback} {flag.why}"
            if flag.instead:
                line += f" Instead: {flag.instead}"
            if f.evidence and f.evidence[0].note == SEMANTIC_NOTE:
                line += (" (No rubric phrase matched: your words read like a labelled example of "
                         f"{f.id.replace('-', ' ')}, {f.evidence[0].indicator.removeprefix('like the labelled example ')}.)")
            elif f.evidence and f.evidence[0].note.startswith(ANSWER_NOTE + ": "):
                said = f.evidence[0].note.removeprefix(ANSWER_NOTE + ": ")
                if said.rstrip().endswith("?"):
                    line += f" (Said as the answer to their question '{_clip(said, 80)}'.)"
                else:  # a risk they told ("I've been saving up my pills"), not a question
                    line += f" (Said in reply to '{_clip(said, 80)}'.)"
            elif f.evidence and set_aside(f.evidence[0]):
                line += (f" (A rubric phrase was set aside - {set_aside(f.evidence[0])} - but the "
                         "reader, a model trained on responses labelled by trainers, read this as "
                         f"{f.id.replace('-', ' ')}, {f.evidence[0].similarity:.0f}% sure.)")
            elif f.evidence and f.evidence[0].note == READER_NOTE:
                line += (" (No rubric phrase matched: the reader, a model trained on responses labelled by trainers, "
                         f"read this as {f.id.replace('-', ' ')}, {f.evidence[0].similarity:.0f}% sure.)")
            lines.append(line)
        for c in criteria:
            if not c.met:
                continue
            item = self._criteria[(c.rubric, c.id)]
            what = (item.feedback_met or item.description).strip()
            line = f"Met - {c.id}: You said '{_clip(c.evidence[0].words)}' - {what}"
            if c.evidence[0].note == READER_NOTE:
                line += f" (No rubric phrase matched: the reader found it, {c.evidence[0].similarity:.0f}% sure.)"
            lines.append(line)
        # what was missed, the heaviest first: the coach shows three, and on a turn judged by peer-core and a theme
        # rubric the theme's weightier criteria are what the turn is about ("Help him see the task in pieces":
        # breaks-into-steps, 1.5, came seventh after peer-core's six, and the coach never showed it)
        for c in sorted(criteria, key=lambda c: -c.weight):
            if c.met:
                continue
            item = self._criteria[(c.rubric, c.id)]
            uncredited = [e for e in c.evidence if e.note and e.note != READER_NOTE]
            if uncredited:
                lines.append(f"Not credited - {c.id}: '{_clip(uncredited[0].words)}' {uncredited[0].note}.")
            elif item.feedback_missed:
                lines.append(f"Not yet - {c.id}: {item.feedback_missed.strip()}")
        if stuffing:
            lines.append(
                "This response reads like a list of rubric phrases, so credit was limited to "
                f"{STUFFING_CREDIT} criteria. Say fewer things, in your own words, to the person in front of you."
            )
        return tuple(lines)


# The peer asks for ideas: then an idea is not unsolicited advice.
_ASKS = re.compile(
    r"\bwhat (?:should|do|can|could|would) i (?:even |possibly |ever )?(?:do|say|write|tell|try|put)\b"
    r"|\bwhat (?:would|did|do) you (?:do|suggest|recommend)\b"
    r"|\bwhat (?:should|can) (?:we|i) (?:do|try)\b"
    r"|\b(?:any|got any|have any|some|give me some) (?:ideas?|advice|suggestions?|tips?|pointers)\b"
    r"|\bhow (?:do|did|should|can|could|would) (?:i|you|we) (?:even |ever )?(?:start|begin|deal|handle|cope|do|get|tell|say|find|talk|ask|stop|keep|make)\b"
    r"|\bwhere (?:do|should|would|can) i (?:even )?(?:start|begin|go|look|turn)\b"
    r"|\bshould i (?:just |even )?\w+"
    r"|\b(?:what )?do you think i (?:should|ought to|need to)\b|\bwhat(?:'s| is) your (?:advice|suggestion|take)\b"
    r"|\btell me what to do\b|\bhelp me (?:figure|work|think|decide)\b|\bwhat are my options\b"
    r"|\bi (?:don't|do not|dont) know (?:what|how|where) to (?:do|say|write|start|begin|go)\b",
    re.IGNORECASE)


def asks_for_ideas(prompt: str) -> str | None:
    """The words where the peer's line asks for ideas or advice, if it does (a question, or "I don't know what to do")."""
    for m in _ASKS.finditer(prompt):
        sentence_end = re.search(r"[.!?\n]", prompt[m.end():])
        end = m.end() + (sentence_end.start() + 1 if sentence_end else len(prompt) - m.end())
        tail = prompt[m.end():end]
        if m.group(0).lower().startswith(("i don", "i do not", "i dont")) or "?" in tail or end == len(prompt):
            start = max(prompt.rfind(c, 0, m.start()) for c in ".!?\n") + 1
            return " ".join(prompt[start:end].split())
    return None


def set_aside(e: Evidence) -> str | None:
    """What the rules had excused where the reader added a flag over their excuse ("'crazy' reports what
    someone else said (...)"), or None."""
    return e.indicator.split(OVER_EXCUSE_SEP, 1)[1] if e.note == READER_NOTE and OVER_EXCUSE_SEP in e.indicator else None


@lru_cache(maxsize=256)
def scene_names(present: tuple[str, ...]) -> frozenset[str]:
    """The names of the people in the scene as the phrase rules read them ("Tomás" -> "tomas"): read as `{present}`."""
    return frozenset(tokens[0].norm for n in present if n for tokens in [tokenize(n).tokens] if len(tokens) == 1)


# A name is only a name to the reader, but its word pieces are not: "Pilar" is read "pi ##lar", and "I have to get
# Pilar." was read 98% medication advice ("Sam" 0%). The names of the people in the scene are read as this one.
READER_NAME = "Sam"


@lru_cache(maxsize=256)
def _names_pattern(names: tuple[str, ...]) -> re.Pattern[str] | None:
    return re.compile(r"(?<![\w'’])(?i:" + "|".join(map(re.escape, names)) + r")(?!\w)") if names else None


def reader_names(present: Sequence[str], model) -> re.Pattern[str] | None:
    """The names of the people in the scene that the reader would read in pieces ("Pilar" is "pi ##lar"; "Dale" and
    "Milo" it holds whole, as names), to be read as READER_NAME."""
    if not present:
        return None
    encode = model.tokenizer.encode
    names = tuple(sorted({n for n in present if n and n.isalpha() and len(encode(n)) > 1}, key=lambda n: (-len(n), n)))
    return _names_pattern(names)


class _Sentences:
    """The response read once by the reader, sentence by sentence: the probabilities, and for a label the
    sentence that pushed it most (Reader.read), as evidence. Each sentence read alone (`alone`) is a
    second pass, made only when something asks for it: a flag the whole response reads at
    READER_ALONE_FLOOR or more, or evidence for what the reader adds (most responses need neither)."""

    def __init__(self, model, tt: TokenizedText, names: re.Pattern[str] | None = None):
        self.tt, self.model = tt, model
        tokens = tt.tokens
        self.sentences = tt.sentence_spans()
        self.spans = [(tokens[a].start, tokens[b - 1].end) for a, b in self.sentences]  # each sentence's words
        cuts = [0] + [tokens[a].start for a, _ in self.sentences[1:]]  # the parts cover the whole text
        self.parts = [tt.text[a:b] for a, b in zip(cuts, cuts[1:] + [len(tt.text)])]
        if names is not None:  # what the reader reads; the evidence is quoted from the spans, in the trainee's words
            self.parts = [names.sub(READER_NAME, part) for part in self.parts]
        probs, self.pushed = model.read(self.parts)
        self.labels = {label: k for k, label in enumerate(model.labels)}
        self.probs = {label: float(probs[k]) for label, k in self.labels.items()}

    @cached_property
    def _alone(self) -> tuple[dict[str, float], Any, list[tuple[int, int]]]:
        """Each sentence read alone: the highest probability per label, and where the evidence is then
        taken from (each run's probabilities and its span; without a second pass, the whole read's)."""
        if READER_SENTENCES and 1 < len(self.parts) <= READER_MAX_SENTENCES:
            # One out-of-scope sentence among warm ones is diluted in the mean of the whole: each
            # sentence is also read alone (its highest probability per label is `alone`), a short one
            # after another with the one before it ("..., or you're off my caseload. I mean it.").
            runs: list[list[int]] = []
            for k, (a, b) in enumerate(self.sentences):
                if runs and b - a < READER_ALONE_MIN_WORDS:
                    runs[-1][1] = k + 1
                else:
                    runs.append([k, k + 1])
            if len(runs) > 1:
                each = self.model.probs_many(["".join(self.parts[i:j]) for i, j in runs])
                # the evidence: the sentence most likely to carry the label alone
                return ({label: float(each[:, k].max()) for label, k in self.labels.items()}, each,
                        [(self.spans[i][0], self.spans[j - 1][1]) for i, j in runs])
        return {}, self.pushed, self.spans

    @property
    def alone(self) -> dict[str, float]:
        return self._alone[0]

    def evidence(self, label: str, p: float, besides: Sequence[int] = ()) -> Evidence | None:
        """The sentence that carries `label` most; `besides` (positions in `spans`) set aside, another one only if
        read alone it carries the label at READER_OTHER_SENTENCE or more (None if none does)."""
        k = self.labels[label]
        alone, pushed, spans = self._alone
        left = [i for i in range(len(spans)) if i not in besides]
        if not left:
            return None
        best = max(left, key=lambda i: float(pushed[i, k]))  # the first of equals, as argmax
        if besides and (not alone or pushed[best, k] < READER_OTHER_SENTENCE):
            return None
        a, b = spans[best]
        return Evidence(self.tt.text[a:b], a, b, "read as a whole by the reader", round(p * 100, 1), note=READER_NOTE)

    def position(self, evidence: Evidence) -> int:
        """Which of the evidence spans `evidence` is."""
        return self._alone[2].index((evidence.start, evidence.end))


def _settled(pt: TokenizedText, found) -> set[tuple]:
    """(rubric, flag, answer, sentence) of each `questions_unless` phrase found in the peer's line `pt`: it cancels
    that answer's questions in its sentence ("I used to cut" is not a risk told now)."""
    return {(m.pattern.owner.rubric, m.pattern.owner.flag.id, m.pattern.owner.answer, pt.tokens[m.start].sentence)
            for m in found if m.pattern.role == "question-unless"}


def _only(tt: TokenizedText, evidence: Evidence, spans) -> bool:
    """True if every word of the evidence's sentence is inside one of `spans` (token ranges) or a filler."""
    inside = [i for i, t in enumerate(tt.tokens) if evidence.start <= t.start < evidence.end]
    return bool(spans) and bool(inside) and all(
        any(a <= i < b for a, b in spans) or tt.tokens[i].norm in CLAUSE_FILLERS for i in inside)


def _clip(words: str, most: int = 90) -> str:
    words = " ".join(words.split())
    return words if len(words) <= most else words[: most - 3] + "..."


def _first_per_span(matches: list[Match]) -> list[Match]:
    """One match per stretch of the trainee's words: earliest first, the longest where several overlap."""
    out: list[Match] = []
    for m in sorted(matches, key=lambda m: (m.start, -(m.end - m.start))):
        if any(k.start <= m.start and m.end <= k.end for k in out):
            continue
        out.append(m)
    return out


def _negation_cue(prepared, start: int, negators: frozenset[str] = NEGATORS, reach: int = NEGATION_REACH) -> int | None:
    """The index of a negating word earlier in the same clause, close enough to scope over `start`."""
    tokens = prepared.tt.tokens
    norms = prepared.norms
    if start >= len(tokens):
        return None
    clause = tokens[start].clause
    i = start - 1
    while i >= 0 and start - i <= reach and tokens[i].clause == clause:
        w = norms[i]
        if w in negators:
            # "not only", "not everyone", "no matter", "no wonder", "why don't you", "don't worry" do not negate what follows
            nxt = norms[i + 1] if i + 1 < len(norms) else ""
            before = norms[max(0, i - 2) : i]
            # (but a quantifier the phrase itself opens with is negated: "It's not all talk." is not "all talk")
            if w == "not" and (nxt in QUANTIFIED and i + 1 != start or nxt in REASSURANCE_VERBS or (before and before[0] == "why") or (len(before) == 1 and before[0] == "why")) or w == "no" and nxt in NO_INTERJECTED:
                pass
            else:
                return i
        if i + 1 < start and (w, norms[i + 1]) in NEGATOR_PAIRS:
            return i
        # "I wish I could tell you the judge will go easy": a promise wished for is not made
        if w == "wish" and i + 3 < start and norms[i + 1] in ("i", "we") and norms[i + 2] in ("could", "can"):
            return i
        i -= 1
    return None


def _reporting_cue(prepared, start: int) -> int | None:
    """The index of a reporting verb said by someone other than the speaker ("she called you", "you said")."""
    tokens = prepared.tt.tokens
    norms = prepared.norms
    sentence = tokens[start].sentence
    i = start - 1
    while i >= 0 and start - i <= LONG_REPORT_REACH and tokens[i].sentence == sentence:
        w = norms[i]
        if w in CLAUSE_BREAKERS:
            return None
        if start - i > REPORT_REACH:
            # further back, only the person's own words said back to them, opening the sentence, still reach:
            # "You said in your family, seeing a psychiatrist means you're crazy"
            if w in YOU_SAID and i > 0 and norms[i - 1] == "you" and _opens_clause(prepared, i - 1, CLAUSE_FILLERS):
                return i
            i -= 1
            continue
        if w in REPORTING_VERBS or (w in REPORTING_IN_CLAUSE and tokens[i].clause == tokens[start].clause):
            before = norms[max(0, i - 3) : i]
            # "what's said in this room" is passive: nobody else is being reported; "thought about" is
            # considering, not reporting ("have you thought about trying CBD instead?"); "whatever you
            # tell me" is what the peer will say to the speaker (FREE_RELATIVES)
            if ((before and before[-1] in PASSIVE_AUX) or (w in OPINION_VERBS and norms[i + 1:i + 2] == ["about"])
                    or (w in TELLING_NOW and len(before) >= 2 and before[-2] in FREE_RELATIVES and before[-1] == "you")
                    or (w in IMPERATIVE_REPORTING and _opens_clause(prepared, i, IMPERATIVE_LEAD_IN))):
                i -= 1
                continue
            if not any(b in SPEAKER_PRONOUNS for b in before) and (not before or before[-1] != "to"):
                return i
        i -= 1
    return None


def _opens_clause(prepared, i: int, lead_in: frozenset[str]) -> bool:
    """Whether only words of `lead_in` come before token `i` in its clause."""
    tokens = prepared.tt.tokens
    clause = tokens[i].clause
    b = i
    while b > 0 and tokens[b - 1].clause == clause:
        b -= 1
    return all(prepared.norms[k] in lead_in for k in range(b, i))


# Reflective listening puts the person's own thought or wish in the speaker's mouth: "So you're thinking
# about stopping the Seroquel", "You want me to promise I won't tell anyone", "You've been calling
# yourself a junkie". What follows one of these openings, in its clause, is theirs, not the speaker's.
REFLECTIONS: tuple[tuple[str, ...], ...] = tuple(tuple(r.split()) for r in (
    "you are thinking", "you were thinking", "you have been thinking", "are you thinking", "were you thinking",
    "have you been thinking", "you are wondering", "you were wondering", "you have been wondering",
    "are you wondering", "you are considering", "you have been considering", "are you considering",
    "you are tempted", "you are torn", "you are debating", "you figure", "you figured",
    "you want me", "you wanted me", "you would like me", "you asked me", "you are asking me", "you are asking",
    "you asked", "are you asking", "you have been calling yourself", "you keep calling yourself",
    "you call yourself", "you called yourself", "part of you", "you feel like", "you are feeling like",
))
_REFLECTIONS_BY_LAST: dict[str, tuple[tuple[str, ...], ...]] = {
    w: tuple(r for r in REFLECTIONS if r[-1] == w) for w in {r[-1] for r in REFLECTIONS}}


# Only these may come before a reflection in its clause ("So it sounds like you're thinking ..."): not "if"
# ("if you want me to keep it to myself, I will" agrees to it) nor a verb ("making you feel like a zombie").
REFLECTION_LEAD_IN = CLAUSE_FILLERS | {"it", "sounds", "like", "seems", "i", "hear", "am", "hearing", "get", "that", "know",
                                        "understand", "see", "remember", "do"}


def _reflection_cue(prepared, start: int) -> int | None:
    """The index where a reflection of the person's own thought or wish opens, earlier in the same clause
    and at its start: "you're wondering if you should quit your meds", not "..., I won't tell a soul"
    after "if you've been thinking about hurting yourself you can tell me"."""
    tokens = prepared.tt.tokens
    norms = prepared.norms
    clause = tokens[start].clause
    i = start - 1
    while i >= 0 and start - i <= REPORT_REACH and tokens[i].clause == clause:
        for r in _REFLECTIONS_BY_LAST.get(norms[i], ()):
            a = i - len(r) + 1
            if a >= 0 and tuple(norms[a:i + 1]) == r and tokens[a].clause == clause:
                b = a
                while b > 0 and tokens[b - 1].clause == clause:
                    b -= 1
                if all(norms[k] in REFLECTION_LEAD_IN for k in range(b, a)):
                    return a
        i -= 1
    return None


FIRST_PERSON = frozenset({"i", "me", "my", "mine", "myself"})


SECOND_PERSON = frozenset({"you", "your", "yours", "yourself"})


def _self_focus(tt: TokenizedText, min_words: int, min_share: float) -> Evidence | None:
    """A long response whose person words are mostly I/me/my: the speaker's story has taken over."""
    if tt.word_count < min_words:
        return None
    first = [t for t in tt.tokens if t.norm in FIRST_PERSON]
    second = sum(1 for t in tt.tokens if t.norm in SECOND_PERSON)
    if not first:
        return None
    share = len(first) / (len(first) + second)
    if share < min_share:
        return None
    sentence = first[0].sentence
    in_sentence = [t for t in tt.tokens if t.sentence == sentence]
    start, end = in_sentence[0].start, in_sentence[-1].end
    return Evidence(tt.text[start:end], start, end,
                    f"{tt.word_count} words; {share:.0%} of I/you words are about yourself", 100.0,
                    note="long self-disclosure")


# A question whose first word (after "so", "and", "okay" ...) is one of these invites the person to
# tell their story: "What was that like?", "How are you holding up?". MITI's open question.
OPEN_STARTS = frozenset({"what", "how", "why"})
# ... except where it asks for a number, a time or a place: "How many days?", "What time is court?"
OPEN_BUT_CLOSED = frozenset({("how", w) for w in ("many", "much", "old", "long", "often", "far", "soon")}
                            | {("what", w) for w in ("time", "day", "date", "number", "year", "month")})
# A sentence that starts like this and "you" (or another person) is a question even without its "?"
# ("did u go to group"): texting drops it.
QUESTION_AUX = frozenset({"do", "does", "did", "are", "is", "was", "were", "have", "has", "had", "can", "could", "will",
                          "would", "should", "am"})
QUESTION_PERSON = frozenset({"you", "your", "he", "she", "they", "it", "that", "this", "there", "we", "i", "anyone",
                             "anybody", "someone", "somebody", "everything", "things"})
# Offers, asking permission and one-word tags neither count as closed questions nor break a run: they
# seek collaboration (MITI) or only check in ("Want me to come with you?", "Can I share something?", "Right?")
NEUTRAL_QUESTIONS = (
    ("want", "me"), ("do", "you", "want", "me"), ("would", "you", "like", "me"), ("do", "you", "want", "to"),
    ("would", "you", "like", "to"), ("would", "you", "want", "to"), ("can", "i"), ("could", "i"), ("may", "i"),
    ("shall", "i"), ("should", "i"), ("can", "we"), ("could", "we"), ("shall", "we"), ("should", "we"),
    ("would", "it", "help"), ("would", "it", "be"), ("is", "it", "okay", "if"), ("is", "it", "alright", "if"),
    ("is", "that", "okay"), ("is", "that", "alright"), ("does", "that", "sound"), ("does", "that", "make", "sense"),
    ("do", "you", "mind"), ("would", "you", "mind"), ("would", "you", "be", "open"), ("are", "you", "open"),
    ("how", "about", "we"), ("what", "if", "we"),
)
QUESTION_TAGS = frozenset({"right", "okay", "yeah", "huh", "no", "yes", "really", "seriously", "sure", "yea", "ya"})


def _closed_question_run(tt: TokenizedText, at_least: int) -> tuple[tuple[int, int], int] | None:
    """The first run of at least `at_least` closed questions (yes/no or one fact: "Did you go?",
    "Eating?", "When's court?") not broken by an open one ("What happened then?"); statements between
    them do not break it. Returns the run's token span and its length, or None."""
    run: list[tuple[int, int]] = []
    best = None
    for a, b in tt.sentence_spans():
        words = [t.norm for t in tt.tokens[a:b]]
        while words and words[0] in CLAUSE_FILLERS and len(words) > 1:
            words, a = words[1:], a + 1
        question = tt.is_question(tt.tokens[a].sentence) or (
            len(words) > 1 and words[0] in QUESTION_AUX and words[1] in QUESTION_PERSON | {"not"})
        if not question:
            continue
        if (len(words) == 1 and words[0] in QUESTION_TAGS) or any(tuple(words[:len(n)]) == n for n in NEUTRAL_QUESTIONS):
            continue
        if words[0] in OPEN_STARTS and tuple(words[:2]) not in OPEN_BUT_CLOSED:
            if best is not None:
                break
            run = []
            continue
        run.append((a, b))
        if len(run) >= at_least:
            best = run
    if best is None:
        return None
    return (best[0][0], best[-1][1]), len(best)


# Where a share is handed back, a question about the person may also ask who or where ("Who was your person?").
ABOUT_THEM_STARTS = OPEN_STARTS | {"where", "who", "which"}


def _question_about_them(tt: TokenizedText, last: int = 1, starts: frozenset[str] = OPEN_STARTS) -> tuple[int, int] | None:
    """The token span of an open question about the person ("What's that like for you?") among the reply's `last`
    sentences, or None: a question that opens (after fillers, a name of one or two words, or a short "if you do,"
    clause) with one of `starts`, is not one asking for a number or a time, and has "you" or "your" in it."""
    for a, b in reversed(tt.sentence_spans()[-last:]):
        if not tt.is_question(tt.tokens[a].sentence):
            continue
        words = [t.norm for t in tt.tokens[a:b]]
        while words and words[0] in CLAUSE_FILLERS and len(words) > 1:
            words, a = words[1:], a + 1
        clause = tt.tokens[a].clause
        k = next((i for i in range(a, b) if tt.tokens[i].clause != clause), None)
        if k is not None and words[0] not in starts and (words[0] == "if" and k - a <= 6 or k - a <= 2):
            # past a short "if you do," or a name ("Jun, where are you at right now?")
            words, a = words[k - a:], k
        if (words and words[0] in starts and tuple(words[:2]) not in OPEN_BUT_CLOSED
                and any(w in SECOND_PERSON for w in words)):
            return a, b
    return None


def _hands_back(tt: TokenizedText) -> str | None:
    """The reply's last sentence where it is an open question about the person ("What's that like for you?"),
    or None."""
    span = _question_about_them(tt)
    return None if span is None else tt.text[tt.tokens[span[0]].start:tt.tokens[span[1] - 1].end]


def _list_like(tt: TokenizedText) -> bool:
    """Built like a list of phrases, not sentences: very short pieces, or one sentence chained from many.

    "I hear you. That makes sense. Recovery is possible. ..." (3 words a piece) and "I hear you and it
    makes sense and recovery is possible and ..." (one sentence of eight clauses) are lists; "That sounds
    really scary. You're not alone, and you've gotten through hard things. What would help right now?"
    is sentences, however many criteria it meets.
    """
    clauses = {(t.sentence, t.clause) for t in tt.tokens}
    sentences = {t.sentence for t in tt.tokens}
    if not clauses:
        return False
    return (len(tt.tokens) / len(clauses) <= STUFFING_WORDS_PER_PIECE
            or (len(sentences) == 1 and len(clauses) >= STUFFING_CHAIN))


def _inside_flagged(criteria: list[CriterionResult], flags: list[FlagResult]) -> list[CriterionResult]:
    """A criterion whose every piece of evidence lies inside the words a critical flag's rubric phrase matched earns no
    credit: "call 988" in "call 988 in the morning if you still feel this way" is help put off, not help connected
    (the coach showed "Worked · connects to help" beside the flag; session 30). Only a phrase's own words count: a
    sentence the reader read as a whole may hold credit-worthy words besides what it flags. The caller leaves out
    flags marked `credit_beside` in their rubric, such as a promise: "I know it gets better" overstates a real hope,
    which the labels credit beside the flag (on the tuning slice, counting them took 5 labelled credits and no false
    one)."""
    spans = [(e.start, e.end, f.id) for f in flags if f.severity == "critical"
             for e in f.evidence if not e.note]
    if not spans:
        return criteria
    out = []
    for c in criteria:
        inside = [next((fid for a, b, fid in spans if a <= e.start and e.end <= b), None) for e in c.evidence]
        if c.met and inside and all(inside):
            note = inside_flag_note(inside[0])
            c = replace(c, met=False, evidence=tuple(replace(e, note=note) for e in c.evidence))
        out.append(c)
    return out


def _bound_credit(tt: TokenizedText, criteria: list[CriterionResult], spans: dict[str, list[tuple[int, int]]]):
    """Each criterion counts once; a short response cannot meet many; a list of phrases is stuffing."""
    met = [c for c in criteria if c.met]
    if not met:
        return criteria, False
    # words inside any criterion's matched phrases, a credit the reader took back included: a list
    # of rubric phrases is one whether or not the reader credits each of them
    covered: set[int] = set()
    for found in spans.values():
        for s, e in found:
            covered.update(range(s, e))
    coverage = len(covered) / max(1, len(tt.tokens))
    allowed = 2 + tt.word_count // WORDS_PER_CRITERION
    stuffing = len(met) >= STUFFING_MIN_CRITERIA and coverage >= STUFFING_COVERAGE and _list_like(tt)
    if stuffing:
        allowed = min(allowed, STUFFING_CREDIT)
    if len(met) <= allowed:
        return criteria, stuffing
    # Keep the heaviest criteria, earliest evidence first among equals.
    ranked = sorted(met, key=lambda c: (-c.weight, c.evidence[0].start if c.evidence else 0))
    keep = {c.id for c in ranked[:allowed]}
    reason = ("not credited: the response reads as a list of rubric phrases" if stuffing
              else f"not credited: {tt.word_count} words can meet at most {allowed} criteria")
    out = []
    for c in criteria:
        if c.met and c.id not in keep:
            out.append(replace(c, met=False, evidence=tuple(replace(e, note=reason) for e in c.evidence)))
        else:
            out.append(c)
    return out, stuffing


_DEFAULT: Scorer | None = None


def default_scorer() -> Scorer:
    """A Scorer over the shipped rubrics, built once per process."""
    global _DEFAULT
    if _DEFAULT is None:
        from trainer.scoring.rubrics import bundled_rubric_set

        _DEFAULT = Scorer(bundled_rubric_set())
    return _DEFAULT

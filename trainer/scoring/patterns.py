"""Indicator patterns: the small phrase language rubric authors write, compiled once.

An indicator is a phrase, matched word by word against the normalised response:

    you should (stop|quit|come off) {med}     alternatives, and a named term list
    (really|so)? hard                         an optional group
    promis*                                   a word prefix (promise, promised, promising)
    ask ... prescriber                        a gap of up to three words (...6: up to six)
    and _                                     _ is exactly one word, any word
    ^ what ...                                anchored to the start of a clause
    i am so sorry $                           anchored to the end of a sentence

Both sides go through the same normaliser, so "don't", "dont" and "do not" are the same
words. Matching never crosses a sentence boundary. Single words of five letters or more
also match misspellings (rapidfuzz ratio at or above the rubric's threshold), through a
per-word cache so a response costs a few dictionary look-ups, not a fuzzy search per
indicator.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import lru_cache
from typing import Callable, Iterable, Mapping, Sequence

from trainer.scoring.text import CLAUSE_FILLERS, TokenizedText, normalize_phrase

GAP_WORDS = 3
FUZZY_MIN_LENGTH = 4  # shorter words are too easily another word ("pill", "kill")
DEFAULT_THRESHOLD = 85.0


class PatternError(ValueError):
    """An indicator that cannot be compiled; `column` is 1-based within the indicator."""

    def __init__(self, message: str, column: int = 1, *, code: str = "PT305", hint: str | None = None):
        super().__init__(message)
        self.message = message
        self.column = column
        self.code = code
        self.hint = hint


# --- the compiled form ----------------------------------------------------------------------


@dataclass(frozen=True)
class Lit:
    word: str


@dataclass(frozen=True)
class Words:
    """Any one of several single words (a term list or an alternative of single words)."""

    words: frozenset[str]
    optional: bool = False


@dataclass(frozen=True)
class Prefix:
    prefix: str


@dataclass(frozen=True)
class Alt:
    options: tuple[tuple, ...]
    optional: bool = False


@dataclass(frozen=True)
class AnyWord:
    pass


@dataclass(frozen=True)
class Gap:
    most: int = GAP_WORDS


@dataclass
class Pattern:
    """One compiled indicator or exception phrase, and what it belongs to."""

    source: str
    items: tuple
    anchored: bool
    literals: frozenset[str]
    firsts: frozenset[str]
    first_prefixes: tuple[str, ...]
    end_anchored: bool = False
    owner: object = None  # set by the scorer: which criterion or flag this serves
    role: str = "indicator"  # "indicator" | "exception"
    threshold: float = DEFAULT_THRESHOLD


# --- parsing ----------------------------------------------------------------------------------


def _lex(source: str) -> list[tuple[str, int]]:
    """Split an indicator into (piece, column) with ( ) | ? { } as pieces of their own."""
    out: list[tuple[str, int]] = []
    i, n = 0, len(source)
    while i < n:
        ch = source[i]
        if ch.isspace():
            i += 1
            continue
        if ch in "()|":
            if ch == ")" and i + 1 < n and source[i + 1] == "?":
                out.append((")?", i + 1))
                i += 2
                continue
            out.append((ch, i + 1))
            i += 1
            continue
        if ch == "{":
            j = source.find("}", i)
            if j < 0:
                raise PatternError("'{' without a closing '}'", i + 1, hint="a term is written {name}")
            end = j + 1
            if end < n and source[end] == "?":
                end += 1
            out.append((source[i:end], i + 1))
            i = end
            continue
        j = i
        while j < n and not source[j].isspace() and source[j] not in "()|{":
            j += 1
        out.append((source[i:j], i + 1))
        i = j
    return out


class _Parser:
    def __init__(self, source: str, terms: Mapping[str, Sequence[str]], term_cache: dict):
        self.source = source
        self.terms = terms
        self.term_cache = term_cache
        self.pieces = _lex(source)
        self.pos = 0

    def parse(self) -> tuple[tuple, bool]:
        anchored = False
        self.end_anchored = False
        if self.pieces and self.pieces[-1][0] == "$":
            self.end_anchored = True
            self.pieces = self.pieces[:-1]
        if self.pieces and self.pieces[0][0] == "^":
            anchored = True
            self.pos = 1
        items = self._sequence(top=True)
        if self.pos < len(self.pieces):
            piece, col = self.pieces[self.pos]
            raise PatternError(f"unexpected '{piece}'", col, hint="check the brackets: every '(' needs a ')'")
        return items, anchored

    def _sequence(self, top: bool = False) -> tuple:
        items: list = []
        while self.pos < len(self.pieces):
            piece, col = self.pieces[self.pos]
            if piece in ("|", ")", ")?"):
                if top:
                    raise PatternError(f"'{piece[0]}' outside a group", col, hint="alternatives go in brackets: (a|b)")
                break
            self.pos += 1
            if piece == "(":
                items.append(self._group(col))
            elif piece.startswith("{"):
                items.append(self._term(piece, col))
            elif piece == "...":
                items.append(Gap())
            elif piece == "_":
                items.append(AnyWord())
            elif piece.startswith("...") and piece[3:].isdigit() and 1 <= int(piece[3:]) <= 9:
                items.append(Gap(int(piece[3:])))
            elif piece == "^":
                raise PatternError("'^' may only start an indicator", col)
            elif piece == "$":
                raise PatternError("'$' may only end an indicator", col)
            else:
                items.extend(self._words(piece, col))
        return tuple(items)

    def _group(self, col: int):
        options: list[tuple] = []
        while True:
            options.append(self._sequence())
            if self.pos >= len(self.pieces):
                raise PatternError("'(' without a closing ')'", col)
            piece, _ = self.pieces[self.pos]
            self.pos += 1
            if piece == "|":
                continue
            optional = piece == ")?"
            break
        if any(len(o) == 0 for o in options):
            optional = True
            options = [o for o in options if o]
        if not options:
            raise PatternError("empty group '()'", col)
        return _simplify(options, optional)

    def _term(self, piece: str, col: int):
        optional = piece.endswith("?")
        name = piece[1:-2] if optional else piece[1:-1]
        name = name.strip()
        if name not in self.terms:
            from trainer.diagnostics import did_you_mean

            raise PatternError(
                f"unknown term '{{{name}}}'", col, code="PT306",
                hint=did_you_mean(name, list(self.terms)) or "define it under 'terms:' at the top of the rubric",
            )
        key = name
        if key not in self.term_cache:
            self.term_cache[key] = None  # guards against a term that refers to itself
            options = []
            for phrase in self.terms[name]:
                sub = _Parser(str(phrase), self.terms, self.term_cache)
                try:
                    items, anchored = sub.parse()
                except PatternError as exc:
                    raise PatternError(f"in term '{name}', phrase '{phrase}': {exc.message}", col, code=exc.code) from None
                if anchored or sub.end_anchored:
                    raise PatternError(f"term '{name}' may not use '^' or '$'", col)
                if items:
                    options.append(items)
            if not options:
                raise PatternError(f"term '{name}' has no usable phrases", col, code="PT304")
            self.term_cache[key] = tuple(options)
        elif self.term_cache[key] is None:
            raise PatternError(f"term '{name}' refers to itself", col)
        return _simplify(list(self.term_cache[key]), optional)

    def _words(self, piece: str, col: int) -> list:
        if piece.endswith("*") and len(piece) > 1 and piece[:-1].replace("'", "").isalnum():
            stem = piece[:-1].lower()
            if len(stem) < 3:
                raise PatternError(f"prefix '{piece}' is too short to be safe", col, hint="use at least three letters before '*'")
            return [Prefix(stem)]
        if "*" in piece:
            raise PatternError(f"'*' may only end a word: '{piece}'", col)
        words = normalize_phrase(piece)
        return [Lit(w) for w in words]


def _simplify(options: list[tuple], optional: bool):
    if all(len(o) == 1 and isinstance(o[0], Lit) for o in options):
        return Words(frozenset(o[0].word for o in options), optional)
    if all(len(o) == 1 and isinstance(o[0], Words) and not o[0].optional for o in options):
        return Words(frozenset().union(*(o[0].words for o in options)), optional)
    return Alt(tuple(options), optional)


def compile_pattern(source: str, terms: Mapping[str, Sequence[str]] | None = None, *, term_cache: dict | None = None) -> Pattern:
    """Compile one indicator; raises PatternError with a column for the author."""
    text = str(source).strip()
    if not text:
        raise PatternError("the indicator is empty", 1, code="PT304")
    parser = _Parser(text, terms or {}, term_cache if term_cache is not None else {})
    items, anchored = parser.parse()
    if not items:
        raise PatternError("the indicator has no words after normalization", 1, code="PT304",
                           hint="punctuation is ignored; write the words to look for")
    firsts, prefixes, can_be_empty = _firsts(items, 0)
    if can_be_empty:
        raise PatternError("every word of the indicator is optional", 1, hint="make at least one word required")
    if isinstance(items[0], (Gap, AnyWord)):
        raise PatternError("an indicator may not start with '...' or '_'", 1)
    return Pattern(text, items, anchored, frozenset(_literals(items)), frozenset(firsts), tuple(sorted(prefixes)),
                   end_anchored=parser.end_anchored)


def _literals(items: Iterable) -> set[str]:
    out: set[str] = set()
    for item in items:
        if isinstance(item, Lit):
            out.add(item.word)
        elif isinstance(item, Words):
            out |= item.words
        elif isinstance(item, Alt):
            for option in item.options:
                out |= _literals(option)
    return out


def _firsts(items: tuple, start: int) -> tuple[set[str], set[str], bool]:
    """The words (and prefixes) a match of items[start:] can begin with; and whether it can be empty."""
    words: set[str] = set()
    prefixes: set[str] = set()
    for i in range(start, len(items)):
        item = items[i]
        if isinstance(item, Lit):
            words.add(item.word)
            return words, prefixes, False
        if isinstance(item, Prefix):
            prefixes.add(item.prefix)
            return words, prefixes, False
        if isinstance(item, Words):
            words |= item.words
            if not item.optional:
                return words, prefixes, False
            continue
        if isinstance(item, Alt):
            empty = item.optional
            for option in item.options:
                w, p, e = _firsts(option, 0)
                words |= w
                prefixes |= p
                empty = empty or e
            if not empty:
                return words, prefixes, False
            continue
        if isinstance(item, Gap):
            continue  # a gap may match no words
        if isinstance(item, AnyWord):
            raise PatternError("an indicator may not start with '_'", 1, hint="start with a word the response must contain")
    return words, prefixes, True


# --- fuzzy words --------------------------------------------------------------------------------


class Vocabulary:
    """The literal words of all indicators, and a cached fuzzy lookup of a misspelt word into them."""

    def __init__(self, words: Iterable[str], *, cutoff: float = 80.0):
        self.words = frozenset(words)
        self._long = sorted(w for w in self.words if len(w) >= FUZZY_MIN_LENGTH and w.isalpha())
        self.cutoff = cutoff
        self.lookup = lru_cache(maxsize=65536)(self._lookup)

    def _lookup(self, word: str) -> tuple[tuple[str, float], ...]:
        if word in self.words or len(word) < FUZZY_MIN_LENGTH or not word.isalpha():
            return ()
        from rapidfuzz import fuzz, process

        found = process.extract(word, self._long, scorer=fuzz.ratio, score_cutoff=self.cutoff, limit=4)
        return tuple(
            (choice, float(score)) for choice, score, _ in found
            if abs(len(choice) - len(word)) <= (2 if len(word) >= 8 else 1) and (len(word) >= 5 or len(choice) > len(word))
        )


# --- matching -----------------------------------------------------------------------------------


@dataclass(frozen=True)
class Match:
    pattern: Pattern
    start: int  # token indexes, end exclusive
    end: int
    similarity: float


@dataclass
class _Prepared:
    """A response ready for matching: words, fuzzy alternatives, sentence ends."""

    tt: TokenizedText
    norms: list[str]
    fuzzy: list[dict[str, float]]
    sentence_end: list[int]
    clause_start: list[bool] = field(default_factory=list)


class PatternIndex:
    """All compiled patterns, indexed by the words they can start with."""

    def __init__(self, patterns: Sequence[Pattern], vocabulary: Vocabulary):
        self.patterns = list(patterns)
        self.vocabulary = vocabulary
        self.by_first: dict[str, list[Pattern]] = {}
        self.by_prefix: list[tuple[str, Pattern]] = []
        for p in self.patterns:
            for w in p.firsts:
                self.by_first.setdefault(w, []).append(p)
            for prefix in p.first_prefixes:
                self.by_prefix.append((prefix, p))

    def prepare(self, tt: TokenizedText) -> _Prepared:
        tokens = tt.tokens
        n = len(tokens)
        norms = [t.norm for t in tokens]
        lookup = self.vocabulary.lookup
        fuzzy = [dict(lookup(w)) if w not in self.vocabulary.words else {} for w in norms]
        sentence_end = [0] * n
        end = n
        for i in range(n - 1, -1, -1):
            if i + 1 < n and tokens[i + 1].sentence != tokens[i].sentence:
                end = i + 1
            sentence_end[i] = end
        clause_start = []
        for i in range(n):
            j = i
            while j > 0 and tokens[j - 1].clause == tokens[i].clause and norms[j - 1] in CLAUSE_FILLERS:
                j -= 1
            clause_start.append(j == 0 or tokens[j - 1].clause != tokens[i].clause)
        return _Prepared(tt, norms, fuzzy, sentence_end, clause_start)

    def find(self, prepared: _Prepared) -> list[Match]:
        """Every (pattern, start) that matches, with its shortest end."""
        norms = prepared.norms
        out: list[Match] = []
        for pos, word in enumerate(norms):
            candidates: dict[int, Pattern] = {}
            for p in self.by_first.get(word, ()):
                candidates[id(p)] = p
            for alt, score in prepared.fuzzy[pos].items():
                for p in self.by_first.get(alt, ()):
                    if score >= p.threshold:
                        candidates[id(p)] = p
            for prefix, p in self.by_prefix:
                if word.startswith(prefix):
                    candidates[id(p)] = p
            for p in candidates.values():
                if p.anchored and not prepared.clause_start[pos]:
                    continue
                end = match_at(p, prepared, pos)
                if end > pos:
                    out.append(Match(p, pos, end, _similarity(p, prepared, pos, end)))
        return out


def _similarity(p: Pattern, prepared: _Prepared, start: int, end: int) -> float:
    worst = 100.0
    for i in range(start, end):
        if prepared.norms[i] in p.literals:
            continue
        scores = [s for w, s in prepared.fuzzy[i].items() if w in p.literals]
        if scores:
            worst = min(worst, max(scores))
    return round(worst, 1)


def match_at(p: Pattern, prepared: _Prepared, start: int) -> int:
    """The end (exclusive) of the shortest match of `p` starting at token `start`, or -1."""
    limit = prepared.sentence_end[start]
    threshold = p.threshold
    norms = prepared.norms
    fuzzy = prepared.fuzzy

    def seq(items: tuple, idx: int, pos: int, k: Callable[[int], int]) -> int:
        while idx < len(items):
            item = items[idx]
            if isinstance(item, Lit):
                if pos >= limit:
                    return -1
                w = item.word
                if norms[pos] != w:
                    score = fuzzy[pos].get(w)
                    if score is None or score < threshold:
                        return -1
                pos += 1
                idx += 1
                continue
            if isinstance(item, Words):
                if pos < limit and (norms[pos] in item.words or any(
                    s >= threshold and w in item.words for w, s in fuzzy[pos].items()
                )):
                    if not item.optional:
                        pos += 1
                        idx += 1
                        continue
                    r = seq(items, idx + 1, pos + 1, k)
                    if r >= 0:
                        return r
                    idx += 1
                    continue
                if item.optional:
                    idx += 1
                    continue
                return -1
            if isinstance(item, AnyWord):
                if pos >= limit:
                    return -1
                pos += 1
                idx += 1
                continue
            if isinstance(item, Prefix):
                if pos >= limit or not norms[pos].startswith(item.prefix):
                    return -1
                pos += 1
                idx += 1
                continue
            if isinstance(item, Alt):
                rest = lambda q, _i=idx: seq(items, _i + 1, q, k)  # noqa: E731
                for option in item.options:
                    r = seq(option, 0, pos, rest)
                    if r >= 0:
                        return r
                if item.optional:
                    idx += 1
                    continue
                return -1
            if isinstance(item, Gap):
                for g in range(0, item.most + 1):
                    if pos + g > limit:
                        break
                    r = seq(items, idx + 1, pos + g, k)
                    if r >= 0:
                        return r
                return -1
            raise TypeError(item)  # pragma: no cover
        return k(pos)

    if p.end_anchored:
        return seq(p.items, 0, start, lambda q: q if q == limit else -1)
    return seq(p.items, 0, start, lambda q: q)

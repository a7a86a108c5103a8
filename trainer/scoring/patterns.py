"""Indicator patterns: the small phrase language rubric authors write, compiled once.

An indicator is a phrase, matched word by word against the normalised response:

    you should (stop|quit|come off) {med}     alternatives, and a named term list
    (really|so)? hard                         an optional group
    promis*                                   a word prefix (promise, promised, promising)
    ask ... prescriber                        a gap of up to three words (...6: up to six), never across not/never/no
    and _                                     _ is exactly one word, any word
    ^ what ...                                anchored to the start of a clause
    tell {present}                            {present}: the name of someone in the scene, where the scorer knows who is
    i am so sorry $                           anchored to the end of a sentence ("man", "lol" and the like may follow)

Both sides go through the same normaliser, so "don't", "dont" and "do not" are the same
words. Matching never crosses a sentence boundary. Single words of five letters or more
also match misspellings (rapidfuzz ratio at or above the rubric's threshold), through a
per-word cache so a response costs a few dictionary look-ups, not a fuzzy search per
indicator.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from functools import lru_cache

from trainer.scoring.text import CLAUSE_FILLERS, TRAILING_FILLERS, TokenizedText, normalize_phrase

GAP_WORDS = 3
# How a name of someone in the scene (`PatternIndex.prepare`'s `names`) is read, and `{present}`, the built-in term for it.
# Not a word anyone types, so no other phrase reads it.
PRESENT_TERM = "present"
PRESENT_WORD = "qqpresentqq"
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
    # Options by the literal word they must start with; options that can start otherwise are in `rest`.
    by_first: dict = field(default_factory=dict, compare=False, hash=False)
    rest: tuple = field(default=(), compare=False, hash=False)

    def candidates(self, word: str, fuzzy: dict) -> list:
        found = list(self.by_first.get(word, ()))
        for alt in fuzzy:
            found.extend(o for o in self.by_first.get(alt, ()) if o not in found)
        return found + list(self.rest)


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
    required: tuple = ()  # frozensets: one word of each must be in the response for a match to be possible
    regex: re.Pattern[str] | None = None  # the same pattern over the joined token string (see to_regex)
    key: frozenset = frozenset()  # the rarest of them, used to find candidate patterns
    owner: object = None  # set by the scorer: which criterion or flag this serves
    role: str = "indicator"  # "indicator" | "exception" | "holds" (flags), or an answer's roles
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
        if ch in "^$":  # anchors are pieces of their own even when written against a word ("no$")
            out.append((ch, i + 1))
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
        while j < n and not source[j].isspace() and source[j] not in "()|{^$":
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
            elif piece.startswith("...") and piece[3:]:
                # "...12" would otherwise be read as the word "12" and never match
                raise PatternError(f"'{piece}' is not a gap", col,
                                   hint="a gap is '...' (up to %d words) or '...1' to '...9'" % GAP_WORDS)
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
        if name == PRESENT_TERM and name not in self.terms:
            return Words(frozenset({PRESENT_WORD}), optional)
        if name not in self.terms:
            from trainer.diagnostics import did_you_mean

            raise PatternError(
                f"unknown term '{{{name}}}'", col, code="PT306",
                hint=did_you_mean(name, [*self.terms, PRESENT_TERM]) or "define it under 'terms:' at the top of the rubric",
            )
        key = name
        if key not in self.term_cache:
            self.term_cache[key] = None  # guards against a term that refers to itself
            try:
                self.term_cache[key] = self._compile_term(name, col)
            except PatternError:
                del self.term_cache[key]  # where it is used next, the same error again, not "refers to itself"
                raise
        elif self.term_cache[key] is None:
            raise PatternError(f"term '{name}' refers to itself", col)
        return _simplify(list(self.term_cache[key]), optional)

    def _compile_term(self, name: str, col: int) -> tuple:
        options = []
        for phrase in self.terms[name]:
            sub = _Parser(str(phrase), self.terms, self.term_cache)
            try:
                items, anchored = sub.parse()
            except PatternError as exc:
                raise PatternError(f"in term '{name}', phrase '{phrase}': {exc.message}", col, code=exc.code,
                                   hint=exc.hint) from None
            if anchored or sub.end_anchored:
                raise PatternError(f"term '{name}' may not use '^' or '$'", col)
            if items:
                options.append(items)
        if not options:
            raise PatternError(f"term '{name}' has no usable phrases", col, code="PT304")
        return tuple(options)

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
    by_first: dict[str, list] = {}
    rest = []
    for option in options:
        words, prefixes, empty = _firsts(option, 0)
        if prefixes or empty or not words:
            rest.append(option)
            continue
        for w in words:
            by_first.setdefault(w, []).append(option)
    return Alt(tuple(options), optional, {w: tuple(v) for w, v in by_first.items()}, tuple(rest))


def _required_sets(items: tuple) -> list[frozenset[str]]:
    """For each item a match cannot skip, the words one of which must appear in the response."""
    out = []
    for item in items:
        if isinstance(item, Lit):
            out.append(frozenset({item.word}))
        elif isinstance(item, Words) and not item.optional:
            out.append(item.words)
        elif isinstance(item, Alt) and not item.optional:
            words: set[str] = set()
            usable = True
            for option in item.options:
                inner = _required_sets(option)
                if not inner:
                    usable = False
                    break
                words |= min(inner, key=len)
            if usable:
                out.append(frozenset(words))
    return out


# Words in nearly every response: a poor key for finding which patterns might match.
_COMMON = frozenset(
    """i you your me my a an the to it is are am be was were that this and or but so of in on at for with
    not do does did have has had can will would could should what how if we they he she them just really""".split()
)


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
    required = _required_sets(items)
    return Pattern(text, items, anchored, frozenset(_literals(items)), frozenset(firsts), tuple(sorted(prefixes)),
                   end_anchored=parser.end_anchored, required=tuple(required),
                   key=min(required, key=lambda r: (bool(r & _COMMON), len(r))) if required else frozenset())


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


# --- the regular-expression form ------------------------------------------------------------------
#
# For speed, a response's words are joined into one string, " w1 w2 ... \x00 w7 w8 ", each word
# followed by a space and sentences separated by "\x00 " (which no pattern word can match), and
# every pattern becomes a regular expression over it, run by the C regex engine at each word
# where the pattern can start (overlapping matches, like match_at).

_WORD = "[^ \x00]"
# A gap never skips a negation: "i can ... give you ... a car" must not match "i can not give rides in my car".
GAP_STOPS = ("not", "never", "no")
_GAP_WORD = "(?!(?:" + "|".join(GAP_STOPS) + ") )" + _WORD


def _regex_items(items: tuple) -> str:
    out = []
    for item in items:
        kind = item.__class__
        if kind is Lit:
            out.append(re.escape(item.word) + " ")
        elif kind is Words:
            body = "(?:" + "|".join(re.escape(w) for w in sorted(item.words, key=lambda w: (-len(w), w))) + ") "
            out.append("(?:" + body + ")?" if item.optional else body)
        elif kind is Prefix:
            out.append(re.escape(item.prefix) + _WORD + "* ")
        elif kind is AnyWord:
            out.append(_WORD + "+ ")
        elif kind is Gap:
            out.append(f"(?:{_GAP_WORD}+ ){{0,{item.most}}}?")
        elif kind is Alt:
            body = "(?:" + "|".join(_regex_items(o) for o in item.options) + ")"
            out.append(body + "?" if item.optional else body)
    return "".join(out)


def to_regex(p: Pattern) -> re.Pattern[str]:
    """The pattern as a regex to .match() at the first character of a word in the joined string."""
    body = _regex_items(p.items)
    if p.end_anchored:
        body += "(?=(?:(?:" + "|".join(sorted(TRAILING_FILLERS)) + ") )*(?:\x00|$))"
    return re.compile(body)


# --- fuzzy words --------------------------------------------------------------------------------


class Vocabulary:
    """The literal words of all indicators, and a cached fuzzy lookup of a misspelt word into them."""

    def __init__(self, words: Iterable[str], *, cutoff: float = 80.0):
        self.words = frozenset(words)
        self._by_length: dict[int, list[str]] = {}
        for w in sorted(self.words):
            if len(w) >= FUZZY_MIN_LENGTH and w.isalpha():
                self._by_length.setdefault(len(w), []).append(w)
        self.cutoff = cutoff
        self.lookup = lru_cache(maxsize=65536)(self._lookup)

    def _lookup(self, word: str) -> tuple[tuple[str, float], ...]:
        if word in self.words or len(word) < FUZZY_MIN_LENGTH or not word.isalpha():
            return ()
        from rapidfuzz import fuzz, process

        spread = 2 if len(word) >= 8 else 1
        choices = [w for n in range(len(word) - spread, len(word) + spread + 1) for w in self._by_length.get(n, ())]
        found = process.extract(word, choices, scorer=fuzz.ratio, score_cutoff=self.cutoff, limit=4)
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
    joined: dict = field(default_factory=dict)  # threshold -> _Joined


@dataclass
class _Joined:
    text: str
    char_start: list[int]  # token index -> offset of its first character in text
    ends: dict[int, int]  # offset just after a token's trailing space -> token index + 1
    at: dict[str, list[int]]  # word as read (misspellings corrected) -> token indexes


class PatternIndex:
    """All compiled patterns, indexed by the words they can start with."""

    def __init__(self, patterns: Sequence[Pattern], vocabulary: Vocabulary):
        self.patterns = list(patterns)
        self.vocabulary = vocabulary
        self.by_key: dict[str, list[int]] = {}
        self.unkeyed: list[int] = []
        for n, p in enumerate(self.patterns):
            if p.key:
                for w in p.key:
                    self.by_key.setdefault(w, []).append(n)
            else:
                self.unkeyed.append(n)

    def prepare(self, tt: TokenizedText, names: frozenset[str] = frozenset()) -> _Prepared:
        """`names`: the names of the people in the scene, normalised ("pilar"); each is read as `{present}` where it is
        not a word some phrase uses ("will", "hope")."""
        tokens = tt.tokens
        n = len(tokens)
        norms = [t.norm for t in tokens]
        lookup = self.vocabulary.lookup
        words = self.vocabulary.words
        fuzzy = [dict(lookup(w)) if w not in words else {} for w in norms]
        if names:
            for i, w in enumerate(norms):
                if w in names and w not in words:
                    fuzzy[i] = {PRESENT_WORD: 100.0}
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

    def _joined(self, prepared: _Prepared, threshold: float):
        """The response as one string for the regexes, misspellings read as their closest word (at this threshold)."""
        cached = prepared.joined.get(threshold)
        if cached is not None:
            return cached
        parts = [" "]
        char_start: list[int] = []
        ends: dict[int, int] = {}
        words_at: dict[str, list[int]] = {}
        offset = 1
        tokens = prepared.tt.tokens
        for i, word in enumerate(prepared.norms):
            if i and tokens[i].sentence != tokens[i - 1].sentence:
                parts.append("\x00 ")
                offset += 2
            alts = prepared.fuzzy[i]
            if alts:
                best, score = max(alts.items(), key=lambda kv: (kv[1], kv[0]))
                if score >= threshold:
                    word = best
            word = word.replace(" ", "").replace("\x00", "") or "_"
            char_start.append(offset)
            words_at.setdefault(word, []).append(i)
            parts.append(word + " ")
            offset += len(word) + 1
            ends[offset] = i + 1
        cached = _Joined("".join(parts), char_start, ends, words_at)
        prepared.joined[threshold] = cached
        return cached

    def find(self, prepared: _Prepared, owners: set | None = None) -> list[Match]:
        """Every (pattern, start) that matches, with its shortest end.

        Candidate patterns come from the response's words (and their fuzzy readings) through
        each pattern's rarest required word; each candidate runs as one regular expression
        over the joined words (cheaper than checking its other required words first).
        """
        norms = prepared.norms
        present = set(norms)
        for alts in prepared.fuzzy:
            present.update(alts)
        numbers = set(self.unkeyed)
        for w in present:
            numbers.update(self.by_key.get(w, ()))
        out: list[Match] = []
        patterns = self.patterns
        by_threshold: dict[float, tuple[_Joined, set[str]]] = {}
        for n in numbers:
            p = patterns[n]
            if owners is not None and p.owner is not None and p.owner.rubric not in owners:
                continue
            found = by_threshold.get(p.threshold)
            if found is None:
                joined = self._joined(prepared, p.threshold)
                found = by_threshold[p.threshold] = (joined, set(joined.at))
            joined, words = found
            starts: list[int] = []
            for w in p.firsts & words:
                starts.extend(joined.at[w])
            if p.first_prefixes:
                starts.extend(i for w, where in joined.at.items() if w.startswith(p.first_prefixes) for i in where)
            if not starts:
                continue
            regex = p.regex
            if regex is None:  # compiled on first use: most patterns are never candidates in a session
                regex = p.regex = to_regex(p)
            text = joined.text
            if len(starts) > 1:
                starts = sorted(set(starts))
            for pos in starts:
                if p.anchored and not prepared.clause_start[pos]:
                    continue
                m = regex.match(text, joined.char_start[pos])
                if m is not None:
                    end = joined.ends[m.end()]
                    out.append(Match(p, pos, end, _similarity(p, prepared, pos, end)))
        out.sort(key=lambda m: (m.start, m.end))
        return out

    def find_reference(self, prepared: _Prepared, owners: set | None = None) -> list[Match]:
        """The same as find(), by the pure-Python matcher (match_at): slower, kept to check find() against.

        Candidate patterns come from the response's words (and their fuzzy readings) through
        each pattern's rarest required word; a pattern is tried only if every word it requires
        is present, and only at positions where it can start.
        """
        norms = prepared.norms
        at: dict[str, list[int]] = {}
        for pos, word in enumerate(norms):
            at.setdefault(word, []).append(pos)
        near: dict[str, list[tuple[int, float]]] = {}
        for pos, alts in enumerate(prepared.fuzzy):
            for w, score in alts.items():
                near.setdefault(w, []).append((pos, score))
        present = set(at) | set(near)
        numbers = set(self.unkeyed)
        for w in present:
            numbers.update(self.by_key.get(w, ()))
        out: list[Match] = []
        for n in sorted(numbers):
            p = self.patterns[n]
            if owners is not None and p.owner is not None and p.owner.rubric not in owners:
                continue
            if not all(not r.isdisjoint(present) for r in p.required):
                continue
            starts: set[int] = set()
            for w in p.firsts & present:
                starts.update(at.get(w, ()))
                starts.update(pos for pos, score in near.get(w, ()) if score >= p.threshold)
            if p.first_prefixes:
                starts.update(pos for pos, word in enumerate(norms) if word.startswith(p.first_prefixes))
            for pos in sorted(starts):
                if p.anchored and not prepared.clause_start[pos]:
                    continue
                end = match_at(p, prepared, pos)
                if end > pos:
                    out.append(Match(p, pos, end, _similarity(p, prepared, pos, end)))
        out.sort(key=lambda m: (m.start, m.end))
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
        n_items = len(items)
        while idx < n_items:
            item = items[idx]
            kind = item.__class__
            if kind is Lit:
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
            if kind is Words:
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
            if kind is AnyWord:
                if pos >= limit:
                    return -1
                pos += 1
                idx += 1
                continue
            if kind is Prefix:
                if pos >= limit or not norms[pos].startswith(item.prefix):
                    return -1
                pos += 1
                idx += 1
                continue
            if kind is Alt:
                rest = lambda q, _i=idx: seq(items, _i + 1, q, k)
                options = item.candidates(norms[pos], fuzzy[pos]) if pos < limit else item.rest
                for option in options:
                    r = seq(option, 0, pos, rest)
                    if r >= 0:
                        return r
                if item.optional:
                    idx += 1
                    continue
                return -1
            if kind is Gap:
                for g in range(item.most + 1):
                    if pos + g > limit or (g and norms[pos + g - 1] in GAP_STOPS):
                        break
                    r = seq(items, idx + 1, pos + g, k)
                    if r >= 0:
                        return r
                return -1
            raise TypeError(item)  # pragma: no cover
        return k(pos)

    if p.end_anchored:
        return seq(p.items, 0, start, lambda q: q if all(norms[i] in TRAILING_FILLERS for i in range(q, limit)) else -1)
    return seq(p.items, 0, start, lambda q: q)

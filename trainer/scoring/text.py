"""Turning what a trainee typed into normalised tokens that still point at their own words.

Trainees type fast and informally ("ur gonna be ok", "i wont tell u to stop"), so the
scorer matches rubric indicators against a normalised form: lower case, contractions
and texting spellings expanded, punctuation reduced to sentence and clause boundaries.
Every normalised token keeps the character span it came from, so feedback can quote
the trainee exactly ("You said 'u should stop taking it'").

The same normaliser runs over rubric indicators when they are compiled, so an author
may write "don't" or "do not" and both sides meet in the middle.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

# Contractions with an apostrophe, after lower-casing and turning ’ into '.
_APOSTROPHE_WORDS: dict[str, str] = {
    "can't": "can not",
    "cannot": "can not",
    "won't": "will not",
    "shan't": "shall not",
    "ain't": "is not",
    "let's": "let us",
    "y'all": "you all",
    "it's": "it is",
    "that's": "that is",
    "what's": "what is",
    "there's": "there is",
    "here's": "here is",
    "who's": "who is",
    "how's": "how is",
    "where's": "where is",
    "he's": "he is",
    "she's": "she is",
    "everything's": "everything is",
    "everyone's": "everyone is",
    "everybody's": "everyone is",
    "nobody's": "no one is",
    "somebody's": "someone is",
    "someone's": "someone is",
    "nothing's": "nothing is",
    "something's": "something is",
}
_SUFFIXES: tuple[tuple[str, str], ...] = (
    ("n't", " not"),
    ("'re", " are"),
    ("'ve", " have"),
    ("'ll", " will"),
    ("'d", " would"),
    ("'m", " am"),
)

# Texting spellings and apostrophe-less contractions. Deliberately conservative: a word
# that is also an ordinary English word with another meaning ("ill", "were", "well",
# "shed") is left alone.
TEXTING: dict[str, str] = {
    "u": "you",
    "ya": "you",
    "yu": "you",
    "yoo": "you",
    "ur": "your",
    "yr": "your",
    # "r u thinking about killing urself?" (library-turns-a, session 31: a direct question not read as one)
    "urself": "yourself",
    "yrself": "yourself",
    "urselves": "yourselves",
    "urs": "yours",
    "r": "are",
    "im": "i am",
    "ive": "i have",
    "iam": "i am",
    "dont": "do not",
    "doesnt": "does not",
    "didnt": "did not",
    "cant": "can not",
    "wont": "will not",
    "isnt": "is not",
    "arent": "are not",
    "wasnt": "was not",
    "werent": "were not",
    "shouldnt": "should not",
    "wouldnt": "would not",
    "couldnt": "could not",
    "havent": "have not",
    "hasnt": "has not",
    "hadnt": "had not",
    "mustnt": "must not",
    "neednt": "need not",
    "aint": "is not",
    "thats": "that is",
    "whats": "what is",
    "wats": "what is",
    "theres": "there is",
    "hows": "how is",
    "wheres": "where is",
    "whos": "who is",
    "youre": "you are",
    "youve": "you have",
    "youll": "you will",
    "youd": "you would",
    "theyre": "they are",
    "theyve": "they have",
    "theyll": "they will",
    "weve": "we have",
    "its": "it is",
    "hes": "he is",
    "shes": "she is",
    "gonna": "going to",
    "gna": "going to",
    "gon": "going to",  # "you gon' sign up"
    "finna": "going to",
    "fixin": "going to",  # "fixin' to" reads "going to to"; the doubled "to" is harmless
    "tryna": "trying to",
    "ima": "i am going to",
    "imma": "i am going to",  # also "i'ma", "i'mma": an apostrophe is dropped before this table is read
    "oughta": "ought to",
    "hx": "history",
    "lil": "little",
    "gf": "girlfriend",
    "bf": "boyfriend",
    "bday": "birthday",
    "ngl": "honestly",  # "not gonna lie": its "not" negates nothing
    "nevr": "never",  # "i would nevr tell u to stop ur meds" read without its negation was medication advice
    "nvr": "never",
    "nver": "never",
    "wanna": "want to",
    "gotta": "have to",
    "hafta": "have to",
    "kinda": "kind of",
    "sorta": "sort of",
    "lemme": "let me",
    "gimme": "give me",
    "dunno": "do not know",
    "idk": "i do not know",
    "imo": "in my opinion",
    "imho": "in my opinion",
    "tbh": "to be honest",
    "rn": "right now",
    "pls": "please",
    "plz": "please",
    "thx": "thanks",
    "ty": "thank you",
    "bc": "because",
    "bcuz": "because",
    "bcos": "because",
    "cuz": "because",
    "coz": "because",
    "cos": "because",
    "abt": "about",
    "ppl": "people",
    "smth": "something",
    "sth": "something",
    "tho": "though",
    "thru": "through",
    "tmrw": "tomorrow",
    "tmr": "tomorrow",
    "tmrrw": "tomorrow",
    "2day": "today",
    "2morrow": "tomorrow",
    "b4": "before",
    "luv": "love",
    "k": "okay",
    "kk": "okay",
    "ok": "okay",
    "oke": "okay",
    "okey": "okay",
    "alright": "all right",
    "def": "definitely",
    "defo": "definitely",
    "deff": "definitely",
    "gud": "good",
    "rly": "really",
    "rlly": "really",
    "srsly": "seriously",
    "cud": "could",
    "cld": "could",
    "shud": "should",
    "shld": "should",
    "wud": "would",
    "wld": "would",
    "wat": "what",
    "wut": "what",
    "wht": "what",
    "whut": "what",
    "hw": "how",
    "sum1": "someone",
    "some1": "someone",
    "any1": "anyone",
    "every1": "everyone",
    "no1": "no one",
    "noone": "no one",
    "nvm": "never mind",
    "obv": "obviously",
    "prob": "probably",
    "prolly": "probably",
    "probly": "probably",
    "b": "be",
    "feelin": "feeling",
    "goin": "going",
    "doin": "doing",
    "tryin": "trying",
    "nothin": "nothing",
    "somethin": "something",
    "talkin": "talking",
    "thinkin": "thinking",
    "sayin": "saying",
    "takin": "taking",
    "makin": "making",
    "lookin": "looking",
    "gettin": "getting",
    "workin": "working",
    "comin": "coming",
    "wen": "when",
    "wit": "with",
    "dat": "that",
    "dis": "this",
    "der": "there",
    "thnk": "think",
    "thnx": "thanks",
    "becuz": "because",
    "becuase": "because",
    "shouldve": "should have",
    "wouldve": "would have",
    "couldve": "could have",
    "mightve": "might have",
    "mustve": "must have",
    "probs": "probably",
    "yrs": "years",
    "hrs": "hours",
    "mins": "minutes",
    "info": "information",
    "convo": "conversation",
    "txt": "text",
    "msg": "message",
    "appt": "appointment",
    "togther": "together",
    "2gether": "together",
    "meds": "meds",
    "med": "med",
    "w": "with",
    "wo": "without",
    "n": "and",
    "nd": "and",
    "&": "and",
    "+": "and",
    "yea": "yes",
    "yeah": "yes",
    "yep": "yes",
    "yup": "yes",
    "ye": "yes",
    "nope": "no",
    "nah": "no",
    "everybody": "everyone",
    "anybody": "anyone",
    "somebody": "someone",
    "nobody": "no one",
    "everyones": "everyone is",
    "nobodys": "no one is",
    "gonna've": "going to have",
    "outta": "out of",
    "lotta": "lot of",
    "alotta": "a lot of",
    "alot": "a lot",
    "wkend": "weekend",
    "doc": "doctor",
    "dr": "doctor",
    "psych": "psychiatrist",
}
# More dropped g's, none of them an English word of its own ("stop bein so dramatic").
TEXTING.update({word: word + "g" for word in """
    bein sleepin drinkin usin smokin eatin leavin movin quittin stoppin fightin cryin dyin hurtin cuttin livin
    callin textin askin tellin keepin stayin walkin runnin sittin waitin hidin lyin freakin trippin stressin
    overthinkin worryin blamin hangin hittin killin missin messin losin gamblin drivin havin payin helpin
    playin puttin pushin relapsin
""".split()})

# After "your" (and "ur", "yr"), these words show the writer meant "you're".
_YOURE_NEXT = frozenset(
    """not so a an the right welcome allowed able worth safe strong brave alone definitely gonna going
    really very too already still always never being crazy wrong such in on at here there okay fine good great
    amazing capable enough sure done doing trying making feeling getting taking thinking saying telling asking
    looking working using living dealing handling carrying facing being just probably obviously
    clearly totally completely scared afraid worried angry upset sad overwhelmed frustrated tired
    exhausted stuck ready lucky lost hurt ashamed embarrassed nervous anxious stressed confused lonely hopeless
    gone coming leaving staying moving feeling noncompliant non bipolar depressed schizophrenic worn kinda
    pretty super feeling frustrated mad furious hurting lonely isolated discouraged defeated drained burned burnt
    guilty trapped torn conflicted unsure disappointed panicked numb relieved hopeful proud excited happy
    grateful fed sick beat beaten broken shaken heartbroken devastated betrayed rejected stressing worrying
    freaking obviously clearly literally honestly seriously actually probably right not stronger better braver
    smarter tougher more worth capable allowed entitled out""".split()
)

# "your bipolar" is "you're bipolar" ("i think your bipolar") unless it names their condition: after these words
# ("how has your bipolar been", "for your bipolar") or before these ("your bipolar talking", "your bipolar meds")
_YOURE_NOUNS = frozenset({"bipolar", "schizophrenic"})
_CONDITION_BEFORE = frozenset(
    """for about with of has have had is was how managing manage managed treat treating treated handle handling
    on to from by because into""".split()
)
_CONDITION_AFTER = frozenset(
    """talking been is was has meds med medication medications medicine pills diagnosis dx symptoms symptom episodes
    episode acting kicking flaring doing getting disorder type 1 2 ii i depression brain side cycle cycles mood moods
    stuff thing makes make made affects affect affected does did will can could might may would gets got flares comes
    shows showed""".split()
)

_APOS_S = "\x00s"  # placeholder for a noun's 's until the next word shows whether it means "is"

# After a noun's 's, these words show it means "is" ("your daughter's in our program").
_IS_NEXT = frozenset(
    """in at on not a an the doing going been here there so really very just still always never one fine okay
    good great better worse gone back home out over coming getting trying having making taking working living
    staying using drinking clean sober sick scared worried upset angry fine totally completely also already
    definitely probably much even worse better harder easier""".split()
)
_HAS_NEXT = frozenset({"been", "got", "gotten", "had"})
_ILL_NEXT = frozenset(
    """be buy get give call help make take tell do see go pay keep send text find try let bring come check
    talk ask look write drive pick stay sit show lend loan meet walk email never always just definitely
    probably make only also still def deff""".split()
)
_OF_AFTER = frozenset({"must", "could", "would", "should", "might"})
# "id" is "I'd" before these ("id just skip the night dose", "id honestly call her"), unless it follows a
# word that makes it an ID card ("bring your id just in case", "show id to get in")
_ID_NEXT = frozenset(
    """just honestly probably prob definitely def totally rather never always still also say go do be love like
    hate want skip take cut tell call stop try get ask keep quit leave drop ditch wait bring think feel
    switch push refuse split snap halve text talk move block report""".split()
)
_ID_AFTER = frozenset(
    """your my his her their our its the a an this that photo state valid no any new student caller show
    bring need needs with without get got have has had lost forgot forget check checked scan scanned
    military school work real own""".split()
)

# Clause-breaking conjunctions: a negation or a reporting verb does not reach across them.
CLAUSE_BREAKERS = frozenset({"but", "though", "although", "however", "so", "and", "because", "yet", "anyway"})

# Fillers skipped when a pattern is anchored to the start of a clause ("so, what ...").
CLAUSE_FILLERS = frozenset(
    {"so", "and", "okay", "well", "hmm", "um", "uh", "yes", "oh", "alright", "now", "then", "also", "but", "honestly", "ok", "hey", "right",
     # forms of address and interjections trainees open with ("bestie keep taking...", "lowkey just stop...")
     "yeah", "yep", "lowkey", "bestie", "girl", "bro", "man", "dude", "honey", "hun", "sweetie", "babe", "sis", "brother",
     "sister", "friend", "chile", "listen", "look", "lol", "lmao", "omg", "ugh", "aw", "aww", "like"}
)

# Words that may follow the end of a sentence-anchored pattern ("... $"): a form of address or an interjection
# after the answer, "Of course, girl." or "Yes, honestly." (not "right" or "then": "Yeah, right." says no).
TRAILING_FILLERS = frozenset(
    {"honestly", "man", "dude", "bro", "girl", "sis", "brother", "sister", "friend", "honey", "hun", "sweetie", "babe",
     "chile", "buddy", "pal", "fam", "bestie", "lol", "lmao", "haha", "hahaha"}
)

SENTENCE_END = frozenset({".", "!", "?", "\n"})
CLAUSE_END = frozenset({",", ";", ":", "-"})

_TOKEN_RE = re.compile(
    r"""
    (?P<money>\$\s?\d[\d,]*(?:\.\d+)?)
  | (?P<word>[a-z0-9]+(?:['][a-z]+)*(?:/[a-z]+)?)
  | (?P<newline>\n)
  | (?P<trail>\.{2,}|\u2026)
  | (?P<punct>[.!?;:,]|[\u2014\u2013]|\s-\s|--)
  | (?P<amp>[&+](?=\s))
    """,
    re.VERBOSE,
)
def _fold_table() -> dict[int, str]:
    """Latin letters with accents to their plain letter (one character each, so offsets stay put)."""
    import unicodedata

    table = {}
    for code in range(0xC0, 0x250):
        base = unicodedata.normalize("NFD", chr(code))[0].lower()
        if base.isascii() and base.isalpha():
            table[code] = base
    return table


_FOLD_ACCENTS = _fold_table()

_QUOTE_SPANS = (
    re.compile(r'"[^"\n]{1,200}"'),
    re.compile(r"\u201c[^\u201d\n]{1,200}\u201d"),
    re.compile(r"(?<![a-z0-9])'[^'\n]{1,200}?'(?![a-z0-9])"),
    re.compile(r"\u2018[^\u2019\n]{1,200}?\u2019(?![a-z0-9])"),
)


@dataclass(frozen=True)
class Token:
    """One normalised word, with the span of the trainee's text it came from."""

    norm: str
    start: int
    end: int
    sentence: int
    clause: int
    quoted: bool = False


@dataclass(frozen=True)
class TokenizedText:
    text: str
    tokens: tuple[Token, ...]
    sentence_ends: tuple[str, ...]  # the punctuation that closed each sentence ("?" for a question)
    word_count: int

    def words(self, start: int, end: int) -> str:
        """The trainee's own words covered by tokens[start:end]."""
        if start >= end:
            return ""
        return self.text[self.tokens[start].start : self.tokens[end - 1].end]

    def is_question(self, sentence: int) -> bool:
        return 0 <= sentence < len(self.sentence_ends) and self.sentence_ends[sentence] == "?"

    def sentence_spans(self) -> list[tuple[int, int]]:
        """Each sentence as token indexes [start, end), in order."""
        spans, start, tokens = [], 0, self.tokens
        for i in range(1, len(tokens) + 1):
            if i == len(tokens) or tokens[i].sentence != tokens[start].sentence:
                spans.append((start, i))
                start = i
        return spans


def _expand_word(word: str) -> list[str]:
    if word in _APOSTROPHE_WORDS:
        return _APOSTROPHE_WORDS[word].split()
    if "'" in word:
        for suffix, replacement in _SUFFIXES:
            if word.endswith(suffix) and len(word) > len(suffix):
                stem = word[: -len(suffix)]
                if suffix == "n't":
                    stem = {"ca": "can", "wo": "will", "sha": "shall", "ai": "is"}.get(stem, stem)
                return [stem] + replacement.split()
        if word.endswith("'s"):
            # "sister's": a possessive, or "sister is" (decided in _fix_up); the stem is spelt as it would be
            # alone ("everybody's" -> everyone, as "everybody" is), so phrases match it either way
            return TEXTING.get(word[:-2], word[:-2]).split() + [_APOS_S]
        plain = word.replace("'", "")
        return TEXTING.get(plain, plain).split()  # "i'ma", "gon'", "fixin'"
    if word in TEXTING:
        return TEXTING[word].split()
    if "/" in word:
        if word in ("w/o",):
            return ["without"]
        if word in ("w/",):
            return ["with"]
        return [part for part in word.split("/") if part]
    return [word]


def tokenize(text: str) -> TokenizedText:
    """Normalise `text` into tokens; never raises, whatever the input."""
    lowered = text.lower().replace("\u2019", "'").replace("\u02bc", "'").replace("`", "'")
    # The same length as `text` (lower() can change length for a few characters; fall back to a per-char map).
    if len(lowered) != len(text):
        lowered = "".join(ch.lower() if len(ch.lower()) == 1 else ch for ch in text)
        lowered = lowered.replace("\u2019", "'").replace("\u02bc", "'").replace("`", "'")
    if not lowered.isascii():
        lowered = lowered.translate(_FOLD_ACCENTS)  # "quinceañera", "café": one letter for one, offsets kept
    quoted = _quoted_mask(lowered)
    tokens: list[Token] = []
    sentence_ends: list[str] = []
    sentence = clause = 0
    last_kind = "start"
    word_count = 0
    for m in _TOKEN_RE.finditer(lowered):
        kind = m.lastgroup
        if kind == "trail":
            # "..." trailing into a lower-case word goes on with the sentence ("nobody finds out from
            # me... unless you're in danger"); before a capital, or at the end, it ends one
            j = m.end()
            while j < len(text) and text[j] in " \t":
                j += 1
            kind, mark = "punct", ("," if j < len(text) and text[j].islower() else ".")
        elif kind in ("punct", "newline"):
            mark = m.group().strip() or "\n"
        if kind in ("punct", "newline"):
            if mark in SENTENCE_END:
                if last_kind == "word":
                    sentence_ends.append(mark)
                    sentence += 1
                    clause += 1
                elif mark == "?" and sentence_ends:
                    sentence_ends[-1] = "?"  # "...?!" or "? ?"
                last_kind = "end"
            else:
                if last_kind == "word":
                    clause += 1
                last_kind = "clause"
            continue
        if kind == "money":
            pieces = ["money"]
        elif kind == "amp":
            pieces = ["and"]
        else:
            word = m.group().strip("'")
            if not word:
                continue
            pieces = _expand_word(word)
        start, end = m.start(), m.end()
        inside = quoted[start] if start < len(quoted) else False
        word_count += 1
        for piece in pieces:
            if piece in CLAUSE_BREAKERS and tokens and tokens[-1].clause == clause:
                clause += 1
            tokens.append(Token(piece, start, end, sentence, clause, inside))
        last_kind = "word"
    if last_kind == "word" or (tokens and len(sentence_ends) <= tokens[-1].sentence):
        sentence_ends.append("")
    _fix_up(tokens)
    return TokenizedText(text, tuple(tokens), tuple(sentence_ends), word_count)


def _fix_up(tokens: list[Token]) -> None:
    """Resolve spellings that depend on the next word.

    "your going" means "you're going"; "daughter's in" means "daughter is in" but
    "daughter's school" is a possessive; "it's been" is "it has been"; "ill buy" is "I'll buy";
    "id just" is "I'd just"; "must of" is "must have"; "ain't got" is "have not got".
    """
    out: list[Token] = []
    n = len(tokens)
    for i, t in enumerate(tokens):
        nxt = tokens[i + 1].norm if i + 1 < n and tokens[i + 1].sentence == t.sentence else ""
        if t.norm == _APOS_S:
            if nxt in _HAS_NEXT:
                out.append(_retoken(t, "has"))
            elif nxt in _IS_NEXT or nxt.endswith("ing"):
                out.append(_retoken(t, "is"))
            continue
        if (t.norm == "your" and nxt in _YOURE_NOUNS
                and ((out and out[-1].sentence == t.sentence and out[-1].norm in _CONDITION_BEFORE)
                     or (i + 2 < n and tokens[i + 2].sentence == t.sentence and tokens[i + 2].norm in _CONDITION_AFTER))):
            out.append(t)  # their condition, named: "how has your bipolar been"
            continue
        if t.norm == "your" and (nxt in _YOURE_NEXT or (nxt.endswith("ing") and len(nxt) > 4)):
            out += [_retoken(t, "you"), _retoken(t, "are")]
            continue
        if t.norm == "ill" and nxt in _ILL_NEXT and (not out or out[-1].sentence != t.sentence or out[-1].clause != t.clause):
            out += [_retoken(t, "i"), _retoken(t, "will")]
            continue
        if t.norm == "id" and nxt in _ID_NEXT and not (out and out[-1].sentence == t.sentence and out[-1].norm in _ID_AFTER):
            out += [_retoken(t, "i"), _retoken(t, "would")]
            continue
        if t.norm == "is" and nxt in _HAS_NEXT and out and out[-1].norm in ("it", "that", "he", "she", "there", "what", "who", "everyone", "someone", "no one"):
            out.append(_retoken(t, "has"))
            continue
        if t.norm == "not" and nxt == "got" and out and out[-1].norm == "is" and out[-1].start == t.start:
            out[-1] = _retoken(out[-1], "have")  # "ain't got" is "have not got"
        if t.norm == "of" and out and out[-1].norm in _OF_AFTER and nxt in ("been", "done", "had", "gone", "known", "felt", "said", "seen", "made", "taken", "gotten", "got", "happened"):
            out.append(_retoken(t, "have"))
            continue
        out.append(t)
    tokens[:] = out


def _retoken(t: Token, norm: str) -> Token:
    return Token(norm, t.start, t.end, t.sentence, t.clause, t.quoted)


def _quoted_mask(text: str) -> list[bool]:
    mask = [False] * len(text)
    for pattern in _QUOTE_SPANS:
        for m in pattern.finditer(text):
            for i in range(m.start(), m.end()):
                mask[i] = True
    return mask


def normalize_phrase(phrase: str) -> list[str]:
    """The normalised words of an author's phrase (no spans): how indicators are compiled."""
    return [t.norm for t in tokenize(phrase).tokens]

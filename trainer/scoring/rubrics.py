"""Rubrics: loading, checking and holding the YAML files that say how responses are judged.

Loading is a compiler pass: the file is parsed with spans, checked against the shipped
JSON Schema, then checked for meaning (competency ids, duplicate ids, calibration labels
that name nothing, indicators that do not compile), every problem a located Diagnostic.
The result is an immutable Rubric that the Scorer compiles once more into its index.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import Any

from trainer.diagnostics import Diagnostic, Severity, did_you_mean, has_errors
from trainer.paths import yaml_files
from trainer.yamlsource import Document, load_yaml

COMPETENCIES: tuple[str, ...] = (
    "engages-peers",
    "provides-support",
    "shares-lived-experience",
    "personalizes-support",
    "supports-recovery-planning",
    "links-to-resources",
    "provides-wellness-information",
    "supports-crisis-management",
    "values-communication",
    "supports-collaboration",
    "promotes-advocacy",
    "promotes-growth",
)

EXCUSES = ("negation", "quotation", "reported-speech")
DEFAULT_PENALTY = 0.1
DEFAULT_THRESHOLDS = {"precision": 0.8, "recall": 0.8, "kappa": 0.6}
RECOMMENDED_EXAMPLES = 15


@dataclass(frozen=True)
class Exception_:
    """A phrase that cancels indicator matches: those it overlaps, or all in its sentence."""

    phrase: str
    scope: str = "overlap"  # "overlap" | "sentence"


@dataclass(frozen=True)
class Criterion:
    id: str
    competency: str
    description: str
    weight: float
    indicators: tuple[str, ...]
    threshold: float = 85.0
    examples: tuple[str, ...] = ()
    exceptions: tuple[Exception_, ...] = ()
    min_matches: int = 1
    negation: bool = True
    feedback_met: str = ""
    feedback_missed: str = ""
    # also met where one of the reply's last two sentences is an open question about the person ("Who was your
    # person?", "Where are you at right now?"): how a share hands the focus back, in any words
    asks_about_them: bool = False
    quoted: bool = True  # words in quotation marks earn it (false: a line suggested for them is not your own story)

    @property
    def phrases(self) -> tuple[str, ...]:
        return self.indicators + self.examples


@dataclass(frozen=True)
class SelfFocus:
    min_words: int
    min_share: float
    # a reply under `brief` words that ends by handing the focus back with an open question ("What's that like
    # for you?") is a brief share: the reader may not add the flag there (its phrases still raise it), unless
    # one of `graphic` is in it ("throwing up blood")
    brief: int | None = None
    graphic: tuple[str, ...] = ()


@dataclass(frozen=True)
class QuestionRun:
    """Raise the flag on a string of closed questions: at least `at_least` in a row."""

    at_least: int


@dataclass(frozen=True)
class Answer:
    """Replies that raise a flag only as an answer to the peer's question: "Yes." to "Am I bipolar?"."""

    questions: tuple[str, ...]  # phrases in the peer's line that make it this question
    indicators: tuple[str, ...]  # replies that answer it out of scope; each covers a whole clause
    unless: tuple[str, ...] = ()  # phrases anywhere in the response that cancel the answer
    bare: bool = True  # whether a reply of these given to no such question tells the reader it is no flag
    within: int = 2  # the reply is in one of the response's first `within` sentences
    questions_unless: tuple[str, ...] = ()  # phrases that cancel a question in their sentence of the peer's line
    every_reply: bool = False  # any reply to the question is the answer unless `unless` cancels it
    acknowledges: tuple[str, ...] = ()  # phrases that show the reply heard it: they stop `every_reply`, not `indicators`
    feedback: str = ""  # the flag's feedback when raised as this answer, where the flag's own fits it loosely


@dataclass(frozen=True)
class Topic:
    """What a flag is about, in words someone in the conversation would use ("suicide", "gun", "overdose"). Where
    the peer's lines are known and neither they nor the reply has one of the phrases, only a `firm` phrase raises
    the flag (not an indicator, the reader or the nearest examples): "Nobody cares about the speech" brushes off
    nothing dangerous."""
    about: str  # in words, for the feedback: "a risk of harm"
    phrases: tuple[str, ...]


@dataclass(frozen=True)
class RedFlag:
    id: str
    severity: str  # "critical" | "soft"
    description: str
    indicators: tuple[str, ...]
    exceptions: tuple[Exception_, ...]
    feedback: str
    why: str
    penalty: float = DEFAULT_PENALTY
    threshold: float = 85.0
    excuse: frozenset[str] = frozenset(EXCUSES)
    self_focus: SelfFocus | None = None
    question_run: QuestionRun | None = None
    instead: str = ""
    answers: tuple[Answer, ...] = ()
    yields_to: tuple[str, ...] = ()  # flags that, raised in the same sentence, take this one's place
    holds: tuple[str, ...] = ()  # phrases: evidence they overlap stands where yields_to would give way
    firm: tuple[str, ...] = ()  # indicators the reader may not overrule ("Time heals all wounds.")
    topic: Topic | None = None  # what the conversation must touch for anything but a firm phrase to raise this flag
    reader_needs: Topic | None = None  # what the reply must speak of for a model's reading alone to raise this flag
    in_the_room: bool = False  # the reader's reading is set aside where it names only people in the scene
    credit_beside: bool = False  # a critical flag whose matched words may still earn a criterion's credit

    @property
    def critical(self) -> bool:
        return self.severity == "critical"


@dataclass(frozen=True)
class ModelResponse:
    text: str
    note: str = ""


@dataclass(frozen=True)
class CalibrationExample:
    text: str
    met: frozenset[str]
    flags: frozenset[str]
    note: str = ""


@dataclass(frozen=True)
class Calibration:
    examples: tuple[CalibrationExample, ...] = ()
    thresholds: Mapping[str, float] = field(default_factory=lambda: dict(DEFAULT_THRESHOLDS))
    rubrics: tuple[str, ...] = ()


@dataclass(frozen=True)
class Rubric:
    id: str
    title: str
    version: str
    criteria: tuple[Criterion, ...]
    flags: tuple[RedFlag, ...]
    model_responses: tuple[ModelResponse, ...]
    calibration: Calibration
    path: Path | None = None
    description: str = ""
    terms: Mapping[str, tuple[str, ...]] = field(default_factory=dict)
    full_credit: float | None = None  # met weight that earns the full score; None: the total weight

    def criterion(self, criterion_id: str) -> Criterion | None:
        return next((c for c in self.criteria if c.id == criterion_id), None)

    def flag(self, flag_id: str) -> RedFlag | None:
        return next((f for f in self.flags if f.id == flag_id), None)


# --- checking ---------------------------------------------------------------------------------


def _as_tuple(value: Any) -> tuple:
    return tuple(value) if isinstance(value, list) else ()


def _exceptions(raw: Any) -> tuple[Exception_, ...]:
    out = []
    for item in _as_tuple(raw):
        if isinstance(item, str):
            out.append(Exception_(item))
        elif isinstance(item, dict) and isinstance(item.get("phrase"), str):
            out.append(Exception_(item["phrase"], item.get("scope", "overlap")))
    return tuple(out)


def _feedback(raw: Any) -> tuple[str, str]:
    if isinstance(raw, str):
        return raw, ""
    if isinstance(raw, dict):
        return str(raw.get("met", "")), str(raw.get("missed", ""))
    return "", ""


def validate_rubric_document(doc: Document, *, resolve=None) -> tuple[Rubric | None, list[Diagnostic]]:
    """Check a parsed rubric file (schema, then meaning) and build the Rubric if it has no errors.

    `resolve(rubric_id)` gives the (criterion ids, flag ids) of another rubric that the
    calibration examples are also judged with; by default the shipped rubrics.
    """
    from trainer.schemas import check_schema

    # An unknown competency is reported once, as PT301 with a guess, not also as a schema enum error.
    diagnostics = [d for d in check_schema(doc, "rubric") if not (d.code == "PT104" and "'competency'" in d.message)]
    data = doc.data
    if not isinstance(data, dict):
        return None, diagnostics
    diagnostics += _check_semantics(doc, data, resolve or _bundled_resolver)
    if has_errors(diagnostics):
        return None, diagnostics
    return _build(doc, data), diagnostics


def _check_semantics(doc: Document, data: dict, resolve) -> list[Diagnostic]:
    from trainer.scoring.patterns import PatternError, compile_pattern

    out: list[Diagnostic] = []
    criteria = [c for c in data.get("criteria", []) or [] if isinstance(c, dict)] if isinstance(data.get("criteria"), list) else []
    flags = [f for f in data.get("flags", []) or [] if isinstance(f, dict)] if isinstance(data.get("flags"), list) else []
    terms = data.get("terms") if isinstance(data.get("terms"), dict) else {}

    # PT301: competency ids (the schema names the allowed values too; this adds the guess).
    for i, c in enumerate(data.get("criteria", []) if isinstance(data.get("criteria"), list) else []):
        if isinstance(c, dict) and isinstance(c.get("competency"), str) and c["competency"] not in COMPETENCIES:
            out.append(doc.diagnostic(
                "PT301", f"unknown competency '{c['competency']}'", ("criteria", i, "competency"),
                hint=did_you_mean(c["competency"], COMPETENCIES) or "use one of the 12 SAMHSA ids in docs/scoring.md",
            ))

    # PT302: duplicate ids, across criteria and flags (a label must name one thing).
    seen: dict[str, tuple] = {}
    for kind, items in (("criteria", data.get("criteria")), ("flags", data.get("flags"))):
        if not isinstance(items, list):
            continue
        for i, item in enumerate(items):
            if not isinstance(item, dict) or not isinstance(item.get("id"), str):
                continue
            ident = item["id"]
            if ident in seen:
                first_kind, first_i = seen[ident]
                first = doc.span((first_kind, first_i, "id"))
                where = f" (first on line {first.line})" if first else ""
                out.append(doc.diagnostic(
                    "PT302", f"duplicate {'criterion' if kind == 'criteria' else 'flag'} id '{ident}'{where}",
                    (kind, i, "id"), hint="ids must be unique within a rubric; rename one",
                ))
            else:
                seen[ident] = (kind, i)

    # PT305/PT306/PT304: indicators and exceptions compile.
    term_cache: dict = {}
    for kind, items in (("criteria", data.get("criteria")), ("flags", data.get("flags"))):
        if not isinstance(items, list):
            continue
        for i, item in enumerate(items):
            if not isinstance(item, dict):
                continue
            lists = [((kind, i, key), item.get(key)) for key in ("indicators", "examples", "exceptions", "holds", "firm")]
            answers = item.get("answers") if isinstance(item.get("answers"), list) else []
            lists += [((kind, i, "answers", k, key), a.get(key)) for k, a in enumerate(answers) if isinstance(a, dict)
                      for key in ("questions", "indicators", "unless", "questions_unless", "acknowledges")]
            for key in ("topic", "reader_needs"):
                if isinstance(item.get(key), dict):
                    lists.append(((kind, i, key, "phrases"), item[key].get("phrases")))
            if isinstance(item.get("self_focus"), dict):
                lists.append(((kind, i, "self_focus", "graphic"), item["self_focus"].get("graphic")))
            for where, phrases in lists:
                if not isinstance(phrases, list):
                    continue
                for j, phrase in enumerate(phrases):
                    path: tuple = where + (j,)
                    if isinstance(phrase, dict):
                        phrase = phrase.get("phrase")
                        path = path + ("phrase",)
                    if not isinstance(phrase, str):
                        continue
                    try:
                        compile_pattern(phrase, terms, term_cache=term_cache)
                    except PatternError as exc:
                        out.append(_phrase_diagnostic(doc, exc, phrase, path))
                    except RecursionError:
                        out.append(doc.diagnostic("PT305", "indicator nests too deeply", path))

    # PT304 for terms that normalise to nothing (and that are never used: a warning).
    for name, phrases in terms.items():
        if not isinstance(phrases, list):
            continue
        for j, phrase in enumerate(phrases):
            if isinstance(phrase, str) and phrase.strip() and not any(ch.isalnum() for ch in phrase):
                out.append(doc.diagnostic("PT304", f"term phrase '{phrase}' is empty after normalization",
                                          ("terms", name, j)))
    used = " ".join(
        str(p if isinstance(p, str) else (p.get("phrase") if isinstance(p, dict) else ""))
        for item in criteria + flags
        for key in ("indicators", "examples", "exceptions", "holds", "firm")
        for p in (item.get(key) if isinstance(item.get(key), list) else [])
    ) + " " + " ".join(
        str(p) for f in flags for a in (f.get("answers") if isinstance(f.get("answers"), list) else [])
        if isinstance(a, dict) for key in ("questions", "indicators", "unless", "questions_unless", "acknowledges")
        for p in (a.get(key) if isinstance(a.get(key), list) else [])
    ) + " " + " ".join(
        str(p) for f in flags for key in ("topic", "reader_needs") if isinstance(f.get(key), dict)
        for p in (f[key].get("phrases") if isinstance(f[key].get("phrases"), list) else [])
    ) + " " + " ".join(str(p) for ps in terms.values() if isinstance(ps, list) for p in ps)
    for name in terms:
        if "{" + name + "}" not in used and "{" + name + "}?" not in used:
            out.append(doc.diagnostic("PT307", f"term '{name}' is never used", ("terms", name), key=True,
                                      severity=Severity.WARNING, hint="remove it, or use it in an indicator as {" + name + "}"))

    # PT308: settings that do not fit the flag.
    for i, f in enumerate(flags):
        if f.get("severity") == "critical" and "penalty" in f:
            out.append(doc.diagnostic("PT308", f"flag '{f.get('id')}' is critical, so its penalty is not used",
                                      ("flags", i, "penalty"), key=True, severity=Severity.WARNING,
                                      hint="a critical flag caps the score; remove 'penalty' or make the flag soft"))
        if f.get("severity") == "soft" and f.get("credit_beside") is True:
            out.append(doc.diagnostic("PT308", f"flag '{f.get('id')}' is soft, so 'credit_beside' is not used",
                                      ("flags", i, "credit_beside"), key=True, severity=Severity.WARNING,
                                      hint="only a critical flag's words are kept from earning credit; remove 'credit_beside'"))
        if not any(f.get(key) for key in ("indicators", "firm", "self_focus", "answers", "question_run")):
            out.append(doc.diagnostic("PT308", f"flag '{f.get('id')}' has no indicators, answers, self_focus or question_run, so it can never be raised",
                                      ("flags", i), severity=Severity.ERROR, hint="add 'indicators:'"))
        if f.get("holds") and not f.get("yields_to"):
            out.append(doc.diagnostic("PT308", f"flag '{f.get('id')}' has 'holds' but no 'yields_to', so its holds change nothing",
                                      ("flags", i, "holds"), key=True, severity=Severity.WARNING,
                                      hint="'holds' keeps evidence from giving way to the flags in 'yields_to'; add those, or remove 'holds'"))

    # PT303: yields_to names a flag of this rubric.
    flag_ids = [f.get("id") for f in flags]
    for i, f in enumerate(flags):
        for j, other in enumerate(f.get("yields_to") if isinstance(f.get("yields_to"), list) else []):
            if other not in flag_ids or other == f.get("id"):
                out.append(doc.diagnostic("PT303", f"yields_to names '{other}', which is not another flag of this rubric",
                                          ("flags", i, "yields_to", j),
                                          hint=did_you_mean(str(other), [x for x in flag_ids if isinstance(x, str)])))

    # PT303: calibration labels name criteria and flags that exist.
    calibration = data.get("calibration")
    if isinstance(calibration, dict):
        out += _check_calibration(doc, data, calibration, seen, resolve)
    return out


def _bundled_resolver(rubric_id: str) -> tuple[set[str], set[str]] | None:
    if _LOADING_BUNDLED:
        return _ANY
    rubric_set = bundled_rubric_set()
    if rubric_id not in rubric_set:
        return None
    r = rubric_set.get(rubric_id)
    return {c.id for c in r.criteria}, {f.id for f in r.flags}


_ANY = (set(), set())  # a marker: labels from this rubric are checked later, by RubricSet.load
_LOADING_BUNDLED = False


def _phrase_diagnostic(doc: Document, exc, phrase: str, path: tuple) -> Diagnostic:
    """Point the caret at the column inside the phrase when the phrase sits quoted on one line."""
    from trainer.yamlsource import Span, at_span

    span = doc.span(path)
    message = f"{exc.message} in '{phrase}'"
    if span is not None:
        line = doc.source_line(span.line) or ""
        start = span.col - 1
        if 0 <= start < len(line) and line[start] in "'\"" and line[start + 1 : start + 1 + len(phrase)] == phrase:
            return at_span(doc.file, doc, Span(span.line, span.col + exc.column, 1), exc.code, message, hint=exc.hint)
    return doc.diagnostic(exc.code, message, path, hint=exc.hint, notes=(f"at column {exc.column} of the phrase",))


def _check_calibration(doc: Document, data: dict, calibration: dict, seen: dict[str, tuple], resolve) -> list[Diagnostic]:
    out: list[Diagnostic] = []
    own_criteria = {k for k, (kind, _) in seen.items() if kind == "criteria"}
    own_flags = {k for k, (kind, _) in seen.items() if kind == "flags"}
    others = [r for r in calibration.get("rubrics", []) or [] if isinstance(r, str)]
    other_criteria: set[str] = set()
    other_flags: set[str] = set()
    unresolved = False
    for j, rid in enumerate(others):
        if rid == data.get("id"):
            continue
        found = resolve(rid)
        if found is _ANY:
            unresolved = True
        elif found is None:
            unresolved = True
            out.append(doc.diagnostic(
                "PT303", f"calibration uses unknown rubric '{rid}'", ("calibration", "rubrics", j),
                hint="name a rubric in the same folders or a shipped one (scope, peer-core)",
            ))
        else:
            other_criteria |= found[0]
            other_flags |= found[1]
    examples = calibration.get("examples")
    if not isinstance(examples, list):
        return out
    known_criteria = own_criteria | other_criteria
    known_flags = own_flags | other_flags
    for i, ex in enumerate(examples):
        if not isinstance(ex, dict):
            continue
        for key, known, kind in (("met", known_criteria, "criterion"), ("flags", known_flags, "flag")):
            labels = ex.get(key)
            if not isinstance(labels, list) or unresolved:
                continue
            for j, label in enumerate(labels):
                if not isinstance(label, str) or label in known:
                    continue
                other = known_flags if key == "met" else known_criteria
                hint = (f"'{label}' is a {'flag' if key == 'met' else 'criterion'}; move it to "
                        f"'{'flags' if key == 'met' else 'met'}'") if label in other else did_you_mean(label, known)
                out.append(doc.diagnostic(
                    "PT303", f"calibration example refers to unknown {kind} '{label}'",
                    ("calibration", "examples", i, key, j), hint=hint,
                ))
    if len(examples) < RECOMMENDED_EXAMPLES:
        out.append(doc.diagnostic(
            "PT309", f"only {len(examples)} calibration example{'s' if len(examples) != 1 else ''}; "
                     f"at least {RECOMMENDED_EXAMPLES} are recommended",
            ("calibration", "examples"), severity=Severity.WARNING, key=True,
            hint="add labelled examples, including hard negatives (negations, quotations, correct forms)",
        ))
    labelled = set()
    for ex in examples:
        if isinstance(ex, dict):
            labelled |= {x for x in ex.get("met", []) or [] if isinstance(x, str)}
            labelled |= {x for x in ex.get("flags", []) or [] if isinstance(x, str)}
    for kind, items in (("criteria", data.get("criteria")), ("flags", data.get("flags"))):
        for i, item in enumerate(items if isinstance(items, list) else []):
            if isinstance(item, dict) and isinstance(item.get("id"), str) and item["id"] not in labelled:
                out.append(doc.diagnostic(
                    "PT310", f"no calibration example shows '{item['id']}'", (kind, i, "id"),
                    severity=Severity.WARNING, hint="add an example labelled with it, so calibrate can measure it",
                ))
    return out


def _build(doc: Document, data: dict) -> Rubric:
    terms = {str(k): tuple(str(p) for p in v) for k, v in (data.get("terms") or {}).items()}
    criteria = []
    for c in data.get("criteria", []) or []:
        met, missed = _feedback(c.get("feedback"))
        criteria.append(Criterion(
            id=c["id"],
            competency=c["competency"],
            description=c["description"],
            weight=float(c.get("weight", 1.0)),
            indicators=tuple(c["indicators"]),
            threshold=float(c.get("threshold", 85.0)),
            examples=_as_tuple(c.get("examples")),
            exceptions=_exceptions(c.get("exceptions")),
            min_matches=int(c.get("min_matches", 1)),
            negation=bool(c.get("negation", True)),
            feedback_met=met,
            feedback_missed=missed,
            asks_about_them=bool(c.get("asks_about_them", False)),
            quoted=bool(c.get("quoted", True)),
        ))
    flags = []
    for f in data.get("flags", []) or []:
        sf = f.get("self_focus")
        flags.append(RedFlag(
            id=f["id"],
            severity=f["severity"],
            description=f["description"],
            indicators=_as_tuple(f.get("indicators")),
            exceptions=_exceptions(f.get("exceptions")),
            feedback=str(f["feedback"]).strip(),
            why=str(f["why"]).strip(),  # a folded YAML block ends in a newline
            penalty=float(f.get("penalty", DEFAULT_PENALTY)) if f["severity"] == "soft" else 0.0,
            threshold=float(f.get("threshold", 85.0)),
            excuse=frozenset(f.get("excuse", EXCUSES)),
            self_focus=(SelfFocus(int(sf["min_words"]), float(sf["min_share"]),
                                  int(sf["brief"]) if sf.get("brief") is not None else None,
                                  _as_tuple(sf.get("graphic")))
                        if isinstance(sf, dict) else None),
            question_run=QuestionRun(int(qr["at_least"])) if isinstance(qr := f.get("question_run"), dict) else None,
            instead=str(f.get("instead", "")).strip(),
            answers=tuple(Answer(_as_tuple(a.get("questions")), _as_tuple(a.get("indicators")), _as_tuple(a.get("unless")),
                                 bool(a.get("bare", True)), int(a.get("within", 2)),
                                 _as_tuple(a.get("questions_unless")), bool(a.get("every_reply", False)),
                                 _as_tuple(a.get("acknowledges")), str(a.get("feedback", "")).strip())
                          for a in f.get("answers", []) or []),
            yields_to=_as_tuple(f.get("yields_to")),
            holds=_as_tuple(f.get("holds")),
            firm=_as_tuple(f.get("firm")),
            topic=Topic(str(t["about"]).strip(), _as_tuple(t.get("phrases"))) if isinstance(t := f.get("topic"), dict) else None,
            reader_needs=(Topic(str(n["about"]).strip(), _as_tuple(n.get("phrases")))
                          if isinstance(n := f.get("reader_needs"), dict) else None),
            in_the_room=f.get("in_the_room") is True,
            credit_beside=f.get("credit_beside") is True,
        ))
    models = []
    for m in data.get("model_responses", []) or []:
        models.append(ModelResponse(m) if isinstance(m, str) else ModelResponse(m["text"], m.get("note", "")))
    cal = data.get("calibration") or {}
    thresholds = dict(DEFAULT_THRESHOLDS)
    thresholds.update({k: float(v) for k, v in (cal.get("thresholds") or {}).items()})
    examples = tuple(
        CalibrationExample(e["text"], frozenset(e.get("met", []) or []), frozenset(e.get("flags", []) or []), e.get("note", ""))
        for e in cal.get("examples", []) or []
    )
    return Rubric(
        id=data["id"],
        title=data["title"],
        version=str(data["version"]),
        criteria=tuple(criteria),
        flags=tuple(flags),
        model_responses=tuple(models),
        calibration=Calibration(examples, thresholds, tuple(cal.get("rubrics", []) or [])),
        path=Path(doc.file) if doc.file and not doc.file.startswith("<") else None,
        description=str(data.get("description", "")),
        terms=terms,
        full_credit=float(data["full_credit"]) if "full_credit" in data else None,
    )


def load_rubric(path: str | Path, *, resolve=None) -> tuple[Rubric | None, list[Diagnostic]]:
    """Read, parse and check one rubric file; never raises for bad input."""
    doc, diagnostics = load_yaml(path)
    if doc is None:
        return None, diagnostics
    rubric, more = validate_rubric_document(doc, resolve=resolve)
    return rubric, diagnostics + more


# --- a set of rubrics ---------------------------------------------------------------------------


class RubricSet:
    """The rubrics available to a scenario library: bundled ones plus any extra folders."""

    def __init__(self, rubrics: Iterable[Rubric] = ()):
        self._by_id: dict[str, Rubric] = {}
        for r in rubrics:
            self._by_id[r.id] = r

    @classmethod
    def load(cls, folders: Sequence[Path | str]) -> tuple[RubricSet, list[Diagnostic]]:
        """Load every *.yaml / *.yml rubric under the folders (later folders override earlier ids, with a warning)."""
        diagnostics: list[Diagnostic] = []
        found: dict[str, Rubric] = {}
        origin: dict[str, Path] = {}
        flag_owner: dict[str, str] = {}
        deferred: list[tuple[Document, Rubric | None]] = []
        defer = lambda rid: _ANY
        for folder in folders:
            folder = Path(folder)
            if not folder.is_dir():
                from trainer.diagnostics import file_error

                diagnostics.append(file_error("PT001", str(folder), "rubric folder does not exist"))
                continue
            for path in yaml_files(folder):
                doc, more = load_yaml(path)
                diagnostics += more
                if doc is None:
                    continue
                rubric, more = validate_rubric_document(doc, resolve=defer)
                diagnostics += more
                if isinstance(doc.data, dict) and isinstance(doc.data.get("calibration"), dict) and \
                        doc.data["calibration"].get("rubrics"):
                    deferred.append((doc, rubric))
                if rubric is None:
                    continue
                if rubric.id in found:
                    diagnostics.append(Diagnostic(
                        "PT302", Severity.WARNING,
                        f"rubric id '{rubric.id}' is also defined in {origin[rubric.id]}; this file replaces it",
                        str(path), hint="rubric ids must be unique across folders",
                    ))
                found[rubric.id] = rubric
                origin[rubric.id] = path
        def resolve(rid: str):
            if rid in found:
                return {c.id for c in found[rid].criteria}, {f.id for f in found[rid].flags}
            return _bundled_resolver(rid)

        for doc, rubric in deferred:
            seen = {}
            for kind in ("criteria", "flags"):
                for i, item in enumerate(doc.data.get(kind) or []):
                    if isinstance(item, dict) and isinstance(item.get("id"), str):
                        seen.setdefault(item["id"], (kind, i))
            more = [d for d in _check_calibration(doc, doc.data, doc.data["calibration"], seen, resolve)
                    if d.code == "PT303"]
            diagnostics += more
            if rubric is not None and has_errors(more):
                found.pop(rubric.id, None)
        for rubric in found.values():
            for f in rubric.flags:
                if f.id in flag_owner and flag_owner[f.id] != rubric.id:
                    diagnostics.append(Diagnostic(
                        "PT302", Severity.WARNING,
                        f"flag id '{f.id}' is defined in both '{flag_owner[f.id]}' and '{rubric.id}'",
                        str(rubric.path or rubric.id),
                        hint="a flag id names one red flag across the library; the debrief cannot tell them apart",
                    ))
                flag_owner.setdefault(f.id, rubric.id)
        return cls(found.values()), diagnostics

    @property
    def ids(self) -> list[str]:
        return sorted(self._by_id)

    def get(self, rubric_id: str) -> Rubric:
        try:
            return self._by_id[rubric_id]
        except KeyError:
            raise KeyError(f"unknown rubric '{rubric_id}'") from None

    def __contains__(self, rubric_id: object) -> bool:
        return rubric_id in self._by_id

    def __iter__(self) -> Iterator[Rubric]:
        return iter(self._by_id[k] for k in self.ids)

    def __len__(self) -> int:
        return len(self._by_id)

    def flag_ids(self) -> set[str]:
        return {f.id for r in self._by_id.values() for f in r.flags}

    def flag_answers(self, rubric_ids) -> dict[str, bool]:
        """Per red flag of the named rubrics: whether it has answers (what a scenario turn may say it `asks`)."""
        out: dict[str, bool] = {}
        for rid in rubric_ids:
            for f in self._by_id[rid].flags if rid in self._by_id else ():
                out[f.id] = out.get(f.id, False) or bool(f.answers)
        return out

    def criterion_ids(self) -> set[str]:
        return {c.id for r in self._by_id.values() for c in r.criteria}

    def flag_severity(self, flag_id: str) -> str | None:
        for r in self._by_id.values():
            for f in r.flags:
                if f.id == flag_id:
                    return f.severity
        return None

    def with_rubrics(self, rubrics: Iterable[Rubric]) -> RubricSet:
        return RubricSet(list(self._by_id.values()) + list(rubrics))


@lru_cache(maxsize=1)
def bundled_rubric_set() -> RubricSet:
    """The shipped rubrics (scope, peer-core and the theme rubrics), loaded once per process."""
    global _LOADING_BUNDLED
    from trainer.paths import bundled_rubrics

    _LOADING_BUNDLED = True
    try:
        rubric_set, _ = RubricSet.load([bundled_rubrics()])
    finally:
        _LOADING_BUNDLED = False
    return rubric_set

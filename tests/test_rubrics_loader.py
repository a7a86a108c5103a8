"""Rubric files: schema and semantic diagnostics (PT3xx), located precisely, and the RubricSet API."""

from __future__ import annotations

from pathlib import Path

import pytest

from trainer.diagnostics import CODES, Severity
from trainer.scoring.rubrics import (
    COMPETENCIES,
    RubricSet,
    Topic,
    bundled_rubric_set,
    load_rubric,
    validate_rubric_document,
)
from trainer.scoring.scorer import Scorer
from trainer.scoring.text import tokenize
from trainer.yamlsource import parse_yaml

BAD = Path(__file__).parent / "data" / "rubrics_bad"
RUBRICS = Path(__file__).resolve().parent.parent / "rubrics"


def codes(diagnostics):
    return {d.code for d in diagnostics}


@pytest.mark.parametrize(
    "name, code, severity, line, col",
    [
        ("pt301_unknown_competency.yaml", "PT301", Severity.ERROR, 6, 17),
        ("pt302_duplicate_id.yaml", "PT302", Severity.ERROR, 9, 9),
        ("pt303_unknown_label.yaml", "PT303", Severity.ERROR, 12, 13),
        ("pt304_empty_indicator.yaml", "PT304", Severity.ERROR, 8, 34),
        ("pt305_pattern_syntax.yaml", "PT305", Severity.ERROR, 8, 19),
        ("pt306_unknown_term.yaml", "PT306", Severity.ERROR, 10, 36),
        ("pt307_unused_term.yaml", "PT307", Severity.WARNING, 6, 3),
        ("pt308_penalty_on_critical.yaml", "PT308", Severity.WARNING, 7, 5),
        ("pt308_credit_beside_on_soft.yaml", "PT308", Severity.WARNING, 7, 5),
        ("pt309_few_examples.yaml", "PT309", Severity.WARNING, 10, 3),
        ("pt310_unexampled_flag.yaml", "PT310", Severity.WARNING, 10, 9),
        ("pt104_bad_severity.yaml", "PT104", Severity.ERROR, 6, 15),
        ("pt102_unknown_field.yaml", "PT102", Severity.ERROR, 8, 5),
    ],
)
def test_each_bad_rubric_gets_its_code_at_the_right_place(name, code, severity, line, col):
    rubric, diagnostics = load_rubric(BAD / name)
    found = [d for d in diagnostics if d.code == code]
    assert found, f"{name}: expected {code}, got {[d.render() for d in diagnostics]}"
    d = found[0]
    assert d.severity is severity
    assert (d.line, d.col) == (line, col)
    assert d.source_line is not None and d.file.endswith(name)
    if severity is Severity.ERROR:
        assert rubric is None
    else:
        assert rubric is not None, "warnings do not stop a rubric from loading"


def test_every_rubric_code_is_registered():
    for code in ("PT301", "PT302", "PT303", "PT304", "PT305", "PT306", "PT307", "PT308", "PT309", "PT310"):
        assert code in CODES


def test_hints_guess_the_intended_name():
    _, diagnostics = load_rubric(BAD / "pt301_unknown_competency.yaml")
    assert [d.hint for d in diagnostics if d.code == "PT301"] == ["did you mean 'provides-support'?"]
    assert "PT104" not in codes(diagnostics), "an unknown competency is reported once"
    _, diagnostics = load_rubric(BAD / "pt303_unknown_label.yaml")
    assert any(d.hint == "did you mean 'validates'?" for d in diagnostics if d.code == "PT303")
    _, diagnostics = load_rubric(BAD / "pt306_unknown_term.yaml")
    assert any("feeling" in (d.hint or "") for d in diagnostics if d.code == "PT306")


def test_firm_phrases_are_loaded_checked_and_enough_to_raise_a_flag():
    text = ("id: r\ntitle: R\nversion: 1\ncriteria:\n  - id: c\n    competency: engages-peers\n    description: d\n"
            "    indicators: [hello]\nflags:\n  - id: f\n    severity: soft\n    description: d\n"
            "    firm: [FIRM]\n    feedback: x\n    why: y\n")
    doc, _ = parse_yaml(text.replace("FIRM", "time heals (all wounds|everything)"), "inline.yaml")
    rubric, diagnostics = validate_rubric_document(doc)
    assert rubric is not None and not [d for d in diagnostics if d.severity is Severity.ERROR]
    assert rubric.flags[0].firm == ("time heals (all wounds|everything)",)
    doc, _ = parse_yaml(text.replace("FIRM", "'time heals (all wounds'"), "inline.yaml")
    rubric, diagnostics = validate_rubric_document(doc)
    assert rubric is None
    found = [d for d in diagnostics if d.code == "PT305"]
    assert found and found[0].line == 13 and "firm:" in found[0].source_line


def test_an_answer_may_reach_further_and_say_nothing_bare():
    """`within` lets a reply stand further into the response; `bare: false` keeps a reply of these, given where
    no question was recognised, from telling the reader the response is no such flag."""
    text = ("id: r\ntitle: R\nversion: 1\ncriteria:\n  - id: c\n    competency: engages-peers\n    description: d\n"
            "    indicators: [hello]\nflags:\n  - id: f\n    severity: soft\n    description: d\n"
            "    answers:\n      - questions: ['car running']\n        indicators: ['^ anyway ...4 $']\nEXTRA"
            "    feedback: x\n    why: y\n")
    said = "Dogs are great. Mine is a lab. Anyway, how was work?"  # the reply in the third sentence
    for extra, raised in (("", False), ("        within: 3\n", True)):
        doc, _ = parse_yaml(text.replace("EXTRA", extra), "inline.yaml")
        rubric, diagnostics = validate_rubric_document(doc)
        assert rubric is not None and not [d for d in diagnostics if d.severity is Severity.ERROR]
        scorer = Scorer(RubricSet([rubric]), semantic=False, reader=False)
        assert ("f" in scorer.judge(said, ["r"], scope=False, prompt="I sat in the garage with the car running.").flag_ids) is raised
    assert rubric.flags[0].answers[0].within == 3 and rubric.flags[0].answers[0].bare
    doc, _ = parse_yaml(text.replace("EXTRA", "        bare: false\n"), "inline.yaml")
    rubric, _ = validate_rubric_document(doc)
    assert rubric is not None and rubric.flags[0].answers[0].bare is False
    doc, _ = parse_yaml(text.replace("EXTRA", "        within: 0\n"), "inline.yaml")
    rubric, diagnostics = validate_rubric_document(doc)
    assert rubric is None and diagnostics


def test_questions_unless_cancels_a_question_in_its_own_sentence_only():
    """`questions_unless`: phrases in the peer's line that cancel a question matched in the same sentence ("I used to
    cut" is a risk long past), checked like any indicator."""
    text = ("id: r\ntitle: R\nversion: 1\ncriteria:\n  - id: c\n    competency: engages-peers\n    description: d\n"
            "    indicators: [hello]\nflags:\n  - id: f\n    severity: soft\n    description: d\n"
            "    answers:\n      - questions: ['(cut|cutting) myself']\n        indicators: ['^ anyway ...4 $']\n"
            "        questions_unless: [UNLESS]\n    feedback: x\n    why: y\n")
    doc, _ = parse_yaml(text.replace("UNLESS", "'i used to'"), "inline.yaml")
    rubric, diagnostics = validate_rubric_document(doc)
    assert rubric is not None and not [d for d in diagnostics if d.severity is Severity.ERROR]
    assert rubric.flags[0].answers[0].questions_unless == ("i used to",)
    scorer = Scorer(RubricSet([rubric]), semantic=False, reader=False)
    said = "Anyway, how was work?"
    for prompt, raised in (("I cut myself last night.", True),
                           ("I used to cut myself, two years ago.", False),
                           ("I used to hate my job. I cut myself last night.", True)):  # another sentence's past
        assert ("f" in scorer.judge(said, ["r"], scope=False, prompt=prompt).flag_ids) is raised, prompt
    doc, _ = parse_yaml(text.replace("UNLESS", "'(i used to'"), "inline.yaml")
    rubric, diagnostics = validate_rubric_document(doc)
    found = [d for d in diagnostics if d.code == "PT305"]
    assert rubric is None and found and "questions_unless" in found[0].source_line


def test_every_reply_makes_any_reply_the_answer_unless_it_takes_it_up():
    text = ("id: r\ntitle: R\nversion: 1\ncriteria:\n  - id: c\n    competency: engages-peers\n    description: d\n"
            "    indicators: [hello]\nflags:\n  - id: f\n    severity: soft\n    description: d\n"
            "    answers:\n      - questions: ['(cut|cutting) myself']\n        indicators: ['^ anyway ...4 $']\n"
            "        unless: ['(safe|tell me more)']\nEXTRA    feedback: x\n    why: y\n")
    prompt = "I cut myself last night."
    for extra, raised in (("", False), ("        every_reply: true\n", True)):
        doc, _ = parse_yaml(text.replace("EXTRA", extra), "inline.yaml")
        rubric, diagnostics = validate_rubric_document(doc)
        assert rubric is not None and not [d for d in diagnostics if d.severity is Severity.ERROR]
        assert rubric.flags[0].answers[0].every_reply is raised
        scorer = Scorer(RubricSet([rubric]), semantic=False, reader=False)
        j = scorer.judge("Nice. What did you have for lunch?", ["r"], scope=False, prompt=prompt)
        assert ("f" in j.flag_ids) is raised
        assert "f" in scorer.judge("Anyway, how was work?", ["r"], scope=False, prompt=prompt).flag_ids
        assert "f" not in scorer.judge("Nice. Tell me more?", ["r"], scope=False, prompt=prompt).flag_ids
        assert "f" not in scorer.judge("Nice. What did you have for lunch?", ["r"], scope=False,
                                       prompt="I had soup.").flag_ids
    doc, _ = parse_yaml(text.replace("EXTRA", "        every_reply: sometimes\n"), "inline.yaml")
    rubric, diagnostics = validate_rubric_document(doc)
    assert rubric is None and diagnostics


def test_acknowledges_stops_every_reply_but_not_a_reply_that_goes_past():
    text = ("id: r\ntitle: R\nversion: 1\ncriteria:\n  - id: c\n    competency: engages-peers\n    description: d\n"
            "    indicators: [hello]\nflags:\n  - id: f\n    severity: soft\n    description: d\n"
            "    answers:\n      - questions: ['(cut|cutting) myself']\n        indicators: ['^ anyway ...4 $']\n"
            "        unless: ['(safe|tell me more)']\n        every_reply: true\n        acknowledges: ['thank you for telling me']\n"
            "    feedback: x\n    why: y\n")
    doc, _ = parse_yaml(text, "inline.yaml")
    rubric, diagnostics = validate_rubric_document(doc)
    assert rubric is not None and not [d for d in diagnostics if d.severity is Severity.ERROR]
    assert rubric.flags[0].answers[0].acknowledges == ("thank you for telling me",)
    scorer = Scorer(RubricSet([rubric]), semantic=False, reader=False)
    prompt = "I cut myself last night."
    assert "f" not in scorer.judge("Thank you for telling me.", ["r"], scope=False, prompt=prompt).flag_ids
    assert "f" in scorer.judge("Thank you for telling me. Anyway, how was work?", ["r"], scope=False, prompt=prompt).flag_ids
    assert "f" not in scorer.judge("Thank you for telling me. Are you safe?", ["r"], scope=False, prompt=prompt).flag_ids
    doc, _ = parse_yaml(text.replace("['thank you for telling me']", "['(thank you for telling me']"), "inline.yaml")
    rubric, diagnostics = validate_rubric_document(doc)
    assert rubric is None and any(d.code == "PT305" for d in diagnostics)


def _validated(text: str):
    """The rubric and diagnostics `validate_rubric_document` gives for a rubric written inline."""
    doc, _ = parse_yaml(text, "inline.yaml")
    return validate_rubric_document(doc)


def _refused_at(text: str, line: int, key: str) -> bool:
    """Whether the rubric is refused with a PT305 (a bad phrase) first reported at `line`, on the line of `key`."""
    rubric, diagnostics = _validated(text)
    found = [d for d in diagnostics if d.code == "PT305"]
    return rubric is None and bool(found) and found[0].line == line and key in found[0].source_line


# a flag with a word list of its own (KEY: `topic` or `reader_needs`) and its phrases (PHRASES)
FLAG_WORDS = ("id: r\ntitle: R\nversion: 1\ncriteria:\n  - id: c\n    competency: engages-peers\n    description: d\n"
              "    indicators: [hello]\nflags:\n  - id: f\n    severity: soft\n    description: d\n"
              "    indicators: ['(just|only) talk']\n    firm: ['all bark']\n"
              "    KEY:\n      about: a threat\n      phrases: [PHRASES]\n    feedback: x\n    why: y\n")


@pytest.mark.parametrize("key", ["topic", "reader_needs"])
def test_a_flags_word_list_is_loaded_and_checked(key):
    text = FLAG_WORDS.replace("KEY", key)
    rubric, diagnostics = _validated(text.replace("PHRASES", "'(threat*|stab*)'"))
    assert rubric is not None and not [d for d in diagnostics if d.severity is Severity.ERROR]
    assert getattr(rubric.flags[0], key) == Topic("a threat", ("(threat*|stab*)",))
    assert _refused_at(text.replace("PHRASES", "'(threat*|stab*'"), 17, "phrases:")
    rubric, diagnostics = _validated(text.replace("      about: a threat\n", "").replace("PHRASES", "threat"))
    assert rubric is None and any("about" in d.message for d in diagnostics)


def test_a_topic_keeps_a_flag_to_what_was_said():
    rubric, _ = _validated(FLAG_WORDS.replace("KEY", "topic").replace("PHRASES", "'(threat*|stab*)'"))
    scorer = Scorer(RubricSet([rubric]), semantic=False, reader=False)
    judged = scorer.judge("Eh, it's just talk.", ["r"], scope=False, prompt="My neighbour's music is loud.")
    assert "f" not in judged.flag_ids and any("is about a threat" in line for line in judged.feedback)
    assert "f" in scorer.judge("Eh, it's just talk.", ["r"], scope=False, prompt="He threatened me.").flag_ids
    assert "f" in scorer.judge("Eh, it's just talk.", ["r"], scope=False).flag_ids  # no line: nothing to judge by
    assert "f" in scorer.judge("Eh, it's all bark.", ["r"], scope=False, prompt="My neighbour's music is loud.").flag_ids


def test_reader_needs_holds_back_only_a_models_reading():
    # a phrase of the flag's own stands without the words
    rubric, _ = _validated(FLAG_WORDS.replace("KEY", "reader_needs").replace("PHRASES", "'(threat*|stab*)'"))
    scorer = Scorer(RubricSet([rubric]), semantic=False, reader=False)
    assert "f" in scorer.judge("Eh, it's just talk.", ["r"], scope=False, prompt="My neighbour's music is loud.").flag_ids


def test_a_brief_shares_graphic_phrases_are_loaded_and_checked():
    text = ("id: r\ntitle: R\nversion: 1\ncriteria:\n  - id: c\n    competency: engages-peers\n    description: d\n"
            "    indicators: [hello]\nflags:\n  - id: f\n    severity: soft\n    description: d\n"
            "    self_focus:\n      min_words: 70\n      min_share: 0.7\n      brief: 50\n      graphic: [GRAPHIC]\n"
            "    feedback: x\n    why: y\n")
    rubric, diagnostics = _validated(text.replace("GRAPHIC", "'(blood|puking)'"))
    assert rubric is not None and not [d for d in diagnostics if d.severity is Severity.ERROR]
    assert rubric.flags[0].self_focus.brief == 50 and rubric.flags[0].self_focus.graphic == ("(blood|puking)",)
    scorer = Scorer(RubricSet([rubric]), semantic=False, reader=False)
    assert scorer._graphic(tokenize("I was throwing up blood."), "r", rubric.flags[0])
    assert not scorer._graphic(tokenize("I was shaking."), "r", rubric.flags[0])
    assert _refused_at(text.replace("GRAPHIC", "'(blood|puking'"), 17, "graphic:")
    rubric, diagnostics = _validated(text.replace("brief: 50", "brief: none").replace("GRAPHIC", "blood"))
    assert rubric is None and any("brief" in d.message for d in diagnostics)


def test_a_criterion_met_by_an_open_question_about_them():
    text = ("id: r\ntitle: R\nversion: 1\ncriteria:\n  - id: c\n    competency: engages-peers\n    description: d\n"
            "    indicators: [what fits for you]\n    ASKS\nflags: []\n")
    doc, _ = parse_yaml(text.replace("ASKS", "asks_about_them: true"), "inline.yaml")
    rubric, diagnostics = validate_rubric_document(doc)
    assert rubric is not None and rubric.criteria[0].asks_about_them
    scorer = Scorer(RubricSet([rubric]), semantic=False, reader=False)
    judged = scorer.judge("I relapsed too. Who was your person?", ["r"], scope=False)
    assert list(judged.met_ids) == ["c"] and judged.criteria[0].evidence[0].words == "Who was your person"
    assert not scorer.judge("I relapsed too. Who was there?", ["r"], scope=False).met_ids  # not about them
    doc, _ = parse_yaml(text.replace("ASKS", "asks_about_them: false"), "inline.yaml")
    rubric, _ = validate_rubric_document(doc)
    assert not Scorer(RubricSet([rubric]), semantic=False, reader=False).judge(
        "I relapsed too. Who was your person?", ["r"], scope=False).met_ids
    doc, _ = parse_yaml(text.replace("ASKS", "asks_about_them: sometimes"), "inline.yaml")
    rubric, diagnostics = validate_rubric_document(doc)
    assert rubric is None and any("asks_about_them" in d.message for d in diagnostics)


def test_a_criterion_with_quoted_false_is_not_earned_by_words_in_quotation_marks():
    text = ("id: r\ntitle: R\nversion: 1\ncriteria:\n  - id: c\n    competency: shares-lived-experience\n"
            "    description: d\n    indicators: [i had a hard time]\n    QUOTED\nflags: []\n")
    suggested = 'Some people say a little, like "I had a hard time after my husband passed".'
    own = "I had a hard time after my divorce, too."
    for setting, earned_by_quote in (("quoted: false", False), ("quoted: true", True), ("", True)):
        doc, _ = parse_yaml(text.replace("QUOTED", setting), "inline.yaml")
        rubric, diagnostics = validate_rubric_document(doc)
        assert rubric is not None, diagnostics
        scorer = Scorer(RubricSet([rubric]), semantic=False, reader=False)
        assert bool(scorer.judge(suggested, ["r"], scope=False).met_ids) is earned_by_quote, setting
        assert scorer.judge(own, ["r"], scope=False).met_ids == ["c"], setting
    doc, _ = parse_yaml(text.replace("QUOTED", "quoted: no way"), "inline.yaml")
    rubric, diagnostics = validate_rubric_document(doc)
    assert rubric is None and any("quoted" in d.message for d in diagnostics)


def test_a_suggested_line_is_not_the_trainees_own_story():
    """The bundled `shares-experience` and `names-own-experience` are `quoted: false`: a model response of
    stigma-family-shame was credited a share for a line it suggested to Mrs. Chung."""
    from trainer.scoring.rubrics import bundled_rubric_set

    rules = Scorer(bundled_rubric_set(), semantic=False, reader=False)
    suggested = ('That\'s your decision. Some people say a little, like "I had a hard time after my husband '
                 'passed", and some say nothing.')
    assert "shares-experience" not in rules.judge(suggested, ["peer-core"], scope=False).met_ids
    assert "names-own-experience" not in rules.judge(suggested, ["self-disclosure"], scope=False).met_ids
    own = "I had a hard time after my husband passed, and some days I said nothing."
    assert "shares-experience" in rules.judge(own, ["peer-core"], scope=False).met_ids


def test_a_flag_label_in_met_is_pointed_out():
    doc, _ = parse_yaml(
        "id: r\ntitle: R\nversion: 1\ncriteria:\n  - id: c\n    competency: engages-peers\n    description: d\n"
        "    indicators: [hello]\nflags:\n  - id: f\n    severity: soft\n    description: d\n    indicators: [bye]\n"
        "    feedback: x\n    why: y\ncalibration:\n  examples:\n    - text: hi\n      met: [f]\n",
        "inline.yaml",
    )
    rubric, diagnostics = validate_rubric_document(doc)
    assert rubric is None
    (d,) = [d for d in diagnostics if d.code == "PT303"]
    assert "'f' is a flag; move it to 'flags'" == d.hint


def test_calibration_can_name_another_rubric_for_its_flag_labels():
    doc, _ = parse_yaml(
        "id: theme\ntitle: T\nversion: 1\ncriteria:\n  - id: c\n    competency: engages-peers\n    description: d\n"
        "    indicators: [hello]\ncalibration:\n  rubrics: [scope]\n  examples:\n"
        "    - text: hello, I won't tell anyone\n      met: [c]\n      flags: [secrecy-promise]\n",
        "theme.yaml",
    )
    rubric, diagnostics = validate_rubric_document(doc)
    assert rubric is not None, [d.render() for d in diagnostics]
    assert "PT303" not in codes(diagnostics)
    doc, _ = parse_yaml(doc.text.replace("rubrics: [scope]", "rubrics: [scopee]"), "theme.yaml")
    rubric, diagnostics = validate_rubric_document(doc)
    assert rubric is None and "PT303" in codes(diagnostics)


def test_the_shipped_rubrics_load_without_errors_or_warnings():
    for name in ("scope.yaml", "peer-core.yaml"):
        rubric, diagnostics = load_rubric(RUBRICS / name)
        assert rubric is not None
        assert diagnostics == [], [d.render() for d in diagnostics]
        assert len(rubric.calibration.examples) >= 15


def test_shipped_ids_are_the_stable_interface():
    rubrics = bundled_rubric_set()
    assert "scope" in rubrics and "peer-core" in rubrics
    scope = rubrics.get("scope")
    assert scope.criteria == ()
    critical = {f.id for f in scope.flags if f.severity == "critical"}
    soft = {f.id for f in scope.flags if f.severity == "soft"}
    assert critical == {"medication-advice", "diagnosing", "secrecy-promise", "dual-relationship", "unwarranted-promise",
                        "third-party-disclosure", "coercion", "significant-gift", "harm-risk-dismissed"}
    assert soft == {"stigmatizing-language", "minimizing", "unsolicited-advice", "cheerleading", "arguing",
                    "clinical-jargon", "long-self-disclosure", "closed-questions"}
    core = rubrics.get("peer-core")
    assert [c.id for c in core.criteria] == ["reflects-feeling", "open-question", "validates", "conveys-hope",
                                             "shares-experience", "supports-choice", "links-resources"]
    assert all(c.competency in COMPETENCIES for c in core.criteria)


def test_rubric_set_api(tmp_path):
    rubrics, diagnostics = RubricSet.load([RUBRICS])
    assert not [d for d in diagnostics if d.is_error]
    assert rubrics.ids == sorted(rubrics.ids)
    assert "peer-core" in rubrics and "nope" not in rubrics
    assert rubrics.get("scope").id == "scope"
    with pytest.raises(KeyError):
        rubrics.get("nope")
    assert {"medication-advice", "long-self-disclosure"} <= rubrics.flag_ids()
    assert {"reflects-feeling", "links-resources"} <= rubrics.criterion_ids()
    assert rubrics.flag_severity("coercion") == "critical"
    assert rubrics.flag_severity("minimizing") == "soft"
    assert rubrics.flag_severity("nope") is None
    assert bundled_rubric_set() is bundled_rubric_set()


def test_a_later_folder_replaces_an_id_with_a_warning(tmp_path):
    (tmp_path / "scope.yaml").write_text((RUBRICS / "scope.yaml").read_text().replace("title: Scope", "title: Local scope"))
    rubrics, diagnostics = RubricSet.load([RUBRICS, tmp_path])
    assert rubrics.get("scope").title.startswith("Local scope")
    assert any(d.code == "PT302" and d.severity is Severity.WARNING for d in diagnostics)


def test_a_missing_folder_and_a_broken_file_are_diagnostics_not_exceptions(tmp_path):
    (tmp_path / "broken.yaml").write_text("id: [unclosed\n")
    rubrics, diagnostics = RubricSet.load([tmp_path, tmp_path / "missing"])
    assert len(rubrics) == 0
    assert {"PT004", "PT001"} <= codes(diagnostics)


def test_the_annotated_example_in_docs_is_a_valid_rubric_that_passes_its_calibration(tmp_path):
    import re

    from trainer.scoring.calibration import calibrate_rubric

    docs = (RUBRICS.parent / "docs" / "scoring.md").read_text("utf-8")
    example = re.search(r"```yaml\n(.*?)```", docs, re.DOTALL).group(1)
    (tmp_path / "example.yaml").write_text(example)
    rubric, diagnostics = load_rubric(tmp_path / "example.yaml")
    assert rubric is not None and not [d for d in diagnostics if d.is_error]
    scorer = Scorer(bundled_rubric_set().with_rubrics([rubric]))
    assert calibrate_rubric(scorer, rubric).passed

"""Every diagnostic code has a small bad file that produces it, at the right place."""

from pathlib import Path
from types import SimpleNamespace

import pytest
from hypothesis import HealthCheck, given, settings, strategies as st

from trainer.diagnostics import CODES
from trainer.scenario.compiler import compile_text, load_scenario

BAD = Path(__file__).parent / "data" / "bad"
GOOD = Path(__file__).parent / "data" / "good" / "tiny.yaml"


class FakeRubrics:
    ids = ["peer-core", "scope", "crisis-response", "navigation-with"]
    # as in the shipped set, the last two share a criterion id (PT225)
    _items = {"peer-core": (["reflects-feeling"], []), "scope": ([], ["medication-advice", "secrecy-promise", "minimizing"]),
              "crisis-response": (["connects-to-help"], []), "navigation-with": (["connects-to-help"], [])}

    def get(self, rid):
        criteria, flags = self._items[rid]
        return SimpleNamespace(criteria=[SimpleNamespace(id=c) for c in criteria],
                               flags=[SimpleNamespace(id=f) for f in flags])

    def flag_ids(self):
        return {"medication-advice", "secrecy-promise", "minimizing"}

    def criterion_ids(self):
        return {"reflects-feeling"}

    def flag_answers(self, rubric_ids):
        return {"medication-advice": True, "secrecy-promise": True, "minimizing": False} if "scope" in rubric_ids else {}


BAD_FILES = sorted(BAD.glob("PT*.yaml"))


def test_the_good_file_is_clean():
    scenario, diags = load_scenario(GOOD, FakeRubrics())
    assert diags == []
    assert scenario.id == "tiny" and scenario.content_hash.startswith("sha256:")


@pytest.mark.parametrize("path", BAD_FILES, ids=lambda p: p.stem)
def test_bad_file_produces_its_code(path):
    expected = path.stem.split("-")[0]
    scenario, diags = load_scenario(path, FakeRubrics())
    found = [d for d in diags if d.code == expected]
    assert found, [d.render() for d in diags]
    d = found[0]
    assert d.file == str(path)
    if expected not in ("PT009", "PT213"):
        assert d.line is not None, d.render()
    if d.is_error:
        assert scenario is None


def test_every_file_and_scenario_code_has_a_bad_file():
    covered = {p.stem.split("-")[0] for p in BAD_FILES} | {"PT001", "PT002"}  # those two need no file: see test_yamlsource
    wanted = {c for c in CODES if c[:3] in ("PT0", "PT1", "PT2")}
    assert wanted - covered == set()


def test_carets_point_at_the_problem():
    _, diags = load_scenario(BAD / "PT201-unknown-target.yaml", FakeRubrics())
    d = next(d for d in diags if d.code == "PT201")
    assert d.source_line.strip() == "goto: bb"
    assert d.source_line[d.col - 1 : d.col - 1 + d.width] == "bb"
    assert d.hint == "did you mean 'b'?"
    source_row, caret_row = d.render().splitlines()[2:4]
    assert caret_row.index("^^") == source_row.index("bb")


def test_expression_errors_point_inside_the_expression():
    _, diags = load_scenario(BAD / "PT214-expression-syntax.yaml", FakeRubrics())
    d = next(d for d in diags if d.code == "PT214")
    assert d.line == 23
    assert d.col == len("        if: rapport >") + 1  # just past the dangling operator


def test_did_you_mean_for_unknown_rubric_and_flag():
    _, diags = load_scenario(BAD / "PT211-unknown-rubric.yaml", FakeRubrics())
    assert next(d for d in diags if d.code == "PT211").hint == "did you mean 'peer-core'?"
    _, diags = load_scenario(BAD / "PT216-unknown-flag.yaml", FakeRubrics())
    assert next(d for d in diags if d.code == "PT216").hint == "did you mean 'medication-advice'?"


def test_condition_must_be_boolean():
    text = GOOD.read_text().replace("if: rapport > 0", "if: rapport + 1")
    _, diags = compile_text(text, "x.yaml", FakeRubrics())
    assert [d.code for d in diags] == ["PT209"]


def test_route_names_only_in_routes():
    text = GOOD.read_text().replace("if: rapport > 0", "if: score > 0.5")
    _, diags = compile_text(text, "x.yaml", FakeRubrics())
    assert "PT209" in [d.code for d in diags]


def test_quoted_numbers_in_text_fields_are_accepted_and_unquoted_ones_get_a_hint():
    text = GOOD.read_text().replace("title: Tiny", "title: 42")
    _, diags = compile_text(text, "x.yaml")
    assert diags[0].code == "PT103" and "quotes" in diags[0].hint


def _mutations():
    lines = GOOD.read_text().splitlines()
    return st.lists(
        st.tuples(st.integers(0, len(lines) - 1), st.sampled_from(["delete", "dup", "indent", "dedent", "junk", "swap"]),
                  st.text(alphabet=":-[]{}&*!|>'\"#% \tabcxyz01", max_size=8)),
        min_size=1, max_size=4,
    )


@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(_mutations())
def test_mutated_scenarios_never_raise(mutations):
    lines = GOOD.read_text().splitlines()
    for index, op, junk in mutations:
        if not lines:
            break
        i = index % len(lines)
        if op == "delete":
            del lines[i]
        elif op == "dup":
            lines.insert(i, lines[i])
        elif op == "indent":
            lines[i] = "  " + lines[i]
        elif op == "dedent":
            lines[i] = lines[i][2:]
        elif op == "junk":
            lines[i] = lines[i] + junk
        else:
            j = (i + 1) % len(lines)
            lines[i], lines[j] = lines[j], lines[i]
    scenario, diags = compile_text("\n".join(lines) + "\n", "mutant.yaml", FakeRubrics())
    assert scenario is not None or any(d.is_error for d in diags)
    for d in diags:
        assert d.code in CODES
        assert d.file == "mutant.yaml"
        d.render()


def test_met_must_name_a_criterion_of_the_turns_rubrics():
    from trainer.scoring.rubrics import bundled_rubric_set

    text = GOOD.read_text().replace("        - {score: {min: 0.5}, goto: fine}",
                                    "        - {if: met(\"asks-permission\"), goto: fine}")
    _, diags = compile_text(text, "x.yaml", bundled_rubric_set())
    d = next(d for d in diags if d.code == "PT216")
    assert "not in this turn's rubrics (peer-core)" in d.message
    ok = text.replace("rubrics: [peer-core]", "rubrics: [peer-core, self-disclosure]")
    _, diags = compile_text(ok, "x.yaml", bundled_rubric_set())
    assert "PT216" not in [d.code for d in diags]


def test_every_code_is_documented():
    text = (Path(__file__).resolve().parent.parent / "docs" / "diagnostics.md").read_text()
    missing = [code for code, meaning in CODES.items() if f"| `{code}` | {meaning}" not in text]
    assert missing == [], "docs/diagnostics.md is missing codes"


def test_asks_names_a_flag_with_answers_on_the_turns_rubrics():
    from trainer.scoring.rubrics import bundled_rubric_set

    asks = GOOD.read_text().replace("      rubrics: [peer-core]\n", "      rubrics: [peer-core]\n      asks: [harm-risk-dismissed]\n")
    scenario, diags = compile_text(asks, "x.yaml", bundled_rubric_set())
    assert diags == [] and scenario.nodes["b"].respond.asks == ("harm-risk-dismissed",)
    off = asks.replace("      asks:", "      scope: false\n      asks:")
    _, diags = compile_text(off, "x.yaml", bundled_rubric_set())
    d = next(d for d in diags if d.code == "PT224")
    assert "no rubric this turn applies" in d.message and "scope: false" in d.hint
    _, diags = compile_text(asks.replace("[harm-risk-dismissed]", "[minimizing]"), "x.yaml", bundled_rubric_set())
    d = next(d for d in diags if d.code == "PT224")
    assert d.source_line[d.col - 1:d.col - 1 + d.width] == "minimizing" and "harm-risk-dismissed" in d.hint


def test_not_needed_names_criteria_of_the_turns_rubrics_that_no_route_tests():
    from trainer.scoring.rubrics import bundled_rubric_set

    why = "Sam asked you directly."
    text = GOOD.read_text().replace("      rubrics: [peer-core]\n",
                                    f"      rubrics: [peer-core, self-disclosure]\n      not_needed:\n        asks-permission: {why}\n")
    scenario, diags = compile_text(text, "x.yaml", bundled_rubric_set())
    assert diags == [] and scenario.nodes["b"].respond.not_needed == (("asks-permission", why),)
    _, diags = compile_text(text.replace("asks-permission:", "ask-permission:"), "x.yaml", bundled_rubric_set())
    d = next(d for d in diags if d.code == "PT216")
    assert d.source_line[d.col - 1:d.col - 1 + d.width] == "ask-permission" and "asks-permission" in d.hint
    _, diags = compile_text(text.replace("[peer-core, self-disclosure]", "[peer-core]"), "x.yaml", bundled_rubric_set())
    assert "not a criterion of this turn's rubrics (peer-core)" in next(d for d in diags if d.code == "PT216").message
    tested = text.replace("        - {score: {min: 0.5}, goto: fine}", "        - {if: met(\"asks-permission\"), goto: fine}")
    _, diags = compile_text(tested, "x.yaml", bundled_rubric_set())
    assert "never met" in next(d for d in diags if d.code == "PT216").message
    _, diags = compile_text(text.replace(f"asks-permission: {why}", "asks-permission: [1, 2]"), "x.yaml",
                            bundled_rubric_set())
    assert diags and all(d.code == "PT103" for d in diags)

"""The bundled library meets the bar the library issue sets, and its docs are current."""

import subprocess
import sys
from pathlib import Path

import pytest

from trainer.authoring.catalog import coverage_table
from trainer.authoring.runner import run_scenario_tests
from trainer.library import load_library, make_scorer

ROOT = Path(__file__).resolve().parent.parent


@pytest.fixture(scope="module")
def library():
    return load_library([ROOT / "scenarios"])


def test_library_loads_without_any_diagnostic(library):
    assert [d.render() for d in library.diagnostics] == []
    assert len(library.scenarios) >= 24


def test_theme_counts(library):
    table = coverage_table(library.scenarios, [])
    for theme in ("role-modeling", "internalized-stigma", "system-navigation", "scope-of-practice"):
        assert len(table["themes"][theme]) >= 5, theme
    assert len(table["themes"]["crisis-support"]) >= 2
    assert len(table["themes"]["recovery-planning"]) >= 2
    assert table["gaps"] == []


def test_every_critical_flag_is_tempted(library):
    critical = sorted(f for f in library.rubrics.flag_ids() if library.rubrics.flag_severity(f) == "critical")
    table = coverage_table(library.scenarios, critical)
    assert all(table["critical_flags"][f] for f in critical), table["critical_flags"]


@pytest.mark.parametrize("sid", sorted(p.stem for p in (ROOT / "scenarios").glob("*.yaml")))
def test_each_scenario_meets_the_bar(library, sid):
    s = library.scenarios[sid]
    assert s.prebrief.get("role") and s.prebrief.get("setting") and s.prebrief.get("policy")
    assert s.objectives and s.competencies
    assert 10 <= s.estimated_minutes <= 30
    assert len(s.nodes) >= 10
    assert len(s.free_text_nodes()) >= 2
    outcomes = [n.ending for n in s.endings()]
    assert len(outcomes) >= 3 and "exemplary" in outcomes
    assert sum(1 for o in outcomes if o in ("poor", "harmful")) >= 2 or len({o for o in outcomes if o != "exemplary"}) >= 2
    # a character whose rapport or memory changes later lines
    assert any(line.condition is not None for n in s.nodes.values() for line in n.lines)
    tested_endings = {t.expect.get("ending") for t in s.tests}
    assert len(tested_endings) >= 3
    if "crisis-support" in s.themes:
        assert any(n.escalation for n in s.nodes.values())


def test_every_scenario_test_passes(library):
    scorer = make_scorer(library.rubrics)
    failures = [
        (sid, o.name, o.failures)
        for sid, s in library.scenarios.items()
        for o in run_scenario_tests(s, scorer, library.flag_severity)
        if not o.passed
    ]
    assert failures == []


def test_every_model_response_is_a_strong_move_with_no_flag(library):
    from trainer.authoring.runner import check_model_responses

    scorer = make_scorer(library.rubrics)
    outcomes = [o for s in library.scenarios.values() for o in check_model_responses(s, scorer)]
    assert len(outcomes) >= 90  # two or more per typed turn
    assert [(o.scenario, o.name, o.failures) for o in outcomes if not o.passed] == []


def test_a_model_response_that_raises_a_flag_fails_its_check(library):
    from trainer.authoring.runner import check_model_responses
    from trainer.scoring.judgment import Judgment

    class Flags:
        def judge(self, text, rubrics, **options):
            return Judgment.synthetic_result(0.5, critical=("secrecy-promise",))

    outcomes = check_model_responses(library.scenarios["crisis-dont-tell-anyone"], Flags())
    assert outcomes and not any(o.passed for o in outcomes)
    assert "raises secrecy-promise (critical)" in outcomes[0].failures[0]


def test_a_model_response_judged_below_a_strong_move_fails_its_check(library):
    """The author's expert answer called "Reasonable, with room to grow" at its own turn is a content bug: a
    criterion the moment does not ask for, a scorer's miss, or a weak model response."""
    from trainer.authoring.runner import check_model_responses
    from trainer.scoring.judgment import Judgment

    class Scores:
        def __init__(self, score):
            self.score = score

        def judge(self, text, rubrics, **options):
            return Judgment.synthetic_result(self.score)

    low = check_model_responses(library.scenarios["crisis-dont-tell-anyone"], Scores(0.74))
    assert low and not any(o.passed for o in low)
    assert low[0].failures[0].startswith("scores 0.74, under the 0.75 a strong move needs")
    assert "not_needed" in low[0].failures[0]
    strong = check_model_responses(library.scenarios["crisis-dont-tell-anyone"], Scores(0.75))
    assert strong and all(o.passed for o in strong)


def test_docs_library_is_current():
    def run(*args):
        return subprocess.run([sys.executable, "-m", "trainer", *args], capture_output=True, text=True, cwd=ROOT,
                              check=True).stdout

    text = (ROOT / "docs" / "library.md").read_text()
    for part in (run("catalog", "--format", "markdown"), run("catalog", "--coverage")):
        assert part.strip() in text, "docs/library.md is stale: regenerate it (see its first lines)"


def test_explore_reaches_every_node_choice_and_route_without_problems(library):
    from trainer.authoring.explore import explore, report

    for sid, s in library.scenarios.items():
        result = explore(s, flag_severity=library.flag_severity)
        rep = report(s, result.coverage)
        assert result.complete and result.problems == [], (sid, result.problems)
        assert rep.lowest == 100.0, (sid, rep.missed_nodes, rep.missed_choices, rep.missed_routes)

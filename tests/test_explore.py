"""Exploration, random playthroughs, coverage, the starting template and coverage graphs."""

import json
from pathlib import Path


from trainer.authoring.explore import explore, probe_judgments, random_playthroughs, report
from trainer.authoring.template import render
from trainer.cli import main
from trainer.scenario.compiler import compile_text, load_scenario

DATA = Path(__file__).parent / "data"
ROOT = Path(__file__).resolve().parent.parent
SAMPLE = ROOT / "scenarios" / "stigma-why-bother.yaml"


def test_explore_reaches_everything_in_the_sample():
    scenario, _ = load_scenario(SAMPLE)
    result = explore(scenario)
    rep = report(scenario, result.coverage)
    assert result.complete and result.problems == []
    assert rep.nodes == (12, 12) and rep.choices == (9, 9) and rep.routes == (6, 6)
    assert set(result.endings) == {"hopeful", "closed_off", "hesitant_end", "harmful_end"}


def test_explore_finds_dead_ends_loops_and_out_of_range():
    scenario, diags = load_scenario(DATA / "explore" / "traps.yaml")
    assert scenario is not None, [d.render() for d in diags]
    result = explore(scenario)
    kinds = {p.kind for p in result.problems}
    # rapport 2 then asking about the door leaves no choice: a dead end the validator cannot see
    assert "dead-end" in kinds
    # asking again and again pushes rapport past its max of 2
    assert any(p.kind == "out-of-range" and "'rapport' reaches 3" in p.message for p in result.problems)
    assert result.complete


def test_no_exit_loop_is_reported():
    text = (DATA / "explore" / "traps.yaml").read_text().replace(
        "      - text: Walk through.\n        if: rapport < 2\n",
        "      - text: Walk through.\n        if: rapport < 0\n")
    scenario, _ = compile_text(text, "loop.yaml")
    result = explore(scenario)
    assert any(p.kind == "no-exit-loop" for p in result.problems) or any(p.kind == "dead-end" for p in result.problems)


def test_probe_judgments_take_every_route():
    scenario, _ = load_scenario(SAMPLE)
    node = scenario.nodes["share"]
    routes_taken = set()
    from trainer.engine.engine import Engine

    engine = Engine(scenario)
    state = engine.start()
    state = engine.choose(state, 1)
    from trainer.scoring.judgment import Judgment

    state = engine.respond_judged(state, "x", Judgment.synthetic_result(0.8))
    state = engine.choose(state, 1)
    assert state.node == "share"
    for j in probe_judgments(node, lambda f: "soft" if f == "long-self-disclosure" else None):
        after = engine.respond_judged(state, "x", j)
        routes_taken.add(next(e["route"] for e in reversed(after.transcript) if e["kind"] == "response"))
    assert routes_taken == {0, 1, 2}


def test_random_is_reproducible_per_seed():
    scenario, _ = load_scenario(SAMPLE)
    a = random_playthroughs(scenario, 60, seed=7)
    b = random_playthroughs(scenario, 60, seed=7)
    c = random_playthroughs(scenario, 60, seed=8)
    assert a.endings == b.endings and a.coverage.choices == b.coverage.choices
    assert sum(a.endings.values()) + a.unfinished == 60
    assert a.endings != c.endings or a.coverage.choices != c.coverage.choices


def test_cli_explore_json_and_min_coverage(capsys):
    code = main(["test", str(SAMPLE), "--explore", "--format", "json", "--min-coverage", "100"])
    out = json.loads(capsys.readouterr().out)
    entry = out["scenarios"][0]
    assert code == 0 and entry["explore"]["coverage"]["nodes"]["percent"] == 100.0
    assert entry["coverage"]["tests"]["nodes"]["total"] == 12


def test_cli_min_coverage_fails_for_tests_alone(capsys):
    code = main(["test", str(SAMPLE), "--min-coverage", "100"])
    out = capsys.readouterr().out
    assert code == 1 and "below --min-coverage 100%" in out


def test_cli_explore_fails_on_traps(capsys):
    code = main(["test", str(DATA / "explore" / "traps.yaml"), "--explore"])
    out = capsys.readouterr().out
    assert code == 1 and "problem (dead-end)" in out and "problem (out-of-range)" in out


def test_cli_random_prints_ending_shares(capsys):
    code = main(["test", str(SAMPLE), "--random", "50", "--seed", "2"])
    out = capsys.readouterr().out
    assert code == 0 and "random (50 runs, seed 2)" in out


def test_graph_coverage_marks_untested(capsys):
    code = main(["graph", str(SAMPLE), "--coverage"])
    out = capsys.readouterr().out
    assert code == 0 and "untested" in out  # the tests do not take every edge
    code = main(["graph", str(SAMPLE), "--coverage", "explore", "--format", "dot"])
    out = capsys.readouterr().out
    assert code == 0 and "style=dashed" not in out  # exploration takes them all


def test_new_scenario_template_is_valid_and_tested(tmp_path, capsys):
    target = tmp_path / "fresh-start.yaml"
    assert main(["new", "scenario", "fresh-start", "-o", str(target)]) == 0
    assert main(["validate", "--strict", str(target)]) == 0
    assert main(["test", "--explore", "--min-coverage", "100", str(target)]) == 0
    assert main(["new", "scenario", "fresh-start", "-o", str(target)]) == 2  # no overwrite
    assert main(["new", "scenario", "Bad Id", "-o", str(tmp_path / "x.yaml")]) == 2
    capsys.readouterr()


def test_template_renders_the_id():
    assert "\nid: abc-def " in render("abc-def", "abc-def.yaml")

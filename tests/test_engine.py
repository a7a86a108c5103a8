"""The engine: moves, routing, undo, hints, and exact save/restore."""

import json
from pathlib import Path

import pytest
from hypothesis import given, settings, strategies as st

from trainer.engine.engine import Engine, EngineError
from trainer.engine.results import summarize
from trainer.engine.state import StaleState, StateError
from trainer.scenario.compiler import compile_text, load_scenario
from trainer.scoring.judgment import Judgment

ROOT = Path(__file__).resolve().parent.parent
SAMPLE = ROOT / "scenarios" / "stigma-why-bother.yaml"


@pytest.fixture(scope="module")
def scenario():
    s, diags = load_scenario(SAMPLE)
    assert s is not None, [d.render() for d in diags]
    return s


def test_start_shows_opening_lines_and_choices(scenario):
    engine = Engine(scenario)
    state = engine.start()
    assert [e["kind"] for e in state.transcript] == ["line", "line"]
    assert state.transcript[1]["speaker"] == "marcus"
    turn = engine.turn(state)
    assert turn.kind == "choice" and len(turn.choices) == 3


def test_moves_return_new_states(scenario):
    engine = Engine(scenario)
    s0 = engine.start()
    s1 = engine.choose(s0, 1)
    assert s0.node == "opening" and s1.node == "opens_up"
    assert s1.variables["rapport"] == 1 and s0.variables["rapport"] == 0


def test_wrong_kind_of_move_is_an_engine_error(scenario):
    engine = Engine(scenario)
    s = engine.start()
    with pytest.raises(EngineError):
        engine.choose(s, 9)
    with pytest.raises(EngineError):
        engine.respond_judged(s, "hi", Judgment.synthetic_result(1))
    s = engine.choose(s, 1)
    with pytest.raises(EngineError):
        engine.choose(s, 1)


def test_routes_by_flag_then_band_then_default(scenario):
    engine = Engine(scenario)
    at_free_text = engine.choose(engine.start(), 1)
    flagged = engine.respond_judged(at_free_text, "x", Judgment.synthetic_result(0.9, critical=["medication-advice"]))
    assert flagged.ending == "harmful_end"  # any critical flag: not the brush-off ending (closed_off)
    good = engine.respond_judged(at_free_text, "x", Judgment.synthetic_result(0.5))
    assert good.node == "strengths"
    weak = engine.respond_judged(at_free_text, "x", Judgment.synthetic_result(0.49))
    assert weak.node == "hesitant"


def test_conditional_lines_remember_a_dismissal(scenario):
    engine = Engine(scenario)
    s = engine.choose(engine.start(), 3)  # job talk
    s = engine.choose(s, 1)  # back to opens_up
    s = engine.respond_judged(s, "x", Judgment.synthetic_result(0.8))
    texts = [e["text"] for e in s.transcript if e["kind"] == "line"]
    assert "Not that thinking positive fixes anything." not in texts
    # the dismissive path: choose "think positive" is an ending; the memory line shows on the other branch
    s2 = engine.choose(engine.start(), 3)
    s2 = engine.choose(s2, 2)
    assert s2.variables["dismissed"] is True


def test_once_only_choice_disappears(scenario):
    engine = Engine(scenario)
    s = engine.respond_judged(engine.choose(engine.start(), 1), "x", Judgment.synthetic_result(0.8))
    assert len(engine.turn(s).choices) == 2
    s = engine.choose(s, 1)  # share (once)
    s = engine.respond_judged(s, "x", Judgment.synthetic_result(0.5, flags=["long-self-disclosure"]))
    assert s.ending == "hesitant_end"


def test_undo_and_hints_in_practice_only(scenario):
    engine = Engine(scenario)
    s0 = engine.start()
    s1, hint = engine.hint(s0)
    assert "feeling" in hint and s1.hints_used == 1
    again, same = engine.hint(s1)  # asked again at once (the "h" key pressed twice): shown once, counted once
    assert same == hint and again.hints_used == 1 and len(again.transcript) == len(s1.transcript)
    s2 = engine.choose(s1, 2)
    back = engine.undo(s2)
    assert back.node == "opening" and back.variables == s0.variables and back.hints_used == 1
    with pytest.raises(EngineError):
        engine.undo(engine.start())
    assessment = engine.start("assessment")
    with pytest.raises(EngineError):
        engine.hint(assessment)
    with pytest.raises(EngineError):
        engine.undo(engine.choose(assessment, 1))


def test_stale_state_is_detected(scenario):
    engine = Engine(scenario)
    saved = engine.choose(engine.start(), 1).to_json()
    changed, _ = compile_text(SAMPLE.read_text().replace("So why bother?", "Why even try?"), str(SAMPLE))
    with pytest.raises(StaleState):
        Engine(changed).restore(saved)
    with pytest.raises(StateError):
        engine.restore({"format": 1, "scenario_id": "x"})
    with pytest.raises(StateError):
        engine.restore("not a dict")


def test_summary_scores_and_passing(scenario):
    engine = Engine(scenario)
    s = engine.start("assessment")
    for step in (lambda s: engine.choose(s, 1), lambda s: engine.respond_judged(s, "x", Judgment.synthetic_result(0.8)),
                 lambda s: engine.choose(s, 2)):
        s = step(s)
    assert s.ending == "hopeful"
    result = summarize(scenario, s)
    assert result.passed is True
    assert result.score == pytest.approx((1 + 0.8 + 1) / 3)
    assert result.competencies["provides-support"] == pytest.approx(1.0)
    bad = engine.choose(engine.start("assessment"), 2)
    assert summarize(scenario, bad).passed is False


def test_goto_loop_without_exit_is_an_engine_error():
    text = (Path(__file__).parent / "data" / "good" / "tiny.yaml").read_text()
    text = text.replace("  fine:\n    ending: exemplary", "  fine:\n    goto: spin\n  spin:\n    goto: fine")
    s, diags = compile_text(text, "loop.yaml")
    assert s is None  # the validator refuses it...
    assert "PT204" in [d.code for d in diags]


# --- save/restore, property-based ---------------------------------------------------------

moves = st.lists(st.tuples(st.integers(1, 9), st.floats(0, 1), st.sampled_from([(), ("medication-advice",)])),
                 max_size=12)


@settings(max_examples=150, deadline=None)
@given(moves)
def test_save_restore_round_trips_exactly_at_every_turn(scenario_moves):
    scenario, _ = load_scenario(SAMPLE)
    engine = Engine(scenario)
    state = engine.start()
    for number, score, critical in scenario_moves:
        saved = json.loads(json.dumps(state.to_json()))
        restored = engine.restore(saved)
        assert restored.to_json() == state.to_json()
        turn = engine.turn(state)
        if turn.kind == "ending":
            break
        if turn.kind == "choice":
            n = (number - 1) % len(turn.choices) + 1
            a, b = engine.choose(state, n), engine.choose(restored, n)
        else:
            j = Judgment.synthetic_result(score, critical=critical)
            a, b = engine.respond_judged(state, "words", j), engine.respond_judged(restored, "words", j)
        assert a.to_json() == b.to_json()
        state = a

"""Hour crediting: the policy file, its arithmetic, caps, repeats and the requirement."""

from __future__ import annotations

import dataclasses
import datetime as dt
from pathlib import Path

import pytest
import yaml
from hypothesis import given, settings, strategies as st

from test_records_support import Clock, load_fixture_scenario, play
from trainer.records import Store
from trainer.records.policy import Policy, Requirement, default_policy_path, load_policy, load_policy_file


def _policy(**changes) -> Policy:
    return dataclasses.replace(load_policy(None), **changes)


def _write_policy(tmp_path: Path, **sections) -> Path:
    data = yaml.safe_load(default_policy_path().read_text("utf-8"))
    for key, value in sections.items():
        if isinstance(value, dict) and isinstance(data.get(key), dict):
            data[key].update(value)
        else:
            data[key] = value
    path = tmp_path / "policy.yaml"
    path.write_text(yaml.safe_dump(data), "utf-8")
    return path


def test_the_shipped_policy_loads_cleanly():
    policy, diagnostics = load_policy_file(default_policy_path())
    assert diagnostics == []
    assert policy.minutes_per_hour == 60 and policy.increment == 0.25 and policy.rounding == "down"
    assert "Texas" in policy.board_note and "board decides" in policy.board_note
    assert policy.fingerprint.startswith("sha256:")


@pytest.mark.parametrize("section, value, code", [
    ("hours", {"minutes_per_hour": 45}, "PT104"),
    ("hours", {"increment": 0.3}, "PT104"),
    ("credit", {"assesment": "passed"}, "PT102"),
    ("requirement", {"name": "x", "total_hours": 3, "categories": {"ethic": 3}}, "PT402"),
    ("requirement", {"name": "x", "total_hours": 3, "period_start": "2025-02-30"}, "PT403"),
    ("default_category", "nowhere", "PT402"),
])
def test_policy_mistakes_have_coded_diagnostics(tmp_path, section, value, code):
    policy, diagnostics = load_policy_file(_write_policy(tmp_path, **{section: value}))
    assert policy is None
    assert code in [d.code for d in diagnostics]
    assert all(d.line for d in diagnostics)


def test_a_policy_in_the_data_folder_is_used(tmp_path):
    (tmp_path / "policy.yaml").write_text(_write_policy(tmp_path / "..", hours={"minutes_per_hour": 50}).read_text())
    with Store.open(tmp_path, clock=Clock()) as s:
        assert s.policy.minutes_per_hour == 50


@pytest.mark.parametrize("minutes, mph, increment, rounding, expected", [
    (44, 60, 0.25, "down", 0.5),
    (45, 60, 0.25, "down", 0.75),
    (59.9, 60, 0.5, "down", 0.5),
    (59.9, 60, 1, "down", 0.0),
    (52, 60, 0.25, "nearest", 0.75),
    (53, 60, 0.25, "nearest", 1.0),
    (1, 60, 0.5, "up", 0.5),
    (50, 50, 1, "down", 1.0),
    (75, 50, 0.5, "down", 1.5),
])
def test_rounding(minutes, mph, increment, rounding, expected):
    p = _policy(minutes_per_hour=mph, increment=increment, rounding=rounding)
    assert p.hours_from_minutes(minutes) == expected


@settings(max_examples=200, deadline=None)
@given(st.floats(min_value=0, max_value=10_000, allow_nan=False), st.sampled_from([0.25, 0.5, 1.0]),
       st.sampled_from([50, 60]))
def test_rounded_down_hours_are_whole_steps_never_above_the_time(minutes, increment, mph):
    p = _policy(minutes_per_hour=mph, increment=increment)
    hours = p.hours_from_minutes(minutes)
    assert hours <= minutes / mph + 1e-9
    assert minutes / mph - hours < increment + 1e-9
    assert abs(hours / increment - round(hours / increment)) < 1e-9


@pytest.fixture
def world(tmp_path):
    def make(**policy_changes):
        clock = Clock()
        store = Store.open(tmp_path / "data", clock=clock, policy=_policy(**policy_changes))
        trainee = store.add_trainee("Ada", "PA-1")
        return store, trainee, clock
    return make


def test_practice_credit_with_nominal_cap(world, tmp_path):
    store, t, clock = world(nominal_factor=1.5, repeats="all", rounding_scope="attempt", increment=0.25)
    scenario = load_fixture_scenario(tmp_path, minutes=20)  # cap 30 minutes
    _, _, done = play(store, t.id, scenario, clock, minutes_per_turn=4.5)  # 9 engaged minutes
    assert done.credited_minutes == pytest.approx(9) and done.credited_hours == 0.0 and done.credit_note == "credited"
    store2 = Store.open(tmp_path / "data", clock=clock, policy=_policy(nominal_factor=0.5, repeats="all",
                                                                     rounding_scope="attempt"))
    _, _, done = play(store2, t.id, scenario, clock, minutes_per_turn=5)  # 10 engaged, cap 0.5 x 20 = 10
    assert done.credited_minutes == pytest.approx(10) and done.credit_note == "credited"
    short = load_fixture_scenario(tmp_path / "..", minutes=6, scenario_id="short-one")  # cap 3 minutes
    _, _, done = play(store2, t.id, short, clock, minutes_per_turn=5)
    assert done.credited_minutes == pytest.approx(3) and "capped at 0.5 x" in done.credit_note


def test_assessment_must_pass_and_repeats_earn_once(world, tmp_path):
    store, t, clock = world(repeats="first")
    scenario = load_fixture_scenario(tmp_path)
    _, _, failed = play(store, t.id, scenario, clock, mode="assessment", choices=(2,))
    assert failed.passed is False and failed.credited_minutes == 0 and "not passed" in failed.credit_note
    _, _, passed = play(store, t.id, scenario, clock, mode="assessment")
    assert passed.passed is True and passed.credited_minutes == pytest.approx(8)
    _, _, again = play(store, t.id, scenario, clock, mode="practice")
    assert again.credited_minutes == 0 and "already credited" in again.credit_note


def test_assessment_completed_rule_and_min_score(world, tmp_path):
    store, t, clock = world(assessment_credit="completed", min_score=0.5, repeats="all")
    scenario = load_fixture_scenario(tmp_path)
    _, _, low = play(store, t.id, scenario, clock, mode="assessment", choices=(2,))
    assert low.credited_minutes == 0 and "below the minimum" in low.credit_note
    _, _, mid = play(store, t.id, scenario, clock, mode="assessment", choices=(1, 2))  # score 0.65, adequate -> passes
    assert mid.credited_minutes > 0


def test_practice_can_be_excluded(world, tmp_path):
    store, t, clock = world(practice_credit=False)
    _, _, done = play(store, t.id, load_fixture_scenario(tmp_path), clock)
    assert done.credited_minutes == 0 and "practice attempts earn no credit" in done.credit_note


def test_daily_cap(world, tmp_path):
    store, t, clock = world(daily_hours=0.25, repeats="all", nominal_factor=None)
    scenario = load_fixture_scenario(tmp_path)
    results = [play(store, t.id, scenario, clock, minutes_per_turn=4)[2] for _ in range(3)]  # 8 min each
    assert [r.credited_minutes for r in results] == [8, 7, 0]
    assert "daily cap" in results[1].credit_note and "daily cap" in results[2].credit_note
    clock.advance(days=1)
    assert play(store, t.id, scenario, clock)[2].credited_minutes == 8


def test_total_rounding_adds_minutes_before_rounding(world, tmp_path):
    store, t, clock = world(repeats="all", rounding_scope="total", increment=0.25)
    scenario = load_fixture_scenario(tmp_path)
    for _ in range(4):
        play(store, t.id, scenario, clock, minutes_per_turn=4)  # 4 x 8 = 32 min -> 0.5 h
    summary = store.hours(t.id)
    assert summary.by_category == {"ethics": 0.5} and summary.total_hours == 0.5
    assert all(e.credited_hours == 0 for e in summary.entries)  # each alone is under a quarter hour


def test_attempt_rounding_rounds_each(world, tmp_path):
    store, t, clock = world(repeats="all", rounding_scope="attempt", increment=0.25)
    scenario = load_fixture_scenario(tmp_path)
    for _ in range(4):
        play(store, t.id, scenario, clock, minutes_per_turn=4)
    assert store.hours(t.id).total_hours == 0


def test_categories_and_requirement_window(world, tmp_path):
    store, t, clock = world(repeats="all", increment=0.25, nominal_factor=None, requirement=Requirement(
        "CE", 1.0, {"ethics": 0.25, "elective": 0.25}, period_months=24))
    ethics = load_fixture_scenario(tmp_path / "..", category="ethics", scenario_id="e1")
    assert store.policy.category_for("not-listed") == "elective"
    play(store, t.id, ethics, clock, minutes_per_turn=5)
    clock.advance(days=800)  # older records leave the 24-month window
    for _ in range(2):
        play(store, t.id, ethics, clock, minutes_per_turn=5)
    summary = store.hours(t.id, today=clock.now.date())
    assert summary.by_category == {"ethics": 0.5}
    r = summary.requirement
    assert r.period_end == clock.now.date() and r.earned_total == 0.25
    assert r.by_category["ethics"] == (0.25, 0.25) and r.by_category["elective"] == (0.25, 0.0)
    assert not r.met and r.remaining == 0.75


def test_fixed_period_requirement():
    req = Requirement("2025-26", 20, period_start=dt.date(2025, 1, 1), period_end=dt.date(2026, 12, 31))
    assert req.window(dt.date(2030, 1, 1)) == (dt.date(2025, 1, 1), dt.date(2026, 12, 31))
    rolling = Requirement("rolling", 20, period_months=24)
    assert rolling.window(dt.date(2026, 2, 28)) == (dt.date(2024, 2, 29), dt.date(2026, 2, 28))


def test_regrade_by_override_adjusts_credit(world, tmp_path):
    from dataclasses import replace as dc_replace

    from trainer.engine.results import summarize
    from trainer.scoring.judgment import Override

    store, t, clock = world(repeats="all")
    scenario = load_fixture_scenario(tmp_path)
    aid, state, failed = play(store, t.id, scenario, clock, mode="assessment", choices=(2,))
    assert failed.credited_minutes == 0
    regraded = dc_replace(summarize(scenario, state), passed=True, score=0.8)
    store.add_override(aid, 1, Override("flag", "medication-advice", False, "was quoting the person", "coach"), result=regraded)
    [entry] = store.hours(t.id).entries
    assert entry.credited_minutes == pytest.approx(failed.engaged_seconds / 60) and entry.passed is True
    assert entry.note.startswith("re-graded")
    assert store.verify_ledger().ok


def test_a_different_policy_is_noticed(tmp_path):
    clock = Clock()
    with Store.open(tmp_path / "data", clock=clock, policy=_policy(increment=1.0)) as s:
        t = s.add_trainee("Ada")
        play(s, t.id, load_fixture_scenario(tmp_path), clock)
    with Store.open(tmp_path / "data", clock=clock) as s:
        assert s.hours(t.id).other_policies == 1

"""Exports (xAPI 1.0.3, verifiable JSON, CSV), import/merge and the program's report."""

from __future__ import annotations

import csv
import io
import json
import uuid

import pytest

from test_records_support import Clock, load_fixture_scenario, play
from trainer.cli import main
from trainer.engine.engine import Engine
from trainer.engine.results import summarize
from trainer.records import Store
from trainer.records.export import export_csv, export_json, export_xapi
from trainer.records.merge import import_file
from trainer.records.report import build_report, render_csv, render_text
from trainer.records.xapi import VERBS, iso_duration, statement_id
from trainer.scoring.judgment import Judgment

ralph = pytest.importorskip("ralph.models.xapi.base.statements", reason="ralph-malph validates statements independently")

SECRET = "my own diagnosis and my sister's name"


def _respond_scenario(folder):
    """The fixture with a free-text turn, so responses can be left out or included."""
    from test_records_support import SCENARIO_YAML
    from trainer.scenario.compiler import load_scenario

    text = SCENARIO_YAML.replace("""  middle:
    lines:
      - sam: Okay. What would I ask?
    choices:
      - text: What worries you most about them?
        score: 1
        credit: {engages-peers: 1}
        goto: good_end
      - text: You should just trust the doctor.
        score: 0.3
        goto: ok_end""", """  middle:
    lines:
      - sam: Okay. What would I ask?
    respond:
      prompt: What do you say?
      routes:
        - score: {min: 0.5, max: 1.0}
          goto: good_end
        - goto: ok_end""").replace("id: records-fixture", "id: respond-fixture")
    path = folder / "respond-fixture.yaml"
    path.write_text(text)
    scenario, diags = load_scenario(path, None)
    assert scenario is not None, [d.render() for d in diags]
    return scenario


@pytest.fixture
def trainee_store(tmp_path):
    clock = Clock()
    store = Store.open(tmp_path / "a", clock=clock)
    t = store.add_trainee("Ada Lovelace", "PA-1")
    scenario = _respond_scenario(tmp_path)
    engine = Engine(scenario)
    for mode, score in (("practice", 0.9), ("assessment", 0.0)):
        state = engine.start(mode)
        aid = store.begin_attempt(t.id, scenario, mode)
        clock.advance(minutes=3)
        state = engine.choose(state, 1)
        store.save_progress(aid, state)
        clock.advance(minutes=3)
        state = engine.respond_judged(state, SECRET, Judgment.synthetic_result(score))
        store.save_progress(aid, state)
        store.save_reflection(aid, "reflection: " + SECRET)
        store.finish_attempt(aid, scenario, state, summarize(scenario, state))
    yield store, t
    store.close()


def _validate(statements):
    for s in statements:
        ralph.BaseXapiStatement(**s)


def test_statements_are_valid_xapi_and_follow_cmi5(trainee_store):
    store, t = trainee_store
    statements = export_xapi(store)
    _validate(statements)
    verbs = [s["verb"]["id"].rsplit("/", 1)[1] for s in statements]
    assert verbs == ["attempted", "answered", "answered", "completed",
                     "attempted", "answered", "answered", "completed", "failed"]
    for s in statements:
        assert s["version"] == "1.0.3"
        assert s["actor"] == {"objectType": "Agent", "account": {"homePage": store.policy.account_homepage, "name": "PA-1"}}
        assert "mbox" not in json.dumps(s)
        uuid.UUID(s["context"]["registration"])
    completed = [s for s in statements if s["verb"]["id"] == VERBS["completed"]]
    assert all("score" not in s["result"] and "success" not in s["result"] and s["result"]["completion"] for s in completed)
    assert completed[0]["result"]["duration"] == "PT6M"
    [failed] = [s for s in statements if s["verb"]["id"] == VERBS["failed"]]
    assert failed["result"]["success"] is False and 0 <= failed["result"]["score"]["scaled"] <= 1
    assert not any(s["verb"]["id"] == VERBS["passed"] for s in statements[:4])  # practice: no verdict


def test_the_validator_is_not_a_rubber_stamp():
    with pytest.raises(Exception):
        ralph.BaseXapiStatement(**{"actor": {"account": {"homePage": "not a url", "name": "x"}},
                                   "verb": {"id": "attempted"}, "object": {"id": "x"}})


def test_statement_ids_are_deterministic(trainee_store):
    store, _ = trainee_store
    first, second = export_xapi(store), export_xapi(store)
    assert [s["id"] for s in first] == [s["id"] for s in second]
    assert len({s["id"] for s in first}) == len(first)
    attempt = first[0]["context"]["registration"]
    assert first[0]["id"] == statement_id(attempt, "attempted")


def test_free_text_only_when_asked(trainee_store):
    store, _ = trainee_store
    for fmt in (export_xapi, export_json, export_csv):
        assert SECRET not in json.dumps(fmt(store), ensure_ascii=False)
    with_text = export_xapi(store, include_responses=True)
    _validate(with_text)
    assert any(s.get("result", {}).get("response") == SECRET for s in with_text)
    assert SECRET in export_csv(store, include_responses=True)
    assert SECRET in json.dumps(export_json(store, include_responses=True), ensure_ascii=False)


def test_iso_durations():
    assert [iso_duration(x) for x in (0, 0.5, 61, 3600, 3725.25)] == ["PT0S", "PT0.5S", "PT1M1S", "PT1H", "PT1H2M5.25S"]


def test_csv_is_safe_in_a_spreadsheet(tmp_path):
    clock = Clock()
    with Store.open(tmp_path / "d", clock=clock) as s:
        t = s.add_trainee("=HYPERLINK(\"http://evil\")")
        play(s, t.id, load_fixture_scenario(tmp_path), clock)
        rows = list(csv.DictReader(io.StringIO(export_csv(s))))
    assert rows[0]["trainee_name"].startswith("'=")


def test_import_merges_verifies_dedupes_and_reports(tmp_path, trainee_store):
    store_a, ta = trainee_store
    clock = Clock()
    with Store.open(tmp_path / "b", clock=clock) as store_b:
        tb = store_b.add_trainee("Grace Hopper", "PA-2")
        scenario = load_fixture_scenario(tmp_path)
        play(store_b, tb.id, scenario, clock, minutes_per_turn=5)
        (tmp_path / "b.json").write_text(json.dumps(export_json(store_b)))
    (tmp_path / "a.json").write_text(json.dumps(export_json(store_a)))
    with Store.open(tmp_path / "program", clock=Clock()) as program:
        ra = import_file(program, tmp_path / "a.json")
        rb = import_file(program, tmp_path / "b.json")
        assert ra.ok and rb.ok and ra.added == 3 and rb.added == 2
        again = import_file(program, tmp_path / "a.json")
        assert again.added == 0 and again.duplicates == 3 and again.ok
        report = build_report(program)
        assert report.trainees() == ["PA-1", "PA-2"]
        assert report.totals("PA-2")[2] == 1  # one completion
        text = render_text(report)
        assert "Grace Hopper" in text and "Texas" in text
        assert "PA-1" in render_csv(report)
        assert program.hours("PA-2").entries[0].credited_minutes == 10
        for sid, _n, own in program.ledger_stores():
            assert own or program.verify_ledger(store_id=sid).ok


def test_import_rejects_a_broken_chain_and_reports_a_rewrite(tmp_path, trainee_store):
    store, _ = trainee_store
    export = export_json(store)
    broken = json.loads(json.dumps(export))
    broken["chains"][0]["records"][1]["body"]["credit"]["minutes"] = 999
    (tmp_path / "broken.json").write_text(json.dumps(broken))
    (tmp_path / "good.json").write_text(json.dumps(export))
    with Store.open(tmp_path / "program") as program:
        r = import_file(program, tmp_path / "broken.json")
        assert not r.ok and "record 2" in r.rejected[0] and r.added == 0
        assert import_file(program, tmp_path / "good.json").ok
    # the trainee rewrites their whole chain after the program imported it
    from trainer.records.ledger import GENESIS, body_digest, record_hash
    from trainer.records.canonical import canonical_text

    rewritten = json.loads(json.dumps(export))
    prev = GENESIS
    for rec in rewritten["chains"][0]["records"]:
        if rec["seq"] == 2:
            rec["body"]["engaged_seconds"] = 36000
        rec["prev_hash"] = prev
        rec["hash"] = prev = record_hash(rec["seq"], prev, body_digest(canonical_text(rec["body"])))
    rewritten["chains"][0]["head"]["hash"] = prev
    (tmp_path / "rewritten.json").write_text(json.dumps(rewritten))
    with Store.open(tmp_path / "program") as program:
        r = import_file(program, tmp_path / "rewritten.json")
        assert r.conflicts and "rewritten" in r.conflicts[0]


def test_export_for_one_trainee_keeps_others_as_verifiable_stubs(tmp_path):
    clock = Clock()
    with Store.open(tmp_path / "shared", clock=clock) as s:
        a, b = s.add_trainee("Ada", "PA-1"), s.add_trainee("Grace", "PA-2")
        scenario = load_fixture_scenario(tmp_path)
        play(s, a.id, scenario, clock)
        play(s, b.id, scenario, clock)
        export = export_json(s, trainee=b.id)
    text = json.dumps(export)
    assert "Ada" not in text and "Grace" in text
    (tmp_path / "grace.json").write_text(text)
    with Store.open(tmp_path / "program") as program:
        r = import_file(program, tmp_path / "grace.json")
        assert r.ok
        assert build_report(program).trainees() == ["PA-2"]


def test_xapi_import_dedupes_and_flags_conflicts(tmp_path, trainee_store):
    store, _ = trainee_store
    statements = export_xapi(store)
    (tmp_path / "x.json").write_text(json.dumps(statements))
    changed = json.loads(json.dumps(statements))
    changed[0]["timestamp"] = "2030-01-01T00:00:00Z"
    changed[1]["stored"] = "2030-01-01T00:00:00Z"  # set by an LRS: not a conflict
    (tmp_path / "y.json").write_text(json.dumps(changed))
    with Store.open(tmp_path / "program") as program:
        r = import_file(program, tmp_path / "x.json")
        assert r.added == len(statements) and r.ok
        r2 = import_file(program, tmp_path / "y.json")
        assert r2.duplicates == len(statements) - 1 and len(r2.conflicts) == 1
        report = build_report(program)
        assert [(row.trainee, row.source, row.completed) for row in report.rows] == [("PA-1", "xapi", 2)]


def test_cli_export_import_report(tmp_path, trainee_store, capsys):
    store, t = trainee_store
    folder = str(store.path.parent)
    out = tmp_path / "out.json"
    assert main(["--data-dir", folder, "records", "export", "--format", "xapi", "-o", str(out)]) == 0
    _validate(json.loads(out.read_text()))
    assert oct(out.stat().st_mode & 0o777) == "0o600"
    assert main(["--data-dir", folder, "records", "export", "--format", "json", "-o", str(tmp_path / "a.json")]) == 0
    assert main(["--data-dir", folder, "records", "export", "--format", "csv", "--trainee", "PA-1"]) == 0
    assert "PA-1" in capsys.readouterr().out
    program = str(tmp_path / "program")
    assert main(["--data-dir", program, "records", "import", str(tmp_path / "a.json"), str(out)]) == 0
    assert main(["--data-dir", program, "report", "--format", "csv"]) == 0
    assert "PA-1" in capsys.readouterr().out
    assert main(["--data-dir", program, "records", "import", str(tmp_path / "missing.json")]) == 1
    assert main(["--data-dir", folder, "hours"]) == 0
    assert "Requirement" in capsys.readouterr().out

"""The store: files, permissions, attempts, engaged time, privacy, and failure modes."""

from __future__ import annotations

import json
import os
import sqlite3
import stat
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from test_records_support import Clock, load_fixture_scenario, play
from trainer.engine.engine import Engine
from trainer.engine.results import summarize
from trainer.records import Store, StoreError
from trainer.records.store import STORE_FILENAME, AttemptError
from trainer.scoring.judgment import Override

REPO = Path(__file__).resolve().parent.parent


@pytest.fixture
def scenario(tmp_path):
    return load_fixture_scenario(tmp_path)


@pytest.fixture
def clock():
    return Clock()


@pytest.fixture
def store(tmp_path, clock):
    s = Store.open(tmp_path / "data", clock=clock)
    yield s
    s.close()


def test_store_is_private_wal_and_versioned(tmp_path, store):
    folder = tmp_path / "data"
    assert stat.S_IMODE(folder.stat().st_mode) == 0o700
    db = folder / STORE_FILENAME
    assert stat.S_IMODE(db.stat().st_mode) == 0o600
    store.add_trainee("Ada")
    for suffix in ("-wal", "-shm"):
        side = Path(str(db) + suffix)
        if side.exists():
            assert stat.S_IMODE(side.stat().st_mode) & 0o077 == 0
    conn = sqlite3.connect(db)
    assert conn.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
    from trainer.records.schema import LATEST

    assert conn.execute("SELECT max(version) FROM schema_version").fetchone()[0] == store.schema_version() == LATEST
    conn.close()


def test_a_store_from_a_newer_version_is_refused(tmp_path, store):
    store.close()
    conn = sqlite3.connect(tmp_path / "data" / STORE_FILENAME)
    conn.execute("INSERT INTO schema_version VALUES (99, 'future', 'x')")
    conn.commit()
    conn.close()
    with pytest.raises(StoreError, match="newer peer-trainer"):
        Store.open(tmp_path / "data")


def test_data_dir_comes_from_the_environment(tmp_path, monkeypatch):
    monkeypatch.setenv("PEER_TRAINER_HOME", str(tmp_path / "home"))
    with Store.open() as s:
        assert s.path == tmp_path / "home" / STORE_FILENAME


def test_trainees(store):
    a = store.add_trainee("  Ada   Lovelace ", "PA-1")
    assert a.name == "Ada Lovelace" and a.key == "PA-1"
    b = store.add_trainee("Grace Hopper")
    assert [t.id for t in store.trainees()] == [a.id, b.id]
    assert store.get_trainee(a.id) == a
    assert store.find_trainee("PA-1") == a
    assert store.find_trainee("Grace Hopper") == b
    with pytest.raises(StoreError, match="already has program id"):
        store.add_trainee("Someone", "PA-1")
    with pytest.raises(StoreError, match="needs a name"):
        store.add_trainee("   ")


def test_attempt_lifecycle_and_resume(store, scenario, clock):
    t = store.add_trainee("Ada")
    aid, state, _ = play(store, t.id, scenario, clock, choices=(1,), finish=False)
    [unfinished] = store.unfinished(t.id)
    assert unfinished.attempt_id == aid and unfinished.mode == "practice"
    restored = Engine(scenario).restore(unfinished.state_json)
    assert restored.to_json() == state.to_json()
    state = Engine(scenario).choose(restored, 1)
    clock.advance(minutes=2)
    store.save_progress(aid, state)
    done = store.finish_attempt(aid, scenario, state, summarize(scenario, state))
    assert done.outcome == "exemplary" and done.ledger_seq == 2
    assert store.unfinished(t.id) == []
    # finishing twice returns the same record instead of appending another
    assert store.finish_attempt(aid, scenario, state, summarize(scenario, state)) == done
    [attempt] = store.attempts(t.id)
    assert attempt.status == "finished" and attempt.ledger_seq == 2
    assert [e["kind"] for e in store.transcript(aid)].count("choice") == 2
    with pytest.raises(AttemptError, match="already finished"):
        store.save_progress(aid, state)


def test_unfinished_attempt_cannot_be_finished(store, scenario, clock):
    t = store.add_trainee("Ada")
    aid, state, _ = play(store, t.id, scenario, clock, choices=(1,), finish=False)
    with pytest.raises(AttemptError, match="not reached an ending"):
        store.finish_attempt(aid, scenario, state, summarize(scenario, state))
    store.abandon_attempt(aid)
    assert store.unfinished(t.id) == []
    assert store.attempts(t.id)[0].status == "abandoned"


def test_engaged_time_excludes_idle_gaps(store, scenario, clock):
    t = store.add_trainee("Ada")
    engine = Engine(scenario)
    state = engine.start("practice")
    aid = store.begin_attempt(t.id, scenario, "practice")
    clock.advance(minutes=3)
    store.touch(aid)  # 3 min: counted
    clock.advance(minutes=30)
    store.touch(aid)  # a 30-minute gap: idle, counted as nothing
    clock.advance(minutes=4)
    state = engine.choose(state, 1)
    store.save_progress(aid, state)  # 4 min: counted
    clock.advance(minutes=5)
    state = engine.choose(state, 1)
    done = store.finish_attempt(aid, scenario, state, summarize(scenario, state))  # exactly the limit: counted
    assert done.engaged_seconds == pytest.approx(12 * 60)


def test_undo_rewrites_the_stored_turns(store, scenario, clock):
    t = store.add_trainee("Ada")
    engine = Engine(scenario)
    aid = store.begin_attempt(t.id, scenario, "practice")
    s1 = engine.choose(engine.start("practice"), 2)  # the harmful choice
    store.save_progress(aid, s1)
    s2 = engine.choose(engine.undo(s1), 1)
    store.save_progress(aid, s2)
    choices = [e for e in store.transcript(aid) if e["kind"] == "choice"]
    assert [c["number"] for c in choices] == [1]
    assert store.transcript(aid) == s2.transcript


def test_reflection_and_overrides(store, scenario, clock):
    t = store.add_trainee("Ada")
    aid, state, _ = play(store, t.id, scenario, clock, choices=(1,), finish=False)
    store.save_reflection(aid, "I felt nervous")
    store.save_reflection(aid, "I felt calmer the second time")
    assert store.reflection(aid) == "I felt calmer the second time"
    assert store.add_override(aid, 1, Override("criterion", "c1", True, "said it in other words", "coach")) is None
    state = Engine(scenario).choose(state, 1)
    done = store.finish_attempt(aid, scenario, state, summarize(scenario, state))
    body = store.ledger_bodies(kinds=("attempt",))[0]
    assert body["overrides"][0]["reason"] == "said it in other words"
    assert "I felt" not in json.dumps(body)
    seq = store.add_override(aid, 1, Override("flag", "f1", False, "quoted the person", "coach"))
    assert seq == done.ledger_seq + 1
    with pytest.raises(AttemptError, match="reason"):
        store.add_override(aid, 1, Override("flag", "f1", False, "  "))
    assert store.verify_ledger().ok


def test_delete_responses_keeps_hours_and_ledger(store, scenario, clock):
    t = store.add_trainee("Ada")
    aid, state, done = play(store, t.id, scenario, clock)
    store.save_reflection(aid, "my own story")
    before = store.hours(t.id)
    assert store.delete_responses(t.id) == 1
    assert store.reflection(aid) is None
    assert store.hours(t.id) == before
    assert store.verify_ledger().ok


def test_read_only_store_reads_and_refuses_writes_clearly(tmp_path, scenario, clock):
    folder = tmp_path / "data"
    with Store.open(folder, clock=clock) as s:
        t = s.add_trainee("Ada")
        play(s, t.id, scenario, clock)
    os.chmod(folder / STORE_FILENAME, 0o400)
    try:
        if os.access(folder / STORE_FILENAME, os.W_OK):
            pytest.skip("running as a user who can write read-only files")
        with Store.open(folder) as s:
            assert s.readonly
            assert s.hours(t.id).entries
            assert s.verify_ledger().ok
            with pytest.raises(StoreError, match="read-only") as info:
                s.add_trainee("Grace")
            assert "\n" not in str(info.value)
    finally:
        os.chmod(folder / STORE_FILENAME, 0o600)


def test_read_only_flag_refuses_writes(tmp_path, clock):
    with Store.open(tmp_path / "data", clock=clock) as s:
        s.add_trainee("Ada")
    with Store.open(tmp_path / "data", readonly=True) as s:
        assert [t.name for t in s.trainees()] == ["Ada"]
        with pytest.raises(StoreError, match="read-only"):
            s.add_trainee("Grace")


def test_full_disk_gives_a_clear_error_and_keeps_what_was_saved(tmp_path, scenario, clock):
    s = Store.open(tmp_path / "data", clock=clock)
    t = s.add_trainee("Ada")
    aid, state, done = play(s, t.id, scenario, clock)
    pages = s._conn.execute("PRAGMA page_count").fetchone()[0]
    s._conn.execute(f"PRAGMA max_page_count = {pages}")  # the file may not grow: SQLITE_FULL
    with pytest.raises(StoreError) as info:
        for i in range(200):
            s.add_trainee("Grace " + "x" * 150 + str(i))
    assert "disk is full" in str(info.value) and "\n" not in str(info.value)
    s.close()
    with Store.open(tmp_path / "data") as again:
        assert again.verify_ledger().ok
        assert again.hours(t.id).entries[0].attempt_id == aid


def test_full_disk_mid_finish_leaves_the_attempt_resumable(tmp_path, scenario, clock, monkeypatch):
    s = Store.open(tmp_path / "data", clock=clock)
    t = s.add_trainee("Ada")
    aid, state, _ = play(s, t.id, scenario, clock, finish=False)
    head = s.ledger_head()

    def full(*_a, **_k):
        raise sqlite3.OperationalError("database or disk is full")

    monkeypatch.setattr(s, "_append", full)
    with pytest.raises(StoreError, match="disk is full"):
        s.finish_attempt(aid, scenario, state, summarize(scenario, state))
    monkeypatch.undo()
    assert s.ledger_head() == head  # nothing half-written
    [pending] = s.unfinished(t.id)
    assert pending.attempt_id == aid
    assert s.finish_attempt(aid, scenario, state, summarize(scenario, state)).ledger_seq == head[0] + 1
    s.close()


def test_corrupt_store_is_one_line(tmp_path):
    folder = tmp_path / "data"
    folder.mkdir()
    (folder / STORE_FILENAME).write_bytes(b"this is not a database" * 100)
    with pytest.raises(StoreError, match="damaged") as info:
        Store.open(folder)
    assert "\n" not in str(info.value)


KILL_SCRIPT = textwrap.dedent("""
    import os, signal, sys
    sys.path.insert(0, {tests!r})
    from test_records_support import Clock, load_fixture_scenario
    from trainer.engine.engine import Engine
    from trainer.records import Store
    folder = sys.argv[1]
    scenario = load_fixture_scenario(folder)
    clock = Clock()
    store = Store.open(os.path.join(folder, "data"), clock=clock)
    trainee = store.add_trainee("Ada")
    engine = Engine(scenario)
    state = engine.start("practice")
    attempt = store.begin_attempt(trainee.id, scenario, "practice")
    clock.advance(minutes=2)
    state = engine.choose(state, 1)
    store.save_progress(attempt, state)
    print(attempt, flush=True)
    sys.stdin.readline()  # the parent kills us here, mid-attempt
""")


def test_killed_process_loses_nothing_saved(tmp_path, scenario):
    script = tmp_path / "child.py"
    script.write_text(KILL_SCRIPT.format(tests=str(REPO / "tests")))
    env = dict(os.environ, PYTHONPATH=str(REPO))
    child = subprocess.Popen([sys.executable, str(script), str(tmp_path)], stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                             text=True, env=env)
    attempt_id = child.stdout.readline().strip()
    assert attempt_id, "the child did not start"
    child.kill()  # SIGKILL: no cleanup, no atexit
    child.wait(timeout=10)
    with Store.open(tmp_path / "data") as store:
        [trainee] = store.trainees()
        [pending] = store.unfinished(trainee.id)
        assert pending.attempt_id == attempt_id
        engine = Engine(scenario)
        state = engine.restore(pending.state_json)
        assert state.turns == 1
        state = engine.choose(state, 1)
        store.save_progress(attempt_id, state)
        done = store.finish_attempt(attempt_id, scenario, state, summarize(scenario, state))
        assert done.outcome == "exemplary"
        assert store.verify_ledger().ok


WRITER_SCRIPT = textwrap.dedent("""
    import sys
    sys.path.insert(0, {tests!r})
    from test_records_support import Clock, load_fixture_scenario, play
    from trainer.records import Store
    folder, name = sys.argv[1], sys.argv[2]
    scenario = load_fixture_scenario(folder + "/" + name) if False else None
    import pathlib
    work = pathlib.Path(folder) / name
    work.mkdir()
    scenario = load_fixture_scenario(work)
    clock = Clock()
    store = Store.open(pathlib.Path(folder) / "data", clock=clock)
    trainee = store.add_trainee(name)
    for _ in range(15):
        play(store, trainee.id, scenario, clock)
    store.close()
""")


def test_two_processes_on_one_store_do_not_corrupt_it(tmp_path):
    with Store.open(tmp_path / "data"):
        pass
    script = tmp_path / "writer.py"
    script.write_text(WRITER_SCRIPT.format(tests=str(REPO / "tests")))
    env = dict(os.environ, PYTHONPATH=str(REPO))
    procs = [subprocess.Popen([sys.executable, str(script), str(tmp_path), name], env=env, stderr=subprocess.PIPE, text=True)
             for name in ("one", "two")]
    for p in procs:
        _, err = p.communicate(timeout=120)
        assert p.returncode == 0, err
    with Store.open(tmp_path / "data") as store:
        check = store.verify_ledger()
        assert check.ok and check.records == 2 * (1 + 15)
        assert store._conn.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
        for t in store.trainees():
            assert len(store.hours(t.id).entries) == 15


def test_two_store_objects_in_one_process(tmp_path, scenario):
    a = Store.open(tmp_path / "data", clock=Clock())
    b = Store.open(tmp_path / "data", clock=Clock())
    ta, tb = a.add_trainee("A"), b.add_trainee("B")
    for _ in range(3):
        play(a, ta.id, scenario, Clock())
        play(b, tb.id, scenario, Clock())
    assert a.verify_ledger().records == b.verify_ledger().records == 8
    a.close()
    b.close()


def test_records_never_import_textual():
    code = ("import sys, trainer.records, trainer.records.export, trainer.records.merge, trainer.records.report, "
            "trainer.records.certificate, trainer.records.xapi, trainer.cli.records; "
            "from trainer.cli import build_parser; build_parser(); "
            "assert 'textual' not in sys.modules, 'textual was imported'")
    subprocess.run([sys.executable, "-c", code], check=True, env=dict(os.environ, PYTHONPATH=str(REPO)))


def test_store_that_becomes_read_only_keeps_what_was_saved(store, scenario, clock):
    """As root, file permissions cannot make a store read-only; query_only gives SQLite's own read-only error."""
    t = store.add_trainee("Ada")
    aid, state, _ = play(store, t.id, scenario, clock, finish=False)
    store._conn.execute("PRAGMA query_only = ON")
    with pytest.raises(StoreError, match="read-only") as info:
        store.finish_attempt(aid, scenario, state, summarize(scenario, state))
    assert "\n" not in str(info.value)
    store._conn.execute("PRAGMA query_only = OFF")
    assert store.unfinished(t.id)[0].attempt_id == aid
    assert store.verify_ledger().ok


@pytest.mark.parametrize("argv", [["hours"], ["report"], ["records", "verify"], ["trainee", "add", "Ada"],
                                  ["records", "export", "--format", "json"]])
def test_commands_turn_store_errors_into_one_line(tmp_path, capsys, argv):
    from trainer.cli import main

    folder = tmp_path / "data"
    folder.mkdir()
    (folder / STORE_FILENAME).write_bytes(b"garbage" * 500)
    assert main(["--data-dir", str(folder)] + argv) == 2
    err = capsys.readouterr().err
    assert err.startswith("peer-trainer: ") and err.count("\n") == 1 and "Traceback" not in err


def test_headless_play_records_a_completion(tmp_path, scenario, capsys):
    import argparse

    from trainer.records.attempts import record_cli_attempt

    with Store.open(tmp_path / "data") as s:
        t = s.add_trainee("Ada", "PA-1")
    engine = Engine(scenario)
    state = engine.choose(engine.choose(engine.start("assessment"), 1), 1)
    record_cli_attempt(argparse.Namespace(data_dir=str(tmp_path / "data"), trainee="PA-1"), scenario, state, None)
    assert "ledger record 2" in capsys.readouterr().out
    with Store.open(tmp_path / "data") as s:
        [entry] = s.hours(t.id).entries
        assert entry.passed is True and entry.credited_minutes == 0

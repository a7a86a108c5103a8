"""`records push` against a real LRS (Ralph) on 127.0.0.1: exactly once, through crashes, outages and a lossy network.

Every assertion reads the LRS back with GET and counts copies per statement id.
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import threading
import time

import pytest

from test_lrs_support import (LRS_PASSWORD, LRS_USER, FaultyProxy, Ralph, copies, post_raw, ralph_python, read_back,
                              self_signed_certificate, start_ralph)
from test_records_support import Clock, load_fixture_scenario, play
from trainer.cli import main
from trainer.records import Store
from trainer.records import lrs, outbox
from trainer.records.export import export_xapi
from trainer.records.xapi import comparable

CREDS = lrs.Credentials(LRS_USER, LRS_PASSWORD)


@pytest.fixture(scope="module")
def ralph(tmp_path_factory):
    server = start_ralph(tmp_path_factory)
    yield server
    server.stop()


@pytest.fixture
def own_ralph(tmp_path_factory):
    """A Ralph of its own, for tests that stop and restart it."""
    server = start_ralph(tmp_path_factory)
    yield server
    server.stop()


def trainee_store(folder, attempts: int = 6, *, program_id: str = "PA-1"):
    clock = Clock()
    store = Store.open(folder / "data", clock=clock)
    t = store.add_trainee("Ada Lovelace", program_id)
    scenario = load_fixture_scenario(folder)
    for i in range(attempts):
        play(store, t.id, scenario, clock, mode="assessment" if i % 3 == 2 else "practice",
             choices=(1, 1) if i % 2 else (1, 2))
    return store, t, clock, scenario


def config(endpoint: str, **kw) -> lrs.LrsConfig:
    return lrs.LrsConfig(endpoint=lrs.normalize_endpoint(endpoint), **kw)


def outbox_ids(store, kind: str | None = None) -> set[str]:
    sql = "SELECT statement_id FROM outbox" + (" WHERE kind = ?" if kind else "")
    return {r[0] for r in store._read(sql, (kind,) if kind else ())}


def assert_exactly_once(endpoint: str, store) -> list[dict]:
    held = read_back(endpoint)
    counts = copies(held)
    mine = outbox_ids(store)
    assert mine, "nothing was queued"
    missing = [i for i in mine if counts[i] == 0]
    doubled = [i for i in mine if counts[i] > 1]
    assert not missing and not doubled, (len(missing), len(doubled))
    assert not [i for i, n in counts.items() if n > 1]
    return held


def test_push_delivers_every_statement_once_and_a_second_push_sends_nothing(ralph, tmp_path):
    store, t, clock, scenario = trainee_store(tmp_path)
    first = lrs.push_pending(store, config(ralph.endpoint, batch_size=7), credentials=CREDS)
    assert first.error is None and first.exit_code == 0
    exported = export_xapi(store)
    assert first.sent == len(exported) and first.waiting == 0 and first.failed == 0
    held = assert_exactly_once(ralph.endpoint, store)
    by_id = {s["id"]: s for s in held}
    for s in exported:  # what the LRS holds is what `records export --format xapi` gives, plus LRS fields
        got = comparable(by_id[s["id"]])
        assert got["verb"] == s["verb"] and got["actor"] == s["actor"] and got["object"]["id"] == s["object"]["id"]
        assert got["context"]["registration"] == s["context"]["registration"]
    seq, digest = store.ledger_head()
    [head] = [s for s in held if s["verb"]["id"] == outbox.HEAD_VERB]
    assert head["context"]["extensions"][outbox.HEAD_EXTENSION] == {"store": store.store_id, "seq": seq, "hash": digest}
    receipt = first.receipt
    assert (receipt.head_seq, receipt.head_hash, receipt.head_statement_id) == (seq, digest, head["id"])
    assert store.verify_ledger(anchors={receipt.head_seq: receipt.head_hash}).ok

    second = lrs.push_pending(store, config(ralph.endpoint), credentials=CREDS)
    assert (second.sent, second.requests, second.receipt) == (0, 0, None)

    # A new attempt: only its statements and a new head go out.
    play(store, t.id, scenario, clock)
    third = lrs.push_pending(store, config(ralph.endpoint), credentials=CREDS)
    assert third.sent == 4 and third.receipt.head_seq == seq + 1
    # Sending everything again (say, after moving LRS) leaves one copy of each.
    again = lrs.push_pending(store, config(ralph.endpoint, batch_size=10), credentials=CREDS, resend=True)
    assert again.exit_code == 0 and again.sent == len(export_xapi(store))
    assert_exactly_once(ralph.endpoint, store)
    store.close()


def test_a_crash_between_the_lrs_acknowledging_and_the_store_marking_leaves_one_copy(ralph, tmp_path, monkeypatch):
    store, *_ = trainee_store(tmp_path, attempts=5)
    real = outbox.mark_sent
    calls = []

    def crash_on_second(st, ids, endpoint):
        calls.append(1)
        if len(calls) == 2:
            raise KeyboardInterrupt("the power went out")  # after the LRS stored batch 2, before we marked it
        return real(st, ids, endpoint)

    monkeypatch.setattr(outbox, "mark_sent", crash_on_second)
    with pytest.raises(KeyboardInterrupt):
        lrs.push_pending(store, config(ralph.endpoint, batch_size=5), credentials=CREDS)
    monkeypatch.setattr(outbox, "mark_sent", real)
    assert outbox.status(store).sent == 5
    after = lrs.push_pending(store, config(ralph.endpoint, batch_size=5), credentials=CREDS)
    assert after.exit_code == 0 and after.waiting == 0
    assert_exactly_once(ralph.endpoint, store)
    store.close()


def test_a_push_process_killed_mid_batch_then_run_again_leaves_one_copy(ralph, tmp_path):
    """SIGKILL a real `peer-trainer records push` while requests are in flight (slowed by a proxy)."""
    store, *_ = trainee_store(tmp_path, attempts=12)
    total = len(export_xapi(store))
    store.close()
    proxy = FaultyProxy(ralph.port, seed=1, delay=0.15)
    env = dict(os.environ, PEER_TRAINER_HOME=str(tmp_path / "data"), PEER_TRAINER_LRS_USER=LRS_USER,
               PEER_TRAINER_LRS_PASSWORD=LRS_PASSWORD)
    try:
        proc = subprocess.Popen([sys.executable, "-m", "trainer", "records", "push", "--lrs", proxy.endpoint,
                                 "--batch-size", "4"], env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
        deadline = time.monotonic() + 30
        while proxy.counts["forward"] < 4 and time.monotonic() < deadline and proc.poll() is None:
            time.sleep(0.02)
        os.kill(proc.pid, signal.SIGKILL)
        proc.communicate(timeout=10)
    finally:
        proxy.close()
    with Store.open(tmp_path / "data") as store:
        status = outbox.status(store)
        assert 0 < status.sent < total and status.waiting > 0  # killed part-way
        result = lrs.push_pending(store, config(ralph.endpoint), credentials=CREDS)
        assert result.exit_code == 0 and result.sent == total - status.sent
        assert_exactly_once(ralph.endpoint, store)


def test_the_lrs_stopped_mid_push_and_restarted_loses_nothing_and_doubles_nothing(own_ralph, tmp_path):
    store, *_ = trainee_store(tmp_path, attempts=8)
    total = len(export_xapi(store))
    events = []

    def on_progress(sent, _total):
        if not events:
            events.append("stopped")
            own_ralph.stop(hard=True)  # the LRS dies after acknowledging the first batch

    def sleep(seconds):
        events.append(seconds)
        if len(events) == 3:  # two failed tries later, it comes back on the same port and folder
            own_ralph.start()

    result = lrs.push_pending(store, config(own_ralph.endpoint, batch_size=6), credentials=CREDS,
                              sleep=sleep, on_progress=on_progress, seed=3)
    assert result.exit_code == 0, result.error
    assert result.sent == total and result.retries >= 2
    assert events[0] == "stopped" and events[1] < events[2]  # backing off
    assert_exactly_once(own_ralph.endpoint, store)
    store.close()


def test_an_lrs_down_for_the_whole_push_keeps_everything_waiting_for_the_next(own_ralph, tmp_path):
    store, *_ = trainee_store(tmp_path, attempts=3)
    total = len(export_xapi(store))
    own_ralph.stop()
    delays = []
    cfg = config(own_ralph.endpoint, retry=lrs.RetryPolicy(max_tries=4, max_seconds=60))
    down = lrs.push_pending(store, cfg, credentials=CREDS, sleep=delays.append)
    assert down.exit_code == 1 and down.sent == 0 and down.waiting == total
    assert "refused" in down.error and "4 tries" in down.error
    assert len(delays) == 3 and delays == sorted(delays)
    assert outbox.last_receipt(store) is None
    own_ralph.start()
    up = lrs.push_pending(store, cfg, credentials=CREDS)
    assert up.exit_code == 0 and up.sent == total
    assert_exactly_once(own_ralph.endpoint, store)
    store.close()


def test_a_lossy_network_loses_nothing_and_doubles_nothing(ralph, tmp_path):
    """A seeded proxy drops a third of requests before the LRS, 503s some, and drops some answers after it stored them."""
    store, *_ = trainee_store(tmp_path, attempts=15)
    total = len(export_xapi(store))
    proxy = FaultyProxy(ralph.port, seed=20240611, drop_before=0.2, fail_503=0.15, drop_after=0.15)
    try:
        cfg = config(proxy.endpoint, batch_size=5, retry=lrs.RetryPolicy(max_tries=8, max_seconds=60))
        results = []
        for _ in range(5):  # bounded: a push may give up on one batch; the next carries on
            results.append(lrs.push_pending(store, cfg, credentials=CREDS, sleep=lambda s: None, seed=len(results)))
            if results[-1].exit_code == 0:
                break
    finally:
        proxy.close()
    assert results[-1].exit_code == 0, [r.error for r in results]
    assert sum(r.sent for r in results) == total
    assert proxy.counts["drop_after"] > 0 and proxy.counts["drop_before"] > 0 and proxy.counts["503"] > 0
    assert_exactly_once(ralph.endpoint, store)
    store.close()


def test_a_different_statement_under_one_of_our_ids_is_a_conflict_reported_once(ralph, tmp_path, capsys, monkeypatch):
    monkeypatch.setenv("PEER_TRAINER_LRS_USER", LRS_USER)
    monkeypatch.setenv("PEER_TRAINER_LRS_PASSWORD", LRS_PASSWORD)
    store, *_ = trainee_store(tmp_path, attempts=4)
    outbox.build(store)
    victim = json.loads(store._read("SELECT statement FROM outbox WHERE verb = 'completed' ORDER BY n LIMIT 1")[0][0])
    forged = dict(victim, result={**victim["result"], "duration": "PT9H"})
    assert post_raw(ralph.endpoint, [forged]) == 200  # someone else's version got there first

    code = main(["--data-dir", str(tmp_path / "data"), "records", "push", "--lrs", ralph.endpoint, "--batch-size", "50"])
    out, err = capsys.readouterr()
    assert code == 1, err
    assert "conflict:" in out and victim["id"] in out and "Differing statements" in out
    st = outbox.status(store)
    assert st.failed == 1 and st.waiting == 0
    held = read_back(ralph.endpoint)
    counts = copies(held)
    assert all(counts[i] == 1 for i in outbox_ids(store))
    assert [s for s in held if s["id"] == victim["id"]][0]["result"]["duration"] == "PT9H"  # the LRS kept its own

    again = lrs.push_pending(store, config(ralph.endpoint), credentials=CREDS)
    assert again.requests == 0 and again.exit_code == 1  # not retried by itself
    retried = lrs.push_pending(store, config(ralph.endpoint), credentials=CREDS, retry_failed=True)
    assert len(retried.conflicts) == 1 and retried.requests == 1
    store.close()


def test_a_statement_the_lrs_rejects_is_set_aside_with_its_message(ralph, tmp_path):
    store, *_ = trainee_store(tmp_path, attempts=3)
    outbox.build(store)
    sid, text = store._read("SELECT statement_id, statement FROM outbox WHERE verb = 'answered' ORDER BY n LIMIT 1")[0]
    bad = json.loads(text)
    bad["actor"]["nickname"] = "Ada"  # passes our structural check, not this LRS's
    with store._write() as conn:
        conn.execute("UPDATE outbox SET statement = ? WHERE statement_id = ?", (json.dumps(bad), sid))
    result = lrs.push_pending(store, config(ralph.endpoint, batch_size=20), credentials=CREDS)
    assert result.exit_code == 1 and len(result.rejected) == 1 and sid in result.rejected[0]
    assert "actor" in result.rejected[0] and "422" in result.rejected[0]
    assert result.sent == len(outbox_ids(store, "record")) - 1
    held = copies(read_back(ralph.endpoint))
    assert held[sid] == 0 and all(held[i] == 1 for i in outbox_ids(store) - {sid})
    store.close()


def test_https_with_an_untrusted_certificate_stops_and_with_the_programs_ca_file_goes_through(ralph, tmp_path):
    store, *_ = trainee_store(tmp_path, attempts=2)
    cert, key = self_signed_certificate(tmp_path)
    proxy = FaultyProxy(ralph.port, tls=(cert, key))
    try:
        untrusted = lrs.push_pending(store, config(proxy.endpoint), credentials=CREDS)
        assert untrusted.exit_code == 2 and "certificate could not be verified" in untrusted.error
        assert untrusted.requests == 1 and outbox.status(store).sent == 0
        trusted = lrs.push_pending(store, config(proxy.endpoint, ca_file=cert), credentials=CREDS)
        assert trusted.exit_code == 0 and trusted.sent == len(export_xapi(store))
    finally:
        proxy.close()
    assert proxy.endpoint.startswith("https://")
    assert_exactly_once(ralph.endpoint, store)
    store.close()


def test_wrong_credentials_stop_the_push_and_are_never_printed(ralph, tmp_path, capsys):
    store, *_ = trainee_store(tmp_path, attempts=2)
    store.close()
    secret = tmp_path / "pw"
    secret.write_text("not-the-password-xyz\n")
    secret.chmod(0o600)
    code = main(["--data-dir", str(tmp_path / "data"), "records", "push", "--lrs", ralph.endpoint,
                 "--user", LRS_USER, "--password-file", str(secret)])
    out, err = capsys.readouterr()
    assert code == 2
    assert err.count("\n") == 1 and "refused user" in err and "Traceback" not in err
    assert "not-the-password-xyz" not in out + err


def test_cli_push_saves_the_address_for_the_app_and_never_the_password(ralph, tmp_path, capsys, monkeypatch):
    store, *_ = trainee_store(tmp_path, attempts=2)
    store.close()
    secret = tmp_path / "pw"
    secret.write_text(LRS_PASSWORD + "\n")
    secret.chmod(0o600)
    monkeypatch.delenv("PEER_TRAINER_LRS_USER", raising=False)
    monkeypatch.delenv("PEER_TRAINER_LRS_PASSWORD", raising=False)
    data = tmp_path / "data"
    code = main(["--data-dir", str(data), "records", "push", "--lrs", ralph.endpoint, "--user", LRS_USER,
                 "--password-file", str(secret), "--save"])
    out, err = capsys.readouterr()
    assert code == 0, err
    assert "records verify --anchor" in out
    saved = lrs.load_config(data)
    assert saved.endpoint == ralph.endpoint and saved.auto_push and saved.user == LRS_USER
    assert (data / "lrs.yaml").stat().st_mode & 0o077 == 0
    for f in data.iterdir():
        if f.is_file():
            assert LRS_PASSWORD.encode() not in f.read_bytes(), f
    # The app's way: a worker thread pushes with the saved config while the trainee goes on.
    with Store.open(data) as store:
        cfg = lrs.auto_push_config(data)
        t = store.trainees()[0]
        scenario = load_fixture_scenario(tmp_path)
        play(store, t.id, scenario, Clock())
        box = {}
        worker = threading.Thread(target=lambda: box.update(r=lrs.push_pending(store, cfg)))
        worker.start()
        worker.join(60)
        assert box["r"].exit_code == 0 and box["r"].sent == 4
        status = lrs.outbox_status(store)
        assert status.all_sent and status.last_receipt.head_seq == store.ledger_head()[0]
        assert_exactly_once(ralph.endpoint, store)
    assert main(["--data-dir", str(data), "records", "push", "--status"]) == 0
    out, _ = capsys.readouterr()
    assert "waiting" in out and "last receipt" in out and LRS_PASSWORD not in out


def test_ralph_is_stopped_by_its_own_process_id(tmp_path_factory):
    python = ralph_python()
    if python is None:
        pytest.skip("Ralph's LRS server is not installed here")
    server = Ralph(python, tmp_path_factory.mktemp("ralph-stop"))
    try:
        server.start()
    except RuntimeError as exc:
        pytest.skip(str(exc))
    proc = server.proc
    server.stop()
    assert proc.poll() is not None

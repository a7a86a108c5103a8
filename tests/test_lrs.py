"""The LRS outbox and push, without a network: a fake LRS that keeps statements the way xAPI says an LRS must.

The same behaviour against a real LRS (Ralph) is in test_lrs_ralph.py.
"""

from __future__ import annotations

import json
import subprocess
import sys
import threading

import pytest

from test_records_support import Clock, load_fixture_scenario, play
from trainer.cli import main
from trainer.records import Store
from trainer.records import lrs, outbox
from trainer.records.canonical import canonical_text
from trainer.records.export import export_json, export_xapi
from trainer.records.lrs import Credentials, LrsConfig, LrsError, Response, TransportError
from trainer.records.merge import import_file

PASSWORD = "pw-Zq8!long-enough"
CREDS = Credentials("trainee-7", PASSWORD)
URL = "https://lrs.example.org/xAPI/"


class FakeLrs:
    """Stores statements by id: 200 with new ids, 204 when all were known, 409 for a different one under a known id.

    `script` is a list of things to answer first, one per request: a Response, an exception to
    raise, or "store-then-drop" (keep the batch, then lose the answer).
    """

    def __init__(self, script=()):
        self.held: dict[str, str] = {}
        self.script = list(script)
        self.requests: list[tuple[str, str, dict, bytes]] = []

    def request(self, method, url, body, headers, timeout):
        self.requests.append((method, url, dict(headers), body))
        action = self.script.pop(0) if self.script else None
        if isinstance(action, BaseException):
            raise action
        if isinstance(action, Response):
            return action
        statements = json.loads(body)
        for s in statements:
            if s["id"] in self.held and self.held[s["id"]] != canonical_text(s):
                return Response(409, json.dumps({"message": f"conflict on {s['id']}"}).encode(), {})
        new = [s for s in statements if s["id"] not in self.held]
        for s in new:
            self.held[s["id"]] = canonical_text(s)
        if action == "store-then-drop":
            raise TransportError("the connection closed without an answer")
        if not new:
            return Response(204, b"", {})
        return Response(200, json.dumps([s["id"] for s in new]).encode(), {"x-experience-api-version": "1.0.3"})


def answer(status, body=b"", **headers):
    return Response(status, body if isinstance(body, bytes) else json.dumps(body).encode(), headers)


@pytest.fixture
def trainee(tmp_path):
    clock = Clock()
    store = Store.open(tmp_path / "data", clock=clock)
    t = store.add_trainee("Ada Lovelace", "PA-1")
    scenario = load_fixture_scenario(tmp_path)
    for i in range(4):
        play(store, t.id, scenario, clock, mode="assessment" if i == 3 else "practice")
    yield store, t, clock, scenario
    store.close()


def push(store, fake, *, config=None, **kw):
    kw.setdefault("sleep", lambda s: None)
    return lrs.push_pending(store, config or LrsConfig(URL), credentials=CREDS, transport=fake, **kw)


# --- the outbox ---------------------------------------------------------------------------------------------


def test_finishing_an_attempt_queues_it_in_the_same_transaction(trainee):
    store, t, clock, scenario = trainee
    queued = store._read("SELECT seq FROM outbox_queue ORDER BY seq")
    attempts = store._read("SELECT seq FROM ledger WHERE kind = 'attempt' ORDER BY seq")
    assert queued == attempts  # the trainee record is not queued: it makes no statements
    aid, _, _ = play(store, t.id, scenario, clock, finish=False)
    assert len(store._read("SELECT seq FROM outbox_queue")) == 4  # unfinished: nothing yet


def test_built_statements_are_exactly_the_export(trainee):
    store, *_ = trainee
    added = outbox.build(store)
    exported = export_xapi(store)
    assert added == len(exported)
    rows = store._read("SELECT statement_id, statement FROM outbox WHERE kind = 'record' ORDER BY n")
    assert [r[0] for r in rows] == [s["id"] for s in exported]
    assert [json.loads(r[1]) for r in rows] == exported
    assert outbox.build(store) == 0 and not store._read("SELECT * FROM outbox_queue")


def test_a_regrade_after_finishing_queues_the_voiding_and_the_new_verdict(trainee):
    from dataclasses import replace as dc_replace

    from trainer.engine.results import summarize
    from trainer.scoring.judgment import Override

    store, t, clock, scenario = trainee
    aid, state, done = play(store, t.id, scenario, clock, mode="assessment", choices=(2,))
    assert done.passed is False
    fake = FakeLrs()
    assert push(store, fake).exit_code == 0
    regraded = dc_replace(summarize(scenario, state), passed=True, score=0.8)
    store.add_override(aid, 1, Override("flag", "medication-advice", False, "was quoting the person", "coach"),
                       result=regraded)
    second = push(store, fake)
    held = [json.loads(v) for v in fake.held.values()]
    verbs = [s["verb"]["display"]["en-US"] for s in held if s.get("context", {}).get("registration") == aid]
    assert second.exit_code == 0 and second.sent == 2
    assert verbs.count("passed") == 1 and verbs.count("failed") == 1
    [void] = [s for s in held if s["verb"]["display"]["en-US"] == "voided"]
    [failed] = [s for s in held if s["verb"]["display"]["en-US"] == "failed"]
    assert void["object"] == {"objectType": "StatementRef", "id": failed["id"]}
    assert set(fake.held) >= {s["id"] for s in export_xapi(store)}


def test_attempts_finished_before_the_migration_are_backfilled(tmp_path, monkeypatch):
    import trainer.records.store as store_module

    monkeypatch.setattr(store_module, "MIGRATIONS", store_module.MIGRATIONS[:1])
    monkeypatch.setattr(store_module, "LATEST", 1)
    clock = Clock()
    old = Store.open(tmp_path / "data", clock=clock)
    t = old.add_trainee("Grace", "PA-2")
    scenario = load_fixture_scenario(tmp_path)
    play(old, t.id, scenario, clock)
    play(old, t.id, scenario, clock, mode="assessment")
    assert old.schema_version() == 1
    old.close()
    monkeypatch.undo()
    with Store.open(tmp_path / "data", clock=clock) as store:
        assert store.schema_version() == 2
        fake = FakeLrs()
        result = push(store, fake)
        assert result.exit_code == 0 and result.sent == len(export_xapi(store)) == 9


def test_imported_chains_are_not_queued(trainee, tmp_path):
    store, *_ = trainee
    path = tmp_path / "export.json"
    path.write_text(json.dumps(export_json(store)))
    with Store.open(tmp_path / "program") as program:
        assert import_file(program, path).added > 0
        assert program._read("SELECT count(*) FROM outbox_queue")[0][0] == 0
        assert lrs.outbox_status(program).waiting == 0


# --- pushing ------------------------------------------------------------------------------------------------


def test_a_push_posts_batches_with_basic_auth_and_the_xapi_version_then_a_ledger_head(trainee):
    store, *_ = trainee
    fake = FakeLrs()
    progress = []
    result = push(store, fake, config=LrsConfig(URL, batch_size=5), on_progress=lambda s, n: progress.append((s, n)))
    total = len(export_xapi(store))
    assert result.exit_code == 0 and result.sent == total and result.waiting == result.failed == 0
    assert len(fake.requests) == -(-total // 5) + 1
    for method, url, headers, body in fake.requests:
        assert (method, url) == ("POST", URL + "statements")
        assert headers["X-Experience-API-Version"] == "1.0.3"
        assert headers["Authorization"] == CREDS.header() and headers["Content-Type"].startswith("application/json")
        assert isinstance(json.loads(body), list)
    assert progress[-1] == (total, total)
    head = json.loads(fake.requests[-1][3])[0]
    seq, digest = store.ledger_head()
    assert head["verb"]["id"] == outbox.HEAD_VERB
    assert head["context"]["extensions"][outbox.HEAD_EXTENSION] == {"store": store.store_id, "seq": seq, "hash": digest}
    assert result.receipt.anchor == f"{seq}:{digest}" and result.receipt.lrs_version == "1.0.3"
    assert outbox.receipts(store) == [result.receipt]
    # Nothing new: no request at all, no receipt.
    again = push(store, fake)
    assert again.requests == 0 and again.receipt is None and len(outbox.receipts(store)) == 1


def test_the_head_statement_id_depends_only_on_the_ledger_head(trainee):
    store, t, clock, scenario = trainee
    seq, digest = store.ledger_head()
    a = outbox.head_statement(store, seq, digest, timestamp="2025-01-01T00:00:00Z")
    b = outbox.head_statement(store, seq, digest, timestamp="2026-01-01T00:00:00Z")
    c = outbox.head_statement(store, seq, "0" * 64)
    assert a["id"] == b["id"] != c["id"]
    assert lrs.check_statement(canonical_text(a)) == []


def test_lost_answers_are_resent_and_the_lrs_keeps_one_copy(trainee):
    store, *_ = trainee
    fake = FakeLrs(["store-then-drop", None, "store-then-drop"])
    result = push(store, fake, config=LrsConfig(URL, batch_size=4))
    assert result.exit_code == 0 and result.retries == 2
    assert set(fake.held) == {r[0] for r in store._read("SELECT statement_id FROM outbox")}
    assert outbox.status(store).sent == len(export_xapi(store))


def test_network_errors_and_5xx_are_retried_with_growing_delays(trainee):
    store, *_ = trainee
    fake = FakeLrs([TransportError("the connection was refused"), answer(503, {"detail": "busy"}),
                    answer(502), TransportError("no answer within 30 s")])
    delays = []
    result = push(store, fake, sleep=delays.append, seed=1)
    assert result.exit_code == 0 and result.retries == 4
    assert delays == sorted(delays) and 0.3 < delays[0] < 0.7 and delays[-1] > 2.5


def test_retrying_is_bounded_in_tries_and_in_time(trainee):
    store, *_ = trainee
    fake = FakeLrs([answer(500, {"detail": "boom"})] * 50)
    delays = []
    tries = push(store, fake, config=LrsConfig(URL, retry=lrs.RetryPolicy(max_tries=3)), sleep=delays.append)
    assert tries.exit_code == 1 and tries.sent == 0 and len(fake.requests) == 3 and len(delays) == 2
    assert "500" in tries.error and "boom" in tries.error and "3 tries" in tries.error
    assert tries.waiting == len(export_xapi(store))

    now = [0.0]
    fake = FakeLrs([TransportError("the connection was reset")] * 50)

    def sleep(seconds):
        now[0] += seconds

    timed = push(store, fake, config=LrsConfig(URL, retry=lrs.RetryPolicy(max_tries=100, max_seconds=20)),
                 sleep=sleep, clock=lambda: now[0])
    assert timed.exit_code == 1 and now[0] <= 20 and len(fake.requests) < 10
    assert "reset" in timed.error


def test_retry_after_is_honoured_up_to_the_cap(trainee):
    store, *_ = trainee
    fake = FakeLrs([answer(429, **{"retry-after": "7"}), answer(503, **{"retry-after": "3600"})])
    delays = []
    result = push(store, fake, sleep=delays.append)
    assert result.exit_code == 0 and delays[0] >= 7 and delays[1] == lrs.RetryPolicy().max_delay


@pytest.mark.parametrize("status, says", [(401, "refused user"), (403, "refused user"), (404, "no xAPI statements"),
                                          (405, "no xAPI statements"), (302, "moved to")])
def test_a_wrong_configuration_stops_the_push_and_marks_nothing(trainee, status, says):
    store, *_ = trainee
    fake = FakeLrs([answer(status, {"detail": "nope"}, location="https://elsewhere.example/xAPI/")])
    result = push(store, fake)
    assert result.exit_code == 2 and says in result.error and len(fake.requests) == 1
    assert outbox.status(store).sent == 0 and not outbox.receipts(store)


def test_a_conflict_in_a_batch_is_found_by_splitting_and_the_rest_is_sent(trainee):
    store, *_ = trainee
    outbox.build(store)
    rows = store._read("SELECT statement_id, statement FROM outbox ORDER BY n")
    victim_id, victim = rows[7]
    fake = FakeLrs()
    fake.held[victim_id] = victim.replace('"en-US":"', '"en-US":"changed ', 1)
    result = push(store, fake, config=LrsConfig(URL, batch_size=50))
    assert result.exit_code == 1 and len(result.conflicts) == 1 and victim_id in result.conflicts[0]
    assert "conflict on" in result.conflicts[0]
    assert result.sent == len(rows) - 1 and result.failed == 1 and result.receipt is not None
    assert len(fake.requests) <= 2 * len(rows).bit_length() + 2
    assert fake.held[victim_id] != victim  # the LRS's copy is untouched
    assert push(store, fake).requests == 0  # set aside, not retried forever
    assert len(push(store, fake, retry_failed=True).conflicts) == 1


def test_other_statement_level_4xx_are_rejected_with_the_lrs_message(trainee):
    store, *_ = trainee
    outbox.build(store)
    bad_id = store._read("SELECT statement_id FROM outbox ORDER BY n LIMIT 1 OFFSET 2")[0][0]

    class Picky(FakeLrs):
        def request(self, method, url, body, headers, timeout):
            if bad_id.encode() in body:
                self.requests.append((method, url, dict(headers), body))
                return answer(400, {"errors": [{"loc": ["body", 0, "result"], "msg": "Field not allowed"}]})
            return super().request(method, url, body, headers, timeout)

    fake = Picky()
    result = push(store, fake, config=LrsConfig(URL, batch_size=8))
    assert result.exit_code == 1 and len(result.rejected) == 1
    assert bad_id in result.rejected[0] and "body.0.result: Field not allowed" in result.rejected[0]
    assert bad_id not in fake.held and len(fake.held) == len(export_xapi(store))  # the rest + the head


def test_statements_are_checked_before_they_leave(trainee):
    store, *_ = trainee
    outbox.build(store)
    sid, text = store._read("SELECT statement_id, statement FROM outbox WHERE verb = 'answered' ORDER BY n LIMIT 1")[0]
    typed = json.loads(text)
    typed["object"]["definition"]["interactionType"] = "long-fill-in"
    typed["result"] = {"response": "my own diagnosis"}
    with store._write() as conn:
        conn.execute("UPDATE outbox SET statement = ? WHERE statement_id = ?", (canonical_text(typed), sid))
    fake = FakeLrs()
    result = push(store, fake)
    assert result.exit_code == 1 and "typed response" in result.rejected[0]
    assert sid not in fake.held and b"my own diagnosis" not in b"".join(r[3] for r in fake.requests)
    s = json.loads(text)
    assert lrs.check_statement(canonical_text(dict(s, actor={"mbox": "mailto:a@b.c"})))
    assert lrs.check_statement(canonical_text(dict(s, version="1.0.0")))
    assert lrs.check_statement(canonical_text(dict(s, actor={"account": {"homePage": "example", "name": "x"}})))
    assert lrs.check_statement("{") == ["it is not JSON"]


def test_nothing_is_sent_from_a_broken_ledger(trainee):
    store, *_ = trainee
    with store._write() as conn:
        body = conn.execute("SELECT body FROM ledger WHERE seq = 2").fetchone()[0]
        conn.execute("UPDATE ledger SET body = ? WHERE seq = 2", (body.replace('"practice"', '"assessment"', 1),))
    fake = FakeLrs()
    result = push(store, fake)
    assert result.exit_code == 1 and "does not verify" in result.error and not fake.requests


def test_credentials_never_appear_in_what_is_printed(trainee):
    store, *_ = trainee
    token = CREDS.header()
    assert PASSWORD not in repr(CREDS) and PASSWORD not in str(CREDS)
    echo = {"detail": f"bad login {PASSWORD} with header {token}"}
    result = push(store, FakeLrs([answer(401, echo)]))
    assert result.exit_code == 2 and PASSWORD not in result.error and token[6:] not in result.error
    result = push(store, FakeLrs([answer(400, echo)] * 100), config=LrsConfig(URL, batch_size=100))
    assert result.rejected and all(PASSWORD not in line and token[6:] not in line for line in result.rejected)


def test_a_second_push_at_the_same_time_waits_then_says_so(trainee):
    store, *_ = trainee
    holder = lrs._PushLock(store.path.parent)
    assert holder.acquire(0)
    try:
        result = push(store, FakeLrs(), lock_wait=0.1)
        assert result.exit_code == 1 and "another peer-trainer" in result.error
    finally:
        holder.release()
    assert push(store, FakeLrs()).exit_code == 0


def test_a_cancelled_push_stops_between_tries(trainee):
    store, *_ = trainee
    cancel = threading.Event()
    cancel.set()
    result = push(store, FakeLrs(), cancel=cancel)
    assert result.exit_code == 1 and "stopped" in result.error and result.requests == 0


def test_outbox_status_for_the_app(trainee):
    store, t, clock, scenario = trainee
    before = lrs.outbox_status(store)
    assert before.sent == 0 and before.waiting == len(export_xapi(store)) and not before.all_sent
    push(store, FakeLrs())
    after = lrs.outbox_status(store, trainee_id=t.id)
    assert after.all_sent and after.sent == before.waiting and after.last_receipt is not None
    assert after.summary() == f"{after.sent} sent, 0 waiting"


# --- configuration and credentials --------------------------------------------------------------------------


@pytest.mark.parametrize("given, expected", [
    ("https://lrs.example.org/xAPI", "https://lrs.example.org/xAPI/"),
    ("https://lrs.example.org/xAPI/statements", "https://lrs.example.org/xAPI/"),
    ("https://LRS.example.org:8443/", "https://lrs.example.org:8443/"),
    ("http://127.0.0.1:8100/xAPI/", "http://127.0.0.1:8100/xAPI/"),
    ("http://localhost/xAPI/", "http://localhost/xAPI/"),
])
def test_endpoints_are_normalized(given, expected):
    assert lrs.normalize_endpoint(given) == expected


@pytest.mark.parametrize("given, says", [
    ("http://lrs.example.org/xAPI/", "plain http"),
    ("https://user:secret@lrs.example.org/xAPI/", "not in the address"),
    ("ftp://lrs.example.org/", "not an http(s) address"),
    ("lrs.example.org/xAPI", "not an http(s) address"),
    ("https://lrs.example.org/xAPI/?x=1", "query"),
])
def test_unsafe_or_wrong_endpoints_are_refused(given, says):
    with pytest.raises(LrsError, match=says.replace("(", r"\(").replace(")", r"\)")) as info:
        lrs.normalize_endpoint(given)
    assert "secret" not in str(info.value)


def test_config_file_round_trip_holds_no_password(tmp_path):
    pw = tmp_path / "pw"
    pw.write_text(PASSWORD + "\n")
    pw.chmod(0o600)
    path = lrs.save_config(tmp_path, LrsConfig(URL, auto_push=True, user="trainee-7", password_file=pw, batch_size=20))
    assert path.stat().st_mode & 0o077 == 0 and PASSWORD not in path.read_text()
    config = lrs.load_config(tmp_path)
    assert (config.endpoint, config.auto_push, config.user, config.batch_size) == (URL, True, "trainee-7", 20)
    assert lrs.auto_push_config(tmp_path) == config
    creds = lrs.resolve_credentials(config, environ={})
    assert creds.user == "trainee-7" and creds.header() == CREDS.header()
    assert lrs.load_config(tmp_path / "nowhere") is None


@pytest.mark.parametrize("text, says", [
    ("endpoint: https://lrs.example.org/xAPI/\npassword: hunter2\n", "must not be written"),
    ("endpoint: https://lrs.example.org/xAPI/\ncolour: red\n", "unknown key 'colour'"),
    ("auto_push: true\n", "'endpoint:'"),
    ("endpoint: https://lrs.example.org/xAPI/\nbatch_size: 0\n", "'batch_size'"),
    ("endpoint: https://lrs.example.org/xAPI/\nauto_push: sometimes\n", "'auto_push'"),
    ("endpoint: [unclosed\n", "not valid YAML"),
    ("- just a list\n", "expected keys"),
])
def test_a_bad_config_file_is_one_line(tmp_path, text, says):
    (tmp_path / "lrs.yaml").write_text(text)
    with pytest.raises(LrsError) as info:
        lrs.load_config(tmp_path)
    assert says in str(info.value) and "\n" not in str(info.value) and "hunter2" not in str(info.value)


def test_credentials_come_from_flags_then_environment_then_config(tmp_path):
    pw = tmp_path / "pw"
    pw.write_text("from-file\n")
    pw.chmod(0o600)
    config = LrsConfig(URL, user="config-user", password_file=pw)
    env = {lrs.USER_ENV: "env-user", lrs.PASSWORD_ENV: "from-env"}

    def header(user, password):
        return Credentials(user, password).header()

    assert lrs.resolve_credentials(config, user="flag-user", password_file=pw, environ=env).header() == header("flag-user", "from-file")
    assert lrs.resolve_credentials(config, environ=env).header() == header("env-user", "from-env")
    assert lrs.resolve_credentials(config, environ={}).header() == header("config-user", "from-file")
    with pytest.raises(LrsError, match="no LRS user name"):
        lrs.resolve_credentials(None, environ={lrs.PASSWORD_ENV: "x"})
    with pytest.raises(LrsError, match="no LRS password"):
        lrs.resolve_credentials(None, user="u", environ={})
    pw.chmod(0o644)
    with pytest.raises(LrsError, match="read by others"):
        lrs.resolve_credentials(None, user="u", password_file=pw, environ={})


# --- the command ----------------------------------------------------------------------------------------------


def _one_line_error(capsys):
    out, err = capsys.readouterr()
    assert err.count("\n") == 1 and err.startswith("peer-trainer: ") and "Traceback" not in err
    return out, err


def test_cli_without_an_lrs_address_is_a_usage_error(trainee, capsys):
    store, *_ = trainee
    assert main(["--data-dir", str(store.path.parent), "records", "push"]) == 2
    _, err = _one_line_error(capsys)
    assert "no LRS address" in err


def test_cli_with_a_bad_config_file_is_one_line(trainee, capsys):
    store, *_ = trainee
    (store.path.parent / "lrs.yaml").write_text("endpoint: [\n")
    assert main(["--data-dir", str(store.path.parent), "records", "push"]) == 2
    _one_line_error(capsys)


def test_cli_exit_1_when_the_lrs_cannot_be_reached(trainee, capsys, monkeypatch):
    import socket

    store, *_ = trainee
    with socket.socket() as s:  # a port on this machine with nothing listening
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    monkeypatch.setenv(lrs.USER_ENV, "u")
    monkeypatch.setenv(lrs.PASSWORD_ENV, PASSWORD)
    code = main(["--data-dir", str(store.path.parent), "records", "push", "--lrs", f"http://127.0.0.1:{port}/xAPI/",
                 "--max-time", "1"])
    out, err = _one_line_error(capsys)
    assert code == 1 and "refused" in err and PASSWORD not in out + err
    assert "0 statements sent" in out and "waiting" in out
    assert main(["--data-dir", str(store.path.parent), "records", "push", "--status", "--format", "json"]) == 0
    status = json.loads(capsys.readouterr().out)
    assert status["sent"] == 0 and status["waiting"] == len(export_xapi(store)) and status["last_receipt"] is None


def test_the_push_code_does_not_import_textual():
    code = ("import sys, trainer.records.lrs, trainer.cli.records; "
            "assert 'textual' not in sys.modules, 'textual imported'")
    subprocess.run([sys.executable, "-c", code], check=True, timeout=60)


def test_a_read_only_store_is_refused_before_anything_is_sent(trainee):
    store, *_ = trainee
    folder = store.path.parent
    store.close()
    with Store.open(folder, readonly=True) as ro:
        fake = FakeLrs()
        with pytest.raises(LrsError, match="read-only"):
            push(ro, fake)
        assert not fake.requests

"""The app sends records to a program's LRS by itself when an attempt finishes (issue 8, docs/lrs.md).

A small fake LRS runs on 127.0.0.1 in this process (real HTTP through the app's own
transport). It keeps statements by id the way xAPI says an LRS must, can fail with 503, and
can hold its answer until the test lets it go, which shows the push happens off the UI's
thread: the trainee reaches the debrief while the LRS has not answered.
"""

from __future__ import annotations

import asyncio
import http.server
import json
import threading
from base64 import b64encode

import pytest
from textual.widgets import Static

from test_tui_support import async_test, build_app, wait_idle
from test_tui_app import SIZE, open_scenario, screen_name, shown
from trainer.tui.messages import RecordsChecked, RecordsSending
from trainer.tui.sending import SendingStatus

USER = "site-harrisburg"
PASSWORD = "s3cret-Horse-battery-42"


class FakeLrs:
    """POST {base}statements with Basic auth; `fail` answers 503, `hold` delays every answer until set."""

    def __init__(self):
        self.held: dict[str, dict] = {}
        self.requests = 0
        self.answered = 0
        self.fail = False
        self.hold = threading.Event()
        self.hold.set()
        self.waiting = threading.Event()  # a request is being held
        lrs = self

        class Handler(http.server.BaseHTTPRequestHandler):
            def log_message(self, *args):
                pass

            def do_POST(self):
                body = self.rfile.read(int(self.headers.get("Content-Length") or 0))
                lrs.requests += 1
                lrs.waiting.set()
                lrs.hold.wait(30)
                lrs.answered += 1
                token = b64encode(f"{USER}:{PASSWORD}".encode()).decode()
                if self.headers.get("Authorization") != f"Basic {token}":
                    return self.answer(401, {"detail": "Invalid authentication credentials"})
                if self.path != "/xAPI/statements":
                    return self.answer(404, {"detail": "Not Found"})
                if lrs.fail:  # an LRS that echoes what it got must not leak the password onto the screen
                    return self.answer(503, {"detail": f"down for maintenance (you sent {PASSWORD})"})
                statements = json.loads(body)
                new = [s for s in statements if s["id"] not in lrs.held]
                for s in new:
                    lrs.held[s["id"]] = s
                return self.answer(200, [s["id"] for s in new])

            def answer(self, status, payload):
                data = json.dumps(payload).encode()
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                self.send_header("X-Experience-API-Version", "1.0.3")
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

        self.server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.server.daemon_threads = True
        self.thread = threading.Thread(target=self.server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True)
        self.thread.start()

    @property
    def endpoint(self) -> str:
        return f"http://127.0.0.1:{self.server.server_address[1]}/xAPI/"

    def registrations(self) -> set[str]:
        return {s["context"]["registration"] for s in self.held.values() if "registration" in s.get("context", {})}

    def close(self):
        self.hold.set()
        self.server.shutdown()
        self.server.server_close()
        self.thread.join(5)


@pytest.fixture
def lrs():
    fake = FakeLrs()
    yield fake
    fake.close()


@pytest.fixture
def credentials(monkeypatch):
    monkeypatch.setenv("PEER_TRAINER_LRS_USER", USER)
    monkeypatch.setenv("PEER_TRAINER_LRS_PASSWORD", PASSWORD)


def configure(tmp_path, endpoint: str, **extra) -> None:
    data = tmp_path / "data"
    data.mkdir(parents=True, exist_ok=True)
    lines = [f"endpoint: {endpoint}", "auto_push: true", "max_tries: 1"] + [f"{k}: {v}" for k, v in extra.items()]
    (data / "lrs.yaml").write_text("\n".join(lines) + "\n", encoding="utf-8")


async def finish_loan(pilot, app, choice: str = "1") -> str:
    """Play the short assessment to its ending (which records it) and open the debrief; the attempt id."""
    session = await open_scenario(pilot, app, "fixture-loan", "a")
    await pilot.press(choice)
    await pilot.pause()
    assert session.state.finished
    await pilot.press("enter")
    await pilot.pause()
    assert screen_name(app) == "DebriefScreen"
    return session.attempt_id


async def until(pilot, predicate, limit: float = 10.0) -> None:
    """Let the app run until predicate() holds (the LRS is in another thread)."""
    for _ in range(int(limit / 0.05)):
        if predicate():
            return
        await pilot.pause(0.05)
    raise AssertionError("timed out")


def status_line(app) -> str:
    widget = app.screen.query_one("#records-status", Static)
    return shown(widget).strip() if widget.display else ""


@async_test
async def test_finishing_an_attempt_sends_its_records_in_the_background(tmp_path, lrs, credentials):
    configure(tmp_path, lrs.endpoint)
    app = build_app(tmp_path, with_trainee=True)
    seen = []
    async with app.run_test(size=SIZE, message_hook=seen.append) as pilot:
        await wait_idle(pilot, app)
        assert lrs.requests == 0  # nothing waited at start, so nothing was sent
        assert status_line(app) == "Records: nothing to send yet"

        lrs.hold.clear()  # the LRS takes its time with the next request
        attempt_id = await finish_loan(pilot, app)
        await until(pilot, lrs.waiting.is_set)
        await pilot.pause()
        # the trainee is reading the debrief while the LRS has not answered yet
        assert app.sending.busy and status_line(app).startswith("Records: sending")
        await pilot.press("w")  # and the screen still takes keys
        await pilot.pause()
        assert app.screen.focused.id == "reflection"

        lrs.hold.set()
        await wait_idle(pilot, app)
        assert lrs.registrations() == {attempt_id}
        assert status_line(app) == "Records: all sent"
        assert app.sending == SendingStatus(configured=True, sent=len(lrs.held) - 1, waiting=0)  # less the ledger head
        assert any(isinstance(m, RecordsSending) for m in seen)
        (pushed,) = [m for m in seen if isinstance(m, RecordsChecked) and m.pushed]
        assert pushed.status.waiting == 0

        await pilot.press("escape", "escape")  # the catalog says the same
        await pilot.pause()
        assert screen_name(app) == "CatalogScreen"
        assert status_line(app) == "Records: all sent"


@async_test
async def test_an_lrs_that_fails_leaves_the_records_waiting_and_says_so(tmp_path, lrs, credentials):
    configure(tmp_path, lrs.endpoint)
    lrs.fail = True
    app = build_app(tmp_path, with_trainee=True)
    async with app.run_test(size=SIZE) as pilot:
        await wait_idle(pilot, app)
        first = await finish_loan(pilot, app)
        await wait_idle(pilot, app)
        line = status_line(app)
        assert line.startswith("Records: ") and " waiting to send · last send failed: the LRS answered 503" in line
        assert app.sending.waiting > 0 and lrs.held == {}
        assert PASSWORD not in line and PASSWORD not in app.sending.problem  # scrubbed, even when the LRS echoes it
        assert "***" in app.sending.problem
        assert any("could not be sent yet" in n.message for n in app._notifications)

        lrs.fail = False  # the LRS is back: the next finished attempt takes the waiting ones along
        await pilot.press("escape")
        await pilot.pause()
        second = await finish_loan(pilot, app, "2")
        await wait_idle(pilot, app)
        assert lrs.registrations() == {first, second}
        assert status_line(app) == "Records: all sent"


@async_test
async def test_records_left_waiting_are_sent_when_the_app_starts(tmp_path, lrs, credentials):
    configure(tmp_path, lrs.endpoint)
    lrs.fail = True
    app = build_app(tmp_path, with_trainee=True)
    async with app.run_test(size=SIZE) as pilot:
        attempt_id = await finish_loan(pilot, app)
        await wait_idle(pilot, app)
        assert app.sending.waiting
        trainee = app.trainee
    lrs.fail = False
    from test_tui_support import open_records

    again = build_app(tmp_path, records=open_records(tmp_path / "data"), trainee=trainee)
    async with again.run_test(size=SIZE) as pilot:
        await wait_idle(pilot, again)
        assert lrs.registrations() == {attempt_id}
        assert status_line(again) == "Records: all sent"


@async_test
async def test_without_credentials_nothing_is_sent_and_the_line_says_why(tmp_path, lrs, monkeypatch):
    monkeypatch.delenv("PEER_TRAINER_LRS_USER", raising=False)
    monkeypatch.delenv("PEER_TRAINER_LRS_PASSWORD", raising=False)
    configure(tmp_path, lrs.endpoint)
    app = build_app(tmp_path, with_trainee=True)
    async with app.run_test(size=SIZE) as pilot:
        await finish_loan(pilot, app)
        await wait_idle(pilot, app)
        assert lrs.requests == 0
        line = status_line(app)
        assert "waiting to send · last send failed: no LRS user or password" in line


@async_test
async def test_with_no_endpoint_nothing_is_attempted_or_shown(tmp_path):
    app = build_app(tmp_path, with_trainee=True)
    seen = []
    async with app.run_test(size=SIZE, message_hook=seen.append) as pilot:
        await finish_loan(pilot, app)
        await wait_idle(pilot, app)
        assert status_line(app) == ""
        await pilot.press("escape")
        await pilot.pause()
        assert status_line(app) == ""
        assert app.sending == SendingStatus()
        assert not any(isinstance(m, RecordsSending) for m in seen)
        assert not (tmp_path / "data" / "lrs-push.lock").exists()  # no push even began


@async_test
async def test_auto_push_off_is_the_same_as_no_endpoint(tmp_path, lrs, credentials):
    (tmp_path / "data").mkdir()
    (tmp_path / "data" / "lrs.yaml").write_text(f"endpoint: {lrs.endpoint}\nauto_push: false\n", encoding="utf-8")
    app = build_app(tmp_path, with_trainee=True)
    async with app.run_test(size=SIZE) as pilot:
        await finish_loan(pilot, app)
        await wait_idle(pilot, app)
        assert lrs.requests == 0 and status_line(app) == ""


@async_test
async def test_a_broken_lrs_yaml_is_one_line_not_a_crash(tmp_path):
    (tmp_path / "data").mkdir()
    (tmp_path / "data" / "lrs.yaml").write_text("endpoint: [unclosed\n", encoding="utf-8")
    app = build_app(tmp_path, with_trainee=True)
    async with app.run_test(size=SIZE) as pilot:
        await finish_loan(pilot, app)
        await wait_idle(pilot, app)
        line = status_line(app)
        assert line.startswith("Records: not sent: ") and "lrs.yaml" in line and "not valid YAML" in line


def test_quitting_does_not_wait_for_an_lrs_that_does_not_answer(tmp_path, lrs, credentials):
    configure(tmp_path, lrs.endpoint, timeout_seconds=600)
    lrs.hold.clear()
    app = build_app(tmp_path, with_trainee=True)

    async def play_and_quit():
        async with app.run_test(size=SIZE) as pilot:
            await finish_loan(pilot, app)
            await until(pilot, lrs.waiting.is_set)
            await pilot.press("ctrl+q")
            await pilot.pause()

    asyncio.run(play_and_quit())  # returns only when the app and its worker threads are done
    # ... and that was while the LRS still held the request (it answers after 30 s)
    assert lrs.answered == 0

"""Whether this machine's records have reached the program's Learning Record Store (docs/lrs.md).

No Textual here. `check_and_send` is what the app's thread worker runs after an attempt
finishes (and at start-up, when something is waiting): it reads `lrs.yaml`, pushes with
`trainer.records.lrs.push_pending` (imported only here, inside the worker), and returns a `SendingStatus` for the indicator. With no
`lrs.yaml` (or `auto_push: false`) it does nothing at all: no network, no outbox work.
"""

from __future__ import annotations

import threading
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Callable, TypeVar

T = TypeVar("T")


@dataclass(frozen=True)
class SendingStatus:
    """What the records indicator says. Counts are statements of the signed-in trainee (or the store)."""

    configured: bool = False
    busy: bool = False
    progress: tuple[int, int] | None = None  # (sent, total) of the push under way
    sent: int = 0
    waiting: int | None = 0  # None: not counted (lrs.yaml could not be read)
    failed: int = 0  # refused by the LRS (conflicts, rejections): not sent again unless asked
    problem: str = ""  # why the last push stopped early, or could not start; one line, no secrets

    @property
    def level(self) -> str:
        """ok, waiting or problem: how the line is styled."""
        if self.busy:
            return "waiting"
        if self.problem or self.failed or self.waiting is None:
            return "problem"
        return "waiting" if self.waiting else "ok"

    def line(self) -> str:
        if not self.configured:
            return ""
        if self.busy:
            if self.progress and self.progress[1]:
                return f"Records: sending {self.progress[0]} of {self.progress[1]}…"
            return "Records: sending…"
        if self.waiting is None:
            return f"Records: not sent: {self.problem}" if self.problem else "Records: not sent"
        if self.waiting:
            head = f"Records: {self.waiting} waiting to send"
        elif self.failed:
            head = "Records: sent"
        elif self.sent:
            head = "Records: all sent"
        else:
            head = "Records: nothing to send yet"
        parts = [head]
        if self.failed:
            parts.append(f"{self.failed} not accepted by the LRS")
        if self.problem and self.waiting:
            parts.append(f"last send failed: {self.problem}")
        return " · ".join(parts)


def check_and_send(store: Any, data_dir: Path, *, push: bool | None, trainee_id: str | None = None,
                   cancel: threading.Event | None = None, on_start: Callable[[], None] | None = None,
                   on_progress: Callable[[int, int], None] | None = None) -> SendingStatus:
    """Read the configuration, push (always, never, or when None only if something waits), and count.

    Runs in a worker thread: `on_start` and `on_progress` are called from it (post a message,
    touch no widget). Never raises: every problem becomes the status's one line.
    """
    from trainer.records import lrs

    try:
        config = lrs.auto_push_config(Path(data_dir))
    except lrs.LrsError as exc:
        return SendingStatus(configured=True, waiting=None, problem=_one_line(exc))
    except Exception as exc:  # noqa: BLE001 - the indicator says it; the app goes on
        return SendingStatus(configured=True, waiting=None, problem=_one_line(exc))
    if config is None:
        return SendingStatus()
    problem = ""
    try:
        if push is None:
            push = lrs.outbox_status(store).waiting > 0
        if push:
            if on_start is not None:
                on_start()
            try:
                credentials = lrs.resolve_credentials(config)
            except lrs.LrsError as exc:
                problem = (f"no LRS user or password (set {lrs.USER_ENV} and {lrs.PASSWORD_ENV}, or password_file "
                           "in lrs.yaml)") if str(exc).startswith("no LRS ") else _one_line(exc)
            else:
                result = lrs.push_pending(store, config, credentials=credentials, cancel=cancel,
                                          on_progress=on_progress)
                problem = _one_line(result.error) if result.error else ""
        counts = lrs.outbox_status(store, trainee_id=trainee_id)
    except Exception as exc:  # noqa: BLE001 - LrsError, StoreError, or a bug: one line, not a crash
        return SendingStatus(configured=True, waiting=None, problem=_one_line(exc))
    return SendingStatus(configured=True, sent=counts.sent, waiting=counts.waiting, failed=counts.failed,
                         problem=problem)


def wait_unless(work: Callable[[], T], stop: Callable[[], bool], poll: float = 0.1) -> tuple[bool, T | None]:
    """Run `work` in a daemon thread and wait for it, giving up once `stop()` is true.

    Quitting the app must not wait for an LRS that does not answer (a request can take its
    whole timeout). A push is safe to abandon: what it had not marked sent is sent again
    next time under the same statement ids, so its thread is left to end with the process.
    Returns (finished, value); an exception in `work` is raised here.
    """
    box: dict[str, Any] = {}

    def run() -> None:
        try:
            box["value"] = work()
        except BaseException as exc:  # noqa: BLE001 - handed to the waiting thread
            box["error"] = exc

    thread = threading.Thread(target=run, name="peer-trainer-lrs-push", daemon=True)
    thread.start()
    while thread.is_alive():
        thread.join(poll)
        if thread.is_alive() and stop():
            return False, None
    if "error" in box:
        raise box["error"]
    return True, box.get("value")


def _one_line(value: object) -> str:
    text = " ".join(str(value).split()) or type(value).__name__
    return text if len(text) <= 300 else text[:299] + "…"

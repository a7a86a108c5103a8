"""The LRS outbox: this store's xAPI statements waiting for a program's Learning Record Store.

A finished attempt's ledger record is queued by a trigger in the transaction that appends it
(schema migration 2). `build` turns queued records into statements with the same code as
`records export --format xapi` (deterministic ids, no free text) and freezes their text, so a
resend after a crash or a lost answer is byte-identical and a conformant LRS stores it once.
A statement is marked sent only when the LRS acknowledged the request that carried it.
Nothing here touches the network; `trainer.records.lrs` does.
"""

from __future__ import annotations

import json
import uuid
from dataclasses import dataclass
from typing import Any, Iterable

from trainer.records import xapi
from trainer.records.canonical import canonical_text
from trainer.records.store import Store, iso

# The statement a push ends with: "this store's ledger had head SEQ with hash HASH".
HEAD_VERB = "https://peer-trainer.invalid/xapi/verbs/recorded-ledger-head"
HEAD_EXTENSION = xapi.ext("ledger-head")
LEDGER_ACTIVITY_TYPE = "https://peer-trainer.invalid/xapi/activities/ledger"

FAILED = ("conflict", "rejected")


@dataclass(frozen=True)
class OutboxItem:
    statement_id: str
    n: int
    kind: str  # 'record' or 'head'
    ledger_seq: int
    attempt_id: str | None
    verb: str
    text: str  # the frozen canonical JSON

    def describe(self) -> str:
        if self.kind == "head":
            return f"statement {self.statement_id} (ledger head at record {self.ledger_seq})"
        return f"statement {self.statement_id} ({self.verb} of attempt {self.attempt_id})"


@dataclass(frozen=True)
class Receipt:
    id: int
    pushed_at: str
    endpoint: str
    store_id: str
    head_seq: int
    head_hash: str
    head_statement_id: str
    sent: int
    waiting: int
    failed: int
    lrs_version: str | None

    @property
    def anchor(self) -> str:
        """What `peer-trainer records verify --anchor` takes."""
        return f"{self.head_seq}:{self.head_hash}"


@dataclass(frozen=True)
class OutboxStatus:
    """Counts of statements: acknowledged by the LRS, waiting to be sent, refused (conflict or rejected)."""

    sent: int
    waiting: int
    failed: int
    last_receipt: Receipt | None = None

    @property
    def all_sent(self) -> bool:
        return self.waiting == 0 and self.failed == 0

    def summary(self) -> str:
        text = f"{self.sent} sent, {self.waiting} waiting"
        if self.failed:
            text += f", {self.failed} not accepted"
        return text


# --- building -------------------------------------------------------------------------------------


def build(store: Store) -> int:
    """Turn queued ledger records into frozen statements; returns how many statements were added."""
    if store.readonly:
        return 0
    p = store.policy
    added = 0
    with store._write() as conn:
        queued = conn.execute(
            "SELECT q.seq, l.body FROM outbox_queue q LEFT JOIN ledger l ON l.store_id = q.store_id AND l.seq = q.seq "
            "WHERE q.store_id = ? ORDER BY q.seq", (store.store_id,)).fetchall()
        if not queued:
            return 0
        n = conn.execute("SELECT coalesce(max(n), 0) FROM outbox").fetchone()[0]
        now = iso(store.now())
        for seq, body_text in queued:
            conn.execute("DELETE FROM outbox_queue WHERE store_id = ? AND seq = ?", (store.store_id, seq))
            if body_text is None:
                continue
            body = json.loads(body_text)
            attempt, overrides = _attempt_and_overrides(conn, store.store_id, body, seq)
            if attempt is None:
                continue
            statements = xapi.attempt_statements(attempt, account_homepage=p.account_homepage,
                                                 activity_base=p.activity_base, overrides=overrides)
            for s in statements:
                n += 1
                cur = conn.execute(
                    "INSERT OR IGNORE INTO outbox (statement_id, n, kind, ledger_seq, attempt_id, trainee_id, verb, "
                    "statement, queued_at) VALUES (?, ?, 'record', ?, ?, ?, ?, ?, ?)",
                    (s["id"], n, seq, attempt["attempt_id"], attempt["trainee"]["id"],
                     s["verb"]["display"]["en-US"], canonical_text(s), now))
                added += cur.rowcount
    return added


def _attempt_and_overrides(conn, store_id: str, body: dict, seq: int) -> tuple[dict | None, list[dict]]:
    """The attempt a record belongs to and its re-grades up to that record (the same input as the export)."""
    if body.get("kind") == "attempt":
        return body, []
    row = conn.execute("SELECT body FROM ledger WHERE store_id = ? AND kind = 'attempt' AND attempt_id = ?",
                       (store_id, body.get("attempt_id"))).fetchone()
    if row is None:
        return None, []
    overrides = [json.loads(r[0]) for r in conn.execute(
        "SELECT body FROM ledger WHERE store_id = ? AND kind = 'override' AND attempt_id = ? AND seq <= ? ORDER BY seq",
        (store_id, body.get("attempt_id"), seq))]
    return json.loads(row[0]), [o for o in overrides if o.get("regrade")]


def head_statement(store: Store, seq: int, digest: str, *, timestamp: str | None = None) -> dict[str, Any]:
    """The statement carrying the ledger head; its id depends only on (store, seq, hash)."""
    p = store.policy
    sid = str(uuid.uuid5(xapi.STATEMENT_NAMESPACE, f"ledger-head/{store.store_id}/{seq}/{digest}"))
    return {
        "id": sid,
        "actor": {"objectType": "Agent", "account": {"homePage": p.account_homepage,
                                                     "name": f"peer-trainer-store:{store.store_id}"}},
        "verb": {"id": HEAD_VERB, "display": {"en-US": "recorded ledger head"}},
        "object": {
            "objectType": "Activity",
            "id": f"{p.activity_base}/ledgers/{store.store_id}",
            "definition": {"type": LEDGER_ACTIVITY_TYPE, "name": {"en-US": "peer-trainer training records ledger"}},
        },
        "context": {
            "platform": "peer-trainer",
            "extensions": {HEAD_EXTENSION: {"store": store.store_id, "seq": seq, "hash": digest}},
        },
        "timestamp": timestamp or iso(store.now()),
        "version": xapi.XAPI_VERSION,
    }


def queue_head(store: Store) -> OutboxItem | None:
    """Queue the statement for the current ledger head unless it is already in the outbox."""
    seq, digest = store.ledger_head()
    if seq == 0:
        return None
    s = head_statement(store, seq, digest)
    with store._write() as conn:
        row = conn.execute("SELECT statement_id FROM outbox WHERE statement_id = ?", (s["id"],)).fetchone()
        if row is None:
            n = conn.execute("SELECT coalesce(max(n), 0) + 1 FROM outbox").fetchone()[0]
            conn.execute("INSERT INTO outbox (statement_id, n, kind, ledger_seq, verb, statement, queued_at) "
                         "VALUES (?, ?, 'head', ?, 'recorded ledger head', ?, ?)",
                         (s["id"], n, seq, canonical_text(s), iso(store.now())))
    return item(store, s["id"])


# --- reading --------------------------------------------------------------------------------------

_COLUMNS = "statement_id, n, kind, ledger_seq, attempt_id, verb, statement"


def item(store: Store, statement_id: str) -> OutboxItem | None:
    rows = store._read(f"SELECT {_COLUMNS} FROM outbox WHERE statement_id = ?", (statement_id,))
    return OutboxItem(*rows[0]) if rows else None


def waiting(store: Store, *, kind: str = "record") -> list[OutboxItem]:
    return [OutboxItem(*r) for r in store._read(
        f"SELECT {_COLUMNS} FROM outbox WHERE status = 'waiting' AND kind = ? ORDER BY n", (kind,))]


def status(store: Store, *, trainee_id: str | None = None) -> OutboxStatus:
    """Counts of attempt statements (the head statements are bookkeeping, not counted)."""
    sql = "SELECT status, count(*) FROM outbox WHERE kind = 'record'"
    params: tuple = ()
    if trainee_id:
        sql += " AND trainee_id = ?"
        params = (trainee_id,)
    counts = {s: int(c) for s, c in store._read(sql + " GROUP BY status", params)}
    unbuilt = 0
    if not trainee_id:
        # Records queued but not built yet (a read-only store cannot build them): each has statements.
        unbuilt = int(store._read("SELECT count(*) FROM outbox_queue WHERE store_id = ?", (store.store_id,))[0][0])
    return OutboxStatus(sent=counts.get("sent", 0), waiting=counts.get("waiting", 0) + unbuilt,
                        failed=sum(counts.get(s, 0) for s in FAILED), last_receipt=last_receipt(store))


def problems(store: Store) -> list[tuple[str, str, str]]:
    """(statement id, status, problem) of every statement the LRS did not accept."""
    return [(r[0], r[1], r[2] or "") for r in store._read(
        "SELECT statement_id, status, problem FROM outbox WHERE status IN ('conflict', 'rejected') ORDER BY n")]


def last_receipt(store: Store) -> Receipt | None:
    rows = store._read("SELECT id, pushed_at, endpoint, store_id, head_seq, head_hash, head_statement_id, sent, waiting, "
                       "failed, lrs_version FROM receipts ORDER BY id DESC LIMIT 1")
    return Receipt(*rows[0]) if rows else None


def receipts(store: Store) -> list[Receipt]:
    return [Receipt(*r) for r in store._read(
        "SELECT id, pushed_at, endpoint, store_id, head_seq, head_hash, head_statement_id, sent, waiting, failed, "
        "lrs_version FROM receipts ORDER BY id")]


# --- recording what the LRS said --------------------------------------------------------------------


def record_try(store: Store, ids: Iterable[str]) -> None:
    ids = list(ids)
    now = iso(store.now())
    with store._write() as conn:
        conn.executemany("UPDATE outbox SET tries = tries + 1, last_try_at = ? WHERE statement_id = ?",
                         [(now, i) for i in ids])


def mark_sent(store: Store, ids: Iterable[str], endpoint: str) -> None:
    """The LRS acknowledged the request carrying these statements (one transaction)."""
    ids = list(ids)
    now = iso(store.now())
    with store._write() as conn:
        conn.executemany("UPDATE outbox SET status = 'sent', sent_at = ?, endpoint = ?, problem = NULL "
                         "WHERE statement_id = ?", [(now, endpoint, i) for i in ids])


def mark_failed(store: Store, statement_id: str, status_: str, problem: str) -> None:
    assert status_ in FAILED
    with store._write() as conn:
        conn.execute("UPDATE outbox SET status = ?, problem = ? WHERE statement_id = ?", (status_, problem, statement_id))


def record_receipt(store: Store, head: OutboxItem, endpoint: str, *, sent: int, lrs_version: str | None) -> Receipt:
    """Mark the head statement sent and keep the receipt, in one transaction."""
    now = iso(store.now())
    head_hash = json.loads(head.text)["context"]["extensions"][HEAD_EXTENSION]["hash"]
    with store._write() as conn:
        conn.execute("UPDATE outbox SET status = 'sent', sent_at = ?, endpoint = ?, problem = NULL "
                     "WHERE statement_id = ?", (now, endpoint, head.statement_id))
        left = dict(conn.execute("SELECT status, count(*) FROM outbox WHERE kind = 'record' GROUP BY status").fetchall())
        cur = conn.execute(
            "INSERT INTO receipts (pushed_at, endpoint, store_id, head_seq, head_hash, head_statement_id, sent, waiting, "
            "failed, lrs_version) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            (now, endpoint, store.store_id, head.ledger_seq, head_hash, head.statement_id, sent,
             int(left.get("waiting", 0)), int(sum(left.get(k, 0) for k in FAILED)), lrs_version))
        return Receipt(cur.lastrowid, now, endpoint, store.store_id, head.ledger_seq, head_hash, head.statement_id,
                       sent, int(left.get("waiting", 0)), int(sum(left.get(k, 0) for k in FAILED)), lrs_version)


def requeue(store: Store, *, failed_only: bool = False) -> int:
    """Send attempt statements again (after moving to another LRS, or to retry conflicts); returns how many.

    Earlier ledger-head statements are not resent: the push ends with the current head.
    """
    with store._write() as conn:
        where = "status IN ('conflict', 'rejected')" if failed_only else "status != 'waiting'"
        cur = conn.execute(f"UPDATE outbox SET status = 'waiting', problem = NULL WHERE kind = 'record' AND {where}")
        return cur.rowcount

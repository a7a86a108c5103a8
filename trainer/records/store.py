"""The records store: one SQLite file under the user's data folder.

Every client (the TUI, the headless commands, the tests) goes through `Store`. Working
state (attempts in progress, their turns, reflections) lives in ordinary tables; finished
attempts are appended to a hash-chained ledger (`trainer.records.ledger`) and everything
reported — hours, completions, certificates, exports — is read from the ledger.

Failure rules: each method is one transaction, so a killed process loses at most the call
in progress; SQLite errors become `StoreError` with one line a person can act on, and a
failed write leaves everything saved before it untouched.
"""

from __future__ import annotations

import datetime as dt
import json
import os
import sqlite3
import threading
import uuid
from contextlib import contextmanager
from pathlib import Path
from typing import Any, Callable, Iterator

from trainer.records.canonical import canonical_text, sha256_hex
from trainer.records.ledger import GENESIS, VerifyResult, body_digest, record_hash, verify_chain
from trainer.records.models import (
    Attempt,
    CreditEntry,
    FinishedAttempt,
    HoursSummary,
    RequirementProgress,
    Trainee,
    UnfinishedAttempt,
)
from trainer.records.policy import Policy, PolicyError, load_policy
from trainer.records.schema import LATEST, MIGRATIONS

STORE_FILENAME = "peer-trainer.sqlite3"
BODY_FORMAT = 1
MODES = ("practice", "assessment")
Clock = Callable[[], dt.datetime]


class StoreError(Exception):
    """The store cannot do what was asked; the message is one line for a person."""


class AttemptError(StoreError):
    """A call that does not fit the attempt's state (unknown, already finished, ...)."""


def utc_now() -> dt.datetime:
    return dt.datetime.now(dt.timezone.utc)


def iso(moment: dt.datetime) -> str:
    return moment.astimezone(dt.timezone.utc).isoformat(timespec="milliseconds").replace("+00:00", "Z")


def parse_iso(text: str) -> dt.datetime:
    return dt.datetime.fromisoformat(text.replace("Z", "+00:00"))


def describe_sqlite_error(exc: BaseException, path: Path | str) -> str:
    """One line for a person from a SQLite or OS error."""
    text = str(exc)
    low = text.lower()
    if "disk is full" in low or "database or disk is full" in low or getattr(exc, "errno", None) == 28:
        return (f"the disk is full, so the records store ({path}) could not save this; "
                "everything saved before is kept; free some space and try again")
    if "readonly" in low or "read-only" in low or isinstance(exc, PermissionError):
        return f"the records store ({path}) is read-only, so nothing new can be saved; check the file's permissions"
    if "locked" in low or "busy" in low:
        return f"the records store ({path}) is busy in another peer-trainer window; try again in a moment"
    if "not a database" in low or "malformed" in low or "corrupt" in low:
        return (f"the records store ({path}) is damaged ({text}); keep a copy of the file and "
                "run 'peer-trainer records verify' to see what can still be read")
    if "unable to open" in low:
        return f"cannot open the records store ({path}); check that the folder exists and is yours"
    if "disk i/o" in low:
        return f"the disk reported an error while using the records store ({path}); everything saved before is kept"
    return f"the records store ({path}) failed: {text}"


class Store:
    """The SQLite store. Use `Store.open()`; close it (or use `with`) when done."""

    def __init__(self, conn: sqlite3.Connection, path: Path, policy: Policy, *, clock: Clock = utc_now,
                 readonly: bool = False):
        self._conn = conn
        self.path = path
        self.policy = policy
        self.readonly = readonly
        self._clock = clock
        self._lock = threading.RLock()
        self.store_id = self._meta("store_id") or ""

    # --- opening ----------------------------------------------------------------------------

    @classmethod
    def open(
        cls,
        data_dir: Path | str | None = None,
        *,
        policy: Policy | None = None,
        policy_file: str | Path | None = None,
        clock: Clock | None = None,
        readonly: bool = False,
        timeout: float = 10.0,
    ) -> "Store":
        """Open (creating if needed) the store under `data_dir` (else $PEER_TRAINER_HOME or the user data folder)."""
        from trainer.paths import data_dir as resolve_data_dir, ensure_private_dir

        folder = resolve_data_dir(data_dir)
        path = folder / STORE_FILENAME
        try:
            if policy is None:
                policy = load_policy(folder, policy_file)
        except PolicyError as exc:
            raise StoreError(str(exc)) from None
        if not readonly and path.exists() and not os.access(path, os.W_OK):
            readonly = True
        if not readonly and not os.access(folder, os.W_OK) and folder.exists():
            readonly = True
        try:
            if readonly:
                if not path.exists():
                    raise StoreError(f"there is no records store at {path} yet")
                conn = _connect_readonly(path, timeout)
            else:
                ensure_private_dir(folder)
                if not path.exists():
                    fd = os.open(path, os.O_CREAT | os.O_RDWR, 0o600)
                    os.close(fd)
                _make_private(path)
                conn = sqlite3.connect(str(path), timeout=timeout, isolation_level=None, check_same_thread=False)
            conn.execute(f"PRAGMA busy_timeout = {int(timeout * 1000)}")
            if not readonly:
                mode = conn.execute("PRAGMA journal_mode = WAL").fetchone()[0]
                if str(mode).lower() != "wal":
                    raise StoreError(f"the records store ({path}) cannot use write-ahead logging on this file system")
                conn.execute("PRAGMA synchronous = FULL")
            conn.execute("PRAGMA foreign_keys = ON")
            _migrate(conn, path, readonly)
            store = cls(conn, path, policy, clock=clock or utc_now, readonly=readonly)
            if not store.store_id and not readonly:
                store.store_id = store._init_store_id()
            for suffix in ("-wal", "-shm"):
                _make_private(Path(str(path) + suffix))
            return store
        except StoreError:
            raise
        except (sqlite3.Error, OSError) as exc:
            raise StoreError(describe_sqlite_error(exc, path)) from None

    def close(self) -> None:
        with self._lock:
            try:
                self._conn.close()
            except sqlite3.Error:
                pass

    def __enter__(self) -> "Store":
        return self

    def __exit__(self, *exc: Any) -> None:
        self.close()

    # --- plumbing -----------------------------------------------------------------------------

    def now(self) -> dt.datetime:
        return self._clock()

    @contextmanager
    def _write(self) -> Iterator[sqlite3.Connection]:
        """One write transaction, taken with the write lock at once so two processes never interleave."""
        if self.readonly:
            raise StoreError(f"the records store ({self.path}) is read-only, so nothing new can be saved; "
                             "check the file's permissions")
        with self._lock:
            conn = self._conn
            try:
                conn.execute("BEGIN IMMEDIATE")
            except sqlite3.Error as exc:
                raise StoreError(describe_sqlite_error(exc, self.path)) from None
            try:
                yield conn
                conn.execute("COMMIT")
            except BaseException as exc:
                try:
                    conn.execute("ROLLBACK")
                except sqlite3.Error:
                    pass
                if isinstance(exc, sqlite3.Error):
                    raise StoreError(describe_sqlite_error(exc, self.path)) from None
                raise

    def _read(self, sql: str, params: tuple | list = ()) -> list[sqlite3.Row | tuple]:
        with self._lock:
            try:
                return self._conn.execute(sql, params).fetchall()
            except sqlite3.Error as exc:
                raise StoreError(describe_sqlite_error(exc, self.path)) from None

    def _meta(self, key: str) -> str | None:
        rows = self._read("SELECT value FROM meta WHERE key = ?", (key,))
        return rows[0][0] if rows else None

    def _init_store_id(self) -> str:
        with self._write() as conn:
            row = conn.execute("SELECT value FROM meta WHERE key = 'store_id'").fetchone()
            if row:
                return row[0]
            store_id = str(uuid.uuid4())
            conn.execute("INSERT INTO meta (key, value) VALUES ('store_id', ?), ('created_at', ?)", (store_id, iso(self.now())))
            return store_id

    def schema_version(self) -> int:
        return int(self._read("SELECT max(version) FROM schema_version")[0][0])

    # --- trainees -----------------------------------------------------------------------------

    def add_trainee(self, name: str, program_id: str = "") -> Trainee:
        name = " ".join((name or "").split())
        program_id = (program_id or "").strip()
        if not name:
            raise StoreError("a trainee needs a name")
        if len(name) > 200 or len(program_id) > 100:
            raise StoreError("the trainee's name (200) or program id (100) is too long")
        with self._write() as conn:
            if program_id:
                clash = conn.execute("SELECT id FROM trainees WHERE program_id = ?", (program_id,)).fetchone()
                if clash:
                    raise StoreError(f"trainee {clash[0]} already has program id '{program_id}'")
            trainee = Trainee("t-" + uuid.uuid4().hex[:12], name, program_id, iso(self.now()))
            conn.execute("INSERT INTO trainees (id, name, program_id, created_at) VALUES (?, ?, ?, ?)",
                         (trainee.id, trainee.name, trainee.program_id, trainee.created_at))
            self._append(conn, {"kind": "trainee", "trainee": _trainee_json(trainee)})
        return trainee

    def trainees(self) -> list[Trainee]:
        return [Trainee(*r) for r in self._read("SELECT id, name, program_id, created_at FROM trainees ORDER BY rowid")]

    def get_trainee(self, trainee_id: str) -> Trainee | None:
        rows = self._read("SELECT id, name, program_id, created_at FROM trainees WHERE id = ?", (trainee_id,))
        return Trainee(*rows[0]) if rows else None

    def find_trainee(self, ref: str) -> Trainee | None:
        """A trainee by our id, the program's id, or exact name (if only one has it)."""
        t = self.get_trainee(ref)
        if t:
            return t
        rows = self._read("SELECT id, name, program_id, created_at FROM trainees WHERE program_id = ? AND program_id != ''", (ref,))
        if rows:
            return Trainee(*rows[0])
        rows = self._read("SELECT id, name, program_id, created_at FROM trainees WHERE name = ?", (ref,))
        return Trainee(*rows[0]) if len(rows) == 1 else None

    # --- attempts -----------------------------------------------------------------------------

    def begin_attempt(self, trainee_id: str, scenario: Any, mode: str) -> str:
        if mode not in MODES:
            raise AttemptError(f"mode must be practice or assessment, not {mode!r}")
        now = self.now()
        attempt_id = str(uuid.uuid4())
        with self._write() as conn:
            if not conn.execute("SELECT 1 FROM trainees WHERE id = ?", (trainee_id,)).fetchone():
                raise AttemptError(f"no trainee '{trainee_id}' in this store")
            conn.execute(
                "INSERT INTO attempts (id, trainee_id, scenario_id, scenario_version, scenario_title, content_hash, "
                "estimated_minutes, hour_category, mode, started_at, updated_at, last_activity) "
                "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                (attempt_id, trainee_id, scenario.id, str(scenario.version), scenario.title, scenario.content_hash,
                 float(scenario.estimated_minutes), scenario.hour_category, mode, iso(now), iso(now), now.timestamp()),
            )
        return attempt_id

    def _active(self, conn: sqlite3.Connection, attempt_id: str) -> sqlite3.Row:
        row = conn.execute("SELECT status, last_activity, engaged_seconds FROM attempts WHERE id = ?", (attempt_id,)).fetchone()
        if row is None:
            raise AttemptError(f"no attempt '{attempt_id}' in this store")
        if row[0] != "active":
            raise AttemptError(f"attempt '{attempt_id}' is already {row[0]}")
        return row

    def _activity(self, conn: sqlite3.Connection, attempt_id: str, row, now: dt.datetime) -> float:
        """Count the time since the last action as engaged, unless it was an idle gap."""
        gap = now.timestamp() - float(row[1])
        engaged = float(row[2])
        if 0 < gap <= self.policy.idle_limit_seconds:
            engaged += gap
        conn.execute("UPDATE attempts SET last_activity = ?, engaged_seconds = ?, updated_at = ? WHERE id = ?",
                     (max(now.timestamp(), float(row[1])), engaged, iso(now), attempt_id))
        return engaged

    def touch(self, attempt_id: str) -> None:
        """The trainee did something: the time since the last action is engaged unless it was idle."""
        now = self.now()
        with self._write() as conn:
            self._activity(conn, attempt_id, self._active(conn, attempt_id), now)

    def save_progress(self, attempt_id: str, state: Any) -> None:
        """Save the whole state after a turn, atomically: a crash keeps this turn or the one before."""
        now = self.now()
        data = state.to_json()
        with self._write() as conn:
            row = self._active(conn, attempt_id)
            self._activity(conn, attempt_id, row, now)
            self._sync_turns(conn, attempt_id, data.get("transcript") or [], now)
            conn.execute("UPDATE attempts SET state_json = ? WHERE id = ?",
                         (json.dumps(data, ensure_ascii=False, separators=(",", ":")), attempt_id))

    def _sync_turns(self, conn: sqlite3.Connection, attempt_id: str, transcript: list[dict], now: dt.datetime) -> None:
        stored = conn.execute("SELECT idx, entry_json FROM turns WHERE attempt_id = ? ORDER BY idx", (attempt_id,)).fetchall()
        same = 0
        for (idx, entry_json), entry in zip(stored, transcript):
            if entry_json != _entry_text(entry):
                break
            same += 1
        if same < len(stored):  # undone turns: the transcript is the truth
            conn.execute("DELETE FROM turns WHERE attempt_id = ? AND idx >= ?", (attempt_id, same))
        conn.executemany(
            "INSERT INTO turns (attempt_id, idx, kind, node, entry_json, recorded_at) VALUES (?, ?, ?, ?, ?, ?)",
            [(attempt_id, i, e.get("kind", ""), e.get("node", ""), _entry_text(e), iso(now))
             for i, e in enumerate(transcript) if i >= same],
        )

    def unfinished(self, trainee_id: str) -> list[UnfinishedAttempt]:
        rows = self._read(
            "SELECT id, scenario_id, mode, state_json, updated_at, started_at, scenario_version, content_hash, engaged_seconds "
            "FROM attempts WHERE trainee_id = ? AND status = 'active' AND state_json IS NOT NULL "
            "ORDER BY updated_at DESC, id", (trainee_id,))
        out = []
        for r in rows:
            try:
                state = json.loads(r[3])
            except ValueError:
                continue
            out.append(UnfinishedAttempt(r[0], r[1], r[2], state, r[4], r[5], r[6], r[7], float(r[8])))
        return out

    def abandon_attempt(self, attempt_id: str) -> None:
        now = self.now()
        with self._write() as conn:
            self._active(conn, attempt_id)
            conn.execute("UPDATE attempts SET status = 'abandoned', ended_at = ?, updated_at = ? WHERE id = ?",
                         (iso(now), iso(now), attempt_id))

    def finish_attempt(self, attempt_id: str, scenario: Any, state: Any, result: Any) -> FinishedAttempt:
        """Close the attempt, credit its hours by the policy, append it to the ledger. Idempotent."""
        now = self.now()
        with self._write() as conn:
            row = conn.execute("SELECT status, ledger_seq FROM attempts WHERE id = ?", (attempt_id,)).fetchone()
            if row is None:
                raise AttemptError(f"no attempt '{attempt_id}' in this store")
            if row[0] == "finished":
                return self._finished_from_ledger(conn, int(row[1]))
            if not getattr(state, "finished", False):
                raise AttemptError("the attempt has not reached an ending yet; save_progress keeps it for later")
            act = self._active(conn, attempt_id)
            engaged = self._activity(conn, attempt_id, act, now)
            data = state.to_json()
            self._sync_turns(conn, attempt_id, data.get("transcript") or [], now)
            a = conn.execute(
                "SELECT trainee_id, scenario_id, scenario_version, scenario_title, content_hash, estimated_minutes, "
                "hour_category, mode, started_at FROM attempts WHERE id = ?", (attempt_id,)).fetchone()
            trainee = self._trainee_in(conn, a[0])
            local_date = now.astimezone().date().isoformat()
            turn_rows = conn.execute("SELECT idx, kind, node, entry_json, recorded_at FROM turns WHERE attempt_id = ? ORDER BY idx",
                                     (attempt_id,)).fetchall()
            overrides = [
                {"turn_index": o[0], "target": o[1], "id": o[2], "value": bool(o[3]), "reason": o[4], "by": o[5], "at": o[6]}
                for o in conn.execute("SELECT turn_index, target, target_id, value, reason, by, created_at FROM overrides "
                                      "WHERE attempt_id = ? ORDER BY id", (attempt_id,))
            ]
            credit = self._credit(conn, trainee.id, a[1], a[7], a[6], float(a[5]), engaged, result, local_date)
            body = {
                "kind": "attempt",
                "attempt_id": attempt_id,
                "trainee": _trainee_json(trainee),
                "scenario": {
                    "id": a[1], "version": a[2], "title": a[3], "content_hash": a[4], "estimated_minutes": float(a[5]),
                    "hour_category": a[6], "objectives": list(getattr(scenario, "objectives", ()) or ()),
                },
                "mode": a[7],
                "started_at": a[8],
                "ended_at": iso(now),
                "local_date": local_date,
                "engaged_seconds": round(engaged, 3),
                "outcome": result.outcome,
                "ending": result.ending,
                "score": _round(result.score),
                "passed": result.passed,
                "competencies": {k: _round(v) for k, v in sorted(result.competencies.items())},
                "flags": [{"id": f.id, "severity": f.severity, "node": f.node} for f in result.flags],
                "hints_used": int(result.hints_used),
                "turns": [_turn_fact(r) for r in turn_rows if r[1] in ("choice", "response", "hint")],
                "transcript_sha256": sha256_hex(canonical_text(data.get("transcript") or [])),
                "overrides": overrides,
                "credit": credit,
            }
            seq, digest = self._append(conn, body, now=now)
            summary = {k: body[k] for k in ("outcome", "ending", "score", "passed", "competencies", "flags", "hints_used")}
            conn.execute("UPDATE attempts SET status = 'finished', ended_at = ?, state_json = ?, result_json = ?, "
                         "ledger_seq = ? WHERE id = ?",
                         (iso(now), json.dumps(data, ensure_ascii=False, separators=(",", ":")), canonical_text(summary),
                          seq, attempt_id))
            return FinishedAttempt(attempt_id, seq, digest, round(engaged, 3), credit["minutes"], credit["hours"],
                                   credit["category"], credit["note"], body["score"], result.passed, result.outcome)

    def _credit(self, conn, trainee_id: str, scenario_id: str, mode: str, scenario_category: str, nominal: float,
                engaged: float, result: Any, local_date: str) -> dict[str, Any]:
        p = self.policy
        category = p.category_for(scenario_category)
        reason = p.earns_credit(finished=bool(result.finished), mode=mode, passed=result.passed, score=result.score)
        eligible, cap_note = p.capped_minutes(engaged / 60.0, nominal)
        eligible = round(eligible, 3)
        notes: list[str] = []
        minutes = 0.0
        if reason:
            notes.append(f"no credit: {reason}")
        else:
            minutes = eligible
            if cap_note:
                notes.append(cap_note)
            if p.repeats == "first" and minutes > 0:
                earlier = self._credited_for_scenario(conn, trainee_id, scenario_id)
                if earlier:
                    minutes = 0.0
                    notes.append(f"no credit: this scenario was already credited on {earlier}")
            if p.daily_hours is not None and minutes > 0:
                used = self._credited_on(conn, trainee_id, local_date)
                room = max(0.0, p.daily_hours * p.minutes_per_hour - used)
                if minutes > room:
                    minutes = round(room, 3)
                    notes.append(f"daily cap of {p.daily_hours:g} hours reached")
            if not notes:
                notes.append("credited")
        return {
            "category": category,
            "completed": 1 if result.finished else 0,
            "passed": None if result.passed is None else (1 if result.passed else 0),
            "eligible_minutes": eligible if not reason else 0.0,
            "minutes": round(minutes, 3),
            "hours": p.hours_from_minutes(minutes),
            "note": "; ".join(notes),
            "policy": p.fingerprint,
            "unit": p.unit,
            "minutes_per_hour": p.minutes_per_hour,
        }

    def _credited_for_scenario(self, conn, trainee_id: str, scenario_id: str) -> str | None:
        row = conn.execute(
            "SELECT min(local_date) FROM ledger WHERE store_id = ? AND trainee_id = ? AND scenario_id = ? "
            "AND kind = 'attempt' AND attempt_id IN (SELECT attempt_id FROM ledger WHERE store_id = ? "
            "AND trainee_id = ? AND kind IN ('attempt', 'override') GROUP BY attempt_id HAVING sum(credited_minutes) > 0)",
            (self.store_id, trainee_id, scenario_id, self.store_id, trainee_id)).fetchone()
        return row[0] if row and row[0] else None

    def _credited_on(self, conn, trainee_id: str, local_date: str) -> float:
        row = conn.execute(
            "SELECT coalesce(sum(credited_minutes), 0) FROM ledger WHERE store_id = ? AND trainee_id = ? "
            "AND local_date = ? AND kind IN ('attempt', 'override')", (self.store_id, trainee_id, local_date)).fetchone()
        return float(row[0])

    def _trainee_in(self, conn, trainee_id: str) -> Trainee:
        row = conn.execute("SELECT id, name, program_id, created_at FROM trainees WHERE id = ?", (trainee_id,)).fetchone()
        if row is None:
            raise AttemptError(f"no trainee '{trainee_id}' in this store")
        return Trainee(*row)

    def _finished_from_ledger(self, conn, seq: int) -> FinishedAttempt:
        body_text, digest = conn.execute("SELECT body, hash FROM ledger WHERE store_id = ? AND seq = ?",
                                         (self.store_id, seq)).fetchone()
        b = json.loads(body_text)
        c = b["credit"]
        return FinishedAttempt(b["attempt_id"], seq, digest, b["engaged_seconds"], c["minutes"], c["hours"], c["category"],
                               c["note"], b["score"], b["passed"], b["outcome"])

    def attempts(self, trainee_id: str, scenario_id: str | None = None) -> list[Attempt]:
        sql = ("SELECT a.id, a.trainee_id, a.scenario_id, a.scenario_version, a.scenario_title, a.content_hash, a.mode, "
               "a.status, a.started_at, a.updated_at, a.ended_at, a.engaged_seconds, a.result_json, a.ledger_seq, "
               "a.hour_category FROM attempts a WHERE a.trainee_id = ?")
        params: list[Any] = [trainee_id]
        if scenario_id:
            sql += " AND a.scenario_id = ?"
            params.append(scenario_id)
        out = []
        for r in self._read(sql + " ORDER BY a.started_at, a.id", params):
            result = json.loads(r[12]) if r[12] else {}
            credit = self._attempt_credit(r[0]) if r[7] == "finished" else None
            out.append(Attempt(
                id=r[0], trainee_id=r[1], scenario_id=r[2], scenario_version=r[3], scenario_title=r[4], content_hash=r[5],
                mode=r[6], status=r[7], started_at=r[8], updated_at=r[9], ended_at=r[10], engaged_seconds=float(r[11]),
                outcome=result.get("outcome"), score=result.get("score"), passed=result.get("passed"),
                credited_minutes=credit[0] if credit else None,
                hour_category=credit[1] if credit else self.policy.category_for(r[14]),
                credit_note=credit[2] if credit else "", ledger_seq=r[13]))
        return out

    def _attempt_credit(self, attempt_id: str) -> tuple[float, str, str] | None:
        rows = self._read("SELECT kind, credited_minutes, category, json_extract(body, '$.credit.note') FROM ledger "
                          "WHERE attempt_id = ? AND store_id = ? ORDER BY seq", (attempt_id, self.store_id))
        if not rows:
            return None
        minutes = sum(float(r[1] or 0) for r in rows)
        return round(minutes, 3), rows[0][2] or "", rows[-1][3] or ""

    def transcript(self, attempt_id: str) -> list[dict[str, Any]]:
        """The stored turns of an attempt, free text included (sensitive)."""
        return [json.loads(r[0]) for r in self._read("SELECT entry_json FROM turns WHERE attempt_id = ? ORDER BY idx",
                                                    (attempt_id,))]

    def turn_times(self, attempt_id: str) -> dict[int, str]:
        return {int(r[0]): r[1] for r in self._read("SELECT idx, recorded_at FROM turns WHERE attempt_id = ?", (attempt_id,))}

    # --- reflections and overrides --------------------------------------------------------------

    def save_reflection(self, attempt_id: str, text: str) -> None:
        """The trainee's own words after an attempt: sensitive, kept locally, never in the ledger."""
        now = iso(self.now())
        with self._write() as conn:
            if not conn.execute("SELECT 1 FROM attempts WHERE id = ?", (attempt_id,)).fetchone():
                raise AttemptError(f"no attempt '{attempt_id}' in this store")
            conn.execute("INSERT INTO reflections (attempt_id, text, updated_at) VALUES (?, ?, ?) "
                         "ON CONFLICT (attempt_id) DO UPDATE SET text = excluded.text, updated_at = excluded.updated_at",
                         (attempt_id, text, now))

    def reflection(self, attempt_id: str) -> str | None:
        rows = self._read("SELECT text FROM reflections WHERE attempt_id = ?", (attempt_id,))
        return rows[0][0] if rows else None

    def add_override(self, attempt_id: str, turn_index: int, override: Any, *, result: Any = None) -> int | None:
        """Record an instructor's correction with its reason.

        Before the attempt finishes, it goes into the attempt's ledger record. After, it is
        appended as its own ledger record; pass the re-summarized `result` (an AttemptResult
        with the override applied) to re-grade the attempt, which adjusts its credit by the
        policy. Returns the ledger seq of an appended record, else None.
        """
        if not str(getattr(override, "reason", "")).strip():
            raise AttemptError("an override needs a reason")
        if override.target not in ("criterion", "flag"):
            raise AttemptError(f"override target must be 'criterion' or 'flag', not {override.target!r}")
        now = self.now()
        with self._write() as conn:
            row = conn.execute("SELECT status, trainee_id FROM attempts WHERE id = ?", (attempt_id,)).fetchone()
            if row is None:
                raise AttemptError(f"no attempt '{attempt_id}' in this store")
            conn.execute("INSERT INTO overrides (attempt_id, turn_index, target, target_id, value, reason, by, created_at) "
                         "VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
                         (attempt_id, int(turn_index), override.target, override.id, 1 if override.value else 0,
                          override.reason, override.by or "", iso(now)))
            if row[0] != "finished":
                return None
            attempt = json.loads(conn.execute("SELECT body FROM ledger WHERE store_id = ? AND kind = 'attempt' AND attempt_id = ?",
                                              (self.store_id, attempt_id)).fetchone()[0])
            body: dict[str, Any] = {
                "kind": "override",
                "attempt_id": attempt_id,
                "trainee": attempt["trainee"],
                "scenario": {"id": attempt["scenario"]["id"], "version": attempt["scenario"]["version"]},
                "mode": attempt["mode"],
                "local_date": attempt["local_date"],
                "override": {"turn_index": int(turn_index), "target": override.target, "id": override.id,
                             "value": bool(override.value), "reason": override.reason, "by": override.by or ""},
            }
            if result is not None:
                body["regrade"] = {"score": _round(result.score), "passed": result.passed, "outcome": result.outcome,
                                   "competencies": {k: _round(v) for k, v in sorted(result.competencies.items())}}
                body["credit"] = self._recredit(conn, attempt, result)
            seq, _ = self._append(conn, body, now=now)
            return seq

    def _recredit(self, conn, attempt: dict, result: Any) -> dict[str, Any]:
        p = self.policy
        aid = attempt["attempt_id"]
        old_minutes, old_hours, old_passed = conn.execute(
            "SELECT coalesce(sum(credited_minutes), 0), coalesce(sum(credited_hours), 0), "
            "(SELECT passed FROM ledger WHERE store_id = ?1 AND attempt_id = ?2 AND passed IS NOT NULL ORDER BY seq DESC LIMIT 1) "
            "FROM ledger WHERE store_id = ?1 AND attempt_id = ?2", (self.store_id, aid)).fetchone()
        reason = p.earns_credit(finished=True, mode=attempt["mode"], passed=result.passed, score=result.score)
        capped, _ = p.capped_minutes(attempt["engaged_seconds"] / 60.0, attempt["scenario"]["estimated_minutes"])
        target, note = 0.0, f"re-graded: no credit: {reason}" if reason else "re-graded: credited"
        if not reason:
            target = capped
            trainee_id = attempt["trainee"]["id"]
            if p.repeats == "first":
                other = conn.execute(
                    "SELECT 1 FROM ledger WHERE store_id = ? AND trainee_id = ? AND scenario_id = ? AND attempt_id != ? "
                    "AND kind IN ('attempt', 'override') GROUP BY attempt_id HAVING sum(credited_minutes) > 0",
                    (self.store_id, trainee_id, attempt["scenario"]["id"], aid)).fetchone()
                if other:
                    target, note = 0.0, "re-graded: no credit: this scenario was already credited"
            if target and p.daily_hours is not None:
                used = self._credited_on(conn, trainee_id, attempt["local_date"]) - float(old_minutes)
                target = min(target, max(0.0, p.daily_hours * p.minutes_per_hour - used))
        target = round(target, 3)
        new_passed = None if result.passed is None else (1 if result.passed else 0)
        return {
            "category": attempt["credit"]["category"],
            "completed": 0,
            "passed": None if new_passed is None else new_passed - (old_passed or 0),
            "eligible_minutes": 0.0,
            "minutes": round(target - float(old_minutes), 3),
            "hours": round(p.hours_from_minutes(target) - float(old_hours), 6),
            "note": note,
            "policy": p.fingerprint,
            "unit": p.unit,
            "minutes_per_hour": p.minutes_per_hour,
        }

    # --- the ledger -----------------------------------------------------------------------------

    def _append(self, conn: sqlite3.Connection, body: dict[str, Any], *, now: dt.datetime | None = None) -> tuple[int, str]:
        """Append one record to this store's chain; the caller's transaction holds the write lock."""
        body = dict(body)
        body["format"] = BODY_FORMAT
        body["store_id"] = self.store_id
        body["recorded_at"] = iso(now or self.now())
        head = conn.execute("SELECT seq, hash FROM ledger WHERE store_id = ? ORDER BY seq DESC LIMIT 1",
                            (self.store_id,)).fetchone()
        seq, prev = (head[0] + 1, head[1]) if head else (1, GENESIS)
        text = canonical_text(body)
        digest = record_hash(seq, prev, body_digest(text))
        conn.execute("INSERT INTO ledger (store_id, seq, prev_hash, hash, body) VALUES (?, ?, ?, ?, ?)",
                     (self.store_id, seq, prev, digest, text))
        return seq, digest

    def ledger_head(self, store_id: str | None = None) -> tuple[int, str]:
        rows = self._read("SELECT seq, hash FROM ledger WHERE store_id = ? ORDER BY seq DESC LIMIT 1",
                          (store_id or self.store_id,))
        return (int(rows[0][0]), rows[0][1]) if rows else (0, GENESIS)

    def verify_ledger(self, *, store_id: str | None = None, anchors: dict[int, str] | None = None,
                      batch: int = 20000) -> VerifyResult:
        """Re-walk a chain (this store's by default) and name the first record that does not verify."""
        sid = store_id or self.store_id
        with self._lock:
            try:
                cur = self._conn.execute("SELECT seq, prev_hash, hash, body, body_sha256 FROM ledger WHERE store_id = ? "
                                         "ORDER BY seq", (sid,))

                def rows():
                    while True:
                        chunk = cur.fetchmany(batch)
                        if not chunk:
                            return
                        yield from chunk

                return verify_chain(rows(), anchors=anchors)
            except sqlite3.Error as exc:
                raise StoreError(describe_sqlite_error(exc, self.path)) from None

    def ledger_stores(self) -> list[tuple[str, int, bool]]:
        """Every chain held here: (store id, records, whether it is this store's own)."""
        rows = self._read("SELECT store_id, count(*) FROM ledger GROUP BY store_id")
        return [(r[0], int(r[1]), r[0] == self.store_id) for r in rows]

    def ledger_bodies(self, *, trainee: str | None = None, kinds: tuple[str, ...] = ("attempt", "override"),
                      own_only: bool = False) -> list[dict[str, Any]]:
        """Parsed ledger bodies (all chains unless own_only), oldest first; trainee matches id or program id."""
        sql = f"SELECT body FROM ledger WHERE body IS NOT NULL AND kind IN ({','.join('?' * len(kinds))})"
        params: list[Any] = list(kinds)
        if trainee:
            sql += " AND (trainee_id = ? OR trainee_key = ?)"
            params += [trainee, trainee]
        if own_only:
            sql += " AND store_id = ?"
            params.append(self.store_id)
        return [json.loads(r[0]) for r in self._read(sql + " ORDER BY json_extract(body, '$.recorded_at'), store_id, seq", params)]

    # --- hours ------------------------------------------------------------------------------------

    def hours(self, trainee_id: str, *, today: dt.date | None = None) -> HoursSummary:
        """Credited hours of one trainee (our id or the program's), total and by category, against the requirement."""
        p = self.policy
        today = today or self.now().astimezone().date()
        entries: dict[str, dict[str, Any]] = {}
        order: list[str] = []
        other_policies = 0
        for b in self.ledger_bodies(trainee=trainee_id):
            aid = b["attempt_id"]
            credit = b.get("credit")
            if b["kind"] == "attempt":
                entries[aid] = {"b": b, "minutes": credit["minutes"], "hours": credit["hours"], "note": credit["note"],
                                "passed": b.get("passed"), "score": b.get("score"), "outcome": b.get("outcome")}
                order.append(aid)
                if credit.get("policy") != p.fingerprint:
                    other_policies += 1
            elif aid in entries and credit:
                e = entries[aid]
                e["minutes"] = round(e["minutes"] + credit["minutes"], 3)
                e["hours"] = round(e["hours"] + credit["hours"], 6)
                e["note"] = credit["note"]
                regrade = b.get("regrade") or {}
                e.update({k: regrade[k] for k in ("passed", "score", "outcome") if k in regrade})
        lines = []
        for aid in order:
            e = entries[aid]
            b = e["b"]
            lines.append(CreditEntry(
                attempt_id=aid, date=b["local_date"], scenario_id=b["scenario"]["id"], title=b["scenario"]["title"],
                version=b["scenario"]["version"], mode=b["mode"], category=b["credit"]["category"], outcome=e["outcome"],
                passed=e["passed"], score=e["score"], engaged_minutes=round(b["engaged_seconds"] / 60.0, 2),
                credited_minutes=e["minutes"], credited_hours=e["hours"], note=e["note"]))
        by_category = self.total_by_category(lines)
        requirement = None
        if p.requirement is not None:
            start, end = p.requirement.window(today)
            window = [e for e in lines if (start is None or e.date >= start.isoformat()) and (end is None or e.date <= end.isoformat())]
            in_window = self.total_by_category(window)
            cats = {c: (req, in_window.get(c, 0.0)) for c, req in p.requirement.categories.items()}
            requirement = RequirementProgress(p.requirement.name, start, end, p.requirement.total_hours,
                                              round(sum(in_window.values()), 6), cats)
        return HoursSummary(trainee_id, p.unit_label(), round(sum(by_category.values()), 6), by_category, tuple(lines),
                            requirement, p.name, p.board_note, other_policies, dict(p.categories))

    def total_by_category(self, entries: list[CreditEntry]) -> dict[str, float]:
        """Hours per category by the policy's rounding scope."""
        p = self.policy
        minutes: dict[str, float] = {}
        hours: dict[str, float] = {}
        for e in entries:
            minutes[e.category] = minutes.get(e.category, 0.0) + e.credited_minutes
            hours[e.category] = hours.get(e.category, 0.0) + e.credited_hours
        if p.rounding_scope == "attempt":
            return {c: round(h, 6) for c, h in hours.items()}
        return {c: p.hours_from_minutes(m) for c, m in minutes.items()}

    # --- privacy ----------------------------------------------------------------------------------

    def delete_responses(self, trainee_id: str) -> int:
        """Erase a trainee's free text (responses, reflections, saved states); the ledger keeps only facts."""
        with self._write() as conn:
            ids = [r[0] for r in conn.execute("SELECT id FROM attempts WHERE trainee_id = ?", (trainee_id,))]
            for aid in ids:
                for idx, entry_json in conn.execute("SELECT idx, entry_json FROM turns WHERE attempt_id = ?", (aid,)).fetchall():
                    entry = json.loads(entry_json)
                    if entry.get("kind") == "response" and entry.get("text"):
                        entry["text"] = ""
                        judgment = entry.get("judgment") or {}
                        for group in ("criteria", "flags", "dismissed_flags"):
                            for item in judgment.get(group) or ():
                                for ev in item.get("evidence") or ():
                                    ev["words"] = ""
                        conn.execute("UPDATE turns SET entry_json = ? WHERE attempt_id = ? AND idx = ?",
                                     (_entry_text(entry), aid, idx))
                conn.execute("UPDATE attempts SET state_json = NULL WHERE id = ? AND status != 'active'", (aid,))
                conn.execute("UPDATE attempts SET state_json = NULL, status = 'abandoned' WHERE id = ? AND status = 'active'", (aid,))
            conn.execute(f"DELETE FROM reflections WHERE attempt_id IN ({','.join('?' * len(ids))})", ids)
            return len(ids)


# --- helpers -------------------------------------------------------------------------------------


def _connect_readonly(path: Path, timeout: float) -> sqlite3.Connection:
    uri = path.resolve().as_uri()
    try:
        conn = sqlite3.connect(f"{uri}?mode=ro", uri=True, timeout=timeout, isolation_level=None, check_same_thread=False)
        conn.execute("SELECT count(*) FROM sqlite_master").fetchone()
        return conn
    except sqlite3.OperationalError:
        # A WAL store in a folder we cannot write: read the file as it stands.
        conn = sqlite3.connect(f"{uri}?mode=ro&immutable=1", uri=True, timeout=timeout, isolation_level=None,
                               check_same_thread=False)
        conn.execute("SELECT count(*) FROM sqlite_master").fetchone()
        return conn


def _make_private(path: Path) -> None:
    try:
        if path.exists():
            os.chmod(path, 0o600)
    except OSError:
        pass


def _migrate(conn: sqlite3.Connection, path: Path, readonly: bool) -> None:
    conn.execute("BEGIN IMMEDIATE" if not readonly else "BEGIN")
    try:
        exists = conn.execute("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'schema_version'").fetchone()
        current = conn.execute("SELECT max(version) FROM schema_version").fetchone()[0] or 0 if exists else 0
        if current > LATEST:
            raise StoreError(f"the records store ({path}) was written by a newer peer-trainer (schema {current}; "
                             f"this version reads up to {LATEST}); update peer-trainer")
        if current < LATEST and readonly:
            raise StoreError(f"the records store ({path}) is read-only and needs an upgrade this version cannot write")
        if not exists and not readonly:
            conn.execute("CREATE TABLE schema_version (version INTEGER PRIMARY KEY, description TEXT NOT NULL, applied_at TEXT NOT NULL)")
        for version, description, sql in MIGRATIONS:
            if version > current:
                for statement in _statements(sql):
                    conn.execute(statement)
                conn.execute("INSERT INTO schema_version (version, description, applied_at) VALUES (?, ?, ?)",
                             (version, description, iso(utc_now())))
        conn.execute("COMMIT")
    except BaseException:
        try:
            conn.execute("ROLLBACK")
        except sqlite3.Error:
            pass
        raise


def _statements(script: str) -> list[str]:
    """Split a migration into statements (executescript would commit our transaction)."""
    out, buf = [], []
    for line in script.splitlines():
        buf.append(line)
        if sqlite3.complete_statement("\n".join(buf)):
            out.append("\n".join(buf).strip())
            buf = []
    if "".join(buf).strip():
        out.append("\n".join(buf).strip())
    return [s for s in out if s]


def _trainee_json(t: Trainee) -> dict[str, str]:
    return {"id": t.id, "name": t.name, "program_id": t.program_id}


def _entry_text(entry: dict) -> str:
    return json.dumps(entry, ensure_ascii=False, sort_keys=True, separators=(",", ":"))


def _round(value: float | None) -> float | None:
    return None if value is None else round(float(value), 6)


def _turn_fact(row) -> dict[str, Any]:
    """What the ledger keeps of one turn: no free text, only what happened and when."""
    idx, kind, node, entry_json, recorded_at = row
    entry = json.loads(entry_json)
    fact: dict[str, Any] = {"i": idx, "kind": kind, "node": node, "at": recorded_at}
    if kind == "choice":
        fact.update(choice=entry.get("choice"), score=entry.get("score"), flags=list(entry.get("flags") or ()),
                    fallback=bool(entry.get("fallback")))
    elif kind == "response":
        judgment = entry.get("judgment") or {}
        fact.update(score=_round(judgment.get("score")), flags=[f.get("id") for f in judgment.get("flags") or ()],
                    met=[c.get("id") for c in judgment.get("criteria") or () if c.get("met")], route=entry.get("route"))
    return fact

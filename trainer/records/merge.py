"""`records import`: merging exports from many trainees into a program's store.

A JSON export's chains are verified before anything is taken from them. A chain already
seen (from an earlier import) must agree with what was imported before: a record whose
hash changed means that trainee's ledger was rewritten after the earlier export, and is
reported as a conflict rather than merged. xAPI statements are deduplicated by statement
id; the same id with different content is a conflict.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from trainer.records import xapi
from trainer.records.canonical import canonical_text, sha256_hex
from trainer.records.export import EXPORT_FORMAT
from trainer.records.ledger import verify_chain
from trainer.records.store import Store, StoreError, iso

MAX_IMPORT_BYTES = 1024 * 1024 * 1024


@dataclass
class ImportResult:
    file: str
    format: str = ""
    added: int = 0
    duplicates: int = 0
    conflicts: list[str] = field(default_factory=list)
    rejected: list[str] = field(default_factory=list)  # whole chains or statements refused, with the reason
    notes: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.conflicts and not self.rejected

    def summary(self) -> str:
        parts = [f"{self.added} added", f"{self.duplicates} already present"]
        if self.conflicts:
            parts.append(f"{len(self.conflicts)} conflicts")
        if self.rejected:
            parts.append(f"{len(self.rejected)} rejected")
        return f"{self.file} ({self.format or 'unknown'}): " + ", ".join(parts)


def import_file(store: Store, path: str | Path) -> ImportResult:
    """Merge one export file into the store; StoreError if the file cannot be read at all."""
    path = Path(path)
    result = ImportResult(str(path))
    try:
        if path.stat().st_size > MAX_IMPORT_BYTES:
            raise StoreError(f"{path}: larger than 1 GB; is this an export?")
        text = path.read_text("utf-8")
    except FileNotFoundError:
        raise StoreError(f"{path}: file does not exist") from None
    except UnicodeDecodeError:
        raise StoreError(f"{path}: not UTF-8 text; import a json or xapi export") from None
    except OSError as exc:
        raise StoreError(f"{path}: cannot read: {exc.strerror or exc}") from None
    try:
        data = json.loads(text)
    except ValueError as exc:
        head = text.lstrip()[:200]
        if head.startswith("trainee_id,"):
            raise StoreError(f"{path}: a CSV export is for spreadsheets and cannot be verified; import the json or xapi export") from None
        raise StoreError(f"{path}: not JSON ({exc.msg} at line {exc.lineno})") from None
    if isinstance(data, dict) and data.get("format") == EXPORT_FORMAT:
        result.format = "json"
        _import_ledger(store, data, result)
    elif isinstance(data, list) or (isinstance(data, dict) and ("statements" in data or "actor" in data)):
        result.format = "xapi"
        statements = data if isinstance(data, list) else data.get("statements", [data])
        _import_statements(store, statements, result, str(path))
    elif isinstance(data, dict) and str(data.get("format", "")).startswith("peer-trainer-records/"):
        raise StoreError(f"{path}: export format {data['format']} is newer than this peer-trainer reads ({EXPORT_FORMAT})")
    else:
        raise StoreError(f"{path}: neither a peer-trainer json export nor a list of xAPI statements")
    with store._write() as conn:
        conn.execute("INSERT INTO imports (file, format, imported_at, added, duplicates, conflicts, summary) "
                     "VALUES (?, ?, ?, ?, ?, ?, ?)",
                     (str(path), result.format, iso(store.now()), result.added, result.duplicates,
                      len(result.conflicts), result.summary()))
    return result


def _import_ledger(store: Store, data: dict, result: ImportResult) -> None:
    if data.get("responses"):
        result.notes.append("free-text responses in the file were not imported (they stay with the trainee)")
    for chain in data.get("chains") or ():
        store_id = str(chain.get("store_id", ""))
        records = chain.get("records") or []
        try:
            rows = [(int(r["seq"]), str(r["prev_hash"]), str(r["hash"]),
                     canonical_text(r["body"]) if "body" in r else None, r.get("body_sha256")) for r in records]
        except (KeyError, TypeError, ValueError) as exc:
            result.rejected.append(f"chain {store_id}: a record is malformed ({exc}); chain not imported")
            continue
        check = verify_chain(rows)
        if not check.ok:
            result.rejected.append(f"chain {store_id}: {check.broken.message()}; chain not imported")
            continue
        head = chain.get("head") or {}
        if head and (head.get("seq"), head.get("hash")) != (check.head_seq, check.head_hash):
            result.rejected.append(f"chain {store_id}: the stated head does not match its records; chain not imported")
            continue
        for body in (r[3] for r in rows if r[3] is not None):
            if json.loads(body).get("store_id") != store_id:
                result.rejected.append(f"chain {store_id}: a record names another store; chain not imported")
                break
        else:
            _merge_chain(store, store_id, rows, result)


def _merge_chain(store: Store, store_id: str, rows: list[tuple], result: ImportResult) -> None:
    now = iso(store.now())
    own = store_id == store.store_id
    with store._write() as conn:
        existing = {seq: (digest, body is not None) for seq, digest, body in
                    conn.execute("SELECT seq, hash, body IS NOT NULL FROM ledger WHERE store_id = ?", (store_id,))}
        for seq, prev, digest, body, body_sha in rows:
            have = existing.get(seq)
            if have is not None:
                if have[0] != digest:
                    result.conflicts.append(
                        f"store {store_id} record {seq} differs from the copy already held: that ledger was rewritten "
                        "after an earlier export; the earlier copy is kept")
                    continue
                if not have[1] and body is not None and not own:
                    conn.execute("UPDATE ledger SET body = ?, body_sha256 = NULL WHERE store_id = ? AND seq = ?",
                                 (body, store_id, seq))
                    result.added += 1
                else:
                    result.duplicates += 1
                continue
            if own:
                result.conflicts.append(f"this store's own record {seq} is in the file but not here: "
                                        "records were removed from this store")
                continue
            conn.execute("INSERT INTO ledger (store_id, seq, prev_hash, hash, body, body_sha256, imported_at) "
                         "VALUES (?, ?, ?, ?, ?, ?, ?)",
                         (store_id, seq, prev, digest, body, None if body is not None else body_sha, now))
            result.added += 1
        if existing and not own:
            held = max(existing)
            if rows and rows[-1][0] < held:
                result.notes.append(f"store {store_id}: this export ends at record {rows[-1][0]}, "
                                    f"an earlier import went to {held}")


def _import_statements(store: Store, statements: list[Any], result: ImportResult, source: str) -> None:
    now = iso(store.now())
    with store._write() as conn:
        for i, s in enumerate(statements):
            problems = xapi.problems(s)
            if problems:
                result.rejected.append(f"statement {i + 1}: {'; '.join(problems)}")
                continue
            digest = sha256_hex(canonical_text(xapi.comparable(s)))
            row = conn.execute("SELECT digest FROM statements WHERE id = ?", (s["id"].lower(),)).fetchone()
            if row:
                if row[0] == digest:
                    result.duplicates += 1
                else:
                    result.conflicts.append(f"statement {s['id']}: a different statement with this id is already held; "
                                            "the earlier one is kept")
                continue
            registration = (s.get("context") or {}).get("registration")
            account = (s.get("actor") or {}).get("account") or {}
            conn.execute("INSERT INTO statements (id, statement, digest, registration, verb, actor, source, imported_at) "
                         "VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
                         (s["id"].lower(), canonical_text(s), digest, registration, s["verb"]["id"],
                          account.get("name") or json.dumps(s["actor"], sort_keys=True), source, now))
            result.added += 1

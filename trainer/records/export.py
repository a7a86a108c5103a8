"""Exports: the ledger as verifiable JSON, a spreadsheet-friendly CSV, and xAPI statements.

Free text (responses, reflections) is left out unless `include_responses` is set: a
trainee's words about their own recovery are health information.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import json
from typing import Any, Iterator

from trainer import __version__
from trainer.records import xapi
from trainer.records.store import Store, iso

EXPORT_FORMAT = "peer-trainer-records/1"

CSV_COLUMNS = (
    "trainee_id", "program_id", "trainee_name", "attempt_id", "scenario_id", "scenario_version", "scenario_title",
    "mode", "started_at", "ended_at", "date", "engaged_minutes", "outcome", "score", "passed", "hints_used",
    "flags", "category", "credited_minutes", "credited_hours", "credit_note", "policy", "ledger_store", "ledger_seq",
    "ledger_hash",
)


def export_json(store: Store, *, trainee: str | None = None, include_responses: bool = False) -> dict[str, Any]:
    """Every chain the store holds, whole and verifiable; other trainees' records become digest-only stubs."""
    chains = []
    responses: dict[str, Any] = {}
    for store_id, _count, own in sorted(store.ledger_stores(), key=lambda s: (not s[2], s[0])):
        records = []
        for seq, prev, digest, body, body_sha, tid, tkey in store._read(
                "SELECT seq, prev_hash, hash, body, body_sha256, trainee_id, trainee_key FROM ledger "
                "WHERE store_id = ? ORDER BY seq", (store_id,)):
            keep = body is not None and (trainee is None or trainee in (tid, tkey))
            if keep:
                records.append({"seq": seq, "prev_hash": prev, "hash": digest, "body": json.loads(body)})
            else:
                from trainer.records.ledger import body_digest

                records.append({"seq": seq, "prev_hash": prev, "hash": digest,
                                "body_sha256": body_sha if body is None else body_digest(body)})
        if not records:
            continue
        chains.append({"store_id": store_id, "own": own,
                       "head": {"seq": records[-1]["seq"], "hash": records[-1]["hash"]}, "records": records})
    if include_responses:
        for b in store.ledger_bodies(trainee=trainee, kinds=("attempt",), own_only=True):
            aid = b["attempt_id"]
            responses[aid] = {"transcript": store.transcript(aid), "reflection": store.reflection(aid)}
    out: dict[str, Any] = {
        "format": EXPORT_FORMAT,
        "generator": f"peer-trainer {__version__}",
        "exported_at": iso(store.now()),
        "exported_by_store": store.store_id,
        "policy": {"name": store.policy.name, "fingerprint": store.policy.fingerprint},
        "trainee": trainee,
        "chains": chains,
    }
    if include_responses:
        out["responses"] = responses
    return out


def _cell(value: Any) -> Any:
    """Keep a spreadsheet from running a trainee-typed '=...' as a formula."""
    if isinstance(value, str) and value[:1] in ("=", "+", "-", "@", "\t", "\r"):
        return "'" + value
    return value


def export_csv(store: Store, *, trainee: str | None = None, include_responses: bool = False) -> str:
    buf = io.StringIO()
    columns = list(CSV_COLUMNS) + (["responses", "reflection"] if include_responses else [])
    writer = csv.writer(buf, lineterminator="\r\n")
    writer.writerow(columns)
    heads = {}
    for row in store._read("SELECT store_id, seq, hash, body FROM ledger WHERE kind = 'attempt' AND body IS NOT NULL "
                           + ("AND (trainee_id = ? OR trainee_key = ?) " if trainee else "")
                           + "ORDER BY json_extract(body, '$.ended_at'), store_id, seq", (trainee, trainee) if trainee else ()):
        store_id, seq, digest, body = row
        heads[store_id] = heads.get(store_id, 0) + 1
        b = json.loads(body)
        c = b["credit"]
        values = [
            b["trainee"]["id"], b["trainee"]["program_id"], b["trainee"]["name"], b["attempt_id"], b["scenario"]["id"],
            b["scenario"]["version"], b["scenario"]["title"], b["mode"], b["started_at"], b["ended_at"], b["local_date"],
            round(b["engaged_seconds"] / 60.0, 2), b.get("outcome"), b.get("score"),
            "" if b.get("passed") is None else ("yes" if b["passed"] else "no"), b.get("hints_used"),
            " ".join(f"{f['id']}({f['severity']})" for f in b.get("flags") or ()), c["category"], c["minutes"], c["hours"],
            c["note"], c["policy"], store_id, seq, digest,
        ]
        if include_responses:
            said = [e.get("text", "") for e in store.transcript(b["attempt_id"]) if e.get("kind") == "response"]
            values += [" | ".join(said), store.reflection(b["attempt_id"]) or ""]
        writer.writerow([_cell(v) if v is not None else "" for v in values])
    return buf.getvalue()


def iter_xapi(store: Store, *, trainee: str | None = None, include_responses: bool = False) -> Iterator[dict[str, Any]]:
    p = store.policy
    bodies = store.ledger_bodies(trainee=trainee, kinds=("attempt", "override"))
    overrides: dict[str, list[dict]] = {}
    for b in bodies:
        if b["kind"] == "override" and b.get("regrade"):
            overrides.setdefault(b["attempt_id"], []).append(b)
    for b in bodies:
        if b["kind"] != "attempt":
            continue
        responses = None
        if include_responses and b.get("store_id") == store.store_id:
            responses = {i: e.get("text", "") for i, e in enumerate(store.transcript(b["attempt_id"]))
                         if e.get("kind") == "response"}
        yield from xapi.attempt_statements(b, account_homepage=p.account_homepage, activity_base=p.activity_base,
                                           responses=responses, overrides=overrides.get(b["attempt_id"], ()))


def export_xapi(store: Store, *, trainee: str | None = None, include_responses: bool = False) -> list[dict[str, Any]]:
    return list(iter_xapi(store, trainee=trainee, include_responses=include_responses))


def dumps(value: Any) -> str:
    return json.dumps(value, ensure_ascii=False, indent=1) + "\n"


def today() -> dt.date:
    return dt.date.today()

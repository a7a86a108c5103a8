"""Benchmarks for training records: `report` and `records verify` on a large generated ledger.

    python3 bench/bench_records.py                  # 1,000,000 ledger records (+ a 100,000-record store)
    python3 bench/bench_records.py --records 200000 # smaller, quicker
    python3 bench/bench_records.py --keep /tmp/big  # keep the generated stores

Targets (issue 6): report under 2 s on 1,000,000 records; verify 100,000 records under 1 s.
Records are realistic ledger bodies (canonical JSON, two turns each) spread over 1,000 trainees,
written straight into the ledger table in one transaction so generation stays quick on 2 cores.
"""

from __future__ import annotations

import argparse
import os
import shutil
import sqlite3
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from trainer.records.canonical import canonical_text  # noqa: E402
from trainer.records.ledger import GENESIS, body_digest, record_hash  # noqa: E402
from trainer.records.report import build_report, render_text  # noqa: E402
from trainer.records.store import STORE_FILENAME, Store  # noqa: E402

CATEGORIES = ("ethics", "peer-specific", "elective")


def generate(folder: Path, records: int, trainees: int = 1000) -> tuple[float, int]:
    """A store whose own ledger holds `records` finished attempts; returns (seconds, file bytes)."""
    start = time.perf_counter()
    with Store.open(folder) as store:
        store_id, fingerprint = store.store_id, store.policy.fingerprint
    conn = sqlite3.connect(folder / STORE_FILENAME, isolation_level=None)
    conn.execute("PRAGMA synchronous = OFF")
    conn.execute("BEGIN")
    prev = GENESIS
    batch = []
    for seq in range(1, records + 1):
        t = seq % trainees
        cat = CATEGORIES[seq % 3]
        minutes = 5 + seq % 20
        day = f"2025-{1 + seq % 12:02d}-{1 + seq % 28:02d}"
        aid = f"00000000-0000-4000-8000-{seq:012d}"
        body = canonical_text({
            "kind": "attempt", "format": 1, "store_id": store_id, "recorded_at": f"{day}T12:00:00.000Z",
            "attempt_id": aid, "trainee": {"id": f"t-{t:012x}", "name": f"Trainee {t}", "program_id": f"P-{t:05d}"},
            "scenario": {"id": f"scenario-{seq % 40}", "version": "1", "title": f"Scenario {seq % 40}",
                         "content_hash": "sha256:" + "ab" * 32, "estimated_minutes": 15.0, "hour_category": cat,
                         "objectives": ["Reflect the feeling first.", "Offer an alternative that still helps."]},
            "mode": "assessment" if seq % 4 == 0 else "practice", "started_at": f"{day}T11:40:00.000Z",
            "ended_at": f"{day}T12:00:00.000Z", "local_date": day, "engaged_seconds": minutes * 60.0,
            "outcome": "exemplary", "ending": "good_end", "score": 0.85, "passed": True if seq % 4 == 0 else None,
            "competencies": {"engages-peers": 0.9, "provides-support": 0.8}, "flags": [], "hints_used": seq % 2,
            "turns": [{"i": 2, "kind": "choice", "node": "opening", "at": f"{day}T11:45:00.000Z", "choice": "0",
                       "score": 1.0, "flags": [], "fallback": False},
                      {"i": 5, "kind": "response", "node": "middle", "at": f"{day}T11:55:00.000Z", "score": 0.7,
                       "flags": [], "met": ["reflects-feeling"], "route": 0}],
            "transcript_sha256": "cd" * 32, "overrides": [],
            "credit": {"category": cat, "completed": 1, "passed": 1 if seq % 4 == 0 else None,
                       "eligible_minutes": float(minutes), "minutes": float(minutes), "hours": 0.0, "note": "credited",
                       "policy": fingerprint, "unit": "contact hour", "minutes_per_hour": 60},
        })
        digest = record_hash(seq, prev, body_digest(body))
        batch.append((store_id, seq, prev, digest, body))
        prev = digest
        if len(batch) == 20000:
            conn.executemany("INSERT INTO ledger (store_id, seq, prev_hash, hash, body) VALUES (?, ?, ?, ?, ?)", batch)
            batch.clear()
    if batch:
        conn.executemany("INSERT INTO ledger (store_id, seq, prev_hash, hash, body) VALUES (?, ?, ?, ?, ?)", batch)
    conn.execute("COMMIT")
    conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    conn.close()
    return time.perf_counter() - start, (folder / STORE_FILENAME).stat().st_size


def best_of(n: int, fn) -> tuple[float, object]:
    times, value = [], None
    for _ in range(n):
        t = time.perf_counter()
        value = fn()
        times.append(time.perf_counter() - t)
    return min(times), value


def baseline_scan(folder: Path) -> float:
    """The floor for a report: SQLite counting the ledger's rows, nothing else."""
    import sqlite3

    con = sqlite3.connect(f"file:{folder / STORE_FILENAME}?mode=ro", uri=True)
    try:
        return best_of(3, lambda: con.execute("SELECT count(*) FROM ledger").fetchone())[0]
    finally:
        con.close()


def baseline_hash(folder: Path) -> float:
    """The floor for verify: read every body and hash it, without checking the chain."""
    import hashlib
    import sqlite3

    con = sqlite3.connect(f"file:{folder / STORE_FILENAME}?mode=ro", uri=True)

    def run():
        for (body,) in con.execute("SELECT body FROM ledger ORDER BY store_id, seq"):
            hashlib.sha256((body or "").encode()).hexdigest()

    try:
        return best_of(3, run)[0]
    finally:
        con.close()


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--records", type=int, default=1_000_000)
    ap.add_argument("--verify-records", type=int, default=100_000)
    ap.add_argument("--keep", metavar="DIR")
    args = ap.parse_args()
    base = Path(args.keep) if args.keep else Path(tempfile.mkdtemp(prefix="pt-bench-"))
    big, small = base / "big", base / "small"
    try:
        for folder, n in ((big, args.records), (small, args.verify_records)):
            if not (folder / STORE_FILENAME).exists():
                secs, size = generate(folder, n)
                print(f"generated {n:,} ledger records in {secs:.1f} s ({size / 1e6:.0f} MB)")
        with Store.open(big, readonly=True) as store:
            t_report, report = best_of(3, lambda: render_text(build_report(store)))
            rows = report.count("\n")
            t_verify_big, result = best_of(1, store.verify_ledger)
            assert result.ok and result.records == args.records, result
        env = dict(os.environ, PYTHONPATH=str(Path(__file__).resolve().parent.parent))
        t0 = time.perf_counter()
        subprocess.run([sys.executable, "-m", "trainer", "--data-dir", str(big), "report"], check=True,
                       stdout=subprocess.DEVNULL, env=env)
        t_cli = time.perf_counter() - t0
        with Store.open(small, readonly=True) as store:
            t_verify_small, result = best_of(3, store.verify_ledger)
            assert result.ok and result.records == args.verify_records
        t0 = time.perf_counter()
        subprocess.run([sys.executable, "-m", "trainer", "--data-dir", str(small), "records", "verify"], check=True,
                       stdout=subprocess.DEVNULL, env=env)
        t_cli_verify = time.perf_counter() - t0
        t_scan = baseline_scan(big)
        t_hash = baseline_hash(small)
        print(f"report on {args.records:,} records: {t_report:.2f} s in-process (best of 3, {rows} lines); "
              f"'peer-trainer report' {t_cli:.2f} s wall  [target < 2 s]  "
              f"[baseline: a bare SQL count over the ledger {t_scan:.2f} s]")
        print(f"verify {args.verify_records:,} records: {t_verify_small:.2f} s in-process (best of 3); "
              f"'peer-trainer records verify' {t_cli_verify:.2f} s wall  [target < 1 s]  "
              f"[baseline: reading and sha256-hashing the same bodies, no chain logic {t_hash:.2f} s]")
        print(f"verify {args.records:,} records: {t_verify_big:.2f} s "
              f"({args.records / t_verify_big / 1000:.0f}k records/s)")
    finally:
        if not args.keep:
            shutil.rmtree(base, ignore_errors=True)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())

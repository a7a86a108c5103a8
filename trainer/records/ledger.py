"""The tamper-evident ledger: finished attempts as a hash chain.

Each record is a canonical JSON body. Its hash covers the ledger format, its sequence
number, the previous record's hash and the SHA-256 of its body:

    hash = sha256("peer-trainer-ledger/1\\n{seq}\\n{prev_hash}\\n{body_sha256}")

so changing, removing, inserting or reordering any record breaks the chain at that record.
Hashing the body's digest rather than the body itself lets an export replace a record it
must not disclose (another trainee's) by a stub of (seq, prev_hash, body_sha256, hash)
that still verifies.

What this proves and what it does not is in docs/records.md: someone holding the file can
rewrite the whole chain from the edited record on; only a head hash kept elsewhere (on a
certificate, in an LRS receipt, in a program's earlier import) makes that visible.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from typing import Iterable, Iterator

LEDGER_FORMAT = "peer-trainer-ledger/1"
GENESIS = "0" * 64


def body_digest(body: str) -> str:
    return hashlib.sha256(body.encode("utf-8")).hexdigest()


def record_hash(seq: int, prev_hash: str, body_sha256: str) -> str:
    return hashlib.sha256(f"{LEDGER_FORMAT}\n{seq}\n{prev_hash}\n{body_sha256}".encode("ascii")).hexdigest()


@dataclass(frozen=True)
class LedgerRecord:
    seq: int
    prev_hash: str
    hash: str
    body: str | None  # canonical JSON; None for a stub (a record withheld from an export)
    body_sha256: str | None = None

    def digest(self) -> str:
        return body_digest(self.body) if self.body is not None else (self.body_sha256 or "")


@dataclass(frozen=True)
class Break:
    seq: int  # the first record that does not verify
    position: int  # its position in the walk, 1-based
    problem: str

    def message(self) -> str:
        return f"record {self.seq}: {self.problem}"


@dataclass(frozen=True)
class VerifyResult:
    records: int  # how many records were checked
    head_seq: int
    head_hash: str
    broken: Break | None = None
    anchors_checked: int = 0

    @property
    def ok(self) -> bool:
        return self.broken is None


def verify_chain(
    rows: Iterable[tuple[int, str, str, str | None, str | None]],
    *,
    start_seq: int = 1,
    start_prev: str = GENESIS,
    anchors: dict[int, str] | None = None,
) -> VerifyResult:
    """Walk (seq, prev_hash, hash, body, body_sha256) rows in order; stop at the first break.

    `anchors` maps a sequence number to the hash it had when it was seen elsewhere (a
    certificate, a receipt); a record that differs from its anchor is a break too.
    """
    expected_seq = start_seq
    expected_prev = start_prev
    count = 0
    anchors = anchors or {}
    anchors_checked = 0
    sha = hashlib.sha256
    prefix = f"{LEDGER_FORMAT}\n"
    for seq, prev_hash, stored_hash, body, body_sha in rows:
        count += 1
        if seq != expected_seq:
            problem = (f"expected record {expected_seq} here, found record {seq}: "
                       + ("a record was deleted" if seq > expected_seq else "records were reordered or duplicated"))
            return VerifyResult(count - 1, expected_seq - 1, expected_prev, Break(seq, count, problem), anchors_checked)
        if prev_hash != expected_prev:
            return VerifyResult(count - 1, expected_seq - 1, expected_prev,
                                Break(seq, count, "its link to the previous record does not match "
                                      "(the previous record was changed, removed or replaced)"), anchors_checked)
        if body is not None:
            digest = sha(body.encode("utf-8")).hexdigest()
            if body_sha is not None and body_sha != digest:
                return VerifyResult(count - 1, expected_seq - 1, expected_prev,
                                    Break(seq, count, "its content does not match its stated digest (the record was edited)"),
                                    anchors_checked)
        elif body_sha:
            digest = body_sha
        else:
            return VerifyResult(count - 1, expected_seq - 1, expected_prev, Break(seq, count, "it has neither content nor digest"),
                                anchors_checked)
        computed = sha(f"{prefix}{seq}\n{prev_hash}\n{digest}".encode("ascii")).hexdigest()
        if computed != stored_hash:
            return VerifyResult(count - 1, expected_seq - 1, expected_prev,
                                Break(seq, count, "its content does not match its hash (the record was edited)"), anchors_checked)
        if seq in anchors:
            anchors_checked += 1
            if anchors[seq] != stored_hash:
                return VerifyResult(count - 1, expected_seq - 1, expected_prev,
                                    Break(seq, count, f"its hash differs from the anchor {anchors[seq][:16]}... recorded "
                                          "elsewhere (the chain was rewritten after that anchor was taken)"), anchors_checked)
        expected_seq = seq + 1
        expected_prev = stored_hash
    missing = [s for s in anchors if s >= expected_seq]
    if missing:
        s = min(missing)
        return VerifyResult(count, expected_seq - 1, expected_prev,
                            Break(s, count + 1, "an anchor names this record but the ledger ends before it "
                                  "(records were removed from the end)"), anchors_checked)
    return VerifyResult(count, expected_seq - 1, expected_prev, None, anchors_checked)


def iter_stub_rows(records: Iterable[LedgerRecord]) -> Iterator[tuple[int, str, str, str | None, str | None]]:
    for r in records:
        yield r.seq, r.prev_hash, r.hash, r.body, r.body_sha256

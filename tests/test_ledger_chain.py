"""The hash chain: any edit, deletion, insertion or reordering is found and named."""

from __future__ import annotations

import json
import sqlite3

import pytest
from hypothesis import HealthCheck, given, settings, strategies as st

from test_records_support import Clock, load_fixture_scenario, play
from trainer.cli import main
from trainer.records import Store
from trainer.records.ledger import GENESIS, record_hash, verify_chain, body_digest
from trainer.records.store import STORE_FILENAME


@pytest.fixture
def filled(tmp_path):
    clock = Clock()
    with Store.open(tmp_path / "data", clock=clock) as s:
        t = s.add_trainee("Ada", "PA-1")
        scenario = load_fixture_scenario(tmp_path)
        for _ in range(5):
            play(s, t.id, scenario, clock)
        head = s.ledger_head()
    return tmp_path / "data", head


def _db(folder):
    conn = sqlite3.connect(folder / STORE_FILENAME)
    conn.isolation_level = None
    return conn


def _verify(folder, **kw):
    with Store.open(folder) as s:
        return s.verify_ledger(**kw)


def test_an_untouched_ledger_verifies(filled):
    folder, head = filled
    result = _verify(folder)
    assert result.ok and result.records == 6 and (result.head_seq, result.head_hash) == head


def test_editing_a_record_is_found(filled):
    folder, _ = filled
    conn = _db(folder)
    body = json.loads(conn.execute("SELECT body FROM ledger WHERE seq = 3").fetchone()[0])
    body["credit"]["minutes"] = 600
    conn.execute("UPDATE ledger SET body = ? WHERE seq = 3", (json.dumps(body, sort_keys=True, separators=(",", ":")),))
    result = _verify(folder)
    assert not result.ok and result.broken.seq == 3 and "edited" in result.broken.problem
    assert result.head_seq == 2


def test_editing_a_record_and_its_hash_breaks_the_next_link(filled):
    folder, _ = filled
    conn = _db(folder)
    seq, prev, body = conn.execute("SELECT seq, prev_hash, body FROM ledger WHERE seq = 3").fetchone()
    body = body.replace('"passed":null', '"passed":true')
    conn.execute("UPDATE ledger SET body = ?, hash = ? WHERE seq = 3", (body, record_hash(3, prev, body_digest(body))))
    result = _verify(folder)
    assert result.broken.seq == 4 and "link" in result.broken.problem


def test_deleting_a_record_is_found(filled):
    folder, _ = filled
    _db(folder).execute("DELETE FROM ledger WHERE seq = 2")
    result = _verify(folder)
    assert result.broken.seq == 3 and "deleted" in result.broken.problem


def test_reordering_records_is_found(filled):
    folder, _ = filled
    conn = _db(folder)
    conn.execute("UPDATE ledger SET seq = -1 WHERE seq = 2")
    conn.execute("UPDATE ledger SET seq = 2 WHERE seq = 3")
    conn.execute("UPDATE ledger SET seq = 3 WHERE seq = -1")
    result = _verify(folder)
    assert not result.ok and result.broken.seq == 2


def test_truncating_the_end_is_found_only_with_an_anchor(filled):
    folder, (head_seq, head_hash) = filled
    _db(folder).execute("DELETE FROM ledger WHERE seq = ?", (head_seq,))
    assert _verify(folder).ok  # the chain alone cannot tell: this is what anchors are for
    result = _verify(folder, anchors={head_seq: head_hash})
    assert not result.ok and result.broken.seq == head_seq and "ends before" in result.broken.problem


def test_a_rewritten_chain_is_found_by_an_anchor(filled):
    folder, (head_seq, head_hash) = filled
    conn = _db(folder)
    rows = conn.execute("SELECT seq, body FROM ledger ORDER BY seq").fetchall()
    prev = GENESIS
    for seq, body in rows:  # a person with the file rewrites every hash after an edit
        if seq == 2:
            body = body.replace('"hints_used":0', '"hints_used":1')
        h = record_hash(seq, prev, body_digest(body))
        conn.execute("UPDATE ledger SET body = ?, prev_hash = ?, hash = ? WHERE seq = ?", (body, prev, h, seq))
        prev = h
    assert _verify(folder).ok
    result = _verify(folder, anchors={head_seq: head_hash})
    assert not result.ok and "rewritten" in result.broken.problem


def test_cli_verify_names_the_first_broken_record(filled, capsys):
    folder, (head_seq, head_hash) = filled
    assert main(["--data-dir", str(folder), "records", "verify", "--anchor", f"{head_seq}:{head_hash}"]) == 0
    assert "ok:" in capsys.readouterr().out
    _db(folder).execute("UPDATE ledger SET body = replace(body, '\"mode\":\"practice\"', '\"mode\":\"assessment\"') WHERE seq = 4")
    assert main(["--data-dir", str(folder), "records", "verify"]) == 1
    out = capsys.readouterr().out
    assert "BROKEN" in out and "record 4" in out
    assert main(["--data-dir", str(folder), "records", "verify", "--anchor", "nonsense"]) == 2


def test_stubs_verify_like_full_records():
    rows, prev = [], GENESIS
    for seq in range(1, 6):
        body = json.dumps({"n": seq})
        h = record_hash(seq, prev, body_digest(body))
        rows.append((seq, prev, h, None if seq % 2 else body, body_digest(body) if seq % 2 else None))
        prev = h
    assert verify_chain(rows).ok
    bad = list(rows)
    bad[2] = (3, rows[2][1], rows[2][2], None, "0" * 64)
    assert verify_chain(bad).broken.seq == 3


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(st.data())
def test_any_single_byte_change_is_found(filled, data):
    folder, _ = filled
    with Store.open(folder) as s:
        rows = s._read("SELECT seq, prev_hash, hash, body, body_sha256 FROM ledger ORDER BY seq")
    rows = [list(r) for r in rows]
    i = data.draw(st.integers(0, len(rows) - 1))
    field = data.draw(st.sampled_from([1, 2, 3]))
    text = rows[i][field]
    pos = data.draw(st.integers(0, len(text) - 1))
    new_char = data.draw(st.characters(min_codepoint=32, max_codepoint=126).filter(lambda c: c != text[pos]))
    rows[i][field] = text[:pos] + new_char + text[pos + 1:]
    result = verify_chain([tuple(r) for r in rows])
    assert not result.ok and result.broken.seq <= rows[i][0] + 1

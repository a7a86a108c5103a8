"""Program keys and signed certificates: made, verified with only the public key, tampering found."""

from __future__ import annotations

import dataclasses
import json
import sqlite3
import stat

import pytest

from test_records_support import Clock, load_fixture_scenario, play
from trainer.cli import main
from trainer.records import Store, load_policy
from trainer.records.certificate import (
    CertificateError, load_signing_key, verify_certificate, write_certificate,
)
from trainer.records.signing import KeyError_, generate, load_private
from trainer.records.store import STORE_FILENAME

pytest.importorskip("fpdf", reason="certificates are PDFs made with fpdf2")


@pytest.fixture
def program(tmp_path):
    policy = dataclasses.replace(load_policy(None), repeats="all", nominal_factor=None)
    clock = Clock()
    folder = tmp_path / "data"
    with Store.open(folder, clock=clock, policy=policy) as s:
        t = s.add_trainee("Zoë Ñúñez", "PA-9")
        scenario = load_fixture_scenario(tmp_path)
        for _ in range(4):
            play(s, t.id, scenario, clock, minutes_per_turn=5)  # 4 x 10 min -> 0.5 h
    paths, fingerprint = generate(folder / "program")
    return folder, policy, paths, fingerprint


def _make(program, tmp_path):
    folder, policy, paths, _ = program
    out = tmp_path / "cert.pdf"
    with Store.open(folder, policy=policy) as s:
        payload = write_certificate(s, "PA-9", out, load_signing_key(s, None))
    return out, payload


def test_keygen_keeps_the_private_key_private(program):
    _, _, paths, fingerprint = program
    assert stat.S_IMODE(paths.private.stat().st_mode) == 0o600
    assert fingerprint.startswith("ed25519:")
    with pytest.raises(KeyError_, match="already exists"):
        generate(paths.private.parent)
    paths.private.chmod(0o644)
    with pytest.raises(KeyError_, match="readable by others"):
        load_private(paths.private)


def test_a_certificate_carries_the_board_fields_and_verifies(program, tmp_path):
    out, payload = _make(program, tmp_path)
    data = out.read_bytes()
    assert data.startswith(b"%PDF") and b"%%EOF" in data[-32:]
    assert payload["trainee"] == {"name": "Zoë Ñúñez", "id": payload["trainee"]["id"], "program_id": "PA-9"}
    for field in ("provider", "delivery", "period", "activities", "objectives", "hours", "issued_at", "verification_id",
                  "ledger", "board_note"):
        assert payload[field], field
    assert payload["hours"]["total"] == 0.5 and payload["hours"]["by_category"] == {"ethics": 0.5}
    assert set(payload["provider"]) == {"name", "address", "approval_number", "contact"}
    result = verify_certificate(out, program[2].public)
    assert result.ok and result.key_matches and result.file_signature_ok and result.payload == payload


def test_verification_without_the_key_names_the_key(program, tmp_path, capsys):
    out, _ = _make(program, tmp_path)
    assert main(["certificate", "verify", str(out)]) == 0
    text = capsys.readouterr().out
    assert text.startswith("VALID") and "compare this fingerprint" in text


def test_changing_the_facts_is_found(program, tmp_path):
    out, payload = _make(program, tmp_path)
    data = out.read_bytes()
    forged = data.replace(b'"total":0.5', b'"total":9.5')
    assert forged != data
    out.write_bytes(forged)
    result = verify_certificate(out, program[2].public)
    assert not result.ok and not result.payload_signature_ok


def test_changing_the_page_is_found(program, tmp_path):
    out, _ = _make(program, tmp_path)
    data = bytearray(out.read_bytes())
    i = data.index(b"/Title")
    data[i + 8] ^= 1  # the document title, outside the signed JSON
    out.write_bytes(bytes(data))
    result = verify_certificate(out, program[2].public)
    assert result.payload_signature_ok and result.file_signature_ok is False and not result.ok


def test_another_programs_key_is_refused(program, tmp_path, capsys):
    out, _ = _make(program, tmp_path)
    other, _ = generate(tmp_path / "other")
    assert main(["certificate", "verify", str(out), "--public-key", str(other.public)]) == 1
    assert "NOT VALID" in capsys.readouterr().out


def test_a_re_signed_forgery_with_another_key_is_refused(program, tmp_path):
    from trainer.records.certificate import _sign_file, render_pdf, sign_payload
    from trainer.records.signing import load_private

    out, payload = _make(program, tmp_path)
    forger, _ = generate(tmp_path / "forger")
    forged = dict(payload, hours=dict(payload["hours"], total=40))
    key = load_private(forger.private)
    (tmp_path / "forged.pdf").write_bytes(_sign_file(render_pdf(sign_payload(forged, key)), key))
    assert verify_certificate(tmp_path / "forged.pdf").ok  # self-consistent: only the program's key tells
    assert not verify_certificate(tmp_path / "forged.pdf", program[2].public).ok


def test_no_certificate_from_a_broken_ledger(program, tmp_path):
    folder = program[0]
    conn = sqlite3.connect(folder / STORE_FILENAME)
    conn.execute("UPDATE ledger SET body = replace(body, '\"hints_used\":0', '\"hints_used\":2') WHERE seq = 3")
    conn.commit()
    conn.close()
    with pytest.raises(CertificateError, match="does not verify"):
        _make(program, tmp_path)


def test_not_a_certificate(tmp_path):
    f = tmp_path / "x.pdf"
    f.write_bytes(b"%PDF-1.4 nothing here")
    with pytest.raises(CertificateError, match="no peer-trainer certificate"):
        verify_certificate(f)


def test_cli_keygen_certificate_verify(tmp_path, capsys):
    clock = Clock()
    folder = tmp_path / "data"
    with Store.open(folder, clock=clock) as s:
        t = s.add_trainee("Ada", "PA-1")
        play(s, t.id, load_fixture_scenario(tmp_path), clock)
    d = ["--data-dir", str(folder)]
    assert main(d + ["certificate", "--trainee", "PA-1", "-o", str(tmp_path / "c.pdf")]) == 2
    assert "program keygen" in capsys.readouterr().err
    assert main(d + ["program", "keygen"]) == 0
    assert main(d + ["program", "keygen"]) == 2
    assert main(d + ["certificate", "--trainee", "PA-1", "-o", str(tmp_path / "c.pdf")]) == 0
    assert main(d + ["certificate", "verify", str(tmp_path / "c.pdf"), "--public-key",
                     str(folder / "program" / "program-signing-key.pub.pem"), "--format", "json"]) == 0
    out = capsys.readouterr().out
    assert json.loads(out[out.index("{"):])["valid"] is True
    assert main(d + ["certificate", "--trainee", "nobody"]) == 2
    assert main(d + ["certificate"]) == 2

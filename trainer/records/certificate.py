"""Signed certificates of training hours.

A certificate is a PDF a person can read, carrying inside it (as an uncompressed
attachment, `peer-trainer-certificate.json`) the signed facts it shows: a canonical JSON
payload with the fields boards ask for, an Ed25519 signature over that payload, and a
second signature over the whole file. `verify_certificate` needs only the program's
public key: it checks the payload's signature (are these facts what the program signed?)
and the file's (is the printed page the one that was signed?).
"""

from __future__ import annotations

import datetime as dt
import json
import re
import uuid
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from trainer.paths import write_atomically
from trainer.records import signing
from trainer.records.canonical import canonical_bytes
from trainer.records.store import Store, StoreError, iso

CERT_FORMAT = "peer-trainer-certificate/1"
ATTACHMENT = "peer-trainer-certificate.json"
MARKER = b'{"peer_trainer_certificate":1,'
_FILE_SIG_RE = re.compile(rb'"file_signature":"([A-Za-z0-9+/=]{88})"')
_PLACEHOLDER = "A" * 86 + "=="  # same length as a base64 Ed25519 signature
FONT_CANDIDATES = (
    "/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf",
    "/usr/share/fonts/dejavu/DejaVuSans.ttf",
    "/Library/Fonts/Arial Unicode.ttf",
    "C:/Windows/Fonts/arial.ttf",
)


class CertificateError(Exception):
    """A certificate that cannot be made or read; one line for a person."""


# --- building ----------------------------------------------------------------------------------


def build_payload(store: Store, trainee_ref: str) -> dict[str, Any]:
    """The facts a certificate states, from the ledger (this store's or imported), after verifying it."""
    summary = store.hours(trainee_ref)
    bodies = store.ledger_bodies(trainee=trainee_ref, kinds=("attempt",))
    if not bodies:
        raise CertificateError(f"no finished attempts for trainee '{trainee_ref}' in this store; nothing to certify")
    chains = sorted({b["store_id"] for b in bodies})
    heads = []
    for sid in chains:
        check = store.verify_ledger(store_id=sid)
        if not check.ok:
            raise CertificateError(f"the ledger of store {sid} does not verify ({check.broken.message()}); "
                                   "a certificate cannot be issued from it")
        heads.append({"store_id": sid, "head_seq": check.head_seq, "head_hash": check.head_hash})
    trainee = bodies[-1]["trainee"]
    p = store.policy
    objectives: dict[str, list[str]] = {}
    for b in bodies:
        objectives.setdefault(b["scenario"]["id"], list(b["scenario"].get("objectives") or ()))
    activities = []
    for e in summary.entries:
        activities.append({
            "date": e.date, "scenario_id": e.scenario_id, "title": e.title, "version": e.version, "mode": e.mode,
            "outcome": e.outcome, "passed": e.passed, "score": e.score, "category": e.category,
            "engaged_minutes": e.engaged_minutes, "credited_minutes": e.credited_minutes,
            "credited_hours": e.credited_hours, "note": e.note,
        })
    dates = [e.date for e in summary.entries]
    payload: dict[str, Any] = {
        "format": CERT_FORMAT,
        "verification_id": str(uuid.uuid4()),
        "issued_at": iso(store.now()),
        "trainee": {"name": trainee["name"], "id": trainee["id"], "program_id": trainee.get("program_id", "")},
        "provider": {"name": p.provider.name, "address": p.provider.address,
                     "approval_number": p.provider.approval_number, "contact": p.provider.contact},
        "delivery": p.delivery,
        "period": {"from": min(dates), "to": max(dates)},
        "activities": activities,
        "completions": sum(1 for b in bodies if b["credit"]["completed"]),
        "objectives": objectives,
        "hours": {"unit": p.unit, "minutes_per_hour": p.minutes_per_hour, "increment": p.increment,
                  "rounding": f"{p.rounding}, per {p.rounding_scope}", "total": summary.total_hours,
                  "by_category": {c: summary.by_category[c] for c in sorted(summary.by_category)},
                  "category_names": {c: p.category_label(c) for c in sorted(summary.by_category)}},
        "policy": {"name": p.name, "fingerprint": p.fingerprint},
        "ledger": heads,
        "board_note": p.board_note,
    }
    if summary.requirement is not None:
        r = summary.requirement
        payload["requirement"] = {
            "name": r.name, "period_start": r.period_start.isoformat() if r.period_start else None,
            "period_end": r.period_end.isoformat() if r.period_end else None, "required_total": r.required_total,
            "earned_total": r.earned_total, "met": r.met,
            "by_category": {c: {"required": req, "earned": got} for c, (req, got) in sorted(r.by_category.items())},
        }
    return payload


def sign_payload(payload: dict[str, Any], private_key) -> dict[str, Any]:
    """The container embedded in the PDF; keys in a fixed order so the marker can be found."""
    raw = signing.raw_public(private_key.public_key())
    payload = dict(payload, key_id=signing.fingerprint(raw))
    return {
        "peer_trainer_certificate": 1,
        "payload": payload,
        "public_key": signing.b64(raw),
        "key_id": signing.fingerprint(raw),
        "signature": signing.b64(private_key.sign(canonical_bytes(payload))),
        "file_signature": _PLACEHOLDER,
    }


def write_certificate(store: Store, trainee_ref: str, out: Path, private_key) -> dict[str, Any]:
    """Build, sign and write the PDF; returns the signed payload."""
    container = sign_payload(build_payload(store, trainee_ref), private_key)
    pdf = render_pdf(container)
    pdf = _sign_file(pdf, private_key)
    try:
        write_atomically(out, pdf, mode=0o644)  # a certificate is made to be handed to a board
    except OSError as exc:
        raise CertificateError(f"{out}: cannot write the certificate: {exc.strerror or exc}") from None
    return container["payload"]


def _container_bytes(container: dict[str, Any]) -> bytes:
    text = json.dumps(container, ensure_ascii=True, separators=(",", ":"), sort_keys=False)
    assert text.encode("ascii").startswith(MARKER)
    return text.encode("ascii")


def _sign_file(pdf: bytes, private_key) -> bytes:
    spans = [m.span(1) for m in _FILE_SIG_RE.finditer(pdf)]
    if len(spans) != 1:
        raise CertificateError("internal: the certificate's signature slot was not found exactly once")
    start, end = spans[0]
    signature = signing.b64(private_key.sign(pdf))  # signed with the placeholder in place
    assert len(signature) == end - start
    return pdf[:start] + signature.encode("ascii") + pdf[end:]


def render_pdf(container: dict[str, Any]) -> bytes:
    try:
        from fpdf import FPDF
    except ImportError:
        raise CertificateError("the PDF library fpdf2 is not installed; install peer-trainer's dependencies "
                               "(pip install fpdf2)") from None
    from fpdf.enums import XPos, YPos

    p = container["payload"]
    pdf = FPDF(format="letter", unit="mm")
    pdf.set_creation_date(dt.datetime.fromisoformat(p["issued_at"].replace("Z", "+00:00")))
    pdf.set_title(f"Certificate of training hours: {p['trainee']['name']}")
    pdf.set_author(p["provider"]["name"])
    pdf.set_subject(f"verification id {p['verification_id']}")
    pdf.set_creator("peer-trainer")
    pdf.set_margins(18, 16, 18)
    pdf.set_auto_page_break(True, 16)
    font, text, styles = _font(pdf)
    pdf.add_page()

    def line(s: str, size: float = 10, style: str = "", h: float = 5.2, align: str = "L") -> None:
        pdf.set_font(font, style if style in styles else "", size)
        pdf.multi_cell(0, h, text(s), align=align, new_x=XPos.LMARGIN, new_y=YPos.NEXT)

    def gap(mm: float = 2.5) -> None:
        pdf.ln(mm)

    line(p["provider"]["name"], 11, "B", align="C")
    line("Certificate of training hours", 20, "B", h=10, align="C")
    gap(2)
    line("This certifies that", 10, align="C")
    line(p["trainee"]["name"], 18, "B", h=9, align="C")
    ids = f"Trainee id {p['trainee']['id']}" + (f" - program id {p['trainee']['program_id']}" if p["trainee"]["program_id"] else "")
    line(ids, 9, align="C")
    gap(2)
    hours = p["hours"]
    line(f"completed {p['delivery']} between {p['period']['from']} and {p['period']['to']}, earning "
         f"{hours['total']:g} {hours['unit']}{'s' if hours['total'] != 1 else ''} "
         f"({hours['minutes_per_hour']} minutes each, in steps of {hours['increment']:g} hour, rounded {hours['rounding']}).",
         10, align="C")
    gap(3)
    line("Hours by category", 11, "B")
    for cat, value in hours["by_category"].items():
        line(f"    {hours['category_names'].get(cat, cat)}: {value:g}")
    if "requirement" in p:
        r = p["requirement"]
        line(f"    Requirement: {r['name']} ({r['period_start'] or '...'} to {r['period_end'] or '...'}): "
             f"{r['earned_total']:g} of {r['required_total']:g} hours; {'met' if r['met'] else 'not yet met'}")
    gap(2)
    credited = [a for a in p["activities"] if a["credited_minutes"] > 0]
    line("Credited activities", 11, "B")
    if not credited:
        line("    none", 9)
    for a in credited:
        result = a["outcome"] or ""
        if a["passed"] is not None:
            result += ", passed" if a["passed"] else ", not passed"
        line(f"{a['date']}  {a['title']} (v{a['version']}, {a['mode']}): {result}; {a['category']}, "
             f"{a['credited_hours']:g} h credited ({a['credited_minutes']:g} of {a['engaged_minutes']:g} engaged minutes; {a['note']})",
             9, h=4.6)
    others = len(p["activities"]) - len(credited)
    if others:
        line(f"    and {others} further finished attempts that earned no hours (listed in the signed record)", 9, h=4.6)
    objectives = list(dict.fromkeys(o for objs in p["objectives"].values() for o in objs))
    if objectives:
        gap(2)
        line("Learning objectives", 11, "B")
        for o in objectives[:15]:
            line(f"  - {o}", 9, h=4.6)
        if len(objectives) > 15:
            line(f"  ... and {len(objectives) - 15} more (listed in the signed record)", 9, h=4.6)
    gap(3)
    line("Provider", 11, "B")
    prov = p["provider"]
    line(prov["name"] + (f", {prov['address']}" if prov["address"] else ""), 9, h=4.6)
    line(f"Approval number: {prov['approval_number'] or 'not set'}" + (f"; contact: {prov['contact']}" if prov["contact"] else ""),
         9, h=4.6)
    line(f"Delivery: {p['delivery']}. Crediting policy: {p['policy']['name']}.", 9, h=4.6)
    gap(3)
    line("Verification", 11, "B")
    line(f"Issued {p['issued_at']}. Verification id {p['verification_id']}.", 9, h=4.6)
    line(f"Signed with program key {signing.short(container['key_id'])} (Ed25519).", 9, h=4.6)
    for h in p["ledger"]:
        line(f"Training ledger {h['store_id']}: record {h['head_seq']}, hash {h['head_hash']}", 8, h=4.2)
    line("Check this certificate with: peer-trainer certificate verify FILE --public-key <the program's public key>", 8, h=4.2)
    if p["board_note"]:
        gap(2)
        line(p["board_note"], 8, h=4.2)
    pdf.embed_file(bytes=_container_bytes(container), basename=ATTACHMENT, desc="Signed certificate data (peer-trainer)",
                   mime_type="application/json", compress=False,
                   modification_date=dt.datetime.fromisoformat(p["issued_at"].replace("Z", "+00:00")))
    return bytes(pdf.output())


def _font(pdf) -> tuple[str, Any, set[str]]:
    """A Unicode font if the system has one; else Helvetica, with characters it lacks replaced."""
    for candidate in FONT_CANDIDATES:
        if Path(candidate).is_file():
            try:
                pdf.add_font("Body", "", candidate)
                styles = {""}
                bold = candidate.replace("Sans.ttf", "Sans-Bold.ttf")
                if bold != candidate and Path(bold).is_file():
                    pdf.add_font("Body", "B", bold)
                    styles.add("B")
                return "Body", lambda s: s, styles
            except Exception:  # noqa: BLE001 - any unusable font: fall back to the built-in one
                continue
    return "Helvetica", lambda s: s.encode("latin-1", "replace").decode("latin-1"), {"", "B"}


# --- verifying ---------------------------------------------------------------------------------


@dataclass
class Verification:
    file: str
    payload: dict[str, Any] | None = None
    key_id: str = ""
    payload_signature_ok: bool = False
    file_signature_ok: bool | None = None  # None: not a PDF (a bare JSON container)
    key_matches: bool | None = None  # None: no public key given
    problems: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return self.payload_signature_ok and self.file_signature_ok is not False and self.key_matches is not False


def extract_container(data: bytes) -> tuple[dict[str, Any], tuple[int, int] | None]:
    """The embedded JSON container and where its file signature sits."""
    start = data.find(MARKER)
    if start < 0:
        raise CertificateError("no peer-trainer certificate data found in this file")
    if data.find(MARKER, start + 1) >= 0:
        raise CertificateError("this file holds more than one certificate's data; it was altered")
    try:
        container, end = json.JSONDecoder().raw_decode(data[start:].decode("ascii", "replace"))
    except ValueError:
        raise CertificateError("the certificate data in this file is damaged") from None
    m = _FILE_SIG_RE.search(data, start, start + end)
    return container, (m.span(1) if m else None)


def verify_certificate(path: Path, public_key_path: Path | None = None) -> Verification:
    from cryptography.exceptions import InvalidSignature

    result = Verification(str(path))
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise CertificateError(f"{path}: cannot read: {exc.strerror or exc}") from None
    container, sig_span = extract_container(data)
    if not isinstance(container, dict) or not isinstance(container.get("payload"), dict):
        raise CertificateError("the certificate data in this file is malformed")
    result.payload = container["payload"]
    try:
        raw = signing.unb64(container["public_key"])
        from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey

        embedded = Ed25519PublicKey.from_public_bytes(raw)
    except (KeyError, ValueError, TypeError):
        raise CertificateError("the certificate's public key is malformed") from None
    result.key_id = signing.fingerprint(raw)
    if container.get("key_id") != result.key_id or result.payload.get("key_id") != result.key_id:
        result.problems.append("the key named in the certificate is not the key it carries")
    key = embedded
    if public_key_path is not None:
        try:
            given = signing.load_public(public_key_path)
        except signing.KeyError_ as exc:
            raise CertificateError(str(exc)) from None
        result.key_matches = signing.raw_public(given) == raw
        if not result.key_matches:
            result.problems.append(f"it was not signed with the key in {public_key_path} "
                                   f"(it names key {signing.short(result.key_id)})")
        key = given
    try:
        key.verify(signing.unb64(container.get("signature", "")), canonical_bytes(result.payload))
        result.payload_signature_ok = True
    except (InvalidSignature, ValueError):
        result.problems.append("the signed facts were changed after signing (the signature does not match them)")
    if data.startswith(b"%PDF"):
        if sig_span is None:
            result.file_signature_ok = False
            result.problems.append("the file signature is missing")
        else:
            s, e = sig_span
            unsigned = data[:s] + _PLACEHOLDER.encode("ascii") + data[e:]
            try:
                key.verify(signing.unb64(data[s:e].decode("ascii")), unsigned)
                result.file_signature_ok = True
            except (InvalidSignature, ValueError):
                result.file_signature_ok = False
                result.problems.append("the PDF was changed after signing, so the printed page may not show the signed facts")
    if result.payload.get("format") != CERT_FORMAT:
        result.problems.append(f"unknown certificate format {result.payload.get('format')!r}")
        result.payload_signature_ok = False
    return result


def describe(v: Verification) -> list[str]:
    """What verification found, plainly, for a person at a certification board."""
    p = v.payload or {}
    out = []
    if v.ok:
        out.append("VALID: the certificate's facts are exactly what the program signed" +
                   ("; the page was not changed after signing" if v.file_signature_ok else "") + ".")
    else:
        out.append("NOT VALID: " + "; ".join(v.problems) + ".")
    if v.key_matches is None:
        out.append(f"Signed by key {signing.short(v.key_id)}, the key the certificate itself carries. Anyone can make a key: "
                   "compare this fingerprint with the one the program publishes, or pass --public-key.")
    elif v.key_matches:
        out.append(f"Signed by the program key you gave ({signing.short(v.key_id)}).")
    if p:
        t, prov, h = p.get("trainee", {}), p.get("provider", {}), p.get("hours", {})
        out.append(f"Trainee: {t.get('name')} (id {t.get('id')}" + (f", program id {t.get('program_id')}" if t.get("program_id") else "") + ")")
        out.append(f"Provider: {prov.get('name')}; approval number {prov.get('approval_number') or 'not set'}")
        out.append(f"Hours: {h.get('total')} {h.get('unit')} ({h.get('minutes_per_hour')} min): "
                   + ", ".join(f"{k} {val}" for k, val in (h.get("by_category") or {}).items()))
        out.append(f"Period: {p.get('period', {}).get('from')} to {p.get('period', {}).get('to')}; "
                   f"{len(p.get('activities') or ())} activities; issued {p.get('issued_at')}; verification id {p.get('verification_id')}")
        for head in p.get("ledger") or ():
            out.append(f"Ledger anchor: store {head['store_id']} record {head['head_seq']} hash {head['head_hash']} "
                       f"(check a ledger with: peer-trainer records verify --anchor {head['head_seq']}:{head['head_hash']})")
    out.append("A valid signature shows who signed these facts and that they are unchanged; it does not show the "
               "training happened as stated beyond what the program's records say.")
    return out


def load_signing_key(store: Store, key_file: Path | None):
    folder = store.path.parent / "program"
    path = key_file or signing.key_paths(folder).private
    try:
        return signing.load_private(path)
    except signing.KeyError_ as exc:
        raise CertificateError(str(exc)) from None


__all__ = ["CertificateError", "Verification", "build_payload", "write_certificate", "verify_certificate", "describe",
           "StoreError"]

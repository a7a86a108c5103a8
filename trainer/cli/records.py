"""Training records from the command line: hours, exports, imports, reports, certificates.

`records verify|export|import|policy|delete-responses`, `hours`, `report`, `program keygen`,
`certificate [verify]` and `trainee add|list`. Every command works on the store under
--data-dir (else $PEER_TRAINER_HOME, else the user data folder); a store problem is one
line on stderr and exit code 2, never a traceback.
"""

from __future__ import annotations

import functools
import json
import sys
from pathlib import Path

from trainer.cli.common import CommandError, emit
from trainer.paths import write_atomically


def _guard(fn):
    """Turn the records package's errors into one-line CommandErrors."""

    @functools.wraps(fn)
    def run(args):
        from trainer.records.certificate import CertificateError
        from trainer.records.policy import PolicyError
        from trainer.records.signing import KeyError_
        from trainer.records.store import StoreError

        try:
            return fn(args)
        except (StoreError, CertificateError, KeyError_, PolicyError) as exc:
            raise CommandError(str(exc)) from None

    return run


def register(sub) -> None:
    rec = sub.add_parser("records", help="verify, export and import training records",
                         description="Verify the tamper-evident ledger, export records, import other trainees' exports.")
    rsub = rec.add_subparsers(dest="records_command", metavar="ACTION", required=True)

    p = rsub.add_parser("verify", help="re-walk the hash-chained ledger and name the first broken record")
    p.add_argument("--anchor", action="append", default=[], metavar="SEQ:HASH",
                   help="a head hash recorded elsewhere (a certificate, an LRS receipt) that record SEQ must still have")
    p.add_argument("--all", action="store_true", help="also verify every imported chain")
    p.add_argument("--format", choices=("text", "json"), default="text")
    p.set_defaults(run=_guard(run_verify))

    p = rsub.add_parser("export", help="export records as csv, json (verifiable ledger) or xapi (1.0.3 statements)")
    p.add_argument("--format", choices=("csv", "json", "xapi"), required=True)
    p.add_argument("-o", "--output", metavar="FILE", help="write to FILE (default: standard output)")
    p.add_argument("--include-responses", action="store_true",
                   help="include the trainee's own words (free-text responses, reflections): sensitive")
    p.add_argument("--trainee", metavar="ID", help="only this trainee (our id or the program's id)")
    p.set_defaults(run=_guard(run_export))

    p = rsub.add_parser("import", help="merge json or xapi exports from trainees (verified, deduplicated)")
    p.add_argument("files", nargs="+", metavar="FILE")
    p.set_defaults(run=_guard(run_import))

    p = rsub.add_parser("policy", help="show the crediting policy in force, or check a policy file")
    p.add_argument("--check", metavar="FILE", help="check this policy file and print its diagnostics")
    p.add_argument("--format", choices=("text", "json"), default="text")
    p.set_defaults(run=_guard(run_policy))

    register_push(rsub)

    p = rsub.add_parser("delete-responses", help="erase a trainee's free text (responses, reflections); hours stay")
    p.add_argument("--trainee", required=True, metavar="ID")
    p.add_argument("--yes", action="store_true", help="do not ask for confirmation")
    p.set_defaults(run=_guard(run_delete_responses))

    p = sub.add_parser("hours", help="a trainee's hours log and totals by category")
    p.add_argument("--trainee", metavar="ID", help="our id or the program's (default: the only trainee)")
    p.add_argument("--format", choices=("text", "json"), default="text")
    p.set_defaults(run=_guard(run_hours))

    p = sub.add_parser("report", help="hours and completions per trainee and category (program side)")
    p.add_argument("--format", choices=("text", "csv"), default="text")
    p.add_argument("-o", "--output", metavar="FILE")
    p.set_defaults(run=_guard(run_report))

    prog = sub.add_parser("program", help="the program's signing key")
    psub = prog.add_subparsers(dest="program_command", metavar="ACTION", required=True)
    p = psub.add_parser("keygen", help="make the program's Ed25519 signing key pair")
    p.add_argument("-o", "--output", metavar="DIR", help="folder for the key pair (default: DATA_DIR/program)")
    p.add_argument("--force", action="store_true", help="replace an existing key")
    p.set_defaults(run=_guard(run_keygen))

    cert = sub.add_parser("certificate", help="a signed PDF certificate of a trainee's hours; 'certificate verify FILE' checks one",
                          description="Make a signed certificate (--trainee), or check one: certificate verify FILE.")
    cert.add_argument("--trainee", metavar="ID")
    cert.add_argument("-o", "--output", metavar="FILE.pdf")
    cert.add_argument("--key", metavar="FILE", help="the program's private key (default: DATA_DIR/program/...)")
    csub = cert.add_subparsers(dest="certificate_command", metavar="ACTION")
    p = csub.add_parser("verify", help="check a certificate's signatures with the program's public key")
    p.add_argument("file", metavar="FILE")
    p.add_argument("--public-key", metavar="FILE", help="the program's public key (PEM)")
    p.add_argument("--format", choices=("text", "json"), default="text")
    p.set_defaults(run=_guard(run_certificate_verify))
    cert.set_defaults(run=_guard(run_certificate))

    tr = sub.add_parser("trainee", help="add or list trainees (for headless use)")
    tsub = tr.add_subparsers(dest="trainee_command", metavar="ACTION", required=True)
    p = tsub.add_parser("add", help="add a trainee")
    p.add_argument("name")
    p.add_argument("--program-id", default="", metavar="ID", help="the program's id for this trainee")
    p.set_defaults(run=_guard(run_trainee_add))
    p = tsub.add_parser("list", help="list trainees")
    p.add_argument("--format", choices=("text", "json"), default="text")
    p.set_defaults(run=_guard(run_trainee_list))


# --- helpers -------------------------------------------------------------------------------------


def _open(args, *, readonly: bool = False):
    from trainer.records.store import Store

    return Store.open(getattr(args, "data_dir", None), readonly=readonly)


def _write_output(target: str | None, text: str) -> None:
    if not target or target == "-":
        sys.stdout.write(text)
        return
    path = Path(target)
    try:
        write_atomically(path, text)
    except OSError as exc:
        raise CommandError(f"{path}: cannot write: {exc.strerror or exc}") from None


def _trainee_ref(store, ref: str | None) -> str:
    if ref:
        t = store.find_trainee(ref)
        if t:
            return t.id
        if store.ledger_bodies(trainee=ref, kinds=("attempt",)):
            return ref  # known only from imported records
        raise CommandError(f"no trainee '{ref}' in this store; 'peer-trainer trainee list' shows who is")
    trainees = store.trainees()
    if len(trainees) == 1:
        return trainees[0].id
    if not trainees:
        raise CommandError("no trainees in this store yet; add one with 'peer-trainer trainee add NAME'")
    raise CommandError("several trainees use this store; choose one with --trainee ID ('peer-trainer trainee list')")


# --- records ---------------------------------------------------------------------------------------


def run_verify(args) -> int:
    anchors: dict[int, str] = {}
    for raw in args.anchor:
        seq, _, digest = raw.partition(":")
        if not seq.isdigit() or len(digest) != 64:
            raise CommandError(f"--anchor {raw}: write it as SEQ:HASH (a record number and its 64-digit hash)")
        anchors[int(seq)] = digest.lower()
    with _open(args, readonly=True) as store:
        chains = [(store.store_id, True)]
        if args.all:
            chains += [(sid, False) for sid, _n, own in store.ledger_stores() if not own]
        results = []
        for sid, own in chains:
            results.append((sid, own, store.verify_ledger(store_id=sid, anchors=anchors if own else None)))
    if args.format == "json":
        json.dump([{"store_id": sid, "own": own, "ok": r.ok, "records": r.records, "head_seq": r.head_seq,
                    "head_hash": r.head_hash, "anchors_checked": r.anchors_checked,
                    "broken": None if r.ok else {"seq": r.broken.seq, "problem": r.broken.problem}}
                   for sid, own, r in results], sys.stdout, indent=2)
        sys.stdout.write("\n")
    else:
        for sid, own, r in results:
            label = "this store's ledger" if own else f"imported ledger {sid}"
            if r.ok:
                emit(f"ok: {label}: {r.records} records verify; head is record {r.head_seq}, hash {r.head_hash}"
                     + (f"; {r.anchors_checked} anchors match" if r.anchors_checked else ""))
            else:
                emit(f"BROKEN: {label}: {r.broken.message()}. Records 1 to {r.head_seq} verify "
                     f"(last good hash {r.head_hash}).")
    return 0 if all(r.ok for _s, _o, r in results) else 1


def run_export(args) -> int:
    from trainer.records import export

    with _open(args, readonly=True) as store:
        trainee = _trainee_ref(store, args.trainee) if args.trainee else None
        if args.format == "json":
            text = export.dumps(export.export_json(store, trainee=trainee, include_responses=args.include_responses))
        elif args.format == "csv":
            text = export.export_csv(store, trainee=trainee, include_responses=args.include_responses)
        else:
            text = export.dumps(export.export_xapi(store, trainee=trainee, include_responses=args.include_responses))
    _write_output(args.output, text)
    if args.output and args.include_responses:
        print(f"peer-trainer: {args.output} holds trainees' own words; it was written readable by you only. "
              "Share it only as your program's privacy rules allow.", file=sys.stderr)
    return 0


def run_import(args) -> int:
    from trainer.records.merge import import_file
    from trainer.records.store import StoreError

    failed = False
    with _open(args) as store:
        for f in args.files:
            try:
                result = import_file(store, f)
            except StoreError as exc:
                emit(f"error: {exc}")
                failed = True
                continue
            emit(result.summary())
            for line in result.conflicts:
                emit(f"  conflict: {line}")
            for line in result.rejected:
                emit(f"  rejected: {line}")
            for line in result.notes:
                emit(f"  note: {line}")
            failed = failed or not result.ok
    return 1 if failed else 0


def run_policy(args) -> int:
    from trainer.cli.common import print_diagnostics
    from trainer.records.policy import load_policy_file, policy_path_for
    from trainer.paths import data_dir

    path = Path(args.check) if args.check else policy_path_for(data_dir(getattr(args, "data_dir", None)))
    policy, diagnostics = load_policy_file(path)
    if diagnostics or policy is None:
        print_diagnostics(diagnostics, args.format)
        if policy is None:
            return 1
    if args.format == "json":
        json.dump({"file": str(path), "name": policy.name, "fingerprint": policy.fingerprint}, sys.stdout, indent=2)
        sys.stdout.write("\n")
        return 0
    emit(f"{path}: {policy.name}")
    emit(f"  fingerprint {policy.fingerprint}")
    emit(f"  1 {policy.unit} = {policy.minutes_per_hour} min; increments of {policy.increment:g}, rounded "
         f"{policy.rounding} per {policy.rounding_scope}; idle gaps over {policy.idle_limit_minutes:g} min not counted")
    emit(f"  credit: practice {'yes' if policy.practice_credit else 'no'}; assessment when {policy.assessment_credit}; "
         f"min score {policy.min_score:g}; repeats: {policy.repeats}")
    emit(f"  caps: {policy.nominal_factor or 'no'} x nominal minutes; "
         f"{('%g hours a day' % policy.daily_hours) if policy.daily_hours else 'no daily cap'}")
    if policy.requirement:
        r = policy.requirement
        emit(f"  requirement: {r.name}: {r.total_hours:g} hours"
             + "".join(f", {c} {h:g}" for c, h in r.categories.items()))
    emit(f"  provider: {policy.provider.name}; approval number {policy.provider.approval_number or 'not set'}")
    return 0


def run_delete_responses(args) -> int:
    with _open(args) as store:
        tid = _trainee_ref(store, args.trainee)
        if not args.yes:
            if not sys.stdin.isatty():
                raise CommandError("add --yes to erase responses without a prompt")
            answer = input(f"Erase every free-text response and reflection of {tid}? Hours stay. [y/N] ")
            if answer.strip().lower() not in ("y", "yes"):
                emit("nothing erased")
                return 0
        n = store.delete_responses(tid)
    emit(f"erased the free text of {n} attempts; the ledger (facts and hours) is unchanged")
    return 0


# --- hours and report ------------------------------------------------------------------------------


def run_hours(args) -> int:
    with _open(args, readonly=True) as store:
        tid = _trainee_ref(store, args.trainee)
        summary = store.hours(tid)
        trainee = store.get_trainee(tid)
    if args.format == "json":
        from dataclasses import asdict

        data = asdict(summary)
        if summary.requirement:
            data["requirement"]["met"] = summary.requirement.met
        json.dump(data, sys.stdout, indent=2, default=str, ensure_ascii=False)
        sys.stdout.write("\n")
        return 0
    emit(f"Hours for {trainee.name if trainee else tid} ({tid}); 1 hour = 1 {summary.unit}; policy: {summary.policy_name}")
    if not summary.entries:
        emit("  no finished attempts yet")
    for e in summary.entries:
        result = e.outcome or ""
        if e.passed is not None:
            result += ", passed" if e.passed else ", not passed"
        emit(f"  {e.date}  {e.title} v{e.version} ({e.mode}, {result}): {e.engaged_minutes:g} min engaged, "
             f"{e.credited_minutes:g} min credited as {e.category} - {e.note}")
    emit(f"Total: {summary.total_hours:g} hours" + "".join(
        f"; {summary.category_labels.get(c, c)} {h:g}" for c, h in sorted(summary.by_category.items())))
    r = summary.requirement
    if r:
        window = f"{r.period_start or '...'} to {r.period_end or '...'}"
        emit(f"Requirement: {r.name} ({window}): {r.earned_total:g} of {r.required_total:g} hours"
             + "".join(f"; {c} {got:g} of {need:g}" for c, (need, got) in r.by_category.items())
             + (" - met" if r.met else f" - {r.remaining:g} to go"))
    if summary.other_policies:
        emit(f"note: {summary.other_policies} attempts were credited under a different crediting policy")
    if summary.board_note:
        emit(f"note: {summary.board_note}")
    return 0


def run_report(args) -> int:
    from trainer.records.report import build_report, render_csv, render_text

    with _open(args, readonly=True) as store:
        report = build_report(store)
    _write_output(args.output, render_csv(report) if args.format == "csv" else render_text(report))
    return 0


# --- keys and certificates ---------------------------------------------------------------------------


def run_keygen(args) -> int:
    from trainer.paths import data_dir
    from trainer.records import signing

    folder = Path(args.output) if args.output else data_dir(getattr(args, "data_dir", None)) / "program"
    paths, fp = signing.generate(folder, force=args.force)
    emit(f"private key: {paths.private} (readable by you only; keep it safe, never share it)")
    emit(f"public key:  {paths.public} (publish this; certificate verify needs it)")
    emit(f"fingerprint: {signing.short(fp)}  ({fp})")
    return 0


def run_certificate(args) -> int:
    if args.certificate_command is None and not args.trainee:
        raise CommandError("give --trainee ID to make a certificate, or 'certificate verify FILE' to check one")
    from trainer.records.certificate import load_signing_key, write_certificate

    with _open(args, readonly=True) as store:
        tid = _trainee_ref(store, args.trainee)
        key = load_signing_key(store, Path(args.key) if args.key else None)
        out = Path(args.output or f"certificate-{tid}.pdf")
        payload = write_certificate(store, tid, out, key)
    emit(f"wrote {out}: {payload['hours']['total']:g} {payload['hours']['unit']}s for {payload['trainee']['name']}, "
         f"verification id {payload['verification_id']}")
    return 0


def run_certificate_verify(args) -> int:
    from trainer.records.certificate import describe, verify_certificate

    result = verify_certificate(Path(args.file), Path(args.public_key) if args.public_key else None)
    if args.format == "json":
        json.dump({"file": result.file, "valid": result.ok, "payload_signature": result.payload_signature_ok,
                   "file_signature": result.file_signature_ok, "key_matches": result.key_matches,
                   "key_id": result.key_id, "problems": result.problems, "payload": result.payload},
                  sys.stdout, indent=2, ensure_ascii=False)
        sys.stdout.write("\n")
    else:
        for line in describe(result):
            emit(line)
    return 0 if result.ok else 1


# --- trainees ---------------------------------------------------------------------------------------


def run_trainee_add(args) -> int:
    with _open(args) as store:
        t = store.add_trainee(args.name, args.program_id)
    emit(f"added {t.name}: id {t.id}" + (f", program id {t.program_id}" if t.program_id else ""))
    return 0


def run_trainee_list(args) -> int:
    from trainer.records.store import STORE_FILENAME
    from trainer.paths import data_dir

    if not (data_dir(getattr(args, "data_dir", None)) / STORE_FILENAME).exists():
        trainees = []
    else:
        with _open(args, readonly=True) as store:
            trainees = store.trainees()
    if args.format == "json":
        json.dump([t.__dict__ for t in trainees], sys.stdout, indent=2, ensure_ascii=False)
        sys.stdout.write("\n")
        return 0
    if not trainees:
        emit("no trainees yet; add one with 'peer-trainer trainee add NAME'")
    for t in trainees:
        emit(f"{t.id}  {t.name}" + (f"  (program id {t.program_id})" if t.program_id else ""))
    return 0


# --- records push: sending statements to a program's LRS (issue 8; docs/lrs.md) -----------------------


def register_push(rsub) -> None:
    p = rsub.add_parser(
        "push", help="send this store's records to the program's Learning Record Store (xAPI 1.0.3)",
        description="Send this store's xAPI statements to a Learning Record Store, each exactly once. Credentials: "
                    "--user and --password-file, or PEER_TRAINER_LRS_USER and PEER_TRAINER_LRS_PASSWORD; never saved. "
                    "Exit 0 when everything is sent, 1 when some statements are not, 2 for a usage or I/O problem.")
    p.add_argument("--lrs", metavar="URL", help="the LRS's xAPI address, e.g. https://lrs.example.org/xAPI/ "
                                                "(default: 'endpoint' in DATA_DIR/lrs.yaml)")
    p.add_argument("--user", metavar="NAME", help="the LRS user name (else $PEER_TRAINER_LRS_USER)")
    p.add_argument("--password-file", metavar="FILE",
                   help="a file readable by you only whose first line is the password (else $PEER_TRAINER_LRS_PASSWORD)")
    p.add_argument("--batch-size", type=int, metavar="N", help="statements per request (default 50)")
    p.add_argument("--timeout", type=float, metavar="SECONDS", help="wait this long for each answer (default 30)")
    p.add_argument("--max-time", type=float, metavar="SECONDS",
                   help="stop retrying after this long; what is left waits for the next push (default 120)")
    p.add_argument("--save", action="store_true",
                   help="remember the address (and --user, --password-file's path) in DATA_DIR/lrs.yaml, so the app "
                        "sends records when an attempt finishes; the password itself is never saved")
    p.add_argument("--resend", action="store_true",
                   help="send everything again, e.g. to a new LRS (an LRS keeps one copy per statement id)")
    p.add_argument("--retry-failed", action="store_true", help="try again the statements the LRS did not accept")
    p.add_argument("--status", action="store_true", help="only show what is sent, waiting or not accepted")
    p.add_argument("--format", choices=("text", "json"), default="text")
    p.set_defaults(run=_guard(run_push))


def run_push(args) -> int:
    from trainer.paths import data_dir
    from trainer.records import lrs

    folder = data_dir(getattr(args, "data_dir", None))
    try:
        config = lrs.load_config(folder)
        if args.lrs:
            config = lrs.LrsConfig(endpoint="") if config is None else config
            config = lrs.with_overrides(config, endpoint=lrs.normalize_endpoint(args.lrs, allow_http=config.allow_http))
        if args.status:
            return _push_status(args, config)
        if config is None:
            raise CommandError(f"no LRS address: give --lrs URL, or write 'endpoint:' in {lrs.config_path(folder)} "
                               "(see docs/lrs.md)")
        for name, value, low, high in (("--batch-size", args.batch_size, 1, 1000), ("--timeout", args.timeout, 1, 600),
                                       ("--max-time", args.max_time, 1, 86400)):
            if value is not None and not low <= value <= high:
                raise CommandError(f"{name} must be from {low} to {high}")
        config = lrs.with_overrides(config, batch_size=args.batch_size, timeout_seconds=args.timeout,
                                    max_seconds=args.max_time)
        credentials = lrs.resolve_credentials(config, user=args.user, password_file=args.password_file)
        if args.save:
            saved = lrs.with_overrides(config, auto_push=True, user=args.user,
                                       password_file=Path(args.password_file) if args.password_file else None)
            emit(f"saved the LRS address in {lrs.save_config(folder, saved)} (no password); the app sends records "
                 "when an attempt finishes")
        with _open(args) as store:
            result = lrs.push_pending(store, config, credentials=credentials, resend=args.resend,
                                      retry_failed=args.retry_failed)
    except lrs.LrsError as exc:
        raise CommandError(str(exc)) from None
    if args.format == "json":
        json.dump({"endpoint": result.endpoint, "sent": result.sent, "waiting": result.waiting, "failed": result.failed,
                   "conflicts": result.conflicts, "rejected": result.rejected, "error": result.error,
                   "requests": result.requests, "retries": result.retries,
                   "receipt": None if result.receipt is None else result.receipt.__dict__}, sys.stdout, indent=2)
        sys.stdout.write("\n")
    else:
        emit(result.summary())
        for line in result.conflicts:
            emit(f"  conflict: {line}")
        for line in result.rejected:
            emit(f"  rejected: {line}")
        if result.receipt is not None:
            r = result.receipt
            emit(f"receipt: ledger head record {r.head_seq}, hash {r.head_hash}; check this store against it later with "
                 f"'peer-trainer records verify --anchor {r.anchor}'")
    if result.error:
        print(f"peer-trainer: {result.error}", file=sys.stderr)
    elif result.exit_code and args.format == "text":
        older = result.failed - len(result.conflicts) - len(result.rejected)
        if older > 0:
            emit(f"note: {older} statements were not accepted by an earlier push; "
                 "'peer-trainer records push --status' lists them, --retry-failed tries them again")
    return result.exit_code


def _push_status(args, config) -> int:
    from trainer.records import lrs, outbox

    with _open(args) as store:
        status = lrs.outbox_status(store)
        failed = outbox.problems(store)
    r = status.last_receipt
    if args.format == "json":
        json.dump({"endpoint": config.endpoint if config else None, "auto_push": bool(config and config.auto_push),
                   "sent": status.sent, "waiting": status.waiting, "failed": status.failed,
                   "problems": [{"statement_id": i, "status": s, "problem": p} for i, s, p in failed],
                   "last_receipt": None if r is None else r.__dict__}, sys.stdout, indent=2)
        sys.stdout.write("\n")
        return 0
    if config is None:
        emit("LRS: not configured (give --lrs URL, or see docs/lrs.md)")
    else:
        emit(f"LRS: {config.endpoint}" + (" (sent automatically when an attempt finishes)" if config.auto_push else ""))
    emit(f"statements: {status.summary()}")
    for sid, st, problem in failed:
        emit(f"  {st}: {problem}")
    if r is not None:
        emit(f"last receipt: {r.pushed_at} to {r.endpoint}: ledger head record {r.head_seq}, hash {r.head_hash} "
             f"(records verify --anchor {r.anchor})")
    return 0

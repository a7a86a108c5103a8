"""`peer-trainer score` and `peer-trainer calibrate`: judge responses, and check rubrics against labels.

    peer-trainer score --rubric peer-core "It sounds like you're scared. What would help?"
    peer-trainer score --turn crisis-warmline-night-call:talking "Ryan sounds like a good son."
    printf '{"text": "..."}\\n' | peer-trainer score --rubric peer-core --jsonl
    peer-trainer calibrate                    # every rubric's calibration examples
    peer-trainer calibrate --data tests/data/scoring/dev.yaml
"""

from __future__ import annotations

import json
import sys

from trainer.cli.common import CommandError, emit


def register(sub) -> None:
    p = sub.add_parser(
        "score", help="judge a free-text response against rubrics",
        description="Judge a response as the app would: criteria met, red flags raised, with the words that "
                    "matched. The 'scope' rubric applies unless --no-scope. Exit 0, or 2 on a usage error.")
    p.add_argument("text", nargs="?", metavar="TEXT", help="the response (omit with --jsonl)")
    p.add_argument("--rubric", action="append", default=[], metavar="ID", help="a rubric to judge with (repeatable)")
    p.add_argument("--no-scope", action="store_true", help="do not add the 'scope' rubric's red flags")
    p.add_argument("--prompt", metavar="LINE", help="what the peer said, which the response answers (with --jsonl: a \"prompt\" key)")
    p.add_argument("--context", action="append", default=[], metavar="LINE",
                   help="an earlier line of the peer's, oldest first (repeatable), which an elliptic question such as "
                        "'Am I?' may repeat (with --jsonl: a \"context\" key, a string or a list)")
    p.add_argument("--asks", action="append", default=[], metavar="FLAG",
                   help="a red flag whose answers the peer's line asks for, whatever its words (repeatable), as a "
                        "scenario's `asks` marks it: harm-risk-dismissed where the peer tells a risk (with --jsonl: an "
                        "\"asks\" key, a list)")
    p.add_argument("--turn", metavar="SCENARIO:NODE",
                   help="judge as the app does at this typed turn (a scenario file or id, and a node id): its rubrics, "
                        "scope and asks, with its characters' lines as what the peer said (--prompt replaces them)")
    p.add_argument("--jsonl", action="store_true",
                   help='read {"text": ...} lines on stdin, write one JSON result per line')
    p.add_argument("--format", choices=("text", "json"), default="text", help="output for a single TEXT")
    p.add_argument("--rubrics-dir", action="append", default=[], metavar="DIR", help="another folder of rubrics")
    p.add_argument("--no-semantic", action="store_true",
                   help="phrase rules only: neither the reader nor the nearest labelled examples (docs/scoring.md)")
    p.add_argument("--no-reader", action="store_true",
                   help="no reader model: rules and nearest labelled examples only, about 10x faster")
    p.set_defaults(run=run_score)

    c = sub.add_parser(
        "calibrate", help="measure rubrics against labelled examples",
        description="Judge each rubric's calibration examples (or a labelled --data file) and print per-criterion "
                    "and per-flag precision, recall, F1 and Cohen's kappa. Exit 0 when every rubric meets its "
                    "thresholds, 1 when one does not, 2 on a usage error.")
    c.add_argument("rubrics", nargs="*", metavar="RUBRIC", help="rubric ids (default: all)")
    c.add_argument("--data", action="append", default=[], metavar="FILE",
                   help="a labelled data file (rubrics:, codes:, thresholds:, items:) instead; repeat to pool files")
    c.add_argument("--errors", action="store_true", help="list the disagreeing responses too")
    c.add_argument("--format", choices=("text", "json"), default="text")
    c.add_argument("--rubrics-dir", action="append", default=[], metavar="DIR", help="another folder of rubrics")
    c.add_argument("--no-semantic", action="store_true", help="measure the phrase rules alone")
    c.add_argument("--no-reader", action="store_true", help="measure without the reader model")
    c.set_defaults(run=run_calibrate)


def _load(rubric_dirs: list[str], semantic: bool = True, reader: bool = True, near: list | None = None):
    """The rubric set (bundled plus extra folders, and the `rubrics/` beside each of `near`, scenario files) and a
    scorer; problems in extra folders are usage errors."""
    from trainer.diagnostics import has_errors
    from trainer.library import rubric_folders
    from trainer.scoring.rubrics import RubricSet
    from trainer.scoring.scorer import Scorer

    rubric_set, diagnostics = RubricSet.load(rubric_folders(near or (), rubric_dirs))
    missing = [d for d in diagnostics if d.code == "PT001"]
    if missing:
        raise CommandError(f"{missing[0].file}: {missing[0].message}")
    if has_errors(diagnostics):
        from trainer.cli.common import print_diagnostics

        print_diagnostics([d for d in diagnostics if d.is_error], stream=sys.stderr)
        raise CommandError("the rubrics have errors; run 'peer-trainer validate' on them", exit_code=1)
    return rubric_set, Scorer(rubric_set, semantic=semantic, reader=reader and semantic)


def _check_asks(rubric_set, asks) -> str | None:
    """Why `asks` cannot be used (an unknown flag, or one without answers), or None."""
    from trainer.diagnostics import did_you_mean

    answerable = sorted(flag for flag, has in rubric_set.flag_answers(rubric_set.ids).items() if has)
    for flag in asks:
        if not isinstance(flag, str) or flag not in answerable:
            hint = did_you_mean(flag, answerable) if isinstance(flag, str) else None
            return (f"'{flag}' is not a red flag with answers" + (f"; {hint}" if hint else
                    f" (these have: {', '.join(answerable)})"))
    return None


def _check_ids(rubric_set, ids: list[str]) -> None:
    from trainer.diagnostics import did_you_mean

    for rid in ids:
        if rid not in rubric_set:
            hint = did_you_mean(rid, rubric_set.ids)
            raise CommandError(f"unknown rubric '{rid}'" + (f"; {hint}" if hint else f" (known: {', '.join(rubric_set.ids)})"))


# --- score ------------------------------------------------------------------------------------


def judgment_line(judgment) -> dict:
    """The compact JSON form of a judgment: what scripts and the --jsonl mode print."""
    evidence = []
    for c in judgment.criteria:
        if c.met:
            evidence += [{"kind": "criterion", "id": c.id, "rubric": c.rubric, "words": e.words, "start": e.start,
                          "end": e.end, "indicator": e.indicator, "similarity": e.similarity,
                          "via": "reader" if e.note == "reader" else "rule"} for e in c.evidence]
    for f in judgment.flags:
        evidence += [{"kind": "flag", "id": f.id, "rubric": f.rubric, "severity": f.severity, "words": e.words,
                      "start": e.start, "end": e.end, "indicator": e.indicator, "similarity": e.similarity,
                      "via": e.note if e.note in ("semantic", "reader") else "answer" if e.note.startswith("answer: ") else "rule",
                      **({"question": e.note.removeprefix("answer: ")} if e.note.startswith("answer: ") else {})}
                     for e in f.evidence]
    return {
        "score": judgment.score,
        "met": judgment.met_ids,
        "flags": judgment.flag_ids,
        "critical": judgment.critical,
        "stuffing": judgment.stuffing,
        "rubrics": list(judgment.rubrics),
        "evidence": evidence,
        "feedback": list(judgment.feedback),
    }


def _turn_file(ref: str):
    """The scenario file and node id of a --turn SCENARIO:NODE."""
    from trainer.library import resolve_scenario_ref

    scenario_ref, sep, node_id = ref.rpartition(":")
    if not sep or not scenario_ref or not node_id:
        raise CommandError(f"--turn {ref}: give SCENARIO:NODE, a scenario file or id and a node id")
    try:
        return resolve_scenario_ref(scenario_ref), node_id
    except ValueError as exc:
        raise CommandError(f"--turn: {exc}") from None


def _turn(path, node_id: str, rubric_set):
    """The scenario and node of a --turn, checked: a typed turn of a scenario without errors."""
    from trainer.cli.common import print_diagnostics
    from trainer.diagnostics import did_you_mean
    from trainer.scenario.compiler import load_scenario

    scenario, diagnostics = load_scenario(path, rubric_set)
    if scenario is None:
        print_diagnostics([d for d in diagnostics if d.is_error], stream=sys.stderr)
        raise CommandError(f"--turn: {path} has errors; run 'peer-trainer validate' on it", exit_code=1)
    node = scenario.nodes.get(node_id)
    if node is None:
        typed = [n for n, x in scenario.nodes.items() if x.respond is not None]
        hint = did_you_mean(node_id, typed)
        raise CommandError(f"--turn: no node '{node_id}' in {scenario.id}"
                           + (f"; {hint}" if hint else f" (its typed turns: {', '.join(typed) or 'none'})"))
    if node.respond is None:
        typed = [n for n, x in scenario.nodes.items() if x.respond is not None]
        raise CommandError(f"--turn: node '{node_id}' of {scenario.id} is not a typed turn"
                           f" (its typed turns: {', '.join(typed) or 'none'})")
    return scenario, node


def run_score(args) -> int:
    turn_file = _turn_file(args.turn) if args.turn else None
    rubric_set, scorer = _load(args.rubrics_dir, not args.no_semantic, not args.no_reader,
                               [turn_file[0]] if turn_file else None)
    _check_ids(rubric_set, args.rubric)
    rubrics, asks, prompt, no_scope = list(args.rubric), list(args.asks), args.prompt, args.no_scope
    not_needed: tuple[tuple[str, str], ...] = ()
    present: tuple[str, ...] = ()
    if turn_file:
        # the turn's own rubrics, scope and asks join what the command line gave (args stay as parsed)
        scenario, node = _turn(*turn_file, rubric_set)
        turn = scenario.judge_options(node.id)
        rubrics += [r for r in turn["rubrics"] if r not in rubrics]
        no_scope = no_scope or not turn["scope"]
        asks += [a for a in turn["asks"] if a not in asks]
        not_needed, present = turn["not_needed"], turn["present"]
        if prompt is None:
            prompt = scenario.peer_line(node.id) or None
    if not rubrics and no_scope:
        raise CommandError("nothing to judge with: give --rubric ID, or drop --no-scope")
    scope = not no_scope
    problem = _check_asks(rubric_set, asks)
    if problem:
        raise CommandError(f"--asks: {problem}")
    if args.jsonl:
        if args.text is not None:
            raise CommandError("--jsonl reads responses from stdin; do not also give TEXT")
        return _score_jsonl(scorer, rubric_set, rubrics, scope, tuple(asks), prompt, not_needed, present)
    if args.text is None:
        raise CommandError("give the response as TEXT (in quotes), or use --jsonl")
    judgment = scorer.judge(args.text, rubrics, scope=scope, prompt=prompt,
                            context="\n".join(args.context) or None, asks=tuple(asks), not_needed=not_needed,
                            present=present)
    _warn_problems(scorer)
    if args.format == "json":
        sys.stdout.write(json.dumps(judgment_line(judgment), ensure_ascii=False, indent=2) + "\n")
        return 0
    _print_judgment(rubric_set, judgment)
    return 0


def _warn_problems(scorer) -> None:
    if scorer.reader_error:
        emit(f"warning: {scorer.reader_error}; the nearest labelled examples take its place", stream=sys.stderr)
    if scorer.semantic_error:
        emit(f"warning: {scorer.semantic_error}; flags come from the phrase rules alone", stream=sys.stderr)


def _score_jsonl(scorer, rubric_set, rubrics: list[str], scope: bool, asks: tuple[str, ...] = (),
                 default_prompt: str | None = None, not_needed: tuple[tuple[str, str], ...] = (),
                 present: tuple[str, ...] = ()) -> int:
    out = sys.stdout
    for number, line in enumerate(sys.stdin, 1):
        if not line.strip():
            continue
        try:
            item = json.loads(line)
        except json.JSONDecodeError as exc:
            result = {"line": number, "error": f"not valid JSON: {exc.msg} at column {exc.colno}"}
        else:
            line_asks = item.get("asks", []) if isinstance(item, dict) else []
            problem = (_check_asks(rubric_set, line_asks) if isinstance(line_asks, list)
                       else '"asks" must be a list of red flag ids')
            if not isinstance(item, dict) or not isinstance(item.get("text"), str):
                result = {"line": number, "error": 'expected an object with a "text" string'}
            elif problem:
                result = {"line": number, "error": problem}
            else:
                extra = item.get("rubrics")
                use = list(rubrics)
                if isinstance(extra, list):
                    use += [r for r in extra if isinstance(r, str) and r not in use]
                try:
                    prompt = item.get("prompt") if isinstance(item.get("prompt"), str) else default_prompt
                    context = item.get("context")
                    if isinstance(context, list):
                        context = "\n".join(x for x in context if isinstance(x, str))
                    context = context if isinstance(context, str) and context else None
                    result = {"line": number, **judgment_line(scorer.judge(
                        item["text"], use, scope=scope, prompt=prompt, context=context,
                        asks=asks + tuple(a for a in line_asks if a not in asks), not_needed=not_needed,
                        present=present))}
                except KeyError as exc:
                    result = {"line": number, "error": str(exc).strip("'\"")}
                if "id" in item:
                    result["id"] = item["id"]
        out.write(json.dumps(result, ensure_ascii=False) + "\n")
    out.flush()
    _warn_problems(scorer)
    return 0


def _print_judgment(rubric_set, judgment) -> None:
    from trainer.scoring.scorer import set_aside

    verdict = "critical flag" if judgment.critical else ("flags raised" if judgment.flags else "no flags")
    emit(f"score {judgment.score:.2f}  ({verdict}; rubrics: {', '.join(judgment.rubrics)})")
    if judgment.criteria:
        emit("")
        emit("criteria")
        for c in judgment.criteria:
            mark = "x" if c.met else " "
            words = f"  \"{c.evidence[0].words}\"" if c.met and c.evidence else ""
            emit(f"  [{mark}] {c.id} ({c.competency}){words}")
    emit("")
    emit("flags" if judgment.flags else "flags: none")
    for f in judgment.flags:
        for e in f.evidence[:3]:
            how = (f"no phrase matched; similarity {e.similarity:.0f} to the labelled example "
                   f"{e.indicator.removeprefix('like the labelled example ')}" if e.note == "semantic"
                   else f"the reader is {e.similarity:.0f}% sure; set aside: {set_aside(e)}" if set_aside(e)
                   else f"no phrase matched; the reader is {e.similarity:.0f}% sure" if e.note == "reader"
                   else f"the answer to '{e.note.removeprefix('answer: ')[:60]}'" if e.note.startswith("answer: ")
                   else e.indicator if e.note in ("closed questions", "long self-disclosure")  # the shape, no phrase
                   else f"matched '{e.indicator[:60]}', similarity {e.similarity:.0f}")
            emit(f"  ! {f.id} [{f.severity}]  \"{e.words}\"  ({how})")
    if judgment.stuffing:
        emit("")
        emit("note: the response reads like a list of rubric phrases; credit was limited")
    emit("")
    emit("feedback")
    for line in judgment.feedback:
        emit(f"  - {line}")


# --- calibrate ----------------------------------------------------------------------------------


def run_calibrate(args) -> int:
    from trainer.scoring.calibration import (
        DataFileError,
        agreement,
        calibrate_rubric,
        check_labels,
        load_labelled_file,
        load_thresholds,
    )

    rubric_set, scorer = _load(args.rubrics_dir, not args.no_semantic, not args.no_reader)
    reports = []
    if args.data:
        items, rubrics = [], []
        for path in args.data:
            try:
                more, named = load_labelled_file(path)
            except DataFileError as exc:
                raise CommandError(str(exc)) from None
            items += more
            rubrics += [r for r in named if r not in rubrics]
        rubrics = args.rubrics or rubrics
        name = " + ".join(args.data)
        _check_ids(rubric_set, rubrics)
        ids = scorer.rubric_ids(rubrics, True)
        known = {x.id for r in ids for x in rubric_set.get(r).criteria} | {x.id for r in ids for x in rubric_set.get(r).flags}
        unknown = check_labels(items, known)
        if unknown:
            raise CommandError(f"{name}: labels name no criterion or flag of {', '.join(ids)}: {', '.join(unknown)}")
        thresholds = load_thresholds(args.data[0])
        reports.append(agreement(scorer, items, rubrics, scope=True, name=name, thresholds=thresholds))
    else:
        _check_ids(rubric_set, args.rubrics)
        for rid in args.rubrics or rubric_set.ids:
            rubric = rubric_set.get(rid)
            if not rubric.calibration.examples:
                emit(f"{rid}: no calibration examples", stream=sys.stderr)
                continue
            reports.append(calibrate_rubric(scorer, rubric))
    _warn_problems(scorer)
    if args.format == "json":
        sys.stdout.write(json.dumps([r.to_dict() for r in reports], ensure_ascii=False, indent=2) + "\n")
    else:
        for report in reports:
            _print_report(report, args.errors)
    return 0 if all(r.passed for r in reports) else 1


def _print_report(report, show_errors: bool) -> None:
    t = report.thresholds
    emit(f"{report.name}: {report.items} examples, judged with {', '.join(report.rubrics)} "
         f"(thresholds: precision {t['precision']:.2f}, recall {t['recall']:.2f}, kappa {t['kappa']:.2f})")
    emit(f"  {'':26} {'kind':9} {'n+':>3} {'tp':>3} {'fp':>3} {'fn':>3} {'prec':>5} {'rec':>5} {'f1':>5} {'kappa':>6}")
    for row in report.rows.values():
        emit(f"  {row.label:26} {row.kind:9} {row.support:3} {row.tp:3} {row.fp:3} {row.fn:3} "
             f"{row.precision:5.2f} {row.recall:5.2f} {row.f1:5.2f} {row.kappa:6.2f}")
        if show_errors:
            for text in row.false_positives:
                emit(f"      false positive: {text}")
            for text in row.false_negatives:
                emit(f"      missed: {text}")
    failures = report.failures()
    if failures:
        emit(f"  BELOW THRESHOLD: {'; '.join(failures)}")
    else:
        emit("  ok: every criterion and flag meets the thresholds")
    emit("")

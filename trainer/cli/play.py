"""`peer-trainer play`: a scenario in a plain terminal, or from a script of inputs."""

from __future__ import annotations

import sys
from pathlib import Path

from trainer.cli.common import CommandError, emit


def register(sub) -> None:
    p = sub.add_parser("play", help="play a scenario in the plain terminal", description=(
        "Play a scenario (a file, or an id in the library). Type a choice number or your words; "
        "'h' asks for a hint, 'u' undoes (practice mode), 'q' quits."))
    p.add_argument("scenario", help="scenario file or id")
    p.add_argument("--script", metavar="FILE", help="read inputs from FILE, one per line (a choice number or free text); '-' for stdin")
    p.add_argument("--mode", choices=("practice", "assessment"), default="practice")
    p.add_argument("--trainee", metavar="ID", help="record the attempt for this trainee")
    p.set_defaults(run=run)


def load_one(ref: str):
    """A scenario by path or id, with the library's rubrics and scorer; CommandError if it cannot load."""
    from trainer.diagnostics import has_errors
    from trainer.library import load_rubric_set, make_scorer, resolve_scenario_ref, rubric_folders
    from trainer.scenario.compiler import load_scenario

    try:
        path = resolve_scenario_ref(ref)
    except ValueError as exc:
        raise CommandError(str(exc)) from None
    rubrics, _ = load_rubric_set(rubric_folders([path]))
    scenario, diagnostics = load_scenario(path, rubrics)
    if scenario is None or has_errors(diagnostics):
        for d in diagnostics:
            print(d.render(), file=sys.stderr)
        raise CommandError(f"{path}: the scenario has errors; run 'peer-trainer validate {path}'", 1)
    return scenario, rubrics, make_scorer(rubrics)


def render_entry(scenario, entry: dict, mode: str) -> list[str]:
    kind = entry["kind"]
    if kind == "line":
        if entry["speaker"] is None:
            return [f"  ({entry['text']})"]
        return [f"{scenario.speaker_name(entry['speaker'])}: {entry['text']}"]
    if kind == "choice":
        if entry.get("fallback"):
            return []
        out = [f"You: {entry['text']}"]
        if mode == "practice" and entry.get("feedback"):
            out.append(f"  coach: {entry['feedback']}")
        return out
    if kind == "response":
        out = [f"You: {entry['text']}"]
        if mode == "practice":
            from trainer.scoring.judgment import Judgment

            judgment = Judgment.from_dict(entry["judgment"])
            out.append(f"  coach: score {judgment.score:.2f}" + (f"; flags: {', '.join(judgment.flag_ids)}" if judgment.flags else ""))
            out.extend(f"  coach: {line}" for line in judgment.feedback)
            if entry.get("feedback"):
                out.append(f"  coach: {entry['feedback']}")
        return out
    if kind == "hint":
        return [f"  hint: {entry['text']}"]
    if kind == "ending":
        return [f"-- The end: {entry['outcome']} --"]
    return []


def render_summary(scenario, state, library_rubrics) -> list[str]:
    from trainer.engine.results import summarize

    severity = library_rubrics.flag_severity if library_rubrics is not None else None
    result = summarize(scenario, state, severity)
    out = []
    node = scenario.nodes[state.ending] if state.ending else None
    if node and node.debrief:
        out.append(f"Debrief: {node.debrief}")
    if result.score is not None:
        out.append(f"Score: {result.score:.2f}")
    for comp, level in sorted(result.competencies.items()):
        out.append(f"  {comp}: {level:.2f}")
    for f in result.flags:
        out.append(f"Flag ({f.severity}): {f.id}" + (f" - \"{f.words}\"" if f.words else ""))
    if result.passed is not None:
        out.append("Result: passed" if result.passed else "Result: not passed")
    return out


class _Printer:
    """Prints the transcript entries not printed yet (undo starts it over)."""

    def __init__(self, scenario, mode: str):
        self.scenario, self.mode, self.shown = scenario, mode, 0

    def flush(self, state) -> None:
        for entry in state.transcript[self.shown:]:
            for line in render_entry(self.scenario, entry, self.mode):
                emit(line)
        self.shown = len(state.transcript)


def run(args) -> int:
    from trainer.engine.engine import Engine

    scenario, rubrics, scorer = load_one(args.scenario)
    engine = Engine(scenario, scorer)
    state = engine.start(args.mode)
    if args.script:
        state = _scripted(args, engine, scenario, state)
        for line in render_summary(scenario, state, rubrics):
            emit(line)
        if state.finished and args.trainee:
            _record(args, scenario, state, rubrics)
        return 0
    live = _live_attempt(args, scenario)  # checks the trainee before anything is played
    try:
        state = _interactive(args, engine, scenario, state, live)
        if state.finished:
            for line in render_summary(scenario, state, rubrics):
                emit(line)
            if live is not None:
                live.finish(scenario, state, rubrics)
        return 0
    finally:
        if live is not None:
            live.close()


def _scripted(args, engine, scenario, state):
    from trainer.engine.engine import EngineError

    printer = _Printer(scenario, args.mode)
    emit(f"{scenario.title} ({args.mode})")
    for number, raw in _read_script(args.script):
        printer.flush(state)
        if state.finished:
            raise CommandError(f"{args.script}:{number}: the scenario ended before this input", 1)
        try:
            state = _apply(engine, state, raw)
        except EngineError as exc:
            printer.flush(state)
            raise CommandError(f"{args.script}:{number}: {exc}", 1) from None
    printer.flush(state)
    if not state.finished:
        emit(f"(stopped at '{state.node}': the script has no more inputs)")
    return state


def _live_attempt(args, scenario):
    if not args.trainee:
        return None
    try:
        from trainer.records.attempts import LiveAttempt
    except ImportError:
        return None
    return LiveAttempt(getattr(args, "data_dir", None), args.trainee, scenario, args.mode)


def _interactive(args, engine, scenario, state, live):
    """Play at the prompt until the end, 'q' or end of input; saved after every turn when recording."""
    from trainer.engine.engine import EngineError

    printer = _Printer(scenario, args.mode)
    if live is not None:
        live.save(state)
    emit(f"{scenario.title} ({args.mode}) - type a number or your words; h = hint, u = undo, q = quit")
    while not state.finished:
        printer.flush(state)
        turn = engine.turn(state)
        if turn.kind == "choice":
            for i, choice in enumerate(turn.choices, 1):
                emit(f"  {i}. {choice.text}")
        else:
            emit(f"  [{turn.prompt or 'Type what you would say.'}]")
        try:
            raw = input("> ")
        except EOFError:
            emit("")
            return state
        command = raw.strip().lower()
        try:
            if command == "q":
                return state
            if command == "h":
                state, text = engine.hint(state)
                if not text:
                    emit("  (no hint for this turn)")
            elif command == "u":
                state = engine.undo(state)
                printer.shown = 0
                emit("  (undone)")
            else:
                state = _apply(engine, state, raw)
        except EngineError as exc:
            emit(f"  ! {exc}")
            continue
        if live is not None:
            live.save(state)
    printer.flush(state)
    return state


def _apply(engine, state, raw: str):
    from trainer.engine.engine import EngineError

    turn = engine.turn(state)
    text = raw.strip()
    if turn.kind == "choice":
        if not text.isdigit():
            raise EngineError(f"type a number from 1 to {len(turn.choices)}")
        return engine.choose(state, int(text))
    return engine.respond(state, raw)


def _read_script(path: str) -> list[tuple[int, str]]:
    try:
        text = sys.stdin.read() if path == "-" else Path(path).read_text("utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise CommandError(f"{path}: cannot read the script: {getattr(exc, 'strerror', None) or exc}") from None
    return [(i, line) for i, line in enumerate(text.splitlines(), 1) if line.strip()]


def _record(args, scenario, state, rubrics) -> None:
    try:
        from trainer.records.attempts import record_cli_attempt
    except ImportError:
        emit("(records are not available in this build; the attempt was not stored)")
        return
    record_cli_attempt(args, scenario, state, rubrics)

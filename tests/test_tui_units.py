"""The TUI's plain-Python parts: safe text, catalog rows, coach notes, guarded records, sessions."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from test_tui_support import LETTER_YAML, LOAN_YAML, FakeScorer, compile_fixture, open_records
from trainer.engine.state import StaleState
from trainer.tui.coaching import CREDIT, FLAG, note_for
from trainer.tui.overview import COMPLETED, IN_PROGRESS, NEW, PASSED, build_catalog, entry_for, grouped, matches
from trainer.tui.records import AttemptInfo, Records, SavedAttempt
from trainer.tui.session import PlaySession
from trainer.tui.text import bar, highlighted, printable_map, safe, sparkline

# --- safe text -----------------------------------------------------------------------------------


def test_safe_keeps_markup_literal_and_shows_escapes():
    text = safe("[bold]hi[/bold] \x1b[31mred\x07")
    assert text.plain == "[bold]hi[/bold] \\x1b[31mred\\x07"
    assert text.spans == []


@given(st.text(max_size=40), st.data())
def test_highlight_offsets_survive_escaping(raw, data):
    start = data.draw(st.integers(0, len(raw)))
    end = data.draw(st.integers(start, len(raw)))
    shown, where = printable_map(raw)
    text = highlighted(raw, [(start, end, "bold")])
    assert text.plain == shown
    if end > start:
        (span,) = text.spans
        assert text.plain[span.start:span.end] == shown[where[start]:where[end]]
        assert printable_map(raw[start:end])[0] == text.plain[span.start:span.end]


def test_bar_and_sparkline():
    assert bar(0.5, 10).plain == "█████░░░░░"
    assert bar(None, 4).plain == "░░░░"
    assert bar(7, 3).plain == "███"  # clamped
    assert sparkline([0, 0.5, 1]) == "▁▅█"


# --- catalog rows ----------------------------------------------------------------------------------


def attempt(scenario_id, status="finished", score=None, passed=None, minutes=0.0, when="2025-01-01"):
    return AttemptInfo(id=when, scenario_id=scenario_id, mode="practice", status=status, score=score, passed=passed,
                       credited_minutes=minutes, when=when)


def test_status_best_score_and_hours():
    letter = compile_fixture(LETTER_YAML)
    assert entry_for(letter, [], []).status == NEW
    saved = SavedAttempt("a1", letter.id, "practice", {}, "2025-01-02")
    assert entry_for(letter, [attempt(letter.id, "active")], [saved]).status == IN_PROGRESS
    done = [attempt(letter.id, score=0.4, minutes=15), attempt(letter.id, score=0.8, minutes=15, when="2025-01-03")]
    entry = entry_for(letter, done, [], credited_hours=0.25)  # the records' rounded hours, not 30 min added up here
    assert (entry.status, entry.best, entry.hours, entry.attempts) == (COMPLETED, 0.8, 0.25, 2)
    assert entry_for(letter, done + [attempt(letter.id, score=0.9, passed=True)], [saved]).status == PASSED
    assert entry_for(letter, [attempt(letter.id, "abandoned")], []).attempts == 0


def test_search_and_grouping():
    letter, loan = compile_fixture(LETTER_YAML), compile_fixture(LOAN_YAML)
    entries = build_catalog([loan, letter], [], [])
    assert [e.id for e in entries if matches(e, "BORROW")] == ["fixture-loan"]
    assert [e.id for e in entries if matches(e, "navigation")] == ["fixture-letter"]  # by theme title
    assert [e.id for e in entries if matches(e, "", "passed")] == []
    assert [(theme, [e.id for e in es]) for theme, es in grouped(entries)] == [
        ("system-navigation", ["fixture-letter"]), ("scope-of-practice", ["fixture-loan"])]


# --- coach notes ---------------------------------------------------------------------------------------


def test_note_for_a_choice_and_for_a_response():
    choice = {"kind": "choice", "node": "n", "choice": "0", "number": 1, "text": "Hi", "feedback": "Warm.",
              "score": 1.0, "credit": {"engages-peers": 1}, "flags": [], "fallback": False}
    note = note_for(choice)
    assert (note.quality, note.verdict, note.feedback) == ("strong", "Strong move", ("Warm.",))
    assert note.credited == ("Engages peers in collaborative and caring relationships",)

    said = "let's do it together; stop taking it"
    judgment = FakeScorer().judge(said, [])
    response = {"kind": "response", "node": "n", "text": said, "judgment": judgment.to_dict(), "route": 0, "feedback": ""}
    note = note_for(response)
    assert note.quality == "weak"  # a critical flag outweighs the score
    assert [(said[h.start:h.end], h.kind) for h in note.highlights] == [("together", CREDIT), ("stop taking", FLAG)]
    assert note.flags[0].why.startswith("Medication decisions")
    assert note_for({"kind": "line", "speaker": None, "text": "x"}) is None


def test_the_coach_shows_what_the_scorer_set_aside_last():
    """A reading the scorer checked and did not count explains the scorer, not the move: it comes after what worked and
    what to look at, not before (it was the first thing shown on a good reply; session 30)."""
    from rich.console import Console

    from trainer.scoring.judgment import Judgment
    from trainer.tui.widgets.coach import note_renderable

    set_aside = ("Not counted as third party disclosure: 'She's good about this stuff' matched a rubric phrase, but the "
                 "only people it names (Pilar) are here in the room with you.")
    judgment = Judgment(score=0.35, criteria=(), flags=(), feedback=(
        "Met - stays-present: You said 'I'll be right there with you' - You stayed with them.", set_aside))
    entry = {"kind": "response", "node": "n", "text": "I'll be right there with you.", "judgment": judgment.to_dict(),
             "route": 0, "feedback": "Milo nods."}
    note = note_for(entry)
    assert note.feedback == ("Milo nods.",)
    assert note.set_aside == (set_aside,)
    console = Console(width=200, record=True)
    console.print(note_renderable(note))
    shown = console.export_text()
    assert shown.index("Milo nods.") < shown.index("Worked") < shown.index("Checked and not counted")
    assert "Third party disclosure: 'She's good about this stuff'" in shown and "(Pilar) are here" in shown


# --- guarded records -------------------------------------------------------------------------------------


class ExplodingStore:
    def __getattr__(self, name):
        def fail(*args, **kwargs):
            raise OSError("disk full")
        return fail


def test_a_failing_store_reports_one_line_and_returns_defaults():
    problems = []
    records = Records(ExplodingStore())
    records.on_problem = problems.append
    assert records.trainees() == []
    assert records.save_progress("a", object()) is False
    assert records.unfinished("t") == []
    assert records.hours("t").total == 0.0
    assert problems[0] == "Could not read the trainees: disk full"
    assert len(problems) == 4


def test_guest_records_keep_trainees_in_memory_only():
    records = Records(None, "no store")
    guest = records.add_trainee("Sam")
    assert records.trainees() == [guest]
    assert records.begin(guest.id, None, "practice").startswith("unsaved-")
    assert records.save_progress("unsaved-1", None) is False


def test_records_open_reports_a_corrupt_store(tmp_path):
    (tmp_path / "peer-trainer.sqlite3").write_bytes(b"\0not sqlite" * 50)
    records = Records.open(tmp_path)
    assert not records.saving and records.problem


# --- sessions ----------------------------------------------------------------------------------------------


def test_session_saves_every_move_and_resumes(tmp_path):
    records = open_records(tmp_path)
    trainee = records.add_trainee("Alex")
    letter = compile_fixture(LETTER_YAML)
    session = PlaySession.start(letter, FakeScorer(), records, trainee.id, "practice")
    session.choose(1)
    request = session.judge_request("let's call together")
    session.respond_judged(request, request.run(session.scorer))
    assert session.state.ending == "good_end"
    finished = session.finish()
    assert finished is session.finish()  # recorded once
    assert [a.status for a in records.attempts(trainee.id)] == ["finished"]

    other = PlaySession.start(letter, FakeScorer(), records, trainee.id, "practice")
    other.choose(1)
    (saved,) = records.unfinished(trainee.id)
    resumed = PlaySession.resume(letter, FakeScorer(), records, saved)
    assert resumed.state.to_json() == other.state.to_json()

    changed = compile_fixture(LETTER_YAML.replace("Dana is 52", "Dana is 53"))
    with pytest.raises(StaleState):
        PlaySession.resume(changed, FakeScorer(), records, saved)


def test_the_judge_request_carries_the_turns_asks():
    asks = compile_fixture(LETTER_YAML.replace("    respond:\n", "    respond:\n      asks: [harm-risk-dismissed]\n", 1))
    session = PlaySession.start(asks, FakeScorer(), Records(None), "t", "practice")
    session.choose(1)
    assert session.judge_request("together").asks == ("harm-risk-dismissed",)
    plain = PlaySession.start(compile_fixture(LETTER_YAML), FakeScorer(), Records(None), "t", "practice")
    plain.choose(1)
    assert plain.judge_request("together").asks == ()


def test_a_judgment_for_an_earlier_turn_is_refused(tmp_path):
    from trainer.engine.engine import EngineError

    letter = compile_fixture(LETTER_YAML)
    session = PlaySession.start(letter, FakeScorer(), Records(None), "t", "practice")
    session.choose(1)
    request = session.judge_request("together")
    session.undo()
    with pytest.raises(EngineError):
        session.respond_judged(request, request.run(session.scorer))


def test_the_scorers_lines_are_ordered_safety_then_strengths():
    from trainer.tui.coaching import parse_feedback

    lines, rest = parse_feedback((
        "Not yet - validates: Try saying why it makes sense.",
        "Watch - cheerleading: You said 'cheer up' - pushes.",
        "Met - open-question: You said 'What kind' - lets them lead.",
        "Critical - medication-advice: You said 'stop' - not ours.",
        "A plain sentence.",
    ))
    assert [(l.kind, l.item) for l in lines] == [("Critical", "medication-advice"), ("Met", "open-question"),
                                                 ("Watch", "cheerleading"), ("Not yet", "validates")]
    assert rest == ("A plain sentence.",)


def test_unsent_words_ride_with_the_saved_state_and_go_when_sent(tmp_path):
    records = open_records(tmp_path)
    trainee = records.add_trainee("Alex")
    letter = compile_fixture(LETTER_YAML)
    session = PlaySession.start(letter, FakeScorer(), records, trainee.id, "practice")
    session.choose(1)
    session.set_draft("I wonder if")
    assert session.draft_unsaved and session.save_draft() and not session.draft_unsaved
    (saved,) = records.unfinished(trainee.id)
    assert saved.draft is not None and saved.draft.text == "I wonder if"
    assert "tui_draft" not in saved.state  # the engine gets its own state only
    resumed = PlaySession.resume(letter, FakeScorer(), records, saved)
    assert resumed.draft == "I wonder if" and not resumed.draft_unsaved

    resumed.undo()  # back to the choice (saved): the draft does not belong to that turn
    assert records.unfinished(trainee.id)[0].draft is None

    resumed.choose(1)
    resumed.set_draft("private words")
    resumed.save_draft()
    records.store.delete_responses(trainee.id)  # `records delete-responses` erases drafts with the rest
    rows = records.store._read("SELECT state_json FROM attempts WHERE id = ?", (resumed.attempt_id,))
    assert rows[0][0] is None


def test_sending_status_lines():
    from trainer.tui.sending import SendingStatus

    assert SendingStatus().line() == ""  # not set up: nothing to say
    assert SendingStatus(configured=True).line() == "Records: nothing to send yet"
    assert SendingStatus(configured=True, sent=4).line() == "Records: all sent"
    assert SendingStatus(configured=True, busy=True, progress=(2, 9)).line() == "Records: sending 2 of 9…"
    waiting = SendingStatus(configured=True, waiting=3, problem="the connection was refused")
    assert waiting.line() == "Records: 3 waiting to send · last send failed: the connection was refused"
    assert waiting.level == "problem"
    assert SendingStatus(configured=True, waiting=0, failed=1).line() == "Records: sent · 1 not accepted by the LRS"
    assert SendingStatus(configured=True, waiting=None, problem="lrs.yaml: bad").line() == "Records: not sent: lrs.yaml: bad"


def test_the_debrief_says_what_to_do_instead_under_its_own_label():
    from trainer.engine.results import FlagSeen
    from trainer.tui.screens.debrief import flags_text

    seen = FlagSeen("medication-advice", "critical", "n1", "quit the [b]pills[/b]", "Not yours to decide.",
                    "That tells the person what to do with a medication.", "Ask what they have noticed.")
    result = type("R", (), {"flags": [seen]})()
    plain = flags_text(result).plain
    assert "Instead: Ask what they have noticed." in plain
    assert "Instead: That tells" not in plain and "That tells the person what to do with a medication." in plain
    assert "quit the [b]pills[/b]" in plain


def test_the_judge_request_carries_what_the_turn_does_not_need_and_the_coach_says_so():
    from trainer.scoring.judgment import Judgment

    text = LETTER_YAML.replace("    respond:\n", "    respond:\n      not_needed: {plans-together: Dana asked for help.}\n", 1)
    session = PlaySession.start(compile_fixture(text), FakeScorer(), Records(None), "t", "practice")
    session.choose(1)
    assert session.judge_request("together").not_needed == (("plans-together", "Dana asked for help."),)
    judged = Judgment(0.5, feedback=("Not yet - validates: Say it makes sense.",
                                     "Not needed - asks-permission: Dana asked you directly."))
    note = note_for({"kind": "response", "text": "x", "judgment": judged.to_dict()})
    assert [(line.kind, line.item) for line in note.lines] == [("Not yet", "validates"), ("Not needed", "asks-permission")]


def test_the_coach_gives_two_reasons_for_what_is_not_needed_and_names_the_rest():
    """A crisis turn leaves six criteria out; the live coach gives the first two reasons and names the rest on one
    line (the debrief's turn by turn has every reason)."""
    from rich.console import Console

    from trainer.scoring.judgment import Judgment
    from trainer.tui.widgets.coach import note_renderable

    def shown(n):
        judged = Judgment(0.8, feedback=tuple(f"Not needed - crit-{k}: Reason {k}." for k in range(n)))
        note = note_for({"kind": "response", "text": "x", "judgment": judged.to_dict()})
        console = Console(width=200, record=True)
        console.print(note_renderable(note))
        return console.export_text()

    six = shown(6)
    assert "Reason 0." in six and "Reason 1." in six and "Reason 2." not in six
    assert "Also not needed here · crit 2, crit 3, crit 4, crit 5 (why: in the debrief)" in six
    two = shown(2)
    assert "Reason 1." in two and "Also not needed" not in two

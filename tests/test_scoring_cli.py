"""`peer-trainer score` and `peer-trainer calibrate`, run in-process through the real argument parser."""

from __future__ import annotations

import io
import json
from pathlib import Path

import pytest

from trainer.cli import main

DATA = Path(__file__).parent / "data" / "scoring"


def run(argv, capsys, stdin: str | None = None, monkeypatch=None):
    if stdin is not None:
        monkeypatch.setattr("sys.stdin", io.StringIO(stdin))
    code = main(argv)
    out = capsys.readouterr()
    return code, out.out, out.err


def test_score_prints_a_readable_judgment(capsys):
    code, out, _ = run(["score", "--rubric", "peer-core", "It sounds scary. u should stop ur meds"], capsys)
    assert code == 0
    assert out.startswith("score 0.")
    assert "[x] reflects-feeling" in out
    assert "! medication-advice [critical]" in out
    assert "You said 'u should stop ur meds'" in out


def test_score_escapes_control_characters_in_the_trainees_text(capsys):
    code, out, _ = run(["score", "--rubric", "peer-core", "What \x1b\x07helps?"], capsys)
    assert code == 0 and "\x1b" not in out and "\x07" not in out
    assert "\"What \\x1b\\x07helps\"" in out


def test_score_json_has_the_documented_keys(capsys):
    code, out, _ = run(["score", "--rubric", "peer-core", "--format", "json", "That makes sense."], capsys)
    data = json.loads(out)
    assert code == 0
    assert {"score", "met", "flags", "evidence", "feedback", "critical", "rubrics"} <= set(data)
    assert data["met"] == ["validates"] and data["evidence"][0]["words"] == "That makes sense"


def test_no_scope_drops_the_scope_flags(capsys):
    _, out, _ = run(["score", "--rubric", "peer-core", "--no-scope", "--format", "json", "stop your meds"], capsys)
    assert json.loads(out)["flags"] == [] and json.loads(out)["rubrics"] == ["peer-core"]


def test_jsonl_writes_one_object_per_line_and_errors_for_bad_lines(capsys, monkeypatch):
    lines = "\n".join([
        json.dumps({"text": "I won't tell anyone.", "id": "a"}),
        "{not json",
        json.dumps({"nope": 1}),
        "",
        json.dumps({"text": "What would help?", "rubrics": ["no-such-rubric"]}),
        json.dumps({"text": "What would help?"}),
    ]) + "\n"
    code, out, _ = run(["score", "--rubric", "peer-core", "--jsonl"], capsys, lines, monkeypatch)
    results = [json.loads(line) for line in out.splitlines()]
    assert code == 0 and len(results) == 5
    assert results[0]["flags"] == ["secrecy-promise"] and results[0]["id"] == "a"
    assert results[0]["evidence"][0]["words"] == "I won't tell anyone"
    assert results[1]["line"] == 2 and "not valid JSON" in results[1]["error"]
    assert results[2]["line"] == 3 and "text" in results[2]["error"]
    assert results[3]["line"] == 5 and "no-such-rubric" in results[3]["error"]
    assert results[4]["met"] == ["open-question"]


@pytest.mark.parametrize(
    "argv, message",
    [
        (["score", "--rubric", "peer-cor", "x"], "did you mean 'peer-core'"),
        (["score", "--rubric", "peer-core"], "give the response"),
        (["score", "--no-scope", "x"], "nothing to judge with"),
        (["calibrate", "nope"], "unknown rubric"),
        (["calibrate", "--data", "/no/such/file.yaml"], "does not exist"),
    ],
)
def test_usage_errors_exit_2_with_one_line(capsys, argv, message):
    code, _, err = run(argv, capsys)
    assert code == 2 and message in err and "Traceback" not in err


def test_calibrate_shipped_rubrics_passes(capsys):
    code, out, _ = run(["calibrate", "scope", "peer-core"], capsys)
    assert code == 0
    assert "medication-advice" in out and "kappa" in out and out.count("ok: every criterion") == 2


def test_calibrate_exits_1_when_below_threshold(capsys, tmp_path):
    rubric = tmp_path / "weak.yaml"
    rubric.write_text(
        "id: weak\ntitle: Weak\nversion: 1\ncriteria:\n  - id: says-hello\n    competency: engages-peers\n"
        "    description: Greets.\n    indicators: [hello]\ncalibration:\n  examples:\n"
        + "".join(f"    - text: hi there {i}\n      met: [says-hello]\n" for i in range(15))
    )
    code, out, _ = run(["calibrate", "weak", "--rubrics-dir", str(tmp_path), "--errors"], capsys)
    assert code == 1 and "BELOW THRESHOLD" in out and "missed: hi there 0" in out


def test_calibrate_a_labelled_data_file(capsys, tmp_path):
    data = tmp_path / "labels.yaml"
    data.write_text("rubrics: [peer-core]\ncodes: {VA: validates}\nitems:\n"
                    "- {t: That makes sense., m: [VA]}\n- {t: You should stop your meds., f: [medication-advice, unsolicited-advice]}\n")
    code, out, _ = run(["calibrate", "--data", str(data), "--format", "json"], capsys)
    report = json.loads(out)[0]
    assert code == 0 and report["items"] == 2 and report["passed"]
    bad = tmp_path / "bad-labels.yaml"
    bad.write_text("rubrics: [peer-core]\nitems:\n- {t: hi, m: [no-such-criterion]}\n")
    code, _, err = run(["calibrate", "--data", str(bad)], capsys)
    assert code == 2 and "no-such-criterion" in err


def test_calibrate_says_where_a_labelled_data_file_is_malformed(capsys, tmp_path):
    broken = tmp_path / "labels.yaml"
    broken.write_text('rubrics: [peer-core]\nitems:\n- {t: "unclosed, m: [VA]}\n')
    code, out, err = run(["calibrate", "--data", str(broken)], capsys)
    assert code == 2 and out == "" and "Traceback" not in err
    assert f"{broken}:3:7: error[PT004]: a quoted string starting here is never closed" in err, err

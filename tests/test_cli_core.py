"""The headless commands: exit codes, formats, and never a traceback."""

import errno
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from trainer.cli import main

ROOT = Path(__file__).resolve().parent.parent
DATA = Path(__file__).parent / "data"
SAMPLE = ROOT / "scenarios" / "stigma-why-bother.yaml"


def run(capsys, *argv):
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


def test_validate_clean_file(capsys):
    code, out, _ = run(capsys, "validate", str(SAMPLE))
    assert code == 0 and "0 errors, 0 warnings" in out


def test_validate_errors_exit_1_with_file_names(capsys):
    code, out, _ = run(capsys, "validate", str(DATA / "bad" / "PT201-unknown-target.yaml"))
    assert code == 1
    assert "PT201-unknown-target.yaml:21:15: error[PT201]" in out


def test_validate_missing_path_exits_2(capsys):
    code, out, _ = run(capsys, "validate", "no/such/file.yaml")
    assert code == 2 and "no/such/file.yaml" in out


def test_strict_fails_on_warnings(capsys):
    warn = str(DATA / "bad" / "PT218-silent-character.yaml")
    assert run(capsys, "validate", warn)[0] == 0
    assert run(capsys, "validate", "--strict", warn)[0] == 1


def test_validate_json(capsys):
    code, out, _ = run(capsys, "validate", "--format", "json", str(DATA / "bad" / "PT102-unknown-field.yaml"))
    report = json.loads(out)
    assert code == 1 and report["errors"] == 2
    unknown = next(d for d in report["diagnostics"] if d["code"] == "PT102")
    assert unknown["line"] == 2 and unknown["column"] == 1 and unknown["hint"] == "did you mean 'title'?"


def test_a_rubric_among_the_scenarios_is_skipped_with_a_warning_not_read_as_a_broken_scenario(capsys, tmp_path):
    """`peer-trainer test` read a rubric outside a `rubrics` folder as a scenario: eight "unknown field" errors for
    one misplaced file (tried as a user, session 28). `validate` already knew it for a rubric."""
    folder = tmp_path / "mine"
    folder.mkdir()
    (folder / "my-rubric.yaml").write_text((ROOT / "rubrics" / "self-disclosure.yaml").read_text())
    (folder / "s.yaml").write_text(SAMPLE.read_text())
    code, out, _ = run(capsys, "test", str(folder))
    assert code == 0 and "PT102" not in out and "7 passed, 0 failed" in out
    assert "my-rubric.yaml: warning[PT311]: this looks like a rubric, not a scenario" in out
    code, out, _ = run(capsys, "validate", str(folder))
    assert code == 0 and "0 errors" in out and "PT311" not in out  # validate checks it as a rubric


def test_validate_whole_folder_of_bad_files_never_crashes(capsys):
    code, out, _ = run(capsys, "validate", str(DATA / "bad"))
    assert code in (1, 2)
    assert "Traceback" not in out


def test_scenario_tests_pass_and_fail(capsys, tmp_path):
    code, out, _ = run(capsys, "test", str(SAMPLE))
    # its 4 scripted tests, and its 3 model responses judged (each must be a strong move and raise no flag)
    assert code == 0 and "7 passed, 0 failed" in out
    assert out.count("is a strong move with no flag PASSED") == 3
    broken = tmp_path / "broken.yaml"
    broken.write_text(SAMPLE.read_text().replace("variables: {rapport: 2, dismissed: false}", "variables: {rapport: 3}"))
    code, out, _ = run(capsys, "test", str(broken))
    assert code == 1 and "expected rapport = 3, got 2" in out and "1 failed" in out


def test_play_script(capsys, tmp_path):
    script = tmp_path / "inputs.txt"
    script.write_text("2\n")
    code, out, _ = run(capsys, "play", str(SAMPLE), "--script", str(script))
    assert code == 0
    assert "You: Don't say that! You just have to think positive." in out
    assert "The end: poor" in out


def test_play_script_bad_input_names_the_line(capsys, tmp_path):
    script = tmp_path / "inputs.txt"
    script.write_text("7\n")
    code, _, err = run(capsys, "play", str(SAMPLE), "--script", str(script))
    assert code == 1 and f"{script}:1: choose a number from 1 to 3" in err


def test_play_unknown_scenario_suggests(capsys):
    code, _, err = run(capsys, "play", "stigma-why-bothr")
    assert code == 2 and "did you mean 'stigma-why-bother'" in err


def test_graph_formats(capsys):
    code, out, _ = run(capsys, "graph", str(SAMPLE))
    assert code == 0 and out.startswith("flowchart TD") and "class n0 start" in out and "freetext" in out
    code, out, _ = run(capsys, "graph", str(SAMPLE), "--format", "dot")
    assert code == 0 and out.startswith('digraph "stigma-why-bother"') and '"opening" -> "opens_up"' in out


def test_catalog_json_fields(capsys):
    code, out, _ = run(capsys, "catalog", "--format", "json", str(SAMPLE))
    entry = json.loads(out)["scenarios"][0]
    for key in ("id", "path", "title", "themes", "competencies", "nodes", "free_text_turns", "endings", "tests",
                "estimated_minutes"):
        assert key in entry
    assert entry["nodes"] == 12 and entry["free_text_turns"] == 2 and entry["tests"] == 4


def test_schema_is_printed(capsys):
    code, out, _ = run(capsys, "schema", "scenario")
    schema = json.loads(out)
    assert code == 0 and schema["$schema"].endswith("2020-12/schema")


def test_python_dash_m_and_usage_errors():
    proc = subprocess.run([sys.executable, "-m", "trainer", "--help"], capture_output=True, text=True, cwd=ROOT)
    assert proc.returncode == 0 and "validate" in proc.stdout
    proc = subprocess.run([sys.executable, "-m", "trainer", "validate", "--format", "xml"], capture_output=True,
                          text=True, cwd=ROOT)
    assert proc.returncode == 2 and "Traceback" not in proc.stderr


def test_internal_errors_are_one_line_with_a_log(monkeypatch, capsys, tmp_path):
    import trainer.cli.catalog as catalog

    def boom(args):
        raise RuntimeError("bug")

    monkeypatch.setattr(catalog, "run", boom)
    code = main(["--data-dir", str(tmp_path), "catalog"])
    _, err = capsys.readouterr()
    assert code == 70
    assert err.count("\n") == 1 and "internal error" in err and str(tmp_path) in err
    log = tmp_path / "logs" / "error.log"
    assert "RuntimeError: bug" in log.read_text()
    assert log.stat().st_mode & 0o077 == 0, "the log may hold a trainee's words: owner-only"


class _FullDisk:
    """stdout on a full disk: each write fails at once, or (buffered) only the flush does."""

    def __init__(self, buffered: bool):
        self.buffered = buffered

    def write(self, text):
        if not self.buffered:
            raise OSError(errno.ENOSPC, "No space left on device")
        return len(text)

    def flush(self):
        raise OSError(errno.ENOSPC, "No space left on device")


@pytest.mark.parametrize("buffered", [False, True])
def test_a_full_disk_is_one_line_saying_so_not_an_internal_error(capsys, monkeypatch, tmp_path, buffered):
    monkeypatch.setattr(sys, "stdout", _FullDisk(buffered))
    code = main(["--data-dir", str(tmp_path), "schema", "rubric"])
    err = capsys.readouterr().err
    assert code == 74
    assert err == "peer-trainer: could not write the output: No space left on device\n"
    assert not (tmp_path / "logs").exists(), "not a bug: nothing for the error log"


HEADLESS = ["validate", "test", "play", "graph", "catalog", "schema"]


@pytest.mark.parametrize("command", HEADLESS)
def test_headless_commands_never_import_textual(command):
    argv = {
        "validate": ["validate", str(SAMPLE)],
        "test": ["test", str(SAMPLE)],
        "play": ["play", str(SAMPLE), "--script", "-"],
        "graph": ["graph", str(SAMPLE)],
        "catalog": ["catalog", str(SAMPLE)],
        "schema": ["schema", "scenario"],
    }[command]
    code = (
        "import sys, io\n"
        "sys.stdin = io.StringIO('1\\n')\n"
        "from trainer.cli import main\n"
        f"rc = main({argv!r})\n"
        "assert 'textual' not in sys.modules, sorted(m for m in sys.modules if m.startswith('textual'))\n"
        "print('no-textual', rc)\n"
    )
    proc = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=ROOT)
    assert "no-textual" in proc.stdout, proc.stderr


def test_installed_wheel_finds_the_bundled_library(tmp_path):
    """Where the package is installed (CI installs it non-editable), the library comes with it."""
    probe = (
        "import json, trainer, trainer.paths as p\n"
        "print(json.dumps([trainer.__file__, str(p.bundled_scenarios()), "
        "sorted(x.name for x in p.bundled_scenarios().glob('*.yaml'))]))\n"
    )
    proc = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, cwd=tmp_path)
    if proc.returncode != 0:
        pytest.skip("peer-trainer is not installed in this environment (only the checkout is importable)")
    package_file, folder, names = json.loads(proc.stdout)
    assert "stigma-why-bother.yaml" in names
    if "site-packages" in package_file:
        assert "_bundled" in folder


def test_every_code_folder_is_a_package():
    """find_packages skips a folder without __init__.py, and the installed wheel then lacks it."""
    missing = [str(d.relative_to(ROOT)) for d in (ROOT / "trainer").rglob("*")
               if d.is_dir() and d.name != "__pycache__" and any(d.glob("*.py")) and not (d / "__init__.py").exists()]
    assert missing == []


def test_installed_commands_run_outside_the_checkout(tmp_path):
    """Where the package is installed, the headless commands work from any folder (CI installs the wheel)."""
    probe = subprocess.run([sys.executable, "-c", "import trainer; print(trainer.__file__)"], capture_output=True,
                           text=True, cwd=tmp_path)
    if probe.returncode != 0 or "site-packages" not in probe.stdout:
        pytest.skip("peer-trainer is not installed as a package in this environment")
    env = {**os.environ, "PEER_TRAINER_HOME": str(tmp_path / "home")}
    for argv in (["validate", "--strict"], ["test", "-q", "stigma-why-bother"], ["catalog", "--format", "json"],
                 ["score", "--rubric", "peer-core", "tbh just quit the gabapentin"]):  # the semantic channel's data files
        proc = subprocess.run([sys.executable, "-m", "trainer", *argv], capture_output=True, text=True, cwd=tmp_path,
                              env=env)
        assert proc.returncode == 0, (argv, proc.stdout[-500:], proc.stderr[-500:])


def test_interactive_play_for_a_trainee_is_saved_every_turn_and_recorded(capsys, monkeypatch, tmp_path):
    import io

    from trainer.records.store import Store

    home = tmp_path / "home"
    assert main(["--data-dir", str(home), "trainee", "add", "Sam Lee", "--program-id", "P-1"]) == 0
    code = main(["--data-dir", str(home), "play", str(SAMPLE), "--trainee", "nobody"])
    assert code == 2 and "no trainee 'nobody'" in capsys.readouterr().err

    monkeypatch.setattr("sys.stdin", io.StringIO("1\nq\n"))  # one turn, then quit
    assert main(["--data-dir", str(home), "play", str(SAMPLE), "--trainee", "P-1"]) == 0
    with Store.open(home) as store:
        trainee = store.find_trainee("P-1")
        [saved] = store.unfinished(trainee.id)
        assert saved.state_json["node"] == "opens_up"  # the turn taken before quitting was kept

    monkeypatch.setattr("sys.stdin", io.StringIO("2\n"))  # to the end
    assert main(["--data-dir", str(home), "play", str(SAMPLE), "--trainee", "P-1"]) == 0
    out = capsys.readouterr().out
    assert "Recorded for Sam Lee" in out and "ledger record" in out
    with Store.open(home) as store:
        finished = [a for a in store.attempts(trainee.id) if a.status == "finished"]
        assert [(a.outcome, a.mode) for a in finished] == [("poor", "practice")]

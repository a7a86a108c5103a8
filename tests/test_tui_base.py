"""A bug in the app or the preview becomes one line and a private log, never a traceback on screen."""

import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent

PROBE = """
from trainer.tui.{module} import {cls}

class Boom({cls}):
    def __init__(self):
        {init}

    def on_mount(self):
        raise RuntimeError("a bug")

Boom().run(headless=True)
"""


@pytest.mark.parametrize("module, cls, init", [
    ("base", "BaseApp", "super().__init__()"),
    ("preview", "PreviewApp", "super(PreviewApp, self).__init__()"),
])
def test_unhandled_error_is_one_line_and_a_private_log(tmp_path, module, cls, init):
    code = PROBE.format(module=module, cls=cls, init=init)
    env = {"PEER_TRAINER_HOME": str(tmp_path), "PYTHONPATH": str(ROOT), "PATH": "/usr/bin:/bin", "COLUMNS": "200"}
    proc = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, env=env, timeout=60)
    out = proc.stdout + proc.stderr
    assert "internal error (RuntimeError)" in out
    assert "Traceback" not in out and "a bug" not in out
    log = tmp_path / "logs" / "error.log"
    assert "RuntimeError: a bug" in log.read_text()
    assert log.stat().st_mode & 0o077 == 0

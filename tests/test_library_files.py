"""Finding YAML files under a folder that other programs are changing (a shared temporary folder)."""

from __future__ import annotations

import os

from trainer.library import scenario_files
from trainer.paths import yaml_files


def test_a_subfolder_that_vanishes_while_walked_is_passed_over(tmp_path, monkeypatch):
    # found with `peer-trainer score --rubrics-dir /tmp` while pip unpacked into /tmp: rglob raised
    # FileNotFoundError for a folder deleted between listing and reading, and the command crashed
    (tmp_path / "a.yaml").write_text("id: a\n")
    gone = tmp_path / "pip-unpack-x"
    gone.mkdir()
    (gone / "b.yaml").write_text("id: b\n")
    (tmp_path / "keep").mkdir()
    (tmp_path / "keep" / "c.yml").write_text("id: c\n")
    real = os.scandir

    def scandir(path="."):
        if os.fspath(path) == os.fspath(gone):
            raise FileNotFoundError(2, "No such file or directory", os.fspath(path))
        return real(path)

    monkeypatch.setattr(os, "scandir", scandir)
    assert yaml_files(tmp_path) == [tmp_path / "a.yaml", tmp_path / "keep" / "c.yml"]
    files, problems = scenario_files([tmp_path])
    assert files == [tmp_path / "a.yaml", tmp_path / "keep" / "c.yml"] and not problems

"""Writing a file whole or not at all (exports, certificates, keys, the LRS settings)."""

import errno
import os
import stat

import pytest

from trainer import paths
from trainer.paths import write_atomically


def test_writes_text_and_bytes_owner_only_unless_asked(tmp_path):
    write_atomically(tmp_path / "a.json", "caf\u00e9\n")
    write_atomically(tmp_path / "b.pdf", b"%PDF", mode=0o644)
    assert (tmp_path / "a.json").read_bytes() == "caf\u00e9\n".encode("utf-8")
    assert stat.S_IMODE((tmp_path / "a.json").stat().st_mode) == 0o600
    umask = os.umask(0)
    os.umask(umask)
    assert stat.S_IMODE((tmp_path / "b.pdf").stat().st_mode) == 0o644 & ~umask  # as any new file
    assert sorted(p.name for p in tmp_path.iterdir()) == ["a.json", "b.pdf"]


def test_a_full_disk_leaves_the_old_file_and_no_temporary_one(tmp_path, monkeypatch):
    target = tmp_path / "records.csv"
    target.write_text("the export from last week\n")
    calls = []

    def full(fd, data):
        calls.append(len(data))
        if len(calls) > 1:
            raise OSError(errno.ENOSPC, "No space left on device")
        return len(data) // 2  # a short write first: the rest must still be written (or fail)

    monkeypatch.setattr(paths.os, "write", full)
    with pytest.raises(OSError) as exc:
        write_atomically(target, "x" * 10_000)
    assert exc.value.errno == errno.ENOSPC and calls == [10_000, 5_000]
    assert target.read_text() == "the export from last week\n"
    assert [p.name for p in tmp_path.iterdir()] == ["records.csv"]


def test_an_export_on_a_full_disk_is_one_line_and_leaves_nothing_behind(tmp_path, monkeypatch):
    from trainer.cli.common import CommandError
    from trainer.cli.records import _write_output

    def full(fd, data):
        raise OSError(errno.ENOSPC, "No space left on device")

    monkeypatch.setattr(paths.os, "write", full)
    with pytest.raises(CommandError) as exc:
        _write_output(str(tmp_path / "export.json"), "[]\n")
    assert str(exc.value) == f"{tmp_path / 'export.json'}: cannot write: No space left on device"
    assert os.listdir(tmp_path) == []

"""Where the bundled library and the user's data live."""

from __future__ import annotations

import os
import secrets
from pathlib import Path

PACKAGE_DIR = Path(__file__).resolve().parent
CHECKOUT_DIR = PACKAGE_DIR.parent

HOME_ENV = "PEER_TRAINER_HOME"


def bundled_dir(name: str) -> Path:
    """The bundled `scenarios` or `rubrics` folder, from a wheel or from a checkout."""
    installed = PACKAGE_DIR / "_bundled" / name
    if installed.is_dir():
        return installed
    return CHECKOUT_DIR / name


def bundled_scenarios() -> Path:
    return bundled_dir("scenarios")


def bundled_rubrics() -> Path:
    return bundled_dir("rubrics")


def data_dir(override: str | os.PathLike[str] | None = None) -> Path:
    """The user data folder: --data-dir, then $PEER_TRAINER_HOME, then the platform's data dir."""
    if override:
        return Path(override).expanduser()
    env = os.environ.get(HOME_ENV)
    if env:
        return Path(env).expanduser()
    from platformdirs import user_data_dir

    return Path(user_data_dir("peer-trainer", appauthor=False))


def ensure_private_dir(path: Path) -> Path:
    """Create a folder readable by its owner only (trainees' words are health information)."""
    path.mkdir(parents=True, exist_ok=True, mode=0o700)
    try:
        os.chmod(path, 0o700)
    except OSError:
        pass
    return path


def write_atomically(path: Path, data: bytes | str, mode: int = 0o600) -> None:
    """Write `data` (str as UTF-8) to `path` whole or not at all: into a new temporary file beside it
    (owner-only unless `mode` says otherwise), flushed to disk, then renamed over `path`. If anything
    fails (a full disk), the temporary file is removed, a file already at `path` is left as it was,
    and the OSError is raised for the caller to report."""
    path = Path(path)
    raw = data.encode("utf-8") if isinstance(data, str) else data
    while True:  # a new file of our own (O_EXCL), its mode less the umask, as any file is created
        tmp = path.with_name(f".{path.name}.{secrets.token_hex(6)}.tmp")
        try:
            fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, mode)
            break
        except FileExistsError:
            continue
    try:
        try:
            view = memoryview(raw)
            while view:
                view = view[os.write(fd, view):]
            os.fsync(fd)
        finally:
            os.close(fd)
        os.replace(tmp, path)
    except BaseException:
        try:
            os.unlink(tmp)
        except OSError:
            pass
        raise


def yaml_files(folder: Path, suffixes: tuple[str, ...] = (".yaml", ".yml")) -> list[Path]:
    """The YAML files under `folder`, sorted. A subfolder that vanishes or cannot be read while it is
    walked (a shared temporary folder, another program's work) is passed over, not an error."""
    found: list[Path] = []
    for root, _dirs, names in os.walk(folder, onerror=lambda _exc: None):
        for name in names:
            path = Path(root) / name
            try:
                if path.suffix in suffixes and path.is_file():
                    found.append(path)
            except OSError:
                continue
    return sorted(found)

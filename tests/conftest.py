from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
DATA = Path(__file__).resolve().parent / "data"
SHARED = ROOT.parent / "shared"


@pytest.fixture(autouse=True)
def _private_home(tmp_path_factory, monkeypatch):
    """Every test gets its own data folder; nothing touches the real user's data."""
    home = tmp_path_factory.mktemp("home")
    monkeypatch.setenv("PEER_TRAINER_HOME", str(home))
    yield home


@pytest.fixture
def data_dir():
    return DATA

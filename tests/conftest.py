"""Test-wide setup: Qt renders offscreen, and nothing touches the user's real data directory."""
from __future__ import annotations

import os

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

import pytest  # noqa: E402


@pytest.fixture(autouse=True)
def private_data_dir(tmp_path, monkeypatch):
    data = tmp_path / "copilot-data"
    monkeypatch.setenv("COPILOT_DATA_DIR", str(data))
    monkeypatch.setenv("COPILOT_CONFIG_DIR", str(tmp_path / "copilot-config"))
    return data

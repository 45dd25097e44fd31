"""`stepnet FILE` on a broken scenario: one message and exit 2, never the app or a traceback."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest


@pytest.mark.parametrize("text", ["title = 1\n", "[network\n", ""])
def test_a_bad_scenario_stops_before_the_debugger_with_one_message(tmp_path: Path, text: str) -> None:
    path = tmp_path / "bad.toml"
    path.write_text(text)
    result = subprocess.run([sys.executable, "-m", "stepnet", str(path)], capture_output=True, text=True, check=False,
                            timeout=60, stdin=subprocess.DEVNULL)
    assert result.returncode == 2
    assert str(path) in result.stderr and "Traceback" not in result.stderr
    assert result.stderr.count("\n") == 1 and result.stdout == ""

"""Every bench sets one BLAS thread itself: it imports bench/one_thread.py before anything
that imports NumPy (the benches are not run by the tests; this reads their imports)."""

from __future__ import annotations

import ast
import os
import runpy
from pathlib import Path

import pytest

BENCH = Path(__file__).resolve().parents[1] / "bench"
SCRIPTS = sorted(p for p in BENCH.glob("*.py") if 'if __name__ == "__main__":' in p.read_text())


def imported(path: Path) -> list[str]:
    """The top-level modules the file imports, in order."""
    names = []
    for node in ast.parse(path.read_text()).body:
        if isinstance(node, ast.Import):
            names += [a.name.split(".")[0] for a in node.names]
        elif isinstance(node, ast.ImportFrom) and node.module:
            names.append(node.module.split(".")[0])
    return names


def test_the_benches_are_found():
    assert {p.name for p in SCRIPTS} >= {"cli.py", "engine.py", "train.py", "tui.py"}


@pytest.mark.parametrize("path", SCRIPTS, ids=lambda p: p.name)
def test_one_blas_thread_is_set_before_numpy_is_imported(path):
    """First of all: a bench's own modules (networks, reference) import NumPy too."""
    names = [n for n in imported(path) if n != "__future__"]
    assert names[0] == "one_thread", names


def test_one_thread_sets_every_blas_library_to_one_thread(monkeypatch):
    for variable in ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS"):
        monkeypatch.setenv(variable, "8")  # restored after the test
    runpy.run_path(str(BENCH / "one_thread.py"))
    assert [os.environ[v] for v in ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS")] == ["1"] * 3

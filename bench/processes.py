"""Timing commands as a user runs them: each one a new process, from its start to its end.

Rounds interleave the commands and the fastest of each is kept (`timing.py`).
Python's bytecode is cached, in a folder of the bench's own, as it is for an installed
stepnet: a shell that sets PYTHONDONTWRITEBYTECODE would otherwise have every run compile
stepnet's modules anew (~10 ms for the command line alone).
"""

from __future__ import annotations

import os
import subprocess
import sys
import time
from functools import partial
from pathlib import Path

import timing


def environment(folder: Path) -> dict[str, str]:
    """The environment the commands run in: this one (one BLAS thread), bytecode cached."""
    env = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}
    env["PYTHONPYCACHEPREFIX"] = str(folder / "pycache")
    return env


def stepnet() -> list[str]:
    """The command a user types: the installed script beside this Python, if there is one."""
    script = Path(sys.executable).parent / "stepnet"
    return [str(script)] if script.exists() else [sys.executable, "-m", "stepnet"]


def timed(command: list[str], env: dict[str, str], out: Path) -> float:
    """Seconds from the start of `command` to its end, its output written to `out`."""
    start = time.perf_counter()
    with out.open("wb") as f:
        status = subprocess.run(command, stdout=f, env=env).returncode
    if status not in (0, 1):  # 1: a check failed, or values differ — a whole run all the same
        raise SystemExit(f"{' '.join(command)} exited with {status}")
    return time.perf_counter() - start


def fastest(commands: dict[str, list[str]], rounds: int, env: dict[str, str], out: Path) -> dict[str, float]:
    """The fastest of `rounds` interleaved runs of each command, after one run of each that
    fills the caches (bytecode, files)."""
    for command in commands.values():
        timed(command, env, out)
    return timing.fastest({name: partial(timed, command, env, out) for name, command in commands.items()}, rounds)

"""The README's sample sessions are what the commands print today (lines elided with … aside)."""

from __future__ import annotations

import re
import shlex
from pathlib import Path

import pytest

from stepnet.cli import main
from stepnet.limits import LIMITS, Limits

ROOT = Path(__file__).parents[1]


def sessions() -> list[tuple[str, list[str]]]:
    """(command, the output lines shown) for each `$ stepnet …` line in the README's code blocks."""
    result: list[tuple[str, list[str]]] = []
    for block in re.findall(r"```[a-z]*\n(.*?)```", (ROOT / "README.md").read_text(), re.S):
        shown = None  # the output lines of the block's last command
        for line in block.splitlines():
            if line.startswith("$ stepnet "):
                shown = []
                result.append((line[2:], shown))
            elif shown is not None and line.strip() != "…":
                shown.append(line.rstrip())
    return result


@pytest.mark.parametrize("command, shown", sessions(), ids=lambda x: x if isinstance(x, str) else "")
def test_readme_sample_output_is_current(command, shown, capsys, monkeypatch) -> None:
    monkeypatch.chdir(ROOT)
    main(shlex.split(command)[1:])
    printed = [line.rstrip() for line in capsys.readouterr().out.splitlines()]
    assert shown and all(line in printed for line in shown), command


def test_the_readme_has_sample_sessions() -> None:
    assert [command.split()[1] for command, _ in sessions()] == ["trace", "trace", "check", "examples", "compare",
                                                                 "compare"]


def test_the_readme_s_scenarios_are_a_network_and_a_graph_that_load(tmp_path) -> None:
    from stepnet.engine.graph import Graph
    from stepnet.engine.model import Model
    from stepnet.scenario import load

    models = []
    for i, block in enumerate(re.findall(r"```toml\n(.*?)```", (ROOT / "README.md").read_text(), re.S)):
        (tmp_path / f"{i}.toml").write_text(block)
        models.append(load(tmp_path / f"{i}.toml").model)
    assert [type(m) for m in models] == [Model, Graph]


def test_the_readme_lists_every_limit_with_its_flag_and_default() -> None:
    rows = re.findall(r"^\| `(--max-[a-z-]+) N` \| ([\d,]+) \|", (ROOT / "README.md").read_text(), re.M)
    assert rows == [(Limits.flag(limit.name), f"{limit.default:,}") for limit in LIMITS]

"""The source's own terms on screen (`[notation]`): its names beside stepnet's in the formula
and the state, breakpoints by its names, and check's verdicts with their causes in the
expectations panel. The figures stated here are the sources' printed ones (Mazur's article,
its erratum among them), or one of them rounded as a source prints it."""

from __future__ import annotations

from stepnet import scenario
from stepnet.bundled import DIRECTORY as SCENARIOS
from stepnet.engine.breakpoints import Condition, OpBreakpoint
from stepnet.engine.names import Name
from stepnet.tui.app import StepnetApp
from stepnet.tui.screens.breakpoints import BreakpointsScreen
from stepnet.tui.widgets.expectations import Expectations
from stepnet.tui.widgets.formula import Formula
from stepnet.tui.widgets.state import State

SIZE = (120, 40)
#: Mazur's δ_o1 = 0.138498562 rounded to four decimals, as many sources print it
ROUNDED = ("name = \"δ_o1\"\nvalue = 0.138498562", "name = \"δ_o1\"\nvalue = 0.1385")
#: the article's error after the first round, computed with w5…w8 already updated (its erratum)
ERRATUM = ("value = 0.29102777369\ntolerance = 1e-11", "value = 0.291027924\ntolerance = 1e-9")


def mazur(tmp_path, *changes: tuple[str, str], notation: str = "") -> StepnetApp:
    text = (SCENARIOS / "mazur.toml").read_text(encoding="utf-8")
    for old, new in changes:
        assert old in text
        text = text.replace(old, new)
    path = tmp_path / "mazur.toml"
    path.write_text(text.replace("[notation.names]", notation + "[notation.names]"), encoding="utf-8")
    return StepnetApp(scenario.load(path))


async def test_the_formula_shows_the_sources_name_beside_stepnets(make_app) -> None:
    app = make_app("mazur")
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("p", "n")  # loss = …, E_total in the article
        assert app.screen.query_one(Formula).text.splitlines()[0].startswith("loss (E_total) = ")
        await pilot.press("n", "n", "n")  # grad_a2, dact2, delta2: the selected element [0,0] is δ_o1
        lines = app.screen.query_one(Formula).text.splitlines()
        assert lines[0].startswith("delta2 = ") and lines[1].startswith("delta2[0,0] (δ_o1) = ")
        await pilot.press("right")  # delta2[0,1] is δ_o2
        assert app.screen.query_one(Formula).text.splitlines()[1].startswith("delta2[0,1] (δ_o2) = ")


async def test_the_state_shows_the_sources_names_of_quantities_and_elements(make_app) -> None:
    app = make_app("mazur")
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("e")
        text = app.screen.query_one(State).text
        assert "╭─ loss (E_total) " in text
        assert "w5 [0,0]  w6 [0,1]" in text and "w7 [1,0]  w8 [1,1]" in text
        assert "out_h1 [0,0]" in text and "∂E_total/∂w5 [0,0]" in text


async def test_a_breakpoint_by_the_sources_name(make_app) -> None:
    app = make_app("mazur")
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("B")
        assert isinstance(app.screen, BreakpointsScreen)
        await pilot.press(*"w5", "enter")
        box = app.screen.query_one("Input")
        box.value = "δ_o1 < 0"
        await pilot.press("enter")
        await pilot.press(*"out_h3", "enter")
        assert "did you mean" in str(app.screen.query_one("#problem").content)
        first, second = app.session.breakpoints
        assert first == OpBreakpoint(output=Name.parse("W2")) and first.describe() == "W2 (w5)"
        assert isinstance(second, Condition) and second.name == "delta2" and second.index == (0, 0)
        await pilot.press("escape", "c")  # w5 = W2 is written by the last op of the iteration
        await app.workers.wait_for_complete()
        assert app.session.debugger.last_op.output == Name.parse("W2")


async def test_the_figures_say_their_verdicts_and_causes_as_check_does(tmp_path) -> None:
    app = mazur(tmp_path, ROUNDED, ERRATUM)
    async with app.run_test(size=SIZE) as pilot:
        panel = app.screen.query_one(Expectations)
        await pilot.press("e")
        lines = panel.text.splitlines()
        at = lines.index("✗  delta2[0,0] (δ_o1) @ iteration 1")
        assert lines[at + 1].split() == ["stated", "0.1385"]
        assert lines[at + 3].strip().startswith("rounding: ")
        await pilot.press("n", "e")
        lines = panel.text.splitlines()
        at = lines.index("✗  loss (E_total) @ iteration 2")
        assert lines[at + 1].split() == ["stated", "0.291027924"]
        assert lines[at + 3].strip().startswith("updated-weights: ")
        assert lines[-1] == ("check: 1 error: loss (E_total) in iteration 2 (updated-weights); "
                             "1 figure differs only by rounding")


async def test_a_figure_off_only_by_the_declared_rounding_stands_with_the_exact_value(tmp_path) -> None:
    app = mazur(tmp_path, ROUNDED, notation='[notation]\nrounding = "stated"\n')
    async with app.run_test(size=SIZE) as pilot:
        panel = app.screen.query_one(Expectations)
        await pilot.press("p", "p", "n", "n")  # delta2
        lines = panel.text.splitlines()
        at = lines.index("✓  delta2[0,0] (δ_o1) @ iteration 1")
        assert lines[at + 1].split() == ["stated", "0.1385"]
        assert lines[at + 2].split()[0] == "exact" and lines[at + 3].strip().startswith("within the source's rounding")
        assert not any(line.startswith("check:") for line in lines)  # every figure stands

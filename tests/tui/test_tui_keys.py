"""Every key of the debugger screen, driven through Textual's pilot."""

from __future__ import annotations

import asyncio
import math
import random
import time
from pathlib import Path

import numpy as np
import pytest
from pilots import settle
from textual import events
from textual.color import Color
from textual.widgets import Sparkline
from textual.widgets._footer import FooterKey

from stepnet import scenario
from stepnet.bundled import DIRECTORY
from stepnet.engine.breakpoints import Condition, OpBreakpoint
from stepnet.engine.debugger import Fault
from stepnet.engine.names import Name
from stepnet.tui.app import StepnetApp
from stepnet.tui.screens.breakpoints import BreakpointsScreen
from stepnet.tui.screens.debugger import DebuggerScreen
from stepnet.tui.screens.gradcheck import GradcheckScreen
from stepnet.tui.screens.help import HelpScreen
from stepnet.tui.screens.iterations import IterationsPrompt
from stepnet.tui.screens.training import TrainingScreen
from stepnet.tui.widgets.expectations import Expectations
from stepnet.tui.widgets.formula import Formula
from stepnet.tui.widgets.loss import Loss
from stepnet.tui.widgets.state import State
from stepnet.tui.widgets.status import Status
from stepnet.tui.widgets.timeline import Timeline

SIZE = (120, 40)
SCENARIOS = Path(__file__).parents[2] / "stepnet" / "examples"


def state(app) -> tuple[int, dict[str, bytes]]:
    d = app.session.debugger
    return d.position, {name: np.asarray(v).tobytes() for name, v in d.values.items()}


@pytest.mark.parametrize("key", ["n", "space"])
async def test_next_performs_one_operation(make_app, key) -> None:
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press(key, key)
        assert app.session.debugger.position == 2
        assert str(app.session.debugger.last_op.output) == "z1"


async def test_previous_after_next_restores_the_state_bit_for_bit(make_app) -> None:
    app = make_app("article")
    async with app.run_test(size=SIZE) as pilot:
        d = app.session.debugger
        for k in [*range(4), d.n_ops - 3]:  # the first ops, then across the iteration boundary
            await pilot.press(*["n"] * (k - d.position))
            for _ in range(3):
                before = state(app)
                await pilot.press("n", "N")
                assert state(app) == before, f"at position {d.position}"
                await pilot.press("n")


@pytest.mark.parametrize(("key", "kind", "forward"), [
    ("l", "layer", True), ("L", "layer", False), ("p", "phase", True), ("P", "phase", False),
    ("e", "iteration", True), ("E", "iteration", False),
])
async def test_boundary_keys_go_where_the_engine_says(make_app, key, kind, forward) -> None:
    app = make_app("article")
    reference = app.scenario.debugger()
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press(*"nnnnnnnnnn")  # into the backward pass
        reference.goto(10)
        await pilot.press(key)
        assert app.session.debugger.position == reference.boundary(kind, forward)


async def test_continue_without_breakpoints_runs_to_the_end_of_the_iteration(make_app) -> None:
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("n", "c")
        await settle(app, pilot)
        d = app.session.debugger
        assert (d.position, d.index) == (d.n_ops, d.n_ops)
        await pilot.press("C")
        await settle(app, pilot)
        assert d.position == 0


async def test_c_stops_at_a_breakpoint_set_with_b_and_C_goes_back_to_it(make_app) -> None:
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("p", "p", "n", "n")  # to the first op of the backward pass
        d = app.session.debugger
        target = d.last_op.output
        await pilot.press("b")
        assert app.session.breakpoints == [OpBreakpoint(output=target)]
        stop = d.position
        await pilot.press("R", "c")
        await settle(app, pilot)
        assert d.position == stop and d.last_op.output == target
        await pilot.press("c")  # no other hit in this iteration: its end
        await settle(app, pilot)
        assert d.position == d.n_ops
        await pilot.press("c")  # the same op of the next iteration
        await settle(app, pilot)
        assert d.position == d.n_ops + stop
        await pilot.press("C")
        await settle(app, pilot)
        assert d.position == d.n_ops  # the start of iteration 2
        await pilot.press("C")
        await settle(app, pilot)
        assert d.position == stop
        await pilot.press("b")
        assert app.session.breakpoints == []


async def test_nan_breakpoint_stops_at_the_first_non_finite_op_with_a_warning(make_app) -> None:
    app = make_app("diverging")
    async with app.run_test(size=SIZE) as pilot:
        app.session.breakpoints.append(Condition.parse("nan"))
        await pilot.press("c")
        await settle(app, pilot)
        d = app.session.debugger
        assert d.fault is not None and d.position == d.fault.position
        assert not np.isfinite(d.values[d.last_op.output]).all()
        assert "NaN/Inf" in app.screen.query_one(Status).text
        assert "⚠" in app.screen.query_one(Formula).text
        assert any("NaN" in (n.title or "") for n in app._notifications)


async def test_the_nan_warning_counts_ops_as_the_status_line_does(make_app) -> None:
    app = make_app("article")
    async with app.run_test(size=SIZE) as pilot:
        d = app.session.debugger
        d.run_iterations(2)
        for _ in range(8):
            d.step()
        d.fault = Fault(position=d.position, iteration=3, op=d.last_op)  # as if op 8 had overflowed
        app.session.run_ended()
        app.screen.moment = app.session.moment()
        await pilot.pause()
        text = app.screen.query_one(Status).text
        assert f"op 8 of {d.n_ops}" in text and f"NaN/Inf since iteration 3, op 8 ({d.last_op.output})" in text


async def test_breakpoints_screen_adds_and_removes(make_app) -> None:
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("B")
        assert isinstance(app.screen, BreakpointsScreen)
        await pilot.press(*"|delta| < 1e-6", "enter")
        await pilot.press(*"delta2", "enter")
        await pilot.press(*"nonsense <", "enter")
        assert "cannot read" in str(app.screen.query_one("#problem").content)
        await pilot.click("#nan")
        assert [bp.describe() for bp in app.session.breakpoints] == [
            "|delta| < 1e-6", "delta2", "any NaN or Inf"]
        options = app.screen.query_one("OptionList")
        options.focus()
        options.highlighted = 1
        await pilot.press("delete")
        assert [bp.describe() for bp in app.session.breakpoints] == ["|delta| < 1e-6", "any NaN or Inf"]
        await pilot.press("escape")
        assert not isinstance(app.screen, BreakpointsScreen)


@pytest.mark.parametrize("typed, problem", [
    ("delta9", "no quantity named 'delta9' — did you mean 'delta2'?"),
    ("|grad_w1| < 1", "no quantity named 'grad_w1', so it would never stop — did you mean 'grad_W1'?"),
])
async def test_a_breakpoint_on_no_quantity_is_refused_and_kept_to_mend(make_app, typed, problem) -> None:
    app = make_app("mazur")  # two layers: delta1, delta2, grad_W1, grad_W2, …
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("B", *typed, "enter")
        assert str(app.screen.query_one("#problem").content) == problem
        assert app.screen.query_one("Input").value == typed and not app.session.breakpoints


async def test_i_runs_n_iterations(make_app) -> None:
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("i")
        assert isinstance(app.screen, IterationsPrompt)
        await pilot.press("0", "enter")  # refused: at least 1
        assert isinstance(app.screen, IterationsPrompt)
        await pilot.press("backspace", "2", "5", "enter")
        await pilot.pause()
        assert isinstance(app.screen, TrainingScreen)  # the run, watched as curves
        await settle(app, pilot)
        d = app.session.debugger
        assert d.position == 25 * d.n_ops and len(d.losses) == 25
        await pilot.press("n")  # any key returns to stepping
        assert isinstance(app.screen, DebuggerScreen)


async def test_restart(make_app) -> None:
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("n", "n", "n", "R")
        assert app.session.debugger.position == 0


async def test_gradcheck_screen(make_app) -> None:
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("g")
        assert isinstance(app.screen, GradcheckScreen)
        await settle(app, pilot)
        assert "W2" in app.screen.query_one("#results").render_line(0).text + "".join(
            app.screen.query_one("#results").render_line(y).text for y in range(1, 10))
        await pilot.press("escape")
        assert not isinstance(app.screen, GradcheckScreen)


@pytest.mark.parametrize("key", ["question_mark", "f1"])
async def test_help_screen(make_app, key) -> None:
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press(key)
        assert isinstance(app.screen, HelpScreen)
        await pilot.press("escape")
        assert not isinstance(app.screen, HelpScreen)


@pytest.mark.parametrize("key", ["q", "ctrl+q"])
async def test_quit(make_app, key) -> None:
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press(key)
        await pilot.pause()
        assert not app.is_running


async def test_ctrl_c_does_not_kill_the_debugger(make_app) -> None:
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("n", "ctrl+c", "n")
        assert app.is_running and app.session.debugger.position == 2


async def test_arrows_move_the_selected_element(make_app) -> None:
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("e")  # the last op wrote W2, 2×2
        assert app.session.selected() == (0, 0)
        await pilot.press("right", "down")
        assert app.session.selected() == (1, 1)
        assert app.screen.query_one(Formula).text.count("W2[1,1]") >= 1
        await pilot.press("right", "down")  # kept inside the matrix
        assert app.session.selected() == (1, 1)
        await pilot.press("left", "up")
        assert app.session.selected() == (0, 0)


async def test_theme_switch_repaints_the_parts_in_the_new_colours(make_app) -> None:
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("n", "n")  # z1 = a0·W1ᵀ + b1: W1 is read, z1 written
        theme = app.theme
        await pilot.press("ctrl+t")
        await pilot.pause()
        assert app.theme != theme
        state = app.screen.query_one(State)
        expected = {role: Color.parse(app.theme_variables[f"stepnet-{role}"]).rich_color.triplet
                    for role in ("read", "output")}
        # the cells of W1 (read) and of z1 (written), as painted, in the new theme's colours
        painted = {segment.style.color.triplet for y in range(state.size.height)
                   for segment in state.render_line(y) if segment.style and segment.style.color
                   and any(c.isdigit() for c in segment.text)}
        assert set(expected.values()) <= painted


async def test_the_loss_sparkline_has_textuals_colours(make_app) -> None:
    """$primary and 30 % of it, as Textual's own Sparkline, mounted beside it, has them."""
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("e", "e")  # two losses
        for theme in ("textual-dark", "nord", "textual-light"):
            app.theme = theme
            await pilot.pause()
            sparkline = Sparkline([1.0, 2.0])
            await app.screen.mount(sparkline)
            loss = app.screen.query_one(Loss)
            colours = {segment.style.color for segment in loss.render_line(1) if segment.text.strip("▁▂▃▄▅▆▇█") == ""}
            assert colours == {sparkline.get_component_rich_style(f"sparkline--{end}-color").color
                               for end in ("min", "max")}
            await sparkline.remove()


async def test_theme_switch_keeps_what_the_scrolling_parts_show(make_app) -> None:
    app = make_app("mazur")
    async with app.run_test(size=(100, 30)) as pilot:
        state, expectations = app.screen.query_one(State), app.screen.query_one(Expectations)
        await pilot.press("e", "pagedown")
        await pilot.pause()
        scrolled = (state.scroll_y, expectations.scroll_y)
        assert scrolled[0] > 0 and scrolled[1] > 0
        await pilot.press("ctrl+t")
        await pilot.pause()
        assert (state.scroll_y, expectations.scroll_y) == scrolled


async def test_digits(make_app) -> None:
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        digits = app.session.digits
        await pilot.press("plus", "plus", "minus")
        assert app.session.digits == digits + 1


async def test_palette_offers_every_action(make_app) -> None:
    from stepnet.tui.commands import DebuggerCommands
    from stepnet.tui.keys import ACTIONS

    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        provider = DebuggerCommands(app.screen)
        found = [hit async for hit in provider.discover()]
        assert len(found) == len(ACTIONS)
        hits = [hit async for hit in provider.search("next operation")]
        await hits[0].command()
        await pilot.pause()
        assert app.session.debugger.position == 1
        await pilot.press("ctrl+p")
        assert app.screen.__class__.__name__ == "CommandPalette"
        # Textual's own commands, but not a second Quit or its bare list of keys
        titles = [command.title for command in app.get_system_commands(app.screen)]
        assert "Theme" in titles and "Quit" not in titles and "Keys" not in titles
        assert sum("Quit" in text for text, _ in provider._commands()) == 1


@pytest.mark.parametrize("page", ["pagedown", "pageup"])
@pytest.mark.parametrize("opens", ["ctrl+p", "theme"])
async def test_a_page_key_as_a_palette_opens_is_ignored(make_app, opens, page) -> None:
    """A page key in the same instant as the palette opens, before its list has a height, is
    dropped (Textual 8.2.8 raises KeyError for it: screens/command_palette.py); once the list
    is laid out, page down pages."""
    from textual.command import CommandList

    from stepnet.tui.screens.command_palette import CommandPalette

    app = make_app("article")
    async with app.run_test(size=(80, 24)) as pilot:
        # one tick: nothing runs between the palette opening and the page key
        if opens == "theme":
            app.search_themes()
        else:
            app._driver.send_message(events.Key(opens, None))
        app._driver.send_message(events.Key(page, None))
        await pilot.pause()
        assert CommandPalette.is_open(app) and app.is_running
        await app.workers.wait_for_complete()
        await pilot.pause()
        commands = app.screen.query_one(CommandList)
        commands.highlighted = 0
        await pilot.press("pagedown")
        assert 0 < commands.highlighted < commands.option_count - 1  # a page: not the end
        await pilot.press("escape", "q")
    assert app.return_code == 0


async def test_a_command_chosen_as_the_palette_closes_closes_it_once(make_app) -> None:
    """Enter twice in one instant: the first chooses the command and closes the palette, the
    second reaches it closed; closing it again closed the debugger under it (ScreenStackError)."""
    app = make_app("article")
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("ctrl+p", *"next operation")
        await app.workers.wait_for_complete()
        await pilot.pause()  # the commands found
        for key in ("enter", "enter"):
            app._driver.send_message(events.Key(key, None))
        await pilot.pause()
        assert isinstance(app.screen, DebuggerScreen) and app.is_running
        assert app.session.debugger.position > 0  # the command ran
        await pilot.press("q")
    assert app.return_code == 0


async def test_what_is_typed_as_the_palette_closes_is_not_searched(make_app) -> None:
    """A key typed in the instant escape closes the palette can reach its input after, when the
    palette is no longer on top: Textual searched for it in a palette whose list was gone
    (NoMatches, the end of the app; ctrl+p, x, escape a few times over in a real terminal)."""
    from textual.screen import Screen
    from textual.widgets import Input

    app = make_app("article")
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("ctrl+p")
        await app.workers.wait_for_complete()
        palette = app.screen
        searched: list[str] = []
        palette._gather_commands = searched.append  # Textual's search, started by what is typed
        await app.push_screen(Screen())  # the palette no longer on top, as once it has closed
        palette.query_one(Input).value = "x"  # the key that comes after
        await pilot.pause()
        assert searched == [] and app.is_running


@pytest.mark.parametrize("keys", [["i", "5"], ["j", "2"], ["equals_sign"]])
async def test_a_dialog_answered_as_it_closes_closes_once(make_app, keys) -> None:
    """An answer, enter and escape in one instant: escape closes the dialog before its input
    has the enter; the answer that comes after it is dropped (Textual would close the screen
    under the dialog: here the last one, ScreenStackError)."""
    app = make_app("article")
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press(keys[0])
        for key in [*keys[1:], "enter", "escape"]:
            app._driver.send_message(events.Key(key, key if len(key) == 1 else None))
        await pilot.pause()
        await app.workers.wait_for_complete()
        assert isinstance(app.screen, DebuggerScreen) and app.is_running
        await pilot.press("q")
    assert app.return_code == 0


async def test_moves_are_refused_while_a_run_is_in_progress(make_app) -> None:
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        app.session.running = True
        await pilot.press("n", "N", "R", "e", "i")
        assert app.session.debugger.position == 0 and not isinstance(app.screen, IterationsPrompt)
        app.session.running = False


@pytest.mark.parametrize("name", ["article", "mnist"])
async def test_holding_n_keeps_up_with_the_keyboard(make_app, name) -> None:
    """A held key repeats about 30 times a second: a burst of presses is worked off faster."""
    app = make_app(name)
    presses = 1000 if name == "article" else 200
    async with app.run_test(size=SIZE) as pilot:
        start = time.perf_counter()
        for key, count in (("n", presses), ("N", presses // 4)):
            for _ in range(count):
                app._driver.send_message(events.Key(key, key))
        while app.session.debugger.position != presses - presses // 4:
            await asyncio.sleep(0.01)
        await pilot.pause()
        assert (time.perf_counter() - start) / (presses * 1.25) < 1 / 30


@pytest.mark.parametrize("size", [(20, 8), (79, 24), (80, 23), (80, 24), (300, 100)])
async def test_any_terminal_size_draws_without_error(make_app, screen_text, size) -> None:
    app = make_app("mnist")
    async with app.run_test(size=size) as pilot:
        await pilot.press("n", "n", "n", "right", "down")
        await pilot.pause()
        text = screen_text(app)
        too_small = size[0] < 80 or size[1] < 24
        assert ("too small" in " ".join(text.split())) == too_small
        assert ("─ state ─" in text) == (not too_small)


async def test_resize_relays_the_screen_and_keeps_the_position(make_app, screen_text) -> None:
    app = make_app("article")
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("n", "n", "n")
        for size in [(60, 20), (20, 8), (80, 24), (200, 60), SIZE]:
            await pilot.resize_terminal(*size)
            await pilot.press("n")
            await pilot.pause()
            assert ("too small" in " ".join(screen_text(app).split())) == (size[0] < 80 or size[1] < 24)
        assert app.session.debugger.position == 6  # n moved at the three sizes that show the state
        state = app.screen.query_one(State)
        assert state.scrollable_content_region.width == SIZE[0] - 4  # border, padding


@pytest.mark.parametrize("name", ["article", "mazur"])
async def test_after_a_resize_every_part_keeps_showing_the_state(make_app, name) -> None:
    """The screen after resizes and steps is the screen of a fresh app at that size and position
    (a resize restyles the parts, after which they used to stop repainting)."""
    app = make_app(name)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("n", "n", "n")
        for size in [(100, 30), (200, 60), (90, 26)]:
            await pilot.resize_terminal(*size)
            await pilot.press("n", "n")
        await pilot.pause()
        resized = app.export_screenshot()
    fresh = make_app(name)
    async with fresh.run_test(size=(90, 26)) as pilot:
        await pilot.press(*["n"] * 9)
        await pilot.pause()
        assert fresh.export_screenshot() == resized


async def test_quitting_during_a_long_run_does_not_wait_for_it(make_app) -> None:
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("i", *"10000000", "enter")
        await pilot.pause()
        assert isinstance(app.screen, TrainingScreen) and app.screen.running
        start = time.perf_counter()
        await pilot.press("ctrl+q")
    assert time.perf_counter() - start < 10


SOFTMAX_SSE = """\
title = "softmax output with squared error: its Jacobian is a per-sample matrix"
[network]
inputs = 2
[[network.layers]]
units = 3
activation = "softmax"
weights = [[0.1, 0.2], [0.3, -0.4], [0.5, 0.6]]
bias = 0.1
[loss]
kind = "half_sse"
[optimizer]
kind = "momentum"
learning_rate = 0.5
momentum = 0.9
[data]
inputs = [[0.5, 1.0], [1.0, -1.0]]
targets = [[1.0, 0.0, 0.0], [0.0, 0.0, 1.0]]
batch_size = 2
"""


@pytest.mark.parametrize("path", [*sorted(SCENARIOS.glob("*.toml")), "softmax_sse"],
                         ids=lambda p: getattr(p, "name", p))
async def test_every_scenario_steps_through_an_iteration_and_back(make_app, tmp_path, path) -> None:
    if path == "softmax_sse":
        path = tmp_path / "softmax_sse.toml"
        path.write_text(SOFTMAX_SSE)
    app = StepnetApp(scenario.load(path))
    async with app.run_test(size=SIZE) as pilot:
        d = app.session.debugger
        for _ in range(d.n_ops):  # as fast as a held key sends them
            app._driver.send_message(events.Key("n", "n"))
            app._driver.send_message(events.Key("down", None))
        await pilot.pause()
        assert d.position == d.n_ops
        await pilot.press("right", "e", "E", "E")
        assert d.position == 0


async def test_clicking_an_operation_on_the_timeline_goes_there(make_app) -> None:
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        timeline = app.screen.query_one(Timeline)
        x = timeline.content_region.x - timeline.region.x  # the padding
        await pilot.click(Timeline, offset=(x + 3 * 4, 0))  # 3 characters per op: the 5th
        assert app.session.debugger.position == 5
        await pilot.click(Timeline, offset=(x + 3 * 4, 1))  # the marks: no jump
        await pilot.click(Timeline, offset=(x - 1, 0))  # the padding: no jump
        assert app.session.debugger.position == 5


@pytest.mark.parametrize("name", ["article", "diverging", "mnist"])
async def test_a_storm_of_random_keys_leaves_a_working_debugger(make_app, name) -> None:
    """Moves, selections, breakpoints, runs and dialogs in a random order, as fast as they come."""
    rng = random.Random(name)
    keys = ["n", "N", "l", "L", "p", "P", "e", "E", "c", "C", "b", "R", "up", "down", "left",
            "right", "plus", "minus", "space", "i", "escape", "B", "escape", "g", "escape",
            "question_mark", "escape", "ctrl+c", "ctrl+t"]
    app = make_app(name)
    async with app.run_test(size=SIZE) as pilot:
        for _ in range(300):
            key = rng.choice(keys)
            app._driver.send_message(events.Key(key, key if len(key) == 1 else None))
        await settle(app, pilot)
        await pilot.press("escape", "escape", "escape")
        await settle(app, pilot)
        assert app.is_running and not isinstance(app.screen, (HelpScreen, GradcheckScreen))
        d = app.session.debugger
        position = d.position
        await pilot.press("n", "N")
        assert d.position == position


async def test_a_click_on_a_footer_key_presses_it(make_app) -> None:
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        step = next(key for key in app.screen.query(FooterKey) if key.action == "step")
        assert await pilot.click(step)
        assert app.session.debugger.position == 1


@pytest.mark.parametrize("width", [80, 120])
async def test_the_footer_shows_every_key_it_lists_with_its_label_at_any_width(make_app, screen_text, width) -> None:
    """At 80 columns too (the footer used to drop the labels there)."""
    app = make_app()
    async with app.run_test(size=(width, 24)) as pilot:
        await pilot.pause()
        bottom = screen_text(app).splitlines()[-1]
        shown = [(b.key_display or b.key, b.description) for b in DebuggerScreen.BINDINGS if b.show]
        assert len(shown) >= 8 and all(f"{key} {label}" in bottom for key, label in shown)
        assert "^p palette" in bottom


async def test_a_too_small_terminal_takes_no_moves_but_still_quits(make_app) -> None:
    app = make_app("article")
    async with app.run_test(size=(60, 15)) as pilot:
        await pilot.press("n", "e", "B", "i")
        assert app.session.debugger.position == 0
        assert isinstance(app.screen, DebuggerScreen)  # no dialog opened over the message
        await pilot.resize_terminal(120, 40)
        await pilot.press("n")
        assert app.session.debugger.position == 1
        await pilot.resize_terminal(60, 15)
        await pilot.press("q")
        await pilot.pause()
        assert not app.is_running


async def test_the_state_view_follows_the_op_and_scrolls_with_the_wheel_and_the_page_keys(make_app) -> None:
    app = make_app("mnist")
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        state = app.screen.query_one(State)
        height = state.scrollable_content_region.height
        await pilot.press("n", "n")  # z1: a big matrix, below the input's block
        await pilot.pause()
        start, end = state.spans[Name.parse("z1")]
        assert state.scroll_y <= start and end <= state.scroll_y + height  # in view
        top = state.scroll_y
        # the pilot has no wheel: the event it would send, over the state
        x, y = state.content_region.offset
        state.post_message(events.MouseScrollDown(state, x, y, 0, 1, 0, False, False, False))
        await pilot.pause()
        assert state.scroll_y > top
        wheeled = state.scroll_y
        await pilot.press("pageup")
        await pilot.pause()
        assert state.scroll_y == max(0, wheeled - height)
        await pilot.press("pagedown", "pagedown")
        await pilot.pause()
        assert state.scroll_y == min(max(0, wheeled - height) + 2 * height, state.max_scroll_y)


async def held_n(app: StepnetApp, pilot) -> None:
    app.session.go(21)  # 21 n read at once: one move


async def e_then_n(app: StepnetApp, pilot) -> None:
    app.session.to_boundary("iteration", True)  # both read before a frame is drawn
    app.session.go(1)


async def j_3(app: StepnetApp, pilot) -> None:
    app.session.go_to_iteration(3)


async def i_3(app: StepnetApp, pilot) -> None:
    """The training view's run of 3 iterations, to its end, and back to stepping."""
    app.push_screen(TrainingScreen(app.session, 3))
    await settle(app, pilot)
    await pilot.press("escape")
    await settle(app, pilot)


MOVES = {"21 n at once": held_n, "e then n": e_then_n, "j 3": j_3, "i 3": i_3}


@pytest.mark.parametrize("move", MOVES)
async def test_figures_of_an_iteration_run_past_in_one_move_are_checked_on_the_way(tmp_path, move) -> None:
    """Past the end of iteration 1 in moves made before a frame is drawn, or in the training
    view's run, its figures are judged at that end all the same — a wrong one is ✗, not 'run
    past, not seen'. Mazur's E_total (the loss) stated as 0.2983 instead of 0.298371109."""
    text = (DIRECTORY / "mazur.toml").read_text()
    assert text.count("value = 0.298371109\n") == 1
    path = tmp_path / "mazur.toml"
    path.write_text(text.replace("value = 0.298371109\n", "value = 0.2983\n"))
    app = StepnetApp(scenario.load(path))
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        await MOVES[move](app, pilot)
        d = app.session.debugger
        assert d.position > d.n_ops
        outcomes = app.session.outcomes()
        first = [i for i, e in enumerate(app.scenario.expectations) if e.iteration == 1]
        assert first and all(outcomes[i] is not None for i in first)  # every figure of iteration 1 judged
        assert [str(app.scenario.expectations[i].name) for i in first if not outcomes[i].ok] == ["loss"]


async def test_expectations_panel_checks_each_figure_when_it_is_produced(make_app) -> None:
    app = make_app("mazur")
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        panel = app.screen.query_one(Expectations)
        assert panel.text.splitlines()[0] == "·  a1 @ iteration 1"
        d = app.session.debugger
        await pilot.press(*["n"] * ([str(op.output) for op in d.ops].index("a1") + 1))
        await pilot.pause()
        lines = panel.text.splitlines()
        # Mazur's h1 = σ(0.15·0.05 + 0.2·0.1 + 0.35), written out
        h1 = 1 / (1 + math.exp(-(0.15 * 0.05 + 0.2 * 0.1 + 0.35)))
        assert lines[0] == "✓  a1 @ iteration 1"
        text = " ".join(panel.text.split())
        assert "stated [[0.593269992, 0.596884378]]" in text
        assert f"computed [[{h1:.9g}," in text
        assert "·  a2 @ iteration 1" in lines
        await pilot.press("e")
        await pilot.pause()
        await pilot.pause()
        assert panel.text.count("✓") == sum(e.iteration == 1 for e in app.scenario.expectations)
        # the figure just produced (the last of the iteration) is in view, as painted
        visible = "".join(panel.figures.render_line(y).text for y in range(panel.figures.size.height)
                          if panel.scroll_y <= y < panel.scroll_y + panel.scrollable_content_region.height)
        assert "stated" in visible


@pytest.mark.parametrize("width", [80, 120])
async def test_the_status_line_leaves_out_what_does_not_fit_rather_than_cut_a_figure(make_app, width) -> None:
    app = make_app("article")
    async with app.run_test(size=(width, 24)) as pilot:
        await pilot.press("e")  # the end of the iteration: the position, the loss and a hint
        await pilot.pause()
        d = app.session.debugger
        text = app.screen.query_one(Status).text
        assert text.endswith(f"loss {d.losses[-1]:.6g}")  # whole, last
        assert len(text) <= width and f"op {d.n_ops} of {d.n_ops}" in text
        assert ("n starts iteration 2" in text) == (width >= 120)  # the hint, where it fits

"""`stepnet` alone: a picker of the bundled examples (title and one line each); Enter opens
the debugger on the one selected."""

from __future__ import annotations

import tomllib

from textual.widgets import OptionList

from stepnet import bundled
from stepnet.tui.app import StepnetApp
from stepnet.tui.screens.debugger import DebuggerScreen
from stepnet.tui.screens.picker import PickerScreen

SIZE = (80, 24)  # the smallest screen stepnet supports


async def test_the_picker_shows_each_example_s_title_and_one_line() -> None:
    app = StepnetApp()
    async with app.run_test(size=SIZE):
        assert isinstance(app.screen, PickerScreen)
        options = app.screen.query_one(OptionList)
        files = sorted(bundled.DIRECTORY.glob("*.toml"))
        assert options.option_count == len(files)
        for i, path in enumerate(files):
            lines = str(options.get_option_at_index(i).prompt).splitlines()
            doc = tomllib.loads(path.read_text())
            assert lines[0].split() == [path.stem, *doc["title"].split()]
            assert len(lines) == 2 and lines[1].strip() == bundled.first_sentence(doc["description"])


async def test_enter_opens_the_debugger_on_the_selected_example() -> None:
    app = StepnetApp()
    async with app.run_test(size=SIZE) as pilot:
        names = bundled.names()
        await pilot.press(*["down"] * names.index("xor"), "enter")
        await pilot.pause()
        assert isinstance(app.screen, DebuggerScreen)
        assert app.scenario.path == bundled.DIRECTORY / "xor.toml" and app.sub_title == app.scenario.title
        await pilot.press("n")
        assert app.session.debugger.position == 1


async def test_help_from_the_palette_waits_for_a_scenario_and_q_quits() -> None:
    app = StepnetApp()
    async with app.run_test(size=SIZE) as pilot:
        await app.screen.run_action("app.help")  # as the palette's "Keys and the scenario's description"
        await pilot.pause()
        assert isinstance(app.screen, PickerScreen)  # no help screen, and no error
        await pilot.press("q")
        await pilot.pause()
    assert app.return_code == 0

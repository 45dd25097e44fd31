"""A storm of random keys and resizes (issue 18): the debugger survives it and quits cleanly.

The keys are the debugger screen's own (keys.ACTIONS, but quitting), the palette's, and what
its dialogs take (digits, letters, a condition's characters, enter, escape, backspace), sent
in batches that arrive in the same instant, with the terminal resized between 20×8 and 300×100
between batches. Everything the storm saves (screenshots, what-if scenarios) goes to a
temporary directory.
"""

from __future__ import annotations

import random
import string

import pytest
from textual import events
from textual.keys import key_to_character

from stepnet.tui.keys import ACTIONS
from stepnet.tui.screens.debugger import DebuggerScreen

#: the keys that quit: kept out of the storm, which would end there
QUIT = {key for a in ACTIONS if a.action == "app.quit" for key in a.keys.split(",")}
BOUND = [key for a in ACTIONS for key in a.keys.split(",") if key not in QUIT]
TYPED = [c for c in string.ascii_lowercase + string.digits if c not in QUIT] + [
    "full_stop", "vertical_line", "less_than_sign", "backspace", "delete"]
KEYS = BOUND + TYPED + ["ctrl+p", "escape", "enter", "pagedown", "pageup"]
#: keys in all, and in each batch: a pause (the screen drawn) per batch is what takes time
PRESSES, BATCH = 2000, 400
SMALLEST, LARGEST = (20, 8), (300, 100)


def storm(seed: int) -> list[tuple[tuple[int, int], list[str]]]:
    """Batches of keys, each with the terminal size to resize to before it: the smallest and
    the largest first, then random ones between them."""
    rng = random.Random(seed)
    batches = PRESSES // BATCH
    sizes = [SMALLEST, LARGEST] + [(rng.randint(SMALLEST[0], LARGEST[0]), rng.randint(SMALLEST[1], LARGEST[1]))
                                   for _ in range(batches - 2)]
    return [(size, [rng.choice(KEYS) for _ in range(BATCH)]) for size in sizes]


@pytest.mark.parametrize("name", ["article", "micrograd"])  # a network; a graph
async def test_the_debugger_survives_a_storm_of_keys(make_app, screen_text, tmp_path, monkeypatch, name) -> None:
    monkeypatch.chdir(tmp_path)
    app = make_app(name)
    # the palette's Quit is one of the commands the storm's enter can choose: not done till the end
    app.action_quit = lambda: None
    async with app.run_test(size=(120, 40)) as pilot:
        for size, keys in storm(seed=18):
            await pilot.resize_terminal(*size)
            print(size, keys)  # shown if the test fails: where the storm was
            for key in keys:  # one instant: nothing runs between them
                app._driver.send_message(events.Key(key, key_to_character(key)))
            await pilot.pause()
        await pilot.resize_terminal(120, 40)
        for _ in range(10):  # back from the dialogs, palettes and runs the storm left open
            if isinstance(app.screen, DebuggerScreen):
                break
            await pilot.press("escape")
            await app.workers.wait_for_complete()
        assert isinstance(app.screen, DebuggerScreen) and app.is_running
        position = app.session.debugger.position
        await pilot.press("n")
        assert app.session.debugger.position != position  # it still takes keys
        assert f"iteration {app.session.iteration} " in screen_text(app)
        del app.action_quit
        await pilot.press("q")
    assert app.return_code == 0 and not app.is_running

"""The screen at fixed terminal sizes (pytest-textual-snapshot); `--snapshot-update` rewrites them."""

from __future__ import annotations

import pytest

SIZE = (120, 40)

CASES = {
    "first_screen": ("mazur", [], SIZE),
    "after_forward_pass": ("mazur", ["p"], SIZE),
    "after_loss": ("mazur", ["p", "p"], SIZE),
    "mid_backward": ("article", ["p", "p", "n", "n", "n", "n"], SIZE),
    "after_update": ("mazur", ["e"], SIZE),
    "back_to_start": ("mazur", ["n"] * 6 + ["N"] * 6, SIZE),
    "help_screen": ("mazur", ["question_mark"], SIZE),
    "mnist_shape": ("mnist", ["n", "n", "n", "right", "right", "down"], SIZE),
    "small_terminal_80x24": ("article", ["p", "p", "n", "n"], (80, 24)),
    "too_small": ("mazur", [], (60, 20)),
}


@pytest.mark.parametrize("case", CASES)
def test_screen(snap_compare, make_app, case) -> None:
    name, keys, size = CASES[case]
    assert snap_compare(make_app(name), press=keys, terminal_size=size)


async def test_stepping_back_to_the_start_shows_the_first_screen(make_app) -> None:
    app = make_app("mazur")
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        first = app.export_screenshot()
        await pilot.press(*["n"] * 9, "e", "E", *["N"] * 30)
        assert app.session.debugger.position == 0
        await pilot.pause()
        assert app.export_screenshot() == first

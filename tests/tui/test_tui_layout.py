"""The stylesheet's grid: the parts tile the screen at every size the debugger takes."""

from __future__ import annotations

import pytest

PARTS = ["#status", "#timeline", "#formula", "#network", "#side", "#state", "Footer"]


@pytest.mark.parametrize("size", [(80, 24), (100, 31), (109, 32), (110, 40), (120, 40), (200, 50), (300, 100)])
@pytest.mark.parametrize("name", ["mazur", "article"])
async def test_the_parts_cover_every_cell_of_the_screen_once(make_app, name, size) -> None:
    width, height = size
    app = make_app(name)
    async with app.run_test(size=size) as pilot:
        await pilot.pause()
        regions = [app.screen.query_one(part).region for part in PARTS]
        cells = [(x, y) for r in regions for y in range(r.y, r.bottom) for x in range(r.x, r.right)]
        assert sorted(cells) == [(x, y) for x in range(width) for y in range(height)]
        state, footer, side = (app.screen.query_one(p).region for p in ("#state", "Footer", "#side"))
        assert state.height >= 8  # what the debugger is about keeps room at 80×24 (a frame and six lines)
        assert footer == (0, height - 1, width, 1)
        assert side.width == (34 if width < 110 else 44 if width < 170 else 60)

"""What the pilot tests share beyond fixtures."""

from __future__ import annotations

from textual.app import App
from textual.pilot import Pilot


async def settle(app: App[object], pilot: Pilot[object]) -> None:
    """Let the keys already sent be read, a worker-thread run (c, C, i, =, the gradient check)
    finish, and the screen catch up with what it left."""
    await pilot.pause()
    await app.workers.wait_for_complete()
    await pilot.pause()
    await pilot.pause()

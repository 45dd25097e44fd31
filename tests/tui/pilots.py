"""What the pilot tests share beyond fixtures."""

from __future__ import annotations

from textual.app import App
from textual.pilot import Pilot
from textual.worker import WorkerCancelled


async def settle(app: App[object], pilot: Pilot[object]) -> None:
    """Let the keys already sent be read, a worker-thread run (c, C, i, =, the gradient check)
    finish, and the screen catch up with what it left. A worker the keys cancelled (escape
    during a run) is over all the same: `wait_for_complete` raised its WorkerCancelled into
    the test, which a storm of keys on a loaded machine met now and then."""
    await pilot.pause()
    for worker in list(app.workers):
        try:
            await worker.wait()
        except WorkerCancelled:
            pass
    await pilot.pause()
    await pilot.pause()

"""How fast the debugger answers a key and starts, against an empty Textual app, in one run.

    python bench/tui.py

A key round trip is the time from the key event reaching the app to the end of the last
frame it causes: the screen is composited and encoded for the terminal (what the headless
driver would otherwise skip) and no further frame follows within 50 ms. Keys are sent at a
random phase of Textual's 60 fps refresh timer, and the median of many presses is taken.
The empty app is one Label whose text changes on every key. Start-up is the time from
creating the app to its first complete frame. Targets: article ≤ 1.5×, 784-64-10 ≤ 3×,
start-up ≤ 1.5×.
"""

from __future__ import annotations

import asyncio
import random
import statistics
import sys
import tempfile
import time
from pathlib import Path

from textual import events
from textual.app import App, ComposeResult
from textual.widgets import Label

from stepnet import scenario
from stepnet.tui.app import StepnetApp

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "tests" / "tui"))
from conftest import write_mnist_shape  # noqa: E402  (the tests' 784-64-10 scenario)

SIZE = (120, 40)
PRESSES = 60
QUIET = 0.05  # seconds without a frame that end a round trip


class EmptyApp(App[None]):
    BINDINGS = [("n", "count", "count")]

    def compose(self) -> ComposeResult:
        yield Label("0")

    def action_count(self) -> None:
        label = self.query_one(Label)
        label.update(str(int(str(label.content)) + 1))


class Frames:
    """Timestamps of the frames an app displays, each encoded as a terminal would get it."""

    def __init__(self, app: App) -> None:
        self.times: list[float] = []
        display = app._display

        def timed(screen, renderable) -> None:  # noqa: ANN001
            display(screen, renderable)
            if renderable is not None:
                renderable.render_segments(app.console)
                self.times.append(time.perf_counter())

        app._display = timed

    async def quiet(self) -> None:
        """Wait until no frame has come for QUIET seconds."""
        while True:
            count = len(self.times)
            await asyncio.sleep(QUIET)
            if len(self.times) == count:
                return


async def round_trips(app: App, key: str, presses: int = PRESSES) -> list[float]:
    frames = Frames(app)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        await frames.quiet()
        results = []
        for _ in range(presses):
            await asyncio.sleep(random.uniform(0, 1 / 60))
            start, seen = time.perf_counter(), len(frames.times)
            app._driver.send_message(events.Key(key, key))
            await frames.quiet()
            if len(frames.times) > seen:
                results.append(frames.times[-1] - start)
        return results


async def startup(make: type[App] | object) -> float:
    start = time.perf_counter()
    app = make()
    frames = Frames(app)
    async with app.run_test(size=SIZE):
        while not frames.times:
            await asyncio.sleep(0.001)
    return frames.times[0] - start


def median_ms(values: list[float]) -> float:
    return statistics.median(values) * 1000


async def main() -> None:
    random.seed(0)
    article = ROOT / "scenarios" / "article.toml"
    mnist = write_mnist_shape(Path(tempfile.mkdtemp()))
    empty = median_ms(await round_trips(EmptyApp(), "n"))
    small = median_ms(await round_trips(StepnetApp(scenario.load(article)), "n"))
    big = median_ms(await round_trips(StepnetApp(scenario.load(mnist)), "n"))
    empty_start = statistics.median([await startup(EmptyApp) for _ in range(5)]) * 1000
    app_start = statistics.median([await startup(lambda: StepnetApp(scenario.load(article)))
                                   for _ in range(5)]) * 1000
    print(f"empty app key round trip   {empty:7.1f} ms")
    print(f"article key round trip     {small:7.1f} ms  {small / empty:5.2f}×  (target ≤ 1.5×)")
    print(f"784-64-10 key round trip   {big:7.1f} ms  {big / empty:5.2f}×  (target ≤ 3×)")
    print(f"empty app start-up         {empty_start:7.1f} ms")
    print(f"article start-up           {app_start:7.1f} ms  {app_start / empty_start:5.2f}×  (target ≤ 1.5×)")


if __name__ == "__main__":
    asyncio.run(main())

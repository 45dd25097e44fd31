"""How fast the debugger answers a key and starts, against an empty Textual app, in one run.

    python bench/tui.py

A key round trip is the time from the key event reaching the app to the end of the last
frame it causes: the screen is composited and encoded for the terminal (what the headless
driver would otherwise skip) and no further frame follows within 50 ms. Keys are sent at a
random phase of Textual's 60 fps refresh timer, and the median of many presses is taken: a debugger
steps through a whole iteration per round, so every kind of operation counts alike.
The empty app is one Label whose text changes on every key. Start-up is the time from
creating the app (and loading its scenario) to its first full screen: the first frame after
which the terminal shows what it shows once the app is idle (earlier frames may lack parts
that come a moment later, such as the footer's keys). Targets: article
≤ 1.5×, 784-64-10 ≤ 3×, start-up ≤ 1.5×. A second yardstick, not part of the targets, is
an app that rewrites a screenful of plain text per key: what Textual itself needs to repaint
the whole screen on this machine.
"""

from __future__ import annotations

import one_thread  # noqa: F401  (first: one BLAS thread, set before NumPy is imported)
import asyncio
import random
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

from rich.segment import ControlType
from textual import events
from textual.app import App, ComposeResult
from textual.widgets import Label, Static

from stepnet import scenario
from stepnet.tui.app import StepnetApp

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "tests" / "tui"))
from conftest import write_mnist_shape  # noqa: E402  (the tests' 784-64-10 scenario)

SIZE = (120, 40)
PRESSES = 24  # keys per round for the apps that are not a debugger
ROUNDS = 5
QUIET = 0.05  # seconds without a frame that end a round trip


class EmptyApp(App[None]):
    BINDINGS = [("n", "count", "count")]

    def compose(self) -> ComposeResult:
        yield Label("0")

    def action_count(self) -> None:
        label = self.query_one(Label)
        label.update(str(int(str(label.content)) + 1))


class FullScreenApp(App[None]):
    """Not a target's reference, a yardstick: every key rewrites a screenful of plain text."""

    BINDINGS = [("n", "count", "count")]
    count = 0

    def compose(self) -> ComposeResult:
        yield Static(self._text())

    def _text(self) -> str:
        return "\n".join(f"{i + self.count} " * (SIZE[0] // 4) for i in range(SIZE[1]))

    def action_count(self) -> None:
        self.count += 1
        self.query_one(Static).update(self._text())


class Frames:
    """Timestamps of the frames an app displays, each encoded as a terminal would get it."""

    def __init__(self, app: App) -> None:
        self.times: list[float] = []
        self.screens: list[object] = []
        self.updates: list[object] = []  # what each frame sent, to replay after the timing
        self.console = app.console
        display = app._display

        def timed(screen, renderable) -> None:  # noqa: ANN001
            display(screen, renderable)
            if renderable is not None:
                renderable.render_segments(app.console)
                self.times.append(time.perf_counter())
                self.screens.append(screen)
                self.updates.append(renderable)

        app._display = timed

    def complete(self) -> int:
        """The index of the first frame after which the terminal shows what it shows at the
        end: the first full screen. A frame may be partial (a start-up paints before the
        footer's keys or a scroll bar are there), so the frames are replayed on a grid of
        (character, style) cells, as a terminal would draw them."""
        width, height = SIZE
        cells = [[(" ", None)] * width for _ in range(height)]
        shown = []
        for update in self.updates:
            x = y = 0
            for segment in self.console.render(update):
                if segment.control:
                    for control in segment.control:
                        if control[0] == ControlType.CURSOR_MOVE_TO:
                            x, y = control[1], control[2]
                        elif control[0] == ControlType.HOME:
                            x = y = 0
                    continue
                for character in segment.text:
                    if character == "\n":
                        x, y = 0, y + 1
                    elif 0 <= y < height and 0 <= x < width:
                        cells[y][x] = (character, segment.style)
                        x += 1
            shown.append([list(line) for line in cells])
        return next(i for i, screen in enumerate(shown) if screen == shown[-1])

    async def quiet(self) -> None:
        """Wait until no frame has come for QUIET seconds."""
        while True:
            count = len(self.times)
            await asyncio.sleep(QUIET)
            if len(self.times) == count:
                return


async def round_trips(app: App, key: str) -> list[float]:
    """One round: a debugger steps through a whole iteration (every kind of operation once,
    forward, loss, backward and update, as holding n does); the other apps take PRESSES keys."""
    frames = Frames(app)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        await frames.quiet()
        session = getattr(app, "session", None)
        presses = session.debugger.n_ops if session is not None else PRESSES
        results = []
        for _ in range(presses):
            await asyncio.sleep(random.uniform(0, 1 / 60))
            start, seen = time.perf_counter(), len(frames.times)
            app._driver.send_message(events.Key(key, key))
            await frames.quiet()
            if len(frames.times) > seen:
                results.append(frames.times[-1] - start)
        return results


async def startup(make: Callable[[], App]) -> float:
    """From creating the app to the end of its first full screen (see `Frames.complete`)."""
    start = time.perf_counter()
    app = make()
    frames = Frames(app)
    async with app.run_test(size=SIZE):
        while not frames.times:
            await asyncio.sleep(0.001)
        await frames.quiet()
    first = frames.complete()
    assert type(frames.screens[first]).__name__ in ("Screen", "DebuggerScreen")
    return frames.times[first] - start


def median_ms(values: list[float]) -> float:
    return statistics.median(values) * 1000


async def main() -> None:
    random.seed(0)
    article = ROOT / "scenarios" / "article.toml"
    mnist = write_mnist_shape(Path(tempfile.mkdtemp()))
    apps: dict[str, Callable[[], App]] = {
        "empty app": EmptyApp,
        "full-screen text app": FullScreenApp,
        "article": lambda: StepnetApp(scenario.load(article)),
        "784-64-10": lambda: StepnetApp(scenario.load(mnist)),
    }
    # rounds interleave the apps, so a machine busy with something else slows all alike
    keys: dict[str, list[float]] = {name: [] for name in apps}
    starts: dict[str, list[float]] = {name: [] for name in apps}
    for _ in range(ROUNDS):
        for name, make in apps.items():
            keys[name] += await round_trips(make(), "n")
            starts[name].append(await startup(make))
    key = {name: median_ms(times) for name, times in keys.items()}
    start = {name: median_ms(times) for name, times in starts.items()}
    targets = {"article": 1.5, "784-64-10": 3.0}
    print(f"key press to finished repaint, median of {ROUNDS} rounds of one iteration "
          f"(or {PRESSES} keys) ({SIZE[0]}×{SIZE[1]}):")
    for name in apps:
        ratio = "" if name not in targets else f"  {key[name] / key['empty app']:5.2f}×  (target ≤ {targets[name]}×)"
        print(f"  {name:<20} {key[name]:7.1f} ms{ratio}")
    print(f"start-up to the first full screen, median of {ROUNDS}:")
    for name in ("empty app", "full-screen text app", "article"):
        ratio = "" if name != "article" else f"  {start[name] / start['empty app']:5.2f}×  (target ≤ 1.5×)"
        print(f"  {name:<20} {start[name]:7.1f} ms{ratio}")


if __name__ == "__main__":
    asyncio.run(main())

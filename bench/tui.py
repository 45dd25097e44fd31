"""How fast the debugger answers the keyboard and starts, against plain Textual apps, in one run.

    python bench/tui.py [--rounds 5]

Three measures, each printed as a ratio to a baseline measured in the same run (the
machines are shared and noisy: only ratios mean anything):

- one key, then idle: from the key event reaching the app to the end of the last frame it
  causes (the screen composited and encoded for the terminal, as the headless driver would
  otherwise skip; no further frame within 50 ms). Keys are sent at a random phase of
  Textual's 60 fps refresh timer; the median over one iteration's keys (every kind of
  operation counts alike) and the rounds. Baseline: an app that repaints a screen full of
  text on every key (one Static filling the screen, its text changed per key). Target for
  article and 784-64-10: ≤ 1.0×.
- a burst: BURST `n` keys sent at once (what holding the key does), to the frame that
  shows the final operation. Baseline: an empty app (one Label, its text changed per key)
  consuming the same burst. Target for article and 784-64-10: ≤ 1.5×; 784-1024-1024-10
  is a row to read, not a target.
- start-up: from creating the app (and loading its scenario) to its first full screen,
  the first frame after which the terminal shows what it shows once the app is idle.
  Baseline: the full-screen text app. Target: ≤ 1.5×.

Each measure starts from a collected heap: the apps measured before it in the process leave
garbage that a user's own process would not have (the 784-64-10 burst took 52 ms alone and
160 ms after the others).

Under each measure, rows that say how much of it is Textual's own (not targets): for a key,
the debugger with every part drawing blank lines (the same widgets, layout and refreshes,
without stepnet's drawing); for start-up, the full-screen text app with Textual's Footer
showing the debugger's keys, as the debugger's screen must.
"""

from __future__ import annotations

import one_thread  # noqa: F401  (first: one BLAS thread, set before NumPy is imported)

import argparse
import asyncio
import gc
import random
import statistics
import sys
import tempfile
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import ClassVar

from rich.segment import ControlType
from textual import events
from textual.app import App, ComposeResult
from textual.binding import BindingType
from textual.strip import Strip
from textual.widget import Widget
from textual.widgets import Footer, Label, Static

from stepnet import scenario
from stepnet.tui import keys
from stepnet.tui.app import StepnetApp
from stepnet.tui.widgets.part import Part
from stepnet.tui.widgets.state import State

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "tests" / "tui"))
from conftest import MNIST_SHAPE, write_mnist_shape

SIZE = (120, 40)
PRESSES = 24  # keys per round for the apps that are not a debugger
BURST = 500
QUIET = 0.05  # seconds without a frame that end a round trip


class EmptyApp(App[None]):
    BINDINGS: ClassVar[list[BindingType]] = [("n", "count", "count")]

    def compose(self) -> ComposeResult:
        yield Label("0")

    def action_count(self) -> None:
        label = self.query_one(Label)
        label.update(str(int(str(label.content)) + 1))

    def shown(self) -> int:
        return int(str(self.query_one(Label).content))


class FullScreenApp(App[None]):
    """Every key rewrites a screenful of plain text."""

    CSS = "Static { height: 1fr; }"
    BINDINGS: ClassVar[list[BindingType]] = [("n", "count", "count")]
    count = 0

    def compose(self) -> ComposeResult:
        yield Static(self._text())

    def _text(self) -> str:
        return "\n".join(f"{i + self.count:<4}" * (SIZE[0] // 4) for i in range(SIZE[1]))

    def action_count(self) -> None:
        self.count += 1
        self.query_one(Static).update(self._text())

    def shown(self) -> int:
        return self.count


class FooterApp(FullScreenApp):
    """The full-screen text app with Textual's Footer showing the debugger's keys."""

    BINDINGS: ClassVar[list[BindingType]] = keys.bindings()

    def compose(self) -> ComposeResult:
        yield from super().compose()
        yield Footer(compact=True)


@contextmanager
def blank_parts() -> Iterator[None]:
    """Every part of the debugger draws blank lines: what is left of a key is Textual's."""
    def blank(self: Widget, y: int) -> Strip:
        return Strip.blank(self.size.width, self.rich_style)

    drawn = Part.render_line, State.render_line
    Part.render_line = State.render_line = blank  # type: ignore[method-assign]
    try:
        yield
    finally:
        Part.render_line, State.render_line = drawn  # type: ignore[method-assign]


def write_wide(folder: Path) -> Path:
    """784-1024-1024-10: the 784-64-10 scenario with two hidden layers of 1024 units."""
    path = write_mnist_shape(folder)
    hidden = "[[network.layers]]\nunits = 64\nactivation = \"relu\"\ninit = \"xavier\"\n"
    wide = hidden.replace("64", "1024")
    path.write_text(MNIST_SHAPE.replace(hidden, wide + "\n" + wide))
    return path


class Frames:
    """Timestamps of the frames an app displays, each encoded as a terminal would get it."""

    def __init__(self, app: App) -> None:
        self.times: list[float] = []
        self.screens: list[object] = []
        self.updates: list[object] = []  # what each frame sent, to replay after the timing
        self.console = app.console
        display = app._display

        def timed(screen, renderable) -> None:
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
        footer's keys are there), so the frames are replayed on a grid of (character,
        style) cells, as a terminal would draw them."""
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


def position(app: App) -> int:
    """How many keys the app has worked off: the debugger's position, or the count."""
    session = getattr(app, "session", None)
    return session.debugger.position if session is not None else app.shown()


async def round_trips(app: App) -> list[float]:
    """A debugger steps through a whole iteration (every kind of operation once, forward,
    loss, backward and update); the other apps take PRESSES keys."""
    frames = Frames(app)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        await frames.quiet()
        session = getattr(app, "session", None)
        presses = session.debugger.n_ops if session is not None else PRESSES
        gc.collect()  # the apps measured before leave their garbage: not this app's to collect
        results = []
        for _ in range(presses):
            await asyncio.sleep(random.uniform(0, 1 / 60))
            start, seen = time.perf_counter(), len(frames.times)
            app._driver.send_message(events.Key("n", "n"))
            await frames.quiet()
            if len(frames.times) > seen:
                results.append(frames.times[-1] - start)
        return results


async def burst(app: App) -> float:
    """BURST keys sent at once, to the last frame, which must show the last of them."""
    frames = Frames(app)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        await frames.quiet()
        gc.collect()  # as in round_trips
        start = time.perf_counter()
        for _ in range(BURST):
            app._driver.send_message(events.Key("n", "n"))
        while position(app) < BURST:
            await asyncio.sleep(0.001)
        await frames.quiet()
        end = frames.times[-1]
        assert position(app) == BURST
        if getattr(app, "session", None) is not None:  # what the status line says is the position
            d = app.session.debugger
            assert f"op {d.index} of {d.n_ops}" in app.screen.query_one("#status").text
        return end - start


async def startup(make: Callable[[], App]) -> float:
    """From creating the app to the end of its first full screen (see `Frames.complete`),
    the garbage of the apps measured before it collected first: a start-up is a new process's,
    and it paid for theirs (the article's rose from ~100 ms alone to ~190 ms after the rest)."""
    gc.collect()
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


def row(name: str, value: float, base: float | None = None, target: float | None = None) -> str:
    ratio = "" if base is None else f"  {value / base:5.2f}×"
    goal = "" if target is None else f"  (target ≤ {target}×)"
    return f"  {name:<22} {value:8.1f} ms{ratio}{goal}"


async def main(rounds: int) -> None:
    random.seed(0)
    article = ROOT / "scenarios" / "article.toml"
    mnist = write_mnist_shape(Path(tempfile.mkdtemp()))
    wide = write_wide(Path(tempfile.mkdtemp()))
    apps: dict[str, Callable[[], App]] = {
        "empty app": EmptyApp,
        "full-screen text app": FullScreenApp,
        "article": lambda: StepnetApp(scenario.load(article)),
        "784-64-10": lambda: StepnetApp(scenario.load(mnist)),
        "784-1024-1024-10": lambda: StepnetApp(scenario.load(wide)),
    }
    keyed = ("empty app", "full-screen text app", "article", "784-64-10")
    started = ("empty app", "full-screen text app", "article")
    blanked = ("article", "784-64-10")
    blank_keys: dict[str, list[float]] = {name: [] for name in blanked}
    footer_starts: list[float] = []
    keys: dict[str, list[float]] = {name: [] for name in apps}
    bursts: dict[str, list[float]] = {name: [] for name in apps}
    starts: dict[str, list[float]] = {name: [] for name in apps}
    # rounds interleave the apps, so a machine busy with something else slows all alike
    for _ in range(rounds):
        for name, make in apps.items():
            if name in keyed:
                keys[name] += await round_trips(make())
            if name in blanked:
                with blank_parts():
                    blank_keys[name] += await round_trips(make())
            bursts[name].append(await burst(make()))
            if name in started:
                starts[name].append(await startup(make))
        footer_starts.append(await startup(FooterApp))
    key = {name: median_ms(times) for name, times in keys.items() if times}
    flood = {name: median_ms(times) for name, times in bursts.items()}
    start = {name: median_ms(times) for name, times in starts.items() if times}
    print(f"one key, then idle: key event to the last frame, median over {rounds} rounds of one "
          f"iteration's keys ({SIZE[0]}×{SIZE[1]}):")
    for name in keyed:
        target = 1.0 if name in ("article", "784-64-10") else None
        base = key["full-screen text app"] if target else None
        print(row(name, key[name], base, target))
    for name in blanked:
        print(row(f"{name}, parts blank", median_ms(blank_keys[name]), key["full-screen text app"]))
    print(f"a burst of {BURST} n sent at once, to the frame showing the last operation, median of {rounds}:")
    for name in apps:
        if name == "full-screen text app":
            continue
        target = 1.5 if name in ("article", "784-64-10") else None
        base = flood["empty app"] if name != "empty app" else None
        print(row(name, flood[name], base, target))
    print(f"start-up to the first full screen, median of {rounds}:")
    for name in started:
        target = 1.5 if name == "article" else None
        print(row(name, start[name], start["full-screen text app"] if target else None, target))
    print(row("text app + Footer", median_ms(footer_starts), start["full-screen text app"]))


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=5)
    asyncio.run(main(parser.parse_args().rounds))

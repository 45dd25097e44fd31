"""What a newcomer hit on the debugger screen (issue 12), each checked where it was seen."""

from __future__ import annotations

import json
import math
import os
import re
from pathlib import Path

import numpy as np
import pytest
from pilots import settle
from textual.color import Color

from stepnet import scenario
from stepnet.engine.breakpoints import Condition
from stepnet.engine.names import Name
from stepnet.files import Unwritable
from stepnet.tui import settings
from stepnet.tui.app import StepnetApp
from stepnet.tui.screens.breakpoints import BreakpointsScreen
from stepnet.tui.screens.gradcheck import GradcheckScreen
from stepnet.tui.screens.screenshot import ScreenshotDialog
from stepnet.tui.widgets.expectations import Expectations
from stepnet.tui.widgets.loss import Loss
from stepnet.tui.widgets.network import Network
from stepnet.tui.widgets.state import State
from stepnet.tui.widgets.status import Status
from stepnet.tui.widgets.timeline import Timeline

SMALL, SIZE = (80, 24), (120, 40)


# 1. At 80 columns the gradient check cut numbers into other numbers (4.36257… for 4.362575e-04)

@pytest.mark.parametrize("name", ["mazur", "mnist"])
async def test_the_gradient_check_shows_every_figure_whole_at_80_columns(make_app, screen_text, name) -> None:
    app = make_app(name)
    async with app.run_test(size=SMALL) as pilot:
        await pilot.press("g")
        await settle(app, pilot)
        assert isinstance(app.screen, GradcheckScreen)
        shown = screen_text(app)
        results = app.session.debugger.gradient_check()
        for r in results:
            for figure in (f"{r.numeric:.6e}", f"{r.backprop:.6e}", f"{r.checked}/{r.size}", str(list(r.worst_index))):
                assert figure in shown
        assert "…" not in shown


# 4. The loss sparkline had no scale

async def test_the_loss_sparkline_shows_the_range_it_spans(make_app) -> None:
    app = make_app("xor")
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("e", "e", "e", "e")
        await pilot.pause()
        losses = app.session.debugger.losses
        assert len(losses) == 4 and min(losses) < max(losses)
        line = app.screen.query_one(Loss).text.splitlines()[1]
        low, high = map(float, re.fullmatch(r"[▁▂▃▄▅▆▇█]+ (\S+)–(\S+)", line).groups())
        assert low == pytest.approx(min(losses), rel=5e-3) and high == pytest.approx(max(losses), rel=5e-3)


# 5. The scenario's title, description and source were never on the main screen

@pytest.mark.parametrize("name, size", [("mazur", SIZE), ("article", SMALL), ("relu_sigmoid", (200, 50))])
async def test_the_title_description_and_source_are_on_the_main_screen(make_app, screen_text, name, size) -> None:
    app = make_app(name)
    async with app.run_test(size=size) as pilot:
        await pilot.pause()
        shown = " ".join(screen_text(app).replace("│", " ").split())
        s = app.scenario
        assert " ".join(s.title.split()[:3]) in shown
        assert " ".join(f"source: {s.source}".split()[:3]) in shown
        if size != SMALL:  # the first words of the description, under the source
            first = re.sub(r"\*\*|`", "", s.description).split()[:4]
            assert " ".join(first) in shown


# 6. The network panel always showed sample 0

async def test_the_network_shows_the_sample_of_the_selected_element(make_app) -> None:
    app = make_app("xor")  # the four XOR samples in one batch
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("n", "n", "n")  # a1, one row per sample
        await pilot.press("down", "down")
        await pilot.pause()
        a1 = app.session.debugger.values[Name.parse("a1")]
        assert app.session.selected()[0] == 2
        network = app.screen.query_one(Network)
        assert network.border_subtitle == "sample 2 of 4"
        shown = [float(x) for x in re.findall(r"-?\d+\.\d+(?:e[-+]\d+)?", network.text)]

        def drawn(value: float) -> bool:
            return any(math.isclose(value, x, rel_tol=5e-3) for x in shown)

        assert all(map(drawn, a1[2])) and not all(map(drawn, a1[0]))


# 7. Repeated c piled notifications over the state view, without the condition

async def test_each_stop_at_a_breakpoint_replaces_the_last_notice_and_names_the_condition(make_app) -> None:
    app = make_app("article")
    async with app.run_test(size=SIZE) as pilot:
        app.session.breakpoints.append(Condition.parse("|delta| < 10"))  # every delta
        for _ in range(3):
            await pilot.press("c")
            await settle(app, pilot)
        stops = [n for n in app._notifications if n.title == "Stopped at a breakpoint"]
        assert len(stops) == 1
        assert "|delta| < 10" in stops[0].message and "delta1" in stops[0].message
        assert str(app.session.debugger.last_op.output) == "delta1"


# 8. E labelled the start of iteration 50 "iteration 49, op 23 of 23"

@pytest.mark.parametrize("done", [1, 49])
async def test_the_start_of_an_iteration_reads_op_0_of_it(make_app, done) -> None:
    app = make_app("article")
    async with app.run_test(size=SIZE) as pilot:
        d = app.session.debugger
        d.run_iterations(done)
        app.session.run_ended()
        await pilot.press("n", "n", "n", "E")
        await pilot.pause()
        assert d.position == done * d.n_ops  # the engine's end of `done`, which is the start of the next
        status = app.screen.query_one(Status).text
        assert f"iteration {done + 1} " in status and f"op 0 of {d.n_ops}" in status
        # nothing of the new iteration is computed yet: the state shows the parameters only
        state = app.screen.query_one(State)
        assert state.shown[Name.parse("z1")].value is None and state.shown[Name.parse("W1")].value is not None
        await pilot.press("n")
        assert d.position == done * d.n_ops + 1 and f"iteration {done + 1} " in app.screen.query_one(Status).text


# 9. At 80×24: the figures could not scroll, the footer lost its labels (test_tui_keys), a
#    diagram that left out units had no "+N more" marker, the timeline was cut unmarked

async def test_the_figures_scroll_from_the_keyboard_at_80x24(make_app) -> None:
    app = make_app("mazur")
    async with app.run_test(size=SMALL) as pilot:
        await pilot.pause()
        panel = app.screen.query_one(Expectations)
        assert panel.max_scroll_y > 0 and panel.scroll_y == 0
        await pilot.press("tab")
        assert app.focused is panel
        await pilot.press("down", "down")
        await pilot.pause()
        assert panel.scroll_y == 2
        await pilot.press("escape", "right")  # back to the elements: the arrows select again
        assert app.focused is None and app.session.debugger.position == 0


async def test_a_column_cut_short_by_the_height_says_how_many_units_it_leaves_out(make_app, screen_text) -> None:
    app = make_app("mnist")  # 784 inputs, 64 hidden units, 10 outputs
    async with app.run_test(size=SMALL) as pilot:
        await pilot.press("n", "n", "n")
        await pilot.pause()
        network = app.screen.query_one(Network)
        rows = network.size.height - 2  # a header and the norms
        lines = network.text.splitlines()
        assert len(lines) <= network.size.height
        for units in (784, 64, 10):
            assert f"… +{units - (rows - 1)}" in lines[rows]  # the last row of each column says it
        assert all(f"+{units - (rows - 1)}" in screen_text(app) for units in (784, 64, 10))


@pytest.mark.parametrize("width", [80, 120])
async def test_a_timeline_too_long_for_the_width_says_how_many_ops_each_cut_end_leaves_out(make_app, width) -> None:
    app = make_app("vanishing")
    async with app.run_test(size=(width, 40)) as pilot:
        d = app.session.debugger
        await pilot.press("p", "p", "n", "n")  # into the middle
        await pilot.pause()
        glyphs = app.screen.query_one(Timeline).text.splitlines()[0]
        left = re.match(r"◀(\d+) ", glyphs)
        right = re.search(r" (\d+)▶$", glyphs.rstrip())
        assert left or right
        hidden = [int(m.group(1)) for m in (left, right) if m]
        drawn = sum(glyphs.count(g) for g in "▶◆◀■") - len(hidden)  # the markers' arrows are no ops
        assert sum(hidden) + drawn == d.n_ops and min(hidden) > 0


# 10. ctrl+p → Screenshot failed silently without ~/Downloads

async def test_s_saves_a_screenshot_where_the_user_says_and_says_where(make_app, tmp_path, monkeypatch) -> None:
    monkeypatch.chdir(tmp_path)
    app = make_app("mazur")
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("n", "s")
        assert isinstance(app.screen, ScreenshotDialog)
        default = Path(app.screen.query_one("#path").value)
        assert default.parent == tmp_path and default.suffix == ".svg"
        await pilot.press("enter")
        await pilot.pause()
        svg = default.read_text()
        assert svg.lstrip().startswith("<svg") and "iteration" in svg and "a0" in svg
        assert any(n.message == f"Screenshot saved to {default}" for n in app._notifications)
        # again, to the same file: refused, and the file is kept
        before = default.read_text()
        await pilot.press("s", "enter")
        await pilot.pause()
        assert isinstance(app.screen, ScreenshotDialog) and "already exists" in str(app.screen.query_one("#problem").render())
        assert default.read_text() == before
        chosen = tmp_path / "shots" / "mine.svg"
        chosen.parent.mkdir()
        app.screen.query_one("#path").value = str(chosen)
        await pilot.press("enter")
        await pilot.pause()
        assert chosen.exists() and not isinstance(app.screen, ScreenshotDialog)
        # the palette's Screenshot is this one, not Textual's (which needs ~/Downloads)
        assert "Screenshot" not in [c.title for c in app.get_system_commands(app.screen)]


# 11. On a projector: the highlights reach 4.5:1 against the background in every theme offered

def relative_luminance(rgb: tuple[int, int, int]) -> float:
    """WCAG 2.x, written out: sRGB channels linearised, weighted 0.2126, 0.7152, 0.0722."""
    def channel(c: int) -> float:
        s = c / 255
        return s / 12.92 if s <= 0.03928 else ((s + 0.055) / 1.055) ** 2.4

    r, g, b = rgb
    return 0.2126 * channel(r) + 0.7152 * channel(g) + 0.0722 * channel(b)


def contrast_ratio(a: tuple[int, int, int], b: tuple[int, int, int]) -> float:
    la, lb = sorted((relative_luminance(a), relative_luminance(b)), reverse=True)
    return (la + 0.05) / (lb + 0.05)


HIGHLIGHTS = [("state", "read"), ("state", "output"), ("state", "changed"), ("state", "heading"),
              ("status", "fault"), ("timeline", "forward"), ("timeline", "loss"), ("timeline", "backward"),
              ("timeline", "update"), ("timeline", "break"), ("network", "active-arrow"), ("network", "loss"),
              ("network", "twin"), ("expectations", "ok"), ("expectations", "wrong")]


async def test_every_highlight_reaches_4_5_to_1_against_its_background_in_every_theme_offered(make_app) -> None:
    app = make_app("mazur")
    async with app.run_test(size=SIZE) as pilot:
        offered = sorted(app.available_themes)
        assert len(offered) > 10 and not any(app.get_theme(t).ansi for t in offered)
        for theme in offered:
            app.theme = theme
            await pilot.pause()
            for part, name in HIGHLIGHTS:
                widget = app.screen.query_one(f"#{part}")
                _, background = widget.background_colors
                colour = widget.get_component_styles(f"{part}--{name}").color
                shown = (background + colour).rgb  # as painted: over the part's background
                assert contrast_ratio(shown, background.rgb) >= 4.5, (theme, part, name)


def test_the_theme_option_takes_a_theme_offered_and_refuses_others_in_one_line(tmp_path) -> None:
    import subprocess
    import sys

    path = Path(__file__).parents[2] / "scenarios" / "xor.toml"
    result = subprocess.run([sys.executable, "-m", "stepnet", str(path), "--theme", "no-such-theme"], check=False,
                            capture_output=True, text=True, timeout=60, stdin=subprocess.DEVNULL)
    assert result.returncode == 2 and result.stderr.count("\n") == 1
    assert "--theme" in result.stderr and "nord" in result.stderr and "ansi-dark" not in result.stderr
    app = StepnetApp(scenario.load(path), theme="nord")
    assert app.theme == "nord"


async def test_the_theme_chosen_is_remembered_in_a_settings_file(config_home) -> None:
    path = Path(__file__).parents[2] / "scenarios" / "xor.toml"
    app = StepnetApp(scenario.load(path))
    async with app.run_test(size=SIZE) as pilot:
        first = app.theme
        await pilot.press("ctrl+t")
        chosen = app.theme
        assert chosen != first
    file = config_home / "stepnet" / "settings.json"
    assert settings.path() == file and json.loads(file.read_text()) == {"theme": chosen}
    assert not [p for p in file.parent.iterdir() if p != file]  # no temporary file left behind
    again = StepnetApp(scenario.load(path))
    assert again.theme == chosen
    other = StepnetApp(scenario.load(path), theme="dracula")  # the option wins, for that run
    assert other.theme == "dracula"
    file.write_text("{not json")  # an unreadable file is no settings, not a crash
    assert StepnetApp(scenario.load(path)).theme == first


@pytest.mark.skipif(not hasattr(os, "symlink"), reason="needs symbolic links")
def test_a_settings_file_linked_from_elsewhere_is_written_where_it_links(config_home, tmp_path) -> None:
    """As stow and chezmoi install it: the theme was not remembered, the link refused as no
    regular file. A link to nothing, or to a folder, is still refused, and nothing made."""
    kept = tmp_path / "dotfiles" / "settings.json"
    kept.parent.mkdir()
    kept.write_text('{"theme": "nord"}')
    file = settings.path()
    file.parent.mkdir(parents=True)
    file.symlink_to(kept)
    settings.save(theme="dracula")
    assert os.readlink(file) == str(kept) and json.loads(kept.read_text()) == {"theme": "dracula"}
    for elsewhere in (tmp_path / "nothing.json", tmp_path / "dotfiles"):
        file.unlink()
        file.symlink_to(elsewhere)
        with pytest.raises(Unwritable, match="not a regular file"):
            settings.save(theme="nord")
        assert os.readlink(file) == str(elsewhere) and not (tmp_path / "nothing.json").exists()
    assert json.loads(kept.read_text()) == {"theme": "dracula"}


async def test_a_theme_that_cannot_be_remembered_is_said_not_a_crash(config_home) -> None:
    (config_home / "stepnet").write_text("a file where the folder would be")
    app = StepnetApp(scenario.load(Path(__file__).parents[2] / "scenarios" / "xor.toml"))
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("ctrl+t")
        await pilot.pause()
        said = f"The theme is not remembered: {config_home / 'stepnet'} already exists"  # not `[Errno 17] …`
        assert app.is_running and said in [n.message for n in app._notifications]


# 13. Breakpoint errors were cut; Tab from the input landed on a button Enter pressed

async def test_a_long_breakpoint_error_wraps_whole(make_app, screen_text) -> None:
    app = make_app("mazur")
    async with app.run_test(size=SMALL) as pilot:
        typed = "|gradient_of_the_weights_of_the_first_layer| < 1e-6"
        await pilot.press("B")
        app.screen.query_one("#new").value = typed
        await pilot.press("enter")
        await pilot.pause()
        assert isinstance(app.screen, BreakpointsScreen)
        problem = str(app.screen.query_one("#problem").render())
        assert len(problem) > 80  # longer than the dialog is wide
        shown = " ".join(screen_text(app).replace("█", " ").split())
        assert " ".join(problem.split()) in shown


async def test_tab_from_the_breakpoint_input_cannot_land_on_a_button(make_app) -> None:
    app = make_app("mazur")
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("B")
        for _ in range(4):
            await pilot.press("tab")
            assert app.focused is not None and type(app.focused).__name__ != "Button"
            await pilot.press("enter")
        assert app.session.breakpoints == []
        await pilot.click("#nan")  # the mouse still presses it
        assert [bp.describe() for bp in app.session.breakpoints] == ["any NaN or Inf"]


def test_wcag_ratio_as_written_here_matches_a_published_value() -> None:
    """The test's own formula against WCAG's examples: black on white is 21:1, and #777777
    on white 4.48:1 (the grey that just fails AA)."""
    assert contrast_ratio((0, 0, 0), (255, 255, 255)) == pytest.approx(21.0)
    assert contrast_ratio((0x77, 0x77, 0x77), (255, 255, 255)) == pytest.approx(4.48, abs=0.01)
    assert not math.isnan(contrast_ratio((18, 18, 18), (18, 18, 18)))
    assert np.isclose(contrast_ratio(Color.parse("#ffffff").rgb, Color.parse("#000000").rgb), 21)


async def test_a_formula_too_long_for_its_box_ends_on_a_whole_word_and_says_there_is_more(make_app) -> None:
    app = make_app("digits")  # a softmax over ten digits: its element written out is long
    async with app.run_test(size=SMALL) as pilot:
        await pilot.press("p")  # a2 = softmax(z2)
        await pilot.pause()
        from stepnet.tui.widgets.formula import Formula

        lines = app.screen.query_one(Formula).text.splitlines()
        explained = " ".join(app.session.explain().split())
        assert lines[-1].endswith(" …")
        shown = " ".join(" ".join(lines[1:])[: -len(" …")].split())
        assert explained.startswith(shown) and explained[len(shown)] == " "  # cut between words

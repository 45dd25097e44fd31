"""The screen at fixed terminal sizes (pytest-textual-snapshot); `--snapshot-update` rewrites them."""

from __future__ import annotations

import pytest

SIZE, SMALL = (120, 40), (80, 24)

# name: (scenario, keys, terminal size, theme)
CASES = {
    "first_screen": ("mazur", [], SIZE, None),
    "after_forward_pass": ("mazur", ["p"], SIZE, None),
    "after_loss": ("mazur", ["p", "p"], SIZE, None),
    "mid_backward": ("article", ["p", "p", "n", "n", "n", "n"], SIZE, None),
    "after_update": ("mazur", ["e"], SIZE, None),
    "back_to_start": ("mazur", ["n"] * 6 + ["N"] * 6, SIZE, None),
    "start_of_iteration_2": ("mazur", ["e", "n", "n", "n", "E"], SIZE, None),
    "help_screen": ("mazur", ["question_mark"], SIZE, None),
    "mnist_shape": ("mnist", ["n", "n", "n", "right", "right", "down"], SIZE, None),
    "small_terminal_80x24": ("article", ["p", "p", "n", "n"], SMALL, None),
    "figures_at_80x24": ("mazur", ["p", "p", "n", "n"], SMALL, None),
    "deep_network_cut": ("vanishing", ["p", "p", "l", "l"], SIZE, None),
    "wide_terminal": ("relu_sigmoid", ["p", "n"], (200, 50), None),
    "light_theme": ("article", ["p", "p", "n"], SIZE, "textual-light"),
    "too_small": ("mazur", [], (60, 20), None),
    # computation graphs: the list where the diagram does not fit, the diagram where it does
    "graph_micrograd_mid_forward": ("micrograd", ["n"] * 8, SIZE, None),
    "graph_micrograd_mid_backward": ("micrograd", ["p", "p", *["n"] * 32], SIZE, None),
    "graph_micrograd_mid_forward_80x24": ("micrograd", ["n"] * 8, SMALL, None),
    "graph_micrograd_mid_backward_80x24": ("micrograd", ["p", "p", *["n"] * 32], SMALL, None),
    "graph_cs231n_mid_forward": ("cs231n_circuit", ["n"] * 5, SIZE, None),
    "graph_cs231n_mid_backward": ("cs231n_circuit", ["p", "p", *["n"] * 8], SIZE, None),
    "graph_cs231n_mid_backward_80x24": ("cs231n_circuit", ["p", "p", *["n"] * 8], SMALL, None),
}
# name: (scenario, view, keys, terminal size): each view as it opens (`--view`), after the keys
VIEWS = {
    "presenter": ("mazur", "presenter", ["p", "p", "n", "n"], SIZE),
    "presenter_80x24": ("mazur", "presenter", ["p", "p", "n", "n"], SMALL),
    "presenter_graph": ("cs231n_circuit", "presenter", ["p", "p", *["n"] * 8], SIZE),
    "neuron": ("mazur", "neuron", ["p", "p", "n", "n", "n"], SIZE),
    "neuron_80x24": ("mazur", "neuron", ["p", "p", "n", "n", "n"], SMALL),
    "neuron_mnist_80x24": ("mnist", "neuron", ["n", "n", "n", "n", "right"], SMALL),
}


@pytest.mark.parametrize("case", CASES)
def test_screen(snap_compare, make_app, case) -> None:
    name, keys, size, theme = CASES[case]
    app = make_app(name)
    if theme:
        app.theme = theme
    assert snap_compare(app, press=keys, terminal_size=size)


@pytest.mark.parametrize("case", VIEWS)
def test_view(snap_compare, make_app, case) -> None:
    name, view, keys, size = VIEWS[case]
    app = make_app(name)
    app.session.view = view
    assert snap_compare(app, press=keys, terminal_size=size)


async def worked(pilot) -> None:
    """What a worker started (the gradient check, a run) has finished, and is on the screen."""
    await pilot.pause()
    await pilot.app.workers.wait_for_complete()
    await pilot.pause()
    await pilot.pause(0.3)  # the training view's redraw timer


def test_gradient_check_at_80_columns(snap_compare, make_app) -> None:
    async def run_before(pilot) -> None:
        await pilot.press("g")
        await worked(pilot)

    assert snap_compare(make_app("mazur"), run_before=run_before, terminal_size=SMALL)


def test_training_view_on_a_diverging_run(snap_compare, make_app) -> None:
    from stepnet.tui.screens.training import TrainingScreen

    app = make_app("diverging")

    async def run_before(pilot) -> None:
        app.push_screen(TrainingScreen(app.session, 20))
        await worked(pilot)

    assert snap_compare(app, run_before=run_before, terminal_size=SMALL)


async def test_stepping_back_to_the_start_shows_the_first_screen(make_app) -> None:
    app = make_app("mazur")
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        first = app.export_screenshot()
        await pilot.press(*["n"] * 9, "e", "E", *["N"] * 30)
        assert app.session.debugger.position == 0
        await pilot.pause()
        assert app.export_screenshot() == first


def test_compare_stops_at_the_first_divergence(snap_compare) -> None:
    """The shipped buggy 784-64-10 code beside stepnet's, after c: the formula sets its a2
    beside stepnet's, the state marks every cell of a2, a notice names the cause."""
    from stepnet import scenario, traces
    from stepnet.bundled import DIRECTORY
    from stepnet.engine.comparison import Tolerance
    from stepnet.tui.app import StepnetApp

    s = scenario.load(DIRECTORY / "compare" / "mlp.toml")
    comparison = traces.comparison(DIRECTORY / "compare" / "buggy.npz", s.debugger().program, s.notation,
                                   Tolerance())
    app = StepnetApp(s, comparison=comparison, trace="buggy.npz")

    async def run_before(pilot) -> None:
        await pilot.press("c")
        await worked(pilot)

    assert snap_compare(app, run_before=run_before, terminal_size=SIZE)

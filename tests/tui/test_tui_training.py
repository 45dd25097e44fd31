"""The training view: N iterations through the fast path, plotted live; any key pauses."""

from __future__ import annotations

import pytest

from stepnet import scenario
from stepnet.tui.app import StepnetApp
from stepnet.tui.screens.training import TrainingScreen

SIZE = (120, 40)


async def finish(app, pilot) -> None:
    """Wait for the training screen to start its worker, and for the worker to end."""
    await pilot.pause()
    await app.workers.wait_for_complete()
    await pilot.pause()


async def test_a_run_trains_reports_and_returns_to_stepping(make_app) -> None:
    app = make_app("digits")
    async with app.run_test(size=SIZE) as pilot:
        d = app.session.debugger
        app.push_screen(TrainingScreen(app.session, 80))
        await finish(app, pilot)
        screen = app.screen
        assert isinstance(screen, TrainingScreen) and not screen.running
        assert d.position == 80 * d.n_ops  # the engine moved; the screen only watched
        assert screen.reports[-1].iteration == 80 and len(screen.reports) == 40
        first, last = screen.reports[0].evaluation, screen.reports[-1].evaluation
        assert last.loss < first.loss and last.accuracy > first.accuracy
        assert screen.query_one("#accuracy-curve") and screen.query_one("#norm-curves")
        assert "done: 80 iterations" in str(screen.query_one("#training-state").render())
        await pilot.press("x")
        assert not isinstance(app.screen, TrainingScreen)


async def test_any_key_pauses_and_keeps_every_iteration_done(make_app) -> None:
    app = make_app("mnist_shape")
    async with app.run_test(size=SIZE) as pilot:
        d = app.session.debugger
        app.push_screen(TrainingScreen(app.session, 100_000))
        await pilot.pause(0.5)
        await pilot.press("escape")
        await finish(app, pilot)
        screen = app.screen
        done = d.position // d.n_ops
        assert 0 < done < 100_000 and d.position == done * d.n_ops
        assert screen.reports[-1].iteration == done  # the pause reports where it stopped
        assert "paused after" in str(screen.query_one("#training-state").render())
        assert len(d.losses) == done
        await pilot.press("space")
        d.back()  # stepping resumes from there: the last iteration, one op before its end
        assert d.iteration == done


async def test_regression_has_no_accuracy_curve(make_app) -> None:
    app = make_app("momentum")
    async with app.run_test(size=SIZE) as pilot:
        app.push_screen(TrainingScreen(app.session, 10))
        await finish(app, pilot)
        assert not app.screen.query("#accuracy-curve")



DEAD_RELU = """
title = "every ReLU of the first layer dead: its weights never get a gradient"
[network]
inputs = 2
[[network.layers]]
units = 2
activation = "relu"
weights = [[-1.0, -1.0], [-1.0, -1.0]]
[[network.layers]]
units = 1
activation = "sigmoid"
weights = [[0.5, 0.5]]
[loss]
kind = "half_sse"
[optimizer]
kind = "sgd"
learning_rate = 0.5
[data]
inputs = [[1.0, 2.0]]
targets = [[1.0]]
"""


@pytest.mark.parametrize("name", ["dead_relu", "diverging"])
async def test_zero_and_non_finite_figures_are_left_out_of_the_curves(make_app, tmp_path, name) -> None:
    """A dead layer's ‖∂J/∂W‖ is 0, which has no log; diverging goes to Inf and NaN. plotext
    crashed on both: now the run ends and says so, and the curves skip those points."""
    if name == "dead_relu":
        path = tmp_path / "dead.toml"
        path.write_text(DEAD_RELU)
        app = StepnetApp(scenario.load(path))
    else:
        app = make_app(name)
    async with app.run_test(size=SIZE) as pilot:
        app.push_screen(TrainingScreen(app.session, 20))
        await finish(app, pilot)
        screen = app.screen
        assert isinstance(screen, TrainingScreen) and not screen.running
        assert "done: 20 iterations" in str(screen.query_one("#training-state").render())
        norms = [r.evaluation.gradient_norms for r in screen.reports]
        assert any(not 0 < n < float("inf") for report in norms for n in report.values())



async def test_the_curves_survive_a_redraw_without_new_points(make_app) -> None:
    """A theme switch or a resize redraws the curves: plotext's own log axis took the log of
    the logs then, and the app died with a math domain error."""
    app = make_app("article")
    async with app.run_test(size=SIZE) as pilot:
        app.push_screen(TrainingScreen(app.session, 50))
        await finish(app, pilot)
        screen = app.screen
        app.theme = "nord"
        await pilot.resize_terminal(100, 30)
        for _ in range(3):
            await pilot.pause()
        assert app.is_running and app.screen is screen

"""The training view: N iterations through the fast path, plotted live; any key pauses."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from stepnet import scenario
from stepnet.engine.training import report_spacing
from stepnet.tui.app import StepnetApp
from stepnet.tui.screens.training import REPORTS, TrainingScreen

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
        # a report every 80/40 = 2 iterations, unless evaluating all 1,797 digits each time would
        # take over a tenth of the run: with batches of all of them, every 5; and further apart
        # (10, 20, …) while the reports take over a tenth of the run's time
        every = report_spacing(d.program, 80, REPORTS)
        seen = [r.iteration for r in screen.reports]
        assert every == 5 and seen[-1] == 80 and 1 < len(seen) <= 80 // every
        assert seen == sorted(set(seen)) and all(i % every == 0 for i in seen)
        first, last = screen.reports[0].evaluation, screen.reports[-1].evaluation
        assert last.loss < first.loss and last.accuracy > first.accuracy
        assert screen.query_one("#accuracy-curve") and screen.query_one("#norm-curves")
        assert "done: 80 iterations" in str(screen.query_one("#training-state").render())
        await pilot.press("x")
        assert not isinstance(app.screen, TrainingScreen)


async def test_two_keys_at_once_after_a_run_return_to_stepping_once(make_app) -> None:
    """The first closes the screen; the second, already on its way to it, is dropped (it
    closed the debugger under it: ScreenStackError)."""
    from textual import events

    app = make_app("article")
    async with app.run_test(size=SIZE) as pilot:
        app.push_screen(TrainingScreen(app.session, 3))
        await finish(app, pilot)
        assert isinstance(app.screen, TrainingScreen) and not app.screen.running
        for key in ("x", "y"):
            app._driver.send_message(events.Key(key, key))
        await pilot.pause()
        assert not isinstance(app.screen, TrainingScreen) and app.is_running
        await pilot.press("q")
    assert app.return_code == 0


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


# 3. (issue 12) a diverging run: full-decimal tick labels took half the width (at lr 10 the
#    plot was one column wide), the loss chart was blank on overflow and the "done" line cut,
#    the accuracy axis went past 100 %, the legend covered the lines, and the progress bar
#    said --:--:-- when done

LR10 = (Path(__file__).parents[2] / "scenarios" / "relu_sigmoid.toml").read_text().replace(
    "learning_rate = 0.1", "learning_rate = 10")


def y_labels(text: str) -> list[str]:
    """The tick labels of the plots' y axes, as drawn."""
    return re.findall(r"([-0-9.e%]+)┤", text)


async def test_a_loss_that_spans_decades_is_on_a_log_axis_with_short_labels(tmp_path, screen_text) -> None:
    path = tmp_path / "lr10.toml"
    path.write_text(LR10)
    assert "learning_rate = 10" in LR10
    app = StepnetApp(scenario.load(path))
    async with app.run_test(size=(120, 40)) as pilot:
        app.push_screen(TrainingScreen(app.session, 100))
        await finish(app, pilot)
        losses = app.session.debugger.losses
        assert max(losses) > 1e100 and min(losses) < 1  # hundreds of decades
        text = screen_text(app)
        labels = y_labels(text)
        assert labels and all(len(label) <= 6 for label in labels)
        assert all(re.fullmatch(r"1e-?\d+", label) for label in labels[:5])  # the loss's
        assert "loss (log)" in text and "--:--:--" not in text and "100%" in text
        # the plot takes the width: its curve reaches the right of the screen
        loss_rows = text.split("loss (log)")[1].split("└")[0].splitlines()
        assert max(len(row.rstrip("│ ").rstrip()) for row in loss_rows) > 100


async def test_an_overflowed_loss_says_so_and_the_done_line_wraps_whole(make_app, screen_text) -> None:
    app = make_app("diverging")
    async with app.run_test(size=(80, 24)) as pilot:
        app.push_screen(TrainingScreen(app.session, 20))
        await finish(app, pilot)
        text = " ".join(screen_text(app).split())
        assert "loss: NaN or Inf from iteration 1 on, nothing finite to plot" in text
        assert " ".join(app.session.debugger.fault.describe().split()) in text
        assert text.endswith("Any key returns to stepping, from iteration 20.")


async def test_the_accuracy_axis_ends_at_100_and_the_curves_are_marked_by_layer_not_a_legend(make_app,
                                                                                            screen_text) -> None:
    app = make_app("digits")
    async with app.run_test(size=(120, 40)) as pilot:
        app.push_screen(TrainingScreen(app.session, 40))
        await finish(app, pilot)
        text = screen_text(app)
        assert "100%" in y_labels(text) and not any(label.endswith("%") and float(label[:-1]) > 100
                                                    for label in y_labels(text))
        norms = text.split("‖∂J/∂W‖")[1]
        assert "▞▞" not in norms and "W1" not in norms  # no legend inside the plot
        assert norms.count("1") > 20 and norms.count("2") > 20  # each layer's curve drawn with its number

"""Going to iteration N (j, and --iteration N), and `i` stopping at a breakpoint that hits."""

from __future__ import annotations

import numpy as np
from pilots import settle

from stepnet import cli, scenario
from stepnet.bundled import DIRECTORY as SCENARIOS
from stepnet.engine.breakpoints import Condition, OpBreakpoint
from stepnet.engine.names import Name
from stepnet.tui.app import StepnetApp
from stepnet.tui.screens.iterations import IterationsPrompt
from stepnet.tui.screens.training import TrainingScreen
from stepnet.tui.widgets.status import Status

SIZE = (120, 40)


def first_iteration_with_loss_below(name: str, threshold: float, most: int) -> int:
    """From the fast path, iteration by iteration: where a breakpoint on the loss must stop."""
    d = scenario.load(SCENARIOS / f"{name}.toml").debugger()
    for k in range(1, most + 1):
        d.run_iterations(1)
        if d.losses[-1] < threshold:
            return k
    raise AssertionError("never")


def same_state(a, b) -> bool:
    return a.keys() == b.keys() and all(np.array_equal(a[k], b[k]) for k in a)


async def test_iteration_on_the_command_line_opens_at_the_start_of_that_iteration() -> None:
    assert cli._debugger_parser().parse_args(["mazur", "--iteration", "200"]).iteration == 200
    app = StepnetApp(scenario.load(SCENARIOS / "mazur.toml"), iteration=200)
    reference = app.scenario.debugger()
    reference.goto(199 * reference.n_ops)
    async with app.run_test(size=SIZE) as pilot:
        await settle(app, pilot)
        s = app.session
        assert (s.iteration, s.index) == (200, 0) and s.debugger.position == 199 * s.debugger.n_ops
        assert same_state(s.debugger.values, reference.values)
        assert app.screen.query_one(Status).text.startswith(" iteration 200   op 0 of 18")


def test_a_wrong_iteration_on_the_command_line_is_one_line(capsys) -> None:
    assert cli.main(["mazur", "--iteration", "0"]) == 2
    err = capsys.readouterr().err
    assert "--iteration: expected a whole number from 1 to 100,000, got 0" in err and err.count("\n") == 1


async def test_how_far_the_debugger_goes_is_its_own_limit_not_the_expect_figures(make_app, capsys,
                                                                                 monkeypatch) -> None:
    monkeypatch.setattr("stepnet.limits.MAX_GO_TO_ITERATION", 50)  # one limit, for both
    assert cli.main(["mazur", "--iteration", "51"]) == 2
    assert "--iteration: expected a whole number from 1 to 50, got 51" in capsys.readouterr().err
    app = make_app("mazur")
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("j", "5", "1", "enter")
        assert "from 1 to 50." in str(app.screen.query_one("#problem").render())


async def test_j_asks_for_an_iteration_and_goes_to_its_start(make_app) -> None:
    app = make_app("mazur")
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("n", "n", "j")
        assert isinstance(app.screen, IterationsPrompt)
        await pilot.press("0", "enter")
        assert "from 1 to 100,000" in str(app.screen.query_one("#problem").render())
        await pilot.press("backspace", "3", "0", "enter")
        await settle(app, pilot)
        s = app.session
        assert (s.iteration, s.index, s.debugger.position) == (30, 0, 29 * 18)
        await pilot.press("n")
        assert (s.iteration, s.index) == (30, 1)
        await pilot.press("j", "2", "enter")  # back, too
        await settle(app, pilot)
        assert (s.iteration, s.index, s.debugger.position) == (2, 0, 18)
        await pilot.press("j", "escape")
        assert s.debugger.position == 18


async def test_i_stops_at_a_condition_that_hits_and_says_where(make_app) -> None:
    k = first_iteration_with_loss_below("mazur", 0.2, 1000)
    assert k > 10  # not at once: the run has to look at every iteration's loss
    app = make_app("mazur")
    async with app.run_test(size=SIZE) as pilot:
        app.session.breakpoints.append(Condition.parse("loss < 0.2"))
        await pilot.press("i", *"1000", "enter")
        await settle(app, pilot)
        assert isinstance(app.screen, TrainingScreen)
        d = app.session.debugger
        loss_op = [op.output for op in d.ops].index(Name.parse("loss")) + 1
        assert d.position == (k - 1) * d.n_ops + loss_op  # just after the loss op of iteration k
        state = str(app.screen.query_one("#training-state").render())
        assert f"stopped at a breakpoint: loss < 0.2 — loss in iteration {k}, op {loss_op}" in state
        await pilot.press("space")  # back to stepping, where it stopped
        await pilot.pause()
        assert not isinstance(app.screen, TrainingScreen) and d.position == (k - 1) * d.n_ops + loss_op
        assert app.session.index == loss_op
        assert any(n.title == "Stopped at a breakpoint" for n in app._notifications)


async def test_i_stops_at_a_breakpoint_on_an_operation_in_the_first_iteration(make_app) -> None:
    app = make_app("mazur")
    async with app.run_test(size=SIZE) as pilot:
        app.session.breakpoints.append(OpBreakpoint(output=Name.parse("delta2")))
        await pilot.press("e", "i", "5", "enter")  # from the end of iteration 1: in iteration 2
        await settle(app, pilot)
        d = app.session.debugger
        assert d.iteration == 2 and d.last_op.output == Name.parse("delta2")


async def test_i_without_a_hit_runs_all_its_iterations(make_app) -> None:
    app = make_app("mazur")
    async with app.run_test(size=SIZE) as pilot:
        app.session.breakpoints.append(Condition.parse("nan"))
        await pilot.press("i", "5", "0", "enter")
        await settle(app, pilot)
        d = app.session.debugger
        assert d.position == 50 * d.n_ops
        assert "done: 50 iterations" in str(app.screen.query_one("#training-state").render())


async def test_j_is_held_against_the_work_limit_as_iteration_is(make_app) -> None:
    """Mazur has 8 weights and 4 biases: with --max-work 100, j 9 (108) is refused with the
    estimate, j 8 (96) goes."""
    from stepnet.limits import Limits

    app = make_app("mazur")
    app.scenario = app.session.scenario = app.scenario._replace(limits=Limits(work=100))
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("j", "9", "enter")
        await settle(app, pilot)
        refusals = [n.message for n in app._notifications if n.title == "Not gone"]
        assert app.session.debugger.position == 0 and len(refusals) == 1
        assert "12 parameters × 9 iterations (j) = 108, more than the limit of 100" in refusals[0]
        await pilot.press("j", "8", "enter")
        await settle(app, pilot)
        assert app.session.debugger.position == 7 * app.session.debugger.n_ops

"""`stepnet FILE --compare TRACE`: the implementation's value beside stepnet's in the formula,
its differing cells marked in the state, and `c` stopping at the first divergence — on the
shipped 784-64-10 example, whose buggy code applies ReLU to the logits before the softmax."""

from __future__ import annotations

import numpy as np
import pytest
from pilots import settle

from stepnet import cli, scenario, traces
from stepnet.bundled import DIRECTORY
from stepnet.engine.comparison import Tolerance
from stepnet.engine.names import Name
from stepnet.tui.app import StepnetApp
from stepnet.tui.widgets.formula import Formula
from stepnet.tui.widgets.state import State

SIZE = (120, 40)
COMPARE = DIRECTORY / "compare"
MLP = COMPARE / "mlp.toml"
A2, Z2 = Name.parse("a2"), Name.parse("z2")


def app_on(trace: str) -> StepnetApp:
    s = scenario.load(MLP)
    comparison = traces.comparison(COMPARE / trace, s.debugger().program, s.notation, Tolerance())
    return StepnetApp(s, comparison=comparison, trace=trace)


def recorded(trace: str, key: str) -> np.ndarray:
    with np.load(COMPARE / trace) as npz:
        return npz[key]


async def test_c_stops_at_the_first_divergence_and_the_formula_sets_the_user_s_value_beside_stepnet_s() -> None:
    app = app_on("buggy.npz")
    async with app.run_test(size=SIZE) as pilot:
        d = app.session.debugger
        a2_op = [op.output for op in d.ops].index(A2) + 1
        await pilot.press("c")
        await settle(app, pilot)
        assert d.position == a2_op and d.last_op.output == A2  # iteration 1, just after a2 = softmax(z2)
        assert any(n.title == "Stopped at the first divergence" and "extra-activation" in n.message
                   for n in app._notifications)
        yours = recorded("buggy.npz", "a2@1")
        text = app.screen.query_one(Formula).text
        assert f"yours    a2[0,0] = {yours[0, 0]:.9g}   stepnet {app.session.debugger.values[A2][0, 0]:.9g}   ✗ differs" in text
        assert f"{yours.size} of {yours.size} elements differ · extra-activation" in text
        assert "buggy.npz: first differs at a2 @ iteration 1 (c stops there)" in str(app.screen.query_one(Formula).border_subtitle)
        await pilot.press("c")  # past it: to the end of the iteration, as without a comparison
        await settle(app, pilot)
        assert d.position == d.n_ops


async def test_the_state_marks_the_cells_that_differ_once_the_last_writer_has_run() -> None:
    app = app_on("buggy.npz")
    async with app.run_test(size=SIZE) as pilot:
        state = app.screen.query_one(State)
        await pilot.press("n", "n", "n", "n")  # z2: the buggy code's z2 agrees
        await pilot.pause()
        assert state.shown[Z2].differs is not None and not state.shown[Z2].differs.any()
        assert state.shown[A2].value is None
        await pilot.press("n")  # a2
        await pilot.pause()
        mine, stepnet = recorded("buggy.npz", "a2@1"), app.session.debugger.values[A2]
        differs = np.abs(mine - stepnet) > 1e-8 + 1e-5 * np.abs(stepnet)  # numpy.isclose's rule, written out
        assert differs.any()
        np.testing.assert_array_equal(state.shown[A2].differs, differs)
        assert "✗ differs" in app.screen.query_one(Formula).text


async def test_a_trace_that_agrees_lets_c_run_to_the_end_of_the_iteration() -> None:
    app = app_on("fixed.npz")
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("n", "n", "n", "n", "n")
        await pilot.pause()
        mine = recorded("fixed.npz", "a2@1")
        text = app.screen.query_one(Formula).text
        assert f"yours    a2[0,0] = {mine[0, 0]:.9g}   stepnet" in text and "✓ agrees" in text
        with np.load(COMPARE / "fixed.npz") as npz:
            arrays = len(npz.files)  # every array the implementation recorded
        assert str(app.screen.query_one(Formula).border_subtitle).endswith(f"all {arrays} recorded values agree")
        await pilot.press("c")
        await settle(app, pilot)
        assert app.session.debugger.position == app.session.debugger.n_ops


def test_compare_on_the_command_line_reaches_the_app(app_started) -> None:
    assert cli.main([str(MLP), "--compare", str(COMPARE / "buggy.npz"), "--rtol", "0.5"]) == 0
    opened = app_started[0].options
    assert opened["trace"] == "buggy.npz" and opened["comparison"].first.record.name == A2
    assert opened["comparison"].tolerance == Tolerance(0.5, 1e-8)


@pytest.mark.parametrize(("trace", "message"), [
    ("missing.npz", "missing.npz: no such file"),
    ("init.npz", "init.npz: W1: the iteration is missing"),  # weights, not a trace
])
def test_a_trace_that_cannot_be_compared_is_one_line_before_the_app_starts(trace, message, capsys,
                                                                          monkeypatch) -> None:
    monkeypatch.setattr("stepnet.tui.app.StepnetApp", None)  # never reached
    assert cli.main([str(MLP), "--compare", str(COMPARE / trace)]) == 2
    err = capsys.readouterr().err
    assert message in err and err.count("\n") == 1 and err.startswith("stepnet: ")

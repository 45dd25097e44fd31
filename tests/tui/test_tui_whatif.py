"""What-if edits in the debugger: `=` sets a value and the run is recomputed from its start,
the edited values and what differs from the original are marked, `o` switches runs, `R`
restarts with the edits or without, `w` saves them as a new scenario file."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

import numpy as np
import pytest
from hand import sigmoid
from pilots import settle
from textual.widgets import Input

from stepnet import scenario, traces
from stepnet.bundled import DIRECTORY
from stepnet.engine.comparison import Tolerance
from stepnet.engine.debugger import Debugger
from stepnet.engine.edits import apply, parse
from stepnet.engine.names import Name
from stepnet.tui.app import StepnetApp
from stepnet.tui.screens.edit import EditDialog, RestartDialog
from stepnet.tui.widgets.formula import Formula
from stepnet.tui.widgets.state import State
from stepnet.tui.widgets.status import Status

SIZE = (120, 40)
N = Name.parse


async def set_value(app, pilot, what: str, value: str) -> None:
    """= , then the value named and its new value, and enter."""
    await pilot.press("equals_sign")
    assert isinstance(app.screen, EditDialog)
    app.screen.query_one("#what", Input).value = what
    await pilot.pause()
    app.screen.query_one("#value", Input).value = value
    await pilot.press("enter")
    await settle(app, pilot)


async def test_equals_sets_w5_and_the_iteration_is_recomputed_with_it(make_app) -> None:
    app = make_app("mazur")
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("p", "p")  # the loss is computed
        s = app.session
        position = s.debugger.position
        await set_value(app, pilot, "w5", "0")
        assert s.edited is not None and s.debugger is s.edited and s.debugger.position == position
        h = [sigmoid(0.15 * 0.05 + 0.20 * 0.10 + 0.35), sigmoid(0.25 * 0.05 + 0.30 * 0.10 + 0.35)]
        o1, o2 = sigmoid(0.0 * h[0] + 0.45 * h[1] + 0.6), sigmoid(0.5 * h[0] + 0.55 * h[1] + 0.6)
        assert s.debugger.losses[-1] == pytest.approx(0.5 * ((0.01 - o1) ** 2 + (0.99 - o2) ** 2), rel=1e-12)
        assert " what-if: 1 edit " in app.screen.query_one(Status).text
        state = app.screen.query_one(State)
        assert state.shown[N("W2")].edited.tolist() == [[True, False], [False, False]]
        assert state.shown[N("a2")].differs.tolist() == [[True, False]]  # w5 reaches o1 only
        assert state.shown[N("a1")].differs.tolist() == [[False, False]]
        await pilot.press("o")  # the original, beside it
        await pilot.pause()
        assert s.debugger is s.original and s.original.position == position
        assert s.debugger.losses[-1] == pytest.approx(0.298371109, abs=1e-9)  # Mazur's E_total
        assert " original run (1 edit: o) " in app.screen.query_one(Status).text
        assert state.shown[N("a2")].differs.tolist() == [[True, False]]
        await pilot.press("o", "n")  # back to the edited run; both runs step together
        assert s.debugger is s.edited and s.original.position == s.edited.position == position + 1


async def test_the_run_not_shown_is_stepped_only_when_something_asks_for_it(make_app) -> None:
    """A move steps the run shown alone; the other is brought to the same place when its
    values are asked for (the marks of what differs) or it is switched to — after `i`, by
    the training's worker rather than on the screen's thread."""
    app = make_app("mazur")
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("p", "p")
        s = app.session
        await set_value(app, pilot, "w5", "0")
        behind = s.original.position
        s.go(3)
        assert s.edited.position == behind + 3 and s.original.position == behind
        differs, _ = s.marks(N("a2"), s.values[N("a2")])
        assert s.original.position == behind + 3 and differs is not None and differs.tolist() == [[True, False]]
        s.go(-2)
        s.switch()
        assert s.debugger is s.original and s.original.position == s.edited.position == behind + 1


async def test_a_worker_brings_the_run_not_shown_along_an_iteration_at_a_time(make_app) -> None:
    """After a long move the other run catches up in the worker that made it, an iteration
    at a time, stopping when asked (escape during `i`) and leaving the rest to `other`."""
    app = make_app("mazur")
    async with app.run_test(size=SIZE) as pilot:
        s = app.session
        await set_value(app, pilot, "w5", "0")
        n = s.debugger.n_ops
        s.go_to_iteration(6)  # op 0 of iteration 6: five iterations done
        assert s.original.position == 0
        answers = iter([False, False, True])  # go on, go on, stop: asked before each iteration
        s.catch_up(lambda: next(answers))
        assert s.original.position == 2 * n
        s.catch_up(lambda: False)
        assert s.original.position == s.edited.position == 5 * n


async def test_an_edit_deep_in_a_run_recomputes_it_from_the_start(make_app) -> None:
    app = make_app("mazur")
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("e", "e", "n", "n", "n")  # iteration 3, op 3
        s = app.session
        position = s.debugger.position
        await set_value(app, pilot, "learning_rate", "2")
        model, data = apply(app.scenario.model, app.scenario.data,
                            [replace(parse("lr", app.scenario.model, app.scenario.data, s.glossary, 3), value=2.0)])
        reference = Debugger(model, data)
        reference.goto(position)
        assert s.debugger.position == position
        assert all(np.array_equal(reference.values[k], s.debugger.values[k]) for k in reference.values)
        assert not np.array_equal(s.debugger.values[N("W1")], s.original.values[N("W1")])


async def test_the_dialog_says_what_cannot_be_edited_and_what_a_value_is_now(make_app) -> None:
    app = make_app("mazur")
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("p", "equals_sign")
        dialog = app.screen
        assert dialog.query_one("#what", Input).value == "learning_rate"  # a2 = σ(z2): nothing to set in it
        assert dialog.query_one("#value", Input).value == "0.5" and dialog.query_one("#value", Input).has_focus
        dialog.query_one("#what", Input).value = "z1[0,0]"
        await pilot.pause()
        assert "z1 cannot be edited: it is computed" in str(dialog.query_one("#problem").render())
        dialog.query_one("#what", Input).value = "w6"
        await pilot.pause()
        assert "W2[0,1] (w6) is 0.45 as the run starts" in str(dialog.query_one("#now").render())
        dialog.query_one("#value", Input).value = "nan"
        await pilot.press("enter")
        assert isinstance(app.screen, EditDialog)
        assert "Enter a finite number" in str(dialog.query_one("#problem").render())
        await pilot.press("escape")
        assert app.session.edited is None


@pytest.mark.parametrize(("name", "what", "value", "reason"), [
    ("mazur", "learning_rate", "-0.5", "learning_rate: expected a finite number > 0, got -0.5."),
    ("dropout", "y[0,0]", "0.5", "sample 0's target 0: cross_entropy needs each sample's targets to sum to 1"),
])
async def test_a_value_no_scenario_could_hold_is_refused_in_the_dialog_at_once(make_app, name, what, value,
                                                                              reason) -> None:
    app = make_app(name)
    async with app.run_test(size=SIZE) as pilot:
        await set_value(app, pilot, what, value)
        assert isinstance(app.screen, EditDialog)  # still asking, not saved later by w
        assert reason in str(app.screen.query_one("#problem").render())
        assert app.session.edits == () and app.session.edited is None


async def test_R_restarts_with_the_edits_or_as_written(make_app) -> None:
    app = make_app("mazur")
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("n", "n")
        await set_value(app, pilot, "w1", "1")
        s = app.session
        await pilot.press("R")
        assert isinstance(app.screen, RestartDialog)
        await pilot.press("e")  # with the edits
        await pilot.pause()
        assert s.debugger is s.edited and s.debugger.position == 0 and s.original.position == 0
        await pilot.press("n", "R", "w")  # w saves on the main screen: here it forgets nothing
        await pilot.pause()
        assert isinstance(app.screen, RestartDialog) and len(s.edits) == 1
        await pilot.press("a")  # as written
        await pilot.pause()
        assert s.edited is None and s.edits == () and s.debugger is s.original and s.debugger.position == 0
        await pilot.press("R")  # no edits: no question
        assert not isinstance(app.screen, RestartDialog)


async def test_o_and_w_without_edits_say_there_are_none(make_app) -> None:
    app = make_app("mazur")
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("o", "w")
        await pilot.pause()
        assert sum("No what-if edits yet" in n.message for n in app._notifications) == 2


async def test_w_saves_the_edits_as_a_new_scenario(make_app, tmp_path, monkeypatch) -> None:
    monkeypatch.chdir(tmp_path)
    app = make_app("mazur")
    async with app.run_test(size=SIZE) as pilot:
        await set_value(app, pilot, "w5", "0.1")
        await pilot.press("w")
        await pilot.pause()
        path = app.screen.query_one("#path", Input)
        assert path.value == str(tmp_path / "mazur-whatif.toml")
        await pilot.press("enter")
        await pilot.pause()
        saved = scenario.load(tmp_path / "mazur-whatif.toml")
        assert saved.model.initial[N("W2")][0, 0] == 0.1
        assert any(n.title == "What-if saved" for n in app._notifications)
        await pilot.press("w")  # the name taken: the next one is offered
        await pilot.pause()
        assert app.screen.query_one("#path", Input).value == str(tmp_path / "mazur-whatif-2.toml")
        app.screen.query_one("#path", Input).value = str(tmp_path / "mazur-whatif.toml")
        await pilot.press("enter")
        await pilot.pause()
        assert "already exists" in str(app.screen.query_one("#problem").render())


async def test_with_a_trace_the_user_s_values_go_with_the_original_run() -> None:
    s = scenario.load(DIRECTORY / "compare" / "mlp.toml")
    comparison = traces.comparison(DIRECTORY / "compare" / "buggy.npz", s.debugger().program, s.notation,
                                   Tolerance())
    app = StepnetApp(s, comparison=comparison, trace="buggy.npz")
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press(*"nnnnn")  # a2
        await pilot.pause()
        assert "yours" in app.screen.query_one(Formula).text
        await set_value(app, pilot, "b2[0]", "1")
        assert "yours" not in app.screen.query_one(Formula).text  # recorded on the original
        await pilot.press("o")
        await pilot.pause()
        assert "yours" in app.screen.query_one(Formula).text


async def test_every_part_shows_the_edited_run_at_once(make_app) -> None:
    from stepnet.tui.widgets.expectations import Expectations
    from stepnet.tui.widgets.loss import Loss

    app = make_app("mazur")
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("p", "p")  # grad_a2 = (a2 − y)/B
        await set_value(app, pilot, "y[0,0]", "0")
        a2 = app.session.debugger.values[N("a2")][0, 0]
        assert f"(a2[0,0] − y[0,0])/B = ({a2:.8f} − 0)/1" in app.screen.query_one(Formula).text
        loss = app.session.debugger.losses[-1]
        assert loss != pytest.approx(0.298371109, abs=1e-6)
        assert app.screen.query_one(Loss).text.startswith(f"loss {loss:.6g} · iteration 1")
        # Mazur's E_total is not this run's: the figure is contradicted in it
        assert "✗  loss (E_total) @ iteration 1" in app.screen.query_one(Expectations).text
        await pilot.press("o")
        await pilot.pause()
        assert "✓  loss (E_total) @ iteration 1" in app.screen.query_one(Expectations).text
        assert app.screen.query_one(Loss).text.startswith("loss 0.298371 · iteration 1")


async def test_a_file_that_cannot_be_written_is_said_in_the_dialog_and_the_edits_stay(make_app) -> None:
    if not Path("/proc/self").is_dir():
        pytest.skip("Linux's /proc takes no new file")
    app = make_app("mazur")
    async with app.run_test(size=SIZE) as pilot:
        await set_value(app, pilot, "w5", "0.1")
        await pilot.press("w")
        await pilot.pause()
        app.screen.query_one("#path", Input).value = "/proc/x.toml"
        await pilot.press("enter")
        await pilot.pause()
        assert str(app.screen.query_one("#problem").render()).startswith("Not saved: cannot write /proc/x.toml: ")
        assert app.is_running and len(app.session.edits) == 1

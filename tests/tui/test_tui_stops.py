"""Scenarios that stop early (no [loss]: after the forward pass; no [optimizer]: after the
backward pass) and the gradient check's verdicts: the tolerance each row is judged by, and
elements at a ReLU kink counted rather than judged."""

from __future__ import annotations

import re

import pytest

from stepnet import scenario
from stepnet.bundled import DIRECTORY
from stepnet.tui.app import StepnetApp
from stepnet.tui.screens.debugger import DebuggerScreen
from stepnet.tui.screens.gradcheck import GradcheckScreen
from stepnet.tui.screens.iterations import IterationsPrompt
from stepnet.tui.widgets.loss import Loss

SIZE, SMALL = (120, 40), (80, 24)

FORWARD_ONLY = """title = "Mazur's forward pass alone"
[network]
inputs = 2
[[network.layers]]
units = 2
activation = "sigmoid"
weights = [[0.15, 0.20], [0.25, 0.30]]
bias = 0.35
[[network.layers]]
units = 2
activation = "sigmoid"
weights = [[0.40, 0.45], [0.50, 0.55]]
bias = 0.60
[data]
inputs = [[0.05, 0.10]]
"""

#: z1[0,0] = 1·1 + 1·(−1) + 0 = 0 exactly: W1[0,0], W1[0,1] and b1[0] move it across ReLU's kink
AT_A_KINK = """title = "a ReLU at its kink"
[network]
inputs = 2
[[network.layers]]
units = 2
activation = "relu"
weights = [[1.0, 1.0], [0.5, 0.2]]
bias = 0.0
[[network.layers]]
units = 1
activation = "identity"
weights = [[0.3, -0.7]]
bias = 0.0
[loss]
kind = "half_sse"
[optimizer]
kind = "sgd"
learning_rate = 0.1
[data]
inputs = [[1.0, -1.0]]
targets = [[0.5]]
"""

#: ReLU's input x is 0: every difference quotient of x straddles the kink; y's does not move it
GRAPH_AT_A_KINK = """title = "relu at 0"
[graph]
inputs = { x = 0.0, y = 2.0 }
nodes = ["f = relu(x) * y"]
output = "f"
"""


def app_of(tmp_path, text: str) -> StepnetApp:
    path = tmp_path / "s.toml"
    path.write_text(text, encoding="utf-8")
    return StepnetApp(scenario.load(path))


def without_optimizer(tmp_path) -> StepnetApp:
    text = (DIRECTORY / "mazur.toml").read_text(encoding="utf-8")
    return app_of(tmp_path, text[:text.index("[optimizer]")] + text[text.index("[data]"):])


def said(app: StepnetApp) -> list[str]:
    """The notices shown, as the user reads them: `[loss]` is text, not markup to take out."""
    return [n.message for n in app._notifications if not n.markup]


async def test_a_forward_only_scenario_says_why_there_is_nothing_to_check_or_train(tmp_path) -> None:
    app = app_of(tmp_path, FORWARD_ONLY)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("e", "n", "g")
        assert isinstance(app.screen, DebuggerScreen)
        assert "Nothing to check: a gradient check compares ∂J/∂θ, and each iteration stops after the forward pass " \
               "(it has no [loss])." in said(app)
        await pilot.press("i")
        assert isinstance(app.screen, DebuggerScreen) and not app.screen.query(IterationsPrompt)
        assert "Nothing to train: each iteration stops after the forward pass (it has no [loss])." in said(app)
        assert app.screen.query_one(Loss).text == "no loss: each iteration stops\nafter the forward pass"


async def test_without_an_optimizer_the_gradients_are_checked_but_nothing_trains(tmp_path) -> None:
    app = without_optimizer(tmp_path)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("i")
        assert "Nothing to train: each iteration stops after the backward pass (it has no [optimizer])." in said(app)
        await pilot.press("g")
        await app.workers.wait_for_complete()
        await pilot.pause()
        assert isinstance(app.screen, GradcheckScreen)


async def test_a_graph_without_parameters_has_nothing_to_train(make_app) -> None:
    app = make_app("micrograd")
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("i")
        assert isinstance(app.screen, DebuggerScreen)
        assert any(m.startswith("Nothing to train: no leaf of this graph is a parameter") for m in said(app))


@pytest.mark.parametrize("size", [SIZE, SMALL])
async def test_each_row_of_the_gradient_check_says_what_it_is_judged_by_and_what_is_at_a_kink(
        tmp_path, screen_text, size) -> None:
    app = app_of(tmp_path, AT_A_KINK)
    async with app.run_test(size=size) as pilot:
        await pilot.press("g")
        await app.workers.wait_for_complete()
        await pilot.pause()
        lines = screen_text(app).splitlines()
        rows = {m[1]: (line, lines[i + 1]) for i, line in enumerate(lines) if (m := re.search(r"█ +[✓✗] (\w+) ", line))}
        assert set(rows) == {"W1", "b1", "W2", "b2"}
        assert all("0.00e+00 ≤ 1e-05" in line for line, _ in rows.values())
        assert "2 at kink" in rows["W1"][1] and "1 at kink" in rows["b1"][1]
        assert "at kink" not in rows["W2"][1] + rows["b2"][1]
        assert any("at kink: θ ± ε puts an activation's input across" in line for line in lines)


async def test_a_leaf_whose_every_difference_straddles_the_kink_is_not_judged(tmp_path, screen_text) -> None:
    app = app_of(tmp_path, GRAPH_AT_A_KINK)
    async with app.run_test(size=SMALL) as pilot:
        await pilot.press("g")
        await app.workers.wait_for_complete()
        await pilot.pause()
        lines = screen_text(app).splitlines()
        x = next(line for line in lines if line.startswith("█ – x "))
        assert x.split()[3:6] == ["1/1", "not", "judged"]
        y = next(line for line in lines if line.startswith("█ ✓ y "))
        assert "≤ 1e-05" in y

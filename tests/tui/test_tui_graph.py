"""The graph view of a `[graph]` scenario: the diagram where it fits, the list where it does
not, the current operation highlighted, and gradients accumulating one contribution at a time.

Figures are checked against the sources' own (micrograd's README, cs231n's notes) or against
the derivative written out here, not against what the engine computes."""

from __future__ import annotations

import pytest

from stepnet import scenario
from stepnet.engine.names import Name
from stepnet.tui.app import StepnetApp
from stepnet.tui.screens.training import TrainingScreen
from stepnet.tui.widgets.graph import GraphView, Nodes, lay_out
from stepnet.tui.widgets.network import Network

SIZE, SMALL = (120, 40), (80, 24)

#: a used twice: e = (a·b)·(a + b), ∂e/∂a = b·(a + b) + a·b
TWICE = """title = "a used twice"
[graph]
inputs = { a = 2.0, b = 3.0 }
nodes = ["c = a * b", "d = a + b", "e = c * d"]
output = "e"
"""

#: x feeds q beside y and a later node too: a wire of x would run into q's inputs
CROSSING = """title = "wires that would meet"
[graph]
inputs = { x = 2.0, y = 3.0, z = -1.0 }
nodes = ["q = x * y", "r = q + x", "f = r * z"]
output = "f"
"""


def app_of(tmp_path, text: str) -> StepnetApp:
    path = tmp_path / "graph.toml"
    path.write_text(text)
    return StepnetApp(scenario.load(path))


def pieces(view: GraphView) -> list[list[tuple[str, str]]]:
    """The view's lines as (text, component class) pieces, without the padding."""
    return [[(text, style) for text, style in line if text.strip()] for line in view.draw()]


def style_of(view: GraphView, text: str, row: str | None = None) -> set[str]:
    """The styles of the pieces reading `text` (stripped), on lines that contain `row`."""
    return {style for line in pieces(view) if row is None or any(row == t.strip() for t, _ in line)
            for t, style in line if t.strip() == text}


@pytest.mark.parametrize("name", ["micrograd", "cs231n_circuit", "adam_by_hand"])
async def test_a_graph_is_shown_in_place_of_the_network(make_app, name) -> None:
    app = make_app(name)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("n", "n")
        assert app.screen.query(GraphView) and not app.screen.query(Network)


async def test_cs231ns_circuit_is_a_diagram_at_120_columns_and_a_list_at_80(make_app, screen_text) -> None:
    app = make_app("cs231n_circuit")
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("e")
        text = screen_text(app)
        # the gates in their columns, wired: w0 and x0 into the product, the chain of the sigmoid
        assert "├──· dot_1" in text and "exp f_2" in text and "1/ f" in text
        # the notes' figures, to two decimals: ∂f/∂x0 = 0.39, ∂f/∂x1 = −0.59, f = 0.73
        assert "∂   0.39" in text and "∂  -0.59" in text and "f   0.73" in text
        await pilot.resize_terminal(*SMALL)
        await pilot.pause()
        lines = screen_text(app).splitlines()
        assert any("node" in line and "computes" in line and "value" in line for line in lines)
        assert any(" dot_1 " in line and "w0·x0" in line for line in lines)


async def test_micrograd_is_listed_whole_at_120_columns_with_the_readmes_gradients(make_app, screen_text) -> None:
    app = make_app("micrograd")
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("e")
        view = app.screen.query_one(GraphView)
        lines = [line for line in screen_text(app).splitlines() if "input" in line]
        # the README's dg/da = 138.8338 and dg/db = 645.5773, with the five uses of each
        assert any(" a " in line and "138.8" in line and "5/5" in line for line in lines)
        assert any(" b " in line and "645.6" in line and "5/5" in line for line in lines)
        assert f"of {len(view.nodes.vertices)}" in str(view.border_subtitle)  # the nodes that do not fit are counted


async def test_the_first_screen_counts_the_nodes_it_lists(make_app, screen_text) -> None:
    """Before any step the title counts the rows laid out, not the one row of a part that
    had no size yet ('nodes 1–1 of 27')."""
    app = make_app("micrograd")
    async with app.run_test(size=SIZE):  # the first frame: nothing has happened since
        view = app.screen.query_one(GraphView)
        listed = [line for line in view.text.splitlines()[1:] if line.strip()]  # under the header
        nodes = len(view.nodes.vertices)  # the leaves and the nodes of micrograd's expression
        assert len(listed) > 1 and f" nodes 1–{len(listed)} of {nodes} " in screen_text(app)  # as painted


async def test_the_current_operation_and_what_it_reads_are_highlighted_forward(make_app) -> None:
    app = make_app("cs231n_circuit")
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("n", "n")  # dot_1 = w0·x0
        view = app.screen.query_one(GraphView)
        assert style_of(view, "dot_1") == {"graph--focus"}
        assert style_of(view, "w0") == style_of(view, "x0") == {"graph--read"}
        assert style_of(view, "w1") == {""} and style_of(view, "-2.0", row="dot_1") == {"graph--output"}
        lit = [line for line in pieces(view) if any(style == "graph--lit" for _, style in line)]
        assert lit and not any(text.strip() in ("w1", "w2") for line in lit for text, _ in line)
        await pilot.press("n", "n", "n")  # dot = dot_3 + w2: the wire from w2 across two columns
        w2 = next(line for line in pieces(view) if line[0][0].strip() == "w2")
        assert any(text.startswith("──") and style == "graph--lit" for text, style in w2)


async def test_the_current_operation_and_what_it_reads_are_highlighted_backward(make_app) -> None:
    app = make_app("micrograd")
    async with app.run_test(size=SIZE) as pilot:
        d = app.session.debugger
        await pilot.press(*["n"] * 65)
        assert d.last_op.formula == "grad_b += grad_d_1·a"
        view = app.screen.query_one(GraphView)
        # a line: the mark, then each column and the gap after it: node, computes, value, gradient
        rows = {line[1][0].strip(): line[1::2] for line in view.draw()[1:]}
        # b's gradient is written; d_1's gradient and a's value are read, a's gradient is not
        assert rows["b"][0][1] == "graph--focus" and rows["b"][3][1] == "graph--output"
        assert rows["d_1"][0][1] == rows["d_1"][3][1] == "graph--read" and rows["d_1"][2][1] == ""
        assert rows["a"][2][1] == "graph--read" and rows["a"][3][1] == ""
        assert rows["b"][2][1] == rows["c"][0][1] == ""


async def test_a_value_used_twice_receives_two_contributions_one_per_step(tmp_path, screen_text) -> None:
    a, b = 2.0, 3.0
    app = app_of(tmp_path, TWICE)
    async with app.run_test(size=SIZE) as pilot:
        d = app.session.debugger
        seen = []
        for _ in range(d.n_ops):
            await pilot.press("n")
            if d.last_op.output == Name.parse("grad_a"):
                lines = screen_text(app).splitlines()
                at = next(i for i, line in enumerate(lines) if line.lstrip("│ ").startswith("a "))
                seen.append(lines[at + 1])  # the diagram's line under a's value: its gradient
        assert len(seen) == 2
        # the backward pass visits d = a + b first: ∂e/∂d·1 = a·b; then c = a·b: ∂e/∂c·b = (a + b)·b
        first, total = a * b, a * b + (a + b) * b
        assert "1/2 ∂" in seen[0] and f"{first:.2f}" in seen[0]
        assert "2/2 ∂" in seen[1] and f"{total:.1f}" in seen[1]


def test_a_diagram_whose_wires_would_meet_where_they_do_not_connect_is_not_drawn(tmp_path) -> None:
    for text, drawn in ((CROSSING, False), (TWICE, True)):
        path = tmp_path / "g.toml"
        path.write_text(text)
        d = scenario.load(path).debugger()
        nodes = Nodes.of(d.model.vertices(), d.ops)
        assert (lay_out(nodes, 3, 200, 50) is not None) == drawn


async def test_the_list_follows_the_operation_on_a_small_screen(make_app) -> None:
    app = make_app("micrograd")
    async with app.run_test(size=SMALL) as pilot:
        view = app.screen.query_one(GraphView)

        def listed() -> list[str]:
            return [line[1][0].strip() for line in view.draw()[1:]]

        await pilot.press(*["n"] * 25)  # g_2 = 10/f, near the end of the list
        assert "g_2" in listed() and "f" in listed() and "a" not in listed()
        await pilot.press("e", "N")  # grad_a += grad_c·1: back at the top
        assert listed()[0] == "a" and "c" in listed() and "g_2" not in listed()


async def test_training_a_graph_plots_the_gradient_of_each_trained_leaf(make_app) -> None:
    app = make_app("adam_by_hand")
    async with app.run_test(size=SIZE) as pilot:
        app.push_screen(TrainingScreen(app.session, 20))
        await pilot.pause()
        await app.workers.wait_for_complete()
        await pilot.pause(0.3)
        screen = app.screen
        assert isinstance(screen, TrainingScreen) and not screen.running
        assert screen.weights == [Name.parse("theta")] and screen.norms == "|∂J/∂θ| of 1 theta"

"""The views: full, presenter (for a projector) and neuron (one neuron's story), cycled by v
and V and chosen with --view; the neuron view's numbers against Mazur's formulas."""

from __future__ import annotations

import pytest
from hand import sigmoid

from stepnet import cli, scenario
from stepnet.bundled import DIRECTORY as SCENARIOS
from stepnet.tui.app import StepnetApp
from stepnet.tui.widgets.network import Network
from stepnet.tui.widgets.neuron import Neuron

SIZE, SMALL = (120, 40), (80, 24)
PARTS = ["#status", "#timeline", "#formula", "#network", "#graph", "#side", "#state", "#neuron", "Footer"]


# Mazur's network, written out: h = σ(W1·x + b1), o = σ(W2·h + b2), E = ½Σ(t − o)²
X, T = (0.05, 0.10), (0.01, 0.99)
W1, W2, B1, B2 = ((0.15, 0.20), (0.25, 0.30)), ((0.40, 0.45), (0.50, 0.55)), 0.35, 0.60
H = [sigmoid(W1[j][0] * X[0] + W1[j][1] * X[1] + B1) for j in range(2)]
Z_O1 = W2[0][0] * H[0] + W2[0][1] * H[1] + B2
O1 = sigmoid(Z_O1)
DELTA_O1 = (O1 - T[0]) * O1 * (1 - O1)


def displayed(app: StepnetApp) -> list[str]:
    return [part for part in PARTS if app.screen.query(part) and app.screen.query_one(part).display]


async def test_v_cycles_through_the_views_and_V_goes_back(make_app) -> None:
    app = make_app("mazur")
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        seen = []
        for _ in range(3):
            seen.append(app.session.view)
            assert app.screen.has_class(f"-view-{app.session.view}")
            await pilot.press("v")
        assert seen == ["full", "presenter", "neuron"] and app.session.view == "full"
        await pilot.press("V")
        assert app.session.view == "neuron" and not app.screen.has_class("-view-full")
        position = app.session.debugger.position
        assert position == 0  # a view moves nothing


@pytest.mark.parametrize("size", [SMALL, SIZE, (200, 50)])
@pytest.mark.parametrize(("name", "view"), [("mazur", "presenter"), ("mazur", "neuron"), ("mnist", "neuron"),
                                            ("vanishing", "neuron"), ("micrograd", "presenter")])
async def test_each_view_tiles_the_screen_with_its_parts(make_app, name, view, size) -> None:
    width, height = size
    app = make_app(name)
    app.session.view = view
    async with app.run_test(size=size) as pilot:
        await pilot.press(*["n"] * 8)
        await pilot.pause()
        parts = displayed(app)
        regions = [app.screen.query_one(part).region for part in parts]
        cells = sorted((x, y) for r in regions for y in range(r.y, r.bottom) for x in range(r.x, r.right))
        assert cells == [(x, y) for x in range(width) for y in range(height)]
        assert "#state" not in parts
        if view == "presenter":
            assert "#side" in parts and app.screen.query_one("#about").display
            assert app.screen.query_one("#about").region.height >= 3  # the description shows
        else:
            assert "#neuron" in parts and "#side" not in parts
            assert app.screen.query_one(Neuron).region.height >= 8  # its heading, an input, z, its values


def test_view_is_a_choice_on_the_command_line_and_a_wrong_one_is_one_line(capsys) -> None:
    assert cli._debugger_parser().parse_args(["mazur", "--view", "neuron"]).view == "neuron"
    assert cli._debugger_parser().parse_args(["mazur"]).view == "full"
    assert cli.main(["mazur", "--view", "big"]) == 2
    err = capsys.readouterr().err
    assert "no view 'big'; expected one of full, presenter, neuron" in err and err.count("\n") == 1


async def test_the_app_opens_in_the_view_asked_for() -> None:
    app = StepnetApp(scenario.load(SCENARIOS / "mazur.toml"), view="presenter")
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        assert app.screen.has_class("-view-presenter") and not app.screen.query_one("#state").display


async def test_a_graph_has_no_neuron_view_and_says_so(screen_text) -> None:
    app = StepnetApp(scenario.load(SCENARIOS / "micrograd.toml"), view="neuron")
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        assert app.session.view == "full"
        assert any("has no neurons" in n.message for n in app._notifications)
        await pilot.press("v")
        assert app.session.view == "presenter"
        await pilot.press("v")
        assert app.session.view == "full"
        assert not app.screen.query(Neuron)


async def test_the_presenter_hides_the_state_and_spaces_the_network_out(make_app, screen_text) -> None:
    app = make_app("mazur")
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("p", "v")
        await pilot.pause()
        network = app.screen.query_one(Network).text.splitlines()
        rows = [k for k, line in enumerate(network) if "○" in line]
        assert len(rows) == 2 and rows[1] - rows[0] >= 2  # blank lines between the two neurons
        assert f"{H[0]:.5f}"[:7] in network[rows[0]]  # five digits: 0.59327
        text = screen_text(app)
        assert "A Step by Step Backpropagation Example" in text and "The 2-2-2 sigmoid network" in text
        assert "╭─ state" not in text


def neuron_lines(app: StepnetApp) -> list[str]:
    return app.screen.query_one(Neuron).text.splitlines()


def row(lines: list[str], start: str) -> list[str]:
    return next(line for line in lines if line.strip().startswith(start)).split()


async def test_the_neuron_view_tells_mazur_s_o1_as_the_article_computes_it(make_app) -> None:
    app = make_app("mazur")
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("v", "v")
        await pilot.pause()
        assert app.session.neuron == (2, 0)
        lines = neuron_lines(app)
        w5 = row(lines, "W2[0,0] w5")
        assert w5[2:] == ["×", "0.4000", "=", "│"]  # the weight, nothing computed yet
        await pilot.press(*["n"] * 4)  # the batch, z1, a1, z2
        await pilot.pause()
        w5, w6 = row(neuron_lines(app), "W2[0,0] w5"), row(neuron_lines(app), "W2[0,1] w6")
        assert w5[2:7] == [f"{H[0]:.4f}", "×", "0.4000", "=", f"{H[0] * 0.4:.4f}"]
        assert w6[2:7] == [f"{H[1]:.4f}", "×", "0.4500", "=", f"{H[1] * 0.45:.4f}"]
        assert row(neuron_lines(app), "b2[0]")[1:5] == ["1", "×", "0.6000", "="]
        assert row(neuron_lines(app), "Σ")[-1] == f"{Z_O1:.4g}"
        await pilot.press("e")
        await pilot.pause()
        lines = neuron_lines(app)
        gradient = DELTA_O1 * H[0]  # ∂E/∂w5 = δ_o1 · out_h1
        assert row(lines, "W2[0,0] w5")[8:] == [f"{gradient:.4g}", f"{0.4 - 0.5 * gradient:.4f}"]
        assert row(lines, "b2[0]")[-2:] == [f"{DELTA_O1:.4f}", "—"]  # b2 is frozen: no update
        values = lines[-1].split()
        assert values == [f"{Z_O1:.4g}", f"{O1:.4f}", f"{O1 * (1 - O1):.4f}", f"{O1 - T[0]:.4f}",
                          f"{DELTA_O1:.4f}"]
        assert lines[-2].split() == ["z2", "net_o1", "a2", "out_o1", "dact2", "grad_a2", "(given)", "delta2",
                                     "δ_o1"]


async def test_the_neuron_view_of_a_network_without_biases_opens_on_a_small_screen() -> None:
    """The article's network has no biases: where no weight's row fits either (a short box, as
    the first layout at 80×24 gives it), there is no label to measure (it raised ValueError)."""
    app = StepnetApp(scenario.load(SCENARIOS / "article.toml"), view="neuron")
    async with app.run_test(size=SMALL) as pilot:
        await pilot.pause()
        assert app.is_running and app.session.view == "neuron"
        assert row(neuron_lines(app), "W3[0,0]")[1:3] == ["×", "0.5000"]  # the scenario's weight


async def test_the_neuron_view_highlights_the_current_operation_s_terms(make_app) -> None:
    app = make_app("mazur")
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("v", "v", "p", "p", "n", "n")  # delta2 = grad_a2 ⊙ σ′(z2)
        await pilot.pause()
        own = app.screen.query_one(Neuron).draw()[-1]
        styles = [style for text, style in own if text.strip()]
        assert styles == ["", "", "neuron--read", "neuron--read", "neuron--selected"]  # δ_o1 is the selected one
        await pilot.press("right")  # δ_o2: the neuron is o2 now
        await pilot.pause()
        assert app.session.neuron == (2, 1)
        styles = [style for text, style in app.screen.query_one(Neuron).draw()[-1] if text.strip()]
        assert styles[-1] == "neuron--selected"
        await pilot.press("N", "N", "N")  # the loss: the neuron stays
        assert app.session.neuron == (2, 1)


async def test_the_neuron_view_draws_the_neuron_s_weights_on_its_edges(make_app) -> None:
    app = make_app("mazur")
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("n")
        await pilot.pause()
        assert "0.400" not in app.screen.query_one(Network).text
        await pilot.press("v", "v")
        await pilot.pause()
        lines = app.screen.query_one(Network).text.splitlines()
        # o1's weights w5, w6 on the wires from h1 and h2, gathered into o1's row
        assert "─ 0.400 ─" in lines[1] and "─▶ ○" in lines[1]
        assert "─ 0.450 ─" in lines[2]
        await pilot.press("n", "right")  # z1: select h2, the second neuron of layer 1
        await pilot.pause()
        lines = app.screen.query_one(Network).text.splitlines()
        assert "─ 0.250 ─" in lines[1] and "─ 0.300 ─" in lines[2] and "─▶ ○" in lines[2]


async def test_the_neuron_view_lists_zero_inputs_after_the_others_when_not_all_fit(tmp_path) -> None:
    """Six inputs, four of them 0 and no bias, at 80×24 (room for fewer rows than inputs): the
    non-zero inputs come first, then zeros, then how many are left out and how many of
    those are 0; all inputs 0 lists zeros rather than nothing (it raised)."""
    def app_with(inputs: list[float]) -> StepnetApp:
        path = tmp_path / "six.toml"
        path.write_text(f"""title = "six inputs, no bias"
[network]
inputs = 6
[[network.layers]]
units = 2
activation = "sigmoid"
weights = [[0.1, 0.2, 0.3, 0.4, 0.5, 0.6], [0.1, 0.2, 0.3, 0.4, 0.5, 0.6]]
bias = false
[loss]
kind = "half_sse"
[optimizer]
kind = "sgd"
learning_rate = 0.5
[data]
inputs = [{inputs}]
targets = [[0.01, 0.99]]
""")
        return StepnetApp(scenario.load(path), view="neuron")

    for inputs, first in (([0, 0, 0.5, 0, 0, 0.25], ["W1[0,2]", "W1[0,5]"]), ([0] * 6, ["W1[0,0]", "W1[0,1]"])):
        app = app_with(inputs)
        async with app.run_test(size=SMALL) as pilot:
            await pilot.press("n", "n")
            await pilot.pause()
            lines = neuron_lines(app)
            rows = [line.split()[0] for line in lines if line.strip().startswith("W1[")]
            assert 1 <= len(rows) < 6 and rows[:2] == first[: len(rows)]
            left = next(line for line in lines if "more inputs" in line)
            zeros_shown = sum(inputs[int(r.split(",")[1].rstrip("]"))] == 0 for r in rows)
            assert f"… {6 - len(rows)} more inputs, {inputs.count(0) - zeros_shown} of them with a0 = 0" in left


async def test_each_view_s_notice_replaces_the_last(make_app) -> None:
    """v pressed three times leaves one notice, the last view's, not three over the screen."""
    app = make_app("mazur")
    async with app.run_test(size=SMALL) as pilot:
        await pilot.press("v", "v", "v")
        await pilot.pause()
        notices = [n for n in app._notifications if n.title == "View"]
        assert len(notices) == 1 and notices[0].message.startswith("full view: ")

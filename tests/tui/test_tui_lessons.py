"""What the lesson scenarios need the diagram to show: symmetric neurons, dropped units, and
each layer's gradient norm."""

from __future__ import annotations

import re

import numpy as np

from stepnet.engine.names import Name
from stepnet.tui.widgets.network import Network

SIZE = (120, 40)


def diagram(app) -> list[str]:
    return app.screen.query_one(Network).text.splitlines()


async def test_identical_neurons_are_marked_and_gradient_norms_shown(make_app) -> None:
    app = make_app("symmetry")
    async with app.run_test(size=SIZE):
        d = app.session.debugger
        d.run_iterations(3)
        app.session.run_ended()
        app.screen.moment = app.session.moment()
        lines = diagram(app)
        assert sum(line.count("≡") for line in lines) == d.model.layers[0].units  # all hidden: symmetric
        assert "‖∂J/∂W‖" in lines[-1] and f"{np.linalg.norm(d.values[Name.parse('grad_W1')]):.2e}" in lines[-1]


async def test_units_dropped_in_the_sample_shown_are_crossed(make_app) -> None:
    app = make_app("dropout")
    async with app.run_test(size=SIZE):
        d = app.session.debugger
        d.goto(d.n_ops)
        app.session.run_ended()
        app.screen.moment = app.session.moment()
        dropped = int((d.values[Name.parse("m1")][0] == 0).sum() + (d.values[Name.parse("m2")][0] == 0).sum())
        assert sum(line.count("✕") for line in diagram(app)) == dropped > 0
        assert "≡" not in "".join(diagram(app))  # random init: no twins



async def test_a_deep_network_too_wide_for_the_diagram_shows_the_layers_around_the_current_one(make_app) -> None:
    app = make_app("vanishing")
    async with app.run_test(size=(80, 24)) as pilot:
        d = app.session.debugger
        depth = d.model.depth
        await pilot.press(*["l"] * 6)  # into the forward pass of a deep layer
        await pilot.pause()
        layer = d.last_op.layer
        network = app.screen.query_one(Network)
        first, last, top = map(int, re.fullmatch(r"network · layers (\d+)–(\d+) of 0–(\d+)", network.border_title).groups())
        assert top == depth and first <= layer <= last and last - first + 1 < depth + 1
        header = diagram(app)[0].split()
        # the layers left out are counted at each end: `◀+4 … +1▶`
        assert header[0] == f"◀+{first}" and header[1] == f"a{first}" and f"a{last + 1}" not in header
        assert f"a{last}" in header and (header[-1] == f"+{depth - last}▶") == (last < depth)
        await pilot.resize_terminal(200, 40)  # wide enough for all of them
        await pilot.pause()
        assert network.border_title == "network" and f"a{depth}" in diagram(app)[0]

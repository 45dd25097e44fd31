"""What the lesson scenarios need the diagram to show: symmetric neurons, dropped units, and
each layer's gradient norm."""

from __future__ import annotations

import numpy as np

from stepnet.tui.widgets.board import Board

SIZE = (120, 40)


def diagram(app) -> list[str]:
    return app.screen.query_one(Board).network.text.splitlines()


async def test_identical_neurons_are_marked_and_gradient_norms_shown(make_app) -> None:
    app = make_app("symmetry")
    async with app.run_test(size=SIZE):
        d = app.session.debugger
        d.run_iterations(3)
        app.screen.sync()
        lines = diagram(app)
        assert sum(line.count("≡") for line in lines) == d.model.layers[0].units  # all hidden: symmetric
        assert "‖∂J/∂W‖" in lines[-1] and f"{np.linalg.norm(d.values['grad_W1']):.2e}" in lines[-1]


async def test_units_dropped_in_the_sample_shown_are_crossed(make_app) -> None:
    app = make_app("dropout")
    async with app.run_test(size=SIZE):
        d = app.session.debugger
        d.goto(d.n_ops)
        app.screen.sync()
        dropped = int((d.values["m1"][0] == 0).sum() + (d.values["m2"][0] == 0).sum())
        assert sum(line.count("✕") for line in diagram(app)) == dropped > 0
        assert "≡" not in "".join(diagram(app))  # random init: no twins


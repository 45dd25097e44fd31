"""A new activation, loss and optimizer, each one definition written here, reach every command
and the debugger with no other edit: the scenario reader knows their names and options,
trace and export write their formulas (export in LaTeX, and their code in a notebook that
recomputes them), gradcheck agrees with their derivatives, and the debugger steps through
them and shows the optimizer's state."""

from __future__ import annotations

import html
import json
import re
from pathlib import Path

import numpy as np
import pytest

from stepnet import cli
from stepnet import scenario as scenario_file
from stepnet.engine.activations import ACTIVATIONS, Activation
from stepnet.engine.formula import Constant, Expression
from stepnet.engine.losses import LOSSES, Loss
from stepnet.engine.names import Name
from stepnet.engine.optimizers import OPTIMIZERS, Rule, Step
from stepnet.engine.registry import Kind, Option


def softsign() -> Activation:
    return Activation("softsign", "softsign", r"\mathrm{softsign}",
                      lambda z: z / (1.0 + np.abs(z)), lambda z, a: 1.0 / (1.0 + np.abs(z)) ** 2,
                      Expression("1/(1 + |{z}|)²", r"\frac{1}{(1 + |{z}|)^2}", "1 / (1 + np.abs({z})) ** 2"),
                      Expression("{z}/(1 + |{z}|)", r"\frac{{z}}{1 + |{z}|}"), code="{z} / (1 + np.abs({z}))")


def log_cosh() -> Loss:
    return Loss("log_cosh", Expression("Σⱼ log cosh(pⱼ − yⱼ)", r"\sum_j \log\cosh({p} - {y})",
                                       "np.sum(np.log(np.cosh({p} - {y})), axis=1)"),
                lambda p, y: np.sum(np.log(np.cosh(p - y)), axis=1), lambda p, y: np.tanh(p - y),
                Expression("log cosh({p} − {y})"),
                Expression("tanh({p} − {y})", r"\tanh({p} - {y})", "np.tanh({p} - {y})"))


def signum(beta: float) -> Rule:
    """signSGD with momentum: m ← β·m + (1 − β)·g, then θ changes by −η·sign(m)."""
    return Rule("signum", (
        Step("m", "momentum", lambda m, grad: beta * m + (1.0 - beta) * grad,
             Expression("{beta}·{m} + (1 − {beta})·{grad}", "{beta} {m} + (1 - {beta}) {grad}",
                        "{beta} * {m} + (1.0 - {beta}) * {grad}")),
        Step(None, "update", lambda lr, m: -(lr * np.sign(m)),
             Expression("−{lr}·sign({m})", r"-{lr} \operatorname{sign}({m})", "-{lr} * np.sign({m})")),
    ), ("m",), {"beta": Constant("β", r"\beta", beta)})


SCENARIO = """\
title = "Definitions made in a test"

[network]
inputs = 2

[[network.layers]]
units = 3
activation = "softsign"
weights = [[0.5, -0.3], [0.2, 0.8], [-0.6, 0.1]]
bias = [0.1, -0.1, 0.05]

[[network.layers]]
units = 2
activation = "identity"
weights = [[0.7, -0.4, 0.3], [0.2, 0.5, -0.9]]
bias = false

[loss]
kind = "log_cosh"

[optimizer]
kind = "signum"
learning_rate = 0.01
beta = 0.8

[data]
inputs = [[1.0, 2.0], [-1.0, 0.5]]
targets = [[0.5, -0.2], [-0.3, 0.4]]
batch_size = 2
"""


@pytest.fixture
def defined(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> Path:
    """The three definitions registered for the test (and gone after it), and a scenario using them."""
    monkeypatch.setitem(ACTIVATIONS, "softsign", Kind("softsign", softsign))
    monkeypatch.setitem(LOSSES, "log_cosh", Kind("log_cosh", log_cosh))
    monkeypatch.setitem(OPTIMIZERS, "signum", Kind("signum", signum, (Option("beta", 0.9, at_least=0.0, below=1.0),)))
    path = tmp_path / "defined.toml"
    path.write_text(SCENARIO)
    return path


def test_trace_writes_their_formulas_and_values(defined: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert cli.main(["trace", str(defined), "--iterations", "2"]) == 0
    out = capsys.readouterr().out
    for formula in ["a1 = softsign(z1) = z1/(1 + |z1|)", "dact1 = softsign′(z1) = 1/(1 + |z1|)²",
                    "loss = (1/B)·Σₛ ℓ(a2ₛ, yₛ),  ℓ(p, y) = Σⱼ log cosh(pⱼ − yⱼ)",
                    "grad_a2 = ∂ℓ/∂a2 / B = (tanh(a2 − y))/B",
                    "m_W1 = β·m_W1 + (1 − β)·grad_W1   (β = 0.8)", "W1 = W1 − η·sign(m_W1)   (η = 0.01)"]:
        assert formula in out


def test_the_engine_computes_them_as_written_here(defined: Path) -> None:
    """Two iterations in NumPy, from the formulas above, against the engine's state."""
    s = scenario_file.load(defined)
    d = s.debugger()
    d.run_iterations(2)
    W = {str(k): v.copy() for k, v in s.model.initial.items()}
    m = {k: np.zeros_like(v) for k, v in W.items()}
    x, y = s.data.inputs, s.data.targets
    for _ in range(2):
        z1 = x @ W["W1"].T + W["b1"]
        a1 = z1 / (1 + np.abs(z1))
        p = a1 @ W["W2"].T
        g2 = np.tanh(p - y) / 2
        d1 = (g2 @ W["W2"]) / (1 + np.abs(z1)) ** 2
        grads = {"W1": d1.T @ x, "b1": d1.sum(0), "W2": g2.T @ a1}
        for k in W:
            m[k] = 0.8 * m[k] + 0.2 * grads[k]
            W[k] = W[k] - 0.01 * np.sign(m[k])
    for k in W:
        np.testing.assert_allclose(d.values[Name.parse(k)], W[k], rtol=1e-13)
        np.testing.assert_allclose(d.values[Name.parse(f"m_{k}")], m[k], rtol=1e-13)


def test_export_writes_their_latex(defined: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert cli.main(["export", str(defined)]) == 0
    out = capsys.readouterr().out
    for tex in [r"$$a^{(1)} = \mathrm{softsign}(z^{(1)}) = \frac{z^{(1)}}{1 + |z^{(1)}|}$$",
                r"\log\cosh(a^{(2)}_{sj} - y_{sj})",
                r"$$m_{W^{(1)}} \leftarrow \beta m_{W^{(1)}} + (1 - \beta) \frac{\partial J}{\partial W^{(1)}}, \qquad \beta = 0.8$$",
                r"\operatorname{sign}(m_{W^{(1)}})"]:
        assert tex in out
    assert out.count("$$") == 2 * scenario_file.load(defined).debugger().n_ops  # every op has its LaTeX


def test_a_notebook_recomputes_them_with_their_code(defined: Path, tmp_path: Path) -> None:
    """The notebook's cells, run in order, give each op's result as the engine computed it."""
    out = tmp_path / "defined.ipynb"
    assert cli.main(["export", str(defined), "-n", "2", "-o", str(out)]) == 0
    d = scenario_file.load(defined).debugger()
    namespace: dict = {}
    checked = 0
    for cell in json.loads(out.read_text())["cells"]:
        if cell["cell_type"] == "code":
            exec("".join(cell["source"]), namespace)
            if step := cell["metadata"].get("stepnet"):
                d.goto(step["position"])
                np.testing.assert_allclose(namespace[step["output"]], d.values[Name.parse(step["output"])], rtol=1e-12)
                checked += 1
    assert checked == 2 * d.n_ops
    assert "a1 = z1 / (1 + np.abs(z1))" in out.read_text()


def test_a_definition_without_code_makes_no_notebook(defined: Path, monkeypatch: pytest.MonkeyPatch,
                                                    capsys: pytest.CaptureFixture[str]) -> None:
    bare = lambda: softsign()._replace(code="")  # noqa: E731
    monkeypatch.setitem(ACTIVATIONS, "softsign", Kind("softsign", bare))
    assert cli.main(["export", str(defined), "--format", "notebook"]) == 2
    assert capsys.readouterr().err.endswith("a1: its operation has no NumPy code (a definition it uses gives none), "
                                            "so it cannot be a notebook\n")


def test_gradcheck_agrees_with_their_derivatives(defined: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert cli.main(["gradcheck", str(defined), "--iteration", "3"]) == 0
    assert "3 of 3 parameters" in capsys.readouterr().out


def test_an_option_is_read_and_checked_like_any_other(defined: Path, capsys: pytest.CaptureFixture[str]) -> None:
    defined.write_text(SCENARIO.replace("beta = 0.8", "beta = 1.5"))
    assert cli.main(["check", str(defined)]) == 2
    assert "optimizer.beta: expected a finite number ≥ 0 and < 1, got a number (1.5)" in capsys.readouterr().err


def screen_text(svg: str) -> str:
    """The characters of a Textual screenshot, without the SVG."""
    return html.unescape(re.sub(r"<[^>]+>", "", svg)).replace("\xa0", " ")


async def test_the_debugger_steps_through_them_and_shows_the_state(defined: Path) -> None:
    from stepnet.tui.app import StepnetApp

    s = scenario_file.load(defined)
    d = s.debugger()
    app = StepnetApp(s)
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.press(*"nnn")  # the batch, z1, a1
        await pilot.pause()
        assert "a1 = softsign(z1) = z1/(1 + |z1|)" in screen_text(app.export_screenshot())
        await pilot.press(*"n" * (d.n_ops - 3))  # to the last op: W2's update
        await pilot.pause()
        text = screen_text(app.export_screenshot())
        assert "W2 = W2 − η·sign(m_W2)" in text
        assert "╭─ m_W2 ─" in text  # the optimizer's state, in the state view


def test_train_runs_them_and_reports(defined: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert cli.main(["train", str(defined), "--iterations", "20", "--report-every", "10"]) == 0
    out = capsys.readouterr().out
    rows = [line.split() for line in out.splitlines() if line.strip().split(" ")[0] in ("10", "20")]
    assert [row[0] for row in rows] == ["10", "20"]
    d = scenario_file.load(defined).debugger()
    d.run_iterations(20)
    assert out.splitlines()[-1].startswith("final after 20 iterations: loss ")
    assert float(rows[-1][2]) == pytest.approx(float(np.mean(d.model.loss.per_sample(*_predict(d)))), rel=1e-5)


def _predict(d) -> tuple[np.ndarray, np.ndarray]:
    """The network's outputs over every sample at the debugger's parameters, in NumPy."""
    W = {str(k): v for k, v in d.parameters().items()}
    z1 = d.data.inputs @ W["W1"].T + W["b1"]
    return (z1 / (1 + np.abs(z1))) @ W["W2"].T, d.data.targets

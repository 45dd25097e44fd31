"""The shipped scenarios against their sources: published figures and closed forms."""

from __future__ import annotations

import numpy as np
import pytest

from conftest import SCENARIOS
from stepnet import cli
from stepnet.engine.expect import check
from stepnet.scenario import load
from stepnet.engine.names import Name


def sigmoid(x):
    return 1 / (1 + np.exp(-x))


def run_iteration(path):
    d = load(path).debugger()
    d.goto(d.n_ops)
    return d


def test_mazur_published_figures(scenarios):
    """Figures as printed in Mazur's article, written out here, not read from the scenario."""
    d = run_iteration(scenarios / "mazur.toml")
    v = d.values
    assert v[Name.parse("a1")][0] == pytest.approx([0.593269992, 0.596884378], abs=1e-9)
    assert v[Name.parse("a2")][0] == pytest.approx([0.75136507, 0.772928465], abs=1e-9)
    assert float(v[Name.parse("loss")]) == pytest.approx(0.298371109, abs=1e-9)
    assert v[Name.parse("delta2")][0, 0] == pytest.approx(0.138498562, abs=1e-9)
    assert v[Name.parse("grad_W2")][0, 0] == pytest.approx(0.082167041, abs=1e-9)
    assert v[Name.parse("grad_W1")][0, 0] == pytest.approx(0.000438568, abs=1e-9)
    assert v[Name.parse("W1")].ravel() == pytest.approx([0.149780716, 0.19956143, 0.24975114, 0.29950229], abs=1e-8)
    assert v[Name.parse("W2")].ravel() == pytest.approx([0.35891648, 0.408666186, 0.511301270, 0.561370121], abs=1e-8)
    assert v[Name.parse("b1")].tolist() == [0.35, 0.35]  # frozen, as in the article


def test_mazur_erratum_second_round_error(scenarios):
    d = load(scenarios / "mazur.toml").debugger()
    d.run_iterations(2)
    assert d.losses[1] == pytest.approx(0.29102777369, abs=1e-11)
    assert abs(d.losses[1] - 0.291027924) > 1e-7  # the article's figure is not what the algorithm gives


def test_mazur_scenario_expectations_all_pass(scenarios):
    s = load(scenarios / "mazur.toml")
    outcomes = check(s.debugger(), s.expectations)
    assert len(outcomes) == 9 and all(o.ok for o in outcomes)


def mazur_by_hand() -> dict[str, float]:
    """Mazur's walkthrough in his own names, one scalar formula at a time."""
    i1, i2, t1, t2 = 0.05, 0.10, 0.01, 0.99
    out_h1 = sigmoid(0.15 * i1 + 0.20 * i2 + 0.35)
    out_h2 = sigmoid(0.25 * i1 + 0.30 * i2 + 0.35)
    out_o1 = sigmoid(0.40 * out_h1 + 0.45 * out_h2 + 0.60)
    out_o2 = sigmoid(0.50 * out_h1 + 0.55 * out_h2 + 0.60)
    delta_o1 = (out_o1 - t1) * out_o1 * (1 - out_o1)
    delta_o2 = (out_o2 - t2) * out_o2 * (1 - out_o2)
    dE_dw1 = (delta_o1 * 0.40 + delta_o2 * 0.50) * out_h1 * (1 - out_h1) * i1
    return {"out_h1": out_h1, "out_o1": out_o1, "delta_o1": delta_o1,
            "dE_dw5": delta_o1 * out_h1, "dE_dw1": dE_dw1}


def g9(x: float) -> str:
    return f"{x:.9g}"


def test_mazur_explains_delta_like_the_article(scenarios):
    m = mazur_by_hand()
    d = load(scenarios / "mazur.toml").debugger()
    while d.last_op is None or str(d.last_op.output) != "delta2":
        d.step()
    assert d.explain((0, 0)) == (
        f"delta2[0,0] = grad_a2[0,0] × σ′(z2[0,0]) = {g9(m['out_o1'] - 0.01)} × "
        f"{g9(m['out_o1'] * (1 - m['out_o1']))} = {g9(m['delta_o1'])}"
    )
    assert g9(m["delta_o1"]) == "0.138498562"  # as printed in the article
    d.step()  # grad_W2
    assert d.explain((0, 0)) == (
        f"grad_W2[0,0] = Σₛ delta2[s,0]·a1[s,0] = {g9(m['delta_o1'])}×{g9(m['out_h1'])} = {g9(m['dE_dw5'])}"
    )


def test_update_explained_with_the_weight_before_the_update(scenarios):
    m = mazur_by_hand()
    d = load(scenarios / "mazur.toml").debugger()
    d.goto(d.n_ops - 1)  # W1's update is the next to last op
    assert str(d.last_op.output) == "W1"
    assert d.explain((0, 0)) == (
        f"W1[0,0] = W1[0,0] − η·grad_W1[0,0] = 0.15 − 0.5 × {g9(m['dE_dw1'])} = {g9(0.15 - 0.5 * m['dE_dw1'])}"
    )


def test_article_grad_W1_is_the_chain_rule_closed_form(scenarios):
    """∂J/∂W1ᵢⱼ = (p − a)·p(1 − p)·Σₖ W3ₖ·zₖ(1 − zₖ)·W2ₖᵢ·yᵢ(1 − yᵢ)·xⱼ, written out element by element."""
    s = load(scenarios / "article.toml")
    d = run_iteration(scenarios / "article.toml")
    W1, W2, W3 = (s.model.initial[Name.parse(f"W{l}")] for l in (1, 2, 3))
    x, a = s.data.inputs[0], s.data.targets[0, 0]
    y = [sigmoid(sum(W1[i, j] * x[j] for j in range(3))) for i in range(3)]
    z = [sigmoid(sum(W2[k, i] * y[i] for i in range(3))) for k in range(3)]
    p = sigmoid(sum(W3[0, k] * z[k] for k in range(3)))
    expected = np.empty((3, 3))
    for i in range(3):
        for j in range(3):
            chain = sum(W3[0, k] * z[k] * (1 - z[k]) * W2[k, i] for k in range(3))
            expected[i, j] = (p - a) * p * (1 - p) * chain * y[i] * (1 - y[i]) * x[j]
    np.testing.assert_allclose(d.values[Name.parse("grad_W1")], expected, rtol=1e-12, atol=1e-15)


def test_relu_sigmoid_predicts_0_256(scenarios):
    d = run_iteration(scenarios / "relu_sigmoid.toml")
    assert round(float(d.values[Name.parse("a3")][0, 0]), 3) == 0.256
    # the dead ReLU unit passes no gradient: its row of grad_W1 is zero
    assert d.values[Name.parse("z1")][0, 0] < 0
    assert not d.values[Name.parse("grad_W1")][0].any()


@pytest.mark.parametrize("name", ["xor", "momentum"])
def test_training_scenarios_learn(scenarios, name):
    d = load(scenarios / f"{name}.toml").debugger()
    d.run_iterations(300)
    assert d.losses[-1] < 0.1 * d.losses[0]


@pytest.mark.parametrize("path", sorted(SCENARIOS.glob("*.toml")), ids=lambda p: p.stem)
def test_every_shipped_example_passes_check(path, capsys):
    assert cli.main(["check", str(path)]) == 0, capsys.readouterr().out

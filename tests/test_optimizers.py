"""Every optimizer, the L2 penalty and every learning-rate schedule against a hand-written
NumPy loop of its published rule, over several iterations; and the fast path bit-identical
to stepping for each."""

from __future__ import annotations

import numpy as np
import pytest

from conftest import make_data, make_model
from stepnet.engine.debugger import Debugger
from stepnet.engine.model import Optimizer
from stepnet.engine.names import Name
from stepnet.engine.optimizers import fraction
from stepnet.engine.registry import Option, Registry

ITERATIONS = 4
LR = 0.05


def gradients(W: dict[str, np.ndarray], x: np.ndarray, y: np.ndarray, l2: float = 0.0) -> dict[str, np.ndarray]:
    """∂J/∂θ of the tests' 2-3-2 network (tanh, then identity; MSE over 2 outputs, mean over
    the batch; plus (λ/2)·Σ‖W‖² on the weights), written out by hand."""
    h = np.tanh(x @ W["W1"].T + W["b1"])
    p = h @ W["W2"].T + W["b2"]
    g_out = 2 * (p - y) / y.shape[1] / len(x)
    d1 = (g_out @ W["W2"]) * (1 - h**2)
    return {"W1": d1.T @ x + l2 * W["W1"], "b1": d1.sum(0), "W2": g_out.T @ h + l2 * W["W2"], "b2": g_out.sum(0)}


def model_with(optimizer: Optimizer, l2: float = 0.0):
    return make_model([2, 3, 2], ["tanh", "identity"], loss="mse", optimizer=optimizer, l2=l2)


def by_hand(model, data, update) -> dict[str, np.ndarray]:
    """ITERATIONS iterations of the loop in this file: `update(name, θ, g, state, t)` returns the
    new θ, keeping what it needs in `state[name]`."""
    W = {str(k): v.copy() for k, v in model.initial.items()}
    state: dict[str, dict[str, np.ndarray]] = {k: {} for k in W}
    for t in range(1, ITERATIONS + 1):
        x, y = data.batch(t)
        grads = gradients(W, x, y, model.l2)
        W = {k: update(k, W[k], grads[k], state[k], t) for k in W}
    return W


def sgd(name, theta, g, s, t):
    return theta - LR * g


def momentum(mu):
    def update(name, theta, g, s, t):
        s["v"] = mu * s.get("v", 0.0) - LR * g
        return theta + s["v"]
    return update


def nesterov(mu):
    def update(name, theta, g, s, t):
        s["v"] = mu * s.get("v", 0.0) - LR * g
        return theta + mu * s["v"] - LR * g
    return update


def adam(b1, b2, eps):
    def update(name, theta, g, s, t):
        s["m"] = b1 * s.get("m", 0.0) + (1 - b1) * g
        s["v"] = b2 * s.get("v", 0.0) + (1 - b2) * g**2
        m_hat, v_hat = s["m"] / (1 - b1**t), s["v"] / (1 - b2**t)
        return theta - LR * m_hat / (np.sqrt(v_hat) + eps)
    return update


def rmsprop(rho, eps):
    def update(name, theta, g, s, t):
        s["s"] = rho * s.get("s", 0.0) + (1 - rho) * g**2
        return theta - LR * g / (np.sqrt(s["s"]) + eps)
    return update


def adagrad(eps):
    def update(name, theta, g, s, t):
        s["s"] = s.get("s", 0.0) + g**2
        return theta - LR * g / (np.sqrt(s["s"]) + eps)
    return update


CASES = {
    "sgd": (Optimizer.of("sgd", LR), sgd),
    "momentum": (Optimizer.of("momentum", LR, momentum=0.8), momentum(0.8)),
    "nesterov": (Optimizer.of("momentum", LR, momentum=0.8, nesterov=True), nesterov(0.8)),
    "adam": (Optimizer.of("adam", LR, beta1=0.8, beta2=0.95, epsilon=1e-7), adam(0.8, 0.95, 1e-7)),
    "adam defaults": (Optimizer.of("adam", LR), adam(0.9, 0.999, 1e-8)),
    "rmsprop": (Optimizer.of("rmsprop", LR, decay=0.7, epsilon=1e-6), rmsprop(0.7, 1e-6)),
    "adagrad": (Optimizer.of("adagrad", LR, epsilon=1e-6), adagrad(1e-6)),
}


@pytest.mark.parametrize("case", CASES)
@pytest.mark.parametrize("l2", [0.0, 0.1])
def test_each_optimizer_follows_its_published_rule(case: str, l2: float) -> None:
    optimizer, update = CASES[case]
    model = model_with(optimizer, l2)
    data = make_data(model, 6, 3)  # two batches, alternating
    d = Debugger(model, data)
    for _ in range(ITERATIONS * d.n_ops):
        d.step()
    for name, value in by_hand(model, data, update).items():
        np.testing.assert_allclose(d.values[Name.parse(name)], value, rtol=1e-12, atol=1e-15, err_msg=name)


@pytest.mark.parametrize("case", CASES)
def test_the_fast_path_is_bit_identical_to_stepping(case: str) -> None:
    model = model_with(CASES[case][0], l2=0.05)
    data = make_data(model, 6, 3)
    stepped, run, jumped = Debugger(model, data), Debugger(model, data), Debugger(model, data)
    for _ in range(ITERATIONS * stepped.n_ops):
        stepped.step()
    run.run_iterations(ITERATIONS)
    far = jumped.parameters_after(ITERATIONS)
    for name, value in stepped.parameters().items():  # parameters and the optimizer's state
        assert value.tobytes() == run.parameters()[name].tobytes(), name
        assert value.tobytes() == far[name].tobytes(), name
    assert stepped.losses == run.losses


def test_adam_steps_through_each_line_of_its_rule() -> None:
    model = model_with(Optimizer.of("adam", LR))
    d = Debugger(model, make_data(model, 3, 3))
    update = [str(op.output) for op in d.ops if op.phase == "update"]
    assert update[:5] == ["m_W1", "v_W1", "mhat_W1", "vhat_W1", "W1"]
    assert len(update) == 5 * 4  # five lines for each of W1, b1, W2, b2
    d.goto(d.n_ops + [str(op.output) for op in d.ops].index("mhat_W1") + 1)  # iteration 2's m̂ of W1
    m, t = d.values[Name.parse("m_W1")], int(d.values[Name("t")])
    assert t == 2
    np.testing.assert_array_equal(d.values[Name.parse("mhat_W1")], m / (1 - 0.9**2))
    explained = d.explain((0, 0), digits=6)
    assert explained.startswith("mhat_W1[0,0] = m_W1[0,0]/(1 − β₁^t) = ")
    assert f"/(1 − 0.9^2) = {m[0, 0] / (1 - 0.81):.6g}" in explained


def test_l2_is_an_operation_of_its_own_and_so_is_its_gradient_term() -> None:
    model = model_with(Optimizer.of("sgd", LR), l2=0.1)
    d = Debugger(model, make_data(model, 3, 3))
    kinds = [op.kind for op in d.ops]
    assert kinds.count("penalty") == 1 and kinds.count("penalty_grad") == 2  # one per layer's W
    d.goto(d.n_ops)
    W = {str(k): v for k, v in model.initial.items()}
    x, y = d.data.batch(1)
    h = np.tanh(x @ W["W1"].T + W["b1"])
    p = h @ W["W2"].T + W["b2"]
    J = np.mean(np.mean((p - y) ** 2, axis=1)) + 0.05 * (np.sum(W["W1"] ** 2) + np.sum(W["W2"] ** 2))
    assert float(d.losses[0]) == pytest.approx(J, rel=1e-13)


@pytest.mark.parametrize("schedule, rate", [
    (("step", {"gamma": 0.5, "every": 2}), lambda t: LR * 0.5 ** ((t - 1) // 2)),
    (("exponential", {"gamma": 0.8}), lambda t: LR * 0.8 ** (t - 1)),
    (("time", {"decay": 0.3}), lambda t: LR / (1 + 0.3 * (t - 1))),
])
def test_each_schedule_sets_the_iterations_rate(schedule, rate) -> None:
    model = model_with(Optimizer.of("sgd", LR, schedule=schedule))
    data = make_data(model, 6, 3)
    d = Debugger(model, data)
    rates = []
    for t in range(1, ITERATIONS + 1):
        d.goto(t * d.n_ops)
        rates.append(float(d.values[Name("lr")]))
    assert rates == pytest.approx([rate(t) for t in range(1, ITERATIONS + 1)], rel=1e-15)

    def scheduled(name, theta, g, s, t):
        return theta - rate(t) * g

    for name, value in by_hand(model, data, scheduled).items():
        np.testing.assert_allclose(d.values[Name.parse(name)], value, rtol=1e-12, err_msg=name)
    formula = next(op.formula for op in d.ops if op.kind == "update")
    assert formula.startswith("W1 = W1 − lr·grad_W1")  # the update reads the iteration's rate


def test_an_operation_cannot_change_a_value_in_place() -> None:
    """Everything an op produces is read-only, and so is what it reads: an in-place update
    such as `m *= β` raises instead of silently changing the history."""
    model = model_with(Optimizer.of("adam", LR))
    d = Debugger(model, make_data(model, 3, 3))
    d.goto(d.n_ops)
    for name, value in d.values.items():
        assert not value.flags.writeable, name
    with pytest.raises(ValueError, match="read-only"):
        d.values[Name.parse("m_W1")] *= 0.9
    with pytest.raises(ValueError, match="read-only"):
        d.values[Name.parse("W1")][0, 0] = 0.0


ADAM_SCENARIO = """\
title = "Adam with a step schedule and an L2 penalty"

[network]
inputs = 2

[[network.layers]]
units = 2
activation = "softplus"
weights = [[0.5, -0.3], [0.2, 0.8]]

[[network.layers]]
units = 1
activation = "identity"
weights = [[0.7, -0.4]]
bias = false

[loss]
kind = "huber"
delta = 0.5
l2 = 0.01

[optimizer]
kind = "adam"
learning_rate = 0.1
beta1 = 0.8
schedule = { kind = "step", gamma = 0.5, every = 2 }

[data]
inputs = [[1.0, 2.0], [-1.0, 0.5]]
targets = [[0.5], [-0.3]]
batch_size = 2
"""


def test_a_scenario_states_them_and_the_trace_shows_each_new_quantity_as_a_step(tmp_path, capsys) -> None:
    import json

    from stepnet import cli

    path = tmp_path / "adam.toml"
    path.write_text(ADAM_SCENARIO)
    assert cli.main(["trace", str(path), "--format", "json", "--iterations", "3"]) == 0
    trace = json.loads(capsys.readouterr().out)
    outputs = [step["output"] for step in trace["steps"] if step["iteration"] == 3]
    assert outputs[outputs.index("penalty") + 1] == "loss"
    assert outputs.count("grad_W1") == 2  # δᵀ·a, then + λ·W
    update = outputs[outputs.index("lr"):]
    assert update == ["lr", *(f"{q}_{p}" for p in ("W1",) for q in ("m", "v", "mhat", "vhat")), "W1",
                      "m_b1", "v_b1", "mhat_b1", "vhat_b1", "b1", "m_W2", "v_W2", "mhat_W2", "vhat_W2", "W2"]
    lr = [step["value"] for step in trace["steps"] if step["output"] == "lr"]
    assert lr == [0.1, 0.1, 0.05]  # η·γ^⌊(t − 1)/2⌋
    # the parameters after the last update, and the optimizer's state it carries into the next
    assert set(trace["final"]) == {"W1", "b1", "W2", "m_W1", "v_W1", "m_b1", "v_b1", "m_W2", "v_W2"}


def test_a_decay_is_a_fraction_of_the_past_kept_from_0_up_to_but_not_1() -> None:
    assert fraction("rho", 0.9) == Option("rho", 0.9, at_least=0.0, below=1.0)


@pytest.mark.parametrize(("option", "inside", "outside", "expected"), [
    # "> 0": 0 itself is out
    (Option("lr", 0.1, positive=True), [1e-300, 5.0], [0.0, -1.0], "a finite number > 0"),
    # "≥ 0 and < 1": 0 is in, 1 is out
    (Option("rho", 0.9, at_least=0.0, below=1.0), [0.0, 0.999], [-1e-9, 1.0], "a finite number ≥ 0 and < 1"),
    (Option("k", 2, at_least=1), [1.0, 1e6], [0.5], "a finite number ≥ 1"),
    (Option("alpha", 1.0), [-5.0, 0.0], [float("inf"), float("nan")], "a finite number"),
])
def test_an_option_allows_its_range_bounds_included_but_below(option, inside, outside, expected) -> None:
    assert [option.allows(v) for v in inside + outside] == [True] * len(inside) + [False] * len(outside)
    assert option.expected() == expected


def test_a_registry_makes_a_definition_with_the_options_given_and_the_defaults() -> None:
    registry: Registry[tuple[float, float]] = Registry()
    pair = registry.define(Option("a", 1.0), Option("b", 2.0))(lambda a, b: (a, b))
    registry.define(Option("b", 3.0), name="other")(lambda b: (b, b))

    def single(c: float) -> tuple[float, float]:
        return (c, -c)

    registry.define(Option("c", 4.0))(single)
    assert list(registry) == ["<lambda>", "other", "single"] and registry["<lambda>"] is pair
    assert registry.make("<lambda>", {"b": 5.0}) == (1.0, 5.0)
    assert registry.make("other") == (3.0, 3.0)
    assert registry["single"](c=0.5) == (0.5, -0.5)
    assert registry.options() == {"a": ["<lambda>"], "b": ["<lambda>", "other"], "c": ["single"]}
    with pytest.raises(TypeError, match="^other takes no option a, z$"):
        registry["other"](z=1.0, a=2.0)

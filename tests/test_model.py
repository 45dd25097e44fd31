"""What the engine trains, by itself: how an optimizer is described, and what a model counts
— each against the definitions' templates and the layer sizes, written out here."""

from __future__ import annotations

import numpy as np
import pytest

from stepnet import scenario
from stepnet.bundled import DIRECTORY
from stepnet.engine.activations import ACTIVATIONS
from stepnet.engine.model import Dataset, Layer, Model, Optimizer
from stepnet.engine.names import Name


@pytest.mark.parametrize(("arguments", "text"), [
    ({}, "sgd, η = 0.1"),  # as a scenario's [optimizer] without kind and rate
    ({"kind": "sgd", "learning_rate": 0.5}, "sgd, η = 0.5"),
    ({"kind": "adam", "learning_rate": 0.001, "frozen": ["b2", "b1"], "schedule": ("step", {"gamma": 0.5, "every": 3})},
     "adam, η = 0.001, β₁ = 0.9, β₂ = 0.999, ε = 1e-08, γ = 0.5, k = 3, step schedule ηₜ = η·γ^⌊(t − 1)/k⌋; "
     "not updated: b1, b2"),
    ({"kind": "momentum", "learning_rate": 0.25, "schedule": ("time", {"decay": 0.5})},
     "momentum, η = 0.25, μ = 0.9, d = 0.5, time schedule ηₜ = η/(1 + d·(t − 1))"),
])
def test_an_optimizer_is_described_by_its_rule_rate_constants_schedule_and_what_is_frozen(arguments, text) -> None:
    # made here, not in the parameters: those are made at import, before a mutation test's mutant is active
    assert Optimizer.of(**arguments).describe() == text


@pytest.mark.parametrize(("name", "count"), [
    ("mazur", 2 * 2 + 2 + 2 * 2 + 2),  # 2-2-2 with biases
    ("article", 3 * 3 + 3 * 3 + 1 * 3),  # 3-3-3-1 without biases
])
def test_a_model_counts_its_weights_and_biases(name, count) -> None:
    assert scenario.load(DIRECTORY / f"{name}.toml").model.count_parameters() == count


def test_each_layer_s_dropout_code_draws_with_its_own_rate_and_units() -> None:
    """The dropout scenario: 4-8-8-2, p = 0.5 on both hidden layers, seed 1 — the code written
    from `dropout_mask`'s definition, and it draws the same mask."""
    model = scenario.load(DIRECTORY / "dropout.toml").model
    assert [(layer.units, layer.dropout) for layer in model.layers] == [(8, 0.5), (8, 0.5), (2, 0.0)]
    code = model.dropout_code(2, Name("a", 1))
    assert code == "(np.random.default_rng([1, t, 2]).random((len(a1), 8)) >= 0.5) / (1.0 - 0.5)"
    a1, t = np.zeros((5, 8)), 3
    assert np.array_equal(eval(code, {"np": np, "t": t, "a1": a1}), model.dropout_mask(2, t, 5))
    changed = Model(3, (Layer(4, ACTIVATIONS.make("relu"), dropout=0.25), Layer(2, ACTIVATIONS.make("sigmoid"))),
                    None, "mean", None, {})
    assert changed.dropout_code(1, Name("a", 0)) == \
        "(np.random.default_rng([0, t, 1]).random((len(a0), 4)) >= 0.25) / (1.0 - 0.25)"


@pytest.mark.parametrize("targets", [True, False])
def test_a_batch_in_file_order_is_written_as_its_window_of_the_data(targets) -> None:
    """Five samples in batches of 2: iteration t takes rows 2·((t − 1) mod 3) on, two of them
    (the last batch one); in one batch, the data as it is."""
    x, y = np.arange(10.0).reshape(5, 2), np.arange(5.0).reshape(5, 1)
    into, y_name = Name("a", 0), Name("y") if targets else None
    assert Dataset(x, y, batch_size=5).code(into, y_name) == ("a0, y = x, targets" if targets else "a0 = x")
    code = Dataset(x, y, batch_size=2).code(into, y_name)
    start = "start = (t - 1) % 3 * 2\n"
    assert code == start + ("a0, y = x[start:start + 2], targets[start:start + 2]" if targets
                            else "a0 = x[start:start + 2]")
    for t, rows in [(1, [0, 1]), (2, [2, 3]), (3, [4]), (4, [0, 1])]:
        assert batch_by_code(code, t, x, y) == (x[rows].tolist(), y[rows].tolist() if targets else None)


@pytest.mark.parametrize("batch_size", [2, 5])
def test_a_shuffled_batch_is_written_as_its_window_of_the_epoch_s_permutation(batch_size) -> None:
    """Each epoch's order is the permutation drawn from (seed, epoch), even in one batch."""
    x, y = np.arange(10.0).reshape(5, 2), np.arange(5.0).reshape(5, 1)
    data = Dataset(x, y, batch_size=batch_size, shuffle=True, seed=7)
    code = data.code(Name("a", 0), Name("y"))
    batches = -(-5 // batch_size)
    for t in range(1, 2 * batches + 2):
        order = np.random.default_rng([7, (t - 1) // batches]).permutation(5)
        rows = order[(t - 1) % batches * batch_size:][:batch_size]
        assert batch_by_code(code, t, x, y) == (x[rows].tolist(), y[rows].tolist())
        assert [v.tolist() for v in data.batch(t)] == [x[rows].tolist(), y[rows].tolist()]


def batch_by_code(code: str, t: int, x, y) -> tuple[list, list | None]:
    """What `code` leaves in a0 and y in iteration t."""
    names = {"np": np, "t": t, "x": x, "targets": y}
    exec(code, names)
    return names["a0"].tolist(), names["y"].tolist() if "y" in names else None


def test_a_model_and_a_data_set_make_the_arrays_they_are_given_read_only() -> None:
    W, x, y = np.ones((2, 3)), np.zeros((4, 3)), np.zeros((4, 2))
    Model(3, (Layer(2, ACTIVATIONS.make("sigmoid"), bias=False),), None, "mean", None, {Name("W", 1): W})
    Dataset(x, y)
    assert not (W.flags.writeable or x.flags.writeable or y.flags.writeable)

"""The program of one iteration: the order of its quantities and ops, where each phase ends,
what it keeps and watches, and running it unwatched — against lists written out here."""

from __future__ import annotations

import math
import warnings
from dataclasses import replace

import numpy as np
import pytest

from conftest import make_data, make_model
from stepnet.engine import network
from stepnet.engine.activations import ACTIVATIONS
from stepnet.engine.debugger import Debugger
from stepnet.engine.losses import LOSSES
from stepnet.engine.model import Dataset, Layer, Model, Optimizer
from stepnet.engine.names import LOSS, Name
from stepnet.engine.program import build_program, finite


def names(text: str) -> list[Name]:
    return [Name.parse(n) for n in text.split()]


PARAMETERS = "W1 b1 W2 b2"
FORWARD = "a0 y z1 a1 z2 a2"
BACKWARD = "grad_a2 dact2 delta2 grad_W2 grad_b2 grad_a1 dact1 delta1 grad_W1 grad_b1"


def program(rule=None, samples=4, batch=2, **changes):
    """2-3-2, ReLU then σ, ½SSE; `changes` replaces the model's fields (loss=None, …)."""
    model = make_model([2, 3, 2], ["relu", "sigmoid"], optimizer=rule)
    data = make_data(model, samples, batch)
    return build_program(replace(model, **changes), data)


def test_quantities_come_parameters_first_then_in_the_order_they_are_made():
    momentum = program(Optimizer.of("momentum", 0.1))
    assert momentum.quantities == names(f"{PARAMETERS} {FORWARD} loss {BACKWARD} v_W1 v_b1 v_W2 v_b2")
    # Adam reads t, the iteration's number: it is a quantity, last
    adam = program(Optimizer.of("adam", 0.1))
    slots = " ".join(f"{s}_{p}" for p in PARAMETERS.split() for s in ("m", "v", "mhat", "vhat"))
    assert adam.quantities == names(f"{PARAMETERS} {FORWARD} loss {BACKWARD} {slots} t")


def test_the_ops_in_order_and_where_each_phase_ends():
    p = program(Optimizer.of("momentum", 0.1))
    outputs = [str(op.output) for op in p.ops]
    assert outputs == (["a0", "z1", "a1", "z2", "a2", "loss"] + BACKWARD.split()
                       + "v_W1 W1 v_b1 b1 v_W2 W2 v_b2 b2".split())
    assert (p.forward_end, p.loss_index, p.backward_end, len(p)) == (5, 5, 16, 24)
    assert p.has_loss and p.trains
    assert p.kept == tuple(names(f"{PARAMETERS} v_W1 v_b1 v_W2 v_b2"))


def test_without_a_loss_or_an_optimizer_an_iteration_stops_early():
    forward_only = program(loss=None)
    assert [str(op.output) for op in forward_only.ops] == ["a0", "z1", "a1", "z2", "a2"]
    assert not forward_only.has_loss and not forward_only.trains
    assert forward_only.loss_index == len(forward_only) == 5
    state, loss, ok = forward_only.iterate(forward_only.model.initial_state(), 1)
    assert math.isnan(loss) and ok
    backward_only = program(Optimizer.of("sgd", 0.1), optimizer=None)
    assert backward_only.has_loss and not backward_only.trains
    assert backward_only.backward_end == len(backward_only) == 16


def test_the_last_writer_of_a_quantity_written_twice():
    p = program(l2=0.5)  # the L2 term rewrites each ∂J/∂W
    writers = [i for i, op in enumerate(p.ops) if str(op.output) == "grad_W2"]
    assert [p.ops[i].kind for i in writers] == ["grad_W", "penalty_grad"]
    assert p.last_writer[Name.parse("grad_W2")] == writers[1]
    assert p.last_writer[Name.parse("W2")] == max(i for i, op in enumerate(p.ops) if str(op.output) == "W2")


def test_shapes_with_the_batch_standing_for_none():
    p = build_program(m := make_model([2, 3, 2], ["relu", "softmax"], loss="mse"), make_data(m, 4, 2))
    assert p.shapes[Name.parse("z1")] == (None, 3)
    assert p.shape(Name.parse("z1"), 5) == (5, 3)
    assert p.shape(Name.parse("W1"), 5) == (3, 2)
    assert p.shape(Name.parse("dact2"), 7) == (7, 2, 2)  # the softmax Jacobian
    assert p.shape(LOSS, 5) == ()
    assert p.shape(Name.parse("y"), 5) == (5, 2)


def test_watched_are_the_weighted_sums_and_the_frozen_parameters_gradients():
    p = program(Optimizer.of("sgd", 0.1, frozen={"b1"}))
    assert p.watched == tuple(names("z1 z2 grad_b1"))
    assert program(Optimizer.of("sgd", 0.1)).watched == tuple(names("z1 z2"))


def test_the_evaluation_is_every_sample_without_dropout():
    whole = program(samples=4, batch=4)
    assert whole.evaluation is whole
    batches = program(samples=4, batch=2)
    assert batches.evaluation.data.batch_size == 4 and batches.evaluation.ops is not batches.ops
    model = whole.model
    p = build_program(replace(model, layers=(replace(model.layers[0], dropout=0.5), model.layers[1])), whole.data)
    assert "dropout_mask" in [op.kind for op in p.ops]
    assert "dropout_mask" not in [op.kind for op in p.evaluation.ops]


def test_run_stops_where_asked_and_loss_and_gradients_are_the_iterations():
    p = program(Optimizer.of("sgd", 0.1))
    start = p.model.initial_state()
    forward = p.run(start, 2, p.forward_end)
    assert Name.parse("a2") in forward and LOSS not in forward
    # the loss of iteration 2's batch, by hand: ½Σ(a2 − y)², the mean over the batch
    x, y = p.data.batch(2)
    W1, b1, W2, b2 = (start[n] for n in names(PARAMETERS))
    a2 = 1 / (1 + np.exp(-(np.maximum(x @ W1.T + b1, 0) @ W2.T + b2)))
    J = np.mean(0.5 * np.sum((a2 - y) ** 2, axis=1))
    assert p.loss(start, 2) == pytest.approx(J, rel=1e-14)
    loss, grads, values = p.gradients(start, 2)
    assert loss == p.loss(start, 2) and LOSS in values
    # the values on the way stop before the update: the parameters are still the start's
    assert all(values[name].tobytes() == start[name].tobytes() for name in names(PARAMETERS))
    assert list(grads) == names(PARAMETERS)
    stepped = Debugger(p.model, p.data)
    stepped.goto(stepped.n_ops + p.backward_end)  # iteration 2, its backward pass done
    start = stepped.start_parameters
    loss, grads, _ = p.gradients(start, 2)
    for name, g in grads.items():
        assert g.tobytes() == stepped.values[Name("grad_" + name.kind, name.layer)].tobytes()


def test_iterate_returns_what_is_kept_the_loss_before_the_update_and_whether_it_stayed_finite():
    p = program(Optimizer.of("momentum", 0.1))
    start = p.model.initial_state()
    state, loss, ok = p.iterate(start, 1)
    assert list(state) == list(p.kept) and ok
    assert loss == p.loss(start, 1)
    full = p.run(start, 1)
    assert all(state[n].tobytes() == full[n].tobytes() for n in p.kept)
    nan_input = Dataset(np.array([[np.nan, 1.0], [0.0, 1.0]]), np.zeros((2, 2)), 2)
    bad = build_program(p.model, nan_input)
    _, _, ok = bad.iterate(start, 1)
    assert not ok


def test_finite_state_means_every_kept_value_finite():
    p = program(Optimizer.of("sgd", 0.1))
    state = dict(p.model.initial_state())
    assert p.finite(state)
    state[Name.parse("b2")] = np.array([0.0, np.inf])
    assert not p.finite(state)


@pytest.mark.parametrize("value, expected", [
    (np.zeros(3), True),
    (np.array([1.0, np.nan]), False),
    (np.array([np.inf, -np.inf]), False),  # their sum is NaN
    (np.array([1e308, 1e308]), True),  # the sum overflows; each is finite
    (np.full(100, 1e200), True),  # Σx² overflows; each is finite
    (np.r_[np.zeros(99), np.nan], False),
    (np.r_[np.ones(99), -np.inf], False),
    (np.array(2.0), True),
    (np.array(np.nan), False),
])
def test_finite_looks_at_every_element(value, expected):
    assert finite(value) is expected


def test_run_leaves_nan_and_inf_to_the_debugger_without_warning():
    p = program(Optimizer.of("sgd", 0.1))
    state = {**p.model.initial_state(), Name.parse("W1"): np.full((3, 2), np.inf)}
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # a RuntimeWarning (inf − inf, inf·0) would fail here
        values = p.run(state, 1)
    assert not finite(values[Name.parse("z1")])


def rows(ops) -> list[tuple]:
    return [(op.kind, op.phase, op.layer, str(op.output), " ".join(map(str, op.reads)), op.label, op.shape)
            for op in ops]


def test_every_op_of_a_layered_network_its_phase_layer_reads_label_and_shape():
    """3 inputs, 2 units with a bias and dropout, 4 without; L2, ∂J/∂a0, SGD: each op as the
    module's docstrings describe it, written out here (no two sizes equal, so a shape that
    takes the wrong size shows)."""
    sigmoid = ACTIVATIONS.make("sigmoid")
    model = Model(3, (Layer(2, sigmoid, True, 0.5), Layer(4, sigmoid, False)), LOSSES.make("half_sse"), "mean",
                  Optimizer.of("sgd", 0.5), {Name("W", 1): np.zeros((2, 3)), Name("b", 1): np.zeros(2),
                                             Name("W", 2): np.zeros((4, 2))}, l2=0.25, input_gradient=True)
    ops = network.operations(model, Dataset(np.zeros((5, 3)), np.zeros((5, 4)), 2))
    assert rows(ops) == [
        ("batch", "forward", 0, "a0", "", "the batch", (None, 3)),
        ("weighted_sum", "forward", 1, "z1", "a0 W1 b1", "weighted sum", (None, 2)),
        ("dropout_mask", "forward", 1, "m1", "a0 t", "dropout mask", (None, 2)),
        ("activation", "forward", 1, "a1", "z1 m1", "activation (sigmoid) with dropout", (None, 2)),
        ("weighted_sum", "forward", 2, "z2", "a1 W2", "weighted sum", (None, 4)),
        ("activation", "forward", 2, "a2", "z2", "activation (sigmoid)", (None, 4)),
        ("penalty", "loss", None, "penalty", "W1 W2", "L2 penalty", ()),
        ("loss", "loss", None, "loss", "a2 y penalty", "loss", ()),
        ("loss_grad", "loss", 2, "grad_a2", "a2 y", "gradient of the loss", (None, 4)),
        ("dact", "backward", 2, "dact2", "z2 a2", "derivative of the activation (sigmoid)", (None, 4)),
        ("delta", "backward", 2, "delta2", "grad_a2 dact2", "delta (∂J/∂z)", (None, 4)),
        ("grad_W", "backward", 2, "grad_W2", "delta2 a1", "gradient of the weights", (4, 2)),
        ("penalty_grad", "backward", 2, "grad_W2", "grad_W2 W2", "L2 term of the gradient", (4, 2)),
        ("grad_a", "backward", 2, "grad_a1", "delta2 W2", "gradient of the layer below", (None, 2)),
        ("dact", "backward", 1, "dact1", "z1 m1", "derivative of the activation (sigmoid) with dropout", (None, 2)),
        ("delta", "backward", 1, "delta1", "grad_a1 dact1", "delta (∂J/∂z)", (None, 2)),
        ("grad_W", "backward", 1, "grad_W1", "delta1 a0", "gradient of the weights", (2, 3)),
        ("penalty_grad", "backward", 1, "grad_W1", "grad_W1 W1", "L2 term of the gradient", (2, 3)),
        ("grad_b", "backward", 1, "grad_b1", "delta1", "gradient of the biases", (2,)),
        ("grad_a", "backward", 1, "grad_a0", "delta1 W1", "gradient of the input (saliency)", (None, 3)),
        ("update", "update", 1, "W1", "W1 grad_W1", "update (sgd)", (2, 3)),
        ("update", "update", 1, "b1", "b1 grad_b1", "update (sgd)", (2,)),
        ("update", "update", 2, "W2", "W2 grad_W2", "update (sgd)", (4, 2)),
    ]
    assert ops[0].outputs == {Name.parse("a0"): (None, 3), Name.parse("t"): (), Name.parse("y"): (None, 4)}


def test_softmax_with_cross_entropy_ends_the_loss_at_j_and_starts_backward_at_the_fused_delta():
    softmax = ACTIVATIONS.make("softmax")
    model = Model(3, (Layer(2, softmax),), LOSSES.make("cross_entropy"), "sum", None,
                  {Name("W", 1): np.zeros((2, 3)), Name("b", 1): np.zeros(2)})
    ops = network.operations(model, Dataset(np.zeros((5, 3)), np.eye(2)[[0, 1, 1, 0, 0]], 2))
    assert rows(ops) == [
        ("batch", "forward", 0, "a0", "", "the batch", (None, 3)),
        ("weighted_sum", "forward", 1, "z1", "a0 W1 b1", "weighted sum", (None, 2)),
        ("activation", "forward", 1, "a1", "z1", "activation (softmax)", (None, 2)),
        ("loss", "loss", None, "loss", "a1 y", "loss", ()),
        ("delta", "backward", 1, "delta1", "a1 y", "delta (softmax with cross-entropy)", (None, 2)),
        ("grad_W", "backward", 1, "grad_W1", "delta1 a0", "gradient of the weights", (2, 3)),
        ("grad_b", "backward", 1, "grad_b1", "delta1", "gradient of the biases", (2,)),
    ]


def test_the_batch_of_a_network_whose_output_is_the_loss_gives_no_targets():
    model = Model(2, (Layer(1, ACTIVATIONS.make("identity")),), LOSSES.make("output"), "mean", None,
                  {Name("W", 1): np.zeros((1, 2)), Name("b", 1): np.zeros(1)})
    ops = network.operations(model, Dataset(np.zeros((4, 2)), np.zeros((4, 0)), 2))
    assert rows(ops)[0] == ("batch", "forward", 0, "a0", "", "the batch", (None, 2))
    assert ops[0].outputs == {Name.parse("a0"): (None, 2), Name.parse("t"): ()}
    assert (ops[0].formula, ops[0].latex) == ("a0 = x[batch]", r"a^{(0)} = x_{\text{batch}}")
    assert ops[0].code == "start = (t - 1) % 2 * 2\na0 = x[start:start + 2]"  # 2 batches of 2: no y


def test_the_loss_s_gradient_and_the_fused_delta_are_shaped_by_the_last_layer():
    """3 layers of 5, 4 and 2 units: n and the shapes are the output layer's, not another's."""
    model = make_model([3, 5, 4, 2], ["tanh", "relu", "sigmoid"], loss="mse")
    loss_grad = network.loss(model)[-1]
    assert loss_grad.shape == (None, 2) and loss_grad.formula.endswith("   (n = 2)")
    fused = make_model([3, 5, 4, 2], ["tanh", "relu", "softmax"], loss="cross_entropy")
    assert [(op.kind, op.shape) for op in network.backward(fused, 3)[:1]] == [("delta", (None, 2))]

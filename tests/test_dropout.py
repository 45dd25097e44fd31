"""Dropout: masks as operations, masked gradients, replay, evaluation without dropout."""

from __future__ import annotations

import numpy as np

from stepnet.engine.gradcheck import gradient_check
from stepnet.engine.names import Name
from stepnet.engine.program import build_program
from stepnet.scenario import load


def test_dropped_units_receive_no_gradient(scenarios):
    d = load(scenarios / "dropout.toml").debugger()
    d.goto(d.n_ops)
    for l in (1, 2):
        m = d.values[Name.parse(f"m{l}")]
        assert set(np.unique(m)) <= {0.0, 2.0} and (m == 0).any() and (m == 2).any()
        dropped = m == 0
        assert not d.values[Name.parse(f"a{l}")][dropped].any()
        assert not d.values[Name.parse(f"delta{l}")][dropped].any()
    # a unit dropped in every sample of the batch gets no gradient on its weights at all
    always = (d.values[Name.parse("m1")] == 0).all(axis=0)
    assert not d.values[Name.parse("grad_W1")][always].any()


def test_masked_gradients_match_finite_differences_with_the_same_mask(scenarios):
    s = load(scenarios / "dropout.toml")
    for r in gradient_check(build_program(s.model, s.data), s.model.initial_state(), 1):
        assert r.passes(1e-6), r


def test_finite_differences_without_the_mask_disagree(scenarios):
    """The check is not vacuous: with the masks left out of J (but not out of backprop),
    the gradient check fails."""
    s = load(scenarios / "dropout.toml")
    masked, unmasked = build_program(s.model, s.data), build_program(s.model.without_dropout(), s.data)

    class Mixed:  # backprop with the masks, J without
        model, loss_index, gradients, run = masked.model, unmasked.loss_index, masked.gradients, unmasked.run
        has_loss = True

    results = {str(r.name): r for r in gradient_check(Mixed(), s.model.initial_state(), 1)}
    assert not results["W1"].passes() and not results["W2"].passes()


def test_masks_are_redrawn_exactly_on_replay_and_differ_between_iterations(scenarios):
    d = load(scenarios / "dropout.toml").debugger()
    d.goto(d.n_ops + 3)  # iteration 2, its first mask drawn
    m2 = d.values[Name.parse("m1")].copy()
    d.goto(3)
    m1 = d.values[Name.parse("m1")].copy()
    d.goto(d.n_ops + 3)
    assert np.array_equal(d.values[Name.parse("m1")], m2) and not np.array_equal(m1, m2)


def test_inverted_dropout_keeps_the_expected_activation(scenarios):
    s = load(scenarios / "dropout.toml")
    masks = s.model.dropout_mask(1, 1, 100_000)
    assert abs(masks.mean() - 1.0) < 0.01  # E[m] = 1: no rescaling needed at test time


def test_evaluation_runs_without_dropout(scenarios):
    s = load(scenarios / "dropout.toml")
    state = s.model.initial_state()
    x = s.data.inputs
    program = build_program(s.model, s.data).evaluation
    a1 = program.run(state, 1, program.loss_index)[Name("a", 1)]
    h = np.maximum(x @ state[Name("W", 1)].T + state[Name("b", 1)], 0)  # every unit, no mask, no scaling
    np.testing.assert_allclose(a1, h, rtol=1e-15)


def test_fast_path_equals_op_by_op_with_dropout(scenarios):
    s = load(scenarios / "dropout.toml")
    slow, fast = s.debugger(), s.debugger()
    for _ in range(4 * slow.n_ops):
        slow.step()
    fast.run_iterations(4)
    for name, value in slow.parameters().items():
        assert value.tobytes() == fast.parameters()[name].tobytes(), name

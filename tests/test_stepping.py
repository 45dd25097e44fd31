"""The stepping machine: exact step-back, fast path = op path, bounded history, breakpoints."""

from __future__ import annotations

import numpy as np
import pytest

from conftest import make_data, make_debugger, make_model
from stepnet.engine.breakpoints import Condition, ConditionError, OpBreakpoint, parse
from stepnet.engine.debugger import SECONDS_PER_BYTE_KEPT, Checkpoints, Debugger
from stepnet.engine.model import Dataset, Optimizer
from stepnet.engine.names import Name

MOMENTUM = Optimizer.of("momentum", 0.2, frozen={"b1"}, momentum=0.9)


def snapshot(d: Debugger) -> dict[str, bytes]:
    return {k: np.asarray(v).tobytes() for k, v in d.values.items()}


@pytest.mark.parametrize("optimizer", [None, MOMENTUM])
def test_every_step_back_restores_the_exact_state(optimizer):
    d = make_debugger(make_model([3, 4, 2], ["relu", "sigmoid"], optimizer=optimizer), 6, 2)
    seen = [snapshot(d)]
    for _ in range(3 * d.n_ops):  # three iterations, three different batches
        d.step()
        seen.append(snapshot(d))
    for position in range(len(seen) - 1, 0, -1):
        assert snapshot(d) == seen[position]
        d.back()
    assert d.position == 0 and snapshot(d) == seen[0]


def test_fast_path_parameters_are_bit_identical_to_op_by_op():
    for optimizer, act, loss in [(None, "sigmoid", "half_sse"), (MOMENTUM, "softmax", "cross_entropy"),
                                 (None, "softmax", "mse"), (MOMENTUM, "sigmoid", "binary_cross_entropy")]:
        model = make_model([3, 5, 3], ["tanh", act], loss=loss, optimizer=optimizer)
        data = make_data(model, 10, 4, shuffle=True)  # batches of 4, 4, 2, reshuffled each epoch
        slow, fast = Debugger(model, data), Debugger(model, data)
        for _ in range(7 * slow.n_ops):
            slow.step()
        fast.run_iterations(7)  # all but the last through the fast path
        all_fast = Debugger(model, data).parameters_after(7)  # all seven through the fast path
        for name, value in slow.parameters().items():
            assert value.tobytes() == fast.parameters()[name].tobytes(), name
            assert value.tobytes() == all_fast[name].tobytes(), name
        assert slow.losses == fast.losses


def test_step_back_across_an_iteration_after_a_fast_run():
    d = make_debugger(make_model([2, 3, 1], ["tanh", "sigmoid"]), 8, 2)
    d.run_iterations(50)
    end = snapshot(d)
    d.back()
    assert d.iteration == 50 and d.index == d.n_ops - 1
    d.goto(50 * d.n_ops - 2 * d.n_ops)  # the end of iteration 48
    d.goto(50 * d.n_ops)
    assert snapshot(d) == end


def test_history_memory_stays_bounded_on_a_784_64_10_network():
    model = make_model([784, 64, 10], ["relu", "softmax"], loss="cross_entropy",
                       optimizer=Optimizer.of("sgd", 0.01))
    rng = np.random.default_rng(0)
    data = Dataset(rng.random((256, 784)), np.eye(10)[rng.integers(0, 10, 256)], 32)
    d = Debugger(model, data)
    d.run_iterations(1000)
    assert d.history_bytes <= 50 * 2**20
    before = d.parameters()[Name.parse("W1")].tobytes()
    d.back()
    d.step()
    assert d.parameters()[Name.parse("W1")].tobytes() == before
    d.goto(500 * d.n_ops)  # far back: replay from a thinned checkpoint
    assert d.iteration == 500 and len(d.losses) == 500


def test_batches_follow_file_order_and_wrap_around():
    data = Dataset(np.arange(10.0).reshape(5, 2), np.zeros((5, 1)), 2)
    assert [data.rows(k).tolist() for k in range(1, 5)] == [[0, 1], [2, 3], [4], [0, 1]]


def test_shuffled_epochs_are_permutations_and_reproducible():
    data = Dataset(np.zeros((6, 1)), np.zeros((6, 1)), 2, shuffle=True, seed=5)
    epoch = sorted(np.concatenate([data.rows(k) for k in (1, 2, 3)]).tolist())
    assert epoch == list(range(6))
    assert data.rows(4).tolist() == data.rows(4).tolist()
    assert any(data.rows(k).tolist() != data.rows(k + 3).tolist() for k in (1, 2, 3))


def test_all_gradients_use_the_weights_before_the_update():
    d = make_debugger(make_model([2, 2, 2], ["sigmoid", "sigmoid"]), 1, 1)
    W2 = d.values[Name.parse("W2")]
    d.goto(d.n_ops)
    np.testing.assert_array_equal(d.values[Name.parse("grad_a1")], d.values[Name.parse("delta2")] @ W2)


def test_momentum_matches_a_hand_written_loop():
    model = make_model([2, 2, 1], ["tanh", "identity"], loss="mse",
                       optimizer=Optimizer.of("momentum", 0.1, momentum=0.9))
    d = make_debugger(model, 2, 2)
    d.run_iterations(3)
    W = {str(k): v.copy() for k, v in model.initial.items()}
    V = {k: np.zeros_like(v) for k, v in W.items()}
    x, y = d.data.inputs, d.data.targets
    for _ in range(3):
        h = np.tanh(x @ W["W1"].T + W["b1"])
        p = h @ W["W2"].T + W["b2"]
        g_out = 2 * (p - y) / 2  # mse over one unit, mean over two samples
        d1 = (g_out @ W["W2"]) * (1 - h**2)
        grads = {"W2": g_out.T @ h, "b2": g_out.sum(0), "W1": d1.T @ x, "b1": d1.sum(0)}
        for k in W:
            V[k] = 0.9 * V[k] - 0.1 * grads[k]
            W[k] = W[k] + V[k]
    for k in W:
        np.testing.assert_allclose(d.values[Name.parse(k)], W[k], rtol=1e-12)
        np.testing.assert_allclose(d.values[Name.parse(f"v_{k}")], V[k], rtol=1e-12)


def test_continue_stops_after_the_matching_op_and_reverse_finds_it_again():
    d = make_debugger(make_model([2, 3, 2], ["sigmoid", "sigmoid"]), 4, 2)
    bp = [OpBreakpoint(output=Name("delta", 1))]
    assert d.continue_(bp, limit=10 * d.n_ops)
    first = d.position
    assert str(d.last_op.output) == "delta1"
    assert d.continue_(bp, limit=10 * d.n_ops)
    assert d.position == first + d.n_ops
    assert d.reverse_continue(bp, limit=0)
    assert d.position == first
    assert not d.reverse_continue(bp, limit=0) and d.position == 0


def test_condition_breakpoints():
    d = make_debugger(make_model([2, 3, 2], ["sigmoid", "sigmoid"]), 4, 2)
    assert d.continue_([Condition.parse("|delta| < 10")], limit=d.n_ops)
    assert str(d.last_op.output) == "delta2"
    assert not d.continue_([Condition.parse("loss > 1e9")], limit=d.n_ops)
    assert d.position == d.n_ops
    end = d.position
    assert d.reverse_continue([Condition.parse("|delta| < 10")], limit=0)
    assert str(d.last_op.output) == "delta1" and d.position < end
    with pytest.raises(ConditionError):
        Condition.parse("delta <<< 3")


def test_nan_is_flagged_where_it_first_appears():
    model = make_model([2, 3, 1], ["relu", "identity"], optimizer=Optimizer.of("sgd", 1e200))
    d = make_debugger(model, 2, 2)
    d.run_iterations(5)
    assert d.fault is not None
    stepped = make_debugger(model, 2, 2)
    assert stepped.continue_([Condition.parse("nan")], limit=5 * d.n_ops)
    assert stepped.position == d.fault.position and stepped.last_op.output == d.fault.op.output


def test_layer_and_phase_boundaries():
    d = make_debugger(make_model([2, 3, 2], ["sigmoid", "sigmoid"]), 2, 2)
    d.goto(d.boundary("phase"))
    assert d.last_op.phase == "forward" and d.next_op.phase == "loss"
    d.goto(d.boundary("layer"))
    assert str(d.last_op.output) == "loss"
    d.goto(d.boundary("layer", forward=False))
    assert d.last_op.phase == "forward"
    d.goto(d.boundary("iteration"))
    assert d.position == d.n_ops


def test_checkpoints_are_kept_after_enough_computation_and_thinned_to_the_budget():
    state = {Name.parse("W1"): np.zeros(512)}  # 4 KB
    c = Checkpoints(4096, budget=3 * 4096)
    c.offer(0, state)  # the first is kept whatever it cost
    spacing = c.spacing
    assert spacing == pytest.approx(4096 * SECONDS_PER_BYTE_KEPT)
    c.offer(1, state, spacing / 2)
    assert list(c.saved) == [0]  # half the spacing since the last kept one: not kept
    c.offer(2, state, spacing / 2)
    c.offer(3, state, 0.0)  # not measured (stepping): counts for nothing
    c.offer(4, state, 2 * spacing)
    assert list(c.saved) == [0, 2, 4] and c.nbytes == 3 * 4096
    c.offer(5, state, spacing)  # a fourth is over budget: every other one goes
    assert sorted(c.saved) == [0, 4] and c.spacing == 2 * spacing


def test_a_long_run_keeps_few_states_and_every_boundary_is_reached_exactly():
    model = make_model([30, 20, 5], ["relu", "softmax"], loss="cross_entropy")
    data = make_data(model, 40, 8)
    stepped = Debugger(model, data)
    boundaries = {0: snapshot(stepped)}
    for k in range(1, 200):
        for _ in range(stepped.n_ops):
            stepped.step()
        boundaries[k] = snapshot(stepped)
    d = Debugger(model, data)
    d.run_iterations(200)
    assert 1 <= len(d._checkpoints.saved) < 200
    for k in (199, 0, 123, 1, 57, 58, 198):  # back and forth, from checkpoints or replayed
        d.goto(k * d.n_ops)
        assert snapshot(d) == boundaries[k], k


# Breakpoints by themselves (breakpoints.py): on the ops of the 2-3-2 network above, whose
# phases and layers are the program's (delta2 is layer 2's, in the backward phase).

def _ops() -> dict[str, object]:
    d = make_debugger(make_model([2, 3, 2], ["tanh", "sigmoid"]))
    return {str(op.output): op for op in d.program.ops}


def test_an_op_breakpoint_matches_the_phase_layer_and_output_that_are_set():
    ops = _ops()
    delta2, z1 = ops["delta2"], ops["z1"]
    assert (delta2.phase, delta2.layer, z1.phase, z1.layer) == ("backward", 2, "forward", 1)
    assert OpBreakpoint().matches(delta2) and OpBreakpoint().matches(z1)
    assert OpBreakpoint(phase="backward").matches(delta2) and not OpBreakpoint(phase="backward").matches(z1)
    assert OpBreakpoint(layer=2).matches(delta2) and not OpBreakpoint(layer=2).matches(z1)
    assert OpBreakpoint(output=Name("z", 1)).matches(z1) and not OpBreakpoint(output=Name("z", 1)).matches(delta2)
    assert not OpBreakpoint(phase="backward", layer=1).matches(delta2)
    assert OpBreakpoint().describe() == "every operation"
    assert OpBreakpoint(output=Name("delta", 2)).describe() == "delta2"
    assert OpBreakpoint(phase="update", layer=0).describe() == "every operation in the update phase of layer 0"
    assert OpBreakpoint(output=Name("W", 2), layer=2, label="w5").describe() == "W2 (w5) of layer 2"


@pytest.mark.parametrize(("text", "fields"), [
    ("|delta| < 1e-6", ("delta", "<", 1e-6, True)),
    ("  loss >= 10 ", ("loss", ">=", 10.0, False)),
    ("delta2<=-0.5", ("delta2", "<=", -0.5, False)),
    ("| a1 |>3", ("a1", ">", 3.0, True)),
])
def test_a_condition_is_read_as_name_comparison_threshold_and_bars(text, fields):
    c = Condition.parse(text)
    assert (c.name, c.comparison, c.threshold, c.absolute, c.nonfinite) == (*fields, False)
    assert c.text == text.strip() and c.describe() == text.strip()


@pytest.mark.parametrize("text", ["nan", " NaN/Inf ", "any nan", "inf", "non-finite", "nonfinite"])
def test_nan_in_any_of_its_spellings_is_the_non_finite_condition(text):
    c = Condition.parse(text)
    assert c.nonfinite and c.name is None and c.text == text.strip() and c.describe() == "any NaN or Inf"


@pytest.mark.parametrize(("text", "message"), [
    ("|delta < 1", "cannot read '|delta < 1': expected 'nan', or NAME OP NUMBER such as '|delta| < 1e-6' or 'loss > 10'"),
    ("delta| < 1", "cannot read 'delta| < 1': expected 'nan', or NAME OP NUMBER such as '|delta| < 1e-6' or 'loss > 10'"),
    ("delta == 1", "cannot read 'delta == 1': expected 'nan', or NAME OP NUMBER such as '|delta| < 1e-6' or 'loss > 10'"),
    ("delta < abc", "cannot read 'delta < abc': 'abc' is not a number"),
    ("a.b < 1", "cannot read 'a.b < 1': no quantity named 'a.b'"),
])
def test_a_condition_that_cannot_be_read_says_why(text, message):
    with pytest.raises(ConditionError) as e:
        Condition.parse(text)
    assert str(e.value) == message


def test_a_condition_tests_any_element_or_with_bars_the_largest_size():
    ops = _ops()
    delta2, delta1, z1 = ops["delta2"], ops["delta1"], ops["z1"]
    v = np.array([[1.0, -1.5]])  # any element < 0: yes; largest |element| 1.5
    assert Condition.parse("delta < 0").matches(delta2, v) and Condition.parse("delta < 0").matches(delta1, v)
    assert not Condition.parse("delta < 0").matches(z1, v) and not Condition.parse("delta < 0").matches(delta2, None)
    assert Condition.parse("delta2 < 0").matches(delta2, v) and not Condition.parse("delta1 < 0").matches(delta2, v)
    assert not Condition.parse("delta < -2").matches(delta2, v)
    assert Condition.parse("|delta| < 2").matches(delta2, v) and not Condition.parse("|delta| < 1.5").matches(delta2, v)
    assert Condition.parse("|delta| <= 1.5").matches(delta2, v) and not Condition.parse("delta <= -2").matches(delta2, v)
    assert Condition.parse("delta > 0.5").matches(delta2, v) and not Condition.parse("delta > 1").matches(delta2, v)
    assert Condition.parse("delta >= 1").matches(delta2, v) and not Condition.parse("|delta| >= 1.6").matches(delta2, v)
    nan = Condition.parse("nan")
    assert nan.matches(z1, np.array([[1.0, np.inf]])) and nan.matches(delta2, np.array([np.nan]))
    assert not nan.matches(z1, v)


def test_a_condition_on_one_element_tests_it_alone_in_the_source_s_sign():
    delta2 = _ops()["delta2"]
    v = np.array([[2.0, -1.0]])
    second = Condition("δ < 0", "delta2", "<", 0.0, index=(0, 1))
    assert second.matches(delta2, v) and not Condition("δ < 0", "delta2", "<", 0.0, index=(0, 0)).matches(delta2, v)
    assert Condition("−δ < 0", "delta2", "<", 0.0, index=(0, 0), negated=True).matches(delta2, v)  # −2 < 0
    assert not Condition("−δ < 0", "delta2", "<", 0.0, index=(0, 1), negated=True).matches(delta2, v)  # 1
    assert not second.matches(delta2, np.array([[2.0]]))  # a batch without that element
    assert not second.matches(delta2, np.array([[[2.0, -1.0]]]))  # nor that index (another number of axes)
    assert not Condition("δ < 0", "delta2", "<", 0.0, index=(1, 0)).matches(delta2, v)


def test_a_breakpoint_as_typed_is_a_quantity_s_name_or_a_condition():
    quantities = [Name("delta", 2), Name("loss"), Name("W", 1)]
    assert parse(" delta2 ", quantities) == OpBreakpoint(output=Name("delta", 2))
    assert parse("delta2", quantities).label == ""
    assert parse("delta < 0", quantities) == Condition.parse("delta < 0")
    with pytest.raises(ConditionError) as e:
        parse("delta3", quantities)
    assert str(e.value) == "no quantity named 'delta3' — did you mean 'delta2'?"
    with pytest.raises(ConditionError) as e:
        parse("zzz", quantities)
    assert str(e.value) == "no quantity named 'zzz'"
    with pytest.raises(ConditionError) as e:
        parse("delta3 > 1", quantities)
    assert str(e.value) == "no quantity named 'delta3', so it would never stop — did you mean 'delta2'?"
    with pytest.raises(ConditionError) as e:
        parse("delta <<< 3", quantities)
    assert str(e.value).startswith("cannot read 'delta <<< 3': expected 'nan'")


def test_a_condition_on_a_source_s_name_is_on_the_element_it_stands_for():
    from stepnet.engine.conventions import Alias, Glossary

    names = Glossary({"δ_o1": Alias(Name("delta", 2), (0, 1)), "w5": Alias(Name("W", 2))})
    c = Condition.parse(" |δ_o1| < 0.5", names)
    assert (c.text, c.name, c.comparison, c.threshold, c.absolute, c.index, c.negated) == (
        "|δ_o1| < 0.5", "delta2", "<", 0.5, True, (0, 1), False)
    w = Condition.parse("w5 > 1", names)
    assert (w.name, w.absolute, w.index) == ("W2", False, None)

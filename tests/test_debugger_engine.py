"""The debugger's history, losses, reverse-continue, `changed` and `gradient_check`, each
against something computed here independently of the debugger's own bookkeeping."""

from __future__ import annotations

import math
import tracemalloc

import numpy as np
import pytest

from conftest import make_data, make_debugger, make_model
from stepnet.engine.activations import ACTIVATIONS
from stepnet.engine.breakpoints import Condition, OpBreakpoint
from stepnet.engine.debugger import Checkpoints, Debugger
from stepnet.engine.losses import LOSSES
from stepnet.engine.model import Dataset, Layer, Model, Optimizer
from stepnet.engine.names import LOSS, Name

W1, b1, W2, b2 = Name("W", 1), Name("b", 1), Name("W", 2), Name("b", 2)


def held_bytes(states) -> int:
    """The bytes of the distinct arrays the states hold (an array kept by two states counts once)."""
    arrays = {id(a): a for state in states for a in state.values()}
    return sum(a.nbytes for a in arrays.values())


def array_bytes() -> int:
    """The bytes of NumPy's array data alive now (NumPy tells tracemalloc of them in a domain of its own)."""
    only_arrays = tracemalloc.DomainFilter(True, np.lib.tracemalloc_domain)
    return sum(t.size for t in tracemalloc.take_snapshot().filter_traces([only_arrays]).traces)


@pytest.mark.parametrize("optimizer", [Optimizer.of("sgd", 0.1), Optimizer.of("adam", 0.01)])
def test_the_history_counts_the_bytes_it_holds_and_stays_within_its_budget(optimizer):
    model = make_model([30, 20, 5], ["relu", "softmax"], loss="cross_entropy", optimizer=optimizer)
    state = sum(a.nbytes for a in model.initial_state().values())
    budget = 40 * state
    d = Debugger(model, make_data(model, 40, 8), history_budget=budget)
    tracemalloc.start()
    try:
        before = array_bytes()
        d.run_iterations(600)
        grown = array_bytes() - before
    finally:
        tracemalloc.stop()
    saved = d._checkpoints.saved
    assert 2 < len(saved) < 600  # kept some, thinned the rest
    assert d._checkpoints.nbytes == sum(sum(a.nbytes for a in s.values()) for s in saved.values())
    assert held_bytes(saved.values()) <= budget
    start = sum(a.nbytes for a in d.start_parameters.values())
    assert d.history_bytes == d._checkpoints.nbytes + start + 8 * 600
    # all 600 states would be 15 budgets; the run keeps the budget, the start of the last
    # iteration, and that iteration's quantities (a few states' worth)
    assert grown <= budget + 4 * state


def test_losses_after_stepping_back_into_an_earlier_iteration_and_forward_again():
    model = make_model([3, 4, 2], ["tanh", "sigmoid"])
    data = make_data(model, 8, 2)
    d = Debugger(model, data)
    n = d.n_ops
    loss_at = [i + 1 for i, op in enumerate(d.ops) if op.output is LOSS][0]  # its position in an iteration
    d.goto(4 * n)
    straight = list(d.losses)
    assert len(straight) == 4
    d.goto(n + loss_at - 1)  # iteration 2, just before its loss
    assert d.losses == straight[:1]
    d.step()
    assert d.losses == straight[:2]
    d.goto(4 * n + 2)
    assert d.losses == straight
    # each is J of its iteration's batch at the parameters it started from, by hand: ½Σ(a2 − y)², mean
    for k, loss in enumerate(straight, start=1):
        p = d.parameters_after(k - 1)
        x, y = data.batch(k)
        a1 = np.tanh(x @ p[W1].T + p[b1])
        a2 = 1 / (1 + np.exp(-(a1 @ p[W2].T + p[b2])))
        assert loss == pytest.approx(np.mean(0.5 * np.sum((a2 - y) ** 2, axis=1)), rel=1e-12)


def test_bias_on_some_layers_only_fast_path_equals_op_path_and_a_hand_written_step():
    rng = np.random.default_rng(3)
    initial = {W1: rng.normal(size=(3, 2)), W2: rng.normal(size=(2, 3)), b2: rng.normal(size=2)}
    sigmoid = ACTIVATIONS.make("sigmoid")
    model = Model(2, (Layer(3, sigmoid, bias=False), Layer(2, sigmoid, bias=True)), LOSSES.make("half_sse"), "mean",
                  Optimizer.of("sgd", 0.5), initial)
    data = Dataset(rng.normal(size=(6, 2)), rng.uniform(size=(6, 2)), 3)
    stepped, fast = Debugger(model, data), Debugger(model, data)
    for _ in range(3 * stepped.n_ops):
        stepped.step()
    fast.run_iterations(3)
    assert set(fast.parameters()) == {W1, W2, b2}
    for name, value in stepped.parameters().items():
        assert value.tobytes() == fast.parameters()[name].tobytes(), name
    # one SGD step by hand: δ2 = (a2 − y)/B ⊙ a2(1 − a2), δ1 = δ2·W2 ⊙ a1(1 − a1)
    x, y = data.batch(1)
    a1 = 1 / (1 + np.exp(-(x @ initial[W1].T)))
    a2 = 1 / (1 + np.exp(-(a1 @ initial[W2].T + initial[b2])))
    d2 = (a2 - y) / 3 * a2 * (1 - a2)
    d1 = d2 @ initial[W2] * a1 * (1 - a1)
    after = fast.parameters_after(1)
    np.testing.assert_allclose(after[W1], initial[W1] - 0.5 * d1.T @ x, rtol=1e-13)
    np.testing.assert_allclose(after[W2], initial[W2] - 0.5 * d2.T @ a1, rtol=1e-13)
    np.testing.assert_allclose(after[b2], initial[b2] - 0.5 * d2.sum(axis=0), rtol=1e-13)


def test_softmax_of_large_logits_is_finite_and_sums_to_one():
    a = ACTIVATIONS.make("softmax").f(np.array([[1000.0, 999.0], [0.0, -1.0]]))
    # both rows differ by 1: softmax is [1, e⁻¹]/(1 + e⁻¹) for each
    e = math.exp(-1.0)
    np.testing.assert_allclose(a, [[1 / (1 + e), e / (1 + e)]] * 2, rtol=1e-15)
    assert np.isfinite(a).all()
    np.testing.assert_allclose(a.sum(axis=1), [1.0, 1.0], rtol=1e-15)


def reverse_model() -> Debugger:
    model = make_model([2, 3, 2], ["sigmoid", "sigmoid"])
    return Debugger(model, make_data(model, 4, 2))


def test_reverse_continue_stops_at_a_hit_on_the_operation_just_before():
    d = reverse_model()
    d.goto(d.n_ops + 5)  # iteration 2, five ops in
    just_before = d.ops[3].output  # the op at position n + 4
    assert d.reverse_continue([OpBreakpoint(output=just_before)], limit=0)
    assert d.position == d.n_ops + 4 and d.last_op.output == just_before


def test_reverse_continue_stops_on_the_batch_operation():
    d = reverse_model()
    d.goto(2 * d.n_ops + 3)  # iteration 3
    batch = [OpBreakpoint(output=Name("a", 0))]
    assert d.reverse_continue(batch, limit=0)
    assert d.position == 2 * d.n_ops + 1 and d.last_op.kind == "batch"
    assert d.reverse_continue(batch, limit=0)
    assert d.position == d.n_ops + 1
    assert d.reverse_continue(batch, limit=0) and d.position == 1
    assert not d.reverse_continue(batch, limit=0) and d.position == 0


def test_reverse_continue_does_not_go_before_its_limit():
    d = reverse_model()
    d.goto(2 * d.n_ops + 3)
    assert not d.reverse_continue([OpBreakpoint(output=Name("a", 0))], limit=2 * d.n_ops + 1)
    assert d.position == 2 * d.n_ops + 1


def test_changed_marks_what_the_last_op_changed():
    # a dead ReLU unit (weights and bias far negative) gets no gradient: its row of W1 stays
    initial = {W1: np.array([[1.0, 0.5], [-50.0, -50.0]]), b1: np.array([0.0, -50.0]),
               W2: np.array([[1.0, -1.0]]), b2: np.array([0.0])}
    model = Model(2, (Layer(2, ACTIVATIONS.make("relu")), Layer(1, ACTIVATIONS.make("identity"))),
                  LOSSES.make("half_sse"), "mean", Optimizer.of("sgd", 0.1), initial)
    d = Debugger(model, Dataset(np.array([[1.0, 2.0], [2.0, 1.0], [0.5, 0.5]]), np.array([[1.0], [0.0], [2.0]]), 2))
    assert d.changed() is None
    d.step()
    name, mask = d.changed()
    assert name == Name("a", 0) and mask.shape == (2, 2) and mask.all()  # new: every element
    while d.last_op.output != W1:
        d.step()
    name, mask = d.changed()
    assert name == W1 and mask.tolist() == [[True, True], [False, False]]
    d.goto(d.n_ops + 1)  # the next batch has one sample: a0 of another shape, all of it new
    name, mask = d.changed()
    assert name == Name("a", 0) and mask.shape == (1, 2) and mask.all()


def test_changed_counts_a_nan_that_stays_nan_as_unchanged():
    initial = {W1: np.array([[np.nan, 1.0]])}
    model = Model(2, (Layer(1, ACTIVATIONS.make("identity"), bias=False),), LOSSES.make("half_sse"), "mean",
                  Optimizer.of("sgd", 0.1), initial)
    d = Debugger(model, Dataset(np.array([[0.0, 1.0]]), np.array([[0.0]]), 1))
    d.goto(d.n_ops)  # the update: W1 − η·grad_W1, where grad_W1 = δᵀ·x is NaN·[0, 1] = [NaN, NaN]
    name, mask = d.changed()
    assert name == W1 and np.isnan(d.values[W1]).all()
    assert mask.tolist() == [[False, True]]  # the NaN stayed NaN; the 1 became NaN


def test_gradient_check_is_of_the_current_iterations_batch_and_start():
    model = make_model([2, 3, 2], ["sigmoid", "sigmoid"])
    data = make_data(model, 6, 2)
    d = Debugger(model, data)
    d.goto(2 * d.n_ops - 1)  # iteration 2, before its last update: its gradients are all in
    checks = {c.name: c for c in d.gradient_check()}
    assert set(checks) == {W1, b1, W2, b2}
    start = d.start_parameters
    x, y = data.batch(2)

    def J(p) -> float:
        a1 = 1 / (1 + np.exp(-(x @ p[W1].T + p[b1])))
        a2 = 1 / (1 + np.exp(-(a1 @ p[W2].T + p[b2])))
        return float(np.mean(0.5 * np.sum((a2 - y) ** 2, axis=1)))

    for name, check in checks.items():
        assert check.passes()
        assert check.backprop == d.values[Name("grad_" + name.kind, name.layer)][check.worst_index]
        up, down = dict(start), dict(start)
        up[name], down[name] = start[name].copy(), start[name].copy()
        up[name][check.worst_index] += 1e-6
        down[name][check.worst_index] -= 1e-6
        assert check.numeric == pytest.approx((J(up) - J(down)) / 2e-6, rel=1e-6, abs=1e-9)


def test_where_it_is_iteration_and_index_of_each_position():
    d = reverse_model()
    n = d.n_ops
    assert (d.iteration, d.index, d.last_op, d.next_op) == (1, 0, None, d.ops[0])
    for position, iteration, index in [(1, 1, 1), (n - 1, 1, n - 1), (n, 1, n), (n + 1, 2, 1), (3 * n, 3, n)]:
        d.goto(position)
        assert (d.position, d.iteration, d.index) == (position, iteration, index)
        assert d.last_op is d.ops[index - 1] and d.next_op is d.ops[index % n]
    d.restart()
    assert d.position == 0 and d.values.keys() == d.model.initial_state().keys()


def test_an_op_that_rewrites_a_quantity_is_written_out_from_the_value_before_it():
    model = make_model([2, 2], ["identity"], l2=0.5)
    d = Debugger(model, make_data(model, 2, 2))
    grad_W1 = Name("grad_W", 1)
    while d.next_op.kind != "penalty_grad":
        d.step()
    before, W = float(d.values[grad_W1][0, 1]), float(d.values[W1][0, 1])
    d.step()
    after = float(d.values[grad_W1][0, 1])
    assert after == before + 0.5 * W
    signed = lambda x: f"({x:.4g})" if x < 0 else f"{x:.4g}"  # noqa: E731
    assert d.explain((0, 1), digits=4) == (
        f"grad_W1[0,1] = grad_W1[0,1] + λ·W1[0,1] = {signed(before)} + 0.5 × {signed(W)} = {after:.4g}")


def test_a_fault_names_the_quantity_the_iteration_and_the_formula():
    model = make_model([2, 3, 1], ["relu", "identity"], optimizer=Optimizer.of("sgd", 1e200))
    d = Debugger(model, make_data(model, 2, 2))
    d.run_iterations(5)
    fault = d.fault
    assert fault is not None and fault.iteration > 1
    assert fault.describe() == (f"{fault.op.output} became non-finite (NaN or Inf) in iteration {fault.iteration}, "
                                f"at `{fault.op.formula}`")
    assert (fault.position - 1) // d.n_ops + 1 == fault.iteration
    d.parameters_after(8)  # later iterations, NaN throughout: the first fault stays the one named
    d.goto(7 * d.n_ops + 3)
    assert d.fault is fault


def test_changed_of_a_new_scalar_and_of_a_value_with_nothing_before_is_a_boolean_mask():
    d = reverse_model()
    while d.last_op is None or d.last_op.output is not LOSS:
        d.step()
    name, mask = d.changed()  # J, 0-d, was not in the state before
    assert name is LOSS and mask.shape == () and mask.dtype == bool and bool(mask)
    d.goto(1)
    assert d.changed()[1].dtype == bool


def test_reverse_continue_finds_a_hit_on_the_first_op_of_an_iteration_just_before():
    d = reverse_model()
    d.goto(2 * d.n_ops + 2)  # the batch op of iteration 3 is the one just before
    assert d.reverse_continue([OpBreakpoint(output=Name("a", 0))], limit=0)
    assert d.position == 2 * d.n_ops + 1


def test_reverse_continue_from_the_first_op_with_a_condition_goes_to_the_start():
    d = reverse_model()
    d.step()
    assert not d.reverse_continue([Condition.parse("|delta| < 10")], limit=0)
    assert d.position == 0


def test_before_the_first_op_the_previous_boundary_is_the_start():
    d = reverse_model()
    assert d.boundary("phase", forward=False) == 0
    d.step()
    assert d.boundary("phase", forward=False) == 0 and d.boundary("layer", forward=False) == 0


def test_gradient_check_uses_the_step_it_is_given():
    model = make_model([2, 2], ["sigmoid"])
    data = make_data(model, 2, 2)
    d = Debugger(model, data)
    d.goto(d.n_ops - 1)
    x, y = data.batch(1)
    start = d.start_parameters

    def J(p) -> float:
        a = 1 / (1 + np.exp(-(x @ p[W1].T + p[b1])))
        return float(np.mean(0.5 * np.sum((a - y) ** 2, axis=1)))

    def central(index, h) -> float:
        up, down = dict(start), dict(start)
        up[W1], down[W1] = start[W1].copy(), start[W1].copy()
        up[W1][index] += h
        down[W1][index] -= h
        return (J(up) - J(down)) / (2 * h)

    (check,) = [c for c in d.gradient_check(eps=0.5) if c.name == W1]
    # σ is not quadratic: a step of 0.5 gives another quotient than a step of 1e-6
    assert check.numeric == pytest.approx(central(check.worst_index, 0.5), rel=1e-12)
    assert check.numeric != pytest.approx(central(check.worst_index, 1e-6), rel=1e-4)


def test_checkpoints_keep_the_first_and_the_latest_whatever_the_budget_and_thin_from_three():
    state = {W1: np.zeros(512)}  # 4 KB
    c = Checkpoints(4096, budget=4096)
    c.offer(0, state)
    c.offer(1, state)  # not measured (stepping): not kept
    assert list(c.saved) == [0]
    c.offer(2, state, 1.0)
    assert sorted(c.saved) == [0, 2]  # over the budget, but two are always kept
    c = Checkpoints(4096, budget=2 * 4096)
    for k in range(3):
        c.offer(k, state, 1.0)
    assert sorted(c.saved) == [0, 2]  # the third is over the budget: every other one goes


def test_stepping_into_an_iteration_starts_it_from_the_last_ones_parameters():
    d = reverse_model()
    for _ in range(d.n_ops + 1):  # through iteration 1, then its next batch
        d.step()
    assert d.iteration == 2 and d.last_op.kind == "batch"
    after_one = d.parameters_after(1)
    assert all(d.start_parameters[n].tobytes() == after_one[n].tobytes() for n in after_one)
    assert list(d._checkpoints.saved) == [0]  # stepping is not measured: nothing more is kept


def test_an_expectation_is_checked_once_its_quantity_is_final_in_its_iteration():
    from stepnet.engine import expect
    from stepnet.engine.expect import Expectation

    d = make_debugger(make_model([2, 3, 2], ["tanh", "sigmoid"]))
    delta2, W1 = Name("delta", 2), Name("W", 1)
    last = {name: max(i for i, op in enumerate(d.program.ops) if op.output == name) for name in (delta2, W1)}
    stated = [Expectation(delta2, 1, (0, 0), np.array(0.0), 1e9), Expectation(W1, 1, None, np.zeros((3, 2)), 1e9),
              Expectation(delta2, 2, None, np.zeros((1, 2)), 1e9)]
    assert expect.checkable(d, stated) == {}  # before the first op
    d.goto(last[delta2] + 1)  # just after the op that writes delta2 in iteration 1
    assert list(expect.checkable(d, stated)) == [0]
    assert [o.expectation for o in expect.due(d, stated)] == [stated[0]]
    d.goto(last[delta2] + 2)  # one op later: still checkable, no longer due
    assert list(expect.checkable(d, stated)) == [0] and expect.due(d, stated) == []
    d.goto(last[W1] + 1)
    assert list(expect.checkable(d, stated)) == [0, 1] and [o.expectation for o in expect.due(d, stated)] == [stated[1]]


def test_an_expectation_s_error_and_its_figure_in_place():
    from stepnet.engine import expect
    from stepnet.engine.expect import Expectation

    z1 = Name("z", 1)
    e = Expectation(z1, 1, (0, 1), np.array(2.0), 0.25)
    outcome = expect.evaluate(e, {z1: np.array([[0.0, 2.25, 9.0]])})  # |2.25 − 2| = 0.25: at the tolerance
    assert (float(outcome.computed), outcome.error, outcome.ok) == (2.25, 0.25, True)
    assert expect.evaluate(e, {z1: np.array([[0.0, np.nan]])}).error == np.inf
    nothing = Expectation(z1, 1, None, np.zeros((0, 2)), 0.0)
    assert expect.evaluate(nothing, {z1: np.zeros((0, 2))}).error == 0.0  # an empty batch: nothing differs
    # the source's figure in place of stepnet's: negated when the source's sign is the other
    whole = Expectation(z1, 1, None, np.array([1, -2]), 0.0, negated=True).place(np.zeros((1, 2)))
    assert whole.tolist() == [[-1.0, 2.0]] and whole.dtype == np.float64
    one = Expectation(z1, 1, (0, 1), np.array(3.0), 0.0).place(np.array([[1, 2]]))
    assert one.tolist() == [[1.0, 3.0]] and one.dtype == np.float64

"""Each definition's NumPy code (what a notebook runs) computes what the definition's function
computes: every activation, loss, optimizer step, schedule and graph operation on random
arrays, and every operation of the bundled scenarios and of networks built to reach the
rest (dropout, L2, softmax with cross-entropy, schedules, shuffled batches, changes)."""

from __future__ import annotations

import functools
from collections.abc import Callable
from dataclasses import replace
from pathlib import Path

import numpy as np
import pytest
from conftest import SCENARIOS, make_data, make_model

from stepnet import scenario
from stepnet.engine.activations import ACTIVATIONS
from stepnet.engine.debugger import Debugger
from stepnet.engine.expressions import OPERATIONS
from stepnet.engine.formula import Constant, grouped, python
from stepnet.engine.losses import LOSSES
from stepnet.engine.model import Optimizer
from stepnet.engine.names import Name
from stepnet.engine.op import StartOp
from stepnet.engine.optimizers import OPTIMIZERS, SCHEDULES

RNG = np.random.default_rng(7)


def run(code: str, **values) -> object:
    """`code` evaluated with the values bound to their names and NumPy as np, nothing else."""
    return eval(code, {"np": np, "__builtins__": {"len": len, "float": float, "int": int}}, values)


@pytest.mark.parametrize("name", list(ACTIVATIONS))
def test_an_activation_s_code_is_its_function_and_its_derivative(name):
    for options in ({}, {o.name: o.default * 0.5 for o in ACTIVATIONS[name].options}):
        act = ACTIVATIONS.make(name, options)
        z = RNG.normal(0, 3, (4, 5))
        a = act.f(z)
        np.testing.assert_allclose(run(act.value_code(Name("z")), z=z), a, rtol=1e-13, atol=1e-15)
        np.testing.assert_allclose(run(act.derivative_code(Name("z"), Name("a")), z=z, a=a), act.df(z, a),
                                   rtol=1e-13, atol=1e-15)


@pytest.mark.parametrize("name", list(LOSSES))
def test_a_loss_s_code_is_its_per_sample_loss_and_gradient(name):
    loss = LOSSES.make(name)
    p = RNG.uniform(0.05, 0.95, (3, 4))
    y = np.eye(4)[[0, 2, 3]] if loss.targets == "distribution" else RNG.uniform(0, 1, (3, 4))
    terms = {"p": Name("p"), "y": Name("y"), "n": Constant("n", "n", 4), **loss.constants}
    np.testing.assert_allclose(run(loss.formula.python(terms), p=p, y=y), loss.per_sample(p, y), rtol=1e-13)
    np.testing.assert_allclose(run(loss.gradient.python(terms), p=p, y=y), loss.grad(p, y), rtol=1e-13)


@pytest.mark.parametrize("name", list(OPTIMIZERS))
def test_each_step_of_an_optimizer_s_code_is_its_update(name):
    rule = OPTIMIZERS.make(name)
    state = {slot: RNG.uniform(0.1, 1, (2, 3)) for slot in ("theta", "grad", "m", "v", "s", "mhat", "vhat")}
    for step in rule.steps:
        args = {**state, "lr": 0.3, "t": 4}
        code = step.expression.python({**{k: Name(k) for k in args}, **rule.constants})
        expected = step.compute(*(args[name] for name in step.reads))
        np.testing.assert_allclose(run(code, **args), expected, rtol=1e-13)


@pytest.mark.parametrize("name", list(SCHEDULES))
def test_a_schedule_s_code_is_its_rate(name):
    schedule = SCHEDULES.make(name)
    for t in (1, 7, 25):
        code = schedule.expression.python({"eta": Constant("η", "", 0.4), "t": Name("t"), **schedule.constants})
        assert run(code, t=t) == pytest.approx(schedule.rate(0.4, t), rel=1e-14)


@pytest.mark.parametrize("name", list(OPERATIONS))
def test_a_graph_operation_s_code_is_its_value_and_its_partials(name):
    op = OPERATIONS.make(name)
    values = dict(zip(op.fields, RNG.uniform(0.5, 2, len(op.fields))))
    out = op.value(*values.values())
    terms = {field: Name(field) for field in (*op.fields, op.result)}
    assert run(op.formula.python(terms), **values) == pytest.approx(out, rel=1e-14)
    for partial in op.partials:
        args = {**values, op.result: out}
        expected = partial.compute(*(args[name] for name in partial.reads))
        assert run(python(partial.expression.code, terms), **args) == pytest.approx(expected, rel=1e-14)


def test_a_constant_is_written_exactly_and_a_negative_one_in_parentheses():
    terms = {"b": Constant("β", "", 0.1), "c": Constant("c", "", -0.5), "k": Constant("k", "", 3)}
    assert python("{b} * {c} ** {k}", terms) == "0.1 * (-0.5) ** 3"
    assert run(python("{c} ** 2", terms)) == 0.25  # not −(0.5²)
    assert [grouped(c) for c in ("z1", "np.tanh(z1)", "1 - a1", "np.f(a) * np.g(b)")] == \
        ["z1", "np.tanh(z1)", "(1 - a1)", "(np.f(a) * np.g(b))"]


def networks() -> dict[str, Callable[[], Debugger]]:
    """Networks built to reach what the bundled scenarios do not; each debugger is made by the
    test (made when the module is imported, its ops would be made before mutmut switches a
    mutant on)."""
    softmax = make_model([3, 4, 3], ["tanh", "softmax"], loss="cross_entropy", l2=0.01,
                         optimizer=Optimizer.of("adam", 0.01, schedule=("step", {"gamma": 0.5, "every": 1})))
    jacobian = make_model([3, 4, 3], ["elu", "softmax"], loss="mse", reduction="sum",
                          optimizer=Optimizer.of("rmsprop", 0.01, schedule=("time", {})))
    dropout = make_model([3, 5, 2], ["leaky_relu", "sigmoid"], loss="binary_cross_entropy",
                         optimizer=Optimizer.of("momentum", 0.1, nesterov=True))
    dropout = replace(dropout, layers=(replace(dropout.layers[0], dropout=0.4), dropout.layers[1]), changes=True,
                      input_gradient=True)
    huber = make_model([2, 3, 2], ["silu", "softplus"], loss="huber", optimizer=Optimizer.of("adagrad", 0.1))
    deep = make_model([3, 5, 4, 2], ["tanh", "relu", "softmax"], loss="cross_entropy", reduction="sum")
    return {"softmax_cross_entropy_l2_adam_step_shuffled": functools.partial(Debugger, softmax,
                                                                   make_data(softmax, 6, 4, shuffle=True)),
            "softmax_jacobian_mse_sum_rmsprop_time": functools.partial(Debugger, jacobian, make_data(jacobian, 5, 5)),
            "dropout_nesterov_changes_input_gradient": functools.partial(Debugger, dropout,
                                                               make_data(dropout, 4, 3, shuffle=True)),
            "silu_softplus_huber_adagrad_batches": functools.partial(Debugger, huber, make_data(huber, 4, 2)),
            "three_layers_softmax_cross_entropy_sum": functools.partial(Debugger, deep, make_data(deep, 5, 5))}


def bundled() -> dict[str, Callable[[], Debugger]]:
    return {path.stem: functools.partial(debugger, path) for path in sorted(SCENARIOS.glob("*.toml"))
            if path.stem not in ("digits", "mnist_shape")}  # large: their ops are those of others


def debugger(path: Path) -> Debugger:
    return scenario.load(path).debugger()


CASES = {**bundled(), **networks()}


@pytest.mark.parametrize("case", CASES)
def test_every_operation_s_code_recomputes_its_result_from_the_state_before_it(case):
    """Two iterations, op by op: each op's code on the state before it gives the state after."""
    d = CASES[case]()
    inputs = {"x": d.data.inputs, "targets": d.data.targets}
    for _ in range(2 * d.n_ops):
        before = {str(name): value for name, value in d.values.items()}
        op = d.step()
        assert op.code or isinstance(op, StartOp), op.formula
        namespace = {"np": np, **inputs, **before, "t": d.iteration}
        exec(op.code, namespace)
        for name in op.outputs:  # the batch's y and t too
            np.testing.assert_allclose(np.asarray(namespace[str(name)]), d.values[name], rtol=1e-12, atol=1e-15,
                                       err_msg=op.code)
